#!/usr/bin/env bash
# The README's main job: build (tools/build.sh), then `detnum check`: every op on every backend
# present, compared bit for bit. Arguments go to `detnum check` (e.g. --json, --quick).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
build/bin/detnum check "$@"
