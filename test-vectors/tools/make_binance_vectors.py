#!/usr/bin/env python3
"""Builds ../binance-addresses.json and ../binance-signatures.json from docs/upstream-vectors.md.

Valid vectors are the upstream (and a few marked DERIVED / computed) values of docs/upstream-vectors.md §2, §3, §4 and
docs/upstream-vectors.md §6. Every literal below must occur verbatim in the spec (checked when the spec is readable), and
every key → public key → address and every signature is recomputed with the independent Python in
secp256k1_ref.py / bech32_ref.py, so a transcription slip stops the script.

Invalid addresses are made by mutating upstream valid ones; the only expected value is the error
kind (invalid-address), and the script checks with the reference decoder that each mutation breaks
exactly what it claims to (checksum, case, HRP, length, bech32m, padding, character).

Run: python3 test-vectors/tools/make_binance_vectors.py [PATH/TO/docs/upstream-vectors.md]
"""

import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bech32_ref as b32  # noqa: E402
import secp256k1_ref as ec  # noqa: E402

SPEC = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/spec/binance-chain.md"
SPEC_TEXT = open(SPEC, encoding="utf-8").read() if os.path.exists(SPEC) else None


def in_spec(*values):
    if SPEC_TEXT is None:
        return
    for v in values:
        if v and v not in SPEC_TEXT:
            sys.exit(f"{v!r} does not occur in {SPEC}: transcription error?")


def addr_of(pub33, hrp):
    return b32.encode(hrp, b32.convertbits(list(ec.hash160(pub33)), 8, 5, True))


def decode20(addr):
    hrp, data, variant = b32.decode(addr)
    assert variant == "bech32", addr
    return hrp, bytes(b32.convertbits(data, 5, 8, False))


# --- valid key / address vectors -------------------------------------------------------------
# (id, private key or None, public key or None, {hrp: address}, addr20 or None, source note)
KEYS = [
    ("v1", "caf2009a04bd53d426fc0907383b3f1dfe13013aee694d0159f6befc3fdccd5f",
     "033c604c2294353a46dd7bf80be23588b89cc4b03c1b93376f05ae7eeda14e92d3",
     {"bnb": "bnb1ss57e8sa7xnwq030k2ctr775uac9gjzg347gp4", "tbnb": "tbnb1ss57e8sa7xnwq030k2ctr775uac9gjzglqhvpy"},
     None, "docs/upstream-vectors.md §2 V1: key from js-sdk crypto.test.ts / java-sdk CryptoTest; public key and addresses computed by the spec's reference (the tbnb address is the recipient in js-sdk __tests__/fixtures/transfer.json)"),
    ("v1-derived-index1", "959d61b963dc2af6b769d48cd5ef8ffa8f54b8cdb0b32f8fb52e38a628a4044c", None,
     {"bnb": "bnb1rcp2kf6xwaxt3k8fyddvrvl0l0mg585xz37reu"}, None, "docs/upstream-vectors.md §2 V1 DERIVED extra (m/44'/714'/0'/0/1): key and address computed by the spec's reference"),
    ("v1-derived-trezor", "3b9b5f3331fe25101e50b322e0788d171e913e8422bb212fa7ccb5a7af78192f", None,
     {"bnb": "bnb1jf5hxtmlfnve8ynhhzxsrlwtad646y7pfhpzfx"}, None, "docs/upstream-vectors.md §2 V1 DERIVED extra (passphrase TREZOR): key and address computed by the spec's reference"),
    ("v2-bottom", "5cc80a4fee8b51afbbe71f2ae079c682f474b6f67e116b0e6c230506a6a695aa",
     "03d8f33449356d58b699f6b16a498bd391aa5e051085415d0fe1873939bc1d2e3a",
     {"bnb": "bnb1ddt3ls9fjcd8mh69ujdg3fxc89qle2a7km33aa"}, "6b571fc0a9961a7ddf45e49a88a4d83941fcabbe",
     "docs/upstream-vectors.md §2 V2: address from go-sdk keys_test.go TestRecoveryFromKeyWordsNoError; key computed by the spec's reference; public key and addr20 appear in the go-sdk tx vectors (V23c)"),
    ("v2-swift", "01a8d11703efbd8cd8653174216efd9b7901e081db96215b949739727b9047ba",
     "027e69d96640300433654e016d218a8d7ffed751023d8efe81e55dedbd6754c971",
     {"bnb": "bnb1r58rpphguns220pc4yx4t02ckdx405h6a3qyu9"}, "1d0e3086e8e4e0a53c38a90d55bd58b34d57d2fa",
     "docs/upstream-vectors.md §2 V2: key computed by the spec's reference; public key, addr20 and address appear in the go-sdk tx vectors (V19-V23)"),
    ("v3", "727f677b390c151caf9c206fd77f77918f56904b5504243db9b21e51182c4c06", None,
     {"bnb": "bnb1devga6q804tx9fqrnx0vtu5r36kxgp9tmk4xkm", "tbnb": "tbnb1devga6q804tx9fqrnx0vtu5r36kxgp9t4ruzk2"},
     None, "docs/upstream-vectors.md §2 V3: wallet-core BinanceChainTests.swift testBinanceMainnet/Testnet"),
    ("v4", "3dcc267e1f7edca86e03f0963b2d0b7804552d3014caddcfc435a4d7bc240cf5",
     "02cce2ee4e37dc8c65d6445c966faf31ebfe578a90695138947ee7cab8ae9a2c08",
     {"tbnb": "tbnb10a6kkxlf823w9lwr6l9hzw4uyphcw7qzrud5rr"}, "7f756b1be93aa2e2fdc3d7cb713abc206f877802",
     "docs/upstream-vectors.md §2 V4: python-binance-chain tests/test_wallet.py (addr20 = the order-id prefix)"),
    ("v5-pubkey", None, "02fd34a9ae424ccd5b6243ae2f8694d12ed4e7b64b732c6be139b0d6c1878d814a",
     {"tbnb": "tbnb14m2gcdjq7aqkdtu2m9qrqrl8eevzpqfj9xc0uu"}, None,
     "docs/upstream-vectors.md §2 V5: docs-site docs/account.md (bnbcli recovery: address and bech32 PUBKEY of the same key)"),
    ("v5-key", "0f91ff663d4ef6eb5d97084dde09993915cf310aef01160ba6a573b49043c27d",
     "02fd34a9ae424ccd5b6243ae2f8694d12ed4e7b64b732c6be139b0d6c1878d814a",
     {"tbnb": "tbnb14m2gcdjq7aqkdtu2m9qrqrl8eevzpqfj9xc0uu"}, None,
     "docs/upstream-vectors.md §2 V5: key computed by the spec's reference from the docs-site mnemonic; public key and address from docs-site docs/account.md"),
    ("v6-slot", None, "0216087947712ad02e55bf34a227974644f5a6cca391771b3868b495d62c5f7b1a",
     {"tbnb": "tbnb12n2p6zcvgcpumyexqhnp3q9tc2327l39ycfnyk"}, "54d41d0b0c4603cd932605e61880abc2a2af7e25",
     "docs/upstream-vectors.md §2 V6: java-sdk TransactionRequestAssemblerTest"),
    ("v6-trial", None, "0280ec8943329305e43b2e6112728423ef9f9a7e7125621c3545c2f30ce08bf83c",
     {"tbnb": "tbnb1mrslq6lhglm3jp7pxzlk8u4549pmtp9sgvn2rc"}, "d8e1f06bf747f71907c130bf63f2b4a943b584b0",
     "docs/upstream-vectors.md §2 V6: java-sdk TransactionRequestAssemblerTest"),
    ("v7-a", "90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9",
     "029729a52e4e3c2b4a4e52aa74033eedaf8ba1df5ab6d1f518fd69e67bbd309b0e",
     {"bnb": "bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu", "tbnb": "tbnb1hgm0p7khfk85zpz5v0j8wnej3a90w709zzlffd",
      "bnc": "bnc1hgm0p7khfk85zpz5v0j8wnej3a90w7098fpxyh"}, "ba36f0fad74d8f41045463e4774f328f4af779e5",
     "docs/upstream-vectors.md §2 V7: java-sdk CryptoTest, wallet-core Binance address tests (bnc: java-sdk)"),
    ("v7-b", "95949f757db1f57ca94a5dff23314accbe7abee89597bf6a3c7382c84d7eb832",
     "026a35920088d98c3888ca68c53dfc93f4564602606cbb87f0fe5ee533db38e502",
     {"bnb": "bnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lxfn46h2", "tbnb": "tbnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lx8xu7hm"},
     "40c2979694bbc961023d1d27be6fc4d21a9febe6", "docs/upstream-vectors.md §2 V7: java-sdk TransactionRequestAssemblerTest.testWallet"),
    ("v7-c", None, "02bf9a5e2b514492326e7ba9a5161b6e47df7a4aa970dd2d13c398bec89608d8d0",
     {"bnb": "bnb1h8xf9htasu9aclra954dnnve8fgcda4ae7qfa8", "tbnb": "tbnb1h8xf9htasu9aclra954dnnve8fgcda4ahtfdak"},
     "b9cc92dd7d870bdc7c7d2d2ad9cd993a5186f6bd", "docs/upstream-vectors.md §2 V7: wallet-core Binance address tests (public key → address)"),
    ("v7-wallet-core-1", "eeba3f6f2db26ced519a3d4c43afff101db957a21d54d25dc7fd235c404d7a5d",
     "03a9a55c040c8eb8120f3d1b32193250841c08af44ea561aac993dbe0f6b6a8fc7",
     {"bnb": "bnb1prrujx8kkukrcrppklggadhuvegfnx8phwey70"}, None,
     "docs/upstream-vectors.md §2 V7: key from wallet-core tests; public key and address computed by the spec's reference"),
    ("v7-wallet-core-2", "56b1253d944956c7f5b7668892509a44290f1fd149edecbe4fd44f69ba04b84c", None,
     {"tbnb": "tbnb1rr74uvz8rcvl5dqn43jkwdufx5aksp4zwzszvs"}, None, "docs/upstream-vectors.md §2 V7: wallet-core rust/tw_tests binance mod.rs"),
    ("v7-wallet-core-3", "f947b3554a1c2fa70e1caa9de53fbda353348d1e856c593848f3a29737d31f11",
     "02e58176f271a9796b4288908be85094a2ac978e25535fd59a37b58626e3a84d9e",
     {"bnb": "bnb1ztn9fm00negghqehx65c05rfmfdgntkm4lurw4"}, None,
     "docs/upstream-vectors.md §2 V7: key from wallet-core tests; public key and address computed by the spec's reference"),
    ("v7-v9-signer", "30c5e838578a29e3e9273edddd753d6c9b38aca2446dd84bdfe2e5988b0da0a1",
     "03baf53d1424f8ea83d03a82f6d157b5401c4ea57ffb8317872e15a19fc9b7ad7b",
     {"bnc": "bnc1ketpmnqsgycqtxnupr6gcerpps0klyryhz6fzl"}, "b6561dcc104130059a7c08f48c64610c1f6f9064",
     "docs/upstream-vectors.md §2 V7 / §4 V9: the signer of js-sdk/java-sdk generateSignature; bnc address and addr20 (order id prefix) from that message"),
    ("v8a", "5aa75902e986da5cac53a4d03a5b8c857a69155bd3031baa98866f15ec7eed12", None,
     {"bnb": "bnb1lvwxz4m2thps026372kk2wd46hhe5d64ak4a3j", "tbnb": "tbnb1lvwxz4m2thps026372kk2wd46hhe5d64nrue3r"}, None,
     "docs/upstream-vectors.md §3 V8a: key decrypted by the spec's reference from the js-sdk 'new' keystore; addresses as the spec gives them"),
    ("v8b", "39bf6999972b66c538c0e49062fbee924e7a0b3fce5303618bea55ea572c6e84", None,
     {"bnb": "bnb1su5fejg2xd6m4n5dqrvxqgnq3n0cg78e0w548f"}, None,
     "docs/upstream-vectors.md §3 V8b: key decrypted by the spec's reference from the js-sdk 'legacy' keystore"),
    ("v8c", "22bcd2a6695ac42459ff61bf68ffc67dde44c6fe0285023820df454600aa45f8", None,
     {"bnb": "bnb12v2fatnh3h7s44anqrm2azg6etr0kfyy8h54ed", "tbnb": "tbnb12v2fatnh3h7s44anqrm2azg6etr0kfyyfza3eu"}, None,
     "docs/upstream-vectors.md §3 V8c: key decrypted by the spec's reference from go-sdk keys/testkeystore.json"),
]

# Decode-only vectors: (id, address, addr20 or None, note)
DECODES = [
    ("v7-decode-1", "tbnb1x4hxmtdf7pwea9dghq73dufh3qspm8gp5qht9c", "356e6dada9f05d9e95a8b83d16f13788201d9d01", "docs/upstream-vectors.md §2 V7: js-sdk crypto.test.ts decodeAddress"),
    ("v7-decode-2", "tbnb18mtcq20875cr0p7l4upm0u5zx4r9jpj2kfu9f8", "3ed78029e7f5303787dfaf03b7f282354659064a", "docs/upstream-vectors.md §2 V7: js-sdk crypto.test.ts decodeAddress"),
    ("v24-recipient", "tbnb1rqa5gxmgzjhepvkhdtvkuxd4yqyv2w7sm8p78g", "183b441b6814af90b2d76ad96e19b52008c53bd0",
     "docs/upstream-vectors.md §5 V24: java-sdk transfer recipient; addr20 from the upstream amino msg bytes of the same vector"),
    ("v8b-file-address", "bnc1dxj068zgk007fchefj9n8tq06pcuce5ypqm5zk", None,
     "docs/upstream-vectors.md §3 V8b: the `address` field of the js-sdk legacy keystore (a well-formed bnc address; it does not belong to the keystore's key)"),
]

V5_BECH32_PUBKEY = "bnbp1addwnpepqt7nf2dwgfxv6kmzgwhzlp556yhdfeakfdejc6lp8xcddsv83kq552m63s9"
AMINO_PUBKEY_PREFIX = "eb5ae98721"


def key_entry(vid):
    return next(k for k in KEYS if k[0] == vid)


def valid_vectors():
    out = []
    for vid, priv, pub, addrs, a20, note in KEYS:
        in_spec(priv, pub, a20, *addrs.values())
        got_pub = ec.pubkey(priv) if priv else bytes.fromhex(pub)
        if pub and got_pub.hex() != pub:
            sys.exit(f"{vid}: public key of {priv} is {got_pub.hex()}, spec says {pub}")
        for hrp, addr in addrs.items():
            if addr_of(got_pub, hrp) != addr:
                sys.exit(f"{vid}: address under {hrp} is {addr_of(got_pub, hrp)}, spec says {addr}")
            if a20 and decode20(addr)[1].hex() != a20:
                sys.exit(f"{vid}: {addr} does not decode to {a20}")
            v = {"id": f"{vid}-{hrp}", "type": "address"}
            if priv:
                v["private_key"] = priv
            if pub:
                v["public_key"] = pub
            v["hrp"] = hrp
            v["address"] = addr
            if a20:
                v["address_hex"] = a20
            v["note"] = note
            out.append(v)
    for vid, addr, a20, note in DECODES:
        in_spec(addr, a20)
        hrp, payload = decode20(addr)
        if a20 and payload.hex() != a20:
            sys.exit(f"{vid}: {addr} decodes to {payload.hex()}, spec says {a20}")
        v = {"id": vid, "type": "address", "hrp": hrp, "address": addr}
        if a20:
            v["address_hex"] = a20
        v["note"] = note
        out.append(v)
    # The same V7 key given uncompressed: the address hashes the compressed form.
    v7a = key_entry("v7-a")
    pt = ec.mul(int(v7a[1], 16))
    uncompressed = "04" + pt[0].to_bytes(32, "big").hex() + pt[1].to_bytes(32, "big").hex()
    if ec.compressed(pt).hex() != v7a[2]:
        sys.exit("V7 uncompressed key does not match")
    out.append({"id": "v7-a-uncompressed-pubkey", "type": "address", "public_key": uncompressed, "hrp": "bnb",
                "address": v7a[3]["bnb"], "address_hex": v7a[4],
                "note": "docs/upstream-vectors.md §2 V7 public key in uncompressed SEC1 form (computed from the upstream key by the generator); the address is RIPEMD160(SHA256(compressed key)), so it is unchanged"})
    # BIP-173: a decoder must accept an all-uppercase string (its canonical form is lowercase).
    upper = v7a[3]["bnb"].upper()
    if decode20(upper)[1].hex() != v7a[4]:
        sys.exit("uppercase V7 address does not decode")
    out.append({"id": "v7-a-uppercase", "type": "address", "hrp": "bnb", "address": upper,
                "address_hex": v7a[4],
                "note": "docs/upstream-vectors.md §2 V7 mainnet address in all uppercase: BIP-173 decoders must accept it (e.g. from a QR code); canonical form is lowercase"})
    # V5's bech32 public key: amino prefix ‖ compressed key under "bnbp".
    in_spec(V5_BECH32_PUBKEY)
    hrp, data, variant = b32.decode(V5_BECH32_PUBKEY)
    payload = bytes(b32.convertbits(data, 5, 8, False)).hex()
    if variant != "bech32" or hrp != "bnbp" or payload != AMINO_PUBKEY_PREFIX + key_entry("v5-pubkey")[2]:
        sys.exit("V5 bech32 public key does not decode to the amino-prefixed key")
    out.append({"id": "v5-bech32-pubkey", "type": "bech32", "string": V5_BECH32_PUBKEY, "hrp": "bnbp",
                "data_hex": payload,
                "note": "docs/upstream-vectors.md §2 V5: docs-site docs/account.md PUBKEY = bech32('bnbp', amino prefix eb5ae98721 ‖ compressed key)"})
    return out


# --- invalid addresses, mutated from upstream valid ones -------------------------------------
BASE_BNB = "bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu"    # V7 (java-sdk, wallet-core)
BASE_TBNB = "tbnb1hgm0p7khfk85zpz5v0j8wnej3a90w709zzlffd"  # V7
BASE_BNC = "bnc1hgm0p7khfk85zpz5v0j8wnej3a90w7098fpxyh"    # V7
ADDR20 = bytes.fromhex("ba36f0fad74d8f41045463e4774f328f4af779e5")
PUB33 = bytes.fromhex("029729a52e4e3c2b4a4e52aa74033eedaf8ba1df5ab6d1f518fd69e67bbd309b0e")


def bad_keys():
    """Malformed private and public keys (docs/test-vectors.md: zero, >= n, wrong length; not a point).

    The address in each vector is V7's valid mainnet address, so only the key can be at fault."""
    priv = "90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9"
    pt = ec.mul(int(priv, 16))
    x, y = pt[0].to_bytes(32, "big"), pt[1].to_bytes(32, "big")
    # The smallest x with no curve point: x^3 + 7 is not a square mod p (Euler's criterion).
    nx = next(i for i in range(1, 100) if pow((i ** 3 + 7) % ec.P, (ec.P - 1) // 2, ec.P) != 1)
    bad_y = (ec.P - pt[1] + 1) % ec.P
    if (bad_y * bad_y - pt[0] ** 3 - 7) % ec.P == 0:
        sys.exit("changed y is still on the curve")
    return [
        ("key-zero", "private_key", "00" * 32, "invalid-private-key", "private key 0"),
        ("key-order", "private_key", f"{ec.N:064x}", "invalid-private-key", "private key = n, the group order"),
        ("key-above-order", "private_key", f"{ec.N + 1:064x}", "invalid-private-key", "private key = n + 1"),
        ("key-all-ff", "private_key", "ff" * 32, "invalid-private-key", "private key 2^256 - 1"),
        ("key-31-bytes", "private_key", priv[:-2], "invalid-private-key", "the V7 key without its last byte: never padded"),
        ("key-33-bytes", "private_key", "00" + priv, "invalid-private-key", "the V7 key with a leading zero byte: never trimmed"),
        ("key-not-hex", "private_key", priv[:-1] + "g", "invalid-private-key", "the V7 key with a non-hex character"),
        ("pub-bad-prefix", "public_key", "05" + x.hex(), "invalid-public-key", "V7 public key x with prefix 05"),
        ("pub-not-on-curve", "public_key", "02" + nx.to_bytes(32, "big").hex(), "invalid-public-key",
         f"compressed key with x = {nx}, for which x^3 + 7 is not a square mod p"),
        ("pub-32-bytes", "public_key", x.hex(), "invalid-public-key", "V7 public key x without a prefix byte"),
        ("pub-uncompressed-wrong-y", "public_key", "04" + x.hex() + bad_y.to_bytes(32, "big").hex(),
         "invalid-public-key", "uncompressed V7 key with y changed (not on the curve)"),
        ("pub-uncompressed-as-compressed-prefix", "public_key", "02" + x.hex() + y.hex(), "invalid-public-key",
         "65 bytes with a compressed-key prefix"),
    ]


def substitute(s, i, c):
    return s[:i] + c + s[i + 1:]


def invalid_vectors():
    out = []

    def bad(vid, addr, note, hrp=None, must=None):
        res = b32.decode(addr)
        if must == "bech32-error" and res[2] is not None:
            sys.exit(f"{vid}: {addr} still decodes")
        if must == "bech32m" and res[2] != "bech32m":
            sys.exit(f"{vid}: {addr} is not bech32m")
        if must in ("length", "hrp", "padding") and res[2] != "bech32":
            sys.exit(f"{vid}: {addr} should be well-formed bech32 ({res[1]})")
        if must == "length" and (b32.convertbits(res[1], 5, 8, False) is None or len(b32.convertbits(res[1], 5, 8, False)) == 20):
            sys.exit(f"{vid}: {addr} payload is not a wrong-length byte string")
        if must == "padding" and b32.convertbits(res[1], 5, 8, False) is not None:
            sys.exit(f"{vid}: {addr} has valid padding")
        if must == "hrp" and res[0] == hrp:
            sys.exit(f"{vid}: {addr} has the expected HRP")
        v = {"id": vid, "type": "address"}
        if hrp:
            v["hrp"] = hrp
        v.update({"address": addr, "expect_error": "invalid-address", "note": note})
        out.append(v)

    in_spec(BASE_BNB, BASE_TBNB, BASE_BNC, ADDR20.hex(), PUB33.hex())
    truncated = "tbnb1x4hxmtdf7pwea9dghq73dufh3qspm8gp"
    in_spec(truncated)
    bad("invalid-truncated-v7", truncated, "docs/upstream-vectors.md §2 V7 upstream invalid vector (js-sdk): truncated address", must="bech32-error")
    bad("invalid-truncated-1", BASE_BNB[:-1], "V7 address with its last character removed", must="bech32-error")
    last = BASE_BNB[-1]
    bad("invalid-checksum-last", substitute(BASE_BNB, len(BASE_BNB) - 1, "q" if last != "q" else "p"),
        "V7 address with the last checksum character changed", must="bech32-error")
    bad("invalid-checksum-data", substitute(BASE_TBNB, 10, "q" if BASE_TBNB[10] != "q" else "p"),
        "V7 testnet address with one data character changed", must="bech32-error")
    swapped = BASE_BNB[:12] + BASE_BNB[13] + BASE_BNB[12] + BASE_BNB[14:]
    bad("invalid-checksum-swap", swapped, "V7 address with two adjacent data characters swapped", must="bech32-error")
    bad("invalid-checksum-hrp", "bnc" + BASE_BNB[3:], "V7 bnb address with its HRP changed to bnc and the checksum left alone", must="bech32-error")
    bad("invalid-mixed-case-1", BASE_BNB[:4] + BASE_BNB[4:].upper(), "V7 address: lowercase HRP, uppercase data (mixed case)", must="bech32-error")
    bad("invalid-mixed-case-2", BASE_TBNB[:-1] + BASE_TBNB[-1].upper(), "V7 testnet address with only its last character uppercased (mixed case)", must="bech32-error")
    bad("invalid-char-o", substitute(BASE_BNB, 6, "o"), "V7 address with a data character replaced by 'o' (not in the bech32 alphabet)", must="bech32-error")
    bad("invalid-char-b", substitute(BASE_TBNB, 20, "b"), "V7 testnet address with a data character replaced by 'b' (not in the bech32 alphabet)", must="bech32-error")
    bad("invalid-no-separator", BASE_BNB.replace("1", "", 1), "V7 address with the separator '1' removed", must="bech32-error")
    bad("invalid-empty", "", "empty string", must="bech32-error")
    bad("invalid-space", " " + BASE_BNB, "V7 address with a leading space (character out of range)", must="bech32-error")
    # Wrong HRP for the network the caller expects: the address itself is fine.
    bad("invalid-hrp-testnet-as-mainnet", BASE_TBNB, "V7 testnet address where a mainnet (bnb) address is expected", hrp="bnb", must="hrp")
    bad("invalid-hrp-mainnet-as-testnet", BASE_BNB, "V7 mainnet address where a testnet (tbnb) address is expected", hrp="tbnb", must="hrp")
    bad("invalid-hrp-bnc-as-mainnet", BASE_BNC, "V7 bnc address where a mainnet (bnb) address is expected", hrp="bnb", must="hrp")
    bad("invalid-hrp-v3-testnet-as-mainnet", "tbnb1devga6q804tx9fqrnx0vtu5r36kxgp9t4ruzk2", "V3 testnet address where a mainnet (bnb) address is expected", hrp="bnb", must="hrp")
    # Well-formed bech32, wrong payload length.
    for vid, payload, what in [
        ("invalid-length-19", ADDR20[:19], "the V7 addr20 without its last byte (19 bytes)"),
        ("invalid-length-21", ADDR20 + b"\x00", "the V7 addr20 plus a zero byte (21 bytes)"),
        ("invalid-length-32", ADDR20 + bytes(12), "the V7 addr20 zero-extended to 32 bytes"),
        ("invalid-length-33-pubkey", PUB33, "the V7 compressed public key itself (33 bytes) instead of its hash"),
        ("invalid-length-0", b"", "no payload at all"),
    ]:
        addr = b32.encode("bnb", b32.convertbits(list(payload), 8, 5, True))
        bad(vid, addr, f"correctly checksummed bnb bech32 of {what}", must="length")
    in_spec(V5_BECH32_PUBKEY)
    bad("invalid-length-bech32-pubkey", V5_BECH32_PUBKEY, "docs/upstream-vectors.md §2 V5 bech32 public key (bnbp, 38-byte payload) is not an account address", must="length")
    # 31 five-bit groups: 155 bits, 19 bytes plus 3 padding bits that are not zero.
    data = b32.convertbits(list(ADDR20), 8, 5, True)
    for k in range(31, 0, -1):
        if b32.convertbits(data[:k], 5, 8, False) is None and (k * 5) % 8 < 5:
            break
    bad("invalid-padding-nonzero", b32.encode("bnb", data[:k]),
        f"correctly checksummed bnb bech32 of the first {k} five-bit groups of the V7 addr20 (non-zero padding bits)", must="padding")
    bad("invalid-padding-too-long", b32.encode("bnb", data + [0]),
        "correctly checksummed bnb bech32 of the V7 addr20 plus one zero five-bit group (5 padding bits)", must="padding")
    # Valid address, malformed key: the key is what must be refused.
    for vid, field, value, kind, what in bad_keys():
        out.append({"id": vid, "type": "address", field: value, "hrp": "bnb", "address": BASE_BNB,
                    "expect_error": kind, "note": what})
    # Bech32m checksum over a valid payload.
    for vid, hrp, payload, what in [
        ("invalid-bech32m-mainnet", "bnb", ADDR20, "V7 addr20 under bnb"),
        ("invalid-bech32m-testnet", "tbnb", bytes.fromhex("40c2979694bbc961023d1d27be6fc4d21a9febe6"), "V7 addr20 of key 95949f… under tbnb"),
    ]:
        addr = b32.encode(hrp, b32.convertbits(list(payload), 8, 5, True), b32.BECH32M_CONST)
        bad(vid, addr, f"{what} with a bech32m (BIP-350) checksum: Binance Chain uses BIP-173 bech32", must="bech32m")
    return out


def addresses_doc():
    vectors = valid_vectors() + invalid_vectors()
    return {
        "name": "binance-addresses",
        "description": (
            "Binance Chain account addresses: private key / public key -> address (RIPEMD160(SHA256(compressed "
            "key))) under bnb, tbnb and bnc, and address decoding (address_hex = the 20 bytes), from "
            "docs/upstream-vectors.md §2–§3, plus V5's bech32 public key (type bech32). Values marked 'computed' or "
            "DERIVED in a note come from the spec's independent reference, not from upstream tests. Invalid "
            "addresses (expect_error invalid-address) are the upstream truncated V7 address and mutations of "
            "upstream valid addresses: bad checksum, mixed case, bad character, wrong HRP for the expected "
            "network (vector gives `hrp`), wrong payload length, bad padding, and bech32m checksums; and malformed "
            "keys next to a valid address (invalid-private-key: zero, >= n, wrong length, not hex; "
            "invalid-public-key: bad prefix, not on the curve, wrong length). Every "
            "value is recomputed by the generator with independent Python (secp256k1, RIPEMD-160, bech32)."
        ),
        "source": (
            "docs/upstream-vectors.md §2 (js-sdk, java-sdk, go-sdk, wallet-core, python-binance-chain, docs-site) and "
            "docs/upstream-vectors.md §3 (keystore keys); generated by test-vectors/tools/make_binance_vectors.py"
        ),
        "vectors": vectors,
    }


# --- signatures ------------------------------------------------------------------------------
def spec_extract(pattern, what):
    if SPEC_TEXT is None:
        sys.exit(f"{SPEC} is needed to extract {what}")
    m = re.search(pattern, SPEC_TEXT, re.S)
    if not m:
        sys.exit(f"cannot find {what} in {SPEC}")
    return m.group(1)


def signatures_doc():
    v9_hex = spec_extract(r"exact hex as given in the tests: `([0-9a-f]+)`", "V9 message hex")
    v9_text = spec_extract(r"\*\*V9 — .*?message \(UTF-8\) =\n`([^`]+)`", "V9 message text")
    if v9_text.encode().hex() != v9_hex:
        sys.exit("V9 message text and hex disagree")
    v28_sb = spec_extract(r"transfer sb =\n`([^`]+)`", "V28 transfer sign bytes")
    sigs = [
        ("v9-generate-signature", "30c5e838578a29e3e9273edddd753d6c9b38aca2446dd84bdfe2e5988b0da0a1", bytes.fromhex(v9_hex),
         "9c0421217ef92d556a14e3f442b07c85f6fc706dfcd8a72d6b58f05f96e95aa226b10f7cf62ccf7c9d5d953fa2c9ae80a1eacaf0c779d0253f1a34afd17eef34",
         "docs/upstream-vectors.md §4 V9: js-sdk crypto.test.ts generateSignature, java-sdk CryptoTest.testSign (old-format sign doc; an ECDSA vector only)"),
        ("v9b-sign-message", "3dcc267e1f7edca86e03f0963b2d0b7804552d3014caddcfc435a4d7bc240cf5", b"testmessage",
         "d90102ab13fd5e34476582a9ee82b58ca9977df974a9c70a43eefd8b47954ee834fc17c04a459a2ee2bba314de240709bb42ebe2fb1ea164639dbad2fae3b6c1",
         "docs/upstream-vectors.md §4 V9b: python-binance-chain tests/test_wallet.py test_sign_message"),
        ("bnbsign-hello-world", "95949f757db1f57ca94a5dff23314accbe7abee89597bf6a3c7382c84d7eb832", b"hello world",
         "7d295ebe093529501e4886ebf8048c6c0a4eb410a77253c6a4b6cd5943a54bf030962efc1eab1e4ce5f1ac8356ec3c945bd167c5c11d01b95a0af9ad1e19f271",
         "docs/upstream-vectors.md §6 DERIVED: Binance-Chain-Wallet-style bnbSign of UTF-8 'hello world'; the signature was computed by the spec's reference, not taken from an upstream test"),
        ("v28-transfer-fixture", "90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9", v28_sb.encode(),
         "97b4c2e41b0d0f61ddcf4020fff0ecb227d6df69b3dd7e657b34be0e32b956e22d0c6be5832d25353ae24af0bb223d4a5337320518c4e7708b84c8e05eb6356b",
         "docs/upstream-vectors.md §5 V28: js-sdk __tests__/fixtures/transfer.json signature over its signMsgBytes (historic Binance-Chain-Nile format with string amounts: a raw ECDSA vector, not a current transaction vector)"),
    ]
    vectors = []
    for vid, priv, msg, sig, note in sigs:
        in_spec(priv, sig)
        if not ec.verify(ec.pubkey(priv), msg, bytes.fromhex(sig)):
            sys.exit(f"{vid}: signature does not verify (low-S) under the reference")
        vectors.append({"id": vid, "type": "signature", "private_key": priv, "message_hex": msg.hex(),
                        "signature": sig, "note": note})
    return {
        "name": "binance-signatures",
        "description": (
            "Raw Binance Chain signatures: RFC 6979 low-S secp256k1 ECDSA over SHA-256(message), r||s. V9 and V9b "
            "are upstream SDK test values, V28 an upstream js-sdk fixture signature, bnbSign 'hello world' is "
            "DERIVED (see its note). The generator checks each signature verifies (low-S) with independent Python."
        ),
        "source": "docs/upstream-vectors.md §4 (V9, V9b), §5 (V28), §6 (bnbSign); generated by test-vectors/tools/make_binance_vectors.py",
        "vectors": vectors,
    }


def write(name, doc):
    path = os.path.join(HERE, "..", name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"{name}: {len(doc['vectors'])} vectors")


def main():
    write("binance-addresses.json", addresses_doc())
    write("binance-signatures.json", signatures_doc())


if __name__ == "__main__":
    main()
