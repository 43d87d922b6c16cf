// The fast CPU path for reductions: docs/ORDER.md's canonical order with threads and SIMD.
//
// Threads take contiguous ranges of whole chunks (detail::parallel_ranges, with a grain of whole
// chunks that read at least kThreadGrainBytes) and write each chunk's partial into its slot of a
// vector; the partials are then reduced by the same order on one thread (they are 8192 times
// fewer). Inside a chunk, the 128 lanes are either the AVX2 kernels of reduce_avx2.cpp (16
// vectors of 8 floats or 32 of 4 doubles, picked at run time) or the portable code below: an
// array of 128 accumulators swept one step of 128 elements at a time. For the baseline x86-64
// ISA the compiler vectorizes the portable sweep of sum and asum (SSE2); terms with an fma call
// libm's fma per element there (no FMA instruction in the baseline), and fp16 widening branches,
// so CpuSimd::portable is the slow, obviously-portable path. Which thread computes a chunk and
// how its lanes are vectorized never changes a bit: every lane sees its own elements in order
// and the fold is the reference's.
//
// The extremes are exact, so any order gives the same answer: each thread finds the first NaN
// or the first largest key (reduce_avx2.hpp) of its range, and the ranges are combined in index
// order, so that the lowest index wins ties and the first NaN wins over everything.
#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "common/reduce_checks.hpp"
#include "common/validate.hpp"
#include "cpu/cpu_features.hpp"
#include "cpu/parallel.hpp"
#include "cpu/reduce_avx2.hpp"
#include "cpu/reduce_cpu.hpp"
#include "detnum/reduce.hpp"

namespace detnum {
namespace {

using detail::ExtremeKey;
using detail::kReduceChunk;
using detail::kReduceLanes;
using detail::ReduceTerm;
using detail::term_accum_t;
using detail::TermParams;

// The unit of the thread ranges: whole chunks, as many as read kThreadGrainBytes (8 chunks of
// floats for a sum, 4 for a dot).
constexpr std::int64_t grain_of(std::int64_t bytes_per_element) {
  return std::max<std::int64_t>(1, detail::kThreadGrainBytes / (kReduceChunk * bytes_per_element)) * kReduceChunk;
}
constexpr std::int64_t kExtremeBlock = 2048;

// --- the canonical order -----------------------------------------------------------------------

template <ReduceTerm kTerm, class T>
term_accum_t<kTerm, T> chunk_partial_portable(const T* x, const T* y, std::int64_t count, const TermParams& p) {
  using A = term_accum_t<kTerm, T>;
  A acc[kReduceLanes];
  for (A& a : acc) a = detail::lane_identity<A>();
  std::int64_t i = 0;
  for (; i + kReduceLanes <= count; i += kReduceLanes) {
    const T *xi = x + i, *yi = y ? y + i : nullptr;
    for (int l = 0; l < kReduceLanes; ++l) acc[l] = detail::term_step<kTerm>(acc[l], xi, yi, l, p);
  }
  for (int l = 0; i + l < count; ++l) acc[l] = detail::term_step<kTerm>(acc[l], x + i, y ? y + i : y, l, p);
  return detail::fold_lanes(acc);
}

// The partial of chunk c of n elements.
template <ReduceTerm kTerm, class T>
term_accum_t<kTerm, T> chunk_partial(const T* x, const T* y, std::int64_t n, std::int64_t c, const TermParams& p,
                                     bool avx2) {
  const std::int64_t begin = c * kReduceChunk, count = std::min(kReduceChunk, n - begin);
  const T* yc = y ? y + begin : nullptr;
  return avx2 ? detail::chunk_partial_avx2<kTerm>(x + begin, yc, count, p)
              : chunk_partial_portable<kTerm>(x + begin, yc, count, p);
}

// ORDER.md step 5: the m partials in p reduced as a sum, level after level, until one is left.
// In place: partial c of the next level reads p[8192c ..] and is written to p[c], which an
// earlier chunk of the same level has read already.
template <class A>
A reduce_partials(A* p, std::int64_t m, bool avx2) {
  for (; m > 1; m = detail::reduce_chunks(m))
    for (std::int64_t c = 0; c < detail::reduce_chunks(m); ++c)
      p[c] = chunk_partial<ReduceTerm::sum, A>(p, nullptr, m, c, {}, avx2);
  return p[0];
}

// R(n, step) for the term; not canonicalized. The partials of up to kStackPartials chunks (4 Mi
// elements) stay on the stack, so that a call of a few chunks allocates nothing.
template <ReduceTerm kTerm, class T>
term_accum_t<kTerm, T> canonical_reduce(const T* x, const T* y, std::int64_t n, const TermParams& p, CpuOptions opt) {
  using A = term_accum_t<kTerm, T>;
  constexpr std::int64_t kStackPartials = 512;
  if (n == 0) return A(0);
  const bool avx2 = detail::use_reduce_avx2(opt);
  if (n <= kReduceChunk) return chunk_partial<kTerm>(x, y, n, 0, p, avx2);
  const std::int64_t chunks = detail::reduce_chunks(n);
  A on_stack[kStackPartials];
  std::vector<A> on_heap(chunks > kStackPartials ? static_cast<std::size_t>(chunks) : 0);
  A* const partials = chunks > kStackPartials ? on_heap.data() : on_stack;
  constexpr std::int64_t grain = grain_of(static_cast<std::int64_t>(sizeof(T)) * (kTerm == ReduceTerm::dot ? 2 : 1));
  detail::parallel_ranges(n, grain, opt.threads, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t c = begin / kReduceChunk; c < detail::reduce_chunks(end); ++c)
      partials[c] = chunk_partial<kTerm>(x, y, n, c, p, avx2);
  });
  return reduce_partials(partials, chunks, avx2);
}

// --- extremes ----------------------------------------------------------------------------------

template <class T>
auto widened_bits(T v) {
  return bits_of(detail::widen(v));
}
template <class T>
bool is_nan(T v) {
  const auto a = detail::widen(v);
  return a != a;
}

// The first NaN, else the first largest key, in [begin, end), one block at a time: a block's
// largest key (a loop the compiler vectorizes) and whether it holds a NaN; the block of the
// best key is searched again at the end.
template <ExtremeKey kKey, class T>
std::int64_t extreme_index_portable(const T* x, std::int64_t begin, std::int64_t end) {
  using Key = decltype(detail::extreme_key<kKey>(widened_bits(x[0])));
  Key best = std::numeric_limits<Key>::min();
  std::int64_t best_block = -1;
  for (std::int64_t b = begin; b < end; b += kExtremeBlock) {
    const std::int64_t e = std::min(b + kExtremeBlock, end);
    Key m = std::numeric_limits<Key>::min();
    unsigned nan = 0;
    for (std::int64_t i = b; i < e; ++i) {
      const auto bits = widened_bits(x[i]);
      if constexpr (sizeof(bits) == 4) nan |= (bits & 0x7FFFFFFFu) > 0x7F800000u ? 1u : 0u;
      else nan |= (bits & 0x7FFFFFFFFFFFFFFFull) > 0x7FF0000000000000ull ? 1u : 0u;
      const Key k = detail::extreme_key<kKey>(bits);
      m = k > m ? k : m;
    }
    if (nan)
      for (std::int64_t i = b;; ++i)
        if (is_nan(x[i])) return i;
    if (best_block < 0 || m > best) {
      best = m;
      best_block = b;
    }
  }
  for (std::int64_t i = best_block;; ++i)
    if (detail::extreme_key<kKey>(widened_bits(x[i])) == best) return i;
}

// Per thread range, then the ranges in index order: the first NaN, else the largest key with
// the lowest index.
template <ExtremeKey kKey, class T>
std::int64_t extreme_index(const T* x, std::int64_t n, CpuOptions opt) {
  const bool avx2 = detail::use_reduce_avx2(opt);
  const auto search = [&](std::int64_t begin, std::int64_t end) {
    return avx2 ? detail::extreme_index_avx2<kKey>(x, begin, end) : extreme_index_portable<kKey>(x, begin, end);
  };
  constexpr std::int64_t grain = grain_of(sizeof(T));
  if (n <= grain || opt.threads == 1) return search(0, n);
  std::vector<std::int64_t> found(static_cast<std::size_t>((n + grain - 1) / grain), -1);
  detail::parallel_ranges(n, grain, opt.threads, [&](std::int64_t begin, std::int64_t end) {
    found[static_cast<std::size_t>(begin / grain)] = search(begin, end);
  });
  std::int64_t best = -1;
  for (const std::int64_t i : found) {
    if (i < 0) continue;
    if (is_nan(x[i])) return i;
    if (best < 0 || detail::extreme_key<kKey>(widened_bits(x[i])) > detail::extreme_key<kKey>(widened_bits(x[best])))
      best = i;
  }
  return best;
}

// --- entry points ------------------------------------------------------------------------------

template <class T>
void check_x(const char* fn, const T* x, std::int64_t n, bool nonempty = false) {
  detail::check_reduce_input(fn, "x", x, n, sizeof(T), nonempty, detail::kHostReader);
}

// 2^k for k in [-1074, 1023], exactly.
double pow2(int k) {
  return k >= -1022 ? double_from_bits(static_cast<std::uint64_t>(k + 1023) << 52)
                    : double_from_bits(std::uint64_t{1} << (k + 1074));
}

template <class T>
accum_t<T> mean_of(const T* x, std::int64_t n, CpuOptions opt) {
  using A = accum_t<T>;
  return canonicalize(canonical_reduce<ReduceTerm::sum>(x, static_cast<const T*>(nullptr), n, {}, opt) / static_cast<A>(n));
}

}  // namespace

bool detail::use_reduce_avx2(CpuOptions opt) { return opt.simd == CpuSimd::best && detail::cpu_has_avx2_fma_f16c(); }

template <class T>
accum_t<T> detail::canonical_sum(const T* x, std::int64_t n, CpuOptions opt) {
  return canonical_reduce<ReduceTerm::sum>(x, static_cast<const T*>(nullptr), n, {}, opt);
}

template <class T>
accum_t<T> chunk_sum_avx2(const T* x, std::int64_t n) {
  return detail::chunk_partial_avx2<ReduceTerm::sum>(x, static_cast<const T*>(nullptr), n, {});
}
template <class T>
accum_t<T> chunk_sum_portable(const T* x, std::int64_t n) {
  return chunk_partial_portable<ReduceTerm::sum>(x, static_cast<const T*>(nullptr), n, {});
}
template <class T>
detail::ChunkSum<T> detail::chunk_sum_kernel(CpuOptions options) {
  return use_reduce_avx2(options) ? &chunk_sum_avx2<T> : &chunk_sum_portable<T>;
}

template <Reducible T>
accum_t<T> sum(const T* x, std::int64_t n, CpuOptions options) {
  options = detail::resolve_cpu_options("sum", options);
  check_x("sum", x, n);
  return canonicalize(canonical_reduce<ReduceTerm::sum>(x, static_cast<const T*>(nullptr), n, {}, options));
}

template <Reducible T>
accum_t<T> asum(const T* x, std::int64_t n, CpuOptions options) {
  options = detail::resolve_cpu_options("asum", options);
  check_x("asum", x, n);
  return canonicalize(canonical_reduce<ReduceTerm::asum>(x, static_cast<const T*>(nullptr), n, {}, options));
}

template <Reducible T>
accum_t<T> dot(const T* x, const T* y, std::int64_t n, CpuOptions options) {
  options = detail::resolve_cpu_options("dot", options);
  check_x("dot", x, n);
  detail::check_reduce_input("dot", "y", y, n, sizeof(T), false, detail::kHostReader);
  return canonicalize(canonical_reduce<ReduceTerm::dot>(x, y, n, {}, options));
}

template <Reducible T>
accum_t<T> dot(std::span<const T> x, std::span<const T> y, CpuOptions options) {
  if (y.size() != x.size())
    detail::fail(ErrorCode::invalid_argument, "dot",
                 "y.size() must equal x.size() = " + std::to_string(x.size()) + ", got " + std::to_string(y.size()));
  return dot(x.data(), y.data(), std::ssize(x), options);
}

template <Reducible T>
accum_t<T> mean(const T* x, std::int64_t n, CpuOptions options) {
  options = detail::resolve_cpu_options("mean", options);
  check_x("mean", x, n);
  return mean_of(x, n, options);
}

template <Reducible T>
accum_t<T> variance(const T* x, std::int64_t n, Ddof d, CpuOptions options) {
  const std::int64_t ddof = d.value;
  options = detail::resolve_cpu_options("variance", options);
  check_x("variance", x, n);
  detail::check_ddof("variance", ddof);
  using A = accum_t<T>;
  if (n - ddof <= 0) return canonicalize(A(NAN));
  const A m = mean_of(x, n, options);
  const A ss = canonical_reduce<ReduceTerm::sq_dev>(x, static_cast<const T*>(nullptr), n, {static_cast<double>(m)}, options);
  return canonicalize(ss / static_cast<A>(n - ddof));
}

template <Reducible T>
accum_t<T> nrm2(const T* x, std::int64_t n, CpuOptions options) {
  options = detail::resolve_cpu_options("nrm2", options);
  check_x("nrm2", x, n);
  if constexpr (std::is_same_v<T, double>) {
    if (n == 0) return 0.0;
    const double s = std::fabs(x[extreme_index<ExtremeKey::amax>(x, n, options)]);
    if (s != s || s == 0.0 || std::isinf(s)) return canonicalize(s);
    const int k = std::ilogb(s);
    // t_i = x_i * 2^-k: one multiplication, or two when 2^-k is beyond 2^1023 (s subnormal).
    TermParams p;
    p.scale = -k <= 1023 ? pow2(-k) : pow2(1023);
    p.scale2 = -k <= 1023 ? 1.0 : pow2(-k - 1023);
    const double ss = canonical_reduce<ReduceTerm::sq_scaled>(x, static_cast<const T*>(nullptr), n, p, options);
    return canonicalize(std::sqrt(ss) * pow2(k));
  } else {
    const double ss = canonical_reduce<ReduceTerm::sq>(x, static_cast<const T*>(nullptr), n, {}, options);
    return canonicalize(static_cast<float>(std::sqrt(ss)));
  }
}

template <Reducible T>
accum_t<T> max(const T* x, std::int64_t n, CpuOptions options) {
  options = detail::resolve_cpu_options("max", options);
  check_x("max", x, n, true);
  return canonicalize(detail::widen(x[extreme_index<ExtremeKey::max>(x, n, options)]));
}
template <Reducible T>
accum_t<T> min(const T* x, std::int64_t n, CpuOptions options) {
  options = detail::resolve_cpu_options("min", options);
  check_x("min", x, n, true);
  return canonicalize(detail::widen(x[extreme_index<ExtremeKey::min>(x, n, options)]));
}
template <Reducible T>
accum_t<T> amax(const T* x, std::int64_t n, CpuOptions options) {
  options = detail::resolve_cpu_options("amax", options);
  check_x("amax", x, n, true);
  return canonicalize(std::fabs(detail::widen(x[extreme_index<ExtremeKey::amax>(x, n, options)])));
}
template <Reducible T>
accum_t<T> amin(const T* x, std::int64_t n, CpuOptions options) {
  options = detail::resolve_cpu_options("amin", options);
  check_x("amin", x, n, true);
  return canonicalize(std::fabs(detail::widen(x[extreme_index<ExtremeKey::amin>(x, n, options)])));
}
template <Reducible T>
std::int64_t argmax(const T* x, std::int64_t n, CpuOptions options) {
  options = detail::resolve_cpu_options("argmax", options);
  check_x("argmax", x, n, true);
  return extreme_index<ExtremeKey::max>(x, n, options);
}
template <Reducible T>
std::int64_t argmin(const T* x, std::int64_t n, CpuOptions options) {
  options = detail::resolve_cpu_options("argmin", options);
  check_x("argmin", x, n, true);
  return extreme_index<ExtremeKey::min>(x, n, options);
}

#define DETNUM_REDUCE(T)                                                                   \
  template accum_t<T> detail::canonical_sum<T>(const T*, std::int64_t, CpuOptions);        \
  template detail::ChunkSum<T> detail::chunk_sum_kernel<T>(CpuOptions);                      \
  template accum_t<T> sum<T>(const T*, std::int64_t, CpuOptions);                          \
  template accum_t<T> asum<T>(const T*, std::int64_t, CpuOptions);                         \
  template accum_t<T> dot<T>(const T*, const T*, std::int64_t, CpuOptions);                \
  template accum_t<T> dot<T>(std::span<const T>, std::span<const T>, CpuOptions);          \
  template accum_t<T> nrm2<T>(const T*, std::int64_t, CpuOptions);                         \
  template accum_t<T> mean<T>(const T*, std::int64_t, CpuOptions);                         \
  template accum_t<T> variance<T>(const T*, std::int64_t, Ddof, CpuOptions);               \
  template accum_t<T> max<T>(const T*, std::int64_t, CpuOptions);                          \
  template accum_t<T> min<T>(const T*, std::int64_t, CpuOptions);                          \
  template accum_t<T> amax<T>(const T*, std::int64_t, CpuOptions);                         \
  template accum_t<T> amin<T>(const T*, std::int64_t, CpuOptions);                         \
  template std::int64_t argmax<T>(const T*, std::int64_t, CpuOptions);                     \
  template std::int64_t argmin<T>(const T*, std::int64_t, CpuOptions);
DETNUM_REDUCE(float)
DETNUM_REDUCE(double)
DETNUM_REDUCE(bf16)
DETNUM_REDUCE(fp16)
#undef DETNUM_REDUCE

}  // namespace detnum
