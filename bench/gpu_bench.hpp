// What every GPU benchmark file needs: checked CUDA, cuBLAS and cuRAND calls (a failure becomes an
// exception that guarded() turns into SkipWithError with the call, the message, file and line),
// owners of device memory, streams, events and cuBLAS handles, and the timing loop: per
// iteration, calls queued back to back on one stream between two CUDA events, manual time per
// call. Without a device every benchmark skips with "no CUDA device".
#pragma once

#include <benchmark/benchmark.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <curand.h>

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

namespace detnum_bench::gpu {

// Elements queued per timed iteration: enough calls that launch gaps average out.
inline constexpr std::int64_t kWorkPerIteration = std::int64_t{1} << 26;

struct CudaFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void check(cudaError_t err, const char* call, const char* file, int line) {
  if (err == cudaSuccess) return;
  (void)cudaGetLastError();  // clear a non-sticky error
  throw CudaFailure(std::string(call) + " failed: " + cudaGetErrorString(err) + " (" + cudaGetErrorName(err) +
                    ") at " + file + ":" + std::to_string(line));
}
inline void check(cublasStatus_t st, const char* call, const char* file, int line) {
  if (st == CUBLAS_STATUS_SUCCESS) return;
  throw CudaFailure(std::string(call) + " failed: " + cublasGetStatusString(st) + " at " + file + ":" +
                    std::to_string(line));
}
inline void check(curandStatus_t st, const char* call, const char* file, int line) {
  if (st == CURAND_STATUS_SUCCESS) return;
  throw CudaFailure(std::string(call) + " failed: curandStatus_t " + std::to_string(static_cast<int>(st)) + " at " +
                    file + ":" + std::to_string(line));
}
#define BENCH_CHECK(call) ::detnum_bench::gpu::check((call), #call, __FILE__, __LINE__)

// Destructors cannot throw: a failed release is printed instead.
inline void check_release(bool ok, const char* call) {
  if (!ok) std::fprintf(stderr, "detnum_bench: %s failed\n", call);
}

inline bool have_device() {
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
class DeviceBuffer {
 public:
  explicit DeviceBuffer(std::int64_t count) : count_(count) {
    BENCH_CHECK(cudaMalloc(&ptr_, static_cast<std::size_t>(std::max<std::int64_t>(count, 1)) * sizeof(T)));
  }
  ~DeviceBuffer() { check_release(cudaFree(ptr_) == cudaSuccess, "cudaFree"); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  T* get() const { return ptr_; }
  std::vector<T> to_host() const {
    std::vector<T> h(static_cast<std::size_t>(count_));
    BENCH_CHECK(cudaMemcpy(h.data(), ptr_, h.size() * sizeof(T), cudaMemcpyDeviceToHost));
    return h;
  }

 private:
  T* ptr_ = nullptr;
  std::int64_t count_;
};

class Stream {
 public:
  Stream() { BENCH_CHECK(cudaStreamCreateWithFlags(&s_, cudaStreamNonBlocking)); }
  ~Stream() { check_release(cudaStreamDestroy(s_) == cudaSuccess, "cudaStreamDestroy"); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  cudaStream_t get() const { return s_; }

 private:
  cudaStream_t s_ = nullptr;
};

class Event {
 public:
  Event() { BENCH_CHECK(cudaEventCreate(&e_)); }
  ~Event() { check_release(cudaEventDestroy(e_) == cudaSuccess, "cudaEventDestroy"); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  cudaEvent_t get() const { return e_; }

 private:
  cudaEvent_t e_ = nullptr;
};

// A cuBLAS handle on `stream`; scalars in device memory when device_pointers.
class Cublas {
 public:
  Cublas(cudaStream_t stream, bool device_pointers) {
    BENCH_CHECK(cublasCreate(&h_));
    BENCH_CHECK(cublasSetStream(h_, stream));
    BENCH_CHECK(cublasSetPointerMode(h_, device_pointers ? CUBLAS_POINTER_MODE_DEVICE : CUBLAS_POINTER_MODE_HOST));
  }
  ~Cublas() { check_release(cublasDestroy(h_) == CUBLAS_STATUS_SUCCESS, "cublasDestroy"); }
  Cublas(const Cublas&) = delete;
  Cublas& operator=(const Cublas&) = delete;
  cublasHandle_t get() const { return h_; }

 private:
  cublasHandle_t h_ = nullptr;
};

// Runs body(); without a device, or when body throws, the benchmark is skipped with the reason.
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

// One warm-up call, then per iteration enough calls for kWorkPerIteration elements between two
// events; the time is per call. n is the elements of one call.
template <class Launch>
void time_calls(benchmark::State& state, cudaStream_t stream, std::int64_t n, std::int64_t bytes_per_call,
                Launch launch) {
  const int calls = static_cast<int>(std::max<std::int64_t>(1, kWorkPerIteration / std::max<std::int64_t>(n, 1)));
  Event start, stop;
  launch();
  BENCH_CHECK(cudaStreamSynchronize(stream));
  for (auto _ : state) {
    BENCH_CHECK(cudaEventRecord(start.get(), stream));
    for (int c = 0; c < calls; ++c) launch();
    BENCH_CHECK(cudaEventRecord(stop.get(), stream));
    BENCH_CHECK(cudaEventSynchronize(stop.get()));
    float ms = 0.0f;
    BENCH_CHECK(cudaEventElapsedTime(&ms, start.get(), stop.get()));
    state.SetIterationTime(static_cast<double>(ms) * 1e-3 / calls);
  }
  state.SetBytesProcessed(state.iterations() * bytes_per_call);
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["calls_per_iteration"] = calls;
}

// A float as its bits and its value, for messages about results that differ.
inline std::string hex_of(float v) {
  std::uint32_t u = 0;
  std::memcpy(&u, &v, sizeof v);
  char buf[48];
  std::snprintf(buf, sizeof buf, "0x%08" PRIx32 " (%.9g)", u, static_cast<double>(v));
  return buf;
}

}  // namespace detnum_bench::gpu
