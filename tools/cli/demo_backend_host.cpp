// The demo's CPU backends: detnum's CPU ops at a fixed thread count, and the same with a
// conventional, thread-count-dependent bias gradient (for the divergence the demo shows).
#include <algorithm>

#include "demo_backend.hpp"
#include "detnum/norm.hpp"
#include "detnum/pointwise.hpp"
#include "detnum/reduce.hpp"
#include "detnum/softmax.hpp"

namespace detnum::cli {
namespace {

class HostBackend final : public HostMemoryBackend {
 public:
  HostBackend(int threads, bool naive) : o_{threads}, naive_(naive) {}

  std::string name() const override { return std::string(naive_ ? "naive" : "cpu") + "/" + std::to_string(o_.threads); }
  std::string description() const override {
    const std::string threads = std::to_string(o_.threads) + " thread" + (o_.threads == 1 ? "" : "s");
    return naive_ ? "CPU, per-thread bias gradients, " + threads : "detnum on the CPU, " + threads;
  }

  void gemm(Transpose ta, Transpose tb, std::int64_t m, std::int64_t n, std::int64_t k, const float* a,
            std::int64_t lda, const float* b, std::int64_t ldb, float* c, std::int64_t ldc) override {
    detnum::gemm(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc, o_);
  }
  void bias_add(float* x, const float* bias, std::int64_t rows, std::int64_t cols) override {
    detnum::bias_add(x, bias, x, rows, cols, o_);
  }
  void column_sums(const float* x, std::int64_t rows, std::int64_t cols, float* out) override {
    if (naive_) return per_thread_column_sums(x, rows, cols, o_.threads, out);
    detnum::column_sums(x, MatrixLayout::dense(rows, cols), out, o_);
  }
  void layer_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                  std::int64_t rows, std::int64_t cols, float eps) override {
    detnum::layer_norm(x, gamma, beta, y, mean, rstd, rows, cols, eps, o_);
  }
  void layer_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                           float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols) override {
    detnum::layer_norm_backward(x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols, o_);
  }
  void gelu(const float* x, float* y, std::int64_t n) override { detnum::gelu(x, y, n, o_); }
  void gelu_backward(const float* x, const float* dy, float* dx, std::int64_t n) override {
    detnum::gelu_backward(x, dy, dx, n, o_);
  }
  void dropout_forward(const float* x, float* y, std::int64_t n, const DropoutParams& p, std::uint8_t* mask) override {
    detnum::dropout_forward(x, y, n, p, mask, o_);
  }
  void dropout_backward(const float* dy, const std::uint8_t* mask, float* dx, std::int64_t n, float p) override {
    detnum::dropout_backward(dy, mask, dx, n, p, o_);
  }
  float cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols,
                      float* dlogits) override {
    float loss = 0.0f;
    detnum::cross_entropy(logits, labels, rows, cols, &loss, dlogits, o_);
    return loss;
  }
  void adamw_step(std::span<const AdamWTensor> params, const AdamWParams& p) override {
    detnum::adamw_step(params, p, o_);
  }
  void init_uniform(float* x, std::int64_t n, float lo, float hi, InitParams p) override {
    detnum::init_uniform(x, n, lo, hi, p, o_);
  }
  float clip_grad_norm(std::span<const GradTensor> grads, float max_norm) override {
    return detnum::clip_grad_norm(grads, max_norm, o_);
  }

 private:
  CpuOptions o_;
  bool naive_;
};

}  // namespace

float* HostMemoryBackend::floats(std::int64_t n) {
  return floats_.emplace_back(static_cast<std::size_t>(n), 0.0f).data();
}
std::int32_t* HostMemoryBackend::ints(std::int64_t n) {
  return ints_.emplace_back(static_cast<std::size_t>(n), 0).data();
}
std::uint8_t* HostMemoryBackend::bytes(std::int64_t n) {
  return bytes_.emplace_back(static_cast<std::size_t>(n), 0).data();
}
void HostMemoryBackend::upload(float* dst, const float* src, std::int64_t n) { std::copy_n(src, n, dst); }
void HostMemoryBackend::upload(std::int32_t* dst, const std::int32_t* src, std::int64_t n) {
  std::copy_n(src, n, dst);
}
void HostMemoryBackend::download(float* dst, const float* src, std::int64_t n) { std::copy_n(src, n, dst); }
Fingerprint HostMemoryBackend::fingerprint(const float* x, std::vector<std::int64_t> shape) {
  return detnum::fingerprint(TensorView::of(x, std::move(shape)));
}

void per_thread_column_sums(const float* x, std::int64_t rows, std::int64_t cols, int threads, float* out) {
  std::vector<float> partial(static_cast<std::size_t>(threads * cols), 0.0f);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int t = 0; t < threads; ++t)
    for (std::int64_t r = rows * t / threads; r < rows * (t + 1) / threads; ++r)
      for (std::int64_t c = 0; c < cols; ++c) partial[t * cols + c] += x[r * cols + c];
  for (std::int64_t c = 0; c < cols; ++c) {
    float s = 0.0f;
    for (int t = 0; t < threads; ++t) s += partial[t * cols + c];
    out[c] = s;
  }
}

std::unique_ptr<DemoBackend> make_host_demo_backend(int threads, bool naive_bias_grad) {
  return std::make_unique<HostBackend>(threads, naive_bias_grad);
}

}  // namespace detnum::cli
