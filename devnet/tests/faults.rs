//! The client against the devnet's injected faults: a broadcast whose connection drops after
//! the node committed it is not placed twice, and rate limits are waited out.

mod common;

use std::time::{Duration, Instant};

use dexlink::client::{ClientConfig, ClientError, DexClient, RetryPolicy, submit};
use dexlink::tx::{LimitOrder, Side, TimeInForce, UnsignedTx};
use dexlink::{Fixed8, Hrp, PrivateKey};
use dexlink_devnet::faults::Faults;
use dexlink_devnet::{DevnetConfig, spawn};

fn key() -> PrivateKey {
    // docs/upstream-vectors.md §2 V7.
    PrivateKey::from_hex("90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9")
        .unwrap()
}

fn config() -> ClientConfig {
    ClientConfig {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_retries: 3,
            base: Duration::from_millis(10),
            cap: Duration::from_secs(2),
        },
        allow_insecure_loopback: true,
        ..ClientConfig::default()
    }
}

async fn set_faults(url: &str, f: &Faults) {
    let resp = common::http()
        .post(format!("{url}/devnet/faults"))
        .body(serde_json::to_string(f).unwrap())
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connection_after_commit_places_the_order_once() {
    let running = spawn(DevnetConfig::default()).await.unwrap();
    let url = running.base_url().to_string();
    let client = DexClient::new(&url, &config()).unwrap();
    let k = key();
    let addr = k.address(&Hrp::testnet());
    client
        .devnet_faucet(&addr, "BUSD-BD1", "1000")
        .await
        .unwrap();
    let chain = client.chain_id().await.unwrap();

    set_faults(
        &url,
        &Faults {
            drop_after_commit: 1,
            ..Faults::default()
        },
    )
    .await;
    let mut signed = 0;
    let placed = submit(&client, &addr, |acct: u64, seq: u64| {
        signed += 1;
        let o = LimitOrder {
            sender: addr.clone(),
            symbol: "BNB_BUSD-BD1".into(),
            side: Side::Buy,
            price: Fixed8::parse("300").unwrap(),
            quantity: Fixed8::parse("1").unwrap(),
            time_in_force: TimeInForce::Gte,
        };
        UnsignedTx::new(chain.clone(), acct, seq, o)
            .and_then(|t| t.sign(&k))
            .map(|s| s.to_bytes())
    })
    .await
    .expect("the client recovers by looking the hash up");
    assert_eq!(signed, 1, "the intent was signed once");
    assert_eq!(placed.sequence, 0);
    // The id the chain gives the order: HEX(sender)-(sequence + 1).
    assert_eq!(
        placed.order_id().map(|id| id.to_string()),
        Some(format!("{}-1", addr.to_upper_hex()))
    );
    let account = client.account(&addr).await.unwrap();
    assert_eq!(account.sequence, 1, "exactly one transaction landed");
    let open = client.open_orders(&addr).await.unwrap();
    assert_eq!(open.total, 1, "exactly one order rests on the book");
    assert!(client.tx(&placed.hash).await.unwrap().is_some());
    // The fault did fire: the node no longer has a drop pending.
    let pending: Faults = common::http()
        .get(format!("{url}/devnet/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pending.drop_after_commit, 0);
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_honoured_and_persistent_errors_surface() {
    let running = spawn(DevnetConfig::default()).await.unwrap();
    let url = running.base_url().to_string();
    let client = DexClient::new(&url, &config()).unwrap();

    set_faults(
        &url,
        &Faults {
            fail_status: Some(429),
            fail_count: 1,
            retry_after: Some(1),
            ..Faults::default()
        },
    )
    .await;
    let start = Instant::now();
    assert_eq!(
        client.chain_id().await.unwrap().as_str(),
        "Binance-Chain-Ganges"
    );
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        start.elapsed()
    );

    // More failures than retries: the error reaches the caller, named.
    set_faults(
        &url,
        &Faults {
            fail_status: Some(503),
            fail_count: 10,
            ..Faults::default()
        },
    )
    .await;
    match client.chain_id().await {
        Err(ClientError::RateLimited { status: 503, .. }) => {}
        other => panic!("expected RateLimited, got {other:?}"),
    }
    set_faults(
        &url,
        &Faults {
            fail_status: Some(500),
            fail_count: 10,
            ..Faults::default()
        },
    )
    .await;
    match client.chain_id().await {
        Err(ClientError::Http { status: 500, .. }) => {}
        other => panic!("expected HTTP 500, got {other:?}"),
    }
    set_faults(&url, &Faults::default()).await;
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_node_times_out() {
    let running = spawn(DevnetConfig::default()).await.unwrap();
    let url = running.base_url().to_string();
    set_faults(
        &url,
        &Faults {
            delay_ms: 1500,
            ..Faults::default()
        },
    )
    .await;
    let mut cfg = config();
    cfg.timeout = Duration::from_millis(300);
    cfg.retry.max_retries = 1;
    let client = DexClient::new(&url, &cfg).unwrap();
    match client.chain_id().await {
        Err(ClientError::Timeout(_)) => {}
        other => panic!("expected Timeout, got {other:?}"),
    }
    set_faults(&url, &Faults::default()).await;
    running.stop().await;
}
