//! Builds, signs and encodes the fixed order set of `sdk/benches/compare-js.sh`, timing it, so
//! that dexlink and the official JS SDK can be compared on identical transactions.
//!
//! `cargo run --release -p dexlink --example bench_orders -- --count 10000` prints
//! `orders/s: R` and `digest: D` (SHA-256 over the concatenated tx bytes of all orders).

use std::time::Instant;

use dexlink::tx::{LimitOrder, Side, TimeInForce, UnsignedTx};
use dexlink::{ChainId, Fixed8, Hrp, PrivateKey};
use sha2::{Digest, Sha256};

const KEY: &str = "90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9";

fn order_bytes(key: &PrivateKey, chain: &ChainId, i: u64) -> Vec<u8> {
    let sender = key.address(&Hrp::mainnet());
    let side = if i.is_multiple_of(2) {
        Side::Buy
    } else {
        Side::Sell
    };
    let tif = if i % 2 == 1 {
        TimeInForce::Ioc
    } else {
        TimeInForce::Gte
    };
    let price = Fixed8::from_units(100_000_000 + i as i64).expect("in range");
    let quantity = Fixed8::from_units(100_000_000 * (1 + (i % 100) as i64)).expect("in range");
    let order = LimitOrder {
        sender,
        symbol: "NNB-338_BNB".into(),
        side,
        price,
        quantity,
        time_in_force: tif,
    };
    UnsignedTx::new(chain.clone(), 12, i, order)
        .and_then(|t| t.sign(key))
        .expect("signable")
        .to_bytes()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let count: u64 = args
        .iter()
        .position(|a| a == "--count")
        .and_then(|i| args.get(i + 1))
        .map(|s| s.parse().expect("--count N"))
        .unwrap_or(10_000);
    let key = PrivateKey::from_hex(KEY).expect("valid key");
    let chain = ChainId::new("Binance-Chain-Tigris").expect("valid chain id");
    // Warm-up, as the JS side does.
    for i in 0..count.min(1000) {
        std::hint::black_box(order_bytes(&key, &chain, i));
    }
    let mut digest = Sha256::new();
    let start = Instant::now();
    for i in 0..count {
        digest.update(order_bytes(&key, &chain, i));
    }
    let secs = start.elapsed().as_secs_f64();
    println!("orders: {count} in {secs:.3} s");
    println!("orders/s: {:.1}", count as f64 / secs);
    println!("digest: {}", hex::encode(digest.finalize()));
}
