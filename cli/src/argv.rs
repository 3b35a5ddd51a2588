//! Command-line parse errors that never repeat a secret.
//!
//! No argument takes a secret value (secrets come from prompts, stdin or files), but a user may
//! still type one: `keys import bob --private-key 90335b…` makes clap report the key as an
//! "unexpected argument" and quote it back, into the terminal's scrollback and any log of
//! stderr. Before a parse error is printed, every argument that is, or may be, a secret is
//! replaced by `<hidden>`: values following a secret flag (`--private-key`, `--mnemonic`,
//! `--bip39-passphrase`, anything naming a password, seed or secret), and anything shaped like
//! a key (32 or more hex digits, an `xprv`).

use std::ffi::OsString;

/// Words that mark a flag as being about a secret (the same list the argument check uses).
pub(crate) const SECRET_WORDS: [&str; 6] = [
    "mnemonic",
    "private",
    "password",
    "passphrase",
    "secret",
    "seed",
];

/// What stands in for a hidden argument.
pub const HIDDEN: &str = "<hidden>";

/// Whether `flag` (`--name`, without any `=value`) is about a secret. Flags that name a file
/// (`--password-file`) are not: their value is a path.
fn is_secret_flag(flag: &str) -> bool {
    let Some(name) = flag.strip_prefix("--") else {
        return false;
    };
    let name = name.to_ascii_lowercase();
    !name.ends_with("-file")
        && !name.ends_with("-out")
        && SECRET_WORDS.iter().any(|w| name.contains(w))
}

/// Whether `arg` is shaped like key material: 32+ hex digits (optionally `0x`), or an extended
/// private key.
fn looks_like_key(arg: &str) -> bool {
    let t = arg.trim();
    let hex = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    (hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        || t.starts_with("xprv")
        || t.starts_with("tprv")
}

/// Whether an argument that was meant as an address (or a name) must not be repeated in an
/// error: it is shaped like a key, or has spaces as a mnemonic has (an address never does).
pub fn may_be_secret(arg: &str) -> bool {
    looks_like_key(arg) || arg.contains(char::is_whitespace)
}

/// The arguments (or `=value` parts) that must not appear in an error message.
pub fn secret_args(args: &[OsString]) -> Vec<String> {
    let mut out = Vec::new();
    let mut after_secret_flag = false;
    for a in args.iter().skip(1) {
        let a = a.to_string_lossy();
        if a.starts_with('-') && a.len() > 1 {
            let (flag, value) = match a.split_once('=') {
                Some((f, v)) => (f, Some(v)),
                None => (&*a, None),
            };
            after_secret_flag = is_secret_flag(flag);
            if let Some(v) = value
                && (after_secret_flag || looks_like_key(v))
            {
                out.push(v.to_string());
            }
            continue;
        }
        if after_secret_flag || looks_like_key(&a) {
            out.push(a.into_owned());
        }
    }
    // Longest first, so a secret that contains another is replaced whole.
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.retain(|s| !s.is_empty());
    out
}

/// `rendered` (clap's error text) with every secret argument replaced by [`HIDDEN`], plus a note
/// on how secrets are given when one was hidden.
pub fn redact(rendered: &str, secrets: &[String]) -> String {
    let mut text = rendered.to_string();
    let mut hid = false;
    for s in secrets {
        if text.contains(s.as_str()) {
            text = text.replace(s.as_str(), HIDDEN);
            hid = true;
        }
    }
    if hid {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(
            "\nnote: secrets are never taken as arguments (they would stay in the shell history and \
             the process list); --private-key and --mnemonic read them from a hidden prompt or \
             from stdin, e.g.: dexlink keys import NAME --private-key < key.txt\n",
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    const KEY: &str = "90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9";

    #[test]
    fn values_after_secret_flags_and_key_shapes_are_secret() {
        let a = args(&[
            "dexlink",
            "keys",
            "import",
            "bob",
            "--private-key",
            KEY,
            "--network",
            "testnet",
        ]);
        assert_eq!(secret_args(&a), vec![KEY.to_string()]);
        let a = args(&[
            "dexlink",
            "keys",
            "import",
            "bob",
            "--mnemonic",
            "fragile",
            "duck",
        ]);
        assert_eq!(
            secret_args(&a),
            vec!["fragile".to_string(), "duck".to_string()]
        );
        let a = args(&["dexlink", "x", "--bip39-passphrase=hunter2"]);
        assert_eq!(secret_args(&a), vec!["hunter2".to_string()]);
        // A key anywhere, even without a flag; a password *file* is a path, not a secret.
        let a = args(&[
            "dexlink",
            "--password-file",
            "pw.txt",
            "sign",
            &format!("0x{KEY}"),
        ]);
        assert_eq!(secret_args(&a), vec![format!("0x{KEY}")]);
        let a = args(&["dexlink", "keys", "show", "alice", "--count", "3"]);
        assert!(secret_args(&a).is_empty());
    }

    #[test]
    fn redaction_replaces_every_occurrence_and_explains() {
        let text = format!(
            "error: unexpected argument '{KEY}' found\n\n  tip: to pass '{KEY}' as a value, use '-- {KEY}'\n"
        );
        let out = redact(&text, &[KEY.to_string()]);
        assert!(!out.contains(KEY));
        assert!(out.starts_with(
            "error: unexpected argument '<hidden>' found\n\n  tip: to pass '<hidden>' as a value, use '-- <hidden>'\n"
        ));
        assert!(out.contains("--private-key < key.txt"));
        // Nothing to hide: the text is unchanged.
        assert_eq!(redact("error: x\n", &["abc".into()]), "error: x\n");
    }
}
