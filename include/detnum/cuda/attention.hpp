// Scaled dot-product attention on a CUDA device: the same bits as detnum/attention.hpp on the CPU
// (see there, and docs/ORDER.md "Attention") for every GPU, GEMM configuration and launch shape
// of the row ops. Pointers are device (or managed, or mapped) memory; each call is queued on
// `stream` and returns without synchronizing. Temporary storage, CUB-style: the scores (forward)
// or dP and dS (backward), batch x queries x keys floats each, and the gemms' split of k. Size it
// with attention_workspace_bytes and pass it in, or pass an empty Workspace and detnum takes and
// returns stream-ordered memory (cudaMallocAsync / cudaFreeAsync: no device-wide sync), the
// matrices for the call and each gemm's split for that gemm. No floating-point atomics. keys is
// at most 2^39 (the row kernels' longest row). Bad arguments throw before anything is queued; an
// error of the CUDA runtime (a failed launch) can surface after an earlier step has written.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>

#include "detnum/attention.hpp"
#include "detnum/cuda/gemm.hpp"
#include "detnum/cuda/launch.hpp"
#include "detnum/cuda/reduce.hpp"

namespace detnum::cuda {

// Tuning of the steps: speed only, never bits.
struct AttentionConfig {
  GemmConfig gemm;     // every gemm of the call
  LaunchConfig rows;   // the softmax (or its backward pass)
};

// Enough temporary storage for either pass of this shape, with any AttentionConfig.
std::size_t attention_workspace_bytes(const AttentionShape& shape);

void scaled_dot_product_attention(const float* q, const float* k, const float* v, float* out, float* probs,
                                  const AttentionShape& shape, const AttentionOptions& options = {},
                                  cudaStream_t stream = nullptr, Workspace ws = {}, AttentionConfig config = {});
void scaled_dot_product_attention_backward(const float* q, const float* k, const float* v, const float* probs,
                                           const float* dout, float* dq, float* dk, float* dv,
                                           const AttentionShape& shape, const AttentionOptions& options = {},
                                           cudaStream_t stream = nullptr, Workspace ws = {},
                                           AttentionConfig config = {});

}  // namespace detnum::cuda
