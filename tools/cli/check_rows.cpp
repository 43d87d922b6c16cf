// The row-op entries of `detnum check` (detnum/softmax.hpp, detnum/norm.hpp). For input size N
// each op runs on two matrices made of the first inputs: c = min(N, 129) columns (one past a
// lane of ORDER.md) and min(N / c, 129) rows, and r = min(N, 2) rows of min(N / r, 17000)
// columns (past two chunks of 8192 from N = 32770 on). Most rows use finite inputs (specials
// become 1.5), the forward passes also the inputs with their specials (canonical NaNs). The
// backward passes take what the reference's forward pass gives for x, as in training. An op
// with several outputs writes them one after another into y, in the order the params name them.
// Two batch-invariance rows compute row 1 alone and compare it with row 1 of the whole.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "check.hpp"
#include "detnum/norm.hpp"
#include "detnum/softmax.hpp"

namespace detnum::cli {
namespace {

struct Shape {
  std::int64_t rows, cols;
};

Shape many_rows(std::int64_t n) {
  const std::int64_t cols = std::min<std::int64_t>(n, 129);
  return {cols > 0 ? std::min<std::int64_t>(n / cols, 129) : 0, cols};
}
Shape long_rows(std::int64_t n) {
  const std::int64_t rows = std::min<std::int64_t>(n, 2);
  return {rows, rows > 0 ? std::min<std::int64_t>(n / rows, 17000) : 0};
}

struct ShapeFamily {
  Shape (*shape)(std::int64_t);
  const char* name;
};
constexpr ShapeFamily kShapes[] = {{many_rows, "c = min(n, 129) cols, min(n/c, 129) rows"},
                                   {long_rows, "r = min(n, 2) rows, min(n/r, 17000) cols"}};

constexpr float kEps = 1e-5f;

// Everything the ops read, for one shape, and the outputs they write (sentinels at first).
struct RowCase {
  std::int64_t rows, cols;
  std::vector<float> x, dy, gamma, beta, fwd_y, mean, rstd;
  std::vector<std::int32_t> labels;
};

RowCase make_case(const CheckInputs& in, Shape s, bool specials) {
  const std::int64_t count = s.rows * s.cols;
  RowCase c{s.rows, s.cols, f32_operand(in, count, 0, !specials), f32_operand(in, count, 11, true),
            f32_operand(in, s.cols, 3, true), f32_operand(in, s.cols, 5, true), {}, {}, {}, even_ids(in, s.rows, s.cols)};
  return c;
}

// Runs op on the backend; the backward passes first get their saved inputs from the reference.
CheckOutputs run_op(Backend& b, RowOp op, RowCase c) {
  const std::int64_t count = c.rows * c.cols;
  std::vector<float> y = sentinel_floats(count), loss = sentinel_floats(op == RowOp::cross_entropy_per_row ? c.rows : 1);
  std::vector<float> mean = sentinel_floats(c.rows), rstd = sentinel_floats(c.rows);
  std::vector<float> dgamma = sentinel_floats(c.cols), dbeta = sentinel_floats(c.cols);
  const float* x = c.x.data();
  switch (op) {
    case RowOp::softmax_backward:
    case RowOp::log_softmax_backward:
    case RowOp::causal_softmax_backward:
      c.fwd_y.resize(static_cast<std::size_t>(count));
      if (op == RowOp::softmax_backward) ref::softmax(c.x.data(), c.fwd_y.data(), c.rows, c.cols);
      else if (op == RowOp::causal_softmax_backward)
        ref::causal_softmax(c.x.data(), c.fwd_y.data(), c.rows, c.cols, check_causal_mask(op, c.cols));
      else ref::log_softmax(c.x.data(), c.fwd_y.data(), c.rows, c.cols);
      x = c.fwd_y.data();
      break;
    case RowOp::layer_norm_backward:
    case RowOp::rms_norm_backward: {
      c.mean.resize(static_cast<std::size_t>(c.rows));
      c.rstd.resize(static_cast<std::size_t>(c.rows));
      std::vector<float> fy(static_cast<std::size_t>(count));
      if (op == RowOp::layer_norm_backward)
        ref::layer_norm(c.x.data(), c.gamma.data(), c.beta.data(), fy.data(), c.mean.data(), c.rstd.data(), c.rows,
                        c.cols, kEps);
      else ref::rms_norm(c.x.data(), c.gamma.data(), fy.data(), c.rstd.data(), c.rows, c.cols, kEps);
      break;
    }
    default: break;
  }
  b.row_op({op, c.rows, c.cols, kEps, x, c.dy.data(), c.gamma.data(), c.beta.data(), c.mean.data(), c.rstd.data(),
            c.labels.data(), y.data(), loss.data(), mean.data(), rstd.data(), dgamma.data(), dbeta.data()});
  switch (op) {
    case RowOp::cross_entropy:
    case RowOp::cross_entropy_ignore:
    case RowOp::cross_entropy_smooth: return {float_bytes({&loss, &y}), {}};
    case RowOp::cross_entropy_per_row: return {float_bytes({&y, &loss}), {}};
    case RowOp::layer_norm: return {float_bytes({&y, &mean, &rstd}), {}};
    case RowOp::layer_norm_backward: return {float_bytes({&y, &dgamma, &dbeta}), {}};
    case RowOp::rms_norm: return {float_bytes({&y, &rstd}), {}};
    case RowOp::rms_norm_backward: return {float_bytes({&y, &dgamma}), {}};
    default: return {float_bytes({&y}), {}};
  }
}

struct OpInfo {
  RowOp op;
  const char* name;
  const char* outputs;  // what y holds
  bool forward;         // also run on the inputs with specials
};
constexpr OpInfo kOps[] = {
    {RowOp::softmax, "softmax", "y", true},
    {RowOp::softmax_backward, "softmax_backward", "dx, y = ref softmax(x)", false},
    {RowOp::log_softmax, "log_softmax", "y", true},
    {RowOp::log_softmax_backward, "log_softmax_backward", "dx, y = ref log_softmax(x)", false},
    {RowOp::causal_softmax, "causal_softmax", "y, blocks of 7 rows, offset cols - 4", true},
    {RowOp::causal_softmax_backward, "causal_softmax_backward",
     "dx, y = ref causal_softmax(x), blocks of 5 rows, offset cols / 2", false},
    {RowOp::cross_entropy, "cross_entropy", "loss|dlogits, even labels", false},
    {RowOp::cross_entropy_ignore, "cross_entropy_ignore", "loss|dlogits, even labels, label 0 ignored", false},
    {RowOp::cross_entropy_smooth, "cross_entropy_smooth", "loss|dlogits, even labels, label 0 ignored, smoothing 0.1",
     false},
    {RowOp::cross_entropy_per_row, "cross_entropy_per_row",
     "dlogits|losses, even labels, label 0 ignored, smoothing 0.1, per row", false},
    {RowOp::layer_norm, "layer_norm", "y|mean|rstd, eps 1e-5", true},
    {RowOp::layer_norm_backward, "layer_norm_backward", "dx|dgamma|dbeta, mean, rstd from ref layer_norm", false},
    {RowOp::rms_norm, "rms_norm", "y|rstd, eps 1e-5", true},
    {RowOp::rms_norm_backward, "rms_norm_backward", "dx|dgamma, rstd from ref rms_norm", false},
};

// The bytes of row 1 of an op's per-row outputs: y's row and, for layer_norm, mean's and rstd's,
// for per-row cross-entropy its loss.
std::vector<std::uint8_t> row_one(const std::vector<std::uint8_t>& all, RowOp op, Shape s) {
  const std::size_t row = static_cast<std::size_t>(s.cols) * sizeof(float), matrix = row * static_cast<std::size_t>(s.rows);
  std::vector<std::uint8_t> r(all.begin() + static_cast<std::ptrdiff_t>(row), all.begin() + static_cast<std::ptrdiff_t>(2 * row));
  const int per_row_values = op == RowOp::layer_norm ? 2 : op == RowOp::cross_entropy_per_row ? 1 : 0;
  for (int v = 0; v < per_row_values; ++v) {  // each a vector of rows floats after y
    const std::size_t start = matrix + static_cast<std::size_t>(v) * static_cast<std::size_t>(s.rows) * sizeof(float);
    const auto at = all.begin() + static_cast<std::ptrdiff_t>(start + sizeof(float));
    r.insert(r.end(), at, at + sizeof(float));
  }
  return r;
}

// Batch invariance: row 1 of the many-rows matrix alone (rows = 1) has the bits of row 1 of the
// whole matrix's outputs.
void add_row_alone(std::vector<CheckOp>& ops, RowOp op, const char* name, const char* outputs) {
  ops.push_back({name, Dtype::f32, false, std::string("row 1 of c = min(n, 129) cols, min(n/c, 129) rows alone == that row of the whole; ") + outputs,
                 [op](Backend& b, const CheckInputs& in) {
                   const Shape s = many_rows(in.n);
                   if (s.rows < 2) return CheckOutputs{};
                   RowCase c = make_case(in, s, false);
                   c.x.erase(c.x.begin(), c.x.begin() + s.cols);  // rows 1.. : row 1 first
                   c.x.resize(static_cast<std::size_t>(s.cols));
                   c.labels.erase(c.labels.begin());  // row 1's label first
                   c.rows = 1;
                   return run_op(b, op, std::move(c));
                 },
                 [op](Backend& ref, const CheckInputs& in) {
                   const Shape s = many_rows(in.n);
                   if (s.rows < 2) return CheckOutputs{};
                   CheckOutputs all = run_op(ref, op, make_case(in, s, false));
                   all.y = row_one(all.y, op, s);
                   return all;
                 },
                 Dtype::f32});
}

}  // namespace

std::vector<CheckOp> row_check_ops() {
  std::vector<CheckOp> ops;
  for (const OpInfo& info : kOps)
    for (const ShapeFamily& shape : kShapes)
      for (const bool specials : {false, true}) {
        if (specials && (!info.forward || shape.shape != many_rows)) continue;
        const RowOp op = info.op;
        const auto shape_of = shape.shape;
        ops.push_back({info.name, Dtype::f32, false,
                       std::string(shape.name) + ", " + info.outputs + (specials ? ", inputs with specials" : ", finite inputs"),
                       [op, shape_of, specials](Backend& b, const CheckInputs& in) {
                         return run_op(b, op, make_case(in, shape_of(in.n), specials));
                       },
                       {}, Dtype::f32});
      }
  add_row_alone(ops, RowOp::softmax, "softmax", "y");
  add_row_alone(ops, RowOp::layer_norm, "layer_norm", "y|mean|rstd, eps 1e-5");
  add_row_alone(ops, RowOp::cross_entropy_per_row, "cross_entropy_per_row",
                "dlogits|loss, label 0 ignored, smoothing 0.1, per row");
  return ops;
}

}  // namespace detnum::cli
