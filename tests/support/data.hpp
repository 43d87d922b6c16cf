// Seeded test inputs, made with detnum's own Philox stream so they are the same everywhere:
// mixed magnitudes with special values (+-0, +-Inf, NaNs with payloads, subnormals, values near
// FLT_MAX) sprinkled in.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "detnum/bf16.hpp"
#include "detnum/random.hpp"

namespace detnum::test {

inline std::vector<float> random_floats(std::int64_t n, std::uint64_t seed) {
  constexpr std::uint64_t kStream = 0x7E57;  // a stream of its own, apart from the ops'
  const float specials[] = {0.0f, -0.0f, std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(), float_from_bits(0x7FC00000u),
                            float_from_bits(0xFFC12345u), float_from_bits(0x7F800001u),  // NaNs with payloads
                            std::numeric_limits<float>::denorm_min(), -1e-40f, std::numeric_limits<float>::max(),
                            -3.0e38f, std::numeric_limits<float>::min()};
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const std::uint32_t w = stream_word(seed, kStream, static_cast<std::uint64_t>(i));
    if ((w & 63) == 0) {
      v[i] = specials[(w >> 6) % std::size(specials)];
    } else {
      // sign, a magnitude over 2^-20 .. 2^20, and 24 random significand bits
      const float m = 1.0f + uniform_float(w);
      const int e = static_cast<int>((w >> 6) % 41) - 20;
      v[i] = ((w >> 31) ? -m : m) * static_cast<float>(std::ldexp(1.0, e));
    }
  }
  return v;
}

// Finite values in (-2, 2) with full significands: what training sees, where a special among
// thousands of inputs would make every output of a row, a column or an attention NaN.
inline std::vector<float> small_floats(std::int64_t n, std::uint64_t seed) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[i] = 4.0f * uniform_float(stream_word(seed, 0xA77E, static_cast<std::uint64_t>(i))) - 2.0f;
  return v;
}

inline std::vector<bf16> random_bf16(std::int64_t n, std::uint64_t seed) {
  const std::vector<float> f = random_floats(n, seed);
  std::vector<bf16> v(f.size());
  // Truncate rather than round so that NaN payloads survive into the bf16 inputs.
  for (std::size_t i = 0; i < f.size(); ++i) v[i] = bf16{static_cast<std::uint16_t>(bits_of(f[i]) >> 16)};
  return v;
}

}  // namespace detnum::test
