// The conventional kernels of conventional_cuda.hpp and their launches.
#include "conventional_cuda.hpp"

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace detnum_bench::conventional {
namespace {

constexpr int kThreads = 256, kWarp = 32;

int blocks_for(std::int64_t n) { return static_cast<int>(std::min<std::int64_t>((n + kThreads - 1) / kThreads, 65535)); }

// A warp per row, grid-stride.
#define WARP_ROWS(r, rows)                                                                                      \
  for (std::int64_t r = (static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / kWarp; r < (rows); \
       r += static_cast<std::int64_t>(gridDim.x) * blockDim.x / kWarp)

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

// Each thread sums its column's terms over a slice of rows, then adds each sum to its output with
// an atomic (frameworks' column reductions for bias and LayerNorm parameter gradients).
template <int K>
struct Outputs {
  float* p[K];
};
template <class Terms>
__global__ void column_partials_kernel(Terms terms, std::int64_t rows, std::int64_t cols, std::int64_t slice,
                                       Outputs<Terms::K> out) {
  const std::int64_t c = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (c >= cols) return;
  const std::int64_t r0 = blockIdx.y * slice, r1 = r0 + slice < rows ? r0 + slice : rows;
  float acc[Terms::K] = {};
  for (std::int64_t r = r0; r < r1; ++r) terms.add(r, c, acc);
  for (int k = 0; k < Terms::K; ++k) atomicAdd(&out.p[k][c], acc[k]);
}

struct Plain {  // x itself
  static constexpr int K = 1;
  const float* x;
  std::int64_t cols;
  __device__ void add(std::int64_t r, std::int64_t c, float (&acc)[K]) const { acc[0] += x[r * cols + c]; }
};

struct GammaBeta {  // xhat * dy (dgamma's terms) and dy (dbeta's)
  static constexpr int K = 2;
  const float *x, *mean, *rstd, *dy;
  std::int64_t cols;
  __device__ void add(std::int64_t r, std::int64_t c, float (&acc)[K]) const {
    const float d = dy[r * cols + c];
    acc[0] += (x[r * cols + c] - mean[r]) * rstd[r] * d;
    acc[1] += d;
  }
};

struct XhatDy {  // x * rstd * dy (RMS norm's dgamma terms)
  static constexpr int K = 1;
  const float *x, *rstd, *dy;
  std::int64_t cols;
  __device__ void add(std::int64_t r, std::int64_t c, float (&acc)[K]) const {
    acc[0] += x[r * cols + c] * rstd[r] * dy[r * cols + c];
  }
};

// A warp per row: mean, then the variance of the deviations, then y.
__global__ void layer_norm_kernel(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                                  float* rstd, std::int64_t rows, std::int64_t cols, float eps) {
  const int lane = threadIdx.x % kWarp;
  WARP_ROWS(r, rows) {
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
}

__global__ void rms_norm_kernel(const float* x, const float* gamma, float* y, float* rstd, std::int64_t rows,
                                std::int64_t cols, float eps) {
  const int lane = threadIdx.x % kWarp;
  WARP_ROWS(r, rows) {
    const float* xr = x + r * cols;
    float q = 0.0f;
    for (std::int64_t c = lane; c < cols; c += kWarp) q += xr[c] * xr[c];
    const float rs = rsqrtf(warp_sum(q) / static_cast<float>(cols) + eps);
    for (std::int64_t c = lane; c < cols; c += kWarp) y[r * cols + c] = xr[c] * rs * gamma[c];
    if (lane == 0) rstd[r] = rs;
  }
}

// A warp per row for dx; dgamma and dbeta by column_partials_kernel.
__global__ void layer_norm_backward_dx_kernel(const float* x, const float* gamma, const float* mean, const float* rstd,
                                              const float* dy, float* dx, std::int64_t rows, std::int64_t cols) {
  const int lane = threadIdx.x % kWarp;
  WARP_ROWS(r, rows) {
    const float* xr = x + r * cols;
    const float* dyr = dy + r * cols;
    const float mu = mean[r], rs = rstd[r];
    float a = 0.0f, b = 0.0f;  // sums of dy * gamma and of dy * gamma * xhat
    for (std::int64_t c = lane; c < cols; c += kWarp) {
      const float g = dyr[c] * gamma[c];
      a += g;
      b += g * (xr[c] - mu) * rs;
    }
    a = warp_sum(a) / static_cast<float>(cols);
    b = warp_sum(b) / static_cast<float>(cols);
    for (std::int64_t c = lane; c < cols; c += kWarp)
      dx[r * cols + c] = rs * (dyr[c] * gamma[c] - a - (xr[c] - mu) * rs * b);
  }
}

// A warp per row for dx; dgamma by column_partials_kernel.
__global__ void rms_norm_backward_dx_kernel(const float* x, const float* gamma, const float* rstd, const float* dy,
                                            float* dx, std::int64_t rows, std::int64_t cols) {
  const int lane = threadIdx.x % kWarp;
  WARP_ROWS(r, rows) {
    const float* xr = x + r * cols;
    const float* dyr = dy + r * cols;
    const float rs = rstd[r];
    float b = 0.0f;  // the sum of dy * gamma * xhat
    for (std::int64_t c = lane; c < cols; c += kWarp) b += dyr[c] * gamma[c] * xr[c] * rs;
    b = warp_sum(b) / static_cast<float>(cols);
    for (std::int64_t c = lane; c < cols; c += kWarp) dx[r * cols + c] = rs * (dyr[c] * gamma[c] - xr[c] * rs * b);
  }
}

__global__ void relu_kernel(const float* x, float* y, std::int64_t n) { GRID_STRIDE(i, n) y[i] = fmaxf(x[i], 0.0f); }

__global__ void relu_backward_kernel(const float* x, const float* dy, float* dx, std::int64_t n) {
  GRID_STRIDE(i, n) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
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

// PyTorch's forms with CUDA's expf.
__global__ void silu_kernel(const float* x, float* y, std::int64_t n) {
  GRID_STRIDE(i, n) y[i] = x[i] / (1.0f + expf(-x[i]));
}

__global__ void silu_backward_kernel(const float* x, const float* dy, float* dx, std::int64_t n) {
  GRID_STRIDE(i, n) {
    const float s = 1.0f / (1.0f + expf(-x[i]));
    dx[i] = dy[i] * s * (1.0f + x[i] * (1.0f - s));
  }
}

// PyTorch's tanh-approximated GELU and its gradient, sigmoid and tanh, with CUDA's tanhf and expf.
constexpr float kGeluBeta = 0.7978845608f, kGeluKappa = 0.044715f;
__global__ void gelu_tanh_kernel(const float* x, float* y, std::int64_t n) {
  GRID_STRIDE(i, n) y[i] = 0.5f * x[i] * (1.0f + tanhf(kGeluBeta * (x[i] + kGeluKappa * x[i] * x[i] * x[i])));
}

__global__ void gelu_tanh_backward_kernel(const float* x, const float* dy, float* dx, std::int64_t n) {
  GRID_STRIDE(i, n) {
    const float x2 = x[i] * x[i], t = tanhf(kGeluBeta * (x[i] + kGeluKappa * x2 * x[i]));
    const float right = 0.5f * x[i] * (1.0f - t * t) * (kGeluBeta * (1.0f + 3.0f * kGeluKappa * x2));
    dx[i] = dy[i] * (0.5f * (1.0f + t) + right);
  }
}

__global__ void sigmoid_kernel(const float* x, float* y, std::int64_t n) {
  GRID_STRIDE(i, n) y[i] = 1.0f / (1.0f + expf(-x[i]));
}

__global__ void sigmoid_backward_kernel(const float* y, const float* dy, float* dx, std::int64_t n) {
  GRID_STRIDE(i, n) dx[i] = dy[i] * (1.0f - y[i]) * y[i];
}

__global__ void tanh_kernel(const float* x, float* y, std::int64_t n) { GRID_STRIDE(i, n) y[i] = tanhf(x[i]); }

__global__ void tanh_backward_kernel(const float* y, const float* dy, float* dx, std::int64_t n) {
  GRID_STRIDE(i, n) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

// The mean of a loss's terms as PyTorch's fused kernels amount to: each thread's terms summed, a
// warp's partials shuffled together, one float atomicAdd of sum / n a warp; dx written on the way.
// Loss::element(x, t, inv_n, dx) returns the term and sets the gradient.
template <class Loss>
__global__ void mean_loss_kernel(const float* x, const float* t, std::int64_t n, float* loss, float* dx) {
  const float inv_n = 1.0f / static_cast<float>(n);
  float s = 0.0f;
  GRID_STRIDE(i, n) s += Loss::element(x[i], t[i], inv_n, dx[i]);
  s = warp_sum(s);
  if (threadIdx.x % kWarp == 0) atomicAdd(loss, s * inv_n);
}

// (x - t)^2; dx = (x - t) * (2 / n).
struct Mse {
  __device__ static float element(float x, float t, float inv_n, float& dx) {
    const float d = x - t;
    dx = d * (2.0f * inv_n);
    return d * d;
  }
};

// The binary cross-entropy of logits with CUDA's expf and log1pf; dx = (sigmoid(x) - t) / n.
struct BceWithLogits {
  __device__ static float element(float x, float t, float inv_n, float& dx) {
    const float e = expf(-fabsf(x));
    const float sig = x >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
    dx = (sig - t) * inv_n;
    return (1.0f - t) * x - fminf(x, 0.0f) + log1pf(e);
  }
};

// A row's maximum and sum of exp(z - max), each lane of the warp taking every 32nd column.
struct MaxAndSum {
  float max, sum;
};
__device__ MaxAndSum max_and_sum(const float* z, std::int64_t cols, int lane) {
  float m = -INFINITY;
  for (std::int64_t c = lane; c < cols; c += kWarp) m = fmaxf(m, z[c]);
  m = warp_max(m);
  float s = 0.0f;
  for (std::int64_t c = lane; c < cols; c += kWarp) s += expf(z[c] - m);
  return {m, warp_sum(s)};
}

// A warp per row.
__global__ void softmax_kernel(const float* x, float* y, std::int64_t rows, std::int64_t cols) {
  const int lane = threadIdx.x % kWarp;
  WARP_ROWS(r, rows) {
    const float* z = x + r * cols;
    const MaxAndSum a = max_and_sum(z, cols, lane);
    for (std::int64_t c = lane; c < cols; c += kWarp) y[r * cols + c] = expf(z[c] - a.max) / a.sum;
  }
}

__global__ void log_softmax_kernel(const float* x, float* y, std::int64_t rows, std::int64_t cols) {
  const int lane = threadIdx.x % kWarp;
  WARP_ROWS(r, rows) {
    const float* z = x + r * cols;
    const MaxAndSum a = max_and_sum(z, cols, lane);
    const float shift = a.max + logf(a.sum);
    for (std::int64_t c = lane; c < cols; c += kWarp) y[r * cols + c] = z[c] - shift;
  }
}

// Causal attention scores, llm.c's way: a warp per row over the first r % period + 1 columns,
// zeros after.
__global__ void causal_softmax_kernel(const float* x, float* y, std::int64_t rows, std::int64_t cols,
                                      std::int64_t period) {
  const int lane = threadIdx.x % kWarp;
  WARP_ROWS(r, rows) {
    const float* z = x + r * cols;
    const std::int64_t k = r % period + 1 < cols ? r % period + 1 : cols;
    const MaxAndSum a = max_and_sum(z, k, lane);
    for (std::int64_t c = lane; c < cols; c += kWarp) y[r * cols + c] = c < k ? expf(z[c] - a.max) / a.sum : 0.0f;
  }
}

__global__ void causal_softmax_backward_kernel(const float* y, const float* dy, float* dx, std::int64_t rows,
                                               std::int64_t cols, std::int64_t period) {
  const int lane = threadIdx.x % kWarp;
  WARP_ROWS(r, rows) {
    const float *yr = y + r * cols, *dyr = dy + r * cols;
    const std::int64_t k = r % period + 1 < cols ? r % period + 1 : cols;
    float s = 0.0f;
    for (std::int64_t c = lane; c < k; c += kWarp) s += yr[c] * dyr[c];
    s = warp_sum(s);
    for (std::int64_t c = lane; c < cols; c += kWarp) dx[r * cols + c] = c < k ? yr[c] * (dyr[c] - s) : 0.0f;
  }
}

// A warp per row: dx = y * (dy - dot(y, dy)) for softmax, dy - exp(y) * sum(dy) for log-softmax.
template <bool kLog>
__global__ void softmax_backward_kernel(const float* y, const float* dy, float* dx, std::int64_t rows,
                                        std::int64_t cols) {
  const int lane = threadIdx.x % kWarp;
  WARP_ROWS(r, rows) {
    const float* yr = y + r * cols;
    const float* dyr = dy + r * cols;
    float s = 0.0f;
    for (std::int64_t c = lane; c < cols; c += kWarp) s += kLog ? dyr[c] : yr[c] * dyr[c];
    s = warp_sum(s);
    for (std::int64_t c = lane; c < cols; c += kWarp)
      dx[r * cols + c] = kLog ? dyr[c] - expf(yr[c]) * s : yr[c] * (dyr[c] - s);
  }
}

// A warp per row: the row's loss added atomically, and dlogits.
__global__ void cross_entropy_kernel(const float* logits, const std::int32_t* labels, std::int64_t rows,
                                     std::int64_t cols, float* loss, float* dlogits) {
  const int lane = threadIdx.x % kWarp;
  WARP_ROWS(r, rows) {
    const float* z = logits + r * cols;
    const MaxAndSum a = max_and_sum(z, cols, lane);
    const float m = a.max, s = a.sum;
    const float inv_rows = 1.0f / static_cast<float>(rows);
    if (lane == 0) atomicAdd(loss, (logf(s) - (z[labels[r]] - m)) * inv_rows);
    for (std::int64_t c = lane; c < cols; c += kWarp)
      dlogits[r * cols + c] = (expf(z[c] - m) / s - (c == labels[r] ? 1.0f : 0.0f)) * inv_rows;
  }
}

struct AdamWConstants {
  float lr, beta1, beta2, eps, decay, step_size, inv_sqrt_bc2;
};
__device__ __forceinline__ void adamw_element(const AdamWConstants& a, float* p, const float* g, float* m, float* v,
                                              std::int64_t i) {
  const float mi = a.beta1 * m[i] + (1.0f - a.beta1) * g[i], vi = a.beta2 * v[i] + (1.0f - a.beta2) * g[i] * g[i];
  m[i] = mi;
  v[i] = vi;
  p[i] = p[i] * (1.0f - a.lr * a.decay) - a.step_size * mi / (sqrtf(vi) * a.inv_sqrt_bc2 + a.eps);
}

__global__ void adamw_kernel(float* p, const float* g, float* m, float* v, std::int64_t n, AdamWConstants a) {
  GRID_STRIDE(i, n) adamw_element(a, p, g, m, v, i);
}

// torch.optim.SGD's momentum step (not the first), as a plain kernel (nvcc may fuse its products).
__global__ void sgd_kernel(float* p, const float* g, float* b, std::int64_t n, float lr, float momentum,
                           float dampening, float weight_decay) {
  GRID_STRIDE(i, n) {
    const float d = g[i] + weight_decay * p[i];
    b[i] = momentum * b[i] + (1.0f - dampening) * d;
    p[i] -= lr * b[i];
  }
}

// Up to 128 tensors a launch, passed by value (2 KB of kernel parameters); blockIdx.y picks one.
constexpr int kTensorsPerLaunch = 128;
struct TensorTable {
  float* data[kTensorsPerLaunch];
  std::int64_t n[kTensorsPerLaunch];
};

__global__ void sum_squares_kernel(TensorTable t, float* sum_sq) {
  const float* x = t.data[blockIdx.y];
  const std::int64_t n = t.n[blockIdx.y];
  float a = 0.0f;
  GRID_STRIDE(i, n) a += x[i] * x[i];
  a = warp_sum(a);
  if (threadIdx.x % kWarp == 0 && a != 0.0f) atomicAdd(sum_sq, a);
}

__global__ void clip_scale_kernel(TensorTable t, const float* sum_sq, float max_norm) {
  float c = max_norm / (sqrtf(*sum_sq) + 1e-6f);
  c = fminf(c, 1.0f);
  float* x = t.data[blockIdx.y];
  const std::int64_t n = t.n[blockIdx.y];
  GRID_STRIDE(i, n) x[i] *= c;
}

constexpr int kAdamWPerLaunch = 64;
struct AdamWTable {
  detnum::AdamWTensor t[kAdamWPerLaunch];
};

__global__ void adamw_list_kernel(AdamWTable table, AdamWConstants a) {
  const detnum::AdamWTensor t = table.t[blockIdx.y];
  GRID_STRIDE(i, t.n) adamw_element(a, t.param, t.grad, t.m, t.v, i);
}

// PyTorch's scalars of a step (float pow, as torch computes the bias corrections on the host).
AdamWConstants adamw_constants(float lr, float beta1, float beta2, float eps, float weight_decay, std::int64_t step) {
  const float bc1 = 1.0f - std::pow(beta1, static_cast<float>(step));
  const float bc2 = 1.0f - std::pow(beta2, static_cast<float>(step));
  return {lr, beta1, beta2, eps, weight_decay, lr / bc1, 1.0f / std::sqrt(bc2)};
}

// launch(first, here, grid) for each group of up to `per_launch` of `count` tensors, the grid a
// row of blocks per tensor, as many as the group's longest (size_of(t)) needs, at most 1024.
template <class SizeOf, class Launch>
void by_groups(int count, int per_launch, const SizeOf& size_of, const Launch& launch) {
  for (int first = 0; first < count; first += per_launch) {
    const int here = std::min(per_launch, count - first);
    std::int64_t longest = 1;
    for (int k = 0; k < here; ++k) longest = std::max(longest, size_of(first + k));
    launch(first, here, dim3(static_cast<unsigned>(std::min(blocks_for(longest), 1024)), static_cast<unsigned>(here)));
  }
}

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
}
void launched(const char* what) { check(cudaGetLastError(), what); }
void zero(float* p, std::int64_t n, cudaStream_t s) {
  check(cudaMemsetAsync(p, 0, static_cast<std::size_t>(n) * sizeof(float), s), "cudaMemsetAsync");
}

int row_blocks(std::int64_t rows) { return blocks_for(rows * kWarp); }

// Column partials over slices of 64 rows.
template <class Terms>
void column_partials(const Terms& terms, std::int64_t rows, std::int64_t cols, Outputs<Terms::K> out, cudaStream_t s) {
  constexpr std::int64_t kSlice = 64;
  for (float* p : out.p) zero(p, cols, s);
  const dim3 grid(static_cast<unsigned>((cols + kThreads - 1) / kThreads),
                  static_cast<unsigned>(std::min<std::int64_t>((rows + kSlice - 1) / kSlice, 65535)));
  column_partials_kernel<<<grid, kThreads, 0, s>>>(terms, rows, cols, (rows + grid.y - 1) / grid.y, out);
  launched("column_partials_kernel");
}

}  // namespace

void bias_add(float* x, const float* bias, std::int64_t rows, std::int64_t cols, cudaStream_t s) {
  bias_add_kernel<<<blocks_for(rows * cols), kThreads, 0, s>>>(x, bias, rows, cols);
  launched("bias_add_kernel");
}

void column_sums(const float* x, std::int64_t rows, std::int64_t cols, float* out, cudaStream_t s) {
  column_partials(Plain{x, cols}, rows, cols, Outputs<1>{{out}}, s);
}

void softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, cudaStream_t s) {
  softmax_kernel<<<row_blocks(rows), kThreads, 0, s>>>(x, y, rows, cols);
  launched("softmax_kernel");
}

void causal_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, std::int64_t period,
                    cudaStream_t s) {
  causal_softmax_kernel<<<row_blocks(rows), kThreads, 0, s>>>(x, y, rows, cols, period);
  launched("causal_softmax_kernel");
}

void causal_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                             std::int64_t period, cudaStream_t s) {
  causal_softmax_backward_kernel<<<row_blocks(rows), kThreads, 0, s>>>(y, dy, dx, rows, cols, period);
  launched("causal_softmax_backward_kernel");
}

void log_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, cudaStream_t s) {
  log_softmax_kernel<<<row_blocks(rows), kThreads, 0, s>>>(x, y, rows, cols);
  launched("log_softmax_kernel");
}

void softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols, cudaStream_t s) {
  softmax_backward_kernel<false><<<row_blocks(rows), kThreads, 0, s>>>(y, dy, dx, rows, cols);
  launched("softmax_backward_kernel");
}

void log_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                          cudaStream_t s) {
  softmax_backward_kernel<true><<<row_blocks(rows), kThreads, 0, s>>>(y, dy, dx, rows, cols);
  launched("softmax_backward_kernel<log>");
}

void layer_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                std::int64_t rows, std::int64_t cols, float eps, cudaStream_t s) {
  layer_norm_kernel<<<row_blocks(rows), kThreads, 0, s>>>(x, gamma, beta, y, mean, rstd, rows, cols, eps);
  launched("layer_norm_kernel");
}

void rms_norm(const float* x, const float* gamma, float* y, float* rstd, std::int64_t rows, std::int64_t cols, float eps,
              cudaStream_t s) {
  rms_norm_kernel<<<row_blocks(rows), kThreads, 0, s>>>(x, gamma, y, rstd, rows, cols, eps);
  launched("rms_norm_kernel");
}

void layer_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                         float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols, cudaStream_t s) {
  layer_norm_backward_dx_kernel<<<row_blocks(rows), kThreads, 0, s>>>(x, gamma, mean, rstd, dy, dx, rows, cols);
  launched("layer_norm_backward_dx_kernel");
  column_partials(GammaBeta{x, mean, rstd, dy, cols}, rows, cols, Outputs<2>{{dgamma, dbeta}}, s);
}

void rms_norm_backward(const float* x, const float* gamma, const float* rstd, const float* dy, float* dx, float* dgamma,
                       std::int64_t rows, std::int64_t cols, cudaStream_t s) {
  rms_norm_backward_dx_kernel<<<row_blocks(rows), kThreads, 0, s>>>(x, gamma, rstd, dy, dx, rows, cols);
  launched("rms_norm_backward_dx_kernel");
  column_partials(XhatDy{x, rstd, dy, cols}, rows, cols, Outputs<1>{{dgamma}}, s);
}

void relu(const float* x, float* y, std::int64_t n, cudaStream_t s) {
  relu_kernel<<<blocks_for(n), kThreads, 0, s>>>(x, y, n);
  launched("relu_kernel");
}

void relu_backward(const float* x, const float* dy, float* dx, std::int64_t n, cudaStream_t s) {
  relu_backward_kernel<<<blocks_for(n), kThreads, 0, s>>>(x, dy, dx, n);
  launched("relu_backward_kernel");
}

void gelu(const float* x, float* y, std::int64_t n, cudaStream_t s) {
  gelu_kernel<<<blocks_for(n), kThreads, 0, s>>>(x, y, n);
  launched("gelu_kernel");
}

void gelu_backward(const float* x, const float* dy, float* dx, std::int64_t n, cudaStream_t s) {
  gelu_backward_kernel<<<blocks_for(n), kThreads, 0, s>>>(x, dy, dx, n);
  launched("gelu_backward_kernel");
}

void silu(const float* x, float* y, std::int64_t n, cudaStream_t s) {
  silu_kernel<<<blocks_for(n), kThreads, 0, s>>>(x, y, n);
  launched("silu_kernel");
}

void silu_backward(const float* x, const float* dy, float* dx, std::int64_t n, cudaStream_t s) {
  silu_backward_kernel<<<blocks_for(n), kThreads, 0, s>>>(x, dy, dx, n);
  launched("silu_backward_kernel");
}

template <class Loss>
void mean_loss(const float* x, const float* t, std::int64_t n, float* loss, float* dx, cudaStream_t s) {
  zero(loss, 1, s);
  mean_loss_kernel<Loss><<<blocks_for(n), kThreads, 0, s>>>(x, t, n, loss, dx);
  launched("mean_loss_kernel");
}

void mse_loss(const float* x, const float* t, std::int64_t n, float* loss, float* dx, cudaStream_t s) {
  mean_loss<Mse>(x, t, n, loss, dx, s);
}

void bce_with_logits(const float* x, const float* t, std::int64_t n, float* loss, float* dx, cudaStream_t s) {
  mean_loss<BceWithLogits>(x, t, n, loss, dx, s);
}

void gelu_tanh(const float* x, float* y, std::int64_t n, cudaStream_t s) {
  gelu_tanh_kernel<<<blocks_for(n), kThreads, 0, s>>>(x, y, n);
  launched("gelu_tanh_kernel");
}

void gelu_tanh_backward(const float* x, const float* dy, float* dx, std::int64_t n, cudaStream_t s) {
  gelu_tanh_backward_kernel<<<blocks_for(n), kThreads, 0, s>>>(x, dy, dx, n);
  launched("gelu_tanh_backward_kernel");
}

void sigmoid(const float* x, float* y, std::int64_t n, cudaStream_t s) {
  sigmoid_kernel<<<blocks_for(n), kThreads, 0, s>>>(x, y, n);
  launched("sigmoid_kernel");
}

void sigmoid_backward(const float* y, const float* dy, float* dx, std::int64_t n, cudaStream_t s) {
  sigmoid_backward_kernel<<<blocks_for(n), kThreads, 0, s>>>(y, dy, dx, n);
  launched("sigmoid_backward_kernel");
}

void tanh(const float* x, float* y, std::int64_t n, cudaStream_t s) {
  tanh_kernel<<<blocks_for(n), kThreads, 0, s>>>(x, y, n);
  launched("tanh_kernel");
}

void tanh_backward(const float* y, const float* dy, float* dx, std::int64_t n, cudaStream_t s) {
  tanh_backward_kernel<<<blocks_for(n), kThreads, 0, s>>>(y, dy, dx, n);
  launched("tanh_backward_kernel");
}

void cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols, float* loss,
                   float* dlogits, cudaStream_t s) {
  zero(loss, 1, s);
  cross_entropy_kernel<<<row_blocks(rows), kThreads, 0, s>>>(logits, labels, rows, cols, loss, dlogits);
  launched("cross_entropy_kernel");
}

void adamw(float* p, const float* g, float* m, float* v, std::int64_t n, float lr, float beta1, float beta2, float eps,
           float weight_decay, std::int64_t step, cudaStream_t s) {
  adamw_kernel<<<blocks_for(n), kThreads, 0, s>>>(p, g, m, v, n,
                                                 adamw_constants(lr, beta1, beta2, eps, weight_decay, step));
  launched("adamw_kernel");
}

void sgd(float* p, const float* g, float* b, std::int64_t n, float lr, float momentum, float dampening,
         float weight_decay, cudaStream_t s) {
  sgd_kernel<<<blocks_for(n), kThreads, 0, s>>>(p, g, b, n, lr, momentum, dampening, weight_decay);
  launched("sgd_kernel");
}

void adamw_list(const detnum::AdamWTensor* tensors, int count, float lr, float beta1, float beta2, float eps,
                float weight_decay, std::int64_t step, cudaStream_t s) {
  const AdamWConstants a = adamw_constants(lr, beta1, beta2, eps, weight_decay, step);
  by_groups(count, kAdamWPerLaunch, [&](int t) { return tensors[t].n; }, [&](int first, int here, dim3 grid) {
    AdamWTable table{};
    for (int k = 0; k < here; ++k) table.t[k] = tensors[first + k];
    adamw_list_kernel<<<grid, kThreads, 0, s>>>(table, a);
    launched("adamw_list_kernel");
  });
}

void clip_grad_norm(float* const* data, const std::int64_t* n, int count, float max_norm, float* sum_sq,
                    cudaStream_t s) {
  zero(sum_sq, 1, s);
  for (const bool scale : {false, true})
    by_groups(count, kTensorsPerLaunch, [&](int t) { return n[t]; }, [&](int first, int here, dim3 grid) {
      TensorTable t{};
      for (int k = 0; k < here; ++k) {
        t.data[k] = data[first + k];
        t.n[k] = n[first + k];
      }
      if (scale) clip_scale_kernel<<<grid, kThreads, 0, s>>>(t, sum_sq, max_norm);
      else sum_squares_kernel<<<grid, kThreads, 0, s>>>(t, sum_sq);
      launched(scale ? "clip_scale_kernel" : "sum_squares_kernel");
    });
}

}  // namespace detnum_bench::conventional
