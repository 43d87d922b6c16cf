// Elementwise launches over a list of tensors (gradient clipping's scale, multi-tensor AdamW): up
// to 64 tensors a launch, their descriptors passed by value in the kernel's parameters (64 x 40
// bytes at most), a row of blocks per tensor (blockIdx.y picks it). A row has as many blocks as
// the launch's longest tensor needs, at most a wave's worth (a fixed LaunchConfig grid is the
// row's width); the rows of short tensors end at once. Which thread takes an element never
// changes its value.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <type_traits>

#include "cuda/check.hpp"
#include "cuda/launch.hpp"
#include "detnum/cuda/launch.hpp"

namespace detnum::cuda {

inline constexpr int kTensorsPerLaunch = 64;

// Tensor: a descriptor with its element count in `n`.
template <class Tensor>
struct TensorGroup {
  Tensor t[kTensorsPerLaunch];
  int count;
};

// f(i) for every element i of this block row's tensor of n elements.
template <class F>
__device__ __forceinline__ void for_row_elements(std::int64_t n, const F& f) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) f(i);
}

// kernel<<<...>>>(group, args...) for the non-empty tensors of the list, in its order.
template <class Tensor, class... Args>
void launch_tensor_groups(const char* fn, std::span<const Tensor> tensors, void (*kernel)(TensorGroup<Tensor>, Args...),
                          cudaStream_t stream, LaunchConfig launch, std::type_identity_t<Args>... args) {
  static_assert(sizeof(TensorGroup<Tensor>) + (sizeof(Args) + ... + 0) <= 4096, "a launch's kernel parameters");
  std::int64_t resident = 0;  // asked for at the first launch: a list of empty tensors touches no device
  TensorGroup<Tensor> g{};
  std::int64_t longest = 0;
  const auto flush = [&] {
    if (g.count == 0) return;
    if (resident == 0 && launch.grid_blocks == 0)
      resident = detail::resident_blocks(fn, reinterpret_cast<const void*>(kernel), launch.block_threads);
    const std::int64_t want = (longest + launch.block_threads - 1) / launch.block_threads;
    const std::int64_t per_row = launch.grid_blocks > 0 ? launch.grid_blocks : std::min(want, resident);
    kernel<<<dim3(static_cast<unsigned>(per_row), static_cast<unsigned>(g.count)), launch.block_threads, 0, stream>>>(
        g, args...);
    DETNUM_CUDA_CHECK(fn, cudaGetLastError());
    g = TensorGroup<Tensor>{};
    longest = 0;
  };
  for (const Tensor& t : tensors) {
    if (t.n == 0) continue;
    g.t[g.count++] = t;
    longest = std::max(longest, t.n);
    if (g.count == kTensorsPerLaunch) flush();
  }
  flush();
}

}  // namespace detnum::cuda
