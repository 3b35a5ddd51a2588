//! What unlocking an entry gives back: an HD wallet's phrase and passphrase, or a private key.

use std::fmt;

use zeroize::Zeroizing;

use super::KeyDirError;
use crate::keys::PrivateKey;

/// An HD wallet's secret: the BIP39 mnemonic phrase and the optional BIP39 passphrase
/// ("25th word", empty when none), both in memory that is wiped on drop. Derivation is left to
/// the caller (`mnemonic`/`hd` modules). `Debug` is redacted; no `Display`, `Clone`, `Serialize`.
pub struct HdSecret {
    phrase: Zeroizing<String>,
    passphrase: Zeroizing<String>,
}

/// Format byte of the HD plaintext: `01 ‖ u16-BE len ‖ phrase ‖ u16-BE len ‖ passphrase`.
const HD_FORMAT: u8 = 1;

impl HdSecret {
    /// Wraps a phrase and passphrase (pass an empty passphrase when there is none). The phrase is
    /// stored as given: validate and normalise it (BIP39 NFKD, single spaces) before storing.
    pub fn new(
        phrase: Zeroizing<String>,
        passphrase: Zeroizing<String>,
    ) -> Result<Self, KeyDirError> {
        if phrase.trim().is_empty() {
            return Err(KeyDirError::InvalidSecret(
                "the mnemonic phrase is empty".into(),
            ));
        }
        if phrase.len() > u16::MAX as usize || passphrase.len() > u16::MAX as usize {
            return Err(KeyDirError::InvalidSecret(
                "the phrase and passphrase must each be under 65536 bytes".into(),
            ));
        }
        Ok(Self { phrase, passphrase })
    }

    /// The mnemonic phrase.
    pub fn phrase(&self) -> &str {
        &self.phrase
    }

    /// The BIP39 passphrase (empty when none).
    pub fn passphrase(&self) -> &str {
        &self.passphrase
    }

    /// The plaintext sealed in the entry file, sized up front so it never reallocates.
    pub(crate) fn encode(&self) -> Zeroizing<Vec<u8>> {
        let (p, q) = (self.phrase.as_bytes(), self.passphrase.as_bytes());
        let mut out = Zeroizing::new(Vec::with_capacity(5 + p.len() + q.len()));
        out.push(HD_FORMAT);
        out.extend_from_slice(&(p.len() as u16).to_be_bytes());
        out.extend_from_slice(p);
        out.extend_from_slice(&(q.len() as u16).to_be_bytes());
        out.extend_from_slice(q);
        out
    }

    /// Parses [`HdSecret::encode`]'s output.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, KeyDirError> {
        let bad = || KeyDirError::InvalidSecret("the decrypted HD secret is malformed".into());
        let (&fmt_byte, rest) = bytes.split_first().ok_or_else(bad)?;
        if fmt_byte != HD_FORMAT {
            return Err(bad());
        }
        let (phrase, rest) = take_str(rest).ok_or_else(bad)?;
        let (passphrase, rest) = take_str(rest).ok_or_else(bad)?;
        if !rest.is_empty() {
            return Err(bad());
        }
        Self::new(phrase, passphrase)
    }
}

/// Reads a u16-BE length-prefixed UTF-8 string into an exactly-sized zeroizing buffer.
fn take_str(b: &[u8]) -> Option<(Zeroizing<String>, &[u8])> {
    if b.len() < 2 {
        return None;
    }
    let n = usize::from(u16::from_be_bytes([b[0], b[1]]));
    let body = b.get(2..2 + n)?;
    let text = std::str::from_utf8(body).ok()?;
    let mut s = Zeroizing::new(String::with_capacity(n));
    s.push_str(text);
    Some((s, &b[2 + n..]))
}

impl fmt::Debug for HdSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HdSecret(..)")
    }
}

/// The secret of an unlocked entry.
#[derive(Debug)]
#[non_exhaustive]
pub enum EntrySecret {
    /// An HD wallet: derive keys from the phrase and passphrase.
    Hd(HdSecret),
    /// A single imported key (it signs directly).
    PrivateKey(PrivateKey),
}
