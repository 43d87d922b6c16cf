#include "cpu/stream_words.hpp"

#include "detnum/random.hpp"

namespace detnum::detail {

[[gnu::target_clones("avx2", "default")]]
void stream_words_x16(PhiloxKey key, std::uint64_t stream, std::uint64_t first_block, std::uint32_t* out) {
  PhiloxLanes<kStreamBatchBlocks> blocks;
  stream_blocks(key, stream, first_block, blocks);
  for (int l = 0; l < kStreamBatchBlocks; ++l)
    for (int j = 0; j < 4; ++j) out[4 * l + j] = blocks.w[j][l];
}

}  // namespace detnum::detail
