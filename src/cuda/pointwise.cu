// The pointwise ops, AdamW and SGD on CUDA: one grid-stride kernel, a thread per element, each
// element computed by the same inline steps as the CPU (detail/pointwise_order.hpp); AdamW or SGD
// of a list of tensors takes up to 64 of them a launch (tensor_groups.cuh). The launch shape (LaunchConfig)
// changes which thread takes an element, never its value.
#include <cuda_runtime.h>

#include "common/memory_space.hpp"
#include "common/pointwise_checks.hpp"
#include "cuda/check.hpp"
#include "cuda/launch.hpp"
#include "cuda/tensor_groups.cuh"
#include "detnum/cuda/adamw.hpp"
#include "detnum/cuda/pointwise.hpp"
#include "detnum/cuda/sgd.hpp"

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
  const int grid = detail::grid_of(fn, reinterpret_cast<const void*>(kernel), config.block_threads,
                                   (n + config.block_threads - 1) / config.block_threads, config);
  kernel<<<grid, config.block_threads, 0, stream>>>(n, op);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

// y = kOp(x) and dx = kOp(x, dy), kOp one of detail/pointwise_order.hpp's element functions.
template <float (*kOp)(float)>
struct Unary {
  const float* x;
  float* y;
  __device__ void operator()(std::int64_t i) const { y[i] = kOp(x[i]); }
};
template <float (*kOp)(float, float)>
struct Binary {
  const float *x, *dy;
  float* dx;
  __device__ void operator()(std::int64_t i) const { dx[i] = kOp(x[i], dy[i]); }
};
template <float (*kOp)(float)>
void unary(const char* fn, const float* x, float* y, std::int64_t n, cudaStream_t stream, LaunchConfig config) {
  detail::check_elementwise(fn, n, {"y", y}, {{"x", x}});
  launch(fn, n, {{"x", x}, {"y", y}}, Unary<kOp>{x, y}, stream, config);
}
// x_name: "x", or "y" for the gradients that take the forward's output.
template <float (*kOp)(float, float)>
void binary(const char* fn, const float* x, const float* dy, float* dx, std::int64_t n, cudaStream_t stream,
            LaunchConfig config, const char* x_name = "x") {
  detail::check_elementwise(fn, n, {"dx", dx}, {{x_name, x}, {"dy", dy}});
  launch(fn, n, {{x_name, x}, {"dy", dy}, {"dx", dx}}, Binary<kOp>{x, dy, dx}, stream, config);
}
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

// b is read and written only with momentum (sgd_update): a null buffer is never touched.
__device__ __forceinline__ void sgd_element(const detail::SgdScalars& s, float* p, const float* g, float* b,
                                            std::int64_t i) {
  if (s.with_momentum) detail::sgd_update(s, p[i], g[i], b[i]);
  else detail::sgd_update(s, p[i], g[i]);
}
struct Sgd {
  float* param;
  const float* grad;
  float* buffer;
  detail::SgdScalars s;
  __device__ void operator()(std::int64_t i) const { sgd_element(s, param, grad, buffer, i); }
};

__global__ void sgd_group_kernel(TensorGroup<SgdTensor> g, detail::SgdScalars s) {
  const SgdTensor t = g.t[blockIdx.y];
  for_row_elements(t.n, [&](std::int64_t i) { sgd_element(s, t.param, t.grad, t.momentum_buffer, i); });
}

__global__ void adamw_group_kernel(TensorGroup<AdamWTensor> g, detail::AdamWScalars s) {
  const AdamWTensor t = g.t[blockIdx.y];
  for_row_elements(t.n, [&](std::int64_t i) { detail::adamw_update(s, t.param[i], t.grad[i], t.m[i], t.v[i]); });
}

}  // namespace

void relu(const float* x, float* y, std::int64_t n, cudaStream_t stream, LaunchConfig config) {
  unary<detail::relu>("cuda::relu", x, y, n, stream, config);
}
void relu_backward(const float* x, const float* dy, float* dx, std::int64_t n, cudaStream_t stream,
                   LaunchConfig config) {
  binary<detail::relu_grad>("cuda::relu_backward", x, dy, dx, n, stream, config);
}
void gelu(const float* x, float* y, std::int64_t n, cudaStream_t stream, LaunchConfig config) {
  unary<detail::gelu>("cuda::gelu", x, y, n, stream, config);
}
void gelu_backward(const float* x, const float* dy, float* dx, std::int64_t n, cudaStream_t stream,
                   LaunchConfig config) {
  binary<detail::gelu_grad>("cuda::gelu_backward", x, dy, dx, n, stream, config);
}
void gelu_tanh(const float* x, float* y, std::int64_t n, cudaStream_t stream, LaunchConfig config) {
  unary<detail::gelu_tanh>("cuda::gelu_tanh", x, y, n, stream, config);
}
void gelu_tanh_backward(const float* x, const float* dy, float* dx, std::int64_t n, cudaStream_t stream,
                        LaunchConfig config) {
  binary<detail::gelu_tanh_grad>("cuda::gelu_tanh_backward", x, dy, dx, n, stream, config);
}
void silu(const float* x, float* y, std::int64_t n, cudaStream_t stream, LaunchConfig config) {
  unary<detail::silu>("cuda::silu", x, y, n, stream, config);
}
void silu_backward(const float* x, const float* dy, float* dx, std::int64_t n, cudaStream_t stream,
                   LaunchConfig config) {
  binary<detail::silu_grad>("cuda::silu_backward", x, dy, dx, n, stream, config);
}
void sigmoid(const float* x, float* y, std::int64_t n, cudaStream_t stream, LaunchConfig config) {
  unary<detail::sigmoid>("cuda::sigmoid", x, y, n, stream, config);
}
void sigmoid_backward(const float* y, const float* dy, float* dx, std::int64_t n, cudaStream_t stream,
                      LaunchConfig config) {
  binary<detail::sigmoid_grad>("cuda::sigmoid_backward", y, dy, dx, n, stream, config, "y");
}
void tanh(const float* x, float* y, std::int64_t n, cudaStream_t stream, LaunchConfig config) {
  unary<math::tanh>("cuda::tanh", x, y, n, stream, config);
}
void tanh_backward(const float* y, const float* dy, float* dx, std::int64_t n, cudaStream_t stream,
                   LaunchConfig config) {
  binary<detail::tanh_grad>("cuda::tanh_backward", y, dy, dx, n, stream, config, "y");
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

void adamw_step(std::span<const AdamWTensor> tensors, const AdamWParams& params, cudaStream_t stream,
                LaunchConfig config) {
  constexpr const char* fn = "cuda::adamw_step";
  const detail::AdamWScalars s = detail::check_adamw_list(fn, tensors, params);
  detail::check_launch(fn, config);
  detail::each_list_array(tensors, detail::kAllAdamWArrays, [&](std::size_t t, int k) {
    detail::check_device_accessible(fn, detail::list_array_name(t, detail::kAdamWArrays[k]),
                                    detail::adamw_array(tensors[t], k), stream);
  });
  launch_tensor_groups(fn, tensors, adamw_group_kernel, stream, config, s);
}

void sgd_step(float* param, const float* grad, float* momentum_buffer, std::int64_t n, const SgdParams& params,
              cudaStream_t stream, LaunchConfig config) {
  constexpr const char* fn = "cuda::sgd_step";
  const detail::SgdScalars s = detail::check_sgd(fn, param, grad, momentum_buffer, n, params);
  if (s.with_momentum)
    launch(fn, n, {{"param", param}, {"grad", grad}, {"momentum_buffer", momentum_buffer}},
           Sgd{param, grad, momentum_buffer, s}, stream, config);
  else
    launch(fn, n, {{"param", param}, {"grad", grad}}, Sgd{param, grad, nullptr, s}, stream, config);
}

void sgd_step(std::span<const SgdTensor> tensors, const SgdParams& params, cudaStream_t stream, LaunchConfig config) {
  constexpr const char* fn = "cuda::sgd_step";
  const detail::SgdScalars s = detail::check_sgd_list(fn, tensors, params);
  detail::check_launch(fn, config);
  detail::each_list_array(tensors, detail::sgd_used(s), [&](std::size_t t, int k) {
    detail::check_device_accessible(fn, detail::list_array_name(t, detail::kSgdArrays[k]),
                                    detail::sgd_array(tensors[t], k), stream);
  });
  launch_tensor_groups(fn, tensors, sgd_group_kernel, stream, config, s);
}

}  // namespace detnum::cuda
