// Training ops on the CPU next to the plain loops a framework's CPU kernels amount to:
//
//   gelu/det_cpu/N/threads        detnum::gelu (math::erf: the same bits on every CPU and GPU)
//   gelu/libm/N/1                 0.5 x (1 + erff(x / sqrt 2)) with glibc's erff
//   gelu_backward/det_cpu/N/threads   detnum::gelu_backward
//   gelu_backward/libm/N/1        dy (0.5 (1 + erff(x / sqrt 2)) + x expf(-x^2 / 2) / sqrt(2 pi))
//   adamw/det_cpu/N/threads       detnum::adamw_step
//   adamw/loop/N/1                the same update as a plain loop (sqrtf, bias corrections by pow), built for AVX2
//   init_normal/det_cpu/N/threads detnum::init_normal (Box-Muller on Philox words and detnum::math)
//   init_normal/mt19937/N/1       std::normal_distribution<float> on std::mt19937 (libstdc++)
//   embedding_backward/det_cpu/V/D/N/threads   detnum::embedding_backward (fixed-order segment sums)
//   embedding_backward/scatter/V/D/N/1         zero the table, then add each row of dout into its
//                                              id's row in order (sequential: deterministic only
//                                              because it has one thread)
//
// items_per_second counts elements (for the embedding, elements of dout).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "detnum/adamw.hpp"
#include "detnum/embedding.hpp"
#include "detnum/init.hpp"
#include "detnum/pointwise.hpp"
#include "detnum/random.hpp"

namespace {

std::vector<float> values(std::int64_t n, std::uint64_t seed, float scale) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    v[i] = scale * (detnum::uniform_float(detnum::stream_word(seed, 0xB3, static_cast<std::uint64_t>(i))) - 0.5f);
  return v;
}

// Whether a timed call's output has the reference's bits (each det benchmark checks once first).
bool same_bits(const std::vector<float>& got, const std::vector<float>& want) {
  return std::memcmp(got.data(), want.data(), want.size() * sizeof(float)) == 0;
}

void BM_gelu_det(benchmark::State& state) {
  const std::vector<float> x = values(state.range(0), 1, 8.0f);
  std::vector<float> y(x.size()), want(x.size());
  detnum::ref::gelu(x.data(), want.data(), state.range(0));
  detnum::gelu(x.data(), y.data(), state.range(0), {static_cast<int>(state.range(1))});
  if (!same_bits(y, want)) return state.SkipWithError("det_cpu differs from detnum::ref");
  for (auto _ : state) detnum::gelu(x.data(), y.data(), state.range(0), {static_cast<int>(state.range(1))});
  state.SetItemsProcessed(state.iterations() * state.range(0));
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

void BM_gelu_backward_det(benchmark::State& state) {
  const std::vector<float> x = values(state.range(0), 1, 8.0f), dy = values(state.range(0), 6, 2.0f);
  std::vector<float> dx(x.size()), want(x.size());
  detnum::ref::gelu_backward(x.data(), dy.data(), want.data(), state.range(0));
  detnum::gelu_backward(x.data(), dy.data(), dx.data(), state.range(0), {static_cast<int>(state.range(1))});
  if (!same_bits(dx, want)) return state.SkipWithError("det_cpu differs from detnum::ref");
  for (auto _ : state)
    detnum::gelu_backward(x.data(), dy.data(), dx.data(), state.range(0), {static_cast<int>(state.range(1))});
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

struct Embedding {
  std::int64_t vocab, dim, n;
  std::vector<std::int32_t> ids;
  std::vector<float> dout, table;
  explicit Embedding(const benchmark::State& s)
      : vocab(s.range(0)), dim(s.range(1)), n(s.range(2)), ids(static_cast<std::size_t>(n)), dout(values(n * dim, 4, 1.0f)),
        table(static_cast<std::size_t>(vocab * dim)) {
    for (std::int64_t r = 0; r < n; ++r)  // frequent small ids, a long tail
      ids[r] = static_cast<std::int32_t>(std::pow(static_cast<double>(vocab),
                                                  detnum::uniform_float(detnum::stream_word(5, 0xB3, r)))) - 1;
  }
};

void BM_embedding_det(benchmark::State& state) {
  Embedding e(state);
  for (auto _ : state)
    detnum::embedding_backward(e.ids.data(), e.n, e.dout.data(), e.vocab, e.dim, e.table.data(),
                               {static_cast<int>(state.range(3))});
  state.SetItemsProcessed(state.iterations() * e.n * e.dim);
}

void BM_embedding_scatter(benchmark::State& state) {
  Embedding e(state);
  for (auto _ : state) {
    std::fill(e.table.begin(), e.table.end(), 0.0f);
    for (std::int64_t r = 0; r < e.n; ++r)
      for (std::int64_t d = 0; d < e.dim; ++d) e.table[e.ids[r] * e.dim + d] += e.dout[r * e.dim + d];
    benchmark::DoNotOptimize(e.table.data());
  }
  state.SetItemsProcessed(state.iterations() * e.n * e.dim);
}

void BM_init_normal_det(benchmark::State& state) {
  std::vector<float> x(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    detnum::init_normal(x.data(), state.range(0), 0.0f, 1.0f, {7, 0}, {static_cast<int>(state.range(1))});
    benchmark::DoNotOptimize(x.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_init_normal_mt19937(benchmark::State& state) {
  std::vector<float> x(static_cast<std::size_t>(state.range(0)));
  std::mt19937 gen(7);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (auto _ : state) {
    for (float& v : x) v = normal(gen);
    benchmark::DoNotOptimize(x.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

constexpr std::int64_t kN = 1 << 20;

BENCHMARK(BM_gelu_det)->Name("gelu/det_cpu")->Args({kN, 1})->Args({kN, 2})->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_gelu_libm)->Name("gelu/libm")->Args({kN, 1})->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_gelu_backward_det)->Name("gelu_backward/det_cpu")->Args({kN, 1})->Args({kN, 2})->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_gelu_backward_libm)->Name("gelu_backward/libm")->Args({kN, 1})->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_adamw_det)->Name("adamw/det_cpu")->Args({kN, 1})->Args({kN, 2})->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_adamw_loop)->Name("adamw/loop")->Args({kN, 1})->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_init_normal_det)->Name("init_normal/det_cpu")->Args({4 * kN, 1})->Args({4 * kN, 2})->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_init_normal_mt19937)->Name("init_normal/mt19937")->Args({4 * kN, 1})->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_embedding_det)->Name("embedding_backward/det_cpu")->Args({50257, 768, 8192, 1})->Args({50257, 768, 8192, 2})
    ->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_embedding_scatter)->Name("embedding_backward/scatter")->Args({50257, 768, 8192, 1})
    ->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
