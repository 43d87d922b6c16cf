// detnum's own float32 math: the same bits on every CPU and GPU, because each function is built
// from IEEE basic operations (add, multiply, conversions) in a fixed order, with no libm call and
// no contraction (the build forbids it on both sides). Neither libm can serve here: CUDA's expf
// is up to 2 ulp off, glibc's is not correctly rounded and may branch per CPU.
//
// exp(x): evaluated in double, then rounded once to float.
//   k = round(x * log2(e)) (round to nearest through 1.5 * 2^52), r = (x - k ln2_hi) - k ln2_lo
//   with ln2_hi of 41 significant bits (k ln2_hi is exact for |k| < 2^12), |r| <= 0.35;
//   exp(r) = Taylor polynomial of degree 14 in Horner form (truncation below 2^-57 relative);
//   the result is exp(r) * 2^k (exact: a double power of two, normal for every k used), rounded to
//   float (subnormal results included). The double result is within about 2^-51 of exp(x), so
//   the float is the correctly rounded one except where exp(x) lies that close to a rounding
//   boundary, and within 1 ulp always: math_exhaustive_test checks all 2^32 inputs
//   (docs/PERFORMANCE.md records the result).
//
// log(x): evaluated in double, then rounded once to float.
//   x = 2^k m with m in [sqrt(1/2), sqrt(2)) (subnormal x first scaled by 2^24, exactly);
//   s = (m - 1) / (m + 1) (m - 1 is exact; |s| <= 0.1716); log(m) = 2 atanh(s) = 2 s (1 + s^2/3 +
//   s^4/5 + ... + s^24/25) (truncation below 2^-60 relative); the result is
//   k ln2_hi + (k ln2_lo + log(m)), rounded to float. log(1) = +0, log(+-0) = -Inf,
//   log(x < 0) = NaN (canonical), log(+Inf) = +Inf. On five inputs, where log(x) lies closer to
//   a rounding boundary than the double evaluation's error, that rounds the wrong way; they are
//   answered from a table of their correctly rounded results (from GNU MPFR). The exhaustive test
//   then finds log identical to logl rounded to float on all 2^32 inputs.
//
// tanh(x): tanh(a) = E / (E + 2) with a = |x| and E = e^(2a) - 1 = 2^k expm1(r) + (2^k - 1)
//   (exp's reduction of 2a, exact; expm1(r) = the same Taylor polynomial without its 1, so there
//   is no cancellation for small a), rounded to float, sign put back: odd exactly, +-0 kept,
//   tanh(x) = x for tiny x by the arithmetic itself. a > 9.5 gives +-1 (1 - tanh(9.5) < 2^-26).
//
// erf(x): a = |x|; a < 1/2: 2/sqrt(pi) (a - a^3/3 + a^5/10 - ...), the Taylor series to a^25
//   (truncation below 2^-57 relative); 1/2 <= a < 4: the Taylor polynomial of degree 18 at the
//   centre c of a's interval [c - 1/4, c + 1/4), c = 3/4, 5/4, ..., 15/4 (truncation below
//   2^-57), in h = a - c (exact); a >= 4 gives +-1 (1 - erf(4) < 2^-25). Rounded to float, sign
//   put back.
//
// sinpi(x) = sin(pi x), cospi(x) = cos(pi x): a = |x| = n/2 + r with n = round(2a), |r| <= 1/4,
//   exactly (a >= 2^24 is an even integer); then sin(pi r) or cos(pi r), by n mod 4, from their
//   Taylor polynomials in r (pi^k folded into the coefficients; degree 19 and 18, truncation
//   below 2^-58), rounded to float.
//
// tanh, erf, sinpi and cospi need no table of hard cases: math_exhaustive_test finds each equal
// to the correctly rounded result on all 2^32 inputs (docs/PERFORMANCE.md records the run).
#pragma once

#include <cmath>
#include <cstdint>

#include "detnum/hd.hpp"

namespace detnum::math {
namespace detail {

// c[0] x^(N-1) + ... + c[N-1] by Horner's rule: one multiply and one add a step, in this order.
template <int N>
DETNUM_HD double horner(const double (&c)[N], double x) {
  double p = c[0];
  for (int i = 1; i < N; ++i) p = p * x + c[i];
  return p;
}

// y = k ln2 + r for y a float or twice one with |y| < 2^11: returns r (|r| <= 0.35), and 2^k in
// two_k. ln2_hi has 41 significant bits, so k ln2_hi and y - k ln2_hi are exact.
DETNUM_HD double exp_reduce(double y, double& two_k) {
  constexpr double kLog2e = 0x1.71547652b82fep+0;
  constexpr double kLn2Hi = 0x1.62e42fefa3800p-1, kLn2Lo = 0x1.ef35793c76730p-45;
  constexpr double kRound = 0x1.8p52;
  const double kd = (y * kLog2e + kRound) - kRound;
  two_k = double_from_bits(static_cast<std::uint64_t>(static_cast<std::int64_t>(kd) + 1023) << 52);
  return (y - kd * kLn2Hi) - kd * kLn2Lo;
}

// e^r - 1 for |r| <= 0.35: r (1 + r/2! + ... + r^13/14!), truncation below 2^-57 relative.
DETNUM_HD double expm1_taylor(double r) {
  // 1/n! for n = 14 down to 1, each the double nearest.
  constexpr double kC[] = {0x1.93974a8c07c9dp-37, 0x1.6124613a86d09p-33, 0x1.1eed8eff8d898p-29,
                           0x1.ae64567f544e4p-26, 0x1.27e4fb7789f5cp-22, 0x1.71de3a556c734p-19,
                           0x1.a01a01a01a01ap-16, 0x1.a01a01a01a01ap-13, 0x1.6c16c16c16c17p-10,
                           0x1.1111111111111p-7,  0x1.5555555555555p-5,  0x1.5555555555555p-3,
                           0x1.0000000000000p-1,  0x1.0000000000000p+0};
  return horner(kC, r) * r;
}

// sin(pi r) and cos(pi r) for |r| <= 1/4: Taylor polynomials of degree 19 and 18 (truncation
// below 2^-58 relative).
DETNUM_HD double sinpi_taylor(double r) {
  // (-1)^j pi^(2j+1) / (2j+1)! for j = 9 down to 0, each the double nearest.
  constexpr double kS[] = {-0x1.8a404211f9547p-26, 0x1.aaec32af93359p-21, -0x1.6fadb9f155744p-16,
                           0x1.e8f434d018d63p-12,  -0x1.e3074fde8871fp-8, 0x1.50783487ee782p-4,
                           -0x1.32d2cce62bd86p-1,  0x1.466bc6775aae2p+1,  -0x1.4abbce625be53p+2,
                           0x1.921fb54442d18p+1};
  return horner(kS, r * r) * r;
}
DETNUM_HD double cospi_taylor(double r) {
  // (-1)^j pi^(2j) / (2j)! for j = 9 down to 0, each the double nearest.
  constexpr double kC[] = {-0x1.2a0c591af8314p-23, 0x1.20c62c2f2d7f5p-18, -0x1.b6e24f44b128fp-14,
                           0x1.f9d38a3763cc3p-10,  -0x1.a6d1f2a204a8cp-6, 0x1.e1f506891babbp-3,
                           -0x1.55d3c7e3cbffap+0,  0x1.03c1f081b5ac4p+2,  -0x1.3bd3cc9be45dep+2,
                           0x1.0000000000000p+0};
  return horner(kC, r * r);
}

// a = n/2 + r exactly, for 0 <= a < 2^24: returns r (|r| <= 1/4) and n mod 4 in quadrant.
DETNUM_HD double halves_reduce(float a, int& quadrant) {
  constexpr double kRound = 0x1.8p52;
  const double nd = (2.0 * a + kRound) - kRound;  // 2a rounded to an integer (2a < 2^25)
  quadrant = static_cast<int>(static_cast<std::int64_t>(nd) & 3);
  return static_cast<double>(a) - 0.5 * nd;
}

}  // namespace detail

DETNUM_HD float exp(float x) {
  if (x != x) return canonical_nan_f32();
  if (x > 89.0f) return float_from_bits(0x7F800000u);  // exp(89) > FLT_MAX: +Inf (also x = +Inf)
  if (x < -104.0f) return 0.0f;                        // exp(-104) < 2^-150: rounds to +0 (also -Inf)
  double two_k;  // k in [-151, 129]: 2^k a normal double
  const double r = detail::exp_reduce(x, two_k);
  return static_cast<float>((detail::expm1_taylor(r) + 1.0) * two_k);
}

DETNUM_HD float log(float x) {
  const std::uint32_t u = bits_of(x);
  if (x != x || ((u >> 31) != 0 && (u & 0x7FFFFFFFu) != 0)) return canonical_nan_f32();  // NaN, x < 0
  if ((u & 0x7FFFFFFFu) == 0) return float_from_bits(0xFF800000u);                    // +-0: -Inf
  if (u == 0x7F800000u) return x;                                                      // +Inf
  // (input, correctly rounded log) where the double evaluation below is 1 ulp off.
  constexpr std::uint32_t kHard[5][2] = {{0x3C413D3Au, 0xC08E158Fu}, {0x41178FEBu, 0x400FE5E7u},
                                         {0x4C5D65A5u, 0x418F034Bu}, {0x65D890D3u, 0x4254D1F9u},
                                         {0x6F31A8ECu, 0x42845A89u}};
  for (const auto& h : kHard)
    if (u == h[0]) return float_from_bits(h[1]);
  // x = 2^k m, m in [1, 2) from the bits (subnormals scaled by 2^24 first), then into
  // [sqrt(1/2), sqrt(2)).
  int k = 0;
  std::uint32_t b = u;
  if ((b >> 23) == 0) {
    b = bits_of(x * 0x1p24f);
    k = -24;
  }
  k += static_cast<int>(b >> 23) - 127;
  std::uint32_t mbits = (b & 0x7FFFFFu) | 0x3F800000u;
  if (mbits > 0x3FB504F3u) {  // m > sqrt(2) rounded to float
    mbits -= 0x00800000u;     // m / 2
    ++k;
  }
  constexpr double kLn2Hi = 0x1.62e42fefa3800p-1, kLn2Lo = 0x1.ef35793c76730p-45;
  // 1/(2j + 1) for j = 12 down to 0, each the double nearest.
  constexpr double kC[] = {0x1.47ae147ae147bp-5, 0x1.642c8590b2164p-5, 0x1.8618618618618p-5, 0x1.af286bca1af28p-5,
                           0x1.e1e1e1e1e1e1ep-5, 0x1.1111111111111p-4, 0x1.3b13b13b13b14p-4, 0x1.745d1745d1746p-4,
                           0x1.c71c71c71c71cp-4, 0x1.2492492492492p-3, 0x1.999999999999ap-3, 0x1.5555555555555p-2,
                           0x1.0000000000000p+0};
  const double m = float_from_bits(mbits);
  const double s = (m - 1.0) / (m + 1.0);
  const double z = s * s;
  const double p = detail::horner(kC, z);
  const double kd = k;
  return static_cast<float>(kd * kLn2Hi + (kd * kLn2Lo + 2.0 * s * p));
}

// The IEEE square root, correctly rounded on both sides (on the device whatever -prec-sqrt says).
DETNUM_HD float sqrt(float x) {
#if defined(__CUDA_ARCH__)
  return canonicalize(__fsqrt_rn(x));
#else
  return canonicalize(std::sqrt(x));
#endif
}

DETNUM_HD float tanh(float x) {
  if (x != x) return canonical_nan_f32();
  const std::uint32_t sign = bits_of(x) & 0x80000000u;
  const float a = float_from_bits(bits_of(x) ^ sign);
  if (a > 9.5f) return float_from_bits(sign | 0x3F800000u);  // 1 - tanh(9.5) < 2^-26: rounds to 1 (also Inf)
  double two_k;
  const double r = detail::exp_reduce(2.0 * static_cast<double>(a), two_k);
  const double e = two_k * detail::expm1_taylor(r) + (two_k - 1.0);  // e^(2a) - 1
  return float_from_bits(sign | bits_of(static_cast<float>(e / (e + 2.0))));
}

DETNUM_HD float erf(float x) {
  if (x != x) return canonical_nan_f32();
  const std::uint32_t sign = bits_of(x) & 0x80000000u;
  const float a = float_from_bits(bits_of(x) ^ sign);
  if (a >= 4.0f) return float_from_bits(sign | 0x3F800000u);  // 1 - erf(4) < 2^-25: rounds to 1 (also Inf)
  double e;
  if (a < 0.5f) {
    // 2/sqrt(pi) (-1)^n / (n! (2n + 1)) for n = 12 down to 0, each the double nearest.
    constexpr double kC[] = {0x1.9e6ad5e55a730p-34,  -0x1.51d7181c5d36dp-30, 0x1.fcc5720624c1cp-27,
                             -0x1.5f742ec43e71ap-23, 0x1.b9e6c9dc651a3p-20,  -0x1.f4d25c3e0c2ebp-17,
                             0x1.f9a326f9b89b7p-14,  -0x1.c02db40040b86p-11, 0x1.565bcd0e6a53fp-8,
                             -0x1.b82ce31288b51p-6,  0x1.ce2f21a042be2p-4,   -0x1.812746b0379e7p-2,
                             0x1.20dd750429b6dp+0};
    const double ad = a;
    e = detail::horner(kC, ad * ad) * ad;
  } else {
    // The Taylor coefficients erf^(n)(c) / n! for n = 18 down to 0 at c = 3/4 + j/2, each the
    // double nearest (from 300-bit arithmetic): row j serves a in [c - 1/4, c + 1/4).
    static constexpr double kT[7][19] = {
        {0x1.9a3b710b18fc9p-22, -0x1.0e46b593eb57fp-21, -0x1.b482f6f2cbfb6p-19, 0x1.e0eaec4d06fb6p-18,
         0x1.7313fb66f36f6p-16, -0x1.3db33dbe2237ep-14, -0x1.bd5eea735c608p-14, 0x1.4725abcb993b6p-11,
         0x1.86234ec3372d9p-13, -0x1.04105cd6d527ep-8, 0x1.2db332f9e64d4p-9, 0x1.2e0afb0bb961ep-6,
         -0x1.b8477966b3381p-6, -0x1.b42a1890ce411p-5, 0x1.349b5eaa14598p-3, 0x1.b6e8591f66e5bp-6,
         -0x1.edc5644353c27p-2, 0x1.492e42d78d2c5p-1, 0x1.6c1c9759d0e5fp-1},
        {-0x1.c7658e8701944p-23, 0x1.10b20781c7674p-21, 0x1.6b412b613178bp-20, -0x1.ae23c1a269f29p-18,
         -0x1.94a53c645ccdbp-19, 0x1.d4520093cdd9ep-15, -0x1.ba66102895704p-15, -0x1.53b177f074426p-12,
         0x1.a0074f860d925p-11, 0x1.cc22555d6cd4ep-11, -0x1.75672cebadac5p-8, 0x1.db43c97264485p-9,
         0x1.5d0003af70568p-6, -0x1.8281ce0b34fa4p-5, -0x1.93a9a7bb7ed94p-8, 0x1.571d01c5c56bep-3,
         -0x1.2ebf3dcc9f22fp-2, 0x1.e4652fadcb6b2p-3, 0x1.d8865d98abe01p-1},
        {0x1.5e653add60eb8p-24, -0x1.5ca65a3135758p-22, -0x1.7ac9620b78991p-23, 0x1.b75406fd5ffd6p-19,
         -0x1.3668d56f09b00p-18, -0x1.294d49e1a631dp-16, 0x1.2007a6d7935c6p-14, -0x1.6d70cffe71229p-18,
         -0x1.d041eea2258aep-12, 0x1.d4cf0ad2e6ca3p-11, 0x1.7ec1d1d8d3387p-11, -0x1.8d10fb6b8006fp-8,
         0x1.25b378c92a6c0p-7, 0x1.b22257dd01249p-8, -0x1.8a0da54306154p-5, 0x1.7148c3d57c312p-4,
         -0x1.7a4a8a2bdce13p-4, 0x1.b055303221015p-5, 0x1.f92d077f8d56dp-1},
        {-0x1.3073257725eebp-26, 0x1.251917755b0cfp-23, -0x1.50c6594c2253ap-23, -0x1.ce4a65fe7584cp-21,
         0x1.cb0718bc6dc96p-19, -0x1.65937983af9a4p-20, -0x1.7ca5429a38511p-16, 0x1.11321ce0dc8f3p-14,
         -0x1.80c1330a27b22p-17, -0x1.8352cd05696b8p-12, 0x1.0602e33b9ef4ap-10, -0x1.5f8313b6fdd59p-11,
         -0x1.7cae0d45b1a6ap-9, 0x1.5d3b17bbe0f22p-7, -0x1.38a98327890e6p-6, 0x1.63ef61e824425p-6,
         -0x1.074b60f8df349p-6, 0x1.d4143a9dfe965p-8, 0x1.ff404760319b4p-1},
        {-0x1.1c7d9c488cbe6p-31, -0x1.2882c1472066ep-25, 0x1.c66fe8aad4da0p-24, 0x1.6553f2333fb0bp-29,
         -0x1.eb027532f1e9dp-21, 0x1.68b7ad440ba03p-19, -0x1.1f87c15445595p-20, -0x1.09d09f8254931p-16,
         0x1.cd592454e7d28p-15, -0x1.2abb3cb37d67fp-14, -0x1.7557726380065p-14, 0x1.52b6263f0c0e7p-11,
         -0x1.b2755bfd73556p-10, 0x1.6935960664d74p-9, -0x1.ab0c273ac263ep-9, 0x1.69cf466ccdf62p-9,
         -0x1.a6a519a114d70p-10, 0x1.3360ccd23db3ap-11, 0x1.fff2cfb0453d9p-1},
        {0x1.dae1d5486d301p-30, 0x1.afec4ca81925ep-29, -0x1.d640778ed81c9p-26, 0x1.1d2c62f6d64e1p-24,
         0x1.d56060892daf5p-29, -0x1.26552b63b3912p-21, 0x1.ff3236f426a50p-20, -0x1.8070948011d1bp-19,
         -0x1.38933c0f0c9fap-19, 0x1.b2c3201a66dd9p-16, -0x1.567479c97cce7p-14, 0x1.647f721c135ebp-13,
         -0x1.145464ea2872bp-12, 0x1.490a4d230eab9p-12, -0x1.2c7d5ef053eb0p-12, 0x1.9aa489e3cad21p-13,
         -0x1.8de3cd290a7c0p-14, 0x1.e9b5e8d00ce77p-16, 0x1.ffff6f9f67e55p-1},
        {-0x1.1d510fc6e20b0p-31, 0x1.c3f3bfbbb49c7p-31, 0x1.cfcbfb76f6f4dp-30, -0x1.e8012ea5d94a8p-27,
         0x1.6df3b136b9415p-25, -0x1.ec7d23a1cdfffp-25, -0x1.833324e429526p-24, 0x1.a0431133a7b2dp-21,
         -0x1.5d6903bb02d10p-19, 0x1.99f5c54c5ea75p-18, -0x1.7566beee1bb2fp-17, 0x1.110de49c0acd0p-16,
         -0x1.4357b5546e9f3p-16, 0x1.3436bc9fc46f6p-16, -0x1.d06f586093ea7p-17, 0x1.0b6a7b0f1b586p-17,
         -0x1.bba3ac4cf8472p-19, 0x1.d9371e2ff7c35p-21, 0x1.fffffc2f171e3p-1},
    };
    const int j = static_cast<int>(2.0f * a) - 1;  // exact: a < 4
    e = detail::horner(kT[j], static_cast<double>(a) - (0.75 + 0.5 * j));
  }
  return float_from_bits(sign | bits_of(static_cast<float>(e)));
}

// sin(pi x) and cos(pi x): the reduction a = |x| = n/2 + r is exact, so there is no error from pi
// (x = 1e6 gives sin(pi 1e6) = 0, not sin of a rounded pi times 1e6). As in IEEE 754:
// sinpi(+-n) = +-0 for integer n, cospi(n + 1/2) = +0, NaN for +-Inf.
DETNUM_HD float sinpi(float x) {
  const std::uint32_t sign = bits_of(x) & 0x80000000u;
  const float a = float_from_bits(bits_of(x) ^ sign);
  if (x != x || a == float_from_bits(0x7F800000u)) return canonical_nan_f32();
  if (a >= 0x1p24f) return float_from_bits(sign);  // an even integer
  int q;
  const double r = detail::halves_reduce(a, q);
  const double v = (q & 1) ? detail::cospi_taylor(r) : detail::sinpi_taylor(r);
  const float f = static_cast<float>(q & 2 ? -v : v);
  return float_from_bits(bits_of(f == 0.0f ? 0.0f : f) ^ sign);  // a zero is exact (r = 0): +0, then x's sign
}

DETNUM_HD float cospi(float x) {
  const float a = float_from_bits(bits_of(x) & 0x7FFFFFFFu);
  if (x != x || a == float_from_bits(0x7F800000u)) return canonical_nan_f32();
  if (a >= 0x1p24f) return 1.0f;  // an even integer
  int q;
  const double r = detail::halves_reduce(a, q);
  const double v = (q & 1) ? detail::sinpi_taylor(r) : detail::cospi_taylor(r);
  const float f = static_cast<float>(q == 1 || q == 2 ? -v : v);
  return f == 0.0f ? 0.0f : f;  // a zero is exact (r = 0): +0
}

}  // namespace detnum::math
