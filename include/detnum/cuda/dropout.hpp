// Deterministic dropout on CUDA device memory: the same bits as detnum::dropout_forward on the
// CPU (see detnum/dropout.hpp for the definition), for any GPU and any LaunchConfig.
// Kernels are queued on `stream` and the call returns without synchronizing; no workspace is
// needed. Pointers must be device (or managed, or mapped) memory: a host pointer is an Error.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "detnum/bf16.hpp"
#include "detnum/cuda/launch.hpp"
#include "detnum/dropout.hpp"

namespace detnum::cuda {

void dropout_forward(const float* x, float* y, std::int64_t n, const DropoutParams& params,
                     std::uint8_t* mask = nullptr, cudaStream_t stream = nullptr, LaunchConfig launch = {});
void dropout_forward(const bf16* x, bf16* y, std::int64_t n, const DropoutParams& params,
                     std::uint8_t* mask = nullptr, cudaStream_t stream = nullptr, LaunchConfig launch = {});

void dropout_backward(const float* dy, const std::uint8_t* mask, float* dx, std::int64_t n, float p,
                      cudaStream_t stream = nullptr, LaunchConfig launch = {});
void dropout_backward(const bf16* dy, const std::uint8_t* mask, bf16* dx, std::int64_t n, float p,
                      cudaStream_t stream = nullptr, LaunchConfig launch = {});

void dropout_backward(const float* dy, float* dx, std::int64_t n, const DropoutParams& params,
                      cudaStream_t stream = nullptr, LaunchConfig launch = {});
void dropout_backward(const bf16* dy, bf16* dx, std::int64_t n, const DropoutParams& params,
                      cudaStream_t stream = nullptr, LaunchConfig launch = {});

}  // namespace detnum::cuda
