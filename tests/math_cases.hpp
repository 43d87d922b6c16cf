// The accuracy check of detnum::math's functions shared by the sampled test (math_test.cpp, every
// run) and the exhaustive one (math_exhaustive_test.cpp, all 2^32 inputs, label `exhaustive`): the
// reference is the long double function (x87, 64-bit significand: expl, logl) rounded to float;
// detnum's result must be within 1 ulp of it, and the inputs where it is not the same float are
// counted (candidates for "not correctly rounded", none of them more than 1 ulp away).
#pragma once

#include <cmath>
#include <cstdint>

#include "detnum/math.hpp"
#include "support/bits.hpp"

namespace detnum::test {

enum class Fn { exp, log };

struct Tally {
  std::uint64_t checked = 0, differ = 0, beyond_one_ulp = 0;
  std::uint32_t first_beyond = 0;
};

inline void check(Fn fn, std::uint32_t bits, Tally& t) {
  const float x = float_from_bits(bits);
  const float got = fn == Fn::exp ? math::exp(x) : math::log(x);
  const long double xl = x;
  const float want = static_cast<float>(fn == Fn::exp ? std::exp(xl) : std::log(xl));
  ++t.checked;
  if (bits_of(got) == bits_of(want) || (std::isnan(got) && std::isnan(want))) return;
  ++t.differ;
  if (ulps(got, want) > 1) {
    if (t.beyond_one_ulp == 0) t.first_beyond = bits;
    ++t.beyond_one_ulp;
  }
}

}  // namespace detnum::test
