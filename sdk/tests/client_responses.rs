//! Typed DEX answers: a well-formed answer gives typed values (addresses, hashes, u64
//! sequences, Fixed8 amounts, order ids); a field that does not parse is a
//! `ClientError::Decode` naming the field, never a panic or a silently wrong value.

mod mock;

use axum::Router;
use axum::http::header;
use dexlink::address::Address;
use dexlink::amount::Fixed8;
use dexlink::client::{ClientError, DexClient};
use dexlink::tx::{OrderId, Side, TimeInForce, TxHash};
use mock::*;

// docs/upstream-vectors.md §2 V7 (key 90335b…) and §5 V10 (its order id and tx hash).
const V7_ADDRESS: &str = "bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu";
const V10_ORDER_ID: &str = "BA36F0FAD74D8F41045463E4774F328F4AF779E5-36";
const V10_HASH: &str = "0A46200587F4BC8C58BEC70BDCD31D956571372EE080D4AA93C4EF99CF063A15";

/// A DEX answering every request with `body` (HTTP 200, JSON).
async fn answering(body: &'static str) -> DexClient {
    let app = Router::new()
        .fallback(move || async move { ([(header::CONTENT_TYPE, "application/json")], body) });
    client(&serve(app).await, 2000, 0)
}

fn v7() -> Address {
    V7_ADDRESS.parse().unwrap()
}

/// The `reason` of a decode error, after checking that it is one.
fn decode_reason(e: ClientError) -> String {
    match e {
        ClientError::Decode { reason, .. } => reason,
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_well_formed_account_is_typed() {
    // Numbers as strings (as some servers send them) and as numbers both read as u64.
    let c = answering(
        r#"{"account_number":"12","address":"bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu",
            "balances":[{"symbol":"BNB","free":"1.36350000","locked":"0.00000001"}],
            "sequence":35,"flags":0}"#,
    )
    .await;
    let a = c.account(&v7()).await.unwrap();
    assert_eq!(a.account_number, 12u64);
    assert_eq!(a.sequence, 35u64);
    assert_eq!(a.address, v7());
    let bnb = a.balance("BNB").unwrap();
    assert_eq!(bnb.free, Fixed8::from_units(136_350_000).unwrap());
    assert_eq!(bnb.locked, Fixed8::from_units(1).unwrap());
    // An absent amount is zero.
    assert_eq!(bnb.frozen, Fixed8::ZERO);
}

#[tokio::test]
async fn a_negative_sequence_is_a_decode_error_naming_the_field() {
    let c = answering(
        r#"{"account_number":1,"address":"bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu","sequence":-1}"#,
    )
    .await;
    let e = c.account(&v7()).await.unwrap_err();
    assert_eq!(
        decode_reason(e),
        "field sequence: -1 is not a non-negative integer at line 1 column 89"
    );
}

#[tokio::test]
async fn a_sequence_beyond_int64_is_refused() {
    let c = answering(r#"{"sequence":"9223372036854775808"}"#).await;
    let e = c.sequence(&v7()).await.unwrap_err();
    assert_eq!(
        decode_reason(e),
        "field sequence: 9223372036854775808 is above the chain's int64 range at line 1 column 34"
    );
}

#[tokio::test]
async fn a_bad_address_is_a_decode_error_naming_the_field() {
    let c = answering(r#"{"account_number":1,"address":"bnb1xyz","sequence":0}"#).await;
    let e = c.account(&v7()).await.unwrap_err();
    assert_eq!(
        decode_reason(e),
        "field address: \"bnb1xyz\" does not parse: invalid address: bech32 data part is too short to hold a checksum at line 1 column 39"
    );
}

#[tokio::test]
async fn a_bad_balance_names_its_position() {
    let c = answering(
        r#"{"account_number":1,"address":"bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu","sequence":0,"balances":[{"symbol":"BNB","free":"1.123456789"}]}"#,
    )
    .await;
    let e = c.account(&v7()).await.unwrap_err();
    assert_eq!(
        decode_reason(e),
        "field balances[0].free: \"1.123456789\" does not parse: amount \"1.123456789\" has more than 8 decimals; Binance Chain amounts have at most 8 at line 1 column 137"
    );
}

#[tokio::test]
async fn open_orders_are_typed() {
    let c = answering(
        r#"{"order":[{"orderId":"BA36F0FAD74D8F41045463E4774F328F4AF779E5-36","symbol":"NNB-338_BNB",
            "owner":"bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu","side":1,"price":"1.36350000",
            "quantity":"1.00000000","cumulateQuantity":"0.00000000","timeInForce":1,"status":"Ack",
            "transactionHash":"0A46200587F4BC8C58BEC70BDCD31D956571372EE080D4AA93C4EF99CF063A15"}],
            "total":1}"#,
    )
    .await;
    let open = c.open_orders(&v7()).await.unwrap();
    assert_eq!(open.total, 1u64);
    let o = &open.order[0];
    assert_eq!(o.order_id, OrderId::parse(V10_ORDER_ID).unwrap());
    assert_eq!(o.owner, v7());
    assert_eq!(o.side, Side::Buy);
    assert_eq!(o.time_in_force, TimeInForce::Gte);
    assert_eq!(o.price, Fixed8::from_units(136_350_000).unwrap());
    assert_eq!(o.quantity, Fixed8::ONE);
    assert_eq!(
        o.transaction_hash,
        Some(V10_HASH.parse::<TxHash>().unwrap())
    );
}

#[tokio::test]
async fn a_bad_order_id_names_its_position() {
    let c = answering(
        r#"{"order":[{"orderId":"BA36-0","symbol":"NNB-338_BNB","owner":"bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu","side":1,"price":"1","quantity":"1","timeInForce":1}],"total":1}"#,
    )
    .await;
    let e = c.open_orders(&v7()).await.unwrap_err();
    assert_eq!(
        decode_reason(e),
        "field order[0].orderId: \"BA36-0\" does not parse: invalid order id \"BA36-0\": expected 40 uppercase hex characters, '-', and a sequence number >= 1 without leading zeros at line 1 column 29"
    );
}

#[tokio::test]
async fn an_unknown_side_code_names_its_position() {
    let c = answering(
        r#"{"order":[{"orderId":"BA36F0FAD74D8F41045463E4774F328F4AF779E5-36","symbol":"NNB-338_BNB","owner":"bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu","side":7,"price":"1","quantity":"1","timeInForce":1}],"total":1}"#,
    )
    .await;
    let e = c.open_orders(&v7()).await.unwrap_err();
    assert_eq!(
        decode_reason(e),
        "field order[0].side: invalid order side \"7\": use BUY (1) or SELL (2) at line 1 column 151"
    );
}

#[tokio::test]
async fn a_broadcast_answer_with_a_bad_hash_is_refused() {
    let c = answering(r#"[{"ok":true,"hash":"X","code":0,"log":"","data":""}]"#).await;
    let e = c.broadcast_once(b"any bytes").await.unwrap_err();
    assert_eq!(
        decode_reason(e),
        "field [0].hash: \"X\" does not parse: transaction is not valid hex at line 1 column 22"
    );
}
