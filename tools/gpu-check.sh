#!/usr/bin/env bash
# GPU checks in one go, for a machine with a CUDA GPU:
#   tools/gpu-check.sh OUT_DIR [BIN_DIR]
# BIN_DIR is a folder of binaries prepared by tools/pack-gpu.sh on a machine without a GPU
# (default .gpu/bin); without one, the tree is built here (the fallback: it needs the
# development packages). Runs every test binary (GPU tests no longer skip), `detnum env` and
# `detnum check`, then the GPU benchmarks, and writes into OUT_DIR:
#   summary.log  what ran and the verdicts      tests.log   all test output
#   env.json     detnum env                     check.json  detnum check --json
#   demo.log, demo.sqlite   detnum demo (CPU and CUDA runs, compared)
#   bench_FAMILY.json   Google Benchmark JSON of the GPU benchmarks, one file per family
#   bench_gemm_cpu_{default,passive}.json   CPU GEMM at 512^3 over thread counts, beside Eigen
#   bench_gemm_variant_NAME.json   the GEMM with another tile policy (BIN_DIR/../variants, from
#                                  tools/gemm-variants.sh), after its gemm_gpu_test
# Exit status: 0 when every test and check passed.
set -uo pipefail
out=${1:?usage: tools/gpu-check.sh OUT_DIR [BIN_DIR]}
bin=${2:-}
cd "$(dirname "$0")/.."
mkdir -p "$out"
out=$(cd "$out" && pwd)
summary="$out/summary.log"
say() { echo "$*" | tee -a "$summary"; }

if [ -z "$bin" ] && [ -x .gpu/bin/detnum ]; then bin=.gpu/bin; fi
if [ -z "$bin" ]; then
  say "gpu-check: no prebuilt folder; building here"
  cmake --preset ci >/dev/null && cmake --build --preset ci -j "$(nproc)" >/dev/null || { say "build failed"; exit 1; }
  bin=build/bin
fi
bin=$(cd "$bin" && pwd)
export LD_LIBRARY_PATH="$bin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

say "gpu-check: $(date -u +%FT%TZ) on $(hostname), binaries from $bin"
gpu_present=0
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | tee -a "$summary" && gpu_present=1
"$bin/detnum" env >"$out/env.json" 2>>"$summary"

status=0
for t in "$bin"/*_test; do
  name=$(basename "$t")
  [ "$name" = dropout_large_test ] && continue   # 8 GiB of host memory, minutes of CPU time
  [ "$name" = math_exhaustive_test ] && continue  # all 2^32 inputs on the host: CPU only, minutes
  start=$(date +%s%N)
  log="$out/$name.log"
  if "$t" >"$log" 2>&1; then verdict=ok; else verdict=FAILED; status=1; fi
  # On a GPU machine a skipped test means the GPU was not usable (e.g. a driver too old for
  # the runtime): that must not pass as success.
  if [ "$verdict" = ok ] && [ $gpu_present = 1 ] && grep -q '^\[  SKIPPED \]' "$log"; then verdict=SKIPPED; status=1; fi
  { echo "=== $name"; cat "$log"; } >>"$out/tests.log"
  rm -f "$log"
  say "$(printf '%-28s %-6s %6d ms' "$name" "$verdict" $((($(date +%s%N) - start) / 1000000)))"
done
grep -E '^\[  (SKIPPED|FAILED) \]' "$out/tests.log" | sort | uniq | tee -a "$summary"

if "$bin/detnum" check --json >"$out/check.json" 2>>"$out/tests.log"; then say "detnum check: ok"; else
  say "detnum check: FAILED"; status=1; fi

# The demo: the CPU and CUDA runs of one training must agree bit for bit.
digits="$bin/../digits.csv.gz"
if [ -f "$digits" ]; then
  if "$bin/detnum" demo --data "$digits" --log "$out/demo.sqlite" >"$out/demo.log" 2>&1; then say "detnum demo: ok"; else
    say "detnum demo: FAILED"; status=1; fi
  tail -n 12 "$out/demo.log" | tee -a "$summary"
else
  say "detnum demo: no digits file at $digits (tools/pack-gpu.sh puts it there)"
fi

# Other policies of the GEMM's large tile (tools/gemm-variants.sh), each checked by gemm_gpu_test
# and timed beside cuBLAS in its own run: bench_gemm_variant_NAME.json. Right after the gemm
# family, so that a run cut short by its time limit still compares them.
gemm_variants() {
  local gz name lib
  for gz in "$bin"/../variants/*/libdetnum.so.0.1.gz; do
    [ -f "$gz" ] || continue
    name=$(basename "$(dirname "$gz")")
    lib=$(mktemp -d)
    gunzip -c "$gz" >"$lib/libdetnum.so.0.1"
    say "gemm variant $name: TilePolicy<$(cat "$(dirname "$gz")/policy")>"
    if LD_LIBRARY_PATH="$lib:$LD_LIBRARY_PATH" "$bin/gemm_gpu_test" >>"$out/tests.log" 2>&1; then
      say "gemm variant $name: gemm_gpu_test ok"
    else
      say "gemm variant $name: gemm_gpu_test FAILED"; status=1
    fi
    LD_LIBRARY_PATH="$lib:$LD_LIBRARY_PATH" "$bin/detnum_bench" \
      --benchmark_filter='^gemm/(det_cuda|cublas)/(4096/4096/4096|8192/8192/8192|8192/8192/128)/' \
      --benchmark_min_time=0.05 --benchmark_out="$out/bench_gemm_variant_$name.json" --benchmark_out_format=json \
      2>&1 | grep -E "^gemm/" | sed "s/^/[$name] /" | tee -a "$summary"
    rm -rf "$lib"
  done
}

# CPU GEMM's thread scaling at 512^3 beside Eigen's (16 threads were 0.08x Eigen there once), with
# what bounds the CPUs this process may use; early, so that a run cut short still has it.
cpu_gemm_scaling() {
  local policy
  say "cpus: nproc $(nproc), cgroup cpu.max $(cat /sys/fs/cgroup/cpu.max 2>/dev/null || echo n/a)"
  for policy in default passive; do
    env $([ $policy = passive ] && echo OMP_WAIT_POLICY=passive) "$bin/detnum_bench" \
      --benchmark_filter='^gemm/(det_cpu|eigen)/512/512/512/' --benchmark_min_time=0.2 \
      --benchmark_out="$out/bench_gemm_cpu_$policy.json" --benchmark_out_format=json 2>&1 |
      grep -E "^gemm/" | sed "s/^/[OMP wait $policy] /" | tee -a "$summary"
  done
}

# One benchmark run per family, most wanted first, each with its own JSON, so that a call cut
# short by its time limit still brings back the families that finished.
for family in gemm embedding_backward train_step sum dot nrm2 column_sums row_sums softmax layer_norm rms_norm layer_norm_backward cross_entropy gelu gelu_backward adamw dropout gemm_tf32 gemm_bf16 dropout_bf16 \
  rms_norm_backward log_softmax softmax_backward log_softmax_backward relu relu_backward bias_add embedding_forward \
  init_uniform init_normal shuffle_indices; do
  "$bin/detnum_bench" --benchmark_filter="^$family/(det_cuda|curand|copy|cub|cublas|atomic|conventional_cuda)/" \
    --benchmark_min_time=0.05 --benchmark_out="$out/bench_$family.json" --benchmark_out_format=json \
    2>&1 | grep -E "^$family/" | tee -a "$summary"
  if [ "$family" = gemm ]; then gemm_variants; cpu_gemm_scaling; fi
done
say "gpu-check: done, status $status"
exit $status
