// detail/math_avx2.hpp's exp4 and erf4 against math::exp and math::erf on every stride-th float
// bit pattern: math_test samples, math_exhaustive_test takes every input.
#pragma once

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "detnum/detail/math_avx2.hpp"
#include "math_fns.hpp"
#include "support/bits.hpp"

namespace detnum::test {

[[gnu::target("avx2")]] inline void evaluate_avx2(Fn fn, const float* x, float* y, std::size_t n) {
  for (std::size_t i = 0; i < n; i += 4) {
    const __m128 v = _mm_loadu_ps(x + i);
    _mm_storeu_ps(y + i, fn == Fn::exp ? math::detail::exp4(v) : math::detail::erf4(v));
  }
}

inline void vector_math_agrees(Fn fn, std::uint32_t stride) {
  if (!__builtin_cpu_supports("avx2")) GTEST_SKIP() << "no AVX2 on this CPU";
  constexpr std::uint64_t kBlock = 1 << 16;
  const std::uint64_t blocks = ((std::uint64_t{1} << 32) + kBlock * stride - 1) / (kBlock * stride);
  std::uint64_t differ = 0;
  std::uint32_t first = 0xFFFFFFFFu;
#pragma omp parallel for schedule(dynamic) reduction(+ : differ) reduction(min : first)
  for (std::int64_t b = 0; b < static_cast<std::int64_t>(blocks); ++b) {
    std::vector<float> x;
    for (std::uint64_t j = 0; j < kBlock; ++j) {
      const std::uint64_t bits = (static_cast<std::uint64_t>(b) * kBlock + j) * stride;
      if (bits > 0xFFFFFFFFull) break;
      x.push_back(float_from_bits(static_cast<std::uint32_t>(bits)));
    }
    while (x.size() % 4 != 0) x.push_back(0.0f);
    std::vector<float> y(x.size());
    evaluate_avx2(fn, x.data(), y.data(), x.size());
    for (std::size_t j = 0; j < x.size(); ++j)
      if (bits_of(y[j]) != bits_of(evaluate(fn, x[j]))) {
        ++differ;
        first = std::min(first, bits_of(x[j]));
      }
  }
  EXPECT_EQ(differ, 0u) << name(fn) << ": first at x bits 0x" << std::hex << first;
}

}  // namespace detnum::test
