// src/cpu/math_avx2.hpp's exp4 and erf4 against math::exp and math::erf: math_test samples every
// 251st float, math_exhaustive_test takes every input.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "cpu/math_avx2.hpp"
#include "float_sweep.hpp"
#include "math_fns.hpp"

namespace detnum::test {

[[gnu::target("avx2")]] inline void evaluate_avx2(Fn fn, const float* x, float* y, std::size_t n) {
  for (std::size_t i = 0; i < n; i += 4) {
    const __m128 v = _mm_loadu_ps(x + i);
    _mm_storeu_ps(y + i, fn == Fn::exp ? math::detail::exp4(v) : math::detail::erf4(v));
  }
}

inline void vector_math_agrees(Fn fn, std::uint32_t stride) {
  if (!__builtin_cpu_supports("avx2")) GTEST_SKIP() << "no AVX2 on this CPU";
  expect_agree_on_floats(stride, name(fn), [fn](const std::vector<float>& x, std::uint32_t& first) {
    std::vector<float> y(x.size());
    evaluate_avx2(fn, x.data(), y.data(), x.size());  // x.size() is a multiple of 4
    std::uint64_t differ = 0;
    for (std::size_t j = 0; j < x.size(); ++j)
      if (bits_of(y[j]) != bits_of(evaluate(fn, x[j]))) {
        ++differ;
        first = std::min(first, bits_of(x[j]));
      }
    return differ;
  });
}

}  // namespace detnum::test
