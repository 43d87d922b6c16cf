// Scaled dot-product attention on the CPU, causal, both passes: detnum's next to the conventional
// math path (attention_bench_eigen.cpp: Eigen's sgemm and std::exp loops, the attentions spread
// over OpenMP threads).
//
//   attention/det_cpu/B/T/D/threads            detnum::scaled_dot_product_attention, CpuOptions{threads}
//   attention/eigen/B/T/D/threads              the conventional forward pass
//   attention_backward/det_cpu/B/T/D/threads   detnum::scaled_dot_product_attention_backward
//   attention_backward/eigen/B/T/D/threads     the conventional backward pass
//
// Shapes: B = 12 heads of one sequence of T = 256 or 1024 tokens, head_dim D = 64 (GPT-2 small's
// attention), queries = keys = T, is_causal. The counter `flops` counts the products' 2 T^2 D per
// gemm (2 in the forward pass, 4 in the backward) as if no key were masked. det_cpu is compared
// bit for bit with detnum::ref before timing (at T = 256 only: the reference GEMM is scalar).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "detnum/attention.hpp"

namespace detnum_bench {
bool eigen_attention(const float* q, const float* k, const float* v, float* out, float* p, std::int64_t batch,
                     std::int64_t l, std::int64_t s, std::int64_t e, float scale, bool causal, int threads);
bool eigen_attention_backward(const float* q, const float* k, const float* v, const float* p, const float* dout,
                              float* dq, float* dk, float* dv, float* ds, std::int64_t batch, std::int64_t l,
                              std::int64_t s, std::int64_t e, float scale, bool causal, int threads);
}  // namespace detnum_bench

namespace {

using std::int64_t;

std::vector<float> values(int64_t n, int64_t salt) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<float>((i * 7919 + 13 + static_cast<std::size_t>(salt)) % 2003) / 1001.0f - 1.0f;
  return v;
}

struct Attention {
  detnum::AttentionShape shape;
  detnum::AttentionOptions options{.is_causal = true};
  float scale;
  std::vector<float> q, k, v, dout, out, probs, dq, dk, dv, ds;
  explicit Attention(const benchmark::State& state)
      : shape{state.range(0), state.range(1), state.range(1), state.range(2), state.range(2)},
        scale(detnum::attention_scale(state.range(2))),
        q(values(shape.batch * shape.queries * shape.head_dim, 0)),
        k(values(q.size(), 101)),
        v(values(q.size(), 202)),
        dout(values(q.size(), 303)),
        out(q.size()),
        probs(static_cast<std::size_t>(shape.batch * shape.queries * shape.keys)),
        dq(q.size()),
        dk(q.size()),
        dv(q.size()),
        ds(probs.size()) {
    detnum::scaled_dot_product_attention(q.data(), k.data(), v.data(), out.data(), probs.data(), shape, options);
  }
  double flops_per_pass(int gemms) const {
    return 2.0 * gemms * static_cast<double>(shape.batch) * shape.queries * shape.keys * shape.head_dim;
  }
};

bool same(const std::vector<float>& a, const std::vector<float>& b) {
  return std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

void set_flops(benchmark::State& state, double per_call) {
  state.counters["flops"] = benchmark::Counter(per_call * static_cast<double>(state.iterations()),
                                               benchmark::Counter::kIsRate);
}

void BM_det_forward(benchmark::State& state) {
  Attention a(state);
  const detnum::CpuOptions cpu{static_cast<int>(state.range(3))};
  if (a.shape.queries <= 256) {
    std::vector<float> out(a.out.size()), probs(a.probs.size());
    detnum::ref::scaled_dot_product_attention(a.q.data(), a.k.data(), a.v.data(), out.data(), probs.data(), a.shape,
                                              a.options);
    detnum::scaled_dot_product_attention(a.q.data(), a.k.data(), a.v.data(), a.out.data(), a.probs.data(), a.shape,
                                         a.options, cpu);
    if (!same(out, a.out) || !same(probs, a.probs)) return state.SkipWithError("det_cpu differs from detnum::ref");
  }
  for (auto _ : state) {
    detnum::scaled_dot_product_attention(a.q.data(), a.k.data(), a.v.data(), a.out.data(), a.probs.data(), a.shape,
                                         a.options, cpu);
    benchmark::DoNotOptimize(a.out.data());
  }
  set_flops(state, a.flops_per_pass(2));
}

void BM_det_backward(benchmark::State& state) {
  Attention a(state);
  const detnum::CpuOptions cpu{static_cast<int>(state.range(3))};
  const auto run = [&](float* dq, float* dk, float* dv, bool reference) {
    if (reference)
      detnum::ref::scaled_dot_product_attention_backward(a.q.data(), a.k.data(), a.v.data(), a.probs.data(),
                                                         a.dout.data(), dq, dk, dv, a.shape, a.options);
    else
      detnum::scaled_dot_product_attention_backward(a.q.data(), a.k.data(), a.v.data(), a.probs.data(), a.dout.data(),
                                                    dq, dk, dv, a.shape, a.options, cpu);
  };
  if (a.shape.queries <= 256) {
    std::vector<float> dq(a.dq.size()), dk(a.dk.size()), dv(a.dv.size());
    run(dq.data(), dk.data(), dv.data(), true);
    run(a.dq.data(), a.dk.data(), a.dv.data(), false);
    if (!same(dq, a.dq) || !same(dk, a.dk) || !same(dv, a.dv))
      return state.SkipWithError("det_cpu differs from detnum::ref");
  }
  for (auto _ : state) {
    run(a.dq.data(), a.dk.data(), a.dv.data(), false);
    benchmark::DoNotOptimize(a.dq.data());
  }
  set_flops(state, a.flops_per_pass(4));
}

void BM_eigen_forward(benchmark::State& state) {
  Attention a(state);
  const detnum::AttentionShape& s = a.shape;
  for (auto _ : state) {
    if (!detnum_bench::eigen_attention(a.q.data(), a.k.data(), a.v.data(), a.out.data(), a.probs.data(), s.batch,
                                       s.queries, s.keys, s.head_dim, a.scale, true, static_cast<int>(state.range(3))))
      return state.SkipWithError("the Eigen peer is built for AVX2 + FMA, which this CPU lacks");
    benchmark::DoNotOptimize(a.out.data());
  }
  set_flops(state, a.flops_per_pass(2));
}

void BM_eigen_backward(benchmark::State& state) {
  Attention a(state);
  const detnum::AttentionShape& s = a.shape;
  for (auto _ : state) {
    if (!detnum_bench::eigen_attention_backward(a.q.data(), a.k.data(), a.v.data(), a.probs.data(), a.dout.data(),
                                                a.dq.data(), a.dk.data(), a.dv.data(), a.ds.data(), s.batch, s.queries,
                                                s.keys, s.head_dim, a.scale, true, static_cast<int>(state.range(3))))
      return state.SkipWithError("the Eigen peer is built for AVX2 + FMA, which this CPU lacks");
    benchmark::DoNotOptimize(a.dq.data());
  }
  set_flops(state, a.flops_per_pass(4));
}

void shapes(benchmark::internal::Benchmark* b) {
  for (const int64_t t : {256, 1024}) {
    b->Args({12, t, 64, 1});
    if (std::thread::hardware_concurrency() > 1) b->Args({12, t, 64, 2});
  }
  b->UseRealTime()->Unit(benchmark::kMillisecond);
}

BENCHMARK(BM_det_forward)->Name("attention/det_cpu")->Apply(shapes);
BENCHMARK(BM_eigen_forward)->Name("attention/eigen")->Apply(shapes);
BENCHMARK(BM_det_backward)->Name("attention_backward/det_cpu")->Apply(shapes);
BENCHMARK(BM_eigen_backward)->Name("attention_backward/eigen")->Apply(shapes);

}  // namespace
