"use strict";
// Shared pieces of the CosmJS link-proof oracle. Everything dexlink computes is recomputed here
// independently: the message text from docs/link-proofs.md, the ADR-036 sign document and its
// serialization with @cosmjs/amino, the signature with @cosmjs/amino's Secp256k1Wallet
// (which signs SHA-256 of the serialized document with @cosmjs/crypto, RFC 6979, low-S).

const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { Secp256k1Wallet, makeSignDoc, serializeSignDoc } = require("@cosmjs/amino");
const { Secp256k1, Secp256k1Signature, Sha256 } = require("@cosmjs/crypto");
const { fromBase64, fromHex, toBase64, toHex, toUtf8 } = require("@cosmjs/encoding");

/** secp256k1 group order n. */
const N = BigInt("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");

/** Chain id ↔ hrp pairs the generated vectors use (docs/link-proofs.md: Tigris ⇒ bnb). */
const NETWORKS = [
  { hrp: "bnb", chainId: "Binance-Chain-Tigris" },
  { hrp: "tbnb", chainId: "Binance-Chain-Ganges" },
];

/** "name@version" of each CosmJS package used, read from the installed packages. */
function versions() {
  // The packages' "exports" hide package.json, so walk up from the resolved entry point.
  return ["@cosmjs/amino", "@cosmjs/crypto", "@cosmjs/encoding"].map((name) => {
    for (let dir = path.dirname(require.resolve(name)); dir !== path.dirname(dir); ) {
      const file = path.join(dir, "package.json");
      if (fs.existsSync(file)) {
        const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
        if (pkg.name === name) return `${pkg.name}@${pkg.version}`;
      }
      dir = path.dirname(dir);
    }
    throw new Error(`cannot find the version of ${name}`);
  });
}

/**
 * Deterministic byte stream: SHA-256(seed ‖ ":" ‖ counter) blocks. Reproducible from the seed
 * string alone, so a committed file can be regenerated and compared.
 */
class Rng {
  constructor(seed) {
    this.seed = String(seed);
    this.counter = 0;
    this.buf = Buffer.alloc(0);
  }
  bytes(n) {
    while (this.buf.length < n) {
      const block = crypto.createHash("sha256").update(`${this.seed}:${this.counter++}`).digest();
      this.buf = Buffer.concat([this.buf, block]);
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return Uint8Array.from(out);
  }
  /** Uniform integer in [0, n), n < 2^32, by rejection sampling. */
  int(n) {
    const limit = Math.floor(0x100000000 / n) * n;
    for (;;) {
      const x = Buffer.from(this.bytes(4)).readUInt32BE(0);
      if (x < limit) return x % n;
    }
  }
  /** Integer in [lo, hi]. */
  range(lo, hi) {
    return lo + this.int(hi - lo + 1);
  }
  pick(list) {
    return list[this.int(list.length)];
  }
  /** A valid secp256k1 private key (1 ≤ k < n), as CosmJS's makeKeypair accepts. */
  privateKey() {
    for (;;) {
      const k = this.bytes(32);
      const v = BigInt("0x" + toHex(k));
      if (v > 0n && v < N) return k;
    }
  }
}

/** RFC 3339 UTC with whole seconds and a Z suffix, from Unix seconds. */
function rfc3339(unixSecs) {
  const iso = new Date(unixSecs * 1000).toISOString(); // 2026-11-26T21:00:00.000Z
  return iso.replace(/\.\d{3}Z$/, "Z");
}

/**
 * The link message text of docs/link-proofs.md: lines joined by "\n", no trailing newline; the
 * statement line and the blank line after it are left out when there is no statement.
 */
function linkMessage(f) {
  const lines = [`${f.domain} wants you to link your Binance Chain account:`, f.address, ""];
  if (f.statement !== undefined) lines.push(f.statement, "");
  lines.push(
    `URI: ${f.uri}`,
    "Version: 1",
    `Chain ID: ${f.chain_id}`,
    `Nonce: ${f.nonce}`,
    `Issued At: ${f.issued_at}`,
    `Expiration Time: ${f.expiration_time}`,
  );
  return lines.join("\n");
}

/** The ADR-036 amino sign document for arbitrary data, built with CosmJS's makeSignDoc. */
function adr036SignDoc(signer, dataBytes) {
  const msg = { type: "sign/MsgSignData", value: { signer, data: toBase64(dataBytes) } };
  return makeSignDoc([msg], { amount: [], gas: "0" }, "", "", 0, 0);
}

/**
 * Signs `dataBytes` ADR-036-style with a CosmJS wallet for `privkey` / `hrp`.
 * Returns { address, pubkey (33 bytes), signDocText, signature (64 bytes r‖s) }; the
 * signature is checked with CosmJS's verifier and for low-S before it is returned.
 */
async function signArbitrary(privkey, hrp, dataBytes) {
  const wallet = await Secp256k1Wallet.fromKey(privkey, hrp);
  const [account] = await wallet.getAccounts();
  const doc = adr036SignDoc(account.address, dataBytes);
  const signDocBytes = serializeSignDoc(doc);
  const { signature } = await wallet.signAmino(account.address, doc);
  const sig = fromBase64(signature.signature);
  if (sig.length !== 64) throw new Error("CosmJS returned a signature that is not 64 bytes");
  if (signature.pub_key.value !== toBase64(account.pubkey)) throw new Error("pubkey mismatch");
  const s = BigInt("0x" + toHex(sig.subarray(32)));
  if (s > N / 2n) throw new Error("CosmJS returned a high-S signature");
  const digest = new Sha256(signDocBytes).digest();
  const ok = await Secp256k1.verifySignature(
    Secp256k1Signature.fromFixedLength(sig),
    digest,
    account.pubkey,
  );
  if (!ok) throw new Error("CosmJS signature does not verify");
  return {
    address: account.address,
    pubkey: account.pubkey,
    signDocText: Buffer.from(signDocBytes).toString("utf8"),
    signature: sig,
  };
}

/**
 * Signs the serialized `doc` with `privkey` the way Secp256k1Wallet.signAmino does
 * (@cosmjs/crypto createSignature over SHA-256, low-S), without requiring the key to be the
 * signer's: used for "another key's signature" vectors. Returns 64 bytes r‖s.
 */
async function signDocWith(privkey, doc) {
  const digest = new Sha256(serializeSignDoc(doc)).digest();
  const sig = await Secp256k1.createSignature(digest, privkey);
  return new Uint8Array([...sig.r(32), ...sig.s(32)]);
}

/**
 * docs/upstream-vectors.md §6 DERIVED ADR-036 vector, reproduced through CosmJS. Throws when CosmJS
 * (as driven here) does not give the published sign bytes and signature.
 */
async function checkDerivedAdr036() {
  const want = {
    address: "bnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lxfn46h2",
    signDoc:
      '{"account_number":"0","chain_id":"","fee":{"amount":[],"gas":"0"},"memo":"","msgs":[{"type":"sign/MsgSignData","value":{"data":"aGVsbG8gd29ybGQ=","signer":"bnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lxfn46h2"}}],"sequence":"0"}',
    digest: "ee3fe437175d8a08c8c0f3010001e8e821cf37fb684d24b8dcfbdfcb5b89b707",
    signature:
      "0035bfa13f6c2aad58d94fcb01325916534168ade2d69100eb7d4d7762826853308548888dff655abf6456f999e4bae2f121be517bfdf4b08b44b24d687517c2",
  };
  const key = fromHex("95949f757db1f57ca94a5dff23314accbe7abee89597bf6a3c7382c84d7eb832");
  const got = await signArbitrary(key, "bnb", toUtf8("hello world"));
  const digest = toHex(new Sha256(toUtf8(got.signDocText)).digest());
  const checks = [
    ["address", want.address, got.address],
    ["sign doc", want.signDoc, got.signDocText],
    ["digest", want.digest, digest],
    ["signature", want.signature, toHex(got.signature)],
  ];
  for (const [what, w, g] of checks) {
    if (w !== g) throw new Error(`docs/upstream-vectors.md §6 ADR-036 vector: ${what} ${g} != ${w}`);
  }
}

/**
 * One link-proof vector: the fields, the message text (built here, or `messageOverride`), the
 * CosmJS-serialized sign document and CosmJS signature over that message.
 */
async function linkVector(id, privkey, fields, messageOverride) {
  const wallet = await Secp256k1Wallet.fromKey(privkey, fields.hrp);
  const [{ address }] = await wallet.getAccounts();
  const message = messageOverride ?? linkMessage({ ...fields, address });
  const signed = await signArbitrary(privkey, fields.hrp, toUtf8(message));
  const v = {
    id,
    type: "link-proof",
    private_key: toHex(privkey),
    hrp: fields.hrp,
    address,
    domain: fields.domain,
    uri: fields.uri,
    chain_id: fields.chain_id,
    nonce: fields.nonce,
    issued_at: fields.issued_at,
    expiration_time: fields.expiration_time,
  };
  if (fields.statement !== undefined) v.statement = fields.statement;
  v.message = message;
  v.sign_bytes = signed.signDocText;
  v.signature = toHex(signed.signature);
  return v;
}

module.exports = {
  N,
  NETWORKS,
  Rng,
  adr036SignDoc,
  checkDerivedAdr036,
  linkMessage,
  linkVector,
  rfc3339,
  signArbitrary,
  signDocWith,
  versions,
};
