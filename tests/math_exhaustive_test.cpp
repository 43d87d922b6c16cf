// detnum::math::exp and log on all 2^32 float inputs against the long double functions
// (math_cases.hpp), on every hardware thread. Label `exhaustive`: `ctest --preset exhaustive`
// runs it (about 5 minutes per function on two cores).
#include <gtest/gtest.h>
#include <omp.h>

#include <cstdint>
#include <cstdio>

#include "math_cases.hpp"

namespace detnum::test {
namespace {

void all_inputs(Fn fn, const char* name) {
  std::uint64_t checked = 0, differ = 0, beyond = 0;
#pragma omp parallel for schedule(static) reduction(+ : checked, differ, beyond)
  for (std::int64_t hi = 0; hi < 65536; ++hi) {
    Tally t;
    for (std::uint32_t lo = 0; lo < 65536; ++lo) check(fn, static_cast<std::uint32_t>(hi) << 16 | lo, t);
    checked += t.checked;
    differ += t.differ;
    beyond += t.beyond_one_ulp;
  }
  std::printf("%s, all inputs: %llu checked, %llu differ from the rounded long double result, %llu beyond 1 ulp\n",
              name, static_cast<unsigned long long>(checked), static_cast<unsigned long long>(differ),
              static_cast<unsigned long long>(beyond));
  EXPECT_EQ(checked, std::uint64_t{1} << 32);
  EXPECT_EQ(beyond, 0u);
}

TEST(MathExhaustive, ExpAllInputsWithinOneUlp) { all_inputs(Fn::exp, "exp"); }
TEST(MathExhaustive, LogAllInputsWithinOneUlp) { all_inputs(Fn::log, "log"); }

}  // namespace
}  // namespace detnum::test
