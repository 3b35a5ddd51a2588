//! Confirmation before the password, and progress only on a terminal (issue 15).
//!
//! The password file of these commands is a FIFO nobody writes: reading it would block (or be
//! refused as not a regular file), so a command that reached the password before the
//! confirmation could not end with "cancelled".

mod common;

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

/// A FIFO in `dir` that nobody opens for writing (made once per directory).
fn fifo(dir: &Path) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    let path = dir.join("pw.fifo");
    if path.exists() {
        return path;
    }
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    path
}

fn home_with_keys() -> Home {
    let h = Home::new();
    h.import_key("pk", V7_KEY, "testnet").ok();
    h.import_mnemonic("hd", V1_MNEMONIC, "testnet").ok();
    h
}

/// `dexlink --home H --password-file FIFO ARGS`, stdin on a pseudo-terminal: waits for the
/// `[y/N] ` question on stderr, answers "n", and returns the exit code and stderr.
fn answer_no(h: &Home, args: &[&str]) -> (i32, String) {
    let fifo = fifo(h.tmp.path());
    let err_path = h.path("stderr");
    let (mut master, slave) = openpty();
    let mut c = std::process::Command::new(bin());
    for v in ["DEXLINK_HOME", "DEXLINK_PASSWORD", "DEXLINK_DEX"] {
        c.env_remove(v);
    }
    c.arg("--home")
        .arg(&h.home)
        .arg("--password-file")
        .arg(&fifo)
        .args(args)
        .env(TEST_KDF_VAR, TEST_KDF_LOG_N)
        .stdin(Stdio::from(slave))
        .stdout(Stdio::null())
        .stderr(File::create(&err_path).unwrap());
    let mut child = c.spawn().expect("spawn dexlink");
    let t = Instant::now();
    loop {
        let err = std::fs::read_to_string(&err_path).unwrap_or_default();
        if err.contains("[y/N] ") {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("{args:?} exited ({status}) before asking: {err}");
        }
        if t.elapsed() > Duration::from_secs(60) {
            child.kill().ok();
            panic!("{args:?}: no question within 60 s: {err}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    master.write_all(b"n\n").unwrap();
    let t = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if t.elapsed() > Duration::from_secs(60) {
            child.kill().ok();
            panic!("{args:?}: still running after the answer (reading the password?)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (
        status.code().unwrap_or(-1),
        std::fs::read_to_string(&err_path).unwrap(),
    )
}

#[track_caller]
fn assert_cancelled_without_password(args: &[&str], code: i32, stderr: &str) {
    assert_eq!(code, 1, "{args:?}: {stderr}");
    assert!(
        stderr.ends_with("? [y/N] error: cancelled; nothing was done\n"),
        "{args:?}: {stderr}"
    );
    assert!(!stderr.contains("assword"), "{args:?}: {stderr}");
}

#[test]
fn a_no_costs_no_password_read_offline() {
    let h = home_with_keys();
    let send = |entry: &'static str| {
        vec![
            "send",
            entry,
            "--to",
            K2_TBNB,
            "--amount",
            "1",
            "--asset",
            "BNB",
            "--offline",
            "--chain-id",
            "Binance-Chain-Ganges",
            "--account-number",
            "1",
            "--sequence",
            "0",
        ]
    };
    let recover = [
        "recover",
        "sign",
        "hd",
        "--symbol",
        "CAKE-435",
        "--amount",
        "0.00001",
        "--recipient",
        "0x441DE55A37F6C381b00Db8B52DF8f57794784a1A",
    ];
    let doc = h.path("doc.json");
    std::fs::write(&doc, V10_SB).unwrap();
    let sign_doc = ["sign", "doc", "pk", doc.to_str().unwrap()];
    for args in [send("pk"), send("hd"), recover.to_vec(), sign_doc.to_vec()] {
        let (code, stderr) = answer_no(&h, &args);
        assert_cancelled_without_password(&args, code, &stderr);
    }
    // The summary came first: the sender and amount of the send.
    let (_, stderr) = answer_no(&h, &send("hd"));
    assert_eq!(
        stderr,
        "About to sign: SEND 1 BNB to tbnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lx8xu7hm, from \
         tbnb1ss57e8sa7xnwq030k2ctr775uac9gjzglqhvpy; chain Binance-Chain-Ganges, account 1, \
         sequence 0, source 0, memo \"\"\nSign this transaction? [y/N] error: cancelled; nothing \
         was done\n"
    );
}

#[test]
fn a_no_costs_no_password_read_online() {
    let d = Devnet::start(&[]);
    d.fund(V1_TBNB0, "BNB", "10");
    let h = home_with_keys();
    for args in [
        vec!["link", "hd", "--dex", &d.url],
        vec![
            "send", "hd", "--to", K2_TBNB, "--amount", "1", "--asset", "BNB", "--dex", &d.url,
        ],
        vec![
            "freeze", "hd", "--asset", "BNB", "--amount", "1", "--dex", &d.url,
        ],
    ] {
        let (code, stderr) = answer_no(&h, &args);
        assert_cancelled_without_password(&args, code, &stderr);
    }
    assert_eq!(d.account(V1_TBNB0)["sequence"], 0, "nothing was sent");
}

/// An HD index the entry never recorded can only be learnt by unlocking: the password comes
/// first there (from the FIFO nobody writes: refused, nothing signed).
#[test]
fn an_unrecorded_index_is_unlocked_before_asking() {
    let h = home_with_keys();
    let fifo = fifo(h.tmp.path());
    let mut c = h.bare();
    c.arg("--password-file").arg(&fifo).args([
        "sign",
        "message",
        "hd",
        "--index",
        "9",
        "--message",
        "x",
    ]);
    let out = run(c);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("pw.fifo"), "{}", out.stderr);
}

/// Without a terminal, progress lines are not printed: an online send with --yes says nothing
/// on stderr at all.
#[test]
fn no_progress_without_a_terminal() {
    let d = Devnet::start(&[]);
    d.fund(V7_TBNB, "BNB", "10");
    let h = home_with_keys();
    let mut c = h.cmd();
    c.args([
        "send", "pk", "--to", K2_TBNB, "--amount", "1", "--asset", "BNB", "--yes", "--dex", &d.url,
    ]);
    let out = run(c).ok();
    assert_eq!(out.stderr, "");
    assert!(
        out.stdout.starts_with("broadcast: accepted\n"),
        "{}",
        out.stdout
    );
}

/// With stderr on a terminal, the slow steps say what they do: unlocking, then broadcasting.
#[test]
fn progress_on_a_terminal() {
    let d = Devnet::start(&[]);
    d.fund(V7_TBNB, "BNB", "10");
    let h = home_with_keys();
    let mut c = h.cmd_std();
    c.args([
        "send", "pk", "--to", K2_TBNB, "--amount", "1", "--asset", "BNB", "--yes", "--dex", &d.url,
    ]);
    let (code, text) = stderr_on_pty(c);
    assert_eq!(code, 0);
    assert_eq!(
        text,
        format!("Unlocking pk …\nBroadcasting to {} …\n", d.url)
    );
}

/// Runs a command with stderr on a pseudo-terminal (stdin and stdout elsewhere); returns its
/// exit code and what it wrote on stderr.
fn stderr_on_pty(c: std::process::Command) -> (i32, String) {
    stderr_on_pty_with_stdin(c, Path::new("/dev/null"))
}

/// [`stderr_on_pty`] with stdin read from a file.
fn stderr_on_pty_with_stdin(mut c: std::process::Command, stdin: &Path) -> (i32, String) {
    let (mut master, slave) = openpty();
    c.stdin(File::open(stdin).unwrap())
        .stdout(Stdio::null())
        .stderr(Stdio::from(slave));
    let mut child = c.spawn().unwrap();
    // The child's stderr is the only writer; read until it exits and the slave closes (EIO).
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        let mut b = [0u8; 512];
        while let Ok(n) = master.read(&mut b) {
            if n == 0 {
                break;
            }
            all.extend_from_slice(&b[..n]);
        }
        String::from_utf8_lossy(&all).replace("\r\n", "\n")
    });
    let status = child.wait().unwrap();
    drop(c);
    (status.code().unwrap_or(-1), reader.join().unwrap())
}

/// A 503 with `Retry-After` is waited out with a line saying so (on a terminal), then retried.
#[test]
fn a_retry_after_wait_is_told_on_a_terminal() {
    let d = Devnet::start(&[]);
    let (s, b) = d.post_json(
        "/devnet/faults",
        &serde_json::json!({"fail_status": 503, "fail_count": 1, "retry_after": 1}),
    );
    assert_eq!(s, 200, "{b}");
    let mut c = std::process::Command::new(bin());
    c.env_remove("DEXLINK_DEX")
        .args(["markets", "--dex", &d.url]);
    let (code, text) = stderr_on_pty(c);
    assert_eq!(code, 0, "{text}");
    assert_eq!(
        text,
        "the DEX is unavailable (HTTP 503); retrying in 1.0 s, as it asks …\n"
    );
}

/// `keys import` (scrypt at the default cost takes seconds) says it is encrypting, on a
/// terminal only.
#[test]
fn key_creation_says_it_is_encrypting_on_a_terminal() {
    let h = Home::new();
    let key = h.path("key.txt");
    std::fs::write(&key, format!("{V7_KEY}\n")).unwrap();
    let mut c = h.cmd_std();
    c.args([
        "keys",
        "import",
        "pk",
        "--private-key",
        "--network",
        "testnet",
    ]);
    let (code, text) = stderr_on_pty_with_stdin(c, &key);
    assert_eq!(code, 0, "{text}");
    assert_eq!(text, "Encrypting pk …\n");
}
