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

// L independent counters, word-major: w[j][l] is word j of counter l. The generator below is
// written once, over lanes; L = 1 is the scalar generator (the reference and the CUDA kernels),
// and the fast CPU path runs L = 16, which the compiler turns into SIMD.
template <int L>
struct PhiloxLanes {
  std::uint32_t w[4][L];
};

namespace philox {
inline constexpr std::uint32_t kMultiplier0 = 0xD2511F53u;
inline constexpr std::uint32_t kMultiplier1 = 0xCD9E8D57u;
inline constexpr std::uint32_t kWeyl0 = 0x9E3779B9u;  // golden ratio
inline constexpr std::uint32_t kWeyl1 = 0xBB67AE85u;  // sqrt(3) - 1
inline constexpr int kRounds = 10;

template <int L>
DETNUM_HD void round(PhiloxLanes<L>& c, PhiloxKey k) {
#if defined(__CUDACC__)
#pragma unroll
#endif
  for (int l = 0; l < L; ++l) {
    // 32x32 -> 64-bit products: one IMAD.WIDE on a GPU, one MUL (or half a VPMULUDQ) on x86-64.
    const std::uint64_t p0 = std::uint64_t{kMultiplier0} * c.w[0][l];
    const std::uint64_t p1 = std::uint64_t{kMultiplier1} * c.w[2][l];
    const auto hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
    const auto hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
    const std::uint32_t w1 = c.w[1][l], w3 = c.w[3][l];
    c.w[0][l] = hi1 ^ w1 ^ k.w[0];
    c.w[1][l] = lo1;
    c.w[2][l] = hi0 ^ w3 ^ k.w[1];
    c.w[3][l] = lo0;
  }
}
}  // namespace philox

// Philox4x32 with kRounds rounds on every lane: round, bump the key, round, ... (the key is
// bumped between rounds, not after the last).
template <int L>
DETNUM_HD void philox4x32_10(PhiloxLanes<L>& c, PhiloxKey k) {
#if defined(__CUDACC__)
#pragma unroll
#endif
  for (int r = 0; r < philox::kRounds; ++r) {
    if (r > 0) k = PhiloxKey{{k.w[0] + philox::kWeyl0, k.w[1] + philox::kWeyl1}};
    philox::round(c, k);
  }
}

DETNUM_HD PhiloxCounter philox4x32_10(PhiloxCounter c, PhiloxKey k) {
  PhiloxLanes<1> lane{{{c.w[0]}, {c.w[1]}, {c.w[2]}, {c.w[3]}}};
  philox4x32_10(lane, k);
  return PhiloxCounter{{lane.w[0][0], lane.w[1][0], lane.w[2][0], lane.w[3][0]}};
}

}  // namespace detnum
