// detnum's own float32 math: the same bits on every CPU and GPU, because each function is built
// from IEEE basic operations (add, multiply, conversions) in a fixed order, with no libm call and
// no contraction (the build forbids it on both sides). Neither libm can serve here: CUDA's expf
// is up to 2 ulp off, glibc's is not correctly rounded and may branch per CPU.
//
// exp(x): evaluated in double, then rounded once to float.
//   k = round(64 x / ln2) (round to nearest through 1.5 * 2^52), r = (x - k c_hi) - k c_lo with
//   c_hi + c_lo = ln2 / 64 and c_hi of 39 significant bits (k c_hi and x - k c_hi are exact for
//   |k| < 2^14), |r| <= ln2 / 128; with k = 64 e + j (0 <= j < 64),
//   exp(x) = 2^e T[j] e^r, T[j] = 2^(j/64) rounded to double, e^r - 1 = q = r (1 + r/2! + ...
//   + r^4/5!) (truncation below 2^-54 relative); the result is (T[j] + T[j] q) 2^e (the scaling
//   is exact: 2^e is a normal double for every e used), rounded to float (subnormal results
//   included). The double result is within about 2^-51 of exp(x), so the float is the correctly
//   rounded one except where exp(x) lies that close to a rounding boundary, and within 1 ulp
//   always: math_exhaustive_test checks all 2^32 inputs (docs/PERFORMANCE.md records the result).
//
// log(x): evaluated in double, then rounded once to float.
//   x = 2^k z with z's float bits in [0x3f330000, 0x3f330000 + 2^23), i.e. z in [0.699, 1.399)
//   (subnormal x first scaled by 2^24, exactly); z's interval i of 128 gives invc_i (1/c_i as a
//   float, or 1 for the two intervals beside 1) and logc_i = -log(invc_i) from a table;
//   r = z invc_i - 1 is exact (|r| <= 2^-7); log(1 + r) = r (1 - r/2 + r^2/3 - ... - r^7/8)
//   (truncation below 2^-59 relative); the result is k ln2_hi + (k ln2_lo + (logc_i + log(1 + r))),
//   rounded to float. log(1) = +0, log(+-0) = -Inf, log(x < 0) = NaN (canonical), log(+Inf) =
//   +Inf. On five inputs, where log(x) lies closer to a rounding boundary than the double
//   evaluation's error, that rounds the wrong way; they are answered from a table of their
//   correctly rounded results (from GNU MPFR). The exhaustive test then finds log identical to
//   logl rounded to float on all 2^32 inputs.
//
// tanh(x): tanh(a) = E / (E + 2) with a = |x| and E = e^(2a) - 1 = 2^k expm1(r) + (2^k - 1),
//   where 2a = k ln2 + r exactly (|r| <= 0.35, ln2_hi of 41 significant bits) and expm1(r) is
//   its Taylor polynomial of degree 14 (truncation below 2^-57 relative; no cancellation for
//   small a), rounded to float, sign put back: odd exactly, +-0 kept, tanh(x) = x for tiny x by
//   the arithmetic itself. a > 9.5 gives +-1 (1 - tanh(9.5) < 2^-26).
//
// erf(x): a = |x|; a < 1/8: 2/sqrt(pi) (a - a^3/3 + a^5/10 - ...), the Taylor series to a^13
//   (truncation below 2^-58 relative); 1/8 <= a < 4: the Taylor polynomial of degree 9 at the
//   centre c = (i + 1/2)/16 of a's interval [i/16, (i + 1)/16) (truncation below 2^-56), in
//   h = a - c (exact); a >= 4 gives +-1 (1 - erf(4) < 2^-25). Rounded to float, sign put back.
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

#include "detnum/detail/ieee_only.hpp"
#include "detnum/hd.hpp"

namespace detnum::math {
namespace detail {

// c[0] x^(N-1) + ... + c[N-1] by Horner's rule, the coefficients `stride` doubles apart: one
// multiply and one add a step, in this order.
template <int N>
DETNUM_HD double horner_strided(const double* c, int stride, double x) {
  double p = c[0];
  for (int i = 1; i < N; ++i) p = p * x + c[i * stride];
  return p;
}
template <int N>
DETNUM_HD double horner(const double (&c)[N], double x) {
  return horner_strided<N>(c, 1, x);
}

// A polynomial's coefficients as a value, so that host, device and vector code share one
// definition (a constexpr function's result needs no device storage).
template <int N>
struct Poly {
  double c[N];
};
template <int N>
DETNUM_HD double horner(const Poly<N>& p, double x) {
  return horner(p.c, x);
}

// ln2 = kLn2Hi + kLn2Lo with kLn2Hi of 41 significant bits (k kLn2Hi exact for |k| < 2^12).
inline constexpr double kLn2Hi = 0x1.62e42fefa3800p-1, kLn2Lo = 0x1.ef35793c76730p-45;
// 1/ln2, exp_reduce's; exp's reduction constants: 64/ln2, and c_hi + c_lo = ln2/64 with c_hi of 39 significant bits.
inline constexpr double kLog2e = 0x1.71547652b82fep+0, kExp64Log2e = 0x1.71547652b82fep+6;
inline constexpr double kExpLn2Over64Hi = 0x1.62e42fefa4p-7, kExpLn2Over64Lo = -0x1.8432a1b0e2634p-49;
// Adding and subtracting 1.5 * 2^52 rounds a double below 2^51 in magnitude to an integer.
inline constexpr double kRoundToInteger = 0x1.8p52;
// e^r - 1 = q(r) r with q's coefficients 1/n! for n = 5 down to 1, each the double nearest.
DETNUM_HD constexpr Poly<5> expm1_poly5() {
  return {{0x1.1111111111111p-7, 0x1.5555555555555p-5, 0x1.5555555555555p-3, 0x1p-1, 0x1p+0}};
}
// erf(a) = p(a^2) a for small a: 2/sqrt(pi) (-1)^n / (n! (2n + 1)) for n = 6 down to 0, each the
// double nearest.
DETNUM_HD constexpr Poly<7> erf_series7() {
  return {{0x1.f9a326f9b89b7p-14, -0x1.c02db40040b86p-11, 0x1.565bcd0e6a53fp-8, -0x1.b82ce31288b51p-6,
           0x1.ce2f21a042be2p-4, -0x1.812746b0379e7p-2, 0x1.20dd750429b6dp+0}};
}

// y = k ln2 + r for y a float or twice one with |y| < 2^11: returns r (|r| <= 0.35), and 2^k in
// two_k. ln2_hi has 41 significant bits, so k ln2_hi and y - k ln2_hi are exact.
DETNUM_HD double exp_reduce(double y, double& two_k) {
  const double kd = (y * kLog2e + kRoundToInteger) - kRoundToInteger;
  two_k = double_from_bits(static_cast<std::uint64_t>(static_cast<std::int64_t>(kd) + 1023) << 52);
  return (y - kd * kLn2Hi) - kd * kLn2Lo;
}

// 2^(j/64) for j = 0 .. 63, each the double nearest (math_test checks each against GNU MPFR).
using Exp2Table = double[64];
DETNUM_HD const Exp2Table& exp2_64ths() {
  static constexpr double kT[64] = {
      0x1p+0, 0x1.02c9a3e778061p+0, 0x1.059b0d3158574p+0, 0x1.0874518759bc8p+0,
      0x1.0b5586cf9890fp+0, 0x1.0e3ec32d3d1a2p+0, 0x1.11301d0125b51p+0, 0x1.1429aaea92dep+0,
      0x1.172b83c7d517bp+0, 0x1.1a35beb6fcb75p+0, 0x1.1d4873168b9aap+0, 0x1.2063b88628cd6p+0,
      0x1.2387a6e756238p+0, 0x1.26b4565e27cddp+0, 0x1.29e9df51fdee1p+0, 0x1.2d285a6e4030bp+0,
      0x1.306fe0a31b715p+0, 0x1.33c08b26416ffp+0, 0x1.371a7373aa9cbp+0, 0x1.3a7db34e59ff7p+0,
      0x1.3dea64c123422p+0, 0x1.4160a21f72e2ap+0, 0x1.44e086061892dp+0, 0x1.486a2b5c13cdp+0,
      0x1.4bfdad5362a27p+0, 0x1.4f9b2769d2ca7p+0, 0x1.5342b569d4f82p+0, 0x1.56f4736b527dap+0,
      0x1.5ab07dd485429p+0, 0x1.5e76f15ad2148p+0, 0x1.6247eb03a5585p+0, 0x1.6623882552225p+0,
      0x1.6a09e667f3bcdp+0, 0x1.6dfb23c651a2fp+0, 0x1.71f75e8ec5f74p+0, 0x1.75feb564267c9p+0,
      0x1.7a11473eb0187p+0, 0x1.7e2f336cf4e62p+0, 0x1.82589994cce13p+0, 0x1.868d99b4492edp+0,
      0x1.8ace5422aa0dbp+0, 0x1.8f1ae99157736p+0, 0x1.93737b0cdc5e5p+0, 0x1.97d829fde4e5p+0,
      0x1.9c49182a3f09p+0, 0x1.a0c667b5de565p+0, 0x1.a5503b23e255dp+0, 0x1.a9e6b5579fdbfp+0,
      0x1.ae89f995ad3adp+0, 0x1.b33a2b84f15fbp+0, 0x1.b7f76f2fb5e47p+0, 0x1.bcc1e904bc1d2p+0,
      0x1.c199bdd85529cp+0, 0x1.c67f12e57d14bp+0, 0x1.cb720dcef9069p+0, 0x1.d072d4a07897cp+0,
      0x1.d5818dcfba487p+0, 0x1.da9e603db3285p+0, 0x1.dfc97337b9b5fp+0, 0x1.e502ee78b3ff6p+0,
      0x1.ea4afa2a490dap+0, 0x1.efa1bee615a27p+0, 0x1.f50765b6e454p+0, 0x1.fa7c1819e90d8p+0
  };
  return kT;
}

// The Taylor coefficients erf^(n)(c) / n! for n = 9 down to 0 at c = (i + 1/2) / 16, each the
// double nearest (math_test checks each against GNU MPFR): erf's polynomial for a in
// [i/16, (i + 1)/16) is row i - 2, i = 2 .. 63.
inline constexpr int kErfIntervals = 62, kErfTerms = 10;
struct ErfRows {
  double v[kErfIntervals][kErfTerms];
};
DETNUM_HD constexpr ErfRows erf_rows() {
  return {{
      {0x1.0e6e15a3efb7p-8, 0x1.bf1cdc320d9e4p-8, -0x1.6fa7f7f0703dcp-6, -0x1.c69c625d3b6d6p-6,
       0x1.97594c25a1706p-4, 0x1.5aa32b580e2eap-4, -0x1.6582e9b69c9acp-2,
       -0x1.605f63767bdd6p-3, 0x1.19e5e92b964abp+0, 0x1.662a0bdf7a89fp-3},
      {0x1.9ea861a5d5a1ap-9, 0x1.231a416f74e6p-7, -0x1.2ef4193d1c84ap-6, -0x1.2cf626743c137p-5,
       0x1.659a35f29f6ddp-4, 0x1.d2855d59990c6p-4, -0x1.4c04e66e0d59cp-2,
       -0x1.e1e4d4ce2ccfbp-3, 0x1.135e3075d076bp+0, 0x1.f190aa85540e2p-3},
      {0x1.074d3ea39f81ep-9, 0x1.52ff342577637p-7, -0x1.bf7e7cb9d806fp-7, -0x1.66c9b1f0773b7p-5,
       0x1.277ad7822588ep-4, 0x1.1c6c7eef8f2ebp-3, -0x1.2b900b640a202p-2,
       -0x1.2c41f99922807p-2, 0x1.0ae54fa490723p+0, 0x1.3c9aa8b84bedap-2},
      {0x1.8c6f86e3dd32fp-11, 0x1.6c8dad9dfc8d3p-7, -0x1.0ea4a66be12c7p-7, -0x1.8e2d73338066ap-5,
       0x1.c06c6e435165cp-5, 0x1.451ef6280d21cp-3, -0x1.05599bafe4ecdp-2,
       -0x1.60ec3cf561a89p-2, 0x1.00abcf3e187a9p+0, 0x1.7e15944d9d3e4p-2},
      {-0x1.03d1ee98bb736p-11, 0x1.6ee0d1c179205p-7, -0x1.5b4a7759cb5eap-9, -0x1.a1bcaaadf9b4dp-5,
       0x1.26cf85bc6251p-5, 0x1.62338788af9e4p-3, -0x1.b588d8dc5bb93p-3,
       -0x1.8dfd9939e37afp-2, 0x1.e9d5a8e4c934ep-1, 0x1.bccfec24855b8p-2},
      {-0x1.b0f56adafca62p-10, 0x1.5ae0108ee15dfp-7, 0x1.7204a625822b1p-9, -0x1.a155bbff2475ep-5,
       0x1.133e02ab57e13p-6, 0x1.7317958d257edp-3, -0x1.5a9de93f9c0d1p-3,
       -0x1.b2c7dc535b619p-2, 0x1.cfc41e36c7df9p-1, 0x1.f86faa9428f9dp-2},
      {-0x1.58b50ce93cab7p-9, 0x1.3316e4cbda1dp-7, 0x1.00bf7366f74adp-7, -0x1.8e0db524c81dcp-5,
       -0x1.fa6f82fbb5d9fp-10, 0x1.77cd75ec71e97p-3, -0x1.fa02983c853cbp-4,
       -0x1.cee5ac8e9c531p-2, 0x1.b3aafcc27502ep-1, 0x1.1855a5fd3dd5p-1},
      {-0x1.b96b2bac2cacap-9, 0x1.f6d13715c2f87p-8, 0x1.8cf08575fbdbfp-7, -0x1.6a0d073ecb04p-5,
       -0x1.3da6878b1601bp-6, 0x1.70e469de059e7p-3, -0x1.3f5ee1564be41p-4,
       -0x1.e23a7ea0d187ep-2, 0x1.96164fafd8de3p-1, 0x1.32a54cb8db67bp-1},
      {-0x1.f5840c7474d81p-9, 0x1.7152f8fa6e155p-8, 0x1.fa4f3bca1aa94p-7, -0x1.38599103c4a6dp-5,
       -0x1.1da642fad787fp-5, 0x1.5f6890aff98fcp-3, -0x1.15c3c5ce705cdp-5,
       -0x1.ecef42310f844p-2, 0x1.7791b886e7403p-1, 0x1.4b13713ad3513p-1},
      {-0x1.05a259c9e4148p-8, 0x1.c0a3b546bdb2ep-9, 0x1.2252368b2ae92p-6, -0x1.f9271a25f6a3dp-6,
       -0x1.87d3c8dd7af2ep-5, 0x1.44cc65df8aba5p-3, 0x1.e83e0da030501p-8,
       -0x1.ef6c246a12e7ep-2, 0x1.58a445da7c74cp-1, 0x1.61955607dd15dp-1},
      {-0x1.fc37138b356f3p-9, 0x1.39c7ec725becep-10, 0x1.35331b5e89cadp-6, -0x1.75578f3e30674p-6,
       -0x1.da50ae5494465p-5, 0x1.22cdbdb4cce39p-3, 0x1.715e595343362p-5,
       -0x1.ea4feea4e5addp-2, 0x1.39ccc1b136d5ap-1, 0x1.762870f720c6fp-1},
      {-0x1.ccc24c5c5bad5p-9, -0x1.d40d5497244bp-11, 0x1.364e735a3699bp-6, -0x1.da668fc2db935p-7,
       -0x1.09c7caecdcbd8p-4, 0x1.f6b0cb6927bcfp-4, 0x1.40686a3f3dc32p-4,
       -0x1.de65a22ce0587p-2, 0x1.1b7e98fe26217p-1, 0x1.88d1cd474a2ep-1},
      {-0x1.838573c7ff37p-9, -0x1.649ed3b0d13d9p-9, 0x1.274a5a689a95ap-6, -0x1.a0b7db1325892p-8,
       -0x1.19bb2ca3885ccp-4, 0x1.a0d11fe9bd454p-4, 0x1.b37338e6ac819p-4,
       -0x1.cc990045b293fp-2, 0x1.fc3ee5d1524bp-2, 0x1.999d4192a5715p-1},
      {-0x1.288b662c0610ep-9, -0x1.12d28b6e23ed9p-8, 0x1.0ab3e3b3edd8p-6, 0x1.33252a6791a56p-10,
       -0x1.1d9de8b54e881p-4, 0x1.47de0a4f7b901p-4, 0x1.0847c7dad86b1p-3,
       -0x1.b5eaaef09de9dp-2, 0x1.c40b0729ed548p-2, 0x1.a89c850b7d54dp-1},
      {-0x1.88e0a7329f2b3p-10, -0x1.5842f0a2e142ap-8, 0x1.c76eb949ab10cp-7, 0x1.feab4a742cec1p-8,
       -0x1.169960d5a948ap-4, 0x1.dee322c06360ap-5, 0x1.2bb6e2c74d4fep-3,
       -0x1.9b64a06e4b1p-2, 0x1.8eed36b886d93p-2, 0x1.b5e62fce16095p-1},
      {-0x1.7e435ad5f2e17p-11, -0x1.814017016f981p-8, 0x1.6ba6d94a3cf53p-7, 0x1.b2e1f8689e99fp-7,
       -0x1.0643de6e8a06p-4, 0x1.356dbb542cb81p-5, 0x1.444bc66c35bc3p-3,
       -0x1.7e0f4f0454d97p-2, 0x1.5d4fd33729015p-2, 0x1.c194b1d49a184p-1},
      {-0x1.56ce94486ac92p-17, -0x1.8ea51f67ebe98p-8, 0x1.091cb53598fa7p-7, 0x1.1e45f26b17623p-6,
       -0x1.dcf844d8f8d98p-5, 0x1.313759f197a47p-6, 0x1.52a8395f9626ep-3,
       -0x1.5ee8429e30a49p-2, 0x1.2f7cc3fe6f423p-2, 0x1.cbc54b476248dp-1},
      {0x1.41354f864864p-11, -0x1.83306d9f9abf5p-8, 0x1.4ccee5911fdc8p-8, 0x1.4d6af44a48e12p-6,
       -0x1.a2893b28e9386p-5, 0x1.8e90c2a154b7fp-10, 0x1.57b85ad436065p-3,
       -0x1.3eda354ddd5ffp-2, 0x1.059f59af7a906p-2, 0x1.d4970f9ce00d9p-1},
      {0x1.226d647c07e0bp-10, -0x1.630cad956fa78p-8, 0x1.24f98c3fd74d6p-9, 0x1.677b7f2469de2p-6,
       -0x1.61420b5b26b3ep-5, -0x1.b10f20d12a11bp-7, 0x1.549ea6f7a013cp-3,
       -0x1.1eb7095e57e16p-2, 0x1.bf8e1b1ca2279p-3, 0x1.dc29fb60715afp-1},
      {0x1.7e506026de7fbp-10, -0x1.334a5f89c0655p-8, -0x1.3a2d69e6d7646p-12, 0x1.6e3396e8cd5cfp-6,
       -0x1.1cf0e7655281ap-5, -0x1.a0082c90a0f1p-6, 0x1.4a9feacf7e22p-3,
       -0x1.fe674493fde22p-3, 0x1.7bd5c7df3fe9cp-3, 0x1.e29e22a89d766p-1},
      {0x1.b36e890745711p-10, -0x1.f2b1269ecdcb5p-9, -0x1.3e36624a5589ap-9, 0x1.64297daf8becp-6,
       -0x1.b1f643b1359c6p-6, -0x1.1e645a2a663c1p-5, 0x1.3b1051230b98p-3,
       -0x1.c1cb27861fc79p-3, 0x1.3fda6bc016994p-3, 0x1.e812fc64db369p-1},
      {0x1.c41d52585e757p-10, -0x1.7512ff48292edp-9, -0x1.0c2c9cc2c498dp-8, 0x1.4c823166dce8cp-6,
       -0x1.30769f4596edp-6, -0x1.57f7386bfca8ep-5, 0x1.274275fc87eacp-3,
       -0x1.8885019f5df29p-3, 0x1.0b3f52ce8c383p-3, 0x1.eca6ccd709544p-1},
      {0x1.b52a1bf3fd80cp-10, -0x1.eeb2576b68a22p-10, -0x1.59a38b686cba1p-8, 0x1.2aa76417a1be6p-6,
       -0x1.73b61e485ae1cp-7, -0x1.7e1b362eafc7fp-5, 0x1.107929f6e7527p-3,
       -0x1.5341e3c0177b6p-3, 0x1.bb1c972f23e5p-4, 0x1.f0762fde45ee6p-1},
      {0x1.8d0a27c4654b5p-10, -0x1.0310520a0991fp-10, -0x1.888356ea394e6p-8, 0x1.02047aa9ce18bp-6,
       -0x1.45477088118d2p-8, -0x1.92c7dbb8800f6p-5, 0x1.efb890e5b6631p-4,
       -0x1.2274b86833f6ep-3, 0x1.6c7e64e7281cbp-4, 0x1.f39bc242e43e6p-1},
      {0x1.53067dbd42795p-10, -0x1.9b0d8d5c040e2p-13, -0x1.9b93422908a7cp-8, 0x1.ab9d42e505531p-7,
       0x1.cd95f2ac8c96dp-12, -0x1.985aaf978774p-5, 0x1.bce18363bbbb7p-4,
       -0x1.ecb83b087b37bp-4, 0x1.297db960e4f63p-4, 0x1.f62fe80272419p-1},
      {0x1.0e794fd6e32aap-10, 0x1.e17885adfabc3p-12, -0x1.96dc7ba236da7p-8, 0x1.51b4d075ee6e4p-7,
       0x1.3bc75e8fa20ecp-8, -0x1.91674e13a24cdp-5, 0x1.8a27806de834fp-4,
       -0x1.9e12e1fde7354p-4, 0x1.e1d4cf1e2450ap-5, 0x1.f848acb544e95p-1},
      {0x1.8c59b56cc396bp-11, 0x1.f8692df59a132p-11, -0x1.7f26b8534615cp-8, 0x1.f5ff1c3dc91ap-8,
       0x1.0c1bdce6710d1p-7, -0x1.808d17b33c31fp-5, 0x1.58f1456f7db5ep-4,
       -0x1.58d101f909971p-4, 0x1.83298d717210ep-5, 0x1.f9f9ba8d3c733p-1},
      {0x1.ff9576cdb2d61p-12, 0x1.57b3a452a3e64p-10, -0x1.597eacbfefd2bp-8, 0x1.56303be1c8a73p-8,
       0x1.5afe42214b417p-7, -0x1.68541b2c04ea9p-5, 0x1.2a52c5d83c051p-4,
       -0x1.1c8ec267fe9e2p-4, 0x1.34ac36ad8dafep-5, 0x1.fb54641aebbc9p-1},
      {0x1.0065f0686f1cap-12, 0x1.8d50166166d0fp-10, -0x1.2aceabbfc291ep-8, 0x1.9201b7b454313p-9,
       0x1.8d9906d12ba63p-7, -0x1.4b120f9dde3cp-5, 0x1.fe23b75845ce1p-5,
       -0x1.d177f166cce53p-5, 0x1.e85c449e377f3p-6, 0x1.fc67bcf2d7b8fp-1},
      {0x1.3adc5e56ed709p-15, 0x1.a19c43a3ee1acp-10, -0x1.ef1cef1ad5cep-9, 0x1.4593aebb99ad7p-10,
       0x1.a7b8c4a8c6b64p-7, -0x1.2ad77b77d2437p-5, 0x1.af5baae337ae8p-5,
       -0x1.7954423f89a51p-5, 0x1.7f5188610ddc8p-6, 0x1.fd40bd6d7a785p-1},
      {-0x1.0998ce97eff93p-13, 0x1.9a7e67be0d4dp-10, -0x1.871876029dbb9p-9, -0x1.f00fa67ebe88ap-13,
       0x1.ad8b148079603p-7, -0x1.09648dd331c11p-5, 0x1.68d1c45b96f01p-5,
       -0x1.2f3178cd7aa03p-5, 0x1.2a875b5ffab56p-6, 0x1.fdea6e062d0c9p-1},
      {-0x1.022f5fd15d054p-12, 0x1.7e75974b08278p-10, -0x1.239bf2d7c03e3p-9, -0x1.682d8cfac8335p-10,
       0x1.a34eda0fb3216p-7, -0x1.d049824fc47cap-6, 0x1.2aa4e58242523p-5,
       -0x1.e2ff3aaae31e4p-6, 0x1.cd5ec93c12432p-7, 0x1.fe6e1742f7cf6p-1},
      {-0x1.52daef8a44c87p-12, 0x1.53fad4664275bp-10, -0x1.9222e9b7efe98p-10, -0x1.1f795af53f4efp-9,
       0x1.8d14d4bd9c81ap-7, -0x1.90603010923dbp-6, 0x1.e947279e4a44p-6,
       -0x1.7d6193f2417adp-6, 0x1.61beae53b72b7p-7, 0x1.fed37386190fbp-1},
      {-0x1.7bbd36b872b6ep-12, 0x1.21062b0c0714cp-10, -0x1.e94b0474fcee9p-11, -0x1.65c02de45b821p-9,
       0x1.6e91361de8e7ap-7, -0x1.54a148886f143p-6, 0x1.8cc071b719c47p-6,
       -0x1.2a8ca0dc14852p-6, 0x1.0d1d69569b82dp-7, 0x1.ff20e0a7ba8c2p-1},
      {-0x1.8392a82f5025fp-12, 0x1.d575138f2cebap-11, -0x1.c6a71752a9772p-12, -0x1.8c72003a09b22p-9,
       0x1.4afd8cd0f813fp-7, -0x1.1e1611aabd28fp-6, 0x1.3e8735b5b73b4p-6,
       -0x1.cf68ed932f081p-7, 0x1.9646f35a76624p-8, 0x1.ff5b8fb26f5f6p-1},
      {-0x1.71ebbd0812e87p-12, 0x1.6a6d7e0ecfeeap-11, -0x1.3903ddc0ea04fp-15, -0x1.997578c7d9ec2p-9,
       0x1.250942c315ddcp-7, -0x1.daa3005c2dc23p-7, 0x1.fa73d7eb1b712p-7,
       -0x1.6496420203331p-7, 0x1.30499b503957fp-8, 0x1.ff87b1913e853p-1},
      {-0x1.4e5c86e5ac2ep-12, 0x1.070dc03ed36e8p-11, 0x1.10c7146833c3bp-12, -0x1.929de6f287807p-9,
       0x1.fdac8345ffa47p-8, -0x1.850c68e8e66dep-7, 0x1.8ebda0768e8e9p-7,
       -0x1.100f34713740dp-7, 0x1.c4412bf4b8f0bp-9, 0x1.ffa89fe5b3625p-1},
      {-0x1.1fdf82d06ccf2p-12, 0x1.5ebdd55388943p-12, 0x1.eae5e24d5bf4fp-12, -0x1.7d55d56a3ef1dp-9,
       0x1.b3fdff1ddeb2bp-8, -0x1.3b38708f7b9bp-7, 0x1.36f273fbd909cp-7,
       -0x1.9ba107a459ce4p-8, 0x1.4d78bba8ca5fdp-9, 0x1.ffc10194fcb64p-1},
      {-0x1.d8db2c9ab88a8p-13, 0x1.9657fa6defeecp-13, 0x1.3a1598ce4699fp-11, -0x1.5e664585b01aap-9,
       0x1.6f4662f6be647p-8, -0x1.f914f2c60c37dp-8, 0x1.e066bed09942fp-8,
       -0x1.34c7442de142bp-8, 0x1.e7f232d9e263p-10, 0x1.ffd2eae369a07p-1},
      {-0x1.718ea30e5a428p-13, 0x1.5329371f5bcb6p-14, 0x1.5d7942eed576cp-11, -0x1.39d769ac96352p-9,
       0x1.30f12c8400179p-8, -0x1.903a08305ea8cp-8, 0x1.6fa4c7ef470e7p-8,
       -0x1.cb5e029ba8f3dp-9, 0x1.6235fbd7a4345p-10, 0x1.ffdff92db56e5p-1},
      {-0x1.10cf51e84e26fp-13, -0x1.54daddbec3b28p-18, 0x1.66d6e3486ab1ap-11, -0x1.12e67cbb0835bp-9,
       0x1.f376a554ed56fp-9, -0x1.39bfce9b4ea0bp-8, 0x1.16c192d8803d9p-8,
       -0x1.52d7b2896626ap-9, 0x1.fe41cd9bb4eeep-11, 0x1.ffe96a78a04a9p-1},
      {-0x1.7659280514d91p-14, -0x1.16dab230dd345p-14, 0x1.5cf51ca63ebecp-11, -0x1.d8179ccc11a89p-10,
       0x1.93b1f34b2152bp-9, -0x1.e6c27ad2b222fp-9, 0x1.a2da7cec0155dp-9,
       -0x1.efb729f4be121p-10, 0x1.6caa0d3582fe9p-11, 0x1.fff0312b010b5p-1},
      {-0x1.cc79b85fd7d65p-15, -0x1.bf8f1f20f6cfbp-14, 0x1.45d5b433e7709p-11, -0x1.8e184d47ed8p-10,
       0x1.4231c3bfee1dep-9, -0x1.75b371a26483cp-9, 0x1.37d38e3a705a8p-9,
       -0x1.679880e93e5c4p-10, 0x1.0295ef6591848p-11, 0x1.fff50456dab8cp-1},
      {-0x1.cb616af67580cp-16, -0x1.0fa2d34d24a2dp-13, 0x1.2688860400a6bp-11, -0x1.4a222862f90aep-10,
       0x1.fc0f76c956e3dp-10, -0x1.1bff7066467a9p-9, 0x1.cc1d886874d4dp-10,
       -0x1.02b15777eb7c5p-10, 0x1.6be02102b352p-12, 0x1.fff86cfd3e657p-1},
      {-0x1.b34b82ef58641p-18, -0x1.22fcb12671bdbp-13, 0x1.031cdbc989ff4p-11, -0x1.0d88da9a94441p-10,
       0x1.8bdd79a0a9afp-10, -0x1.ab596015fc6e6p-10, 0x1.506d6992fc8f3p-10,
       -0x1.7121aff59f6a1p-11, 0x1.fc0d55470cf51p-13, 0x1.fffad0b901755p-1},
      {0x1.1ac202c0bd766p-17, -0x1.214b603d05d95p-13, 0x1.bd52f9ad1dc24p-12, -0x1.b1b06c1a9ab62p-11,
       0x1.30eb20ccd1222p-10, -0x1.3e5dc1062dff1p-10, 0x1.e79c081b79ea6p-11,
       -0x1.05304df546ed8p-11, 0x1.5feada379d8b7p-13, 0x1.fffc7a37857d2p-1},
      {0x1.31cf1258aef5fp-16, -0x1.111dfd774cc68p-13, 0x1.76c83edb482d6p-12, -0x1.58106cc48eb8ap-11,
       0x1.d07da13e7c605p-11, -0x1.d5be6d15ac109p-11, 0x1.5e3edf674e2cap-11,
       -0x1.6e95311166825p-12, 0x1.e3bcf436a1a95p-14, 0x1.fffd9fdeabccep-1},
      {0x1.90a278f3be9f9p-16, -0x1.efd7ac18e5a0dp-14, 0x1.35838ef55ffd2p-12, -0x1.0d559cf04d47bp-11,
       0x1.5decc405a2204p-11, -0x1.57389188a72bbp-11, 0x1.f2bd95d72a517p-12,
       -0x1.fe48c44d2ab81p-13, 0x1.49e17724f4d41p-14, 0x1.fffe68f4fa777p-1},
      {0x1.b9ddb3017a23bp-16, -0x1.b410db86974d5p-14, 0x1.f66b4fb65dcb5p-13, -0x1.a0489350bd80dp-12,
       0x1.04cbf67b04634p-11, -0x1.f0c93c73e7fc2p-12, 0x1.5fff1dde5304ap-12,
       -0x1.60403819b22b8p-13, 0x1.be6abbb10a5aap-15, 0x1.fffef1960d85dp-1},
      {0x1.bc2b9a274237p-16, -0x1.75639c61776fep-14, 0x1.913b2ed0e365ep-13, -0x1.3dbb93752a497p-12,
       0x1.80a83a7115cc1p-12, -0x1.6425722b9f1f9p-12, 0x1.ec8a8e59d9d41p-13,
       -0x1.e258948829ed1p-14, 0x1.2bb5cc22e5db6p-15, 0x1.ffff4db27f146p-1},
      {0x1.a42dedad77fe8p-16, -0x1.385f307d640b4p-14, 0x1.3b94f4694e719p-13, -0x1.df381bd3e185bp-13,
       0x1.18bda8b8cc10cp-12, -0x1.f9e163b15c443p-13, 0x1.559f04ad4de53p-13,
       -0x1.478cffe1cd2edp-14, 0x1.8f4ccca7fc90dp-16, 0x1.ffff8b500e77cp-1},
      {0x1.7c30c85f11c24p-16, -0x1.ffeb7215e383cp-15, 0x1.e950dcef974fcp-14, -0x1.652e5f2c75092p-13,
       0x1.95a0411e7173ap-13, -0x1.63f5eb46874f1p-13, 0x1.d5cf1514977e4p-14,
       -0x1.b93e442837f52p-15, 0x1.07ebd2a2d2844p-16, 0x1.ffffb43555b5fp-1},
      {0x1.4c28c3e7798f9p-16, -0x1.9ba2396973759p-15, 0x1.762758715b4c5p-14, -0x1.073240163609cp-13,
       0x1.2217929ff05aep-13, -0x1.f057dbf3657c9p-14, 0x1.40473571d537fp-14,
       -0x1.26c8826ed9e85p-15, 0x1.5a2adfa0b4bc4p-17, 0x1.ffffcf23ff5fcp-1},
      {0x1.19e319a9fc26fp-16, -0x1.4548ced07818cp-15, 0x1.1a5578f060b5ep-14, -0x1.7f92ad8659d0ep-14,
       0x1.9ad1f65a72e01p-14, -0x1.56e457745d482p-14, 0x1.b0f313eeb65aep-15,
       -0x1.86ad6df7ba401p-16, 0x1.c282cd3957edap-18, 0x1.ffffe0bd3e852p-1},
      {0x1.d2a535156b055p-17, -0x1.f9d09587b5d75p-16, 0x1.a4b07bc40554dp-15, -0x1.147585d3742acp-14,
       0x1.200c2ffacaa99p-14, -0x1.d57a2be01de03p-15, 0x1.22234eb745952p-15,
       -0x1.00c902a4d5e27p-16, 0x1.22df298214423p-18, 0x1.ffffec2641a9ep-1},
      {0x1.79d1a17c85b68p-17, -0x1.834b95af66852p-16, 0x1.359243c3869dap-15, -0x1.8a40e183d930fp-15,
       0x1.9004afecfcd9cp-15, -0x1.3e81c09c29629p-15, 0x1.81918baca19a6p-16,
       -0x1.4ed4228b3da96p-17, 0x1.74adc8f4064d3p-19, 0x1.fffff37d63a36p-1},
      {0x1.2bde78ed15236p-17, -0x1.24444bc61cca3p-16, 0x1.c22a7363543b3p-16, -0x1.1629d94b96792p-15,
       0x1.131810ab0cea4p-15, -0x1.ac4e1aa49980ap-16, 0x1.fc0dfadc2c735p-17,
       -0x1.b11017e7d5893p-18, 0x1.d9c73698fb1dcp-20, 0x1.fffff82cdcf1bp-1},
      {0x1.d3634fbd93391p-18, -0x1.b305e7ea0c7f4p-17, 0x1.437f264b54207p-16, -0x1.847332575e7e9p-16,
       0x1.76c5a3031abfap-16, -0x1.1d6ab6f8cbfc3p-16, 0x1.4be757b934876p-17,
       -0x1.15cc5700a2341p-18, 0x1.2acee2f5ecdb8p-20, 0x1.fffffb248c39dp-1},
      {0x1.661dc8f0e2042p-18, -0x1.3f75bf4cf3efp-17, 0x1.cba71a8ed8f51p-17, -0x1.0c768236315eep-16,
       0x1.f9c26e20a4046p-17, -0x1.79082befd4f56p-17, 0x1.ae02322e088ccp-18,
       -0x1.6186d9fc357c5p-19, 0x1.75fa8dbc84becp-21, 0x1.fffffd01f36afp-1},
      {0x1.0e0e3e2d91a86p-18, -0x1.cf2f0a061465bp-18, 0x1.42ebd62151ae7p-17, -0x1.6f567cd9e55dp-17,
       0x1.52139c878146cp-17, -0x1.edabcbc3e60a1p-18, 0x1.143860c49d1bep-18,
       -0x1.be46aa879edb2p-20, 0x1.d06ad6ecdf971p-22, 0x1.fffffe2ba0ea5p-1},
      {0x1.9133e9b099612p-19, -0x1.4b9df739f8a25p-18, 0x1.c0c4db581ddadp-18, -0x1.f19ff5e45fc3cp-18,
       0x1.bfc96a92d04ebp-18, -0x1.405da04876021p-18, 0x1.5fe5d4756089p-19,
       -0x1.1769ce59fb2c8p-20, 0x1.1e1e857adc568p-22, 0x1.fffffee3cc32cp-1},
      {0x1.25c44b59c6da8p-19, -0x1.d51d3201f72c3p-19, 0x1.347bbd5d9a5b7p-18, -0x1.4dbe26c8d0a3p-18,
       0x1.25d1e3c672ee8p-18, -0x1.9c2c5d12df9p-19, 0x1.bc91a6b1c19d6p-20,
       -0x1.5b11cbd1ee799p-21, 0x1.5dcd669f2cd34p-23, 0x1.ffffff54dab72p-1},
  }};
}
using ErfTable = double[kErfIntervals][kErfTerms];
DETNUM_HD const ErfTable& erf_taylor_rows() {
  static constexpr ErfRows kT = erf_rows();
  return kT.v;
}

// The same coefficients by term (term n of interval i at n * kErfIntervals + i), for the GPU: a
// warp's lanes read term n of their own intervals together, and those lie within 496 bytes
// (four cache lines) rather than 80 bytes apart per interval (a warp's inputs may touch forty
// rows). One flat array, so that a stride of kErfIntervals stays inside it.
struct ErfColumns {
  double v[kErfTerms * kErfIntervals];
};
DETNUM_HD constexpr ErfColumns erf_columns() {
  const ErfRows rows = erf_rows();
  ErfColumns columns{};
  for (int i = 0; i < kErfIntervals; ++i)
    for (int n = 0; n < kErfTerms; ++n) columns.v[n * kErfIntervals + i] = rows.v[i][n];
  return columns;
}
DETNUM_HD const double* erf_taylor_columns() {
  static constexpr ErfColumns kC = erf_columns();
  return kC.v;
}

// erf's polynomial on interval i (2 <= i < 64) at t, from the rows on a CPU and from the columns
// on a GPU: the same coefficients in the same Horner steps, so the same double (math_test
// compares the two for every float in [1/8, 4)).
DETNUM_HD double erf_taylor_by_rows(int i, double t) { return horner(erf_taylor_rows()[i - 2], t); }
DETNUM_HD double erf_taylor_by_columns(int i, double t) {
  return horner_strided<kErfTerms>(erf_taylor_columns() + (i - 2), kErfIntervals, t);
}
DETNUM_HD double erf_taylor(int i, double t) {
#ifdef __CUDA_ARCH__
  return erf_taylor_by_columns(i, t);
#else
  return erf_taylor_by_rows(i, t);
#endif
}

// log's table: x's significand z in [0x3f330000, 0x3f330000 + 2^23) as float bits is cut into
// 128 intervals of 2^16 bit patterns; interval i has invc = 1/c rounded to float (c its centre),
// except the two beside 1, whose invc is 1 (so that r = z - 1 is exact there), and
// logc = -log(invc) rounded to double (math_test checks both against GNU MPFR).
inline constexpr std::uint32_t kLogTableOrigin = 0x3f330000u;
struct LogTable {
  double invc[128], logc[128];
};
DETNUM_HD const LogTable& log_table() {
  static constexpr LogTable kT = {{
      0x1.6d1a62p+0, 0x1.6b149p+0, 0x1.691474p+0, 0x1.6719f4p+0, 0x1.6524f8p+0, 0x1.63356cp+0,
      0x1.614b36p+0, 0x1.5f6644p+0, 0x1.5d867cp+0, 0x1.5babccp+0, 0x1.59d62p+0, 0x1.58056p+0,
      0x1.56397cp+0, 0x1.54725ep+0, 0x1.52aff6p+0, 0x1.50f22ep+0, 0x1.4f38f6p+0, 0x1.4d843cp+0,
      0x1.4bd3eep+0, 0x1.4a27fap+0, 0x1.488052p+0, 0x1.46dce4p+0, 0x1.453d9ep+0, 0x1.43a274p+0,
      0x1.420b52p+0, 0x1.40782ep+0, 0x1.3ee8f4p+0, 0x1.3d5d9ap+0, 0x1.3bd60ep+0, 0x1.3a5244p+0,
      0x1.38d22ep+0, 0x1.3755bep+0, 0x1.35dce6p+0, 0x1.34679ap+0, 0x1.32f5cep+0, 0x1.318776p+0,
      0x1.301c82p+0, 0x1.2eb4eap+0, 0x1.2d50ap+0, 0x1.2bef98p+0, 0x1.2a91cap+0, 0x1.293726p+0,
      0x1.27dfa4p+0, 0x1.268b38p+0, 0x1.2539d8p+0, 0x1.23eb7ap+0, 0x1.22a012p+0, 0x1.215798p+0,
      0x1.201202p+0, 0x1.1ecf44p+0, 0x1.1d8f56p+0, 0x1.1c523p+0, 0x1.1b17c6p+0, 0x1.19e012p+0,
      0x1.18ab08p+0, 0x1.1778a2p+0, 0x1.1648d6p+0, 0x1.151b9ap+0, 0x1.13f0e8p+0, 0x1.12c8b8p+0,
      0x1.11a302p+0, 0x1.107fbcp+0, 0x1.0f5eep+0, 0x1.0e4066p+0, 0x1.0d2446p+0, 0x1.0c0a78p+0,
      0x1.0af2f8p+0, 0x1.09ddbap+0, 0x1.08cabcp+0, 0x1.07b9f2p+0, 0x1.06ab5ap+0, 0x1.059eeap+0,
      0x1.04949cp+0, 0x1.038c6cp+0, 0x1.02865p+0, 0x1.018244p+0, 0x1p+0, 0x1p+0,
      0x1.fa11cap-1, 0x1.f6310ap-1, 0x1.f25f64p-1, 0x1.ee9c8p-1, 0x1.eae808p-1, 0x1.e741aap-1,
      0x1.e3a918p-1, 0x1.e01e02p-1, 0x1.dca01ep-1, 0x1.d92f22p-1, 0x1.d5cac8p-1, 0x1.d272cap-1,
      0x1.cf26e6p-1, 0x1.cbe6dap-1, 0x1.c8b266p-1, 0x1.c5894ep-1, 0x1.c26b54p-1, 0x1.bf583ep-1,
      0x1.bc4fd6p-1, 0x1.b951e2p-1, 0x1.b65e2ep-1, 0x1.b37484p-1, 0x1.b094b4p-1, 0x1.adbe88p-1,
      0x1.aaf1d2p-1, 0x1.a82e66p-1, 0x1.a5741p-1, 0x1.a2c2a8p-1, 0x1.a01a02p-1, 0x1.9d79f2p-1,
      0x1.9ae24ep-1, 0x1.9852fp-1, 0x1.95cbbp-1, 0x1.934c68p-1, 0x1.90d4f2p-1, 0x1.8e6528p-1,
      0x1.8bfce8p-1, 0x1.899c1p-1, 0x1.87427cp-1, 0x1.84f00cp-1, 0x1.82a4ap-1, 0x1.806018p-1,
      0x1.7e2256p-1, 0x1.7beb3ap-1, 0x1.79baa6p-1, 0x1.779082p-1, 0x1.756cacp-1, 0x1.734f0cp-1,
      0x1.713786p-1, 0x1.6f2602p-1
  }, {
      -0x1.6b85b3abfa3fap-2, -0x1.65d556f4ce004p-2, -0x1.602d09a7091eap-2, -0x1.5a8caf83edf9bp-2,
      -0x1.54f430c7be1a7p-2, -0x1.4f638013a980cp-2, -0x1.49da7dbfcc41ap-2, -0x1.4459202d39f3fp-2,
      -0x1.3edf45841683dp-2, -0x1.396ce231bbf51p-2, -0x1.3401e3eaecb92p-2, -0x1.2e9e2b8e12286p-2,
      -0x1.2941b0b986b7ap-2, -0x1.23ec584deba46p-2, -0x1.1e9e183c899eep-2, -0x1.1956d385bc2fap-2,
      -0x1.14167e6767782p-2, -0x1.0edd064378081p-2, -0x1.09aa57a26c6d4p-2, -0x1.047e5e31e83aap-2,
      -0x1.feb22276a07ccp-3, -0x1.f474b5c4df214p-3, -0x1.ea4448d84aaf3p-3, -0x1.e020d27235a9p-3,
      -0x1.d60a15710350ep-3, -0x1.cc001295b3c2fp-3, -0x1.c20289a17f9b3p-3, -0x1.b81178d3823b1p-3,
      -0x1.ae2ca9be72bcdp-3, -0x1.a4540b3e6aafcp-3, -0x1.9a877e06baa1ep-3, -0x1.90c6e177cbcb7p-3,
      -0x1.8712139d0e994p-3, -0x1.7d68fe72f5ab3p-3, -0x1.73cb8adcfd12dp-3, -0x1.6a39a0a3bd37bp-3,
      -0x1.60b30b8309461p-3, -0x1.5737cbb818cddp-3, -0x1.4dc7b817bc1c7p-3, -0x1.4462b3bc9b3b6p-3,
      -0x1.3b08bc0d7f28ap-3, -0x1.31b996aba4f81p-3, -0x1.28753ef11ab9ap-3, -0x1.1f3b93bf25d3fp-3,
      -0x1.160c80c4b27bp-3, -0x1.0ce7f0c4cc27dp-3, -0x1.03cdbf7d1ec0cp-3, -0x1.f57bc799005dbp-4,
      -0x1.e3708b530482ep-4, -0x1.d1797ba21935fp-4, -0x1.bf9680f9fc9fcp-4, -0x1.adc78265aea86p-4,
      -0x1.9c0c2ba4d252ep-4, -0x1.8a647d391dc19p-4, -0x1.78d01f23d82cep-4, -0x1.674f0ee365a66p-4,
      -0x1.55e10e20e0324p-4, -0x1.4485dc8dbdfa6p-4, -0x1.333d734183fp-4, -0x1.2207ac8785473p-4,
      -0x1.10e4612cae81fp-4, -0x1.ffa694dab92fdp-5, -0x1.dda8b7c67ee35p-5, -0x1.bbced3a68f3bdp-5,
      -0x1.9a188df73de25p-5, -0x1.7885892357793p-5, -0x1.5715df403ce3fp-5, -0x1.35c8b2ca13042p-5,
      -0x1.149e5680059fap-5, -0x1.e72bccc13cd9fp-6, -0x1.a55f624c5c427p-6, -0x1.63d615c690bd6p-6,
      -0x1.228f827ea2d0ep-6, -0x1.c3177b4c75deep-7, -0x1.4192bb96832bfp-7, -0x1.8121bb458686fp-8,
      -0x0p+0, -0x0p+0, 0x1.7dc49e7810addp-7, 0x1.3cea5df46a5c8p-6,
      0x1.b9fc0afaf91a1p-6, 0x1.1b0d90923d99p-5, 0x1.58a5b57c8e4dcp-5, 0x1.95c836cc8e3f4p-5,
      0x1.d276b22db0b5dp-5, 0x1.075982498e472p-4, 0x1.253f6120a1419p-4, 0x1.42edcd9a646f2p-4,
      0x1.60658ad3750c4p-4, 0x1.7da76907b12cfp-4, 0x1.9ab42252033afp-4, 0x1.b78c7d2b0edb1p-4,
      0x1.d4313a96cb361p-4, 0x1.f0a30391162cap-4, 0x1.06714f3ca5972p-3, 0x1.14785c6e742bep-3,
      0x1.2266f328a5acep-3, 0x1.303d74c647fddp-3, 0x1.3dfc2c26cc62bp-3, 0x1.4ba37269a55fp-3,
      0x1.5933896982097p-3, 0x1.66acd4072ad51p-3, 0x1.740f93fc037bap-3, 0x1.815c059c357ffp-3,
      0x1.8e92902886d46p-3, 0x1.9bb36547dfb89p-3, 0x1.a8becdf082f1cp-3, 0x1.b5b51740fb5abp-3,
      0x1.c2968890c18cbp-3, 0x1.cf6359209c5eep-3, 0x1.dc1bcdcabec8bp-3, 0x1.e8c0250aa5a6p-3,
      0x1.f550a0ecb7b4bp-3, 0x1.00e6c38ad501ep-2, 0x1.071b860cd590dp-2, 0x1.0d46b3d9ab75p-2,
      0x1.13686fa13a8b1p-2, 0x1.1980d3454237p-2, 0x1.1f8ffa248a2f3p-2, 0x1.2596011df763ap-2,
      0x1.2b93013789d31p-2, 0x1.31871a414419p-2, 0x1.37726827fd863p-2, 0x1.3d54f7e81f71cp-2,
      0x1.432ef2f84e814p-2, 0x1.490068ec009d2p-2, 0x1.4ec9758200275p-2, 0x1.548a2aa6dd268p-2
  }};
  return kT;
}
// log(1 + r) = q(r) r with q's coefficients (-1)^(n+1)/n for n = 8 down to 1, each the double nearest.
DETNUM_HD constexpr Poly<8> log1p_poly8() {
  return {{-0x1p-3, 0x1.2492492492492p-3, -0x1.5555555555555p-3, 0x1.999999999999ap-3, -0x1p-2,
           0x1.5555555555555p-2, -0x1p-1, 0x1p+0}};
}

// (input, correctly rounded log) as float bits, where log's double evaluation is 1 ulp off.
struct LogHardCases {
  std::uint32_t c[5][2];
};
DETNUM_HD constexpr LogHardCases log_hard_cases() {
  return {{{0x3C413D3Au, 0xC08E158Fu}, {0x41178FEBu, 0x400FE5E7u}, {0x4C5D65A5u, 0x418F034Bu},
           {0x65D890D3u, 0x4254D1F9u}, {0x6F31A8ECu, 0x42845A89u}}};
}

// e^r - 1 for |r| <= 0.35: r (1 + r/2! + ... + r^13/14!), truncation below 2^-57 relative.
// 1/n! for n = 14 down to 1, each the double nearest.
DETNUM_HD constexpr Poly<14> expm1_poly14() {
  return {{0x1.93974a8c07c9dp-37, 0x1.6124613a86d09p-33, 0x1.1eed8eff8d898p-29, 0x1.ae64567f544e4p-26,
           0x1.27e4fb7789f5cp-22, 0x1.71de3a556c734p-19, 0x1.a01a01a01a01ap-16, 0x1.a01a01a01a01ap-13,
           0x1.6c16c16c16c17p-10, 0x1.1111111111111p-7, 0x1.5555555555555p-5, 0x1.5555555555555p-3,
           0x1.0000000000000p-1, 0x1.0000000000000p+0}};
}
DETNUM_HD double expm1_taylor(double r) { return horner(expm1_poly14(), r) * r; }

// sin(pi r) and cos(pi r) for |r| <= 1/4: Taylor polynomials of degree 19 and 18 (truncation
// below 2^-58 relative).
// (-1)^j pi^(2j+1) / (2j+1)! and (-1)^j pi^(2j) / (2j)! for j = 9 down to 0, each the double nearest.
DETNUM_HD constexpr Poly<10> sinpi_poly10() {
  return {{-0x1.8a404211f9547p-26, 0x1.aaec32af93359p-21, -0x1.6fadb9f155744p-16, 0x1.e8f434d018d63p-12,
           -0x1.e3074fde8871fp-8, 0x1.50783487ee782p-4, -0x1.32d2cce62bd86p-1, 0x1.466bc6775aae2p+1,
           -0x1.4abbce625be53p+2, 0x1.921fb54442d18p+1}};
}
DETNUM_HD constexpr Poly<10> cospi_poly10() {
  return {{-0x1.2a0c591af8314p-23, 0x1.20c62c2f2d7f5p-18, -0x1.b6e24f44b128fp-14, 0x1.f9d38a3763cc3p-10,
           -0x1.a6d1f2a204a8cp-6, 0x1.e1f506891babbp-3, -0x1.55d3c7e3cbffap+0, 0x1.03c1f081b5ac4p+2,
           -0x1.3bd3cc9be45dep+2, 0x1.0000000000000p+0}};
}
DETNUM_HD double sinpi_taylor(double r) { return horner(sinpi_poly10(), r * r) * r; }
DETNUM_HD double cospi_taylor(double r) { return horner(cospi_poly10(), r * r); }

// a = n/2 + r exactly, for 0 <= a < 2^24: returns r (|r| <= 1/4) and n mod 4 in quadrant.
DETNUM_HD double halves_reduce(float a, int& quadrant) {
  const double nd = (2.0 * a + kRoundToInteger) - kRoundToInteger;  // 2a rounded to an integer (2a < 2^25)
  quadrant = static_cast<int>(static_cast<std::int64_t>(nd) & 3);
  return static_cast<double>(a) - 0.5 * nd;
}

}  // namespace detail

DETNUM_HD float exp(float x) {
  if (x != x) return canonical_nan_f32();
  if (x > 89.0f) return float_from_bits(0x7F800000u);  // exp(89) > FLT_MAX: +Inf (also x = +Inf)
  if (x < -104.0f) return 0.0f;                        // exp(-104) < 2^-150: rounds to +0 (also -Inf)
  using detail::kRoundToInteger;
  const double xd = x;
  const double kd = (xd * detail::kExp64Log2e + kRoundToInteger) - kRoundToInteger;  // |k| < 2^14
  const double r = (xd - kd * detail::kExpLn2Over64Hi) - kd * detail::kExpLn2Over64Lo;
  const auto k = static_cast<std::int32_t>(kd);
  const double two_e = double_from_bits(static_cast<std::uint64_t>((k >> 6) + 1023) << 52);  // e in [-151, 128]
  const double q = detail::horner(detail::expm1_poly5(), r) * r;  // e^r - 1
  const double t = detail::exp2_64ths()[k & 63];
  return static_cast<float>((t + t * q) * two_e);
}

DETNUM_HD float log(float x) {
  const std::uint32_t u = bits_of(x);
  if (x != x || ((u >> 31) != 0 && (u & 0x7FFFFFFFu) != 0)) return canonical_nan_f32();  // NaN, x < 0
  if ((u & 0x7FFFFFFFu) == 0) return float_from_bits(0xFF800000u);                    // +-0: -Inf
  if (u == 0x7F800000u) return x;                                                      // +Inf
  constexpr detail::LogHardCases kHard = detail::log_hard_cases();
  for (const auto& h : kHard.c)
    if (u == h[0]) return float_from_bits(h[1]);
  // x = 2^k z with z in [0x3f330000, 0x3f330000 + 2^23) as float bits (subnormals scaled by 2^24
  // first), and z's interval i of the table.
  int k = 0;
  std::uint32_t b = u;
  if ((b >> 23) == 0) {
    b = bits_of(x * 0x1p24f);
    k = -24;
  }
  const std::uint32_t t = b - detail::kLogTableOrigin;
  k += static_cast<std::int32_t>(t) >> 23;
  const int i = static_cast<int>(t >> 16 & 127);
  const double z = float_from_bits(b - (t & 0xFF800000u));
  using detail::kLn2Hi, detail::kLn2Lo;
  const detail::LogTable& table = detail::log_table();
  const double r = z * table.invc[i] - 1.0;  // exact
  const double p = detail::horner(detail::log1p_poly8(), r) * r;
  const double kd = k;
  return static_cast<float>(kd * kLn2Hi + (kd * kLn2Lo + (table.logc[i] + p)));
}

namespace detail {
// The IEEE square root, correctly rounded on both sides (on the device whatever -prec-sqrt says);
// a NaN result is whatever NaN the hardware makes.
DETNUM_HD float sqrt_ieee(float x) {
#if defined(__CUDA_ARCH__)
  return __fsqrt_rn(x);
#else
  return std::sqrt(x);
#endif
}
}  // namespace detail

// The IEEE square root, NaN canonical.
DETNUM_HD float sqrt(float x) { return canonicalize(detail::sqrt_ieee(x)); }

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
  const double ad = a;
  double e;
  if (a < 0.125f) {
    e = detail::horner(detail::erf_series7(), ad * ad) * ad;
  } else {
    const int i = static_cast<int>(16.0f * a);  // exact: a < 4
    e = detail::erf_taylor(i, ad - (i + 0.5) / 16.0);
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
