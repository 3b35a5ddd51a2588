//! Building, signing and encoding one NewOrder (target: ≥ 40,000 signed orders/s on one core).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dexlink::tx::{LimitOrder, Side, TimeInForce};
use dexlink::{ChainId, Fixed8, Hrp, PrivateKey, UnsignedTx};

fn new_order(c: &mut Criterion) {
    // Key and values of docs/upstream-vectors.md §5 V10.
    let key =
        PrivateKey::from_hex("90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9")
            .unwrap();
    let sender = key.address(&Hrp::mainnet());
    let chain = ChainId::new("Binance-Chain-Tigris").unwrap();
    let price = Fixed8::parse("1.3635").unwrap();
    // V10's order at `sequence`, unsigned (what every build benchmark below builds).
    let v10_tx = |sequence: u64| {
        let order = LimitOrder {
            sender: sender.clone(),
            symbol: "NNB-338_BNB".into(),
            side: Side::Buy,
            price,
            quantity: Fixed8::ONE,
            time_in_force: TimeInForce::Gte,
        };
        UnsignedTx::new(chain.clone(), 12, sequence, order).unwrap()
    };
    let mut group = c.benchmark_group("tx");
    group.throughput(Throughput::Elements(1));
    let mut sequence = 35u64;
    group.bench_function("new_order_build_sign_encode", |b| {
        b.iter(|| {
            sequence += 1;
            black_box(v10_tx(sequence).sign(&key).unwrap().to_bytes())
        })
    });
    let tx = v10_tx(35);
    let sb = tx.sign_bytes();
    group.bench_function("sign_only", |b| {
        b.iter(|| black_box(key.sign(black_box(&sb))))
    });
    let signed = tx.sign(&key).unwrap();
    group.bench_function("sign_bytes_only", |b| b.iter(|| black_box(tx.sign_bytes())));
    group.bench_function("encode_only", |b| b.iter(|| black_box(signed.to_bytes())));
    group.bench_function("address_to_string", |b| {
        b.iter(|| black_box(sender.to_string()))
    });
    group.bench_function("public_key", |b| b.iter(|| black_box(key.public_key())));
    let pk = key.public_key();
    group.bench_function("pubkey_hash160", |b| b.iter(|| black_box(pk.hash160())));
    group.bench_function("build_only", |b| b.iter(|| black_box(v10_tx(35))));
    group.bench_function("tx_sign", |b| b.iter(|| black_box(tx.sign(&key).unwrap())));
    group.finish();
}

criterion_group!(benches, new_order);
criterion_main!(benches);
