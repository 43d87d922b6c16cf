// The Eigen overloads (detnum/eigen.hpp) give the bits of the pointer forms on the same values,
// whatever the storage order, stride or expression the values come in.
#include <gtest/gtest.h>

#include <Eigen/Core>

#include <cstdint>
#include <cstring>
#include <vector>

#include "detnum/eigen.hpp"
#include "detnum/error.hpp"
#include "reduce_cases.hpp"
#include "support/errors.hpp"

namespace detnum::test {
namespace {

using RowMajorXf = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Eigen::VectorXf random_vector(std::int64_t n, std::uint64_t seed) {
  const std::vector<float> v = reduce_input<float>(n, seed, Family::finite);
  return Eigen::Map<const Eigen::VectorXf>(v.data(), static_cast<Eigen::Index>(n));
}

TEST(Eigen, VectorOpsEqualThePointerForms) {
  const Eigen::VectorXf a = random_vector(20011, 1), b = random_vector(20011, 2);
  const float* x = a.data();
  const std::int64_t n = a.size();
  EXPECT_TRUE(same_value(sum(x, n), sum(a)));
  EXPECT_TRUE(same_value(asum(x, n), asum(a)));
  EXPECT_TRUE(same_value(nrm2(x, n), nrm2(a)));
  EXPECT_TRUE(same_value(mean(x, n), mean(a)));
  EXPECT_TRUE(same_value(variance(x, n, Ddof{1}), variance(a, Ddof{1})));
  EXPECT_TRUE(same_value(max(x, n), max(a)));
  EXPECT_TRUE(same_value(min(x, n), min(a)));
  EXPECT_TRUE(same_value(amax(x, n), amax(a)));
  EXPECT_TRUE(same_value(amin(x, n), amin(a)));
  EXPECT_EQ(argmax(x, n), argmax(a));
  EXPECT_EQ(argmin(x, n), argmin(a));
  EXPECT_TRUE(same_value(dot(x, b.data(), n), dot(a, b)));
  EXPECT_TRUE(same_value(sum(x, n), sum(Eigen::Ref<const Eigen::VectorXf>(a))));
  EXPECT_TRUE(same_value(sum(x, n, {1}), sum(a, {1})));
}

TEST(Eigen, StridedVectorsAndExpressionsAreSummedAsTheirValues) {
  const Eigen::VectorXf a = random_vector(3 * 5000, 3), b = random_vector(3 * 5000, 4);
  const Eigen::Map<const Eigen::VectorXf, 0, Eigen::InnerStride<3>> every_third(a.data(), 5000);
  const Eigen::VectorXf copy = every_third;
  EXPECT_TRUE(same_value(sum(copy.data(), copy.size()), sum(every_third)));
  const Eigen::VectorXf both = a + b;
  EXPECT_TRUE(same_value(sum(both.data(), both.size()), sum(a + b)));
  // A row of a column-major matrix: stride between elements.
  const Eigen::MatrixXf m = Eigen::Map<const Eigen::MatrixXf>(a.data(), 3, 5000);
  const Eigen::RowVectorXf row = m.row(1);
  EXPECT_TRUE(same_value(sum(row.data(), row.size()), sum(m.row(1))));
}

TEST(Eigen, RowAndColumnSumsInBothStorageOrders) {
  const Eigen::VectorXf values = random_vector(9000 * 37, 5);
  const RowMajorXf r = Eigen::Map<const RowMajorXf>(values.data(), 9000, 37);
  const Eigen::MatrixXf c = r;  // the same matrix, column-major
  std::vector<float> rows(9000), cols(37);
  row_sums(r.data(), MatrixLayout::dense(9000, 37), rows.data());
  column_sums(r.data(), MatrixLayout::dense(9000, 37), cols.data());
  for (const auto& [name, got_rows, got_cols] :
       {std::tuple{"row-major", Eigen::VectorXf(row_sums(r)), Eigen::RowVectorXf(column_sums(r))},
        std::tuple{"column-major", Eigen::VectorXf(row_sums(c)), Eigen::RowVectorXf(column_sums(c))},
        std::tuple{"expression", Eigen::VectorXf(row_sums(c * 1.0f)), Eigen::RowVectorXf(column_sums(c * 1.0f))}}) {
    EXPECT_TRUE(same_bits(std::span<const float>(rows), std::span<const float>(got_rows.data(), 9000))) << name;
    EXPECT_TRUE(same_bits(std::span<const float>(cols), std::span<const float>(got_cols.data(), 37))) << name;
  }
  // A block: rows 100..299, columns 3..12, read in place through the parent's stride.
  const RowMajorXf block = r.block(100, 3, 200, 10);
  std::vector<float> block_rows(200);
  row_sums(block.data(), MatrixLayout::dense(200, 10), block_rows.data());
  const Eigen::VectorXf got = row_sums(c.block(100, 3, 200, 10));
  EXPECT_TRUE(same_bits(std::span<const float>(block_rows), std::span<const float>(got.data(), 200)));
}

TEST(Eigen, DoubleAndEmpty) {
  const Eigen::VectorXd d = random_vector(1000, 6).cast<double>();
  EXPECT_TRUE(same_value(sum(d.data(), d.size()), sum(d)));
  const Eigen::MatrixXd empty(0, 4);
  const Eigen::RowVectorXd sums = column_sums(empty);
  ASSERT_EQ(sums.size(), 4);
  for (const double v : sums) EXPECT_EQ(bits_of(v), 0u);
}

// gemm and matmul in every storage order give the row-major pointer form's bits.
TEST(Eigen, GemmInEveryStorageOrder) {
  constexpr std::int64_t kM = 37, kK = 300, kN = 21;
  const Eigen::VectorXf va = random_vector(kM * kK, 9), vb = random_vector(kK * kN, 10), vc = random_vector(kM * kN, 11);
  const RowMajorXf ra = Eigen::Map<const RowMajorXf>(va.data(), kM, kK);
  const RowMajorXf rb = Eigen::Map<const RowMajorXf>(vb.data(), kK, kN);
  const RowMajorXf rc = Eigen::Map<const RowMajorXf>(vc.data(), kM, kN);
  RowMajorXf want = rc;
  gemm(Transpose::no, Transpose::no, kM, kN, kK, 0.5f, ra.data(), kK, rb.data(), kN, 0.25f, want.data(), kN);
  const Eigen::MatrixXf ca = ra, cb = rb;
  const auto same = [&](const auto& got) {
    const RowMajorXf g = got;
    return same_bits(std::span<const float>(want.data(), kM * kN), std::span<const float>(g.data(), kM * kN));
  };
  RowMajorXf c1 = rc;
  gemm(0.5f, ra, rb, 0.25f, c1);
  EXPECT_TRUE(same(c1)) << "all row-major";
  Eigen::MatrixXf c2 = rc;
  gemm(0.5f, ca, cb, 0.25f, c2);
  EXPECT_TRUE(same(c2)) << "all column-major";
  Eigen::MatrixXf c3 = rc;
  gemm(0.5f, ra, cb, 0.25f, c3, {1});
  EXPECT_TRUE(same(c3)) << "mixed";
  RowMajorXf c4 = rc;
  gemm(0.5f, ca * 1.0f, rb, 0.25f, c4);
  EXPECT_TRUE(same(c4)) << "an expression";
  // c as a temporary: a block of a larger matrix, and a Map made in the call.
  RowMajorXf big = RowMajorXf::Constant(kM + 3, kN + 2, -7.0f);
  big.block(2, 1, kM, kN) = rc;
  gemm(0.5f, ra, rb, 0.25f, big.block(2, 1, kM, kN));
  RowMajorXf expected = RowMajorXf::Constant(kM + 3, kN + 2, -7.0f);
  expected.block(2, 1, kM, kN) = want;
  EXPECT_TRUE(same_bits(std::span<const float>(expected.data(), expected.size()),
                        std::span<const float>(big.data(), big.size())))
      << "a block, and nothing around it";
  RowMajorXf c5 = rc;
  gemm(0.5f, ra, rb, 0.25f, Eigen::Map<RowMajorXf>(c5.data(), kM, kN));
  EXPECT_TRUE(same(c5)) << "a Map made in the call";
  RowMajorXf plain(kM, kN);
  gemm(Transpose::no, Transpose::no, kM, kN, kK, 1.0f, ra.data(), kK, rb.data(), kN, 0.0f, plain.data(), kN);
  const Eigen::MatrixXf product = matmul(ca, rb);
  const RowMajorXf p = product;
  EXPECT_TRUE(same_bits(std::span<const float>(plain.data(), kM * kN), std::span<const float>(p.data(), kM * kN)));
  Eigen::MatrixXf wrong(kM + 1, kN);
  expect_error([&] { gemm(1.0f, ca, cb, 0.0f, wrong); }, ErrorCode::invalid_argument, "gemm: sizes must agree");
}

// Eigen::bfloat16 and Eigen::half vectors and matrices hold detnum's bf16 and fp16 bits: every op
// gives the pointer form's bits on the same 16-bit values.
template <class S, class E>
void sixteen_bit_types_equal_the_pointer_forms() {
  constexpr std::int64_t kN = 9001, kRows = 30, kCols = 300;  // the matrices are views of the first 9000
  const std::vector<E> x = reduce_input<E>(kN, 21, Family::finite), y = reduce_input<E>(kN, 22, Family::finite);
  const auto eigen_of = [](const std::vector<E>& v) {
    Eigen::Matrix<S, Eigen::Dynamic, 1> e(static_cast<Eigen::Index>(v.size()));
    std::memcpy(e.data(), v.data(), v.size() * sizeof(E));
    return e;
  };
  const auto ex = eigen_of(x), ey = eigen_of(y);
  EXPECT_TRUE(same_value(sum(x.data(), kN), sum(ex)));
  // A strided view is copied into a plain vector first (the other path).
  Eigen::Matrix<S, Eigen::Dynamic, 1> spread(2 * kN);
  for (std::int64_t i = 0; i < kN; ++i) spread[2 * i] = ex[i];
  const Eigen::Map<const Eigen::Matrix<S, Eigen::Dynamic, 1>, 0, Eigen::InnerStride<2>> strided(spread.data(), kN);
  EXPECT_TRUE(same_value(sum(x.data(), kN), sum(strided)));
  EXPECT_TRUE(same_value(dot(x.data(), y.data(), kN), dot(strided, ey)));
  EXPECT_TRUE(same_value(nrm2(x.data(), kN), nrm2(ex)));
  EXPECT_TRUE(same_value(variance(x.data(), kN, Ddof{1}), variance(ex, Ddof{1})));
  EXPECT_TRUE(same_value(amax(x.data(), kN), amax(ex)));
  EXPECT_EQ(argmin(x.data(), kN), argmin(ex));
  EXPECT_TRUE(same_value(dot(x.data(), y.data(), kN), dot(ex, ey)));

  // Column sums of a column-major matrix: the row sums of its storage read row-major.
  const Eigen::Map<const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>> m(ex.data(), kRows, kCols);
  std::vector<float> want(kCols);
  row_sums(x.data(), MatrixLayout::dense(kCols, kRows), want.data());
  const Eigen::RowVectorXf got = column_sums(m);
  EXPECT_TRUE(same_bits(std::span<const float>(want), std::span<const float>(got.data(), kCols)));

  // gemm with float and bf16 output, column-major operands and output.
  constexpr std::int64_t kM = 30, kK = 300;  // a is 30 x 300, b is 300 x 30 (both views of x)
  const Eigen::Map<const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>> a(ex.data(), kM, kK), b(ey.data(), kK, kM);
  std::vector<float> c_want(kM * kM);  // c^T = b^T a^T, row-major: the column-major c
  gemm(Transpose::no, Transpose::no, kM, kM, kK, 1.0f, y.data(), kK, x.data(), kM, 0.0f, c_want.data(), kM);
  // (b^T read row-major is b column-major with ld kK; likewise a^T with ld kM.)
  Eigen::MatrixXf c(kM, kM);
  gemm(1.0f, a, b, 0.0f, c);
  EXPECT_TRUE(same_bits(std::span<const float>(c_want), std::span<const float>(c.data(), kM * kM)));
  const Eigen::MatrixXf product = matmul(a, b);
  EXPECT_TRUE(same_bits(std::span<const float>(c_want), std::span<const float>(product.data(), kM * kM)));
  std::vector<bf16> c16_want(kM * kM);
  gemm(Transpose::no, Transpose::no, kM, kM, kK, 1.0f, y.data(), kK, x.data(), kM, 0.0f, c16_want.data(), kM);
  Eigen::Matrix<Eigen::bfloat16, Eigen::Dynamic, Eigen::Dynamic> c16(kM, kM);
  gemm(1.0f, a, b, 0.0f, c16);
  EXPECT_EQ(std::memcmp(c16_want.data(), c16.data(), c16_want.size() * sizeof(bf16)), 0);
}

TEST(Eigen, Bfloat16EqualsThePointerForms) { sixteen_bit_types_equal_the_pointer_forms<Eigen::bfloat16, bf16>(); }
TEST(Eigen, HalfEqualsThePointerForms) { sixteen_bit_types_equal_the_pointer_forms<Eigen::half, fp16>(); }

// Eigen allows an outer stride below the inner size: rows (or columns) that overlap, which no
// leading dimension describes. Inputs are read as Eigen reads them (from a copy); an output like
// that is an error, and nothing is written.
TEST(Eigen, OverlappingOuterStrides) {
  using Stride = Eigen::OuterStride<>;
  const Eigen::VectorXf values = random_vector(8, 12);
  const Eigen::Map<const RowMajorXf, 0, Stride> rows3(values.data(), 3, 4, Stride(2));  // rows start 2 apart
  const RowMajorXf plain = rows3;
  const Eigen::VectorXf want_rows = row_sums(plain), got_rows = row_sums(rows3);
  EXPECT_TRUE(same_bits(std::span<const float>(want_rows.data(), 3), std::span<const float>(got_rows.data(), 3)));
  const Eigen::Map<const Eigen::MatrixXf, 0, Stride> repeated(values.data(), 4, 3, Stride(0));  // one column, 3 times
  const Eigen::MatrixXf plain_repeated = repeated;
  const Eigen::RowVectorXf want_cols = column_sums(plain_repeated), got_cols = column_sums(repeated);
  EXPECT_TRUE(same_bits(std::span<const float>(want_cols.data(), 3), std::span<const float>(got_cols.data(), 3)));
  // As a GEMM operand too: a = the 3 x 4 rows above, b = 4 x 2.
  const RowMajorXf b = Eigen::Map<const RowMajorXf>(values.data(), 4, 2);
  RowMajorXf want(3, 2), got(3, 2);
  gemm(1.0f, plain, b, 0.0f, want);
  gemm(1.0f, rows3, b, 0.0f, got);
  EXPECT_TRUE(same_bits(std::span<const float>(want.data(), 6), std::span<const float>(got.data(), 6)));

  std::vector<float> buffer(7, 3.0f);
  Eigen::Map<Eigen::MatrixXf, 0, Stride> c(buffer.data(), 4, 4, Stride(1));
  const Eigen::MatrixXf a4 = Eigen::MatrixXf::Ones(4, 2), b4 = Eigen::MatrixXf::Ones(2, 4);
  expect_error([&] { gemm(1.0f, a4, b4, 0.0f, c); }, ErrorCode::invalid_argument,
               "gemm: c's outer stride must be at least its row count 4 (else its columns overlap), got 1");
  for (const float x : buffer) EXPECT_EQ(x, 3.0f);
  // One column: its stride is never used, so any stride is fine.
  std::vector<float> column(4, 3.0f);
  Eigen::Map<Eigen::MatrixXf, 0, Stride> c1(column.data(), 4, 1, Stride(0));
  gemm(1.0f, a4, Eigen::MatrixXf(b4.col(0)), 0.0f, c1);
  for (const float x : column) EXPECT_EQ(x, 2.0f);
}

TEST(Eigen, SizeMismatchIsAnError) {
  const Eigen::VectorXf a = random_vector(10, 7), b = random_vector(11, 8);
  expect_error([&] { (void)dot(a, b); }, ErrorCode::invalid_argument, "y.size() must equal x.size() = 10, got 11");
  expect_error([&] { (void)max(Eigen::VectorXf()); }, ErrorCode::size_out_of_range, "n must be >= 1");
}

}  // namespace
}  // namespace detnum::test
