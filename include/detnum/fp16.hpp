// IEEE binary16 as its raw 16 bits (the layout of CUDA's __half), widened exactly to float.
#pragma once

#include <cstdint>

#include "detnum/hd.hpp"

namespace detnum {

struct fp16 {
  std::uint16_t bits;
};
static_assert(sizeof(fp16) == 2);

// Exact: every binary16 value, subnormals included, is a float. NaN payloads are kept (a
// reduction canonicalizes its result, not its inputs).
DETNUM_HD float to_float(fp16 h) {
  const std::uint32_t sign = std::uint32_t{h.bits & 0x8000u} << 16;
  const std::uint32_t exp = (h.bits >> 10) & 0x1Fu, frac = h.bits & 0x3FFu;
  if (exp == 0x1F) return float_from_bits(sign | 0x7F800000u | frac << 13);  // Inf, NaN
  if (exp != 0) return float_from_bits(sign | (exp + 112) << 23 | frac << 13);  // normal: rebias 15 -> 127
  // Subnormal: frac * 2^-24, exact in float (an integer below 2^10 times a power of two).
  const float magnitude = static_cast<float>(frac) * 0x1p-24f;
  return float_from_bits(sign | bits_of(magnitude));
}

}  // namespace detnum
