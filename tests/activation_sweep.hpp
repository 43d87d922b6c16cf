// An activation's AVX2 loops (src/cpu/activations_avx2.cpp and the compiler's, CpuSimd::best)
// against its portable loops (CpuSimd::portable, the reference's per-element steps):
// pointwise_test samples every 251st float, math_exhaustive_test takes every input. dy runs
// through the same inputs in another order, so its specials meet every kind of x.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "detnum/pointwise.hpp"
#include "float_sweep.hpp"

namespace detnum::test {

using Activation = void (*)(const float*, float*, std::int64_t, CpuOptions);
using ActivationGrad = void (*)(const float*, const float*, float*, std::int64_t, CpuOptions);

// forward and backward (detnum::gelu and gelu_backward, ...), `name` in messages. The backward
// pass takes x as its first operand, also where it means the forward's output (sigmoid, tanh):
// every float meets every other kind of value either way.
inline void activation_paths_agree(std::uint32_t stride, const char* name, Activation forward,
                                   ActivationGrad backward) {
  if (!__builtin_cpu_supports("avx2")) GTEST_SKIP() << "no AVX2 on this CPU: both paths are the portable one";
  expect_agree_on_floats(stride, name, [&](const std::vector<float>& x, std::uint32_t& first) {
    const auto n = static_cast<std::int64_t>(x.size());
    std::vector<float> dy(x.size()), y[2], dx[2];
    for (std::size_t j = 0; j < x.size(); ++j) dy[j] = x[(j * 7919) % x.size()];
    const CpuOptions paths[2] = {{1, CpuSimd::best}, {1, CpuSimd::portable}};
    for (int p = 0; p < 2; ++p) {
      y[p].resize(x.size());
      dx[p].resize(x.size());
      forward(x.data(), y[p].data(), n, paths[p]);
      backward(x.data(), dy.data(), dx[p].data(), n, paths[p]);
    }
    return differing_inputs(x, y, dx, first);
  });
}

}  // namespace detnum::test
