#!/usr/bin/env bash
# The release binary a user installs has no test hook: builds it as `cargo install --path cli`
# and `cargo build --release -p dexlink-cli` do (no features), then checks that
#   * the old hidden `--insecure-kdf-log-n` option is refused (exit 2, clap's unknown argument);
#   * DEXLINK_TEST_KDF_LOG_N, which a `test-kdf` test build reads, is ignored: the entry is
#     written at the default scrypt cost n = 2^18, r = 8, p = 1.
#   bash tests/interop/release-binary.sh      (run from anywhere; takes one release build)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# The release profile and features exactly as a user builds them; only LTO and the codegen-unit
# count are relaxed, which change how fast the binary is built, not what it contains (CI time).
CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  cargo build -q --release -p dexlink-cli
bin="$root/target/release/dexlink"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 700 "$work"
printf 'release-check-pw-5521\n' >"$work/pw"
chmod 600 "$work/pw"
# The V7 upstream key (docs/upstream-vectors.md §2); its mainnet address is checked below.
key=90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9

set +e
echo "$key" | "$bin" --home "$work/home" --password-file "$work/pw" --insecure-kdf-log-n 1 \
  keys import k --private-key >"$work/out" 2>"$work/err"
code=$?
set -e
first=$(head -n 1 "$work/err")
if [ "$code" != 2 ] || [ "$first" != "error: unexpected argument '--insecure-kdf-log-n' found" ]; then
  echo "release binary: --insecure-kdf-log-n was not refused (exit $code): $first" >&2
  exit 1
fi
if [ -e "$work/home/k.json" ]; then
  echo "release binary: an entry was written despite the refused option" >&2
  exit 1
fi

echo "$key" | DEXLINK_TEST_KDF_LOG_N=1 "$bin" --home "$work/home" --password-file "$work/pw" \
  keys import k --private-key >"$work/out"
grep -qx 'bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu' <(grep -o 'bnb1[0-9a-z]*' "$work/out") || {
  echo "release binary: unexpected import output: $(cat "$work/out")" >&2
  exit 1
}
params=$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["crypto"]["kdfparams"]; print(p["n"], p["r"], p["p"])' "$work/home/k.json")
if [ "$params" != "262144 8 1" ]; then
  echo "release binary: DEXLINK_TEST_KDF_LOG_N changed the scrypt cost to n r p = $params" >&2
  exit 1
fi
echo "release binary: --insecure-kdf-log-n refused, DEXLINK_TEST_KDF_LOG_N ignored (scrypt n = 2^18, r = 8, p = 1)"
