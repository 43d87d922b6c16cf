// Batch norm's steps on the CPU (ORDER.md "Row ops", the column analogue of layer norm; the
// formulas in detail/nn_rows_order.hpp), written once for the reference and the fast path: an
// Exec gives the column sums and runs an elementwise pass over ranges of rows. y (forward) and dx
// (backward) hold the squared deviations and the dgamma terms before their values, so no
// temporary matrix is needed.
#pragma once

#include <cstdint>
#include <vector>

#include "detnum/detail/nn_rows_order.hpp"
#include "detnum/hd.hpp"
#include "detnum/norm.hpp"
#include "detnum/reduce.hpp"

namespace detnum::detail {

template <class Exec>
void batch_norm_steps(const Exec& ex, const float* x, const float* gamma, const float* beta, float* y, float* mean,
                      float* rstd, std::int64_t rows, std::int64_t cols, float eps, const BatchNormRunning& running) {
  const MatrixLayout m = MatrixLayout::dense(rows, cols);
  ex.column_sums(x, m, mean);
  for (std::int64_t j = 0; j < cols; ++j) mean[j] = canonicalize(row_mean(mean[j], rows));
  ex.rows([&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t r = r0; r < r1; ++r)
      for (std::int64_t j = 0; j < cols; ++j) y[r * cols + j] = layer_norm_sq_dev(x[r * cols + j], mean[j]);
  });
  ex.column_sums(y, m, rstd);  // the sums of squared deviations, until the next loop
  for (std::int64_t j = 0; j < cols; ++j) {
    if (running.mean) {
      running.mean[j] = canonicalize(running_update(running.mean[j], mean[j], running.momentum));
      running.var[j] = canonicalize(running_update(running.var[j], unbiased_variance(rstd[j], rows), running.momentum));
    }
    rstd[j] = canonicalize(norm_rstd(row_mean(rstd[j], rows), eps));
  }
  ex.rows([&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t r = r0; r < r1; ++r)
      for (std::int64_t j = 0; j < cols; ++j)
        y[r * cols + j] = canonicalize(layer_norm_value(x[r * cols + j], mean[j], rstd[j], gamma[j], beta[j]));
  });
}

template <class Exec>
void batch_norm_backward_steps(const Exec& ex, const float* x, const float* gamma, const float* mean, const float* rstd,
                               const float* dy, float* dx, float* dgamma, float* dbeta, std::int64_t rows,
                               std::int64_t cols) {
  const MatrixLayout m = MatrixLayout::dense(rows, cols);
  ex.column_sums(dy, m, dbeta);
  ex.rows([&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t r = r0; r < r1; ++r)
      for (std::int64_t j = 0; j < cols; ++j)
        dx[r * cols + j] = norm_backward_dgamma_term(dy[r * cols + j], layer_norm_xhat(x[r * cols + j], mean[j], rstd[j]));
  });
  ex.column_sums(dx, m, dgamma);
  std::vector<float> a(static_cast<std::size_t>(cols)), b(a.size()), k(a.size());
  for (std::int64_t j = 0; j < cols; ++j) {
    a[j] = row_mean(dbeta[j], rows);
    b[j] = row_mean(dgamma[j], rows);
    k[j] = batch_norm_backward_scale(gamma[j], rstd[j]);
  }
  ex.rows([&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t r = r0; r < r1; ++r)
      for (std::int64_t j = 0; j < cols; ++j) {
        const float xhat = layer_norm_xhat(x[r * cols + j], mean[j], rstd[j]);
        dx[r * cols + j] = canonicalize(batch_norm_backward_value(dy[r * cols + j], xhat, a[j], b[j], k[j]));
      }
  });
}

}  // namespace detnum::detail
