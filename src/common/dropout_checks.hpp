// Argument checks shared by the CPU, reference and CUDA dropout entry points, so every backend
// refuses the same inputs with the same message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/memory_space.hpp"
#include "detnum/dropout.hpp"

namespace detnum::detail {

struct DropoutArgs {
  bool backward;          // names the arguments dy/dx instead of x/y in messages
  const void* in;         // x or dy
  const void* out;        // y or dx
  const void* mask;       // may be null unless mask_in
  bool mask_in;           // the mask is read (backward from a stored mask)
  std::int64_t n;
  std::size_t elem_size;
};

// Sizes, null pointers, p, offset + n, overlaps (out may equal in exactly), and that every
// pointer is memory the reader can touch: host memory for the CPU paths, device-accessible
// memory for CUDA.
void check_dropout(std::string_view fn, const DropoutArgs& a, float p, std::uint64_t offset, Reader reader);

inline std::int64_t mask_bytes_of(std::int64_t n) { return n / 8 + (n % 8 != 0 ? 1 : 0); }  // ceil(n / 8), any n >= 0

// Argument names as the public headers spell them.
inline const char* in_name(bool backward) { return backward ? "dy" : "x"; }
inline const char* out_name(bool backward) { return backward ? "dx" : "y"; }

}  // namespace detnum::detail
