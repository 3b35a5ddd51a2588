#!/usr/bin/env node
"use strict";
// Times N NewOrder build + sign + encode through the official JS SDK (default 10,000):
//   node bench-orders.js [--count N] [--path client|msg]
// The orders are fixed so another implementation can sign exactly the same ones
// (sdk/benches/compare-js.sh documents them): key 90335b9d…05e9 (docs/upstream-vectors.md §5 V10), chain
// Binance-Chain-Tigris, account_number 12, source 0, memo "", for i = 0..N-1:
//   sequence i, symbol "NNB-338_BNB", side 1 + i % 2, price 100000000 + i,
//   quantity 100000000 * (1 + i % 100), time_in_force i % 2 ? 3 : 1, id HEX(addr)-(i+1).
// Prints `orders/s: R` and `digest: D` (SHA-256 over the concatenated tx bytes of all orders,
// lowercase hex) so a second implementation can prove it produced the same transactions. For
// N = 10000 the digest is 1264cf64c6ee6562d31d1507b92faafaad5c8c11aa2d80ba31cb71f76e35b832.
const { createHash } = require("crypto");
const { parseArgs } = require("./lib/json");
const { sdk, SOURCE, secpBackend, offlineClient } = require("./lib/sdk");
const { NewOrderMsg } = require("@binance-chain/javascript-sdk/lib/types/msg/dex");

const KEY = "90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9";
const CHAIN = "Binance-Chain-Tigris";
const ACCOUNT = 12;

const order = (i) => ({
  sequence: i, symbol: "NNB-338_BNB", side: 1 + (i % 2), price: 100000000 + i,
  quantity: 100000000 * (1 + (i % 100)), tif: i % 2 ? 3 : 1,
});
const dec8 = (n) => (n / 1e8).toFixed(8); // exact for these small integers

async function run(count, path, client, address, addrHex) {
  const digest = createHash("sha256");
  for (let i = 0; i < count; i++) {
    const o = order(i);
    let tx;
    if (path === "client") {
      tx = await client.placeOrder(address, o.symbol, o.side, dec8(o.price), dec8(o.quantity), o.sequence, o.tif);
    } else {
      const baseMsg = new NewOrderMsg({ id: `${addrHex}-${i + 1}`, symbol: o.symbol, ordertype: 2, side: o.side,
        price: dec8(o.price), quantity: dec8(o.quantity), timeinforce: o.tif }, address);
      tx = new sdk.Transaction({ accountNumber: ACCOUNT, chainId: CHAIN, memo: "", baseMsg, sequence: o.sequence, source: 0 });
      tx.sign(KEY);
    }
    digest.update(Buffer.from(tx.serialize(), "hex"));
  }
  return digest.digest("hex");
}

async function main() {
  const opts = parseArgs(process.argv.slice(2), { count: 10000, path: "client" });
  if (!["client", "msg"].includes(opts.path)) throw new Error("--path is client or msg");
  const { client } = await offlineClient({ privateKey: KEY, chainId: CHAIN, hrp: "bnb", accountNumber: ACCOUNT, source: 0 });
  const address = sdk.crypto.getAddressFromPrivateKey(KEY, "bnb");
  const addrHex = Buffer.from(sdk.crypto.decodeAddress(address)).toString("hex").toUpperCase();
  await run(Math.min(1000, opts.count), opts.path, client, address, addrHex); // warm-up (JIT)
  const t0 = process.hrtime.bigint();
  const digest = await run(opts.count, opts.path, client, address, addrHex);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`js-sdk: ${SOURCE.split(" ")[0]} path=${opts.path} secp256k1=${secpBackend()} node=${process.version}`);
  console.log(`orders: ${opts.count} in ${secs.toFixed(3)} s`);
  console.log(`orders/s: ${(opts.count / secs).toFixed(1)}`);
  console.log(`digest: ${digest}`);
}

main().catch((e) => {
  console.error(`bench-orders: ${e.stack || e}`);
  process.exit(1);
});
