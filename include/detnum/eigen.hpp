// Eigen overloads of detnum's CPU reductions (detnum/reduce.hpp), header-only: Eigen users call
// detnum on their vectors and matrices and get the same bits as the pointer forms.
//
//   detnum::sum(v), asum, dot(a, b), nrm2, mean, variance(v, Ddof{d}), max, min, amax, amin,
//   argmax, argmin     for any float, double, Eigen::bfloat16 or Eigen::half vector expression
//                      (VectorXf, a column block, a Map, Ref, a + b ...); 16-bit elements are
//                      detnum's bf16 and fp16, accumulated in float
//   detnum::row_sums(m), detnum::column_sums(m)
//                      for any matrix expression of those types, either storage order; a
//                      column vector of rows sums, a row vector of column sums (float for the
//                      16-bit types)
//   detnum::gemm(alpha, a, b, beta, c), detnum::matmul(a, b)
//                      a and b both float, bfloat16 or half, c float or bfloat16, of either
//                      storage order (a and b may be expressions; c a matrix
//                      or Map with unit inner stride): detnum/gemm.hpp's bits for
//                      c = alpha a b + beta c, and a new column-major float a * b
//
// Eigen::bfloat16 and Eigen::half hold their 16 bits exactly as detnum::bf16 and detnum::fp16 do,
// so their storage is passed to detnum as it is. (Strictly, C++ lets an object be read only
// through its own type. detnum reads these elements inside its separately compiled library,
// where the compiler never sees the Eigen type, so no optimization can rely on the difference;
// link-time optimization across the library boundary could.) Strided-batched GEMM has no Eigen form (Eigen has
// no batch type): call gemm_strided_batched on the matrices' data().
//
// The bits are those of the same values as a contiguous vector (or row-major matrix) passed to
// the pointer forms: a row's sum is the sum of its elements in column order whether the matrix is
// row-major, column-major or an expression. Storage with unit inner stride is read in place; an
// expression, or a vector with a stride between elements, is first evaluated into a plain object
// (Eigen's own elementwise evaluation, no reduction).
#pragma once

#include <Eigen/Core>

#include <concepts>
#include <cstdint>
#include <span>
#include <string>

#include "detnum/bf16.hpp"
#include "detnum/error.hpp"
#include "detnum/fp16.hpp"
#include "detnum/gemm.hpp"
#include "detnum/reduce.hpp"

namespace detnum {
namespace eigen_detail {

// detnum's element type for an Eigen scalar type.
template <class S> struct Element;
template <> struct Element<float> { using type = float; };
template <> struct Element<double> { using type = double; };
template <> struct Element<Eigen::bfloat16> { using type = bf16; };
template <> struct Element<Eigen::half> { using type = fp16; };
template <class S>
using element_t = typename Element<S>::type;
static_assert(sizeof(Eigen::bfloat16) == sizeof(bf16) && alignof(Eigen::bfloat16) == alignof(bf16) &&
              sizeof(Eigen::half) == sizeof(fp16) && alignof(Eigen::half) == alignof(fp16));

// An Eigen buffer as detnum's elements (the same bits: see the top of this file).
template <class S>
const element_t<S>* as_elements(const S* p) {
  return reinterpret_cast<const element_t<S>*>(p);
}
template <class S>
element_t<S>* as_elements(S* p) {
  return reinterpret_cast<element_t<S>*>(p);
}

template <class D>
concept Dense = std::derived_from<D, Eigen::DenseBase<D>> && requires { typename Element<typename D::Scalar>::type; };
template <class D>
concept Vector = Dense<D> && static_cast<bool>(D::IsVectorAtCompileTime);

// Whether D's elements are in memory one after another along its inner dimension.
template <class D>
constexpr bool kInPlace = (Eigen::internal::traits<D>::Flags & Eigen::DirectAccessBit) != 0 &&
                          D::InnerStrideAtCompileTime == 1;

// f(span of the vector's elements, in index order).
template <class D, class F>
decltype(auto) with_elements(const Eigen::DenseBase<D>& v, F&& f) {
  using E = element_t<typename D::Scalar>;
  if constexpr (kInPlace<D>) {
    return f(std::span<const E>(as_elements(v.derived().data()), static_cast<std::size_t>(v.size())));
  } else {
    const typename D::PlainObject copy = v.derived();
    return f(std::span<const E>(as_elements(copy.data()), static_cast<std::size_t>(copy.size())));
  }
}

// The leading dimension of a matrix with unit inner stride, read in place: its outer stride (the
// distance between rows if row-major, columns otherwise), or the inner size where only one outer
// row exists (its stride is never used). 0 where outer rows overlap: Eigen allows an outer stride
// below the inner size (OuterStride<>(0) repeats one row), which no leading dimension describes.
template <class D>
std::int64_t leading_dimension(const D& d) {
  const std::int64_t inner = D::IsRowMajor ? d.cols() : d.rows(), outer = D::IsRowMajor ? d.rows() : d.cols();
  if (outer <= 1 || inner == 0) return inner > 1 ? inner : 1;
  return d.outerStride() >= inner ? static_cast<std::int64_t>(d.outerStride()) : 0;
}

// f(pointer, layout, transposed): the matrix as detnum sees it. A row-major matrix is itself; a
// column-major one is its transpose read row-major (transposed = true), whose rows are its columns.
// Read in place where it can be, else from a row-major copy (what Eigen's own reads see).
template <class D, class F>
decltype(auto) with_matrix(const Eigen::DenseBase<D>& m, F&& f) {
  if constexpr (kInPlace<D>) {
    const D& d = m.derived();
    if (const std::int64_t ld = leading_dimension(d); ld > 0) {
      if constexpr (D::IsRowMajor) return f(as_elements(d.data()), MatrixLayout{d.rows(), d.cols(), ld}, false);
      else return f(as_elements(d.data()), MatrixLayout{d.cols(), d.rows(), ld}, true);
    }
  }
  const Eigen::Matrix<typename D::Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> copy = m.derived();
  return f(as_elements(copy.data()), MatrixLayout::dense(copy.rows(), copy.cols()), false);
}

// f(pointer, ld, row_major) for a matrix read in place where it can be, else for a row-major copy.
template <class D, class F>
decltype(auto) with_operand(const Eigen::DenseBase<D>& x, F&& f) {
  if constexpr (kInPlace<D>) {
    const D& d = x.derived();
    if (const std::int64_t ld = leading_dimension(d); ld > 0)
      return f(as_elements(d.data()), ld, static_cast<bool>(D::IsRowMajor));
  }
  const Eigen::Matrix<typename D::Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> copy = x.derived();
  return f(as_elements(copy.data()), copy.cols() > 1 ? static_cast<std::int64_t>(copy.cols()) : 1, true);
}

// GEMM's operand and output scalars: the inputs GemmInput allows, the outputs GemmOutput allows.
template <class S>
concept GemmScalar = std::same_as<S, float> || std::same_as<S, Eigen::bfloat16> || std::same_as<S, Eigen::half>;
template <class S>
concept GemmOutScalar = std::same_as<S, float> || std::same_as<S, Eigen::bfloat16>;

}  // namespace eigen_detail

#define DETNUM_EIGEN_VECTOR_OP(op)                                                                     \
  template <eigen_detail::Vector D>                                                                     \
  auto op(const Eigen::DenseBase<D>& v, CpuOptions o = {}) {                                            \
    return eigen_detail::with_elements(v, [&](auto x) { return op(x.data(), std::ssize(x), o); });     \
  }
DETNUM_EIGEN_VECTOR_OP(sum)
DETNUM_EIGEN_VECTOR_OP(asum)
DETNUM_EIGEN_VECTOR_OP(nrm2)
DETNUM_EIGEN_VECTOR_OP(mean)
DETNUM_EIGEN_VECTOR_OP(max)
DETNUM_EIGEN_VECTOR_OP(min)
DETNUM_EIGEN_VECTOR_OP(amax)
DETNUM_EIGEN_VECTOR_OP(amin)
DETNUM_EIGEN_VECTOR_OP(argmax)
DETNUM_EIGEN_VECTOR_OP(argmin)
#undef DETNUM_EIGEN_VECTOR_OP

template <eigen_detail::Vector D>
auto variance(const Eigen::DenseBase<D>& v, Ddof ddof = {}, CpuOptions o = {}) {
  return eigen_detail::with_elements(v, [&](auto x) { return variance(x.data(), std::ssize(x), ddof, o); });
}

// dot(a, b): the sizes must agree (detnum::Error otherwise).
template <eigen_detail::Vector D1, eigen_detail::Vector D2>
  requires std::same_as<typename D1::Scalar, typename D2::Scalar>
auto dot(const Eigen::DenseBase<D1>& a, const Eigen::DenseBase<D2>& b, CpuOptions o = {}) {
  return eigen_detail::with_elements(
      a, [&](auto x) { return eigen_detail::with_elements(b, [&](auto y) { return dot(x, y, o); }); });
}

// The sum of each row, as a column vector (float for 16-bit elements).
template <eigen_detail::Dense D>
Eigen::Matrix<accum_t<eigen_detail::element_t<typename D::Scalar>>, Eigen::Dynamic, 1> row_sums(
    const Eigen::DenseBase<D>& m, CpuOptions o = {}) {
  Eigen::Matrix<accum_t<eigen_detail::element_t<typename D::Scalar>>, Eigen::Dynamic, 1> out(m.rows());
  eigen_detail::with_matrix(m, [&](const auto* x, const MatrixLayout& l, bool transposed) {
    if (transposed) column_sums(x, l, out.data(), o);
    else row_sums(x, l, out.data(), o);
  });
  return out;
}

// The sum of each column, as a row vector (float for 16-bit elements).
template <eigen_detail::Dense D>
Eigen::Matrix<accum_t<eigen_detail::element_t<typename D::Scalar>>, 1, Eigen::Dynamic> column_sums(
    const Eigen::DenseBase<D>& m, CpuOptions o = {}) {
  Eigen::Matrix<accum_t<eigen_detail::element_t<typename D::Scalar>>, 1, Eigen::Dynamic> out(m.cols());
  eigen_detail::with_matrix(m, [&](const auto* x, const MatrixLayout& l, bool transposed) {
    if (transposed) row_sums(x, l, out.data(), o);
    else column_sums(x, l, out.data(), o);
  });
  return out;
}

// c = alpha * a * b + beta * c (detnum/gemm.hpp). Sizes must agree (detnum::Error otherwise); c is
// written in place, so it must be a matrix or a Map with unit inner stride whose rows (columns,
// if column-major) do not overlap. A column-major c is
// computed as its transpose, c^T = alpha b^T a^T + beta c^T: every element is the same fma chain
// (a product's operands only change sides), so the bits are those of the row-major form.
template <class DA, class DB, class DC>
  requires eigen_detail::GemmScalar<typename DA::Scalar> && std::same_as<typename DA::Scalar, typename DB::Scalar> &&
           eigen_detail::GemmOutScalar<typename DC::Scalar> && eigen_detail::kInPlace<DC>
void gemm(float alpha, const Eigen::DenseBase<DA>& a, const Eigen::DenseBase<DB>& b, float beta,
          Eigen::DenseBase<DC>& c, CpuOptions o = {}) {
  const std::int64_t m = a.rows(), k = a.cols(), n = b.cols();
  if (b.rows() != k || c.rows() != m || c.cols() != n)
    throw Error(ErrorCode::invalid_argument,
                "gemm: sizes must agree: a is " + std::to_string(m) + " x " + std::to_string(k) + ", b is " +
                    std::to_string(b.rows()) + " x " + std::to_string(n) + ", c is " + std::to_string(c.rows()) +
                    " x " + std::to_string(c.cols()));
  DC& out = c.derived();
  const std::int64_t ldc = eigen_detail::leading_dimension(out);
  if (ldc == 0)
    throw Error(ErrorCode::invalid_argument,
                std::string("gemm: c's outer stride must be at least its ") + (DC::IsRowMajor ? "column" : "row") +
                    " count " + std::to_string(DC::IsRowMajor ? n : m) + " (else its " +
                    (DC::IsRowMajor ? "rows" : "columns") + " overlap), got " + std::to_string(out.outerStride()));
  auto* const pc = eigen_detail::as_elements(out.data());
  eigen_detail::with_operand(a, [&](const auto* pa, std::int64_t lda, bool a_rows) {
    eigen_detail::with_operand(b, [&](const auto* pb, std::int64_t ldb, bool b_rows) {
      const auto t = [](bool transposed) { return transposed ? Transpose::yes : Transpose::no; };
      if constexpr (DC::IsRowMajor) gemm(t(!a_rows), t(!b_rows), m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, o);
      else gemm(t(b_rows), t(a_rows), n, m, k, alpha, pb, ldb, pa, lda, beta, pc, ldc, o);
    });
  });
}

// The same for a c that is a temporary: a block of a matrix (c.block(...), c.topRows(...)) or a Map
// made in the call.
template <class DA, class DB, class DC>
  requires eigen_detail::GemmScalar<typename DA::Scalar> && std::same_as<typename DA::Scalar, typename DB::Scalar> &&
           eigen_detail::GemmOutScalar<typename DC::Scalar> && eigen_detail::kInPlace<DC>
void gemm(float alpha, const Eigen::DenseBase<DA>& a, const Eigen::DenseBase<DB>& b, float beta,
          Eigen::DenseBase<DC>&& c, CpuOptions o = {}) {
  gemm(alpha, a, b, beta, static_cast<Eigen::DenseBase<DC>&>(c), o);
}

// a * b as a new column-major float matrix.
template <class DA, class DB>
  requires eigen_detail::GemmScalar<typename DA::Scalar> && std::same_as<typename DA::Scalar, typename DB::Scalar>
Eigen::MatrixXf matmul(const Eigen::DenseBase<DA>& a, const Eigen::DenseBase<DB>& b, CpuOptions o = {}) {
  Eigen::MatrixXf c(a.rows(), b.cols());
  gemm(1.0f, a, b, 0.0f, c, o);
  return c;
}

}  // namespace detnum
