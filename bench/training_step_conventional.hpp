// The training-step benchmarks' conventional backends: CPU (training_step_conventional.cpp) and
// CUDA (training_step_conventional_cuda.cpp).
#pragma once

#include <memory>
#include <string>

#include "demo_backend.hpp"

namespace detnum_bench {

// nullptr on a CPU without AVX2 + FMA (the file is built for them).
std::unique_ptr<detnum::cli::DemoBackend> make_conventional_backend(int threads);

// The conventional CUDA backend (training_step_conventional_cuda.cpp, in CUDA builds only): cuBLAS
// and float-atomic kernels on device 0; nullptr, and `why`, without a usable device.
std::unique_ptr<detnum::cli::DemoBackend> make_conventional_cuda_backend(std::string& why);

}  // namespace detnum_bench
