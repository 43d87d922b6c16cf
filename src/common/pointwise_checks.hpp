// Argument checks shared by the CPU and CUDA pointwise ops, AdamW and gradient clipping, so that
// every backend refuses the same input with the same message. Memory-space checks are the
// caller's (host or device accessible), done after these.
#pragma once

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/validate.hpp"
#include "detnum/adamw.hpp"
#include "detnum/clip.hpp"
#include "detnum/detail/pointwise_order.hpp"
#include "detnum/sgd.hpp"

namespace detnum::detail {

struct Operand {
  std::string_view name;
  const void* ptr;
};

// The most floats a size may count (their bytes must fit in ptrdiff_t, as check_size requires).
inline constexpr std::int64_t kMaxFloats =
    std::numeric_limits<std::ptrdiff_t>::max() / static_cast<std::int64_t>(sizeof(float));

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

// AdamW's params, and the step's scalars (host double arithmetic, rounded once each): the one
// place they are computed, so the CPU and the GPU use the same floats.
inline AdamWScalars adamw_scalars(std::string_view fn, const AdamWParams& p) {
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

// The AdamW arguments of one tensor, and the step's scalars.
// n >= 0 floats in each array of a one-tensor update, none null (where n > 0), no two overlapping.
inline void check_update_arrays(std::string_view fn, std::int64_t n, std::span<const Operand> arrays) {
  check_size(fn, "n", n, sizeof(float));
  for (const Operand& a : arrays) check_not_null(fn, a.name, a.ptr, n);
  for (std::size_t i = 0; i < arrays.size(); ++i)
    for (std::size_t j = i + 1; j < arrays.size(); ++j)
      check_no_overlap(fn, arrays[i].name, arrays[i].ptr, n * 4, arrays[j].name, arrays[j].ptr, n * 4, false);
}

inline AdamWScalars check_adamw(std::string_view fn, const float* param, const float* grad, const float* m,
                                const float* v, std::int64_t n, const AdamWParams& p) {
  const Operand arrays[] = {{"param", param}, {"grad", grad}, {"m", m}, {"v", v}};
  check_update_arrays(fn, n, arrays);
  return adamw_scalars(fn, p);
}

// The arrays of a multi-tensor AdamW's tensor, in the order errors name them.
inline constexpr const char* kAdamWArrays[] = {"param", "grad", "m", "v"};
inline const void* adamw_array(const AdamWTensor& a, int k) {
  return k == 0 ? static_cast<const void*>(a.param) : k == 1 ? a.grad : k == 2 ? a.m : a.v;
}
inline constexpr const char* kSgdArrays[] = {"param", "grad", "momentum_buffer"};
inline const void* sgd_array(const SgdTensor& a, int k) {
  return k == 0 ? static_cast<const void*>(a.param) : k == 1 ? a.grad : a.momentum_buffer;
}

// "tensors[t].grad": how a list call's errors name an array.
inline std::string list_array_name(std::size_t t, const char* array) {
  return "tensors[" + std::to_string(t) + "]." + array;
}

// A byte range of one array of a list call, with the id that names it in an error.
struct IdRange {
  std::uintptr_t begin, end;
  std::size_t id;
};
inline IdRange range_of(const void* p, std::int64_t floats, std::size_t id) {
  const auto b = reinterpret_cast<std::uintptr_t>(p);
  return {b, b + static_cast<std::uintptr_t>(floats) * sizeof(float), id};
}

// No two of the ranges overlap: sorted by address (ties by id, so an error names the pair in
// argument order), two ranges overlap only if two neighbours do. name(id) is made for an error
// only.
template <class Name>
void check_disjoint(std::string_view fn, std::vector<IdRange> ranges, const Name& name) {
  std::sort(ranges.begin(), ranges.end(), [](const IdRange& a, const IdRange& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.id < b.id;
  });
  for (std::size_t i = 1; i < ranges.size(); ++i) {
    const IdRange &a = ranges[i - 1], &b = ranges[i];
    if (b.begin < a.end)
      check_no_overlap(fn, name(a.id), reinterpret_cast<const void*>(a.begin), static_cast<std::int64_t>(a.end - a.begin),
                       name(b.id), reinterpret_cast<const void*>(b.begin), static_cast<std::int64_t>(b.end - b.begin),
                       false);
  }
}

// f(t, k) for each array k < K that the call uses (used[k]) of each tensor t with elements.
template <std::size_t K, class Tensor, class F>
void each_list_array(std::span<const Tensor> tensors, const std::array<bool, K>& used, const F& f) {
  for (std::size_t t = 0; t < tensors.size(); ++t)
    for (std::size_t k = 0; tensors[t].n > 0 && k < K; ++k)
      if (used[k]) f(t, static_cast<int>(k));
}

// The arguments of a list call (multi-tensor AdamW, SGD): every tensor's n >= 0, its used arrays
// (array(tensor, k), named names[k]) not null where n > 0, and no two of all of them overlapping;
// names are made for an error only.
template <std::size_t K, class Tensor, class Array>
void check_list(std::string_view fn, std::span<const Tensor> tensors, const char* const (&names)[K],
                const std::array<bool, K>& used, const Array& array) {
  std::vector<IdRange> ranges;
  for (std::size_t t = 0; t < tensors.size(); ++t) {  // tensor by tensor: its n, then its arrays
    const std::int64_t n = tensors[t].n;
    if (n < 0 || n > kMaxFloats) check_size(fn, "tensors[" + std::to_string(t) + "].n", n, sizeof(float));
    for (std::size_t k = 0; n > 0 && k < K; ++k) {
      if (!used[k]) continue;
      const void* a = array(tensors[t], static_cast<int>(k));
      if (a == nullptr) check_not_null(fn, list_array_name(t, names[k]), a, n);
      ranges.push_back(range_of(a, n, K * t + k));
    }
  }
  check_disjoint(fn, std::move(ranges), [&](std::size_t id) { return list_array_name(id / K, names[id % K]); });
}

inline constexpr std::array<bool, 4> kAllAdamWArrays{true, true, true, true};

// A multi-tensor AdamW's arguments, and the step's scalars.
inline AdamWScalars check_adamw_list(std::string_view fn, std::span<const AdamWTensor> tensors, const AdamWParams& p) {
  check_list(fn, tensors, kAdamWArrays, kAllAdamWArrays, adamw_array);
  return adamw_scalars(fn, p);
}

// SGD's params, and the step's scalars (1 - dampening in double, rounded once).
inline SgdScalars sgd_scalars(std::string_view fn, const SgdParams& p) {
  const auto want = [&](bool ok, std::string_view name, float value, std::string_view rule) {
    if (!ok) fail(ErrorCode::invalid_argument, fn, std::string("params.") + std::string(name) + " must be " +
                                                       std::string(rule) + ", got " + format_value(value));
  };
  want(std::isfinite(p.lr) && p.lr >= 0.0f, "lr", p.lr, "finite and >= 0");
  want(std::isfinite(p.momentum) && p.momentum >= 0.0f, "momentum", p.momentum, "finite and >= 0");
  want(std::isfinite(p.dampening), "dampening", p.dampening, "finite");
  want(std::isfinite(p.weight_decay) && p.weight_decay >= 0.0f, "weight_decay", p.weight_decay, "finite and >= 0");
  if (p.nesterov && !(p.momentum > 0.0f && p.dampening == 0.0f))
    fail(ErrorCode::invalid_argument, fn,
         "params.nesterov needs momentum > 0 and dampening = 0, got momentum " + format_value(p.momentum) +
             " and dampening " + format_value(p.dampening));
  if (p.step < 1) fail(ErrorCode::invalid_argument, fn, "params.step must be >= 1, got " + std::to_string(p.step));
  SgdScalars s{};
  s.lr = p.lr;
  s.momentum = p.momentum;
  s.one_minus_dampening = static_cast<float>(1.0 - static_cast<double>(p.dampening));
  s.weight_decay = p.weight_decay;
  s.decay = p.weight_decay != 0.0f;
  s.with_momentum = p.momentum != 0.0f;
  s.first = p.step == 1;
  s.nesterov = p.nesterov;
  return s;
}

// Which of a tensor's arrays an SGD call uses: the momentum buffer only with momentum.
inline std::array<bool, 3> sgd_used(const SgdScalars& s) { return {true, true, s.with_momentum}; }

// One tensor's SGD arguments, and the step's scalars.
inline SgdScalars check_sgd(std::string_view fn, const float* param, const float* grad, const float* buffer,
                            std::int64_t n, const SgdParams& p) {
  const SgdScalars s = sgd_scalars(fn, p);
  const Operand arrays[] = {{kSgdArrays[0], param}, {kSgdArrays[1], grad}, {kSgdArrays[2], buffer}};
  check_update_arrays(fn, n, std::span<const Operand>(arrays).first(s.with_momentum ? 3 : 2));  // the buffer with momentum only
  return s;
}

// A multi-tensor SGD's arguments, and the step's scalars.
inline SgdScalars check_sgd_list(std::string_view fn, std::span<const SgdTensor> tensors, const SgdParams& p) {
  const SgdScalars s = sgd_scalars(fn, p);
  check_list(fn, tensors, kSgdArrays, sgd_used(s), sgd_array);
  return s;
}

// "grads[t].data", as clip_grad_norm's errors name a tensor.
inline std::string grad_name(std::size_t t) { return "grads[" + std::to_string(t) + "].data"; }

// clip_grad_norm's arguments: max_norm >= 0 (not NaN); every tensor's n >= 0, its data not null
// when n > 0, and no two tensors overlapping (each would be scaled twice there).
inline void check_clip(std::string_view fn, std::span<const GradTensor> grads, float max_norm) {
  if (!(max_norm >= 0.0f))
    fail(ErrorCode::invalid_argument, fn, "max_norm must be >= 0 (+inf: no clipping), got " + format_value(max_norm));
  std::vector<IdRange> ranges;
  for (std::size_t t = 0; t < grads.size(); ++t) {
    const std::int64_t n = grads[t].n;
    if (n < 0 || n > kMaxFloats || (n > 0 && grads[t].data == nullptr)) {  // names made for the error only
      check_size(fn, "grads[" + std::to_string(t) + "].n", n, sizeof(float));
      check_not_null(fn, grad_name(t), grads[t].data, n);
    }
    if (n > 0) ranges.push_back(range_of(grads[t].data, n, t));
  }
  check_disjoint(fn, std::move(ranges), grad_name);
}

}  // namespace detnum::detail
