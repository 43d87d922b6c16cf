// What the CPU reduction benchmarks (reduce_bench.cpp, reduce_ops_bench.cpp) share: their
// buffers, data, sizes, thread counts, and the benchmarks of a one-input reduction and its
// Eigen peer. Not for the files compiled with -mavx2 (host_buffer.hpp
// says why).
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>

#include "detnum/threads.hpp"
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

template <class R>
bool same_bits(R a, R b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

// Det(x, n, options) on the shared data, checked bit for bit against Ref(x, n) before timing.
template <auto Det, auto Ref>
void det_cpu(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const detnum::CpuOptions options{static_cast<int>(state.range(1))};
  FloatBuffer x(n);
  fill(x.get(), n, 1);
  if (!same_bits(Det(x.get(), n, options), Ref(x.get(), n))) {
    state.SkipWithError("det_cpu differs from detnum::ref");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(Det(x.get(), n, options));
  state.SetBytesProcessed(state.iterations() * n * static_cast<std::int64_t>(sizeof(float)));
}

// An Eigen peer of reduce_bench_eigen.cpp (false: the CPU lacks AVX2 or FMA) on the same data.
template <class R, bool (*Peer)(const float*, std::int64_t, R&)>
void eigen(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  FloatBuffer x(n);
  fill(x.get(), n, 1);
  R result{};
  if (!Peer(x.get(), n, result)) {
    state.SkipWithError("the Eigen peer is built for AVX2 + FMA, which this CPU lacks");
    return;
  }
  for (auto _ : state) {
    Peer(x.get(), n, result);
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(state.iterations() * n * static_cast<std::int64_t>(sizeof(float)));
}

}  // namespace detnum_bench
