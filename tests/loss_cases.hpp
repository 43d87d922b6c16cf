// The losses' cases, shared by loss_test.cpp (the fast CPU path) and loss_gpu_test.cu (CUDA):
// sizes around the chunk (8192) and the CPU grain (16384), every reduction, with and without the
// gradient, on inputs with specials; each backend's outputs against the reference's, bit for bit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "detnum/loss.hpp"
#include "support/data.hpp"

namespace detnum::test {

inline const std::int64_t kLossSizes[] = {0, 1, 2, 127, 8191, 8192, 8193, 16385, 100003};
inline constexpr LossReduction kReductions[] = {LossReduction::mean, LossReduction::sum, LossReduction::none};

inline const char* reduction_name(LossReduction r) {
  return r == LossReduction::mean ? "mean" : r == LossReduction::sum ? "sum" : "none";
}

// x and target with data.hpp's specials; loss and dx filled with a sentinel (a NaN's bits that no
// output has), so that an element left unwritten shows.
struct LossCase {
  std::int64_t n;
  LossReduction reduction;
  bool with_dx;
  std::vector<float> x, target;
  LossCase(std::int64_t n_, LossReduction r, bool dx, std::uint64_t seed = 31)
      : n(n_), reduction(r), with_dx(dx), x(random_floats(n_, seed)), target(random_floats(n_, seed + 1)) {}
  std::int64_t loss_count() const { return reduction == LossReduction::none ? n : 1; }
  std::string describe() const {
    return "n " + std::to_string(n) + ", " + reduction_name(reduction) + (with_dx ? ", with dx" : ", loss only");
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
inline LossOutputs reference_loss(const LossCase& c) {
  LossOutputs out = loss_buffers(c);
  ref::mse_loss(c.x.data(), c.target.data(), c.n, c.reduction, out.loss.data(), c.with_dx ? out.dx.data() : nullptr);
  return out;
}

}  // namespace detnum::test
