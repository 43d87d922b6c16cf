// The CPU paths' one threading primitive: cut [0, n) into `threads` contiguous ranges whose
// boundaries are multiples of `grain`, and run body(begin, end) on each. Which thread computes a
// range never changes what it computes, so the thread count changes speed, never bits.
#pragma once

#include <algorithm>
#include <cstdint>

#include <omp.h>

namespace detnum::detail {

template <class Body>
void parallel_ranges(std::int64_t n, std::int64_t grain, int threads, const Body& body) {
  const std::int64_t grains = (n + grain - 1) / grain;
  const int t = static_cast<int>(std::min<std::int64_t>(threads, grains));
  if (t <= 1) {
    if (n > 0) body(std::int64_t{0}, n);
    return;
  }
#pragma omp parallel num_threads(t)
  {
    const std::int64_t id = omp_get_thread_num(), count = omp_get_num_threads();
    const std::int64_t g0 = grains * id / count, g1 = grains * (id + 1) / count;
    const std::int64_t begin = g0 * grain, end = std::min(n, g1 * grain);
    if (begin < end) body(begin, end);
  }
}

}  // namespace detnum::detail
