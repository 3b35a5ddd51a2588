//! The ECDSA engine behind [`PrivateKey::sign_digest`](crate::PrivateKey::sign_digest) and
//! [`PublicKey::verify_digest`](crate::PublicKey::verify_digest), chosen at build time:
//!
//! - with the `libsecp256k1` feature (default): libsecp256k1 through the `secp256k1` crate, a C
//!   build, which signs and verifies about twice as fast as k256 (`benches/ecdsa.rs`);
//! - without it: k256's own ECDSA, pure Rust, so that an embedder who wants no C compiler in the
//!   build gets one.
//!
//! Keys stay k256 types everywhere else (parsing, derivation, zeroizing storage); only these
//! operations go through the engine. The bytes are the same under both: both sign with RFC 6979
//! (HMAC-SHA256, the digest reduced mod n, no extra data) and normalise s to the low half;
//! both verify with the same accept/reject set — r and s must be in 1..n and s in the low half
//! (the high-S twin of a valid signature is rejected, as the chain does), and the digest is
//! reduced mod n. The vector suites (RFC 6979, Wycheproof, JS SDK) run under each engine, and a
//! differential test below compares the two on random keys, digests and signatures.
//!
//! Each function that touches a secret is `#[inline(never)]`: its frame (and the engine's below
//! it) is dead stack when it returns, which the caller scrubs
//! ([`scrub_stack`](crate::secmem::scrub_stack)). Inside, the secret is held once more, in the
//! engine's own key type (`SecretKey`, `NonZeroScalar`), which is wiped before returning; the
//! engine's by-value temporaries stay in those dead frames until the scrub.

use k256::ecdsa::VerifyingKey;

#[cfg(feature = "libsecp256k1")]
pub(crate) use libsecp::{is_valid_secret, public_key, sign, verify};
#[cfg(not(feature = "libsecp256k1"))]
pub(crate) use pure_rust::{is_valid_secret, public_key, sign, verify};

/// libsecp256k1 (the `secp256k1` crate).
#[cfg(feature = "libsecp256k1")]
mod libsecp {
    use std::sync::LazyLock;

    use secp256k1::{Message, Secp256k1, SecretKey, SignOnly, VerifyOnly, ecdsa};
    use zeroize::Zeroizing;

    use super::VerifyingKey;

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
    /// Not inlined, so that its frame (and libsecp256k1's below it) is dead stack the caller
    /// can scrub.
    #[inline(never)]
    pub(crate) fn sign(key: &[u8; 32], digest: &[u8; 32]) -> [u8; 64] {
        // secp256k1::SecretKey is Copy and never wiped by itself: keep one, erase it by hand.
        let mut sk = SecretKey::from_byte_array(*key).expect("a PrivateKey is always in range");
        // No extra data: plain RFC 6979, as k256 signs.
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

    /// Whether `sig` (r‖s) is a valid low-S signature of `digest` by `key`. r or s of zero or
    /// not below n, and high-S, are invalid.
    pub(crate) fn verify(key: &VerifyingKey, digest: &[u8; 32], sig: &[u8; 64]) -> bool {
        let sec1: [u8; 65] = key
            .to_sec1_point(false)
            .as_bytes()
            .try_into()
            .expect("an uncompressed SEC1 point is 65 bytes");
        let Ok(pk) = secp256k1::PublicKey::from_byte_array_uncompressed(sec1) else {
            return false;
        };
        // Refuses r or s not below n; r or s of zero parse but never verify.
        let Ok(sig) = ecdsa::Signature::from_compact(sig) else {
            return false;
        };
        // Not normalised first: libsecp256k1's verification refuses high-S by itself.
        VERIFIER
            .verify_ecdsa(Message::from_digest(*digest), &sig, &pk)
            .is_ok()
    }
}

/// k256's ECDSA (pure Rust). Compiled alone without the `libsecp256k1` feature, and next to it
/// in this crate's tests, which compare the two.
#[cfg(any(not(feature = "libsecp256k1"), test))]
mod pure_rust {
    use ecdsa_core::hazmat::sign_prehashed_rfc6979;
    use k256::ecdsa::Signature;
    use k256::ecdsa::signature::hazmat::PrehashVerifier;
    use k256::elliptic_curve::sec1::ToSec1Point;
    use k256::{NonZeroScalar, Secp256k1};
    use sha2::Sha256;
    use zeroize::Zeroizing;

    use super::VerifyingKey;

    /// The secret scalar of `key`, wiped when dropped; `None` when `key` is 0 or not below n.
    /// Called only from the non-inlined functions below: its temporaries are in their frames.
    fn secret_scalar(key: &[u8; 32]) -> Option<Zeroizing<NonZeroScalar>> {
        let mut repr = Zeroizing::new(k256::FieldBytes::default());
        repr.copy_from_slice(key);
        let scalar: Option<NonZeroScalar> = NonZeroScalar::from_repr(*repr).into();
        scalar.map(Zeroizing::new)
    }

    /// RFC 6979 low-S signature of `digest` with the 32-byte secret `key` (0 < k < n), as r‖s.
    /// Not inlined, so that its frame (and k256's below it) is dead stack the caller can scrub.
    #[inline(never)]
    pub(crate) fn sign(key: &[u8; 32], digest: &[u8; 32]) -> [u8; 64] {
        let d = secret_scalar(key).expect("a PrivateKey is always in range");
        // What k256's SigningKey::sign_prehash calls (SHA-256 DRBG, no extra data, low-S since
        // secp256k1's NORMALIZE_S is set), without the SigningKey, whose construction would
        // also compute the public key: a second scalar multiplication per signature.
        let (sig, _) = sign_prehashed_rfc6979::<Secp256k1, Sha256>(&d, digest, &[]);
        let mut out = [0u8; 64];
        out.copy_from_slice(&sig.to_bytes());
        out
    }

    /// The uncompressed SEC1 public key of the secret `key`, or `None` when `key` is 0 or not
    /// below the curve order. Not inlined, for the same reason as [`sign`].
    #[inline(never)]
    pub(crate) fn public_key(key: &[u8; 32]) -> Option<[u8; 65]> {
        let d = secret_scalar(key)?;
        let point = k256::PublicKey::from_secret_scalar(&d).to_sec1_point(false);
        let mut out = [0u8; 65];
        out.copy_from_slice(point.as_bytes());
        Some(out)
    }

    /// Whether `key` is a valid secret (0 < k < n). Not inlined, for the same reason as [`sign`].
    #[inline(never)]
    pub(crate) fn is_valid_secret(key: &[u8; 32]) -> bool {
        secret_scalar(key).is_some()
    }

    /// Whether `sig` (r‖s) is a valid low-S signature of `digest` by `key`. r or s of zero or
    /// not below n, and high-S, are invalid.
    pub(crate) fn verify(key: &VerifyingKey, digest: &[u8; 32], sig: &[u8; 64]) -> bool {
        // Refuses r or s of zero or not below n.
        let Ok(sig) = Signature::from_slice(sig) else {
            return false;
        };
        // Not normalised first: k256's verification refuses high-S by itself (NORMALIZE_S).
        key.verify_prehash(digest, &sig).is_ok()
    }
}

/// The two engines against each other: same signatures, same public keys, same secrets
/// accepted, same verdicts.
#[cfg(all(test, feature = "libsecp256k1"))]
mod differential {
    use k256::ecdsa::VerifyingKey;
    use proptest::prelude::*;

    use super::{libsecp, pure_rust};

    /// The secp256k1 group order n, big-endian (SEC 2, §2.4.1).
    const N: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36,
        0x41, 0x41,
    ];

    /// a − b of big-endian 256-bit numbers, modulo 2^256.
    fn sub(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
        let mut out = [0u8; 32];
        let mut borrow = 0i16;
        for i in (0..32).rev() {
            let mut d = i16::from(a[i]) - i16::from(b[i]) - borrow;
            borrow = i16::from(d < 0);
            if d < 0 {
                d += 256;
            }
            out[i] = d as u8;
        }
        out
    }

    /// a + b of big-endian 256-bit numbers, modulo 2^256.
    fn add(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
        let mut out = [0u8; 32];
        let mut carry = 0u16;
        for i in (0..32).rev() {
            let s = u16::from(a[i]) + u16::from(b[i]) + carry;
            out[i] = s as u8;
            carry = s >> 8;
        }
        out
    }

    fn small(v: u8) -> [u8; 32] {
        let mut out = [0u8; 32];
        out[31] = v;
        out
    }

    /// 256-bit values at the edges of the scalar range: 0, 1, n − 1, n, n + 1, 2^256 − 1.
    fn edges() -> Vec<[u8; 32]> {
        vec![
            small(0),
            small(1),
            sub(&N, &small(1)),
            N,
            add(&N, &small(1)),
            [0xff; 32],
        ]
    }

    /// Any 32 bytes, with the edges of the scalar range often.
    fn word() -> impl Strategy<Value = [u8; 32]> {
        prop_oneof![
            3 => any::<[u8; 32]>(),
            1 => proptest::sample::select(edges()),
        ]
    }

    /// A valid secret key (0 < k < n).
    fn secret() -> impl Strategy<Value = [u8; 32]> {
        word().prop_filter("0 < k < n", |k| *k != small(0) && k < &N)
    }

    fn verifying_key(secret: &[u8; 32]) -> VerifyingKey {
        let sec1 = libsecp::public_key(secret).expect("a valid secret");
        VerifyingKey::from_sec1_bytes(&sec1).expect("a point on the curve")
    }

    /// Both verdicts, which must agree.
    fn verdict(key: &VerifyingKey, digest: &[u8; 32], sig: &[u8; 64]) -> bool {
        let c = libsecp::verify(key, digest, sig);
        let rust = pure_rust::verify(key, digest, sig);
        assert_eq!(c, rust, "the engines disagree on {}", hex::encode(sig));
        c
    }

    fn with_s(sig: &[u8; 64], s: &[u8; 32]) -> [u8; 64] {
        let mut out = *sig;
        out[32..].copy_from_slice(s);
        out
    }

    fn with_r(sig: &[u8; 64], r: &[u8; 32]) -> [u8; 64] {
        let mut out = *sig;
        out[..32].copy_from_slice(r);
        out
    }

    #[test]
    fn engines_accept_the_same_secrets_at_the_range_edges() {
        for k in edges() {
            let valid = k != small(0) && k < N;
            assert_eq!(libsecp::is_valid_secret(&k), valid, "{}", hex::encode(k));
            assert_eq!(pure_rust::is_valid_secret(&k), valid, "{}", hex::encode(k));
            assert_eq!(libsecp::public_key(&k).is_some(), valid);
            assert_eq!(pure_rust::public_key(&k).is_some(), valid);
        }
    }

    /// Regression (CI, 2026-11-29): with a digest ≡ 0 (mod n) a signature by k also verifies
    /// under −k, in both engines; the property test once asserted that no other key verifies.
    #[test]
    fn a_digest_of_zero_mod_n_verifies_under_the_negated_key_in_both_engines() {
        for digest in [small(0), N] {
            let key = small(1);
            let sig = libsecp::sign(&key, &digest);
            assert_eq!(sig, pure_rust::sign(&key, &digest));
            assert!(verdict(&verifying_key(&sub(&N, &key)), &digest, &sig));
            assert!(!verdict(&verifying_key(&small(2)), &digest, &sig));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn engines_agree_on_secrets(key in word()) {
            let valid = key != small(0) && key < N;
            prop_assert_eq!(libsecp::is_valid_secret(&key), valid);
            prop_assert_eq!(pure_rust::is_valid_secret(&key), valid);
            prop_assert_eq!(libsecp::public_key(&key), pure_rust::public_key(&key));
        }

        #[test]
        fn engines_sign_the_same_bytes_and_agree_on_verdicts(
            key in secret(),
            other in secret(),
            digest in word(),
            other_digest in word(),
            flip in 0usize..512,
        ) {
            let sig = libsecp::sign(&key, &digest);
            prop_assert_eq!(sig, pure_rust::sign(&key, &digest));
            let s: [u8; 32] = sig[32..].try_into().unwrap();
            prop_assert!(s <= sub(&N, &s), "s must be in the low half");

            let pk = verifying_key(&key);
            prop_assert!(verdict(&pk, &digest, &sig));

            // The high-S twin (r, n − s) is a valid ECDSA signature that both refuse.
            prop_assert!(!verdict(&pk, &digest, &with_s(&sig, &sub(&N, &s))));

            // One bit of r or s flipped.
            let mut tampered = sig;
            tampered[flip / 8] ^= 1 << (flip % 8);
            prop_assert!(!verdict(&pk, &digest, &tampered));

            // Another key, another digest (unless it is the same one mod n). A digest ≡ 0 (mod
            // n) makes the signature valid for the negated key too (u1 = 0, so the check is
            // x(±(r/s)·Q) = r): a fact of ECDSA, not of either engine.
            let digest_zero = digest == small(0) || digest == N;
            if other != key && !(digest_zero && other == sub(&N, &key)) {
                prop_assert!(!verdict(&verifying_key(&other), &digest, &sig));
            }
            let same_mod_n = other_digest == digest
                || (other_digest >= N && sub(&other_digest, &N) == digest)
                || (digest >= N && sub(&digest, &N) == other_digest);
            prop_assert_eq!(verdict(&pk, &other_digest, &sig), same_mod_n);

            // r or s out of range: zero or n (n ≡ 0, but neither engine reduces r or s).
            let zero = small(0);
            prop_assert!(!verdict(&pk, &digest, &with_r(&sig, &zero)));
            prop_assert!(!verdict(&pk, &digest, &with_s(&sig, &zero)));
            prop_assert!(!verdict(&pk, &digest, &with_r(&sig, &N)));
            prop_assert!(!verdict(&pk, &digest, &with_s(&sig, &N)));
        }

        #[test]
        fn engines_agree_on_arbitrary_signatures(
            key in secret(),
            digest in word(),
            r in word(),
            s in word(),
        ) {
            let mut sig = [0u8; 64];
            sig[..32].copy_from_slice(&r);
            sig[32..].copy_from_slice(&s);
            verdict(&verifying_key(&key), &digest, &sig);
        }
    }
}
