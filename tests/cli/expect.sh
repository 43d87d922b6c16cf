# Helpers sourced by the CLI tests: fail, expect_exit CODE command... (output in $out), contains TEXT.
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() {
  local want="$1"; shift
  set +e; out="$("$@" 2>&1)"; local got=$?; set -e
  [ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want; output:
$out"
}
contains() { grep -qF -- "$1" <<<"$out" || fail "output lacks '$1'; output:
$out"; }
