#!/usr/bin/env python3
"""Writes the hand-constructed invalid-input vectors: test-vectors/bip39-invalid.json and
test-vectors/hd-invalid-paths.json.

Nothing here comes from an implementation under test: each case is built from the BIP-39
English word list (tools/upstream/bip39-english.txt, the bitcoin/bips bip-0039/english.txt list
as shipped in the bip39 crate 3.0.0, SHA-256 2f5eed53...dbda) and the BIP-32 path syntax, and
this script checks with python's stdlib why each one is invalid (unknown word, checksum
mismatch, word count, entropy length, path component). The expected value is only the error kind.

Usage: python3 test-vectors/tools/invalid_inputs.py
"""
import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORDS = (HERE / "upstream" / "bip39-english.txt").read_text().split()
assert len(WORDS) == 2048
assert hashlib.sha256(("\n".join(WORDS) + "\n").encode()).hexdigest() == (
    "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda"
)
INDEX = {w: i for i, w in enumerate(WORDS)}


def checksum_ok(words):
    bits = "".join(format(INDEX[w], "011b") for w in words)
    ent_bits = len(bits) * 32 // 33
    entropy = int(bits[:ent_bits], 2).to_bytes(ent_bits // 8, "big")
    digest = format(int.from_bytes(hashlib.sha256(entropy).digest(), "big"), "0256b")
    return bits[ent_bits:] == digest[: len(bits) - ent_bits]


def mnemonic_case(id_, words, why):
    phrase = " ".join(words)
    unknown = [w for w in words if w not in INDEX]
    if why == "unknown word":
        assert len(words) in (12, 15, 18, 21, 24) and len(unknown) == 1
    elif why == "bad checksum":
        assert len(words) in (12, 15, 18, 21, 24) and not unknown and not checksum_ok(words)
    elif why == "bad word count":
        assert len(words) not in (12, 15, 18, 21, 24) and not unknown
    else:
        raise ValueError(why)
    return {"id": id_, "type": "bip39", "mnemonic": phrase, "passphrase": "",
            "expect_error": "invalid-mnemonic", "note": why}


def entropy_case(id_, n):
    assert n not in (16, 20, 24, 28, 32)
    return {"id": id_, "type": "bip39", "entropy": "00" * n,
            "expect_error": "invalid-entropy", "note": "%d-byte entropy" % n}


def bip39_file():
    ab = ["abandon"] * 11
    about12 = ab + ["about"]
    assert checksum_ok(about12)  # the well-known valid phrase the cases below perturb
    vectors = [
        mnemonic_case("checksum-12-abandon", ["abandon"] * 12, "bad checksum"),
        mnemonic_case("checksum-12-last-word", ab + ["ability"], "bad checksum"),
        mnemonic_case("checksum-24-zoo", ["zoo"] * 24, "bad checksum"),
        mnemonic_case("checksum-swapped", ["about"] + ab, "bad checksum"),
        mnemonic_case("unknown-word-last", ab + ["bitcoin"], "unknown word"),
        mnemonic_case("unknown-word-typo", ["abandon"] * 4 + ["abandn"] + ["abandon"] * 6 + ["about"],
                      "unknown word"),
        mnemonic_case("unknown-word-uppercase", ["Abandon"] + ab[1:] + ["about"], "unknown word"),
        mnemonic_case("count-13", about12 + ["about"], "bad word count"),
        mnemonic_case("count-11", ab, "bad word count"),
        mnemonic_case("count-25", ["abandon"] * 24 + ["art"], "bad word count"),
        mnemonic_case("count-0", [], "bad word count"),
        entropy_case("entropy-15-bytes", 15),
        entropy_case("entropy-17-bytes", 17),
        entropy_case("entropy-12-bytes", 12),
        entropy_case("entropy-36-bytes", 36),
        entropy_case("entropy-0-bytes", 0),
    ]
    return {
        "name": "bip39-invalid",
        "description": "Mnemonics and entropies BIP-39 does not allow: bad checksum, unknown word "
                       "(including an uppercase word: word lists are lowercase), bad word count "
                       "(13, 11, 25, 0), and entropy lengths other than 16/20/24/28/32 bytes.",
        "source": "constructed by hand from the BIP-39 English word list (bitcoin/bips "
                  "bip-0039/english.txt); test-vectors/tools/invalid_inputs.py checks why each "
                  "case is invalid with python's stdlib. Expected values are only error kinds.",
        "vectors": vectors,
    }


VALID = ("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
         "abandon about")


def path_case(id_, path, why):
    comps = path[2:].split("/") if path.startswith("m/") else path.split("/")
    return {"id": id_, "type": "key-derivation", "mnemonic": VALID, "passphrase": "",
            "path": path, "expect_error": "invalid-path", "note": why,
            "_components": comps}


def paths_file():
    cases = [
        path_case("letter", "m/44'/714'/x'/0/0", "non-numeric component"),
        path_case("empty-component", "m/44'//0'/0/0", "empty component"),
        path_case("index-2^31", "m/44'/714'/0'/0/2147483648", "index is 2^31"),
        path_case("hardened-2^31", "m/44'/714'/2147483648'/0/0", "hardened index is 2^31"),
        path_case("plus-sign", "m/44'/714'/0'/0/+1", "sign before the index"),
        path_case("negative", "m/44'/714'/0'/0/-1", "negative index"),
        path_case("double-mark", "m/44''/714'/0'/0/0", "two hardened marks"),
        path_case("trailing-slash", "m/44'/714'/0'/0/", "trailing slash"),
        path_case("empty", "", "empty path"),
        path_case("inner-m", "m/44'/m/0'/0/0", "m inside the path"),
        path_case("spaces", "m/44'/714'/0 '/0/0", "space inside a component"),
    ]
    for c in cases:
        comps = c.pop("_components")
        if c["path"]:
            bad = [x for x in comps
                   if not (x.rstrip("'hH").isdigit() and x.rstrip("'hH").isascii()
                           and len(x) - len(x.rstrip("'hH")) <= 1
                           and int(x.rstrip("'hH")) < 2**31)]
            assert bad, c
    return {
        "name": "hd-invalid-paths",
        "description": "BIP-32 derivation paths that must be refused (non-numeric, empty, "
                       "out-of-range, signed or doubly-hardened components, an empty path), "
                       "applied to a valid mnemonic.",
        "source": "constructed by hand from the BIP-32 path notation; "
                  "test-vectors/tools/invalid_inputs.py checks each path has a bad component. "
                  "Expected values are only error kinds.",
        "vectors": cases,
    }


def main():
    for name, doc in (("bip39-invalid.json", bip39_file()), ("hd-invalid-paths.json", paths_file())):
        out = HERE.parent / name
        out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        print("wrote %s: %d vectors" % (out, len(doc["vectors"])))


if __name__ == "__main__":
    main()
