#!/usr/bin/env node
"use strict";
// gen-link.js [--count N] [--seed S] OUT.json
//
// Writes `link-proof` vectors (docs/test-vectors.md) whose expected values come from CosmJS, not
// from dexlink: the message text is built here from docs/link-proofs.md, the ADR-036 sign document is
// built and serialized by @cosmjs/amino, and the signature is made by @cosmjs/amino's
// Secp256k1Wallet.signAmino (@cosmjs/crypto, RFC 6979, low-S). Before writing anything it
// reproduces the DERIVED ADR-036 vector of docs/upstream-vectors.md §6 through CosmJS and stops if that
// does not match. The same seed gives the same file.

const crypto = require("node:crypto");
const fs = require("node:fs");
const { fromHex } = require("@cosmjs/encoding");
const { NETWORKS, Rng, checkDerivedAdr036, linkVector, rfc3339, versions } = require("./lib");

const USAGE = "usage: gen-link.js [--count N] [--seed S] OUT.json";

function parseArgs(argv) {
  const out = { count: 100, seed: undefined, file: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--count" || a === "--seed") {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value\n${USAGE}`);
      const v = argv[++i];
      if (a === "--count") {
        if (!/^[1-9][0-9]{0,4}$/.test(v)) throw new Error(`--count must be 1..99999\n${USAGE}`);
        out.count = Number(v);
      } else {
        out.seed = v;
      }
    } else if (a.startsWith("-")) {
      throw new Error(`unknown option ${a}\n${USAGE}`);
    } else if (out.file === undefined) {
      out.file = a;
    } else {
      throw new Error(USAGE);
    }
  }
  if (out.file === undefined) throw new Error(USAGE);
  return out;
}

const HOSTS = [
  "dex.binance.org",
  "testnet-dex.binance.org",
  "dex-atlantic.binance.org",
  "localhost",
  "127.0.0.1",
  "[::1]",
  "dex.example.com",
  "xn--bcher-kva.example",
  "a-1.b2.example.org",
  "DEX.Example.COM",
];
const PORTS = [80, 443, 1, 8080, 8443, 27147, 41234, 65535];
const PATHS = ["", "/", "/dex", "/api/v1", "/trade?pair=BNB_BUSD-BD1&side=buy", "/link#top"];

// Statement material. Unicode covers 2-, 3- and 4-byte UTF-8, combining marks, ZWJ sequences,
// right-to-left text and a no-break space; "markup" covers < > & " \ (which Go/CosmJS JSON would
// escape if they reached a JSON string — they do not, the message travels base64).
const ASCII = [
  "Link this address to trade on the DEX.",
  "Sign in to dexlink.",
  "I accept the Terms of Service: https://dex.example.com/tos",
  "Proof of ownership, no funds move.",
  "x",
];
const UNICODE = [
  "Verknüpfe dein Konto — Ünïcødé ✓",
  "链接您的账户以进行交易",
  "アカウントをリンクします",
  "Подтвердите владение адресом",
  "🔗 link 🚀 to the moon 🌕",
  "dev 👩‍💻 and family 👨‍👩‍👧‍👦",
  "e\u0301te\u0301 cafe\u0301",
  "עברית ו-العربية mixed",
  "no\u00a0break\u00a0space",
];
const MARKUP = [
  "Terms <b>&amp;</b> conditions > all",
  "Tom & Jerry <tom@example.com>",
  "a<b>c&d",
  "<script>alert('x')</script>",
  '"quoted" and \\backslash\\ & <tags>',
  "1 < 2 && 3 > 2",
];

function utf8Len(s) {
  return Buffer.byteLength(s, "utf8");
}

/** A statement of the given kind, at most 200 bytes, one line. */
function statement(rng, kind) {
  switch (kind) {
    case "none":
      return undefined;
    case "ascii":
      return rng.pick(ASCII);
    case "unicode":
      return rng.pick(UNICODE);
    case "markup":
      return rng.pick(MARKUP);
    case "mixed": {
      // Joins random pieces while it stays within 200 bytes.
      const pool = [...ASCII, ...UNICODE, ...MARKUP];
      let s = rng.pick(pool);
      for (;;) {
        const next = `${s} ${rng.pick(pool)}`;
        if (utf8Len(next) > 200 || rng.int(3) === 0) return s;
        s = next;
      }
    }
    case "max": {
      // Exactly 200 bytes, with multi-byte characters near the end.
      let s = "<&>";
      while (utf8Len(s) < 191) s += "a";
      s += "é€😀"; // 2 + 3 + 4 bytes
      while (utf8Len(s) < 200) s += "z";
      if (utf8Len(s) !== 200) throw new Error("max statement is not 200 bytes");
      return s;
    }
    default:
      throw new Error(`unknown statement kind ${kind}`);
  }
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function nonce(rng, len) {
  let s = "";
  for (let i = 0; i < len; i++) s += ALNUM[rng.int(ALNUM.length)];
  return s;
}

const KINDS = ["none", "ascii", "unicode", "markup", "mixed", "none", "unicode", "markup", "max"];
const START = Date.UTC(2020, 0, 1) / 1000;
const END = Date.UTC(2035, 11, 31) / 1000;

/** Fields of random vector `i`; edge cases are cycled through so any count of ≥ 9 covers them. */
function randomFields(rng, i) {
  const net = NETWORKS[i % 2];
  const host = rng.pick(HOSTS);
  const domain = rng.int(3) === 0 ? host : `${host}:${rng.pick(PORTS)}`;
  const scheme = rng.int(2) === 0 ? "https" : "http";
  const uri = `${scheme}://${domain}${rng.pick(PATHS)}`;
  const nonceLen = i % 5 === 0 ? 8 : i % 5 === 1 ? 32 : rng.range(8, 32);
  const window = i % 7 === 0 ? 3600 : i % 7 === 1 ? 1 : rng.range(1, 3600);
  let issued;
  if (i % 11 === 3) issued = Date.UTC(2028, 1, 29, 23, 59, 30) / 1000; // leap day, crosses midnight
  else if (i % 11 === 7) issued = Date.UTC(2029, 11, 31, 23, 30, 0) / 1000 + rng.range(0, 1799);
  else issued = rng.range(START, END);
  return {
    hrp: net.hrp,
    chain_id: net.chainId,
    domain,
    uri,
    nonce: nonce(rng, nonceLen),
    issued_at: rfc3339(issued),
    expiration_time: rfc3339(issued + window),
    statement: statement(rng, KINDS[i % KINDS.length]),
  };
}

/** Vectors with fixed keys: the spec's test key and the extreme scalars 1 and n − 1. */
async function fixedVectors() {
  const base = {
    domain: "127.0.0.1:41234",
    uri: "http://127.0.0.1:41234",
    nonce: "abcDEF123",
    issued_at: "2026-11-26T21:00:00Z",
    expiration_time: "2026-11-26T21:10:00Z",
  };
  const testnet = { ...base, hrp: "tbnb", chain_id: "Binance-Chain-Ganges" };
  const mainnet = {
    ...base,
    hrp: "bnb",
    chain_id: "Binance-Chain-Tigris",
    domain: "dex.binance.org",
    uri: "https://dex.binance.org",
  };
  const k95 = fromHex("95949f757db1f57ca94a5dff23314accbe7abee89597bf6a3c7382c84d7eb832");
  const one = fromHex("00".repeat(31) + "01");
  const nMinus1 = fromHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140");
  return [
    await linkVector("fixed-95949f-tbnb-no-statement", k95, testnet),
    await linkVector("fixed-95949f-tbnb-statement", k95, { ...testnet, statement: "Link to trade." }),
    await linkVector("fixed-95949f-bnb-markup", k95, { ...mainnet, statement: "Tom & Jerry <tom@example.com>" }),
    await linkVector("fixed-key-1-bnb", one, { ...mainnet, statement: "Private key one." }),
    await linkVector("fixed-key-n-minus-1-tbnb", nMinus1, testnet),
  ];
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const seed = args.seed ?? crypto.randomBytes(16).toString("hex");
  await checkDerivedAdr036();
  const rng = new Rng(seed);
  const vectors = (await fixedVectors()).slice(0, args.count);
  for (let i = 0; vectors.length < args.count; i++) {
    const f = randomFields(rng, i);
    const kind = KINDS[i % KINDS.length];
    const id = `random-${String(i).padStart(3, "0")}-${f.hrp}-${kind}`;
    vectors.push(await linkVector(id, rng.privateKey(), f));
  }
  const doc = {
    name: "link-proof-cosmjs",
    description:
      "Link proofs (docs/link-proofs.md) produced independently of dexlink: message text built in JavaScript from docs/link-proofs.md, " +
      "ADR-036 sign document built and serialized by CosmJS (makeSignDoc, serializeSignDoc), signed by CosmJS " +
      "(Secp256k1Wallet.signAmino: SHA-256, RFC 6979, low-S); address = the CosmJS wallet's bech32 address. " +
      `Random keys and fields from seed ${JSON.stringify(seed)}. The generator first reproduces the DERIVED ADR-036 ` +
      "vector of docs/upstream-vectors.md §6 through CosmJS.",
    source: `tests/interop/cosmjs/gen-link.js --count ${args.count} --seed ${seed} with ${versions().join(", ")} (node ${process.version})`,
    vectors,
  };
  fs.writeFileSync(args.file, JSON.stringify(doc, null, 2) + "\n");
  process.stderr.write(
    `wrote ${vectors.length} link-proof vectors to ${args.file} (seed ${seed}); ` +
      "docs/upstream-vectors.md §6 ADR-036 vector reproduced by CosmJS\n",
  );
}

main().catch((e) => {
  process.stderr.write(`gen-link.js: ${e.message}\n`);
  process.exit(1);
});
