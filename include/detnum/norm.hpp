// Layer norm and RMS norm over the rows of a dense row-major float matrix (rows x cols, row r at
// x + r * cols), batch norm over its columns, forward and backward, on the CPU (CUDA:
// detnum/cuda/norm.hpp).
//
// Guarantee: the bits follow docs/ORDER.md ("Row ops"; version DETNUM_ORDER_SPEC_VERSION): every
// sum over a row is the canonical reduction of a vector defined elementwise (the variance takes
// two passes), every sum over rows (dgamma, dbeta) is a column sum in the same order. So a row's
// y, mean, rstd and dx depend on that row's inputs alone (batch invariance), and nothing depends
// on the thread count, the CUDA launch or the device. NaN outputs are the canonical NaN.
//
// Arguments: rows, cols >= 0; eps finite and >= 0; gamma, beta, dgamma and dbeta hold cols
// values, mean and rstd rows values (batch norm: cols values); a pointer may be null only when it
// names no element. Outputs must not overlap the inputs or each other. A call that throws detnum::Error has written nothing.
#pragma once

#include <cstdint>

#include "detnum/threads.hpp"

namespace detnum {

// Per row: mean = sum(x) / cols, var = sum((x - mean)^2) / cols, rstd = 1 / sqrt(var + eps),
// y = ((x - mean) * rstd) * gamma + beta. mean and rstd are written for the backward pass.
void layer_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                std::int64_t rows, std::int64_t cols, float eps, CpuOptions options = {});
// dx, and dgamma, dbeta summed over the rows, from the forward pass's x, mean and rstd.
void layer_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                         float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols,
                         CpuOptions options = {});

// Per row: rstd = 1 / sqrt(sum(x^2) / cols + eps), y = (x * rstd) * gamma.
void rms_norm(const float* x, const float* gamma, float* y, float* rstd, std::int64_t rows, std::int64_t cols, float eps,
              CpuOptions options = {});
void rms_norm_backward(const float* x, const float* gamma, const float* rstd, const float* dy, float* dx,
                       float* dgamma, std::int64_t rows, std::int64_t cols, CpuOptions options = {});

// Batch norm in training mode (PyTorch's BatchNorm1d; BatchNorm2d of channels-last images as
// (N * H * W) x C): per column j, mean_j = sum(x[., j]) / rows, var_j = sum((x - mean_j)^2) / rows,
// rstd_j = 1 / sqrt(var_j + eps), y = ((x - mean_j) * rstd_j) * gamma_j + beta_j; mean and rstd
// (cols values each) are written for the backward pass. Each column is a function of its own
// values and rows alone (not of the other columns); the statistics are over the batch, so every
// output depends on every row, by definition. rows >= 2 when cols > 0 (PyTorch refuses one value
// per channel; detnum also refuses none). Optional running statistics, updated in place with
// PyTorch's formulas (not its bits: its CPU kernel computes them in double): running = (1 -
// momentum) * running + momentum * stat, with the unbiased variance sum((x - mean_j)^2) / (rows -
// 1); both pointers or neither, momentum in [0, 1].
struct BatchNormRunning {
  float* mean = nullptr;
  float* var = nullptr;
  float momentum = 0.1f;
};
void batch_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                std::int64_t rows, std::int64_t cols, float eps, BatchNormRunning running = {},
                CpuOptions options = {});
// dx, dgamma = sum over rows of dy * xhat, dbeta = sum over rows of dy, from the forward's mean and
// rstd: dx = ((dy - dbeta_j / rows) - xhat * (dgamma_j / rows)) * (gamma_j * rstd_j).
void batch_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                         float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols,
                         CpuOptions options = {});

// The scalar references: ORDER.md's definitions as plain loops. Slow; the fast path and the CUDA
// kernels are tested against them bit for bit.
namespace ref {
void layer_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                std::int64_t rows, std::int64_t cols, float eps);
void layer_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                         float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols);
void rms_norm(const float* x, const float* gamma, float* y, float* rstd, std::int64_t rows, std::int64_t cols,
              float eps);
void rms_norm_backward(const float* x, const float* gamma, const float* rstd, const float* dy, float* dx,
                       float* dgamma, std::int64_t rows, std::int64_t cols);
void batch_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                std::int64_t rows, std::int64_t cols, float eps, BatchNormRunning running = {});
void batch_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                         float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols);
}  // namespace ref

}  // namespace detnum
