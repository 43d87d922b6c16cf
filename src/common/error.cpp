#include "detnum/error.hpp"

namespace detnum {

const char* to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::null_pointer: return "null_pointer";
    case ErrorCode::size_out_of_range: return "size_out_of_range";
    case ErrorCode::wrong_memory_space: return "wrong_memory_space";
    case ErrorCode::unsupported_aliasing: return "unsupported_aliasing";
    case ErrorCode::cuda_error: return "cuda_error";
    case ErrorCode::io_error: return "io_error";
  }
  return "unknown";
}

}  // namespace detnum
