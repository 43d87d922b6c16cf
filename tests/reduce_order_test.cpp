// Known answers that pin ORDER.md's canonical reduction order (version 1), not merely "some
// order": each order case is built so that a plausible other order (sequential summation,
// another lane mapping, another fold tree, lanes starting from +0, other chunk sizes, no second
// level, mul + add instead of fma, one-pass variance, ...) gives different bits. The expected
// bits are derived by hand from ORDER.md's text; each case says how. Also the definitions of
// nrm2, mean, variance and the extremes (signed zeros, NaN, ties, widening of bf16 and fp16).
// Only detnum::ref:: is tested here; the fast paths and kernels are compared with ref bit for
// bit in reduce_test / reduce_gpu_test. Not covered: a third level (n > 2^26, too large here).
//
// Notation in the derivations: RN(v) is v rounded to the accumulator A to nearest, ties to even;
// `a[l]` is lane l; "fold" is ORDER.md step 4 (h = 64, 32, ..., 1, a[l] = a[l] + a[l + h]);
// unused lanes hold -0 and lanes that only saw +0 elements hold +0 (-0 + +0 = +0); adding a zero
// to a nonzero value is exact, so zero padding never changes a nonzero partial.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "detnum/detail/reduce_order.hpp"
#include "detnum/error.hpp"
#include "detnum/random.hpp"
#include "detnum/reduce.hpp"
#include "support/bits.hpp"

namespace detnum {
namespace {

using test::describe;

// Bitwise comparison of a result with the expected value (so -0 != +0 and NaN bits count).
template <class A>
::testing::AssertionResult same(A want, A got) {
  if (std::memcmp(&want, &got, sizeof(A)) == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected " << describe(want) << ", got " << describe(got);
}
::testing::AssertionResult same_u32(std::uint32_t want, float got) {
  if (bits_of(got) == want) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected 0x" << std::hex << want << ", got " << describe(got);
}
::testing::AssertionResult same_u64(std::uint64_t want, double got) {
  if (bits_of(got) == want) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected 0x" << std::hex << want << ", got " << describe(got);
}

// ---- the input types, with the values the order cases are written in ----------------------
//
// Each case is written with two numbers of the accumulator A: `one` (a power of two) and
// B = 2^p * one, where p is A's precision (24 for float, bf16 and fp16; 53 for double). Then,
// in A with round to nearest even (these are the only roundings the cases use):
//   F1: B + one   -> B               (a tie between B and B + 2 one; B's significand is even)
//   F2: B + 2 one  = B + 2 one       (exact: the spacing of A at B is 2 one)
//   F3: -B + one   = -(B - one)      (exact: (2^p - 1) one fits in p bits)
//   F4: 2B - 2B    = +0, and +0 + one = one
//   F5: one - 2B  -> -2B             (2B - one is a tie between 2B - 2 one, odd significand, and
//                                     2B, even; so it rounds to 2B)
// one = 1 for float, double and bf16 (2^24 = bf16 0x4B80, 2^25 = 0x4C00 are bf16 values);
// one = 2^-14 for fp16, so that B = 2^10 and 2B = 2^11 stay inside binary16's range.
template <class T> struct Fmt;
template <> struct Fmt<float> {
  static constexpr int p = 24;
  static float one() { return 1.0f; }
  static float from(float v) { return v; }
};
template <> struct Fmt<double> {
  static constexpr int p = 53;
  static double one() { return 1.0; }
  static double from(double v) { return v; }
};
template <> struct Fmt<bf16> {
  static constexpr int p = 24;
  static float one() { return 1.0f; }
  static bf16 from(float v) {
    const bf16 b{static_cast<std::uint16_t>(bits_of(v) >> 16)};
    EXPECT_EQ(bits_of(to_float(b)), bits_of(v)) << "not a bf16 value: " << v;
    return b;
  }
};
template <> struct Fmt<fp16> {
  static constexpr int p = 24;
  static float one() { return 0x1p-14f; }
  // v must be a binary16 value (checked by widening it back).
  static fp16 from(float v) {
    const std::uint16_t sign = std::signbit(v) ? 0x8000u : 0u;
    const float m = std::fabs(v);
    std::uint16_t b;
    if (std::isinf(m)) b = 0x7C00u;
    else if (m < 0x1p-14f) b = static_cast<std::uint16_t>(m * 0x1p24f);  // subnormal: m / 2^-24
    else {
      const int e = std::ilogb(m);
      b = static_cast<std::uint16_t>((e + 15) << 10 | ((bits_of(m) >> 13) & 0x3FFu));
    }
    const fp16 h{static_cast<std::uint16_t>(sign | b)};
    EXPECT_EQ(bits_of(to_float(h)), bits_of(v)) << "not a binary16 value: " << v;
    return h;
  }
};

// n elements, all +0 except the listed (index, value) pairs.
template <class T>
std::vector<T> sparse(std::int64_t n, std::initializer_list<std::pair<std::int64_t, accum_t<T>>> set) {
  std::vector<T> v(static_cast<std::size_t>(n), Fmt<T>::from(accum_t<T>(0)));
  for (const auto& [i, x] : set) v[static_cast<std::size_t>(i)] = Fmt<T>::from(x);
  return v;
}
template <class T>
std::vector<T> filled(std::int64_t n, accum_t<T> x) {
  return std::vector<T>(static_cast<std::size_t>(n), Fmt<T>::from(x));
}

template <class T>
class ReduceOrder : public ::testing::Test {};
using ReduceTypes = ::testing::Types<float, double, bf16, fp16>;
TYPED_TEST_SUITE(ReduceOrder, ReduceTypes);

// The facts F1..F5 themselves, and the float values in hex, so that a slip in them shows here
// rather than as a confusing failure below.
TEST(ReduceOrderFacts, RoundingFactsHold) {
  const float B = 0x1p24f, one = 1.0f;
  EXPECT_TRUE(same_u32(0x4B800000u, B + one));          // F1
  EXPECT_TRUE(same_u32(0x4B800001u, B + 2 * one));      // F2
  EXPECT_TRUE(same_u32(0xCB7FFFFFu, -B + one));         // F3: -(2^24 - 1)
  EXPECT_TRUE(same_u32(0x00000000u, 2 * B - 2 * B));    // F4
  EXPECT_TRUE(same_u32(0xCC000000u, one - 2 * B));      // F5
  const double Bd = 0x1p53;
  EXPECT_TRUE(same(Bd, Bd + 1.0));
  EXPECT_TRUE(same(-(Bd - 1.0), -Bd + 1.0));
  EXPECT_TRUE(same(-2 * Bd, 1.0 - 2 * Bd));
  const float Bh = 0x1p10f, oneh = 0x1p-14f;  // the fp16 scale
  EXPECT_TRUE(same(Bh, Bh + oneh));
  EXPECT_TRUE(same(-2 * Bh, oneh - 2 * Bh));
}

// ---- (a) lanes: element i goes to lane i mod 128, in increasing order within the lane -------

// n = 193: x[0] = B, x[64] = one, x[192] = one. 192 mod 128 = 64, so a[0] = B and
// a[64] = one + one = 2 one. Fold h = 64: a[0] = B + 2 one (F2, exact); every later fold adds
// zeros. Result B + 2 one (float 0x4B800001).
// Other orders: 64 lanes (i mod 64) or sequential summation put all three into one running sum:
// (B + one) + one = B (F1 twice).
TYPED_TEST(ReduceOrder, LaneIsIndexMod128) {
  using A = accum_t<TypeParam>;
  const A one = Fmt<TypeParam>::one(), B = std::ldexp(one, Fmt<TypeParam>::p);
  const auto x = sparse<TypeParam>(193, {{0, B}, {64, one}, {192, one}});
  EXPECT_TRUE(same<A>(B + 2 * one, ref::sum(x.data(), 193)));
  // asum sees the same magnitudes; negate the small ones to show abs is taken before the lane add.
  const auto y = sparse<TypeParam>(193, {{0, -B}, {64, -one}, {192, one}});
  EXPECT_TRUE(same<A>(B + 2 * one, ref::asum(y.data(), 193)));
  // dot with y = 1: every product is exact, so the same sum.
  const auto ones = filled<TypeParam>(193, A(1));
  EXPECT_TRUE(same<A>(B + 2 * one, ref::dot(x.data(), ones.data(), 193)));
}

// n = 130: x[0] = B, x[1] = one, x[129] = one. a[0] = B, a[1] = 2 one; the fold adds a[1] to
// a[0] last (h = 1): B + 2 one (F2). Sequential summation: B (F1 twice).
TYPED_TEST(ReduceOrder, LanesAreIndependent) {
  using A = accum_t<TypeParam>;
  const A one = Fmt<TypeParam>::one(), B = std::ldexp(one, Fmt<TypeParam>::p);
  const auto x = sparse<TypeParam>(130, {{0, B}, {1, one}, {129, one}});
  EXPECT_TRUE(same<A>(B + 2 * one, ref::sum(x.data(), 130)));
}

// n = 257: x[0] = 2B, x[128] = -2B, x[256] = one, all in lane 0, folded in increasing index:
// ((-0 + 2B) + -2B) + one = +0 + one = one (F4). Decreasing order: (one + -2B) + 2B = -2B + 2B
// = +0 (F5); pairwise inside the lane, 2B + (-2B + one) = 2B + -2B = +0 (F5). Result one (float
// 0x3F800000).
TYPED_TEST(ReduceOrder, LaneFoldsItsElementsInIncreasingIndex) {
  using A = accum_t<TypeParam>;
  const A one = Fmt<TypeParam>::one(), B2 = std::ldexp(one, Fmt<TypeParam>::p + 1);
  const auto x = sparse<TypeParam>(257, {{0, B2}, {128, -B2}, {256, one}});
  EXPECT_TRUE(same<A>(one, ref::sum(x.data(), 257)));
  const auto ones = filled<TypeParam>(257, A(1));
  EXPECT_TRUE(same<A>(one, ref::dot(x.data(), ones.data(), 257)));
}

// ---- (b) the fold tree: h = 64 first, lane l += lane l + h -------------------------------

// n = 66: x[0] = B, x[64] = one, x[1] = -B, x[65] = one (lanes 0, 64, 1, 65).
// h = 64: a[0] = B + one = B (F1); a[1] = -B + one = -(B - one) (F3). h = 32 .. 2 add zeros.
// h = 1: a[0] = B - (B - one) = one. Result one.
// Adjacent pairs first ((a0 + a1) + (a64 + a65)) or sequential by index: 0 + 2 one = 2 one.
TYPED_TEST(ReduceOrder, FoldPairsLaneWithLanePlus64First) {
  using A = accum_t<TypeParam>;
  const A one = Fmt<TypeParam>::one(), B = std::ldexp(one, Fmt<TypeParam>::p);
  const auto x = sparse<TypeParam>(66, {{0, B}, {64, one}, {1, -B}, {65, one}});
  EXPECT_TRUE(same<A>(one, ref::sum(x.data(), 66)));
  const auto ones = filled<TypeParam>(66, A(1));
  EXPECT_TRUE(same<A>(one, ref::dot(x.data(), ones.data(), 66)));
}

// n = 66, only positive magnitudes (so it also pins asum): |x| = B at lane 0, one at lanes 64
// and 65, +0 at lane 1. h = 64: a[0] = B + one = B (F1), a[1] = +0 + one = one. h = 1:
// a[0] = B + one = B (F1). Result B. Adjacent pairs first: B + (one + one) = B + 2 one (F2).
TYPED_TEST(ReduceOrder, FoldPairsLaneWithLanePlus64FirstPositive) {
  using A = accum_t<TypeParam>;
  const A one = Fmt<TypeParam>::one(), B = std::ldexp(one, Fmt<TypeParam>::p);
  const auto x = sparse<TypeParam>(66, {{0, B}, {64, one}, {65, one}});
  EXPECT_TRUE(same<A>(B, ref::sum(x.data(), 66)));
  const auto y = sparse<TypeParam>(66, {{0, -B}, {64, -one}, {65, one}});
  EXPECT_TRUE(same<A>(B, ref::asum(y.data(), 66)));
}

// n = 97: x[0] = B, x[64] = one, x[32] = -B, x[96] = one. h = 64: a[0] = B + one = B (F1),
// a[32] = -B + one = -(B - one) (F3). h = 32: a[0] = B - (B - one) = one. Result one.
// With h = 32 before h = 64: (a0 + a32) + (a64 + a96) = 0 + 2 one.
TYPED_TEST(ReduceOrder, FoldHalvesFrom64Down) {
  using A = accum_t<TypeParam>;
  const A one = Fmt<TypeParam>::one(), B = std::ldexp(one, Fmt<TypeParam>::p);
  const auto x = sparse<TypeParam>(97, {{0, B}, {64, one}, {32, -B}, {96, one}});
  EXPECT_TRUE(same<A>(one, ref::sum(x.data(), 97)));
}

// Every lane in play: a[0] = B, a[l] = one for l = 1..127 (n = 128).
// h = 64: a[0] = B + one = B (F1); a[l] = 2 one for 1 <= l < 64.
// h = 32: a[0] = B + 2 one (exact); a[l] = 4 one for 1 <= l < 32.
// h = 16, 8, 4, 2, 1: a[0] gains 4, 8, 16, 32, 64 times one, each exact (B + 2 one + ... is an
// even multiple of one below 2B): B + 126 one. (The exact sum is B + 127 one.)
// Sequential summation: B (every one is absorbed, F1).
TYPED_TEST(ReduceOrder, FoldOfAllLanes) {
  using A = accum_t<TypeParam>;
  const A one = Fmt<TypeParam>::one(), B = std::ldexp(one, Fmt<TypeParam>::p);
  auto x = filled<TypeParam>(128, one);
  x[0] = Fmt<TypeParam>::from(B);
  EXPECT_TRUE(same<A>(B + 126 * one, ref::sum(x.data(), 128)));
}

// {MAX, MAX, -MAX} (MAX the largest finite value): a[0] = MAX, a[1] = MAX, a[2] = -MAX.
// h = 2: a[0] = MAX + -MAX = +0, a[1] = MAX + -0 = MAX. h = 1: +0 + MAX = MAX.
// Sequential or adjacent pairs: MAX + MAX = +Inf (overflow), +Inf - MAX = +Inf.
TEST(ReduceOrderFold, NoOverflowWhereTheFoldCancelsFirst) {
  const float f[] = {std::numeric_limits<float>::max(), std::numeric_limits<float>::max(), -std::numeric_limits<float>::max()};
  EXPECT_TRUE(same_u32(0x7F7FFFFFu, ref::sum(f, 3)));
  const double d[] = {std::numeric_limits<double>::max(), std::numeric_limits<double>::max(), -std::numeric_limits<double>::max()};
  EXPECT_TRUE(same_u64(0x7FEFFFFFFFFFFFFFull, ref::sum(d, 3)));
  // bf16's largest value (2 - 2^-7) * 2^127 = float 0x7F7F0000; twice it overflows float.
  const bf16 b[] = {bf16{0x7F7F}, bf16{0x7F7F}, bf16{0xFF7F}};
  EXPECT_TRUE(same_u32(0x7F7F0000u, ref::sum(b, 3)));
}

// ---- (c) lanes start from -0; the empty sum is +0 ------------------------------------------

TYPED_TEST(ReduceOrder, SignedZeros) {
  using T = TypeParam;
  using A = accum_t<T>;
  const A pz = A(0), nz = -A(0);
  // n = 0: ORDER.md step 1, +0 (sum, asum, dot).
  EXPECT_TRUE(same<A>(pz, ref::sum<T>(nullptr, 0)));
  EXPECT_TRUE(same<A>(pz, ref::asum<T>(nullptr, 0)));
  EXPECT_TRUE(same<A>(pz, ref::dot<T>(nullptr, nullptr, 0)));
  // {-0}: a[0] = -0 + -0 = -0, the other lanes stay -0, and -0 + -0 = -0 in every fold.
  // (Lanes starting from +0 would give +0 + -0 = +0.)
  const auto z1 = filled<T>(1, nz);
  EXPECT_TRUE(same<A>(nz, ref::sum(z1.data(), 1)));
  // {-0, -0}: two lanes of -0, -0 + -0 = -0.
  const auto z2 = filled<T>(2, nz);
  EXPECT_TRUE(same<A>(nz, ref::sum(z2.data(), 2)));
  // 129 times -0: a[0] = (-0 + -0) + -0 = -0, all other lanes -0.
  const auto z129 = filled<T>(129, nz);
  EXPECT_TRUE(same<A>(nz, ref::sum(z129.data(), 129)));
  // 8193 times -0: p_0 = -0, p_1 = -0; the second level again starts its lanes from -0:
  // -0 + p_0 = -0, -0 + p_1 = -0, folded: -0. (A second level from +0 would give +0.)
  const auto z8193 = filled<T>(8193, nz);
  EXPECT_TRUE(same<A>(nz, ref::sum(z8193.data(), 8193)));
  // {+0, -0} and {-0, +0}: a[0], a[1] are +0 and -0 in some order; +0 + -0 = +0.
  auto pn = filled<T>(2, nz);
  pn[0] = Fmt<T>::from(pz);
  EXPECT_TRUE(same<A>(pz, ref::sum(pn.data(), 2)));
  auto np = filled<T>(2, nz);
  np[1] = Fmt<T>::from(pz);
  EXPECT_TRUE(same<A>(pz, ref::sum(np.data(), 2)));
  // {1, -1}: x + -x = +0 in round to nearest.
  auto c = filled<T>(2, A(1));
  c[1] = Fmt<T>::from(A(-1));
  EXPECT_TRUE(same<A>(pz, ref::sum(c.data(), 2)));
  // asum {-0}: -0 + |-0| = -0 + +0 = +0.
  EXPECT_TRUE(same<A>(pz, ref::asum(z1.data(), 1)));
  EXPECT_TRUE(same<A>(pz, ref::asum(z8193.data(), 8193)));
  // dot: fma(-0, 1, -0) = -0 + -0 = -0; fma(+0, -1, -0) = -0; fma(+0, 1, -0) = +0 + -0 = +0.
  const auto p1 = filled<T>(1, A(1)), m1 = filled<T>(1, A(-1)), pz1 = filled<T>(1, pz);
  EXPECT_TRUE(same<A>(nz, ref::dot(z1.data(), p1.data(), 1)));
  EXPECT_TRUE(same<A>(nz, ref::dot(pz1.data(), m1.data(), 1)));
  EXPECT_TRUE(same<A>(pz, ref::dot(pz1.data(), p1.data(), 1)));
  const auto ones = filled<T>(8193, A(1));
  EXPECT_TRUE(same<A>(nz, ref::dot(z8193.data(), ones.data(), 8193)));
  // mean {-0} = -0 / 1 = -0.
  EXPECT_TRUE(same<A>(nz, ref::mean(z1.data(), 1)));
}

// ---- (d) chunks of 8192 and the levels above them ------------------------------------------

// n = 8193: x[0] = B, x[1] = -B (chunk 0), x[8192] = one (chunk 1, lane 0).
// p_0 = B + -B = +0 (h = 1); p_1 = one. Second level, m = 2: a[0] = -0 + p_0 = +0,
// a[1] = -0 + p_1 = one; folded: one. Result one.
// Without the chunk cut (element 8192 in lane 0 after element 0): a[0] = B + one = B (F1),
// folded with a[1] = -B: +0.
TYPED_TEST(ReduceOrder, ChunkBoundaryAt8192) {
  using A = accum_t<TypeParam>;
  const A one = Fmt<TypeParam>::one(), B = std::ldexp(one, Fmt<TypeParam>::p);
  const auto x = sparse<TypeParam>(8193, {{0, B}, {1, -B}, {8192, one}});
  EXPECT_TRUE(same<A>(one, ref::sum(x.data(), 8193)));
  const auto ones = filled<TypeParam>(8193, A(1));
  EXPECT_TRUE(same<A>(one, ref::dot(x.data(), ones.data(), 8193)));
  // The last element of chunk 0 is 8191 (lane 127, step 63): x[8063] = -B (lane 127, step 62),
  // x[8191] = B, x[8192] = one. p_0 = (-0 + -B) + B = +0, p_1 = one: result one.
  // If 8191 went into a chunk with 8192: B + one = B (F1) there, and the result would be +0.
  const auto y = sparse<TypeParam>(8193, {{8063, -B}, {8191, B}, {8192, one}});
  EXPECT_TRUE(same<A>(one, ref::sum(y.data(), 8193)));
}

// n = 8192 is one chunk: x[0] = B, x[4096] = one, x[8064] = one are lane 0, steps 0, 32 and 63:
// ((B + one) + one) = B (F1 twice). Result B. With shorter chunks (4096, or 32 steps per lane),
// x[4096] and x[8064] would meet first in a chunk of their own: B + 2 one (F2).
TYPED_TEST(ReduceOrder, ChunkHolds8192Elements) {
  using A = accum_t<TypeParam>;
  const A one = Fmt<TypeParam>::one(), B = std::ldexp(one, Fmt<TypeParam>::p);
  const auto x = sparse<TypeParam>(8192, {{0, B}, {4096, one}, {8064, one}});
  EXPECT_TRUE(same<A>(B, ref::sum(x.data(), 8192)));
}

// m = 66 chunks (n = 66 * 8192): p_0 = B, p_1 = -B, p_64 = one, p_65 = one (one nonzero element
// at the start of each of those chunks), every other partial +0. The partials are reduced by
// the same lanes and fold: lane c holds p_c; h = 64: a[0] = B + one = B (F1),
// a[1] = -B + one = -(B - one) (F3); h = 1: one. Result one.
// Partials summed in sequence, or a single level (all these elements have i mod 128 = 0, so
// one lane: B - B + one + one): 2 one.
TYPED_TEST(ReduceOrder, SecondLevelFoldPairsPartialWithPartialPlus64) {
  using A = accum_t<TypeParam>;
  constexpr std::int64_t C = 8192, n = 66 * C;
  const A one = Fmt<TypeParam>::one(), B = std::ldexp(one, Fmt<TypeParam>::p);
  const auto x = sparse<TypeParam>(n, {{0, B}, {1 * C, -B}, {64 * C, one}, {65 * C, one}});
  EXPECT_TRUE(same<A>(one, ref::sum(x.data(), n)));
  const auto ones = filled<TypeParam>(n, A(1));
  EXPECT_TRUE(same<A>(one, ref::dot(x.data(), ones.data(), n)));
}

// m = 257 chunks (n = 257 * 8192): p_0 = 2B, p_128 = -2B, p_256 = one, all in lane 0 of the
// second level, folded in increasing chunk index: ((-0 + 2B) + -2B) + one = one (F4).
// In decreasing order or pairwise: (one + -2B) + 2B = +0 (F5).
TYPED_TEST(ReduceOrder, SecondLevelLaneFoldsPartialsInOrder) {
  using A = accum_t<TypeParam>;
  constexpr std::int64_t C = 8192, n = 257 * C;
  const A one = Fmt<TypeParam>::one(), B2 = std::ldexp(one, Fmt<TypeParam>::p + 1);
  const auto x = sparse<TypeParam>(n, {{0, B2}, {128 * C, -B2}, {256 * C + 5, one}});
  EXPECT_TRUE(same<A>(one, ref::sum(x.data(), n)));
}

// ---- (e) dot: fma inside the lane, + between lanes and chunks -------------------------------

// float: a = 1 + 2^-13, a * a = 1 + 2^-12 + 2^-26 exactly; RN(a * a) = c = 1 + 2^-12 (2^-26 is
// below half an ulp, 2^-24). n = 129: x[0] = -c, y[0] = 1 and x[128] = y[128] = a, both in
// lane 0: a[0] = fma(-c, 1, -0) = -c, then fma(a, a, -c) = RN(2^-26) = 2^-26 (0x32800000).
// The other lanes: fma(+0, +0, -0) = +0. Result 2^-26. Multiply then add: RN(a*a) - c = +0.
// n = 2 with the same pairs in lanes 0 and 1: a[1] = fma(a, a, -0) = RN(a * a) = c, and the
// fold adds with +: -c + c = +0.
// double, the same with a = 1 + 2^-27: RN(a * a) = 1 + 2^-26, residue 2^-54 (0x3C90000000000000).
TEST(ReduceOrderDot, FmaInTheLane) {
  {
    const float a = 1.0f + 0x1p-13f, c = 1.0f + 0x1p-12f;
    std::vector<float> x(129, 0.0f), y(129, 0.0f);
    x[0] = -c, y[0] = 1.0f, x[128] = a, y[128] = a;
    EXPECT_TRUE(same_u32(0x32800000u, ref::dot(x.data(), y.data(), 129)));
    const float x2[] = {-c, a}, y2[] = {1.0f, a};
    EXPECT_TRUE(same_u32(0x00000000u, ref::dot(x2, y2, 2)));
  }
  {
    const double a = 1.0 + 0x1p-27, c = 1.0 + 0x1p-26;
    std::vector<double> x(129, 0.0), y(129, 0.0);
    x[0] = -c, y[0] = 1.0, x[128] = a, y[128] = a;
    EXPECT_TRUE(same_u64(0x3C90000000000000ull, ref::dot(x.data(), y.data(), 129)));
    const double x2[] = {-c, a}, y2[] = {1.0, a};
    EXPECT_TRUE(same_u64(0, ref::dot(x2, y2, 2)));
  }
}

// bf16 and fp16 products are exact in float (8- and 11-bit significands give at most 22 bits),
// so fma and multiply-add agree for them; these pin the widening of the products instead.
// bf16 a = 1 + 2^-7 (0x3F81): a * a = 1 + 2^-6 + 2^-14, float 0x3F820200.
// fp16 a = 1 + 2^-10 (0x3C01): a * a = 1 + 2^-9 + 2^-20, float 0x3F804008.
TEST(ReduceOrderDot, HalfProductsAreExactInFloat) {
  const bf16 b[] = {bf16{0x3F81}};
  EXPECT_TRUE(same_u32(0x3F820200u, ref::dot(b, b, 1)));
  const fp16 h[] = {fp16{0x3C01}};
  EXPECT_TRUE(same_u32(0x3F804008u, ref::dot(h, h, 1)));
  // fp16 1023 * 2^-24 (0x03FF, the largest subnormal) times 2^-14 (0x0400): 1023 * 2^-38,
  // a normal float: 1.998046875 * 2^-29 = 0x317FC000 (binary16 would flush it to 0).
  const fp16 s[] = {fp16{0x03FF}}, t[] = {fp16{0x0400}};
  EXPECT_TRUE(same_u32(0x317FC000u, ref::dot(s, t, 1)));
}

// ---- (f) nrm2 -------------------------------------------------------------------------------

// float: squares accumulate in double, so nothing overflows or underflows.
// {3 * 2^125, 4 * 2^125}: squares 9 * 2^250 and 16 * 2^250 (exact in double; 16 * 2^250 is far
// beyond FLT_MAX), a[0] = 9 * 2^250, a[1] = 16 * 2^250, folded: 25 * 2^250 (exact); sqrt:
// 5 * 2^125 exactly = 1.25 * 2^127, float 0x7F200000.
// {x} for any float x: x * x is exact in double and the sqrt of an exact square is exact, so
// nrm2 = |x|: 1e-30f (whose square 1e-60 underflows float) comes back bit for bit.
// {3 * 2^-140, 4 * 2^-140} (float subnormals): 5 * 2^-140 = 2560 * 2^-149, bits 0x00000A00.
TEST(ReduceOrderNrm2, FloatAccumulatesInDouble) {
  const float big[] = {0x1.8p126f, 0x1p127f};
  EXPECT_TRUE(same_u32(0x7F200000u, ref::nrm2(big, 2)));
  const float tiny[] = {3 * 0x1p-140f, 4 * 0x1p-140f};
  EXPECT_TRUE(same_u32(0x00000A00u, ref::nrm2(tiny, 2)));
  for (float v : {1e-30f, -1e-30f, 3e38f, std::numeric_limits<float>::denorm_min(), -std::numeric_limits<float>::max()}) {
    EXPECT_TRUE(same(std::fabs(v), ref::nrm2(&v, 1))) << v;
  }
  // {2e38, 2e38}: t^2 (48 bits) and 2 t^2 are exact in double (float would overflow at t^2),
  // so the result is float(sqrt_double(2 t^2)) by ORDER.md's definition: finite, 2.8284e38.
  const float two[] = {2e38f, 2e38f};
  const double t = 2e38f;
  const float want = static_cast<float>(std::sqrt(2.0 * (t * t)));
  EXPECT_TRUE(same(want, ref::nrm2(two, 2)));
  EXPECT_TRUE(std::isfinite(want));
  EXPECT_NEAR(want, 2.8284271e38f, 1e32f);
  // {3e38, 3e38}: the true norm, 4.2426e38, is beyond FLT_MAX (3.4028e38): only the final
  // rounding to float overflows, to +Inf.
  const float three[] = {3e38f, 3e38f};
  EXPECT_TRUE(same_u32(0x7F800000u, ref::nrm2(three, 2)));
  // {3, 4} = 5 in every input type.
  const float f34[] = {3.0f, 4.0f};
  EXPECT_TRUE(same_u32(0x40A00000u, ref::nrm2(f34, 2)));
  const bf16 b34[] = {bf16{0x4040}, bf16{0x4080}};
  EXPECT_TRUE(same_u32(0x40A00000u, ref::nrm2(b34, 2)));
  const fp16 h34[] = {fp16{0x4200}, fp16{0x4400}};
  EXPECT_TRUE(same_u32(0x40A00000u, ref::nrm2(h34, 2)));
  // fp16 subnormals 3 * 2^-24 and 4 * 2^-24: 5 * 2^-24 = 1.25 * 2^-22, float 0x34A00000.
  const fp16 hs[] = {fp16{0x0003}, fp16{0x0004}};
  EXPECT_TRUE(same_u32(0x34A00000u, ref::nrm2(hs, 2)));
}

TEST(ReduceOrderNrm2, FloatSpecials) {
  EXPECT_TRUE(same_u32(0u, ref::nrm2<float>(nullptr, 0)));
  const float nz[] = {-0.0f};  // fma(-0, -0, -0) = +0 + -0 = +0
  EXPECT_TRUE(same_u32(0u, ref::nrm2(nz, 1)));
  const float inf[] = {1.0f, -INFINITY};
  EXPECT_TRUE(same_u32(0x7F800000u, ref::nrm2(inf, 2)));
  const float nan[] = {INFINITY, float_from_bits(0xFFC12345u)};
  EXPECT_TRUE(same_u32(kCanonicalNanF32, ref::nrm2(nan, 2)));
}

// double: k = floor(log2 amax), t_i = x_i * 2^-k, R(fma(t, t, a)), sqrt, times 2^k.
// {3 * 2^1020, 4 * 2^1020}: amax = 2^1022, k = 1022, t = {0.75, 1}: a[0] = 0.5625, a[1] = 1,
// folded 1.5625, sqrt 1.25, times 2^1022: 5 * 2^1020, bits 0x7FD4000000000000 (the unscaled
// squares would overflow).
// {3 * 2^-1074, 4 * 2^-1074} (subnormals, bits 3 and 4): amax = 2^-1072, k = -1072; 2^1072 is
// beyond 2^1023, so t = x * 2^1023 * 2^49 = {0.75, 1}: as above 1.25, times 2^-1072:
// 5 * 2^-1074, bits 0x0000000000000005 (the unscaled squares would underflow to 0).
// {1e300, 1e-310}: 2^996 <= 1e300 < 2^997, k = 996, t_0 = 1e300 * 2^-996 in [1, 2) (exact),
// t_1 = 1e-310 * 2^-996 = 0 (below the smallest subnormal: it could not contribute).
// ss = RN(t_0^2) + +0; sqrt(RN(t_0^2)) = t_0 (in binary floating point the rounded square root
// of a rounded square is the value back), times 2^996: 1e300 exactly.
TEST(ReduceOrderNrm2, DoubleScales) {
  const double big[] = {3 * 0x1p1020, 4 * 0x1p1020};
  EXPECT_TRUE(same_u64(0x7FD4000000000000ull, ref::nrm2(big, 2)));
  const double sub[] = {double_from_bits(3), double_from_bits(4)};
  EXPECT_TRUE(same_u64(0x0000000000000005ull, ref::nrm2(sub, 2)));
  const double mixed[] = {1e300, 1e-310};
  EXPECT_TRUE(same(1e300, ref::nrm2(mixed, 2)));
  for (double v : {1e-310, -1e300, 0x1p-1074, std::numeric_limits<double>::max(), 1e-30}) {
    EXPECT_TRUE(same(std::fabs(v), ref::nrm2(&v, 1))) << v;
  }
  // {1e300, 1e300}: a[0] = a[1] = RN(t^2) with t = 1e300 * 2^-996, folded 2 RN(t^2) (exact),
  // then sqrt and the exact scaling: finite, about 1.4142e300.
  const double two[] = {1e300, 1e300};
  const double t = std::ldexp(1e300, -996);
  const double want = std::ldexp(std::sqrt(2.0 * (t * t)), 996);
  EXPECT_TRUE(same(want, ref::nrm2(two, 2)));
  EXPECT_NEAR(want / 1e300, std::sqrt(2.0), 1e-15);
  // Specials: n = 0 and amax = 0 give +0; amax = +Inf gives +Inf; a NaN gives NaN.
  EXPECT_TRUE(same_u64(0, ref::nrm2<double>(nullptr, 0)));
  const double zeros[] = {0.0, -0.0};
  EXPECT_TRUE(same_u64(0, ref::nrm2(zeros, 2)));
  const double nzero[] = {-0.0};
  EXPECT_TRUE(same_u64(0, ref::nrm2(nzero, 1)));
  const double inf[] = {1.0, -INFINITY};
  EXPECT_TRUE(same_u64(0x7FF0000000000000ull, ref::nrm2(inf, 2)));
  const double nan1[] = {INFINITY, double_from_bits(0xFFF0000000000001ull)};
  EXPECT_TRUE(same_u64(kCanonicalNanF64, ref::nrm2(nan1, 2)));
  const double nan2[] = {double_from_bits(0x7FF8000000000123ull), INFINITY};
  EXPECT_TRUE(same_u64(kCanonicalNanF64, ref::nrm2(nan2, 2)));
}

// ---- (g) mean and variance --------------------------------------------------------------------

TYPED_TEST(ReduceOrder, MeanOfNothingIsTheCanonicalNaN) {
  using A = accum_t<TypeParam>;
  const A m = ref::mean<TypeParam>(nullptr, 0);
  if constexpr (std::is_same_v<A, double>) EXPECT_TRUE(same_u64(kCanonicalNanF64, m));
  else EXPECT_TRUE(same_u32(kCanonicalNanF32, m));
}

// mean = sum / A(n), one IEEE division.
// {1, 2, 4}: sum 7 (exact), 7 / 3 = 2.3333... = 1.0010101...b * 2^1; 23 fraction bits
// 00101010101010101010101 then 0101..., so rounded down: 0x40155555.
// The sum inside mean is the canonical one: the LanesAreIndependent input (n = 130) has
// sum B + 2 one, so mean = RN((B + 2 one) / 130); a sequential sum would give RN(B / 130).
TEST(ReduceOrderMean, OneDivisionOfTheCanonicalSum) {
  const float x[] = {1.0f, 2.0f, 4.0f};
  EXPECT_TRUE(same_u32(0x40155555u, ref::mean(x, 3)));
  std::vector<float> y(130, 0.0f);
  y[0] = 0x1p24f, y[1] = 1.0f, y[129] = 1.0f;
  EXPECT_TRUE(same(16777218.0f / 130.0f, ref::mean(y.data(), 130)));
  EXPECT_FALSE(same(16777216.0f / 130.0f, ref::mean(y.data(), 130)));
  const double xd[] = {1.0, 2.0, 4.0};
  EXPECT_TRUE(same(7.0 / 3.0, ref::mean(xd, 3)));
  const bf16 xb[] = {bf16{0x3F80}, bf16{0x4000}, bf16{0x4080}};
  EXPECT_TRUE(same_u32(0x40155555u, ref::mean(xb, 3)));
  const fp16 xh[] = {fp16{0x3C00}, fp16{0x4000}, fp16{0x4400}};
  EXPECT_TRUE(same_u32(0x40155555u, ref::mean(xh, 3)));
}

// {1, 2, 3, 4}: sum: h = 2: a[0] = 1 + 3 = 4, a[1] = 2 + 4 = 6; h = 1: 10; mean 10 / 4 = 2.5.
// d = {-1.5, -0.5, 0.5, 1.5} (exact); lanes d^2 = {2.25, 0.25, 0.25, 2.25}; h = 2: 2.5, 2.5;
// h = 1: 5. ddof 0: 5 / 4 = 1.25 (0x3FA00000); ddof 1: 5 / 3 = 1.101010...b, 23 fraction bits
// 10101010101010101010101 then 0101...: 0x3FD55555; ddof 3: 5 (0x40A00000); ddof 4, 5: NaN.
TYPED_TEST(ReduceOrder, VarianceDefinition) {
  using T = TypeParam;
  using A = accum_t<T>;
  std::vector<T> x;
  for (A v : {A(1), A(2), A(3), A(4)}) x.push_back(Fmt<T>::from(v));
  EXPECT_TRUE(same<A>(A(1.25), ref::variance(x.data(), 4, Ddof{0})));
  EXPECT_TRUE(same<A>(A(5) / A(3), ref::variance(x.data(), 4, Ddof{1})));
  EXPECT_TRUE(same<A>(A(5), ref::variance(x.data(), 4, Ddof{3})));
  const A nan = canonicalize(A(NAN));  // 0x7FC00000 or 0x7FF8000000000000
  EXPECT_TRUE(same<A>(nan, ref::variance(x.data(), 4, Ddof{4})));
  EXPECT_TRUE(same<A>(nan, ref::variance(x.data(), 4, Ddof{5})));
  EXPECT_TRUE(same<A>(nan, ref::variance<T>(nullptr, 0, Ddof{0})));
  EXPECT_TRUE(same<A>(nan, ref::variance(x.data(), 1, Ddof{1})));
  // n = 1, ddof 0: mean = x, d = +0, fma(+0, +0, -0) = +0, +0 / 1 = +0.
  const auto seven = filled<T>(1, A(7));
  EXPECT_TRUE(same<A>(A(0), ref::variance(seven.data(), 1, Ddof{0})));
  EXPECT_THROW(ref::variance(x.data(), 4, Ddof{-1}), Error);
}

// variance is two passes: the deviations from the rounded mean are squared, not x_i^2 - n m^2.
// float {4097, 4099}: sum 8196 (exact), mean 4098, d = {-1, +1}, ss = 1 + 1 = 2: ddof 0 gives 1,
// ddof 1 gives 2. (One pass in float: RN(4097^2) = 16785408, RN(4099^2) = 16801800 (ties to
// even at spacing 2), sum 33587208 = 2 * 4098^2: variance 0.)
// double {2^27 + 1, 2^27 + 3}: the same with mean 2^27 + 2 (the squares need 55 bits).
// bf16 {129, 131} (spacing 1 there): mean 130, the same 1 and 2.
TEST(ReduceOrderVariance, TwoPasses) {
  const float f[] = {4097.0f, 4099.0f};
  EXPECT_TRUE(same(1.0f, ref::variance(f, 2, Ddof{0})));
  EXPECT_TRUE(same(2.0f, ref::variance(f, 2, Ddof{1})));
  const double d[] = {0x1p27 + 1, 0x1p27 + 3};
  EXPECT_TRUE(same(1.0, ref::variance(d, 2, Ddof{0})));
  EXPECT_TRUE(same(2.0, ref::variance(d, 2, Ddof{1})));
  const bf16 b[] = {bf16{0x4301}, bf16{0x4303}};
  EXPECT_TRUE(same(1.0f, ref::variance(b, 2, Ddof{0})));
  EXPECT_TRUE(same(2.0f, ref::variance(b, 2, Ddof{1})));
}

// variance squares d_i with fma into the lane accumulators.
// float, n = 130: x[0] = 2^-12, x[128] = b = 1 + 2^-13 (lane 0), x[1] = -2^-12, x[129] = -b
// (lane 1), the rest +0. Sum: a[0] = 2^-12 + b = 1 + 2^-12 + 2^-13 (exact), a[1] = its
// negative, folded: +0; mean = +0 / 130 = +0, so d_i = x_i. Squares: a[0] = fma(2^-12, 2^-12, -0)
// = 2^-24, then fma(b, b, 2^-24) = RN(1 + 2^-12 + 2^-24 + 2^-26) = 1 + 2^-12 + 2^-23 (more than
// half an ulp, 2^-24, above 1 + 2^-12); a[1] the same; folded: 2 + 2^-11 + 2^-22 (exact).
// ddof = 128: divided by 2: 1 + 2^-12 + 2^-23, bits 0x3F800801.
// Multiply then add: 2^-24 + RN(b * b) = 2^-24 + (1 + 2^-12), a tie, to even: 1 + 2^-12
// (0x3F800800).
// double, n = 258: x[0] = x[128] = 2^-27, x[256] = b = 1 + 2^-27 (lane 0) and the negatives in
// lane 1: a[0] = 2^-54 + 2^-54 = 2^-53, then fma(b, b, 2^-53) = RN(1 + 2^-26 + 2^-53 + 2^-54)
// = 1 + 2^-26 + 2^-52; ddof = 256: 0x3FF0000004000001 (multiply then add: 0x3FF0000004000000).
TEST(ReduceOrderVariance, FmaInTheLane) {
  std::vector<float> x(130, 0.0f);
  const float b = 1.0f + 0x1p-13f;
  x[0] = 0x1p-12f, x[128] = b, x[1] = -0x1p-12f, x[129] = -b;
  EXPECT_TRUE(same_u32(0x3F800801u, ref::variance(x.data(), 130, Ddof{128})));
  std::vector<double> y(258, 0.0);
  const double bd = 1.0 + 0x1p-27;
  y[0] = y[128] = 0x1p-27, y[256] = bd, y[1] = y[129] = -0x1p-27, y[257] = -bd;
  EXPECT_TRUE(same_u64(0x3FF0000004000001ull, ref::variance(y.data(), 258, Ddof{256})));
}

// ---- (h) extremes -----------------------------------------------------------------------------

TEST(ReduceOrderExtremes, TiesGoToTheLowestIndex) {
  const float x[] = {1.0f, 3.0f, 3.0f, 2.0f, 1.0f};
  EXPECT_EQ(ref::argmax(x, 5), 1);
  EXPECT_EQ(ref::argmin(x, 5), 0);
  EXPECT_TRUE(same(3.0f, ref::max(x, 5)));
  EXPECT_TRUE(same(1.0f, ref::min(x, 5)));
  const double d[] = {2.0, -7.0, 7.0, -7.0};
  EXPECT_EQ(ref::argmax(d, 4), 2);
  EXPECT_EQ(ref::argmin(d, 4), 1);
  EXPECT_TRUE(same(7.0, ref::amax(d, 4)));  // |x|, so +7
  EXPECT_TRUE(same(2.0, ref::amin(d, 4)));
  const float e[] = {-INFINITY, 5.0f, INFINITY, INFINITY};
  EXPECT_EQ(ref::argmax(e, 4), 2);
  EXPECT_EQ(ref::argmin(e, 4), 0);
  EXPECT_TRUE(same_u32(0x7F800000u, ref::amax(e, 4)));
  EXPECT_TRUE(same(5.0f, ref::amin(e, 4)));
}

// +0 counts as greater than -0: max {-0, +0} = +0 at index 1, min = -0 at index 0.
TEST(ReduceOrderExtremes, SignedZeros) {
  const float a[] = {-0.0f, 0.0f};
  EXPECT_TRUE(same_u32(0x00000000u, ref::max(a, 2)));
  EXPECT_EQ(ref::argmax(a, 2), 1);
  EXPECT_TRUE(same_u32(0x80000000u, ref::min(a, 2)));
  EXPECT_EQ(ref::argmin(a, 2), 0);
  const float b[] = {0.0f, -0.0f};
  EXPECT_TRUE(same_u32(0x00000000u, ref::max(b, 2)));
  EXPECT_EQ(ref::argmax(b, 2), 0);
  EXPECT_TRUE(same_u32(0x80000000u, ref::min(b, 2)));
  EXPECT_EQ(ref::argmin(b, 2), 1);
  const float c[] = {-0.0f, -0.0f, 0.0f, 0.0f};
  EXPECT_EQ(ref::argmax(c, 4), 2);
  EXPECT_EQ(ref::argmin(c, 4), 0);
  // abs(-0) = +0.
  EXPECT_TRUE(same_u32(0x00000000u, ref::amax(a, 1)));
  EXPECT_TRUE(same_u32(0x00000000u, ref::amin(c, 4)));
  const double d[] = {-0.0, 0.0, -0.0};
  EXPECT_TRUE(same_u64(0, ref::max(d, 3)));
  EXPECT_EQ(ref::argmax(d, 3), 1);
  EXPECT_TRUE(same_u64(0x8000000000000000ull, ref::min(d, 3)));
  EXPECT_EQ(ref::argmin(d, 3), 0);
  const bf16 h[] = {bf16{0x8000}, bf16{0x0000}};
  EXPECT_EQ(ref::argmax(h, 2), 1);
  EXPECT_TRUE(same_u32(0x80000000u, ref::min(h, 2)));
}

// A NaN anywhere: max/min/amax/amin are the canonical NaN, argmax/argmin the first NaN's index.
TEST(ReduceOrderExtremes, NaN) {
  const float x[] = {1.0f, float_from_bits(0x7FC12345u), 5.0f, float_from_bits(0xFFC00001u), -9.0f};
  EXPECT_EQ(ref::argmax(x, 5), 1);
  EXPECT_EQ(ref::argmin(x, 5), 1);
  for (float r : {ref::max(x, 5), ref::min(x, 5), ref::amax(x, 5), ref::amin(x, 5)}) EXPECT_TRUE(same_u32(kCanonicalNanF32, r));
  const float s[] = {-INFINITY, 2.0f, float_from_bits(0x7F800001u)};  // a signalling NaN last
  EXPECT_EQ(ref::argmax(s, 3), 2);
  EXPECT_EQ(ref::argmin(s, 3), 2);
  EXPECT_TRUE(same_u32(kCanonicalNanF32, ref::min(s, 3)));
  const double d[] = {double_from_bits(0xFFF0000000000001ull), 1.0};
  EXPECT_EQ(ref::argmax(d, 2), 0);
  EXPECT_TRUE(same_u64(kCanonicalNanF64, ref::max(d, 2)));
  EXPECT_TRUE(same_u64(kCanonicalNanF64, ref::amin(d, 2)));
  // sum: Inf + -Inf is NaN (x86 makes 0xFFC00000); the result is canonical.
  const float inf[] = {INFINITY, -INFINITY};
  EXPECT_TRUE(same_u32(kCanonicalNanF32, ref::sum(inf, 2)));
  const bf16 b[] = {bf16{0x3F80}, bf16{0x7FC1}};
  EXPECT_TRUE(same_u32(kCanonicalNanF32, ref::sum(b, 2)));
  EXPECT_EQ(ref::argmax(b, 2), 1);
  const fp16 h[] = {fp16{0x7E01}, fp16{0x3C00}};
  EXPECT_TRUE(same_u32(kCanonicalNanF32, ref::max(h, 2)));
  EXPECT_EQ(ref::argmin(h, 2), 0);
}

TEST(ReduceOrderExtremes, EmptyIsAnError) {
  const float x[] = {1.0f};
  EXPECT_THROW(ref::max(x, 0), Error);
  EXPECT_THROW(ref::min(x, 0), Error);
  EXPECT_THROW(ref::amax(x, 0), Error);
  EXPECT_THROW(ref::amin(x, 0), Error);
  EXPECT_THROW(ref::argmax(x, 0), Error);
  EXPECT_THROW(ref::argmin(x, 0), Error);
}

// Widening of bf16 and fp16 is exact, and they accumulate in float.
// fp16 0x0001 = 2^-24, 0x03FF = 1023 * 2^-24 (largest subnormal), 0x8001 = -2^-24.
//   max = 1023 * 2^-24 = 1.998046875 * 2^-15: float 0x387FC000; min = -2^-24: 0xB3800000.
//   sum {0x0001, 0x0001, 0x03FF} = 1025 * 2^-24 = 1.0009765625 * 2^-14: 0x38802000.
//   {2048 (0x6800), 1 (0x3C00)}: 2049 in float, 0x45001000 (binary16 has spacing 2 there).
//   {-Inf (0xFC00), 65504 (0x7BFF)}: max 65504 = 0x477FE000.
// bf16 {256 (0x4380), 1 (0x3F80)}: 257 in float, 0x43808000 (bf16 has spacing 2 there).
//   0x0001 is the subnormal 2^-133, float 0x00010000.
TEST(ReduceOrderWidening, HalfTypes) {
  const fp16 h[] = {fp16{0x0001}, fp16{0x03FF}, fp16{0x8001}};
  EXPECT_TRUE(same_u32(0x387FC000u, ref::max(h, 3)));
  EXPECT_EQ(ref::argmax(h, 3), 1);
  EXPECT_TRUE(same_u32(0xB3800000u, ref::min(h, 3)));
  EXPECT_EQ(ref::argmin(h, 3), 2);
  EXPECT_TRUE(same_u32(0x33800000u, ref::amin(h, 3)));  // |0x0001| = |0x8001|: +2^-24
  const fp16 hs[] = {fp16{0x0001}, fp16{0x0001}, fp16{0x03FF}};
  EXPECT_TRUE(same_u32(0x38802000u, ref::sum(hs, 3)));
  EXPECT_TRUE(same_u32(0x38802000u, ref::asum(hs, 3)));
  const fp16 big[] = {fp16{0x6800}, fp16{0x3C00}};
  EXPECT_TRUE(same_u32(0x45001000u, ref::sum(big, 2)));
  const fp16 inf[] = {fp16{0xFC00}, fp16{0x7BFF}};
  EXPECT_TRUE(same_u32(0x477FE000u, ref::max(inf, 2)));
  EXPECT_TRUE(same_u32(0x7F800000u, ref::amax(inf, 2)));
  const bf16 b[] = {bf16{0x4380}, bf16{0x3F80}};
  EXPECT_TRUE(same_u32(0x43808000u, ref::sum(b, 2)));
  const bf16 bs[] = {bf16{0x8000}, bf16{0x0001}};
  EXPECT_TRUE(same_u32(0x00010000u, ref::max(bs, 2)));
  EXPECT_TRUE(same_u32(0x00010000u, ref::sum(bs, 2)));
}

// ---- detail::sum_of_few: the same bits as the order, for every count up to 128 ------------
//
// Values of mixed sign with random significands (all of float's bits, 52 of double's) and
// magnitudes 2^-8 .. 2^8, so that the sums round (double's too) and most counts round differently
// under another tree; some exact zeros of either sign, so that the dropped -0 lanes meet them.
template <class A>
std::vector<A> mixed_values(int c, std::uint64_t seed) {
  std::vector<A> x(static_cast<std::size_t>(c));
  for (int i = 0; i < c; ++i) {
    const std::uint32_t w = stream_word(seed, 0xF3, 2 * static_cast<std::uint64_t>(i));
    const std::uint64_t bits = (std::uint64_t{stream_word(seed, 0xF3, 2 * static_cast<std::uint64_t>(i) + 1)} << 20) ^ w;
    const double significand = 1.0 + static_cast<double>(bits & ((std::uint64_t{1} << 52) - 1)) * 0x1p-52;
    const A magnitude = static_cast<A>(std::ldexp(significand, static_cast<int>(w % 17) - 8));
    const A zero = (w >> 24) % 2 ? A(0) : -A(0);
    x[static_cast<std::size_t>(i)] = (w >> 26) % 16 == 0 ? zero : (w >> 31) ? -magnitude : magnitude;
  }
  return x;
}

TEST(ReduceOrderFew, SumOfFewHasTheBitsOfTheOrderForEveryCount) {
  for (int c = 1; c <= detail::kReduceLanes; ++c)
    for (std::uint64_t seed = 0; seed < 8; ++seed) {
      const auto f = mixed_values<float>(c, seed);
      const auto d = mixed_values<double>(c, seed);
      EXPECT_TRUE(same<float>(ref::sum(f.data(), c), detail::sum_of_few<float>(c, [&](int l) { return f[l]; })))
          << "float, c = " << c << ", seed " << seed;
      EXPECT_TRUE(same<double>(ref::sum(d.data(), c), detail::sum_of_few<double>(c, [&](int l) { return d[l]; })))
          << "double, c = " << c << ", seed " << seed;
      if (c <= 16)  // the bound CUDA's embedding gradient compiles
        EXPECT_TRUE(same<float>(ref::sum(f.data(), c), detail::sum_of_few<float, 16>(c, [&](int l) { return f[l]; })))
            << "float, at most 16, c = " << c << ", seed " << seed;
    }
}

}  // namespace
}  // namespace detnum
