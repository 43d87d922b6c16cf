// The losses on the CPU (the mean squared error, the binary cross-entropy of logits): the fast
// path equals the reference bit for bit at every thread count and SIMD kind; the mean and the sum
// are detnum::mean and detnum::sum of the per-element terms; the values follow the float64
// formulas; edge values; bad arguments get detnum::Error and nothing is written.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "detnum/detail/loss_order.hpp"
#include "detnum/loss.hpp"
#include "detnum/math.hpp"
#include "detnum/reduce.hpp"
#include "loss_cases.hpp"
#include "loss_sweep.hpp"
#include "support/bits.hpp"
#include "support/errors.hpp"

namespace detnum::test {
namespace {

constexpr CpuOptions kFastOptions[] = {{1, CpuSimd::best}, {2, CpuSimd::best}, {3, CpuSimd::best},
                                       {5, CpuSimd::best}, {8, CpuSimd::best}, {3, CpuSimd::portable}};

// detnum:: with the options bound, in the shape call_loss takes.
struct CpuLosses {
  CpuOptions o;
  void mse_loss(const float* x, const float* t, std::int64_t n, LossReduction r, float* l, float* dx) const {
    detnum::mse_loss(x, t, n, r, l, dx, o);
  }
  void binary_cross_entropy_with_logits(const float* x, const float* t, std::int64_t n, LossReduction r, float* l,
                                        float* dx) const {
    detnum::binary_cross_entropy_with_logits(x, t, n, r, l, dx, o);
  }
};

TEST(Loss, FastEqualsReference) {
  for_each_loss_case([](const LossCase& c, const LossOutputs& want) {
    for (const CpuOptions o : kFastOptions) {
      LossOutputs got = loss_buffers(c);
      call_loss(CpuLosses{o}, c.op, c.x.data(), c.target.data(), c.n, c.reduction, got.loss.data(),
                c.with_dx ? got.dx.data() : nullptr);
      EXPECT_TRUE(same_bits(want.loss, got.loss)) << o.threads << " threads";
      EXPECT_TRUE(same_bits(want.dx, got.dx)) << o.threads << " threads";
    }
  });
  // A reduction is finite in the cases above (the comparison would be empty for NaN), so one
  // NaN in the last chunk, which must make the mean and the sum the canonical NaN.
  for (const LossOp op : kLossOps)
    for (const LossReduction r : {LossReduction::mean, LossReduction::sum}) {
      const LossCase c(op, 24577, r, false, 31, true);
      LossOutputs got = loss_buffers(c);
      call_loss(CpuLosses{{3}}, op, c.x.data(), c.target.data(), c.n, r, got.loss.data(), nullptr);
      EXPECT_EQ(bits_of(got.loss[0]), kCanonicalNanF32) << c.describe();
      EXPECT_TRUE(same_bits(reference_loss(c).loss, got.loss)) << c.describe();
    }
}

// The reductions' cases are finite (or nothing above would compare a reduction at all).
TEST(Loss, ReductionCasesAreFinite) {
  for (const LossOp op : kLossOps)
    for (const std::int64_t n : kLossSizes)
      for (const LossReduction r : {LossReduction::mean, LossReduction::sum}) {
        const LossCase c(op, n, r, false);
        const float loss = reference_loss(c).loss[0];
        EXPECT_TRUE(n == 0 ? (r == LossReduction::sum ? loss == 0.0f : loss != loss) : std::isfinite(loss))
            << c.describe() << ": " << loss;
      }
}

// The mean and the sum are detnum::mean and detnum::sum of the per-element losses; the sum's
// gradient is 2 (x - t) exactly, and every reduction's gradient row is the same function of its
// own elements (the mean's scaled by 2 / n).
TEST(Loss, MseReductionsOfTheSameTerms) {
  constexpr std::int64_t n = 20000;
  const LossCase c(LossOp::mse, n, LossReduction::sum, true, 41);  // finite inputs: a finite sum
  std::vector<float> terms(n), dx_none(n), dx_sum(n), dx_mean(n);
  float mean_loss = 0.0f, sum_loss = 0.0f;
  mse_loss(c.x.data(), c.target.data(), n, LossReduction::none, terms.data(), dx_none.data());
  mse_loss(c.x.data(), c.target.data(), n, LossReduction::sum, &sum_loss, dx_sum.data(), CpuOptions{2});
  mse_loss(c.x.data(), c.target.data(), n, LossReduction::mean, &mean_loss, dx_mean.data(), CpuOptions{3});
  ASSERT_TRUE(std::isfinite(sum_loss));
  EXPECT_EQ(bits_of(sum_loss), bits_of(sum(terms.data(), n)));
  EXPECT_EQ(bits_of(mean_loss), bits_of(mean(terms.data(), n)));
  EXPECT_TRUE(same_bits(dx_none, dx_sum));
  const float factor = 2.0f / static_cast<float>(n);
  for (std::int64_t j = 0; j < n; ++j) {
    const float d = c.x[j] - c.target[j];
    ASSERT_EQ(bits_of(canonicalize(d * d)), bits_of(terms[j])) << j;
    ASSERT_EQ(bits_of(canonicalize(d * 2.0f)), bits_of(dx_sum[j])) << j;
    ASSERT_EQ(bits_of(canonicalize(d * factor)), bits_of(dx_mean[j])) << j;
  }
}

// Against the float64 formula on finite inputs: each term rounds twice (d, then d * d: within
// 3u relative, u = 2^-24), the canonical sum of n = 100003 nonnegative terms errs by under
// 142u of their sum (ORDER.md's bound, h = 2 levels), and the mean's division once more.
TEST(Loss, MseIsCloseToTheDoubleFormula) {
  constexpr std::int64_t n = 100003;
  std::vector<float> x(n), t(n);
  for (std::int64_t j = 0; j < n; ++j) {
    x[j] = static_cast<float>(std::sin(0.001 * static_cast<double>(j))) * 3.0f;
    t[j] = static_cast<float>(std::cos(0.0007 * static_cast<double>(j)));
  }
  double want = 0.0;
  for (std::int64_t j = 0; j < n; ++j) {
    const double d = static_cast<double>(x[j]) - static_cast<double>(t[j]);
    want += d * d;
  }
  float got_sum = 0.0f, got_mean = 0.0f;
  mse_loss(x.data(), t.data(), n, LossReduction::sum, &got_sum, nullptr);
  mse_loss(x.data(), t.data(), n, LossReduction::mean, &got_mean, nullptr);
  const double bound = (142.0 + 3.0 + 1.0) * 0x1p-24;
  EXPECT_NEAR(got_sum, want, bound * want);
  EXPECT_NEAR(got_mean, want / n, bound * want / n);
}

TEST(Loss, MseEdgeValues) {
  const float kInf = std::numeric_limits<float>::infinity();
  float loss = 1.0f;
  // No elements: the mean is NaN, the sum +0.
  mse_loss(nullptr, nullptr, 0, LossReduction::mean, &loss, nullptr);
  EXPECT_EQ(bits_of(loss), kCanonicalNanF32);
  mse_loss(nullptr, nullptr, 0, LossReduction::sum, &loss, nullptr);
  EXPECT_EQ(bits_of(loss), 0u);
  // Inf - Inf and a NaN give canonical NaNs; Inf - finite gives +Inf and a gradient of +-Inf.
  const float x[] = {kInf, std::nanf("3"), -kInf, 1.5f}, t[] = {kInf, 0.0f, 2.0f, 1.5f};
  float terms[4], dx[4];
  mse_loss(x, t, 4, LossReduction::none, terms, dx);
  EXPECT_EQ(bits_of(terms[0]), kCanonicalNanF32);
  EXPECT_EQ(bits_of(terms[1]), kCanonicalNanF32);
  EXPECT_EQ(terms[2], kInf);
  EXPECT_EQ(bits_of(terms[3]), 0u);
  EXPECT_EQ(bits_of(dx[0]), kCanonicalNanF32);
  EXPECT_EQ(dx[2], -kInf);
  EXPECT_EQ(bits_of(dx[3]), 0u);
  mse_loss(x, t, 4, LossReduction::mean, &loss, nullptr);
  EXPECT_EQ(bits_of(loss), kCanonicalNanF32);
}

// The cross-entropy's terms and gradient against the float64 formulas, and the reductions of the
// same terms: log_sigmoid's log(1 + exp(-|x|)) loses its term once exp(-|x|) < 2^-24, so the
// bound is absolute (a few 2^-24) plus relative (a few roundings of each product).
TEST(Loss, BceWithLogitsIsCloseToTheDoubleFormula) {
  std::vector<float> x, t;
  for (int i = -3000; i <= 3000; ++i)
    for (const float target : {0.0f, 1.0f, 0.25f}) {
      x.push_back(static_cast<float>(i) / 100.0f);
      t.push_back(target);
    }
  const auto n = static_cast<std::int64_t>(x.size());
  std::vector<float> terms(n), dx(n), dx_mean(n);
  binary_cross_entropy_with_logits(x.data(), t.data(), n, LossReduction::none, terms.data(), dx.data());
  float mean_loss = 0.0f, sum_loss = 0.0f;
  binary_cross_entropy_with_logits(x.data(), t.data(), n, LossReduction::mean, &mean_loss, dx_mean.data(), {3});
  binary_cross_entropy_with_logits(x.data(), t.data(), n, LossReduction::sum, &sum_loss, nullptr, {2});
  EXPECT_EQ(bits_of(mean_loss), bits_of(mean(terms.data(), n)));
  EXPECT_EQ(bits_of(sum_loss), bits_of(sum(terms.data(), n)));
  for (std::int64_t j = 0; j < n; ++j) {
    const double xd = x[j], td = t[j];
    const double want = (1.0 - td) * xd + std::log1p(std::exp(-std::fabs(xd))) - std::min(xd, 0.0);
    const double s = 1.0 / (1.0 + std::exp(-xd));
    EXPECT_NEAR(terms[j], want, 4e-7 * ((1.0 - td) * std::fabs(xd) + std::fabs(want)) + 0x1p-22) << "x " << x[j];
    EXPECT_NEAR(dx[j], s - td, 2e-7 * std::fabs(s) + 0x1p-24 * std::fabs(td)) << "x " << x[j];
    ASSERT_EQ(bits_of(dx_mean[j]), bits_of(canonicalize(dx[j] / static_cast<float>(n)))) << j;
  }
  // Huge logits do not overflow: the terms are |x| (wrong side) or +0 (right side).
  const float big[] = {1e30f, -1e30f, 1e30f, 3.0e38f}, labels[] = {0.0f, 1.0f, 1.0f, 1.0f};
  float out[4];
  binary_cross_entropy_with_logits(big, labels, 4, LossReduction::none, out, nullptr);
  EXPECT_EQ(out[0], 1e30f);
  EXPECT_EQ(out[1], 1e30f);
  EXPECT_EQ(bits_of(out[2]), 0u);
  EXPECT_EQ(bits_of(out[3]), 0u);
}

// Every 251st float as a logit; every float: math_exhaustive_test.
TEST(Loss, BceWithLogitsVectorLoopEqualsPortableOnSampledFloats) { bce_paths_agree(251); }

// The cross-entropy's edge values, from its formula: NaN from a NaN, from 0 * Inf ((1 - t) x with
// t = 1 at x = +-Inf, and t = Inf) and from -Inf - (-Inf) (x = -Inf with t = 0); +Inf for the
// wrong side's +Inf; -0 is +0's twin (log(2) either way).
TEST(Loss, BceWithLogitsEdgeValues) {
  const float kInf = std::numeric_limits<float>::infinity(), kNan = std::numeric_limits<float>::quiet_NaN();
  const float x[] = {kNan, 0.5f, kInf, -kInf, kInf, -kInf, -0.0f, 0.0f, 0.0f};
  const float t[] = {0.0f, kNan, 1.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f, kInf};
  float l[9], dx[9];
  binary_cross_entropy_with_logits(x, t, 9, LossReduction::none, l, dx);
  for (const int j : {0, 1, 2, 3, 5, 8}) EXPECT_EQ(bits_of(l[j]), kCanonicalNanF32) << j;  // (1 - 1) (-Inf) too
  EXPECT_EQ(l[4], kInf);  // (1 - 0) Inf - (0 - log(1))
  EXPECT_EQ(bits_of(l[6]), bits_of(l[7]));
  EXPECT_EQ(l[7], math::log(2.0f));
  EXPECT_EQ(dx[6], 0.5f);
  EXPECT_EQ(bits_of(dx[2]), 0u);  // sigmoid(+Inf) - 1
  float loss = 1.0f;
  binary_cross_entropy_with_logits(nullptr, nullptr, 0, LossReduction::mean, &loss, nullptr);
  EXPECT_EQ(bits_of(loss), kCanonicalNanF32);
  binary_cross_entropy_with_logits(nullptr, nullptr, 0, LossReduction::sum, &loss, nullptr);
  EXPECT_EQ(bits_of(loss), 0u);
}

TEST(Loss, MseBadInputIsAnError) {
  std::vector<float> x(8, 1.0f), t(8, 2.0f), dx(8, 7.0f), losses(8, 7.0f);
  float loss = 7.0f;
  expect_error([&] { mse_loss(x.data(), t.data(), -1, LossReduction::mean, &loss, nullptr); },
               ErrorCode::size_out_of_range, "mse_loss: n must be >= 0, got -1");
  expect_error([&] { mse_loss(x.data(), nullptr, 8, LossReduction::mean, &loss, nullptr); }, ErrorCode::null_pointer,
               "mse_loss: target must not be null");
  expect_error([&] { ref::mse_loss(x.data(), t.data(), 8, LossReduction::sum, nullptr, nullptr); },
               ErrorCode::null_pointer, "ref::mse_loss: loss must not be null");
  expect_error([&] { mse_loss(x.data(), t.data(), 8, static_cast<LossReduction>(7), &loss, nullptr); },
               ErrorCode::invalid_argument, "mse_loss: reduction must be mean, sum or none, got 7");
  expect_error([&] { mse_loss(x.data(), t.data(), 8, LossReduction::mean, &loss, x.data()); },
               ErrorCode::unsupported_aliasing, "mse_loss: dx and x must not overlap");
  expect_error([&] { mse_loss(x.data(), t.data(), 8, LossReduction::none, losses.data(), losses.data() + 4); },
               ErrorCode::unsupported_aliasing, "mse_loss: loss and dx must not overlap");
  expect_error([&] { mse_loss(x.data(), t.data(), 8, LossReduction::mean, &loss, dx.data(), CpuOptions{-2}); },
               ErrorCode::invalid_argument, "threads");
  EXPECT_EQ(loss, 7.0f);
  for (const float v : dx) EXPECT_EQ(v, 7.0f);
  for (const float v : losses) EXPECT_EQ(v, 7.0f);
  expect_error([&] { binary_cross_entropy_with_logits(x.data(), t.data(), 8, LossReduction::sum, &loss, t.data()); },
               ErrorCode::unsupported_aliasing, "binary_cross_entropy_with_logits: dx and target must not overlap");
  expect_error([&] { ref::binary_cross_entropy_with_logits(x.data(), t.data(), -4, LossReduction::sum, &loss, nullptr); },
               ErrorCode::size_out_of_range, "ref::binary_cross_entropy_with_logits: n must be >= 0, got -4");
  EXPECT_EQ(loss, 7.0f);
}

}  // namespace
}  // namespace detnum::test
