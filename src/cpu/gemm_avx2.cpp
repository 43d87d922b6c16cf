// The AVX2 + FMA GEMM micro-kernel: a 6 x 16 tile of C in 12 ymm accumulators (2 per row), one
// broadcast of op(A) and two loads of op(B) per k, all 12 fused multiply-adds in the order of
// ORDER.md (each accumulator is one output's fma chain from -0 in increasing k). The update of
// step 3 and the canonical NaN are vector code too: vfmadd is the same single rounding as fma.
#include <immintrin.h>

#include "cpu/gemm_kernels.hpp"
#include "detnum/detail/gemm_order.hpp"
#include "detnum/hd.hpp"

namespace detnum::detail {
namespace {

[[gnu::target("avx2,fma")]] inline __m256 update(__m256 p, const float* c, const TileUpdate& u) {
  const __m256 alpha = _mm256_set1_ps(u.alpha);
  if (!u.first) return _mm256_fmadd_ps(alpha, p, _mm256_loadu_ps(c));  // gemm_next
  if (u.beta == 0.0f) return _mm256_mul_ps(alpha, p);                   // gemm_first, C not read
  return _mm256_fmadd_ps(alpha, p, _mm256_mul_ps(_mm256_set1_ps(u.beta), _mm256_loadu_ps(c)));
}

[[gnu::target("avx2,fma")]] inline void store(float* c, __m256 r, bool last) {
  if (last) {  // canonical NaN (detnum::canonicalize, eight at a time)
    const __m256 nan = _mm256_cmp_ps(r, r, _CMP_UNORD_Q);
    r = _mm256_blendv_ps(r, _mm256_castsi256_ps(_mm256_set1_epi32(static_cast<int>(kCanonicalNanF32))), nan);
  }
  _mm256_storeu_ps(c, r);
}

}  // namespace

[[gnu::target("avx2,fma")]] void gemm_tile_avx2(int kc, const float* pa, const float* pb, float* c, std::int64_t ldc,
                                                const TileUpdate& u) {
  // The tile of C is updated after the k loop: start bringing its lines in now (a hint only).
  for (int r = 0; r < kGemmMR; ++r) {
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + kGemmNR - 1), _MM_HINT_T0);
  }
  const __m256 start = _mm256_set1_ps(gemm_segment_start());
  __m256 c00 = start, c01 = start, c10 = start, c11 = start, c20 = start, c21 = start;
  __m256 c30 = start, c31 = start, c40 = start, c41 = start, c50 = start, c51 = start;
#pragma GCC unroll 4
  for (int p = 0; p < kc; ++p) {
    const __m256 b0 = _mm256_loadu_ps(pb), b1 = _mm256_loadu_ps(pb + 8);
    __m256 a = _mm256_broadcast_ss(pa + 0);
    c00 = _mm256_fmadd_ps(a, b0, c00);
    c01 = _mm256_fmadd_ps(a, b1, c01);
    a = _mm256_broadcast_ss(pa + 1);
    c10 = _mm256_fmadd_ps(a, b0, c10);
    c11 = _mm256_fmadd_ps(a, b1, c11);
    a = _mm256_broadcast_ss(pa + 2);
    c20 = _mm256_fmadd_ps(a, b0, c20);
    c21 = _mm256_fmadd_ps(a, b1, c21);
    a = _mm256_broadcast_ss(pa + 3);
    c30 = _mm256_fmadd_ps(a, b0, c30);
    c31 = _mm256_fmadd_ps(a, b1, c31);
    a = _mm256_broadcast_ss(pa + 4);
    c40 = _mm256_fmadd_ps(a, b0, c40);
    c41 = _mm256_fmadd_ps(a, b1, c41);
    a = _mm256_broadcast_ss(pa + 5);
    c50 = _mm256_fmadd_ps(a, b0, c50);
    c51 = _mm256_fmadd_ps(a, b1, c51);
    pa += kGemmMR;
    pb += kGemmNR;
  }
  const __m256 rows[kGemmMR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  for (int r = 0; r < kGemmMR; ++r) {
    float* row = c + r * ldc;
    store(row, update(rows[r][0], row, u), u.last);
    store(row + 8, update(rows[r][1], row + 8, u), u.last);
  }
}

}  // namespace detnum::detail
