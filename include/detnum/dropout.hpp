// Deterministic dropout on the CPU (this header) and in CUDA (detnum/cuda/dropout.hpp).
//
// Guarantee: whether element i is kept is a pure function of (seed, offset + i) and p, so the
// output bits depend only on x, p, seed and offset: not on the thread count, the CUDA grid, the
// GPU, or how a tensor is split between calls (a second call with offset advanced by the first
// call's n continues the same mask). docs/DETERMINISM.md gives the exact definition:
//   keep(i)  = word(seed, streams::kDropout, offset + i) >= floor(p * 2^32)
//   scale    = 1 / (1 - p), rounded to float
//   y[i]     = keep(i) ? x[i] * scale : +0      (float: one rounding; NaN -> canonical NaN;
//                                             bf16: the exact product rounded once to bf16)
// The mask, when asked for, holds 1 bit per element: bit i % 8 of byte i / 8 is 1 when element
// i is kept; the unused high bits of the last byte are 0. y may be x (in place); no other
// overlap between x, y and the mask is allowed.
#pragma once

#include <cstdint>
#include <span>

#include "detnum/bf16.hpp"
#include "detnum/threads.hpp"

namespace detnum {

struct DropoutParams {
  float p = 0.0f;            // probability of dropping an element, in [0, 1)
  std::uint64_t seed = 0;    // the Philox key
  std::uint64_t offset = 0;  // stream index of element 0; offset + n must not exceed 2^64
};

// Bytes of a packed mask for n elements: ceil(n / 8).
std::int64_t dropout_mask_bytes(std::int64_t n);

// y = dropout(x); mask may be nullptr.
void dropout_forward(const float* x, float* y, std::int64_t n, const DropoutParams& params,
                     std::uint8_t* mask = nullptr, CpuOptions options = {});
void dropout_forward(const bf16* x, bf16* y, std::int64_t n, const DropoutParams& params,
                     std::uint8_t* mask = nullptr, CpuOptions options = {});

// dx = dy * scale where the stored mask keeps, +0 elsewhere.
void dropout_backward(const float* dy, const std::uint8_t* mask, float* dx, std::int64_t n, float p,
                      CpuOptions options = {});
void dropout_backward(const bf16* dy, const std::uint8_t* mask, bf16* dx, std::int64_t n, float p,
                      CpuOptions options = {});

// The same, recomputing the mask from params instead of storing one (the forward pass applied
// to dy): no mask memory, a few integer operations per element.
void dropout_backward(const float* dy, float* dx, std::int64_t n, const DropoutParams& params,
                      CpuOptions options = {});
void dropout_backward(const bf16* dy, bf16* dx, std::int64_t n, const DropoutParams& params,
                      CpuOptions options = {});

// std::span forms: the sizes of y (and of a non-empty mask) are checked against x.
void dropout_forward(std::span<const float> x, std::span<float> y, const DropoutParams& params,
                     std::span<std::uint8_t> mask = {}, CpuOptions options = {});
void dropout_forward(std::span<const bf16> x, std::span<bf16> y, const DropoutParams& params,
                     std::span<std::uint8_t> mask = {}, CpuOptions options = {});

// The scalar reference: the definition above as a plain loop, one Philox call per element.
// Slow; the fast paths and the CUDA kernels are tested against it bit for bit.
namespace ref {
void dropout_forward(const float* x, float* y, std::int64_t n, const DropoutParams& params,
                     std::uint8_t* mask = nullptr);
void dropout_forward(const bf16* x, bf16* y, std::int64_t n, const DropoutParams& params,
                     std::uint8_t* mask = nullptr);
void dropout_backward(const float* dy, const std::uint8_t* mask, float* dx, std::int64_t n, float p);
void dropout_backward(const bf16* dy, const std::uint8_t* mask, bf16* dx, std::int64_t n, float p);
}  // namespace ref

}  // namespace detnum
