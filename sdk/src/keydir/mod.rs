//! The local key directory: named, password-encrypted entries (HD wallets or imported keys)
//! with public metadata, stored so that crashes and concurrent processes never corrupt them.
//!
//! * Location: an explicit path, else `$DEXLINK_HOME` (empty counts as unset), else
//!   `~/.dexlink`. Created with mode 0700; an existing directory with any group/world permission
//!   bit is refused ([`KeyDirError::InsecurePermissions`], fix: `chmod 700`), and so is a
//!   directory, entry or lock file owned by another user ([`KeyDirError::ForeignOwner`], as ssh
//!   does).
//! * One namespace for entries and nothing else in it: every `<name>.json` file at the top level
//!   is an entry ([`EntryName`]s never start with `.`). Everything else the directory holds is
//!   out of reach of entry names: the lock `.lock` and temp files `.*.tmp` (dot names), and the
//!   **state area** `state/` ([`KeyDir::state_dir`]: a 0700 subdirectory, no `.json` suffix, so
//!   no entry file can be it) where applications keep their files — the CLI's link profile
//!   `state/profile.json`, and later an agent's socket or pid file. Two names that differ only in
//!   case are refused as a clash ([`KeyDirError::NameTaken`]), so a directory behaves the same
//!   on case-insensitive file systems. A `profile.json` written at the top level by older
//!   versions moves to `state/profile.json` when the directory is opened, unless it is an entry
//!   (then it stays one).
//! * One file per entry, `<name>.json`, mode 0600 (format in [`entry`](self) docs: public
//!   metadata plus a Web3-v3-style `crypto` object, scrypt 2^18/8/1 by default). Entries stay
//!   small: at most [`MAX_RECORDED_ADDRESSES`] recorded addresses and [`MAX_ENTRY_SIZE`] bytes; a
//!   change that would pass either is refused before anything is written. An entry that an older
//!   version grew past the size (up to 64 MiB) still opens, and its next write keeps only the
//!   first [`COMPACTED_ADDRESSES`] addresses ([`EntryInfo::is_over_limits`] tells callers to
//!   say so).
//! * Every write is a temp file created 0600 in the same directory, written, fsync-ed, then
//!   hard-linked (create: never overwrites) or renamed (replace) into place, then the directory
//!   fsync-ed. Creates, deletes and rewrites hold an exclusive lock on `.lock` (`File::lock`,
//!   opened with `O_NOFOLLOW`), so concurrent processes serialise; readers need no lock.
//! * Unlocking returns the secret in zeroizing types; the password is borrowed, never stored.
//!
//! The model-based test in `keydir::model_tests` drives random sequences of operations (with
//! simulated crashes between the file-system steps of every write) against a reference model.
//! `cargo test -p dexlink --lib keydir::model_tests` runs a CI-sized batch; the long run is
//! `DEXLINK_MODEL_SEQUENCES=10000 cargo test -p dexlink --lib keydir::model_tests::long_run -- --ignored --nocapture`
//! (it prints sequences, steps, crashes and defects; `DEXLINK_MODEL_SEED` picks the seed).

use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use thiserror::Error;
use zeroize::Zeroizing;

mod entry;
pub(crate) mod fsops;
mod name;
mod secret;

/// Largest number of addresses an entry records.
pub const MAX_RECORDED_ADDRESSES: usize = 1000;
/// How many of its first addresses an over-limit entry keeps when its next write compacts it
/// (half the limit, so recording can go on afterwards).
pub const COMPACTED_ADDRESSES: usize = MAX_RECORDED_ADDRESSES / 2;
/// Largest entry file written (bytes).
pub const MAX_ENTRY_SIZE: u64 = fsops::MAX_ENTRY_BYTES;
/// The state area's directory name inside the key directory.
const STATE_DIR: &str = "state";
/// Top-level files older versions wrote that are application state, not entries, with the
/// only keys such a file has: (file name, keys). Moved into the state area on open.
const LEGACY_STATE_FILES: &[(&str, &[&str])] = &[("profile.json", &["dex", "chain_id", "links"])];

pub use entry::{DerivedAddress, EntryInfo, EntryKind};
pub use name::{EntryName, MAX_NAME_LEN};
pub use secret::{EntrySecret, HdSecret};

use crate::address::Network;
use crate::keys::PrivateKey;
use crate::keystore::{self, Kdf, KdfLimits, KeystoreError, Password, ScryptParams};
use entry::{EntryFile, check_path_text};
use fsops::{DirLock, Install};

/// Why a key-directory operation failed. Messages name entries and paths, never secrets.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum KeyDirError {
    /// Neither an explicit path, `$DEXLINK_HOME` nor `$HOME` is set.
    #[error(
        "cannot locate the key directory: neither DEXLINK_HOME nor HOME is set and no directory was given"
    )]
    NoHome,
    /// The key directory path exists but is not a directory.
    #[error("{0} exists but is not a directory; choose another key directory")]
    NotADirectory(PathBuf),
    /// A directory or entry file is accessible by group or others.
    #[error(
        "{path} has permissions {mode:03o}, which let other users read or change keys; run `{fix} {path}` and retry"
    )]
    InsecurePermissions {
        /// The path.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
        /// The command that fixes it (`chmod 700` or `chmod 600`).
        fix: &'static str,
    },
    /// An entry path is a symlink or not a regular file.
    #[error("{0} is not a regular file (symlinks are refused); remove or replace it")]
    NotARegularFile(PathBuf),
    /// An invalid entry name.
    #[error("invalid entry name: {0}")]
    InvalidName(String),
    /// An entry of that name exists already (nothing was overwritten).
    #[error("an entry named '{0}' already exists; choose another name or delete it first")]
    NameTaken(String),
    /// No entry of that name.
    #[error("no entry named '{0}'; list entries to see the names")]
    NotFound(String),
    /// The entry holds the other kind of secret.
    #[error("entry '{name}' is a {actual} entry, not a {expected} entry")]
    WrongKind {
        /// The entry.
        name: String,
        /// What it is.
        actual: &'static str,
        /// What the operation needs.
        expected: &'static str,
    },
    /// An entry file that cannot be parsed, or whose metadata contradicts its secret.
    #[error("entry '{name}' is corrupted: {reason}; restore it from a backup")]
    CorruptEntry {
        /// The entry (or file).
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// Metadata given by the caller is invalid (path text, network mismatch, address conflict).
    #[error("invalid entry metadata: {0}")]
    InvalidMetadata(String),
    /// A secret given to or decrypted from an entry is unusable.
    #[error("invalid secret: {0}")]
    InvalidSecret(String),
    /// The key directory, an entry or the lock file belongs to another user.
    #[error(
        "{path} belongs to user id {uid}, not to you; key files must be owned by the user who uses them (fix the owner with chown, or use your own key directory)"
    )]
    ForeignOwner {
        /// The path.
        path: PathBuf,
        /// Its owner's user id.
        uid: u32,
    },
    /// A change would grow an entry past its limits; nothing was written.
    #[error("entry '{name}' cannot grow: {reason}; nothing was written")]
    EntryFull {
        /// The entry.
        name: String,
        /// Which limit.
        reason: String,
    },
    /// A state-area file name that is not a plain file name.
    #[error("invalid state file name {0:?}: use a plain file name (no '/', not starting with '.')")]
    InvalidStateName(String),
    /// Decryption or encryption failed (wrong password, damaged envelope).
    #[error(transparent)]
    Keystore(#[from] KeystoreError),
    /// A file-system operation failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What we were doing.
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
}

/// What to record when creating an HD entry.
#[derive(Debug, Clone)]
pub struct NewHdEntry {
    /// The network the wallet is for.
    pub network: Network,
    /// The derivation path template (opaque here), e.g. `m/44'/714'/{account}'/0/{index}`.
    pub path_template: String,
    /// Addresses already derived (e.g. index 0), recorded as public metadata.
    pub addresses: Vec<DerivedAddress>,
}

/// An unlocked entry: its metadata and its secret (wiped when dropped). Keep it short-lived.
#[derive(Debug)]
pub struct Unlocked {
    /// The entry's metadata as read with the secret.
    pub info: EntryInfo,
    /// The secret.
    pub secret: EntrySecret,
    /// The KDF and cost the entry is encrypted with (weak ones deserve a warning:
    /// [`Kdf::is_below_default`]).
    pub kdf: Kdf,
}

/// Entries of a directory listing, and files that could not be read as entries.
#[derive(Debug)]
pub struct Listing {
    /// Readable entries, sorted by name.
    pub entries: Vec<EntryInfo>,
    /// `*.json` files that failed to load, with why (sorted by file name).
    pub problems: Vec<(String, KeyDirError)>,
}

/// A key directory.
#[derive(Debug, Clone)]
pub struct KeyDir {
    root: PathBuf,
}

impl KeyDir {
    /// Opens (creating it 0700 if needed) the directory at `explicit`, else `$DEXLINK_HOME`,
    /// else `~/.dexlink`. Refuses an existing directory with group/world permissions.
    pub fn open(explicit: Option<&Path>) -> Result<Self, KeyDirError> {
        let root = fsops::resolve(explicit)?;
        fsops::ensure_private_dir(&root)?;
        let dir = Self { root };
        dir.migrate_legacy_state()?;
        Ok(dir)
    }

    /// The state area (`<dir>/state`, created 0700 if needed): where applications keep files
    /// that are not entries (link profiles, caches, sockets). No entry name can reach it.
    pub fn state_dir(&self) -> Result<PathBuf, KeyDirError> {
        let p = self.root.join(STATE_DIR);
        fsops::ensure_private_subdir(&p)?;
        Ok(p)
    }

    /// Reads a file of the state area (at most `max` bytes; `Ok(None)` when absent). The same
    /// checks as for entries apply: a regular file, ours, mode 0600.
    pub fn read_state(&self, file: &str, max: u64) -> Result<Option<String>, KeyDirError> {
        check_state_name(file)?;
        let p = self.root.join(STATE_DIR).join(file);
        fsops::read_private_file(&p, max)
    }

    /// Writes a file of the state area atomically (mode 0600, durable), replacing it.
    pub fn write_state(&self, file: &str, bytes: &[u8]) -> Result<(), KeyDirError> {
        check_state_name(file)?;
        let dir = self.state_dir()?;
        let _lock = DirLock::acquire(&self.root)?;
        fsops::write_atomic(&dir, file, bytes, Install::Replace)
    }

    /// Moves state files written at the top level by older versions into the state area. A
    /// file stays where it is when it is (or might be) an entry: only a JSON object without
    /// `dexlink_entry` and with no keys but the known state ones is moved.
    fn migrate_legacy_state(&self) -> Result<(), KeyDirError> {
        for (file, keys) in LEGACY_STATE_FILES {
            let src = self.root.join(file);
            if std::fs::symlink_metadata(&src).is_err() || !self.is_legacy_state(&src, keys)? {
                continue;
            }
            let state = self.state_dir()?;
            let _lock = DirLock::acquire(&self.root)?;
            // Re-check under the lock: another process may have migrated or replaced it.
            if !self.is_legacy_state(&src, keys)? {
                continue;
            }
            let mut dst = state.join(file);
            if std::fs::symlink_metadata(&dst).is_ok() {
                // The state area has its own copy already (newer): keep the old one aside.
                dst = state.join(format!("{file}.pre-migration"));
            }
            fsops::failpoint("migrate: before move");
            std::fs::rename(&src, &dst).map_err(fsops::io_err("move", &src))?;
            fsops::failpoint("migrate: moved");
            fsops::sync_dir(&state)?;
            fsops::sync_dir(&self.root)?;
        }
        Ok(())
    }

    fn is_legacy_state(&self, path: &Path, keys: &[&str]) -> Result<bool, KeyDirError> {
        let Some(text) = fsops::read_private_file(path, MAX_ENTRY_SIZE)
            .ok()
            .flatten()
        else {
            return Ok(false);
        };
        let Ok(serde_json::Value::Object(o)) = serde_json::from_str(&text) else {
            return Ok(false);
        };
        Ok(!o.contains_key("dexlink_entry") && o.keys().all(|k| keys.contains(&k.as_str())))
    }

    /// The path [`KeyDir::open`] would use, without touching the file system.
    pub fn resolve_location(explicit: Option<&Path>) -> Result<PathBuf, KeyDirError> {
        fsops::resolve(explicit)
    }

    /// The directory path.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// The path of an entry's file.
    pub fn entry_path(&self, name: &EntryName) -> PathBuf {
        self.root.join(name.file_name())
    }

    /// Lists entries (no password needed).
    pub fn list(&self) -> Result<Listing, KeyDirError> {
        let mut names = Vec::new();
        for e in std::fs::read_dir(&self.root).map_err(fsops::io_err("list", &self.root))? {
            let e = e.map_err(fsops::io_err("list", &self.root))?;
            let file = e.file_name().to_string_lossy().into_owned();
            if file.starts_with('.') {
                continue; // lock and temp files
            }
            if let Some(stem) = file.strip_suffix(".json") {
                names.push((file.clone(), EntryName::new(stem)));
            }
        }
        names.sort_by(|a, b| a.0.cmp(&b.0));
        let mut listing = Listing {
            entries: Vec::new(),
            problems: Vec::new(),
        };
        for (file, name) in names {
            match name.and_then(|n| self.read(&n)) {
                Ok(f) => listing.entries.push(f.info),
                Err(e) => listing.problems.push((file, e)),
            }
        }
        // By name, as documented: file-name order differs ("a.b.json" < "a.json").
        listing.entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(listing)
    }

    /// An entry's metadata (no password needed).
    pub fn get(&self, name: &EntryName) -> Result<EntryInfo, KeyDirError> {
        self.read(name).map(|f| f.info)
    }

    /// Whether an entry of that name exists.
    pub fn contains(&self, name: &EntryName) -> Result<bool, KeyDirError> {
        match std::fs::symlink_metadata(self.entry_path(name)) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(fsops::io_err("inspect", &self.entry_path(name))(e)),
        }
    }

    /// Creates an HD entry holding `secret`, encrypted under `password` with scrypt `kdf`
    /// ([`ScryptParams::STANDARD`] outside tests). Fails with [`KeyDirError::NameTaken`] if the
    /// name exists; never overwrites. A name shaped like a private key
    /// ([`EntryName::is_key_shaped`]) is [`KeyDirError::InvalidName`] for a new entry (as for
    /// [`KeyDir::import_private_key`]).
    pub fn create_hd(
        &self,
        name: &EntryName,
        secret: &HdSecret,
        spec: &NewHdEntry,
        password: &Password,
        kdf: ScryptParams,
    ) -> Result<EntryInfo, KeyDirError> {
        // Fail before the (slow) key derivation; the create itself re-checks atomically.
        self.ensure_free(name)?;
        check_path_text(&spec.path_template)?;
        for a in &spec.addresses {
            check_address(&spec.network, a)?;
        }
        let plain = secret.encode();
        let crypto = keystore::seal_secret(&plain, password, kdf)?;
        let info = EntryInfo {
            name: name.clone(),
            kind: EntryKind::Hd,
            network: spec.network.clone(),
            path_template: Some(spec.path_template.clone()),
            addresses: dedup(Vec::new(), &spec.addresses)?,
            created_at: now(),
        };
        self.create(EntryFile { info, crypto })
    }

    /// Creates an entry for one imported key (its address on `network` is recorded).
    pub fn import_private_key(
        &self,
        name: &EntryName,
        key: &PrivateKey,
        network: &Network,
        password: &Password,
        kdf: ScryptParams,
    ) -> Result<EntryInfo, KeyDirError> {
        self.ensure_free(name)?;
        let bytes = key.to_bytes();
        let crypto = keystore::seal_secret(&bytes[..], password, kdf)?;
        let info = EntryInfo {
            name: name.clone(),
            kind: EntryKind::PrivateKey,
            network: network.clone(),
            path_template: None,
            addresses: vec![DerivedAddress {
                path: None,
                address: key.address(network.hrp()),
            }],
            created_at: now(),
        };
        self.create(EntryFile { info, crypto })
    }

    /// Decrypts an entry. For a private-key entry, also checks that the recorded addresses
    /// belong to the key (the metadata is outside the MAC).
    pub fn unlock(&self, name: &EntryName, password: &Password) -> Result<Unlocked, KeyDirError> {
        let file = self.read(name)?;
        let (secret, kdf) = match file.info.kind {
            // A key is decrypted straight into its own locked page.
            EntryKind::PrivateKey => {
                let (bytes, kdf) =
                    keystore::open_key_with_kdf(&file.crypto, password, &KdfLimits::DEFAULT)?;
                let key = PrivateKey::from_secret(bytes).map_err(|_| invalid_key(&file.info))?;
                (EntrySecret::PrivateKey(check_key(&file.info, key)?), kdf)
            }
            EntryKind::Hd => {
                let (plain, kdf) =
                    keystore::open_secret_with_kdf(&file.crypto, password, &KdfLimits::DEFAULT)?;
                (decode_secret(&file.info, &plain)?, kdf)
            }
        };
        Ok(Unlocked {
            info: file.info,
            secret,
            kdf,
        })
    }

    /// Records more derived addresses (atomically; no password needed). Addresses already
    /// recorded are skipped; a path recorded with a different address is refused.
    pub fn add_addresses(
        &self,
        name: &EntryName,
        addresses: &[DerivedAddress],
    ) -> Result<EntryInfo, KeyDirError> {
        let _lock = DirLock::acquire(&self.root)?;
        let mut file = self.read(name)?;
        if file.info.kind != EntryKind::Hd {
            return Err(KeyDirError::WrongKind {
                name: name.to_string(),
                actual: file.info.kind.as_str(),
                expected: EntryKind::Hd.as_str(),
            });
        }
        for a in addresses {
            check_address(&file.info.network, a)?;
        }
        compact(&mut file.info);
        let merged = dedup(file.info.addresses.clone(), addresses)?;
        if merged.len() > MAX_RECORDED_ADDRESSES {
            return Err(KeyDirError::EntryFull {
                name: name.to_string(),
                reason: format!(
                    "it would record {} addresses, above the limit of {MAX_RECORDED_ADDRESSES}",
                    merged.len()
                ),
            });
        }
        file.info.addresses = merged;
        self.write_entry(&file, Install::Replace)?;
        Ok(file.info)
    }

    /// Re-encrypts an entry under a new password (scrypt `kdf`), atomically: after a crash the
    /// entry opens with either the old or the new password.
    pub fn change_password(
        &self,
        name: &EntryName,
        old: &Password,
        new: &Password,
        kdf: ScryptParams,
    ) -> Result<(), KeyDirError> {
        let _lock = DirLock::acquire(&self.root)?;
        let mut file = self.read(name)?;
        let plain = keystore::open_secret(&file.crypto, old, &KdfLimits::DEFAULT)?;
        // Refuse to rewrite an entry whose content is inconsistent.
        drop(decode_secret(&file.info, &plain)?);
        file.crypto = keystore::seal_secret(&plain, new, kdf)?;
        compact(&mut file.info);
        self.write_entry(&file, Install::Replace)
    }

    /// Deletes an entry (atomic unlink, directory fsync-ed). The secret is not recoverable
    /// afterwards unless backed up.
    pub fn delete(&self, name: &EntryName) -> Result<(), KeyDirError> {
        let _lock = DirLock::acquire(&self.root)?;
        let path = self.entry_path(name);
        fsops::failpoint("delete: before unlink");
        match std::fs::remove_file(&path) {
            Ok(()) => {
                fsops::failpoint("delete: unlinked");
                fsops::sync_dir(&self.root)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                Err(KeyDirError::NotFound(name.to_string()))
            }
            Err(e) => Err(fsops::io_err("delete", &path)(e)),
        }
    }

    /// A private-key entry as a standard Web3 v3 keystore file (still encrypted; no password
    /// needed), for backup or import into other tools.
    pub fn export_web3_keystore(&self, name: &EntryName) -> Result<String, KeyDirError> {
        let file = self.read(name)?;
        if file.info.kind != EntryKind::PrivateKey {
            return Err(KeyDirError::WrongKind {
                name: name.to_string(),
                actual: file.info.kind.as_str(),
                expected: EntryKind::PrivateKey.as_str(),
            });
        }
        Ok(serde_json::json!({
            "version": 3,
            "id": keystore::new_uuid(),
            "crypto": file.crypto,
        })
        .to_string())
    }

    /// Refuses a name that exists, or that differs from an existing entry only in case (the
    /// same file on a case-insensitive file system).
    fn ensure_free(&self, name: &EntryName) -> Result<(), KeyDirError> {
        if name.is_key_shaped() {
            return Err(KeyDirError::InvalidName(
                "a new entry's name cannot be 64 hex digits, the shape of a private key".into(),
            ));
        }
        if self.contains(name)? {
            return Err(KeyDirError::NameTaken(name.to_string()));
        }
        let want = name.file_name();
        for e in std::fs::read_dir(&self.root).map_err(fsops::io_err("list", &self.root))? {
            let e = e.map_err(fsops::io_err("list", &self.root))?;
            let file = e.file_name().to_string_lossy().into_owned();
            if file.eq_ignore_ascii_case(&want) {
                let other = file.strip_suffix(".json").unwrap_or(&file).to_string();
                return Err(KeyDirError::NameTaken(other));
            }
        }
        Ok(())
    }

    fn create(&self, file: EntryFile) -> Result<EntryInfo, KeyDirError> {
        let _lock = DirLock::acquire(&self.root)?;
        // Again under the lock: a racing process may have taken a case variant meanwhile.
        self.ensure_free(&file.info.name)?;
        self.write_entry(&file, Install::CreateNew)?;
        Ok(file.info)
    }

    /// Writes an entry file, refusing (before writing anything) one past [`MAX_ENTRY_SIZE`].
    fn write_entry(&self, file: &EntryFile, install: Install) -> Result<(), KeyDirError> {
        let text = file.to_json();
        if text.len() as u64 > MAX_ENTRY_SIZE {
            return Err(KeyDirError::EntryFull {
                name: file.info.name.to_string(),
                reason: format!(
                    "its file would be {} bytes, above the limit of {MAX_ENTRY_SIZE}",
                    text.len()
                ),
            });
        }
        fsops::write_atomic(
            &self.root,
            &file.info.name.file_name(),
            text.as_bytes(),
            install,
        )
    }

    fn read(&self, name: &EntryName) -> Result<EntryFile, KeyDirError> {
        let text = fsops::read_entry_file(&self.entry_path(name))?
            .ok_or_else(|| KeyDirError::NotFound(name.to_string()))?;
        EntryFile::parse(name, &text)
    }
}

fn decode_secret(info: &EntryInfo, plain: &Zeroizing<Vec<u8>>) -> Result<EntrySecret, KeyDirError> {
    match info.kind {
        EntryKind::Hd => HdSecret::decode(plain).map(EntrySecret::Hd),
        EntryKind::PrivateKey => {
            let key = PrivateKey::from_bytes(plain).map_err(|_| invalid_key(info))?;
            check_key(info, key).map(EntrySecret::PrivateKey)
        }
    }
}

fn invalid_key(info: &EntryInfo) -> KeyDirError {
    KeyDirError::CorruptEntry {
        name: info.name.to_string(),
        reason: "the decrypted key is not a valid secp256k1 key".into(),
    }
}

/// The key, if every address recorded for the entry is its own.
fn check_key(info: &EntryInfo, key: PrivateKey) -> Result<PrivateKey, KeyDirError> {
    let own = key.public_key().hash160();
    if info.addresses.iter().any(|a| a.address.as_bytes() != &own) {
        return Err(KeyDirError::CorruptEntry {
            name: info.name.to_string(),
            reason:
                "a recorded address does not belong to the entry's key (the metadata was modified)"
                    .into(),
        });
    }
    Ok(key)
}

fn check_address(network: &Network, a: &DerivedAddress) -> Result<(), KeyDirError> {
    if let Some(p) = &a.path {
        check_path_text(p)?;
    }
    if a.address.hrp() != network.hrp() {
        return Err(KeyDirError::InvalidMetadata(format!(
            "address {} is not on this entry's network ({})",
            a.address,
            network.hrp()
        )));
    }
    Ok(())
}

/// Keeps only the first [`COMPACTED_ADDRESSES`] addresses of an entry an older version grew
/// past [`MAX_RECORDED_ADDRESSES`]; leaves entries within the limit alone.
fn compact(info: &mut EntryInfo) {
    if info.is_over_limits() {
        info.addresses.truncate(COMPACTED_ADDRESSES);
    }
}

fn check_state_name(file: &str) -> Result<(), KeyDirError> {
    if file.is_empty() || file.starts_with('.') || file.len() > 255 || file.contains(['/', '\0']) {
        return Err(KeyDirError::InvalidStateName(file.to_string()));
    }
    Ok(())
}

/// Appends `new` to `existing`, skipping exact repeats and refusing a path with two addresses.
fn dedup(
    mut existing: Vec<DerivedAddress>,
    new: &[DerivedAddress],
) -> Result<Vec<DerivedAddress>, KeyDirError> {
    for a in new {
        if existing.contains(a) {
            continue;
        }
        if a.path.is_some() && existing.iter().any(|e| e.path == a.path) {
            return Err(KeyDirError::InvalidMetadata(format!(
                "path {} is already recorded with another address",
                a.path.as_deref().unwrap_or_default()
            )));
        }
        existing.push(a.clone());
    }
    Ok(existing)
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod model_tests;
#[cfg(test)]
mod tests;
