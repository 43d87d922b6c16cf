// n above 2^31: chunk indices, thread ranges and the partials' levels stay 64-bit. About 8.6 GB
// of floats (2^31 + 2^22 + 77 of them: 262657 chunks, so three levels of partials), so labelled
// `large` and left out of the default run (ctest -L large runs it).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "detnum/reduce.hpp"
#include "support/bits.hpp"

namespace detnum {
namespace {

TEST(ReduceLarge, SumPastTwoToThe31MatchesTheReference) {
  const std::int64_t n = (std::int64_t{1} << 31) + (std::int64_t{1} << 22) + 77;
  std::vector<float> x(static_cast<std::size_t>(n));
  // A cheap pattern with rounding in every lane: small integers scaled by a non-power of two,
  // both signs, and a drift so that chunks differ.
  for (std::int64_t i = 0; i < n; ++i)
    x[static_cast<std::size_t>(i)] = static_cast<float>(static_cast<int>(i % 1999) - 997) * 0.3f + static_cast<float>(i >> 24);
  const float want = ref::sum(x.data(), n);
  const float got = sum(x.data(), n);
  EXPECT_TRUE(test::same_bits(std::span<const float>(&want, 1), std::span<const float>(&got, 1)));
  const float got_portable = sum(x.data(), n, {0, CpuSimd::portable});
  EXPECT_TRUE(test::same_bits(std::span<const float>(&want, 1), std::span<const float>(&got_portable, 1)));
  // The extremes index past 2^31 too: the last element is the largest.
  x.back() = 1e30f;
  EXPECT_EQ(argmax(x.data(), n), n - 1);
}

}  // namespace
}  // namespace detnum
