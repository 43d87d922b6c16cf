// Batch norm's steps on the CPU (ORDER.md "Row ops", the column analogue of layer norm; the
// formulas in detail/nn_rows_order.hpp), shared by the reference and the fast path, which differ
// in how they take the column sums: the reference writes each sum's terms into y (forward) or dx
// (backward) and calls ref::column_sums, the fast path adds them into column_sums' lanes as it
// computes them.
#pragma once

#include <cstdint>
#include <vector>

#include "detnum/detail/nn_rows_order.hpp"
#include "detnum/hd.hpp"
#include "detnum/norm.hpp"

namespace detnum::detail {

// The terms of the second forward sum (squared deviations), for row r's columns j0 .. j0 + w - 1,
// into t[0 .. w): added (t a lane of the fast path's column sums) or written (the reference's).
template <bool kAdd>
[[gnu::always_inline]] inline void batch_norm_sq_dev_terms(const float* __restrict x, const float* __restrict mean,
                                                           std::int64_t w, float* __restrict t) {
  for (std::int64_t j = 0; j < w; ++j) {
    const float term = layer_norm_sq_dev(x[j], mean[j]);
    t[j] = kAdd ? t[j] + term : term;
  }
}
// dgamma's terms written (the reference's); and both backward sums' terms of one row block added
// into their lanes (the fast path's): dgamma's, and dy (dbeta's).
inline void batch_norm_dgamma_terms(const float* x, const float* dy, const float* mean, const float* rstd,
                                    std::int64_t w, float* t) {
  for (std::int64_t j = 0; j < w; ++j) t[j] = norm_backward_dgamma_term(dy[j], layer_norm_xhat(x[j], mean[j], rstd[j]));
}
[[gnu::always_inline]] inline void batch_norm_backward_lanes(const float* __restrict x, const float* __restrict dy,
                                                             const float* __restrict mean,
                                                             const float* __restrict rstd, std::int64_t w,
                                                             float* __restrict lane_g, float* __restrict lane_b) {
  for (std::int64_t j = 0; j < w; ++j) {
    lane_g[j] = lane_g[j] + norm_backward_dgamma_term(dy[j], layer_norm_xhat(x[j], mean[j], rstd[j]));
    lane_b[j] = lane_b[j] + dy[j];
  }
}

// mean = the column sums of x / rows, in place.
inline void batch_norm_means(float* mean, std::int64_t rows, std::int64_t cols) {
  for (std::int64_t j = 0; j < cols; ++j) mean[j] = canonicalize(row_mean(mean[j], rows));
}

// From the sums of squared deviations in rstd: the running statistics, then rstd itself.
inline void batch_norm_rstds(const float* mean, float* rstd, std::int64_t rows, std::int64_t cols, float eps,
                             const BatchNormRunning& running) {
  for (std::int64_t j = 0; j < cols; ++j) {
    if (running.mean) {
      running.mean[j] = canonicalize(running_update(running.mean[j], mean[j], running.momentum));
      running.var[j] = canonicalize(running_update(running.var[j], unbiased_variance(rstd[j], rows), running.momentum));
    }
    rstd[j] = canonicalize(norm_rstd(row_mean(rstd[j], rows), eps));
  }
}

// y of rows r0 .. r1 - 1.
inline void batch_norm_values(const float* x, const float* gamma, const float* beta, const float* mean,
                              const float* rstd, float* y, std::int64_t cols, std::int64_t r0, std::int64_t r1) {
  for (std::int64_t r = r0; r < r1; ++r)
    for (std::int64_t j = 0; j < cols; ++j)
      y[r * cols + j] = canonicalize(layer_norm_value(x[r * cols + j], mean[j], rstd[j], gamma[j], beta[j]));
}

// The backward pass's per-column a = dbeta / rows, b = dgamma / rows and k = gamma * rstd.
struct BatchNormBackwardColumns {
  std::vector<float> a, b, k;
  BatchNormBackwardColumns(const float* gamma, const float* rstd, const float* dgamma, const float* dbeta,
                           std::int64_t rows, std::int64_t cols)
      : a(static_cast<std::size_t>(cols)), b(a.size()), k(a.size()) {
    for (std::int64_t j = 0; j < cols; ++j) {
      a[j] = row_mean(dbeta[j], rows);
      b[j] = row_mean(dgamma[j], rows);
      k[j] = batch_norm_backward_scale(gamma[j], rstd[j]);
    }
  }
  // dx of rows r0 .. r1 - 1.
  void values(const float* x, const float* mean, const float* rstd, const float* dy, float* dx, std::int64_t cols,
              std::int64_t r0, std::int64_t r1) const {
    for (std::int64_t r = r0; r < r1; ++r)
      for (std::int64_t j = 0; j < cols; ++j) {
        const float xhat = layer_norm_xhat(x[r * cols + j], mean[j], rstd[j]);
        dx[r * cols + j] = canonicalize(batch_norm_backward_value(dy[r * cols + j], xhat, a[j], b[j], k[j]));
      }
  }
};

}  // namespace detnum::detail
