//! Time per committed request with a state file, at a few ledger sizes.
//!
//! `cargo run -p dexlink-devnet --example state_timing` (a debug build is fine: the point is
//! how the cost grows with the ledger, not the absolute figure). Each request is a faucet-like
//! credit plus one recorded transaction, committed through `Devnet::mutate`, so it includes
//! whatever the devnet does to make the change durable. Nothing here is asserted.

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
    println!("ledger size (orders + txs) | ms per committed request ({REQUESTS} requests)");
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
        let start = Instant::now();
        for r in 0..REQUESTS {
            d.mutate(|j| -> Result<(), String> {
                j.credit(&format!("tbnb1user{}", r % 20), "BNB", 1)?;
                let h = j.height + 1;
                j.set_height(h);
                j.insert_tx(tx(1_000_000 + r));
                Ok(())
            })
            .unwrap();
        }
        let per = start.elapsed().as_secs_f64() * 1000.0 / REQUESTS as f64;
        println!("{size:>6} + {size:<6} | {per:.2}");
        drop(d);
        run.stop().await;
    }
}
