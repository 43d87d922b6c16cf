// What the CPU reduction benchmarks (reduce_bench.cpp, reduce_ops_bench.cpp) share: their
// buffers, data, sizes and thread counts. Not for the files compiled with -mavx2 (host_buffer.hpp
// says why).
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>

#include "host_buffer.hpp"

namespace detnum_bench {

using FloatBuffer = HostBuffer<float>;

// Finite values of both signs with rounding in every add.
inline void fill(float* x, std::int64_t n, int salt) {
  for (std::int64_t i = 0; i < n; ++i)
    x[i] = static_cast<float>(static_cast<int>((i * 7 + salt) % 1021) - 510) * 0.0625f + 0.001f * static_cast<float>(salt);
}

// N = 2^16 (256 KiB of floats: L2), 2^20 (4 MiB: L3), 2^26 (256 MiB: DRAM).
inline constexpr std::int64_t kSizes[] = {std::int64_t{1} << 16, std::int64_t{1} << 20, std::int64_t{1} << 26};

// detnum on 1 and on all hardware threads; the peers, single-threaded, on 1.
inline void sizes_and_threads(benchmark::internal::Benchmark* b) {
  for (const std::int64_t n : kSizes) {
    b->Args({n, 1});
    if (hardware_threads() > 1) b->Args({n, hardware_threads()});
  }
}
inline void sizes_one_thread(benchmark::internal::Benchmark* b) {
  for (const std::int64_t n : kSizes) b->Args({n, 1});
}

inline void cpu_benchmark(benchmark::internal::Benchmark* b) { b->UseRealTime()->Unit(benchmark::kMicrosecond); }

}  // namespace detnum_bench
