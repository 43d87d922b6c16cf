// Row ops on the CPU: detnum's softmax and layer norm forward next to the plain single-threaded
// loops a framework's CPU path amounts to.
//
//   softmax/det_cpu/R/C/threads      detnum::softmax, CpuOptions{threads}
//   softmax/naive/R/C/1              max, e = std::exp(x - max), a running sum, e / sum
//   layer_norm/det_cpu/R/C/threads   detnum::layer_norm
//   layer_norm/naive/R/C/1           running sums for the mean and the (two-pass) variance, then
//                                    (x - mean) * rstd * gamma + beta
//
// Shape: 4096 x 1024 (16 MiB in, 16 MiB out: the activations of 4096 tokens of width 1024).
// bytes_per_second counts the 8 R C bytes of x read and y written. det_cpu is compared bit for
// bit with detnum::ref before timing; the naive loops promise nothing of the kind (std::exp
// differs between libm versions, and the running sum's order is the loop's).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "detnum/norm.hpp"
#include "detnum/softmax.hpp"

namespace {

std::vector<float> values(std::int64_t n, float scale) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = (static_cast<float>((i * 7919 + 13) % 2003) / 1001.0f - 1.0f) * scale;
  return v;
}

struct Rows {
  std::int64_t rows, cols;
  std::vector<float> x, gamma, beta, y, mean, rstd;
  explicit Rows(const benchmark::State& state)
      : rows(state.range(0)),
        cols(state.range(1)),
        x(values(rows * cols, 8.0f)),
        gamma(values(cols, 1.0f)),
        beta(values(cols, 0.5f)),
        y(x.size()),
        mean(static_cast<std::size_t>(rows)),
        rstd(mean.size()) {}
  void count(benchmark::State& state) const {
    state.SetBytesProcessed(state.iterations() * rows * cols * 2 * static_cast<std::int64_t>(sizeof(float)));
  }
};

void BM_softmax_det_cpu(benchmark::State& state) {
  Rows m(state);
  const detnum::CpuOptions options{static_cast<int>(state.range(2))};
  std::vector<float> want(m.y.size());
  detnum::softmax(m.x.data(), m.y.data(), m.rows, m.cols, options);
  detnum::ref::softmax(m.x.data(), want.data(), m.rows, m.cols);
  if (std::memcmp(m.y.data(), want.data(), want.size() * sizeof(float)) != 0)
    return state.SkipWithError("det_cpu differs from detnum::ref");
  for (auto _ : state) {
    detnum::softmax(m.x.data(), m.y.data(), m.rows, m.cols, options);
    benchmark::DoNotOptimize(m.y.data());
  }
  m.count(state);
}

void BM_softmax_naive(benchmark::State& state) {
  Rows m(state);
  for (auto _ : state) {
    for (std::int64_t r = 0; r < m.rows; ++r) {
      const float* x = m.x.data() + r * m.cols;
      float* y = m.y.data() + r * m.cols;
      float mx = x[0], s = 0.0f;
      for (std::int64_t j = 1; j < m.cols; ++j) mx = std::max(mx, x[j]);
      for (std::int64_t j = 0; j < m.cols; ++j) s += y[j] = std::exp(x[j] - mx);
      for (std::int64_t j = 0; j < m.cols; ++j) y[j] /= s;
    }
    benchmark::DoNotOptimize(m.y.data());
  }
  m.count(state);
}

void BM_layer_norm_det_cpu(benchmark::State& state) {
  Rows m(state);
  const detnum::CpuOptions options{static_cast<int>(state.range(2))};
  std::vector<float> want(m.y.size()), want_mean(m.mean.size()), want_rstd(m.rstd.size());
  detnum::layer_norm(m.x.data(), m.gamma.data(), m.beta.data(), m.y.data(), m.mean.data(), m.rstd.data(), m.rows,
                     m.cols, 1e-5f, options);
  detnum::ref::layer_norm(m.x.data(), m.gamma.data(), m.beta.data(), want.data(), want_mean.data(), want_rstd.data(),
                          m.rows, m.cols, 1e-5f);
  if (std::memcmp(m.y.data(), want.data(), want.size() * sizeof(float)) != 0)
    return state.SkipWithError("det_cpu differs from detnum::ref");
  for (auto _ : state) {
    detnum::layer_norm(m.x.data(), m.gamma.data(), m.beta.data(), m.y.data(), m.mean.data(), m.rstd.data(), m.rows,
                       m.cols, 1e-5f, options);
    benchmark::DoNotOptimize(m.y.data());
  }
  m.count(state);
}

void BM_layer_norm_naive(benchmark::State& state) {
  Rows m(state);
  for (auto _ : state) {
    for (std::int64_t r = 0; r < m.rows; ++r) {
      const float* x = m.x.data() + r * m.cols;
      float* y = m.y.data() + r * m.cols;
      float s = 0.0f, q = 0.0f;
      for (std::int64_t j = 0; j < m.cols; ++j) s += x[j];
      const float mu = s / static_cast<float>(m.cols);
      for (std::int64_t j = 0; j < m.cols; ++j) q += (x[j] - mu) * (x[j] - mu);
      const float rs = 1.0f / std::sqrt(q / static_cast<float>(m.cols) + 1e-5f);
      for (std::int64_t j = 0; j < m.cols; ++j) y[j] = (x[j] - mu) * rs * m.gamma[j] + m.beta[j];
      m.mean[r] = mu;
      m.rstd[r] = rs;
    }
    benchmark::DoNotOptimize(m.y.data());
  }
  m.count(state);
}

void det_shapes(benchmark::internal::Benchmark* b) {
  b->Args({4096, 1024, 1});
  if (std::thread::hardware_concurrency() > 1) b->Args({4096, 1024, 2});
  b->UseRealTime()->Unit(benchmark::kMillisecond);
}
void naive_shapes(benchmark::internal::Benchmark* b) { b->Args({4096, 1024, 1})->UseRealTime()->Unit(benchmark::kMillisecond); }

BENCHMARK(BM_softmax_det_cpu)->Name("softmax/det_cpu")->Apply(det_shapes);
BENCHMARK(BM_softmax_naive)->Name("softmax/naive")->Apply(naive_shapes);
BENCHMARK(BM_layer_norm_det_cpu)->Name("layer_norm/det_cpu")->Apply(det_shapes);
BENCHMARK(BM_layer_norm_naive)->Name("layer_norm/naive")->Apply(naive_shapes);

}  // namespace
