// The batch norm entries of `detnum check` (detnum/norm.hpp): the forward pass with running
// statistics (from 0 and 1, momentum 0.1) and then the backward pass from its mean and rstd, all
// eight outputs one after another. For input size N, two shapes of at least 2 rows: a tall one
// (min(N, 20000) rows of 3 columns: past a chunk of 8192 rows from N = 8193 on) and a wide one
// (c = min(N, 1030) columns, past a CPU column block from N = 1025 on, min(N / c, 64) rows); on
// finite inputs (specials become 1.5) and, the tall one, on the inputs with their specials. One
// column-invariance row: column 1 of the wide shape alone == that column of the whole.
#include <algorithm>
#include <string>
#include <vector>

#include "check.hpp"

namespace detnum::cli {
namespace {

struct Shape {
  std::int64_t rows, cols;
};
Shape tall(std::int64_t n) { return n > 0 ? Shape{std::clamp<std::int64_t>(n, 2, 20000), 3} : Shape{0, 0}; }
Shape wide(std::int64_t n) {
  const std::int64_t c = std::min<std::int64_t>(n, 1030);
  return c > 0 ? Shape{std::clamp<std::int64_t>(n / c, 2, 64), c} : Shape{0, 0};
}

constexpr float kEps = 1e-5f, kMomentum = 0.1f;

struct Outputs {
  std::vector<float> y, mean, rstd, running_mean, running_var, dx, dgamma, dbeta;
};

// Both passes on columns [col0, col0 + cols) of the shape's inputs (all of them by default).
Outputs run(Backend& b, const CheckInputs& in, Shape s, bool finite, std::int64_t col0 = 0, std::int64_t cols = -1) {
  if (cols < 0) cols = s.cols;
  const std::vector<float> x_all = f32_operand(in, s.rows * s.cols, 0, finite),
                           dy_all = f32_operand(in, s.rows * s.cols, 11, true),
                           gamma_all = f32_operand(in, s.cols, 3, true), beta_all = f32_operand(in, s.cols, 5, true);
  std::vector<float> x, dy;
  for (std::int64_t r = 0; r < s.rows; ++r)
    for (std::int64_t j = col0; j < col0 + cols; ++j) {
      x.push_back(x_all[r * s.cols + j]);
      dy.push_back(dy_all[r * s.cols + j]);
    }
  const std::vector<float> gamma(gamma_all.begin() + col0, gamma_all.begin() + col0 + cols),
      beta(beta_all.begin() + col0, beta_all.begin() + col0 + cols);
  const std::int64_t n = s.rows * cols;
  Outputs o{sentinel_floats(n),    sentinel_floats(cols),        sentinel_floats(cols),
            std::vector<float>(cols, 0.0f), std::vector<float>(cols, 1.0f), sentinel_floats(n),
            sentinel_floats(cols), sentinel_floats(cols)};
  b.batch_norm({s.rows, cols, kEps, kMomentum, x.data(), gamma.data(), beta.data(), dy.data(), o.y.data(),
                o.mean.data(), o.rstd.data(), o.running_mean.data(), o.running_var.data(), o.dx.data(),
                o.dgamma.data(), o.dbeta.data()});
  return o;
}

CheckOutputs bytes_of(const Outputs& o) {
  return {float_bytes({&o.y, &o.mean, &o.rstd, &o.running_mean, &o.running_var, &o.dx, &o.dgamma, &o.dbeta}), {}};
}

// Column j of every output of a pass over all columns.
Outputs column_of(const Outputs& all, Shape s, std::int64_t j) {
  Outputs o;
  for (std::int64_t r = 0; r < s.rows; ++r) {
    o.y.push_back(all.y[r * s.cols + j]);
    o.dx.push_back(all.dx[r * s.cols + j]);
  }
  for (const auto& [dst, src] : {std::pair{&o.mean, &all.mean}, std::pair{&o.rstd, &all.rstd},
                                 std::pair{&o.running_mean, &all.running_mean},
                                 std::pair{&o.running_var, &all.running_var}, std::pair{&o.dgamma, &all.dgamma},
                                 std::pair{&o.dbeta, &all.dbeta}})
    dst->push_back((*src)[j]);
  return o;
}

}  // namespace

std::vector<CheckOp> batch_norm_check_ops() {
  std::vector<CheckOp> ops;
  const std::string outputs = "y|mean|rstd|running_mean|running_var|dx|dgamma|dbeta, eps 1e-5, momentum 0.1";
  const auto add = [&](const std::string& shape_name, Shape (*shape)(std::int64_t), bool finite) {
    ops.push_back({"batch_norm", Dtype::f32, false,
                   shape_name + (finite ? ", finite inputs: " : ", inputs with specials: ") + outputs,
                   [=](Backend& b, const CheckInputs& in) { return bytes_of(run(b, in, shape(in.n), finite)); }, {},
                   Dtype::f32});
  };
  add("min(n, 20000) rows x 3", tall, true);
  add("min(n, 20000) rows x 3", tall, false);
  add("min(n/c, 64) rows x c = min(n, 1030)", wide, true);
  ops.push_back({"batch_norm", Dtype::f32, false,
                 "column 1 of min(n/c, 64) rows x c = min(n, 1030) alone == that column of the whole: " + outputs,
                 [](Backend& b, const CheckInputs& in) {
                   const Shape s = wide(in.n);
                   return s.cols < 2 ? CheckOutputs{} : bytes_of(run(b, in, s, true, 1, 1));
                 },
                 [](Backend& ref, const CheckInputs& in) {
                   const Shape s = wide(in.n);
                   return s.cols < 2 ? CheckOutputs{} : bytes_of(column_of(run(ref, in, s, true), s, 1));
                 },
                 Dtype::f32});
  return ops;
}

}  // namespace detnum::cli
