//! Checks for the `bip39`, `bip32` and `key-derivation` vector types.

use super::{ErrorKind, Failure, Fields, expect_eq};
use dexlink::address::Hrp;
use dexlink::hd::{
    AccountKey, BINANCE_COIN_TYPE, DerivationPath, ExtendedKey, ExtendedPrivateKey, HdError,
};
use dexlink::mnemonic::{Language, Mnemonic, MnemonicError, Passphrase};

fn mnemonic_kind(e: &MnemonicError) -> ErrorKind {
    match e {
        MnemonicError::InvalidEntropyLength(_) => ErrorKind::InvalidEntropy,
        _ => ErrorKind::InvalidMnemonic,
    }
}

fn mnemonic_op(e: MnemonicError) -> Failure {
    Failure::op(mnemonic_kind(&e), e)
}

/// The error kind of an HD error: paths, extended-key decoding, and key-range failures.
fn hd_kind(e: &HdError) -> ErrorKind {
    match e {
        HdError::EmptyPath
        | HdError::PathComponent { .. }
        | HdError::IndexOutOfRange(_)
        | HdError::TooDeep(_)
        | HdError::HardenedFromPublic(_) => ErrorKind::InvalidPath,
        HdError::InvalidMasterKey | HdError::InvalidChild(_) => ErrorKind::InvalidPrivateKey,
        HdError::SeedLength(_) => ErrorKind::InvalidEntropy,
        HdError::Base58
        | HdError::Length
        | HdError::Checksum
        | HdError::UnknownVersion(_)
        | HdError::PublicVersionPrivateKey
        | HdError::PrivateVersionPublicKey
        | HdError::KeyPrefix { .. }
        | HdError::ZeroDepthParentFingerprint
        | HdError::ZeroDepthChildNumber
        | HdError::PrivateKeyRange
        | HdError::PublicKeyInvalid
        | HdError::NotPrivate
        | HdError::NotPublic => ErrorKind::InvalidExtendedKey,
        // A variant added to the SDK after this list: an extended-key refusal is the likeliest.
        _ => ErrorKind::InvalidExtendedKey,
    }
}

fn hd_op(e: HdError) -> Failure {
    Failure::op(hd_kind(&e), e)
}

fn language(f: &Fields<'_>) -> Result<Language, Failure> {
    match f.opt_str("language")? {
        None => Ok(Language::English),
        Some(name) => name
            .parse()
            .map_err(|e| Failure::Malformed(format!("field \"language\": {e}"))),
    }
}

/// The vector's mnemonic in its `language` (default: detected when absent, English when given).
fn mnemonic(f: &Fields<'_>) -> Result<Mnemonic, Failure> {
    let phrase = f.str("mnemonic")?;
    if f.has("language") {
        Mnemonic::parse_in(language(f)?, phrase)
    } else {
        Mnemonic::parse(phrase)
    }
    .map_err(mnemonic_op)
}

fn passphrase(f: &Fields<'_>) -> Result<Passphrase, Failure> {
    Ok(Passphrase::new(f.opt_str("passphrase")?.unwrap_or("")))
}

/// Compares phrases as BIP-39 does: after NFKD, with words separated by single spaces.
fn canonical(phrase: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let n: String = phrase.nfkd().collect();
    n.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `bip39`: entropy → mnemonic, mnemonic → entropy, mnemonic + passphrase → seed, seed → xprv.
/// With `expect_error`, only the fields given are exercised (entropy first, then mnemonic).
pub(super) fn check_bip39(f: &Fields<'_>) -> Result<(), Failure> {
    let lang = language(f)?;
    let expecting_error = f.has("expect_error");
    if !expecting_error {
        for k in ["entropy", "mnemonic", "seed"] {
            if !f.has(k) {
                return Err(Failure::Malformed(format!("missing field \"{k}\"")));
            }
        }
    }
    if let Some(entropy) = f.opt_hex("entropy")? {
        let m = Mnemonic::from_entropy_in(lang, &entropy).map_err(mnemonic_op)?;
        if let Some(want) = f.opt_str("mnemonic")? {
            expect_eq(
                "mnemonic from entropy",
                canonical(want),
                canonical(&m.phrase()),
            )?;
        }
    }
    if !f.has("mnemonic") {
        return Ok(());
    }
    let m = Mnemonic::parse_in(lang, f.str("mnemonic")?).map_err(mnemonic_op)?;
    if let Some(entropy) = f.opt_hex("entropy")? {
        expect_eq(
            "entropy from mnemonic",
            hex::encode(&entropy),
            hex::encode(&m.to_entropy()[..]),
        )?;
    }
    if let Some(want) = f.opt_hex("seed")? {
        let seed = m.to_seed(&passphrase(f)?);
        expect_eq("seed", hex::encode(&want), hex::encode(seed.as_bytes()))?;
        if let Some(xprv) = f.opt_str("xprv")? {
            let master = ExtendedPrivateKey::from_bip39_seed(&seed);
            expect_eq("master xprv", xprv, master.to_xprv().as_str())?;
        }
    }
    Ok(())
}

/// `bip32`: seed + path → xprv and xpub, the public derivation of the non-hardened tail, and
/// decode/re-encode of both strings; or `ext_key` + `expect_error` for keys that must be refused.
pub(super) fn check_bip32(f: &Fields<'_>) -> Result<(), Failure> {
    if let Some(s) = f.opt_str("ext_key")? {
        let key = ExtendedKey::parse(s).map_err(hd_op)?;
        // A valid key must re-encode to itself.
        let again = match &key {
            ExtendedKey::Private(k) => k.to_xprv(),
            ExtendedKey::Public(k) => k.to_xpub(),
            _ => {
                return Err(Failure::mismatch(
                    "key kind",
                    "an xprv or an xpub",
                    "a kind this runner does not know",
                ));
            }
        };
        return expect_eq("re-encoding", s, again.as_str());
    }
    let seed = f.hex("seed")?;
    let path: DerivationPath = f.str("path")?.parse().map_err(hd_op)?;
    let key = ExtendedPrivateKey::derive_from_seed(&seed, &path).map_err(hd_op)?;
    let want_xprv = f.str("xprv")?;
    let want_xpub = f.str("xpub")?;
    expect_eq("xprv", want_xprv, key.to_xprv().as_str())?;
    expect_eq(
        "xpub",
        want_xpub,
        key.to_extended_public_key().to_xpub().as_str(),
    )?;

    // CKDpub: from the deepest hardened ancestor (or the master), derive the rest publicly.
    let children = path.children();
    let split = children
        .iter()
        .rposition(|c| c.is_hardened())
        .map_or(0, |i| i + 1);
    if split < children.len() {
        let (head, tail) = children.split_at(split);
        let head = DerivationPath::new(head.to_vec()).map_err(hd_op)?;
        let tail = DerivationPath::new(tail.to_vec()).map_err(hd_op)?;
        let ancestor = ExtendedPrivateKey::derive_from_seed(&seed, &head).map_err(hd_op)?;
        let public = ancestor
            .to_extended_public_key()
            .derive_path(&tail)
            .map_err(hd_op)?;
        expect_eq(
            "xpub by public derivation",
            want_xpub,
            public.to_xpub().as_str(),
        )?;
    }

    // Decoding the expected strings gives keys that re-encode identically.
    let parsed = ExtendedPrivateKey::from_xprv(want_xprv).map_err(hd_op)?;
    expect_eq("xprv re-encoding", want_xprv, parsed.to_xprv().as_str())?;
    expect_eq(
        "xpub of decoded xprv",
        want_xpub,
        parsed.to_extended_public_key().to_xpub().as_str(),
    )?;
    let parsed_pub = dexlink::hd::ExtendedPublicKey::from_xpub(want_xpub).map_err(hd_op)?;
    expect_eq("xpub re-encoding", want_xpub, parsed_pub.to_xpub().as_str())
}

/// `key-derivation`: mnemonic + passphrase + path → private key, public key and address. Paths of
/// the Binance layout (`m/44'/714'/a'/0/i`) are also derived through [`AccountKey`].
pub(super) fn check_key_derivation(f: &Fields<'_>) -> Result<(), Failure> {
    let m = mnemonic(f)?;
    let path: DerivationPath = f.str("path")?.parse().map_err(hd_op)?;
    let seed = m.to_seed(&passphrase(f)?);
    let master = ExtendedPrivateKey::from_bip39_seed(&seed);
    let key = master.derive_path(&path).map_err(hd_op)?;
    let sk = key.private_key();
    if let Some(want) = f.opt_str("private_key")? {
        expect_eq(
            "private_key",
            want.to_ascii_lowercase(),
            sk.to_hex().to_string(),
        )?;
    }
    let pk = key.public_key();
    expect_eq("public key of the private key", pk, sk.public_key())?;
    if let Some(want) = f.opt_str("public_key")? {
        expect_eq("public_key", want.to_ascii_lowercase(), pk.to_string())?;
    }
    if let Some(want) = f.opt_str("address")? {
        let hrp = match f.opt_str("hrp")? {
            Some(h) => Hrp::new(h),
            None => Hrp::new(want.split('1').next().unwrap_or_default()),
        }
        .map_err(|e| Failure::op(ErrorKind::InvalidAddress, e))?;
        expect_eq("address", want.to_string(), pk.address(&hrp).to_string())?;
    }
    let c = path.children();
    let binance_layout = c.len() == 5
        && c[0].raw() == (44 | dexlink::hd::HARDENED)
        && c[1].raw() == (BINANCE_COIN_TYPE | dexlink::hd::HARDENED)
        && c[2].is_hardened()
        && c[3].raw() == 0
        && !c[4].is_hardened();
    if binance_layout {
        let acct = AccountKey::from_master(&master, c[2].index()).map_err(hd_op)?;
        let via_account = acct.private_key(c[4].index()).map_err(hd_op)?;
        expect_eq(
            "private key via the account-level key",
            sk.to_hex().to_string(),
            via_account.to_hex().to_string(),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::{Outcome, run_file};
    use std::path::Path;

    fn vectors_dir() -> &'static Path {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../test-vectors"))
    }

    /// Every vector of the HD files passes through the runner.
    #[test]
    fn hd_vector_files_pass() {
        for name in [
            "bip39-trezor.json",
            "bip39-invalid.json",
            "bip32.json",
            "binance-key-derivation.json",
            "hd-invalid-paths.json",
        ] {
            let report = run_file(&vectors_dir().join(name)).unwrap();
            for r in &report.results {
                assert_eq!(r.outcome, Outcome::Pass, "{name}:{}", r.id);
            }
            assert!(!report.results.is_empty(), "{name}");
        }
    }
}
