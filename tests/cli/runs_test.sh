#!/usr/bin/env bash
# `detnum runs` and `detnum check --log` end to end: exit codes (0 identical, 1 diverged, 2 usage
# or input error) and the messages a person reads. Usage: runs_test.sh path/to/detnum
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"
detnum="$1"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
cd "$dir"
log="$dir/runs.sqlite"

expect_exit 0 "$detnum" check --quick --log "$log"
contains "recorded as run 1 in $log"
expect_exit 0 "$detnum" runs list --log "$log" --json
contains '"name": "detnum check"'
contains '"status": "finished"'
expect_exit 0 "$detnum" runs show 1 --log "$log"
contains 'env detnum.order_spec_version = 1'

expect_exit 0 "$detnum" runs export 1 --format jsonl -o a.jsonl --log "$log"
[ "$(head -c 16 a.jsonl)" = '{"kind":"run","i' ] || fail "export does not start with the run line"
expect_exit 0 "$detnum" runs import a.jsonl --log "$log"
contains "imported run 2 from a.jsonl"
expect_exit 0 "$detnum" runs diff 1 2 --log "$log"
contains "identical:"
expect_exit 0 "$detnum" runs diff a.jsonl "detnum check" --log "$log"

# One fingerprint changed on the 3rd record line: diff names it and exits 1.
awk 'NR == 4 { i = index($0, "\"hash\":\"xxh3:") + 13; c = substr($0, i, 1)
               $0 = substr($0, 1, i - 1) (c == "0" ? "1" : "0") substr($0, i + 1) } { print }' a.jsonl > b.jsonl
expect_exit 1 "$detnum" runs diff a.jsonl b.jsonl --log "$log"
contains "first divergence: step 0,"
contains "DIVERGED"
# A record present in one run only.
head -n 5 a.jsonl > c.jsonl
expect_exit 1 "$detnum" runs diff a.jsonl c.jsonl --log "$log"
contains "only in A:"

# Input errors: exit 2, nothing imported.
sed '2s/}$//' a.jsonl > broken.jsonl
expect_exit 2 "$detnum" runs import broken.jsonl --log "$log"
contains "broken.jsonl:2:"
expect_exit 0 "$detnum" runs list --log "$log"
[ "$(grep -c 'detnum check' <<<"$out")" -eq 2 ] || fail "a malformed import added a run: $out"
expect_exit 2 "$detnum" runs diff 1 no-such-run --log "$log"
contains "no run 'no-such-run'"
expect_exit 2 "$detnum" runs frobnicate --log "$log"
contains "unknown action 'frobnicate'"
echo "not a database" > notes.txt
expect_exit 2 "$detnum" runs list --log notes.txt
contains "is not a detnum run log"
[ "$(cat notes.txt)" = "not a database" ] || fail "a foreign file was modified"
# Readers never create a log; an export never overwrites one.
expect_exit 2 "$detnum" runs list --log typo.sqlite
contains "no run log at typo.sqlite (no file, or an empty one; nothing was created)"
[ ! -e typo.sqlite ] || fail "runs list created typo.sqlite"
cp "$log" copy.sqlite
expect_exit 2 "$detnum" runs export 1 -o copy.sqlite --log copy.sqlite
contains "is an SQLite database (a run log?); it was not overwritten"
cmp -s "$log" copy.sqlite || fail "runs export overwrote a run log"
expect_exit 0 "$detnum" runs list --log copy.sqlite
# -o into a pipe: nothing is read from it first (that would wait forever).
timeout 60 "$detnum" runs export 1 -o /dev/stdout --log "$log" | cat > piped.jsonl || fail "export into a pipe failed"
cmp -s piped.jsonl a.jsonl || fail "export into a pipe wrote other bytes than -o a.jsonl"
echo "runs_test: ok"
