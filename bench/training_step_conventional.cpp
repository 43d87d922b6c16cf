// The conventional CPU backend of the training-step benchmark: what a framework's CPU kernels
// amount to — Eigen's sgemm (its threads from OpenMP), OpenMP loops with libm's exp, log and erf,
// and bias and LayerNorm parameter gradients summed per thread and then added in thread order, and
// the clipping's sums of squares by OpenMP reductions (so their bits follow the thread count).
// Built with -mavx2 -mfma -fopenmp, as Eigen is in ../shared/anchors.md; dropout and initialization use detnum's (the step's random numbers are
// not what is being compared). Not used for anything but timing.
#include <Eigen/Core>

#include <algorithm>
#include <cmath>

#include "demo_backend.hpp"
#include "detnum/dropout.hpp"
#include "detnum/init.hpp"
#include "training_step_conventional.hpp"

namespace detnum_bench {
namespace {

using detnum::Transpose;
using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Strided = Eigen::Map<const RowMajorF, 0, Eigen::OuterStride<>>;

class Conventional final : public detnum::cli::HostMemoryBackend {
 public:
  explicit Conventional(int threads) : threads_(threads) { Eigen::setNbThreads(threads); }

  std::string name() const override { return "conventional/" + std::to_string(threads_); }
  std::string description() const override { return "Eigen sgemm and OpenMP loops"; }

  void gemm(Transpose ta, Transpose tb, std::int64_t m, std::int64_t n, std::int64_t k, const float* a,
            std::int64_t lda, const float* b, std::int64_t ldb, float* c, std::int64_t ldc) override {
    const Strided A(a, ta == Transpose::yes ? k : m, ta == Transpose::yes ? m : k, Eigen::OuterStride<>(lda));
    const Strided B(b, tb == Transpose::yes ? n : k, tb == Transpose::yes ? k : n, Eigen::OuterStride<>(ldb));
    Eigen::Map<RowMajorF, 0, Eigen::OuterStride<>> C(c, m, n, Eigen::OuterStride<>(ldc));
    if (ta == Transpose::yes && tb == Transpose::yes) C.noalias() = A.transpose() * B.transpose();
    else if (ta == Transpose::yes) C.noalias() = A.transpose() * B;
    else if (tb == Transpose::yes) C.noalias() = A * B.transpose();
    else C.noalias() = A * B;
  }
  void bias_add(float* x, const float* bias, std::int64_t rows, std::int64_t cols) override {
#pragma omp parallel for num_threads(threads_)
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t c = 0; c < cols; ++c) x[r * cols + c] += bias[c];
  }
  void column_sums(const float* x, std::int64_t rows, std::int64_t cols, float* out) override {
    detnum::cli::per_thread_column_sums(x, rows, cols, threads_, out);
  }
  void layer_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                  std::int64_t rows, std::int64_t cols, float eps) override {
#pragma omp parallel for num_threads(threads_)
    for (std::int64_t r = 0; r < rows; ++r) {
      const float* xr = x + r * cols;
      float s = 0.0f, q = 0.0f;
      for (std::int64_t c = 0; c < cols; ++c) s += xr[c];
      const float mu = s / static_cast<float>(cols);
      for (std::int64_t c = 0; c < cols; ++c) q += (xr[c] - mu) * (xr[c] - mu);
      const float rs = 1.0f / std::sqrt(q / static_cast<float>(cols) + eps);
      for (std::int64_t c = 0; c < cols; ++c) y[r * cols + c] = (xr[c] - mu) * rs * gamma[c] + beta[c];
      mean[r] = mu;
      rstd[r] = rs;
    }
  }
  void layer_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                           float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols) override {
    std::vector<float> xhat_dy(static_cast<std::size_t>(rows * cols));
#pragma omp parallel for num_threads(threads_)
    for (std::int64_t r = 0; r < rows; ++r) {
      float a = 0.0f, b = 0.0f;  // mean of dy * gamma, and of dy * gamma * xhat
      for (std::int64_t c = 0; c < cols; ++c) {
        const float xhat = (x[r * cols + c] - mean[r]) * rstd[r], g = dy[r * cols + c] * gamma[c];
        a += g;
        b += g * xhat;
        xhat_dy[r * cols + c] = xhat * dy[r * cols + c];
      }
      a /= static_cast<float>(cols);
      b /= static_cast<float>(cols);
      for (std::int64_t c = 0; c < cols; ++c) {
        const float xhat = (x[r * cols + c] - mean[r]) * rstd[r];
        dx[r * cols + c] = rstd[r] * (dy[r * cols + c] * gamma[c] - a - xhat * b);
      }
    }
    column_sums(xhat_dy.data(), rows, cols, dgamma);
    column_sums(dy, rows, cols, dbeta);
  }
  void gelu(const float* x, float* y, std::int64_t n) override {
#pragma omp parallel for num_threads(threads_)
    for (std::int64_t i = 0; i < n; ++i) y[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * 0.70710678f));
  }
  void gelu_backward(const float* x, const float* dy, float* dx, std::int64_t n) override {
#pragma omp parallel for num_threads(threads_)
    for (std::int64_t i = 0; i < n; ++i) {
      const float cdf = 0.5f * (1.0f + std::erf(x[i] * 0.70710678f));
      dx[i] = dy[i] * (cdf + x[i] * 0.39894228f * std::exp(-0.5f * x[i] * x[i]));
    }
  }
  void dropout_forward(const float* x, float* y, std::int64_t n, const detnum::DropoutParams& p,
                       std::uint8_t* mask) override {
    detnum::dropout_forward(x, y, n, p, mask, {threads_});
  }
  void dropout_backward(const float* dy, const std::uint8_t* mask, float* dx, std::int64_t n, float p) override {
    detnum::dropout_backward(dy, mask, dx, n, p, {threads_});
  }
  float cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols,
                      float* dlogits) override {
    float loss = 0.0f;
    for (std::int64_t r = 0; r < rows; ++r) {
      const float* z = logits + r * cols;
      float m = z[0], s = 0.0f;
      for (std::int64_t c = 1; c < cols; ++c) m = std::max(m, z[c]);
      for (std::int64_t c = 0; c < cols; ++c) s += std::exp(z[c] - m);
      loss += std::log(s) - (z[labels[r]] - m);
      for (std::int64_t c = 0; c < cols; ++c)
        dlogits[r * cols + c] = (std::exp(z[c] - m) / s - (c == labels[r] ? 1.0f : 0.0f)) / static_cast<float>(rows);
    }
    return loss / static_cast<float>(rows);
  }
  void adamw_step(std::span<const detnum::AdamWTensor> params, const detnum::AdamWParams& a) override {
    const float bc1 = 1.0f - std::pow(a.beta1, static_cast<float>(a.step));
    const float bc2 = 1.0f - std::pow(a.beta2, static_cast<float>(a.step));
    for (const detnum::AdamWTensor& t : params) {
      float *p = t.param, *m = t.m, *v = t.v;
      const float* g = t.grad;
#pragma omp parallel for num_threads(threads_)
      for (std::int64_t i = 0; i < t.n; ++i) {
        p[i] *= 1.0f - a.lr * a.weight_decay;
        m[i] = a.beta1 * m[i] + (1.0f - a.beta1) * g[i];
        v[i] = a.beta2 * v[i] + (1.0f - a.beta2) * g[i] * g[i];
        p[i] -= a.lr / bc1 * m[i] / (std::sqrt(v[i]) / std::sqrt(bc2) + a.eps);
      }
    }
  }
  void init_uniform(float* x, std::int64_t n, float lo, float hi, detnum::InitParams p) override {
    detnum::init_uniform(x, n, lo, hi, p, {threads_});
  }
  // Each tensor's sum of squares in float by OpenMP's reduction (its grouping follows the thread
  // count), the total norm from the sums, then the scale: torch's CPU clip_grad_norm_ in effect.
  float clip_grad_norm(std::span<const detnum::GradTensor> grads, float max_norm) override {
    float sum_sq = 0.0f;
    for (const detnum::GradTensor& t : grads) {
      float s = 0.0f;
      const float* g = t.data;
#pragma omp parallel for num_threads(threads_) reduction(+ : s)
      for (std::int64_t i = 0; i < t.n; ++i) s += g[i] * g[i];
      sum_sq += s;
    }
    const float norm = std::sqrt(sum_sq), c = std::min(max_norm / (norm + 1e-6f), 1.0f);
    for (const detnum::GradTensor& t : grads) {
      float* g = t.data;
#pragma omp parallel for num_threads(threads_)
      for (std::int64_t i = 0; i < t.n; ++i) g[i] *= c;
    }
    return norm;
  }

 private:
  int threads_;
};

}  // namespace

std::unique_ptr<detnum::cli::DemoBackend> make_conventional_backend(int threads) {
  if (!(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) return nullptr;
  return std::make_unique<Conventional>(threads);
}

}  // namespace detnum_bench
