// src/cpu/math_avx2.hpp's functions against detnum::math's on their domains (exp, erf and tanh:
// every float; log: positive normal floats; sinpi and cospi: [0, 2^24)): math_test samples every 251st
// float, math_exhaustive_test takes every input.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "cpu/math_avx2.hpp"
#include "float_sweep.hpp"
#include "math_fns.hpp"

namespace detnum::test {

[[gnu::target("avx2")]] inline __m128 evaluate_avx2(Fn fn, __m128 v) {
  __m128 sin, cos;
  switch (fn) {
    case Fn::exp: return math::detail::exp4(v);
    case Fn::erf: return math::detail::erf4(v);
    case Fn::log: return math::detail::log_normal4(v);
    case Fn::sinpi: math::detail::sincospi4(v, sin, cos); return sin;
    case Fn::cospi: math::detail::sincospi4(v, sin, cos); return cos;
    case Fn::tanh: return math::detail::tanh4(v);
  }
  return _mm_setzero_ps();
}
[[gnu::target("avx2")]] inline void evaluate_avx2(Fn fn, const float* x, float* y, std::size_t n) {
  for (std::size_t i = 0; i < n; i += 4) _mm_storeu_ps(y + i, evaluate_avx2(fn, _mm_loadu_ps(x + i)));
}

// The inputs the vector form takes (any lane may hold any bits; only these are compared).
inline bool in_vector_domain(Fn fn, std::uint32_t u) {
  if (fn == Fn::log) return u >= 0x00800000u && u < 0x7F800000u;
  if (fn == Fn::sinpi || fn == Fn::cospi) return u < 0x4B800000u;
  return true;
}

inline void vector_math_agrees(Fn fn, std::uint32_t stride) {
  if (!__builtin_cpu_supports("avx2")) GTEST_SKIP() << "no AVX2 on this CPU";
  expect_agree_on_floats(stride, name(fn), [fn](const std::vector<float>& x, std::uint32_t& first) {
    std::vector<float> y(x.size());
    evaluate_avx2(fn, x.data(), y.data(), x.size());  // x.size() is a multiple of 4
    std::uint64_t differ = 0;
    for (std::size_t j = 0; j < x.size(); ++j)
      if (in_vector_domain(fn, bits_of(x[j])) && bits_of(y[j]) != bits_of(evaluate(fn, x[j]))) {
        ++differ;
        first = std::min(first, bits_of(x[j]));
      }
    return differ;
  });
}

}  // namespace detnum::test
