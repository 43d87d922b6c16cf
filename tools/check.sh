#!/usr/bin/env bash
# The README's main job: install what is missing, configure, build, and run `detnum check`
# (every op on every backend present, compared bit for bit).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
args=()
[ -n "${DETNUM_CUDA_ARCHS:-}" ] && args+=("-DCMAKE_CUDA_ARCHITECTURES=${DETNUM_CUDA_ARCHS}")
cmake --preset default "${args[@]}"
cmake --build --preset default -j "$(nproc)"
build/bin/detnum check "$@"
