// Weight initialization: the fast path equals the reference bit for bit at every thread count and
// any offset (a tensor filled in pieces equals one fill), values stay in [lo, hi], bf16 is the
// float value rounded once, the bounds are the textbook ones, and bad arguments get detnum::Error.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "detnum/error.hpp"
#include "detnum/init.hpp"
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

TEST(InitErrors, Arguments) {
  std::vector<float> x(8);
  expect_error([&] { init_uniform(x.data(), 8, 1.0f, 1.0f, {}); }, ErrorCode::invalid_argument, "lo < hi, got lo 1, hi 1");
  expect_error([&] { init_uniform(x.data(), 8, -3e38f, 3e38f, {}); }, ErrorCode::invalid_argument, "hi - lo must be finite");
  expect_error([&] { init_uniform(static_cast<float*>(nullptr), 8, 0.0f, 1.0f, {}); }, ErrorCode::null_pointer, "x must not be null");
  expect_error([&] { init_uniform(x.data(), 8, 0.0f, 1.0f, {0, ~0ull}); }, ErrorCode::size_out_of_range, "offset + n");
}

}  // namespace
}  // namespace detnum::test
