// Weight initialization on CUDA: thread per Philox block (four stream words), grid-stride; each
// element is detail::uniform_value of its own word, as on the CPU.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "common/memory_space.hpp"
#include "common/validate.hpp"
#include "cuda/check.hpp"
#include "cuda/launch.hpp"
#include "detnum/cuda/init.hpp"
#include "detnum/detail/init_order.hpp"

namespace detnum::cuda {
namespace {

template <class T>
__global__ void init_uniform_kernel(T* __restrict__ x, std::int64_t n, float lo, float width, PhiloxKey key,
                                    std::uint64_t offset) {
  const std::uint64_t first = offset >> 2, last = (offset + static_cast<std::uint64_t>(n) - 1) >> 2;
  const std::uint64_t stride = static_cast<std::uint64_t>(gridDim.x) * blockDim.x;
  for (std::uint64_t b = first + blockIdx.x * static_cast<std::uint64_t>(blockDim.x) + threadIdx.x; b <= last;
       b += stride) {
    const PhiloxCounter words = stream_block(key, streams::kInit, b);
#pragma unroll
    for (int w = 0; w < 4; ++w) {
      const std::uint64_t g = 4 * b + static_cast<std::uint64_t>(w);
      if (g < offset || g - offset >= static_cast<std::uint64_t>(n)) continue;
      detail::store_init(detail::uniform_value(words.w[w], lo, width), x + (g - offset));
    }
  }
}

template <class T>
void launch(const char* fn, T* x, std::int64_t n, float lo, float hi, InitParams p, cudaStream_t stream,
            LaunchConfig launch) {
  detail::check_size(fn, "n", n, sizeof(T));
  detail::check_not_null(fn, "x", x, n);
  detail::check_launch(fn, launch);
  if (!(std::isfinite(lo) && std::isfinite(hi) && lo < hi && std::isfinite(hi - lo)))
    detail::fail(ErrorCode::invalid_argument, fn,
                 "lo and hi must be finite with lo < hi and hi - lo finite, got lo " + detail::format_value(lo) +
                     ", hi " + detail::format_value(hi));
  detail::check_stream_range(fn, p.offset, n);
  if (n == 0) return;
  detail::check_device_accessible(fn, "x", x);
  const std::int64_t blocks = static_cast<std::int64_t>(((p.offset + static_cast<std::uint64_t>(n) - 1) >> 2) - (p.offset >> 2)) + 1;
  const int grid = launch.grid_blocks > 0
                       ? launch.grid_blocks
                       : static_cast<int>(std::max<std::int64_t>(
                             1, std::min<std::int64_t>(detail::resident_blocks(fn, reinterpret_cast<const void*>(init_uniform_kernel<T>),
                                                                               launch.block_threads),
                                                       (blocks + launch.block_threads - 1) / launch.block_threads)));
  init_uniform_kernel<T><<<grid, launch.block_threads, 0, stream>>>(x, n, lo, hi - lo, philox_key(p.seed), p.offset);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

}  // namespace

void init_uniform(float* x, std::int64_t n, float lo, float hi, InitParams params, cudaStream_t stream,
                  LaunchConfig launch_config) {
  launch("cuda::init_uniform", x, n, lo, hi, params, stream, launch_config);
}
void init_uniform(bf16* x, std::int64_t n, float lo, float hi, InitParams params, cudaStream_t stream,
                  LaunchConfig launch_config) {
  launch("cuda::init_uniform", x, n, lo, hi, params, stream, launch_config);
}

}  // namespace detnum::cuda
