// Scaled dot-product attention on the CPU (detnum/attention.hpp): the steps of
// common/attention_steps.hpp over detnum's threaded gemm and row softmax, the temporary matrices
// in the calling thread's scratch.
#include <cmath>
#include <cstdint>

#include "common/attention_steps.hpp"
#include "cpu/parallel.hpp"
#include "cpu/thread_scratch.hpp"
#include "detnum/attention.hpp"
#include "detnum/gemm.hpp"
#include "detnum/softmax.hpp"

namespace detnum {

float attention_scale(std::int64_t head_dim) {
  detail::check_size("attention_scale", "head_dim", head_dim, sizeof(float));
  return static_cast<float>(1.0 / std::sqrt(static_cast<double>(head_dim)));
}

namespace {

// The fast CPU path's ops, with the call's CpuOptions.
struct CpuAttention {
  CpuOptions cpu;
  void gemm(Transpose ta, Transpose tb, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, const float* a,
            std::int64_t lda, std::int64_t sa, const float* b, std::int64_t ldb, std::int64_t sb, float beta, float* c,
            std::int64_t ldc, std::int64_t sc, std::int64_t batch) const {
    gemm_strided_batched(ta, tb, m, n, k, alpha, a, lda, sa, b, ldb, sb, beta, c, ldc, sc, batch, cpu);
  }
  void softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols) const {
    detnum::softmax(x, y, rows, cols, cpu);
  }
  void causal_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, const CausalMask& m) const {
    detnum::causal_softmax(x, y, rows, cols, m, cpu);
  }
  void softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols) const {
    detnum::softmax_backward(y, dy, dx, rows, cols, cpu);
  }
  void causal_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                               const CausalMask& m) const {
    detnum::causal_softmax_backward(y, dy, dx, rows, cols, m, cpu);
  }
};

// The temporary matrices, in the calling thread's scratch (kept for its later calls).
float* scratch(std::int64_t floats) {
  thread_local detail::ThreadScratch s;
  return s.at_least(floats);
}

// Runs steps(call, b0, options) over the call's attentions: whole attentions to each thread where
// they divide evenly enough (each step then on one thread, as a framework's CPU path runs them),
// else every step threaded inside. Every output has the same bits either way.
template <class Steps>
void over_attentions(const detail::AttentionCall& c, CpuOptions cpu, const Steps& steps) {
  const std::int64_t batch = c.shape.batch, threads = cpu.threads;
  if (threads == 1 || (batch % threads != 0 && batch < 4 * threads)) {
    steps(c, 0, cpu);
    return;
  }
  detail::parallel_ranges(batch, 1, cpu.threads, [&](std::int64_t b0, std::int64_t b1) {
    detail::AttentionCall part = c;
    part.shape.batch = b1 - b0;
    steps(part, b0, CpuOptions{1, cpu.simd});
  });
}

}  // namespace

void scaled_dot_product_attention(const float* q, const float* k, const float* v, float* out, float* probs,
                                  const AttentionShape& shape, const AttentionOptions& options, CpuOptions cpu) {
  constexpr const char* fn = "scaled_dot_product_attention";
  const detail::AttentionCall c =
      detail::check_attention_forward(fn, q, k, v, out, probs, shape, options, detail::kHostReader);
  const CpuOptions options_cpu = detail::resolve_cpu_options(fn, cpu, "cpu");
  const std::int64_t L = shape.queries, S = shape.keys, E = shape.head_dim, Ev = shape.value_dim;
  float* const scores = scratch(c.probs);
  over_attentions(c, options_cpu, [&](const detail::AttentionCall& part, std::int64_t b, CpuOptions o) {
    detail::attention_forward_steps(CpuAttention{o}, part, q + b * L * E, k + b * S * E, v + b * S * Ev,
                                    out + b * L * Ev, probs + b * L * S, scores + b * L * S);
  });
}

void scaled_dot_product_attention_backward(const float* q, const float* k, const float* v, const float* probs,
                                           const float* dout, float* dq, float* dk, float* dv,
                                           const AttentionShape& shape, const AttentionOptions& options,
                                           CpuOptions cpu) {
  constexpr const char* fn = "scaled_dot_product_attention_backward";
  const detail::AttentionCall c = detail::check_attention_backward(fn, q, k, v, probs, dout, dq, dk, dv, shape,
                                                                   options, detail::kHostReader);
  const CpuOptions options_cpu = detail::resolve_cpu_options(fn, cpu, "cpu");
  const std::int64_t L = shape.queries, S = shape.keys, E = shape.head_dim, Ev = shape.value_dim;
  float* const dp = scratch(2 * c.probs);  // c.probs < 2^61: check_size bounds its bytes
  float* const ds = dp + c.probs;
  over_attentions(c, options_cpu, [&](const detail::AttentionCall& part, std::int64_t b, CpuOptions o) {
    detail::attention_backward_steps(CpuAttention{o}, part, q + b * L * E, k + b * S * E, v + b * S * Ev,
                                     probs + b * L * S, dout + b * L * Ev, dq + b * L * E, dk + b * S * E,
                                     dv + b * S * Ev, dp + b * L * S, ds + b * L * S);
  });
}

}  // namespace detnum
