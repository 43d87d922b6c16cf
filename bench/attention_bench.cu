// Scaled dot-product attention on a CUDA device, causal, both passes: detnum's next to the
// conventional math path (what PyTorch's math SDPA or llm.c's attention amount to).
//
//   attention/det_cuda/B/T/D                     detnum::cuda::scaled_dot_product_attention (the
//                                                caller's workspace)
//   attention/conventional_cuda/B/T/D            cublasSgemmStridedBatched (CUBLAS_PEDANTIC_MATH:
//                                                plain FP32 FMAs) for scale Q K^T and P V, the
//                                                conventional causal softmax kernel (a warp per row,
//                                                expf) between them
//   attention_backward/det_cuda/B/T/D            detnum::cuda::scaled_dot_product_attention_backward
//   attention_backward/conventional_cuda/B/T/D   four strided-batched cuBLAS GEMMs and the
//                                                conventional causal softmax backward kernel
//
// B attentions (heads x sequences) of T queries and T keys, head_dim D: GPT-2 small's 12 heads of
// 1024 tokens, and 8 such sequences. cuBLAS is column-major: each row-major product C = X Y is
// asked for as C^T = Y^T X^T. "flops" counts 2 T^2 D per product (2 forward, 4 backward) as if no
// key were masked. Before timing, at B = 12 and T = 256, det_cuda's outputs are compared bit for
// bit with detnum::ref on host copies.
#include <benchmark/benchmark.h>

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "conventional_cuda.hpp"
#include "detnum/attention.hpp"
#include "detnum/cuda/attention.hpp"
#include "gpu_bench.hpp"

namespace {

using namespace detnum_bench::gpu;

constexpr std::int64_t kValidateQueries = 256;

__global__ void fill_kernel(float* x, std::int64_t n, std::uint32_t salt) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const auto h = static_cast<std::uint32_t>(((static_cast<std::uint64_t>(i) ^ salt) * 0x9E3779B97F4A7C15ull) >> 40);
    x[i] = static_cast<float>(h & 0xFFFFFFu) * 0x1p-23f - 1.0f;  // [-1, 1)
  }
}

// The inputs and outputs of both passes on the device.
struct Attention {
  detnum::AttentionShape shape;
  detnum::AttentionOptions options{.is_causal = true};
  float scale;
  std::int64_t qe, pe;  // elements of Q (= K, V, out and every gradient) and of P
  DeviceBuffer<float> q, k, v, dout, out, probs, dq, dk, dv, dp, ds;
  Attention(const benchmark::State& state, cudaStream_t stream)
      : shape{state.range(0), state.range(1), state.range(1), state.range(2), state.range(2)},
        scale(detnum::attention_scale(state.range(2))),
        qe(shape.batch * shape.queries * shape.head_dim),
        pe(shape.batch * shape.queries * shape.keys),
        q(qe), k(qe), v(qe), dout(qe), out(qe), probs(pe), dq(qe), dk(qe), dv(qe), dp(pe), ds(pe) {
    std::uint32_t salt = 1;
    for (float* p : {q.get(), k.get(), v.get(), dout.get()}) {
      fill_kernel<<<1024, 256, 0, stream>>>(p, qe, salt++);
      BENCH_CHECK(cudaGetLastError());
    }
    BENCH_CHECK(cudaStreamSynchronize(stream));
  }
  double flops(int products) const {
    return 2.0 * products * static_cast<double>(shape.batch) * shape.queries * shape.keys * shape.head_dim;
  }
};

// Skips the benchmark unless the device's five outputs equal the reference's on host copies.
bool validated(benchmark::State& state, const Attention& a) {
  const std::vector<float> q = a.q.to_host(), k = a.k.to_host(), v = a.v.to_host(), dout = a.dout.to_host();
  std::vector<float> out(q.size()), probs(static_cast<std::size_t>(a.pe)), dq(q.size()), dk(q.size()), dv(q.size());
  detnum::ref::scaled_dot_product_attention(q.data(), k.data(), v.data(), out.data(), probs.data(), a.shape, a.options);
  detnum::ref::scaled_dot_product_attention_backward(q.data(), k.data(), v.data(), probs.data(), dout.data(), dq.data(),
                                                     dk.data(), dv.data(), a.shape, a.options);
  const std::pair<const char*, std::pair<const std::vector<float>*, const DeviceBuffer<float>*>> parts[] = {
      {"out", {&out, &a.out}}, {"probs", {&probs, &a.probs}}, {"dq", {&dq, &a.dq}}, {"dk", {&dk, &a.dk}},
      {"dv", {&dv, &a.dv}}};
  for (const auto& [name, pair] : parts) {
    const std::vector<float> got = pair.second->to_host();
    if (std::memcmp(got.data(), pair.first->data(), got.size() * sizeof(float)) != 0) {
      state.SkipWithError((std::string("det_cuda differs from detnum::ref in ") + name).c_str());
      return false;
    }
  }
  return true;
}

template <bool kBackward>
void BM_det_cuda(benchmark::State& state) {
  guarded(state, [&] {
    Stream stream;
    Attention a(state, stream.get());
    const std::size_t bytes = detnum::cuda::attention_workspace_bytes(a.shape);
    DeviceBuffer<unsigned char> ws(static_cast<std::int64_t>(bytes));
    const detnum::cuda::Workspace w{ws.get(), bytes};
    const auto forward = [&] {
      detnum::cuda::scaled_dot_product_attention(a.q.get(), a.k.get(), a.v.get(), a.out.get(), a.probs.get(), a.shape,
                                                 a.options, stream.get(), w);
    };
    const auto backward = [&] {
      detnum::cuda::scaled_dot_product_attention_backward(a.q.get(), a.k.get(), a.v.get(), a.probs.get(), a.dout.get(),
                                                          a.dq.get(), a.dk.get(), a.dv.get(), a.shape, a.options,
                                                          stream.get(), w);
    };
    forward();
    if (a.shape.queries == kValidateQueries) {
      backward();
      BENCH_CHECK(cudaStreamSynchronize(stream.get()));
      if (!validated(state, a)) return;
    }
    if constexpr (kBackward) time_calls(state, stream.get(), a.pe, 0, backward);
    else time_calls(state, stream.get(), a.pe, 0, forward);
    state.counters["flops"] =
        benchmark::Counter(a.flops(kBackward ? 4 : 2), benchmark::Counter::kIsIterationInvariantRate);
  });
}

template <bool kBackward>
void BM_conventional(benchmark::State& state) {
  guarded(state, [&] {
    Stream stream;
    Cublas handle(stream.get(), false);
    BENCH_CHECK(cublasSetMathMode(handle.get(), CUBLAS_PEDANTIC_MATH));
    Attention a(state, stream.get());
    const auto& s = a.shape;
    const int L = static_cast<int>(s.queries), S = static_cast<int>(s.keys), E = static_cast<int>(s.head_dim),
              B = static_cast<int>(s.batch);
    const long long qs = static_cast<long long>(L) * E, ps = static_cast<long long>(L) * S;
    const float one = 1.0f, zero = 0.0f;
    // Row-major C (m x n) = op(X) op(Y), asked of cuBLAS as C^T = op(Y)^T op(X)^T.
    const auto gemm = [&](cublasOperation_t ty, cublasOperation_t tx, int m, int n, int k, const float* alpha,
                          const float* y, int ldy, long long sy, const float* x, int ldx, long long sx, float* c,
                          int ldc, long long sc) {
      BENCH_CHECK(cublasSgemmStridedBatched(handle.get(), ty, tx, m, n, k, alpha, y, ldy, sy, x, ldx, sx, &zero, c, ldc,
                                            sc, B));
    };
    const auto forward = [&] {
      gemm(CUBLAS_OP_T, CUBLAS_OP_N, S, L, E, &a.scale, a.k.get(), E, qs, a.q.get(), E, qs, a.dp.get(), S, ps);
      detnum_bench::conventional::causal_softmax(a.dp.get(), a.probs.get(), s.batch * L, S, L, stream.get());
      gemm(CUBLAS_OP_N, CUBLAS_OP_N, E, L, S, &one, a.v.get(), E, qs, a.probs.get(), S, ps, a.out.get(), E, qs);
    };
    const auto backward = [&] {
      gemm(CUBLAS_OP_N, CUBLAS_OP_T, E, S, L, &one, a.dout.get(), E, qs, a.probs.get(), S, ps, a.dv.get(), E, qs);
      gemm(CUBLAS_OP_T, CUBLAS_OP_N, S, L, E, &one, a.v.get(), E, qs, a.dout.get(), E, qs, a.dp.get(), S, ps);
      detnum_bench::conventional::causal_softmax_backward(a.probs.get(), a.dp.get(), a.ds.get(), s.batch * L, S, L,
                                                          stream.get());
      gemm(CUBLAS_OP_N, CUBLAS_OP_N, E, L, S, &a.scale, a.k.get(), E, qs, a.ds.get(), S, ps, a.dq.get(), E, qs);
      gemm(CUBLAS_OP_N, CUBLAS_OP_T, E, S, L, &a.scale, a.q.get(), E, qs, a.ds.get(), S, ps, a.dk.get(), E, qs);
    };
    forward();
    if constexpr (kBackward) time_calls(state, stream.get(), a.pe, 0, backward);
    else time_calls(state, stream.get(), a.pe, 0, forward);
    state.counters["flops"] =
        benchmark::Counter(a.flops(kBackward ? 4 : 2), benchmark::Counter::kIsIterationInvariantRate);
  });
}

void shapes(benchmark::internal::Benchmark* b) {
  b->Args({12, kValidateQueries, 64})->Args({12, 1024, 64})->Args({96, 1024, 64});
  b->UseManualTime()->Unit(benchmark::kMicrosecond);
}

BENCHMARK(BM_det_cuda<false>)->Name("attention/det_cuda")->Apply(shapes);
BENCHMARK(BM_conventional<false>)->Name("attention/conventional_cuda")->Apply(shapes);
BENCHMARK(BM_det_cuda<true>)->Name("attention_backward/det_cuda")->Apply(shapes);
BENCHMARK(BM_conventional<true>)->Name("attention_backward/conventional_cuda")->Apply(shapes);

}  // namespace
