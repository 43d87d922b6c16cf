// Data order on CUDA: one thread per position, grid-stride, each computing detail/shuffle_order.hpp's
// permutation for its positions: the CPU's indices for any launch shape.
#include <cuda_runtime.h>

#include <algorithm>

#include "common/memory_space.hpp"
#include "common/validate.hpp"
#include "cuda/check.hpp"
#include "cuda/launch.hpp"
#include "detnum/cuda/shuffle.hpp"
#include "detnum/detail/shuffle_order.hpp"

namespace detnum::cuda {
namespace {

__global__ void shuffle_kernel(std::int64_t n, detail::ShuffleKey key, std::int64_t* __restrict__ out) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t p = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; p < n; p += stride)
    out[p] = detail::shuffled_index(p, n, key);
}

}  // namespace

void shuffle_indices(std::int64_t n, std::uint64_t seed, std::uint64_t epoch, std::int64_t* out, cudaStream_t stream,
                     LaunchConfig launch) {
  constexpr const char* fn = "cuda::shuffle_indices";
  detail::check_size(fn, "n", n, sizeof(std::int64_t));
  detail::check_not_null(fn, "out", out, n);
  detail::check_launch(fn, launch);
  if (n == 0) return;
  detail::check_device_accessible(fn, "out", out, stream);
  const int grid = launch.grid_blocks > 0
                       ? launch.grid_blocks
                       : static_cast<int>(std::min<std::int64_t>(
                             detail::resident_blocks(fn, reinterpret_cast<const void*>(shuffle_kernel), launch.block_threads),
                             (n + launch.block_threads - 1) / launch.block_threads));
  shuffle_kernel<<<std::max(grid, 1), launch.block_threads, 0, stream>>>(n, detail::shuffle_key(n, seed, epoch), out);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

}  // namespace detnum::cuda
