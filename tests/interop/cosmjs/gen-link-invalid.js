#!/usr/bin/env node
"use strict";
// gen-link-invalid.js [--seed S] OUT.json
//
// Writes invalid `link-proof` vectors: hand-picked mutations of CosmJS-generated link proofs
// (see gen-link.js), each with exactly one defect and `expect_error: "invalid-message"`. Where the
// defect is in the message text or the fields, CosmJS signs the defective message, so the
// signature is not what makes the vector invalid; where the defect is the signature, the message
// and fields are valid. The only expected value of these vectors is the error kind.

const fs = require("node:fs");
const { Sha256 } = require("@cosmjs/crypto");
const { fromHex, toHex, toUtf8 } = require("@cosmjs/encoding");
const {
  N,
  NETWORKS,
  Rng,
  adr036SignDoc,
  checkDerivedAdr036,
  linkMessage,
  linkVector,
  rfc3339,
  signDocWith,
  versions,
} = require("./lib");
const { Secp256k1 } = require("@cosmjs/crypto");

const USAGE = "usage: gen-link-invalid.js [--seed S] OUT.json";
const DEFAULT_SEED = "dexlink-link-proof-invalid-v1";

function parseArgs(argv) {
  const out = { seed: DEFAULT_SEED, file: undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--seed" && i + 1 < argv.length) out.seed = argv[++i];
    else if (!argv[i].startsWith("-") && out.file === undefined) out.file = argv[i];
    else throw new Error(USAGE);
  }
  if (out.file === undefined) throw new Error(USAGE);
  return out;
}

/** Valid fields for network `net`, with a statement when `withStatement`. */
function baseFields(rng, net, withStatement) {
  const issued = Date.UTC(2026, 10, 26, 21, 0, 0) / 1000 + rng.range(0, 86400);
  const f = {
    hrp: net.hrp,
    chain_id: net.chainId,
    domain: "dex.example.com:8443",
    uri: "https://dex.example.com:8443",
    nonce: "n0nce" + toHex(rng.bytes(6)),
    issued_at: rfc3339(issued),
    expiration_time: rfc3339(issued + 600),
  };
  if (withStatement) f.statement = "Link <this> address & trade.";
  return f;
}

/** The message lines of `fields` for `address`, for line-level mutations. */
function lines(fields, address) {
  return linkMessage({ ...fields, address }).split("\n");
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  await checkDerivedAdr036();
  const rng = new Rng(args.seed);
  const out = [];
  let n = 0;
  // Each case: (fields, key, address) → { fields?, message?, signature? } overrides.
  // `net` (0 = bnb/Tigris, 1 = tbnb/Ganges) forces the network; by default they alternate.
  // Where a verifier must refuse each case (`expect_stage`): "verification" when the fields are
  // valid and only the signed message or signature is wrong, "construction" when the fields
  // themselves break a rule, so that no message may be built from them (set per section below).
  let stage;
  const add = async (id, why, withStatement, mutate, net = NETWORKS[n % 2]) => {
    n++;
    const key = rng.privateKey();
    const fields = baseFields(rng, net, withStatement);
    const valid = await linkVector(id, key, fields);
    const m = await mutate({ fields, key, address: valid.address, valid });
    const f2 = m.fields ?? fields;
    const v = await linkVector(id, key, f2, m.message);
    if (m.signature !== undefined) v.signature = toHex(m.signature);
    v.expect_error = "invalid-message";
    v.expect_stage = stage;
    v.why = why;
    // Statement absent from the fields must be absent from the vector too.
    if (f2.statement === undefined) delete v.statement;
    out.push(v);
  };
  const other = () => rng.privateKey();

  // --- The message text differs from the canonical text of its (valid) fields. -------------
  stage = "verification";
  await add("message-trailing-newline", "message ends with \\n (docs/link-proofs.md: no trailing newline)", false,
    ({ valid }) => ({ message: valid.message + "\n" }));
  await add("message-leading-newline", "message starts with an empty line", true,
    ({ valid }) => ({ message: "\n" + valid.message }));
  await add("message-crlf", "lines end with \\r\\n instead of \\n", true,
    ({ valid }) => ({ message: valid.message.split("\n").join("\r\n") }));
  await add("message-version-2", "'Version: 2' instead of 'Version: 1'", false,
    ({ valid }) => ({ message: valid.message.replace("\nVersion: 1\n", "\nVersion: 2\n") }));
  await add("message-missing-version", "the Version line is left out", false, ({ fields, address }) => ({
    message: lines(fields, address).filter((l) => !l.startsWith("Version:")).join("\n"),
  }));
  await add("message-fields-reordered", "Nonce line before Chain ID line", false, ({ fields, address }) => {
    const l = lines(fields, address);
    const c = l.findIndex((x) => x.startsWith("Chain ID: "));
    [l[c], l[c + 1]] = [l[c + 1], l[c]];
    return { message: l.join("\n") };
  });
  await add("message-trailing-space", "'Version: 1 ' with a trailing space", true,
    ({ valid }) => ({ message: valid.message.replace("\nVersion: 1\n", "\nVersion: 1 \n") }));
  await add("message-empty-statement-lines", "no statement, but the statement line and its blank line are kept (docs/link-proofs.md: both left out)", false,
    ({ fields, address }) => {
      const l = lines(fields, address);
      l.splice(3, 0, "", "");
      return { message: l.join("\n") };
    });
  await add("message-statement-without-blank-line", "statement not followed by a blank line", true,
    ({ fields, address }) => {
      const l = lines(fields, address);
      l.splice(4, 1);
      return { message: l.join("\n") };
    });
  await add("message-wrong-first-line", "'link your Binance account' instead of 'link your Binance Chain account'", false,
    ({ valid }) => ({ message: valid.message.replace("your Binance Chain account:", "your Binance account:") }));
  await add("message-fractional-seconds", "Issued At with fractional seconds in the message", false,
    ({ valid, fields }) => ({
      message: valid.message.replace(`Issued At: ${fields.issued_at}`, `Issued At: ${fields.issued_at.replace("Z", ".000Z")}`),
    }));

  // --- The message is well formed but is not for this DEX / this key. -------------------------
  await add("message-other-domain", "message names another domain than the DEX's", true,
    ({ fields, address }) => ({ message: linkMessage({ ...fields, address, domain: "dex.evil.example:8443" }) }));
  await add("message-other-uri", "message names another URI than the DEX's", true,
    ({ fields, address }) => ({ message: linkMessage({ ...fields, address, uri: "https://dex.evil.example:8443" }) }));
  await add("message-other-chain-id", "message names another (testnet) chain than the DEX's", false,
    ({ fields, address }) => ({ message: linkMessage({ ...fields, address, chain_id: "Binance-Chain-Nile" }) }),
    NETWORKS[1]);
  await add("message-address-of-another-key", "message links another key's address; signed by the vector's key", false,
    async ({ fields }) => {
      const { Secp256k1Wallet } = require("@cosmjs/amino");
      const [{ address }] = await (await Secp256k1Wallet.fromKey(other(), fields.hrp)).getAccounts();
      return { message: linkMessage({ ...fields, address }) };
    });

  // --- Valid message and fields, bad signature. ------------------------------------------------
  await add("signature-other-key", "signature by another key over this exact sign document", true,
    async ({ valid }) => ({
      signature: await signDocWith(other(), adr036SignDoc(valid.address, toUtf8(valid.message))),
    }));
  await add("signature-high-s", "CosmJS's signature with s replaced by n − s (valid ECDSA, but high-S)", false,
    ({ valid }) => {
      const sig = fromHex(valid.signature);
      const s = N - BigInt("0x" + toHex(sig.subarray(32)));
      return { signature: new Uint8Array([...sig.subarray(0, 32), ...fromHex(s.toString(16).padStart(64, "0"))]) };
    });
  await add("signature-over-raw-message", "signature over SHA-256 of the message itself, not of the ADR-036 document", true,
    async ({ valid, key }) => {
      const sig = await Secp256k1.createSignature(new Sha256(toUtf8(valid.message)).digest(), key);
      return { signature: new Uint8Array([...sig.r(32), ...sig.s(32)]) };
    });
  await add("signature-over-doc-with-chain-id", "signature over the ADR-036 document with chain_id set to the chain's id", false,
    async ({ valid, key, fields }) => {
      const doc = { ...adr036SignDoc(valid.address, toUtf8(valid.message)), chain_id: fields.chain_id };
      return { signature: await signDocWith(key, doc) };
    });
  await add("signature-over-other-nonce", "signature over the same message with another nonce", true,
    async ({ fields, address, key }) => ({
      signature: await signDocWith(key, adr036SignDoc(address, toUtf8(linkMessage({ ...fields, address, nonce: "Zz" + fields.nonce })))),
    }));

  // --- Fields (and the message built from them) break a rule of docs/link-proofs.md. -----------------------
  stage = "construction";
  const window = (secs) => ({ fields }) => {
    const t = Date.parse(fields.issued_at) / 1000;
    return { fields: { ...fields, expiration_time: rfc3339(t + secs) } };
  };
  await add("window-3601s", "validity window of 3601 s (docs/link-proofs.md: at most 1 hour)", false, window(3601));
  await add("window-one-day", "validity window of 24 h", true, window(86400));
  await add("window-negative", "expiration_time 1 s before issued_at", false, window(-1));
  const field = (k, v) => ({ fields }) => ({ fields: { ...fields, [k]: v } });
  await add("nonce-7-chars", "nonce of 7 characters (docs/link-proofs.md: at least 8)", false, field("nonce", "abcDE12"));
  await add("nonce-empty", "empty nonce", true, field("nonce", ""));
  await add("nonce-with-hyphen", "nonce with a '-' (docs/link-proofs.md: [A-Za-z0-9] only)", false, field("nonce", "abcd-1234-efgh"));
  await add("nonce-non-ascii", "nonce with a non-ASCII letter", true, field("nonce", "abcdéfgh1234"));
  await add("statement-with-newline", "statement containing \\n (docs/link-proofs.md: one line)", true,
    field("statement", "first line\nsecond line"));
  await add("statement-with-carriage-return", "statement containing \\r (not one line)", true,
    field("statement", "first line\rsecond line"));
  await add("statement-201-bytes", "statement of 201 bytes (docs/link-proofs.md: at most 200)", true,
    field("statement", "<&>" + "é".repeat(99)));
  await add("statement-empty", "empty statement (absence is written by leaving the lines out)", true,
    field("statement", ""));
  await add("domain-with-scheme", "domain with a scheme (docs/link-proofs.md: no scheme)", false,
    field("domain", "https://dex.example.com:8443"));
  await add("domain-with-path", "domain with a path (docs/link-proofs.md: host[:port])", true,
    field("domain", "dex.example.com:8443/link"));
  await add("uri-without-scheme", "uri that is not a URL (no scheme)", false, field("uri", "dex.example.com:8443"));
  await add("uri-with-space", "uri with a space", true, field("uri", "https://dex.example.com:8443/a b"));
  await add("issued-at-offset", "issued_at with +00:00 instead of Z", false, ({ fields }) => ({
    fields: { ...fields, issued_at: fields.issued_at.replace("Z", "+00:00") },
  }));
  await add("issued-at-fractional", "issued_at with fractional seconds", true, ({ fields }) => ({
    fields: { ...fields, issued_at: fields.issued_at.replace("Z", ".000Z") },
  }));
  await add("expiration-invalid-date", "expiration_time on 30 February", false, ({ fields }) => ({
    fields: { ...fields, issued_at: "2027-02-28T23:59:00Z", expiration_time: "2027-02-30T00:01:00Z" },
  }));
  await add("tbnb-address-on-tigris", "tbnb address with chain id Binance-Chain-Tigris (docs/link-proofs.md: Tigris ⇒ bnb)", false,
    ({ fields }) => ({ fields: { ...fields, hrp: "tbnb", chain_id: "Binance-Chain-Tigris" } }));

  const doc = {
    name: "link-proof-invalid",
    description:
      "Invalid link proofs (docs/link-proofs.md): each vector is a CosmJS-generated link proof with one hand-picked defect, " +
      "named by its id and described in `why`. Message and field defects are signed by CosmJS as they are, so only " +
      "the named defect is wrong; signature defects keep a valid message. Only the error kind is expected " +
      "(invalid-message, an extension of the kinds in docs/test-vectors.md), and the stage that must refuse it " +
      "(expect_stage): construction when the fields break a rule of docs/link-proofs.md (no message may be built from " +
      "them; the signed message must fail verification too), verification when the fields are valid and " +
      "only the message or signature is wrong.",
    source: `tests/interop/cosmjs/gen-link-invalid.js --seed ${args.seed} with ${versions().join(", ")} (node ${process.version})`,
    vectors: out,
  };
  fs.writeFileSync(args.file, JSON.stringify(doc, null, 2) + "\n");
  process.stderr.write(`wrote ${out.length} invalid link-proof vectors to ${args.file}\n`);
}

main().catch((e) => {
  process.stderr.write(`gen-link-invalid.js: ${e.stack}\n`);
  process.exit(1);
});
