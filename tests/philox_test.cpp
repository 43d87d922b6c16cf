// Philox4x32-10: Random123's known answers, agreement with Random123's own implementation
// (librandom123-dev) on a million random (counter, key) pairs, and the stream addressing and
// uniform conversion of detnum/random.hpp.
#include <gtest/gtest.h>

#include <Random123/philox.h>

#include <cstdint>
#include <random>
#include <set>

#include "detnum/philox.hpp"
#include "detnum/random.hpp"

namespace detnum {
namespace {

struct Kat {
  PhiloxCounter ctr;
  PhiloxKey key;
  PhiloxCounter expected;
};

// Random123 kat_vectors, philox4x32 with 10 rounds (../shared/anchors.md).
const Kat kKats[] = {
    {{{0x00000000, 0x00000000, 0x00000000, 0x00000000}}, {{0x00000000, 0x00000000}},
     {{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}}},
    {{{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}}, {{0xffffffff, 0xffffffff}},
     {{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}}},
    {{{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}}, {{0xa4093822, 0x299f31d0}},
     {{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}}},
};

TEST(Philox, KnownAnswers) {
  for (const Kat& k : kKats) {
    PhiloxCounter out{{0xDEADBEEF, 0xDEADBEEF, 0xDEADBEEF, 0xDEADBEEF}};  // sentinel: an unwritten word shows
    out = philox4x32_10(k.ctr, k.key);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(out.w[i], k.expected.w[i]) << "word " << i;
  }
}

TEST(Philox, AgreesWithRandom123OnAMillionPairs) {
  std::mt19937_64 gen(20261126);
  r123::Philox4x32_R<10> reference;
  for (int t = 0; t < 1'000'000; ++t) {
    const std::uint64_t a = gen(), b = gen(), c = gen();
    const PhiloxCounter ctr{{std::uint32_t(a), std::uint32_t(a >> 32), std::uint32_t(b), std::uint32_t(b >> 32)}};
    const PhiloxKey key{{std::uint32_t(c), std::uint32_t(c >> 32)}};
    const PhiloxCounter got = philox4x32_10(ctr, key);
    const r123::Philox4x32_R<10>::ctr_type rc = {{ctr.w[0], ctr.w[1], ctr.w[2], ctr.w[3]}};
    const r123::Philox4x32_R<10>::key_type rk = {{key.w[0], key.w[1]}};
    const auto want = reference(rc, rk);
    for (int i = 0; i < 4; ++i) ASSERT_EQ(got.w[i], want.v[i]) << "pair " << t << " word " << i;
  }
}

TEST(Philox, StreamWordIsWordGMod4OfBlockGDiv4) {
  const std::uint64_t seed = 0x0123456789ABCDEFull, stream = 0xFEDCBA9876543210ull;
  const PhiloxKey key{{0x89ABCDEFu, 0x01234567u}};
  for (std::uint64_t g : {0ull, 1ull, 2ull, 3ull, 4ull, 0x3FFFFFFFFull, 0x400000000ull, 0x400000003ull,
                          0xFFFFFFFFFFFFFFFFull}) {
    const std::uint64_t b = g / 4;
    const PhiloxCounter ctr{{std::uint32_t(b), std::uint32_t(b >> 32), 0x76543210u, 0xFEDCBA98u}};
    EXPECT_EQ(stream_word(seed, stream, g), philox4x32_10(ctr, key).w[g % 4]) << "g = " << g;
  }
}

// fold_in(seed, data): words 0 and 1 of Random123's Philox4x32-10 of counter (data, 3) under key
// seed, and different data or seeds give different seeds.
TEST(Philox, FoldInIsBlockDataOfStream3) {
  r123::Philox4x32_R<10> reference;
  const std::uint64_t seed = 0x0123456789ABCDEFull;
  std::set<std::uint64_t> seen;
  for (std::uint64_t data : {0ull, 1ull, 2ull, 0xFFFFFFFFull, 0x100000000ull, 0xFFFFFFFFFFFFFFFFull}) {
    const r123::Philox4x32_R<10>::ctr_type c = {{std::uint32_t(data), std::uint32_t(data >> 32), 3u, 0u}};
    const r123::Philox4x32_R<10>::key_type k = {{0x89ABCDEFu, 0x01234567u}};
    const auto w = reference(c, k);
    EXPECT_EQ(fold_in(seed, data), std::uint64_t{w[0]} | std::uint64_t{w[1]} << 32) << "data " << data;
    seen.insert(fold_in(seed, data));
    seen.insert(fold_in(data, seed));
  }
  EXPECT_EQ(seen.size(), 12u);
}

TEST(Philox, UniformFloatIsTop24BitsTimes2ToMinus24) {
  EXPECT_EQ(uniform_float(0u), 0.0f);
  EXPECT_EQ(uniform_float(0xFFu), 0.0f);                  // the low 8 bits are dropped
  EXPECT_EQ(uniform_float(0x100u), 0x1p-24f);
  EXPECT_EQ(uniform_float(0x80000000u), 0.5f);
  EXPECT_EQ(uniform_float(0xFFFFFFFFu), 1.0f - 0x1p-24f);  // below 1: never 1.0
  std::mt19937 gen(7);
  for (int t = 0; t < 100000; ++t) {
    const std::uint32_t w = gen();
    EXPECT_EQ(uniform_float(w), static_cast<float>(static_cast<double>(w >> 8) / 16777216.0));
  }
}

}  // namespace
}  // namespace detnum
