// Batch norm (training mode) on a CUDA device: detnum's fixed-order passes beside a conventional
// pair of kernels per pass, timed per call with CUDA events.
//
//   batch_norm/det_cuda/R/C                     detnum::cuda::batch_norm with running statistics,
//                                               caller's workspace
//   batch_norm/conventional_cuda/R/C            per (64 rows, column) partial sums of x and x * x added
//                                               by float atomics, then per column mean, var (E[x^2] -
//                                               mean^2, one pass) and rstd, then y
//   batch_norm_backward/det_cuda/R/C            detnum::cuda::batch_norm_backward, caller's workspace
//   batch_norm_backward/conventional_cuda/R/C   partial sums of dy and dy * xhat by float atomics, then dx
//
// Shapes: 4096 x 1024 (a batch of 4096 feature vectors) and 65536 x 256 (a channels-last feature
// map of 64 images of 32 x 32 with 256 channels). bytes_per_second counts 8 R C (x in, y out)
// forward and 12 R C (x, dy in, dx out) backward. At 4096 rows det_cuda's outputs are compared
// with detnum::ref on host copies before timing; the conventional kernels are not checked, and are
// built with the project's flags (--fmad=false, IEEE division), which cost them a little.
#include <benchmark/benchmark.h>

#include <cuda_runtime.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "detnum/cuda/norm.hpp"
#include "detnum/norm.hpp"
#include "gpu_bench.hpp"

namespace {

using namespace detnum_bench::gpu;

constexpr float kEps = 1e-5f;
constexpr std::int64_t kValidateRows = 4096;

std::vector<float> values(std::int64_t n, float scale, std::int64_t salt) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] = (static_cast<float>((i * 7919 + 13 + static_cast<std::size_t>(salt)) % 2003) / 1001.0f - 1.0f) * scale;
  return v;
}

template <class T>
void upload(const DeviceBuffer<T>& d, const std::vector<T>& h) {
  BENCH_CHECK(cudaMemcpy(d.get(), h.data(), h.size() * sizeof(T), cudaMemcpyHostToDevice));
}

// --- The conventional kernels ---------------------------------------------------------------------

constexpr int kRowsPerThread = 64;

// Thread (column j, block of 64 rows): partial sums of a and a * b (b = a: x and x * x; backward:
// dy and dy * xhat), added into s1[j] and s2[j] by float atomics.
__global__ void partial_sums(const float* a, const float* x, const float* mean, const float* rstd, std::int64_t rows,
                             std::int64_t cols, float* s1, float* s2) {
  const std::int64_t j = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const std::int64_t r0 = static_cast<std::int64_t>(blockIdx.y) * kRowsPerThread;
  if (j >= cols) return;
  float p1 = 0.0f, p2 = 0.0f;
  for (std::int64_t r = r0; r < rows && r < r0 + kRowsPerThread; ++r) {
    const float v = a[r * cols + j];
    const float w = mean ? (x[r * cols + j] - mean[j]) * rstd[j] : v;  // xhat (backward) or x
    p1 += v;
    p2 += v * w;
  }
  atomicAdd(s1 + j, p1);
  atomicAdd(s2 + j, p2);
}

__global__ void statistics(float* sum, float* sum_sq, std::int64_t rows, std::int64_t cols) {
  const std::int64_t j = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (j >= cols) return;
  const float mean = sum[j] / rows, var = sum_sq[j] / rows - mean * mean;
  sum[j] = mean;
  sum_sq[j] = rsqrtf(var + kEps);
}

__global__ void normalize(const float* x, const float* gamma, const float* beta, const float* mean, const float* rstd,
                          std::int64_t n, std::int64_t cols, float* y) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const std::int64_t j = i % cols;
    y[i] = (x[i] - mean[j]) * rstd[j] * gamma[j] + beta[j];
  }
}

__global__ void backward_values(const float* x, const float* gamma, const float* mean, const float* rstd,
                                const float* dy, const float* dbeta, const float* dgamma, std::int64_t rows,
                                std::int64_t n, std::int64_t cols, float* dx) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const std::int64_t j = i % cols;
    const float xhat = (x[i] - mean[j]) * rstd[j];
    dx[i] = (dy[i] - dbeta[j] / rows - xhat * dgamma[j] / rows) * gamma[j] * rstd[j];
  }
}

// --- Inputs ---------------------------------------------------------------------------------------

struct Inputs {
  std::int64_t rows, cols, n;
  std::vector<float> x, dy, gamma, beta;
  DeviceBuffer<float> dx_in, ddy, dgamma_in, dbeta_in, y, mean, rstd, running_mean, running_var, dx, dgamma, dbeta;
  explicit Inputs(const benchmark::State& state)
      : rows(state.range(0)), cols(state.range(1)), n(rows * cols), x(values(n, 4.0f, 0)), dy(values(n, 1.0f, 101)),
        gamma(values(cols, 1.0f, 7)), beta(values(cols, 0.5f, 3)), dx_in(n), ddy(n), dgamma_in(cols), dbeta_in(cols),
        y(n), mean(cols), rstd(cols), running_mean(cols), running_var(cols), dx(n), dgamma(cols), dbeta(cols) {
    upload(dx_in, x);
    upload(ddy, dy);
    upload(dgamma_in, gamma);
    upload(dbeta_in, beta);
    upload(running_mean, std::vector<float>(static_cast<std::size_t>(cols), 0.0f));
    upload(running_var, std::vector<float>(static_cast<std::size_t>(cols), 1.0f));
  }
};

bool same(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

template <bool kBackward>
void BM_det_cuda(benchmark::State& state) {
  guarded(state, [&] {
    Inputs in(state);
    Stream stream;
    const std::size_t bytes = detnum::cuda::batch_norm_workspace_bytes(in.rows, in.cols);
    DeviceBuffer<unsigned char> ws(static_cast<std::int64_t>(bytes));
    const detnum::cuda::Workspace w{ws.get(), bytes};
    const detnum::BatchNormRunning running{in.running_mean.get(), in.running_var.get(), 0.1f};
    const auto forward = [&] {
      detnum::cuda::batch_norm(in.dx_in.get(), in.dgamma_in.get(), in.dbeta_in.get(), in.y.get(), in.mean.get(),
                               in.rstd.get(), in.rows, in.cols, kEps, running, stream.get(), w);
    };
    const auto backward = [&] {
      detnum::cuda::batch_norm_backward(in.dx_in.get(), in.dgamma_in.get(), in.mean.get(), in.rstd.get(),
                                        in.ddy.get(), in.dx.get(), in.dgamma.get(), in.dbeta.get(), in.rows, in.cols,
                                        stream.get(), w);
    };
    if (in.rows == kValidateRows) {  // one call of each from the running statistics' start
      forward();
      backward();
      BENCH_CHECK(cudaStreamSynchronize(stream.get()));
      std::vector<float> y(in.x.size()), mean(in.gamma.size()), rstd(mean.size()), rm(mean.size(), 0.0f),
          rv(mean.size(), 1.0f), dx(y.size()), dg(mean.size()), db(mean.size());
      detnum::ref::batch_norm(in.x.data(), in.gamma.data(), in.beta.data(), y.data(), mean.data(), rstd.data(), in.rows,
                              in.cols, kEps, {rm.data(), rv.data(), 0.1f});
      detnum::ref::batch_norm_backward(in.x.data(), in.gamma.data(), mean.data(), rstd.data(), in.dy.data(), dx.data(),
                                       dg.data(), db.data(), in.rows, in.cols);
      if (!same(y, in.y.to_host()) || !same(mean, in.mean.to_host()) || !same(rstd, in.rstd.to_host()) ||
          !same(rm, in.running_mean.to_host()) || !same(rv, in.running_var.to_host()) || !same(dx, in.dx.to_host()) ||
          !same(dg, in.dgamma.to_host()) || !same(db, in.dbeta.to_host()))
        return state.SkipWithError("det_cuda differs from detnum::ref");
    } else {
      forward();
    }
    if constexpr (kBackward) time_calls(state, stream.get(), in.n, 12 * in.n, backward);
    else time_calls(state, stream.get(), in.n, 8 * in.n, forward);
  });
}

template <bool kBackward>
void BM_conventional(benchmark::State& state) {
  guarded(state, [&] {
    Inputs in(state);
    Stream stream;
    const dim3 sums_grid(static_cast<unsigned>((in.cols + 127) / 128),
                         static_cast<unsigned>((in.rows + kRowsPerThread - 1) / kRowsPerThread));
    const unsigned col_blocks = static_cast<unsigned>((in.cols + 255) / 256);
    const auto forward = [&] {
      BENCH_CHECK(cudaMemsetAsync(in.mean.get(), 0, in.cols * sizeof(float), stream.get()));
      BENCH_CHECK(cudaMemsetAsync(in.rstd.get(), 0, in.cols * sizeof(float), stream.get()));
      partial_sums<<<sums_grid, 128, 0, stream.get()>>>(in.dx_in.get(), nullptr, nullptr, nullptr, in.rows, in.cols,
                                                         in.mean.get(), in.rstd.get());
      statistics<<<col_blocks, 256, 0, stream.get()>>>(in.mean.get(), in.rstd.get(), in.rows, in.cols);
      normalize<<<1024, 256, 0, stream.get()>>>(in.dx_in.get(), in.dgamma_in.get(), in.dbeta_in.get(), in.mean.get(),
                                                in.rstd.get(), in.n, in.cols, in.y.get());
    };
    const auto backward = [&] {
      BENCH_CHECK(cudaMemsetAsync(in.dbeta.get(), 0, in.cols * sizeof(float), stream.get()));
      BENCH_CHECK(cudaMemsetAsync(in.dgamma.get(), 0, in.cols * sizeof(float), stream.get()));
      partial_sums<<<sums_grid, 128, 0, stream.get()>>>(in.ddy.get(), in.dx_in.get(), in.mean.get(), in.rstd.get(),
                                                         in.rows, in.cols, in.dbeta.get(), in.dgamma.get());
      backward_values<<<1024, 256, 0, stream.get()>>>(in.dx_in.get(), in.dgamma_in.get(), in.mean.get(), in.rstd.get(),
                                                      in.ddy.get(), in.dbeta.get(), in.dgamma.get(), in.rows, in.n,
                                                      in.cols, in.dx.get());
    };
    forward();
    BENCH_CHECK(cudaGetLastError());
    if constexpr (kBackward) time_calls(state, stream.get(), in.n, 12 * in.n, backward);
    else time_calls(state, stream.get(), in.n, 8 * in.n, forward);
  });
}

void shapes(benchmark::internal::Benchmark* b) {
  b->Args({kValidateRows, 1024})->Args({65536, 256})->UseManualTime()->Unit(benchmark::kMicrosecond);
}

BENCHMARK(BM_det_cuda<false>)->Name("batch_norm/det_cuda")->Apply(shapes);
BENCHMARK(BM_conventional<false>)->Name("batch_norm/conventional_cuda")->Apply(shapes);
BENCHMARK(BM_det_cuda<true>)->Name("batch_norm_backward/det_cuda")->Apply(shapes);
BENCHMARK(BM_conventional<true>)->Name("batch_norm_backward/conventional_cuda")->Apply(shapes);

}  // namespace
