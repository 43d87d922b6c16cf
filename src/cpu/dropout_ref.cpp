// The scalar reference for dropout: docs/DETERMINISM.md's definition as a plain loop, one
// Philox call per element. Everything else is tested against this, bit for bit.
#include <cstring>

#include "common/dropout_checks.hpp"
#include "detnum/detail/dropout_order.hpp"
#include "detnum/dropout.hpp"

namespace detnum::ref {
namespace {

template <class T>
void forward(const T* x, T* y, std::int64_t n, const DropoutParams& params, std::uint8_t* mask) {
  detail::check_dropout("ref::dropout_forward", {false, x, y, mask, false, n, sizeof(T)}, params.p, params.offset,
                        detail::kHostReader);
  const detail::DropoutSpec spec = detail::make_dropout_spec(params);
  if (mask) std::memset(mask, 0, static_cast<std::size_t>(detail::mask_bytes_of(n)));
  for (std::int64_t i = 0; i < n; ++i) {
    const std::uint32_t word = stream_word(params.seed, streams::kDropout, params.offset + static_cast<std::uint64_t>(i));
    const bool keep = detail::dropout_keeps(word, spec.threshold);
    y[i] = keep ? detail::dropout_value(x[i], spec.scale) : T{};
    if (mask && keep) mask[i / 8] = static_cast<std::uint8_t>(mask[i / 8] | (1u << (i % 8)));
  }
}

template <class T>
void backward(const T* dy, const std::uint8_t* mask, T* dx, std::int64_t n, float p) {
  detail::check_dropout("ref::dropout_backward", {true, dy, dx, mask, true, n, sizeof(T)}, p, 0, detail::kHostReader);
  const float scale = detail::dropout_scale(p);
  for (std::int64_t i = 0; i < n; ++i) {
    const bool keep = (mask[i / 8] >> (i % 8)) & 1u;
    dx[i] = keep ? detail::dropout_value(dy[i], scale) : T{};
  }
}

}  // namespace

void dropout_forward(const float* x, float* y, std::int64_t n, const DropoutParams& params, std::uint8_t* mask) {
  forward(x, y, n, params, mask);
}
void dropout_forward(const bf16* x, bf16* y, std::int64_t n, const DropoutParams& params, std::uint8_t* mask) {
  forward(x, y, n, params, mask);
}
void dropout_backward(const float* dy, const std::uint8_t* mask, float* dx, std::int64_t n, float p) {
  backward(dy, mask, dx, n, p);
}
void dropout_backward(const bf16* dy, const std::uint8_t* mask, bf16* dx, std::int64_t n, float p) {
  backward(dy, mask, dx, n, p);
}

}  // namespace detnum::ref
