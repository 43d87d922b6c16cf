// The fast CPU path for dropout. Elements go in batches of 128 (16 mask bytes): the batch's keep
// bits come from its 32 Philox blocks (each computed once, where the reference calls Philox per
// element) or from the stored mask, then the values are written, then the mask bytes. With AVX2
// (dropout_avx2.cpp) a batch is a few dozen vector instructions; the portable code below gives
// the same bits. Threads take contiguous ranges cut at batch boundaries, so no two threads write
// the same mask byte, and which thread takes which range never changes a bit.
#include <algorithm>
#include <cstring>
#include <type_traits>

#include "common/dropout_checks.hpp"
#include "common/validate.hpp"
#include "cpu/dropout_avx2.hpp"
#include "cpu/parallel.hpp"
#include "detnum/detail/dropout_order.hpp"
#include "detnum/dropout.hpp"

namespace detnum {
namespace {

using detail::kDropoutBatch;
constexpr std::int64_t kGrain = 32 * kDropoutBatch;  // elements per thread range unit; small n stays on one thread
constexpr std::int64_t kMaskBytes = kDropoutBatch / 8;

enum class Mask { none, write, read };

// Portable keep bits for `count` <= 128 elements whose stream words start at g0 (bits past
// count stay 0): Philox 16 blocks at a time through the lane-parallel generator.
void keep_bits_portable(const detail::DropoutSpec& spec, std::uint64_t g0, std::int64_t count, std::uint8_t* keep) {
  constexpr int kLanes = 16;
  std::uint32_t words[4 * 48];  // up to 33 blocks, computed 16 at a time
  const std::uint64_t first = g0 >> 2;
  const std::int64_t shift = static_cast<std::int64_t>(g0 & 3), blocks = (shift + count + 3) / 4;
  for (std::int64_t b = 0; b < blocks; b += kLanes) {
    PhiloxLanes<kLanes> lanes;
    stream_blocks(spec.key, streams::kDropout, first + static_cast<std::uint64_t>(b), lanes);
    for (int l = 0; l < kLanes; ++l)
      for (int j = 0; j < 4; ++j) words[4 * (b + l) + j] = lanes.w[j][l];
  }
  for (std::int64_t j = 0; j < count; ++j)
    if (detail::dropout_keeps(words[shift + j], spec.threshold)) keep[j / 8] = static_cast<std::uint8_t>(keep[j / 8] | 1u << (j % 8));
}

template <class T>
void apply_portable(const T* in, T* out, const std::uint8_t* keep, std::int64_t count, float scale) {
  for (std::int64_t j = 0; j < count; ++j) {
    const T kept = detail::dropout_value(in[j], scale);  // unconditionally: a select, not a branch
    out[j] = (keep[j / 8] >> (j % 8)) & 1u ? kept : T{};
  }
}

// Elements [begin, end), begin a multiple of 128, in batches of 128: the keep bits of a batch
// (from the stream, or read from the mask), then the values, then the mask bytes.
template <class T, Mask kMask>
void dropout_range(const T* in, T* out, const std::uint8_t* mask_in, std::uint8_t* mask_out, std::int64_t begin,
                   std::int64_t end, const detail::DropoutSpec& spec, bool avx2) {
  for (std::int64_t i = begin; i < end; i += kDropoutBatch) {
    const std::int64_t count = std::min(kDropoutBatch, end - i);
    const bool full = count == kDropoutBatch;
    const auto bytes = static_cast<std::size_t>((count + 7) / 8);
    std::uint8_t keep[kMaskBytes] = {};
    if constexpr (kMask == Mask::read) std::memcpy(keep, mask_in + i / 8, bytes);
    else if (avx2 && full) detail::dropout_keep_bits_avx2(spec.key, spec.offset + static_cast<std::uint64_t>(i), spec.threshold, keep);
    else keep_bits_portable(spec, spec.offset + static_cast<std::uint64_t>(i), count, keep);

    if (std::is_same_v<T, float> && avx2 && full)
      detail::dropout_apply_f32_avx2(reinterpret_cast<const float*>(in + i), reinterpret_cast<float*>(out + i), keep, spec.scale);
    else apply_portable(in + i, out + i, keep, count, spec.scale);

    if constexpr (kMask == Mask::write) std::memcpy(mask_out + i / 8, keep, bytes);
  }
}

template <class T, Mask kMask>
void run(const T* in, T* out, const std::uint8_t* mask_in, std::uint8_t* mask_out, std::int64_t n,
         const detail::DropoutSpec& spec, CpuOptions opt) {
  const bool avx2 = detail::use_avx2(opt);
  detail::parallel_ranges(n, kGrain, opt.threads, [&](std::int64_t begin, std::int64_t end) {
    dropout_range<T, kMask>(in, out, mask_in, mask_out, begin, end, spec, avx2);
  });
}

template <class T>
void forward(const T* x, T* y, std::int64_t n, const DropoutParams& params, std::uint8_t* mask, CpuOptions opt) {
  constexpr const char* fn = "dropout_forward";
  opt = detail::resolve_cpu_options(fn, opt);
  detail::check_dropout(fn, {false, x, y, mask, false, n, sizeof(T)}, params.p, params.offset, detail::kHostReader);
  const auto spec = detail::make_dropout_spec(params);
  if (mask) run<T, Mask::write>(x, y, nullptr, mask, n, spec, opt);
  else run<T, Mask::none>(x, y, nullptr, nullptr, n, spec, opt);
}

template <class T>
void backward_recompute(const T* dy, T* dx, std::int64_t n, const DropoutParams& params, CpuOptions opt) {
  constexpr const char* fn = "dropout_backward";
  opt = detail::resolve_cpu_options(fn, opt);
  detail::check_dropout(fn, {true, dy, dx, nullptr, false, n, sizeof(T)}, params.p, params.offset, detail::kHostReader);
  run<T, Mask::none>(dy, dx, nullptr, nullptr, n, detail::make_dropout_spec(params), opt);
}

template <class T>
void backward_mask(const T* dy, const std::uint8_t* mask, T* dx, std::int64_t n, float p, CpuOptions opt) {
  constexpr const char* fn = "dropout_backward";
  opt = detail::resolve_cpu_options(fn, opt);
  detail::check_dropout(fn, {true, dy, dx, mask, true, n, sizeof(T)}, p, 0, detail::kHostReader);
  const detail::DropoutSpec spec{{}, 0, 0, detail::dropout_scale(p)};
  run<T, Mask::read>(dy, dx, mask, nullptr, n, spec, opt);
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
