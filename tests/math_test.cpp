// detnum::math::exp and log: special values exactly, and one float in 251 of all 2^32 within 1 ulp
// of the long double functions (math_cases.hpp); the exhaustive run is math_exhaustive_test.
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

TEST(Math, LogSpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(bits_of(math::log(1.0f)), 0u);
  EXPECT_EQ(math::log(0.0f), -inf);
  EXPECT_EQ(math::log(-0.0f), -inf);
  EXPECT_EQ(math::log(inf), inf);
  EXPECT_EQ(bits_of(math::log(-1.0f)), kCanonicalNanF32);
  EXPECT_EQ(bits_of(math::log(-inf)), kCanonicalNanF32);
  EXPECT_EQ(bits_of(math::log(float_from_bits(0x7FC12345u))), kCanonicalNanF32);
  EXPECT_EQ(bits_of(math::log(2.0f)), 0x3F317218u);  // ln 2 rounded to float
  EXPECT_EQ(math::log(std::numeric_limits<float>::denorm_min()), static_cast<float>(-149.0L * std::log(2.0L)));
}

void sampled(Fn fn, const char* name) {
  Tally t;
  for (std::uint64_t b = 0; b <= 0xFFFFFFFFull; b += 251) check(fn, static_cast<std::uint32_t>(b), t);
  std::printf("%s: %llu inputs, %llu differ from the rounded long double result, %llu beyond 1 ulp\n", name,
              static_cast<unsigned long long>(t.checked), static_cast<unsigned long long>(t.differ),
              static_cast<unsigned long long>(t.beyond_one_ulp));
  EXPECT_EQ(t.beyond_one_ulp, 0u) << name << ": first at bits 0x" << std::hex << t.first_beyond;
}

TEST(Math, ExpSampledWithinOneUlp) { sampled(Fn::exp, "exp"); }
TEST(Math, LogSampledWithinOneUlp) { sampled(Fn::log, "log"); }

}  // namespace
}  // namespace detnum::test
