// The definition of detnum's shuffles (docs/DETERMINISM.md, "Data order"), shared by every backend:
// a keyed Feistel permutation of the smallest power-of-4 domain that holds n, walked in cycles
// until it lands in [0, n).
//
//   key(seed, epoch)   words 0 and 1 of block `epoch` of stream streams::kShuffle of `seed`
//   domain             2^(2h), h = max(1, ceil(log2(n) / 2)): L and R are h-bit halves of x
//   round r = 0..3     F = philox4x32_10(counter (R, r, 0, 0), key).w[0] mod 2^h;  (L, R) = (R, L ^ F)
//   pi(i)              x = i; repeat x = feistel(x) until x < n
//
// Four rounds of a pseudorandom function make a pseudorandom permutation (Luby-Rackoff); cycle
// walking restricts it to [0, n) and stays a permutation. Expected walks per index: below 4.
#pragma once

#include <cstdint>

#include "detnum/hd.hpp"
#include "detnum/random.hpp"

namespace detnum::detail {

inline constexpr int kShuffleRounds = 4;

struct ShuffleKey {
  PhiloxKey key;
  int half_bits;          // h
  std::uint64_t mask;     // 2^h - 1
};

DETNUM_HD ShuffleKey shuffle_key(std::int64_t n, std::uint64_t seed, std::uint64_t epoch) {
  const PhiloxCounter k = stream_block(philox_key(seed), streams::kShuffle, epoch);
  int bits = 0;  // ceil(log2(n)), n >= 1
  while (bits < 63 && (std::uint64_t{1} << bits) < static_cast<std::uint64_t>(n)) ++bits;
  const int h = bits <= 2 ? 1 : (bits + 1) / 2;
  return {PhiloxKey{{k.w[0], k.w[1]}}, h, (std::uint64_t{1} << h) - 1};
}

DETNUM_HD std::uint64_t feistel(std::uint64_t x, const ShuffleKey& k) {
  std::uint64_t l = x >> k.half_bits, r = x & k.mask;
  for (int round = 0; round < kShuffleRounds; ++round) {
    const PhiloxCounter c{{static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(round), 0u, 0u}};
    const std::uint64_t f = philox4x32_10(c, k.key).w[0] & k.mask;
    const std::uint64_t next_r = l ^ f;
    l = r;
    r = next_r;
  }
  return l << k.half_bits | r;
}

// pi(i) for 0 <= i < n.
DETNUM_HD std::int64_t shuffled_index(std::int64_t i, std::int64_t n, const ShuffleKey& k) {
  std::uint64_t x = static_cast<std::uint64_t>(i);
  do x = feistel(x, k);
  while (x >= static_cast<std::uint64_t>(n));
  return static_cast<std::int64_t>(x);
}

}  // namespace detnum::detail
