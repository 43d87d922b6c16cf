// What the CPU reduction benchmarks (reduce_bench.cpp, reduce_ops_bench.cpp) share: their
// buffers, data, sizes and thread counts.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <thread>

namespace detnum_bench {

// 64-byte aligned host memory, as a framework's allocator gives.
class FloatBuffer {
 public:
  explicit FloatBuffer(std::int64_t count) {
    const auto bytes = (static_cast<std::size_t>(count) * sizeof(float) + 63) / 64 * 64;
    ptr_.reset(static_cast<float*>(std::aligned_alloc(64, bytes == 0 ? 64 : bytes)));
    if (!ptr_) throw std::bad_alloc();
  }
  float* get() const { return ptr_.get(); }

 private:
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  std::unique_ptr<float, Free> ptr_;
};

// Finite values of both signs with rounding in every add.
inline void fill(float* x, std::int64_t n, int salt) {
  for (std::int64_t i = 0; i < n; ++i)
    x[i] = static_cast<float>(static_cast<int>((i * 7 + salt) % 1021) - 510) * 0.0625f + 0.001f * static_cast<float>(salt);
}

inline int hardware_threads() {
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
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
