// detnum::math::exp: special values exactly, and one float in 251 of all 2^32 within 1 ulp of
// expl (math_cases.hpp); the exhaustive run is math_exhaustive_test.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <limits>

#include "math_cases.hpp"

namespace detnum::test {
namespace {

TEST(Math, ExpSpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(bits_of(math::exp(0.0f)), bits_of(1.0f));
  EXPECT_EQ(bits_of(math::exp(-0.0f)), bits_of(1.0f));
  EXPECT_EQ(bits_of(math::exp(1.0f)), 0x402DF854u);  // e rounded to float
  EXPECT_EQ(math::exp(inf), inf);
  EXPECT_EQ(bits_of(math::exp(-inf)), 0u);
  EXPECT_EQ(bits_of(math::exp(float_from_bits(0xFFC12345u))), kCanonicalNanF32);
  EXPECT_EQ(math::exp(88.8f), inf);                                         // overflow
  EXPECT_EQ(bits_of(math::exp(-103.3f)), 1u);                               // rounds to the smallest subnormal
  EXPECT_EQ(bits_of(math::exp(std::numeric_limits<float>::denorm_min())), bits_of(1.0f));
}

TEST(Math, ExpSampledWithinOneUlp) {
  ExpTally t;
  for (std::uint64_t b = 0; b <= 0xFFFFFFFFull; b += 251) check_exp(static_cast<std::uint32_t>(b), t);
  std::printf("exp: %llu inputs, %llu differ from round(expl), %llu beyond 1 ulp\n",
              static_cast<unsigned long long>(t.checked), static_cast<unsigned long long>(t.differ),
              static_cast<unsigned long long>(t.beyond_one_ulp));
  EXPECT_EQ(t.beyond_one_ulp, 0u) << "first at bits 0x" << std::hex << t.first_beyond;
}

}  // namespace
}  // namespace detnum::test
