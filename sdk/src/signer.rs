//! The signing seam: anything that holds a secp256k1 key and signs a 32-byte digest — a
//! [`PrivateKey`] in memory, a hardware wallet, a remote signer, an agent.
//!
//! Binance Chain signs SHA-256 of the canonical sign document; a [`Signer`] only ever sees that
//! digest, so a device or service never needs to parse transactions to take part.

use thiserror::Error;

use crate::keys::{PrivateKey, PublicKey};
use crate::signature::Signature;
use crate::tx::{TxError, UnsignedTx};

/// Why a [`Signer`] did not produce a usable signature.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SignerError {
    /// The signer declined (a user rejected it on a device, a policy refused it).
    #[error("the signer refused to sign: {0}")]
    Refused(String),
    /// The signer failed (unreachable, disconnected, an internal error).
    #[error("the signer failed: {0}")]
    Failed(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The signer's key or signature does not fit the transaction: not the message's signer,
    /// or a signature that does not verify under the signer's public key.
    #[error(transparent)]
    Tx(#[from] TxError),
}

/// A secp256k1 signer of sign-document digests (synchronous).
///
/// Implementations return a 64-byte `r || s` signature over `digest` as given (no further
/// hashing); [`crate::UnsignedTx::sign_with`] checks that it verifies under
/// [`Signer::public_key`] before using it, so a faulty signer cannot produce a bad transaction.
pub trait Signer {
    /// The public key whose signatures this signer makes.
    fn public_key(&self) -> PublicKey;

    /// Signs a 32-byte digest (for a transaction: SHA-256 of its sign bytes).
    fn sign_digest(&self, digest: &[u8; 32]) -> Result<Signature, SignerError>;

    /// Signs a transaction: by default [`Signer::sign_digest`] of SHA-256 of its sign bytes.
    /// A signer that must read what it signs (an agent with a policy) overrides this and
    /// receives the transaction itself. [`crate::UnsignedTx::sign_with`] calls this.
    fn sign_tx(&self, tx: &UnsignedTx) -> Result<Signature, SignerError> {
        self.sign_digest(&crate::hash::sha256(&tx.sign_bytes()))
    }
}

impl Signer for PrivateKey {
    fn public_key(&self) -> PublicKey {
        PrivateKey::public_key(self)
    }

    /// RFC 6979, low-S; never fails.
    fn sign_digest(&self, digest: &[u8; 32]) -> Result<Signature, SignerError> {
        Ok(PrivateKey::sign_digest(self, digest))
    }
}

impl<S: Signer + ?Sized> Signer for &S {
    fn public_key(&self) -> PublicKey {
        (**self).public_key()
    }

    fn sign_digest(&self, digest: &[u8; 32]) -> Result<Signature, SignerError> {
        (**self).sign_digest(digest)
    }

    fn sign_tx(&self, tx: &UnsignedTx) -> Result<Signature, SignerError> {
        (**self).sign_tx(tx)
    }
}
