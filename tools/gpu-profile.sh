#!/usr/bin/env bash
# Nsight Compute reports of the kernels behind the open performance gaps, for a GPU machine:
#   tools/gpu-profile.sh OUT_DIR [BIN_DIR]
# BIN_DIR: binaries from tools/pack-gpu.sh (default .gpu/bin). One text report per gap in OUT_DIR,
# each kernel with its speed of light, occupancy, warp stall reasons and memory workload:
#   profile_embedding.txt  embedding gradient, 32000 x 1024 x 65536 (short- and long-id kernels)
#   profile_sum.txt        the float sum at 2^24 (one launch per call)
#   profile_gemm.txt       the float GEMM tile kernel at 4096^3
# Each report takes well under a minute; the caches are not flushed between kernels
# (--cache-control none), as in a run of calls.
set -uo pipefail
out=${1:?usage: tools/gpu-profile.sh OUT_DIR [BIN_DIR]}
bin=${2:-.gpu/bin}
cd "$(dirname "$0")/.."
mkdir -p "$out"
bin=$(cd "$bin" && pwd)
export LD_LIBRARY_PATH="$bin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
sections=(--section SpeedOfLight --section Occupancy --section WarpStateStats --section MemoryWorkloadAnalysis)

# profile NAME KERNEL_REGEX COUNT BENCHMARK_FILTER
profile() {
  timeout 120 ncu --cache-control none "${sections[@]}" --kernel-name "regex:$2" --launch-count "$3" \
    "$bin/detnum_bench" --benchmark_filter="$4" --benchmark_min_time=0.001 >"$out/profile_$1.txt" 2>&1
  echo "profile $1: status $?, $(grep -c 'Section: SpeedOfLight\|GPU Speed Of Light' "$out/profile_$1.txt") kernels"
}

profile embedding '(short|long)_segments_kernel' 2 '^embedding_backward/det_cuda/32000/1024/65536/'
profile sum 'reduce_kernel' 2 '^sum/det_cuda/16777216/'
profile gemm 'gemm_tile_kernel' 1 '^gemm/det_cuda/4096/4096/4096/'
