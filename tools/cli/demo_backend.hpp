// What the demo's training step asks of a backend: memory, and detnum's ops with the arguments
// they take. Three implementations: detnum on the CPU at a given thread count, detnum on CUDA,
// and a CPU backend whose bias gradients add rows in an order that follows the thread count
// (what most libraries do, and what detnum removes). Every pointer comes from alloc().
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "detnum/adamw.hpp"
#include "detnum/clip.hpp"
#include "detnum/dropout.hpp"
#include "detnum/fingerprint.hpp"
#include "detnum/gemm.hpp"
#include "detnum/init.hpp"

namespace detnum::cli {

class DemoBackend {
 public:
  virtual ~DemoBackend() = default;
  virtual std::string name() const = 0;
  virtual std::string description() const = 0;

  // Memory for n elements, owned by the backend; floats start at zero.
  virtual float* floats(std::int64_t n) = 0;
  virtual std::int32_t* ints(std::int64_t n) = 0;
  virtual std::uint8_t* bytes(std::int64_t n) = 0;
  virtual void upload(float* dst, const float* src, std::int64_t n) = 0;
  virtual void upload(std::int32_t* dst, const std::int32_t* src, std::int64_t n) = 0;
  virtual void download(float* dst, const float* src, std::int64_t n) = 0;
  virtual Fingerprint fingerprint(const float* x, std::vector<std::int64_t> shape) = 0;

  // C = op(A) op(B) (alpha 1, beta 0), row-major.
  virtual void gemm(Transpose ta, Transpose tb, std::int64_t m, std::int64_t n, std::int64_t k, const float* a,
                    std::int64_t lda, const float* b, std::int64_t ldb, float* c, std::int64_t ldc) = 0;
  virtual void bias_add(float* x, const float* bias, std::int64_t rows, std::int64_t cols) = 0;
  virtual void column_sums(const float* x, std::int64_t rows, std::int64_t cols, float* out) = 0;
  virtual void layer_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* rstd,
                          std::int64_t rows, std::int64_t cols, float eps) = 0;
  virtual void layer_norm_backward(const float* x, const float* gamma, const float* mean, const float* rstd,
                                   const float* dy, float* dx, float* dgamma, float* dbeta, std::int64_t rows,
                                   std::int64_t cols) = 0;
  virtual void gelu(const float* x, float* y, std::int64_t n) = 0;
  virtual void gelu_backward(const float* x, const float* dy, float* dx, std::int64_t n) = 0;
  virtual void dropout_forward(const float* x, float* y, std::int64_t n, const DropoutParams& p,
                               std::uint8_t* mask) = 0;
  virtual void dropout_backward(const float* dy, const std::uint8_t* mask, float* dx, std::int64_t n, float p) = 0;
  // The mean loss is returned (to the host); dlogits (may be nullptr) receives its gradient.
  virtual float cross_entropy(const float* logits, const std::int32_t* labels, std::int64_t rows, std::int64_t cols,
                              float* dlogits) = 0;
  // One AdamW step of every parameter (detnum/adamw.hpp's list form).
  virtual void adamw_step(std::span<const AdamWTensor> params, const AdamWParams& p) = 0;
  virtual void init_uniform(float* x, std::int64_t n, float lo, float hi, InitParams p) = 0;
  // Gradient clipping by the global norm (detnum/clip.hpp): the gradients scaled in place; N on
  // the host.
  virtual float clip_grad_norm(std::span<const GradTensor> grads, float max_norm) = 0;
};

// Host memory for the CPU backends: buffers that never move (a deque of vectors), plain copies,
// host fingerprints.
class HostMemoryBackend : public DemoBackend {
 public:
  float* floats(std::int64_t n) override;
  std::int32_t* ints(std::int64_t n) override;
  std::uint8_t* bytes(std::int64_t n) override;
  void upload(float* dst, const float* src, std::int64_t n) override;
  void upload(std::int32_t* dst, const std::int32_t* src, std::int64_t n) override;
  void download(float* dst, const float* src, std::int64_t n) override;
  Fingerprint fingerprint(const float* x, std::vector<std::int64_t> shape) override;

 private:
  std::deque<std::vector<float>> floats_;
  std::deque<std::vector<std::int32_t>> ints_;
  std::deque<std::vector<std::uint8_t>> bytes_;
};

// Column sums the conventional way: `threads` ranges of rows, each added in order, then the
// ranges' partial sums added in range order. Correct to rounding, but where the ranges start
// depends on the thread count, and so do the bits.
void per_thread_column_sums(const float* x, std::int64_t rows, std::int64_t cols, int threads, float* out);

// detnum on the CPU with `threads` threads; `naive_bias_grad`: column sums by per-thread row
// ranges added in thread order instead (so the bits follow the thread count).
std::unique_ptr<DemoBackend> make_host_demo_backend(int threads, bool naive_bias_grad);
// detnum on CUDA device 0; nullptr (and `why` says why) without a usable device or backend.
std::unique_ptr<DemoBackend> make_cuda_demo_backend(std::string& why);

}  // namespace detnum::cli
