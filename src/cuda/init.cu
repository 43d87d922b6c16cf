// Weight initialization on CUDA: thread per Philox block (four stream words), grid-stride; each
// block's four elements come from detail::UniformBlock or NormalBlock, as on the CPU.
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

template <class T, class Block>
__global__ void init_kernel(T* __restrict__ x, std::int64_t n, Block block_values, PhiloxKey key, std::uint64_t offset) {
  const std::uint64_t first = offset >> 2, last = (offset + static_cast<std::uint64_t>(n) - 1) >> 2;
  const std::uint64_t stride = static_cast<std::uint64_t>(gridDim.x) * blockDim.x;
  for (std::uint64_t b = first + blockIdx.x * static_cast<std::uint64_t>(blockDim.x) + threadIdx.x; b <= last;
       b += stride) {
    float v[4];
    block_values(stream_block(key, streams::kInit, b), v);
#pragma unroll
    for (int w = 0; w < 4; ++w) {
      const std::uint64_t g = 4 * b + static_cast<std::uint64_t>(w);
      if (g < offset || g - offset >= static_cast<std::uint64_t>(n)) continue;
      detail::store_init(v[w], x + (g - offset));
    }
  }
}

// Checks what every fill shares (the caller has checked its values), then launches.
template <class T, class Block>
void launch(const char* fn, T* x, std::int64_t n, Block block_values, InitParams p, cudaStream_t stream,
            LaunchConfig launch) {
  detail::check_size(fn, "n", n, sizeof(T));
  detail::check_not_null(fn, "x", x, n);
  detail::check_launch(fn, launch);
  detail::check_stream_range(fn, p.offset, n);
  if (n == 0) return;
  detail::check_device_accessible(fn, "x", x, stream);
  const std::int64_t blocks = static_cast<std::int64_t>(((p.offset + static_cast<std::uint64_t>(n) - 1) >> 2) - (p.offset >> 2)) + 1;
  const auto kernel = init_kernel<T, Block>;
  const int grid = launch.grid_blocks > 0
                       ? launch.grid_blocks
                       : static_cast<int>(std::max<std::int64_t>(
                             1, std::min<std::int64_t>(detail::resident_blocks(fn, reinterpret_cast<const void*>(kernel),
                                                                               launch.block_threads),
                                                       (blocks + launch.block_threads - 1) / launch.block_threads)));
  kernel<<<grid, launch.block_threads, 0, stream>>>(x, n, block_values, philox_key(p.seed), p.offset);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

template <class T>
void uniform(T* x, std::int64_t n, float lo, float hi, InitParams p, cudaStream_t stream, LaunchConfig launch_config) {
  constexpr const char* fn = "cuda::init_uniform";
  if (!(std::isfinite(lo) && std::isfinite(hi) && lo < hi && std::isfinite(hi - lo)))
    detail::fail(ErrorCode::invalid_argument, fn,
                 "lo and hi must be finite with lo < hi and hi - lo finite, got lo " + detail::format_value(lo) +
                     ", hi " + detail::format_value(hi));
  launch(fn, x, n, detail::UniformBlock{lo, hi - lo}, p, stream, launch_config);
}

template <class T>
void normal(T* x, std::int64_t n, float mean, float stddev, InitParams p, cudaStream_t stream,
            LaunchConfig launch_config) {
  constexpr const char* fn = "cuda::init_normal";
  if (!std::isfinite(mean))
    detail::fail(ErrorCode::invalid_argument, fn, "mean must be finite, got " + detail::format_value(mean));
  if (!(std::isfinite(stddev) && stddev >= 0.0f))
    detail::fail(ErrorCode::invalid_argument, fn, "stddev must be finite and >= 0, got " + detail::format_value(stddev));
  launch(fn, x, n, detail::NormalBlock{mean, stddev}, p, stream, launch_config);
}

}  // namespace

void init_uniform(float* x, std::int64_t n, float lo, float hi, InitParams params, cudaStream_t stream,
                  LaunchConfig launch_config) {
  uniform(x, n, lo, hi, params, stream, launch_config);
}
void init_uniform(bf16* x, std::int64_t n, float lo, float hi, InitParams params, cudaStream_t stream,
                  LaunchConfig launch_config) {
  uniform(x, n, lo, hi, params, stream, launch_config);
}
void init_normal(float* x, std::int64_t n, float mean, float stddev, InitParams params, cudaStream_t stream,
                 LaunchConfig launch_config) {
  normal(x, n, mean, stddev, params, stream, launch_config);
}
void init_normal(bf16* x, std::int64_t n, float mean, float stddev, InitParams params, cudaStream_t stream,
                 LaunchConfig launch_config) {
  normal(x, n, mean, stddev, params, stream, launch_config);
}

}  // namespace detnum::cuda
