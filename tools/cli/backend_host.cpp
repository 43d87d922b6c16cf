// The host backends: detnum::ref:: (the definition) and detnum:: with CpuOptions{threads}, plus
// one run of the portable kernels.
// Thread counts 1, 2, 3 and 7 cut the work at different places (3 and 7 do not divide the
// batch sizes), which is what the thread-invariance promise is about.
#include <memory>
#include <string>

#include "backend.hpp"
#include "detnum/adamw.hpp"
#include "detnum/clip.hpp"
#include "detnum/embedding.hpp"
#include "detnum/gemm.hpp"
#include "detnum/loss.hpp"
#include "detnum/norm.hpp"
#include "detnum/pointwise.hpp"
#include "detnum/reduce.hpp"
#include "detnum/softmax.hpp"
#include "dtype_dispatch.hpp"

namespace detnum::cli {
namespace {

// One switch for both host backends: the reference when cpu is null, else the fast path.
template <class T>
void host_reduce(ReduceOp op, const T* x, const T* y, std::int64_t n, void* r, const CpuOptions* cpu) {
  switch (op) {
    case ReduceOp::sum: return put(r, cpu ? detnum::sum(x, n, *cpu) : ref::sum(x, n));
    case ReduceOp::asum: return put(r, cpu ? detnum::asum(x, n, *cpu) : ref::asum(x, n));
    case ReduceOp::dot: return put(r, cpu ? detnum::dot(x, y, n, *cpu) : ref::dot(x, y, n));
    case ReduceOp::nrm2: return put(r, cpu ? detnum::nrm2(x, n, *cpu) : ref::nrm2(x, n));
    case ReduceOp::mean: return put(r, cpu ? detnum::mean(x, n, *cpu) : ref::mean(x, n));
    case ReduceOp::variance: return put(r, cpu ? detnum::variance(x, n, Ddof{1}, *cpu) : ref::variance(x, n, Ddof{1}));
    case ReduceOp::max: return put(r, cpu ? detnum::max(x, n, *cpu) : ref::max(x, n));
    case ReduceOp::min: return put(r, cpu ? detnum::min(x, n, *cpu) : ref::min(x, n));
    case ReduceOp::amax: return put(r, cpu ? detnum::amax(x, n, *cpu) : ref::amax(x, n));
    case ReduceOp::amin: return put(r, cpu ? detnum::amin(x, n, *cpu) : ref::amin(x, n));
    case ReduceOp::argmax: return put(r, cpu ? detnum::argmax(x, n, *cpu) : ref::argmax(x, n));
    case ReduceOp::argmin: return put(r, cpu ? detnum::argmin(x, n, *cpu) : ref::argmin(x, n));
  }
}

void host_reduce(ReduceOp op, Dtype dtype, const void* x, const void* y, std::int64_t n, void* r,
                 const CpuOptions* cpu) {
  with_element_type(dtype, [&](auto type) {
    using P = decltype(type);
    host_reduce(op, static_cast<P>(x), static_cast<P>(y), n, r, cpu);
  });
}

// Row or column sums through the reference (cpu == nullptr) or the fast path.
void host_axis_sums(bool per_row, Dtype dtype, const void* x, const MatrixLayout& m, void* out, const CpuOptions* cpu) {
  with_element_type(dtype, [&](auto type) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(type)>>;
    const T* px = static_cast<const T*>(x);
    auto* po = static_cast<accum_t<T>*>(out);
    if (cpu == nullptr && per_row) ref::row_sums(px, m, po);
    else if (cpu == nullptr) ref::column_sums(px, m, po);
    else if (per_row) detnum::row_sums(px, m, po, *cpu);
    else detnum::column_sums(px, m, po, *cpu);
  });
}

// gemm through the reference (cpu == nullptr) or the fast path.
void host_gemm(const Backend::GemmCall& g, const CpuOptions* cpu) {
  with_gemm_types(g.in, g.out, [&](auto in_type, auto out_type) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(in_type)>>;
    using C = std::remove_pointer_t<decltype(out_type)>;
    const T* a = static_cast<const T*>(g.a);
    const T* b = static_cast<const T*>(g.b);
    C* c = static_cast<C*>(g.c);
    if (cpu != nullptr) {
      detnum::gemm_strided_batched(g.trans_a, g.trans_b, g.m, g.n, g.k, g.alpha, a, g.lda, g.stride_a, b, g.ldb,
                                   g.stride_b, g.beta, c, g.ldc, g.stride_c, g.batch, *cpu);
      return;
    }
    for (std::int64_t q = 0; q < g.batch; ++q)
      ref::gemm(g.trans_a, g.trans_b, g.m, g.n, g.k, g.alpha, a + q * g.stride_a, g.lda, b + q * g.stride_b, g.ldb,
                g.beta, c + q * g.stride_c, g.ldc);
  });
}

// A row op through the reference (cpu == nullptr) or the fast path.
void host_row_op(const Backend::RowCall& c, const CpuOptions* cpu) {
  const std::int64_t r = c.rows, k = c.cols;
  switch (c.op) {
    case RowOp::softmax:
      return cpu ? detnum::softmax(c.x, c.y, r, k, *cpu) : ref::softmax(c.x, c.y, r, k);
    case RowOp::softmax_backward:
      return cpu ? detnum::softmax_backward(c.x, c.dy, c.y, r, k, *cpu) : ref::softmax_backward(c.x, c.dy, c.y, r, k);
    case RowOp::log_softmax:
      return cpu ? detnum::log_softmax(c.x, c.y, r, k, *cpu) : ref::log_softmax(c.x, c.y, r, k);
    case RowOp::log_softmax_backward:
      return cpu ? detnum::log_softmax_backward(c.x, c.dy, c.y, r, k, *cpu)
                 : ref::log_softmax_backward(c.x, c.dy, c.y, r, k);
    case RowOp::causal_softmax:
      return cpu ? detnum::causal_softmax(c.x, c.y, r, k, check_causal_mask(c.op, k), *cpu)
                 : ref::causal_softmax(c.x, c.y, r, k, check_causal_mask(c.op, k));
    case RowOp::causal_softmax_backward:
      return cpu ? detnum::causal_softmax_backward(c.x, c.dy, c.y, r, k, check_causal_mask(c.op, k), *cpu)
                 : ref::causal_softmax_backward(c.x, c.dy, c.y, r, k, check_causal_mask(c.op, k));
    case RowOp::cross_entropy:
      return cpu ? detnum::cross_entropy(c.x, c.labels, r, k, c.loss, c.y, *cpu)
                 : ref::cross_entropy(c.x, c.labels, r, k, c.loss, c.y);
    case RowOp::cross_entropy_ignore:
    case RowOp::cross_entropy_smooth:
    case RowOp::cross_entropy_per_row:
      return cpu ? detnum::cross_entropy(c.x, c.labels, r, k, check_ce_options(c.op), c.loss, c.y, *cpu)
                 : ref::cross_entropy(c.x, c.labels, r, k, check_ce_options(c.op), c.loss, c.y);
    case RowOp::layer_norm:
      return cpu ? detnum::layer_norm(c.x, c.gamma, c.beta, c.y, c.mean_out, c.rstd_out, r, k, c.eps, *cpu)
                 : ref::layer_norm(c.x, c.gamma, c.beta, c.y, c.mean_out, c.rstd_out, r, k, c.eps);
    case RowOp::layer_norm_backward:
      return cpu ? detnum::layer_norm_backward(c.x, c.gamma, c.mean, c.rstd, c.dy, c.y, c.dgamma, c.dbeta, r, k, *cpu)
                 : ref::layer_norm_backward(c.x, c.gamma, c.mean, c.rstd, c.dy, c.y, c.dgamma, c.dbeta, r, k);
    case RowOp::rms_norm:
      return cpu ? detnum::rms_norm(c.x, c.gamma, c.y, c.rstd_out, r, k, c.eps, *cpu)
                 : ref::rms_norm(c.x, c.gamma, c.y, c.rstd_out, r, k, c.eps);
    case RowOp::rms_norm_backward:
      return cpu ? detnum::rms_norm_backward(c.x, c.gamma, c.rstd, c.dy, c.y, c.dgamma, r, k, *cpu)
                 : ref::rms_norm_backward(c.x, c.gamma, c.rstd, c.dy, c.y, c.dgamma, r, k);
  }
}

// An elementwise op through the reference (cpu == nullptr) or the fast path.
void host_pointwise(const Backend::PointwiseCall& c, const CpuOptions* cpu) {
  switch (c.op) {
    case PointwiseOp::relu: return cpu ? detnum::relu(c.x, c.y, c.n, *cpu) : ref::relu(c.x, c.y, c.n);
    case PointwiseOp::relu_backward:
      return cpu ? detnum::relu_backward(c.x, c.other, c.y, c.n, *cpu) : ref::relu_backward(c.x, c.other, c.y, c.n);
    case PointwiseOp::gelu: return cpu ? detnum::gelu(c.x, c.y, c.n, *cpu) : ref::gelu(c.x, c.y, c.n);
    case PointwiseOp::gelu_backward:
      return cpu ? detnum::gelu_backward(c.x, c.other, c.y, c.n, *cpu) : ref::gelu_backward(c.x, c.other, c.y, c.n);
    case PointwiseOp::gelu_tanh: return cpu ? detnum::gelu_tanh(c.x, c.y, c.n, *cpu) : ref::gelu_tanh(c.x, c.y, c.n);
    case PointwiseOp::gelu_tanh_backward:
      return cpu ? detnum::gelu_tanh_backward(c.x, c.other, c.y, c.n, *cpu)
                 : ref::gelu_tanh_backward(c.x, c.other, c.y, c.n);
    case PointwiseOp::silu: return cpu ? detnum::silu(c.x, c.y, c.n, *cpu) : ref::silu(c.x, c.y, c.n);
    case PointwiseOp::silu_backward:
      return cpu ? detnum::silu_backward(c.x, c.other, c.y, c.n, *cpu) : ref::silu_backward(c.x, c.other, c.y, c.n);
    case PointwiseOp::sigmoid: return cpu ? detnum::sigmoid(c.x, c.y, c.n, *cpu) : ref::sigmoid(c.x, c.y, c.n);
    case PointwiseOp::sigmoid_backward:
      return cpu ? detnum::sigmoid_backward(c.x, c.other, c.y, c.n, *cpu)
                 : ref::sigmoid_backward(c.x, c.other, c.y, c.n);
    case PointwiseOp::tanh: return cpu ? detnum::tanh(c.x, c.y, c.n, *cpu) : ref::tanh(c.x, c.y, c.n);
    case PointwiseOp::tanh_backward:
      return cpu ? detnum::tanh_backward(c.x, c.other, c.y, c.n, *cpu) : ref::tanh_backward(c.x, c.other, c.y, c.n);
    case PointwiseOp::bias_add:
      return cpu ? detnum::bias_add(c.x, c.other, c.y, c.rows, c.cols, *cpu)
                 : ref::bias_add(c.x, c.other, c.y, c.rows, c.cols);
  }
}

// An embedding lookup or gradient through the reference (cpu == nullptr) or the fast path.
void host_embedding(const Backend::EmbeddingCall& c, const CpuOptions* cpu) {
  if (!c.backward && cpu) detnum::embedding_forward(c.in, c.vocab, c.dim, c.ids, c.n, c.out, *cpu);
  else if (!c.backward) ref::embedding_forward(c.in, c.vocab, c.dim, c.ids, c.n, c.out);
  else if (cpu) detnum::embedding_backward(c.ids, c.n, c.in, c.vocab, c.dim, c.out, *cpu);
  else ref::embedding_backward(c.ids, c.n, c.in, c.vocab, c.dim, c.out);
}

// Batch norm's two passes through the reference (cpu == nullptr) or the fast path.
void host_batch_norm(const Backend::BatchNormCall& c, const CpuOptions* cpu) {
  const BatchNormRunning running{c.running_mean, c.running_var, c.momentum};
  if (cpu) {
    detnum::batch_norm(c.x, c.gamma, c.beta, c.y, c.mean, c.rstd, c.rows, c.cols, c.eps, running, *cpu);
    detnum::batch_norm_backward(c.x, c.gamma, c.mean, c.rstd, c.dy, c.dx, c.dgamma, c.dbeta, c.rows, c.cols, *cpu);
  } else {
    ref::batch_norm(c.x, c.gamma, c.beta, c.y, c.mean, c.rstd, c.rows, c.cols, c.eps, running);
    ref::batch_norm_backward(c.x, c.gamma, c.mean, c.rstd, c.dy, c.dx, c.dgamma, c.dbeta, c.rows, c.cols);
  }
}

// Attention's two passes through the reference (cpu == nullptr) or the fast path.
void host_attention(const Backend::AttentionCall& c, const CpuOptions* cpu) {
  if (cpu) {
    detnum::scaled_dot_product_attention(c.q, c.k, c.v, c.out, c.probs, c.shape, c.options, *cpu);
    detnum::scaled_dot_product_attention_backward(c.q, c.k, c.v, c.probs, c.dout, c.dq, c.dk, c.dv, c.shape, c.options,
                                                  *cpu);
  } else {
    ref::scaled_dot_product_attention(c.q, c.k, c.v, c.out, c.probs, c.shape, c.options);
    ref::scaled_dot_product_attention_backward(c.q, c.k, c.v, c.probs, c.dout, c.dq, c.dk, c.dv, c.shape, c.options);
  }
}

class RefBackend final : public Backend {
 public:
  std::string name() const override { return "ref"; }
  void dropout_forward(const float* x, float* y, std::int64_t n, const DropoutParams& params,
                       std::uint8_t* mask) override {
    ref::dropout_forward(x, y, n, params, mask);
  }
  void dropout_forward(const bf16* x, bf16* y, std::int64_t n, const DropoutParams& params,
                       std::uint8_t* mask) override {
    ref::dropout_forward(x, y, n, params, mask);
  }
  void dropout_backward(const float* dy, const std::uint8_t* mask, float* dx, std::int64_t n, float p) override {
    ref::dropout_backward(dy, mask, dx, n, p);
  }
  void dropout_backward(const bf16* dy, const std::uint8_t* mask, bf16* dx, std::int64_t n, float p) override {
    ref::dropout_backward(dy, mask, dx, n, p);
  }
  void dropout_backward_recompute(const float* dy, float* dx, std::int64_t n, const DropoutParams& params) override {
    ref::dropout_forward(dy, dx, n, params, nullptr);
  }
  void dropout_backward_recompute(const bf16* dy, bf16* dx, std::int64_t n, const DropoutParams& params) override {
    ref::dropout_forward(dy, dx, n, params, nullptr);
  }
  void reduce(ReduceOp op, Dtype dtype, const void* x, const void* y, std::int64_t n, void* result) override {
    host_reduce(op, dtype, x, y, n, result, nullptr);
  }
  void axis_sums(bool per_row, Dtype dtype, const void* x, const MatrixLayout& m, void* out) override {
    host_axis_sums(per_row, dtype, x, m, out, nullptr);
  }
  void gemm(const GemmCall& g) override { host_gemm(g, nullptr); }
  void row_op(const RowCall& c) override { host_row_op(c, nullptr); }
  void pointwise(const PointwiseCall& c) override { host_pointwise(c, nullptr); }
  void adamw_step(float* param, const float* grad, float* m, float* v, std::int64_t n,
                  const AdamWParams& params) override {
    ref::adamw_step(param, grad, m, v, n, params);
  }
  void adamw_list(std::span<const AdamWTensor> tensors, const AdamWParams& params) override {
    ref::adamw_step(tensors, params);
  }
  void sgd_step(float* param, const float* grad, float* buffer, std::int64_t n, const SgdParams& params) override {
    ref::sgd_step(param, grad, buffer, n, params);
  }
  void sgd_list(std::span<const SgdTensor> tensors, const SgdParams& params) override {
    ref::sgd_step(tensors, params);
  }
  float clip_grad_norm(std::span<const GradTensor> grads, float max_norm) override {
    return ref::clip_grad_norm(grads, max_norm);
  }
  void loss(LossKind k, const float* x, const float* t, std::int64_t n, LossReduction r, float* l, float* dx) override {
    if (k == LossKind::mse) ref::mse_loss(x, t, n, r, l, dx);
    else ref::binary_cross_entropy_with_logits(x, t, n, r, l, dx);
  }
  void embedding(const EmbeddingCall& c) override { host_embedding(c, nullptr); }
  void attention(const AttentionCall& c) override { host_attention(c, nullptr); }
  void batch_norm(const BatchNormCall& c) override { host_batch_norm(c, nullptr); }
};

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(CpuOptions options) : options_(options) {}
  std::string name() const override {
    return "cpu/" + std::to_string(options_.threads) + (options_.simd == CpuSimd::portable ? "/portable" : "");
  }
  void dropout_forward(const float* x, float* y, std::int64_t n, const DropoutParams& params,
                       std::uint8_t* mask) override {
    detnum::dropout_forward(x, y, n, params, mask, options_);
  }
  void dropout_forward(const bf16* x, bf16* y, std::int64_t n, const DropoutParams& params,
                       std::uint8_t* mask) override {
    detnum::dropout_forward(x, y, n, params, mask, options_);
  }
  void dropout_backward(const float* dy, const std::uint8_t* mask, float* dx, std::int64_t n, float p) override {
    detnum::dropout_backward(dy, mask, dx, n, p, options_);
  }
  void dropout_backward(const bf16* dy, const std::uint8_t* mask, bf16* dx, std::int64_t n, float p) override {
    detnum::dropout_backward(dy, mask, dx, n, p, options_);
  }
  void dropout_backward_recompute(const float* dy, float* dx, std::int64_t n, const DropoutParams& params) override {
    detnum::dropout_backward(dy, dx, n, params, options_);
  }
  void dropout_backward_recompute(const bf16* dy, bf16* dx, std::int64_t n, const DropoutParams& params) override {
    detnum::dropout_backward(dy, dx, n, params, options_);
  }
  void reduce(ReduceOp op, Dtype dtype, const void* x, const void* y, std::int64_t n, void* result) override {
    host_reduce(op, dtype, x, y, n, result, &options_);
  }
  void axis_sums(bool per_row, Dtype dtype, const void* x, const MatrixLayout& m, void* out) override {
    host_axis_sums(per_row, dtype, x, m, out, &options_);
  }
  void gemm(const GemmCall& g) override { host_gemm(g, &options_); }
  void row_op(const RowCall& c) override { host_row_op(c, &options_); }
  void pointwise(const PointwiseCall& c) override { host_pointwise(c, &options_); }
  void adamw_step(float* param, const float* grad, float* m, float* v, std::int64_t n,
                  const AdamWParams& params) override {
    detnum::adamw_step(param, grad, m, v, n, params, options_);
  }
  void adamw_list(std::span<const AdamWTensor> tensors, const AdamWParams& params) override {
    detnum::adamw_step(tensors, params, options_);
  }
  void sgd_step(float* param, const float* grad, float* buffer, std::int64_t n, const SgdParams& params) override {
    detnum::sgd_step(param, grad, buffer, n, params, options_);
  }
  void sgd_list(std::span<const SgdTensor> tensors, const SgdParams& params) override {
    detnum::sgd_step(tensors, params, options_);
  }
  float clip_grad_norm(std::span<const GradTensor> grads, float max_norm) override {
    return detnum::clip_grad_norm(grads, max_norm, options_);
  }
  void loss(LossKind k, const float* x, const float* t, std::int64_t n, LossReduction r, float* l, float* dx) override {
    if (k == LossKind::mse) detnum::mse_loss(x, t, n, r, l, dx, options_);
    else detnum::binary_cross_entropy_with_logits(x, t, n, r, l, dx, options_);
  }
  void embedding(const EmbeddingCall& c) override { host_embedding(c, &options_); }
  void attention(const AttentionCall& c) override { host_attention(c, &options_); }
  void batch_norm(const BatchNormCall& c) override { host_batch_norm(c, &options_); }

 private:
  CpuOptions options_;
};

}  // namespace

std::vector<std::unique_ptr<Backend>> make_backends(const Environment& env) {
  std::vector<std::unique_ptr<Backend>> b;
  b.push_back(std::make_unique<RefBackend>());
  for (const int threads : {1, 2, 3, 7}) b.push_back(std::make_unique<CpuBackend>(CpuOptions{threads}));
  b.push_back(std::make_unique<CpuBackend>(CpuOptions{3, CpuSimd::portable}));  // without the AVX2 kernels
  for (auto& c : make_cuda_backends(env)) b.push_back(std::move(c));
  return b;
}

}  // namespace detnum::cli
