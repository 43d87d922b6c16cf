// The references of scaled dot-product attention (detnum/attention.hpp): the steps of
// common/attention_steps.hpp over ref::gemm, one attention at a time, and the row ops' references.
#include <cstdint>
#include <vector>

#include "common/attention_steps.hpp"
#include "detnum/attention.hpp"
#include "detnum/gemm.hpp"
#include "detnum/softmax.hpp"

namespace detnum::ref {
namespace {

struct RefAttention {
  void gemm(Transpose ta, Transpose tb, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, const float* a,
            std::int64_t lda, std::int64_t sa, const float* b, std::int64_t ldb, std::int64_t sb, float beta, float* c,
            std::int64_t ldc, std::int64_t sc, std::int64_t batch) const {
    if (m == 0 || n == 0) return;  // no output: not even 2^40 empty products are walked
    for (std::int64_t i = 0; i < batch; ++i)
      ref::gemm(ta, tb, m, n, k, alpha, a + i * sa, lda, b + i * sb, ldb, beta, c + i * sc, ldc);
  }
  void softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols) const { ref::softmax(x, y, rows, cols); }
  void causal_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, const CausalMask& m) const {
    ref::causal_softmax(x, y, rows, cols, m);
  }
  void softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols) const {
    ref::softmax_backward(y, dy, dx, rows, cols);
  }
  void causal_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                               const CausalMask& m) const {
    ref::causal_softmax_backward(y, dy, dx, rows, cols, m);
  }
};

}  // namespace

void scaled_dot_product_attention(const float* q, const float* k, const float* v, float* out, float* probs,
                                  const AttentionShape& shape, const AttentionOptions& options) {
  const detail::AttentionCall c = detail::check_attention_forward("ref::scaled_dot_product_attention", q, k, v, out,
                                                                  probs, shape, options, detail::kHostReader);
  std::vector<float> scores(static_cast<std::size_t>(c.probs));
  detail::attention_forward_steps(RefAttention{}, c, q, k, v, out, probs, scores.data());
}

void scaled_dot_product_attention_backward(const float* q, const float* k, const float* v, const float* probs,
                                           const float* dout, float* dq, float* dk, float* dv,
                                           const AttentionShape& shape, const AttentionOptions& options) {
  const detail::AttentionCall c =
      detail::check_attention_backward("ref::scaled_dot_product_attention_backward", q, k, v, probs, dout, dq, dk, dv,
                                       shape, options, detail::kHostReader);
  std::vector<float> dp(static_cast<std::size_t>(c.probs)), ds(dp.size());
  detail::attention_backward_steps(RefAttention{}, c, q, k, v, probs, dout, dq, dk, dv, dp.data(), ds.data());
}

}  // namespace detnum::ref
