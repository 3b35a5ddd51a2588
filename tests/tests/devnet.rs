//! End to end against a real `dexlink devnet` child process: faucet, link, orders, sends,
//! failures that change nothing, replay and wrong-chain refusals, and persisted state.

mod common;

use common::*;
use serde_json::Value;

const MARKET: &str = "BNB_BUSD-BD1";
const BUSD: &str = "BUSD-BD1";

/// A home with V7 as "alice" and 95949f… as "bob", both on testnet.
fn wallets() -> Home {
    let h = Home::new();
    h.import_key("alice", V7_KEY, "testnet").ok();
    h.import_key("bob", K2_KEY, "testnet").ok();
    h
}

fn online(h: &Home, d: &Devnet, args: &[&str]) -> Out {
    let mut c = h.cmd();
    c.arg("--json").args(args).args(["--dex", &d.url, "--yes"]);
    run(c)
}

fn open_orders(h: &Home, d: &Devnet, address: &str) -> Value {
    let mut c = h.cmd();
    c.args(["--json", "orders", address, "--dex", &d.url]);
    run(c).ok().json()
}

fn sequence(d: &Devnet, address: &str) -> u64 {
    d.account(address)["sequence"].as_u64().unwrap()
}

#[test]
fn link_order_cancel_send_on_a_devnet() {
    let d = Devnet::start(&[]);
    let h = wallets();
    let (s, node) = d.get("/api/v1/node-info");
    assert_eq!(s, 200);
    assert_eq!(node["node_info"]["network"], "Binance-Chain-Ganges");

    d.fund(V7_TBNB, "BNB", "100");
    d.fund(V7_TBNB, BUSD, "1000");
    assert_eq!(d.balance(V7_TBNB, "BNB"), (100.0, 0.0));

    // link: the DEX then reports the address as linked; an unlinked one is not.
    let mut c = h.cmd();
    c.args(["--json", "link", "alice", "--dex", &d.url, "--yes"]);
    let v = run(c).ok().json();
    assert_eq!(v["links"][0]["address"], V7_TBNB);
    let (s, l) = d.get(&format!("/api/v1/link/{V7_TBNB}"));
    assert_eq!(s, 200, "{l}");
    assert_eq!(l["linked"], true);
    let (s, _) = d.get(&format!("/api/v1/link/{K2_TBNB}"));
    assert_eq!(s, 404);

    // Place a BUY 0.5 BNB at 300 BUSD: 150 BUSD locked.
    let placed = online(
        &h,
        &d,
        &[
            "order",
            "place",
            "alice",
            "--symbol",
            MARKET,
            "--side",
            "buy",
            "--price",
            "300",
            "--quantity",
            "0.5",
        ],
    )
    .ok()
    .json();
    let order_id = placed["order_id"].as_str().unwrap().to_string();
    // The order id is HEX(addr20)-(sequence+1); V7's addr20 is ba36f0fa…; sequence was 0.
    assert_eq!(order_id, "BA36F0FAD74D8F41045463E4774F328F4AF779E5-1");
    assert_eq!(placed["broadcast"]["ok"], true);
    let place_hash = placed["tx_hash"].as_str().unwrap().to_string();
    assert_eq!(d.balance(V7_TBNB, BUSD), (850.0, 150.0));
    assert_eq!(d.balance(V7_TBNB, "BNB"), (100.0, 0.0));

    let orders = open_orders(&h, &d, V7_TBNB);
    assert_eq!(orders["total"], 1, "{orders}");
    assert_eq!(orders["orders"][0]["order_id"], order_id.as_str());
    assert_eq!(orders["orders"][0]["symbol"], MARKET);

    // tx status finds the placed transaction.
    let mut c = h.cmd();
    c.args(["--json", "tx", "status", &place_hash, "--dex", &d.url]);
    let st = run(c).ok().json();
    assert_eq!(st["code"], 0, "{st}");
    let mut c = h.cmd();
    c.args([
        "tx",
        "status",
        "00000000000000000000000000000000000000000000000000000000000000AA",
        "--dex",
        &d.url,
    ]);
    run(c).expect_code(1);

    // Cancel releases the funds.
    online(
        &h,
        &d,
        &[
            "order",
            "cancel",
            "alice",
            "--symbol",
            MARKET,
            "--order-id",
            &order_id,
        ],
    )
    .ok();
    assert_eq!(d.balance(V7_TBNB, BUSD), (1000.0, 0.0));
    assert_eq!(open_orders(&h, &d, V7_TBNB)["total"], 0);

    // An unknown (never funded) account: a clear error, exit 1.
    let out = online(
        &h,
        &d,
        &[
            "send", "bob", "--to", V7_TBNB, "--amount", "1", "--asset", "BNB",
        ],
    )
    .expect_code(1);
    let err = out.stderr.to_lowercase();
    assert!(
        err.contains("not found") || err.contains("unknown") || err.contains("does not exist"),
        "{}",
        out.stderr
    );
    assert!(err.contains(K2_TBNB), "names the account: {}", out.stderr);

    // Send moves funds.
    online(
        &h,
        &d,
        &[
            "send", "alice", "--to", K2_TBNB, "--amount", "2.5", "--asset", "BNB", "--memo", "e2e",
        ],
    )
    .ok();
    assert_eq!(d.balance(V7_TBNB, "BNB"), (97.5, 0.0));
    assert_eq!(d.balance(K2_TBNB, "BNB"), (2.5, 0.0));

    // More than the balance: refused, exit 1, nothing changes.
    let before_a = d.account(V7_TBNB);
    let before_b = d.account(K2_TBNB);
    let out = online(
        &h,
        &d,
        &[
            "send", "alice", "--to", K2_TBNB, "--amount", "1000", "--asset", "BNB",
        ],
    )
    .expect_code(1);
    assert!(
        out.stderr.to_lowercase().contains("insufficient"),
        "{}",
        out.stderr
    );
    assert_eq!(d.account(V7_TBNB), before_a);
    assert_eq!(d.account(K2_TBNB), before_b);

    // An order locking more than the balance is refused the same way.
    online(
        &h,
        &d,
        &[
            "order",
            "place",
            "alice",
            "--symbol",
            MARKET,
            "--side",
            "buy",
            "--price",
            "300",
            "--quantity",
            "100",
        ],
    )
    .expect_code(1);
    assert_eq!(d.account(V7_TBNB), before_a);
}

/// Signs a 1 BNB send from alice offline with the devnet's current numbers.
fn signed_send(h: &Home, d: &Devnet, chain_id: &str, amount: &str) -> (String, String) {
    let acct = d.account(V7_TBNB);
    let mut c = h.cmd();
    c.args([
        "--json",
        "send",
        "alice",
        "--to",
        K2_TBNB,
        "--amount",
        amount,
        "--asset",
        "BNB",
        "--offline",
        "--yes",
        "--chain-id",
        chain_id,
        "--hrp",
        "tbnb",
        "--account-number",
        &acct["account_number"].to_string(),
        "--sequence",
        &acct["sequence"].to_string(),
    ]);
    let v = run(c).ok().json();
    (
        v["tx_hex"].as_str().unwrap().to_string(),
        v["tx_hash"].as_str().unwrap().to_string(),
    )
}

#[test]
fn broadcast_is_accepted_once_and_checks_the_chain_id() {
    let d = Devnet::start(&[]);
    let h = wallets();
    d.fund(V7_TBNB, "BNB", "10");

    // Signed for another chain: the signature does not verify on this one.
    let (wrong, _) = signed_send(&h, &d, "Binance-Chain-Tigris", "1");
    let (s, b) = d.post_text("/api/v1/broadcast", &wrong);
    assert_eq!(s, 400, "{b}");
    assert!(b.to_string().contains("signature"), "{b}");
    assert_eq!(d.balance(V7_TBNB, "BNB"), (10.0, 0.0));
    assert_eq!(sequence(&d, V7_TBNB), 0);

    let (hex, hash) = signed_send(&h, &d, "Binance-Chain-Ganges", "1");
    let (s, b) = d.post_text("/api/v1/broadcast", &hex);
    assert_eq!(s, 200, "{b}");
    assert_eq!(b[0]["ok"], true);
    assert_eq!(b[0]["hash"], hash.as_str());
    assert_eq!(d.balance(V7_TBNB, "BNB"), (9.0, 0.0));

    // The same bytes again: refused, the funds moved once.
    let (s, b) = d.post_text("/api/v1/broadcast", &hex);
    assert_eq!(s, 400, "{b}");
    assert_eq!(d.balance(V7_TBNB, "BNB"), (9.0, 0.0));
    assert_eq!(d.balance(K2_TBNB, "BNB"), (1.0, 0.0));
    assert_eq!(sequence(&d, V7_TBNB), 1);

    // The CLI's tx status finds the broadcast transaction by its hash.
    let mut c = h.cmd();
    c.args(["--json", "tx", "status", &hash, "--dex", &d.url]);
    assert_eq!(run(c).ok().json()["code"], 0);

    // A tampered body is refused too.
    let (s, _) = d.post_text("/api/v1/broadcast", "zz");
    assert_eq!(s, 400);
}

#[test]
fn state_file_survives_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("devnet-state.json");
    let state_s = state.to_str().unwrap();
    let h = wallets();
    let order_id;
    {
        let d = Devnet::start(&["--state", state_s]);
        d.fund(V7_TBNB, "BNB", "50");
        d.fund(V7_TBNB, BUSD, "100");
        let v = online(
            &h,
            &d,
            &[
                "order",
                "place",
                "alice",
                "--symbol",
                MARKET,
                "--side",
                "sell",
                "--price",
                "400",
                "--quantity",
                "2",
            ],
        )
        .ok()
        .json();
        order_id = v["order_id"].as_str().unwrap().to_string();
        assert_eq!(d.balance(V7_TBNB, "BNB"), (48.0, 2.0));
        online(
            &h,
            &d,
            &[
                "send", "alice", "--to", K2_TBNB, "--amount", "3", "--asset", "BNB",
            ],
        )
        .ok();
        // Dropping the guard kills the node.
    }
    assert!(state.exists());
    let d = Devnet::start(&["--state", state_s]);
    assert_eq!(d.balance(V7_TBNB, "BNB"), (45.0, 2.0));
    assert_eq!(d.balance(V7_TBNB, BUSD), (100.0, 0.0));
    assert_eq!(d.balance(K2_TBNB, "BNB"), (3.0, 0.0));
    assert_eq!(sequence(&d, V7_TBNB), 2);
    let orders = open_orders(&h, &d, V7_TBNB);
    assert_eq!(orders["total"], 1);
    assert_eq!(orders["orders"][0]["order_id"], order_id.as_str());
    // And the restored node keeps working: the order can be cancelled.
    online(
        &h,
        &d,
        &[
            "order",
            "cancel",
            "alice",
            "--symbol",
            MARKET,
            "--order-id",
            &order_id,
        ],
    )
    .ok();
    assert_eq!(d.balance(V7_TBNB, "BNB"), (47.0, 0.0));
}

#[test]
fn genesis_balances_and_no_dex_error() {
    let genesis = format!("{V1_TBNB0}=12.5:BNB");
    let d = Devnet::start(&["--genesis", &genesis]);
    assert_eq!(d.balance(V1_TBNB0, "BNB"), (12.5, 0.0));
    // Online commands without --dex explain what to do.
    let h = wallets();
    let mut c = h.cmd();
    c.args([
        "send", "alice", "--to", K2_TBNB, "--amount", "1", "--asset", "BNB", "--yes",
    ]);
    let out = run(c).expect_code(2);
    assert!(out.stderr.contains("--dex"), "{}", out.stderr);
}

#[test]
fn market_rules_refuse_and_concurrent_sends_never_double_spend() {
    let d = Devnet::start(&[]);
    let h = wallets();
    d.fund(V7_TBNB, "BNB", "10");
    d.fund(V7_TBNB, BUSD, "100");
    let before = d.account(V7_TBNB);
    // BNB_BUSD-BD1: tick 0.0001, lot 0.01; and a market that does not exist.
    // The CLI reads the market's tick and lot sizes before signing: an off-tick price or an
    // off-lot quantity is bad input (exit 2) and nothing is signed; an unknown market is refused.
    for (symbol, price, qty, code, why) in [
        (
            MARKET,
            "1.00005",
            "1",
            2,
            "tick size 0.0001; nothing was signed",
        ),
        (MARKET, "1", "0.005", 2, "lot size 0.01; nothing was signed"),
        (MARKET, "1", "1.001", 2, "lot size 0.01; nothing was signed"),
        ("XYZ-000_BNB", "1", "1", 2, "XYZ-000_BNB"),
    ] {
        let out = online(
            &h,
            &d,
            &[
                "order",
                "place",
                "alice",
                "--symbol",
                symbol,
                "--side",
                "buy",
                "--price",
                price,
                "--quantity",
                qty,
            ],
        );
        let out = out.expect_code(code);
        assert!(out.stderr.contains(why), "{}", out.stderr);
    }
    assert_eq!(
        d.account(V7_TBNB),
        before,
        "a refused order changed the account"
    );

    // Three sends of 1 BNB started at once from the same account: each is either accepted or
    // fails cleanly, and the ledger moves exactly what was accepted. Each has its own memo: two
    // identical sends signed for the same sequence are the same bytes, and the client rightly
    // reports the second as that already-committed transaction, so they would count twice.
    let results: Vec<i32> = std::thread::scope(|s| {
        let (h, d) = (&h, &d);
        let handles: Vec<_> = (0..3)
            .map(|i| {
                s.spawn(move || {
                    let memo = format!("send {i}");
                    online(
                        h,
                        d,
                        &[
                            "send", "alice", "--to", K2_TBNB, "--amount", "1", "--asset", "BNB",
                            "--memo", &memo,
                        ],
                    )
                    .code
                })
            })
            .collect();
        handles.into_iter().map(|j| j.join().unwrap()).collect()
    });
    let accepted = results.iter().filter(|&&c| c == 0).count();
    assert!(results.iter().all(|&c| c == 0 || c == 1), "{results:?}");
    assert!(accepted >= 1, "{results:?}");
    assert_eq!(d.balance(K2_TBNB, "BNB"), (accepted as f64, 0.0));
    assert_eq!(d.balance(V7_TBNB, "BNB"), (10.0 - accepted as f64, 0.0));
    assert_eq!(sequence(&d, V7_TBNB), accepted as u64);
}

/// Identical sends started at once (same key, intent and sequence) are the same signed bytes:
/// the DEX takes them once, and every command that did not send anything new says so. The
/// ledger moves exactly one transfer per distinct hash.
#[test]
fn identical_concurrent_sends_land_once_and_say_so() {
    let d = Devnet::start(&[]);
    let h = wallets();
    d.fund(V7_TBNB, "BNB", "10");
    let outs: Vec<Out> = std::thread::scope(|s| {
        let (h, d) = (&h, &d);
        let handles: Vec<_> = (0..3)
            .map(|_| {
                s.spawn(move || {
                    online(
                        h,
                        d,
                        &[
                            "send", "alice", "--to", K2_TBNB, "--amount", "1", "--asset", "BNB",
                        ],
                    )
                })
            })
            .collect();
        handles.into_iter().map(|j| j.join().unwrap()).collect()
    });
    let mut hashes = Vec::new();
    let mut already_known = 0;
    for o in &outs {
        assert!(o.code == 0 || o.code == 1, "{}", o.stderr);
        if o.code == 0 {
            let v = o.json();
            hashes.push(v["tx_hash"].as_str().unwrap().to_string());
            if v["broadcast"]["already_known"] == true {
                already_known += 1;
                assert!(o.stderr.contains("not sent again"), "{}", o.stderr);
            }
        }
    }
    let succeeded = hashes.len();
    hashes.sort();
    hashes.dedup();
    assert!(!hashes.is_empty(), "no send succeeded");
    assert!(
        already_known >= succeeded - hashes.len(),
        "{succeeded} successes, {} distinct, {already_known} flagged",
        hashes.len()
    );
    let moved = hashes.len() as f64;
    assert_eq!(d.balance(K2_TBNB, "BNB"), (moved, 0.0));
    assert_eq!(d.balance(V7_TBNB, "BNB"), (10.0 - moved, 0.0));
    assert_eq!(sequence(&d, V7_TBNB), hashes.len() as u64);
}

#[test]
fn link_several_hd_addresses() {
    let d = Devnet::start(&[]);
    let h = Home::new();
    h.import_mnemonic("hd", V1_MNEMONIC, "testnet").ok();
    let mut c = h.cmd();
    c.args([
        "--json", "link", "hd", "--count", "2", "--dex", &d.url, "--yes",
    ]);
    let v = run(c).ok().json();
    let links = v["links"].as_array().unwrap();
    assert_eq!(links.len(), 2);
    assert_eq!(links[0]["address"], V1_TBNB0);
    // Index 1 is bnb1rcp2kf6xwaxt3k8fyddvrvl0l0mg585xz37reu on mainnet: same data part.
    let second = links[1]["address"].as_str().unwrap();
    assert!(
        second.starts_with("tbnb1rcp2kf6xwaxt3k8fyddvrvl0l0mg585x"),
        "{second}"
    );
    for a in [V1_TBNB0, second] {
        let (s, l) = d.get(&format!("/api/v1/link/{a}"));
        assert_eq!(s, 200, "{a}: {l}");
        assert_eq!(l["linked"], true);
    }
    // Without --yes and a terminal: refused, nothing linked.
    let h2 = wallets();
    let mut c = h2.cmd();
    c.args(["link", "alice", "--dex", &d.url]);
    run(c).expect_code(2);
    let (s, _) = d.get(&format!("/api/v1/link/{V7_TBNB}"));
    assert_eq!(s, 404);
}

#[test]
fn failures_are_clear_and_change_nothing() {
    let h = wallets();
    let url = {
        let d = Devnet::start(&[]);
        d.fund(V7_TBNB, "BNB", "5");
        let before = d.account(V7_TBNB);
        // Cancelling an order that does not exist.
        let out = online(
            &h,
            &d,
            &[
                "order",
                "cancel",
                "alice",
                "--symbol",
                MARKET,
                "--order-id",
                "BA36F0FAD74D8F41045463E4774F328F4AF779E5-9",
            ],
        )
        .expect_code(1);
        assert!(
            out.stderr.contains("Failed to find order"),
            "{}",
            out.stderr
        );
        assert_eq!(d.account(V7_TBNB), before);
        // A malformed order id or hash never reaches the DEX.
        online(
            &h,
            &d,
            &[
                "order",
                "cancel",
                "alice",
                "--symbol",
                MARKET,
                "--order-id",
                "not-an-id",
            ],
        )
        .expect_code(2);
        let mut c = h.cmd();
        c.args(["tx", "status", "zz", "--dex", &d.url]);
        run(c).expect_code(2);
        d.url.clone()
    };
    // The node is gone: a clear error, exit 1, no hang (the command's timeout would kill one).
    let mut c = h.cmd();
    c.args([
        "send", "alice", "--to", K2_TBNB, "--amount", "1", "--asset", "BNB", "--yes", "--dex", &url,
    ]);
    let out = run(c).expect_code(1);
    assert!(out.stderr.contains("cannot reach"), "{}", out.stderr);

    // A damaged state file: the devnet refuses to start, exit 2, naming the file.
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("state.json");
    std::fs::write(&bad, "garbage{").unwrap();
    let mut c = dexlink();
    c.args(["devnet", "--port", "0", "--state"]).arg(&bad);
    let out = run(c).expect_code(2);
    assert!(out.stderr.contains("state.json"), "{}", out.stderr);
}

#[test]
fn breathe_counts_of_zero_are_refused_in_plain_words() {
    for flag in ["--breathe-every", "--order-keep", "--order-force-keep"] {
        let mut c = dexlink();
        c.args(["devnet", "--port", "0", flag, "0"]);
        let out = run(c).expect_code(2);
        assert!(
            out.stderr
                .starts_with(&format!("error: invalid value '0' for '{flag} <"))
                && out
                    .stderr
                    .contains(">': give a whole number of 1 or more\n"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn a_damaged_state_file_is_refused_and_repaired_only_on_request() {
    // Issue 13: a damaged last record ending in a newline was dropped without a word.
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state.json");
    let state_s = state.to_str().unwrap();
    {
        let d = Devnet::start(&["--state", state_s]);
        d.fund(V7_TBNB, "BNB", "5");
        d.fund(V7_TBNB, "BNB", "7");
    }
    // Damage the last record's checksum; the line still ends in its newline.
    let text = std::fs::read_to_string(&state).unwrap();
    let n = text.lines().count();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let flipped = if lines[n - 1].starts_with('a') {
        "b"
    } else {
        "a"
    };
    lines[n - 1].replace_range(0..1, flipped);
    let damaged = lines.join("\n") + "\n";
    std::fs::write(&state, &damaged).unwrap();

    let mut c = dexlink();
    c.args(["devnet", "--port", "0", "--state"]).arg(&state);
    let out = run(c).expect_code(2);
    let want = format!(
        "cannot load devnet state from {state_s}: line {n}: damaged log record: checksum mismatch"
    );
    assert!(out.stderr.contains(&want), "{}", out.stderr);
    assert!(out.stderr.contains("--state-repair"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&state).unwrap(), damaged);

    // With --state-repair: the state before the damaged record, and a copy of the file.
    let d = Devnet::start(&["--state", state_s, "--state-repair"]);
    assert_eq!(d.balance(V7_TBNB, "BNB"), (5.0, 0.0));
    let copies: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("state.json.corrupt-"))
        .collect();
    assert_eq!(copies.len(), 1, "{copies:?}");
    assert_eq!(
        std::fs::read_to_string(tmp.path().join(&copies[0])).unwrap(),
        damaged
    );
}

#[test]
fn two_hundred_idle_connections_under_ulimit_128_do_not_stop_the_node() {
    // Issue 13: with `ulimit -n 128`, 200 idle connections stopped the devnet answering anyone.
    let mut child = std::process::Command::new("sh")
        .args(["-c", "ulimit -n 128 && exec \"$0\" devnet --port 0"])
        .arg(bin())
        .env_remove("DEXLINK_HOME")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let url = line.trim().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{line:?}");
    let hostport = url.trim_start_matches("http://");
    let idle: Vec<std::net::TcpStream> = (0..200)
        .map(|_| std::net::TcpStream::connect(hostport).unwrap())
        .collect();
    let (status, body) = http(&url, "GET", "/api/v1/node-info", None, "");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["node_info"]["network"], "Binance-Chain-Ganges");
    drop(idle);
}

/// A decimal amount in 10^-8 units, exactly (the account's balances are the API's 8-decimal
/// strings, the market commands print `Fixed8` displays; both must mean the same units).
fn units(s: &str) -> i64 {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    assert!(frac.len() <= 8, "more than 8 decimals: {s}");
    let frac = format!("{frac:0<8}");
    int.parse::<i64>().unwrap() * 100_000_000 + frac.parse::<i64>().unwrap()
}

/// One balance of `dexlink account NAME --json`: `(free, locked)` in 10^-8 units.
fn cli_balance(h: &Home, d: &Devnet, name: &str, asset: &str) -> (i64, i64) {
    let mut c = h.cmd();
    c.args(["--json", "account", name, "--dex", &d.url]);
    let v = run(c).ok().json();
    let b = v["balances"]
        .as_array()
        .expect("balances")
        .iter()
        .find(|b| b["symbol"] == asset)
        .unwrap_or_else(|| panic!("no {asset} in {v}"));
    (
        units(b["free"].as_str().unwrap()),
        units(b["locked"].as_str().unwrap()),
    )
}

/// Issue 17's "done when": crossing orders from two CLI accounts fill at the engine's price, with
/// balances and fees exact to the unit, seen through every market-data command and the stream.
#[test]
fn crossing_orders_fill_and_every_view_agrees() {
    let d = Devnet::start_exchange(&[]);
    let h = wallets();
    d.fund(V7_TBNB, "BNB", "10");
    d.fund(V7_TBNB, BUSD, "1000");
    d.fund(K2_TBNB, "BNB", "10");
    d.block();

    // alice bids 2 BNB at 300 BUSD; it rests (maker) after its block.
    let buy = online(
        &h,
        &d,
        &[
            "order",
            "place",
            "alice",
            "--symbol",
            MARKET,
            "--side",
            "buy",
            "--price",
            "300",
            "--quantity",
            "2",
        ],
    )
    .ok()
    .json();
    let buy_id = buy["order_id"].as_str().unwrap().to_string();
    assert_eq!(buy_id, "BA36F0FAD74D8F41045463E4774F328F4AF779E5-1");
    d.block();

    // watch alice before the crossing order arrives. Its stderr is a terminal, where it says
    // "watching …" once the DEX has acknowledged the subscriptions (a ping answered after
    // them): from then on the crossing block cannot go unseen.
    let (pty, pty_slave) = openpty();
    let mut watch = std::process::Command::new(bin())
        .args(["--json", "watch", V7_TBNB, "--dex", &d.url])
        .env_remove("DEXLINK_HOME")
        .env_remove("DEXLINK_DEX")
        .stdout(std::process::Stdio::piped())
        .stderr(pty_slave)
        .spawn()
        .unwrap();
    let (said_tx, said) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        use std::io::Read;
        let mut pty = pty;
        let mut seen = Vec::new();
        let mut buf = [0u8; 256];
        while let Ok(n) = pty.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
            if seen.windows(16).any(|w| w == b"(Ctrl-C to stop)") {
                let _ = said_tx.send(String::from_utf8_lossy(&seen).into_owned());
                break;
            }
        }
    });
    let watch_out = watch.stdout.take().unwrap();
    let (tx, lines) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for l in std::io::BufReader::new(watch_out).lines() {
            let Ok(l) = l else { break };
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    let said = said
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("watch said it is watching");
    assert!(said.contains(&format!("watching {V7_TBNB} on ")), "{said}");

    // bob sells 1 BNB at 290: the taker of the next block.
    let sell = online(
        &h,
        &d,
        &[
            "order",
            "place",
            "bob",
            "--symbol",
            MARKET,
            "--side",
            "sell",
            "--price",
            "290",
            "--quantity",
            "1",
        ],
    )
    .ok()
    .json();
    let sell_id = sell["order_id"].as_str().unwrap().to_string();
    assert_eq!(sell_id, "40C2979694BBC961023D1D27BE6FC4D21A9FEBE6-1");
    let blk = d.block();
    assert_eq!(blk["trades"], 1, "{blk}");

    // The stream, topics in name order (docs/dex-api.md §6): alice's balances, then her order.
    let next = || -> Value {
        let l = lines
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("watch printed a line");
        serde_json::from_str(&l).unwrap()
    };
    let (balances, order) = (next(), next());
    let pid = i32::try_from(watch.id()).unwrap();
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    assert_eq!(watch.wait().unwrap().code(), Some(0));
    assert_eq!(order["event"], "order", "{order}");
    assert_eq!(order["order_id"], buy_id.as_str());
    assert_eq!(order["execution"], "TRADE");
    assert_eq!(order["status"], "PartialFill");
    assert_eq!(order["filled_quantity"], "1");
    assert_eq!(order["last_price"], "300");
    assert_eq!(order["last_quantity"], "1");
    assert_eq!(order["fee"], "0.00040000BNB");
    assert_eq!(
        balances,
        serde_json::json!({"event": "balances", "address": V7_TBNB, "balances": [
            {"asset": "BNB", "free": "10.9996", "locked": "0", "frozen": "0"},
            {"asset": BUSD, "free": "400", "locked": "300", "frozen": "0"},
        ]})
    );

    // The book: what is left of alice's bid.
    let mut c = h.cmd();
    c.args(["--json", "book", MARKET, "--dex", &d.url]);
    let book = run(c).ok().json();
    assert_eq!(
        book["bids"],
        serde_json::json!([{"price": "300", "quantity": "1"}]),
        "{book}"
    );
    assert_eq!(book["asks"], serde_json::json!([]), "{book}");

    // The trade, at the maker's price (the engine's rule when only one side holds makers).
    let mut c = h.cmd();
    c.args(["--json", "trades", "alice", "--dex", &d.url]);
    let trades = run(c).ok().json();
    let t = &trades["trades"][0];
    assert_eq!(trades["trades"].as_array().unwrap().len(), 1, "{trades}");
    assert_eq!(t["price"], "300");
    assert_eq!(t["quantity"], "1");
    assert_eq!(t["buyer"], V7_TBNB);
    assert_eq!(t["seller"], K2_TBNB);
    assert_eq!(t["buyer_order_id"], buy_id.as_str());
    assert_eq!(t["seller_order_id"], sell_id.as_str());

    // bob's order is closed, fully filled; alice's is open, partly filled.
    let mut c = h.cmd();
    c.args(["--json", "orders", "bob", "--closed", "--dex", &d.url]);
    let closed = run(c).ok().json();
    assert_eq!(closed["total"], 1, "{closed}");
    assert_eq!(closed["orders"][0]["order_id"], sell_id.as_str());
    assert_eq!(closed["orders"][0]["status"], "FullyFill");
    assert_eq!(closed["orders"][0]["filled_quantity"], "1");
    let mut c = h.cmd();
    c.args(["--json", "order", "show", &buy_id, "--dex", &d.url]);
    let shown = run(c).ok().json();
    assert_eq!(shown["status"], "PartialFill", "{shown}");
    assert_eq!(shown["filled_quantity"], "1");
    assert_eq!(shown["quantity"], "2");
    assert_eq!(shown["price"], "300");

    // Balances by the fee rule of docs/dex-api.md §5: each side pays, in BNB, the trade's BNB
    // value (1 BNB = 10^8 units) × FeeRateNative 400 / 10^6 = 40000 units = 0.0004 BNB.
    // alice: 10 BNB + 1 bought − 0.0004 fee; 1000 BUSD − 600 locked; 300 of the lock paid.
    assert_eq!(
        cli_balance(&h, &d, "alice", "BNB"),
        (10_0000_0000 + 1_0000_0000 - 40000, 0)
    );
    assert_eq!(
        cli_balance(&h, &d, "alice", BUSD),
        (400_0000_0000, 300_0000_0000)
    );
    // bob: 10 BNB − 1 sold − 0.0004 fee; 300 BUSD received.
    assert_eq!(
        cli_balance(&h, &d, "bob", "BNB"),
        (10_0000_0000 - 1_0000_0000 - 40000, 0)
    );
    assert_eq!(cli_balance(&h, &d, "bob", BUSD), (300_0000_0000, 0));
    // Both fees went to the fee account: the address of the 20 bytes "dexlink-devnet-fees!"
    // (bech32 by BIP-173's reference code in Python, outside dexlink).
    let fees = d.account("tbnb1v3jhsmrfde4j6er9wehx2apdvejk2uepnv3eak");
    let bnb = fees["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["symbol"] == "BNB")
        .unwrap_or_else(|| panic!("no BNB in {fees}"));
    assert_eq!(units(bnb["free"].as_str().unwrap()), 2 * 40000);
}

/// `dexlink devnet --breathe-every/--order-keep/--order-force-keep` and `POST /devnet/breathe`:
/// an order older than the keep period expires at a breathe block, and every CLI view says so.
#[test]
fn an_old_order_expires_at_a_breathe_block_and_the_cli_shows_it() {
    let d = Devnet::start_exchange(&[
        "--breathe-every",
        "1000000",
        "--order-keep",
        "1",
        "--order-force-keep",
        "1",
    ]);
    let h = wallets();
    d.fund(V7_TBNB, "BNB", "10");
    d.block();
    let sell = online(
        &h,
        &d,
        &[
            "order",
            "place",
            "alice",
            "--symbol",
            MARKET,
            "--side",
            "sell",
            "--price",
            "400",
            "--quantity",
            "1",
        ],
    )
    .ok()
    .json();
    let id = sell["order_id"].as_str().unwrap().to_string();
    d.block();
    // Two breathe blocks: the second expires what was placed before the first.
    for expired in [0, 1] {
        let (s, b) = d.post_json("/devnet/breathe", &serde_json::json!({}));
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["expired"], expired, "{b}");
    }
    let mut c = h.cmd();
    c.args(["--json", "order", "show", &id, "--dex", &d.url]);
    let shown = run(c).ok().json();
    assert_eq!(shown["status"], "Expired", "{shown}");
    assert_eq!(shown["filled_quantity"], "0");
    let mut c = h.cmd();
    c.args(["--json", "orders", "alice", "--closed", "--dex", &d.url]);
    let closed = run(c).ok().json();
    assert_eq!(closed["orders"][0]["order_id"], id.as_str(), "{closed}");
    assert_eq!(closed["orders"][0]["status"], "Expired");
    // The lock released, less ExpireFeeNative (10000 units of BNB: the released asset is BNB;
    // bnb-chain/node fee.go CalcFixedFee, genesis 1e4).
    assert_eq!(
        cli_balance(&h, &d, "alice", "BNB"),
        (10_0000_0000 - 10000, 0)
    );
}
