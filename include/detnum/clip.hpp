// Gradient clipping by the global norm, as torch.nn.utils.clip_grad_norm_ (norm_type 2) defines
// it, in one fixed order (docs/ORDER.md, "Pointwise ops and AdamW", clip_grad_norm): N is the
// norm of the tensors' norms, N = nrm2(nrm2(g_0), ..., nrm2(g_{T-1})), in the order of the list;
// every element of every tensor is then multiplied by c = min(max_norm / (N + 1e-6), 1), in
// place, rounded as PyTorch rounds it (the reciprocal of N + 1e-6, times max_norm). The same bits
// at every thread count and on a GPU (detnum/cuda/clip.hpp).
//
// The list's order and cut are part of the result: the norm of norms is not the norm of the
// concatenation, and the same gradients listed otherwise may give another N (as in PyTorch).
#pragma once

#include <cstdint>
#include <span>

#include "detnum/threads.hpp"

namespace detnum {

// One gradient tensor: n floats at data (null only when n = 0), scaled in place. Tensors of one
// call must not overlap.
struct GradTensor {
  float* data;
  std::int64_t n;
};

// Returns N. As in PyTorch, a NaN N (the canonical NaN) makes every element NaN, and so does an
// infinite one with max_norm = +Inf (Inf / Inf); with a finite max_norm an infinite N gives c = 0
// (finite elements become zeros, infinite ones NaN); N overflows to +Inf for finite gradients
// too, near FLT_MAX. Check the returned N to skip such a step. max_norm: >= 0, not NaN; +Inf
// clips nothing while N is finite.
float clip_grad_norm(std::span<const GradTensor> grads, float max_norm, CpuOptions options = {});

namespace ref {
float clip_grad_norm(std::span<const GradTensor> grads, float max_norm);
}  // namespace ref

}  // namespace detnum
