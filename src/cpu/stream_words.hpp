// Consecutive words of a detnum random stream for the fast CPU paths: 16 Philox blocks at a
// time, with an AVX2 clone chosen at run time where the CPU has it (the bits are the same: the
// generator is integer arithmetic).
#pragma once

#include <cstdint>

#include "detnum/philox.hpp"

namespace detnum::detail {

inline constexpr int kStreamBatchBlocks = 16;

// Words 4 * first_block .. 4 * (first_block + 16) - 1 of (key, stream), in order.
void stream_words_x16(PhiloxKey key, std::uint64_t stream, std::uint64_t first_block, std::uint32_t* out);

}  // namespace detnum::detail
