//! Air-gapped signing against a real `dexlink devnet`: `--generate-only` on an online home
//! that holds no key, `tx sign` on a second home with no DEX configured, `tx broadcast` from
//! the first (once; a repeat is already-known success), `--dry-run` that sends nothing, and
//! `freeze`/`unfreeze` online.

mod common;

use common::*;
use serde_json::Value;

fn frozen(d: &Devnet, address: &str, asset: &str) -> Value {
    let acct = d.account(address);
    acct["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["symbol"] == asset)
        .map(|b| b["frozen"].clone())
        .unwrap_or(Value::Null)
}

#[test]
fn generate_only_then_offline_sign_then_broadcast_once() {
    let d = Devnet::start(&[]);
    d.fund(V7_TBNB, "BNB", "100");
    let acct = d.account(V7_TBNB);
    let account_number = acct["account_number"].to_string();
    assert_eq!(acct["sequence"], 0);

    // Online home: no key at all; the signer is named by its address.
    let online = Home::new();
    let mut c = online.bare();
    c.args([
        "send",
        V7_TBNB,
        "--to",
        K2_TBNB,
        "--amount",
        "2.5",
        "--asset",
        "BNB",
        "--memo",
        "airgap",
        "--generate-only",
        "--dex",
        &d.url,
    ]);
    let out = run(c).ok();
    let unsigned: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(unsigned["format"], "dexlink/unsigned-tx");
    assert_eq!(unsigned["version"], 1);
    assert_eq!(unsigned["msg_type"], "cosmos-sdk/Send");
    let doc = &unsigned["sign_doc"];
    assert_eq!(doc["chain_id"], "Binance-Chain-Ganges");
    assert_eq!(doc["account_number"], account_number.as_str());
    assert_eq!(doc["sequence"], "0");
    assert_eq!(doc["memo"], "airgap");
    assert_eq!(doc["msgs"][0]["inputs"][0]["address"], V7_TBNB);
    assert_eq!(doc["msgs"][0]["outputs"][0]["address"], K2_TBNB);
    assert_eq!(
        doc["msgs"][0]["outputs"][0]["coins"][0]["amount"],
        250_000_000u64
    );
    assert_eq!(
        d.account(V7_TBNB)["sequence"],
        0,
        "generate-only sends nothing"
    );
    let unsigned_path = online.path("unsigned.json");
    std::fs::write(&unsigned_path, &out.stdout).unwrap();

    // Offline home: holds the key, knows no DEX.
    let offline = Home::new();
    offline.import_key("alice", V7_KEY, "testnet").ok();
    let mut c = offline.cmd();
    c.env_remove("DEXLINK_DEX")
        .args(["--json", "tx", "sign", "alice", "--yes"])
        .arg(&unsigned_path);
    let signed = run(c).ok().json();
    let hex = signed["tx_hex"].as_str().unwrap().to_string();
    let hash = signed["tx_hash"].as_str().unwrap().to_uppercase();
    let signed_path = online.path("signed.hex");
    std::fs::write(&signed_path, format!("{hex}\n")).unwrap();

    // Broadcast from the online home: lands once.
    let mut c = online.bare();
    c.args(["--json", "tx", "broadcast"])
        .arg(&signed_path)
        .args(["--dex", &d.url]);
    let b = run(c).ok().json();
    assert_eq!(b["broadcast"]["ok"], true, "{b}");
    assert_eq!(b["broadcast"]["already_known"], false, "{b}");
    assert_eq!(b["tx_hash"].as_str().unwrap().to_uppercase(), hash);
    assert_eq!(d.balance(V7_TBNB, "BNB"), (97.5, 0.0));
    assert_eq!(d.balance(K2_TBNB, "BNB"), (2.5, 0.0));
    assert_eq!(d.account(V7_TBNB)["sequence"], 1);

    // The same hex again (from stdin): already known, success, nothing moves.
    let mut c = online.bare();
    c.args(["--json", "tx", "broadcast", "-", "--dex", &d.url])
        .write_stdin(hex.clone());
    let again = run(c).ok().json();
    assert_eq!(again["broadcast"]["already_known"], true, "{again}");
    assert_eq!(d.balance(V7_TBNB, "BNB"), (97.5, 0.0));
    assert_eq!(d.balance(K2_TBNB, "BNB"), (2.5, 0.0));
    assert_eq!(d.account(V7_TBNB)["sequence"], 1);

    // Hex that is not a transaction, and an argument that is neither hex nor a file: bad
    // input, exit 2, nothing sent.
    let mut c = online.bare();
    c.args(["tx", "broadcast", "00ff", "--dex", &d.url]);
    run(c).expect_code(2);
    let mut c = online.bare();
    c.args(["tx", "broadcast", "signed.hexx", "--dex", &d.url]);
    let out = run(c).expect_code(2);
    assert!(
        out.stderr
            .contains("\"signed.hexx\" is neither transaction hex nor an existing file"),
        "{}",
        out.stderr
    );
    assert_eq!(d.account(V7_TBNB)["sequence"], 1);
}

#[test]
fn dry_run_sends_nothing_and_prints_what_would_be_sent() {
    let d = Devnet::start(&[]);
    d.fund(V7_TBNB, "BNB", "10");
    let h = Home::new();
    h.import_key("alice", V7_KEY, "testnet").ok();
    let mut c = h.cmd();
    c.args([
        "--json",
        "send",
        "alice",
        "--to",
        K2_TBNB,
        "--amount",
        "1",
        "--asset",
        "BNB",
        "--dry-run",
        "--yes",
        "--dex",
        &d.url,
    ]);
    let v = run(c).ok().json();
    assert_eq!(v["dry_run"], true, "{v}");
    assert_eq!(d.account(V7_TBNB)["sequence"], 0);
    assert_eq!(d.balance(V7_TBNB, "BNB"), (10.0, 0.0));
    // The recipient was never credited, so the DEX does not know its account.
    assert_eq!(d.get(&format!("/api/v1/account/{K2_TBNB}")).0, 404);

    // What it printed is exactly what would have been sent: broadcasting it lands the send.
    let mut c = h.bare();
    c.args([
        "--json",
        "tx",
        "broadcast",
        v["tx_hex"].as_str().unwrap(),
        "--dex",
        &d.url,
    ]);
    assert_eq!(run(c).ok().json()["broadcast"]["already_known"], false);
    assert_eq!(d.balance(V7_TBNB, "BNB"), (9.0, 0.0));
    assert_eq!(d.balance(K2_TBNB, "BNB"), (1.0, 0.0));
}

#[test]
fn freeze_and_unfreeze_online() {
    let d = Devnet::start(&[]);
    d.fund(V7_TBNB, "BNB", "10");
    let h = Home::new();
    h.import_key("alice", V7_KEY, "testnet").ok();
    for (cmd, amount) in [("freeze", "4"), ("unfreeze", "1.5")] {
        let mut c = h.cmd();
        c.args([
            "--json", cmd, "alice", "--asset", "BNB", "--amount", amount, "--yes", "--dex", &d.url,
        ]);
        let v = run(c).ok().json();
        assert_eq!(v["broadcast"]["ok"], true, "{v}");
    }
    assert_eq!(d.balance(V7_TBNB, "BNB"), (7.5, 0.0));
    assert_eq!(frozen(&d, V7_TBNB, "BNB"), "2.50000000");
    assert_eq!(d.account(V7_TBNB)["sequence"], 2);

    // More than is frozen: refused, exit 1, nothing changes.
    let mut c = h.cmd();
    c.args([
        "unfreeze", "alice", "--asset", "BNB", "--amount", "3", "--yes", "--dex", &d.url,
    ]);
    run(c).expect_code(1);
    assert_eq!(d.account(V7_TBNB)["sequence"], 2);
}

/// `tx broadcast` uses the reliable path: the devnet commits the transaction and drops the
/// connection; the CLI looks the hash up instead of failing or posting twice.
#[test]
fn broadcast_after_a_dropped_connection_lands_once() {
    let d = Devnet::start(&[]);
    d.fund(V7_TBNB, "BNB", "10");
    let h = Home::new();
    h.import_key("alice", V7_KEY, "testnet").ok();
    let mut c = h.bare();
    c.args([
        "send",
        V7_TBNB,
        "--to",
        K2_TBNB,
        "--amount",
        "3",
        "--asset",
        "BNB",
        "--generate-only",
        "--dex",
        &d.url,
    ]);
    let unsigned = run(c).ok().stdout;
    // Without --json, stdout is the hex alone (the hash goes to stderr): a file for broadcast.
    let mut c = h.cmd();
    c.env_remove("DEXLINK_DEX")
        .args(["tx", "sign", "alice", "-", "--yes"])
        .write_stdin(unsigned.clone());
    let plain = run(c).ok().stdout;
    let mut c = h.cmd();
    c.env_remove("DEXLINK_DEX")
        .args(["--json", "tx", "sign", "alice", "-", "--yes"])
        .write_stdin(unsigned);
    let hex = run(c).ok().json()["tx_hex"].as_str().unwrap().to_string();
    assert_eq!(plain, format!("{hex}\n"));
    let file = h.path("signed.hex");
    std::fs::write(&file, &plain).unwrap();

    let (s, b) = d.post_json(
        "/devnet/faults",
        &serde_json::json!({"drop_after_commit": 1}),
    );
    assert_eq!(s, 200, "{b}");
    let mut c = h.bare();
    c.args(["--json", "tx", "broadcast"])
        .arg(&file)
        .args(["--dex", &d.url]);
    let v = run(c).ok().json();
    assert_eq!(v["broadcast"]["ok"], true, "{v}");
    assert_eq!(d.balance(V7_TBNB, "BNB"), (7.0, 0.0));
    assert_eq!(d.balance(K2_TBNB, "BNB"), (3.0, 0.0));
    assert_eq!(d.account(V7_TBNB)["sequence"], 1);
}
