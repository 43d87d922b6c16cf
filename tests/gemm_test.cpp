// GEMM on the CPU: the fast path against the scalar reference, bit for bit, at 1, 2 and 3 threads
// and both kernels, over shapes that cross every tile and block size, all four transpose
// combinations, padded leading dimensions, alpha/beta edge cases and all six type pairs; batch
// invariance; the strided-batched form; the accuracy bound of ORDER.md; bad arguments.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "detnum/error.hpp"
#include "detnum/gemm.hpp"
#include "reduce_cases.hpp"
#include "support/bits.hpp"
#include "support/errors.hpp"

namespace detnum::test {
namespace {

constexpr Transpose kNo = Transpose::no, kYes = Transpose::yes;

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

std::string describe_case(Transpose ta, Transpose tb, Shape s, std::int64_t pad, float alpha, float beta) {
  return std::string(ta == kNo ? "N" : "T") + (tb == kNo ? "N" : "T") + " " + std::to_string(s.m) + "x" +
         std::to_string(s.n) + "x" + std::to_string(s.k) + " pad " + std::to_string(pad) + " alpha " +
         std::to_string(alpha) + " beta " + std::to_string(beta);
}

template <class T, class C>
void check_against_reference(bool all_combinations) {
  const float alphas[] = {1.0f, -0.5f, 0.0f};
  const float betas[] = {0.0f, 1.0f, 0.25f};
  std::uint64_t seed = 100;
  for (const Shape s : kShapes)
    for (const Transpose ta : {kNo, kYes})
      for (const Transpose tb : {kNo, kYes})
        for (const std::int64_t pad : {0, 3}) {
          if (!all_combinations && (ta != tb || pad != 0)) continue;
          const Problem<T, C> p(ta, tb, s, pad, seed++);
          for (const float alpha : alphas)
            for (const float beta : betas) {
              if (!all_combinations && alpha != beta && !(alpha == 1.0f && beta == 0.0f)) continue;
              SCOPED_TRACE(describe_case(ta, tb, s, pad, alpha, beta));
              const std::vector<C> want = p.run_ref(alpha, beta);
              for (const CpuSimd simd : {CpuSimd::best, CpuSimd::portable})
                for (const int threads : {1, 2, 3}) {
                  if (simd == CpuSimd::portable && threads != 2) continue;
                  ASSERT_TRUE(same_bits(want, p.run(alpha, beta, {threads, simd})))
                      << "threads " << threads << (simd == CpuSimd::best ? "" : " portable");
                }
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

// Row i of C depends on row i of A alone: the same bits for M = 1, 7, 64 and 1000; column j on
// column j of B alone: the same for N = 1, 17 and 300.
TEST(Gemm, BatchInvariance) {
  constexpr std::int64_t kK = 600, kN = 300, kM = 1000;
  const std::vector<float> a = reduce_input<float>(kM * kK, 11, Family::finite);
  const std::vector<float> b = reduce_input<float>(kK * kN, 12, Family::finite);
  std::vector<float> full(kM * kN);
  gemm(kNo, kNo, kM, kN, kK, 1.0f, a.data(), kK, b.data(), kN, 0.0f, full.data(), kN);
  for (const std::int64_t m : {1, 7, 64}) {
    const std::int64_t row0 = 5;  // rows 5 .. 5 + m - 1 of A
    std::vector<float> part(m * kN);
    gemm(kNo, kNo, m, kN, kK, 1.0f, a.data() + row0 * kK, kK, b.data(), kN, 0.0f, part.data(), kN, {3});
    EXPECT_TRUE(same_bits(std::span<const float>(full).subspan(row0 * kN, m * kN), std::span<const float>(part)))
        << "M = " << m;
  }
  for (const std::int64_t n : {1, 17, 300}) {
    const std::int64_t col0 = 0;
    std::vector<float> part(kM * n);
    gemm(kNo, kNo, kM, n, kK, 1.0f, a.data(), kK, b.data() + col0, kN, 0.0f, part.data(), n, {2});
    for (std::int64_t i = 0; i < kM; ++i)
      ASSERT_TRUE(same_bits(std::span<const float>(full).subspan(i * kN + col0, n),
                            std::span<const float>(part).subspan(i * n, n)))
          << "N = " << n << ", row " << i;
  }
}

TEST(Gemm, StridedBatchedEqualsOneProductAtATime) {
  constexpr std::int64_t kM = 9, kN = 21, kK = 300, kBatch = 4;
  const std::vector<bf16> a = reduce_input<bf16>(kBatch * kM * kK, 21, Family::finite);
  const std::vector<bf16> b = reduce_input<bf16>(kK * kN, 22, Family::finite);  // shared: stride 0
  std::vector<float> c(kBatch * kM * kN, 0.0f);
  gemm_strided_batched(kNo, kNo, kM, kN, kK, 1.0f, a.data(), kK, kM * kK, b.data(), kN, 0, 0.0f, c.data(), kN,
                       kM * kN, kBatch);
  for (std::int64_t q = 0; q < kBatch; ++q) {
    std::vector<float> one(kM * kN);
    ref::gemm(kNo, kNo, kM, kN, kK, 1.0f, a.data() + q * kM * kK, kK, b.data(), kN, 0.0f, one.data(), kN);
    EXPECT_TRUE(same_bits(std::span<const float>(c).subspan(q * kM * kN, kM * kN), std::span<const float>(one)))
        << "matrix " << q;
  }
}

// beta = 0 does not read C: NaN there stays out; NaN or Inf in A gives the canonical NaN.
TEST(Gemm, SpecialValues) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
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

// ORDER.md's bound against a double reference (exact products, summed in double):
// |C - exact| <= n_e u / (1 - n_e u) * sum |a b| with n_e = min(k, 256) + ceil(k / 256) - 1.
TEST(Gemm, ErrorWithinTheStatedBound) {
  for (const Shape s : {Shape{8, 8, 4096}, Shape{16, 16, 1000}, Shape{4, 4, 100000}})
    for (const bool cancel : {false, true}) {
      std::vector<float> a = reduce_input<float>(s.m * s.k, 31, Family::finite);
      std::vector<float> b = reduce_input<float>(s.k * s.n, 32, Family::finite);
      if (cancel)  // heavy cancellation: each product followed by its negation, slightly perturbed
        for (std::int64_t q = 1; q < s.k; q += 2) {
          for (std::int64_t i = 0; i < s.m; ++i) a[i * s.k + q] = -a[i * s.k + q - 1] * (1.0f + 0x1p-20f);
          for (std::int64_t j = 0; j < s.n; ++j) b[q * s.n + j] = b[(q - 1) * s.n + j];
        }
      std::vector<float> c(s.m * s.n);
      gemm(kNo, kNo, s.m, s.n, s.k, 1.0f, a.data(), s.k, b.data(), s.n, 0.0f, c.data(), s.n);
      const double ne = static_cast<double>(std::min<std::int64_t>(s.k, 256) + (s.k + 255) / 256 - 1);
      const double u = 0x1p-24, gamma = ne * u / (1.0 - ne * u);
      double worst = 0;
      for (std::int64_t i = 0; i < s.m; ++i)
        for (std::int64_t j = 0; j < s.n; ++j) {
          double exact = 0, magnitude = 0;
          for (std::int64_t q = 0; q < s.k; ++q) {
            const double t = static_cast<double>(a[i * s.k + q]) * b[q * s.n + j];
            exact += t;
            magnitude += std::fabs(t);
          }
          const double err = std::fabs(c[i * s.n + j] - exact), bound = (gamma + s.k * 0x1p-53) * magnitude;
          ASSERT_LE(err, bound) << "output (" << i << ", " << j << ") of " << s.m << "x" << s.n << "x" << s.k;
          worst = std::max(worst, err / bound);
        }
      std::printf("%lldx%lldx%lld%s: worst error / bound = %.3g\n", static_cast<long long>(s.m),
                  static_cast<long long>(s.n), static_cast<long long>(s.k), cancel ? " (cancellation)" : "", worst);
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

}  // namespace
}  // namespace detnum::test
