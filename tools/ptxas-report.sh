#!/usr/bin/env bash
# Registers, stack frame and spills of every CUDA kernel, from ptxas, without a GPU:
#   tools/ptxas-report.sh [SOURCE.cu ...]     (default: every src/cuda/*.cu)
# Compiles each source with the flags of build/'s own objects (configure build/ first, e.g. with
# tools/pack-gpu.sh or the ci preset) and prints one line per kernel whose stack frame is not
# zero: a local array the compiler could not keep in registers, or spills. `ALL=1` prints every
# kernel. About a minute per source on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
[ -f build/src/CMakeFiles/detnum.dir/flags.make ] || { echo "ptxas-report: configure build/ first" >&2; exit 1; }
sources=("$@")
[ ${#sources[@]} -gt 0 ] || sources=(src/cuda/*.cu)
flags=$(sed -n 's/^CUDA_FLAGS = //p' build/src/CMakeFiles/detnum.dir/flags.make)
defines=$(sed -n 's/^CUDA_DEFINES = //p' build/src/CMakeFiles/detnum.dir/flags.make)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for src in "${sources[@]}"; do
  src=$(cd "$(dirname "$src")" && pwd)/$(basename "$src")
  # shellcheck disable=SC2086
  (cd build/src && /usr/local/cuda/bin/nvcc $defines --options-file CMakeFiles/detnum.dir/includes_CUDA.rsp $flags \
    -I"$root/src" -Xptxas -v -c "$src" -o "$work/x.o" 2>&1) |
    awk -v file="$(basename "$src")" -v all="${ALL:-0}" '
      /Compiling entry function/ { name = $0; sub(/.*function .?/, "", name); sub(/. for .*/, "", name) }
      /stack frame/ { frame = $0; sub(/.*ptxas info *: */, "", frame); sub(/^ +/, "", frame) }
      /Used [0-9]+ registers/ {
        if (all == 1 || frame !~ /^0 bytes stack frame/) {
          cmd = "c++filt " name; cmd | getline pretty; close(cmd)
          gsub(/detnum::cuda::\(anonymous namespace\)::|detnum::/, "", pretty)
          match($0, /Used [0-9]+ registers/)
          print file ": " substr($0, RSTART + 5, RLENGTH - 5) ", " frame " | " substr(pretty, 1, 140)
        }
      }'
done
