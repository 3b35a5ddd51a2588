//! Concurrency and persistence: one winner per sequence, conserved balances under concurrent
//! faucet calls and sends, and `--state` restarts with the same ledger.

mod common;

use std::collections::BTreeSet;

use common::*;
use dexlink::tx::{Side, TimeInForce};
use dexlink_devnet::DevnetConfig;
use dexlink_devnet::state::Ledger;

fn total(l: &Ledger, asset: &str) -> i64 {
    l.accounts
        .values()
        .filter_map(|a| a.balances.get(asset))
        .map(|h| h.free + h.locked + h.frozen)
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_winner_among_txs_with_the_same_sequence() {
    let run = start().await;
    let a = key(1);
    fund(&run, &addr(&a), "BNB", "100").await;
    let (an, seq) = acct(&run, &addr(&a)).await;
    let txs: Vec<Vec<u8>> = (1..=24u8)
        .map(|i| send_tx(&a, an, seq, &addr(&key(i + 1)), "BNB", &i.to_string()))
        .collect();
    assert_eq!(
        txs.iter().collect::<BTreeSet<_>>().len(),
        24,
        "distinct txs"
    );
    let base = run.base_url().to_string();
    let tasks: Vec<_> = txs
        .into_iter()
        .map(|tx| {
            let base = base.clone();
            tokio::spawn(async move {
                let r = http()
                    .post(format!("{base}/api/v1/broadcast?sync=true"))
                    .body(hex::encode(&tx))
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                (status, r.text().await.unwrap())
            })
        })
        .collect();
    let mut accepted = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            200 => accepted += 1,
            400 => assert!(
                body.contains("Invalid sequence. Got 0, expected 1"),
                "{body}"
            ),
            s => panic!("status {s}: {body}"),
        }
    }
    assert_eq!(accepted, 1);
    assert_eq!(acct(&run, &addr(&a)).await, (an, seq + 1));
    let l = snapshot(&run);
    assert_eq!(l.txs.len(), 1);
    assert_eq!(total(&l, "BNB"), 100 * 100_000_000);
    run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_faucet_and_sends_conserve_balances() {
    let run = std::sync::Arc::new(start().await);
    let senders: Vec<u8> = (1..=4).collect();
    for &s in &senders {
        fund(&run, &addr(&key(s)), "BNB", "100").await;
    }
    let mut tasks = Vec::new();
    for &s in &senders {
        let run = run.clone();
        tasks.push(tokio::spawn(async move {
            let k = key(s);
            let (an, _) = acct(&run, &addr(&k)).await;
            for seq in 0..6u64 {
                let to = addr(&key(((s as u64 + seq) % 4 + 1) as u8 + 10 * (seq % 2) as u8));
                accept(&run, &send_tx(&k, an, seq, &to, "BNB", "1.5")).await;
            }
        }));
    }
    for i in 0..20u8 {
        let run = run.clone();
        tasks.push(tokio::spawn(async move {
            fund(&run, &addr(&key(1 + i % 8)), "BNB", "0.25").await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let l = snapshot(&run);
    assert_eq!(total(&l, "BNB"), 400 * 100_000_000 + 20 * 25_000_000);
    for &s in &senders {
        assert_eq!(l.accounts[&addr(&key(s)).to_string()].sequence, 6);
    }
    assert!(
        l.accounts
            .values()
            .flat_map(|a| a.balances.values())
            .all(|h| h.free >= 0)
    );
    assert_eq!(l.txs.len(), 24);
    match std::sync::Arc::try_unwrap(run) {
        Ok(run) => run.stop().await,
        Err(_) => panic!("tasks still hold the devnet"),
    }
}

#[tokio::test]
async fn state_file_restart_gives_the_same_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let config = DevnetConfig {
        state: Some(path.clone()),
        ..DevnetConfig::default()
    };
    let run = dexlink_devnet::spawn(config.clone()).await.unwrap();
    let (a, b) = (key(1), key(2));
    fund(&run, &addr(&a), "BNB", "10").await;
    let (an, seq) = acct(&run, &addr(&a)).await;
    accept(&run, &send_tx(&a, an, seq, &addr(&b), "BNB", "1")).await;
    // Every committed change is on disk, complete, at once.
    assert_eq!(Ledger::load(&path).unwrap(), snapshot(&run));
    let order = order_tx(
        &a,
        an,
        seq + 1,
        "BNB_BUSD-BD1",
        Side::Sell,
        "300",
        "2",
        TimeInForce::Gte,
    );
    accept(&run, &order).await;
    assert_eq!(Ledger::load(&path).unwrap(), snapshot(&run));
    // A rejected tx does not touch the file.
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    reject(
        &run,
        &send_tx(&a, an, 0, &addr(&b), "BNB", "2"),
        65539,
        "Invalid sequence",
    )
    .await;
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), mtime);
    let before = snapshot(&run);
    run.stop().await;

    // No temporary files are left next to the state file.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["state.json"]);

    // A restart (another port) reloads the same ledger and continues from it.
    let run = dexlink_devnet::spawn(config).await.unwrap();
    assert_eq!(snapshot(&run), before);
    assert_eq!(acct(&run, &addr(&a)).await, (an, seq + 2));
    assert_eq!(client(&run).open_orders(&addr(&a)).await.unwrap().total, 1);
    accept(&run, &send_tx(&a, an, seq + 2, &addr(&b), "BNB", "1")).await;
    assert_eq!(holding(&run, &addr(&b), "BNB"), (200_000_000, 0));
    run.stop().await;
}

#[tokio::test]
async fn a_corrupt_state_file_is_an_error_not_a_reset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, "{ not json").unwrap();
    let config = DevnetConfig {
        state: Some(path.clone()),
        ..DevnetConfig::default()
    };
    let err = match dexlink_devnet::spawn(config).await {
        Ok(_) => panic!("a corrupt state file was accepted"),
        Err(e) => e,
    };
    assert!(
        matches!(err, dexlink_devnet::DevnetError::State { .. }),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ not json");
}
