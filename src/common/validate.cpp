#include "common/validate.hpp"

#include <charconv>
#include <cmath>
#include <limits>


namespace detnum::detail {

void fail(ErrorCode code, std::string_view fn, std::string_view what) {
  std::string msg(fn);
  msg += ": ";
  msg += what;
  throw Error(code, std::move(msg));
}

// The shortest text that reads back as v (so the message shows the value the caller passed).
template <class F>
std::string shortest(F v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}
std::string format_value(float v) { return shortest(v); }
std::string format_value(double v) { return shortest(v); }

void check_size(std::string_view fn, std::string_view name, std::int64_t n, std::size_t elem_size) {
  if (n < 0)
    fail(ErrorCode::size_out_of_range, fn, std::string(name) + " must be >= 0, got " + std::to_string(n));
  const auto max_elems = static_cast<std::uint64_t>(std::numeric_limits<std::ptrdiff_t>::max()) / elem_size;
  if (static_cast<std::uint64_t>(n) > max_elems)
    fail(ErrorCode::size_out_of_range, fn,
         std::string(name) + " must be at most " + std::to_string(max_elems) + " (bytes must fit in ptrdiff_t), got " +
             std::to_string(n));
}

void check_probability(std::string_view fn, float p) {
  if (!(p >= 0.0f && p < 1.0f))
    fail(ErrorCode::invalid_argument, fn, "p must be in [0, 1), got " + format_value(p));
}

void check_stream_range(std::string_view fn, std::uint64_t offset, std::int64_t n) {
  // The last index used is offset + n - 1, which must fit in 64 bits.
  if (n > 0 && offset > std::numeric_limits<std::uint64_t>::max() - static_cast<std::uint64_t>(n - 1))
    fail(ErrorCode::size_out_of_range, fn,
         "offset + n must not exceed 2^64, got offset " + std::to_string(offset) + " and n " + std::to_string(n));
}

void check_not_null(std::string_view fn, std::string_view name, const void* ptr, std::int64_t n) {
  if (ptr == nullptr && n > 0)
    fail(ErrorCode::null_pointer, fn,
         std::string(name) + " must not be null, got nullptr for " + std::to_string(n) + (n == 1 ? " element" : " elements"));
}

void check_no_overlap(std::string_view fn, std::string_view a_name, const void* a, std::int64_t a_bytes,
                      std::string_view b_name, const void* b, std::int64_t b_bytes, bool allow_same) {
  if (a_bytes <= 0 || b_bytes <= 0) return;
  const auto a0 = reinterpret_cast<std::uintptr_t>(a), b0 = reinterpret_cast<std::uintptr_t>(b);
  if (allow_same && a0 == b0 && a_bytes == b_bytes) return;
  if (a0 < b0 + static_cast<std::uintptr_t>(b_bytes) && b0 < a0 + static_cast<std::uintptr_t>(a_bytes))
    fail(ErrorCode::unsupported_aliasing, fn,
         std::string(a_name) + " and " + std::string(b_name) + " must not overlap" +
             (allow_same ? " (except exactly, in place)" : "") + ", got " + std::string(a_name) + " = " +
             std::to_string(a0) + " (" + std::to_string(a_bytes) + " bytes) and " + std::string(b_name) + " = " +
             std::to_string(b0) + " (" + std::to_string(b_bytes) + " bytes)");
}

CpuOptions resolve_cpu_options(std::string_view fn, CpuOptions options, std::string_view name) {
  if (options.threads < 0 || options.threads > 1024)
    fail(ErrorCode::invalid_argument, fn,
         std::string(name) + ".threads must be 0 (default) or 1 .. 1024, got " + std::to_string(options.threads));
  if (options.simd != CpuSimd::best && options.simd != CpuSimd::portable)
    fail(ErrorCode::invalid_argument, fn,
         std::string(name) + ".simd must be CpuSimd::best or CpuSimd::portable, got " +
             std::to_string(static_cast<int>(options.simd)));
  if (options.threads == 0) options.threads = default_threads();
  return options;
}

}  // namespace detnum::detail
