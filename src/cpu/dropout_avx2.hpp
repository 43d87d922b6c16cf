// The AVX2 kernels of the CPU dropout path, for batches of 128 elements. They compute the same
// bits as the portable code in dropout.cpp (the tests run both); dropout.cpp picks them when
// the CPU has AVX2 and CpuOptions::simd allows it.
#pragma once

#include <cstdint>

#include "cpu/cpu_features.hpp"
#include "detnum/philox.hpp"

namespace detnum::detail {

inline constexpr std::int64_t kDropoutBatch = 128;  // elements: 32 Philox blocks, 16 mask bytes

// keep[j / 8] bit j % 8 = (word g0 + j of the dropout stream >= threshold), j < 128.
void dropout_keep_bits_avx2(PhiloxKey key, std::uint64_t g0, std::uint32_t threshold, std::uint8_t* keep);

// out[j] = keep bit j ? canonicalize(in[j] * scale) : +0, j < 128.
void dropout_apply_f32_avx2(const float* in, float* out, const std::uint8_t* keep, float scale);

}  // namespace detnum::detail
