// Reductions on the CPU: the fast path at 1, 2, 3, 5 and 8 threads, with the AVX2 kernels and
// with the portable code, against the scalar reference, bit for bit: every op, every type, every
// size of test::reduce_sizes() and both input families. Then the special values the spec names
// (signed zeros, infinities, canonical NaNs, subnormals, overflow near FLT_MAX), the extremes'
// rules (first NaN, +0 above -0, lowest index on ties, across thread ranges) and the errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cfloat>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "support/errors.hpp"
#include "detnum/error.hpp"
#include "detnum/reduce.hpp"
#include "reduce_cases.hpp"

namespace detnum {
namespace {

using test::Family;

// --- results as bits ---------------------------------------------------------------------------

// One result of any op: a float, a double or an index, kept as its bits.
struct Result {
  enum Kind { f32, f64, index } kind;
  std::uint64_t bits;
  bool operator==(const Result&) const = default;
};
Result result_of(float v) { return {Result::f32, bits_of(v)}; }
Result result_of(double v) { return {Result::f64, bits_of(v)}; }
Result result_of(std::int64_t i) { return {Result::index, static_cast<std::uint64_t>(i)}; }

std::string describe(const Result& r) {
  char buf[80];
  if (r.kind == Result::f32)
    std::snprintf(buf, sizeof buf, "0x%08" PRIx32 " (%.9g)", static_cast<std::uint32_t>(r.bits),
                  static_cast<double>(float_from_bits(static_cast<std::uint32_t>(r.bits))));
  else if (r.kind == Result::f64)
    std::snprintf(buf, sizeof buf, "0x%016" PRIx64 " (%.17g)", r.bits, double_from_bits(r.bits));
  else std::snprintf(buf, sizeof buf, "index %" PRId64, static_cast<std::int64_t>(r.bits));
  return buf;
}

// Distance in ulps of two non-NaN floats or doubles, counting across zero; -1 when meaningless.
long long ulps(const Result& a, const Result& b) {
  if (a.kind != b.kind || a.kind == Result::index) return -1;
  const auto key = [&](std::uint64_t u) -> long long {
    const std::uint64_t sign = a.kind == Result::f32 ? 0x80000000ull : 0x8000000000000000ull;
    const auto mag = static_cast<long long>(u & (sign - 1));
    return (u & sign) ? -mag : mag;
  };
  const bool nan_a = a.kind == Result::f32 ? std::isnan(float_from_bits(static_cast<std::uint32_t>(a.bits)))
                                           : std::isnan(double_from_bits(a.bits));
  const bool nan_b = a.kind == Result::f32 ? std::isnan(float_from_bits(static_cast<std::uint32_t>(b.bits)))
                                           : std::isnan(double_from_bits(b.bits));
  if (nan_a || nan_b) return -1;
  const long long d = key(a.bits) - key(b.bits);
  return d < 0 ? -d : d;
}

::testing::AssertionResult same_result(const Result& want, const Result& got) {
  if (want == got) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure() << "expected " << describe(want) << ", got " << describe(got);
  if (want.kind != Result::index) failure << ", " << ulps(want, got) << " ulp apart";
  return failure;
}

std::string describe(CpuOptions o) {
  return "threads " + std::to_string(o.threads) + (o.simd == CpuSimd::portable ? " portable" : " best");
}
std::string describe(Family f) { return f == Family::mixed ? "mixed" : "finite"; }

// --- the ops -----------------------------------------------------------------------------------

template <class T>
struct Op {
  const char* name;
  std::function<Result(const T* x, const T* y, std::int64_t n, CpuOptions)> fast;
  std::function<Result(const T* x, const T* y, std::int64_t n)> ref;
  bool nonempty = false;  // an error for n = 0
};

template <class T>
std::vector<Op<T>> ops() {
  using I = std::int64_t;
  return {
      {"sum", [](const T* x, const T*, I n, CpuOptions o) { return result_of(sum(x, n, o)); },
       [](const T* x, const T*, I n) { return result_of(ref::sum(x, n)); }},
      {"sum(span)",
       [](const T* x, const T*, I n, CpuOptions o) { return result_of(sum(std::span<const T>(x, static_cast<std::size_t>(n)), o)); },
       [](const T* x, const T*, I n) { return result_of(ref::sum(x, n)); }},
      {"asum", [](const T* x, const T*, I n, CpuOptions o) { return result_of(asum(x, n, o)); },
       [](const T* x, const T*, I n) { return result_of(ref::asum(x, n)); }},
      {"dot", [](const T* x, const T* y, I n, CpuOptions o) { return result_of(dot(x, y, n, o)); },
       [](const T* x, const T* y, I n) { return result_of(ref::dot(x, y, n)); }},
      {"dot(span)",
       [](const T* x, const T* y, I n, CpuOptions o) {
         const auto size = static_cast<std::size_t>(n);
         return result_of(dot(std::span<const T>(x, size), std::span<const T>(y, size), o));
       },
       [](const T* x, const T* y, I n) { return result_of(ref::dot(x, y, n)); }},
      {"nrm2", [](const T* x, const T*, I n, CpuOptions o) { return result_of(nrm2(x, n, o)); },
       [](const T* x, const T*, I n) { return result_of(ref::nrm2(x, n)); }},
      {"mean", [](const T* x, const T*, I n, CpuOptions o) { return result_of(mean(x, n, o)); },
       [](const T* x, const T*, I n) { return result_of(ref::mean(x, n)); }},
      {"variance", [](const T* x, const T*, I n, CpuOptions o) { return result_of(variance(x, n, Ddof{0}, o)); },
       [](const T* x, const T*, I n) { return result_of(ref::variance(x, n, Ddof{0})); }},
      {"variance(ddof 1)", [](const T* x, const T*, I n, CpuOptions o) { return result_of(variance(x, n, Ddof{1}, o)); },
       [](const T* x, const T*, I n) { return result_of(ref::variance(x, n, Ddof{1})); }},
      {"max", [](const T* x, const T*, I n, CpuOptions o) { return result_of(max(x, n, o)); },
       [](const T* x, const T*, I n) { return result_of(ref::max(x, n)); }, true},
      {"min", [](const T* x, const T*, I n, CpuOptions o) { return result_of(min(x, n, o)); },
       [](const T* x, const T*, I n) { return result_of(ref::min(x, n)); }, true},
      {"amax", [](const T* x, const T*, I n, CpuOptions o) { return result_of(amax(x, n, o)); },
       [](const T* x, const T*, I n) { return result_of(ref::amax(x, n)); }, true},
      {"amin", [](const T* x, const T*, I n, CpuOptions o) { return result_of(amin(x, n, o)); },
       [](const T* x, const T*, I n) { return result_of(ref::amin(x, n)); }, true},
      {"argmax", [](const T* x, const T*, I n, CpuOptions o) { return result_of(argmax(x, n, o)); },
       [](const T* x, const T*, I n) { return result_of(ref::argmax(x, n)); }, true},
      {"argmin", [](const T* x, const T*, I n, CpuOptions o) { return result_of(argmin(x, n, o)); },
       [](const T* x, const T*, I n) { return result_of(ref::argmin(x, n)); }, true},
  };
}

// Thread counts x kernels: the AVX2 kernels (where the CPU has them) and the portable code.
std::vector<CpuOptions> all_options() {
  std::vector<CpuOptions> o;
  for (int t : {1, 2, 3, 5, 8})
    for (CpuSimd s : {CpuSimd::best, CpuSimd::portable}) o.push_back({t, s});
  return o;
}

const char* type_name(float) { return "float"; }
const char* type_name(double) { return "double"; }
const char* type_name(bf16) { return "bf16"; }
const char* type_name(fp16) { return "fp16"; }

// Every op on x (and y) under every option against the reference, computed once.
template <class T>
void expect_all_ops_match(const std::vector<T>& x, const std::vector<T>& y, const std::vector<CpuOptions>& options,
                          const std::string& what) {
  const auto n = static_cast<std::int64_t>(x.size());
  for (const Op<T>& op : ops<T>()) {
    if (op.nonempty && n == 0) continue;
    const Result want = op.ref(x.data(), y.data(), n);
    for (const CpuOptions& o : options)
      ASSERT_TRUE(same_result(want, op.fast(x.data(), y.data(), n, o)))
          << op.name << "<" << type_name(T{}) << ">, " << what << ", " << describe(o);
  }
}

template <class T>
class ReduceCpu : public ::testing::Test {};
using ReduceTypes = ::testing::Types<float, double, bf16, fp16>;
TYPED_TEST_SUITE(ReduceCpu, ReduceTypes);

// The main sweep: sizes up to 2^20 + 1 (the 10^7 one below, for float only).
TYPED_TEST(ReduceCpu, EveryOpMatchesTheReferenceAtEveryThreadCountAndKernel) {
  using T = TypeParam;
  const std::vector<CpuOptions> options = all_options();
  for (const Family f : {Family::mixed, Family::finite})
    for (const std::int64_t n : test::reduce_sizes(false)) {
      const std::vector<T> x = test::reduce_input<T>(n, 1000 + static_cast<std::uint64_t>(n), f);
      const std::vector<T> y = test::reduce_input<T>(n, 2000 + static_cast<std::uint64_t>(n), f);
      expect_all_ops_match(x, y, options, "n = " + std::to_string(n) + ", " + describe(f));
    }
}

// Inputs at every misalignment a caller can give: the kernels' loads are unaligned.
TYPED_TEST(ReduceCpu, UnalignedInputs) {
  using T = TypeParam;
  const std::int64_t n = 3 * detail::kReduceChunk + 77;
  const std::vector<T> x = test::reduce_input<T>(n + 8, 5, Family::finite);
  const std::vector<T> y = test::reduce_input<T>(n + 8, 6, Family::finite);
  for (int shift = 1; shift < 8; shift += 3) {
    const std::vector<T> xs(x.begin() + shift, x.begin() + shift + n);
    const std::vector<T> ys(y.begin() + shift, y.begin() + shift + n);
    for (const CpuOptions o : {CpuOptions{1}, CpuOptions{2}}) {
      EXPECT_TRUE(same_result(result_of(ref::sum(xs.data(), n)), result_of(sum(x.data() + shift, n, o))));
      EXPECT_TRUE(same_result(result_of(ref::dot(xs.data(), ys.data(), n)),
                              result_of(dot(x.data() + shift, y.data() + shift, n, o))));
      EXPECT_TRUE(same_result(result_of(ref::nrm2(xs.data(), n)), result_of(nrm2(x.data() + shift, n, o))));
      EXPECT_TRUE(same_result(result_of(ref::argmax(xs.data(), n)), result_of(argmax(x.data() + shift, n, o))));
    }
  }
}

// --- the range forms ----------------------------------------------------------------------------

// Two results with the same bytes (memcmp): a range form must be exactly its pointer form.
template <class A>
::testing::AssertionResult same_bytes(A want, A got) {
  if (std::memcmp(&want, &got, sizeof(A)) == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "pointer form " << describe(result_of(want)) << ", range form "
                                       << describe(result_of(got));
}

// Every range form on r (and r, y for dot) against the pointer form on r's data() and size(),
// with the default options and with explicit ones.
template <class R, class Y>
void expect_range_forms_match(const R& r, const Y& y, const std::string& what) {
  const auto* p = std::ranges::data(r);
  const auto n = static_cast<std::int64_t>(std::ranges::size(r));
  EXPECT_TRUE(same_bytes(sum(p, n), sum(r))) << "sum, " << what;
  EXPECT_TRUE(same_bytes(asum(p, n), asum(r))) << "asum, " << what;
  EXPECT_TRUE(same_bytes(nrm2(p, n), nrm2(r))) << "nrm2, " << what;
  EXPECT_TRUE(same_bytes(mean(p, n), mean(r))) << "mean, " << what;
  EXPECT_TRUE(same_bytes(variance(p, n), variance(r))) << "variance, " << what;
  if (n > 0) EXPECT_TRUE(same_bytes(argmax(p, n), argmax(r))) << "argmax, " << what;
  for (const CpuOptions o : {CpuOptions{1}, CpuOptions{3, CpuSimd::portable}}) {
    const std::string at = what + ", " + describe(o);
    EXPECT_TRUE(same_bytes(sum(p, n, o), sum(r, o))) << "sum, " << at;
    EXPECT_TRUE(same_bytes(dot(p, std::ranges::data(y), n, o), dot(r, y, o))) << "dot, " << at;
    EXPECT_TRUE(same_bytes(dot(p, std::ranges::data(y), n, o), dot(r, std::span(std::ranges::data(y), n), o)))
        << "dot of two kinds of range, " << at;
    EXPECT_TRUE(same_bytes(asum(p, n, o), asum(r, o))) << "asum, " << at;
    EXPECT_TRUE(same_bytes(nrm2(p, n, o), nrm2(r, o))) << "nrm2, " << at;
    EXPECT_TRUE(same_bytes(mean(p, n, o), mean(r, o))) << "mean, " << at;
    for (const std::int64_t ddof : {0, 1})
      EXPECT_TRUE(same_bytes(variance(p, n, Ddof{ddof}, o), variance(r, Ddof{ddof}, o))) << "variance ddof " << ddof << ", " << at;
    if (n == 0) continue;  // the extremes of nothing are an error (checked below)
    EXPECT_TRUE(same_bytes(max(p, n, o), max(r, o))) << "max, " << at;
    EXPECT_TRUE(same_bytes(min(p, n, o), min(r, o))) << "min, " << at;
    EXPECT_TRUE(same_bytes(amax(p, n, o), amax(r, o))) << "amax, " << at;
    EXPECT_TRUE(same_bytes(amin(p, n, o), amin(r, o))) << "amin, " << at;
    EXPECT_TRUE(same_bytes(argmax(p, n, o), argmax(r, o))) << "argmax, " << at;
    EXPECT_TRUE(same_bytes(argmin(p, n, o), argmin(r, o))) << "argmin, " << at;
  }
}

// Vectors, spans (const and not, cut from the middle so data() and size() both matter), arrays
// and the empty range, of every element type.
TYPED_TEST(ReduceCpu, RangeFormsMatchThePointerForms) {
  using T = TypeParam;
  const std::int64_t n = 3 * detail::kReduceChunk + 77;
  for (const Family f : {Family::mixed, Family::finite}) {
    std::vector<T> x = test::reduce_input<T>(n, 41, f);
    const std::vector<T> y = test::reduce_input<T>(n, 42, f);
    const std::string what = describe(f);
    expect_range_forms_match(x, y, "vector, " + what);
    const auto cut = static_cast<std::size_t>(detail::kReduceChunk + 5);
    expect_range_forms_match(std::span<const T>(x).subspan(3, cut), std::span<const T>(y).subspan(3, cut),
                             "span<const T>, " + what);
    expect_range_forms_match(std::span<T>(x).subspan(7, cut), std::span<T>(x).subspan(9, cut), "span<T>, " + what);
    std::array<T, 300> a{}, b{};
    std::copy_n(x.begin() + 11, a.size(), a.begin());
    std::copy_n(y.begin() + 11, b.size(), b.begin());
    expect_range_forms_match(a, b, "array, " + what);
    expect_range_forms_match(std::span<const T>(), std::span<const T>(), "empty span, " + what);
  }
  // The range forms' errors are the pointer forms' (same op name, same message).
  const std::vector<T> none;
  test::expect_error([&] { max(none); }, ErrorCode::size_out_of_range,
               "max: n must be >= 1 (the extremes of nothing are undefined), got 0");
  test::expect_error([&] { argmin(std::span<const T>(none)); }, ErrorCode::size_out_of_range, "argmin: n must be >= 1");
  test::expect_error([&] { variance(std::span<const T>(none), Ddof{-1}); }, ErrorCode::invalid_argument,
               "variance: ddof must be >= 0, got -1");
}

// ddof is a Ddof: neither CpuOptions' braces nor a plain number (n of a range, say) is taken for it.
template <class P> concept TakesBracesForDdof = requires(P p) { variance(p, std::int64_t{5}, {4}); };
template <class P> concept TakesANumberForDdof = requires(P p) { variance(p, std::int64_t{5}, 1); };
template <class R> concept TakesNForDdof = requires(R r) { variance(r, 5); };
template <class P> concept TakesDdofAndOptions = requires(P p) { variance(p, std::int64_t{5}, Ddof{1}, CpuOptions{4}); };
static_assert(!TakesBracesForDdof<const float*> && !TakesANumberForDdof<const float*>);
static_assert(!TakesNForDdof<std::vector<float>> && TakesDdofAndOptions<const float*>);

// A built-in array of 5: variance(a, 5) is the pointer form with n = 5 (an int is no Ddof, so the
// range form cannot take 5 for ddof), variance(a) and the other ops take the array as a range.
TEST(ReduceRanges, BuiltInArrays) {
  const float a[5] = {1.0f, 2.5f, -3.0f, 0.125f, 7.0f};
  EXPECT_TRUE(same_bytes(variance(&a[0], 5, Ddof{0}), variance(a, 5)));
  EXPECT_TRUE(same_bytes(variance(&a[0], 5, Ddof{0}), variance(a)));
  EXPECT_TRUE(same_bytes(variance(&a[0], 5, Ddof{2}), variance(std::span<const float>(a), Ddof{2})));
  EXPECT_TRUE(same_bytes(sum(&a[0], 5), sum(a)));
  EXPECT_TRUE(same_bytes(argmin(&a[0], 5), argmin(a)));
  EXPECT_TRUE(same_bytes(nrm2(&a[0], 5), nrm2(a, CpuOptions{2})));
}

// 10^7 + 19 floats (three levels of partials are not reached, two are): every op of the header,
// the axis sums of the vector as one row and as one column included, at the thread counts the
// issue names. The reference runs once per op; only the fast path repeats per option.
TEST(ReduceCpuLargest, EveryOpOfTenMillionFloats) {
  const std::int64_t n = test::reduce_sizes(true).back();
  const std::vector<CpuOptions> options = all_options();
  for (const Family f : {Family::mixed, Family::finite}) {
    const std::vector<float> x = test::reduce_input<float>(n, 31, f), y = test::reduce_input<float>(n, 32, f);
    expect_all_ops_match(x, y, options, "n = " + std::to_string(n) + ", " + describe(f));
    // The axis sums: one output each, so the row (1 x n) and the column (n x 1) of x.
    float want_row = 0, want_column = 0;
    ref::row_sums(x.data(), MatrixLayout::dense(1, n), &want_row);
    ref::column_sums(x.data(), MatrixLayout::dense(n, 1), &want_column);
    for (const CpuOptions& o : options) {
      float row = 0, column = 0;
      row_sums(x.data(), MatrixLayout::dense(1, n), &row, o);
      column_sums(x.data(), MatrixLayout::dense(n, 1), &column, o);
      EXPECT_TRUE(same_result(result_of(want_row), result_of(row))) << "row_sums, " << describe(f) << ", " << describe(o);
      EXPECT_TRUE(same_result(result_of(want_column), result_of(column)))
          << "column_sums, " << describe(f) << ", " << describe(o);
    }
    // The default options (DETNUM_NUM_THREADS or the hardware threads).
    EXPECT_TRUE(same_result(result_of(ref::sum(x.data(), n)), result_of(sum(x.data(), n))));
  }
}

// --- special values ----------------------------------------------------------------------------

constexpr std::uint32_t kNegZeroF32 = 0x80000000u;
constexpr std::uint64_t kNegZeroF64 = 0x8000000000000000ull;
const float kInf = std::numeric_limits<float>::infinity();

// Every op on x under a few options equals the reference (specials included) and, where given,
// a result stated here.
template <class T>
void expect_ops_match(const std::vector<T>& x, const std::string& what) {
  expect_all_ops_match(x, x, {CpuOptions{1}, CpuOptions{3}, CpuOptions{2, CpuSimd::portable}}, what);
}

TEST(ReduceSpecials, SignedZeros) {
  for (const std::int64_t n : {1, 3, 128, 129, 8192, 8193, 100000}) {
    const std::vector<float> neg(static_cast<std::size_t>(n), -0.0f);
    std::vector<float> mixed = neg;
    mixed[static_cast<std::size_t>(n / 2)] = 0.0f;
    const std::vector<double> negd(static_cast<std::size_t>(n), -0.0);
    for (const CpuOptions o : {CpuOptions{1}, CpuOptions{2}, CpuOptions{3, CpuSimd::portable}}) {
      // Lanes start from -0: a sum of -0s is -0, with one +0 it is +0.
      EXPECT_EQ(bits_of(sum(neg.data(), n, o)), kNegZeroF32) << n;
      EXPECT_EQ(bits_of(sum(negd.data(), n, o)), kNegZeroF64) << n;
      EXPECT_EQ(bits_of(sum(mixed.data(), n, o)), 0u) << n;
      EXPECT_EQ(bits_of(asum(neg.data(), n, o)), 0u) << n;                 // |-0| = +0
      EXPECT_EQ(bits_of(dot(neg.data(), neg.data(), n, o)), 0u) << n;      // (-0)(-0) = +0
      EXPECT_EQ(bits_of(mean(neg.data(), n, o)), kNegZeroF32) << n;        // -0 / n
      EXPECT_EQ(bits_of(nrm2(neg.data(), n, o)), 0u) << n;
      EXPECT_EQ(bits_of(nrm2(negd.data(), n, o)), 0u) << n;
      EXPECT_EQ(bits_of(variance(neg.data(), n, Ddof{0}, o)), 0u) << n;
      // +0 counts as greater than -0.
      EXPECT_EQ(bits_of(max(mixed.data(), n, o)), 0u) << n;
      EXPECT_EQ(bits_of(min(mixed.data(), n, o)), n == 1 ? 0u : kNegZeroF32) << n;
      EXPECT_EQ(argmax(mixed.data(), n, o), n / 2) << n;
      EXPECT_EQ(argmin(mixed.data(), n, o), 0) << n;
      EXPECT_EQ(bits_of(max(neg.data(), n, o)), kNegZeroF32) << n;
      EXPECT_EQ(argmax(neg.data(), n, o), 0) << n;
      EXPECT_EQ(bits_of(amax(neg.data(), n, o)), 0u) << n;
      EXPECT_EQ(bits_of(amin(neg.data(), n, o)), 0u) << n;
    }
    expect_ops_match(neg, "all -0, n = " + std::to_string(n));
    expect_ops_match(mixed, "-0 and one +0, n = " + std::to_string(n));
  }
  // The sum of nothing is +0 for every type.
  EXPECT_EQ(bits_of(sum(static_cast<const float*>(nullptr), 0)), 0u);
  EXPECT_EQ(bits_of(sum(static_cast<const double*>(nullptr), 0)), 0u);
  EXPECT_EQ(bits_of(dot<bf16>(nullptr, nullptr, 0)), 0u);
  EXPECT_EQ(bits_of(nrm2(static_cast<const fp16*>(nullptr), 0)), 0u);
}

TEST(ReduceSpecials, InfinitiesAndCanonicalNans) {
  const float nan_payload = float_from_bits(0xFFC12345u), snan = float_from_bits(0x7F800001u);
  for (const std::int64_t n : {3, 300, 70000}) {
    std::vector<float> inf_and_one(static_cast<std::size_t>(n), 1.0f);
    inf_and_one[1] = kInf;
    std::vector<float> both_inf = inf_and_one;
    both_inf[static_cast<std::size_t>(n - 1)] = -kInf;
    std::vector<float> with_nan = inf_and_one;
    with_nan[static_cast<std::size_t>(n - 1)] = nan_payload;
    std::vector<double> with_nan_d(static_cast<std::size_t>(n), 2.0);
    with_nan_d[static_cast<std::size_t>(n / 2)] = double_from_bits(0xFFF0000000000BADull);
    for (const CpuOptions o : {CpuOptions{1}, CpuOptions{2}, CpuOptions{5, CpuSimd::portable}}) {
      EXPECT_EQ(bits_of(sum(inf_and_one.data(), n, o)), bits_of(kInf));
      EXPECT_EQ(bits_of(max(inf_and_one.data(), n, o)), bits_of(kInf));
      EXPECT_EQ(bits_of(nrm2(inf_and_one.data(), n, o)), bits_of(kInf));
      EXPECT_EQ(bits_of(sum(both_inf.data(), n, o)), kCanonicalNanF32);  // inf - inf
      EXPECT_EQ(bits_of(amax(both_inf.data(), n, o)), bits_of(kInf));
      EXPECT_EQ(bits_of(min(both_inf.data(), n, o)), bits_of(-kInf));
      EXPECT_EQ(argmin(both_inf.data(), n, o), n - 1);
      for (const Result r : {result_of(sum(with_nan.data(), n, o)), result_of(asum(with_nan.data(), n, o)),
                             result_of(dot(with_nan.data(), inf_and_one.data(), n, o)),
                             result_of(nrm2(with_nan.data(), n, o)), result_of(mean(with_nan.data(), n, o)),
                             result_of(variance(with_nan.data(), n, Ddof{0}, o)), result_of(max(with_nan.data(), n, o)),
                             result_of(min(with_nan.data(), n, o)), result_of(amax(with_nan.data(), n, o)),
                             result_of(amin(with_nan.data(), n, o))})
        EXPECT_TRUE(same_result(result_of(float_from_bits(kCanonicalNanF32)), r)) << "n = " << n;
      // A NaN beats +Inf, at its own index.
      EXPECT_EQ(argmax(with_nan.data(), n, o), n - 1);
      EXPECT_EQ(argmin(with_nan.data(), n, o), n - 1);
      for (const Result r : {result_of(sum(with_nan_d.data(), n, o)), result_of(nrm2(with_nan_d.data(), n, o)),
                             result_of(max(with_nan_d.data(), n, o)), result_of(amin(with_nan_d.data(), n, o))})
        EXPECT_TRUE(same_result(result_of(double_from_bits(kCanonicalNanF64)), r)) << "n = " << n;
      EXPECT_EQ(argmax(with_nan_d.data(), n, o), n / 2);
    }
    expect_ops_match(inf_and_one, "+inf, n = " + std::to_string(n));
    expect_ops_match(both_inf, "+-inf, n = " + std::to_string(n));
    expect_ops_match(with_nan, "NaN, n = " + std::to_string(n));
    expect_ops_match(with_nan_d, "double NaN, n = " + std::to_string(n));
  }
  // A signalling NaN is a NaN too; bf16 and fp16 NaNs give float's canonical NaN.
  const std::vector<float> s = {1.0f, snan, 2.0f};
  EXPECT_EQ(bits_of(sum(s.data(), 3)), kCanonicalNanF32);
  EXPECT_EQ(argmin(s.data(), 3), 1);
  const std::vector<bf16> b = {bf16{0x3F80}, bf16{0xFFC1}};
  const std::vector<fp16> h = {fp16{0x3C00}, fp16{0x7C01}};
  EXPECT_EQ(bits_of(sum(b.data(), 2)), kCanonicalNanF32);
  EXPECT_EQ(bits_of(sum(h.data(), 2)), kCanonicalNanF32);
  EXPECT_EQ(bits_of(max(h.data(), 2)), kCanonicalNanF32);
  EXPECT_EQ(argmax(h.data(), 2), 1);
}

TEST(ReduceSpecials, Subnormals) {
  const float tiny = std::numeric_limits<float>::denorm_min();
  const double tiny_d = std::numeric_limits<double>::denorm_min();
  for (const std::int64_t n : {1000, 20000}) {
    const std::vector<float> x(static_cast<std::size_t>(n), tiny);
    const std::vector<double> xd(static_cast<std::size_t>(n), tiny_d);
    std::vector<fp16> h(static_cast<std::size_t>(n), fp16{0x0001});  // 2^-24, fp16's smallest subnormal
    for (const CpuOptions o : {CpuOptions{1}, CpuOptions{2}, CpuOptions{3, CpuSimd::portable}}) {
      // Sums of subnormals are exact (no flushing).
      EXPECT_EQ(bits_of(sum(x.data(), n, o)), static_cast<std::uint32_t>(n));
      EXPECT_EQ(bits_of(sum(xd.data(), n, o)), static_cast<std::uint64_t>(n));
      EXPECT_EQ(sum(h.data(), n, o), static_cast<float>(n) * 0x1p-24f);
      // nrm2 of double subnormals scales by more than 2^1023 (two multiplications).
      EXPECT_EQ(nrm2(xd.data(), 1, o), tiny_d);
      EXPECT_EQ(nrm2(xd.data(), 4, o), 2 * tiny_d);
      // nrm2 of float subnormals: squares are exact in double.
      EXPECT_EQ(nrm2(x.data(), 4, o), 2 * tiny);
      EXPECT_EQ(bits_of(amin(x.data(), n, o)), bits_of(tiny));
    }
    expect_ops_match(x, "float subnormals, n = " + std::to_string(n));
    expect_ops_match(xd, "double subnormals, n = " + std::to_string(n));
    expect_ops_match(h, "fp16 subnormals, n = " + std::to_string(n));
  }
}

TEST(ReduceSpecials, OverflowNearFltMax) {
  const float big = FLT_MAX;
  for (const std::int64_t n : {2, 256, 9000}) {
    const std::vector<float> x(static_cast<std::size_t>(n), big);
    std::vector<float> alternating(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) alternating[static_cast<std::size_t>(i)] = i % 2 ? -big : big;
    for (const CpuOptions o : {CpuOptions{1}, CpuOptions{2}, CpuOptions{3, CpuSimd::portable}}) {
      EXPECT_EQ(bits_of(sum(x.data(), n, o)), bits_of(kInf));
      EXPECT_EQ(bits_of(dot(x.data(), x.data(), n, o)), bits_of(kInf));
      // nrm2 accumulates float squares in double: the norm itself overflows float, not a square.
      EXPECT_EQ(bits_of(nrm2(x.data(), n, o)), bits_of(kInf));
      EXPECT_EQ(nrm2(x.data(), 1, o), big);
      EXPECT_EQ(mean(x.data(), n, o), kInf);
    }
    expect_ops_match(x, "FLT_MAX, n = " + std::to_string(n));
    expect_ops_match(alternating, "+-FLT_MAX, n = " + std::to_string(n));
  }
  // Lane l holds element l: FLT_MAX, FLT_MAX, -FLT_MAX folds as (a0 + a2) + a1 = FLT_MAX.
  const std::vector<float> three = {big, big, -big};
  EXPECT_EQ(sum(three.data(), 3), big);
  EXPECT_EQ(sum(three.data(), 3, {2, CpuSimd::portable}), big);
  // Doubles: nrm2 scales by 2^-k, so a norm near DBL_MAX does not overflow on the way.
  const std::vector<double> d(4, 0x1p1022);
  EXPECT_EQ(nrm2(d.data(), 4), 0x1p1023);
}

TEST(ReduceSpecials, VarianceAndMeanOfFewElements) {
  const std::vector<float> one = {3.0f};
  EXPECT_EQ(variance(one.data(), 1, Ddof{0}), 0.0f);
  EXPECT_EQ(bits_of(variance(one.data(), 1, Ddof{1})), kCanonicalNanF32);  // n - ddof = 0
  EXPECT_EQ(bits_of(variance(one.data(), 1, Ddof{7})), kCanonicalNanF32);
  EXPECT_EQ(bits_of(variance(static_cast<const float*>(nullptr), 0, Ddof{0})), kCanonicalNanF32);
  EXPECT_EQ(bits_of(mean(static_cast<const double*>(nullptr), 0)), kCanonicalNanF64);
  EXPECT_EQ(mean(one.data(), 1), 3.0f);
}

// --- the extremes' rules, across thread ranges ------------------------------------------------

TEST(ReduceExtremes, TiesGoToTheLowestIndexInEveryRange) {
  const std::int64_t n = 300001;  // thread ranges are cut at multiples of 65536 floats: 5 grains
  std::vector<float> x(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) x[static_cast<std::size_t>(i)] = static_cast<float>(i % 5) - 2.0f;  // -2 .. 2
  x[200000] = 5.0f, x[250000] = 5.0f, x[299999] = -5.0f, x[100000] = -5.0f;
  x[150000] = -5.0f, x[160000] = 5.0f;
  for (const CpuOptions o : all_options()) {
    EXPECT_EQ(argmax(x.data(), n, o), 160000) << describe(o);
    EXPECT_EQ(argmin(x.data(), n, o), 100000) << describe(o);
    EXPECT_EQ(max(x.data(), n, o), 5.0f);
    EXPECT_EQ(amax(x.data(), n, o), 5.0f);
  }
  expect_ops_match(x, "ties");
  // Equal magnitudes of either sign tie for amax and amin: the first wins.
  std::vector<double> m(100000, 3.0);
  m[40000] = -7.0, m[70000] = 7.0, m[90000] = -0.5, m[95000] = 0.5;
  expect_ops_match(m, "magnitude ties");
  std::vector<bf16> b(70000, bf16{0x4000});  // 2.0
  b[33000] = bf16{0xC080};                   // -4.0
  b[66000] = bf16{0x4080};                   // 4.0
  expect_ops_match(b, "bf16 ties");
}

TEST(ReduceExtremes, FirstNanWinsAcrossRanges) {
  const std::int64_t n = 200000;
  std::vector<float> x(static_cast<std::size_t>(n), 1.0f);
  // Thread ranges are cut at multiples of 65536 floats: the infinity, the first NaN and the
  // second NaN fall in different ranges at 2 and 3 threads.
  x[190000] = float_from_bits(0x7FC00001u);
  x[50000] = kInf;
  x[100000] = float_from_bits(0xFFFFFFFFu);  // a negative NaN: the first NaN, whatever its sign
  for (const CpuOptions o : all_options()) {
    EXPECT_EQ(argmax(x.data(), n, o), 100000) << describe(o);
    EXPECT_EQ(argmin(x.data(), n, o), 100000) << describe(o);
    EXPECT_EQ(bits_of(max(x.data(), n, o)), kCanonicalNanF32);
    EXPECT_EQ(bits_of(amin(x.data(), n, o)), kCanonicalNanF32);
  }
  expect_ops_match(x, "NaNs in two ranges");
  // NaN as the very first and very last element.
  x[0] = float_from_bits(0x7F800002u);
  EXPECT_EQ(argmin(x.data(), n, {2}), 0);
  std::vector<double> d(70000, -1.0);
  d.back() = double_from_bits(0x7FF0000000000001ull);
  EXPECT_EQ(argmax(d.data(), 70000, {2}), 69999);
  expect_ops_match(d, "double NaN last");
}

TEST(ReduceExtremes, ZerosOfBothSignsAcrossRanges) {
  const std::int64_t n = 100000;
  std::vector<float> x(static_cast<std::size_t>(n), -0.0f);
  x[70000] = 0.0f, x[90000] = 0.0f;
  for (const CpuOptions o : all_options()) {
    EXPECT_EQ(argmax(x.data(), n, o), 70000);
    EXPECT_EQ(argmin(x.data(), n, o), 0);
    EXPECT_EQ(bits_of(max(x.data(), n, o)), 0u);
    EXPECT_EQ(bits_of(min(x.data(), n, o)), kNegZeroF32);
  }
  x[0] = 0.0f;
  for (const CpuOptions o : all_options()) EXPECT_EQ(argmin(x.data(), n, o), 1);
  expect_ops_match(x, "+-0 in ranges");
}

// --- errors ------------------------------------------------------------------------------------

using test::expect_error;

TEST(ReduceErrors, NullPointers) {
  const float* null = nullptr;
  const std::vector<float> x(5, 1.0f);
  expect_error([&] { sum(null, 5); }, ErrorCode::null_pointer, "sum: x must not be null, got nullptr for 5 elements");
  expect_error([&] { asum(null, 1); }, ErrorCode::null_pointer, "asum: x must not be null");
  expect_error([&] { dot(null, x.data(), 5); }, ErrorCode::null_pointer, "dot: x must not be null, got nullptr for 5 elements");
  expect_error([&] { dot(x.data(), null, 5); }, ErrorCode::null_pointer, "dot: y must not be null, got nullptr for 5 elements");
  expect_error([&] { nrm2(static_cast<const double*>(nullptr), 2); }, ErrorCode::null_pointer, "nrm2: x must not be null");
  expect_error([&] { mean(static_cast<const bf16*>(nullptr), 2); }, ErrorCode::null_pointer, "mean: x must not be null");
  expect_error([&] { variance(static_cast<const fp16*>(nullptr), 2); }, ErrorCode::null_pointer,
               "variance: x must not be null");
  expect_error([&] { argmax(null, 3); }, ErrorCode::null_pointer, "argmax: x must not be null");
  EXPECT_NO_THROW(sum(null, 0));
  EXPECT_NO_THROW(dot(null, null, 0));
}

TEST(ReduceErrors, NegativeAndOverflowingSizes) {
  const std::vector<float> x(5, 1.0f);
  expect_error([&] { sum(x.data(), -1); }, ErrorCode::size_out_of_range, "sum: n must be >= 0, got -1");
  expect_error([&] { dot(x.data(), x.data(), -7); }, ErrorCode::size_out_of_range, "dot: n must be >= 0, got -7");
  expect_error([&] { max(x.data(), -1); }, ErrorCode::size_out_of_range, "max: n must be >= 0, got -1");
  expect_error([&] { sum(x.data(), std::numeric_limits<std::int64_t>::max()); }, ErrorCode::size_out_of_range,
               "sum: n must be at most");
}

TEST(ReduceErrors, ExtremesOfNothing) {
  const std::vector<float> x(5, 1.0f);
  const char* msg = "n must be >= 1 (the extremes of nothing are undefined), got 0";
  expect_error([&] { max(x.data(), 0); }, ErrorCode::size_out_of_range, std::string("max: ") + msg);
  expect_error([&] { min(x.data(), 0); }, ErrorCode::size_out_of_range, std::string("min: ") + msg);
  expect_error([&] { amax(x.data(), 0); }, ErrorCode::size_out_of_range, std::string("amax: ") + msg);
  expect_error([&] { amin(x.data(), 0); }, ErrorCode::size_out_of_range, std::string("amin: ") + msg);
  expect_error([&] { argmax(x.data(), 0); }, ErrorCode::size_out_of_range, std::string("argmax: ") + msg);
  expect_error([&] { argmin(static_cast<const double*>(nullptr), 0); }, ErrorCode::size_out_of_range,
               std::string("argmin: ") + msg);
}

TEST(ReduceErrors, NegativeDdof) {
  const std::vector<double> x(5, 1.0);
  expect_error([&] { variance(x.data(), 5, Ddof{-1}); }, ErrorCode::invalid_argument, "variance: ddof must be >= 0, got -1");
}

TEST(ReduceErrors, CpuOptionsOutOfRange) {
  const std::vector<float> x(5, 1.0f);
  expect_error([&] { sum(x.data(), 5, CpuOptions{-1}); }, ErrorCode::invalid_argument,
               "sum: options.threads must be 0 (default) or 1 .. 1024, got -1");
  expect_error([&] { dot(x.data(), x.data(), 5, CpuOptions{1025}); }, ErrorCode::invalid_argument,
               "dot: options.threads must be 0 (default) or 1 .. 1024, got 1025");
  expect_error([&] { argmin(x.data(), 5, CpuOptions{1, static_cast<CpuSimd>(9)}); }, ErrorCode::invalid_argument,
               "argmin: options.simd must be CpuSimd::best or CpuSimd::portable, got 9");
  EXPECT_NO_THROW(sum(x.data(), 5, CpuOptions{1024}));
}

TEST(ReduceErrors, SpanSizesMustAgree) {
  const std::vector<float> x(64, 1.0f), y(10, 1.0f);
  expect_error([&] { dot(std::span<const float>(x), std::span<const float>(y)); }, ErrorCode::invalid_argument,
               "dot: y.size() must equal x.size() = 64, got 10");
}

}  // namespace
}  // namespace detnum
