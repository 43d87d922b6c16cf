// The accuracy check of detnum::math's functions shared by the sampled test (math_test.cpp, every
// run) and the exhaustive one (math_exhaustive_test.cpp, all 2^32 inputs, label `exhaustive`):
// detnum's result must be the correctly rounded float on every input (NaN: the canonical NaN).
// Inputs where it is not are counted, with their largest distance in ulps.
//
// The correctly rounded float comes from the long double function (x87, 64-bit significand:
// expl, logl, tanhl, erfl, sinl on an exactly reduced argument) rounded to float, which is right
// unless the long double result lies within its own error (a few units of 2^-64) of a rounding
// boundary. Where it lies within 2^-50 (relative) of one, GNU MPFR decides instead, so the
// answer is the correctly rounded one on every input where the long double error is below 2^-50;
// math_exhaustive_test measures that error against MPFR on 2^20 inputs per function.
#pragma once

#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

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

// y = f(x) by MPFR, rounded to y's precision.
inline void mpfr_eval(Fn fn, mpfr_t y, const mpfr_t a) {
  switch (fn) {
    case Fn::exp: mpfr_exp(y, a, MPFR_RNDN); break;
    case Fn::log: mpfr_log(y, a, MPFR_RNDN); break;
    case Fn::tanh: mpfr_tanh(y, a, MPFR_RNDN); break;
    case Fn::erf: mpfr_erf(y, a, MPFR_RNDN); break;
    case Fn::sinpi: mpfr_sinpi(y, a, MPFR_RNDN); break;
    case Fn::cospi: mpfr_cospi(y, a, MPFR_RNDN); break;
  }
}

// f(x) correctly rounded to float by MPFR (200 bits, then rounded once more: no float input is
// a point where f is that close to a rounding boundary).
inline float mpfr_fn(Fn fn, float x) {
  mpfr_t a, y;
  mpfr_init2(a, 24);
  mpfr_init2(y, 200);
  mpfr_set_flt(a, x, MPFR_RNDN);
  mpfr_eval(fn, y, a);
  const float f = mpfr_get_flt(y, MPFR_RNDN);
  mpfr_clear(a);
  mpfr_clear(y);
  return f;
}

// |long_double_fn(fn, x) - f(x)| / |f(x)| with f(x) from MPFR at 200 bits: the error of the
// reference itself. 0 where both are NaN or both zero; infinity where they disagree on that.
inline double long_double_error(Fn fn, float x) {
  const long double ld = long_double_fn(fn, x);
  mpfr_t a, exact, d;
  mpfr_inits2(200, exact, d, static_cast<mpfr_ptr>(nullptr));
  mpfr_init2(a, 24);
  mpfr_set_flt(a, x, MPFR_RNDN);
  mpfr_eval(fn, exact, a);
  double e = 0.0;
  if (mpfr_nan_p(exact) || mpfr_zero_p(exact) || mpfr_inf_p(exact)) {
    const bool same = mpfr_nan_p(exact) ? ld != ld : mpfr_zero_p(exact) ? ld == 0 : std::isinf(ld);
    e = same ? 0.0 : HUGE_VAL;
  } else if ((mpfr_get_exp(exact) > 128 && std::fabs(ld) >= 0x1p128L) ||
             (mpfr_get_exp(exact) <= -151 && std::fabs(ld) < 0x1p-151L)) {
    e = 0.0;  // beyond float's range on both sides (exp past long double's overflow, say): float's answer is settled
  } else {
    mpfr_set_ld(d, ld, MPFR_RNDN);  // exact: 64 bits into 200
    mpfr_sub(d, d, exact, MPFR_RNDN);
    mpfr_div(d, d, exact, MPFR_RNDN);
    e = std::fabs(mpfr_get_d(d, MPFR_RNDU));
  }
  mpfr_clears(a, exact, d, static_cast<mpfr_ptr>(nullptr));
  return e;
}

// The premise of the reference: the long double function lies within a few units of 2^-64 of
// f(x), far inside the 2^-50 within which MPFR decides instead. Measured against MPFR on every
// stride-th input bit pattern (all binades, both signs), on every thread; the largest error must
// stay below 2^-56, 64 times inside the margin.
inline void reference_well_inside_margin(Fn fn, std::int64_t stride) {
  double worst = 0.0;
  std::int64_t worst_at = 0, sampled = 0;
#pragma omp parallel reduction(+ : sampled)
  {
    double mine = 0.0;
    std::int64_t mine_at = 0;
#pragma omp for schedule(dynamic, 64)
    for (std::int64_t i = 0; i < (std::int64_t{1} << 32) / stride; ++i) {
      const float x = float_from_bits(static_cast<std::uint32_t>(i * stride));
      if (!std::isfinite(x)) continue;
      ++sampled;
      const double e = long_double_error(fn, x);
      if (e > mine) mine = e, mine_at = i * stride;
    }
#pragma omp critical
    if (mine > worst) worst = mine, worst_at = mine_at;
  }
  std::printf("%s: long double reference on %lld inputs: largest relative error %.3g = %.3g units of 2^-64 (input bits 0x%08llx)\n",
              name(fn), static_cast<long long>(sampled), worst, std::ldexp(worst, 64),
              static_cast<unsigned long long>(worst_at));
  EXPECT_LT(worst, 0x1p-56) << name(fn);
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
