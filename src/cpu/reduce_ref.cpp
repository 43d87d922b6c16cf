// The scalar references for reductions: docs/ORDER.md's canonical order as plain loops. Every
// fast path and kernel is tested against these, bit for bit.
#include <cmath>
#include <vector>

#include "common/reduce_checks.hpp"
#include "detnum/reduce.hpp"

namespace detnum::ref {
namespace {

using detail::kReduceChunk;
using detail::kReduceLanes;
using detail::kReduceSteps;

// One level of ORDER.md's R(n, step): the partial of every 8192-element chunk, 128 lanes from
// -0 folded in halves.
template <class A, class Step>
std::vector<A> chunk_partials(std::int64_t n, const Step& step) {
  std::vector<A> partials(static_cast<std::size_t>(detail::reduce_chunks(n)));
  for (std::size_t c = 0; c < partials.size(); ++c) {
    A a[kReduceLanes];
    for (A& lane : a) lane = detail::lane_identity<A>();
    for (int s = 0; s < kReduceSteps; ++s)
      for (int l = 0; l < kReduceLanes; ++l) {
        const std::int64_t i = static_cast<std::int64_t>(c) * kReduceChunk + s * kReduceLanes + l;
        if (i < n) a[l] = step(a[l], i);
        else s = kReduceSteps;  // past the end: no later step has an element either
      }
    partials[c] = detail::fold_lanes(a);
  }
  return partials;
}

// R(n, step): chunk partials, then the partials reduced the same way until one value remains.
template <class A, class Step>
A canonical_reduce(std::int64_t n, const Step& step) {
  if (n == 0) return A(0);
  std::vector<A> p = chunk_partials<A>(n, step);
  while (p.size() > 1)
    p = chunk_partials<A>(static_cast<std::int64_t>(p.size()), [&p](A a, std::int64_t c) { return a + p[static_cast<std::size_t>(c)]; });
  return p[0];
}

template <class T>
void check(const char* fn, const T* x, std::int64_t n, bool nonempty = false) {
  detail::check_reduce_input(fn, "x", x, n, sizeof(T), nonempty, detail::kHostReader);
}

// 2^k for k in [-1074, 1023], exactly.
double pow2(int k) {
  return k >= -1022 ? double_from_bits(static_cast<std::uint64_t>(k + 1023) << 52)
                    : double_from_bits(std::uint64_t{1} << (k + 1074));
}

// The extreme under `better` (a strict order in which +0 beats -0 for max): its index, the
// first NaN's index if there is one.
template <class T, class Key, class Better>
std::int64_t extreme_index(const T* x, std::int64_t n, const Key& key, const Better& better) {
  std::int64_t best = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const auto v = key(detail::widen(x[i]));
    if (v != v) return i;
    if (i > 0 && better(v, key(detail::widen(x[best])))) best = i;
  }
  return best;
}

// a > b in the order of max: numeric, and +0 > -0.
template <class A>
bool greater(A a, A b) {
  return a > b || (a == 0 && b == 0 && !std::signbit(a) && std::signbit(b));
}

template <class A>
A magnitude(A v) { return std::fabs(v); }
template <class A>
A identity(A v) { return v; }

}  // namespace

template <Reducible T>
accum_t<T> sum(const T* x, std::int64_t n) {
  check("ref::sum", x, n);
  using A = accum_t<T>;
  return canonicalize(canonical_reduce<A>(n, [&](A a, std::int64_t i) { return a + detail::widen(x[i]); }));
}

template <Reducible T>
accum_t<T> asum(const T* x, std::int64_t n) {
  check("ref::asum", x, n);
  using A = accum_t<T>;
  return canonicalize(canonical_reduce<A>(n, [&](A a, std::int64_t i) { return a + std::fabs(detail::widen(x[i])); }));
}

template <Reducible T>
accum_t<T> dot(const T* x, const T* y, std::int64_t n) {
  check("ref::dot", x, n);
  detail::check_reduce_input("ref::dot", "y", y, n, sizeof(T), false, detail::kHostReader);
  using A = accum_t<T>;
  return canonicalize(
      canonical_reduce<A>(n, [&](A a, std::int64_t i) { return std::fma(detail::widen(x[i]), detail::widen(y[i]), a); }));
}

template <Reducible T>
accum_t<T> mean(const T* x, std::int64_t n) {
  check("ref::mean", x, n);
  using A = accum_t<T>;
  return canonicalize(ref::sum(x, n) / static_cast<A>(n));
}

template <Reducible T>
accum_t<T> variance(const T* x, std::int64_t n, Ddof d) {
  const std::int64_t ddof = d.value;
  check("ref::variance", x, n);
  detail::check_ddof("ref::variance", ddof);
  using A = accum_t<T>;
  if (n - ddof <= 0) return canonicalize(A(NAN));
  const A m = ref::mean(x, n);
  const A ss = canonical_reduce<A>(n, [&](A a, std::int64_t i) {
    const A d = detail::widen(x[i]) - m;
    return std::fma(d, d, a);
  });
  return canonicalize(ss / static_cast<A>(n - ddof));
}

template <Reducible T>
accum_t<T> nrm2(const T* x, std::int64_t n) {
  check("ref::nrm2", x, n);
  if constexpr (std::is_same_v<T, double>) {
    if (n == 0) return 0.0;
    const double s = ref::amax(x, n);
    if (s != s || s == 0.0 || std::isinf(s)) return canonicalize(s);
    const int k = std::ilogb(s);
    // t_i = x_i * 2^-k: one multiplication, or two when 2^-k is beyond 2^1023 (s subnormal).
    const double down = -k <= 1023 ? pow2(-k) : pow2(1023), down2 = -k <= 1023 ? 1.0 : pow2(-k - 1023);
    const double ss = canonical_reduce<double>(n, [&](double a, std::int64_t i) {
      const double t = x[i] * down * down2;
      return std::fma(t, t, a);
    });
    return canonicalize(std::sqrt(ss) * pow2(k));
  } else {
    const double ss = canonical_reduce<double>(n, [&](double a, std::int64_t i) {
      const double t = detail::widen(x[i]);
      return std::fma(t, t, a);
    });
    return canonicalize(static_cast<float>(std::sqrt(ss)));
  }
}

template <Reducible T>
std::int64_t argmax(const T* x, std::int64_t n) {
  check("ref::argmax", x, n, true);
  return extreme_index(x, n, identity<accum_t<T>>, greater<accum_t<T>>);
}
template <Reducible T>
std::int64_t argmin(const T* x, std::int64_t n) {
  check("ref::argmin", x, n, true);
  return extreme_index(x, n, identity<accum_t<T>>, [](auto a, auto b) { return greater(b, a); });
}
template <Reducible T>
accum_t<T> max(const T* x, std::int64_t n) {
  check("ref::max", x, n, true);
  return canonicalize(detail::widen(x[extreme_index(x, n, identity<accum_t<T>>, greater<accum_t<T>>)]));
}
template <Reducible T>
accum_t<T> min(const T* x, std::int64_t n) {
  check("ref::min", x, n, true);
  return canonicalize(detail::widen(x[ref::argmin(x, n)]));
}
template <Reducible T>
accum_t<T> amax(const T* x, std::int64_t n) {
  check("ref::amax", x, n, true);
  const auto i = extreme_index(x, n, magnitude<accum_t<T>>, greater<accum_t<T>>);
  return canonicalize(std::fabs(detail::widen(x[i])));
}
template <Reducible T>
accum_t<T> amin(const T* x, std::int64_t n) {
  check("ref::amin", x, n, true);
  const auto i = extreme_index(x, n, magnitude<accum_t<T>>, [](auto a, auto b) { return greater(b, a); });
  return canonicalize(std::fabs(detail::widen(x[i])));
}

// Each row, and each column, is a vector reduced by R(n, step) on its own (ORDER.md, "Axis sums").
template <Reducible T>
void row_sums(const T* x, const MatrixLayout& m, accum_t<T>* out) {
  detail::check_axis_call("ref::row_sums", x, m, sizeof(T), out, true, sizeof(accum_t<T>), detail::kHostReader);
  using A = accum_t<T>;
  // Offsets are formed only for elements read: a layout that names none was not bounded.
  for (std::int64_t b = 0; b < m.batch; ++b)
    for (std::int64_t i = 0; i < m.rows; ++i)
      out[b * m.rows + i] = canonicalize(canonical_reduce<A>(
          m.cols, [&](A a, std::int64_t j) { return a + detail::widen(x[b * m.batch_stride + i * m.ld + j]); }));
}

template <Reducible T>
void column_sums(const T* x, const MatrixLayout& m, accum_t<T>* out) {
  detail::check_axis_call("ref::column_sums", x, m, sizeof(T), out, false, sizeof(accum_t<T>), detail::kHostReader);
  using A = accum_t<T>;
  for (std::int64_t b = 0; b < m.batch; ++b)
    for (std::int64_t j = 0; j < m.cols; ++j)
      out[b * m.cols + j] = canonicalize(canonical_reduce<A>(
          m.rows, [&](A a, std::int64_t i) { return a + detail::widen(x[b * m.batch_stride + i * m.ld + j]); }));
}

#define DETNUM_REF_REDUCE(T)                                                          \
  template accum_t<T> sum<T>(const T*, std::int64_t);                                 \
  template accum_t<T> asum<T>(const T*, std::int64_t);                                \
  template accum_t<T> dot<T>(const T*, const T*, std::int64_t);                       \
  template accum_t<T> nrm2<T>(const T*, std::int64_t);                                \
  template accum_t<T> mean<T>(const T*, std::int64_t);                                \
  template accum_t<T> variance<T>(const T*, std::int64_t, Ddof);                      \
  template accum_t<T> max<T>(const T*, std::int64_t);                                 \
  template accum_t<T> min<T>(const T*, std::int64_t);                                 \
  template accum_t<T> amax<T>(const T*, std::int64_t);                                \
  template accum_t<T> amin<T>(const T*, std::int64_t);                                \
  template std::int64_t argmax<T>(const T*, std::int64_t);                            \
  template std::int64_t argmin<T>(const T*, std::int64_t);                            \
  template void row_sums<T>(const T*, const MatrixLayout&, accum_t<T>*);              \
  template void column_sums<T>(const T*, const MatrixLayout&, accum_t<T>*);
DETNUM_REF_REDUCE(float)
DETNUM_REF_REDUCE(double)
DETNUM_REF_REDUCE(bf16)
DETNUM_REF_REDUCE(fp16)
#undef DETNUM_REF_REDUCE

}  // namespace detnum::ref
