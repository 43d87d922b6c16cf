// Weight initialization: the fast path equals the reference bit for bit at every thread count and
// any offset (a tensor filled in pieces equals one fill), uniform values stay in [lo, hi], the
// uniform and normal references follow init.hpp's definitions (words from Random123), the normal
// one gives pinned known answers, normal samples look normal, bf16 is the float value rounded
// once, the bounds and standard deviations are the textbook ones, and bad arguments get
// detnum::Error.
#include <Random123/philox.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "detnum/error.hpp"
#include "detnum/init.hpp"
#include "detnum/math.hpp"
#include "support/bits.hpp"
#include "support/errors.hpp"

namespace detnum::test {
namespace {

TEST(Init, UniformMatchesTheReferenceAtEveryThreadCountAndOffset) {
  for (const std::int64_t n : {1, 3, 4, 5, 1000, 100003})
    for (const std::uint64_t offset : {0ull, 1ull, 7ull, 1ull << 40}) {
      std::vector<float> want(static_cast<std::size_t>(n));
      ref::init_uniform(want.data(), n, -0.25f, 0.5f, {42, offset});
      for (const int threads : {1, 2, 3, 8}) {
        std::vector<float> got(want.size(), -99.0f);
        init_uniform(got.data(), n, -0.25f, 0.5f, {42, offset}, {threads});
        EXPECT_TRUE(same_bits(want, got)) << "n " << n << ", offset " << offset << ", threads " << threads;
      }
      for (const float v : want) {
        EXPECT_GE(v, -0.25f);
        EXPECT_LE(v, 0.5f);
      }
    }
}

TEST(Init, PiecesEqualOneFill) {
  std::vector<float> whole(1000), pieces(1000);
  init_uniform(whole.data(), 1000, -1.0f, 1.0f, {7, 0});
  init_uniform(pieces.data(), 333, -1.0f, 1.0f, {7, 0});
  init_uniform(pieces.data() + 333, 667, -1.0f, 1.0f, {7, 333});
  EXPECT_TRUE(same_bits(whole, pieces));
}

TEST(Init, Bf16IsTheFloatValueRoundedOnce) {
  std::vector<float> f(5000);
  std::vector<bf16> b(5000);
  init_uniform(f.data(), 5000, -3.0f, 3.0f, {9, 11});
  init_uniform(b.data(), 5000, -3.0f, 3.0f, {9, 11}, {3});
  for (std::size_t i = 0; i < f.size(); ++i) ASSERT_EQ(b[i].bits, bf16_from_float(f[i]).bits) << i;
}

TEST(Init, Bounds) {
  EXPECT_EQ(xavier_uniform_bound(100, 200), static_cast<float>(std::sqrt(6.0 / 300.0)));
  EXPECT_EQ(kaiming_uniform_bound(512, 1.0f), static_cast<float>(std::sqrt(3.0 / 512.0)));
  expect_error([] { (void)xavier_uniform_bound(0, 5); }, ErrorCode::invalid_argument, "fan_in must be >= 1, got 0");
}

TEST(InitNormal, MatchesTheReferenceAtEveryThreadCountAndOffset) {
  for (const std::int64_t n : {1, 2, 3, 5, 1000, 100003})
    for (const std::uint64_t offset : {0ull, 1ull, 3ull, 4ull, 7ull, (1ull << 40) + 1}) {
      std::vector<float> want(static_cast<std::size_t>(n));
      ref::init_normal(want.data(), n, 0.25f, 2.0f, {42, offset});
      // The AVX2 path (two blocks at a time) at every thread count, and the portable one.
      for (const CpuOptions o : {CpuOptions{1}, CpuOptions{2}, CpuOptions{3}, CpuOptions{5}, CpuOptions{8},
                                 CpuOptions{1, CpuSimd::portable}, CpuOptions{3, CpuSimd::portable}}) {
        std::vector<float> got(want.size(), -99.0f);
        init_normal(got.data(), n, 0.25f, 2.0f, {42, offset}, o);
        EXPECT_TRUE(same_bits(want, got)) << "n " << n << ", offset " << offset << ", threads " << o.threads
                                          << (o.simd == CpuSimd::portable ? ", portable" : "");
      }
    }
}

// Word k of stream 2 (streams::kInit) from Random123's Philox, independently of detnum's.
std::uint32_t random123_word(std::uint64_t seed, std::uint64_t k) {
  r123::Philox4x32_R<10> philox;
  const std::uint64_t b = k / 4;
  return philox({{std::uint32_t(b), std::uint32_t(b >> 32), 2, 0}}, {{std::uint32_t(seed), std::uint32_t(seed >> 32)}})
      .v[k % 4];
}

// init.hpp's uniform definition on Random123's words: x = fma(hi - lo, u_g, lo) in float, with
// u_g = (w_g >> 8) 2^-24. The exact 0.7f + 0.1f is not a float: the width is rounded first.
TEST(Init, UniformReferenceFollowsTheDefinition) {
  const float lo = -0.1f, hi = 0.7f;
  for (const std::uint64_t offset : {0ull, 5ull, (1ull << 40) + 3}) {
    const std::int64_t n = 1001;
    std::vector<float> x(static_cast<std::size_t>(n));
    ref::init_uniform(x.data(), n, lo, hi, {0xFFFFFFFF00000007ull, offset});
    for (std::int64_t i = 0; i < n; ++i) {
      const std::uint64_t g = offset + static_cast<std::uint64_t>(i);
      const float u = static_cast<float>(random123_word(0xFFFFFFFF00000007ull, g) >> 8) * 0x1p-24f;
      ASSERT_EQ(bits_of(x[i]), bits_of(std::fma(hi - lo, u, lo))) << "i = " << i << ", offset " << offset;
    }
  }
}

TEST(InitNormal, ReferenceFollowsTheDefinition) {
  for (const std::uint64_t offset : {0ull, 5ull, (1ull << 40) + 3}) {
    const std::int64_t n = 1001;
    std::vector<float> x(static_cast<std::size_t>(n));
    ref::init_normal(x.data(), n, 0.5f, 3.0f, {0xFFFFFFFF00000007ull, offset});
    for (std::int64_t i = 0; i < n; ++i) {
      const std::uint64_t g = offset + static_cast<std::uint64_t>(i), j = g / 2;
      const std::uint32_t w_radius = random123_word(0xFFFFFFFF00000007ull, 2 * j);
      const std::uint32_t w_angle = random123_word(0xFFFFFFFF00000007ull, 2 * j + 1);
      const auto u1 = static_cast<float>((w_radius + 0.5) * 0x1p-32);
      const float r = std::sqrt(-2.0f * math::log(u1));
      const float t = 2.0f * (static_cast<float>(w_angle >> 8) * 0x1p-24f);
      const float z = g % 2 == 0 ? r * math::cospi(t) : r * math::sinpi(t);
      ASSERT_EQ(bits_of(x[i]), bits_of(std::fma(3.0f, z, 0.5f))) << "i = " << i << ", offset " << offset;
    }
  }
}

// Pinned from ref::init_normal (seed 42, mean 0, stddev 1), and each checked against Box-Muller
// in long double on the same words (Random123): the float steps (log, sqrt, cospi or sinpi, a
// product), each correctly rounded, stay within 4 ulp of it. Offsets 148560 and 148561 are a
// pair whose radius word is 49501, small enough that the 1/2 in u1 shows in the result.
TEST(InitNormal, KnownAnswers) {
  const std::uint64_t offsets[] = {0, 1, 2, 3, 148560, 148561, (1ull << 40) + 6, (1ull << 40) + 7};
  const std::uint32_t want[] = {0xBFAC4021u, 0xBE302E0Cu, 0xBEF06009u, 0xBF9D20A4u,
                                0x402B34E6u, 0x407CA9FFu, 0xBE68F6FEu, 0xBF49DFABu};
  for (int k = 0; k < 8; ++k) {
    float x = 0.0f;
    ref::init_normal(&x, 1, 0.0f, 1.0f, {42, offsets[k]});
    EXPECT_EQ(bits_of(x), want[k]) << "offset " << offsets[k] << ": " << describe(x);
    const std::uint64_t j = offsets[k] / 2;
    const auto u1 = static_cast<float>((random123_word(42, 2 * j) + 0.5) * 0x1p-32);
    const long double u2 = (random123_word(42, 2 * j + 1) >> 8) * 0x1p-24L;
    const long double angle = 2 * 3.141592653589793238462643383279502884L * u2;
    const long double exact = std::sqrt(-2 * std::log(static_cast<long double>(u1))) *
                              (offsets[k] % 2 == 0 ? std::cos(angle) : std::sin(angle));
    EXPECT_LE(ulps(x, static_cast<float>(exact)), 4) << "offset " << offsets[k];
  }
}

TEST(InitNormal, PiecesEqualOneFill) {
  std::vector<float> whole(1000), pieces(1000);
  init_normal(whole.data(), 1000, 0.0f, 1.0f, {7, 0});
  init_normal(pieces.data(), 333, 0.0f, 1.0f, {7, 0});
  init_normal(pieces.data() + 333, 667, 0.0f, 1.0f, {7, 333});
  EXPECT_TRUE(same_bits(whole, pieces));
}

TEST(InitNormal, Bf16IsTheFloatValueRoundedOnce) {
  std::vector<float> f(5001);
  std::vector<bf16> b(5001);
  init_normal(f.data(), 5001, 1.0f, 0.5f, {9, 11});
  init_normal(b.data(), 5001, 1.0f, 0.5f, {9, 11}, {3});
  for (std::size_t i = 0; i < f.size(); ++i) ASSERT_EQ(b[i].bits, bf16_from_float(f[i]).bits) << i;
}

TEST(InitNormal, ZeroStddevGivesTheMean) {
  std::vector<float> x(100);
  init_normal(x.data(), 100, -1.5f, 0.0f, {3, 0});
  for (const float v : x) ASSERT_EQ(v, -1.5f);
}

// A sanity check with generous bounds (the bit tests above are the judges): over 10^6 samples the
// mean and variance of N(3, 0.5^2), the share within one standard deviation (0.6827), and the
// correlation of the two members of each pair.
TEST(InitNormal, SamplesLookNormal) {
  const std::int64_t n = 1000000;
  std::vector<float> x(static_cast<std::size_t>(n));
  init_normal(x.data(), n, 3.0f, 0.5f, {2024, 0});
  double sum = 0, squares = 0, within = 0, pair = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double z = (x[i] - 3.0) / 0.5;
    sum += z;
    squares += z * z;
    within += std::fabs(z) < 1.0 ? 1 : 0;
    if (i % 2 == 1) pair += z * ((x[i - 1] - 3.0) / 0.5);
  }
  EXPECT_NEAR(sum / n, 0.0, 0.01);
  EXPECT_NEAR(squares / n, 1.0, 0.01);
  EXPECT_NEAR(within / n, 0.6827, 0.005);
  EXPECT_NEAR(pair / (n / 2), 0.0, 0.01);
}

TEST(Init, NormalStandardDeviations) {
  EXPECT_EQ(xavier_normal_std(100, 200), static_cast<float>(std::sqrt(2.0 / 300.0)));
  EXPECT_EQ(kaiming_normal_std(512, 1.0f), static_cast<float>(std::sqrt(1.0 / 512.0)));
  EXPECT_EQ(kaiming_normal_std(2), 1.0f);  // sqrt(2) rounded to float, times sqrt(1/2)
  expect_error([] { (void)xavier_normal_std(5, 0); }, ErrorCode::invalid_argument, "fan_out must be >= 1, got 0");
  expect_error([] { (void)kaiming_normal_std(-1); }, ErrorCode::invalid_argument, "fan_in must be >= 1, got -1");
}

TEST(Init, ScalingEdges) {
  // fan_in + fan_out past 2^63 is added in double, not in (overflowing) int64.
  const float huge = xavier_uniform_bound(INT64_MAX, INT64_MAX);
  EXPECT_EQ(huge, static_cast<float>(std::sqrt(6.0 / (2.0 * 9223372036854775807.0))));
  EXPECT_GT(huge, 0.0f);
  EXPECT_EQ(kaiming_uniform_bound(3, 0.0f), 0.0f);
  expect_error([] { (void)xavier_uniform_bound(4, 4, std::numeric_limits<float>::quiet_NaN()); },
               ErrorCode::invalid_argument, "xavier_uniform_bound: gain must be finite and >= 0, got nan");
  expect_error([] { (void)kaiming_normal_std(4, -1.0f); }, ErrorCode::invalid_argument,
               "kaiming_normal_std: gain must be finite and >= 0, got -1");
  expect_error([] { (void)xavier_normal_std(4, 4, std::numeric_limits<float>::infinity()); },
               ErrorCode::invalid_argument, "gain must be finite and >= 0, got inf");
  // A finite gain whose bound passes FLT_MAX (sqrt(3) * 3e38): an Error, not +Inf.
  expect_error([] { (void)kaiming_uniform_bound(1, 3e38f); }, ErrorCode::invalid_argument,
               "kaiming_uniform_bound: gain 3e+38 makes the result");
  EXPECT_EQ(kaiming_normal_std(1, 3e38f), 3e38f);  // sqrt(1 / 1): still a float
}

TEST(InitErrors, Arguments) {
  std::vector<float> x(8);
  expect_error([&] { init_uniform(x.data(), 8, 1.0f, 1.0f, {}); }, ErrorCode::invalid_argument, "lo < hi, got lo 1, hi 1");
  expect_error([&] { init_uniform(x.data(), 8, -3e38f, 3e38f, {}); }, ErrorCode::invalid_argument, "hi - lo must be finite");
  expect_error([&] { init_uniform(static_cast<float*>(nullptr), 8, 0.0f, 1.0f, {}); }, ErrorCode::null_pointer, "x must not be null");
  expect_error([&] { init_uniform(x.data(), 8, 0.0f, 1.0f, {0, ~0ull}); }, ErrorCode::size_out_of_range, "offset + n");
  const float inf = std::numeric_limits<float>::infinity();
  expect_error([&] { init_normal(x.data(), 8, inf, 1.0f, {}); }, ErrorCode::invalid_argument, "init_normal: mean must be finite, got inf");
  expect_error([&] { init_normal(x.data(), 8, 0.0f, -1.0f, {}); }, ErrorCode::invalid_argument, "stddev must be finite and >= 0, got -1");
  expect_error([&] { init_normal(x.data(), 8, 0.0f, NAN, {}); }, ErrorCode::invalid_argument, "stddev must be finite and >= 0, got nan");
  expect_error([&] { ref::init_normal(x.data(), 8, 0.0f, inf, {}); }, ErrorCode::invalid_argument, "ref::init_normal: stddev");
  expect_error([&] { init_normal(static_cast<bf16*>(nullptr), 8, 0.0f, 1.0f, {}); }, ErrorCode::null_pointer, "x must not be null");
  expect_error([&] { init_normal(x.data(), 8, 0.0f, 1.0f, {0, ~0ull - 6}); }, ErrorCode::size_out_of_range, "offset + n");
}

}  // namespace
}  // namespace detnum::test
