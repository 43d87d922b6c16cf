// The reference of the losses (detnum/loss.hpp): ORDER.md's "Losses" as plain loops, the terms
// written first and then reduced by ref::mean or ref::sum.
#include <vector>

#include "common/nn_rows_checks.hpp"
#include "detnum/detail/loss_order.hpp"
#include "detnum/loss.hpp"
#include "detnum/reduce.hpp"

namespace detnum::ref {

void mse_loss(const float* x, const float* target, std::int64_t n, LossReduction reduction, float* loss, float* dx) {
  constexpr const char* fn = "ref::mse_loss";
  detail::check_mse_call(fn, x, target, n, reduction, loss, dx, detail::kHostReader);
  std::vector<float> terms(static_cast<std::size_t>(n));
  for (std::int64_t j = 0; j < n; ++j) terms[j] = canonicalize(detail::mse_term(x[j], target[j]));
  if (dx) {
    const float factor = detail::mse_grad_factor(reduction, n);
    for (std::int64_t j = 0; j < n; ++j) dx[j] = canonicalize(detail::mse_grad(x[j], target[j], factor));
  }
  if (reduction == LossReduction::none) {
    for (std::int64_t j = 0; j < n; ++j) loss[j] = terms[j];
  } else {
    *loss = reduction == LossReduction::mean ? ref::mean(terms.data(), n) : ref::sum(terms.data(), n);
  }
}

}  // namespace detnum::ref
