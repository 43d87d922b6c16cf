// Elementwise training ops on a CUDA device: the same bits as detnum/pointwise.hpp. Pointers are
// device memory; each call is queued on the stream and returns without synchronizing.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "detnum/cuda/launch.hpp"

namespace detnum::cuda {

void relu(const float* x, float* y, std::int64_t n, cudaStream_t stream = nullptr, LaunchConfig launch = {});
void relu_backward(const float* x, const float* dy, float* dx, std::int64_t n, cudaStream_t stream = nullptr,
                   LaunchConfig launch = {});
void gelu(const float* x, float* y, std::int64_t n, cudaStream_t stream = nullptr, LaunchConfig launch = {});
void gelu_backward(const float* x, const float* dy, float* dx, std::int64_t n, cudaStream_t stream = nullptr,
                   LaunchConfig launch = {});
void gelu_tanh(const float* x, float* y, std::int64_t n, cudaStream_t stream = nullptr, LaunchConfig launch = {});
void gelu_tanh_backward(const float* x, const float* dy, float* dx, std::int64_t n, cudaStream_t stream = nullptr,
                        LaunchConfig launch = {});
void silu(const float* x, float* y, std::int64_t n, cudaStream_t stream = nullptr, LaunchConfig launch = {});
void silu_backward(const float* x, const float* dy, float* dx, std::int64_t n, cudaStream_t stream = nullptr,
                   LaunchConfig launch = {});
// The backward passes of sigmoid and tanh take the forward's output y, as on the CPU.
void sigmoid(const float* x, float* y, std::int64_t n, cudaStream_t stream = nullptr, LaunchConfig launch = {});
void sigmoid_backward(const float* y, const float* dy, float* dx, std::int64_t n, cudaStream_t stream = nullptr,
                      LaunchConfig launch = {});
void tanh(const float* x, float* y, std::int64_t n, cudaStream_t stream = nullptr, LaunchConfig launch = {});
void tanh_backward(const float* y, const float* dy, float* dx, std::int64_t n, cudaStream_t stream = nullptr,
                   LaunchConfig launch = {});
void bias_add(const float* x, const float* bias, float* y, std::int64_t rows, std::int64_t cols,
              cudaStream_t stream = nullptr, LaunchConfig launch = {});

}  // namespace detnum::cuda
