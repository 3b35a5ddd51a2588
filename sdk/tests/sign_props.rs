//! Property tests for signing and verification: determinism, low-S, rejection of the high-S
//! twin and of other messages, DER round trips.

use dexlink::{PrivateKey, Signature};
use proptest::prelude::*;

/// The secp256k1 group order, big-endian.
const N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
];

/// n − s for a big-endian 256-bit s < n.
fn order_minus(s: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(N[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[i] = d as u8;
    }
    out
}

fn key() -> impl Strategy<Value = PrivateKey> {
    any::<[u8; 32]>().prop_filter_map("not a valid scalar", |b| PrivateKey::from_bytes(&b).ok())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn sign_then_verify(sk in key(), msg in proptest::collection::vec(any::<u8>(), 0..200)) {
        let sig = sk.sign(&msg);
        prop_assert!(sig.is_low_s());
        prop_assert_eq!(sig, sk.sign(&msg), "RFC 6979 signing must be deterministic");
        let pk = sk.public_key();
        prop_assert!(pk.verify(&msg, &sig));

        let mut other = msg.clone();
        other.push(0);
        prop_assert!(!pk.verify(&other, &sig));

        // The high-S twin (r, n − s) is a valid ECDSA signature, but the chain rejects it.
        let bytes = sig.to_bytes();
        let mut twin = [0u8; 64];
        twin[..32].copy_from_slice(&bytes[..32]);
        twin[32..].copy_from_slice(&order_minus(&bytes[32..]));
        let twin = Signature::from_bytes(&twin).unwrap();
        prop_assert!(!twin.is_low_s());
        prop_assert!(!pk.verify(&msg, &twin));

        let der = sig.to_der().unwrap();
        prop_assert_eq!(Signature::from_der(&der).unwrap(), sig);
    }

    #[test]
    fn signature_does_not_verify_under_another_key(a in key(), b in key(), msg in proptest::collection::vec(any::<u8>(), 0..64)) {
        prop_assume!(a != b);
        prop_assert!(!b.public_key().verify(&msg, &a.sign(&msg)));
    }
}
