// GEMM on a CUDA device: detnum's deterministic kernels beside cuBLAS. Row-major C = A * B
// (alpha 1, beta 0), M x K times K x N.
//
//   gemm/det_cuda/M/N/K       detnum::cuda::gemm, float in, float out, automatic GemmConfig
//   gemm/cublas/M/N/K         cublasSgemm with CUBLAS_PEDANTIC_MATH: plain FP32 FMAs, the peer to
//                             read det_cuda against
//   gemm_tf32/cublas/M/N/K    cublasSgemm with CUBLAS_TF32_TENSOR_OP_MATH: tensor cores on inputs
//                             rounded to 10-bit fractions (another result; for context)
//   gemm_bf16/det_cuda/M/N/K  detnum::cuda::gemm, bf16 in, float out
//   gemm_bf16/cublas/M/N/K    cublasGemmEx, bf16 in, float out, CUBLAS_COMPUTE_32F (tensor cores;
//                             for context)
//
// cuBLAS is column-major: the row-major C = A * B is the column-major C^T = B^T * A^T, so cuBLAS
// gets (n, m, k) with B first (ld n) and A second (ld k), and ldc n. "flops" is 2 * M * N * K per
// call per second. Each iteration queues enough calls for about 2^26 "elements" with n =
// M * N * K / 64 (so 4 calls at 1024^3 and 128 x 128 x 65536, one at the larger shapes) between two
// CUDA events; the time is per call. det_cuda gets a workspace of the caller's (allocated once)
// where gemm_workspace_bytes is at most 256 MiB, Workspace{} otherwise (the automatic rule does not
// split those shapes). Before timing, at 1024^3, det_cuda's C is compared with detnum::ref::gemm on
// host copies of A and B (bits; a difference skips the benchmark with the first differing value).
#include <benchmark/benchmark.h>

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "detnum/cuda/gemm.hpp"
#include "detnum/gemm.hpp"
#include "gpu_bench.hpp"

namespace {

using namespace detnum_bench::gpu;
using detnum::bf16;
using detnum::Transpose;

constexpr std::int64_t kValidateSize = 1024;
constexpr std::size_t kMaxWorkspace = std::size_t{256} << 20;

// --- inputs, written on the device: full 24-bit significands in [-2, 2) (bf16: the top 16 bits) ---

__host__ __device__ float input_value(std::int64_t i, std::uint32_t salt) {
  const auto h = static_cast<std::uint32_t>(((static_cast<std::uint64_t>(i) ^ salt) * 0x9E3779B97F4A7C15ull) >> 40);
  return static_cast<float>(h & 0xFFFFFFu) * 0x1p-22f - 2.0f;
}

template <class T>
__global__ void fill_kernel(T* x, std::int64_t n, std::uint32_t salt) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const float v = input_value(i, salt);
    if constexpr (std::is_same_v<T, float>) x[i] = v;
    else x[i] = bf16{static_cast<std::uint16_t>(__float_as_uint(v) >> 16)};
  }
}

template <class T>
void fill(T* x, std::int64_t n, std::uint32_t salt, cudaStream_t stream) {
  fill_kernel<<<1024, 256, 0, stream>>>(x, n, salt);
  BENCH_CHECK(cudaGetLastError());
  BENCH_CHECK(cudaStreamSynchronize(stream));
}

struct Shape {
  std::int64_t m, n, k;
};
Shape shape_of(const benchmark::State& state) { return {state.range(0), state.range(1), state.range(2)}; }

// Per call: 2 M N K flops; "elements" for time_calls' calls per iteration; bytes of A, B and C.
template <class T>
void time_gemm(benchmark::State& state, cudaStream_t stream, Shape s, auto launch) {
  const std::int64_t bytes = (s.m * s.k + s.k * s.n) * static_cast<std::int64_t>(sizeof(T)) + s.m * s.n * 4;
  time_calls(state, stream, s.m * s.n * s.k / 64, bytes, launch);
  state.counters["flops"] =
      benchmark::Counter(2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k),
                         benchmark::Counter::kIsIterationInvariantRate);
}

// --- detnum ---

template <class T>
void BM_det_cuda(benchmark::State& state) {
  guarded(state, [&] {
    const Shape s = shape_of(state);
    Stream stream;
    DeviceBuffer<T> a(s.m * s.k), b(s.k * s.n);
    DeviceBuffer<float> c(s.m * s.n);
    fill(a.get(), s.m * s.k, 1, stream.get());
    fill(b.get(), s.k * s.n, 2, stream.get());
    const std::size_t ws_bytes = detnum::cuda::gemm_workspace_bytes(s.m, s.n, s.k);
    const bool own_ws = ws_bytes > 0 && ws_bytes <= kMaxWorkspace;
    DeviceBuffer<unsigned char> ws(own_ws ? static_cast<std::int64_t>(ws_bytes) : 1);
    const detnum::cuda::Workspace w = own_ws ? detnum::cuda::Workspace{ws.get(), ws_bytes} : detnum::cuda::Workspace{};
    auto launch = [&] {
      detnum::cuda::gemm(Transpose::no, Transpose::no, s.m, s.n, s.k, 1.0f, a.get(), s.k, b.get(), s.n, 0.0f, c.get(),
                         s.n, stream.get(), w);
    };

    if (s.m == kValidateSize && s.n == kValidateSize && s.k == kValidateSize) {  // the reference defines the answer
      launch();
      BENCH_CHECK(cudaStreamSynchronize(stream.get()));
      const std::vector<T> ha = a.to_host(), hb = b.to_host();
      std::vector<float> want(static_cast<std::size_t>(s.m * s.n));
      detnum::ref::gemm(Transpose::no, Transpose::no, s.m, s.n, s.k, 1.0f, ha.data(), s.k, hb.data(), s.n, 0.0f,
                        want.data(), s.n);
      const std::vector<float> got = c.to_host();
      if (std::memcmp(want.data(), got.data(), want.size() * sizeof(float)) != 0) {
        std::size_t i = 0;
        while (std::memcmp(&want[i], &got[i], sizeof(float)) == 0) ++i;
        const std::string msg = "det_cuda differs from detnum::ref::gemm at C[" + std::to_string(i) +
                                "]: " + hex_of(got[i]) + " vs " + hex_of(want[i]);
        state.SkipWithError(msg.c_str());
        return;
      }
    }
    time_gemm<T>(state, stream.get(), s, launch);
  });
}

// --- cuBLAS ---

enum class Peer { pedantic, tf32, bf16 };

template <Peer kPeer>
void BM_cublas(benchmark::State& state) {
  guarded(state, [&] {
    using T = std::conditional_t<kPeer == Peer::bf16, bf16, float>;
    const Shape s = shape_of(state);
    Stream stream;
    Cublas handle(stream.get(), false);
    DeviceBuffer<T> a(s.m * s.k), b(s.k * s.n);
    DeviceBuffer<float> c(s.m * s.n);
    fill(a.get(), s.m * s.k, 1, stream.get());
    fill(b.get(), s.k * s.n, 2, stream.get());
    BENCH_CHECK(cublasSetMathMode(handle.get(), kPeer == Peer::pedantic ? CUBLAS_PEDANTIC_MATH
                                                : kPeer == Peer::tf32  ? CUBLAS_TF32_TENSOR_OP_MATH
                                                                       : CUBLAS_DEFAULT_MATH));
    const float alpha = 1.0f, beta = 0.0f;
    const int m = static_cast<int>(s.m), n = static_cast<int>(s.n), k = static_cast<int>(s.k);
    time_gemm<T>(state, stream.get(), s, [&] {
      // Row-major C (m x n) = A B is column-major C^T (n x m) = B^T A^T.
      if constexpr (kPeer == Peer::bf16)
        BENCH_CHECK(cublasGemmEx(handle.get(), CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, &alpha, b.get(), CUDA_R_16BF, n,
                                 a.get(), CUDA_R_16BF, k, &beta, c.get(), CUDA_R_32F, n, CUBLAS_COMPUTE_32F,
                                 CUBLAS_GEMM_DEFAULT));
      else
        BENCH_CHECK(cublasSgemm(handle.get(), CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, &alpha, b.get(), n, a.get(), k, &beta,
                                c.get(), n));
    });
  });
}

// 4096^3 and 8192^3 (large square), 8192 x 8192 x 128 (short k: one segment), 128 x 128 x 65536
// (one output tile, long k: the split-K case), 1024^3 (validated).
void gemm_shapes(benchmark::internal::Benchmark* b) {
  for (const auto& [m, n, k] : {Shape{4096, 4096, 4096}, Shape{8192, 8192, 8192}, Shape{8192, 8192, 128},
                                Shape{128, 128, 65536}, Shape{1024, 1024, 1024}})
    b->Args({m, n, k});
  b->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(0.05);
}

BENCHMARK(BM_det_cuda<float>)->Name("gemm/det_cuda")->Apply(gemm_shapes);
BENCHMARK(BM_cublas<Peer::pedantic>)->Name("gemm/cublas")->Apply(gemm_shapes);
BENCHMARK(BM_cublas<Peer::tf32>)->Name("gemm_tf32/cublas")->Apply(gemm_shapes);
BENCHMARK(BM_det_cuda<bf16>)->Name("gemm_bf16/det_cuda")->Apply(gemm_shapes);
BENCHMARK(BM_cublas<Peer::bf16>)->Name("gemm_bf16/cublas")->Apply(gemm_shapes);

}  // namespace
