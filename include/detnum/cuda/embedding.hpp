// Embedding lookup and gradient on a CUDA device: the same bits as detnum/embedding.hpp. Pointers
// are device memory. The gradient orders each id's rows stably (by counting up to 8192 rows,
// with cub's radix sort beyond) and sums them in the canonical order: no floating-point atomics.
// Its temporary memory: the caller's Workspace of embedding_backward_workspace_bytes(n, vocab)
// bytes (its counters are reset by each call: two calls that may run at once, on two streams,
// need two workspaces), or Workspace{} for stream-ordered memory. n is limited to 2^31 - 1 rows on the device.
//
// The ids are checked on the device; a bad id (outside [0, vocab)) makes the kernels that would
// write the output stop, so the output keeps what it held. Then either
//   - the call waits for its stream (all of its work) and throws that id's detnum::Error: the
//     calls without an IdCheck, one stream synchronization each; or
//   - with an IdCheck, the call returns without waiting and the check keeps the error of the
//     first call that met a bad id, until its throw_if_bad() reports it (cuSOLVER's devInfo, in
//     effect): a training loop keeps the host ahead of the device and asks once per step or
//     epoch. Meanwhile work queued after a bad call reads the output it left as it was.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "detnum/cuda/id_check.hpp"
#include "detnum/cuda/launch.hpp"
#include "detnum/cuda/reduce.hpp"
#include "detnum/embedding.hpp"

namespace detnum::cuda {

void embedding_forward(const float* table, std::int64_t vocab, std::int64_t dim, const std::int32_t* ids,
                       std::int64_t n, float* out, cudaStream_t stream = nullptr, LaunchConfig launch = {});
void embedding_forward(const float* table, std::int64_t vocab, std::int64_t dim, const std::int32_t* ids,
                       std::int64_t n, float* out, IdCheck& check, cudaStream_t stream = nullptr,
                       LaunchConfig launch = {});

std::size_t embedding_backward_workspace_bytes(std::int64_t n, std::int64_t vocab);
// launch.block_threads is the block of the kernel for ids of at most 8192 rows (a warp per id
// and 128 or 8 columns) and for the zeros of the ids that do not occur, and picks that of longer
// ids (128, 256, 512 or 1024 threads: 4 to 32 warps share each chunk's lanes); launch.grid_blocks,
// when positive, is every grid. Either changes speed, never bits.
void embedding_backward(const std::int32_t* ids, std::int64_t n, const float* dout, std::int64_t vocab,
                        std::int64_t dim, float* dtable, cudaStream_t stream = nullptr, Workspace ws = {},
                        LaunchConfig launch = {});
void embedding_backward(const std::int32_t* ids, std::int64_t n, const float* dout, std::int64_t vocab,
                        std::int64_t dim, float* dtable, IdCheck& check, cudaStream_t stream = nullptr,
                        Workspace ws = {}, LaunchConfig launch = {});

}  // namespace detnum::cuda
