// Axis sums on the CPU: the reference is the vector sum of each row and each column (the order's
// definition), the fast path matches the reference bit for bit at every thread count and both
// SIMD kinds, a row's or a column's sum does not change with the size of the matrix around it,
// and bad arguments get detnum::Error.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "axis_sums_cases.hpp"
#include "detnum/error.hpp"
#include "detnum/reduce.hpp"
#include "support/errors.hpp"

namespace detnum::test {
namespace {

constexpr int kThreadCounts[] = {1, 2, 3, 5, 8};
constexpr CpuSimd kSimds[] = {CpuSimd::best, CpuSimd::portable};
constexpr float kSentinel = -12345.0f;  // outputs start as this, so an unwritten one shows

template <class T>
std::vector<accum_t<T>> sentinel_outputs(std::int64_t n) {
  return std::vector<accum_t<T>>(static_cast<std::size_t>(n), static_cast<accum_t<T>>(kSentinel));
}

template <class T>
void check_case(const AxisCase& c, Family family) {
  using A = accum_t<T>;
  SCOPED_TRACE(c.name());
  const MatrixLayout m = c.layout();
  const std::vector<T> x = reduce_input<T>(c.extent(), 17 + static_cast<std::uint64_t>(c.rows * 31 + c.cols), family);

  // The reference is the definition: each fiber is the vector sum of its elements.
  std::vector<A> rows_ref = sentinel_outputs<T>(c.batch * c.rows), cols_ref = sentinel_outputs<T>(c.batch * c.cols);
  ref::row_sums(x.data(), m, rows_ref.data());
  ref::column_sums(x.data(), m, cols_ref.data());
  for (std::int64_t b = 0; family == Family::mixed && b < c.batch; ++b) {
    for (std::int64_t i = 0; i < c.rows; ++i)
      ASSERT_TRUE(same_value(ref::sum(x.data() + b * m.batch_stride + i * m.ld, c.cols), rows_ref[b * c.rows + i]))
          << "row " << i << " of batch entry " << b;
    for (std::int64_t j = 0; j < c.cols; ++j) {
      std::vector<T> column(static_cast<std::size_t>(c.rows));
      for (std::int64_t i = 0; i < c.rows; ++i) column[i] = x[b * m.batch_stride + i * m.ld + j];
      ASSERT_TRUE(same_value(ref::sum(column.data(), c.rows), cols_ref[b * c.cols + j]))
          << "column " << j << " of batch entry " << b;
    }
  }

  for (const CpuSimd simd : kSimds)
    for (const int threads : kThreadCounts) {
      SCOPED_TRACE("threads " + std::to_string(threads) + (simd == CpuSimd::best ? ", best" : ", portable"));
      std::vector<A> rows_out = sentinel_outputs<T>(c.batch * c.rows), cols_out = sentinel_outputs<T>(c.batch * c.cols);
      row_sums(x.data(), m, rows_out.data(), {threads, simd});
      column_sums(x.data(), m, cols_out.data(), {threads, simd});
      EXPECT_TRUE(same_bits(rows_ref, rows_out)) << "row_sums";
      EXPECT_TRUE(same_bits(cols_ref, cols_out)) << "column_sums";
    }
}

template <class T>
void check_all_cases() {
  for (const AxisCase& c : axis_cases())
    for (const Family f : {Family::mixed, Family::finite}) check_case<T>(c, f);
}

TEST(AxisSums, FloatMatchesTheReference) { check_all_cases<float>(); }
TEST(AxisSums, DoubleMatchesTheReference) { check_all_cases<double>(); }
TEST(AxisSums, Bf16MatchesTheReference) { check_all_cases<bf16>(); }
TEST(AxisSums, Fp16MatchesTheReference) { check_all_cases<fp16>(); }

// Batch invariance: column j of a 10,000-column matrix sums to the same bits as the same values
// in a one-column matrix (and a contiguous vector); row i of a 10,000-row matrix as that row alone.
TEST(AxisSums, ColumnSumDoesNotDependOnTheOtherColumns) {
  // 10,000 columns of a few rows, and 3 columns of more than a chunk of rows.
  for (const auto& [rows, cols] : {std::pair<std::int64_t, std::int64_t>{300, 10000}, {20000, 3}}) {
    const std::vector<float> x = reduce_input<float>(rows * cols, 5, Family::finite);
    std::vector<float> all(cols);
    column_sums(x.data(), MatrixLayout::dense(rows, cols), all.data());
    for (const std::int64_t j : {std::int64_t{0}, cols / 2 + 1, cols - 1}) {
      float one = kSentinel;
      column_sums(x.data() + j, MatrixLayout{rows, 1, cols}, &one);  // the column alone, in place
      std::vector<float> copy(rows);
      for (std::int64_t i = 0; i < rows; ++i) copy[i] = x[i * cols + j];
      float packed = kSentinel;
      column_sums(copy.data(), MatrixLayout::dense(rows, 1), &packed);
      EXPECT_TRUE(same_value(all[j], one)) << "column " << j << " of " << cols;
      EXPECT_TRUE(same_value(all[j], packed)) << "column " << j << " of " << cols;
      EXPECT_TRUE(same_value(all[j], sum(copy))) << "column " << j << " of " << cols;
    }
  }
}

TEST(AxisSums, RowSumDoesNotDependOnTheOtherRows) {
  constexpr std::int64_t kRows = 10000, kCols = 700;
  const std::vector<float> x = reduce_input<float>(kRows * kCols, 6, Family::finite);
  std::vector<float> all(kRows);
  row_sums(x.data(), MatrixLayout::dense(kRows, kCols), all.data());
  for (const std::int64_t i : {std::int64_t{0}, std::int64_t{129}, kRows - 1}) {
    float one = kSentinel;
    row_sums(x.data() + i * kCols, MatrixLayout::dense(1, kCols), &one);
    EXPECT_TRUE(same_value(all[i], one)) << "row " << i;
    EXPECT_TRUE(same_value(all[i], sum(x.data() + i * kCols, kCols))) << "row " << i;
  }
}

TEST(AxisSums, BatchedEqualsOneMatrixAtATime) {
  const AxisCase c{300, 50, 3, 4, 17};
  const MatrixLayout m = c.layout();
  const std::vector<bf16> x = reduce_input<bf16>(c.extent(), 8, Family::mixed);
  std::vector<float> rows(c.batch * c.rows), cols(c.batch * c.cols);
  row_sums(x.data(), m, rows.data());
  column_sums(x.data(), m, cols.data());
  for (std::int64_t b = 0; b < c.batch; ++b) {
    MatrixLayout one = m;
    one.batch = 1;
    std::vector<float> r(c.rows), k(c.cols);
    row_sums(x.data() + b * m.batch_stride, one, r.data());
    column_sums(x.data() + b * m.batch_stride, one, k.data());
    EXPECT_TRUE(same_bits(std::span<const float>(rows).subspan(b * c.rows, c.rows), std::span<const float>(r)));
    EXPECT_TRUE(same_bits(std::span<const float>(cols).subspan(b * c.cols, c.cols), std::span<const float>(k)));
  }
}

TEST(AxisSums, EmptyFibersSumToPositiveZero) {
  const float x[1] = {1.0f};
  float out[3] = {kSentinel, kSentinel, kSentinel};
  row_sums(x, MatrixLayout{3, 0, 1}, out);
  for (const float v : out) EXPECT_EQ(bits_of(v), 0u);
  std::fill(std::begin(out), std::end(out), kSentinel);
  column_sums(x, MatrixLayout{0, 3, 3}, out);
  for (const float v : out) EXPECT_EQ(bits_of(v), 0u);
  // Layouts that name no element need no data and no bounded strides: nothing is offset or read
  // (the sanitize preset would report an offset past 2^63 or from null).
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  for (const bool reference : {false, true}) {
    std::fill(std::begin(out), std::end(out), kSentinel);
    if (reference) ref::row_sums(static_cast<const float*>(nullptr), MatrixLayout{3, 0, kMax}, out);
    else row_sums(static_cast<const float*>(nullptr), MatrixLayout{3, 0, kMax}, out);
    for (const float v : out) EXPECT_EQ(bits_of(v), 0u);
    std::fill(std::begin(out), std::end(out), kSentinel);
    if (reference) ref::column_sums(static_cast<const float*>(nullptr), MatrixLayout{0, 1, 1, 3, kMax}, out);
    else column_sums(static_cast<const float*>(nullptr), MatrixLayout{0, 1, 1, 3, kMax}, out);
    for (const float v : out) EXPECT_EQ(bits_of(v), 0u);
  }
}

// MatrixLayout::dense saturates rows * cols instead of overflowing; the ops refuse the layout.
TEST(AxisSumsErrors, DenseLayoutOfAnOverflowingProduct) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr MatrixLayout m = MatrixLayout::dense(std::int64_t{1} << 59, 32, 2);  // 2^64 elements a matrix
  static_assert(m.batch_stride == kMax && m.ld == 32);
  std::vector<float> x(8), out(8);
  expect_error([&] { row_sums(x.data(), m, out.data()); }, ErrorCode::size_out_of_range, "beyond 2^63");
}

TEST(AxisSumsErrors, LayoutArgumentsAreNamed) {
  std::vector<float> x(100), out(100);
  const auto both = [&](const MatrixLayout& m, ErrorCode code, const std::string& part) {
    expect_error([&] { row_sums(x.data(), m, out.data()); }, code, part);
    expect_error([&] { column_sums(x.data(), m, out.data()); }, code, part);
    expect_error([&] { ref::column_sums(x.data(), m, out.data()); }, code, part);
  };
  both({-1, 2, 2}, ErrorCode::size_out_of_range, "m.rows must be >= 0, got -1");
  both({2, -3, 2}, ErrorCode::size_out_of_range, "m.cols must be >= 0, got -3");
  both({2, 2, 2, -1}, ErrorCode::size_out_of_range, "m.batch must be >= 0, got -1");
  both({2, 5, 4}, ErrorCode::invalid_argument, "m.ld must be >= max(1, m.cols) = 5, got 4");
  both({2, 0, 0}, ErrorCode::invalid_argument, "m.ld must be >= max(1, m.cols) = 1, got 0");
  both({2, 2, 2, 2, -4}, ErrorCode::invalid_argument, "m.batch_stride must be >= 0, got -4");
  both({std::int64_t{1} << 40, 4, std::int64_t{1} << 30}, ErrorCode::size_out_of_range, "beyond 2^63");
}

// An owning temporary is no output: its results would be lost with it.
template <class O> concept TakesAsRowSumsOutput = requires(std::vector<float> x, O&& o) {
  row_sums(x, MatrixLayout{}, std::forward<O>(o));
};
static_assert(TakesAsRowSumsOutput<std::vector<float>&> && TakesAsRowSumsOutput<std::span<float>>);
static_assert(!TakesAsRowSumsOutput<std::vector<float>>);

// The range forms: the pointer form's bits, and a range too short for the layout is an error.
TEST(AxisSums, RangeFormsCheckTheirSizes) {
  const AxisCase c{30, 20, 24, 2, 700};
  const MatrixLayout m = c.layout();
  const std::vector<float> x = reduce_input<float>(c.extent(), 3, Family::mixed);
  std::vector<float> rows(c.batch * c.rows), cols(c.batch * c.cols), want_rows(rows.size()), want_cols(cols.size());
  row_sums(x.data(), m, want_rows.data());
  column_sums(x.data(), m, want_cols.data());
  row_sums(x, m, rows);
  column_sums(std::span<const float>(x), m, std::span<float>(cols));
  EXPECT_TRUE(same_bits(want_rows, rows));
  EXPECT_TRUE(same_bits(want_cols, cols));
  const std::span<const float> short_x(x.data(), x.size() - 1);
  expect_error([&] { row_sums(short_x, m, rows); }, ErrorCode::invalid_argument,
               "row_sums: x.size() must be >= the layout's extent "
               "((batch - 1) * batch_stride + (rows - 1) * ld + cols) = " +
                   std::to_string(x.size()) + ", got " + std::to_string(x.size() - 1));
  expect_error([&] { column_sums(x, m, std::span<float>(cols).first(cols.size() - 1)); }, ErrorCode::invalid_argument,
               "column_sums: out.size() must be >= m.batch * m.cols = 40, got 39");
  expect_error([&] { row_sums(x, MatrixLayout{2, 2, 1}, rows); }, ErrorCode::invalid_argument,
               "m.ld must be >= max(1, m.cols) = 2, got 1");
}

TEST(AxisSumsErrors, PointersAndOverlap) {
  std::vector<float> x(100), out(100);
  const MatrixLayout m = MatrixLayout::dense(10, 10);
  expect_error([&] { row_sums<float>(nullptr, m, out.data()); }, ErrorCode::null_pointer, "x must not be null");
  expect_error([&] { column_sums<float>(x.data(), m, nullptr); }, ErrorCode::null_pointer, "out must not be null");
  expect_error([&] { column_sums(x.data(), m, x.data() + 95); }, ErrorCode::unsupported_aliasing,
               "out and x must not overlap");
  expect_error([&] { row_sums(x.data(), m, out.data(), {-1}); }, ErrorCode::invalid_argument, "options.threads");
  // Empty layouts touch nothing: null pointers are fine there.
  row_sums<float>(nullptr, MatrixLayout{0, 10, 10}, nullptr);
  column_sums<float>(nullptr, MatrixLayout{10, 0, 1}, nullptr);
}

}  // namespace
}  // namespace detnum::test
