// Launch shape of detnum's CUDA kernels: tuning as data. A LaunchConfig changes speed only;
// every kernel returns the same bits for every valid configuration (the tests check several).
#pragma once

namespace detnum::cuda {

struct LaunchConfig {
  int block_threads = 256;  // a multiple of 32 in [32, 1024]
  int grid_blocks = 0;      // 0: enough resident blocks to fill the device; otherwise >= 1
};

}  // namespace detnum::cuda
