// SGD on a CUDA device: the same bits as detnum/sgd.hpp. Pointers are device memory; the call is
// queued on the stream and returns without synchronizing.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <span>

#include "detnum/cuda/launch.hpp"
#include "detnum/sgd.hpp"

namespace detnum::cuda {

void sgd_step(float* param, const float* grad, float* momentum_buffer, std::int64_t n, const SgdParams& params,
              cudaStream_t stream = nullptr, LaunchConfig launch = {});
// Every tensor of the list (detnum/sgd.hpp), up to 64 tensors a launch.
void sgd_step(std::span<const SgdTensor> tensors, const SgdParams& params, cudaStream_t stream = nullptr,
              LaunchConfig launch = {});

}  // namespace detnum::cuda
