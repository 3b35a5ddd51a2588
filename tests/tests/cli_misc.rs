//! `quickstart`, `vectors run`, and the help texts: every command has an example, and no help
//! ever shows the value of DEXLINK_PASSWORD.

mod common;

use std::path::Path;

use common::*;

#[test]
fn quickstart_runs_and_reports_three_transactions() {
    let mut c = dexlink();
    c.args(["--json", "quickstart"]);
    let v = run(c).ok().json();
    let txs = v["txs"].as_object().expect("txs object");
    assert_eq!(txs.len(), 3, "{v}");
    let mut hashes: Vec<&str> = Vec::new();
    for key in ["place", "cancel", "send"] {
        let h = txs[key].as_str().expect(key);
        assert_eq!(h.len(), 64, "{key}: {h}");
        assert!(h.bytes().all(|b| b.is_ascii_hexdigit()), "{h}");
        hashes.push(h);
    }
    hashes.sort();
    hashes.dedup();
    assert_eq!(hashes.len(), 3, "three distinct transactions");
    assert_eq!(v["open_orders_after_cancel"], 0);
    // The throwaway key store existed during the run and is gone after it.
    let store = v["key_store_removed"].as_str().expect("key store path");
    assert!(store.contains("dexlink-quickstart-"), "{store}");
    assert!(!Path::new(store).exists(), "{store} was left behind");

    // The human form: twelve lines, each step with its outcome (keys, hashes and ports are
    // fresh each run, so those lines are checked around them).
    let out = run({
        let mut c = dexlink();
        c.arg("quickstart");
        c
    })
    .ok();
    let l: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(l.len(), 12, "{}", out.stdout);
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
    let removed = l[10]
        .strip_prefix("8. cleaned up: stopped the node, removed ")
        .expect("the clean-up line");
    assert!(!Path::new(removed).exists(), "{removed} was left behind");
    assert_eq!(
        l[11],
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
