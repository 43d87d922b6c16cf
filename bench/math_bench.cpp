// detnum's portable exp and log next to glibc's expf and logf, one thread, on 2^16 floats (L2):
// exp on [-80, 80), log on (0, 1e6).
//
//   exp/det_cpu/65536/1   detnum::math::exp (double evaluation, the same bits on every device)
//   exp/glibc/65536/1     expf from libm (not correctly rounded; may differ between CPUs)
//   log/det_cpu/65536/1, log/glibc/65536/1   the same for log
//
// items_per_second counts the calls.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "detnum/math.hpp"

namespace {

std::vector<float> inputs(bool exp) {
  std::vector<float> x(65536);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float u = static_cast<float>(i * 40503u % 65536u + 1) / 65537.0f;  // (0, 1)
    x[i] = exp ? -80.0f + 160.0f * u : 1e6f * u;
  }
  return x;
}

template <bool kDetnum, bool kExp>
void BM_fn(benchmark::State& state) {
  const std::vector<float> x = inputs(kExp);
  std::vector<float> y(x.size());
  for (auto _ : state) {
    for (std::size_t i = 0; i < x.size(); ++i)
      y[i] = kExp ? (kDetnum ? detnum::math::exp(x[i]) : std::exp(x[i])) : (kDetnum ? detnum::math::log(x[i]) : std::log(x[i]));
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(x.size()));
}

BENCHMARK(BM_fn<true, true>)->Name("exp/det_cpu")->Args({65536, 1})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_fn<false, true>)->Name("exp/glibc")->Args({65536, 1})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_fn<true, false>)->Name("log/det_cpu")->Args({65536, 1})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_fn<false, false>)->Name("log/glibc")->Args({65536, 1})->Unit(benchmark::kMicrosecond);

}  // namespace
