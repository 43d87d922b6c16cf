// The row ops of docs/ORDER.md ("Row ops"): softmax, log-softmax, cross-entropy, layer norm and
// RMS norm, forward and backward, and batch norm (their column analogue). Every formula that
// decides bits is here, once, with its operations in the order ORDER.md gives (no fma: the builds
// forbid contraction on both sides; exp, log and sqrt are detnum::math's), and the reference, the
// fast CPU path and the CUDA kernels call these and nothing else. What is not here is the order
// of the sums: each sum over a row is ORDER.md's R over a vector that these functions define
// elementwise, and each sum over rows is a column sum (axis sums).
#pragma once

#include <cstdint>

#include "detnum/detail/ieee_only.hpp"
#include "detnum/hd.hpp"
#include "detnum/math.hpp"

namespace detnum::detail {

// --- The row maximum -------------------------------------------------------------------------

// The maximum starts from -Inf and takes one element at a time with row_max_step: the larger,
// +0 above -0, NaN when either is NaN. No rounding and a total order, so every grouping (a loop,
// SIMD lanes, a warp butterfly) gives the same maximum; only a NaN's payload may differ, and a
// NaN maximum makes the whole row NaN, which is written as the canonical NaN.
DETNUM_HD float row_max_start() { return float_from_bits(0xFF800000u); }
DETNUM_HD float row_max_step(float m, float x) {
  if (m != m) return m;
  if (x != x) return x;
  return x > m || (x == m && bits_of(m) == 0x80000000u) ? x : m;
}

// n (cols or rows) as the divisor of a mean: rounded to nearest float, as detnum::mean does.
DETNUM_HD float count_as_float(std::int64_t n) { return static_cast<float>(n); }

// --- Softmax, log-softmax, cross-entropy -----------------------------------------------------

// e_j, the terms of s = R-sum(e).
DETNUM_HD float softmax_exp(float x, float m) { return math::exp(x - m); }
DETNUM_HD float softmax_value(float e, float s) { return e / s; }
DETNUM_HD float log_softmax_value(float x, float m, float log_s) { return (x - m) - log_s; }

// Backward: c = R-sum(softmax_backward_term) for softmax, c = R-sum(dy) for log-softmax.
DETNUM_HD float softmax_backward_term(float y, float dy) { return y * dy; }
DETNUM_HD float softmax_backward_value(float y, float dy, float c) { return y * (dy - c); }
// (e = exp(y), softmax's value, comes first: a backend may compute it many elements at a time.)
DETNUM_HD float log_softmax_backward_from_exp(float e, float dy, float c) { return dy - e * c; }
DETNUM_HD float log_softmax_backward_value(float y, float dy, float c) {
  return log_softmax_backward_from_exp(math::exp(y), dy, c);
}

// The row's loss term: -log_softmax at the label (the negation is exact).
DETNUM_HD float cross_entropy_nll(float x_label, float m, float log_s) { return -log_softmax_value(x_label, m, log_s); }
// Label smoothing eps: the target q_j of a row is a + b at its label and b elsewhere, with
// a = 1 - eps and b = eps / cols (a float division; eps = 0: targets 1 and +0).
DETNUM_HD float smoothing_label_weight(float eps) { return 1.0f - eps; }
DETNUM_HD float smoothing_class_weight(float eps, std::int64_t cols) { return eps / count_as_float(cols); }
DETNUM_HD float cross_entropy_target(bool is_label, float a, float b) { return is_label ? a + b : b; }
// The smoothed term, eps > 0: a * nll - b * u, u being the row sum of log_softmax_value (so
// -b * u is b times the sum of -log p_j); each product rounded, then the difference.
DETNUM_HD float cross_entropy_smoothed(float nll, float u, float a, float b) { return a * nll - b * u; }
// dlogits_j: (softmax_j - q_j) / divisor, the divisor being the rows kept as a float
// (count_as_float) for a mean and 1 (exact) for a sum or per-row losses. With eps = 0 this is
// p - 1 at the label and p - (+0) = p elsewhere.
DETNUM_HD float cross_entropy_grad(float e, float s, float target, float divisor) {
  return (softmax_value(e, s) - target) / divisor;
}

// The ignored label (ignore_index), widened to 64 bits so that "none" is a value no label has. A
// row whose label is the ignored one adds +0 to the loss's sum and gets a gradient row of +0.
inline constexpr std::int64_t kNoIgnoredLabel = INT64_MIN;
DETNUM_HD bool cross_entropy_ignored(std::int32_t label, std::int64_t ignore) { return label == ignore; }
// Any other label must name a column.
DETNUM_HD bool label_in_range(std::int32_t label, std::int64_t cols) { return label >= 0 && label < cols; }
DETNUM_HD float cross_entropy_ignored_value() { return 0.0f; }

// --- Causal masking ----------------------------------------------------------------------------

// A causal softmax's row r keeps its first causal_kept columns: its query, r mod period, sees the
// keys 0 .. r mod period + offset (period >= 1, offset >= 0; no overflow for any of them). The
// row's outputs are those of the softmax of that prefix as a row of its own (its sums are of
// length causal_kept), and +0 in the other columns.
DETNUM_HD std::int64_t causal_kept(std::int64_t r, std::int64_t cols, std::int64_t period, std::int64_t offset) {
  const std::int64_t q = r % period;
  return q >= cols - 1 - offset ? cols : q + 1 + offset;
}
// The columns a softmax row takes: all of them (period 0), or causal_kept's. Plain data, so that a
// kernel takes it by value.
struct RowPrefix {
  std::int64_t period = 0, offset = 0;
  DETNUM_HD std::int64_t kept(std::int64_t r, std::int64_t cols) const {
    return period == 0 ? cols : causal_kept(r, cols, period, offset);
  }
};
DETNUM_HD float masked_value() { return 0.0f; }

// --- Layer norm, RMS norm --------------------------------------------------------------------

// mean = R-sum(x) / cols; var = R-sum(layer_norm_sq_dev) / cols; ms = R-sum(rms_norm_sq) / cols.
DETNUM_HD float row_mean(float sum, std::int64_t cols) { return sum / count_as_float(cols); }
DETNUM_HD float layer_norm_sq_dev(float x, float mean) {
  const float d = x - mean;
  return d * d;
}
DETNUM_HD float rms_norm_sq(float x) { return x * x; }
DETNUM_HD float norm_rstd(float var, float eps) { return 1.0f / math::sqrt(var + eps); }

DETNUM_HD float layer_norm_xhat(float x, float mean, float rstd) { return (x - mean) * rstd; }
DETNUM_HD float layer_norm_value(float x, float mean, float rstd, float gamma, float beta) {
  return layer_norm_xhat(x, mean, rstd) * gamma + beta;
}
DETNUM_HD float rms_norm_xhat(float x, float rstd) { return x * rstd; }
DETNUM_HD float rms_norm_value(float x, float rstd, float gamma) { return rms_norm_xhat(x, rstd) * gamma; }

// Backward, both norms: g_j = dy_j * gamma_j; dgamma = column sums of norm_backward_dgamma_term.
// Layer norm: a = R-sum(g) / cols, b = R-sum(g * xhat) / cols; RMS norm: b only.
DETNUM_HD float norm_backward_g(float dy, float gamma) { return dy * gamma; }
DETNUM_HD float norm_backward_dgamma_term(float dy, float xhat) { return dy * xhat; }
DETNUM_HD float norm_backward_gx(float g, float xhat) { return g * xhat; }
DETNUM_HD float layer_norm_backward_value(float g, float xhat, float a, float b, float rstd) {
  return ((g - a) - xhat * b) * rstd;
}
DETNUM_HD float rms_norm_backward_value(float g, float xhat, float b, float rstd) { return (g - xhat * b) * rstd; }

// --- Batch norm (training mode): the same steps over each column ---------------------------------
// mean_j = column_sum(x) / rows (row_mean); var_j = column_sum(layer_norm_sq_dev) / rows;
// rstd_j = norm_rstd(var_j, eps); y = layer_norm_value(x, mean_j, rstd_j, gamma_j, beta_j).
// The running statistics (PyTorch's momentum m): r = (1 - m) * r + m * stat, each product rounded,
// with the unbiased variance column_sum(layer_norm_sq_dev) / (rows - 1) as var's stat.
DETNUM_HD float unbiased_variance(float sum_sq, std::int64_t rows) { return sum_sq / count_as_float(rows - 1); }
DETNUM_HD float running_update(float running, float stat, float momentum) {
  return (1.0f - momentum) * running + momentum * stat;
}
// Backward: dbeta_j = column_sum(dy), dgamma_j = column_sum(norm_backward_dgamma_term(dy, xhat));
// a_j = dbeta_j / rows, b_j = dgamma_j / rows, k_j = gamma_j * rstd_j (PyTorch's grouping, gamma
// out of the sums), dx = ((dy - a_j) - xhat * b_j) * k_j.
DETNUM_HD float batch_norm_backward_scale(float gamma, float rstd) { return gamma * rstd; }
DETNUM_HD float batch_norm_backward_value(float dy, float xhat, float a, float b, float k) {
  return ((dy - a) - xhat * b) * k;
}

}  // namespace detnum::detail
