// The nrm2 of each of many float vectors in a few launches (src/cuda/reduce.cu), for the global
// norm of gradient clipping: norms[t] has the bits of cuda::nrm2(xs[t]). A launch takes up to 64
// vectors of at most 2^26 elements (one level of chunk partials above the chunks): its warps take
// all their chunks grid-stride, and the block that finishes last (an integer ticket) folds each
// vector's partials with a warp per vector. A longer vector takes cuda::nrm2 of its own.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <span>

#include "detnum/clip.hpp"
#include "detnum/cuda/launch.hpp"

namespace detnum::cuda {  // (internal: src/ only)

// Device memory that nrm2_each needs for these vectors (256-byte aligned in use).
std::size_t nrm2_each_workspace_bytes(std::span<const GradTensor> xs);

// xs: checked by the caller (device memory, sizes); norms: xs.size() floats of device memory.
void nrm2_each(const char* fn, std::span<const GradTensor> xs, float* norms, void* ws, cudaStream_t stream,
               LaunchConfig launch);

}  // namespace detnum::cuda
