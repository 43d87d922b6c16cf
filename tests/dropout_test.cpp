// Dropout on the CPU: the fast path at 1, 2, 3 and 7 threads against the scalar reference (bit
// for bit), the reference against the definition computed with Random123, and the properties
// the header promises: split calls, in place, p = 0, +0 where dropped, the keep rate.
#include <gtest/gtest.h>

#include <Random123/philox.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <tuple>
#include <vector>

#include "detnum/dropout.hpp"
#include "dropout_cases.hpp"

namespace detnum {
namespace {

using test::DropoutBackend;
using test::DropoutOutput;
using test::same_bits;

template <class T>
DropoutBackend<T> cpu_backend(CpuOptions opt) {
  return {"cpu/" + std::to_string(opt.threads) + (opt.simd == CpuSimd::portable ? "/portable" : ""),
          [opt](const std::vector<T>& x, const DropoutParams& p) {
            const auto n = static_cast<std::int64_t>(x.size());
            DropoutOutput<T> out{std::vector<T>(x.size()), std::vector<std::uint8_t>(dropout_mask_bytes(n), 0xAB)};
            dropout_forward(x.data(), out.y.data(), n, p, out.mask.data(), opt);
            return out;
          },
          [opt](const std::vector<T>& dy, const std::vector<std::uint8_t>& mask, float p) {
            std::vector<T> dx(dy.size());
            dropout_backward(dy.data(), mask.data(), dx.data(), static_cast<std::int64_t>(dy.size()), p, opt);
            return dx;
          },
          [opt](const std::vector<T>& dy, const DropoutParams& p) {
            std::vector<T> dx(dy.size());
            dropout_backward(dy.data(), dx.data(), static_cast<std::int64_t>(dy.size()), p, opt);
            return dx;
          }};
}

// Thread counts x kernels: the AVX2 kernels (where the CPU has them) and the portable code.
class DropoutCpu : public ::testing::TestWithParam<std::tuple<int, CpuSimd>> {
 protected:
  CpuOptions options() const { return {std::get<0>(GetParam()), std::get<1>(GetParam())}; }
};

TEST_P(DropoutCpu, Float32MatchesReference) { test::expect_matches_reference(cpu_backend<float>(options())); }
TEST_P(DropoutCpu, Bf16MatchesReference) { test::expect_matches_reference(cpu_backend<bf16>(options())); }
INSTANTIATE_TEST_SUITE_P(ThreadsAndKernels, DropoutCpu,
                         ::testing::Combine(::testing::Values(1, 2, 3, 7),
                                            ::testing::Values(CpuSimd::best, CpuSimd::portable)));

// The reference against docs/DETERMINISM.md's definition, with Random123's Philox.
TEST(DropoutReference, FollowsTheDefinition) {
  for (const DropoutParams p : {DropoutParams{0.5f, 7, 3}, DropoutParams{0.1f, 0xFFFFFFFF00000001ull, (1ull << 35) + 1}}) {
    const std::int64_t n = 5000;
    const std::vector<float> x = test::random_floats(n, 11);
    const DropoutOutput<float> got = test::reference_forward(x, p);
    const auto threshold = static_cast<std::uint32_t>(std::floor(static_cast<double>(p.p) * 4294967296.0));
    const float scale = 1.0f / (1.0f - p.p);
    r123::Philox4x32_R<10> philox;
    for (std::int64_t i = 0; i < n; ++i) {
      const std::uint64_t g = p.offset + static_cast<std::uint64_t>(i), b = g / 4;
      const auto words = philox({{std::uint32_t(b), std::uint32_t(b >> 32), 0, 0}},
                                {{std::uint32_t(p.seed), std::uint32_t(p.seed >> 32)}});
      const bool keep = words.v[g % 4] >= threshold;
      const float want = keep ? x[i] * scale : 0.0f;
      ASSERT_EQ(bits_of(got.y[i]), std::isnan(want) ? kCanonicalNanF32 : bits_of(want)) << "i = " << i;
      ASSERT_EQ((got.mask[i / 8] >> (i % 8)) & 1, keep ? 1 : 0) << "i = " << i;
    }
  }
}

TEST(Dropout, SplitCallsContinueTheSameMask) {
  const std::int64_t n = 1000;
  const DropoutParams whole{0.4f, 123, 17};
  const std::vector<float> x = test::random_floats(n, 3);
  const DropoutOutput<float> one = test::reference_forward(x, whole);
  for (std::int64_t k : {1, 3, 4, 5, 64, 500, 999}) {
    std::vector<float> y(n);
    std::vector<std::uint8_t> m1(dropout_mask_bytes(k)), m2(dropout_mask_bytes(n - k));
    dropout_forward(x.data(), y.data(), k, whole, m1.data());
    DropoutParams rest = whole;
    rest.offset += static_cast<std::uint64_t>(k);
    dropout_forward(x.data() + k, y.data() + k, n - k, rest, m2.data(), CpuOptions{3});
    EXPECT_TRUE(same_bits(one.y, y)) << "split at " << k;
    for (std::int64_t i = 0; i < n; ++i) {
      const int bit = i < k ? (m1[i / 8] >> (i % 8)) & 1 : (m2[(i - k) / 8] >> ((i - k) % 8)) & 1;
      ASSERT_EQ(bit, (one.mask[i / 8] >> (i % 8)) & 1) << "split at " << k << ", i = " << i;
    }
  }
}

TEST(Dropout, InPlaceEqualsOutOfPlace) {
  const DropoutParams p{0.2f, 9, 1};
  std::vector<float> x = test::random_floats(70001, 5);
  const DropoutOutput<float> want = test::reference_forward(x, p);
  dropout_forward(x.data(), x.data(), static_cast<std::int64_t>(x.size()), p, nullptr, CpuOptions{2});
  EXPECT_TRUE(same_bits(want.y, x));
}

TEST(Dropout, ProbabilityZeroKeepsEverything) {
  const std::int64_t n = 13;
  const std::vector<float> x = test::random_floats(n, 8);
  const DropoutOutput<float> out = test::reference_forward(x, {0.0f, 1, 0});
  for (std::int64_t i = 0; i < n; ++i) EXPECT_EQ(bits_of(out.y[i]), bits_of(canonicalize(x[i])));
  EXPECT_EQ(out.mask[0], 0xFF);
  EXPECT_EQ(out.mask[1], 0x1F);  // the 3 bits past n are 0
}

TEST(Dropout, DroppedElementsArePositiveZeroWhateverTheInput) {
  const float specials[] = {-1.0f, -0.0f, INFINITY, -INFINITY, NAN, -3e38f};
  std::vector<float> x(4096);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = specials[i % std::size(specials)];
  const DropoutOutput<float> out = test::reference_forward(x, {0.7f, 77, 0});
  int dropped = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!((out.mask[i / 8] >> (i % 8)) & 1)) {
      ++dropped;
      EXPECT_EQ(bits_of(out.y[i]), 0u) << "i = " << i;
    }
  EXPECT_GT(dropped, 0);
}

TEST(Dropout, KeepRateIsOneMinusP) {
  const std::int64_t n = 1 << 20;
  std::vector<float> x(n, 1.0f), y(n);
  std::vector<std::uint8_t> mask(dropout_mask_bytes(n));
  for (float p : {0.01f, 0.1f, 0.5f, 0.9f}) {
    dropout_forward(x.data(), y.data(), n, {p, 2026, 0}, mask.data());
    std::int64_t kept = 0;
    for (std::uint8_t b : mask) kept += std::popcount(b);
    const double expected = n * (1.0 - p), sigma = std::sqrt(n * p * (1.0 - p));
    EXPECT_LT(std::abs(kept - expected), 6 * sigma) << "p = " << p << ": kept " << kept;
  }
}

}  // namespace
}  // namespace detnum
