// The references of the losses (detnum/loss.hpp): ORDER.md's "Losses" as plain loops, the terms
// written first and then reduced by ref::mean or ref::sum.
#include <vector>

#include "common/nn_rows_checks.hpp"
#include "detnum/detail/loss_order.hpp"
#include "detnum/loss.hpp"
#include "detnum/reduce.hpp"

namespace detnum::ref {
namespace {

template <class L>
void elementwise_loss(const char* fn, const float* x, const float* target, std::int64_t n, LossReduction reduction,
                      float* loss, float* dx) {
  detail::check_loss_call(fn, x, target, n, reduction, loss, dx, detail::kHostReader);
  std::vector<float> terms(static_cast<std::size_t>(n));
  for (std::int64_t j = 0; j < n; ++j) terms[j] = canonicalize(L::term(x[j], target[j]));
  if (dx) {
    const float c = L::grad_scalar(reduction, n);
    for (std::int64_t j = 0; j < n; ++j) dx[j] = canonicalize(L::grad(x[j], target[j], c));
  }
  if (reduction == LossReduction::none) {
    for (std::int64_t j = 0; j < n; ++j) loss[j] = terms[j];
  } else {
    *loss = reduction == LossReduction::mean ? ref::mean(terms.data(), n) : ref::sum(terms.data(), n);
  }
}

}  // namespace

void mse_loss(const float* x, const float* target, std::int64_t n, LossReduction reduction, float* loss, float* dx) {
  elementwise_loss<detail::MseLoss>("ref::mse_loss", x, target, n, reduction, loss, dx);
}

void binary_cross_entropy_with_logits(const float* x, const float* target, std::int64_t n, LossReduction reduction,
                                      float* loss, float* dx) {
  elementwise_loss<detail::BceWithLogitsLoss>("ref::binary_cross_entropy_with_logits", x, target, n, reduction, loss,
                                              dx);
}

}  // namespace detnum::ref
