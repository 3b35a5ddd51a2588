"""Minimal secp256k1 arithmetic (python3 stdlib only) for cross-checking vector files.

Used by make_binance_vectors.py and binance_tx.py to recompute public keys and addresses from
private keys and to verify signatures, independently of the SDK's Rust code. Not constant time;
never use it on real secrets.
"""

import hashlib

P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
G = (
    0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
    0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8,
)


def add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0] and (a[1] + b[1]) % P == 0:
        return None
    if a == b:
        lam = 3 * a[0] * a[0] * pow(2 * a[1], -1, P) % P
    else:
        lam = (b[1] - a[1]) * pow(b[0] - a[0], -1, P) % P
    x = (lam * lam - a[0] - b[0]) % P
    return (x, (lam * (a[0] - x) - a[1]) % P)


def mul(k, pt=G):
    out = None
    while k:
        if k & 1:
            out = add(out, pt)
        pt = add(pt, pt)
        k >>= 1
    return out


def compressed(pt):
    return bytes([2 + (pt[1] & 1)]) + pt[0].to_bytes(32, "big")


def decompress(b):
    x = int.from_bytes(b[1:33], "big")
    y = pow((x * x * x + 7) % P, (P + 1) // 4, P)
    if (y & 1) != (b[0] & 1):
        y = P - y
    return (x, y)


def pubkey(priv_hex):
    return compressed(mul(int(priv_hex, 16)))


def hash160(b):
    return hashlib.new("ripemd160", hashlib.sha256(b).digest()).digest()


def verify(pub33, msg, sig64, low_s=True):
    """ECDSA verification of SHA-256(msg); rejects high-S when low_s (the chain's rule)."""
    r = int.from_bytes(sig64[:32], "big")
    s = int.from_bytes(sig64[32:], "big")
    if not (0 < r < N and 0 < s < N) or (low_s and s > N // 2):
        return False
    z = int.from_bytes(hashlib.sha256(msg).digest(), "big")
    w = pow(s, -1, N)
    pt = add(mul(z * w % N), mul(r * w % N, decompress(pub33)))
    return pt is not None and pt[0] % N == r
