// The conventional CUDA backend of the training-step benchmark: cublasSgemm (default math: FP32,
// as PyTorch's matmul without TF32) and the conventional kernels of conventional_cuda.hpp (CUDA's
// libm, float atomics for the bias and LayerNorm gradients, the loss and the clipping's sum of
// squares). Dropout and
// initialization are detnum's (the step's random numbers are not what is compared). Not used for
// anything but timing.
#include <cublas_v2.h>

#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "conventional_cuda.hpp"
#include "demo_backend_device.hpp"
#include "detnum/cuda/dropout.hpp"
#include "detnum/cuda/init.hpp"
#include "training_step_conventional.hpp"

namespace detnum_bench {
namespace {

using detnum::Transpose;

class ConventionalCuda final : public detnum::cli::DeviceMemoryBackend {
 public:
  ConventionalCuda() {
    if (cublasCreate(&handle_) != CUBLAS_STATUS_SUCCESS) throw std::runtime_error("cublasCreate failed");
    if (cublasSetStream(handle_, stream()) != CUBLAS_STATUS_SUCCESS) {
      cublasDestroy(handle_);
      throw std::runtime_error("cublasSetStream failed");
    }
    loss_ = floats(1);
    sum_sq_ = floats(1);
  }
  ~ConventionalCuda() override { cublasDestroy(handle_); }

  std::string name() const override { return "conventional_cuda"; }
  std::string description() const override { return "cuBLAS and float-atomic kernels, " + device_name(); }

  // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T.
  void gemm(Transpose ta, Transpose tb, std::int64_t m, std::int64_t n, std::int64_t k, const float* a,
            std::int64_t lda, const float* b, std::int64_t ldb, float* c, std::int64_t ldc) override {
    const float one = 1.0f, zero = 0.0f;
    const cublasStatus_t s = cublasSgemm(
        handle_, tb == Transpose::yes ? CUBLAS_OP_T : CUBLAS_OP_N, ta == Transpose::yes ? CUBLAS_OP_T : CUBLAS_OP_N,
        static_cast<int>(n), static_cast<int>(m), static_cast<int>(k), &one, b, static_cast<int>(ldb), a,
        static_cast<int>(lda), &zero, c, static_cast<int>(ldc));
    if (s != CUBLAS_STATUS_SUCCESS) throw std::runtime_error("cublasSgemm failed");
  }
  void bias_add(float* x, const float* bias, std::int64_t rows, std::int64_t cols) override {
    conventional::bias_add(x, bias, rows, cols, stream());
  }
  void column_sums(const float* x, std::int64_t rows, std::int64_t cols, float* out) override {
    conventional::column_sums(x, rows, cols, out, stream());
  }
  void layer_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                  std::int64_t rows, std::int64_t cols, float eps) override {
    conventional::layer_norm(x, gamma, beta, y, mean, rstd, rows, cols, eps, stream());
  }
  void layer_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                           float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols) override {
    conventional::layer_norm_backward(x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols, stream());
  }
  void gelu(const float* x, float* y, std::int64_t n) override { conventional::gelu(x, y, n, stream()); }
  void gelu_backward(const float* x, const float* dy, float* dx, std::int64_t n) override {
    conventional::gelu_backward(x, dy, dx, n, stream());
  }
  void dropout_forward(const float* x, float* y, std::int64_t n, const detnum::DropoutParams& p,
                       std::uint8_t* mask) override {
    detnum::cuda::dropout_forward(x, y, n, p, mask, stream());
  }
  void dropout_backward(const float* dy, const std::uint8_t* mask, float* dx, std::int64_t n, float p) override {
    detnum::cuda::dropout_backward(dy, mask, dx, n, p, stream());
  }
  float cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols,
                      float* dlogits) override {
    conventional::cross_entropy(logits, labels, rows, cols, loss_, dlogits, stream());
    float loss = 0.0f;
    download(&loss, loss_, 1);
    return loss;
  }
  void adamw_step(std::span<const detnum::AdamWTensor> params, const detnum::AdamWParams& a) override {
    conventional::adamw_list(params.data(), static_cast<int>(params.size()), a.lr, a.beta1, a.beta2, a.eps,
                             a.weight_decay, a.step, stream());
  }
  void init_uniform(float* x, std::int64_t n, float lo, float hi, detnum::InitParams p) override {
    detnum::cuda::init_uniform(x, n, lo, hi, p, stream());
  }
  float clip_grad_norm(std::span<const detnum::GradTensor> grads, float max_norm) override {
    std::vector<float*> data;
    std::vector<std::int64_t> n;
    for (const detnum::GradTensor& t : grads) {
      data.push_back(t.data);
      n.push_back(t.n);
    }
    conventional::clip_grad_norm(data.data(), n.data(), static_cast<int>(n.size()), max_norm, sum_sq_, stream());
    float s = 0.0f;
    download(&s, sum_sq_, 1);
    return std::sqrt(s);
  }

 private:
  cublasHandle_t handle_ = nullptr;
  float* loss_ = nullptr;
  float* sum_sq_ = nullptr;
};

}  // namespace

std::unique_ptr<detnum::cli::DemoBackend> make_conventional_cuda_backend(std::string& why) {
  return detnum::cli::make_device_backend<ConventionalCuda>(why);
}

}  // namespace detnum_bench
