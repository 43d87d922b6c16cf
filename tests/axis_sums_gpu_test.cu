// Axis sums on CUDA against the scalar reference, bit for bit: every case of axis_sums_cases.hpp,
// four input types, several launch configurations (each column kernel width among them), the
// caller's workspace (pre-filled with a sentinel) and stream-ordered memory; batch invariance on
// the device; and the errors only a GPU machine produces.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "axis_sums_cases.hpp"
#include "detnum/cuda/reduce.hpp"
#include "detnum/error.hpp"
#include "detnum/reduce.hpp"
#include "support/errors.hpp"
#include "support/gpu.hpp"

namespace detnum::test {
namespace {

const cuda::LaunchConfig kLaunches[] = {{256, 0}, {128, 7}, {1024, 1}, {512, 0}, {32, 1000}, {64, 3}};

template <class T>
std::vector<T> copy_back(const DeviceBuffer<T>& d) {
  std::vector<T> h(d.size());
  if (!h.empty() && cudaMemcpy(h.data(), d.get(), h.size() * sizeof(T), cudaMemcpyDeviceToHost) != cudaSuccess)
    ADD_FAILURE() << "cudaMemcpy back failed";
  return h;
}

template <class T>
void check_case(const AxisCase& c, Family family) {
  using A = accum_t<T>;
  SCOPED_TRACE(c.name());
  const MatrixLayout m = c.layout();
  const std::vector<T> x = reduce_input<T>(c.extent(), 23 + static_cast<std::uint64_t>(c.rows * 7 + c.cols), family);
  std::vector<A> rows_ref(c.batch * c.rows), cols_ref(c.batch * c.cols);
  ref::row_sums(x.data(), m, rows_ref.data());
  ref::column_sums(x.data(), m, cols_ref.data());

  DeviceBuffer<T> dx(x.size());
  if (!x.empty()) DETNUM_TEST_CUDA(cudaMemcpy(dx.get(), x.data(), x.size() * sizeof(T), cudaMemcpyHostToDevice));
  DeviceBuffer<A> drows(rows_ref.size()), dcols(cols_ref.size());
  const std::size_t ws_bytes = std::max(cuda::row_sums_workspace_bytes(m), cuda::column_sums_workspace_bytes(m));
  DeviceBuffer<unsigned char> ws(ws_bytes + 256);
  for (const cuda::LaunchConfig launch : kLaunches)
    for (const bool own_workspace : {true, false}) {
      SCOPED_TRACE("block " + std::to_string(launch.block_threads) + ", grid " + std::to_string(launch.grid_blocks) +
                   (own_workspace ? ", caller's workspace" : ", stream-ordered workspace"));
      DETNUM_TEST_CUDA(cudaMemset(ws.get(), 0xA5, ws.size()));
      if (!rows_ref.empty()) DETNUM_TEST_CUDA(cudaMemset(drows.get(), 0xA5, rows_ref.size() * sizeof(A)));
      if (!cols_ref.empty()) DETNUM_TEST_CUDA(cudaMemset(dcols.get(), 0xA5, cols_ref.size() * sizeof(A)));
      const cuda::Workspace w = own_workspace ? cuda::Workspace{ws.get(), ws_bytes} : cuda::Workspace{};
      cuda::row_sums(dx.get(), m, drows.get(), nullptr, w, launch);
      cuda::column_sums(dx.get(), m, dcols.get(), nullptr, w, launch);
      DETNUM_TEST_CUDA(cudaDeviceSynchronize());
      EXPECT_TRUE(same_bits(rows_ref, copy_back(drows))) << "row_sums";
      EXPECT_TRUE(same_bits(cols_ref, copy_back(dcols))) << "column_sums";
      EXPECT_EQ(untouched(ws.get(), ws_bytes, ws.size()), "") << "past the workspace";
    }
}

template <class T>
void check_all_cases() {
  DETNUM_REQUIRE_GPU();
  for (const AxisCase& c : axis_cases())
    for (const Family f : {Family::mixed, Family::finite}) check_case<T>(c, f);
}

TEST(AxisSumsGpu, FloatMatchesTheReference) { check_all_cases<float>(); }
TEST(AxisSumsGpu, DoubleMatchesTheReference) { check_all_cases<double>(); }
TEST(AxisSumsGpu, Bf16MatchesTheReference) { check_all_cases<bf16>(); }
TEST(AxisSumsGpu, Fp16MatchesTheReference) { check_all_cases<fp16>(); }

// The bias-gradient shape of a training step, and a column of it alone: the same bits.
TEST(AxisSumsGpu, ColumnSumDoesNotDependOnTheOtherColumns) {
  DETNUM_REQUIRE_GPU();
  constexpr std::int64_t kRows = 9000, kCols = 10000;
  const std::vector<float> x = reduce_input<float>(kRows * kCols, 9, Family::finite);
  DeviceBuffer<float> dx(x.size()), all(kCols), one(1);
  DETNUM_TEST_CUDA(cudaMemcpy(dx.get(), x.data(), x.size() * sizeof(float), cudaMemcpyHostToDevice));
  cuda::column_sums(dx.get(), MatrixLayout::dense(kRows, kCols), all.get());
  const std::vector<float> sums = copy_back(all);
  for (const std::int64_t j : {std::int64_t{0}, std::int64_t{4097}, kCols - 1}) {
    cuda::column_sums(dx.get() + j, MatrixLayout{kRows, 1, kCols}, one.get());
    EXPECT_TRUE(same_value(sums[j], copy_back(one)[0])) << "column " << j;
    float host = 0;
    column_sums(x.data() + j, MatrixLayout{kRows, 1, kCols}, &host);
    EXPECT_TRUE(same_value(host, sums[j])) << "column " << j << " on the CPU";
  }
}

// A row of many and the same row alone, and a batch and each of its matrices alone: the same bits.
TEST(AxisSumsGpu, RowSumDoesNotDependOnTheOtherRows) {
  DETNUM_REQUIRE_GPU();
  constexpr std::int64_t kRows = 10000, kCols = 700, kBatch = 3;
  const std::vector<float> x = reduce_input<float>(kBatch * kRows * kCols, 6, Family::finite);
  DeviceBuffer<float> dx(x.size()), all(kBatch * kRows), one(kRows);
  DETNUM_TEST_CUDA(cudaMemcpy(dx.get(), x.data(), x.size() * sizeof(float), cudaMemcpyHostToDevice));
  cuda::row_sums(dx.get(), MatrixLayout::dense(kRows, kCols, kBatch), all.get());
  const std::vector<float> sums = copy_back(all);
  for (const std::int64_t i : {std::int64_t{0}, std::int64_t{129}, kBatch * kRows - 1}) {
    cuda::row_sums(dx.get() + i * kCols, MatrixLayout::dense(1, kCols), one.get());
    EXPECT_TRUE(same_value(sums[i], copy_back(one)[0])) << "row " << i;
    EXPECT_TRUE(same_value(sums[i], sum(x.data() + i * kCols, kCols))) << "row " << i << ": the CPU's sum";
  }
  for (std::int64_t b = 0; b < kBatch; ++b) {
    cuda::row_sums(dx.get() + b * kRows * kCols, MatrixLayout::dense(kRows, kCols), one.get());
    const std::vector<float> alone = copy_back(one);
    EXPECT_TRUE(same_bits(std::span<const float>(sums).subspan(b * kRows, kRows), std::span<const float>(alone)))
        << "matrix " << b << " alone";
  }
}

TEST(AxisSumsGpu, Errors) {
  DETNUM_REQUIRE_GPU();
  DeviceBuffer<float> dx(100), out(100);
  std::vector<float> host(100);
  const MatrixLayout m = MatrixLayout::dense(10, 10);
  expect_error([&] { cuda::row_sums(host.data(), m, out.get()); }, ErrorCode::wrong_memory_space, "x");
  expect_error([&] { cuda::column_sums(dx.get(), m, host.data()); }, ErrorCode::wrong_memory_space, "out");
  expect_error([&] { cuda::column_sums(dx.get(), m, dx.get() + 50); }, ErrorCode::unsupported_aliasing,
               "out and x must not overlap");
  expect_error([&] { cuda::row_sums(dx.get(), MatrixLayout{10, 10, 9}, out.get()); }, ErrorCode::invalid_argument,
               "m.ld must be >= max(1, m.cols) = 10, got 9");
  expect_error([&] { cuda::row_sums(dx.get(), m, out.get(), nullptr, {}, {100, 0}); }, ErrorCode::invalid_argument,
               "block_threads");
  // A long row needs workspace: too little is named with the size it needs.
  DeviceBuffer<float> wide(20000);
  const MatrixLayout row = MatrixLayout::dense(1, 20000);
  expect_error([&] { cuda::row_sums(wide.get(), row, out.get(), nullptr, cuda::Workspace{out.get(), 4}); },
               ErrorCode::invalid_argument, "ws.bytes must be at least cuda::row_sums_workspace_bytes(m) = ");
  // So do column sums of few tiles: their split lanes are reserved whatever the device.
  DeviceBuffer<float> ws(64);
  ASSERT_GT(cuda::column_sums_workspace_bytes(m), 4u);
  expect_error([&] { cuda::column_sums(dx.get(), m, out.get(), nullptr, cuda::Workspace{ws.get(), 4}); },
               ErrorCode::invalid_argument,
               "ws.bytes must be at least cuda::column_sums_workspace_bytes(m) = " +
                   std::to_string(cuda::column_sums_workspace_bytes(m)));
}

}  // namespace
}  // namespace detnum::test
