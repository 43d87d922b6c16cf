// Sweeps over float bit patterns for the tests that compare two evaluations on every input
// (or on every stride-th one): blocks of inputs in parallel, the differences counted.
#pragma once

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "support/bits.hpp"

namespace detnum::test {

// differ(x, first) returns how many inputs of x the two evaluations disagree on, lowering first
// to the smallest such input's bits. Each group of four consecutive inputs takes one pattern
// from each quarter of the bit space (j * stride + lane * 2^30), so that vector code sees unlike
// neighbours (different signs, exponents, table rows and branches in one vector); with stride 1
// every one of the 2^32 patterns appears exactly once.
template <class Differ>
void expect_agree_on_floats(std::uint32_t stride, const std::string& what, const Differ& differ) {
  constexpr std::uint64_t kQuarter = std::uint64_t{1} << 30, kGroups = 1 << 14;  // groups of 4 per block
  const std::uint64_t per_quarter = (kQuarter + stride - 1) / stride;
  const auto blocks = static_cast<std::int64_t>((per_quarter + kGroups - 1) / kGroups);
  std::uint64_t differ_count = 0;
  std::uint32_t first = 0xFFFFFFFFu;
#pragma omp parallel for schedule(dynamic) reduction(+ : differ_count) reduction(min : first)
  for (std::int64_t b = 0; b < blocks; ++b) {
    std::vector<float> x;
    x.reserve(4 * kGroups);
    for (std::uint64_t j = static_cast<std::uint64_t>(b) * kGroups; j < std::min(per_quarter, (b + 1) * kGroups); ++j)
      for (std::uint64_t lane = 0; lane < 4; ++lane)
        x.push_back(float_from_bits(static_cast<std::uint32_t>(j * stride + lane * kQuarter)));
    differ_count += differ(x, first);
  }
  EXPECT_EQ(differ_count, 0u) << what << ": first at input bits 0x" << std::hex << first;
}

// How many inputs x[j] have y[0][j] and y[1][j], or dx[0][j] and dx[1][j], of other bits: two
// paths' outputs side by side; first lowered to the smallest such input's bits.
inline std::uint64_t differing_inputs(const std::vector<float>& x, const std::vector<float> (&y)[2],
                                      const std::vector<float> (&dx)[2], std::uint32_t& first) {
  std::uint64_t differ = 0;
  for (std::size_t j = 0; j < x.size(); ++j)
    if (bits_of(y[0][j]) != bits_of(y[1][j]) || bits_of(dx[0][j]) != bits_of(dx[1][j])) {
      ++differ;
      first = std::min(first, bits_of(x[j]));
    }
  return differ;
}

}  // namespace detnum::test
