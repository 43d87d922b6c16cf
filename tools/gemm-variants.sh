#!/usr/bin/env bash
# Builds libdetnum with other policies for the CUDA GEMM's large tile, so that one GPU call can
# time several of them beside cuBLAS (tools/gpu-check.sh does, for each folder it finds):
#   tools/gemm-variants.sh NAME='BM, BN, BK, TM, TN, MIN_BLOCKS, UNROLL, WARPS_M, STAGES' ...
# e.g. tools/gemm-variants.sh unroll1='128, 128, 8, 8, 8, 2, 1, 8, 0' a3='128, 128, 8, 8, 8, 2, 8, 8, 3'
# Each variant is .gpu/variants/NAME/libdetnum.so.0.1.gz: the library of build/ (tools/pack-gpu.sh)
# with src/cuda/gemm.cu's `using Tile128 = TilePolicy<...>` replaced, nothing else, gzipped
# (14 MB -> 4.5 MB: a carry holds 64 MiB in all). Every policy gives the same bits
# (gpu-check runs gemm_gpu_test on each); only the speed differs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
[ -f build/src/CMakeFiles/detnum.dir/link.txt ] || { echo "gemm-variants: build/ first (tools/pack-gpu.sh)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf .gpu/variants
for spec in "$@"; do
  name=${spec%%=*}
  policy=${spec#*=}
  [[ $name =~ ^[A-Za-z0-9_]+$ ]] || { echo "gemm-variants: bad name '$name'" >&2; exit 1; }
  sed -E "s/^using Tile128 = TilePolicy<[^>]*>;/using Tile128 = TilePolicy<$policy>;/" src/cuda/gemm.cu >"$work/gemm_$name.cu"
  grep -qF "using Tile128 = TilePolicy<$policy>;" "$work/gemm_$name.cu" || { echo "gemm-variants: policy line not found" >&2; exit 1; }
  (
    cd build/src
    # The flags of build/'s own gemm.cu object (flags.make), with its include paths.
    flags=$(sed -n 's/^CUDA_FLAGS = //p' CMakeFiles/detnum.dir/flags.make)
    defines=$(sed -n 's/^CUDA_DEFINES = //p' CMakeFiles/detnum.dir/flags.make)
    # shellcheck disable=SC2086
    /usr/local/cuda/bin/nvcc $defines --options-file CMakeFiles/detnum.dir/includes_CUDA.rsp $flags \
      -I"$root/src" -c "$work/gemm_$name.cu" -o "$work/gemm_$name.o"
    mkdir -p "$root/.gpu/variants/$name"
    link=$(sed "s#CMakeFiles/detnum.dir/cuda/gemm.cu.o#$work/gemm_$name.o#; s#-o ../bin/libdetnum.so[.0-9]*#-o $root/.gpu/variants/$name/libdetnum.so.0.1#" \
      CMakeFiles/detnum.dir/link.txt)
    eval "$link"
  )
  gzip -f ".gpu/variants/$name/libdetnum.so.0.1"
  echo "$policy" >".gpu/variants/$name/policy"
  echo "gemm-variants: $name = TilePolicy<$policy>"
done
du -sh .gpu/variants
