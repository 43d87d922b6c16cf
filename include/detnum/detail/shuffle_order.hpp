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

// Round `round`'s F of the half R: word 0 of Philox4x32-10 of (R, round, 0, 0), masked to h bits.
DETNUM_HD std::uint64_t shuffle_round(std::uint64_t r, int round, const ShuffleKey& k) {
  const PhiloxCounter c{{static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(round), 0u, 0u}};
  return philox4x32_10(c, k.key).w[0] & k.mask;
}

// The rounds' F as shuffle_round computes it; a backend may look the same values up instead.
struct PhiloxRounds {
  const ShuffleKey* k;
  DETNUM_HD std::uint64_t operator()(std::uint64_t r, int round) const { return shuffle_round(r, round, *k); }
};

template <class Rounds>
DETNUM_HD std::uint64_t feistel(std::uint64_t x, const ShuffleKey& k, const Rounds& f) {
  std::uint64_t l = x >> k.half_bits, r = x & k.mask;
  for (int round = 0; round < kShuffleRounds; ++round) {
    const std::uint64_t next_r = l ^ f(r, round);
    l = r;
    r = next_r;
  }
  return l << k.half_bits | r;
}

// pi(i) for 0 <= i < n.
template <class Rounds>
DETNUM_HD std::int64_t shuffled_index(std::int64_t i, std::int64_t n, const ShuffleKey& k, const Rounds& f) {
  std::uint64_t x = static_cast<std::uint64_t>(i);
  do x = feistel(x, k, f);
  while (x >= static_cast<std::uint64_t>(n));
  return static_cast<std::int64_t>(x);
}
DETNUM_HD std::int64_t shuffled_index(std::int64_t i, std::int64_t n, const ShuffleKey& k) {
  return shuffled_index(i, n, k, PhiloxRounds{&k});
}

}  // namespace detnum::detail
