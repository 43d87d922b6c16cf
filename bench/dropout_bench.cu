// Dropout on a CUDA device: detnum's kernel next to PyTorch's scheme and the bandwidth floor.
//
//   dropout/det_cuda/N       detnum::cuda::dropout_forward, float, with the packed bit mask
//   dropout_bf16/det_cuda/N  the same for bf16
//   dropout/curand/N         PyTorch's scheme, written here from its description: thread t calls
//                            curand_init(seed, t, offset) on a curandStatePhilox4_32_10_t and takes
//                            one curand_uniform4 per 4 elements in a grid-stride loop over a grid
//                            sized from the SM count; it writes y and a byte mask (1 byte per element)
//   dropout/copy/N           cudaMemcpyAsync device to device of n floats: the bandwidth floor
//
// bytes_per_second counts the bytes each one reads and writes: 4n + 4n + n/8 for det_cuda (2n + 2n
// + n/8 for bf16), 4n + 4n + n for curand (its byte mask), 4n + 4n for the copy. Each iteration
// queues a few calls back to back on one stream (enough for about 2^26 elements) between two CUDA
// events; the manual time is the events' interval divided by the calls, so "Time" is per call and
// includes the host cost of each call when that cost exceeds the kernel's. Inputs are written once
// and stay in place, so at 2^20 (about 8 MB touched) the data lives in an H100's 50 MB L2.
//
// Before timing, at the smallest size, det_cuda is compared with detnum::ref::dropout_forward by
// memcmp (a difference skips the benchmark with the first differing element), and the curand
// kernel with detnum's host replica of cuRAND's Philox stream (a difference is reported in the
// label and the counter `replica_ok`, and the peer is timed anyway: the peer is not wrong then).
// Without a device every benchmark here skips with "no CUDA device".
#include <benchmark/benchmark.h>

#include <cuda_runtime.h>
#include <curand_kernel.h>

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "detnum/bf16.hpp"
#include "detnum/cuda/dropout.hpp"
#include "detnum/curand_compat.hpp"
#include "detnum/dropout.hpp"
#include "gpu_bench.hpp"

namespace {

using namespace detnum_bench::gpu;

constexpr float kP = 0.1f;
constexpr std::uint64_t kSeed = 0x5EED'0000'1234ull;
constexpr std::int64_t kSmallest = std::int64_t{1} << 20;

// --- inputs, written on the device ---

__host__ __device__ float input_value(std::int64_t i) { return static_cast<float>(i % 1021) * 0.125f - 63.0f; }
__device__ void store_input(float* x, std::int64_t i) { x[i] = input_value(i); }
__device__ void store_input(detnum::bf16* x, std::int64_t i) { x[i] = detnum::bf16_from_float(input_value(i)); }

template <class T>
__global__ void fill_kernel(T* x, std::int64_t n) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
    store_input(x, i);
}

template <class T>
void fill(T* x, std::int64_t n, cudaStream_t stream) {
  fill_kernel<<<1024, 256, 0, stream>>>(x, n);
  BENCH_CHECK(cudaGetLastError());
  BENCH_CHECK(cudaStreamSynchronize(stream));
}

// The first index where a and b differ in bits, or -1.
template <class T>
std::int64_t first_difference(const T* a, const T* b, std::int64_t n) {
  if (std::memcmp(a, b, static_cast<std::size_t>(n) * sizeof(T)) == 0) return -1;
  for (std::int64_t i = 0; i < n; ++i)
    if (std::memcmp(a + i, b + i, sizeof(T)) != 0) return i;
  return -1;
}

template <class T>
std::string hex_of(const T& v) {
  std::uint32_t u = 0;
  std::memcpy(&u, &v, sizeof v);
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*x", static_cast<int>(2 * sizeof v), u);
  return buf;
}

// --- detnum ---

template <class T>
void BM_det_cuda(benchmark::State& state) {
  guarded(state, [&] {
    const std::int64_t n = state.range(0);
    const std::int64_t mask_bytes = detnum::dropout_mask_bytes(n);
    Stream stream;
    DeviceBuffer<T> x(n), y(n);
    DeviceBuffer<std::uint8_t> mask(mask_bytes);
    fill(x.get(), n, stream.get());
    const detnum::DropoutParams params{kP, kSeed, 0};

    if (n <= kSmallest) {  // validate before timing: the CPU reference defines the answer
      detnum::cuda::dropout_forward(x.get(), y.get(), n, params, mask.get(), stream.get());
      BENCH_CHECK(cudaStreamSynchronize(stream.get()));
      const std::vector<T> hx = x.to_host(), hy = y.to_host();
      const std::vector<std::uint8_t> hm = mask.to_host();
      std::vector<T> ry(static_cast<std::size_t>(n));
      std::vector<std::uint8_t> rm(static_cast<std::size_t>(mask_bytes));
      detnum::ref::dropout_forward(hx.data(), ry.data(), n, params, rm.data());
      if (const std::int64_t i = first_difference(hy.data(), ry.data(), n); i >= 0) {
        const std::string msg = "det_cuda y differs from detnum::ref at element " + std::to_string(i) + ": " +
                                hex_of(hy[i]) + " vs " + hex_of(ry[i]);
        state.SkipWithError(msg.c_str());
        return;
      }
      if (const std::int64_t i = first_difference(hm.data(), rm.data(), mask_bytes); i >= 0) {
        const std::string msg = "det_cuda mask differs from detnum::ref at byte " + std::to_string(i) + ": " +
                                hex_of(hm[i]) + " vs " + hex_of(rm[i]);
        state.SkipWithError(msg.c_str());
        return;
      }
    }

    time_calls(state, stream.get(), n, n * static_cast<std::int64_t>(2 * sizeof(T)) + mask_bytes, [&] {
      detnum::cuda::dropout_forward(x.get(), y.get(), n, params, mask.get(), stream.get());
    });
  });
}

// --- the peer: PyTorch's scheme with cuRAND ---

constexpr int kCurandBlock = 256;

// Thread t owns elements 4t .. 4t+3, then 4(t + T) .., T threads in all; its Philox subsequence is
// t, so which element gets which random number depends on the grid, and the grid on the GPU.
__global__ void curand_dropout_kernel(const float* x, float* y, std::uint8_t* mask, std::int64_t n, float keep_p,
                                      float scale, std::uint64_t seed, std::uint64_t offset) {
  const std::int64_t t = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const std::int64_t stride = 4 * static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  curandStatePhilox4_32_10_t state;
  curand_init(seed, static_cast<unsigned long long>(t), offset, &state);
  for (std::int64_t i = 4 * t; i < n; i += stride) {
    const float4 u = curand_uniform4(&state);
    const bool k0 = u.x < keep_p, k1 = u.y < keep_p, k2 = u.z < keep_p, k3 = u.w < keep_p;
    if (i + 4 <= n) {  // x, y from cudaMalloc: float4 and uchar4 accesses are aligned
      const float4 v = *reinterpret_cast<const float4*>(x + i);
      *reinterpret_cast<float4*>(y + i) = make_float4(k0 ? v.x * scale : 0.0f, k1 ? v.y * scale : 0.0f,
                                                      k2 ? v.z * scale : 0.0f, k3 ? v.w * scale : 0.0f);
      *reinterpret_cast<uchar4*>(mask + i) = make_uchar4(k0, k1, k2, k3);
    } else {
      const bool k[4] = {k0, k1, k2, k3};
      for (int j = 0; j < 4 && i + j < n; ++j) {
        y[i + j] = k[j] ? x[i + j] * scale : 0.0f;
        mask[i + j] = k[j];
      }
    }
  }
}

// As PyTorch sizes it: enough blocks to fill every SM, no more than the elements need.
int curand_grid(std::int64_t n) {
  int device = 0, sms = 0, threads_per_sm = 0;
  BENCH_CHECK(cudaGetDevice(&device));
  BENCH_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
  BENCH_CHECK(cudaDeviceGetAttribute(&threads_per_sm, cudaDevAttrMaxThreadsPerMultiProcessor, device));
  const std::int64_t resident = static_cast<std::int64_t>(sms) * std::max(1, threads_per_sm / kCurandBlock);
  const std::int64_t needed = (n + 4 * kCurandBlock - 1) / (4 * kCurandBlock);
  return static_cast<int>(std::max<std::int64_t>(1, std::min(resident, needed)));
}

// The same keep decisions on the host, from detnum's replica of cuRAND's Philox stream.
std::int64_t curand_replica_difference(const std::vector<std::uint8_t>& mask, std::int64_t n, std::int64_t threads,
                                       float keep_p) {
  for (std::int64_t t = 0; t < threads && 4 * t < n; ++t) {
    detnum::CurandPhilox4x32_10 gen(kSeed, static_cast<std::uint64_t>(t), 0);
    for (std::int64_t i = 4 * t; i < n; i += 4 * threads) {
      for (int j = 0; j < 4; ++j) {
        const bool keep = gen.uniform() < keep_p;
        if (i + j < n && static_cast<bool>(mask[static_cast<std::size_t>(i + j)]) != keep) return i + j;
      }
    }
  }
  return -1;
}

void BM_curand(benchmark::State& state) {
  guarded(state, [&] {
    const std::int64_t n = state.range(0);
    Stream stream;
    DeviceBuffer<float> x(n), y(n);
    DeviceBuffer<std::uint8_t> mask(n);
    fill(x.get(), n, stream.get());
    const float keep_p = 1.0f - kP;
    const float scale = 1.0f / keep_p;
    const int grid = curand_grid(n);
    auto launch = [&] {
      curand_dropout_kernel<<<grid, kCurandBlock, 0, stream.get()>>>(x.get(), y.get(), mask.get(), n, keep_p, scale,
                                                                     kSeed, 0);
      BENCH_CHECK(cudaGetLastError());
    };

    if (n <= kSmallest) {  // validate before timing: kept fraction, values, and the replica
      launch();
      BENCH_CHECK(cudaStreamSynchronize(stream.get()));
      const std::vector<float> hx = x.to_host(), hy = y.to_host();
      const std::vector<std::uint8_t> hm = mask.to_host();
      std::int64_t kept = 0;
      for (std::int64_t i = 0; i < n; ++i) {
        const float want = hm[i] ? hx[i] * scale : 0.0f;
        if (std::memcmp(&want, &hy[i], sizeof want) != 0 || hm[i] > 1) {
          const std::string msg = "curand kernel wrote a wrong y or mask at element " + std::to_string(i);
          state.SkipWithError(msg.c_str());
          return;
        }
        kept += hm[i];
      }
      const double fraction = static_cast<double>(kept) / static_cast<double>(n);
      if (fraction < keep_p - 0.01 || fraction > keep_p + 0.01) {
        const std::string msg = "curand kernel kept " + std::to_string(fraction) + " of the elements";
        state.SkipWithError(msg.c_str());
        return;
      }
      const std::int64_t i = curand_replica_difference(hm, n, static_cast<std::int64_t>(grid) * kCurandBlock, keep_p);
      state.counters["replica_ok"] = i < 0 ? 1 : 0;
      if (i >= 0) state.SetLabel("detnum::CurandPhilox4x32_10 differs from cuRAND at element " + std::to_string(i));
    }

    time_calls(state, stream.get(), n, 9 * n, launch);
  });
}

// --- the floor ---

void BM_copy(benchmark::State& state) {
  guarded(state, [&] {
    const std::int64_t n = state.range(0);
    Stream stream;
    DeviceBuffer<float> x(n), y(n);
    fill(x.get(), n, stream.get());
    time_calls(state, stream.get(), n, 8 * n, [&] {
      BENCH_CHECK(cudaMemcpyAsync(y.get(), x.get(), static_cast<std::size_t>(n) * sizeof(float),
                                       cudaMemcpyDeviceToDevice, stream.get()));
    });
  });
}

void gpu_sizes(benchmark::internal::Benchmark* b) {
  for (int log2n : {20, 24, 28}) b->Arg(std::int64_t{1} << log2n);
  b->UseManualTime()->Unit(benchmark::kMicrosecond);
}

BENCHMARK(BM_det_cuda<float>)->Name("dropout/det_cuda")->Apply(gpu_sizes);
BENCHMARK(BM_curand)->Name("dropout/curand")->Apply(gpu_sizes);
BENCHMARK(BM_copy)->Name("dropout/copy")->Apply(gpu_sizes);
BENCHMARK(BM_det_cuda<detnum::bf16>)->Name("dropout_bf16/det_cuda")->Apply(gpu_sizes);

}  // namespace
