//! The state file as a snapshot plus a log of committed requests: every acknowledged request is
//! on disk, a restart replays the log exactly, a write cut short is ignored, other damage is an
//! error naming the line, the log is compacted, and a failed write rolls the request back.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use dexlink_devnet::state::{IssuedNonce, Ledger, LinkRecord, RestingOrder, TxRecord};
use dexlink_devnet::statelog::StateError;
use dexlink_devnet::{DevnetConfig, DevnetError, Running, spawn, statelog};
use sha2::{Digest, Sha256};

fn config(path: &Path) -> DevnetConfig {
    DevnetConfig {
        state: Some(path.to_path_buf()),
        ..DevnetConfig::default()
    }
}

fn memory(run: &Running) -> Ledger {
    run.devnet.ledger().clone()
}

/// Test user `n` (0..7): a real testnet address, since a loaded state is validated.
fn user(n: usize) -> String {
    static USERS: OnceLock<Vec<String>> = OnceLock::new();
    USERS.get_or_init(|| {
        (1..=7u8)
            .map(|b| {
                dexlink::PrivateKey::from_bytes(&[b; 32])
                    .unwrap()
                    .address(&dexlink::address::Hrp::testnet())
                    .to_string()
            })
            .collect()
    })[n]
        .clone()
}

fn order(i: usize) -> RestingOrder {
    RestingOrder {
        order_id: format!("ORDER-{i}"),
        symbol: "BNB_BUSD-BD1".into(),
        owner: user(i % 7),
        side: 1 + (i % 2) as i64,
        price: 1_000 * (i as i64 + 1),
        quantity: 100_000_000,
        time_in_force: 1,
        locked_asset: "BNB".into(),
        // Nothing locked: the test's requests do not lock funds, and a loaded state must have
        // each holding's locked amount equal to what its orders lock.
        locked_amount: 0,
        tx_hash: format!("{i:064X}"),
        height: i as i64,
        ..RestingOrder::default()
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
            j.credit(&user(i % 7), "BNB", 1 + i as i64)?;
            j.set_height(i as i64 + 1);
            j.insert_order(order(i));
            if i.is_multiple_of(3) && i > 0 {
                j.remove_order(&format!("ORDER-{}", i - 1));
            }
            j.insert_tx(tx(i));
            if let Some(a) = j.account_mut(&user(i % 5)) {
                a.sequence += 1;
                a.public_key = Some(format!("02{i:064x}"));
            }
            j.insert_nonce(
                &format!("nonce-{i}"),
                IssuedNonce {
                    address: user(0),
                    expires: i as i64,
                },
            );
            j.drop_expired_nonces(i as i64 - 3);
            j.insert_link(
                &user(i % 4),
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
        &b"{\"height\":99,\"acc"[..], // cut short, no newline
        &b"{\"height\":99}"[..],      // complete JSON but no newline: never acknowledged
        &b"\0\0\0\0\0\0\0\0"[..],     // a crash after the size grew but before the data
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
    assert_eq!(all[n - 2].as_bytes()[64], b' ', "{}", all[n - 2]);
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

/// The start's error for a state file; the devnet must not have started.
async fn start_error(config: DevnetConfig) -> StateError {
    match spawn(config).await {
        Ok(_) => panic!("a damaged state file was accepted"),
        Err(DevnetError::State { path, source }) => {
            assert!(path.ends_with("state.json"), "{path}");
            source
        }
        Err(e) => panic!("not a state error: {e}"),
    }
}

/// The names of the files in `dir`, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// A log line's checksum as the format defines it, computed here with `sha2` directly: SHA-256
/// over the previous line's checksum (raw bytes) and this line's JSON.
fn chained(prev_hex: &str, json: &str) -> String {
    let prev = hex::decode(prev_hex).unwrap();
    hex::encode(
        Sha256::new()
            .chain_update(&prev)
            .chain_update(json)
            .finalize(),
    )
}

/// Runs `n` requests, stops, and returns the file's lines (each without its newline).
async fn stopped_with_requests(n: usize) -> (tempfile::TempDir, PathBuf, Vec<String>) {
    let (dir, path, run) = started_with_requests(n).await;
    run.stop().await;
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.ends_with('\n'));
    let lines = text.lines().map(str::to_string).collect();
    (dir, path, lines)
}

fn write_lines(path: &Path, lines: &[String]) -> Vec<u8> {
    let bytes = (lines.join("\n") + "\n").into_bytes();
    std::fs::write(path, &bytes).unwrap();
    bytes
}

#[tokio::test]
async fn a_damaged_last_line_that_ends_in_a_newline_stops_the_start_and_changes_nothing() {
    // Issue 13: such a line was taken for a torn write, dropped, and compacted away.
    type Damage = fn(&mut Vec<String>);
    let cases: [(&str, Damage, &str); 5] = [
        (
            "garbage",
            |l| l.push("{\"height\":99,\"ac".into()),
            "no checksum",
        ),
        (
            "a changed digit",
            |l| {
                let last = l.last_mut().unwrap();
                let at = 65 + last[65..].find("\"height\":").unwrap() + 9;
                let d = last.as_bytes()[at];
                let nd = if d == b'9' { '1' } else { (d + 1) as char };
                last.replace_range(at..at + 1, &nd.to_string());
            },
            "checksum mismatch",
        ),
        (
            "an unknown field with a valid checksum",
            |l| {
                let n = l.len();
                let prev = l[n - 2][..64].to_string();
                let json = l[n - 1][65..].replacen('{', "{\"surprise\":1,", 1);
                l[n - 1] = format!("{} {json}", chained(&prev, &json));
            },
            "unknown field `surprise`",
        ),
        (
            "a line without a checksum",
            |l| {
                let last = l.last_mut().unwrap();
                *last = last[65..].to_string();
            },
            "no checksum",
        ),
        (
            "an earlier line removed",
            |l| {
                let n = l.len();
                l.remove(n - 2);
            },
            "checksum mismatch",
        ),
    ];
    for (what, damage, reason) in cases {
        let (dir, path, mut lines) = stopped_with_requests(6).await;
        damage(&mut lines);
        let damaged = write_lines(&path, &lines);
        let err = start_error(config(&path)).await;
        match &err {
            StateError::Corrupt { line, .. } => assert_eq!(*line, lines.len(), "{what}: {err}"),
            e => panic!("{what}: {e}"),
        }
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("line {}: damaged log record: ", lines.len())),
            "{what}: {msg}"
        );
        assert!(msg.contains(reason), "{what}: {msg}");
        assert!(msg.contains("--state-repair"), "{what}: {msg}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            damaged,
            "{what}: the file was rewritten"
        );
        assert_eq!(files(dir.path()), ["state.json"], "{what}");
        // The same verdict from the loader itself.
        assert!(
            matches!(statelog::load(&path), Err(StateError::Corrupt { .. })),
            "{what}"
        );
    }
}

#[tokio::test]
async fn a_changed_digit_in_the_snapshot_stops_the_start() {
    let (dir, path, _) = stopped_with_requests(4).await;
    // A restart compacts the log into the snapshot.
    spawn(config(&path)).await.unwrap().stop().await;
    let mut lines: Vec<String> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert!(
        lines[0].starts_with("dexlink-devnet-state 2 "),
        "{}",
        lines[0]
    );
    // A balance in the snapshot: one digit more for somebody.
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with("\"free\": "))
        .unwrap();
    lines[at] = lines[at].replacen("\"free\": ", "\"free\": 9", 1);
    let damaged = write_lines(&path, &lines);
    let err = start_error(config(&path)).await;
    assert!(matches!(err, StateError::Snapshot { line: 2, .. }), "{err}");
    assert!(err.to_string().contains("SHA-256 does not match"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), damaged);
    // A repair cannot help a damaged snapshot: refused, nothing changed, no copy.
    let err = start_error(DevnetConfig {
        state_repair: true,
        ..config(&path)
    })
    .await;
    assert!(matches!(err, StateError::Snapshot { line: 2, .. }), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), damaged);
    assert_eq!(files(dir.path()), ["state.json"]);
}

#[tokio::test]
async fn a_snapshot_cut_short_or_with_a_bad_header_stops_the_start() {
    let (_dir, path, lines) = stopped_with_requests(0).await;
    let good = lines.join("\n") + "\n";
    for (what, text, reason) in [
        ("cut", good[..good.len() - 10].to_string(), "only"),
        (
            "future version",
            good.replacen(" 2 ", " 3 ", 1),
            "format version \"3\"",
        ),
        (
            "no header end",
            "dexlink-devnet-state 2 5".into(),
            "header line is incomplete",
        ),
    ] {
        std::fs::write(&path, &text).unwrap();
        let err = start_error(config(&path)).await;
        assert!(matches!(err, StateError::Snapshot { .. }), "{what}: {err}");
        assert!(err.to_string().contains(reason), "{what}: {err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "{what}");
    }
}

#[tokio::test]
async fn an_invalid_loaded_state_is_a_startup_error_not_a_panic_later() {
    // Issue 13: an invalid hrp or chain id in the state file started the node, then every
    // request panicked.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let good = {
        let (_d, p, run) = started_with_requests(12).await;
        run.stop().await;
        Ledger::load(&p).unwrap()
    };
    type Break = fn(&mut Ledger);
    let cases: [(Break, &str); 8] = [
        (|l| l.hrp = "Not An HRP".into(), "hrp \"Not An HRP\""),
        (|l| l.chain_id = String::new(), "chain id \"\""),
        (
            |l| {
                // A mainnet address in a testnet ledger.
                let (a, acct) = l.accounts.pop_first().unwrap();
                let bnb = dexlink::Address::parse(&a)
                    .unwrap()
                    .with_hrp(dexlink::address::Hrp::mainnet());
                l.accounts.insert(bnb.to_string(), acct);
            },
            "address is for 'bnb' but 'tbnb' was expected",
        ),
        (
            |l| {
                l.accounts
                    .values_mut()
                    .next()
                    .unwrap()
                    .balances
                    .get_mut("BNB")
                    .unwrap()
                    .free = -1
            },
            "BNB free is negative (-1)",
        ),
        (
            |l| {
                l.accounts
                    .values_mut()
                    .next()
                    .unwrap()
                    .balances
                    .get_mut("BNB")
                    .unwrap()
                    .locked = 5
            },
            "BNB locked is 5 but its orders lock 0",
        ),
        (|l| l.height = -3, "height is negative (-3)"),
        (
            |l| l.markets.values_mut().next().unwrap().tick_size = 0,
            "tick and lot sizes must be positive",
        ),
        (
            |l| l.orders.values_mut().next().unwrap().symbol = "NOPE_BNB".into(),
            "market \"NOPE_BNB\" is not listed",
        ),
    ];
    for (breaks, reason) in cases {
        let mut bad = good.clone();
        breaks(&mut bad);
        bad.save(&path).unwrap();
        let err = start_error(config(&path)).await;
        assert!(matches!(err, StateError::Invalid(_)), "{reason}: {err}");
        assert!(err.to_string().contains(reason), "{reason}: {err}");
    }
}

#[tokio::test]
async fn state_repair_keeps_a_copy_and_cuts_the_file_before_the_first_bad_line() {
    let (dir, path, run) = started_with_requests(4).await;
    let before = memory(&run);
    let good_lines = std::fs::read_to_string(&path).unwrap().lines().count();
    request(&run, 4);
    request(&run, 5);
    run.stop().await;
    let mut lines: Vec<String> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), good_lines + 2);
    // Damage request 4's line (the first after `before`): request 5's is then unreachable too.
    lines[good_lines] = lines[good_lines].replacen('0', "1", 1);
    let damaged = write_lines(&path, &lines);

    let run = spawn(DevnetConfig {
        state_repair: true,
        ..config(&path)
    })
    .await
    .unwrap();
    assert_eq!(memory(&run), before);
    assert_eq!(Ledger::load(&path).unwrap(), before);
    let names = files(dir.path());
    assert_eq!(names.len(), 2, "{names:?}");
    let copy = &names[1];
    let stamp = copy.strip_prefix("state.json.corrupt-").unwrap();
    assert!(
        !stamp.is_empty() && stamp.bytes().all(|b| b.is_ascii_digit()),
        "{copy}"
    );
    assert_eq!(std::fs::read(dir.path().join(copy)).unwrap(), damaged);
    // The repaired devnet carries on.
    request(&run, 6);
    assert_eq!(Ledger::load(&path).unwrap(), memory(&run));
    run.stop().await;

    // Repair of a file that loads changes nothing and keeps no copy.
    let repaired = statelog::repair(&path).unwrap();
    assert_eq!(repaired, None);
    assert_eq!(files(dir.path()).len(), 2);
}

#[tokio::test]
async fn a_file_in_the_format_without_checksums_is_read_then_rewritten_with_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let (_d, p, run) = started_with_requests(5).await;
    let ledger = memory(&run);
    run.stop().await;
    drop(p);
    // The old format: the ledger as pretty JSON, then bare JSON log lines.
    let legacy = format!(
        "{}\n{{\"height\":77}}\n\n{{\"next_account_number\":9}}\n",
        serde_json::to_string_pretty(&ledger).unwrap()
    );
    std::fs::write(&path, &legacy).unwrap();
    let loaded = statelog::load(&path).unwrap();
    assert!(loaded.legacy && !loaded.torn_tail);
    assert_eq!(loaded.records, 2);
    let mut want = ledger.clone();
    want.height = 77;
    want.next_account_number = 9;
    assert_eq!(loaded.ledger, want);
    let run = spawn(config(&path)).await.unwrap();
    assert_eq!(memory(&run), want);
    run.stop().await;
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("dexlink-devnet-state 2 "), "{text}");
    let loaded = statelog::load(&path).unwrap();
    assert!(!loaded.legacy);
    assert_eq!(loaded.ledger, want);

    // The old format gets the same rule: only a last line without its newline is torn.
    std::fs::write(&path, legacy.clone() + "{\"height\":78,\"x\n").unwrap();
    let err = start_error(config(&path)).await;
    let lines = legacy.lines().count();
    assert!(
        matches!(err, StateError::Corrupt { line, .. } if line == lines + 1),
        "{err}"
    );
    std::fs::write(&path, legacy.clone() + "{\"height\":78").unwrap();
    let loaded = statelog::load(&path).unwrap();
    assert!(loaded.torn_tail);
    assert_eq!(loaded.ledger, want);
}

#[test]
fn a_fifo_or_a_directory_as_state_file_is_refused_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("state.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // On a thread, so that a blocking open would fail the test rather than hang it.
    let (tx, rx) = std::sync::mpsc::channel();
    let p = fifo.clone();
    std::thread::spawn(move || tx.send(statelog::load(&p).map(|_| ())).unwrap());
    let got = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("loading a FIFO hung");
    assert!(matches!(got, Err(StateError::NotAFile)), "{got:?}");
    assert_eq!(got.unwrap_err().to_string(), "not a regular file");
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    assert!(matches!(statelog::load(&sub), Err(StateError::NotAFile)));
}
