// Accuracy of the reference reductions against exact results from GNU MPFR, within the bound
// that docs/ORDER.md ("Accuracy") states:
//
//   |computed - exact| <= gamma_k * sum_i |t_i|,   gamma_k = k u / (1 - k u),   k = 71 h,
//
// h = ceil(log_8192 n) levels (at least 1), u = 2^-24 (float accumulator: float, bf16, fp16) or
// 2^-53 (double), t_i the terms (x_i for sum, |x_i| for asum, x_i y_i for dot).
//
// Exactness: the sums are accumulated in MPFR at a precision computed from the data (the span
// from the lowest significant bit of any term to the top of the largest possible partial sum),
// and every MPFR operation's ternary value is checked to be 0, so each "exact" value here is
// proven exact rather than assumed. The comparisons with the bound are made exactly too
// (err * (1 - k u) <= k u * S, all in MPFR without rounding).
//
// The other ops, with the allowance each is checked against (derived below, next to each test):
//   mean:      |n * mean - exact sum| <= gamma_k S + u |ref::sum|            (one division more)
//   nrm2, float/bf16/fp16: within 1 ulp of the correctly rounded float of the exact norm N, and
//              when not equal to it, N lies within (k/2 + 1.01) 2^-53 N of the midpoint between
//              the two (the double result can only cross a float midpoint by that much)
//   nrm2, double: |nrm2 - N| <= (k/2 + 1) u (1 + 8 k u) N
//              (nrm2 also on data whose squares would overflow or underflow the input type)
//   variance:  |var - V| <= ((1 + u)^3 (1 + gamma_k) (1 + n e_m^2 / Q) - 1) V, with
//              Q = sum (x_i - mu)^2, e_m = ref::mean - mu (both exact)
//
// Data: (i) random mixed magnitudes (about 40 binades, both signs, some zeros); (ii)
// ill-conditioned sums and dot products with heavy cancellation, condition numbers
// sum|t| / |sum t| from about 1e8 to 1e18 (1e6 .. 1e12 for fp16), generated below. Sizes 1,
// 100, 8192, 8193 (the first with two levels), 100000, 2^20. The data are seeded (mt19937_64;
// the distributions and std::shuffle are the standard library's, so another library may draw
// other, equally valid data).
// Each test prints the worst observed err / bound ratio, so a reader sees how far inside the
// bound the reference stays (typically 1e-3 .. 1e-1 of it: the bound is a worst case).
//
// Underflow: ORDER.md states the bound "for finite results without overflow", but for dot (and
// the squares in variance) an fma whose exact result lies in the subnormal range has an
// absolute error (up to 2^-150 in float) that no relative bound covers: ref::dot({2^-100},
// {2^-100}) is +0 while the exact value is 2^-200. The dot data here keep every product far
// above float's subnormals; sums are unaffected (an addition with a subnormal result is exact).
#include <gtest/gtest.h>
#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "detnum/reduce.hpp"

namespace detnum {
namespace {

// ---- the input types -------------------------------------------------------------------------

// d rounded once to the nearest binary16, ties to even (|d| <= 65504 here): binary16 has 11
// significant bits down to 2^-14 and the fixed spacing 2^-24 below that, so round d / spacing
// to an integer (std::nearbyint: to nearest even in the default rounding mode; the scalings
// by powers of two are exact) and encode the result.
fp16 fp16_from_double(double d) {
  const std::uint16_t sign = std::signbit(d) ? 0x8000u : 0u;
  const double m = std::fabs(d);
  const int e = m < 0x1p-14 ? -14 : std::ilogb(m);
  const double q = std::nearbyint(std::ldexp(m, 10 - e));  // significand in units of 2^(e - 10)
  const double v = std::ldexp(q, e - 10);                     // the rounded magnitude
  std::uint16_t b;
  if (v >= 0x1p16) b = 0x7C00u;                                // beyond 65504 + 16: infinity
  else if (v < 0x1p-14) b = static_cast<std::uint16_t>(std::ldexp(v, 24));
  else {
    const int ev = std::ilogb(v);
    b = static_cast<std::uint16_t>((ev + 15) << 10 | static_cast<int>(std::ldexp(v, 10 - ev) - 1024.0));
  }
  return fp16{static_cast<std::uint16_t>(sign | b)};
}

template <class T> struct Fmt;
template <> struct Fmt<float> {
  static constexpr const char* name = "float";
  static constexpr int p = 24;          // significand bits of the input type
  static constexpr int min_lsb = -149;  // exponent of the smallest positive value
  static constexpr int u_exp = -24;     // u = 2^u_exp of the accumulator
  static constexpr double max = 1e30;   // generators stay below this
  static float from(double d) { return static_cast<float>(d); }
};
template <> struct Fmt<double> {
  static constexpr const char* name = "double";
  static constexpr int p = 53, min_lsb = -1074, u_exp = -53;
  static constexpr double max = 1e300;
  static double from(double d) { return d; }
};
template <> struct Fmt<bf16> {
  static constexpr const char* name = "bf16";
  static constexpr int p = 8, min_lsb = -133, u_exp = -24;
  static constexpr double max = 1e30;
  static bf16 from(double d) { return bf16_from_double(d); }
};
template <> struct Fmt<fp16> {
  static constexpr const char* name = "fp16";
  static constexpr int p = 11, min_lsb = -24, u_exp = -24;
  static constexpr double max = 0x1p14;
  static fp16 from(double d) { return fp16_from_double(d); }
};

template <class T>
double wide(T x) { return static_cast<double>(detail::widen(x)); }

// h = ceil(log_8192 n), at least 1; k = 71 h.
int levels(std::int64_t n) {
  int h = 1;
  for (std::int64_t cap = 8192; n > cap; cap *= 8192) ++h;
  return h;
}

const std::vector<std::int64_t> kSizes = {1, 100, 8192, 8193, 100000, std::int64_t{1} << 20};

// ---- MPFR helpers ----------------------------------------------------------------------------

// An mpfr_t that clears itself.
struct Mp {
  mpfr_t v;
  explicit Mp(mpfr_prec_t prec) { mpfr_init2(v, prec); mpfr_set_zero(v, 1); }
  ~Mp() { mpfr_clear(v); }
  Mp(Mp&& o) noexcept { mpfr_init2(v, mpfr_get_prec(o.v)); mpfr_swap(v, o.v); }
  Mp(const Mp&) = delete;
  Mp& operator=(const Mp&) = delete;
  operator mpfr_ptr() { return v; }
  operator mpfr_srcptr() const { return v; }
  double d() const { return mpfr_get_d(v, MPFR_RNDN); }
};

// Precision for the comparisons: far more than any value below needs (double products span at
// most 2^-2148 .. 2^2048), so that they are exact; each is checked anyway.
constexpr mpfr_prec_t kWide = 8800;

// Exact sum_i t_i and sum_i |t_i| of terms that are doubles (sum, asum) or products of two
// doubles (dot), at a precision from the data: every term is a multiple of 2^low and every
// partial sum is below 2^(top + log2 n + 1).
class ExactSum {
 public:
  ExactSum(int top, int low, std::int64_t n) : prec_(top - low + levels_bits(n) + 8), sum_(prec_), abs_(prec_), tmp_(160) {}
  void add(double t) {
    bad_ |= mpfr_add_d(sum_, sum_, t, MPFR_RNDN) != 0;
    bad_ |= mpfr_add_d(abs_, abs_, std::fabs(t), MPFR_RNDN) != 0;
  }
  void add_product(double x, double y) {
    bad_ |= mpfr_set_d(tmp_, x, MPFR_RNDN) != 0;
    bad_ |= mpfr_mul_d(tmp_, tmp_, y, MPFR_RNDN) != 0;  // 106 bits at most: exact in 160
    bad_ |= mpfr_add(sum_, sum_, tmp_, MPFR_RNDN) != 0;
    mpfr_abs(tmp_, tmp_, MPFR_RNDN);
    bad_ |= mpfr_add(abs_, abs_, tmp_, MPFR_RNDN) != 0;
  }
  bool exact() const { return !bad_; }
  const Mp& sum() const { return sum_; }
  const Mp& abs() const { return abs_; }
  mpfr_prec_t prec() const { return prec_; }

 private:
  static int levels_bits(std::int64_t n) { int b = 1; while ((std::int64_t{1} << b) < n + 1) ++b; return b; }
  mpfr_prec_t prec_;
  Mp sum_, abs_, tmp_;
  bool bad_ = false;
};

// top: |v| < 2^top; lsb: v is a multiple of 2^lsb (v from a type with p significant bits).
int top_of(double v) { return v == 0 ? std::numeric_limits<int>::min() / 4 : std::ilogb(v) + 1; }
int lsb_of(double v, int p, int min_lsb) { return v == 0 ? std::numeric_limits<int>::max() / 4 : std::max(std::ilogb(v) - (p - 1), min_lsb); }

template <class T>
ExactSum exact_sum(const std::vector<T>& x) {
  int top = 0, low = 0;
  for (const T& v : x) top = std::max(top, top_of(wide(v))), low = std::min(low, lsb_of(wide(v), Fmt<T>::p, Fmt<T>::min_lsb));
  ExactSum e(top, low, std::ssize(x));
  for (const T& v : x) e.add(wide(v));
  EXPECT_TRUE(e.exact()) << "MPFR sum not exact at " << e.prec() << " bits";
  return e;
}

template <class T>
ExactSum exact_dot(const std::vector<T>& x, const std::vector<T>& y) {
  int top = 0, low = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double a = wide(x[i]), b = wide(y[i]);
    if (a == 0 || b == 0) continue;
    top = std::max(top, top_of(a) + top_of(b));
    low = std::min(low, lsb_of(a, Fmt<T>::p, Fmt<T>::min_lsb) + lsb_of(b, Fmt<T>::p, Fmt<T>::min_lsb));
  }
  ExactSum e(top, low, std::ssize(x));
  for (std::size_t i = 0; i < x.size(); ++i) e.add_product(wide(x[i]), wide(y[i]));
  EXPECT_TRUE(e.exact()) << "MPFR dot not exact at " << e.prec() << " bits";
  return e;
}

// err = |got - exact|, checked against gamma_k * S + extra exactly:
//   err * (1 - k u) <= k u S + extra * (1 - k u).
// Returns err / (gamma_k S + extra) (as a double, for the report); the check is an EXPECT.
double check_bound(const std::string& what, mpfr_srcptr got, mpfr_srcptr exact, mpfr_srcptr S, int k, int u_exp,
                   double extra = 0) {
  Mp err(kWide), ku(64), one_ku(128), lhs(kWide), rhs(kWide), t(kWide);
  bool bad = false;
  bad |= mpfr_sub(err, got, exact, MPFR_RNDN) != 0;
  mpfr_abs(err, err, MPFR_RNDN);
  bad |= mpfr_set_si_2exp(ku, k, u_exp, MPFR_RNDN) != 0;  // k u
  bad |= mpfr_ui_sub(one_ku, 1, ku, MPFR_RNDN) != 0;     // 1 - k u
  bad |= mpfr_mul(lhs, err, one_ku, MPFR_RNDN) != 0;
  bad |= mpfr_mul(rhs, S, ku, MPFR_RNDN) != 0;
  bad |= mpfr_set_d(t, extra, MPFR_RNDN) != 0;
  bad |= mpfr_mul(t, t, one_ku, MPFR_RNDN) != 0;
  bad |= mpfr_add(rhs, rhs, t, MPFR_RNDN) != 0;
  EXPECT_FALSE(bad) << what << ": the comparison was not exact";
  EXPECT_LE(mpfr_cmp(lhs, rhs), 0) << what << ": |" << mpfr_get_d(got, MPFR_RNDN) << " - " << mpfr_get_d(exact, MPFR_RNDN) << "| = " << err.d()
                                   << " exceeds the bound " << rhs.d() / one_ku.d();
  if (mpfr_zero_p(err)) return 0;
  mpfr_div(t, lhs, rhs, MPFR_RNDN);
  return t.d();
}
double check_bound(const std::string& what, double got, mpfr_srcptr exact, mpfr_srcptr S, int k, int u_exp, double extra = 0) {
  Mp g(64);
  mpfr_set_d(g, got, MPFR_RNDN);
  return check_bound(what, g, exact, S, k, u_exp, extra);
}

// ---- the report ------------------------------------------------------------------------------

// The worst err / bound per line, printed at the end of each test and recorded as a property.
class Report {
 public:
  explicit Report(const char* type_name) : name_(type_name) {}
  void note(const std::string& line, double ratio, std::int64_t n, double cond = NAN) {
    Entry& e = lines_[line];
    if (ratio >= e.ratio) e.ratio = ratio, e.n = n;
    if (std::isfinite(cond)) e.cond_lo = std::min(e.cond_lo, cond), e.cond_hi = std::max(e.cond_hi, cond);
  }
  ~Report() {
    for (const auto& [line, e] : lines_) {
      char buf[256];
      const std::string cond = e.cond_hi > 0 ? ", cond " + fmt(e.cond_lo) + " .. " + fmt(e.cond_hi) : "";
      std::snprintf(buf, sizeof buf, "  %-20s %-16s worst err/bound %.3e (n = %lld)%s", line.c_str(), name_, e.ratio,
                    static_cast<long long>(e.n), cond.c_str());
      std::printf("%s\n", buf);
      ::testing::Test::RecordProperty(line, fmt(e.ratio));
    }
    std::fflush(stdout);
  }

 private:
  static std::string fmt(double v) { char b[32]; std::snprintf(b, sizeof b, "%.3e", v); return b; }
  struct Entry { double ratio = 0; std::int64_t n = 0; double cond_lo = INFINITY, cond_hi = 0; };
  const char* name_;
  std::map<std::string, Entry> lines_;
};

// ---- data --------------------------------------------------------------------------------------

// A random double in [1, 2) with a random sign.
double signed_significand(std::mt19937_64& g) {
  const double m = 1.0 + static_cast<double>(g() >> 11) * 0x1p-53;
  return (g() & 1) ? -m : m;
}

// Random mixed magnitudes: +-[1, 2) * 2^e, e uniform in [elo, ehi], rounded to T; 1/64 zeros.
template <class T>
std::vector<T> random_data(std::int64_t n, std::uint64_t seed, int elo, int ehi) {
  std::mt19937_64 g(seed);
  std::uniform_int_distribution<int> e(elo, ehi);
  std::vector<T> v(static_cast<std::size_t>(n));
  for (T& x : v) x = (g() % 64 == 0) ? Fmt<T>::from((g() & 1) ? -0.0 : 0.0) : Fmt<T>::from(std::ldexp(signed_significand(g), e(g)));
  return v;
}

// Exponent ranges of the random data: about 40 binades, inside each type's range (fp16: its
// subnormals included for sums; products of fp16 stay normal floats anyway).
template <class T> int rand_lo() { return std::is_same_v<T, fp16> ? -24 : std::is_same_v<T, double> ? -40 : -20; }
template <class T> int rand_hi() { return std::is_same_v<T, fp16> ? 14 : std::is_same_v<T, double> ? 40 : 20; }

// Ill-conditioned terms with heavy cancellation (generator of this file's own design, in the
// spirit of Ogita, Rump and Oishi's GenSum/GenDot). The first half of the terms are random with
// magnitudes 2^0 .. 2^(c/2). Each term of the second half is chosen as (r_i - s) rounded to T,
// where s is the running sum of the terms so far (MPFR, far more precise than needed to steer)
// and r_i is random with an exponent falling linearly
// from c/2 to -c/2: each such term cancels the running sum down to about r_i (plus the
// rounding of the term), so the final exact sum is about 2^(-c/2) while the terms reach 2^(c/2):
// sum |t| / |sum t| grows with 2^c (until the input precision limits it, for very small n).
// The terms are then shuffled (the exact sum does not change; the computed one does).
// For dot, y_i are random in 2^-3 .. 2^3 and x_i = (target product) / y_i rounded, so the
// products follow the same pattern (each product is exact, x_i y_i is what the exact sum sees).
// Terms are clamped to Fmt<T>::max so fp16 stays finite (the running sum then takes a few more
// terms to come down).
template <class T>
void ill_conditioned(std::int64_t n, int c, std::uint64_t seed, std::vector<T>& x, std::vector<T>* y) {
  std::mt19937_64 g(seed);
  x.assign(static_cast<std::size_t>(n), Fmt<T>::from(0));
  if (y) y->assign(static_cast<std::size_t>(n), Fmt<T>::from(1));
  Mp s(320), t(320);  // steering only: need not be exact
  const std::int64_t n1 = std::max<std::int64_t>(n / 2, 1);
  std::uniform_int_distribution<int> first(0, c / 2), ey(-3, 3);
  for (std::int64_t i = 0; i < n; ++i) {
    const double yi = y ? wide(Fmt<T>::from(std::ldexp(signed_significand(g), ey(g)))) : 1.0;
    double target;
    if (i < n1) {
      target = std::ldexp(signed_significand(g), first(g));
    } else {
      const double e = c / 2.0 - static_cast<double>(c) * static_cast<double>(i - n1 + 1) / static_cast<double>(n - n1);
      mpfr_set_d(t, std::ldexp(signed_significand(g), static_cast<int>(std::floor(e))), MPFR_RNDN);
      mpfr_sub(t, t, s, MPFR_RNDN);
      target = std::clamp(mpfr_get_d(t, MPFR_RNDN), -Fmt<T>::max, Fmt<T>::max);
    }
    const T xi = Fmt<T>::from(std::clamp(target / yi, -Fmt<T>::max, Fmt<T>::max));
    x[static_cast<std::size_t>(i)] = xi;
    if (y) (*y)[static_cast<std::size_t>(i)] = Fmt<T>::from(yi);
    mpfr_set_d(t, wide(xi), MPFR_RNDN);
    mpfr_mul_d(t, t, yi, MPFR_RNDN);
    mpfr_add(s, s, t, MPFR_RNDN);  // only steers the generator; the tests compute their own exact sums
  }
  std::vector<std::size_t> perm(x.size());
  std::iota(perm.begin(), perm.end(), std::size_t{0});
  std::shuffle(perm.begin(), perm.end(), g);
  std::vector<T> xs(x.size()), ys(y ? y->size() : 0);
  for (std::size_t i = 0; i < perm.size(); ++i) {
    xs[i] = x[perm[i]];
    if (y) ys[i] = (*y)[perm[i]];
  }
  x.swap(xs);
  if (y) y->swap(ys);
}

// The generator's c (terms up to 2^(c/2), sum down to about 2^(-c/2)); the condition numbers
// they give, roughly n 2^c / 100, are printed: c = 24, 36, 48 span about 1e8 .. 1e19 over our
// sizes. fp16 has 40 binades in all, so c = 16 and 24 there (1e6 .. 1e12). To keep the run
// short, the largest size runs with one c only.
template <class T> std::vector<int> ill_c(std::int64_t n) {
  if constexpr (std::is_same_v<T, fp16>) return n > 100000 ? std::vector<int>{24} : std::vector<int>{16, 24};
  else return n > 100000 ? std::vector<int>{36} : std::vector<int>{24, 36, 48};
}

double cond_of(const ExactSum& e) {
  const double s = std::fabs(e.sum().d());
  return s == 0 ? std::numeric_limits<double>::infinity() : e.abs().d() / s;
}

// The test's own binary16 rounding: every finite binary16 value maps back to itself, and a
// value just above the midpoint between two neighbours goes up.
TEST(ReduceAccuracyHelpers, Fp16FromDouble) {
  for (std::uint32_t b = 0; b < 0x10000; ++b) {
    const fp16 h{static_cast<std::uint16_t>(b)};
    const float f = to_float(h);
    if (!std::isfinite(f)) continue;
    ASSERT_EQ(fp16_from_double(f).bits, h.bits) << std::hex << b;
  }
  EXPECT_EQ(fp16_from_double(1.0 + 0x1p-11).bits, 0x3C00u);            // tie, to even
  EXPECT_EQ(fp16_from_double(1.0 + 0x1p-11 + 0x1p-30).bits, 0x3C01u);  // above the tie
  EXPECT_EQ(fp16_from_double(1.5 * 0x1p-24).bits, 0x0002u);            // subnormal tie, to even
  EXPECT_EQ(fp16_from_double(-0.5 * 0x1p-24).bits, 0x8000u);
}

template <class T>
class ReduceAccuracy : public ::testing::Test {};
using ReduceTypes = ::testing::Types<float, double, bf16, fp16>;
TYPED_TEST_SUITE(ReduceAccuracy, ReduceTypes);

// sum, asum and mean of one data set: ORDER.md's bound for sum (terms x_i) and asum (terms
// |x_i|: exact value and sum |t_i| are both S). mean = RN(sum / n) (n < 2^24 is exact in A):
// |mean - sum/n| <= u |sum/n|, so |n mean - exact| <= gamma_k S + u |sum|.
template <class T>
void check_sum_asum_mean(const std::vector<T>& x, const std::string& family, Report& report) {
  using A = accum_t<T>;
  const std::int64_t n = std::ssize(x);
  const int k = 71 * levels(n), ue = Fmt<T>::u_exp;
  const ExactSum e = exact_sum(x);
  const std::string tag = std::string(Fmt<T>::name) + " n=" + std::to_string(n) + " " + family;
  const A s = ref::sum(x.data(), n);
  const double cond = cond_of(e);
  report.note("sum " + family, check_bound(tag + " sum", s, e.sum(), e.abs(), k, ue), n, cond);
  report.note("asum " + family, check_bound(tag + " asum", ref::asum(x.data(), n), e.abs(), e.abs(), k, ue), n);
  const A m = ref::mean(x.data(), n);
  Mp nm(128);  // n * mean, exact
  EXPECT_EQ(mpfr_set_d(nm, static_cast<double>(m), MPFR_RNDN), 0);
  EXPECT_EQ(mpfr_mul_si(nm, nm, static_cast<long>(n), MPFR_RNDN), 0);
  const double extra = std::ldexp(std::fabs(static_cast<double>(s)), ue);  // u |sum|
  report.note("mean " + family, check_bound(tag + " mean", nm, e.sum(), e.abs(), k, ue, extra), n);
}

TYPED_TEST(ReduceAccuracy, SumAsumMeanRandom) {
  using T = TypeParam;
  Report report(Fmt<T>::name);
  for (std::int64_t n : kSizes) {
    const auto x = random_data<T>(n, 1000 + static_cast<std::uint64_t>(n), rand_lo<T>(), rand_hi<T>());
    check_sum_asum_mean(x, "random", report);
  }
}

TYPED_TEST(ReduceAccuracy, SumAsumMeanIllConditioned) {
  using T = TypeParam;
  Report report(Fmt<T>::name);
  for (std::int64_t n : kSizes) {
    if (n < 2) continue;  // one term: nothing to cancel (the random test has n = 1)
    for (int c : ill_c<T>(n)) {
      std::vector<T> x;
      ill_conditioned<T>(n, c, 2000 + static_cast<std::uint64_t>(n) * 64 + c, x, nullptr);
      check_sum_asum_mean(x, "ill 2^" + std::to_string(c), report);
    }
  }
}

// dot: terms x_i y_i (each exact inside the fma).
template <class T>
void check_dot(const std::vector<T>& x, const std::vector<T>& y, const std::string& family, Report& report) {
  const std::int64_t n = std::ssize(x);
  const ExactSum e = exact_dot(x, y);
  const std::string tag = std::string(Fmt<T>::name) + " n=" + std::to_string(n) + " " + family + " dot";
  report.note("dot " + family, check_bound(tag, ref::dot(x.data(), y.data(), n), e.sum(), e.abs(), 71 * levels(n), Fmt<T>::u_exp), n,
              cond_of(e));
}

TYPED_TEST(ReduceAccuracy, DotRandom) {
  using T = TypeParam;
  Report report(Fmt<T>::name);
  // fp16: 2^-12 .. 2^8 each, so that products stay well inside float and above its subnormals
  // (an fma whose result is subnormal has an absolute error the relative bound does not cover).
  const int lo = std::is_same_v<T, fp16> ? -12 : rand_lo<T>(), hi = std::is_same_v<T, fp16> ? 8 : rand_hi<T>();
  for (std::int64_t n : kSizes) {
    const auto x = random_data<T>(n, 3000 + static_cast<std::uint64_t>(n), lo, hi);
    const auto y = random_data<T>(n, 4000 + static_cast<std::uint64_t>(n), lo, hi);
    check_dot(x, y, "random", report);
  }
}

TYPED_TEST(ReduceAccuracy, DotIllConditioned) {
  using T = TypeParam;
  Report report(Fmt<T>::name);
  for (std::int64_t n : kSizes) {
    if (n < 2) continue;
    for (int c : ill_c<T>(n)) {
      std::vector<T> x, y;
      ill_conditioned<T>(n, c, 5000 + static_cast<std::uint64_t>(n) * 64 + c, x, &y);
      check_dot(x, y, "ill 2^" + std::to_string(c), report);
    }
  }
}

// nrm2 against N = sqrt(exact sum of squares) (the squares are exact products).
//
// float, bf16, fp16: ss is R(fma(t, t, a)) in double over exact squares (all positive), so
// ss = S (1 + theta), |theta| <= gamma_k(double); sqrt(ss) = N sqrt(1 + theta) and the double
// sqrt rounds once more: r = N (1 + eta), |eta| <= gamma_k / 2 (1 + gamma_k) + 2^-53 (1 + ...)
// <= (k/2 + 1.01) 2^-53 for our k. The float result RN(r) equals the correctly rounded float
// RN(N) unless a float midpoint lies between N and r; so: result == RN(N), or they are one ulp
// apart and N is within (k/2 + 1.01) 2^-53 N of their midpoint.
//
// double: t_i = x_i 2^-k exact (no t_i falls below 2^-1074 with this data), the same theta and
// eta with u = 2^-53, then an exact scaling: |nrm2 - N| <= (gamma_k/2 (1 + gamma_k) + u)(1 + u) N,
// which is <= (k/2 + 1) u (1 + 8 k u) N.
//
// Three families: the random data, and (except fp16, whose squares always fit a float) values
// whose squares overflow the accumulator's own type (2^80 .. 2^115 for float and bf16, so that
// the norm itself stays below FLT_MAX;
// 2^900 .. 2^1000 for double) or underflow it (2^-140 .. 2^-100, float subnormals included;
// 2^-1060 .. 2^-1000 for double, its subnormals included).
template <class T> std::vector<std::pair<std::string, std::pair<int, int>>> nrm2_families() {
  if constexpr (std::is_same_v<T, fp16>) return {{"random", {rand_lo<T>(), rand_hi<T>()}}};
  else if constexpr (std::is_same_v<T, double>) return {{"random", {rand_lo<T>(), rand_hi<T>()}}, {"huge", {900, 1000}}, {"tiny", {-1060, -1000}}};
  else return {{"random", {rand_lo<T>(), rand_hi<T>()}}, {"huge", {80, 115}}, {"tiny", {-140, -100}}};
}

// One data set; returns whether the float result was one ulp from the correctly rounded one.
template <class T>
bool check_nrm2(const std::vector<T>& x, const std::string& family, Report& report) {
  using A = accum_t<T>;
  const std::int64_t n = std::ssize(x);
  const ExactSum e = exact_dot(x, x);
  const int k = 71 * levels(n);
  const A got = ref::nrm2(x.data(), n);
  const std::string tag = std::string(Fmt<T>::name) + " n=" + std::to_string(n) + " nrm2 " + family;
  if (mpfr_zero_p(e.sum())) {
    EXPECT_EQ(got, A(0)) << tag;
    return false;
  }
  Mp N(kWide);
  mpfr_sqrt(N, e.sum(), MPFR_RNDN);  // 8800 bits: its own error is far below anything checked
  Mp err(kWide), rel(64);
  mpfr_set_d(err, static_cast<double>(got), MPFR_RNDN);
  mpfr_sub(err, err, N, MPFR_RNDN);
  mpfr_abs(err, err, MPFR_RNDN);
  mpfr_div(rel, err, N, MPFR_RNDN);
  if constexpr (std::is_same_v<A, float>) {
    Mp r24(24);
    mpfr_set(r24, N, MPFR_RNDN);  // N is a normal float's magnitude in every family here
    const float cr = mpfr_get_flt(r24, MPFR_RNDN);
    const double allowance = (k / 2.0 + 1.01) * 0x1p-53;
    // For the report: the relative error over half an ulp of float plus the allowance.
    report.note("nrm2 " + family, rel.d() / (0x1p-24 + allowance), n);
    if (got == cr) return false;
    EXPECT_EQ(std::nextafter(cr, got), got) << tag << ": more than one ulp from the correctly rounded " << cr;
    Mp mid(kWide), dist(kWide);
    mpfr_set_flt(mid, cr, MPFR_RNDN);
    mpfr_add_d(mid, mid, static_cast<double>(got), MPFR_RNDN);
    mpfr_div_2ui(mid, mid, 1, MPFR_RNDN);
    mpfr_sub(dist, N, mid, MPFR_RNDN);
    mpfr_abs(dist, dist, MPFR_RNDN);
    mpfr_div(dist, dist, N, MPFR_RNDN);
    EXPECT_LE(dist.d(), allowance) << tag << ": " << got << " is not the correctly rounded " << cr
                                   << ", and N is not near their midpoint";
    return true;
  } else {
    const double u = 0x1p-53, bound = (k / 2.0 + 1) * u * (1 + 8 * k * u);
    EXPECT_LE(rel.d(), bound) << tag;
    report.note("nrm2 " + family, rel.d() / bound, n);
    return false;
  }
}

TYPED_TEST(ReduceAccuracy, Nrm2) {
  using T = TypeParam;
  Report report(Fmt<T>::name);
  int off_by_one = 0, cases = 0;
  std::uint64_t seed = 6000;
  for (const auto& [family, range] : nrm2_families<T>()) {
    seed += 1000;
    for (std::int64_t n : kSizes) {
      const auto x = random_data<T>(n, seed + static_cast<std::uint64_t>(n), range.first, range.second);
      off_by_one += check_nrm2(x, family, report) ? 1 : 0;
      ++cases;
    }
  }
  if constexpr (std::is_same_v<accum_t<T>, float>) {
    std::printf("  nrm2: %d of %d results one ulp from the correctly rounded float, the others equal to it;\n"
                "  the ratio printed is the relative error over 2^-24 + (k/2 + 1.01) 2^-53\n", off_by_one, cases);
  }
}

// variance, two passes (ORDER.md): m = ref::mean, d_i = RN(x_i - m), ss = R(fma(d_i, d_i, a)),
// var = RN(ss / (n - ddof)). With mu the exact mean, Q = sum (x_i - mu)^2, V = Q / (n - ddof):
//   sum (x_i - m)^2 = Q + n (m - mu)^2                          (as sum (x_i - mu) = 0)
//   D = sum d_i^2 in [(1 - u)^2, (1 + u)^2] * (Q + n e_m^2),    e_m = m - mu
//   |ss - D| <= gamma_k D                                       (ORDER.md's bound, positive terms)
//   var = ss / (n - ddof) (1 + delta), |delta| <= u             (n - ddof exact in A)
// so |var - V| <= ((1 + u)^3 (1 + gamma_k) (1 + n e_m^2 / Q) - 1) V (the lower side,
// 1 - (1 - u)^3 (1 - gamma_k), is smaller). e_m is taken exactly from the computed mean; the
// n e_m^2 / Q term is what makes data with a large mean and a small spread lose accuracy.
template <class T>
void check_variance(const std::vector<T>& x, const std::string& family, Report& report) {
  using A = accum_t<T>;
  const std::int64_t n = std::ssize(x);
  const int k = 71 * levels(n);
  const ExactSum s1 = exact_sum(x), s2 = exact_dot(x, x);
  const mpfr_prec_t P = 2 * std::max(s1.prec(), s2.prec()) + 128;
  Mp nQ(P), t(P), ne(P);
  bool bad = false;
  bad |= mpfr_mul_si(nQ, s2.sum(), static_cast<long>(n), MPFR_RNDN) != 0;  // n sum x^2 - (sum x)^2 = n Q
  bad |= mpfr_sqr(t, s1.sum(), MPFR_RNDN) != 0;
  bad |= mpfr_sub(nQ, nQ, t, MPFR_RNDN) != 0;
  const A m = ref::mean(x.data(), n);
  bad |= mpfr_set_d(ne, static_cast<double>(m), MPFR_RNDN) != 0;  // n e_m = n m - sum x
  bad |= mpfr_mul_si(ne, ne, static_cast<long>(n), MPFR_RNDN) != 0;
  bad |= mpfr_sub(ne, ne, s1.sum(), MPFR_RNDN) != 0;
  EXPECT_FALSE(bad) << "variance: MPFR not exact";
  for (std::int64_t ddof : {0, 1}) {
    const std::string tag = std::string(Fmt<T>::name) + " n=" + std::to_string(n) + " " + family + " variance ddof " + std::to_string(ddof);
    const A var = ref::variance(x.data(), n, Ddof{ddof});
    if (n - ddof <= 0) {
      EXPECT_TRUE(std::isnan(var)) << tag;
      continue;
    }
    if (mpfr_zero_p(nQ)) {  // n = 1: m = x, d = 0, var = +0 exactly
      EXPECT_EQ(var, A(0)) << tag;
      continue;
    }
    // b = (1 + u)^3 (1 + gamma_k) (1 + ne^2 / nQ) - 1, every step rounded up.
    Mp b(256), f(256), u(64), ku(64);
    mpfr_set_si_2exp(u, 1, Fmt<T>::u_exp, MPFR_RNDN);
    mpfr_set_si_2exp(ku, k, Fmt<T>::u_exp, MPFR_RNDN);
    mpfr_ui_sub(f, 1, ku, MPFR_RNDD);
    mpfr_div(f, ku, f, MPFR_RNDU);            // gamma_k
    mpfr_add_ui(b, f, 1, MPFR_RNDU);          // 1 + gamma_k
    mpfr_add_ui(f, u, 1, MPFR_RNDU);
    mpfr_pow_ui(f, f, 3, MPFR_RNDU);          // (1 + u)^3
    mpfr_mul(b, b, f, MPFR_RNDU);
    mpfr_sqr(f, ne, MPFR_RNDU);
    mpfr_div(f, f, nQ, MPFR_RNDU);            // n e_m^2 / Q = (n e_m)^2 / (n Q)
    mpfr_add_ui(f, f, 1, MPFR_RNDU);
    mpfr_mul(b, b, f, MPFR_RNDU);
    mpfr_sub_ui(b, b, 1, MPFR_RNDU);
    // |var n (n - ddof) - n Q| <= b n Q
    Mp lhs(P + 128), rhs(P + 256);
    bad |= mpfr_set_d(lhs, static_cast<double>(var), MPFR_RNDN) != 0;
    bad |= mpfr_mul_si(lhs, lhs, static_cast<long>(n * (n - ddof)), MPFR_RNDN) != 0;
    bad |= mpfr_sub(lhs, lhs, nQ, MPFR_RNDN) != 0;
    mpfr_abs(lhs, lhs, MPFR_RNDN);
    bad |= mpfr_mul(rhs, nQ, b, MPFR_RNDN) != 0;
    EXPECT_FALSE(bad) << tag << ": MPFR not exact";
    EXPECT_LE(mpfr_cmp(lhs, rhs), 0) << tag << ": relative error " << lhs.d() / nQ.d() << " > bound " << b.d();
    report.note("variance " + family, lhs.d() / rhs.d(), n);
  }
}

TYPED_TEST(ReduceAccuracy, VarianceRandom) {
  using T = TypeParam;
  Report report(Fmt<T>::name);
  for (std::int64_t n : kSizes) {
    check_variance(random_data<T>(n, 7000 + static_cast<std::uint64_t>(n), rand_lo<T>(), rand_hi<T>()), "random", report);
    // A large mean and a small spread: 1000 + [-8, 8], rounded to T (up to 100000 elements, to
    // keep the run short).
    if (n > 100000) continue;
    std::mt19937_64 g(8000 + static_cast<std::uint64_t>(n));
    std::vector<T> x(static_cast<std::size_t>(n));
    for (T& v : x) v = Fmt<T>::from(1000.0 + 8.0 * (static_cast<double>(g() >> 11) * 0x1p-52 - 1.0));
    check_variance(x, "1000+-8", report);
  }
}

}  // namespace
}  // namespace detnum
