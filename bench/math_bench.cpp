// detnum's portable math next to glibc, one thread, on 2^16 floats (L2):
//
//   exp/det_cpu/65536/1     detnum::math::exp on [-80, 80) (double evaluation, the same bits on
//   exp/glibc/65536/1       every device) and expf from libm (not correctly rounded; may differ
//                           between CPUs)
//   log/...                 log and logf on (0, 1e6)
//   tanh/...                tanh and tanhf on [-5, 5)
//   erf/...                 erf and erff on [-4, 4)
//   sinpi/...               sinpi on [0, 2) (Box-Muller's angles) and sinf(pi x), which is not the
//                           same function (pi rounded to float; glibc 2.36 has no sinpif)
//
// items_per_second counts the calls.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "detnum/math.hpp"

namespace {

std::vector<float> inputs(float lo, float hi) {
  std::vector<float> x(65536);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float u = static_cast<float>(i * 40503u % 65536u + 1) / 65537.0f;  // (0, 1)
    x[i] = lo + (hi - lo) * u;
  }
  return x;
}

template <float (*kFn)(float)>
void BM_fn(benchmark::State& state, float lo, float hi) {
  const std::vector<float> x = inputs(lo, hi);
  std::vector<float> y(x.size());
  for (auto _ : state) {
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = kFn(x[i]);
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(x.size()));
}

float glibc_exp(float x) { return std::exp(x); }
float glibc_log(float x) { return std::log(x); }
float glibc_tanh(float x) { return std::tanh(x); }
float glibc_erf(float x) { return std::erf(x); }
float glibc_sin_pi(float x) { return std::sin(3.14159265f * x); }

// name/65536/1: kFn on 2^16 inputs in [lo, hi).
template <float (*kFn)(float)>
benchmark::internal::Benchmark* add(const char* name, float lo, float hi) {
  return benchmark::RegisterBenchmark(name, BM_fn<kFn>, lo, hi)->Args({65536, 1})->Unit(benchmark::kMicrosecond);
}

const auto registered = {
    add<detnum::math::exp>("exp/det_cpu", -80.0f, 80.0f),   add<glibc_exp>("exp/glibc", -80.0f, 80.0f),
    add<detnum::math::log>("log/det_cpu", 0.0f, 1e6f),      add<glibc_log>("log/glibc", 0.0f, 1e6f),
    add<detnum::math::tanh>("tanh/det_cpu", -5.0f, 5.0f),   add<glibc_tanh>("tanh/glibc", -5.0f, 5.0f),
    add<detnum::math::erf>("erf/det_cpu", -4.0f, 4.0f),     add<glibc_erf>("erf/glibc", -4.0f, 4.0f),
    add<detnum::math::sinpi>("sinpi/det_cpu", 0.0f, 2.0f),  add<glibc_sin_pi>("sinpi/glibc", 0.0f, 2.0f),
};

}  // namespace
