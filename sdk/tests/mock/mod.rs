//! Small misbehaving DEX servers for the client reliability tests.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::get;
use dexlink::client::{ClientConfig, DexClient, RetryPolicy};
use tokio::net::TcpListener;

/// Serves `app` on a free loopback port; returns its base URL.
pub async fn serve(app: Router) -> String {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}", l.local_addr().unwrap().port());
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    url
}

/// Serves `/api/v1/node-info` answering the `n`-th request (from 0) with `answer(n)`; returns the
/// request counter and the base URL.
pub async fn counted_node_info<F, Fut, R>(answer: F) -> (Arc<AtomicUsize>, String)
where
    F: Fn(usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = R> + Send + 'static,
    R: IntoResponse,
{
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let app = Router::new().route(
        "/api/v1/node-info",
        get(move || answer(h.fetch_add(1, Ordering::SeqCst))),
    );
    (hits, serve(app).await)
}

/// A client with short timeouts and a 10 ms backoff base.
pub fn client(url: &str, timeout_ms: u64, max_retries: u32) -> DexClient {
    DexClient::new(
        url,
        &ClientConfig {
            connect_timeout: Duration::from_millis(500),
            timeout: Duration::from_millis(timeout_ms),
            retry: RetryPolicy {
                max_retries,
                base: Duration::from_millis(10),
                cap: Duration::from_secs(2),
            },
            allow_insecure_loopback: true,
            ..ClientConfig::default()
        },
    )
    .unwrap()
}

pub fn node_info(network: &str) -> serde_json::Value {
    serde_json::json!({"node_info": {"network": network, "version": "0.10.0", "moniker": "mock"}})
}
