// Weight initialization on the CPU: the references (one element at a time from its own stream
// words) and the fast path (one Philox block of four elements at a time, threads over ranges of
// whole blocks; normal fills take two blocks at a time through AVX2 Box-Muller where the CPU has
// it, with the bits of detail::normal_pair).
#include <climits>
#include <cmath>
#include <limits>
#include <string>

#include "common/memory_space.hpp"
#include "common/validate.hpp"
#include "cpu/cpu_features.hpp"
#include "cpu/math_avx2.hpp"
#include "cpu/parallel.hpp"
#include "detnum/detail/init_order.hpp"
#include "detnum/init.hpp"

namespace detnum {
namespace {

void check_output(const char* fn, const void* x, std::int64_t n, std::size_t elem, InitParams p) {
  detail::check_size(fn, "n", n, elem);
  detail::check_not_null(fn, "x", x, n);
  if (n > 0) detail::check_host_accessible(fn, "x", x);
  detail::check_stream_range(fn, p.offset, n);
}

void check_uniform(const char* fn, const void* x, std::int64_t n, std::size_t elem, float lo, float hi, InitParams p) {
  check_output(fn, x, n, elem, p);
  if (!(std::isfinite(lo) && std::isfinite(hi) && lo < hi))
    detail::fail(ErrorCode::invalid_argument, fn,
                 "lo and hi must be finite with lo < hi, got lo " + detail::format_value(lo) + ", hi " + detail::format_value(hi));
  if (!std::isfinite(hi - lo))
    detail::fail(ErrorCode::invalid_argument, fn, "hi - lo must be finite in float, got " + detail::format_value(hi - lo));
}

void check_normal(const char* fn, const void* x, std::int64_t n, std::size_t elem, float mean, float stddev, InitParams p) {
  check_output(fn, x, n, elem, p);
  if (!std::isfinite(mean))
    detail::fail(ErrorCode::invalid_argument, fn, "mean must be finite, got " + detail::format_value(mean));
  if (!(std::isfinite(stddev) && stddev >= 0.0f))
    detail::fail(ErrorCode::invalid_argument, fn, "stddev must be finite and >= 0, got " + detail::format_value(stddev));
}

// A fill's optional wide step: the eight values of an even block and the next at once.
struct NoWideStep {
  static constexpr bool enabled = false;
  void operator()(const PhiloxCounter&, const PhiloxCounter&, float (&)[8]) const {}
};

// Element i takes value v[(offset + i) & 3] of its block, v from Block (detail/init_order.hpp);
// where the wide step is enabled, it takes whole pairs of blocks (an even one and the next).
template <class T, class Block, class Wide = NoWideStep>
void fill(T* x, std::int64_t n, Block block_values, InitParams p, CpuOptions opt, Wide wide = {}) {
  const PhiloxKey key = philox_key(p.seed);
  detail::parallel_ranges(n, 1 << 14, opt.threads, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end;) {
      const std::uint64_t g = p.offset + static_cast<std::uint64_t>(i);
      if (wide.enabled && (g & 7) == 0 && end - i >= 8) {
        float v[8];
        wide(stream_block(key, streams::kInit, g >> 2), stream_block(key, streams::kInit, (g >> 2) + 1), v);
        for (int w = 0; w < 8; ++w) detail::store_init(v[w], x + i + w);
        i += 8;
        continue;
      }
      float v[4];
      block_values(stream_block(key, streams::kInit, g >> 2), v);
      for (std::uint64_t w = g & 3; w < 4 && i < end; ++w, ++i) detail::store_init(v[w], x + i);
    }
  });
}

template <class T>
void uniform(const char* fn, T* x, std::int64_t n, float lo, float hi, InitParams params, CpuOptions options) {
  options = detail::resolve_cpu_options(fn, options);
  check_uniform(fn, x, n, sizeof(T), lo, hi, params);
  fill(x, n, detail::UniformBlock{lo, hi - lo}, params, options);
}

// detail::NormalBlock on blocks a and b (eight elements, four Box-Muller pairs) with AVX2 and FMA:
// normal_pair's float steps on four lanes, with the radius words' log and the angles' sinpi and
// cospi from math_avx2.hpp, and normal_value's fma.
[[gnu::target("avx2,fma")]] void normal_blocks2_avx2(const PhiloxCounter& a, const PhiloxCounter& b,
                                                    detail::NormalBlock nb, float (&v)[8]) {
  const auto word = [](std::uint32_t w) { return static_cast<int>(w); };
  const __m128i radius = _mm_setr_epi32(word(a.w[0]), word(a.w[2]), word(b.w[0]), word(b.w[2]));
  const __m128i angle = _mm_setr_epi32(word(a.w[1]), word(a.w[3]), word(b.w[1]), word(b.w[3]));
  // u1 = (word + 1/2) 2^-32 in double (the word unsigned: flip its top bit, then add 2^31 back).
  const __m256d w = _mm256_add_pd(_mm256_cvtepi32_pd(_mm_xor_si128(radius, _mm_set1_epi32(INT32_MIN))),
                                  _mm256_set1_pd(0x1p31));
  const __m128 u1 = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_add_pd(w, _mm256_set1_pd(0.5)), _mm256_set1_pd(0x1p-32)));
  const __m128 r = _mm_sqrt_ps(_mm_mul_ps(_mm_set1_ps(-2.0f), math::detail::log_normal4(u1)));  // never NaN
  const __m128 t = _mm_mul_ps(_mm_set1_ps(2.0f), _mm_mul_ps(_mm_cvtepi32_ps(_mm_srli_epi32(angle, 8)), _mm_set1_ps(0x1p-24f)));
  __m128 sin, cos;
  math::detail::sincospi4(t, sin, cos);
  const __m128 stddev = _mm_set1_ps(nb.stddev), mean = _mm_set1_ps(nb.mean);
  const __m128 even = _mm_fmadd_ps(stddev, _mm_mul_ps(r, cos), mean), odd = _mm_fmadd_ps(stddev, _mm_mul_ps(r, sin), mean);
  _mm_storeu_ps(v, _mm_unpacklo_ps(even, odd));  // block a: even, odd of its two pairs
  _mm_storeu_ps(v + 4, _mm_unpackhi_ps(even, odd));
}

struct NormalBlocks2Avx2 {
  bool enabled;
  detail::NormalBlock nb;
  void operator()(const PhiloxCounter& a, const PhiloxCounter& b, float (&v)[8]) const { normal_blocks2_avx2(a, b, nb, v); }
};

template <class T>
void normal(const char* fn, T* x, std::int64_t n, float mean, float stddev, InitParams params, CpuOptions options) {
  options = detail::resolve_cpu_options(fn, options);
  check_normal(fn, x, n, sizeof(T), mean, stddev, params);
  fill(x, n, detail::NormalBlock{mean, stddev}, params, options,
       NormalBlocks2Avx2{options.simd == CpuSimd::best && detail::cpu_has_avx2_fma(), {mean, stddev}});
}

}  // namespace

void init_uniform(float* x, std::int64_t n, float lo, float hi, InitParams params, CpuOptions options) {
  uniform("init_uniform", x, n, lo, hi, params, options);
}
void init_uniform(bf16* x, std::int64_t n, float lo, float hi, InitParams params, CpuOptions options) {
  uniform("init_uniform", x, n, lo, hi, params, options);
}
void init_normal(float* x, std::int64_t n, float mean, float stddev, InitParams params, CpuOptions options) {
  normal("init_normal", x, n, mean, stddev, params, options);
}
void init_normal(bf16* x, std::int64_t n, float mean, float stddev, InitParams params, CpuOptions options) {
  normal("init_normal", x, n, mean, stddev, params, options);
}

void ref::init_uniform(float* x, std::int64_t n, float lo, float hi, InitParams params) {
  check_uniform("ref::init_uniform", x, n, sizeof(float), lo, hi, params);
  for (std::int64_t i = 0; i < n; ++i)
    x[i] = detail::uniform_value(stream_word(params.seed, streams::kInit, params.offset + static_cast<std::uint64_t>(i)),
                                 lo, hi - lo);
}

void ref::init_normal(float* x, std::int64_t n, float mean, float stddev, InitParams params) {
  check_normal("ref::init_normal", x, n, sizeof(float), mean, stddev, params);
  for (std::int64_t i = 0; i < n; ++i) {
    const std::uint64_t g = params.offset + static_cast<std::uint64_t>(i), first = g & ~std::uint64_t{1};
    const detail::NormalPair z = detail::normal_pair(stream_word(params.seed, streams::kInit, first),
                                                     stream_word(params.seed, streams::kInit, first + 1));
    x[i] = detail::normal_value(g & 1 ? z.odd : z.even, mean, stddev);
  }
}

namespace {
void check_fan(const char* fn, const char* name, std::int64_t fan) {
  if (fan < 1) detail::fail(ErrorCode::invalid_argument, fn, std::string(name) + " must be >= 1, got " + std::to_string(fan));
}

void check_gain(const char* fn, float gain) {
  if (!(std::isfinite(gain) && gain >= 0.0f))
    detail::fail(ErrorCode::invalid_argument, fn, "gain must be finite and >= 0, got " + detail::format_value(gain));
}

// gain * sqrt(c / fan) in double, rounded once to float. fan is a double so that fan_in + fan_out
// cannot overflow; below 2^53 it is exact. A gain near FLT_MAX can take the result past it: an
// Error rather than an infinite bound, which init_uniform and init_normal would refuse anyway.
float scaled_root(const char* fn, double c, double fan, float gain) {
  const double r = static_cast<double>(gain) * std::sqrt(c / fan);
  const auto f = static_cast<float>(r);
  if (std::isinf(f))
    detail::fail(ErrorCode::invalid_argument, fn,
                 "gain " + detail::format_value(gain) + " makes the result " + detail::format_value(r) +
                     ", past the largest float");
  return f;
}
float kaiming(const char* fn, double c, std::int64_t fan_in, float gain) {
  check_fan(fn, "fan_in", fan_in);
  check_gain(fn, gain);
  return scaled_root(fn, c, static_cast<double>(fan_in), gain);
}
float xavier(const char* fn, double c, std::int64_t fan_in, std::int64_t fan_out, float gain) {
  check_fan(fn, "fan_in", fan_in);
  check_fan(fn, "fan_out", fan_out);
  check_gain(fn, gain);
  return scaled_root(fn, c, static_cast<double>(fan_in) + static_cast<double>(fan_out), gain);
}
}  // namespace

float xavier_uniform_bound(std::int64_t fan_in, std::int64_t fan_out, float gain) {
  return xavier("xavier_uniform_bound", 6.0, fan_in, fan_out, gain);
}
float kaiming_uniform_bound(std::int64_t fan_in, float gain) { return kaiming("kaiming_uniform_bound", 3.0, fan_in, gain); }
float xavier_normal_std(std::int64_t fan_in, std::int64_t fan_out, float gain) {
  return xavier("xavier_normal_std", 2.0, fan_in, fan_out, gain);
}
float kaiming_normal_std(std::int64_t fan_in, float gain) { return kaiming("kaiming_normal_std", 1.0, fan_in, gain); }

}  // namespace detnum
