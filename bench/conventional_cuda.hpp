// The conventional CUDA kernels that detnum's are timed beside: what a framework's GPU kernels
// amount to — one thread per element with CUDA's expf, erff and sqrtf, a warp per row for the
// row ops, and float atomicAdd wherever rows are summed into one value (bias and LayerNorm
// parameter gradients, the mean loss), so those bits follow the scheduling. Used by the training
// step's conventional backend and by the per-op benchmarks. Built with the project's flags
// (--fmad=false): the peer's own multiply-adds are not contracted; libdevice's expf and erff use
// explicit fma and are unaffected. Not used for anything but timing.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "detnum/adamw.hpp"

namespace detnum_bench::conventional {

void bias_add(float* x, const float* bias, std::int64_t rows, std::int64_t cols, cudaStream_t s);
// out = the column sums of x (rows x cols, dense): per-thread partial sums of up to 64 rows,
// atomically added.
void column_sums(const float* x, std::int64_t rows, std::int64_t cols, float* out, cudaStream_t s);
void softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, cudaStream_t s);
// Row r keeps its first min(cols, r % period + 1) columns, zeros after (llm.c's attention softmax).
void causal_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, std::int64_t period,
                    cudaStream_t s);
void causal_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                             std::int64_t period, cudaStream_t s);
void log_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, cudaStream_t s);
// A warp per row: dx = y * (dy - sum(y * dy)), y being softmax's output.
void softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols, cudaStream_t s);
// A warp per row: dx = dy - expf(y) * sum(dy), y being log_softmax's output.
void log_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                          cudaStream_t s);
void layer_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                std::int64_t rows, std::int64_t cols, float eps, cudaStream_t s);
void rms_norm(const float* x, const float* gamma, float* y, float* rstd, std::int64_t rows, std::int64_t cols, float eps,
              cudaStream_t s);
// dx a warp per row; dgamma and dbeta as column_sums' partials of xhat * dy and dy.
void layer_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                         float* dx, float* dgamma, float* dbeta, std::int64_t rows, std::int64_t cols, cudaStream_t s);
// dx a warp per row; dgamma as column_sums' partials of x * rstd * dy.
void rms_norm_backward(const float* x, const float* gamma, const float* rstd, const float* dy, float* dx, float* dgamma,
                       std::int64_t rows, std::int64_t cols, cudaStream_t s);
void relu(const float* x, float* y, std::int64_t n, cudaStream_t s);
void relu_backward(const float* x, const float* dy, float* dx, std::int64_t n, cudaStream_t s);
void gelu(const float* x, float* y, std::int64_t n, cudaStream_t s);
void gelu_backward(const float* x, const float* dy, float* dx, std::int64_t n, cudaStream_t s);
void silu(const float* x, float* y, std::int64_t n, cudaStream_t s);
void silu_backward(const float* x, const float* dy, float* dx, std::int64_t n, cudaStream_t s);
// *loss (device) = mean of (x - t)^2, by float atomics; dx = (x - t) * (2 / n).
void mse_loss(const float* x, const float* t, std::int64_t n, float* loss, float* dx, cudaStream_t s);
void bce_with_logits(const float* x, const float* t, std::int64_t n, float* loss, float* dx, cudaStream_t s);
void gelu_tanh(const float* x, float* y, std::int64_t n, cudaStream_t s);
void gelu_tanh_backward(const float* x, const float* dy, float* dx, std::int64_t n, cudaStream_t s);
void sigmoid(const float* x, float* y, std::int64_t n, cudaStream_t s);
// The backward passes of sigmoid and tanh take the forward's output y.
void sigmoid_backward(const float* y, const float* dy, float* dx, std::int64_t n, cudaStream_t s);
void tanh(const float* x, float* y, std::int64_t n, cudaStream_t s);
void tanh_backward(const float* y, const float* dy, float* dx, std::int64_t n, cudaStream_t s);
// *loss (device) = the mean of the rows' losses; dlogits their gradient.
void cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols, float* loss,
                   float* dlogits, cudaStream_t s);
// AdamW as PyTorch writes it; step from 1.
void adamw(float* p, const float* g, float* m, float* v, std::int64_t n, float lr, float beta1, float beta2, float eps,
           float weight_decay, std::int64_t step, cudaStream_t s);
// The same for `count` tensors in one kernel per 64 tensors, a block row per tensor (a
// single-kernel multi-tensor AdamW, like PyTorch's fused=True without its chunking).
void sgd(float* p, const float* g, float* b, std::int64_t n, float lr, float momentum, float dampening,
         float weight_decay, cudaStream_t s);
void adamw_list(const detnum::AdamWTensor* tensors, int count, float lr, float beta1, float beta2, float eps,
                float weight_decay, std::int64_t step, cudaStream_t s);
// Gradient clipping by a simple few-launch peer: the squares of all `count` tensors summed into
// *sum_sq (device scratch) by float atomicAdd, a launch per 128 tensors (a block row per tensor),
// then the scale, c = min(max_norm / (sqrt(sum) + 1e-6), 1), likewise. Not deterministic, and the
// sum of squares is not the norm of norms (PyTorch's foreach path reduces per-chunk partials per
// tensor instead).
void clip_grad_norm(float* const* data, const std::int64_t* n, int count, float max_norm, float* sum_sq, cudaStream_t s);

}  // namespace detnum_bench::conventional
