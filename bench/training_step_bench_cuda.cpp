// One training step of `detnum demo`'s model on a GPU (bench/training_step.hpp), two backends:
//
//   train_step/det_cuda/batch/hidden            detnum's CUDA ops (the bits of the CPU runs)
//   train_step/conventional_cuda/batch/hidden   cuBLAS and float-atomic kernels with CUDA's libm
//                                               (training_step_conventional_cuda.cpp)
//
// Wall-clock time per step, which copies the gradients' norm (clipping) and the loss to the host
// (as in the demo); the ratio
// of the two is the cost of determinism for a whole step on the device. Each is checked against
// detnum's CPU backend before timing. Without a device both skip.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <tuple>

#include "detnum/threads.hpp"
#include "training_step.hpp"
#include "training_step_conventional.hpp"

namespace {

template <bool kDet>
void BM_train_step_cuda(benchmark::State& state) {
  std::string why;
  const std::unique_ptr<detnum::cli::DemoBackend> b =
      kDet ? detnum::cli::make_cuda_demo_backend(why) : detnum_bench::make_conventional_cuda_backend(why);
  if (!b) {
    state.SkipWithError(why.c_str());
    return;
  }
  // Before timing (once per shape: Google Benchmark may call this function several times), the
  // third step's loss beside detnum's CPU backend: the same bits for det_cuda, within 1e-3
  // (relative) for the conventional backend, whose sums round in other orders.
  const std::int64_t batch = state.range(0), hidden = state.range(1);
  static std::set<std::tuple<bool, std::int64_t, std::int64_t>> checked;
  if (checked.insert({kDet, batch, hidden}).second) {
    const auto host = detnum::cli::make_host_demo_backend(detnum::default_threads(), false);
    const float want = detnum_bench::third_step_loss(*host, batch, hidden);
    const float got = detnum_bench::third_step_loss(*b, batch, hidden);
    if (kDet ? std::memcmp(&want, &got, sizeof want) != 0 : !(std::fabs(got - want) <= 1e-3f * std::fabs(want))) {
      checked.erase({kDet, batch, hidden});
      state.SkipWithError(("third step's loss " + std::to_string(got) + ", the CPU's " + std::to_string(want)).c_str());
      return;
    }
  }
  detnum_bench::run_training_steps(state, *b, batch, hidden);
}

// The demo's size (batch 64, hidden 128), a wider layer, and a large batch.
void shapes(benchmark::internal::Benchmark* b) {
  b->Args({64, 128})->Args({256, 1024})->Args({4096, 1024});
  b->UseRealTime()->Unit(benchmark::kMicrosecond);
}

BENCHMARK(BM_train_step_cuda<true>)->Name("train_step/det_cuda")->Apply(shapes);
BENCHMARK(BM_train_step_cuda<false>)->Name("train_step/conventional_cuda")->Apply(shapes);

}  // namespace
