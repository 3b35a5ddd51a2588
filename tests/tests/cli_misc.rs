//! `quickstart`, `vectors run`, and the help texts: every command has an example, and no help
//! ever shows the value of DEXLINK_PASSWORD.

mod common;

use std::path::Path;

use common::*;

#[test]
fn quickstart_trades_and_reports_five_transactions() {
    let mut c = dexlink();
    c.args(["--json", "quickstart"]);
    let v = run(c).ok().json();
    let txs = v["tx_hashes"].as_object().expect("tx_hashes object");
    assert_eq!(txs.len(), 5, "{v}");
    let mut hashes: Vec<&str> = Vec::new();
    for key in ["place", "cancel", "send", "buy", "sell"] {
        let h = txs[key].as_str().expect(key);
        assert_eq!(h.len(), 64, "{key}: {h}");
        assert!(h.bytes().all(|b| b.is_ascii_hexdigit()), "{h}");
        hashes.push(h);
    }
    hashes.sort();
    hashes.dedup();
    assert_eq!(hashes.len(), 5, "five distinct transactions");
    assert_eq!(v["open_orders_after_cancel"], 0);
    // The fill (issue 17): the first address bought 1 BNB from the second at 300 BUSD-BD1.
    // Fees by the rule of docs/dex-api.md §5 at the chain's genesis rates: each side pays the
    // trade's BNB value (1 BNB = 10^8 units) × FeeRateNative 400 / 10^6 = 0.0004 BNB.
    let (first, second) = (
        v["addresses"][0].as_str().unwrap(),
        v["addresses"][1].as_str().unwrap(),
    );
    let fill = &v["fill"];
    assert_eq!(fill["price"], "300", "{fill}");
    assert_eq!(fill["quantity"], "1");
    assert_eq!(fill["buyer"], first);
    assert_eq!(fill["seller"], second);
    assert_eq!(fill["buy_fee"], "BNB:0.00040000;");
    assert_eq!(fill["sell_fee"], "BNB:0.00040000;");
    // The first: 100 BNB − 0.0001 (CancelFeeNative 10000 units: the cancelled order filled
    // nothing) − 2.5 sent − 0.000625 (TransferFee 62500 units, bnb-chain/node param genesis:
    // a send of one coin) + 1 bought − 0.0004; 1000 − 300 BUSD-BD1. The second: 1 + 2.5 − 1
    // − 0.0004 BNB; 300 BUSD-BD1.
    let after: Vec<(&str, &str, &str)> = v["balances_after_fill"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["address"].as_str().unwrap(),
                b["symbol"].as_str().unwrap(),
                b["free"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        after,
        [
            (first, "BNB", "98.498875"),
            (first, "BUSD-BD1", "700"),
            (second, "BNB", "2.4996"),
            (second, "BUSD-BD1", "300"),
        ]
    );
    // The throwaway key store existed during the run and is gone after it.
    let store = v["key_store_removed"].as_str().expect("key store path");
    assert!(store.contains("dexlink-quickstart-"), "{store}");
    assert!(!Path::new(store).exists(), "{store} was left behind");

    // The human form: seventeen lines, each step with its outcome (keys, hashes and ports are
    // fresh each run, so those lines are checked around them).
    let out = run({
        let mut c = dexlink();
        c.arg("quickstart");
        c
    })
    .ok();
    let l: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(l.len(), 17, "{}", out.stdout);
    assert!(
        l[0].starts_with("1. local DEX node running at http://127.0.0.1:"),
        "{}",
        l[0]
    );
    assert!(
        l[1].starts_with("2. new HD wallet 'quickstart' in a temporary key store ")
            && l[1].ends_with(" (scrypt-encrypted), first two addresses:"),
        "{}",
        l[1]
    );
    let second = l[3]
        .strip_prefix("   m/44'/714'/0'/0/1  ")
        .expect("the second address line");
    assert!(l[2].starts_with("   m/44'/714'/0'/0/0  tbnb1"), "{}", l[2]);
    assert_eq!(
        l[4],
        "3. funded from the devnet faucet: 100 BNB + 1000 BUSD-BD1, and 1 BNB"
    );
    assert_eq!(
        l[5],
        "4. both addresses linked to the DEX with signed proofs (ADR-036)"
    );
    assert!(
        l[6].starts_with("5. placed BUY 0.5 BNB at 300 BUSD-BD1: order ")
            && l[6].ends_with("; the DEX lists 1 open order(s):"),
        "{}",
        l[6]
    );
    assert!(
        l[7].ends_with("  BUY  0.5 BNB_BUSD-BD1 at 300 (Ack)"),
        "{}",
        l[7]
    );
    assert!(l[8].starts_with("6. cancelled it (tx "), "{}", l[8]);
    // 1 BNB from the faucet plus the 2.5 sent.
    assert!(
        l[9].starts_with(&format!("7. sent 2.5 BNB to {second} (tx "))
            && l[9].ends_with("); its balance is now 3.5 BNB"),
        "{}",
        l[9]
    );
    let first = l[2]
        .strip_prefix("   m/44'/714'/0'/0/0  ")
        .expect("the first address line");
    assert!(
        l[10].starts_with(&format!(
            "8. traded with each other: {first} bought and {second} sold; filled 1 BNB at 300 BUSD-BD1 (trade "
        )) && l[10].ends_with(
            "), fees: buyer 0.00040000 BNB, seller 0.00040000 BNB; balances after:"
        ),
        "{}",
        l[10]
    );
    assert_eq!(
        l[11..15],
        [
            format!("   {first}  98.498875 BNB"),
            format!("   {first}  700 BUSD-BD1"),
            format!("   {second}  2.4996 BNB"),
            format!("   {second}  300 BUSD-BD1"),
        ]
    );
    let removed = l[15]
        .strip_prefix("9. cleaned up: stopped the node, removed ")
        .expect("the clean-up line");
    assert!(!Path::new(removed).exists(), "{removed} was left behind");
    assert_eq!(
        l[16],
        "done: every transaction was signed here and verified by the node. Next: `dexlink devnet` in one terminal, `dexlink keys new alice --network testnet` in another."
    );
}

/// Runs `dexlink vectors run PATHS...`; returns the passed count of the closing line after
/// checking it reads "N passed, 0 failed".
fn vectors_run(paths: &[std::path::PathBuf]) -> u64 {
    let mut c = dexlink();
    c.args(["vectors", "run"]).args(paths);
    let out = run(c).ok();
    let last = out
        .stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .to_string();
    let (passed, failed) = last
        .split_once(" passed, ")
        .expect("a closing 'N passed, N failed' line");
    let passed: u64 = passed
        .trim()
        .rsplit(' ')
        .next()
        .unwrap()
        .parse()
        .expect("a count");
    assert!(failed.starts_with("0 failed"), "{last}");
    passed
}

fn vectors_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors")
}

/// Every vector in every file of `test-vectors/` runs and passes: the count the runner reports
/// equals the number of vectors in the files.
#[test]
fn vectors_run_passes_every_file() {
    let mut total: u64 = 0;
    for e in std::fs::read_dir(vectors_dir()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|e| e == "json") {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            total += v["vectors"].as_array().map_or(0, |a| a.len() as u64);
        }
    }
    let passed = vectors_run(&[vectors_dir()]);
    assert!(total > 1000, "only {total} vectors in the files");
    assert_eq!(passed, total, "the runner skipped vectors");
}

/// The subcommand names listed under "Commands:" in a help text (without `help`).
fn subcommands(help: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_cmds = false;
    for line in help.lines() {
        if line.trim_end() == "Commands:" {
            in_cmds = true;
            continue;
        }
        if in_cmds {
            if !line.starts_with("  ") {
                if line.trim().is_empty() {
                    break;
                }
                continue;
            }
            // Entries are indented by two spaces; wrapped descriptions by more.
            if line.starts_with("   ") {
                continue;
            }
            let name = line.split_whitespace().next().unwrap_or_default();
            if !name.is_empty() && name != "help" {
                out.push(name.to_string());
            }
        }
    }
    out
}

fn help(path: &[String]) -> String {
    let mut c = dexlink();
    c.args(path).arg("--help");
    c.env("DEXLINK_PASSWORD", "Leaky-Env-Password-991");
    let out = run(c).ok();
    assert!(
        !out.all().contains("Leaky-Env-Password-991"),
        "{path:?} --help shows DEXLINK_PASSWORD"
    );
    out.stdout
}

#[test]
fn every_command_has_an_example_and_no_password_in_help() {
    let mut queue: Vec<Vec<String>> = vec![Vec::new()];
    let mut leaves = 0;
    let mut missing = Vec::new();
    let mut seen = 0;
    while let Some(path) = queue.pop() {
        seen += 1;
        let text = help(&path);
        let subs = subcommands(&text);
        if subs.is_empty() {
            leaves += 1;
        }
        if !path.is_empty() && !text.contains("Example") {
            missing.push(path.join(" "));
        }
        for s in subs {
            let mut p = path.clone();
            p.push(s);
            queue.push(p);
        }
    }
    // keys(7) sign(2) order(3) tx(2) recover(2) vectors(1) + send link devnet quickstart
    // verify completions.
    assert!(leaves >= 23, "only {leaves} leaf commands found");
    assert!(seen > leaves);
    assert!(missing.is_empty(), "no Example in --help of: {missing:?}");

    // `-h` (short help) too never shows the variable.
    let mut c = dexlink();
    c.args(["keys", "export", "-h"])
        .env("DEXLINK_PASSWORD", "Leaky-Env-Password-991");
    assert!(!run(c).ok().all().contains("Leaky-Env-Password-991"));
}

#[test]
fn top_level_help_shows_an_example() {
    let text = help(&[]);
    assert!(text.contains("Example"), "{text}");
}

#[test]
fn completions_are_generated() {
    let mut c = dexlink();
    c.args(["completions", "bash"]);
    let out = run(c).ok();
    // Loaded into bash, the script registers itself and completes commands and subcommands.
    let script =
        std::env::temp_dir().join(format!("dexlink-completions-{}.bash", std::process::id()));
    std::fs::write(&script, &out.stdout).unwrap();
    let probe = r#"source "$1"
complete -p dexlink
COMP_WORDS=(dexlink qu); COMP_CWORD=1; _dexlink dexlink qu dexlink; echo "${COMPREPLY[@]}"
COMP_WORDS=(dexlink keys ex); COMP_CWORD=2; _dexlink dexlink ex keys; echo "${COMPREPLY[@]}""#;
    let shell = std::process::Command::new("bash")
        .args(["-c", probe, "probe"])
        .arg(&script)
        .output()
        .expect("run bash");
    std::fs::remove_file(&script).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&shell.stdout),
        "complete -o bashdefault -o default -o nosort -F _dexlink dexlink\nquickstart\nexport\n",
        "{}",
        String::from_utf8_lossy(&shell.stderr)
    );
}

/// The binary turns core dumps off before it reads anything (a core file would hold unlocked
/// keys): a running `dexlink` has a core size limit of 0, soft and hard.
#[cfg(target_os = "linux")]
#[test]
fn core_dumps_are_off_in_a_running_dexlink() {
    let d = Devnet::start(&[]);
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", d.pid())).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .expect("a core size line");
    let fields: Vec<&str> = line["Max core file size".len()..]
        .split_whitespace()
        .collect();
    assert_eq!(&fields[..2], &["0", "0"], "{line}");
}

// ---- issue 15: `-` is stdin for every input; offline tick/lot checks; error wording ----

/// DERIVED bnbSign (docs/walletconnect.md §7) of "hello world" with key 95949f… (as in
/// sign_verify.rs).
const HELLO_SIG: &str = "7d295ebe093529501e4886ebf8048c6c0a4eb410a77253c6a4b6cd5943a54bf030962efc1eab1e4ce5f1ac8356ec3c945bd167c5c11d01b95a0af9ad1e19f271";

fn signature(out: Out) -> String {
    let v = out.ok().json();
    v["signature"]
        .as_str()
        .expect("signature")
        .trim_start_matches("0x")
        .to_string()
}

#[test]
fn dash_is_stdin_for_message_file_and_password_file() {
    let h = Home::new();
    h.import_key("k2", K2_KEY, "mainnet").ok();
    // `--message -` and `--file -` read stdin (before: "-" was signed as the message).
    for opt in ["--message", "--file"] {
        let mut c = h.cmd();
        c.args(["--json", "sign", "message", "k2", opt, "-"])
            .write_stdin("hello world");
        assert_eq!(signature(run(c)), HELLO_SIG, "{opt} -");
    }
    // `--password-file -` reads the password from stdin.
    let mut c = h.bare();
    c.args([
        "--password-file",
        "-",
        "--json",
        "sign",
        "message",
        "k2",
        "--message",
        "hello world",
    ])
    .write_stdin(format!("{PASSWORD}\n"));
    assert_eq!(signature(run(c)), HELLO_SIG);
}

#[test]
fn two_inputs_on_stdin_are_refused_before_anything_is_read() {
    let h = Home::new();
    h.import_key("k2", K2_KEY, "mainnet").ok();
    let two =
        "error: two inputs ask for stdin (-); only one can read it: give the other as a file\n";
    let cases: [&[&str]; 4] = [
        &["sign", "message", "k2", "--message", "-"],
        &["sign", "message", "k2", "-"],
        &["sign", "doc", "k2", "-", "--yes"],
        &["keys", "import", "x", "--keystore", "-"],
    ];
    for args in cases {
        let mut c = h.bare();
        c.args(["--password-file", "-"])
            .args(args)
            .write_stdin(format!("{PASSWORD}\n"));
        let out = run(c).expect_code(2);
        assert_eq!(out.stderr, two, "{args:?}");
        assert_eq!(out.stdout, "", "{args:?}");
    }
    assert!(!h.home.join("x.json").exists());
}

#[test]
fn dash_where_a_real_path_is_needed_is_refused() {
    let h = Home::new();
    let mut c = dexlink();
    c.args(["--home", "-", "keys", "list"]);
    assert_eq!(
        run(c).expect_code(2).stderr,
        "error: --home is the key directory; - (stdin) cannot stand in for it: give a path\n"
    );
    let mut c = h.cmd();
    c.args(["devnet", "--state", "-"]);
    assert_eq!(
        run(c).expect_code(2).stderr,
        "error: --state is the devnet's state file, read and written as the node runs; - (stdin) cannot stand in for it: give a path\n"
    );
}

#[test]
fn a_keystore_on_stdin_needs_its_password_from_a_terminal() {
    let h = Home::new();
    // No controlling terminal (setsid), so the prompt cannot be shown: refused, nothing stored.
    let mut c = std::process::Command::new("setsid");
    c.arg(bin())
        .arg("--home")
        .arg(&h.home)
        .arg("--password-file")
        .arg(&h.pwfile)
        .args(["keys", "import", "x", "--keystore", "-"])
        .env(TEST_KDF_VAR, TEST_KDF_LOG_N)
        .env_remove("DEXLINK_PASSWORD");
    let out = assert_cmd::Command::from_std(c)
        .write_stdin("{}")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: the keystore was read from stdin, so its password must be typed on a terminal, and there is none; give the keystore as a file to pipe the password in\n"
    );
    assert!(!h.home.join("x.json").exists());
}

/// V10's order (docs/upstream-vectors.md §5) offline, with the market-file check.
fn v10_order(h: &Home, quantity: &str, extra: &[&str]) -> assert_cmd::Command {
    let mut c = h.cmd();
    c.args([
        "--json",
        "order",
        "place",
        "v7",
        "--symbol",
        "NNB-338_BNB",
        "--side",
        "buy",
        "--price",
        "1.3635",
        "--quantity",
        quantity,
        "--tif",
        "gte",
        "--chain-id",
        "chain-bnb",
        "--account-number",
        "12",
        "--sequence",
        "35",
        "--source",
        "1",
        "--hrp",
        "bnb",
        "--offline",
        "--yes",
    ])
    .args(extra);
    c
}

/// NNB-338_BNB as the DEX lists it (docs/dex-api.md: `GET /api/v1/markets`): tick 1e-8, lot 1.
const NNB_MARKETS: &str = r#"[{"base_asset_symbol":"NNB-338","quote_asset_symbol":"BNB","list_price":"1.36350000","tick_size":"0.00000001","lot_size":"1.00000000"}]"#;

#[test]
fn offline_orders_are_checked_against_a_market_file() {
    let h = Home::new();
    h.import_key("v7", V7_KEY, "mainnet").ok();
    let file = h.path("markets.json");
    std::fs::write(&file, NNB_MARKETS).unwrap();
    let file = file.to_str().unwrap();
    // On tick and lot: V10 exactly.
    let out = run(v10_order(&h, "1", &["--market-file", file])).ok();
    assert_eq!(out.json()["tx_hex"], V10_TX);
    assert_eq!(out.stderr, "");
    // Off the lot: refused, from the file or from stdin.
    let off_lot =
        "error: quantity 0.5 is not a multiple of the market's lot size 1; nothing was signed\n";
    let out = run(v10_order(&h, "0.5", &["--market-file", file])).expect_code(2);
    assert_eq!(out.stderr, off_lot);
    // --json: the same error as an object on stdout.
    assert_eq!(out.json()["error"]["kind"], "order");
    let mut c = v10_order(&h, "0.5", &["--market-file", "-"]);
    c.write_stdin(NNB_MARKETS);
    assert_eq!(run(c).expect_code(2).stderr, off_lot);
    // A market the file does not list.
    let empty = h.path("none.json");
    std::fs::write(&empty, "[]").unwrap();
    let out = run(v10_order(
        &h,
        "1",
        &["--market-file", empty.to_str().unwrap()],
    ));
    assert_eq!(
        out.expect_code(2).stderr,
        "error: the market file has no market NNB-338_BNB; see `dexlink markets` for the list; nothing was signed\n"
    );
    // Neither a file nor a cache: signed, with a note that nothing was checked.
    let out = run(v10_order(&h, "0.5", &[])).ok();
    assert_eq!(
        out.stderr,
        "note: tick and lot sizes were not checked: no --market-file and no markets cached for chain-bnb (any online command that lists markets caches them)\n"
    );
}

#[test]
fn offline_orders_use_the_markets_cached_by_the_last_online_use() {
    let dn = Devnet::start(&[]);
    let h = Home::new();
    h.import_key("v7t", V7_KEY, "testnet").ok();
    let mut c = h.cmd();
    c.args(["markets", "--dex", &dn.url]);
    run(c).ok();
    // Unchanged markets are not written again (each write syncs the file and the directory):
    // the cache is still the file the first listing wrote (a write replaces it by rename).
    let cache = h.home.join("state/markets-Binance-Chain-Ganges.json");
    let inode = |p: &Path| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).unwrap());
    let first = inode(&cache);
    let mut c = h.cmd();
    c.args(["markets", "--dex", &dn.url]);
    run(c).ok();
    assert_eq!(inode(&cache), first);
    // BNB_BUSD-BD1's lot on the devnet is 0.01 (DevnetConfig::default, docs/devnet.md).
    let mut c = h.cmd();
    c.args([
        "--json",
        "order",
        "place",
        "v7t",
        "--symbol",
        "BNB_BUSD-BD1",
        "--side",
        "buy",
        "--price",
        "300",
        "--quantity",
        "0.005",
        "--chain-id",
        "Binance-Chain-Ganges",
        "--account-number",
        "0",
        "--sequence",
        "0",
        "--offline",
        "--yes",
    ]);
    let out = run(c).expect_code(2);
    assert_eq!(
        out.stderr,
        "error: quantity 0.005 is not a multiple of the market's lot size 0.01; nothing was signed\n"
    );
    // --json: the same error as an object on stdout.
    assert_eq!(out.json()["error"]["kind"], "order");
}

#[test]
fn input_error_wording() {
    let h = Home::new();
    h.import_key("k2", K2_KEY, "mainnet").ok();
    // A malformed address is reported as one, not as a missing entry.
    let mut c = h.cmd();
    c.args(["account", "tbnb1bad"]);
    assert_eq!(
        run(c).expect_code(2).stderr,
        "error: tbnb1bad is malformed as an address: invalid address: bech32 data contains invalid character 'b' at position 5\n"
    );
    // A BEP-333 recovery request (test-vectors/token-recover.json) given to `sign message`
    // points to `recover sign`.
    let vectors: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/token-recover.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let message = vectors["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["type"] == "token-recover")
        .and_then(|v| v["message"].as_str())
        .unwrap()
        .to_string();
    let mut c = h.cmd();
    c.args(["sign", "message", "k2", "-"]).write_stdin(message);
    assert_eq!(
        run(c).expect_code(2).stderr,
        "error: this message is a BEP-333 token recovery request; signing it would authorise moving your tokens to the recipient on BSC. Use `dexlink recover sign` to review and sign recovery requests\n"
    );
}

#[test]
fn vectors_run_reads_one_file_from_stdin() {
    let p = vectors_dir().join("bip39-invalid.json");
    let text = std::fs::read_to_string(&p).unwrap();
    let n = serde_json::from_str::<serde_json::Value>(&text).unwrap()["vectors"]
        .as_array()
        .unwrap()
        .len();
    let mut c = dexlink();
    c.args(["vectors", "run", "-"]).write_stdin(text);
    let out = run(c).ok();
    assert_eq!(
        out.stdout.lines().last().unwrap(),
        format!("{n} passed, 0 failed")
    );
    let mut c = dexlink();
    c.args(["vectors", "run", "-"]).arg(&p);
    assert_eq!(
        run(c).expect_code(2).stderr,
        "error: - (a vector file on stdin) cannot be mixed with paths; give it alone\n"
    );
}

/// An HTTPS server on loopback presenting the SDK tests' self-signed certificate
/// (`sdk/tests/data`), answering every request with `[]`; reports each request line.
fn self_signed_https_server() -> (u16, std::sync::mpsc::Receiver<String>) {
    use std::io::{Read, Write};
    use std::sync::Arc;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![
                include_bytes!("../../sdk/tests/data/self_signed_cert.der")
                    .to_vec()
                    .into(),
            ],
            rustls::pki_types::PrivateKeyDer::Pkcs8(
                include_bytes!("../../sdk/tests/data/self_signed_key.der")
                    .to_vec()
                    .into(),
            ),
        )
        .unwrap();
    let config = Arc::new(config);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let _ = tcp.set_read_timeout(Some(std::time::Duration::from_secs(10)));
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                match tls.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            let line = String::from_utf8_lossy(&head)
                .lines()
                .next()
                .unwrap_or("")
                .to_string();
            let _ = tls.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n[]",
            );
            tls.conn.send_close_notify();
            let _ = tls.flush();
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    (port, rx)
}

/// The CLI trusts the platform's roots; `SSL_CERT_FILE` replaces them (rustls-native-certs, on
/// Linux and the BSDs), which is how a DEX with a private or self-signed certificate is reached.
#[test]
fn ssl_cert_file_makes_the_cli_trust_a_dexs_own_certificate() {
    let (port, requests) = self_signed_https_server();
    let dex = format!("https://127.0.0.1:{port}");
    let mut c = dexlink();
    c.args(["markets", "--dex", &dex])
        .env_remove("SSL_CERT_DIR");
    let out = run(c).expect_code(1);
    assert!(
        out.stderr
            .contains("invalid peer certificate: UnknownIssuer"),
        "{}",
        out.stderr
    );
    let pem = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/tests/data/self_signed_cert.pem");
    let mut c = dexlink();
    c.args(["--json", "markets", "--dex", &dex])
        .env("SSL_CERT_FILE", &pem)
        .env_remove("SSL_CERT_DIR");
    let out = run(c).ok();
    assert_eq!(
        out.json()["markets"],
        serde_json::json!([]),
        "{}",
        out.stdout
    );
    let lines: Vec<String> = requests.try_iter().collect();
    assert!(
        lines.iter().any(|l| l.starts_with("GET /api/v1/markets")),
        "{lines:?}"
    );
}
