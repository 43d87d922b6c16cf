// The fast CPU path of the pointwise ops, AdamW and gradient clipping: threads over contiguous
// ranges, each element computed by the same inline steps as the reference. The compiler vectorizes
// the loops, once for the baseline ISA and once for AVX2 (8 lanes, and blends for the canonical
// NaN), picked at run time; without contraction every rounding stays, so the bits are the
// reference's either way. The AVX2 loops of the activations that call detnum::math are written by
// hand (activations_avx2.cpp): the compiler does not vectorize the table lookups of erf and exp.
#include <algorithm>

#include "common/memory_space.hpp"
#include "common/pointwise_checks.hpp"
#include "cpu/clip_steps.hpp"
#include "cpu/cpu_features.hpp"
#include "cpu/activations_avx2.hpp"
#include "cpu/parallel.hpp"
#include "detnum/adamw.hpp"
#include "detnum/clip.hpp"
#include "detnum/reduce.hpp"
#include "detnum/pointwise.hpp"
#include "detnum/sgd.hpp"

namespace detnum {
namespace {

// Elements per unit of work, so that a thread's share outweighs its start (a few µs): cheap ops
// thread only large arrays, GELU's erf and exp (5-10 ns an element) already small ones.
constexpr std::int64_t kGrain = 16384;
constexpr std::int64_t kGrainMath = 2048;

// An element's lambda is inlined into each loop, so that it is compiled (and vectorized) for
// that loop's ISA.
#define DETNUM_ELEMENT __attribute__((always_inline))

void host_only(const char* fn, std::int64_t n, std::initializer_list<detail::Operand> operands) {
  if (n == 0) return;
  for (const detail::Operand& o : operands) detail::check_host_accessible(fn, o.name, o.ptr);
}

// element(i) for i in [begin, end), compiled for AVX2 and for the baseline.
template <class Element>
[[gnu::target("avx2")]] void each_avx2(std::int64_t begin, std::int64_t end, const Element& element) {
  for (std::int64_t i = begin; i < end; ++i) element(i);
}
template <class Element>
void each_baseline(std::int64_t begin, std::int64_t end, const Element& element) {
  for (std::int64_t i = begin; i < end; ++i) element(i);
}

// range(begin, end, avx2) on the options' threads; avx2: whether the AVX2 loops may run.
template <class Range>
void for_ranges(const char* fn, std::int64_t n, CpuOptions options, std::int64_t grain, const Range& range) {
  const CpuOptions o = detail::resolve_cpu_options(fn, options);
  const bool avx2 = detail::use_avx2(o);
  detail::parallel_ranges(n, grain, o.threads, [&](std::int64_t b, std::int64_t e) { range(b, e, avx2); });
}

// element(i) for every i < n, on the options' threads and ISA.
template <class Element>
void for_each_index(const char* fn, std::int64_t n, CpuOptions options, const Element& element,
                    std::int64_t grain = kGrain) {
  for_ranges(fn, n, options, grain, [&](std::int64_t b, std::int64_t e, bool avx2) {
    if (avx2)
      each_avx2(b, e, element);
    else
      each_baseline(b, e, element);
  });
}

}  // namespace

void relu(const float* x, float* y, std::int64_t n, CpuOptions options) {
  constexpr const char* fn = "relu";
  detail::check_elementwise(fn, n, {"y", y}, {{"x", x}});
  host_only(fn, n, {{"x", x}, {"y", y}});
  for_each_index(fn, n, options, [=](std::int64_t i) DETNUM_ELEMENT { y[i] = detail::relu(x[i]); });
}

namespace {

// dx = kGrad(a, dy) with no math function in it (the compiler vectorizes the loop); a is the
// forward's input x or its output y, named so in errors.
template <float (*kGrad)(float, float)>
void plain_grad(const char* fn, const char* a_name, const float* a, const float* dy, float* dx, std::int64_t n,
                CpuOptions options) {
  detail::check_elementwise(fn, n, {"dx", dx}, {{a_name, a}, {"dy", dy}});
  host_only(fn, n, {{a_name, a}, {"dy", dy}, {"dx", dx}});
  for_each_index(fn, n, options, [=](std::int64_t i) DETNUM_ELEMENT { dx[i] = kGrad(a[i], dy[i]); });
}

}  // namespace

void relu_backward(const float* x, const float* dy, float* dx, std::int64_t n, CpuOptions options) {
  plain_grad<detail::relu_grad>("relu_backward", "x", x, dy, dx, n, options);
}

namespace {

// An activation, y = kOne(x), and its gradient, dx = kGrad(x, dy): the AVX2 loops where they may
// run, else the element steps (the same bits).
template <float (*kOne)(float)>
void activation(const char* fn, const float* x, float* y, std::int64_t n, CpuOptions options,
                void (*avx2_loop)(const float*, float*, std::int64_t)) {
  detail::check_elementwise(fn, n, {"y", y}, {{"x", x}});
  host_only(fn, n, {{"x", x}, {"y", y}});
  for_ranges(fn, n, options, kGrainMath, [=](std::int64_t b, std::int64_t e, bool avx2) {
    if (avx2)
      avx2_loop(x + b, y + b, e - b);
    else
      each_baseline(b, e, [=](std::int64_t i) DETNUM_ELEMENT { y[i] = kOne(x[i]); });
  });
}
template <float (*kGrad)(float, float)>
void activation_grad(const char* fn, const float* x, const float* dy, float* dx, std::int64_t n, CpuOptions options,
                     void (*avx2_loop)(const float*, const float*, float*, std::int64_t)) {
  detail::check_elementwise(fn, n, {"dx", dx}, {{"x", x}, {"dy", dy}});
  host_only(fn, n, {{"x", x}, {"dy", dy}, {"dx", dx}});
  for_ranges(fn, n, options, kGrainMath, [=](std::int64_t b, std::int64_t e, bool avx2) {
    if (avx2)
      avx2_loop(x + b, dy + b, dx + b, e - b);
    else
      each_baseline(b, e, [=](std::int64_t i) DETNUM_ELEMENT { dx[i] = kGrad(x[i], dy[i]); });
  });
}

}  // namespace

void gelu(const float* x, float* y, std::int64_t n, CpuOptions options) {
  activation<detail::gelu>("gelu", x, y, n, options, detail::gelu_avx2);
}
void gelu_backward(const float* x, const float* dy, float* dx, std::int64_t n, CpuOptions options) {
  activation_grad<detail::gelu_grad>("gelu_backward", x, dy, dx, n, options, detail::gelu_grad_avx2);
}
void gelu_tanh(const float* x, float* y, std::int64_t n, CpuOptions options) {
  activation<detail::gelu_tanh>("gelu_tanh", x, y, n, options, detail::gelu_tanh_avx2);
}
void gelu_tanh_backward(const float* x, const float* dy, float* dx, std::int64_t n, CpuOptions options) {
  activation_grad<detail::gelu_tanh_grad>("gelu_tanh_backward", x, dy, dx, n, options, detail::gelu_tanh_grad_avx2);
}
void silu(const float* x, float* y, std::int64_t n, CpuOptions options) {
  activation<detail::silu>("silu", x, y, n, options, detail::silu_avx2);
}
void silu_backward(const float* x, const float* dy, float* dx, std::int64_t n, CpuOptions options) {
  activation_grad<detail::silu_grad>("silu_backward", x, dy, dx, n, options, detail::silu_grad_avx2);
}
void sigmoid(const float* x, float* y, std::int64_t n, CpuOptions options) {
  activation<detail::sigmoid>("sigmoid", x, y, n, options, detail::sigmoid_avx2);
}
void sigmoid_backward(const float* y, const float* dy, float* dx, std::int64_t n, CpuOptions options) {
  plain_grad<detail::sigmoid_grad>("sigmoid_backward", "y", y, dy, dx, n, options);
}
void tanh(const float* x, float* y, std::int64_t n, CpuOptions options) {
  activation<math::tanh>("tanh", x, y, n, options, detail::tanh_avx2);
}
void tanh_backward(const float* y, const float* dy, float* dx, std::int64_t n, CpuOptions options) {
  plain_grad<detail::tanh_grad>("tanh_backward", "y", y, dy, dx, n, options);
}

void bias_add(const float* x, const float* bias, float* y, std::int64_t rows, std::int64_t cols, CpuOptions options) {
  constexpr const char* fn = "bias_add";
  const std::int64_t n = detail::check_bias_add(fn, x, bias, y, rows, cols);
  host_only(fn, n, {{"x", x}, {"bias", bias}, {"y", y}});
  if (n == 0) return;
  const CpuOptions o = detail::resolve_cpu_options(fn, options);
  detail::parallel_ranges(rows, std::max<std::int64_t>(1, kGrain / cols), o.threads, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t r = b; r < e; ++r)
      for (std::int64_t c = 0; c < cols; ++c) y[r * cols + c] = detail::bias_add(x[r * cols + c], bias[c]);
  });
}

void adamw_step(float* param, const float* grad, float* m, float* v, std::int64_t n, const AdamWParams& params,
                CpuOptions options) {
  constexpr const char* fn = "adamw_step";
  const detail::AdamWScalars s = detail::check_adamw(fn, param, grad, m, v, n, params);
  host_only(fn, n, {{"param", param}, {"grad", grad}, {"m", m}, {"v", v}});
  for_each_index(fn, n, options,
                 [=](std::int64_t i) DETNUM_ELEMENT { detail::adamw_update(s, param[i], grad[i], m[i], v[i]); });
}

void adamw_step(std::span<const AdamWTensor> tensors, const AdamWParams& params, CpuOptions options) {
  constexpr const char* fn = "adamw_step";
  options = detail::resolve_cpu_options(fn, options);
  const detail::AdamWScalars s = detail::check_adamw_list(fn, tensors, params);
  detail::each_list_array(tensors, detail::kAllAdamWArrays, [&](std::size_t t, int k) {
    detail::check_host_accessible(fn, detail::list_array_name(t, detail::kAdamWArrays[k]),
                                  detail::adamw_array(tensors[t], k));
  });
  for (const AdamWTensor& t : tensors) {
    float *const p = t.param, *const m = t.m, *const v = t.v;
    const float* const g = t.grad;
    for_each_index(fn, t.n, options,
                   [=](std::int64_t i) DETNUM_ELEMENT { detail::adamw_update(s, p[i], g[i], m[i], v[i]); });
  }
}

// The norms on the options' threads (detnum::nrm2), then each tensor's scale.
float clip_grad_norm(std::span<const GradTensor> grads, float max_norm, CpuOptions options) {
  constexpr const char* fn = "clip_grad_norm";
  options = detail::resolve_cpu_options(fn, options);
  detail::check_clip(fn, grads, max_norm);
  for (std::size_t t = 0; t < grads.size(); ++t)
    if (grads[t].n > 0) detail::check_host_accessible(fn, detail::grad_name(t), grads[t].data);
  return detail::clip_on_host(
      grads, max_norm, [&](const float* x, std::int64_t n) { return nrm2(x, n, options); },
      [&](float* g, std::int64_t n, float c) {
        for_each_index(fn, n, options, [=](std::int64_t i) DETNUM_ELEMENT { g[i] = detail::clip_value(g[i], c); });
      });
}

namespace {

// sgd_update over [0, n) of one tensor, the loop picked by whether a momentum buffer is used (so
// that each loop is a straight line the compiler vectorizes).
void sgd_tensor(const char* fn, const detail::SgdScalars& s, float* p, const float* g, float* b, std::int64_t n,
                CpuOptions options) {
  if (s.with_momentum)
    for_each_index(fn, n, options, [=](std::int64_t i) DETNUM_ELEMENT { detail::sgd_update(s, p[i], g[i], b[i]); });
  else
    for_each_index(fn, n, options, [=](std::int64_t i) DETNUM_ELEMENT { detail::sgd_update(s, p[i], g[i]); });
}

}  // namespace

void sgd_step(float* param, const float* grad, float* momentum_buffer, std::int64_t n, const SgdParams& params,
              CpuOptions options) {
  constexpr const char* fn = "sgd_step";
  const detail::SgdScalars s = detail::check_sgd(fn, param, grad, momentum_buffer, n, params);
  host_only(fn, n, {{"param", param}, {"grad", grad}});
  if (s.with_momentum) host_only(fn, n, {{"momentum_buffer", momentum_buffer}});
  sgd_tensor(fn, s, param, grad, momentum_buffer, n, options);
}

void sgd_step(std::span<const SgdTensor> tensors, const SgdParams& params, CpuOptions options) {
  constexpr const char* fn = "sgd_step";
  options = detail::resolve_cpu_options(fn, options);
  const detail::SgdScalars s = detail::check_sgd_list(fn, tensors, params);
  detail::each_list_array(tensors, detail::sgd_used(s), [&](std::size_t t, int k) {
    detail::check_host_accessible(fn, detail::list_array_name(t, detail::kSgdArrays[k]), detail::sgd_array(tensors[t], k));
  });
  for (const SgdTensor& t : tensors) sgd_tensor(fn, s, t.param, t.grad, t.momentum_buffer, t.n, options);
}

}  // namespace detnum
