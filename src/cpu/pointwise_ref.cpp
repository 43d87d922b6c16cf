// The references of the pointwise ops, AdamW and gradient clipping: ORDER.md's steps as plain
// loops.
#include "common/memory_space.hpp"
#include "common/pointwise_checks.hpp"
#include "cpu/clip_steps.hpp"
#include "detnum/adamw.hpp"
#include "detnum/clip.hpp"
#include "detnum/reduce.hpp"
#include "detnum/pointwise.hpp"
#include "detnum/sgd.hpp"

namespace detnum::ref {

void relu(const float* x, float* y, std::int64_t n) {
  detail::check_elementwise("ref::relu", n, {"y", y}, {{"x", x}});
  for (std::int64_t i = 0; i < n; ++i) y[i] = detail::relu(x[i]);
}

void relu_backward(const float* x, const float* dy, float* dx, std::int64_t n) {
  detail::check_elementwise("ref::relu_backward", n, {"dx", dx}, {{"x", x}, {"dy", dy}});
  for (std::int64_t i = 0; i < n; ++i) dx[i] = detail::relu_grad(x[i], dy[i]);
}

void gelu(const float* x, float* y, std::int64_t n) {
  detail::check_elementwise("ref::gelu", n, {"y", y}, {{"x", x}});
  for (std::int64_t i = 0; i < n; ++i) y[i] = detail::gelu(x[i]);
}

void gelu_backward(const float* x, const float* dy, float* dx, std::int64_t n) {
  detail::check_elementwise("ref::gelu_backward", n, {"dx", dx}, {{"x", x}, {"dy", dy}});
  for (std::int64_t i = 0; i < n; ++i) dx[i] = detail::gelu_grad(x[i], dy[i]);
}

void gelu_tanh(const float* x, float* y, std::int64_t n) {
  detail::check_elementwise("ref::gelu_tanh", n, {"y", y}, {{"x", x}});
  for (std::int64_t i = 0; i < n; ++i) y[i] = detail::gelu_tanh(x[i]);
}

void gelu_tanh_backward(const float* x, const float* dy, float* dx, std::int64_t n) {
  detail::check_elementwise("ref::gelu_tanh_backward", n, {"dx", dx}, {{"x", x}, {"dy", dy}});
  for (std::int64_t i = 0; i < n; ++i) dx[i] = detail::gelu_tanh_grad(x[i], dy[i]);
}

void silu(const float* x, float* y, std::int64_t n) {
  detail::check_elementwise("ref::silu", n, {"y", y}, {{"x", x}});
  for (std::int64_t i = 0; i < n; ++i) y[i] = detail::silu(x[i]);
}

void silu_backward(const float* x, const float* dy, float* dx, std::int64_t n) {
  detail::check_elementwise("ref::silu_backward", n, {"dx", dx}, {{"x", x}, {"dy", dy}});
  for (std::int64_t i = 0; i < n; ++i) dx[i] = detail::silu_grad(x[i], dy[i]);
}

void sigmoid(const float* x, float* y, std::int64_t n) {
  detail::check_elementwise("ref::sigmoid", n, {"y", y}, {{"x", x}});
  for (std::int64_t i = 0; i < n; ++i) y[i] = detail::sigmoid(x[i]);
}

void sigmoid_backward(const float* y, const float* dy, float* dx, std::int64_t n) {
  detail::check_elementwise("ref::sigmoid_backward", n, {"dx", dx}, {{"y", y}, {"dy", dy}});
  for (std::int64_t i = 0; i < n; ++i) dx[i] = detail::sigmoid_grad(y[i], dy[i]);
}

void tanh(const float* x, float* y, std::int64_t n) {
  detail::check_elementwise("ref::tanh", n, {"y", y}, {{"x", x}});
  for (std::int64_t i = 0; i < n; ++i) y[i] = math::tanh(x[i]);
}

void tanh_backward(const float* y, const float* dy, float* dx, std::int64_t n) {
  detail::check_elementwise("ref::tanh_backward", n, {"dx", dx}, {{"y", y}, {"dy", dy}});
  for (std::int64_t i = 0; i < n; ++i) dx[i] = detail::tanh_grad(y[i], dy[i]);
}

void bias_add(const float* x, const float* bias, float* y, std::int64_t rows, std::int64_t cols) {
  detail::check_bias_add("ref::bias_add", x, bias, y, rows, cols);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) y[r * cols + c] = detail::bias_add(x[r * cols + c], bias[c]);
}

void adamw_step(float* param, const float* grad, float* m, float* v, std::int64_t n, const AdamWParams& params) {
  const detail::AdamWScalars s = detail::check_adamw("ref::adamw_step", param, grad, m, v, n, params);
  for (std::int64_t i = 0; i < n; ++i) detail::adamw_update(s, param[i], grad[i], m[i], v[i]);
}

void adamw_step(std::span<const AdamWTensor> tensors, const AdamWParams& params) {
  const detail::AdamWScalars s = detail::check_adamw_list("ref::adamw_step", tensors, params);
  for (const AdamWTensor& t : tensors)
    for (std::int64_t i = 0; i < t.n; ++i) detail::adamw_update(s, t.param[i], t.grad[i], t.m[i], t.v[i]);
}

float clip_grad_norm(std::span<const GradTensor> grads, float max_norm) {
  detail::check_clip("ref::clip_grad_norm", grads, max_norm);
  return detail::clip_on_host(
      grads, max_norm, [](const float* x, std::int64_t n) { return ref::nrm2(x, n); },
      [](float* g, std::int64_t n, float c) {
        for (std::int64_t i = 0; i < n; ++i) g[i] = detail::clip_value(g[i], c);
      });
}

namespace {

void sgd_loop(const detail::SgdScalars& s, float* param, const float* grad, float* buffer, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) {
    if (s.with_momentum) detail::sgd_update(s, param[i], grad[i], buffer[i]);
    else detail::sgd_update(s, param[i], grad[i]);
  }
}

}  // namespace

void sgd_step(float* param, const float* grad, float* momentum_buffer, std::int64_t n, const SgdParams& params) {
  sgd_loop(detail::check_sgd("ref::sgd_step", param, grad, momentum_buffer, n, params), param, grad, momentum_buffer, n);
}

void sgd_step(std::span<const SgdTensor> tensors, const SgdParams& params) {
  const detail::SgdScalars s = detail::check_sgd_list("ref::sgd_step", tensors, params);
  for (const SgdTensor& t : tensors) sgd_loop(s, t.param, t.grad, t.momentum_buffer, t.n);
}

}  // namespace detnum::ref
