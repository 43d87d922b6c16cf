// The losses of detnum/loss.hpp on a CUDA device: the same bits as on the CPU, for every GPU and
// LaunchConfig. Pointers are device (or managed, or mapped) memory; each call is queued on the
// stream and returns without synchronizing. Temporary storage, CUB-style: size it with
// loss_workspace_bytes and pass it in, or pass an empty Workspace and detnum takes and
// returns stream-ordered memory (cudaMallocAsync / cudaFreeAsync: no device-wide sync). No
// floating-point atomics.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "detnum/cuda/launch.hpp"
#include "detnum/cuda/reduce.hpp"
#include "detnum/loss.hpp"

namespace detnum::cuda {

// Enough temporary storage for either loss of n elements (any reduction): the terms and their
// mean's or sum's workspace.
std::size_t loss_workspace_bytes(std::int64_t n);
// loss: n floats of device memory for LossReduction::none, else one.
void mse_loss(const float* x, const float* target, std::int64_t n, LossReduction reduction, float* loss, float* dx,
              cudaStream_t stream = nullptr, Workspace ws = {}, LaunchConfig launch = {});
void binary_cross_entropy_with_logits(const float* x, const float* target, std::int64_t n, LossReduction reduction,
                                      float* loss, float* dx, cudaStream_t stream = nullptr, Workspace ws = {},
                                      LaunchConfig launch = {});

}  // namespace detnum::cuda
