// Gradient clipping by the global norm on a CUDA device: the same bits as detnum/clip.hpp. The
// tensors are device memory; the call is queued on the stream and returns without synchronizing:
// N goes to device memory (total_norm, one float, or nowhere when null) and the scale reads it
// there. Temporary storage, CUB-style: size it with clip_grad_norm_workspace_bytes and pass it
// in, or pass an empty Workspace and detnum takes and returns stream-ordered memory.
//
// Launches: a memset and one norm launch per 64 tensors of at most 2^26 floats, empty ones
// included (each tensor's nrm2 with cuda::nrm2's bits; a longer tensor takes a cuda::nrm2 call
// of its own), two for the norm of the norms, and one scale launch per 64 non-empty tensors: 9
// for GPT-2 small's 148 tensors. total_norm must not overlap the gradients or the workspace.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <span>

#include "detnum/clip.hpp"
#include "detnum/cuda/launch.hpp"
#include "detnum/cuda/reduce.hpp"

namespace detnum::cuda {

// Enough temporary storage for clip_grad_norm of these tensors: it depends on their sizes and
// order (not on where they are: data may be placeholders here), so size it with the same list.
std::size_t clip_grad_norm_workspace_bytes(std::span<const GradTensor> grads);

void clip_grad_norm(std::span<const GradTensor> grads, float max_norm, float* total_norm, cudaStream_t stream = nullptr,
                    Workspace ws = {}, LaunchConfig launch = {});

}  // namespace detnum::cuda
