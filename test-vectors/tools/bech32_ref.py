"""Reference bech32 / bech32m (BIP-173, BIP-350), following the Python in those BIPs.

Used by the converters in this folder to classify upstream strings and to build mutated
(invalid) addresses. It is deliberately independent of the SDK's Rust implementation:
vector files must not be produced by the code they test.
"""

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
GEN = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
BECH32_CONST = 1
BECH32M_CONST = 0x2BC830A3


def polymod(values):
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= GEN[i] if ((b >> i) & 1) else 0
    return chk


def hrp_expand(s):
    return [ord(x) >> 5 for x in s] + [0] + [ord(x) & 31 for x in s]


def create_checksum(hrp, data, const):
    pm = polymod(hrp_expand(hrp) + data + [0] * 6) ^ const
    return [(pm >> 5 * (5 - i)) & 31 for i in range(6)]


def encode(hrp, data, const=BECH32_CONST):
    """hrp (lowercase) + 5-bit data -> string with the given checksum constant."""
    return hrp + "1" + "".join(CHARSET[d] for d in data + create_checksum(hrp, data, const))


def decode(s):
    """Returns (hrp, data5, 'bech32'|'bech32m') or (None, reason, None)."""
    if any(ord(x) < 33 or ord(x) > 126 for x in s):
        return None, "character out of range", None
    if s.lower() != s and s.upper() != s:
        return None, "mixed case", None
    s = s.lower()
    if len(s) > 90:
        return None, "too long", None
    pos = s.rfind("1")
    if pos < 1:
        return None, "empty hrp or no separator", None
    if pos + 7 > len(s):
        return None, "too short checksum", None
    if not all(x in CHARSET for x in s[pos + 1 :]):
        return None, "invalid data character", None
    hrp = s[:pos]
    data = [CHARSET.find(x) for x in s[pos + 1 :]]
    c = polymod(hrp_expand(hrp) + data)
    if c == BECH32_CONST:
        return hrp, data[:-6], "bech32"
    if c == BECH32M_CONST:
        return hrp, data[:-6], "bech32m"
    return None, "checksum", None


def convertbits(data, frombits, tobits, pad):
    """BIP-173 reference regrouping; None when padding rules are broken."""
    acc = 0
    bits = 0
    ret = []
    maxv = (1 << tobits) - 1
    for value in data:
        if value < 0 or (value >> frombits):
            return None
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            ret.append((acc >> bits) & maxv)
    if pad:
        if bits:
            ret.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        return None
    return ret
