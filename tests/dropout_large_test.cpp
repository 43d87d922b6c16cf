// n above 2^31: indices, mask bytes and the Philox block index stay 64-bit. About 8.3 GiB of
// memory, so labelled `large` and left out of the default run (ctest -L large runs it).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "detnum/dropout.hpp"
#include "support/bits.hpp"

namespace detnum {
namespace {

TEST(DropoutLarge, PastTwoToThe31MatchesTheReferenceOnTheTail) {
  const std::int64_t n = (std::int64_t{1} << 31) + 77;
  const DropoutParams p{0.25f, 31, 5};
  std::vector<float> y(static_cast<std::size_t>(n), 1.5f);
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(dropout_mask_bytes(n)));
  dropout_forward(y.data(), y.data(), n, p, mask.data());  // in place

  // The reference over the last 4096 elements, continuing the stream at their offset.
  const std::int64_t k = n - 4096;
  const std::vector<float> x(4096, 1.5f);
  std::vector<float> want(4096);
  std::vector<std::uint8_t> want_mask(512);
  ref::dropout_forward(x.data(), want.data(), 4096, {p.p, p.seed, p.offset + static_cast<std::uint64_t>(k)}, want_mask.data());
  EXPECT_TRUE(test::same_bits(std::span<const float>(want), std::span<const float>(y).subspan(k)));
  for (std::int64_t i = 0; i < 4096; ++i)
    ASSERT_EQ((mask[(k + i) / 8] >> ((k + i) % 8)) & 1, (want_mask[i / 8] >> (i % 8)) & 1) << "i = " << k + i;
}

}  // namespace
}  // namespace detnum
