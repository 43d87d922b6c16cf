// Argument checks shared by the reduction entry points of every backend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/memory_space.hpp"
#include "common/validate.hpp"

namespace detnum::detail {

// n >= 0 (>= 1 when nonempty), x readable for n elements on the host (device: on_device).
inline void check_reduce_input(std::string_view fn, std::string_view name, const void* x, std::int64_t n,
                               std::size_t elem_size, bool nonempty, bool on_device) {
  check_size(fn, "n", n, elem_size);
  if (nonempty && n == 0) fail(ErrorCode::size_out_of_range, fn, "n must be >= 1 (the extremes of nothing are undefined), got 0");
  check_not_null(fn, name, x, n);
  if (on_device) check_device_accessible(fn, name, x);
  else check_host_accessible(fn, name, x);
}

inline void check_ddof(std::string_view fn, std::int64_t ddof) {
  if (ddof < 0) fail(ErrorCode::invalid_argument, fn, "ddof must be >= 0, got " + std::to_string(ddof));
}

}  // namespace detnum::detail
