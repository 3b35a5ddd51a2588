//! A bounded load test of the devnet on loopback: 200 concurrent link flows (each its own key)
//! and 2,000 orders from 20 accounts (100 each, sequential per account, concurrent across
//! accounts). Nothing may be lost: every address linked, every account at sequence 100, 2,000
//! open orders with the expected ids, and locked balances equal to the sum of the resting orders.
//!
//! The assertions are on correctness only, never on speed. The figures are printed (stdout with
//! `cargo test -p dexlink-devnet --test load -- --nocapture`, and always on stderr):
//! * `links/s`, `orders/s`: completed flows per second of wall-clock time for that phase, client
//!   and server in one process on a shared machine (includes signing, HTTP on loopback, and the
//!   devnet's checks: decode, signature verification, ledger update);
//! * `broadcast p50/p99`: one `POST /api/v1/broadcast` round trip as the client sees it, with
//!   20 in flight at a time. It measures this machine's load as much as the devnet, so compare
//!   runs only on the same machine at the same load; debug builds are several times slower.
//!   `first 10` / `last 10` are the p50 of each account's first and last ten broadcasts: a
//!   large gap means the per-transaction cost grows with the ledger's size.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use dexlink::address::{ChainId, Hrp};
use dexlink::amount::Fixed8;
use dexlink::client::{ClientConfig, DexClient};
use dexlink::keys::PrivateKey;
use dexlink::link::LinkMessage;
use dexlink::tx::UnsignedTx;
use dexlink::tx::{LimitOrder, Msg, Side, TimeInForce};
use dexlink_devnet::DevnetConfig;
use tokio::task::JoinSet;

const LINKS: usize = 200;
const ACCOUNTS: usize = 20;
const ORDERS_PER_ACCOUNT: u64 = 100;
const SYMBOL: &str = "BNB_BUSD-BD1";

fn f8(s: &str) -> Fixed8 {
    Fixed8::parse(s).expect("valid amount")
}

/// The order an account places with `sequence`: even sequences sell 0.1 BNB at 300 + seq ticks
/// (locks 0.1 BNB), odd ones buy 0.1 BNB at 200 (locks 20 BUSD-BD1).
fn order_for(sequence: u64) -> (Side, Fixed8, Fixed8) {
    if sequence.is_multiple_of(2) {
        let price = f8("300").units() + sequence as i64 * 10_000;
        (Side::Sell, Fixed8::from_units(price).unwrap(), f8("0.1"))
    } else {
        (Side::Buy, f8("200"), f8("0.1"))
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn report(line: &str) {
    println!("{line}");
    eprintln!("{line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_and_orders_under_load_lose_nothing() {
    let running = dexlink_devnet::spawn(DevnetConfig::default())
        .await
        .expect("devnet starts");
    let client = DexClient::new(running.base_url(), &ClientConfig::default()).expect("client");
    let hrp = Hrp::new("tbnb").unwrap();
    let chain_id = ChainId::new(dexlink::address::TESTNET_CHAIN_ID).unwrap();

    // --- 200 concurrent link flows: challenge → sign → submit.
    let started = Instant::now();
    let mut flows = JoinSet::new();
    for _ in 0..LINKS {
        let client = client.clone();
        let hrp = hrp.clone();
        flows.spawn(async move {
            let key = PrivateKey::generate();
            let address = key.address(&hrp);
            let ch = client.link_challenge(&address).await.expect("challenge");
            let msg = LinkMessage::parse(&ch.message).expect("challenge message parses");
            assert_eq!(msg.address, address, "challenge for another address");
            let proof = msg.sign(&key).expect("sign");
            let accepted = client
                .link_submit(&ch.message, &proof.to_json())
                .await
                .expect("link accepted");
            assert_eq!(accepted.address, address);
            address
        });
    }
    let mut linked = Vec::with_capacity(LINKS);
    while let Some(r) = flows.join_next().await {
        linked.push(r.expect("link flow panicked"));
    }
    let link_secs = started.elapsed().as_secs_f64();
    assert_eq!(linked.len(), LINKS);
    assert_eq!(
        linked.iter().collect::<BTreeSet<_>>().len(),
        LINKS,
        "distinct keys"
    );
    for address in &linked {
        let status = client.link_status(address).await.expect("status");
        assert!(
            status.is_some_and(|s| s.linked && &s.address == address),
            "{address} is not reported linked"
        );
    }
    assert!(
        running.devnet.ledger().nonces.is_empty(),
        "every nonce used once"
    );

    // --- 20 funded accounts, 100 orders each: sequential per account, concurrent across them.
    let mut accounts = Vec::with_capacity(ACCOUNTS);
    for _ in 0..ACCOUNTS {
        let key = PrivateKey::generate();
        let address = key.address(&hrp);
        client.devnet_faucet(&address, "BNB", "100").await.unwrap();
        client
            .devnet_faucet(&address, "BUSD-BD1", "2000")
            .await
            .unwrap();
        accounts.push((key, address));
    }
    let started = Instant::now();
    let mut traders = JoinSet::new();
    for (key, address) in &accounts {
        let (key, address) = (key.clone_secret(), address.clone());
        let (client, chain_id) = (client.clone(), chain_id.clone());
        traders.spawn(async move {
            let account_number = client.account(&address).await.unwrap().account_number as u64;
            let mut latencies = Vec::with_capacity(ORDERS_PER_ACCOUNT as usize);
            for sequence in 0..ORDERS_PER_ACCOUNT {
                let (side, price, quantity) = order_for(sequence);
                let msg = LimitOrder {
                    sender: address.clone(),
                    symbol: SYMBOL.into(),
                    side,
                    price,
                    quantity,
                    time_in_force: TimeInForce::Gte,
                }
                .at_sequence(sequence)
                .unwrap();
                let bytes = UnsignedTx::new(
                    chain_id.clone(),
                    account_number,
                    sequence,
                    Msg::NewOrder(msg),
                )
                .and_then(|t| t.sign(&key))
                .unwrap()
                .to_bytes();
                let t = Instant::now();
                let r = client.broadcast(&bytes).await;
                latencies.push(t.elapsed());
                let r = r.unwrap_or_else(|e| panic!("{address} order {sequence}: {e}"));
                assert!(r.ok && r.code == 0, "{address} order {sequence}: {r:?}");
            }
            latencies
        });
    }
    let mut latencies = Vec::with_capacity(ACCOUNTS * ORDERS_PER_ACCOUNT as usize);
    // The first and last 10 broadcasts of every account: whether the cost grows with the ledger.
    let (mut early, mut late) = (Vec::new(), Vec::new());
    while let Some(r) = traders.join_next().await {
        let l = r.expect("trader panicked");
        early.extend_from_slice(&l[..10]);
        late.extend_from_slice(&l[l.len() - 10..]);
        latencies.extend(l);
    }
    let order_secs = started.elapsed().as_secs_f64();
    latencies.sort();
    early.sort();
    late.sort();

    // --- Nothing lost: sequences, open orders, locked funds.
    let per_account = ORDERS_PER_ACCOUNT as usize;
    let mut total_open = 0;
    for (_, address) in &accounts {
        let acct = client.account(address).await.unwrap();
        assert_eq!(acct.sequence, ORDERS_PER_ACCOUNT, "{address} sequence");
        let open = client.open_orders(address).await.unwrap();
        assert_eq!(open.total as usize, per_account, "{address} open orders");
        assert_eq!(open.order.len(), per_account);
        let ids: BTreeSet<String> = open.order.iter().map(|o| o.order_id.to_string()).collect();
        let expected: BTreeSet<String> = (1..=ORDERS_PER_ACCOUNT)
            .map(|n| format!("{}-{n}", address.to_upper_hex()))
            .collect();
        assert_eq!(ids, expected, "{address} order ids");
        total_open += open.order.len();

        // Locked = the sum over resting orders; free + locked = what the faucet gave.
        let (mut bnb_locked, mut busd_locked) = (0i64, 0i64);
        for o in &open.order {
            let (price, quantity) = (o.price.units(), o.quantity.units());
            match o.side {
                Side::Sell => bnb_locked += quantity,
                Side::Buy => {
                    busd_locked += (i128::from(price) * i128::from(quantity) / 100_000_000) as i64
                }
                s => panic!("side {s}"),
            }
        }
        assert_eq!(bnb_locked, f8("5").units(), "50 sells of 0.1 BNB");
        assert_eq!(busd_locked, f8("1000").units(), "50 buys of 0.1 at 200");
        for (asset, locked, funded) in [
            ("BNB", bnb_locked, f8("100").units()),
            ("BUSD-BD1", busd_locked, f8("2000").units()),
        ] {
            let b = acct.balance(asset).expect("holding");
            assert_eq!(b.locked.units(), locked, "{address} {asset} locked");
            assert_eq!(
                b.free.units() + b.locked.units(),
                funded,
                "{address} {asset} conserved"
            );
        }
    }
    assert_eq!(total_open, ACCOUNTS * per_account);
    {
        let l = running.devnet.ledger();
        assert_eq!(l.orders.len(), ACCOUNTS * per_account, "ledger orders");
        assert_eq!(l.txs.len(), ACCOUNTS * per_account, "ledger txs");
    }

    report(&format!(
        "load: {LINKS} link flows in {link_secs:.2} s ({:.0} links/s); {} orders from {ACCOUNTS} accounts in {order_secs:.2} s ({:.0} orders/s); broadcast round trip p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; p50 of each account's first 10 {:.2} ms, last 10 {:.2} ms",
        LINKS as f64 / link_secs,
        latencies.len(),
        latencies.len() as f64 / order_secs,
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().unwrap().as_secs_f64() * 1e3,
        percentile(&early, 0.50).as_secs_f64() * 1e3,
        percentile(&late, 0.50).as_secs_f64() * 1e3,
    ));
    running.stop().await;
}
