// What one CUDA call costs on the host, where small shapes spend their time: the demo's training
// step of 64 x 128 took 263 µs a step on detnum's CUDA backend and 171 µs on the conventional one
// (H200, 2026-11-27), both far above their kernels' time. Each benchmark queues kCalls calls of
// one op on 1024 floats back to back, then waits for the stream:
//
//   call_overhead/cuda/pointer_attributes    one cudaPointerGetAttributes of a device pointer
//                                            (detnum's entry points make one per pointer argument)
//   call_overhead/cuda/device_and_peek       one cudaGetDevice and one cudaPeekAtLastError (what
//                                            the check of a device pointer adds to the above)
//   call_overhead/cuda/launch_empty          an empty kernel<<<1, 32>>>: the floor of any call
//   call_overhead/det_cuda/relu              detnum::cuda::relu
//   call_overhead/conventional_cuda/relu     the conventional relu kernel (conventional_cuda.hpp)
//   call_overhead/det_cuda/sum               detnum::cuda::sum, workspace of the caller's
//   call_overhead/det_cuda/sum_own_workspace detnum::cuda::sum, no workspace given: stream-ordered
//                                            memory of the call (cudaMallocAsync / cudaFreeAsync)
//   call_overhead/cub/sum                    cub::DeviceReduce::Sum, temporary storage given
//
// The time is per call from the first call to the end of the wait (real time); the counter
// host_us is per call until the last call returned, before the wait: what the host spent
// queueing, which is the whole cost when the GPU keeps up.
#include <benchmark/benchmark.h>

#include <cub/cub.cuh>
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "conventional_cuda.hpp"
#include "detnum/cuda/pointwise.hpp"
#include "detnum/cuda/reduce.hpp"
#include "gpu_bench.hpp"

namespace {

using namespace detnum_bench::gpu;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t kElements = 1024;
constexpr int kCalls = 64;  // well below the depth of a stream's launch queue: queueing never waits

__global__ void empty_kernel() {}

// kCalls calls per iteration; time per call to the end of the wait, host_us per call to the
// return of the last one.
template <class Call>
void time_host(benchmark::State& state, cudaStream_t stream, Call call) {
  call();
  BENCH_CHECK(cudaStreamSynchronize(stream));
  double queued = 0.0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    for (int c = 0; c < kCalls; ++c) call();
    const auto t1 = Clock::now();
    BENCH_CHECK(cudaStreamSynchronize(stream));
    const auto t2 = Clock::now();
    queued += std::chrono::duration<double>(t1 - t0).count();
    state.SetIterationTime(std::chrono::duration<double>(t2 - t0).count() / kCalls);
  }
  state.counters["host_us"] =
      benchmark::Counter(queued * 1e6 / kCalls, benchmark::Counter::kAvgIterations);
}

void BM_pointer_attributes(benchmark::State& state) {
  guarded(state, [&] {
    DeviceBuffer<float> x(kElements);
    for (auto _ : state) {
      cudaPointerAttributes attr{};
      BENCH_CHECK(cudaPointerGetAttributes(&attr, x.get()));
      benchmark::DoNotOptimize(attr);
    }
  });
}

void BM_device_and_peek(benchmark::State& state) {
  guarded(state, [&] {
    for (auto _ : state) {
      int device = 0;
      BENCH_CHECK(cudaGetDevice(&device));
      const cudaError_t pending = cudaPeekAtLastError();
      benchmark::DoNotOptimize(device);
      benchmark::DoNotOptimize(pending);
    }
  });
}

void BM_launch_empty(benchmark::State& state) {
  guarded(state, [&] {
    Stream stream;
    time_host(state, stream.get(), [&] {
      empty_kernel<<<1, 32, 0, stream.get()>>>();
      BENCH_CHECK(cudaGetLastError());
    });
  });
}

template <bool kDet>
void BM_relu(benchmark::State& state) {
  guarded(state, [&] {
    Stream stream;
    DeviceBuffer<float> x(kElements), y(kElements);
    BENCH_CHECK(cudaMemsetAsync(x.get(), 0, kElements * sizeof(float), stream.get()));
    time_host(state, stream.get(), [&] {
      if constexpr (kDet) detnum::cuda::relu(x.get(), y.get(), kElements, stream.get());
      else detnum_bench::conventional::relu(x.get(), y.get(), kElements, stream.get());
    });
  });
}

template <bool kOwnWorkspace>
void BM_det_sum(benchmark::State& state) {
  guarded(state, [&] {
    Stream stream;
    DeviceBuffer<float> x(kElements), result(1);
    BENCH_CHECK(cudaMemsetAsync(x.get(), 0, kElements * sizeof(float), stream.get()));
    const std::size_t bytes = detnum::cuda::reduce_workspace_bytes(kElements);
    DeviceBuffer<unsigned char> ws(static_cast<std::int64_t>(bytes));
    const detnum::cuda::Workspace given = kOwnWorkspace ? detnum::cuda::Workspace{} : detnum::cuda::Workspace{ws.get(), bytes};
    time_host(state, stream.get(), [&] { detnum::cuda::sum(x.get(), kElements, result.get(), stream.get(), given); });
  });
}

void BM_cub_sum(benchmark::State& state) {
  guarded(state, [&] {
    Stream stream;
    DeviceBuffer<float> x(kElements), result(1);
    BENCH_CHECK(cudaMemsetAsync(x.get(), 0, kElements * sizeof(float), stream.get()));
    std::size_t temp_bytes = 0;
    BENCH_CHECK(cub::DeviceReduce::Sum(nullptr, temp_bytes, x.get(), result.get(), static_cast<int>(kElements),
                                       stream.get()));
    DeviceBuffer<unsigned char> temp(static_cast<std::int64_t>(std::max<std::size_t>(temp_bytes, 1)));
    time_host(state, stream.get(), [&] {
      BENCH_CHECK(cub::DeviceReduce::Sum(temp.get(), temp_bytes, x.get(), result.get(), static_cast<int>(kElements),
                                         stream.get()));
    });
  });
}

BENCHMARK(BM_pointer_attributes)->Name("call_overhead/cuda/pointer_attributes");
BENCHMARK(BM_device_and_peek)->Name("call_overhead/cuda/device_and_peek");
BENCHMARK(BM_launch_empty)->Name("call_overhead/cuda/launch_empty")->UseManualTime();
BENCHMARK(BM_relu<true>)->Name("call_overhead/det_cuda/relu")->UseManualTime();
BENCHMARK(BM_relu<false>)->Name("call_overhead/conventional_cuda/relu")->UseManualTime();
BENCHMARK(BM_det_sum<false>)->Name("call_overhead/det_cuda/sum")->UseManualTime();
BENCHMARK(BM_det_sum<true>)->Name("call_overhead/det_cuda/sum_own_workspace")->UseManualTime();
BENCHMARK(BM_cub_sum)->Name("call_overhead/cub/sum")->UseManualTime();

}  // namespace
