// The scalar references for the row ops: docs/ORDER.md's "Row ops" as plain loops, one row at a
// time. Each sum over a row is ref::sum of a vector built elementwise first; each sum over rows
// is ref::column_sums of a matrix built elementwise first. Every fast path and kernel is tested
// against these, bit for bit.
#include <vector>

#include "common/nn_rows_checks.hpp"
#include "detnum/detail/nn_rows_order.hpp"
#include "detnum/norm.hpp"
#include "detnum/reduce.hpp"
#include "detnum/softmax.hpp"

namespace detnum::ref {
namespace {

using Vec = std::vector<float>;

float sum_of(const Vec& t) { return ref::sum(t.data(), static_cast<std::int64_t>(t.size())); }

float max_of(const float* x, std::int64_t n) {
  float m = detail::row_max_start();
  for (std::int64_t j = 0; j < n; ++j) m = detail::row_max_step(m, x[j]);
  return m;
}

// m, the terms e_j and their sum s of softmax's row x.
struct Exps {
  float m, s;
  Vec e;
};
Exps exps_of(const float* x, std::int64_t n) {
  Exps r{max_of(x, n), 0.0f, Vec(static_cast<std::size_t>(n))};
  for (std::int64_t j = 0; j < n; ++j) r.e[j] = detail::softmax_exp(x[j], r.m);
  r.s = sum_of(r.e);
  return r;
}

// Column sums of the rows x cols matrix t (ORDER.md's axis sums).
void column_sums_of(const Vec& t, std::int64_t rows, std::int64_t cols, float* out) {
  ref::column_sums(t.data(), MatrixLayout::dense(rows, cols), out);
}


// softmax and its backward pass of each row's first prefix.kept(r) columns, +0 in the others.
void softmax_prefixes(const char* fn, const float* x, float* y, std::int64_t rows, std::int64_t cols,
                      detail::RowPrefix prefix) {
  if (detail::check_softmax_call(fn, x, y, rows, cols, detail::kHostReader) == 0) return;
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t k = prefix.kept(r, cols);
    const Exps e = exps_of(x + r * cols, k);
    for (std::int64_t j = 0; j < k; ++j) y[r * cols + j] = canonicalize(detail::softmax_value(e.e[j], e.s));
    for (std::int64_t j = k; j < cols; ++j) y[r * cols + j] = detail::masked_value();
  }
}

void softmax_backward_prefixes(const char* fn, const float* y, const float* dy, float* dx, std::int64_t rows,
                               std::int64_t cols, detail::RowPrefix prefix) {
  if (detail::check_softmax_backward_call(fn, y, dy, dx, rows, cols, detail::kHostReader) == 0) return;
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t k = prefix.kept(r, cols);
    const float *yr = y + r * cols, *dyr = dy + r * cols;
    Vec t(static_cast<std::size_t>(k));
    for (std::int64_t j = 0; j < k; ++j) t[j] = detail::softmax_backward_term(yr[j], dyr[j]);
    const float c = sum_of(t);
    for (std::int64_t j = 0; j < k; ++j) dx[r * cols + j] = canonicalize(detail::softmax_backward_value(yr[j], dyr[j], c));
    for (std::int64_t j = k; j < cols; ++j) dx[r * cols + j] = detail::masked_value();
  }
}

}  // namespace

void softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols) {
  softmax_prefixes("ref::softmax", x, y, rows, cols, {});
}

void causal_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, const CausalMask& mask) {
  constexpr const char* fn = "ref::causal_softmax";
  softmax_prefixes(fn, x, y, rows, cols, detail::causal_prefix(fn, mask));
}

void log_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols) {
  if (detail::check_softmax_call("ref::log_softmax", x, y, rows, cols, detail::kHostReader) == 0) return;
  for (std::int64_t r = 0; r < rows; ++r) {
    const Exps e = exps_of(x + r * cols, cols);
    const float log_s = math::log(e.s);
    for (std::int64_t j = 0; j < cols; ++j)
      y[r * cols + j] = canonicalize(detail::log_softmax_value(x[r * cols + j], e.m, log_s));
  }
}

void softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols) {
  softmax_backward_prefixes("ref::softmax_backward", y, dy, dx, rows, cols, {});
}

void causal_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                             const CausalMask& mask) {
  constexpr const char* fn = "ref::causal_softmax_backward";
  softmax_backward_prefixes(fn, y, dy, dx, rows, cols, detail::causal_prefix(fn, mask));
}

void log_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols) {
  if (detail::check_softmax_backward_call("ref::log_softmax_backward", y, dy, dx, rows, cols, detail::kHostReader) == 0) return;
  for (std::int64_t r = 0; r < rows; ++r) {
    const float *yr = y + r * cols, *dyr = dy + r * cols;
    const float c = sum_of(Vec(dyr, dyr + cols));
    for (std::int64_t j = 0; j < cols; ++j)
      dx[r * cols + j] = canonicalize(detail::log_softmax_backward_value(yr[j], dyr[j], c));
  }
}

namespace {

void cross_entropy_rows(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols,
                        const CrossEntropyOptions& options, float* loss, float* dlogits) {
  constexpr const char* fn = "ref::cross_entropy";
  const detail::CrossEntropyRule rule = detail::cross_entropy_rule(fn, options, cols);
  detail::check_cross_entropy_call(fn, logits, labels, rows, cols, rule, loss, dlogits, detail::kHostReader);
  const std::int64_t kept = detail::kept_labels(fn, labels, rows, cols, rule.ignore);
  Vec terms(static_cast<std::size_t>(rows));
  for (std::int64_t r = 0; r < rows; ++r) {
    if (detail::cross_entropy_ignored(labels[r], rule.ignore)) {
      terms[r] = detail::cross_entropy_ignored_value();
      for (std::int64_t j = 0; dlogits && j < cols; ++j) dlogits[r * cols + j] = detail::cross_entropy_ignored_value();
      continue;
    }
    const float* xr = logits + r * cols;
    const Exps e = exps_of(xr, cols);
    const float log_s = math::log(e.s);
    terms[r] = detail::cross_entropy_nll(xr[labels[r]], e.m, log_s);
    if (rule.smoothing()) {
      Vec logp(static_cast<std::size_t>(cols));
      for (std::int64_t j = 0; j < cols; ++j) logp[j] = detail::log_softmax_value(xr[j], e.m, log_s);
      terms[r] = detail::cross_entropy_smoothed(terms[r], sum_of(logp), rule.a, rule.b);
    }
    for (std::int64_t j = 0; dlogits && j < cols; ++j)
      dlogits[r * cols + j] = canonicalize(detail::cross_entropy_grad(
          e.e[j], e.s, detail::cross_entropy_target(j == labels[r], rule.a, rule.b), rule.divisor(kept)));
  }
  switch (rule.reduction) {
    case LossReduction::mean: *loss = canonicalize(detail::row_mean(sum_of(terms), kept)); break;
    case LossReduction::sum: *loss = canonicalize(sum_of(terms)); break;
    case LossReduction::none:
      for (std::int64_t r = 0; r < rows; ++r) loss[r] = canonicalize(terms[r]);
      break;
  }
}

}  // namespace

void cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols, float* loss,
                   float* dlogits) {
  cross_entropy_rows(logits, labels, rows, cols, {}, loss, dlogits);
}

void cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols,
                   const CrossEntropyOptions& options, float* loss, float* dlogits) {
  cross_entropy_rows(logits, labels, rows, cols, options, loss, dlogits);
}

void layer_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                std::int64_t rows, std::int64_t cols, float eps) {
  detail::check_layer_norm_call("ref::layer_norm", x, gamma, beta, y, mean, rstd, rows, cols, eps, detail::kHostReader);
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    const float mu = detail::row_mean(sum_of(Vec(xr, xr + cols)), cols);
    Vec q(static_cast<std::size_t>(cols));
    for (std::int64_t j = 0; j < cols; ++j) q[j] = detail::layer_norm_sq_dev(xr[j], mu);
    const float rs = detail::norm_rstd(detail::row_mean(sum_of(q), cols), eps);
    for (std::int64_t j = 0; j < cols; ++j)
      y[r * cols + j] = canonicalize(detail::layer_norm_value(xr[j], mu, rs, gamma[j], beta[j]));
    mean[r] = canonicalize(mu);
    rstd[r] = canonicalize(rs);
  }
}

void layer_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                         float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols) {
  detail::check_layer_norm_backward_call("ref::layer_norm_backward", x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows,
                                         cols, detail::kHostReader);
  Vec dgamma_terms(static_cast<std::size_t>(rows * cols));
  for (std::int64_t r = 0; r < rows; ++r) {
    const float *xr = x + r * cols, *dyr = dy + r * cols;
    Vec xhat(static_cast<std::size_t>(cols)), g(xhat.size()), gx(xhat.size());
    for (std::int64_t j = 0; j < cols; ++j) {
      xhat[j] = detail::layer_norm_xhat(xr[j], mean[r], rstd[r]);
      g[j] = detail::norm_backward_g(dyr[j], gamma[j]);
      gx[j] = detail::norm_backward_gx(g[j], xhat[j]);
      dgamma_terms[r * cols + j] = detail::norm_backward_dgamma_term(dyr[j], xhat[j]);
    }
    const float a = detail::row_mean(sum_of(g), cols), b = detail::row_mean(sum_of(gx), cols);
    for (std::int64_t j = 0; j < cols; ++j)
      dx[r * cols + j] = canonicalize(detail::layer_norm_backward_value(g[j], xhat[j], a, b, rstd[r]));
  }
  column_sums_of(dgamma_terms, rows, cols, dgamma);
  column_sums_of(Vec(dy, dy + rows * cols), rows, cols, dbeta);
}

void rms_norm(const float* x, const float* gamma, float* y, float* rstd, std::int64_t rows, std::int64_t cols,
              float eps) {
  detail::check_rms_norm_call("ref::rms_norm", x, gamma, y, rstd, rows, cols, eps, detail::kHostReader);
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    Vec q(static_cast<std::size_t>(cols));
    for (std::int64_t j = 0; j < cols; ++j) q[j] = detail::rms_norm_sq(xr[j]);
    const float rs = detail::norm_rstd(detail::row_mean(sum_of(q), cols), eps);
    for (std::int64_t j = 0; j < cols; ++j) y[r * cols + j] = canonicalize(detail::rms_norm_value(xr[j], rs, gamma[j]));
    rstd[r] = canonicalize(rs);
  }
}

void rms_norm_backward(const float* x, const float* gamma, const float* rstd, const float* dy, float* dx,
                       float* dgamma, std::int64_t rows, std::int64_t cols) {
  detail::check_rms_norm_backward_call("ref::rms_norm_backward", x, gamma, rstd, dy, dx, dgamma, rows, cols, detail::kHostReader);
  Vec dgamma_terms(static_cast<std::size_t>(rows * cols));
  for (std::int64_t r = 0; r < rows; ++r) {
    const float *xr = x + r * cols, *dyr = dy + r * cols;
    Vec xhat(static_cast<std::size_t>(cols)), g(xhat.size()), gx(xhat.size());
    for (std::int64_t j = 0; j < cols; ++j) {
      xhat[j] = detail::rms_norm_xhat(xr[j], rstd[r]);
      g[j] = detail::norm_backward_g(dyr[j], gamma[j]);
      gx[j] = detail::norm_backward_gx(g[j], xhat[j]);
      dgamma_terms[r * cols + j] = detail::norm_backward_dgamma_term(dyr[j], xhat[j]);
    }
    const float b = detail::row_mean(sum_of(gx), cols);
    for (std::int64_t j = 0; j < cols; ++j)
      dx[r * cols + j] = canonicalize(detail::rms_norm_backward_value(g[j], xhat[j], b, rstd[r]));
  }
  column_sums_of(dgamma_terms, rows, cols, dgamma);
}

}  // namespace detnum::ref
