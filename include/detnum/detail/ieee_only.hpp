// Included by the headers whose inline steps compute in floating point in the user's own files
// (detnum/math.hpp and the detail/*_order.hpp headers but reduce_order.hpp, which every
// reduce.hpp user includes without calling its steps): fast math lets the compiler drop NaN
// tests, reassociate and flush, so those steps would give other bits, or worse (math::erf's NaN
// test guards a table index). GCC names each part of fast math in a macro, Clang only -ffast-math
// and -ffinite-math-only; nvcc's --use_fast_math leaves no trace at all (docs/DETERMINISM.md).
#pragma once

#if defined(__FAST_MATH__) || (defined(__FINITE_MATH_ONLY__) && __FINITE_MATH_ONLY__) || \
    defined(__ASSOCIATIVE_MATH__) || defined(__RECIPROCAL_MATH__) || defined(__NO_SIGNED_ZEROS__)
#error "detnum: this file is compiled with fast math (-ffast-math, -Ofast, -ffinite-math-only, -fassociative-math, -freciprocal-math or -fno-signed-zeros), and detnum's inline steps need IEEE semantics. Compile the files that include detnum/math.hpp or a detail/*_order.hpp header without those flags."
#endif
