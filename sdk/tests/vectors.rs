//! Runs every vector file under `test-vectors/` through the runner (dexlink-vectors).
//!
//! Fails on any failed or skipped vector (printing the runner's report), and pins each file's
//! vector count so that a file which silently loses vectors (a converter bug, a bad merge) fails
//! too. Adding a file means adding one line to [`EXPECTED_COUNTS`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Vector file (path relative to `test-vectors/`, `/`-separated) → number of vectors it must
/// hold. Sorted, one line per file.
const EXPECTED_COUNTS: &[(&str, usize)] = &[
    ("bech32-bip173.json", 44),
    ("binance-addresses.json", 75),
    ("binance-key-derivation.json", 14),
    ("binance-signatures.json", 4),
    ("binance-tx-invalid.json", 55),
    ("binance-tx-memo-escaping.json", 10),
    ("binance-tx.json", 28),
    ("bip32.json", 33),
    ("bip39-invalid.json", 16),
    ("bip39-trezor.json", 240),
    ("hd-invalid-paths.json", 11),
    ("js-sdk-sign.json", 200),
    ("js-sdk-tx.json", 300),
    ("keystore-binance.json", 19),
    ("keystore-web3.json", 14),
    ("link-proof-cosmjs.json", 100),
    ("link-proof-invalid.json", 39),
    ("rfc6979-secp256k1.json", 6),
    ("token-recover.json", 23),
    ("wycheproof-secp256k1-bitcoin.json", 463),
    ("wycheproof-secp256k1-p1363.json", 252),
];

fn vectors_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors");
    dir.canonicalize().unwrap_or(dir)
}

/// Differences between the files found (name → count) and [`EXPECTED_COUNTS`].
fn count_problems(found: &BTreeMap<String, usize>, dir: &Path) -> Vec<String> {
    let expected: BTreeMap<&str, usize> = EXPECTED_COUNTS.iter().copied().collect();
    let mut problems = Vec::new();
    for (name, &got) in found {
        match expected.get(name.as_str()) {
            None => problems.push(format!(
                "{name}: {got} vectors, but the file is not in EXPECTED_COUNTS (add a line)"
            )),
            Some(&want) if want != got => {
                problems.push(format!("{name}: expected {want} vectors, found {got}"));
            }
            Some(_) => {}
        }
    }
    for name in expected.keys() {
        if !found.contains_key(*name) {
            problems.push(format!(
                "{name}: listed in EXPECTED_COUNTS but missing from {}",
                dir.display()
            ));
        }
    }
    problems
}

#[test]
fn expected_counts_table_is_sorted_and_unique() {
    for pair in EXPECTED_COUNTS.windows(2) {
        assert!(
            pair[0].0 < pair[1].0,
            "EXPECTED_COUNTS must be sorted with unique names: {:?} then {:?}",
            pair[0].0,
            pair[1].0
        );
    }
}

#[test]
fn every_vector_file_passes_with_its_expected_count() {
    let dir = vectors_dir();
    let report = dexlink_vectors::run_paths(&[&dir])
        .unwrap_or_else(|e| panic!("cannot run the vectors under {}: {e}", dir.display()));

    let found: BTreeMap<String, usize> = report
        .files
        .iter()
        .map(|file| {
            let path = Path::new(&file.path);
            let rel = path.strip_prefix(&dir).unwrap_or(path);
            let name = rel.to_string_lossy().replace('\\', "/");
            (name, file.results.len())
        })
        .collect();
    let problems = count_problems(&found, &dir);

    let text = report.render_text();
    assert!(
        report.ok() && problems.is_empty(),
        "{}\n\nrunner report:\n{text}",
        if problems.is_empty() {
            "vectors failed or were skipped".to_string()
        } else {
            format!("vector counts differ:\n{}", problems.join("\n"))
        }
    );
}
