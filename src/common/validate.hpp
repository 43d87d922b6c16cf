// Argument checks shared by every entry point. Each throws detnum::Error with a message of the
// form "<function>: <argument> <what was expected>, got <value>".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "detnum/error.hpp"
#include "detnum/threads.hpp"

namespace detnum::detail {

[[noreturn]] void fail(ErrorCode code, std::string_view fn, std::string_view what);

// Shortest text that reads back to the same value ("1.5", "nan", "-inf", "1e-07").
std::string format_value(float v);
std::string format_value(double v);

// 0 <= n, and n elements of elem_size bytes are addressable.
void check_size(std::string_view fn, std::string_view name, std::int64_t n, std::size_t elem_size);

// a * b + c for nonnegative operands, or -1 if it exceeds int64.
inline std::int64_t checked_mul_add(std::int64_t a, std::int64_t b, std::int64_t c) {
  std::int64_t r;
  if (__builtin_mul_overflow(a, b, &r) || __builtin_add_overflow(r, c, &r)) return -1;
  return r;
}

// p in [0, 1).
void check_probability(std::string_view fn, float p);

// offset + n <= 2^64.
void check_stream_range(std::string_view fn, std::uint64_t offset, std::int64_t n);

// ptr is not null when n > 0 elements are to be touched.
void check_not_null(std::string_view fn, std::string_view name, const void* ptr, std::int64_t n);

// The byte ranges [a, a + a_bytes) and [b, b + b_bytes) are disjoint; if allow_same, they may
// also be exactly the same range (an in-place elementwise op).
void check_no_overlap(std::string_view fn, std::string_view a_name, const void* a, std::int64_t a_bytes,
                      std::string_view b_name, const void* b, std::int64_t b_bytes, bool allow_same);

// CpuOptions checked (threads 0, the default, or 1 .. 1024; a known simd value), with the
// default thread count filled in. name: the parameter's name in the caller's signature.
CpuOptions resolve_cpu_options(std::string_view fn, CpuOptions options, std::string_view name = "options");

}  // namespace detnum::detail
