// The definition of init.hpp's fills, shared by every backend: each element as a function of its
// stream words, and the four elements of one Philox block, as the fast paths compute them.
#pragma once

#include <cstdint>

#include "detnum/bf16.hpp"
#include "detnum/detail/gemm_order.hpp"
#include "detnum/detail/ieee_only.hpp"
#include "detnum/hd.hpp"
#include "detnum/math.hpp"
#include "detnum/philox.hpp"
#include "detnum/random.hpp"

namespace detnum::detail {

// Element i of a fill of [lo, lo + width), width = hi - lo rounded to float.
DETNUM_HD float uniform_value(std::uint32_t word, float lo, float width) {
  return fused(width, uniform_float(word), lo);
}

// Box-Muller: the standard normal pair (z_2j, z_2j+1) of words 2j (radius) and 2j+1 (angle).
// u1 = (word + 1/2) 2^-32 rounded to float lies in [2^-33, 1], never 0, so log(u1) is finite
// and |z| <= sqrt(66 ln 2) = 6.764; the angle is 2 pi u2 with u2 = uniform_float(word), and
// cospi/sinpi take 2 u2 in [0, 2) exactly. Every step is a float operation rounded once.
struct NormalPair {
  float even, odd;
};
DETNUM_HD NormalPair normal_pair(std::uint32_t radius_word, std::uint32_t angle_word) {
  const auto u1 = static_cast<float>((static_cast<double>(radius_word) + 0.5) * 0x1p-32);
  const float r = math::sqrt(-2.0f * math::log(u1));
  const float t = 2.0f * uniform_float(angle_word);
  return {r * math::cospi(t), r * math::sinpi(t)};
}

DETNUM_HD float normal_value(float z, float mean, float stddev) { return fused(stddev, z, mean); }

// The four elements 4b .. 4b+3 that block b of the stream yields.
struct UniformBlock {
  float lo, width;
  DETNUM_HD void operator()(const PhiloxCounter& words, float (&v)[4]) const {
#if defined(__CUDACC__)
#pragma unroll
#endif
    for (int w = 0; w < 4; ++w) v[w] = uniform_value(words.w[w], lo, width);
  }
};
struct NormalBlock {
  float mean, stddev;
  DETNUM_HD void operator()(const PhiloxCounter& words, float (&v)[4]) const {
    const NormalPair a = normal_pair(words.w[0], words.w[1]), b = normal_pair(words.w[2], words.w[3]);
    v[0] = normal_value(a.even, mean, stddev);
    v[1] = normal_value(a.odd, mean, stddev);
    v[2] = normal_value(b.even, mean, stddev);
    v[3] = normal_value(b.odd, mean, stddev);
  }
};

DETNUM_HD void store_init(float v, float* out) { *out = v; }
DETNUM_HD void store_init(float v, bf16* out) { *out = bf16_from_float(v); }

}  // namespace detnum::detail
