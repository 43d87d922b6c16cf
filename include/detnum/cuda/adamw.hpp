// The AdamW update on a CUDA device: the same bits as detnum/adamw.hpp. Pointers are device
// memory; the call is queued on the stream and returns without synchronizing.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "detnum/adamw.hpp"
#include "detnum/cuda/launch.hpp"

namespace detnum::cuda {

void adamw_step(float* param, const float* grad, float* m, float* v, std::int64_t n, const AdamWParams& params,
                cudaStream_t stream = nullptr, LaunchConfig launch = {});
// Every tensor of the list (detnum/adamw.hpp), up to 64 tensors a launch.
void adamw_step(std::span<const AdamWTensor> tensors, const AdamWParams& params, cudaStream_t stream = nullptr,
                LaunchConfig launch = {});

}  // namespace detnum::cuda
