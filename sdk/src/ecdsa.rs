//! The ECDSA engine behind [`PrivateKey::sign_digest`](crate::PrivateKey::sign_digest) and
//! [`PublicKey::verify_digest`](crate::PublicKey::verify_digest): libsecp256k1 (the `secp256k1`
//! crate), which signs ~1.5× and verifies ~2× faster than k256 on this hardware.
//!
//! Keys stay k256 types everywhere else (parsing, derivation, zeroizing storage); only the two
//! hot operations cross over. Both engines implement RFC 6979 with HMAC-SHA256 and no extra
//! data, and both emit and require low-S, so the bytes are the same (the RFC 6979, Wycheproof and
//! JS-SDK vectors pin this).

use std::sync::LazyLock;

use secp256k1::{Message, Secp256k1, SecretKey, SignOnly, VerifyOnly, ecdsa};
use zeroize::Zeroizing;

static SIGNER: LazyLock<Secp256k1<SignOnly>> = LazyLock::new(|| {
    let mut ctx = Secp256k1::signing_only();
    // Blinds the signing context against side channels; a failed RNG only loses the blinding.
    let mut seed = Zeroizing::new([0u8; 32]);
    if getrandom::fill(&mut seed[..]).is_ok() {
        ctx.seeded_randomize(&seed);
    }
    ctx
});

static VERIFIER: LazyLock<Secp256k1<VerifyOnly>> = LazyLock::new(Secp256k1::verification_only);

/// RFC 6979 low-S signature of `digest` with the 32-byte secret `key` (0 < k < n), as r‖s.
/// Not inlined, so that its frame (and libsecp256k1's below it) is dead stack the caller can
/// scrub.
#[inline(never)]
pub(crate) fn sign(key: &[u8; 32], digest: &[u8; 32]) -> [u8; 64] {
    // secp256k1::SecretKey is Copy and never wiped by itself: keep one, erase it by hand.
    let mut sk = SecretKey::from_byte_array(*key).expect("a PrivateKey is always in range");
    let sig = SIGNER.sign_ecdsa(Message::from_digest(*digest), &sk);
    sk.non_secure_erase();
    sig.serialize_compact()
}

/// The uncompressed SEC1 public key of the secret `key`, or `None` when `key` is 0 or not
/// below the curve order. Not inlined, for the same reason as [`sign`].
#[inline(never)]
pub(crate) fn public_key(key: &[u8; 32]) -> Option<[u8; 65]> {
    let mut sk = SecretKey::from_byte_array(*key).ok()?;
    let pk = secp256k1::PublicKey::from_secret_key(&SIGNER, &sk);
    sk.non_secure_erase();
    Some(pk.serialize_uncompressed())
}

/// Whether `key` is a valid secret (0 < k < n). Not inlined, for the same reason as [`sign`].
#[inline(never)]
pub(crate) fn is_valid_secret(key: &[u8; 32]) -> bool {
    match SecretKey::from_byte_array(*key) {
        Ok(mut sk) => {
            sk.non_secure_erase();
            true
        }
        Err(_) => false,
    }
}

/// Whether `sig` (r‖s) is a valid low-S signature of `digest` by the uncompressed SEC1 `key`.
/// r or s of zero or not below n, and high-S, are invalid.
pub(crate) fn verify(key: &[u8; 65], digest: &[u8; 32], sig: &[u8; 64]) -> bool {
    let Ok(pk) = secp256k1::PublicKey::from_byte_array_uncompressed(*key) else {
        return false;
    };
    let Ok(sig) = ecdsa::Signature::from_compact(sig) else {
        return false;
    };
    VERIFIER
        .verify_ecdsa(Message::from_digest(*digest), &sig, &pk)
        .is_ok()
}
