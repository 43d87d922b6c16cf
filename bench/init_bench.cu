// Random fills and data order on a CUDA device: detnum's kernels next to cuRAND's host API and
// torch.randperm's scheme.
//
//   init_uniform/det_cuda/N              detnum::cuda::init_uniform on [0, 1)
//   init_uniform/curand/N                curandGenerateUniform (on (0, 1]) of a Philox4_32_10
//                                        generator (PyTorch's CUDA generator) on the stream
//   init_normal/det_cuda/N               detnum::cuda::init_normal with mean 0, stddev 1
//   init_normal/curand/N                 curandGenerateNormal(0, 1) of the same generator
//   shuffle_indices/det_cuda/N           detnum::cuda::shuffle_indices (each position's index on
//                                        its own)
//   shuffle_indices/conventional_cuda/N  torch.randperm's scheme: N 32-bit random keys
//                                        (curandGenerate), the indices 0 .. N-1 (a kernel), and
//                                        cub::DeviceRadixSort::SortPairs of the keys with them
//                                        (temporary storage allocated once; tied keys keep their
//                                        index order, where randperm shuffles them once more)
//
// N: 2^20 and 2^24. bytes_per_second counts the output written: 4N for the fills, 8N for the
// permutation (int64; the sort's own traffic aside). Before timing, at 2^20, det_cuda's output is
// filled with NaN (the permutation with -1), written by one call and compared on a host copy with
// detnum::ref::init_uniform / init_normal (bits) or with detnum::shuffled_index, position by
// position. Without a device every benchmark skips.
#include <benchmark/benchmark.h>

#include <cuda_runtime.h>
#include <curand.h>

#include <cstdint>
#include <cstring>
#include <cub/device/device_radix_sort.cuh>
#include <vector>

#include "detnum/cuda/init.hpp"
#include "detnum/cuda/shuffle.hpp"
#include "detnum/init.hpp"
#include "detnum/shuffle.hpp"
#include "gpu_bench.hpp"

namespace {

using namespace detnum_bench::gpu;

constexpr std::int64_t kValidateAt = std::int64_t{1} << 20;
constexpr std::uint64_t kSeed = 7, kEpoch = 3;

// A cuRAND host-API generator, Philox4_32_10 as PyTorch's CUDA generator, queued on `stream`.
class CurandGenerator {
 public:
  explicit CurandGenerator(cudaStream_t stream) {
    BENCH_CHECK(curandCreateGenerator(&g_, CURAND_RNG_PSEUDO_PHILOX4_32_10));
    BENCH_CHECK(curandSetPseudoRandomGeneratorSeed(g_, kSeed));
    BENCH_CHECK(curandSetStream(g_, stream));
  }
  ~CurandGenerator() { check_release(curandDestroyGenerator(g_) == CURAND_STATUS_SUCCESS, "curandDestroyGenerator"); }
  CurandGenerator(const CurandGenerator&) = delete;
  CurandGenerator& operator=(const CurandGenerator&) = delete;
  curandGenerator_t get() const { return g_; }

 private:
  curandGenerator_t g_ = nullptr;
};

enum class Fill { uniform, normal };

template <Fill kFill, bool kDet>
void BM_init(benchmark::State& state) {
  guarded(state, [&] {
    const std::int64_t n = state.range(0);
    Stream stream;
    DeviceBuffer<float> x(n);
    const detnum::InitParams params{kSeed, 0};
    if constexpr (kDet) {
      const auto launch = [&] {
        if constexpr (kFill == Fill::uniform) detnum::cuda::init_uniform(x.get(), n, 0.0f, 1.0f, params, stream.get());
        else detnum::cuda::init_normal(x.get(), n, 0.0f, 1.0f, params, stream.get());
      };
      if (n == kValidateAt) {  // validate before timing: the CPU reference defines the answer
        BENCH_CHECK(cudaMemset(x.get(), 0xFF, static_cast<std::size_t>(n) * sizeof(float)));  // a NaN
        launch();
        BENCH_CHECK(cudaStreamSynchronize(stream.get()));
        std::vector<float> want(static_cast<std::size_t>(n));
        if constexpr (kFill == Fill::uniform) detnum::ref::init_uniform(want.data(), n, 0.0f, 1.0f, params);
        else detnum::ref::init_normal(want.data(), n, 0.0f, 1.0f, params);
        const std::vector<float> got = x.to_host();
        if (std::memcmp(got.data(), want.data(), want.size() * sizeof(float)) != 0)
          return state.SkipWithError("det_cuda differs from detnum::ref");
      }
      time_calls(state, stream.get(), n, 4 * n, launch);
    } else {
      const CurandGenerator gen(stream.get());
      time_calls(state, stream.get(), n, 4 * n, [&] {
        if constexpr (kFill == Fill::uniform) BENCH_CHECK(curandGenerateUniform(gen.get(), x.get(), static_cast<std::size_t>(n)));
        else BENCH_CHECK(curandGenerateNormal(gen.get(), x.get(), static_cast<std::size_t>(n), 0.0f, 1.0f));
      });
    }
  });
}

__global__ void iota_kernel(std::int64_t* idx, std::int64_t n) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) idx[i] = i;
}

void BM_shuffle_det(benchmark::State& state) {
  guarded(state, [&] {
    const std::int64_t n = state.range(0);
    Stream stream;
    DeviceBuffer<std::int64_t> out(n);
    const auto launch = [&] { detnum::cuda::shuffle_indices(n, kSeed, kEpoch, out.get(), stream.get()); };
    if (n == kValidateAt) {
      BENCH_CHECK(cudaMemset(out.get(), 0xFF, static_cast<std::size_t>(n) * sizeof(std::int64_t)));  // -1
      launch();
      BENCH_CHECK(cudaStreamSynchronize(stream.get()));
      const std::vector<std::int64_t> got = out.to_host();
      for (std::int64_t p = 0; p < n; ++p)
        if (got[static_cast<std::size_t>(p)] != detnum::shuffled_index(p, n, kSeed, kEpoch))
          return state.SkipWithError("det_cuda differs from detnum::shuffled_index");
    }
    time_calls(state, stream.get(), n, 8 * n, launch);
  });
}

void BM_shuffle_randperm(benchmark::State& state) {
  guarded(state, [&] {
    const std::int64_t n = state.range(0);
    Stream stream;
    const CurandGenerator gen(stream.get());
    DeviceBuffer<unsigned> keys(n), sorted_keys(n);
    DeviceBuffer<std::int64_t> idx(n), out(n);
    std::size_t temp_bytes = 0;
    BENCH_CHECK(cub::DeviceRadixSort::SortPairs(nullptr, temp_bytes, keys.get(), sorted_keys.get(), idx.get(), out.get(),
                                                static_cast<int>(n), 0, 32, stream.get()));
    DeviceBuffer<unsigned char> temp(static_cast<std::int64_t>(temp_bytes));
    time_calls(state, stream.get(), n, 8 * n, [&] {
      BENCH_CHECK(curandGenerate(gen.get(), keys.get(), static_cast<std::size_t>(n)));
      iota_kernel<<<1024, 256, 0, stream.get()>>>(idx.get(), n);
      BENCH_CHECK(cudaGetLastError());
      BENCH_CHECK(cub::DeviceRadixSort::SortPairs(temp.get(), temp_bytes, keys.get(), sorted_keys.get(), idx.get(),
                                                  out.get(), static_cast<int>(n), 0, 32, stream.get()));
    });
  });
}

void sizes(benchmark::internal::Benchmark* b) {
  b->Arg(kValidateAt)->Arg(std::int64_t{1} << 24);
  b->UseManualTime()->Unit(benchmark::kMicrosecond)->MinTime(0.05);
}

BENCHMARK(BM_init<Fill::uniform, true>)->Name("init_uniform/det_cuda")->Apply(sizes);
BENCHMARK(BM_init<Fill::uniform, false>)->Name("init_uniform/curand")->Apply(sizes);
BENCHMARK(BM_init<Fill::normal, true>)->Name("init_normal/det_cuda")->Apply(sizes);
BENCHMARK(BM_init<Fill::normal, false>)->Name("init_normal/curand")->Apply(sizes);
BENCHMARK(BM_shuffle_det)->Name("shuffle_indices/det_cuda")->Apply(sizes);
BENCHMARK(BM_shuffle_randperm)->Name("shuffle_indices/conventional_cuda")->Apply(sizes);

}  // namespace
