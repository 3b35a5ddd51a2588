#!/usr/bin/env python3
"""Converts the BIP-32 test vectors into test-vectors/bip32.json.

Inputs (in tools/upstream/, copied verbatim, see README.md there):
  bip-0032-test-vectors.mediawiki   bitcoin/bips bip-0032.mediawiki "Test Vectors" section
                                    (commit d9264508ce37688a137ec28f8d522e91a1672875: vectors 1-3)
  btclib-bip32_test_vectors.json.upstream
                                    btclib-org/btclib tests/bip32/_data/bip32_test_vectors.json
                                    (commit aae29ad43317542d2c6e503afb289f9b7c8b5206: vectors 1-4)
  btclib-bip32_invalid_keys.json.upstream
                                    btclib-org/btclib tests/bip32/_data/bip32_invalid_keys.json
                                    (commit 9478bf5376088052f84711faf44e86883c3331dc: vector 5)

The stored revision of the BIP predates vectors 4 and 5, so those come from btclib's copy; vectors
1-3 must agree between the two sources. Every key is base58check-decoded here (python stdlib only)
and its structure checked independently: valid keys must decode cleanly with the expected depth and
version, and each vector-5 key must show exactly the defect the BIP names for it.

Usage: python3 test-vectors/tools/bip32.py   (writes test-vectors/bip32.json)
"""
import hashlib
import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
UP = HERE / "upstream"
OUT = HERE.parent / "bip32.json"

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
XPRV = bytes.fromhex("0488ade4")
XPUB = bytes.fromhex("0488b21e")
P = 2**256 - 2**32 - 977
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def b58decode(s):
    n = 0
    for c in s:
        n = n * 58 + B58.index(c)
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    pad = len(s) - len(s.lstrip("1"))
    return b"\0" * pad + raw


def dsha(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


def decode(s):
    raw = b58decode(s)
    assert len(raw) == 82, (s, len(raw))
    payload, check = raw[:78], raw[78:]
    return {
        "checksum_ok": dsha(payload)[:4] == check,
        "version": payload[:4],
        "depth": payload[4],
        "parent": payload[5:9],
        "child": int.from_bytes(payload[9:13], "big"),
        "key": payload[45:78],
    }


def on_curve_x(x):
    """Whether some point of secp256k1 has this x coordinate (Euler's criterion)."""
    if x >= P:
        return False
    rhs = (pow(x, 3, P) + 7) % P
    return rhs == 0 or pow(rhs, (P - 1) // 2, P) == 1


def defect(s):
    """The BIP's name for what is wrong with s, found from its bytes (None when valid)."""
    d = decode(s)
    if not d["checksum_ok"]:
        return "invalid checksum"
    v, k = d["version"], d["key"]
    if v not in (XPRV, XPUB):
        return "unknown extended key version"
    if v == XPUB and k[0] == 0:
        return "pubkey version / prvkey mismatch"
    if v == XPRV and k[0] in (2, 3):
        return "prvkey version / pubkey mismatch"
    if v == XPUB and k[0] not in (2, 3):
        return "invalid pubkey prefix %02x" % k[0]
    if v == XPRV and k[0] != 0:
        return "invalid prvkey prefix %02x" % k[0]
    if d["depth"] == 0 and d["parent"] != b"\0\0\0\0":
        return "zero depth with non-zero parent fingerprint"
    if d["depth"] == 0 and d["child"] != 0:
        return "zero depth with non-zero index"
    if v == XPRV:
        x = int.from_bytes(k[1:], "big")
        if x == 0:
            return "private key 0 not in 1..n-1"
        if x >= N:
            return "private key n not in 1..n-1" if x == N else "private key not in 1..n-1"
    elif not on_curve_x(int.from_bytes(k[1:], "big")):
        return "invalid pubkey " + k.hex()
    return None


# The reasons BIP-32 gives for vector 5, in the document's order.
BIP_REASONS = [
    "pubkey version / prvkey mismatch",
    "prvkey version / pubkey mismatch",
    "invalid pubkey prefix 04",
    "invalid prvkey prefix 04",
    "invalid pubkey prefix 01",
    "invalid prvkey prefix 01",
    "zero depth with non-zero parent fingerprint",
    "zero depth with non-zero parent fingerprint",
    "zero depth with non-zero index",
    "zero depth with non-zero index",
    "unknown extended key version",
    "unknown extended key version",
    "private key 0 not in 1..n-1",
    "private key n not in 1..n-1",
    "invalid pubkey 020000000000000000000000000000000000000000000000000000000000000007",
    "invalid checksum",
]


def from_mediawiki(text):
    vectors, seed, path, pub = {}, None, None, None
    for line in text.splitlines():
        if line.startswith("Seed (hex): "):
            seed = line.split(": ", 1)[1].strip()
            vectors[seed] = []
        elif line.startswith("* Chain "):
            path = line[len("* Chain "):].strip().replace("<sub>H</sub>", "'")
        elif line.startswith("** ext pub: "):
            pub = line.split(": ", 1)[1].strip()
        elif line.startswith("** ext prv: "):
            vectors[seed].append((path, pub, line.split(": ", 1)[1].strip()))
    return vectors


def main():
    bip = from_mediawiki((UP / "bip-0032-test-vectors.mediawiki").read_text())
    btclib_raw = json.loads((UP / "btclib-bip32_test_vectors.json.upstream").read_text())
    btclib = {
        seed: [(p.replace("H", "'"), pub, prv) for p, pub, prv in chains]
        for seed, chains in btclib_raw.items()
    }
    seeds = list(btclib)
    assert len(seeds) == 4 and list(bip) == seeds[:3], "vector order differs"
    for seed in bip:
        assert bip[seed] == btclib[seed], "BIP text and btclib copy disagree for seed " + seed

    vectors = []
    for n, seed in enumerate(seeds, 1):
        for path, xpub, xprv in btclib[seed]:
            depth = 0 if path == "m" else path.count("/")
            for s, version in ((xprv, XPRV), (xpub, XPUB)):
                d = decode(s)
                assert defect(s) is None and d["version"] == version and d["depth"] == depth, s
            vectors.append({
                "id": "v%d-%s" % (n, path),
                "type": "bip32",
                "seed": seed,
                "path": path,
                "xprv": xprv,
                "xpub": xpub,
            })

    invalid = json.loads((UP / "btclib-bip32_invalid_keys.json.upstream").read_text())
    assert len(invalid) == len(BIP_REASONS) == 16
    for i, ((key, btclib_reason), reason) in enumerate(zip(invalid, BIP_REASONS), 1):
        found = defect(key)
        assert found == reason, (key, found, reason)
        vectors.append({
            "id": "v5-%02d" % i,
            "type": "bip32",
            "ext_key": key,
            "expect_error": "invalid-extended-key",
            "note": reason,
        })

    doc = {
        "name": "bip32",
        "description": (
            "BIP-32 test vectors 1-5: master and child extended keys (xprv/xpub, mainnet versions) "
            "for four seeds, and the 16 extended keys of vector 5 that a decoder must reject "
            "(each vector's note is the BIP's reason). Paths use ' for hardened."
        ),
        "source": (
            "bitcoin/bips bip-0032.mediawiki, section Test Vectors: vectors 1-3 read at commit "
            "d9264508ce37688a137ec28f8d522e91a1672875; vectors 4 and 5 (absent from that revision) "
            "from the verbatim copy in btclib-org/btclib tests/bip32/_data/bip32_test_vectors.json "
            "(aae29ad4) and bip32_invalid_keys.json (9478bf53), which agrees with the BIP text on "
            "vectors 1-3. Converted by test-vectors/tools/bip32.py, which also checks every key's "
            "base58check structure and each vector-5 defect independently."
        ),
        "vectors": vectors,
    }
    OUT.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    print("wrote %s: %d vectors" % (OUT, len(vectors)))


if __name__ == "__main__":
    main()
