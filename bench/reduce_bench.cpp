// Reductions on the CPU: detnum's fixed-order sum and dot next to Eigen's and the standard
// library's (std::accumulate, std::inner_product).
//
//   sum/det_cpu/N/threads     detnum::sum(float), CpuOptions{threads}
//   sum/eigen/N/1             Eigen::Map<const Eigen::VectorXf>(x, N).sum()
//   sum/accumulate/N/1        std::accumulate(x, x + N, 0.0f): one dependent chain of adds
//   dot/det_cpu/N/threads     detnum::dot(float)
//   dot/eigen/N/1             Eigen's x.dot(y)
//   dot/inner_product/N/1     std::inner_product(x, x + N, y, 0.0f): one dependent chain of
//                             multiplies and adds (rounded apart: the build forbids contraction)
//
// N = 2^16 (256 KiB of floats: L2), 2^20 (4 MiB: L3), 2^26 (256 MiB: DRAM); threads 1 and all
// hardware threads (the Eigen and standard-library peers are single-threaded). bytes_per_second counts
// the bytes read: 4N for a sum, 8N for a dot. Time is wall-clock (UseRealTime). Before timing,
// det_cpu's result is compared bit for bit with detnum::ref (the benchmark is skipped if they
// differ). The Eigen peers are compiled for AVX2 + FMA (reduce_bench_eigen.cpp), as Eigen is
// built for this CPU in ../shared/anchors.md, and skip on a CPU without them.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <numeric>

#include "detnum/reduce.hpp"
#include "detnum/threads.hpp"
#include "reduce_bench_common.hpp"

namespace detnum_bench {
// reduce_bench_eigen.cpp; false where the CPU lacks AVX2 or FMA (nothing is computed then).
bool eigen_sum(const float* x, std::int64_t n, float& result);
bool eigen_dot(const float* x, const float* y, std::int64_t n, float& result);
}  // namespace detnum_bench

namespace {

using detnum_bench::cpu_benchmark;
using detnum_bench::fill;
using detnum_bench::FloatBuffer;
using detnum_bench::same_bits;
using detnum_bench::sizes_and_threads;
using detnum_bench::sizes_one_thread;

float det_sum(const float* x, std::int64_t n, detnum::CpuOptions o) { return detnum::sum(x, n, o); }
float ref_sum(const float* x, std::int64_t n) { return detnum::ref::sum(x, n); }

void BM_sum_accumulate(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  FloatBuffer x(n);
  fill(x.get(), n, 1);
  for (auto _ : state) benchmark::DoNotOptimize(std::accumulate(x.get(), x.get() + n, 0.0f));
  state.SetBytesProcessed(state.iterations() * n * static_cast<std::int64_t>(sizeof(float)));
}

void BM_dot_det_cpu(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const detnum::CpuOptions options{static_cast<int>(state.range(1))};
  FloatBuffer x(n), y(n);
  fill(x.get(), n, 1);
  fill(y.get(), n, 2);
  if (!same_bits(detnum::dot(x.get(), y.get(), n, options), detnum::ref::dot(x.get(), y.get(), n))) {
    state.SkipWithError("detnum::dot differs from detnum::ref::dot");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(detnum::dot(x.get(), y.get(), n, options));
  state.SetBytesProcessed(state.iterations() * n * static_cast<std::int64_t>(2 * sizeof(float)));
}

void BM_dot_eigen(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  FloatBuffer x(n), y(n);
  fill(x.get(), n, 1);
  fill(y.get(), n, 2);
  float d = 0;
  if (!detnum_bench::eigen_dot(x.get(), y.get(), n, d)) {
    state.SkipWithError("the Eigen peer is built for AVX2 + FMA, which this CPU lacks");
    return;
  }
  for (auto _ : state) {
    detnum_bench::eigen_dot(x.get(), y.get(), n, d);
    benchmark::DoNotOptimize(d);
  }
  state.SetBytesProcessed(state.iterations() * n * static_cast<std::int64_t>(2 * sizeof(float)));
}

// The naive dot, as std::accumulate is the naive sum.
void BM_dot_inner_product(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  FloatBuffer x(n), y(n);
  fill(x.get(), n, 1);
  fill(y.get(), n, 2);
  for (auto _ : state) benchmark::DoNotOptimize(std::inner_product(x.get(), x.get() + n, y.get(), 0.0f));
  state.SetBytesProcessed(state.iterations() * n * static_cast<std::int64_t>(2 * sizeof(float)));
}

BENCHMARK(detnum_bench::det_cpu<det_sum, ref_sum>)->Name("sum/det_cpu")->Apply(sizes_and_threads)->Apply(cpu_benchmark);
BENCHMARK(detnum_bench::eigen<float, detnum_bench::eigen_sum>)
    ->Name("sum/eigen")
    ->Apply(sizes_one_thread)
    ->Apply(cpu_benchmark);
BENCHMARK(BM_sum_accumulate)->Name("sum/accumulate")->Apply(sizes_one_thread)->Apply(cpu_benchmark);
BENCHMARK(BM_dot_det_cpu)->Name("dot/det_cpu")->Apply(sizes_and_threads)->Apply(cpu_benchmark);
BENCHMARK(BM_dot_eigen)->Name("dot/eigen")->Apply(sizes_one_thread)->Apply(cpu_benchmark);
BENCHMARK(BM_dot_inner_product)->Name("dot/inner_product")->Apply(sizes_one_thread)->Apply(cpu_benchmark);

}  // namespace
