// GEMM on the CPU: the fast path against the scalar reference, bit for bit, at 1, 2 and 3 threads
// and both kernels, over shapes that cross every tile and block size, all four transpose
// combinations, padded leading dimensions, alpha/beta edge cases (-0 included) and all six type
// pairs; batch invariance for every transpose combination and input type; the strided-batched
// form; the accuracy bound of ORDER.md; bad arguments.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "detnum/error.hpp"
#include "detnum/gemm.hpp"
#include "reduce_cases.hpp"
#include "support/bits.hpp"
#include "support/errors.hpp"

namespace detnum::test {
namespace {

constexpr Transpose kNo = Transpose::no, kYes = Transpose::yes;
const float kNaN = std::numeric_limits<float>::quiet_NaN(), kInf = std::numeric_limits<float>::infinity();

template <class T>
const char* type_name() {
  if constexpr (std::is_same_v<T, float>) return "float";
  else if constexpr (std::is_same_v<T, bf16>) return "bf16";
  else return "fp16";
}

// f.template operator()<T, C>() for each of the six (input, output) type pairs.
template <class F>
void for_each_type_pair(F f) {
  f.template operator()<float, float>();
  f.template operator()<float, bf16>();
  f.template operator()<bf16, float>();
  f.template operator()<bf16, bf16>();
  f.template operator()<fp16, float>();
  f.template operator()<fp16, bf16>();
}

struct Shape {
  std::int64_t m, n, k;
};

// Around MR = 6, NR = 16, the segment (256), MC = 144 and NC = 4096; primes; empty; skinny.
const Shape kShapes[] = {{1, 1, 1},     {0, 5, 3},     {5, 0, 3},      {4, 5, 0},     {37, 53, 97},
                         {6, 16, 256},  {7, 17, 257},  {13, 29, 1000}, {145, 33, 300}, {12, 4113, 9},
                         {200, 3, 700}, {3, 200, 700}, {64, 48, 512},  {1, 300, 600}};

// A stored matrix of rows x cols with leading dimension ld = cols + pad, seeded.
template <class T>
std::vector<T> stored(std::int64_t rows, std::int64_t cols, std::int64_t pad, std::uint64_t seed) {
  return reduce_input<T>(rows * (std::max<std::int64_t>(cols, 1) + pad), seed, Family::finite);
}

template <class T, class C>
struct Problem {
  Transpose ta, tb;
  Shape s;
  std::int64_t lda, ldb, ldc;
  std::vector<T> a, b;
  std::vector<C> c0;  // C before the call

  Problem(Transpose ta_, Transpose tb_, Shape s_, std::int64_t pad, std::uint64_t seed) : ta(ta_), tb(tb_), s(s_) {
    const std::int64_t a_rows = ta == kNo ? s.m : s.k, a_cols = ta == kNo ? s.k : s.m;
    const std::int64_t b_rows = tb == kNo ? s.k : s.n, b_cols = tb == kNo ? s.n : s.k;
    lda = std::max<std::int64_t>(a_cols, 1) + pad;
    ldb = std::max<std::int64_t>(b_cols, 1) + pad;
    ldc = std::max<std::int64_t>(s.n, 1) + pad;
    a = stored<T>(a_rows, a_cols, pad, seed);
    b = stored<T>(b_rows, b_cols, pad, seed + 1);
    const std::vector<float> c = reduce_input<float>(s.m * ldc, seed + 2, Family::finite);
    for (const float v : c) {
      if constexpr (std::is_same_v<C, float>) c0.push_back(v);
      else c0.push_back(bf16_from_float(v));
    }
  }

  std::vector<C> run_ref(float alpha, float beta) const {
    std::vector<C> c = c0;
    ref::gemm(ta, tb, s.m, s.n, s.k, alpha, a.data(), lda, b.data(), ldb, beta, c.data(), ldc);
    return c;
  }
  std::vector<C> run(float alpha, float beta, CpuOptions o) const {
    std::vector<C> c = c0;
    gemm(ta, tb, s.m, s.n, s.k, alpha, a.data(), lda, b.data(), ldb, beta, c.data(), ldc, o);
    return c;
  }
};

std::string op_names(Transpose ta, Transpose tb) {
  return std::string(ta == kNo ? "N" : "T") + (tb == kNo ? "N" : "T");
}

std::string describe_case(Transpose ta, Transpose tb, Shape s, std::int64_t pad, float alpha, float beta) {
  return op_names(ta, tb) + " " + std::to_string(s.m) + "x" + std::to_string(s.n) + "x" + std::to_string(s.k) +
         " pad " + std::to_string(pad) + " alpha " + std::to_string(alpha) + " beta " + std::to_string(beta);
}

// The fast path, at 1, 2 and 3 threads and with the portable kernel, has the bits `want`.
template <class T, class C>
void expect_fast_path_gives(const Problem<T, C>& p, float alpha, float beta, const std::vector<C>& want) {
  for (const CpuSimd simd : {CpuSimd::best, CpuSimd::portable})
    for (const int threads : {1, 2, 3}) {
      if (simd == CpuSimd::portable && threads != 2) continue;
      ASSERT_TRUE(same_bits(want, p.run(alpha, beta, {threads, simd})))
          << "threads " << threads << (simd == CpuSimd::best ? "" : " portable");
    }
}

// Every shape, transpose combination and padding, for every type pair. With whole_grid each case
// runs all nine (alpha, beta) pairs; without, one pair per case in rotation: the input type only
// changes how panels are packed and the output type only the final store, so this keeps every
// (transposes, padding) combination meeting all nine pairs across the 14 shapes (8 and 9 are
// coprime) at a ninth of the cost.
template <class T, class C>
void check_against_reference(bool whole_grid) {
  const float alphas[] = {1.0f, -0.5f, 0.0f};
  const float betas[] = {0.0f, 1.0f, 0.25f};
  std::uint64_t seed = 100;
  for (const Shape s : kShapes)
    for (const Transpose ta : {kNo, kYes})
      for (const Transpose tb : {kNo, kYes})
        for (const std::int64_t pad : {0, 3}) {
          const std::uint64_t rotation = seed % 9;
          const Problem<T, C> p(ta, tb, s, pad, seed++);
          std::uint64_t pair = 0;
          for (const float alpha : alphas)
            for (const float beta : betas) {
              if (!whole_grid && pair++ != rotation) continue;
              SCOPED_TRACE(describe_case(ta, tb, s, pad, alpha, beta));
              expect_fast_path_gives(p, alpha, beta, p.run_ref(alpha, beta));
              if (::testing::Test::HasFatalFailure()) return;
            }
        }
}

TEST(Gemm, FloatMatchesTheReference) { check_against_reference<float, float>(true); }
TEST(Gemm, FloatToBf16MatchesTheReference) { check_against_reference<float, bf16>(false); }
TEST(Gemm, Bf16MatchesTheReference) { check_against_reference<bf16, float>(false); }
TEST(Gemm, Bf16ToBf16MatchesTheReference) { check_against_reference<bf16, bf16>(false); }
TEST(Gemm, Fp16MatchesTheReference) { check_against_reference<fp16, float>(false); }
TEST(Gemm, Fp16ToBf16MatchesTheReference) { check_against_reference<fp16, bf16>(false); }

// One large product, where the thread ranges and blocks are many: 1, 2 and 3 threads agree.
TEST(Gemm, LargerProductIsThreadInvariant) {
  const Problem<float, float> p(kNo, kNo, {300, 520, 777}, 0, 7);
  const std::vector<float> one = p.run(1.0f, 0.0f, {1});
  EXPECT_TRUE(same_bits(one, p.run(1.0f, 0.0f, {2})));
  EXPECT_TRUE(same_bits(one, p.run(1.0f, 0.0f, {3})));
  EXPECT_TRUE(same_bits(one, p.run_ref(1.0f, 0.0f)));
}

// Row i of C depends on row i of op(A) alone: the same bits for M = 1, 7, 64 and 1000; column j on
// column j of op(B) alone: the same for N = 1, 17 and 300 (the last columns, so the narrow products
// meet the wide one's edge tile). A and B are stored as op() needs, with minimal leading dimensions.
template <class T>
void check_batch_invariance(Transpose ta, Transpose tb) {
  SCOPED_TRACE(op_names(ta, tb));
  constexpr std::int64_t kK = 600, kN = 300, kM = 1000;
  const std::int64_t lda = ta == kNo ? kK : kM, ldb = tb == kNo ? kN : kK;
  const std::vector<T> a = reduce_input<T>(kM * kK, 11, Family::finite);
  const std::vector<T> b = reduce_input<T>(kK * kN, 12, Family::finite);
  std::vector<float> full(kM * kN);
  gemm(ta, tb, kM, kN, kK, 1.0f, a.data(), lda, b.data(), ldb, 0.0f, full.data(), kN);
  for (const std::int64_t m : {1, 7, 64}) {
    const std::int64_t row0 = 5;  // rows 5 .. 5 + m - 1 of op(A)
    std::vector<float> part(m * kN);
    gemm(ta, tb, m, kN, kK, 1.0f, a.data() + (ta == kNo ? row0 * lda : row0), lda, b.data(), ldb, 0.0f, part.data(),
         kN, {3});
    EXPECT_TRUE(same_bits(std::span<const float>(full).subspan(row0 * kN, m * kN), std::span<const float>(part)))
        << "M = " << m;
  }
  for (const std::int64_t n : {1, 17, 300}) {
    const std::int64_t col0 = kN - n;
    std::vector<float> part(kM * n);
    gemm(ta, tb, kM, n, kK, 1.0f, a.data(), lda, b.data() + (tb == kNo ? col0 : col0 * ldb), ldb, 0.0f, part.data(), n,
         {2});
    for (std::int64_t i = 0; i < kM; ++i)
      ASSERT_TRUE(same_bits(std::span<const float>(full).subspan(i * kN + col0, n),
                            std::span<const float>(part).subspan(i * n, n)))
          << "N = " << n << ", row " << i;
  }
}

TEST(Gemm, BatchInvariance) {
  for (const Transpose ta : {kNo, kYes})
    for (const Transpose tb : {kNo, kYes}) {
      check_batch_invariance<float>(ta, tb);
      check_batch_invariance<bf16>(ta, tb);
      check_batch_invariance<fp16>(ta, tb);
    }
}

// Each matrix of a strided batch (A's own, B shared by stride 0, C's with a gap after each) is
// the reference's product of that matrix alone, for every transpose pair; the gaps stay as they were.
template <class T>
void expect_strided_batched_one_at_a_time(Transpose ta, Transpose tb) {
  constexpr std::int64_t kM = 9, kN = 21, kK = 300, kBatch = 4, kStrideC = kM * kN + 5;
  constexpr float kGapValue = 7.0f;
  const std::vector<T> a = reduce_input<T>(kBatch * kM * kK, 21, Family::finite);
  const std::vector<T> b = reduce_input<T>(kK * kN, 22, Family::finite);
  const std::int64_t lda = ta == kNo ? kK : kM, ldb = tb == kNo ? kN : kK;
  std::vector<float> c(kBatch * kStrideC, kGapValue);
  gemm_strided_batched(ta, tb, kM, kN, kK, 1.0f, a.data(), lda, kM * kK, b.data(), ldb, 0, 0.0f, c.data(), kN,
                       kStrideC, kBatch);
  for (std::int64_t q = 0; q < kBatch; ++q) {
    std::vector<float> one(kM * kN);
    ref::gemm(ta, tb, kM, kN, kK, 1.0f, a.data() + q * kM * kK, lda, b.data(), ldb, 0.0f, one.data(), kN);
    EXPECT_TRUE(same_bits(std::span<const float>(c).subspan(q * kStrideC, kM * kN), std::span<const float>(one)))
        << "matrix " << q;
    for (std::int64_t e = q * kStrideC + kM * kN; e < (q + 1) * kStrideC; ++e)
      EXPECT_EQ(c[static_cast<std::size_t>(e)], kGapValue) << "gap after matrix " << q;
  }
}

TEST(Gemm, StridedBatchedEqualsOneProductAtATime) {
  for (const Transpose ta : {kNo, kYes})
    for (const Transpose tb : {kNo, kYes}) {
      SCOPED_TRACE(std::string(ta == kNo ? "N" : "T") + (tb == kNo ? "N" : "T"));
      expect_strided_batched_one_at_a_time<float>(ta, tb);
      expect_strided_batched_one_at_a_time<bf16>(ta, tb);
    }
}

// beta = 0 does not read C: NaN there stays out; NaN or Inf in A gives the canonical NaN.
TEST(Gemm, SpecialValues) {
  const float nan = kNaN, inf = kInf;
  std::vector<float> a(2 * 300, 1.0f), b(300 * 2, 0.5f), c(4, nan);
  gemm(kNo, kNo, 2, 2, 300, 1.0f, a.data(), 300, b.data(), 2, 0.0f, c.data(), 2);
  for (const float v : c) EXPECT_EQ(v, 150.0f);
  a[1] = inf;
  b[2 * 1 + 0] = 0.0f;  // inf * 0 in output (0, 0)
  a[300 + 7] = float_from_bits(0xFFC12345u);
  std::fill(c.begin(), c.end(), 0.0f);
  gemm(kNo, kNo, 2, 2, 300, 1.0f, a.data(), 300, b.data(), 2, 0.0f, c.data(), 2);
  EXPECT_EQ(bits_of(c[0]), kCanonicalNanF32);  // inf * 0
  EXPECT_EQ(c[1], inf);
  EXPECT_EQ(bits_of(c[2]), kCanonicalNanF32);  // a NaN with a payload
  EXPECT_EQ(bits_of(c[3]), kCanonicalNanF32);
  // k = 0 and alpha = 0 read neither A nor B: beta * C, or +0.
  std::vector<float> c2 = {-2.0f, nan, 4.0f, -0.0f};
  gemm<float, float>(kNo, kNo, 2, 2, 0, 1.0f, nullptr, 1, nullptr, 2, 0.5f, c2.data(), 2);
  EXPECT_EQ(c2[0], -1.0f);
  EXPECT_EQ(bits_of(c2[1]), kCanonicalNanF32);
  gemm<float, float>(kNo, kNo, 2, 2, 5, 0.0f, nullptr, 5, nullptr, 2, 0.0f, c2.data(), 2);
  for (const float v : c2) EXPECT_EQ(bits_of(v), 0u);
}

// v as a T; v must be exact there (here +-0, +-1, +-Inf or NaN).
template <class T>
T exactly(float v) {
  if constexpr (std::is_same_v<T, float>) {
    return v;
  } else if constexpr (std::is_same_v<T, bf16>) {
    return bf16_from_float(v);
  } else {  // fp16: the sign, the exponent rebiased from 127 to 15, the top 10 fraction bits
    const std::uint32_t u = bits_of(v);
    const auto sign = static_cast<std::uint16_t>(u >> 16 & 0x8000u);
    if (std::isnan(v)) return fp16{static_cast<std::uint16_t>(sign | 0x7E00u)};
    if (std::isinf(v)) return fp16{static_cast<std::uint16_t>(sign | 0x7C00u)};
    if (v == 0.0f) return fp16{sign};
    return fp16{static_cast<std::uint16_t>(sign | ((u >> 23 & 0xFFu) - 112) << 10 | (u >> 13 & 0x3FFu))};
  }
}

// Each output's bits as a float's (a bf16 widened exactly), to compare with the bits ORDER.md fixes.
template <class C>
std::vector<std::uint32_t> float_bits(const std::vector<C>& c) {
  std::vector<std::uint32_t> out;
  for (const C v : c) {
    if constexpr (std::is_same_v<C, float>) out.push_back(bits_of(v));
    else out.push_back(std::uint32_t{v.bits} << 16);
  }
  return out;
}

// ORDER.md treats either sign of zero alike: alpha = -0 forms no products, beta = -0 leaves C
// unread. So with NaN and infinities in the old C, a call with -0 has the bits of the same call
// with +0, and where beta is -0 those of the call on a clean C; the fast path has them too.
TEST(Gemm, SignedZeroScalarsActAsZero) {
  for_each_type_pair([]<class T, class C>() {
    constexpr float nz = -0.0f;
    const float pairs[][2] = {{nz, nz}, {nz, 0.25f}, {nz, 1.0f}, {1.0f, nz}, {-0.5f, nz}};
    const auto plus = [](float x) { return x == 0.0f ? 0.0f : x; };
    const float poison[] = {kNaN, kInf, -kInf};
    std::uint64_t seed = 500;
    for (const Shape s : {Shape{37, 53, 97}, Shape{7, 17, 257}, Shape{13, 29, 1000}, Shape{4, 5, 0}})
      for (const Transpose ta : {kNo, kYes})
        for (const Transpose tb : {kNo, kYes}) {
          const Problem<T, C> clean(ta, tb, s, 3, seed++);
          Problem<T, C> poisoned = clean;
          // Every other element of C, not the padding: the calls write only the m x n outputs.
          for (std::size_t i = 0; i < poisoned.c0.size(); i += 2)
            if (static_cast<std::int64_t>(i) % clean.ldc < s.n) poisoned.c0[i] = exactly<C>(poison[i / 2 % 3]);
          for (const auto& [alpha, beta] : pairs) {
            SCOPED_TRACE(std::string(type_name<T>()) + " -> " + type_name<C>() + " " +
                         describe_case(ta, tb, s, 3, alpha, beta));
            const std::vector<C> want = poisoned.run_ref(alpha, beta);
            ASSERT_TRUE(same_bits((beta == 0.0f ? clean : poisoned).run_ref(plus(alpha), plus(beta)), want));
            expect_fast_path_gives(poisoned, alpha, beta, want);
            if (::testing::Test::HasFatalFailure()) return;
          }
        }
  });
}

// The bits ORDER.md fixes for -0 scalars: the sign of a zero result, and which old C values and
// inputs never enter. Each case is a 2 x 2 x k product, NN, of constant rows of A (row i all
// a_rows[i]), B all b_value and the old C given; the fast path must match the reference.
TEST(Gemm, SignedZeroScalarsGiveTheOrderedBits) {
  for_each_type_pair([]<class T, class C>() {
    SCOPED_TRACE(std::string(type_name<T>()) + " -> " + type_name<C>());
    constexpr float nz = -0.0f;
    constexpr std::uint32_t kPlus0 = 0x00000000u, kMinus0 = 0x80000000u;
    using Bits = std::vector<std::uint32_t>;
    const auto run = [](std::int64_t k, float alpha, float beta, std::array<float, 2> a_rows, float b_value,
                        std::array<float, 4> c_old) {
      Problem<T, C> p(kNo, kNo, {2, 2, k}, 0, 1);
      for (std::size_t i = 0; i < p.a.size(); ++i) p.a[i] = exactly<T>(a_rows[i / static_cast<std::size_t>(p.lda)]);
      for (T& v : p.b) v = exactly<T>(b_value);
      for (std::size_t i = 0; i < 4; ++i) p.c0[i] = exactly<C>(c_old[i]);
      const std::vector<C> want = p.run_ref(alpha, beta);
      expect_fast_path_gives(p, alpha, beta, want);
      return float_bits(want);
    };
    // alpha = beta = -0: no products (A, B of NaN unread) and C unread: +0 everywhere.
    EXPECT_EQ(run(300, nz, nz, {kNaN, kInf}, kNaN, {kNaN, kInf, -kInf, -1.0f}), Bits(4, kPlus0));
    // alpha = -0, beta = 1: R = beta * c_old exactly, so -0 stays -0 (alpha * p + beta * c_old with
    // p = -300 would give +0) and row 1's NaNs are not read.
    EXPECT_EQ(run(300, nz, 1.0f, {-1.0f, kNaN}, 1.0f, {nz, nz, 3.0f, -kInf}),
              (Bits{kMinus0, kMinus0, bits_of(3.0f), bits_of(-kInf)}));
    // beta = -0, products all -0 over two segments: each partial is -0 (it starts at -0) and
    // R = alpha * p_0 takes alpha's sign; adding beta * c_old would give +0 for c_old = -1, or NaN.
    EXPECT_EQ(run(300, 1.0f, nz, {nz, nz}, 1.0f, {-1.0f, kNaN, kInf, -kInf}), Bits(4, kMinus0));
    EXPECT_EQ(run(300, -1.0f, nz, {nz, nz}, 1.0f, {-1.0f, kNaN, kInf, -kInf}), Bits(4, kPlus0));
    // k = 0, beta = -0: +0, not beta * c_old (-0 for c_old = 2).
    EXPECT_EQ(run(0, 1.0f, nz, {1.0f, 1.0f}, 1.0f, {kNaN, kInf, 2.0f, nz}), Bits(4, kPlus0));
  });
}

// Element (r, c) of op(X), X row-major with leading dimension ld (transposed: X[c][r]).
template <class V>
auto& op_at(V& x, Transpose t, std::int64_t ld, std::int64_t r, std::int64_t c) {
  return t == kNo ? x[r * ld + c] : x[c * ld + r];
}

// ORDER.md's bound against a double reference (exact products, summed in double), for each
// transpose combination:
// |C - exact| <= n_e u / (1 - n_e u) * sum |a b| with n_e = min(k, 256) + ceil(k / 256) - 1.
TEST(Gemm, ErrorWithinTheStatedBound) {
  for (const Shape s : {Shape{8, 8, 4096}, Shape{16, 16, 1000}, Shape{4, 4, 100000}})
    for (const Transpose ta : {kNo, kYes})
      for (const Transpose tb : {kNo, kYes})
        for (const bool cancel : {false, true}) {
          const std::int64_t lda = ta == kNo ? s.k : s.m, ldb = tb == kNo ? s.n : s.k;
          std::vector<float> a = reduce_input<float>(s.m * s.k, 31, Family::finite);
          std::vector<float> b = reduce_input<float>(s.k * s.n, 32, Family::finite);
          const auto a_at = [&](std::int64_t i, std::int64_t q) -> float& { return op_at(a, ta, lda, i, q); };
          const auto b_at = [&](std::int64_t q, std::int64_t j) -> float& { return op_at(b, tb, ldb, q, j); };
          if (cancel)  // heavy cancellation: each product followed by its negation, slightly perturbed
            for (std::int64_t q = 1; q < s.k; q += 2) {
              for (std::int64_t i = 0; i < s.m; ++i) a_at(i, q) = -a_at(i, q - 1) * (1.0f + 0x1p-20f);
              for (std::int64_t j = 0; j < s.n; ++j) b_at(q, j) = b_at(q - 1, j);
            }
          // One thread: the bits do not depend on it (tested above), and 391 segments, each ending
          // at a barrier, can take seconds on a busy machine.
          std::vector<float> c(s.m * s.n);
          gemm(ta, tb, s.m, s.n, s.k, 1.0f, a.data(), lda, b.data(), ldb, 0.0f, c.data(), s.n, {1});
          const double ne = static_cast<double>(std::min<std::int64_t>(s.k, 256) + (s.k + 255) / 256 - 1);
          const double u = 0x1p-24, gamma = ne * u / (1.0 - ne * u);
          double worst = 0;
          for (std::int64_t i = 0; i < s.m; ++i)
            for (std::int64_t j = 0; j < s.n; ++j) {
              double exact = 0, magnitude = 0;
              for (std::int64_t q = 0; q < s.k; ++q) {
                const double t = static_cast<double>(a_at(i, q)) * b_at(q, j);
                exact += t;
                magnitude += std::fabs(t);
              }
              const double err = std::fabs(c[i * s.n + j] - exact), bound = (gamma + s.k * 0x1p-53) * magnitude;
              ASSERT_LE(err, bound) << op_names(ta, tb) << " output (" << i << ", " << j << ") of " << s.m << "x"
                                    << s.n << "x" << s.k;
              worst = std::max(worst, err / bound);
            }
          std::printf("%s %lldx%lldx%lld%s: worst error / bound = %.3g\n", op_names(ta, tb).c_str(),
                      static_cast<long long>(s.m), static_cast<long long>(s.n), static_cast<long long>(s.k),
                      cancel ? " (cancellation)" : "", worst);
        }
}

TEST(GemmErrors, ArgumentsAreNamed) {
  std::vector<float> a(100), b(100), c(100);
  const auto call = [&](Transpose ta, std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t lda,
                        std::int64_t ldb, std::int64_t ldc) {
    return [=, &a, &b, &c] { gemm(ta, kNo, m, n, k, 1.0f, a.data(), lda, b.data(), ldb, 0.0f, c.data(), ldc); };
  };
  expect_error(call(kNo, -1, 2, 2, 2, 2, 2), ErrorCode::size_out_of_range, "m must be >= 0, got -1");
  expect_error(call(kNo, 2, 2, -3, 2, 2, 2), ErrorCode::size_out_of_range, "k must be >= 0, got -3");
  expect_error(call(kNo, 2, 2, 5, 4, 2, 2), ErrorCode::invalid_argument, "lda must be >= max(1, k) = 5, got 4");
  expect_error(call(kYes, 7, 2, 5, 6, 2, 2), ErrorCode::invalid_argument, "lda must be >= max(1, m) = 7, got 6");
  expect_error(call(kNo, 2, 3, 2, 2, 2, 3), ErrorCode::invalid_argument, "ldb must be >= max(1, n) = 3, got 2");
  expect_error(call(kNo, 2, 3, 2, 2, 3, 1), ErrorCode::invalid_argument, "ldc must be >= max(1, n) = 3, got 1");
  expect_error(call(static_cast<Transpose>(5), 2, 2, 2, 2, 2, 2), ErrorCode::invalid_argument,
               "trans_a must be Transpose::no or Transpose::yes, got 5");
  expect_error([&] { gemm<float, float>(kNo, kNo, 2, 2, 2, 1.0f, nullptr, 2, b.data(), 2, 0.0f, c.data(), 2); },
               ErrorCode::null_pointer, "a must not be null");
  expect_error([&] { gemm(kNo, kNo, 4, 4, 4, 1.0f, a.data(), 4, b.data(), 4, 0.0f, a.data() + 8, 4); },
               ErrorCode::unsupported_aliasing, "c and a must not overlap");
  expect_error([&] { gemm(kNo, kNo, 4, 4, 4, 1.0f, a.data(), 4, b.data(), 4, 0.0f, b.data(), 4); },
               ErrorCode::unsupported_aliasing, "c and b must not overlap");
  expect_error([&] { ref::gemm(kNo, kNo, 4, 4, 4, 1.0f, a.data(), 4, b.data(), 4, 0.0f, b.data(), 4); },
               ErrorCode::unsupported_aliasing, "c and b must not overlap");
  expect_error(
      [&] {
        gemm_strided_batched(kNo, kNo, 2, 2, 2, 1.0f, a.data(), 2, 4, b.data(), 2, 4, 0.0f, c.data(), 2, 3, 2);
      },
      ErrorCode::unsupported_aliasing, "stride_c must be >= (m - 1) * ldc + n = 4");
  expect_error(
      [&] {
        gemm_strided_batched(kNo, kNo, 2, 2, 2, 1.0f, a.data(), 2, -4, b.data(), 2, 4, 0.0f, c.data(), 2, 4, 2);
      },
      ErrorCode::invalid_argument, "stride_a must be >= 0, got -4");
  expect_error([&] { gemm(kNo, kNo, 2, 2, 2, 1.0f, a.data(), 2, b.data(), 2, 0.0f, c.data(), 2, {2000}); },
               ErrorCode::invalid_argument, "options.threads");
}

// Matrices that are not read need no data and no bounded strides: nothing is offset from them
// (the sanitize preset would report an offset past 2^63 or from null).
TEST(GemmErrors, UnreadMatricesAreNeverOffset) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  std::vector<float> c(12, 1.0f);
  // alpha = 0: C = beta C, A and B unread.
  gemm_strided_batched<float, float>(kNo, kNo, 2, 2, 2, 0.0f, nullptr, 2, kMax, nullptr, 2, kMax, 2.0f, c.data(), 2,
                                     4, 3);
  for (const float v : c) EXPECT_EQ(v, 2.0f);
  // m = 0: nothing at all is read or written.
  gemm_strided_batched<float, float>(kNo, kNo, 0, 2, 2, 1.0f, nullptr, 2, kMax, nullptr, 2, kMax, 0.0f, nullptr, 2,
                                     kMax, 3);
}

}  // namespace
}  // namespace detnum::test
