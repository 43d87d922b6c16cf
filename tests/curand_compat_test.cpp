// The host replica of cuRAND's Philox4_32_10 stream, checked here against detnum's stream
// definition and cuRAND's documented counter arithmetic; curand_compat_gpu_test.cu checks it
// against cuRAND itself.
#include <gtest/gtest.h>

#include <cstdint>

#include "detnum/curand_compat.hpp"
#include "detnum/random.hpp"

namespace detnum {
namespace {

TEST(CurandCompat, FirstValuesAreTheDetnumStream) {
  for (std::uint64_t seed : {0ull, 1ull, 0xFFFFFFFFFFFFFFFFull, 0x0123456789ABCDEFull})
    for (std::uint64_t sub : {0ull, 1ull, 0xFFFFFFFFull, 0x100000000ull, 0xFFFFFFFFFFFFFFFFull})
      for (std::uint64_t offset : {0ull, 1ull, 2ull, 3ull, 4ull, 5ull, 4ull * 0xFFFFFFFFull + 2, 0xFFFFFFFFFFFFFF00ull}) {
        CurandPhilox4x32_10 gen(seed, sub, offset);
        for (std::uint64_t k = 0; k < 11; ++k)
          ASSERT_EQ(gen.next(), stream_word(seed, sub, offset + k))
              << "seed " << seed << " subsequence " << sub << " offset " << offset << " draw " << k;
      }
}

TEST(CurandCompat, UniformIsWordTimes2ToMinus32PlusHalf) {
  for (std::uint64_t offset = 0; offset < 64; ++offset) {
    CurandPhilox4x32_10 a(99, 5, offset), b(99, 5, offset);
    const float u = a.uniform();
    const std::uint32_t w = b.next();
    EXPECT_EQ(u, static_cast<float>(w) * 0x1p-32f + 0x1p-33f);
    EXPECT_GT(u, 0.0f);
    EXPECT_LE(u, 1.0f);
  }
  // Words from 0xFFFFFF80 up round to 2^32 as floats, so curand_uniform can return exactly 1.
  EXPECT_EQ(static_cast<float>(0xFFFFFFFFu) * 0x1p-32f + 0x1p-33f, 1.0f);
}

TEST(CurandCompat, CounterCarriesLikeCurand) {
  // Drawing past block 2^64 - 1 carries into the subsequence words, as curand() does.
  CurandPhilox4x32_10 gen(1, 7, 0);
  for (int k = 0; k < 4; ++k) gen.skip(4 * 0x3FFFFFFFFFFFFFFFull);  // 2^62 - 1 blocks at a time
  gen.skip(4 * 3);                                                      // now at block 2^64 - 1
  EXPECT_EQ(gen.counter().w[0], 0xFFFFFFFFu);
  EXPECT_EQ(gen.counter().w[1], 0xFFFFFFFFu);
  EXPECT_EQ(gen.counter().w[2], 7u);
  for (int k = 0; k < 4; ++k) gen.next();
  EXPECT_EQ(gen.counter().w[0], 0u);
  EXPECT_EQ(gen.counter().w[1], 0u);
  EXPECT_EQ(gen.counter().w[2], 8u);

  // skipahead past block 2^64 - 1 carries into the subsequence words too.
  for (int k = 0; k < 4; ++k) gen.skip(4 * 0x3FFFFFFFFFFFFFFFull);
  gen.skip(4 * 5);  // 2^64 + 1 blocks on from block 0 of subsequence 8
  EXPECT_EQ(gen.counter().w[0], 1u);
  EXPECT_EQ(gen.counter().w[1], 0u);
  EXPECT_EQ(gen.counter().w[2], 9u);
}

}  // namespace
}  // namespace detnum
