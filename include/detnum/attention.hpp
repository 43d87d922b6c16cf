// Scaled dot-product attention (PyTorch's F.scaled_dot_product_attention in its math form) and its
// backward pass, on the CPU (CUDA: detnum/cuda/attention.hpp): detnum's GEMM and row softmax, in
// the order of docs/ORDER.md ("Attention"):
//
//   scores = scale * Q K^T            a gemm with alpha = scale
//   P      = softmax of each row      or causal_softmax with CausalMask{queries, causal_offset}
//   out    = P V                      a gemm
//
// Layout: `batch` independent attentions (batch x heads; PyTorch's contiguous [B, H, L, E]), each
// row-major and contiguous: attention b's Q is queries x head_dim at q + b * queries * head_dim,
// K keys x head_dim, V keys x value_dim, out queries x value_dim, P queries x keys.
//
// Guarantee: out's row i of attention b is a function of Q's row i, K and V of b, the scale and the
// mask alone: not of the other queries or attentions (batch invariance), the thread count, the
// CUDA configuration or the device. So a decoding step that attends query i alone to the keys
// it sees (the first i + 1 + offset; causal_offset = their count - 1) gives the bits of that
// query's row of P in the full causal pass, and of out but where the full pass's extra products of
// the masked keys, +0 * v, tell: they leave each partial sum as it is, except that a -0 becomes +0
// when such a v has a clear sign bit, and NaN when such a v is NaN or infinite (ORDER.md).
// P is the forward's output that the backward pass takes (the saved activation). NaN outputs are
// the canonical NaN. The temporary matrices (the scores; dP and dS in the backward pass: batch x
// queries x keys floats each) live in scratch memory that the calling thread keeps for its later
// calls, as the GEMM's packed panels do (freed when the thread ends); on CUDA in the call's
// workspace.
//
// Arguments: sizes >= 0, and batch x queries (P's rows) and each matrix's elements addressable as
// floats, even when a matrix is empty; a pointer may be null only when it names no element;
// outputs must not overlap the inputs or each other. A call that throws detnum::Error has written
// nothing.
#pragma once

#include <cstdint>
#include <optional>

#include "detnum/threads.hpp"

namespace detnum {

struct AttentionShape {
  std::int64_t batch = 0;      // independent attentions (batch x heads)
  std::int64_t queries = 0;    // L: rows of Q, out and P
  std::int64_t keys = 0;       // S: rows of K and V, columns of P
  std::int64_t head_dim = 0;   // E: columns of Q and K
  std::int64_t value_dim = 0;  // Ev: columns of V and out (most models: head_dim)
};

struct AttentionOptions {
  // A finite float; none: attention_scale(head_dim).
  std::optional<float> scale = std::nullopt;
  // PyTorch's is_causal: query i sees keys 0 .. i + causal_offset (detnum/softmax.hpp's CausalMask
  // with period = queries). offset 0 aligns the first query with the first key (PyTorch's
  // top-left); keys - queries aligns the last query with the last key (a cache of earlier keys).
  // An offset >= 0, and only with is_causal.
  bool is_causal = false;
  std::int64_t causal_offset = 0;
};

// 1 / sqrt(head_dim) as PyTorch's kernels take it: computed in double, rounded once to float
// (+Inf for head_dim 0, where no product uses it; an explicit options.scale must be finite).
float attention_scale(std::int64_t head_dim);

// out and probs (P) from q, k and v.
void scaled_dot_product_attention(const float* q, const float* k, const float* v, float* out, float* probs,
                                  const AttentionShape& shape, const AttentionOptions& options = {},
                                  CpuOptions cpu = {});
// The gradients of out with respect to q, k and v, from dout and the forward's probs:
//   dV = P^T dO,  dP = dO V^T,  dS = softmax_backward(P, dP) (causal: over the kept keys),
//   dQ = scale * dS K,  dK = scale * dS^T Q.
void scaled_dot_product_attention_backward(const float* q, const float* k, const float* v, const float* probs,
                                           const float* dout, float* dq, float* dk, float* dv,
                                           const AttentionShape& shape, const AttentionOptions& options = {},
                                           CpuOptions cpu = {});

// The scalar references: ref::gemm and ref::softmax in ORDER.md's steps, one attention at a time.
namespace ref {
void scaled_dot_product_attention(const float* q, const float* k, const float* v, float* out, float* probs,
                                  const AttentionShape& shape, const AttentionOptions& options = {});
void scaled_dot_product_attention_backward(const float* q, const float* k, const float* v, const float* probs,
                                           const float* dout, float* dq, float* dk, float* dv,
                                           const AttentionShape& shape, const AttentionOptions& options = {});
}  // namespace ref

}  // namespace detnum
