// Embedding lookup and gradient on a CUDA device: the same bits as detnum/embedding.hpp. Pointers
// are device memory. Both calls check the ids on the device and wait for that check (one stream
// synchronization, so that a bad id is a detnum::Error and not an out-of-bounds read), before
// anything of the caller's is written; the rest is queued on the stream. The gradient orders
// each id's rows stably (by counting up to 8192 rows, with cub's radix sort beyond) and sums them
// in the canonical order: no floating-point atomics. Its temporary memory: the caller's
// Workspace of embedding_backward_workspace_bytes(n, vocab) bytes, or Workspace{} for
// stream-ordered memory. n is limited to 2^31 - 1 rows on the device.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "detnum/cuda/launch.hpp"
#include "detnum/cuda/reduce.hpp"
#include "detnum/embedding.hpp"

namespace detnum::cuda {

void embedding_forward(const float* table, std::int64_t vocab, std::int64_t dim, const std::int32_t* ids,
                       std::int64_t n, float* out, cudaStream_t stream = nullptr, LaunchConfig launch = {});

std::size_t embedding_backward_workspace_bytes(std::int64_t n, std::int64_t vocab);
// launch.block_threads is the block of the kernel for ids of at most 8192 rows (a warp per id
// and 128 or 8 columns) and for the zeros of the ids that do not occur, and picks that of longer
// ids (128, 256, 512 or 1024 threads: 4 to 32 warps share each chunk's lanes); launch.grid_blocks,
// when positive, is every grid. Either changes speed, never bits.
void embedding_backward(const std::int32_t* ids, std::int64_t n, const float* dout, std::int64_t vocab,
                        std::int64_t dim, float* dtable, cudaStream_t stream = nullptr, Workspace ws = {},
                        LaunchConfig launch = {});

}  // namespace detnum::cuda
