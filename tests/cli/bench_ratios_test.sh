#!/usr/bin/env bash
# tools/bench-ratios.py on made-up Google Benchmark files: a detnum entry beside each peer of its
# file (a CPU peer run on one thread beside every thread count), medians when there are
# repetitions, a file cut short left out, and each variant beside the adopted code's entry.
# Usage: bench_ratios_test.sh path/to/tools/bench-ratios.py
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"
script="$1"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT

python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
def it(name, t, unit="us"):
    return {"name": name, "run_name": name, "run_type": "iteration", "real_time": t, "time_unit": unit}
def med(name, t):
    return {"name": name + "_median", "run_name": name, "run_type": "aggregate", "aggregate_name": "median",
            "real_time": t, "time_unit": "us"}
json.dump({"benchmarks": [it("sum/det_cuda/1024/manual_time", 6.0), it("sum/cub/1024/manual_time", 8.0),
                          it("sum/det_cpu/65536/2/real_time", 3.0), it("sum/det_cpu/65536/2/real_time", 5.0),
                          it("sum/det_cpu/65536/2/real_time", 4.0), it("sum/eigen/65536/1/real_time", 2.0)]},
          open(f"{d}/bench_sum.json", "w"))
json.dump({"benchmarks": [med("dot/det_cuda/1024/manual_time", 9.0), it("dot/det_cuda/1024/manual_time", 1.0),
                          it("dot/cublas/1024/manual_time", 3.0, "ns")]}, open(f"{d}/bench_dot.json", "w"))
json.dump({"benchmarks": [it("sum/det_cuda/1024/manual_time", 4.5), it("sum/cub/1024/manual_time", 9.0)]},
          open(f"{d}/bench_variant_v1_fast.json", "w"))
open(f"{d}/bench_cut.json", "w").write('{"benchmarks": [')
PY

expect_exit 0 python3 "$script" "$dir"/bench_*.json
contains "| sum | sum | 1024 | det_cuda | cub | 6 µs | 8 µs | 0.750x |"
contains "| sum | sum | 65536/2 | det_cpu | eigen | 4 µs | 2 µs | 2.000x |"   # the median of 3, beside 1 thread
contains "| dot | dot | 1024 | det_cuda | cublas | 9 µs | 0.003 µs | 3000.000x |"  # the median, in µs
contains "bench_cut.json left out"
contains "| variant_v1_fast | sum | 1024 | det_cuda | cub | 4.5 µs | 9 µs | 0.500x |"
contains "| v1_fast | sum | 1024 | det_cuda | 4.5 µs | 6 µs | 0.750x | 0.500x | 0.750x | 0.667x |"
expect_exit 1 python3 "$script" "$dir/bench_cut.json"
expect_exit 2 python3 "$script"
echo "bench_ratios_test: ok"
