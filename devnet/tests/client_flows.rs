//! The SDK client against the devnet: concurrent intents from one account, and a node restarted
//! from its state file.

use std::time::Duration;

use dexlink::client::{ClientConfig, DexClient, RetryPolicy, submit};
use dexlink::tx::{LimitOrder, Side, TimeInForce, UnsignedTx};
use dexlink::{Address, ChainId, Fixed8, Hrp, PrivateKey};
use dexlink_devnet::{DevnetConfig, spawn};

fn key() -> PrivateKey {
    // docs/upstream-vectors.md §2 V7.
    PrivateKey::from_hex("95949f757db1f57ca94a5dff23314accbe7abee89597bf6a3c7382c84d7eb832")
        .unwrap()
}

fn client(url: &str) -> DexClient {
    let cfg = ClientConfig {
        retry: RetryPolicy {
            max_retries: 3,
            base: Duration::from_millis(10),
            cap: Duration::from_millis(200),
        },
        ..ClientConfig::default()
    };
    DexClient::new(url, &cfg).unwrap()
}

/// Signed bytes of a GTE order buying 1 BNB for BUSD-BD1 at `price`.
fn buy_one_bnb(k: &PrivateKey, chain: &ChainId, acct: u64, seq: u64, price: &str) -> Vec<u8> {
    let o = LimitOrder {
        sender: k.address(&Hrp::testnet()),
        symbol: "BNB_BUSD-BD1".into(),
        side: Side::Buy,
        price: Fixed8::parse(price).unwrap(),
        quantity: Fixed8::parse("1").unwrap(),
        time_in_force: TimeInForce::Gte,
    };
    UnsignedTx::new(chain.clone(), acct, seq, o)
        .unwrap()
        .sign(k)
        .unwrap()
        .to_bytes()
}

async fn place(
    client: &DexClient,
    k: &PrivateKey,
    addr: &Address,
    chain: &ChainId,
    price: &str,
) -> u64 {
    let placed = submit(client, addr, |acct: u64, seq: u64| {
        Ok::<_, std::convert::Infallible>(buy_one_bnb(k, chain, acct, seq, price))
    })
    .await
    .expect("order placed");
    placed.sequence
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_orders_at_once_from_one_account_both_land() {
    let running = spawn(DevnetConfig::default()).await.unwrap();
    let url = running.base_url().to_string();
    let c = client(&url);
    let k = key();
    let addr = k.address(&Hrp::testnet());
    c.devnet_faucet(&addr, "BUSD-BD1", "1000").await.unwrap();
    let chain = c.chain_id().await.unwrap();
    // Both read sequence 0; one is refused with "Invalid sequence" and re-signed with 1.
    let (a, b) = tokio::join!(
        place(&c, &k, &addr, &chain, "300"),
        place(&c, &k, &addr, &chain, "301")
    );
    let mut seqs = [a, b];
    seqs.sort();
    assert_eq!(seqs, [0, 1], "consecutive sequences");
    assert_eq!(c.account(&addr).await.unwrap().sequence, 2);
    assert_eq!(c.open_orders(&addr).await.unwrap().total, 2);
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_from_state_and_carry_on() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("devnet.json");
    let config = DevnetConfig {
        state: Some(state.clone()),
        ..DevnetConfig::default()
    };
    let k = key();
    let addr = k.address(&Hrp::testnet());

    let first = spawn(config.clone()).await.unwrap();
    let c = client(first.base_url());
    c.devnet_faucet(&addr, "BUSD-BD1", "1000").await.unwrap();
    let chain = c.chain_id().await.unwrap();
    assert_eq!(place(&c, &k, &addr, &chain, "300").await, 0);
    first.stop().await;

    let second = spawn(config).await.unwrap();
    let c = client(second.base_url());
    let acct = c.account(&addr).await.unwrap();
    assert_eq!(acct.sequence, 1);
    assert_eq!(
        acct.balance("BUSD-BD1").unwrap().locked,
        Fixed8::parse("300").unwrap()
    );
    assert_eq!(c.open_orders(&addr).await.unwrap().total, 1);
    assert_eq!(place(&c, &k, &addr, &chain, "299").await, 1);
    assert_eq!(c.open_orders(&addr).await.unwrap().total, 2);
    // Atomic writes leave no temporary files beside the state.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, vec!["devnet.json".to_string()]);
    second.stop().await;
}

/// The same signed bytes broadcast twice (two identical commands at once): the node takes them
/// once, and the second broadcast reports the same transaction, flagged as already known.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_bytes_broadcast_twice_land_once_and_say_so() {
    let running = spawn(DevnetConfig::default()).await.unwrap();
    let c = client(running.base_url());
    let k = key();
    let addr = k.address(&Hrp::testnet());
    c.devnet_faucet(&addr, "BUSD-BD1", "1000").await.unwrap();
    let chain = c.chain_id().await.unwrap();
    let bytes = buy_one_bnb(&k, &chain, 0, 0, "300");
    let first = c.broadcast(&bytes).await.unwrap();
    assert!(first.ok && !first.already_known, "{first:?}");
    let second = c.broadcast(&bytes).await.unwrap();
    assert!(second.already_known, "{second:?}");
    assert_eq!(second.hash, first.hash);
    assert_eq!(c.account(&addr).await.unwrap().sequence, 1);
    assert_eq!(c.open_orders(&addr).await.unwrap().total, 1);
    running.stop().await;
}
