// The host backends: detnum::ref:: (the definition) and detnum:: with CpuOptions{threads}, plus
// one run of the portable kernels.
// Thread counts 1, 2, 3 and 7 cut the work at different places (3 and 7 do not divide the
// batch sizes), which is what the thread-invariance promise is about.
#include <memory>
#include <string>

#include "backend.hpp"
#include "detnum/gemm.hpp"
#include "detnum/reduce.hpp"
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
    case ReduceOp::variance: return put(r, cpu ? detnum::variance(x, n, 1, *cpu) : ref::variance(x, n, 1));
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
    if (cpu == nullptr) ref::gemm(g.trans_a, g.trans_b, g.m, g.n, g.k, g.alpha, a, g.lda, b, g.ldb, g.beta, c, g.ldc);
    else detnum::gemm(g.trans_a, g.trans_b, g.m, g.n, g.k, g.alpha, a, g.lda, b, g.ldb, g.beta, c, g.ldc, *cpu);
  });
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
