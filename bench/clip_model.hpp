// The gradients that the clipping benchmarks clip (training_ops_bench.cpp, pointwise_bench.cu):
// `layers` transformer layers of GPT-2 small's shapes, 12 tensors a layer (width 768: the
// attention's qkv and output projections, the MLP's two matrices, their four biases, two layer
// norms' gamma and beta), 7.1 million floats a layer.
#pragma once

#include <cstdint>
#include <vector>

namespace detnum_bench {

inline std::vector<std::int64_t> clip_model_sizes(std::int64_t layers) {
  constexpr std::int64_t d = 768;
  std::vector<std::int64_t> sizes;
  for (std::int64_t l = 0; l < layers; ++l)
    for (const std::int64_t n : {d * 3 * d, 3 * d, d * d, d, d * 4 * d, 4 * d, 4 * d * d, d, d, d, d, d})
      sizes.push_back(n);
  return sizes;
}

// Clipped to a norm this large, c = 1: every call scales by 1 and the gradients stay as they were,
// call after call (as a step whose norm is under the limit).
constexpr float kClipMaxNorm = 1e30f;

}  // namespace detnum_bench
