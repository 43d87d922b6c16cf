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

// The same bits as to_float, without branches, for loops a compiler should vectorize: the
// exponent and fraction moved into float position read as 2^-112 times the value (a float
// subnormal when the half is), so one exact multiplication by 2^112 rebiases; Inf and NaN
// are selected apart. tests/bf16_test.cpp checks all 65536 inputs.
DETNUM_HD float to_float_branchless(fp16 h) {
  const std::uint32_t sign = std::uint32_t{h.bits & 0x8000u} << 16, magnitude = h.bits & 0x7FFFu;
  const std::uint32_t finite = bits_of(float_from_bits(magnitude << 13) * 0x1p112f);
  const std::uint32_t special = 0x7F800000u | (magnitude & 0x3FFu) << 13;
  return float_from_bits(sign | (magnitude >= 0x7C00u ? special : finite));
}

}  // namespace detnum
