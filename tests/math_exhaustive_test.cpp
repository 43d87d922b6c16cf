// detnum::math::exp on all 2^32 float inputs against expl (math_cases.hpp), on every hardware
// thread. Label `exhaustive`: `ctest --preset large` runs it (a few minutes on two cores).
#include <gtest/gtest.h>
#include <omp.h>

#include <cstdint>
#include <cstdio>

#include "math_cases.hpp"

namespace detnum::test {
namespace {

TEST(MathExhaustive, ExpAllInputsWithinOneUlp) {
  std::uint64_t checked = 0, differ = 0, beyond = 0;
#pragma omp parallel for schedule(static) reduction(+ : checked, differ, beyond)
  for (std::int64_t hi = 0; hi < 65536; ++hi) {
    ExpTally t;
    for (std::uint32_t lo = 0; lo < 65536; ++lo) check_exp(static_cast<std::uint32_t>(hi) << 16 | lo, t);
    checked += t.checked;
    differ += t.differ;
    beyond += t.beyond_one_ulp;
  }
  std::printf("exp, all inputs: %llu checked, %llu differ from round(expl), %llu beyond 1 ulp\n",
              static_cast<unsigned long long>(checked), static_cast<unsigned long long>(differ),
              static_cast<unsigned long long>(beyond));
  EXPECT_EQ(checked, std::uint64_t{1} << 32);
  EXPECT_EQ(beyond, 0u);
}

}  // namespace
}  // namespace detnum::test
