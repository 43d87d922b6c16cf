// Row ops on a CUDA device: detnum's fixed-order kernels, timed per call with CUDA events.
//
//   softmax/det_cuda/R/C               detnum::cuda::softmax
//   log_softmax/det_cuda/R/C           detnum::cuda::log_softmax
//   softmax_backward/det_cuda/R/C      detnum::cuda::softmax_backward (y: softmax's output)
//   log_softmax_backward/det_cuda/R/C  detnum::cuda::log_softmax_backward (y: log_softmax's output)
//   causal_softmax/det_cuda/R/C        detnum::cuda::causal_softmax, CausalMask{1024}: the attention
//                                      scores of R / 1024 heads of 1024 queries (C keys)
//   causal_softmax_backward/det_cuda/R/C   its backward pass (y: softmax's output, unmasked)
//   layer_norm/det_cuda/R/C            detnum::cuda::layer_norm
//   rms_norm/det_cuda/R/C              detnum::cuda::rms_norm
//   layer_norm_backward/det_cuda/R/C   detnum::cuda::layer_norm_backward (dx, dgamma, dbeta),
//                                      caller's workspace
//   rms_norm_backward/det_cuda/R/C     detnum::cuda::rms_norm_backward (dx, dgamma), caller's workspace
//   cross_entropy/det_cuda/R/C         detnum::cuda::cross_entropy with dlogits, caller's workspace
//   cross_entropy/det_cuda_ignore/R/C  the same with ignore_index -100, every 8th row's label -100
//                                      (padding): a memset and two small kernels more
//   cross_entropy/det_cuda_smooth/R/C  the same with label smoothing 0.1 too: a pass more per row
//   OP/conventional_cuda/R/C           the conventional kernel of each (conventional_cuda.hpp: a warp
//                                      per row with expf, logf and rsqrtf; float atomics for dgamma,
//                                      dbeta and the mean loss; the causal ones over the kept columns)
//
// Shapes: 4096 x 1024 and 16384 x 4096 (activations of 4096 or 16384 tokens), and for
// cross_entropy 4096 x 32000 (a vocabulary). bytes_per_second counts the bytes each call must
// move at least: 8 R C for the forward passes (x in, y out), 12 R C for the softmax backward
// passes (y, dy in, dx out; the causal ones counted as the unmasked ones, though they read about
// half of that), 16 R C for the norms' backward passes (x, dy in, dx out, dx again
// for dgamma's terms), 4 R C or 8 R C for cross_entropy (logits, and dlogits). The backward
// passes of softmax and log_softmax take y from detnum::cuda's forward pass of x, computed once
// before timing. At 4096 rows, det_cuda's outputs are filled with NaN, written by one call and
// compared with detnum::ref on host copies (bits: y, dx or dlogits, and dgamma and dbeta) before
// timing. Without a device every benchmark skips.
#include <benchmark/benchmark.h>

#include <cuda_runtime.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "conventional_cuda.hpp"
#include "detnum/cuda/norm.hpp"
#include "detnum/cuda/softmax.hpp"
#include "detnum/norm.hpp"
#include "detnum/softmax.hpp"
#include "gpu_bench.hpp"

namespace {

using namespace detnum_bench::gpu;

std::vector<float> values(std::int64_t n, float scale) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = (static_cast<float>((i * 7919 + 13) % 2003) / 1001.0f - 1.0f) * scale;
  return v;
}

template <class T>
void upload(const DeviceBuffer<T>& d, const std::vector<T>& h) {
  BENCH_CHECK(cudaMemcpy(d.get(), h.data(), h.size() * sizeof(T), cudaMemcpyHostToDevice));
}

enum class Op {
  softmax,
  log_softmax,
  softmax_backward,
  log_softmax_backward,
  causal_softmax,
  causal_softmax_backward,
  layer_norm,
  rms_norm,
  layer_norm_backward,
  rms_norm_backward,
  cross_entropy,
  cross_entropy_ignore,
  cross_entropy_smooth
};

constexpr bool takes_probabilities(Op op) {
  return op == Op::softmax_backward || op == Op::log_softmax_backward || op == Op::causal_softmax_backward;
}
// The causal ops' mask: heads of 1024 queries.
const detnum::CausalMask kCausal{1024, 0};

// Host copies of the inputs and their device buffers. dprob (and its host copy prob): for the
// softmax backward passes, softmax's or log_softmax's y of x.
struct Inputs {
  std::int64_t rows, cols, n;
  std::vector<float> x, gamma, beta, dy, mean, rstd, prob;
  std::vector<std::int32_t> labels;
  DeviceBuffer<float> dx_in, dgamma_in, dbeta_in, ddy, dmean, drstd, dprob;
  DeviceBuffer<std::int32_t> dlabels;
  Inputs(const benchmark::State& state, Op op)
      : rows(state.range(0)),
        cols(state.range(1)),
        n(rows * cols),
        x(values(n, 8.0f)),
        gamma(values(cols, 1.0f)),
        beta(values(cols, 0.5f)),
        dy(values(n, 1.0f)),
        mean(static_cast<std::size_t>(rows)),
        rstd(mean.size()),
        labels(static_cast<std::size_t>(rows)),
        dx_in(n),
        dgamma_in(cols),
        dbeta_in(cols),
        ddy(n),
        dmean(rows),
        drstd(rows),
        dprob(takes_probabilities(op) ? n : 0),
        dlabels(rows) {
    for (std::int64_t r = 0; r < rows; ++r) labels[r] = static_cast<std::int32_t>((r * 7907) % cols);
    std::vector<float> y(x.size());
    detnum::layer_norm(x.data(), gamma.data(), beta.data(), y.data(), mean.data(), rstd.data(), rows, cols, 1e-5f);
    upload(dx_in, x);
    upload(dgamma_in, gamma);
    upload(dbeta_in, beta);
    upload(ddy, dy);
    upload(dmean, mean);
    upload(drstd, rstd);
    upload(dlabels, labels);
    if (takes_probabilities(op)) {
      if (op != Op::log_softmax_backward) detnum::cuda::softmax(dx_in.get(), dprob.get(), rows, cols);
      else detnum::cuda::log_softmax(dx_in.get(), dprob.get(), rows, cols);
      BENCH_CHECK(cudaGetLastError());
      BENCH_CHECK(cudaDeviceSynchronize());
      if (rows == 4096) prob = dprob.to_host();  // for the reference
    }
  }
};

// Bytes a call moves at least (see the top of the file).
std::int64_t bytes_per_call(Op op, const Inputs& in) {
  const std::int64_t floats = op == Op::layer_norm_backward || op == Op::rms_norm_backward ? 4
                              : takes_probabilities(op)                                     ? 3
                                                                                            : 2;
  return floats * in.n * static_cast<std::int64_t>(sizeof(float));
}

void fill_nan(const DeviceBuffer<float>& d, std::int64_t count) {
  BENCH_CHECK(cudaMemset(d.get(), 0xFF, static_cast<std::size_t>(count) * sizeof(float)));  // 0xFFFFFFFF: a NaN
}

template <Op kOp>
void BM_det_cuda(benchmark::State& state) {
  guarded(state, [&] {
    const Inputs in(state, kOp);
    Stream stream;
    DeviceBuffer<float> y(in.n), a(in.cols), b(in.cols), loss(1);
    constexpr bool kLoss = kOp == Op::cross_entropy || kOp == Op::cross_entropy_ignore || kOp == Op::cross_entropy_smooth;
    const std::size_t ws_bytes = kLoss ? detnum::cuda::cross_entropy_workspace_bytes(in.rows, in.cols)
                                 : kOp == Op::rms_norm_backward
                                     ? detnum::cuda::rms_norm_backward_workspace_bytes(in.rows, in.cols)
                                     : detnum::cuda::layer_norm_backward_workspace_bytes(in.rows, in.cols);
    DeviceBuffer<unsigned char> ws(static_cast<std::int64_t>(ws_bytes));
    const detnum::cuda::Workspace w{ws.get(), ws_bytes};
    DeviceBuffer<float> mean(in.rows), rstd(in.rows);
    // Padding rows for the calls with options: every 8th label is the ignored one.
    constexpr std::int32_t kPadding = -100;
    const detnum::CrossEntropyOptions options{kPadding, kOp == Op::cross_entropy_smooth ? 0.1f : 0.0f};
    std::vector<std::int32_t> padded = in.labels;
    for (std::size_t r = 0; r < padded.size(); r += 8) padded[r] = kPadding;
    DeviceBuffer<std::int32_t> dpadded(static_cast<std::int64_t>(padded.size()));
    upload(dpadded, padded);
    const auto launch = [&] {
      if constexpr (kOp == Op::softmax) detnum::cuda::softmax(in.dx_in.get(), y.get(), in.rows, in.cols, stream.get());
      else if constexpr (kOp == Op::log_softmax)
        detnum::cuda::log_softmax(in.dx_in.get(), y.get(), in.rows, in.cols, stream.get());
      else if constexpr (kOp == Op::softmax_backward)
        detnum::cuda::softmax_backward(in.dprob.get(), in.ddy.get(), y.get(), in.rows, in.cols, stream.get());
      else if constexpr (kOp == Op::log_softmax_backward)
        detnum::cuda::log_softmax_backward(in.dprob.get(), in.ddy.get(), y.get(), in.rows, in.cols, stream.get());
      else if constexpr (kOp == Op::causal_softmax)
        detnum::cuda::causal_softmax(in.dx_in.get(), y.get(), in.rows, in.cols, kCausal, stream.get());
      else if constexpr (kOp == Op::causal_softmax_backward)
        detnum::cuda::causal_softmax_backward(in.dprob.get(), in.ddy.get(), y.get(), in.rows, in.cols, kCausal,
                                              stream.get());
      else if constexpr (kOp == Op::layer_norm)
        detnum::cuda::layer_norm(in.dx_in.get(), in.dgamma_in.get(), in.dbeta_in.get(), y.get(), mean.get(), rstd.get(),
                                 in.rows, in.cols, 1e-5f, stream.get());
      else if constexpr (kOp == Op::rms_norm)
        detnum::cuda::rms_norm(in.dx_in.get(), in.dgamma_in.get(), y.get(), rstd.get(), in.rows, in.cols, 1e-5f,
                               stream.get());
      else if constexpr (kOp == Op::layer_norm_backward)
        detnum::cuda::layer_norm_backward(in.dx_in.get(), in.dgamma_in.get(), in.dmean.get(), in.drstd.get(),
                                          in.ddy.get(), y.get(), a.get(), b.get(), in.rows, in.cols, stream.get(), w);
      else if constexpr (kOp == Op::rms_norm_backward)
        detnum::cuda::rms_norm_backward(in.dx_in.get(), in.dgamma_in.get(), in.drstd.get(), in.ddy.get(), y.get(),
                                        a.get(), in.rows, in.cols, stream.get(), w);
      else if constexpr (kOp == Op::cross_entropy)
        detnum::cuda::cross_entropy(in.dx_in.get(), in.dlabels.get(), in.rows, in.cols, loss.get(), y.get(),
                                    stream.get(), w);
      else
        detnum::cuda::cross_entropy(in.dx_in.get(), dpadded.get(), in.rows, in.cols, options, loss.get(), y.get(),
                                    stream.get(), w);
    };
    if (in.rows == 4096) {  // validate before timing: the CPU reference defines the answer
      fill_nan(y, in.n);
      fill_nan(a, in.cols);
      fill_nan(b, in.cols);
      launch();
      BENCH_CHECK(cudaStreamSynchronize(stream.get()));
      std::vector<float> want(static_cast<std::size_t>(in.n)), s1(in.rows), s2(in.rows), s3(in.cols), s4(in.cols);
      float want_loss = 0;
      if constexpr (kOp == Op::softmax) detnum::ref::softmax(in.x.data(), want.data(), in.rows, in.cols);
      else if constexpr (kOp == Op::log_softmax) detnum::ref::log_softmax(in.x.data(), want.data(), in.rows, in.cols);
      else if constexpr (kOp == Op::softmax_backward)
        detnum::ref::softmax_backward(in.prob.data(), in.dy.data(), want.data(), in.rows, in.cols);
      else if constexpr (kOp == Op::log_softmax_backward)
        detnum::ref::log_softmax_backward(in.prob.data(), in.dy.data(), want.data(), in.rows, in.cols);
      else if constexpr (kOp == Op::causal_softmax)
        detnum::ref::causal_softmax(in.x.data(), want.data(), in.rows, in.cols, kCausal);
      else if constexpr (kOp == Op::causal_softmax_backward)
        detnum::ref::causal_softmax_backward(in.prob.data(), in.dy.data(), want.data(), in.rows, in.cols, kCausal);
      else if constexpr (kOp == Op::layer_norm)
        detnum::ref::layer_norm(in.x.data(), in.gamma.data(), in.beta.data(), want.data(), s1.data(), s2.data(),
                                in.rows, in.cols, 1e-5f);
      else if constexpr (kOp == Op::rms_norm)
        detnum::ref::rms_norm(in.x.data(), in.gamma.data(), want.data(), s2.data(), in.rows, in.cols, 1e-5f);
      else if constexpr (kOp == Op::layer_norm_backward)
        detnum::ref::layer_norm_backward(in.x.data(), in.gamma.data(), in.mean.data(), in.rstd.data(), in.dy.data(),
                                         want.data(), s3.data(), s4.data(), in.rows, in.cols);
      else if constexpr (kOp == Op::rms_norm_backward)
        detnum::ref::rms_norm_backward(in.x.data(), in.gamma.data(), in.rstd.data(), in.dy.data(), want.data(),
                                       s3.data(), in.rows, in.cols);
      else if constexpr (kOp == Op::cross_entropy)
        detnum::ref::cross_entropy(in.x.data(), in.labels.data(), in.rows, in.cols, &want_loss, want.data());
      else
        detnum::ref::cross_entropy(in.x.data(), padded.data(), in.rows, in.cols, options, &want_loss, want.data());
      const auto same = [](const std::vector<float>& got, const std::vector<float>& ref) {
        return std::memcmp(got.data(), ref.data(), ref.size() * sizeof(float)) == 0;
      };
      bool ok = same(y.to_host(), want);
      if constexpr (kOp == Op::layer_norm_backward || kOp == Op::rms_norm_backward) ok = ok && same(a.to_host(), s3);
      if constexpr (kOp == Op::layer_norm_backward) ok = ok && same(b.to_host(), s4);
      if constexpr (kLoss) ok = ok && same(loss.to_host(), {want_loss});
      if (!ok) return state.SkipWithError("det_cuda differs from detnum::ref");
    }
    time_calls(state, stream.get(), in.n, bytes_per_call(kOp, in), launch);
  });
}

template <Op kOp>
void BM_conventional(benchmark::State& state) {
  guarded(state, [&] {
    const Inputs in(state, kOp);
    Stream stream;
    DeviceBuffer<float> y(in.n), a(in.cols), b(in.cols), loss(1), mean(in.rows), rstd(in.rows);
    namespace conventional = detnum_bench::conventional;
    time_calls(state, stream.get(), in.n, bytes_per_call(kOp, in), [&] {
      if constexpr (kOp == Op::softmax) conventional::softmax(in.dx_in.get(), y.get(), in.rows, in.cols, stream.get());
      else if constexpr (kOp == Op::log_softmax)
        conventional::log_softmax(in.dx_in.get(), y.get(), in.rows, in.cols, stream.get());
      else if constexpr (kOp == Op::softmax_backward)
        conventional::softmax_backward(in.dprob.get(), in.ddy.get(), y.get(), in.rows, in.cols, stream.get());
      else if constexpr (kOp == Op::log_softmax_backward)
        conventional::log_softmax_backward(in.dprob.get(), in.ddy.get(), y.get(), in.rows, in.cols, stream.get());
      else if constexpr (kOp == Op::causal_softmax)
        conventional::causal_softmax(in.dx_in.get(), y.get(), in.rows, in.cols, kCausal.period, stream.get());
      else if constexpr (kOp == Op::causal_softmax_backward)
        conventional::causal_softmax_backward(in.dprob.get(), in.ddy.get(), y.get(), in.rows, in.cols, kCausal.period,
                                              stream.get());
      else if constexpr (kOp == Op::layer_norm)
        conventional::layer_norm(in.dx_in.get(), in.dgamma_in.get(), in.dbeta_in.get(), y.get(), mean.get(),
                                 rstd.get(), in.rows, in.cols, 1e-5f, stream.get());
      else if constexpr (kOp == Op::rms_norm)
        conventional::rms_norm(in.dx_in.get(), in.dgamma_in.get(), y.get(), rstd.get(), in.rows, in.cols, 1e-5f,
                               stream.get());
      else if constexpr (kOp == Op::layer_norm_backward)
        conventional::layer_norm_backward(in.dx_in.get(), in.dgamma_in.get(), in.dmean.get(), in.drstd.get(),
                                          in.ddy.get(), y.get(), a.get(), b.get(), in.rows, in.cols, stream.get());
      else if constexpr (kOp == Op::rms_norm_backward)
        conventional::rms_norm_backward(in.dx_in.get(), in.dgamma_in.get(), in.drstd.get(), in.ddy.get(), y.get(),
                                        a.get(), in.rows, in.cols, stream.get());
      else
        conventional::cross_entropy(in.dx_in.get(), in.dlabels.get(), in.rows, in.cols, loss.get(), y.get(),
                                    stream.get());
    });
  });
}

void shapes(benchmark::internal::Benchmark* b) {
  b->Args({4096, 1024})->Args({16384, 4096});
  b->UseManualTime()->Unit(benchmark::kMicrosecond)->MinTime(0.05);
}
void vocab(benchmark::internal::Benchmark* b) {
  b->Args({4096, 32000});
  b->UseManualTime()->Unit(benchmark::kMicrosecond)->MinTime(0.05);
}

BENCHMARK(BM_det_cuda<Op::softmax>)->Name("softmax/det_cuda")->Apply(shapes);
BENCHMARK(BM_det_cuda<Op::layer_norm>)->Name("layer_norm/det_cuda")->Apply(shapes);
BENCHMARK(BM_det_cuda<Op::rms_norm>)->Name("rms_norm/det_cuda")->Apply(shapes);
BENCHMARK(BM_det_cuda<Op::layer_norm_backward>)->Name("layer_norm_backward/det_cuda")->Apply(shapes);
BENCHMARK(BM_det_cuda<Op::cross_entropy>)->Name("cross_entropy/det_cuda")->Apply(vocab);
BENCHMARK(BM_det_cuda<Op::cross_entropy_ignore>)->Name("cross_entropy/det_cuda_ignore")->Apply(vocab);
BENCHMARK(BM_det_cuda<Op::cross_entropy_smooth>)->Name("cross_entropy/det_cuda_smooth")->Apply(vocab);
BENCHMARK(BM_conventional<Op::softmax>)->Name("softmax/conventional_cuda")->Apply(shapes);
BENCHMARK(BM_conventional<Op::layer_norm>)->Name("layer_norm/conventional_cuda")->Apply(shapes);
BENCHMARK(BM_conventional<Op::rms_norm>)->Name("rms_norm/conventional_cuda")->Apply(shapes);
BENCHMARK(BM_conventional<Op::layer_norm_backward>)->Name("layer_norm_backward/conventional_cuda")->Apply(shapes);
BENCHMARK(BM_conventional<Op::cross_entropy>)->Name("cross_entropy/conventional_cuda")->Apply(vocab);
BENCHMARK(BM_det_cuda<Op::log_softmax>)->Name("log_softmax/det_cuda")->Apply(shapes);
BENCHMARK(BM_conventional<Op::log_softmax>)->Name("log_softmax/conventional_cuda")->Apply(shapes);
BENCHMARK(BM_det_cuda<Op::softmax_backward>)->Name("softmax_backward/det_cuda")->Apply(shapes);
BENCHMARK(BM_conventional<Op::softmax_backward>)->Name("softmax_backward/conventional_cuda")->Apply(shapes);
BENCHMARK(BM_det_cuda<Op::log_softmax_backward>)->Name("log_softmax_backward/det_cuda")->Apply(shapes);
BENCHMARK(BM_conventional<Op::log_softmax_backward>)->Name("log_softmax_backward/conventional_cuda")->Apply(shapes);
BENCHMARK(BM_det_cuda<Op::causal_softmax>)->Name("causal_softmax/det_cuda")->Apply(shapes);
BENCHMARK(BM_conventional<Op::causal_softmax>)->Name("causal_softmax/conventional_cuda")->Apply(shapes);
BENCHMARK(BM_det_cuda<Op::causal_softmax_backward>)->Name("causal_softmax_backward/det_cuda")->Apply(shapes);
BENCHMARK(BM_conventional<Op::causal_softmax_backward>)->Name("causal_softmax_backward/conventional_cuda")->Apply(shapes);
BENCHMARK(BM_det_cuda<Op::rms_norm_backward>)->Name("rms_norm_backward/det_cuda")->Apply(shapes);
BENCHMARK(BM_conventional<Op::rms_norm_backward>)->Name("rms_norm_backward/conventional_cuda")->Apply(shapes);

}  // namespace
