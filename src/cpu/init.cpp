// Weight initialization on the CPU: the reference (one stream word per element) and the fast path
// (four words per Philox block, threads over ranges of whole blocks).
#include <cmath>
#include <limits>
#include <string>

#include "common/memory_space.hpp"
#include "common/validate.hpp"
#include "cpu/parallel.hpp"
#include "detnum/detail/init_order.hpp"
#include "detnum/init.hpp"

namespace detnum {
namespace {

void check(const char* fn, const void* x, std::int64_t n, std::size_t elem, float lo, float hi, InitParams p) {
  detail::check_size(fn, "n", n, elem);
  detail::check_not_null(fn, "x", x, n);
  if (n > 0) detail::check_host_accessible(fn, "x", x);
  if (!(std::isfinite(lo) && std::isfinite(hi) && lo < hi))
    detail::fail(ErrorCode::invalid_argument, fn,
                 "lo and hi must be finite with lo < hi, got lo " + detail::format_value(lo) + ", hi " + detail::format_value(hi));
  if (!std::isfinite(hi - lo))
    detail::fail(ErrorCode::invalid_argument, fn, "hi - lo must be finite in float, got " + detail::format_value(hi - lo));
  detail::check_stream_range(fn, p.offset, n);
}

template <class T>
void fill(T* x, std::int64_t n, float lo, float hi, InitParams p, CpuOptions opt) {
  const float width = hi - lo;
  const PhiloxKey key = philox_key(p.seed);
  detail::parallel_ranges(n, 1 << 14, opt.threads, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end;) {
      const std::uint64_t g = p.offset + static_cast<std::uint64_t>(i);
      const PhiloxCounter block = stream_block(key, streams::kInit, g >> 2);
      for (std::uint64_t w = g & 3; w < 4 && i < end; ++w, ++i) detail::store_init(detail::uniform_value(block.w[w], lo, width), x + i);
    }
  });
}

}  // namespace

void init_uniform(float* x, std::int64_t n, float lo, float hi, InitParams params, CpuOptions options) {
  options = detail::resolve_cpu_options("init_uniform", options);
  check("init_uniform", x, n, sizeof(float), lo, hi, params);
  fill(x, n, lo, hi, params, options);
}

void init_uniform(bf16* x, std::int64_t n, float lo, float hi, InitParams params, CpuOptions options) {
  options = detail::resolve_cpu_options("init_uniform", options);
  check("init_uniform", x, n, sizeof(bf16), lo, hi, params);
  fill(x, n, lo, hi, params, options);
}

void ref::init_uniform(float* x, std::int64_t n, float lo, float hi, InitParams params) {
  check("ref::init_uniform", x, n, sizeof(float), lo, hi, params);
  for (std::int64_t i = 0; i < n; ++i)
    x[i] = detail::uniform_value(stream_word(params.seed, streams::kInit, params.offset + static_cast<std::uint64_t>(i)),
                                 lo, hi - lo);
}

namespace {
void check_fan(const char* fn, const char* name, std::int64_t fan) {
  if (fan < 1) detail::fail(ErrorCode::invalid_argument, fn, std::string(name) + " must be >= 1, got " + std::to_string(fan));
}
}  // namespace

float xavier_uniform_bound(std::int64_t fan_in, std::int64_t fan_out, float gain) {
  check_fan("xavier_uniform_bound", "fan_in", fan_in);
  check_fan("xavier_uniform_bound", "fan_out", fan_out);
  return static_cast<float>(static_cast<double>(gain) * std::sqrt(6.0 / static_cast<double>(fan_in + fan_out)));
}

float kaiming_uniform_bound(std::int64_t fan_in, float gain) {
  check_fan("kaiming_uniform_bound", "fan_in", fan_in);
  return static_cast<float>(static_cast<double>(gain) * std::sqrt(3.0 / static_cast<double>(fan_in)));
}

}  // namespace detnum
