// The definition of init.hpp's uniform fill, shared by every backend.
#pragma once

#include <cstdint>

#include "detnum/bf16.hpp"
#include "detnum/detail/gemm_order.hpp"
#include "detnum/hd.hpp"
#include "detnum/random.hpp"

namespace detnum::detail {

// Element i of a fill of [lo, lo + width), width = hi - lo rounded to float.
DETNUM_HD float uniform_value(std::uint32_t word, float lo, float width) {
  return fused(width, uniform_float(word), lo);
}

DETNUM_HD void store_init(float v, float* out) { *out = v; }
DETNUM_HD void store_init(float v, bf16* out) { *out = bf16_from_float(v); }

}  // namespace detnum::detail
