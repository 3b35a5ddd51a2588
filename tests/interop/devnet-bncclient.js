"use strict";
// The official BncClient (@binance-chain/javascript-sdk 4.2.2), UNCHANGED, against a running
// dexlink devnet: its default HTTP client and its default broadcast delegate
// (`POST /api/v1/broadcast?sync=true`, hex body, text/plain). This checks that the devnet is a
// faithful API peer, not a mirror of our own client.
//
//   DEVNET_URL=http://127.0.0.1:PORT DEVNET_KEY=<hex private key, already funded> \
//     node devnet-bncclient.js
//
// The funded key must hold at least 10 BNB and 1000 BUSD-BD1 (devnet.sh does this with the
// faucet). Every step asserts its result; any failure exits with status 1. The key is never
// printed.
const sdk = require("@binance-chain/javascript-sdk");

const url = process.env.DEVNET_URL;
const key = process.env.DEVNET_KEY;
if (!url || !key) {
  console.error("usage: DEVNET_URL=... DEVNET_KEY=... node devnet-bncclient.js");
  process.exit(2);
}

const SYMBOL = "BNB_BUSD-BD1"; // tick 0.0001, lot 0.01
const BUY = 1;
const GTE = 1;

let step = 0;
function ok(what) {
  step += 1;
  console.log(`ok ${step} - ${what}`);
}
function fail(what) {
  throw new Error(`step ${step + 1}: ${what}`);
}
function assert(cond, what) {
  if (!cond) fail(what);
}
/** The `free`/`locked` of one asset in a getBalance() answer, as Fixed8 integers. */
function holding(balances, symbol) {
  const b = (balances || []).find((x) => x.symbol === symbol);
  if (!b) return { free: 0n, locked: 0n };
  return { free: fixed8(b.free), locked: fixed8(b.locked) };
}
function fixed8(s) {
  assert(typeof s === "string" && /^\d+\.\d{8}$/.test(s), `balance ${JSON.stringify(s)} is not a Fixed8 string`);
  return BigInt(s.replace(".", ""));
}
/** The default broadcast delegate answers the node's JSON array; every entry must be ok. */
function committed(res, what) {
  assert(res && res.status === 200, `${what}: HTTP status ${res && res.status}`);
  const r = res.result;
  assert(Array.isArray(r) && r.length === 1, `${what}: broadcast answer is not a one-entry array: ${JSON.stringify(r)}`);
  assert(r[0].ok === true && r[0].code === 0, `${what}: not committed: ${JSON.stringify(r[0])}`);
  assert(/^[0-9A-F]{64}$/.test(r[0].hash), `${what}: hash ${r[0].hash} is not 64 uppercase hex`);
  return r[0];
}

async function main() {
  const client = new sdk.BncClient(url);
  client.chooseNetwork("testnet");

  await client.initChain();
  assert(client.chainId === "Binance-Chain-Ganges", `initChain: chain id ${client.chainId}`);
  ok(`initChain: ${client.chainId}`);

  await client.setPrivateKey(key);
  const address = client.address;
  assert(/^tbnb1/.test(address), `setPrivateKey: address ${address}`);
  assert(typeof client.account_number === "number", `setPrivateKey: account_number ${client.account_number}`);
  ok(`setPrivateKey: ${address}, account_number ${client.account_number}`);

  const account = await client.getAccount();
  assert(account && account.status === 200, "getAccount: no account");
  assert(account.result.address === address, `getAccount: address ${account.result.address}`);
  assert(account.result.sequence === 0, `getAccount: sequence ${account.result.sequence}, expected 0`);
  ok(`getAccount: sequence ${account.result.sequence}`);

  const missing = await client.getAccount(sdk.crypto.getAddressFromPrivateKey(sdk.crypto.generatePrivateKey(), "tbnb"));
  assert(missing === null, "getAccount of a never-funded address should be null (HTTP 404)");
  ok("getAccount of an unknown address: null");

  const before = await client.getBalance();
  const bnb0 = holding(before, "BNB");
  const busd0 = holding(before, "BUSD-BD1");
  assert(bnb0.free >= 10n * 10n ** 8n, `getBalance: BNB free ${bnb0.free}`);
  assert(busd0.free >= 1000n * 10n ** 8n, `getBalance: BUSD-BD1 free ${busd0.free}`);
  ok(`getBalance: ${before.length} assets`);

  // transfer 1.5 BNB to a fresh address
  const to = sdk.crypto.getAddressFromPrivateKey(sdk.crypto.generatePrivateKey(), "tbnb");
  const sent = committed(await client.transfer(address, to, 1.5, "BNB", "devnet interop"), "transfer");
  ok(`transfer 1.5 BNB: ${sent.hash}`);
  const toBal = holding(await client.getBalance(to), "BNB");
  assert(toBal.free === 150000000n, `transfer: recipient has ${toBal.free}, expected 150000000`);
  // The sender also pays the chain's transfer fee, TransferFee 62500 units of BNB (bnb-chain/node
  // plugins/param/genesis.go; a send of one coin).
  const bnb1 = holding(await client.getBalance(), "BNB");
  assert(bnb1.free === bnb0.free - 150000000n - 62500n, `transfer: sender has ${bnb1.free}, expected ${bnb0.free - 150000000n - 62500n}`);
  const tx = await client.getTx(sent.hash);
  assert(tx && tx.result && tx.result.hash === sent.hash && tx.result.code === 0, `getTx: ${JSON.stringify(tx && tx.result)}`);
  ok("balances after transfer; getTx finds it");

  // place a buy: 0.5 BNB at 300.0001 BUSD-BD1 (on tick 0.0001, lot 0.01) locks 150.00005 BUSD-BD1
  const placed = committed(await client.placeOrder(address, SYMBOL, BUY, 300.0001, 0.5, null, GTE), "placeOrder");
  const data = JSON.parse(placed.data);
  const expectedId = `${sdk.crypto.decodeAddress(address).toString("hex")}-2`.toUpperCase();
  assert(data.order_id === expectedId, `placeOrder: order id ${data.order_id}, expected ${expectedId}`);
  ok(`placeOrder: ${data.order_id}`);

  const open = await client.getOpenOrders(address);
  assert(open && open.status === 200, `getOpenOrders: ${JSON.stringify(open)}`);
  const orders = open.result.order;
  assert(Array.isArray(orders) && open.result.total === 1 && orders.length === 1, `getOpenOrders: ${JSON.stringify(open.result)}`);
  const o = orders[0];
  assert(o.orderId === expectedId && o.symbol === SYMBOL && o.side === BUY, `getOpenOrders: order ${JSON.stringify(o)}`);
  assert(o.price === "300.00010000" && o.quantity === "0.50000000", `getOpenOrders: price/quantity ${o.price}/${o.quantity}`);
  const busd1 = holding(await client.getBalance(), "BUSD-BD1");
  assert(busd1.locked === 15000005000n, `placeOrder: locked ${busd1.locked}, expected 15000005000`);
  assert(busd1.free === busd0.free - 15000005000n, `placeOrder: free ${busd1.free}`);
  ok("getOpenOrders shows it; BUSD-BD1 locked 150.00005");

  committed(await client.cancelOrder(address, SYMBOL, expectedId), "cancelOrder");
  const after = await client.getOpenOrders(address);
  assert(after.result.total === 0 && after.result.order.length === 0, `after cancel: ${JSON.stringify(after.result)}`);
  const busd2 = holding(await client.getBalance(), "BUSD-BD1");
  assert(busd2.locked === 0n && busd2.free === busd0.free, `cancelOrder: BUSD-BD1 ${busd2.free} free, ${busd2.locked} locked`);
  ok("cancelOrder releases the lock");

  // A price off the tick: the node refuses it with its reason; the SDK surfaces the message.
  let refused = null;
  try {
    await client.placeOrder(address, SYMBOL, BUY, 300.00005, 0.5, null, GTE);
  } catch (e) {
    refused = e;
  }
  assert(refused !== null, "placeOrder off the tick was accepted");
  assert(/tick/i.test(refused.message), `placeOrder off the tick: message ${JSON.stringify(refused.message)} does not name the tick`);
  assert(Number.isInteger(refused.code) && refused.code !== 0, `placeOrder off the tick: code ${refused.code}`);
  const seq = (await client.getAccount()).result.sequence;
  assert(seq === 3, `after the refused order: sequence ${seq}, expected 3`);
  ok(`placeOrder off the tick refused (code ${refused.code}): ${refused.message}`);

  // A fill between two accounts (the devnet makes a block after each transaction and charges
  // the chain's fees): a sell of 0.5 BNB at 300 rests, a second account's buy of 0.5 at 300
  // takes it at 300. The BncClient reads the book with getDepth; trades and closed orders,
  // which it has no method for, through its own HTTP client.
  const SELL = 2;
  const sold = committed(await client.placeOrder(address, SYMBOL, SELL, 300, 0.5, null, GTE), "placeOrder sell");
  const sellId = JSON.parse(sold.data).order_id;
  const depth = await client.getDepth(SYMBOL);
  assert(depth && depth.status === 200, `getDepth: ${JSON.stringify(depth)}`);
  assert(JSON.stringify(depth.result.asks) === JSON.stringify([["300.00000000", "0.50000000"]]), `getDepth asks: ${JSON.stringify(depth.result.asks)}`);
  assert(Array.isArray(depth.result.bids) && depth.result.bids.length === 0, `getDepth bids: ${JSON.stringify(depth.result.bids)}`);
  ok("getDepth shows the resting sell");

  const key2 = sdk.crypto.generatePrivateKey();
  const address2 = sdk.crypto.getAddressFromPrivateKey(key2, "tbnb");
  committed(await client.transfer(address, address2, 1, "BNB", "fund buyer"), "fund buyer BNB");
  committed(await client.transfer(address, address2, 200, "BUSD-BD1", "fund buyer"), "fund buyer BUSD");
  const buyer = new sdk.BncClient(url);
  buyer.chooseNetwork("testnet");
  await buyer.initChain();
  await buyer.setPrivateKey(key2);
  const bought = committed(await buyer.placeOrder(address2, SYMBOL, BUY, 300, 0.5, null, GTE), "placeOrder buy");
  const buyId = JSON.parse(bought.data).order_id;
  const after2 = await client.getDepth(SYMBOL);
  assert(after2.result.asks.length === 0 && after2.result.bids.length === 0, `getDepth after the fill: ${JSON.stringify(after2.result)}`);
  // 0.5 BNB for 150 BUSD; the buyer's fee: 0.5 BNB x 400 / 10^6 = 0.0002 BNB.
  const b2 = await buyer.getBalance(address2);
  const bnb2 = holding(b2, "BNB");
  const busd2b = holding(b2, "BUSD-BD1");
  assert(bnb2.free === 149980000n && bnb2.locked === 0n, `buyer BNB ${bnb2.free}/${bnb2.locked}, expected 149980000/0`);
  assert(busd2b.free === 5000000000n && busd2b.locked === 0n, `buyer BUSD-BD1 ${busd2b.free}/${busd2b.locked}, expected 5000000000/0`);
  ok("the buy fills against the resting sell; balances and fee exact");

  const trades = await client._httpClient.request("get", `/api/v1/trades?symbol=${SYMBOL}&address=${address2}`);
  assert(trades.status === 200 && trades.result.total === 1, `trades: ${JSON.stringify(trades.result)}`);
  const t = trades.result.trade[0];
  assert(t.price === "300.00000000" && t.quantity === "0.50000000", `trade price/quantity ${t.price}/${t.quantity}`);
  assert(t.buyerOrderId === buyId && t.sellerOrderId === sellId, `trade orders ${t.buyerOrderId}/${t.sellerOrderId}`);
  assert(t.buyerId === address2 && t.sellerId === address && t.buySingleFee === "BNB:0.00020000;", `trade parties/fee ${JSON.stringify(t)}`);
  ok(`trades: ${t.tradeId} at ${t.price}`);

  const closed = await client._httpClient.request("get", `/api/v1/orders/closed?address=${address2}&symbol=${SYMBOL}`);
  assert(closed.status === 200 && closed.result.total === 1, `closed orders: ${JSON.stringify(closed.result)}`);
  const c = closed.result.order[0];
  assert(c.orderId === buyId && c.status === "FullyFill" && c.cumulateQuantity === "0.50000000", `closed order ${JSON.stringify(c)}`);
  ok("orders/closed: the buy is FullyFill");

  console.log(`# ${step} steps passed`);
}

main().catch((e) => {
  console.error(`FAIL ${e && e.message ? e.message : e}`);
  process.exit(1);
});
