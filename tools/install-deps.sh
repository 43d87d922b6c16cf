#!/usr/bin/env bash
# Installs the Debian packages detnum builds and tests with. Idempotent: it asks apt-get
# only for what is missing, so a second run costs a dpkg query.
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  libeigen3-dev          # Eigen overloads and the CPU peer in bench/
  libgtest-dev libgmock-dev
  libbenchmark-dev       # Google Benchmark: build/bin/detnum_bench
  librandom123-dev       # tests only: an independent Philox4x32-10
  libmpfr-dev libgmp-dev # tests only: exact references
  libxxhash-dev          # 128-bit XXH3 fingerprints
  libsqlite3-dev         # the run log
  zlib1g-dev             # the demo reads digits.csv.gz
  python3-minimal        # tests only: tools/bench-ratios.py (gpu-check's summary)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq || true   # a stale or offline index still lets cached packages install
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
