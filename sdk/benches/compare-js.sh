#!/usr/bin/env bash
# Compares NewOrder build + sign + encode throughput: the official JS SDK vs dexlink.
#
#   sdk/benches/compare-js.sh [COUNT]            (default COUNT = 10000)
#
# JS side: tests/interop/bench-orders.js (installs tests/interop with `npm ci` when needed).
#   JS_PATH=client (default: BncClient.placeOrder, what a JS wallet calls) or JS_PATH=msg
#   (Transaction + NewOrderMsg directly, less SDK overhead).
# Our side: the command in DEXLINK_BENCH_CMD, run from the repository root with COUNT in $COUNT.
#   It must build, sign and encode the SAME orders as bench-orders.js (its header lists them:
#   key 90335b9d…05e9, Binance-Chain-Tigris, account 12, source 0, memo "", for i in 0..COUNT-1:
#   sequence i, NNB-338_BNB, side 1 + i%2, price 100000000 + i, quantity 100000000*(1 + i%100),
#   time_in_force i%2 ? 3 : 1, id HEX(addr)-(i+1)) and print a line `orders/s: R`; it should
#   also print `digest: D` = lowercase hex SHA-256 over the concatenated tx bytes of all orders,
#   which must equal the JS digest (this script fails when both are printed and differ).
#   Default: cargo run -q --release -p dexlink --example bench_orders -- --count $COUNT
# Prints both rates and the ratio dexlink / JS. Machine noise matters: run on an idle machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
export COUNT=${1:-10000}
interop="$root/tests/interop"

if [ ! -d "$interop/node_modules/@binance-chain/javascript-sdk" ]; then
  (cd "$interop" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
js_out=$(cd "$interop" && node bench-orders.js --count "$COUNT" --path "${JS_PATH:-client}")
sed 's/^/js:      /' <<<"$js_out"
js_rate=$(awk '/^orders\/s:/ {print $2}' <<<"$js_out")
js_digest=$(awk '/^digest:/ {print $2}' <<<"$js_out")

cmd=${DEXLINK_BENCH_CMD:-"cargo run -q --release -p dexlink --example bench_orders -- --count $COUNT"}
if ! rs_out=$(cd "$root" && bash -c "$cmd"); then
  echo "dexlink: command failed: $cmd (set DEXLINK_BENCH_CMD, see the header of this script)" >&2
  echo "js orders/s: $js_rate   dexlink orders/s: n/a"
  exit 1
fi
sed 's/^/dexlink: /' <<<"$rs_out"
rs_rate=$(awk '/^orders\/s:/ {print $2}' <<<"$rs_out")
rs_digest=$(awk '/^digest:/ {print $2}' <<<"$rs_out")
if [ -z "$rs_rate" ]; then
  echo "dexlink: no 'orders/s: R' line in the output of: $cmd" >&2
  exit 1
fi

echo "js orders/s:      $js_rate"
echo "dexlink orders/s: $rs_rate"
awk -v r="$rs_rate" -v j="$js_rate" 'BEGIN { printf "ratio dexlink/js: %.2fx\n", r / j }'
if [ -n "$rs_digest" ]; then
  if [ "$rs_digest" = "$js_digest" ]; then
    echo "digest: identical transactions ($js_digest)"
  else
    echo "digest: DIFFERENT transactions (js $js_digest, dexlink $rs_digest)" >&2
    exit 1
  fi
else
  echo "digest: dexlink printed none; the two sides were not proven to sign the same orders" >&2
fi
