//! The SDK's reasons for refusing the invalid BIP-32 and BIP-39 vectors: each key or phrase is
//! refused with the variant its note names (the runner only checks the error kind).

use std::path::Path;

use dexlink::hd::{ExtendedKey, HdError};
use dexlink::mnemonic::{Mnemonic, MnemonicError};
use serde_json::Value;

fn load(name: &str) -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors");
    let text = std::fs::read_to_string(dir.join(name)).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["vectors"].as_array().unwrap().clone()
}

/// Each BIP-32 vector-5 key is refused for the reason the BIP gives, with its own variant.
#[test]
fn bip32_vector5_reasons() {
    let mut seen = 0;
    for v in load("bip32.json") {
        let Some(key) = v["ext_key"].as_str() else {
            continue;
        };
        let note = v["note"].as_str().unwrap();
        let err = ExtendedKey::parse(key).unwrap_err();
        let ok = match note {
            "pubkey version / prvkey mismatch" => err == HdError::PublicVersionPrivateKey,
            "prvkey version / pubkey mismatch" => err == HdError::PrivateVersionPublicKey,
            "invalid pubkey prefix 04" => {
                err == HdError::KeyPrefix {
                    prefix: 4,
                    expected: "public",
                }
            }
            "invalid prvkey prefix 04" => {
                err == HdError::KeyPrefix {
                    prefix: 4,
                    expected: "private",
                }
            }
            "invalid pubkey prefix 01" => {
                err == HdError::KeyPrefix {
                    prefix: 1,
                    expected: "public",
                }
            }
            "invalid prvkey prefix 01" => {
                err == HdError::KeyPrefix {
                    prefix: 1,
                    expected: "private",
                }
            }
            "zero depth with non-zero parent fingerprint" => {
                err == HdError::ZeroDepthParentFingerprint
            }
            "zero depth with non-zero index" => err == HdError::ZeroDepthChildNumber,
            "unknown extended key version" => err == HdError::UnknownVersion([1, 1, 1, 1]),
            "private key 0 not in 1..n-1" | "private key n not in 1..n-1" => {
                err == HdError::PrivateKeyRange
            }
            "invalid checksum" => err == HdError::Checksum,
            n if n.starts_with("invalid pubkey 02") => err == HdError::PublicKeyInvalid,
            other => panic!("unexpected note {other}"),
        };
        assert!(ok, "{note}: got {err:?}");
        seen += 1;
    }
    assert_eq!(seen, 16);
}

/// Each invalid mnemonic fails for the reason its note gives.
#[test]
fn bip39_invalid_reasons() {
    for v in load("bip39-invalid.json") {
        let Some(phrase) = v["mnemonic"].as_str() else {
            let n = v["entropy"].as_str().unwrap().len() / 2;
            assert_eq!(
                Mnemonic::from_entropy(&vec![0; n]).unwrap_err(),
                MnemonicError::InvalidEntropyLength(n)
            );
            continue;
        };
        let err = Mnemonic::parse(phrase).unwrap_err();
        let ok = match v["note"].as_str().unwrap() {
            "bad checksum" => err == MnemonicError::InvalidChecksum,
            // An upper-case word is unknown too; the error then says words are lower case.
            "unknown word" if v["id"] == "unknown-word-uppercase" => {
                err == MnemonicError::CapitalisedWord { position: 1 }
            }
            "unknown word" => matches!(err, MnemonicError::UnknownWord { .. }),
            "bad word count" => matches!(err, MnemonicError::BadWordCount(_)),
            other => panic!("unexpected note {other}"),
        };
        assert!(ok, "{}: got {err:?}", v["id"]);
    }
}
