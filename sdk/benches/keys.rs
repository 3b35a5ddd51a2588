//! Key benchmarks: signing, verification, addresses, HD derivation and BIP-39 seeds.
//!
//! Run with `cargo bench -p dexlink --bench keys`. Targets (one core): sign ≤ 25 µs,
//! verify ≤ 50 µs, address derivation from an account-level key ≤ 40 µs per index.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use dexlink::hd::{ExtendedPrivateKey, binance_path};
use dexlink::{AccountKey, Hrp, Mnemonic, Passphrase, PrivateKey};

const PHRASE: &str = "fragile duck lunch coyote cotton pole gym orange share muscle impulse mom pause isolate define oblige hungry sound stereo spider style river fun account";

fn bench_keys(c: &mut Criterion) {
    let sk =
        PrivateKey::from_hex("90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9")
            .expect("valid key");
    let pk = sk.public_key();
    let hrp = Hrp::new("bnb").expect("valid hrp");
    let msg = br#"{"account_number":"34","chain_id":"Binance-Chain-Tigris","data":null,"memo":"","msgs":[],"sequence":"35","source":"0"}"#;
    let sig = sk.sign(msg);

    c.bench_function("sign (sha256 + rfc6979 ecdsa)", |b| {
        b.iter(|| black_box(&sk).sign(black_box(msg)))
    });
    c.bench_function("verify", |b| {
        b.iter(|| black_box(&pk).verify(black_box(msg), black_box(&sig)))
    });
    c.bench_function("address from private key", |b| {
        b.iter(|| black_box(&sk).address(black_box(&hrp)))
    });

    let mnemonic = Mnemonic::parse(PHRASE).expect("valid mnemonic");
    let passphrase = Passphrase::empty();
    c.bench_function("mnemonic to seed (pbkdf2 x2048)", |b| {
        b.iter(|| black_box(&mnemonic).to_seed(black_box(&passphrase)))
    });

    let seed = mnemonic.to_seed(&passphrase);
    let mut i = 0u32;
    c.bench_function("derive m/44'/714'/0'/0/i from seed + address", |b| {
        b.iter(|| {
            i = (i + 1) % 1_000_000;
            let path = binance_path(0, i).expect("valid path");
            let key = ExtendedPrivateKey::derive_from_seed(black_box(seed.as_bytes()), &path)
                .expect("derivable");
            key.address(&hrp)
        })
    });

    let account = AccountKey::from_seed(&seed, 0).expect("derivable");
    let mut j = 0u32;
    c.bench_function("address from cached account key, per index", |b| {
        b.iter(|| {
            j = (j + 1) % 1_000_000;
            black_box(&account)
                .address(black_box(j), &hrp)
                .expect("derivable")
        })
    });
}

criterion_group!(benches, bench_keys);
criterion_main!(benches);
