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
  const bnb1 = holding(await client.getBalance(), "BNB");
  assert(bnb1.free === bnb0.free - 150000000n, `transfer: sender has ${bnb1.free}, expected ${bnb0.free - 150000000n}`);
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

  // A fill: a second key sells 1 BNB at 300 into a resting bid of 2 at 300 (devnet.sh makes
  // a block after each transaction, so each order is in the book when its broadcast answers).
  const sellerKey = sdk.crypto.generatePrivateKey();
  const seller = sdk.crypto.getAddressFromPrivateKey(sellerKey, "tbnb");
  const faucet = await fetch(`${url}/devnet/faucet`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ address: seller, asset: "BNB", amount: "5" }),
  });
  assert(faucet.status === 200, `faucet for the seller: HTTP ${faucet.status}`);
  const bid = committed(await client.placeOrder(address, SYMBOL, BUY, 300, 2, null, GTE), "placeOrder bid");
  const bidId = JSON.parse(bid.data).order_id;
  const sellerClient = new sdk.BncClient(url);
  sellerClient.chooseNetwork("testnet");
  await sellerClient.initChain();
  await sellerClient.setPrivateKey(sellerKey);
  const ask = committed(await sellerClient.placeOrder(seller, SYMBOL, 2, 300, 1, null, GTE), "placeOrder sell");
  const askId = JSON.parse(ask.data).order_id;
  ok(`crossing orders: bid ${bidId}, sell ${askId}`);

  const depth = await client.getDepth(SYMBOL);
  assert(depth && depth.status === 200, `getDepth: ${JSON.stringify(depth)}`);
  const book = depth.result;
  assert(
    JSON.stringify(book.bids) === JSON.stringify([["300.00000000", "1.00000000"]]) && book.asks.length === 0,
    `getDepth: what is left of the bid should be 1 at 300: ${JSON.stringify(book)}`,
  );
  ok("getDepth: 1 BNB left bid at 300");

  // BncClient has no trades or closed-orders call: its own HTTP client reads the documented paths.
  const trades = await client._httpClient.request("get", `/api/v1/trades?address=${seller}`);
  const t = trades.result.trade;
  assert(trades.result.total === 1 && Array.isArray(t) && t.length === 1, `trades: ${JSON.stringify(trades.result)}`);
  assert(t[0].price === "300.00000000" && t[0].quantity === "1.00000000", `trades: price/quantity ${t[0].price}/${t[0].quantity}`);
  assert(t[0].buyerId === address && t[0].sellerId === seller, `trades: buyer ${t[0].buyerId}, seller ${t[0].sellerId}`);
  assert(t[0].buyerOrderId === bidId && t[0].sellerOrderId === askId, `trades: orders ${t[0].buyerOrderId}/${t[0].sellerOrderId}`);
  // Fees (genesis rates): the trade's BNB value 10^8 × FeeRateNative 400 / 10^6 = 0.0004 BNB a side.
  assert(t[0].buyFee === "BNB:0.00040000;" && t[0].sellFee === "BNB:0.00040000;", `trades: fees ${t[0].buyFee}/${t[0].sellFee}`);
  ok(`trades: ${t[0].tradeId} 1 BNB at 300, fees 0.0004 BNB each`);

  const closed = await client._httpClient.request("get", `/api/v1/orders/closed?address=${seller}`);
  const c = closed.result.order;
  assert(closed.result.total === 1 && c.length === 1, `orders/closed: ${JSON.stringify(closed.result)}`);
  assert(c[0].orderId === askId && c[0].status === "FullyFill" && c[0].cumulateQuantity === "1.00000000", `orders/closed: ${JSON.stringify(c[0])}`);
  ok("orders/closed: the sell is FullyFill");

  const sellerBnb = holding(await client.getBalance(seller), "BNB");
  assert(sellerBnb.free === 5n * 10n ** 8n - 10n ** 8n - 40000n && sellerBnb.locked === 0n, `seller BNB ${sellerBnb.free}/${sellerBnb.locked}`);
  const sellerBusd = holding(await client.getBalance(seller), "BUSD-BD1");
  assert(sellerBusd.free === 300n * 10n ** 8n, `seller BUSD-BD1 ${sellerBusd.free}`);
  ok("seller balances: 5 − 1 − 0.0004 BNB, 300 BUSD-BD1");

  console.log(`# ${step} steps passed`);
}

main().catch((e) => {
  console.error(`FAIL ${e && e.message ? e.message : e}`);
  process.exit(1);
});
