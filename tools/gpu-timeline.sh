#!/usr/bin/env bash
# Where the time of a call goes, for a GPU machine: every kernel, memset and copy of the
# benchmarks that FILTER selects, as they ran (Nsight Systems), and each kernel alone (Nsight
# Compute's duration, kernels serialized):
#   tools/gpu-timeline.sh OUT_DIR BIN_DIR NAME FILTER
# OUT_DIR/NAME_cuda_gpu_trace.csv   nsys's start, duration and name of each operation
# OUT_DIR/NAME_cuda_api_trace.csv   nsys's host calls (launches, synchronizations)
# OUT_DIR/NAME_kernels.csv   ncu's gpu__time_duration of the first 40 kernels
# BIN_DIR: binaries from tools/pack-gpu.sh (unpacked from BIN_DIR.tgz if needed).
set -uo pipefail
out=${1:?usage: tools/gpu-timeline.sh OUT_DIR BIN_DIR NAME FILTER}
bin=${2:?BIN_DIR}
name=${3:?NAME}
filter=${4:?FILTER}
cd "$(dirname "$0")/.."
mkdir -p "$out"
if [ ! -d "$bin" ] && [ -f "$bin.tgz" ]; then tar xzf "$bin.tgz" -C "$(dirname "$bin")"; fi
bin=$(cd "$bin" && pwd)
export LD_LIBRARY_PATH="$bin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

if command -v nsys >/dev/null; then
  timeout 60 nsys profile -t cuda --force-overwrite true -o "$out/$name" \
    "$bin/detnum_bench" --benchmark_filter="$filter" --benchmark_min_time=0.01 >"$out/${name}_nsys.log" 2>&1
  nsys stats -r cuda_gpu_trace -f csv -o "$out/${name}" "$out/$name.nsys-rep" >/dev/null 2>&1
  nsys stats -r cuda_api_trace -f csv -o "$out/${name}" "$out/$name.nsys-rep" >/dev/null 2>&1
  rm -f "$out/$name.nsys-rep" "$out/$name.sqlite"
  echo "timeline $name: $(ls "$out" | grep -c "^${name}_cuda") reports"
else
  echo "timeline $name: no nsys on this machine"
fi
timeout 60 ncu --cache-control none --metrics gpu__time_duration.sum --csv --launch-count 40 \
  "$bin/detnum_bench" --benchmark_filter="$filter" --benchmark_min_time=0.001 >"$out/${name}_kernels.csv" 2>&1
echo "kernels $name: status $?, $(grep -c gpu__time_duration "$out/${name}_kernels.csv") rows"
