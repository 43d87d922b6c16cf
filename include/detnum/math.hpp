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

}  // namespace detnum::math
