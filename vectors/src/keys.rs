//! Checks for the `address`, `signature`, `ecdsa-verify` and `bech32` vector types.

use super::{ErrorKind, Failure, Fields, expect_eq};
use dexlink::address::{Address, Hrp};
use dexlink::bech32;
use dexlink::keys::{PrivateKey, PublicKey};
use dexlink::signature::Signature;

pub(super) fn private_key(f: &Fields<'_>) -> Result<PrivateKey, Failure> {
    let text = f.str("private_key")?;
    PrivateKey::from_hex(text).map_err(|e| Failure::op(ErrorKind::InvalidPrivateKey, e))
}

fn public_key(f: &Fields<'_>) -> Result<PublicKey, Failure> {
    let text = f.str("public_key")?;
    PublicKey::from_hex(text).map_err(|e| Failure::op(ErrorKind::InvalidPublicKey, e))
}

fn hrp(f: &Fields<'_>) -> Result<Hrp, Failure> {
    Hrp::new(f.str("hrp")?).map_err(|e| Failure::op(ErrorKind::InvalidAddress, e))
}

/// `address`: a private or public key, an HRP, and the address. With only `address` and
/// `expect_error`, checks that parsing rejects it.
///
/// BIP-173 lets a whole address be uppercase (QR codes); such an address must decode, and the
/// values compared with ours are its lowercase canonical form.
pub(super) fn check_address(f: &Fields<'_>) -> Result<(), Failure> {
    let given = f.str("address")?;
    // Mixed case never gets this far: parsing below rejects it.
    let canonical = given.to_ascii_lowercase();
    let want = canonical.as_str();
    // A vector may give an address to parse against an expected HRP (decode checks).
    let parsed = if f.has("hrp") {
        Address::parse_for(given, &hrp(f)?)
    } else {
        Address::parse(given)
    }
    .map_err(|e| Failure::op(ErrorKind::InvalidAddress, e))?;
    if let Some(bytes) = f.opt_hex("address_hex")? {
        expect_eq(
            "address bytes",
            hex::encode(bytes),
            hex::encode(parsed.as_bytes()),
        )?;
    }
    let pk = if f.has("private_key") {
        let sk = private_key(f)?;
        let pk = sk.public_key();
        if f.has("public_key") {
            let given = public_key(f)?;
            expect_eq("public_key", given.to_string(), pk.to_string())?;
        }
        Some(pk)
    } else if f.has("public_key") {
        Some(public_key(f)?)
    } else {
        None
    };
    if let Some(pk) = pk {
        expect_eq(
            "address",
            want.to_string(),
            pk.address(parsed.hrp()).to_string(),
        )?;
    }
    expect_eq("canonical form", want.to_string(), parsed.to_string())
}

/// `signature`: deterministic RFC 6979 low-S signing of SHA-256(message), and verification.
pub(super) fn check_signature(f: &Fields<'_>) -> Result<(), Failure> {
    let sk = private_key(f)?;
    let msg = f.hex("message_hex")?;
    let want = Signature::from_hex(f.str("signature")?)
        .map_err(|e| Failure::op(ErrorKind::InvalidSignature, e))?;
    let got = sk.sign(&msg);
    expect_eq("signature", want.to_string(), got.to_string())?;
    if !sk.public_key().verify(&msg, &got) {
        return Err(Failure::mismatch("verification", "valid", "invalid"));
    }
    Ok(())
}

/// `ecdsa-verify`: verification of SHA-256(message) under a SEC1 key gives exactly `valid`.
/// Malformed signatures (bad DER, wrong length) count as invalid, as a verifier must treat them.
pub(super) fn check_ecdsa_verify(f: &Fields<'_>) -> Result<(), Failure> {
    let pk = public_key(f)?;
    let msg = f.hex("message_hex")?;
    let want = f.bool("valid")?;
    let sig = if f.has("signature_der") {
        Signature::from_der(&f.hex("signature_der")?)
    } else {
        Signature::from_bytes(&f.hex("signature")?)
    };
    let got = match sig {
        Ok(sig) => pk.verify(&msg, &sig),
        Err(_) => false,
    };
    expect_eq("validity", want, got)
}

/// `bech32`: a valid string decodes to `hrp` + `data_hex` (and re-encodes to the lowercase
/// string); an invalid one fails to decode.
pub(super) fn check_bech32(f: &Fields<'_>) -> Result<(), Failure> {
    let s = f.str("string")?;
    let decoded = bech32::decode(s).map_err(|e| Failure::op(ErrorKind::InvalidAddress, e))?;
    expect_eq("hrp", f.str("hrp")?, decoded.hrp.as_str())?;
    if f.has("data_hex") {
        let want = f.hex("data_hex")?;
        let got = decoded
            .bytes()
            .map_err(|e| Failure::op(ErrorKind::InvalidAddress, e))?;
        expect_eq("data", hex::encode(want), hex::encode(got))?;
    }
    if f.has("data_u5_hex") {
        expect_eq(
            "data",
            hex::encode(f.hex("data_u5_hex")?),
            hex::encode(&decoded.data),
        )?;
    }
    let re = bech32::encode_u5(&decoded.hrp, &decoded.data);
    expect_eq("re-encoding", s.to_ascii_lowercase(), re)
}
