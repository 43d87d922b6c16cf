// The pointwise ops, AdamW and the gradient clipping's scale on CUDA: one grid-stride kernel, a
// thread per element, each element computed by the same inline steps as the CPU
// (detail/pointwise_order.hpp). The launch shape (LaunchConfig) changes which thread takes an
// element, never its value. The clipping's norms are cuda::nrm2's.
#include <cuda_runtime.h>

#include <algorithm>

#include "common/memory_space.hpp"
#include "common/pointwise_checks.hpp"
#include "cuda/check.hpp"
#include "cuda/launch.hpp"
#include "cuda/stream_workspace.hpp"
#include "detnum/cuda/adamw.hpp"
#include "detnum/cuda/clip.hpp"
#include "detnum/cuda/pointwise.hpp"

namespace detnum::cuda {
namespace {

template <class Op>
__global__ void elementwise_kernel(std::int64_t n, Op op) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) op(i);
}

// Checks that every operand is device memory, then launches op over [0, n).
template <class Op>
void launch(const char* fn, std::int64_t n, std::initializer_list<detail::Operand> operands, Op op,
            cudaStream_t stream, LaunchConfig config) {
  detail::check_launch(fn, config);
  if (n == 0) return;
  for (const detail::Operand& o : operands) detail::check_device_accessible(fn, o.name, o.ptr, stream);
  const auto kernel = elementwise_kernel<Op>;
  const std::int64_t blocks = (n + config.block_threads - 1) / config.block_threads;
  const int grid = config.grid_blocks > 0
                       ? config.grid_blocks
                       : static_cast<int>(std::min<std::int64_t>(
                             blocks, detail::resident_blocks(fn, reinterpret_cast<const void*>(kernel), config.block_threads)));
  kernel<<<grid, config.block_threads, 0, stream>>>(n, op);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

struct Relu {
  const float* x;
  float* y;
  __device__ void operator()(std::int64_t i) const { y[i] = detail::relu(x[i]); }
};
struct ReluGrad {
  const float *x, *dy;
  float* dx;
  __device__ void operator()(std::int64_t i) const { dx[i] = detail::relu_grad(x[i], dy[i]); }
};
struct Gelu {
  const float* x;
  float* y;
  __device__ void operator()(std::int64_t i) const { y[i] = detail::gelu(x[i]); }
};
struct GeluGrad {
  const float *x, *dy;
  float* dx;
  __device__ void operator()(std::int64_t i) const { dx[i] = detail::gelu_grad(x[i], dy[i]); }
};
struct BiasAdd {
  const float *x, *bias;
  float* y;
  std::int64_t cols;
  __device__ void operator()(std::int64_t i) const { y[i] = detail::bias_add(x[i], bias[i % cols]); }
};
struct AdamW {
  float *param, *m, *v;
  const float* grad;
  detail::AdamWScalars s;
  __device__ void operator()(std::int64_t i) const { detail::adamw_update(s, param[i], grad[i], m[i], v[i]); }
};

// Every element times the clipping coefficient, which each thread computes from N (in device
// memory, final before the kernel starts) with the CPU's function.
struct ClipScale {
  float* g;
  const float* total_norm;
  float max_norm;
  __device__ void operator()(std::int64_t i) const {
    g[i] = detail::clip_value(g[i], detail::clip_coefficient(*total_norm, max_norm));
  }
};

std::size_t aligned_floats(std::size_t n) { return (n * sizeof(float) + kWorkspaceAlign - 1) / kWorkspaceAlign * kWorkspaceAlign; }

}  // namespace

void relu(const float* x, float* y, std::int64_t n, cudaStream_t stream, LaunchConfig config) {
  constexpr const char* fn = "cuda::relu";
  detail::check_elementwise(fn, n, {"y", y}, {{"x", x}});
  launch(fn, n, {{"x", x}, {"y", y}}, Relu{x, y}, stream, config);
}

void relu_backward(const float* x, const float* dy, float* dx, std::int64_t n, cudaStream_t stream,
                   LaunchConfig config) {
  constexpr const char* fn = "cuda::relu_backward";
  detail::check_elementwise(fn, n, {"dx", dx}, {{"x", x}, {"dy", dy}});
  launch(fn, n, {{"x", x}, {"dy", dy}, {"dx", dx}}, ReluGrad{x, dy, dx}, stream, config);
}

void gelu(const float* x, float* y, std::int64_t n, cudaStream_t stream, LaunchConfig config) {
  constexpr const char* fn = "cuda::gelu";
  detail::check_elementwise(fn, n, {"y", y}, {{"x", x}});
  launch(fn, n, {{"x", x}, {"y", y}}, Gelu{x, y}, stream, config);
}

void gelu_backward(const float* x, const float* dy, float* dx, std::int64_t n, cudaStream_t stream,
                   LaunchConfig config) {
  constexpr const char* fn = "cuda::gelu_backward";
  detail::check_elementwise(fn, n, {"dx", dx}, {{"x", x}, {"dy", dy}});
  launch(fn, n, {{"x", x}, {"dy", dy}, {"dx", dx}}, GeluGrad{x, dy, dx}, stream, config);
}

void bias_add(const float* x, const float* bias, float* y, std::int64_t rows, std::int64_t cols, cudaStream_t stream,
              LaunchConfig config) {
  constexpr const char* fn = "cuda::bias_add";
  const std::int64_t n = detail::check_bias_add(fn, x, bias, y, rows, cols);
  launch(fn, n, {{"x", x}, {"bias", bias}, {"y", y}}, BiasAdd{x, bias, y, cols}, stream, config);
}

void adamw_step(float* param, const float* grad, float* m, float* v, std::int64_t n, const AdamWParams& params,
                cudaStream_t stream, LaunchConfig config) {
  constexpr const char* fn = "cuda::adamw_step";
  const detail::AdamWScalars s = detail::check_adamw(fn, param, grad, m, v, n, params);
  launch(fn, n, {{"param", param}, {"grad", grad}, {"m", m}, {"v", v}}, AdamW{param, m, v, grad, s}, stream, config);
}

// The workspace: the tensors' norms, one block for N when the caller keeps it nowhere, then the
// reductions' own workspace (shared by the calls one after another on the stream).
std::size_t clip_grad_norm_workspace_bytes(std::span<const GradTensor> grads) {
  std::int64_t longest = static_cast<std::int64_t>(grads.size());
  for (std::size_t t = 0; t < grads.size(); ++t) {
    detail::check_size("cuda::clip_grad_norm_workspace_bytes", "grads[" + std::to_string(t) + "].n", grads[t].n,
                       sizeof(float));
    longest = std::max(longest, grads[t].n);
  }
  return aligned_floats(grads.size()) + kWorkspaceAlign + reduce_workspace_bytes(longest);
}

void clip_grad_norm(std::span<const GradTensor> grads, float max_norm, float* total_norm, cudaStream_t stream,
                    Workspace ws, LaunchConfig launch) {
  constexpr const char* fn = "cuda::clip_grad_norm";
  detail::check_clip(fn, grads, max_norm);
  detail::check_launch(fn, launch);
  for (std::size_t t = 0; t < grads.size(); ++t)
    if (grads[t].n > 0) detail::check_device_accessible(fn, detail::grad_name(t), grads[t].data, stream);
  if (total_norm != nullptr) detail::check_device_accessible(fn, "total_norm", total_norm, stream);
  std::vector<CallBuffer> buffers;
  for (std::size_t t = 0; t < grads.size(); ++t)
    buffers.push_back({"grads", grads[t].data, grads[t].n * std::int64_t{sizeof(float)}});
  for (const CallBuffer& b : buffers)
    detail::check_no_overlap(fn, "total_norm", total_norm, total_norm ? std::int64_t{sizeof(float)} : 0, b.name, b.ptr,
                             b.bytes, false);
  const std::size_t need = clip_grad_norm_workspace_bytes(grads), norms_bytes = aligned_floats(grads.size());
  buffers.push_back({"total_norm", total_norm, total_norm ? std::int64_t{sizeof(float)} : 0});
  StreamWorkspace w(fn, ws, need, "cuda::clip_grad_norm_workspace_bytes(grads)", stream, buffers);
  auto* const base = static_cast<unsigned char*>(w.get());
  auto* const norms = reinterpret_cast<float*>(base);
  float* const total = total_norm != nullptr ? total_norm : reinterpret_cast<float*>(base + norms_bytes);
  const Workspace reduce_ws{base + norms_bytes + kWorkspaceAlign, need - norms_bytes - kWorkspaceAlign};
  for (std::size_t t = 0; t < grads.size(); ++t)
    nrm2(static_cast<const float*>(grads[t].data), grads[t].n, norms + t, stream, reduce_ws, launch);
  nrm2(static_cast<const float*>(norms), static_cast<std::int64_t>(grads.size()), total, stream, reduce_ws, launch);
  for (std::size_t t = 0; t < grads.size(); ++t)
    cuda::launch(fn, grads[t].n, {}, ClipScale{grads[t].data, total, max_norm}, stream, launch);
}

}  // namespace detnum::cuda
