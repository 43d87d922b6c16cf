#!/usr/bin/env bash
# The README's main job: build (tools/build.sh), fetch the digits dataset (tools/fetch-digits.sh),
# then `detnum demo`: one model trained on the CPU with 1 thread, with all threads and on CUDA
# when a GPU is present, shown to be bit-identical. Arguments go to `detnum demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
tools/fetch-digits.sh
build/bin/detnum demo "$@"
