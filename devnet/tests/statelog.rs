//! The state file as a snapshot plus a log of committed requests: every acknowledged request is
//! on disk, a restart replays the log exactly, a write cut short is ignored, other damage is an
//! error naming the line, the log is compacted, and a failed write rolls the request back.

use std::path::{Path, PathBuf};

use dexlink_devnet::state::{IssuedNonce, Ledger, LinkRecord, RestingOrder, TxRecord};
use dexlink_devnet::{DevnetConfig, DevnetError, Running, spawn, statelog};

fn config(path: &Path) -> DevnetConfig {
    DevnetConfig {
        state: Some(path.to_path_buf()),
        ..DevnetConfig::default()
    }
}

fn memory(run: &Running) -> Ledger {
    run.devnet.ledger().clone()
}

fn order(i: usize) -> RestingOrder {
    RestingOrder {
        order_id: format!("ORDER-{i}"),
        symbol: "BNB_BUSD-BD1".into(),
        owner: format!("tbnb1user{}", i % 7),
        side: 1 + (i % 2) as i64,
        price: 1_000 * i as i64,
        quantity: 100_000_000,
        time_in_force: 1,
        locked_asset: "BNB".into(),
        locked_amount: i as i64,
        tx_hash: format!("{i:064X}"),
        height: i as i64,
    }
}

fn tx(i: usize) -> TxRecord {
    TxRecord {
        hash: format!("{i:064X}"),
        height: i as i64,
        code: 0,
        log: "Msg 0: \"quoted\"\nand a newline".into(),
        tx_hex: "CD".repeat(150),
        tx: serde_json::json!({"i": i, "memo": "é ✓"}),
    }
}

/// Request `i`: touches every kind of entry, removes some, and sometimes changes nothing.
fn request(run: &Running, i: usize) {
    run.devnet
        .mutate(|j| -> Result<(), String> {
            if i % 11 == 10 {
                return Ok(()); // a no-op request
            }
            j.credit(&format!("tbnb1user{}", i % 7), "BNB", 1 + i as i64)?;
            j.set_height(j.height + 1);
            j.insert_order(order(i));
            if i.is_multiple_of(3) && i > 0 {
                j.remove_order(&format!("ORDER-{}", i - 1));
            }
            j.insert_tx(tx(i));
            if let Some(a) = j.account_mut(&format!("tbnb1user{}", i % 5)) {
                a.sequence += 1;
                a.public_key = Some(format!("02{i:064x}"));
            }
            j.insert_nonce(
                &format!("nonce-{i}"),
                IssuedNonce {
                    address: "tbnb1user0".into(),
                    expires: i as i64,
                },
            );
            j.drop_expired_nonces(i as i64 - 3);
            j.insert_link(
                &format!("tbnb1user{}", i % 4),
                LinkRecord {
                    linked_at: format!("t{i}"),
                    expires_at: format!("t{}", i + 1),
                },
            );
            Ok(())
        })
        .unwrap();
}

async fn started_with_requests(n: usize) -> (tempfile::TempDir, PathBuf, Running) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let run = spawn(config(&path)).await.unwrap();
    for i in 0..n {
        request(&run, i);
    }
    (dir, path, run)
}

#[tokio::test]
async fn a_restart_after_many_requests_replays_the_log_exactly() {
    let (_dir, path, run) = started_with_requests(60).await;
    let loaded = statelog::load(&path).unwrap();
    assert!(loaded.records > 0, "nothing was logged");
    assert!(!loaded.torn_tail);
    let before = memory(&run);
    assert_eq!(loaded.ledger, before);
    assert!(before.orders.len() > 30 && before.nonces.len() < 10);
    run.stop().await;

    let run = spawn(config(&path)).await.unwrap();
    assert_eq!(memory(&run), before);
    // Starting compacted the log into the snapshot.
    assert_eq!(statelog::load(&path).unwrap().records, 0);
    assert_eq!(Ledger::load(&path).unwrap(), before);
    // And the restarted devnet carries on logging from there.
    request(&run, 60);
    assert_eq!(statelog::load(&path).unwrap().records, 1);
    assert_eq!(Ledger::load(&path).unwrap(), memory(&run));
    run.stop().await;
}

#[tokio::test]
async fn every_acknowledged_request_is_in_the_file_and_a_cut_write_is_not() {
    let (dir, path, run) = started_with_requests(5).await;
    let before = memory(&run);
    let old = std::fs::read(&path).unwrap();
    request(&run, 5);
    let after = memory(&run);
    let new = std::fs::read(&path).unwrap();
    assert!(new.starts_with(&old), "the request was not appended");
    // A crash can cut the appended line anywhere: every prefix loads to the state before the
    // request (never acknowledged), the whole line to the state after it.
    let cut = dir.path().join("cut.json");
    for len in old.len()..new.len() {
        std::fs::write(&cut, &new[..len]).unwrap();
        let l = statelog::load(&cut).unwrap();
        assert_eq!(l.ledger, before, "cut at {len}");
        assert_eq!(l.torn_tail, len > old.len(), "cut at {len}");
    }
    std::fs::write(&cut, &new).unwrap();
    assert_eq!(Ledger::load(&cut).unwrap(), after);
    run.stop().await;
}

#[tokio::test]
async fn a_torn_last_line_is_ignored() {
    for torn in [
        &b"{\"height\":99,\"acc"[..],  // cut short, no newline
        &b"{\"height\":99}"[..],       // complete JSON but no newline: never acknowledged
        &b"{\"height\":99,\"ac\n"[..], // garbage up to a newline
        &b"\0\0\0\0\0\0\0\0"[..],      // a crash after the size grew but before the data
    ] {
        let (_dir, path, run) = started_with_requests(8).await;
        let before = memory(&run);
        run.stop().await;
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend_from_slice(torn);
        std::fs::write(&path, &bytes).unwrap();
        let loaded = statelog::load(&path).unwrap();
        assert!(loaded.torn_tail);
        assert_eq!(loaded.ledger, before);

        let run = spawn(config(&path)).await.unwrap();
        assert_eq!(memory(&run), before);
        // The restart compacted the torn line away, so new lines do not follow it.
        request(&run, 8);
        let l = statelog::load(&path).unwrap();
        assert!(!l.torn_tail);
        assert_eq!(l.ledger, memory(&run));
        run.stop().await;
    }
}

#[tokio::test]
async fn a_corrupt_line_before_the_last_is_an_error_naming_file_and_line() {
    let (_dir, path, run) = started_with_requests(6).await;
    run.stop().await;
    let text = std::fs::read_to_string(&path).unwrap();
    let n = text.lines().count();
    // Damage the second-to-last line (a log record) in place.
    let mut all: Vec<String> = text.lines().map(str::to_string).collect();
    assert!(all[n - 2].starts_with('{'), "{}", all[n - 2]);
    all[n - 2] = all[n - 2].replacen("\"txs\"", "\"txz\"", 1);
    let damaged = all.join("\n") + "\n";
    std::fs::write(&path, &damaged).unwrap();

    let err = match spawn(config(&path)).await {
        Ok(_) => panic!("a corrupt log line was accepted"),
        Err(e) => e,
    };
    assert!(matches!(err, DevnetError::State { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("state.json"), "{msg}");
    assert!(msg.contains(&format!("line {}:", n - 1)), "{msg}");
    // Nothing was rewritten.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), damaged);
}

#[tokio::test]
async fn the_log_is_compacted_and_the_result_reloads_equal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let run = spawn(config(&path)).await.unwrap();
    let mut compactions = 0;
    let mut last_len = std::fs::metadata(&path).unwrap().len();
    for i in 0..400 {
        request(&run, i);
        let len = std::fs::metadata(&path).unwrap().len();
        if len < last_len {
            compactions += 1;
            let l = statelog::load(&path).unwrap();
            assert_eq!(l.records, 0, "a compaction left log lines");
            assert_eq!(l.ledger, memory(&run));
        }
        last_len = len;
    }
    assert!(
        compactions >= 2,
        "{compactions} compactions in 400 requests"
    );
    assert_eq!(Ledger::load(&path).unwrap(), memory(&run));
    // The log never grows much past the snapshot.
    let l = statelog::load(&path).unwrap();
    assert!(l.records > 0 && l.records < 400);
    let before = memory(&run);
    run.stop().await;
    let run = spawn(config(&path)).await.unwrap();
    assert_eq!(memory(&run), before);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["state.json"]);
    run.stop().await;
}

#[tokio::test]
async fn a_failed_append_rolls_back_and_the_next_request_rewrites_the_file() {
    let (_dir, path, run) = started_with_requests(4).await;
    let before = memory(&run);
    // A directory where the state file was: the append (and a snapshot rename) fail.
    let saved = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir(&path).unwrap();
    let err = run
        .devnet
        .mutate(|j| -> Result<(), String> { j.credit("tbnb1new", "BNB", 5) })
        .unwrap_err();
    assert!(err.contains("cannot save devnet state"), "{err}");
    assert_eq!(memory(&run), before);
    assert!(path.is_dir(), "the failed request replaced the directory");
    let err = run
        .devnet
        .mutate(|j| -> Result<(), String> { j.credit("tbnb1new", "BNB", 5) })
        .unwrap_err();
    assert!(err.contains("cannot save devnet state"), "{err}");
    assert_eq!(memory(&run), before);

    // With the old file back, the next request writes a whole snapshot rather than appending
    // to a file it cannot vouch for.
    std::fs::remove_dir(&path).unwrap();
    std::fs::write(&path, &saved).unwrap();
    request(&run, 4);
    let l = statelog::load(&path).unwrap();
    assert_eq!(l.records, 0);
    assert_eq!(l.ledger, memory(&run));
    // After that it appends again.
    request(&run, 5);
    let l = statelog::load(&path).unwrap();
    assert_eq!(l.records, 1);
    assert_eq!(l.ledger, memory(&run));
    run.stop().await;
}

#[tokio::test]
async fn a_file_changed_behind_the_devnets_back_is_rewritten_not_appended_to() {
    let (_dir, path, run) = started_with_requests(3).await;
    // Someone truncates the file mid-record: appending would follow a torn line.
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 5]).unwrap();
    request(&run, 3);
    let l = statelog::load(&path).unwrap();
    assert!(!l.torn_tail);
    assert_eq!(l.records, 0);
    assert_eq!(l.ledger, memory(&run));
    run.stop().await;
}
