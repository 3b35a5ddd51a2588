//! GET reliability of the DEX client against misbehaving servers: Retry-After honoured, bounded
//! retries, no retry on definite answers, timeouts, refused connections, chain checks.

mod mock;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

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

#[tokio::test]
async fn get_waits_for_retry_after_then_succeeds() {
    let (hits, url) = counted_node_info(|n| async move {
        if n == 0 {
            let mut headers = HeaderMap::new();
            headers.insert("retry-after", "1".parse().unwrap());
            (StatusCode::SERVICE_UNAVAILABLE, headers, "busy").into_response()
        } else {
            axum::Json(node_info("Binance-Chain-Ganges")).into_response()
        }
    })
    .await;
    let c = client(&url, 1000, 3);
    let start = Instant::now();
    assert_eq!(c.chain_id().await.unwrap(), "Binance-Chain-Ganges");
    let waited = start.elapsed();
    assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
    assert!(waited < Duration::from_millis(1900), "waited {waited:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn get_gives_up_after_max_retries_with_rate_limited() {
    let (hits, url) =
        counted_node_info(|_| async { (StatusCode::TOO_MANY_REQUESTS, "slow down") }).await;
    let c = client(&url, 1000, 3);
    let start = Instant::now();
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
    // Backoff with base 10 ms: at most 10 + 20 + 40 ms of sleep.
    assert!(start.elapsed() < Duration::from_millis(800));
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
    assert_eq!(c.chain_id().await.unwrap(), "X");
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
        matches!(&err, ClientError::UnknownAccount(a) if *a == addr().to_string()),
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
    let (hits, url) = counted_node_info(|_| async {
        tokio::time::sleep(Duration::from_secs(3)).await;
        axum::Json(node_info("X"))
    })
    .await;
    let start = Instant::now();
    let err = client(&url, 100, 0).node_info().await.unwrap_err();
    assert!(matches!(err, ClientError::Timeout(_)), "{err:?}");
    assert!(start.elapsed() < Duration::from_millis(600));
    // Timeouts are retried for GETs, within the retry budget.
    let err = client(&url, 100, 2).node_info().await.unwrap_err();
    assert!(matches!(err, ClientError::Timeout(_)), "{err:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn a_refused_connection_is_unreachable() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    let c = client(&format!("http://127.0.0.1:{port}"), 500, 2);
    let start = Instant::now();
    let err = c.node_info().await.unwrap_err();
    assert!(matches!(err, ClientError::Unreachable { .. }), "{err:?}");
    assert!(start.elapsed() < Duration::from_millis(800));
}

#[tokio::test]
async fn expect_chain_names_both_chains() {
    let (_, url) =
        counted_node_info(|_| async { axum::Json(node_info("Binance-Chain-Tigris")) }).await;
    let c = client(&url, 1000, 0);
    c.expect_chain("Binance-Chain-Tigris").await.unwrap();
    let err = c.expect_chain("Binance-Chain-Ganges").await.unwrap_err();
    match err {
        ClientError::WrongChain { expected, got } => {
            assert_eq!(expected, "Binance-Chain-Ganges");
            assert_eq!(got, "Binance-Chain-Tigris");
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
