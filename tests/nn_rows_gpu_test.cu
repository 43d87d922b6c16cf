// The row ops on CUDA against the scalar reference, bit for bit: every shape of nn_rows_cases.hpp
// with and without special values, several launch configurations, the caller's workspace (its
// guard bytes untouched) and stream-ordered memory, inputs and outputs off 16-byte alignment; a
// row alone against the same row among 1000; labels outside the columns; and the errors only a
// GPU machine produces. Skips without a CUDA device.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "detnum/cuda/norm.hpp"
#include "detnum/cuda/softmax.hpp"
#include "detnum/detail/nn_rows_order.hpp"
#include "detnum/error.hpp"
#include "nn_rows_cases.hpp"
#include "support/errors.hpp"
#include "support/gpu.hpp"

namespace detnum::test {
namespace {

const cuda::LaunchConfig kLaunches[] = {{256, 0}, {32, 1}, {1024, 0}, {64, 7}, {128, 3}};

// detnum::cuda:: with stream, workspace and launch bound, in the shape dispatch() calls.
struct CudaOps {
  cuda::Workspace ws;
  cuda::LaunchConfig launch;
  void softmax(const float* x, float* y, std::int64_t r, std::int64_t c) const {
    cuda::softmax(x, y, r, c, nullptr, launch);
  }
  void log_softmax(const float* x, float* y, std::int64_t r, std::int64_t c) const {
    cuda::log_softmax(x, y, r, c, nullptr, launch);
  }
  void softmax_backward(const float* y, const float* dy, float* dx, std::int64_t r, std::int64_t c) const {
    cuda::softmax_backward(y, dy, dx, r, c, nullptr, launch);
  }
  void log_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t r, std::int64_t c) const {
    cuda::log_softmax_backward(y, dy, dx, r, c, nullptr, launch);
  }
  void causal_softmax(const float* x, float* y, std::int64_t r, std::int64_t c, const CausalMask& m) const {
    cuda::causal_softmax(x, y, r, c, m, nullptr, launch);
  }
  void causal_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t r, std::int64_t c,
                               const CausalMask& m) const {
    cuda::causal_softmax_backward(y, dy, dx, r, c, m, nullptr, launch);
  }
  void cross_entropy(const float* x, const std::int32_t* l, std::int64_t r, std::int64_t c, float* loss,
                     float* dl) const {
    cuda::cross_entropy(x, l, r, c, loss, dl, nullptr, ws, launch);
  }
  void cross_entropy(const float* x, const std::int32_t* l, std::int64_t r, std::int64_t c,
                     const CrossEntropyOptions& ce, float* loss, float* dl) const {
    cuda::cross_entropy(x, l, r, c, ce, loss, dl, nullptr, ws, launch);
  }
  void layer_norm(const float* x, const float* g, const float* b, float* y, float* m, float* s, std::int64_t r,
                  std::int64_t c, float eps) const {
    cuda::layer_norm(x, g, b, y, m, s, r, c, eps, nullptr, launch);
  }
  void layer_norm_backward(const float* x, const float* g, const float* m, const float* s, const float* dy, float* dx,
                           float* dg, float* db, std::int64_t r, std::int64_t c) const {
    cuda::layer_norm_backward(x, g, m, s, dy, dx, dg, db, r, c, nullptr, ws, launch);
  }
  void rms_norm(const float* x, const float* g, float* y, float* s, std::int64_t r, std::int64_t c, float eps) const {
    cuda::rms_norm(x, g, y, s, r, c, eps, nullptr, launch);
  }
  void rms_norm_backward(const float* x, const float* g, const float* s, const float* dy, float* dx, float* dg,
                         std::int64_t r, std::int64_t c) const {
    cuda::rms_norm_backward(x, g, s, dy, dx, dg, r, c, nullptr, ws, launch);
  }
};

// A host vector's copy in device memory, `shift` elements past an allocation's start.
template <class T>
class OnDevice {
 public:
  OnDevice(const std::vector<T>& h, std::size_t shift) : shift_(shift), buf_(h.size() + shift) {
    if (!h.empty() && cudaMemcpy(get(), h.data(), h.size() * sizeof(T), cudaMemcpyHostToDevice) != cudaSuccess)
      ADD_FAILURE() << "copy to the device failed";
  }
  T* get() const { return buf_.get() + shift_; }
  std::vector<T> back(std::size_t n) const {
    std::vector<T> h(n);
    if (n > 0 && cudaMemcpy(h.data(), get(), n * sizeof(T), cudaMemcpyDeviceToHost) != cudaSuccess)
      ADD_FAILURE() << "copy back failed";
    return h;
  }

 private:
  std::size_t shift_;
  DeviceBuffer<T> buf_;
};

std::size_t workspace_bytes(std::int64_t rows, std::int64_t cols) {
  return std::max({cuda::cross_entropy_workspace_bytes(rows, cols), cuda::layer_norm_backward_workspace_bytes(rows, cols),
                   cuda::rms_norm_backward_workspace_bytes(rows, cols)});
}

// The op on the device: inputs and outputs `shift` floats off an allocation's start (1: no
// 16-byte loads), the caller's workspace (sentinel-filled, guard bytes checked) or none.
RowOutputs run_gpu(RowOp op, const RowInputs& in, cuda::LaunchConfig launch, bool callers_workspace,
                   std::size_t shift) {
  const OnDevice<float> x(in.x, shift), dy(in.dy, shift), gamma(in.gamma, shift), beta(in.beta, shift),
      sy(in.softmax_y, shift), ly(in.log_softmax_y, shift), mean(in.mean, shift), rstd(in.rstd, shift),
      rms_rstd(in.rms_rstd, shift);
  const OnDevice<std::int32_t> labels(in.labels, shift), labels_ignoring(in.labels_ignoring, shift);
  RowOutputs out = row_outputs_of(op, in.rows, in.cols);
  std::vector<OnDevice<float>> dout;
  for (const auto& [name, v] : out) dout.emplace_back(v, shift);
  const std::size_t ws_bytes = workspace_bytes(in.rows, in.cols);
  DeviceBuffer<unsigned char> ws(ws_bytes + kGuardBytes);
  if (cudaMemset(ws.get(), kSentinel, ws.size()) != cudaSuccess) ADD_FAILURE() << "cudaMemset failed";
  RowCall c{op, x.get(), dy.get(), gamma.get(), beta.get(), sy.get(), ly.get(), mean.get(), rstd.get(),
            rms_rstd.get(), labels.get(), labels_ignoring.get(), in.rows, in.cols, in.eps, {}};
  for (const auto& d : dout) c.out.push_back(d.get());
  dispatch(CudaOps{callers_workspace ? cuda::Workspace{ws.get(), ws_bytes} : cuda::Workspace{}, launch}, c);
  EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  EXPECT_EQ(untouched(ws.get(), ws_bytes, ws.size()), "") << "past the workspace";
  for (std::size_t k = 0; k < out.size(); ++k) out[k].second = dout[k].back(out[k].second.size());
  return out;
}

TEST(NnRowsGpu, MatchesTheReference) {
  DETNUM_REQUIRE_GPU();
  for_each_row_case([](RowOp op, const RowInputs& in, const RowOutputs& want) {
    for (const cuda::LaunchConfig launch : kLaunches) {
      SCOPED_TRACE("block " + std::to_string(launch.block_threads) + ", grid " + std::to_string(launch.grid_blocks));
      expect_same_outputs(want, run_gpu(op, in, launch, true, 0));
    }
    SCOPED_TRACE("stream-ordered workspace, pointers 4 bytes off");
    expect_same_outputs(want, run_gpu(op, in, {}, false, 1));
  });
}

TEST(NnRowsGpu, ARowAloneHasTheBitsOfThatRowAmongAThousand) {
  DETNUM_REQUIRE_GPU();
  constexpr std::int64_t rows = 1000, cols = 1024;
  const RowInputs in = make_row_inputs(rows, cols, 77, true);
  for (const RowOp op : {RowOp::softmax, RowOp::log_softmax, RowOp::softmax_backward, RowOp::layer_norm,
                         RowOp::rms_norm, RowOp::layer_norm_backward}) {
    SCOPED_TRACE(op_name(op));
    const RowOutputs all = run_gpu(op, in, {}, false, 0);
    for (const std::int64_t r : {std::int64_t{0}, std::int64_t{503}, rows - 1}) {
      RowInputs one = in;
      one.rows = 1;
      const auto slice = [&](const std::vector<float>& v, std::int64_t w) {
        return std::vector<float>(v.begin() + r * w, v.begin() + (r + 1) * w);
      };
      one.x = slice(in.x, cols);
      one.dy = slice(in.dy, cols);
      one.softmax_y = slice(in.softmax_y, cols);
      one.mean = slice(in.mean, 1);
      one.rstd = slice(in.rstd, 1);
      const RowOutputs alone = run_gpu(op, one, {64, 1}, false, 0);
      for (std::size_t k = 0; k < all.size(); ++k) {
        if (all[k].first == "dgamma" || all[k].first == "dbeta") continue;
        const std::int64_t w = static_cast<std::int64_t>(all[k].second.size()) / rows;
        EXPECT_TRUE(same_bits(slice(all[k].second, w), alone[k].second)) << all[k].first << " of row " << r;
      }
    }
  }
}

// A causal row's masked columns are never read: NaN and Inf there change nothing, on any launch
// shape; one block alone has the bits of the same block among five.
TEST(NnRowsGpu, CausalMaskedColumnsAreNotRead) {
  DETNUM_REQUIRE_GPU();
  constexpr std::int64_t period = 6, rows = 5 * period, cols = 8200;
  const CausalMask mask{period, cols - 8};
  RowInputs in = make_row_inputs(rows, cols, 81, false);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t j = detail::causal_kept(r, cols, period, mask.offset); j < cols; ++j) {
      in.x[r * cols + j] = j % 2 ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
      in.dy[r * cols + j] = std::numeric_limits<float>::quiet_NaN();
    }
  std::vector<float> want_y(rows * cols), want_dx(rows * cols);
  ref::causal_softmax(in.x.data(), want_y.data(), rows, cols, mask);
  ref::causal_softmax_backward(want_y.data(), in.dy.data(), want_dx.data(), rows, cols, mask);
  const OnDevice<float> x(in.x, 0), dy(in.dy, 0), y_in(want_y, 0);
  const auto to_host = [](const DeviceBuffer<float>& d, std::int64_t n) {
    std::vector<float> h(static_cast<std::size_t>(n));
    EXPECT_EQ(cudaMemcpy(h.data(), d.get(), h.size() * sizeof(float), cudaMemcpyDeviceToHost), cudaSuccess);
    return h;
  };
  for (const cuda::LaunchConfig launch : {cuda::LaunchConfig{}, cuda::LaunchConfig{64, 3}}) {
    DeviceBuffer<float> y(rows * cols), dx(rows * cols);
    DETNUM_TEST_CUDA(cudaMemset(y.get(), 0xFF, rows * cols * sizeof(float)));
    DETNUM_TEST_CUDA(cudaMemset(dx.get(), 0xFF, rows * cols * sizeof(float)));
    cuda::causal_softmax(x.get(), y.get(), rows, cols, mask, nullptr, launch);
    cuda::causal_softmax_backward(y_in.get(), dy.get(), dx.get(), rows, cols, mask, nullptr, launch);
    DETNUM_TEST_CUDA(cudaDeviceSynchronize());
    EXPECT_TRUE(same_bits(want_y, to_host(y, rows * cols))) << "block " << launch.block_threads;
    EXPECT_TRUE(same_bits(want_dx, to_host(dx, rows * cols))) << "block " << launch.block_threads;
  }
  DeviceBuffer<float> y1(period * cols);
  DETNUM_TEST_CUDA(cudaMemset(y1.get(), 0xFF, period * cols * sizeof(float)));  // not y's freed bits
  cuda::causal_softmax(x.get() + 2 * period * cols, y1.get(), period, cols, mask);
  DETNUM_TEST_CUDA(cudaDeviceSynchronize());
  EXPECT_TRUE(same_bits(std::vector<float>(want_y.begin() + 2 * period * cols, want_y.begin() + 3 * period * cols),
                        to_host(y1, period * cols)));
  expect_error([&] { cuda::causal_softmax(x.get(), y1.get(), period, cols, CausalMask{}); },
               ErrorCode::invalid_argument, "cuda::causal_softmax: mask.period must be >= 1, got 0");
}

// Labels cannot be checked on the host without a synchronization: a bad one makes its row's
// gradient and the loss NaN; the other rows are unaffected.
TEST(NnRowsGpu, LabelOutsideTheColumnsGivesNaN) {
  DETNUM_REQUIRE_GPU();
  constexpr std::int64_t rows = 3, cols = 10;
  RowInputs in = make_row_inputs(rows, cols, 3, false);
  const RowOutputs good = run_ref(RowOp::cross_entropy, in);
  for (const std::int32_t bad : {10, -1}) {
    in.labels[1] = bad;
    const RowOutputs out = run_gpu(RowOp::cross_entropy, in, {}, false, 0);
    EXPECT_EQ(bits_of(out[0].second[0]), kCanonicalNanF32) << "loss";
    for (std::int64_t j = 0; j < cols; ++j) {
      EXPECT_EQ(bits_of(out[1].second[cols + j]), kCanonicalNanF32) << "row 1, column " << j;
      EXPECT_EQ(bits_of(out[1].second[j]), bits_of(good[1].second[j])) << "row 0, column " << j;
    }
  }
}

// cross_entropy with an IdCheck (and options, when `ignore` is not null) over every launch shape, the
// caller's workspace (guard bytes untouched) and stream-ordered memory, with and without dlogits:
// `good` labels give `want` and nothing to report; `bad` labels leave the loss and dlogits as they
// were, and throw_if_bad() throws `error` once; then the check serves the next call. `also` runs
// last in each case, given the call (labels, workspace, dlogits, launch).
using CrossEntropyCall = std::function<void(const std::int32_t*, cuda::Workspace, float*, cuda::LaunchConfig)>;
void id_check_cases(const RowInputs& in, const std::vector<std::int32_t>& good, const std::vector<std::int32_t>& bad,
                    const CrossEntropyOptions* ignore, const RowOutputs& want, const std::string& error,
                    const std::function<void(const CrossEntropyCall&, cuda::Workspace, float*, cuda::LaunchConfig,
                                             const float* loss)>& also) {
  const std::int64_t rows = in.rows, cols = in.cols;
  const OnDevice<float> x(in.x, 0);
  const OnDevice<std::int32_t> good_labels(good, 0), bad_labels(bad, 0);
  const auto losses = static_cast<std::int64_t>(want[0].second.size());  // rows for per-row losses, else 1
  DeviceBuffer<float> loss(losses), dlogits(rows * cols);
  const std::size_t ws_bytes = cuda::cross_entropy_workspace_bytes(rows, cols);
  DeviceBuffer<unsigned char> ws(ws_bytes + kGuardBytes);
  const auto bytes = [](const float* p) { return reinterpret_cast<const unsigned char*>(p); };
  cuda::IdCheck check;
  const CrossEntropyCall call = [&](const std::int32_t* labels, cuda::Workspace w, float* dl, cuda::LaunchConfig l) {
    if (ignore) cuda::cross_entropy(x.get(), labels, rows, cols, *ignore, loss.get(), dl, check, nullptr, w, l);
    else cuda::cross_entropy(x.get(), labels, rows, cols, loss.get(), dl, check, nullptr, w, l);
  };
  for (const cuda::LaunchConfig launch : kLaunches)
    for (const bool callers_workspace : {true, false})
      for (const bool with_dlogits : {true, false}) {
        SCOPED_TRACE("block " + std::to_string(launch.block_threads) + ", grid " + std::to_string(launch.grid_blocks) +
                     (callers_workspace ? ", the caller's workspace" : ", stream-ordered memory") +
                     (with_dlogits ? "" : ", no dlogits"));
        const cuda::Workspace w = callers_workspace ? cuda::Workspace{ws.get(), ws_bytes} : cuda::Workspace{};
        float* const dl = with_dlogits ? dlogits.get() : nullptr;
        ASSERT_EQ(cudaMemset(ws.get(), kSentinel, ws.size()), cudaSuccess);
        call(good_labels.get(), w, dl, launch);
        EXPECT_NO_THROW(check.throw_if_bad());
        EXPECT_EQ(untouched(ws.get(), ws_bytes, ws.size()), "") << "past the workspace";
        std::vector<float> got_loss(losses), got_dlogits(rows * cols);
        ASSERT_EQ(cudaMemcpy(got_loss.data(), loss.get(), losses * sizeof(float), cudaMemcpyDeviceToHost), cudaSuccess);
        EXPECT_TRUE(same_bits(want[0].second, got_loss)) << "loss";
        if (with_dlogits) {
          ASSERT_EQ(cudaMemcpy(got_dlogits.data(), dl, got_dlogits.size() * sizeof(float), cudaMemcpyDeviceToHost),
                    cudaSuccess);
          EXPECT_TRUE(same_bits(want[1].second, got_dlogits)) << "dlogits";
        }

        ASSERT_EQ(cudaMemset(loss.get(), kSentinel, losses * sizeof(float)), cudaSuccess);
        ASSERT_EQ(cudaMemset(dlogits.get(), kSentinel, rows * cols * sizeof(float)), cudaSuccess);
        call(bad_labels.get(), w, dl, launch);
        expect_error([&] { check.throw_if_bad(); }, ErrorCode::invalid_argument, error);
        EXPECT_NO_THROW(check.throw_if_bad()) << "reported once";
        EXPECT_EQ(untouched(bytes(loss.get()), 0, losses * sizeof(float)), "") << "loss";
        EXPECT_EQ(untouched(bytes(dlogits.get()), 0, rows * cols * sizeof(float)), "") << "dlogits";
        if (also) {
          also(call, w, dl, launch, loss.get());
          EXPECT_NO_THROW(check.throw_if_bad());
        }
      }
}

// Rows 7 and 3 bad: the first, row 3, is reported.
TEST(NnRowsGpu, IdCheckDefersABadLabel) {
  DETNUM_REQUIRE_GPU();
  constexpr std::int64_t rows = 9, cols = 37;
  const RowInputs in = make_row_inputs(rows, cols, 5, false);
  std::vector<std::int32_t> bad = in.labels;
  bad[7] = -100;
  bad[3] = cols;
  id_check_cases(in, in.labels, bad, nullptr, run_ref(RowOp::cross_entropy, in),
                 "cuda::cross_entropy: labels[3] must be in [0, cols) = [0, 37), got 37", nullptr);
}

// With an ignored label: rows of -100 are left out; a label that is neither a column nor -100
// (row 3) is reported; a call with every row ignored reports nothing, and its loss is NaN.
TEST(NnRowsGpu, IdCheckWithAnIgnoredLabel) {
  DETNUM_REQUIRE_GPU();
  constexpr std::int64_t rows = 9, cols = 37;
  RowInputs in = make_row_inputs(rows, cols, 6, false);
  in.labels[7] = in.labels[1] = kIgnoredLabel;
  const CrossEntropyOptions ignore{.ignore_index = kIgnoredLabel};
  RowOutputs want = row_outputs_of(RowOp::cross_entropy, rows, cols);
  ref::cross_entropy(in.x.data(), in.labels.data(), rows, cols, ignore, want[0].second.data(), want[1].second.data());
  std::vector<std::int32_t> bad = in.labels;
  bad[3] = -1;
  const OnDevice<std::int32_t> all_ignored(std::vector<std::int32_t>(rows, kIgnoredLabel), 0);
  id_check_cases(in, in.labels, bad, &ignore, want,
                 "cuda::cross_entropy: labels[3] must be in [0, cols) = [0, 37) or the ignored label -100, got -1",
                 [&](const CrossEntropyCall& call, cuda::Workspace w, float* dl, cuda::LaunchConfig l, const float* loss) {
                   call(all_ignored.get(), w, dl, l);
                   float got = 0;
                   ASSERT_EQ(cudaMemcpy(&got, loss, sizeof got, cudaMemcpyDeviceToHost), cudaSuccess);
                   EXPECT_EQ(bits_of(got), kCanonicalNanF32) << "loss of no rows";
                 });
}

// The other options under a check, with label smoothing: each reduction with an ignored label
// (the labels counted and checked by one kernel) and without (checked by check_ids); a sum goes
// through the check's last kernel, and per-row losses are written by the rows' kernel itself,
// which writes none of them when a label is bad.
TEST(NnRowsGpu, IdCheckWithOtherOptions) {
  DETNUM_REQUIRE_GPU();
  constexpr std::int64_t rows = 9, cols = 37;
  const RowInputs plain = make_row_inputs(rows, cols, 8, false);
  for (const bool ignoring : {true, false})
    for (const LossReduction reduction : {LossReduction::mean, LossReduction::sum, LossReduction::none}) {
      SCOPED_TRACE(std::string(reduction == LossReduction::mean  ? "mean"
                               : reduction == LossReduction::sum ? "sum"
                                                                 : "per row") +
                   (ignoring ? ", label -100 ignored" : ""));
      RowInputs in = plain;
      if (ignoring) in.labels[5] = kIgnoredLabel;
      std::vector<std::int32_t> bad = in.labels;
      bad[6] = 40;
      const CrossEntropyOptions options{ignoring ? std::optional<std::int32_t>(kIgnoredLabel) : std::nullopt, 0.1f,
                                        reduction};
      RowOutputs want = row_outputs_of(RowOp::cross_entropy, rows, cols);
      if (reduction == LossReduction::none) want[0].second.resize(rows);
      ref::cross_entropy(in.x.data(), in.labels.data(), rows, cols, options, want[0].second.data(),
                         want[1].second.data());
      id_check_cases(in, in.labels, bad, &options, want,
                     std::string("cuda::cross_entropy: labels[6] must be in [0, cols) = [0, 37)") +
                         (ignoring ? " or the ignored label -100" : "") + ", got 40",
                     nullptr);
    }
}

// The device takes another path with an ignored label (a sum, then a division by the count it
// made) than without (cuda::mean): with no row of that label the two give the same bits; an
// ignored class gives the CPU's bits; and without a check, a bad label among ignored ones makes
// its row's gradient and the loss NaN (the rows kept count it), the other rows the CPU's bits
// for the same count.
TEST(NnRowsGpu, IgnoredLabelPaths) {
  DETNUM_REQUIRE_GPU();
  constexpr std::int64_t rows = 600, cols = 129;
  RowInputs in = make_row_inputs(rows, cols, 7, false);
  const auto run = [&](const std::vector<std::int32_t>& labels, const CrossEntropyOptions* ignore) {
    const OnDevice<float> x(in.x, 0);
    const OnDevice<std::int32_t> l(labels, 0);
    DeviceBuffer<float> loss(1), dl(rows * cols);
    EXPECT_EQ(cudaMemset(loss.get(), 0xFF, sizeof(float)), cudaSuccess);  // not the last run's bits
    EXPECT_EQ(cudaMemset(dl.get(), 0xFF, rows * cols * sizeof(float)), cudaSuccess);
    if (ignore) cuda::cross_entropy(x.get(), l.get(), rows, cols, *ignore, loss.get(), dl.get());
    else cuda::cross_entropy(x.get(), l.get(), rows, cols, loss.get(), dl.get());
    EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    RowOutputs out = row_outputs_of(RowOp::cross_entropy, rows, cols);
    EXPECT_EQ(cudaMemcpy(out[0].second.data(), loss.get(), sizeof(float), cudaMemcpyDeviceToHost), cudaSuccess);
    EXPECT_EQ(cudaMemcpy(out[1].second.data(), dl.get(), rows * cols * sizeof(float), cudaMemcpyDeviceToHost),
              cudaSuccess);
    return out;
  };
  const CrossEntropyOptions absent{.ignore_index = kIgnoredLabel}, class5{.ignore_index = 5};
  expect_same_outputs(run(in.labels, nullptr), run(in.labels, &absent));
  RowOutputs want = row_outputs_of(RowOp::cross_entropy, rows, cols);
  ref::cross_entropy(in.x.data(), in.labels.data(), rows, cols, class5, want[0].second.data(), want[1].second.data());
  expect_same_outputs(want, run(in.labels, &class5));

  std::vector<std::int32_t> one_bad = in.labels_ignoring;
  one_bad[4] = cols;  // the CPU would throw: compare with the CPU's bits for row 4 given a good label
  const RowOutputs got = run(one_bad, &absent);
  EXPECT_EQ(bits_of(got[0].second[0]), kCanonicalNanF32) << "loss";
  std::vector<std::int32_t> good = one_bad;
  good[4] = 0;
  RowOutputs cpu = row_outputs_of(RowOp::cross_entropy, rows, cols);
  ref::cross_entropy(in.x.data(), good.data(), rows, cols, absent, cpu[0].second.data(), cpu[1].second.data());
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t j = 0; j < cols; ++j) {
      const std::size_t i = static_cast<std::size_t>(r * cols + j);
      ASSERT_EQ(bits_of(got[1].second[i]), r == 4 ? kCanonicalNanF32 : bits_of(cpu[1].second[i]))
          << "row " << r << ", column " << j;
    }
}

TEST(NnRowsGpu, Errors) {
  DETNUM_REQUIRE_GPU();
  DeviceBuffer<float> dx(100), out(100), stats(10), ws(1024);
  std::vector<float> host(100);
  expect_error([&] { cuda::softmax(host.data(), out.get(), 10, 10); }, ErrorCode::wrong_memory_space,
               "cuda::softmax: x must be device");
  expect_error([&] { cuda::rms_norm(dx.get(), dx.get(), out.get(), host.data(), 10, 10, 1e-5f); },
               ErrorCode::wrong_memory_space, "rstd");
  expect_error([&] { cuda::softmax(dx.get(), dx.get() + 5, 10, 10); }, ErrorCode::unsupported_aliasing,
               "y and x must not overlap");
  expect_error([&] { cuda::layer_norm(dx.get(), dx.get(), dx.get(), out.get(), stats.get(), stats.get(), 10, 10, -1.0f); },
               ErrorCode::invalid_argument, "cuda::layer_norm: eps must be finite and >= 0, got -1");
  expect_error([&] { cuda::log_softmax(dx.get(), out.get(), 10, 10, nullptr, {100, 0}); }, ErrorCode::invalid_argument,
               "block_threads");
  expect_error([&] { cuda::softmax(dx.get(), out.get(), -1, 10); }, ErrorCode::size_out_of_range,
               "cuda::softmax: rows must be >= 0, got -1");
  // Too little workspace is named with the size it needs.
  std::vector<std::int32_t> zeros(10, 0);
  DeviceBuffer<std::int32_t> labels(10);
  DETNUM_TEST_CUDA(cudaMemcpy(labels.get(), zeros.data(), 40, cudaMemcpyHostToDevice));
  expect_error([&] { cuda::cross_entropy(dx.get(), labels.get(), 10, 10, stats.get(), nullptr, nullptr,
                                         cuda::Workspace{ws.get(), 4}); },
               ErrorCode::invalid_argument,
               "ws.bytes must be at least cuda::cross_entropy_workspace_bytes(rows, cols) = ");
  // Options: label_smoothing in [0, 1]; per-row losses take rows floats, not overlapping dlogits.
  expect_error([&] { cuda::cross_entropy(dx.get(), labels.get(), 10, 10, {.label_smoothing = 2.0f}, stats.get(),
                                         nullptr); },
               ErrorCode::invalid_argument, "cuda::cross_entropy: label_smoothing must be in [0, 1], got 2");
  expect_error([&] { cuda::cross_entropy(dx.get(), labels.get(), 10, 10, {.reduction = LossReduction::none},
                                         out.get() + 95, out.get()); },
               ErrorCode::unsupported_aliasing, "loss and dlogits must not overlap");
}

// No columns among 2^40 rows: the softmax family launches nothing (a bad launch shape is still
// an error).
TEST(NnRowsGpu, ManyEmptyRows) {
  DETNUM_REQUIRE_GPU();
  constexpr std::int64_t rows = std::int64_t{1} << 40;
  cuda::softmax(nullptr, nullptr, rows, 0);
  cuda::log_softmax(nullptr, nullptr, rows, 0);
  cuda::softmax_backward(nullptr, nullptr, nullptr, rows, 0);
  cuda::log_softmax_backward(nullptr, nullptr, nullptr, rows, 0);
  EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  expect_error([&] { cuda::softmax(nullptr, nullptr, rows, 0, nullptr, {100, 0}); }, ErrorCode::invalid_argument,
               "block_threads");
}

}  // namespace
}  // namespace detnum::test
