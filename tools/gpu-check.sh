#!/usr/bin/env bash
# GPU checks in one go, for a machine with a CUDA GPU:
#   tools/gpu-check.sh OUT_DIR [BIN_DIR [all|rest]]
# BIN_DIR is a folder of binaries prepared by tools/pack-gpu.sh on a machine without a GPU
# (default .gpu/bin); without one, the tree is built here (the fallback: it needs the
# development packages). Runs every test binary (GPU tests no longer skip), `detnum env` and
# `detnum check`, then the GPU benchmarks, and writes into OUT_DIR:
#   summary.log  what ran and the verdicts      tests.log   all test output
#   env.json     detnum env                     check.json  detnum check --json
#   demo.log, demo.sqlite   detnum demo (CPU and CUDA runs, compared)
#   bench_FAMILY.json   Google Benchmark JSON of the GPU benchmarks, one file per family
#   bench_gemm_cpu_{default,passive}.json   CPU GEMM at 512^3 over thread counts, beside Eigen
#   bench_variant_NAME.json   another version of a kernel (BIN_DIR/../variants, from
#                             tools/lib-variants.sh), after its GPU tests; those named v0_*
#                             after the families of the issues' open goals, the others after
#                             every family but cuBLAS's TF32 and bf16 GEMMs (context only, slow),
#                             so that a run cut short has measured the library itself first
#   ratios.md   every detnum benchmark beside its peers of the same run (tools/bench-ratios.py),
#               and each variant's beside the adopted code's; also at the end of summary.log
# The third argument `rest` goes on where a first call's time ran out, given the same OUT_DIR on
# the same machine: the variants that did not finish (OUT_DIR/variant_NAME.done holds the
# verdicts of those that did), then the benchmark families whose JSON is missing or cut short,
# then ratios.md; it adds to summary.log.
# Exit status: 0 when every test and check passed.
set -uo pipefail
out=${1:?usage: tools/gpu-check.sh OUT_DIR [BIN_DIR [all|rest]]}
bin=${2:-}
mode=${3:-all}
case $mode in all | rest) ;; *) echo "gpu-check: mode must be all or rest, got '$mode'" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."
mkdir -p "$out"
out=$(cd "$out" && pwd)
summary="$out/summary.log"
say() { echo "$*" | tee -a "$summary"; }

if [ -z "$bin" ] && { [ -d .gpu/bin ] || [ -f .gpu/bin.tgz ]; }; then bin=.gpu/bin; fi
# tools/pack-gpu.sh carries the binaries as BIN_DIR.tgz (a third of their size).
if [ -n "$bin" ] && [ ! -d "$bin" ] && [ -f "$bin.tgz" ]; then tar xzf "$bin.tgz" -C "$(dirname "$bin")"; fi
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
correctness() {
  # Correctness first, nothing timed yet, so run side by side: the GPU tests three at a time
  # (one after another they took 140 s on an H200, axis sums and reductions 100 of it), the
  # CPU-only tests a few at a time, and `detnum check` and the demo beside them. Each writes its
  # own log; the summary lists them in name order afterwards.
  mkdir -p "$out/logs"
  run_test() {  # run_test BINARY: writes logs/NAME.log and logs/NAME.verdict ("ok 1234")
    local t=$1 name start verdict rc
    name=$(basename "$t")
    start=$(date +%s%N)
    timeout 300 "$t" >"$out/logs/$name.log" 2>&1
    rc=$?
    case $rc in 0) verdict=ok ;; 124) verdict=TIMEOUT ;; *) verdict=FAILED ;; esac
    # On a GPU machine a skipped test means the GPU was not usable (e.g. a driver too old for
    # the runtime): that must not pass as success.
    if [ "$verdict" = ok ] && [ "$gpu_present" = 1 ] && grep -q '^\[  SKIPPED \]' "$out/logs/$name.log"; then
      verdict=SKIPPED
    fi
    echo "$verdict $((($(date +%s%N) - start) / 1000000))" >"$out/logs/$name.verdict"
  }
  export -f run_test
  export out gpu_present
  tests=() gpu_tests=() cpu_tests=()
  for t in "$bin"/*_test; do
    name=$(basename "$t")
    case $name in
      dropout_large_test | math_exhaustive_test) continue ;;  # host-only and long (8 GiB; all 2^32 inputs): CI's
      *_gpu_test | *_cuda_test) gpu_tests+=("$t") ;;
      *) cpu_tests+=("$t") ;;
    esac
    tests+=("$t")
  done
  phase_start=$(date +%s)
  (printf '%s\n' "${gpu_tests[@]}" | xargs -r -P 3 -I{} bash -c 'run_test "$1"' _ {}) &
  (printf '%s\n' "${cpu_tests[@]}" | xargs -r -P 4 -I{} bash -c 'run_test "$1"' _ {}) &
  (timeout 300 "$bin/detnum" check --json >"$out/check.json" 2>"$out/logs/check.err"; echo $? >"$out/logs/check.rc") &
  digits="$bin/../digits.csv.gz"
  if [ -f "$digits" ]; then
    (timeout 300 "$bin/detnum" demo --data "$digits" --log "$out/demo.sqlite" >"$out/demo.log" 2>&1
      echo $? >"$out/logs/demo.rc") &
  fi
  wait
  for t in "${tests[@]}"; do
    name=$(basename "$t")
    read -r verdict ms <"$out/logs/$name.verdict" || { verdict=FAILED; ms=0; }
    [ "$verdict" = ok ] || status=1
    { echo "=== $name"; cat "$out/logs/$name.log"; } >>"$out/tests.log"
    say "$(printf '%-28s %-6s %6d ms' "$name" "$verdict" "$ms")"
  done
  grep -E '^\[  (SKIPPED|FAILED) \]' "$out/tests.log" | sort | uniq | tee -a "$summary"
  cat "$out/logs/check.err" >>"$out/tests.log"
  if [ "$(cat "$out/logs/check.rc")" = 0 ]; then say "detnum check: ok"; else say "detnum check: FAILED"; status=1; fi
  # The demo: the CPU and CUDA runs of one training must agree bit for bit.
  if [ -f "$digits" ]; then
    if [ "$(cat "$out/logs/demo.rc")" = 0 ]; then say "detnum demo: ok"; else say "detnum demo: FAILED"; status=1; fi
    tail -n 12 "$out/demo.log" | tee -a "$summary"
  else
    say "detnum demo: no digits file at $digits (tools/pack-gpu.sh puts it there)"
  fi
  rm -rf "$out/logs"
  say "correctness phase: $(($(date +%s) - phase_start)) s"
}

# Other versions of a kernel (tools/lib-variants.sh: another GEMM tile policy, a patch of one
# source file, or a source file as it was at an earlier commit), each checked by its GPU tests
# and timed beside the peer in its own run: bench_variant_NAME.json. Arguments: only the
# variants whose names match the first pattern, and not those that match the second.
lib_variants() {
  local dir name lib gz
  for dir in "$bin"/../variants/${1:-*}/; do
    [ -d "$dir" ] || continue  # (no variants: the pattern itself)
    name=$(basename "$dir")
    # shellcheck disable=SC2053
    [ -n "${2:-}" ] && [[ $name == $2 ]] && continue
    gz=$(compgen -G "$dir/libdetnum.so.*.gz" | head -1)
    [ -n "$gz" ] || { say "variant $name: no library (left out)"; continue; }
    if [ -f "$out/variant_$name.done" ]; then  # an earlier call's verdicts, repeated
      say "variant $name: done in an earlier call: $(cat "$out/variant_$name.done")"
      grep -q FAILED "$out/variant_$name.done" && status=1
      continue
    fi
    lib=$(mktemp -d)
    gunzip -c "$gz" >"$lib/$(basename "$gz" .gz)"
    say "variant $name: $(cat "$dir/about")"
    local verdicts="" t
    for t in $(cat "$dir/test"); do  # each of its GPU tests, at most 120 s
      if LD_LIBRARY_PATH="$lib:$LD_LIBRARY_PATH" timeout 120 "$bin/$t" >>"$out/tests.log" 2>&1; then
        verdicts="$verdicts $t ok"
      else
        verdicts="$verdicts $t FAILED"; status=1
      fi
    done
    say "variant $name:$verdicts"
    LD_LIBRARY_PATH="$lib:$LD_LIBRARY_PATH" timeout 120 "$bin/detnum_bench" --benchmark_filter="$(cat "$dir/filter")" \
      --benchmark_min_time=0.05 --benchmark_out="$out/bench_variant_$name.json" --benchmark_out_format=json \
      2>&1 | grep -E "^[a-z_0-9]+/" | sed "s/^/[$name] /" | tee -a "$summary"
    echo "$verdicts" >"$out/variant_$name.done"
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
# short by its time limit still brings back the families that finished; in `rest` mode a family
# whose JSON is whole already (the first call's) is not run again.
families() {
  # (cuBLAS's TF32 and bf16 GEMMs, context only and slow to run, come after the variants.)
  for family in "$@"; do
    if [ "$mode" = rest ] && python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$out/bench_$family.json" 2>/dev/null; then
      continue
    fi
    # The two figures closest to their goals (the embedding gradient's 1.5x of the atomic kernel,
    # the 2^24 sum's 0.97x of cub) move by a few percent from run to run: 5 repetitions, medians.
    local repeat=(--benchmark_repetitions=1)
    case $family in embedding_backward | sum) repeat=(--benchmark_repetitions=5 --benchmark_report_aggregates_only=true) ;; esac
    "$bin/detnum_bench" --benchmark_filter="^$family/(det_cuda|det_cuda_deferred|det_cuda_ignore|det_cuda_smooth|curand|copy|cub|cublas|atomic|conventional_cuda|cuda)/" \
      --benchmark_min_time=0.05 "${repeat[@]}" \
      --benchmark_out="$out/bench_$family.json" --benchmark_out_format=json \
      2>&1 | grep -E "^$family/" | tee -a "$summary"
    if [ "$family" = gemm ]; then cpu_gemm_scaling; fi
  done
}

# Most wanted first: the figures of the issues' open goals, then the families that have never
# run on a GPU (session 14), then those measured before. The variants named v0_* (the list's
# most wanted) run right after the goals' families, the others after every family.
goal_families=(gemm embedding_backward sum dot train_step)
other_families=(relu_backward bias_add embedding_forward init_uniform init_normal shuffle_indices dropout_bf16 asum clip_grad_norm silu silu_backward
  gelu_tanh gelu_tanh_backward sigmoid sigmoid_backward tanh tanh_backward causal_softmax causal_softmax_backward mse_loss bce_with_logits
  attention attention_backward batch_norm batch_norm_backward
  sgd cross_entropy argmax call_overhead nrm2 column_sums row_sums softmax layer_norm rms_norm layer_norm_backward gelu
  gelu_backward adamw dropout rms_norm_backward log_softmax softmax_backward log_softmax_backward relu)
if [ "$mode" = all ]; then
  correctness
  families "${goal_families[@]}"
  lib_variants 'v0_*'
  families "${other_families[@]}"
  lib_variants '*' 'v0_*'
else
  # On a machine where no check ran (the first call's was given back), the tests come first.
  [ -f "$out/tests.log" ] || { say "gpu-check: no earlier check in $out: the tests first"; correctness; }
  lib_variants
  families "${goal_families[@]}" "${other_families[@]}"
fi
families gemm_tf32 gemm_bf16
# detnum beside each peer of the same run, as time ratios.
python3 tools/bench-ratios.py "$out"/bench_*.json >"$out/ratios.md" 2>>"$summary" && cat "$out/ratios.md" >>"$summary"
say "gpu-check: done, status $status"
exit $status
