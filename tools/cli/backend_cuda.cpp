// The CUDA backends: detnum::cuda:: on device 0 with several launch shapes (LaunchConfig is
// block threads x grid blocks; grid 0 lets detnum fill the device). Each call mirrors its host
// buffers on the device: same bytes (outputs too, so a sentinel the caller wrote shows where a
// kernel wrote nothing), same address modulo 16 (so a misaligned host buffer takes the kernels'
// misaligned path), the same buffer for an in-place call. Then it runs, waits and copies the
// outputs back.
#include <cuda_runtime_api.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "backend.hpp"
#include "detnum/cuda/adamw.hpp"
#include "detnum/cuda/attention.hpp"
#include "detnum/cuda/clip.hpp"
#include "detnum/cuda/dropout.hpp"
#include "detnum/cuda/embedding.hpp"
#include "detnum/cuda/gemm.hpp"
#include "detnum/cuda/loss.hpp"
#include "detnum/cuda/norm.hpp"
#include "detnum/cuda/pointwise.hpp"
#include "detnum/cuda/reduce.hpp"
#include "detnum/cuda/sgd.hpp"
#include "detnum/cuda/softmax.hpp"
#include "detnum/error.hpp"
#include "dtype_dispatch.hpp"

namespace detnum::cli {
namespace {

void check_cuda(cudaError_t err, const char* call) {
  if (err == cudaSuccess) return;
  (void)cudaGetLastError();
  throw Error(ErrorCode::cuda_error,
              std::string("check: ") + call + " failed: " + cudaGetErrorString(err) + " (" + cudaGetErrorName(err) + ")");
}

constexpr std::uintptr_t kAlign = 16;

// Device memory standing in for `bytes` bytes of host memory at `host`.
class Mirror {
 public:
  Mirror(const void* host, std::size_t bytes) : bytes_(bytes) {
    if (host == nullptr || bytes == 0) return;
    check_cuda(cudaMalloc(&base_, bytes + kAlign), "cudaMalloc");
    ptr_ = static_cast<char*>(base_) + reinterpret_cast<std::uintptr_t>(host) % kAlign;
    check_cuda(cudaMemcpy(ptr_, host, bytes, cudaMemcpyHostToDevice), "cudaMemcpy to device");
  }
  Mirror(const Mirror&) = delete;
  Mirror& operator=(const Mirror&) = delete;
  ~Mirror() {
    if (base_) (void)cudaFree(base_);
  }
  template <class T>
  T* get() const {
    return static_cast<T*>(ptr_);
  }
  void copy_back(void* host) const {
    if (ptr_) check_cuda(cudaMemcpy(host, ptr_, bytes_, cudaMemcpyDeviceToHost), "cudaMemcpy to host");
  }

 private:
  void* base_ = nullptr;
  void* ptr_ = nullptr;
  std::size_t bytes_;
};

void finish() {
  check_cuda(cudaGetLastError(), "kernel launch");
  check_cuda(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
}

std::size_t mask_bytes(std::int64_t n) { return static_cast<std::size_t>((n + 7) / 8); }
std::size_t floats(std::int64_t n) { return static_cast<std::size_t>(n) * sizeof(float); }

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(cuda::LaunchConfig launch) : launch_(launch) {}
  std::string name() const override {
    return "cuda/" + std::to_string(launch_.block_threads) + "x" + std::to_string(launch_.grid_blocks);
  }

  void dropout_forward(const float* x, float* y, std::int64_t n, const DropoutParams& params,
                       std::uint8_t* mask) override {
    forward(x, y, n, params, mask);
  }
  void dropout_forward(const bf16* x, bf16* y, std::int64_t n, const DropoutParams& params,
                       std::uint8_t* mask) override {
    forward(x, y, n, params, mask);
  }
  void dropout_backward(const float* dy, const std::uint8_t* mask, float* dx, std::int64_t n, float p) override {
    backward(dy, mask, dx, n, p);
  }
  void dropout_backward(const bf16* dy, const std::uint8_t* mask, bf16* dx, std::int64_t n, float p) override {
    backward(dy, mask, dx, n, p);
  }
  void dropout_backward_recompute(const float* dy, float* dx, std::int64_t n, const DropoutParams& params) override {
    recompute(dy, dx, n, params);
  }
  void dropout_backward_recompute(const bf16* dy, bf16* dx, std::int64_t n, const DropoutParams& params) override {
    recompute(dy, dx, n, params);
  }

  void reduce(ReduceOp op, Dtype dtype, const void* x, const void* y, std::int64_t n, void* result) override {
    with_element_type(dtype, [&](auto type) {
      using T = std::remove_const_t<std::remove_pointer_t<decltype(type)>>;
      reduce_typed(op, static_cast<const T*>(x), static_cast<const T*>(y), n, result);
    });
  }

  void axis_sums(bool per_row, Dtype dtype, const void* x, const MatrixLayout& m, void* out) override {
    with_element_type(dtype, [&](auto type) {
      using T = std::remove_const_t<std::remove_pointer_t<decltype(type)>>;
      const bool empty = m.rows == 0 || m.cols == 0 || m.batch == 0;
      const std::int64_t extent = empty ? 0 : (m.batch - 1) * m.batch_stride + (m.rows - 1) * m.ld + m.cols;
      const std::int64_t count = m.batch * (per_row ? m.rows : m.cols);
      Mirror dx(x, static_cast<std::size_t>(extent) * sizeof(T));
      Mirror dout(out, static_cast<std::size_t>(count) * sizeof(accum_t<T>));
      if (per_row) cuda::row_sums(dx.get<const T>(), m, dout.get<accum_t<T>>(), nullptr, {}, launch_);
      else cuda::column_sums(dx.get<const T>(), m, dout.get<accum_t<T>>(), nullptr, {}, launch_);
      finish();
      dout.copy_back(out);
    });
  }

  // Each launch shape stands for a GEMM tuning of its own: tile and split of k.
  void gemm(const GemmCall& g) override {
    with_gemm_types(g.in, g.out, [&](auto in_type, auto out_type) {
      using T = std::remove_const_t<std::remove_pointer_t<decltype(in_type)>>;
      using C = std::remove_pointer_t<decltype(out_type)>;
      const bool ta = g.trans_a == Transpose::yes, tb = g.trans_b == Transpose::yes;
      // The elements of a batch of rows x cols matrices, stride apart.
      const auto extent = [&](std::int64_t rows, std::int64_t cols, std::int64_t ld, std::int64_t stride) {
        return rows == 0 || cols == 0 || g.batch == 0 ? std::int64_t{0} : (g.batch - 1) * stride + (rows - 1) * ld + cols;
      };
      const bool reads_ab = g.m > 0 && g.n > 0 && g.k > 0 && g.alpha != 0.0f;
      const std::int64_t ea = reads_ab ? extent(ta ? g.k : g.m, ta ? g.m : g.k, g.lda, g.stride_a) : 0;
      const std::int64_t eb = reads_ab ? extent(tb ? g.n : g.k, tb ? g.k : g.n, g.ldb, g.stride_b) : 0;
      Mirror da(g.a, static_cast<std::size_t>(ea) * sizeof(T)), db(g.b, static_cast<std::size_t>(eb) * sizeof(T));
      Mirror dc(g.c, static_cast<std::size_t>(extent(g.m, g.n, g.ldc, g.stride_c)) * sizeof(C));
      cuda::gemm_strided_batched(g.trans_a, g.trans_b, g.m, g.n, g.k, g.alpha, da.get<const T>(), g.lda, g.stride_a,
                                 db.get<const T>(), g.ldb, g.stride_b, g.beta, dc.get<C>(), g.ldc, g.stride_c, g.batch,
                                 nullptr, {}, gemm_config());
      finish();
      dc.copy_back(g.c);
    });
  }

  // Every buffer the call names is mirrored (those it does not name are null on both sides).
  void row_op(const RowCall& c) override {
    const std::int64_t r = c.rows, k = c.cols;
    Mirror x(c.x, floats(r * k)), dy(c.dy, floats(r * k)), gamma(c.gamma, floats(k)), beta(c.beta, floats(k));
    Mirror mean(c.mean, floats(r)), rstd(c.rstd, floats(r));
    Mirror labels(c.labels, static_cast<std::size_t>(r) * sizeof(std::int32_t));
    Mirror y(c.y, floats(r * k)), loss(c.loss, floats(c.op == RowOp::cross_entropy_per_row ? r : 1));
    Mirror mean_out(c.mean_out, floats(r));
    Mirror rstd_out(c.rstd_out, floats(r)), dgamma(c.dgamma, floats(k)), dbeta(c.dbeta, floats(k));
    const float* px = x.get<const float>();
    const cuda::Workspace ws{};  // stream-ordered, taken and returned by each call
    switch (c.op) {
      case RowOp::softmax: cuda::softmax(px, y.get<float>(), r, k, nullptr, launch_); break;
      case RowOp::softmax_backward:
        cuda::softmax_backward(px, dy.get<const float>(), y.get<float>(), r, k, nullptr, launch_);
        break;
      case RowOp::log_softmax: cuda::log_softmax(px, y.get<float>(), r, k, nullptr, launch_); break;
      case RowOp::log_softmax_backward:
        cuda::log_softmax_backward(px, dy.get<const float>(), y.get<float>(), r, k, nullptr, launch_);
        break;
      case RowOp::causal_softmax:
        cuda::causal_softmax(px, y.get<float>(), r, k, check_causal_mask(c.op, k), nullptr, launch_);
        break;
      case RowOp::causal_softmax_backward:
        cuda::causal_softmax_backward(px, dy.get<const float>(), y.get<float>(), r, k, check_causal_mask(c.op, k),
                                      nullptr, launch_);
        break;
      case RowOp::cross_entropy:
        cuda::cross_entropy(px, labels.get<const std::int32_t>(), r, k, loss.get<float>(), y.get<float>(), nullptr, ws,
                            launch_);
        break;
      case RowOp::cross_entropy_ignore:
      case RowOp::cross_entropy_smooth:
      case RowOp::cross_entropy_per_row:
        cuda::cross_entropy(px, labels.get<const std::int32_t>(), r, k, check_ce_options(c.op), loss.get<float>(),
                            y.get<float>(), nullptr, ws, launch_);
        break;
      case RowOp::layer_norm:
        cuda::layer_norm(px, gamma.get<const float>(), beta.get<const float>(), y.get<float>(), mean_out.get<float>(),
                         rstd_out.get<float>(), r, k, c.eps, nullptr, launch_);
        break;
      case RowOp::layer_norm_backward:
        cuda::layer_norm_backward(px, gamma.get<const float>(), mean.get<const float>(), rstd.get<const float>(),
                                  dy.get<const float>(), y.get<float>(), dgamma.get<float>(), dbeta.get<float>(), r, k,
                                  nullptr, ws, launch_);
        break;
      case RowOp::rms_norm:
        cuda::rms_norm(px, gamma.get<const float>(), y.get<float>(), rstd_out.get<float>(), r, k, c.eps, nullptr,
                       launch_);
        break;
      case RowOp::rms_norm_backward:
        cuda::rms_norm_backward(px, gamma.get<const float>(), rstd.get<const float>(), dy.get<const float>(),
                                y.get<float>(), dgamma.get<float>(), r, k, nullptr, ws, launch_);
        break;
    }
    finish();
    y.copy_back(c.y);
    loss.copy_back(c.loss);
    mean_out.copy_back(c.mean_out);
    rstd_out.copy_back(c.rstd_out);
    dgamma.copy_back(c.dgamma);
    dbeta.copy_back(c.dbeta);
  }

  void pointwise(const PointwiseCall& c) override {
    Mirror x(c.x, floats(c.n)), y(c.y, floats(c.n));
    Mirror other(c.other, floats(c.op == PointwiseOp::bias_add ? c.cols : c.n));
    const float* px = x.get<const float>();
    const float* po = other.get<const float>();
    float* py = y.get<float>();
    switch (c.op) {
      case PointwiseOp::relu: cuda::relu(px, py, c.n, nullptr, launch_); break;
      case PointwiseOp::relu_backward: cuda::relu_backward(px, po, py, c.n, nullptr, launch_); break;
      case PointwiseOp::gelu: cuda::gelu(px, py, c.n, nullptr, launch_); break;
      case PointwiseOp::gelu_backward: cuda::gelu_backward(px, po, py, c.n, nullptr, launch_); break;
      case PointwiseOp::gelu_tanh: cuda::gelu_tanh(px, py, c.n, nullptr, launch_); break;
      case PointwiseOp::gelu_tanh_backward: cuda::gelu_tanh_backward(px, po, py, c.n, nullptr, launch_); break;
      case PointwiseOp::silu: cuda::silu(px, py, c.n, nullptr, launch_); break;
      case PointwiseOp::silu_backward: cuda::silu_backward(px, po, py, c.n, nullptr, launch_); break;
      case PointwiseOp::sigmoid: cuda::sigmoid(px, py, c.n, nullptr, launch_); break;
      case PointwiseOp::sigmoid_backward: cuda::sigmoid_backward(px, po, py, c.n, nullptr, launch_); break;
      case PointwiseOp::tanh: cuda::tanh(px, py, c.n, nullptr, launch_); break;
      case PointwiseOp::tanh_backward: cuda::tanh_backward(px, po, py, c.n, nullptr, launch_); break;
      case PointwiseOp::bias_add: cuda::bias_add(px, po, py, c.rows, c.cols, nullptr, launch_); break;
    }
    finish();
    y.copy_back(c.y);
  }

  void adamw_step(float* param, const float* grad, float* m, float* v, std::int64_t n,
                  const AdamWParams& params) override {
    Mirror dp(param, floats(n)), dg(grad, floats(n)), dm(m, floats(n)), dv(v, floats(n));
    cuda::adamw_step(dp.get<float>(), dg.get<const float>(), dm.get<float>(), dv.get<float>(), n, params, nullptr,
                     launch_);
    finish();
    dp.copy_back(param);
    dm.copy_back(m);
    dv.copy_back(v);
  }

  void sgd_step(float* param, const float* grad, float* buffer, std::int64_t n, const SgdParams& params) override {
    Mirror dp(param, floats(n)), dg(grad, floats(n)), db(buffer, floats(n));
    cuda::sgd_step(dp.get<float>(), dg.get<const float>(), db.get<float>(), n, params, nullptr, launch_);
    finish();
    dp.copy_back(param);
    db.copy_back(buffer);
  }

  void sgd_list(std::span<const SgdTensor> tensors, const SgdParams& params) override {
    std::vector<std::unique_ptr<Mirror>> mirrors;  // param, grad, buffer of each tensor
    std::vector<SgdTensor> on_device;
    for (const SgdTensor& t : tensors) {
      for (const void* a : {static_cast<const void*>(t.param), static_cast<const void*>(t.grad),
                            static_cast<const void*>(t.momentum_buffer)})
        mirrors.push_back(std::make_unique<Mirror>(a, floats(t.n)));
      const std::size_t k = mirrors.size() - 3;
      on_device.push_back({mirrors[k]->get<float>(), mirrors[k + 1]->get<const float>(), mirrors[k + 2]->get<float>(), t.n});
    }
    cuda::sgd_step(on_device, params, nullptr, launch_);
    finish();
    for (std::size_t t = 0; t < tensors.size(); ++t) {
      mirrors[3 * t]->copy_back(tensors[t].param);
      mirrors[3 * t + 2]->copy_back(tensors[t].momentum_buffer);
    }
  }

  void adamw_list(std::span<const AdamWTensor> tensors, const AdamWParams& params) override {
    std::vector<std::unique_ptr<Mirror>> mirrors;  // param, grad, m, v of each tensor
    std::vector<AdamWTensor> on_device;
    for (const AdamWTensor& t : tensors) {
      for (const void* a : {static_cast<const void*>(t.param), static_cast<const void*>(t.grad),
                            static_cast<const void*>(t.m), static_cast<const void*>(t.v)})
        mirrors.push_back(std::make_unique<Mirror>(a, floats(t.n)));
      const std::size_t k = mirrors.size() - 4;
      on_device.push_back({mirrors[k]->get<float>(), mirrors[k + 1]->get<const float>(), mirrors[k + 2]->get<float>(),
                           mirrors[k + 3]->get<float>(), t.n});
    }
    cuda::adamw_step(on_device, params, nullptr, launch_);
    finish();
    for (std::size_t t = 0; t < tensors.size(); ++t) {
      mirrors[4 * t]->copy_back(tensors[t].param);
      mirrors[4 * t + 2]->copy_back(tensors[t].m);
      mirrors[4 * t + 3]->copy_back(tensors[t].v);
    }
  }

  void loss(LossKind k, const float* x, const float* t, std::int64_t n, LossReduction r, float* l, float* dx) override {
    const std::int64_t count = r == LossReduction::none ? n : 1;
    Mirror dx_(x, floats(n)), dt(t, floats(n)), dloss(l, floats(count)), ddx(dx, floats(n));
    if (k == LossKind::mse)
      cuda::mse_loss(dx_.get<const float>(), dt.get<const float>(), n, r, dloss.get<float>(), ddx.get<float>(),
                     nullptr, {}, launch_);
    else
      cuda::binary_cross_entropy_with_logits(dx_.get<const float>(), dt.get<const float>(), n, r, dloss.get<float>(),
                                             ddx.get<float>(), nullptr, {}, launch_);
    finish();
    dloss.copy_back(l);
    ddx.copy_back(dx);
  }

  float clip_grad_norm(std::span<const GradTensor> grads, float max_norm) override {
    std::vector<std::unique_ptr<Mirror>> mirrors;
    std::vector<GradTensor> on_device;
    for (const GradTensor& g : grads) {
      mirrors.push_back(std::make_unique<Mirror>(g.data, floats(g.n)));
      on_device.push_back({mirrors.back()->get<float>(), g.n});
    }
    float total = 0.0f;
    Mirror norm(&total, sizeof total);
    cuda::clip_grad_norm(on_device, max_norm, norm.get<float>(), nullptr, {}, launch_);
    finish();
    for (std::size_t t = 0; t < grads.size(); ++t) mirrors[t]->copy_back(grads[t].data);
    norm.copy_back(&total);
    return total;
  }

  void embedding(const EmbeddingCall& c) override {
    Mirror ids(c.ids, static_cast<std::size_t>(c.n) * sizeof(std::int32_t));
    Mirror in(c.in, floats((c.backward ? c.n : c.vocab) * c.dim));
    Mirror out(c.out, floats((c.backward ? c.vocab : c.n) * c.dim));
    if (c.backward)
      cuda::embedding_backward(ids.get<const std::int32_t>(), c.n, in.get<const float>(), c.vocab, c.dim,
                               out.get<float>(), nullptr, {}, launch_);
    else
      cuda::embedding_forward(in.get<const float>(), c.vocab, c.dim, ids.get<const std::int32_t>(), c.n,
                              out.get<float>(), nullptr, launch_);
    finish();
    out.copy_back(c.out);
  }

  void attention(const AttentionCall& c) override {
    const AttentionShape& s = c.shape;
    const auto matrix = [&](std::int64_t rows, std::int64_t cols) { return floats(s.batch * rows * cols); };
    Mirror q(c.q, matrix(s.queries, s.head_dim)), k(c.k, matrix(s.keys, s.head_dim)),
        v(c.v, matrix(s.keys, s.value_dim)), dout(c.dout, matrix(s.queries, s.value_dim)),
        out(c.out, matrix(s.queries, s.value_dim)), probs(c.probs, matrix(s.queries, s.keys)),
        dq(c.dq, matrix(s.queries, s.head_dim)), dk(c.dk, matrix(s.keys, s.head_dim)),
        dv(c.dv, matrix(s.keys, s.value_dim));
    const cuda::AttentionConfig config{gemm_config(), launch_};
    cuda::scaled_dot_product_attention(q.get<const float>(), k.get<const float>(), v.get<const float>(), out.get<float>(),
                                       probs.get<float>(), s, c.options, nullptr, {}, config);
    cuda::scaled_dot_product_attention_backward(q.get<const float>(), k.get<const float>(), v.get<const float>(),
                                                probs.get<const float>(), dout.get<const float>(), dq.get<float>(),
                                                dk.get<float>(), dv.get<float>(), s, c.options, nullptr, {}, config);
    finish();
    out.copy_back(c.out);
    probs.copy_back(c.probs);
    dq.copy_back(c.dq);
    dk.copy_back(c.dk);
    dv.copy_back(c.dv);
  }

  void batch_norm(const BatchNormCall& c) override {
    const std::size_t matrix = floats(c.rows * c.cols), column = floats(c.cols);
    Mirror x(c.x, matrix), gamma(c.gamma, column), beta(c.beta, column), dy(c.dy, matrix), y(c.y, matrix),
        mean(c.mean, column), rstd(c.rstd, column), running_mean(c.running_mean, column),
        running_var(c.running_var, column), dx(c.dx, matrix), dgamma(c.dgamma, column), dbeta(c.dbeta, column);
    cuda::batch_norm(x.get<const float>(), gamma.get<const float>(), beta.get<const float>(), y.get<float>(),
                     mean.get<float>(), rstd.get<float>(), c.rows, c.cols, c.eps,
                     {running_mean.get<float>(), running_var.get<float>(), c.momentum}, nullptr, {}, launch_);
    cuda::batch_norm_backward(x.get<const float>(), gamma.get<const float>(), mean.get<const float>(),
                              rstd.get<const float>(), dy.get<const float>(), dx.get<float>(), dgamma.get<float>(),
                              dbeta.get<float>(), c.rows, c.cols, nullptr, {}, launch_);
    finish();
    for (const auto& [m, host] : {std::pair<const Mirror*, float*>{&y, c.y}, {&mean, c.mean}, {&rstd, c.rstd},
                                  {&running_mean, c.running_mean}, {&running_var, c.running_var}, {&dx, c.dx},
                                  {&dgamma, c.dgamma}, {&dbeta, c.dbeta}})
      m->copy_back(host);
  }

 private:
  cuda::GemmConfig gemm_config() const {
    switch (launch_.block_threads) {
      case 128: return {cuda::GemmTile::m64n64, 1};
      case 1024: return {cuda::GemmTile::m128n128, 1};
      case 32: return {cuda::GemmTile::m64n64, 3};
      default: return {};  // automatic
    }
  }

  template <class T>
  void reduce_typed(ReduceOp op, const T* x, const T* y, std::int64_t n, void* result) {
    const std::size_t bytes = static_cast<std::size_t>(n) * sizeof(T);
    Mirror dx(x, bytes), dy(y, y ? bytes : 0);
    const bool index = op == ReduceOp::argmax || op == ReduceOp::argmin;
    const std::size_t rbytes = index ? sizeof(std::int64_t) : sizeof(accum_t<T>);
    Mirror dr(result, rbytes);  // starts as the caller's sentinel bytes
    const T* px = dx.get<const T>();
    auto* r = dr.get<accum_t<T>>();
    auto* i = dr.get<std::int64_t>();
    const cuda::Workspace ws{};  // stream-ordered, taken and returned by each call
    switch (op) {
      case ReduceOp::sum: cuda::sum(px, n, r, nullptr, ws, launch_); break;
      case ReduceOp::asum: cuda::asum(px, n, r, nullptr, ws, launch_); break;
      case ReduceOp::dot: cuda::dot(px, dy.get<const T>(), n, r, nullptr, ws, launch_); break;
      case ReduceOp::nrm2: cuda::nrm2(px, n, r, nullptr, ws, launch_); break;
      case ReduceOp::mean: cuda::mean(px, n, r, nullptr, ws, launch_); break;
      case ReduceOp::variance: cuda::variance(px, n, Ddof{1}, r, nullptr, ws, launch_); break;
      case ReduceOp::max: cuda::max(px, n, r, nullptr, ws, launch_); break;
      case ReduceOp::min: cuda::min(px, n, r, nullptr, ws, launch_); break;
      case ReduceOp::amax: cuda::amax(px, n, r, nullptr, ws, launch_); break;
      case ReduceOp::amin: cuda::amin(px, n, r, nullptr, ws, launch_); break;
      case ReduceOp::argmax: cuda::argmax(px, n, i, nullptr, ws, launch_); break;
      case ReduceOp::argmin: cuda::argmin(px, n, i, nullptr, ws, launch_); break;
    }
    finish();
    dr.copy_back(result);
  }

  template <class T>
  void forward(const T* x, T* y, std::int64_t n, const DropoutParams& params, std::uint8_t* mask) {
    const std::size_t bytes = static_cast<std::size_t>(n) * sizeof(T);
    Mirror dx(x, bytes);
    const bool in_place = static_cast<const void*>(x) == static_cast<const void*>(y);
    Mirror dy(in_place ? nullptr : y, in_place ? 0 : bytes);
    Mirror dm(mask, mask ? mask_bytes(n) : 0);
    T* dev_y = in_place ? dx.get<T>() : dy.get<T>();
    cuda::dropout_forward(dx.get<const T>(), dev_y, n, params, mask ? dm.get<std::uint8_t>() : nullptr, nullptr,
                          launch_);
    finish();
    (in_place ? dx : dy).copy_back(y);
    if (mask) dm.copy_back(mask);
  }

  template <class T>
  void backward(const T* dy, const std::uint8_t* mask, T* dx, std::int64_t n, float p) {
    const std::size_t bytes = static_cast<std::size_t>(n) * sizeof(T);
    Mirror d_dy(dy, bytes), d_mask(mask, mask_bytes(n)), d_dx(dx, bytes);
    cuda::dropout_backward(d_dy.get<const T>(), d_mask.get<const std::uint8_t>(), d_dx.get<T>(), n, p, nullptr,
                           launch_);
    finish();
    d_dx.copy_back(dx);
  }

  template <class T>
  void recompute(const T* dy, T* dx, std::int64_t n, const DropoutParams& params) {
    const std::size_t bytes = static_cast<std::size_t>(n) * sizeof(T);
    Mirror d_dy(dy, bytes), d_dx(dx, bytes);
    cuda::dropout_backward(d_dy.get<const T>(), d_dx.get<T>(), n, params, nullptr, launch_);
    finish();
    d_dx.copy_back(dx);
  }

  cuda::LaunchConfig launch_;
};

}  // namespace

std::vector<std::unique_ptr<Backend>> make_cuda_backends(const Environment& env) {
  std::vector<std::unique_ptr<Backend>> b;
  if (env.gpus.empty()) return b;
  check_cuda(cudaSetDevice(0), "cudaSetDevice(0)");
  // Default grid; few blocks of few warps (every warp strides over many windows); the largest
  // block with one block; one-warp blocks with a grid that leaves most warps idle at small n.
  for (const cuda::LaunchConfig launch : {cuda::LaunchConfig{256, 0}, cuda::LaunchConfig{128, 7},
                                          cuda::LaunchConfig{1024, 1}, cuda::LaunchConfig{32, 1000}})
    b.push_back(std::make_unique<CudaBackend>(launch));
  return b;
}

}  // namespace detnum::cli
