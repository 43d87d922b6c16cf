// Scaled dot-product attention on the CPU: the fast path equals the reference bit for bit at every
// thread count and SIMD kind; the values and gradients follow attention's float64 formulas (an
// implementation of its own, so a wrong step in the shared steps shows); a query's row does not
// depend on the other queries or attentions, and a decoding step against a cache of keys gives
// the row of the full causal pass; bad arguments get detnum::Error and nothing is written.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "attention_cases.hpp"
#include "detnum/attention.hpp"
#include "support/bits.hpp"
#include "support/errors.hpp"

namespace detnum::test {
namespace {

struct CpuAttentionCalls {
  CpuOptions cpu;
  void forward(const float* q, const float* k, const float* v, float* out, float* p, const AttentionShape& s,
               const AttentionOptions& o) const {
    scaled_dot_product_attention(q, k, v, out, p, s, o, cpu);
  }
  void backward(const float* q, const float* k, const float* v, const float* p, const float* dout, float* dq,
                float* dk, float* dv, const AttentionShape& s, const AttentionOptions& o) const {
    scaled_dot_product_attention_backward(q, k, v, p, dout, dq, dk, dv, s, o, cpu);
  }
};

AttentionOutputs run_cpu(const AttentionCase& c, CpuOptions cpu) {
  AttentionOutputs o = attention_buffers(c);
  call_attention(CpuAttentionCalls{cpu}, c, c.q.data(), c.k.data(), c.v.data(), c.dout.data(), o.out.data(),
                 o.probs.data(), o.dq.data(), o.dk.data(), o.dv.data());
  return o;
}

TEST(Attention, FastEqualsReference) {
  constexpr CpuOptions kOptions[] = {{1, CpuSimd::best}, {2, CpuSimd::best}, {3, CpuSimd::best},
                                     {8, CpuSimd::best}, {3, CpuSimd::portable}};
  for_each_attention_case([&](const AttentionCase& c, const AttentionOutputs& want) {
    for (const CpuOptions o : kOptions) EXPECT_TRUE(same_outputs(want, run_cpu(c, o))) << o.threads << " threads";
  });
}

// Attention and its gradients in double, from the definitions (not from detnum's steps).
std::array<std::vector<double>, 5> attention_in_double(const AttentionCase& c) {
  const AttentionShape& s = c.shape;
  const std::int64_t L = s.queries, S = s.keys, E = s.head_dim, Ev = s.value_dim;
  const double scale = c.options.scale ? *c.options.scale : attention_scale(E);
  std::array<std::vector<double>, 5> exact;
  std::vector<double>& out = exact[0];
  std::vector<double>& p = exact[1];
  std::vector<double>& dq = exact[2];
  std::vector<double>& dk = exact[3];
  std::vector<double>& dv = exact[4];
  out.assign(s.batch * L * Ev, 0.0);
  p.assign(s.batch * L * S, 0.0);
  dq.assign(s.batch * L * E, 0.0);
  dk.assign(s.batch * S * E, 0.0);
  dv.assign(s.batch * S * Ev, 0.0);
  for (std::int64_t b = 0; b < s.batch; ++b) {
    const float* q = c.q.data() + b * L * E;
    const float* k = c.k.data() + b * S * E;
    const float* v = c.v.data() + b * S * Ev;
    const float* dout = c.dout.data() + b * L * Ev;
    double* P = p.data() + b * L * S;
    for (std::int64_t i = 0; i < L; ++i) {
      const std::int64_t kept = c.options.is_causal ? std::min(S, i + 1 + c.options.causal_offset) : S;
      std::vector<double> score(kept);
      for (std::int64_t j = 0; j < kept; ++j) {
        double d = 0;
        for (std::int64_t e = 0; e < E; ++e) d += double{q[i * E + e]} * k[j * E + e];
        score[j] = E == 0 ? 0.0 : scale * d;  // no product: +0 (the scale, 1 / sqrt(0), is not used)
      }
      const double m = kept ? *std::max_element(score.begin(), score.end()) : 0.0;
      double sum = 0;
      for (std::int64_t j = 0; j < kept; ++j) sum += std::exp(score[j] - m);
      for (std::int64_t j = 0; j < kept; ++j) P[i * S + j] = std::exp(score[j] - m) / sum;
      for (std::int64_t e = 0; e < Ev; ++e)
        for (std::int64_t j = 0; j < S; ++j) out[(b * L + i) * Ev + e] += P[i * S + j] * v[j * Ev + e];
      // dP, then dS = P (dP - sum_l P_l dP_l), then its products with K and Q.
      std::vector<double> dp(S, 0.0);
      double dot = 0;
      for (std::int64_t j = 0; j < S; ++j) {
        for (std::int64_t e = 0; e < Ev; ++e) dp[j] += double{dout[i * Ev + e]} * v[j * Ev + e];
        dot += P[i * S + j] * dp[j];
      }
      for (std::int64_t j = 0; j < S; ++j) {
        const double ds = P[i * S + j] * (dp[j] - dot);
        for (std::int64_t e = 0; e < E; ++e) {
          dq[(b * L + i) * E + e] += scale * ds * k[j * E + e];
          dk[(b * S + j) * E + e] += scale * ds * q[i * E + e];
        }
        for (std::int64_t e = 0; e < Ev; ++e) dv[(b * S + j) * Ev + e] += P[i * S + j] * dout[i * Ev + e];
      }
    }
  }
  return exact;
}

TEST(Attention, FollowsTheFormulasInDouble) {
  for (const AttentionCase& c : attention_cases()) {
    if (c.specials) continue;
    SCOPED_TRACE(c.describe());
    const AttentionOutputs got = run_cpu(c, {2});
    const std::array<std::vector<double>, 5> exact = attention_in_double(c);
    const std::vector<float>* parts[] = {&got.out, &got.probs, &got.dq, &got.dk, &got.dv};
    for (int part = 0; part < 5; ++part) {
      ASSERT_EQ(parts[part]->size(), exact[part].size());
      // Float sums of up to 300 products of values below 2 against their double value: a wrong
      // term or a missing scale is off by O(1), rounding by far less than this.
      for (std::size_t i = 0; i < exact[part].size(); ++i)
        ASSERT_NEAR((*parts[part])[i], exact[part][i], 1e-3 * (1.0 + std::fabs(exact[part][i])))
            << "output " << part << " element " << i;
    }
  }
}

// Row i of out and probs, for attention b.
std::vector<float> row_of(const std::vector<float>& m, std::int64_t row, std::int64_t cols) {
  return {m.begin() + row * cols, m.begin() + (row + 1) * cols};
}

TEST(Attention, AQueryAloneHasItsRowOfTheWholePass) {
  const AttentionCase all({2, 9, 13, 8, 6}, {});
  const AttentionOutputs want = run_cpu(all, {3});
  for (std::int64_t b = 0; b < 2; ++b)
    for (std::int64_t i = 0; i < 9; ++i) {
      AttentionCase one({1, 1, 13, 8, 6}, {});
      one.q = row_of(all.q, b * 9 + i, 8);
      one.k = {all.k.begin() + b * 13 * 8, all.k.begin() + (b + 1) * 13 * 8};
      one.v = {all.v.begin() + b * 13 * 6, all.v.begin() + (b + 1) * 13 * 6};
      one.dout = row_of(all.dout, b * 9 + i, 6);
      const AttentionOutputs got = run_cpu(one, {1});
      EXPECT_TRUE(same_bits(row_of(want.out, b * 9 + i, 6), got.out)) << "attention " << b << ", query " << i;
      EXPECT_TRUE(same_bits(row_of(want.probs, b * 9 + i, 13), got.probs)) << "attention " << b << ", query " << i;
    }
}

// A decoding step: query i against the cache of keys 0 .. i (offset i) is row i of the full causal
// pass (finite values, no output -0: ORDER.md's exception does not arise). 300 keys: the full pass's
// P V takes two segments, the last queries' steps too.
TEST(Attention, ADecodingStepHasItsRowOfTheCausalPass) {
  constexpr std::int64_t T = 300, E = 16;
  const AttentionCase all({1, T, T, E, E}, {.is_causal = true});
  const AttentionOutputs want = run_cpu(all, {2});
  for (std::int64_t i = 0; i < T; ++i) {
    AttentionCase step({1, 1, i + 1, E, E}, {.is_causal = true, .causal_offset = i});
    step.q = row_of(all.q, i, E);
    step.k = {all.k.begin(), all.k.begin() + (i + 1) * E};
    step.v = {all.v.begin(), all.v.begin() + (i + 1) * E};
    step.dout = row_of(all.dout, i, E);
    const AttentionOutputs got = run_cpu(step, {1});
    EXPECT_TRUE(same_bits(row_of(want.out, i, E), got.out)) << "query " << i;
    const std::vector<float> p = row_of(want.probs, i, T);
    EXPECT_TRUE(same_bits(std::vector<float>(p.begin(), p.begin() + i + 1), got.probs)) << "query " << i;
  }
}

// ORDER.md's exception, exactly: query 0 of a causal pass over 3 keys sees key 0 alone; the full
// pass adds +0 * v for keys 1 and 2. v's columns: -0 then positive values (the step's -0 becomes
// +0), -0 then negative values (stays -0), finite then an infinity (NaN).
TEST(Attention, TheMaskedKeysOnlyTouchSignedZerosAndNonFiniteValues) {
  const float inf = std::numeric_limits<float>::infinity();
  AttentionCase all({1, 3, 3, 1, 3}, {.is_causal = true});
  all.q = {0.5f, 1.0f, -2.0f};
  all.k = {1.0f, 0.25f, 3.0f};
  all.v = {-0.0f, -0.0f, 1.0f,  //
           1.0f, -1.0f, 2.0f,   //
           2.0f, -2.0f, inf};
  AttentionCase step({1, 1, 1, 1, 3}, {.is_causal = true});
  step.q = {all.q[0]};
  step.k = {all.k[0]};
  step.v = {all.v.begin(), all.v.begin() + 3};
  step.dout = {all.dout.begin(), all.dout.begin() + 3};
  const std::vector<float> full = row_of(run_cpu(all, {1}).out, 0, 3), alone = run_cpu(step, {1}).out;
  EXPECT_EQ(bits_of(alone[0]), 0x80000000u);
  EXPECT_EQ(bits_of(full[0]), 0x00000000u);
  EXPECT_EQ(bits_of(alone[1]), 0x80000000u);
  EXPECT_EQ(bits_of(full[1]), 0x80000000u);
  EXPECT_EQ(alone[2], 1.0f);
  EXPECT_EQ(bits_of(full[2]), kCanonicalNanF32);
}

TEST(Attention, EachAttentionAloneIsTheSame) {
  const AttentionCase all({3, 7, 11, 5, 4}, {.is_causal = true, .causal_offset = 2});
  const AttentionOutputs want = run_cpu(all, {3});
  const AttentionShape s = all.shape;
  for (std::int64_t b = 0; b < s.batch; ++b) {
    AttentionCase one({1, s.queries, s.keys, s.head_dim, s.value_dim}, all.options);
    const auto slice = [&](const std::vector<float>& m, std::int64_t rows, std::int64_t cols) {
      return std::vector<float>(m.begin() + b * rows * cols, m.begin() + (b + 1) * rows * cols);
    };
    one.q = slice(all.q, s.queries, s.head_dim);
    one.k = slice(all.k, s.keys, s.head_dim);
    one.v = slice(all.v, s.keys, s.value_dim);
    one.dout = slice(all.dout, s.queries, s.value_dim);
    const AttentionOutputs got = run_cpu(one, {1});
    EXPECT_TRUE(same_bits(slice(want.out, s.queries, s.value_dim), got.out)) << "attention " << b;
    EXPECT_TRUE(same_bits(slice(want.probs, s.queries, s.keys), got.probs)) << "attention " << b;
    EXPECT_TRUE(same_bits(slice(want.dq, s.queries, s.head_dim), got.dq)) << "attention " << b;
    EXPECT_TRUE(same_bits(slice(want.dk, s.keys, s.head_dim), got.dk)) << "attention " << b;
    EXPECT_TRUE(same_bits(slice(want.dv, s.keys, s.value_dim), got.dv)) << "attention " << b;
  }
}

TEST(Attention, TheDefaultScaleIsOneOverTheRootOfHeadDim) {
  EXPECT_EQ(attention_scale(64), 0.125f);
  EXPECT_EQ(attention_scale(1), 1.0f);
  EXPECT_EQ(attention_scale(3), static_cast<float>(1.0 / std::sqrt(3.0)));
  expect_error([] { attention_scale(-1); }, ErrorCode::size_out_of_range, "head_dim");
  // The default gives the bits of the scale passed explicitly.
  const AttentionCase c({2, 5, 6, 3, 4}, {});
  AttentionCase explicit_scale = c;
  explicit_scale.options.scale = attention_scale(3);
  EXPECT_TRUE(same_outputs(run_cpu(c, {1}), run_cpu(explicit_scale, {1})));
}

TEST(Attention, Errors) {
  const AttentionShape s{2, 3, 4, 5, 6};
  const AttentionCase c(s, {});
  AttentionOutputs o = attention_buffers(c);
  const AttentionOutputs start = o;
  const float* q = c.q.data();
  const float* k = c.k.data();
  const float* v = c.v.data();
  const float* dout = c.dout.data();
  const auto forward = [&](AttentionShape sh, AttentionOptions opt, const float* qq, float* out, float* p) {
    return [=] { scaled_dot_product_attention(qq, k, v, out, p, sh, opt); };
  };
  const auto backward = [&](AttentionShape sh, AttentionOptions opt, float* dq) {
    return [=, &o] {
      scaled_dot_product_attention_backward(q, k, v, o.probs.data(), dout, dq, o.dk.data(), o.dv.data(), sh, opt);
    };
  };
  float* out = o.out.data();
  float* p = o.probs.data();
  expect_error(forward({-1, 3, 4, 5, 6}, {}, q, out, p), ErrorCode::size_out_of_range, "shape.batch");
  expect_error(forward({2, 3, -4, 5, 6}, {}, q, out, p), ErrorCode::size_out_of_range, "shape.keys");
  expect_error(forward({2, 3, 4, 5, -6}, {}, q, out, p), ErrorCode::size_out_of_range, "shape.value_dim");
  expect_error(forward({std::int64_t{1} << 40, std::int64_t{1} << 40, 0, 0, 0}, {}, q, out, p),
               ErrorCode::size_out_of_range, "batch x queries");
  expect_error(forward(s, {.scale = std::numeric_limits<float>::quiet_NaN()}, q, out, p), ErrorCode::invalid_argument,
               "options.scale must be finite, got nan");
  expect_error(forward(s, {.scale = std::numeric_limits<float>::infinity()}, q, out, p), ErrorCode::invalid_argument,
               "options.scale");
  expect_error(forward(s, {.is_causal = true, .causal_offset = -1}, q, out, p), ErrorCode::invalid_argument,
               "options.causal_offset must be >= 0, got -1");
  expect_error(forward(s, {.causal_offset = 2}, q, out, p), ErrorCode::invalid_argument,
               "options.causal_offset applies only with options.is_causal");
  expect_error(forward(s, {}, nullptr, out, p), ErrorCode::null_pointer, "q");
  expect_error(forward(s, {}, q, out, nullptr), ErrorCode::null_pointer, "probs");
  expect_error(forward(s, {}, q, const_cast<float*>(q), p), ErrorCode::unsupported_aliasing, "out");
  expect_error(forward(s, {}, q, out, out + 1), ErrorCode::unsupported_aliasing, "probs");
  expect_error([&] { scaled_dot_product_attention(q, k, v, out, p, s, {}, {.threads = -1}); },
               ErrorCode::invalid_argument, "cpu.threads");
  expect_error(backward(s, {}, nullptr), ErrorCode::null_pointer, "dq");
  expect_error(backward(s, {}, o.dk.data()), ErrorCode::unsupported_aliasing, "dq");
  expect_error(backward(s, {.is_causal = false, .causal_offset = 1}, o.dq.data()), ErrorCode::invalid_argument,
               "causal_offset");
  expect_error([&] {
    scaled_dot_product_attention_backward(q, k, v, p, dout, o.dq.data(), o.dk.data(), o.dv.data(), s, {},
                                          {.threads = 2000});
  },
               ErrorCode::invalid_argument, "cpu.threads");
  expect_error([&] { ref::scaled_dot_product_attention(q, k, v, out, p, {2, 3, 4, -5, 6}); },
               ErrorCode::size_out_of_range, "shape.head_dim");
  // An empty attention names no element: null pointers are fine there.
  scaled_dot_product_attention(nullptr, nullptr, nullptr, nullptr, nullptr, {0, 3, 4, 5, 6});
  scaled_dot_product_attention_backward(nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                                        {3, 0, 0, 5, 6});
  // 2^40 empty attentions: at once (the reference once walked every empty product).
  ref::scaled_dot_product_attention(nullptr, nullptr, nullptr, nullptr, nullptr, {std::int64_t{1} << 40, 1, 0, 0, 0});
  ref::scaled_dot_product_attention_backward(nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                                             {std::int64_t{1} << 40, 0, 5, 0, 0});
  EXPECT_TRUE(same_outputs(start, o)) << "a call that threw wrote something";
}

}  // namespace
}  // namespace detnum::test
