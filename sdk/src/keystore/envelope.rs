//! The `crypto` object shared by both keystore formats (and by dexlink's HD entries): KDF,
//! AES-CTR cipher, and a MAC over `dk[16..32] ‖ ciphertext`.
//!
//! Parsing validates every field (whitelisted algorithms, lengths, KDF caps) before any work;
//! opening checks the MAC in constant time before decrypting into zeroized memory.

use aes::{Aes128, Aes256};
use ctr::Ctr128BE;
use ctr::cipher::{KeyIvInit, StreamCipher};
use serde_json::{Map, Value, json};
use sha3::{Digest, Keccak256, Keccak512};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::kdf::{DKLEN, Kdf, KdfLimits, ScryptParams, log2_of_n};
use super::{KeystoreError, Password};

/// Accepted salt lengths in bytes.
const SALT_LEN: std::ops::RangeInclusive<usize> = 16..=64;
/// The IV (initial counter block) length.
const IV_LEN: usize = 16;

/// The block cipher mode. Both use the IV as a 128-bit big-endian counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cipher {
    /// AES-128-CTR keyed with `dk[0..16]` (Web3 v3).
    Aes128Ctr,
    /// AES-256-CTR keyed with the whole `dk[0..32]` (Binance Chain v1).
    Aes256Ctr,
}

impl Cipher {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Aes128Ctr => "aes-128-ctr",
            Self::Aes256Ctr => "aes-256-ctr",
        }
    }

    fn parse(s: &str) -> Result<Self, KeystoreError> {
        match s {
            "aes-128-ctr" => Ok(Self::Aes128Ctr),
            "aes-256-ctr" => Ok(Self::Aes256Ctr),
            other => Err(KeystoreError::Unsupported(format!(
                "cipher {:?}; supported: aes-128-ctr, aes-256-ctr",
                truncate(other)
            ))),
        }
    }

    /// XORs the keystream into `buf` in place.
    fn apply(self, dk: &[u8; DKLEN], iv: &[u8; IV_LEN], buf: &mut [u8]) {
        match self {
            Self::Aes128Ctr => Ctr128BE::<Aes128>::new_from_slices(&dk[..16], iv)
                .expect("16-byte key and IV")
                .apply_keystream(buf),
            Self::Aes256Ctr => Ctr128BE::<Aes256>::new_from_slices(&dk[..], iv)
                .expect("32-byte key and 16-byte IV")
                .apply_keystream(buf),
        }
    }
}

/// The MAC over `dk[16..32] ‖ ciphertext`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MacAlg {
    /// Keccak-256 (Web3 v3).
    Keccak256,
    /// Keccak-512, 64 bytes (Binance Chain v1: crypto-js `SHA3` default, go `NewLegacyKeccak512`).
    Keccak512,
    /// SHA-256 (pre-testnet Binance Chain keystores).
    Sha256,
}

impl MacAlg {
    pub(crate) fn len(self) -> usize {
        match self {
            Self::Keccak256 | Self::Sha256 => 32,
            Self::Keccak512 => 64,
        }
    }

    fn compute(self, dk: &[u8; DKLEN], ciphertext: &[u8]) -> Vec<u8> {
        match self {
            Self::Keccak256 => {
                let mut h = Keccak256::new();
                h.update(&dk[16..32]);
                h.update(ciphertext);
                h.finalize().to_vec()
            }
            Self::Keccak512 => {
                let mut h = Keccak512::new();
                h.update(&dk[16..32]);
                h.update(ciphertext);
                h.finalize().to_vec()
            }
            Self::Sha256 => {
                let mut h = sha2::Sha256::new();
                h.update(&dk[16..32]);
                h.update(ciphertext);
                h.finalize().to_vec()
            }
        }
    }
}

/// A parsed, validated `crypto` object.
#[derive(Debug, Clone)]
pub(crate) struct Envelope {
    pub(crate) kdf: Kdf,
    pub(crate) salt: Vec<u8>,
    pub(crate) cipher: Cipher,
    pub(crate) iv: [u8; IV_LEN],
    pub(crate) ciphertext: Vec<u8>,
    pub(crate) mac: Vec<u8>,
}

/// Randomness for sealing: a fresh salt and IV, or fixed ones for reproducible test vectors.
pub(crate) struct SealRandom {
    pub(crate) salt: [u8; 32],
    pub(crate) iv: [u8; IV_LEN],
}

impl SealRandom {
    /// A fresh 32-byte salt and 16-byte IV from the operating system.
    pub(crate) fn fresh() -> Self {
        let mut r = Self {
            salt: [0; 32],
            iv: [0; IV_LEN],
        };
        getrandom::fill(&mut r.salt).expect("the operating system RNG failed");
        getrandom::fill(&mut r.iv).expect("the operating system RNG failed");
        r
    }
}

impl Envelope {
    /// Encrypts `secret` under `password`.
    pub(crate) fn seal(
        secret: &[u8],
        password: &Password,
        kdf: Kdf,
        cipher: Cipher,
        mac: MacAlg,
        rnd: SealRandom,
    ) -> Self {
        let dk = kdf.derive(password, &rnd.salt);
        // The KDF's frames (password copies in HMAC key blocks) are dead now: erase them.
        crate::secmem::scrub_stack();
        let mut ciphertext = secret.to_vec();
        cipher.apply(&dk, &rnd.iv, &mut ciphertext);
        crate::secmem::scrub_stack();
        let mac = mac.compute(&dk, &ciphertext);
        Self {
            kdf,
            salt: rnd.salt.to_vec(),
            cipher,
            iv: rnd.iv,
            ciphertext,
            mac,
        }
    }

    /// Checks the MAC (trying each algorithm in `macs` whose length matches the file's, in
    /// constant time) and decrypts. Returns the plaintext and the algorithm that matched.
    pub(crate) fn open(
        &self,
        password: &Password,
        macs: &[MacAlg],
    ) -> Result<(Zeroizing<Vec<u8>>, MacAlg), KeystoreError> {
        let mut plain = Zeroizing::new(vec![0u8; self.ciphertext.len()]);
        let alg = self.open_into(password, macs, &mut plain)?;
        Ok((plain, alg))
    }

    /// [`Envelope::open`], decrypting straight into `out` (the final home of the secret, e.g.
    /// a key's locked page), which must be exactly as long as the ciphertext: no intermediate
    /// copy of the plaintext is made.
    pub(crate) fn open_into(
        &self,
        password: &Password,
        macs: &[MacAlg],
        out: &mut [u8],
    ) -> Result<MacAlg, KeystoreError> {
        if out.len() != self.ciphertext.len() {
            return Err(KeystoreError::Corrupted(format!(
                "the ciphertext is {} bytes long where {} were expected",
                self.ciphertext.len(),
                out.len()
            )));
        }
        let dk = self.kdf.derive(password, &self.salt);
        crate::secmem::scrub_stack();
        let mut matched = None;
        for &alg in macs.iter().filter(|a| a.len() == self.mac.len()) {
            let computed = alg.compute(&dk, &self.ciphertext);
            if bool::from(computed.as_slice().ct_eq(self.mac.as_slice())) {
                matched = Some(alg);
                break;
            }
        }
        let alg = matched.ok_or(KeystoreError::WrongPassword)?;
        out.copy_from_slice(&self.ciphertext);
        self.cipher.apply(&dk, &self.iv, out);
        // AES-CTR's keystream blocks XOR'd with the secret were on the stack.
        crate::secmem::scrub_stack();
        Ok(alg)
    }

    /// Parses a `crypto` object. `ct_len` bounds the ciphertext length (32 for keystore files).
    pub(crate) fn parse(
        crypto: &Value,
        ct_len: std::ops::RangeInclusive<usize>,
        limits: &KdfLimits,
    ) -> Result<Self, KeystoreError> {
        let obj = crypto
            .as_object()
            .ok_or_else(|| corrupted("\"crypto\" is not a JSON object"))?;
        let cipher = Cipher::parse(str_field(obj, "cipher", "crypto")?)?;
        let kdf_name = str_field(obj, "kdf", "crypto")?;
        let params = obj
            .get("kdfparams")
            .and_then(Value::as_object)
            .ok_or_else(|| corrupted("crypto.kdfparams is missing or not an object"))?;
        let dklen = u64_field(params, "dklen", "crypto.kdfparams")?;
        if dklen != DKLEN as u64 {
            return Err(KeystoreError::Tampered(format!(
                "crypto.kdfparams.dklen is {dklen}; keystores use 32"
            )));
        }
        let kdf = match kdf_name {
            "scrypt" => {
                let n = u64_field(params, "n", "crypto.kdfparams")?;
                let r = u64_field(params, "r", "crypto.kdfparams")?;
                let p = u64_field(params, "p", "crypto.kdfparams")?;
                let log_n = log2_of_n(n)?;
                let too_big = |what: &str, v: u64| {
                    KeystoreError::Tampered(format!("scrypt {what} = {v} is out of range"))
                };
                let sp = ScryptParamsRaw {
                    log_n,
                    r: u32::try_from(r).map_err(|_| too_big("r", r))?,
                    p: u32::try_from(p).map_err(|_| too_big("p", p))?,
                }
                .checked(limits)?;
                Kdf::Scrypt(sp)
            }
            "pbkdf2" => {
                let prf = str_field(params, "prf", "crypto.kdfparams")?;
                if prf != "hmac-sha256" {
                    return Err(KeystoreError::Unsupported(format!(
                        "PBKDF2 prf {:?}; supported: hmac-sha256",
                        truncate(prf)
                    )));
                }
                let c = limits.check_pbkdf2(u64_field(params, "c", "crypto.kdfparams")?)?;
                Kdf::Pbkdf2Sha256 { c }
            }
            other => {
                return Err(KeystoreError::Unsupported(format!(
                    "kdf {:?}; supported: scrypt, pbkdf2",
                    truncate(other)
                )));
            }
        };
        let salt = hex_field(params, "salt", "crypto.kdfparams")?;
        if !SALT_LEN.contains(&salt.len()) {
            return Err(corrupted(&format!(
                "crypto.kdfparams.salt is {} bytes; expected {} to {}",
                salt.len(),
                SALT_LEN.start(),
                SALT_LEN.end()
            )));
        }
        let cp = obj
            .get("cipherparams")
            .and_then(Value::as_object)
            .ok_or_else(|| corrupted("crypto.cipherparams is missing or not an object"))?;
        let iv_vec = hex_field(cp, "iv", "crypto.cipherparams")?;
        let iv: [u8; IV_LEN] = iv_vec.as_slice().try_into().map_err(|_| {
            corrupted(&format!(
                "crypto.cipherparams.iv is {} bytes; expected 16",
                iv_vec.len()
            ))
        })?;
        let ciphertext = hex_field(obj, "ciphertext", "crypto")?;
        if !ct_len.contains(&ciphertext.len()) {
            return Err(corrupted(&format!(
                "crypto.ciphertext is {} bytes; expected {}",
                ciphertext.len(),
                if ct_len.start() == ct_len.end() {
                    ct_len.start().to_string()
                } else {
                    format!("{} to {}", ct_len.start(), ct_len.end())
                }
            )));
        }
        let mac = hex_field(obj, "mac", "crypto")?;
        if mac.len() != 32 && mac.len() != 64 {
            return Err(corrupted(&format!(
                "crypto.mac is {} bytes; expected 32 or 64",
                mac.len()
            )));
        }
        Ok(Self {
            kdf,
            salt,
            cipher,
            iv,
            ciphertext,
            mac,
        })
    }

    /// The `crypto` object as JSON.
    pub(crate) fn to_json(&self) -> Value {
        let kdfparams = match self.kdf {
            Kdf::Scrypt(sp) => json!({
                "dklen": DKLEN,
                "n": sp.n(),
                "r": sp.r(),
                "p": sp.p(),
                "salt": hex::encode(&self.salt),
            }),
            Kdf::Pbkdf2Sha256 { c } => json!({
                "dklen": DKLEN,
                "c": c,
                "prf": "hmac-sha256",
                "salt": hex::encode(&self.salt),
            }),
        };
        json!({
            "cipher": self.cipher.name(),
            "cipherparams": { "iv": hex::encode(self.iv) },
            "ciphertext": hex::encode(&self.ciphertext),
            "kdf": self.kdf.name(),
            "kdfparams": kdfparams,
            "mac": hex::encode(&self.mac),
        })
    }
}

/// scrypt parameters read from a file, before the caps are applied.
struct ScryptParamsRaw {
    log_n: u8,
    r: u32,
    p: u32,
}

impl ScryptParamsRaw {
    fn checked(self, limits: &KdfLimits) -> Result<ScryptParams, KeystoreError> {
        let sp = ScryptParams::unchecked(self.log_n, self.r, self.p);
        limits.check_scrypt(sp)?;
        Ok(sp)
    }
}

fn corrupted(what: &str) -> KeystoreError {
    KeystoreError::Corrupted(what.to_string())
}

/// Shortens attacker-chosen text before it goes into an error message.
pub(crate) fn truncate(s: &str) -> String {
    s.chars()
        .take(32)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

pub(crate) fn str_field<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<&'a str, KeystoreError> {
    obj.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| corrupted(&format!("{at}.{key} is missing or not a string")))
}

fn u64_field(obj: &Map<String, Value>, key: &str, at: &str) -> Result<u64, KeystoreError> {
    obj.get(key).and_then(Value::as_u64).ok_or_else(|| {
        corrupted(&format!(
            "{at}.{key} is missing or not a non-negative integer"
        ))
    })
}

fn hex_field(obj: &Map<String, Value>, key: &str, at: &str) -> Result<Vec<u8>, KeystoreError> {
    let s = str_field(obj, key, at)?;
    let s = s.strip_prefix("0x").unwrap_or(s);
    hex::decode(s).map_err(|_| corrupted(&format!("{at}.{key} is not valid hex")))
}
