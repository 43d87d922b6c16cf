// The gradient lists that clip_test.cpp (the fast CPU path) and clip_gpu_test.cu (CUDA) both
// clip and compare with ref::clip_grad_norm: tensor sizes around the reductions' lane (128) and
// chunk (8192) boundaries, empty tensors and lists, with gradient-like values, and one list with
// special values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "detnum/clip.hpp"
#include "detnum/random.hpp"
#include "support/data.hpp"

namespace detnum::test {

// How a case's values are drawn (clip_inputs).
enum class ClipValues { gradients, specials, infinities, subnormals, overflowing };

struct ClipCase {
  std::string name;
  std::vector<std::int64_t> sizes;
  ClipValues values = ClipValues::gradients;
};

inline std::vector<ClipCase> clip_cases() {
  return {{"no tensors", {}},
          {"one empty tensor", {0}},
          {"one element", {1}},
          {"a model's shapes", {4096, 64, 64, 1, 8193, 0, 127, 129, 100003}},
          {"one long tensor", {300000}},
          {"many small tensors", std::vector<std::int64_t>(300, 7)},
          {"specials (NaNs among them)", {1000, 50}, ClipValues::specials},
          {"infinities, no NaN", {1000, 50}, ClipValues::infinities},
          {"subnormal gradients", {1000, 3, 50}, ClipValues::subnormals},
          {"finite gradients whose norm overflows", {1000, 50}, ClipValues::overflowing}};
}

// max_norm below, near and above the lists' norms, 0 (every gradient zeroed), a limit that is not
// a power of two (PyTorch's reciprocal-then-product differs from a division there) and +Inf.
inline const float kMaxNorms[] = {0.0f, 0.5f, 5.0f, 30.0f, 1e30f, __builtin_inff()};

// The gradients of a case, one vector per tensor: values in [-1, 1) scaled by a power of two per
// tensor (2^-8 .. 2^7); or data.hpp's mix (NaNs, infinities, subnormals); or the gradients with
// every 97th value +-Inf; or scaled into the subnormals (by 2^-140); or near FLT_MAX (N = +Inf).
inline std::vector<std::vector<float>> clip_inputs(const ClipCase& c, std::uint64_t seed) {
  std::vector<std::vector<float>> g;
  for (std::size_t t = 0; t < c.sizes.size(); ++t) {
    const std::int64_t n = c.sizes[t];
    if (c.values == ClipValues::specials) {
      g.push_back(random_floats(n, seed + t));
      continue;
    }
    const float scale = c.values == ClipValues::subnormals    ? 0x1p-140f
                        : c.values == ClipValues::overflowing ? 3e38f
                                                              : static_cast<float>(1 << (t % 16)) / 256.0f;
    std::vector<float> v(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
      v[i] = scale * (2.0f * uniform_float(stream_word(seed + t, 9, static_cast<std::uint64_t>(i))) - 1.0f);
      if (c.values == ClipValues::infinities && i % 97 == 5) v[i] = i % 2 ? __builtin_inff() : -__builtin_inff();
    }
    g.push_back(std::move(v));
  }
  return g;
}

// The list of tensors over the vectors of `g` (or over other memory holding them: `base[t]`).
inline std::vector<GradTensor> tensors_of(std::vector<std::vector<float>>& g) {
  std::vector<GradTensor> list;
  for (auto& v : g) list.push_back({v.empty() ? nullptr : v.data(), static_cast<std::int64_t>(v.size())});
  return list;
}

}  // namespace detnum::test
