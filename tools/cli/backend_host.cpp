// The host backends: detnum::ref:: (the definition) and detnum:: with CpuOptions{threads}, plus
// one run of the portable kernels.
// Thread counts 1, 2, 3 and 7 cut the work at different places (3 and 7 do not divide the
// batch sizes), which is what the thread-invariance promise is about.
#include <memory>
#include <string>

#include "backend.hpp"

namespace detnum::cli {
namespace {

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
