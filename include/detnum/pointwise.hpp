// Elementwise training ops: ReLU, GELU (exact and tanh-approximated), SiLU, sigmoid and tanh,
// forward and backward, and the bias add.
// Each output element is a function of its own inputs alone, in the fixed steps of
// detail/pointwise_order.hpp (docs/ORDER.md, "Pointwise ops"), so the bits are the same for every
// thread count, on the CPU and on a GPU (detnum/cuda/pointwise.hpp), and NaNs are canonical.
// Outputs may be the inputs themselves (in place); any other overlap is an error. The bias
// gradient is detnum::column_sums of dy (detnum/reduce.hpp).
#pragma once

#include <cstdint>

#include "detnum/threads.hpp"

namespace detnum {

void relu(const float* x, float* y, std::int64_t n, CpuOptions options = {});
void relu_backward(const float* x, const float* dy, float* dx, std::int64_t n, CpuOptions options = {});
void gelu(const float* x, float* y, std::int64_t n, CpuOptions options = {});
void gelu_backward(const float* x, const float* dy, float* dx, std::int64_t n, CpuOptions options = {});
// GELU's tanh approximation (PyTorch's gelu(approximate='tanh'), GPT-2's):
// y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); dx = dy * d gelu_tanh(x).
void gelu_tanh(const float* x, float* y, std::int64_t n, CpuOptions options = {});
void gelu_tanh_backward(const float* x, const float* dy, float* dx, std::int64_t n, CpuOptions options = {});
// y = x / (1 + exp(-x)) (x * sigmoid(x), SwiGLU's activation); dx = dy * d silu(x).
void silu(const float* x, float* y, std::int64_t n, CpuOptions options = {});
void silu_backward(const float* x, const float* dy, float* dx, std::int64_t n, CpuOptions options = {});
// y = 1 / (1 + exp(-x)) and y = tanh(x) (math::tanh). Their backward passes take the forward's
// output y, as PyTorch's do: dx = dy (1 - y) y and dx = dy (1 - y^2).
void sigmoid(const float* x, float* y, std::int64_t n, CpuOptions options = {});
void sigmoid_backward(const float* y, const float* dy, float* dx, std::int64_t n, CpuOptions options = {});
void tanh(const float* x, float* y, std::int64_t n, CpuOptions options = {});
void tanh_backward(const float* y, const float* dy, float* dx, std::int64_t n, CpuOptions options = {});
// y[r][c] = x[r][c] + bias[c] for a dense row-major rows x cols matrix.
void bias_add(const float* x, const float* bias, float* y, std::int64_t rows, std::int64_t cols,
              CpuOptions options = {});

// The references: the steps as plain loops.
namespace ref {
void relu(const float* x, float* y, std::int64_t n);
void relu_backward(const float* x, const float* dy, float* dx, std::int64_t n);
void gelu(const float* x, float* y, std::int64_t n);
void gelu_backward(const float* x, const float* dy, float* dx, std::int64_t n);
void gelu_tanh(const float* x, float* y, std::int64_t n);
void gelu_tanh_backward(const float* x, const float* dy, float* dx, std::int64_t n);
void silu(const float* x, float* y, std::int64_t n);
void silu_backward(const float* x, const float* dy, float* dx, std::int64_t n);
void sigmoid(const float* x, float* y, std::int64_t n);
void sigmoid_backward(const float* y, const float* dy, float* dx, std::int64_t n);
void tanh(const float* x, float* y, std::int64_t n);
void tanh_backward(const float* y, const float* dy, float* dx, std::int64_t n);
void bias_add(const float* x, const float* bias, float* y, std::int64_t rows, std::int64_t cols);
}  // namespace ref

}  // namespace detnum
