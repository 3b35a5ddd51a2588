//! Shared helpers of the end-to-end tests: the binary, a private key directory per test, upstream
//! constants, a devnet child process that is killed on drop, and a tiny HTTP/1.1 client.
//!
//! Every expected value here comes from `docs/upstream-vectors.md` / `docs/recovery.md` (upstream
//! vectors), never from dexlink's own output.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

// ---- upstream vectors (docs/upstream-vectors.md) ----

/// V7 private key (wallet-core / java-sdk), signer of V10/V11.
pub const V7_KEY: &str = "90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9";
/// V7 compressed public key.
pub const V7_PUB: &str = "029729a52e4e3c2b4a4e52aa74033eedaf8ba1df5ab6d1f518fd69e67bbd309b0e";
/// V7 mainnet address.
pub const V7_BNB: &str = "bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu";
/// V7 testnet address.
pub const V7_TBNB: &str = "tbnb1hgm0p7khfk85zpz5v0j8wnej3a90w709zzlffd";
/// V7 second key (signer of V13 and of the bnbSign vector).
pub const K2_KEY: &str = "95949f757db1f57ca94a5dff23314accbe7abee89597bf6a3c7382c84d7eb832";
/// Its compressed public key.
pub const K2_PUB: &str = "026a35920088d98c3888ca68c53dfc93f4564602606cbb87f0fe5ee533db38e502";
/// Its mainnet address.
pub const K2_BNB: &str = "bnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lxfn46h2";
/// Its testnet address.
pub const K2_TBNB: &str = "tbnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lx8xu7hm";
/// V1 mnemonic (js-sdk / java-sdk).
pub const V1_MNEMONIC: &str = "fragile duck lunch coyote cotton pole gym orange share muscle impulse mom pause isolate define oblige hungry sound stereo spider style river fun account";
/// V1 address at m/44'/714'/0'/0/0.
pub const V1_BNB0: &str = "bnb1ss57e8sa7xnwq030k2ctr775uac9gjzg347gp4";
/// V1 testnet address at index 0.
pub const V1_TBNB0: &str = "tbnb1ss57e8sa7xnwq030k2ctr775uac9gjzglqhvpy";
/// V1 private key at index 0.
pub const V1_KEY0: &str = "caf2009a04bd53d426fc0907383b3f1dfe13013aee694d0159f6befc3fdccd5f";
/// V1 address at m/44'/714'/0'/0/1.
pub const V1_BNB1: &str = "bnb1rcp2kf6xwaxt3k8fyddvrvl0l0mg585xz37reu";

/// V10 NewOrder (wallet-core `test_binance_sign_trade_order`).
pub const V10_TX: &str = "dc01f0625dee0a64ce6dc0430a14ba36f0fad74d8f41045463e4774f328f4af779e5122b424133364630464144373444384634313034353436334534373734463332384634414637373945352d33361a0b4e4e422d3333385f424e422002280130b09282413880c2d72f4001126e0a26eb5ae98721029729a52e4e3c2b4a4e52aa74033eedaf8ba1df5ab6d1f518fd69e67bbd309b0e12409123cb6906bb20aeb753f4a121d4d88ff0e9750ba75b0c4e10d76caee1e7d2481290fa3b9887a6225d6997f5f939ef834ea61d596a314237c48e560da9e17b5a180c20232001";
/// V10 tx hash.
pub const V10_HASH: &str = "0A46200587F4BC8C58BEC70BDCD31D956571372EE080D4AA93C4EF99CF063A15";
/// V10 sign bytes.
pub const V10_SB: &str = r#"{"account_number":"12","chain_id":"chain-bnb","data":null,"memo":"","msgs":[{"id":"BA36F0FAD74D8F41045463E4774F328F4AF779E5-36","ordertype":2,"price":136350000,"quantity":100000000,"sender":"bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu","side":1,"symbol":"NNB-338_BNB","timeinforce":1}],"sequence":"35","source":"1"}"#;
/// V10 signature.
pub const V10_SIG: &str = "9123cb6906bb20aeb753f4a121d4d88ff0e9750ba75b0c4e10d76caee1e7d2481290fa3b9887a6225d6997f5f939ef834ea61d596a314237c48e560da9e17b5a";
/// V11 CancelOrder.
pub const V11_TX: &str = "cc01f0625dee0a54166e681b0a14ba36f0fad74d8f41045463e4774f328f4af779e5120b4e4e422d3333385f424e421a2b424133364630464144373444384634313034353436334534373734463332384634414637373945352d3336126e0a26eb5ae98721029729a52e4e3c2b4a4e52aa74033eedaf8ba1df5ab6d1f518fd69e67bbd309b0e12403df6603426b991f7040bce22ce0137c12137df01e1d4d425cf3d9104103aec6335ac05c825e08ba26b9f72aa4cc45aa75cacfb6082df86b00692fef9701eb0f5180c20242001";
/// V11 tx hash.
pub const V11_HASH: &str = "35C823430C29725D238D3C5259010B66137DF6206C9F75612F9C612175CB2F9F";
/// V13 Send, memo "test".
pub const V13_TX: &str = "cc01f0625dee0a4e2a2c87fa0a230a1440c2979694bbc961023d1d27be6fc4d21a9febe6120b0a03424e4210c098a8dd0312230a1488b37d5e05f3699e2a1406468e5d87cb9dcceb95120b0a03424e4210c098a8dd03126e0a26eb5ae98721026a35920088d98c3888ca68c53dfc93f4564602606cbb87f0fe5ee533db38e5021240c65a13440f18a155bd971ee40b9e0dd58586f5bf344e12ec4c76c439aebca8c7789bab7bfbfb4ce89aadc4a02df225b6b6efc861c13bbeb5f7a3eea2d7ffc80f181320171a04746573742001";
/// V13 tx hash.
pub const V13_HASH: &str = "43495EDA60450CF04456C19A5ADE324018246DEEC407143D5821EFB4B4DB89F0";
/// V13 recipient.
pub const V13_TO: &str = "bnb13zeh6hs97d5eu2s5qerguhv8ewwue6u4ywa6yf";
/// V17 key (wallet-core `TWAnySignerBinance.SignJSON`).
pub const V17_KEY: &str = "f947b3554a1c2fa70e1caa9de53fbda353348d1e856c593848f3a29737d31f11";
/// V17 tx.
pub const V17_TX: &str = "ca01f0625dee0a4a2a2c87fa0a210a1412e654edef9e508b833736a987d069da5a89aedb12090a03424e4210cb8d5212210a1433bbf307b98146f13d20693cf946c2d77a4caf2812090a03424e4210cb8d52126d0a26eb5ae9872102e58176f271a9796b4288908be85094a2ac978e25535fd59a37b58626e3a84d9e1240015b4beb3d6ef366a7a92fd283f66b8f0d8cdb6b152a9189146b27f84f507f047e248517cf691a36ebc2b7f3b7f64e27585ce1c40f1928d119c31af428efcf3e1882671a0754657374696e672002";
/// V17 tx hash.
pub const V17_HASH: &str = "01DD743009549902E3E8CFAACA179626CAFC263DBB5610076FF23CE53DD8BB41";
/// V17 recipient.
pub const V17_TO: &str = "bnb1xwalxpaes9r0z0fqdy70j3kz6aayetegur38gl";

/// The key-store password the tests use (never expected in any output).
pub const PASSWORD: &str = "e2e-Secret-pw-7391";

// ---- the binary ----

/// Path of the `dexlink` binary. Cargo sets `CARGO_BIN_EXE_dexlink` only for tests of the
/// binary's own package, so for this crate the binary is built once per test process (cargo
/// releases its lock while tests run) and found next to the test executable's `deps/`.
pub fn bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("CARGO_BIN_EXE_dexlink") {
            return PathBuf::from(p);
        }
        let exe = std::env::current_exe().expect("test executable path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>/deps/<test>")
            .to_path_buf();
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
        // `test-kdf` lets DEXLINK_TEST_KDF_LOG_N make entries cheap; a release build has no
        // such feature (checked by tests/interop/release-binary.sh in CI).
        let status = std::process::Command::new(cargo)
            .args(["build", "-q", "-p", "dexlink-cli", "--bin", "dexlink"])
            .args(["--features", "test-kdf"])
            .arg("--manifest-path")
            .arg(&manifest)
            .status()
            .expect("run cargo build for the dexlink binary");
        assert!(status.success(), "cargo build -p dexlink-cli failed");
        let path = profile_dir.join("dexlink");
        assert!(path.exists(), "no binary at {}", path.display());
        path
    })
}

/// The variable a `test-kdf` build of dexlink reads: scrypt cost 2^N for new entries.
pub const TEST_KDF_VAR: &str = "DEXLINK_TEST_KDF_LOG_N";

/// The cheap scrypt cost (2^10) test entries get, through [`TEST_KDF_VAR`].
pub const TEST_KDF_LOG_N: &str = "10";

/// A `dexlink` command with no home, no password and none of dexlink's environment variables,
/// except [`TEST_KDF_VAR`]: new entries cost scrypt 2^10 (remove the variable for the default).
pub fn dexlink() -> Command {
    let mut c = Command::new(bin());
    for v in ["DEXLINK_HOME", "DEXLINK_PASSWORD", "DEXLINK_DEX"] {
        c.env_remove(v);
    }
    c.env(TEST_KDF_VAR, TEST_KDF_LOG_N);
    c.timeout(Duration::from_secs(120));
    c
}

/// The output of a finished command, as text.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// stdout parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
    /// Asserts the exit code, showing both streams when it differs.
    #[track_caller]
    pub fn expect_code(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "exit code {} (wanted {code})\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
    /// Asserts success.
    #[track_caller]
    pub fn ok(self) -> Self {
        self.expect_code(0)
    }
    /// Both streams, for "never printed" checks.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// Runs a command to completion (with its timeout) and captures its output.
pub fn run(mut c: Command) -> Out {
    let o = c.output().expect("run dexlink");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Writes a file with mode 0600 (password files must not be readable by others).
pub fn write_private(path: &Path, data: &str) {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .expect("create private file");
    f.write_all(data.as_bytes()).expect("write private file");
}

/// The permission bits of a path.
pub fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("stat").permissions().mode() & 0o777
}

/// A private key directory and a password file for one test.
pub struct Home {
    pub tmp: TempDir,
    pub home: PathBuf,
    pub pwfile: PathBuf,
}

impl Home {
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().expect("temp dir");
        let home = tmp.path().join("home");
        let pwfile = tmp.path().join("pw");
        write_private(&pwfile, &format!("{PASSWORD}\n"));
        Self { tmp, home, pwfile }
    }

    /// A path inside the test's temp dir (not in the key directory).
    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// `dexlink --home H` with no password source.
    pub fn bare(&self) -> Command {
        let mut c = dexlink();
        c.arg("--home").arg(&self.home);
        c
    }

    /// `dexlink --home H --password-file PW` (new entries at the tests' cheap cost, as for
    /// every [`dexlink`] command).
    pub fn cmd(&self) -> Command {
        let mut c = self.bare();
        c.arg("--password-file").arg(&self.pwfile);
        c
    }

    /// The same command as [`Home::cmd`] as a `std::process::Command`, for tests that spawn
    /// and kill it (keep the two in step).
    pub fn cmd_std(&self) -> std::process::Command {
        let mut c = std::process::Command::new(bin());
        for v in ["DEXLINK_HOME", "DEXLINK_PASSWORD", "DEXLINK_DEX"] {
            c.env_remove(v);
        }
        c.arg("--home")
            .arg(&self.home)
            .arg("--password-file")
            .arg(&self.pwfile)
            .env(TEST_KDF_VAR, TEST_KDF_LOG_N);
        c
    }

    /// Imports a hex private key (read from stdin) as `name` on `network`.
    pub fn import_key(&self, name: &str, key_hex: &str, network: &str) -> Out {
        let mut c = self.cmd();
        c.args([
            "keys",
            "import",
            name,
            "--private-key",
            "--network",
            network,
        ])
        .write_stdin(format!("{key_hex}\n"));
        run(c)
    }

    /// Imports a mnemonic (read from stdin) as `name` on `network`.
    pub fn import_mnemonic(&self, name: &str, phrase: &str, network: &str) -> Out {
        let mut c = self.cmd();
        c.args(["keys", "import", name, "--mnemonic", "--network", network])
            .write_stdin(format!("{phrase}\n"));
        run(c)
    }
}

// ---- the devnet child process ----

/// A running `dexlink devnet`; killed (and reaped) when dropped, even when a test panics.
pub struct Devnet {
    child: Child,
    pub url: String,
}

impl Devnet {
    /// The node's process id.
    #[allow(dead_code)]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Starts `dexlink devnet --port 0 --block-time tx --no-dex-fees ARGS` and waits (at most 60 s) for the URL line.
    pub fn start(args: &[&str]) -> Self {
        // A block after each transaction and no DEX fees: the tests see each broadcast
        // settled when it is answered, with balances as before blocks and fees existed.
        Self::spawn(&["--block-time", "tx", "--no-dex-fees"], args)
    }

    /// Starts `dexlink devnet --port 0 --block-time 0 ARGS`: blocks only on [`Devnet::block`],
    /// with the chain's DEX fees, for tests of matching and settlement.
    pub fn start_exchange(args: &[&str]) -> Self {
        Self::spawn(&["--block-time", "0"], args)
    }

    /// Makes one block (`POST /devnet/block`); returns its answer.
    pub fn block(&self) -> Value {
        let (s, b) = self.post_json("/devnet/block", &serde_json::json!({}));
        assert_eq!(s, 200, "block: {b}");
        b
    }

    fn spawn(mode: &[&str], args: &[&str]) -> Self {
        let mut child = std::process::Command::new(bin())
            .args(["devnet", "--port", "0"])
            .args(mode)
            .args(args)
            .env_remove("DEXLINK_HOME")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn dexlink devnet");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let mut r = BufReader::new(stdout);
            let _ = r.read_line(&mut line);
            let _ = tx.send(line);
            // Keep draining so the child never blocks on a full pipe.
            let mut sink = Vec::new();
            let _ = r.read_to_end(&mut sink);
        });
        let mut guard = Self {
            child,
            url: String::new(),
        };
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("devnet printed its URL within 60 s");
        let url = line.trim().trim_end_matches('/').to_string();
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "first line is not the URL: {line:?}"
        );
        guard.url = url;
        guard
    }

    /// GET a path; returns status and JSON body (Null when the body is not JSON).
    pub fn get(&self, path: &str) -> (u16, Value) {
        let (s, b) = http(&self.url, "GET", path, None, "");
        (s, serde_json::from_str(&b).unwrap_or(Value::Null))
    }

    /// POST a JSON body.
    pub fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let (s, b) = http(
            &self.url,
            "POST",
            path,
            Some("application/json"),
            &body.to_string(),
        );
        (s, serde_json::from_str(&b).unwrap_or(Value::Null))
    }

    /// POST a text/plain body (the broadcast endpoint takes the tx hex so).
    pub fn post_text(&self, path: &str, body: &str) -> (u16, Value) {
        let (s, b) = http(&self.url, "POST", path, Some("text/plain"), body);
        (s, serde_json::from_str(&b).unwrap_or(Value::Null))
    }

    /// Credits `amount` of `asset` to `address` through the faucet.
    pub fn fund(&self, address: &str, asset: &str, amount: &str) {
        let (s, b) = self.post_json(
            "/devnet/faucet",
            &serde_json::json!({"address": address, "asset": asset, "amount": amount}),
        );
        assert_eq!(s, 200, "faucet: {b}");
    }

    /// The account JSON (status 200 expected).
    pub fn account(&self, address: &str) -> Value {
        let (s, b) = self.get(&format!("/api/v1/account/{address}"));
        assert_eq!(s, 200, "account {address}: {b}");
        b
    }

    /// `(free, locked)` of one asset as decimal strings ("0" parts as the API prints them).
    pub fn balance(&self, address: &str, asset: &str) -> (f64, f64) {
        let acct = self.account(address);
        let bal = acct["balances"]
            .as_array()
            .expect("balances")
            .iter()
            .find(|b| b["symbol"] == asset);
        match bal {
            Some(b) => (num(&b["free"]), num(&b["locked"])),
            None => (0.0, 0.0),
        }
    }
}

fn num(v: &Value) -> f64 {
    match v {
        Value::String(s) => s.parse().expect("decimal"),
        Value::Number(n) => n.as_f64().expect("number"),
        other => panic!("not a number: {other}"),
    }
}

impl Drop for Devnet {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---- a tiny HTTP/1.1 client (loopback only) ----

/// One request with `Connection: close`; returns status and body (chunked bodies decoded).
pub fn http(
    base: &str,
    method: &str,
    path: &str,
    ctype: Option<&str>,
    body: &str,
) -> (u16, String) {
    let hostport = base.trim_start_matches("http://").trim_end_matches('/');
    assert!(
        hostport.starts_with("127.0.0.1:"),
        "tests talk to loopback only"
    );
    let mut s = TcpStream::connect(hostport).expect("connect to devnet");
    s.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {hostport}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(ct) = ctype {
        req.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).expect("send request");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read response");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").expect("HTTP head");
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status code");
    let chunked = head.lines().any(|l| {
        l.to_ascii_lowercase()
            .starts_with("transfer-encoding: chunked")
    });
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    (status, body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n..];
        s = s.strip_prefix("\r\n").unwrap_or(s);
    }
    out
}

/// A pseudo-terminal: (master, slave).
#[cfg(target_os = "linux")]
pub fn openpty() -> (std::fs::File, std::fs::File) {
    use std::os::fd::FromRawFd;
    // SAFETY: plain libc pty calls on descriptors this function owns; the name buffer is ours.
    unsafe {
        let m = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        assert!(m >= 0, "posix_openpt");
        assert_eq!(libc::grantpt(m), 0);
        assert_eq!(libc::unlockpt(m), 0);
        let mut name = [0 as libc::c_char; 128];
        assert_eq!(libc::ptsname_r(m, name.as_mut_ptr(), name.len()), 0);
        let s = libc::open(name.as_ptr(), libc::O_RDWR | libc::O_NOCTTY);
        assert!(s >= 0, "open the pty slave");
        (std::fs::File::from_raw_fd(m), std::fs::File::from_raw_fd(s))
    }
}

// ---- the signer agent ----

/// A foreground agent child; SIGTERM and reaped on drop.
pub struct AgentProc {
    pub child: Child,
    pub socket: PathBuf,
}

impl AgentProc {
    pub fn start(h: &Home) -> Self {
        Self::start_with(h, |_| {})
    }

    pub fn start_with(h: &Home, f: impl FnOnce(&mut std::process::Command)) -> Self {
        let mut c = std::process::Command::new(bin());
        for v in [
            "DEXLINK_HOME",
            "DEXLINK_PASSWORD",
            "DEXLINK_DEX",
            "DEXLINK_AGENT",
        ] {
            c.env_remove(v);
        }
        c.arg("--home")
            .arg(&h.home)
            .args(["agent", "start", "--foreground"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        f(&mut c);
        let mut child = c.spawn().expect("spawn the agent");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("the agent prints its socket");
        assert!(!line.is_empty(), "the agent exited before listening");
        Self {
            child,
            socket: PathBuf::from(line.trim()),
        }
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn signal(&mut self, sig: i32) {
        // SAFETY: kill sends a signal to our own child.
        unsafe {
            libc::kill(self.pid(), sig);
        }
    }

    pub fn wait(&mut self) -> i32 {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s.code().unwrap_or(-1);
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the agent did not exit"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for AgentProc {
    fn drop(&mut self) {
        self.signal(libc::SIGTERM);
        let _ = self.child.wait();
    }
}
