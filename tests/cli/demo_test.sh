#!/usr/bin/env bash
# `detnum demo` end to end on a small synthetic digits file (the real one needs a download): the
# detnum runs agree bit for bit and the conventional bias gradient diverges; exit codes and the
# messages for a missing or malformed file, and the hint when no file is found. Usage: demo_test.sh path/to/detnum
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"
detnum="$1"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
cd "$dir"

# 400 digits: 64 pixels in 0..16 that depend on the label, so there is something to learn.
awk 'BEGIN { srand(7); for (i = 0; i < 400; i++) { y = i % 10; line = "";
  for (p = 0; p < 64; p++) line = line int((p % 10 == y ? 12 : 2) + rand() * 4) ",";
  print line y } }' | gzip > digits.csv.gz

expect_exit 0 "$detnum" demo --steps 30 --data digits.csv.gz --log runs.sqlite --threads 3 --no-cuda
contains "identical: the 2 detnum runs agree bit for bit"
contains "cpu/3"
contains "left out (--no-cuda)"
contains "steps final loss"
# Each of the four runs' rows gives the 30 steps it trained.
[ "$(grep -cE '^[0-9]+ +[a-z]+(/[0-9]+)? .* +30 [-0-9.e]+ ' <<<"$out")" -eq 4 ] || fail "not 4 rows of 30 steps: $out"
contains "conventional bias gradient: 1 and 3 threads part at step 0, fc"
# The demo's runs are ordinary runs of the log: `detnum runs diff` agrees with its verdicts.
expect_exit 0 "$detnum" runs diff 1 2 --log runs.sqlite
contains "identical: 240 records identical"
expect_exit 1 "$detnum" runs diff 3 4 --log runs.sqlite
contains "first divergence: step 0, fc"

expect_exit 2 "$detnum" demo --data missing.csv.gz --log runs.sqlite
contains "cannot open missing.csv.gz"
# No --data, no DETNUM_DIGITS, no data/ here: the demo says how to get the file (unless
# python3-sklearn's copy is installed, which it would find).
if [ ! -e /usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz ]; then
  DETNUM_DIGITS= expect_exit 2 "$detnum" demo --log runs.sqlite --no-cuda
  contains "the digits dataset was not found"
  contains "tools/fetch-digits.sh"
fi
printf '1,2,3\n' | gzip > short.csv.gz
expect_exit 2 "$detnum" demo --data short.csv.gz --log runs.sqlite
contains "short.csv.gz:1: expected 65 values, got 3"
gzip -dc digits.csv.gz > all.csv
head -n 40 all.csv | gzip > few.csv.gz
expect_exit 2 "$detnum" demo --data few.csv.gz --log runs.sqlite
contains "40 digits give 32 for training, fewer than one batch of 64"
expect_exit 2 "$detnum" demo --steps 0
contains "--steps must be an integer in [1, 1000000], got '0'"
echo "demo_test: ok"
