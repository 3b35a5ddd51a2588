//! Time per committed request with a state file, at a few ledger sizes.
//!
//! `cargo run -p dexlink-devnet --example state_timing` (a debug build is fine: the point is
//! how the cost grows with the ledger, not the absolute figure). Each request is a faucet-like
//! credit plus one recorded transaction, committed through `Devnet::mutate`, so it includes
//! whatever the devnet does to make the change durable. It also times one full snapshot (what
//! a log compaction writes) and how many requests apart compactions come, to show the
//! amortised share. Nothing here is asserted.

use std::time::Instant;

use dexlink_devnet::state::{RestingOrder, TxRecord};
use dexlink_devnet::{DevnetConfig, spawn};

fn order(i: usize) -> RestingOrder {
    RestingOrder {
        order_id: format!("{:040X}-{i}", i),
        symbol: "BNB_BUSD-BD1".into(),
        owner: format!("tbnb1owner{}", i % 50),
        side: 2,
        price: 30_000_000_000,
        quantity: 100_000_000,
        time_in_force: 1,
        locked_asset: "BNB".into(),
        locked_amount: 100_000_000,
        tx_hash: format!("{:064X}", i),
        height: i as i64,
        ..RestingOrder::default()
    }
}

fn tx(i: usize) -> TxRecord {
    TxRecord {
        hash: format!("{:064X}", i),
        height: i as i64,
        code: 0,
        log: "Msg 0: ".into(),
        // About the size of a signed order.
        tx_hex: "AB".repeat(200),
        tx: serde_json::json!({"msg": [{"sender": format!("tbnb1owner{}", i % 50), "id": i}]}),
    }
}

#[tokio::main]
async fn main() {
    const REQUESTS: usize = 200;
    println!(
        "ledger size (orders + txs) | ms per committed request ({REQUESTS} requests) \
         | one full snapshot: ms, KiB | requests between compactions | snapshot ms amortised"
    );
    for size in [0usize, 500, 2_000, 8_000] {
        let dir = tempfile::tempdir().unwrap();
        let run = spawn(DevnetConfig {
            state: Some(dir.path().join("state.json")),
            ..DevnetConfig::default()
        })
        .await
        .unwrap();
        let d = run.devnet.clone();
        d.mutate(|j| -> Result<(), String> {
            for i in 0..size {
                j.insert_order(order(i));
                j.insert_tx(tx(i));
            }
            Ok(())
        })
        .unwrap();
        let state = dir.path().join("state.json");
        let file_len = || std::fs::metadata(&state).unwrap().len();
        let (mut grown, mut appends, mut elapsed) = (0u64, 0u64, 0f64);
        for r in 0..REQUESTS {
            let before = file_len();
            let start = Instant::now();
            d.mutate(|j| -> Result<(), String> {
                j.credit(&format!("tbnb1user{}", r % 20), "BNB", 1)?;
                let h = j.height + 1;
                j.set_height(h);
                j.insert_tx(tx(1_000_000 + r));
                Ok(())
            })
            .unwrap();
            elapsed += start.elapsed().as_secs_f64();
            // A shorter file means the request compacted the log; otherwise it appended a line.
            if let Some(g) = file_len().checked_sub(before) {
                grown += g;
                appends += 1;
            }
        }
        let per = elapsed * 1000.0 / REQUESTS as f64;
        // What a compaction costs: one snapshot of the ledger as it now is, written aside.
        let aside = dir.path().join("aside.json");
        let t = Instant::now();
        d.ledger().save(&aside).unwrap();
        let snap_ms = t.elapsed().as_secs_f64() * 1000.0;
        let snap_len = std::fs::metadata(&aside).unwrap().len();
        // The log is compacted once it outgrows the snapshot (and 64 KiB).
        let line = grown / appends.max(1);
        let every = snap_len.max(dexlink_devnet::statelog::DEFAULT_COMPACT_MIN) / line.max(1);
        println!(
            "{size:>6} + {size:<6} | {per:.2} | {snap_ms:.1}, {} | {every} | {:.3}",
            snap_len / 1024,
            snap_ms / every.max(1) as f64
        );
        drop(d);
        run.stop().await;
    }
}
