#!/usr/bin/env bash
# The Go oracle for sign bytes: generates memos and symbols, computes their sign bytes with Go's
# standard encoding/json as the node does (main.go), and runs the vectors through dexlink.
#
#   bash tests/interop/go/run.sh            # random seed, 1000 generated vectors (+ 20 not UTF-8)
#   SEED=abc COUNT=600 bash tests/interop/go/run.sh   # reproduce a run
#
# Needs `go` (Debian's golang-go; .ci/run installs it). No module is downloaded (GOPROXY=off).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
seed="${SEED:-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}"
count="${COUNT:-1000}"
(cd "$here" && GOPROXY=off GOFLAGS=-mod=mod go run . -seed "$seed" -count "$count" "$tmp/go-sign-bytes.json")
cd "$root"
if ! cargo run -q -p dexlink-cli -- vectors run "$tmp/go-sign-bytes.json"; then
  echo "go/run.sh: sign bytes differ from Go's (seed $seed; rerun with SEED=$seed COUNT=$count $0)" >&2
  exit 1
fi
echo "go/run.sh: dexlink's sign bytes match Go encoding/json for seed $seed"
