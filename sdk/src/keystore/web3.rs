//! Web3 Secret Storage v3 (ethereum.org "Web3 secret storage definition"): scrypt or PBKDF2,
//! AES-128-CTR keyed with `dk[0..16]`, MAC = Keccak-256(`dk[16..32] ‖ ciphertext`).

use serde_json::{Value, json};
use sha3::{Digest, Keccak256};

use super::envelope::{Cipher, Envelope, MacAlg, SealRandom};
use super::kdf::{Kdf, ScryptParams};
use super::{KeystoreError, Password, new_uuid};
use crate::keys::{PrivateKey, PublicKey};

/// The MAC algorithms a version-3 file may use.
pub(crate) const MACS: &[MacAlg] = &[MacAlg::Keccak256];

/// Checks the format-specific rules of a version-3 file.
pub(crate) fn check(env: &Envelope) -> Result<(), KeystoreError> {
    if env.cipher != Cipher::Aes128Ctr {
        return Err(KeystoreError::Unsupported(format!(
            "cipher {} in a version 3 keystore; Web3 Secret Storage uses aes-128-ctr",
            env.cipher.name()
        )));
    }
    if env.mac.len() != 32 {
        return Err(KeystoreError::Corrupted(format!(
            "crypto.mac is {} bytes; version 3 keystores use a 32-byte Keccak-256 MAC",
            env.mac.len()
        )));
    }
    Ok(())
}

/// The Ethereum address of a key: the last 20 bytes of Keccak-256 of the uncompressed point
/// without its `04` prefix.
pub fn ethereum_address(pk: &PublicKey) -> [u8; 20] {
    let full = pk.to_uncompressed();
    let h = Keccak256::digest(&full[1..]);
    let mut out = [0u8; 20];
    out.copy_from_slice(&h[12..]);
    out
}

/// Writes a version-3 keystore (scrypt with `params`, AES-128-CTR, Keccak-256 MAC, uuid v4 id).
pub(crate) fn encrypt(key: &PrivateKey, password: &Password, params: ScryptParams) -> Value {
    let secret = key.to_bytes();
    let env = Envelope::seal(
        &secret[..],
        password,
        Kdf::Scrypt(params),
        Cipher::Aes128Ctr,
        MacAlg::Keccak256,
        SealRandom::fresh(),
    );
    json!({
        "version": 3,
        "id": new_uuid(),
        "crypto": env.to_json(),
    })
}
