// Layer norm and RMS norm over the rows of a dense row-major float matrix in device memory, batch
// norm over its columns: the same bits as detnum/norm.hpp on the CPU (see there, and docs/ORDER.md
// "Row ops"), for every GPU and every LaunchConfig.
//
// Every call is queued on `stream` and returns without synchronizing. Pointers must be device
// (or managed, or mapped) memory. The backward passes sum dgamma (and dbeta) over the rows with
// cuda::column_sums, which needs temporary storage (up to 1 MiB, more when rows > 8192): size it with the
// *_workspace_bytes functions and pass it in, or pass an empty Workspace and detnum takes and
// returns stream-ordered memory (no device-wide sync). They use dx as scratch for the products
// whose column sums are dgamma before writing dx itself. No floating-point atomics.
// A row may have up to 2^39 elements (a warp keeps ORDER.md's levels in registers): more is an
// Error.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "detnum/cuda/launch.hpp"
#include "detnum/cuda/reduce.hpp"
#include "detnum/norm.hpp"

namespace detnum::cuda {

void layer_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                std::int64_t rows, std::int64_t cols, float eps, cudaStream_t stream = nullptr, LaunchConfig launch = {});
std::size_t layer_norm_backward_workspace_bytes(std::int64_t rows, std::int64_t cols);
void layer_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                         float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols,
                         cudaStream_t stream = nullptr, Workspace ws = {}, LaunchConfig launch = {});

void rms_norm(const float* x, const float* gamma, float* y, float* rstd, std::int64_t rows, std::int64_t cols, float eps,
              cudaStream_t stream = nullptr, LaunchConfig launch = {});
std::size_t rms_norm_backward_workspace_bytes(std::int64_t rows, std::int64_t cols);
void rms_norm_backward(const float* x, const float* gamma, const float* rstd, const float* dy, float* dx,
                       float* dgamma, std::int64_t rows, std::int64_t cols, cudaStream_t stream = nullptr,
                       Workspace ws = {}, LaunchConfig launch = {});

// Batch norm: both passes sum over rows with cuda::column_sums (the workspace, as above); the
// forward uses y, the backward dx, as scratch for the terms of its second sum. The running
// statistics (device memory) are updated on the device.
std::size_t batch_norm_workspace_bytes(std::int64_t rows, std::int64_t cols);
void batch_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                std::int64_t rows, std::int64_t cols, float eps, BatchNormRunning running = {},
                cudaStream_t stream = nullptr, Workspace ws = {}, LaunchConfig launch = {});
void batch_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                         float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols,
                         cudaStream_t stream = nullptr, Workspace ws = {}, LaunchConfig launch = {});

}  // namespace detnum::cuda
