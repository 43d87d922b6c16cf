// The loop of the training-step benchmarks (training_step_bench.cpp on the CPU,
// training_step_bench_cuda.cpp on a GPU): the demo's model (tools/cli/demo_model.hpp) trained on
// synthetic digits, one step per iteration, on whichever backend the benchmark names.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <numeric>
#include <vector>

#include "demo_model.hpp"
#include "detnum/random.hpp"

namespace detnum_bench {

inline detnum::cli::Digits synthetic_digits(std::int64_t count) {
  detnum::cli::Digits d;
  for (std::int64_t i = 0; i < count; ++i) {
    d.labels.push_back(static_cast<std::int32_t>(i % detnum::cli::Digits::kClasses));
    for (int f = 0; f < detnum::cli::Digits::kFeatures; ++f)
      d.features.push_back(detnum::uniform_float(detnum::stream_word(9, 0xD161, static_cast<std::uint64_t>(i * 64 + f))));
  }
  return d;
}

// A model of batch `batch` and width `hidden` on b with its activations, and the data it trains on.
struct TrainingSetup {
  detnum::cli::TrainConfig config;
  detnum::cli::Digits data;
  std::vector<std::int64_t> items;
  detnum::cli::Mlp model;
  detnum::cli::Activations activations;
  TrainingSetup(detnum::cli::DemoBackend& b, std::int64_t batch, std::int64_t hidden)
      : config(with_size(batch, hidden)), data(synthetic_digits(batch * 8)), items(iota(data.count())),
        model(b, config), activations(b, batch, hidden) {}
  // Step s on the batch that step s uses; its loss.
  float step(detnum::cli::DemoBackend& b, std::int64_t s) {
    detnum::cli::load_batch(b, data, items, s % 8 * config.batch, config.batch, activations);
    return model.step(activations, s);
  }

 private:
  static detnum::cli::TrainConfig with_size(std::int64_t batch, std::int64_t hidden) {
    detnum::cli::TrainConfig c;
    c.batch = batch;
    c.hidden = hidden;
    return c;
  }
  static std::vector<std::int64_t> iota(std::int64_t n) {
    std::vector<std::int64_t> v(static_cast<std::size_t>(n));
    std::iota(v.begin(), v.end(), 0);
    return v;
  }
};

// The loss of the third step of a fresh model on b: a check of a backend against another before
// timing it (each step's loss ends on the host).
inline float third_step_loss(detnum::cli::DemoBackend& b, std::int64_t batch, std::int64_t hidden) {
  TrainingSetup t(b, batch, hidden);
  t.step(b, 0);
  t.step(b, 1);
  return t.step(b, 2);
}

// Steps of batch `batch` and width `hidden` on b, one per iteration; each step ends with its loss
// on the host (the demo's one synchronization per step), so wall-clock time per step is the figure.
inline void run_training_steps(benchmark::State& state, detnum::cli::DemoBackend& b, std::int64_t batch,
                               std::int64_t hidden) {
  TrainingSetup t(b, batch, hidden);
  std::int64_t s = 0;
  for (auto _ : state) benchmark::DoNotOptimize(t.step(b, s++));
  state.SetItemsProcessed(state.iterations());
}

}  // namespace detnum_bench
