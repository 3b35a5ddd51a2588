//! The DEX HTTP client (dex API v1 and the link endpoints), over reqwest with rustls (the *ring*
//! crypto provider, named explicitly: no process-wide rustls default is needed or installed).
//!
//! Timeouts are always set. Idempotent GETs retry with exponential backoff, jitter and
//! `Retry-After`. A broadcast is only ever repeated as the identical bytes, and after an unclear
//! outcome (timeout, dropped connection, 5xx) the client first looks the tx hash up.

mod market;
mod parse;
mod retry;
pub mod stream;
mod submit;
mod tls;
mod types;

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use thiserror::Error;

use crate::address::{Address, ChainId};
use crate::tx::TxHash;

pub use market::{
    ClosedOrderFilter, Depth, DepthLimit, DexTime, FeeFor, FeeParam, FixedFee, Kline,
    KlineInterval, KlineQuery, MarketParamError, Order, OrderList, OrderStatus, PageLimit,
    PriceLevel, Ticker24hr, Trade, TradeFilter, TradePage,
};
pub use retry::RetryPolicy;
pub use submit::{Intent, SubmitError, Submitted, submit, submit_from, submit_signed};
pub use tls::{PemError, TrustedRoot};
pub use types::*;

/// Errors a user can act on, each distinct.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The base URL is not usable.
    #[error("invalid DEX URL {0:?}: {1}")]
    InvalidUrl(String, String),
    /// The account has never been funded (the API answers 404).
    #[error("account {0} is unknown to the DEX: it has never received funds; fund it first")]
    UnknownAccount(Address),
    /// The node rejected the signature.
    #[error("the DEX rejected the signature: {0}")]
    SignatureRejected(String),
    /// The node is on another chain than the transaction or key.
    #[error("the DEX is on chain {got:?}, not {expected:?}")]
    WrongChain {
        /// What we expected.
        expected: ChainId,
        /// What the node reports.
        got: ChainId,
    },
    /// The sequence in the transaction was not the account's.
    #[error("invalid sequence: signed with {got}, the account expects {expected}")]
    InvalidSequence {
        /// Sequence in the tx.
        got: u64,
        /// Sequence the node expects.
        expected: u64,
    },
    /// The node refused the transaction for another reason.
    #[error("the DEX rejected the transaction (code {code}): {message}")]
    Rejected {
        /// ABCI or HTTP code.
        code: i64,
        /// Its message.
        message: String,
    },
    /// Nothing answered at the URL.
    #[error("cannot reach the DEX at {url}: {reason}; check the URL and your network")]
    Unreachable {
        /// The URL tried.
        url: String,
        /// Why.
        reason: String,
    },
    /// TLS failed (certificate, handshake).
    #[error(
        "TLS failure talking to {url}: {reason}; check that the URL is the DEX's https:// address and that its certificate is valid"
    )]
    Tls {
        /// The URL tried.
        url: String,
        /// Why.
        reason: String,
    },
    /// The request timed out.
    #[error("the DEX at {0} did not answer in time")]
    Timeout(String),
    /// Rate limited, still after retries.
    #[error("rate limited by the DEX (HTTP {status}); wait and try again")]
    RateLimited {
        /// 429 or 503.
        status: u16,
        /// The server's `Retry-After`, if any.
        retry_after: Option<Duration>,
    },
    /// Any other HTTP error with the API's error body.
    #[error("the DEX answered HTTP {status}: {message}")]
    Http {
        /// Status.
        status: u16,
        /// Message from the body.
        message: String,
    },
    /// The answer did not parse.
    #[error("unexpected answer from the DEX at {url}: {reason}")]
    Decode {
        /// The URL.
        url: String,
        /// What was wrong.
        reason: String,
    },
    /// A query the DEX would refuse (a bad symbol, an inverted time window); nothing was sent.
    #[error("{0}")]
    InvalidQuery(#[from] MarketParamError),
    /// A field of the answer is missing or does not hold what the API documents.
    #[error("unexpected answer from the DEX at {url}: field {field}: {reason}")]
    BadField {
        /// The URL.
        url: String,
        /// The field's path in the answer, e.g. `asks[0][1]`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The answer's body was larger than the client accepts (a misbehaving or hostile server).
    #[error("the DEX at {url} sent a response larger than {limit} bytes, the client's limit")]
    ResponseTooLarge {
        /// The URL.
        url: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// A broadcast's outcome could not be established; the tx may or may not have landed.
    #[error(
        "outcome unknown for transaction {hash}: the DEX did not confirm it; look the hash up before signing again"
    )]
    OutcomeUnknown {
        /// The tx hash.
        hash: TxHash,
    },
}

impl ClientError {
    /// Whether the failure says nothing about the server's state (safe to retry a GET).
    fn transient(&self) -> bool {
        matches!(
            self,
            Self::Unreachable { .. } | Self::Timeout(_) | Self::RateLimited { .. }
        ) || matches!(self, Self::Http { status, .. } if *status >= 500)
    }
}

/// The largest response body the client reads: the DEX API's answers (markets, orders, an
/// account) are far smaller; a server that sends more is refused rather than buffered.
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

/// Client settings.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// TCP connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Retries for idempotent requests and for confirming broadcasts.
    pub retry: RetryPolicy,
    /// Allow plain `http://` (only ever to loopback, e.g. the local devnet).
    pub allow_insecure_loopback: bool,
    /// Certificates trusted as roots besides the platform's (none by default).
    pub extra_roots: Vec<TrustedRoot>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(20),
            retry: RetryPolicy::default(),
            allow_insecure_loopback: true,
            extra_roots: Vec::new(),
        }
    }
}

/// A DEX API client.
#[derive(Debug, Clone)]
pub struct DexClient {
    http: reqwest::Client,
    base: String,
    retry: RetryPolicy,
    /// Deadline of one exchange, from sending the request to the last byte of the body.
    deadline: Duration,
    /// The most body bytes read from one answer.
    max_response_bytes: usize,
    /// Told of each pause before a retry (see [`DexClient::on_retry_wait`]).
    on_wait: Option<WaitObserver>,
}

/// A pause before a request is retried, as told to the function set with
/// [`DexClient::on_retry_wait`] (for progress messages: the wait can last seconds).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryWait {
    /// How long the client waits before the next attempt.
    pub delay: Duration,
    /// The HTTP status that caused the wait (429 or 503), when the DEX answered one.
    pub status: Option<u16>,
    /// Whether the DEX set the delay itself with `Retry-After`.
    pub server_asked: bool,
}

/// The function told of retry waits; a newtype so that the client stays `Debug`.
#[derive(Clone)]
struct WaitObserver(std::sync::Arc<dyn Fn(RetryWait) + Send + Sync>);

impl std::fmt::Debug for WaitObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WaitObserver")
    }
}

pub(crate) fn is_loopback_http(url: &str) -> bool {
    let rest = match url.strip_prefix("http://") {
        Some(r) => r,
        None => return false,
    };
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = host
        .rsplit_once(':')
        .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host, |(h, _)| h);
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// Decodes a JSON answer, naming the field that does not parse (`balances[0].free: …`).
fn decode<T: DeserializeOwned>(url: String, text: &str) -> Result<T, ClientError> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let reason = if path == "." {
            inner.to_string()
        } else {
            format!("field {path}: {inner}")
        };
        ClientError::Decode { url, reason }
    })
}

impl DexClient {
    /// A client for the DEX at `base_url` (`https://…`, or `http://` to loopback).
    pub fn new(base_url: &str, config: &ClientConfig) -> Result<Self, ClientError> {
        let base = base_url.trim_end_matches('/').to_string();
        let https = base.starts_with("https://");
        let local = is_loopback_http(&base);
        if !(https || (local && config.allow_insecure_loopback)) {
            return Err(ClientError::InvalidUrl(
                base_url.into(),
                "use https:// (plain http:// is allowed only to 127.0.0.1/localhost)".into(),
            ));
        }
        // TLS 1.2 and 1.3 only: the config's protocol versions (see tls.rs). Plain http to this
        // machine (no redirects) never uses TLS: its config loads no root certificates (hundreds
        // of files, half the CPU of a command).
        let tls = if local {
            Ok(tls::no_roots_config(&[tls::HTTP1]))
        } else {
            tls::client_config(&[tls::HTTP1], &config.extra_roots)
        }
        .map_err(|e| ClientError::Tls {
            url: base.clone(),
            reason: format!("cannot set up TLS: {e}"),
        })?;
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .https_only(!local)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("dexlink/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::InvalidUrl(base_url.into(), e.to_string()))?;
        Ok(Self {
            http,
            base,
            retry: config.retry,
            deadline: config.timeout,
            max_response_bytes: MAX_RESPONSE_BYTES,
            on_wait: None,
        })
    }

    /// The same client with another response-size limit (default [`MAX_RESPONSE_BYTES`]).
    pub fn with_max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn transport_error(&self, url: &str, e: reqwest::Error) -> ClientError {
        if e.is_timeout() {
            return ClientError::Timeout(url.into());
        }
        let reason = root_cause(&e);
        if is_tls_failure(&e) {
            ClientError::Tls {
                url: url.into(),
                reason,
            }
        } else {
            ClientError::Unreachable {
                url: url.into(),
                reason,
            }
        }
    }

    /// One HTTP exchange: status, `Retry-After`, body. The whole exchange has a deadline (the
    /// configured timeout, enforced here as well as by the transport) and the body a size limit.
    async fn exchange(
        &self,
        method: Method,
        path: &str,
        body: Option<(String, &'static str)>,
    ) -> Result<(StatusCode, Option<Duration>, String), ClientError> {
        let url = self.url(path);
        match tokio::time::timeout(self.deadline, self.exchange_unbounded(method, &url, body)).await
        {
            Ok(r) => r,
            Err(_) => Err(ClientError::Timeout(url)),
        }
    }

    async fn exchange_unbounded(
        &self,
        method: Method,
        url: &str,
        body: Option<(String, &'static str)>,
    ) -> Result<(StatusCode, Option<Duration>, String), ClientError> {
        let mut req = self.http.request(method, url);
        if let Some((b, ctype)) = body {
            req = req.header(reqwest::header::CONTENT_TYPE, ctype).body(b);
        }
        let mut resp = req.send().await.map_err(|e| self.transport_error(url, e))?;
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(retry::parse_retry_after);
        let too_large = || ClientError::ResponseTooLarge {
            url: url.into(),
            limit: self.max_response_bytes,
        };
        // A declared length over the limit is refused before reading; otherwise the body is
        // read chunk by chunk and refused as soon as it passes the limit.
        if resp
            .content_length()
            .is_some_and(|n| n > self.max_response_bytes as u64)
        {
            return Err(too_large());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| self.transport_error(url, e))?
        {
            if bytes.len() + chunk.len() > self.max_response_bytes {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        // As `Response::text` does: invalid UTF-8 is replaced, the JSON decoder reports it.
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        Ok((status, retry_after, text))
    }

    fn status_error(status: StatusCode, retry_after: Option<Duration>, body: &str) -> ClientError {
        if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE {
            return ClientError::RateLimited {
                status: status.as_u16(),
                retry_after,
            };
        }
        let parsed = serde_json::from_str::<ApiErrorBody>(body).ok();
        let message = parsed
            .as_ref()
            .map(|b| unwrap_log(&b.message))
            .unwrap_or_else(|| body.chars().take(200).collect());
        // Broadcast refusals carry the ABCI code (codespace << 16 | code) in the body.
        let abci = parsed.map(|b| b.code).filter(|&c| c > 0xffff);
        let code = abci.unwrap_or(status.as_u16() as i64);
        classify_rejection(code, &message).unwrap_or(match abci {
            Some(code) => ClientError::Rejected { code, message },
            None => ClientError::Http {
                status: status.as_u16(),
                message,
            },
        })
    }

    /// An idempotent request with retries. `Ok(None)` means 404.
    async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<Option<T>, ClientError> {
        self.idempotent(Method::GET, path, None).await
    }

    async fn idempotent<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
    ) -> Result<Option<T>, ClientError> {
        let mut attempt = 0;
        loop {
            let res = self
                .exchange(
                    method.clone(),
                    path,
                    body.clone().map(|b| (b, "application/json")),
                )
                .await;
            let err = match res {
                Ok((status, _, _)) if status == StatusCode::NOT_FOUND => return Ok(None),
                Ok((status, _, text)) if status.is_success() => {
                    return decode(self.url(path), &text).map(Some);
                }
                Ok((status, ra, text)) => Self::status_error(status, ra, &text),
                Err(e) => e,
            };
            if !err.transient() || attempt >= self.retry.max_retries {
                return Err(err);
            }
            self.pause(attempt, &err).await;
            attempt += 1;
        }
    }

    /// Calls `f` before each pause between retries, with how long the client is about to wait
    /// and why (e.g. to tell a person that the DEX asked to come back in 5 s).
    pub fn on_retry_wait(mut self, f: impl Fn(RetryWait) + Send + Sync + 'static) -> Self {
        self.on_wait = Some(WaitObserver(std::sync::Arc::new(f)));
        self
    }

    /// Waits before retry `attempt` after `err`, honouring a `Retry-After` (capped).
    async fn pause(&self, attempt: u32, err: &ClientError) {
        let (status, ra) = match err {
            ClientError::RateLimited {
                status,
                retry_after,
            } => (Some(*status), *retry_after),
            _ => (None, None),
        };
        let delay = self.retry.delay(attempt, ra);
        if let Some(WaitObserver(f)) = &self.on_wait {
            f(RetryWait {
                delay,
                status,
                server_asked: ra.is_some(),
            });
        }
        tokio::time::sleep(delay).await;
    }

    /// `GET /api/v1/node-info`.
    pub async fn node_info(&self) -> Result<NodeInfo, ClientError> {
        self.get_json("/api/v1/node-info")
            .await?
            .ok_or_else(|| ClientError::Http {
                status: 404,
                message: "node-info not found: is this a DEX API URL?".into(),
            })
    }

    /// The chain id the node reports.
    pub async fn chain_id(&self) -> Result<ChainId, ClientError> {
        Ok(self.node_info().await?.node_info.network)
    }

    /// Fails with [`ClientError::WrongChain`] unless the node is on `expected`.
    pub async fn expect_chain(&self, expected: &ChainId) -> Result<(), ClientError> {
        let got = self.chain_id().await?;
        if &got != expected {
            return Err(ClientError::WrongChain {
                expected: expected.clone(),
                got,
            });
        }
        Ok(())
    }

    /// `GET /api/v1/account/{address}`; an unfunded account is [`ClientError::UnknownAccount`].
    pub async fn account(&self, address: &Address) -> Result<Account, ClientError> {
        self.get_json(&format!("/api/v1/account/{address}"))
            .await?
            .ok_or_else(|| ClientError::UnknownAccount(address.clone()))
    }

    /// `GET /api/v1/account/{address}/sequence`.
    pub async fn sequence(&self, address: &Address) -> Result<u64, ClientError> {
        let r: SequenceResponse = self
            .get_json(&format!("/api/v1/account/{address}/sequence"))
            .await?
            .ok_or_else(|| ClientError::UnknownAccount(address.clone()))?;
        Ok(r.sequence)
    }

    /// `GET /api/v1/markets`.
    pub async fn markets(&self) -> Result<Vec<MarketInfo>, ClientError> {
        Ok(self
            .get_json("/api/v1/markets?limit=1000")
            .await?
            .unwrap_or_default())
    }

    /// `GET /api/v1/tx/{hash}?format=json`; `None` when the node does not know it.
    pub async fn tx(&self, hash: &TxHash) -> Result<Option<TxInfo>, ClientError> {
        self.get_json(&format!("/api/v1/tx/{hash}?format=json"))
            .await
    }

    /// `GET /api/v1/orders/open?address=…`.
    pub async fn open_orders(&self, address: &Address) -> Result<OpenOrders, ClientError> {
        Ok(self
            .get_json(&format!("/api/v1/orders/open?address={address}"))
            .await?
            .unwrap_or(OpenOrders {
                order: vec![],
                total: 0,
            }))
    }

    /// One `POST /api/v1/broadcast?sync=true` of the given bytes, no retry. Prefer
    /// [`DexClient::broadcast`], which handles unclear outcomes.
    pub async fn broadcast_once(&self, tx_bytes: &[u8]) -> Result<BroadcastResult, ClientError> {
        let path = "/api/v1/broadcast?sync=true";
        let (status, ra, text) = self
            .exchange(
                Method::POST,
                path,
                Some((hex::encode(tx_bytes), "text/plain")),
            )
            .await?;
        if !status.is_success() {
            return Err(Self::status_error(status, ra, &text));
        }
        let results: Vec<BroadcastResult> = decode(self.url(path), &text)?;
        let r = results
            .into_iter()
            .next()
            .ok_or_else(|| ClientError::Decode {
                url: self.url(path),
                reason: "empty broadcast result".into(),
            })?;
        if r.code != 0 || !r.ok {
            let message = if r.log.is_empty() {
                r.data.clone()
            } else {
                r.log.clone()
            };
            return Err(
                classify_rejection(r.code, &message).unwrap_or(ClientError::Rejected {
                    code: r.code,
                    message,
                }),
            );
        }
        Ok(r)
    }

    /// Broadcasts signed bytes reliably: on a timeout, dropped connection or 5xx it looks the
    /// hash up before anything else, and only re-sends the identical bytes (never re-signs).
    /// A definite rejection (bad sequence, bad signature…) is returned as is.
    pub async fn broadcast(&self, tx_bytes: &[u8]) -> Result<BroadcastResult, ClientError> {
        let hash = TxHash::of(tx_bytes);
        let mut attempt = 0;
        loop {
            let err = match self.broadcast_once(tx_bytes).await {
                Ok(r) => return Ok(r),
                // The node already holds these exact bytes: after an unclear attempt of ours it
                // is that attempt; on the first post, someone broadcast the identical
                // transaction before us. Either way it is this transaction, not a rejection
                // (docs/security.md §6); the first case is flagged so callers can say so.
                Err(e) if is_already_in_cache(&e) => {
                    return Ok(match self.tx(&hash).await {
                        Ok(Some(info)) => BroadcastResult::found(hash, info, attempt == 0),
                        _ => BroadcastResult {
                            ok: true,
                            hash,
                            code: 0,
                            log: "already in the node's mempool; not yet committed".into(),
                            data: String::new(),
                            already_known: attempt == 0,
                        },
                    });
                }
                // A re-post refused for its sequence may mean our first, unclear post landed.
                Err(e @ ClientError::InvalidSequence { .. }) if attempt > 0 => {
                    if let Ok(Some(info)) = self.tx(&hash).await {
                        return Ok(BroadcastResult::found(hash, info, false));
                    }
                    return Err(e);
                }
                Err(e) if !e.transient() => return Err(e),
                Err(e) => e,
            };
            // Unclear: the node may have taken it. Ask before doing anything else.
            match self.tx(&hash).await {
                Ok(Some(info)) => {
                    return Ok(BroadcastResult::found(hash, info, false));
                }
                Ok(None) => {}
                Err(_) if attempt >= self.retry.max_retries => {
                    return Err(ClientError::OutcomeUnknown { hash });
                }
                Err(_) => {}
            }
            if attempt >= self.retry.max_retries {
                return Err(match err {
                    ClientError::RateLimited { .. } => err,
                    _ => ClientError::OutcomeUnknown { hash },
                });
            }
            self.pause(attempt, &err).await;
            attempt += 1;
        }
    }

    /// `POST /devnet/faucet` (the local devnet only): credits `amount` (decimal) of `asset`.
    pub async fn devnet_faucet(
        &self,
        address: &Address,
        asset: &str,
        amount: &str,
    ) -> Result<Value, ClientError> {
        let body =
            serde_json::json!({"address": address.to_string(), "asset": asset, "amount": amount})
                .to_string();
        self.post_json_once("/devnet/faucet", body).await
    }

    /// `POST /api/v1/link/challenge`.
    pub async fn link_challenge(&self, address: &Address) -> Result<LinkChallenge, ClientError> {
        let body = serde_json::json!({ "address": address.to_string() }).to_string();
        let path = "/api/v1/link/challenge";
        // A challenge is cheap and single-use; asking again after a failure is harmless.
        self.idempotent(Method::POST, path, Some(body))
            .await?
            .ok_or_else(|| ClientError::Http {
                status: 404,
                message: "this DEX does not offer address linking".into(),
            })
    }

    /// `POST /api/v1/link` with a message and its proof (`StdSignature` JSON). Not retried:
    /// the nonce is single-use.
    pub async fn link_submit(
        &self,
        message: &str,
        proof: &Value,
    ) -> Result<LinkAccepted, ClientError> {
        let body = serde_json::json!({ "message": message, "signature": proof }).to_string();
        self.post_json_once("/api/v1/link", body).await
    }

    /// One POST of a JSON body, no retry; a non-2xx answer is an error, a 2xx one is decoded.
    async fn post_json_once<T: DeserializeOwned>(
        &self,
        path: &str,
        body: String,
    ) -> Result<T, ClientError> {
        let (status, ra, text) = self
            .exchange(Method::POST, path, Some((body, "application/json")))
            .await?;
        if status == StatusCode::UNAUTHORIZED {
            // A 401 names the failed check (docs/link-proofs.md); only `bad-signature` is about the
            // signature, the others (expired, nonce, domain…) need a new challenge.
            let message = serde_json::from_str::<ApiErrorBody>(&text)
                .map(|b| b.message)
                .unwrap_or_else(|_| text.chars().take(200).collect());
            return Err(if message.starts_with("bad-signature") {
                ClientError::SignatureRejected(message)
            } else {
                ClientError::Http {
                    status: 401,
                    message,
                }
            });
        }
        if !status.is_success() {
            return Err(Self::status_error(status, ra, &text));
        }
        decode(self.url(path), &text)
    }

    /// `GET /api/v1/link/{address}`; `None` when not linked.
    pub async fn link_status(&self, address: &Address) -> Result<Option<LinkStatus>, ClientError> {
        self.get_json(&format!("/api/v1/link/{address}")).await
    }
}

/// Recognises the chain's rejection messages: invalid sequence (ABCI 65539), signature
/// verification failure (401 / ABCI 65540).
pub fn classify_rejection(code: i64, message: &str) -> Option<ClientError> {
    if let Some((got, expected)) = parse_invalid_sequence(message) {
        return Some(ClientError::InvalidSequence { got, expected });
    }
    let lower = message.to_lowercase();
    if code == 65540 || code == 401 || lower.contains("signature verification failed") {
        return Some(ClientError::SignatureRejected(message.into()));
    }
    if lower.contains("wrong chain") || lower.contains("chain id") {
        return Some(ClientError::Rejected {
            code,
            message: message.into(),
        });
    }
    None
}

/// Tendermint's mempool cache answer to bytes it already holds.
fn is_already_in_cache(e: &ClientError) -> bool {
    match e {
        ClientError::Rejected { message, .. } | ClientError::Http { message, .. } => message
            .to_ascii_lowercase()
            .contains("tx already exists in cache"),
        _ => false,
    }
}

/// A node log is often itself JSON (`{"codespace":1,"code":3,"abci_code":…,"message":"…"}`);
/// the inner message is what a user needs.
fn unwrap_log(message: &str) -> String {
    serde_json::from_str::<Value>(message)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| message.to_string())
}

/// Parses `Invalid sequence. Got X, expected Y` anywhere in a message.
pub fn parse_invalid_sequence(message: &str) -> Option<(u64, u64)> {
    let rest = &message[message.find("Invalid sequence. Got ")? + "Invalid sequence. Got ".len()..];
    let (got, rest) = rest.split_once(", expected ")?;
    let expected: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((got.trim().parse().ok()?, expected.parse().ok()?))
}

/// The chain of causes under a transport error, outermost first. rustls and OS errors reach
/// us wrapped in `io::Error`s, whose `source()` skips the wrapped error itself, so each one is
/// unwrapped with `get_ref`.
fn causes(e: &reqwest::Error) -> impl Iterator<Item = &(dyn std::error::Error + 'static)> {
    let first: &(dyn std::error::Error + 'static) = e;
    std::iter::successors(Some(first), |err| {
        match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        }
    })
}

/// The innermost message of an error chain ("connection refused", "invalid peer certificate:
/// UnknownIssuer"): the outer layers only say "error sending request" and "client error".
fn root_cause(e: &reqwest::Error) -> String {
    causes(e).last().map(|c| c.to_string()).unwrap_or_default()
}

/// Whether a transport error is TLS failing (certificate, handshake, a peer that does not speak
/// TLS) rather than the DEX being unreachable.
fn is_tls_failure(e: &reqwest::Error) -> bool {
    causes(e).any(|c| c.downcast_ref::<rustls::Error>().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_errors_are_recognised() {
        // docs/security.md §5 (the complete log example: docs/dex-api.md §4): the log of a rejected tx.
        let log = r#"{"codespace":1,"code":3,"abci_code":65539,"message":"Invalid sequence. Got 9093055, expected 7407405"}"#;
        assert_eq!(parse_invalid_sequence(log), Some((9093055, 7407405)));
        assert!(matches!(
            classify_rejection(65539, log),
            Some(ClientError::InvalidSequence {
                got: 9093055,
                expected: 7407405
            })
        ));
        assert!(matches!(
            classify_rejection(401, "signature verification failed"),
            Some(ClientError::SignatureRejected(_))
        ));
    }

    #[test]
    fn plain_http_only_to_loopback() {
        let c = ClientConfig::default();
        assert!(DexClient::new("http://127.0.0.1:8080", &c).is_ok());
        assert!(DexClient::new("http://localhost:8080/", &c).is_ok());
        assert!(DexClient::new("http://dex.example", &c).is_err());
        assert!(DexClient::new("http://127.0.0.1.evil.example", &c).is_err());
        assert!(DexClient::new("https://dex.example", &c).is_ok());
    }
}
