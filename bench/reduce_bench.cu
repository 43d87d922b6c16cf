// Reductions on a CUDA device: detnum's deterministic kernels next to the usual peers.
//
//   sum/det_cuda/N    detnum::cuda::sum, float, with a workspace of the caller's (allocated once)
//   sum/cub/N         cub::DeviceReduce::Sum, two-phase, temporary storage allocated once
//   sum/atomic/N      a float atomicAdd reduction (one atomic per warp after a shuffle tree; the
//                     result is zeroed by cudaMemsetAsync in each call): the nondeterministic floor
//                     a deterministic sum is often traded against; peer only, never library code
//   dot/det_cuda/N    detnum::cuda::dot, float
//   dot/cublas/N      cublasSdot, device pointer mode
//   dot/cub/N         cub::DeviceReduce::TransformReduce of x_i * y_i over the indices (cub has
//                     no dot of two arrays: the products are read through an index iterator)
//   nrm2/det_cuda/N   detnum::cuda::nrm2, float (accumulates in double)
//   nrm2/cublas/N     cublasSnrm2, device pointer mode
//   asum/det_cuda/N   detnum::cuda::asum, float
//   asum/cublas/N     cublasSasum, device pointer mode
//   argmax/det_cuda/N detnum::cuda::argmax, float (the first index of the largest value)
//   argmax/cub/N      cub::DeviceReduce::ArgMax (the largest value and its index)
//
// bytes_per_second counts the bytes read: 4n, and 8n for dot. Each iteration queues
// enough calls back to back on one stream for about 2^26 elements between two CUDA events; the
// manual time is the interval divided by the calls, so "Time" is per call and includes a call's
// host cost where that exceeds its device time. Inputs are written once on the device and stay in
// place: at 2^20 (4 or 8 MB) they live in an H100's 50 MB L2, as in cub's own benchmarks.
//
// Before timing, at the smallest size, det_cuda's result is compared with detnum::ref on a host
// copy of the input (bits; a difference skips the benchmark with both values). Without a device
// every benchmark here skips with "no CUDA device".
#include <benchmark/benchmark.h>

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <cub/device/device_reduce.cuh>
#include <cuda/std/functional>
#include <exception>
#include <stdexcept>
#include <string>
#include <thrust/iterator/counting_iterator.h>
#include <type_traits>
#include <vector>

#include "detnum/cuda/reduce.hpp"
#include "detnum/reduce.hpp"
#include "gpu_bench.hpp"

namespace {

using namespace detnum_bench::gpu;

constexpr std::int64_t kSmallest = std::int64_t{1} << 20;

// --- inputs, written on the device: values with full 24-bit significands so that every rounding
// of the order shows ---

__host__ __device__ float input_value(std::int64_t i, std::uint32_t salt) {
  const auto h = static_cast<std::uint32_t>(((static_cast<std::uint64_t>(i) ^ salt) * 0x9E3779B97F4A7C15ull) >> 40);
  return static_cast<float>(h & 0xFFFFFFu) * 0x1p-22f - 2.0f;  // [-2, 2)
}

__global__ void fill_kernel(float* x, std::int64_t n, std::uint32_t salt) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
    x[i] = input_value(i, salt);
}

void fill(float* x, std::int64_t n, std::uint32_t salt, cudaStream_t stream) {
  fill_kernel<<<1024, 256, 0, stream>>>(x, n, salt);
  BENCH_CHECK(cudaGetLastError());
  BENCH_CHECK(cudaStreamSynchronize(stream));
}

std::string shown(float v) { return hex_of(v); }
std::string shown(std::int64_t v) { return std::to_string(v); }

// true when the device's result equals want in bits; otherwise the benchmark is skipped.
template <class R>
bool validated(benchmark::State& state, const char* what, const R* d_result, R want) {
  R got{};
  BENCH_CHECK(cudaMemcpy(&got, d_result, sizeof got, cudaMemcpyDeviceToHost));
  if (std::memcmp(&got, &want, sizeof got) == 0) return true;
  const std::string msg = std::string(what) + " differs from detnum::ref: " + shown(got) + " vs " + shown(want);
  state.SkipWithError(msg.c_str());
  return false;
}

enum class Kind { sum, dot, nrm2, asum, argmax };
template <Kind kKind>
using Result = std::conditional_t<kKind == Kind::argmax, std::int64_t, float>;

// --- detnum ---

template <Kind kKind>
void BM_det_cuda(benchmark::State& state) {
  guarded(state, [&] {
    const std::int64_t n = state.range(0);
    Stream stream;
    DeviceBuffer<float> x(n), y(kKind == Kind::dot ? n : 1);
    DeviceBuffer<Result<kKind>> result(1);
    fill(x.get(), n, 1, stream.get());
    if (kKind == Kind::dot) fill(y.get(), n, 2, stream.get());
    const std::size_t ws_bytes = detnum::cuda::reduce_workspace_bytes(n);
    DeviceBuffer<unsigned char> ws(static_cast<std::int64_t>(ws_bytes));
    const detnum::cuda::Workspace w{ws.get(), ws_bytes};
    auto launch = [&] {
      if constexpr (kKind == Kind::sum) detnum::cuda::sum(x.get(), n, result.get(), stream.get(), w);
      else if constexpr (kKind == Kind::dot) detnum::cuda::dot(x.get(), y.get(), n, result.get(), stream.get(), w);
      else if constexpr (kKind == Kind::nrm2) detnum::cuda::nrm2(x.get(), n, result.get(), stream.get(), w);
      else if constexpr (kKind == Kind::asum) detnum::cuda::asum(x.get(), n, result.get(), stream.get(), w);
      else detnum::cuda::argmax(x.get(), n, result.get(), stream.get(), w);
    };

    if (n <= kSmallest) {  // validate before timing: the CPU reference defines the answer
      launch();
      BENCH_CHECK(cudaStreamSynchronize(stream.get()));
      const std::vector<float> hx = x.to_host();
      Result<kKind> want{};
      if constexpr (kKind == Kind::sum) want = detnum::ref::sum(hx.data(), n);
      else if constexpr (kKind == Kind::dot) want = detnum::ref::dot(hx.data(), y.to_host().data(), n);
      else if constexpr (kKind == Kind::nrm2) want = detnum::ref::nrm2(hx.data(), n);
      else if constexpr (kKind == Kind::asum) want = detnum::ref::asum(hx.data(), n);
      else want = detnum::ref::argmax(hx.data(), n);
      if (!validated(state, "det_cuda", result.get(), want)) return;
    }
    time_calls(state, stream.get(), n, n * static_cast<std::int64_t>(kKind == Kind::dot ? 8 : 4), launch);
  });
}

// --- peers ---

void BM_cub_sum(benchmark::State& state) {
  guarded(state, [&] {
    const std::int64_t n = state.range(0);
    Stream stream;
    DeviceBuffer<float> x(n), result(1);
    fill(x.get(), n, 1, stream.get());
    std::size_t temp_bytes = 0;
    BENCH_CHECK(cub::DeviceReduce::Sum(nullptr, temp_bytes, x.get(), result.get(), static_cast<int>(n), stream.get()));
    DeviceBuffer<unsigned char> temp(static_cast<std::int64_t>(std::max<std::size_t>(temp_bytes, 1)));
    time_calls(state, stream.get(), n, 4 * n, [&] {
      BENCH_CHECK(cub::DeviceReduce::Sum(temp.get(), temp_bytes, x.get(), result.get(), static_cast<int>(n),
                                      stream.get()));
    });
  });
}

// x_i * y_i, rounded, for cub's sum of the products (the way a framework's dot kernel adds them).
struct Product {
  const float* x;
  const float* y;
  __device__ float operator()(int i) const { return x[i] * y[i]; }
};

void BM_cub_dot(benchmark::State& state) {
  guarded(state, [&] {
    const std::int64_t n = state.range(0);
    Stream stream;
    DeviceBuffer<float> x(n), y(n), result(1);
    fill(x.get(), n, 1, stream.get());
    fill(y.get(), n, 2, stream.get());
    const thrust::counting_iterator<int> first(0);
    const auto reduce = [&](void* temp, std::size_t& bytes) {
      BENCH_CHECK(cub::DeviceReduce::TransformReduce(temp, bytes, first, result.get(), static_cast<int>(n),
                                                     cuda::std::plus<>{}, Product{x.get(), y.get()}, 0.0f,
                                                     stream.get()));
    };
    std::size_t temp_bytes = 0;
    reduce(nullptr, temp_bytes);
    DeviceBuffer<unsigned char> temp(static_cast<std::int64_t>(std::max<std::size_t>(temp_bytes, 1)));
    time_calls(state, stream.get(), n, 8 * n, [&] { reduce(temp.get(), temp_bytes); });
  });
}

constexpr int kAtomicBlock = 256;

// Each thread sums float4s grid-stride, the warp folds with shuffles, lane 0 adds to *out with a
// float atomic: the order of the atomics, so the bits, vary from run to run.
__global__ void atomic_sum_kernel(const float* __restrict__ x, std::int64_t n, float* out) {
  const std::int64_t t = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  float s = 0.0f;
  const std::int64_t quads = n / 4;
  for (std::int64_t q = t; q < quads; q += stride) {
    const float4 v = reinterpret_cast<const float4*>(x)[q];
    s = s + v.x + v.y + v.z + v.w;
  }
  for (std::int64_t i = 4 * quads + t; i < n; i += stride) s = s + x[i];
  for (int d = 16; d >= 1; d /= 2) s = s + __shfl_down_sync(0xFFFFFFFFu, s, d);
  if (threadIdx.x % 32 == 0) atomicAdd(out, s);
}

void BM_atomic_sum(benchmark::State& state) {
  guarded(state, [&] {
    const std::int64_t n = state.range(0);
    Stream stream;
    DeviceBuffer<float> x(n), result(1);
    fill(x.get(), n, 1, stream.get());
    int device = 0, sms = 0, per_sm = 0;
    BENCH_CHECK(cudaGetDevice(&device));
    BENCH_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
    BENCH_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, atomic_sum_kernel, kAtomicBlock, 0));
    const std::int64_t needed = (n / 4 + kAtomicBlock - 1) / kAtomicBlock;
    const std::int64_t resident = static_cast<std::int64_t>(sms) * std::max(per_sm, 1);
    const int grid = static_cast<int>(std::max<std::int64_t>(1, std::min(resident, needed)));
    time_calls(state, stream.get(), n, 4 * n, [&] {
      BENCH_CHECK(cudaMemsetAsync(result.get(), 0, sizeof(float), stream.get()));
      atomic_sum_kernel<<<grid, kAtomicBlock, 0, stream.get()>>>(x.get(), n, result.get());
      BENCH_CHECK(cudaGetLastError());
    });
  });
}

// cub's ArgMax, writing the largest value and its index; its ties and NaNs follow cub's rules,
// not detnum's.
void BM_cub_argmax(benchmark::State& state) {
  guarded(state, [&] {
    const std::int64_t n = state.range(0);
    Stream stream;
    DeviceBuffer<float> x(n), largest(1);
    DeviceBuffer<std::int64_t> index(1);
    fill(x.get(), n, 1, stream.get());
    std::size_t temp_bytes = 0;
    BENCH_CHECK(cub::DeviceReduce::ArgMax(nullptr, temp_bytes, x.get(), largest.get(), index.get(), n, stream.get()));
    DeviceBuffer<unsigned char> temp(static_cast<std::int64_t>(std::max<std::size_t>(temp_bytes, 1)));
    time_calls(state, stream.get(), n, 4 * n, [&] {
      BENCH_CHECK(
          cub::DeviceReduce::ArgMax(temp.get(), temp_bytes, x.get(), largest.get(), index.get(), n, stream.get()));
    });
  });
}

template <Kind kKind>
void BM_cublas(benchmark::State& state) {
  guarded(state, [&] {
    const std::int64_t n = state.range(0);
    Stream stream;
    Cublas handle(stream.get(), true);
    DeviceBuffer<float> x(n), y(kKind == Kind::dot ? n : 1), result(1);
    fill(x.get(), n, 1, stream.get());
    if (kKind == Kind::dot) fill(y.get(), n, 2, stream.get());
    time_calls(state, stream.get(), n, n * static_cast<std::int64_t>(kKind == Kind::dot ? 8 : 4), [&] {
      if constexpr (kKind == Kind::dot)
        BENCH_CHECK(cublasSdot(handle.get(), static_cast<int>(n), x.get(), 1, y.get(), 1, result.get()));
      else if constexpr (kKind == Kind::nrm2)
        BENCH_CHECK(cublasSnrm2(handle.get(), static_cast<int>(n), x.get(), 1, result.get()));
      else
        BENCH_CHECK(cublasSasum(handle.get(), static_cast<int>(n), x.get(), 1, result.get()));
    });
  });
}

// The manual time is per call while an iteration runs `calls` of them, so Google Benchmark's
// default 0.5 s of manual time would take 64x as long in wall time at 2^20: 0.05 s is plenty.
void gpu_sizes(benchmark::internal::Benchmark* b) {
  for (int log2n : {20, 24, 28}) b->Arg(std::int64_t{1} << log2n);
  b->UseManualTime()->Unit(benchmark::kMicrosecond)->MinTime(0.05);
}

BENCHMARK(BM_det_cuda<Kind::sum>)->Name("sum/det_cuda")->Apply(gpu_sizes);
BENCHMARK(BM_cub_sum)->Name("sum/cub")->Apply(gpu_sizes);
BENCHMARK(BM_atomic_sum)->Name("sum/atomic")->Apply(gpu_sizes);
BENCHMARK(BM_det_cuda<Kind::dot>)->Name("dot/det_cuda")->Apply(gpu_sizes);
BENCHMARK(BM_cublas<Kind::dot>)->Name("dot/cublas")->Apply(gpu_sizes);
BENCHMARK(BM_cub_dot)->Name("dot/cub")->Apply(gpu_sizes);
BENCHMARK(BM_det_cuda<Kind::nrm2>)->Name("nrm2/det_cuda")->Apply(gpu_sizes);
BENCHMARK(BM_cublas<Kind::nrm2>)->Name("nrm2/cublas")->Apply(gpu_sizes);
BENCHMARK(BM_det_cuda<Kind::asum>)->Name("asum/det_cuda")->Apply(gpu_sizes);
BENCHMARK(BM_cublas<Kind::asum>)->Name("asum/cublas")->Apply(gpu_sizes);
BENCHMARK(BM_det_cuda<Kind::argmax>)->Name("argmax/det_cuda")->Apply(gpu_sizes);
BENCHMARK(BM_cub_argmax)->Name("argmax/cub")->Apply(gpu_sizes);

}  // namespace
