// The references of batch norm (detnum/norm.hpp): ORDER.md's steps as plain loops, each sum over
// rows ref::column_sums of its terms, written first into y (forward) or dx (backward).
#include <cstdint>

#include "common/nn_rows_checks.hpp"
#include "cpu/batch_norm_steps.hpp"
#include "detnum/norm.hpp"
#include "detnum/reduce.hpp"

namespace detnum::ref {

void batch_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                std::int64_t rows, std::int64_t cols, float eps, BatchNormRunning running) {
  detail::check_batch_norm_call("ref::batch_norm", x, gamma, beta, y, mean, rstd, rows, cols, eps, running,
                                detail::kHostReader);
  if (rows * cols == 0) return;
  const MatrixLayout m = MatrixLayout::dense(rows, cols);
  ref::column_sums(x, m, mean);
  detail::batch_norm_means(mean, rows, cols);
  for (std::int64_t r = 0; r < rows; ++r)
    detail::batch_norm_sq_dev_terms<false>(x + r * cols, mean, cols, y + r * cols);
  ref::column_sums(static_cast<const float*>(y), m, rstd);
  detail::batch_norm_rstds(mean, rstd, rows, cols, eps, running);
  detail::batch_norm_values(x, gamma, beta, mean, rstd, y, cols, 0, rows);
}

void batch_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                         float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols) {
  detail::check_batch_norm_backward_call("ref::batch_norm_backward", x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows,
                                         cols, detail::kHostReader);
  if (rows * cols == 0) return;
  const MatrixLayout m = MatrixLayout::dense(rows, cols);
  ref::column_sums(dy, m, dbeta);
  for (std::int64_t r = 0; r < rows; ++r)
    detail::batch_norm_dgamma_terms(x + r * cols, dy + r * cols, mean, rstd, cols, dx + r * cols);
  ref::column_sums(static_cast<const float*>(dx), m, dgamma);
  detail::BatchNormBackwardColumns(gamma, rstd, dgamma, dbeta, rows, cols).values(x, mean, rstd, dy, dx, cols, 0, rows);
}

}  // namespace detnum::ref
