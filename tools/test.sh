#!/usr/bin/env bash
# The README's test command: build (tools/build.sh), then run the test suite: everything but the
# `large` and `exhaustive` labels; GPU tests skip, and say so, without a device.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/build.sh
ctest --preset default
