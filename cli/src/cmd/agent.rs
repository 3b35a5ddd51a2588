//! `dexlink agent start|unlock|lock|status|stop|reload`: the signer agent (the daemon and its
//! protocol live in `dexlink::agent`).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use dexlink::agent::{Agent, AgentClient, AgentConfig, ClientError};
use serde_json::{Value, json};

use super::{CliError, CliResult, Global};
use crate::keyring::{self, open_dir};
use crate::output::print_json;

/// Set in the environment of the agent `agent start` detaches: it has no terminal to ask on.
const DETACHED_ENV: &str = "DEXLINK_AGENT_DETACHED";
/// The detached agent's stderr, in the state area.
const LOG_FILE: &str = "agent.log";

/// The socket to use.
#[derive(Debug, Args)]
pub struct SocketArg {
    /// The agent's socket (default: the key directory's state/agent.sock).
    #[arg(long, env = "DEXLINK_AGENT", value_name = "PATH")]
    socket: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum AgentCmd {
    /// Start the agent (detached, with a pid file, unless --foreground).
    ///
    /// It listens on a socket only its user can use, holds the keys `agent unlock` gives it,
    /// follows policy.toml in the key directory and logs every request to
    /// state/agent-audit.jsonl.
    ///
    /// Example: dexlink agent start
    Start {
        #[command(flatten)]
        socket: SocketArg,
        /// Stay in the foreground (stop with Ctrl-C); requests outside the policy can then be
        /// confirmed on this terminal when the policy says confirm = "terminal".
        #[arg(long)]
        foreground: bool,
    },
    /// Unlock a key in the agent (the agent runs the KDF; the key stays there until the TTL).
    ///
    /// Example: dexlink agent unlock alice --ttl 1h
    Unlock {
        /// The key-store entry name.
        #[arg(value_name = "NAME")]
        name: String,
        /// HD account (m/44'/714'/ACCOUNT'/0/INDEX).
        #[arg(long, default_value_t = 0)]
        account: u32,
        /// HD address index (m/44'/714'/ACCOUNT'/0/INDEX).
        #[arg(long, default_value_t = 0)]
        index: u32,
        /// How long the agent keeps it: seconds, or a number with s, m, h or d.
        #[arg(long, default_value = "1h", value_name = "DURATION")]
        ttl: String,
        #[command(flatten)]
        socket: SocketArg,
    },
    /// Wipe the keys of one entry (or all keys) from the agent.
    ///
    /// Example: dexlink agent lock alice
    Lock {
        /// The entry (default: every key).
        #[arg(value_name = "NAME")]
        name: Option<String>,
        #[command(flatten)]
        socket: SocketArg,
    },
    /// Show whether an agent runs and which keys it holds until when (never secrets).
    ///
    /// Example: dexlink agent status --json
    Status {
        #[command(flatten)]
        socket: SocketArg,
    },
    /// Stop the agent (it wipes every key first).
    ///
    /// Example: dexlink agent stop
    Stop {
        #[command(flatten)]
        socket: SocketArg,
    },
    /// Re-read policy.toml.
    ///
    /// Example: dexlink agent reload
    Reload {
        #[command(flatten)]
        socket: SocketArg,
    },
}

/// Parses `90`, `90s`, `15m`, `1h`, `2d` into seconds.
fn parse_ttl(s: &str) -> Result<u64, CliError> {
    let bad = || {
        CliError::usage(format!(
            "--ttl {s:?} is not a duration; give seconds or a number with s, m, h or d (e.g. 30m)"
        ))
    };
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = num.parse().map_err(|_| bad())?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return Err(bad()),
    };
    let secs = n.checked_mul(mult).ok_or_else(bad)?;
    if secs == 0 || secs > dexlink::agent::MAX_TTL_SECS {
        return Err(CliError::usage(format!(
            "--ttl {s} is out of range: give 1 second to 7 days"
        )));
    }
    Ok(secs)
}

fn socket_path(global: &Global, arg: &SocketArg) -> Result<PathBuf, CliError> {
    match &arg.socket {
        Some(p) => Ok(p.clone()),
        None => keyring::agent_socket(global),
    }
}

fn connect(socket: &Path) -> Result<AgentClient, CliError> {
    AgentClient::connect(socket).map_err(|e| match e {
        ClientError::Connect { .. } => CliError::failed(format!(
            "no agent is running at {} (start one with `dexlink agent start`)",
            socket.display()
        )),
        other => client_error(other),
    })
}

fn client_error(e: ClientError) -> CliError {
    match e.wire() {
        Some(w) => CliError::failed(w.message.clone()),
        None => CliError::failed(e.to_string()),
    }
}

pub fn run(global: &Global, cmd: AgentCmd) -> CliResult {
    match cmd {
        AgentCmd::Start { socket, foreground } => {
            let path = socket_path(global, &socket)?;
            if foreground {
                start_foreground(global, path)
            } else {
                start_detached(global, &path)
            }
        }
        AgentCmd::Unlock {
            name,
            account,
            index,
            ttl,
            socket,
        } => {
            let ttl = parse_ttl(&ttl)?;
            let entry = keyring::entry_name(&name)?;
            // A missing entry is named before a password is asked for.
            open_dir(global)?.get(&entry).map_err(CliError::from)?;
            let path = socket_path(global, &socket)?;
            let mut client = connect(&path)?;
            let password = keyring::passwords(global).get(&format!("Password for {name}: "))?;
            let info = client
                .unlock(&name, account, index, ttl, &password)
                .map_err(client_error)?;
            drop(password);
            if global.json {
                print_json(&json!({
                    "name": info.name,
                    "account": info.account,
                    "index": info.index,
                    "address": info.address.to_string(),
                    "public_key": info.public_key.to_string(),
                    "expires_ms": info.expires_ms,
                }));
            } else if global.quiet {
                println!("{}", info.address);
            } else {
                println!(
                    "unlocked {} ({}) in the agent for {}",
                    info.name,
                    info.address,
                    human_secs(ttl)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        AgentCmd::Lock { name, socket } => {
            let mut client = connect(&socket_path(global, &socket)?)?;
            let n = client.lock(name.as_deref()).map_err(client_error)?;
            if global.json {
                print_json(&json!({"locked": n}));
            } else if !global.quiet {
                println!("wiped {n} key(s) from the agent");
            }
            Ok(ExitCode::SUCCESS)
        }
        AgentCmd::Status { socket } => {
            let mut client = connect(&socket_path(global, &socket)?)?;
            let s = client.status().map_err(client_error)?;
            print_status(global, &s);
            Ok(ExitCode::SUCCESS)
        }
        AgentCmd::Stop { socket } => {
            let path = socket_path(global, &socket)?;
            let mut client = connect(&path)?;
            client.stop().map_err(client_error)?;
            // It removes its socket as it exits.
            let deadline = Instant::now() + Duration::from_secs(10);
            while path.exists() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if global.json {
                print_json(&json!({"stopped": true}));
            } else if !global.quiet {
                println!("agent stopped; its keys are wiped");
            }
            Ok(ExitCode::SUCCESS)
        }
        AgentCmd::Reload { socket } => {
            let mut client = connect(&socket_path(global, &socket)?)?;
            let policy = client.reload().map_err(client_error)?;
            if global.json {
                print_json(&json!({"policy": policy}));
            } else if !global.quiet {
                println!(
                    "{}",
                    if policy {
                        "policy reloaded"
                    } else {
                        "no policy.toml: every request for an unlocked key is allowed"
                    }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn human_secs(s: u64) -> String {
    match s {
        s if s % 86400 == 0 => format!("{}d", s / 86400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

fn print_status(global: &Global, s: &Value) {
    let accounts = s["accounts"].as_array().cloned().unwrap_or_default();
    if global.json {
        print_json(&json!({
            "running": true,
            "pid": s["pid"],
            "socket": s["socket"],
            "policy": s["policy"],
            "started_ms": s["started_ms"],
            "accounts": accounts,
        }));
        return;
    }
    println!(
        "agent running (pid {}), socket {}, policy: {}",
        s["pid"],
        s["socket"].as_str().unwrap_or(""),
        if s["policy"] == Value::Bool(true) {
            "policy.toml"
        } else {
            "none (all allowed)"
        }
    );
    if accounts.is_empty() {
        println!("no keys unlocked");
        return;
    }
    let now = dexlink_now_ms();
    println!(
        "{:<20} {:>7} {:>5}  {:<44} EXPIRES_IN",
        "NAME", "ACCOUNT", "INDEX", "ADDRESS"
    );
    for a in accounts {
        let left = a["expires_ms"].as_u64().unwrap_or(0).saturating_sub(now) / 1000;
        println!(
            "{:<20} {:>7} {:>5}  {:<44} {}",
            a["name"].as_str().unwrap_or(""),
            a["account"].as_u64().unwrap_or(0),
            a["index"].as_u64().unwrap_or(0),
            a["address"].as_str().unwrap_or(""),
            human_left(left)
        );
    }
}

fn human_left(s: u64) -> String {
    format!("{}h{:02}m{:02}s", s / 3600, (s % 3600) / 60, s % 60)
}

fn dexlink_now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Starts a copy of this binary in the foreground mode, detached (own session, no terminal,
/// stderr to state/agent.log), and waits until it answers.
fn start_detached(global: &Global, socket: &Path) -> CliResult {
    let dir = open_dir(global)?;
    let state = dir.state_dir().map_err(CliError::from)?;
    let log_path = state.join(LOG_FILE);
    let log = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&log_path)
            .map_err(|e| CliError::failed(format!("cannot open {}: {e}", log_path.display())))?
    };
    let exe = std::env::current_exe()
        .map_err(|e| CliError::failed(format!("cannot find this program's path: {e}")))?;
    let mut cmd = std::process::Command::new(exe);
    cmd.arg("--home")
        .arg(dir.path())
        .args(["agent", "start", "--foreground", "--socket"])
        .arg(socket)
        .env(DETACHED_ENV, "1")
        .env_remove("DEXLINK_PASSWORD")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log));
    {
        use std::os::unix::process::CommandExt;
        // Its own session: no controlling terminal, no Ctrl-C or hangup from ours.
        #[allow(unsafe_code)]
        // SAFETY: setsid is async-signal-safe and touches no memory of the parent.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| CliError::failed(format!("cannot start the agent: {e}")))?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            let last = log
                .lines()
                .last()
                .unwrap_or("")
                .trim_start_matches("error: ");
            return Err(CliError::failed(format!(
                "the agent did not start ({status}): {last}"
            )));
        }
        if let Ok(mut c) = AgentClient::connect(socket)
            && c.status().is_ok()
        {
            break;
        }
        if Instant::now() > deadline {
            return Err(CliError::failed(format!(
                "the agent did not answer within 30 s; see {}",
                log_path.display()
            )));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    if global.json {
        print_json(&json!({"pid": child.id(), "socket": socket.display().to_string()}));
    } else if !global.quiet {
        println!(
            "agent started (pid {}), socket {}\nunlock a key with: dexlink agent unlock NAME",
            child.id(),
            socket.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Blocks SIGTERM, SIGINT and SIGHUP in every thread and returns the set: a dedicated thread
/// waits for them and stops the agent cleanly (keys wiped, socket removed).
#[allow(unsafe_code)]
fn block_stop_signals() -> libc::sigset_t {
    // SAFETY: sigset_t is plain data initialised by sigemptyset; pthread_sigmask changes only
    // this thread's mask (threads spawned later inherit it).
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGHUP);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        set
    }
}

#[allow(unsafe_code)]
fn wait_signal(set: &libc::sigset_t) -> i32 {
    let mut sig = 0;
    // SAFETY: sigwait reads the set and writes one int we own.
    unsafe {
        libc::sigwait(set, &mut sig);
    }
    sig
}

fn start_foreground(global: &Global, socket: PathBuf) -> CliResult {
    let set = block_stop_signals();
    let dir = open_dir(global)?;
    let detached = std::env::var_os(DETACHED_ENV).is_some();
    let terminal = !detached && std::io::stdin().is_terminal();
    let confirm: Option<Box<dexlink::agent::ConfirmFn>> = if terminal {
        Some(Box::new(|prompt: &str| {
            eprintln!("{prompt}");
            crate::secrets::confirm("Sign it anyway?", false).is_ok()
        }))
    } else {
        None
    };
    let agent = Agent::bind(AgentConfig {
        keydir: dir,
        socket,
        confirm,
    })
    .map_err(|e| CliError::failed(e.to_string()))?;
    let stop = agent.stop_handle();
    std::thread::spawn(move || {
        wait_signal(&set);
        stop.stop();
    });
    if !global.quiet && !detached {
        eprintln!(
            "agent listening on {} (pid {}); policy: {}; stop with Ctrl-C or `dexlink agent stop`",
            agent.socket().display(),
            std::process::id(),
            if agent.has_policy() {
                "policy.toml"
            } else {
                "none (all allowed)"
            }
        );
    }
    // The socket line on stdout tells a script (or a test) that it is ready.
    println!("{}", agent.socket().display());
    std::io::stdout().flush().ok();
    agent.serve().map_err(|e| CliError::failed(e.to_string()))?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::parse_ttl;

    #[test]
    fn ttls_parse_with_units_and_bounds() {
        assert_eq!(parse_ttl("90").unwrap(), 90);
        assert_eq!(parse_ttl("15m").unwrap(), 900);
        assert_eq!(parse_ttl("1h").unwrap(), 3600);
        assert_eq!(parse_ttl("7d").unwrap(), 604_800);
        assert_eq!(
            parse_ttl("8d").unwrap_err().to_string(),
            "--ttl 8d is out of range: give 1 second to 7 days"
        );
        assert_eq!(
            parse_ttl("1w").unwrap_err().to_string(),
            "--ttl \"1w\" is not a duration; give seconds or a number with s, m, h or d (e.g. 30m)"
        );
        assert!(parse_ttl("0").is_err());
    }
}
