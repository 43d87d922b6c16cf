// Argument checks shared by the reduction entry points of every backend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/memory_space.hpp"
#include "common/validate.hpp"
#include "detnum/reduce.hpp"

namespace detnum::detail {

// n >= 0 (>= 1 when nonempty), x readable for n elements by the reader.
inline void check_reduce_input(std::string_view fn, std::string_view name, const void* x, std::int64_t n,
                               std::size_t elem_size, bool nonempty, Reader reader) {
  check_size(fn, "n", n, elem_size);
  if (nonempty && n == 0) fail(ErrorCode::size_out_of_range, fn, "n must be >= 1 (the extremes of nothing are undefined), got 0");
  check_not_null(fn, name, x, n);
  check_accessible(fn, name, x, reader);
}

inline void check_ddof(std::string_view fn, std::int64_t ddof) {
  if (ddof < 0) fail(ErrorCode::invalid_argument, fn, "ddof must be >= 0, got " + std::to_string(ddof));
}

// A valid layout (MatrixLayout's rules, every offset in int64); returns its extent: the elements
// from x[0] to one past the last element it names, 0 when it names none.
inline std::int64_t check_matrix_layout(std::string_view fn, const MatrixLayout& m, std::size_t elem_size) {
  check_size(fn, "m.rows", m.rows, elem_size);
  check_size(fn, "m.cols", m.cols, elem_size);
  check_size(fn, "m.batch", m.batch, elem_size);
  if (m.ld < 1 || m.ld < m.cols)
    fail(ErrorCode::invalid_argument, fn,
         "m.ld must be >= max(1, m.cols) = " + std::to_string(m.cols > 1 ? m.cols : 1) + ", got " + std::to_string(m.ld));
  if (m.batch_stride < 0)
    fail(ErrorCode::invalid_argument, fn, "m.batch_stride must be >= 0, got " + std::to_string(m.batch_stride));
  const bool empty = m.rows == 0 || m.cols == 0 || m.batch == 0;
  // (batch - 1) * batch_stride + (rows - 1) * ld + cols
  const std::int64_t last_row = empty ? 0 : checked_mul_add(m.rows - 1, m.ld, m.cols);
  const std::int64_t extent = empty ? 0 : last_row < 0 ? -1 : checked_mul_add(m.batch - 1, m.batch_stride, last_row);
  if (extent < 0)
    fail(ErrorCode::size_out_of_range, fn,
         "the layout names elements beyond 2^63 (rows " + std::to_string(m.rows) + ", cols " + std::to_string(m.cols) +
             ", ld " + std::to_string(m.ld) + ", batch " + std::to_string(m.batch) + ", batch_stride " +
             std::to_string(m.batch_stride) + ")");
  check_size(fn, "the layout's extent (elements from x[0] to its last element)", extent, elem_size);
  const std::int64_t most = checked_mul_add(m.batch, m.rows > m.cols ? m.rows : m.cols, 0);
  if (most < 0) fail(ErrorCode::size_out_of_range, fn, "m.batch * max(m.rows, m.cols) exceeds 2^63");
  return extent;
}

// How many results an axis sum writes, and their name in errors.
struct AxisResults {
  std::int64_t count;
  const char* name;
};
inline AxisResults axis_results(const MatrixLayout& m, bool per_row) {
  return {m.batch * (per_row ? m.rows : m.cols), per_row ? "m.batch * m.rows" : "m.batch * m.cols"};
}

// An axis sum's arguments: a valid layout whose elements x holds (memory the reader reads), and
// the batch * rows (per_row) or batch * cols results at out, overlapping nothing x names.
// Returns the number of results.
inline std::int64_t check_axis_call(std::string_view fn, const void* x, const MatrixLayout& m, std::size_t elem_size,
                                    const void* out, bool per_row, std::size_t out_size, Reader reader) {
  const std::int64_t extent = check_matrix_layout(fn, m, elem_size);
  const auto [outputs, outputs_name] = axis_results(m, per_row);
  check_size(fn, outputs_name, outputs, out_size);
  check_not_null(fn, "x", x, extent);
  check_not_null(fn, "out", out, outputs);
  if (extent > 0) check_accessible(fn, "x", x, reader);
  if (outputs > 0) check_accessible(fn, "out", out, reader);
  check_no_overlap(fn, "out", out, outputs * static_cast<std::int64_t>(out_size), "x", x,
                   extent * static_cast<std::int64_t>(elem_size), false);
  return outputs;
}

}  // namespace detnum::detail
