// The row-op cases every backend runs, and one way to run all ten ops on any backend: shared by
// nn_rows_test.cpp (the fast CPU path) and nn_rows_gpu_test.cu (CUDA), so both are held to the
// same shapes, inputs and comparisons with the reference.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "detnum/norm.hpp"
#include "detnum/random.hpp"
#include "detnum/softmax.hpp"
#include "support/bits.hpp"
#include "support/data.hpp"

namespace detnum::test {

// cols around the lane (128) and chunk (8192) boundaries of ORDER.md and past two chunks; rows
// from 1 to 37, and one more than a chunk. Plus empty matrices.
inline std::vector<std::pair<std::int64_t, std::int64_t>> row_shapes() {
  std::vector<std::pair<std::int64_t, std::int64_t>> s = {{0, 0}, {0, 5}, {4, 0}};
  for (const std::int64_t cols : {1, 2, 127, 128, 129, 8191, 8192, 8193, 20000})
    for (const std::int64_t rows : {1, 2, 5, 37}) s.emplace_back(rows, cols);
  for (const std::int64_t rows : {3, 8, 13, 31}) s.emplace_back(rows, 300);
  s.emplace_back(8193, 64);  // past a chunk of rows: the norm gradients' dgamma and dbeta take two levels
  return s;
}

enum class RowOp {
  softmax,
  log_softmax,
  softmax_backward,
  log_softmax_backward,
  causal_softmax,           // causal_mask(cols, false): kept lengths cols - 6 .. cols
  causal_softmax_backward,  // causal_mask(cols, true): about half the columns
  cross_entropy,
  cross_entropy_loss_only,  // dlogits = nullptr
  // With options (ce_options) and RowInputs::labels_ignoring:
  cross_entropy_ignore,  // an ignored label
  cross_entropy_ignore_loss_only,
  cross_entropy_smooth,  // and label smoothing
  cross_entropy_sum,     // and a sum
  cross_entropy_smooth_sum_loss_only,
  cross_entropy_none,  // per-row losses, with label smoothing
  cross_entropy_smooth_all_rows,  // label smoothing with RowInputs::labels: no label ignored
  layer_norm,
  layer_norm_backward,
  rms_norm,
  rms_norm_backward,
};
inline constexpr RowOp kRowOps[] = {RowOp::softmax,
                                    RowOp::log_softmax,
                                    RowOp::softmax_backward,
                                    RowOp::log_softmax_backward,
                                    RowOp::causal_softmax,
                                    RowOp::causal_softmax_backward,
                                    RowOp::cross_entropy,
                                    RowOp::cross_entropy_loss_only,
                                    RowOp::cross_entropy_ignore,
                                    RowOp::cross_entropy_ignore_loss_only,
                                    RowOp::cross_entropy_smooth,
                                    RowOp::cross_entropy_sum,
                                    RowOp::cross_entropy_smooth_sum_loss_only,
                                    RowOp::cross_entropy_none,
                                    RowOp::cross_entropy_smooth_all_rows,
                                    RowOp::layer_norm,
                                    RowOp::layer_norm_backward,
                                    RowOp::rms_norm,
                                    RowOp::rms_norm_backward};

// The ignored label of the cases with options: PyTorch's default.
inline constexpr std::int32_t kIgnoredLabel = -100;

// The cross-entropy cases with options, and theirs; the others take none.
// The causal cases' masks: blocks of 7 or 5 rows; the forward's queries aligned with the last
// keys (kept lengths cols - 6 .. cols, across the lane and chunk boundaries of the shapes), the
// backward's with the middle (cols / 2 + 1 .. cols / 2 + 5, past a chunk at 20000 columns).
inline CausalMask causal_mask(std::int64_t cols, bool backward) {
  if (backward) return {5, cols / 2};
  return {7, cols > 7 ? cols - 7 : 0};
}

inline bool has_ce_options(RowOp op) {
  return op == RowOp::cross_entropy_ignore || op == RowOp::cross_entropy_ignore_loss_only ||
         op == RowOp::cross_entropy_smooth || op == RowOp::cross_entropy_sum ||
         op == RowOp::cross_entropy_smooth_sum_loss_only || op == RowOp::cross_entropy_none ||
         op == RowOp::cross_entropy_smooth_all_rows;
}
inline CrossEntropyOptions ce_options(RowOp op) {
  switch (op) {
    case RowOp::cross_entropy_smooth: return {kIgnoredLabel, 0.1f, LossReduction::mean};
    case RowOp::cross_entropy_sum: return {kIgnoredLabel, 0.0f, LossReduction::sum};
    case RowOp::cross_entropy_smooth_sum_loss_only: return {kIgnoredLabel, 0.25f, LossReduction::sum};
    case RowOp::cross_entropy_none: return {kIgnoredLabel, 0.1f, LossReduction::none};
    case RowOp::cross_entropy_smooth_all_rows: return {std::nullopt, 0.1f, LossReduction::mean};
    default: return {kIgnoredLabel, 0.0f, LossReduction::mean};
  }
}
inline bool is_cross_entropy(RowOp op) {
  return op == RowOp::cross_entropy || op == RowOp::cross_entropy_loss_only || has_ce_options(op);
}
inline bool ce_loss_only(RowOp op) {
  return op == RowOp::cross_entropy_loss_only || op == RowOp::cross_entropy_ignore_loss_only ||
         op == RowOp::cross_entropy_smooth_sum_loss_only;
}
// Whether each output row depends on that input row alone (the cross-entropy losses reduced over
// rows, and a mean's gradient, do not).
inline bool is_per_row(RowOp op) { return !is_cross_entropy(op) || op == RowOp::cross_entropy_none; }

inline const char* op_name(RowOp op) {
  switch (op) {
    case RowOp::softmax: return "softmax";
    case RowOp::log_softmax: return "log_softmax";
    case RowOp::softmax_backward: return "softmax_backward";
    case RowOp::log_softmax_backward: return "log_softmax_backward";
    case RowOp::causal_softmax: return "causal_softmax";
    case RowOp::causal_softmax_backward: return "causal_softmax_backward";
    case RowOp::cross_entropy: return "cross_entropy";
    case RowOp::cross_entropy_loss_only: return "cross_entropy (loss only)";
    case RowOp::cross_entropy_ignore: return "cross_entropy, ignored label";
    case RowOp::cross_entropy_ignore_loss_only: return "cross_entropy, ignored label (loss only)";
    case RowOp::cross_entropy_smooth: return "cross_entropy, ignored label, label smoothing 0.1";
    case RowOp::cross_entropy_sum: return "cross_entropy, ignored label, sum";
    case RowOp::cross_entropy_smooth_sum_loss_only:
      return "cross_entropy, ignored label, label smoothing 0.25, sum (loss only)";
    case RowOp::cross_entropy_none: return "cross_entropy, ignored label, label smoothing 0.1, per row";
    case RowOp::cross_entropy_smooth_all_rows: return "cross_entropy, label smoothing 0.1";
    case RowOp::layer_norm: return "layer_norm";
    case RowOp::layer_norm_backward: return "layer_norm_backward";
    case RowOp::rms_norm: return "rms_norm";
    case RowOp::rms_norm_backward: return "rms_norm_backward";
  }
  return "?";
}

// Everything the ten ops read. The backward inputs are what the forward passes (the reference)
// give for x, as in training.
struct RowInputs {
  std::int64_t rows = 0, cols = 0;
  float eps = 1e-5f;
  std::vector<float> x, dy, gamma, beta;
  std::vector<std::int32_t> labels;
  std::vector<std::int32_t> labels_ignoring;  // labels with some rows' kIgnoredLabel instead
  std::vector<float> softmax_y, log_softmax_y;  // softmax(x), log_softmax(x)
  std::vector<float> mean, rstd, rms_rstd;      // layer_norm's and rms_norm's saved statistics
};

// Uniform in [lo, hi) from detnum's own Philox stream (the same values everywhere).
inline float uniform_in(std::uint64_t seed, std::uint64_t stream, std::uint64_t i, float lo, float hi) {
  return lo + (hi - lo) * uniform_float(stream_word(seed, stream, i));
}

// x: uniform in [-8, 8) (logits of a sane model: no term of the softmax sum underflows), except
// that with `specials` every fourth row is data.hpp's mix (magnitudes 2^-20 .. 2^20 with +-0,
// +-Inf, NaNs, subnormals and +-FLT_MAX sprinkled in). dy in [-1, 1), gamma in [0.5, 2), beta in
// [-1, 1); with `specials`, a few of those are specials too, some labels are the first or last
// column or have a logit of -Inf or 1e30, and some rows' saved statistics (the backward passes'
// inputs) are +-0, +Inf or NaN. labels_ignoring: a third of the rows ignored, at random; every row
// of a matrix of 5 rows or of no columns (so that no row is kept); none of a matrix of one row.
inline RowInputs make_row_inputs(std::int64_t rows, std::int64_t cols, std::uint64_t seed, bool specials) {
  RowInputs in;
  in.rows = rows;
  in.cols = cols;
  const std::int64_t n = rows * cols;
  const std::vector<float> mixed = random_floats(n, seed);
  in.x.resize(n);
  in.dy.resize(n);
  for (std::int64_t i = 0; i < n; ++i) {
    const bool special_row = specials && (i / cols) % 4 == 1;
    in.x[i] = special_row ? mixed[i] : uniform_in(seed, 1, i, -8.0f, 8.0f);
    in.dy[i] = special_row && i % 97 == 3 ? mixed[(i * 7) % n] : uniform_in(seed, 2, i, -1.0f, 1.0f);
  }
  in.gamma.resize(cols);
  in.beta.resize(cols);
  for (std::int64_t j = 0; j < cols; ++j) {
    in.gamma[j] = uniform_in(seed, 3, j, 0.5f, 2.0f);
    in.beta[j] = uniform_in(seed, 4, j, -1.0f, 1.0f);
  }
  if (specials && cols > 3) {
    in.gamma[cols - 2] = -0.0f;
    in.beta[1] = 1e30f;
  }
  in.labels.resize(rows);
  for (std::int64_t r = 0; r < rows; ++r)
    in.labels[r] = static_cast<std::int32_t>(stream_word(seed, 5, r) % static_cast<std::uint64_t>(cols > 0 ? cols : 1));
  if (specials && rows > 0 && cols > 0) {
    in.labels[0] = 0;  // the first and the last column as labels
    in.labels[rows - 1] = static_cast<std::int32_t>(cols - 1);
    for (std::int64_t r = 2; r < rows; r += 4)  // a label whose logit is -Inf: that row's loss is +Inf
      in.x[r * cols + in.labels[r]] = -std::numeric_limits<float>::infinity();
    for (std::int64_t r = 8; r < rows; r += 8)  // a label that takes all the softmax's mass
      in.x[r * cols + in.labels[r]] = 1e30f;
  }
  in.labels_ignoring = in.labels;
  for (std::int64_t r = 0; r < rows; ++r)
    if (rows == 5 || cols == 0 || (rows > 1 && stream_word(seed, 6, r) % 3 == 0)) in.labels_ignoring[r] = kIgnoredLabel;
  in.softmax_y.resize(n);
  in.log_softmax_y.resize(n);
  in.mean.resize(rows);
  in.rstd.resize(rows);
  in.rms_rstd.resize(rows);
  std::vector<float> y(n);
  ref::softmax(in.x.data(), in.softmax_y.data(), rows, cols);
  ref::log_softmax(in.x.data(), in.log_softmax_y.data(), rows, cols);
  ref::layer_norm(in.x.data(), in.gamma.data(), in.beta.data(), y.data(), in.mean.data(), in.rstd.data(), rows, cols,
                  in.eps);
  ref::rms_norm(in.x.data(), in.gamma.data(), y.data(), in.rms_rstd.data(), rows, cols, in.eps);
  // The backward passes take the statistics as inputs: on rows of finite x, some are given
  // +0, -0, +Inf or NaN instead, and one dy is +Inf.
  const float stats[] = {0.0f, -0.0f, std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()};
  for (std::int64_t r = 3; specials && r < rows; r += 4) {
    const float v = stats[(r / 4) % 4];
    in.rstd[r] = in.rms_rstd[r] = v;
    if ((r / 4) % 2 == 1) in.mean[r] = v;
    if (cols > 0) in.dy[r * cols + r % cols] = std::numeric_limits<float>::infinity();
  }
  return in;
}

// What one op wrote, by name ("y", "dgamma", ...).
using RowOutputs = std::vector<std::pair<std::string, std::vector<float>>>;

// Output buffers start as this, so an element the op did not write shows.
inline constexpr float kRowSentinel = -12345.0f;

// The buffers of one op's outputs, each pre-filled with the sentinel.
inline RowOutputs row_outputs_of(RowOp op, std::int64_t rows, std::int64_t cols) {
  const auto buf = [](std::int64_t n) { return std::vector<float>(static_cast<std::size_t>(n), kRowSentinel); };
  const std::int64_t n = rows * cols;
  switch (op) {
    case RowOp::softmax:
    case RowOp::log_softmax:
    case RowOp::causal_softmax: return {{"y", buf(n)}};
    case RowOp::softmax_backward:
    case RowOp::log_softmax_backward:
    case RowOp::causal_softmax_backward: return {{"dx", buf(n)}};
    case RowOp::cross_entropy:
    case RowOp::cross_entropy_ignore:
    case RowOp::cross_entropy_smooth:
    case RowOp::cross_entropy_sum:
    case RowOp::cross_entropy_smooth_all_rows: return {{"loss", buf(1)}, {"dlogits", buf(n)}};
    case RowOp::cross_entropy_loss_only:
    case RowOp::cross_entropy_ignore_loss_only:
    case RowOp::cross_entropy_smooth_sum_loss_only: return {{"loss", buf(1)}};
    case RowOp::cross_entropy_none: return {{"loss", buf(rows)}, {"dlogits", buf(n)}};
    case RowOp::layer_norm: return {{"y", buf(n)}, {"mean", buf(rows)}, {"rstd", buf(rows)}};
    case RowOp::layer_norm_backward: return {{"dx", buf(n)}, {"dgamma", buf(cols)}, {"dbeta", buf(cols)}};
    case RowOp::rms_norm: return {{"y", buf(n)}, {"rstd", buf(rows)}};
    case RowOp::rms_norm_backward: return {{"dx", buf(n)}, {"dgamma", buf(cols)}};
  }
  return {};
}

// The ops' entry points on one backend, called with pointers the backend reads (host or device).
// `out` holds the buffers of row_outputs_of(op), in its order.
struct RowCall {
  RowOp op;
  const float *x, *dy, *gamma, *beta, *softmax_y, *log_softmax_y, *mean, *rstd, *rms_rstd;
  const std::int32_t *labels, *labels_ignoring;
  std::int64_t rows, cols;
  float eps;
  std::vector<float*> out;
};

// Calls the op through F, which is detnum:: (with CpuOptions bound), detnum::ref:: or
// detnum::cuda:: (with stream and launch bound), as an object with the ten ops as members
// (cross_entropy with and without CrossEntropyOptions).
template <class F>
void dispatch(const F& f, const RowCall& c) {
  switch (c.op) {
    case RowOp::softmax: return f.softmax(c.x, c.out[0], c.rows, c.cols);
    case RowOp::log_softmax: return f.log_softmax(c.x, c.out[0], c.rows, c.cols);
    case RowOp::softmax_backward: return f.softmax_backward(c.softmax_y, c.dy, c.out[0], c.rows, c.cols);
    case RowOp::log_softmax_backward: return f.log_softmax_backward(c.log_softmax_y, c.dy, c.out[0], c.rows, c.cols);
    case RowOp::causal_softmax: return f.causal_softmax(c.x, c.out[0], c.rows, c.cols, causal_mask(c.cols, false));
    case RowOp::causal_softmax_backward:
      return f.causal_softmax_backward(c.softmax_y, c.dy, c.out[0], c.rows, c.cols, causal_mask(c.cols, true));
    case RowOp::cross_entropy: return f.cross_entropy(c.x, c.labels, c.rows, c.cols, c.out[0], c.out[1]);
    case RowOp::cross_entropy_loss_only: return f.cross_entropy(c.x, c.labels, c.rows, c.cols, c.out[0], nullptr);
    case RowOp::cross_entropy_ignore:
    case RowOp::cross_entropy_ignore_loss_only:
    case RowOp::cross_entropy_smooth:
    case RowOp::cross_entropy_sum:
    case RowOp::cross_entropy_smooth_sum_loss_only:
    case RowOp::cross_entropy_none:
    case RowOp::cross_entropy_smooth_all_rows:
      return f.cross_entropy(c.x, c.op == RowOp::cross_entropy_smooth_all_rows ? c.labels : c.labels_ignoring, c.rows,
                             c.cols, ce_options(c.op), c.out[0], ce_loss_only(c.op) ? nullptr : c.out[1]);
    case RowOp::layer_norm:
      return f.layer_norm(c.x, c.gamma, c.beta, c.out[0], c.out[1], c.out[2], c.rows, c.cols, c.eps);
    case RowOp::layer_norm_backward:
      return f.layer_norm_backward(c.x, c.gamma, c.mean, c.rstd, c.dy, c.out[0], c.out[1], c.out[2], c.rows, c.cols);
    case RowOp::rms_norm: return f.rms_norm(c.x, c.gamma, c.out[0], c.out[1], c.rows, c.cols, c.eps);
    case RowOp::rms_norm_backward:
      return f.rms_norm_backward(c.x, c.gamma, c.rms_rstd, c.dy, c.out[0], c.out[1], c.rows, c.cols);
  }
}

// The call on host buffers.
inline RowCall host_call(RowOp op, const RowInputs& in, RowOutputs& out) {
  RowCall c{op,
            in.x.data(),
            in.dy.data(),
            in.gamma.data(),
            in.beta.data(),
            in.softmax_y.data(),
            in.log_softmax_y.data(),
            in.mean.data(),
            in.rstd.data(),
            in.rms_rstd.data(),
            in.labels.data(),
            in.labels_ignoring.data(),
            in.rows,
            in.cols,
            in.eps,
            {}};
  for (auto& [name, v] : out) c.out.push_back(v.data());
  return c;
}

struct RefOps {
  void softmax(const float* x, float* y, std::int64_t r, std::int64_t c) const { ref::softmax(x, y, r, c); }
  void log_softmax(const float* x, float* y, std::int64_t r, std::int64_t c) const { ref::log_softmax(x, y, r, c); }
  void softmax_backward(const float* y, const float* dy, float* dx, std::int64_t r, std::int64_t c) const {
    ref::softmax_backward(y, dy, dx, r, c);
  }
  void log_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t r, std::int64_t c) const {
    ref::log_softmax_backward(y, dy, dx, r, c);
  }
  void causal_softmax(const float* x, float* y, std::int64_t r, std::int64_t c, const CausalMask& m) const {
    ref::causal_softmax(x, y, r, c, m);
  }
  void causal_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t r, std::int64_t c,
                               const CausalMask& m) const {
    ref::causal_softmax_backward(y, dy, dx, r, c, m);
  }
  void cross_entropy(const float* x, const std::int32_t* l, std::int64_t r, std::int64_t c, float* loss,
                     float* dl) const {
    ref::cross_entropy(x, l, r, c, loss, dl);
  }
  void cross_entropy(const float* x, const std::int32_t* l, std::int64_t r, std::int64_t c,
                     const CrossEntropyOptions& ce, float* loss, float* dl) const {
    ref::cross_entropy(x, l, r, c, ce, loss, dl);
  }
  void layer_norm(const float* x, const float* g, const float* b, float* y, float* m, float* s, std::int64_t r,
                  std::int64_t c, float eps) const {
    ref::layer_norm(x, g, b, y, m, s, r, c, eps);
  }
  void layer_norm_backward(const float* x, const float* g, const float* m, const float* s, const float* dy, float* dx,
                           float* dg, float* db, std::int64_t r, std::int64_t c) const {
    ref::layer_norm_backward(x, g, m, s, dy, dx, dg, db, r, c);
  }
  void rms_norm(const float* x, const float* g, float* y, float* s, std::int64_t r, std::int64_t c, float eps) const {
    ref::rms_norm(x, g, y, s, r, c, eps);
  }
  void rms_norm_backward(const float* x, const float* g, const float* s, const float* dy, float* dx, float* dg,
                         std::int64_t r, std::int64_t c) const {
    ref::rms_norm_backward(x, g, s, dy, dx, dg, r, c);
  }
};

inline RowOutputs run_ref(RowOp op, const RowInputs& in) {
  RowOutputs out = row_outputs_of(op, in.rows, in.cols);
  dispatch(RefOps{}, host_call(op, in, out));
  return out;
}

// For every shape of row_shapes(), with and without specials, and every op that can run there
// (cross_entropy without an ignored label needs a label in [0, cols): there is none when cols = 0
// < rows): check(op, in, the reference's outputs), under a trace that names the case.
template <class Check>
void for_each_row_case(const Check& check) {
  for (const auto& [rows, cols] : row_shapes())
    for (const bool specials : {false, true}) {
      SCOPED_TRACE(std::to_string(rows) + " x " + std::to_string(cols) + (specials ? ", specials" : ""));
      const RowInputs in = make_row_inputs(rows, cols, 11 + static_cast<std::uint64_t>(rows * 131 + cols), specials);
      for (const RowOp op : kRowOps) {
        if (cols == 0 && rows > 0 &&
            (op == RowOp::cross_entropy || op == RowOp::cross_entropy_loss_only ||
             op == RowOp::cross_entropy_smooth_all_rows))
          continue;
        SCOPED_TRACE(op_name(op));
        check(op, in, run_ref(op, in));
      }
    }
}

// Every output of `got` has the bits of the same output of `want`.
inline void expect_same_outputs(const RowOutputs& want, const RowOutputs& got) {
  ASSERT_EQ(want.size(), got.size());
  for (std::size_t k = 0; k < want.size(); ++k)
    EXPECT_TRUE(same_bits(want[k].second, got[k].second)) << want[k].first;
}

}  // namespace detnum::test
