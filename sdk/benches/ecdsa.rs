//! The ECDSA engine alone: signing and verifying a 32-byte digest, under whichever engine this
//! build has (the benchmark names say which).
//!
//! Run it once per engine and compare:
//!
//! ```sh
//! cargo bench -p dexlink --bench ecdsa                          # libsecp256k1 (default)
//! cargo bench -p dexlink --bench ecdsa --no-default-features    # k256 (pure Rust)
//! ```

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use dexlink::PrivateKey;

/// The engine this build signs with (the SDK's `libsecp256k1` feature).
const ENGINE: &str = if cfg!(feature = "libsecp256k1") {
    "libsecp256k1"
} else {
    "k256"
};

fn bench_ecdsa(c: &mut Criterion) {
    // Upstream V7 key (wallet-core / java-sdk); the digest is SHA-256 of a sign document.
    let sk =
        PrivateKey::from_hex("90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9")
            .expect("valid key");
    let pk = sk.public_key();
    let digest = dexlink::hash::sha256(
        br#"{"account_number":"34","chain_id":"Binance-Chain-Tigris","data":null,"memo":"","msgs":[],"sequence":"35","source":"0"}"#,
    );
    let sig = sk.sign_digest(&digest);

    c.bench_function(&format!("sign_digest ({ENGINE})"), |b| {
        b.iter(|| black_box(&sk).sign_digest(black_box(&digest)))
    });
    c.bench_function(&format!("verify_digest ({ENGINE})"), |b| {
        b.iter(|| black_box(&pk).verify_digest(black_box(&digest), black_box(&sig)))
    });
}

criterion_group!(benches, bench_ecdsa);
criterion_main!(benches);
