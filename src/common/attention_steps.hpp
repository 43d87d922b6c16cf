// Scaled dot-product attention, written once for every backend: its argument checks and its steps
// (docs/ORDER.md, "Attention"). A backend is an object with gemm (strided, batched, float),
// softmax, causal_softmax and their backward passes on the memory it reads; the reference, the
// fast CPU path and CUDA differ only in that object and in where the temporary matrices live.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/nn_rows_checks.hpp"
#include "detnum/attention.hpp"
#include "detnum/gemm.hpp"
#include "detnum/softmax.hpp"

namespace detnum::detail {

// A call's shape and options, checked, with the scale and the mask resolved, and the elements of
// each matrix argument (all batch attentions).
struct AttentionCall {
  AttentionShape shape;
  float scale;
  std::optional<CausalMask> mask;
  std::int64_t q, k, v, out, probs;
};

inline std::int64_t attention_elements(std::string_view fn, std::string_view name, std::int64_t batch,
                                       std::int64_t rows, std::int64_t cols) {
  const std::int64_t per = checked_mul_add(rows, cols, 0);
  const std::int64_t all = per < 0 ? -1 : checked_mul_add(batch, per, 0);
  if (all < 0)
    fail(ErrorCode::size_out_of_range, fn,
         std::string(name) + " must have fewer than 2^63 elements, got batch " + std::to_string(batch) + " x " +
             std::to_string(rows) + " x " + std::to_string(cols));
  check_size(fn, name, all, sizeof(float));
  return all;
}

inline AttentionCall check_attention(std::string_view fn, const AttentionShape& s, const AttentionOptions& o) {
  check_size(fn, "shape.batch", s.batch, sizeof(float));
  check_size(fn, "shape.queries", s.queries, sizeof(float));
  check_size(fn, "shape.keys", s.keys, sizeof(float));
  check_size(fn, "shape.head_dim", s.head_dim, sizeof(float));
  check_size(fn, "shape.value_dim", s.value_dim, sizeof(float));
  if (o.scale && !std::isfinite(*o.scale))
    fail(ErrorCode::invalid_argument, fn, "options.scale must be finite, got " + format_value(*o.scale));
  if (o.causal_offset < 0)
    fail(ErrorCode::invalid_argument, fn, "options.causal_offset must be >= 0, got " + std::to_string(o.causal_offset));
  if (!o.is_causal && o.causal_offset != 0)
    fail(ErrorCode::invalid_argument, fn,
         "options.causal_offset applies only with options.is_causal, got " + std::to_string(o.causal_offset) +
             " without it");
  AttentionCall c{s, o.scale ? *o.scale : attention_scale(s.head_dim), std::nullopt, 0, 0, 0, 0, 0};
  // With no query there is no row to mask, but a CausalMask needs a period.
  if (o.is_causal) c.mask = CausalMask{std::max<std::int64_t>(s.queries, 1), o.causal_offset};
  attention_elements(fn, "the rows of P (batch x queries)", s.batch, s.queries, 1);
  c.q = attention_elements(fn, "q", s.batch, s.queries, s.head_dim);
  c.k = attention_elements(fn, "k", s.batch, s.keys, s.head_dim);
  c.v = attention_elements(fn, "v", s.batch, s.keys, s.value_dim);
  c.out = attention_elements(fn, "out", s.batch, s.queries, s.value_dim);
  c.probs = attention_elements(fn, "probs", s.batch, s.queries, s.keys);
  return c;
}

inline AttentionCall check_attention_forward(std::string_view fn, const float* q, const float* k, const float* v,
                                             const float* out, const float* probs, const AttentionShape& shape,
                                             const AttentionOptions& options, Reader reader) {
  const AttentionCall c = check_attention(fn, shape, options);
  check_row_args(fn, {{"q", q, c.q}, {"k", k, c.k}, {"v", v, c.v}, {"out", out, c.out, true},
                      {"probs", probs, c.probs, true}},
                 reader);
  return c;
}

inline AttentionCall check_attention_backward(std::string_view fn, const float* q, const float* k, const float* v,
                                              const float* probs, const float* dout, const float* dq,
                                              const float* dk, const float* dv, const AttentionShape& shape,
                                              const AttentionOptions& options, Reader reader) {
  const AttentionCall c = check_attention(fn, shape, options);
  check_row_args(fn, {{"q", q, c.q}, {"k", k, c.k}, {"v", v, c.v}, {"probs", probs, c.probs},
                      {"dout", dout, c.out}, {"dq", dq, c.q, true}, {"dk", dk, c.k, true}, {"dv", dv, c.v, true}},
                 reader);
  return c;
}

// One operand of a step's batched gemm: the first matrix, its leading dimension (its columns, at
// least 1 as gemm requires) and the distance between attentions.
struct AttentionOperand {
  const float* p;
  std::int64_t ld, stride;
};
inline AttentionOperand operand(const float* p, std::int64_t rows, std::int64_t cols) {
  return {p, std::max<std::int64_t>(cols, 1), rows * cols};
}

template <class Backend>
void batched_gemm(const Backend& be, Transpose ta, Transpose tb, std::int64_t m, std::int64_t n, std::int64_t k,
                  float alpha, AttentionOperand a, AttentionOperand b, float* c, std::int64_t batch) {
  const AttentionOperand co = operand(c, m, n);
  be.gemm(ta, tb, m, n, k, alpha, a.p, a.ld, a.stride, b.p, b.ld, b.stride, 0.0f, c, co.ld, co.stride, batch);
}

// scores (queries x keys per attention) is the backend's temporary matrix.
template <class Backend>
void attention_forward_steps(const Backend& be, const AttentionCall& c, const float* q, const float* k, const float* v,
                             float* out, float* probs, float* scores) {
  const AttentionShape& s = c.shape;
  const std::int64_t L = s.queries, S = s.keys, E = s.head_dim, Ev = s.value_dim, B = s.batch;
  batched_gemm(be, Transpose::no, Transpose::yes, L, S, E, c.scale, operand(q, L, E), operand(k, S, E), scores, B);
  if (c.mask) be.causal_softmax(scores, probs, B * L, S, *c.mask);
  else be.softmax(scores, probs, B * L, S);
  batched_gemm(be, Transpose::no, Transpose::no, L, Ev, S, 1.0f, operand(probs, L, S), operand(v, S, Ev), out, B);
}

// dp and ds (queries x keys per attention) are the backend's temporary matrices.
template <class Backend>
void attention_backward_steps(const Backend& be, const AttentionCall& c, const float* q, const float* k,
                              const float* v, const float* probs, const float* dout, float* dq, float* dk, float* dv,
                              float* dp, float* ds) {
  const AttentionShape& s = c.shape;
  const std::int64_t L = s.queries, S = s.keys, E = s.head_dim, Ev = s.value_dim, B = s.batch;
  const AttentionOperand p = operand(probs, L, S), d_out = operand(dout, L, Ev);
  batched_gemm(be, Transpose::yes, Transpose::no, S, Ev, L, 1.0f, p, d_out, dv, B);
  batched_gemm(be, Transpose::no, Transpose::yes, L, S, Ev, 1.0f, d_out, operand(v, S, Ev), dp, B);
  if (c.mask) be.causal_softmax_backward(probs, dp, ds, B * L, S, *c.mask);
  else be.softmax_backward(probs, dp, ds, B * L, S);
  const AttentionOperand d_s = operand(ds, L, S);
  batched_gemm(be, Transpose::no, Transpose::no, L, E, S, c.scale, d_s, operand(k, S, E), dq, B);
  batched_gemm(be, Transpose::yes, Transpose::no, S, E, L, c.scale, d_s, operand(q, L, E), dk, B);
}

}  // namespace detnum::detail
