// The GEMM entries of `detnum check`. For input size N the product is r x (r + 3) x (2r + 13)
// with r = floor(cbrt(N / 2)) capped at 100 (so N = 10^7 gives 100 x 103 x 213), its A and B
// drawn cyclically from the N seeded inputs; a long-k family (3 x 5 x min(N, 3000): up to 12
// segments) exercises the segment combination; two batch-invariance rows compute one row of C
// alone (m = 1) and one column alone (n = 1) and compare each with that row or column of the whole
// product; a strided batch of 3 products sharing B is compared with the reference's gemm of each
// matrix alone.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "check.hpp"
#include "detnum/gemm.hpp"

namespace detnum::cli {
namespace {

struct Shape {
  std::int64_t m, n, k;
};

Shape square_ish(std::int64_t size) {
  const auto r = std::min<std::int64_t>(100, static_cast<std::int64_t>(std::cbrt(static_cast<double>(size) / 2)));
  return {r, r + 3, 2 * r + 13};
}
Shape long_k(std::int64_t size) { return {size > 0 ? 3 : 0, 5, std::min<std::int64_t>(size, 3000)}; }

// Finite stand-ins for specials: the products of the finite rows then stay finite too.
float tame(float v) { return std::isfinite(v) && std::fabs(v) < 1e15f ? v : 1.5f; }
bf16 tame(bf16 v) { return bf16_from_float(tame(to_float(v))); }
fp16 tame(fp16 v) { return std::isfinite(to_float(v)) ? v : fp16{0x3E00}; }

// count values taken cyclically from the inputs (every 7th from `start` on, so A and B differ).
template <class T>
std::vector<T> operand(const CheckInputs& in, std::int64_t count, std::int64_t start, bool specials) {
  const std::vector<T>& x = inputs_of<T>(in);
  std::vector<T> v(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    const T e = x[static_cast<std::size_t>((start + 7 * i) % in.n)];
    v[static_cast<std::size_t>(i)] = specials ? e : tame(e);
  }
  return v;
}

struct Variant {
  Transpose ta = Transpose::no, tb = Transpose::no;
  float alpha = 1.0f, beta = 0.0f;
  std::int64_t pad = 0;  // added to every leading dimension
  bool specials = false;
};

Dtype dtype_of(float*) { return Dtype::f32; }
Dtype dtype_of(bf16*) { return Dtype::bf16; }
Dtype dtype_of(const float*) { return Dtype::f32; }
Dtype dtype_of(const bf16*) { return Dtype::bf16; }
Dtype dtype_of(const fp16*) { return Dtype::fp16; }

// The block of the product with rows [row0, row0 + rows) and columns [col0, col0 + cols).
struct Block {
  std::int64_t row0, rows, col0, cols;
};

// All of C, as what the check compares.
template <class C>
CheckOutputs bytes_of(const std::vector<C>& c) {
  CheckOutputs out;
  out.y.resize(c.size() * sizeof(C));
  if (!c.empty()) std::memcpy(out.y.data(), c.data(), out.y.size());  // memcpy's pointers must not be null, even for 0 bytes
  return out;
}

// C = alpha op(A) op(B) + beta C0 on the backend, for block `blk` of the product only. C is the
// block's rows at the whole product's leading dimension, so each row holds the same C0 values as
// in the whole C, and the block's columns start at col0; the result is all of it.
template <class T, class C>
CheckOutputs run(Backend& b, const CheckInputs& in, Shape s, const Variant& v, Block blk) {
  if (in.n == 0) {
    s = {0, 0, 0};
    blk = {0, 0, 0, 0};
  }
  // An empty block is called at the origin, so that no pointer moves past an empty buffer.
  if (blk.rows == 0 || blk.cols == 0) blk.row0 = blk.col0 = 0;
  const bool ta = v.ta == Transpose::yes, tb = v.tb == Transpose::yes;
  const std::int64_t lda = std::max<std::int64_t>(ta ? s.m : s.k, 1) + v.pad;
  const std::int64_t ldb = std::max<std::int64_t>(tb ? s.k : s.n, 1) + v.pad;
  const std::int64_t ldc = std::max<std::int64_t>(s.n, 1) + v.pad;
  const std::vector<T> a = operand<T>(in, (ta ? s.k : s.m) * lda, 0, v.specials);
  const std::vector<T> bm = operand<T>(in, (tb ? s.n : s.k) * ldb, 3, v.specials);
  std::vector<C> c = operand<C>(in, blk.rows * ldc, 5 + blk.row0 * ldc, false);  // beta * C0 enters when beta != 0
  const T* a_rows = a.data() + (ta ? blk.row0 : blk.row0 * lda);
  const T* b_cols = bm.data() + (tb ? blk.col0 * ldb : blk.col0);
  b.gemm({dtype_of(static_cast<const T*>(nullptr)), dtype_of(static_cast<C*>(nullptr)), v.ta, v.tb, blk.rows, blk.cols,
          s.k, v.alpha, a_rows, lda, b_cols, ldb, v.beta, c.data() + blk.col0, ldc});
  return bytes_of(c);
}

// A strided batch of kBatch products of the shape's matrices, A and C matrices 5 elements apart
// beyond their extent and one B for all (stride 0), NN, alpha 1, beta 0.5.
template <class T, class C>
CheckOutputs run_batched(Backend& b, const CheckInputs& in, Shape s) {
  constexpr std::int64_t kBatch = 3;
  if (in.n == 0) s = {0, 0, 0};
  const std::int64_t gap = in.n == 0 ? 0 : 5;  // no inputs to draw anything from
  const std::int64_t lda = std::max<std::int64_t>(s.k, 1), ldb = std::max<std::int64_t>(s.n, 1), ldc = ldb;
  const std::int64_t stride_a = s.m * lda + gap, stride_c = s.m * ldc + gap;
  const std::vector<T> a = operand<T>(in, kBatch * stride_a, 0, false), bm = operand<T>(in, s.k * ldb, 3, false);
  std::vector<C> c = operand<C>(in, kBatch * stride_c, 5, false);
  Backend::GemmCall call{dtype_of(static_cast<const T*>(nullptr)), dtype_of(static_cast<C*>(nullptr)), Transpose::no,
                         Transpose::no, s.m, s.n, s.k, 1.0f, a.data(), lda, bm.data(), ldb, 0.5f, c.data(), ldc};
  call.stride_a = stride_a;
  call.stride_c = stride_c;
  call.batch = kBatch;
  b.gemm(call);
  return bytes_of(c);
}

// Only column j of the rows of ldc floats in out.y (nothing when out.y is empty).
CheckOutputs column_of(CheckOutputs out, std::int64_t ldc, std::int64_t j) {
  const std::size_t row = static_cast<std::size_t>(ldc) * sizeof(float), rows = out.y.size() / row;
  std::vector<std::uint8_t> column(rows * sizeof(float));
  for (std::size_t i = 0; i < rows; ++i)
    std::memcpy(column.data() + i * sizeof(float), out.y.data() + i * row + static_cast<std::size_t>(j) * sizeof(float),
                sizeof(float));
  out.y = std::move(column);
  return out;
}

template <class T, class C>
void add(std::vector<CheckOp>& ops, const std::string& params, Shape (*shape)(std::int64_t), Variant v) {
  ops.push_back({"gemm", dtype_of(static_cast<const T*>(nullptr)), false, params,
                 [=](Backend& b, const CheckInputs& in) {
                   const Shape s = shape(in.n);
                   return run<T, C>(b, in, s, v, {0, s.m, 0, s.n});
                 },
                 {}, dtype_of(static_cast<C*>(nullptr))});
}

}  // namespace

std::vector<CheckOp> gemm_check_ops() {
  std::vector<CheckOp> ops;
  const Transpose N = Transpose::no, T = Transpose::yes;
  add<float, float>(ops, "r x (r+3) x (2r+13), NN", square_ish, {});
  add<float, float>(ops, "r x (r+3) x (2r+13), NT, alpha -0.5, beta 0.25, ld +3", square_ish, {N, T, -0.5f, 0.25f, 3});
  add<float, float>(ops, "r x (r+3) x (2r+13), TN, alpha 2, beta 1", square_ish, {T, N, 2.0f, 1.0f});
  add<float, float>(ops, "r x (r+3) x (2r+13), TT, ld +1", square_ish, {T, T, 1.0f, 0.0f, 1});
  add<float, float>(ops, "r x (r+3) x (2r+13), NN, inputs with specials", square_ish, {N, N, 1.0f, 0.0f, 0, true});
  add<float, float>(ops, "3 x 5 x min(N, 3000), NN", long_k, {});
  add<bf16, float>(ops, "r x (r+3) x (2r+13), NN", square_ish, {});
  add<bf16, bf16>(ops, "r x (r+3) x (2r+13), NT, beta 0.5", square_ish, {N, T, 1.0f, 0.5f});
  add<fp16, float>(ops, "r x (r+3) x (2r+13), TN", square_ish, {T, N});
  add<fp16, bf16>(ops, "r x (r+3) x (2r+13), TT, alpha 0.75", square_ish, {T, T, 0.75f});
  ops.push_back({"gemm", Dtype::f32, false, "strided batch of 3 r x (r+3) x (2r+13), B shared, beta 0.5",
                 [](Backend& b, const CheckInputs& in) { return run_batched<float, float>(b, in, square_ish(in.n)); },
                 {}, Dtype::f32});
  // Batch invariance: row 1 of C computed alone (m = 1) has the bits of row 1 of the whole C ...
  ops.push_back({"gemm", Dtype::f32, false, "row 1 of r x (r+3) x (2r+13) alone == that row of the whole",
                 [](Backend& b, const CheckInputs& in) {
                   const Shape s = square_ish(in.n);
                   return run<float, float>(b, in, s, {}, {1, s.m >= 2 ? 1 : 0, 0, s.n});
                 },
                 [](Backend& ref, const CheckInputs& in) {
                   const Shape s = square_ish(in.n);
                   CheckOutputs all = run<float, float>(ref, in, s, {}, {0, s.m, 0, s.n});
                   const std::size_t row = static_cast<std::size_t>(std::max<std::int64_t>(s.n, 1)) * sizeof(float);
                   all.y = s.m >= 2 ? std::vector<std::uint8_t>(all.y.begin() + row, all.y.begin() + 2 * row)
                                    : std::vector<std::uint8_t>{};
                   return all;
                 },
                 Dtype::f32});
  // ... and column 1 computed alone (n = 1) the bits of column 1 of the whole C (s.n >= 3 always).
  ops.push_back({"gemm", Dtype::f32, false, "column 1 of r x (r+3) x (2r+13) alone == that column of the whole",
                 [](Backend& b, const CheckInputs& in) {
                   const Shape s = square_ish(in.n);
                   return column_of(run<float, float>(b, in, s, {}, {0, s.m, 1, 1}), s.n, 1);
                 },
                 [](Backend& ref, const CheckInputs& in) {
                   const Shape s = square_ish(in.n);
                   return column_of(run<float, float>(ref, in, s, {}, {0, s.m, 0, s.n}), s.n, 1);
                 },
                 Dtype::f32});
  return ops;
}

}  // namespace detnum::cli
