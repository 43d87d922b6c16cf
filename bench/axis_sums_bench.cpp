// Axis sums on the CPU: detnum's fixed-order column and row sums of a row-major float matrix next
// to Eigen's colwise().sum() and rowwise().sum() (single-threaded, AVX2 + FMA build).
//
//   column_sums/det_cpu/R/C/threads   detnum::column_sums, CpuOptions{threads}: the bias gradient
//   column_sums/eigen/R/C/1           Eigen::Map<RowMajor>(x, R, C).colwise().sum()
//   row_sums/det_cpu/R/C/threads      detnum::row_sums
//   row_sums/eigen/R/C/1              Eigen's rowwise().sum()
//
// Shapes: 512 x 1024 (2 MiB, L3), 8192 x 1024 (32 MiB, DRAM: a bias gradient over 8192 tokens)
// and 65536 x 128 (32 MiB of short rows or long columns). bytes_per_second counts the 4 R C
// bytes read. det_cpu is compared bit for bit with detnum::ref before timing.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

#include "detnum/reduce.hpp"

namespace detnum_bench {
// reduce_bench_eigen.cpp; false where the CPU lacks AVX2 or FMA.
bool eigen_column_sums(const float* x, std::int64_t rows, std::int64_t cols, float* out);
bool eigen_row_sums(const float* x, std::int64_t rows, std::int64_t cols, float* out);
}  // namespace detnum_bench

namespace {

std::vector<float> matrix(std::int64_t rows, std::int64_t cols) {
  std::vector<float> x(static_cast<std::size_t>(rows * cols));
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<float>(static_cast<int>((i * 7 + 3) % 1021) - 510) * 0.0625f + 0.001f;
  return x;
}

void shapes(benchmark::internal::Benchmark* b, bool threads) {
  const unsigned hw = std::thread::hardware_concurrency();
  for (const auto& [r, c] : {std::pair<int, int>{512, 1024}, {8192, 1024}, {65536, 128}}) {
    b->Args({r, c, 1});
    if (threads && hw > 1) b->Args({r, c, static_cast<int>(hw)});
  }
  b->UseRealTime()->Unit(benchmark::kMicrosecond);
}
void det_shapes(benchmark::internal::Benchmark* b) { shapes(b, true); }
void peer_shapes(benchmark::internal::Benchmark* b) { shapes(b, false); }

template <bool kRows>
void BM_det_cpu(benchmark::State& state) {
  const std::int64_t rows = state.range(0), cols = state.range(1);
  const detnum::CpuOptions options{static_cast<int>(state.range(2))};
  const std::vector<float> x = matrix(rows, cols);
  const detnum::MatrixLayout m = detnum::MatrixLayout::dense(rows, cols);
  std::vector<float> out(static_cast<std::size_t>(kRows ? rows : cols)), want(out.size());
  const auto run = [&] {
    if constexpr (kRows) detnum::row_sums(x.data(), m, out.data(), options);
    else detnum::column_sums(x.data(), m, out.data(), options);
  };
  run();
  if constexpr (kRows) detnum::ref::row_sums(x.data(), m, want.data());
  else detnum::ref::column_sums(x.data(), m, want.data());
  if (std::memcmp(out.data(), want.data(), out.size() * sizeof(float)) != 0) {
    state.SkipWithError("det_cpu differs from detnum::ref");
    return;
  }
  for (auto _ : state) {
    run();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * rows * cols * static_cast<std::int64_t>(sizeof(float)));
}

template <bool kRows>
void BM_eigen(benchmark::State& state) {
  const std::int64_t rows = state.range(0), cols = state.range(1);
  const std::vector<float> x = matrix(rows, cols);
  std::vector<float> out(static_cast<std::size_t>(kRows ? rows : cols));
  const auto run = [&] {
    return kRows ? detnum_bench::eigen_row_sums(x.data(), rows, cols, out.data())
                 : detnum_bench::eigen_column_sums(x.data(), rows, cols, out.data());
  };
  if (!run()) {
    state.SkipWithError("the Eigen peer is built for AVX2 + FMA, which this CPU lacks");
    return;
  }
  for (auto _ : state) {
    run();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * rows * cols * static_cast<std::int64_t>(sizeof(float)));
}

BENCHMARK(BM_det_cpu<false>)->Name("column_sums/det_cpu")->Apply(det_shapes);
BENCHMARK(BM_eigen<false>)->Name("column_sums/eigen")->Apply(peer_shapes);
BENCHMARK(BM_det_cpu<true>)->Name("row_sums/det_cpu")->Apply(det_shapes);
BENCHMARK(BM_eigen<true>)->Name("row_sums/eigen")->Apply(peer_shapes);

}  // namespace
