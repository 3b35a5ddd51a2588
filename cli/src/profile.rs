//! The local profile: the DEX last linked to and the addresses linked there, so later commands
//! can take `--dex` from it. Public data only, kept in the key directory's state area
//! (`state/profile.json`, 0600, atomic writes), apart from the entries.

use serde::{Deserialize, Serialize};

use crate::cmd::{CliError, Global};

const FILE: &str = "profile.json";

/// One linked address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedAddress {
    /// The address.
    pub address: String,
    /// Its account number on the DEX, when funded.
    pub account_number: Option<u64>,
    /// When the DEX accepted the proof.
    pub linked_at: String,
}

/// The profile file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The DEX base URL.
    pub dex: Option<String>,
    /// Its chain id.
    pub chain_id: Option<String>,
    /// Addresses linked there.
    #[serde(default)]
    pub links: Vec<LinkedAddress>,
}

/// Largest profile read.
const MAX_PROFILE_BYTES: u64 = 1 << 20;

/// Loads the profile from the key directory's state area (empty when there is none). A key
/// directory that does not exist yet is not created just to find no profile.
pub fn load(global: &Global) -> Result<Profile, CliError> {
    let root = dexlink::keydir::KeyDir::resolve_location(global.home.as_deref())?;
    if !root.exists() {
        return Ok(Profile::default());
    }
    let dir = crate::keyring::open_dir(global)?;
    match dir.read_state(FILE, MAX_PROFILE_BYTES)? {
        Some(text) => serde_json::from_str(&text).map_err(|e| {
            CliError::failed(format!(
                "{} is not a valid profile ({e}); fix or delete it",
                dir.path().join("state").join(FILE).display()
            ))
        }),
        None => Ok(Profile::default()),
    }
}

/// Saves the profile atomically in the key directory's state area (where no entry name can
/// reach it).
pub fn save(global: &Global, profile: &Profile) -> Result<(), CliError> {
    // Opening the key directory creates it 0700 and checks its permissions.
    let dir = crate::keyring::open_dir(global)?;
    let text = serde_json::to_string_pretty(profile).expect("serialisable");
    Ok(dir.write_state(FILE, text.as_bytes())?)
}

/// Records links to `dex` on `chain_id`, replacing earlier records of the same addresses.
pub fn record_links(
    global: &Global,
    dex: &str,
    chain_id: &str,
    links: Vec<LinkedAddress>,
) -> Result<(), CliError> {
    let mut p = load(global)?;
    if p.dex.as_deref() != Some(dex) {
        p.links.clear();
    }
    p.dex = Some(dex.to_string());
    p.chain_id = Some(chain_id.to_string());
    for l in links {
        p.links.retain(|x| x.address != l.address);
        p.links.push(l);
    }
    save(global, &p)
}
