//! 64-byte r‖s secp256k1 ECDSA signatures, with DER for interoperability.
//!
//! The chain accepts only low-S signatures (bnc-tendermint `VerifyBytes`); [`Signature::from_bytes`]
//! keeps whatever it is given so that a verifier can report a high-S signature as invalid rather than
//! silently normalising it.

use std::fmt;

use thiserror::Error;

use crate::address::Address;
use crate::keys::PublicKey;

/// Why [`verify_message`] refused a signed message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum MessageError {
    /// The public key is not the address's key.
    #[error("the public key's address is {key}, not {address}")]
    AddressMismatch {
        /// The public key's address (under the given address's HRP).
        key: String,
        /// The address the message claims to be from.
        address: String,
    },
    /// The signature does not verify over the message with this public key (or is high-S).
    #[error("the signature does not verify for this message and public key")]
    BadSignature,
}

/// Checks that `signature` signs `message` (SHA-256, low-S, as [`PrivateKey::sign`] makes
/// it) with `public_key`, and that `public_key` is `address`'s key.
///
/// [`PrivateKey::sign`]: crate::PrivateKey::sign
pub fn verify_message(
    address: &Address,
    public_key: &PublicKey,
    message: &[u8],
    signature: &Signature,
) -> Result<(), MessageError> {
    let key_address = public_key.address(address.hrp());
    if key_address != *address {
        return Err(MessageError::AddressMismatch {
            key: key_address.to_string(),
            address: address.to_string(),
        });
    }
    if !public_key.verify(message, signature) {
        return Err(MessageError::BadSignature);
    }
    Ok(())
}

/// Why signature bytes were refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// r‖s must be exactly 64 bytes.
    #[error("signature must be 64 bytes (r||s), got {0}")]
    Length(usize),
    /// Not hex.
    #[error("signature is not valid hex")]
    Hex,
    /// Not strict DER, or r/s out of range.
    #[error("signature is not a valid strict-DER ECDSA signature")]
    Der,
}

/// A 64-byte `r ‖ s` signature (big-endian scalars).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature([u8; 64]);

impl Signature {
    /// Wraps 64 bytes as given (no range or low-S check; verification does those).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SignatureError> {
        let arr: [u8; 64] = bytes
            .try_into()
            .map_err(|_| SignatureError::Length(bytes.len()))?;
        Ok(Self(arr))
    }

    /// Parses 128 hex characters, optionally `0x`-prefixed.
    pub fn from_hex(text: &str) -> Result<Self, SignatureError> {
        let t = crate::keys::without_0x(text.trim());
        let bytes = hex::decode(t).map_err(|_| SignatureError::Hex)?;
        Self::from_bytes(&bytes)
    }

    /// Parses a strict-DER signature (as Ledger devices and many libraries produce).
    pub fn from_der(der: &[u8]) -> Result<Self, SignatureError> {
        let sig = k256::ecdsa::Signature::from_der(der).map_err(|_| SignatureError::Der)?;
        Ok(Self::from_k256(sig))
    }

    /// The 64 bytes r‖s.
    pub fn to_bytes(&self) -> [u8; 64] {
        self.0
    }

    /// Borrowed r‖s bytes.
    pub fn as_bytes(&self) -> &[u8; 64] {
        &self.0
    }

    /// Strict DER encoding. `None` when r or s is zero or not below the curve order.
    pub fn to_der(&self) -> Option<Vec<u8>> {
        self.to_k256().map(|s| s.to_der().as_bytes().to_vec())
    }

    /// Whether s is in the lower half of the order (the only form the chain accepts).
    pub fn is_low_s(&self) -> bool {
        match self.to_k256() {
            Some(s) => {
                use k256::elliptic_curve::scalar::IsHigh;
                !bool::from(s.s().is_high())
            }
            None => false,
        }
    }

    pub(crate) fn from_array(bytes: [u8; 64]) -> Self {
        Self(bytes)
    }

    pub(crate) fn from_k256(sig: k256::ecdsa::Signature) -> Self {
        let mut out = [0u8; 64];
        out.copy_from_slice(&sig.to_bytes());
        Self(out)
    }

    pub(crate) fn to_k256(self) -> Option<k256::ecdsa::Signature> {
        k256::ecdsa::Signature::from_slice(&self.0).ok()
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", hex::encode(self.0))
    }
}

impl fmt::Display for Signature {
    /// Lowercase hex of r‖s.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::PrivateKey;

    #[test]
    fn der_roundtrip_and_low_s() {
        let k = PrivateKey::from_hex(
            "0000000000000000000000000000000000000000000000000000000000000001",
        )
        .unwrap();
        let sig = k.sign(b"Satoshi Nakamoto");
        assert!(sig.is_low_s());
        let der = sig.to_der().unwrap();
        assert_eq!(Signature::from_der(&der).unwrap(), sig);
        assert!(k.public_key().verify(b"Satoshi Nakamoto", &sig));
        assert!(!k.public_key().verify(b"Satoshi Nakamoto!", &sig));
    }
}
