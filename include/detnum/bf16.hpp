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
    // Below 2^-126 bf16 is fixed point with spacing 2^-133: round |d| * 2^133 to an integer
    // in [0, 128] (128 is the smallest normal, whose bits are the same integer). Integer
    // arithmetic only, so that no compiler setting can change it.
    const int e = static_cast<int>(mag >> 52);  // biased exponent; 0 for double subnormals
    const std::uint64_t m = (mag & 0x000FFFFFFFFFFFFFull) | (e ? 0x0010000000000000ull : 0);
    const int shift = 1075 - 133 - (e ? e : 1);  // |d| * 2^133 = m * 2^-shift, shift >= 46
    if (shift > 63) return bf16{sign};            // |d| * 2^133 < 2^-11: rounds to 0
    const std::uint64_t q = m >> shift, rest = m & ((std::uint64_t{1} << shift) - 1);
    const std::uint64_t half = std::uint64_t{1} << (shift - 1);
    const std::uint64_t r = q + (rest > half || (rest == half && (q & 1)) ? 1 : 0);
    return bf16{static_cast<std::uint16_t>(sign | r)};
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
