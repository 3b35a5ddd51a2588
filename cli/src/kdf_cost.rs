//! The scrypt cost of new key-store entries, and the warnings for entries and keystore files
//! encrypted below the default cost.
//!
//! Release builds always write [`ScryptParams::STANDARD`]. Only a build with the `test-kdf`
//! cargo feature (enabled by the end-to-end tests when they build the binary, never by
//! `cargo install` or `cargo build --release`) reads `DEXLINK_TEST_KDF_LOG_N` to make entries
//! cheap; without the feature the variable is not even looked at.

use std::path::Path;

use dexlink::keystore::{Kdf, ScryptParams};

use crate::cmd::CliError;

/// The variable a `test-kdf` build reads: scrypt cost 2^N for new entries.
#[cfg(feature = "test-kdf")]
const TEST_KDF_VAR: &str = "DEXLINK_TEST_KDF_LOG_N";

/// The scrypt cost for new entries: the standard (2^18), or in a `test-kdf` build the cost the
/// tests asked for.
pub fn for_new_entries() -> Result<ScryptParams, CliError> {
    #[cfg(feature = "test-kdf")]
    if let Some(v) = std::env::var_os(TEST_KDF_VAR) {
        let n: u8 = v
            .to_str()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| CliError::usage(format!("{TEST_KDF_VAR} must be a number 1..=19")))?;
        return Ok(ScryptParams::new(n, 8, 1)?);
    }
    Ok(ScryptParams::STANDARD)
}

/// The cost under which an entry is reported as weak: what new entries get. (In a `test-kdf`
/// build that is the tests' cheap cost, so only entries weaker than it warn there.)
fn entry_floor() -> ScryptParams {
    for_new_entries().unwrap_or(ScryptParams::STANDARD)
}

/// Warns on stderr when entry `name` is encrypted below the default cost, naming the cost and
/// the command that re-encrypts it.
pub fn warn_weak_entry(name: &str, kdf: &Kdf) {
    if kdf.is_below(entry_floor()) {
        eprintln!("{}", weak_entry_warning(name, kdf));
    }
}

/// The warning line for a weak entry.
fn weak_entry_warning(name: &str, kdf: &Kdf) -> String {
    format!(
        "warning: entry '{name}' is encrypted with {kdf}, below the default {}: a copy of the file can be brute-forced far faster; run `dexlink keys passwd {name}` to re-encrypt it at the default cost",
        Kdf::Scrypt(ScryptParams::STANDARD)
    )
}

/// Warns on stderr when the keystore file at `path` is encrypted below the default cost (see
/// [`Kdf::is_below_default`]). The entry made from it gets the default cost; the file does not.
pub fn warn_weak_keystore(path: &Path, kdf: &Kdf, entry: &str) {
    if kdf.is_below_default() {
        eprintln!("{}", weak_keystore_warning(path, kdf, entry));
    }
}

/// The warning line for a weak keystore file.
fn weak_keystore_warning(path: &Path, kdf: &Kdf, entry: &str) -> String {
    format!(
        "warning: keystore {} is encrypted with {kdf}, below the default ({} or PBKDF2 c = {}): a copy of the file can be brute-forced far faster; entry '{entry}' is stored at the default cost, so delete the weak file or replace it with `dexlink keys export {entry} --format keystore-v3`",
        path.display(),
        Kdf::Scrypt(ScryptParams::STANDARD),
        dexlink::keystore::MIN_PBKDF2_C,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_name_the_cost_and_the_fix() {
        let weak = Kdf::Scrypt(ScryptParams::new(1, 8, 1).unwrap());
        assert_eq!(
            weak_entry_warning("alice", &weak),
            "warning: entry 'alice' is encrypted with scrypt n = 2^1, r = 8, p = 1, below the default scrypt n = 2^18, r = 8, p = 1: a copy of the file can be brute-forced far faster; run `dexlink keys passwd alice` to re-encrypt it at the default cost"
        );
    }
}
