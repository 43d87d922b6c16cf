// The embedding gradient on the device, detnum's fixed-order segmented sum next to the
// scatter-add with float atomics that frameworks use (PyTorch's embedding backward and
// index_add_: fast, and a different result from run to run):
//
//   embedding_backward/det_cuda/V/D/N   detnum::cuda::embedding_backward (ids checked on the
//                                       device with one stream synchronization, radix sort,
//                                       segment sums; writes every row of the table), caller's
//                                       workspace
//   embedding_backward/atomic/V/D/N     cudaMemsetAsync of the table, then one atomicAdd per
//                                       element of dout (a thread per element, grid-stride)
//
// V vocabulary rows, D columns, N ids; the ids are Zipf-like (a few frequent tokens, a long tail).
// Before timing, det_cuda is compared with detnum::ref::embedding_backward (memcmp).
// bytes_per_second counts dout and ids read and the table written.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "detnum/cuda/embedding.hpp"
#include "detnum/embedding.hpp"
#include "detnum/random.hpp"
#include "gpu_bench.hpp"

namespace {

using namespace detnum_bench::gpu;

struct Inputs {
  std::vector<std::int32_t> ids;
  std::vector<float> dout;
  Inputs(std::int64_t vocab, std::int64_t dim, std::int64_t n) : ids(static_cast<std::size_t>(n)), dout(static_cast<std::size_t>(n * dim)) {
    for (std::int64_t r = 0; r < n; ++r) {  // id = floor(vocab^u) - 1: frequent small ids, a long tail
      const double u = detnum::uniform_float(detnum::stream_word(5, 0xE3B, static_cast<std::uint64_t>(r)));
      ids[static_cast<std::size_t>(r)] = static_cast<std::int32_t>(std::pow(static_cast<double>(vocab), u)) - 1;
    }
    for (std::size_t i = 0; i < dout.size(); ++i)
      dout[i] = detnum::uniform_float(detnum::stream_word(6, 0xE3B, i)) - 0.5f;
  }
};

__global__ void atomic_scatter_kernel(const std::int32_t* ids, const float* dout, std::int64_t dim, std::int64_t total,
                                      float* table) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t e = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += stride)
    atomicAdd(&table[ids[e / dim] * dim + e % dim], dout[e]);
}

template <bool kDet>
void BM_embedding_backward(benchmark::State& state) {
  guarded(state, [&] {
    const std::int64_t vocab = state.range(0), dim = state.range(1), n = state.range(2);
    const Inputs in(vocab, dim, n);
    Stream stream;
    DeviceBuffer<std::int32_t> ids(n);
    DeviceBuffer<float> dout(n * dim), table(vocab * dim);
    BENCH_CHECK(cudaMemcpy(ids.get(), in.ids.data(), in.ids.size() * 4, cudaMemcpyHostToDevice));
    BENCH_CHECK(cudaMemcpy(dout.get(), in.dout.data(), in.dout.size() * 4, cudaMemcpyHostToDevice));
    const std::size_t ws_bytes = detnum::cuda::embedding_backward_workspace_bytes(n, vocab);
    DeviceBuffer<unsigned char> ws(static_cast<std::int64_t>(ws_bytes));
    const std::int64_t bytes = n * dim * 4 + n * 4 + vocab * dim * 4;
    if constexpr (kDet) {
      const auto launch = [&] {
        detnum::cuda::embedding_backward(ids.get(), n, dout.get(), vocab, dim, table.get(), stream.get(),
                                         {ws.get(), ws_bytes});
      };
      launch();
      BENCH_CHECK(cudaStreamSynchronize(stream.get()));
      std::vector<float> want(static_cast<std::size_t>(vocab * dim));
      detnum::ref::embedding_backward(in.ids.data(), n, in.dout.data(), vocab, dim, want.data());
      const std::vector<float> got = table.to_host();
      if (std::memcmp(want.data(), got.data(), want.size() * 4) != 0) {
        std::size_t i = 0;
        while (std::memcmp(&want[i], &got[i], 4) == 0) ++i;
        state.SkipWithError(("det_cuda differs from the reference at " + std::to_string(i) + ": " + hex_of(got[i]) +
                             " vs " + hex_of(want[i]))
                                .c_str());
        return;
      }
      time_calls(state, stream.get(), n * dim, bytes, launch);
    } else {
      time_calls(state, stream.get(), n * dim, bytes, [&] {
        BENCH_CHECK(cudaMemsetAsync(table.get(), 0, static_cast<std::size_t>(vocab * dim) * 4, stream.get()));
        atomic_scatter_kernel<<<1024, 256, 0, stream.get()>>>(ids.get(), dout.get(), dim, n * dim, table.get());
      });
    }
  });
}

// GPT-2's vocabulary and width with 8192 tokens; a 32k vocabulary, 1024 wide, 65536 tokens.
void shapes(benchmark::internal::Benchmark* b) {
  b->Args({50257, 768, 8192})->Args({32000, 1024, 65536});
  b->UseManualTime()->Unit(benchmark::kMicrosecond)->MinTime(0.05);
}

BENCHMARK(BM_embedding_backward<true>)->Name("embedding_backward/det_cuda")->Apply(shapes);
BENCHMARK(BM_embedding_backward<false>)->Name("embedding_backward/atomic")->Apply(shapes);

}  // namespace
