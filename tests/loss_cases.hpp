// The losses' cases, shared by loss_test.cpp (the fast CPU path) and loss_gpu_test.cu (CUDA):
// sizes around the chunk (8192) and the CPU grain (16384), every reduction, with and without the
// gradient, on inputs with specials; each backend's outputs against the reference's, bit for bit.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "detnum/loss.hpp"
#include "detnum/random.hpp"
#include "support/data.hpp"

namespace detnum::test {

inline const std::int64_t kLossSizes[] = {0, 1, 2, 127, 8191, 8192, 8193, 16384, 16385, 24576, 100003};
inline constexpr LossReduction kReductions[] = {LossReduction::mean, LossReduction::sum, LossReduction::none};

// The losses of detnum/loss.hpp.
enum class LossOp { mse, bce_with_logits };
inline constexpr LossOp kLossOps[] = {LossOp::mse, LossOp::bce_with_logits};
inline const char* loss_name(LossOp op) { return op == LossOp::mse ? "mse_loss" : "binary_cross_entropy_with_logits"; }

inline const char* reduction_name(LossReduction r) {
  return r == LossReduction::mean ? "mean" : r == LossReduction::sum ? "sum" : "none";
}

// x and target with data.hpp's specials for per-element losses (for the cross-entropy, targets
// mostly in [0, 1], as labels or probabilities are); for a mean or a sum, finite values of at most
// 2^20 instead (a special among thousands of terms would make every such loss NaN, and the
// comparison of the reduction empty), but for one NaN in the last chunk with `last_nan`. loss and
// dx filled with a sentinel (a NaN's bits that no output has), so that an element left unwritten
// shows.
struct LossCase {
  LossOp op;
  std::int64_t n;
  LossReduction reduction;
  bool with_dx;
  std::vector<float> x, target;
  LossCase(LossOp o, std::int64_t n_, LossReduction r, bool dx, std::uint64_t seed = 31, bool last_nan = false)
      : op(o), n(n_), reduction(r), with_dx(dx), x(random_floats(n_, seed)), target(random_floats(n_, seed + 1)) {
    if (op == LossOp::bce_with_logits)
      for (std::int64_t j = 0; j < n; ++j)
        if (j % 5 != 0) target[j] = j % 3 == 0 ? static_cast<float>(j % 2) : uniform_float(static_cast<std::uint32_t>(j * 2654435761u));
    if (reduction == LossReduction::none) return;
    for (std::int64_t j = 0; j < n; ++j)
      for (float* v : {&x[j], &target[j]})
        if (!(std::fabs(*v) <= 0x1p20f)) *v = static_cast<float>(j % 17) - 8.0f;
    if (last_nan && n > 0) x[n - 1] = std::numeric_limits<float>::quiet_NaN();
  }
  std::int64_t loss_count() const { return reduction == LossReduction::none ? n : 1; }
  std::string describe() const {
    return std::string(loss_name(op)) + ", n " + std::to_string(n) + ", " + reduction_name(reduction) +
           (with_dx ? ", with dx" : ", loss only");
  }
};

inline constexpr std::uint32_t kLossSentinelBits = 0x7FBADBADu;

// The reference's loss and dx (dx empty without the gradient).
struct LossOutputs {
  std::vector<float> loss, dx;
};
inline LossOutputs loss_buffers(const LossCase& c) {
  return {std::vector<float>(static_cast<std::size_t>(c.loss_count()), float_from_bits(kLossSentinelBits)),
          std::vector<float>(c.with_dx ? static_cast<std::size_t>(c.n) : 0, float_from_bits(kLossSentinelBits))};
}
// Calls the case's loss through F: detnum:: (with CpuOptions bound), detnum::ref:: or
// detnum::cuda:: (with the stream, workspace and launch bound), an object with both losses as
// members, on pointers it reads.
template <class F>
void call_loss(const F& f, LossOp op, const float* x, const float* t, std::int64_t n, LossReduction r, float* loss,
               float* dx) {
  if (op == LossOp::mse) f.mse_loss(x, t, n, r, loss, dx);
  else f.binary_cross_entropy_with_logits(x, t, n, r, loss, dx);
}
struct RefLosses {
  void mse_loss(const float* x, const float* t, std::int64_t n, LossReduction r, float* l, float* dx) const {
    ref::mse_loss(x, t, n, r, l, dx);
  }
  void binary_cross_entropy_with_logits(const float* x, const float* t, std::int64_t n, LossReduction r, float* l,
                                        float* dx) const {
    ref::binary_cross_entropy_with_logits(x, t, n, r, l, dx);
  }
};
inline LossOutputs reference_loss(const LossCase& c) {
  LossOutputs out = loss_buffers(c);
  call_loss(RefLosses{}, c.op, c.x.data(), c.target.data(), c.n, c.reduction, out.loss.data(),
            c.with_dx ? out.dx.data() : nullptr);
  return out;
}

// f(c, want) for every loss, size, reduction and with and without the gradient, want being the
// reference's outputs (traced).
template <class F>
void for_each_loss_case(const F& f) {
  for (const LossOp op : kLossOps)
    for (const std::int64_t n : kLossSizes)
      for (const LossReduction r : kReductions)
        for (const bool with_dx : {true, false}) {
          const LossCase c(op, n, r, with_dx);
          SCOPED_TRACE(c.describe());
          f(c, reference_loss(c));
        }
}

}  // namespace detnum::test
