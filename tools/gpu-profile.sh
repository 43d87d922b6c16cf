#!/usr/bin/env bash
# Nsight Compute reports of the kernels behind the open performance gaps, for a GPU machine:
#   tools/gpu-profile.sh OUT_DIR [BIN_DIR]
# BIN_DIR: binaries from tools/pack-gpu.sh (default .gpu/bin). One text report per gap in OUT_DIR,
# each kernel with its speed of light, occupancy, warp stall reasons and memory workload:
#   profile_embedding.txt  embedding gradient, 32000 x 1024 x 65536 (sums-and-zeros and long-id kernels)
#   profile_embedding_gpt2.txt  the same for GPT-2's shape (the counting of positions, sums-and-zeros)
#   profile_sum.txt        the float sum at 2^24 (one launch per call); profile_sum_cub.txt: cub's
#   axis_kernels.csv       kernel times of column_sums and layer_norm_backward (tools/gpu-timeline.sh)
#   profile_gemm.txt       the float GEMM tile kernel at 4096^3
#   gemm_NAME.ncu-rep, sass_gemm_NAME.csv   that kernel's SASS with stall samples per instruction,
#                          for the adopted tile policy and each variant (tools/lib-variants.sh)
#   memcheck_embedding.txt compute-sanitizer's memcheck of embedding_gpu_test's gradient cases
#                          (the zeros claimed from a counter, the counting of positions, every kernel)
#   memcheck_gemm_NAME.txt compute-sanitizer's memcheck of gemm_gpu_test's float cases for the
#                          first variant that copies with cp.async (policy's ninth field >= 2):
#                          its copies at the matrices' edges must read nothing outside them
# Each report takes well under a minute; the caches are not flushed between kernels
# (--cache-control none), as in a run of calls.
set -uo pipefail
out=${1:?usage: tools/gpu-profile.sh OUT_DIR [BIN_DIR]}
bin=${2:-.gpu/bin}
cd "$(dirname "$0")/.."
mkdir -p "$out"
# tools/pack-gpu.sh carries the binaries as BIN_DIR.tgz.
if [ ! -d "$bin" ] && [ -f "$bin.tgz" ]; then tar xzf "$bin.tgz" -C "$(dirname "$bin")"; fi
bin=$(cd "$bin" && pwd)
export LD_LIBRARY_PATH="$bin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
sections=(--section SpeedOfLight --section Occupancy --section WarpStateStats --section MemoryWorkloadAnalysis)

# profile NAME KERNEL_REGEX COUNT BENCHMARK_FILTER
profile() {
  timeout 120 ncu --cache-control none "${sections[@]}" --kernel-name "regex:$2" --launch-count "$3" \
    "$bin/detnum_bench" --benchmark_filter="$4" --benchmark_min_time=0.001 >"$out/profile_$1.txt" 2>&1
  echo "profile $1: status $?, $(grep -c 'Section: SpeedOfLight\|GPU Speed Of Light' "$out/profile_$1.txt") kernels"
}
# Most wanted first (a call cut short keeps what finished): the 2^24 sum beside cub's (issue 3),
# the GEMM tile kernel's stall samples and sections (issue 4), then the embedding gradient and
# the axis kernels (issue 6), memcheck, and the GEMM variants' stall samples.
profile sum 'reduce_kernel' 2 '^sum/det_cuda/16777216/'
profile sum_cub 'DeviceReduce' 2 '^sum/cub/16777216/'
# The GEMM tile kernel's SASS with per-instruction stall samples (where the spills are, what
# the k loop waits on), for the adopted policy and each variant of tools/lib-variants.sh.
sass() {  # sass NAME [LIBRARY_DIR]
  local lib_path=$LD_LIBRARY_PATH
  [ -n "${2:-}" ] && lib_path="$2:$lib_path"
  LD_LIBRARY_PATH=$lib_path timeout 120 ncu --cache-control none --section WarpStateStats --section SourceCounters \
    --kernel-name regex:gemm_tile_kernel --launch-count 1 -o "$out/gemm_$1" -f \
    "$bin/detnum_bench" --benchmark_filter='^gemm/det_cuda/4096/4096/4096/' --benchmark_min_time=0.001 >/dev/null 2>&1
  ncu --import "$out/gemm_$1.ncu-rep" --page source --print-source sass --csv >"$out/sass_gemm_$1.csv" 2>&1
  echo "sass $1: $(wc -l <"$out/sass_gemm_$1.csv") lines"
}
sass adopted
profile gemm 'gemm_tile_kernel' 1 '^gemm/det_cuda/4096/4096/4096/'
profile embedding '(sums_and_zeros|long_segments)_kernel' 2 '^embedding_backward/det_cuda/32000/1024/65536/'
profile embedding_gpt2 '(rank|sums_and_zeros)_kernel' 2 '^embedding_backward/det_cuda/50257/768/8192/'
# The column sums and layer norm's backward pass, kernel by kernel (they regressed between
# d4aa5a4 and 9d5a441: docs/PERFORMANCE.md, "Axis sums").
tools/gpu-timeline.sh "$out" "$bin" axis '^(column_sums/det_cuda/(8192/1024|262144/64)|layer_norm_backward/det_cuda/4096/1024)/'
# The embedding gradient's kernels under memcheck (at most 150 s): each row written by one
# party, nothing past the table or the workspace.
timeout 150 compute-sanitizer --tool memcheck "$bin/embedding_gpu_test" --gtest_filter='EmbeddingGpu.Backward*:EmbeddingGpu.BadId*:EmbeddingGpu.IdCheck*' \
  >"$out/memcheck_embedding.txt" 2>&1
echo "memcheck embedding: status $?, $(grep -m1 'ERROR SUMMARY' "$out/memcheck_embedding.txt")"
# The GEMM variants' stall samples.
for gz in "$bin"/../variants/*/libdetnum.so.*.gz; do
  [ -f "$(dirname "$gz")/policy" ] || continue  # GEMM tile policies only
  lib=$(mktemp -d)
  gunzip -c "$gz" >"$lib/$(basename "$gz" .gz)"
  sass "$(basename "$(dirname "$gz")")" "$lib"
  rm -rf "$lib"
done

# The first cp.async variant under memcheck: the float cases of gemm_gpu_test (edges, layouts,
# splits); one only, as memcheck slows the kernels many times.
for gz in "$bin"/../variants/*/libdetnum.so.*.gz; do
  [ -f "$(dirname "$gz")/policy" ] || continue
  stages=$(awk -F, '{gsub(/ /, "", $9); print $9}' "$(dirname "$gz")/policy")
  [ "${stages:-0}" -ge 2 ] || continue
  name=$(basename "$(dirname "$gz")")
  lib=$(mktemp -d)
  gunzip -c "$gz" >"$lib/$(basename "$gz" .gz)"
  LD_LIBRARY_PATH="$lib:$LD_LIBRARY_PATH" timeout 150 compute-sanitizer --tool memcheck \
    "$bin/gemm_gpu_test" --gtest_filter='GemmGpu.Float*:GemmGpu.LongK*:GemmGpu.NegativeZero*' \
    >"$out/memcheck_gemm_$name.txt" 2>&1
  echo "memcheck $name: status $?, $(grep -m1 'ERROR SUMMARY' "$out/memcheck_gemm_$name.txt")"
  rm -rf "$lib"
  break
done
