// The training-step benchmark's conventional CPU backend (training_step_conventional.cpp).
#pragma once

#include <memory>

#include "demo_backend.hpp"

namespace detnum_bench {

// nullptr on a CPU without AVX2 + FMA (the file is built for them).
std::unique_ptr<detnum::cli::DemoBackend> make_conventional_backend(int threads);

}  // namespace detnum_bench
