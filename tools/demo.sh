#!/usr/bin/env bash
# The README's main job: build (tools/build.sh), fetch the digits dataset (tools/fetch-digits.sh),
# then `detnum demo`: one model trained on the CPU with 1 thread, with all threads and on CUDA
# when a GPU is present, shown to be bit-identical. Arguments go to `detnum demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
# (A fetch that fails does not stop here: the file may come from --data or DETNUM_DIGITS, and
# `detnum demo` says what to do when it finds none.)
tools/fetch-digits.sh || echo "demo: data/digits.csv.gz not fetched; going on" >&2
build/bin/detnum demo "$@"
