// What this CPU offers beyond the baseline ISA, asked once: the fast paths pick their AVX2 loops
// by it (with CpuSimd::best), and compute the same bits either way.
#pragma once

#include "detnum/threads.hpp"

namespace detnum::detail {

bool cpu_has_avx2();
bool cpu_has_avx2_fma();       // AVX2 and FMA: the GEMM micro-kernel
bool cpu_has_avx2_fma_f16c();  // and F16C (fp16 widening): the reduction kernels

// Whether a call with these options runs the AVX2 loops: asked for (CpuSimd::best) and present.
inline bool use_avx2(const CpuOptions& options) { return options.simd == CpuSimd::best && cpu_has_avx2(); }

}  // namespace detnum::detail
