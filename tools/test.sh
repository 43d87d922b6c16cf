#!/usr/bin/env bash
# The README's test command: install what is missing, configure, build, and run the test suite
# (everything but the `large` and `exhaustive` labels; GPU tests skip without a device).
#   DETNUM_CUDA_ARCHS=90 tools/test.sh     builds CUDA for sm_90 only, as CI does
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
args=()
[ -n "${DETNUM_CUDA_ARCHS:-}" ] && args+=("-DCMAKE_CUDA_ARCHITECTURES=${DETNUM_CUDA_ARCHS}")
cmake --preset default "${args[@]}"
cmake --build --preset default -j "$(nproc)"
ctest --preset default
