#!/usr/bin/env bash
# One call on a lent GPU machine (the device tool's `run`, carrying .gpu), with what it writes
# bundled into $OUT: only a few files come back from there, so everything goes into one
# tarball, with summary.log beside it.
#   tools/gpu-call.sh check SECONDS      tools/gpu-check.sh: tests, detnum check and demo, every
#                                        benchmark family, then the variants
#   tools/gpu-call.sh rest SECONDS       what a check on the same machine did not reach: the
#                                        variants, then the benchmark families
#   tools/gpu-call.sh profile SECONDS    tools/gpu-profile.sh
# SECONDS bounds the work (give the device tool's timeout_s about 40 more, for the bundling);
# what finished by then comes back.
set -uo pipefail
what=${1:?usage: tools/gpu-call.sh check|rest|profile SECONDS}
seconds=${2:?usage: tools/gpu-call.sh check|rest|profile SECONDS}
: "${OUT:?OUT names the folder that comes back (the device tool sets it)}"
cd "$(dirname "$0")/.."
case $what in
  check | rest) dir=/tmp/gpu-check ;;  # one folder: a rest call skips what the check finished
  profile) dir=/tmp/gpu-profile ;;
  *) echo "gpu-call: check, rest or profile, got '$what'" >&2; exit 2 ;;
esac
# A check starts afresh (an earlier call's figures must not pass for these binaries'); a rest
# call goes on in the check's folder.
[ "$what" = rest ] || rm -rf "$dir"
mkdir -p "$dir"
case $what in
  check) timeout "$seconds" tools/gpu-check.sh "$dir" .gpu/bin ;;
  rest) timeout "$seconds" tools/gpu-check.sh "$dir" .gpu/bin rest ;;
  profile) timeout "$seconds" tools/gpu-profile.sh "$dir" .gpu/bin | tee "$dir/summary.log"; (exit "${PIPESTATUS[0]}") ;;
esac
rc=$?
[ -f "$dir/summary.log" ] && cp "$dir/summary.log" "$OUT/summary_$what.log"
# (Nsight Compute's .ncu-rep files stay behind: large, and their stall samples are already in
# sass_gemm_NAME.csv.)
# (A rest call's folder holds the check's files too: under a megabyte in all, so all come back.)
tar czf "$OUT/$what.tgz" -C "$dir" --exclude='*.ncu-rep' .
echo "gpu-call: $what.tgz, $(du -h "$OUT/$what.tgz" | cut -f1)"
exit $rc
