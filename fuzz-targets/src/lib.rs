//! The bodies of dexlink's fuzz targets: one plain function per parser that sees outside bytes.
//!
//! `fuzz/` (cargo-fuzz, nightly) calls them with libFuzzer's inputs; `tests/corpus.rs` (stable,
//! part of `cargo test --workspace`) replays every kept corpus entry through them. Each function
//! must not panic on any input; where a parser has an encoder, an accepted input must round-trip
//! (`encode(decode(b)) == b`, `decode(encode(x)) == x`), checked with `assert!` so a fuzzer
//! reports a broken round trip as a crash.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod devnet_http;
pub use devnet_http::devnet_http;

use dexlink::keystore::{KdfLimits, Password};
use dexlink::link::{Expectations, LinkMessage, LinkProof};
use dexlink::recover::{RecoverRequest, SignedRecoverRequest};
use dexlink::time::Timestamp;
use dexlink::tx::{SignedTx, parse_bnb_sign_request, parse_sign_doc};
use dexlink::{Address, ChainId, Fixed8, Hrp, Mnemonic, Network};

/// A fuzz target body: takes any bytes, must not panic.
pub type Body = fn(&[u8]);

/// Every target, by the name of its `fuzz/fuzz_targets/<name>.rs` and corpus directory.
pub const TARGETS: &[(&str, Body)] = &[
    ("tx_decode", tx_decode),
    ("sign_doc", sign_doc),
    ("keystore", keystore),
    ("link_message", link_message),
    ("link_proof", link_proof),
    ("recover_message", recover_message),
    ("address", address),
    ("mnemonic", mnemonic),
    ("fixed8", fixed8),
    ("vector_file", vector_file),
    ("bnb_sign_request", bnb_sign_request),
    ("devnet_http", devnet_http),
];

/// The largest input a body looks at: the CLI reads no input above 1 MiB except vector files,
/// and larger inputs only slow the fuzzer down.
const MAX_INPUT: usize = 1 << 20;

fn text(data: &[u8]) -> Option<&str> {
    if data.len() > MAX_INPUT {
        return None;
    }
    std::str::from_utf8(data).ok()
}

/// Amino broadcast bytes (and their hex form): a decoded transaction re-encodes to exactly the
/// input; its sign document and verification run without panicking.
pub fn tx_decode(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    for hrp in [Hrp::mainnet(), Hrp::testnet()] {
        if let Ok(tx) = SignedTx::decode(data, &hrp) {
            assert_eq!(tx.to_bytes(), data, "decode then encode changed the bytes");
            let again = SignedTx::decode(&tx.to_bytes(), &hrp).expect("re-decode");
            assert_eq!(again, tx);
            assert_eq!(SignedTx::from_hex(&tx.to_hex(), &hrp).as_ref(), Ok(&tx));
            let chain = ChainId::new("Binance-Chain-Tigris").expect("chain id");
            if let Ok(u) = tx.unsigned(&chain) {
                let _ = parse_sign_doc(&u.sign_json());
            }
            let _ = tx.verify(&chain);
        }
    }
    if let Some(t) = text(data) {
        let _ = SignedTx::from_hex(t, &Hrp::mainnet());
    }
}

/// A sign document (`bnb_sign` `params[0]`): an accepted document's canonical sign JSON parses
/// back to the same transaction and is a fixed point.
pub fn sign_doc(data: &[u8]) {
    let Some(t) = text(data) else { return };
    if let Ok(tx) = parse_sign_doc(t) {
        let json = tx.sign_json();
        let back = parse_sign_doc(&json).expect("our own sign JSON parses");
        assert_eq!(back, tx, "sign JSON does not round-trip");
        assert_eq!(back.sign_json(), json);
        assert_eq!(tx.sign_bytes(), json.as_bytes());
        let _ = tx.describe();
    }
}

/// A WalletConnect `bnb_sign` request (or its bare sign document): a bare document the request
/// parser accepts is what [`parse_sign_doc`] makes of it; an accepted request's transaction,
/// wrapped again in a request, parses back to itself.
pub fn bnb_sign_request(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let parsed = parse_bnb_sign_request(t);
    if let Ok(tx) = parse_sign_doc(t) {
        // A sign document has none of the request's keys, so it is taken as a bare document.
        assert_eq!(
            parsed.as_ref(),
            Ok(&tx),
            "a bare document parsed differently"
        );
    }
    if let Ok(tx) = parsed {
        let json = tx.sign_json();
        assert_eq!(parse_sign_doc(&json).as_ref(), Ok(&tx));
        let wrapped =
            format!(r#"{{"id":1,"jsonrpc":"2.0","method":"bnb_sign","params":[{json}]}}"#);
        assert_eq!(parse_bnb_sign_request(&wrapped), Ok(tx));
    }
}

/// Tiny KDF caps: the fuzzer explores the keystore parsers (both formats), never a real
/// key derivation.
const FUZZ_KDF: KdfLimits = KdfLimits {
    max_scrypt_memory: 1 << 20,
    max_scrypt_work: 1 << 10,
    max_scrypt_r: 8,
    max_scrypt_p: 1,
    max_pbkdf2_c: 1_000,
};

/// A keystore file (Binance Chain v1 or Web3 v3) decrypted with a fixed password under tiny
/// KDF caps: any outcome but a panic is fine.
pub fn keystore(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let pw = Password::from_str_copy("fuzz");
    let _ = dexlink::keystore::decrypt_with_limits(t, &pw, &FUZZ_KDF);
}

/// A link challenge (the message text): an accepted message is in canonical form.
pub fn link_message(data: &[u8]) {
    let Some(t) = text(data) else { return };
    if let Ok(m) = LinkMessage::parse(t) {
        assert_eq!(m.to_text(), t, "parse accepted a non-canonical message");
        assert_eq!(LinkMessage::parse(&m.to_text()), Ok(m));
    }
}

/// A link proof: `message \0 proof-json`, verified as a DEX does; the proof JSON alone
/// round-trips through [`LinkProof`].
pub fn link_proof(data: &[u8]) {
    let Some(t) = text(data) else { return };
    let (message, proof) = t.split_once('\0').unwrap_or(("", t));
    let Ok(v) = serde_json::from_str::<serde_json::Value>(proof) else {
        return;
    };
    if let Ok(p) = LinkProof::from_json(&v) {
        assert_eq!(LinkProof::from_json(&p.to_json()), Ok(p));
    }
    let expect = Expectations {
        domain: "dex.example".into(),
        uri: "https://dex.example".into(),
        network: Network::mainnet(),
    };
    let now = Timestamp::parse("2024-05-01T12:00:00Z").expect("timestamp");
    let _ = dexlink::link::verify(message, &v, &expect, now, |_, _| true);
}

/// A BEP-333 recovery message: accepted text is exactly what the request writes; with a key and
/// a signature (`message \n pubkey-hex \n signature-hex`) it verifies without panicking.
pub fn recover_message(data: &[u8]) {
    let Some(t) = text(data) else { return };
    if let Ok(r) = RecoverRequest::parse_message(t) {
        assert_eq!(r.message(), t, "parse accepted a non-canonical message");
        assert_eq!(RecoverRequest::parse_message(&r.message()), Ok(r));
    }
    let mut parts = t.splitn(3, '\n');
    if let (Some(m), Some(pk), Some(sig)) = (parts.next(), parts.next(), parts.next())
        && let Ok(s) = SignedRecoverRequest::verify(m, pk, sig)
    {
        let _ = s.contract_payload();
        let _ = s.address();
    }
}

/// A bech32 string and an address: an accepted address prints as its lower-case input; decoded
/// bech32 re-encodes to the lower-case input.
pub fn address(data: &[u8]) {
    let Some(t) = text(data) else { return };
    if let Ok(a) = Address::parse(t) {
        assert_eq!(a.to_string(), t.to_ascii_lowercase());
        assert_eq!(Address::parse(&a.to_string()), Ok(a));
    }
    if let Ok(d) = dexlink::bech32::decode(t) {
        assert_eq!(
            dexlink::bech32::encode_u5(&d.hrp, &d.data),
            t.to_ascii_lowercase(),
            "bech32 does not round-trip"
        );
        let _ = d.bytes();
    }
    let _ = Hrp::new(t);
    let _ = ChainId::new(t);
}

/// A mnemonic phrase: an accepted phrase's canonical form parses to the same phrase.
pub fn mnemonic(data: &[u8]) {
    let Some(t) = text(data) else { return };
    if let Ok(m) = Mnemonic::parse(t) {
        let phrase = m.phrase();
        let again = Mnemonic::parse(&phrase).expect("canonical phrase parses");
        assert_eq!(*again.phrase(), *phrase);
        assert_eq!(again.language(), m.language());
        assert_eq!(again.word_count(), m.word_count());
    }
}

/// A Fixed8 amount: text that parses prints back to a value that parses to the same amount;
/// any 8 bytes as units print and parse back (the encode direction).
pub fn fixed8(data: &[u8]) {
    if let Some(t) = text(data)
        && let Ok(f) = Fixed8::parse(t)
    {
        assert_eq!(Fixed8::parse(&f.to_string()), Ok(f));
        assert_eq!(Fixed8::parse(&f.to_fixed8_string()), Ok(f));
    }
    if let Some(b) = data.first_chunk::<8>()
        && let Ok(f) = Fixed8::from_units(i64::from_le_bytes(*b))
    {
        assert_eq!(Fixed8::parse(&f.to_string()), Ok(f));
    }
}

/// A test-vector file run by the vector runner. Files with a `keystore` vector are skipped:
/// their key derivations cost up to seconds each (the keystore target covers that parser).
pub fn vector_file(data: &[u8]) {
    let Some(t) = text(data) else { return };
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(t) {
        let vectors = v.get("vectors").and_then(|v| v.as_array());
        if vectors.is_some_and(|vs| vs.iter().any(|x| x.get("type") == Some(&"keystore".into()))) {
            return;
        }
    }
    if let Ok(report) = dexlink_vectors::run_str("fuzz", t) {
        let (passed, failed, skipped) = report.counts();
        assert_eq!(passed + failed + skipped, report.results.len());
    }
}
