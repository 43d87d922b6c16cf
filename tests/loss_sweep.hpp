// The binary cross-entropy's AVX2 loop (src/cpu/loss_avx2.cpp, CpuSimd::best) against its
// portable loop (CpuSimd::portable, the reference's steps) on float logits: loss_test samples
// every 251st float, math_exhaustive_test takes every input. The targets run through the same
// inputs in another order, every third replaced by a label or a probability, so that specials meet
// every kind of logit and the usual targets do too.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "detnum/loss.hpp"
#include "float_sweep.hpp"

namespace detnum::test {

inline void bce_paths_agree(std::uint32_t stride) {
  if (!__builtin_cpu_supports("avx2")) GTEST_SKIP() << "no AVX2 on this CPU: both paths are the portable one";
  expect_agree_on_floats(stride, "binary_cross_entropy_with_logits", [](const std::vector<float>& x, std::uint32_t& first) {
    const auto n = static_cast<std::int64_t>(x.size());
    std::vector<float> t(x.size()), terms[2], dx[2];
    for (std::size_t j = 0; j < x.size(); ++j)
      t[j] = j % 3 == 0 ? static_cast<float>(j % 7) / 6.0f : x[(j * 7919) % x.size()];
    const CpuOptions paths[2] = {{1, CpuSimd::best}, {1, CpuSimd::portable}};
    for (int p = 0; p < 2; ++p) {
      terms[p].resize(x.size());
      dx[p].resize(x.size());
      binary_cross_entropy_with_logits(x.data(), t.data(), n, LossReduction::sum, terms[p].data(), dx[p].data(),
                                       paths[p]);
    }
    // The sum's gradient and the per-element terms (a second call: none writes the terms).
    for (int p = 0; p < 2; ++p)
      binary_cross_entropy_with_logits(x.data(), t.data(), n, LossReduction::none, terms[p].data(), nullptr, paths[p]);
    return differing_inputs(x, terms, dx, first);
  });
}

}  // namespace detnum::test
