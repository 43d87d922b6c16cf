// The CUDA half of capture_environment(): src/cuda/environment_cuda.cpp with the CUDA backend,
// src/common/environment_nocuda.cpp without it.
#pragma once

#include "detnum/environment.hpp"

namespace detnum::detail {

// Fills cuda_runtime_version, cuda_driver_version, cuda_status and gpus. Never throws.
void capture_cuda_environment(Environment& env);

}  // namespace detnum::detail
