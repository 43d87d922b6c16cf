// How many CPU threads detnum's fast paths use. The count changes speed, never bits.
#pragma once

namespace detnum {

struct CpuOptions {
  int threads = 0;  // 0: default_threads(); otherwise 1 .. 1024
};

// The machine's hardware threads, or DETNUM_NUM_THREADS when set to a positive integer.
int default_threads();

}  // namespace detnum
