#!/usr/bin/env python3
"""Builds ../bech32-bip173.json from the BIP-173 and BIP-350 test-vector excerpts in upstream/.

Every string is classified by the reference decoder in bech32_ref.py, and the converter stops if
that classification disagrees with what the BIP says about the string, so a transcription error in
the excerpt cannot slip through (the checksum catches any changed character).

Run: python3 test-vectors/tools/convert_bech32_bips.py
"""

import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bech32_ref as ref  # noqa: E402

OUT = os.path.join(HERE, "..", "bech32-bip173.json")
BIP173 = os.path.join(HERE, "upstream", "bip-0173-test-vectors.mediawiki")
BIP350 = os.path.join(HERE, "upstream", "bip-0350-test-vectors.mediawiki")
BIP173_COMMIT = "01111edbabb3a5871694cde405e6f4e6d5b510fc"
BIP350_COMMIT = "0310d9eeb1eda5e3626a738394f58b4ee3252074"

ITEM = re.compile(r"^\* (?:0x([0-9A-F]{2}) \+ )?<tt>([^<]*)</tt>(?: \+ 0x([0-9A-F]{2}))?(?:: (.*)| (.*))?$")
SEGWIT = re.compile(r"^<tt>([0-9a-f]*)</tt>$")


def sections(path):
    """Yields (section heading, string, reason-or-scriptPubKey) for each list item."""
    section = None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("#") or not line:
            continue
        if line.startswith("The following"):
            section = line
            continue
        if not line.startswith("* "):
            continue  # continuation of a heading
        m = ITEM.match(line)
        if not m:
            sys.exit(f"cannot parse line: {line!r}")
        pre, body, post, reason, _warning = m.groups()
        s = (chr(int(pre, 16)) if pre else "") + body + (chr(int(post, 16)) if post else "")
        yield section, s, reason


def u5hex(data):
    return "".join(f"{d:02x}" for d in data)


def valid_vector(vid, s, expect_variant, note):
    hrp, data, variant = ref.decode(s)
    if variant != expect_variant:
        sys.exit(f"{s!r}: reference decoder says {variant or data}, the BIP says {expect_variant}")
    v = {"id": vid, "type": "bech32", "string": s, "hrp": hrp, "data_u5_hex": u5hex(data)}
    as_bytes = ref.convertbits(data, 5, 8, False)
    if as_bytes is not None:
        v["data_hex"] = bytes(as_bytes).hex()
    v["note"] = note
    return v


def invalid_vector(vid, s, note):
    return {"id": vid, "type": "bech32", "string": s, "expect_error": "invalid-address", "note": note}


def check_segwit(s, spk):
    """The 5-bit data of a segwit address is [version] + program regrouped; check it against the
    scriptPubKey the BIP gives (OP_n, push length, program)."""
    _, data, _ = ref.decode(s)
    spk = bytes.fromhex(spk)
    version = 0 if spk[0] == 0 else spk[0] - 0x50
    program = spk[2:]
    if spk[1] != len(program) or data != [version] + ref.convertbits(list(program), 8, 5, True):
        sys.exit(f"{s}: 5-bit data does not match scriptPubKey {spk.hex()}")


def main():
    vectors = []
    seen = set()
    left_out = []

    def add(v):
        if v["string"] in seen:
            return
        seen.add(v["string"])
        vectors.append(v)

    n = {"valid": 0, "invalid": 0, "sw": 0, "swbad": 0, "m": 0, "msw": 0, "mswbad": 0}
    for section, s, reason in sections(BIP173):
        if "valid Bech32:" in section and "not valid" not in section:
            n["valid"] += 1
            add(valid_vector(f"bip173-valid-{n['valid']}", s, "bech32", "BIP-173 valid Bech32 string"))
        elif "not valid Bech32" in section:
            n["invalid"] += 1
            got = ref.decode(s)
            if got[2] is not None:
                sys.exit(f"{s!r}: BIP-173 lists it as invalid but the reference decodes it")
            add(invalid_vector(f"bip173-invalid-{n['invalid']}", s, f"BIP-173 invalid Bech32: {reason}"))
        elif "valid segwit addresses" in section and "invalid" not in section:
            n["sw"] += 1
            spk = SEGWIT.match(reason).group(1)
            check_segwit(s, spk)
            add(valid_vector(f"bip173-segwit-valid-{n['sw']}", s, "bech32",
                             f"BIP-173 valid segwit address (scriptPubKey {spk}); as generic bech32 the data is witness version + program in 5-bit groups"))
        elif "invalid segwit addresses" in section:
            n["swbad"] += 1
            hrp, data, variant = ref.decode(s)
            if variant is None:
                add(invalid_vector(f"bip173-segwit-invalid-{n['swbad']}", s,
                                   f"BIP-173 invalid segwit address: {reason} (invalid as generic bech32 too)"))
            else:
                left_out.append(f"{s} ({reason})")
        else:
            sys.exit(f"unknown section {section!r}")

    for section, s, reason in sections(BIP350):
        if "valid Bech32m:" in section:
            n["m"] += 1
            if ref.decode(s)[2] != "bech32m":
                sys.exit(f"{s!r}: not bech32m per the reference")
            add(invalid_vector(f"bip350-bech32m-{n['m']}", s,
                               "BIP-350 valid Bech32m string: a BIP-173 decoder must refuse it (BIP-350: no string is valid as both)"))
        elif "valid segwit addresses" in section and "invalid" not in section:
            n["msw"] += 1
            spk = SEGWIT.match(reason).group(1)
            variant = ref.decode(s)[2]
            check_segwit(s, spk)
            if variant == "bech32m":
                add(invalid_vector(f"bip350-segwit-bech32m-{n['msw']}", s,
                                   f"BIP-350 valid v1+ segwit address (scriptPubKey {spk}) with a Bech32m checksum: refused by a BIP-173 decoder"))
            elif s not in seen:
                sys.exit(f"{s}: bech32 address in BIP-350 not already in BIP-173")
        elif "invalid segwit addresses" in section:
            n["mswbad"] += 1
            variant = ref.decode(s)[2]
            if "Bech32 instead of Bech32m" in reason:
                add(valid_vector(f"bip350-segwit-bech32-{n['mswbad']}", s, "bech32",
                                 f"BIP-350 invalid segwit address ({reason}): its checksum is plain Bech32, so a generic BIP-173 decoder must accept it"))
            elif "Bech32m instead of Bech32" in reason:
                if variant != "bech32m":
                    sys.exit(f"{s}: expected bech32m")
                add(invalid_vector(f"bip350-segwit-bech32m-v0-{n['mswbad']}", s,
                                   f"BIP-350 invalid segwit address ({reason}): Bech32m checksum, refused by a BIP-173 decoder"))
            else:
                sys.exit(f"unexpected BIP-350 line {s}")
        else:
            sys.exit(f"unknown section {section!r}")

    doc = {
        "name": "bech32-bip173",
        "description": (
            "Generic bech32 (BIP-173) decoding: the BIP-173 valid and invalid Bech32 strings, the BIP-173 valid "
            "segwit addresses as generic bech32 (5-bit data = witness version + program; data_hex is given "
            "as well whenever the 5-bit data also regroups into bytes under BIP-173's padding rules), the BIP-350 "
            "valid Bech32m strings and v1+ segwit addresses (a BIP-173 decoder must refuse them: invalid-address), "
            "and the BIP-350 'Bech32 instead of Bech32m' addresses (valid plain bech32). Non-ASCII characters in the "
            "BIP-173 invalid list (0x80, 0xFF) are given as the JSON escapes \\u0080 and \\u00ff, i.e. their UTF-8 "
            "encodings; both are refused either way. Left out, because they are invalid only as segwit addresses "
            "and are valid generic bech32 strings: " + "; ".join(left_out) + "."
        ),
        "source": (
            f"bitcoin/bips bip-0173.mediawiki @ {BIP173_COMMIT} and bip-0350.mediawiki @ {BIP350_COMMIT}, "
            "section 'Test vectors' (excerpts in test-vectors/tools/upstream/); converted by "
            "test-vectors/tools/convert_bech32_bips.py, which classifies each string with the BIPs' reference "
            "Python (tools/bech32_ref.py) and stops on any disagreement with the BIP text"
        ),
        "vectors": vectors,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=True)
        f.write("\n")
    print(f"{OUT}: {len(vectors)} vectors")


if __name__ == "__main__":
    main()
