//! The entry file: public metadata readable without a password, and the sealed secret.
//!
//! ```json
//! { "dexlink_entry": 1, "name": "alice", "kind": "hd",
//!   "network": { "chain_id": "Binance-Chain-Tigris", "hrp": "bnb" },
//!   "path_template": "m/44'/714'/{account}'/0/{index}",
//!   "addresses": [ { "path": "m/44'/714'/0'/0/0", "address": "bnb1..." } ],
//!   "created_at": 1764201600,
//!   "crypto": { ...Web3 v3 crypto object... } }
//! ```
//! `kind` is `hd` (the `crypto` plaintext is the [`HdSecret`](super::HdSecret) encoding, so its
//! ciphertext is longer than 32 bytes) or `private-key` (the plaintext is the 32-byte key: the
//! `crypto` object is exactly a Web3 v3 one, so `{"version":3,"id":…,"crypto":…}` is a
//! standard keystore). The metadata is not covered by the MAC: unlocking a `private-key` entry
//! checks its recorded address against the key; for HD entries the caller re-derives and
//! compares.

use serde_json::{Map, Value, json};

use super::{EntryName, KeyDirError};
use crate::address::{Address, ChainId, Hrp, Network};

/// The entry format version we write and read.
const ENTRY_VERSION: u64 = 1;
/// Longest derivation path or template text.
const MAX_PATH_LEN: usize = 128;

/// What an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntryKind {
    /// An HD wallet (mnemonic phrase and optional BIP39 passphrase).
    Hd,
    /// One imported private key.
    PrivateKey,
}

impl EntryKind {
    /// The name used in the file and for display: `hd` or `private-key`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hd => "hd",
            Self::PrivateKey => "private-key",
        }
    }
}

/// An address recorded in an entry's metadata, with the derivation path it came from (`None`
/// for an imported key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedAddress {
    /// The derivation path text, e.g. `m/44'/714'/0'/0/0`, as the caller formats it.
    pub path: Option<String>,
    /// The address.
    pub address: Address,
}

impl DerivedAddress {
    /// An address derived along `path`.
    pub fn new(path: impl Into<String>, address: Address) -> Self {
        Self {
            path: Some(path.into()),
            address,
        }
    }
}

/// An entry's public metadata (no password needed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryInfo {
    /// The entry's name.
    pub name: EntryName,
    /// HD wallet or single key.
    pub kind: EntryKind,
    /// The network (chain id and HRP) the entry was created for.
    pub network: Network,
    /// For HD entries, the caller's derivation path template (opaque to the key directory,
    /// e.g. `m/44'/714'/{account}'/0/{index}`).
    pub path_template: Option<String>,
    /// Addresses derived so far, in the order they were added.
    pub addresses: Vec<DerivedAddress>,
    /// Creation time, seconds since the Unix epoch.
    pub created_at: u64,
}

impl EntryInfo {
    /// Whether the entry records more than [`MAX_RECORDED_ADDRESSES`](super::MAX_RECORDED_ADDRESSES)
    /// addresses (grown by an older version): its next write keeps only the first
    /// [`COMPACTED_ADDRESSES`](super::COMPACTED_ADDRESSES), which callers should say.
    pub fn is_over_limits(&self) -> bool {
        self.addresses.len() > super::MAX_RECORDED_ADDRESSES
    }
}

/// A parsed entry file: metadata and the sealed `crypto` object.
pub(crate) struct EntryFile {
    pub(crate) info: EntryInfo,
    pub(crate) crypto: Value,
}

pub(crate) fn check_path_text(p: &str) -> Result<(), KeyDirError> {
    if p.is_empty() || p.len() > MAX_PATH_LEN || !p.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(KeyDirError::InvalidMetadata(format!(
            "a derivation path must be 1 to {MAX_PATH_LEN} printable ASCII characters"
        )));
    }
    Ok(())
}

impl EntryFile {
    pub(crate) fn to_json(&self) -> String {
        let i = &self.info;
        let mut o = Map::new();
        o.insert("dexlink_entry".into(), json!(ENTRY_VERSION));
        o.insert("name".into(), json!(i.name.as_str()));
        o.insert("kind".into(), json!(i.kind.as_str()));
        o.insert(
            "network".into(),
            json!({ "chain_id": i.network.chain_id().as_str(), "hrp": i.network.hrp().as_str() }),
        );
        if let Some(t) = &i.path_template {
            o.insert("path_template".into(), json!(t));
        }
        let addrs: Vec<Value> = i
            .addresses
            .iter()
            .map(|a| match &a.path {
                Some(p) => json!({ "path": p, "address": a.address.to_string() }),
                None => json!({ "address": a.address.to_string() }),
            })
            .collect();
        o.insert("addresses".into(), Value::Array(addrs));
        o.insert("created_at".into(), json!(i.created_at));
        o.insert("crypto".into(), self.crypto.clone());
        let mut text =
            serde_json::to_string_pretty(&Value::Object(o)).expect("JSON values serialise");
        text.push('\n');
        text
    }

    /// Parses an entry file; `name` is the name its file name says, which the content must repeat.
    pub(crate) fn parse(name: &EntryName, text: &str) -> Result<Self, KeyDirError> {
        let bad = |why: String| KeyDirError::CorruptEntry {
            name: name.to_string(),
            reason: why,
        };
        let v: Value = serde_json::from_str(text).map_err(|e| {
            bad(format!(
                "not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        let o = v
            .as_object()
            .ok_or_else(|| bad("the top level is not an object".into()))?;
        match o.get("dexlink_entry").and_then(Value::as_u64) {
            Some(ENTRY_VERSION) => {}
            Some(other) => {
                return Err(bad(format!(
                    "entry format {other} is newer than this program understands (1)"
                )));
            }
            None => return Err(bad("\"dexlink_entry\" is missing".into())),
        }
        let s = |k: &str| {
            o.get(k)
                .and_then(Value::as_str)
                .ok_or_else(|| bad(format!("\"{k}\" is missing or not a string")))
        };
        if s("name")? != name.as_str() {
            return Err(bad(
                "the name inside the file differs from its file name".into()
            ));
        }
        let kind = match s("kind")? {
            "hd" => EntryKind::Hd,
            "private-key" => EntryKind::PrivateKey,
            _ => return Err(bad("\"kind\" is neither hd nor private-key".into())),
        };
        let net = o
            .get("network")
            .and_then(Value::as_object)
            .ok_or_else(|| bad("\"network\" is missing".into()))?;
        let chain_id = net
            .get("chain_id")
            .and_then(Value::as_str)
            .and_then(|c| ChainId::new(c).ok())
            .ok_or_else(|| bad("network.chain_id is missing or invalid".into()))?;
        let hrp = net
            .get("hrp")
            .and_then(Value::as_str)
            .and_then(|h| Hrp::new(h).ok())
            .ok_or_else(|| bad("network.hrp is missing or invalid".into()))?;
        let network = Network::custom(chain_id, hrp.clone());
        let path_template = match o.get("path_template") {
            None | Some(Value::Null) => None,
            Some(Value::String(t)) => Some(t.clone()),
            Some(_) => return Err(bad("\"path_template\" is not a string".into())),
        };
        let mut addresses = Vec::new();
        for a in o
            .get("addresses")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("\"addresses\" is missing or not an array".into()))?
        {
            let address = a
                .get("address")
                .and_then(Value::as_str)
                .and_then(|t| Address::parse_for(t, &hrp).ok())
                .ok_or_else(
                    || bad("an address is missing, invalid or of another network".into()),
                )?;
            let path = match a.get("path") {
                None | Some(Value::Null) => None,
                Some(Value::String(p)) => Some(p.clone()),
                Some(_) => return Err(bad("an address path is not a string".into())),
            };
            addresses.push(DerivedAddress { path, address });
        }
        let created_at = o
            .get("created_at")
            .and_then(Value::as_u64)
            .ok_or_else(|| bad("\"created_at\" is missing".into()))?;
        let crypto = o
            .get("crypto")
            .filter(|c| c.is_object())
            .cloned()
            .ok_or_else(|| bad("\"crypto\" is missing".into()))?;
        Ok(Self {
            info: EntryInfo {
                name: name.clone(),
                kind,
                network,
                path_template,
                addresses,
                created_at,
            },
            crypto,
        })
    }
}
