#!/usr/bin/env bash
# Puts scikit-learn's handwritten digits at data/digits.csv.gz for `detnum demo`, taking the one
# file out of Debian's python3-sklearn package (apt-get download + dpkg-deb: nothing is
# installed, SciPy is not pulled in). Idempotent: nothing happens when the file is there.
set -euo pipefail
cd "$(dirname "$0")/.."
target=data/digits.csv.gz
member=./usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz
[ -s "$target" ] && exit 0
mkdir -p data
if [ -s "/${member#./}" ]; then  # python3-sklearn is installed
  cp "/${member#./}" "$target"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetch-digits: taking digits.csv.gz out of Debian's python3-sklearn package"
(cd "$work" && apt-get download -qq python3-sklearn 2>/dev/null) || {
  echo "fetch-digits: apt-get download python3-sklearn failed; install python3-sklearn or put the file at $target" >&2
  exit 1
}
dpkg-deb --fsys-tarfile "$work"/python3-sklearn_*.deb | tar -x -O "$member" >"$work/digits.csv.gz"
mv "$work/digits.csv.gz" "$target"
