// Fingerprints in host memory: of raw bytes, and of tensors (the XXH3-128 hash of a header with
// the dtype and shape, then the bytes; statistics from detnum's reductions for floating types).
#include "common/fingerprint_detail.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include "common/memory_space.hpp"
#include "common/validate.hpp"
#include "detnum/reduce.hpp"

namespace detnum {

std::string fingerprint_bytes(const void* data, std::size_t bytes) {
  if (data == nullptr && bytes > 0)
    detail::fail(ErrorCode::null_pointer, "fingerprint_bytes",
                 "data must not be null, got nullptr for " + std::to_string(bytes) + " bytes");
  static const char kEmpty = 0;
  return detail::hash_text(XXH3_128bits(bytes == 0 ? &kEmpty : data, bytes));
}

const char* dtype_name(Dtype d) {
  switch (d) {
    case Dtype::f32: return "float32";
    case Dtype::f64: return "float64";
    case Dtype::bf16: return "bfloat16";
    case Dtype::fp16: return "float16";
    case Dtype::i32: return "int32";
    case Dtype::i64: return "int64";
    case Dtype::u8: return "uint8";
  }
  return "?";
}

std::size_t dtype_size(Dtype d) {
  switch (d) {
    case Dtype::f32: case Dtype::i32: return 4;
    case Dtype::f64: case Dtype::i64: return 8;
    case Dtype::bf16: case Dtype::fp16: return 2;
    case Dtype::u8: return 1;
  }
  return 0;
}

namespace detail {

std::int64_t check_tensor_view(std::string_view fn, const TensorView& v) {
  if (dtype_size(v.dtype) == 0)
    fail(ErrorCode::invalid_argument, fn, "view.dtype must be a detnum::Dtype, got " + std::to_string(static_cast<int>(v.dtype)));
  bool empty = false;
  for (std::size_t d = 0; d < v.shape.size(); ++d) {
    if (v.shape[d] < 0)
      fail(ErrorCode::size_out_of_range, fn,
           "view.shape[" + std::to_string(d) + "] must be >= 0, got " + std::to_string(v.shape[d]));
    empty = empty || v.shape[d] == 0;
  }
  std::int64_t n = empty ? 0 : 1;  // a zero anywhere: no elements, however large the other sizes
  for (std::size_t d = 0; d < v.shape.size() && n > 0; ++d) {
    n = checked_mul_add(n, v.shape[d], 0);
    if (n < 0)
      fail(ErrorCode::size_out_of_range, fn, "the element count of view.shape exceeds 2^63 at view.shape[" + std::to_string(d) + "]");
  }
  check_size(fn, "the element count of view.shape", n, dtype_size(v.dtype));
  check_not_null(fn, "view.data", v.data, n);
  return n;
}

namespace {
void put_le64(XXH3_state_t* state, std::int64_t v) {
  unsigned char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(static_cast<std::uint64_t>(v) >> (8 * i));
  XXH3_128bits_update(state, b, sizeof b);
}
}  // namespace

void start_hash(XXH3_state_t* state, const TensorView& v) {
  XXH3_128bits_reset(state);
  static constexpr char kMagic[] = "detnum-tensor";  // with its NUL
  XXH3_128bits_update(state, kMagic, sizeof kMagic);
  const char* name = dtype_name(v.dtype);
  XXH3_128bits_update(state, name, std::strlen(name) + 1);
  put_le64(state, static_cast<std::int64_t>(v.shape.size()));
  for (const std::int64_t d : v.shape) put_le64(state, d);
}

std::string finish_hash(XXH3_state_t* state) { return hash_text(XXH3_128bits_digest(state)); }

std::string hash_text(XXH128_hash_t h) {
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, h);  // big-endian: high 64 bits first
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "xxh3:";
  for (const unsigned char byte : c.digest) {
    out += kHex[byte >> 4];
    out += kHex[byte & 0xF];
  }
  return out;
}

void IntegerStats::add(Dtype dtype, const void* data, std::int64_t n) {
  const auto each = [&](auto type) {
    using T = decltype(type);
    const T* x = static_cast<const T*>(data);
    for (std::int64_t i = 0; i < n; ++i) {
      const double v = static_cast<double>(x[i]);
      if (s.count == 0 || v < s.min) s.min = v;
      if (s.count == 0 || v > s.max) s.max = v;
      sum += x[i];
      squares += v * v;
      ++s.count;
    }
  };
  if (dtype == Dtype::i32) each(std::int32_t{});
  else if (dtype == Dtype::i64) each(std::int64_t{});
  else each(std::uint8_t{});
}

TensorStats IntegerStats::finish() {
  TensorStats r = s;
  if (r.count == 0) r.min = r.max = std::numeric_limits<double>::quiet_NaN();
  r.sum = static_cast<double>(sum);  // one rounding of the exact sum
  r.l2 = std::sqrt(squares);
  return r;
}

}  // namespace detail

namespace {

template <class T>
TensorStats float_stats(const T* x, std::int64_t n, CpuOptions o) {
  TensorStats s;
  s.count = n;
  for (std::int64_t i = 0; i < n; ++i) {
    const auto v = detail::widen(x[i]);
    s.nans += v != v ? 1 : 0;
    s.infs += std::isinf(v) ? 1 : 0;
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  s.min = n == 0 ? nan : static_cast<double>(min(x, n, o));
  s.max = n == 0 ? nan : static_cast<double>(max(x, n, o));
  s.sum = static_cast<double>(sum(x, n, o));
  s.l2 = static_cast<double>(nrm2(x, n, o));
  return s;
}

}  // namespace

Fingerprint fingerprint(const TensorView& view, CpuOptions options) {
  constexpr const char* fn = "fingerprint";
  options = detail::resolve_cpu_options(fn, options);
  const std::int64_t n = detail::check_tensor_view(fn, view);
  if (n > 0) detail::check_host_accessible(fn, "view.data", view.data);
  const detail::HashState state;
  detail::start_hash(state.get(), view);
  XXH3_128bits_update(state.get(), n == 0 ? "" : view.data, static_cast<std::size_t>(n) * dtype_size(view.dtype));
  Fingerprint f{detail::finish_hash(state.get()), view.dtype, view.shape, {}};
  switch (view.dtype) {
    case Dtype::f32: f.stats = float_stats(static_cast<const float*>(view.data), n, options); break;
    case Dtype::f64: f.stats = float_stats(static_cast<const double*>(view.data), n, options); break;
    case Dtype::bf16: f.stats = float_stats(static_cast<const bf16*>(view.data), n, options); break;
    case Dtype::fp16: f.stats = float_stats(static_cast<const fp16*>(view.data), n, options); break;
    default: {
      detail::IntegerStats s;
      s.add(view.dtype, view.data, n);
      f.stats = s.finish();
    }
  }
  return f;
}

}  // namespace detnum
