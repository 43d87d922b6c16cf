// detnum's portable exp next to glibc's expf, one thread, on 2^16 floats in [-80, 80) (L2):
//
//   exp/det_cpu/65536/1   detnum::math::exp (double evaluation, the same bits on every device)
//   exp/glibc/65536/1     expf from libm (not correctly rounded; may differ between CPUs)
//
// items_per_second counts the calls.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "detnum/math.hpp"

namespace {

std::vector<float> inputs() {
  std::vector<float> x(65536);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = -80.0f + 160.0f * static_cast<float>(i * 40503u % 65536u) / 65536.0f;
  return x;
}

template <bool kDetnum>
void BM_exp(benchmark::State& state) {
  const std::vector<float> x = inputs();
  std::vector<float> y(x.size());
  for (auto _ : state) {
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = kDetnum ? detnum::math::exp(x[i]) : std::exp(x[i]);
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(x.size()));
}

BENCHMARK(BM_exp<true>)->Name("exp/det_cpu")->Args({65536, 1})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_exp<false>)->Name("exp/glibc")->Args({65536, 1})->Unit(benchmark::kMicrosecond);

}  // namespace
