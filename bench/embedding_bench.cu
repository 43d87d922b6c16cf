// The embedding lookup and its gradient on the device. The gradient: detnum's fixed-order
// segmented sum next to the scatter-add with float atomics that frameworks use (PyTorch's
// embedding backward and index_add_: fast, and a different result from run to run); the lookup
// next to a plain gather kernel (what PyTorch's embedding forward, index_select, amounts to):
//
//   embedding_backward/det_cuda/V/D/N   detnum::cuda::embedding_backward (each id's rows ordered
//                                       and the ids checked on the device, one stream
//                                       synchronization, segment sums; writes every row of the
//                                       table), caller's workspace
//   embedding_backward/det_cuda_deferred/V/D/N   the same with a cuda::IdCheck: no synchronization
//                                       in the call (the check is asked once, after the timing)
//   embedding_backward/atomic/V/D/N     cudaMemsetAsync of the table, then one atomicAdd per
//                                       element of dout (a thread per element, grid-stride)
//   embedding_forward/det_cuda/V/D/N    detnum::cuda::embedding_forward (ids checked on the device,
//                                       the copy, one stream synchronization)
//   embedding_forward/det_cuda_deferred/V/D/N   the same with a cuda::IdCheck
//   embedding_forward/conventional_cuda/V/D/N   out[r][d] = table[ids[r]][d], a thread per
//                                       element, grid-stride, ids not checked
//
// V vocabulary rows, D columns, N ids; the ids are Zipf-like (a few frequent tokens, a long tail).
// Before timing, det_cuda's output (the table, or the lookup's N x D rows) is filled with NaN,
// written by one call and compared with detnum::ref (memcmp). bytes_per_second counts the ids read,
// and dout read and the table written (backward) or N rows of the table read and written (forward).
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

// The ids, and the gradient's input dout (N x D) or the lookup's input table (V x D).
struct Inputs {
  std::vector<std::int32_t> ids;
  std::vector<float> dout, table;
  Inputs(std::int64_t vocab, std::int64_t dim, std::int64_t n, bool forward) : ids(static_cast<std::size_t>(n)) {
    for (std::int64_t r = 0; r < n; ++r) {  // id = floor(vocab^u) - 1: frequent small ids, a long tail
      const double u = detnum::uniform_float(detnum::stream_word(5, 0xE3B, static_cast<std::uint64_t>(r)));
      ids[static_cast<std::size_t>(r)] = static_cast<std::int32_t>(std::pow(static_cast<double>(vocab), u)) - 1;
    }
    if (forward) {  // any finite values do for a copy
      table.resize(static_cast<std::size_t>(vocab * dim));
      for (std::size_t i = 0; i < table.size(); ++i) table[i] = static_cast<float>(i % 2003) / 1001.0f - 1.0f;
    } else {
      dout.resize(static_cast<std::size_t>(n * dim));
      for (std::size_t i = 0; i < dout.size(); ++i)
        dout[i] = detnum::uniform_float(detnum::stream_word(6, 0xE3B, i)) - 0.5f;
    }
  }
};

__global__ void atomic_scatter_kernel(const std::int32_t* ids, const float* dout, std::int64_t dim, std::int64_t total,
                                      float* table) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t e = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += stride)
    atomicAdd(&table[ids[e / dim] * dim + e % dim], dout[e]);
}

__global__ void gather_kernel(const float* table, const std::int32_t* ids, std::int64_t dim, std::int64_t total,
                              float* out) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t e = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += stride)
    out[e] = table[ids[e / dim] * dim + e % dim];
}

enum class Impl { det, deferred, conventional };  // detnum waiting for the check; detnum with an IdCheck; the peer

template <bool kForward, Impl kImpl>
void BM_embedding(benchmark::State& state) {
  constexpr bool kDet = kImpl != Impl::conventional;
  guarded(state, [&] {
    const std::int64_t vocab = state.range(0), dim = state.range(1), n = state.range(2);
    const Inputs in(vocab, dim, n, kForward);
    Stream stream;
    DeviceBuffer<std::int32_t> ids(n);
    DeviceBuffer<float> rows(n * dim), table(vocab * dim);  // rows: dout, or the lookup's output
    const DeviceBuffer<float>& out = kForward ? rows : table;
    BENCH_CHECK(cudaMemcpy(ids.get(), in.ids.data(), in.ids.size() * 4, cudaMemcpyHostToDevice));
    if constexpr (kForward) BENCH_CHECK(cudaMemcpy(table.get(), in.table.data(), in.table.size() * 4, cudaMemcpyHostToDevice));
    else BENCH_CHECK(cudaMemcpy(rows.get(), in.dout.data(), in.dout.size() * 4, cudaMemcpyHostToDevice));
    const std::size_t ws_bytes = kForward ? 0 : detnum::cuda::embedding_backward_workspace_bytes(n, vocab);
    DeviceBuffer<unsigned char> ws(static_cast<std::int64_t>(ws_bytes));
    const std::int64_t bytes = kForward ? 2 * n * dim * 4 + n * 4 : n * dim * 4 + n * 4 + vocab * dim * 4;
    detnum::cuda::IdCheck check;
    const auto launch = [&] {
      if constexpr (kForward && kImpl == Impl::det) {
        detnum::cuda::embedding_forward(table.get(), vocab, dim, ids.get(), n, rows.get(), stream.get());
      } else if constexpr (kForward && kImpl == Impl::deferred) {
        detnum::cuda::embedding_forward(table.get(), vocab, dim, ids.get(), n, rows.get(), check, stream.get());
      } else if constexpr (kForward) {
        gather_kernel<<<1024, 256, 0, stream.get()>>>(table.get(), ids.get(), dim, n * dim, rows.get());
        BENCH_CHECK(cudaGetLastError());
      } else if constexpr (kImpl == Impl::det) {
        detnum::cuda::embedding_backward(ids.get(), n, rows.get(), vocab, dim, table.get(), stream.get(),
                                         {ws.get(), ws_bytes});
      } else if constexpr (kImpl == Impl::deferred) {
        detnum::cuda::embedding_backward(ids.get(), n, rows.get(), vocab, dim, table.get(), check, stream.get(),
                                         {ws.get(), ws_bytes});
      } else {
        BENCH_CHECK(cudaMemsetAsync(table.get(), 0, static_cast<std::size_t>(vocab * dim) * 4, stream.get()));
        atomic_scatter_kernel<<<1024, 256, 0, stream.get()>>>(ids.get(), rows.get(), dim, n * dim, table.get());
        BENCH_CHECK(cudaGetLastError());
      }
    };
    if constexpr (kDet) {  // validate before timing: the CPU reference defines the answer
      const std::int64_t count = kForward ? n * dim : vocab * dim;
      BENCH_CHECK(cudaMemset(out.get(), 0xFF, static_cast<std::size_t>(count) * 4));  // 0xFFFFFFFF: a NaN
      launch();
      BENCH_CHECK(cudaStreamSynchronize(stream.get()));
      check.throw_if_bad();
      std::vector<float> want(static_cast<std::size_t>(count));
      if constexpr (kForward) detnum::ref::embedding_forward(in.table.data(), vocab, dim, in.ids.data(), n, want.data());
      else detnum::ref::embedding_backward(in.ids.data(), n, in.dout.data(), vocab, dim, want.data());
      const std::vector<float> got = out.to_host();
      if (std::memcmp(want.data(), got.data(), want.size() * 4) != 0) {
        std::size_t i = 0;
        while (std::memcmp(&want[i], &got[i], 4) == 0) ++i;
        const std::string impl = kImpl == Impl::deferred ? "det_cuda_deferred" : "det_cuda";
        state.SkipWithError((impl + " differs from the reference at " + std::to_string(i) + ": " + hex_of(got[i]) +
                             " vs " + hex_of(want[i]))
                                .c_str());
        return;
      }
    }
    time_calls(state, stream.get(), n * dim, bytes, launch);
    check.throw_if_bad();
  });
}

// GPT-2's vocabulary and width with 8192 tokens; a 32k vocabulary, 1024 wide, 65536 tokens.
void shapes(benchmark::internal::Benchmark* b) {
  b->Args({50257, 768, 8192})->Args({32000, 1024, 65536});
  b->UseManualTime()->Unit(benchmark::kMicrosecond)->MinTime(0.05);
}

BENCHMARK(BM_embedding<false, Impl::det>)->Name("embedding_backward/det_cuda")->Apply(shapes);
BENCHMARK(BM_embedding<false, Impl::deferred>)->Name("embedding_backward/det_cuda_deferred")->Apply(shapes);
BENCHMARK(BM_embedding<false, Impl::conventional>)->Name("embedding_backward/atomic")->Apply(shapes);
BENCHMARK(BM_embedding<true, Impl::det>)->Name("embedding_forward/det_cuda")->Apply(shapes);
BENCHMARK(BM_embedding<true, Impl::deferred>)->Name("embedding_forward/det_cuda_deferred")->Apply(shapes);
BENCHMARK(BM_embedding<true, Impl::conventional>)->Name("embedding_forward/conventional_cuda")->Apply(shapes);

}  // namespace
