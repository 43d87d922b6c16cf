// GELU's AVX2 loops (src/cpu/gelu_avx2.cpp, CpuSimd::best) against its portable loops
// (CpuSimd::portable, the reference's per-element steps) on every stride-th float bit pattern:
// pointwise_test samples, math_exhaustive_test takes every input.
#pragma once

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "detnum/pointwise.hpp"
#include "support/bits.hpp"

namespace detnum::test {

inline void gelu_paths_agree(std::uint32_t stride) {
  constexpr std::uint64_t kBlock = 1 << 16;
  const std::uint64_t blocks = ((std::uint64_t{1} << 32) + kBlock * stride - 1) / (kBlock * stride);
  std::uint64_t differ = 0;
  std::uint32_t first = 0xFFFFFFFFu;
#pragma omp parallel for schedule(dynamic) reduction(+ : differ) reduction(min : first)
  for (std::int64_t b = 0; b < static_cast<std::int64_t>(blocks); ++b) {
    std::vector<float> x, y[2], dx[2];
    for (std::uint64_t j = 0; j < kBlock; ++j) {
      const std::uint64_t bits = (static_cast<std::uint64_t>(b) * kBlock + j) * stride;
      if (bits > 0xFFFFFFFFull) break;
      x.push_back(float_from_bits(static_cast<std::uint32_t>(bits)));
    }
    const std::vector<float> dy(x.size(), -1.5f);
    const auto n = static_cast<std::int64_t>(x.size());
    const CpuOptions paths[2] = {{1, CpuSimd::best}, {1, CpuSimd::portable}};
    for (int p = 0; p < 2; ++p) {
      y[p].resize(x.size());
      dx[p].resize(x.size());
      gelu(x.data(), y[p].data(), n, paths[p]);
      gelu_backward(x.data(), dy.data(), dx[p].data(), n, paths[p]);
    }
    for (std::size_t j = 0; j < x.size(); ++j)
      if (bits_of(y[0][j]) != bits_of(y[1][j]) || bits_of(dx[0][j]) != bits_of(dx[1][j])) {
        ++differ;
        first = std::min(first, bits_of(x[j]));
      }
  }
  EXPECT_EQ(differ, 0u) << "first at x bits 0x" << std::hex << first;
}

}  // namespace detnum::test
