// One training step of `detnum demo`'s model (tools/cli/demo_model.hpp: Linear, LayerNorm, GELU,
// dropout, Linear, cross-entropy, backward, AdamW) on synthetic digits, timed on two backends:
//
//   train_step/det_cpu/batch/hidden/threads       detnum's CPU ops (the same bits at any thread count)
//   train_step/conventional/batch/hidden/threads  Eigen sgemm and OpenMP loops with libm, bias and
//                                                 LayerNorm gradients summed per thread
//                                                 (training_step_conventional.cpp)
//
// The ratio of the two is the cost of determinism for a whole step. items_per_second counts steps.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <numeric>
#include <vector>

#include "demo_model.hpp"
#include "detnum/random.hpp"
#include "training_step_conventional.hpp"

namespace {

using namespace detnum::cli;

Digits synthetic_digits(std::int64_t count) {
  Digits d;
  for (std::int64_t i = 0; i < count; ++i) {
    d.labels.push_back(static_cast<std::int32_t>(i % Digits::kClasses));
    for (int f = 0; f < Digits::kFeatures; ++f)
      d.features.push_back(detnum::uniform_float(detnum::stream_word(9, 0xD161, static_cast<std::uint64_t>(i * 64 + f))));
  }
  return d;
}

template <bool kDet>
void BM_train_step(benchmark::State& state) {
  TrainConfig c;
  c.batch = state.range(0);
  c.hidden = state.range(1);
  const int threads = static_cast<int>(state.range(2));
  std::unique_ptr<DemoBackend> b = kDet ? make_host_demo_backend(threads, false)
                                        : detnum_bench::make_conventional_backend(threads);
  if (!b) {
    state.SkipWithError("the conventional backend needs AVX2 and FMA");
    return;
  }
  const Digits data = synthetic_digits(c.batch * 8);
  std::vector<std::int64_t> items(static_cast<std::size_t>(data.count()));
  std::iota(items.begin(), items.end(), 0);
  Mlp model(*b, c);
  Activations batch(*b, c.batch, c.hidden);
  std::int64_t s = 0;
  for (auto _ : state) {
    load_batch(*b, data, items, s % 8 * c.batch, c.batch, batch);
    benchmark::DoNotOptimize(model.step(batch, s++));
  }
  state.SetItemsProcessed(state.iterations());
}

// The demo's size (batch 64, hidden 128) and a wider one.
void shapes(benchmark::internal::Benchmark* b) {
  for (const std::int64_t threads : {1, 2}) {
    b->Args({64, 128, threads});
    b->Args({256, 1024, threads});
  }
  b->UseRealTime()->Unit(benchmark::kMicrosecond);
}

BENCHMARK(BM_train_step<true>)->Name("train_step/det_cpu")->Apply(shapes);
BENCHMARK(BM_train_step<false>)->Name("train_step/conventional")->Apply(shapes);

}  // namespace
