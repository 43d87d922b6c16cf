// The reduction entries of `detnum check`: every op of detnum/reduce.hpp for float, double,
// bf16 and fp16 inputs, the axis sums on three matrix shapes, and their batch invariance. Most rows use the inputs with their specials replaced by finite values,
// so that the result is a finite number whose every rounding counts; a few rows keep the
// specials, to check the NaN and infinity rules (canonical NaN, first NaN's index).
#include <cmath>
#include <cstring>
#include <string>

#include "check.hpp"
#include "detnum/reduce.hpp"

namespace detnum::cli {
namespace {

const char* name_of(ReduceOp op) {
  switch (op) {
    case ReduceOp::sum: return "sum";
    case ReduceOp::asum: return "asum";
    case ReduceOp::dot: return "dot";
    case ReduceOp::nrm2: return "nrm2";
    case ReduceOp::mean: return "mean";
    case ReduceOp::variance: return "variance";
    case ReduceOp::max: return "max";
    case ReduceOp::min: return "min";
    case ReduceOp::amax: return "amax";
    case ReduceOp::amin: return "amin";
    case ReduceOp::argmax: return "argmax";
    case ReduceOp::argmin: return "argmin";
  }
  return "?";
}

bool is_index(ReduceOp op) { return op == ReduceOp::argmax || op == ReduceOp::argmin; }
bool needs_elements(ReduceOp op) {
  return op == ReduceOp::max || op == ReduceOp::min || op == ReduceOp::amax || op == ReduceOp::amin || is_index(op);
}

// A finite stand-in for specials and for magnitudes that would overflow a sum.
float tame(float v) { return std::isfinite(v) && std::fabs(v) < 1e30f ? v : 1.5f; }
double tame(double v) { return std::isfinite(v) && std::fabs(v) < 1e30 ? v : 1.5; }
bf16 tame(bf16 v) { return std::isfinite(to_float(v)) && std::fabs(to_float(v)) < 1e30f ? v : bf16{0x3FC0}; }
fp16 tame(fp16 v) { return std::isfinite(to_float(v)) ? v : fp16{0x3E00}; }

template <class T>
CheckOutputs run(Backend& b, const CheckInputs& in, ReduceOp op, Dtype dtype, bool specials) {
  std::vector<T> x = inputs_of<T>(in);
  if (!specials)
    for (T& v : x) v = tame(v);
  std::vector<T> y(x.rbegin(), x.rend());  // dot's second operand: x reversed
  const std::size_t bytes = is_index(op) ? sizeof(std::int64_t) : sizeof(accum_t<T>);
  CheckOutputs out{std::vector<std::uint8_t>(bytes, kSentinel), {}};
  // The extremes of nothing are an error on every backend; there is nothing to compare.
  if (in.n == 0 && needs_elements(op)) return out;
  b.reduce(op, dtype, x.data(), y.data(), in.n, out.y.data());
  return out;
}

template <class T>
void add_dtype(std::vector<CheckOp>& ops, Dtype dtype) {
  const Dtype result = std::is_same_v<T, double> ? Dtype::f64 : Dtype::f32;
  for (const ReduceOp op : {ReduceOp::sum, ReduceOp::asum, ReduceOp::dot, ReduceOp::nrm2, ReduceOp::mean,
                            ReduceOp::variance, ReduceOp::max, ReduceOp::min, ReduceOp::amax, ReduceOp::amin,
                            ReduceOp::argmax, ReduceOp::argmin}) {
    const Dtype r = is_index(op) ? Dtype::i64 : result;
    ops.push_back({name_of(op), dtype, false, op == ReduceOp::variance ? "finite inputs, ddof=1" : "finite inputs",
                   [op, dtype](Backend& b, const CheckInputs& in) { return run<T>(b, in, op, dtype, false); }, {}, r});
  }
  for (const ReduceOp op : {ReduceOp::sum, ReduceOp::nrm2, ReduceOp::argmax, ReduceOp::amin})
    ops.push_back({name_of(op), dtype, false, "inputs with specials",
                   [op, dtype](Backend& b, const CheckInputs& in) { return run<T>(b, in, op, dtype, true); }, {},
                   is_index(op) ? Dtype::i64 : result});
}

// --- Axis sums -------------------------------------------------------------------------------------

// The matrices made of the first elements of the inputs of size n: a dense matrix of 37 columns
// (a partial tile of 32), four long rows (more than a chunk each from n = 32768), and a batch of
// three with ld and batch stride beyond the minimal.
enum class Shape { dense37, four_rows, batched };

MatrixLayout layout_of(Shape s, std::int64_t n) {
  switch (s) {
    case Shape::dense37: return MatrixLayout::dense(n / 37, 37);
    case Shape::four_rows: return MatrixLayout::dense(n >= 4 ? 4 : 0, n / 4);
    case Shape::batched: {
      constexpr std::int64_t cols = 19, ld = 24, pad = 7;  // extent 3 * rows * ld - ld + cols + 2 * pad
      const std::int64_t rows = n + ld - cols - 2 * pad >= 3 * ld ? (n + ld - cols - 2 * pad) / (3 * ld) : 0;
      return {rows, cols, ld, 3, rows * ld + pad};
    }
  }
  return {};
}

const char* shape_name(Shape s) {
  switch (s) {
    case Shape::dense37: return "(n/37) x 37";
    case Shape::four_rows: return "4 x (n/4)";
    case Shape::batched: return "3 x rows x 19, ld 24, batch_stride rows*24+7";
  }
  return "?";
}

template <class T>
CheckOutputs run_axis(Backend& b, const CheckInputs& in, bool per_row, const MatrixLayout& m, std::int64_t offset,
                      Dtype dtype, bool specials) {
  std::vector<T> x = inputs_of<T>(in);
  if (!specials)
    for (T& v : x) v = tame(v);
  const std::int64_t count = m.batch * (per_row ? m.rows : m.cols);
  CheckOutputs out{std::vector<std::uint8_t>(static_cast<std::size_t>(count) * sizeof(accum_t<T>), kSentinel), {}};
  const bool empty = m.rows == 0 || m.cols == 0 || m.batch == 0;  // then x is not read
  b.axis_sums(per_row, dtype, x.data() + (empty ? 0 : offset), m, out.y.data());
  return out;
}

template <class T>
void add_axis_dtype(std::vector<CheckOp>& ops, Dtype dtype) {
  const Dtype result = std::is_same_v<T, double> ? Dtype::f64 : Dtype::f32;
  for (const bool per_row : {true, false})
    for (const Shape s : {Shape::dense37, Shape::four_rows, Shape::batched})
      for (const bool specials : {false, true}) {
        if (specials && s != Shape::dense37) continue;
        ops.push_back({per_row ? "row_sums" : "column_sums", dtype, false,
                       std::string(shape_name(s)) + (specials ? ", inputs with specials" : ", finite inputs"),
                       [=](Backend& b, const CheckInputs& in) {
                         return run_axis<T>(b, in, per_row, layout_of(s, in.n), 0, dtype, specials);
                       },
                       {}, result});
      }
  // Batch invariance: one column of the (n/37) x 37 matrix alone (ld 37), and one row of the four
  // rows alone, give the bits of that column or row in the whole matrix's sums.
  constexpr std::int64_t kColumn = 5, kRow = 2;
  ops.push_back({"column_sums", dtype, false, "column 5 of (n/37) x 37 alone == its sum in the whole",
                 [=](Backend& b, const CheckInputs& in) {
                   const MatrixLayout whole = layout_of(Shape::dense37, in.n);
                   return run_axis<T>(b, in, false, MatrixLayout{whole.rows, 1, 37}, kColumn, dtype, false);
                 },
                 [=](Backend& ref, const CheckInputs& in) {
                   CheckOutputs all = run_axis<T>(ref, in, false, layout_of(Shape::dense37, in.n), 0, dtype, false);
                   all.y = std::vector<std::uint8_t>(all.y.begin() + kColumn * sizeof(accum_t<T>),
                                                     all.y.begin() + (kColumn + 1) * sizeof(accum_t<T>));
                   return all;
                 },
                 result});
  ops.push_back({"row_sums", dtype, false, "row 2 of 4 x (n/4) alone == its sum in the whole",
                 [=](Backend& b, const CheckInputs& in) {
                   const MatrixLayout whole = layout_of(Shape::four_rows, in.n);
                   return run_axis<T>(b, in, true, MatrixLayout::dense(whole.rows > 0 ? 1 : 0, whole.cols),
                                      kRow * whole.cols, dtype, false);
                 },
                 [=](Backend& ref, const CheckInputs& in) {
                   CheckOutputs all = run_axis<T>(ref, in, true, layout_of(Shape::four_rows, in.n), 0, dtype, false);
                   if (!all.y.empty())
                     all.y = std::vector<std::uint8_t>(all.y.begin() + kRow * sizeof(accum_t<T>),
                                                       all.y.begin() + (kRow + 1) * sizeof(accum_t<T>));
                   return all;
                 },
                 result});
}

}  // namespace

std::vector<CheckOp> reduce_check_ops() {
  std::vector<CheckOp> ops;
  add_dtype<float>(ops, Dtype::f32);
  add_dtype<double>(ops, Dtype::f64);
  add_dtype<bf16>(ops, Dtype::bf16);
  add_dtype<fp16>(ops, Dtype::fp16);
  add_axis_dtype<float>(ops, Dtype::f32);
  add_axis_dtype<double>(ops, Dtype::f64);
  add_axis_dtype<bf16>(ops, Dtype::bf16);
  add_axis_dtype<fp16>(ops, Dtype::fp16);
  return ops;
}

}  // namespace detnum::cli
