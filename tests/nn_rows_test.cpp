// The row ops on the CPU (softmax.hpp, norm.hpp): the fast path matches the reference bit for bit
// at every thread count and both SIMD kinds; a row's outputs do not change with the rows around
// it; special values give what ORDER.md says; the results are accurate (against float64
// formulas, themselves checked by finite differences); bad arguments get detnum::Error and
// nothing is written.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "detnum/detail/nn_rows_order.hpp"
#include "detnum/error.hpp"
#include "detnum/norm.hpp"
#include "detnum/reduce.hpp"
#include "detnum/softmax.hpp"
#include "nn_rows_cases.hpp"
#include "reduce_cases.hpp"
#include "support/errors.hpp"

namespace detnum::test {
namespace {

constexpr int kThreadCounts[] = {1, 2, 3, 5, 8};
constexpr CpuSimd kSimds[] = {CpuSimd::best, CpuSimd::portable};
const float kInf = std::numeric_limits<float>::infinity();
const float kNan = std::numeric_limits<float>::quiet_NaN();

// detnum:: with the options bound, in the shape dispatch() calls.
struct CpuOps {
  CpuOptions o;
  void softmax(const float* x, float* y, std::int64_t r, std::int64_t c) const { detnum::softmax(x, y, r, c, o); }
  void log_softmax(const float* x, float* y, std::int64_t r, std::int64_t c) const {
    detnum::log_softmax(x, y, r, c, o);
  }
  void softmax_backward(const float* y, const float* dy, float* dx, std::int64_t r, std::int64_t c) const {
    detnum::softmax_backward(y, dy, dx, r, c, o);
  }
  void log_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t r, std::int64_t c) const {
    detnum::log_softmax_backward(y, dy, dx, r, c, o);
  }
  void causal_softmax(const float* x, float* y, std::int64_t r, std::int64_t c, const CausalMask& m) const {
    detnum::causal_softmax(x, y, r, c, m, o);
  }
  void causal_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t r, std::int64_t c,
                               const CausalMask& m) const {
    detnum::causal_softmax_backward(y, dy, dx, r, c, m, o);
  }
  void cross_entropy(const float* x, const std::int32_t* l, std::int64_t r, std::int64_t c, float* loss,
                     float* dl) const {
    detnum::cross_entropy(x, l, r, c, loss, dl, o);
  }
  void cross_entropy(const float* x, const std::int32_t* l, std::int64_t r, std::int64_t c,
                     const CrossEntropyOptions& ce, float* loss, float* dl) const {
    detnum::cross_entropy(x, l, r, c, ce, loss, dl, o);
  }
  void layer_norm(const float* x, const float* g, const float* b, float* y, float* m, float* s, std::int64_t r,
                  std::int64_t c, float eps) const {
    detnum::layer_norm(x, g, b, y, m, s, r, c, eps, o);
  }
  void layer_norm_backward(const float* x, const float* g, const float* m, const float* s, const float* dy, float* dx,
                           float* dg, float* db, std::int64_t r, std::int64_t c) const {
    detnum::layer_norm_backward(x, g, m, s, dy, dx, dg, db, r, c, o);
  }
  void rms_norm(const float* x, const float* g, float* y, float* s, std::int64_t r, std::int64_t c, float eps) const {
    detnum::rms_norm(x, g, y, s, r, c, eps, o);
  }
  void rms_norm_backward(const float* x, const float* g, const float* s, const float* dy, float* dx, float* dg,
                         std::int64_t r, std::int64_t c) const {
    detnum::rms_norm_backward(x, g, s, dy, dx, dg, r, c, o);
  }
};

RowOutputs run_cpu(RowOp op, const RowInputs& in, CpuOptions o) {
  RowOutputs out = row_outputs_of(op, in.rows, in.cols);
  dispatch(CpuOps{o}, host_call(op, in, out));
  return out;
}

TEST(NnRows, FastPathMatchesTheReference) {
  for_each_row_case([](RowOp op, const RowInputs& in, const RowOutputs& want) {
    for (const CpuSimd simd : kSimds)
      for (const int threads : kThreadCounts) {
        SCOPED_TRACE("threads " + std::to_string(threads) + (simd == CpuSimd::best ? ", best" : ", portable"));
        expect_same_outputs(want, run_cpu(op, in, {threads, simd}));
      }
  });
}

// Every row count from 1 to 37: for rows of 1000 the threads split the matrix into groups of 8
// rows, so the split moves with the count; rows of 129 fit one group.
TEST(NnRows, EveryRowCountUpTo37) {
  for (const std::int64_t cols : {129, 1000})
    for (std::int64_t rows = 1; rows <= 37; ++rows) {
      SCOPED_TRACE(std::to_string(rows) + " x " + std::to_string(cols));
      const RowInputs in = make_row_inputs(rows, cols, 3 + static_cast<std::uint64_t>(rows), rows % 2 == 0);
      for (const RowOp op : kRowOps) {
        SCOPED_TRACE(op_name(op));
        const RowOutputs want = run_ref(op, in);
        for (const int threads : {2, 3, 5}) expect_same_outputs(want, run_cpu(op, in, {threads}));
      }
    }
}

// The norms' backward passes sum dgamma and dbeta over rows while they walk the rows for dx: rows
// past one chunk (8192) and past two, columns past one block (1024), at every thread count.
TEST(NnRows, NormBackwardSumsAcrossChunksAndBlocks) {
  const std::pair<std::int64_t, std::int64_t> shapes[] = {{8193, 3}, {16500, 7}, {300, 1500}, {129, 1025}, {8300, 1030}, {1, 2049}};
  for (const auto& [rows, cols] : shapes) {
    SCOPED_TRACE(std::to_string(rows) + " x " + std::to_string(cols));
    const RowInputs in = make_row_inputs(rows, cols, 91, rows % 2 == 0);
    for (const RowOp op : {RowOp::layer_norm_backward, RowOp::rms_norm_backward}) {
      SCOPED_TRACE(op_name(op));
      const RowOutputs want = run_ref(op, in);
      for (const CpuSimd simd : kSimds)
        for (const int threads : kThreadCounts) expect_same_outputs(want, run_cpu(op, in, {threads, simd}));
    }
  }
}

// --- Batch invariance ---------------------------------------------------------------------------

// The per-row outputs (y, dx, mean, rstd) of row r of a `rows`-row result.
RowOutputs row_of(const RowOutputs& all, std::int64_t r, std::int64_t rows) {
  RowOutputs one;
  for (const auto& [name, v] : all) {
    if (name == "dgamma" || name == "dbeta") continue;  // sums over rows: not per row
    const std::int64_t width = static_cast<std::int64_t>(v.size()) / rows;
    one.emplace_back(name, std::vector<float>(v.begin() + r * width, v.begin() + (r + 1) * width));
  }
  return one;
}

// The same inputs restricted to row r.
RowInputs single_row(const RowInputs& in, std::int64_t r) {
  RowInputs one = in;
  one.rows = 1;
  const auto slice = [&](const std::vector<float>& v, std::int64_t width) {
    return std::vector<float>(v.begin() + r * width, v.begin() + (r + 1) * width);
  };
  one.x = slice(in.x, in.cols);
  one.dy = slice(in.dy, in.cols);
  one.softmax_y = slice(in.softmax_y, in.cols);
  one.log_softmax_y = slice(in.log_softmax_y, in.cols);
  one.mean = slice(in.mean, 1);
  one.rstd = slice(in.rstd, 1);
  one.rms_rstd = slice(in.rms_rstd, 1);
  one.labels = {in.labels[r]};
  one.labels_ignoring = {in.labels_ignoring[r]};
  return one;
}

TEST(NnRows, ARowAloneHasTheBitsOfThatRowAmongAThousand) {
  for (const std::int64_t cols : {1024, 8193}) {
    const std::int64_t rows = cols > 8192 ? 40 : 1000;
    SCOPED_TRACE(std::to_string(rows) + " x " + std::to_string(cols));
    const RowInputs in = make_row_inputs(rows, cols, 77, true);
    for (const RowOp op : kRowOps) {
      if (!is_per_row(op)) continue;  // a mean or a sum over rows
      if (op == RowOp::causal_softmax || op == RowOp::causal_softmax_backward) continue;  // rows by position: below
      SCOPED_TRACE(op_name(op));
      const RowOutputs all = run_cpu(op, in, {});
      for (const std::int64_t r : {std::int64_t{0}, std::int64_t{1}, rows / 2 + 3, rows - 1}) {
        SCOPED_TRACE("row " + std::to_string(r));
        const RowInputs one = single_row(in, r);
        expect_same_outputs(row_of(all, r, rows), row_of(run_cpu(op, one, {1}), 0, 1));
        expect_same_outputs(row_of(all, r, rows), row_of(run_ref(op, one), 0, 1));
      }
    }
  }
}

// A causal row is the softmax of its kept prefix as a row of its own: its bits depend on neither
// cols nor the masked values (NaN and Inf here), nor on the blocks around it. The backward pass
// likewise, whatever dy holds in the masked columns.
TEST(NnRows, ACausalRowIsTheSoftmaxOfItsPrefix) {
  constexpr std::int64_t period = 6, blocks = 5, rows = period * blocks;
  for (const std::int64_t cols : {1, 7, 300, 8200}) {
    for (const std::int64_t offset : {std::int64_t{0}, cols / 2, cols - 3, cols + 100}) {
      if (offset < 0) continue;
      SCOPED_TRACE(std::to_string(cols) + " cols, offset " + std::to_string(offset));
      const CausalMask mask{period, offset};
      RowInputs in = make_row_inputs(rows, cols, 80, false);
      std::vector<float> y(rows * cols, kRowSentinel), dx(rows * cols, kRowSentinel);
      for (std::int64_t r = 0; r < rows; ++r)  // the masked columns: NaN and Inf, which must not matter
        for (std::int64_t j = detail::causal_kept(r, cols, period, offset); j < cols; ++j) {
          in.x[r * cols + j] = j % 2 ? kNan : kInf;
          in.dy[r * cols + j] = j % 3 ? -kInf : kNan;
        }
      causal_softmax(in.x.data(), y.data(), rows, cols, mask, CpuOptions{3});
      causal_softmax_backward(y.data(), in.dy.data(), dx.data(), rows, cols, mask, CpuOptions{2});
      for (std::int64_t r = 0; r < rows; ++r) {
        const std::int64_t k = std::min(cols, r % period + 1 + offset);
        std::vector<float> want_y(cols, 0.0f), want_dx(cols, 0.0f);
        ref::softmax(in.x.data() + r * cols, want_y.data(), 1, k);
        ref::softmax_backward(y.data() + r * cols, in.dy.data() + r * cols, want_dx.data(), 1, k);
        EXPECT_TRUE(same_bits(want_y, std::vector<float>(y.begin() + r * cols, y.begin() + (r + 1) * cols))) << "row " << r;
        EXPECT_TRUE(same_bits(want_dx, std::vector<float>(dx.begin() + r * cols, dx.begin() + (r + 1) * cols)))
            << "row " << r;
      }
      // One block alone: the bits of the same block among five.
      std::vector<float> y1(period * cols, kRowSentinel);  // a mask column left unwritten shows
      causal_softmax(in.x.data() + 2 * period * cols, y1.data(), period, cols, mask);
      EXPECT_TRUE(same_bits(y1, std::vector<float>(y.begin() + 2 * period * cols, y.begin() + 3 * period * cols)));
    }
  }
}

// cross_entropy is per row up to the mean: the loss is detnum::mean of -log_softmax at the labels,
// and the gradient of a 1000-row batch is the one-row gradient divided by 1000.
TEST(NnRows, CrossEntropyIsTheMeanOfTheRowsLosses) {
  constexpr std::int64_t rows = 1000, cols = 300;
  const RowInputs in = make_row_inputs(rows, cols, 78, false);
  float loss = kRowSentinel;
  std::vector<float> dlogits(rows * cols);
  cross_entropy(in.x.data(), in.labels.data(), rows, cols, &loss, dlogits.data());
  std::vector<float> nll(rows);
  for (std::int64_t r = 0; r < rows; ++r) nll[r] = -in.log_softmax_y[r * cols + in.labels[r]];
  EXPECT_TRUE(same_value(mean(nll.data(), rows), loss));
  for (const std::int64_t r : {std::int64_t{0}, std::int64_t{517}, rows - 1}) {
    float one_loss = kRowSentinel;
    std::vector<float> one(cols);
    cross_entropy(in.x.data() + r * cols, &in.labels[r], 1, cols, &one_loss, one.data());
    EXPECT_TRUE(same_value(nll[r], one_loss)) << "row " << r;
    for (float& v : one) v /= 1000.0f;
    EXPECT_TRUE(same_bits(std::vector<float>(dlogits.begin() + r * cols, dlogits.begin() + (r + 1) * cols), one))
        << "row " << r;
  }
}

// With an ignored label, PyTorch's ignore_index: an ignored row adds +0 to the sum of the terms and
// gets a gradient of +0; the loss and the kept rows' gradients divide by the rows kept, so a kept
// row's gradient has the bits of the same row in a batch of the kept rows alone.
TEST(NnRows, CrossEntropyLeavesOutTheRowsOfTheIgnoredLabel) {
  constexpr std::int64_t rows = 1000, cols = 300;
  const RowInputs in = make_row_inputs(rows, cols, 79, false);
  const std::vector<std::int32_t>& labels = in.labels_ignoring;
  std::vector<float> kept_x, nll(rows, 0.0f);
  std::vector<std::int32_t> kept_labels;
  for (std::int64_t r = 0; r < rows; ++r) {
    if (labels[r] == kIgnoredLabel) continue;
    kept_x.insert(kept_x.end(), in.x.begin() + r * cols, in.x.begin() + (r + 1) * cols);
    kept_labels.push_back(labels[r]);
    nll[r] = -in.log_softmax_y[r * cols + labels[r]];
  }
  const auto kept = static_cast<std::int64_t>(kept_labels.size());
  ASSERT_GT(kept, rows / 2);
  ASSERT_LT(kept, rows);
  float loss = kRowSentinel;
  std::vector<float> dlogits(rows * cols, kRowSentinel);
  cross_entropy(in.x.data(), labels.data(), rows, cols, CrossEntropyOptions{.ignore_index = kIgnoredLabel}, &loss, dlogits.data());
  EXPECT_TRUE(same_value(sum(nll.data(), rows) / static_cast<float>(kept), loss));
  float kept_loss = kRowSentinel;
  std::vector<float> kept_dlogits(kept * cols);
  cross_entropy(kept_x.data(), kept_labels.data(), kept, cols, &kept_loss, kept_dlogits.data());
  std::int64_t k = 0;
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::vector<float> row(dlogits.begin() + r * cols, dlogits.begin() + (r + 1) * cols);
    if (labels[r] == kIgnoredLabel) {
      EXPECT_TRUE(same_bits(std::vector<float>(cols, 0.0f), row)) << "ignored row " << r;
      continue;
    }
    EXPECT_TRUE(same_bits(std::vector<float>(kept_dlogits.begin() + k * cols, kept_dlogits.begin() + (k + 1) * cols), row))
        << "row " << r;
    ++k;
  }
  // The loss against float64: the mean of the kept rows' -log softmax at their labels.
  double want = 0;
  for (std::int64_t r = 0; r < rows; ++r) want += static_cast<double>(nll[r]) / static_cast<double>(kept);
  EXPECT_NEAR(loss, want, 1e-5 * want);
}

// Labels without the ignored one give the bits of the call without options (as do the defaults); the ignored
// label may be a class; with every row ignored the loss is NaN (0 / 0) and the gradient +0.
TEST(NnRows, CrossEntropyIgnoredLabelEdgeCases) {
  constexpr std::int64_t rows = 37, cols = 129;
  const RowInputs in = make_row_inputs(rows, cols, 80, true);
  const auto run = [&](const std::vector<std::int32_t>& labels, const CrossEntropyOptions* ignore) {
    RowOutputs out = row_outputs_of(RowOp::cross_entropy, rows, cols);
    for (const int threads : kThreadCounts) {
      RowOutputs got = row_outputs_of(RowOp::cross_entropy, rows, cols);
      float *loss = got[0].second.data(), *dl = got[1].second.data();
      if (ignore) cross_entropy(in.x.data(), labels.data(), rows, cols, *ignore, loss, dl, {threads});
      else cross_entropy(in.x.data(), labels.data(), rows, cols, loss, dl, {threads});
      if (threads == 1) out = got;
      else expect_same_outputs(out, got);
    }
    RowOutputs want = row_outputs_of(RowOp::cross_entropy, rows, cols);
    if (ignore) ref::cross_entropy(in.x.data(), labels.data(), rows, cols, *ignore, want[0].second.data(),
                                   want[1].second.data());
    else ref::cross_entropy(in.x.data(), labels.data(), rows, cols, want[0].second.data(), want[1].second.data());
    expect_same_outputs(want, out);
    return out;
  };
  const CrossEntropyOptions none_present{.ignore_index = kIgnoredLabel}, class0{.ignore_index = 0},
      class_last{.ignore_index = static_cast<std::int32_t>(cols - 1)}, defaults{};
  expect_same_outputs(run(in.labels, nullptr), run(in.labels, &none_present));
  expect_same_outputs(run(in.labels, nullptr), run(in.labels, &defaults));

  // Ignoring class 0 is ignoring the rows labelled 0 by -100.
  std::vector<std::int32_t> zeros_as_ignored = in.labels;
  for (std::int32_t& l : zeros_as_ignored)
    if (l == 0) l = kIgnoredLabel;
  ASSERT_NE(zeros_as_ignored, in.labels);
  expect_same_outputs(run(zeros_as_ignored, &none_present), run(in.labels, &class0));

  const std::vector<std::int32_t> all_last(rows, cols - 1);
  const RowOutputs none_kept = run(all_last, &class_last);
  EXPECT_EQ(bits_of(none_kept[0].second[0]), kCanonicalNanF32) << "loss";
  EXPECT_TRUE(same_bits(std::vector<float>(rows * cols, 0.0f), none_kept[1].second)) << "dlogits";

  // No columns: only ignored labels are possible.
  float loss = kRowSentinel;
  const std::vector<std::int32_t> ignored(4, kIgnoredLabel);
  cross_entropy(nullptr, ignored.data(), 4, 0, CrossEntropyOptions{.ignore_index = kIgnoredLabel}, &loss, nullptr);
  EXPECT_EQ(bits_of(loss), kCanonicalNanF32);
}

// The three reductions of one call's terms, with an ignored label and label smoothing: per-row
// losses are the terms; the sum is detnum::sum of them and the mean that sum / kept; the gradient
// of the sum is per-row's, and the mean's is it divided by kept, bit for bit.
TEST(NnRows, CrossEntropyReductionsOfTheSameTerms) {
  constexpr std::int64_t rows = 1000, cols = 300;
  const RowInputs in = make_row_inputs(rows, cols, 81, true);
  const std::vector<std::int32_t>& labels = in.labels_ignoring;
  std::int64_t kept = 0;
  for (const std::int32_t l : labels) kept += l == kIgnoredLabel ? 0 : 1;
  const auto run = [&](LossReduction reduction, std::vector<float>& loss) {
    std::vector<float> dlogits(rows * cols, kRowSentinel);
    cross_entropy(in.x.data(), labels.data(), rows, cols, {kIgnoredLabel, 0.1f, reduction}, loss.data(),
                  dlogits.data());
    return dlogits;
  };
  std::vector<float> terms(rows, kRowSentinel), total(1, kRowSentinel), average(1, kRowSentinel);
  const std::vector<float> d_none = run(LossReduction::none, terms), d_sum = run(LossReduction::sum, total),
                           d_mean = run(LossReduction::mean, average);
  EXPECT_TRUE(same_value(sum(terms.data(), rows), total[0]));
  EXPECT_TRUE(same_value(sum(terms.data(), rows) / static_cast<float>(kept), average[0]));
  EXPECT_TRUE(same_bits(d_none, d_sum));
  std::vector<float> scaled = d_none;
  for (float& v : scaled) v = canonicalize(v / static_cast<float>(kept));
  EXPECT_TRUE(same_bits(scaled, d_mean));
  for (std::int64_t r = 0; r < rows; ++r)
    if (labels[r] == kIgnoredLabel) ASSERT_EQ(bits_of(terms[r]), 0u) << "ignored row " << r;
}

// --- Special values -----------------------------------------------------------------------------

std::vector<float> softmax_of(const std::vector<float>& x, bool log) {
  std::vector<float> y(x.size(), kRowSentinel);
  const auto n = static_cast<std::int64_t>(x.size());
  if (log) log_softmax(x.data(), y.data(), 1, n);
  else softmax(x.data(), y.data(), 1, n);
  std::vector<float> r(x.size(), kRowSentinel);
  if (log) ref::log_softmax(x.data(), r.data(), 1, n);
  else ref::softmax(x.data(), r.data(), 1, n);
  EXPECT_TRUE(same_bits(r, y)) << "fast path against the reference";
  return y;
}

bool canonical_nans(const std::vector<float>& v) {
  return std::all_of(v.begin(), v.end(), [](float f) { return bits_of(f) == kCanonicalNanF32; });
}

// The maximum's step is a total order (+0 above -0), so any grouping of a row gives its bits.
TEST(NnRows, RowMaximumDoesNotDependOnTheOrder) {
  const std::vector<float> v = {-0.0f, 0.0f, -kInf, 3.0f, -0.0f, 3.0f, kInf};
  for (std::size_t i = 0; i < v.size(); ++i)
    for (std::size_t j = 0; j < v.size(); ++j)
      EXPECT_EQ(bits_of(detail::row_max_step(v[i], v[j])), bits_of(detail::row_max_step(v[j], v[i]))) << i << ", " << j;
  EXPECT_EQ(bits_of(detail::row_max_step(-0.0f, 0.0f)), 0u);
  EXPECT_EQ(bits_of(detail::row_max_step(detail::row_max_start(), -0.0f)), 0x80000000u);
  EXPECT_TRUE(std::isnan(detail::row_max_step(kNan, 1.0f)));
  EXPECT_TRUE(std::isnan(detail::row_max_step(kInf, kNan)));
}

TEST(NnRows, SpecialValuesInSoftmax) {
  // A NaN anywhere, +Inf, or a row of -Inf: the whole row is the canonical NaN (m or x - m is NaN).
  for (const bool log : {false, true}) {
    EXPECT_TRUE(canonical_nans(softmax_of({1.0f, float_from_bits(0xFFC12345u), 2.0f}, log)));
    EXPECT_TRUE(canonical_nans(softmax_of({1.0f, kInf, 2.0f}, log)));
    EXPECT_TRUE(canonical_nans(softmax_of({-kInf, -kInf}, log)));
  }
  // -Inf elements among finite ones are exact zeros (log: -Inf).
  EXPECT_EQ(softmax_of({-kInf, 0.0f, -kInf}, false), (std::vector<float>{0.0f, 1.0f, 0.0f}));
  EXPECT_EQ(softmax_of({-kInf, 0.0f}, true), (std::vector<float>{-kInf, 0.0f}));
  // Magnitudes near FLT_MAX: x - m overflows to -Inf, whose exp is +0.
  EXPECT_EQ(softmax_of({3e38f, -3e38f}, false), (std::vector<float>{1.0f, 0.0f}));
  EXPECT_EQ(softmax_of({-3.4e38f, 3.4e38f}, true), (std::vector<float>{-kInf, 0.0f}));
  // One column: softmax 1, log_softmax +0, whatever the sign of a zero.
  for (const float v : {-0.0f, 0.0f, 80.0f, -1e30f}) {
    EXPECT_EQ(bits_of(softmax_of({v}, false)[0]), bits_of(1.0f));
    EXPECT_EQ(bits_of(softmax_of({v}, true)[0]), 0u);
  }
  // Equal values: exactly 1/n; shifting a row leaves softmax unchanged when x - m is exact.
  EXPECT_EQ(softmax_of({5.0f, 5.0f, 5.0f, 5.0f}, false), (std::vector<float>(4, 0.25f)));
  EXPECT_EQ(softmax_of({1.0f, 2.0f, 3.0f}, false), softmax_of({101.0f, 102.0f, 103.0f}, false));
}

TEST(NnRows, SpecialValuesInTheNorms) {
  const std::vector<float> gamma = {2.0f, 3.0f, 4.0f}, beta = {0.5f, -0.5f, -0.0f};
  std::vector<float> y(3, kRowSentinel), mean(1, kRowSentinel), rstd(1, kRowSentinel);
  // A constant row: mean exact, var +0, rstd 1/sqrt(eps), y = beta (xhat = +0 times gamma, plus beta).
  const std::vector<float> constant = {7.0f, 7.0f, 7.0f};
  layer_norm(constant.data(), gamma.data(), beta.data(), y.data(), mean.data(), rstd.data(), 1, 3, 0.25f);
  EXPECT_EQ(mean[0], 7.0f);
  EXPECT_EQ(rstd[0], 2.0f);
  EXPECT_EQ(y, (std::vector<float>{0.5f, -0.5f, 0.0f}));
  // eps = 0 there: rstd = +Inf and 0 * Inf makes y the canonical NaN.
  layer_norm(constant.data(), gamma.data(), beta.data(), y.data(), mean.data(), rstd.data(), 1, 3, 0.0f);
  EXPECT_EQ(rstd[0], kInf);
  EXPECT_TRUE(canonical_nans(y));
  // A NaN or an Inf in the row: layer norm's y and rstd are the canonical NaN (Inf - Inf).
  const std::vector<float> with_nan = {1.0f, float_from_bits(0x7FA00001u), 2.0f}, with_inf = {1.0f, kInf, 2.0f};
  for (const auto* x : {&with_nan, &with_inf}) {
    layer_norm(x->data(), gamma.data(), beta.data(), y.data(), mean.data(), rstd.data(), 1, 3, 1e-5f);
    EXPECT_TRUE(canonical_nans(y));
    EXPECT_TRUE(canonical_nans(rstd));
  }
  // RMS norm: a NaN makes the row NaN; an Inf makes rstd +0, so y is +0 but NaN (Inf * 0) there.
  rms_norm(with_nan.data(), gamma.data(), y.data(), rstd.data(), 1, 3, 1e-5f);
  EXPECT_TRUE(canonical_nans(y));
  EXPECT_TRUE(canonical_nans(rstd));
  rms_norm(with_inf.data(), gamma.data(), y.data(), rstd.data(), 1, 3, 1e-5f);
  EXPECT_EQ(bits_of(rstd[0]), 0u);
  EXPECT_EQ(bits_of(y[0]), 0u);
  EXPECT_EQ(bits_of(y[1]), kCanonicalNanF32);
  // No columns: the mean of nothing is NaN (as detnum::mean), so mean and rstd are NaN.
  layer_norm(nullptr, nullptr, nullptr, nullptr, mean.data(), rstd.data(), 1, 0, 1e-5f);
  EXPECT_TRUE(canonical_nans(mean));
  EXPECT_TRUE(canonical_nans(rstd));
  // Large magnitudes: squares overflow to +Inf, so rstd = +0 and y = +-0 * gamma (+ beta).
  const std::vector<float> big = {3e38f, -3e38f, 3e38f};
  rms_norm(big.data(), gamma.data(), y.data(), rstd.data(), 1, 3, 1e-5f);
  EXPECT_EQ(bits_of(rstd[0]), 0u);
  EXPECT_EQ(y, (std::vector<float>{0.0f, -0.0f, 0.0f}));
}

// No rows: the backward sums over rows are +0 (empty column sums), the loss is the NaN of a mean
// of nothing.
TEST(NnRows, NoRows) {
  std::vector<float> dgamma(3, kRowSentinel), dbeta(3, kRowSentinel);
  layer_norm_backward(nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, dgamma.data(), dbeta.data(), 0, 3);
  EXPECT_EQ(dgamma, std::vector<float>(3, 0.0f));
  EXPECT_EQ(dbeta, std::vector<float>(3, 0.0f));
  std::fill(dgamma.begin(), dgamma.end(), kRowSentinel);
  rms_norm_backward(nullptr, nullptr, nullptr, nullptr, nullptr, dgamma.data(), 0, 3);
  EXPECT_EQ(dgamma, std::vector<float>(3, 0.0f));
  float loss = kRowSentinel;
  cross_entropy(nullptr, nullptr, 0, 3, &loss, nullptr);
  EXPECT_EQ(bits_of(loss), kCanonicalNanF32);
}

// No columns among 2^40 rows: nothing to write, and the softmax family returns at once rather
// than walk the empty rows (the norms write a statistic a row, and cross_entropy reads a label a
// row, so their work does grow with rows).
TEST(NnRows, ManyEmptyRows) {
  constexpr std::int64_t rows = std::int64_t{1} << 40;
  softmax(nullptr, nullptr, rows, 0);
  log_softmax(nullptr, nullptr, rows, 0, {2});
  softmax_backward(nullptr, nullptr, nullptr, rows, 0);
  log_softmax_backward(nullptr, nullptr, nullptr, rows, 0);
  ref::softmax(nullptr, nullptr, rows, 0);
  ref::log_softmax(nullptr, nullptr, rows, 0);
  ref::softmax_backward(nullptr, nullptr, nullptr, rows, 0);
  ref::log_softmax_backward(nullptr, nullptr, nullptr, rows, 0);
}

// --- Accuracy: float64 formulas ---------------------------------------------------------------------

using Dvec = std::vector<double>;

Dvec to_double(const float* p, std::int64_t n) { return Dvec(p, p + n); }
double sum_abs(const Dvec& v) {
  double s = 0;
  for (const double d : v) s += std::fabs(d);
  return s;
}

// One row's forward and backward formulas in double, the definitions of softmax.hpp and norm.hpp.
struct Softmax64 {
  Dvec y, logy;
  double m, log_s;
  explicit Softmax64(const Dvec& x) {
    m = *std::max_element(x.begin(), x.end());
    double s = 0;
    for (const double v : x) s += std::exp(v - m);
    log_s = std::log(s);
    for (const double v : x) {
      y.push_back(std::exp(v - m) / s);
      logy.push_back((v - m) - log_s);
    }
  }
};
Dvec softmax_backward64(const Dvec& y, const Dvec& dy) {
  double c = 0;
  for (std::size_t j = 0; j < y.size(); ++j) c += y[j] * dy[j];
  Dvec dx;
  for (std::size_t j = 0; j < y.size(); ++j) dx.push_back(y[j] * (dy[j] - c));
  return dx;
}
Dvec log_softmax_backward64(const Dvec& logy, const Dvec& dy) {
  double c = 0;
  for (const double d : dy) c += d;
  Dvec dx;
  for (std::size_t j = 0; j < dy.size(); ++j) dx.push_back(dy[j] - std::exp(logy[j]) * c);
  return dx;
}

struct Norm64 {
  double mean, rstd;
  Dvec xhat, y;
  Norm64(const Dvec& x, const Dvec& gamma, const Dvec* beta, double eps) {  // beta null: RMS norm
    const double n = static_cast<double>(x.size());
    double s = 0, q = 0;
    for (const double v : x) s += v;
    mean = beta ? s / n : 0.0;
    for (const double v : x) q += (v - mean) * (v - mean);
    rstd = 1.0 / std::sqrt(q / n + eps);
    for (std::size_t j = 0; j < x.size(); ++j) {
      xhat.push_back((x[j] - mean) * rstd);
      y.push_back(xhat[j] * gamma[j] + (beta ? (*beta)[j] : 0.0));
    }
  }
};
// dx of one row given xhat and rstd; layer norm subtracts the mean of g as well.
Dvec norm_backward64(const Dvec& xhat, double rstd, const Dvec& gamma, const Dvec& dy, bool layer) {
  const double n = static_cast<double>(xhat.size());
  double a = 0, b = 0;
  for (std::size_t j = 0; j < xhat.size(); ++j) {
    a += dy[j] * gamma[j] / n;
    b += dy[j] * gamma[j] * xhat[j] / n;
  }
  Dvec dx;
  for (std::size_t j = 0; j < xhat.size(); ++j) dx.push_back(rstd * (dy[j] * gamma[j] - (layer ? a : 0.0) - xhat[j] * b));
  return dx;
}

// |got - want| <= 2^-14 * scale (+ the smallest normal, for values that underflow): ORDER.md's
// bound for R is 142 u = 2^-16.8 relative to the sum of magnitudes for these lengths; the rest
// is a few roundings per element, and each scale below is that sum of magnitudes for the op.
constexpr double kTolerance = 0x1p-14;
::testing::AssertionResult close(float got, double want, double scale) {
  if (std::fabs(static_cast<double>(got) - want) <= kTolerance * scale + 0x1p-126) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << got << ", want " << want << " (scale " << scale << ")";
}

TEST(NnRowsAccuracy, AgainstFloat64) {
  for (const auto& [rows, cols] : std::vector<std::pair<std::int64_t, std::int64_t>>{
           {3, 1}, {3, 2}, {5, 129}, {4, 1000}, {37, 300}, {2, 8193}, {1, 20000}}) {
    SCOPED_TRACE(std::to_string(rows) + " x " + std::to_string(cols));
    const RowInputs in = make_row_inputs(rows, cols, 5, false);
    const auto outputs = [&](RowOp op) { return run_cpu(op, in, {}); };
    const RowOutputs sm = outputs(RowOp::softmax), lsm = outputs(RowOp::log_softmax),
                     smb = outputs(RowOp::softmax_backward), lsmb = outputs(RowOp::log_softmax_backward),
                     ce = outputs(RowOp::cross_entropy), ln = outputs(RowOp::layer_norm),
                     lnb = outputs(RowOp::layer_norm_backward), rms = outputs(RowOp::rms_norm),
                     rmsb = outputs(RowOp::rms_norm_backward);
    const Dvec gamma = to_double(in.gamma.data(), cols), beta = to_double(in.beta.data(), cols);
    double loss = 0, loss_scale = 0;
    Dvec dgamma_ln(cols), dbeta(cols), dgamma_rms(cols), dgamma_ln_scale(cols), dbeta_scale(cols), dgamma_rms_scale(cols);
    for (std::int64_t r = 0; r < rows; ++r) {
      SCOPED_TRACE("row " + std::to_string(r));
      const std::int64_t o = r * cols;
      const Dvec x = to_double(&in.x[o], cols), dy = to_double(&in.dy[o], cols);
      const Softmax64 s(x);
      // Backward of the given (float) forward outputs, as the ops compute it.
      const Dvec y = to_double(&in.softmax_y[o], cols), logy = to_double(&in.log_softmax_y[o], cols);
      const Dvec dxs = softmax_backward64(y, dy), dxl = log_softmax_backward64(logy, dy);
      double ydy = 0;
      for (std::int64_t j = 0; j < cols; ++j) ydy += std::fabs(y[j] * dy[j]);
      const std::int32_t label = in.labels[r];
      loss += -s.logy[label] / static_cast<double>(rows);
      loss_scale += (1 + std::fabs(x[label] - s.m) + std::fabs(s.log_s)) / static_cast<double>(rows);
      for (std::int64_t j = 0; j < cols; ++j) {
        const double dist = std::fabs(x[j] - s.m);
        ASSERT_TRUE(close(sm[0].second[o + j], s.y[j], s.y[j] * (1 + dist))) << "softmax " << j;
        ASSERT_TRUE(close(lsm[0].second[o + j], s.logy[j], 1 + dist + std::fabs(s.log_s))) << "log_softmax " << j;
        ASSERT_TRUE(close(smb[0].second[o + j], dxs[j], y[j] * (std::fabs(dy[j]) + ydy))) << "softmax_backward " << j;
        ASSERT_TRUE(close(lsmb[0].second[o + j], dxl[j], std::fabs(dy[j]) + std::exp(logy[j]) * sum_abs(dy)))
            << "log_softmax_backward " << j;
        const double p = s.y[j], onehot = j == label ? 1.0 : 0.0;
        ASSERT_TRUE(close(ce[1].second[o + j], (p - onehot) / static_cast<double>(rows), (p + onehot) / static_cast<double>(rows)))
            << "dlogits " << j;
      }
      // Layer norm: forward from x; backward from the given mean and rstd.
      const Norm64 n(x, gamma, &beta, in.eps);
      const double mean_abs = sum_abs(x) / static_cast<double>(cols);
      ASSERT_TRUE(close(ln[1].second[r], n.mean, mean_abs)) << "mean";
      ASSERT_TRUE(close(ln[2].second[r], n.rstd, n.rstd * (1 + mean_abs * mean_abs * n.rstd * n.rstd))) << "rstd";
      Dvec xhat(cols);
      for (std::int64_t j = 0; j < cols; ++j) {
        ASSERT_TRUE(close(ln[0].second[o + j], n.y[j],
                          std::fabs(gamma[j]) * (1 + std::fabs(n.xhat[j]) + n.rstd * mean_abs) + std::fabs(beta[j])))
            << "layer_norm y " << j;
        xhat[j] = (x[j] - in.mean[r]) * static_cast<double>(in.rstd[r]);
      }
      const Dvec dx = norm_backward64(xhat, in.rstd[r], gamma, dy, true);
      double g_abs = 0, gx_abs = 0;
      for (std::int64_t j = 0; j < cols; ++j) {
        g_abs += std::fabs(dy[j] * gamma[j]) / static_cast<double>(cols);
        gx_abs += std::fabs(dy[j] * gamma[j] * xhat[j]) / static_cast<double>(cols);
        dgamma_ln[j] += dy[j] * xhat[j];
        dgamma_ln_scale[j] += std::fabs(dy[j] * xhat[j]);
        dbeta[j] += dy[j];
        dbeta_scale[j] += std::fabs(dy[j]);
      }
      for (std::int64_t j = 0; j < cols; ++j)
        ASSERT_TRUE(close(lnb[0].second[o + j], dx[j],
                          in.rstd[r] * (std::fabs(dy[j] * gamma[j]) + g_abs + std::fabs(xhat[j]) * gx_abs)))
            << "layer_norm_backward dx " << j;
      // RMS norm likewise.
      const Norm64 q(x, gamma, nullptr, in.eps);
      ASSERT_TRUE(close(rms[1].second[r], q.rstd, q.rstd)) << "rms rstd";
      Dvec rhat(cols);
      double rgx_abs = 0;
      for (std::int64_t j = 0; j < cols; ++j) {
        ASSERT_TRUE(close(rms[0].second[o + j], q.y[j], std::fabs(q.y[j]))) << "rms_norm y " << j;
        rhat[j] = x[j] * static_cast<double>(in.rms_rstd[r]);
        rgx_abs += std::fabs(dy[j] * gamma[j] * rhat[j]) / static_cast<double>(cols);
        dgamma_rms[j] += dy[j] * rhat[j];
        dgamma_rms_scale[j] += std::fabs(dy[j] * rhat[j]);
      }
      const Dvec rdx = norm_backward64(rhat, in.rms_rstd[r], gamma, dy, false);
      for (std::int64_t j = 0; j < cols; ++j)
        ASSERT_TRUE(close(rmsb[0].second[o + j], rdx[j],
                          in.rms_rstd[r] * (std::fabs(dy[j] * gamma[j]) + std::fabs(rhat[j]) * rgx_abs)))
            << "rms_norm_backward dx " << j;
    }
    EXPECT_TRUE(close(ce[0].second[0], loss, loss_scale)) << "cross_entropy loss";
    for (std::int64_t j = 0; j < cols; ++j) {
      ASSERT_TRUE(close(lnb[1].second[j], dgamma_ln[j], dgamma_ln_scale[j])) << "layer_norm dgamma " << j;
      ASSERT_TRUE(close(lnb[2].second[j], dbeta[j], dbeta_scale[j])) << "layer_norm dbeta " << j;
      ASSERT_TRUE(close(rmsb[1].second[j], dgamma_rms[j], dgamma_rms_scale[j])) << "rms_norm dgamma " << j;
    }
  }
}

// Label smoothing eps (per-row losses, no label ignored): l_r = (1 - eps) nll_r - (eps / C) sum_j
// logy_j and dlogits_j = p_j - q_j, against float64, for eps = 0.1 and 1 (all mass spread).
TEST(NnRowsAccuracy, LabelSmoothingAgainstFloat64) {
  for (const auto& [rows, cols] : std::vector<std::pair<std::int64_t, std::int64_t>>{{3, 1}, {5, 129}, {4, 8193}}) {
    for (const float eps : {0.1f, 1.0f}) {
      SCOPED_TRACE(std::to_string(rows) + " x " + std::to_string(cols) + ", eps " + std::to_string(eps));
      const RowInputs in = make_row_inputs(rows, cols, 6, false);
      std::vector<float> loss(rows), dlogits(rows * cols);
      cross_entropy(in.x.data(), in.labels.data(), rows, cols, {std::nullopt, eps, LossReduction::none}, loss.data(),
                    dlogits.data());
      const double e = eps, b = e / static_cast<double>(cols);
      for (std::int64_t r = 0; r < rows; ++r) {
        const std::int64_t o = r * cols, label = in.labels[r];
        const Softmax64 s(to_double(in.x.data() + o, cols));
        double u = 0;
        for (const double v : s.logy) u += v;
        ASSERT_TRUE(close(loss[r], (1 - e) * -s.logy[label] - b * u, std::fabs(s.logy[label]) + b * sum_abs(s.logy)))
            << "loss " << r;
        for (std::int64_t j = 0; j < cols; ++j) {
          const double q = (j == label ? 1 - e : 0.0) + b;
          ASSERT_TRUE(close(dlogits[o + j], s.y[j] - q, s.y[j] + q)) << "dlogits " << j;
        }
      }
    }
  }
}

// The float64 backward formulas above are the gradients of the float64 forward formulas: central
// differences of L = sum_j w_j y_j agree to 1e-7 relative (h = 1e-5, truncation ~h^2).
TEST(NnRowsAccuracy, Float64BackwardFormulasAreTheGradients) {
  constexpr int n = 7;
  const RowInputs in = make_row_inputs(1, n, 9, false);
  const Dvec x = to_double(in.x.data(), n), w = to_double(in.dy.data(), n), gamma = to_double(in.gamma.data(), n),
             beta = to_double(in.beta.data(), n);
  const auto dot = [](const Dvec& a, const Dvec& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
  };
  // The derivatives of f at v by central differences, one coordinate at a time.
  const auto numeric = [](const std::function<double(const Dvec&)>& f, Dvec v) {
    Dvec d;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const double h = 1e-5, keep = v[i];
      v[i] = keep + h;
      const double up = f(v);
      v[i] = keep - h;
      const double down = f(v);
      v[i] = keep;
      d.push_back((up - down) / (2 * h));
    }
    return d;
  };
  const auto expect_near = [](const Dvec& analytic, const Dvec& fd, const char* what) {
    for (std::size_t i = 0; i < fd.size(); ++i)
      EXPECT_NEAR(analytic[i], fd[i], 1e-7 * (1 + std::fabs(fd[i]))) << what << " " << i;
  };
  const Softmax64 s(x);
  expect_near(softmax_backward64(s.y, w), numeric([&](const Dvec& v) { return dot(w, Softmax64(v).y); }, x), "softmax");
  expect_near(log_softmax_backward64(s.logy, w), numeric([&](const Dvec& v) { return dot(w, Softmax64(v).logy); }, x),
              "log_softmax");
  // cross_entropy of one row: d(-logy[label]) = softmax - onehot.
  Dvec ce = s.y;
  ce[in.labels[0]] -= 1;
  expect_near(ce, numeric([&](const Dvec& v) { return -Softmax64(v).logy[in.labels[0]]; }, x), "cross_entropy");
  // With label smoothing eps: d((1 - eps)(-logy[label]) - (eps / n) sum_j logy_j) = softmax - q.
  constexpr double eps = 0.1;
  Dvec smoothed = s.y;
  for (int j = 0; j < n; ++j) smoothed[j] -= (j == in.labels[0] ? 1 - eps : 0.0) + eps / n;
  expect_near(smoothed, numeric([&](const Dvec& v) {
                const Softmax64 t(v);
                double u = 0;
                for (const double l : t.logy) u += l;
                return (1 - eps) * -t.logy[in.labels[0]] - eps / n * u;
              }, x),
              "cross_entropy with label smoothing");
  for (const bool layer : {true, false}) {
    const Dvec* b = layer ? &beta : nullptr;
    const Norm64 f(x, gamma, b, in.eps);
    const char* what = layer ? "layer_norm" : "rms_norm";
    expect_near(norm_backward64(f.xhat, f.rstd, gamma, w, layer),
                numeric([&](const Dvec& v) { return dot(w, Norm64(v, gamma, b, in.eps).y); }, x), what);
    Dvec dgamma;
    for (int j = 0; j < n; ++j) dgamma.push_back(w[j] * f.xhat[j]);
    expect_near(dgamma, numeric([&](const Dvec& g) { return dot(w, Norm64(x, g, b, in.eps).y); }, gamma), what);
    if (layer) expect_near(w, numeric([&](const Dvec& bb) { return dot(w, Norm64(x, gamma, &bb, in.eps).y); }, beta), what);
  }
}

// --- Errors -------------------------------------------------------------------------------------

class NnRowsErrors : public ::testing::Test {
 protected:
  static constexpr std::int64_t rows = 4, cols = 5, n = rows * cols;
  std::vector<float> x = std::vector<float>(n, 1.0f), out = std::vector<float>(n, kRowSentinel);
  std::vector<float> stats = std::vector<float>(rows, kRowSentinel), stats2 = std::vector<float>(rows, kRowSentinel);
  std::vector<float> per_col = std::vector<float>(cols, 1.0f), dg = std::vector<float>(cols, kRowSentinel),
                     db = std::vector<float>(cols, kRowSentinel);
  std::vector<std::int32_t> labels = {0, 4, 2, 1};
  float loss = kRowSentinel;

  void expect_untouched() {
    for (const auto* v : {&out, &stats, &stats2, &dg, &db})
      for (const float f : *v) ASSERT_EQ(f, kRowSentinel);
    ASSERT_EQ(loss, kRowSentinel);
  }
};

TEST_F(NnRowsErrors, NegativeSizes) {
  expect_error([&] { softmax(x.data(), out.data(), -1, cols); }, ErrorCode::size_out_of_range,
               "softmax: rows must be >= 0, got -1");
  expect_error([&] { ref::log_softmax(x.data(), out.data(), rows, -2); }, ErrorCode::size_out_of_range,
               "ref::log_softmax: cols must be >= 0, got -2");
  expect_error([&] { layer_norm(x.data(), per_col.data(), per_col.data(), out.data(), stats.data(), stats2.data(), rows, -5,
                                1e-5f); },
               ErrorCode::size_out_of_range, "layer_norm: cols must be >= 0, got -5");
  expect_error([&] { softmax(x.data(), out.data(), std::int64_t{1} << 40, std::int64_t{1} << 40); },
               ErrorCode::size_out_of_range, "rows * cols");
  expect_untouched();
}

TEST_F(NnRowsErrors, CausalMasks) {
  expect_error([&] { causal_softmax(x.data(), out.data(), rows, cols, CausalMask{}); }, ErrorCode::invalid_argument,
               "causal_softmax: mask.period must be >= 1, got 0");
  expect_error([&] { ref::causal_softmax(x.data(), out.data(), rows, cols, CausalMask{.period = 4, .offset = -1}); },
               ErrorCode::invalid_argument, "ref::causal_softmax: mask.offset must be >= 0, got -1");
  expect_error([&] { causal_softmax_backward(x.data(), x.data(), out.data(), rows, cols, CausalMask{.period = -3}); },
               ErrorCode::invalid_argument, "causal_softmax_backward: mask.period must be >= 1, got -3");
  expect_error([&] { causal_softmax_backward(x.data(), nullptr, out.data(), rows, cols, CausalMask{.period = 2}); },
               ErrorCode::null_pointer, "causal_softmax_backward: dy must not be null");
  expect_error([&] { causal_softmax(x.data(), x.data() + 1, rows, cols, CausalMask{.period = 2}); },
               ErrorCode::unsupported_aliasing, "causal_softmax: y and x must not overlap");
  expect_untouched();
  // Any offset, however large, keeps every column (no overflow on the way).
  const CausalMask huge{.period = std::numeric_limits<std::int64_t>::max(), .offset = std::numeric_limits<std::int64_t>::max()};
  std::vector<float> want(x.size());
  softmax(x.data(), want.data(), rows, cols);
  causal_softmax(x.data(), out.data(), rows, cols, huge);
  EXPECT_TRUE(same_bits(want, out));
}

TEST_F(NnRowsErrors, NullPointersAreNamed) {
  expect_error([&] { softmax(nullptr, out.data(), rows, cols); }, ErrorCode::null_pointer,
               "softmax: x must not be null, got nullptr for 20 elements");
  expect_error([&] { softmax_backward(x.data(), nullptr, out.data(), rows, cols); }, ErrorCode::null_pointer,
               "softmax_backward: dy must not be null");
  expect_error([&] { cross_entropy(x.data(), labels.data(), rows, cols, nullptr, out.data()); }, ErrorCode::null_pointer,
               "cross_entropy: loss must not be null");
  expect_error([&] { cross_entropy(x.data(), nullptr, rows, cols, &loss, out.data()); }, ErrorCode::null_pointer,
               "cross_entropy: labels must not be null, got nullptr for 4 elements");
  expect_error([&] { layer_norm(x.data(), per_col.data(), nullptr, out.data(), stats.data(), stats2.data(), rows, cols,
                                1e-5f); },
               ErrorCode::null_pointer, "layer_norm: beta must not be null");
  expect_error([&] { layer_norm_backward(x.data(), per_col.data(), stats.data(), stats.data(), x.data(), out.data(),
                                         nullptr, db.data(), rows, cols); },
               ErrorCode::null_pointer, "layer_norm_backward: dgamma must not be null");
  expect_error([&] { ref::rms_norm(x.data(), per_col.data(), out.data(), nullptr, rows, cols, 1e-5f); },
               ErrorCode::null_pointer, "ref::rms_norm: rstd must not be null");
  expect_error([&] { rms_norm_backward(x.data(), per_col.data(), nullptr, x.data(), out.data(), dg.data(), rows, cols); },
               ErrorCode::null_pointer, "rms_norm_backward: rstd must not be null");
  expect_untouched();
}

TEST_F(NnRowsErrors, LabelsOutsideTheColumns) {
  for (const std::int32_t bad : {5, -1, 1 << 30}) {
    labels[2] = bad;
    const std::string what = "labels[2] must be in [0, cols) = [0, 5), got " + std::to_string(bad);
    expect_error([&] { cross_entropy(x.data(), labels.data(), rows, cols, &loss, out.data()); },
                 ErrorCode::invalid_argument, "cross_entropy: " + what);
    expect_error([&] { ref::cross_entropy(x.data(), labels.data(), rows, cols, &loss, nullptr); },
                 ErrorCode::invalid_argument, "ref::cross_entropy: " + what);
  }
  // With an ignored label: that label is allowed, any other must still be a column.
  labels[2] = -100;
  for (const std::int32_t bad : {5, -1}) {
    labels[3] = bad;
    const std::string what =
        "labels[3] must be in [0, cols) = [0, 5) or the ignored label -100, got " + std::to_string(bad);
    expect_error([&] { cross_entropy(x.data(), labels.data(), rows, cols, CrossEntropyOptions{.ignore_index = -100}, &loss, out.data()); },
                 ErrorCode::invalid_argument, "cross_entropy: " + what);
    expect_error([&] { ref::cross_entropy(x.data(), labels.data(), rows, cols, CrossEntropyOptions{.ignore_index = -100}, &loss, nullptr); },
                 ErrorCode::invalid_argument, "ref::cross_entropy: " + what);
  }
  expect_untouched();
}

TEST_F(NnRowsErrors, EpsAndOptions) {
  for (const float eps : {-1.0f, kNan, kInf}) {
    expect_error([&] { layer_norm(x.data(), per_col.data(), per_col.data(), out.data(), stats.data(), stats2.data(), rows,
                                  cols, eps); },
                 ErrorCode::invalid_argument, "layer_norm: eps must be finite and >= 0, got " + std::string(
                     eps < 0 ? "-1" : std::isnan(eps) ? "nan" : "inf"));
    expect_error([&] { rms_norm(x.data(), per_col.data(), out.data(), stats.data(), rows, cols, eps); },
                 ErrorCode::invalid_argument, "rms_norm: eps must be finite and >= 0");
  }
  expect_error([&] { softmax(x.data(), out.data(), rows, cols, {2000}); }, ErrorCode::invalid_argument,
               "softmax: options.threads must be 0 (default) or 1 .. 1024, got 2000");
  expect_untouched();
}

TEST_F(NnRowsErrors, CrossEntropyOptions) {
  const auto both = [&](const CrossEntropyOptions& o, float* l, ErrorCode code, const std::string& what) {
    expect_error([&] { cross_entropy(x.data(), labels.data(), rows, cols, o, l, out.data()); }, code,
                 "cross_entropy: " + what);
    expect_error([&] { ref::cross_entropy(x.data(), labels.data(), rows, cols, o, l, out.data()); }, code,
                 "ref::cross_entropy: " + what);
  };
  const std::pair<float, const char*> bad_eps[] = {{-0.1f, "-0.1"}, {1.5f, "1.5"}, {kNan, "nan"}, {kInf, "inf"}};
  for (const auto& [eps, text] : bad_eps)
    both({.label_smoothing = eps}, &loss, ErrorCode::invalid_argument,
         std::string("label_smoothing must be in [0, 1], got ") + text);
  both({.reduction = static_cast<LossReduction>(3)}, &loss, ErrorCode::invalid_argument,
       "reduction must be mean, sum or none, got 3");
  // Per-row losses take rows floats: not null, and not overlapping dlogits.
  const CrossEntropyOptions per_row{.reduction = LossReduction::none};
  both(per_row, nullptr, ErrorCode::null_pointer, "loss must not be null, got nullptr for 4 elements");
  both(per_row, out.data() + n - 2, ErrorCode::unsupported_aliasing, "loss and dlogits must not overlap");
  expect_untouched();
}

TEST_F(NnRowsErrors, OutputsMustNotOverlap) {
  expect_error([&] { softmax(x.data(), x.data(), rows, cols); }, ErrorCode::unsupported_aliasing,
               "softmax: y and x must not overlap");
  expect_error([&] { softmax_backward(x.data(), out.data(), out.data() + 3, rows, 1); }, ErrorCode::unsupported_aliasing,
               "dx and dy must not overlap");
  expect_error([&] { layer_norm(x.data(), per_col.data(), per_col.data(), out.data(), stats.data(), stats.data(), rows,
                                cols, 1e-5f); },
               ErrorCode::unsupported_aliasing, "mean and rstd must not overlap");
  expect_error([&] { layer_norm_backward(x.data(), per_col.data(), stats.data(), stats.data(), x.data(), out.data(),
                                         dg.data(), dg.data(), rows, cols); },
               ErrorCode::unsupported_aliasing, "dgamma and dbeta must not overlap");
  expect_error([&] { cross_entropy(x.data(), labels.data(), rows, cols, &out[7], out.data()); },
               ErrorCode::unsupported_aliasing, "loss and dlogits must not overlap");
  expect_untouched();
}

}  // namespace
}  // namespace detnum::test
