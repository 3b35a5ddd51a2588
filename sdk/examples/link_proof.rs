//! Proving to a DEX that you control an address (a link proof), and checking one as the DEX.
//!
//! `cargo run -p dexlink --example link_proof`
//!
//! The key, message fields, message text and signature are `fixed-95949f-tbnb-no-statement` of
//! `test-vectors/link-proof-cosmjs.json`, produced independently with CosmJS
//! (`Secp256k1Wallet.signAmino` over an ADR-036 sign document).

use dexlink::link::{self, Expectations, LinkMessage, Nonce};
use dexlink::time::Timestamp;
use dexlink::{ChainId, Hrp, Network, PrivateKey};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key =
        PrivateKey::from_hex("95949f757db1f57ca94a5dff23314accbe7abee89597bf6a3c7382c84d7eb832")?;

    // Wallet side: the DEX's challenge names its domain, URI, chain, a nonce and a short window.
    let message = LinkMessage {
        domain: "127.0.0.1:41234".into(),
        address: key.address(&Hrp::testnet()),
        statement: None,
        uri: "http://127.0.0.1:41234".into(),
        chain_id: ChainId::new("Binance-Chain-Ganges")?,
        nonce: Nonce::new("abcDEF123")?,
        issued_at: Timestamp::parse("2026-11-26T21:00:00Z")?,
        expiration_time: Timestamp::parse("2026-11-26T21:10:00Z")?,
    };
    message.validate()?;
    let text = message.to_text();
    assert_eq!(
        text,
        "127.0.0.1:41234 wants you to link your Binance Chain account:\n\
         tbnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lx8xu7hm\n\n\
         URI: http://127.0.0.1:41234\nVersion: 1\nChain ID: Binance-Chain-Ganges\n\
         Nonce: abcDEF123\nIssued At: 2026-11-26T21:00:00Z\n\
         Expiration Time: 2026-11-26T21:10:00Z"
    );
    let proof = message.sign(&key)?;
    assert_eq!(
        proof.signature.to_string(),
        "5772c5e2174ab93413369b601dc001d38e96308e4ea8abe82ad6e4b30914dbe559d94d05484fa60eabcdb9077d7693630cb6f210abd0b3b147054747d18790a1"
    );
    let proof_json = proof.to_json();
    println!("{proof_json}");

    // DEX side: the checks in order; the nonce callback marks the nonce used exactly once.
    let expect = Expectations {
        domain: "127.0.0.1:41234".into(),
        uri: "http://127.0.0.1:41234".into(),
        network: Network::testnet(),
    };
    let now = Timestamp::parse("2026-11-26T21:05:00Z")?;
    let linked = link::verify(&text, &proof_json, &expect, now, |_address, nonce| {
        nonce.as_str() == "abcDEF123"
    })?;
    println!("linked {}", linked.address);

    // The same proof shown to another DEX is refused.
    let phished = Expectations {
        domain: "dex.example".into(),
        ..expect
    };
    assert!(link::verify(&text, &proof_json, &phished, now, |_, _| true).is_err());
    Ok(())
}
