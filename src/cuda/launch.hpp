// Launch shapes shared by detnum's CUDA ops: LaunchConfig validation, and the size of one wave of
// resident blocks (the grid a memory-bound kernel with a grid-stride loop wants). Shapes change
// speed only: every kernel gives the same bits for every valid LaunchConfig.
#pragma once

#include <cstdint>
#include <string_view>

#include "detnum/cuda/gemm.hpp"
#include "detnum/cuda/launch.hpp"

namespace detnum::detail {

inline constexpr int kWarpThreads = 32;

// block_threads a multiple of 32 in [32, 1024]; grid_blocks 0 (fill the device) or positive. name:
// the argument as the caller's signature names it, for the message.
void check_launch(std::string_view fn, cuda::LaunchConfig launch, std::string_view name = "launch");

// A known tile and split_k >= 0.
void check_gemm_config(std::string_view fn, cuda::GemmConfig config, std::string_view name = "config");

// The current device's SM count times the blocks of `kernel` (block_threads threads, no dynamic
// shared memory) that one SM holds at once, at least one per SM. Cached per device, kernel and
// block size: the occupancy query costs microseconds, a call of a small reduction not many more.
int resident_blocks(std::string_view fn, const void* kernel, int block_threads);

// One wave of resident blocks of `kernel`, at most `work` of them and at least one
// (launch.grid_blocks if set): the grid of a grid-stride loop over `work` blocks' worth.
int grid_of(std::string_view fn, const void* kernel, int threads, std::int64_t work, cuda::LaunchConfig launch);

}  // namespace detnum::detail
