// Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy as 1, 2, 3",
// SC'11): a counter-based generator, a pure function of a 128-bit counter and a 64-bit key.
// Nothing here has state, so the same (counter, key) gives the same four words on any thread,
// in any order, on a CPU or a GPU. Header-only; the round below is the one definition used by
// every path (the scalar reference, the fast CPU code and the CUDA kernels).
#pragma once

#include <cstdint>

#include "detnum/hd.hpp"

namespace detnum {

struct PhiloxCounter {
  std::uint32_t w[4];
};
struct PhiloxKey {
  std::uint32_t w[2];
};

namespace philox {
inline constexpr std::uint32_t kMultiplier0 = 0xD2511F53u;
inline constexpr std::uint32_t kMultiplier1 = 0xCD9E8D57u;
inline constexpr std::uint32_t kWeyl0 = 0x9E3779B9u;  // golden ratio
inline constexpr std::uint32_t kWeyl1 = 0xBB67AE85u;  // sqrt(3) - 1
inline constexpr int kRounds = 10;

DETNUM_HD PhiloxCounter round(PhiloxCounter c, PhiloxKey k) {
  // A 32x32 -> 64-bit product: one IMAD.WIDE on a GPU, one MUL on x86-64.
  const std::uint64_t p0 = std::uint64_t{kMultiplier0} * c.w[0];
  const std::uint64_t p1 = std::uint64_t{kMultiplier1} * c.w[2];
  const auto hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
  const auto hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
  return PhiloxCounter{{hi1 ^ c.w[1] ^ k.w[0], lo1, hi0 ^ c.w[3] ^ k.w[1], lo0}};
}

DETNUM_HD PhiloxKey bump(PhiloxKey k) { return PhiloxKey{{k.w[0] + kWeyl0, k.w[1] + kWeyl1}}; }
}  // namespace philox

// Philox4x32 with kRounds rounds: round, bump the key, round, ... (the key is bumped between
// rounds, not after the last).
DETNUM_HD PhiloxCounter philox4x32_10(PhiloxCounter c, PhiloxKey k) {
#if defined(__CUDACC__)
#pragma unroll
#endif
  for (int r = 0; r < philox::kRounds; ++r) {
    if (r > 0) k = philox::bump(k);
    c = philox::round(c, k);
  }
  return c;
}

}  // namespace detnum
