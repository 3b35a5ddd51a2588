//! Encrypted keystore files: reading the Binance Chain (version 1) and Web3 Secret Storage
//! (version 3) formats, writing both, and sealing arbitrary secret bytes in the same envelope.
//!
//! Files are treated as hostile: algorithms are whitelisted, lengths checked, KDF costs capped
//! ([`KdfLimits`]) before any derivation, the MAC compared in constant time before decrypting,
//! and the plaintext decrypted into zeroized memory.
//!
//! Dispatch: `version` 1 → Binance Chain (`aes-256-ctr`, `pbkdf2`, 64-byte Keccak-512 MAC or
//! 32-byte legacy SHA-256 MAC); `version` 3 → Web3 (`aes-128-ctr`, `scrypt`/`pbkdf2`, 32-byte
//! Keccak-256 MAC). The `version` may be a number or a numeric string (older go-sdk files).
//!
//! ## The `address` field
//! An optional top-level `address` is compared with the decrypted key's address when we know
//! how it was derived: a bech32 address with the `bnb`/`tbnb` prefix (the 20 bytes are compared)
//! or a 40-hex-digit Ethereum address (Keccak-256 derived). A mismatch is
//! [`KeystoreError::Tampered`]. Any other value (notably the pre-mainnet `bnc` prefix: the
//! JavaScript SDK's own legacy test keystore carries a `bnc1…` address that does not belong to
//! its key, docs/upstream-vectors.md §3 V8b) is not checked and reported as
//! [`AddressCheck::NotChecked`] so that callers can warn.
//!
//! ## Secret envelopes
//! [`seal_secret`] / [`open_secret`] encrypt arbitrary bytes (a mnemonic, say) with the Web3 v3
//! `crypto` object unchanged except that `ciphertext` is as long as the secret (1 to
//! [`MAX_SECRET_LEN`] bytes): scrypt, AES-128-CTR with `dk[0..16]`, Keccak-256 MAC over
//! `dk[16..32] ‖ ciphertext`. The key directory uses it for HD entries.

use std::fmt;

use serde_json::Value;
use thiserror::Error;
use zeroize::Zeroizing;

mod binance;
mod envelope;
mod kdf;
mod password;
mod web3;

pub use kdf::{DKLEN, Kdf, KdfLimits, MIN_PBKDF2_C, ScryptParams};
pub use password::{MAX_LOCKED_PASSWORD, Password};
pub use web3::ethereum_address;

use crate::address::{Address, Hrp};
use crate::keys::PrivateKey;
use crate::secmem::SecretBytes;
use envelope::{Envelope, MacAlg, SealRandom};

/// Longest secret [`seal_secret`] accepts (a 24-word phrase plus a long passphrase fits easily).
pub const MAX_SECRET_LEN: usize = 4096;

/// Why a keystore could not be read or written. Messages name fields and limits, never the
/// password, key or plaintext.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum KeystoreError {
    /// The MAC did not match: the password is wrong (or the ciphertext/MAC was altered).
    #[error(
        "wrong password: the keystore MAC does not match (check the password; if it is right, the file was modified)"
    )]
    WrongPassword,
    /// A well-formed file using a version or algorithm we do not read.
    #[error("unsupported keystore: {0}")]
    Unsupported(String),
    /// The file is not a keystore: bad JSON, missing fields, bad hex or lengths.
    #[error("corrupted keystore: {0} (restore the file from a backup)")]
    Corrupted(String),
    /// The file is well-formed but inconsistent or asks for more work than allowed: its address
    /// does not belong to its key, or its KDF parameters exceed the caps.
    #[error(
        "refused keystore: {0} (the file may have been tampered with; do not use it without checking its origin)"
    )]
    Tampered(String),
    /// A secret too long or empty for [`seal_secret`].
    #[error("secret to encrypt must be 1 to {MAX_SECRET_LEN} bytes, got {0}")]
    SecretLength(usize),
}

/// Which keystore format a file was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeystoreFormat {
    /// Binance Chain version 1 with the Keccak-512 MAC (JS SDK, web wallet, go-sdk).
    BinanceV1,
    /// Binance Chain version 1 with the pre-testnet SHA-256 MAC.
    BinanceV1LegacySha256,
    /// Web3 Secret Storage version 3.
    Web3V3,
}

/// What became of the file's optional `address` field.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AddressCheck {
    /// The file has no `address`.
    Absent,
    /// The address belongs to the decrypted key.
    Matched,
    /// Present but of a kind we cannot check (e.g. the pre-mainnet `bnc` prefix); callers
    /// should warn. The text says why.
    NotChecked(String),
}

/// A decrypted keystore: the key and how it was read.
pub struct DecryptedKeystore {
    key: PrivateKey,
    format: KeystoreFormat,
    address_check: AddressCheck,
    kdf: Kdf,
}

impl DecryptedKeystore {
    /// The private key.
    pub fn private_key(&self) -> &PrivateKey {
        &self.key
    }
    /// Takes the private key.
    pub fn into_private_key(self) -> PrivateKey {
        self.key
    }
    /// The format the file was in.
    pub fn format(&self) -> KeystoreFormat {
        self.format
    }
    /// What became of the `address` field.
    pub fn address_check(&self) -> &AddressCheck {
        &self.address_check
    }
    /// The KDF and cost the file was encrypted with (see [`Kdf::is_below_default`]).
    pub fn kdf(&self) -> Kdf {
        self.kdf
    }
}

impl fmt::Debug for DecryptedKeystore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptedKeystore")
            .field("key", &self.key)
            .field("format", &self.format)
            .field("address_check", &self.address_check)
            .field("kdf", &self.kdf)
            .finish()
    }
}

/// Decrypts a keystore file's text with the default [`KdfLimits`].
pub fn decrypt(json: &str, password: &Password) -> Result<DecryptedKeystore, KeystoreError> {
    decrypt_with_limits(json, password, &KdfLimits::DEFAULT)
}

/// Decrypts a keystore file's text with explicit limits.
pub fn decrypt_with_limits(
    json: &str,
    password: &Password,
    limits: &KdfLimits,
) -> Result<DecryptedKeystore, KeystoreError> {
    // serde_json's messages can quote input; only its position is reported.
    let v: Value = serde_json::from_str(json).map_err(|e| {
        KeystoreError::Corrupted(format!(
            "not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    decrypt_value(&v, password, limits)
}

/// Decrypts a parsed keystore object.
pub fn decrypt_value(
    v: &Value,
    password: &Password,
    limits: &KdfLimits,
) -> Result<DecryptedKeystore, KeystoreError> {
    let obj = v
        .as_object()
        .ok_or_else(|| KeystoreError::Corrupted("the top level is not a JSON object".into()))?;
    let version = match obj.get("version") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        None => {
            return Err(KeystoreError::Corrupted(
                "\"version\" is missing (1 = Binance Chain, 3 = Web3)".into(),
            ));
        }
        Some(_) => None,
    };
    let crypto = obj
        .get("crypto")
        .or_else(|| obj.get("Crypto"))
        .ok_or_else(|| KeystoreError::Corrupted("\"crypto\" is missing".into()))?;
    let (env, macs) = match version {
        Some(1) => {
            let env = Envelope::parse(crypto, 32..=32, limits)?;
            binance::check(&env)?;
            (env, binance::MACS)
        }
        Some(3) => {
            let env = Envelope::parse(crypto, 32..=32, limits)?;
            web3::check(&env)?;
            (env, web3::MACS)
        }
        _ => {
            return Err(KeystoreError::Unsupported(
                "keystore version; supported: 1 (Binance Chain), 3 (Web3 Secret Storage)".into(),
            ));
        }
    };
    // Decrypted straight into the key's own page (no intermediate plaintext copy).
    let mut secret = SecretBytes::<32>::zeroed();
    let mac = env.open_into(password, macs, secret.expose_mut())?;
    let key = PrivateKey::from_secret(secret).map_err(|_| {
        KeystoreError::Corrupted(
            "the decrypted key is not a valid secp256k1 private key (zero or above the curve order)"
                .into(),
        )
    })?;
    let format = match mac {
        MacAlg::Keccak512 => KeystoreFormat::BinanceV1,
        MacAlg::Sha256 => KeystoreFormat::BinanceV1LegacySha256,
        MacAlg::Keccak256 => KeystoreFormat::Web3V3,
    };
    let address_check = check_address(obj.get("address"), &key)?;
    Ok(DecryptedKeystore {
        key,
        format,
        address_check,
        kdf: env.kdf,
    })
}

/// Applies the `address` rule of the module documentation.
fn check_address(field: Option<&Value>, key: &PrivateKey) -> Result<AddressCheck, KeystoreError> {
    let text = match field {
        None | Some(Value::Null) => return Ok(AddressCheck::Absent),
        Some(Value::String(s)) if s.is_empty() => return Ok(AddressCheck::Absent),
        Some(Value::String(s)) => s.as_str(),
        Some(_) => {
            return Ok(AddressCheck::NotChecked(
                "the address field is not a string".into(),
            ));
        }
    };
    let mismatch = || {
        KeystoreError::Tampered(
            "the file's address field does not belong to the decrypted key (a modified file, or a writer that encrypted differently from its labels, such as early go-sdk releases that used AES-128 under an aes-256-ctr label; those files are not supported)".into(),
        )
    };
    let hex_part = crate::keys::without_0x(text);
    if hex_part.len() == 40 && hex_part.bytes().all(|b| b.is_ascii_hexdigit()) {
        let mut want = [0u8; 20];
        hex::decode_to_slice(hex_part, &mut want).expect("checked hex");
        return if want == ethereum_address(&key.public_key()) {
            Ok(AddressCheck::Matched)
        } else {
            Err(mismatch())
        };
    }
    match Address::parse(text) {
        Ok(a) if *a.hrp() == Hrp::mainnet() || *a.hrp() == Hrp::testnet() => {
            if a.as_bytes() == &key.public_key().hash160() {
                Ok(AddressCheck::Matched)
            } else {
                Err(mismatch())
            }
        }
        Ok(a) => Ok(AddressCheck::NotChecked(format!(
            "address prefix {:?} is not bnb or tbnb (pre-mainnet files are known to carry addresses that do not match their key)",
            a.hrp().as_str()
        ))),
        Err(_) => Ok(AddressCheck::NotChecked(
            "the address field is neither a bech32 nor a 0x address".into(),
        )),
    }
}

/// Writes a Web3 Secret Storage v3 keystore (scrypt with `params`, AES-128-CTR, Keccak-256 MAC,
/// uuid v4 id), as compact JSON. Use [`ScryptParams::STANDARD`] outside tests.
pub fn encrypt_web3(key: &PrivateKey, password: &Password, params: ScryptParams) -> String {
    web3::encrypt(key, password, params).to_string()
}

/// Writes a Binance Chain version-1 keystore as the web wallet and JS SDK read it (PBKDF2
/// c = 262144, AES-256-CTR, Keccak-512 MAC, uuid v4 id), as compact JSON. With `address_hrp`,
/// also writes the go-sdk's top-level bech32 `address`.
pub fn encrypt_binance(key: &PrivateKey, password: &Password, address_hrp: Option<&Hrp>) -> String {
    binance::encrypt(key, password, address_hrp).to_string()
}

/// [`encrypt_binance`] with a fixed salt, IV and id, so published vectors (with their
/// randomness given) can be reproduced. Compiled only into this crate's unit tests: fixed
/// randomness must never be reachable for real keys.
#[cfg(test)]
pub(crate) fn encrypt_binance_with_fixed_randomness_for_tests(
    key: &PrivateKey,
    password: &Password,
    salt: [u8; 32],
    iv: [u8; 16],
    id: &str,
) -> String {
    binance::encrypt_with(key, password, None, SealRandom { salt, iv }, id).to_string()
}

/// Encrypts arbitrary secret bytes into a Web3-v3-style `crypto` object (see the module docs).
pub fn seal_secret(
    secret: &[u8],
    password: &Password,
    params: ScryptParams,
) -> Result<Value, KeystoreError> {
    if secret.is_empty() || secret.len() > MAX_SECRET_LEN {
        return Err(KeystoreError::SecretLength(secret.len()));
    }
    let env = Envelope::seal(
        secret,
        password,
        Kdf::Scrypt(params),
        envelope::Cipher::Aes128Ctr,
        MacAlg::Keccak256,
        SealRandom::fresh(),
    );
    Ok(env.to_json())
}

/// Decrypts a `crypto` object written by [`seal_secret`] (any scrypt/PBKDF2 parameters within
/// `limits`; AES-128-CTR and a Keccak-256 MAC are required).
pub fn open_secret(
    crypto: &Value,
    password: &Password,
    limits: &KdfLimits,
) -> Result<Zeroizing<Vec<u8>>, KeystoreError> {
    open_secret_with_kdf(crypto, password, limits).map(|(plain, _)| plain)
}

/// [`open_secret`], also returning the KDF and cost the object was sealed with, so that callers
/// can warn about weak ones ([`Kdf::is_below_default`]).
pub fn open_secret_with_kdf(
    crypto: &Value,
    password: &Password,
    limits: &KdfLimits,
) -> Result<(Zeroizing<Vec<u8>>, Kdf), KeystoreError> {
    let env = Envelope::parse(crypto, 1..=MAX_SECRET_LEN, limits)?;
    web3::check(&env)?;
    let (plain, _) = env.open(password, web3::MACS)?;
    Ok((plain, env.kdf))
}

/// Decrypts a `crypto` object written by [`seal_secret`] that holds a 32-byte private key
/// straight into the key's own page, returning it with the KDF it was sealed with.
#[cfg(feature = "keydir")]
pub(crate) fn open_key_with_kdf(
    crypto: &Value,
    password: &Password,
    limits: &KdfLimits,
) -> Result<(SecretBytes<32>, Kdf), KeystoreError> {
    let env = Envelope::parse(crypto, 1..=MAX_SECRET_LEN, limits)?;
    web3::check(&env)?;
    let mut secret = SecretBytes::<32>::zeroed();
    env.open_into(password, web3::MACS, secret.expose_mut())?;
    Ok((secret, env.kdf))
}

/// A fresh random (version 4) UUID in its hyphenated form.
pub(crate) fn new_uuid() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the operating system RNG failed");
    uuid::Builder::from_random_bytes(b)
        .into_uuid()
        .hyphenated()
        .to_string()
}

#[cfg(test)]
mod tests;
