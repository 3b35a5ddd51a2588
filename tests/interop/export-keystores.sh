#!/usr/bin/env bash
# Writes keystores exported by dexlink (`keys export --format keystore-binance`) as a vector file
# of `keystore` vectors, for check-keystore.js to open with the official JS SDK:
#   bash tests/interop/export-keystores.sh OUT.json      (run from the repository root)
# Keys and passwords are random (python's `secrets`), never produced by dexlink.
set -euo pipefail
out=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 700 "$work"
# A test build: `test-kdf` lets DEXLINK_TEST_KDF_LOG_N make the store entries cheap (the exported
# keystores themselves use the standard Binance Chain cost either way).
cargo build -q -p dexlink-cli --features test-kdf
bin=target/debug/dexlink
vectors="$work/vectors.jsonl"
: >"$vectors"
for i in 1 2 3 4; do
  key=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
  # Passwords include non-ASCII text: the JS SDK uses UTF-8 bytes, as we do.
  pass=$(python3 -c 'import secrets; print(secrets.choice(["pässwörd-", "密码-", "p@ss "]) + secrets.token_urlsafe(12))')
  printf 'store-password\n' >"$work/store.pw"
  printf '%s\n' "$pass" >"$work/export.pw"
  chmod 600 "$work/store.pw" "$work/export.pw"
  home="$work/home$i"
  echo "$key" | DEXLINK_TEST_KDF_LOG_N=10 "$bin" --home "$home" --password-file "$work/store.pw" \
    keys import k --private-key --network mainnet >/dev/null
  DEXLINK_TEST_KDF_LOG_N=10 "$bin" --home "$home" --password-file "$work/store.pw" keys export k --format keystore-binance \
    --export-password-file "$work/export.pw" --out "$work/k$i.json" --yes 2>/dev/null
  python3 - "$work/k$i.json" "$pass" "$key" "$i" >>"$vectors" <<'PY'
import json, sys
path, password, key, i = sys.argv[1:]
print(json.dumps({"id": f"dexlink-export-{i}", "type": "keystore", "keystore": json.load(open(path)),
                  "password": password, "private_key": key}))
PY
done
python3 - "$vectors" "$out" <<'PY'
import json, sys
vs = [json.loads(l) for l in open(sys.argv[1])]
json.dump({"name": "dexlink-exported-keystores",
           "description": "Binance Chain v1 keystores written by `dexlink keys export --format keystore-binance` for random keys and passwords",
           "source": "random keys and passwords from python secrets; keystores from dexlink (opened by the JS SDK in check-keystore.js)",
           "vectors": vs}, open(sys.argv[2], "w"), indent=1)
PY
