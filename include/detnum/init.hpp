// Reproducible weight initialization: fills that are pure functions of (seed, offset + i), the
// same bits on the CPU (any thread count) and on a GPU (detnum/cuda/init.hpp), and the usual
// Xavier/Kaiming scales. With g = offset + i and w_k = word(seed, streams::kInit, k):
//
// uniform:
//   u_g   = uniform_float(w_g)         in [0, 1), a multiple of 2^-24
//   x[i]  = fma(hi - lo, u_g, lo)      float: (hi - lo) rounded, then one fused rounding
// normal (Box-Muller on detnum::math, detail/init_order.hpp): elements g = 2j and 2j + 1 are the
// pair that words w_2j and w_2j+1 (one Philox block holds two such pairs) give:
//   u1    = float((w_2j + 1/2) 2^-32)  in [2^-33, 1]: never 0
//   r     = sqrt(-2 log(u1))           math::log, then the IEEE square root
//   t     = 2 uniform_float(w_2j+1)    in [0, 2), exact
//   z_2j  = r cospi(t),  z_2j+1 = r sinpi(t)
//   x[i]  = fma(stddev, z_g, mean)
// bf16 outputs: that float rounded once more, to nearest even.
//
// So initializing a tensor in pieces (offset advanced by each piece's n, odd offsets included)
// gives the bits of one call, and a layer initialized on the CPU equals the same layer
// initialized on a GPU. Both fills draw from the same stream: a tensor gets one fill.
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

// x[i] normal with mean `mean` and standard deviation `stddev`: both finite, stddev >= 0.
void init_normal(float* x, std::int64_t n, float mean, float stddev, InitParams params, CpuOptions options = {});
void init_normal(bf16* x, std::int64_t n, float mean, float stddev, InitParams params, CpuOptions options = {});

// The bound b of uniform(-b, b) for Xavier/Glorot, gain * sqrt(6 / (fan_in + fan_out)), and for
// Kaiming/He, gain * sqrt(3 / fan_in) (gain sqrt(2) for ReLU). IEEE division and square root in
// double, rounded once to float: the same everywhere. fan_in, fan_out >= 1; gain finite and >= 0.
float xavier_uniform_bound(std::int64_t fan_in, std::int64_t fan_out, float gain = 1.0f);
float kaiming_uniform_bound(std::int64_t fan_in, float gain = 1.4142135f);
// The standard deviations of the normal versions, gain * sqrt(2 / (fan_in + fan_out)) and
// gain * sqrt(1 / fan_in), computed the same way.
float xavier_normal_std(std::int64_t fan_in, std::int64_t fan_out, float gain = 1.0f);
float kaiming_normal_std(std::int64_t fan_in, float gain = 1.4142135f);

namespace ref {
void init_uniform(float* x, std::int64_t n, float lo, float hi, InitParams params);
void init_normal(float* x, std::int64_t n, float mean, float stddev, InitParams params);
}  // namespace ref

}  // namespace detnum
