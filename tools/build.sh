#!/usr/bin/env bash
# Installs what is missing, then configures and builds the `default` preset into build/.
#   DETNUM_CUDA_ARCHS=90 tools/build.sh    builds CUDA for sm_90 only, as CI does
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
args=()
[ -n "${DETNUM_CUDA_ARCHS:-}" ] && args+=("-DCMAKE_CUDA_ARCHITECTURES=${DETNUM_CUDA_ARCHS}")
cmake --preset default "${args[@]}"
cmake --build --preset default -j "$(nproc)"
