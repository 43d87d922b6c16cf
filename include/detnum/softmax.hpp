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

#include "detnum/threads.hpp"

namespace detnum {

// y[r][j] = e_j / s with m = max_j x[r][j], e_j = exp(x[r][j] - m), s = sum_j e_j.
void softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, CpuOptions options = {});
// dx = y * (dy - sum_j y_j dy_j) per row, y being softmax's output.
void softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                      CpuOptions options = {});

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

// A label value that marks rows to leave out of cross_entropy: padding, in PyTorch's ignore_index
// (-100 there). A type of its own so that it cannot be mistaken for a size.
struct IgnoreIndex {
  std::int32_t value;
  explicit constexpr IgnoreIndex(std::int32_t v) : value(v) {}
};

// The same with the rows whose label is ignore.value left out: such a row adds +0 to the sum of
// the loss terms and gets a row of +0 in dlogits; the loss and the gradient divide by the number
// of the other rows, `kept` (NaN loss when kept = 0). Any other label must be in [0, cols); the
// ignored value may be any int32, a class too. Without an ignored label among the labels: the
// bits of the call above.
void cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols,
                   IgnoreIndex ignore, float* loss, float* dlogits, CpuOptions options = {});

// The scalar references: ORDER.md's definitions as plain loops. Slow; the fast path and the CUDA
// kernels are tested against them bit for bit.
namespace ref {
void softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols);
void softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols);
void log_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols);
void log_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols);
void cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols, float* loss,
                   float* dlogits);
void cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols,
                   IgnoreIndex ignore, float* loss, float* dlogits);
}  // namespace ref

}  // namespace detnum
