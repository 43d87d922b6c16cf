// The accuracy check of detnum::math's functions shared by the sampled test (math_test.cpp, every
// run) and the exhaustive one (math_exhaustive_test.cpp, all 2^32 inputs, label `exhaustive`):
// detnum's result must be the correctly rounded float on every input (NaN: the canonical NaN).
// Inputs where it is not are counted, with their largest distance in ulps.
//
// The correctly rounded float comes from the long double function (x87, 64-bit significand:
// expl, logl, tanhl, erfl, sinl on an exactly reduced argument) rounded to float, which is right
// unless the long double result lies within its own error (a few units of 2^-64) of a rounding
// boundary. Where it lies within 2^-50 (relative) of one, GNU MPFR decides instead, so the
// answer is the correctly rounded one on every input.
#pragma once

#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "math_fns.hpp"
#include "support/bits.hpp"

namespace detnum::test {

// sin(pi x) and cos(pi x) in long double: remainderl is exact, and the argument folded into
// [-1/2, 1/2] keeps sinl's relative accuracy near the zeros.
inline long double sinpil(long double x) {
  long double r = std::remainder(std::fabs(x), 2.0L);  // in [-1, 1]
  if (std::fabs(r) > 0.5L) r = std::copysign(1.0L, r) - r;
  return std::copysign(1.0L, x) * std::sin(3.141592653589793238462643383279502884L * r);
}
inline long double cospil(long double x) {
  return std::sin(3.141592653589793238462643383279502884L * (0.5L - std::fabs(std::remainder(x, 2.0L))));
}

inline long double long_double_fn(Fn fn, long double x) {
  switch (fn) {
    case Fn::exp: return std::exp(x);
    case Fn::log: return std::log(x);
    case Fn::tanh: return std::tanh(x);
    case Fn::erf: return std::erf(x);
    case Fn::sinpi: return sinpil(x);
    case Fn::cospi: return cospil(x);
  }
  return 0.0L;
}

// f(x) correctly rounded to float by MPFR (200 bits, then rounded once more: no float input is
// a point where f is that close to a rounding boundary).
inline float mpfr_fn(Fn fn, float x) {
  mpfr_t a, y;
  mpfr_init2(a, 24);
  mpfr_init2(y, 200);
  mpfr_set_flt(a, x, MPFR_RNDN);
  switch (fn) {
    case Fn::exp: mpfr_exp(y, a, MPFR_RNDN); break;
    case Fn::log: mpfr_log(y, a, MPFR_RNDN); break;
    case Fn::tanh: mpfr_tanh(y, a, MPFR_RNDN); break;
    case Fn::erf: mpfr_erf(y, a, MPFR_RNDN); break;
    case Fn::sinpi: mpfr_sinpi(y, a, MPFR_RNDN); break;
    case Fn::cospi: mpfr_cospi(y, a, MPFR_RNDN); break;
  }
  const float f = mpfr_get_flt(y, MPFR_RNDN);
  mpfr_clear(a);
  mpfr_clear(y);
  return f;
}

struct Tally {
  std::uint64_t checked = 0, differ = 0, by_mpfr = 0;
  long long max_ulps = 0;  // over the differing inputs; a NaN against a number counts as 2^62
  std::uint32_t first_differ = 0;
};

// A NaN result must be the canonical NaN.
inline void check(Fn fn, std::uint32_t bits, Tally& t) {
  const float x = float_from_bits(bits);
  const std::uint32_t got = bits_of(evaluate(fn, x));
  const long double y = long_double_fn(fn, x);
  float want = static_cast<float>(y);
  if (y == y && static_cast<float>(y * (1 - 0x1p-50L)) != static_cast<float>(y * (1 + 0x1p-50L))) {
    want = mpfr_fn(fn, x);
    ++t.by_mpfr;
  }
  ++t.checked;
  if (got == (y == y ? bits_of(want) : kCanonicalNanF32)) return;
  if (t.differ++ == 0) t.first_differ = bits;
  const long long d = ulps(float_from_bits(got), want);
  t.max_ulps = std::max(t.max_ulps, d < 0 ? 1ll << 62 : d);
}

}  // namespace detnum::test
