// Argument checks shared by the CPU and CUDA embedding ops (the ids' values are checked where
// they can be read: on the host here, on the device by the CUDA launcher).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/validate.hpp"

namespace detnum::detail {

// The sizes, the pointers, and that the n x dim rows and the vocab x dim table do not overlap.
inline void check_embedding(std::string_view fn, std::int64_t vocab, std::int64_t dim, const std::int32_t* ids,
                            std::int64_t n, const void* rows, std::string_view rows_name, const void* table,
                            std::string_view table_name) {
  check_size(fn, "vocab", vocab, sizeof(float));
  check_size(fn, "dim", dim, sizeof(float));
  check_size(fn, "n", n, sizeof(std::int32_t));
  const std::int64_t rows_n = checked_mul_add(n, dim, 0), table_n = checked_mul_add(vocab, dim, 0);
  if (rows_n < 0 || rows_n > INT64_MAX / 4 || table_n < 0 || table_n > INT64_MAX / 4)
    fail(ErrorCode::size_out_of_range, fn,
         "n * dim and vocab * dim floats must fit in 2^63 bytes, got n " + std::to_string(n) + ", vocab " +
             std::to_string(vocab) + ", dim " + std::to_string(dim));
  check_not_null(fn, "ids", ids, n);
  check_not_null(fn, rows_name, rows, rows_n);
  check_not_null(fn, table_name, table, table_n);
  if (rows_n > 0 && table_n > 0)
    check_no_overlap(fn, rows_name, rows, rows_n * 4, table_name, table, table_n * 4, false);
  // One of rows and table is the output: neither may share bytes with the ids.
  if (n > 0 && rows_n > 0) check_no_overlap(fn, "ids", ids, n * 4, rows_name, rows, rows_n * 4, false);
  if (n > 0 && table_n > 0) check_no_overlap(fn, "ids", ids, n * 4, table_name, table, table_n * 4, false);
}

[[noreturn]] inline void fail_id(std::string_view fn, std::int64_t row, std::int32_t id, std::int64_t vocab) {
  fail(ErrorCode::invalid_argument, fn,
       "ids[" + std::to_string(row) + "] must be in [0, vocab = " + std::to_string(vocab) + "), got " +
           std::to_string(id));
}

// Every id in [0, vocab), checked in host memory.
inline void check_ids(std::string_view fn, const std::int32_t* ids, std::int64_t n, std::int64_t vocab) {
  for (std::int64_t r = 0; r < n; ++r)
    if (ids[r] < 0 || ids[r] >= vocab) fail_id(fn, r, ids[r], vocab);
}

}  // namespace detnum::detail
