//! Every rule of the devnet's broadcast handler: the right ABCI code and message for each
//! rejection, an unchanged ledger after it, and the effects of accepted transactions.

mod common;

use common::*;
use dexlink::address::ChainId;
use dexlink::tx::{Msg, OrderId, Side, TimeInForce};
use dexlink::{SignedTx, UnsignedTx};
use serde_json::Value;

const SEQ: u64 = 65539; // codespace 1, code 3
const UNAUTH: u64 = 65540; // 1/4
const PUBKEY: u64 = 65544; // 1/8
const UNKNOWN_ADDR: u64 = 65545; // 1/9
const COINS: u64 = 65546; // 1/10
const DEX_ORDER_ID: u64 = (6 << 16) | 1;
const DEX_MARKET: u64 = (6 << 16) | 2;
const DEX_ORDER_RULE: u64 = (6 << 16) | 3;
const DEX_NO_ORDER: u64 = (6 << 16) | 4;

/// Replaces the single occurrence of `from` in `bytes` with `to` (same length).
fn replace_once(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let hits: Vec<usize> = (0..=bytes.len() - from.len())
        .filter(|&i| &bytes[i..i + from.len()] == from)
        .collect();
    assert_eq!(hits.len(), 1, "pattern must occur once");
    bytes[hits[0]..hits[0] + to.len()].copy_from_slice(to);
}

#[tokio::test]
async fn sequence_and_account_number_must_match() {
    let run = start().await;
    let (a, b) = (key(1), key(2));
    fund(&run, &addr(&a), "BNB", "10").await;
    let (an, seq) = acct(&run, &addr(&a)).await;
    assert_eq!(seq, 0);
    reject(
        &run,
        &send_tx(&a, an, 5, &addr(&b), "BNB", "1"),
        SEQ,
        "Invalid sequence. Got 5, expected 0",
    )
    .await;
    reject(
        &run,
        &send_tx(&a, an + 7, 0, &addr(&b), "BNB", "1"),
        SEQ,
        &format!("Invalid account number. Got {}, expected {an}", an + 7),
    )
    .await;
    // The right values are accepted and bump the sequence; the old sequence is then stale.
    accept(&run, &send_tx(&a, an, 0, &addr(&b), "BNB", "1")).await;
    assert_eq!(acct(&run, &addr(&a)).await, (an, 1));
    reject(
        &run,
        &send_tx(&a, an, 0, &addr(&b), "BNB", "2"),
        SEQ,
        "Invalid sequence. Got 0, expected 1",
    )
    .await;
    run.stop().await;
}

#[tokio::test]
async fn unknown_signer_is_refused() {
    let run = start().await;
    let (a, b) = (key(1), key(2));
    reject(
        &run,
        &send_tx(&a, 0, 0, &addr(&b), "BNB", "1"),
        UNKNOWN_ADDR,
        "does not exist",
    )
    .await;
    run.stop().await;
}

#[tokio::test]
async fn signature_for_another_chain_is_refused() {
    let run = start().await;
    let (a, b) = (key(1), key(2));
    fund(&run, &addr(&a), "BNB", "10").await;
    let (an, seq) = acct(&run, &addr(&a)).await;
    let other = ChainId::new("Binance-Chain-Tigris").unwrap();
    let tx = sign(
        &a,
        &other,
        an,
        seq,
        send_msg(&addr(&a), &addr(&b), "BNB", "1"),
    );
    reject(&run, &tx, UNAUTH, "signature verification failed").await;
    run.stop().await;
}

#[tokio::test]
async fn public_key_of_another_key_is_refused() {
    let run = start().await;
    let (a, b) = (key(1), key(2));
    fund(&run, &addr(&a), "BNB", "10").await;
    let (an, seq) = acct(&run, &addr(&a)).await;
    let unsigned =
        UnsignedTx::new(chain(), an, seq, send_msg(&addr(&a), &addr(&b), "BNB", "1")).unwrap();
    let signed = unsigned.sign(&a).unwrap();
    let mut bytes = signed.to_bytes();
    // b's key and b's (valid) signature over the same document, in a's transaction.
    replace_once(
        &mut bytes,
        &a.public_key().to_compressed(),
        &b.public_key().to_compressed(),
    );
    replace_once(
        &mut bytes,
        signed.signature().as_bytes(),
        b.sign(&unsigned.sign_bytes()).as_bytes(),
    );
    reject(&run, &bytes, PUBKEY, "PubKey does not match Signer address").await;
    run.stop().await;
}

#[tokio::test]
async fn tampered_signature_is_refused() {
    let run = start().await;
    let (a, b) = (key(1), key(2));
    fund(&run, &addr(&a), "BNB", "10").await;
    let (an, seq) = acct(&run, &addr(&a)).await;
    let signed = UnsignedTx::new(chain(), an, seq, send_msg(&addr(&a), &addr(&b), "BNB", "1"))
        .unwrap()
        .sign(&a)
        .unwrap();
    let mut bytes = signed.to_bytes();
    let mut sig = *signed.signature().as_bytes();
    sig[10] ^= 1;
    replace_once(&mut bytes, signed.signature().as_bytes(), &sig);
    reject(&run, &bytes, UNAUTH, "signature verification failed").await;
    run.stop().await;
}

#[tokio::test]
async fn sends_need_the_balance_and_move_it() {
    let run = start().await;
    let (a, b) = (key(1), key(2));
    fund(&run, &addr(&a), "BNB", "10").await;
    let (an, seq) = acct(&run, &addr(&a)).await;
    reject(
        &run,
        &send_tx(&a, an, seq, &addr(&b), "BNB", "10.00000001"),
        COINS,
        "insufficient BNB",
    )
    .await;
    reject(
        &run,
        &send_tx(&a, an, seq, &addr(&b), "XYZ-000", "1"),
        COINS,
        "insufficient XYZ-000",
    )
    .await;
    accept(&run, &send_tx(&a, an, seq, &addr(&b), "BNB", "2.5")).await;
    assert_eq!(holding(&run, &addr(&a), "BNB"), (750_000_000, 0));
    assert_eq!(holding(&run, &addr(&b), "BNB"), (250_000_000, 0));
    // The receiver got an account (number assigned) on first credit.
    let c = client(&run).account(&addr(&b)).await.unwrap();
    assert_eq!(c.balance("BNB").unwrap().free, "2.5".parse().unwrap());
    run.stop().await;
}

#[tokio::test]
async fn order_id_must_be_the_one_for_the_sequence() {
    let run = start().await;
    let a = key(1);
    fund(&run, &addr(&a), "BNB", "10").await;
    let (an, seq) = acct(&run, &addr(&a)).await;
    // A correctly signed order whose id names the next sequence: the SDK refuses to build it,
    // so the id in the sign document and in the bytes is swapped and the document re-signed.
    let good = order_msg(
        &a,
        seq,
        "NNB-338_BNB",
        Side::Buy,
        "0.01",
        "100",
        TimeInForce::Gte,
    );
    let unsigned = UnsignedTx::new(chain(), an, seq, Msg::NewOrder(good.clone())).unwrap();
    let signed = unsigned.sign(&a).unwrap();
    let wrong = OrderId::new(&addr(&a), seq + 1).unwrap();
    let (good_id, wrong_id) = (good.id.to_string(), wrong.to_string());
    assert_eq!(good_id.len(), wrong_id.len());
    let doc = unsigned.sign_json().replace(&good_id, &wrong_id);
    let mut bytes = signed.to_bytes();
    replace_once(&mut bytes, good_id.as_bytes(), wrong_id.as_bytes());
    // With the old signature the ante handler's signature check fails first.
    reject(&run, &bytes, UNAUTH, "signature verification failed").await;
    replace_once(
        &mut bytes,
        signed.signature().as_bytes(),
        a.sign(doc.as_bytes()).as_bytes(),
    );
    reject(
        &run,
        &bytes,
        DEX_ORDER_ID,
        &format!("the order ID({wrong_id}) given did not match the expected one: `{good_id}`"),
    )
    .await;
    run.stop().await;
}

#[tokio::test]
async fn order_market_rules() {
    let run = start().await;
    let a = key(1);
    fund(&run, &addr(&a), "BNB", "1000").await;
    fund(&run, &addr(&a), "BUSD-BD1", "1000").await;
    let (an, seq) = acct(&run, &addr(&a)).await;
    let o = |sym: &str, side, price: &str, qty: &str| {
        order_tx(&a, an, seq, sym, side, price, qty, TimeInForce::Gte)
    };
    reject(
        &run,
        &o("FOO-123_BNB", Side::Buy, "1", "1"),
        DEX_MARKET,
        "trading pair not found: FOO-123_BNB",
    )
    .await;
    // BNB_BUSD-BD1: tick 0.0001, lot 0.01.
    reject(
        &run,
        &o("BNB_BUSD-BD1", Side::Buy, "1.00001", "1"),
        DEX_ORDER_RULE,
        "tick size",
    )
    .await;
    reject(
        &run,
        &o("BNB_BUSD-BD1", Side::Buy, "1", "0.001"),
        DEX_ORDER_RULE,
        "lot size",
    )
    .await;
    // BTCB-1DE_BNB: tick 1e-8, lot 0.001: 1e-8 × 0.001 is under the minimum notional.
    reject(
        &run,
        &o("BTCB-1DE_BNB", Side::Buy, "0.00000001", "0.001"),
        DEX_ORDER_RULE,
        "minimum notional",
    )
    .await;
    // Buying 10 BNB at 200 needs 2000 BUSD-BD1 free; there are 1000.
    reject(
        &run,
        &o("BNB_BUSD-BD1", Side::Buy, "200", "10"),
        COINS,
        "do not have enough token to lock",
    )
    .await;
    // Selling needs the base asset.
    reject(
        &run,
        &o("BTCB-1DE_BNB", Side::Sell, "1", "1"),
        COINS,
        "do not have enough token to lock",
    )
    .await;
    assert_eq!(acct(&run, &addr(&a)).await, (an, seq));
    run.stop().await;
}

#[tokio::test]
async fn gte_orders_lock_and_cancel_unlocks() {
    let run = start().await;
    let (a, b) = (key(1), key(2));
    fund(&run, &addr(&a), "BUSD-BD1", "1000").await;
    fund(&run, &addr(&b), "BNB", "1").await;
    let c = client(&run);
    let (an, seq) = acct(&run, &addr(&a)).await;
    let tx = order_tx(
        &a,
        an,
        seq,
        "BNB_BUSD-BD1",
        Side::Buy,
        "300",
        "2",
        TimeInForce::Gte,
    );
    let id = OrderId::new(&addr(&a), seq).unwrap();
    let res = accept(&run, &tx).await;
    let data: Value = serde_json::from_str(res["data"].as_str().unwrap()).unwrap();
    assert_eq!(data["order_id"], id.to_string());
    assert_eq!(
        holding(&run, &addr(&a), "BUSD-BD1"),
        (400 * 100_000_000, 600 * 100_000_000)
    );
    assert_eq!(acct(&run, &addr(&a)).await, (an, seq + 1));

    // The open-orders answer has the real API shape.
    let (status, body) = get(&run, &format!("/api/v1/orders/open?address={}", addr(&a))).await;
    assert_eq!(status, 200);
    assert_eq!(body["total"], 1);
    let o = &body["order"][0];
    assert_eq!(o["orderId"], id.to_string());
    assert_eq!(o["symbol"], "BNB_BUSD-BD1");
    assert_eq!(o["side"], 1);
    assert_eq!(o["price"], "300.00000000");
    assert_eq!(o["quantity"], "2.00000000");
    let typed = c.open_orders(&addr(&a)).await.unwrap();
    assert_eq!(typed.total, 1);
    assert_eq!(typed.order[0].order_id, id);

    // GET /api/v1/tx/{hash} finds the committed order, through the SDK too.
    let hash = dexlink::tx::TxHash::of(&tx);
    let info = c.tx(&hash).await.unwrap().expect("committed tx is found");
    assert_eq!(info.code, 0);
    assert_eq!(info.hash, Some(hash));
    assert!(info.height.unwrap() > 0);
    let (status, _) = get(
        &run,
        &format!("/api/v1/tx/{}", hash.to_string().to_lowercase()),
    )
    .await;
    assert_eq!(status, 200, "lookup is case-insensitive");
    assert!(
        c.tx(&"0".repeat(64).parse().unwrap())
            .await
            .unwrap()
            .is_none()
    );

    // Someone else cannot cancel it; an unknown order cannot be cancelled.
    let (bn, bseq) = acct(&run, &addr(&b)).await;
    reject(
        &run,
        &cancel_tx(&b, bn, bseq, "BNB_BUSD-BD1", &id),
        DEX_NO_ORDER,
        "Failed to find order",
    )
    .await;
    let ghost = OrderId::new(&addr(&a), 41).unwrap();
    reject(
        &run,
        &cancel_tx(&a, an, seq + 1, "BNB_BUSD-BD1", &ghost),
        DEX_NO_ORDER,
        "Failed to find order",
    )
    .await;
    // Nor on another symbol.
    reject(
        &run,
        &cancel_tx(&a, an, seq + 1, "NNB-338_BNB", &id),
        DEX_NO_ORDER,
        "Failed to find order",
    )
    .await;

    // The owner cancels: funds unlocked, order gone, sequence bumped.
    accept(&run, &cancel_tx(&a, an, seq + 1, "BNB_BUSD-BD1", &id)).await;
    assert_eq!(
        holding(&run, &addr(&a), "BUSD-BD1"),
        (1000 * 100_000_000, 0)
    );
    assert_eq!(c.open_orders(&addr(&a)).await.unwrap().total, 0);
    assert_eq!(acct(&run, &addr(&a)).await, (an, seq + 2));
    // A second cancel finds nothing.
    reject(
        &run,
        &cancel_tx(&a, an, seq + 2, "BNB_BUSD-BD1", &id),
        DEX_NO_ORDER,
        "Failed to find order",
    )
    .await;
    run.stop().await;
}

#[tokio::test]
async fn ioc_orders_release_at_once() {
    let run = start().await;
    let a = key(1);
    fund(&run, &addr(&a), "BNB", "10").await;
    let (an, seq) = acct(&run, &addr(&a)).await;
    accept(
        &run,
        &order_tx(
            &a,
            an,
            seq,
            "BNB_BUSD-BD1",
            Side::Sell,
            "300",
            "5",
            TimeInForce::Ioc,
        ),
    )
    .await;
    assert_eq!(holding(&run, &addr(&a), "BNB"), (10 * 100_000_000, 0));
    assert_eq!(client(&run).open_orders(&addr(&a)).await.unwrap().total, 0);
    assert_eq!(acct(&run, &addr(&a)).await, (an, seq + 1));
    run.stop().await;
}

#[tokio::test]
async fn a_committed_tx_cannot_be_replayed() {
    let run = start().await;
    let (a, b) = (key(1), key(2));
    fund(&run, &addr(&a), "BNB", "10").await;
    let (an, seq) = acct(&run, &addr(&a)).await;
    let tx = send_tx(&a, an, seq, &addr(&b), "BNB", "1");
    accept(&run, &tx).await;
    reject(&run, &tx, 65538, "Tx already exists in cache").await;
    // The decoder agrees with the node on what was committed.
    let decoded = SignedTx::decode(&tx, &dexlink::address::Hrp::testnet()).unwrap();
    assert_eq!(decoded.sequence(), seq);
    run.stop().await;
}
