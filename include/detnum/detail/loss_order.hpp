// The element steps of docs/ORDER.md's "Losses", shared by the reference, the fast CPU path and
// the CUDA kernel. Each line is one IEEE operation rounded to float, in the order written (no
// contraction on either side); exp and log are detnum::math's; the sums over terms are
// detnum::sum's and detnum::mean's. Each loss is a policy: term(x, t), the gradient's scalar
// for a reduction and n, and grad(x, t, scalar).
#pragma once

#include <cstdint>

#include "detnum/detail/ieee_only.hpp"
#include "detnum/detail/pointwise_order.hpp"
#include "detnum/hd.hpp"
#include "detnum/loss.hpp"
#include "detnum/math.hpp"

namespace detnum::detail {

// The mean squared error: l = d * d with d = x - t, each rounded; dx = (x - t) * c with c = 2 / n
// (n rounded to float first, as detnum::mean divides by it) for a mean and 2 otherwise, as
// PyTorch's mse_loss_backward groups it (its upstream gradient 1).
struct MseLoss {
  static DETNUM_HD float term(float x, float t) {
    const float d = x - t;
    return d * d;
  }
  static DETNUM_HD float grad_scalar(LossReduction reduction, std::int64_t n) {
    return reduction == LossReduction::mean ? 2.0f / static_cast<float>(n) : 2.0f;
  }
  static DETNUM_HD float grad(float x, float t, float c) { return (x - t) * c; }
};

// Binary cross-entropy of logits: l = (1 - t) * x - log_sigmoid(x), log_sigmoid(x) =
// min(x, 0) - log(1 + exp(-|x|)) (no overflow for any finite x); dx = (sigmoid(x) - t) / D with
// D = n as a float for a mean and 1 otherwise (PyTorch's binary_cross_entropy_with_logits and its
// backward, in their grouping). 1 + exp(-|x|) rounds, so log(1 + exp(-|x|)) errs by up to 2^-24
// absolute: for |x| above about 16.6 a right-side term is +0 where it is about exp(-|x|) (PyTorch
// takes log1p there, whose bits detnum's math does not define yet).
struct BceWithLogitsLoss {
  static DETNUM_HD float log_sigmoid(float x) {
    const float m = x < 0.0f ? x : 0.0f;  // min(x, 0); a NaN x gives NaN below anyway
    const float a = float_from_bits(bits_of(x) & 0x7FFFFFFFu);  // |x|, -0 included
    return m - math::log(1.0f + math::exp(-a));
  }
  static DETNUM_HD float term(float x, float t) { return (1.0f - t) * x - log_sigmoid(x); }
  static DETNUM_HD float grad_scalar(LossReduction reduction, std::int64_t n) {
    return reduction == LossReduction::mean ? static_cast<float>(n) : 1.0f;
  }
  static DETNUM_HD float grad(float x, float t, float d) { return (logistic(x) - t) / d; }
};

}  // namespace detnum::detail
