//! The HTTP server: hyper's HTTP/1.1 connection driver under the devnet's [`Limits`], so that
//! no client, careless or hostile, can stop the node answering the others.
//!
//! - **Connections**: at most [`Limits::max_connections`] are open at once. When a new one
//!   arrives at the limit, the oldest connection that has no request in progress (an idle
//!   keep-alive connection, or one that has not finished sending a request head; a connection
//!   still writing out an answer its handler has finished counts as idle) is closed to make
//!   room; if every connection has a request in progress, the new one waits in the listen
//!   backlog until one finishes. So idle connections cannot lock anyone out, and an open
//!   connection costs one file descriptor, bounded by the limit.
//! - **Request heads and idle connections**: [`Limits::header_timeout`] runs from the moment a
//!   connection is opened, or has sent its previous answer, until a complete request head has
//!   arrived; a connection that sends half a head and then nothing (slowloris), or sits idle
//!   between keep-alive requests, is closed when it expires.
//! - **Request bodies**: at most [`Limits::max_body_bytes`] (a larger one is answered `413`,
//!   without reading it when its `Content-Length` says so), received within
//!   [`Limits::body_timeout`] (otherwise `408`).
//!
//! Fault delays ([`crate::faults`]) are capped at [`crate::faults::MAX_DELAY_MS`].

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use futures_util::StreamExt;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot, watch};
use tower::ServiceExt;

use crate::Devnet;

/// The devnet's bounds on its HTTP clients (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Open connections at most (default: half the process's open-file limit, at most 1024, so
    /// that connections can never take every descriptor: 64 under `ulimit -n 128`).
    pub max_connections: usize,
    /// Time allowed for a complete request head, counted from the connection being opened or
    /// its previous answer being sent; also the idle keep-alive limit (default 10 s).
    pub header_timeout: Duration,
    /// Time allowed to receive a request body once its head has arrived (default 10 s).
    pub body_timeout: Duration,
    /// Largest request body in bytes (default 1 MiB, far above any transaction).
    pub max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: default_max_connections(),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_body_bytes: 1 << 20,
        }
    }
}

/// Half the soft `RLIMIT_NOFILE`, between 1 and 1024 (100 where it cannot be read).
fn default_max_connections() -> usize {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit only writes the struct it is given.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0 {
            return usize::try_from(lim.rlim_cur / 2)
                .unwrap_or(usize::MAX)
                .clamp(1, 1024);
        }
    }
    100
}

impl Limits {
    /// Refuses limits the server cannot work with.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.max_connections == 0 {
            return Err("the connection limit must be at least 1".into());
        }
        if self.header_timeout.is_zero() || self.body_timeout.is_zero() {
            return Err("the header and body timeouts must be positive".into());
        }
        Ok(())
    }
}

/// One open connection, as the accept loop sees it.
#[derive(Debug, Default)]
struct Conn {
    /// Requests in progress on it (0 or 1 for HTTP/1.1).
    busy: AtomicUsize,
    /// Told to close when the accept loop needs its slot.
    evict: Notify,
}

/// The open connections, by age (ids increase).
#[derive(Debug, Default)]
struct Registry {
    conns: Mutex<BTreeMap<u64, Arc<Conn>>>,
    /// A connection closed or finished a request: the accept loop may find room now.
    changed: Notify,
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<Conn>>> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers connection `id` if there is room, closing the oldest connection without a
    /// request in progress if that is what it takes. `None`: every slot is busy.
    fn admit(&self, id: u64, max: usize) -> Option<Arc<Conn>> {
        let mut conns = self.lock();
        if conns.len() >= max {
            let idle = conns
                .iter()
                .find(|(_, c)| c.busy.load(Ordering::SeqCst) == 0)
                .map(|(&id, _)| id)?;
            if let Some(c) = conns.remove(&idle) {
                c.evict.notify_one();
            }
        }
        let conn = Arc::new(Conn::default());
        conns.insert(id, conn.clone());
        Some(conn)
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
        self.changed.notify_one();
    }
}

/// Marks a connection busy while a request is in progress.
struct Busy(Arc<Conn>, Arc<Registry>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
        self.1.changed.notify_one();
    }
}

/// Serves `app` on `listener` under `limits` until `shutdown` fires (or its sender is dropped),
/// then lets open connections finish their request (waiting at most one header timeout).
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    let registry = Arc::new(Registry::default());
    let (close_tx, close_rx) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut next_id = 0u64;
    'accept: loop {
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((s, _)) => s,
                Err(_) => {
                    // Out of descriptors or a connection reset before it was accepted: wait a
                    // little rather than spin, and keep serving the open connections.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        next_id += 1;
        let conn = loop {
            let changed = registry.changed.notified();
            let mut changed = std::pin::pin!(changed);
            changed.as_mut().enable();
            if let Some(c) = registry.admit(next_id, limits.max_connections) {
                break c;
            }
            tokio::select! {
                _ = changed => {}
                _ = &mut shutdown => break 'accept,
            }
        };
        tokio::spawn(connection(
            stream,
            next_id,
            conn,
            registry.clone(),
            app.clone(),
            limits.header_timeout,
            close_rx.clone(),
        ));
    }
    drop(listener);
    let _ = close_tx.send(true);
    // Idle connections close at once; one mid-request finishes it; one mid-head is closed by
    // its header timeout. Waiting longer than that would let one client delay a shutdown.
    let drained = async {
        loop {
            let changed = registry.changed.notified();
            let mut changed = std::pin::pin!(changed);
            changed.as_mut().enable();
            if registry.lock().is_empty() {
                return;
            }
            changed.await;
        }
    };
    let _ = tokio::time::timeout(limits.header_timeout, drained).await;
    Ok(())
}

async fn connection(
    stream: tokio::net::TcpStream,
    id: u64,
    conn: Arc<Conn>,
    registry: Arc<Registry>,
    app: Router,
    header_timeout: Duration,
    mut close: watch::Receiver<bool>,
) {
    let svc = {
        let (conn, registry) = (conn.clone(), registry.clone());
        hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
            conn.busy.fetch_add(1, Ordering::SeqCst);
            let busy = Busy(conn.clone(), registry.clone());
            let app = app.clone();
            async move {
                let resp = app.oneshot(req.map(Body::new)).await;
                drop(busy);
                resp
            }
        })
    };
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(true);
    // Upgrades (the WebSocket streams) leave this connection's accounting once upgraded; the
    // streams have their own bound (`ws::MAX_SESSIONS`).
    let served = builder
        .serve_connection(TokioIo::new(stream), svc)
        .with_upgrades();
    let mut served = std::pin::pin!(served);
    let mut closing = *close.borrow();
    if closing {
        served.as_mut().graceful_shutdown();
    }
    loop {
        tokio::select! {
            _ = served.as_mut() => break,
            // Dropping the connection closes the socket.
            _ = conn.evict.notified() => break,
            r = close.changed(), if !closing => {
                closing = true;
                if r.is_ok() {
                    served.as_mut().graceful_shutdown();
                }
            }
        }
    }
    registry.remove(id);
}

/// Middleware: receives the request body under [`Limits::max_body_bytes`] and
/// [`Limits::body_timeout`], so that the handlers see a complete, bounded body.
pub(crate) async fn bound_body(
    State(dev): State<Arc<Devnet>>,
    req: Request,
    next: Next,
) -> Response {
    let limits = dev.limits();
    let max = limits.max_body_bytes;
    let too_large = || {
        crate::api::error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body larger than the devnet's limit of {max} bytes"),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    let read = async {
        let mut stream = body.into_data_stream();
        let mut buf = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|_| None)?;
            if buf.len() + chunk.len() > max {
                return Err(Some(()));
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(buf)
    };
    match tokio::time::timeout(limits.body_timeout, read).await {
        Ok(Ok(buf)) => next.run(Request::from_parts(parts, Body::from(buf))).await,
        Ok(Err(Some(()))) => too_large(),
        Ok(Err(None)) => crate::api::error(
            StatusCode::BAD_REQUEST,
            "the request body could not be read",
        ),
        Err(_) => crate::api::error(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "request body not received within the devnet's limit of {} ms",
                limits.body_timeout.as_millis()
            ),
        ),
    }
}
