// detnum::math's exp, erf and tanh on four floats with AVX2, and log, sinpi and cospi on the inputs
// Box-Muller gives them: the scalar functions' steps on four double lanes — the same constants,
// table rows, Horner polynomials and final rounding to float, each branch computed for every
// lane and the lane's own blended in — so each lane has the scalar function's bits (math_test
// samples, math_exhaustive_test checks every input of each function's domain here). Used by the
// CPU's AVX2 loops of the activations, softmax and normal init; callers need AVX2 (__builtin_cpu_supports)
// and the avx2 target themselves.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "detnum/math.hpp"

namespace detnum::math::detail {

// c[0] z^(N-1) + ... + c[N-1], one multiply and one add a step, as horner: with each lane's own
// coefficients, or with one polynomial's for all lanes.
template <int N>
[[gnu::target("avx2")]] inline __m256d horner4(const __m256d (&c)[N], __m256d z) {
  __m256d r = c[0];
  for (int i = 1; i < N; ++i) r = _mm256_add_pd(_mm256_mul_pd(r, z), c[i]);
  return r;
}
template <int N>
[[gnu::target("avx2")]] inline __m256d horner4(const Poly<N>& p, __m256d z) {
  __m256d c[N];
  for (int i = 0; i < N; ++i) c[i] = _mm256_set1_pd(p.c[i]);
  return horner4(c, z);
}

[[gnu::target("avx2")]] inline __m128 canonical_nan4() {
  return _mm_castsi128_ps(_mm_set1_epi32(static_cast<int>(kCanonicalNanF32)));
}

// A mask of four 32-bit lanes as four 64-bit lanes, for blends of doubles.
[[gnu::target("avx2")]] inline __m256d wide_mask4(__m128i m) { return _mm256_castsi256_pd(_mm256_cvtepi32_epi64(m)); }

// base[index] in each lane (the masked form: GCC 12 warns on the unmasked one's undefined source).
[[gnu::target("avx2")]] inline __m256d gather4(const double* base, __m128i index) {
  return _mm256_mask_i32gather_pd(_mm256_setzero_pd(), base, index, _mm256_castsi256_pd(_mm256_set1_epi64x(-1)), 8);
}

static_assert(kErfTerms == 10, "erf_rows4 transposes rows of 10 coefficients");

// The 4 x 4 transpose: out[j] = (r0[j], r1[j], r2[j], r3[j]).
[[gnu::target("avx2")]] inline void transpose4(__m256d r0, __m256d r1, __m256d r2, __m256d r3, __m256d* out) {
  const __m256d t0 = _mm256_unpacklo_pd(r0, r1), t1 = _mm256_unpackhi_pd(r0, r1);
  const __m256d t2 = _mm256_unpacklo_pd(r2, r3), t3 = _mm256_unpackhi_pd(r2, r3);
  out[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
  out[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
  out[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
  out[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
}

// c[t] = coefficient t of erf's Taylor row row[lane], for each lane: each row read as three
// vectors (coefficients 0-3, 4-7 and 6-9) and transposed, cheaper than ten gathers.
[[gnu::target("avx2")]] inline void erf_rows4(__m128i row, __m256d* c) {
  const double* r[4];
  alignas(16) std::int32_t index[4];
  _mm_store_si128(reinterpret_cast<__m128i*>(index), row);
  for (int lane = 0; lane < 4; ++lane) r[lane] = erf_taylor_rows()[index[lane]];
  transpose4(_mm256_loadu_pd(r[0]), _mm256_loadu_pd(r[1]), _mm256_loadu_pd(r[2]), _mm256_loadu_pd(r[3]), c);
  transpose4(_mm256_loadu_pd(r[0] + 4), _mm256_loadu_pd(r[1] + 4), _mm256_loadu_pd(r[2] + 4),
             _mm256_loadu_pd(r[3] + 4), c + 4);
  __m256d last[4];  // coefficients 6 to 9; 6 and 7 are already in c
  transpose4(_mm256_loadu_pd(r[0] + 6), _mm256_loadu_pd(r[1] + 6), _mm256_loadu_pd(r[2] + 6),
             _mm256_loadu_pd(r[3] + 6), last);
  c[8] = last[2];
  c[9] = last[3];
}

// math::erf on four floats.
[[gnu::target("avx2"), gnu::always_inline]] inline __m128 erf4(__m128 x) {
  const __m128 sign = _mm_and_ps(x, _mm_set1_ps(-0.0f));
  const __m128 a = _mm_andnot_ps(_mm_set1_ps(-0.0f), x);
  const __m128 in_range = _mm_cmp_ps(a, _mm_set1_ps(4.0f), _CMP_LT_OQ);  // false for NaN
  const __m128 ac = _mm_and_ps(a, in_range);                               // out of range: +0, blended away
  const __m256d ad = _mm256_cvtps_pd(ac);
  // a < 1/8: the series in a^2.
  const __m256d small = _mm256_mul_pd(horner4(erf_series7(), _mm256_mul_pd(ad, ad)), ad);
  // a >= 1/8: row i - 2 at h = a - (i + 1/2)/16 (the scaling by 1/16 is exact, as the division).
  const __m128i i = _mm_max_epi32(_mm_cvttps_epi32(_mm_mul_ps(_mm_set1_ps(16.0f), ac)), _mm_set1_epi32(2));
  const __m256d centre = _mm256_mul_pd(_mm256_add_pd(_mm256_cvtepi32_pd(i), _mm256_set1_pd(0.5)), _mm256_set1_pd(0.0625));
  const __m256d h = _mm256_sub_pd(ad, centre);
  __m256d c[kErfTerms];
  erf_rows4(_mm_sub_epi32(i, _mm_set1_epi32(2)), c);
  const __m256d big = horner4(c, h);
  const __m128 is_small = _mm_cmp_ps(ac, _mm_set1_ps(0.125f), _CMP_LT_OQ);
  const __m256d e = _mm256_blendv_pd(big, small, wide_mask4(_mm_castps_si128(is_small)));
  const __m128 f = _mm_or_ps(_mm256_cvtpd_ps(e), sign);
  const __m128 special = _mm_blendv_ps(_mm_or_ps(sign, _mm_set1_ps(1.0f)),
                                       canonical_nan4(),
                                       _mm_cmp_ps(x, x, _CMP_UNORD_Q));
  return _mm_blendv_ps(special, f, in_range);
}

// math::exp on four floats.
[[gnu::target("avx2"), gnu::always_inline]] inline __m128 exp4(__m128 x) {
  const __m128 in_range =
      _mm_and_ps(_mm_cmp_ps(x, _mm_set1_ps(-104.0f), _CMP_GE_OQ), _mm_cmp_ps(x, _mm_set1_ps(89.0f), _CMP_LE_OQ));
  const __m256d xd = _mm256_cvtps_pd(_mm_and_ps(x, in_range));  // out of range: +0, blended away
  const __m256d round = _mm256_set1_pd(kRoundToInteger);
  const __m256d kd = _mm256_sub_pd(_mm256_add_pd(_mm256_mul_pd(xd, _mm256_set1_pd(kExp64Log2e)), round), round);
  const __m256d r = _mm256_sub_pd(_mm256_sub_pd(xd, _mm256_mul_pd(kd, _mm256_set1_pd(kExpLn2Over64Hi))),
                                  _mm256_mul_pd(kd, _mm256_set1_pd(kExpLn2Over64Lo)));
  const __m128i k = _mm256_cvtpd_epi32(kd);  // exact: kd is an integer
  const __m256d two_e = _mm256_castsi256_pd(
      _mm256_slli_epi64(_mm256_cvtepi32_epi64(_mm_add_epi32(_mm_srai_epi32(k, 6), _mm_set1_epi32(1023))), 52));
  const __m256d q = _mm256_mul_pd(horner4(expm1_poly5(), r), r);
  const __m256d t = gather4(exp2_64ths(), _mm_and_si128(k, _mm_set1_epi32(63)));
  const __m128 y = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_add_pd(t, _mm256_mul_pd(t, q)), two_e));
  const __m128 overflow = _mm_and_ps(_mm_cmp_ps(x, _mm_set1_ps(89.0f), _CMP_GT_OQ),
                                     _mm_castsi128_ps(_mm_set1_epi32(0x7F800000)));  // +Inf, else +0
  const __m128 special = _mm_blendv_ps(overflow, canonical_nan4(), _mm_cmp_ps(x, x, _CMP_UNORD_Q));
  return _mm_blendv_ps(special, y, in_range);
}

// math::tanh on four floats: exp_reduce of 2a and the degree-14 expm1 in double lanes.
[[gnu::target("avx2"), gnu::always_inline]] inline __m128 tanh4(__m128 x) {
  const __m128 sign = _mm_and_ps(x, _mm_set1_ps(-0.0f));
  const __m128 a = _mm_xor_ps(x, sign);
  const __m128 saturated = _mm_cmp_ps(a, _mm_set1_ps(9.5f), _CMP_GT_OQ);
  const __m256d y = _mm256_mul_pd(_mm256_set1_pd(2.0), _mm256_cvtps_pd(_mm_andnot_ps(saturated, a)));  // 2a, below 19
  const __m256d round = _mm256_set1_pd(kRoundToInteger);
  const __m256d kd =
      _mm256_sub_pd(_mm256_add_pd(_mm256_mul_pd(y, _mm256_set1_pd(kLog2e)), round), round);
  const __m256d r = _mm256_sub_pd(_mm256_sub_pd(y, _mm256_mul_pd(kd, _mm256_set1_pd(kLn2Hi))),
                                  _mm256_mul_pd(kd, _mm256_set1_pd(kLn2Lo)));
  const __m256d two_k = _mm256_castsi256_pd(
      _mm256_slli_epi64(_mm256_cvtepi32_epi64(_mm_add_epi32(_mm256_cvtpd_epi32(kd), _mm_set1_epi32(1023))), 52));
  const __m256d e = _mm256_add_pd(_mm256_mul_pd(two_k, _mm256_mul_pd(horner4(expm1_poly14(), r), r)),
                                  _mm256_sub_pd(two_k, _mm256_set1_pd(1.0)));  // e^(2a) - 1
  const __m128 t = _mm_blendv_ps(_mm256_cvtpd_ps(_mm256_div_pd(e, _mm256_add_pd(e, _mm256_set1_pd(2.0)))),
                                 _mm_set1_ps(1.0f), saturated);
  return _mm_blendv_ps(_mm_or_ps(t, sign), canonical_nan4(), _mm_cmp_ps(x, x, _CMP_UNORD_Q));
}

// math::log on four positive normal floats (no zero, subnormal, infinity or NaN: Box-Muller's
// radii lie in [2^-33, 1]); the hard cases are blended in as the scalar code returns them.
[[gnu::target("avx2"), gnu::always_inline]] inline __m128 log_normal4(__m128 x) {
  const __m128i u = _mm_castps_si128(x);
  const __m128i t = _mm_sub_epi32(u, _mm_set1_epi32(static_cast<int>(kLogTableOrigin)));
  const __m128i i = _mm_and_si128(_mm_srli_epi32(t, 16), _mm_set1_epi32(127));
  const __m256d kd = _mm256_cvtepi32_pd(_mm_srai_epi32(t, 23));
  const __m256d z =
      _mm256_cvtps_pd(_mm_castsi128_ps(_mm_sub_epi32(u, _mm_and_si128(t, _mm_set1_epi32(static_cast<int>(0xFF800000u))))));
  const LogTable& table = log_table();
  const __m256d r = _mm256_sub_pd(_mm256_mul_pd(z, gather4(table.invc, i)), _mm256_set1_pd(1.0));  // exact
  const __m256d p = _mm256_mul_pd(horner4(log1p_poly8(), r), r);
  const __m256d sum = _mm256_add_pd(_mm256_mul_pd(kd, _mm256_set1_pd(kLn2Lo)), _mm256_add_pd(gather4(table.logc, i), p));
  __m128 y = _mm256_cvtpd_ps(_mm256_add_pd(_mm256_mul_pd(kd, _mm256_set1_pd(kLn2Hi)), sum));
  constexpr LogHardCases kHard = log_hard_cases();
  for (const auto& h : kHard.c)
    y = _mm_blendv_ps(y, _mm_castsi128_ps(_mm_set1_epi32(static_cast<int>(h[1]))),
                      _mm_castsi128_ps(_mm_cmpeq_epi32(u, _mm_set1_epi32(static_cast<int>(h[0])))));
  return y;
}

// math::sinpi and math::cospi on four floats in [0, 2^24) (Box-Muller's angles lie in [0, 2)).
[[gnu::target("avx2"), gnu::always_inline]] inline void sincospi4(__m128 a, __m128& sin, __m128& cos) {
  const __m256d ad = _mm256_cvtps_pd(a);
  const __m256d round = _mm256_set1_pd(kRoundToInteger);
  const __m256d nd = _mm256_sub_pd(_mm256_add_pd(_mm256_mul_pd(_mm256_set1_pd(2.0), ad), round), round);
  const __m128i q = _mm_and_si128(_mm256_cvtpd_epi32(nd), _mm_set1_epi32(3));  // exact: nd is an integer
  const __m256d r = _mm256_sub_pd(ad, _mm256_mul_pd(_mm256_set1_pd(0.5), nd));
  const __m256d r2 = _mm256_mul_pd(r, r);
  const __m256d s = _mm256_mul_pd(horner4(sinpi_poly10(), r2), r), c = horner4(cospi_poly10(), r2);
  // Lane masks for the quadrant's choices.
  const __m256d odd = wide_mask4(_mm_cmpeq_epi32(_mm_and_si128(q, _mm_set1_epi32(1)), _mm_set1_epi32(1)));
  const __m256d sin_negative = wide_mask4(_mm_cmpeq_epi32(_mm_and_si128(q, _mm_set1_epi32(2)), _mm_set1_epi32(2)));
  const __m256d cos_negative = wide_mask4(_mm_or_si128(_mm_cmpeq_epi32(q, _mm_set1_epi32(1)), _mm_cmpeq_epi32(q, _mm_set1_epi32(2))));
  const __m256d sign = _mm256_set1_pd(-0.0);
  const __m256d vs = _mm256_blendv_pd(s, c, odd), vc = _mm256_blendv_pd(c, s, odd);
  const __m128 fs = _mm256_cvtpd_ps(_mm256_xor_pd(vs, _mm256_and_pd(sin_negative, sign)));
  const __m128 fc = _mm256_cvtpd_ps(_mm256_xor_pd(vc, _mm256_and_pd(cos_negative, sign)));
  const __m128 zero = _mm_setzero_ps();  // a zero result is +0, as the scalar code makes it
  sin = _mm_andnot_ps(_mm_cmp_ps(fs, zero, _CMP_EQ_OQ), fs);
  cos = _mm_andnot_ps(_mm_cmp_ps(fc, zero, _CMP_EQ_OQ), fc);
}

}  // namespace detnum::math::detail
