// detnum's random streams: how a (seed, stream, index) triple names one 32-bit word of
// Philox4x32-10 output, and how words become floats. docs/DETERMINISM.md states the same.
//
//   word(seed, stream, g) = philox4x32_10(counter, key).w[g % 4], where
//     key     = (seed mod 2^32, seed / 2^32)
//     counter = (b mod 2^32, b / 2^32, stream mod 2^32, stream / 2^32),  b = g / 4
//
// This is exactly the first value that cuRAND's curand() returns after
// curand_init(seed, stream, g) with curandStatePhilox4_32_10_t (see curand_compat.hpp), so a
// detnum stream can be regenerated with cuRAND, and the other way round.
#pragma once

#include <cstdint>

#include "detnum/hd.hpp"
#include "detnum/philox.hpp"

namespace detnum {

DETNUM_HD PhiloxKey philox_key(std::uint64_t seed) {
  return PhiloxKey{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
}

// The counter of the block holding words 4b .. 4b+3 of a stream.
DETNUM_HD PhiloxCounter philox_counter(std::uint64_t block, std::uint64_t stream) {
  return PhiloxCounter{{static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32),
                        static_cast<std::uint32_t>(stream),
                        static_cast<std::uint32_t>(stream >> 32)}};
}

// The four words 4b .. 4b+3 of (seed, stream).
DETNUM_HD PhiloxCounter stream_block(PhiloxKey key, std::uint64_t stream, std::uint64_t block) {
  return philox4x32_10(philox_counter(block, stream), key);
}

// Blocks first_block .. first_block + L - 1 at once, lane l holding block first_block + l.
template <int L>
DETNUM_HD void stream_blocks(PhiloxKey key, std::uint64_t stream, std::uint64_t first_block, PhiloxLanes<L>& out) {
  for (int l = 0; l < L; ++l) {
    const PhiloxCounter c = philox_counter(first_block + static_cast<std::uint64_t>(l), stream);
    for (int j = 0; j < 4; ++j) out.w[j][l] = c.w[j];
  }
  philox4x32_10(out, key);
}

// Word g of (seed, stream): the definition; fast paths compute four words per block instead.
DETNUM_HD std::uint32_t stream_word(std::uint64_t seed, std::uint64_t stream, std::uint64_t g) {
  return stream_block(philox_key(seed), stream, g >> 2).w[g & 3];
}

// Streams that detnum's ops draw from, so that two ops given the same seed never share words.
namespace streams {
inline constexpr std::uint64_t kDropout = 0;
inline constexpr std::uint64_t kShuffle = 1;  // block e holds the Feistel key of epoch e (shuffle.hpp)
inline constexpr std::uint64_t kInit = 2;     // weight initialization (init.hpp)
inline constexpr std::uint64_t kFoldIn = 3;   // seeds derived by fold_in
}

// A seed of its own for each of several users of one seed (layers, tensors, data-parallel ranks):
// words 0 and 1 of block `data` of stream kFoldIn of `seed`, as word0 + 2^32 word1. Two layers
// given the same {seed, offset} draw the same dropout mask and the same initial weights; given
// fold_in(seed, layer) they draw unrelated ones (as JAX's fold_in). A pure function, the same on
// the host and in device code.
DETNUM_HD std::uint64_t fold_in(std::uint64_t seed, std::uint64_t data) {
  const PhiloxCounter b = stream_block(philox_key(seed), streams::kFoldIn, data);
  return static_cast<std::uint64_t>(b.w[0]) | static_cast<std::uint64_t>(b.w[1]) << 32;
}

// detnum's uniform float in [0, 1): the top 24 bits of the word, times 2^-24. Every value is a
// multiple of 2^-24 (exact in float, both conversions exact), 0 is possible, 1 is not.
DETNUM_HD float uniform_float(std::uint32_t word) {
  return static_cast<float>(word >> 8) * 0x1p-24f;
}

}  // namespace detnum
