// detnum::math's functions: special values exactly, and one float in 251 of all 2^32 correctly
// rounded (math_cases.hpp); the exhaustive run is math_exhaustive_test. The pinned values are
// GNU MPFR's results rounded to float.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <limits>

#include "math_avx2_sweep.hpp"
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

TEST(Math, TanhSpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(bits_of(math::tanh(0.0f)), 0u);
  EXPECT_EQ(bits_of(math::tanh(-0.0f)), 0x80000000u);
  EXPECT_EQ(math::tanh(inf), 1.0f);
  EXPECT_EQ(math::tanh(-inf), -1.0f);
  EXPECT_EQ(bits_of(math::tanh(float_from_bits(0xFFC12345u))), kCanonicalNanF32);
  EXPECT_EQ(bits_of(math::tanh(0.5f)), 0x3EEC9A9Fu);
  EXPECT_EQ(bits_of(math::tanh(9.0f)), 0x3F7FFFFFu);  // the last input below 1
  EXPECT_EQ(math::tanh(9.1f), 1.0f);
  EXPECT_EQ(math::tanh(-1e-5f), -1e-5f);  // tanh(x) rounds to x for |x| <= 2^-12
  EXPECT_EQ(math::tanh(0x1p-12f), 0x1p-12f);
  EXPECT_EQ(math::tanh(std::numeric_limits<float>::denorm_min()), std::numeric_limits<float>::denorm_min());
}

TEST(Math, ErfSpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(bits_of(math::erf(0.0f)), 0u);
  EXPECT_EQ(bits_of(math::erf(-0.0f)), 0x80000000u);
  EXPECT_EQ(math::erf(inf), 1.0f);
  EXPECT_EQ(math::erf(-inf), -1.0f);
  EXPECT_EQ(bits_of(math::erf(float_from_bits(0x7FC12345u))), kCanonicalNanF32);
  EXPECT_EQ(bits_of(math::erf(1.0f)), 0x3F57BB3Du);
  EXPECT_EQ(bits_of(math::erf(0.5f)), 0x3F053F7Bu);
  EXPECT_EQ(bits_of(math::erf(-2.0f)), 0xBF7ECD71u);
  EXPECT_EQ(bits_of(math::erf(3.9f)), 0x3F7FFFFFu);
  EXPECT_EQ(math::erf(4.0f), 1.0f);
  EXPECT_EQ(bits_of(math::erf(std::numeric_limits<float>::denorm_min())), 1u);  // 2/sqrt(pi) 2^-149 rounds to 2^-149
}

TEST(Math, SinpiCospiSpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(bits_of(math::sinpi(0.0f)), 0u);
  EXPECT_EQ(bits_of(math::sinpi(-0.0f)), 0x80000000u);
  EXPECT_EQ(bits_of(math::sinpi(1.0f)), 0u);  // as IEEE 754: +0 at positive integers, -0 at negative ones
  EXPECT_EQ(bits_of(math::sinpi(-3.0f)), 0x80000000u);
  EXPECT_EQ(bits_of(math::sinpi(0x1p30f)), 0u);
  EXPECT_EQ(math::sinpi(0.5f), 1.0f);
  EXPECT_EQ(math::sinpi(1.5f), -1.0f);
  EXPECT_EQ(math::sinpi(-0.5f), -1.0f);
  EXPECT_EQ(math::sinpi(0x1p22f + 0.5f), 1.0f);  // exact reduction: no error from a rounded pi
  EXPECT_EQ(bits_of(math::sinpi(0.25f)), 0x3F3504F3u);
  EXPECT_EQ(bits_of(math::sinpi(1.0f / 3.0f)), 0x3F5DB3D8u);
  EXPECT_EQ(bits_of(math::sinpi(1e-3f)), 0x3B4DE318u);
  EXPECT_EQ(bits_of(math::sinpi(inf)), kCanonicalNanF32);
  EXPECT_EQ(bits_of(math::sinpi(float_from_bits(0xFFC12345u))), kCanonicalNanF32);
  EXPECT_EQ(math::cospi(0.0f), 1.0f);
  EXPECT_EQ(math::cospi(-0.0f), 1.0f);
  EXPECT_EQ(bits_of(math::cospi(0.5f)), 0u);  // +0 at every half-integer
  EXPECT_EQ(bits_of(math::cospi(-1.5f)), 0u);
  EXPECT_EQ(math::cospi(1.0f), -1.0f);
  EXPECT_EQ(math::cospi(0x1p23f + 1.0f), -1.0f);
  EXPECT_EQ(math::cospi(0x1p24f), 1.0f);
  EXPECT_EQ(bits_of(math::cospi(0.25f)), 0x3F3504F3u);
  EXPECT_EQ(bits_of(math::cospi(1.0f / 3.0f)), 0x3EFFFFFFu);
  EXPECT_EQ(bits_of(math::cospi(-inf)), kCanonicalNanF32);
}

// The tables in math.hpp are the doubles nearest their definitions, recomputed here with MPFR
// at 300 bits: 2^(j/64) for exp, and erf's Taylor coefficients erf^(n)(c) / n! at c = (i + 1/2)/16,
// where erf^(n)(c) = 2/sqrt(pi) (-1)^(n-1) H_(n-1)(c) e^(-c^2) for n >= 1 (H: Hermite polynomials,
// H_0 = 1, H_1 = 2c, H_(n+1) = 2c H_n - 2n H_(n-1)).
class Mpfr {
 public:
  Mpfr() { mpfr_init2(v_, 300); }
  ~Mpfr() { mpfr_clear(v_); }
  Mpfr(const Mpfr&) = delete;
  Mpfr& operator=(const Mpfr&) = delete;
  mpfr_ptr operator*() { return v_; }
  double nearest() const { return mpfr_get_d(v_, MPFR_RNDN); }

 private:
  mpfr_t v_;
};

TEST(MathTables, ExpTwoToTheJOver64) {
  for (int j = 0; j < 64; ++j) {
    Mpfr t;
    mpfr_set_si(*t, j, MPFR_RNDN);
    mpfr_div_ui(*t, *t, 64, MPFR_RNDN);
    mpfr_exp2(*t, *t, MPFR_RNDN);
    EXPECT_EQ(math::detail::exp2_64ths()[j], t.nearest()) << "j = " << j;
  }
}

TEST(MathTables, LogInverseCentresAndTheirLogs) {
  const math::detail::LogTable& table = math::detail::log_table();
  for (int i = 0; i < 128; ++i) {
    const float c = float_from_bits(math::detail::kLogTableOrigin + static_cast<std::uint32_t>(i) * 0x10000u + 0x8000u);
    Mpfr t;
    mpfr_set_flt(*t, c, MPFR_RNDN);
    mpfr_ui_div(*t, 1, *t, MPFR_RNDN);
    const double invc = i == 76 || i == 77 ? 1.0 : static_cast<double>(mpfr_get_flt(*t, MPFR_RNDN));  // beside 1: 1
    EXPECT_EQ(table.invc[i], invc) << "i = " << i;
    mpfr_set_d(*t, invc, MPFR_RNDN);
    mpfr_log(*t, *t, MPFR_RNDN);
    mpfr_neg(*t, *t, MPFR_RNDN);
    EXPECT_EQ(table.logc[i], t.nearest()) << "i = " << i;
  }
}

TEST(MathTables, ErfTaylorRows) {
  constexpr int kTerms = 10;
  for (int i = 2; i < 64; ++i) {
    Mpfr c, k, t, h_prev, h, h_next, fact, coef;
    mpfr_set_d(*c, (i + 0.5) / 16, MPFR_RNDN);
    mpfr_sqr(*t, *c, MPFR_RNDN);
    mpfr_neg(*t, *t, MPFR_RNDN);
    mpfr_exp(*k, *t, MPFR_RNDN);
    mpfr_const_pi(*t, MPFR_RNDN);
    mpfr_sqrt(*t, *t, MPFR_RNDN);
    mpfr_div(*k, *k, *t, MPFR_RNDN);
    mpfr_mul_ui(*k, *k, 2, MPFR_RNDN);  // k = 2/sqrt(pi) e^(-c^2)
    const auto& row = math::detail::erf_taylor_rows()[i - 2];
    mpfr_erf(*coef, *c, MPFR_RNDN);
    EXPECT_EQ(row[kTerms - 1], coef.nearest()) << "i = " << i << ", n = 0";
    mpfr_set_ui(*h_prev, 0, MPFR_RNDN);
    mpfr_set_ui(*h, 1, MPFR_RNDN);  // H_(n-1), starting at H_0
    mpfr_set_ui(*fact, 1, MPFR_RNDN);
    for (int n = 1; n < kTerms; ++n) {
      mpfr_mul_ui(*fact, *fact, n, MPFR_RNDN);
      mpfr_mul(*coef, *k, *h, MPFR_RNDN);
      mpfr_div(*coef, *coef, *fact, MPFR_RNDN);
      if (n % 2 == 0) mpfr_neg(*coef, *coef, MPFR_RNDN);
      EXPECT_EQ(row[kTerms - 1 - n], coef.nearest()) << "i = " << i << ", n = " << n;
      mpfr_mul(*h_next, *c, *h, MPFR_RNDN);  // H_n = 2c H_(n-1) - 2(n-1) H_(n-2)
      mpfr_mul_ui(*h_next, *h_next, 2, MPFR_RNDN);
      mpfr_mul_ui(*t, *h_prev, 2 * (n - 1), MPFR_RNDN);
      mpfr_sub(*h_next, *h_next, *t, MPFR_RNDN);
      mpfr_swap(*h_prev, *h);
      mpfr_swap(*h, *h_next);
    }
  }
}

// A GPU evaluates erf's polynomials from the same coefficients laid out by term
// (erf_taylor_columns): the same double as from the rows, for every float of the table's range.
TEST(MathTables, ErfColumnsGiveTheRowsResult) {
  for (std::uint32_t u = bits_of(0.125f); u < bits_of(4.0f); ++u) {
    const float a = float_from_bits(u);
    const int i = static_cast<int>(16.0f * a);
    const double t = static_cast<double>(a) - (i + 0.5) / 16.0;
    const double by_rows = math::detail::erf_taylor_by_rows(i, t);
    const double by_columns = math::detail::erf_taylor_by_columns(i, t);
    if (bits_of(by_rows) != bits_of(by_columns)) {
      ADD_FAILURE() << "a = " << a << " (0x" << std::hex << u << "): rows " << by_rows << ", columns " << by_columns;
      return;
    }
  }
}

// The AVX2 math (the activations', softmax's and normal init's vector loops) on every 251st float.
TEST(MathAvx2, ExpEqualsScalarOnSampledFloats) { vector_math_agrees(Fn::exp, 251); }
TEST(MathAvx2, ErfEqualsScalarOnSampledFloats) { vector_math_agrees(Fn::erf, 251); }
TEST(MathAvx2, LogEqualsScalarOnSampledFloats) { vector_math_agrees(Fn::log, 251); }
TEST(MathAvx2, SinpiEqualsScalarOnSampledFloats) { vector_math_agrees(Fn::sinpi, 251); }
TEST(MathAvx2, CospiEqualsScalarOnSampledFloats) { vector_math_agrees(Fn::cospi, 251); }
TEST(MathAvx2, TanhEqualsScalarOnSampledFloats) { vector_math_agrees(Fn::tanh, 251); }

void sampled(Fn fn) {
  Tally t;
  for (std::uint64_t b = 0; b <= 0xFFFFFFFFull; b += 251) check(fn, static_cast<std::uint32_t>(b), t);
  std::printf("%s: %llu inputs (%llu decided by MPFR), %llu not correctly rounded, at most %lld ulp away\n", name(fn),
              static_cast<unsigned long long>(t.checked), static_cast<unsigned long long>(t.by_mpfr),
              static_cast<unsigned long long>(t.differ), t.max_ulps);
  EXPECT_EQ(t.differ, 0u) << name(fn) << ": first at input bits 0x" << std::hex << t.first_differ;
}

class MathSampled : public ::testing::TestWithParam<Fn> {};

TEST_P(MathSampled, CorrectlyRounded) { sampled(GetParam()); }
// The reference's premise on 4096 inputs per function (math_exhaustive_test: 2^20).
TEST_P(MathSampled, LongDoubleReferenceIsWellInsideItsMargin) { reference_well_inside_margin(GetParam(), 1048573); }
INSTANTIATE_TEST_SUITE_P(Functions, MathSampled, every_fn(), fn_param_name);

}  // namespace
}  // namespace detnum::test
