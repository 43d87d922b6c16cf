// The pieces of dropout's definition that every backend shares: the keep decision and the
// kept value. The reference, the fast CPU path and the CUDA kernels call these and nothing else
// to decide bits, so there is one definition of the order.
#pragma once

#include <cstdint>

#include "detnum/bf16.hpp"
#include "detnum/dropout.hpp"
#include "detnum/detail/ieee_only.hpp"
#include "detnum/hd.hpp"
#include "detnum/random.hpp"

namespace detnum::detail {

// Everything a kernel needs, derived once on the host from validated DropoutParams.
struct DropoutSpec {
  PhiloxKey key;
  std::uint64_t offset;    // stream index of element 0
  std::uint32_t threshold; // drop when the word is below it: floor(p * 2^32)
  float scale;             // 1 / (1 - p) in float
};

inline float dropout_scale(float p) { return 1.0f / (1.0f - p); }

inline DropoutSpec make_dropout_spec(const DropoutParams& params) {
  // p * 2^32 is exact in double and below 2^32 for p < 1, so the conversion is floor().
  const auto threshold = static_cast<std::uint32_t>(static_cast<double>(params.p) * 0x1p32);
  return DropoutSpec{philox_key(params.seed), params.offset, threshold, dropout_scale(params.p)};
}

DETNUM_HD bool dropout_keeps(std::uint32_t word, std::uint32_t threshold) { return word >= threshold; }

// The kept value: x * scale rounded once.
DETNUM_HD float dropout_value(float x, float scale) { return canonicalize(x * scale); }
DETNUM_HD bf16 dropout_value(bf16 x, float scale) {
  // 8 x 24 significant bits: the product is exact in double; bf16_from_double rounds it once.
  return bf16_from_double(static_cast<double>(to_float(x)) * static_cast<double>(scale));
}

}  // namespace detnum::detail
