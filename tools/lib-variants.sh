#!/usr/bin/env bash
# Builds libdetnum with one CUDA source changed, so that one GPU call can test and time several
# versions of a kernel side by side (tools/gpu-check.sh does, for each folder it finds):
#   tools/lib-variants.sh NAME=gemm:'BM, BN, BK, TM, TN, MIN_BLOCKS, UNROLL, WARPS_M, STAGES' ...
#   tools/lib-variants.sh NAME=src/cuda/FILE.cu@REV ...
#   tools/lib-variants.sh NAME=tools/variants/FILE.patch ...
#   tools/lib-variants.sh NAME=tools/variants/FILE.patch+gemm:'POLICY' ...
# The first form replaces src/cuda/gemm.cu's `using Tile128 = TilePolicy<...>` (another policy of
# the GEMM's large tile); the second takes FILE.cu as it was at git revision REV (an earlier
# version of a kernel, to time beside the current one; its headers are today's); the third
# applies a patch of one src/cuda/FILE.cu to today's file; the fourth applies a patch of gemm.cu
# and then another policy. Patches are how a variant outlives
# its session: a new session's checkout holds main only, so a variant kept on a local branch is
# lost with the machine. Each variant is
# .gpu/variants/NAME/: libdetnum.so.MAJOR.MINOR.gz (the library of build/ under the name its
# binaries load, from tools/pack-gpu.sh, with
# that one object rebuilt with build/'s flags; gzipped, 14 MB -> 4.5-6.5 MB, as a carry holds 64
# MiB in all), `about` (the spec), `test` (the GPU test binaries that check it: its kernel's own
# and graph_gpu_test) and `filter` (the benchmarks that time it beside their peer); gemm variants
# also have `policy`. Every variant must give the same bits (gpu-check runs its tests); only the
# speed differs. Variants of other names stay (tools/pack-gpu.sh starts .gpu afresh, without any).
# A variant that fails to build (a patch that no longer applies, a compile error) is left out, its
# folder removed; the others are built, and the script then names it and fails.
# Without arguments it builds the variants listed in tools/variants/list (NAME=SPEC lines; `#`
# starts a comment): the set the next GPU session is to time.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
[ -f build/src/CMakeFiles/detnum.dir/link.txt ] || { echo "lib-variants: build/ first (tools/pack-gpu.sh)" >&2; exit 1; }
# The name the binaries load the library by (libdetnum.so -> libdetnum.so.MAJOR.MINOR -> ...).
soname=$(basename "$(readlink build/bin/libdetnum.so)")
[[ $soname == libdetnum.so.* ]] || { echo "lib-variants: no versioned build/bin/libdetnum.so" >&2; exit 1; }
if [ $# -gt 0 ]; then argv=("$@")
else
  [ -r tools/variants/list ] || { echo "lib-variants: no tools/variants/list" >&2; exit 1; }
  mapfile -t argv < <(sed 's/#.*//; s/^[[:space:]]*//; s/[[:space:]]*$//; /^$/d' tools/variants/list)
  [ ${#argv[@]} -gt 0 ] || { echo "lib-variants: tools/variants/list names no variant" >&2; exit 1; }
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One variant, built in $work/NAME.out and moved to .gpu/variants/NAME only when all went well:
# a variant that fails leaves no folder, so gpu-check cannot time a stale or half-built one.
# (Called as an `if` condition, where bash ignores `set -e`: every step checks its own status.)
build() {
  local name=$1 what=$2 file test filter
  local stage=$work/$name.out
  rm -rf "$stage" && mkdir -p "$stage"
  # The source: gemm.cu, a file at REV, or today's file with a patch; then maybe another policy.
  local patch= policy=
  case $what in
    gemm:*) policy=${what#gemm:} ;;
    tools/variants/*.patch+gemm:*) patch=${what%%+gemm:*} policy=${what#*+gemm:} ;;
    tools/variants/*.patch) patch=$what ;;
  esac
  if [[ $what == src/cuda/*.cu@* ]]; then
    file=${what%@*}
    git show "${what#*@}:$file" >"$work/$name.cu" || return 1
  elif [ -n "$patch" ]; then
    file=$(git apply --numstat "$patch" | cut -f3)
    [[ $file =~ ^src/cuda/[a-z_]+\.cu$ ]] || { echo "$patch must change one src/cuda/FILE.cu, not '$file'" >&2; return 1; }
    local tree=$work/$name.tree
    mkdir -p "$tree/src/cuda" && cp "$file" "$tree/$file"
    # (The ceiling keeps git apply from taking $tree for a folder of some enclosing repository,
    # where it would skip the patch's paths and still succeed.)
    (cd "$tree" && GIT_CEILING_DIRECTORIES=$work git apply "$root/$patch") || { echo "$patch no longer applies to $file" >&2; return 1; }
    ! cmp -s "$file" "$tree/$file" || { echo "$patch changed nothing" >&2; return 1; }
    mv "$tree/$file" "$work/$name.cu" || return 1
  elif [ -n "$policy" ]; then
    file=src/cuda/gemm.cu
    cp "$file" "$work/$name.cu" || return 1
  else
    echo "'$what' is neither gemm:POLICY, src/cuda/FILE.cu@REV, tools/variants/FILE.patch nor FILE.patch+gemm:POLICY" >&2
    return 1
  fi
  if [ -n "$policy" ]; then
    [ "$file" = src/cuda/gemm.cu ] || { echo "a policy needs a patch of src/cuda/gemm.cu, not of $file" >&2; return 1; }
    sed -i -E "s/^using Tile128 = TilePolicy<[^>]*>;/using Tile128 = TilePolicy<$policy>;/" "$work/$name.cu"
    grep -qF "using Tile128 = TilePolicy<$policy>;" "$work/$name.cu" || { echo "policy line not found" >&2; return 1; }
    echo "$policy" >"$stage/policy"
  fi
  case $file in
    src/cuda/gemm.cu) test=gemm_gpu_test filter='^gemm/(det_cuda|cublas)/(4096/4096/4096|8192/8192/8192|8192/8192/128)/' ;;
    src/cuda/embedding.cu | src/cuda/embedding_backward.cu) test=embedding_gpu_test filter='^embedding_backward/(det_cuda|det_cuda_deferred|atomic)/' ;;
    src/cuda/reduce.cu) test=reduce_gpu_test filter='^((sum|dot)/(det_cuda|cub)/|call_overhead/(det_cuda|cub)/sum)' ;;
    src/cuda/axis_sums.cu) test=axis_sums_gpu_test filter='^(row|column)_sums/(det_cuda|cub|cublas)/' ;;
    src/cuda/nn_rows.cu)
      test=nn_rows_gpu_test
      filter='^(softmax|log_softmax|softmax_backward|log_softmax_backward|causal_softmax|causal_softmax_backward|layer_norm|rms_norm|layer_norm_backward|rms_norm_backward|cross_entropy)/(det_cuda|conventional_cuda)/' ;;
    src/cuda/pointwise.cu)
      test=pointwise_gpu_test
      filter='^(gelu|gelu_backward|gelu_tanh|gelu_tanh_backward|silu|silu_backward|sigmoid|sigmoid_backward|tanh|tanh_backward|relu|relu_backward|bias_add|adamw|sgd|call_overhead)/(det_cuda|conventional_cuda)/' ;;
    *) echo "no test and benchmarks known for $file" >&2; return 1 ;;
  esac
  # Its tests: its kernel's own, and graph_gpu_test (every variant's library under graph capture).
  echo "$what" >"$stage/about" && echo "$filter" >"$stage/filter" &&
    echo "$test graph_gpu_test" >"$stage/test" || return 1
  local object=CMakeFiles/detnum.dir/${file#src/}.o
  (
    cd build/src || exit 1
    # The flags of build/'s own objects (flags.make), with its include paths.
    flags=$(sed -n 's/^CUDA_FLAGS = //p' CMakeFiles/detnum.dir/flags.make)
    defines=$(sed -n 's/^CUDA_DEFINES = //p' CMakeFiles/detnum.dir/flags.make)
    # shellcheck disable=SC2086
    /usr/local/cuda/bin/nvcc $defines --options-file CMakeFiles/detnum.dir/includes_CUDA.rsp $flags \
      -I"$root/src" -c "$work/$name.cu" -o "$work/$name.o" || exit 1
    grep -qF "$object" CMakeFiles/detnum.dir/link.txt || { echo "$object not in the link line" >&2; exit 1; }
    link=$(sed "s#$object#$work/$name.o#; s#-o ../bin/libdetnum.so[.0-9]*#-o $stage/$soname#" \
      CMakeFiles/detnum.dir/link.txt)
    eval "$link" || exit 1
  ) || return 1
  gzip -f "$stage/$soname" || return 1
  rm -rf ".gpu/variants/$name" && mkdir -p .gpu/variants && mv "$stage" ".gpu/variants/$name"
}

failed=()
for spec in "${argv[@]}"; do
  name=${spec%%=*}
  what=${spec#*=}
  [[ $name =~ ^[A-Za-z0-9_]+$ ]] || { echo "lib-variants: bad name '$name'" >&2; exit 1; }
  if build "$name" "$what"; then
    echo "lib-variants: $name = $what"
  else
    echo "lib-variants: $name = $what FAILED (left out)" >&2
    rm -rf ".gpu/variants/$name"
    failed+=("$name")
  fi
done
du -sh .gpu/variants 2>/dev/null || true
[ ${#failed[@]} -eq 0 ] || { echo "lib-variants: not built: ${failed[*]}" >&2; exit 1; }
