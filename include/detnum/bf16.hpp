// bfloat16 as its raw 16 bits (the layout of CUDA's __nv_bfloat16, so device buffers of either
// type can be reinterpreted), with the two conversions detnum defines exactly.
#pragma once

#include <cstdint>

#include "detnum/hd.hpp"

namespace detnum {

struct bf16 {
  std::uint16_t bits;
};
static_assert(sizeof(bf16) == 2);

// Exact: a bf16 is the top half of a float.
DETNUM_HD float to_float(bf16 x) { return float_from_bits(std::uint32_t{x.bits} << 16); }

// d rounded once to bf16, to nearest with ties to even, including bf16's subnormals
// (multiples of 2^-133); values at or above 2^128 - 2^119 (the midpoint above the largest
// finite bf16) become infinity; every NaN becomes the canonical NaN 0x7FC0.
DETNUM_HD bf16 bf16_from_double(double d) {
  const std::uint64_t u = bits_of(d);
  const std::uint16_t sign = static_cast<std::uint16_t>((u >> 48) & 0x8000u);
  const std::uint64_t mag = u & 0x7FFFFFFFFFFFFFFFull;
  if (mag > 0x7FF0000000000000ull) return bf16{kCanonicalNanBf16};
  if (mag < 0x3810000000000000ull) {
    // Below 2^-126: bf16 spacing is 2^-133, so scale to an integer in [0, 128] (exact) and round
    // it with the 2^52 trick, which rounds to nearest-even for 0 <= q < 2^52.
    const double q = (d < 0 ? -d : d) * 0x1p133;
    const double r = (q + 0x1p52) - 0x1p52;
    return bf16{static_cast<std::uint16_t>(sign | static_cast<std::uint16_t>(r))};
  }
  // Normal range: keep 7 of the 52 fraction bits, rounding on the discarded 45 with ties to
  // even; a carry out of the fraction moves into the exponent as it should.
  const std::uint64_t rounded = mag + 0x00000FFFFFFFFFFFull + ((mag >> 45) & 1u);
  const std::uint64_t top = rounded >> 45;               // double exponent and 7 fraction bits
  const std::uint64_t rebias = std::uint64_t{1023 - 127} << 7;
  std::uint64_t b = top - rebias;
  if (b >= 0x7F80u) b = 0x7F80u;                          // overflow (or infinity) -> infinity
  return bf16{static_cast<std::uint16_t>(sign | b)};
}

// Exact in double for every float, then rounded once.
DETNUM_HD bf16 bf16_from_float(float f) { return bf16_from_double(static_cast<double>(f)); }

}  // namespace detnum
