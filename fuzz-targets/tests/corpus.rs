//! Replays every kept fuzz corpus entry (`fuzz/corpus/<target>/*`) and every kept crash
//! reproducer (`fuzz/regressions/<target>/*`) through its target body, on stable. A panic here
//! is a regression of a parser on an input the fuzzer once found interesting.

use std::path::{Path, PathBuf};

use dexlink_fuzz_targets::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.map(|e| e.expect("read corpus entry").path()).collect(),
        Err(_) => Vec::new(),
    };
    v.retain(|p| p.is_file());
    v.sort();
    v
}

#[test]
fn every_target_has_a_seeded_corpus_and_it_replays() {
    let mut total = 0;
    for (name, body) in TARGETS {
        let corpus = entries(&fuzz_dir().join("corpus").join(name));
        assert!(!corpus.is_empty(), "fuzz/corpus/{name} is empty or missing");
        let regressions = entries(&fuzz_dir().join("regressions").join(name));
        for p in corpus.iter().chain(&regressions) {
            let data = std::fs::read(p).expect("read corpus file");
            let r = std::panic::catch_unwind(|| body(&data));
            assert!(r.is_ok(), "{name} panicked on {}", p.display());
            total += 1;
        }
    }
    assert!(total >= TARGETS.len());
}

#[test]
fn every_target_has_a_cargo_fuzz_entry_point() {
    for (name, _) in TARGETS {
        let p = fuzz_dir().join("fuzz_targets").join(format!("{name}.rs"));
        let src = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert!(
            src.contains(&format!("dexlink_fuzz_targets::{name}(")),
            "{} does not call dexlink_fuzz_targets::{name}",
            p.display()
        );
    }
}
