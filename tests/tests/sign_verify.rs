//! `sign message`, `verify`, `sign doc` against upstream values: the bnbSign vector of docs/walletconnect.md §7 and the
//! V10 transaction signature answered as a WalletConnect `bnb_sign` request (docs/walletconnect.md §2).

mod common;

use common::*;
use k256::elliptic_curve::sec1::ToSec1Point;

/// DERIVED bnbSign (docs/walletconnect.md §7) of "hello world" with key 95949f….
const HELLO_SIG: &str = "7d295ebe093529501e4886ebf8048c6c0a4eb410a77253c6a4b6cd5943a54bf030962efc1eab1e4ce5f1ac8356ec3c945bd167c5c11d01b95a0af9ad1e19f271";

#[test]
fn sign_message_matches_the_bnbsign_vector() {
    let h = Home::new();
    h.import_key("k2", K2_KEY, "mainnet").ok();
    let mut c = h.cmd();
    c.args([
        "--json",
        "sign",
        "message",
        "k2",
        "--message",
        "hello world",
    ]);
    let v = run(c).ok().json();
    assert_eq!(v["signature"], HELLO_SIG);
    assert_eq!(v["public_key"], K2_PUB);
    assert_eq!(v["address"], K2_BNB);

    // The same bytes from a file and from stdin.
    let f = h.path("msg");
    std::fs::write(&f, "hello world").unwrap();
    let mut c = h.cmd();
    c.args(["--json", "sign", "message", "k2", "--file"])
        .arg(&f);
    assert_eq!(run(c).ok().json()["signature"], HELLO_SIG);
    let mut c = h.cmd();
    c.args(["--json", "sign", "message", "k2", "-"])
        .write_stdin("hello world");
    assert_eq!(run(c).ok().json()["signature"], HELLO_SIG);
}

fn verify(address: &str, message: &str, sig: &str) -> Out {
    let mut c = dexlink();
    c.args([
        "verify",
        "--address",
        address,
        "--public-key",
        &format!("0x{K2_PUB}"),
        "--signature",
        sig,
        "--message",
        message,
    ]);
    run(c)
}

#[test]
fn verify_accepts_the_vector_and_rejects_tampering() {
    let out = verify(K2_BNB, "hello world", &format!("0x{HELLO_SIG}")).ok();
    assert_eq!(out.stdout, format!("valid: signed by {K2_BNB}\n"));
    let out = verify(K2_BNB, "hello world", HELLO_SIG).ok();
    assert_eq!(out.stdout, format!("valid: signed by {K2_BNB}\n"));
    // The testnet form of the same address is the same key.
    let out = verify(K2_TBNB, "hello world", HELLO_SIG).ok();
    assert_eq!(out.stdout, format!("valid: signed by {K2_TBNB}\n"));

    const NOT_OVER: &str = "INVALID: the signature does not verify over SHA-256 of the message\n";
    let out = verify(K2_BNB, "hello world!", HELLO_SIG).expect_code(1);
    assert_eq!(out.stdout, NOT_OVER);
    let out = verify(K2_BNB, "Hello world", HELLO_SIG).expect_code(1);
    assert_eq!(out.stdout, NOT_OVER);
    // Another address for the same key and signature.
    let out = verify(V7_BNB, "hello world", HELLO_SIG).expect_code(1);
    assert_eq!(
        out.stdout,
        format!("INVALID: the public key belongs to {K2_BNB}, not to {V7_BNB}\n")
    );
    // A flipped signature bit (r's top nibble 7 -> 6: still low-S, no longer verifies).
    let mut bad = HELLO_SIG.to_string();
    bad.replace_range(0..1, "6");
    let out = verify(K2_BNB, "hello world", &bad).expect_code(1);
    assert_eq!(out.stdout, NOT_OVER);
    // Malformed inputs are usage errors.
    verify(K2_BNB, "hello world", "zz").expect_code(2);
    verify("bnb1notanaddress", "hello world", HELLO_SIG).expect_code(2);
}

#[test]
fn sign_message_refuses_a_sign_document() {
    let h = Home::new();
    h.import_key("v7", V7_KEY, "mainnet").ok();
    let request = format!(r#"{{"id":1,"jsonrpc":"2.0","method":"bnb_sign","params":[{V10_SB}]}}"#);
    for msg in [V10_SB, request.as_str()] {
        let mut c = h.cmd();
        c.args(["sign", "message", "v7", "--message", msg]);
        let out = run(c).expect_code(2);
        assert!(out.stderr.contains("sign doc"), "{}", out.stderr);
        assert!(!out.stdout.contains(V10_SIG));
    }
}

/// The uncompressed SEC1 form of a compressed key, by k256 (independent of dexlink's code).
fn uncompressed(compressed_hex: &str) -> String {
    let pk = k256::PublicKey::from_sec1_bytes(&hex::decode(compressed_hex).unwrap()).unwrap();
    hex::encode(pk.to_sec1_point(false).as_bytes())
}

#[test]
fn sign_doc_answers_a_bnb_sign_request_with_v10s_signature() {
    let h = Home::new();
    h.import_key("v7", V7_KEY, "mainnet").ok();
    // The docs/walletconnect.md §2 request shape with V10's sign document as params[0].
    let req = h.path("request.json");
    std::fs::write(
        &req,
        format!(r#"{{"id":1,"jsonrpc":"2.0","method":"bnb_sign","params":[{V10_SB}]}}"#),
    )
    .unwrap();
    let mut c = h.cmd();
    c.args(["sign", "doc", "v7"]).arg(&req).arg("--yes");
    let out = run(c).ok();
    let v: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(v["signature"], V10_SIG);
    let pk = v["publicKey"].as_str().unwrap();
    assert_eq!(pk.len(), 130);
    assert!(pk.starts_with("04"));
    assert_eq!(&pk[2..66], &V7_PUB[2..], "x coordinate");
    assert_eq!(pk, uncompressed(V7_PUB));

    // The bare sign document (params[0] only) from stdin gives the same answer.
    let mut c = h.cmd();
    c.args(["--json", "sign", "doc", "v7", "-", "--yes"])
        .write_stdin(V10_SB);
    assert_eq!(run(c).ok().json()["signature"], V10_SIG);

    // Without --yes and a terminal: refused.
    let mut c = h.cmd();
    c.args(["sign", "doc", "v7"]).arg(&req);
    let out = run(c).expect_code(2);
    assert!(!out.stdout.contains(V10_SIG));

    // A key that is not the document's signer: refused.
    h.import_key("k2", K2_KEY, "mainnet").ok();
    let mut c = h.cmd();
    c.args(["sign", "doc", "k2"]).arg(&req).arg("--yes");
    let out = run(c).expect_code(2);
    assert!(out.stderr.contains(V7_BNB), "{}", out.stderr);

    // Another JSON-RPC method is not signed.
    std::fs::write(
        &req,
        format!(r#"{{"id":1,"jsonrpc":"2.0","method":"eth_sign","params":[{V10_SB}]}}"#),
    )
    .unwrap();
    let mut c = h.cmd();
    c.args(["sign", "doc", "v7"]).arg(&req).arg("--yes");
    run(c).expect_code(2);
}

#[test]
fn sign_message_with_an_hd_index_uses_that_address() {
    let h = Home::new();
    h.import_mnemonic("hd", V1_MNEMONIC, "mainnet").ok();
    let mut c = h.cmd();
    c.args([
        "--json",
        "sign",
        "message",
        "hd",
        "--index",
        "1",
        "--message",
        "proof of ownership",
    ]);
    let v = run(c).ok().json();
    assert_eq!(v["address"], V1_BNB1);
    assert_eq!(v["path"], "m/44'/714'/0'/0/1");
    let mut c = dexlink();
    c.args([
        "verify",
        "--address",
        V1_BNB1,
        "--public-key",
        v["public_key"].as_str().unwrap(),
        "--signature",
        v["signature"].as_str().unwrap(),
        "--message",
        "proof of ownership",
    ]);
    run(c).ok();
    // Index 0 signs as V1's first address, with V1's upstream key: the same signature as the
    // key imported on its own.
    let mut c = h.cmd();
    c.args([
        "--json",
        "sign",
        "message",
        "hd",
        "--message",
        "hello world",
    ]);
    let hd0 = run(c).ok().json();
    assert_eq!(hd0["address"], V1_BNB0);
    h.import_key("k0", V1_KEY0, "mainnet").ok();
    let mut c = h.cmd();
    c.args([
        "--json",
        "sign",
        "message",
        "k0",
        "--message",
        "hello world",
    ]);
    assert_eq!(run(c).ok().json()["signature"], hd0["signature"]);
}

/// Hostile WalletConnect documents through `sign doc`: a right-to-left override in the memo is
/// refused with the character named; a memo with <, > and & is shown, in the summary and in the
/// sign bytes, exactly as the node signs it (docs/sign-docs.md §2–§3 DERIVED example a<b>&c).
#[test]
fn sign_doc_refuses_hidden_characters_and_shows_what_it_signs() {
    let h = Home::new();
    h.import_key("v7", V7_KEY, "mainnet").ok();
    let rlo = V10_SB.replace(r#""memo":"""#, r#""memo":"pay \u202eto""#);
    let mut c = h.cmd();
    c.args(["sign", "doc", "v7", "-", "--yes"]).write_stdin(rlo);
    let out = run(c).expect_code(2);
    assert_eq!(
        out.stderr,
        "error: refusing to sign: invalid sign document: memo has the invisible or direction-changing character U+202E at byte 4, which would be shown differently from what is signed\n"
    );
    assert_eq!(out.stdout, "");

    let html = V10_SB.replace(r#""memo":"""#, r#""memo":"a<b>&c""#);
    let signed = V10_SB.replace(r#""memo":"""#, r#""memo":"a\u003cb\u003e\u0026c""#);
    let mut c = h.cmd();
    c.args(["sign", "doc", "v7", "-", "--yes"])
        .write_stdin(html);
    let out = run(c).ok();
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.stderr);
    assert!(
        lines[0].ends_with(r#", memo "a\u003cb\u003e\u0026c""#),
        "{}",
        lines[0]
    );
    assert_eq!(lines[1], format!("Sign bytes: {signed}"));
}
