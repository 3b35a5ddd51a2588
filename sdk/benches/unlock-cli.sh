#!/usr/bin/env bash
# Times what a user waits for when a command unlocks a key-store entry: `dexlink sign message`
# through the release binary, on an entry at the default cost (scrypt n = 2^18, r = 8, p = 1),
# RUNS times (default 5), each a fresh process. Prints every wall time and the fastest.
#
#   sdk/benches/unlock-cli.sh [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-5}
cd "$root"
cargo build -q --release -p dexlink-cli
bin="$root/target/release/dexlink"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 700 "$work"
printf 'unlock-bench-pw-5521\n' >"$work/pw"
chmod 600 "$work/pw"
# docs/upstream-vectors.md V7's key; the entry gets the default cost (a release build has no other).
echo 90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9 |
  "$bin" --home "$work/home" --password-file "$work/pw" keys import k --private-key >/dev/null
best=
for i in $(seq "$runs"); do
  start=$(date +%s.%N)
  "$bin" --home "$work/home" --password-file "$work/pw" sign message k --message hi >/dev/null
  t=$(echo "$(date +%s.%N) - $start" | bc)
  printf 'unlock + sign, run %d: %.2f s\n' "$i" "$t"
  if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
done
printf 'fastest of %d: %.2f s (%s, %s CPUs)\n' "$runs" "$best" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" "$(nproc)"
