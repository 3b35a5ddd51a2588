//! The signer agent end to end (issue 16): the real binary, a real socket, a real devnet.
//!
//! Expected values: addresses, keys and order ids come from the upstream vectors (V7, K2 in
//! `common`); rule names and protocol error codes are the ones docs/agent-protocol.md defines.

#![cfg(target_os = "linux")]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::{FileExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};

const MARKET: &str = "BNB_BUSD-BD1";
/// V7's address bytes in upper-case hex: the order-id prefix (docs/upstream-vectors.md V10).
const V7_HEX: &str = "BA36F0FAD74D8F41045463E4774F328F4AF779E5";

/// A raw protocol connection.
struct Conn {
    s: UnixStream,
    r: BufReader<UnixStream>,
}

impl Conn {
    fn new(socket: &Path) -> Self {
        let s = UnixStream::connect(socket).expect("connect to the agent");
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let r = BufReader::new(s.try_clone().unwrap());
        Self { s, r }
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        self.s.write_all(bytes).unwrap();
    }

    fn answer(&mut self) -> Value {
        let mut line = String::new();
        self.r.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("answer {line:?}: {e}"))
    }

    fn call(&mut self, id: u64, method: &str, params: Value) -> Value {
        let line = json!({"v": 1, "id": id, "method": method, "params": params});
        self.send_raw(format!("{line}\n").as_bytes());
        self.answer()
    }
}

fn alice(h: &Home) {
    h.import_key("alice", V7_KEY, "testnet").ok();
}

fn unlock(h: &Home, name: &str, ttl: &str) {
    let mut c = h.cmd();
    c.args(["agent", "unlock", name, "--ttl", ttl]);
    run(c).ok();
}

fn audit(h: &Home) -> Vec<Value> {
    std::fs::read_to_string(h.home.join("state/agent-audit.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// An order signed offline (no devnet needed) with no password source at all.
fn offline_order(h: &Home, seq: u64, symbol: &str, price: &str, qty: &str) -> Out {
    let mut c = h.bare();
    c.args([
        "--json",
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
        "--offline",
        "--chain-id",
        "Binance-Chain-Ganges",
        "--account-number",
        "1",
        "--sequence",
    ])
    .arg(seq.to_string())
    .arg("--yes");
    run(c)
}

#[test]
fn unlock_once_then_fifty_orders_without_a_password_then_lock_asks_again() {
    let d = Devnet::start(&[]);
    let h = Home::new();
    alice(&h);
    d.fund(V7_TBNB, "BNB", "100");
    d.fund(V7_TBNB, "BUSD-BD1", "1000");
    let _agent = AgentProc::start(&h);
    unlock(&h, "alice", "1h");
    for i in 1..=50u64 {
        // No --password-file, no DEXLINK_PASSWORD, no terminal: only the agent can sign.
        let mut c = h.bare();
        c.args([
            "--json",
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
            "0.01",
            "--dex",
            &d.url,
            "--yes",
        ]);
        let v = run(c).ok().json();
        assert_eq!(v["order_id"], format!("{V7_HEX}-{i}"));
        assert_eq!(v["broadcast"]["ok"], true);
    }
    // 50 × 0.01 × 300 BUSD locked.
    assert_eq!(d.balance(V7_TBNB, "BUSD-BD1"), (850.0, 150.0));
    let signed: Vec<_> = audit(&h)
        .into_iter()
        .filter(|a| a["method"] == "bnb_sign")
        .collect();
    assert_eq!(signed.len(), 50);
    assert!(
        signed
            .iter()
            .all(|a| a["decision"] == "allowed" && a["key"] == "alice")
    );
    // The audit summary says what was signed: side, quantity, price, order id.
    for (i, a) in signed.iter().enumerate() {
        let summary = a["summary"].as_str().unwrap();
        assert!(
            summary.starts_with("BUY 0.01 BNB at 300 BUSD-BD1"),
            "{summary}"
        );
        assert!(
            summary.contains(&format!("{V7_HEX}-{}", i + 1)),
            "{summary}"
        );
    }

    let mut c = h.bare();
    c.args(["agent", "lock", "alice"]);
    assert_eq!(run(c).ok().stdout, "wiped 1 key(s) from the agent\n");
    let mut c = h.bare();
    c.args([
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
        "0.01",
        "--dex",
        &d.url,
        "--yes",
    ]);
    let out = run(c).expect_code(2);
    assert!(
        out.stderr
            .contains("a password is needed but there is no terminal to ask on"),
        "{}",
        out.stderr
    );
    assert_eq!(d.balance(V7_TBNB, "BUSD-BD1"), (850.0, 150.0));
}

const POLICY: &str = r#"
[keys.alice]
allow = ["new_order", "cancel_order", "send"]
[keys.alice.orders]
symbols = ["BNB_BUSD-BD1"]
max_quantity = "10"
max_notional = "1000"
max_open_notional = "1500"
[keys.alice.sends]
recipients = ["tbnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lx8xu7hm"]
max_per_day = { BNB = "2" }
[keys.carol]
max_requests_per_minute = 2
"#;

fn refusal(out: Out, rule: &str) {
    let out = out.expect_code(1);
    assert!(
        out.stderr
            .contains(&format!("the agent's policy refuses this ({rule})")),
        "{rule}: {}",
        out.stderr
    );
}

fn send(h: &Home, seq: u64, to: &str, amount: &str) -> Out {
    let mut c = h.bare();
    c.args([
        "--json",
        "send",
        "alice",
        "--to",
        to,
        "--amount",
        amount,
        "--asset",
        "BNB",
        "--offline",
        "--chain-id",
        "Binance-Chain-Ganges",
        "--account-number",
        "1",
        "--sequence",
    ])
    .arg(seq.to_string())
    .arg("--yes");
    run(c)
}

#[test]
fn each_policy_rule_refuses_by_name_and_the_audit_log_records_every_decision() {
    let h = Home::new();
    alice(&h);
    h.import_key("bob", K2_KEY, "testnet").ok();
    h.import_key("carol", V17_KEY, "testnet").ok();
    // A policy others can read is refused at start.
    std::fs::create_dir_all(&h.home).unwrap();
    let policy = h.home.join("policy.toml");
    write_private(&policy, POLICY);
    std::fs::set_permissions(&policy, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut c = h.bare();
    c.args(["agent", "start", "--foreground"]);
    let out = run(c).expect_code(1);
    assert!(out.stderr.contains("run `chmod 600"), "{}", out.stderr);
    std::fs::set_permissions(&policy, std::fs::Permissions::from_mode(0o600)).unwrap();

    let _agent = AgentProc::start(&h);
    unlock(&h, "alice", "1h");
    unlock(&h, "bob", "1h");
    unlock(&h, "carol", "1h");
    // 1: allowed (notional 1000 of 1500 open).
    offline_order(&h, 1, MARKET, "100", "10").ok();
    refusal(
        offline_order(&h, 2, "XYZ-000_BNB", "1", "1"),
        "orders.symbols",
    );
    refusal(
        offline_order(&h, 2, MARKET, "1", "10.5"),
        "orders.max_quantity",
    );
    refusal(
        offline_order(&h, 2, MARKET, "101", "10"),
        "orders.max_notional",
    );
    refusal(
        offline_order(&h, 2, MARKET, "60", "10"),
        "orders.max_open_notional",
    );
    refusal(send(&h, 2, V7_TBNB, "1"), "sends.recipients");
    refusal(send(&h, 2, K2_TBNB, "2.5"), "sends.max_per_day");
    // 2: allowed; the day's BNB is then 1.5 of 2.
    send(&h, 2, K2_TBNB, "1.5").ok();
    refusal(send(&h, 3, K2_TBNB, "0.6"), "sends.max_per_day");
    let mut c = h.bare();
    c.args([
        "freeze",
        "alice",
        "--asset",
        "BNB",
        "--amount",
        "1",
        "--offline",
        "--chain-id",
        "Binance-Chain-Ganges",
        "--account-number",
        "1",
        "--sequence",
        "3",
        "--yes",
    ]);
    refusal(run(c), "allow");
    let mut c = h.bare();
    c.args(["sign", "message", "alice", "--message", "hello"]);
    refusal(run(c), "allow");
    let mut c = h.bare();
    c.args([
        "send",
        "bob",
        "--to",
        V7_TBNB,
        "--amount",
        "1",
        "--asset",
        "BNB",
        "--offline",
        "--chain-id",
        "Binance-Chain-Ganges",
        "--account-number",
        "2",
        "--sequence",
        "0",
        "--yes",
    ]);
    refusal(run(c), "key_not_listed");
    // Two signatures a minute for carol: the third is refused.
    for _ in 0..2 {
        let mut c = h.bare();
        c.args(["sign", "message", "carol", "--message", "hi"]);
        run(c).ok();
    }
    let mut c = h.bare();
    c.args(["sign", "message", "carol", "--message", "hi"]);
    refusal(run(c), "max_requests_per_minute");
    // --no-agent signs with the store (the policy is the agent's, not the key's).
    let mut c = h.cmd();
    c.args([
        "--no-agent",
        "--json",
        "sign",
        "message",
        "alice",
        "--message",
        "hello",
    ]);
    run(c).ok();

    let decisions: Vec<(String, String, String)> = audit(&h)
        .into_iter()
        .filter(|a| a["method"] != "unlock")
        .map(|a| {
            (
                a["key"].as_str().unwrap_or("").to_string(),
                a["decision"].as_str().unwrap().to_string(),
                a["rule"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String, String)> = [
        ("alice", "allowed", ""),
        ("alice", "refused", "orders.symbols"),
        ("alice", "refused", "orders.max_quantity"),
        ("alice", "refused", "orders.max_notional"),
        ("alice", "refused", "orders.max_open_notional"),
        ("alice", "refused", "sends.recipients"),
        ("alice", "refused", "sends.max_per_day"),
        ("alice", "allowed", ""),
        ("alice", "refused", "sends.max_per_day"),
        ("alice", "refused", "allow"),
        ("alice", "refused", "allow"),
        ("bob", "refused", "key_not_listed"),
        ("carol", "allowed", ""),
        ("carol", "allowed", ""),
        ("carol", "refused", "max_requests_per_minute"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(decisions, want);
    for a in audit(&h) {
        assert!(a["client_pid"].as_i64().unwrap() > 0, "{a}");
        assert!(a["time_ms"].as_u64().unwrap() > 1_600_000_000_000, "{a}");
    }
    // reload: without the freeze rule, a freeze is signed.
    write_private(&policy, "[keys.alice]\n");
    let mut c = h.bare();
    c.args(["agent", "reload"]);
    assert_eq!(run(c).ok().stdout, "policy reloaded\n");
    let mut c = h.bare();
    c.args([
        "freeze",
        "alice",
        "--asset",
        "BNB",
        "--amount",
        "1",
        "--offline",
        "--chain-id",
        "Binance-Chain-Ganges",
        "--account-number",
        "1",
        "--sequence",
        "3",
        "--yes",
    ]);
    run(c).ok();
}

#[test]
fn malformed_oversized_and_abandoned_requests_and_two_clients() {
    let h = Home::new();
    alice(&h);
    let agent = AgentProc::start(&h);
    let mut a = Conn::new(&agent.socket);
    let mut b = Conn::new(&agent.socket);
    // A malformed line: an error answer, and the connection stays usable.
    a.send_raw(b"{not json\n");
    let e = a.answer();
    assert_eq!(e["error"]["code"], "parse_error");
    assert_eq!(e["id"], Value::Null);
    assert_eq!(
        a.call(1, "status", json!({}))["result"]["accounts"],
        json!([])
    );
    let e = a.call(2, "frobnicate", json!({}));
    assert_eq!(e["error"]["code"], "unknown_method");
    assert_eq!(e["id"], 2);
    let e = a.call(3, "bnb_sign", json!([{"chain_id": "x"}]));
    assert_eq!(e["error"]["code"], "invalid_params");
    let e = a.call(
        4,
        "sign_message",
        json!({"address": V7_TBNB, "message": "hi"}),
    );
    assert_eq!(e["error"]["code"], "not_unlocked");
    // The wrong password: unlock_failed, nothing held.
    let e = a.call(
        5,
        "unlock",
        json!({"name": "alice", "password": "wrong", "ttl_secs": 60}),
    );
    assert_eq!(e["error"]["code"], "unlock_failed");
    // Two clients at once, interleaved.
    let r = b.call(
        1,
        "unlock",
        json!({"name": "alice", "password": PASSWORD, "ttl_secs": 60}),
    );
    assert_eq!(r["result"]["address"], V7_TBNB);
    assert_eq!(r["result"]["public_key"], V7_PUB);
    let r = a.call(6, "accounts", json!({}));
    assert_eq!(r["result"]["accounts"][0]["address"], V7_TBNB);
    // A sign document as a message is refused: it would authorise a transaction unseen.
    let doc = V10_SB.replace("bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu", V7_TBNB);
    let e = b.call(
        2,
        "sign_message",
        json!({"address": V7_TBNB, "message": doc}),
    );
    assert_eq!(e["error"]["rule"], "message_is_transaction");
    // V10 (wallet-core's NewOrder, RFC 6979) signed through bnb_sign gives the vector's signature.
    let v10: Value = serde_json::from_str(V10_SB).unwrap();
    let r = a.call(7, "bnb_sign", json!([v10]));
    assert_eq!(r["result"]["signature"], V10_SIG, "{r}");
    // A client that disconnects mid-request changes nothing for the others.
    {
        let mut c = Conn::new(&agent.socket);
        c.send_raw(br#"{"v":1,"id":1,"method":"acc"#);
    }
    assert_eq!(
        b.call(3, "status", json!({}))["result"]["accounts"][0]["name"],
        "alice"
    );
    // A line over 1 MiB: too_long, then the connection is closed.
    let mut c = Conn::new(&agent.socket);
    let big = vec![b'a'; (1 << 20) + 10];
    let writer = {
        let mut s = c.s.try_clone().unwrap();
        std::thread::spawn(move || {
            let _ = s.write_all(&big);
            let _ = s.write_all(b"\n");
        })
    };
    assert_eq!(c.answer()["error"]["code"], "too_long");
    let mut rest = Vec::new();
    assert_eq!(c.r.read_to_end(&mut rest).unwrap_or(0), 0);
    writer.join().unwrap();
    // The agent still serves.
    assert_eq!(
        a.call(8, "status", json!({}))["result"]["accounts"][0]["name"],
        "alice"
    );
}

/// Every encoding of V7's key a file could hold.
fn key_encodings() -> Vec<Vec<u8>> {
    let be = hex::decode(V7_KEY).unwrap();
    let mut le = be.clone();
    le.reverse();
    vec![
        be,
        le,
        V7_KEY.as_bytes().to_vec(),
        V7_KEY.to_ascii_uppercase().into_bytes(),
    ]
}

fn files_holding_the_key(dir: &Path, found: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let m = std::fs::symlink_metadata(&p).unwrap();
        if m.is_dir() {
            files_holding_the_key(&p, found);
        } else if m.is_file() {
            let bytes = std::fs::read(&p).unwrap();
            if key_encodings()
                .iter()
                .any(|k| memchr::memmem::find(&bytes, k).is_some())
            {
                found.push(p);
            }
        }
    }
}

#[test]
fn a_killed_agent_leaves_no_secret_on_disk_and_its_stale_socket_is_replaced() {
    let h = Home::new();
    alice(&h);
    let mut agent = AgentProc::start(&h);
    unlock(&h, "alice", "1h");
    // The check can fail: a file with the key in it is found.
    let canary = h.home.join("state/canary");
    std::fs::write(&canary, hex::decode(V7_KEY).unwrap()).unwrap();
    let mut found = Vec::new();
    files_holding_the_key(&h.home, &mut found);
    assert_eq!(found, vec![canary.clone()]);
    std::fs::remove_file(&canary).unwrap();

    agent.signal(libc::SIGKILL);
    agent.wait();
    let mut found = Vec::new();
    files_holding_the_key(&h.home, &mut found);
    assert_eq!(found, Vec::<PathBuf>::new());
    // The socket of the dead agent is still there; the next start replaces it.
    assert!(agent.socket.exists());
    let again = AgentProc::start(&h);
    assert_eq!(again.socket, agent.socket);
    let mut c = Conn::new(&again.socket);
    assert_eq!(
        c.call(1, "accounts", json!({}))["result"]["accounts"],
        json!([])
    );
    // A second agent for the same directory is refused while one runs.
    let mut c = h.bare();
    c.args(["agent", "start", "--foreground"]);
    let out = run(c).expect_code(1);
    assert!(
        out.stderr
            .contains("an agent is already running for this key directory"),
        "{}",
        out.stderr
    );
    drop(again);
    // Something that is not a socket at the path is never removed.
    let sock = h.home.join("state/agent.sock");
    std::fs::write(&sock, "not a socket").unwrap();
    let mut c = h.bare();
    c.args(["agent", "start", "--foreground"]);
    let out = run(c).expect_code(1);
    assert!(
        out.stderr.contains("is not a socket of this user"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read_to_string(&sock).unwrap(), "not a socket");
}

#[test]
fn sigterm_wipes_and_removes_the_socket_and_detached_start_writes_a_pid_file() {
    let h = Home::new();
    alice(&h);
    let mut c = h.bare();
    c.args(["agent", "start"]);
    let out = run(c).ok();
    assert!(
        out.stdout.starts_with("agent started (pid "),
        "{}",
        out.stdout
    );
    let pid: i32 = std::fs::read_to_string(h.home.join("state/agent.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(out.stdout.contains(&format!("(pid {pid})")));
    let mut c = h.bare();
    c.args(["--json", "agent", "status"]);
    let s = run(c).ok().json();
    assert_eq!(s["pid"], pid);
    // SIGTERM: the agent removes its socket and pid file and exits.
    // SAFETY: a signal to the agent this test started.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while h.home.join("state/agent.sock").exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!h.home.join("state/agent.sock").exists());
    assert!(!h.home.join("state/agent.pid").exists());
    let mut c = h.bare();
    c.args(["agent", "status"]);
    let out = run(c).expect_code(1);
    assert!(
        out.stderr.contains("no agent is running at"),
        "{}",
        out.stderr
    );
}

#[test]
fn another_user_is_refused() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        // Without root there is no second uid to try; the check is SO_PEERCRED's uid against
        // the agent's own (sdk/src/agent/server.rs), documented in docs/agent-protocol.md.
        eprintln!("skipped: needs root to run the agent as another user");
        return;
    }
    // The agent runs as nobody (65534) in a directory of nobody's; this test (root) connects.
    let h = Home::new();
    std::fs::set_permissions(h.tmp.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
    std::fs::create_dir(&h.home).unwrap();
    std::fs::set_permissions(&h.home, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::os::unix::fs::chown(&h.home, Some(65534), Some(65534)).unwrap();
    let agent = AgentProc::start_with(&h, |c| {
        c.uid(65534).gid(65534);
    });
    let mut c = Conn::new(&agent.socket);
    let e = c.answer();
    assert_eq!(e["error"]["code"], "forbidden");
    assert_eq!(e["error"]["message"], "this agent serves only its own user");
    let log = std::fs::read_to_string(h.home.join("state/agent-audit.jsonl")).unwrap();
    let a: Value = serde_json::from_str(log.lines().next().unwrap()).unwrap();
    assert_eq!(a["decision"], "refused");
    assert_eq!(a["rule"], "peer_uid");
    assert_eq!(a["summary"], "peer uid 0");
    assert_eq!(a["client_pid"], std::process::id());
}

/// Counts V7's key (big- and little-endian bytes) in the writable memory of `pid`.
fn key_copies_in_memory(pid: i32) -> usize {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap();
    let mem = std::fs::File::open(format!("/proc/{pid}/mem")).unwrap();
    let keys = key_encodings();
    let mut n = 0;
    for line in maps.lines() {
        let mut f = line.split_whitespace();
        let (Some(range), Some(perms)) = (f.next(), f.next()) else {
            continue;
        };
        if !perms.contains('w') || line.contains("[vvar]") || line.contains("[vsyscall]") {
            continue;
        }
        let (s, e) = range.split_once('-').unwrap();
        let (s, e) = (
            u64::from_str_radix(s, 16).unwrap(),
            u64::from_str_radix(e, 16).unwrap(),
        );
        let mut buf = vec![0u8; (e - s) as usize];
        let Ok(got) = mem.read_at(&mut buf, s) else {
            continue;
        };
        for k in &keys {
            n += memchr::memmem::find_iter(&buf[..got], k).count();
        }
    }
    n
}

#[test]
fn ttl_expiry_wipes_the_key_from_the_agents_memory() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: reading another process's memory needs root");
        return;
    }
    let h = Home::new();
    alice(&h);
    let agent = AgentProc::start(&h);
    // Long enough for the scans and the order below on a loaded machine.
    unlock(&h, "alice", "10");
    // Held: exactly its one copy (the scan can find it).
    assert_eq!(key_copies_in_memory(agent.pid()), 1);
    offline_order(&h, 1, MARKET, "1", "1").ok();
    assert_eq!(key_copies_in_memory(agent.pid()), 1);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut c = Conn::new(&agent.socket);
        if c.call(1, "accounts", json!({}))["result"]["accounts"] == json!([]) {
            break;
        }
        assert!(Instant::now() < deadline, "the key did not expire");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(key_copies_in_memory(agent.pid()), 0);
    // Expired means gone: the next order needs the store (and a password).
    let out = offline_order(&h, 2, MARKET, "1", "1").expect_code(2);
    assert!(
        out.stderr.contains("a password is needed"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_hd_entry_unlocks_one_derived_key() {
    let h = Home::new();
    h.import_mnemonic("hd", V1_MNEMONIC, "mainnet").ok();
    let _agent = AgentProc::start(&h);
    let mut c = h.cmd();
    c.args([
        "--json", "agent", "unlock", "hd", "--index", "1", "--ttl", "10m",
    ]);
    let v = run(c).ok().json();
    assert_eq!(v["address"], V1_BNB1);
    assert_eq!(v["index"], 1);
    let mut c = h.bare();
    c.args(["--json", "agent", "status"]);
    let s = run(c).ok().json();
    assert_eq!(s["accounts"][0]["path"], "m/44'/714'/0'/0/1");
    assert_eq!(s["accounts"][0]["address"], V1_BNB1);
    // Index 1 signs through the agent; index 0 was not unlocked, so it needs the store.
    let mut c = h.bare();
    c.args([
        "--json",
        "sign",
        "message",
        "hd",
        "--index",
        "1",
        "--message",
        "hi",
    ]);
    assert_eq!(run(c).ok().json()["address"], V1_BNB1);
    let mut c = h.bare();
    c.args(["sign", "message", "hd", "--message", "hi"]);
    let out = run(c).expect_code(2);
    assert!(
        out.stderr.contains("a password is needed"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_seventeenth_client_is_told_the_agent_is_busy() {
    let h = Home::new();
    let agent = AgentProc::start(&h);
    let mut held: Vec<Conn> = (0..16).map(|_| Conn::new(&agent.socket)).collect();
    // Each of the 16 is served (so all are accepted before the 17th).
    for (i, c) in held.iter_mut().enumerate() {
        assert_eq!(
            c.call(i as u64, "status", json!({}))["result"]["accounts"],
            json!([])
        );
    }
    let mut extra = Conn::new(&agent.socket);
    assert_eq!(extra.answer()["error"]["code"], "busy");
    drop(held);
    // Slots free up as clients leave.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        // A busy answer may close the connection before the request is written.
        let mut c = Conn::new(&agent.socket);
        let _ = c.s.write_all(b"{\"v\":1,\"id\":1,\"method\":\"status\"}\n");
        let mut line = String::new();
        let _ = c.r.read_line(&mut line);
        if line.contains("\"result\"") {
            break;
        }
        assert!(Instant::now() < deadline, "no slot came free: {line}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn outside_the_policy_a_foreground_agent_asks_on_its_terminal() {
    let h = Home::new();
    alice(&h);
    std::fs::create_dir_all(&h.home).unwrap();
    write_private(
        &h.home.join("policy.toml"),
        "confirm = \"terminal\"\n[keys.alice]\nallow = [\"new_order\"]\n",
    );
    let (mut master, slave) = openpty();
    let agent = AgentProc::start_with(&h, |c| {
        c.stdin(Stdio::from(slave));
    });
    unlock(&h, "alice", "1h");
    // The answer waits in the terminal until the agent asks.
    master.write_all(b"y\n").unwrap();
    let mut c = h.bare();
    c.args(["--json", "sign", "message", "alice", "--message", "hi"]);
    assert_eq!(run(c).ok().json()["address"], V7_TBNB);
    master.write_all(b"n\n").unwrap();
    let mut c = h.bare();
    c.args(["sign", "message", "alice", "--message", "hi"]);
    refusal(run(c), "allow");
    let last: Vec<(String, String)> = audit(&h)
        .iter()
        .filter(|a| a["method"] == "sign_message")
        .map(|a| {
            (
                a["decision"].as_str().unwrap().to_string(),
                a["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        last,
        vec![
            ("confirmed".to_string(), "allow".to_string()),
            ("refused".to_string(), "allow".to_string())
        ]
    );
    drop(agent);
}

/// V1's key at m/44'/714'/0'/0/1 and /5 on testnet (`@binance-chain/javascript-sdk` 4.2.2,
/// `crypto.getPrivateKeyFromMnemonic(V1_MNEMONIC, true, i)` then `getAddressFromPrivateKey(k,
/// "tbnb")`; the same call gives V1_TBNB0 for index 0). Index 5 is past the addresses an
/// import records, so only the key (or the agent holding it) knows it.
const V1_TBNB1: &str = "tbnb1rcp2kf6xwaxt3k8fyddvrvl0l0mg585xvyh8ed";
const V1_TBNB5: &str = "tbnb14sk0v30aw388jl4ndcfztp3kq5syaaj3yw7xr5";

const NO_PASSWORD: &str = "a password is needed but there is no terminal to ask on";

fn linked(d: &Devnet, address: &str) -> bool {
    let (s, l) = d.get(&format!("/api/v1/link/{address}"));
    s == 200 && l["linked"] == true
}

#[test]
fn link_signs_through_the_agent_without_a_password_and_no_agent_asks_for_one() {
    let d = Devnet::start(&[]);
    let h = Home::new();
    alice(&h);
    h.import_mnemonic("hd", V1_MNEMONIC, "testnet").ok();
    let _agent = AgentProc::start(&h);

    // --no-agent: the store, which needs the password (none here), so nothing is linked.
    unlock(&h, "alice", "1h");
    let mut c = h.bare();
    c.args(["--no-agent", "link", "alice", "--dex", &d.url, "--yes"]);
    let out = run(c).expect_code(2);
    assert!(out.stderr.contains(NO_PASSWORD), "{}", out.stderr);
    assert!(!linked(&d, V7_TBNB));

    // No password source at all: only the agent can sign the proof.
    let mut c = h.bare();
    c.args(["--json", "link", "alice", "--dex", &d.url, "--yes"]);
    let v = run(c).ok().json();
    assert_eq!(v["links"][0]["address"], V7_TBNB);
    assert!(linked(&d, V7_TBNB));
    let links: Vec<Value> = audit(&h)
        .into_iter()
        .filter(|a| a["method"] == "sign_link")
        .collect();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0]["decision"], "allowed");
    assert_eq!(links[0]["key"], "alice");
    let summary = links[0]["summary"].as_str().unwrap();
    assert!(
        summary.starts_with(&format!("LINK {V7_TBNB} to http://127.0.0.1:")),
        "{summary}"
    );

    // --count 2 with both keys in the agent: one connection signs both.
    for i in ["0", "1"] {
        let mut c = h.cmd();
        c.args(["agent", "unlock", "hd", "--index", i, "--ttl", "1h"]);
        run(c).ok();
    }
    let mut c = h.bare();
    c.args([
        "--json", "link", "hd", "--count", "2", "--dex", &d.url, "--yes",
    ]);
    let v = run(c).ok().json();
    assert_eq!(v["links"][0]["address"], V1_TBNB0);
    assert_eq!(v["links"][1]["address"], V1_TBNB1);
    assert!(linked(&d, V1_TBNB0) && linked(&d, V1_TBNB1));
    // With one of the two locked the agent cannot sign both: the store is asked (no password).
    let mut c = h.bare();
    c.args(["agent", "lock", "hd"]);
    run(c).ok();
    let mut c = h.cmd();
    c.args(["agent", "unlock", "hd", "--index", "1", "--ttl", "1h"]);
    run(c).ok();
    let mut c = h.bare();
    c.args(["link", "hd", "--count", "2", "--dex", &d.url, "--yes"]);
    let out = run(c).expect_code(2);
    assert!(out.stderr.contains(NO_PASSWORD), "{}", out.stderr);

    // The policy governs link proofs as any signature: not in `allow`, refused by name.
    write_private(
        &h.home.join("policy.toml"),
        "[keys.alice]\nallow = [\"new_order\"]\n",
    );
    let mut c = h.bare();
    c.args(["agent", "reload"]);
    run(c).ok();
    let mut c = h.bare();
    c.args(["link", "alice", "--dex", &d.url, "--yes"]);
    refusal(run(c), "allow");
    let last = audit(&h).pop().unwrap();
    assert_eq!(
        (&last["method"], &last["decision"], &last["rule"]),
        (&json!("sign_link"), &json!("refused"), &json!("allow"))
    );
}

#[test]
fn generate_only_takes_the_address_from_the_agent_without_a_password() {
    let h = Home::new();
    h.import_mnemonic("hd", V1_MNEMONIC, "testnet").ok();
    let _agent = AgentProc::start(&h);
    let mut c = h.cmd();
    c.args(["agent", "unlock", "hd", "--index", "5", "--ttl", "1h"]);
    run(c).ok();
    let generate = |no_agent: bool| {
        let mut c = h.bare();
        if no_agent {
            c.arg("--no-agent");
        }
        c.args([
            "order",
            "place",
            "hd",
            "--index",
            "5",
            "--symbol",
            MARKET,
            "--side",
            "buy",
            "--price",
            "1",
            "--quantity",
            "2",
            "--offline",
            "--chain-id",
            "Binance-Chain-Ganges",
            "--account-number",
            "3",
            "--sequence",
            "4",
            "--generate-only",
        ]);
        run(c)
    };
    // Index 5 is not recorded: the store would have to unlock the entry (no password here).
    let out = generate(true).expect_code(2);
    assert!(out.stderr.contains(NO_PASSWORD), "{}", out.stderr);
    let out = generate(false).ok();
    let unsigned: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(unsigned["format"], "dexlink/unsigned-tx");
    let doc = &unsigned["sign_doc"];
    assert_eq!(doc["msgs"][0]["sender"], V1_TBNB5);
    assert_eq!(doc["sequence"], "4");
    assert_eq!(doc["account_number"], "3");
    // Nothing was signed: the agent only listed its keys.
    assert!(
        audit(&h).iter().all(|a| a["method"] == "unlock"),
        "{:?}",
        audit(&h)
    );
}
