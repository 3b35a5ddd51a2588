"use strict";
// A second, minimal implementation of docs/sign-docs.md and docs/wire-format.md, used ONLY as a filter: a generated
// case goes into a vector file when the JS SDK's bytes equal what the spec says for the vector's
// inputs. Every value written to a file is the JS SDK's own output; this module never supplies
// one. A case where the two differ is a JS SDK quirk (or a bug here): it is counted, reported and
// left out, so the vector's inputs always describe exactly what the SDK signed.
const { sdk } = require("./sdk");

const PREFIX = {
  std_tx: "f0625dee",
  pubkey: "eb5ae987",
  send: "2a2c87fa",
  new_order: "ce6dc043",
  cancel_order: "166e681b",
  freeze: "e774b32d",
  unfreeze: "6515ff0d",
};

/** Go encoding/json string escaping (HTML-safe, U+2028/2029 escaped, \n \r \t short forms). */
function goString(s) {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || ch === "<" || ch === ">" || ch === "&" || c === 0x2028 || c === 0x2029) {
      out += "\\u" + c.toString(16).padStart(4, "0");
    } else out += ch;
  }
  return out + '"';
}

/** Go-style canonical JSON: keys sorted bytewise at every level, BigInt as plain decimal. */
function goJson(v) {
  if (v === null) return "null";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new Error(`unsafe number ${v}`);
    return String(v);
  }
  if (typeof v === "string") return goString(v);
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(",")}]`;
  const keys = Object.keys(v).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `{${keys.map((k) => `${goString(k)}:${goJson(v[k])}`).join(",")}}`;
}

const cmpBytes = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** The default single input: per-denom sums of the outputs, sorted by denom. */
function defaultInputCoins(outputs) {
  const sums = new Map();
  for (const o of outputs) for (const c of o.coins) sums.set(c.denom, (sums.get(c.denom) || 0n) + BigInt(c.amount));
  return [...sums.keys()].sort(cmpBytes).map((denom) => ({ denom, amount: sums.get(denom) }));
}

function msgSignJson(msg, sender) {
  switch (msg.kind) {
    case "new_order":
      return {
        id: msg.id, ordertype: BigInt(msg.order_type), price: BigInt(msg.price), quantity: BigInt(msg.quantity),
        sender, side: BigInt(msg.side), symbol: msg.symbol, timeinforce: BigInt(msg.time_in_force),
      };
    case "cancel_order":
      return { refid: msg.refid, sender, symbol: msg.symbol };
    case "send": {
      const coins = (cs) => cs.map((c) => ({ amount: BigInt(c.amount), denom: c.denom }));
      return {
        inputs: [{ address: sender, coins: coins(defaultInputCoins(msg.outputs)) }],
        outputs: msg.outputs.map((o) => ({ address: o.address, coins: coins(o.coins) })),
      };
    }
    case "freeze":
    case "unfreeze":
      return { amount: BigInt(msg.amount), from: sender, symbol: msg.symbol };
    default:
      throw new Error(`unknown msg kind ${msg.kind}`);
  }
}

/** sign bytes (docs/sign-docs.md §1) for a `tx` vector whose sender address (bech32) is `sender`. */
function signBytes(v, sender) {
  return goJson({
    account_number: String(v.account_number),
    chain_id: v.chain_id,
    data: null,
    memo: v.memo,
    msgs: [msgSignJson(v.msg, sender)],
    sequence: String(v.sequence),
    source: String(v.source),
  });
}

// ---- amino (docs/wire-format.md) ----
function uvarint(n) {
  n = BigInt(n);
  if (n < 0n) throw new Error("negative varint");
  const out = [];
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
  return Buffer.from(out);
}
const key = (field, wire) => uvarint((field << 3) | wire);
const bytesField = (field, b) => (b.length ? Buffer.concat([key(field, 2), uvarint(b.length), b]) : Buffer.alloc(0));
const intField = (field, n) => (BigInt(n) === 0n ? Buffer.alloc(0) : Buffer.concat([key(field, 0), uvarint(n)]));
const strField = (field, s) => bytesField(field, Buffer.from(s, "utf8"));
const addrBytes = (bech) => Buffer.from(sdk.crypto.decodeAddress(bech));

function coinBytes(c) {
  return Buffer.concat([strField(1, c.denom), intField(2, c.amount)]);
}
function ioBytes(address, coins) {
  return Buffer.concat([bytesField(1, addrBytes(address)), ...coins.map((c) => bytesField(2, coinBytes(c)))]);
}

function msgAmino(msg, sender) {
  const from = addrBytes(sender);
  let body;
  switch (msg.kind) {
    case "new_order":
      body = [bytesField(1, from), strField(2, msg.id), strField(3, msg.symbol), intField(4, msg.order_type),
        intField(5, msg.side), intField(6, msg.price), intField(7, msg.quantity), intField(8, msg.time_in_force)];
      break;
    case "cancel_order":
      body = [bytesField(1, from), strField(2, msg.symbol), strField(3, msg.refid)];
      break;
    case "send":
      body = [bytesField(1, ioBytes(sender, defaultInputCoins(msg.outputs))),
        ...msg.outputs.map((o) => bytesField(2, ioBytes(o.address, o.coins)))];
      break;
    case "freeze":
    case "unfreeze":
      body = [bytesField(1, from), strField(2, msg.symbol), intField(3, msg.amount)];
      break;
    default:
      throw new Error(`unknown msg kind ${msg.kind}`);
  }
  return Buffer.concat([Buffer.from(PREFIX[msg.kind], "hex"), ...body]);
}

/** broadcast bytes (docs/wire-format.md §6) (length-prefixed) for a vector, given the signer's pubkey and signature. */
function txBytes(v, sender, pub33, sig64) {
  const stdSig = Buffer.concat([
    bytesField(1, Buffer.concat([Buffer.from(PREFIX.pubkey, "hex"), uvarint(pub33.length), pub33])),
    bytesField(2, sig64), intField(3, v.account_number), intField(4, v.sequence),
  ]);
  const body = Buffer.concat([
    Buffer.from(PREFIX.std_tx, "hex"), bytesField(1, msgAmino(v.msg, sender)), bytesField(2, stdSig),
    strField(3, v.memo), intField(4, v.source),
  ]);
  return Buffer.concat([uvarint(body.length), body]);
}

/** The HRP docs/test-vectors.md implies for a chain id. */
const hrpFor = (chainId) => (chainId === "Binance-Chain-Tigris" ? "bnb" : "tbnb");

module.exports = { goJson, goString, signBytes, txBytes, defaultInputCoins, hrpFor, cmpBytes, uvarint };
