// Deterministic reductions of a vector on the CPU (CUDA: detnum/cuda/reduce.hpp).
//
// Guarantee: every result is a function of the input values and n alone, computed in the
// canonical order of docs/ORDER.md (version DETNUM_ORDER_SPEC_VERSION): 8192-element chunks of
// 128 lanes, lanes folded in halves, chunk results reduced the same way. Not of the thread
// count, the SIMD width, the CUDA launch shape or the device. NaN results are the canonical NaN.
//
// Types: float and double accumulate in their own type; bf16 and fp16 are widened exactly to
// float and accumulate in float. accum_t<T> is the result type.
#pragma once

#include <concepts>
#include <cstdint>
#include <limits>
#include <ranges>
#include <span>
#include <type_traits>

#include "detnum/bf16.hpp"
#include "detnum/detail/reduce_order.hpp"
#include "detnum/fp16.hpp"
#include "detnum/threads.hpp"

namespace detnum {

using detail::accum_t;

template <class T>
concept Reducible = std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, bf16> ||
                    std::is_same_v<T, fp16>;

// sum x[i]; +0 for n = 0.
template <Reducible T> accum_t<T> sum(const T* x, std::int64_t n, CpuOptions options = {});
// sum |x[i]|.
template <Reducible T> accum_t<T> asum(const T* x, std::int64_t n, CpuOptions options = {});
// sum x[i] * y[i], each product fused into its lane with fma.
template <Reducible T> accum_t<T> dot(const T* x, const T* y, std::int64_t n, CpuOptions options = {});
// sqrt(sum x[i]^2) without overflow or harmful underflow for any finite input (ORDER.md says how).
template <Reducible T> accum_t<T> nrm2(const T* x, std::int64_t n, CpuOptions options = {});
// sum / n; NaN for n = 0.
template <Reducible T> accum_t<T> mean(const T* x, std::int64_t n, CpuOptions options = {});
// variance's delta degrees of freedom: the divisor is n - ddof (0: the population variance, 1: the
// sample variance). A type of its own, so that variance(x, n, {4}) or variance(v, n) does not
// compile instead of quietly taking 4 or n for ddof: write variance(x, n, Ddof{1}, {4}).
struct Ddof {
  std::int64_t value = 0;
  constexpr Ddof() = default;
  explicit constexpr Ddof(std::int64_t v) : value(v) {}
};

// sum (x[i] - mean)^2 / (n - ddof), two passes; NaN when n - ddof <= 0.
template <Reducible T> accum_t<T> variance(const T* x, std::int64_t n, Ddof ddof = {}, CpuOptions options = {});

// Extremes are exact, so independent of any order. +0 counts as greater than -0. A NaN anywhere
// makes max/min/amax/amin NaN and argmax/argmin the index of the first NaN; ties go to the
// lowest index. n = 0 is an error.
template <Reducible T> accum_t<T> max(const T* x, std::int64_t n, CpuOptions options = {});
template <Reducible T> accum_t<T> min(const T* x, std::int64_t n, CpuOptions options = {});
template <Reducible T> accum_t<T> amax(const T* x, std::int64_t n, CpuOptions options = {});  // max |x[i]|
template <Reducible T> accum_t<T> amin(const T* x, std::int64_t n, CpuOptions options = {});  // min |x[i]|
template <Reducible T> std::int64_t argmax(const T* x, std::int64_t n, CpuOptions options = {});
template <Reducible T> std::int64_t argmin(const T* x, std::int64_t n, CpuOptions options = {});

// Forms for contiguous ranges (std::vector, std::span, std::array, ...): each forwards to its
// pointer form with the range's data() and size(), so the bits are the pointer form's. dot checks
// that the sizes agree.
template <class R>
concept ReducibleRange =
    std::ranges::contiguous_range<R> && std::ranges::sized_range<R> && Reducible<std::ranges::range_value_t<R>>;

namespace detail {
// A range's size as the pointer forms' n.
template <ReducibleRange R>
std::int64_t range_size(const R& x) {
  return static_cast<std::int64_t>(std::ranges::size(x));
}
}  // namespace detail

template <Reducible T> accum_t<T> dot(std::span<const T> x, std::span<const T> y, CpuOptions o = {});

template <ReducibleRange R1, ReducibleRange R2>
  requires std::same_as<std::ranges::range_value_t<R1>, std::ranges::range_value_t<R2>>
auto dot(const R1& x, const R2& y, CpuOptions o = {}) {
  using T = std::ranges::range_value_t<R1>;
  return dot(std::span<const T>(std::ranges::data(x), std::ranges::size(x)),
             std::span<const T>(std::ranges::data(y), std::ranges::size(y)), o);
}

#define DETNUM_RANGE_FORM(op)                                                                 \
  template <ReducibleRange R>                                                                  \
  auto op(const R& x, CpuOptions o = {}) {                                                     \
    return op(std::ranges::data(x), detail::range_size(x), o);                                 \
  }
DETNUM_RANGE_FORM(sum)
DETNUM_RANGE_FORM(asum)
DETNUM_RANGE_FORM(nrm2)
DETNUM_RANGE_FORM(mean)
DETNUM_RANGE_FORM(max)
DETNUM_RANGE_FORM(min)
DETNUM_RANGE_FORM(amax)
DETNUM_RANGE_FORM(amin)
DETNUM_RANGE_FORM(argmax)
DETNUM_RANGE_FORM(argmin)
#undef DETNUM_RANGE_FORM
template <ReducibleRange R>
auto variance(const R& x, Ddof ddof = {}, CpuOptions o = {}) {
  return variance(std::ranges::data(x), detail::range_size(x), ddof, o);
}

// --- Axis sums of a batch of row-major matrices ---------------------------------------------------

// Where element (b, i, j) of a batch of row-major matrices lives: x[b * batch_stride + i * ld + j],
// for b < batch, i < rows, j < cols. ld >= max(1, cols); batch_stride >= 0 (matrices may overlap:
// they are only read).
struct MatrixLayout {
  std::int64_t rows = 0, cols = 0;
  std::int64_t ld = 1;
  std::int64_t batch = 1;
  std::int64_t batch_stride = 0;

  // One dense matrix or a dense batch: ld = cols, batch_stride = rows * cols (saturated at 2^63 - 1
  // where the product would overflow; the ops then refuse the layout with an error).
  static constexpr MatrixLayout dense(std::int64_t rows, std::int64_t cols, std::int64_t batch = 1) {
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    const std::int64_t size = rows <= 0 || cols <= 0 ? 0 : cols > kMax / rows ? kMax : rows * cols;
    return {rows, cols, cols > 1 ? cols : 1, batch, size};
  }
};

// out[b * rows + i] = the sum of row i of matrix b: exactly sum(row, cols), the vector order of
// ORDER.md on the row's cols elements. Batch invariant by construction: the bits of a row's sum
// depend on that row's values alone, not on rows, batch, ld or the other rows.
template <Reducible T> void row_sums(const T* x, const MatrixLayout& m, accum_t<T>* out, CpuOptions options = {});
// out[b * cols + j] = the sum of column j of matrix b (the bias gradient of a layer): exactly
// sum() of the column as a vector of rows elements. Its bits depend on that column's values
// alone, not on cols, batch or ld.
template <Reducible T> void column_sums(const T* x, const MatrixLayout& m, accum_t<T>* out, CpuOptions options = {});

// Forms for contiguous ranges (std::vector, std::span, ...): x must hold the layout's extent
// ((batch - 1) * batch_stride + (rows - 1) * ld + cols elements) and out the batch * rows (or
// cols) results, else detnum::Error names the short one; then the pointer form runs, with its bits.
namespace detail {
void check_axis_ranges(const char* fn, std::int64_t x_size, const MatrixLayout& m, std::int64_t out_size, bool per_row);
}  // namespace detail
// (out: a range whose elements outlive the call: an lvalue, or a view such as a std::span; an
// owning temporary would take the results with it.)
template <class O, class R>
concept AxisSumsOutput = ReducibleRange<R> && std::ranges::contiguous_range<O> && std::ranges::sized_range<O> &&
                         (std::is_lvalue_reference_v<O> || std::ranges::borrowed_range<O>) &&
                         std::same_as<std::ranges::range_value_t<O>, accum_t<std::ranges::range_value_t<R>>> &&
                         !std::is_const_v<std::remove_reference_t<std::ranges::range_reference_t<O>>>;
template <ReducibleRange R, AxisSumsOutput<R> O>
void row_sums(const R& x, const MatrixLayout& m, O&& out, CpuOptions o = {}) {
  detail::check_axis_ranges("row_sums", detail::range_size(x), m, static_cast<std::int64_t>(std::ranges::size(out)),
                            true);
  row_sums(std::ranges::data(x), m, std::ranges::data(out), o);
}
template <ReducibleRange R, AxisSumsOutput<R> O>
void column_sums(const R& x, const MatrixLayout& m, O&& out, CpuOptions o = {}) {
  detail::check_axis_ranges("column_sums", detail::range_size(x), m, static_cast<std::int64_t>(std::ranges::size(out)),
                            false);
  column_sums(std::ranges::data(x), m, std::ranges::data(out), o);
}

// The scalar references: ORDER.md as plain loops. Slow; everything else is tested against them.
namespace ref {
template <Reducible T> accum_t<T> sum(const T* x, std::int64_t n);
template <Reducible T> accum_t<T> asum(const T* x, std::int64_t n);
template <Reducible T> accum_t<T> dot(const T* x, const T* y, std::int64_t n);
template <Reducible T> accum_t<T> nrm2(const T* x, std::int64_t n);
template <Reducible T> accum_t<T> mean(const T* x, std::int64_t n);
template <Reducible T> accum_t<T> variance(const T* x, std::int64_t n, Ddof ddof = {});
template <Reducible T> accum_t<T> max(const T* x, std::int64_t n);
template <Reducible T> accum_t<T> min(const T* x, std::int64_t n);
template <Reducible T> accum_t<T> amax(const T* x, std::int64_t n);
template <Reducible T> accum_t<T> amin(const T* x, std::int64_t n);
template <Reducible T> std::int64_t argmax(const T* x, std::int64_t n);
template <Reducible T> std::int64_t argmin(const T* x, std::int64_t n);
template <Reducible T> void row_sums(const T* x, const MatrixLayout& m, accum_t<T>* out);
template <Reducible T> void column_sums(const T* x, const MatrixLayout& m, accum_t<T>* out);
}  // namespace ref

}  // namespace detnum
