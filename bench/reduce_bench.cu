// Reductions on a CUDA device: detnum's deterministic kernels next to the usual peers.
//
//   sum/det_cuda/N    detnum::cuda::sum, float, with a workspace of the caller's (allocated once)
//   sum/cub/N         cub::DeviceReduce::Sum, two-phase, temporary storage allocated once
//   sum/atomic/N      a float atomicAdd reduction (one atomic per warp after a shuffle tree; the
//                     result is zeroed by cudaMemsetAsync in each call): the nondeterministic floor
//                     a deterministic sum is often traded against; peer only, never library code
//   dot/det_cuda/N    detnum::cuda::dot, float
//   dot/cublas/N      cublasSdot, device pointer mode
//   nrm2/det_cuda/N   detnum::cuda::nrm2, float (accumulates in double)
//   nrm2/cublas/N     cublasSnrm2, device pointer mode
//
// bytes_per_second counts the bytes read: 4n for sum and nrm2, 8n for dot. Each iteration queues
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
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "detnum/cuda/reduce.hpp"
#include "detnum/reduce.hpp"

namespace {

constexpr std::int64_t kSmallest = std::int64_t{1} << 20;
constexpr std::int64_t kWorkPerIteration = std::int64_t{1} << 26;  // elements queued per timed iteration

// --- CUDA plumbing: every call checked; a failure becomes an exception that the benchmark turns
// into SkipWithError. ---

struct CudaFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void check(cudaError_t err, const char* call, const char* file, int line) {
  if (err == cudaSuccess) return;
  (void)cudaGetLastError();
  throw CudaFailure(std::string(call) + " failed: " + cudaGetErrorString(err) + " at " + file + ":" +
                    std::to_string(line));
}
void check(cublasStatus_t st, const char* call, const char* file, int line) {
  if (st == CUBLAS_STATUS_SUCCESS) return;
  throw CudaFailure(std::string(call) + " failed: " + cublasGetStatusString(st) + " at " + file + ":" +
                    std::to_string(line));
}
#define RB_CHECK(call) check((call), #call, __FILE__, __LINE__)

void report_release(bool ok, const char* what) {
  if (!ok) std::fprintf(stderr, "detnum_bench: %s failed\n", what);
}

bool have_device() {
  static const bool yes = [] {
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess) {
      (void)cudaGetLastError();
      return false;
    }
    return count > 0;
  }();
  return yes;
}

template <class T>
class DeviceArray {
 public:
  explicit DeviceArray(std::int64_t count) {
    RB_CHECK(cudaMalloc(&ptr_, static_cast<std::size_t>(std::max<std::int64_t>(count, 1)) * sizeof(T)));
  }
  ~DeviceArray() { report_release(cudaFree(ptr_) == cudaSuccess, "cudaFree"); }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  T* get() const { return ptr_; }

 private:
  T* ptr_ = nullptr;
};

class Stream {
 public:
  Stream() { RB_CHECK(cudaStreamCreateWithFlags(&s_, cudaStreamNonBlocking)); }
  ~Stream() { report_release(cudaStreamDestroy(s_) == cudaSuccess, "cudaStreamDestroy"); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  cudaStream_t get() const { return s_; }

 private:
  cudaStream_t s_ = nullptr;
};

class Event {
 public:
  Event() { RB_CHECK(cudaEventCreate(&e_)); }
  ~Event() { report_release(cudaEventDestroy(e_) == cudaSuccess, "cudaEventDestroy"); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  cudaEvent_t get() const { return e_; }

 private:
  cudaEvent_t e_ = nullptr;
};

// A cuBLAS handle on `stream` that reads and writes scalars in device memory.
class Cublas {
 public:
  explicit Cublas(cudaStream_t stream) {
    RB_CHECK(cublasCreate(&h_));
    RB_CHECK(cublasSetStream(h_, stream));
    RB_CHECK(cublasSetPointerMode(h_, CUBLAS_POINTER_MODE_DEVICE));
  }
  ~Cublas() { report_release(cublasDestroy(h_) == CUBLAS_STATUS_SUCCESS, "cublasDestroy"); }
  Cublas(const Cublas&) = delete;
  Cublas& operator=(const Cublas&) = delete;
  cublasHandle_t get() const { return h_; }

 private:
  cublasHandle_t h_ = nullptr;
};

template <class Body>
void guarded(benchmark::State& state, Body body) {
  if (!have_device()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  try {
    body();
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

// One warm-up call, then per iteration `calls` calls between two events; time per call.
template <class Launch>
void time_calls(benchmark::State& state, cudaStream_t stream, std::int64_t n, std::int64_t bytes_per_call,
                Launch launch) {
  const int calls = static_cast<int>(std::max<std::int64_t>(1, kWorkPerIteration / std::max<std::int64_t>(n, 1)));
  Event start, stop;
  launch();
  RB_CHECK(cudaStreamSynchronize(stream));
  for (auto _ : state) {
    RB_CHECK(cudaEventRecord(start.get(), stream));
    for (int c = 0; c < calls; ++c) launch();
    RB_CHECK(cudaEventRecord(stop.get(), stream));
    RB_CHECK(cudaEventSynchronize(stop.get()));
    float ms = 0.0f;
    RB_CHECK(cudaEventElapsedTime(&ms, start.get(), stop.get()));
    state.SetIterationTime(static_cast<double>(ms) * 1e-3 / calls);
  }
  state.SetBytesProcessed(state.iterations() * bytes_per_call);
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["calls_per_iteration"] = calls;
}

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
  RB_CHECK(cudaGetLastError());
  RB_CHECK(cudaStreamSynchronize(stream));
}

std::vector<float> to_host(const float* d, std::int64_t n) {
  std::vector<float> h(static_cast<std::size_t>(n));
  RB_CHECK(cudaMemcpy(h.data(), d, h.size() * sizeof(float), cudaMemcpyDeviceToHost));
  return h;
}

std::string hex_of(float v) {
  std::uint32_t u = 0;
  std::memcpy(&u, &v, sizeof v);
  char buf[48];
  std::snprintf(buf, sizeof buf, "0x%08" PRIx32 " (%.9g)", u, static_cast<double>(v));
  return buf;
}

// true when the device's result equals want in bits; otherwise the benchmark is skipped.
bool validated(benchmark::State& state, const char* what, const float* d_result, float want) {
  float got = 0.0f;
  RB_CHECK(cudaMemcpy(&got, d_result, sizeof got, cudaMemcpyDeviceToHost));
  if (std::memcmp(&got, &want, sizeof got) == 0) return true;
  const std::string msg = std::string(what) + " differs from detnum::ref: " + hex_of(got) + " vs " + hex_of(want);
  state.SkipWithError(msg.c_str());
  return false;
}

enum class Kind { sum, dot, nrm2 };

// --- detnum ---

template <Kind kKind>
void BM_det_cuda(benchmark::State& state) {
  guarded(state, [&] {
    const std::int64_t n = state.range(0);
    Stream stream;
    DeviceArray<float> x(n), y(kKind == Kind::dot ? n : 1), result(1);
    fill(x.get(), n, 1, stream.get());
    if (kKind == Kind::dot) fill(y.get(), n, 2, stream.get());
    const std::size_t ws_bytes = detnum::cuda::reduce_workspace_bytes(n);
    DeviceArray<unsigned char> ws(static_cast<std::int64_t>(ws_bytes));
    const detnum::cuda::Workspace w{ws.get(), ws_bytes};
    auto launch = [&] {
      if constexpr (kKind == Kind::sum) detnum::cuda::sum(x.get(), n, result.get(), stream.get(), w);
      else if constexpr (kKind == Kind::dot) detnum::cuda::dot(x.get(), y.get(), n, result.get(), stream.get(), w);
      else detnum::cuda::nrm2(x.get(), n, result.get(), stream.get(), w);
    };

    if (n <= kSmallest) {  // validate before timing: the CPU reference defines the answer
      launch();
      RB_CHECK(cudaStreamSynchronize(stream.get()));
      const std::vector<float> hx = to_host(x.get(), n);
      float want = 0.0f;
      if constexpr (kKind == Kind::sum) want = detnum::ref::sum(hx.data(), n);
      else if constexpr (kKind == Kind::dot) want = detnum::ref::dot(hx.data(), to_host(y.get(), n).data(), n);
      else want = detnum::ref::nrm2(hx.data(), n);
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
    DeviceArray<float> x(n), result(1);
    fill(x.get(), n, 1, stream.get());
    std::size_t temp_bytes = 0;
    RB_CHECK(cub::DeviceReduce::Sum(nullptr, temp_bytes, x.get(), result.get(), static_cast<int>(n), stream.get()));
    DeviceArray<unsigned char> temp(static_cast<std::int64_t>(std::max<std::size_t>(temp_bytes, 1)));
    time_calls(state, stream.get(), n, 4 * n, [&] {
      RB_CHECK(cub::DeviceReduce::Sum(temp.get(), temp_bytes, x.get(), result.get(), static_cast<int>(n),
                                      stream.get()));
    });
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
    DeviceArray<float> x(n), result(1);
    fill(x.get(), n, 1, stream.get());
    int device = 0, sms = 0, per_sm = 0;
    RB_CHECK(cudaGetDevice(&device));
    RB_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
    RB_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, atomic_sum_kernel, kAtomicBlock, 0));
    const std::int64_t needed = (n / 4 + kAtomicBlock - 1) / kAtomicBlock;
    const std::int64_t resident = static_cast<std::int64_t>(sms) * std::max(per_sm, 1);
    const int grid = static_cast<int>(std::max<std::int64_t>(1, std::min(resident, needed)));
    time_calls(state, stream.get(), n, 4 * n, [&] {
      RB_CHECK(cudaMemsetAsync(result.get(), 0, sizeof(float), stream.get()));
      atomic_sum_kernel<<<grid, kAtomicBlock, 0, stream.get()>>>(x.get(), n, result.get());
      RB_CHECK(cudaGetLastError());
    });
  });
}

template <Kind kKind>
void BM_cublas(benchmark::State& state) {
  guarded(state, [&] {
    const std::int64_t n = state.range(0);
    Stream stream;
    Cublas handle(stream.get());
    DeviceArray<float> x(n), y(kKind == Kind::dot ? n : 1), result(1);
    fill(x.get(), n, 1, stream.get());
    if (kKind == Kind::dot) fill(y.get(), n, 2, stream.get());
    time_calls(state, stream.get(), n, n * static_cast<std::int64_t>(kKind == Kind::dot ? 8 : 4), [&] {
      if constexpr (kKind == Kind::dot)
        RB_CHECK(cublasSdot(handle.get(), static_cast<int>(n), x.get(), 1, y.get(), 1, result.get()));
      else
        RB_CHECK(cublasSnrm2(handle.get(), static_cast<int>(n), x.get(), 1, result.get()));
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
BENCHMARK(BM_det_cuda<Kind::nrm2>)->Name("nrm2/det_cuda")->Apply(gpu_sizes);
BENCHMARK(BM_cublas<Kind::nrm2>)->Name("nrm2/cublas")->Apply(gpu_sizes);

}  // namespace
