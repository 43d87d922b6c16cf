// Deterministic GEMM on the CPU (CUDA: detnum/cuda/gemm.hpp), row-major, BLAS-like:
//
//   C = alpha * op(A) * op(B) + beta * C,   op(A) is m x k, op(B) is k x n, C is m x n
//
// Guarantee: every C[i][j] is a function of row i of op(A), column j of op(B), k, alpha, beta and
// the old C[i][j] alone, computed in the order of docs/ORDER.md ("GEMM", version
// DETNUM_ORDER_SPEC_VERSION): the k products in segments of 256, each accumulated from -0 with
// explicit fused multiply-adds in increasing k, the segments combined in order. Not of m or n
// (batch invariance: a row of C has the same bits whether it is computed alone or among 4096),
// the thread count, the SIMD kernels, the CUDA tile configuration or the device. NaN outputs are
// canonical.
//
// Types: float, bf16 or fp16 inputs (A and B of one type), widened exactly to float; float or
// bf16 output (bf16: the float result rounded once, to nearest even). beta == 0 means C is not
// read (NaN or Inf there does not propagate); alpha == 0 means A and B are not read.
//
// Row-major storage: with Transpose::no, A is m x k with element (i, p) at a[i * lda + p] and
// lda >= max(1, k); with Transpose::yes, A is stored k x m, (i, p) at a[p * lda + i], lda >=
// max(1, m). Likewise B (k x n, or n x k stored), and C at c[i * ldc + j] with ldc >= max(1, n).
// C must not overlap A or B.
#pragma once

#include <cstdint>
#include <type_traits>

#include "detnum/bf16.hpp"
#include "detnum/fp16.hpp"
#include "detnum/threads.hpp"

namespace detnum {

enum class Transpose { no, yes };

template <class T>
concept GemmInput = std::is_same_v<T, float> || std::is_same_v<T, bf16> || std::is_same_v<T, fp16>;
template <class C>
concept GemmOutput = std::is_same_v<C, float> || std::is_same_v<C, bf16>;

template <GemmInput T, GemmOutput C>
void gemm(Transpose trans_a, Transpose trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, const T* a,
          std::int64_t lda, const T* b, std::int64_t ldb, float beta, C* c, std::int64_t ldc, CpuOptions options = {});

// batch independent products: matrix q of A starts at a + q * stride_a (likewise B, C). Strides
// are >= 0; A and B may repeat (stride 0), the C matrices must not overlap each other. Each
// product has the bits of the single gemm of its matrices.
template <GemmInput T, GemmOutput C>
void gemm_strided_batched(Transpose trans_a, Transpose trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
                          float alpha, const T* a, std::int64_t lda, std::int64_t stride_a, const T* b,
                          std::int64_t ldb, std::int64_t stride_b, float beta, C* c, std::int64_t ldc,
                          std::int64_t stride_c, std::int64_t batch, CpuOptions options = {});

// The scalar reference: ORDER.md as plain loops. Slow; everything else is tested against it.
namespace ref {
template <GemmInput T, GemmOutput C>
void gemm(Transpose trans_a, Transpose trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, const T* a,
          std::int64_t lda, const T* b, std::int64_t ldb, float beta, C* c, std::int64_t ldc);
}  // namespace ref

}  // namespace detnum
