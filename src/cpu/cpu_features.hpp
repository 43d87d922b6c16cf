// What this CPU offers beyond the baseline ISA, asked once: the fast paths pick their AVX2 loops
// by it (with CpuSimd::best), and compute the same bits either way.
#pragma once

namespace detnum::detail {

bool cpu_has_avx2();

}  // namespace detnum::detail
