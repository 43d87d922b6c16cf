// The elementwise steps of docs/ORDER.md ("Pointwise ops", "AdamW"), shared by the reference, the
// fast CPU path and the CUDA kernels. Each line is one IEEE operation rounded to float, in the
// order written (no contraction on either side), and every output NaN is the canonical one.
#pragma once

#include <cstdint>

#include "detnum/detail/ieee_only.hpp"
#include "detnum/hd.hpp"
#include "detnum/math.hpp"

namespace detnum::detail {

inline constexpr float kInvSqrt2 = 0x1.6a09e6p-1f;    // 1/sqrt(2) rounded to float
inline constexpr float kInvSqrt2Pi = 0x1.988454p-2f;  // 1/sqrt(2 pi) rounded to float

// relu(x) = x for x > 0, +0 otherwise (-0 included); NaN stays NaN. (Written as a select and then
// the NaN test, the vectorized loop is 4 instructions where the nested form took 9.)
DETNUM_HD float relu(float x) {
  const float r = x > 0.0f ? x : 0.0f;
  return x != x ? canonical_nan_f32() : r;
}
// d relu: dy where x > 0, +0 where x <= 0 (whatever dy is); NaN x gives NaN.
DETNUM_HD float relu_grad(float x, float dy) {
  const float g = x > 0.0f ? canonicalize(dy) : 0.0f;
  return x != x ? canonical_nan_f32() : g;
}

// gelu(x) = (0.5 x)(1 + erf(x / sqrt 2)), erf from detnum::math (the exact GELU, not the tanh
// approximation). At x = -Inf the formula gives -Inf * 0 = NaN, and so does this.
DETNUM_HD float gelu(float x) { return canonicalize((0.5f * x) * (1.0f + math::erf(x * kInvSqrt2))); }
// d gelu = Phi(x) + x phi(x) with Phi(x) = 0.5 (1 + erf(x / sqrt 2)), phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
DETNUM_HD float gelu_grad(float x, float dy) {
  const float cdf = 0.5f * (1.0f + math::erf(x * kInvSqrt2));
  const float pdf = kInvSqrt2Pi * math::exp(-0.5f * (x * x));
  return canonicalize(dy * (cdf + x * pdf));
}

// gelu_tanh(x) = (0.5 x)(1 + tanh(beta (x + kappa x^3))), x^3 = (x x) x, tanh from detnum::math:
// PyTorch's gelu(approximate='tanh'), GPT-2's GELU, in PyTorch's grouping. beta = sqrt(2 / pi)
// and kappa = 0.044715, each rounded to float; 3 kappa is their float product, as PyTorch's
// kernel computes it. At x = -Inf the formula gives -Inf * 0 = NaN, and so does this.
inline constexpr float kGeluTanhBeta = 0x1.988454p-1f;  // sqrt(2 / pi) rounded to float
inline constexpr float kGeluTanhKappa = 0.044715f;
inline constexpr float kGeluTanh3Kappa = 3.0f * kGeluTanhKappa;
DETNUM_HD float gelu_tanh_inner(float x) { return kGeluTanhBeta * (x + kGeluTanhKappa * ((x * x) * x)); }
DETNUM_HD float gelu_tanh(float x) { return canonicalize((0.5f * x) * (1.0f + math::tanh(gelu_tanh_inner(x)))); }
// d gelu_tanh = 0.5 (1 + t) + ((0.5 x)(1 - t^2)) (beta (1 + 3 kappa x^2)) with t = tanh(inner),
// times dy last: PyTorch's left and right derivatives, in its order.
DETNUM_HD float gelu_tanh_grad(float x, float dy) {
  const float t = math::tanh(gelu_tanh_inner(x));
  const float x2 = x * x;
  const float left = 0.5f * (1.0f + t);
  const float right = ((0.5f * x) * (1.0f - t * t)) * (kGeluTanhBeta * (1.0f + kGeluTanh3Kappa * x2));
  return canonicalize(dy * (left + right));
}

// silu(x) = x sigmoid(x) = x / (1 + exp(-x)) (SiLU, or swish: LLaMA's SwiGLU), exp from
// detnum::math, PyTorch's form. At x = -Inf the formula gives -Inf / +Inf = NaN, and so does this;
// a finite x below -88.7 gives -0 (exp(-x) is +Inf).
DETNUM_HD float silu(float x) { return canonicalize(x / (1.0f + math::exp(-x))); }
// The logistic function 1 / (1 + exp(-x)) (-x exact), PyTorch's form: +0 at -Inf, 1 at +Inf.
DETNUM_HD float logistic(float x) { return 1.0f / (1.0f + math::exp(-x)); }
// d silu = s (1 + x (1 - s)) with s = logistic(x), times dy first, as PyTorch groups it:
// (dy s)(1 + x (1 - s)). At x = +-Inf the formula gives NaN (Inf * 0), and so does this.
DETNUM_HD float silu_grad(float x, float dy) {
  const float s = logistic(x);
  return canonicalize((dy * s) * (1.0f + x * (1.0f - s)));
}

// sigmoid(x) = logistic(x); its gradient and tanh's from the forward's output y, as PyTorch's
// sigmoid_backward and tanh_backward take it: (dy (1 - y)) y and dy (1 - y y). tanh itself is
// math::tanh.
DETNUM_HD float sigmoid(float x) { return canonicalize(logistic(x)); }
DETNUM_HD float sigmoid_grad(float y, float dy) { return canonicalize((dy * (1.0f - y)) * y); }
DETNUM_HD float tanh_grad(float y, float dy) { return canonicalize(dy * (1.0f - y * y)); }

DETNUM_HD float bias_add(float x, float b) { return canonicalize(x + b); }

// AdamW (decoupled weight decay, PyTorch's formulation) on one element, with the step's scalars
// computed once on the host (detail::check_adamw, src/common/pointwise_checks.hpp):
//   p' = p * decay                       decay = 1 - lr * weight_decay
//   m' = beta1 * m + (1 - beta1) * g
//   v' = beta2 * v + (1 - beta2) * (g * g)
//   d  = sqrt(v') * inv_sqrt_bc2 + eps   inv_sqrt_bc2 = 1 / sqrt(1 - beta2^step)
//   p'' = p' - step_size * (m' / d)      step_size = lr / (1 - beta1^step)
struct AdamWScalars {
  float decay, beta1, one_minus_beta1, beta2, one_minus_beta2, eps, inv_sqrt_bc2, step_size;
};

DETNUM_HD void adamw_update(const AdamWScalars& s, float& p, float g, float& m, float& v) {
  const float pd = p * s.decay;
  const float m1 = s.beta1 * m + s.one_minus_beta1 * g;
  const float v1 = s.beta2 * v + s.one_minus_beta2 * (g * g);
  const float d = math::detail::sqrt_ieee(v1) * s.inv_sqrt_bc2 + s.eps;  // a NaN here ends in p, canonicalized
  p = canonicalize(pd - s.step_size * (m1 / d));
  m = canonicalize(m1);
  v = canonicalize(v1);
}

// Gradient clipping (detnum/clip.hpp): with N the norm of the tensors' norms, each element is
// multiplied by c = min((1 / (N + 1e-6)) * max_norm, 1): PyTorch's `max_norm / (total_norm +
// 1e-6)` is a tensor's reciprocal times max_norm (Tensor.__rtruediv__), so three IEEE operations,
// then a select that keeps a NaN c (as torch.clamp does).
inline constexpr float kClipEps = 1e-6f;  // PyTorch's 1e-6, rounded to float
DETNUM_HD float clip_coefficient(float total_norm, float max_norm) {
  const float c = (1.0f / (total_norm + kClipEps)) * max_norm;
  return c > 1.0f ? 1.0f : c;
}
DETNUM_HD float clip_value(float g, float c) { return canonicalize(g * c); }

// SGD (PyTorch's torch.optim.SGD) on one element, with the step's scalars made once on the host
// (detail::sgd_scalars, src/common/pointwise_checks.hpp):
//   d  = g + weight_decay * p                         only when weight_decay != 0, else g
//   b' = d on the first step, else momentum * b + one_minus_dampening * d   (momentum != 0 only)
//   d' = d + momentum * b' with Nesterov, else b'                            (momentum != 0 only)
//   p' = p - lr * d'
struct SgdScalars {
  float lr, momentum, one_minus_dampening, weight_decay;
  bool decay, with_momentum, first, nesterov;
};

DETNUM_HD float sgd_direction(const SgdScalars& s, float p, float g) { return s.decay ? g + s.weight_decay * p : g; }
// Without momentum (s.with_momentum false): p' = p - lr * d.
DETNUM_HD void sgd_update(const SgdScalars& s, float& p, float g) { p = canonicalize(p - s.lr * sgd_direction(s, p, g)); }
// With momentum, b the element's buffer. (Two functions, not one with a branch around the
// buffer's store: each is a straight line that a compiler vectorizes, the flags' choices selects.)
DETNUM_HD void sgd_update(const SgdScalars& s, float& p, float g, float& b) {
  const float d = sgd_direction(s, p, g);
  const float b1 = s.first ? d : s.momentum * b + s.one_minus_dampening * d;
  b = canonicalize(b1);
  p = canonicalize(p - s.lr * (s.nesterov ? d + s.momentum * b1 : b1));
}

}  // namespace detnum::detail
