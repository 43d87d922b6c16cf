// Training ops on the CPU next to the plain loops a framework's CPU kernels amount to:
//
//   gelu/det_cpu/N/threads        detnum::gelu (math::erf: the same bits on every CPU and GPU)
//   gelu/libm/N/1                 0.5 x (1 + erff(x / sqrt 2)) with glibc's erff
//   gelu_backward/det_cpu/N/threads   detnum::gelu_backward
//   gelu_backward/libm/N/1        dy (0.5 (1 + erff(x / sqrt 2)) + x expf(-x^2 / 2) / sqrt(2 pi))
//   silu/det_cpu/N/threads        detnum::silu (math::exp)
//   silu/libm/N/1                 x / (1 + expf(-x)) with glibc's expf
//   silu_backward/det_cpu/N/threads   detnum::silu_backward
//   silu_backward/libm/N/1        (dy s)(1 + x (1 - s)), s = 1 / (1 + expf(-x))
//   gelu_tanh/det_cpu/N/threads, gelu_tanh/libm/N/1         0.5 x (1 + tanh(b (x + k x^3))), the peer
//                                 with glibc's tanhf (the peers of this block: plain loops built for AVX2)
//   gelu_tanh_backward/det_cpu/N/threads, gelu_tanh_backward/libm/N/1   PyTorch's derivative
//   sigmoid/det_cpu/N/threads, sigmoid/libm/N/1                 1 / (1 + expf(-x))
//   sigmoid_backward/det_cpu/N/threads, sigmoid_backward/loop/N/1   (dy (1 - y)) y
//   tanh/det_cpu/N/threads, tanh/libm/N/1                       tanhf
//   tanh_backward/det_cpu/N/threads, tanh_backward/loop/N/1     dy (1 - y y)
//   relu/det_cpu/N/threads, relu/loop/N/1                     y = max(x, 0); the loop x > 0 ? x : 0
//   relu_backward/det_cpu/N/threads, relu_backward/loop/N/1   dx = x > 0 ? dy : 0
//   bias_add/det_cpu/R/C/threads, bias_add/loop/R/C/1         y[r][c] = x[r][c] + bias[c] (the bias
//                                 gradient is column_sums, in axis_sums_bench.cpp)
//   adamw/det_cpu/N/threads       detnum::adamw_step
//   adamw/loop/N/1                the same update as a plain loop (sqrtf, bias corrections by pow), built for AVX2
//   mse_loss/det_cpu/N/threads   detnum::mse_loss, a mean with its gradient
//   mse_loss/loop/N/1             the same as a plain loop built for AVX2 (a running sum of the squares)
//   bce_with_logits/det_cpu/N/threads   detnum::binary_cross_entropy_with_logits, a mean with its gradient
//   bce_with_logits/libm/N/1      the same as a plain loop with glibc's expf and log1pf, built for AVX2
//   sgd/det_cpu/N/threads         detnum::sgd_step (momentum 0.9, weight decay 1e-4, a later step)
//   sgd/loop/N/1                  the same update as a plain loop, built for AVX2
//   init_normal/det_cpu/N/threads detnum::init_normal (Box-Muller on Philox words and detnum::math)
//   init_normal/mt19937/N/1       std::normal_distribution<float> on std::mt19937 (libstdc++)
//   init_uniform/det_cpu/N/threads    detnum::init_uniform on [-1, 1)
//   init_uniform/mt19937/N/1      std::uniform_real_distribution<float>(-1, 1) on std::mt19937
//   shuffle_indices/det_cpu/N/threads   detnum::shuffle_indices (each position's index on its own)
//   shuffle_indices/mt19937_64/N/1      std::iota, then std::shuffle with std::mt19937_64 (what
//                                       torch.randperm on the CPU and most samplers amount to)
//   embedding_forward/det_cpu/V/D/N/threads    detnum::embedding_forward (a row copy per id)
//   embedding_forward/gather/V/D/N/1           out[r] = table[ids[r]] as a plain loop
//   embedding_backward/det_cpu/V/D/N/threads   detnum::embedding_backward (fixed-order segment sums)
//   embedding_backward/scatter/V/D/N/1         zero the table, then add each row of dout into its
//                                              id's row in order (sequential: deterministic only
//                                              because it has one thread)
//   clip_grad_norm/det_cpu/L/threads   detnum::clip_grad_norm of L layers of GPT-2 small's
//                                      gradients (clip_model.hpp; 12 tensors, 7.1M floats a layer)
//   clip_grad_norm/eigen/L/1           the same with Eigen's norm() per tensor (float sums), the
//                                      norm of the norms, then each tensor scaled
//
// The relu, relu_backward and bias_add loops are built for AVX2, as detnum's loops are where the
// CPU has it (they skip on a CPU without it). Every det_cpu benchmark except adamw's (which
// updates its inputs) first fills its output with NaN, runs once and compares the output with
// detnum::ref (shuffle_indices: with detnum::shuffled_index, position by position) bit for bit.
// items_per_second counts elements (for the embedding, elements of dout or of the lookup's output).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <random>
#include <type_traits>
#include <vector>

#include "clip_model.hpp"
#include "detnum/adamw.hpp"
#include "detnum/clip.hpp"
#include "detnum/embedding.hpp"
#include "detnum/init.hpp"
#include "detnum/loss.hpp"
#include "detnum/pointwise.hpp"
#include "detnum/random.hpp"
#include "detnum/sgd.hpp"
#include "detnum/shuffle.hpp"

namespace detnum_bench {
bool eigen_clip_grad_norm(float* const* data, const std::int64_t* n, int count, float max_norm, float& total);
}  // namespace detnum_bench

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::vector<float> values(std::int64_t n, std::uint64_t seed, float scale) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    v[i] = scale * (detnum::uniform_float(detnum::stream_word(seed, 0xB3, static_cast<std::uint64_t>(i))) - 0.5f);
  return v;
}

// Whether a timed call's output has the reference's bits (each det benchmark checks once first).
template <class T>
bool same_bits(const std::vector<T>& got, const std::vector<T>& want) {
  return got.size() == want.size() && std::memcmp(got.data(), want.data(), want.size() * sizeof(T)) == 0;
}

// --- Elementwise ops: GELU, ReLU (forward and backward) and the bias add ------------------------

// Inputs and output of an elementwise op on rows x cols values (cols = 1 for the flat ops).
struct Elementwise {
  std::int64_t rows, cols, n;
  std::vector<float> x, dy, bias, out;
  Elementwise(std::int64_t r, std::int64_t c)
      : rows(r), cols(c), n(r * c), x(values(n, 1, 8.0f)), dy(values(n, 6, 2.0f)), bias(values(c, 8, 1.0f)),
        out(static_cast<std::size_t>(n)) {}
};

// Each op: kSizes leading arguments (N, or R and C; the thread count follows), detnum's call, its
// reference into `want`, and (where timed beside one) the plain loop.
struct Gelu {
  static constexpr int kSizes = 1;
  static void det(Elementwise& e, detnum::CpuOptions o) { detnum::gelu(e.x.data(), e.out.data(), e.n, o); }
  static void ref(const Elementwise& e, float* want) { detnum::ref::gelu(e.x.data(), want, e.n); }
};

struct GeluBackward {
  static constexpr int kSizes = 1;
  static void det(Elementwise& e, detnum::CpuOptions o) {
    detnum::gelu_backward(e.x.data(), e.dy.data(), e.out.data(), e.n, o);
  }
  static void ref(const Elementwise& e, float* want) { detnum::ref::gelu_backward(e.x.data(), e.dy.data(), want, e.n); }
};

struct Silu {
  static constexpr int kSizes = 1;
  static void det(Elementwise& e, detnum::CpuOptions o) { detnum::silu(e.x.data(), e.out.data(), e.n, o); }
  static void ref(const Elementwise& e, float* want) { detnum::ref::silu(e.x.data(), want, e.n); }
};

struct SiluBackward {
  static constexpr int kSizes = 1;
  static void det(Elementwise& e, detnum::CpuOptions o) {
    detnum::silu_backward(e.x.data(), e.dy.data(), e.out.data(), e.n, o);
  }
  static void ref(const Elementwise& e, float* want) { detnum::ref::silu_backward(e.x.data(), e.dy.data(), want, e.n); }
};

// GELU's tanh form, sigmoid and tanh; their peers are the formulas with glibc's tanhf and expf.
// (The backward passes of sigmoid and tanh take the forward's output: x stands in for it.)
constexpr float kBeta = 0.7978845608f, kKappa = 0.044715f;

struct GeluTanh {
  static constexpr int kSizes = 1;
  static void det(Elementwise& e, detnum::CpuOptions o) { detnum::gelu_tanh(e.x.data(), e.out.data(), e.n, o); }
  static void ref(const Elementwise& e, float* want) { detnum::ref::gelu_tanh(e.x.data(), want, e.n); }
  [[gnu::target("avx2")]] static void loop(Elementwise& e) {
    for (std::int64_t i = 0; i < e.n; ++i) {
      const float x = e.x[i];
      e.out[i] = 0.5f * x * (1.0f + std::tanh(kBeta * (x + kKappa * x * x * x)));
    }
  }
};

struct GeluTanhBackward {
  static constexpr int kSizes = 1;
  static void det(Elementwise& e, detnum::CpuOptions o) {
    detnum::gelu_tanh_backward(e.x.data(), e.dy.data(), e.out.data(), e.n, o);
  }
  static void ref(const Elementwise& e, float* want) {
    detnum::ref::gelu_tanh_backward(e.x.data(), e.dy.data(), want, e.n);
  }
  [[gnu::target("avx2")]] static void loop(Elementwise& e) {
    for (std::int64_t i = 0; i < e.n; ++i) {
      const float x = e.x[i], x2 = x * x, t = std::tanh(kBeta * (x + kKappa * x2 * x));
      const float right = 0.5f * x * (1.0f - t * t) * (kBeta * (1.0f + 3.0f * kKappa * x2));
      e.out[i] = e.dy[i] * (0.5f * (1.0f + t) + right);
    }
  }
};

struct Sigmoid {
  static constexpr int kSizes = 1;
  static void det(Elementwise& e, detnum::CpuOptions o) { detnum::sigmoid(e.x.data(), e.out.data(), e.n, o); }
  static void ref(const Elementwise& e, float* want) { detnum::ref::sigmoid(e.x.data(), want, e.n); }
  [[gnu::target("avx2")]] static void loop(Elementwise& e) {
    for (std::int64_t i = 0; i < e.n; ++i) e.out[i] = 1.0f / (1.0f + std::exp(-e.x[i]));
  }
};

struct SigmoidBackward {
  static constexpr int kSizes = 1;
  static void det(Elementwise& e, detnum::CpuOptions o) {
    detnum::sigmoid_backward(e.x.data(), e.dy.data(), e.out.data(), e.n, o);
  }
  static void ref(const Elementwise& e, float* want) { detnum::ref::sigmoid_backward(e.x.data(), e.dy.data(), want, e.n); }
  [[gnu::target("avx2")]] static void loop(Elementwise& e) {
    for (std::int64_t i = 0; i < e.n; ++i) e.out[i] = e.dy[i] * (1.0f - e.x[i]) * e.x[i];
  }
};

struct Tanh {
  static constexpr int kSizes = 1;
  static void det(Elementwise& e, detnum::CpuOptions o) { detnum::tanh(e.x.data(), e.out.data(), e.n, o); }
  static void ref(const Elementwise& e, float* want) { detnum::ref::tanh(e.x.data(), want, e.n); }
  [[gnu::target("avx2")]] static void loop(Elementwise& e) {
    for (std::int64_t i = 0; i < e.n; ++i) e.out[i] = std::tanh(e.x[i]);
  }
};

struct TanhBackward {
  static constexpr int kSizes = 1;
  static void det(Elementwise& e, detnum::CpuOptions o) {
    detnum::tanh_backward(e.x.data(), e.dy.data(), e.out.data(), e.n, o);
  }
  static void ref(const Elementwise& e, float* want) { detnum::ref::tanh_backward(e.x.data(), e.dy.data(), want, e.n); }
  [[gnu::target("avx2")]] static void loop(Elementwise& e) {
    for (std::int64_t i = 0; i < e.n; ++i) e.out[i] = e.dy[i] * (1.0f - e.x[i] * e.x[i]);
  }
};

struct Relu {
  static constexpr int kSizes = 1;
  static void det(Elementwise& e, detnum::CpuOptions o) { detnum::relu(e.x.data(), e.out.data(), e.n, o); }
  static void ref(const Elementwise& e, float* want) { detnum::ref::relu(e.x.data(), want, e.n); }
  [[gnu::target("avx2")]] static void loop(Elementwise& e) {
    for (std::int64_t i = 0; i < e.n; ++i) e.out[i] = e.x[i] > 0.0f ? e.x[i] : 0.0f;
  }
};

struct ReluBackward {
  static constexpr int kSizes = 1;
  static void det(Elementwise& e, detnum::CpuOptions o) {
    detnum::relu_backward(e.x.data(), e.dy.data(), e.out.data(), e.n, o);
  }
  static void ref(const Elementwise& e, float* want) { detnum::ref::relu_backward(e.x.data(), e.dy.data(), want, e.n); }
  [[gnu::target("avx2")]] static void loop(Elementwise& e) {
    for (std::int64_t i = 0; i < e.n; ++i) {
      const float g = e.dy[i];  // loaded unconditionally, so that the select vectorizes (no branch)
      e.out[i] = e.x[i] > 0.0f ? g : 0.0f;
    }
  }
};

struct BiasAdd {
  static constexpr int kSizes = 2;
  static void det(Elementwise& e, detnum::CpuOptions o) {
    detnum::bias_add(e.x.data(), e.bias.data(), e.out.data(), e.rows, e.cols, o);
  }
  static void ref(const Elementwise& e, float* want) {
    detnum::ref::bias_add(e.x.data(), e.bias.data(), want, e.rows, e.cols);
  }
  [[gnu::target("avx2")]] static void loop(Elementwise& e) {
    for (std::int64_t r = 0; r < e.rows; ++r)
      for (std::int64_t c = 0; c < e.cols; ++c) e.out[r * e.cols + c] = e.x[r * e.cols + c] + e.bias[c];
  }
};

template <class Op>
Elementwise elementwise(const benchmark::State& state) {
  return Op::kSizes == 2 ? Elementwise(state.range(0), state.range(1)) : Elementwise(state.range(0), 1);
}

template <class Op>
void BM_elementwise_det(benchmark::State& state) {
  Elementwise e = elementwise<Op>(state);
  const detnum::CpuOptions options{static_cast<int>(state.range(Op::kSizes))};
  std::vector<float> want(e.out.size());
  Op::ref(e, want.data());
  std::fill(e.out.begin(), e.out.end(), kNaN);  // an output left unwritten shows
  Op::det(e, options);
  if (!same_bits(e.out, want)) return state.SkipWithError("det_cpu differs from detnum::ref");
  for (auto _ : state) {
    Op::det(e, options);
    benchmark::DoNotOptimize(e.out.data());
  }
  state.SetItemsProcessed(state.iterations() * e.n);
}

template <class Op>
void BM_elementwise_loop(benchmark::State& state) {
  if (!__builtin_cpu_supports("avx2")) return state.SkipWithError("the plain loops are built for AVX2, which this CPU lacks");
  Elementwise e = elementwise<Op>(state);
  for (auto _ : state) {
    Op::loop(e);
    benchmark::DoNotOptimize(e.out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * e.n);
}

void BM_gelu_libm(benchmark::State& state) {
  const std::vector<float> x = values(state.range(0), 1, 8.0f);
  std::vector<float> y(x.size());
  for (auto _ : state) {
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * 0.70710678f));
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_gelu_backward_libm(benchmark::State& state) {
  const std::vector<float> x = values(state.range(0), 1, 8.0f), dy = values(state.range(0), 6, 2.0f);
  std::vector<float> dx(x.size());
  for (auto _ : state) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      const float cdf = 0.5f * (1.0f + std::erf(x[i] * 0.70710678f));
      const float pdf = std::exp(-0.5f * x[i] * x[i]) * 0.39894228f;
      dx[i] = dy[i] * (cdf + x[i] * pdf);
    }
    benchmark::DoNotOptimize(dx.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_silu_libm(benchmark::State& state) {
  const std::vector<float> x = values(state.range(0), 1, 8.0f);
  std::vector<float> y(x.size());
  for (auto _ : state) {
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[i] / (1.0f + std::exp(-x[i]));
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_silu_backward_libm(benchmark::State& state) {
  const std::vector<float> x = values(state.range(0), 1, 8.0f), dy = values(state.range(0), 6, 2.0f);
  std::vector<float> dx(x.size());
  for (auto _ : state) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      const float s = 1.0f / (1.0f + std::exp(-x[i]));
      dx[i] = dy[i] * s * (1.0f + x[i] * (1.0f - s));
    }
    benchmark::DoNotOptimize(dx.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// --- AdamW ----------------------------------------------------------------------------------------
constexpr detnum::AdamWParams kAdamW{1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 10};

void BM_adamw_det(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  std::vector<float> p = values(n, 2, 1.0f), g = values(n, 3, 1.0f), m(p.size()), v(p.size());
  for (auto _ : state) detnum::adamw_step(p.data(), g.data(), m.data(), v.data(), n, kAdamW, {static_cast<int>(state.range(1))});
  state.SetItemsProcessed(state.iterations() * n);
}

// Compiled for AVX2 like detnum's loop on this machine (a framework's CPU kernels are built per ISA too).
[[gnu::target("avx2")]] void adamw_loop(float* p, const float* g, float* m, float* v, std::int64_t n) {
  const detnum::AdamWParams& a = kAdamW;
  const float bc1 = 1.0f - std::pow(a.beta1, static_cast<float>(a.step));
  const float bc2 = 1.0f - std::pow(a.beta2, static_cast<float>(a.step));
  for (std::int64_t i = 0; i < n; ++i) {
    p[i] *= 1.0f - a.lr * a.weight_decay;
    m[i] = a.beta1 * m[i] + (1.0f - a.beta1) * g[i];
    v[i] = a.beta2 * v[i] + (1.0f - a.beta2) * g[i] * g[i];
    p[i] -= a.lr / bc1 * m[i] / (std::sqrt(v[i]) / std::sqrt(bc2) + a.eps);
  }
}

void BM_adamw_loop(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  std::vector<float> p = values(n, 2, 1.0f), g = values(n, 3, 1.0f), m(p.size()), v(p.size());
  for (auto _ : state) {
    adamw_loop(p.data(), g.data(), m.data(), v.data(), n);
    benchmark::DoNotOptimize(p.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}

// --- SGD ------------------------------------------------------------------------------------------
// Momentum with weight decay at a later step (the buffer exists): torch.optim.SGD's usual setting.
constexpr detnum::SgdParams kSgd{0.01f, 0.9f, 0.0f, 1e-4f, false, 10};

void BM_sgd_det(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  std::vector<float> p = values(n, 2, 1.0f), g = values(n, 3, 1.0f), b(p.size());
  for (auto _ : state) detnum::sgd_step(p.data(), g.data(), b.data(), n, kSgd, {static_cast<int>(state.range(1))});
  state.SetItemsProcessed(state.iterations() * n);
}

[[gnu::target("avx2")]] void sgd_loop(float* p, const float* g, float* b, std::int64_t n) {
  const detnum::SgdParams& a = kSgd;
  for (std::int64_t i = 0; i < n; ++i) {
    const float d = g[i] + a.weight_decay * p[i];
    b[i] = a.momentum * b[i] + (1.0f - a.dampening) * d;
    p[i] -= a.lr * b[i];
  }
}

void BM_sgd_loop(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  std::vector<float> p = values(n, 2, 1.0f), g = values(n, 3, 1.0f), b(p.size());
  for (auto _ : state) {
    sgd_loop(p.data(), g.data(), b.data(), n);
    benchmark::DoNotOptimize(p.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}

// --- The mean squared error -------------------------------------------------------------------

// Each loss: detnum's call (options bound or not: the reference), the plain loop, and its
// inputs' widths (x, then the target).
struct Mse {
  static constexpr float kWidths[2] = {4.0f, 4.0f};
  static void det(const float* x, const float* t, std::int64_t n, float* loss, float* dx, detnum::CpuOptions o) {
    detnum::mse_loss(x, t, n, detnum::LossReduction::mean, loss, dx, o);
  }
  static void ref(const float* x, const float* t, std::int64_t n, float* loss, float* dx) {
    detnum::ref::mse_loss(x, t, n, detnum::LossReduction::mean, loss, dx);
  }
  [[gnu::target("avx2")]] static float loop(const float* x, const float* t, float* dx, std::int64_t n) {
    float s = 0.0f;
    const float factor = 2.0f / static_cast<float>(n);
    for (std::int64_t i = 0; i < n; ++i) {
      const float d = x[i] - t[i];
      s += d * d;
      dx[i] = d * factor;
    }
    return s / static_cast<float>(n);
  }
};

struct BceWithLogits {
  static constexpr float kWidths[2] = {8.0f, 1.0f};
  static void det(const float* x, const float* t, std::int64_t n, float* loss, float* dx, detnum::CpuOptions o) {
    detnum::binary_cross_entropy_with_logits(x, t, n, detnum::LossReduction::mean, loss, dx, o);
  }
  static void ref(const float* x, const float* t, std::int64_t n, float* loss, float* dx) {
    detnum::ref::binary_cross_entropy_with_logits(x, t, n, detnum::LossReduction::mean, loss, dx);
  }
  [[gnu::target("avx2")]] static float loop(const float* x, const float* t, float* dx, std::int64_t n) {
    float s = 0.0f;
    const float inv_n = 1.0f / static_cast<float>(n);
    for (std::int64_t i = 0; i < n; ++i) {
      const float e = std::exp(-std::fabs(x[i]));
      s += (1.0f - t[i]) * x[i] - std::min(x[i], 0.0f) + std::log1p(e);
      const float sig = x[i] >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
      dx[i] = (sig - t[i]) * inv_n;
    }
    return s * inv_n;
  }
};

template <class Loss>
void BM_loss_det(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const std::vector<float> x = values(n, 2, Loss::kWidths[0]), t = values(n, 3, Loss::kWidths[1]);
  std::vector<float> dx(x.size()), want_dx(x.size());
  float loss = 0.0f, want = 0.0f;
  const detnum::CpuOptions o{static_cast<int>(state.range(1))};
  Loss::ref(x.data(), t.data(), n, &want, want_dx.data());
  Loss::det(x.data(), t.data(), n, &loss, dx.data(), o);
  if (!same_bits(dx, want_dx) || std::memcmp(&loss, &want, sizeof loss) != 0)
    return state.SkipWithError("det_cpu differs from detnum::ref");
  for (auto _ : state) {
    Loss::det(x.data(), t.data(), n, &loss, dx.data(), o);
    benchmark::DoNotOptimize(loss);
  }
  state.SetItemsProcessed(state.iterations() * n);
}

template <class Loss>
void BM_loss_loop(benchmark::State& state) {
  if (!__builtin_cpu_supports("avx2")) return state.SkipWithError("the plain loops are built for AVX2, which this CPU lacks");
  const std::int64_t n = state.range(0);
  const std::vector<float> x = values(n, 2, Loss::kWidths[0]), t = values(n, 3, Loss::kWidths[1]);
  std::vector<float> dx(x.size());
  for (auto _ : state) {
    benchmark::DoNotOptimize(Loss::loop(x.data(), t.data(), dx.data(), n));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * n);
}

// --- Gradient clipping ---------------------------------------------------------------------------

// L layers' gradients (clip_model.hpp) in one allocation each, and the list over them.
struct ClipModel {
  std::vector<std::vector<float>> g;
  std::vector<detnum::GradTensor> list;
  std::vector<float*> data;
  std::vector<std::int64_t> n;
  std::int64_t total = 0;
  explicit ClipModel(std::int64_t layers) {
    for (const std::int64_t size : detnum_bench::clip_model_sizes(layers))
      g.push_back(values(size, 10 + g.size(), 0.01f));
    for (auto& v : g) {
      list.push_back({v.data(), static_cast<std::int64_t>(v.size())});
      data.push_back(v.data());
      n.push_back(static_cast<std::int64_t>(v.size()));
      total += n.back();
    }
  }
};

void BM_clip_det(benchmark::State& state) {
  ClipModel m(state.range(0));
  const detnum::CpuOptions o{static_cast<int>(state.range(1))};
  {  // before timing: the reference's N and (unchanged, c = 1) gradients
    ClipModel want(state.range(0));
    const float want_norm = detnum::ref::clip_grad_norm(want.list, detnum_bench::kClipMaxNorm);
    const float got_norm = detnum::clip_grad_norm(m.list, detnum_bench::kClipMaxNorm, o);
    bool same = std::memcmp(&want_norm, &got_norm, sizeof got_norm) == 0;
    for (std::size_t t = 0; t < m.g.size(); ++t)
      same = same && std::memcmp(want.g[t].data(), m.g[t].data(), m.g[t].size() * sizeof(float)) == 0;
    if (!same) return state.SkipWithError("det_cpu differs from detnum::ref");
  }
  for (auto _ : state) benchmark::DoNotOptimize(detnum::clip_grad_norm(m.list, detnum_bench::kClipMaxNorm, o));
  state.SetItemsProcessed(state.iterations() * m.total);
}

void BM_clip_eigen(benchmark::State& state) {
  ClipModel m(state.range(0));
  float total = 0.0f;
  if (!detnum_bench::eigen_clip_grad_norm(m.data.data(), m.n.data(), static_cast<int>(m.n.size()),
                                          detnum_bench::kClipMaxNorm, total))
    return state.SkipWithError("needs AVX2 and FMA");
  for (auto _ : state) {
    detnum_bench::eigen_clip_grad_norm(m.data.data(), m.n.data(), static_cast<int>(m.n.size()),
                                       detnum_bench::kClipMaxNorm, total);
    benchmark::DoNotOptimize(total);
  }
  state.SetItemsProcessed(state.iterations() * m.total);
}

// --- The embedding -------------------------------------------------------------------------------

// V x D, N Zipf-like ids. dout (N x D) is the gradient's input and the lookup's output; table
// (V x D) the gradient's output and, filled when `forward`, the lookup's input.
struct Embedding {
  std::int64_t vocab, dim, n;
  std::vector<std::int32_t> ids;
  std::vector<float> dout, table;
  Embedding(const benchmark::State& s, bool forward)
      : vocab(s.range(0)), dim(s.range(1)), n(s.range(2)), ids(static_cast<std::size_t>(n)), dout(values(n * dim, 4, 1.0f)),
        table(static_cast<std::size_t>(vocab * dim)) {
    for (std::int64_t r = 0; r < n; ++r)  // frequent small ids, a long tail
      ids[r] = static_cast<std::int32_t>(std::pow(static_cast<double>(vocab),
                                                  detnum::uniform_float(detnum::stream_word(5, 0xB3, r)))) - 1;
    if (forward)  // any finite values do for a copy; cheaper than Philox words for 38M elements
      for (std::size_t i = 0; i < table.size(); ++i) table[i] = static_cast<float>(i % 2003) / 1001.0f - 1.0f;
  }
};

template <bool kForward>
void BM_embedding_det(benchmark::State& state) {
  Embedding e(state, kForward);
  const detnum::CpuOptions options{static_cast<int>(state.range(3))};
  std::vector<float>& out = kForward ? e.dout : e.table;
  const auto run = [&] {
    if constexpr (kForward)
      detnum::embedding_forward(e.table.data(), e.vocab, e.dim, e.ids.data(), e.n, e.dout.data(), options);
    else
      detnum::embedding_backward(e.ids.data(), e.n, e.dout.data(), e.vocab, e.dim, e.table.data(), options);
  };
  std::vector<float> want(out.size());
  if constexpr (kForward) detnum::ref::embedding_forward(e.table.data(), e.vocab, e.dim, e.ids.data(), e.n, want.data());
  else detnum::ref::embedding_backward(e.ids.data(), e.n, e.dout.data(), e.vocab, e.dim, want.data());
  std::fill(out.begin(), out.end(), kNaN);
  run();
  if (!same_bits(out, want)) return state.SkipWithError("det_cpu differs from detnum::ref");
  for (auto _ : state) {
    run();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * e.n * e.dim);
}

void BM_embedding_gather(benchmark::State& state) {
  Embedding e(state, true);
  for (auto _ : state) {
    for (std::int64_t r = 0; r < e.n; ++r)
      for (std::int64_t d = 0; d < e.dim; ++d) e.dout[r * e.dim + d] = e.table[e.ids[r] * e.dim + d];
    benchmark::DoNotOptimize(e.dout.data());
  }
  state.SetItemsProcessed(state.iterations() * e.n * e.dim);
}

void BM_embedding_scatter(benchmark::State& state) {
  Embedding e(state, false);
  for (auto _ : state) {
    std::fill(e.table.begin(), e.table.end(), 0.0f);
    for (std::int64_t r = 0; r < e.n; ++r)
      for (std::int64_t d = 0; d < e.dim; ++d) e.table[e.ids[r] * e.dim + d] += e.dout[r * e.dim + d];
    benchmark::DoNotOptimize(e.table.data());
  }
  state.SetItemsProcessed(state.iterations() * e.n * e.dim);
}

// --- Random fills and data order -------------------------------------------------------------------

constexpr detnum::InitParams kInit{7, 0};

// init_normal(0, 1) or init_uniform(-1, 1).
template <bool kNormal>
void BM_init_det(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const detnum::CpuOptions options{static_cast<int>(state.range(1))};
  std::vector<float> x(static_cast<std::size_t>(n), kNaN), want(x.size());
  const auto fill = [&](float* out) {
    if constexpr (kNormal) detnum::init_normal(out, n, 0.0f, 1.0f, kInit, options);
    else detnum::init_uniform(out, n, -1.0f, 1.0f, kInit, options);
  };
  if constexpr (kNormal) detnum::ref::init_normal(want.data(), n, 0.0f, 1.0f, kInit);
  else detnum::ref::init_uniform(want.data(), n, -1.0f, 1.0f, kInit);
  fill(x.data());
  if (!same_bits(x, want)) return state.SkipWithError("det_cpu differs from detnum::ref");
  for (auto _ : state) {
    fill(x.data());
    benchmark::DoNotOptimize(x.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}

// The same fills with libstdc++'s distributions on std::mt19937.
template <class Distribution>
void BM_init_mt19937(benchmark::State& state) {
  constexpr bool kNormal = std::is_same_v<Distribution, std::normal_distribution<float>>;
  std::vector<float> x(static_cast<std::size_t>(state.range(0)));
  std::mt19937 gen(7);
  Distribution dist(kNormal ? 0.0f : -1.0f, 1.0f);
  for (auto _ : state) {
    for (float& v : x) v = dist(gen);
    benchmark::DoNotOptimize(x.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

constexpr std::uint64_t kShuffleSeed = 7, kShuffleEpoch = 3;

void BM_shuffle_det(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const detnum::CpuOptions options{static_cast<int>(state.range(1))};
  std::vector<std::int64_t> out(static_cast<std::size_t>(n), -1), want(out.size());
  for (std::int64_t p = 0; p < n; ++p) want[p] = detnum::shuffled_index(p, n, kShuffleSeed, kShuffleEpoch);
  detnum::shuffle_indices(n, kShuffleSeed, kShuffleEpoch, out.data(), options);
  if (!same_bits(out, want)) return state.SkipWithError("det_cpu differs from detnum::shuffled_index");
  for (auto _ : state) {
    detnum::shuffle_indices(n, kShuffleSeed, kShuffleEpoch, out.data(), options);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}

void BM_shuffle_mt19937_64(benchmark::State& state) {
  std::vector<std::int64_t> out(static_cast<std::size_t>(state.range(0)));
  std::mt19937_64 gen(kShuffleSeed);
  for (auto _ : state) {
    std::iota(out.begin(), out.end(), std::int64_t{0});
    std::shuffle(out.begin(), out.end(), gen);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// --- Registration ----------------------------------------------------------------------------------

constexpr std::int64_t kN = 1 << 20;

void cpu(benchmark::internal::Benchmark* b) { b->UseRealTime()->Unit(benchmark::kMicrosecond); }
// detnum at 1 and 2 threads, its peer at 1, on N elements.
void det_n(benchmark::internal::Benchmark* b, std::int64_t n) { b->Args({n, 1})->Args({n, 2})->Apply(cpu); }
void peer_n(benchmark::internal::Benchmark* b, std::int64_t n) { b->Args({n, 1})->Apply(cpu); }
void det_flat(benchmark::internal::Benchmark* b) { det_n(b, kN); }
void peer_flat(benchmark::internal::Benchmark* b) { peer_n(b, kN); }
void det_fill(benchmark::internal::Benchmark* b) { det_n(b, 4 * kN); }
void peer_fill(benchmark::internal::Benchmark* b) { peer_n(b, 4 * kN); }
void det_order(benchmark::internal::Benchmark* b) { det_n(b, kN); det_n(b, 16 * kN); }
void peer_order(benchmark::internal::Benchmark* b) { peer_n(b, kN); peer_n(b, 16 * kN); }
// Activations of 4096 tokens of width 1024, as the row ops (nn_rows_bench.cpp).
void det_rows(benchmark::internal::Benchmark* b) { b->Args({4096, 1024, 1})->Args({4096, 1024, 2})->Apply(cpu); }
void peer_rows(benchmark::internal::Benchmark* b) { b->Args({4096, 1024, 1})->Apply(cpu); }
// GPT-2's vocabulary and width with 8192 tokens.
void det_embedding(benchmark::internal::Benchmark* b) {
  b->Args({50257, 768, 8192, 1})->Args({50257, 768, 8192, 2})->UseRealTime()->Unit(benchmark::kMillisecond);
}
void peer_embedding(benchmark::internal::Benchmark* b) {
  b->Args({50257, 768, 8192, 1})->UseRealTime()->Unit(benchmark::kMillisecond);
}

BENCHMARK(BM_elementwise_det<Gelu>)->Name("gelu/det_cpu")->Apply(det_flat);
BENCHMARK(BM_gelu_libm)->Name("gelu/libm")->Apply(peer_flat);
BENCHMARK(BM_elementwise_det<GeluBackward>)->Name("gelu_backward/det_cpu")->Apply(det_flat);
BENCHMARK(BM_gelu_backward_libm)->Name("gelu_backward/libm")->Apply(peer_flat);
BENCHMARK(BM_elementwise_det<Silu>)->Name("silu/det_cpu")->Apply(det_flat);
BENCHMARK(BM_silu_libm)->Name("silu/libm")->Apply(peer_flat);
BENCHMARK(BM_elementwise_det<SiluBackward>)->Name("silu_backward/det_cpu")->Apply(det_flat);
BENCHMARK(BM_silu_backward_libm)->Name("silu_backward/libm")->Apply(peer_flat);
BENCHMARK(BM_elementwise_det<GeluTanh>)->Name("gelu_tanh/det_cpu")->Apply(det_flat);
BENCHMARK(BM_elementwise_loop<GeluTanh>)->Name("gelu_tanh/libm")->Apply(peer_flat);
BENCHMARK(BM_elementwise_det<GeluTanhBackward>)->Name("gelu_tanh_backward/det_cpu")->Apply(det_flat);
BENCHMARK(BM_elementwise_loop<GeluTanhBackward>)->Name("gelu_tanh_backward/libm")->Apply(peer_flat);
BENCHMARK(BM_elementwise_det<Sigmoid>)->Name("sigmoid/det_cpu")->Apply(det_flat);
BENCHMARK(BM_elementwise_loop<Sigmoid>)->Name("sigmoid/libm")->Apply(peer_flat);
BENCHMARK(BM_elementwise_det<SigmoidBackward>)->Name("sigmoid_backward/det_cpu")->Apply(det_flat);
BENCHMARK(BM_elementwise_loop<SigmoidBackward>)->Name("sigmoid_backward/loop")->Apply(peer_flat);
BENCHMARK(BM_elementwise_det<Tanh>)->Name("tanh/det_cpu")->Apply(det_flat);
BENCHMARK(BM_elementwise_loop<Tanh>)->Name("tanh/libm")->Apply(peer_flat);
BENCHMARK(BM_elementwise_det<TanhBackward>)->Name("tanh_backward/det_cpu")->Apply(det_flat);
BENCHMARK(BM_elementwise_loop<TanhBackward>)->Name("tanh_backward/loop")->Apply(peer_flat);
BENCHMARK(BM_elementwise_det<Relu>)->Name("relu/det_cpu")->Apply(det_flat);
BENCHMARK(BM_elementwise_loop<Relu>)->Name("relu/loop")->Apply(peer_flat);
BENCHMARK(BM_elementwise_det<ReluBackward>)->Name("relu_backward/det_cpu")->Apply(det_flat);
BENCHMARK(BM_elementwise_loop<ReluBackward>)->Name("relu_backward/loop")->Apply(peer_flat);
BENCHMARK(BM_elementwise_det<BiasAdd>)->Name("bias_add/det_cpu")->Apply(det_rows);
BENCHMARK(BM_elementwise_loop<BiasAdd>)->Name("bias_add/loop")->Apply(peer_rows);
BENCHMARK(BM_adamw_det)->Name("adamw/det_cpu")->Apply(det_flat);
BENCHMARK(BM_adamw_loop)->Name("adamw/loop")->Apply(peer_flat);
BENCHMARK(BM_loss_det<Mse>)->Name("mse_loss/det_cpu")->Apply(det_flat);
BENCHMARK(BM_loss_loop<Mse>)->Name("mse_loss/loop")->Apply(peer_flat);
BENCHMARK(BM_loss_det<BceWithLogits>)->Name("bce_with_logits/det_cpu")->Apply(det_flat);
BENCHMARK(BM_loss_loop<BceWithLogits>)->Name("bce_with_logits/libm")->Apply(peer_flat);
BENCHMARK(BM_sgd_det)->Name("sgd/det_cpu")->Apply(det_flat);
BENCHMARK(BM_sgd_loop)->Name("sgd/loop")->Apply(peer_flat);
BENCHMARK(BM_init_det<true>)->Name("init_normal/det_cpu")->Apply(det_fill);
BENCHMARK(BM_init_mt19937<std::normal_distribution<float>>)->Name("init_normal/mt19937")->Apply(peer_fill);
BENCHMARK(BM_init_det<false>)->Name("init_uniform/det_cpu")->Apply(det_fill);
BENCHMARK(BM_init_mt19937<std::uniform_real_distribution<float>>)->Name("init_uniform/mt19937")->Apply(peer_fill);
BENCHMARK(BM_shuffle_det)->Name("shuffle_indices/det_cpu")->Apply(det_order);
BENCHMARK(BM_shuffle_mt19937_64)->Name("shuffle_indices/mt19937_64")->Apply(peer_order);
BENCHMARK(BM_embedding_det<true>)->Name("embedding_forward/det_cpu")->Apply(det_embedding);
BENCHMARK(BM_embedding_gather)->Name("embedding_forward/gather")->Apply(peer_embedding);
BENCHMARK(BM_embedding_det<false>)->Name("embedding_backward/det_cpu")->Apply(det_embedding);
BENCHMARK(BM_embedding_scatter)->Name("embedding_backward/scatter")->Apply(peer_embedding);
BENCHMARK(BM_clip_det)->Name("clip_grad_norm/det_cpu")->Args({2, 1})->Args({2, 2})->Apply(cpu);
BENCHMARK(BM_clip_eigen)->Name("clip_grad_norm/eigen")->Args({2, 1})->Apply(cpu);

}  // namespace
