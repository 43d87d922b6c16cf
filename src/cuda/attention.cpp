// Scaled dot-product attention on CUDA (detnum/cuda/attention.hpp): the steps of
// common/attention_steps.hpp over cuda::gemm_strided_batched and the row kernels, all queued on
// the call's stream. The workspace holds the temporary matrices, then (the caller's) the gemms'
// split of k.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/attention_steps.hpp"
#include "cuda/launch.hpp"
#include "cuda/stream_workspace.hpp"
#include "detnum/cuda/attention.hpp"
#include "detnum/cuda/gemm.hpp"
#include "detnum/cuda/softmax.hpp"

namespace detnum::cuda {
namespace {

// The gemms of either pass: (m, n, k) as attention_*_steps call them.
std::size_t gemms_workspace_bytes(const AttentionShape& s) {
  const std::int64_t L = s.queries, S = s.keys, E = s.head_dim, Ev = s.value_dim, B = s.batch;
  return std::max({gemm_workspace_bytes(L, S, E, B), gemm_workspace_bytes(L, Ev, S, B),
                   gemm_workspace_bytes(S, Ev, L, B), gemm_workspace_bytes(L, S, Ev, B),
                   gemm_workspace_bytes(L, E, S, B), gemm_workspace_bytes(S, E, L, B)});
}

std::size_t matrix_bytes(std::int64_t elements) {
  return workspace_round(static_cast<std::size_t>(elements) * sizeof(float));
}

// The CUDA ops on one stream, the gemms with their part of the workspace.
struct CudaAttention {
  cudaStream_t stream;
  Workspace gemm_ws;
  AttentionConfig config;
  void gemm(Transpose ta, Transpose tb, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, const float* a,
            std::int64_t lda, std::int64_t sa, const float* b, std::int64_t ldb, std::int64_t sb, float beta, float* c,
            std::int64_t ldc, std::int64_t sc, std::int64_t batch) const {
    gemm_strided_batched(ta, tb, m, n, k, alpha, a, lda, sa, b, ldb, sb, beta, c, ldc, sc, batch, stream, gemm_ws,
                         config.gemm);
  }
  void softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols) const {
    cuda::softmax(x, y, rows, cols, stream, config.rows);
  }
  void causal_softmax(const float* x, float* y, std::int64_t rows, std::int64_t cols, const CausalMask& m) const {
    cuda::causal_softmax(x, y, rows, cols, m, stream, config.rows);
  }
  void softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols) const {
    cuda::softmax_backward(y, dy, dx, rows, cols, stream, config.rows);
  }
  void causal_softmax_backward(const float* y, const float* dy, float* dx, std::int64_t rows, std::int64_t cols,
                               const CausalMask& m) const {
    cuda::causal_softmax_backward(y, dy, dx, rows, cols, m, stream, config.rows);
  }
};

// The config, and a row length the row kernels take (checked before any step writes).
void check_call(const char* fn, const detail::AttentionCall& c, AttentionConfig config) {
  detail::check_gemm_config(fn, config.gemm, "config.gemm");
  detail::check_launch(fn, config.rows, "config.rows");
  if (c.shape.keys > detail::kCudaMaxRowCols)
    detail::fail(ErrorCode::size_out_of_range, fn,
                 "shape.keys must be at most 2^39 (the longest row of the CUDA row kernels), got " +
                     std::to_string(c.shape.keys));
}

// `matrices` of P's size, then (in the caller's workspace) enough for any split of k the gemms
// choose; with Workspace{}, only the matrices, each gemm taking stream-ordered memory of its own
// when its plan splits k.
std::size_t workspace_need(const char* fn, const detail::AttentionCall& c, int matrices, bool callers) {
  const std::size_t matrix = matrix_bytes(c.probs), gemms = callers ? gemms_workspace_bytes(c.shape) : 0;
  if (matrix > (SIZE_MAX - gemms) / matrices)
    detail::fail(ErrorCode::size_out_of_range, fn, "the workspace of this shape exceeds 2^64 bytes");
  return matrices * matrix + gemms;
}

class AttentionWorkspace {
 public:
  AttentionWorkspace(const char* fn, const detail::AttentionCall& c, int matrices, Workspace ws, cudaStream_t stream,
                     std::initializer_list<CallBuffer> buffers)
      : matrix_(matrix_bytes(c.probs)),
        gemm_(ws.bytes == 0 ? 0 : gemms_workspace_bytes(c.shape)),
        matrices_(matrices),
        w_(fn, ws, workspace_need(fn, c, matrices, ws.bytes != 0), "cuda::attention_workspace_bytes(shape)", stream,
           buffers) {}
  float* matrix(int i) const { return reinterpret_cast<float*>(base() + i * matrix_); }
  // The gemms' part of the caller's workspace, or Workspace{} (each gemm allocates what it needs).
  Workspace gemm() const { return {gemm_ ? base() + matrices_ * matrix_ : nullptr, gemm_}; }

 private:
  unsigned char* base() const { return static_cast<unsigned char*>(w_.get()); }
  std::size_t matrix_, gemm_;
  int matrices_;
  StreamWorkspace w_;
};

std::int64_t bytes_of(std::int64_t elements) { return elements * std::int64_t{sizeof(float)}; }

}  // namespace

std::size_t attention_workspace_bytes(const AttentionShape& shape) {
  constexpr const char* fn = "cuda::attention_workspace_bytes";
  return workspace_need(fn, detail::check_attention(fn, shape, {}), 2, true);
}

void scaled_dot_product_attention(const float* q, const float* k, const float* v, float* out, float* probs,
                                  const AttentionShape& shape, const AttentionOptions& options, cudaStream_t stream,
                                  Workspace ws, AttentionConfig config) {
  constexpr const char* fn = "cuda::scaled_dot_product_attention";
  const detail::AttentionCall c =
      detail::check_attention_forward(fn, q, k, v, out, probs, shape, options, detail::device_reader(stream));
  check_call(fn, c, config);
  const AttentionWorkspace w(fn, c, 1, ws, stream,
                             {{"q", q, bytes_of(c.q)},
                              {"k", k, bytes_of(c.k)},
                              {"v", v, bytes_of(c.v)},
                              {"out", out, bytes_of(c.out)},
                              {"probs", probs, bytes_of(c.probs)}});
  detail::attention_forward_steps(CudaAttention{stream, w.gemm(), config}, c, q, k, v, out, probs, w.matrix(0));
}

void scaled_dot_product_attention_backward(const float* q, const float* k, const float* v, const float* probs,
                                           const float* dout, float* dq, float* dk, float* dv,
                                           const AttentionShape& shape, const AttentionOptions& options,
                                           cudaStream_t stream, Workspace ws, AttentionConfig config) {
  constexpr const char* fn = "cuda::scaled_dot_product_attention_backward";
  const detail::AttentionCall c = detail::check_attention_backward(fn, q, k, v, probs, dout, dq, dk, dv, shape, options,
                                                                   detail::device_reader(stream));
  check_call(fn, c, config);
  const AttentionWorkspace w(fn, c, 2, ws, stream,
                             {{"q", q, bytes_of(c.q)},
                              {"k", k, bytes_of(c.k)},
                              {"v", v, bytes_of(c.v)},
                              {"probs", probs, bytes_of(c.probs)},
                              {"dout", dout, bytes_of(c.out)},
                              {"dq", dq, bytes_of(c.q)},
                              {"dk", dk, bytes_of(c.k)},
                              {"dv", dv, bytes_of(c.v)}});
  detail::attention_backward_steps(CudaAttention{stream, w.gemm(), config}, c, q, k, v, probs, dout, dq, dk, dv,
                                   w.matrix(0), w.matrix(1));
}

}  // namespace detnum::cuda
