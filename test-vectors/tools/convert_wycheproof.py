#!/usr/bin/env python3
"""Converts the Wycheproof secp256k1/SHA-256 ECDSA files to `ecdsa-verify` vectors.

Inputs (copies of C2SP/wycheproof testvectors_v1/, see docs/security.md §1):
  /work/shared/upstream-vectors/wycheproof-ecdsa_secp256k1_sha256_bitcoin_test.json (DER)
  /work/shared/upstream-vectors/wycheproof-ecdsa_secp256k1_sha256_p1363_test.json   (raw r||s)
Outputs: ../wycheproof-secp256k1-bitcoin.json, ../wycheproof-secp256k1-p1363.json

Every test becomes one vector; `valid` is Wycheproof's result == "valid", with two explicit rules:
* "acceptable" (the implementation may accept or reject) needs a decision per flag. Neither input
  file has one today; the converter stops if one appears rather than guessing.
* P1363 only: a signature Wycheproof calls valid but whose s is above n/2 becomes `valid: false`
  with a `note`: Binance Chain (bnc-tendermint secp256k1 VerifyBytes) rejects high-S signatures and
  the SDK verifies by the chain's rule, without normalising s. The bitcoin file already applies
  that rule (flag SignatureMalleabilityBitcoin), so its results are taken as they are.

Run: python3 test-vectors/tools/convert_wycheproof.py [UPSTREAM_DIR]
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
UPSTREAM = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/upstream-vectors"
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
WYCHEPROOF = "C2SP/wycheproof testvectors_v1/"

# Flags whose "acceptable" results we have decided. Empty: no file has any today.
ACCEPTABLE_DECISIONS = {}


def load(name):
    with open(os.path.join(UPSTREAM, name), encoding="utf-8") as f:
        return json.load(f)


def convert(doc, raw, fname):
    vectors = []
    high_s_valid = 0
    counts = {"valid": 0, "invalid": 0}
    for g in doc["testGroups"]:
        if g["sha"] != "SHA-256" or g["publicKey"]["curve"] != "secp256k1":
            sys.exit(f"{fname}: unexpected group {g['sha']} {g['publicKey']['curve']}")
        pub = g["publicKey"]["uncompressed"]
        for t in g["tests"]:
            result = t["result"]
            v = {
                "id": f"tc{t['tcId']}",
                "type": "ecdsa-verify",
                "public_key": pub,
                "message_hex": t["msg"],
                ("signature" if raw else "signature_der"): t["sig"],
                "comment": t["comment"],
                "flags": t["flags"],
                "wycheproof_result": result,
            }
            if result == "valid":
                valid = True
            elif result == "invalid":
                valid = False
            elif result == "acceptable":
                decided = [ACCEPTABLE_DECISIONS[f] for f in t["flags"] if f in ACCEPTABLE_DECISIONS]
                if not decided:
                    sys.exit(f"{fname} tc{t['tcId']}: result 'acceptable' with flags {t['flags']}: "
                             "decide in ACCEPTABLE_DECISIONS whether the chain accepts it")
                valid = decided[0]
                v["note"] = f"Wycheproof result 'acceptable'; decided {valid} for flags {t['flags']}"
            else:
                sys.exit(f"{fname} tc{t['tcId']}: unknown result {result!r}")
            if raw and valid and len(t["sig"]) == 128 and int(t["sig"][64:], 16) > N // 2:
                valid = False
                high_s_valid += 1
                v["note"] = ("Wycheproof result 'valid', but s > n/2 (high-S): Binance Chain rejects "
                             "high-S signatures and the SDK does not normalise s, so this must be rejected")
            v["valid"] = valid
            counts["valid" if valid else "invalid"] += 1
            vectors.append(v)
    if len(vectors) != doc["numberOfTests"]:
        sys.exit(f"{fname}: {len(vectors)} vectors but numberOfTests = {doc['numberOfTests']}")
    return vectors, counts, high_s_valid


def write(out, name, description, source, vectors):
    doc = {"name": name, "description": description, "source": source, "vectors": vectors}
    with open(os.path.join(HERE, "..", out), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"{out}: {len(vectors)} vectors")


def main():
    fb = "wycheproof-ecdsa_secp256k1_sha256_bitcoin_test.json"
    vb, cb, _ = convert(load(fb), False, fb)
    write(
        "wycheproof-secp256k1-bitcoin.json",
        "wycheproof-secp256k1-bitcoin",
        f"ECDSA secp256k1/SHA-256 verification, DER signatures, Bitcoin rules (high-S is invalid, flag "
        f"SignatureMalleabilityBitcoin), as the chain verifies. Every Wycheproof test is one vector; "
        f"valid = (result == 'valid'). 'acceptable' results would need a per-flag decision (the converter "
        f"stops on one); this file has none. {cb['valid']} valid, {cb['invalid']} invalid.",
        f"{WYCHEPROOF}ecdsa_secp256k1_sha256_bitcoin_test.json (docs/security.md §1); converted by "
        "test-vectors/tools/convert_wycheproof.py",
        vb,
    )
    fp = "wycheproof-ecdsa_secp256k1_sha256_p1363_test.json"
    vp, cp, hs = convert(load(fp), True, fp)
    write(
        "wycheproof-secp256k1-p1363.json",
        "wycheproof-secp256k1-p1363",
        f"ECDSA secp256k1/SHA-256 verification, IEEE P1363 signatures (raw r||s, 64 bytes; other lengths are "
        f"invalid). valid = (result == 'valid') except that low-S normalisation is NOT applied: the {hs} "
        f"signatures Wycheproof calls valid whose s is above n/2 are marked valid: false with a note, "
        f"because Binance Chain rejects high-S signatures. 'acceptable' results would need a per-flag "
        f"decision (the converter stops on one); this file has none. {cp['valid']} valid, "
        f"{cp['invalid']} invalid.",
        f"{WYCHEPROOF}ecdsa_secp256k1_sha256_p1363_test.json (docs/security.md §1); converted by "
        "test-vectors/tools/convert_wycheproof.py",
        vp,
    )


if __name__ == "__main__":
    main()
