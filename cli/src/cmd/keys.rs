//! `dexlink keys`: the local key store.

use std::fs::OpenOptions;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::builder::TypedValueParser;
use clap::{Args, Subcommand, ValueEnum};
use dexlink::PrivateKey;
use dexlink::address::Network;
use dexlink::hd::AccountKey;
use dexlink::keydir::{DerivedAddress, EntryInfo, EntryKind, HdSecret, NewHdEntry};
use dexlink::keystore::{self, Password, ScryptParams};
use dexlink::mnemonic::{Language, Mnemonic, Passphrase, WordCount};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use super::{CliError, CliResult, Global};
use crate::error::Context;
use crate::keyring::{self, KeyArgs, entry_name, open_dir, passwords};
use crate::output::print_json;
use crate::secrets::{confirm, read_secret};

/// HD path template recorded in entries.
pub(crate) const PATH_TEMPLATE: &str = "m/44'/714'/{account}'/0/{index}";
/// Addresses recorded at creation, so `keys show` works without a password for the usual ones.
const PRERECORDED: u32 = 5;

#[derive(Debug, Subcommand)]
pub enum KeysCmd {
    /// Create an HD wallet entry (a new BIP39 mnemonic, shown once).
    ///
    /// Example: dexlink keys new alice --network testnet
    New(NewArgs),
    /// Import a mnemonic, a private key or a keystore file (secrets are read from a hidden
    /// prompt, or from stdin when it is not a terminal; never from arguments).
    ///
    /// Example: dexlink keys import bob --private-key < key.txt
    Import(ImportArgs),
    /// List entries (no password needed).
    ///
    /// Example: dexlink keys list --json
    List,
    /// Show an entry's addresses with their paths (no password for recorded addresses).
    ///
    /// Example: dexlink keys show alice --count 3
    Show {
        /// Entry name.
        name: String,
        /// HD account.
        #[arg(long, default_value_t = 0)]
        account: u32,
        /// First HD index.
        #[arg(long, default_value_t = 0, conflicts_with = "all")]
        index: u32,
        /// How many addresses from --index (1 to 1000).
        #[arg(long, default_value_t = 1, conflicts_with = "all")]
        count: u32,
        /// Every recorded address.
        #[arg(long)]
        all: bool,
    },
    /// Export a secret: the mnemonic, a private key, or an encrypted keystore file.
    ///
    /// Example: dexlink keys export alice --format keystore-binance --out alice.keystore
    Export {
        #[command(flatten)]
        key: KeyArgs,
        /// What to export.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Write to this new file (mode 0600) instead of stdout; `-` is stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Password for an exported keystore file, read from this file or - for stdin (default:
        /// prompt twice).
        #[arg(long = "export-password-file", value_name = "FILE")]
        export_password_file: Option<PathBuf>,
        /// Skip the confirmation prompt (for scripts).
        #[arg(short, long)]
        yes: bool,
    },
    /// Delete an entry (asks for confirmation).
    ///
    /// Example: dexlink keys delete alice
    Delete {
        /// Entry name.
        name: String,
        /// Skip the confirmation prompt.
        #[arg(short, long)]
        yes: bool,
    },
    /// Change an entry's password (re-encrypts atomically).
    ///
    /// Example: dexlink keys passwd alice
    Passwd {
        /// Entry name.
        name: String,
        /// Read the new password from this file or - for stdin (default: prompt twice).
        #[arg(long = "new-password-file", value_name = "FILE")]
        new_password_file: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// The BIP39 mnemonic (HD entries).
    Mnemonic,
    /// The private key as hex.
    PrivateKey,
    /// Binance Chain web-wallet / JS SDK keystore (version 1).
    KeystoreBinance,
    /// Web3 Secret Storage v3 (scrypt), for Ethereum tooling.
    KeystoreV3,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// Entry name (letters, digits, '.', '_', '-').
    name: String,
    /// Mnemonic length.
    #[arg(long, default_value_t = 24, value_parser = clap::builder::PossibleValuesParser::new(["12", "15", "18", "21", "24"]).map(|s| s.parse::<usize>().expect("one of the listed numbers")))]
    words: usize,
    /// mainnet, testnet, or a chain id.
    #[arg(long, default_value = "mainnet")]
    network: String,
    /// Word list language.
    #[arg(long, default_value = "english", value_parser = LanguageParser)]
    language: String,
    /// Also protect the seed with a BIP39 passphrase (asked for on the terminal).
    #[arg(long = "bip39-passphrase")]
    bip39_passphrase: bool,
    /// Write the mnemonic to this new file (mode 0600) instead of showing it; `-` is stdout.
    #[arg(long = "mnemonic-out", value_name = "FILE")]
    mnemonic_out: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).multiple(false)))]
pub struct ImportArgs {
    /// Entry name.
    name: String,
    /// Import a BIP39 mnemonic (read from the prompt or stdin).
    #[arg(long, group = "source")]
    mnemonic: bool,
    /// Import a hex private key (read from the prompt or stdin).
    #[arg(long = "private-key", group = "source")]
    private_key: bool,
    /// Import a keystore file (Binance Chain v1 or Web3 v3), or - for stdin; its password is
    /// read from the prompt or stdin (from the terminal only when the keystore is on stdin).
    #[arg(long, group = "source", value_name = "FILE")]
    keystore: Option<PathBuf>,
    /// mainnet, testnet, or a chain id.
    #[arg(long, default_value = "mainnet")]
    network: String,
    /// The mnemonic has a BIP39 passphrase (asked for on the terminal).
    #[arg(long = "bip39-passphrase")]
    bip39_passphrase: bool,
}

/// Lists the word-list languages in the help, and checks a value with the SDK's parser (which
/// also takes other spellings, e.g. `simplified-chinese`).
#[derive(Clone)]
struct LanguageParser;

impl TypedValueParser for LanguageParser {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        let text = clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)?;
        match text.parse::<Language>() {
            Ok(_) => Ok(text),
            // clap's own "invalid value" error lists the possible values.
            Err(_) => clap::builder::PossibleValuesParser::new(Language::ALL.map(Language::name))
                .parse_ref(cmd, arg, value),
        }
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            Language::ALL
                .into_iter()
                .map(|l| clap::builder::PossibleValue::new(l.name())),
        ))
    }
}

fn network(s: &str) -> Result<Network, CliError> {
    s.parse().map_err(|e| {
        CliError::usage(format!(
            "--network: {e} (use mainnet, testnet or a chain id)"
        ))
    })
}

/// The scrypt cost for new entries (see [`crate::kdf_cost::for_new_entries`]).
pub(crate) fn kdf(_global: &Global) -> Result<ScryptParams, CliError> {
    crate::kdf_cost::for_new_entries()
}

fn info_json(info: &EntryInfo) -> Value {
    json!({
        "name": info.name.as_str(),
        "kind": info.kind.as_str(),
        "chain_id": info.network.chain_id().as_str(),
        "hrp": info.network.hrp().as_str(),
        "path_template": info.path_template,
        "created_at_ms": info.created_at.saturating_mul(1000),
        "addresses": info.addresses.iter().map(|a| json!({"path": a.path, "address": a.address.to_string()})).collect::<Vec<_>>(),
    })
}

/// Creates a new empty file with mode 0600; never overwrites.
fn create_private_file(path: &Path) -> Result<std::fs::File, CliError> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| {
            CliError::usage(format!(
                "cannot create {}: {e} (it must not exist yet)",
                path.display()
            ))
        })
}

/// Writes `data` to a new file with mode 0600; never overwrites.
pub fn write_new_private_file(path: &Path, data: &[u8]) -> Result<(), CliError> {
    let f = create_private_file(path)?;
    write_private(path, f, data)
}

/// Writes `data` to a new file with mode 0600 atomically: a temp file beside it is written and
/// fsync-ed, then linked into place (never overwriting), then the directory fsync-ed. A crash
/// leaves no file or the complete one.
fn write_new_private_file_atomic(path: &Path, data: &[u8]) -> Result<(), CliError> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let fail = |e| CliError::io(format!("cannot write {}", path.display()))(e);
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(CliError::usage(format!(
            "cannot create {}: it exists (it must not exist yet)",
            path.display()
        )));
    }
    // tempfile creates its files with mode 0600.
    let mut tmp = tempfile::Builder::new()
        .prefix(".dexlink-mnemonic")
        .tempfile_in(parent)
        .map_err(|e| {
            CliError::usage(format!("cannot create a file in {}: {e}", parent.display()))
        })?;
    tmp.write_all(data).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist_noclobber(path).map_err(|e| {
        CliError::usage(format!(
            "cannot create {}: {} (it must not exist yet)",
            path.display(),
            e.error
        ))
    })?;
    if let Ok(d) = std::fs::File::open(parent) {
        d.sync_all().map_err(fail)?;
    }
    Ok(())
}

fn write_private(path: &Path, mut f: std::fs::File, data: &[u8]) -> Result<(), CliError> {
    f.write_all(data)
        .and_then(|_| f.sync_all())
        .map_err(CliError::io(format!("cannot write {}", path.display())))
}

/// Shows a secret on the controlling terminal only (never stdout, which may be a log).
fn show_on_terminal(text: &str) -> Result<(), CliError> {
    let mut tty = OpenOptions::new()
        .write(true)
        .open("/dev/tty")
        .map_err(|_| {
            CliError::usage("there is no terminal to show the mnemonic on; use --mnemonic-out FILE")
        })?;
    tty.write_all(text.as_bytes())
        .map_err(CliError::io("cannot write to the terminal"))
}

/// The BIP39 passphrase text (empty when not wanted), asked twice on the terminal.
fn bip39_passphrase(wanted: bool) -> Result<Zeroizing<String>, CliError> {
    if !wanted {
        return Ok(Zeroizing::new(String::new()));
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::usage(
            "--bip39-passphrase needs a terminal to ask on",
        ));
    }
    let p = crate::secrets::prompt_hidden("BIP39 passphrase: ")?;
    let again = crate::secrets::prompt_hidden("Repeat the BIP39 passphrase: ")?;
    if *p != *again {
        return Err(CliError::usage(
            "the two passphrases differ; nothing was created",
        ));
    }
    Ok(p)
}

pub(crate) fn hd_addresses(
    seed_account: &AccountKey,
    network: &Network,
) -> Result<Vec<DerivedAddress>, CliError> {
    (0..PRERECORDED)
        .map(|i| {
            let path = seed_account.path(i)?;
            let addr = seed_account.address(i, network.hrp())?;
            Ok(DerivedAddress::new(path.to_string(), addr))
        })
        .collect()
}

fn store_hd(
    global: &Global,
    name: &str,
    mnemonic: &Mnemonic,
    passphrase_text: Zeroizing<String>,
    network: &Network,
) -> Result<EntryInfo, CliError> {
    let passphrase = Passphrase::from_zeroizing(passphrase_text.clone());
    let dir = open_dir(global)?;
    let ename = entry_name(name)?;
    if dir.contains(&ename)? {
        return Err(CliError::usage(format!(
            "an entry named {name} already exists; choose another name or delete it first"
        )));
    }
    let account = AccountKey::from_seed(&mnemonic.to_seed(&passphrase), 0)?;
    let spec = NewHdEntry {
        network: network.clone(),
        path_template: PATH_TEMPLATE.into(),
        addresses: hd_addresses(&account, network)?,
    };
    let secret = HdSecret::new(mnemonic.phrase(), passphrase_text)?;
    let password = Password::from_zeroizing(passwords(global).get_new(name)?);
    crate::progress::say(global, &format!("Encrypting {name} …"));
    Ok(dir.create_hd(&ename, &secret, &spec, &password, kdf(global)?)?)
}

fn print_created(global: &Global, info: &EntryInfo) {
    if global.json {
        print_json(&info_json(info));
    } else if global.quiet {
        println!("{}", info.addresses[0].address);
    } else {
        println!(
            "created {} ({}, {}): {}",
            info.name.as_str(),
            info.kind.as_str(),
            info.network.chain_id(),
            info.addresses[0].address
        );
    }
}

fn new(global: &Global, a: NewArgs) -> CliResult {
    let network = network(&a.network)?;
    let language: Language = a.language.parse().map_err(CliError::arg("--language"))?;
    let count = WordCount::from_words(a.words)?;
    if global.json
        && a.mnemonic_out
            .as_ref()
            .is_some_and(|p| p.as_os_str() == "-")
    {
        return Err(CliError::usage(
            "--mnemonic-out - would mix the words into the --json document; give a FILE",
        ));
    }
    // Fail before generating anything if the mnemonic has nowhere safe to go.
    if a.mnemonic_out.is_none()
        && std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/tty")
            .is_err()
    {
        return Err(CliError::usage(
            "there is no terminal to show the new mnemonic on; use --mnemonic-out FILE",
        ));
    }
    // The passphrase is kept (encrypted) with the mnemonic so any key can be derived later.
    let pp_text = bip39_passphrase(a.bip39_passphrase)?;
    let mnemonic = Mnemonic::generate_in(language, count);
    let phrase = mnemonic.phrase();
    let mut line = Zeroizing::new(String::with_capacity(phrase.len() + 1));
    line.push_str(&phrase);
    line.push('\n');
    // The words are saved (atomically, complete) before the entry exists: a crash in between
    // leaves a mnemonic file and no entry, never an entry whose words were not saved.
    let to_file = a.mnemonic_out.as_ref().filter(|p| p.as_os_str() != "-");
    match (&a.mnemonic_out, to_file) {
        (_, Some(path)) => write_new_private_file_atomic(path, line.as_bytes())?,
        (Some(_), None) => {
            let mut so = std::io::stdout().lock();
            so.write_all(line.as_bytes())
                .and_then(|()| so.flush())
                .map_err(CliError::io("cannot write to stdout"))?;
        }
        (None, _) => {}
    }
    let info = match store_hd(global, &a.name, &mnemonic, pp_text, &network) {
        Ok(info) => info,
        Err(e) => {
            // No wallet was created: its words must not linger on disk.
            if let Some(path) = to_file {
                let _ = std::fs::remove_file(path);
            }
            return Err(e);
        }
    };
    match (&a.mnemonic_out, to_file) {
        (_, Some(path)) => {
            if !global.quiet && !global.json {
                eprintln!(
                    "mnemonic written to {} (mode 0600): back it up offline, then delete the file",
                    path.display()
                );
            }
        }
        (Some(_), None) => {}
        (None, _) => {
            let mut text = Zeroizing::new(String::with_capacity(phrase.len() + 256));
            text.push_str("\nWrite these words down, in order, and keep them offline. They are the only way to\nrecover this wallet; anyone who has them controls its funds. They will not be shown again.\n\n    ");
            text.push_str(&phrase);
            text.push_str("\n\n");
            show_on_terminal(&text)?;
        }
    }
    print_created(global, &info);
    Ok(ExitCode::SUCCESS)
}

fn import(global: &Global, a: ImportArgs) -> CliResult {
    let network = network(&a.network)?;
    let dir = open_dir(global)?;
    let ename = entry_name(&a.name)?;
    if dir.contains(&ename)? {
        return Err(CliError::usage(format!(
            "an entry named {} already exists; choose another name or delete it first",
            a.name
        )));
    }
    let info = if a.mnemonic {
        let phrase = read_secret("Mnemonic (hidden): ")?;
        let mnemonic = Mnemonic::parse(&phrase)?;
        drop(phrase);
        let pp_text = bip39_passphrase(a.bip39_passphrase)?;
        store_hd(global, &a.name, &mnemonic, pp_text, &network)?
    } else {
        let key: PrivateKey = if a.private_key {
            let text = read_secret("Private key (hex, hidden): ")?;
            PrivateKey::from_hex(&text).map_err(CliError::arg("private key"))?
        } else {
            let path = a.keystore.as_ref().expect("clap requires one source");
            let json = crate::secrets::read_text_input(path, dexlink::io::KEYSTORE_FILE)?;
            let prompt = "Keystore file password (hidden): ";
            let pw = Password::from_zeroizing(if crate::secrets::is_stdin(path) {
                // Stdin held the keystore: the password can only come from the terminal.
                crate::secrets::prompt_hidden(prompt).map_err(|_| {
                    CliError::usage(
                        "the keystore was read from stdin, so its password must be typed on a \
                         terminal, and there is none; give the keystore as a file to pipe the \
                         password in",
                    )
                })?
            } else {
                crate::secrets::read_password_input(prompt)?
            });
            let decrypted = keystore::decrypt(&json, &pw).context(path.display().to_string())?;
            crate::kdf_cost::warn_weak_keystore(path, &decrypted.kdf(), &a.name);
            if let keystore::AddressCheck::NotChecked(why) = decrypted.address_check() {
                eprintln!(
                    "warning: {}: the file's address label was not checked against the key: {why}",
                    path.display()
                );
            }
            decrypted.into_private_key()
        };
        let password = Password::from_zeroizing(passwords(global).get_new(&a.name)?);
        crate::progress::say(global, &format!("Encrypting {} …", a.name));
        dir.import_private_key(&ename, &key, &network, &password, kdf(global)?)?
    };
    print_created(global, &info);
    Ok(ExitCode::SUCCESS)
}

fn list(global: &Global) -> CliResult {
    let dir = open_dir(global)?;
    let listing = dir.list()?;
    if global.json {
        print_json(&json!({
            "home": dir.path().display().to_string(),
            "entries": listing.entries.iter().map(info_json).collect::<Vec<_>>(),
            "problems": listing.problems.iter().map(|(f, e)| json!({"file": f, "error": e.to_string()})).collect::<Vec<_>>(),
        }));
    } else if global.quiet {
        for e in &listing.entries {
            println!("{}", e.name.as_str());
        }
    } else {
        if listing.entries.is_empty() {
            println!(
                "no keys in {} yet; create one with `dexlink keys new NAME`",
                dir.path().display()
            );
        } else {
            println!("{:<20} {:<12} {:<22} ADDRESS", "NAME", "KIND", "CHAIN ID");
        }
        for e in &listing.entries {
            let first = e
                .addresses
                .first()
                .map(|a| a.address.to_string())
                .unwrap_or_default();
            println!(
                "{:<20} {:<12} {:<22} {first}",
                e.name.as_str(),
                e.kind.as_str(),
                e.network.chain_id()
            );
        }
        for (f, err) in &listing.problems {
            eprintln!("warning: {f}: {err}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn show(global: &Global, name: &str, account: u32, index: u32, count: u32, all: bool) -> CliResult {
    if !all {
        keyring::check_count(count)?;
    }
    let dir = open_dir(global)?;
    let ename = entry_name(name)?;
    let info = dir.get(&ename)?;
    if info.kind == EntryKind::PrivateKey && !all && (account != 0 || index != 0 || count != 1) {
        return Err(keyring::not_hd(name));
    }
    let wanted: Vec<String> = if all || info.kind == EntryKind::PrivateKey {
        Vec::new()
    } else {
        (0..count)
            .map(|i| {
                index
                    .checked_add(i)
                    .map(|x| format!("m/44'/714'/{account}'/0/{x}"))
                    .ok_or_else(|| CliError::usage("--index plus --count runs past 2^32 - 1"))
            })
            .collect::<Result<_, _>>()?
    };
    let missing = wanted.iter().any(|p| {
        !info
            .addresses
            .iter()
            .any(|a| a.path.as_deref() == Some(p.as_str()))
    });
    // Recorded addresses show without a password; others need the seed, and are derived but
    // not recorded (an entry records only addresses that are used, so it stays small).
    let derived: Vec<DerivedAddress> = if missing {
        let args = KeyArgs {
            name: name.into(),
            account,
            index,
        };
        keyring::derive_addresses(global, &args, count)?
    } else {
        Vec::new()
    };
    let shown: Vec<&DerivedAddress> = if wanted.is_empty() {
        info.addresses.iter().collect()
    } else if missing {
        derived.iter().collect()
    } else {
        wanted
            .iter()
            .filter_map(|p| {
                info.addresses
                    .iter()
                    .find(|a| a.path.as_deref() == Some(p.as_str()))
            })
            .collect()
    };
    if global.json {
        print_json(&json!({
            "name": name,
            "kind": info.kind.as_str(),
            "chain_id": info.network.chain_id().as_str(),
            "addresses": shown.iter().map(|a| json!({"path": a.path, "address": a.address.to_string()})).collect::<Vec<_>>(),
        }));
    } else if global.quiet {
        for a in shown {
            println!("{}", a.address);
        }
    } else {
        for a in shown {
            println!(
                "{:<22} {}",
                a.path.as_deref().unwrap_or("(imported key)"),
                a.address
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn export(
    global: &Global,
    key: KeyArgs,
    format: ExportFormat,
    out: Option<PathBuf>,
    export_password_file: Option<PathBuf>,
    yes: bool,
) -> CliResult {
    let what = match format {
        ExportFormat::Mnemonic => "the mnemonic (it controls every key of this wallet)",
        ExportFormat::PrivateKey => "the private key in plain hex",
        ExportFormat::KeystoreBinance | ExportFormat::KeystoreV3 => "an encrypted keystore file",
    };
    confirm(&format!("Export {what} of {}?", key.name), yes)?;
    let data: Zeroizing<String> = match format {
        ExportFormat::Mnemonic => {
            let dir = open_dir(global)?;
            let ename = entry_name(&key.name)?;
            let pw = keyring::entry_password(global, &key.name)?;
            let unlocked = dir.unlock(&ename, &pw)?;
            crate::kdf_cost::warn_weak_entry(&key.name, &unlocked.kdf);
            match unlocked.secret {
                dexlink::keydir::EntrySecret::Hd(s) => {
                    let mut t = Zeroizing::new(String::with_capacity(s.phrase().len() + 1));
                    t.push_str(s.phrase());
                    t.push('\n');
                    t
                }
                dexlink::keydir::EntrySecret::PrivateKey(_) => {
                    return Err(CliError::usage(format!(
                        "{} holds a single imported key, not a mnemonic; use --format private-key or a keystore",
                        key.name
                    )));
                }
                _ => {
                    return Err(CliError::failed(format!(
                        "{} holds a kind of secret this version cannot export; upgrade dexlink",
                        key.name
                    )));
                }
            }
        }
        ExportFormat::PrivateKey => {
            let k = keyring::unlock(global, &key)?;
            // Sized for the newline too: growing the string would free an unwiped copy.
            let mut t = Zeroizing::new(String::with_capacity(65));
            k.key.write_hex(&mut t);
            t.push('\n');
            t
        }
        ExportFormat::KeystoreBinance | ExportFormat::KeystoreV3 => {
            let k = keyring::unlock(global, &key)?;
            // The exported file gets its own password, asked for fresh.
            let pw = match &export_password_file {
                Some(p) => crate::secrets::read_password_file(p)?,
                None => {
                    crate::secrets::prompt_new_password("Password for the exported keystore: ")?
                }
            };
            crate::secrets::check_new_password(&pw, global.allow_weak_password)?;
            let pw = Password::from_zeroizing(pw);
            let json = match format {
                ExportFormat::KeystoreBinance => {
                    keystore::encrypt_binance(&k.key, &pw, Some(k.network.hrp()))
                }
                _ => keystore::encrypt_web3(&k.key, &pw, kdf(global)?),
            };
            Zeroizing::new(json + "\n")
        }
    };
    let format_name = format
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default();
    match out.filter(|p| p.as_os_str() != "-") {
        Some(path) => {
            write_new_private_file(&path, data.as_bytes())?;
            if global.json {
                print_json(&json!({
                    "name": key.name,
                    "format": format_name,
                    "file": path.display().to_string(),
                }));
            } else if !global.quiet {
                eprintln!("written to {} (mode 0600)", path.display());
            }
        }
        None => {
            let data = if global.json {
                export_json(&key.name, &format_name, format, &data)?
            } else {
                data
            };
            let mut so = std::io::stdout().lock();
            so.write_all(data.as_bytes())
                .and_then(|()| so.flush())
                .map_err(CliError::io("cannot write to stdout"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The `--json` document of an export to stdout, built in wiped memory (a `serde_json::Value`
/// would leave unwiped copies of the secret): `{"name", "format", FIELD}` where FIELD is
/// `mnemonic` or `private_key` (a string) or `keystore` (the keystore object itself).
fn export_json(
    name: &str,
    format_name: &str,
    format: ExportFormat,
    data: &str,
) -> Result<Zeroizing<String>, CliError> {
    let secret = data.trim_end_matches('\n');
    let (field, quoted) = match format {
        ExportFormat::Mnemonic => ("mnemonic", true),
        ExportFormat::PrivateKey => ("private_key", true),
        ExportFormat::KeystoreBinance | ExportFormat::KeystoreV3 => ("keystore", false),
    };
    // Mnemonic words and hex need no JSON escaping; refuse rather than write broken JSON.
    if quoted
        && secret
            .chars()
            .any(|c| c == '"' || c == '\\' || c.is_control())
    {
        return Err(CliError::failed(
            "the secret has characters that JSON would escape; export it without --json",
        ));
    }
    let head = format!(
        "{{\"name\":{},\"format\":{},\"{field}\":",
        serde_json::Value::from(name),
        serde_json::Value::from(format_name)
    );
    let mut out = Zeroizing::new(String::with_capacity(head.len() + secret.len() + 4));
    out.push_str(&head);
    if quoted {
        out.push('"');
    }
    out.push_str(secret);
    if quoted {
        out.push('"');
    }
    out.push_str("}\n");
    Ok(out)
}

pub fn run(global: &Global, cmd: KeysCmd) -> CliResult {
    match cmd {
        KeysCmd::New(a) => new(global, a),
        KeysCmd::Import(a) => import(global, a),
        KeysCmd::List => list(global),
        KeysCmd::Show {
            name,
            account,
            index,
            count,
            all,
        } => show(global, &name, account, index, count, all),
        KeysCmd::Export {
            key,
            format,
            out,
            export_password_file,
            yes,
        } => export(global, key, format, out, export_password_file, yes),
        KeysCmd::Delete { name, yes } => {
            let dir = open_dir(global)?;
            let ename = entry_name(&name)?;
            let info = dir.get(&ename)?;
            confirm(
                &format!(
                    "Delete {name} ({}, {})? Without a backup its keys are lost",
                    info.kind.as_str(),
                    info.addresses
                        .first()
                        .map(|a| a.address.to_string())
                        .unwrap_or_default()
                ),
                yes,
            )?;
            dir.delete(&ename)?;
            if global.json {
                print_json(&json!({"name": name, "deleted": true}));
            } else if !global.quiet {
                println!("deleted {name}");
            }
            Ok(ExitCode::SUCCESS)
        }
        KeysCmd::Passwd {
            name,
            new_password_file,
        } => {
            let dir = open_dir(global)?;
            let ename = entry_name(&name)?;
            let info = dir.get(&ename)?;
            let old = keyring::entry_password(global, &name)?;
            let new = match &new_password_file {
                Some(p) => crate::secrets::read_password_file(p)?,
                None => crate::secrets::prompt_new_password(&format!("New password for {name}: "))?,
            };
            crate::secrets::check_new_password(&new, global.allow_weak_password)?;
            keyring::note_compaction(&info);
            dir.change_password(&ename, &old, &Password::from_zeroizing(new), kdf(global)?)?;
            if !global.quiet && !global.json {
                println!("password changed for {name}");
            } else if global.json {
                print_json(&json!({"name": name, "password_changed": true}));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
