//! secp256k1 private and public keys.
//!
//! A [`PrivateKey`] is exactly 32 bytes with 0 < k < n, held in a [`SecretBytes`] page of its
//! own (fixed address, locked in RAM, wiped on drop): moving a `PrivateKey` copies a pointer and
//! the public key, never the secret. It prints as `PrivateKey(..)`, and has no `Display`,
//! `Serialize`, `Copy` or `Clone`: a second copy must be asked for by name with
//! [`PrivateKey::clone_secret`]. Every function that computes with the secret scrubs the stack
//! after itself ([`crate::secmem::scrub_stack`]).

use std::fmt;

use k256::ecdsa::VerifyingKey;
use thiserror::Error;
use zeroize::Zeroizing;

use crate::address::{Address, Hrp};
use crate::hash::hash160;
use crate::secmem::{SecretBytes, scrub_stack};
use crate::signature::Signature;

/// Why a key was refused. Messages never contain key material.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum KeyError {
    /// A private key must be exactly 32 bytes; shorter or longer input is not padded or trimmed.
    #[error("private key must be exactly 32 bytes, got {0}")]
    PrivateKeyLength(usize),
    /// The 32 bytes are zero or not below the curve order.
    #[error(
        "private key is out of range (it must be greater than 0 and less than the secp256k1 order)"
    )]
    PrivateKeyRange,
    /// The private key text is not hex.
    #[error(
        "private key is not valid hex (expected 64 hex characters, optionally prefixed with 0x)"
    )]
    PrivateKeyHex,
    /// A public key must be 33 (compressed) or 65 (uncompressed) SEC1 bytes.
    #[error("public key must be 33 (compressed) or 65 (uncompressed) bytes, got {0}")]
    PublicKeyLength(usize),
    /// The bytes have the right length but are not a point on secp256k1.
    #[error("public key is not a valid secp256k1 point")]
    PublicKeyInvalid,
    /// The public key text is not hex.
    #[error("public key is not valid hex")]
    PublicKeyHex,
}

/// `text` without one leading `0x` or `0X`: hex keys and signatures are accepted either way.
pub(crate) fn without_0x(text: &str) -> &str {
    text.strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text)
}

/// A secp256k1 private key.
pub struct PrivateKey {
    secret: SecretBytes<32>,
    public: PublicKey,
}

impl PrivateKey {
    /// Parses exactly 32 big-endian bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        let arr: &[u8; 32] = bytes
            .try_into()
            .map_err(|_| KeyError::PrivateKeyLength(bytes.len()))?;
        Self::from_secret(SecretBytes::from_slice(arr))
    }

    /// Takes a secret already written in its final place (range-checked here).
    pub fn from_secret(secret: SecretBytes<32>) -> Result<Self, KeyError> {
        let public = crate::ecdsa::public_key(secret.expose());
        scrub_stack();
        let public = public.ok_or(KeyError::PrivateKeyRange)?;
        let public = PublicKey::from_sec1(&public).map_err(|_| KeyError::PrivateKeyRange)?;
        Ok(Self { secret, public })
    }

    /// Parses 64 hex characters, with or without a `0x` prefix. Surrounding whitespace is ignored.
    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        let t = without_0x(text.trim());
        if t.len() != 64 {
            if t.len().is_multiple_of(2) && t.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(KeyError::PrivateKeyLength(t.len() / 2));
            }
            return Err(KeyError::PrivateKeyHex);
        }
        // Decoded straight into the key's page.
        let mut secret = SecretBytes::zeroed();
        let decoded = hex::decode_to_slice(t, &mut secret.expose_mut()[..]);
        scrub_stack();
        decoded.map_err(|_| KeyError::PrivateKeyHex)?;
        Self::from_secret(secret)
    }

    /// A fresh key from the operating system's random number generator.
    pub fn generate() -> Self {
        loop {
            let mut secret = SecretBytes::zeroed();
            getrandom::fill(&mut secret.expose_mut()[..]).expect("the operating system RNG failed");
            if let Ok(k) = Self::from_secret(secret) {
                return k;
            }
        }
    }

    /// A key whose public key is already known (HD derivation caches it).
    pub(crate) fn from_parts(secret: SecretBytes<32>, public: PublicKey) -> Self {
        Self { secret, public }
    }

    /// The 32 big-endian bytes, borrowed from the key's page (no copy).
    pub fn expose_secret(&self) -> &[u8; 32] {
        self.secret.expose()
    }

    /// A copy of the 32 big-endian bytes, in memory that is wiped when dropped (prefer
    /// [`PrivateKey::expose_secret`]: a returned array is moved, and moves leave copies).
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        out.copy_from_slice(self.secret.expose());
        out
    }

    /// Lowercase hex of the key, in memory that is wiped when dropped (exactly 64 bytes of
    /// capacity: use [`PrivateKey::write_hex`] to add to a larger buffer without reallocating).
    pub fn to_hex(&self) -> Zeroizing<String> {
        let mut s = Zeroizing::new(String::with_capacity(64));
        self.write_hex(&mut s);
        s
    }

    /// Appends the lowercase hex of the key to `out`. Reserve 64 bytes first: a reallocation
    /// would leave an unwiped copy of what was already there.
    pub fn write_hex(&self, out: &mut String) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for b in self.secret.expose() {
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }

    /// An explicit second copy of the secret (page to page).
    pub fn clone_secret(&self) -> Self {
        Self {
            secret: self.secret.clone_secret(),
            public: self.public,
        }
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        self.public
    }

    /// The address of this key under `hrp`.
    pub fn address(&self, hrp: &Hrp) -> Address {
        self.public_key().address(hrp)
    }

    /// Signs SHA-256 of `message` (RFC 6979, low-S).
    pub fn sign(&self, message: &[u8]) -> Signature {
        self.sign_digest(&crate::hash::sha256(message))
    }

    /// Signs a 32-byte digest (RFC 6979, low-S).
    pub fn sign_digest(&self, digest: &[u8; 32]) -> Signature {
        let sig = crate::ecdsa::sign(self.secret.expose(), digest);
        scrub_stack();
        Signature::from_array(sig)
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey(..)")
    }
}

impl PartialEq for PrivateKey {
    /// Constant-time comparison of the secrets.
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(self.secret.expose().ct_eq(other.secret.expose()))
    }
}
impl Eq for PrivateKey {}

/// A secp256k1 public key. Accepts 33- or 65-byte SEC1; always hashed in compressed form.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey {
    inner: VerifyingKey,
}

impl PublicKey {
    /// Parses SEC1 bytes: 33 compressed (`02`/`03`) or 65 uncompressed (`04`).
    pub fn from_sec1(bytes: &[u8]) -> Result<Self, KeyError> {
        match bytes.len() {
            33 if matches!(bytes[0], 2 | 3) => {}
            65 if bytes[0] == 4 => {}
            33 | 65 => return Err(KeyError::PublicKeyInvalid),
            n => return Err(KeyError::PublicKeyLength(n)),
        }
        VerifyingKey::from_sec1_bytes(bytes)
            .map(|inner| Self { inner })
            .map_err(|_| KeyError::PublicKeyInvalid)
    }

    /// Parses hex SEC1 bytes, with or without a `0x` prefix.
    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        let t = without_0x(text.trim());
        let bytes = hex::decode(t).map_err(|_| KeyError::PublicKeyHex)?;
        Self::from_sec1(&bytes)
    }

    /// The 33-byte compressed SEC1 encoding.
    pub fn to_compressed(&self) -> [u8; 33] {
        let p = self.inner.to_sec1_point(true);
        let mut out = [0u8; 33];
        out.copy_from_slice(p.as_bytes());
        out
    }

    /// The 65-byte uncompressed SEC1 encoding (`04 ‖ X ‖ Y`), as WalletConnect `bnb_sign` answers use.
    pub fn to_uncompressed(&self) -> [u8; 65] {
        let p = self.inner.to_sec1_point(false);
        let mut out = [0u8; 65];
        out.copy_from_slice(p.as_bytes());
        out
    }

    /// RIPEMD160(SHA256(compressed key)).
    pub fn hash160(&self) -> [u8; 20] {
        hash160(&self.to_compressed())
    }

    /// The bech32 address of this key under `hrp`.
    pub fn address(&self, hrp: &Hrp) -> Address {
        Address::new(hrp.clone(), self.hash160())
    }

    /// Verifies `sig` over SHA-256 of `message`. High-S signatures are rejected, as the chain does.
    pub fn verify(&self, message: &[u8], sig: &Signature) -> bool {
        self.verify_digest(&crate::hash::sha256(message), sig)
    }

    /// Verifies `sig` over a 32-byte digest. High-S signatures are rejected.
    pub fn verify_digest(&self, digest: &[u8; 32], sig: &Signature) -> bool {
        crate::ecdsa::verify(&self.inner, digest, sig.as_bytes())
    }

    pub(crate) fn as_verifying_key(&self) -> &VerifyingKey {
        &self.inner
    }

    pub(crate) fn from_verifying_key(inner: VerifyingKey) -> Self {
        Self { inner }
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", hex::encode(self.to_compressed()))
    }
}

impl fmt::Display for PublicKey {
    /// Lowercase hex of the compressed key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.to_compressed()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_lengths_are_not_padded() {
        assert_eq!(
            PrivateKey::from_bytes(&[1u8; 31]),
            Err(KeyError::PrivateKeyLength(31))
        );
        assert_eq!(
            PrivateKey::from_bytes(&[1u8; 33]),
            Err(KeyError::PrivateKeyLength(33))
        );
        assert_eq!(
            PrivateKey::from_bytes(&[0u8; 32]),
            Err(KeyError::PrivateKeyRange)
        );
        assert_eq!(
            PrivateKey::from_bytes(&[0xff; 32]),
            Err(KeyError::PrivateKeyRange)
        );
    }

    #[test]
    fn debug_is_redacted() {
        let k = PrivateKey::from_hex(
            "90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9",
        )
        .unwrap();
        let dbg = format!("{k:?}");
        assert_eq!(dbg, "PrivateKey(..)");
    }
}
