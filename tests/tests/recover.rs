//! `dexlink recover`: the published BEP-333 example (docs/recovery.md) verifies; signing builds
//! the spec's message byte for byte; every invalid input is a usage error naming the problem.

mod common;

use common::*;

/// The self-service tool's published example (docs/recovery.md).
const EX_MESSAGE: &str = r#"{"account_number":"0","chain_id":"Binance-Chain-Tigris","data":null,"memo":"","msgs":[{"amount":"00000000000000000000000000000000000000000000000000000000000003e8","recipient":"0x441de55a37f6c381b00db8b52df8f57794784a1a","token_symbol":"43414b452d343335000000000000000000000000000000000000000000000000"}],"sequence":"0","source":"0"}"#;
const EX_PUB: &str = "0x030771d42cc0a93289bf457e575bdb42c0d56fcf5953df6614b1b7de2986ce941c";
const EX_SIG: &str = "0xe4838ff411975a210cb15d5c950b53835f5d5bb7b0ebb8dbc4515541bb01181e408f7cbbdab08c9278a623667909e8c3c39fee8c3df65de65df4aec0c48f4196";
const EX_ADDRESS: &str = "bnb1nn3h8hm678shs5vxj8a5enjes0uhf7nwf0wq4m";
const EX_RECIPIENT: &str = "0x441DE55A37F6C381b00Db8B52DF8f57794784a1A";

fn verify(message: &str, public_key: &str, signature: &str) -> Out {
    let mut c = dexlink();
    c.args([
        "--json",
        "recover",
        "verify",
        "--message",
        message,
        "--public-key",
        public_key,
        "--signature",
        signature,
    ]);
    run(c)
}

#[test]
fn the_published_example_verifies() {
    let v = verify(EX_MESSAGE, EX_PUB, EX_SIG).ok().json();
    assert_eq!(v["valid"], true);
    assert_eq!(v["address"], EX_ADDRESS);
    assert_eq!(v["symbol"], "CAKE-435");
    assert_eq!(v["amount_units"], 1000);
    assert_eq!(v["payload"]["amount"], "0x03e8");
    assert_eq!(
        v["payload"]["tokenSymbol"],
        "0x43414b452d343335000000000000000000000000000000000000000000000000"
    );
    assert_eq!(v["payload"]["ownerSignature"], EX_SIG);
    assert_eq!(v["payload"]["ownerPubKey"], EX_PUB);

    // From a file with a trailing newline, in text mode.
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("request.txt");
    std::fs::write(&f, format!("{EX_MESSAGE}\n")).unwrap();
    let mut c = dexlink();
    c.args(["recover", "verify", "--file"]).arg(&f).args([
        "--public-key",
        EX_PUB,
        "--signature",
        EX_SIG,
    ]);
    let out = run(c).ok();
    assert!(out.stdout.contains(EX_ADDRESS), "{}", out.stdout);
}

#[test]
fn a_tampered_example_does_not_verify() {
    // Amount 1000 -> 1001.
    let more = EX_MESSAGE.replace("03e8\"", "03e9\"");
    assert_ne!(more, EX_MESSAGE);
    let out = verify(&more, EX_PUB, EX_SIG).expect_code(1);
    assert_eq!(out.json()["valid"], false);
    // Another recipient.
    let other = EX_MESSAGE.replace("0x441de55a", "0x441de55b");
    verify(&other, EX_PUB, EX_SIG).expect_code(1);
    // A malformed public key is a usage error.
    verify(EX_MESSAGE, "0x1234", EX_SIG).expect_code(2);
}

fn sign(h: &Home, name: &str, extra: &[&str]) -> Out {
    let mut c = h.cmd();
    c.args(["--json", "recover", "sign", name]).args(extra);
    run(c)
}

#[test]
fn sign_builds_the_spec_message_and_reverifies() {
    let h = Home::new();
    h.import_key("v7", V7_KEY, "mainnet").ok();
    let args = [
        "--symbol",
        "CAKE-435",
        "--amount",
        "0.00001",
        "--recipient",
        EX_RECIPIENT,
        "--yes",
    ];
    let v = sign(&h, "v7", &args).ok().json();
    // Same inputs as the published example: the same message, byte for byte.
    assert_eq!(v["message"], EX_MESSAGE);
    assert_eq!(v["address"], V7_BNB);
    assert_eq!(v["public_key"], V7_PUB);
    let sig = v["signature"].as_str().unwrap().to_string();
    let pk = v["public_key"].as_str().unwrap().to_string();

    // Its output re-verifies through `recover verify`, proving the imported key's address.
    let r = verify(EX_MESSAGE, &pk, &sig).ok().json();
    assert_eq!(r["address"], V7_BNB);
    // And through the plain bnbSign `verify` (same convention).
    let mut c = dexlink();
    c.args([
        "verify",
        "--address",
        V7_BNB,
        "--public-key",
        &pk,
        "--signature",
        &sig,
        "--message",
        EX_MESSAGE,
    ]);
    run(c).ok();

    // The amount as written in the README, with trailing zeros, is the same request.
    let v2 = sign(
        &h,
        "v7",
        &[
            "--symbol",
            "CAKE-435",
            "--amount",
            "0.00001000",
            "--recipient",
            "0x441de55a37f6c381b00db8b52df8f57794784a1a",
            "--yes",
        ],
    )
    .ok()
    .json();
    assert_eq!(v2["message"], EX_MESSAGE);
    assert_eq!(v2["signature"], sig.as_str(), "RFC 6979 is deterministic");

    // --testnet signs for Binance-Chain-Ganges: the spec's message with that chain id.
    let mut t_args = args.to_vec();
    t_args.push("--testnet");
    let v = sign(&h, "v7", &t_args).ok().json();
    let expected = EX_MESSAGE.replace("Binance-Chain-Tigris", "Binance-Chain-Ganges");
    assert_eq!(v["message"], expected);
    assert_eq!(v["address"], V7_TBNB);
    let r = verify(
        &expected,
        v["public_key"].as_str().unwrap(),
        v["signature"].as_str().unwrap(),
    )
    .ok()
    .json();
    assert_eq!(r["address"], V7_TBNB);

    // Without --yes and a terminal: refused.
    let mut no_yes = args.to_vec();
    no_yes.pop();
    sign(&h, "v7", &no_yes).expect_code(2);
}

#[test]
fn invalid_inputs_are_usage_errors_naming_the_problem() {
    let h = Home::new();
    h.import_key("v7", V7_KEY, "mainnet").ok();
    let long = "A".repeat(33);
    let max32 = "B".repeat(32);
    let cases: Vec<(&str, &str, &str, &str)> = vec![
        // (symbol, amount, recipient, word expected in the message)
        ("", "1", EX_RECIPIENT, "symbol"),
        (&long, "1", EX_RECIPIENT, "32"),
        ("CAKÉ-435", "1", EX_RECIPIENT, "ASCII"),
        ("CAKE 435", "1", EX_RECIPIENT, "symbol"),
        ("CAKE-435", "0", EX_RECIPIENT, "zero"),
        ("CAKE-435", "0.00000000", EX_RECIPIENT, "zero"),
        ("CAKE-435", "0.000000001", EX_RECIPIENT, "decimals"),
        (
            "CAKE-435",
            "184467440737.09551616",
            EX_RECIPIENT,
            "too large",
        ),
        (
            "CAKE-435",
            "99999999999999999999",
            EX_RECIPIENT,
            "too large",
        ),
        ("CAKE-435", "-1", EX_RECIPIENT, "amount"),
        ("CAKE-435", "1e3", EX_RECIPIENT, "amount"),
        (
            "CAKE-435",
            "1",
            "0x441de55a37f6c381b00db8b52df8f57794784a",
            "recipient",
        ),
        (
            "CAKE-435",
            "1",
            "0x441de55a37f6c381b00db8b52df8f57794784a1a00",
            "recipient",
        ),
        (
            "CAKE-435",
            "1",
            "441de55a37f6c381b00db8b52df8f57794784a1a",
            "recipient",
        ),
        (
            "CAKE-435",
            "1",
            "0x441de55a37f6c381b00db8b52df8f57794784a1g",
            "recipient",
        ),
        // EIP-55: D -> d breaks the mixed-case checksum.
        (
            "CAKE-435",
            "1",
            "0x441dE55A37F6C381b00Db8B52DF8f57794784a1A",
            "checksum",
        ),
    ];
    for (symbol, amount, recipient, word) in cases {
        let out = sign(
            &h,
            "v7",
            &[
                "--symbol",
                symbol,
                "--amount",
                amount,
                "--recipient",
                recipient,
                "--yes",
            ],
        );
        let out = out.expect_code(2);
        assert!(
            out.stderr.to_lowercase().contains(&word.to_lowercase()),
            "{symbol:?} {amount:?} {recipient:?}: stderr does not name {word:?}: {}",
            out.stderr
        );
        assert!(!out.stdout.contains("signature"), "signed anyway");
    }
    // The limits themselves are accepted: 32-byte symbol, u64::MAX units, one unit.
    for (symbol, amount) in [
        (max32.as_str(), "1"),
        ("CAKE-435", "184467440737.09551615"),
        ("CAKE-435", "0.00000001"),
    ] {
        sign(
            &h,
            "v7",
            &[
                "--symbol",
                symbol,
                "--amount",
                amount,
                "--recipient",
                EX_RECIPIENT,
                "--yes",
            ],
        )
        .ok();
    }
}
