//! The agent daemon: a Unix socket in the key directory's state area, one thread per client
//! (at most [`MAX_CLIENTS`]), keys held unlocked in locked pages until their TTL, a lock or a
//! stop, a policy, and an audit log.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};
use zeroize::{Zeroize, Zeroizing};

use super::policy::{Action, ConfirmMode, Ledger, Policy, Refusal};
use super::protocol::{
    ErrorCode, MAX_LINE, Params, Request, WireError, err_line, ok_line, parse_request,
    take_password,
};
use super::{AUDIT_FILE, AgentError, LOCK_FILE, PID_FILE, POLICY_FILE, now_ms};
use crate::address::{Address, Network};
use crate::hd::AccountKey;
use crate::keydir::{EntryName, EntrySecret, KeyDir, fsops};
use crate::keys::{PrivateKey, PublicKey};
use crate::keystore::Password;
use crate::link::LinkMessage;
use crate::mnemonic::{Mnemonic, Passphrase};
use crate::recover::RecoverRequest;
use crate::tx::json::JsonValue;
use crate::tx::sign_doc::sign_doc_from_value;
use crate::tx::{UnsignedTx, bnb_sign};

/// Most clients served at once; one more is answered `busy` and closed.
pub const MAX_CLIENTS: usize = 16;
/// A client that sends nothing for this long is disconnected.
pub const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// TTL of an unlock that names none.
pub const DEFAULT_TTL_SECS: u64 = 3600;
/// Longest TTL accepted (7 days).
pub const MAX_TTL_SECS: u64 = 7 * 24 * 3600;
/// Largest policy file read.
const MAX_POLICY_BYTES: u64 = 64 * 1024;

/// Asks the agent's user whether to sign a request outside the policy (the agent's terminal).
pub type ConfirmFn = dyn Fn(&str) -> bool + Send + Sync;

/// How to run an agent.
pub struct AgentConfig {
    /// The key directory whose entries it unlocks (and whose state area holds its files).
    pub keydir: KeyDir,
    /// The socket path (default: [`super::default_socket`]).
    pub socket: PathBuf,
    /// How to ask about requests outside the policy when it says `confirm = "terminal"`
    /// (`None`: no terminal, refuse).
    pub confirm: Option<Box<ConfirmFn>>,
}

/// One unlocked key. The key is the only copy; dropping it wipes it.
struct Held {
    name: String,
    account: u32,
    index: u32,
    path: Option<String>,
    network: Network,
    key: PrivateKey,
    /// The key's public half, computed once (looking keys up by address must not redo the
    /// scalar multiplication for every request and every held key).
    public: PublicKey,
    expires_ms: u64,
}

impl Held {
    fn describe(&self) -> Value {
        json!({
            "name": self.name,
            "account": self.account,
            "index": self.index,
            "path": self.path,
            "address": self.public.address(self.network.hrp()).to_string(),
            "public_key": self.public.to_string(),
            "expires_ms": self.expires_ms,
        })
    }
}

struct State {
    keys: Vec<Held>,
    policy: Option<Policy>,
    ledger: Ledger,
}

impl State {
    /// Drops (wipes) keys whose TTL passed.
    fn expire(&mut self, now: u64) {
        self.keys.retain(|h| h.expires_ms > now);
    }
}

struct Inner {
    keydir: KeyDir,
    socket: PathBuf,
    /// (device, inode) of the socket we bound: only that file is ever removed.
    socket_id: (u64, u64),
    state_dir: PathBuf,
    state: Mutex<State>,
    audit: Mutex<File>,
    confirm: Option<Box<ConfirmFn>>,
    confirm_lock: Mutex<()>,
    stopping: AtomicBool,
    clients: AtomicUsize,
    started_ms: u64,
    own_uid: u32,
    /// The agent lock, released at cleanup (client threads may outlive `serve`).
    lock_file: Mutex<Option<File>>,
    /// Open client connections, shut down at stop so no client talks to a stopped agent.
    conns: Mutex<HashMap<u64, UnixStream>>,
    next_conn: AtomicU64,
}

/// A bound agent: [`Agent::serve`] runs it until a `stop` request or [`StopHandle::stop`].
pub struct Agent {
    inner: Arc<Inner>,
    listener: UnixListener,
}

/// Stops a serving agent from another thread (a signal handler thread).
#[derive(Clone)]
pub struct StopHandle {
    inner: Arc<Inner>,
}

impl StopHandle {
    /// Wipes every key now and makes [`Agent::serve`] return.
    pub fn stop(&self) {
        request_stop(&self.inner);
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking client thread must not leave keys unreachable for wiping.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn request_stop(inner: &Inner) {
    {
        let mut st = lock(&inner.state);
        st.keys.clear();
    }
    if !inner.stopping.swap(true, Ordering::SeqCst) {
        // Wakes the accept loop.
        let _ = UnixStream::connect(&inner.socket);
    }
    for c in lock(&inner.conns).values() {
        let _ = c.shutdown(std::net::Shutdown::Both);
    }
}

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> AgentError {
    let path = path.to_path_buf();
    move |source| AgentError::Io {
        action,
        path,
        source,
    }
}

/// Refuses a socket directory that is not ours or that others can enter.
fn check_socket_dir(dir: &Path, uid: u32) -> Result<(), AgentError> {
    let m = std::fs::metadata(dir).map_err(io_err("inspect", dir))?;
    let mode = m.permissions().mode() & 0o777;
    if !m.is_dir() || m.uid() != uid || mode & 0o077 != 0 {
        return Err(AgentError::InsecureSocketDir {
            path: dir.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

/// Removes a socket left by an agent that died, after making sure it is one: a socket of
/// ours that nobody answers on. Anything else at the path is refused, never removed.
fn clear_stale_socket(path: &Path, uid: u32) -> Result<(), AgentError> {
    let m = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err("inspect", path)(e)),
    };
    if !m.file_type().is_socket() || m.uid() != uid {
        return Err(AgentError::NotASocket(path.to_path_buf()));
    }
    if UnixStream::connect(path).is_ok() {
        return Err(AgentError::AlreadyRunning(path.to_path_buf()));
    }
    std::fs::remove_file(path).map_err(io_err("remove the stale socket", path))
}

fn load_policy(keydir: &KeyDir) -> Result<Option<Policy>, AgentError> {
    let path = keydir.path().join(POLICY_FILE);
    let text = fsops::read_private_file(&path, MAX_POLICY_BYTES)
        .map_err(|e| AgentError::Policy(e.to_string()))?;
    text.map(|t| {
        Policy::parse(&t).map_err(|e| AgentError::Policy(format!("{}: {e}", path.display())))
    })
    .transpose()
}

impl Agent {
    /// Takes the key directory's agent lock, cleans up a stale socket, binds the socket
    /// (0600), reads the policy, opens the audit log and writes the pid file.
    pub fn bind(config: AgentConfig) -> Result<Self, AgentError> {
        let state_dir = config.keydir.state_dir()?;
        let own_uid = fsops::effective_uid().unwrap_or(0);
        let lock_path = state_dir.join(LOCK_FILE);
        let lock_file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&lock_path)
            .map_err(io_err("open", &lock_path))?;
        if lock_file.try_lock().is_err() {
            return Err(AgentError::AlreadyRunning(config.socket.clone()));
        }
        let dir = config
            .socket
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        check_socket_dir(dir, own_uid)?;
        clear_stale_socket(&config.socket, own_uid)?;
        let listener =
            UnixListener::bind(&config.socket).map_err(io_err("bind", &config.socket))?;
        std::fs::set_permissions(&config.socket, std::fs::Permissions::from_mode(0o600))
            .map_err(io_err("set the mode of", &config.socket))?;
        let m =
            std::fs::symlink_metadata(&config.socket).map_err(io_err("inspect", &config.socket))?;
        let policy = match load_policy(&config.keydir) {
            Ok(p) => p,
            Err(e) => {
                let _ = std::fs::remove_file(&config.socket);
                return Err(e);
            }
        };
        let audit_path = state_dir.join(AUDIT_FILE);
        let audit = OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&audit_path)
            .map_err(io_err("open", &audit_path))?;
        config
            .keydir
            .write_state(PID_FILE, format!("{}\n", std::process::id()).as_bytes())?;
        let inner = Inner {
            keydir: config.keydir,
            socket: config.socket,
            socket_id: (m.dev(), m.ino()),
            state_dir,
            state: Mutex::new(State {
                keys: Vec::new(),
                policy,
                ledger: Ledger::default(),
            }),
            audit: Mutex::new(audit),
            confirm: config.confirm,
            confirm_lock: Mutex::new(()),
            stopping: AtomicBool::new(false),
            clients: AtomicUsize::new(0),
            started_ms: now_ms(),
            own_uid,
            lock_file: Mutex::new(Some(lock_file)),
            conns: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(0),
        };
        Ok(Self {
            inner: Arc::new(inner),
            listener,
        })
    }

    /// The socket path.
    pub fn socket(&self) -> &Path {
        &self.inner.socket
    }

    /// Whether a policy file was read.
    pub fn has_policy(&self) -> bool {
        lock(&self.inner.state).policy.is_some()
    }

    /// A handle that stops the agent.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle {
            inner: self.inner.clone(),
        }
    }

    /// Serves until stopped, then wipes every key and removes the socket and pid file.
    pub fn serve(self) -> Result<(), AgentError> {
        let sweeper = {
            let inner = self.inner.clone();
            std::thread::spawn(move || {
                while !inner.stopping.load(Ordering::SeqCst) {
                    lock(&inner.state).expire(now_ms());
                    std::thread::sleep(Duration::from_millis(200));
                }
            })
        };
        for conn in self.listener.incoming() {
            if self.inner.stopping.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = conn else { continue };
            let n = self.inner.clients.fetch_add(1, Ordering::SeqCst);
            let inner = self.inner.clone();
            if n >= MAX_CLIENTS {
                inner.clients.fetch_sub(1, Ordering::SeqCst);
                let e = WireError::new(
                    ErrorCode::Busy,
                    format!("the agent serves at most {MAX_CLIENTS} clients at once; retry"),
                );
                let mut s = stream;
                let _ = s.write_all(format!("{}\n", err_line(&Value::Null, &e)).as_bytes());
                continue;
            }
            let id = inner.next_conn.fetch_add(1, Ordering::SeqCst);
            if let Ok(c) = stream.try_clone() {
                lock(&inner.conns).insert(id, c);
            }
            let spawned = std::thread::Builder::new()
                .name("agent-client".into())
                .spawn(move || {
                    serve_client(&inner, stream);
                    lock(&inner.conns).remove(&id);
                    inner.clients.fetch_sub(1, Ordering::SeqCst);
                });
            if spawned.is_err() {
                self.inner.clients.fetch_sub(1, Ordering::SeqCst);
            }
        }
        request_stop(&self.inner);
        let _ = sweeper.join();
        self.cleanup();
        Ok(())
    }

    fn cleanup(&self) {
        lock(&self.inner.state).keys.clear();
        let ours = std::fs::symlink_metadata(&self.inner.socket)
            .map(|m| (m.dev(), m.ino()) == self.inner.socket_id)
            .unwrap_or(false);
        if ours {
            let _ = std::fs::remove_file(&self.inner.socket);
        }
        let _ = std::fs::remove_file(self.inner.state_dir.join(PID_FILE));
        lock(&self.inner.lock_file).take();
    }
}

/// The peer's (pid, uid) from `SO_PEERCRED`.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn peer_cred(s: &UnixStream) -> Option<(i32, u32)> {
    use std::os::fd::AsRawFd;
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: getsockopt writes at most `len` bytes into `cred`, which we own and sized.
    let rc = unsafe {
        libc::getsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    (rc == 0).then_some((cred.pid, cred.uid))
}

/// The peer's uid from `getpeereid` (no pid on these systems).
#[cfg(not(target_os = "linux"))]
#[allow(unsafe_code)]
fn peer_cred(s: &UnixStream) -> Option<(i32, u32)> {
    use std::os::fd::AsRawFd;
    let (mut uid, mut gid) = (0, 0);
    // SAFETY: getpeereid writes two integers we own.
    let rc = unsafe { libc::getpeereid(s.as_raw_fd(), &mut uid, &mut gid) };
    (rc == 0).then_some((0, uid))
}

/// Reads newline-terminated lines of at most [`MAX_LINE`] bytes into wiped buffers.
struct Lines {
    stream: UnixStream,
    /// Bytes received and not yet returned (a password passes through here).
    buf: Zeroizing<Vec<u8>>,
}

enum LineRead {
    Line,
    Eof,
    TooLong,
}

impl Lines {
    fn next(&mut self, out: &mut Zeroizing<Vec<u8>>) -> io::Result<LineRead> {
        out.zeroize();
        loop {
            if let Some(pos) = self.buf.iter().position(|&b| b == b'\n') {
                if pos > MAX_LINE {
                    return Ok(LineRead::TooLong);
                }
                out.extend_from_slice(&self.buf[..pos]);
                // The rest moves to the front; what it leaves behind is wiped, not left stale.
                let rest = self.buf.len() - (pos + 1);
                self.buf.copy_within(pos + 1.., 0);
                self.buf[rest..].zeroize();
                self.buf.truncate(rest);
                return Ok(LineRead::Line);
            }
            if self.buf.len() > MAX_LINE {
                return Ok(LineRead::TooLong);
            }
            let len = self.buf.len();
            if self.buf.capacity() - len < 1024 {
                // Grown by hand: Vec's own growth would free the old buffer (a password, maybe)
                // unwiped; this one is wiped when the old `Zeroizing` drops.
                let mut bigger = Zeroizing::new(Vec::with_capacity((len * 2).max(64 * 1024)));
                bigger.extend_from_slice(&self.buf);
                self.buf = bigger;
            }
            let want = (MAX_LINE + 1 - len).min(self.buf.capacity() - len);
            self.buf.resize(len + want, 0);
            let n = match self.stream.read(&mut self.buf[len..]) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => 0,
                Err(e) => {
                    self.buf.truncate(len);
                    return Err(e);
                }
            };
            self.buf.truncate(len + n);
            if n == 0 {
                return Ok(LineRead::Eof);
            }
        }
    }
}

fn serve_client(inner: &Inner, stream: UnixStream) {
    let cred = peer_cred(&stream);
    let pid = cred.map_or(0, |c| c.0);
    let mut out = match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    };
    if cred.map(|c| c.1) != Some(inner.own_uid) {
        let uid = cred
            .map(|c| c.1.to_string())
            .unwrap_or_else(|| "unknown".into());
        audit(
            inner,
            pid,
            "connect",
            None,
            Some(&format!("peer uid {uid}")),
            "refused",
            Some("peer_uid"),
            None,
        );
        let e = WireError::new(ErrorCode::Forbidden, "this agent serves only its own user");
        let _ = out.write_all(format!("{}\n", err_line(&Value::Null, &e)).as_bytes());
        return;
    }
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let mut lines = Lines {
        stream,
        buf: Zeroizing::new(Vec::with_capacity(64 * 1024)),
    };
    let mut line = Zeroizing::new(Vec::with_capacity(64 * 1024));
    while !inner.stopping.load(Ordering::SeqCst) {
        match lines.next(&mut line) {
            Ok(LineRead::Line) => {}
            Ok(LineRead::Eof) | Err(_) => break,
            Ok(LineRead::TooLong) => {
                let e = WireError::new(
                    ErrorCode::TooLong,
                    format!(
                        "the request line is longer than {MAX_LINE} bytes; the connection is closed"
                    ),
                );
                audit(inner, pid, "", None, None, "error", None, Some(&e.message));
                let _ = out.write_all(format!("{}\n", err_line(&Value::Null, &e)).as_bytes());
                break;
            }
        }
        let (answer, stop) = if std::str::from_utf8(&line).is_err() {
            line.zeroize();
            let e = WireError::new(ErrorCode::Parse, "the request is not UTF-8");
            (err_line(&Value::Null, &e), false)
        } else {
            // The password goes from the line straight into a locked page (and is blanked
            // in the line, which stays UTF-8); the line is wiped before the request runs.
            let password = take_password(&mut line);
            let parsed = match std::str::from_utf8(&line) {
                Ok(text) if text.trim().is_empty() => None,
                Ok(text) => Some(parse_request(text)),
                Err(_) => None,
            };
            line.zeroize();
            match parsed {
                None => continue,
                Some(Ok(req)) => handle(inner, pid, req, password),
                Some(Err((id, e))) => {
                    audit(inner, pid, "", None, None, "error", None, Some(&e.message));
                    (err_line(&id, &e), false)
                }
            }
        };
        if out.write_all(format!("{answer}\n").as_bytes()).is_err() {
            break;
        }
        if stop {
            request_stop(inner);
            break;
        }
    }
}

/// Appends one audit line (one `write` on an append-only file, so lines never interleave).
#[allow(clippy::too_many_arguments)]
fn audit(
    inner: &Inner,
    pid: i32,
    method: &str,
    key: Option<&str>,
    summary: Option<&str>,
    decision: &str,
    rule: Option<&str>,
    error: Option<&str>,
) {
    let mut v = json!({
        "time_ms": now_ms(),
        "client_pid": pid,
        "method": method,
        "key": key,
        "summary": summary,
        "decision": decision,
        "rule": rule,
    });
    if let Some(e) = error {
        v["error"] = Value::String(e.to_string());
    }
    let mut line = v.to_string();
    line.push('\n');
    let _ = lock(&inner.audit).write_all(line.as_bytes());
}

/// Answers one request: (answer line, whether the agent stops after sending it).
fn handle(
    inner: &Inner,
    pid: i32,
    mut req: Request,
    password: Result<Option<Password>, WireError>,
) -> (String, bool) {
    let id = req.id.clone();
    let method = req.method.clone();
    let result = match method.as_str() {
        "accounts" => accounts(inner, &mut req.params),
        "status" => status(inner, &mut req.params),
        "unlock" => unlock(inner, pid, &mut req.params, password),
        "lock" => lock_keys(inner, pid, &mut req.params),
        "reload" => reload(inner, pid, &mut req.params),
        "stop" => match Params::new(&mut req.params, &[]) {
            Ok(_) => {
                audit(inner, pid, "stop", None, None, "allowed", None, None);
                return (ok_line(&id, json!({"stopping": true})), true);
            }
            Err(e) => Err(e),
        },
        "bnb_sign" | "sign_message" | "sign_recover" | "sign_link" => {
            sign(inner, pid, &method, &mut req.params)
        }
        other => Err(WireError::new(
            ErrorCode::Method,
            format!(
                "unknown method {other:?}; the methods are accounts, bnb_sign, sign_message, sign_recover, sign_link, unlock, lock, status, stop, reload"
            ),
        )),
    };
    match result {
        Ok(v) => (ok_line(&id, v), false),
        Err(e) => {
            // Signing requests audit themselves (with key and summary); the rest here.
            if !matches!(
                method.as_str(),
                "bnb_sign" | "sign_message" | "sign_recover" | "sign_link"
            ) {
                audit(
                    inner,
                    pid,
                    &method,
                    None,
                    None,
                    "error",
                    None,
                    Some(&e.message),
                );
            }
            (err_line(&id, &e), false)
        }
    }
}

fn accounts(inner: &Inner, params: &mut JsonValue) -> Result<Value, WireError> {
    Params::new(params, &[])?;
    let mut st = lock(&inner.state);
    st.expire(now_ms());
    Ok(json!({"accounts": st.keys.iter().map(Held::describe).collect::<Vec<_>>()}))
}

fn status(inner: &Inner, params: &mut JsonValue) -> Result<Value, WireError> {
    Params::new(params, &[])?;
    let mut st = lock(&inner.state);
    st.expire(now_ms());
    Ok(json!({
        "version": super::protocol::PROTOCOL_VERSION,
        "pid": std::process::id(),
        "socket": inner.socket.display().to_string(),
        "started_ms": inner.started_ms,
        "policy": st.policy.is_some(),
        "accounts": st.keys.iter().map(Held::describe).collect::<Vec<_>>(),
    }))
}

fn reload(inner: &Inner, pid: i32, params: &mut JsonValue) -> Result<Value, WireError> {
    Params::new(params, &[])?;
    let policy =
        load_policy(&inner.keydir).map_err(|e| WireError::new(ErrorCode::Params, e.to_string()))?;
    let loaded = policy.is_some();
    lock(&inner.state).policy = policy;
    audit(inner, pid, "reload", None, None, "allowed", None, None);
    Ok(json!({"policy": loaded}))
}

fn lock_keys(inner: &Inner, pid: i32, params: &mut JsonValue) -> Result<Value, WireError> {
    let p = Params::new(params, &["name"])?;
    let name = p.opt_str("name")?.map(str::to_string);
    let mut st = lock(&inner.state);
    let before = st.keys.len();
    st.keys
        .retain(|h| name.as_deref().is_some_and(|n| n != h.name));
    let locked = before - st.keys.len();
    drop(st);
    audit(
        inner,
        pid,
        "lock",
        name.as_deref(),
        None,
        "allowed",
        None,
        None,
    );
    Ok(json!({"locked": locked}))
}

fn unlock(
    inner: &Inner,
    pid: i32,
    params: &mut JsonValue,
    password: Result<Option<Password>, WireError>,
) -> Result<Value, WireError> {
    let mut p = Params::new(
        params,
        &["name", "account", "index", "ttl_secs", "password"],
    )?;
    let name = p.str("name")?.to_string();
    let account = p.opt_u64("account")?.unwrap_or(0);
    let index = p.opt_u64("index")?.unwrap_or(0);
    let ttl = p.opt_u64("ttl_secs")?.unwrap_or(DEFAULT_TTL_SECS);
    let password = match password? {
        Some(pw) => pw,
        None => {
            // Missing, not a string, or a string the line scanner did not see (its member
            // name written with escapes): that copy is wiped and the request refused.
            drop(Zeroizing::new(p.take_str("password")?));
            return Err(WireError::params(
                "write the password as the member \"password\" of params (its name without escapes)",
            ));
        }
    };
    let (Ok(account), Ok(index)) = (u32::try_from(account), u32::try_from(index)) else {
        return Err(WireError::params("account and index must be below 2^31"));
    };
    if ttl == 0 || ttl > MAX_TTL_SECS {
        return Err(WireError::params(format!(
            "ttl_secs must be 1 to {MAX_TTL_SECS} (7 days)"
        )));
    }
    let entry = EntryName::new(&name).map_err(|e| WireError::params(e.to_string()))?;
    let fail = |e: String| {
        audit(
            inner,
            pid,
            "unlock",
            Some(&name),
            None,
            "error",
            None,
            Some(&e),
        );
        WireError::new(ErrorCode::Unlock, e)
    };
    let unlocked = inner
        .keydir
        .unlock(&entry, &password)
        .map_err(|e| fail(e.to_string()))?;
    drop(password);
    let network = unlocked.info.network.clone();
    let (key, path) = match unlocked.secret {
        EntrySecret::PrivateKey(key) => {
            if account != 0 || index != 0 {
                return Err(fail(format!(
                    "{name} holds a single imported key; account and index apply to HD entries only"
                )));
            }
            (key, None)
        }
        EntrySecret::Hd(secret) => {
            let mnemonic = Mnemonic::parse(secret.phrase())
                .map_err(|e| fail(format!("the stored mnemonic is invalid: {e}")))?;
            let mut pp = Zeroizing::new(String::with_capacity(secret.passphrase().len()));
            pp.push_str(secret.passphrase());
            drop(secret);
            let seed = mnemonic.to_seed(&Passphrase::from_zeroizing(pp));
            drop(mnemonic);
            let acct = AccountKey::from_seed(&seed, account).map_err(|e| fail(e.to_string()))?;
            drop(seed);
            let key = acct.private_key(index).map_err(|e| fail(e.to_string()))?;
            let path = acct
                .path(index)
                .map_err(|e| fail(e.to_string()))?
                .to_string();
            (key, Some(path))
        }
    };
    let public = key.public_key();
    crate::secmem::scrub_stack();
    let held = Held {
        name: name.clone(),
        account,
        index,
        path,
        network,
        public,
        key,
        expires_ms: now_ms() + ttl * 1000,
    };
    let answer = held.describe();
    let mut st = lock(&inner.state);
    st.keys
        .retain(|h| !(h.name == name && h.account == account && h.index == index));
    st.keys.push(held);
    drop(st);
    audit(
        inner,
        pid,
        "unlock",
        Some(&name),
        None,
        "allowed",
        None,
        None,
    );
    Ok(answer)
}

/// A message that is (or wraps) a transaction sign document: signing it as a message would
/// authorise the transaction without the policy seeing it.
fn looks_like_sign_doc(bytes: &[u8]) -> bool {
    let Ok(v) = serde_json::from_slice::<Value>(bytes) else {
        return false;
    };
    let obj = v.get("params").and_then(|p| p.get(0)).unwrap_or(&v);
    obj.get("chain_id").is_some() || obj.get("msgs").is_some()
}

/// Parses what a signing request asks for: the action, and the address of the key to use.
fn parse_sign(
    method: &str,
    params: &mut JsonValue,
) -> Result<(Action, Vec<u8>, [u8; 20]), WireError> {
    match method {
        "bnb_sign" => {
            let JsonValue::Array(items) = params else {
                return Err(WireError::params(
                    "bnb_sign params are [sign document] or [sign document, {\"msg_type\": NAME}]",
                ));
            };
            let msg_type = match items.get(1) {
                None => None,
                Some(JsonValue::Object(m)) => match m.as_slice() {
                    [(k, JsonValue::String(t))] if k == "msg_type" => Some(t.clone()),
                    _ => return Err(WireError::params("params[1] must be {\"msg_type\": NAME}")),
                },
                Some(_) => return Err(WireError::params("params[1] must be {\"msg_type\": NAME}")),
            };
            if items.is_empty() || items.len() > 2 {
                return Err(WireError::params(
                    "bnb_sign params are [sign document] or [sign document, {\"msg_type\": NAME}]",
                ));
            }
            let tx: UnsignedTx = sign_doc_from_value(&items[0], msg_type.as_deref())
                .map_err(|e| WireError::params(format!("refusing to sign: {e}")))?;
            let signer = *tx.msg().signer().as_bytes();
            Ok((Action::Tx(tx), Vec::new(), signer))
        }
        "sign_message" => {
            let p = Params::new(params, &["address", "message", "message_hex"])?;
            let address = parse_address(p.str("address")?)?;
            let bytes = match (p.opt_str("message")?, p.opt_str("message_hex")?) {
                (Some(m), None) => m.as_bytes().to_vec(),
                (None, Some(h)) => {
                    hex::decode(h).map_err(|_| WireError::params("message_hex is not hex"))?
                }
                _ => {
                    return Err(WireError::params(
                        "give exactly one of message (text) and message_hex",
                    ));
                }
            };
            if looks_like_sign_doc(&bytes) {
                let mut e = WireError::new(
                    ErrorCode::Refused,
                    "this message is a transaction sign document; signing it as a message would authorise the transaction unseen; use bnb_sign",
                );
                e.rule = Some("message_is_transaction".into());
                return Err(e);
            }
            Ok((Action::Message { len: bytes.len() }, bytes, address))
        }
        "sign_link" => {
            // The message names the address it links: that key signs, no other.
            let p = Params::new(params, &["message"])?;
            let msg = LinkMessage::parse(p.str("message")?)
                .and_then(|m| m.validate().map(|()| m))
                .map_err(|e| WireError::params(format!("not a link message: {e}")))?;
            let action = Action::Link {
                address: msg.address.to_string(),
                uri: msg.uri.clone(),
            };
            let address = *msg.address.as_bytes();
            Ok((action, msg.sign_bytes(), address))
        }
        _ => {
            let p = Params::new(params, &["address", "message"])?;
            let address = parse_address(p.str("address")?)?;
            let message = p.str("message")?;
            let req = RecoverRequest::parse_message(message)
                .map_err(|e| WireError::params(format!("not a recovery request: {e}")))?;
            let action = Action::Recover {
                symbol: req.symbol.as_str().to_string(),
                amount: req.amount.to_string(),
                recipient: req.recipient.to_checksummed(),
            };
            Ok((action, message.as_bytes().to_vec(), address))
        }
    }
}

fn parse_address(s: &str) -> Result<[u8; 20], WireError> {
    Address::parse(s)
        .map(|a| *a.as_bytes())
        .map_err(|e| WireError::params(format!("address {s:?}: {e}")))
}

fn not_unlocked(address: &[u8; 20]) -> WireError {
    WireError::new(
        ErrorCode::NotUnlocked,
        format!(
            "no key for address hash {} is unlocked in the agent; unlock its entry first",
            hex::encode(address)
        ),
    )
}

fn sign(inner: &Inner, pid: i32, method: &str, params: &mut JsonValue) -> Result<Value, WireError> {
    let (action, bytes, address) = match parse_sign(method, params) {
        Ok(x) => x,
        Err(e) => {
            audit(
                inner,
                pid,
                method,
                None,
                None,
                if e.code == ErrorCode::Refused {
                    "refused"
                } else {
                    "error"
                },
                e.rule.as_deref(),
                Some(&e.message),
            );
            return Err(e);
        }
    };
    let summary = action.summary();
    let now = now_ms();
    let mut st = lock(&inner.state);
    st.expire(now);
    let Some(name) = st
        .keys
        .iter()
        .find(|h| h.public.hash160() == address)
        .map(|h| h.name.clone())
    else {
        drop(st);
        let e = not_unlocked(&address);
        audit(
            inner,
            pid,
            method,
            None,
            Some(&summary),
            "error",
            None,
            Some(&e.message),
        );
        return Err(e);
    };
    let st_ref = &mut *st;
    let verdict = st_ref
        .ledger
        .evaluate(st_ref.policy.as_ref(), &name, &action, now);
    let confirm_mode = st.policy.as_ref().map(|p| p.confirm);
    let mut confirmed_rule = None;
    let decision = match verdict {
        Ok(()) => "allowed",
        Err(refusal) => {
            drop(st);
            if confirm_mode == Some(ConfirmMode::Terminal)
                && let Some(ask) = &inner.confirm
            {
                let _one_at_a_time = lock(&inner.confirm_lock);
                let prompt = format!(
                    "{name}: {summary}\noutside the policy ({}: {})",
                    refusal.rule, refusal.message
                );
                if !ask(&prompt) {
                    return Err(refused(inner, pid, method, &name, &summary, refusal));
                }
            } else {
                return Err(refused(inner, pid, method, &name, &summary, refusal));
            }
            st = lock(&inner.state);
            st.expire(now_ms());
            confirmed_rule = Some(refusal.rule);
            "confirmed"
        }
    };
    let Some(held) = st.keys.iter().find(|h| h.public.hash160() == address) else {
        drop(st);
        return Err(not_unlocked(&address));
    };
    let result = match &action {
        Action::Tx(tx) => {
            let answer = bnb_sign(&held.key, tx).map_err(|e| WireError::params(e.to_string()))?;
            serde_json::from_str::<Value>(&answer.to_json()).expect("the answer is JSON")
        }
        Action::Message { .. } => {
            let sig = held.key.sign(&bytes);
            json!({
                "address": held.public.address(held.network.hrp()).to_string(),
                "public_key": held.public.to_string(),
                "signature": sig.to_string(),
            })
        }
        _ => {
            let sig = held.key.sign(&bytes);
            json!({
                "public_key": held.public.to_string(),
                "signature": sig.to_string(),
            })
        }
    };
    crate::secmem::scrub_stack();
    st.ledger.record(&name, &action, now);
    drop(st);
    audit(
        inner,
        pid,
        method,
        Some(&name),
        Some(&summary),
        decision,
        confirmed_rule.as_deref(),
        None,
    );
    Ok(result)
}

fn refused(
    inner: &Inner,
    pid: i32,
    method: &str,
    name: &str,
    summary: &str,
    r: Refusal,
) -> WireError {
    audit(
        inner,
        pid,
        method,
        Some(name),
        Some(summary),
        "refused",
        Some(&r.rule),
        Some(&r.message),
    );
    WireError {
        code: ErrorCode::Refused,
        message: format!(
            "the agent's policy refuses this ({}): {}",
            r.rule, r.message
        ),
        rule: Some(r.rule),
    }
}
