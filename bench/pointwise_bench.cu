// Elementwise training ops on a CUDA device, detnum's kernels beside the conventional ones
// (conventional_cuda.hpp: CUDA's erff, expf and sqrtf, one thread per element):
//
//   gelu/det_cuda/N, gelu/conventional_cuda/N                      y = GELU(x)
//   gelu_backward/det_cuda/N, gelu_backward/conventional_cuda/N    dx = dy GELU'(x)
//   gelu_tanh/det_cuda/N, gelu_tanh/conventional_cuda/N            y = GELU's tanh form (CUDA's tanhf)
//   gelu_tanh_backward/det_cuda/N, gelu_tanh_backward/conventional_cuda/N   its gradient
//   silu/det_cuda/N, silu/conventional_cuda/N                      y = x / (1 + exp(-x))
//   silu_backward/det_cuda/N, silu_backward/conventional_cuda/N    dx = dy SiLU'(x)
//   sigmoid/det_cuda/N, sigmoid/conventional_cuda/N                y = 1 / (1 + exp(-x))
//   sigmoid_backward/det_cuda/N, sigmoid_backward/conventional_cuda/N   dx = (dy (1 - y)) y
//   tanh/det_cuda/N, tanh/conventional_cuda/N                      y = tanh(x)
//   tanh_backward/det_cuda/N, tanh_backward/conventional_cuda/N    dx = dy (1 - y y)
//   relu/det_cuda/N, relu/conventional_cuda/N                      y = max(x, 0) (fmaxf)
//   relu_backward/det_cuda/N, relu_backward/conventional_cuda/N    dx = x > 0 ? dy : 0
//   bias_add/det_cuda/R/C, bias_add/conventional_cuda/R/C          y[r][c] = x[r][c] + bias[c]; the
//                                   conventional kernel adds in place (x += bias, a copy of x)
//   adamw/det_cuda/N, adamw/conventional_cuda/N                    one AdamW update of N parameters
//   sgd/det_cuda/N, sgd/conventional_cuda/N                        one SGD update with momentum (20N bytes)
//   mse_loss/det_cuda/N, mse_loss/conventional_cuda/N              the mean squared error (a mean) and
//                                   its gradient (12N bytes); the conventional one adds the mean
//                                   by float atomics, a warp at a time
//   bce_with_logits/det_cuda/N, bce_with_logits/conventional_cuda/N   the binary cross-entropy of
//                                   logits (a mean) and its gradient, the same way (expf, log1pf)
//   clip_grad_norm/det_cuda/L, clip_grad_norm/conventional_cuda/L  gradient clipping of L layers of
//                                   GPT-2 small's gradients (clip_model.hpp, 12 tensors a layer);
//                                   the conventional one sums all squares with float atomics, in
//                                   two launches per 128 tensors (conventional_cuda.hpp)
//
// bytes_per_second counts the bytes read and written: 8N for the forward activations and
// bias_add (the bias itself aside), 12N for their backward passes (x stands in for the forward's
// output y where a backward pass takes y), 28N for adamw (param, grad, m, v in;
// param, m, v out). Before timing, at 2^20 (bias_add: 4096 x 1024), det_cuda's output is filled
// with NaN (adamw's aside: it updates its parameters in place), written by one call and compared
// with detnum::ref on a host copy (bits); clip_grad_norm's N and gradients likewise, at L = 2
// (12N bytes: the norms read the gradients, the scale reads and writes them). Without a device
// every benchmark skips.
#include <benchmark/benchmark.h>

#include <cuda_runtime.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "clip_model.hpp"
#include "conventional_cuda.hpp"
#include "detnum/clip.hpp"
#include "detnum/cuda/clip.hpp"
#include "detnum/cuda/loss.hpp"
#include "detnum/adamw.hpp"
#include "detnum/loss.hpp"
#include "detnum/cuda/adamw.hpp"
#include "detnum/cuda/pointwise.hpp"
#include "detnum/pointwise.hpp"
#include "detnum/random.hpp"
#include "detnum/cuda/sgd.hpp"
#include "gpu_bench.hpp"

namespace {

using namespace detnum_bench::gpu;

enum class Op {
  gelu, gelu_backward, gelu_tanh, gelu_tanh_backward, silu, silu_backward, sigmoid, sigmoid_backward, tanh,
  tanh_backward, relu, relu_backward, bias_add, adamw, sgd
};

constexpr std::int64_t kValidateAt = std::int64_t{1} << 20;
const detnum::AdamWParams kAdamW{1e-3f, 0.9f, 0.999f, 1e-8f, 1e-2f, 7};
const detnum::SgdParams kSgd{0.01f, 0.9f, 0.0f, 1e-4f, false, 7};
constexpr std::int64_t kValidateRows = 4096;  // bias_add's R at validation

// Inputs in [-4, 4) (gradients and moments scaled down, v kept positive), on the host and device,
// of n = rows x cols elements (rows = n, cols = 1 but for bias_add). bias_add's bias is dy's first
// row.
struct Inputs {
  std::int64_t n, rows, cols;
  std::vector<float> x, dy, m, v;
  DeviceBuffer<float> d_x, d_dy, d_m, d_v, out;
  Inputs(std::int64_t r, std::int64_t c)
      : n(r * c), rows(r), cols(c), x(values(n, 1, 8.0f)), dy(values(n, 2, 1.0f)), m(values(n, 3, 0.1f)),
        v(values(n, 4, 0.01f)), d_x(n), d_dy(n), d_m(n), d_v(n), out(n) {
    for (float& e : v) e = e < 0.0f ? -e : e;
    upload(d_x, x);
    upload(d_dy, dy);
    upload(d_m, m);
    upload(d_v, v);
  }
  static std::vector<float> values(std::int64_t count, std::uint64_t stream, float width) {
    std::vector<float> h(static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < h.size(); ++i)
      h[i] = (detnum::uniform_float(detnum::stream_word(11, stream, i)) - 0.5f) * width;
    return h;
  }
  static void upload(const DeviceBuffer<float>& d, const std::vector<float>& h) {
    BENCH_CHECK(cudaMemcpy(d.get(), h.data(), h.size() * sizeof(float), cudaMemcpyHostToDevice));
  }
};

std::int64_t bytes_per_element(Op op) {
  switch (op) {
    case Op::gelu_backward:
    case Op::gelu_tanh_backward:
    case Op::silu_backward:
    case Op::sigmoid_backward:
    case Op::tanh_backward:
    case Op::relu_backward: return 12;
    case Op::adamw: return 28;
    case Op::sgd: return 20;
    default: return 8;
  }
}

// The reference's output for det_cuda's first call: y, dx, or the updated parameters.
std::vector<float> reference(Op op, const Inputs& in) {
  std::vector<float> want(static_cast<std::size_t>(in.n));
  if (op == Op::gelu) detnum::ref::gelu(in.x.data(), want.data(), in.n);
  else if (op == Op::gelu_backward) detnum::ref::gelu_backward(in.x.data(), in.dy.data(), want.data(), in.n);
  else if (op == Op::gelu_tanh) detnum::ref::gelu_tanh(in.x.data(), want.data(), in.n);
  else if (op == Op::gelu_tanh_backward) detnum::ref::gelu_tanh_backward(in.x.data(), in.dy.data(), want.data(), in.n);
  else if (op == Op::silu) detnum::ref::silu(in.x.data(), want.data(), in.n);
  else if (op == Op::silu_backward) detnum::ref::silu_backward(in.x.data(), in.dy.data(), want.data(), in.n);
  else if (op == Op::sigmoid) detnum::ref::sigmoid(in.x.data(), want.data(), in.n);
  else if (op == Op::sigmoid_backward) detnum::ref::sigmoid_backward(in.x.data(), in.dy.data(), want.data(), in.n);
  else if (op == Op::tanh) detnum::ref::tanh(in.x.data(), want.data(), in.n);
  else if (op == Op::tanh_backward) detnum::ref::tanh_backward(in.x.data(), in.dy.data(), want.data(), in.n);
  else if (op == Op::relu) detnum::ref::relu(in.x.data(), want.data(), in.n);
  else if (op == Op::relu_backward) detnum::ref::relu_backward(in.x.data(), in.dy.data(), want.data(), in.n);
  else if (op == Op::bias_add) detnum::ref::bias_add(in.x.data(), in.dy.data(), want.data(), in.rows, in.cols);
  else if (op == Op::sgd) {
    want = in.x;
    std::vector<float> b = in.m;
    detnum::ref::sgd_step(want.data(), in.dy.data(), b.data(), in.n, kSgd);
  } else {
    want = in.x;
    std::vector<float> m = in.m, v = in.v;
    detnum::ref::adamw_step(want.data(), in.dy.data(), m.data(), v.data(), in.n, kAdamW);
  }
  return want;
}

template <Op kOp, bool kDet>
void BM_pointwise(benchmark::State& state) {
  guarded(state, [&] {
    Inputs in(state.range(0), kOp == Op::bias_add ? state.range(1) : 1);
    Stream stream;
    // AdamW updates `out` (the parameters, a copy of x) and the moments in place, call after call;
    // so does the conventional bias add (`out` += bias).
    if constexpr (kOp == Op::adamw || kOp == Op::sgd || (kOp == Op::bias_add && !kDet))
      BENCH_CHECK(cudaMemcpy(in.out.get(), in.d_x.get(), in.n * sizeof(float), cudaMemcpyDeviceToDevice));
    const auto launch = [&] {
      namespace conventional = detnum_bench::conventional;
      if constexpr (kOp == Op::gelu) {
        if constexpr (kDet) detnum::cuda::gelu(in.d_x.get(), in.out.get(), in.n, stream.get());
        else conventional::gelu(in.d_x.get(), in.out.get(), in.n, stream.get());
      } else if constexpr (kOp == Op::gelu_backward) {
        if constexpr (kDet) detnum::cuda::gelu_backward(in.d_x.get(), in.d_dy.get(), in.out.get(), in.n, stream.get());
        else conventional::gelu_backward(in.d_x.get(), in.d_dy.get(), in.out.get(), in.n, stream.get());
      } else if constexpr (kOp == Op::gelu_tanh) {
        if constexpr (kDet) detnum::cuda::gelu_tanh(in.d_x.get(), in.out.get(), in.n, stream.get());
        else conventional::gelu_tanh(in.d_x.get(), in.out.get(), in.n, stream.get());
      } else if constexpr (kOp == Op::gelu_tanh_backward) {
        if constexpr (kDet)
          detnum::cuda::gelu_tanh_backward(in.d_x.get(), in.d_dy.get(), in.out.get(), in.n, stream.get());
        else conventional::gelu_tanh_backward(in.d_x.get(), in.d_dy.get(), in.out.get(), in.n, stream.get());
      } else if constexpr (kOp == Op::sigmoid) {
        if constexpr (kDet) detnum::cuda::sigmoid(in.d_x.get(), in.out.get(), in.n, stream.get());
        else conventional::sigmoid(in.d_x.get(), in.out.get(), in.n, stream.get());
      } else if constexpr (kOp == Op::sigmoid_backward) {
        if constexpr (kDet) detnum::cuda::sigmoid_backward(in.d_x.get(), in.d_dy.get(), in.out.get(), in.n, stream.get());
        else conventional::sigmoid_backward(in.d_x.get(), in.d_dy.get(), in.out.get(), in.n, stream.get());
      } else if constexpr (kOp == Op::tanh) {
        if constexpr (kDet) detnum::cuda::tanh(in.d_x.get(), in.out.get(), in.n, stream.get());
        else conventional::tanh(in.d_x.get(), in.out.get(), in.n, stream.get());
      } else if constexpr (kOp == Op::tanh_backward) {
        if constexpr (kDet) detnum::cuda::tanh_backward(in.d_x.get(), in.d_dy.get(), in.out.get(), in.n, stream.get());
        else conventional::tanh_backward(in.d_x.get(), in.d_dy.get(), in.out.get(), in.n, stream.get());
      } else if constexpr (kOp == Op::silu) {
        if constexpr (kDet) detnum::cuda::silu(in.d_x.get(), in.out.get(), in.n, stream.get());
        else conventional::silu(in.d_x.get(), in.out.get(), in.n, stream.get());
      } else if constexpr (kOp == Op::silu_backward) {
        if constexpr (kDet) detnum::cuda::silu_backward(in.d_x.get(), in.d_dy.get(), in.out.get(), in.n, stream.get());
        else conventional::silu_backward(in.d_x.get(), in.d_dy.get(), in.out.get(), in.n, stream.get());
      } else if constexpr (kOp == Op::relu) {
        if constexpr (kDet) detnum::cuda::relu(in.d_x.get(), in.out.get(), in.n, stream.get());
        else conventional::relu(in.d_x.get(), in.out.get(), in.n, stream.get());
      } else if constexpr (kOp == Op::relu_backward) {
        if constexpr (kDet) detnum::cuda::relu_backward(in.d_x.get(), in.d_dy.get(), in.out.get(), in.n, stream.get());
        else conventional::relu_backward(in.d_x.get(), in.d_dy.get(), in.out.get(), in.n, stream.get());
      } else if constexpr (kOp == Op::bias_add) {
        if constexpr (kDet)
          detnum::cuda::bias_add(in.d_x.get(), in.d_dy.get(), in.out.get(), in.rows, in.cols, stream.get());
        else conventional::bias_add(in.out.get(), in.d_dy.get(), in.rows, in.cols, stream.get());
      } else if constexpr (kOp == Op::sgd) {
        if constexpr (kDet)
          detnum::cuda::sgd_step(in.out.get(), in.d_dy.get(), in.d_m.get(), in.n, kSgd, stream.get());
        else
          conventional::sgd(in.out.get(), in.d_dy.get(), in.d_m.get(), in.n, kSgd.lr, kSgd.momentum, kSgd.dampening,
                            kSgd.weight_decay, stream.get());
      } else {
        if constexpr (kDet)
          detnum::cuda::adamw_step(in.out.get(), in.d_dy.get(), in.d_m.get(), in.d_v.get(), in.n, kAdamW, stream.get());
        else
          conventional::adamw(in.out.get(), in.d_dy.get(), in.d_m.get(), in.d_v.get(), in.n, kAdamW.lr, kAdamW.beta1,
                              kAdamW.beta2, kAdamW.eps, kAdamW.weight_decay, kAdamW.step, stream.get());
      }
    };
    const bool validate = kOp == Op::bias_add ? in.rows == kValidateRows : in.n == kValidateAt;
    if (kDet && validate) {  // validate before timing: the CPU reference defines the answer
      if constexpr (kOp != Op::adamw && kOp != Op::sgd)  // 0xFFFFFFFF: a NaN, so an element left unwritten shows
        BENCH_CHECK(cudaMemset(in.out.get(), 0xFF, static_cast<std::size_t>(in.n) * sizeof(float)));
      launch();
      BENCH_CHECK(cudaStreamSynchronize(stream.get()));
      const std::vector<float> want = reference(kOp, in), got = in.out.to_host();
      if (std::memcmp(want.data(), got.data(), want.size() * sizeof(float)) != 0)
        return state.SkipWithError("det_cuda differs from detnum::ref");
    }
    time_calls(state, stream.get(), in.n, bytes_per_element(kOp) * in.n, launch);
  });
}

void sizes(benchmark::internal::Benchmark* b) {
  b->Arg(kValidateAt)->Arg(std::int64_t{1} << 24);
  b->UseManualTime()->Unit(benchmark::kMicrosecond)->MinTime(0.05);
}
// The row ops' shapes (nn_rows_bench.cu): activations of 4096 or 16384 tokens.
void rows(benchmark::internal::Benchmark* b) {
  b->Args({kValidateRows, 1024})->Args({16384, 4096});
  b->UseManualTime()->Unit(benchmark::kMicrosecond)->MinTime(0.05);
}

// x and target the inputs' x and dy; the caller's workspace for detnum, sized once.
template <bool kBce, bool kDet>
void BM_loss(benchmark::State& state) {
  guarded(state, [&] {
    Inputs in(state.range(0), 1);
    Stream stream;
    DeviceBuffer<float> loss(1);
    const std::size_t bytes = detnum::cuda::loss_workspace_bytes(in.n);
    DeviceBuffer<unsigned char> ws(kDet ? bytes : 0);
    namespace conventional = detnum_bench::conventional;
    const auto launch = [&] {
      const detnum::cuda::Workspace w{ws.get(), bytes};
      constexpr auto kMean = detnum::LossReduction::mean;
      if constexpr (kDet && kBce)
        detnum::cuda::binary_cross_entropy_with_logits(in.d_x.get(), in.d_dy.get(), in.n, kMean, loss.get(),
                                                       in.out.get(), stream.get(), w);
      else if constexpr (kDet)
        detnum::cuda::mse_loss(in.d_x.get(), in.d_dy.get(), in.n, kMean, loss.get(), in.out.get(), stream.get(), w);
      else if constexpr (kBce)
        conventional::bce_with_logits(in.d_x.get(), in.d_dy.get(), in.n, loss.get(), in.out.get(), stream.get());
      else
        conventional::mse_loss(in.d_x.get(), in.d_dy.get(), in.n, loss.get(), in.out.get(), stream.get());
    };
    if (kDet && in.n == kValidateAt) {
      BENCH_CHECK(cudaMemset(in.out.get(), 0xFF, static_cast<std::size_t>(in.n) * sizeof(float)));
      launch();
      BENCH_CHECK(cudaStreamSynchronize(stream.get()));
      std::vector<float> want(static_cast<std::size_t>(in.n));
      float want_loss = 0.0f;
      if constexpr (kBce)
        detnum::ref::binary_cross_entropy_with_logits(in.x.data(), in.dy.data(), in.n, detnum::LossReduction::mean,
                                                      &want_loss, want.data());
      else
        detnum::ref::mse_loss(in.x.data(), in.dy.data(), in.n, detnum::LossReduction::mean, &want_loss, want.data());
      const std::vector<float> got = in.out.to_host(), got_loss = loss.to_host();
      if (std::memcmp(want.data(), got.data(), want.size() * sizeof(float)) != 0 ||
          std::memcmp(&want_loss, got_loss.data(), sizeof want_loss) != 0)
        return state.SkipWithError("det_cuda differs from detnum::ref");
    }
    time_calls(state, stream.get(), in.n, 12 * in.n, launch);
  });
}

// L layers' gradients in one device allocation, tensor after tensor.
template <bool kDet>
void BM_clip(benchmark::State& state) {
  guarded(state, [&] {
    const std::vector<std::int64_t> sizes = detnum_bench::clip_model_sizes(state.range(0));
    std::int64_t total = 0;
    for (const std::int64_t n : sizes) total += n;
    const std::vector<float> host = Inputs::values(total, 5, 0.02f);
    DeviceBuffer<float> all(total), norm(1);
    Inputs::upload(all, host);
    std::vector<detnum::GradTensor> list;
    std::vector<float*> data;
    std::int64_t at = 0;
    for (const std::int64_t n : sizes) {
      list.push_back({all.get() + at, n});
      data.push_back(all.get() + at);
      at += n;
    }
    Stream stream;
    const std::size_t ws_bytes = detnum::cuda::clip_grad_norm_workspace_bytes(list);
    DeviceBuffer<unsigned char> ws(static_cast<std::int64_t>(ws_bytes));
    const auto launch = [&] {
      if constexpr (kDet)
        detnum::cuda::clip_grad_norm(list, detnum_bench::kClipMaxNorm, norm.get(), stream.get(), {ws.get(), ws_bytes});
      else
        detnum_bench::conventional::clip_grad_norm(data.data(), sizes.data(), static_cast<int>(sizes.size()),
                                                   detnum_bench::kClipMaxNorm, norm.get(), stream.get());
    };
    if (kDet && state.range(0) == 2) {  // validate before timing: N, and the gradients (c = 1)
      launch();
      BENCH_CHECK(cudaStreamSynchronize(stream.get()));
      std::vector<float> want = host;
      std::vector<detnum::GradTensor> host_list;
      at = 0;
      for (const std::int64_t n : sizes) {
        host_list.push_back({want.data() + at, n});
        at += n;
      }
      const float want_norm = detnum::ref::clip_grad_norm(host_list, detnum_bench::kClipMaxNorm);
      const std::vector<float> got = all.to_host(), got_norm = norm.to_host();
      if (std::memcmp(want.data(), got.data(), got.size() * sizeof(float)) != 0 ||
          std::memcmp(&want_norm, got_norm.data(), sizeof want_norm) != 0)
        return state.SkipWithError("det_cuda differs from detnum::ref");
    }
    time_calls(state, stream.get(), total, 12 * total, launch);
  });
}

void layers(benchmark::internal::Benchmark* b) {
  b->Arg(2)->Arg(12)->UseManualTime()->Unit(benchmark::kMicrosecond)->MinTime(0.05);
}

BENCHMARK(BM_pointwise<Op::silu, true>)->Name("silu/det_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::silu, false>)->Name("silu/conventional_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::silu_backward, true>)->Name("silu_backward/det_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::silu_backward, false>)->Name("silu_backward/conventional_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::gelu_tanh, true>)->Name("gelu_tanh/det_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::gelu_tanh, false>)->Name("gelu_tanh/conventional_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::gelu_tanh_backward, true>)->Name("gelu_tanh_backward/det_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::gelu_tanh_backward, false>)->Name("gelu_tanh_backward/conventional_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::sigmoid, true>)->Name("sigmoid/det_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::sigmoid, false>)->Name("sigmoid/conventional_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::sigmoid_backward, true>)->Name("sigmoid_backward/det_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::sigmoid_backward, false>)->Name("sigmoid_backward/conventional_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::tanh, true>)->Name("tanh/det_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::tanh, false>)->Name("tanh/conventional_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::tanh_backward, true>)->Name("tanh_backward/det_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::tanh_backward, false>)->Name("tanh_backward/conventional_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::gelu, true>)->Name("gelu/det_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::gelu, false>)->Name("gelu/conventional_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::gelu_backward, true>)->Name("gelu_backward/det_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::gelu_backward, false>)->Name("gelu_backward/conventional_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::relu, true>)->Name("relu/det_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::relu, false>)->Name("relu/conventional_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::relu_backward, true>)->Name("relu_backward/det_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::relu_backward, false>)->Name("relu_backward/conventional_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::bias_add, true>)->Name("bias_add/det_cuda")->Apply(rows);
BENCHMARK(BM_pointwise<Op::bias_add, false>)->Name("bias_add/conventional_cuda")->Apply(rows);
BENCHMARK(BM_pointwise<Op::adamw, true>)->Name("adamw/det_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::adamw, false>)->Name("adamw/conventional_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::sgd, true>)->Name("sgd/det_cuda")->Apply(sizes);
BENCHMARK(BM_pointwise<Op::sgd, false>)->Name("sgd/conventional_cuda")->Apply(sizes);
BENCHMARK(BM_loss<false, true>)->Name("mse_loss/det_cuda")->Apply(sizes);
BENCHMARK(BM_loss<false, false>)->Name("mse_loss/conventional_cuda")->Apply(sizes);
BENCHMARK(BM_loss<true, true>)->Name("bce_with_logits/det_cuda")->Apply(sizes);
BENCHMARK(BM_loss<true, false>)->Name("bce_with_logits/conventional_cuda")->Apply(sizes);
BENCHMARK(BM_clip<true>)->Name("clip_grad_norm/det_cuda")->Apply(layers);
BENCHMARK(BM_clip<false>)->Name("clip_grad_norm/conventional_cuda")->Apply(layers);

}  // namespace
