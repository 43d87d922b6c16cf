// GELU, SiLU and their gradients for AVX2, four elements at a time: the same bits as
// detail::gelu, detail::silu and their _grad forms (pointwise_order.hpp), which pointwise.cpp uses
// for the other elements and on CPUs without AVX2. The tests compare both on every float input
// (label `exhaustive`) and on a sample of them in every run.
#pragma once

#include <cstdint>

namespace detnum::detail {

// y[i] = gelu(x[i]) for i < n.
void gelu_avx2(const float* x, float* y, std::int64_t n);

// dx[i] = gelu_grad(x[i], dy[i]) for i < n.
void gelu_grad_avx2(const float* x, const float* dy, float* dx, std::int64_t n);

// y[i] = silu(x[i]) and dx[i] = silu_grad(x[i], dy[i]) for i < n.
void silu_avx2(const float* x, float* y, std::int64_t n);
void silu_grad_avx2(const float* x, const float* dy, float* dx, std::int64_t n);

}  // namespace detnum::detail
