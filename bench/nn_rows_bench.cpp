// Row ops on the CPU: detnum's next to the plain single-threaded loops a framework's CPU path
// amounts to (running sums in loop order, libm's exp and log), compiled for AVX2 as detnum's own
// loops are where the CPU has it (the compiler vectorizes what has no running sum; libm's expf
// and logf stay scalar calls, where a framework may have vectorized ones).
//
//   OP/det_cpu/R/C/threads   detnum::OP, CpuOptions{threads}
//   OP/naive/R/C/1           the plain loops:
//     softmax                max, e = std::exp(x - max) with a running sum, e / sum
//     layer_norm             running sums for the mean and the (two-pass) variance, then
//                            (x - mean) * rstd * gamma + beta
//     layer_norm_backward    per row xhat, g = dy * gamma, running sums of g and g * xhat, dx;
//                            dgamma and dbeta accumulated row after row
//     batch_norm             per column running sums (row after row) for the mean and the two-pass
//                            variance, then (x - mean) * rstd * gamma + beta
//     batch_norm_backward    per column running sums of dy and dy * xhat, then dx
//     rms_norm               a running sum of squares, then x * rstd * gamma
//     rms_norm_backward      per row a running sum of g * xhat, dx; dgamma accumulated row after row
//     log_softmax            max, log of the running sum of exps, x - max - log(sum)
//     softmax_backward       per row a running sum of y * dy, then y * (dy - sum)
//     causal_softmax         softmax of each row's kept prefix (llm.c's attention loop), zeros after
//     causal_softmax_backward   softmax_backward over the kept prefix, zeros after
//     log_softmax_backward   per row a running sum of dy, then dy - std::exp(y) * sum (y: log_softmax's)
//     cross_entropy          per row max, log of the running sum of exps, the loss summed row after
//                            row, and the gradient (softmax - one-hot) / rows
//     cross_entropy_smooth   the same with label smoothing 0.1: a running sum of the log-probabilities
//                            per row, and the smoothed target in the gradient
//
// Shape: 4096 x 1024 (the activations of 4096 tokens of width 1024; for the causal softmax, the
// attention scores of 4 heads of a 1024-token sequence: CausalMask{1024}); cross-entropy also on
// 1024 x 32000 (a vocabulary's logits). bytes_per_second counts the R C floats the op reads and
// writes: 8 R C bytes (x in, y out; logits in, dlogits out), 12 R C for the backward passes (x or
// y, and dy in, dx out). det_cpu is compared bit for bit with detnum::ref before timing; the naive loops
// promise nothing of the kind (libm differs between versions, and a running sum's order is the loop's).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <thread>
#include <vector>

#include "detnum/norm.hpp"
#include "detnum/softmax.hpp"

namespace {

using std::int64_t;

std::vector<float> values(int64_t n, float scale, int64_t salt) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] = (static_cast<float>((i * 7919 + 13 + static_cast<std::size_t>(salt)) % 2003) / 1001.0f - 1.0f) * scale;
  return v;
}

// Inputs and outputs of every op; each op reads and writes the ones it names.
struct Rows {
  int64_t rows, cols;
  std::vector<float> x, dy, gamma, beta;
  std::vector<std::int32_t> labels;
  // Outputs (each op names its own, which det_cpu and ref must write alike).
  std::vector<float> y, dx, mean, rstd, dgamma, dbeta, loss, bn_mean, bn_rstd;
  explicit Rows(const benchmark::State& state)
      : rows(state.range(0)),
        cols(state.range(1)),
        x(values(rows * cols, 8.0f, 0)),
        dy(values(rows * cols, 1.0f, 101)),
        gamma(values(cols, 1.0f, 7)),
        beta(values(cols, 0.5f, 3)),
        labels(static_cast<std::size_t>(rows)),
        y(x.size()),
        dx(x.size()),
        mean(static_cast<std::size_t>(rows)),
        rstd(mean.size()),
        dgamma(gamma.size()),
        dbeta(gamma.size()),
        loss(1),
        bn_mean(gamma.size()),
        bn_rstd(gamma.size()) {
    for (int64_t r = 0; r < rows; ++r) labels[r] = static_cast<std::int32_t>((r * 7919) % cols);
    // The backward passes take a forward pass's statistics (layer norm's rstd serves RMS norm's
    // backward as well: any positive row scale does) and softmax_backward its y.
    detnum::layer_norm(x.data(), gamma.data(), beta.data(), y.data(), mean.data(), rstd.data(), rows, cols, kEps);
    detnum::batch_norm(x.data(), gamma.data(), beta.data(), y.data(), bn_mean.data(), bn_rstd.data(), rows, cols, kEps);
    detnum::softmax(x.data(), y.data(), rows, cols);
  }
  static constexpr float kEps = 1e-5f;
};

// --- The ops: detnum's call, its reference, and the plain loops --------------------------------

// The plain loops' softmax numerators: e_j = std::exp(x_j - max) into e; returns their running sum.
[[gnu::target("avx2")]] float naive_exps(const float* x, float* e, int64_t cols, float* max) {
  float mx = x[0], s = 0.0f;
  for (int64_t j = 1; j < cols; ++j) mx = std::max(mx, x[j]);
  for (int64_t j = 0; j < cols; ++j) s += e[j] = std::exp(x[j] - mx);
  *max = mx;
  return s;
}

struct Softmax {
  static std::vector<std::vector<float>*> outputs(Rows& m) { return {&m.y}; }
  static constexpr int64_t kBytesPerElement = 8;
  static void det(Rows& m, detnum::CpuOptions o) { detnum::softmax(m.x.data(), m.y.data(), m.rows, m.cols, o); }
  static void ref(Rows& m) { detnum::ref::softmax(m.x.data(), m.y.data(), m.rows, m.cols); }
  [[gnu::target("avx2")]] static void naive(Rows& m) {
    for (int64_t r = 0; r < m.rows; ++r) {
      float* y = m.y.data() + r * m.cols;
      float mx;
      const float s = naive_exps(m.x.data() + r * m.cols, y, m.cols, &mx);
      for (int64_t j = 0; j < m.cols; ++j) y[j] /= s;
    }
  }
};

// Attention scores of 1024 queries a head: row r keeps its first r % 1024 + 1 columns.
const detnum::CausalMask kCausal{1024, 0};
std::int64_t causal_kept(std::int64_t r, std::int64_t cols) { return std::min(cols, r % kCausal.period + 1); }

struct CausalSoftmax {
  static std::vector<std::vector<float>*> outputs(Rows& m) { return {&m.y}; }
  static constexpr int64_t kBytesPerElement = 8;
  static void det(Rows& m, detnum::CpuOptions o) {
    detnum::causal_softmax(m.x.data(), m.y.data(), m.rows, m.cols, kCausal, o);
  }
  static void ref(Rows& m) { detnum::ref::causal_softmax(m.x.data(), m.y.data(), m.rows, m.cols, kCausal); }
  [[gnu::target("avx2")]] static void naive(Rows& m) {
    for (int64_t r = 0; r < m.rows; ++r) {
      const int64_t k = causal_kept(r, m.cols);
      float* y = m.y.data() + r * m.cols;
      float mx;
      const float s = naive_exps(m.x.data() + r * m.cols, y, k, &mx);
      for (int64_t j = 0; j < k; ++j) y[j] /= s;
      for (int64_t j = k; j < m.cols; ++j) y[j] = 0.0f;
    }
  }
};

struct LayerNorm {
  static std::vector<std::vector<float>*> outputs(Rows& m) { return {&m.y, &m.mean, &m.rstd}; }
  static constexpr int64_t kBytesPerElement = 8;
  static void det(Rows& m, detnum::CpuOptions o) {
    detnum::layer_norm(m.x.data(), m.gamma.data(), m.beta.data(), m.y.data(), m.mean.data(), m.rstd.data(), m.rows,
                       m.cols, Rows::kEps, o);
  }
  static void ref(Rows& m) {
    detnum::ref::layer_norm(m.x.data(), m.gamma.data(), m.beta.data(), m.y.data(), m.mean.data(), m.rstd.data(),
                            m.rows, m.cols, Rows::kEps);
  }
  [[gnu::target("avx2")]] static void naive(Rows& m) {
    const float n = static_cast<float>(m.cols);
    for (int64_t r = 0; r < m.rows; ++r) {
      const float* x = m.x.data() + r * m.cols;
      float* y = m.y.data() + r * m.cols;
      float s = 0.0f, q = 0.0f;
      for (int64_t j = 0; j < m.cols; ++j) s += x[j];
      const float mu = s / n;
      for (int64_t j = 0; j < m.cols; ++j) q += (x[j] - mu) * (x[j] - mu);
      const float rs = 1.0f / std::sqrt(q / n + Rows::kEps);
      for (int64_t j = 0; j < m.cols; ++j) y[j] = (x[j] - mu) * rs * m.gamma[j] + m.beta[j];
      m.mean[r] = mu;
      m.rstd[r] = rs;
    }
  }
};

struct LayerNormBackward {
  static std::vector<std::vector<float>*> outputs(Rows& m) { return {&m.dx, &m.dgamma, &m.dbeta}; }
  static constexpr int64_t kBytesPerElement = 12;
  static void det(Rows& m, detnum::CpuOptions o) {
    detnum::layer_norm_backward(m.x.data(), m.gamma.data(), m.mean.data(), m.rstd.data(), m.dy.data(), m.dx.data(),
                                m.dgamma.data(), m.dbeta.data(), m.rows, m.cols, o);
  }
  static void ref(Rows& m) {
    detnum::ref::layer_norm_backward(m.x.data(), m.gamma.data(), m.mean.data(), m.rstd.data(), m.dy.data(),
                                     m.dx.data(), m.dgamma.data(), m.dbeta.data(), m.rows, m.cols);
  }
  [[gnu::target("avx2")]] static void naive(Rows& m) {
    const float n = static_cast<float>(m.cols);
    std::fill(m.dgamma.begin(), m.dgamma.end(), 0.0f);
    std::fill(m.dbeta.begin(), m.dbeta.end(), 0.0f);
    for (int64_t r = 0; r < m.rows; ++r) {
      const float *x = m.x.data() + r * m.cols, *dy = m.dy.data() + r * m.cols;
      float* dx = m.dx.data() + r * m.cols;
      const float mu = m.mean[r], rs = m.rstd[r];
      float sg = 0.0f, sgx = 0.0f;
      for (int64_t j = 0; j < m.cols; ++j) {
        const float xhat = (x[j] - mu) * rs, g = dy[j] * m.gamma[j];
        sg += g;
        sgx += g * xhat;
        m.dgamma[j] += dy[j] * xhat;
        m.dbeta[j] += dy[j];
      }
      for (int64_t j = 0; j < m.cols; ++j) {
        const float xhat = (x[j] - mu) * rs;
        dx[j] = (dy[j] * m.gamma[j] - sg / n - xhat * (sgx / n)) * rs;
      }
    }
  }
};

// Batch norm: the statistics over the rows, per column. The plain loops keep running sums per
// column, row after row (as a framework's CPU kernel walks a channels-last batch).
struct BatchNorm {
  static std::vector<std::vector<float>*> outputs(Rows& m) { return {&m.y, &m.bn_mean, &m.bn_rstd}; }
  static constexpr int64_t kBytesPerElement = 8;
  static void det(Rows& m, detnum::CpuOptions o) {
    detnum::batch_norm(m.x.data(), m.gamma.data(), m.beta.data(), m.y.data(), m.bn_mean.data(), m.bn_rstd.data(),
                       m.rows, m.cols, Rows::kEps, {}, o);
  }
  static void ref(Rows& m) {
    detnum::ref::batch_norm(m.x.data(), m.gamma.data(), m.beta.data(), m.y.data(), m.bn_mean.data(), m.bn_rstd.data(),
                            m.rows, m.cols, Rows::kEps);
  }
  [[gnu::target("avx2")]] static void naive(Rows& m) {
    const float n = static_cast<float>(m.rows);
    float* mu = m.bn_mean.data();
    float* rs = m.bn_rstd.data();
    std::fill(m.bn_mean.begin(), m.bn_mean.end(), 0.0f);
    std::fill(m.bn_rstd.begin(), m.bn_rstd.end(), 0.0f);
    for (int64_t r = 0; r < m.rows; ++r)
      for (int64_t j = 0; j < m.cols; ++j) mu[j] += m.x[r * m.cols + j];
    for (int64_t j = 0; j < m.cols; ++j) mu[j] /= n;
    for (int64_t r = 0; r < m.rows; ++r)
      for (int64_t j = 0; j < m.cols; ++j) {
        const float d = m.x[r * m.cols + j] - mu[j];
        rs[j] += d * d;
      }
    for (int64_t j = 0; j < m.cols; ++j) rs[j] = 1.0f / std::sqrt(rs[j] / n + Rows::kEps);
    for (int64_t r = 0; r < m.rows; ++r)
      for (int64_t j = 0; j < m.cols; ++j)
        m.y[r * m.cols + j] = (m.x[r * m.cols + j] - mu[j]) * rs[j] * m.gamma[j] + m.beta[j];
  }
};

struct BatchNormBackward {
  static std::vector<std::vector<float>*> outputs(Rows& m) { return {&m.dx, &m.dgamma, &m.dbeta}; }
  static constexpr int64_t kBytesPerElement = 12;
  static void det(Rows& m, detnum::CpuOptions o) {
    detnum::batch_norm_backward(m.x.data(), m.gamma.data(), m.bn_mean.data(), m.bn_rstd.data(), m.dy.data(),
                                m.dx.data(), m.dgamma.data(), m.dbeta.data(), m.rows, m.cols, o);
  }
  static void ref(Rows& m) {
    detnum::ref::batch_norm_backward(m.x.data(), m.gamma.data(), m.bn_mean.data(), m.bn_rstd.data(), m.dy.data(),
                                     m.dx.data(), m.dgamma.data(), m.dbeta.data(), m.rows, m.cols);
  }
  [[gnu::target("avx2")]] static void naive(Rows& m) {
    const float n = static_cast<float>(m.rows);
    std::fill(m.dgamma.begin(), m.dgamma.end(), 0.0f);
    std::fill(m.dbeta.begin(), m.dbeta.end(), 0.0f);
    for (int64_t r = 0; r < m.rows; ++r)
      for (int64_t j = 0; j < m.cols; ++j) {
        const float dy = m.dy[r * m.cols + j];
        m.dbeta[j] += dy;
        m.dgamma[j] += dy * ((m.x[r * m.cols + j] - m.bn_mean[j]) * m.bn_rstd[j]);
      }
    for (int64_t r = 0; r < m.rows; ++r)
      for (int64_t j = 0; j < m.cols; ++j) {
        const float xhat = (m.x[r * m.cols + j] - m.bn_mean[j]) * m.bn_rstd[j];
        m.dx[r * m.cols + j] =
            (m.dy[r * m.cols + j] - m.dbeta[j] / n - xhat * (m.dgamma[j] / n)) * (m.gamma[j] * m.bn_rstd[j]);
      }
  }
};

struct RmsNorm {
  static std::vector<std::vector<float>*> outputs(Rows& m) { return {&m.y, &m.rstd}; }
  static constexpr int64_t kBytesPerElement = 8;
  static void det(Rows& m, detnum::CpuOptions o) {
    detnum::rms_norm(m.x.data(), m.gamma.data(), m.y.data(), m.rstd.data(), m.rows, m.cols, Rows::kEps, o);
  }
  static void ref(Rows& m) {
    detnum::ref::rms_norm(m.x.data(), m.gamma.data(), m.y.data(), m.rstd.data(), m.rows, m.cols, Rows::kEps);
  }
  [[gnu::target("avx2")]] static void naive(Rows& m) {
    for (int64_t r = 0; r < m.rows; ++r) {
      const float* x = m.x.data() + r * m.cols;
      float* y = m.y.data() + r * m.cols;
      float q = 0.0f;
      for (int64_t j = 0; j < m.cols; ++j) q += x[j] * x[j];
      const float rs = 1.0f / std::sqrt(q / static_cast<float>(m.cols) + Rows::kEps);
      for (int64_t j = 0; j < m.cols; ++j) y[j] = x[j] * rs * m.gamma[j];
      m.rstd[r] = rs;
    }
  }
};

struct RmsNormBackward {
  static std::vector<std::vector<float>*> outputs(Rows& m) { return {&m.dx, &m.dgamma}; }
  static constexpr int64_t kBytesPerElement = 12;
  static void det(Rows& m, detnum::CpuOptions o) {
    detnum::rms_norm_backward(m.x.data(), m.gamma.data(), m.rstd.data(), m.dy.data(), m.dx.data(), m.dgamma.data(),
                              m.rows, m.cols, o);
  }
  static void ref(Rows& m) {
    detnum::ref::rms_norm_backward(m.x.data(), m.gamma.data(), m.rstd.data(), m.dy.data(), m.dx.data(),
                                   m.dgamma.data(), m.rows, m.cols);
  }
  [[gnu::target("avx2")]] static void naive(Rows& m) {
    const float n = static_cast<float>(m.cols);
    std::fill(m.dgamma.begin(), m.dgamma.end(), 0.0f);
    for (int64_t r = 0; r < m.rows; ++r) {
      const float *x = m.x.data() + r * m.cols, *dy = m.dy.data() + r * m.cols;
      float* dx = m.dx.data() + r * m.cols;
      const float rs = m.rstd[r];
      float sgx = 0.0f;
      for (int64_t j = 0; j < m.cols; ++j) {
        sgx += dy[j] * m.gamma[j] * (x[j] * rs);
        m.dgamma[j] += dy[j] * (x[j] * rs);
      }
      for (int64_t j = 0; j < m.cols; ++j) dx[j] = (dy[j] * m.gamma[j] - x[j] * rs * (sgx / n)) * rs;
    }
  }
};

struct LogSoftmax {
  static std::vector<std::vector<float>*> outputs(Rows& m) { return {&m.y}; }
  static constexpr int64_t kBytesPerElement = 8;
  static void det(Rows& m, detnum::CpuOptions o) { detnum::log_softmax(m.x.data(), m.y.data(), m.rows, m.cols, o); }
  static void ref(Rows& m) { detnum::ref::log_softmax(m.x.data(), m.y.data(), m.rows, m.cols); }
  [[gnu::target("avx2")]] static void naive(Rows& m) {
    for (int64_t r = 0; r < m.rows; ++r) {
      const float* x = m.x.data() + r * m.cols;
      float* y = m.y.data() + r * m.cols;
      float mx;
      const float log_s = std::log(naive_exps(x, y, m.cols, &mx));
      for (int64_t j = 0; j < m.cols; ++j) y[j] = x[j] - mx - log_s;
    }
  }
};

// y is the softmax of x (Rows' constructor), dy the upstream gradient.
struct SoftmaxBackward {
  static std::vector<std::vector<float>*> outputs(Rows& m) { return {&m.dx}; }
  static constexpr int64_t kBytesPerElement = 12;
  static void det(Rows& m, detnum::CpuOptions o) {
    detnum::softmax_backward(m.y.data(), m.dy.data(), m.dx.data(), m.rows, m.cols, o);
  }
  static void ref(Rows& m) { detnum::ref::softmax_backward(m.y.data(), m.dy.data(), m.dx.data(), m.rows, m.cols); }
  [[gnu::target("avx2")]] static void naive(Rows& m) {
    for (int64_t r = 0; r < m.rows; ++r) {
      const float *y = m.y.data() + r * m.cols, *dy = m.dy.data() + r * m.cols;
      float* dx = m.dx.data() + r * m.cols;
      float c = 0.0f;
      for (int64_t j = 0; j < m.cols; ++j) c += y[j] * dy[j];
      for (int64_t j = 0; j < m.cols; ++j) dx[j] = y[j] * (dy[j] - c);
    }
  }
};

// y is the (unmasked) softmax of x: any y serves the timing.
struct CausalSoftmaxBackward {
  static std::vector<std::vector<float>*> outputs(Rows& m) { return {&m.dx}; }
  static constexpr int64_t kBytesPerElement = 12;
  static void det(Rows& m, detnum::CpuOptions o) {
    detnum::causal_softmax_backward(m.y.data(), m.dy.data(), m.dx.data(), m.rows, m.cols, kCausal, o);
  }
  static void ref(Rows& m) {
    detnum::ref::causal_softmax_backward(m.y.data(), m.dy.data(), m.dx.data(), m.rows, m.cols, kCausal);
  }
  [[gnu::target("avx2")]] static void naive(Rows& m) {
    for (int64_t r = 0; r < m.rows; ++r) {
      const int64_t k = causal_kept(r, m.cols);
      const float *y = m.y.data() + r * m.cols, *dy = m.dy.data() + r * m.cols;
      float* dx = m.dx.data() + r * m.cols;
      float c = 0.0f;
      for (int64_t j = 0; j < k; ++j) c += y[j] * dy[j];
      for (int64_t j = 0; j < k; ++j) dx[j] = y[j] * (dy[j] - c);
      for (int64_t j = k; j < m.cols; ++j) dx[j] = 0.0f;
    }
  }
};

struct CrossEntropy {
  static std::vector<std::vector<float>*> outputs(Rows& m) { return {&m.loss, &m.dx}; }
  static constexpr int64_t kBytesPerElement = 8;
  static void det(Rows& m, detnum::CpuOptions o) {
    detnum::cross_entropy(m.x.data(), m.labels.data(), m.rows, m.cols, m.loss.data(), m.dx.data(), o);
  }
  static void ref(Rows& m) {
    detnum::ref::cross_entropy(m.x.data(), m.labels.data(), m.rows, m.cols, m.loss.data(), m.dx.data());
  }
  [[gnu::target("avx2")]] static void naive(Rows& m) {
    const float inv_rows = 1.0f / static_cast<float>(m.rows);
    float total = 0.0f;
    for (int64_t r = 0; r < m.rows; ++r) {
      const float* x = m.x.data() + r * m.cols;
      float* d = m.dx.data() + r * m.cols;
      float mx;
      const float s = naive_exps(x, d, m.cols, &mx);
      total += std::log(s) + mx - x[m.labels[r]];
      for (int64_t j = 0; j < m.cols; ++j) d[j] = d[j] / s * inv_rows;
      d[m.labels[r]] -= inv_rows;
    }
    m.loss[0] = total * inv_rows;
  }
};

// With label smoothing 0.1: the target is 0.9 at the label plus 0.1 / cols everywhere.
struct CrossEntropySmooth {
  static constexpr float kEps = 0.1f;
  static std::vector<std::vector<float>*> outputs(Rows& m) { return {&m.loss, &m.dx}; }
  static constexpr int64_t kBytesPerElement = 8;
  static void det(Rows& m, detnum::CpuOptions o) {
    detnum::cross_entropy(m.x.data(), m.labels.data(), m.rows, m.cols, {.label_smoothing = kEps}, m.loss.data(),
                          m.dx.data(), o);
  }
  static void ref(Rows& m) {
    detnum::ref::cross_entropy(m.x.data(), m.labels.data(), m.rows, m.cols, {.label_smoothing = kEps}, m.loss.data(),
                               m.dx.data());
  }
  [[gnu::target("avx2")]] static void naive(Rows& m) {
    const float inv_rows = 1.0f / static_cast<float>(m.rows), b = kEps / static_cast<float>(m.cols);
    float total = 0.0f;
    for (int64_t r = 0; r < m.rows; ++r) {
      const float* x = m.x.data() + r * m.cols;
      float* d = m.dx.data() + r * m.cols;
      float mx;
      const float s = naive_exps(x, d, m.cols, &mx), log_s = std::log(s);
      float u = 0.0f;  // the sum of the log-probabilities
      for (int64_t j = 0; j < m.cols; ++j) u += x[j] - mx - log_s;
      total += (1.0f - kEps) * (log_s + mx - x[m.labels[r]]) - b * u;
      for (int64_t j = 0; j < m.cols; ++j) d[j] = (d[j] / s - b) * inv_rows;
      d[m.labels[r]] -= (1.0f - kEps) * inv_rows;
    }
    m.loss[0] = total * inv_rows;
  }
};

// y is the log-softmax of x (setup), dy the upstream gradient.
struct LogSoftmaxBackward {
  static std::vector<std::vector<float>*> outputs(Rows& m) { return {&m.dx}; }
  static constexpr int64_t kBytesPerElement = 12;
  static void setup(Rows& m) { detnum::log_softmax(m.x.data(), m.y.data(), m.rows, m.cols); }
  static void det(Rows& m, detnum::CpuOptions o) {
    detnum::log_softmax_backward(m.y.data(), m.dy.data(), m.dx.data(), m.rows, m.cols, o);
  }
  static void ref(Rows& m) { detnum::ref::log_softmax_backward(m.y.data(), m.dy.data(), m.dx.data(), m.rows, m.cols); }
  [[gnu::target("avx2")]] static void naive(Rows& m) {
    for (int64_t r = 0; r < m.rows; ++r) {
      const float *y = m.y.data() + r * m.cols, *dy = m.dy.data() + r * m.cols;
      float* dx = m.dx.data() + r * m.cols;
      float s = 0.0f;
      for (int64_t j = 0; j < m.cols; ++j) s += dy[j];
      for (int64_t j = 0; j < m.cols; ++j) dx[j] = dy[j] - std::exp(y[j]) * s;
    }
  }
};

// --- The benchmarks -------------------------------------------------------------------------------

// Inputs an op needs beyond Rows' own (log_softmax_backward's y).
template <class Op>
void setup(Rows& m) {
  if constexpr (requires { Op::setup(m); }) Op::setup(m);
}

template <class Op>
void count(benchmark::State& state, const Rows& m) {
  state.SetBytesProcessed(state.iterations() * m.rows * m.cols * Op::kBytesPerElement);
}

template <class Op>
void BM_det_cpu(benchmark::State& state) {
  Rows m(state);
  setup<Op>(m);
  const detnum::CpuOptions options{static_cast<int>(state.range(2))};
  Op::ref(m);
  std::vector<std::vector<float>> want;
  for (auto* out : Op::outputs(m)) {
    want.push_back(*out);
    std::fill(out->begin(), out->end(), std::numeric_limits<float>::quiet_NaN());  // an output left unwritten shows
  }
  Op::det(m, options);
  const auto outs = Op::outputs(m);
  for (std::size_t i = 0; i < outs.size(); ++i)
    if (std::memcmp(outs[i]->data(), want[i].data(), want[i].size() * sizeof(float)) != 0)
      return state.SkipWithError("det_cpu differs from detnum::ref");
  for (auto _ : state) {
    Op::det(m, options);
    benchmark::DoNotOptimize(m.y.data());
    benchmark::DoNotOptimize(m.dx.data());
  }
  count<Op>(state, m);
}

template <class Op>
void BM_naive(benchmark::State& state) {
  if (!__builtin_cpu_supports("avx2")) return state.SkipWithError("the plain loops are built for AVX2, which this CPU lacks");
  Rows m(state);
  setup<Op>(m);
  for (auto _ : state) {
    Op::naive(m);
    benchmark::DoNotOptimize(m.y.data());
    benchmark::DoNotOptimize(m.dx.data());
    benchmark::ClobberMemory();
  }
  count<Op>(state, m);
}

void det_shapes(benchmark::internal::Benchmark* b, int64_t rows, int64_t cols) {
  b->Args({rows, cols, 1});
  if (std::thread::hardware_concurrency() > 1) b->Args({rows, cols, 2});
  b->UseRealTime()->Unit(benchmark::kMillisecond);
}
void activations_det(benchmark::internal::Benchmark* b) { det_shapes(b, 4096, 1024); }
void activations_naive(benchmark::internal::Benchmark* b) {
  b->Args({4096, 1024, 1})->UseRealTime()->Unit(benchmark::kMillisecond);
}
void logits_det(benchmark::internal::Benchmark* b) {
  det_shapes(b, 4096, 1024);
  det_shapes(b, 1024, 32000);
}
void logits_naive(benchmark::internal::Benchmark* b) {
  activations_naive(b);
  b->Args({1024, 32000, 1});
}

BENCHMARK(BM_det_cpu<Softmax>)->Name("softmax/det_cpu")->Apply(activations_det);
BENCHMARK(BM_naive<Softmax>)->Name("softmax/naive")->Apply(activations_naive);
BENCHMARK(BM_det_cpu<LayerNorm>)->Name("layer_norm/det_cpu")->Apply(activations_det);
BENCHMARK(BM_naive<LayerNorm>)->Name("layer_norm/naive")->Apply(activations_naive);
BENCHMARK(BM_det_cpu<LayerNormBackward>)->Name("layer_norm_backward/det_cpu")->Apply(activations_det);
BENCHMARK(BM_naive<LayerNormBackward>)->Name("layer_norm_backward/naive")->Apply(activations_naive);
BENCHMARK(BM_det_cpu<BatchNorm>)->Name("batch_norm/det_cpu")->Apply(activations_det);
BENCHMARK(BM_naive<BatchNorm>)->Name("batch_norm/naive")->Apply(activations_naive);
BENCHMARK(BM_det_cpu<BatchNormBackward>)->Name("batch_norm_backward/det_cpu")->Apply(activations_det);
BENCHMARK(BM_naive<BatchNormBackward>)->Name("batch_norm_backward/naive")->Apply(activations_naive);
BENCHMARK(BM_det_cpu<RmsNorm>)->Name("rms_norm/det_cpu")->Apply(activations_det);
BENCHMARK(BM_naive<RmsNorm>)->Name("rms_norm/naive")->Apply(activations_naive);
BENCHMARK(BM_det_cpu<RmsNormBackward>)->Name("rms_norm_backward/det_cpu")->Apply(activations_det);
BENCHMARK(BM_naive<RmsNormBackward>)->Name("rms_norm_backward/naive")->Apply(activations_naive);
BENCHMARK(BM_det_cpu<LogSoftmax>)->Name("log_softmax/det_cpu")->Apply(activations_det);
BENCHMARK(BM_naive<LogSoftmax>)->Name("log_softmax/naive")->Apply(activations_naive);
BENCHMARK(BM_det_cpu<SoftmaxBackward>)->Name("softmax_backward/det_cpu")->Apply(activations_det);
BENCHMARK(BM_naive<SoftmaxBackward>)->Name("softmax_backward/naive")->Apply(activations_naive);
BENCHMARK(BM_det_cpu<CausalSoftmax>)->Name("causal_softmax/det_cpu")->Apply(activations_det);
BENCHMARK(BM_naive<CausalSoftmax>)->Name("causal_softmax/naive")->Apply(activations_naive);
BENCHMARK(BM_det_cpu<CausalSoftmaxBackward>)->Name("causal_softmax_backward/det_cpu")->Apply(activations_det);
BENCHMARK(BM_naive<CausalSoftmaxBackward>)->Name("causal_softmax_backward/naive")->Apply(activations_naive);
BENCHMARK(BM_det_cpu<LogSoftmaxBackward>)->Name("log_softmax_backward/det_cpu")->Apply(activations_det);
BENCHMARK(BM_naive<LogSoftmaxBackward>)->Name("log_softmax_backward/naive")->Apply(activations_naive);
BENCHMARK(BM_det_cpu<CrossEntropy>)->Name("cross_entropy/det_cpu")->Apply(logits_det);
BENCHMARK(BM_naive<CrossEntropy>)->Name("cross_entropy/naive")->Apply(logits_naive);
BENCHMARK(BM_det_cpu<CrossEntropySmooth>)->Name("cross_entropy_smooth/det_cpu")->Apply(logits_det);
BENCHMARK(BM_naive<CrossEntropySmooth>)->Name("cross_entropy_smooth/naive")->Apply(logits_naive);

}  // namespace
