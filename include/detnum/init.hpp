// Reproducible weight initialization: fills that are pure functions of (seed, offset + i), the
// same bits on the CPU (any thread count) and on a GPU (detnum/cuda/init.hpp), and the usual
// Xavier/Kaiming bounds.
//
//   u_i   = uniform_float(word(seed, streams::kInit, offset + i))   in [0, 1), a multiple of 2^-24
//   x[i]  = fma(hi - lo, u_i, lo)      float: (hi - lo) rounded, then one fused rounding
//                                      bf16: that float rounded once more, to nearest even
//
// So initializing a tensor in pieces (offset advanced by each piece's n) gives the bits of one
// call, and a layer initialized on the CPU equals the same layer initialized on a GPU.
#pragma once

#include <cstdint>

#include "detnum/bf16.hpp"
#include "detnum/threads.hpp"

namespace detnum {

struct InitParams {
  std::uint64_t seed = 0;
  std::uint64_t offset = 0;  // stream index of element 0; offset + n must not exceed 2^64
};

// x[i] in [lo, hi) (hi itself can appear when rounding reaches it): lo < hi, both finite.
void init_uniform(float* x, std::int64_t n, float lo, float hi, InitParams params, CpuOptions options = {});
void init_uniform(bf16* x, std::int64_t n, float lo, float hi, InitParams params, CpuOptions options = {});

// The bound b of uniform(-b, b) for Xavier/Glorot, gain * sqrt(6 / (fan_in + fan_out)), and for
// Kaiming/He, gain * sqrt(3 / fan_in) (gain sqrt(2) for ReLU). IEEE division and square root in
// double, rounded once to float: the same everywhere. fan_in, fan_out >= 1.
float xavier_uniform_bound(std::int64_t fan_in, std::int64_t fan_out, float gain = 1.0f);
float kaiming_uniform_bound(std::int64_t fan_in, float gain = 1.4142135f);

namespace ref {
void init_uniform(float* x, std::int64_t n, float lo, float hi, InitParams params);
}  // namespace ref

}  // namespace detnum
