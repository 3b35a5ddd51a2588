//! The devnet as an exchange: blocks include the mempool, each market's auction matches, fills
//! settle with the chain's fees, and the market-data endpoints answer in the real API's shapes.
//!
//! Expected amounts are worked out by hand in each test from the fee rule documented in
//! `devnet/src/block.rs` (bnb-chain/node `fee.go` with the genesis parameters: 400 millionths
//! in BNB, 1000 millionths in the received asset; IOC expiry 5000 units of BNB; cancel 10000).

mod common;

use common::*;
use dexlink::address::{Address, Hrp};
use dexlink::tx::{OrderId, Side, TimeInForce};
use dexlink_devnet::{BlockMode, DevnetConfig, FeeConfig, Running};
use serde_json::{Value, json};

const MARKET: &str = "BNB_BUSD-BD1"; // tick 0.0001, lot 0.01, list price 300

/// A devnet that makes blocks only when asked, with the chain's fees.
async fn on_demand() -> Running {
    dexlink_devnet::spawn(DevnetConfig {
        blocks: BlockMode::OnDemand,
        ..DevnetConfig::default()
    })
    .await
    .unwrap()
}

async fn block(run: &Running) -> Value {
    let (status, body) = post(run, "/devnet/block", "").await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The fee account: the ASCII bytes `dexlink-devnet-fees!` with the testnet prefix.
fn fee_account() -> Address {
    Address::new(Hrp::testnet(), *b"dexlink-devnet-fees!")
}

/// Places an order on [`MARKET`] signed by `k` at its next sequence; returns its id.
async fn place(
    run: &Running,
    k: &dexlink::PrivateKey,
    side: Side,
    price: &str,
    qty: &str,
    tif: TimeInForce,
) -> OrderId {
    place_in(run, k, MARKET, side, price, qty, tif).await
}

/// Places an order on `symbol` signed by `k` at its next sequence; returns its id.
async fn place_in(
    run: &Running,
    k: &dexlink::PrivateKey,
    symbol: &str,
    side: Side,
    price: &str,
    qty: &str,
    tif: TimeInForce,
) -> OrderId {
    let (an, seq) = acct(run, &addr(k)).await;
    accept(run, &order_tx(k, an, seq, symbol, side, price, qty, tif)).await;
    OrderId::new(&addr(k), seq).unwrap()
}

#[tokio::test]
async fn a_transaction_waits_in_the_mempool_until_its_block() {
    let run = on_demand().await;
    let (a, b) = (key(1), key(2));
    fund(&run, &addr(&a), "BNB", "10").await;
    let (an, seq) = acct(&run, &addr(&a)).await;
    let r = accept(&run, &send_tx(&a, an, seq, &addr(&b), "BNB", "1")).await;
    let hash = r["hash"].as_str().unwrap().to_string();
    // Accepted: the check state moved on (sequence, balances), the chain has not.
    assert_eq!(acct(&run, &addr(&a)).await, (an, seq + 1));
    let (status, _) = get(&run, &format!("/api/v1/tx/{hash}")).await;
    assert_eq!(status, 404);
    assert_eq!(snapshot(&run).height, 0);
    // Re-posting the same bytes while they wait is the known duplicate, not a new transaction.
    let (status, body) = broadcast(&run, &send_tx(&a, an, seq, &addr(&b), "BNB", "1")).await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Tx already exists in cache")
    );

    let made = block(&run).await;
    assert_eq!(made["height"], 1);
    assert_eq!(made["txs"], 1);
    let (status, tx) = get(&run, &format!("/api/v1/tx/{hash}")).await;
    assert_eq!(status, 200, "{tx}");
    assert_eq!(tx["height"], "1");
    // An empty block moves the height too.
    assert_eq!(block(&run).await["height"], 2);
    assert!(snapshot(&run).mempool.is_empty());
    run.stop().await;
}

#[tokio::test]
async fn crossing_orders_from_two_accounts_fill_at_the_makers_price_with_exact_fees() {
    let run = on_demand().await;
    let (seller, buyer) = (key(1), key(2));
    fund(&run, &addr(&seller), "BNB", "10").await;
    fund(&run, &addr(&buyer), "BUSD-BD1", "1000").await;
    fund(&run, &addr(&buyer), "BNB", "1").await;

    // Block 1: a sell of 2 BNB at 300 rests (locks 2 BNB).
    let sell = place(&run, &seller, Side::Sell, "300", "2", TimeInForce::Gte).await;
    block(&run).await;
    let (status, depth) = get(&run, &format!("/api/v1/depth?symbol={MARKET}&limit=5")).await;
    assert_eq!(status, 200, "{depth}");
    assert_eq!(depth["asks"], json!([["300.00000000", "2.00000000"]]));
    assert_eq!(depth["bids"], json!([]));

    // Block 2: a buy of 1.5 at 301 (locks 301 × 1.5 = 451.5 BUSD) crosses it. The resting sell
    // is the maker: the 1.5 trade at its price, 300.
    let buy = place(&run, &buyer, Side::Buy, "301", "1.5", TimeInForce::Gte).await;
    assert_eq!(
        holding(&run, &addr(&buyer), "BUSD-BD1"),
        (54_850_000_000, 45_150_000_000)
    );
    assert_eq!(block(&run).await["trades"], 1);

    // Seller: gave 1.5 BNB of its 2 locked, got 300 × 1.5 = 450 BUSD; its fee is on a trade
    // worth 1.5 BNB (BNB is what it paid): 150_000_000 × 400 / 10^6 = 60_000 units of BNB,
    // paid from its free 8 BNB.
    assert_eq!(
        holding(&run, &addr(&seller), "BNB"),
        (800_000_000 - 60_000, 50_000_000)
    );
    assert_eq!(
        holding(&run, &addr(&seller), "BUSD-BD1"),
        (45_000_000_000, 0)
    );
    // Buyer: paid 450 of the 451.5 locked, the 1.5 left released; got 1.5 BNB and paid the
    // same 60_000 units of BNB.
    assert_eq!(
        holding(&run, &addr(&buyer), "BUSD-BD1"),
        (55_000_000_000, 0)
    );
    assert_eq!(
        holding(&run, &addr(&buyer), "BNB"),
        (250_000_000 - 60_000, 0)
    );
    assert_eq!(holding(&run, &fee_account(), "BNB"), (120_000, 0));

    // The trade, the orders and the book as the API shows them.
    let (_, trades) = get(&run, &format!("/api/v1/trades?symbol={MARKET}")).await;
    assert_eq!(trades["total"], 1);
    let t = &trades["trade"][0];
    assert_eq!(t["tradeId"], "2-0");
    assert_eq!(t["blockHeight"], 2);
    assert_eq!(t["price"], "300.00000000");
    assert_eq!(t["quantity"], "1.50000000");
    assert_eq!(t["buyerOrderId"], buy.to_string());
    assert_eq!(t["sellerOrderId"], sell.to_string());
    assert_eq!(t["buyerId"], addr(&buyer).to_string());
    assert_eq!(t["sellerId"], addr(&seller).to_string());
    assert_eq!(t["buySingleFee"], "BNB:0.00060000;");
    assert_eq!(t["sellSingleFee"], "BNB:0.00060000;");
    assert_eq!(t["tickType"], "BuyTaker");
    assert_eq!(t["baseAsset"], "BNB");
    assert_eq!(t["quoteAsset"], "BUSD-BD1");

    let (_, o) = get(&run, &format!("/api/v1/orders/{sell}")).await;
    assert_eq!(o["status"], "PartialFill");
    assert_eq!(o["cumulateQuantity"], "1.50000000");
    assert_eq!(o["lastExecutedPrice"], "300.00000000");
    assert_eq!(o["tradeId"], "2-0");
    let (_, o) = get(&run, &format!("/api/v1/orders/{buy}")).await;
    assert_eq!(o["status"], "FullyFill");
    assert_eq!(o["fee"], "BNB:0.00060000;");
    let (_, closed) = get(
        &run,
        &format!("/api/v1/orders/closed?address={}", addr(&buyer)),
    )
    .await;
    assert_eq!(closed["total"], 1);
    assert_eq!(closed["order"][0]["orderId"], buy.to_string());
    let (_, depth) = get(&run, &format!("/api/v1/depth?symbol={MARKET}")).await;
    assert_eq!(depth["asks"], json!([["300.00000000", "0.50000000"]]));

    // The seller cancels the rest: a partly filled order pays no cancel fee; 0.5 BNB released.
    let (an, seq) = acct(&run, &addr(&seller)).await;
    accept(&run, &cancel_tx(&seller, an, seq, MARKET, &sell)).await;
    block(&run).await;
    assert_eq!(
        holding(&run, &addr(&seller), "BNB"),
        (850_000_000 - 60_000, 0)
    );
    let (_, o) = get(&run, &format!("/api/v1/orders/{sell}")).await;
    assert_eq!(o["status"], "Canceled");
    let (_, depth) = get(&run, &format!("/api/v1/depth?symbol={MARKET}")).await;
    assert_eq!(depth["asks"], json!([]));
    let ledger = snapshot(&run);
    assert_eq!(ledger.validate(), Ok(()));
    assert_eq!(ledger.last_prices[MARKET], 30_000_000_000);
    run.stop().await;
}

#[tokio::test]
async fn an_unfilled_ioc_order_expires_after_its_block_and_an_unfilled_cancel_pays_the_fee() {
    let run = on_demand().await;
    let a = key(1);
    fund(&run, &addr(&a), "BNB", "10").await;
    let ioc = place(&run, &a, Side::Sell, "300", "1", TimeInForce::Ioc).await;
    // Until its block it waits, its 1 BNB locked, and is not open yet.
    assert_eq!(holding(&run, &addr(&a), "BNB"), (900_000_000, 100_000_000));
    let (_, open) = get(&run, &format!("/api/v1/orders/open?address={}", addr(&a))).await;
    assert_eq!(open["total"], 0);
    block(&run).await;
    // IocNoFill: the lock released, the IOC expiry fee of 5000 units of BNB paid.
    assert_eq!(holding(&run, &addr(&a), "BNB"), (1_000_000_000 - 5_000, 0));
    let (_, o) = get(&run, &format!("/api/v1/orders/{ioc}")).await;
    assert_eq!(o["status"], "IocNoFill");
    assert_eq!(o["fee"], "BNB:0.00005000;");

    let gte = place(&run, &a, Side::Sell, "300", "1", TimeInForce::Gte).await;
    block(&run).await;
    let (an, seq) = acct(&run, &addr(&a)).await;
    accept(&run, &cancel_tx(&a, an, seq, MARKET, &gte)).await;
    block(&run).await;
    assert_eq!(holding(&run, &addr(&a), "BNB"), (1_000_000_000 - 15_000, 0));
    assert_eq!(holding(&run, &fee_account(), "BNB"), (15_000, 0));
    let (_, closed) = get(
        &run,
        &format!("/api/v1/orders/closed?address={}&status=Canceled", addr(&a)),
    )
    .await;
    assert_eq!(closed["total"], 1);
    assert_eq!(closed["order"][0]["orderId"], gte.to_string());
    assert_eq!(closed["order"][0]["fee"], "BNB:0.00010000;");
    run.stop().await;
}

#[tokio::test]
async fn a_fee_the_account_cannot_pay_in_bnb_is_taken_from_what_it_received() {
    // The buyer of BTCB-1DE_BNB receives BTCB and holds no spare BNB after paying: the fee is
    // 1000 millionths of the BTCB received.
    let run = on_demand().await;
    let (seller, buyer) = (key(1), key(2));
    fund(&run, &addr(&seller), "BTCB-1DE", "1").await;
    fund(&run, &addr(&seller), "BNB", "1").await;
    fund(&run, &addr(&buyer), "BNB", "50").await;
    place_on(&run, &seller, "BTCB-1DE_BNB", Side::Sell, "50", "1").await;
    block(&run).await;
    place_on(&run, &buyer, "BTCB-1DE_BNB", Side::Buy, "50", "1").await;
    block(&run).await;
    // The buyer's trade is worth 50 BNB (what it paid): 50e8 × 400 / 10^6 = 2_000_000 units of
    // BNB, but its free BNB is 0, so 1e8 × 1000 / 10^6 = 100_000 units of BTCB.
    assert_eq!(holding(&run, &addr(&buyer), "BNB"), (0, 0));
    assert_eq!(
        holding(&run, &addr(&buyer), "BTCB-1DE"),
        (100_000_000 - 100_000, 0)
    );
    // The seller received 50 BNB, worth 50 BNB: 2_000_000 units, paid in BNB.
    assert_eq!(
        holding(&run, &addr(&seller), "BNB"),
        (5_100_000_000 - 2_000_000, 0)
    );
    assert_eq!(holding(&run, &fee_account(), "BTCB-1DE"), (100_000, 0));
    assert_eq!(holding(&run, &fee_account(), "BNB"), (2_000_000, 0));
    run.stop().await;
}

#[tokio::test]
async fn market_data_endpoints_answer_in_the_apis_shapes_and_refuse_bad_parameters() {
    let run = dexlink_devnet::spawn(DevnetConfig {
        fees: FeeConfig::zero(),
        ..DevnetConfig::default()
    })
    .await
    .unwrap();
    let (a, b) = (key(1), key(2));
    fund(&run, &addr(&a), "BNB", "10").await;
    fund(&run, &addr(&b), "BUSD-BD1", "1000").await;
    // Each broadcast is its own block: the sells rest, the buy takes both at their prices.
    place(&run, &a, Side::Sell, "300", "1", TimeInForce::Gte).await;
    place(&run, &a, Side::Sell, "301", "1", TimeInForce::Gte).await;
    place(&run, &b, Side::Buy, "302", "2", TimeInForce::Gte).await;

    let (status, tickers) = get(&run, &format!("/api/v1/ticker/24hr?symbol={MARKET}")).await;
    assert_eq!(status, 200, "{tickers}");
    let t = &tickers[0];
    assert_eq!(t["symbol"], MARKET);
    assert_eq!(t["count"], 2);
    assert_eq!(t["volume"], "2.00000000");
    assert_eq!(t["quoteVolume"], "601.00000000");
    assert_eq!(t["highPrice"], "301.00000000");
    assert_eq!(t["lowPrice"], "300.00000000");
    let (status, all) = get(&run, "/api/v1/ticker/24hr").await;
    assert_eq!(status, 200);
    assert_eq!(all.as_array().unwrap().len(), 3);

    let (status, k) = get(&run, &format!("/api/v1/klines?symbol={MARKET}&interval=1h")).await;
    assert_eq!(status, 200, "{k}");
    let bar = &k[0];
    assert_eq!(bar.as_array().unwrap().len(), 9);
    assert_eq!(bar[1], "300.00000000");
    assert_eq!(bar[2], "301.00000000");
    assert_eq!(bar[3], "300.00000000");
    assert_eq!(bar[4], "301.00000000");
    assert_eq!(bar[5], "2.00000000");
    assert_eq!(bar[7], "601.00000000");
    assert_eq!(bar[8], 2);
    assert_eq!(bar[0].as_i64().unwrap() % 3_600_000, 0);
    assert_eq!(
        bar[6].as_i64().unwrap(),
        bar[0].as_i64().unwrap() + 3_599_999
    );

    let (status, fees) = get(&run, "/api/v1/fees").await;
    assert_eq!(status, 200);
    assert_eq!(
        fees[4]["dex_fee_fields"][4],
        json!({"fee_name": "FeeRate", "fee_value": 0})
    );
    let (status, time) = get(&run, "/api/v1/time").await;
    assert_eq!(status, 200);
    assert!(
        time["block_time"].as_str().unwrap().ends_with('Z'),
        "{time}"
    );

    let (_, trades) = get(
        &run,
        &format!("/api/v1/trades?address={}&limit=1", addr(&b)),
    )
    .await;
    assert_eq!(trades["total"], 2);
    assert_eq!(trades["trade"].as_array().unwrap().len(), 1);
    assert_eq!(trades["trade"][0]["price"], "301.00000000", "newest first");

    for (path, needle) in [
        ("/api/v1/depth", "missing query parameter symbol"),
        ("/api/v1/depth?symbol=NOPE_BNB", "not a listed market"),
        (
            "/api/v1/depth?symbol=BNB_BUSD-BD1&limit=7",
            "limit must be one of",
        ),
        (
            "/api/v1/klines?symbol=BNB_BUSD-BD1&interval=2m",
            "interval must be one of",
        ),
        (
            "/api/v1/trades?limit=0",
            "limit must be an integer from 1 to 1000",
        ),
        ("/api/v1/trades?address=bnb1xyz", ""),
        ("/api/v1/orders/closed", "missing query parameter address"),
    ] {
        let (status, body) = get(&run, path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(needle),
            "{path}: {body}"
        );
    }
    let (status, _) = get(&run, "/api/v1/orders/NOPE-1").await;
    assert_eq!(status, 404);
    run.stop().await;
}

/// A devnet on demand with its state in `path`.
async fn on_demand_at(path: &std::path::Path) -> Running {
    dexlink_devnet::spawn(DevnetConfig {
        blocks: BlockMode::OnDemand,
        state: Some(path.to_path_buf()),
        ..DevnetConfig::default()
    })
    .await
    .unwrap()
}

/// The balances the crossing test settles to (seller BNB, seller BUSD, buyer BNB, buyer BUSD,
/// fee account BNB), as (free, locked).
fn settled(run: &Running, seller: &Address, buyer: &Address) -> [(i64, i64); 5] {
    [
        holding(run, seller, "BNB"),
        holding(run, seller, "BUSD-BD1"),
        holding(run, buyer, "BNB"),
        holding(run, buyer, "BUSD-BD1"),
        holding(run, &fee_account(), "BNB"),
    ]
}

/// The crossing test's expected balances, worked out there by hand.
const SETTLED: [(i64, i64); 5] = [
    (800_000_000 - 60_000, 50_000_000),
    (45_000_000_000, 0),
    (250_000_000 - 60_000, 0),
    (55_000_000_000, 0),
    (120_000, 0),
];

#[tokio::test]
async fn a_restart_mid_block_neither_loses_nor_repeats_a_fill() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state");
    let (seller, buyer) = (key(1), key(2));
    let run = on_demand_at(&path).await;
    fund(&run, &addr(&seller), "BNB", "10").await;
    fund(&run, &addr(&buyer), "BUSD-BD1", "1000").await;
    fund(&run, &addr(&buyer), "BNB", "1").await;
    place(&run, &seller, Side::Sell, "300", "2", TimeInForce::Gte).await;
    block(&run).await;
    place(&run, &buyer, Side::Buy, "301", "1.5", TimeInForce::Gte).await;
    // Stopped with the buy accepted but not in a block: it waits in the persisted mempool.
    run.stop().await;

    let run = on_demand_at(&path).await;
    assert_eq!(snapshot(&run).mempool.len(), 1);
    let start_len = std::fs::metadata(&path).unwrap().len() as usize;
    assert_eq!(block(&run).await["trades"], 1);
    assert_eq!(settled(&run, &addr(&seller), &addr(&buyer)), SETTLED);
    let after = snapshot(&run);
    run.stop().await;
    let with_block = std::fs::read(&path).unwrap();
    // The block is one log line after the restart's snapshot.
    assert_eq!(
        with_block[start_len..]
            .iter()
            .filter(|&&b| b == b'\n')
            .count(),
        1
    );

    // The complete line: the fill is there once, and the next block adds none.
    let run = on_demand_at(&path).await;
    assert_eq!(snapshot(&run), after);
    assert_eq!(block(&run).await["trades"], 0);
    assert_eq!(settled(&run, &addr(&seller), &addr(&buyer)), SETTLED);
    assert_eq!(snapshot(&run).trades.len(), 1);
    run.stop().await;

    // A crash while the block's line was written: every cut of it loads to the state before the
    // block, whose next block makes the same fill once.
    let line = &with_block[start_len..];
    for cut in [0, 1, line.len() / 2, line.len() - 1] {
        let mut bytes = with_block[..start_len].to_vec();
        bytes.extend_from_slice(&line[..cut]);
        std::fs::write(&path, &bytes).unwrap();
        let run = on_demand_at(&path).await;
        assert_eq!(snapshot(&run).trades.len(), 0, "cut {cut}");
        assert_eq!(snapshot(&run).mempool.len(), 1, "cut {cut}");
        assert_eq!(block(&run).await["trades"], 1, "cut {cut}");
        assert_eq!(
            settled(&run, &addr(&seller), &addr(&buyer)),
            SETTLED,
            "cut {cut}"
        );
        let l = snapshot(&run);
        assert_eq!(l.trades.len(), 1);
        assert_eq!(l.validate(), Ok(()));
        run.stop().await;
    }
}

/// A minimal WebSocket client (RFC 6455: masked client frames), so the test depends on no
/// client library and checks the server's framing.
mod wsc {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    pub async fn connect(base: &str) -> TcpStream {
        connect_to(base, "/api/ws").await
    }

    /// Opens the stream at `path` (a raw or combined stream URL).
    pub async fn connect_to(base: &str, path: &str) -> TcpStream {
        let host = base.trim_start_matches("http://");
        let mut s = TcpStream::connect(host).await.unwrap();
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        s.write_all(req.as_bytes()).await.unwrap();
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut b = [0u8; 1];
            s.read_exact(&mut b).await.unwrap();
            head.push(b[0]);
        }
        let head = String::from_utf8(head).unwrap();
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        // RFC 6455 §1.3's example key and its accept value.
        assert!(head.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "{head}");
        s
    }

    pub async fn send(s: &mut TcpStream, text: &str) {
        let p = text.as_bytes();
        let mut f = vec![0x81u8];
        if p.len() < 126 {
            f.push(0x80 | p.len() as u8);
        } else {
            f.push(0x80 | 126);
            f.extend_from_slice(&(p.len() as u16).to_be_bytes());
        }
        let mask = [7u8, 1, 9, 3];
        f.extend_from_slice(&mask);
        f.extend(p.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        s.write_all(&f).await.unwrap();
    }

    /// The next text message; `None` when the server closes.
    pub async fn recv(s: &mut TcpStream) -> Option<serde_json::Value> {
        loop {
            let mut h = [0u8; 2];
            s.read_exact(&mut h).await.ok()?;
            let mut len = u64::from(h[1] & 0x7f);
            if len == 126 {
                let mut b = [0u8; 2];
                s.read_exact(&mut b).await.ok()?;
                len = u64::from(u16::from_be_bytes(b));
            } else if len == 127 {
                let mut b = [0u8; 8];
                s.read_exact(&mut b).await.ok()?;
                len = u64::from_be_bytes(b);
            }
            let mut p = vec![0u8; len as usize];
            s.read_exact(&mut p).await.ok()?;
            match h[0] & 0x0f {
                1 => return Some(serde_json::from_slice(&p).unwrap()),
                8 => return None,
                _ => {}
            }
        }
    }

    /// Sends an unknown method and waits for its error: every earlier message was handled.
    pub async fn sync(s: &mut TcpStream) {
        send(s, r#"{"method":"sync?"}"#).await;
        let e = recv(s).await.unwrap();
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap()
                .contains("unknown method"),
            "{e}"
        );
    }
}

#[tokio::test]
async fn an_orders_fill_arrives_on_the_orders_stream() {
    let run = on_demand().await;
    let (seller, buyer) = (key(1), key(2));
    fund(&run, &addr(&seller), "BNB", "10").await;
    fund(&run, &addr(&buyer), "BUSD-BD1", "1000").await;
    fund(&run, &addr(&buyer), "BNB", "1").await;
    let mut ws = wsc::connect(run.base_url()).await;
    let me = addr(&buyer).to_string();
    wsc::send(
        &mut ws,
        &format!(r#"{{"method":"subscribe","topic":"orders","userAddress":"{me}"}}"#),
    )
    .await;
    wsc::send(
        &mut ws,
        &format!(r#"{{"method":"subscribe","topic":"accounts","userAddress":"{me}"}}"#),
    )
    .await;
    wsc::send(
        &mut ws,
        &format!(r#"{{"method":"subscribe","topic":"trades","symbols":["{MARKET}"]}}"#),
    )
    .await;
    wsc::sync(&mut ws).await;

    place(&run, &seller, Side::Sell, "300", "2", TimeInForce::Gte).await;
    block(&run).await;
    let buy = place(&run, &buyer, Side::Buy, "301", "1.5", TimeInForce::Gte).await;
    block(&run).await;
    // Block 1 touched none of the subscriptions; block 2 all three, in topic order.
    let m = wsc::recv(&mut ws).await.unwrap();
    assert_eq!(m["stream"], "accounts", "{m}");
    assert_eq!(m["data"]["e"], "outboundAccountInfo");
    assert_eq!(
        m["data"]["B"][0],
        json!({"a": "BNB", "f": "2.49940000", "l": "0.00000000", "r": "0.00000000"})
    );
    let m = wsc::recv(&mut ws).await.unwrap();
    assert_eq!(m["stream"], "orders", "{m}");
    let r = &m["data"][0];
    assert_eq!(r["e"], "executionReport");
    assert_eq!(r["i"], buy.to_string());
    assert_eq!(r["x"], "TRADE");
    assert_eq!(r["X"], "FullyFill");
    assert_eq!(r["z"], "1.50000000");
    assert_eq!(r["l"], "1.50000000");
    assert_eq!(r["L"], "300.00000000");
    assert_eq!(r["n"], "0.00060000BNB");
    assert_eq!(r["t"], "2-0");
    assert_eq!(r["E"], 2);
    let m = wsc::recv(&mut ws).await.unwrap();
    assert_eq!(m["stream"], "trades", "{m}");
    assert_eq!(m["data"][0]["p"], "300.00000000");
    assert_eq!(m["data"][0]["q"], "1.50000000");
    assert_eq!(m["data"][0]["b"], buy.to_string());

    // Unsubscribed, then closed by the client.
    wsc::send(
        &mut ws,
        &format!(r#"{{"method":"unsubscribe","topic":"accounts","userAddress":"{me}"}}"#),
    )
    .await;
    wsc::sync(&mut ws).await;
    wsc::send(&mut ws, r#"{"method":"close"}"#).await;
    assert!(wsc::recv(&mut ws).await.is_none());
    run.stop().await;
}

#[tokio::test]
async fn streams_are_bounded_per_connection() {
    let run = on_demand().await;
    let mut ws = wsc::connect(run.base_url()).await;
    for n in 1..=64u8 {
        let a = addr(&key(n));
        wsc::send(
            &mut ws,
            &format!(r#"{{"method":"subscribe","topic":"orders","userAddress":"{a}"}}"#),
        )
        .await;
    }
    let a = addr(&key(65));
    wsc::send(
        &mut ws,
        &format!(r#"{{"method":"subscribe","topic":"orders","userAddress":"{a}"}}"#),
    )
    .await;
    let e = wsc::recv(&mut ws).await.unwrap();
    assert_eq!(
        e["error"]["message"],
        "at most 64 subscriptions per connection"
    );
    for (bad, needle) in [
        (
            r#"{"method":"subscribe","topic":"kline_2m","symbols":["BNB_BUSD-BD1"]}"#,
            "unknown topic",
        ),
        (
            r#"{"method":"subscribe","topic":"trades","symbols":["NOPE_BNB"]}"#,
            "not a listed market",
        ),
        (
            r#"{"method":"subscribe","topic":"orders","userAddress":"bnb1xyz"}"#,
            "",
        ),
        ("not json", "not JSON"),
    ] {
        wsc::send(&mut ws, bad).await;
        let e = wsc::recv(&mut ws).await.unwrap();
        assert!(
            e["error"]["message"].as_str().unwrap().contains(needle),
            "{bad}: {e}"
        );
    }
    // A message over 4096 bytes closes the session.
    wsc::send(
        &mut ws,
        &format!(r#"{{"method":"keepAlive","pad":"{}"}}"#, "x".repeat(5000)),
    )
    .await;
    assert!(wsc::recv(&mut ws).await.is_none());
    run.stop().await;
}

/// A devnet on demand whose breathe blocks come only from `POST /devnet/breathe`, keeping
/// orders one breathe period (and one within the best price levels too).
async fn expiring() -> Running {
    dexlink_devnet::spawn(DevnetConfig {
        blocks: BlockMode::OnDemand,
        breathe: dexlink_devnet::BreatheConfig {
            every_blocks: Some(1_000_000),
            order_keep: 1,
            order_force_keep: 1,
        },
        ..DevnetConfig::default()
    })
    .await
    .unwrap()
}

async fn breathe(run: &Running) -> Value {
    let (status, body) = post(run, "/devnet/breathe", "").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["breathe"], true, "{body}");
    body
}

#[tokio::test]
async fn gte_orders_older_than_the_keep_period_expire_at_a_breathe_block_with_the_chains_fee() {
    // The node's rule (bnb-chain/node plugins/dex/order keeper.go ExpireOrders, transfer.go,
    // fee.go CalcFixedFee; genesis ExpireFeeNative 1e4, ExpireFee 5e4): at a breathe block, an
    // order placed before the breathe block `keep` periods back expires and its lock is
    // released. One that filled nothing pays the expiry fee, after the releases: 1e4 units of
    // BNB when the free BNB covers it (or the released asset is BNB), else 5e4 units of BNB
    // converted into the released asset at its BNB market's last price, capped at the free
    // balance. A partly filled one pays nothing.
    let run = expiring().await;
    let (a, b, c, d, e) = (key(1), key(2), key(3), key(4), key(5));
    fund(&run, &addr(&a), "BNB", "10").await;
    fund(&run, &addr(&a), "BUSD-BD1", "1000").await;
    fund(&run, &addr(&b), "BUSD-BD1", "500").await;
    fund(&run, &addr(&c), "BNB", "5").await;
    fund(&run, &addr(&d), "BUSD-BD1", "400").await;
    fund(&run, &addr(&e), "BNB", "2").await;
    let a_buy = place(&run, &a, Side::Buy, "290", "1", TimeInForce::Gte).await;
    let b_buy = place(&run, &b, Side::Buy, "280", "1", TimeInForce::Gte).await;
    let c_sell = place(&run, &c, Side::Sell, "310", "2", TimeInForce::Gte).await;
    assert_eq!(block(&run).await["height"], 1);
    // The first breathe block (height 2): no breathe block one period back, nothing expires.
    let first = breathe(&run).await;
    assert_eq!(
        (first["height"].as_i64(), first["expired"].as_i64()),
        (Some(2), Some(0))
    );
    // D lifts 1 of C's 2 at 310 (height 3): C is partly filled, the last price becomes 310.
    place(&run, &d, Side::Buy, "310", "1", TimeInForce::Gte).await;
    assert_eq!(block(&run).await["trades"], 1);
    // E's order is placed after the first breathe block (height 4): it stays.
    let e_sell = place(&run, &e, Side::Sell, "320", "1", TimeInForce::Gte).await;
    block(&run).await;

    let mut ws = wsc::connect(run.base_url()).await;
    let me = addr(&a).to_string();
    wsc::send(
        &mut ws,
        &format!(r#"{{"method":"subscribe","topic":"orders","userAddress":"{me}"}}"#),
    )
    .await;
    wsc::sync(&mut ws).await;

    // The second breathe block (height 5) expires what was placed before height 2.
    let second = breathe(&run).await;
    assert_eq!(
        (second["height"].as_i64(), second["expired"].as_i64()),
        (Some(5), Some(3))
    );

    // A: BUY 1 @ 290 released 290 BUSD; A's free 10 BNB covers 1e4 units: 0.0001 BNB.
    assert_eq!(holding(&run, &addr(&a), "BNB"), (1_000_000_000 - 10_000, 0));
    assert_eq!(holding(&run, &addr(&a), "BUSD-BD1"), (100_000_000_000, 0));
    // B: no BNB; released BUSD-BD1, whose BNB market is BNB_BUSD-BD1 at last price 310:
    // 310e8 × 5e4 / 1e8 = 15,500,000 units = 0.155 BUSD-BD1 of its 500.
    assert_eq!(
        holding(&run, &addr(&b), "BUSD-BD1"),
        (50_000_000_000 - 15_500_000, 0)
    );
    // C: sold 1 BNB for 310 BUSD-BD1 with a trade fee of 1e8 × 400 / 1e6 = 40,000 units of
    // BNB; its other 1 BNB released with no expiry fee (partly filled).
    assert_eq!(
        holding(&run, &addr(&c), "BNB"),
        (500_000_000 - 100_000_000 - 40_000, 0)
    );
    assert_eq!(holding(&run, &addr(&c), "BUSD-BD1"), (31_000_000_000, 0));
    // E's sell still rests with its lock.
    assert_eq!(holding(&run, &addr(&e), "BNB"), (100_000_000, 100_000_000));
    // Fee account: A 10,000 + C 40,000 + D's trade fee 40,000 (D received 1 BNB) in BNB,
    // and B's 15,500,000 in BUSD-BD1.
    assert_eq!(holding(&run, &fee_account(), "BNB"), (90_000, 0));
    assert_eq!(holding(&run, &fee_account(), "BUSD-BD1"), (15_500_000, 0));

    for (id, fee) in [
        (&a_buy, "BNB:0.00010000;"),
        (&b_buy, "BUSD-BD1:0.15500000;"),
        (&c_sell, ""),
    ] {
        let (status, o) = get(&run, &format!("/api/v1/orders/{id}")).await;
        assert_eq!(status, 200, "{o}");
        assert_eq!(o["status"], "Expired", "{o}");
        assert_eq!(o["fee"], fee, "{o}");
    }
    let (_, c_order) = get(&run, &format!("/api/v1/orders/{c_sell}")).await;
    assert_eq!(c_order["cumulateQuantity"], "1.00000000");
    let (_, closed) = get(
        &run,
        &format!("/api/v1/orders/closed?address={}&status=Expired", addr(&a)),
    )
    .await;
    assert_eq!(closed["total"], 1, "{closed}");
    assert_eq!(closed["order"][0]["orderId"], a_buy.to_string());
    let (_, open) = get(&run, &format!("/api/v1/orders/open?address={}", addr(&e))).await;
    assert_eq!(open["order"][0]["orderId"], e_sell.to_string());
    let (_, depth) = get(&run, &format!("/api/v1/depth?symbol={MARKET}")).await;
    assert_eq!(depth["bids"], json!([]), "{depth}");
    assert_eq!(
        depth["asks"],
        json!([["320.00000000", "1.00000000"]]),
        "{depth}"
    );

    let m = wsc::recv(&mut ws).await.unwrap();
    assert_eq!(m["stream"], "orders", "{m}");
    let r = &m["data"][0];
    assert_eq!(r["i"], a_buy.to_string());
    assert_eq!(r["x"], "EXPIRED");
    assert_eq!(r["X"], "Expired");
    assert_eq!(r["n"], "0.00010000BNB");
    assert_eq!(r["E"], 5);

    // The third breathe block (height 6) expires what was placed before height 5: E's sell
    // only, released BNB, so the fee is 1e4 units of BNB; nobody else pays again.
    assert_eq!(breathe(&run).await["expired"], 1);
    assert_eq!(holding(&run, &addr(&e), "BNB"), (200_000_000 - 10_000, 0));
    assert_eq!(holding(&run, &addr(&a), "BNB"), (1_000_000_000 - 10_000, 0));
    assert_eq!(holding(&run, &fee_account(), "BNB"), (100_000, 0));
    assert_eq!(snapshot(&run).validate(), Ok(()));
    run.stop().await;
}

/// [`expiring`] with its state in `path`.
async fn expiring_at(path: &std::path::Path) -> Running {
    dexlink_devnet::spawn(DevnetConfig {
        blocks: BlockMode::OnDemand,
        state: Some(path.to_path_buf()),
        breathe: dexlink_devnet::BreatheConfig {
            every_blocks: Some(1_000_000),
            order_keep: 1,
            order_force_keep: 1,
        },
        ..DevnetConfig::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_restart_around_a_breathe_block_neither_loses_nor_repeats_an_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state");
    let a = key(1);
    let run = expiring_at(&path).await;
    fund(&run, &addr(&a), "BNB", "10").await;
    let id = place(&run, &a, Side::Sell, "400", "1", TimeInForce::Gte).await;
    block(&run).await;
    breathe(&run).await;
    run.stop().await;

    // The expiring breathe block: A's 1 BNB released, 1e4 units of BNB paid (released BNB).
    let expired = (1_000_000_000 - 10_000, 0);
    let run = expiring_at(&path).await;
    let start_len = std::fs::metadata(&path).unwrap().len() as usize;
    assert_eq!(breathe(&run).await["expired"], 1);
    assert_eq!(holding(&run, &addr(&a), "BNB"), expired);
    let after = snapshot(&run);
    run.stop().await;
    let with_block = std::fs::read(&path).unwrap();

    // Reloaded: the expiry is there once; the breathe blocks are remembered, so the next one
    // looks back to the right height and expires nothing.
    let run = expiring_at(&path).await;
    assert_eq!(snapshot(&run), after);
    assert_eq!(snapshot(&run).closed[&id.to_string()].status, "Expired");
    assert_eq!(breathe(&run).await["expired"], 0);
    assert_eq!(holding(&run, &addr(&a), "BNB"), expired);
    assert_eq!(holding(&run, &fee_account(), "BNB"), (10_000, 0));
    run.stop().await;

    // A crash while the block's line was written: the state before it, whose next breathe
    // block makes the same expiry once.
    let line = &with_block[start_len..];
    for cut in [0, line.len() / 2, line.len() - 1] {
        let mut bytes = with_block[..start_len].to_vec();
        bytes.extend_from_slice(&line[..cut]);
        std::fs::write(&path, &bytes).unwrap();
        let run = expiring_at(&path).await;
        assert_eq!(snapshot(&run).orders.len(), 1, "cut {cut}");
        assert_eq!(breathe(&run).await["expired"], 1, "cut {cut}");
        assert_eq!(holding(&run, &addr(&a), "BNB"), expired, "cut {cut}");
        assert_eq!(
            holding(&run, &fee_account(), "BNB"),
            (10_000, 0),
            "cut {cut}"
        );
        run.stop().await;
    }
}

#[test]
fn within_the_best_500_price_levels_orders_are_kept_until_the_force_expiry_period() {
    // BEP-67 (bnb-chain/node keeper.go expireOrders, orderbook.go
    // RemoveOrdersBasedOnPriceLevel with preferencePriceLevel 500): on each side, orders in
    // the best 500 price levels expire only when placed before the breathe block
    // `order_force_keep` periods back; beyond them, before the one `order_keep` back.
    use dexlink_devnet::block::{self, Books};
    use dexlink_devnet::journal::Journal;
    use dexlink_devnet::state::{AccountState, Holding, Ledger, RestingOrder};

    let owner = Address::new(Hrp::testnet(), [7; 20]).to_string();
    let mut ledger = Ledger {
        chain_id: "Binance-Chain-Ganges".into(),
        hrp: "tbnb".into(),
        height: 2,
        next_account_number: 1,
        markets: DevnetConfig::default()
            .markets
            .into_iter()
            .map(|m| (m.symbol(), m))
            .collect(),
        ..Ledger::default()
    };
    // 501 asks of 0.01 BNB at 300, 300.0001, ... placed at height 1.
    for i in 0..501i64 {
        let id = format!("ASK-{i}");
        ledger.orders.insert(
            id.clone(),
            RestingOrder {
                order_id: id,
                symbol: MARKET.into(),
                owner: owner.clone(),
                side: 2,
                price: 30_000_000_000 + i * 10_000,
                quantity: 1_000_000,
                locked_asset: "BNB".into(),
                locked_amount: 1_000_000,
                height: 1,
                ..RestingOrder::default()
            },
        );
    }
    ledger.accounts.insert(
        owner.clone(),
        AccountState {
            account_number: 0,
            sequence: 501,
            balances: [(
                "BNB".to_string(),
                Holding {
                    free: 100_000_000,
                    locked: 501 * 1_000_000,
                    frozen: 0,
                },
            )]
            .into(),
            public_key: None,
        },
    );
    // The breathe block of period 0 was height 2.
    ledger.breathe_blocks.insert("0".into(), 2);
    assert_eq!(ledger.validate(), Ok(()));
    let mut books = Books::rebuild(&ledger);
    let cfg = dexlink_devnet::BreatheConfig {
        every_blocks: Some(1_000_000),
        order_keep: 1,
        order_force_keep: 2,
    };
    let mut j = Journal::new(&mut ledger);
    // Forced breathe block of period 1: keep looks back to period 0 (height 2), force to
    // period -1 (none recorded: nothing in the best 500 levels expires).
    let ev = block::produce_with(&mut j, &mut books, &FeeConfig::default(), &cfg, true, 0);
    j.commit();
    assert!(ev.breathe);
    assert_eq!(ev.expired, 1);
    assert!(!ledger.orders.contains_key("ASK-500"));
    assert_eq!(ledger.closed["ASK-500"].status, "Expired");
    // Released BNB: the expiry fee is 1e4 units of BNB.
    assert_eq!(ledger.closed["ASK-500"].fee, "BNB:0.00010000;");
    assert_eq!(ledger.orders.len(), 500);
    let h = &ledger.accounts[&owner].balances["BNB"];
    assert_eq!(
        (h.free, h.locked),
        (100_000_000 + 1_000_000 - 10_000, 500 * 1_000_000)
    );
    assert_eq!(ledger.breathe_blocks["1"], 3);
    assert_eq!(ledger.validate(), Ok(()));
}

#[tokio::test]
async fn a_send_pays_the_chains_transfer_fee_in_bnb_per_coin_for_a_multi_send() {
    // bnb-chain/node plugins/param/genesis.go: TransferFee 62500, MultiTransferFee 50000,
    // LowerLimitAsMulti 2; TransferFeeCalculatorGen: n = max(coins over the inputs, coins over
    // the outputs); n >= 2 pays 50000 × n, else 62500; in BNB, before the message runs.
    use dexlink::tx::{Coin, Msg, Send, SendEntry};
    let run = on_demand().await;
    let (a, b, c, d) = (key(1), key(2), key(3), key(4));
    fund(&run, &addr(&a), "BNB", "10").await;
    fund(&run, &addr(&a), "BUSD-BD1", "100").await;
    fund(&run, &addr(&d), "BUSD-BD1", "100").await;

    // One coin: 10 − 1 − 0.000625 BNB.
    let (an, seq) = acct(&run, &addr(&a)).await;
    accept(&run, &send_tx(&a, an, seq, &addr(&b), "BNB", "1")).await;
    assert_eq!(holding(&run, &addr(&a), "BNB"), (900_000_000 - 62_500, 0));
    assert_eq!(holding(&run, &addr(&b), "BNB"), (100_000_000, 0));
    assert_eq!(holding(&run, &fee_account(), "BNB"), (62_500, 0));

    // Two outputs of one coin each, one input of two coins: n = 2, 2 × 50000 units.
    let multi = Send::from_outputs(
        addr(&a),
        vec![
            SendEntry::new(addr(&b), vec![Coin::new("BNB", units("1"))]),
            SendEntry::new(addr(&c), vec![Coin::new("BUSD-BD1", units("2"))]),
        ],
    )
    .unwrap();
    accept(&run, &sign(&a, &chain(), an, seq + 1, Msg::Send(multi))).await;
    assert_eq!(
        holding(&run, &addr(&a), "BNB"),
        (900_000_000 - 62_500 - 100_000_000 - 100_000, 0)
    );
    assert_eq!(holding(&run, &addr(&a), "BUSD-BD1"), (9_800_000_000, 0));
    assert_eq!(holding(&run, &addr(&c), "BUSD-BD1"), (200_000_000, 0));
    assert_eq!(holding(&run, &fee_account(), "BNB"), (162_500, 0));

    // No BNB for the fee: refused (insufficient coins, 1/10), nothing changes.
    let (dn, dseq) = acct(&run, &addr(&d)).await;
    reject(
        &run,
        &send_tx(&d, dn, dseq, &addr(&b), "BUSD-BD1", "1"),
        65546,
        "insufficient BNB to pay the transfer fee of 0.00062500 BNB",
    )
    .await;
    assert_eq!(acct(&run, &addr(&d)).await, (dn, dseq));
    assert_eq!(holding(&run, &addr(&d), "BUSD-BD1"), (10_000_000_000, 0));

    // The fees endpoint shows the parameters in the real API's shape.
    let (_, fees) = get(&run, "/api/v1/fees").await;
    assert_eq!(
        fees[3],
        json!({
            "fixed_fee_params": {"msg_type": "send", "fee": 62500, "fee_for": 1},
            "multi_transfer_fee": 50000,
            "lower_limit_as_multi": 2,
        })
    );
    run.stop().await;
}

#[tokio::test]
async fn a_freeze_and_an_unfreeze_each_pay_the_chains_freeze_fee_in_bnb() {
    // bnb-chain/node plugins/param/genesis.go: FreezeFee 1e6 for the message type
    // `tokensFreeze`, which plugins/tokens/freeze/msg.go gives both FreezeMsg and UnfreezeMsg;
    // a fixed fee, taken from free BNB by the ante handler before the message runs.
    use dexlink::tx::{Msg, TokenFreeze};
    let run = on_demand().await;
    let (a, d) = (key(1), key(4));
    fund(&run, &addr(&a), "BNB", "10").await;
    fund(&run, &addr(&a), "BUSD-BD1", "100").await;
    fund(&run, &addr(&d), "BUSD-BD1", "100").await;
    let freeze =
        |asset: &str, amount: &str| TokenFreeze::new(addr(&a), asset, units(amount)).unwrap();
    let frozen =
        |asset: &str| run.devnet.ledger().accounts[&addr(&a).to_string()].balances[asset].frozen;

    // Freezing 2 BNB: 10 − 0.01 free before the message, then 2 of it frozen.
    let (an, seq) = acct(&run, &addr(&a)).await;
    accept(
        &run,
        &sign(&a, &chain(), an, seq, Msg::Freeze(freeze("BNB", "2"))),
    )
    .await;
    assert_eq!(
        holding(&run, &addr(&a), "BNB"),
        (1_000_000_000 - 1_000_000 - 200_000_000, 0)
    );
    assert_eq!(frozen("BNB"), 200_000_000);
    // Unfreezing BUSD pays in BNB too.
    accept(
        &run,
        &sign(
            &a,
            &chain(),
            an,
            seq + 1,
            Msg::Freeze(freeze("BUSD-BD1", "5")),
        ),
    )
    .await;
    accept(
        &run,
        &sign(
            &a,
            &chain(),
            an,
            seq + 2,
            Msg::Unfreeze(freeze("BUSD-BD1", "5")),
        ),
    )
    .await;
    assert_eq!(
        holding(&run, &addr(&a), "BNB"),
        (1_000_000_000 - 3 * 1_000_000 - 200_000_000, 0)
    );
    assert_eq!(frozen("BNB"), 200_000_000);
    assert_eq!(holding(&run, &addr(&a), "BUSD-BD1"), (10_000_000_000, 0));
    assert_eq!(frozen("BUSD-BD1"), 0);
    assert_eq!(holding(&run, &fee_account(), "BNB"), (3_000_000, 0));

    // No BNB for the fee: refused (insufficient coins, 1/10), nothing changes.
    let (dn, dseq) = acct(&run, &addr(&d)).await;
    let f = TokenFreeze::new(addr(&d), "BUSD-BD1", units("1")).unwrap();
    reject(
        &run,
        &sign(&d, &chain(), dn, dseq, Msg::Freeze(f)),
        65546,
        "insufficient BNB to pay the freeze fee of 0.01000000 BNB",
    )
    .await;
    assert_eq!(acct(&run, &addr(&d)).await, (dn, dseq));
    assert_eq!(holding(&run, &addr(&d), "BUSD-BD1"), (10_000_000_000, 0));

    // The fees endpoint lists it where the chain's genesis has it, before `send`.
    let (_, fees) = get(&run, "/api/v1/fees").await;
    assert_eq!(
        fees[2],
        json!({"msg_type": "tokensFreeze", "fee": 1000000, "fee_for": 1})
    );
    run.stop().await;
}

#[tokio::test]
async fn a_ping_after_a_subscription_acknowledges_it_so_the_next_block_is_seen() {
    // The streams acknowledge no subscription; the server answers a ping after the messages
    // before it, so the SDK's `sync` (ping, then wait for its pong) is the acknowledgement:
    // a block made right after it reaches the subscriber, with no sleep.
    use dexlink::client::stream::{DexStream, StreamConfig, StreamEvent, Subscription};
    let run = on_demand().await;
    let (seller, buyer) = (key(1), key(2));
    fund(&run, &addr(&seller), "BNB", "10").await;
    fund(&run, &addr(&buyer), "BUSD-BD1", "1000").await;
    fund(&run, &addr(&buyer), "BNB", "1").await;
    place(&run, &seller, Side::Sell, "300", "1", TimeInForce::Gte).await;
    block(&run).await;
    for round in 0..5 {
        let mut s = DexStream::connect(run.base_url(), &StreamConfig::default())
            .await
            .unwrap();
        s.subscribe(&Subscription::Orders(addr(&seller)))
            .await
            .unwrap();
        s.sync().await.unwrap();
        // One IOC buy of 0.01 per round takes a lot of the resting sell.
        let buy = place(&run, &buyer, Side::Buy, "300", "0.01", TimeInForce::Ioc).await;
        let made = block(&run).await;
        assert_eq!(made["trades"], 1, "round {round}: {made}");
        let StreamEvent::Orders(reports) = s.next_event().await.unwrap() else {
            panic!("round {round}: not an orders event");
        };
        assert_eq!(reports.len(), 1, "round {round}");
        assert_eq!(
            reports[0].cumulate_quantity,
            units(&format!("0.0{}", round + 1)),
            "round {round}"
        );
        assert_ne!(reports[0].order_id, buy);
        s.close().await.unwrap();
    }
    run.stop().await;
}

#[tokio::test]
async fn streams_named_by_the_url_deliver_as_the_subscribed_ones() {
    let run = on_demand().await;
    let (seller, buyer) = (key(1), key(2));
    fund(&run, &addr(&seller), "BNB", "10").await;
    fund(&run, &addr(&buyer), "BUSD-BD1", "1000").await;
    fund(&run, &addr(&buyer), "BNB", "1").await;
    let me = addr(&buyer).to_string();
    // The buyer's own stream (orders and accounts), one market's trades by a lowercase
    // symbol, two streams combined, and all tickers.
    let mut own = wsc::connect_to(run.base_url(), &format!("/api/ws/{me}")).await;
    let mut trades = wsc::connect_to(run.base_url(), "/api/ws/bnb_busd-bd1@trades").await;
    let mut combined = wsc::connect_to(
        run.base_url(),
        &format!("/api/stream?streams={MARKET}@marketDepth/{MARKET}@kline_1h"),
    )
    .await;
    let mut all = wsc::connect_to(run.base_url(), "/api/ws/$all@allTickers").await;
    for s in [&mut own, &mut trades, &mut combined, &mut all] {
        wsc::sync(s).await;
    }

    place(&run, &seller, Side::Sell, "300", "2", TimeInForce::Gte).await;
    block(&run).await;
    let buy = place(&run, &buyer, Side::Buy, "301", "1.5", TimeInForce::Gte).await;
    block(&run).await;

    // Block 1 touched only the book; block 2 filled 1.5 at 300.
    let m = wsc::recv(&mut own).await.unwrap();
    assert_eq!(m["stream"], "accounts", "{m}");
    assert_eq!(m["data"]["E"], 2);
    let m = wsc::recv(&mut own).await.unwrap();
    assert_eq!(m["stream"], "orders", "{m}");
    assert_eq!(m["data"][0]["i"], buy.to_string());
    assert_eq!(m["data"][0]["X"], "FullyFill");

    let m = wsc::recv(&mut trades).await.unwrap();
    assert_eq!(m["stream"], "trades", "{m}");
    assert_eq!(m["data"][0]["s"], MARKET);
    assert_eq!(m["data"][0]["p"], "300.00000000");
    assert_eq!(m["data"][0]["q"], "1.50000000");

    // Combined: block 1's depth (the resting sell), then block 2's kline and depth, topics in
    // name order.
    let m = wsc::recv(&mut combined).await.unwrap();
    assert_eq!(m["stream"], "marketDepth", "{m}");
    assert_eq!(m["data"]["asks"], json!([["300.00000000", "2.00000000"]]));
    let m = wsc::recv(&mut combined).await.unwrap();
    assert_eq!(m["stream"], "kline_1h", "{m}");
    assert_eq!(m["data"]["k"]["c"], "300.00000000");
    let m = wsc::recv(&mut combined).await.unwrap();
    assert_eq!(m["stream"], "marketDepth", "{m}");
    assert_eq!(m["data"]["asks"], json!([["300.00000000", "0.50000000"]]));

    let m = wsc::recv(&mut all).await.unwrap();
    assert_eq!(m["stream"], "allTickers", "{m}");
    let tickers = m["data"].as_array().unwrap();
    assert_eq!(tickers.len(), 3, "{m}");
    let t = tickers.iter().find(|t| t["symbol"] == MARKET).unwrap();
    assert_eq!(t["e"], "24hrTicker");
    assert_eq!(t["lastPrice"], "300.00000000");
    assert_eq!(t["volume"], "1.50000000");

    // A name the DEX does not stream is refused before the upgrade, naming it.
    for (path, needle) in [
        ("/api/ws/NOPE_BNB@trades", "NOPE_BNB is not a listed market"),
        ("/api/ws/BNB_BUSD-BD1@depth", "unknown stream \"depth\""),
        ("/api/ws/tbnb1nothing", "not an address"),
        ("/api/ws/$all@trades", "$all@allTickers"),
        ("/api/stream?streams=", "missing query parameter streams"),
    ] {
        let r = http()
            .get(format!("{}{path}", run.base_url()))
            .header("Upgrade", "websocket")
            .header("Connection", "Upgrade")
            .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
            .header("Sec-WebSocket-Version", "13")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400, "{path}");
        let body: Value = r.json().await.unwrap();
        assert!(
            body["message"].as_str().unwrap().contains(needle),
            "{path}: {body}"
        );
    }
    run.stop().await;
}

#[test]
fn a_breathe_block_is_the_first_block_of_a_utc_day_or_every_nth_block() {
    // The node's isBreatheBlock: with breatheBlockInterval set, height % interval == 0; else
    // a block whose UTC day differs from the previous block's (not the first block).
    use dexlink_devnet::block::{self, Books};
    use dexlink_devnet::journal::Journal;
    use dexlink_devnet::state::Ledger;

    const DAY: i64 = 86_400_000;
    let day = 20_000; // 2024-10-04 UTC
    let blank = || Ledger {
        chain_id: "Binance-Chain-Ganges".into(),
        hrp: "tbnb".into(),
        ..Ledger::default()
    };
    let make = |l: &mut Ledger, cfg: &dexlink_devnet::BreatheConfig, now_ms: i64| {
        let mut books = Books::rebuild(l);
        let mut j = Journal::new(l);
        let ev = block::produce_with(
            &mut j,
            &mut books,
            &FeeConfig::default(),
            cfg,
            false,
            now_ms,
        );
        j.commit();
        ev.breathe
    };
    let daily = dexlink_devnet::BreatheConfig::default();
    let mut l = blank();
    // The first block, then one later the same day, then one just after midnight UTC.
    assert!(!make(&mut l, &daily, day * DAY + 5_000));
    assert!(!make(&mut l, &daily, (day + 1) * DAY - 1));
    assert!(make(&mut l, &daily, (day + 1) * DAY));
    assert_eq!(l.breathe_blocks, [((day + 1).to_string(), 3)].into());
    assert!(!make(&mut l, &daily, (day + 1) * DAY + 1_000));

    let every3 = dexlink_devnet::BreatheConfig {
        every_blocks: Some(3),
        ..dexlink_devnet::BreatheConfig::default()
    };
    let mut l = blank();
    let breathes: Vec<bool> = (1..=7)
        .map(|i| make(&mut l, &every3, day * DAY + i))
        .collect();
    assert_eq!(breathes, [false, false, true, false, false, true, false]);
    assert_eq!(
        l.breathe_blocks,
        [("1".to_string(), 3), ("2".to_string(), 6)].into()
    );
}

/// Places a GTE order on `symbol` signed by `k` at its next sequence; returns its id.
async fn place_on(
    run: &Running,
    k: &dexlink::PrivateKey,
    symbol: &str,
    side: Side,
    price: &str,
    qty: &str,
) -> OrderId {
    place_in(run, k, symbol, side, price, qty, TimeInForce::Gte).await
}

#[tokio::test]
async fn trade_fees_are_charged_after_all_of_the_blocks_transfers() {
    // The node (order/keeper.go `allocate`) applies every transfer of the block first and then
    // charges each account's trade fees against the balance they left. A buy of 1 BTCB at a
    // limit of 60 BNB fills at the resting sell's 50: the fill releases the 10 BNB the limit
    // locked beyond the price, so the buyer, whose BNB was all locked, pays its fee in BNB.
    let run = on_demand().await;
    let (seller, buyer) = (key(1), key(2));
    fund(&run, &addr(&seller), "BTCB-1DE", "1").await;
    fund(&run, &addr(&seller), "BNB", "1").await;
    fund(&run, &addr(&buyer), "BNB", "60").await;
    place_on(&run, &seller, "BTCB-1DE_BNB", Side::Sell, "50", "1").await;
    block(&run).await;
    place_on(&run, &buyer, "BTCB-1DE_BNB", Side::Buy, "60", "1").await;
    assert_eq!(holding(&run, &addr(&buyer), "BNB"), (0, 6_000_000_000));
    block(&run).await;
    // Buyer: paid 50 BNB, 10 released; the trade is worth the 50 BNB it paid:
    // 5e9 × 400 / 10^6 = 2_000_000 units of BNB, which the 1e9 free covers.
    assert_eq!(
        holding(&run, &addr(&buyer), "BNB"),
        (1_000_000_000 - 2_000_000, 0)
    );
    assert_eq!(holding(&run, &addr(&buyer), "BTCB-1DE"), (100_000_000, 0));
    // Seller: 1e8 + 5e9 BNB, less the same 2_000_000.
    assert_eq!(
        holding(&run, &addr(&seller), "BNB"),
        (5_100_000_000 - 2_000_000, 0)
    );
    assert_eq!(holding(&run, &fee_account(), "BNB"), (4_000_000, 0));
    assert_eq!(holding(&run, &fee_account(), "BTCB-1DE"), (0, 0));
    assert_eq!(snapshot(&run).validate(), Ok(()));
    run.stop().await;
}

#[tokio::test]
async fn an_accounts_trade_fees_go_in_the_nodes_order_received_bnb_first() {
    // order/transfer.go `TradeTransfers.Less`: an account's trades of a block are charged
    // received-BNB first, then paid-BNB, then by received and paid asset, each against the
    // balance the previous fees left. Market AAA-000_BNB sorts before BNB_BUSD-BD1, so
    // charging market by market would take the AAA trade's fee first, with no free BNB yet.
    let mut markets = DevnetConfig::default().markets;
    markets.push(dexlink_devnet::state::MarketState {
        base: "AAA-000".into(),
        quote: "BNB".into(),
        tick_size: 1,
        lot_size: 100_000_000,
        list_price: 100_000_000,
    });
    let run = dexlink_devnet::spawn(DevnetConfig {
        blocks: BlockMode::OnDemand,
        markets,
        ..DevnetConfig::default()
    })
    .await
    .unwrap();
    let (x, y, z) = (key(1), key(2), key(3));
    fund(&run, &addr(&x), "BNB", "1").await;
    fund(&run, &addr(&x), "BUSD-BD1", "300").await;
    fund(&run, &addr(&y), "AAA-000", "1").await;
    fund(&run, &addr(&y), "BNB", "1").await;
    fund(&run, &addr(&z), "BNB", "2").await;
    place_on(&run, &y, "AAA-000_BNB", Side::Sell, "1", "1").await;
    place_on(&run, &z, MARKET, Side::Sell, "300", "1").await;
    block(&run).await;
    // In one block x buys 1 AAA for 1 BNB (all its BNB, locked) and 1 BNB for 300 BUSD.
    place_on(&run, &x, "AAA-000_BNB", Side::Buy, "1", "1").await;
    place_on(&run, &x, MARKET, Side::Buy, "300", "1").await;
    assert_eq!(holding(&run, &addr(&x), "BNB"), (0, 100_000_000));
    block(&run).await;
    // x's BNB trade first: worth the 1e8 BNB received, 1e8 × 400 / 10^6 = 40_000 BNB, from
    // the 1e8 received. Then the AAA trade: worth the 1e8 BNB paid, 40_000 BNB, from the
    // 1e8 - 40_000 left. Charged market by market it would have been 1e8 × 1000 / 10^6 =
    // 100_000 AAA.
    assert_eq!(holding(&run, &addr(&x), "BNB"), (100_000_000 - 80_000, 0));
    assert_eq!(holding(&run, &addr(&x), "AAA-000"), (100_000_000, 0));
    assert_eq!(holding(&run, &addr(&x), "BUSD-BD1"), (0, 0));
    assert_eq!(holding(&run, &fee_account(), "AAA-000"), (0, 0));
    // y and z pay 40_000 BNB each (1 BNB received; 1 BNB paid).
    assert_eq!(
        holding(&run, &fee_account(), "BNB"),
        (80_000 + 40_000 + 40_000, 0)
    );
    let (_, trades) = get(&run, "/api/v1/trades?symbol=AAA-000_BNB").await;
    assert_eq!(trades["trade"][0]["buySingleFee"], "BNB:0.00040000;");
    assert_eq!(snapshot(&run).validate(), Ok(()));
    run.stop().await;
}

#[tokio::test]
async fn a_buy_filled_below_its_limit_frees_the_difference_at_each_fill() {
    // order/transfer.go `TransferFromTrade`: a buy's fill unlocks notional(limit, cum) -
    // notional(limit, cum - qty) and pays notional(price, qty); the rest is free at once, not
    // when the order closes. A buy of 2 BTCB at 60 BNB meets a resting sell of 1 at 50.
    let run = on_demand().await;
    let (seller, buyer) = (key(1), key(2));
    fund(&run, &addr(&seller), "BTCB-1DE", "1").await;
    fund(&run, &addr(&seller), "BNB", "1").await;
    fund(&run, &addr(&buyer), "BNB", "120").await;
    place_on(&run, &seller, "BTCB-1DE_BNB", Side::Sell, "50", "1").await;
    block(&run).await;
    let buy = place_on(&run, &buyer, "BTCB-1DE_BNB", Side::Buy, "60", "2").await;
    assert_eq!(holding(&run, &addr(&buyer), "BNB"), (0, 12_000_000_000));
    block(&run).await;
    let (_, trades) = get(&run, "/api/v1/trades?symbol=BTCB-1DE_BNB").await;
    assert_eq!(trades["trade"][0]["price"], "50.00000000");
    let (_, o) = get(&run, &format!("/api/v1/orders/{buy}")).await;
    assert_eq!(o["status"], "PartialFill");
    // The fill unlocked 60 × 1 = 6e9 and paid 5e9: 1e9 free, 6e9 still locked for the rest.
    // The fee (worth the 5e9 BNB paid, 5e9 × 400 / 10^6 = 2_000_000) is paid in BNB from
    // that 1e9; with the difference still locked it would have been 1e5 BTCB.
    assert_eq!(
        holding(&run, &addr(&buyer), "BNB"),
        (1_000_000_000 - 2_000_000, 6_000_000_000)
    );
    assert_eq!(holding(&run, &addr(&buyer), "BTCB-1DE"), (100_000_000, 0));
    assert_eq!(snapshot(&run).validate(), Ok(()));
    // Cancelled, the rest is released: 6e9 (a partly filled order pays no cancel fee).
    let (an, seq) = acct(&run, &addr(&buyer)).await;
    accept(&run, &cancel_tx(&buyer, an, seq, "BTCB-1DE_BNB", &buy)).await;
    block(&run).await;
    assert_eq!(
        holding(&run, &addr(&buyer), "BNB"),
        (7_000_000_000 - 2_000_000, 0)
    );
    assert_eq!(snapshot(&run).validate(), Ok(()));
    run.stop().await;
}

/// An on-demand devnet with BNB_BUSD-BD1 listed at `bnb_busd` and the `extra` markets (base,
/// quote, list price; tick 1, lot 1).
async fn with_markets(bnb_busd: i64, extra: &[(&str, &str, i64)]) -> Running {
    let mut markets = DevnetConfig::default().markets;
    assert_eq!(markets[0].symbol(), "BNB_BUSD-BD1");
    markets[0].list_price = bnb_busd;
    for (base, quote, list) in extra {
        markets.push(dexlink_devnet::state::MarketState {
            base: base.to_string(),
            quote: quote.to_string(),
            tick_size: 1,
            lot_size: 100_000_000,
            list_price: *list,
        });
    }
    dexlink_devnet::spawn(DevnetConfig {
        blocks: BlockMode::OnDemand,
        markets,
        ..DevnetConfig::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn an_asset_with_only_a_busd_market_is_valued_in_bnb_through_bnb_busd() {
    // fee.go `calcTranValueMeasureBySymbol` (BEP-70): an asset with no BNB market is valued
    // in BUSD, times 10^8 / (last price of BNB_BUSD-BD1), an integer taken first. With BNB at
    // 0.5 BUSD that is 2. XYZ-000 trades only against BUSD-BD1.
    let run = with_markets(50_000_000, &[("XYZ-000", "BUSD-BD1", 100_000_000)]).await;
    let (seller, buyer) = (key(1), key(2));
    fund(&run, &addr(&seller), "XYZ-000", "10").await;
    fund(&run, &addr(&seller), "BNB", "1").await;
    fund(&run, &addr(&buyer), "BUSD-BD1", "10").await;
    fund(&run, &addr(&buyer), "BNB", "1").await;
    place_on(&run, &seller, "XYZ-000_BUSD-BD1", Side::Sell, "1", "10").await;
    block(&run).await;
    place_on(&run, &buyer, "XYZ-000_BUSD-BD1", Side::Buy, "1", "10").await;
    block(&run).await;
    // 10 XYZ at 1 BUSD: 1e9 units of BUSD. Buyer (received XYZ, no BNB market): 1e9 BUSD paid
    // × 2 = 2e9 BNB; fee 2e9 × 400 / 10^6 = 800_000 BNB (without the route: 0, so
    // 1e9 × 1000 / 10^6 = 1_000_000 XYZ).
    assert_eq!(
        holding(&run, &addr(&buyer), "BNB"),
        (100_000_000 - 800_000, 0)
    );
    assert_eq!(holding(&run, &addr(&buyer), "XYZ-000"), (1_000_000_000, 0));
    // Seller (received BUSD, which has BNB_BUSD-BD1): 1e9 × 10^8 / 5e7 = 2e9; 800_000 BNB.
    assert_eq!(
        holding(&run, &addr(&seller), "BNB"),
        (100_000_000 - 800_000, 0)
    );
    assert_eq!(
        holding(&run, &addr(&seller), "BUSD-BD1"),
        (1_000_000_000, 0)
    );
    assert_eq!(holding(&run, &fee_account(), "BNB"), (1_600_000, 0));
    assert_eq!(holding(&run, &fee_account(), "XYZ-000"), (0, 0));
    run.stop().await;
}

#[tokio::test]
async fn a_fixed_fee_in_an_asset_without_a_bnb_market_is_converted_through_busd() {
    // fee.go `CalcFixedFee` (BEP-70): an account whose free BNB does not cover the native fixed
    // fee pays the non-native one in the released asset; without a BNB market for it, that
    // amount of BNB goes into BUSD at BNB_BUSD-BD1's last price (300), then into the asset at
    // its BUSD market's, each step truncated. XYZ-000_BUSD-BD1 lists at 2, BUSD-BD1_ABC-000
    // at 4; neither account holds BNB.
    let run = with_markets(
        30_000_000_000,
        &[
            ("XYZ-000", "BUSD-BD1", 200_000_000),
            ("BUSD-BD1", "ABC-000", 400_000_000),
        ],
    )
    .await;
    let (x, y) = (key(1), key(2));
    fund(&run, &addr(&x), "XYZ-000", "10").await;
    fund(&run, &addr(&y), "ABC-000", "100").await;

    // X's sell of 10 XYZ rests, then X cancels it: CancelFee 5e4 units of BNB
    // = 3e10 × 5e4 / 1e8 = 15,000,000 BUSD = 15e6 × 1e8 / 2e8 = 7,500,000 XYZ.
    let sell = place_on(&run, &x, "XYZ-000_BUSD-BD1", Side::Sell, "3", "10").await;
    block(&run).await;
    let (an, seq) = acct(&run, &addr(&x)).await;
    accept(&run, &cancel_tx(&x, an, seq, "XYZ-000_BUSD-BD1", &sell)).await;
    block(&run).await;
    assert_eq!(
        holding(&run, &addr(&x), "XYZ-000"),
        (1_000_000_000 - 7_500_000, 0)
    );
    let (_, o) = get(&run, &format!("/api/v1/orders/{sell}")).await;
    assert_eq!(o["status"], "Canceled", "{o}");
    assert_eq!(o["fee"], "XYZ-000:0.07500000;", "{o}");

    // Y's IOC buy of 1 BUSD at 3 ABC (locks 3 ABC) finds no seller: IOCExpireFee 2.5e4 units
    // of BNB = 3e10 × 2.5e4 / 1e8 = 7,500,000 BUSD = 4e8 × 7.5e6 / 1e8 = 30,000,000 ABC.
    let ioc = place_in(
        &run,
        &y,
        "BUSD-BD1_ABC-000",
        Side::Buy,
        "3",
        "1",
        TimeInForce::Ioc,
    )
    .await;
    block(&run).await;
    assert_eq!(
        holding(&run, &addr(&y), "ABC-000"),
        (10_000_000_000 - 30_000_000, 0)
    );
    let (_, o) = get(&run, &format!("/api/v1/orders/{ioc}")).await;
    assert_eq!(o["status"], "IocNoFill", "{o}");
    assert_eq!(o["fee"], "ABC-000:0.30000000;", "{o}");

    assert_eq!(holding(&run, &fee_account(), "XYZ-000"), (7_500_000, 0));
    assert_eq!(holding(&run, &fee_account(), "ABC-000"), (30_000_000, 0));
    assert_eq!(snapshot(&run).validate(), Ok(()));
    run.stop().await;
}
