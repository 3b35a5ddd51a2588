//! Runs the keystore vector files through the vector runner (dexlink-vectors).

use std::path::Path;

fn run(name: &str, expected: usize) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../test-vectors")
        .join(name);
    let report = dexlink_vectors::run_file(&path).unwrap();
    let (p, f, s) = report.counts();
    let text = dexlink_vectors::Report {
        files: vec![report],
    }
    .render_text();
    assert_eq!((p, f, s), (expected, 0, 0), "{text}");
}

#[test]
fn keystore_binance_vectors() {
    run("keystore-binance.json", 19);
}

#[test]
fn keystore_web3_vectors() {
    run("keystore-web3.json", 14);
}
