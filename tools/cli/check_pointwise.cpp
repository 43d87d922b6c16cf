// The elementwise entries of `detnum check` (detnum/pointwise.hpp), AdamW and SGD
// (detnum/adamw.hpp, detnum/sgd.hpp), the mean squared error (detnum/loss.hpp) and gradient
// clipping (detnum/clip.hpp).
// Each runs on the first min(N, 2^20) inputs (the largest size would cost seconds on the scalar
// reference and adds no cut point the others lack), specials included: every output element is
// a function of its own inputs, and NaNs must come out canonical. The bias add takes a matrix of
// c = min(n, 129) columns. AdamW runs three consecutive steps; y is param|m|v after them. Clipping
// cuts the inputs into tensors at fixed points (one of 1 element, one across a chunk of 8192, an
// empty one, the rest); y is N|the tensors after it.
#include <algorithm>
#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include "check.hpp"
#include "detnum/adamw.hpp"
#include "detnum/clip.hpp"
#include "detnum/sgd.hpp"

namespace detnum::cli {
namespace {

constexpr std::int64_t kMaxN = std::int64_t{1} << 20;
std::int64_t count_of(const CheckInputs& in) { return std::min(in.n, kMaxN); }

CheckOutputs run_pointwise(Backend& b, const CheckInputs& in, PointwiseOp op) {
  const std::int64_t n = count_of(in);
  const std::int64_t cols = std::min<std::int64_t>(n, 129), rows = cols > 0 ? n / cols : 0;
  const bool bias = op == PointwiseOp::bias_add;
  const std::int64_t count = bias ? rows * cols : n;
  const std::vector<float> x = f32_operand(in, count, 0, false);
  const std::vector<float> other = f32_operand(in, bias ? cols : n, 11, false);  // dy, or the bias
  std::vector<float> y = sentinel_floats(count);
  b.pointwise({op, count, rows, cols, x.data(), other.data(), y.data()});
  return {float_bytes({&y}), {}};
}

std::string describe(const AdamWParams& p) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "lr=%.9g beta1=%.9g beta2=%.9g eps=%.9g weight_decay=%.9g step=%lld", static_cast<double>(p.lr),
                static_cast<double>(p.beta1), static_cast<double>(p.beta2), static_cast<double>(p.eps),
                static_cast<double>(p.weight_decay), static_cast<long long>(p.step));
  return buf;
}

// Where the list forms (clipping, AdamW of a list) cut n inputs into tensors: one of 1 element,
// one across a chunk of 8192, an empty one, the rest.
std::vector<std::int64_t> list_cuts(std::int64_t n) {
  std::vector<std::int64_t> sizes;
  std::int64_t at = 0;
  for (const std::int64_t size : {std::int64_t{1}, std::int64_t{8200}, std::int64_t{0}, n}) {
    sizes.push_back(std::min(size, n - at));
    at += sizes.back();
  }
  return sizes;
}

// Steps p.step, p.step + 1, p.step + 2, each with gradients of its own. From m = v = 0 (a fresh
// optimizer), or from moments drawn from the inputs (v = their squares). `list`: as one call of
// the list form over the tensors of list_cuts.
CheckOutputs run_adamw(Backend& b, const CheckInputs& in, AdamWParams p, bool fresh, bool specials, bool list = false) {
  const std::int64_t n = count_of(in);
  std::vector<float> param = f32_operand(in, n, 0, true);
  std::vector<float> m = fresh ? std::vector<float>(static_cast<std::size_t>(n), 0.0f) : f32_operand(in, n, 5, true);
  std::vector<float> v = fresh ? std::vector<float>(static_cast<std::size_t>(n), 0.0f) : f32_operand(in, n, 7, true);
  if (!fresh)
    for (float& e : v) e = e * e;  // a product, no contraction: the same on every machine
  for (int s = 0; s < 3; ++s) {
    const std::vector<float> grad = f32_operand(in, n, 13 + 17 * s, !specials);
    if (list) {
      std::vector<AdamWTensor> tensors;
      std::int64_t at = 0;
      for (const std::int64_t k : list_cuts(n)) {
        if (k > 0) tensors.push_back({param.data() + at, grad.data() + at, m.data() + at, v.data() + at, k});
        else tensors.push_back({nullptr, nullptr, nullptr, nullptr, 0});
        at += k;
      }
      b.adamw_list(tensors, p);
    } else {
      b.adamw_step(param.data(), grad.data(), m.data(), v.data(), n, p);
    }
    ++p.step;
  }
  return {float_bytes({&param, &m, &v}), {}};
}

// Steps p.step .. p.step + 2 of SGD, each with gradients of its own, from a buffer drawn from the
// inputs (used only with momentum). `list`: as the list form over the tensors of list_cuts.
CheckOutputs run_sgd(Backend& b, const CheckInputs& in, SgdParams p, bool list) {
  const std::int64_t n = count_of(in);
  std::vector<float> param = f32_operand(in, n, 0, true), buffer = f32_operand(in, n, 5, true);
  for (int s = 0; s < 3; ++s) {
    std::vector<float> grad = f32_operand(in, n, 13 + 17 * s, false);
    if (list) {
      std::vector<SgdTensor> tensors;
      std::int64_t at = 0;
      for (const std::int64_t k : list_cuts(n)) {
        if (k > 0) tensors.push_back({param.data() + at, grad.data() + at, buffer.data() + at, k});
        else tensors.push_back({nullptr, nullptr, nullptr, 0});
        at += k;
      }
      b.sgd_list(tensors, p);
    } else {
      b.sgd_step(param.data(), grad.data(), buffer.data(), n, p);
    }
    ++p.step;
  }
  return {float_bytes({&param, &buffer}), {}};
}

CheckOutputs run_clip(Backend& b, const CheckInputs& in, float max_norm, bool specials) {
  std::vector<float> all = f32_operand(in, count_of(in), 3, !specials), norm(1);
  std::vector<GradTensor> grads;
  std::int64_t at = 0;
  for (const std::int64_t n : list_cuts(count_of(in))) {
    grads.push_back({n > 0 ? all.data() + at : nullptr, n});
    at += n;
  }
  norm[0] = b.clip_grad_norm(grads, max_norm);
  return {float_bytes({&norm, &all}), {}};
}

// A loss of the first min(n, 2^20) inputs against the 11th stream's as targets; y = loss|dx.
CheckOutputs run_loss(Backend& b, const CheckInputs& in, Backend::LossKind kind, LossReduction reduction,
                      bool specials) {
  const std::int64_t n = count_of(in);
  const std::vector<float> x = f32_operand(in, n, 0, !specials), target = f32_operand(in, n, 11, !specials);
  std::vector<float> loss = sentinel_floats(reduction == LossReduction::none ? n : 1), dx = sentinel_floats(n);
  b.loss(kind, x.data(), target.data(), n, reduction, loss.data(), dx.data());
  return {float_bytes({&loss, &dx}), {}};
}

}  // namespace

std::vector<CheckOp> pointwise_check_ops() {
  std::vector<CheckOp> ops;
  struct Entry {
    PointwiseOp op;
    const char* name;
    const char* params;
  };
  constexpr const char* kFirst = "first min(n, 2^20) inputs, with specials";
  constexpr const char* kFromOutput = "first min(n, 2^20) inputs as y, with specials";
  for (const Entry& e : {Entry{PointwiseOp::relu, "relu", kFirst},
                         Entry{PointwiseOp::relu_backward, "relu_backward", kFirst},
                         Entry{PointwiseOp::gelu, "gelu", kFirst},
                         Entry{PointwiseOp::gelu_backward, "gelu_backward", kFirst},
                         Entry{PointwiseOp::gelu_tanh, "gelu_tanh", kFirst},
                         Entry{PointwiseOp::gelu_tanh_backward, "gelu_tanh_backward", kFirst},
                         Entry{PointwiseOp::silu, "silu", kFirst},
                         Entry{PointwiseOp::silu_backward, "silu_backward", kFirst},
                         Entry{PointwiseOp::sigmoid, "sigmoid", kFirst},
                         Entry{PointwiseOp::sigmoid_backward, "sigmoid_backward", kFromOutput},
                         Entry{PointwiseOp::tanh, "tanh", kFirst},
                         Entry{PointwiseOp::tanh_backward, "tanh_backward", kFromOutput},
                         Entry{PointwiseOp::bias_add, "bias_add",
                               "c = min(n, 2^20, 129) cols, min(n, 2^20)/c rows, with specials"}}) {
    const PointwiseOp op = e.op;
    ops.push_back({e.name, Dtype::f32, false, e.params,
                   [op](Backend& b, const CheckInputs& in) { return run_pointwise(b, in, op); }, {}, Dtype::f32});
  }
  const AdamWParams fresh{};  // the defaults, from step 1
  const AdamWParams later{0.01f, 0.8f, 0.99f, 1e-6f, 0.1f, 1000};
  ops.push_back({"adamw_step", Dtype::f32, false,
                 describe(fresh) + " and the 2 steps after it from m = v = 0, first min(n, 2^20) inputs, finite; y = param|m|v",
                 [fresh](Backend& b, const CheckInputs& in) { return run_adamw(b, in, fresh, true, false); }, {},
                 Dtype::f32});
  ops.push_back({"adamw_step", Dtype::f32, false,
                 describe(later) + " and the 2 steps after it from drawn m, v, first min(n, 2^20) inputs, grads with specials; y = param|m|v",
                 [later](Backend& b, const CheckInputs& in) { return run_adamw(b, in, later, false, true); }, {},
                 Dtype::f32});
  ops.push_back({"adamw_step", Dtype::f32, false,
                 describe(later) + " and the 2 steps after it, as a list of tensors of 1, 8200, 0 and the rest of "
                                   "min(n, 2^20) inputs, grads with specials; y = param|m|v",
                 [later](Backend& b, const CheckInputs& in) { return run_adamw(b, in, later, false, true, true); }, {},
                 Dtype::f32});
  for (const auto& [p, list] : {std::pair{SgdParams{0.1f, 0.0f, 0.0f, 0.0f, false, 1}, false},
                                std::pair{SgdParams{0.01f, 0.9f, 0.0f, 1e-4f, true, 1}, false},
                                std::pair{SgdParams{0.01f, 0.9f, 0.1f, 1e-4f, false, 5}, true}}) {
    char what[200];
    std::snprintf(what, sizeof what, "lr=%.9g momentum=%.9g dampening=%.9g weight_decay=%.9g%s step=%lld",
                  static_cast<double>(p.lr), static_cast<double>(p.momentum), static_cast<double>(p.dampening),
                  static_cast<double>(p.weight_decay), p.nesterov ? " nesterov" : "", static_cast<long long>(p.step));
    ops.push_back({"sgd_step", Dtype::f32, false,
                   std::string(what) + " and the 2 steps after it" +
                       (list ? ", as a list of tensors of 1, 8200, 0 and the rest of" : ", first") +
                       " min(n, 2^20) inputs, grads with specials; y = param|momentum_buffer",
                   [p, list](Backend& b, const CheckInputs& in) { return run_sgd(b, in, p, list); }, {}, Dtype::f32});
  }
  for (const auto& [kind, name] : {std::pair{Backend::LossKind::mse, "mse_loss"},
                                    std::pair{Backend::LossKind::bce_with_logits, "binary_cross_entropy_with_logits"}})
    for (const auto& [reduction, specials, what] :
         {std::tuple{LossReduction::mean, false, "mean, first min(n, 2^20) inputs, finite; y = loss|dx"},
          std::tuple{LossReduction::sum, true, "sum, first min(n, 2^20) inputs, with specials; y = loss|dx"},
          std::tuple{LossReduction::none, true, "per element, first min(n, 2^20) inputs, with specials; y = losses|dx"}}) {
      ops.push_back({name, Dtype::f32, false, what,
                     [kind, reduction, specials](Backend& b, const CheckInputs& in) {
                       return run_loss(b, in, kind, reduction, specials);
                     },
                     {}, Dtype::f32});
    }
  ops.push_back({"clip_grad_norm", Dtype::f32, false,
                 "max_norm 1, tensors of 1, 8200, 0 and the rest of min(n, 2^20) inputs, finite; y = N|grads",
                 [](Backend& b, const CheckInputs& in) { return run_clip(b, in, 1.0f, false); }, {}, Dtype::f32});
  ops.push_back({"clip_grad_norm", Dtype::f32, false,
                 "max_norm 1e30, the same tensors with specials; y = N|grads",
                 [](Backend& b, const CheckInputs& in) { return run_clip(b, in, 1e30f, true); }, {}, Dtype::f32});
  return ops;
}

}  // namespace detnum::cli
