// Losses over elements: the mean squared error and the binary cross-entropy of logits (PyTorch's
// mse_loss and binary_cross_entropy_with_logits), and the reductions every loss takes
// (cross_entropy's, detnum/softmax.hpp, too).
//
// Guarantee: the bits follow docs/ORDER.md ("Losses"; version DETNUM_ORDER_SPEC_VERSION): each
// term is a function of its own elements, the mean and the sum are detnum::mean and detnum::sum
// of the terms (the canonical order), so the bits are the same at every thread count and on a
// GPU (detnum/cuda/loss.hpp). NaN outputs are the canonical NaN.
//
// Arguments: n >= 0; a pointer may be null only when it names no element. Outputs must not
// overlap the inputs or each other. A call that throws detnum::Error has written nothing.
#pragma once

#include <cstdint>

#include "detnum/threads.hpp"

namespace detnum {

// How a loss reduces its terms l_j (PyTorch's `reduction`).
enum class LossReduction : std::uint8_t {
  mean,  // *loss = the mean of the l_j (cross_entropy: over the rows whose label is not ignored)
  sum,   // *loss = the sum of the l_j
  none,  // loss[j] = l_j, one float a term
};

// l_j = (x_j - target_j)^2. loss: n floats for none, else one. dx (may be nullptr) = the gradient
// of *loss (mean: (x_j - target_j) * (2 / n); sum: (x_j - target_j) * 2), and for none of each
// loss[j] (the sum's). A mean of no elements is NaN, a sum +0.
void mse_loss(const float* x, const float* target, std::int64_t n, LossReduction reduction, float* loss, float* dx,
              CpuOptions options = {});

// l_j = (1 - t_j) x_j - log(sigmoid(x_j)) for logits x and targets t (usually in [0, 1]: labels
// or probabilities), computed without overflow; loss and dx as for mse_loss, dx = (sigmoid(x_j) -
// t_j) / n for a mean and sigmoid(x_j) - t_j otherwise. (No weight or pos_weight.)
void binary_cross_entropy_with_logits(const float* x, const float* target, std::int64_t n, LossReduction reduction,
                                      float* loss, float* dx, CpuOptions options = {});

// The scalar reference: ORDER.md's definition as plain loops.
namespace ref {
void mse_loss(const float* x, const float* target, std::int64_t n, LossReduction reduction, float* loss, float* dx);
void binary_cross_entropy_with_logits(const float* x, const float* target, std::int64_t n, LossReduction reduction,
                                      float* loss, float* dx);
}  // namespace ref

}  // namespace detnum
