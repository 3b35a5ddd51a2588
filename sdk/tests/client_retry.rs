//! GET reliability of the DEX client against misbehaving servers: Retry-After honoured, bounded
//! retries, no retry on definite answers, timeouts, refused connections, chain checks.

mod mock;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use dexlink::client::ClientError;
use mock::*;

fn counter() -> Arc<AtomicUsize> {
    Arc::new(AtomicUsize::new(0))
}

fn addr() -> dexlink::Address {
    dexlink::PrivateKey::from_bytes(&[7; 32])
        .unwrap()
        .address(&dexlink::Hrp::testnet())
}

/// A log of events, in the order they happened.
type Events = Arc<Mutex<Vec<&'static str>>>;

#[tokio::test]
async fn get_waits_for_retry_after_then_succeeds() {
    let events: Events = Arc::default();
    let log = events.clone();
    let (hits, url) = counted_node_info(move |n| {
        let log = log.clone();
        async move {
            if n == 0 {
                log.lock().unwrap().push("busy, retry after 1 s");
                // A second clock started as the answer goes out: a client that honours
                // Retry-After comes back only after it has run out.
                let timer = log.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    timer.lock().unwrap().push("1 s elapsed");
                });
                let mut headers = HeaderMap::new();
                headers.insert("retry-after", "1".parse().unwrap());
                (StatusCode::SERVICE_UNAVAILABLE, headers, "busy").into_response()
            } else {
                log.lock().unwrap().push("retried");
                axum::Json(node_info("Binance-Chain-Ganges")).into_response()
            }
        }
    })
    .await;
    // The backoff base is 10 ms: only Retry-After can make the client wait a second.
    let c = client(&url, 1000, 3);
    assert_eq!(c.chain_id().await.unwrap().as_str(), "Binance-Chain-Ganges");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    assert_eq!(
        *events.lock().unwrap(),
        ["busy, retry after 1 s", "1 s elapsed", "retried"]
    );
}

#[tokio::test]
async fn get_gives_up_after_max_retries_with_rate_limited() {
    let (hits, url) =
        counted_node_info(|_| async { (StatusCode::TOO_MANY_REQUESTS, "slow down") }).await;
    let c = client(&url, 1000, 3);
    let err = c.node_info().await.unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::RateLimited {
                status: 429,
                retry_after: None
            }
        ),
        "{err:?}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 4, "one try and three retries");
}

#[tokio::test]
async fn get_retries_a_500_then_succeeds() {
    let (hits, url) = counted_node_info(|n| async move {
        if n < 2 {
            (StatusCode::BAD_GATEWAY, "upstream").into_response()
        } else {
            axum::Json(node_info("X")).into_response()
        }
    })
    .await;
    let c = client(&url, 1000, 3);
    assert_eq!(c.chain_id().await.unwrap().as_str(), "X");
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn no_retry_on_404_or_400() {
    let hits = counter();
    let (h1, h2) = (hits.clone(), hits.clone());
    let app = Router::new()
        .route(
            "/api/v1/account/{a}",
            get(move || {
                h1.fetch_add(1, Ordering::SeqCst);
                async {
                    (
                        StatusCode::NOT_FOUND,
                        r#"{"code":404,"message":"account not found"}"#,
                    )
                }
            }),
        )
        .route(
            "/api/v1/markets",
            get(move || {
                h2.fetch_add(1, Ordering::SeqCst);
                async {
                    (
                        StatusCode::BAD_REQUEST,
                        r#"{"code":400,"message":"bad limit"}"#,
                    )
                }
            }),
        );
    let c = client(&serve(app).await, 1000, 3);
    let err = c.account(&addr()).await.unwrap_err();
    assert!(
        matches!(&err, ClientError::UnknownAccount(a) if *a == addr()),
        "{err:?}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    // A bare 404 with an empty body (the node api-server's way) is an unknown account too.
    let err = c.sequence(&addr()).await.unwrap_err();
    assert!(matches!(err, ClientError::UnknownAccount(_)), "{err:?}");
    let err = c.markets().await.unwrap_err();
    assert!(
        matches!(&err, ClientError::Http { status: 400, message } if message == "bad limit"),
        "{err:?}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_slow_server_times_out() {
    let answered = Arc::new(AtomicUsize::new(0));
    let done = answered.clone();
    let (hits, url) = counted_node_info(move |_| {
        let done = done.clone();
        async move {
            tokio::time::sleep(Duration::from_secs(30)).await;
            done.fetch_add(1, Ordering::SeqCst);
            axum::Json(node_info("X"))
        }
    })
    .await;
    let err = client(&url, 100, 0).node_info().await.unwrap_err();
    assert!(matches!(err, ClientError::Timeout(_)), "{err:?}");
    // The client gave up before the server answered: it did not wait the answer out.
    assert_eq!(
        (hits.load(Ordering::SeqCst), answered.load(Ordering::SeqCst)),
        (1, 0)
    );
    // Timeouts are retried for GETs, within the retry budget.
    let err = client(&url, 100, 2).node_info().await.unwrap_err();
    assert!(matches!(err, ClientError::Timeout(_)), "{err:?}");
    assert_eq!(
        (hits.load(Ordering::SeqCst), answered.load(Ordering::SeqCst)),
        (4, 0)
    );
}

#[tokio::test]
async fn a_refused_connection_is_unreachable() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    let c = client(&format!("http://127.0.0.1:{port}"), 500, 2);
    let err = c.node_info().await.unwrap_err();
    assert!(
        matches!(&err, ClientError::Unreachable { url, .. } if *url == format!("http://127.0.0.1:{port}/api/v1/node-info")),
        "{err:?}"
    );
}

#[tokio::test]
async fn expect_chain_names_both_chains() {
    let (_, url) =
        counted_node_info(|_| async { axum::Json(node_info("Binance-Chain-Tigris")) }).await;
    let c = client(&url, 1000, 0);
    c.expect_chain(&"Binance-Chain-Tigris".parse().unwrap())
        .await
        .unwrap();
    let err = c
        .expect_chain(&"Binance-Chain-Ganges".parse().unwrap())
        .await
        .unwrap_err();
    match err {
        ClientError::WrongChain { expected, got } => {
            assert_eq!(expected.as_str(), "Binance-Chain-Ganges");
            assert_eq!(got.as_str(), "Binance-Chain-Tigris");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_garbled_answer_is_a_decode_error_not_a_retry() {
    let (hits, url) = counted_node_info(|_| async { "<html>captive portal</html>" }).await;
    let err = client(&url, 1000, 3).node_info().await.unwrap_err();
    assert!(matches!(err, ClientError::Decode { .. }), "{err:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn link_refusals_name_the_failed_check() {
    let app = Router::new().route(
        "/api/v1/link",
        axum::routing::post(|body: String| async move {
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            let code = v["message"].as_str().unwrap().to_string();
            (
                StatusCode::UNAUTHORIZED,
                axum::Json(serde_json::json!({"code": 401, "message": format!("{code}: refused")})),
            )
        }),
    );
    let c = client(&serve(app).await, 1000, 3);
    let proof = serde_json::json!({});
    let err = c.link_submit("invalid-nonce", &proof).await.unwrap_err();
    assert!(
        matches!(&err, ClientError::Http { status: 401, message } if message == "invalid-nonce: refused"),
        "{err:?}"
    );
    let err = c.link_submit("expired", &proof).await.unwrap_err();
    assert!(
        matches!(&err, ClientError::Http { status: 401, .. }),
        "{err:?}"
    );
    let err = c.link_submit("bad-signature", &proof).await.unwrap_err();
    assert!(matches!(err, ClientError::SignatureRejected(_)), "{err:?}");
}
