#!/usr/bin/env bash
# The official @binance-chain/javascript-sdk BncClient, unchanged, against `dexlink devnet`:
# builds and starts the devnet on a free port (its URL is the first stdout line), funds a fresh
# key with the devnet faucet, and runs devnet-bncclient.js (init chain, account, balances,
# transfer, place order, open orders, cancel, a refused order, then a fill against a second key:
# depth, trades and closed orders). Stops the devnet on exit.
#
#   bash tests/interop/devnet.sh
#
# Exit status: non-zero when any step fails. The throwaway key goes to the script through the
# environment and is never printed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

echo "-- npm ci (pinned @binance-chain/javascript-sdk)"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

echo "-- building dexlink"
(cd "$root" && cargo build -q -p dexlink-cli)
bin=$(cd "$root" && cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')/debug/dexlink

tmp=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

mkfifo "$tmp/out"
# A block right after each accepted transaction: the script reads each result (getTx, open
# orders, a fill) as soon as the broadcast is answered, as the SDK's callers did on the chain.
"$bin" devnet --port 0 --block-time tx >"$tmp/out" 2>"$tmp/err" &
pid=$!
exec 3<"$tmp/out"
if ! IFS= read -r -t 30 url <&3; then
  cat "$tmp/err" >&2
  echo "devnet.sh: the devnet printed no URL" >&2
  exit 1
fi
# Keep draining its stdout so it never blocks on a full pipe.
cat <&3 >/dev/null &
echo "-- devnet at $url"

key=$(cd "$here" && node -e 'process.stdout.write(require("@binance-chain/javascript-sdk").crypto.generatePrivateKey())')
addr=$(cd "$here" && DEVNET_KEY=$key node -e 'process.stdout.write(require("@binance-chain/javascript-sdk").crypto.getAddressFromPrivateKey(process.env.DEVNET_KEY, "tbnb"))')
for fund in "BNB 10" "BUSD-BD1 1000"; do
  set -- $fund
  curl -fsS -X POST -H 'content-type: application/json' \
    -d "{\"address\":\"$addr\",\"asset\":\"$1\",\"amount\":\"$2\"}" "$url/devnet/faucet" >/dev/null
done
echo "-- funded $addr with 10 BNB and 1000 BUSD-BD1"

(cd "$here" && DEVNET_URL=$url DEVNET_KEY=$key node devnet-bncclient.js)
