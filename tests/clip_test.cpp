// Gradient clipping on the CPU: the fast path equals the reference bit for bit at every thread
// count; the reference is the norm of nrm2's norms and PyTorch's coefficient; special values,
// edge cases and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "clip_cases.hpp"
#include "detnum/clip.hpp"
#include "detnum/reduce.hpp"
#include "support/bits.hpp"
#include "support/errors.hpp"

namespace detnum::test {
namespace {

constexpr CpuOptions kOptions[] = {{1, CpuSimd::best}, {2, CpuSimd::best}, {3, CpuSimd::best},
                                   {5, CpuSimd::best}, {8, CpuSimd::best}, {3, CpuSimd::portable}};

TEST(Clip, FastEqualsReferenceAtEveryThreadCount) {
  for (const ClipCase& c : clip_cases())
    for (const float max_norm : kMaxNorms) {
      SCOPED_TRACE(c.name + ", max_norm " + std::to_string(max_norm));
      std::vector<std::vector<float>> want = clip_inputs(c, 41);
      const float want_norm = ref::clip_grad_norm(tensors_of(want), max_norm);
      for (const CpuOptions o : kOptions) {
        SCOPED_TRACE(std::to_string(o.threads) + " threads" + (o.simd == CpuSimd::portable ? ", portable" : ""));
        std::vector<std::vector<float>> got = clip_inputs(c, 41);
        EXPECT_TRUE(same_value(want_norm, clip_grad_norm(tensors_of(got), max_norm, o)));
        for (std::size_t t = 0; t < want.size(); ++t) EXPECT_TRUE(same_bits(want[t], got[t])) << "tensor " << t;
      }
    }
}

// The definition written out again: N = nrm2 of the tensors' nrm2s, c = (1 / (N + 1e-6f)) *
// max_norm capped at 1 (a NaN stays), g = g * c with the canonical NaN.
TEST(Clip, ReferenceIsTheNormOfTheNormsAndPyTorchsCoefficient) {
  for (const ClipCase& c : clip_cases())
    for (const float max_norm : kMaxNorms) {
      SCOPED_TRACE(c.name + ", max_norm " + std::to_string(max_norm));
      const std::vector<std::vector<float>> before = clip_inputs(c, 42);
      std::vector<float> norms;
      for (const auto& v : before) norms.push_back(nrm2(v.data(), static_cast<std::int64_t>(v.size())));
      const float n = nrm2(norms.data(), static_cast<std::int64_t>(norms.size()));
      float coef = (1.0f / (n + 1e-6f)) * max_norm;
      if (coef > 1.0f) coef = 1.0f;
      std::vector<std::vector<float>> after = before;
      EXPECT_TRUE(same_value(n, ref::clip_grad_norm(tensors_of(after), max_norm)));
      for (std::size_t t = 0; t < before.size(); ++t)
        for (std::size_t i = 0; i < before[t].size(); ++i) {
          const float want = before[t][i] * coef;
          ASSERT_EQ(bits_of(after[t][i]), std::isnan(want) ? kCanonicalNanF32 : bits_of(want))
              << "tensor " << t << ", element " << i;
        }
    }
}

TEST(Clip, KnownValues) {
  std::vector<std::vector<float>> g = {{3.0f, 4.0f}, {}, {0.0f}};
  EXPECT_EQ(clip_grad_norm(tensors_of(g), 10.0f), 5.0f);  // below max_norm: unchanged
  EXPECT_EQ(g[0], (std::vector<float>{3.0f, 4.0f}));
  EXPECT_EQ(clip_grad_norm(tensors_of(g), 1.0f), 5.0f);
  const float c = (1.0f / (5.0f + 1e-6f)) * 1.0f;
  EXPECT_EQ(g[0], (std::vector<float>{3.0f * c, 4.0f * c}));
  EXPECT_NEAR(g[0][0], 0.6f, 1e-6f);
  EXPECT_EQ(bits_of(g[2][0]), 0u);
  // Two tensors: N is the norm of their norms (5 and 12 give 13).
  std::vector<std::vector<float>> two = {{3.0f, 4.0f}, {12.0f}};
  EXPECT_EQ(clip_grad_norm(tensors_of(two), 26.0f), 13.0f);
  std::vector<std::vector<float>> none;
  EXPECT_EQ(bits_of(clip_grad_norm(tensors_of(none), 1.0f)), 0u);
}

// PyTorch's coefficient is the reciprocal of N + 1e-6 times max_norm, rounded twice: with max_norm
// 5 and N = 5.37f it is 0x3f6e5c79 (a single division gives 0x3f6e5c7a), so 5.37f becomes
// 0x409ffffe (worked out with float32 arithmetic, as PyTorch does it).
TEST(Clip, PyTorchsRounding) {
  for (const bool fast : {true, false}) {
    std::vector<std::vector<float>> g = {{5.37f}, {}, {0.0f}};
    const float n = fast ? clip_grad_norm(tensors_of(g), 5.0f) : ref::clip_grad_norm(tensors_of(g), 5.0f);
    EXPECT_EQ(n, 5.37f);
    EXPECT_EQ(bits_of(g[0][0]), 0x409ffffeu) << (fast ? "fast path" : "reference");
  }
}

TEST(Clip, NonFiniteGradients) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<std::vector<float>> g = {{1.0f, std::nanf("")}, {2.0f}};
  EXPECT_EQ(bits_of(clip_grad_norm(tensors_of(g), 1.0f)), kCanonicalNanF32);
  for (const auto& v : g)
    for (const float x : v) EXPECT_EQ(bits_of(x), kCanonicalNanF32);
  // N = +Inf: c = 0, so finite gradients become zeros of their sign and infinite ones NaN.
  std::vector<std::vector<float>> h = {{-1.0f, inf}, {2.0f}};
  EXPECT_EQ(clip_grad_norm(tensors_of(h), 1.0f), inf);
  EXPECT_EQ(bits_of(h[0][0]), 0x80000000u);
  EXPECT_EQ(bits_of(h[0][1]), kCanonicalNanF32);
  EXPECT_EQ(bits_of(h[1][0]), 0u);
  // Finite gradients whose N overflows; with max_norm = +Inf too, c = Inf / Inf: all NaN.
  std::vector<std::vector<float>> big = {{3e38f, 3e38f}, {1.0f}};
  EXPECT_EQ(clip_grad_norm(tensors_of(big), inf), inf);
  for (const auto& v : big)
    for (const float x : v) EXPECT_EQ(bits_of(x), kCanonicalNanF32);
  // Subnormal gradients under a limit: c = 1, unchanged, not flushed.
  std::vector<std::vector<float>> tiny = {{1e-40f, -3e-42f}, {0.0f}};
  const std::vector<std::vector<float>> tiny0 = tiny;
  EXPECT_GT(clip_grad_norm(tensors_of(tiny), 1.0f), 0.0f);
  EXPECT_EQ(tiny, tiny0);
}

TEST(Clip, Errors) {
  std::vector<float> a(8, 1.0f), b(4, 2.0f);
  const std::vector<float> a0 = a, b0 = b;
  const auto unchanged = [&] {
    EXPECT_EQ(a, a0);
    EXPECT_EQ(b, b0);
  };
  for (const float bad : {-1.0f, std::nanf("")}) {
    const std::vector<GradTensor> list = {{a.data(), 8}};
    expect_error([&] { clip_grad_norm(list, bad); }, ErrorCode::invalid_argument,
                 "clip_grad_norm: max_norm must be >= 0 (+inf: no clipping), got " + std::string(bad < 0 ? "-1" : "nan"));
  }
  expect_error([&] { clip_grad_norm(std::vector<GradTensor>{{a.data(), 8}, {b.data(), -1}}, 1.0f); },
               ErrorCode::size_out_of_range, "clip_grad_norm: grads[1].n must be >= 0, got -1");
  expect_error([&] { ref::clip_grad_norm(std::vector<GradTensor>{{nullptr, 3}}, 1.0f); }, ErrorCode::null_pointer,
               "ref::clip_grad_norm: grads[0].data must not be null");
  // Overlapping tensors would be scaled twice where they overlap: named, in address order.
  expect_error([&] { clip_grad_norm(std::vector<GradTensor>{{b.data(), 4}, {a.data() + 4, 4}, {a.data(), 5}}, 1.0f); },
               ErrorCode::unsupported_aliasing, "grads[2].data and grads[1].data must not overlap");
  expect_error([&] { clip_grad_norm(std::vector<GradTensor>{{a.data(), 8}, {a.data(), 8}}, 1.0f); },
               ErrorCode::unsupported_aliasing, "must not overlap");
  // Adjacent tensors, and empty ones anywhere, are fine.
  std::vector<float> c = a;
  EXPECT_NO_THROW(clip_grad_norm(std::vector<GradTensor>{{c.data(), 4}, {c.data() + 4, 4}, {c.data(), 0}}, 1e30f));
  unchanged();
}

}  // namespace
}  // namespace detnum::test
