//! Fault injection for tests: slow answers, error statuses, and connections dropped after a
//! broadcast was committed — the unclear outcomes a reliable client must survive.
//!
//! Set with `POST /devnet/faults` (loopback only, like the whole node):
//! `{"delay_ms": 200, "fail_status": 429, "fail_count": 2, "retry_after": 1,
//!   "drop_after_commit": 1}`; `GET /devnet/faults` shows what is pending. Fields left out are
//! reset to "no fault". `delay_ms` is at most [`MAX_DELAY_MS`] (60 s); a larger one is refused
//! with 400, so one request cannot stall the node's answers indefinitely.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::Devnet;

/// The longest delay `POST /devnet/faults` accepts, in milliseconds (60 s).
pub const MAX_DELAY_MS: u64 = 60_000;

/// The faults still to inject.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Delay every answer by this many milliseconds (at most [`MAX_DELAY_MS`]).
    pub delay_ms: u64,
    /// Answer the next `fail_count` requests with this status (e.g. 429, 500, 503)...
    pub fail_status: Option<u16>,
    /// ...this many of them...
    pub fail_count: u32,
    /// ...with this `Retry-After` (seconds), if given.
    pub retry_after: Option<u64>,
    /// Commit the next N broadcasts, then drop the connection instead of answering.
    pub drop_after_commit: u32,
}

/// Shared fault settings.
#[derive(Debug, Default)]
pub struct FaultSwitch(Mutex<Faults>);

impl FaultSwitch {
    /// Replaces the pending faults.
    pub fn set(&self, f: Faults) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = f;
    }
    /// The pending faults.
    pub fn get(&self) -> Faults {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
    fn take_failure(&self) -> Option<(u16, Option<u64>)> {
        let mut f = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match f.fail_status {
            Some(s) if f.fail_count > 0 => {
                f.fail_count -= 1;
                Some((s, f.retry_after))
            }
            _ => None,
        }
    }
    fn take_drop(&self) -> bool {
        let mut f = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if f.drop_after_commit > 0 {
            f.drop_after_commit -= 1;
            true
        } else {
            false
        }
    }
}

/// Middleware applying the pending faults to every request except the fault endpoint itself.
pub(crate) async fn apply(State(dev): State<Arc<Devnet>>, req: Request, next: Next) -> Response {
    if req.uri().path() == "/devnet/faults" {
        return next.run(req).await;
    }
    let delay = dev.faults.get().delay_ms;
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if let Some((status, retry_after)) = dev.faults.take_failure() {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = crate::api::error(status, "injected fault").into_response();
        if let Some(s) = retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        return resp;
    }
    let is_broadcast = req.uri().path() == "/api/v1/broadcast";
    let resp = next.run(req).await;
    if is_broadcast && resp.status().is_success() && dev.faults.take_drop() {
        // The transaction is committed; the client only sees the connection break mid-answer.
        let (parts, _) = resp.into_parts();
        let broken = futures_util::stream::once(async {
            Err::<axum::body::Bytes, std::io::Error>(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "injected: connection dropped after commit",
            ))
        });
        return Response::from_parts(parts, Body::from_stream(broken));
    }
    resp
}
