// How detnum's fast CPU paths run: thread count and SIMD kernels. Both change speed, never bits.
#pragma once

namespace detnum {

enum class CpuSimd {
  best,      // the widest kernels this CPU supports (AVX2 where present)
  portable,  // portable C++ only (the compiler may still vectorize it for the baseline ISA)
};

struct CpuOptions {
  int threads = 0;              // 0: default_threads(); otherwise 1 .. 1024
  CpuSimd simd = CpuSimd::best;
};

// The machine's hardware threads (at most 1024), or DETNUM_NUM_THREADS when set to 1 .. 1024.
int default_threads();

}  // namespace detnum
