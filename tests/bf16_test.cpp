// bf16 rounding against GNU MPFR: bf16_from_double must be the correctly rounded (nearest, ties
// to even) bf16 of any double, subnormals and overflow included, and dropout's bf16 kept value
// must be the exact product x * scale rounded once.
#include <gtest/gtest.h>
#include <mpfr.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <random>

#include "detnum/bf16.hpp"
#include "detnum/detail/dropout_order.hpp"
#include "detnum/fp16.hpp"

namespace detnum {
namespace {

// bf16 as an MPFR format: 8 significant bits; normals down to 2^-126, subnormals down to
// 2^-133; the largest finite value is (2 - 2^-7) * 2^127. MPFR's exponents put the significand
// in [1/2, 1), hence emin = -132 and emax = 128.
class MpfrBf16 {
 public:
  MpfrBf16() : emin_(mpfr_get_emin()), emax_(mpfr_get_emax()) { mpfr_init2(r_, 8); }
  ~MpfrBf16() { mpfr_clear(r_); }

  // The correctly rounded bf16 of the exact value held in x (any precision).
  std::uint16_t round(const mpfr_t x) {
    mpfr_set_emin(-132);
    mpfr_set_emax(128);
    int t = mpfr_set(r_, x, MPFR_RNDN);
    t = mpfr_check_range(r_, t, MPFR_RNDN);
    mpfr_subnormalize(r_, t, MPFR_RNDN);
    const float f = mpfr_get_flt(r_, MPFR_RNDN);  // exact: every bf16 is a float
    mpfr_set_emin(emin_);
    mpfr_set_emax(emax_);
    if (std::isnan(f)) return kCanonicalNanBf16;
    return static_cast<std::uint16_t>(bits_of(f) >> 16);
  }

 private:
  mpfr_t r_;
  mpfr_exp_t emin_, emax_;
};

std::uint16_t mpfr_bf16_of(double d, MpfrBf16& fmt) {
  mpfr_t x;
  mpfr_init2(x, 53);
  mpfr_set_d(x, d, MPFR_RNDN);
  const std::uint16_t r = fmt.round(x);
  mpfr_clear(x);
  return r;
}

TEST(Bf16, FromDoubleIsCorrectlyRounded) {
  MpfrBf16 fmt;
  std::mt19937_64 gen(42);
  std::uniform_int_distribution<int> exponent(-140, 130);
  for (int t = 0; t < 400000; ++t) {
    // Random significands at every exponent of the bf16 range and a little beyond, plus exact
    // midpoints (ties) between neighbouring bf16 values.
    double d = std::ldexp(1.0 + static_cast<double>(gen() >> 11) * 0x1p-53, exponent(gen));
    if (t % 4 == 0) d = std::ldexp(std::floor(std::ldexp(d, 7 - std::ilogb(d))) + 0.5, std::ilogb(d) - 7);
    if (gen() & 1) d = -d;
    ASSERT_EQ(bf16_from_double(d).bits, mpfr_bf16_of(d, fmt)) << "d = " << d;
  }
  for (double d : std::initializer_list<double>{0.0, -0.0, 0x1p-133, 0x1p-134, 0x1.8p-134, 0x1p-126, 0x1.fep-127, 0x1.fep127, 0x1.ffp127,
                   0x1.fefffffffffffp127, INFINITY, -INFINITY, 1e300, -1e-300})
    EXPECT_EQ(bf16_from_double(d).bits, mpfr_bf16_of(d, fmt)) << "d = " << d;
  EXPECT_EQ(bf16_from_double(NAN).bits, kCanonicalNanBf16);
  EXPECT_EQ(bf16_from_double(-NAN).bits, kCanonicalNanBf16);
}

TEST(Bf16, FloatRoundTripIsExact) {
  for (std::uint32_t b = 0; b < 0x10000; ++b) {
    const bf16 x{static_cast<std::uint16_t>(b)};
    const float f = to_float(x);
    if (std::isnan(f)) continue;
    EXPECT_EQ(bf16_from_float(f).bits, x.bits);
  }
}

TEST(Bf16, DropoutKeptValueIsTheExactProductRoundedOnce) {
  MpfrBf16 fmt;
  mpfr_t prod;
  mpfr_init2(prod, 64);  // 8 x 24 bits: exact
  std::mt19937 gen(7);
  for (int t = 0; t < 200000; ++t) {
    const bf16 x{static_cast<std::uint16_t>(gen())};
    if (std::isnan(to_float(x))) continue;
    const float p = static_cast<float>(gen() >> 8) * 0x1p-24f;
    const float scale = detail::dropout_scale(p);
    mpfr_set_flt(prod, to_float(x), MPFR_RNDN);
    mpfr_mul_d(prod, prod, static_cast<double>(scale), MPFR_RNDN);
    ASSERT_EQ(detail::dropout_value(x, scale).bits, fmt.round(prod)) << "x = 0x" << std::hex << x.bits << ", p = " << p;
  }
  mpfr_clear(prod);
}

}  // namespace
}  // namespace detnum

// The branch-free widening that vectorized loops use must be to_float, bit for bit.
TEST(Fp16, BranchlessWideningEqualsToFloatForAllInputs) {
  for (std::uint32_t b = 0; b <= 0xFFFFu; ++b) {
    const detnum::fp16 h{static_cast<std::uint16_t>(b)};
    ASSERT_EQ(detnum::bits_of(detnum::to_float_branchless(h)), detnum::bits_of(detnum::to_float(h))) << "fp16 bits 0x" << std::hex << b;
  }
}
