// Compiled by the tests fast_math_refused-* with fast math, which must stop at
// detnum/detail/ieee_only.hpp's #error: math.hpp's inline arithmetic needs IEEE semantics.
#include "detnum/math.hpp"

float f(float x) { return detnum::math::erf(x); }
