#!/usr/bin/env bash
# Interop check against the official @binance-chain/javascript-sdk (the independent oracle):
# installs the pinned SDK, generates fresh vectors with it and runs them through dexlink.
#
#   bash tests/interop/run.sh
#
# Env: INTEROP_SEED (default: new each run, printed so a failure can be reproduced),
#      INTEROP_TX_COUNT (default 300),
#      INTEROP_KEEP=DIR (copy the generated files there),
#      DEXLINK_KEYSTORE_EXPORT_CMD (default tests/interop/export-keystores.sh; empty to skip: a command, run from the repository root, that writes a
#        vector file of `keystore` vectors exported by dexlink to the path in $1; those keystores
#        are then opened with the JS SDK by check-keystore.js).
# Also checks that test-vectors/js-sdk-{tx,sign}.json are what the generators write for the default
# seeds. Exit status: the CLI's (non-zero when any vector failed or was skipped), or earlier steps'.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

echo "-- npm ci (pinned @binance-chain/javascript-sdk)"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
seed=${INTEROP_SEED:-"ci-$(date -u +%Y%m%dT%H%M%S)-$$"}
echo "-- generating with seed $seed (reproduce: INTEROP_SEED=$seed bash tests/interop/run.sh)"
(
  cd "$here"
  node gen-tx.js --count "${INTEROP_TX_COUNT:-300}" --seed "$seed" "$out/js-sdk-tx.json"
  node gen-sign.js --seed "$seed" "$out/js-sdk-sign.json"
  node gen-keystore.js --seed "$seed" "$out/js-sdk-keystore.json"
)
echo "-- the committed records (test-vectors/js-sdk-*.json) are what the generators write for the default seeds"
(
  cd "$here"
  node gen-tx.js "$out/record-tx.json" 2>/dev/null
  node gen-sign.js "$out/record-sign.json" 2>/dev/null
)
for pair in "record-tx.json js-sdk-tx.json" "record-sign.json js-sdk-sign.json"; do
  set -- $pair
  # The description names the tiny-secp256k1 backend (native or js), which may differ by machine.
  if ! diff -q <(grep -v '^  "description"' "$out/$1") <(grep -v '^  "description"' "$root/test-vectors/$2") >/dev/null; then
    echo "test-vectors/$2 differs from what tests/interop generates now: regenerate it (see tests/interop/README.md)" >&2
    exit 1
  fi
done
rm -f "$out"/record-*.json

if [ -n "${INTEROP_KEEP:-}" ]; then
  mkdir -p "$INTEROP_KEEP" && cp "$out"/*.json "$INTEROP_KEEP"/
fi

DEXLINK_KEYSTORE_EXPORT_CMD=${DEXLINK_KEYSTORE_EXPORT_CMD-'bash tests/interop/export-keystores.sh "$1"'}
if [ -n "$DEXLINK_KEYSTORE_EXPORT_CMD" ]; then
  echo "-- dexlink keystores opened by the JS SDK"
  (cd "$root" && bash -c "$DEXLINK_KEYSTORE_EXPORT_CMD" _ "$out/dexlink-keystores.json")
  (cd "$here" && node check-keystore.js "$out/dexlink-keystores.json")
fi

echo "-- dexlink vectors run (JS SDK vectors)"
cd "$root"
cargo run -q -p dexlink-cli -- vectors run "$out/js-sdk-tx.json" "$out/js-sdk-sign.json" "$out/js-sdk-keystore.json"
