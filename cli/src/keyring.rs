//! From a key-store entry name to a signing key: open the directory, get the password, unlock,
//! derive (HD entries), and record newly derived addresses in the public metadata.

use clap::Args;
use dexlink::PrivateKey;
use dexlink::address::Network;
use dexlink::hd::AccountKey;
use dexlink::keydir::{
    DerivedAddress, EntryKind, EntryName, EntrySecret, HdSecret, KeyDir, KeyDirError,
};
use dexlink::keystore::Password;
use dexlink::mnemonic::{Mnemonic, Passphrase};
use zeroize::Zeroizing;

use crate::cmd::{CliError, Global};
use crate::secrets::PasswordSource;

/// Which key of the store signs.
#[derive(Debug, Args, Clone)]
pub struct KeyArgs {
    /// The key-store entry name (see `dexlink keys list`).
    #[arg(value_name = "NAME")]
    pub name: String,
    /// HD account (m/44'/714'/ACCOUNT'/0/INDEX).
    #[arg(long, default_value_t = 0)]
    pub account: u32,
    /// HD address index (m/44'/714'/ACCOUNT'/0/INDEX).
    #[arg(long, default_value_t = 0)]
    pub index: u32,
}

/// An unlocked signing key and the network of its entry. The key is wiped when dropped.
#[derive(Debug)]
pub struct Unlocked {
    /// The key.
    pub key: PrivateKey,
    /// The entry's network.
    pub network: Network,
    /// The derivation path, for HD entries.
    pub path: Option<String>,
}

/// Opens the key directory of `--home` / `$DEXLINK_HOME` / `~/.dexlink`.
pub fn open_dir(global: &Global) -> Result<KeyDir, CliError> {
    Ok(KeyDir::open(global.home.as_deref())?)
}

/// The password source for this invocation.
pub fn passwords(global: &Global) -> PasswordSource<'_> {
    PasswordSource {
        file: global.password_file.as_deref(),
        allow_weak: global.allow_weak_password,
    }
}

/// Validates an entry name. A name shaped like a private key (64 hex digits) is refused
/// without being repeated: it is far more likely a key typed in the wrong place than a name,
/// and every later message (prompts, "no entry named …") would echo it.
pub fn entry_name(name: &str) -> Result<EntryName, CliError> {
    if looks_like_private_key(name) {
        return Err(CliError::usage(
            "the entry name looks like a private key (64 hex digits), so it is neither used nor \
             repeated; name an entry (see `dexlink keys list`), and give keys only at the prompt \
             or on stdin (`dexlink keys import NAME --private-key`)",
        ));
    }
    Ok(EntryName::new(name)?)
}

/// Whether `s` has the shape of a hex private key: 64 hex digits, optionally after `0x`.
pub fn looks_like_private_key(s: &str) -> bool {
    let hex = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// HD options given with an entry that holds one imported key: refused rather than ignored,
/// so nobody takes that key's address for the one at the path they asked for.
pub fn not_hd(name: &str) -> CliError {
    CliError::usage(format!(
        "{name} holds a single imported key; --account, --index and --count apply to HD entries only"
    ))
}

/// The password of an entry, as a key-store `Password`.
pub fn entry_password(global: &Global, name: &str) -> Result<Password, CliError> {
    let pw = passwords(global).get(&format!("Password for {name}: "))?;
    Ok(Password::from_zeroizing(pw))
}

/// Most addresses one command derives (`keys show --count`, `link --count`).
pub const MAX_COUNT: u32 = 1000;

/// Refuses a `--count` of 0 or above [`MAX_COUNT`] before anything is unlocked or allocated.
pub fn check_count(count: u32) -> Result<(), CliError> {
    if count == 0 || count > MAX_COUNT {
        return Err(CliError::usage(format!(
            "--count {count} is out of range: give 1 to {MAX_COUNT} (for more, run again with a higher --index)"
        )));
    }
    Ok(())
}

/// Says on stderr that an entry grown by an older version is compacted by the coming write.
pub fn note_compaction(info: &dexlink::keydir::EntryInfo) {
    if info.is_over_limits() {
        eprintln!(
            "note: entry {} records {} addresses (an older version recorded every address shown); keeping the first {}",
            info.name,
            info.addresses.len(),
            dexlink::keydir::COMPACTED_ADDRESSES
        );
    }
}

/// Unlocks `args.name` and returns the key at `args.account`/`args.index` (HD) or the key.
pub fn unlock(global: &Global, args: &KeyArgs) -> Result<Unlocked, CliError> {
    Ok(unlock_many(global, args, 1)?
        .pop()
        .expect("one key was asked for"))
}

/// Unlocks once and returns `count` consecutive keys from `args.index` (HD), or the one key.
pub fn unlock_many(global: &Global, args: &KeyArgs, count: u32) -> Result<Vec<Unlocked>, CliError> {
    check_count(count)?;
    let dir = open_dir(global)?;
    let name = entry_name(&args.name)?;
    let info = dir.get(&name)?;
    let password = entry_password(global, &args.name)?;
    crate::progress::say(global, &format!("Unlocking {} …", args.name));
    let unlocked = dir.unlock(&name, &password)?;
    drop(password);
    crate::secrets::warn_if_memory_unlocked();
    crate::kdf_cost::warn_weak_entry(&args.name, &unlocked.kdf);
    let network = unlocked.info.network.clone();
    match unlocked.secret {
        EntrySecret::PrivateKey(key) => {
            if count > 1 || args.index != 0 || args.account != 0 {
                return Err(not_hd(&args.name));
            }
            Ok(vec![Unlocked {
                key,
                network,
                path: None,
            }])
        }
        EntrySecret::Hd(secret) => {
            let account = hd_account(&secret, args.account)?;
            drop(secret);
            let mut out = Vec::with_capacity(count as usize);
            let mut record = Vec::new();
            for i in 0..count {
                let index = args
                    .index
                    .checked_add(i)
                    .ok_or_else(|| CliError::usage("--index plus --count runs past 2^31 - 1"))?;
                let key = account.private_key(index)?;
                let path = account.path(index)?.to_string();
                let address = key.address(network.hrp());
                if !info.addresses.iter().any(|a| a.address == address) {
                    record.push(DerivedAddress::new(path.clone(), address));
                }
                out.push(Unlocked {
                    key,
                    network: network.clone(),
                    path: Some(path),
                });
            }
            // Only addresses a command uses (signs or links with) are recorded; metadata is a
            // convenience, so a full entry is no reason to refuse the signature.
            if !record.is_empty() {
                note_compaction(&info);
                match dir.add_addresses(&name, &record) {
                    Ok(_) => {}
                    Err(e @ KeyDirError::EntryFull { .. }) => {
                        eprintln!("note: {e}; the address is used but not recorded")
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(out)
        }
        _ => Err(CliError::failed(format!(
            "{} holds a kind of secret this version cannot sign with; upgrade dexlink",
            args.name
        ))),
    }
}

/// Unlocks an HD entry and derives `count` addresses from `args.index`, recording nothing
/// (`keys show` displays addresses; only addresses that are used get recorded).
pub fn derive_addresses(
    global: &Global,
    args: &KeyArgs,
    count: u32,
) -> Result<Vec<DerivedAddress>, CliError> {
    check_count(count)?;
    let dir = open_dir(global)?;
    let name = entry_name(&args.name)?;
    dir.get(&name)?;
    let password = entry_password(global, &args.name)?;
    crate::progress::say(global, &format!("Unlocking {} …", args.name));
    let unlocked = dir.unlock(&name, &password)?;
    drop(password);
    let hrp = unlocked.info.network.hrp().clone();
    let EntrySecret::Hd(secret) = unlocked.secret else {
        return Err(CliError::usage(format!(
            "{} holds a single imported key; --account, --index and --count apply to HD entries only",
            args.name
        )));
    };
    let account = hd_account(&secret, args.account)?;
    drop(secret);
    (0..count)
        .map(|i| {
            let index = args
                .index
                .checked_add(i)
                .ok_or_else(|| CliError::usage("--index plus --count runs past 2^31 - 1"))?;
            let path = account.path(index)?;
            let address = account.address(index, &hrp)?;
            Ok(DerivedAddress::new(path.to_string(), address))
        })
        .collect()
}

/// The account-level key (`m/44'/714'/ACCOUNT'/0`) of an unlocked HD entry.
pub fn hd_account(secret: &HdSecret, account: u32) -> Result<AccountKey, CliError> {
    let mnemonic = Mnemonic::parse(secret.phrase())
        .map_err(|e| CliError::failed(format!("the stored mnemonic is invalid: {e}")))?;
    let mut pp = Zeroizing::new(String::with_capacity(secret.passphrase().len()));
    pp.push_str(secret.passphrase());
    let seed = mnemonic.to_seed(&Passphrase::from_zeroizing(pp));
    Ok(AccountKey::from_seed(&seed, account)?)
}

/// A key that signs: held by a running agent (no password, no KDF), or unlocked from the
/// store. Signing commands take it from [`signing_key`].
pub enum Signing {
    /// Unlocked from the key store; wiped when dropped.
    Local(Unlocked),
    /// Held by the agent; only its public half is here.
    Agent {
        /// The agent's signer.
        signer: Box<dexlink::agent::AgentSigner>,
        /// The entry's network.
        network: Network,
    },
}

impl Signing {
    /// The entry's network.
    pub fn network(&self) -> &Network {
        match self {
            Self::Local(u) => &u.network,
            Self::Agent { network, .. } => network,
        }
    }

    /// The HD path, for HD entries.
    pub fn path(&self) -> Option<&str> {
        match self {
            Self::Local(u) => u.path.as_deref(),
            Self::Agent { signer, .. } => signer.account().path.as_deref(),
        }
    }

    /// The public key.
    pub fn public_key(&self) -> dexlink::PublicKey {
        match self {
            Self::Local(u) => u.key.public_key(),
            Self::Agent { signer, .. } => dexlink::Signer::public_key(signer.as_ref()),
        }
    }

    /// The key's address under `hrp`.
    pub fn address(&self, hrp: &dexlink::Hrp) -> dexlink::Address {
        self.public_key().address(hrp)
    }

    /// Signs a transaction (the agent's policy may refuse it).
    pub fn sign_tx(&self, tx: &dexlink::UnsignedTx) -> Result<dexlink::SignedTx, CliError> {
        match self {
            Self::Local(u) => tx.sign(&u.key).map_err(|e| CliError::usage(e.to_string())),
            Self::Agent { signer, .. } => tx.sign_with(signer.as_ref()).map_err(signer_error),
        }
    }

    /// Signs a message (bnbSign convention).
    pub fn sign_message(&self, message: &[u8]) -> Result<dexlink::Signature, CliError> {
        match self {
            Self::Local(u) => Ok(u.key.sign(message)),
            Self::Agent { signer, .. } => signer.sign_message(message).map_err(signer_error),
        }
    }

    /// Signs a BEP-333 recovery request.
    pub fn sign_recover(
        &self,
        request: &dexlink::recover::RecoverRequest,
    ) -> Result<dexlink::recover::SignedRecoverRequest, CliError> {
        match self {
            Self::Local(u) => Ok(request.sign(&u.key)),
            Self::Agent { signer, .. } => signer.sign_recover(request).map_err(signer_error),
        }
    }
}

/// An agent's refusal is the user's policy speaking (exit 1, the rule named); a mismatched
/// key is bad input (exit 2).
fn signer_error(e: dexlink::signer::SignerError) -> CliError {
    match e {
        dexlink::signer::SignerError::Tx(e) => CliError::usage(e.to_string()),
        other => CliError::failed(other.to_string()),
    }
}

/// The agent socket clients use: `$DEXLINK_AGENT`, else the key directory's default.
pub fn agent_socket(global: &Global) -> Result<std::path::PathBuf, CliError> {
    match std::env::var_os(dexlink::agent::SOCKET_ENV).filter(|v| !v.is_empty()) {
        Some(p) => Ok(p.into()),
        // The path only: looking must not create the state area.
        None => Ok(open_dir(global)?
            .path()
            .join("state")
            .join(dexlink::agent::SOCKET_FILE)),
    }
}

/// The key of `args`: from a running agent that holds it unlocked (unless `--no-agent`),
/// else unlocked from the key store (asking for the password).
pub fn signing_key(global: &Global, args: &KeyArgs) -> Result<Signing, CliError> {
    match agent_signing(global, args)? {
        Some(s) => Ok(s),
        None => unlock(global, args).map(Signing::Local),
    }
}

/// The key of `args` from a running agent that holds it unlocked, unless `--no-agent`.
fn agent_signing(global: &Global, args: &KeyArgs) -> Result<Option<Signing>, CliError> {
    if !global.no_agent {
        let socket = agent_socket(global)?;
        if socket.exists() {
            // No agent answering, or one without this key: the store is the fallback.
            if let Ok(Some(signer)) = dexlink::agent::AgentSigner::for_entry(
                &socket,
                &args.name,
                args.account,
                args.index,
            ) {
                let dir = open_dir(global)?;
                let info = dir.get(&entry_name(&args.name)?).map_err(CliError::from)?;
                return Ok(Some(Signing::Agent {
                    signer: Box::new(signer),
                    network: info.network,
                }));
            }
        }
    }
    Ok(None)
}

/// A running agent holding every key a multi-key command (`link --count`) needs: one
/// connection for all of them (the agent serves a bounded number of clients).
pub struct AgentKeys {
    /// The connection.
    pub client: dexlink::agent::AgentClient,
    /// The entry's network.
    pub network: Network,
    /// The keys' addresses on the entry's network, from `index` on.
    pub addresses: Vec<dexlink::Address>,
}

/// The agent's keys of `args` for `count` consecutive indexes, when a running agent holds all
/// of them unlocked (unless `--no-agent`); `None` sends the command to the key store.
pub fn agent_keys(
    global: &Global,
    args: &KeyArgs,
    count: u32,
) -> Result<Option<AgentKeys>, CliError> {
    if global.no_agent {
        return Ok(None);
    }
    let socket = agent_socket(global)?;
    if !socket.exists() {
        return Ok(None);
    }
    // No agent answering, or one without every key: the store is the fallback.
    let Ok(mut client) = dexlink::agent::AgentClient::connect(&socket) else {
        return Ok(None);
    };
    let Ok(held) = client.accounts() else {
        return Ok(None);
    };
    let mut addresses = Vec::with_capacity(count as usize);
    for i in 0..count {
        let found = args.index.checked_add(i).and_then(|index| {
            held.iter()
                .find(|a| a.name == args.name && a.account == args.account && a.index == index)
        });
        match found {
            Some(a) => addresses.push(a.address.clone()),
            None => return Ok(None),
        }
    }
    let info = open_dir(global)?.get(&entry_name(&args.name)?)?;
    Ok(Some(AgentKeys {
        client,
        network: info.network,
        addresses,
    }))
}

/// A signer found before any password is read: a key a running agent holds, or a key-store
/// entry whose password is asked only after the user confirmed (see [`Signers`]).
pub enum PendingSigner {
    /// Held by the agent: signing needs no password.
    Agent(Signing),
    /// In the key store: unlocked by [`PendingSigner::into_signing`].
    Store(Signers),
}

impl PendingSigner {
    /// The signer of `args`: the agent's when one holds it (unless `--no-agent`), else the
    /// store's, its address from the entry's records.
    pub fn find(global: &Global, args: &KeyArgs) -> Result<Self, CliError> {
        match agent_signing(global, args)? {
            Some(s) => Ok(Self::Agent(s)),
            None => Signers::find(global, args).map(Self::Store),
        }
    }

    /// The entry's network.
    pub fn network(&self) -> &Network {
        match self {
            Self::Agent(s) => s.network(),
            Self::Store(s) => &s.network,
        }
    }

    /// The signer's address under `hrp`.
    pub fn address(&self, hrp: &dexlink::Hrp) -> dexlink::Address {
        match self {
            Self::Agent(s) => s.address(hrp),
            Self::Store(s) => s.addresses[0].with_hrp(hrp.clone()),
        }
    }

    /// Ready to sign: the agent's signer as it is, the store's key unlocked now (the password
    /// is read here) and checked against the recorded address.
    pub fn into_signing(self, global: &Global, args: &KeyArgs) -> Result<Signing, CliError> {
        match self {
            Self::Agent(s) => Ok(s),
            Self::Store(s) => s.unlock_one(global, args).map(Signing::Local),
        }
    }
}

/// The keys a command will sign with, known before any password is asked: the entry's network
/// and the addresses its metadata recorded, so a command can show what it will sign and ask for
/// confirmation first, and read the password (and run the key store's KDF) only after a yes.
/// When an address was never recorded (an HD index not used before), only the key can tell it:
/// the entry is then unlocked up front, as before.
#[derive(Debug)]
pub struct Signers {
    /// The entry's network.
    pub network: Network,
    /// The addresses of the keys, on the entry's network, from `index` on.
    pub addresses: Vec<dexlink::Address>,
    /// The keys, when they had to be unlocked to learn the addresses.
    unlocked: Option<Vec<Unlocked>>,
}

impl Signers {
    /// The signer of `args` (one key).
    pub fn find(global: &Global, args: &KeyArgs) -> Result<Self, CliError> {
        Self::find_many(global, args, 1)
    }

    /// The `count` consecutive signers from `args.index`.
    pub fn find_many(global: &Global, args: &KeyArgs, count: u32) -> Result<Self, CliError> {
        check_count(count)?;
        let dir = open_dir(global)?;
        let info = dir.get(&entry_name(&args.name)?)?;
        if let Some(addresses) = recorded(&info, args, count) {
            return Ok(Self {
                network: info.network,
                addresses,
                unlocked: None,
            });
        }
        let keys = unlock_many(global, args, count)?;
        Ok(Self {
            network: info.network,
            addresses: keys
                .iter()
                .map(|k| k.key.address(k.network.hrp()))
                .collect(),
            unlocked: Some(keys),
        })
    }

    /// The keys, unlocked now if they were not yet; each must be the address recorded for it.
    pub fn unlock(self, global: &Global, args: &KeyArgs) -> Result<Vec<Unlocked>, CliError> {
        if let Some(keys) = self.unlocked {
            return Ok(keys);
        }
        let keys = unlock_many(global, args, self.addresses.len() as u32)?;
        for (k, recorded) in keys.iter().zip(&self.addresses) {
            if &k.key.address(recorded.hrp()) != recorded {
                return Err(CliError::failed(format!(
                    "the key of {} is not the address its entry records ({recorded}); nothing \
                     was signed. The entry's metadata was changed: import the key again",
                    args.name
                )));
            }
        }
        Ok(keys)
    }

    /// The one key (see [`Signers::unlock`]).
    pub fn unlock_one(self, global: &Global, args: &KeyArgs) -> Result<Unlocked, CliError> {
        Ok(self
            .unlock(global, args)?
            .pop()
            .expect("one key was asked for"))
    }
}

/// The addresses the entry recorded for `count` keys from `args.account`/`args.index`, if all
/// of them are recorded.
fn recorded(
    info: &dexlink::keydir::EntryInfo,
    args: &KeyArgs,
    count: u32,
) -> Option<Vec<dexlink::Address>> {
    match info.kind {
        EntryKind::PrivateKey => {
            // The account/index/count refusal comes from unlocking, with its own message.
            if count != 1 || args.account != 0 || args.index != 0 {
                return None;
            }
            info.addresses.first().map(|a| vec![a.address.clone()])
        }
        EntryKind::Hd => {
            let template = info.path_template.as_deref()?;
            (0..count)
                .map(|i| {
                    let path = template
                        .replace("{account}", &args.account.to_string())
                        .replace("{index}", &args.index.checked_add(i)?.to_string());
                    info.addresses
                        .iter()
                        .find(|a| a.path.as_deref() == Some(path.as_str()))
                        .map(|a| a.address.clone())
                })
                .collect()
        }
        _ => None,
    }
}
