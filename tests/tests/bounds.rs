//! Hostile and careless input (issue 13): every file input is a bounded read of a regular file,
//! stdin is bounded, a DEX that streams without end is cut off, a TLS failure is a message (not
//! death by SIGPIPE), and a closed stdout ends the CLI quietly.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::*;

/// No command here may wait for input that never comes: a hang fails the test instead.
const GUARD: Duration = Duration::from_secs(30);

fn mkfifo(path: &Path) {
    let st = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(st.success(), "mkfifo {}", path.display());
}

/// `keys import x --keystore PATH` with a bare home: the keystore is read before any password.
fn import_keystore(h: &Home, path: &Path) -> Out {
    let mut c = h.bare();
    c.args(["keys", "import", "x", "--keystore"])
        .arg(path)
        .timeout(GUARD);
    run(c)
}

/// `keys import x --private-key` (the key on stdin) reading the new password from `pw`.
fn new_with_password_file(h: &Home, pw: &Path) -> Out {
    let mut c = h.bare();
    c.arg("--password-file")
        .arg(pw)
        .args([
            "keys",
            "import",
            "x",
            "--private-key",
            "--network",
            "testnet",
        ])
        .write_stdin(format!("{V7_KEY}\n"))
        .timeout(GUARD);
    run(c)
}

#[test]
fn a_keystore_symlinked_to_dev_zero_is_refused_unread() {
    let h = Home::new();
    let z = h.path("z.json");
    std::os::unix::fs::symlink("/dev/zero", &z).unwrap();
    let out = import_keystore(&h, &z).expect_code(2);
    assert_eq!(
        out.stderr,
        format!(
            "error: keystore file {} is a character device, not a regular file; give the path of a regular file\n",
            z.display()
        )
    );
}

#[test]
fn a_keystore_fifo_is_refused_without_hanging() {
    let h = Home::new();
    let f = h.path("k.json");
    mkfifo(&f);
    let out = import_keystore(&h, &f).expect_code(2);
    assert_eq!(
        out.stderr,
        format!(
            "error: keystore file {} is a FIFO (named pipe), not a regular file; give the path of a regular file\n",
            f.display()
        )
    );
}

#[test]
fn a_keystore_larger_than_64_kib_is_refused() {
    let h = Home::new();
    let k = h.path("big.json");
    std::fs::write(&k, vec![b' '; 64 * 1024 + 1]).unwrap();
    let out = import_keystore(&h, &k).expect_code(2);
    assert_eq!(
        out.stderr,
        format!(
            "error: keystore file {} is larger than 65536 bytes, the limit for a keystore file; check that it is the right input\n",
            k.display()
        )
    );
}

#[test]
fn a_password_fifo_is_refused_without_hanging() {
    let h = Home::new();
    let f = h.path("pw.fifo");
    mkfifo(&f);
    let out = new_with_password_file(&h, &f).expect_code(2);
    assert_eq!(
        out.stderr,
        format!(
            "error: password file {} is a FIFO (named pipe), not a regular file; give the path of a regular file\n",
            f.display()
        )
    );
}

#[test]
fn a_200_mb_password_file_is_refused_by_its_size() {
    let h = Home::new();
    let p = h.path("pw.big");
    write_private(&p, "");
    // Sparse: no disk space used, but 200 MB to anyone who reads it.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&p)
        .unwrap()
        .set_len(200 * 1024 * 1024)
        .unwrap();
    let out = new_with_password_file(&h, &p).expect_code(2);
    assert_eq!(
        out.stderr,
        format!(
            "error: password file {} is larger than 4096 bytes, the limit for a password file; check that it is the right input\n",
            p.display()
        )
    );
}

#[test]
fn a_password_file_that_is_a_directory_or_dev_zero_is_refused() {
    let h = Home::new();
    let d = h.path("pwdir");
    std::fs::create_dir(&d).unwrap();
    std::fs::set_permissions(&d, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let out = new_with_password_file(&h, &d).expect_code(2);
    assert_eq!(
        out.stderr,
        format!(
            "error: password file {} is a directory, not a regular file; give the path of a regular file\n",
            d.display()
        )
    );
    let z = h.path("pw.zero");
    std::os::unix::fs::symlink("/dev/zero", &z).unwrap();
    let out = new_with_password_file(&h, &z).expect_code(2);
    assert!(
        out.stderr
            .contains("is a character device, not a regular file"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_password_file_readable_by_others_is_refused() {
    let h = Home::new();
    let p = h.path("pw.open");
    std::fs::write(&p, format!("{PASSWORD}\n")).unwrap();
    std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let out = new_with_password_file(&h, &p).expect_code(2);
    assert_eq!(
        out.stderr,
        format!(
            "error: password file {} is accessible by other users (mode 644); run: chmod 600 {}\n",
            p.display(),
            p.display()
        )
    );
}

#[test]
fn a_sign_doc_from_dev_zero_or_a_fifo_is_refused() {
    let h = Home::new();
    let z = h.path("doc.json");
    std::os::unix::fs::symlink("/dev/zero", &z).unwrap();
    let mut c = h.bare();
    c.args(["sign", "doc", "alice"]).arg(&z).timeout(GUARD);
    let out = run(c).expect_code(2);
    assert_eq!(
        out.stderr,
        format!(
            "error: sign document {} is a character device, not a regular file; give the path of a regular file\n",
            z.display()
        )
    );
    let f = h.path("doc.fifo");
    mkfifo(&f);
    let mut c = h.bare();
    c.args(["verify", "--address", V7_BNB, "--public-key", V7_PUB])
        .args(["--signature", V10_SIG, "--file"])
        .arg(&f)
        .timeout(GUARD);
    let out = run(c).expect_code(2);
    assert_eq!(
        out.stderr,
        format!(
            "error: message {} is a FIFO (named pipe), not a regular file; give the path of a regular file\n",
            f.display()
        )
    );
}

#[test]
fn a_vector_file_fifo_is_refused() {
    let h = Home::new();
    let f = h.path("v.json");
    mkfifo(&f);
    let mut c = dexlink();
    c.args(["vectors", "run"]).arg(&f).timeout(GUARD);
    let out = run(c).expect_code(2);
    assert_eq!(
        out.stderr,
        format!(
            "error: vector file {} is a FIFO (named pipe), not a regular file; give the path of a regular file\n",
            f.display()
        )
    );
}

#[test]
fn a_symlink_loop_under_a_vector_directory_is_not_followed() {
    let h = Home::new();
    let dir = h.path("vectors");
    std::fs::create_dir(&dir).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/bech32-bip173.json");
    std::fs::copy(&src, dir.join("bech32-bip173.json")).unwrap();
    // A link back to the directory itself: following it recursed until the stack overflowed.
    std::os::unix::fs::symlink(".", dir.join("loop")).unwrap();
    let mut c = dexlink();
    c.args(["vectors", "run", "--json"])
        .arg(&dir)
        .timeout(GUARD);
    let out = run(c).ok();
    let files = out.json()["files"].as_array().expect("files").len();
    assert_eq!(files, 1, "{}", out.stdout);
}

#[test]
fn stdin_is_bounded() {
    // 1 MiB + 1 byte of hex on stdin for `tx decode -`.
    let mut c = dexlink();
    c.args(["tx", "decode", "-"])
        .write_stdin(vec![b'0'; 1024 * 1024 + 1])
        .timeout(GUARD);
    let out = run(c).expect_code(2);
    assert_eq!(
        out.stderr,
        "error: transaction stdin is larger than 1048576 bytes, the limit for a transaction; check that it is the right input\n"
    );
    // A secret on stdin: at most 4 KiB.
    let h = Home::new();
    let mut c = h.cmd();
    c.args(["keys", "import", "k", "--private-key"])
        .write_stdin(vec![b'a'; 4097])
        .timeout(GUARD);
    let out = run(c).expect_code(2);
    assert_eq!(
        out.stderr,
        "error: secret stdin is larger than 4096 bytes, the limit for a secret; check that it is the right input\n"
    );
}

/// A plain-HTTP server on loopback; `reply` writes the answer to each connection.
fn serve(reply: fn(&mut std::net::TcpStream)) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(mut s) = s else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                reply(&mut s);
            });
        }
    });
    port
}

/// Runs `dexlink ARGS` and returns its output and its peak resident memory in KiB. The child is
/// reaped with `wait4` (which reports the memory), not `Child::wait`.
#[allow(clippy::zombie_processes)]
fn run_measured(args: &[&str]) -> (Out, i64) {
    let child = std::process::Command::new(bin())
        .args(args)
        .env_remove("DEXLINK_HOME")
        .env_remove("DEXLINK_DEX")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut stdout = child.stdout.unwrap();
    let mut stderr = child.stderr.unwrap();
    let t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut out = String::new();
    let _ = stdout.read_to_string(&mut out);
    let err = t.join().unwrap();
    let mut status = 0;
    // SAFETY: plain FFI call with valid pointers; `ru` is fully written by wait4.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    assert_eq!(r, pid, "wait4");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    (
        Out {
            code,
            stdout: out,
            stderr: err,
        },
        ru.ru_maxrss,
    )
}

#[test]
fn an_endless_response_body_is_cut_off_at_the_limit() {
    let port = serve(|s| {
        let _ = s.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n[",
        );
        let chunk = vec![b' '; 64 * 1024];
        while s.write_all(&chunk).is_ok() {}
    });
    let url = format!("http://127.0.0.1:{port}");
    let (out, rss_kib) = run_measured(&["markets", "--dex", &url]);
    let out = out.expect_code(1);
    assert_eq!(
        out.stderr,
        format!(
            "error: the DEX at {url}/api/v1/markets?limit=1000 sent a response larger than 8388608 bytes, the client's limit; check that --dex is the DEX API's base URL\n"
        )
    );
    // The body is refused as it streams: the peak stays near the 8 MiB limit (the issue saw
    // 5.9 GB before an abort).
    eprintln!("peak RSS of `markets` against an endless body: {rss_kib} KiB");
    assert!(rss_kib < 64 * 1024, "peak RSS {rss_kib} KiB");
}

#[test]
fn a_declared_oversized_response_is_refused_before_reading() {
    let port = serve(|s| {
        let _ = s.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 10000000000\r\n\r\n[]",
        );
    });
    let url = format!("http://127.0.0.1:{port}");
    let mut c = dexlink();
    c.args(["markets", "--dex", &url]).timeout(GUARD);
    let out = run(c).expect_code(1);
    assert_eq!(
        out.stderr,
        format!(
            "error: the DEX at {url}/api/v1/markets?limit=1000 sent a response larger than 8388608 bytes, the client's limit; check that --dex is the DEX API's base URL\n"
        )
    );
}

#[test]
fn a_tls_failure_is_a_message_not_sigpipe_in_20_of_20_runs() {
    // An https:// URL whose server speaks plain HTTP and closes: writes after the close raised
    // SIGPIPE, which killed the CLI with 141 when SIGPIPE was reset to its default.
    let port = serve(|s| {
        let _ = s.write_all(
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        );
        let _ = s.shutdown(std::net::Shutdown::Both);
    });
    let url = format!("https://127.0.0.1:{port}");
    for i in 0..20 {
        let mut c = dexlink();
        c.args(["markets", "--dex", &url]).timeout(GUARD);
        let out = run(c);
        assert_eq!(out.code, 1, "run {i}: {}", out.stderr);
        assert!(
            out.stderr.starts_with(&format!(
                "error: TLS failure talking to {url}/api/v1/markets?limit=1000: "
            )),
            "run {i}: {}",
            out.stderr
        );
    }
}

#[test]
fn a_closed_stdout_ends_quietly_with_exit_1() {
    for args in [vec!["tx", "decode", V10_TX], vec!["completions", "bash"]] {
        // The read end is closed before the child starts: its first write fails with EPIPE.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = std::process::Command::new(bin())
            .args(&args)
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}
