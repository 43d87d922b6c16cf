// Argument checks shared by the row ops (detnum/softmax.hpp, detnum/norm.hpp) and the losses
// (detnum/loss.hpp) of every backend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "common/memory_space.hpp"
#include "common/validate.hpp"
#include "detnum/detail/nn_rows_order.hpp"
#include "detnum/detail/reduce_order.hpp"
#include "detnum/norm.hpp"
#include "detnum/softmax.hpp"

namespace detnum::detail {

// The longest row the CUDA row kernels take: a warp keeps three levels of ORDER.md's lanes.
inline constexpr std::int64_t kCudaMaxRowCols = kReduceChunk * kReduceChunk * kReduceChunk;  // 2^39

// One pointer argument of a row op: its name, its address, how many elements the call touches
// there, and whether the call writes them.
struct RowArg {
  std::string_view name;
  const void* ptr;
  std::int64_t count;
  bool output = false;
  std::size_t elem_size = sizeof(float);
};

// rows, cols >= 0 and rows * cols floats addressable; returns rows * cols.
inline std::int64_t check_row_shape(std::string_view fn, std::int64_t rows, std::int64_t cols) {
  check_size(fn, "rows", rows, sizeof(float));
  check_size(fn, "cols", cols, sizeof(float));
  const std::int64_t elements = checked_mul_add(rows, cols, 0);
  if (elements < 0)
    fail(ErrorCode::size_out_of_range, fn,
         "rows * cols must fit in 64 bits, got rows " + std::to_string(rows) + " and cols " + std::to_string(cols));
  check_size(fn, "rows * cols", elements, sizeof(float));
  return elements;
}

// Every pointer that names elements is not null and in the memory the backend reads; every
// output is disjoint from every other argument.
inline void check_row_args(std::string_view fn, std::initializer_list<RowArg> args, Reader reader) {
  for (const RowArg& a : args) {
    check_not_null(fn, a.name, a.ptr, a.count);
    if (a.count > 0) check_accessible(fn, a.name, a.ptr, reader);
  }
  for (const RowArg* a = args.begin(); a != args.end(); ++a)
    for (const RowArg* b = args.begin(); b != args.end(); ++b)
      if (a->output && a != b && (!b->output || b > a))
        check_no_overlap(fn, a->name, a->ptr, a->count * static_cast<std::int64_t>(a->elem_size), b->name, b->ptr,
                         b->count * static_cast<std::int64_t>(b->elem_size), false);
}

inline void check_eps(std::string_view fn, float eps) {
  if (!(eps >= 0.0f && eps <= 3.40282347e38f))
    fail(ErrorCode::invalid_argument, fn, "eps must be finite and >= 0, got " + format_value(eps));
}

// ignore: the ignored label, or kNoIgnoredLabel.
[[noreturn]] inline void fail_label(std::string_view fn, std::int64_t row, std::int32_t label, std::int64_t cols,
                                    std::int64_t ignore) {
  fail(ErrorCode::invalid_argument, fn,
       "labels[" + std::to_string(row) + "] must be in [0, cols) = [0, " + std::to_string(cols) + ")" +
           (ignore == kNoIgnoredLabel ? "" : " or the ignored label " + std::to_string(ignore)) + ", got " +
           std::to_string(label));
}

// Host labels only (on a device they cannot be read without synchronizing): each label checked,
// and the rows not ignored counted.
inline std::int64_t kept_labels(std::string_view fn, const std::int32_t* labels, std::int64_t rows, std::int64_t cols,
                                std::int64_t ignore) {
  std::int64_t kept = 0;
  for (std::int64_t r = 0; r < rows; ++r) {
    if (cross_entropy_ignored(labels[r], ignore)) continue;
    if (!label_in_range(labels[r], cols)) fail_label(fn, r, labels[r], cols, ignore);
    ++kept;
  }
  return kept;
}

// The arguments of each op, as every backend checks them (labels apart). The softmax family's
// return rows * cols: with none, the call has nothing to do, however many empty rows it names.
inline std::int64_t check_softmax_call(std::string_view fn, const float* x, const float* y, std::int64_t rows,
                                       std::int64_t cols, Reader reader) {
  const std::int64_t n = check_row_shape(fn, rows, cols);
  check_row_args(fn, {{"x", x, n}, {"y", y, n, true}}, reader);
  return n;
}

inline std::int64_t check_softmax_backward_call(std::string_view fn, const float* y, const float* dy, const float* dx,
                                                std::int64_t rows, std::int64_t cols, Reader reader) {
  const std::int64_t n = check_row_shape(fn, rows, cols);
  check_row_args(fn, {{"y", y, n}, {"dy", dy, n}, {"dx", dx, n, true}}, reader);
  return n;
}

inline void check_loss_reduction(std::string_view fn, LossReduction reduction) {
  const auto r = static_cast<int>(reduction);
  if (r < 0 || r > static_cast<int>(LossReduction::none))
    fail(ErrorCode::invalid_argument, fn, "reduction must be mean, sum or none, got " + std::to_string(r));
}

// A loss's arguments (detnum/loss.hpp), as every backend checks them: loss holds n floats for
// none, else one.
inline void check_loss_call(std::string_view fn, const float* x, const float* target, std::int64_t n,
                           LossReduction reduction, const float* loss, const float* dx, Reader reader) {
  check_size(fn, "n", n, sizeof(float));
  check_loss_reduction(fn, reduction);
  check_row_args(fn,
                 {{"x", x, n},
                  {"target", target, n},
                  {"loss", loss, reduction == LossReduction::none ? n : 1, true},
                  {"dx", dx, dx ? n : 0, true}},
                 reader);
}

// A causal mask as every backend applies it.
inline RowPrefix causal_prefix(std::string_view fn, const CausalMask& mask) {
  if (mask.period < 1)
    fail(ErrorCode::invalid_argument, fn, "mask.period must be >= 1, got " + std::to_string(mask.period));
  if (mask.offset < 0)
    fail(ErrorCode::invalid_argument, fn, "mask.offset must be >= 0, got " + std::to_string(mask.offset));
  return {mask.period, mask.offset};
}

// cross_entropy's options as every backend applies them (plain data: a CUDA kernel takes it by
// value).
struct CrossEntropyRule {
  std::int64_t ignore = kNoIgnoredLabel;  // the ignored label, or none
  float eps = 0.0f, a = 1.0f, b = 0.0f;   // label smoothing, and the target's weights
  LossReduction reduction = LossReduction::mean;
  DETNUM_HD bool smoothing() const { return eps != 0.0f; }
  DETNUM_HD bool per_row() const { return reduction == LossReduction::none; }
  // Floats of loss: one a row for per-row losses, else one.
  DETNUM_HD std::int64_t loss_count(std::int64_t rows) const { return per_row() ? rows : 1; }
  // What the gradient divides by, given the rows kept.
  DETNUM_HD float divisor(std::int64_t kept) const {
    return reduction == LossReduction::mean ? count_as_float(kept) : 1.0f;
  }
};

// The options checked (label_smoothing in [0, 1], a reduction that exists) and resolved.
inline CrossEntropyRule cross_entropy_rule(std::string_view fn, const CrossEntropyOptions& o, std::int64_t cols) {
  const float eps = o.label_smoothing;
  if (!(eps >= 0.0f && eps <= 1.0f))
    fail(ErrorCode::invalid_argument, fn, "label_smoothing must be in [0, 1], got " + format_value(eps));
  check_loss_reduction(fn, o.reduction);
  CrossEntropyRule rule;
  if (o.ignore_index) rule.ignore = *o.ignore_index;
  rule.eps = eps;
  rule.a = smoothing_label_weight(eps);
  rule.b = smoothing_class_weight(eps, cols);
  rule.reduction = o.reduction;
  return rule;
}

inline void check_cross_entropy_call(std::string_view fn, const float* logits, const std::int32_t* labels,
                                     std::int64_t rows, std::int64_t cols, const CrossEntropyRule& rule,
                                     const float* loss, const float* dlogits, Reader reader) {
  const std::int64_t n = check_row_shape(fn, rows, cols);
  check_row_args(fn,
                 {{"logits", logits, n},
                  {"labels", labels, rows, false, sizeof(std::int32_t)},
                  {"loss", loss, rule.loss_count(rows), true},
                  {"dlogits", dlogits, dlogits ? n : 0, true}},
                 reader);
}

inline void check_layer_norm_call(std::string_view fn, const float* x, const float* gamma, const float* beta,
                                  const float* y, const float* mean, const float* rstd, std::int64_t rows,
                                  std::int64_t cols, float eps, Reader reader) {
  const std::int64_t n = check_row_shape(fn, rows, cols);
  check_eps(fn, eps);
  const std::int64_t per_col = rows > 0 ? cols : 0;  // gamma and beta are read only for a row
  check_row_args(fn,
                 {{"x", x, n},
                  {"gamma", gamma, per_col},
                  {"beta", beta, per_col},
                  {"y", y, n, true},
                  {"mean", mean, rows, true},
                  {"rstd", rstd, rows, true}},
                 reader);
}

inline void check_layer_norm_backward_call(std::string_view fn, const float* x, const float* gamma, const float* mean,
                                           const float* rstd, const float* dy, const float* dx, const float* dgamma,
                                           const float* dbeta, std::int64_t rows, std::int64_t cols, Reader reader) {
  const std::int64_t n = check_row_shape(fn, rows, cols);
  check_row_args(fn,
                 {{"x", x, n},
                  {"gamma", gamma, rows > 0 ? cols : 0},
                  {"mean", mean, rows},
                  {"rstd", rstd, rows},
                  {"dy", dy, n},
                  {"dx", dx, n, true},
                  {"dgamma", dgamma, cols, true},
                  {"dbeta", dbeta, cols, true}},
                 reader);
}

// Batch norm's statistics are over rows: at least two of them (PyTorch's "more than 1 value per
// channel"), unless there is no column.
inline void check_batch_norm_rows(std::string_view fn, std::int64_t rows, std::int64_t cols) {
  if (cols > 0 && rows < 2)
    fail(ErrorCode::invalid_argument, fn,
         "rows must be at least 2 (batch statistics need more than one value per column), got " + std::to_string(rows));
}

inline void check_batch_norm_call(std::string_view fn, const float* x, const float* gamma, const float* beta,
                                  const float* y, const float* mean, const float* rstd, std::int64_t rows,
                                  std::int64_t cols, float eps, const BatchNormRunning& running, Reader reader) {
  const std::int64_t n = check_row_shape(fn, rows, cols);
  check_batch_norm_rows(fn, rows, cols);
  check_eps(fn, eps);
  if ((running.mean == nullptr) != (running.var == nullptr))
    fail(ErrorCode::null_pointer, fn,
         std::string("running.mean and running.var must both be given or both be null, got running.") +
             (running.mean ? "var" : "mean") + " null");
  const bool with_running = running.mean != nullptr;
  if (with_running && !(running.momentum >= 0.0f && running.momentum <= 1.0f))
    fail(ErrorCode::invalid_argument, fn, "running.momentum must be in [0, 1], got " + format_value(running.momentum));
  const std::int64_t stats = with_running ? cols : 0;
  check_row_args(fn,
                 {{"x", x, n},
                  {"gamma", gamma, cols},
                  {"beta", beta, cols},
                  {"y", y, n, true},
                  {"mean", mean, cols, true},
                  {"rstd", rstd, cols, true},
                  {"running.mean", running.mean, stats, true},
                  {"running.var", running.var, stats, true}},
                 reader);
}

inline void check_batch_norm_backward_call(std::string_view fn, const float* x, const float* gamma, const float* mean,
                                           const float* rstd, const float* dy, const float* dx, const float* dgamma,
                                           const float* dbeta, std::int64_t rows, std::int64_t cols, Reader reader) {
  const std::int64_t n = check_row_shape(fn, rows, cols);
  check_batch_norm_rows(fn, rows, cols);
  check_row_args(fn,
                 {{"x", x, n},
                  {"gamma", gamma, cols},
                  {"mean", mean, cols},
                  {"rstd", rstd, cols},
                  {"dy", dy, n},
                  {"dx", dx, n, true},
                  {"dgamma", dgamma, cols, true},
                  {"dbeta", dbeta, cols, true}},
                 reader);
}

inline void check_rms_norm_call(std::string_view fn, const float* x, const float* gamma, const float* y,
                                const float* rstd, std::int64_t rows, std::int64_t cols, float eps, Reader reader) {
  const std::int64_t n = check_row_shape(fn, rows, cols);
  check_eps(fn, eps);
  check_row_args(fn, {{"x", x, n}, {"gamma", gamma, rows > 0 ? cols : 0}, {"y", y, n, true}, {"rstd", rstd, rows, true}},
                 reader);
}

inline void check_rms_norm_backward_call(std::string_view fn, const float* x, const float* gamma, const float* rstd,
                                         const float* dy, const float* dx, const float* dgamma, std::int64_t rows,
                                         std::int64_t cols, Reader reader) {
  const std::int64_t n = check_row_shape(fn, rows, cols);
  check_row_args(fn,
                 {{"x", x, n},
                  {"gamma", gamma, rows > 0 ? cols : 0},
                  {"rstd", rstd, rows},
                  {"dy", dy, n},
                  {"dx", dx, n, true},
                  {"dgamma", dgamma, cols, true}},
                 reader);
}

}  // namespace detnum::detail
