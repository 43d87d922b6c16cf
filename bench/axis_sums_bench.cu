// Axis sums on a CUDA device: detnum's fixed-order column and row sums of a row-major float
// matrix next to the usual ways of computing them.
//
//   column_sums/det_cuda/R/C   detnum::cuda::column_sums (the bias gradient), caller's workspace
//   column_sums/cublas/R/C     cublasSgemv(X^T, ones): how frameworks often take a bias gradient
//   row_sums/det_cuda/R/C      detnum::cuda::row_sums
//   row_sums/cub/R/C           cub::DeviceSegmentedReduce::Sum over the rows
//   row_sums/cublas/R/C        cublasSgemv(X, ones)
//
// Shapes: 8192 x 1024 (32 MiB: lives in an H100's L2), 32768 x 4096 (512 MiB: DRAM), 262144 x 64
// (long narrow columns) and 64 x 262144 (a few long rows). bytes_per_second counts the 4 R C bytes
// read. det_cuda is compared with detnum::ref on a host copy (bits) at the first shape before
// timing. Without a device every benchmark skips.
#include <benchmark/benchmark.h>

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <cstring>
#include <utility>
#include <cub/device/device_segmented_reduce.cuh>
#include <vector>

#include "detnum/cuda/reduce.hpp"
#include "detnum/reduce.hpp"
#include "gpu_bench.hpp"

namespace {

using namespace detnum_bench::gpu;

__global__ void fill_kernel(float* x, std::int64_t n, float value_or_pattern) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
    x[i] = value_or_pattern != 0.0f ? value_or_pattern : static_cast<float>(i % 1021) * 0.0625f - 31.0f + 1e-3f * (i % 7);
}

// The pattern (value 0) or a constant.
void fill(float* x, std::int64_t n, cudaStream_t stream, float value = 0.0f) {
  fill_kernel<<<1024, 256, 0, stream>>>(x, n, value);
  BENCH_CHECK(cudaGetLastError());
  BENCH_CHECK(cudaStreamSynchronize(stream));
}

__global__ void row_offsets_kernel(int* offsets, int rows, int cols) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i <= rows; i += gridDim.x * blockDim.x) offsets[i] = i * cols;
}

template <bool kRows>
void BM_det_cuda(benchmark::State& state) {
  guarded(state, [&] {
    const std::int64_t rows = state.range(0), cols = state.range(1), n = rows * cols;
    const std::int64_t outputs = kRows ? rows : cols;
    Stream stream;
    DeviceBuffer<float> x(n), out(outputs);
    fill(x.get(), n, stream.get());
    const detnum::MatrixLayout m = detnum::MatrixLayout::dense(rows, cols);
    const std::size_t ws_bytes =
        kRows ? detnum::cuda::row_sums_workspace_bytes(m) : detnum::cuda::column_sums_workspace_bytes(m);
    DeviceBuffer<unsigned char> ws(static_cast<std::int64_t>(ws_bytes));
    const detnum::cuda::Workspace w{ws.get(), ws_bytes};
    const auto launch = [&] {
      if constexpr (kRows) detnum::cuda::row_sums(x.get(), m, out.get(), stream.get(), w);
      else detnum::cuda::column_sums(x.get(), m, out.get(), stream.get(), w);
    };
    if (rows == 8192 && cols == 1024) {  // validate before timing: the CPU reference defines the answer
      launch();
      BENCH_CHECK(cudaStreamSynchronize(stream.get()));
      const std::vector<float> hx = x.to_host(), got = out.to_host();
      std::vector<float> want(static_cast<std::size_t>(outputs));
      if constexpr (kRows) detnum::ref::row_sums(hx.data(), m, want.data());
      else detnum::ref::column_sums(hx.data(), m, want.data());
      if (std::memcmp(got.data(), want.data(), want.size() * sizeof(float)) != 0) {
        state.SkipWithError("det_cuda differs from detnum::ref");
        return;
      }
    }
    time_calls(state, stream.get(), n, 4 * n, launch);
  });
}

// y = X^T ones (column sums) or X ones (row sums), X row-major R x C, which cuBLAS sees as the
// column-major C x R matrix with lda = C.
template <bool kRows>
void BM_cublas(benchmark::State& state) {
  guarded(state, [&] {
    const std::int64_t rows = state.range(0), cols = state.range(1), n = rows * cols;
    Stream stream;
    Cublas handle(stream.get(), false);
    DeviceBuffer<float> x(n), ones(kRows ? cols : rows), out(kRows ? rows : cols);
    fill(x.get(), n, stream.get());
    fill(ones.get(), kRows ? cols : rows, stream.get(), 1.0f);
    const float one = 1.0f, zero = 0.0f;
    time_calls(state, stream.get(), n, 4 * n, [&] {
      BENCH_CHECK(cublasSgemv(handle.get(), kRows ? CUBLAS_OP_T : CUBLAS_OP_N, static_cast<int>(cols),
                              static_cast<int>(rows), &one, x.get(), static_cast<int>(cols), ones.get(), 1, &zero,
                              out.get(), 1));
    });
  });
}

void BM_cub_rows(benchmark::State& state) {
  guarded(state, [&] {
    const std::int64_t rows = state.range(0), cols = state.range(1), n = rows * cols;
    Stream stream;
    DeviceBuffer<float> x(n), out(rows);
    DeviceBuffer<int> offsets(rows + 1);
    fill(x.get(), n, stream.get());
    row_offsets_kernel<<<256, 256, 0, stream.get()>>>(offsets.get(), static_cast<int>(rows), static_cast<int>(cols));
    BENCH_CHECK(cudaGetLastError());
    std::size_t temp_bytes = 0;
    BENCH_CHECK(cub::DeviceSegmentedReduce::Sum(nullptr, temp_bytes, x.get(), out.get(), static_cast<int>(rows),
                                                offsets.get(), offsets.get() + 1, stream.get()));
    DeviceBuffer<unsigned char> temp(static_cast<std::int64_t>(temp_bytes));
    time_calls(state, stream.get(), n, 4 * n, [&] {
      BENCH_CHECK(cub::DeviceSegmentedReduce::Sum(temp.get(), temp_bytes, x.get(), out.get(), static_cast<int>(rows),
                                                  offsets.get(), offsets.get() + 1, stream.get()));
    });
  });
}

void shapes(benchmark::internal::Benchmark* b) {
  for (const auto& [r, c] : {std::pair<int, int>{8192, 1024}, {32768, 4096}, {262144, 64}, {64, 262144}})
    b->Args({r, c});
  b->UseManualTime()->Unit(benchmark::kMicrosecond)->MinTime(0.05);
}

BENCHMARK(BM_det_cuda<false>)->Name("column_sums/det_cuda")->Apply(shapes);
BENCHMARK(BM_cublas<false>)->Name("column_sums/cublas")->Apply(shapes);
BENCHMARK(BM_det_cuda<true>)->Name("row_sums/det_cuda")->Apply(shapes);
BENCHMARK(BM_cub_rows)->Name("row_sums/cub")->Apply(shapes);
BENCHMARK(BM_cublas<true>)->Name("row_sums/cublas")->Apply(shapes);

}  // namespace
