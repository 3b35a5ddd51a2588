//! Shared helpers for the devnet integration tests: a devnet per test, deterministic keys, and
//! transactions signed with the SDK.
#![allow(dead_code)]

use std::sync::OnceLock;
use std::time::Duration;

use dexlink::address::{Address, ChainId, Hrp};
use dexlink::amount::Fixed8;
use dexlink::client::{ClientConfig, DexClient, RetryPolicy};
use dexlink::tx::{
    CancelOrder, Coin, LimitOrder, Msg, NewOrder, OrderId, Send, SendEntry, Side, TimeInForce,
};
use dexlink::{PrivateKey, UnsignedTx};
use dexlink_devnet::state::Ledger;
use dexlink_devnet::{DevnetConfig, Running};
use serde_json::Value;

pub const CHAIN: &str = "Binance-Chain-Ganges";

/// A deterministic test key (never a real one).
pub fn key(n: u8) -> PrivateKey {
    PrivateKey::from_bytes(&[n; 32]).expect("valid scalar")
}

pub fn addr(k: &PrivateKey) -> Address {
    k.address(&Hrp::testnet())
}

pub fn chain() -> ChainId {
    ChainId::new(CHAIN).unwrap()
}

pub fn units(s: &str) -> Fixed8 {
    Fixed8::parse(s).unwrap()
}

/// A devnet with a block after each transaction and no DEX fees: the tests written before
/// blocks and fees existed check balances to the unit right after each broadcast.
pub async fn start() -> Running {
    dexlink_devnet::spawn(DevnetConfig {
        fees: dexlink_devnet::FeeConfig::zero(),
        ..DevnetConfig::default()
    })
    .await
    .unwrap()
}

pub fn client(run: &Running) -> DexClient {
    DexClient::new(
        run.base_url(),
        &ClientConfig {
            retry: RetryPolicy::none(),
            timeout: Duration::from_secs(5),
            ..ClientConfig::default()
        },
    )
    .unwrap()
}

/// A plain HTTP client for requests the SDK client would refuse to build.
pub fn http() -> &'static reqwest::Client {
    static C: OnceLock<reqwest::Client> = OnceLock::new();
    C.get_or_init(plain_http_client)
}

/// A new reqwest client for the devnet's `http://` loopback URLs. reqwest is built without a
/// default rustls provider (the SDK names *ring* itself), so `reqwest::Client::new()` would
/// panic: this one gets a TLS config of its own that trusts no certificate, as it never does TLS.
pub fn plain_http_client() -> reqwest::Client {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports TLS 1.2 and 1.3")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()
        .expect("a plain HTTP client builds")
}

pub fn snapshot(run: &Running) -> Ledger {
    run.devnet.ledger().clone()
}

pub async fn fund(run: &Running, who: &Address, asset: &str, amount: &str) {
    client(run).devnet_faucet(who, asset, amount).await.unwrap();
}

/// (account number, sequence) as the node reports them.
pub async fn acct(run: &Running, who: &Address) -> (u64, u64) {
    let a = client(run).account(who).await.unwrap();
    (a.account_number as u64, a.sequence as u64)
}

pub fn sign(k: &PrivateKey, chain: &ChainId, an: u64, seq: u64, msg: Msg) -> Vec<u8> {
    UnsignedTx::new(chain.clone(), an, seq, msg)
        .unwrap()
        .sign(k)
        .unwrap()
        .to_bytes()
}

pub fn send_msg(from: &Address, to: &Address, denom: &str, amount: &str) -> Msg {
    Msg::Send(
        Send::from_outputs(
            from.clone(),
            vec![SendEntry::new(
                to.clone(),
                vec![Coin::new(denom, units(amount))],
            )],
        )
        .unwrap(),
    )
}

pub fn send_tx(
    k: &PrivateKey,
    an: u64,
    seq: u64,
    to: &Address,
    denom: &str,
    amount: &str,
) -> Vec<u8> {
    sign(k, &chain(), an, seq, send_msg(&addr(k), to, denom, amount))
}

pub fn order_msg(
    k: &PrivateKey,
    seq: u64,
    symbol: &str,
    side: Side,
    price: &str,
    qty: &str,
    tif: TimeInForce,
) -> NewOrder {
    LimitOrder {
        sender: addr(k),
        symbol: symbol.into(),
        side,
        price: units(price),
        quantity: units(qty),
        time_in_force: tif,
    }
    .at_sequence(seq)
    .unwrap()
}

#[allow(clippy::too_many_arguments)]
pub fn order_tx(
    k: &PrivateKey,
    an: u64,
    seq: u64,
    symbol: &str,
    side: Side,
    price: &str,
    qty: &str,
    tif: TimeInForce,
) -> Vec<u8> {
    let m = order_msg(k, seq, symbol, side, price, qty, tif);
    sign(k, &chain(), an, seq, Msg::NewOrder(m))
}

pub fn cancel_tx(k: &PrivateKey, an: u64, seq: u64, symbol: &str, id: &OrderId) -> Vec<u8> {
    let m = CancelOrder::new(addr(k), symbol, *id).unwrap();
    sign(k, &chain(), an, seq, Msg::CancelOrder(m))
}

/// Sends `request`; returns the status and the JSON body (Null if not JSON).
async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Posts a raw broadcast body; returns the status and the JSON body (Null if not JSON).
pub async fn post(run: &Running, path: &str, body: impl Into<reqwest::Body>) -> (u16, Value) {
    let request = http()
        .post(format!("{}{path}", run.base_url()))
        .header("content-type", "text/plain")
        .body(body);
    answer(request).await
}

pub async fn broadcast(run: &Running, tx: &[u8]) -> (u16, Value) {
    post(run, "/api/v1/broadcast?sync=true", hex::encode(tx)).await
}

/// GETs `path`; returns the status and the JSON body (Null if not JSON).
pub async fn get(run: &Running, path: &str) -> (u16, Value) {
    answer(http().get(format!("{}{path}", run.base_url()))).await
}

/// Asserts a broadcast accepted and returns its result object.
pub async fn accept(run: &Running, tx: &[u8]) -> Value {
    let (status, body) = broadcast(run, tx).await;
    assert_eq!(status, 200, "expected acceptance, got {body}");
    assert_eq!(body[0]["code"], 0, "{body}");
    assert_eq!(body[0]["ok"], true, "{body}");
    body[0].clone()
}

/// Broadcasts `tx`, asserts it is rejected with `abci_code` and a message containing `needle`,
/// and that the ledger did not change.
pub async fn reject(run: &Running, tx: &[u8], abci_code: u64, needle: &str) {
    let before = snapshot(run);
    let (status, body) = broadcast(run, tx).await;
    assert_eq!(status, 400, "expected rejection, got {body}");
    assert_eq!(body["code"], abci_code, "{body}");
    let log: Value = serde_json::from_str(body["message"].as_str().unwrap()).unwrap();
    assert_eq!(log["abci_code"], abci_code, "{log}");
    let message = log["message"].as_str().unwrap();
    assert!(
        message.contains(needle),
        "message {message:?} lacks {needle:?}"
    );
    assert_eq!(snapshot(run), before, "a rejected tx changed the ledger");
}

/// Free and locked units of `asset` held by `who`.
pub fn holding(run: &Running, who: &Address, asset: &str) -> (i64, i64) {
    let l = run.devnet.ledger();
    l.accounts
        .get(&who.to_string())
        .and_then(|a| a.balances.get(asset))
        .map_or((0, 0), |h| (h.free, h.locked))
}
