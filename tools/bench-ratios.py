#!/usr/bin/env python3
"""detnum beside its peers, as ratios, from Google Benchmark JSON files.

    tools/bench-ratios.py FILE.json ...

Names are op/impl/args (docs/PERFORMANCE.md). Each detnum entry (an impl named det_...) is put
beside each peer impl of the same op measured in the same file: its entry of the same args, or,
for a CPU peer that runs on one thread only, of the same args with the thread count (the last
argument) set to 1. Prints one markdown table row per pair: the file, both times and their ratio
(detnum's time over the peer's: above 1 means detnum is slower). With repetitions, medians.

Files named bench_variant_NAME.json (tools/gpu-check.sh: another version of a kernel) also get a
second table: each of their detnum entries beside the same entry of the other files (the
adopted code, measured earlier in the run), as variant / adopted, both as times and as ratios
to their own peer (the second cancels most of the card's drift between the two runs).
Standard library only: it runs on the GPU machine too.
"""
import json
import os
import sys

UNIT_US = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
SUFFIXES = ("real_time", "manual_time", "process_time")


def is_detnum(impl):
    """det_cpu, det_cuda and their variants (det_cuda_deferred)."""
    return impl.startswith("det_")


def split_name(name):
    """'sum/det_cpu/65536/2/real_time' -> ('sum', 'det_cpu', ('65536', '2'))."""
    parts = [p for p in name.split("/") if p not in SUFFIXES and not p.startswith(("repeats:", "min_time:"))]
    if len(parts) < 2:
        return None
    return parts[0], parts[1], tuple(parts[2:])


def times_us(path):
    """{(op, impl, args): microseconds per iteration}: medians when the file has them. A file cut
    short (a run stopped by its time limit) is left out, with a note on stderr."""
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        print(f"bench-ratios: {path} left out: {e}", file=sys.stderr)
        return {}
    plain, medians = {}, {}
    for b in doc.get("benchmarks", []):
        if b.get("error_occurred"):
            continue
        key = split_name(b.get("run_name", b["name"]))
        if key is None:
            continue
        t = b["real_time"] * UNIT_US[b.get("time_unit", "ns")]
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                medians[key] = t
        else:
            plain.setdefault(key, []).append(t)
    result = {k: sorted(v)[len(v) // 2] for k, v in plain.items()}
    result.update(medians)
    return result


def pairs(times):
    """(detnum key, peer key) for every peer measured beside a detnum entry: of each peer impl,
    the entry of the same args, else (a CPU peer run on one thread) of the same args at 1 thread."""
    for det in sorted(k for k in times if is_detnum(k[1])):
        op, _, args = det
        one_thread = args[:-1] + ("1",) if det[1] == "det_cpu" and args else None
        for impl in sorted({k[1] for k in times if k[0] == op and not is_detnum(k[1])}):
            for candidate in (args, one_thread):
                if candidate is not None and (op, impl, candidate) in times:
                    yield det, (op, impl, candidate)
                    break


def fmt_us(t):
    return f"{t:.4g} µs" if t < 1e4 else f"{t / 1e3:.4g} ms"


def ratio(a, b):
    return a / b if b > 0 else float("inf")


def peer_ratio(times, det):
    """det's time over its first peer's in the same file, or None."""
    for d, peer in pairs(times):
        if d == det:
            return ratio(times[det], times[peer])
    return None


def fmt_ratio(r):
    return "" if r is None else f"{r:.3f}x"


def variants_table(runs):
    """Each variant's detnum entries beside the adopted code's (the same key in the other files)."""
    adopted = {}
    for run, times in runs:
        if not run.startswith("variant_"):
            adopted.update({k: (t, times) for k, t in times.items()})
    rows = []
    for run, times in runs:
        if not run.startswith("variant_"):
            continue
        for key in sorted(k for k in times if is_detnum(k[1]) and k in adopted):
            t_adopted, adopted_times = adopted[key]
            v_peer, a_peer = peer_ratio(times, key), peer_ratio(adopted_times, key)
            both = ratio(v_peer, a_peer) if v_peer is not None and a_peer is not None else None
            rows.append(f"| {run.removeprefix('variant_')} | {key[0]} | {'/'.join(key[2])} | {key[1]} | "
                        f"{fmt_us(times[key])} | {fmt_us(t_adopted)} | {ratio(times[key], t_adopted):.3f}x | "
                        f"{fmt_ratio(v_peer)} | {fmt_ratio(a_peer)} | {fmt_ratio(both)} |")
    if rows:
        print()
        print("| variant | op | args | impl | variant time | adopted time | variant / adopted (time) | "
              "variant / its peer | adopted / its peer | variant / adopted (peer ratios) |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        print("\n".join(rows))


def main(paths):
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    print("| run | op | args | detnum | peer | detnum time | peer time | detnum / peer (time) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    rows = 0
    runs = []
    for path in paths:
        try:
            times = times_us(path)
        except (OSError, ValueError, KeyError) as e:
            print(f"bench-ratios: {path}: {e}", file=sys.stderr)
            continue
        run = os.path.basename(path).removeprefix("bench_").removesuffix(".json")
        runs.append((run, times))
        for det, peer in pairs(times):
            print(f"| {run} | {det[0]} | {'/'.join(det[2])} | {det[1]} | {peer[1]} | {fmt_us(times[det])} | "
                  f"{fmt_us(times[peer])} | {ratio(times[det], times[peer]):.3f}x |")
            rows += 1
    variants_table(runs)
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
