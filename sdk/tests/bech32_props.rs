//! The bech32 module and address parsing against BIP-173 strings, and property tests that
//! cross-check our encoder/decoder with the independent `bech32` crate.

use dexlink::address::AddressError;
use dexlink::bech32::{self, Bech32Error};
use dexlink::{Address, Hrp};
use proptest::prelude::*;

// --- BIP-173 "Test vectors" (bitcoin/bips bip-0173.mediawiki) -------------------------------

#[test]
fn bip173_valid_strings_decode_and_reencode() {
    for s in [
        "A12UEL5L",
        "a12uel5l",
        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
        "?1ezyfcl",
    ] {
        let d = bech32::decode(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(bech32::encode_u5(&d.hrp, &d.data), s.to_ascii_lowercase());
    }
}

#[test]
fn bip173_abcdef_data_is_the_alphabet_in_order() {
    // "qpzry9x8gf2tvdw0s3jn54khce6mua7l" is the charset, so the data words are 0..32.
    let d = bech32::decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw").unwrap();
    assert_eq!(d.hrp, "abcdef");
    assert_eq!(d.data, (0u8..32).collect::<Vec<_>>());
}

/// Whether an error is the one a BIP names for a string.
type IsExpected = fn(&Bech32Error) -> bool;

#[test]
fn bip173_invalid_strings_are_refused_for_their_reason() {
    use Bech32Error::*;
    let cases: &[(&str, IsExpected)] = &[
        ("\u{20}1nwldj5", |e| matches!(e, InvalidHrpChar(0))),
        ("\u{7f}1axkwrx", |e| matches!(e, InvalidHrpChar(0))),
        (
            "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
            |e| matches!(e, TooLong(91)),
        ),
        ("pzry9x0s0muk", |e| matches!(e, MissingSeparator)),
        ("1pzry9x0s0muk", |e| matches!(e, InvalidHrpLength(0))),
        ("x1b4n0q5v", |e| matches!(e, InvalidDataChar('b', _))),
        ("li1dgmt3", |e| matches!(e, TooShort)),
        ("A1G7SGD8", |e| matches!(e, Checksum)),
        ("10a06t8", |e| matches!(e, InvalidHrpLength(0))),
        ("1qzzfhee", |e| matches!(e, InvalidHrpLength(0))),
        (
            "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7",
            |e| matches!(e, MixedCase),
        ),
        ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", |e| {
            matches!(e, Checksum)
        }),
        // BIP-350 valid bech32m: named as such, not a plain checksum failure.
        ("a1lqfn3a", |e| matches!(e, Bech32m)),
        (
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
            |e| matches!(e, Bech32m),
        ),
    ];
    for (s, is_expected) in cases {
        match bech32::decode(s) {
            Ok(d) => panic!("{s:?} decoded to {d:?}"),
            Err(e) => assert!(is_expected(&e), "{s:?}: unexpected error {e:?}"),
        }
    }
}

#[test]
fn bip173_padding_rules_apply_to_bytes() {
    // BIP-173 invalid segwit addresses whose only fault is the 5-to-8 regrouping (after the
    // witness version is dropped): more than 4 padding bits, and non-zero padding.
    for s in [
        "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",
        "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv",
    ] {
        let d = bech32::decode(s).unwrap();
        assert_eq!(
            bech32::from_u5(&d.data[1..]),
            Err(Bech32Error::InvalidPadding),
            "{s}"
        );
    }
}

#[test]
fn segwit_example_program_matches_bip173() {
    // BIP-173: BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4 -> 0014751e76e8199196d454941c45d1b3a323f1433bd6
    let d = bech32::decode("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4").unwrap();
    assert_eq!(d.hrp, "bc");
    assert_eq!(d.data[0], 0);
    assert_eq!(
        hex::encode(bech32::from_u5(&d.data[1..]).unwrap()),
        "751e76e8199196d454941c45d1b3a323f1433bd6"
    );
}

// --- properties -------------------------------------------------------------------------

fn hrp_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("bnb".to_string()),
        Just("tbnb".to_string()),
        Just("bnc".to_string()),
        "[a-z0-9]{1,10}",
    ]
}

proptest! {
    /// Our encoder agrees with the `bech32` crate, and our decoder reads its output back.
    #[test]
    fn encode_matches_the_bech32_crate(hrp in hrp_strategy(), data in proptest::collection::vec(any::<u8>(), 0..40)) {
        let ours = bech32::encode(&hrp, &data);
        let theirs = ::bech32::encode::<::bech32::Bech32>(::bech32::Hrp::parse(&hrp).unwrap(), &data).unwrap();
        prop_assert_eq!(&ours, &theirs);
        let d = bech32::decode(&theirs).unwrap();
        prop_assert_eq!(&d.hrp, &hrp);
        prop_assert_eq!(d.bytes().unwrap(), data);
    }

    /// A bech32m string (as the `bech32` crate writes it) is refused as bech32m.
    #[test]
    fn bech32m_is_refused(hrp in hrp_strategy(), data in proptest::collection::vec(any::<u8>(), 0..40)) {
        let m = ::bech32::encode::<::bech32::Bech32m>(::bech32::Hrp::parse(&hrp).unwrap(), &data).unwrap();
        prop_assert_eq!(bech32::decode(&m), Err(Bech32Error::Bech32m));
    }

    /// Any single-character substitution in the data part is detected (BIP-173 guarantees
    /// detection of up to 4 errors).
    #[test]
    fn single_substitution_is_detected(bytes in any::<[u8; 20]>(), pos in 0usize..38, delta in 1u8..32) {
        let s = bech32::encode("bnb", &bytes);
        let charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
        let i = 4 + pos; // after "bnb1"
        let old = charset.find(s.as_bytes()[i] as char).unwrap() as u8;
        let new = charset.as_bytes()[usize::from((old + delta) % 32)] as char;
        let mutated = format!("{}{}{}", &s[..i], new, &s[i + 1..]);
        prop_assert!(bech32::decode(&mutated).is_err());
    }

    /// Address → string → address round-trips, also through the all-uppercase form.
    #[test]
    fn address_roundtrip(hrp in hrp_strategy(), bytes in any::<[u8; 20]>()) {
        let hrp = Hrp::new(&hrp).unwrap();
        let a = Address::new(hrp.clone(), bytes);
        let s = a.to_string();
        prop_assert_eq!(Address::parse(&s).unwrap(), a.clone());
        prop_assert_eq!(Address::parse_for(&s, &hrp).unwrap(), a.clone());
        prop_assert_eq!(Address::parse(&s.to_ascii_uppercase()).unwrap(), a);
    }

    /// A payload of any length but 20 is not an address.
    #[test]
    fn wrong_payload_length_is_refused(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
        prop_assume!(bytes.len() != 20);
        let s = bech32::encode("bnb", &bytes);
        prop_assert_eq!(Address::parse(&s), Err(AddressError::Length(bytes.len())));
    }
}
