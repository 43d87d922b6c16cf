// The one exception the public API throws. Every message names the function, the argument and
// the value that was wrong, e.g. "dropout_forward: p must be in [0, 1), got 1.5". A call that
// throws has written nothing to its outputs, unless the message says a CUDA kernel failed.
#pragma once

#include <exception>
#include <string>

namespace detnum {

enum class ErrorCode {
  invalid_argument,     // a value outside its domain (p = 1.5, a bad launch configuration)
  null_pointer,         // nullptr where n > 0 elements must be read or written
  size_out_of_range,    // a negative size, or one whose bytes or indices would overflow
  wrong_memory_space,   // a device pointer given to a CPU function, or a host pointer to CUDA
  unsupported_aliasing, // outputs overlapping inputs in a way the op does not allow
  cuda_error,           // the CUDA runtime reported an error (its message is included)
  io_error,             // a file could not be read or written, or is not what it should be
};

const char* to_string(ErrorCode code) noexcept;

class Error : public std::exception {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  ErrorCode code() const noexcept { return code_; }
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  ErrorCode code_;
  std::string message_;
};

}  // namespace detnum
