#!/usr/bin/env bash
# Interop check of dexlink's link proofs against CosmJS: installs the pinned CosmJS packages,
# generates fresh link-proof vectors (valid and invalid) from a random seed into a temporary
# directory, and runs them through `dexlink vectors run`. Exits non-zero when any vector fails.
#
#   tests/interop/cosmjs/run.sh            # random seed, 200 valid vectors
#   SEED=abc COUNT=50 tests/interop/cosmjs/run.sh   # reproduce a run
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if ! (cd "$here" && npm ci --no-audit --no-fund --silent) >"$tmp/npm.log" 2>&1; then
  cat "$tmp/npm.log" >&2
  echo "run.sh: npm ci failed" >&2
  exit 1
fi

seed="${SEED:-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}"
count="${COUNT:-200}"
mkdir "$tmp/vectors"
node "$here/gen-link.js" --count "$count" --seed "$seed" "$tmp/vectors/link-proof-cosmjs.json"
node "$here/gen-link-invalid.js" --seed "$seed" "$tmp/vectors/link-proof-invalid.json"

cd "$root"
if ! cargo run -q -p dexlink-cli -- vectors run "$tmp/vectors"; then
  echo "run.sh: link-proof interop FAILED (seed $seed; rerun with SEED=$seed COUNT=$count $0)" >&2
  exit 1
fi
echo "run.sh: link-proof interop passed (seed $seed)"
