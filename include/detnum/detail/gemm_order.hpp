// The canonical GEMM order of docs/ORDER.md ("GEMM"), as the pieces every backend shares: the
// segment length, the element access of op(A) and op(B), and the steps that turn segment
// partials into the output. The reference (src/cpu/gemm_ref.cpp) is these pieces in plain loops;
// the CPU micro-kernels and the CUDA kernels hold partials in registers but call the same steps.
#pragma once

#include <cstdint>

#include "detnum/bf16.hpp"
#include "detnum/fp16.hpp"
#include "detnum/detail/ieee_only.hpp"
#include "detnum/hd.hpp"

#if !defined(__CUDA_ARCH__)
#include <cmath>
#endif

namespace detnum::detail {

// KS: the k products of an output are cut into segments of this many (the last may be shorter).
// Each segment is accumulated on its own, so split-K over segments is deterministic.
inline constexpr std::int64_t kGemmSegment = 256;

DETNUM_HD std::int64_t gemm_segments(std::int64_t k) { return (k + kGemmSegment - 1) / kGemmSegment; }

DETNUM_HD float fused(float a, float b, float c) {
#if defined(__CUDA_ARCH__)
  return fmaf(a, b, c);
#else
  return std::fma(a, b, c);
#endif
}

DETNUM_HD float gemm_widen(float x) { return x; }
DETNUM_HD float gemm_widen(bf16 x) { return to_float(x); }
DETNUM_HD float gemm_widen(fp16 x) { return to_float(x); }

// Step 2: a segment's partial starts at -0 (the exact identity of +) and takes
// p = fma(op(A)[i][q], op(B)[q][j], p) for q in the segment, in increasing order.
DETNUM_HD float gemm_segment_start() { return -0.0f; }

// Step 3: R after segment 0 (the old C enters here, once, as beta * c_old) ...
DETNUM_HD float gemm_first(float alpha, float p0, float beta, float c_old) {
  return beta == 0.0f ? alpha * p0 : fused(alpha, p0, beta * c_old);
}
// ... and after each later segment.
DETNUM_HD float gemm_next(float alpha, float p, float r) { return fused(alpha, p, r); }
// No segment at all (k = 0 or alpha = 0): beta * c_old, or +0 when beta = 0 (C not read).
DETNUM_HD float gemm_without_products(float beta, float c_old) { return beta == 0.0f ? 0.0f : beta * c_old; }

// Step 4: R stored as the output type, NaN canonical.
DETNUM_HD void gemm_store(float r, float* c) { *c = canonicalize(r); }
DETNUM_HD void gemm_store(float r, bf16* c) { *c = bf16_from_float(r); }
DETNUM_HD float gemm_load(const float* c) { return *c; }
DETNUM_HD float gemm_load(const bf16* c) { return to_float(*c); }

}  // namespace detnum::detail
