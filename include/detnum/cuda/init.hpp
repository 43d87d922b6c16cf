// Reproducible weight initialization on a CUDA device: the same bits as detnum/init.hpp.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "detnum/cuda/launch.hpp"
#include "detnum/init.hpp"

namespace detnum::cuda {

// x: device memory, n elements. Queued on stream.
void init_uniform(float* x, std::int64_t n, float lo, float hi, InitParams params, cudaStream_t stream = nullptr,
                  LaunchConfig launch = {});
void init_uniform(bf16* x, std::int64_t n, float lo, float hi, InitParams params, cudaStream_t stream = nullptr,
                  LaunchConfig launch = {});
void init_normal(float* x, std::int64_t n, float mean, float stddev, InitParams params, cudaStream_t stream = nullptr,
                 LaunchConfig launch = {});
void init_normal(bf16* x, std::int64_t n, float mean, float stddev, InitParams params, cudaStream_t stream = nullptr,
                 LaunchConfig launch = {});

}  // namespace detnum::cuda
