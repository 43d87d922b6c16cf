// AVX2 kernels for CPU reductions: one chunk of ORDER.md's canonical order, and the search for
// an extreme.
//
// A chunk's 128 lanes are 16 vectors of 8 floats (or 32 of 4 doubles). Vector j of the 128
// always holds lanes 8j .. 8j+7 (4j .. 4j+3), so the order inside each lane is exactly the
// reference's; only which lanes advance together changes, and lanes are independent. Float
// holds all 16 vectors in registers from -0 to the fold and reads a whole chunk once, in order;
// double sweeps 8 or 16 of its 32 vectors at a time over a few steps, then the next ones over the
// same steps, keeping the accumulators in memory between sweeps (kHeldVectors, kStepBlock below). The last partial step (count not a multiple of 128)
// is scalar. The fold is the reference's, lane for lane, on vectors: the halves h >= 8 (float)
// or h >= 4 (double) are whole vectors, the rest shuffles within one.
//
// Widening: bf16 is the top half of a float (zero-extend, shift by 16), fp16 goes through F16C's
// vcvtph2ps (exact for every binary16, subnormals included); squares of float, bf16 and fp16
// are accumulated in double (vcvtps2pd, exact). Every fma is _mm256_fmadd_*, correctly rounded
// like std::fma, so the bits are the portable code's.
#include "cpu/reduce_avx2.hpp"

#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

#include "detnum/bf16.hpp"
#include "detnum/fp16.hpp"

#define DETNUM_AVX2 [[gnu::target("avx2,fma,f16c")]]

namespace detnum::detail {

namespace {

// How the lane vectors are swept: kHeldVectors of them in registers at a time, for kStepBlock
// steps of 128 elements, then the next kHeldVectors for the same steps. Float: all 16 vectors
// at once, one sequential pass over the chunk (a dot's x operand or a widening's temporary
// makes the compiler spill one or two accumulators, a load and a store per step of 16 vectors,
// which measured faster than two passes of 8). Double: 8 of the 32 vectors at a time over 4
// steps (4 KiB windows that stay in L1 while the four groups pass); but float's squares in
// double (nrm2), bound by the conversions (4 floats a cycle), take 16 vectors over 16 steps:
// with 8 over 4, each sweep read 128 of every 512 bytes: the 2^26 nrm2 took 21-26 ms, and
// 16.5-21 ms with 16 over 16 (the sum: 14-16.5 ms). Measured on the 2-core EPYC of
// docs/PERFORMANCE.md; any choice gives the same bits.
template <class A, class T> constexpr int kHeldVectors = 16;
template <class T> constexpr int kHeldVectors<double, T> = std::is_same_v<T, float> ? 16 : 8;
template <class A, class T> constexpr int kStepBlock = kReduceSteps;
template <class T> constexpr int kStepBlock<double, T> = std::is_same_v<T, float> ? 16 : 4;

// --- vectors of the accumulator type --------------------------------------------------------

template <class A> struct Vec;
template <> struct Vec<float> {
  using V = __m256;
  static constexpr int kWidth = 8;
  DETNUM_AVX2 static V set1(float a) { return _mm256_set1_ps(a); }
  DETNUM_AVX2 static V load(const float* p) { return _mm256_load_ps(p); }
  DETNUM_AVX2 static void store(float* p, V v) { _mm256_store_ps(p, v); }
  DETNUM_AVX2 static V add(V a, V b) { return _mm256_add_ps(a, b); }
  DETNUM_AVX2 static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  DETNUM_AVX2 static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  DETNUM_AVX2 static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  DETNUM_AVX2 static V abs(V a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
};
template <> struct Vec<double> {
  using V = __m256d;
  static constexpr int kWidth = 4;
  DETNUM_AVX2 static V set1(double a) { return _mm256_set1_pd(a); }
  DETNUM_AVX2 static V load(const double* p) { return _mm256_load_pd(p); }
  DETNUM_AVX2 static void store(double* p, V v) { _mm256_store_pd(p, v); }
  DETNUM_AVX2 static V add(V a, V b) { return _mm256_add_pd(a, b); }
  DETNUM_AVX2 static V sub(V a, V b) { return _mm256_sub_pd(a, b); }
  DETNUM_AVX2 static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  DETNUM_AVX2 static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  DETNUM_AVX2 static V abs(V a) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), a); }
};

// --- loads, widened exactly to the accumulator type -------------------------------------------

DETNUM_AVX2 inline __m128i load128(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }
DETNUM_AVX2 inline __m128i load64(const void* p) { return _mm_loadl_epi64(static_cast<const __m128i*>(p)); }

// 8 lanes of float.
DETNUM_AVX2 inline __m256 widen8(const float* p) { return _mm256_loadu_ps(p); }
DETNUM_AVX2 inline __m256 widen8(const bf16* p) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(load128(p)), 16));
}
DETNUM_AVX2 inline __m256 widen8(const fp16* p) { return _mm256_cvtph_ps(load128(p)); }

// 4 lanes of double.
DETNUM_AVX2 inline __m256d widen4(const double* p) { return _mm256_loadu_pd(p); }
DETNUM_AVX2 inline __m256d widen4(const float* p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
DETNUM_AVX2 inline __m256d widen4(const bf16* p) {
  return _mm256_cvtps_pd(_mm_castsi128_ps(_mm_slli_epi32(_mm_cvtepu16_epi32(load64(p)), 16)));
}
DETNUM_AVX2 inline __m256d widen4(const fp16* p) { return _mm256_cvtps_pd(_mm_cvtph_ps(load64(p))); }

template <class A, class T>
DETNUM_AVX2 inline typename Vec<A>::V widen_load(const T* p) {
  if constexpr (std::is_same_v<A, float>) return widen8(p);
  else return widen4(p);
}

// --- the term, on one vector of lanes --------------------------------------------------------

template <ReduceTerm kTerm, class A>
struct TermConstants {
  typename Vec<A>::V shift, scale, scale2;
  DETNUM_AVX2 explicit TermConstants(const TermParams& p)
      : shift(Vec<A>::set1(static_cast<A>(p.shift))),
        scale(Vec<A>::set1(static_cast<A>(p.scale))),
        scale2(Vec<A>::set1(static_cast<A>(p.scale2))) {}
};

// The term on one vector of lanes whose elements are already widened (y: the dot's second operand).
template <ReduceTerm kTerm, class A, class V = typename Vec<A>::V>
DETNUM_AVX2 inline V term_vector(V a, V x, [[maybe_unused]] V y, const TermConstants<kTerm, A>& k) {
  using W = Vec<A>;
  if constexpr (kTerm == ReduceTerm::sum) return W::add(a, x);
  else if constexpr (kTerm == ReduceTerm::asum) return W::add(a, W::abs(x));
  else if constexpr (kTerm == ReduceTerm::dot) return W::fma(x, y, a);
  else if constexpr (kTerm == ReduceTerm::sq_dev) {
    const auto d = W::sub(x, k.shift);
    return W::fma(d, d, a);
  } else if constexpr (kTerm == ReduceTerm::sq) {
    return W::fma(x, x, a);
  } else {
    const auto t = W::mul(W::mul(x, k.scale), k.scale2);
    return W::fma(t, t, a);
  }
}

template <ReduceTerm kTerm, class A, class T>
DETNUM_AVX2 inline typename Vec<A>::V vector_step(typename Vec<A>::V a, const T* x, const T* y,
                                                  const TermConstants<kTerm, A>& k) {
  const auto xv = widen_load<A>(x);
  if constexpr (kTerm == ReduceTerm::dot) return term_vector<kTerm, A>(a, xv, widen_load<A>(y), k);
  else return term_vector<kTerm, A>(a, xv, xv, k);
}

// --- the fold of ORDER.md step 4, on vectors ---------------------------------------------------

DETNUM_AVX2 inline __m256 vadd(__m256 a, __m256 b) { return _mm256_add_ps(a, b); }
DETNUM_AVX2 inline __m256d vadd(__m256d a, __m256d b) { return _mm256_add_pd(a, b); }

// v[j] += v[j + h] for j < h, h = sizeof...(J): constant indices only, so that an array of lane
// vectors stays in registers (a loop over h and j kept it in memory: 16 stores and loads a chunk).
template <class V, std::size_t N, std::size_t... J>
DETNUM_AVX2 inline void fold_half(V (&v)[N], std::index_sequence<J...>) {
  ((v[J] = vadd(v[J], v[J + sizeof...(J)])), ...);
}

DETNUM_AVX2 inline float fold(__m256 (&v)[16]) {
  fold_half(v, std::make_index_sequence<8>{});  // lanes: h = 64
  fold_half(v, std::make_index_sequence<4>{});  // 32
  fold_half(v, std::make_index_sequence<2>{});  // 16
  fold_half(v, std::make_index_sequence<1>{});  // 8
  __m128 q = _mm_add_ps(_mm256_castps256_ps128(v[0]), _mm256_extractf128_ps(v[0], 1));  // h = 4
  q = _mm_add_ps(q, _mm_movehl_ps(q, q));                                                // h = 2
  q = _mm_add_ss(q, _mm_shuffle_ps(q, q, 1));                                            // h = 1
  return _mm_cvtss_f32(q);
}

DETNUM_AVX2 inline double fold(__m256d (&v)[32]) {
  fold_half(v, std::make_index_sequence<16>{});  // lanes: h = 64
  fold_half(v, std::make_index_sequence<8>{});   // 32
  fold_half(v, std::make_index_sequence<4>{});   // 16
  fold_half(v, std::make_index_sequence<2>{});   // 8
  fold_half(v, std::make_index_sequence<1>{});   // 4
  __m128d q = _mm_add_pd(_mm256_castpd256_pd128(v[0]), _mm256_extractf128_pd(v[0], 1));  // h = 2
  q = _mm_add_sd(q, _mm_unpackhi_pd(q, q));                                                // h = 1
  return _mm_cvtsd_f64(q);
}

template <class A>
DETNUM_AVX2 inline A fold(const A (&acc)[kReduceLanes]) {
  using W = Vec<A>;
  typename W::V v[kReduceLanes / W::kWidth];
  for (int j = 0; j < kReduceLanes / W::kWidth; ++j) v[j] = W::load(acc + j * W::kWidth);
  return fold(v);
}

// All ones in the lanes i < m of 8 (m may be <= 0 or >= 8).
DETNUM_AVX2 inline __m256i first_lanes(int m) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(m), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// Lanes i < m of `next` and the others of `prev`.
DETNUM_AVX2 inline __m256 lanes_below(__m256 prev, __m256 next, int m) {
  return _mm256_blendv_ps(prev, next, _mm256_castsi256_ps(first_lanes(m)));
}

// One step of the float lanes at x + offset (and y + offset for a dot) whose index is below m,
// the others loaded as 0 (their results are not kept).
template <ReduceTerm kTerm>
DETNUM_AVX2 inline __m256 masked_step(__m256 a, const float* x, const float* y, std::int64_t offset, int m,
                                      const TermConstants<kTerm, float>& k) {
  const __m256i mask = first_lanes(m);
  const __m256 xv = _mm256_maskload_ps(x + offset, mask);
  return term_vector<kTerm, float>(a, xv, kTerm == ReduceTerm::dot ? _mm256_maskload_ps(y + offset, mask) : xv, k);
}

// The chunk's last partial step (rest elements from done on: 1 .. 127), each vector keeping its
// new value only in the lanes that had an element (ORDER.md step 3), then the fold. Out of line,
// so that the lane vectors go through memory only in a chunk that has such a step: inline, its
// temporaries made the compiler keep them in memory after every chunk's last whole step (row
// sums of 512 x 1024 ran at 0.75x of Eigen's speed for it).
template <ReduceTerm kTerm, class A, class T, std::size_t... J>
[[gnu::noinline]] DETNUM_AVX2 A last_step_and_fold(typename Vec<A>::V (&r)[sizeof...(J)], const T* x, const T* y,
                                                   std::int64_t done, int rest, const TermConstants<kTerm, A>& k,
                                                   std::index_sequence<J...>) {
  using W = Vec<A>;
  if constexpr (std::is_same_v<T, float>) {  // masked loads, which read no element past the end
    ((r[J] = rest > static_cast<int>(J) * W::kWidth
                 ? lanes_below(r[J], masked_step<kTerm>(r[J], x, y, done + J * W::kWidth, rest - static_cast<int>(J) * W::kWidth, k),
                               rest - static_cast<int>(J) * W::kWidth)
                 : r[J]),
     ...);
  } else {  // bf16 and fp16: a copy padded to 128
    alignas(32) T xt[kReduceLanes] = {}, yt[kReduceLanes] = {};
    std::copy(x + done, x + done + rest, xt);
    if (kTerm == ReduceTerm::dot) std::copy(y + done, y + done + rest, yt);
    ((r[J] = lanes_below(r[J], vector_step<kTerm, A>(r[J], xt + J * W::kWidth, yt + J * W::kWidth, k),
                         rest - static_cast<int>(J) * W::kWidth)),
     ...);
  }
  return fold(r);
}

// A chunk of count (1 .. 8192) elements with every lane vector in registers (float: 16 vectors),
// without a trip through memory: from -0, the whole steps of 128, then the fold, or the last
// partial step and the fold out of line (above).
template <ReduceTerm kTerm, class A, class T, std::size_t... J>
DETNUM_AVX2 inline A chunk_in_registers(const T* x, const T* y, std::int64_t count, const TermConstants<kTerm, A>& k,
                                        std::index_sequence<J...>) {
  using W = Vec<A>;
  typename W::V r[sizeof...(J)];
  ((r[J] = W::set1(lane_identity<A>())), ...);
  const int steps = static_cast<int>(count / kReduceLanes);
  for (int s = 0; s < steps; ++s) {
    const std::int64_t i = static_cast<std::int64_t>(s) * kReduceLanes;
    ((r[J] = vector_step<kTerm, A>(r[J], x + i + J * W::kWidth, kTerm == ReduceTerm::dot ? y + i + J * W::kWidth : nullptr,
                                   k)),
     ...);
  }
  const int rest = static_cast<int>(count) - steps * kReduceLanes;
  if (rest <= 0) return fold(r);
  typename W::V in_memory[sizeof...(J)] = {r[J]...};  // a copy: r's own address is never taken
  return last_step_and_fold<kTerm, A>(in_memory, x, y, static_cast<std::int64_t>(steps) * kReduceLanes, rest, k,
                                      std::index_sequence<J...>{});
}

// Steps [s0, s1) of the lane vectors v0 .. v0 + sizeof...(J) - 1, held in registers: each
// vector's accumulator is loaded from acc, takes the steps in order, and is stored back.
template <ReduceTerm kTerm, class A, class T, std::size_t... J>
DETNUM_AVX2 inline void sweep(A* acc, int v0, const T* x, const T* y, int s0, int s1, const TermConstants<kTerm, A>& k,
                              std::index_sequence<J...>) {
  using W = Vec<A>;
  typename W::V r[sizeof...(J)];
  ((r[J] = W::load(acc + (v0 + static_cast<int>(J)) * W::kWidth)), ...);
  for (int s = s0; s < s1; ++s) {
    const std::int64_t i = static_cast<std::int64_t>(s) * kReduceLanes + v0 * W::kWidth;
    ((r[J] = vector_step<kTerm, A>(r[J], x + i + J * W::kWidth, kTerm == ReduceTerm::dot ? y + i + J * W::kWidth : nullptr,
                                   k)),
     ...);
  }
  ((W::store(acc + (v0 + static_cast<int>(J)) * W::kWidth, r[J])), ...);
}

}  // namespace

template <ReduceTerm kTerm, class T>
DETNUM_AVX2 term_accum_t<kTerm, T> chunk_partial_avx2(const T* x, const T* y, std::int64_t count, const TermParams& p) {
  using A = term_accum_t<kTerm, T>;
  using W = Vec<A>;
  constexpr int kVectors = kReduceLanes / W::kWidth;  // 16 or 32
  constexpr int kHeld = kHeldVectors<A, T>, kSteps = kStepBlock<A, T>;
  const TermConstants<kTerm, A> k(p);
  if constexpr (kHeld == kVectors) return chunk_in_registers<kTerm, A>(x, y, count, k, std::make_index_sequence<kVectors>{});

  alignas(32) A acc[kReduceLanes];
  for (int l = 0; l < kReduceLanes; l += W::kWidth) W::store(acc + l, W::set1(lane_identity<A>()));

  const int steps = static_cast<int>(count / kReduceLanes);
  for (int s0 = 0; s0 < steps; s0 += kSteps) {
    const int s1 = std::min(s0 + kSteps, steps);
    for (int v0 = 0; v0 < kVectors; v0 += kHeld) sweep<kTerm>(acc, v0, x, y, s0, s1, k, std::make_index_sequence<kHeld>{});
  }
  const std::int64_t done = static_cast<std::int64_t>(steps) * kReduceLanes;
  for (int l = 0; l < count - done; ++l) acc[l] = term_step<kTerm, T>(acc[l], x, y, done + l, p);
  return fold(acc);
}

// --- extremes ----------------------------------------------------------------------------------

namespace {

constexpr std::int64_t kExtremeBlock = 2048;

template <class T>
auto widened_bits(T v) {
  return bits_of(widen(v));
}

template <ExtremeKey kKey>
DETNUM_AVX2 inline __m256i keys8(__m256i b) {
  if constexpr (kKey == ExtremeKey::max || kKey == ExtremeKey::min) {
    const __m256i ordered = _mm256_xor_si256(b, _mm256_srli_epi32(_mm256_srai_epi32(b, 31), 1));
    return kKey == ExtremeKey::max ? ordered : _mm256_xor_si256(ordered, _mm256_set1_epi32(-1));
  } else {
    const __m256i magnitude = _mm256_and_si256(b, _mm256_set1_epi32(0x7FFFFFFF));
    return kKey == ExtremeKey::amax ? magnitude : _mm256_xor_si256(magnitude, _mm256_set1_epi32(-1));
  }
}

template <ExtremeKey kKey>
DETNUM_AVX2 inline __m256i keys4(__m256i b) {
  if constexpr (kKey == ExtremeKey::max || kKey == ExtremeKey::min) {
    const __m256i sign = _mm256_cmpgt_epi64(_mm256_setzero_si256(), b);
    const __m256i ordered = _mm256_xor_si256(b, _mm256_srli_epi64(sign, 1));
    return kKey == ExtremeKey::max ? ordered : _mm256_xor_si256(ordered, _mm256_set1_epi64x(-1));
  } else {
    const __m256i magnitude = _mm256_and_si256(b, _mm256_set1_epi64x(0x7FFFFFFFFFFFFFFFll));
    return kKey == ExtremeKey::amax ? magnitude : _mm256_xor_si256(magnitude, _mm256_set1_epi64x(-1));
  }
}

DETNUM_AVX2 inline std::int32_t hmax(__m256i v) {
  __m128i q = _mm_max_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  q = _mm_max_epi32(q, _mm_shuffle_epi32(q, 0x4E));
  q = _mm_max_epi32(q, _mm_shuffle_epi32(q, 0xB1));
  return _mm_cvtsi128_si32(q);
}

DETNUM_AVX2 inline __m256i max64(__m256i a, __m256i b) { return _mm256_blendv_epi8(a, b, _mm256_cmpgt_epi64(b, a)); }

DETNUM_AVX2 inline std::int64_t hmax64(__m256i v) {
  alignas(32) std::int64_t l[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(l), v);
  return std::max(std::max(l[0], l[1]), std::max(l[2], l[3]));
}

// Over [b, e): the largest key, and whether there is a NaN (then the key means nothing). amax's
// key is the magnitude's bits, larger for a NaN than for any number, so its maximum tells
// whether there is a NaN and the vector loop needs no comparison of its own.
template <ExtremeKey kKey, class T>
DETNUM_AVX2 auto block_max(const T* x, std::int64_t b, std::int64_t e, bool& nan) {
  constexpr int kUnroll = 4;
  constexpr bool kNanInKey = kKey == ExtremeKey::amax;
  if constexpr (std::is_same_v<T, double>) {
    constexpr int kW = 4;
    __m256i m[kUnroll];
    __m256d un = _mm256_setzero_pd();
    for (auto& v : m) v = _mm256_set1_epi64x(std::numeric_limits<std::int64_t>::min());
    std::int64_t i = b;
    for (; i + kUnroll * kW <= e; i += kUnroll * kW)
      for (int u = 0; u < kUnroll; ++u) {
        const __m256d v = _mm256_loadu_pd(x + i + u * kW);
        if constexpr (!kNanInKey) un = _mm256_or_pd(un, _mm256_cmp_pd(v, v, _CMP_UNORD_Q));
        m[u] = max64(m[u], keys4<kKey>(_mm256_castpd_si256(v)));
      }
    std::int64_t best = hmax64(max64(max64(m[0], m[1]), max64(m[2], m[3])));
    nan = _mm256_movemask_pd(un) != 0;
    for (; i < e; ++i) {
      const std::uint64_t bits = bits_of(x[i]);
      nan = nan || (bits & 0x7FFFFFFFFFFFFFFFull) > 0x7FF0000000000000ull;
      best = std::max(best, extreme_key<kKey>(bits));
    }
    if constexpr (kNanInKey) nan = nan || best > std::int64_t{0x7FF0000000000000};
    return best;
  } else {
    constexpr int kW = 8;
    __m256i m[kUnroll];
    __m256 un = _mm256_setzero_ps();
    for (auto& v : m) v = _mm256_set1_epi32(std::numeric_limits<std::int32_t>::min());
    std::int64_t i = b;
    for (; i + kUnroll * kW <= e; i += kUnroll * kW)
      for (int u = 0; u < kUnroll; ++u) {
        const __m256 v = widen8(x + i + u * kW);
        if constexpr (!kNanInKey) un = _mm256_or_ps(un, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
        m[u] = _mm256_max_epi32(m[u], keys8<kKey>(_mm256_castps_si256(v)));
      }
    std::int32_t best = hmax(_mm256_max_epi32(_mm256_max_epi32(m[0], m[1]), _mm256_max_epi32(m[2], m[3])));
    nan = _mm256_movemask_ps(un) != 0;
    for (; i < e; ++i) {
      const std::uint32_t bits = widened_bits(x[i]);
      nan = nan || (bits & 0x7FFFFFFFu) > 0x7F800000u;
      best = std::max(best, extreme_key<kKey>(bits));
    }
    if constexpr (kNanInKey) nan = nan || best > std::int32_t{0x7F800000};
    return best;
  }
}

// The first index in [b, e) whose key is `key` (there is one), 8 (double: 4) keys at a time.
template <ExtremeKey kKey, class T, class Key>
DETNUM_AVX2 std::int64_t first_with_key(const T* x, std::int64_t b, std::int64_t e, Key key) {
  std::int64_t i = b;
  if constexpr (std::is_same_v<T, double>) {
    const __m256i k = _mm256_set1_epi64x(key);
    for (; i + 4 <= e; i += 4) {
      const __m256i eq = _mm256_cmpeq_epi64(keys4<kKey>(_mm256_castpd_si256(_mm256_loadu_pd(x + i))), k);
      if (const int m = _mm256_movemask_pd(_mm256_castsi256_pd(eq)); m != 0) return i + __builtin_ctz(m);
    }
  } else {
    const __m256i k = _mm256_set1_epi32(key);
    for (; i + 8 <= e; i += 8) {
      const __m256i eq = _mm256_cmpeq_epi32(keys8<kKey>(_mm256_castps_si256(widen8(x + i))), k);
      if (const int m = _mm256_movemask_ps(_mm256_castsi256_ps(eq)); m != 0) return i + __builtin_ctz(m);
    }
  }
  for (;; ++i)
    if (extreme_key<kKey>(widened_bits(x[i])) == key) return i;
}

}  // namespace

template <ExtremeKey kKey, class T>
DETNUM_AVX2 std::int64_t extreme_index_avx2(const T* x, std::int64_t begin, std::int64_t end) {
  using Key = decltype(extreme_key<kKey>(widened_bits(x[0])));
  Key best = std::numeric_limits<Key>::min();
  std::int64_t best_block = -1;
  for (std::int64_t b = begin; b < end; b += kExtremeBlock) {
    const std::int64_t e = std::min(b + kExtremeBlock, end);
    bool nan = false;
    const Key m = block_max<kKey>(x, b, e, nan);
    if (nan) {
      for (std::int64_t i = b;; ++i)
        if (widen(x[i]) != widen(x[i])) return i;
    }
    if (best_block < 0 || m > best) {
      best = m;
      best_block = b;
    }
  }
  return first_with_key<kKey>(x, best_block, std::min(best_block + kExtremeBlock, end), best);
}

#define DETNUM_REDUCE_AVX2_TERMS(T)                                                                                   \
  template term_accum_t<ReduceTerm::sum, T> chunk_partial_avx2<ReduceTerm::sum, T>(const T*, const T*, std::int64_t,   \
                                                                                   const TermParams&);                \
  template term_accum_t<ReduceTerm::asum, T> chunk_partial_avx2<ReduceTerm::asum, T>(const T*, const T*, std::int64_t, \
                                                                                     const TermParams&);              \
  template term_accum_t<ReduceTerm::dot, T> chunk_partial_avx2<ReduceTerm::dot, T>(const T*, const T*, std::int64_t,   \
                                                                                   const TermParams&);                \
  template term_accum_t<ReduceTerm::sq_dev, T> chunk_partial_avx2<ReduceTerm::sq_dev, T>(const T*, const T*,           \
                                                                                         std::int64_t,                \
                                                                                         const TermParams&);          \
  template std::int64_t extreme_index_avx2<ExtremeKey::max, T>(const T*, std::int64_t, std::int64_t);                 \
  template std::int64_t extreme_index_avx2<ExtremeKey::min, T>(const T*, std::int64_t, std::int64_t);                 \
  template std::int64_t extreme_index_avx2<ExtremeKey::amax, T>(const T*, std::int64_t, std::int64_t);                \
  template std::int64_t extreme_index_avx2<ExtremeKey::amin, T>(const T*, std::int64_t, std::int64_t);
DETNUM_REDUCE_AVX2_TERMS(float)
DETNUM_REDUCE_AVX2_TERMS(double)
DETNUM_REDUCE_AVX2_TERMS(bf16)
DETNUM_REDUCE_AVX2_TERMS(fp16)
#undef DETNUM_REDUCE_AVX2_TERMS
template double chunk_partial_avx2<ReduceTerm::sq, float>(const float*, const float*, std::int64_t, const TermParams&);
template double chunk_partial_avx2<ReduceTerm::sq, bf16>(const bf16*, const bf16*, std::int64_t, const TermParams&);
template double chunk_partial_avx2<ReduceTerm::sq, fp16>(const fp16*, const fp16*, std::int64_t, const TermParams&);
template double chunk_partial_avx2<ReduceTerm::sq_scaled, double>(const double*, const double*, std::int64_t,
                                                                  const TermParams&);

}  // namespace detnum::detail
