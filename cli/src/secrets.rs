//! Reading secrets and confirmations at the edge: never from argv, never echoed.
//!
//! Password sources, in order: `--password-file FILE`, `DEXLINK_PASSWORD` (for automation only),
//! a hidden prompt on the terminal. With no terminal and none of the others, a clear error —
//! never a hang on a closed stdin.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::Path;

use zeroize::Zeroizing;

use crate::cmd::CliError;

/// The environment variable that may hold the key-store password (automation only).
pub const PASSWORD_ENV: &str = "DEXLINK_PASSWORD";

/// Turns off core dumps and same-user ptrace before any secret is read (Linux). SIGPIPE stays
/// ignored (Rust's default): a peer that resets a TLS connection must give an error message, not
/// kill the process; a closed stdout is handled in `main`.
pub fn harden_process() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY-free wrappers do not exist for these; failures are ignored on purpose:
        // hardening is best effort and must not stop the user.
        unsafe {
            libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
            let zero = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &zero);
        }
    }
}

/// Strips one trailing line ending (`\n` or `\r\n`) in place.
fn trim_line_end(s: &mut Zeroizing<String>) {
    if s.ends_with('\n') {
        s.pop();
        if s.ends_with('\r') {
            s.pop();
        }
    }
}

/// A refused or failed read of outside input: bad input, exit 2. The SDK's message names the
/// input, the limit or the file type, and the fix.
pub fn input_error(e: dexlink::io::ReadError) -> CliError {
    e.into()
}

/// Bytes read into a fixed buffer, as UTF-8 text, without copying them.
fn secret_text(
    mut bytes: Zeroizing<Vec<u8>>,
    what: impl FnOnce() -> String,
) -> Result<Zeroizing<String>, CliError> {
    match String::from_utf8(std::mem::take(&mut *bytes)) {
        Ok(s) => Ok(Zeroizing::new(s)),
        Err(e) => {
            // Erase the bytes handed back with the error before dropping them.
            drop(Zeroizing::new(e.into_bytes()));
            Err(CliError::usage(format!("{} is not UTF-8 text", what())))
        }
    }
}

/// Reads a password file: a regular file of at most 4 KiB that others cannot read (checked on
/// the open file); one trailing newline is dropped.
pub fn read_password_file(path: &Path) -> Result<Zeroizing<String>, CliError> {
    let bytes = if is_stdin(path) {
        take_stdin()?;
        dexlink::io::read_secret_stream(io::stdin().lock(), dexlink::io::PASSWORD_FILE, "stdin")
    } else {
        dexlink::io::read_secret_file(path, dexlink::io::PASSWORD_FILE)
    }
    .map_err(input_error)?;
    let mut s = secret_text(bytes, || format!("password file {}", path.display()))?;
    trim_line_end(&mut s);
    Ok(s)
}

/// Shortest password accepted for new entries unless `--allow-weak-password`.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Refuses a new password shorter than [`MIN_PASSWORD_CHARS`] unless weak ones are allowed.
pub fn check_new_password(pw: &str, allow_weak: bool) -> Result<(), CliError> {
    if pw.is_empty() {
        return Err(CliError::usage(
            "the password is empty; choose a password (keys are encrypted with it)",
        ));
    }
    if !allow_weak && pw.chars().count() < MIN_PASSWORD_CHARS {
        return Err(CliError::usage(format!(
            "the password is shorter than {MIN_PASSWORD_CHARS} characters; choose a longer one (or pass --allow-weak-password)"
        )));
    }
    Ok(())
}

/// Where a password comes from, resolved once per command.
pub struct PasswordSource<'a> {
    /// `--password-file`.
    pub file: Option<&'a Path>,
    /// `--allow-weak-password`.
    pub allow_weak: bool,
}

impl PasswordSource<'_> {
    /// The password for an existing entry.
    pub fn get(&self, prompt: &str) -> Result<Zeroizing<String>, CliError> {
        if let Some(p) = self.file {
            return read_password_file(p);
        }
        if let Some(v) = std::env::var_os(PASSWORD_ENV) {
            let v = v
                .into_string()
                .map_err(|_| CliError::usage(format!("{PASSWORD_ENV} is not valid UTF-8")))?;
            return Ok(Zeroizing::new(v));
        }
        prompt_hidden(prompt)
    }

    /// A new password: asked twice on a terminal; from a file or the environment as given.
    pub fn get_new(&self, what: &str) -> Result<Zeroizing<String>, CliError> {
        let interactive = self.file.is_none() && std::env::var_os(PASSWORD_ENV).is_none();
        let pw = self.get(&format!("New password for {what}: "))?;
        if interactive {
            let again = prompt_hidden("Repeat the password: ")?;
            if *again != *pw {
                return Err(CliError::usage(
                    "the two passwords differ; nothing was changed",
                ));
            }
        }
        check_new_password(&pw, self.allow_weak)?;
        Ok(pw)
    }
}

fn no_terminal(what: &str) -> CliError {
    CliError::usage(format!(
        "{what} is needed but there is no terminal to ask on; use --password-file FILE (or set \
         {PASSWORD_ENV} for automation)"
    ))
}

/// Asks on the terminal with echo off.
pub fn prompt_hidden(prompt: &str) -> Result<Zeroizing<String>, CliError> {
    if !io::stdin().is_terminal() && !Path::new("/dev/tty").exists() {
        return Err(no_terminal("a password"));
    }
    match rpassword::prompt_password(prompt) {
        Ok(s) => Ok(Zeroizing::new(s)),
        Err(_) => Err(no_terminal("a password")),
    }
}

/// Asks for a new password twice on the terminal.
pub fn prompt_new_password(prompt: &str) -> Result<Zeroizing<String>, CliError> {
    let pw = prompt_hidden(prompt)?;
    let again = prompt_hidden("Repeat the password: ")?;
    if *again != *pw {
        return Err(CliError::usage(
            "the two passwords differ; nothing was changed",
        ));
    }
    Ok(pw)
}

/// Reads a secret (mnemonic, private key): from a hidden prompt on a terminal, else from stdin.
pub fn read_secret(prompt: &str) -> Result<Zeroizing<String>, CliError> {
    if io::stdin().is_terminal() {
        let s = rpassword::prompt_password(prompt)
            .map_err(|e| CliError::usage(format!("cannot read from the terminal: {e}")))?;
        return Ok(Zeroizing::new(s));
    }
    take_stdin()?;
    let bytes =
        dexlink::io::read_secret_stream(io::stdin().lock(), dexlink::io::SECRET_INPUT, "stdin")
            .map_err(input_error)?;
    let s = secret_text(bytes, || "the secret on stdin".into())?;
    let trimmed = Zeroizing::new(s.trim().to_string());
    if trimmed.is_empty() {
        return Err(CliError::usage(
            "nothing was given on stdin; pipe the secret in or run on a terminal",
        ));
    }
    Ok(trimmed)
}

/// Reads a password: from a hidden prompt on a terminal, else from stdin, where exactly one
/// trailing line ending (`\n` or `\r\n`) is dropped and nothing else (spaces are part of it).
pub fn read_password_input(prompt: &str) -> Result<Zeroizing<String>, CliError> {
    if io::stdin().is_terminal() {
        return prompt_hidden(prompt);
    }
    take_stdin()?;
    let bytes =
        dexlink::io::read_secret_stream(io::stdin().lock(), dexlink::io::SECRET_INPUT, "stdin")
            .map_err(input_error)?;
    let mut s = secret_text(bytes, || "the password on stdin".into())?;
    trim_line_end(&mut s);
    if s.is_empty() {
        return Err(CliError::usage(
            "no password was given on stdin; pipe the password in or run on a terminal",
        ));
    }
    Ok(s)
}

/// Asks `question [y/N]` on the terminal. `--yes` answers for scripts; without a terminal and
/// without `--yes` it refuses rather than guessing.
pub fn confirm(question: &str, yes: bool) -> Result<(), CliError> {
    if yes {
        return Ok(());
    }
    if !io::stdin().is_terminal() {
        return Err(CliError::usage(format!(
            "{question}: confirmation needed but there is no terminal; pass --yes to confirm"
        )));
    }
    eprint!("{question} [y/N] ");
    io::stderr().flush().ok();
    let mut line = String::new();
    io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::usage(format!("cannot read the answer: {e}")))?;
    if matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(())
    } else {
        Err(CliError::cancelled())
    }
}

/// Reads the input of `--message TEXT | --file F | -` as bytes, at most `limit` of them; a
/// file must be a regular file. `--message -` and `--file -` read stdin too.
pub fn read_input(
    text: Option<&str>,
    file: Option<&Path>,
    stdin: bool,
    limit: dexlink::io::Limit,
) -> Result<Vec<u8>, CliError> {
    match (text, file, stdin) {
        (Some("-"), None, false) => read_stdin(limit),
        (Some(t), None, false) => Ok(t.as_bytes().to_vec()),
        (None, Some(p), false) if is_stdin(p) => read_stdin(limit),
        (None, Some(p), false) => dexlink::io::read_regular_file(p, limit).map_err(input_error),
        (None, None, true) => read_stdin(limit),
        _ => Err(CliError::usage(
            "give exactly one of --message TEXT, --file FILE or - (stdin)",
        )),
    }
}

/// Whether a file argument is `-`: stdin for an input, stdout for an output.
pub fn is_stdin(p: &Path) -> bool {
    p.as_os_str() == "-"
}

/// Set once stdin has been read: it can feed one input per command.
static STDIN_TAKEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn take_stdin() -> Result<(), CliError> {
    if STDIN_TAKEN.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return Err(CliError::usage(TWO_STDIN));
    }
    Ok(())
}

const TWO_STDIN: &str =
    "two inputs ask for stdin (-); only one can read it: give the other as a file";

/// Reads stdin, at most `limit` bytes (the one input of the command that comes from stdin).
pub fn read_stdin(limit: dexlink::io::Limit) -> Result<Vec<u8>, CliError> {
    take_stdin()?;
    dexlink::io::read_stream(io::stdin().lock(), limit, "stdin").map_err(input_error)
}

/// Reads a file, or stdin for `-`, as UTF-8 text of at most `limit` bytes.
pub fn read_text_input(path: &Path, limit: dexlink::io::Limit) -> Result<String, CliError> {
    if is_stdin(path) {
        return String::from_utf8(read_stdin(limit)?)
            .map_err(|_| CliError::usage("the input on stdin is not UTF-8 text"));
    }
    dexlink::io::read_regular_text(path, limit).map_err(input_error)
}

/// Argument ids whose value `-` means stdin.
const STDIN_ARGS: [&str; 11] = [
    "password_file",
    "export_password_file",
    "new_password_file",
    "keystore",
    "message",
    "file",
    "market_file",
    "stdin",
    "input",
    "hex",
    "paths",
];

/// Argument ids that name a file or directory that stdin cannot stand in for.
const NO_STDIN_ARGS: [(&str, &str); 2] = [
    ("home", "--home is the key directory"),
    (
        "state",
        "--state is the devnet's state file, read and written as the node runs",
    ),
];

/// Refuses, before anything is read, a command line on which two inputs ask for stdin (`-`), or
/// `-` where a real path is needed. (Reading stdin a second time would see it empty.)
pub fn check_stdin_use(matches: &clap::ArgMatches) -> Result<(), CliError> {
    // Global options show in every level's matches: count each argument once.
    let mut uses: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    let mut m = Some(matches);
    while let Some(cur) = m {
        for id in cur.ids() {
            let id = id.as_str();
            let Ok(Some(values)) = cur.try_get_raw(id) else {
                continue;
            };
            let dashes = values.filter(|v| *v == "-").count();
            if dashes == 0 {
                continue;
            }
            if let Some((_, what)) = NO_STDIN_ARGS.iter().find(|(n, _)| *n == id) {
                return Err(CliError::usage(format!(
                    "{what}; - (stdin) cannot stand in for it: give a path"
                )));
            }
            if let Some(n) = STDIN_ARGS.iter().find(|n| **n == id) {
                let u = uses.entry(n).or_default();
                *u = (*u).max(dashes);
            }
        }
        m = cur.subcommand().map(|(_, sub)| sub);
    }
    if uses.values().sum::<usize>() > 1 {
        return Err(CliError::usage(TWO_STDIN));
    }
    Ok(())
}

/// Warns once on stderr when a secret page could not be locked in RAM (`RLIMIT_MEMLOCK`): the
/// key is still wiped after use, but could be written to swap meanwhile.
pub fn warn_if_memory_unlocked() {
    static WARNED: std::sync::Once = std::sync::Once::new();
    if dexlink::secmem::memory_lock_refused() {
        WARNED.call_once(|| {
            eprintln!(
                "warning: could not lock key memory in RAM (RLIMIT_MEMLOCK, see `ulimit -l`); \
                 keys are still wiped after use but may reach swap meanwhile"
            );
        });
    }
}
