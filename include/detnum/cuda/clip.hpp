// Gradient clipping by the global norm on a CUDA device: the same bits as detnum/clip.hpp. The
// tensors are device memory; the call is queued on the stream and returns without synchronizing:
// N goes to device memory (total_norm, one float, or nowhere when null) and the scale reads it
// there. Temporary storage, CUB-style: size it with clip_grad_norm_workspace_bytes and pass it
// in, or pass an empty Workspace and detnum takes and returns stream-ordered memory.
//
// Launches: for each tensor its nrm2 (detnum/cuda/reduce.hpp) and its scale, plus the norm of the
// norms: about three per tensor. A model whose gradients lie in one buffer can list them as one
// tensor, or as views of it (the list's cut is part of N).
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <span>

#include "detnum/clip.hpp"
#include "detnum/cuda/launch.hpp"
#include "detnum/cuda/reduce.hpp"

namespace detnum::cuda {

// Enough temporary storage for clip_grad_norm of these tensors (it depends on their count and on
// the longest).
std::size_t clip_grad_norm_workspace_bytes(std::span<const GradTensor> grads);

void clip_grad_norm(std::span<const GradTensor> grads, float max_norm, float* total_norm, cudaStream_t stream = nullptr,
                    Workspace ws = {}, LaunchConfig launch = {});

}  // namespace detnum::cuda
