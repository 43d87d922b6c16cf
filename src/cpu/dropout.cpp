// The fast CPU path for dropout. Elements are processed in batches of 64: the Philox blocks
// covering a batch are computed once each (four words per call, where the reference calls
// Philox per element), then each group of 8 elements becomes one mask byte. Threads take
// contiguous ranges cut at batch boundaries, so no two threads write the same mask byte; which
// thread takes which range never changes a bit.
#include <algorithm>
#include <cstring>

#include "common/dropout_checks.hpp"
#include "common/validate.hpp"
#include "cpu/parallel.hpp"
#include "cpu/stream_words.hpp"
#include "detnum/detail/dropout_order.hpp"
#include "detnum/dropout.hpp"

namespace detnum {
namespace {

constexpr std::int64_t kBatch = 4 * detail::kStreamBatchBlocks;  // 64 elements: 8 mask bytes
constexpr std::int64_t kGrain = 64 * kBatch; // elements per thread range unit; small n stays on one thread

enum class Mask { none, write, read };

// Words g0 .. g0 + count - 1 of the dropout stream, count <= kBatch; returns a pointer into buf,
// which holds 4 * 17 words.
const std::uint32_t* stream_words(PhiloxKey key, std::uint64_t g0, std::int64_t count, std::uint32_t* buf) {
  const std::uint64_t first_block = g0 >> 2;
  const auto skip = static_cast<std::int64_t>(g0 & 3);
  detail::stream_words_x16(key, streams::kDropout, first_block, buf);
  if (skip + count > 4 * detail::kStreamBatchBlocks) {  // an unaligned batch reaches into a 17th block
    const PhiloxCounter c = stream_block(key, streams::kDropout, first_block + detail::kStreamBatchBlocks);
    std::memcpy(buf + 4 * detail::kStreamBatchBlocks, c.w, sizeof c.w);
  }
  return buf + skip;
}

// Bit j of the result is byte j of v (each byte 0 or 1): the eight products land in distinct
// bits of the top byte, so nothing carries.
inline unsigned pack_bits8(const std::uint8_t* keep) {
  std::uint64_t v;
  std::memcpy(&v, keep, sizeof v);
  return static_cast<unsigned>((v * 0x0102040810204080ull) >> 56);
}

// One batch of `count` elements starting at element i (a multiple of 8). Written as separate
// loops over the batch (keep flags, values, mask bytes) so that each one vectorizes; kFull
// fixes the trip count at kBatch for the common case.
template <class T, Mask kMask, bool kFull>
void dropout_batch(const T* in, T* out, const std::uint8_t* mask_in, std::uint8_t* mask_out, std::int64_t i,
                   std::int64_t count, const detail::DropoutSpec& spec) {
  if constexpr (kFull) count = kBatch;
  alignas(64) std::uint8_t keep[kBatch] = {};
  if constexpr (kMask == Mask::read) {
    for (std::int64_t j = 0; j < count; ++j) keep[j] = (mask_in[(i + j) / 8] >> (j % 8)) & 1u;
  } else {
    alignas(64) std::uint32_t buf[kBatch + 4];
    const std::uint32_t* words = stream_words(spec.key, spec.offset + static_cast<std::uint64_t>(i), count, buf);
    for (std::int64_t j = 0; j < count; ++j) keep[j] = detail::dropout_keeps(words[j], spec.threshold);
  }
  for (std::int64_t j = 0; j < count; ++j) {
    const T kept = detail::dropout_value(in[i + j], spec.scale);  // unconditionally: a select, not a branch
    out[i + j] = keep[j] ? kept : T{};
  }
  if constexpr (kMask == Mask::write)
    for (std::int64_t b = 0; b < (count + 7) / 8; ++b) mask_out[i / 8 + b] = static_cast<std::uint8_t>(pack_bits8(keep + 8 * b));
}

template <class T, Mask kMask>
void dropout_range(const T* in, T* out, const std::uint8_t* mask_in, std::uint8_t* mask_out, std::int64_t begin,
                   std::int64_t end, const detail::DropoutSpec& spec) {
  std::int64_t i = begin;
  for (; i + kBatch <= end; i += kBatch) dropout_batch<T, kMask, true>(in, out, mask_in, mask_out, i, kBatch, spec);
  if (i < end) dropout_batch<T, kMask, false>(in, out, mask_in, mask_out, i, end - i, spec);
}

template <class T, Mask kMask>
void run(const T* in, T* out, const std::uint8_t* mask_in, std::uint8_t* mask_out, std::int64_t n,
         const detail::DropoutSpec& spec, int threads) {
  detail::parallel_ranges(n, kGrain, threads, [&](std::int64_t begin, std::int64_t end) {
    dropout_range<T, kMask>(in, out, mask_in, mask_out, begin, end, spec);
  });
}

template <class T>
void forward(const T* x, T* y, std::int64_t n, const DropoutParams& params, std::uint8_t* mask, CpuOptions opt) {
  constexpr const char* fn = "dropout_forward";
  const int threads = detail::resolve_threads(fn, opt.threads);
  detail::check_dropout_host(fn, {false, x, y, mask, false, n, sizeof(T)}, params.p, params.offset);
  const auto spec = detail::make_dropout_spec(params);
  if (mask) run<T, Mask::write>(x, y, nullptr, mask, n, spec, threads);
  else run<T, Mask::none>(x, y, nullptr, nullptr, n, spec, threads);
}

template <class T>
void backward_recompute(const T* dy, T* dx, std::int64_t n, const DropoutParams& params, CpuOptions opt) {
  constexpr const char* fn = "dropout_backward";
  const int threads = detail::resolve_threads(fn, opt.threads);
  detail::check_dropout_host(fn, {true, dy, dx, nullptr, false, n, sizeof(T)}, params.p, params.offset);
  run<T, Mask::none>(dy, dx, nullptr, nullptr, n, detail::make_dropout_spec(params), threads);
}

template <class T>
void backward_mask(const T* dy, const std::uint8_t* mask, T* dx, std::int64_t n, float p, CpuOptions opt) {
  constexpr const char* fn = "dropout_backward";
  const int threads = detail::resolve_threads(fn, opt.threads);
  detail::check_dropout_host(fn, {true, dy, dx, mask, true, n, sizeof(T)}, p, 0);
  const detail::DropoutSpec spec{{}, 0, 0, detail::dropout_scale(p)};
  run<T, Mask::read>(dy, dx, mask, nullptr, n, spec, threads);
}

template <class T>
void forward_span(std::span<const T> x, std::span<T> y, const DropoutParams& params, std::span<std::uint8_t> mask,
                  CpuOptions opt) {
  constexpr const char* fn = "dropout_forward";
  const auto n = static_cast<std::int64_t>(x.size());
  if (y.size() != x.size())
    detail::fail(ErrorCode::invalid_argument, fn,
                 "y.size() must equal x.size() = " + std::to_string(n) + ", got " + std::to_string(y.size()));
  if (!mask.empty() && static_cast<std::int64_t>(mask.size()) < detail::mask_bytes_of(n))
    detail::fail(ErrorCode::invalid_argument, fn,
                 "mask.size() must be 0 or at least ceil(n / 8) = " + std::to_string(detail::mask_bytes_of(n)) +
                     ", got " + std::to_string(mask.size()));
  forward(x.data(), y.data(), n, params, mask.empty() ? nullptr : mask.data(), opt);
}

}  // namespace

void dropout_forward(const float* x, float* y, std::int64_t n, const DropoutParams& params, std::uint8_t* mask,
                     CpuOptions options) {
  forward(x, y, n, params, mask, options);
}
void dropout_forward(const bf16* x, bf16* y, std::int64_t n, const DropoutParams& params, std::uint8_t* mask,
                     CpuOptions options) {
  forward(x, y, n, params, mask, options);
}
void dropout_backward(const float* dy, const std::uint8_t* mask, float* dx, std::int64_t n, float p,
                      CpuOptions options) {
  backward_mask(dy, mask, dx, n, p, options);
}
void dropout_backward(const bf16* dy, const std::uint8_t* mask, bf16* dx, std::int64_t n, float p,
                      CpuOptions options) {
  backward_mask(dy, mask, dx, n, p, options);
}
void dropout_backward(const float* dy, float* dx, std::int64_t n, const DropoutParams& params, CpuOptions options) {
  backward_recompute(dy, dx, n, params, options);
}
void dropout_backward(const bf16* dy, bf16* dx, std::int64_t n, const DropoutParams& params, CpuOptions options) {
  backward_recompute(dy, dx, n, params, options);
}
void dropout_forward(std::span<const float> x, std::span<float> y, const DropoutParams& params,
                     std::span<std::uint8_t> mask, CpuOptions options) {
  forward_span(x, y, params, mask, options);
}
void dropout_forward(std::span<const bf16> x, std::span<bf16> y, const DropoutParams& params,
                     std::span<std::uint8_t> mask, CpuOptions options) {
  forward_span(x, y, params, mask, options);
}

}  // namespace detnum
