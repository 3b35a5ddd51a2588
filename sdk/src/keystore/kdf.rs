//! Password-based key derivation for keystores: scrypt and PBKDF2-HMAC-SHA256, with the cost
//! caps that keep a hostile file from demanding gigabytes of memory or hours of CPU.
//!
//! The caps are checked when a file is parsed, before any derivation work starts.

use std::fmt;

use zeroize::Zeroizing;

use super::{KeystoreError, Password};

/// Length of every derived key we accept or produce (`dklen`).
pub const DKLEN: usize = 32;

/// scrypt cost parameters: `n = 2^log_n`, block size `r`, parallelism `p`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScryptParams {
    log_n: u8,
    r: u32,
    p: u32,
}

impl ScryptParams {
    /// The parameters we write: n = 2^18, r = 8, p = 1 (geth "standard": 256 MiB, about 1 s).
    pub const STANDARD: Self = Self {
        log_n: 18,
        r: 8,
        p: 1,
    };

    /// Explicit parameters, checked against [`KdfLimits::DEFAULT`] so that we never write a file
    /// we would refuse to read. Lower costs are for tests and must be asked for by name.
    pub fn new(log_n: u8, r: u32, p: u32) -> Result<Self, KeystoreError> {
        let params = Self { log_n, r, p };
        KdfLimits::DEFAULT.check_scrypt(params)?;
        Ok(params)
    }

    /// Parameters read from a file, checked by the caller against its [`KdfLimits`].
    pub(crate) const fn unchecked(log_n: u8, r: u32, p: u32) -> Self {
        Self { log_n, r, p }
    }

    /// log2 of the cost `n`.
    pub fn log_n(&self) -> u8 {
        self.log_n
    }
    /// The cost `n`.
    pub fn n(&self) -> u64 {
        1u64 << self.log_n
    }
    /// The block size `r`.
    pub fn r(&self) -> u32 {
        self.r
    }
    /// The parallelism `p`.
    pub fn p(&self) -> u32 {
        self.p
    }
    /// Bytes of memory one derivation needs (128·r·n).
    pub fn memory_bytes(&self) -> u64 {
        128 * u64::from(self.r) * self.n()
    }
}

impl Default for ScryptParams {
    fn default() -> Self {
        Self::STANDARD
    }
}

/// A key-derivation function with its cost parameters (the salt travels separately).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kdf {
    /// scrypt (Web3 v3 default).
    Scrypt(ScryptParams),
    /// PBKDF2-HMAC-SHA256 with `c` iterations (Binance Chain v1, some Web3 v3 files).
    Pbkdf2Sha256 {
        /// Iteration count.
        c: u32,
    },
}

impl Kdf {
    /// PBKDF2 as the Binance Chain JS SDK and web wallet write it: c = 262144.
    pub const BINANCE_PBKDF2: Self = Self::Pbkdf2Sha256 { c: 262_144 };

    /// The `kdf` name in keystore JSON.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Scrypt(_) => "scrypt",
            Self::Pbkdf2Sha256 { .. } => "pbkdf2",
        }
    }

    /// Whether this costs an attacker less per password guess than `floor`, the cost new files
    /// get: scrypt with a smaller `n`, or with `r·p` below `floor`'s (less memory or work per
    /// guess); PBKDF2 with fewer than [`MIN_PBKDF2_C`] iterations (the count the Binance Chain
    /// JS SDK and geth write). PBKDF2 is not memory-hard, so it is never compared with scrypt.
    pub fn is_below(&self, floor: ScryptParams) -> bool {
        match self {
            Self::Scrypt(sp) => {
                sp.log_n < floor.log_n
                    || u64::from(sp.r) * u64::from(sp.p) < u64::from(floor.r) * u64::from(floor.p)
            }
            Self::Pbkdf2Sha256 { c } => *c < MIN_PBKDF2_C,
        }
    }

    /// [`Kdf::is_below`] the default [`ScryptParams::STANDARD`] (scrypt n = 2^18 with r·p ≥ 8,
    /// or PBKDF2 c ≥ 262,144): the threshold under which opening a file deserves a warning.
    pub fn is_below_default(&self) -> bool {
        self.is_below(ScryptParams::STANDARD)
    }

    /// Derives the 32-byte key. Callers check the parameters against [`KdfLimits`] first
    /// (parsing does); the memory scrypt allocates internally is not wiped by the scrypt crate.
    pub(crate) fn derive(&self, password: &Password, salt: &[u8]) -> Zeroizing<[u8; DKLEN]> {
        let mut dk = Zeroizing::new([0u8; DKLEN]);
        match self {
            Self::Scrypt(sp) => {
                let params = scrypt::Params::new(sp.log_n, sp.r, sp.p)
                    .expect("scrypt parameters were validated against the caps");
                scrypt::scrypt(password.as_bytes(), salt, &params, &mut dk[..])
                    .expect("a 32-byte scrypt output is always allowed");
            }
            Self::Pbkdf2Sha256 { c } => {
                pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.as_bytes(), salt, *c, &mut dk[..]);
            }
        }
        dk
    }
}

impl fmt::Display for Kdf {
    /// The cost parameters, e.g. `scrypt n = 2^10, r = 8, p = 1` or `PBKDF2 c = 262144`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Scrypt(sp) => write!(f, "scrypt n = 2^{}, r = {}, p = {}", sp.log_n, sp.r, sp.p),
            Self::Pbkdf2Sha256 { c } => write!(f, "PBKDF2 c = {c}"),
        }
    }
}

/// The PBKDF2 iteration count below which a file is weaker than what the Binance Chain JS SDK,
/// its web wallet and geth write (262,144).
pub const MIN_PBKDF2_C: u32 = 262_144;

/// Upper bounds on the work a keystore file may ask for. A file above them is refused before
/// any derivation starts (cf. age's `max_work_factor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfLimits {
    /// Largest scrypt memory 128·r·n in bytes.
    pub max_scrypt_memory: u64,
    /// Largest scrypt CPU cost n·r·p.
    pub max_scrypt_work: u64,
    /// Largest scrypt `r`.
    pub max_scrypt_r: u32,
    /// Largest scrypt `p`.
    pub max_scrypt_p: u32,
    /// Largest PBKDF2 iteration count.
    pub max_pbkdf2_c: u32,
}

impl KdfLimits {
    /// 512 MiB of scrypt memory (2^18, r = 8 uses 256 MiB; 2^19, r = 8 is the largest allowed),
    /// scrypt work n·r·p ≤ 2^23 (4× the standard 2^18·8·1, a few seconds), r ≤ 32, p ≤ 16,
    /// PBKDF2 c ≤ 10,000,000 (about a second; the Binance files use 262,144).
    pub const DEFAULT: Self = Self {
        max_scrypt_memory: 512 * 1024 * 1024,
        max_scrypt_work: 1 << 23,
        max_scrypt_r: 32,
        max_scrypt_p: 16,
        max_pbkdf2_c: 10_000_000,
    };

    /// Checks scrypt parameters against the caps.
    pub fn check_scrypt(&self, sp: ScryptParams) -> Result<(), KeystoreError> {
        if sp.log_n == 0 || sp.log_n > 40 {
            return Err(KeystoreError::Tampered(format!(
                "scrypt n = 2^{} is outside the accepted range 2^1..2^40",
                sp.log_n
            )));
        }
        if sp.r == 0 || sp.r > self.max_scrypt_r {
            return Err(KeystoreError::Tampered(format!(
                "scrypt r = {} is outside 1..={}",
                sp.r, self.max_scrypt_r
            )));
        }
        if sp.p == 0 || sp.p > self.max_scrypt_p {
            return Err(KeystoreError::Tampered(format!(
                "scrypt p = {} is outside 1..={}",
                sp.p, self.max_scrypt_p
            )));
        }
        let mem = sp.memory_bytes();
        if mem > self.max_scrypt_memory {
            return Err(KeystoreError::Tampered(format!(
                "scrypt n = 2^{}, r = {} needs {} MiB of memory, above the cap of {} MiB",
                sp.log_n,
                sp.r,
                mem >> 20,
                self.max_scrypt_memory >> 20
            )));
        }
        let work = sp.n() * u64::from(sp.r) * u64::from(sp.p);
        if work > self.max_scrypt_work {
            return Err(KeystoreError::Tampered(format!(
                "scrypt cost n·r·p = {work} is above the cap of {}",
                self.max_scrypt_work
            )));
        }
        Ok(())
    }

    /// Checks a PBKDF2 iteration count against the cap.
    pub fn check_pbkdf2(&self, c: u64) -> Result<u32, KeystoreError> {
        if c == 0 || c > u64::from(self.max_pbkdf2_c) {
            return Err(KeystoreError::Tampered(format!(
                "PBKDF2 iteration count c = {c} is outside 1..={}",
                self.max_pbkdf2_c
            )));
        }
        Ok(c as u32)
    }

    /// Checks either KDF.
    pub fn check(&self, kdf: &Kdf) -> Result<(), KeystoreError> {
        match kdf {
            Kdf::Scrypt(sp) => self.check_scrypt(*sp),
            Kdf::Pbkdf2Sha256 { c } => self.check_pbkdf2(u64::from(*c)).map(|_| ()),
        }
    }
}

impl Default for KdfLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Parses scrypt `n` (must be a power of two ≥ 2) into log2(n).
pub(crate) fn log2_of_n(n: u64) -> Result<u8, KeystoreError> {
    if n < 2 || !n.is_power_of_two() {
        return Err(KeystoreError::Tampered(format!(
            "scrypt n = {n} is not a power of two ≥ 2"
        )));
    }
    Ok(n.trailing_zeros() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_passes_and_huge_is_refused() {
        let l = KdfLimits::DEFAULT;
        assert!(l.check_scrypt(ScryptParams::STANDARD).is_ok());
        // The Web3 spec vector: n = 2^18, r = 1, p = 8.
        assert!(
            l.check_scrypt(ScryptParams {
                log_n: 18,
                r: 1,
                p: 8
            })
            .is_ok()
        );
        // 4 GiB.
        let e = l
            .check_scrypt(ScryptParams {
                log_n: 22,
                r: 8,
                p: 1,
            })
            .unwrap_err();
        assert!(matches!(e, KeystoreError::Tampered(_)), "{e}");
        assert!(e.to_string().contains("4096 MiB"), "{e}");
        assert!(
            l.check_scrypt(ScryptParams {
                log_n: 10,
                r: 8,
                p: 17
            })
            .is_err()
        );
        assert!(l.check_pbkdf2(262_144).is_ok());
        assert!(l.check_pbkdf2(0).is_err());
        assert!(l.check_pbkdf2(10_000_001).is_err());
    }

    #[test]
    fn costs_below_the_default_are_flagged_at_the_documented_threshold() {
        let scrypt = |log_n, r, p| Kdf::Scrypt(ScryptParams { log_n, r, p });
        // What we write, and the Web3 spec vector (same n, r·p = 8): not weak.
        assert!(!scrypt(18, 8, 1).is_below_default());
        assert!(!scrypt(18, 1, 8).is_below_default());
        assert!(!scrypt(19, 8, 1).is_below_default());
        // Half the n (ethers' 2^17), geth's "light" 2^12/p = 6, the old test hook's 2^1, and
        // the standard n with a tenth of the memory: weak.
        assert!(scrypt(17, 8, 1).is_below_default());
        assert!(scrypt(12, 8, 6).is_below_default());
        assert!(scrypt(1, 8, 1).is_below_default());
        assert!(scrypt(18, 1, 1).is_below_default());
        assert!(!Kdf::Pbkdf2Sha256 { c: 262_144 }.is_below_default());
        assert!(Kdf::Pbkdf2Sha256 { c: 262_143 }.is_below_default());
        assert!(Kdf::Pbkdf2Sha256 { c: 1 }.is_below_default());
        // A lower floor (the test builds' cheap cost) moves the scrypt threshold only.
        let floor = ScryptParams::new(10, 8, 1).unwrap();
        assert!(!scrypt(10, 8, 1).is_below(floor));
        assert!(scrypt(9, 8, 1).is_below(floor));
        assert!(Kdf::Pbkdf2Sha256 { c: 1000 }.is_below(floor));
        assert_eq!(
            scrypt(10, 8, 1).to_string(),
            "scrypt n = 2^10, r = 8, p = 1"
        );
        assert_eq!(Kdf::BINANCE_PBKDF2.to_string(), "PBKDF2 c = 262144");
    }

    #[test]
    fn n_must_be_a_power_of_two() {
        assert_eq!(log2_of_n(262_144).unwrap(), 18);
        assert!(log2_of_n(262_145).is_err());
        assert!(log2_of_n(1).is_err());
        assert!(log2_of_n(0).is_err());
        assert_eq!(log2_of_n(1 << 63).unwrap(), 63);
    }
}
