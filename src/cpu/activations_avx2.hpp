// The activations that call detnum::math, and the gradients that do, for AVX2, four elements at
// a time: the same bits as pointwise_order.hpp's element functions (detail::gelu, gelu_tanh,
// silu, sigmoid, math::tanh and the _grad forms), which pointwise.cpp uses for the other elements
// and on CPUs without AVX2. The tests compare both on every float input (label `exhaustive`)
// and on a sample of them in every run.
#pragma once

#include <cstdint>

namespace detnum::detail {

// y[i] = gelu(x[i]) for i < n.
void gelu_avx2(const float* x, float* y, std::int64_t n);

// dx[i] = gelu_grad(x[i], dy[i]) for i < n.
void gelu_grad_avx2(const float* x, const float* dy, float* dx, std::int64_t n);

// The same for gelu_tanh, silu, sigmoid and math::tanh. (Sigmoid's and tanh's gradients take no
// math function: the compiler vectorizes them.)
void gelu_tanh_avx2(const float* x, float* y, std::int64_t n);
void gelu_tanh_grad_avx2(const float* x, const float* dy, float* dx, std::int64_t n);
void silu_avx2(const float* x, float* y, std::int64_t n);
void silu_grad_avx2(const float* x, const float* dy, float* dx, std::int64_t n);
void sigmoid_avx2(const float* x, float* y, std::int64_t n);
void tanh_avx2(const float* x, float* y, std::int64_t n);

}  // namespace detnum::detail
