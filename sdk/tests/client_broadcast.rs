//! Broadcast and submit reliability against a scripted DEX: after an unclear outcome the client
//! looks the hash up, re-sends only identical bytes, and re-signs only after confirming the
//! rejected transaction is unknown. The server counts what it saw.

mod mock;

use std::collections::{BTreeSet, HashSet};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dexlink::address::{ChainId, Hrp};
use dexlink::amount::Fixed8;
use dexlink::client::{ClientError, SubmitError, submit};
use dexlink::tx::{Coin, Msg, Send, SendEntry, SignedTx, TxHash};
use dexlink::{PrivateKey, UnsignedTx};
use mock::*;
use serde_json::json;

/// What the scripted server does on each broadcast (by 0-based POST number).
#[derive(Clone, Copy, PartialEq)]
enum Act {
    /// Take the tx (commit it) and answer OK.
    Accept,
    /// Take the tx, then hang past the client's timeout.
    CommitThenHang,
    /// Hang without taking the tx.
    Hang,
    /// Answer 503 without taking the tx.
    Unavailable,
    /// Refuse unless the tx is signed with the node's latest sequence (the last of `sequences`).
    CheckSequence,
    /// Always refuse with "Invalid sequence" (the tx is known through `known`).
    RefuseSequence,
    /// Put the tx in the mempool (not yet visible to lookups) and hang; identical bytes posted
    /// again get the mempool cache's "Tx already exists in cache".
    MempoolThenHang,
}

#[derive(Default)]
struct Dex {
    script: Vec<Act>,
    posts: Mutex<Vec<String>>,
    committed: Mutex<HashSet<String>>,
    /// Accepted into the mempool, not yet committed (lookups do not see these).
    mempool: Mutex<HashSet<String>>,
    /// Hashes the lookup reports as known even if never committed here.
    known: Mutex<HashSet<String>>,
    tx_lookups: Mutex<usize>,
    /// Sequences the account endpoint reports, one per read (last repeats).
    sequences: Vec<i64>,
    account_reads: Mutex<usize>,
}

type Shared = Arc<Dex>;

fn ok_result(hash: &str) -> Response {
    axum::Json(json!([{"ok": true, "log": "Msg 0: ", "hash": hash, "code": 0, "data": ""}]))
        .into_response()
}

fn invalid_sequence(got: u64, expected: i64) -> Response {
    let log = json!({"codespace": 1, "code": 3, "abci_code": 65539,
        "message": format!("Invalid sequence. Got {got}, expected {expected}")});
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"code": 65539, "failed_tx_index": 0, "message": log.to_string()})),
    )
        .into_response()
}

impl Dex {
    fn current_sequence(&self) -> i64 {
        let reads = *self.account_reads.lock().unwrap();
        let i = reads.saturating_sub(1).min(self.sequences.len() - 1);
        self.sequences[i]
    }
}

async fn broadcast(State(d): State<Shared>, body: String) -> Response {
    let n = {
        let mut p = d.posts.lock().unwrap();
        p.push(body.clone());
        p.len() - 1
    };
    let bytes = hex::decode(body.trim()).unwrap();
    let hash = tx_hash_of(&bytes);
    let act = d.script[n.min(d.script.len() - 1)];
    if d.mempool.lock().unwrap().contains(&hash) {
        let log = json!({"codespace": 1, "code": 2, "abci_code": 65538,
            "message": "Tx already exists in cache"});
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"code": 65538, "failed_tx_index": 0, "message": log.to_string()})),
        )
            .into_response();
    }
    match act {
        Act::MempoolThenHang => {
            d.mempool.lock().unwrap().insert(hash);
            tokio::time::sleep(Duration::from_secs(3)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Act::Accept => {
            d.committed.lock().unwrap().insert(hash.clone());
            ok_result(&hash)
        }
        Act::CommitThenHang => {
            d.committed.lock().unwrap().insert(hash);
            tokio::time::sleep(Duration::from_secs(3)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Act::Hang => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Act::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "overloaded").into_response(),
        Act::CheckSequence | Act::RefuseSequence => {
            let tx = SignedTx::decode(&bytes, &Hrp::testnet()).unwrap();
            // The node knows the latest sequence; the account endpoint may lag behind it.
            let expected = *d.sequences.last().unwrap();
            if act == Act::CheckSequence && tx.sequence() as i64 == expected {
                d.committed.lock().unwrap().insert(hash.clone());
                ok_result(&hash)
            } else {
                invalid_sequence(tx.sequence(), expected)
            }
        }
    }
}

async fn lookup(State(d): State<Shared>, Path(hash): Path<String>) -> Response {
    *d.tx_lookups.lock().unwrap() += 1;
    let found =
        d.committed.lock().unwrap().contains(&hash) || d.known.lock().unwrap().contains(&hash);
    if found {
        axum::Json(json!({"code": 0, "hash": hash, "height": "12", "log": "Msg 0: ", "ok": true, "tx": {}}))
            .into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            r#"{"code":404,"message":"tx not found"}"#,
        )
            .into_response()
    }
}

async fn account(State(d): State<Shared>, Path(a): Path<String>) -> Response {
    if d.sequences.is_empty() {
        return (
            StatusCode::NOT_FOUND,
            r#"{"code":404,"message":"account not found"}"#,
        )
            .into_response();
    }
    *d.account_reads.lock().unwrap() += 1;
    let seq = d.current_sequence();
    axum::Json(
        json!({"account_number": 3, "address": a, "balances": [], "sequence": seq, "flags": 0}),
    )
    .into_response()
}

async fn start(dex: Dex) -> (Shared, String) {
    let d = Arc::new(dex);
    let app = Router::new()
        .route("/api/v1/broadcast", post(broadcast))
        .route("/api/v1/tx/{hash}", get(lookup))
        .route("/api/v1/account/{a}", get(account))
        .with_state(d.clone());
    let url = serve(app).await;
    (d, url)
}

/// A scripted DEX whose account endpoint reports `sequences` (none: the account is unknown).
async fn start_with(script: Vec<Act>, sequences: Vec<i64>) -> (Shared, String) {
    start(Dex {
        script,
        sequences,
        ..Dex::default()
    })
    .await
}

/// The mock's hash text for broadcast bytes (uppercase hex, as the chain prints it).
fn tx_hash_of(tx_bytes: &[u8]) -> String {
    TxHash::of(tx_bytes).to_string()
}

fn key() -> PrivateKey {
    PrivateKey::from_bytes(&[9; 32]).unwrap()
}

fn signed_send(account_number: u64, sequence: u64) -> Vec<u8> {
    let k = key();
    let from = k.address(&Hrp::testnet());
    let to = PrivateKey::from_bytes(&[8; 32])
        .unwrap()
        .address(&Hrp::testnet());
    let msg = Msg::Send(
        Send::from_outputs(
            from,
            vec![SendEntry::new(
                to,
                vec![Coin::new("BNB", Fixed8::parse("1").unwrap())],
            )],
        )
        .unwrap(),
    );
    UnsignedTx::new(
        ChainId::new("Binance-Chain-Ganges").unwrap(),
        account_number,
        sequence,
        msg,
    )
    .unwrap()
    .sign(&k)
    .unwrap()
    .to_bytes()
}

#[tokio::test]
async fn timeout_then_found_returns_success_without_reposting() {
    let (d, url) = start_with(vec![Act::CommitThenHang], vec![]).await;
    let tx = signed_send(3, 0);
    let r = client(&url, 200, 3).broadcast(&tx).await.unwrap();
    assert!(r.ok);
    assert_eq!(r.hash, TxHash::of(&tx));
    assert_eq!(d.posts.lock().unwrap().len(), 1, "not re-posted");
    assert_eq!(*d.tx_lookups.lock().unwrap(), 1);
}

#[tokio::test]
async fn timeout_then_unknown_reposts_the_identical_bytes() {
    let (d, url) = start_with(vec![Act::Hang, Act::Accept], vec![]).await;
    let tx = signed_send(3, 0);
    let r = client(&url, 200, 3).broadcast(&tx).await.unwrap();
    assert!(r.ok);
    let posts = d.posts.lock().unwrap().clone();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0], hex::encode(&tx));
    assert_eq!(posts[1], posts[0], "the retry is the identical bytes");
    assert_eq!(
        *d.tx_lookups.lock().unwrap(),
        1,
        "looked up before re-posting"
    );
}

#[tokio::test]
async fn a_503_is_looked_up_then_resent() {
    let (d, url) = start_with(
        vec![Act::Unavailable, Act::Unavailable, Act::Accept],
        vec![],
    )
    .await;
    let tx = signed_send(3, 0);
    client(&url, 500, 3).broadcast(&tx).await.unwrap();
    let posts = d.posts.lock().unwrap().clone();
    assert_eq!(posts.len(), 3);
    assert!(posts.iter().all(|p| *p == hex::encode(&tx)));
    assert_eq!(*d.tx_lookups.lock().unwrap(), 2);
}

#[tokio::test]
async fn a_resend_answered_already_in_cache_is_the_same_tx_pending() {
    // Timed out, the lookup does not see it yet, the identical bytes are re-sent and the node
    // says it already has them: that is this transaction, pending, not a rejection.
    let (d, url) = start_with(vec![Act::MempoolThenHang], vec![]).await;
    let tx = signed_send(3, 0);
    let r = client(&url, 200, 3).broadcast(&tx).await.unwrap();
    assert!(r.ok, "{r:?}");
    assert_eq!(r.code, 0);
    assert_eq!(r.hash, TxHash::of(&tx));
    // Our own earlier post, not someone else's identical transaction.
    assert!(!r.already_known, "{r:?}");
    let posts = d.posts.lock().unwrap().clone();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0], posts[1]);
}

#[tokio::test]
async fn an_outcome_that_stays_unclear_is_outcome_unknown() {
    let (d, url) = start_with(vec![Act::Hang], vec![]).await;
    let tx = signed_send(3, 0);
    let err = client(&url, 100, 1).broadcast(&tx).await.unwrap_err();
    match err {
        ClientError::OutcomeUnknown { hash } => assert_eq!(hash, TxHash::of(&tx)),
        other => panic!("{other:?}"),
    }
    assert_eq!(d.posts.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_definite_rejection_is_neither_looked_up_nor_resent() {
    let (d, url) = start_with(vec![Act::CheckSequence], vec![4]).await;
    *d.account_reads.lock().unwrap() = 1;
    let err = client(&url, 500, 3)
        .broadcast(&signed_send(3, 2))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::InvalidSequence {
                got: 2,
                expected: 4
            }
        ),
        "{err:?}"
    );
    assert_eq!(d.posts.lock().unwrap().len(), 1);
    assert_eq!(*d.tx_lookups.lock().unwrap(), 0);
}

#[tokio::test]
async fn submit_resigns_once_with_the_fresh_sequence() {
    // The first account read says 5, the node then expects 7 (another client sent two txs).
    let (d, url) = start_with(vec![Act::CheckSequence], vec![5, 7]).await;
    let c = client(&url, 500, 3);
    let from = key().address(&Hrp::testnet());
    let mut signs = Vec::new();
    let s = submit(&c, &from, |an: u64, seq: u64| {
        signs.push((an, seq));
        Ok::<_, Infallible>(signed_send(an, seq))
    })
    .await
    .unwrap();
    assert_eq!(signs, [(3, 5), (3, 7)]);
    assert_eq!((s.account_number, s.sequence), (3, 7));
    assert_eq!(s.hash, TxHash::of(&s.tx_bytes));
    let distinct: BTreeSet<String> = d.posts.lock().unwrap().iter().cloned().collect();
    assert_eq!(distinct.len(), 2, "two distinct signed txs");
    assert_eq!(
        *d.tx_lookups.lock().unwrap(),
        1,
        "the rejected tx was looked up first"
    );
    assert_eq!(*d.account_reads.lock().unwrap(), 2);
}

#[tokio::test]
async fn submit_uses_the_nodes_expected_sequence_when_the_account_view_lags() {
    // The account endpoint keeps saying 5; the node expects 7.
    let (d, url) = start_with(vec![Act::CheckSequence], vec![5, 5, 7]).await;
    let c = client(&url, 500, 3);
    let from = key().address(&Hrp::testnet());
    let mut signs = Vec::new();
    let s = submit(&c, &from, |an: u64, seq: u64| {
        signs.push(seq);
        Ok::<_, Infallible>(signed_send(an, seq))
    })
    .await
    .unwrap();
    assert_eq!(signs, [5, 7]);
    assert_eq!(s.sequence, 7);
    assert_eq!(d.posts.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn submit_does_not_resign_when_the_rejected_tx_is_known() {
    // The node says "Invalid sequence", but the tx it refers to landed (e.g. an earlier broadcast
    // of the same bytes went through): no second transaction for this intent.
    let dex = Dex {
        script: vec![Act::RefuseSequence],
        sequences: vec![5, 6],
        ..Dex::default()
    };
    dex.known
        .lock()
        .unwrap()
        .insert(tx_hash_of(&signed_send(3, 5)));
    let (d, url) = start(dex).await;
    let c = client(&url, 500, 3);
    let from = key().address(&Hrp::testnet());
    let mut signs = 0;
    let s = submit(&c, &from, |an: u64, seq: u64| {
        signs += 1;
        Ok::<_, Infallible>(signed_send(an, seq))
    })
    .await
    .unwrap();
    assert_eq!(signs, 1, "signed once");
    assert!(s.result.ok);
    assert_eq!(s.sequence, 5);
    let distinct: BTreeSet<String> = d.posts.lock().unwrap().iter().cloned().collect();
    assert_eq!(distinct.len(), 1, "one distinct signed tx");
    assert_eq!(*d.account_reads.lock().unwrap(), 1);
}

#[tokio::test]
async fn submit_gives_up_after_bounded_resigns() {
    let (d, url) = start_with(vec![Act::RefuseSequence], vec![5, 6, 7, 8, 9]).await;
    let c = client(&url, 500, 3);
    let from = key().address(&Hrp::testnet());
    let err = submit(&c, &from, |an, seq| {
        Ok::<_, Infallible>(signed_send(an, seq))
    })
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            SubmitError::Client(ClientError::InvalidSequence { .. })
        ),
        "{err:?}"
    );
    // The node always expects 9 and still refuses it: the first signature (5) and two
    // re-signs (both with 9, the same bytes), then the error.
    let posts = d.posts.lock().unwrap().clone();
    assert_eq!(posts.len(), 3, "the first broadcast and two re-signs");
    assert_eq!(posts.iter().collect::<BTreeSet<_>>().len(), 2);
}

#[tokio::test]
async fn submit_for_an_unknown_account_posts_nothing() {
    let (d, url) = start_with(vec![Act::Accept], vec![]).await;
    let c = client(&url, 500, 3);
    let from = key().address(&Hrp::testnet());
    let err = submit(&c, &from, |an, seq| {
        Ok::<_, Infallible>(signed_send(an, seq))
    })
    .await
    .unwrap_err();
    assert!(
        matches!(&err, SubmitError::Client(ClientError::UnknownAccount(a)) if *a == from),
        "{err:?}"
    );
    assert!(d.posts.lock().unwrap().is_empty());
}

#[tokio::test]
async fn submit_sends_nothing_when_the_builder_fails() {
    // Regression: a failed build used to return empty bytes, which were broadcast before the
    // error was reported. The builder's own error comes back and no POST reaches the DEX.
    let (d, url) = start_with(vec![Act::Accept], vec![5]).await;
    let c = client(&url, 500, 3);
    let from = key().address(&Hrp::testnet());
    let mut calls = Vec::new();
    let err = submit(&c, &from, |an: u64, seq: u64| {
        calls.push((an, seq));
        Err::<Vec<u8>, _>("price below the tick size")
    })
    .await
    .unwrap_err();
    assert!(
        matches!(err, SubmitError::Build("price below the tick size")),
        "{err:?}"
    );
    assert_eq!(calls, [(3, 5)], "built once, with the DEX's numbers");
    assert!(d.posts.lock().unwrap().is_empty(), "nothing broadcast");
    assert_eq!(*d.tx_lookups.lock().unwrap(), 0);
}

/// A raw server: POSTs are read and the connection dropped without an answer (the tx is taken);
/// GETs of the tx answer found once a POST arrived.
async fn dropping_server() -> (Arc<Mutex<Vec<String>>>, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}", l.local_addr().unwrap().port());
    let posts = Arc::new(Mutex::new(Vec::new()));
    let p = posts.clone();
    tokio::spawn(async move {
        loop {
            let (mut sock, _) = l.accept().await.unwrap();
            let p = p.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut got = Vec::new();
                // Read the head, then as much body as Content-Length says.
                loop {
                    let n = sock.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    got.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&got).to_string();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let len = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap())
                            })
                            .unwrap_or(0);
                        if body.len() < len {
                            continue;
                        }
                        if head.starts_with("POST") {
                            p.lock().unwrap().push(body.to_string());
                            return; // drop the connection without answering
                        }
                        let found = !p.lock().unwrap().is_empty();
                        let (status, body) = if found {
                            (
                                "200 OK",
                                r#"{"code":0,"height":"3","log":"","ok":true,"tx":{}}"#,
                            )
                        } else {
                            ("404 Not Found", r#"{"code":404,"message":"tx not found"}"#)
                        };
                        let resp = format!(
                            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                            body.len()
                        );
                        let _ = sock.write_all(resp.as_bytes()).await;
                        return;
                    }
                }
            });
        }
    });
    (posts, url)
}

#[tokio::test]
async fn a_dropped_connection_is_looked_up_and_not_resent() {
    let (posts, url) = dropping_server().await;
    let tx = signed_send(3, 0);
    let r = client(&url, 1000, 3).broadcast(&tx).await.unwrap();
    assert!(r.ok);
    assert_eq!(r.hash, TxHash::of(&tx));
    let posts = posts.lock().unwrap().clone();
    assert_eq!(posts, [hex::encode(&tx)], "posted exactly once");
}
