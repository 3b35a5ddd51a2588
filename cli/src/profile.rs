//! The local profile: the DEX last linked to and the addresses linked there, so later commands
//! can take `--dex` from it. Public data only, kept beside the key entries (0600, atomic writes).

use std::io::Write;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::cmd::{CliError, Global};

const FILE: &str = "profile.json";

/// One linked address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedAddress {
    /// The address.
    pub address: String,
    /// Its account number on the DEX, when funded.
    pub account_number: Option<i64>,
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

fn path(global: &Global) -> Result<PathBuf, CliError> {
    let dir = dexlink::keydir::KeyDir::resolve_location(global.home.as_deref())
        .map_err(|e| CliError::failed(e.to_string()))?;
    Ok(dir.join(FILE))
}

/// Loads the profile (empty when there is none).
pub fn load(global: &Global) -> Result<Profile, CliError> {
    let p = path(global)?;
    match std::fs::read_to_string(&p) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| {
            CliError::failed(format!(
                "{} is not a valid profile ({e}); fix or delete it",
                p.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Profile::default()),
        Err(e) => Err(CliError::failed(format!(
            "cannot read {}: {e}",
            p.display()
        ))),
    }
}

/// Saves the profile atomically (temp file 0600 in the same directory, fsync, rename).
pub fn save(global: &Global, profile: &Profile) -> Result<(), CliError> {
    // Opening the key directory creates it 0700 and checks its permissions.
    let dir = crate::keyring::open_dir(global)?;
    let target = dir.path().join(FILE);
    let fail =
        |e: std::io::Error| CliError::failed(format!("cannot write {}: {e}", target.display()));
    let mut tmp = tempfile::Builder::new()
        .prefix(".profile")
        .tempfile_in(dir.path())
        .map_err(fail)?;
    let text = serde_json::to_string_pretty(profile).expect("serialisable");
    tmp.write_all(text.as_bytes()).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(&target).map_err(|e| fail(e.error))?;
    if let Ok(d) = std::fs::File::open(dir.path()) {
        d.sync_all().ok();
    }
    Ok(())
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
