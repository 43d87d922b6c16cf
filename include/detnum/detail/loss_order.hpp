// The element steps of docs/ORDER.md's "Losses", shared by the reference, the fast CPU path and
// the CUDA kernel. Each line is one IEEE operation rounded to float, in the order written (no
// contraction on either side); the sums over terms are detnum::sum's and detnum::mean's.
#pragma once

#include <cstdint>

#include "detnum/detail/ieee_only.hpp"
#include "detnum/hd.hpp"
#include "detnum/loss.hpp"

namespace detnum::detail {

// l_j = d * d with d = x - t, each rounded.
DETNUM_HD float mse_term(float x, float t) {
  const float d = x - t;
  return d * d;
}
// The gradient's factor: 2 / n (n rounded to float first, as detnum::mean divides by it) for a
// mean, 2 for a sum or per-element losses.
DETNUM_HD float mse_grad_factor(LossReduction reduction, std::int64_t n) {
  return reduction == LossReduction::mean ? 2.0f / static_cast<float>(n) : 2.0f;
}
// dx_j = (x - t) * factor, as PyTorch's mse_loss_backward groups it (its upstream gradient 1).
DETNUM_HD float mse_grad(float x, float t, float factor) { return (x - t) * factor; }

}  // namespace detnum::detail
