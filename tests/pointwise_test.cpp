// The pointwise ops and AdamW on the CPU: the fast path equals the reference bit for bit at every
// thread count; the reference's values are checked against double-precision formulas; edge
// values and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "detnum/adamw.hpp"
#include "detnum/detail/pointwise_order.hpp"
#include "detnum/pointwise.hpp"
#include "detnum/sgd.hpp"
#include "activation_sweep.hpp"
#include "pointwise_cases.hpp"
#include "support/bits.hpp"
#include "support/errors.hpp"

namespace detnum::test {
namespace {

constexpr int kThreads[] = {1, 2, 3, 5, 8};
// The fast path's thread counts with the widest loops, and two with the baseline ISA's loops.
constexpr CpuOptions kFastOptions[] = {{1, CpuSimd::best},     {2, CpuSimd::best}, {3, CpuSimd::best},
                                       {5, CpuSimd::best},     {8, CpuSimd::best}, {1, CpuSimd::portable},
                                       {3, CpuSimd::portable}};

std::string describe(CpuOptions o) {
  return std::to_string(o.threads) + " threads" + (o.simd == CpuSimd::portable ? ", portable" : "");
}
constexpr float kInf = std::numeric_limits<float>::infinity();

// Unary and binary ops: reference vs fast path at each thread count, and in place.
template <class Ref, class Fast>
void fast_equals_reference(const Ref& ref, const Fast& fast) {
  for (const std::int64_t n : kPointwiseSizes) {
    const PointwiseInputs in(n);
    std::vector<float> want(static_cast<std::size_t>(n));
    ref(in, want.data(), n);
    for (const CpuOptions o : kFastOptions) {
      std::vector<float> got(want.size(), 1.0f);
      fast(in, got.data(), n, o);
      EXPECT_TRUE(same_bits(want, got)) << "n " << n << ", " << describe(o);
    }
  }
}

TEST(Pointwise, ReluFastEqualsReference) {
  fast_equals_reference([](const PointwiseInputs& in, float* y, std::int64_t n) { ref::relu(in.x.data(), y, n); },
                        [](const PointwiseInputs& in, float* y, std::int64_t n, CpuOptions o) { relu(in.x.data(), y, n, o); });
  fast_equals_reference(
      [](const PointwiseInputs& in, float* dx, std::int64_t n) { ref::relu_backward(in.x.data(), in.dy.data(), dx, n); },
      [](const PointwiseInputs& in, float* dx, std::int64_t n, CpuOptions o) {
        relu_backward(in.x.data(), in.dy.data(), dx, n, o);
      });
}

TEST(Pointwise, GeluFastEqualsReference) {
  fast_equals_reference([](const PointwiseInputs& in, float* y, std::int64_t n) { ref::gelu(in.x.data(), y, n); },
                        [](const PointwiseInputs& in, float* y, std::int64_t n, CpuOptions o) { gelu(in.x.data(), y, n, o); });
  fast_equals_reference(
      [](const PointwiseInputs& in, float* dx, std::int64_t n) { ref::gelu_backward(in.x.data(), in.dy.data(), dx, n); },
      [](const PointwiseInputs& in, float* dx, std::int64_t n, CpuOptions o) {
        gelu_backward(in.x.data(), in.dy.data(), dx, n, o);
      });
}

// Every 251st float (all exponents, both signs, specials' neighbourhoods); every float:
// math_exhaustive_test.
TEST(Pointwise, GeluVectorLoopsEqualPortableOnSampledFloats) {
  activation_paths_agree(251, "gelu", gelu, gelu_backward);
}
TEST(Pointwise, SiluVectorLoopsEqualPortableOnSampledFloats) {
  activation_paths_agree(251, "silu", silu, silu_backward);
}

TEST(Pointwise, SiluFastEqualsReference) {
  fast_equals_reference([](const PointwiseInputs& in, float* y, std::int64_t n) { ref::silu(in.x.data(), y, n); },
                        [](const PointwiseInputs& in, float* y, std::int64_t n, CpuOptions o) { silu(in.x.data(), y, n, o); });
  fast_equals_reference(
      [](const PointwiseInputs& in, float* dx, std::int64_t n) { ref::silu_backward(in.x.data(), in.dy.data(), dx, n); },
      [](const PointwiseInputs& in, float* dx, std::int64_t n, CpuOptions o) {
        silu_backward(in.x.data(), in.dy.data(), dx, n, o);
      });
}

TEST(Pointwise, GeluTanhFastEqualsReference) {
  fast_equals_reference([](const PointwiseInputs& in, float* y, std::int64_t n) { ref::gelu_tanh(in.x.data(), y, n); },
                        [](const PointwiseInputs& in, float* y, std::int64_t n, CpuOptions o) {
                          gelu_tanh(in.x.data(), y, n, o);
                        });
  fast_equals_reference(
      [](const PointwiseInputs& in, float* dx, std::int64_t n) { ref::gelu_tanh_backward(in.x.data(), in.dy.data(), dx, n); },
      [](const PointwiseInputs& in, float* dx, std::int64_t n, CpuOptions o) {
        gelu_tanh_backward(in.x.data(), in.dy.data(), dx, n, o);
      });
}

// Sigmoid and tanh; their backward passes take the forward's output, here random floats with
// specials (any float is a valid input to the formula).
TEST(Pointwise, SigmoidAndTanhFastEqualReference) {
  fast_equals_reference([](const PointwiseInputs& in, float* y, std::int64_t n) { ref::sigmoid(in.x.data(), y, n); },
                        [](const PointwiseInputs& in, float* y, std::int64_t n, CpuOptions o) {
                          sigmoid(in.x.data(), y, n, o);
                        });
  fast_equals_reference(
      [](const PointwiseInputs& in, float* dx, std::int64_t n) { ref::sigmoid_backward(in.x.data(), in.dy.data(), dx, n); },
      [](const PointwiseInputs& in, float* dx, std::int64_t n, CpuOptions o) {
        sigmoid_backward(in.x.data(), in.dy.data(), dx, n, o);
      });
  fast_equals_reference([](const PointwiseInputs& in, float* y, std::int64_t n) { ref::tanh(in.x.data(), y, n); },
                        [](const PointwiseInputs& in, float* y, std::int64_t n, CpuOptions o) {
                          tanh(in.x.data(), y, n, o);
                        });
  fast_equals_reference(
      [](const PointwiseInputs& in, float* dx, std::int64_t n) { ref::tanh_backward(in.x.data(), in.dy.data(), dx, n); },
      [](const PointwiseInputs& in, float* dx, std::int64_t n, CpuOptions o) {
        tanh_backward(in.x.data(), in.dy.data(), dx, n, o);
      });
}

TEST(Pointwise, GeluTanhVectorLoopsEqualPortableOnSampledFloats) {
  activation_paths_agree(251, "gelu_tanh", gelu_tanh, gelu_tanh_backward);
}
TEST(Pointwise, SigmoidAndTanhVectorLoopsEqualPortableOnSampledFloats) {
  activation_paths_agree(251, "sigmoid", sigmoid, sigmoid_backward);
  activation_paths_agree(251, "tanh", tanh, tanh_backward);
}

TEST(Pointwise, InPlaceEqualsOutOfPlace) {
  const PointwiseInputs in(1000);
  std::vector<float> want(1000), got = in.x;
  ref::gelu(in.x.data(), want.data(), 1000);
  gelu(got.data(), got.data(), 1000, CpuOptions{3});
  EXPECT_TRUE(same_bits(want, got));
  got = in.dy;
  ref::relu_backward(in.x.data(), in.dy.data(), want.data(), 1000);
  relu_backward(in.x.data(), got.data(), got.data(), 1000, CpuOptions{2});
  EXPECT_TRUE(same_bits(want, got));
}

TEST(Pointwise, ReluEdgeValues) {
  const std::vector<float> x = {-0.0f, 0.0f, -1.0f, 2.5f, kInf, -kInf, std::nanf("1"), 1e-45f};
  std::vector<float> y(x.size()), dx(x.size());
  const std::vector<float> dy(x.size(), -3.0f);
  ref::relu(x.data(), y.data(), 8);
  ref::relu_backward(x.data(), dy.data(), dx.data(), 8);
  const std::vector<float> want_y = {0.0f, 0.0f, 0.0f, 2.5f, kInf, 0.0f, float_from_bits(kCanonicalNanF32), 1e-45f};
  const std::vector<float> want_dx = {0.0f, 0.0f, 0.0f, -3.0f, -3.0f, 0.0f, float_from_bits(kCanonicalNanF32), -3.0f};
  EXPECT_TRUE(same_bits(want_y, y));
  EXPECT_TRUE(same_bits(want_dx, dx));
}

// GELU against x Phi(x) and its derivative in double. 1 + erf(t) cancels for negative x (as in
// PyTorch's formula, which this is), so the bound is absolute there: erf is within one ulp
// (< 2^-24 near -1) and t = x / sqrt 2 rounds once, so 1 + erf errs by under 2^-23, and the
// output by 0.5 |x| 2^-23, plus a few roundings relative to the result.
TEST(Pointwise, GeluIsCloseToTheDoubleFormula) {
  std::vector<float> x;
  for (int i = -4000; i <= 4000; ++i) x.push_back(static_cast<float>(i) / 500.0f);
  const auto n = static_cast<std::int64_t>(x.size());
  std::vector<float> y(x.size()), dx(x.size());
  const std::vector<float> ones(x.size(), 1.0f);
  ref::gelu(x.data(), y.data(), n);
  ref::gelu_backward(x.data(), ones.data(), dx.data(), n);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double xd = x[i], cdf = 0.5 * std::erfc(-xd / std::sqrt(2.0));
    const double pdf = std::exp(-0.5 * xd * xd) / std::sqrt(2.0 * M_PI);
    const double want = xd * cdf, want_grad = cdf + xd * pdf;
    EXPECT_NEAR(y[i], want, 4e-7 * std::fabs(want) + 0.5 * std::fabs(xd) * 0x1p-23) << "x " << x[i];
    EXPECT_NEAR(dx[i], want_grad, 2e-6 * std::fabs(want_grad) + 2e-7) << "x " << x[i];
  }
  const float edge[] = {0.0f, -0.0f, kInf};
  float out[3];
  ref::gelu(edge, out, 3);
  EXPECT_EQ(bits_of(out[0]), 0u);
  EXPECT_EQ(bits_of(out[1]), 0x80000000u);  // (0.5 * -0) * 1 = -0
  EXPECT_EQ(out[2], kInf);
}

// SiLU against x / (1 + e^-x) and its derivative in double: a few roundings relative to the
// result (exp within one ulp; 1 + e^-x, the division and the gradient's steps round once each),
// except where 1 - s cancels (x well below 0, s near 1 is not a concern: there 1 - s is exact
// by Sterbenz for s >= 1/2), so the gradient's bound is relative to its terms' sizes.
TEST(Pointwise, SiluIsCloseToTheDoubleFormula) {
  std::vector<float> x;
  for (int i = -4000; i <= 4000; ++i) x.push_back(static_cast<float>(i) / 50.0f);
  const auto n = static_cast<std::int64_t>(x.size());
  std::vector<float> y(x.size()), dx(x.size());
  const std::vector<float> ones(x.size(), 1.0f);
  ref::silu(x.data(), y.data(), n);
  ref::silu_backward(x.data(), ones.data(), dx.data(), n);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double xd = x[i], s = 1.0 / (1.0 + std::exp(-xd));
    const double want = xd * s, want_grad = s * (1.0 + xd * (1.0 - s));
    EXPECT_NEAR(y[i], want, 4e-7 * std::fabs(want)) << "x " << x[i];
    EXPECT_NEAR(dx[i], want_grad, 1e-6 * (s * (1.0 + std::fabs(xd) * (1.0 - s))) + 1e-30) << "x " << x[i];
  }
  // The formula's specials: silu(-0) = -0, silu(+Inf) = +Inf, silu(-Inf) = NaN (-Inf / +Inf), a
  // large negative x gives -0; the gradient is NaN at +-Inf (Inf * 0) and 1/2 at 0.
  const float edge[] = {-0.0f, kInf, -kInf, -100.0f, 0.0f};
  float out[5], grad[5];
  const float dy[5] = {1.0f, 1.0f, 1.0f, 1.0f, 1.0f};
  ref::silu(edge, out, 5);
  ref::silu_backward(edge, dy, grad, 5);
  EXPECT_EQ(bits_of(out[0]), 0x80000000u);
  EXPECT_EQ(out[1], kInf);
  EXPECT_EQ(bits_of(out[2]), kCanonicalNanF32);
  EXPECT_EQ(bits_of(out[3]), 0x80000000u);
  EXPECT_EQ(bits_of(grad[1]), kCanonicalNanF32);
  EXPECT_EQ(bits_of(grad[2]), kCanonicalNanF32);
  EXPECT_EQ(grad[4], 0.5f);
}

// GELU's tanh form against the same formula in double, with the same float constants: tanh is
// correctly rounded and its argument rounds a few times (each moving t by at most
// 2^-24 |inner| (1 - t^2) < 2^-25), so 1 + t errs by under 2^-22 where it cancels (x well below
// 0), and the output by 0.5 |x| 2^-22, plus a few roundings relative to the result. The
// gradient's 1 - t t cancels too, by at most 2^-24 before its factor 0.5 |x| beta (1 + 3 kappa x^2).
TEST(Pointwise, GeluTanhIsCloseToTheDoubleFormula) {
  std::vector<float> x;
  for (int i = -4000; i <= 4000; ++i) x.push_back(static_cast<float>(i) / 500.0f);
  const auto n = static_cast<std::int64_t>(x.size());
  std::vector<float> y(x.size()), dx(x.size());
  const std::vector<float> ones(x.size(), 1.0f);
  ref::gelu_tanh(x.data(), y.data(), n);
  ref::gelu_tanh_backward(x.data(), ones.data(), dx.data(), n);
  const double beta = detail::kGeluTanhBeta, kappa = detail::kGeluTanhKappa;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double xd = x[i], t = std::tanh(beta * (xd + kappa * xd * xd * xd));
    const double want = 0.5 * xd * (1.0 + t);
    const double left = 0.5 * (1.0 + t), factor = 0.5 * std::fabs(xd) * beta * (1.0 + 3.0 * kappa * xd * xd);
    const double right = 0.5 * xd * (1.0 - t * t) * beta * (1.0 + 3.0 * kappa * xd * xd);
    EXPECT_NEAR(y[i], want, 4e-7 * std::fabs(want) + 0.5 * std::fabs(xd) * 0x1p-22) << "x " << x[i];
    EXPECT_NEAR(dx[i], left + right, 1e-6 * (std::fabs(left) + std::fabs(right)) + 0x1p-22 + factor * 0x1p-22)
        << "x " << x[i];
  }
  // (0.5 -0)(1 + tanh(-0)) = -0; +Inf; -Inf * 0 = NaN at -Inf, and -0 where tanh is -1.
  const float edge[] = {-0.0f, kInf, -kInf, -100.0f};
  float out[4];
  ref::gelu_tanh(edge, out, 4);
  EXPECT_EQ(bits_of(out[0]), 0x80000000u);
  EXPECT_EQ(out[1], kInf);
  EXPECT_EQ(bits_of(out[2]), kCanonicalNanF32);
  EXPECT_EQ(bits_of(out[3]), 0x80000000u);
  // The gradient: 0.5 at +-0; NaN at +-Inf and where x * x overflows (finite x too), +0 below.
  const float gx[] = {-0.0f, 1.8e19f, 1.9e19f, -1.9e19f, kInf, -kInf, -1e19f};
  const float ones4[] = {1, 1, 1, 1, 1, 1, 1};
  float g[7];
  ref::gelu_tanh_backward(gx, ones4, g, 7);
  EXPECT_EQ(g[0], 0.5f);
  EXPECT_EQ(g[1], 1.0f);
  for (int i = 2; i < 6; ++i) EXPECT_EQ(bits_of(g[i]), kCanonicalNanF32) << gx[i];
  EXPECT_EQ(bits_of(g[6]), 0u);
}

// Sigmoid against 1 / (1 + e^-x) in double (exp correctly rounded, then two roundings); the
// gradients against their formulas in double of the same float y: a few roundings, and tanh's
// 1 - y y cancels by at most 2^-24 y^2.
TEST(Pointwise, SigmoidAndTanhAreCloseToTheDoubleFormulas) {
  std::vector<float> x;
  for (int i = -4000; i <= 4000; ++i) x.push_back(static_cast<float>(i) / 50.0f);
  const auto n = static_cast<std::int64_t>(x.size());
  std::vector<float> s(x.size()), t(x.size()), ds(x.size()), dt(x.size());
  const std::vector<float> ones(x.size(), 1.0f);
  ref::sigmoid(x.data(), s.data(), n);
  ref::tanh(x.data(), t.data(), n);
  ref::sigmoid_backward(s.data(), ones.data(), ds.data(), n);
  ref::tanh_backward(t.data(), ones.data(), dt.data(), n);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double want = 1.0 / (1.0 + std::exp(-static_cast<double>(x[i])));
    EXPECT_NEAR(s[i], want, 3e-7 * want) << "x " << x[i];
    EXPECT_EQ(t[i], static_cast<float>(std::tanh(static_cast<double>(x[i])))) << "x " << x[i];
    const double sd = s[i], td = t[i];
    EXPECT_NEAR(ds[i], (1.0 - sd) * sd, 2.5e-7 * (1.0 - sd) * sd) << "x " << x[i];
    EXPECT_NEAR(dt[i], 1.0 - td * td, 0x1p-24 * (td * td + 2.0 * (1.0 - td * td))) << "x " << x[i];
  }
  // sigmoid(-Inf) = +0, sigmoid(+Inf) = 1, tanh(-0) = -0; the gradients at y = 1: +0.
  const float edge[] = {-kInf, kInf, -0.0f, std::nanf("7")};
  float out[4];
  ref::sigmoid(edge, out, 4);
  EXPECT_EQ(bits_of(out[0]), 0u);
  EXPECT_EQ(out[1], 1.0f);
  EXPECT_EQ(out[2], 0.5f);
  EXPECT_EQ(bits_of(out[3]), kCanonicalNanF32);
  ref::tanh(edge, out, 4);
  EXPECT_EQ(out[0], -1.0f);
  EXPECT_EQ(bits_of(out[2]), 0x80000000u);
  EXPECT_EQ(bits_of(out[3]), kCanonicalNanF32);
  const float one = 1.0f, dy = 5.0f;
  float g;
  ref::sigmoid_backward(&one, &dy, &g, 1);
  EXPECT_EQ(bits_of(g), 0u);
  ref::tanh_backward(&one, &dy, &g, 1);
  EXPECT_EQ(bits_of(g), 0u);
}

TEST(Pointwise, BiasAddFastEqualsReference) {
  for (const auto& [rows, cols] : kBiasShapes) {
    const std::vector<float> x = random_floats(rows * cols, 21), bias = random_floats(cols, 22);
    std::vector<float> want(x.size());
    ref::bias_add(x.data(), bias.data(), want.data(), rows, cols);
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t c = 0; c < cols; ++c) {
        const float sum = x[r * cols + c] + bias[c];
        ASSERT_TRUE(same_bits(std::vector<float>{sum != sum ? float_from_bits(kCanonicalNanF32) : sum},
                              std::vector<float>{want[r * cols + c]}));
      }
    for (const int t : kThreads) {
      std::vector<float> got = x;
      bias_add(got.data(), bias.data(), got.data(), rows, cols, CpuOptions{t});
      EXPECT_TRUE(same_bits(want, got)) << rows << " x " << cols << ", threads " << t;
    }
  }
}

TEST(Pointwise, AdamWFastEqualsReference) {
  const AdamWParams p{1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 7};
  for (const std::int64_t n : kPointwiseSizes) {
    const PointwiseInputs in(n);
    std::vector<float> wp = in.x, wm = in.m, wv = in.v;
    ref::adamw_step(wp.data(), in.dy.data(), wm.data(), wv.data(), n, p);
    for (const CpuOptions o : kFastOptions) {
      std::vector<float> gp = in.x, gm = in.m, gv = in.v;
      adamw_step(gp.data(), in.dy.data(), gm.data(), gv.data(), n, p, o);
      EXPECT_TRUE(same_bits(wp, gp)) << "param, n " << n << ", " << describe(o);
      EXPECT_TRUE(same_bits(wm, gm)) << "m, n " << n << ", " << describe(o);
      EXPECT_TRUE(same_bits(wv, gv)) << "v, n " << n << ", " << describe(o);
    }
  }
}

// A list of tensors updated at once: each tensor's bits are those of its own call, for the
// reference and the fast path at every thread count.
TEST(Pointwise, AdamWOfAListIsEachTensorsUpdate) {
  const AdamWParams p{1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 7};
  std::vector<PointwiseInputs> want = adamw_model();
  for (PointwiseInputs& t : want)
    ref::adamw_step(t.x.data(), t.dy.data(), t.m.data(), t.v.data(), static_cast<std::int64_t>(t.x.size()), p);
  const auto same = [&](const std::vector<PointwiseInputs>& got, const std::string& what) {
    for (std::size_t t = 0; t < want.size(); ++t) {
      EXPECT_TRUE(same_bits(want[t].x, got[t].x)) << what << ": param of tensor " << t;
      EXPECT_TRUE(same_bits(want[t].m, got[t].m)) << what << ": m of tensor " << t;
      EXPECT_TRUE(same_bits(want[t].v, got[t].v)) << what << ": v of tensor " << t;
    }
  };
  std::vector<PointwiseInputs> r = adamw_model();
  ref::adamw_step(adamw_list(r), p);
  same(r, "ref");
  for (const CpuOptions o : kFastOptions) {
    std::vector<PointwiseInputs> got = adamw_model();
    adamw_step(adamw_list(got), p, o);
    same(got, describe(o));
  }
}

// Ten steps against the textbook update in double, on ordinary values.
TEST(Pointwise, AdamWFollowsTheDoubleFormula) {
  constexpr int kN = 64;
  std::vector<float> param(kN), m(kN, 0.0f), v(kN, 0.0f), grad(kN);
  std::vector<double> pd(kN), md(kN, 0.0), vd(kN, 0.0);
  for (int i = 0; i < kN; ++i) param[i] = static_cast<float>(pd[i] = 0.5 - i / 64.0);
  AdamWParams p{0.01f, 0.9f, 0.999f, 1e-8f, 0.1f, 1};
  for (int step = 1; step <= 10; ++step) {
    for (int i = 0; i < kN; ++i) grad[i] = static_cast<float>(std::sin(i + step));
    p.step = step;
    ref::adamw_step(param.data(), grad.data(), m.data(), v.data(), kN, p);
    for (int i = 0; i < kN; ++i) {
      const double g = grad[i], lr = p.lr, b1 = p.beta1, b2 = p.beta2;
      pd[i] *= 1.0 - lr * p.weight_decay;
      md[i] = b1 * md[i] + (1 - b1) * g;
      vd[i] = b2 * vd[i] + (1 - b2) * g * g;
      const double mhat = md[i] / (1 - std::pow(b1, step)), vhat = vd[i] / (1 - std::pow(b2, step));
      pd[i] -= lr * mhat / (std::sqrt(vhat) + p.eps);
    }
  }
  for (int i = 0; i < kN; ++i) EXPECT_NEAR(param[i], pd[i], 1e-6) << "element " << i;
}

// Each SGD case at every thread count: param and buffer have the reference's bits; with no
// momentum a null buffer is fine and nothing else is touched.
TEST(Pointwise, SgdFastEqualsReference) {
  for (const SgdParams& p : kSgdCases) {
    SCOPED_TRACE("momentum " + std::to_string(p.momentum) + ", step " + std::to_string(p.step) +
                 (p.nesterov ? ", nesterov" : ""));
    for (const std::int64_t n : kPointwiseSizes) {
      const PointwiseInputs in(n);
      std::vector<float> wp = in.x, wb = in.m;
      ref::sgd_step(wp.data(), in.dy.data(), p.momentum != 0.0f ? wb.data() : nullptr, n, p);
      if (p.momentum == 0.0f) EXPECT_TRUE(same_bits(in.m, wb)) << "the buffer, unused";
      for (const CpuOptions o : kFastOptions) {
        std::vector<float> gp = in.x, gb = in.m;
        sgd_step(gp.data(), in.dy.data(), gb.data(), n, p, o);
        EXPECT_TRUE(same_bits(wp, gp)) << "param, n " << n << ", " << describe(o);
        EXPECT_TRUE(same_bits(wb, gb)) << "buffer, n " << n << ", " << describe(o);
      }
    }
  }
}

TEST(Pointwise, SgdOfAListIsEachTensorsUpdate) {
  for (const SgdParams& p : kSgdCases) {
    std::vector<PointwiseInputs> want = adamw_model();
    for (PointwiseInputs& t : want)
      ref::sgd_step(t.x.data(), t.dy.data(), t.m.data(), static_cast<std::int64_t>(t.x.size()), p);
    std::vector<PointwiseInputs> r = adamw_model();
    ref::sgd_step(sgd_list(r), p);
    for (const CpuOptions o : {CpuOptions{1}, CpuOptions{3}, CpuOptions{2, CpuSimd::portable}}) {
      std::vector<PointwiseInputs> got = adamw_model();
      sgd_step(sgd_list(got), p, o);
      for (std::size_t t = 0; t < want.size(); ++t) {
        ASSERT_TRUE(same_bits(want[t].x, got[t].x) && same_bits(want[t].x, r[t].x)) << "param of tensor " << t;
        ASSERT_TRUE(same_bits(want[t].m, got[t].m) && same_bits(want[t].m, r[t].m)) << "buffer of tensor " << t;
      }
    }
  }
}

// Ten steps against torch.optim.SGD's formulas in double, for each case's momentum, dampening,
// weight decay and Nesterov.
TEST(Pointwise, SgdFollowsTheDoubleFormula) {
  constexpr int kN = 64;
  for (SgdParams p : kSgdCases) {
    std::vector<float> param(kN), grad(kN), buf(kN);
    std::vector<double> pd(kN), bd(kN);
    for (int i = 0; i < kN; ++i) param[i] = static_cast<float>(pd[i] = 0.5 - i / 64.0);
    for (int step = 1; step <= 10; ++step) {
      for (int i = 0; i < kN; ++i) grad[i] = static_cast<float>(std::sin(i + step));
      p.step = step;
      ref::sgd_step(param.data(), grad.data(), buf.data(), kN, p);
      for (int i = 0; i < kN; ++i) {
        double d = grad[i] + static_cast<double>(p.weight_decay) * pd[i];
        if (p.momentum != 0.0f) {
          bd[i] = step == 1 ? d : p.momentum * bd[i] + (1.0 - p.dampening) * d;
          d = p.nesterov ? d + p.momentum * bd[i] : bd[i];
        }
        pd[i] -= p.lr * d;
      }
    }
    for (int i = 0; i < kN; ++i) EXPECT_NEAR(param[i], pd[i], 1e-5) << "element " << i << ", momentum " << p.momentum;
  }
}

TEST(Pointwise, SgdBadInputIsAnError) {
  std::vector<float> a(8, 1.0f), b(8, 1.0f), c(8, 1.0f), e(8, 1.0f), f(8, 1.0f);
  const std::vector<float> untouched(8, 1.0f);
  const SgdParams momentum{.momentum = 0.9f};
  expect_error([&] { sgd_step(a.data(), b.data(), nullptr, 8, momentum); }, ErrorCode::null_pointer,
               "sgd_step: momentum_buffer must not be null");
  expect_error([&] { sgd_step(a.data(), b.data(), a.data() + 4, 8, momentum); }, ErrorCode::unsupported_aliasing,
               "param and momentum_buffer");
  expect_error([&] { ref::sgd_step(a.data(), a.data() + 1, c.data(), 8, SgdParams{}); },
               ErrorCode::unsupported_aliasing, "ref::sgd_step: param and grad");
  expect_error([&] { sgd_step(a.data(), b.data(), c.data(), 8, SgdParams{.lr = -1.0f}); }, ErrorCode::invalid_argument,
               "sgd_step: params.lr must be finite and >= 0, got -1");
  expect_error([&] { sgd_step(a.data(), b.data(), c.data(), 8, SgdParams{.momentum = kInf}); },
               ErrorCode::invalid_argument, "params.momentum must be finite and >= 0, got inf");
  expect_error([&] { sgd_step(a.data(), b.data(), c.data(), 8, SgdParams{.momentum = 0.9f, .dampening = 0.1f, .nesterov = true}); },
               ErrorCode::invalid_argument, "params.nesterov needs momentum > 0 and dampening = 0, got momentum 0.9 and dampening 0.1");
  expect_error([&] { sgd_step(a.data(), b.data(), c.data(), 8, SgdParams{.nesterov = true}); },
               ErrorCode::invalid_argument, "params.nesterov needs momentum > 0");
  expect_error([&] { sgd_step(a.data(), b.data(), c.data(), 8, SgdParams{.step = 0}); }, ErrorCode::invalid_argument,
               "params.step must be >= 1, got 0");
  std::vector<SgdTensor> list = {{a.data(), b.data(), c.data(), 8}, {e.data(), f.data(), c.data() + 4, 8}};
  expect_error([&] { sgd_step(list, momentum); }, ErrorCode::unsupported_aliasing,
               "tensors[0].momentum_buffer and tensors[1].momentum_buffer must not overlap");
  list[1].momentum_buffer = nullptr;
  expect_error([&] { ref::sgd_step(list, momentum); }, ErrorCode::null_pointer,
               "ref::sgd_step: tensors[1].momentum_buffer must not be null");
  for (const auto* v : {&a, &b, &c, &e, &f}) EXPECT_EQ(*v, untouched);
  // Without momentum the buffers are not arguments at all: null, shared, or over param, is fine.
  EXPECT_NO_THROW(sgd_step(list, SgdParams{}));
  list[1].momentum_buffer = list[0].momentum_buffer;
  EXPECT_NO_THROW(ref::sgd_step(list, SgdParams{}));
  EXPECT_NO_THROW(sgd_step(a.data(), b.data(), a.data(), 8, SgdParams{}));
  EXPECT_NO_THROW(sgd_step(std::span<const SgdTensor>{}, SgdParams{}));
}

TEST(Pointwise, BadInputIsAnError) {
  // Ones everywhere: an update that ran would change them (of zeros it would leave zeros).
  std::vector<float> a(8, 1.0f), b(8, 1.0f), c(8, 1.0f), d(8, 1.0f);
  expect_error([&] { relu(nullptr, a.data(), 8); }, ErrorCode::null_pointer, "x");
  expect_error([&] { gelu(a.data(), b.data(), -1); }, ErrorCode::size_out_of_range, "n must be >= 0, got -1");
  expect_error([&] { gelu(a.data(), a.data() + 1, 4); }, ErrorCode::unsupported_aliasing, "y");
  expect_error([&] { silu_backward(a.data(), nullptr, b.data(), 8); }, ErrorCode::null_pointer,
               "silu_backward: dy must not be null");
  expect_error([&] { ref::silu(a.data(), a.data() + 1, 4); }, ErrorCode::unsupported_aliasing, "ref::silu: y");
  expect_error([&] { gelu_tanh_backward(nullptr, a.data(), b.data(), 8); }, ErrorCode::null_pointer,
               "gelu_tanh_backward: x must not be null");
  // sigmoid's and tanh's gradients name their first operand y, the forward's output.
  expect_error([&] { sigmoid_backward(nullptr, a.data(), b.data(), 8); }, ErrorCode::null_pointer,
               "sigmoid_backward: y must not be null");
  expect_error([&] { ref::tanh_backward(a.data(), b.data(), a.data() + 2, 4); }, ErrorCode::unsupported_aliasing,
               "ref::tanh_backward: dx and y must not overlap");
  expect_error([&] { tanh(a.data(), b.data(), -3); }, ErrorCode::size_out_of_range, "tanh: n must be >= 0, got -3");
  expect_error([&] { bias_add(a.data(), b.data(), b.data(), 2, 4); }, ErrorCode::unsupported_aliasing, "bias");
  expect_error([&] { bias_add(a.data(), b.data(), c.data(), 2, -4); }, ErrorCode::size_out_of_range, "cols");
  expect_error([&] { adamw_step(a.data(), b.data(), c.data(), d.data(), 8, AdamWParams{.step = 0}); },
               ErrorCode::invalid_argument, "params.step must be >= 1, got 0");
  expect_error([&] { adamw_step(a.data(), b.data(), c.data(), d.data(), 8, AdamWParams{.beta2 = 1.0f}); },
               ErrorCode::invalid_argument, "params.beta2 must be in [0, 1), got 1");
  expect_error([&] { adamw_step(a.data(), b.data(), a.data(), d.data(), 8, AdamWParams{}); }, ErrorCode::unsupported_aliasing, "m");
  expect_error([&] { adamw_step(a.data(), b.data(), c.data(), d.data(), 8, AdamWParams{.lr = 3e38f}); },
               ErrorCode::invalid_argument, "outside float's range");
  // A list: its arrays are named by tensor, and none may overlap another, across tensors too.
  std::vector<float> e(8, 1.0f), f(8, 1.0f), g(8, 1.0f), h(8, 1.0f);
  std::vector<AdamWTensor> list = {{a.data(), b.data(), c.data(), d.data(), 8}, {e.data(), f.data(), g.data(), h.data(), 8}};
  list[1].m = c.data() + 4;
  expect_error([&] { adamw_step(list, AdamWParams{}); }, ErrorCode::unsupported_aliasing,
               "tensors[0].m and tensors[1].m must not overlap");
  list[1].m = f.data();  // the same array as its grad: within one tensor, named in argument order
  expect_error([&] { adamw_step(list, AdamWParams{}); }, ErrorCode::unsupported_aliasing,
               "tensors[1].grad and tensors[1].m must not overlap");
  list[1].m = g.data();
  list[1].m = g.data();
  list[1].grad = nullptr;
  expect_error([&] { ref::adamw_step(list, AdamWParams{}); }, ErrorCode::null_pointer,
               "ref::adamw_step: tensors[1].grad must not be null");
  list[1].grad = f.data();
  list[1].n = -2;
  expect_error([&] { adamw_step(list, AdamWParams{}); }, ErrorCode::size_out_of_range,
               "adamw_step: tensors[1].n must be >= 0, got -2");
  list[1].n = 8;
  expect_error([&] { adamw_step(list, AdamWParams{.eps = 0.0f}); }, ErrorCode::invalid_argument, "params.eps");
  // Nothing was written by the refused calls.
  for (const auto* v : {&a, &b, &c, &d, &e, &f, &g, &h}) EXPECT_TRUE(same_bits(std::vector<float>(8, 1.0f), *v));
  // An empty list, and empty tensors with null arrays, are fine.
  EXPECT_NO_THROW(adamw_step(std::span<const AdamWTensor>{}, AdamWParams{}));
  EXPECT_NO_THROW(ref::adamw_step(std::vector<AdamWTensor>{{nullptr, nullptr, nullptr, nullptr, 0}}, AdamWParams{}));
}

}  // namespace
}  // namespace detnum::test
