//! The link endpoints end to end: challenge → sign with `dexlink::link` → submit → linked, and
//! each failed check answered 401 with a code naming it.

mod common;

use common::*;
use dexlink::PrivateKey;
use dexlink::link::{LinkMessage, LinkProof};
use dexlink::time::Timestamp;
use dexlink_devnet::Running;
use serde_json::{Value, json};

async fn challenge(run: &Running, k: &PrivateKey) -> LinkMessage {
    let c = client(run).link_challenge(&addr(k)).await.unwrap();
    let msg = LinkMessage::parse(&c.message).unwrap();
    assert_eq!(msg.nonce.as_str(), c.nonce);
    assert_eq!(msg.address, addr(k));
    assert_eq!(c.chain_id.as_str(), CHAIN);
    msg
}

async fn submit(run: &Running, msg: &LinkMessage, proof: &LinkProof) -> (u16, Value) {
    let body = json!({"message": msg.to_text(), "signature": proof.to_json()}).to_string();
    post(run, "/api/v1/link", body).await
}

fn assert_refused((status, v): (u16, Value), code: &str) {
    assert_eq!(status, 401, "{v}");
    assert_eq!(v["code"], 401, "{v}");
    let m = v["message"].as_str().unwrap();
    assert!(
        m.starts_with(&format!("{code}: ")),
        "{m:?} does not name {code}"
    );
}

#[tokio::test]
async fn link_then_status_and_the_nonce_is_single_use() {
    let run = start().await;
    let k = key(1);
    let c = client(&run);
    assert!(c.link_status(&addr(&k)).await.unwrap().is_none());
    let msg = challenge(&run, &k).await;
    let proof = msg.sign(&k).unwrap();
    let accepted = c
        .link_submit(&msg.to_text(), &proof.to_json())
        .await
        .unwrap();
    assert_eq!(accepted.address, addr(&k));
    let status = c.link_status(&addr(&k)).await.unwrap().expect("linked");
    assert!(status.linked);
    assert_eq!(status.linked_at, accepted.linked_at);
    // The same proof again: its nonce is spent.
    assert_refused(submit(&run, &msg, &proof).await, "invalid-nonce");
    // Through the SDK: a distinct error naming the check, not a signature rejection.
    let err = c
        .link_submit(&msg.to_text(), &proof.to_json())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, dexlink::client::ClientError::Http { status: 401, message } if message.starts_with("invalid-nonce")),
        "{err:?}"
    );
    run.stop().await;
}

#[tokio::test]
async fn each_failed_check_has_its_own_code() {
    let run = start().await;
    let (k, other) = (key(1), key(2));

    let mut msg = challenge(&run, &k).await;
    msg.domain = "evil.example".into();
    assert_refused(
        submit(&run, &msg, &msg.sign(&k).unwrap()).await,
        "wrong-domain",
    );

    let mut msg = challenge(&run, &k).await;
    msg.uri = "http://evil.example".into();
    assert_refused(
        submit(&run, &msg, &msg.sign(&k).unwrap()).await,
        "wrong-uri",
    );

    let mut msg = challenge(&run, &k).await;
    msg.chain_id = dexlink::address::ChainId::new("Binance-Chain-Nile").unwrap();
    assert_refused(
        submit(&run, &msg, &msg.sign(&k).unwrap()).await,
        "wrong-chain",
    );

    // Expired: a window that ended ten minutes ago. The nonce is checked after the time, so it
    // survives and the proper message still links.
    let fresh = challenge(&run, &k).await;
    let mut msg = fresh.clone();
    let now = Timestamp::now().unix();
    msg.issued_at = Timestamp::from_unix(now - 1200);
    msg.expiration_time = Timestamp::from_unix(now - 600);
    assert_refused(submit(&run, &msg, &msg.sign(&k).unwrap()).await, "expired");

    // Key mismatch: signed by another key. This consumes the nonce (step 4 precedes step 5).
    let msg = fresh;
    let wrong_key = LinkProof {
        public_key: other.public_key(),
        signature: other.sign(&msg.sign_bytes()),
    };
    assert_refused(submit(&run, &msg, &wrong_key).await, "key-mismatch");
    assert_refused(
        submit(&run, &msg, &msg.sign(&k).unwrap()).await,
        "invalid-nonce",
    );

    // A signature that does not verify.
    let msg = challenge(&run, &k).await;
    let mut proof = msg.sign(&k).unwrap();
    let mut sig = *proof.signature.as_bytes();
    sig[5] ^= 1;
    proof.signature = dexlink::Signature::from_bytes(&sig).unwrap();
    assert_refused(submit(&run, &msg, &proof).await, "bad-signature");

    // A nonce issued to another address.
    let theirs = challenge(&run, &other).await;
    let mut msg = challenge(&run, &k).await;
    msg.nonce = theirs.nonce;
    assert_refused(
        submit(&run, &msg, &msg.sign(&k).unwrap()).await,
        "invalid-nonce",
    );

    // A nonce never issued.
    let mut msg = challenge(&run, &k).await;
    msg.nonce = dexlink::link::Nonce::new("NeverIssued123").unwrap();
    assert_refused(
        submit(&run, &msg, &msg.sign(&k).unwrap()).await,
        "invalid-nonce",
    );

    assert!(client(&run).link_status(&addr(&k)).await.unwrap().is_none());
    // And after all that, a proper proof still links.
    let msg = challenge(&run, &k).await;
    let (status, v) = submit(&run, &msg, &msg.sign(&k).unwrap()).await;
    assert_eq!(status, 200, "{v}");
    run.stop().await;
}
