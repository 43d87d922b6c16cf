// GEMM on the CPU: detnum's fixed-order sgemm next to Eigen's.
//
//   gemm/det_cpu/M/N/K/threads   detnum::gemm(float), no transposes, alpha 1, beta 0
//   gemm/eigen/M/N/K/threads     Eigen::Map<RowMajor> C.noalias() = A * B, Eigen::setNbThreads
//
// Square sizes 512, 1024 and 2048 on 1 and all hardware threads. The counter `flops` is 2MNK per
// second. det_cpu is compared bit for bit with detnum::ref::gemm before timing at 512^3 (the
// reference is plain loops: larger sizes would take minutes).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "detnum/gemm.hpp"

namespace detnum_bench {
// gemm_bench_eigen.cpp; false where the CPU lacks AVX2 or FMA.
bool eigen_gemm(const float* a, const float* b, float* c, std::int64_t m, std::int64_t n, std::int64_t k, int threads);
}  // namespace detnum_bench

namespace {

std::vector<float> values(std::int64_t count, int salt) {
  std::vector<float> v(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<float>(static_cast<int>((i * 7 + static_cast<std::size_t>(salt)) % 1021) - 510) * 0.0039f;
  return v;
}

void shapes(benchmark::internal::Benchmark* b) {
  const unsigned hw = std::thread::hardware_concurrency();
  for (const int s : {512, 1024, 2048}) {
    b->Args({s, s, s, 1});
    if (s == 512)  // the thread scaling of the smallest size, where threads cost the most
      for (const int t : {4, 8})
        if (t < static_cast<int>(hw)) b->Args({s, s, s, t});
    if (hw > 1) b->Args({s, s, s, static_cast<int>(hw)});
  }
  b->UseRealTime()->Unit(benchmark::kMillisecond);
}

void set_flops(benchmark::State& state, std::int64_t m, std::int64_t n, std::int64_t k) {
  state.counters["flops"] =
      benchmark::Counter(static_cast<double>(2 * m * n * k), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_gemm_det_cpu(benchmark::State& state) {
  const std::int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  const detnum::CpuOptions options{static_cast<int>(state.range(3))};
  const std::vector<float> a = values(m * k, 1), b = values(k * n, 2);
  std::vector<float> c(static_cast<std::size_t>(m * n));
  const auto run = [&] {
    detnum::gemm(detnum::Transpose::no, detnum::Transpose::no, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f,
                 c.data(), n, options);
  };
  if (m * n * k <= std::int64_t{512} * 512 * 512) {
    std::vector<float> want(c.size());
    run();
    detnum::ref::gemm(detnum::Transpose::no, detnum::Transpose::no, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f,
                      want.data(), n);
    if (std::memcmp(want.data(), c.data(), c.size() * sizeof(float)) != 0) {
      state.SkipWithError("detnum::gemm differs from detnum::ref::gemm");
      return;
    }
  }
  for (auto _ : state) {
    run();
    benchmark::DoNotOptimize(c.data());
  }
  set_flops(state, m, n, k);
}

void BM_gemm_eigen(benchmark::State& state) {
  const std::int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  const int threads = static_cast<int>(state.range(3));
  const std::vector<float> a = values(m * k, 1), b = values(k * n, 2);
  std::vector<float> c(static_cast<std::size_t>(m * n));
  if (!detnum_bench::eigen_gemm(a.data(), b.data(), c.data(), m, n, k, threads)) {
    state.SkipWithError("the Eigen peer is built for AVX2 + FMA, which this CPU lacks");
    return;
  }
  for (auto _ : state) {
    detnum_bench::eigen_gemm(a.data(), b.data(), c.data(), m, n, k, threads);
    benchmark::DoNotOptimize(c.data());
  }
  set_flops(state, m, n, k);
}

BENCHMARK(BM_gemm_det_cpu)->Name("gemm/det_cpu")->Apply(shapes);
BENCHMARK(BM_gemm_eigen)->Name("gemm/eigen")->Apply(shapes);

}  // namespace
