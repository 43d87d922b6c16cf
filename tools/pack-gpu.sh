#!/usr/bin/env bash
# Prepares the prebuilt folder that tools/gpu-check.sh runs on a GPU machine: a CUDA Release
# tree for sm_90 built here (no GPU needed), its build/bin, and this machine's Google Benchmark
# runtime (the GPU machine's has another soname), and the demo's digits. Output: .gpu/ (git-ignored),
# to be carried: .gpu/bin.tgz (build/bin and that runtime) and .gpu/digits.csv.gz.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake --preset ci
cmake --build --preset ci -j "$(nproc)"
rm -rf .gpu && mkdir -p .gpu
cp -a build/bin .gpu/bin
for lib in libbenchmark.so.1debian; do
  # (awk reads to the end: an early exit would kill ldconfig with SIGPIPE, fatal under pipefail)
  src=$(ldconfig -p | awk -v l="$lib" '$1 == l && !found {found = $NF} END {print found}')
  [ -n "$src" ] || { echo "pack-gpu: $lib not found" >&2; exit 1; }
  cp -L "$src" ".gpu/bin/$lib"
done
# The digits for `detnum demo` (the GPU machine has no network).
tools/fetch-digits.sh && cp data/digits.csv.gz .gpu/digits.csv.gz
# Carried as one archive (40 MB -> 15 MB), which leaves room in the carry's 64 MiB for about
# eight GEMM variants; tools/gpu-check.sh and tools/gpu-profile.sh unpack it.
tar czf .gpu/bin.tgz -C .gpu bin && rm -rf .gpu/bin
du -sh .gpu
