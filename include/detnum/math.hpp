// detnum's own float32 math: the same bits on every CPU and GPU, because each function is built
// from IEEE basic operations (add, multiply, conversions) in a fixed order, with no libm call and
// no contraction (the build forbids it on both sides). Neither libm can serve here: CUDA's expf
// is up to 2 ulp off, glibc's is not correctly rounded and may branch per CPU.
//
// exp(x): evaluated in double, then rounded once to float.
//   k = round(x * log2(e)) (round to nearest through 1.5 * 2^52), r = (x - k ln2_hi) - k ln2_lo
//   with ln2_hi of 41 significant bits (k ln2_hi is exact for |k| < 2^12), |r| <= 0.35;
//   exp(r) = Taylor polynomial of degree 14 in Horner form (truncation below 2^-57 relative);
//   the result is exp(r) * 2^k (exact: a double power of two, normal for every k used), rounded to
//   float (subnormal results included). The double result is within about 2^-51 of exp(x), so
//   the float is the correctly rounded one except where exp(x) lies that close to a rounding
//   boundary, and within 1 ulp always: math_exhaustive_test checks all 2^32 inputs
//   (docs/PERFORMANCE.md records the result).
//
// log(x): evaluated in double, then rounded once to float.
//   x = 2^k m with m in [sqrt(1/2), sqrt(2)) (subnormal x first scaled by 2^24, exactly);
//   s = (m - 1) / (m + 1) (m - 1 is exact; |s| <= 0.1716); log(m) = 2 atanh(s) = 2 s (1 + s^2/3 +
//   s^4/5 + ... + s^24/25) (truncation below 2^-60 relative); the result is
//   k ln2_hi + (k ln2_lo + log(m)), rounded to float. log(1) = +0, log(+-0) = -Inf,
//   log(x < 0) = NaN (canonical), log(+Inf) = +Inf. On five inputs, where log(x) lies closer to
//   a rounding boundary than the double evaluation's error, that rounds the wrong way; they are
//   answered from a table of their correctly rounded results (from GNU MPFR). The exhaustive test
//   then finds log identical to logl rounded to float on all 2^32 inputs.
#pragma once

#include <cstdint>

#include "detnum/hd.hpp"

namespace detnum::math {

DETNUM_HD float exp(float x) {
  if (x != x) return canonical_nan_f32();
  if (x > 89.0f) return float_from_bits(0x7F800000u);  // exp(89) > FLT_MAX: +Inf (also x = +Inf)
  if (x < -104.0f) return 0.0f;                        // exp(-104) < 2^-150: rounds to +0 (also -Inf)
  constexpr double kLog2e = 0x1.71547652b82fep+0;
  constexpr double kLn2Hi = 0x1.62e42fefa3800p-1, kLn2Lo = 0x1.ef35793c76730p-45;
  constexpr double kRound = 0x1.8p52;
  const double xd = x;
  const double kd = (xd * kLog2e + kRound) - kRound;
  const double r = (xd - kd * kLn2Hi) - kd * kLn2Lo;
  // 1/n! for n = 14 down to 0, each the double nearest.
  constexpr double kC[] = {0x1.93974a8c07c9dp-37, 0x1.6124613a86d09p-33, 0x1.1eed8eff8d898p-29,
                           0x1.ae64567f544e4p-26, 0x1.27e4fb7789f5cp-22, 0x1.71de3a556c734p-19,
                           0x1.a01a01a01a01ap-16, 0x1.a01a01a01a01ap-13, 0x1.6c16c16c16c17p-10,
                           0x1.1111111111111p-7,  0x1.5555555555555p-5,  0x1.5555555555555p-3,
                           0x1.0000000000000p-1,  0x1.0000000000000p+0,  0x1.0000000000000p+0};
  double p = kC[0];
  for (int i = 1; i < 15; ++i) p = p * r + kC[i];
  const auto k = static_cast<std::int64_t>(kd);  // in [-151, 129]
  const double two_k = double_from_bits(static_cast<std::uint64_t>(k + 1023) << 52);
  return static_cast<float>(p * two_k);
}

DETNUM_HD float log(float x) {
  const std::uint32_t u = bits_of(x);
  if (x != x || ((u >> 31) != 0 && (u & 0x7FFFFFFFu) != 0)) return canonical_nan_f32();  // NaN, x < 0
  if ((u & 0x7FFFFFFFu) == 0) return float_from_bits(0xFF800000u);                    // +-0: -Inf
  if (u == 0x7F800000u) return x;                                                      // +Inf
  // (input, correctly rounded log) where the double evaluation below is 1 ulp off.
  constexpr std::uint32_t kHard[5][2] = {{0x3C413D3Au, 0xC08E158Fu}, {0x41178FEBu, 0x400FE5E7u},
                                         {0x4C5D65A5u, 0x418F034Bu}, {0x65D890D3u, 0x4254D1F9u},
                                         {0x6F31A8ECu, 0x42845A89u}};
  for (const auto& h : kHard)
    if (u == h[0]) return float_from_bits(h[1]);
  // x = 2^k m, m in [1, 2) from the bits (subnormals scaled by 2^24 first), then into
  // [sqrt(1/2), sqrt(2)).
  int k = 0;
  std::uint32_t b = u;
  if ((b >> 23) == 0) {
    b = bits_of(x * 0x1p24f);
    k = -24;
  }
  k += static_cast<int>(b >> 23) - 127;
  std::uint32_t mbits = (b & 0x7FFFFFu) | 0x3F800000u;
  if (mbits > 0x3FB504F3u) {  // m > sqrt(2) rounded to float
    mbits -= 0x00800000u;     // m / 2
    ++k;
  }
  constexpr double kLn2Hi = 0x1.62e42fefa3800p-1, kLn2Lo = 0x1.ef35793c76730p-45;
  // 1/(2j + 1) for j = 12 down to 0, each the double nearest.
  constexpr double kC[] = {0x1.47ae147ae147bp-5, 0x1.642c8590b2164p-5, 0x1.8618618618618p-5, 0x1.af286bca1af28p-5,
                           0x1.e1e1e1e1e1e1ep-5, 0x1.1111111111111p-4, 0x1.3b13b13b13b14p-4, 0x1.745d1745d1746p-4,
                           0x1.c71c71c71c71cp-4, 0x1.2492492492492p-3, 0x1.999999999999ap-3, 0x1.5555555555555p-2,
                           0x1.0000000000000p+0};
  const double m = float_from_bits(mbits);
  const double s = (m - 1.0) / (m + 1.0);
  const double z = s * s;
  double p = kC[0];
  for (int i = 1; i < 13; ++i) p = p * z + kC[i];
  const double kd = k;
  return static_cast<float>(kd * kLn2Hi + (kd * kLn2Lo + 2.0 * s * p));
}

}  // namespace detnum::math
