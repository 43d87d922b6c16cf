// Where `detnum check` runs an op: the scalar reference, the fast CPU path with a thread count,
// or a CUDA launch shape. Every entry point takes and fills host buffers, so the op entries in
// check_*.cpp are written once for all backends; a device backend copies the inputs over, runs,
// waits, and copies the outputs back. A new op family adds its entry points here and to each
// backend.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "detnum/adamw.hpp"
#include "detnum/attention.hpp"
#include "detnum/bf16.hpp"
#include "detnum/clip.hpp"
#include "detnum/dropout.hpp"
#include "detnum/environment.hpp"
#include "detnum/fp16.hpp"
#include "detnum/gemm.hpp"
#include "detnum/loss.hpp"
#include "detnum/norm.hpp"
#include "detnum/reduce.hpp"
#include "detnum/sgd.hpp"
#include "detnum/softmax.hpp"

namespace detnum::cli {

// The reductions of detnum/reduce.hpp, as one entry point per backend (variance with ddof = 1).
enum class ReduceOp { sum, asum, dot, nrm2, mean, variance, max, min, amax, amin, argmax, argmin };
// The row ops of detnum/softmax.hpp and detnum/norm.hpp.
enum class RowOp {
  softmax,
  softmax_backward,
  log_softmax,
  log_softmax_backward,
  causal_softmax,           // check_causal_mask
  causal_softmax_backward,  // check_causal_mask
  cross_entropy,
  cross_entropy_ignore,   // options (check_ce_options): kCheckIgnoredLabel ignored
  cross_entropy_smooth,   // and label smoothing 0.1
  cross_entropy_per_row,  // and label smoothing 0.1, per-row losses: rows floats of loss
  layer_norm,
  layer_norm_backward,
  rms_norm,
  rms_norm_backward
};
// The ignored label of RowOp::cross_entropy_ignore: a class, so that the check's even labels
// (check_inputs.cpp) name it in some rows, and in every row of a matrix of one or two columns.
inline constexpr std::int32_t kCheckIgnoredLabel = 0;
// The options of the cross-entropy rows that take them (the other row ops take none).
inline CrossEntropyOptions check_ce_options(RowOp op) {
  const float smoothing = op == RowOp::cross_entropy_ignore ? 0.0f : 0.1f;
  return {kCheckIgnoredLabel, smoothing, op == RowOp::cross_entropy_per_row ? LossReduction::none : LossReduction::mean};
}
// The causal rows' masks: blocks of 7 rows, the queries aligned 4 keys before the last (kept
// lengths cols - 3 .. cols, across a lane at 129 columns); the backward's blocks of 5 rows with
// the middle (past a chunk at 17000 columns).
inline CausalMask check_causal_mask(RowOp op, std::int64_t cols) {
  if (op == RowOp::causal_softmax_backward) return {5, cols / 2};
  return {7, cols > 4 ? cols - 4 : 0};
}
// The elementwise ops of detnum/pointwise.hpp.
enum class PointwiseOp {
  relu, relu_backward, gelu, gelu_backward, gelu_tanh, gelu_tanh_backward, silu, silu_backward,
  sigmoid, sigmoid_backward, tanh, tanh_backward, bias_add
};
enum class Dtype;

class Backend {
 public:
  virtual ~Backend() = default;
  // "ref", "cpu/3", "cuda/128x7": the name in tables and JSON.
  virtual std::string name() const = 0;

  // dropout (detnum/dropout.hpp). For backward_recompute the reference is the forward pass
  // applied to dy without a mask, which is how dropout.hpp defines it.
  virtual void dropout_forward(const float* x, float* y, std::int64_t n, const DropoutParams& params,
                               std::uint8_t* mask) = 0;
  virtual void dropout_forward(const bf16* x, bf16* y, std::int64_t n, const DropoutParams& params,
                               std::uint8_t* mask) = 0;
  virtual void dropout_backward(const float* dy, const std::uint8_t* mask, float* dx, std::int64_t n, float p) = 0;
  virtual void dropout_backward(const bf16* dy, const std::uint8_t* mask, bf16* dx, std::int64_t n, float p) = 0;
  virtual void dropout_backward_recompute(const float* dy, float* dx, std::int64_t n, const DropoutParams& params) = 0;
  virtual void dropout_backward_recompute(const bf16* dy, bf16* dx, std::int64_t n, const DropoutParams& params) = 0;

  // One reduction of n elements of dtype at x (and y for dot) into *result: accum_t of the
  // dtype, or std::int64_t for argmax/argmin.
  virtual void reduce(ReduceOp op, Dtype dtype, const void* x, const void* y, std::int64_t n, void* result) = 0;
  // row_sums (per_row) or column_sums of the batch of matrices at x into out (accum_t of dtype).
  virtual void axis_sums(bool per_row, Dtype dtype, const void* x, const MatrixLayout& m, void* out) = 0;

  // gemm (detnum/gemm.hpp) with inputs of dtype `in` (f32, bf16, fp16) and C of dtype `out` (f32,
  // bf16); gemm_strided_batched where batch != 1 (the reference: ref::gemm on each matrix, which
  // is what a strided batch promises). The CUDA backends use a tile configuration or split of k
  // of their own.
  struct GemmCall {
    Dtype in, out;
    Transpose trans_a, trans_b;
    std::int64_t m, n, k;
    float alpha;
    const void* a;
    std::int64_t lda;
    const void* b;
    std::int64_t ldb;
    float beta;
    void* c;
    std::int64_t ldc;
    std::int64_t stride_a = 0, stride_b = 0, stride_c = 0, batch = 1;
  };
  virtual void gemm(const GemmCall& g) = 0;

  // One row op (detnum/softmax.hpp, detnum/norm.hpp) of a dense rows x cols float matrix. Which
  // pointers an op reads and writes is its signature's; the others are ignored.
  struct RowCall {
    RowOp op;
    std::int64_t rows, cols;
    float eps;                    // layer_norm, rms_norm
    const float* x;               // x; logits; the forward output y for (log_)softmax_backward
    const float* dy;              // the backward passes
    const float* gamma;           // cols values (the norms)
    const float* beta;            // cols values (layer_norm)
    const float* mean;            // rows values: layer_norm's, for layer_norm_backward
    const float* rstd;            // rows values: layer_norm's or rms_norm's, for their backward passes
    const std::int32_t* labels;   // rows labels (cross_entropy)
    float* y;                     // rows x cols: y, dx or dlogits
    float* loss;                  // one value (cross_entropy); rows for per-row losses
    float* mean_out;              // rows values (layer_norm)
    float* rstd_out;              // rows values (layer_norm, rms_norm)
    float* dgamma;                // cols values (the norms' backward passes)
    float* dbeta;                 // cols values (layer_norm_backward)
  };
  virtual void row_op(const RowCall& c) = 0;

  // One elementwise op (detnum/pointwise.hpp) of n floats; bias_add reads rows x cols (= n) of x
  // and cols of `other`. `other` is dy for the backward passes.
  struct PointwiseCall {
    PointwiseOp op;
    std::int64_t n, rows, cols;
    const float* x;
    const float* other;
    float* y;
  };
  virtual void pointwise(const PointwiseCall& c) = 0;

  // One AdamW update (detnum/adamw.hpp): param, m and v in place.
  virtual void adamw_step(float* param, const float* grad, float* m, float* v, std::int64_t n,
                          const AdamWParams& params) = 0;

  // AdamW of a list of tensors (detnum/adamw.hpp's list form), in place.
  virtual void adamw_list(std::span<const AdamWTensor> tensors, const AdamWParams& params) = 0;

  // One SGD update (detnum/sgd.hpp), and SGD of a list: param and momentum_buffer in place.
  virtual void sgd_step(float* param, const float* grad, float* momentum_buffer, std::int64_t n,
                        const SgdParams& params) = 0;
  virtual void sgd_list(std::span<const SgdTensor> tensors, const SgdParams& params) = 0;

  // Gradient clipping (detnum/clip.hpp): the tensors scaled in place; returns N.
  virtual float clip_grad_norm(std::span<const GradTensor> grads, float max_norm) = 0;

  // A loss of detnum/loss.hpp: loss holds n floats for none, else one; dx may be null.
  enum class LossKind { mse, bce_with_logits };
  virtual void loss(LossKind kind, const float* x, const float* target, std::int64_t n, LossReduction reduction,
                    float* loss, float* dx) = 0;

  // embedding_forward (table -> out, n x dim) or embedding_backward (dout -> dtable, vocab x dim)
  // of detnum/embedding.hpp.
  struct EmbeddingCall {
    bool backward;
    std::int64_t vocab, dim, n;
    const std::int32_t* ids;  // n ids
    const float* in;          // table (forward) or dout (backward)
    float* out;               // out (forward) or dtable (backward)
  };
  virtual void embedding(const EmbeddingCall& c) = 0;

  // scaled_dot_product_attention and then its backward pass from the forward's probs
  // (detnum/attention.hpp).
  struct AttentionCall {
    AttentionShape shape;
    AttentionOptions options;
    const float *q, *k, *v, *dout;
    float *out, *probs, *dq, *dk, *dv;
  };
  virtual void attention(const AttentionCall& c) = 0;

  // batch_norm with running statistics (updated in place) and then batch_norm_backward from its
  // mean and rstd (detnum/norm.hpp).
  struct BatchNormCall {
    std::int64_t rows, cols;
    float eps, momentum;
    const float *x, *gamma, *beta, *dy;
    float *y, *mean, *rstd, *running_mean, *running_var, *dx, *dgamma, *dbeta;
  };
  virtual void batch_norm(const BatchNormCall& c) = 0;
};

// The reference first, then cpu/1, cpu/2, cpu/3, cpu/7, then (with a CUDA device) the CUDA
// launch shapes on device 0.
std::vector<std::unique_ptr<Backend>> make_backends(const Environment& env);

// backend_cuda.cpp, or an empty list without the CUDA backend.
std::vector<std::unique_ptr<Backend>> make_cuda_backends(const Environment& env);

}  // namespace detnum::cli
