//! Memory scan of the real binary (issue 12, "Secure erasure, verified"): start `dexlink` with a
//! known key, mnemonic and password, stop it at defined points, read every writable mapping of
//! the process (`/proc/PID/maps` + `/proc/PID/mem`, as an attacker with root would) and count
//! every encoding of each secret.
//!
//! Stop points and what they allow (the table):
//! - the "Sign this transaction? [y/N]" prompt of `send --offline` (stdin is a pseudo-terminal;
//!   the process is blocked reading the answer): at most 1 copy of the key in use, 0 of the rest;
//! - an online `send` while the DEX holds its broadcast (a proxy in this test accepts the request
//!   and never answers): at most 1 (the key may re-sign after a sequence mismatch), 0 of the rest;
//! - `link` after its proof is signed, while the proof is being submitted (held the same way):
//!   0 of anything;
//! - the end of `keys export`, `sign message` and `recover sign` (the process is stopped by
//!   ptrace at its exit, PTRACE_EVENT_EXIT, before the kernel frees its memory): 0.
//!
//! Encodings counted: the key as raw big-endian bytes, as a little-endian scalar (the same bytes
//! as k256's and libsecp256k1's 4×64-bit and 8×32-bit limbs on little-endian machines; k256
//! keeps scalars in canonical, not Montgomery, form), as 5×52-bit limbs (the field-element form),
//! as lowercase and uppercase hex; the mnemonic text; the BIP-39 seed (raw and hex); the
//! key-store password; every BIP-32 chain code and intermediate private key on the path. The
//! seed, chain codes and intermediate keys below come from an independent implementation
//! (Python's hashlib/hmac and a textbook secp256k1, run by hand), whose last key is the upstream
//! vector V1_KEY0.
//!
//! Linux only; needs root (or CAP_SYS_PTRACE): the binary turns off PR_SET_DUMPABLE, which
//! keeps other users out of its memory. Run it alone with
//! `cargo test -p dexlink-tests --test memscan -- --nocapture` to see the counts.

#![cfg(target_os = "linux")]

mod common;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::FileExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use common::{
    Devnet, Home, PASSWORD, V1_KEY0, V1_MNEMONIC, V1_TBNB0, V7_KEY, V7_TBNB, bin, openpty,
};

/// BIP-39 seed of V1_MNEMONIC with no passphrase.
const V1_SEED: &str = "6bfc7eaf5fff529f454a2c16d60354dc8c50ef4270c17a568d7a92ac63308d5ab412c0c69ab4256c3b32345bf22d31e00c03921f7f3a426a4cf08f9359ec1194";
/// Private keys and chain codes of m, m/44', m/44'/714', m/44'/714'/0', m/44'/714'/0'/0 and
/// m/44'/714'/0'/0/0 of that seed (the last key is V1_KEY0).
const V1_PATH: [(&str, &str, &str); 6] = [
    (
        "m",
        "300ab14fba995aecc0ca9275177ec0747a8fa34b245fc477254e62f37916e626",
        "a6039ad4eb8a8bd47377eb797ee87971351a73095c9f4d4e41298fe566377391",
    ),
    (
        "m/44'",
        "668de0ed1aa3e9d40373dca8b05357a5688066e9d92a62a919b3920aff1b8eea",
        "93a4034b30728baa2dc08888cdb860212aabf9aeb98d58c5ef97f9456f2f2741",
    ),
    (
        "m/44'/714'",
        "f0f873e95b50b5a60a56abf7422e8d615d1b2ada5da35af81c1fb17f2352dad9",
        "29b3fbbf55afc8cc2768b56470e03d1c7d530d32c83d4217cf675a6ff045b9da",
    ),
    (
        "m/44'/714'/0'",
        "d70d14cc13c4edd9841f23fd84dc8abd75b6e5d0f7a3835c991028b7dde34b0d",
        "ef9b057eebd58efde3bc02f1d8ff13a17ad78cc2c28a3d4f273e25a718b9eb7c",
    ),
    (
        "m/44'/714'/0'/0",
        "4e7b80a1b77a4be6e365318a18083d39d94f3dcd57d9844fe38db6cb2821dab6",
        "aac066c9516f6202c85a88019d47e1ff4128d19716b3e7ed8f3aa6d7f677c9f6",
    ),
    (
        "m/44'/714'/0'/0/0",
        "caf2009a04bd53d426fc0907383b3f1dfe13013aee694d0159f6befc3fdccd5f",
        "5eb64d9c6ab10ea8957e35219d8e111bbcecd24e1322c762ae1f85171ea2e00e",
    ),
];

/// Whether a secret is the key the process is using at the stop point (it may be allowed one
/// copy) or anything else (never allowed).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    KeyInUse,
    Other,
}

struct Pattern {
    name: String,
    class: Class,
    bytes: Vec<u8>,
}

/// A 256-bit big-endian number as five 52-bit limbs (the last one 48 bits), little-endian
/// u64 words: k256's and libsecp256k1's field-element layout on 64-bit targets.
fn limbs_5x52(be: &[u8; 32]) -> Vec<u8> {
    let mut le = *be;
    le.reverse();
    let bit = |i: usize| (le[i / 8] >> (i % 8)) & 1;
    let mut out = Vec::with_capacity(40);
    for l in 0..5 {
        let mut v: u64 = 0;
        for b in 0..52 {
            let i = l * 52 + b;
            if i < 256 {
                v |= u64::from(bit(i)) << b;
            }
        }
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

/// Every encoding of a 32-byte private key.
fn key_patterns(out: &mut Vec<Pattern>, name: &str, hex_key: &str, class: Class) {
    let be: [u8; 32] = hex::decode(hex_key).unwrap().try_into().unwrap();
    let mut le = be;
    le.reverse();
    for (enc, bytes) in [
        ("be", be.to_vec()),
        ("le", le.to_vec()),
        ("5x52", limbs_5x52(&be)),
        ("hex", hex_key.to_ascii_lowercase().into_bytes()),
        ("HEX", hex_key.to_ascii_uppercase().into_bytes()),
    ] {
        out.push(Pattern {
            name: format!("{name}/{enc}"),
            class,
            bytes,
        });
    }
}

/// The patterns of a run with entry `pk` (key V7) or `hd` (the V1 mnemonic, index 0): the key
/// in use, the other entry's key, the password, the mnemonic, the seed, and every key and
/// chain code on the HD path.
fn patterns_for(entry: &str) -> Vec<Pattern> {
    let (in_use, other) = if entry == "pk" {
        (V7_KEY, V1_KEY0)
    } else {
        (V1_KEY0, V7_KEY)
    };
    let mut p = Vec::new();
    key_patterns(&mut p, "key", in_use, Class::KeyInUse);
    key_patterns(&mut p, "other-entry-key", other, Class::Other);
    let other = |name: &str, bytes: Vec<u8>| Pattern {
        name: name.to_string(),
        class: Class::Other,
        bytes,
    };
    p.push(other("password", PASSWORD.as_bytes().to_vec()));
    p.push(other("mnemonic", V1_MNEMONIC.as_bytes().to_vec()));
    // The first words alone: a phrase copied piecemeal leaves pieces, not the whole text.
    p.push(other(
        "mnemonic/first-words",
        b"fragile duck lunch".to_vec(),
    ));
    p.push(other("seed/raw", hex::decode(V1_SEED).unwrap()));
    p.push(other("seed/hex", V1_SEED.as_bytes().to_vec()));
    for (path, key, chain) in V1_PATH {
        p.push(other(
            &format!("chain-code {path}"),
            hex::decode(chain).unwrap(),
        ));
        // The last key is V1_KEY0, counted above (in use or the other entry's).
        if key != V1_KEY0 {
            let be = hex::decode(key).unwrap();
            let mut le = be.clone();
            le.reverse();
            p.push(other(&format!("key {path}/be"), be));
            p.push(other(&format!("key {path}/le"), le));
        }
    }
    p
}

/// Where each pattern was found: count, and the mappings holding it.
type Findings = BTreeMap<String, (usize, Vec<String>)>;

/// Reads every writable mapping of `pid` and counts each pattern in it.
fn scan(pid: i32, patterns: &[Pattern]) -> Findings {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).expect("read maps");
    let mem = File::open(format!("/proc/{pid}/mem")).expect("open /proc/PID/mem (root needed)");
    let mut found: Findings = patterns
        .iter()
        .map(|p| (p.name.clone(), (0, Vec::new())))
        .collect();
    let finders: Vec<_> = patterns
        .iter()
        .map(|p| memchr::memmem::Finder::new(&p.bytes))
        .collect();
    let overlap = patterns.iter().map(|p| p.bytes.len()).max().unwrap_or(1) - 1;
    const CHUNK: usize = 8 << 20;
    let mut buf = vec![0u8; CHUNK + overlap];
    for line in maps.lines() {
        let mut f = line.split_whitespace();
        let (Some(range), Some(perms)) = (f.next(), f.next()) else {
            continue;
        };
        let label = line
            .split_whitespace()
            .nth(5)
            .unwrap_or("[anon]")
            .to_string();
        if !perms.contains('w') || label == "[vvar]" || label == "[vsyscall]" {
            continue;
        }
        let (start, end) = range.split_once('-').unwrap();
        let (start, end) = (
            u64::from_str_radix(start, 16).unwrap(),
            u64::from_str_radix(end, 16).unwrap(),
        );
        // Chunks overlap by the longest pattern less one byte; a match is counted in the
        // chunk where it starts.
        let mut at = start;
        while at < end {
            let want = ((end - at) as usize).min(CHUNK + overlap);
            let Ok(n) = mem.read_at(&mut buf[..want], at) else {
                break;
            };
            if n == 0 {
                break;
            }
            let last = at + n as u64 >= end;
            for (p, finder) in patterns.iter().zip(&finders) {
                for pos in finder.find_iter(&buf[..n]) {
                    if pos >= CHUNK && !last {
                        continue;
                    }
                    let e = found.get_mut(&p.name).unwrap();
                    e.0 += 1;
                    e.1.push(format!("{label}+{:#x}", at + pos as u64 - start));
                }
            }
            at += n.min(CHUNK) as u64;
        }
    }
    found
}

/// The counts per pattern, printed for the report, and the violations of the stop point's
/// allowance: `key_allowed` copies of the key in use (all encodings together), 0 of the rest.
fn judge(stop: &str, patterns: &[Pattern], found: &Findings, key_allowed: usize) -> Vec<String> {
    let key_total: usize = patterns
        .iter()
        .filter(|p| p.class == Class::KeyInUse)
        .map(|p| found[&p.name].0)
        .sum();
    let mut summary = Vec::new();
    let mut bad = Vec::new();
    for p in patterns {
        let (n, at) = &found[&p.name];
        if *n > 0 {
            summary.push(format!("{}={n} {at:?}", p.name));
            if p.class == Class::Other {
                bad.push(format!("{stop}: {} found {n} times at {at:?}", p.name));
            }
        }
    }
    if key_total > key_allowed {
        bad.push(format!(
            "{stop}: the key in use has {key_total} copies, at most {key_allowed} allowed"
        ));
    }
    eprintln!(
        "memscan {stop}: key copies {key_total} (allowed {key_allowed}); {}",
        if summary.is_empty() {
            "nothing found".to_string()
        } else {
            summary.join("; ")
        }
    );
    bad
}

/// A `dexlink --home H --password-file PW` command (not assert_cmd: these are driven by hand).
fn command(h: &Home, args: &[&str]) -> std::process::Command {
    let mut c = std::process::Command::new(bin());
    for v in ["DEXLINK_HOME", "DEXLINK_PASSWORD", "DEXLINK_DEX"] {
        c.env_remove(v);
    }
    c.arg("--home")
        .arg(&h.home)
        .arg("--password-file")
        .arg(&h.pwfile)
        .args(args);
    c
}

/// Kills `pid` if the test has not finished with it within two minutes (a stuck child must not
/// hang the test run).
fn watchdog(pid: i32) -> Arc<AtomicBool> {
    let done = Arc::new(AtomicBool::new(false));
    let d = done.clone();
    std::thread::spawn(move || {
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(120) {
            if d.load(Ordering::Relaxed) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // SAFETY-free: kill has no memory effects; the pid is our own child.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    });
    done
}

fn waitpid(pid: i32) -> i32 {
    let mut status = 0;
    let r = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(r, pid, "waitpid: {}", std::io::Error::last_os_error());
    status
}

fn ptrace(req: libc::c_uint, pid: i32, data: usize) {
    let r = unsafe {
        libc::ptrace(
            req,
            pid,
            std::ptr::null_mut::<libc::c_void>(),
            data as *mut libc::c_void,
        )
    };
    assert_ne!(r, -1, "ptrace {req}: {}", std::io::Error::last_os_error());
}

/// Runs the command to its end under ptrace, scans its memory when it stops at its exit
/// (PTRACE_EVENT_EXIT: `main` has returned and every destructor has run, but the kernel has
/// not yet freed anything), and returns the findings, the exit code and stdout.
fn scan_at_exit(
    mut c: std::process::Command,
    stdin: &str,
    patterns: &[Pattern],
) -> (Findings, i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let (out_path, in_path) = (dir.path().join("out"), dir.path().join("in"));
    std::fs::write(&in_path, stdin).unwrap();
    c.stdin(File::open(&in_path).unwrap())
        .stdout(File::create(&out_path).unwrap())
        .stderr(Stdio::inherit());
    // SAFETY: between fork and exec only the async-signal-safe ptrace call runs.
    unsafe {
        c.pre_exec(|| {
            if libc::ptrace(
                libc::PTRACE_TRACEME,
                0,
                std::ptr::null_mut::<libc::c_void>(),
                std::ptr::null_mut::<libc::c_void>(),
            ) == -1
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = c.spawn().expect("spawn dexlink under ptrace");
    let pid = child.id() as i32;
    let done = watchdog(pid);
    let st = waitpid(pid);
    assert!(
        libc::WIFSTOPPED(st) && libc::WSTOPSIG(st) == libc::SIGTRAP,
        "the child stops at exec"
    );
    ptrace(
        libc::PTRACE_SETOPTIONS,
        pid,
        (libc::PTRACE_O_TRACEEXIT | libc::PTRACE_O_EXITKILL) as usize,
    );
    ptrace(libc::PTRACE_CONT, pid, 0);
    let mut findings = None;
    let code = loop {
        let st = waitpid(pid);
        if libc::WIFEXITED(st) {
            break libc::WEXITSTATUS(st);
        }
        if libc::WIFSIGNALED(st) {
            break 128 + libc::WTERMSIG(st);
        }
        if st >> 8 == (libc::SIGTRAP | (libc::PTRACE_EVENT_EXIT << 8)) {
            findings = Some(scan(pid, patterns));
            ptrace(libc::PTRACE_CONT, pid, 0);
        } else {
            // Any other stop is a signal to deliver as it was.
            ptrace(libc::PTRACE_CONT, pid, libc::WSTOPSIG(st) as usize);
        }
    };
    done.store(true, Ordering::Relaxed);
    drop(child);
    let stdout = std::fs::read_to_string(&out_path).unwrap();
    (
        findings.expect("the child stopped at its exit"),
        code,
        stdout,
    )
}

/// Whether every thread of `pid` is asleep (blocked), twice in a row 20 ms apart.
fn wait_until_blocked(pid: i32) {
    let t = Instant::now();
    let mut streak = 0;
    while t.elapsed() < Duration::from_secs(60) {
        let all_sleeping = std::fs::read_dir(format!("/proc/{pid}/task"))
            .map(|d| {
                d.flatten().all(|t| {
                    std::fs::read_to_string(t.path().join("stat"))
                        .map(|s| {
                            let after = s.rsplit_once(')').map(|x| x.1).unwrap_or("");
                            after.trim_start().starts_with('S')
                        })
                        .unwrap_or(false)
                })
            })
            .unwrap_or(false);
        streak = if all_sleeping { streak + 1 } else { 0 };
        if streak >= 2 {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("process {pid} never blocked");
}

/// Runs the command with stdin on a pseudo-terminal until it blocks at its `[y/N]` prompt,
/// scans it there, answers "n" and returns the findings and the exit code. With `password`, the
/// pseudo-terminal is the command's controlling terminal and the password is typed at its
/// hidden prompt first.
fn scan_at_prompt(
    mut c: std::process::Command,
    password: Option<&str>,
    patterns: &[Pattern],
) -> (Findings, i32) {
    let dir = tempfile::tempdir().unwrap();
    let err_path = dir.path().join("err");
    let (mut master, slave) = openpty();
    c.stdin(Stdio::from(slave))
        .stdout(Stdio::null())
        .stderr(File::create(&err_path).unwrap());
    if password.is_some() {
        // SAFETY: between fork and exec only async-signal-safe calls run.
        unsafe {
            c.pre_exec(|| {
                if libc::setsid() == -1 || libc::ioctl(0, libc::TIOCSCTTY, 0) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let mut child = c.spawn().expect("spawn dexlink on a pty");
    let pid = child.id() as i32;
    let done = watchdog(pid);
    if let Some(pw) = password {
        // What the command writes to its terminal (the prompt), read on the master side.
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (s2, mut m2) = (seen.clone(), master.try_clone().unwrap());
        std::thread::spawn(move || {
            let mut b = [0u8; 256];
            while let Ok(n) = m2.read(&mut b) {
                if n == 0 {
                    break;
                }
                s2.lock().unwrap().extend_from_slice(&b[..n]);
            }
        });
        let t = Instant::now();
        while !String::from_utf8_lossy(&seen.lock().unwrap()).contains("Password for ") {
            assert!(t.elapsed() < Duration::from_secs(60), "no password prompt");
            std::thread::sleep(Duration::from_millis(20));
        }
        master.write_all(format!("{pw}\n").as_bytes()).unwrap();
    }
    let t = Instant::now();
    loop {
        let err = std::fs::read_to_string(&err_path).unwrap_or_default();
        if err.contains("[y/N] ") {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "exited before the prompt: {err}"
        );
        assert!(t.elapsed() < Duration::from_secs(60), "no prompt: {err}");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Blocked in read(2) on fd 0: /proc/PID/syscall starts with the syscall number and the
    // first argument (the fd).
    let reading_stdin = format!("{} 0x0 ", libc::SYS_read);
    let t = Instant::now();
    loop {
        let sc = std::fs::read_to_string(format!("/proc/{pid}/syscall")).unwrap_or_default();
        if sc.starts_with(&reading_stdin) {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "not reading stdin: {sc}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let findings = scan(pid, patterns);
    master.write_all(b"n\n").unwrap();
    let code = child.wait().unwrap().code().unwrap_or(-1);
    done.store(true, Ordering::Relaxed);
    (findings, code)
}

/// A loopback proxy to `upstream` that forwards every request except those whose path starts
/// at `hold` (query aside): those are accepted and never answered (the test learns of them on the channel).
/// Responses are rewritten to name the proxy instead of the upstream, so that link challenges
/// (which name the DEX's URL) are for the proxy the client talks to.
struct Proxy {
    url: String,
    held: mpsc::Receiver<String>,
}

fn read_request(r: &mut BufReader<TcpStream>) -> Option<(String, Vec<String>, Vec<u8>)> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut headers = Vec::new();
    let mut len = 0usize;
    loop {
        let mut h = String::new();
        r.read_line(&mut h).ok()?;
        let h = h.trim_end().to_string();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            len = v.trim().parse().ok()?;
        }
        headers.push(h);
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some((line.trim_end().to_string(), headers, body))
}

fn forward(upstream: &str, line: &str, headers: &[String], body: &[u8]) -> Vec<u8> {
    let hostport = upstream.trim_start_matches("http://");
    let mut s = TcpStream::connect(hostport).expect("connect upstream");
    let mut req = format!("{line}\r\n");
    for h in headers {
        let k = h.split(':').next().unwrap_or("").to_ascii_lowercase();
        if k != "connection" && k != "host" {
            req.push_str(h);
            req.push_str("\r\n");
        }
    }
    req.push_str(&format!("Host: {hostport}\r\nConnection: close\r\n\r\n"));
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    raw
}

fn start_proxy(upstream: &str, hold: &'static str) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, held) = mpsc::channel();
    let (up, me) = (upstream.to_string(), url.clone());
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let (tx, up, me) = (tx.clone(), up.clone(), me.clone());
            std::thread::spawn(move || {
                let mut w = conn.try_clone().unwrap();
                let mut r = BufReader::new(conn);
                while let Some((line, headers, body)) = read_request(&mut r) {
                    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
                    if path.split('?').next() == Some(hold) {
                        let _ = tx.send(path);
                        // Hold the connection open, unanswered, for the rest of the test.
                        std::thread::sleep(Duration::from_secs(600));
                        return;
                    }
                    let raw = forward(&up, &line, &headers, &body);
                    let text = String::from_utf8_lossy(&raw).into_owned();
                    let (head, rest) = text.split_once("\r\n\r\n").unwrap();
                    let chunked = head
                        .to_ascii_lowercase()
                        .contains("transfer-encoding: chunked");
                    let body = if chunked {
                        dechunk(rest)
                    } else {
                        rest.to_string()
                    };
                    let body = body.replace(
                        up.trim_start_matches("http://"),
                        me.trim_start_matches("http://"),
                    );
                    let status = head.lines().next().unwrap();
                    let resp = format!(
                        "{status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if w.write_all(resp.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    Proxy { url, held }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].strip_prefix("\r\n").unwrap_or(&rest[n..]);
    }
    out
}

/// Runs the command against the proxy until the proxy holds a request, then scans it.
fn scan_while_held(
    mut c: std::process::Command,
    proxy: &Proxy,
    patterns: &[Pattern],
) -> (Findings, String) {
    c.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    let mut child = c.spawn().expect("spawn dexlink");
    let pid = child.id() as i32;
    let done = watchdog(pid);
    let path = proxy
        .held
        .recv_timeout(Duration::from_secs(90))
        .expect("the request to hold arrived");
    wait_until_blocked(pid);
    let findings = scan(pid, patterns);
    let _ = child.kill();
    let _ = child.wait();
    done.store(true, Ordering::Relaxed);
    (findings, path)
}

fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

/// The key directory every stop point uses: V7 as `pk`, the V1 mnemonic as `hd` (testnet).
fn home() -> Home {
    let h = Home::new();
    h.import_key("pk", V7_KEY, "testnet").ok();
    h.import_mnemonic("hd", V1_MNEMONIC, "testnet").ok();
    h
}

/// Removes the addresses recorded in an entry's metadata. A command learns the signer's address
/// from them and asks for confirmation before reading the password, so at its `[y/N]` prompt no
/// key is in memory yet; without them it must unlock first, and the key is in use at the prompt.
fn forget_addresses(h: &Home, entry: &str) {
    let path = h.home.join(format!("{entry}.json"));
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    v["addresses"] = serde_json::json!([]);
    std::fs::write(&path, v.to_string()).unwrap();
}

fn offline_send(entry: &str) -> Vec<String> {
    [
        "send",
        entry,
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
        "1",
        "--sequence",
        "0",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn memory_holds_only_the_key_in_use_and_nothing_after() {
    if !is_root() {
        // /proc/PID/mem of a non-dumpable process needs CAP_SYS_PTRACE; CI runs as root.
        eprintln!("memscan: skipped, not root");
        return;
    }
    let h = home();
    let mut bad = Vec::new();
    for entry in ["pk", "hd"] {
        let patterns = patterns_for(entry);
        let args = offline_send(entry);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // The address is recorded: the question comes before the password, so no key yet.
        let (found, code) = scan_at_prompt(command(&h, &args), None, &patterns);
        assert_eq!(code, 1, "answering n cancels");
        bad.extend(judge(
            &format!("send --offline prompt ({entry})"),
            &patterns,
            &found,
            0,
        ));
        // Not recorded: unlocked before the question, the key in use once.
        forget_addresses(&h, entry);
        let (found, code) = scan_at_prompt(command(&h, &args), None, &patterns);
        assert_eq!(code, 1, "answering n cancels");
        bad.extend(judge(
            &format!("send --offline prompt, address not recorded ({entry})"),
            &patterns,
            &found,
            1,
        ));

        let (found, code, out) = scan_at_exit(
            command(
                &h,
                &["keys", "export", entry, "--format", "private-key", "--yes"],
            ),
            "",
            &patterns,
        );
        assert_eq!(code, 0);
        let want = if entry == "pk" { V7_KEY } else { V1_KEY0 };
        assert_eq!(out, format!("{want}\n"));
        bad.extend(judge(
            &format!("after keys export private-key ({entry})"),
            &patterns,
            &found,
            0,
        ));

        let (found, code, _) = scan_at_exit(
            command(&h, &["sign", "message", entry, "--message", "hello"]),
            "",
            &patterns,
        );
        assert_eq!(code, 0);
        bad.extend(judge(
            &format!("after sign message ({entry})"),
            &patterns,
            &found,
            0,
        ));

        let (found, code, _) = scan_at_exit(
            command(
                &h,
                &[
                    "recover",
                    "sign",
                    entry,
                    "--symbol",
                    "CAKE-435",
                    "--amount",
                    "0.00001",
                    "--recipient",
                    "0x441DE55A37F6C381b00Db8B52DF8f57794784a1A",
                    "--testnet",
                    "--yes",
                ],
            ),
            "",
            &patterns,
        );
        assert_eq!(code, 0);
        bad.extend(judge(
            &format!("after recover sign ({entry})"),
            &patterns,
            &found,
            0,
        ));

        let ks = h.path(&format!("{entry}.keystore"));
        let mut c = command(
            &h,
            &[
                "keys",
                "export",
                entry,
                "--format",
                "keystore-binance",
                "--yes",
                "--export-password-file",
            ],
        );
        c.arg(&h.pwfile).arg("--out").arg(&ks);
        let (found, code, _) = scan_at_exit(c, "", &patterns);
        assert_eq!(code, 0);
        assert!(Path::new(&ks).exists());
        bad.extend(judge(
            &format!("after keys export keystore-binance ({entry})"),
            &patterns,
            &found,
            0,
        ));
    }
    assert!(
        bad.is_empty(),
        "secrets left in memory:\n{}",
        bad.join("\n")
    );
}

#[test]
fn memory_while_the_dex_holds_a_link_proof_or_a_broadcast() {
    if !is_root() {
        eprintln!("memscan: skipped, not root");
        return;
    }
    let h = home();
    let dev = Devnet::start(&[]);
    dev.fund(V1_TBNB0, "BNB", "10");
    dev.fund(V7_TBNB, "BNB", "10");
    let mut bad = Vec::new();
    for entry in ["pk", "hd"] {
        let patterns = patterns_for(entry);
        let proxy = start_proxy(&dev.url, "/api/v1/link");
        let (found, path) = scan_while_held(
            command(&h, &["link", entry, "--yes", "--dex", &proxy.url]),
            &proxy,
            &patterns,
        );
        assert_eq!(path, "/api/v1/link");
        bad.extend(judge(
            &format!("link submitting its proof ({entry})"),
            &patterns,
            &found,
            0,
        ));

        let proxy = start_proxy(&dev.url, "/api/v1/broadcast");
        let (found, _) = scan_while_held(
            command(
                &h,
                &[
                    "send", entry, "--to", V7_TBNB, "--amount", "1", "--asset", "BNB", "--yes",
                    "--dex", &proxy.url,
                ],
            ),
            &proxy,
            &patterns,
        );
        bad.extend(judge(
            &format!("send while the DEX holds the broadcast ({entry})"),
            &patterns,
            &found,
            1,
        ));
    }
    assert!(
        bad.is_empty(),
        "secrets left in memory:\n{}",
        bad.join("\n")
    );
}

/// The scanner itself must be able to fail: a process that holds the key (this test's own
/// child, blocked at the prompt) is found holding it, in the raw big-endian form.
#[test]
fn the_scanner_finds_a_key_that_is_there() {
    if !is_root() {
        eprintln!("memscan: skipped, not root");
        return;
    }
    let h = home();
    forget_addresses(&h, "pk");
    let args = offline_send("pk");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let patterns = patterns_for("pk");
    let (found, _) = scan_at_prompt(command(&h, &args), None, &patterns);
    let key_copies: usize = patterns
        .iter()
        .filter(|p| p.class == Class::KeyInUse)
        .map(|p| found[&p.name].0)
        .sum();
    assert!(key_copies >= 1, "the key in use was not found: {found:?}");
    assert!(judge("scanner self-check", &patterns, &found, 0).len() == 1);
    // And the limb helper is right: 1 is limb 0 = 1, the rest 0; 2^52 is limb 1 = 1.
    let mut one = [0u8; 32];
    one[31] = 1;
    let l = limbs_5x52(&one);
    assert_eq!(&l[..8], &1u64.to_le_bytes());
    assert!(l[8..].iter().all(|&b| b == 0));
    let mut two52 = [0u8; 32];
    two52[31 - 6] = 0x10; // bit 52
    let l = limbs_5x52(&two52);
    assert_eq!(&l[8..16], &1u64.to_le_bytes());
}

/// Hands `path` (recursively) to `uid`/`gid`.
fn chown_r(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
    if path.is_dir() {
        for e in std::fs::read_dir(path).unwrap().flatten() {
            chown_r(&e.path(), uid, gid);
        }
    }
}

/// Where `RLIMIT_MEMLOCK` refuses to lock a key's page, the command still works and says so
/// once on stderr; with the lock allowed (root has CAP_IPC_LOCK) it says nothing.
#[test]
fn a_refused_memory_lock_warns_once() {
    if !is_root() {
        eprintln!("memscan: skipped, not root");
        return;
    }
    let h = home();
    let sign = ["sign", "message", "pk", "--message", "hello"];
    let out = command(&h, &sign).stdin(Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    // The tests' entries are cheap to unlock, and every unlock says so (issue 18).
    let weak = "warning: entry 'pk' is encrypted with scrypt n = 2^10, r = 8, p = 1, below the default scrypt n = 2^18, r = 8, p = 1: a copy of the file can be brute-forced far faster; run `dexlink keys passwd pk` to re-encrypt it at the default cost\n";
    assert_eq!(String::from_utf8_lossy(&out.stderr), weak);

    // The same as user nobody with a zero lock limit (setuid drops CAP_IPC_LOCK).
    chown_r(h.tmp.path(), 65534, 65534);
    let mut c = command(&h, &sign);
    c.stdin(Stdio::null());
    // SAFETY: between fork and exec only async-signal-safe calls run.
    unsafe {
        c.pre_exec(|| {
            let zero = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            if libc::setrlimit(libc::RLIMIT_MEMLOCK, &zero) != 0
                || libc::setgroups(0, std::ptr::null()) != 0
                || libc::setgid(65534) != 0
                || libc::setuid(65534) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = c.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stderr,
        "warning: could not lock key memory in RAM (RLIMIT_MEMLOCK, see `ulimit -l`); keys are still wiped after use but may reach swap meanwhile\n".to_string()
            + weak
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("signature: 0x"));
}

/// A password typed at the hidden prompt (not read from a file) leaves no copy behind: at the
/// `[y/N]` prompt that follows, only the key is in memory.
#[test]
fn a_password_typed_at_the_prompt_is_not_left_in_memory() {
    if !is_root() {
        eprintln!("memscan: skipped, not root");
        return;
    }
    let h = home();
    for entry in ["pk", "hd"] {
        // So that the password is asked before the `[y/N]` question (see `forget_addresses`).
        forget_addresses(&h, entry);
        let args = offline_send(entry);
        let mut c = std::process::Command::new(bin());
        for v in ["DEXLINK_HOME", "DEXLINK_PASSWORD", "DEXLINK_DEX"] {
            c.env_remove(v);
        }
        c.arg("--home").arg(&h.home).args(&args);
        let patterns = patterns_for(entry);
        let (found, code) = scan_at_prompt(c, Some(PASSWORD), &patterns);
        assert_eq!(code, 1, "answering n cancels");
        let bad = judge(
            &format!("send --offline prompt, password typed ({entry})"),
            &patterns,
            &found,
            1,
        );
        assert!(
            bad.is_empty(),
            "secrets left in memory:\n{}",
            bad.join("\n")
        );
    }
}

/// `agent unlock` (issue 16): the client read the password and sent it over the socket, and
/// holds nothing at its exit; the agent ran the KDF and keeps the one key and nothing else (no
/// password, no mnemonic, seed or path keys for an HD entry).
#[test]
fn the_agent_keeps_the_unlocked_key_and_not_the_password() {
    if !is_root() {
        eprintln!("memscan: skipped, not root");
        return;
    }
    let h = home();
    let agent = common::AgentProc::start(&h);
    let pid = agent.pid();
    let done = watchdog(pid);
    // V7 again as `pk2`, under a long password that JSON must escape (quotes, backslashes):
    // decoding it is where a parser builds a string piece by piece.
    let pw2 = format!("{}\\end", "long \"quoted\" pass\\phrase ".repeat(8));
    let pw2_file = h.path("pw2");
    common::write_private(&pw2_file, &format!("{pw2}\n"));
    let mut c = std::process::Command::new(bin());
    c.env_remove("DEXLINK_HOME")
        .env(common::TEST_KDF_VAR, common::TEST_KDF_LOG_N)
        .arg("--home")
        .arg(&h.home)
        .arg("--password-file")
        .arg(&pw2_file)
        .args([
            "keys",
            "import",
            "pk2",
            "--private-key",
            "--network",
            "testnet",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null());
    let mut child = c.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{V7_KEY}\n").as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    let mut bad = Vec::new();
    for entry in ["pk", "hd", "pk2"] {
        let mut patterns = patterns_for(if entry == "pk2" { "pk" } else { entry });
        patterns.push(Pattern {
            name: "long password".into(),
            class: Class::Other,
            bytes: pw2.clone().into_bytes(),
        });
        // The client sent the password and holds nothing afterwards.
        let mut c = std::process::Command::new(bin());
        c.env_remove("DEXLINK_HOME")
            .env_remove("DEXLINK_PASSWORD")
            .env_remove("DEXLINK_AGENT")
            .arg("--home")
            .arg(&h.home)
            .arg("--password-file")
            .arg(if entry == "pk2" { &pw2_file } else { &h.pwfile })
            .args(["agent", "unlock", entry]);
        let (found, code, _) = scan_at_exit(c, "", &patterns);
        assert_eq!(code, 0, "{entry}: agent unlock failed");
        bad.extend(judge(
            &format!("after agent unlock, the client ({entry})"),
            &patterns,
            &found,
            0,
        ));
        let found = scan(pid, &patterns);
        bad.extend(judge(
            &format!("agent after unlock ({entry})"),
            &patterns,
            &found,
            1,
        ));
        let status = command(&h, &["agent", "lock"])
            .env_remove("DEXLINK_AGENT")
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
    }
    // SIGTERM and reaped.
    drop(agent);
    done.store(true, Ordering::SeqCst);
    assert!(
        bad.is_empty(),
        "secrets left in memory:\n{}",
        bad.join("\n")
    );
}
