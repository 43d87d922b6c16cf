// The demo's model and its training loop, written once against DemoBackend: an MLP classifier
// 64 -> hidden (Linear, LayerNorm, GELU, Dropout) -> 10 (Linear), cross-entropy loss, gradient
// clipping, AdamW,
// mini-batches in the order detnum::shuffle_indices gives each epoch.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "demo_backend.hpp"
#include "demo_data.hpp"
#include "detnum/runlog.hpp"
#include "detnum/shuffle.hpp"

namespace detnum::cli {

struct TrainConfig {
  std::int64_t steps = 300, batch = 64, hidden = 128;
  std::uint64_t seed = 2026;  // weights, dropout masks, data order
  float lr = 2e-3f, weight_decay = 1e-2f, dropout = 0.1f, ln_eps = 1e-5f;
  float max_grad_norm = 1.0f;  // gradient clipping by the global norm, before each update
};

struct TrainResult {
  std::int64_t steps = 0;  // steps trained (and recorded)
  float final_loss = 0.0f;
  double test_accuracy = 0.0;
  std::string weights;  // the fingerprint of every parameter, concatenated in a fixed order
};

// Records into `run`, at each step: the loss and the gradients' global norm before clipping (each
// a metric and a one-element record) and the fingerprint of every parameter after the update;
// progress(step, loss) after each step.
TrainResult train(DemoBackend& backend, const Digits& data, const DatasetSplit& split, const TrainConfig& config,
                  Run& run, const std::function<void(std::int64_t, float)>& progress);

}  // namespace detnum::cli
