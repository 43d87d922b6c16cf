// clip_grad_norm's sequence on the host (docs/ORDER.md), shared by the reference and the fast
// path, which differ only in how they take a norm and scale a tensor: the norms in the list's
// order, the norm of the norms, the coefficient, then every tensor scaled.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "detnum/clip.hpp"
#include "detnum/detail/pointwise_order.hpp"

namespace detnum::detail {

// norm(x, n): a backend's nrm2 of n floats (x may be null when n = 0); scale(data, n, c): its
// g = clip_value(g, c) over a tensor.
template <class Norm, class Scale>
float clip_on_host(std::span<const GradTensor> grads, float max_norm, const Norm& norm, const Scale& scale) {
  std::vector<float> norms;
  norms.reserve(grads.size());
  for (const GradTensor& g : grads) norms.push_back(norm(g.n > 0 ? g.data : nullptr, g.n));
  const float total = norm(norms.data(), static_cast<std::int64_t>(norms.size()));
  const float c = clip_coefficient(total, max_norm);
  for (const GradTensor& g : grads)
    if (g.n > 0) scale(g.data, g.n, c);
  return total;
}

}  // namespace detnum::detail
