//! Every command of README.md runs: each line of its ```sh blocks is run with `bash -c`, in
//! order, in a temporary directory and key store, against a devnet, with `dexlink` on PATH
//! being the binary under test. A command that stops existing (or changes its options) makes
//! its line fail here. Only the lines in [`NOT_RUN`] are skipped, each with its reason.
//!
//! What the test changes in a line, and nothing else:
//! - placeholders: `--to tbnb1...` is bob's address (`tbnb1grpf…`, the key in `key.txt`),
//!   any other `tbnb1...` alice's; `<ID>` is the `order_id` and `<HEX>` the `tx_hex`
//!   last printed by an earlier line;
//! - `--yes` is added to the commands that ask for confirmation (see [`CONFIRMS`]): the README
//!   shows them as a person types them, at a terminal;
//! - `keys new` gets `--mnemonic-out FILE` (the mnemonic is shown only on a terminal), and
//!   `keys export --format keystore-…` gets `--export-password-file FILE` (a new password is
//!   asked twice on a terminal);
//! - secrets come from where the README says, never argv: the key-store password from
//!   `DEXLINK_PASSWORD`, a keystore's own password on stdin (the files `key.txt`,
//!   `wallet.json`, `my-binance-wallet.json` are made from the test vectors; `request.json`
//!   is the sign document of the `unsigned.json` an earlier line wrote).

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

/// Lines that are not run, by prefix, and why.
const NOT_RUN: &[(&str, &str)] = &[
    (
        "cargo ",
        "builds, installs or tests this workspace: that is what runs this test",
    ),
    (
        "dexlink devnet",
        "runs until Ctrl-C; the test starts its own devnet",
    ),
    (
        "dexlink watch",
        "runs until Ctrl-C; tests/tests/devnet.rs and market.rs drive it and stop it with SIGINT",
    ),
    (
        "export DEXLINK_DEX=",
        "the URL is an example; DEXLINK_DEX is the test's devnet",
    ),
];

/// Commands that ask `[y/N]` before signing or exporting.
const CONFIRMS: &[&str] = &[
    "dexlink link ",
    "dexlink order place ",
    "dexlink order cancel ",
    "dexlink send ",
    "dexlink freeze ",
    "dexlink unfreeze ",
    "dexlink tx sign ",
    "dexlink sign doc ",
    "dexlink recover sign ",
    "dexlink keys export ",
];

const README: &str = include_str!("../../README.md");

/// The lines of the README's ```sh blocks (indented blocks too), `\` continuations joined.
fn sh_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_sh = !in_sh && t == "```sh";
            continue;
        }
        if !in_sh || t.is_empty() {
            continue;
        }
        if let Some(head) = t.strip_suffix('\\') {
            pending.push_str(head);
            continue;
        }
        pending.push_str(t);
        out.push(std::mem::take(&mut pending));
    }
    out
}

/// A line without its trailing `# comment` (two spaces before the `#`, as the README writes).
fn strip_comment(line: &str) -> &str {
    match line.find("  #") {
        Some(i) => line[..i].trim_end(),
        None => line,
    }
}

/// Adds `extra` to the command before any redirection (` > ` or ` < `).
fn add_args(cmd: &str, extra: &str) -> String {
    match [" > ", " < "].iter().filter_map(|r| cmd.find(r)).min() {
        Some(i) => format!("{}{extra}{}", &cmd[..i], &cmd[i..]),
        None => format!("{cmd}{extra}"),
    }
}

/// The last `name:` value a human-output line printed (`order_id:   X`).
fn printed(stdout: &str, name: &str) -> Option<String> {
    stdout
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .map(|v| v.trim().to_string())
}

fn vector_keystore(file: &str) -> (Value, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../test-vectors")
        .join(file);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let case = v["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["password"].is_string() && c["private_key"].is_string())
        .unwrap()
        .clone();
    (
        case["keystore"].clone(),
        case["password"].as_str().unwrap().to_string(),
    )
}

#[test]
fn every_readme_command_runs() {
    let lines = sh_lines(README);
    assert!(lines.len() > 30, "only {} sh lines found", lines.len());

    let d = Devnet::start(&[]);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("key.txt"), format!("{K2_KEY}\n")).unwrap();
    let mut keystore_passwords = Vec::new();
    for (vectors, file) in [
        ("keystore-web3.json", "wallet.json"),
        ("keystore-binance.json", "my-binance-wallet.json"),
    ] {
        let (ks, pw) = vector_keystore(vectors);
        std::fs::write(dir.join(file), ks.to_string()).unwrap();
        keystore_passwords.push((file, pw));
    }
    let export_pw = dir.join("export.pw");
    write_private(&export_pw, "Export-Password-5521\n");
    let words = dir.join("alice.words");
    let bin_dir = bin().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let mut alice = String::new();
    let mut last_order_id = None::<String>;
    let mut last_hex = None::<String>;
    let mut ran = 0;
    let mut failed = Vec::new();
    let mut skipped = Vec::new();
    for raw in &lines {
        let line = strip_comment(raw);
        if let Some((_, why)) = NOT_RUN.iter().find(|(p, _)| line.starts_with(p)) {
            skipped.push(format!("{line}  ({why})"));
            continue;
        }
        assert!(
            line.starts_with("dexlink ") || line.starts_with("curl "),
            "README line the test does not know how to run: {line}\n(add it to NOT_RUN with a reason)"
        );
        // Placeholders.
        if line.contains("tbnb1...") {
            assert!(!alice.is_empty(), "tbnb1... before alice exists: {line}");
        }
        let mut cmd = line
            .replace("--to tbnb1...", &format!("--to {K2_TBNB}"))
            .replace("tbnb1...", &alice);
        if cmd.contains("<ID>") {
            let id = last_order_id.clone().expect("an order id printed earlier");
            cmd = cmd.replace("<ID>", &id);
        }
        if cmd.contains("<HEX>") {
            let hex = last_hex.clone().expect("a tx_hex printed earlier");
            cmd = cmd.replace("<HEX>", &hex);
        }
        // Non-interactive forms of interactive steps.
        if CONFIRMS.iter().any(|p| cmd.starts_with(p)) {
            cmd = add_args(&cmd, " --yes");
        }
        if cmd.starts_with("dexlink keys new ") {
            cmd = add_args(&cmd, &format!(" --mnemonic-out {}", words.display()));
        }
        if cmd.starts_with("dexlink keys export ") && cmd.contains("--format keystore") {
            cmd = add_args(
                &cmd,
                &format!(" --export-password-file {}", export_pw.display()),
            );
        }
        if cmd.starts_with("dexlink sign doc ") {
            let unsigned: Value = serde_json::from_str(
                &std::fs::read_to_string(dir.join("unsigned.json"))
                    .expect("an earlier line wrote unsigned.json"),
            )
            .unwrap();
            std::fs::write(dir.join("request.json"), unsigned["sign_doc"].to_string()).unwrap();
        }
        let stdin = keystore_passwords
            .iter()
            .find(|(file, _)| {
                cmd.starts_with("dexlink keys import ")
                    && cmd.contains(&format!("--keystore {file}"))
            })
            .map(|(_, pw)| format!("{pw}\n"))
            .unwrap_or_default();

        let mut c = assert_cmd::Command::new("bash");
        c.arg("-c")
            .arg(&cmd)
            .current_dir(dir)
            .env("PATH", &path)
            .env("HOME", dir)
            .env("DEXLINK_HOME", dir.join("home"))
            .env("DEXLINK_PASSWORD", PASSWORD)
            .env("DEXLINK_DEX", &d.url)
            .env(TEST_KDF_VAR, TEST_KDF_LOG_N)
            .write_stdin(stdin)
            .timeout(std::time::Duration::from_secs(120));
        let out = run(c);
        ran += 1;
        if out.code != 0 {
            failed.push(format!(
                "{cmd}\n  exit {}\n  stdout: {}\n  stderr: {}",
                out.code, out.stdout, out.stderr
            ));
            continue;
        }
        if cmd.starts_with("dexlink keys new alice") {
            let mut c = dexlink();
            c.args(["--home", dir.join("home").to_str().unwrap()])
                .args(["keys", "show", "alice", "-q"]);
            alice = run(c).ok().stdout.trim().to_string();
            assert!(alice.starts_with("tbnb1"), "{alice}");
        }
        if let Some(id) = printed(&out.stdout, "order_id") {
            last_order_id = Some(id);
        }
        if let Some(hex) = printed(&out.stdout, "tx_hex") {
            last_hex = Some(hex);
        }
    }
    assert!(
        failed.is_empty(),
        "README lines failed:\n{}",
        failed.join("\n")
    );
    // Every skipped line is one of the kinds listed, and the rest really ran.
    assert!(ran > 25, "only {ran} lines ran; skipped: {skipped:#?}");
    // The tour did what it says on the chain: 100 BNB from the faucet; an order placed and
    // cancelled, 1.5 sent, 1.5 sent air-gapped (broadcast once), 1 frozen: five transactions.
    let acct = d.account(&alice);
    assert_eq!(acct["sequence"], 5, "{acct}");
    assert_eq!(
        acct["balances"],
        serde_json::json!([{"free": "96.00000000", "frozen": "1.00000000", "locked": "0.00000000", "symbol": "BNB"}])
    );
    assert_eq!(d.balance(K2_TBNB, "BNB"), (3.0, 0.0));
}

#[test]
fn the_docs_the_readme_links_exist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut missing = Vec::new();
    let mut seen = 0;
    // `docs/….md` in text and code spans, and relative Markdown links `](….md)`.
    for (i, _) in README.match_indices("docs/") {
        let rest = &README[i..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || "/._-".contains(c)))
            .unwrap_or(rest.len());
        let p = rest[..end].trim_end_matches('.');
        if p.ends_with(".md") {
            seen += 1;
            if !root.join(p).is_file() {
                missing.push(p.to_string());
            }
        }
    }
    for (i, _) in README.match_indices("](") {
        let rest = &README[i + 2..];
        let target = &rest[..rest.find(')').unwrap()];
        if target.contains("://") || target.starts_with('#') {
            continue;
        }
        seen += 1;
        if !root.join(target).exists() {
            missing.push(target.to_string());
        }
    }
    assert!(seen >= 4, "only {seen} links found");
    assert!(
        missing.is_empty(),
        "README links to missing files: {missing:?}"
    );
}

/// The line parser: continuations, indented fences, and comments.
#[test]
fn the_readme_parser_reads_sh_blocks() {
    let text = "intro\n```sh\ndexlink a \\\n  --b c   # note\n```\n```text\n$ dexlink x\n```\n  ```sh\n  cargo test\n  ```\n";
    let lines = sh_lines(text);
    assert_eq!(lines, vec!["dexlink a --b c   # note", "cargo test"]);
    assert_eq!(strip_comment(&lines[0]), "dexlink a --b c");
    assert_eq!(
        add_args("dexlink tx sign a u.json > s.hex", " --yes"),
        "dexlink tx sign a u.json --yes > s.hex"
    );
}
