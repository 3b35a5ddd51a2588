//! Keystore unlock times: what a user waits for once per command. Run with
//! `cargo bench -p dexlink --bench keystore`. Each decrypt is a full KDF run, so few samples.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use dexlink::keystore::{Password, ScryptParams, decrypt, encrypt_binance, encrypt_web3};
use dexlink::{Hrp, PrivateKey};

fn bench_keystore(c: &mut Criterion) {
    let key =
        PrivateKey::from_hex("90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9")
            .expect("valid key");
    let password = Password::from_str_copy("correct horse battery staple");
    let web3 = encrypt_web3(&key, &password, ScryptParams::STANDARD);
    let binance = encrypt_binance(&key, &password, Some(&Hrp::new("bnb").expect("valid hrp")));

    let mut g = c.benchmark_group("keystore");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("unlock web3 v3, scrypt 2^18 r=8 p=1 (our default)", |b| {
        b.iter(|| decrypt(black_box(&web3), &password).expect("decrypts"))
    });
    g.bench_function("unlock binance v1, pbkdf2-sha256 c=262144", |b| {
        b.iter(|| decrypt(black_box(&binance), &password).expect("decrypts"))
    });
    g.finish();
}

criterion_group!(benches, bench_keystore);
criterion_main!(benches);
