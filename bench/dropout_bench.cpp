// Dropout on the CPU: detnum's fast path next to what people write by hand, and memcpy.
//
//   dropout/det_cpu/N/threads       detnum::dropout_forward, float, with the packed bit mask
//   dropout_bf16/det_cpu/N/threads  the same for bf16
//   dropout/mt19937/N/threads       the hand-written peer: std::mt19937 and
//                                   std::bernoulli_distribution per element, writing y and the same
//                                   packed bit mask (1 bit per element, bit i % 8 of byte i / 8);
//                                   threaded with OpenMP, one generator per thread seeded seed + t
//   dropout/memcpy/N/threads        std::memcpy of x into y (n floats): the memory floor (named
//                                   apart from the GPU's dropout/copy/N so filters can tell them apart)
//
// bytes_per_second counts bytes read + bytes written: 4n + 4n + n/8 for float dropout, 2n + 2n +
// n/8 for bf16, 4n + 4n for memcpy. Time is wall-clock (UseRealTime), since the work is spread
// over threads. p = 0.1 everywhere, as in the PyTorch figures of ../shared/anchors.md.
#include <benchmark/benchmark.h>

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>

#include "detnum/bf16.hpp"
#include "detnum/dropout.hpp"
#include "detnum/threads.hpp"
#include "host_buffer.hpp"

namespace {

constexpr float kP = 0.1f;
constexpr std::uint64_t kSeed = 0x5EED'0000'1234ull;

using detnum_bench::hardware_threads;
using detnum_bench::HostBuffer;

// Input values: finite, varied, nonzero.
float input_value(std::int64_t i) { return static_cast<float>(i % 1021) * 0.125f - 63.0f; }

void fill(float* x, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) x[i] = input_value(i);
}
void fill(detnum::bf16* x, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) x[i] = detnum::bf16_from_float(input_value(i));
}

// N in {2^16, 2^20, 2^24} x threads in {1, all hardware threads}.
void sizes_and_threads(benchmark::internal::Benchmark* b) {
  for (std::int64_t n : {std::int64_t{1} << 16, std::int64_t{1} << 20, std::int64_t{1} << 24}) {
    b->Args({n, 1});
    if (hardware_threads() > 1) b->Args({n, hardware_threads()});
  }
}
void large_and_threads(benchmark::internal::Benchmark* b) {
  const std::int64_t n = std::int64_t{1} << 24;
  b->Args({n, 1});
  if (hardware_threads() > 1) b->Args({n, hardware_threads()});
}

// [begin, end) of thread t of `threads`, cut at multiples of 64 elements so that no two threads
// write the same mask byte (the same cut detnum makes, at a coarser grain).
void thread_range(std::int64_t n, int t, int threads, std::int64_t& begin, std::int64_t& end) {
  const std::int64_t grains = (n + 63) / 64;
  begin = std::min(n, grains * t / threads * 64);
  end = std::min(n, grains * (t + 1) / threads * 64);
}

void set_counters(benchmark::State& state, std::int64_t n, std::int64_t bytes_per_call) {
  state.SetBytesProcessed(state.iterations() * bytes_per_call);
  state.SetItemsProcessed(state.iterations() * n);
}

template <class T>
void BM_det_cpu(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const int threads = static_cast<int>(state.range(1));
  HostBuffer<T> x(n), y(n);
  HostBuffer<std::uint8_t> mask(detnum::dropout_mask_bytes(n));
  fill(x.get(), n);
  const detnum::DropoutParams params{kP, kSeed, 0};
  const detnum::CpuOptions options{threads};
  detnum::dropout_forward(x.get(), y.get(), n, params, mask.get(), options);  // warm-up: fault in y, mask
  for (auto _ : state) {
    detnum::dropout_forward(x.get(), y.get(), n, params, mask.get(), options);
    benchmark::DoNotOptimize(y.get());
    benchmark::DoNotOptimize(mask.get());
    benchmark::ClobberMemory();
  }
  set_counters(state, n, n * static_cast<std::int64_t>(2 * sizeof(T)) + detnum::dropout_mask_bytes(n));
}

// What a hand-written dropout looks like: a Mersenne Twister and a Bernoulli draw per element
// (libstdc++'s bernoulli_distribution draws a double from two 32-bit outputs).
void mt19937_range(const float* x, float* y, std::uint8_t* mask, std::int64_t begin, std::int64_t end,
                   std::uint64_t seed, float p) {
  std::mt19937 gen(static_cast<std::mt19937::result_type>(seed));
  std::bernoulli_distribution keep(1.0 - static_cast<double>(p));
  const float scale = 1.0f / (1.0f - p);
  for (std::int64_t i = begin; i < end; i += 8) {
    const std::int64_t group = std::min<std::int64_t>(8, end - i);
    unsigned bits = 0;
    for (std::int64_t j = 0; j < group; ++j) {
      const bool k = keep(gen);
      y[i + j] = k ? x[i + j] * scale : 0.0f;
      bits |= static_cast<unsigned>(k) << j;
    }
    mask[i / 8] = static_cast<std::uint8_t>(bits);
  }
}

void mt19937_dropout(const float* x, float* y, std::uint8_t* mask, std::int64_t n, std::uint64_t seed, float p,
                     int threads) {
  if (threads <= 1) {
    mt19937_range(x, y, mask, 0, n, seed, p);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num();
    std::int64_t begin = 0, end = 0;
    thread_range(n, t, omp_get_num_threads(), begin, end);
    if (begin < end) mt19937_range(x, y, mask, begin, end, seed + static_cast<std::uint64_t>(t), p);
  }
}

void BM_mt19937(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const int threads = static_cast<int>(state.range(1));
  HostBuffer<float> x(n), y(n);
  HostBuffer<std::uint8_t> mask((n + 7) / 8);
  fill(x.get(), n);
  mt19937_dropout(x.get(), y.get(), mask.get(), n, kSeed, kP, threads);  // warm-up
  for (auto _ : state) {
    mt19937_dropout(x.get(), y.get(), mask.get(), n, kSeed, kP, threads);
    benchmark::DoNotOptimize(y.get());
    benchmark::DoNotOptimize(mask.get());
    benchmark::ClobberMemory();
  }
  set_counters(state, n, n * 8 + (n + 7) / 8);
}

void copy_floats(const float* x, float* y, std::int64_t n, int threads) {
  if (threads <= 1) {
    std::memcpy(y, x, static_cast<std::size_t>(n) * sizeof(float));
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    std::int64_t begin = 0, end = 0;
    thread_range(n, omp_get_thread_num(), omp_get_num_threads(), begin, end);
    if (begin < end) std::memcpy(y + begin, x + begin, static_cast<std::size_t>(end - begin) * sizeof(float));
  }
}

void BM_memcpy(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const int threads = static_cast<int>(state.range(1));
  HostBuffer<float> x(n), y(n);
  fill(x.get(), n);
  copy_floats(x.get(), y.get(), n, threads);  // warm-up
  for (auto _ : state) {
    copy_floats(x.get(), y.get(), n, threads);
    benchmark::DoNotOptimize(y.get());
    benchmark::ClobberMemory();
  }
  set_counters(state, n, n * 8);
}

void cpu_benchmark(benchmark::internal::Benchmark* b) { b->UseRealTime()->Unit(benchmark::kMicrosecond); }

BENCHMARK(BM_det_cpu<float>)->Name("dropout/det_cpu")->Apply(sizes_and_threads)->Apply(cpu_benchmark);
BENCHMARK(BM_mt19937)->Name("dropout/mt19937")->Apply(sizes_and_threads)->Apply(cpu_benchmark);
BENCHMARK(BM_memcpy)->Name("dropout/memcpy")->Apply(sizes_and_threads)->Apply(cpu_benchmark);
BENCHMARK(BM_det_cpu<detnum::bf16>)->Name("dropout_bf16/det_cpu")->Apply(large_and_threads)->Apply(cpu_benchmark);

}  // namespace
