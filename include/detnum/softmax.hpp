// Row-wise softmax, log-softmax and cross-entropy of a dense row-major float matrix (rows x cols,
// row r at x + r * cols), forward and backward, on the CPU (CUDA: detnum/cuda/softmax.hpp).
//
// Guarantee: the bits follow docs/ORDER.md ("Row ops"; version DETNUM_ORDER_SPEC_VERSION): the row
// maximum is exact, exp and log are detnum::math's, every sum over a row is the canonical
// reduction of a vector defined elementwise. So each output row is a function of that row's
// inputs alone: the same bits for a row computed alone or among 1000 (batch invariance), at every
// thread count, and on every CUDA launch and device. NaN outputs are the canonical NaN.
//
// Arguments: rows, cols >= 0; a pointer may be null only when it names no element. Outputs must
// not overlap the inputs or each other. A call that throws detnum::Error has written nothing.
#pragma once

#include <cstdint>
#include <optional>

#include "detnum/loss.hpp"  // LossReduction
#include "detnum/threads.hpp"

namespace detnum {

// y[r][j] = e_j / s with m = max_j x[r][j], e_j = exp(x[r][j] - m), s = sum_j e_j.
void softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, CpuOptions options = {});
// dx = y * (dy - sum_j y_j dy_j) per row, y being softmax's output.
void softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                      CpuOptions options = {});

// Causal masking of attention scores (PyTorch's is_causal): the matrix is a stack of blocks of
// `period` rows (one block per sequence and head, a row per query, a column per key); row r keeps
// its first k_r = min(cols, r mod period + 1 + offset) columns, so that query i sees keys
// 0 .. i + offset. offset 0 is PyTorch's top-left alignment; offset = keys - queries aligns the
// queries with the last keys (bottom-right, as with a KV cache). rows need not be a multiple of
// period: the rows after the last whole block are the first rows of one more.
struct CausalMask {
  std::int64_t period = 0;  // rows per block (queries per sequence), >= 1: no default
  std::int64_t offset = 0;  // >= 0: every row keeps at least one column
};
// Row r of y is the softmax of x[r][0 .. k_r) as a row of its own (its sums of length k_r: the
// bits do not depend on cols or on the masked values, NaN and Inf included), and +0 in the masked
// columns. The backward pass: dx as softmax_backward over the kept columns, +0 in the others
// (whatever dy holds there).
void causal_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, const CausalMask& mask,
                    CpuOptions options = {});
void causal_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                             const CausalMask& mask, CpuOptions options = {});

// y[r][j] = (x[r][j] - m) - log(s), m and s as for softmax.
void log_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, CpuOptions options = {});
// dx = dy - exp(y) * sum_j dy_j per row, y being log_softmax's output.
void log_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                          CpuOptions options = {});

// *loss = the mean over rows of -log_softmax(logits)[r][labels[r]] (the mean's sum in ORDER.md's
// order; NaN for rows = 0). dlogits (rows x cols, may be nullptr) = the gradient of that mean:
// (softmax(logits)[r][j] - [j == labels[r]]) / rows. Each label must be in [0, cols). Unlike the
// per-row values, the mean and the gradient depend on rows, by definition.
void cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols, float* loss,
                   float* dlogits, CpuOptions options = {});

// cross_entropy's options, PyTorch's names and defaults (designated initializers read well:
// `{.ignore_index = -100, .label_smoothing = 0.1f}`).
struct CrossEntropyOptions {
  // A label that marks rows to leave out (padding; PyTorch's default is -100): such a row's l_r is
  // +0 and its dlogits row +0, and the mean divides by the other rows. Any int32, a class too.
  std::optional<std::int32_t> ignore_index = std::nullopt;
  // eps in [0, 1]: the target puts 1 - eps on the label and eps / cols on every class, so
  // l_r = (1 - eps) * nll_r - (eps / cols) * sum_j log_softmax(x)[r][j]. 0: no smoothing (and none
  // of that sum is computed).
  float label_smoothing = 0.0f;
  LossReduction reduction = LossReduction::mean;
};

// cross_entropy with options. l_r as above; dlogits (may be nullptr) = the gradient of *loss for
// mean and sum, of each row's own l_r for none: (softmax(x)[r][j] - target_j) / kept for mean,
// without the division for sum and none (so that its rows, like none's loss, do not depend on the
// other rows). loss: rows floats for none (null only when rows = 0), else one. Every label not
// ignored must be in [0, cols). A mean with no row kept is NaN; a sum of no rows is +0. Default
// options: the bits of the call above.
void cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols,
                   const CrossEntropyOptions& ce, float* loss, float* dlogits, CpuOptions options = {});

// The scalar references: ORDER.md's definitions as plain loops. Slow; the fast path and the CUDA
// kernels are tested against them bit for bit.
namespace ref {
void softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols);
void softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols);
void causal_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, const CausalMask& mask);
void causal_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                             const CausalMask& mask);
void log_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols);
void log_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols);
void cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols, float* loss,
                   float* dlogits);
void cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols,
                   const CrossEntropyOptions& ce, float* loss, float* dlogits);
}  // namespace ref

}  // namespace detnum
