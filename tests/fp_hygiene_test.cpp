// The build's floating-point promises, checked on the host: no contraction of a * b + c into an
// FMA, explicit fma still fused, subnormals not flushed. fp_hygiene_gpu_test.cu checks the same
// on the device.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace {

// With a = b = 1 + 2^-12 and c = -(1 + 2^-11), the rounded product a * b is 1 + 2^-11 (the
// 2^-24 term is a tie and rounds to even), so a * b + c is 0; an FMA keeps the 2^-24.
TEST(FpHygiene, HostDoesNotContract) {
  volatile float va = 1.0f + 0x1p-12f, vb = 1.0f + 0x1p-12f, vc = -(1.0f + 0x1p-11f);
  const float a = va, b = vb, c = vc;
  EXPECT_EQ(a * b + c, 0.0f) << "a * b + c was contracted into an FMA";
  EXPECT_EQ(std::fma(a, b, c), 0x1p-24f) << "std::fma is not fused";
}

TEST(FpHygiene, HostKeepsSubnormals) {
  volatile float tiny = std::numeric_limits<float>::denorm_min(), one = 1.0f;
  EXPECT_EQ(tiny * one, std::numeric_limits<float>::denorm_min()) << "flush-to-zero is on";
  volatile float small = std::numeric_limits<float>::min();
  EXPECT_GT(small * 0.5f, 0.0f) << "a subnormal result was flushed to zero";
}

}  // namespace
