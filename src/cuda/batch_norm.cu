// Batch norm on CUDA (detnum/cuda/norm.hpp): the steps of src/cpu/batch_norm_steps.hpp, each
// elementwise pass a grid-stride kernel over the matrix or its columns (the formulas of
// detail/nn_rows_order.hpp), each sum over rows cuda::column_sums, all on the call's stream. y
// (forward) and dx (backward) hold the squared deviations and the dgamma terms before their
// values. The launch shape changes which thread takes an element, never a bit.
#include <cuda_runtime.h>

#include <cstdint>

#include "common/nn_rows_checks.hpp"
#include "cuda/check.hpp"
#include "cuda/launch.hpp"
#include "cuda/stream_workspace.hpp"
#include "detnum/cuda/norm.hpp"
#include "detnum/cuda/reduce.hpp"
#include "detnum/detail/nn_rows_order.hpp"

namespace detnum::cuda {
namespace {

template <class Op>
__global__ void each_kernel(std::int64_t n, Op op) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) op(i);
}

template <class Op>
void each(const char* fn, std::int64_t n, Op op, cudaStream_t stream, LaunchConfig launch) {
  const auto kernel = each_kernel<Op>;
  const int grid = detail::grid_of(fn, reinterpret_cast<const void*>(kernel), launch.block_threads,
                                   (n + launch.block_threads - 1) / launch.block_threads, launch);
  kernel<<<grid, launch.block_threads, 0, stream>>>(n, op);
  DETNUM_CUDA_CHECK(fn, cudaGetLastError());
}

// --- Forward ------------------------------------------------------------------------------------

struct Means {  // mean_j = column sum / rows, in place
  float* mean;
  std::int64_t rows;
  __device__ void operator()(std::int64_t j) const { mean[j] = canonicalize(detail::row_mean(mean[j], rows)); }
};

struct SquaredDeviations {  // y's element: (x - mean_j)^2
  const float* x;
  const float* mean;
  float* y;
  std::int64_t cols;
  __device__ void operator()(std::int64_t i) const { y[i] = detail::layer_norm_sq_dev(x[i], mean[i % cols]); }
};

struct Rstds {  // the running statistics from the sums of squared deviations in rstd, then rstd_j
  const float* mean;
  float* rstd;
  BatchNormRunning running;
  std::int64_t rows;
  float eps;
  __device__ void operator()(std::int64_t j) const {
    if (running.mean) {
      running.mean[j] = canonicalize(detail::running_update(running.mean[j], mean[j], running.momentum));
      running.var[j] = canonicalize(
          detail::running_update(running.var[j], detail::unbiased_variance(rstd[j], rows), running.momentum));
    }
    rstd[j] = canonicalize(detail::norm_rstd(detail::row_mean(rstd[j], rows), eps));
  }
};

struct Normalize {
  const float *x, *gamma, *beta, *mean, *rstd;
  float* y;
  std::int64_t cols;
  __device__ void operator()(std::int64_t i) const {
    const std::int64_t j = i % cols;
    y[i] = canonicalize(detail::layer_norm_value(x[i], mean[j], rstd[j], gamma[j], beta[j]));
  }
};

// --- Backward -----------------------------------------------------------------------------------

struct DgammaTerms {  // dx's element: dy * xhat
  const float *x, *mean, *rstd, *dy;
  float* dx;
  std::int64_t cols;
  __device__ void operator()(std::int64_t i) const {
    const std::int64_t j = i % cols;
    dx[i] = detail::norm_backward_dgamma_term(dy[i], detail::layer_norm_xhat(x[i], mean[j], rstd[j]));
  }
};

struct BackwardValues {
  const float *x, *gamma, *mean, *rstd, *dy, *dgamma, *dbeta;
  float* dx;
  std::int64_t rows, cols;
  __device__ void operator()(std::int64_t i) const {
    const std::int64_t j = i % cols;
    const float a = detail::row_mean(dbeta[j], rows), b = detail::row_mean(dgamma[j], rows);
    const float k = detail::batch_norm_backward_scale(gamma[j], rstd[j]);
    const float xhat = detail::layer_norm_xhat(x[i], mean[j], rstd[j]);
    dx[i] = canonicalize(detail::batch_norm_backward_value(dy[i], xhat, a, b, k));
  }
};

std::int64_t bytes_of(std::int64_t floats) { return floats * std::int64_t{sizeof(float)}; }

}  // namespace

std::size_t batch_norm_workspace_bytes(std::int64_t rows, std::int64_t cols) {
  detail::check_row_shape("cuda::batch_norm_workspace_bytes", rows, cols);
  return column_sums_workspace_bytes(MatrixLayout::dense(rows, cols));
}

void batch_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                std::int64_t rows, std::int64_t cols, float eps, BatchNormRunning running, cudaStream_t stream,
                Workspace ws, LaunchConfig launch) {
  constexpr const char* fn = "cuda::batch_norm";
  detail::check_batch_norm_call(fn, x, gamma, beta, y, mean, rstd, rows, cols, eps, running,
                                detail::device_reader(stream));
  detail::check_launch(fn, launch);
  const std::int64_t n = rows * cols;
  if (n == 0) return;
  const MatrixLayout m = MatrixLayout::dense(rows, cols);
  const std::size_t need = column_sums_workspace_bytes(m);
  const std::int64_t stats = running.mean ? bytes_of(cols) : 0;
  const StreamWorkspace w(fn, ws, need, "cuda::batch_norm_workspace_bytes(rows, cols)", stream,
                          {{"x", x, bytes_of(n)},
                           {"gamma", gamma, bytes_of(cols)},
                           {"beta", beta, bytes_of(cols)},
                           {"y", y, bytes_of(n)},
                           {"mean", mean, bytes_of(cols)},
                           {"rstd", rstd, bytes_of(cols)},
                           {"running.mean", running.mean, stats},
                           {"running.var", running.var, stats}});
  const Workspace sums{w.get(), need};
  column_sums(x, m, mean, stream, sums, launch);
  each(fn, cols, Means{mean, rows}, stream, launch);
  each(fn, n, SquaredDeviations{x, mean, y, cols}, stream, launch);
  column_sums(static_cast<const float*>(y), m, rstd, stream, sums, launch);
  each(fn, cols, Rstds{mean, rstd, running, rows, eps}, stream, launch);
  each(fn, n, Normalize{x, gamma, beta, mean, rstd, y, cols}, stream, launch);
}

void batch_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                         float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols,
                         cudaStream_t stream, Workspace ws, LaunchConfig launch) {
  constexpr const char* fn = "cuda::batch_norm_backward";
  detail::check_batch_norm_backward_call(fn, x, gamma, mean, rstd, dy, dx, dgamma, dbeta, rows, cols,
                                         detail::device_reader(stream));
  detail::check_launch(fn, launch);
  const std::int64_t n = rows * cols;
  if (n == 0) return;
  const MatrixLayout m = MatrixLayout::dense(rows, cols);
  const std::size_t need = column_sums_workspace_bytes(m);
  const StreamWorkspace w(fn, ws, need, "cuda::batch_norm_workspace_bytes(rows, cols)", stream,
                          {{"x", x, bytes_of(n)},
                           {"gamma", gamma, bytes_of(cols)},
                           {"mean", mean, bytes_of(cols)},
                           {"rstd", rstd, bytes_of(cols)},
                           {"dy", dy, bytes_of(n)},
                           {"dx", dx, bytes_of(n)},
                           {"dgamma", dgamma, bytes_of(cols)},
                           {"dbeta", dbeta, bytes_of(cols)}});
  const Workspace sums{w.get(), need};
  column_sums(dy, m, dbeta, stream, sums, launch);
  each(fn, n, DgammaTerms{x, mean, rstd, dy, dx, cols}, stream, launch);
  column_sums(static_cast<const float*>(dx), m, dgamma, stream, sums, launch);
  each(fn, n, BackwardValues{x, gamma, mean, rstd, dy, dgamma, dbeta, dx, rows, cols}, stream, launch);
}

}  // namespace detnum::cuda
