// The AdamW update (decoupled weight decay, as torch.optim.AdamW), one element at a time in the
// fixed steps of detail/pointwise_order.hpp (docs/ORDER.md, "AdamW"): the same bits for every
// thread count and on a GPU (detnum/cuda/adamw.hpp). The step's scalars (bias corrections,
// step size) are computed once, on the host, by one function that both backends call.
#pragma once

#include <cstdint>
#include <span>

#include "detnum/threads.hpp"

namespace detnum {

struct AdamWParams {
  float lr = 1e-3f;             // finite, >= 0
  float beta1 = 0.9f;           // in [0, 1)
  float beta2 = 0.999f;         // in [0, 1)
  float eps = 1e-8f;            // finite, > 0
  float weight_decay = 1e-2f;   // finite, >= 0
  std::int64_t step = 1;        // this update's number, from 1
};

// One update of n parameters: param, m (first moment) and v (second moment) in place, from grad.
// The four arrays must not overlap.
void adamw_step(float* param, const float* grad, float* m, float* v, std::int64_t n, const AdamWParams& params,
                CpuOptions options = {});

// One parameter tensor of a multi-tensor update: n floats at each pointer (null only when n = 0).
struct AdamWTensor {
  float* param;
  const float* grad;
  float* m;
  float* v;
  std::int64_t n;
};

// The same update of every tensor in the list, with the same params (one step of a model's
// optimizer): each element's bits are those of the call above. On a GPU (detnum/cuda/adamw.hpp)
// a launch takes up to 64 tensors. No two arrays of the list may overlap, within a tensor or
// across tensors.
void adamw_step(std::span<const AdamWTensor> tensors, const AdamWParams& params, CpuOptions options = {});

namespace ref {
void adamw_step(float* param, const float* grad, float* m, float* v, std::int64_t n, const AdamWParams& params);
void adamw_step(std::span<const AdamWTensor> tensors, const AdamWParams& params);
}  // namespace ref

}  // namespace detnum
