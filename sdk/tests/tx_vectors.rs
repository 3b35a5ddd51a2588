//! Runs the transaction vector files through the runner (dexlink-vectors); every vector must pass.

use std::path::PathBuf;

fn run(name: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../test-vectors")
        .join(name);
    let report = dexlink_vectors::run_paths(&[&path]).expect("vector file loads");
    let (passed, _, _) = report.counts();
    assert!(report.ok(), "{}", report.render_text());
    assert!(passed > 0, "{name} has no vectors");
}

#[test]
fn binance_tx() {
    run("binance-tx.json");
}

#[test]
fn binance_tx_memo_escaping() {
    run("binance-tx-memo-escaping.json");
}

#[test]
fn binance_tx_invalid() {
    run("binance-tx-invalid.json");
}
