// The reduction cases every backend runs, and the comparison with the scalar reference. Shared by
// reduce_test.cpp (fast CPU path at several thread counts and kernels) and reduce_gpu_test.cu
// (CUDA at several launch configurations), so both are held to the same list.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "detnum/reduce.hpp"
#include "support/bits.hpp"
#include "support/data.hpp"

namespace detnum::test {

// Sizes around every lane, chunk and level boundary of ORDER.md (128, 8192, 8192^2 = 2^26 is in
// the large test), primes, 2^k +- 1, and one past 10^7.
inline std::vector<std::int64_t> reduce_sizes(bool with_large = true) {
  std::vector<std::int64_t> s = {0,    1,    2,    3,    7,    31,    32,    33,    127,   128,    129,
                                 255,  256,  257,  1021, 4093, 8191,  8192,  8193,  16383, 16384,  16385,
                                 65537, 131071, 1000003, 1048575, 1048577};
  if (with_large) s.push_back(10'000'019);
  return s;
}

// Input families: mixed magnitudes with specials sprinkled in (random_floats), and clean data
// with no specials (so sums are finite and the bits of every rounding matter).
enum class Family { mixed, finite };

inline std::vector<float> reduce_input_f32(std::int64_t n, std::uint64_t seed, Family f) {
  std::vector<float> v = random_floats(n, seed);
  if (f == Family::finite)
    for (float& x : v)
      if (!std::isfinite(x) || std::fabs(x) > 1e30f) x = 1.5f;
  return v;
}

template <class T>
std::vector<T> reduce_input(std::int64_t n, std::uint64_t seed, Family f) {
  const std::vector<float> v = reduce_input_f32(n, seed, f);
  std::vector<T> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if constexpr (std::is_same_v<T, float>) out[i] = v[i];
    else if constexpr (std::is_same_v<T, double>) out[i] = static_cast<double>(v[i]) * (1.0 + 0x1p-30 * static_cast<double>(i % 7));
    else if constexpr (std::is_same_v<T, bf16>) out[i] = bf16{static_cast<std::uint16_t>(bits_of(v[i]) >> 16)};
    else {
      auto h = static_cast<std::uint16_t>((bits_of(v[i]) >> 16) ^ (i & 0x7FFF));  // any bit pattern
      if (f == Family::finite && (h & 0x7C00) == 0x7C00) h &= 0xBFFF;  // Inf or NaN: the exponent made finite
      out[i] = fp16{h};
    }
  }
  return out;
}

}  // namespace detnum::test
