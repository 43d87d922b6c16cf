// Deterministic data order on a CUDA device: the same permutation as detnum/shuffle.hpp.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "detnum/cuda/launch.hpp"
#include "detnum/shuffle.hpp"

namespace detnum::cuda {

// out (device memory, n elements)[p] = shuffled_index(p, n, seed, epoch). Queued on stream.
void shuffle_indices(std::int64_t n, std::uint64_t seed, std::uint64_t epoch, std::int64_t* out,
                     cudaStream_t stream = nullptr, LaunchConfig launch = {});

}  // namespace detnum::cuda
