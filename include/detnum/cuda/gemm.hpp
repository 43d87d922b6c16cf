// Deterministic GEMM on a CUDA device: the same bits as detnum/gemm.hpp on the CPU (docs/ORDER.md,
// "GEMM") for every shape, tile configuration, split of k and GPU. Row-major, BLAS-like; the
// arguments and their rules are those of detnum/gemm.hpp, with a, b and c in device memory.
//
// Each call is queued on `stream` and returns without synchronizing. Tuning is data
// (GemmConfig): the tile configuration and whether k is split over blocks change speed, never
// bits. A split of k gives whole segments of 256 to different blocks, which write their partials
// to workspace; a second kernel combines them in segment order (ORDER.md step 3). That workspace
// is the caller's (gemm_workspace_bytes) or, with Workspace{}, stream-ordered memory of the call.
// No floating-point atomics.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "detnum/cuda/reduce.hpp"
#include "detnum/gemm.hpp"

namespace detnum::cuda {

// The thread-block tiles compiled into the library (tests run every one of them).
enum class GemmTile {
  automatic,  // detnum picks from the shape
  m128n128,   // 128 x 128 outputs per block
  m64n64,     // 64 x 64 outputs per block
};

struct GemmConfig {
  GemmTile tile = GemmTile::automatic;
  // Blocks along k: 0 lets detnum decide (split only shapes with few output tiles and long k);
  // 1 never splits; s > 1 splits into at most s parts of whole segments.
  int split_k = 0;
};

// Enough workspace for any GemmConfig of this shape and batch (0 when no split can be chosen).
std::size_t gemm_workspace_bytes(std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t batch = 1);

template <GemmInput T, GemmOutput C>
void gemm(Transpose trans_a, Transpose trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, const T* a,
          std::int64_t lda, const T* b, std::int64_t ldb, float beta, C* c, std::int64_t ldc,
          cudaStream_t stream = nullptr, Workspace ws = {}, GemmConfig config = {});

template <GemmInput T, GemmOutput C>
void gemm_strided_batched(Transpose trans_a, Transpose trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
                          float alpha, const T* a, std::int64_t lda, std::int64_t stride_a, const T* b,
                          std::int64_t ldb, std::int64_t stride_b, float beta, C* c, std::int64_t ldc,
                          std::int64_t stride_c, std::int64_t batch, cudaStream_t stream = nullptr, Workspace ws = {},
                          GemmConfig config = {});

}  // namespace detnum::cuda
