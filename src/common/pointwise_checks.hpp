// Argument checks shared by the CPU and CUDA pointwise ops and AdamW, so that every backend
// refuses the same input with the same message. Memory-space checks are the caller's (host or
// device accessible), done after these.
#pragma once

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/validate.hpp"
#include "detnum/adamw.hpp"
#include "detnum/detail/pointwise_order.hpp"

namespace detnum::detail {

struct Operand {
  std::string_view name;
  const void* ptr;
};

// n floats in each operand; `out` may be any input exactly (in place) but overlap none partially.
inline void check_elementwise(std::string_view fn, std::int64_t n, Operand out, std::initializer_list<Operand> ins) {
  check_size(fn, "n", n, sizeof(float));
  check_not_null(fn, out.name, out.ptr, n);
  for (const Operand& in : ins) {
    check_not_null(fn, in.name, in.ptr, n);
    check_no_overlap(fn, out.name, out.ptr, n * 4, in.name, in.ptr, n * 4, true);
  }
}

inline std::int64_t check_bias_add(std::string_view fn, const float* x, const float* bias, const float* y,
                                   std::int64_t rows, std::int64_t cols) {
  check_size(fn, "rows", rows, sizeof(float));
  check_size(fn, "cols", cols, sizeof(float));
  const std::int64_t n = checked_mul_add(rows, cols, 0);
  if (n < 0) fail(ErrorCode::size_out_of_range, fn, "rows * cols overflows: rows " + std::to_string(rows) + ", cols " + std::to_string(cols));
  check_elementwise(fn, n, {"y", y}, {{"x", x}});
  check_not_null(fn, "bias", bias, n > 0 ? cols : 0);
  if (n > 0) check_no_overlap(fn, "y", y, n * 4, "bias", bias, cols * 4, false);
  return n;
}

// The AdamW arguments, and the step's scalars (host double arithmetic, rounded once each): the
// one place they are computed, so the CPU and the GPU use the same floats.
inline AdamWScalars check_adamw(std::string_view fn, const float* param, const float* grad, const float* m,
                                const float* v, std::int64_t n, const AdamWParams& p) {
  check_size(fn, "n", n, sizeof(float));
  const Operand arrays[] = {{"param", param}, {"grad", grad}, {"m", m}, {"v", v}};
  for (const Operand& a : arrays) check_not_null(fn, a.name, a.ptr, n);
  for (int i = 0; i < 4; ++i)
    for (int j = i + 1; j < 4; ++j)
      check_no_overlap(fn, arrays[i].name, arrays[i].ptr, n * 4, arrays[j].name, arrays[j].ptr, n * 4, false);
  const auto want = [&](bool ok, std::string_view name, float value, std::string_view rule) {
    if (!ok) fail(ErrorCode::invalid_argument, fn, std::string("params.") + std::string(name) + " must be " +
                                                       std::string(rule) + ", got " + format_value(value));
  };
  want(std::isfinite(p.lr) && p.lr >= 0.0f, "lr", p.lr, "finite and >= 0");
  want(p.beta1 >= 0.0f && p.beta1 < 1.0f, "beta1", p.beta1, "in [0, 1)");
  want(p.beta2 >= 0.0f && p.beta2 < 1.0f, "beta2", p.beta2, "in [0, 1)");
  want(std::isfinite(p.eps) && p.eps > 0.0f, "eps", p.eps, "finite and > 0");
  want(std::isfinite(p.weight_decay) && p.weight_decay >= 0.0f, "weight_decay", p.weight_decay, "finite and >= 0");
  if (p.step < 1) fail(ErrorCode::invalid_argument, fn, "params.step must be >= 1, got " + std::to_string(p.step));
  // beta^step by repeated squaring: a fixed sequence of IEEE double products.
  const auto power = [](double b, std::int64_t e) {
    double r = 1.0;
    for (; e > 0; e >>= 1, b *= b)
      if (e & 1) r *= b;
    return r;
  };
  const double bc1 = 1.0 - power(p.beta1, p.step), bc2 = 1.0 - power(p.beta2, p.step);
  const double decay = 1.0 - static_cast<double>(p.lr) * p.weight_decay, step_size = p.lr / bc1;
  if (!(std::fabs(decay) <= FLT_MAX && step_size <= FLT_MAX))
    fail(ErrorCode::invalid_argument, fn,
         "params.lr, weight_decay and beta1 give a step outside float's range: 1 - lr * weight_decay = " +
             std::to_string(decay) + ", lr / (1 - beta1^step) = " + std::to_string(step_size));
  AdamWScalars s{};
  s.decay = static_cast<float>(decay);
  s.beta1 = p.beta1;
  s.one_minus_beta1 = static_cast<float>(1.0 - p.beta1);
  s.beta2 = p.beta2;
  s.one_minus_beta2 = static_cast<float>(1.0 - p.beta2);
  s.eps = p.eps;
  s.inv_sqrt_bc2 = static_cast<float>(1.0 / std::sqrt(bc2));
  s.step_size = static_cast<float>(step_size);
  return s;
}

}  // namespace detnum::detail
