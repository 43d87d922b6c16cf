// The pieces of the CPU reduction path that the portable code (reduce.cpp) and the AVX2 kernels
// (reduce_avx2.cpp) share: which term a reduction folds into its lanes, the scalar form of that
// term (the portable code, and the AVX2 kernels' last partial step of 128), and the keys that
// turn the six extremes into one search. Both paths give the same bits; the tests run both.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "detnum/detail/reduce_order.hpp"

namespace detnum::detail {

// The step functions of ORDER.md's R(n, step), one per reduction; w is the widening.
enum class ReduceTerm {
  sum,        // a + w(x_i)
  asum,       // a + |w(x_i)|
  dot,        // fma(w(x_i), w(y_i), a)
  sq_dev,     // d = w(x_i) - shift; fma(d, d, a)                  (variance's second pass)
  sq,         // t = double(w(x_i)); fma(t, t, a), in double       (nrm2 of float, bf16, fp16)
  sq_scaled,  // t = x_i * scale * scale2; fma(t, t, a)            (nrm2 of double, second pass)
};

// The accumulator of a term over inputs T: accum_t<T>, except that squares of float, bf16 and
// fp16 accumulate in double.
template <ReduceTerm kTerm, class T>
using term_accum_t = std::conditional_t<kTerm == ReduceTerm::sq, double, accum_t<T>>;

// The parameters some terms take. shift (variance's mean) holds a value of the accumulator
// type, so the conversion back is exact.
struct TermParams {
  double shift = 0;
  double scale = 1, scale2 = 1;
};

// step(a, i) for one element.
template <ReduceTerm kTerm, class T, class A = term_accum_t<kTerm, T>>
inline A term_step(A a, const T* x, const T* y, std::int64_t i, const TermParams& p) {
  if constexpr (kTerm == ReduceTerm::sum) return a + widen(x[i]);
  else if constexpr (kTerm == ReduceTerm::asum) return a + std::fabs(widen(x[i]));
  else if constexpr (kTerm == ReduceTerm::dot) return std::fma(widen(x[i]), widen(y[i]), a);
  else if constexpr (kTerm == ReduceTerm::sq_dev) {
    const A d = widen(x[i]) - static_cast<A>(p.shift);
    return std::fma(d, d, a);
  } else if constexpr (kTerm == ReduceTerm::sq) {
    const double t = widen(x[i]);
    return std::fma(t, t, a);
  } else {
    static_assert(std::is_same_v<T, double>);
    const double t = x[i] * p.scale * p.scale2;
    return std::fma(t, t, a);
  }
}

// The partial of one chunk: `count` (1 .. 8192) elements from x (and y for dot), 128 lanes from
// -0, folded in halves (ORDER.md steps 3 and 4).
template <ReduceTerm kTerm, class T>
[[gnu::target("avx2,fma,f16c")]] term_accum_t<kTerm, T> chunk_partial_avx2(const T* x, const T* y, std::int64_t count, const TermParams& p);

// The extremes as one search: the lowest index of the largest key, where the key orders the
// values as the op does (+0 above -0) and a NaN anywhere wins at its first index. Keys are
// signed integers made from the widened value's bits; NaNs are found apart from the keys (but
// for amax, whose key is larger for a NaN than for any number).
enum class ExtremeKey { max, min, amax, amin };

template <ExtremeKey kKey>
inline std::int32_t extreme_key(std::uint32_t bits) {
  const auto s = static_cast<std::int32_t>(bits);
  const auto ordered = static_cast<std::int32_t>(bits ^ (static_cast<std::uint32_t>(s >> 31) >> 1));  // -0 below +0
  const auto magnitude = static_cast<std::int32_t>(bits & 0x7FFFFFFFu);
  if constexpr (kKey == ExtremeKey::max) return ordered;
  else if constexpr (kKey == ExtremeKey::min) return ~ordered;
  else if constexpr (kKey == ExtremeKey::amax) return magnitude;
  else return ~magnitude;
}
template <ExtremeKey kKey>
inline std::int64_t extreme_key(std::uint64_t bits) {
  const auto s = static_cast<std::int64_t>(bits);
  const auto ordered = static_cast<std::int64_t>(bits ^ (static_cast<std::uint64_t>(s >> 63) >> 1));
  const auto magnitude = static_cast<std::int64_t>(bits & 0x7FFFFFFFFFFFFFFFull);
  if constexpr (kKey == ExtremeKey::max) return ordered;
  else if constexpr (kKey == ExtremeKey::min) return ~ordered;
  else if constexpr (kKey == ExtremeKey::amax) return magnitude;
  else return ~magnitude;
}

// The index in [begin, end) (begin < end) of the first NaN if there is one, else of the first
// largest key.
template <ExtremeKey kKey, class T>
[[gnu::target("avx2,fma,f16c")]] std::int64_t extreme_index_avx2(const T* x, std::int64_t begin, std::int64_t end);

}  // namespace detnum::detail
