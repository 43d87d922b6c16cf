// Inputs written on the device without a host copy (vectors past 2^31 elements, or rewritten
// between calls on a stream): large_value(i + offset), which the host computes the same.
#pragma once

#include <cstdint>

namespace detnum::test {

__host__ __device__ inline float large_value(std::int64_t i) {
  const auto h = static_cast<std::uint32_t>((static_cast<std::uint64_t>(i) * 0x9E3779B97F4A7C15ull) >> 40);
  return static_cast<float>(h & 0xFFFFFFu) * 0x1p-20f - 8.0f;  // 24 significant bits, in [-8, 8)
}

template <class T>
__global__ void fill_large(T* x, std::int64_t n, std::int64_t offset) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
    x[i] = static_cast<T>(large_value(i + offset));
}

}  // namespace detnum::test
