// Compiled by the test fast_math_refused with -ffast-math, which must stop at detnum/hd.hpp's
// #error: the headers' inline arithmetic needs IEEE semantics.
#include "detnum/math.hpp"

float f(float x) { return detnum::math::erf(x); }
