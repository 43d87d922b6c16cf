// One training step of `detnum demo`'s model (tools/cli/demo_model.hpp: Linear, LayerNorm, GELU,
// dropout, Linear, cross-entropy, backward, gradient clipping, AdamW) on synthetic digits, timed
// on two backends:
//
//   train_step/det_cpu/batch/hidden/threads       detnum's CPU ops (the same bits at any thread count)
//   train_step/conventional/batch/hidden/threads  Eigen sgemm and OpenMP loops with libm, bias and
//                                                 LayerNorm gradients summed per thread
//                                                 (training_step_conventional.cpp)
//
// The ratio of the two is the cost of determinism for a whole step. items_per_second counts steps.
// The GPU's pair is in training_step_bench_cuda.cpp.
#include <benchmark/benchmark.h>

#include <memory>

#include "training_step.hpp"
#include "training_step_conventional.hpp"

namespace {

using namespace detnum::cli;

template <bool kDet>
void BM_train_step(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(2));
  std::unique_ptr<DemoBackend> b = kDet ? make_host_demo_backend(threads, false)
                                        : detnum_bench::make_conventional_backend(threads);
  if (!b) {
    state.SkipWithError("the conventional backend needs AVX2 and FMA");
    return;
  }
  detnum_bench::run_training_steps(state, *b, state.range(0), state.range(1));
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
