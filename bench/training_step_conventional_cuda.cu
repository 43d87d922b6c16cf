// The conventional CUDA backend of the training-step benchmark: what a framework's GPU kernels
// amount to — cublasSgemm (default math: FP32, as PyTorch's matmul without TF32), one thread per
// element with CUDA's expf, erff and sqrtf, a warp per row for layer norm and cross-entropy, and
// float atomicAdd for the bias and LayerNorm parameter gradients and the mean loss (so their bits
// follow the scheduling). Dropout and initialization are detnum's (the step's random numbers are
// not what is compared). Built with the project's flags (--fmad=false): the peer's own
// multiply-adds are not contracted; libdevice's expf and erff use explicit fma and are unaffected.
// Not used for anything but timing.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include "demo_backend_device.hpp"
#include "detnum/cuda/dropout.hpp"
#include "detnum/cuda/init.hpp"
#include "training_step_conventional.hpp"

namespace detnum_bench {
namespace {

using detnum::Transpose;
constexpr int kThreads = 256, kWarp = 32;

int blocks_for(std::int64_t n) { return static_cast<int>(std::min<std::int64_t>((n + kThreads - 1) / kThreads, 65535)); }

#define GRID_STRIDE(i, n)                                                                                 \
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x)

__device__ float warp_sum(float v) {
  for (int h = kWarp / 2; h >= 1; h /= 2) v += __shfl_xor_sync(0xFFFFFFFFu, v, h);
  return v;
}
__device__ float warp_max(float v) {
  for (int h = kWarp / 2; h >= 1; h /= 2) v = fmaxf(v, __shfl_xor_sync(0xFFFFFFFFu, v, h));
  return v;
}

__global__ void bias_add_kernel(float* x, const float* bias, std::int64_t rows, std::int64_t cols) {
  GRID_STRIDE(i, rows * cols) x[i] += bias[i % cols];
}

// Each thread sums one column over a slice of rows, then adds its partial with an atomic.
__global__ void column_sums_kernel(const float* x, std::int64_t rows, std::int64_t cols, std::int64_t slice,
                                   float* out) {
  const std::int64_t c = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (c >= cols) return;
  const std::int64_t r0 = blockIdx.y * slice, r1 = r0 + slice < rows ? r0 + slice : rows;
  float s = 0.0f;
  for (std::int64_t r = r0; r < r1; ++r) s += x[r * cols + c];
  atomicAdd(&out[c], s);
}

// A warp per row: mean, then the variance of the deviations, then y.
__global__ void layer_norm_kernel(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                                  float* rstd, std::int64_t rows, std::int64_t cols, float eps) {
  const std::int64_t r = (static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
  const int lane = threadIdx.x % kWarp;
  if (r >= rows) return;
  const float* xr = x + r * cols;
  float s = 0.0f;
  for (std::int64_t c = lane; c < cols; c += kWarp) s += xr[c];
  const float mu = warp_sum(s) / static_cast<float>(cols);
  float q = 0.0f;
  for (std::int64_t c = lane; c < cols; c += kWarp) q += (xr[c] - mu) * (xr[c] - mu);
  const float rs = rsqrtf(warp_sum(q) / static_cast<float>(cols) + eps);
  for (std::int64_t c = lane; c < cols; c += kWarp) y[r * cols + c] = (xr[c] - mu) * rs * gamma[c] + beta[c];
  if (lane == 0) {
    mean[r] = mu;
    rstd[r] = rs;
  }
}

// A warp per row for dx; dgamma and dbeta gathered per block in shared memory, then one atomic per
// column and block.
__global__ void layer_norm_backward_kernel(const float* x, const float* gamma, const float* mean, const float* rstd,
                                           const float* dy, float* dx, float* dgamma, float* dbeta, std::int64_t rows,
                                           std::int64_t cols) {
  extern __shared__ float sums[];  // [2][cols]
  for (std::int64_t c = threadIdx.x; c < 2 * cols; c += blockDim.x) sums[c] = 0.0f;
  __syncthreads();
  const std::int64_t r = (static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
  const int lane = threadIdx.x % kWarp;
  if (r < rows) {
    const float* xr = x + r * cols;
    const float* dyr = dy + r * cols;
    const float mu = mean[r], rs = rstd[r];
    float a = 0.0f, b = 0.0f;
    for (std::int64_t c = lane; c < cols; c += kWarp) {
      const float xhat = (xr[c] - mu) * rs, g = dyr[c] * gamma[c];
      a += g;
      b += g * xhat;
      atomicAdd(&sums[c], xhat * dyr[c]);
      atomicAdd(&sums[cols + c], dyr[c]);
    }
    a = warp_sum(a) / static_cast<float>(cols);
    b = warp_sum(b) / static_cast<float>(cols);
    for (std::int64_t c = lane; c < cols; c += kWarp)
      dx[r * cols + c] = rs * (dyr[c] * gamma[c] - a - (xr[c] - mu) * rs * b);
  }
  __syncthreads();
  for (std::int64_t c = threadIdx.x; c < cols; c += blockDim.x) {
    atomicAdd(&dgamma[c], sums[c]);
    atomicAdd(&dbeta[c], sums[cols + c]);
  }
}

__global__ void gelu_kernel(const float* x, float* y, std::int64_t n) {
  GRID_STRIDE(i, n) y[i] = 0.5f * x[i] * (1.0f + erff(x[i] * 0.70710678f));
}

__global__ void gelu_backward_kernel(const float* x, const float* dy, float* dx, std::int64_t n) {
  GRID_STRIDE(i, n) {
    const float cdf = 0.5f * (1.0f + erff(x[i] * 0.70710678f));
    dx[i] = dy[i] * (cdf + x[i] * 0.39894228f * expf(-0.5f * x[i] * x[i]));
  }
}

// A warp per row: max, sum of exps, the row's loss added atomically, and dlogits.
__global__ void cross_entropy_kernel(const float* logits, const std::int32_t* labels, std::int64_t rows,
                                     std::int64_t cols, float* loss, float* dlogits) {
  const std::int64_t r = (static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp;
  const int lane = threadIdx.x % kWarp;
  if (r >= rows) return;
  const float* z = logits + r * cols;
  float m = -INFINITY;
  for (std::int64_t c = lane; c < cols; c += kWarp) m = fmaxf(m, z[c]);
  m = warp_max(m);
  float s = 0.0f;
  for (std::int64_t c = lane; c < cols; c += kWarp) s += expf(z[c] - m);
  s = warp_sum(s);
  const float inv_rows = 1.0f / static_cast<float>(rows);
  if (lane == 0) atomicAdd(loss, (logf(s) - (z[labels[r]] - m)) * inv_rows);
  for (std::int64_t c = lane; c < cols; c += kWarp)
    dlogits[r * cols + c] = (expf(z[c] - m) / s - (c == labels[r] ? 1.0f : 0.0f)) * inv_rows;
}

__global__ void adamw_kernel(float* p, const float* g, float* m, float* v, std::int64_t n, float lr, float beta1,
                             float beta2, float eps, float decay, float step_size, float inv_sqrt_bc2) {
  GRID_STRIDE(i, n) {
    const float mi = beta1 * m[i] + (1.0f - beta1) * g[i], vi = beta2 * v[i] + (1.0f - beta2) * g[i] * g[i];
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] * (1.0f - lr * decay) - step_size * mi / (sqrtf(vi) * inv_sqrt_bc2 + eps);
  }
}

void launched(const char* what) { detnum::cli::check_cuda(cudaGetLastError(), what); }

class ConventionalCuda final : public detnum::cli::DeviceMemoryBackend {
 public:
  ConventionalCuda() {
    if (cublasCreate(&handle_) != CUBLAS_STATUS_SUCCESS) throw std::runtime_error("cublasCreate failed");
    cublasSetStream(handle_, stream());
    loss_ = floats(1);
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
    bias_add_kernel<<<blocks_for(rows * cols), kThreads, 0, stream()>>>(x, bias, rows, cols);
    launched("bias_add_kernel");
  }
  void column_sums(const float* x, std::int64_t rows, std::int64_t cols, float* out) override {
    constexpr std::int64_t kSlice = 64;
    detnum::cli::check_cuda(cudaMemsetAsync(out, 0, static_cast<std::size_t>(cols) * 4, stream()), "cudaMemsetAsync");
    const dim3 grid(static_cast<unsigned>((cols + kThreads - 1) / kThreads), static_cast<unsigned>((rows + kSlice - 1) / kSlice));
    column_sums_kernel<<<grid, kThreads, 0, stream()>>>(x, rows, cols, kSlice, out);
    launched("column_sums_kernel");
  }
  void layer_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                  std::int64_t rows, std::int64_t cols, float eps) override {
    layer_norm_kernel<<<blocks_for(rows * kWarp), kThreads, 0, stream()>>>(x, gamma, beta, y, mean, rstd, rows, cols,
                                                                          eps);
    launched("layer_norm_kernel");
  }
  void layer_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                           float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols) override {
    detnum::cli::check_cuda(cudaMemsetAsync(dgamma, 0, static_cast<std::size_t>(cols) * 4, stream()), "cudaMemsetAsync");
    detnum::cli::check_cuda(cudaMemsetAsync(dbeta, 0, static_cast<std::size_t>(cols) * 4, stream()), "cudaMemsetAsync");
    layer_norm_backward_kernel<<<blocks_for(rows * kWarp), kThreads, 2 * cols * sizeof(float), stream()>>>(
        x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols);
    launched("layer_norm_backward_kernel");
  }
  void gelu(const float* x, float* y, std::int64_t n) override {
    gelu_kernel<<<blocks_for(n), kThreads, 0, stream()>>>(x, y, n);
    launched("gelu_kernel");
  }
  void gelu_backward(const float* x, const float* dy, float* dx, std::int64_t n) override {
    gelu_backward_kernel<<<blocks_for(n), kThreads, 0, stream()>>>(x, dy, dx, n);
    launched("gelu_backward_kernel");
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
    detnum::cli::check_cuda(cudaMemsetAsync(loss_, 0, sizeof(float), stream()), "cudaMemsetAsync");
    cross_entropy_kernel<<<blocks_for(rows * kWarp), kThreads, 0, stream()>>>(logits, labels, rows, cols, loss_,
                                                                             dlogits);
    launched("cross_entropy_kernel");
    float loss = 0.0f;
    download(&loss, loss_, 1);
    return loss;
  }
  void adamw_step(float* p, const float* g, float* m, float* v, std::int64_t n, const detnum::AdamWParams& a) override {
    const float bc1 = 1.0f - std::pow(a.beta1, static_cast<float>(a.step));
    const float bc2 = 1.0f - std::pow(a.beta2, static_cast<float>(a.step));
    adamw_kernel<<<blocks_for(n), kThreads, 0, stream()>>>(p, g, m, v, n, a.lr, a.beta1, a.beta2, a.eps,
                                                          a.weight_decay, a.lr / bc1, 1.0f / std::sqrt(bc2));
    launched("adamw_kernel");
  }
  void init_uniform(float* x, std::int64_t n, float lo, float hi, detnum::InitParams p) override {
    detnum::cuda::init_uniform(x, n, lo, hi, p, stream());
  }

 private:
  cublasHandle_t handle_ = nullptr;
  float* loss_ = nullptr;
};

}  // namespace

std::unique_ptr<detnum::cli::DemoBackend> make_conventional_cuda_backend(std::string& why) {
  return detnum::cli::make_device_backend<ConventionalCuda>(why);
}

}  // namespace detnum_bench
