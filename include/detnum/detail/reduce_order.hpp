// The canonical reduction order of docs/ORDER.md (version 1), as the pieces that every backend
// shares: the shape constants, the lane fold, the widening of inputs, and the NaN rule; and
// sum_of_few, the same order for at most 128 values written without the -0 lanes
// (reduce_order_test checks it against ref::sum for every count). The
// reference (src/cpu/reduce_ref.cpp) spells out the whole order with these; the fast CPU path and
// the CUDA kernels hold the 128 lanes in registers but call the same fold.
#pragma once

#include <cstdint>

#include "detnum/bf16.hpp"
#include "detnum/fp16.hpp"
#include "detnum/hd.hpp"

namespace detnum::detail {

inline constexpr int kReduceLanes = 128;                     // L: accumulators per chunk
inline constexpr int kReduceSteps = 64;                      // S: elements per lane per chunk
inline constexpr std::int64_t kReduceChunk = 128 * 64;       // C = L * S = 8192 elements

DETNUM_HD std::int64_t reduce_chunks(std::int64_t n) { return n / kReduceChunk + (n % kReduceChunk != 0); }  // n near 2^63 too

// The accumulator of each input type: inputs narrower than float are widened exactly.
template <class T> struct Accum { using type = T; };
template <> struct Accum<bf16> { using type = float; };
template <> struct Accum<fp16> { using type = float; };
template <class T> using accum_t = typename Accum<T>::type;

DETNUM_HD float widen(float x) { return x; }
DETNUM_HD double widen(double x) { return x; }
DETNUM_HD float widen(bf16 x) { return to_float(x); }
DETNUM_HD float widen(fp16 x) { return to_float(x); }

// The additive identity every lane starts from: -0 + x == x for every x, +0 and -0 included.
template <class A> DETNUM_HD A lane_identity() { return static_cast<A>(-0.0); }

// Fold 128 lanes in halves: lane l += lane l + h for h = 64, 32, ..., 1; the result is lane 0.
template <class A>
DETNUM_HD A fold_lanes(A (&a)[kReduceLanes]) {
  for (int h = kReduceLanes / 2; h >= 1; h /= 2)
    for (int l = 0; l < h; ++l) a[l] = a[l] + a[l + h];
  return a[0];
}

// --- The sum of at most 128 values, without the lanes that hold only -0 -----------------------
// The order above for 1 <= c <= kMax values x(0), ..., x(c - 1): one step, so lane l holds
// -0 + x(l) = x(l) for l < c and -0 otherwise. -0 is an exact identity, so the fold of 128 lanes
// has the bits of a fold of H lanes, H the largest power of two below c (1 for c = 1), that first
// adds lane l + H into lane l where l + H < c. The fold of H lanes is written as its tree,
// fold(m, r) = fold(2m, r) + fold(2m, r + m) down to m = H, so that a device compiles it to
// straight-line code without an array: CUDA's embedding gradient sums short segments with it.
template <int H, int M, int R, class A, class X>
DETNUM_HD A fold_few(int c, const X& x) {
  if constexpr (M == H) {
    return R + H < c ? A(x(R)) + A(x(R + H)) : A(x(R));
  } else {
    return fold_few<H, 2 * M, R, A>(c, x) + fold_few<H, 2 * M, R + M, A>(c, x);
  }
}

// kMax (a power of two up to kReduceLanes) bounds c at compile time: a kernel that only meets
// short sums compiles only their trees (all of them together run to hundreds of KB of code).
// c must be in [1, kMax]: a larger c would be summed as its first kMax values.
template <class A, int kMax = kReduceLanes, int H = 1, class X>
DETNUM_HD A sum_of_few(int c, const X& x) {
  static_assert(kMax >= 1 && kMax <= kReduceLanes && (kMax & (kMax - 1)) == 0, "kMax: a power of two up to 128");
  if constexpr (2 * H >= kMax) {
    return fold_few<H, 1, 0, A>(c, x);
  } else {
    return c <= 2 * H ? fold_few<H, 1, 0, A>(c, x) : sum_of_few<A, kMax, 2 * H>(c, x);
  }
}

}  // namespace detnum::detail
