// detnum::math's functions by name, for the host tests (math_cases.hpp) and the device test
// (math_gpu_test.cu) alike.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "detnum/math.hpp"

namespace detnum::test {

enum class Fn { exp, log, tanh, erf, sinpi, cospi };

DETNUM_HD float evaluate(Fn fn, float x) {
  switch (fn) {
    case Fn::exp: return math::exp(x);
    case Fn::log: return math::log(x);
    case Fn::tanh: return math::tanh(x);
    case Fn::erf: return math::erf(x);
    case Fn::sinpi: return math::sinpi(x);
    case Fn::cospi: return math::cospi(x);
  }
  return 0.0f;
}

inline const char* name(Fn fn) {
  constexpr const char* kNames[] = {"exp", "log", "tanh", "erf", "sinpi", "cospi"};
  return kNames[static_cast<int>(fn)];
}

// GoogleTest prints a parameter by name.
inline void PrintTo(Fn fn, std::ostream* os) { *os << name(fn); }

// For INSTANTIATE_TEST_SUITE_P: every function, each test named after it.
inline auto every_fn() { return ::testing::Values(Fn::exp, Fn::log, Fn::tanh, Fn::erf, Fn::sinpi, Fn::cospi); }
inline std::string fn_param_name(const ::testing::TestParamInfo<Fn>& info) { return name(info.param); }

}  // namespace detnum::test
