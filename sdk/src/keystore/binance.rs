//! The Binance Chain keystore (version 1) written by the DEX web wallet, the JavaScript SDK
//! (`generateKeyStore`) and the go-sdk: PBKDF2-HMAC-SHA256 (c = 262144), AES-256-CTR keyed with
//! the whole 32-byte derived key, MAC = Keccak-512(`dk[16..32] ‖ ciphertext`), or SHA-256 in
//! pre-testnet files. See docs/keystores.md §1–§2.

use serde_json::{Map, Value, json};

use super::envelope::{Cipher, Envelope, MacAlg, SealRandom};
use super::kdf::Kdf;
use super::{KeystoreError, Password, new_uuid};
use crate::address::Hrp;
use crate::keys::PrivateKey;

/// Both SDKs try Keccak-512 first, then the legacy SHA-256 MAC; dispatch is by MAC length.
pub(crate) const MACS: &[MacAlg] = &[MacAlg::Keccak512, MacAlg::Sha256];

/// Checks the format-specific rules of a version-1 file.
pub(crate) fn check(env: &Envelope) -> Result<(), KeystoreError> {
    if env.cipher != Cipher::Aes256Ctr {
        return Err(KeystoreError::Unsupported(format!(
            "cipher {} in a version 1 keystore; Binance Chain keystores use aes-256-ctr",
            env.cipher.name()
        )));
    }
    if !matches!(env.kdf, Kdf::Pbkdf2Sha256 { .. }) {
        return Err(KeystoreError::Unsupported(format!(
            "kdf {} in a version 1 keystore; Binance Chain keystores use pbkdf2",
            env.kdf.name()
        )));
    }
    Ok(())
}

/// Writes a version-1 keystore as the JS SDK does; with `address_hrp`, adds the go-sdk's
/// top-level bech32 `address`.
pub(crate) fn encrypt(key: &PrivateKey, password: &Password, address_hrp: Option<&Hrp>) -> Value {
    encrypt_with(key, password, address_hrp, SealRandom::fresh(), &new_uuid())
}

/// [`encrypt`] with fixed salt, IV and id, for reproducing published vectors.
pub(crate) fn encrypt_with(
    key: &PrivateKey,
    password: &Password,
    address_hrp: Option<&Hrp>,
    rnd: SealRandom,
    id: &str,
) -> Value {
    let secret = key.to_bytes();
    let env = Envelope::seal(
        &secret[..],
        password,
        Kdf::BINANCE_PBKDF2,
        Cipher::Aes256Ctr,
        MacAlg::Keccak512,
        rnd,
    );
    let mut obj = Map::new();
    obj.insert("version".into(), json!(1));
    obj.insert("id".into(), json!(id));
    obj.insert("crypto".into(), env.to_json());
    if let Some(hrp) = address_hrp {
        obj.insert("address".into(), json!(key.address(hrp).to_string()));
    }
    Value::Object(obj)
}
