// Stochastic gradient descent with momentum, weight decay and Nesterov's variant, as
// torch.optim.SGD defines them, one element at a time in the fixed steps of
// detail/pointwise_order.hpp (docs/ORDER.md, "SGD"): the same bits for every thread count and on
// a GPU (detnum/cuda/sgd.hpp). The step's scalars are made once, on the host, by one function that
// both backends call.
#pragma once

#include <cstdint>
#include <span>

#include "detnum/threads.hpp"

namespace detnum {

struct SgdParams {
  float lr = 1e-2f;           // finite, >= 0
  float momentum = 0.0f;      // finite, >= 0; 0: no momentum buffer (it is not read or written)
  float dampening = 0.0f;     // finite
  float weight_decay = 0.0f;  // finite, >= 0 (L2: weight_decay * param added to the gradient)
  bool nesterov = false;      // needs momentum > 0 and dampening = 0
  std::int64_t step = 1;      // this update's number, from 1: step 1 starts the buffer from the gradient
};

// One update of n parameters in place, from grad; momentum_buffer (n floats, in place) is used only
// when params.momentum != 0, and may be null otherwise. The arrays must not overlap.
void sgd_step(float* param, const float* grad, float* momentum_buffer, std::int64_t n, const SgdParams& params,
              CpuOptions options = {});

// One parameter tensor of a multi-tensor update: n floats at each pointer (null only when n = 0;
// momentum_buffer also when params.momentum == 0).
struct SgdTensor {
  float* param;
  const float* grad;
  float* momentum_buffer;
  std::int64_t n;
};

// The same update of every tensor in the list, with the same params: each element's bits are
// those of the call above. On a GPU (detnum/cuda/sgd.hpp) a launch takes up to 64 tensors. No two
// arrays of the list may overlap.
void sgd_step(std::span<const SgdTensor> tensors, const SgdParams& params, CpuOptions options = {});

namespace ref {
void sgd_step(float* param, const float* grad, float* momentum_buffer, std::int64_t n, const SgdParams& params);
void sgd_step(std::span<const SgdTensor> tensors, const SgdParams& params);
}  // namespace ref

}  // namespace detnum
