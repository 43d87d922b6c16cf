// Eigen overloads of detnum's CPU reductions (detnum/reduce.hpp), header-only: Eigen users call
// detnum on their vectors and matrices and get the same bits as the pointer forms.
//
//   detnum::sum(v), asum, dot(a, b), nrm2, mean, variance(v, ddof), max, min, amax, amin,
//   argmax, argmin     for any float or double vector expression (VectorXf, a column block,
//                      a Map, Ref, a + b ...)
//   detnum::row_sums(m), detnum::column_sums(m)
//                      for any float or double matrix expression, either storage order; a
//                      column vector of rows sums, a row vector of column sums
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

#include "detnum/reduce.hpp"

namespace detnum {
namespace eigen_detail {

template <class D>
concept Dense = std::derived_from<D, Eigen::DenseBase<D>> &&
                (std::same_as<typename D::Scalar, float> || std::same_as<typename D::Scalar, double>);
template <class D>
concept Vector = Dense<D> && static_cast<bool>(D::IsVectorAtCompileTime);

// Whether D's elements are in memory one after another along its inner dimension.
template <class D>
constexpr bool kInPlace = (Eigen::internal::traits<D>::Flags & Eigen::DirectAccessBit) != 0 &&
                          D::InnerStrideAtCompileTime == 1;

// f(span of the vector's elements, in index order).
template <class D, class F>
decltype(auto) with_elements(const Eigen::DenseBase<D>& v, F&& f) {
  using S = typename D::Scalar;
  if constexpr (kInPlace<D>) {
    return f(std::span<const S>(v.derived().data(), static_cast<std::size_t>(v.size())));
  } else {
    const typename D::PlainObject copy = v.derived();
    return f(std::span<const S>(copy.data(), static_cast<std::size_t>(copy.size())));
  }
}

// f(pointer, layout, transposed): the matrix as detnum sees it. A row-major matrix is itself; a
// column-major one is its transpose read row-major (transposed = true), whose rows are its columns.
template <class D, class F>
decltype(auto) with_matrix(const Eigen::DenseBase<D>& m, F&& f) {
  if constexpr (kInPlace<D>) {
    const D& d = m.derived();
    const std::int64_t ld = d.outerStride() > 0 ? d.outerStride() : 1;
    if constexpr (D::IsRowMajor) return f(d.data(), MatrixLayout{d.rows(), d.cols(), ld < d.cols() ? d.cols() : ld}, false);
    else return f(d.data(), MatrixLayout{d.cols(), d.rows(), ld < d.rows() ? d.rows() : ld}, true);
  } else {
    const Eigen::Matrix<typename D::Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> copy = m.derived();
    return f(copy.data(), MatrixLayout::dense(copy.rows(), copy.cols()), false);
  }
}

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
auto variance(const Eigen::DenseBase<D>& v, std::int64_t ddof = 0, CpuOptions o = {}) {
  return eigen_detail::with_elements(v, [&](auto x) { return variance(x.data(), std::ssize(x), ddof, o); });
}

// dot(a, b): the sizes must agree (detnum::Error otherwise).
template <eigen_detail::Vector D1, eigen_detail::Vector D2>
  requires std::same_as<typename D1::Scalar, typename D2::Scalar>
auto dot(const Eigen::DenseBase<D1>& a, const Eigen::DenseBase<D2>& b, CpuOptions o = {}) {
  return eigen_detail::with_elements(
      a, [&](auto x) { return eigen_detail::with_elements(b, [&](auto y) { return dot(x, y, o); }); });
}

// The sum of each row, as a column vector.
template <eigen_detail::Dense D>
Eigen::Matrix<typename D::Scalar, Eigen::Dynamic, 1> row_sums(const Eigen::DenseBase<D>& m, CpuOptions o = {}) {
  Eigen::Matrix<typename D::Scalar, Eigen::Dynamic, 1> out(m.rows());
  eigen_detail::with_matrix(m, [&](const auto* x, const MatrixLayout& l, bool transposed) {
    if (transposed) column_sums(x, l, out.data(), o);
    else row_sums(x, l, out.data(), o);
  });
  return out;
}

// The sum of each column, as a row vector.
template <eigen_detail::Dense D>
Eigen::Matrix<typename D::Scalar, 1, Eigen::Dynamic> column_sums(const Eigen::DenseBase<D>& m, CpuOptions o = {}) {
  Eigen::Matrix<typename D::Scalar, 1, Eigen::Dynamic> out(m.cols());
  eigen_detail::with_matrix(m, [&](const auto* x, const MatrixLayout& l, bool transposed) {
    if (transposed) row_sums(x, l, out.data(), o);
    else column_sums(x, l, out.data(), o);
  });
  return out;
}

}  // namespace detnum
