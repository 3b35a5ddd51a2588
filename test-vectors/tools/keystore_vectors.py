#!/usr/bin/env python3
"""Writes test-vectors/keystore-binance.json and test-vectors/keystore-web3.json.

Every keystore object, password and private key below is copied from an upstream source (named
per vector and in each file's `source`); the only edits are the negative vectors, each of which
changes one named field of an upstream file and expects an error kind (no computed value).
Run from anywhere: python3 test-vectors/tools/keystore_vectors.py
"""
import copy
import json
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

# bnb-chain/javascript-sdk __tests__/utils.ts keystores.new (docs/upstream-vectors.md §3 V8a)
JS_NEW = {"version": 1, "id": "4cffb5da-2f64-48ea-b1c7-c4dd9fe53da8", "crypto": {
    "ciphertext": "721fadbb4d7a53aefb3895c089115da5203e36221bb8735f539e6c9d466b3567",
    "cipherparams": {"iv": "19e3ae15059bb8b80e91fdbb30d0d28b"}, "cipher": "aes-256-ctr", "kdf": "pbkdf2",
    "kdfparams": {"dklen": 32, "salt": "04fc271dcd65e9e833ed2b6a1b4f90ce80b06fb57f9283c29d403cc269e4d8a7",
                  "c": 262144, "prf": "hmac-sha256"},
    "mac": "32beae99a8cc2f9f2134f5aad1047b33182d3bd9996f9c7a88c51429da8942d7fbd44d6035934031aaee3af189cd54644c4655bb6c20c96f7c25ac906ca4786d"}}
JS_NEW_KEY = "5aa75902e986da5cac53a4d03a5b8c857a69155bd3031baa98866f15ec7eed12"
JS_PW = "12345qwert!S"

# keystores.legacy (V8b): SHA-256 MAC; its `address` does not belong to its key.
JS_LEGACY = {"version": 1, "id": "dfb09873-f16f-48c6-a6b8-bb5a705c47a7",
             "address": "bnc1dxj068zgk007fchefj9n8tq06pcuce5ypqm5zk", "crypto": {
    "ciphertext": "33b7439a8d64d73357dc91f88a6b3a45e7303717664d17daf8e8dc1cc708fa4b",
    "cipherparams": {"iv": "88c726d70cd0437bfdb2312dc60103fc"}, "cipher": "aes-256-ctr", "kdf": "pbkdf2",
    "kdfparams": {"dklen": 32, "salt": "ad10ef544417d4a25914dec3d908882686dd9d793b5c484b76fd5aa575cf54b9",
                  "c": 262144, "prf": "hmac-sha256"},
    "mac": "f7cc301d18c97c71741492b8029544952ad5567a733971deb49fd3eb03ee696e"}}
JS_LEGACY_KEY = "39bf6999972b66c538c0e49062fbee924e7a0b3fce5303618bea55ea572c6e84"

# bnb-chain/go-sdk keys/testkeystore.json, password from keys/keys_test.go (V8c, docs/keystores.md §2, §5)
GO = {"version": 1, "id": "0b3d7c68-c5e8-4b26-9b20-4690e0f52b73", "crypto": {
    "ciphertext": "fdbaea9fa6672de0d607aa030eb0492a9023e837c82968ddfe374fee6f1e2f5a",
    "cipherparams": {"iv": "5c9a03d8c23dd6bc5e812ebf3a68f425"}, "cipher": "aes-256-ctr", "kdf": "pbkdf2",
    "kdfparams": {"dklen": 32, "salt": "12fcaadc6cd8fab47edfe51017e7ab1d4bda1902219b86ff8d4cbf4661f60134",
                  "c": 262144, "prf": "hmac-sha256"},
    "mac": "6bfa9ebdcc83278b7bcc04e53a5837b193cabdf7807116dfc5fff2049779b55531710fb5def1b941f59e18a69679126c2bd85baf2c85a88ce867ac1db2cef2ef"}}
GO_PW = "Zjubfd@123"
GO_KEY = "22bcd2a6695ac42459ff61bf68ffc67dde44c6fe0285023820df454600aa45f8"
GO_ADDR = "bnb12v2fatnh3h7s44anqrm2azg6etr0kfyy8h54ed"
JS_NEW_ADDR = "bnb1lvwxz4m2thps026372kk2wd46hhe5d64ak4a3j"

# docs/upstream-vectors.md §3 V8d (DERIVED with fixed randomness by the spec's reference implementation)
V8D = {"version": 1, "id": "00000000-0000-4000-8000-000000000000", "crypto": {
    "ciphertext": "38cd46e20ecedffe4cea1acdf8adba42e2317a063c997ca6235911486ea83104",
    "cipherparams": {"iv": bytes(range(0xa0, 0xb0)).hex()}, "cipher": "aes-256-ctr", "kdf": "pbkdf2",
    "kdfparams": {"dklen": 32, "salt": bytes(range(1, 33)).hex(), "c": 262144, "prf": "hmac-sha256"},
    "mac": "9dbd04249f5145a5da471ba45791fdc78b4af14df6dd23479c092a7ed7e1988c4675f22334653417599f2405eda7d520b3e525163ce325bd38101516d85bb318"}}
V8D_KEY = "95949f757db1f57ca94a5dff23314accbe7abee89597bf6a3c7382c84d7eb832"
V8D_PW = "Password123!"

# ethereum.org Web3 Secret Storage definition, test vectors (docs/keystores.md §4)
W3_PBKDF2 = {"crypto": {"cipher": "aes-128-ctr", "cipherparams": {"iv": "6087dab2f9fdbbfaddc31a909735c1e6"},
    "ciphertext": "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46", "kdf": "pbkdf2",
    "kdfparams": {"c": 262144, "dklen": 32, "prf": "hmac-sha256",
                  "salt": "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},
    "mac": "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},
    "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6", "version": 3}
W3_SCRYPT = {"crypto": {"cipher": "aes-128-ctr", "cipherparams": {"iv": "83dbcc02d8ccb40e466191a123791e0e"},
    "ciphertext": "d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c", "kdf": "scrypt",
    "kdfparams": {"dklen": 32, "n": 262144, "p": 8, "r": 1,
                  "salt": "ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"},
    "mac": "2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"},
    "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6", "version": 3}
W3_PW = "testpassword"
W3_KEY = "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d"
W3_ADDR = "008aeeda4d805471df9b2a5b0f38a0c3bcba786b"

# roynalnaruto/eth-keystore-rs tests/test-keys/key-scrypt.json (docs/keystores.md §5)
ETH_KS = {"version": 3, "id": "23fb6c51-79c8-4ce5-a02a-0f4f169a4168", "crypto": {
    "ciphertext": "eb7302cc8669683e49fc40f3445464020568a1d82e71c977264f286a3099be58",
    "cipherparams": {"iv": "2a9fc5d709ab79e7f015111b93872f6c"}, "cipher": "aes-128-ctr", "kdf": "scrypt",
    "kdfparams": {"dklen": 32, "salt": "19a1b0af7a3f4f04a4e8d1cf722550e905da18b369029b0460b12765f19d8a99",
                  "n": 8192, "r": 8, "p": 1},
    "mac": "b2987a6adb597af26705042977c55ea132ca1391220455769eba2bc0b239089b"}}
ETH_KS_PW = "grOQ8QDnGHvpYJf"
ETH_KS_KEY = "80d3a6ed7b24dcd652949bc2f3827d2f883b3722e3120b15a93a2e0790f03829"


def edit(base, path, value):
    """A copy of `base` with the field at `path` (list of keys) set to `value` (None deletes)."""
    out = copy.deepcopy(base)
    obj = out
    for k in path[:-1]:
        obj = obj[k]
    if value is None:
        del obj[path[-1]]
    else:
        obj[path[-1]] = value
    return out


def ok(vid, ks, pw, key, note):
    return {"id": vid, "type": "keystore", "note": note, "keystore": ks, "password": pw, "private_key": key}


def err(vid, ks, pw, kind, note):
    return {"id": vid, "type": "keystore", "note": note, "keystore": ks, "password": pw, "expect_error": kind}


binance = [
    ok("v8a-js-sdk-new-keccak512-mac", JS_NEW, JS_PW, JS_NEW_KEY,
       "javascript-sdk __tests__/utils.ts keystores.new"),
    ok("v8b-js-sdk-legacy-sha256-mac", JS_LEGACY, JS_PW, JS_LEGACY_KEY,
       "javascript-sdk keystores.legacy; its bnc1 address does not belong to the key and must not block decryption"),
    err("v8b-js-sdk-badmac", edit(JS_LEGACY, ["crypto", "mac"],
        "x7cc301d18c97c71741492b8029544952ad5567a733971deb49fd3eb03ee696e"), JS_PW, "invalid-keystore",
        "javascript-sdk keystores.badMac: the js test only expects a throw (js reports a MAC mismatch); "
        "the mac is not hex, so the file is corrupted"),
    err("v8b-js-sdk-mac-one-digit-changed", edit(JS_LEGACY, ["crypto", "mac"],
        "07cc301d18c97c71741492b8029544952ad5567a733971deb49fd3eb03ee696e"), JS_PW, "wrong-password",
        "keystores.legacy with the first mac digit changed f->0 (valid hex): a MAC mismatch"),
    err("v8a-wrong-password", JS_NEW, "12345qwert!s", "wrong-password", "keystores.new, last letter lowercased"),
    ok("v8c-go-sdk-testkeystore", GO, GO_PW, GO_KEY, "go-sdk keys/testkeystore.json, password from keys/keys_test.go"),
    ok("v8c-go-sdk-version-as-string", edit(GO, ["version"], "1"), GO_PW, GO_KEY,
       "older go-sdk EncryptedKeyJSONV1 writes version as a string"),
    ok("v8c-go-sdk-with-matching-address", edit(GO, ["address"], GO_ADDR), GO_PW, GO_KEY,
       "go-sdk ExportAsKeyStore adds the key's bech32 address (address from docs/upstream-vectors.md §3 V8c)"),
    err("v8c-go-sdk-with-foreign-address", edit(GO, ["address"], JS_NEW_ADDR), GO_PW, "invalid-keystore",
        "address of V8a's key on V8c's file: the address field does not belong to the key"),
    ok("v8d-derived-fixed-randomness", V8D, V8D_PW, V8D_KEY,
       "docs/upstream-vectors.md §3 V8d: salt 0102..20, iv a0..af, c 262144 (DERIVED by the spec's reference)"),
    err("unsupported-kdf", edit(JS_NEW, ["crypto", "kdf"], "argon2id"), JS_PW, "unsupported-keystore",
        "keystores.new with kdf renamed"),
    err("unsupported-prf", edit(JS_NEW, ["crypto", "kdfparams", "prf"], "hmac-sha512"), JS_PW,
        "unsupported-keystore", "js throws 'Unsupported parameters to PBKDF2'"),
    err("unsupported-cipher-in-v1", edit(JS_NEW, ["crypto", "cipher"], "aes-128-ctr"), JS_PW,
        "unsupported-keystore", "version 1 files use aes-256-ctr"),
    err("unsupported-version", edit(JS_NEW, ["version"], 2), JS_PW, "unsupported-keystore", "no version 2"),
    err("invalid-dklen", edit(JS_NEW, ["crypto", "kdfparams", "dklen"], 64), JS_PW, "invalid-keystore",
        "dklen must be 32"),
    err("invalid-pbkdf2-cost-above-cap", edit(JS_NEW, ["crypto", "kdfparams", "c"], 4000000000), JS_PW,
        "invalid-keystore", "c above the 10,000,000 cap is refused before any work"),
    err("invalid-iv-length", edit(JS_NEW, ["crypto", "cipherparams", "iv"], "19e3ae15059bb8b80e91fdbb30d0d2"),
        JS_PW, "invalid-keystore", "15-byte iv"),
    err("invalid-ciphertext-length", edit(JS_NEW, ["crypto", "ciphertext"],
        "721fadbb4d7a53aefb3895c089115da5203e36221bb8735f539e6c9d466b35"), JS_PW, "invalid-keystore",
        "31-byte ciphertext"),
    err("invalid-missing-crypto", edit(JS_NEW, ["crypto"], None), JS_PW, "invalid-keystore", "no crypto object"),
]

web3 = [
    ok("web3-spec-pbkdf2", W3_PBKDF2, W3_PW, W3_KEY, "ethereum.org Web3 Secret Storage, PBKDF2 test vector"),
    ok("web3-spec-scrypt-n2^18-r1-p8", W3_SCRYPT, W3_PW, W3_KEY,
       "ethereum.org Web3 Secret Storage, scrypt test vector (r=1, p=8: rejected by RFC 7914-strict readers)"),
    ok("web3-spec-pbkdf2-with-address", edit(W3_PBKDF2, ["address"], W3_ADDR), W3_PW, W3_KEY,
       "the spec vector with geth's address field (address given with the spec vector)"),
    err("web3-spec-pbkdf2-with-foreign-address", edit(W3_PBKDF2, ["address"], "0x" + "00" * 19 + "01"), W3_PW,
        "invalid-keystore", "an address that is not the key's"),
    err("web3-spec-pbkdf2-wrong-password", W3_PBKDF2, "testpassworD", "wrong-password", "last letter changed"),
    ok("eth-keystore-rs-key-scrypt", ETH_KS, ETH_KS_PW, ETH_KS_KEY,
       "roynalnaruto/eth-keystore-rs tests/test-keys/key-scrypt.json (n=8192, r=8, p=1)"),
    ok("go-sdk-testkeystore", GO, GO_PW, GO_KEY,
       "go-sdk keys/testkeystore.json (docs/keystores.md §2, §5): a Binance v1 file; AES-128 would give 9742251238777eab..."),
    err("scrypt-4GiB-refused", edit(ETH_KS, ["crypto", "kdfparams", "n"], 1 << 22), ETH_KS_PW, "invalid-keystore",
        "n=2^22, r=8 needs 4 GiB: refused before any work"),
    err("scrypt-n-not-power-of-two", edit(ETH_KS, ["crypto", "kdfparams", "n"], 8191), ETH_KS_PW,
        "invalid-keystore", "n must be a power of two"),
    err("scrypt-p-above-cap", edit(ETH_KS, ["crypto", "kdfparams", "p"], 1000), ETH_KS_PW, "invalid-keystore",
        "p above 16"),
    err("unsupported-cipher-in-v3", edit(ETH_KS, ["crypto", "cipher"], "aes-256-ctr"), ETH_KS_PW,
        "unsupported-keystore", "version 3 files use aes-128-ctr"),
    err("unsupported-cipher-cbc", edit(ETH_KS, ["crypto", "cipher"], "aes-128-cbc"), ETH_KS_PW,
        "unsupported-keystore", "only CTR modes"),
    err("invalid-salt-hex", edit(ETH_KS, ["crypto", "kdfparams", "salt"], "zz" * 32), ETH_KS_PW,
        "invalid-keystore", "salt is not hex"),
    err("invalid-mac-length", edit(ETH_KS, ["crypto", "mac"], "b2987a6adb597af2"), ETH_KS_PW,
        "invalid-keystore", "8-byte mac"),
]

files = {
    "keystore-binance.json": {
        "name": "keystore-binance",
        "description": "Binance Chain keystores (version 1): PBKDF2-HMAC-SHA256, AES-256-CTR with the whole "
                       "derived key, Keccak-512 MAC or legacy SHA-256 MAC; plus malformed variants.",
        "source": "bnb-chain/javascript-sdk __tests__/utils.ts (keystores.new/legacy/badMac, password "
                  "12345qwert!S; keys as decrypted in docs/upstream-vectors.md §3 V8a/V8b), bnb-chain/go-sdk "
                  "keys/testkeystore.json + keys/keys_test.go (V8c), docs/upstream-vectors.md §3 V8d (DERIVED, fixed "
                  "randomness). Negative vectors edit one named field of those files. Generated by "
                  "test-vectors/tools/keystore_vectors.py.",
        "vectors": binance,
    },
    "keystore-web3.json": {
        "name": "keystore-web3",
        "description": "Web3 Secret Storage v3 keystores (scrypt / PBKDF2, AES-128-CTR, Keccak-256 MAC) and the "
                       "go-sdk file, plus hostile-parameter variants.",
        "source": "ethereum.org Web3 Secret Storage definition test vectors (docs/keystores.md §4), "
                  "roynalnaruto/eth-keystore-rs tests/test-keys/key-scrypt.json (docs/keystores.md §5), bnb-chain/go-sdk "
                  "keys/testkeystore.json (docs/keystores.md §2, §5). Negative vectors edit one named field of those files. "
                  "Generated by test-vectors/tools/keystore_vectors.py.",
        "vectors": web3,
    },
}

for name, doc in files.items():
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(name, len(doc["vectors"]))
