#!/usr/bin/env python3
"""Converts trezor/python-mnemonic's vectors.json into test-vectors/bip39-trezor.json.

Input: the upstream file as provided in shared/upstream-vectors/bip39-trezor-vectors.json
(trezor/python-mnemonic vectors.json; each entry [entropy, mnemonic, seed, xprv], passphrase
"TREZOR"). Every entry of every language the SDK supports is kept, unchanged; languages the
SDK has no word list for are left out and named in the description.

Each seed is re-checked here with hashlib's PBKDF2-HMAC-SHA512 over the NFKD forms, so a
corrupted input file is caught before it becomes a vector.

Usage: python3 test-vectors/tools/bip39_trezor.py [path/to/bip39-trezor-vectors.json]
"""
import hashlib
import json
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "bip39-trezor.json"
DEFAULT_IN = Path("/work/shared/upstream-vectors/bip39-trezor-vectors.json")

# The word lists of the bip39 crate 3.0.0 (all-languages), under the names the SDK parses.
SUPPORTED = [
    "english", "chinese_simplified", "chinese_traditional", "czech", "french",
    "italian", "japanese", "korean", "portuguese", "spanish",
]
PASSPHRASE = "TREZOR"


def nfkd(s):
    return unicodedata.normalize("NFKD", s)


def main():
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_IN
    data = json.loads(src.read_text(encoding="utf-8"))
    left_out = [lang for lang in data if lang not in SUPPORTED]
    missing = [lang for lang in SUPPORTED if lang not in data]
    assert not missing, "upstream lacks " + ", ".join(missing)
    vectors = []
    for lang in SUPPORTED:
        for i, (entropy, mnemonic, seed, xprv) in enumerate(data[lang]):
            check = hashlib.pbkdf2_hmac(
                "sha512", nfkd(mnemonic).encode(), ("mnemonic" + nfkd(PASSPHRASE)).encode(), 2048
            )
            assert check.hex() == seed, (lang, i)
            vectors.append({
                "id": "%s-%02d" % (lang, i),
                "type": "bip39",
                "language": lang,
                "entropy": entropy,
                "mnemonic": mnemonic,
                "passphrase": PASSPHRASE,
                "seed": seed,
                "xprv": xprv,
            })
    doc = {
        "name": "bip39-trezor",
        "description": (
            "BIP-39 reference vectors: entropy <-> mnemonic, mnemonic + passphrase TREZOR -> seed, "
            "seed -> BIP-32 master xprv, for every language the SDK supports (%s). Left out: %s, "
            "because the bip39 crate (3.0.0) the SDK uses ships no word list for them, so the "
            "SDK cannot parse or produce those phrases."
            % (", ".join(SUPPORTED), ", ".join(left_out) or "none")
        ),
        "source": (
            "trezor/python-mnemonic vectors.json (HEAD b57a5ad, per spec docs/security.md §3), "
            "as provided in shared/upstream-vectors/bip39-trezor-vectors.json; entries copied "
            "unchanged by test-vectors/tools/bip39_trezor.py"
        ),
        "vectors": vectors,
    }
    OUT.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print("wrote %s: %d vectors (left out: %s)" % (OUT, len(vectors), ", ".join(left_out)))


if __name__ == "__main__":
    main()
