#!/usr/bin/env python3
"""Writes token-recover.json from the published BEP-333 example (docs/recovery.md).

The valid vector's values are copied verbatim from the self-service tool's README as quoted in
docs/recovery.md. The invalid vectors mutate one input of that example; their only
expected value is the error kind, so nothing here is computed by dexlink.
"""
import json, os

N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

MSG = ('{"account_number":"0","chain_id":"Binance-Chain-Tigris","data":null,"memo":"",'
       '"msgs":[{"amount":"00000000000000000000000000000000000000000000000000000000000003e8",'
       '"recipient":"0x441de55a37f6c381b00db8b52df8f57794784a1a",'
       '"token_symbol":"43414b452d343335000000000000000000000000000000000000000000000000"}],'
       '"sequence":"0","source":"0"}')
PUB = "0x030771d42cc0a93289bf457e575bdb42c0d56fcf5953df6614b1b7de2986ce941c"
SIG = ("0xe4838ff411975a210cb15d5c950b53835f5d5bb7b0ebb8dbc4515541bb01181e"
       "408f7cbbdab08c9278a623667909e8c3c39fee8c3df65de65df4aec0c48f4196")
ADDR = "bnb1nn3h8hm678shs5vxj8a5enjes0uhf7nwf0wq4m"

base = {
    "type": "token-recover",
    "chain_id": "Binance-Chain-Tigris",
    "token_symbol": "CAKE-435",
    "amount": 1000,
    "recipient": "0x441DE55A37F6C381b00Db8B52DF8f57794784a1A",
    "message": MSG,
    "public_key": PUB,
    "signature": SIG,
    "address": ADDR,
}

def variant(id_, err, **changes):
    v = dict(base, id=id_, expect_error=err)
    v.update(changes)
    return v

r = int(SIG[2:66], 16)
s = int(SIG[66:], 16)
high_s = "0x%064x%064x" % (r, N - s)
flipped = SIG[:-2] + ("97" if SIG[-2:] != "97" else "98")

vectors = [
    dict(base, id="published-example"),
    dict(base, id="published-example-decimal-amount", amount="0.00001"),
    dict(base, id="published-example-lowercase-recipient",
         recipient="0x441de55a37f6c381b00db8b52df8f57794784a1a"),
    variant("symbol-empty", "invalid-symbol", token_symbol=""),
    variant("symbol-33-bytes", "invalid-symbol", token_symbol="A" * 33),
    variant("symbol-space", "invalid-symbol", token_symbol="CAKE 435"),
    variant("symbol-non-ascii", "invalid-symbol", token_symbol="CAK\u00c9-435"),
    variant("amount-zero", "invalid-amount", amount=0),
    variant("amount-zero-decimal", "invalid-amount", amount="0.00000000"),
    variant("amount-9-decimals", "invalid-amount", amount="0.000010001"),
    variant("amount-over-u64", "invalid-amount", amount=18446744073709551616),
    variant("amount-over-u64-decimal", "invalid-amount", amount="184467440737.09551616"),
    variant("amount-negative", "invalid-amount", amount="-0.00001"),
    variant("recipient-bad-eip55", "invalid-address",
            recipient="0x441dE55A37F6C381b00Db8B52DF8f57794784a1A"),
    variant("recipient-no-0x", "invalid-address",
            recipient="441de55a37f6c381b00db8b52df8f57794784a1a"),
    variant("recipient-19-bytes", "invalid-address",
            recipient="0x441de55a37f6c381b00db8b52df8f57794784a"),
    variant("recipient-not-hex", "invalid-address",
            recipient="0x441de55a37f6c381b00db8b52df8f57794784a1g"),
    variant("chain-unknown", "invalid-message", chain_id="Binance-Chain-Nile"),
    variant("signature-high-s", "invalid-signature", signature=high_s),
    variant("signature-flipped-byte", "invalid-signature", signature=flipped),
    variant("signature-63-bytes", "invalid-signature", signature=SIG[:-2]),
    variant("public-key-other", "invalid-signature",
            public_key="0x026a35920088d98c3888ca68c53dfc93f4564602606cbb87f0fe5ee533db38e502"),
    variant("public-key-not-on-curve", "invalid-public-key",
            public_key="0x02" + "00" * 31 + "07"),
]

doc = {
    "name": "token-recover",
    "description": (
        "BEP-333 token recovery requests. The valid vectors are the published example; the others "
        "change one input of it and expect the error kind only. Kinds invalid-symbol and "
        "invalid-message extend the list of docs/test-vectors.md. A string `amount` is a decimal to "
        "parse; an integer is in 10^-8 units."),
    "source": ("bnb-chain/token-recover-self-service-tools README published example, as quoted in "
               "docs/recovery.md; invalid variants derived from it by "
               "test-vectors/tools/token_recover.py"),
    "vectors": vectors,
}
out = os.path.join(os.path.dirname(__file__), "..", "token-recover.json")
with open(out, "w") as f:
    json.dump(doc, f, indent=2, ensure_ascii=False)
    f.write("\n")
