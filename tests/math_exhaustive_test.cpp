// detnum::math's functions on all 2^32 float inputs against the correctly rounded results
// (math_cases.hpp), on every hardware thread. Label `exhaustive`: `ctest --preset exhaustive`
// runs it (2 to 16 minutes per function on two cores; the long double reference costs most).
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "activation_sweep.hpp"
#include "loss_sweep.hpp"
#include "math_avx2_sweep.hpp"
#include "math_cases.hpp"

namespace detnum::test {
namespace {

void all_inputs(Fn fn) {
  std::uint64_t checked = 0, differ = 0, by_mpfr = 0;
  long long max_ulps = 0;
  std::uint32_t first_differ = 0xFFFFFFFFu;
#pragma omp parallel for schedule(static) reduction(+ : checked, differ, by_mpfr) reduction(max : max_ulps) \
    reduction(min : first_differ)
  for (std::int64_t hi = 0; hi < 65536; ++hi) {
    Tally t;
    for (std::uint32_t lo = 0; lo < 65536; ++lo) check(fn, static_cast<std::uint32_t>(hi) << 16 | lo, t);
    checked += t.checked;
    differ += t.differ;
    by_mpfr += t.by_mpfr;
    max_ulps = std::max(max_ulps, t.max_ulps);
    if (t.differ > 0) first_differ = std::min(first_differ, t.first_differ);
  }
  std::printf("%s, all inputs: %llu checked (%llu decided by MPFR), %llu not correctly rounded, at most %lld ulp away\n",
              name(fn), static_cast<unsigned long long>(checked), static_cast<unsigned long long>(by_mpfr),
              static_cast<unsigned long long>(differ), max_ulps);
  EXPECT_EQ(checked, std::uint64_t{1} << 32);
  EXPECT_EQ(differ, 0u) << name(fn) << ": first at input bits 0x" << std::hex << first_differ;
}

class MathExhaustive : public ::testing::TestWithParam<Fn> {};

TEST_P(MathExhaustive, CorrectlyRoundedOnAllInputs) { all_inputs(GetParam()); }

// The premise of the reference (math_cases.hpp) on every 61st bit pattern: 70 million inputs per
// function (a minute or two each on two cores; the reference's margin is 2^14 times its errors).
TEST_P(MathExhaustive, LongDoubleReferenceIsWellInsideItsMargin) { reference_well_inside_margin(GetParam(), 61); }
INSTANTIATE_TEST_SUITE_P(Functions, MathExhaustive, every_fn(), fn_param_name);

// The AVX2 math, and the activations' AVX2 loops around it.
TEST(MathExhaustiveAvx2, ExpEqualsScalarOnAllInputs) { vector_math_agrees(Fn::exp, 1); }
TEST(MathExhaustiveAvx2, ErfEqualsScalarOnAllInputs) { vector_math_agrees(Fn::erf, 1); }
TEST(MathExhaustiveAvx2, LogEqualsScalarOnAllInputs) { vector_math_agrees(Fn::log, 1); }
TEST(MathExhaustiveAvx2, SinpiEqualsScalarOnAllInputs) { vector_math_agrees(Fn::sinpi, 1); }
TEST(MathExhaustiveAvx2, CospiEqualsScalarOnAllInputs) { vector_math_agrees(Fn::cospi, 1); }
TEST(MathExhaustiveAvx2, TanhEqualsScalarOnAllInputs) { vector_math_agrees(Fn::tanh, 1); }
TEST(MathExhaustiveAvx2, GeluLoopsEqualPortableOnAllInputs) { activation_paths_agree(1, "gelu", gelu, gelu_backward); }
TEST(MathExhaustiveAvx2, GeluTanhLoopsEqualPortableOnAllInputs) {
  activation_paths_agree(1, "gelu_tanh", gelu_tanh, gelu_tanh_backward);
}
TEST(MathExhaustiveAvx2, SiluLoopsEqualPortableOnAllInputs) { activation_paths_agree(1, "silu", silu, silu_backward); }
TEST(MathExhaustiveAvx2, BceWithLogitsLoopEqualsPortableOnAllInputs) { bce_paths_agree(1); }
TEST(MathExhaustiveAvx2, SigmoidAndTanhLoopsEqualPortableOnAllInputs) {
  activation_paths_agree(1, "sigmoid", sigmoid, sigmoid_backward);
  activation_paths_agree(1, "tanh", tanh, tanh_backward);
}

}  // namespace
}  // namespace detnum::test
