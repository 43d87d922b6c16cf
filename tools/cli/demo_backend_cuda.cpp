// The demo's CUDA backend: detnum's CUDA ops on one stream of device 0, every buffer device
// memory. The loss is copied to the host once per step (the only synchronization). Also the
// device memory that it shares with the training-step benchmark's conventional CUDA backend.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "demo_backend_device.hpp"
#include "detnum/cuda/adamw.hpp"
#include "detnum/cuda/clip.hpp"
#include "detnum/cuda/dropout.hpp"
#include "detnum/cuda/fingerprint.hpp"
#include "detnum/cuda/gemm.hpp"
#include "detnum/cuda/init.hpp"
#include "detnum/cuda/norm.hpp"
#include "detnum/cuda/pointwise.hpp"
#include "detnum/cuda/reduce.hpp"
#include "detnum/cuda/softmax.hpp"

namespace detnum::cli {

void check_cuda(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
}

DeviceMemoryBackend::DeviceMemoryBackend() {
  check_cuda(cudaStreamCreate(&stream_), "cudaStreamCreate");
  cudaDeviceProp prop{};
  check_cuda(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
  device_ = prop.name;
}

DeviceMemoryBackend::~DeviceMemoryBackend() {
  cudaStreamSynchronize(stream_);
  for (void* p : allocations_) cudaFree(p);
  cudaFree(scratch_);
  cudaStreamDestroy(stream_);
}

void* DeviceMemoryBackend::scratch(std::size_t bytes) {
  if (bytes > scratch_bytes_) {
    check_cuda(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");  // the old buffer may still be in use
    check_cuda(cudaFree(scratch_), "cudaFree");
    scratch_ = nullptr;
    scratch_bytes_ = 0;
    check_cuda(cudaMalloc(&scratch_, bytes), "cudaMalloc");
    scratch_bytes_ = bytes;
  }
  return scratch_;
}

Fingerprint DeviceMemoryBackend::fingerprint(const float* x, std::vector<std::int64_t> shape) {
  return cuda::fingerprint(TensorView::of(x, std::move(shape)), stream_);
}

void* DeviceMemoryBackend::alloc(std::int64_t bytes) {
  void* p = nullptr;
  check_cuda(cudaMalloc(&p, static_cast<std::size_t>(std::max<std::int64_t>(bytes, 1))), "cudaMalloc");
  allocations_.push_back(p);
  check_cuda(cudaMemsetAsync(p, 0, static_cast<std::size_t>(bytes), stream_), "cudaMemsetAsync");
  return p;
}

void DeviceMemoryBackend::copy(void* dst, const void* src, std::int64_t bytes, cudaMemcpyKind kind) {
  check_cuda(cudaMemcpyAsync(dst, src, static_cast<std::size_t>(bytes), kind, stream_), "cudaMemcpyAsync");
  check_cuda(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
}

bool cuda_device_usable(std::string& why) {
  int count = 0;
  if (const cudaError_t e = cudaGetDeviceCount(&count); e != cudaSuccess || count == 0) {
    why = e != cudaSuccess ? std::string("no usable CUDA device (") + cudaGetErrorString(e) + ")" : "no CUDA device";
    return false;
  }
  return true;
}

namespace {

class CudaBackend final : public DeviceMemoryBackend {
 public:
  std::string name() const override { return "cuda"; }
  std::string description() const override { return "detnum on CUDA, " + device_name(); }

  void gemm(Transpose ta, Transpose tb, std::int64_t m, std::int64_t n, std::int64_t k, const float* a,
            std::int64_t lda, const float* b, std::int64_t ldb, float* c, std::int64_t ldc) override {
    cuda::gemm(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc, stream());
  }
  void bias_add(float* x, const float* bias, std::int64_t rows, std::int64_t cols) override {
    cuda::bias_add(x, bias, x, rows, cols, stream());
  }
  void column_sums(const float* x, std::int64_t rows, std::int64_t cols, float* out) override {
    const MatrixLayout m = MatrixLayout::dense(rows, cols);
    cuda::column_sums(x, m, out, stream(), workspace(cuda::column_sums_workspace_bytes(m)));
  }
  void layer_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                  std::int64_t rows, std::int64_t cols, float eps) override {
    cuda::layer_norm(x, gamma, beta, y, mean, rstd, rows, cols, eps, stream());
  }
  void layer_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                           float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols) override {
    cuda::layer_norm_backward(x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols, stream(),
                              workspace(cuda::layer_norm_backward_workspace_bytes(rows, cols)));
  }
  void gelu(const float* x, float* y, std::int64_t n) override { cuda::gelu(x, y, n, stream()); }
  void gelu_backward(const float* x, const float* dy, float* dx, std::int64_t n) override {
    cuda::gelu_backward(x, dy, dx, n, stream());
  }
  void dropout_forward(const float* x, float* y, std::int64_t n, const DropoutParams& p, std::uint8_t* mask) override {
    cuda::dropout_forward(x, y, n, p, mask, stream());
  }
  void dropout_backward(const float* dy, const std::uint8_t* mask, float* dx, std::int64_t n, float p) override {
    cuda::dropout_backward(dy, mask, dx, n, p, stream());
  }
  float cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols,
                      float* dlogits) override {
    if (loss_ == nullptr) loss_ = floats(1);
    cuda::cross_entropy(logits, labels, rows, cols, loss_, dlogits, stream(),
                        workspace(cuda::cross_entropy_workspace_bytes(rows, cols)));
    float loss = 0.0f;
    download(&loss, loss_, 1);
    return loss;
  }
  void adamw_step(std::span<const AdamWTensor> params, const AdamWParams& p) override {
    cuda::adamw_step(params, p, stream());
  }
  void init_uniform(float* x, std::int64_t n, float lo, float hi, InitParams p) override {
    cuda::init_uniform(x, n, lo, hi, p, stream());
  }
  float clip_grad_norm(std::span<const GradTensor> grads, float max_norm) override {
    if (grad_norm_ == nullptr) grad_norm_ = floats(1);
    cuda::clip_grad_norm(grads, max_norm, grad_norm_, stream(), workspace(cuda::clip_grad_norm_workspace_bytes(grads)));
    float n = 0.0f;
    download(&n, grad_norm_, 1);
    return n;
  }

 private:
  // The backend's scratch as an op's workspace (none when the op needs none).
  cuda::Workspace workspace(std::size_t bytes) {
    return bytes == 0 ? cuda::Workspace{} : cuda::Workspace{scratch(bytes), bytes};
  }

  float* loss_ = nullptr;
  float* grad_norm_ = nullptr;
};

}  // namespace

std::unique_ptr<DemoBackend> make_cuda_demo_backend(std::string& why) { return make_device_backend<CudaBackend>(why); }

}  // namespace detnum::cli
