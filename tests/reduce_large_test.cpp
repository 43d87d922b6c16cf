// n above 2^31: chunk indices, thread ranges and the partials' levels stay 64-bit. About 8.6 GB
// of floats (2^31 + 2^22 + 77 of them: 262657 chunks, so three levels of partials), so labelled
// `large` and left out of the default run (ctest -L large runs it). One vector serves every op
// (dot takes it twice; the axis sums view it as one long column and as one long row), each
// compared bit for bit with the reference at 1, 2, 3, 5 and 8 threads and both kernels.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "detnum/reduce.hpp"
#include "support/bits.hpp"

namespace detnum {
namespace {

constexpr CpuOptions kOptions[] = {{1, CpuSimd::best}, {2, CpuSimd::best}, {3, CpuSimd::best},
                                   {5, CpuSimd::best},  {8, CpuSimd::best}, {0, CpuSimd::portable}};

std::string name_of(CpuOptions o) {
  return std::to_string(o.threads) + (o.simd == CpuSimd::best ? " threads, best" : " threads, portable");
}

void expect_same(float want, float got) {
  EXPECT_TRUE(test::same_bits(std::span<const float>(&want, 1), std::span<const float>(&got, 1)));
}

TEST(ReduceLarge, EveryOpPastTwoToThe31MatchesTheReference) {
  const std::int64_t n = (std::int64_t{1} << 31) + (std::int64_t{1} << 22) + 77;
  std::vector<float> x(static_cast<std::size_t>(n));
  // A cheap pattern with rounding in every lane: small integers scaled by a non-power of two,
  // both signs, and a drift so that chunks differ.
  for (std::int64_t i = 0; i < n; ++i)
    x[static_cast<std::size_t>(i)] = static_cast<float>(static_cast<int>(i % 1999) - 997) * 0.3f + static_cast<float>(i >> 24);
  const float* p = x.data();
  const float want_sum = ref::sum(p, n), want_asum = ref::asum(p, n), want_dot = ref::dot(p, p, n);
  const float want_nrm2 = ref::nrm2(p, n), want_var = ref::variance(p, n, Ddof{1}), want_mean = ref::mean(p, n);
  const float want_max = ref::max(p, n), want_min = ref::min(p, n), want_amax = ref::amax(p, n),
              want_amin = ref::amin(p, n);
  float want_col = 0.0f, want_row = 0.0f;
  ref::column_sums(p, MatrixLayout::dense(n, 1), &want_col);
  ref::row_sums(p, MatrixLayout::dense(1, n), &want_row);
  expect_same(want_sum, want_col);  // a column's sum is the vector's sum (ORDER.md, "Axis sums")
  expect_same(want_sum, want_row);
  for (const CpuOptions o : kOptions) {
    SCOPED_TRACE(name_of(o));
    expect_same(want_sum, sum(p, n, o));
    expect_same(want_asum, asum(p, n, o));
    expect_same(want_dot, dot(p, p, n, o));
    expect_same(want_nrm2, nrm2(p, n, o));
    expect_same(want_var, variance(p, n, Ddof{1}, o));
    expect_same(want_mean, mean(p, n, o));
    expect_same(want_max, max(p, n, o));
    expect_same(want_min, min(p, n, o));
    expect_same(want_amax, amax(p, n, o));
    expect_same(want_amin, amin(p, n, o));
    float col = 0.0f, row = 0.0f;
    column_sums(p, MatrixLayout::dense(n, 1), &col, o);
    row_sums(p, MatrixLayout::dense(1, n), &row, o);
    expect_same(want_sum, col);
    expect_same(want_sum, row);
  }
  // The extremes index past 2^31 too: the last element is the largest, the one before the smallest.
  x[static_cast<std::size_t>(n - 2)] = -1e30f;
  x.back() = 1e30f;
  EXPECT_EQ(argmax(p, n), n - 1);
  EXPECT_EQ(argmin(p, n, {2}), n - 2);
}

}  // namespace
}  // namespace detnum
