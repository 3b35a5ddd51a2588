//! Malformed input never crashes the devnet: each gets a 4xx with a reason, the ledger stays as
//! it was, and the node keeps serving.

mod common;

use std::sync::LazyLock;

use common::*;
use proptest::prelude::*;
use serde_json::Value;

/// Posts `body`; asserts a 400 in the API's error shape whose message contains `needle` (never
/// empty: an empty needle would match any message) and an unchanged ledger.
async fn assert_400(
    run: &dexlink_devnet::Running,
    path: &str,
    body: impl Into<reqwest::Body>,
    needle: &str,
) {
    assert!(!needle.is_empty(), "{path}: name what the message must say");
    let before = snapshot(run);
    let (status, v) = post(run, path, body).await;
    assert_eq!(status, 400, "{path}: {v}");
    assert!(v["code"].is_number(), "{path}: error shape {v}");
    let message = v["message"].as_str().unwrap_or_default();
    assert!(
        message.to_lowercase().contains(&needle.to_lowercase()),
        "{path}: message {message:?} lacks {needle:?}"
    );
    assert_eq!(
        snapshot(run),
        before,
        "{path}: malformed input changed the ledger"
    );
}

/// The SDK's address errors, as the API passes them on.
const WRONG_NETWORK: &str = "address is for 'bnb' but 'tbnb' was expected (wrong network?)";
const BAD_CHECKSUM: &str = "invalid address: bech32 checksum mismatch; check the string for typos";

#[tokio::test]
async fn broadcast_bodies_that_are_not_transactions() {
    let run = start().await;
    let (a, b) = (key(1), key(2));
    fund(&run, &addr(&a), "BNB", "10").await;
    let (an, seq) = acct(&run, &addr(&a)).await;
    let tx = send_tx(&a, an, seq, &addr(&b), "BNB", "1");
    let path = "/api/v1/broadcast?sync=true";
    assert_400(&run, path, "not hex at all", "hex").await;
    assert_400(&run, path, "", "hex").await;
    assert_400(&run, path, "abc", "hex").await;
    assert_400(&run, path, "deadbeef", "tx parse error").await;
    assert_400(&run, path, hex::encode([0x5a; 300]), "tx parse error").await;
    assert_400(
        &run,
        path,
        hex::encode(&tx[..tx.len() - 3]),
        "tx parse error",
    )
    .await;
    let mut trailing = tx.clone();
    trailing.push(0);
    assert_400(&run, path, hex::encode(&trailing), "tx parse error").await;
    // Not UTF-8.
    assert_400(&run, path, vec![0xffu8, 0xfe, 0x00, 0x80], "UTF-8").await;
    // The untouched tx is still accepted afterwards.
    accept(&run, &tx).await;
    run.stop().await;
}

#[tokio::test]
async fn huge_bodies_are_refused_and_the_node_survives() {
    let run = start().await;
    let before = snapshot(&run);
    for path in ["/api/v1/broadcast", "/devnet/faucet", "/api/v1/link"] {
        let (status, v) = post(&run, path, "a".repeat(8 << 20)).await;
        assert!(
            status == 400 || status == 413,
            "{path}: huge body got {status}"
        );
        assert_eq!(v["code"], status, "{path}: error shape {v}");
    }
    assert_eq!(snapshot(&run), before);
    client(&run).node_info().await.unwrap();
    run.stop().await;
}

#[tokio::test]
async fn faucet_and_link_refuse_bad_json_and_bad_addresses() {
    let run = start().await;
    let a = addr(&key(1)).to_string();
    // Same key, mainnet HRP; and a bech32 checksum error.
    let mainnet = key(1)
        .address(&dexlink::address::Hrp::new("bnb").unwrap())
        .to_string();
    let mut bad_sum = a.clone();
    let last = bad_sum.pop().unwrap();
    bad_sum.push(if last == 'q' { 'p' } else { 'q' });
    for path in ["/devnet/faucet", "/api/v1/link/challenge", "/api/v1/link"] {
        assert_400(&run, path, "{", "not JSON").await;
        assert_400(&run, path, "", "not JSON").await;
        assert_400(&run, path, "[1,2]", "JSON object").await;
        assert_400(&run, path, vec![0xffu8, 0xfe], "UTF-8").await;
    }
    let faucet = |address: &str, asset: &str, amount: &str| {
        serde_json::json!({"address": address, "asset": asset, "amount": amount}).to_string()
    };
    assert_400(&run, "/devnet/faucet", "{}", "missing string field").await;
    assert_400(
        &run,
        "/devnet/faucet",
        faucet(&mainnet, "BNB", "1"),
        WRONG_NETWORK,
    )
    .await;
    assert_400(
        &run,
        "/devnet/faucet",
        faucet(&bad_sum, "BNB", "1"),
        BAD_CHECKSUM,
    )
    .await;
    assert_400(
        &run,
        "/devnet/faucet",
        faucet("tbnb1", "BNB", "1"),
        "invalid address: bech32 data part is too short to hold a checksum",
    )
    .await;
    assert_400(
        &run,
        "/devnet/faucet",
        faucet(&a, "BNB", "0"),
        "greater than zero",
    )
    .await;
    assert_400(
        &run,
        "/devnet/faucet",
        faucet(&a, "BNB", "-1"),
        "amount \"-1\" is negative; amounts must be positive",
    )
    .await;
    assert_400(
        &run,
        "/devnet/faucet",
        faucet(&a, "BNB", "1.123456789"),
        "amount \"1.123456789\" has more than 8 decimals; Binance Chain amounts have at most 8",
    )
    .await;
    assert_400(
        &run,
        "/devnet/faucet",
        faucet(&a, "BNB", "99999999999999999999"),
        "amount \"99999999999999999999\" is too large: at most 92233720368.54775807 (2^63-1 units of 10^-8)",
    )
    .await;
    assert_400(
        &run,
        "/devnet/faucet",
        faucet(&a, "B N B", "1"),
        "invalid asset",
    )
    .await;
    let challenge = |address: &str| serde_json::json!({ "address": address }).to_string();
    assert_400(
        &run,
        "/api/v1/link/challenge",
        challenge(&mainnet),
        WRONG_NETWORK,
    )
    .await;
    assert_400(
        &run,
        "/api/v1/link/challenge",
        challenge(&bad_sum),
        BAD_CHECKSUM,
    )
    .await;
    assert_400(&run, "/api/v1/link", r#"{"message":"hello"}"#, "signature").await;
    assert_400(
        &run,
        "/api/v1/link",
        r#"{"message":"hello","signature":{}}"#,
        "malformed",
    )
    .await;
    // Reads with bad addresses or hashes: each names its problem exactly.
    const BAD_HASH: &str = "tx hash must be 64 hex characters";
    for (path, message) in [
        (format!("/api/v1/account/{mainnet}"), WRONG_NETWORK),
        (format!("/api/v1/account/{bad_sum}"), BAD_CHECKSUM),
        (format!("/api/v1/account/{bad_sum}/sequence"), BAD_CHECKSUM),
        (format!("/api/v1/link/{mainnet}"), WRONG_NETWORK),
        (
            format!("/api/v1/orders/open?address={bad_sum}"),
            BAD_CHECKSUM,
        ),
        (
            "/api/v1/orders/open".to_string(),
            "missing query parameter address",
        ),
        ("/api/v1/tx/XYZ".to_string(), BAD_HASH),
        (format!("/api/v1/tx/{}", "g".repeat(64)), BAD_HASH),
    ] {
        let (status, v) = get(&run, &path).await;
        assert_eq!(
            (status, v),
            (400, serde_json::json!({"code": 400, "message": message})),
            "{path}"
        );
    }
    let (status, v) = get(&run, "/api/v1/nothing-here").await;
    assert_eq!((status, v["code"].clone()), (404, Value::from(404)));
    run.stop().await;
}

/// One devnet and runtime for all proptest cases, with a funded account and a valid tx to mutate.
struct Fixture {
    rt: tokio::runtime::Runtime,
    run: dexlink_devnet::Running,
    tx: Vec<u8>,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (run, tx) = rt.block_on(async {
        let run = start().await;
        let (a, b) = (key(1), key(2));
        fund(&run, &addr(&a), "BNB", "10").await;
        let (an, seq) = acct(&run, &addr(&a)).await;
        let tx = send_tx(&a, an, seq, &addr(&b), "BNB", "1");
        (run, tx)
    });
    Fixture { rt, run, tx }
});

/// Broadcasts a body that is not a signed transaction (random bytes or their hex: a valid
/// signature by chance is out of reach); asserts a 400 in the API's error shape with a reason,
/// and an unchanged ledger. Never an acceptance, a 5xx or a hang.
fn check_body(body: Vec<u8>) -> Result<(), TestCaseError> {
    let f = &*FIXTURE;
    let before = snapshot(&f.run);
    let (status, v) =
        f.rt.block_on(post(&f.run, "/api/v1/broadcast?sync=true", body));
    prop_assert_eq!(status, 400, "body {}", v);
    prop_assert!(v["code"].is_number(), "error shape {}", v);
    prop_assert!(!v["message"].as_str().unwrap_or_default().is_empty());
    prop_assert_eq!(snapshot(&f.run), before);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bodies_get_an_answer(body in proptest::collection::vec(any::<u8>(), 0..400)) {
        check_body(body)?;
    }

    #[test]
    fn random_hex_bodies_are_rejected(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        check_body(hex::encode(bytes).into_bytes())?;
    }

    #[test]
    fn mutated_transactions_are_rejected(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..4),
        cut in any::<prop::sample::Index>(),
        mode in 0u8..3,
    ) {
        let mut tx = FIXTURE.tx.clone();
        match mode {
            0 => for (i, x) in &flips { let i = i.index(tx.len()); tx[i] ^= x; },
            1 => tx.truncate(cut.index(tx.len())),
            _ => { let i = cut.index(tx.len()); tx.insert(i, flips[0].1); }
        }
        prop_assume!(tx != FIXTURE.tx);
        let f = &*FIXTURE;
        let before = snapshot(&f.run);
        let (status, v) = f.rt.block_on(broadcast(&f.run, &tx));
        // A mutation of a signed transaction is never valid.
        prop_assert_eq!(status, 400, "{}", v);
        prop_assert_eq!(snapshot(&f.run), before);
    }
}

#[tokio::test]
async fn path_parameters_that_are_not_utf8_get_the_error_shape() {
    // Found by the devnet_http fuzz target: `%FF` in a path parameter made axum's own
    // plain-text rejection the answer, not the API's `{"code", "message"}`.
    let run = start().await;
    for path in [
        "/api/v1/account/%FF",
        "/api/v1/account/%FF/sequence",
        "/api/v1/tx/%C3%28",
        "/api/v1/link/%FFaA",
        "/api/v1/orders/%80",
        "/api/ws/%FF",
    ] {
        let (status, v) = get(&run, path).await;
        assert_eq!(status, 400, "{path}: {v}");
        assert_eq!(v["code"], 400, "{path}: {v}");
        assert!(
            v["message"].as_str().unwrap_or_default().contains("UTF-8"),
            "{path}: {v}"
        );
    }
    // A stream URL asked for without the WebSocket upgrade: the same shape.
    for path in [
        "/api/ws",
        "/api/ws/$all@allTickers",
        "/api/stream?streams=$all@allTickers",
    ] {
        let (status, v) = get(&run, path).await;
        assert_eq!(status, 400, "{path}: {v}");
        assert_eq!(v["code"], 400, "{path}: {v}");
        assert!(
            v["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{path}: {v}"
        );
    }
    run.stop().await;
}
