//! The DEX's WebSocket streams on `/api/ws`: one connection, topics subscribed by message
//! (`{"method": "subscribe", "topic": …}`), every pushed message `{"stream": T, "data": …}`
//! parsed into a typed [`StreamEvent`] (docs/dex-api.md, "Client view: market data and
//! streams").
//!
//! Messages are bounded ([`StreamConfig::max_message_bytes`]); a message that breaks the
//! documented shape is a [`StreamError::BadMessage`] naming the field; the server closing or
//! dropping the connection is a [`StreamError::Closed`], never a hang or a panic.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use thiserror::Error;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::error::{CapacityError, Error as WsError};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use super::market::{KlineInterval, OrderStatus, PriceLevel, level};
use super::parse::{self, Obj, Parsed, bad};
use crate::address::Address;
use crate::amount::Fixed8;
use crate::tx::{OrderId, Side, TimeInForce};

/// The largest stream message the client accepts by default: the DEX's pushes (a page of
/// execution reports, 20 levels of depth) are far smaller.
pub const MAX_MESSAGE_BYTES: usize = 1024 * 1024;

/// Why a stream could not be opened or read.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StreamError {
    /// The base URL is not usable.
    #[error("invalid DEX URL {0:?}: {1}")]
    InvalidUrl(String, String),
    /// The connection or the WebSocket handshake failed.
    #[error("cannot open the DEX's stream at {url}: {reason}")]
    Connect {
        /// The stream URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// TLS failed (certificate, handshake, or a server that does not speak TLS), or could not be
    /// set up (no root certificate could be loaded).
    #[error(
        "TLS failure opening the DEX's stream at {url}: {reason}; check that the URL is the DEX's https:// address and that its certificate is valid"
    )]
    Tls {
        /// The stream URL.
        url: String,
        /// Why, in rustls's words.
        reason: String,
    },
    /// Opening the stream or sending to it took longer than the configured timeout.
    #[error("the DEX's stream at {0} did not answer in time")]
    Timeout(String),
    /// The DEX closed the stream or the connection dropped.
    #[error("the DEX's stream at {url} closed: {reason}")]
    Closed {
        /// The stream URL.
        url: String,
        /// The close reason, or what ended the connection.
        reason: String,
    },
    /// A message was larger than the client accepts.
    #[error(
        "the DEX's stream at {url} sent a message larger than {limit} bytes, the client's limit"
    )]
    MessageTooLarge {
        /// The stream URL.
        url: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// A message did not have the documented shape.
    #[error("unexpected message on the DEX's stream at {url}: field {field}: {reason}")]
    BadMessage {
        /// The stream URL.
        url: String,
        /// The field's path in the message, e.g. `data[0].X`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Stream settings.
#[derive(Debug, Clone)]
pub struct StreamConfig {
    /// Deadline for opening the stream (TCP, TLS, handshake) and for each message sent.
    pub timeout: Duration,
    /// The largest message accepted.
    pub max_message_bytes: usize,
    /// Allow plain `ws://` (only ever to loopback, e.g. the local devnet).
    pub allow_insecure_loopback: bool,
    /// Certificates trusted as roots besides the platform's (none by default).
    pub extra_roots: Vec<super::TrustedRoot>,
}

impl Default for StreamConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(20),
            max_message_bytes: MAX_MESSAGE_BYTES,
            allow_insecure_loopback: true,
            extra_roots: Vec::new(),
        }
    }
}

/// A topic to subscribe to, as the DEX names them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Subscription {
    /// Execution reports of an address's orders (`orders`).
    Orders(Address),
    /// Balance updates of an address (`accounts`).
    Accounts(Address),
    /// Trades of markets (`trades`).
    Trades(Vec<String>),
    /// The top 20 levels of markets' books (`marketDepth`).
    MarketDepth(Vec<String>),
    /// Klines of markets (`kline_<interval>`).
    Kline(KlineInterval, Vec<String>),
    /// 24-hour tickers of markets (`ticker`).
    Ticker(Vec<String>),
}

impl Subscription {
    /// The topic's name.
    pub fn topic(&self) -> String {
        match self {
            Self::Orders(_) => "orders".into(),
            Self::Accounts(_) => "accounts".into(),
            Self::Trades(_) => "trades".into(),
            Self::MarketDepth(_) => "marketDepth".into(),
            Self::Kline(i, _) => format!("kline_{i}"),
            Self::Ticker(_) => "ticker".into(),
        }
    }

    /// The `subscribe` or `unsubscribe` message for this topic.
    fn message(&self, method: &str) -> Value {
        match self {
            Self::Orders(a) | Self::Accounts(a) => {
                json!({"method": method, "topic": self.topic(), "userAddress": a.to_string()})
            }
            Self::Trades(s) | Self::MarketDepth(s) | Self::Kline(_, s) | Self::Ticker(s) => {
                json!({"method": method, "topic": self.topic(), "symbols": s})
            }
        }
    }
}

/// What happened to an order (`x` of an execution report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExecutionType {
    /// Placed.
    New,
    /// Filled, partly or wholly.
    Trade,
    /// Cancelled.
    Canceled,
    /// Expired.
    Expired,
}

impl std::fmt::Display for ExecutionType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::New => "NEW",
            Self::Trade => "TRADE",
            Self::Canceled => "CANCELED",
            Self::Expired => "EXPIRED",
        })
    }
}

impl std::str::FromStr for ExecutionType {
    type Err = super::MarketParamError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "NEW" => Ok(Self::New),
            "TRADE" => Ok(Self::Trade),
            "CANCELED" => Ok(Self::Canceled),
            "EXPIRED" => Ok(Self::Expired),
            _ => Err(super::MarketParamError::ExecutionType(s.into())),
        }
    }
}

/// One order update of the `orders` topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionReport {
    /// Event height or time, as the DEX sends it (`E`).
    pub event: u64,
    /// The market.
    pub symbol: String,
    /// Buy or sell.
    pub side: Side,
    /// GTE or IOC.
    pub time_in_force: TimeInForce,
    /// The quantity ordered.
    pub quantity: Fixed8,
    /// The limit price.
    pub price: Fixed8,
    /// What happened.
    pub execution_type: ExecutionType,
    /// The order's status now.
    pub status: OrderStatus,
    /// The order.
    pub order_id: OrderId,
    /// Quantity of this fill.
    pub last_executed_quantity: Fixed8,
    /// Quantity filled so far.
    pub cumulate_quantity: Fixed8,
    /// Price of this fill.
    pub last_executed_price: Fixed8,
    /// The fee of the block (`"0.00010000BNB"`, `;`-joined for several assets), when any.
    pub fee: Option<String>,
    /// Transaction time (milliseconds since the epoch).
    pub transaction_time_ms: u64,
    /// This fill's trade id, when any.
    pub trade_id: Option<String>,
    /// When the order was placed (milliseconds since the epoch).
    pub create_time_ms: u64,
}

/// One balance of an `accounts` update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceUpdate {
    /// The asset.
    pub asset: String,
    /// Free amount.
    pub free: Fixed8,
    /// Locked by open orders.
    pub locked: Fixed8,
    /// Frozen.
    pub frozen: Fixed8,
}

/// An `accounts` update: the balances that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountUpdate {
    /// Event height or time, as the DEX sends it (`E`).
    pub event: u64,
    /// The balances.
    pub balances: Vec<BalanceUpdate>,
}

/// One trade of the `trades` topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamTrade {
    /// Event height or time (`E`).
    pub event: u64,
    /// The market.
    pub symbol: String,
    /// The trade id.
    pub trade_id: String,
    /// The price.
    pub price: Fixed8,
    /// The quantity.
    pub quantity: Fixed8,
    /// The buy order.
    pub buyer_order_id: OrderId,
    /// The sell order.
    pub seller_order_id: OrderId,
    /// Trade time (milliseconds since the epoch).
    pub time_ms: u64,
}

/// A `marketDepth` push: the top levels of one book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepthSnapshot {
    /// The update id.
    pub last_update_id: u64,
    /// Buy levels, best first.
    pub bids: Vec<PriceLevel>,
    /// Sell levels, best first.
    pub asks: Vec<PriceLevel>,
}

/// A `kline_<interval>` push: the current bar of one market.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KlineUpdate {
    /// Event time (`E`).
    pub event: u64,
    /// The market.
    pub symbol: String,
    /// The bar width.
    pub interval: KlineInterval,
    /// Bar start (milliseconds since the epoch).
    pub open_time_ms: u64,
    /// Bar end (milliseconds since the epoch).
    pub close_time_ms: u64,
    /// Opening price.
    pub open: Fixed8,
    /// Closing (latest) price.
    pub close: Fixed8,
    /// Highest price.
    pub high: Fixed8,
    /// Lowest price.
    pub low: Fixed8,
    /// Base asset volume.
    pub volume: Fixed8,
    /// Quote asset volume.
    pub quote_volume: Fixed8,
    /// Number of trades.
    pub trades: u64,
    /// Whether the bar is final.
    pub closed: bool,
}

/// A `ticker` push: 24-hour statistics of one market.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TickerUpdate {
    /// Event time (`E`).
    pub event: u64,
    /// The market.
    pub symbol: String,
    /// Last price.
    pub last_price: Fixed8,
    /// Opening price.
    pub open_price: Fixed8,
    /// Highest price.
    pub high_price: Fixed8,
    /// Lowest price.
    pub low_price: Fixed8,
    /// Best bid.
    pub bid_price: Fixed8,
    /// Best ask.
    pub ask_price: Fixed8,
    /// Base asset volume.
    pub volume: Fixed8,
    /// Quote asset volume.
    pub quote_volume: Fixed8,
    /// Number of trades.
    pub count: u64,
}

/// One pushed message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamEvent {
    /// `orders`: execution reports.
    Orders(Vec<ExecutionReport>),
    /// `accounts`: balances.
    Account(AccountUpdate),
    /// `trades`: trades.
    Trades(Vec<StreamTrade>),
    /// `marketDepth`: a book snapshot.
    MarketDepth(DepthSnapshot),
    /// `kline_<interval>`: a bar.
    Kline(KlineUpdate),
    /// `ticker`: statistics.
    Ticker(TickerUpdate),
    /// A stream this client does not type (`marketDiff`, `blockheight`…), as sent.
    Other {
        /// The stream's name.
        stream: String,
        /// Its data.
        data: Value,
    },
}

fn execution_report(v: &Value, path: &str) -> Parsed<ExecutionReport> {
    let o = Obj::new(v, path)?;
    Ok(ExecutionReport {
        event: o.req("E", parse::u64_)?,
        symbol: o.req("s", parse::string)?,
        side: o.req("S", parse::side)?,
        time_in_force: o.req("f", parse::time_in_force)?,
        quantity: o.req("q", parse::fixed8)?,
        price: o.req("p", parse::fixed8)?,
        execution_type: o.req("x", parse::parsed::<ExecutionType>)?,
        status: o.req("X", parse::parsed::<OrderStatus>)?,
        order_id: o.req("i", parse::order_id)?,
        last_executed_quantity: o.req("l", parse::fixed8)?,
        cumulate_quantity: o.req("z", parse::fixed8)?,
        last_executed_price: o.req("L", parse::fixed8)?,
        fee: o.opt_nonempty("n", parse::string)?,
        transaction_time_ms: o.req("T", parse::u64_)?,
        trade_id: o.opt_nonempty("t", parse::id_string)?,
        create_time_ms: o.req("O", parse::u64_)?,
    })
}

fn account_update(v: &Value, path: &str) -> Parsed<AccountUpdate> {
    let o = Obj::new(v, path)?;
    Ok(AccountUpdate {
        event: o.req("E", parse::u64_)?,
        balances: o.list("B", |b, p| {
            let b = Obj::new(b, p)?;
            Ok(BalanceUpdate {
                asset: b.req("a", parse::string)?,
                free: b.req("f", parse::fixed8)?,
                locked: b.req("l", parse::fixed8)?,
                frozen: b.req("r", parse::fixed8)?,
            })
        })?,
    })
}

fn stream_trade(v: &Value, path: &str) -> Parsed<StreamTrade> {
    let o = Obj::new(v, path)?;
    Ok(StreamTrade {
        event: o.req("E", parse::u64_)?,
        symbol: o.req("s", parse::string)?,
        trade_id: o.req("t", parse::id_string)?,
        price: o.req("p", parse::fixed8)?,
        quantity: o.req("q", parse::fixed8)?,
        buyer_order_id: o.req("b", parse::order_id)?,
        seller_order_id: o.req("a", parse::order_id)?,
        time_ms: o.req("T", parse::u64_)?,
    })
}

fn depth_snapshot(v: &Value, path: &str) -> Parsed<DepthSnapshot> {
    let o = Obj::new(v, path)?;
    Ok(DepthSnapshot {
        last_update_id: o.req("lastUpdateId", parse::u64_)?,
        bids: o.list("bids", level)?,
        asks: o.list("asks", level)?,
    })
}

fn boolean(v: &Value, path: &str) -> Parsed<bool> {
    v.as_bool()
        .map_or_else(|| bad(path, format!("expected true or false, got {v}")), Ok)
}

fn kline_update(v: &Value, path: &str) -> Parsed<KlineUpdate> {
    let o = Obj::new(v, path)?;
    let k = Obj::new(o.get("k")?, &o.path_of("k"))?;
    Ok(KlineUpdate {
        event: o.req("E", parse::u64_)?,
        symbol: o.req("s", parse::string)?,
        interval: k.req("i", parse::parsed::<KlineInterval>)?,
        open_time_ms: k.req("t", parse::u64_)?,
        close_time_ms: k.req("T", parse::u64_)?,
        open: k.req("o", parse::fixed8)?,
        close: k.req("c", parse::fixed8)?,
        high: k.req("h", parse::fixed8)?,
        low: k.req("l", parse::fixed8)?,
        volume: k.req("v", parse::fixed8)?,
        quote_volume: k.req("q", parse::fixed8)?,
        trades: k.req("n", parse::u64_)?,
        closed: k.req("x", boolean)?,
    })
}

fn ticker_update(v: &Value, path: &str) -> Parsed<TickerUpdate> {
    let o = Obj::new(v, path)?;
    Ok(TickerUpdate {
        event: o.req("E", parse::u64_)?,
        symbol: o.req("s", parse::string)?,
        last_price: o.req("c", parse::fixed8)?,
        open_price: o.req("o", parse::fixed8)?,
        high_price: o.req("h", parse::fixed8)?,
        low_price: o.req("l", parse::fixed8)?,
        bid_price: o.req("b", parse::fixed8)?,
        ask_price: o.req("a", parse::fixed8)?,
        volume: o.req("v", parse::fixed8)?,
        quote_volume: o.req("q", parse::fixed8)?,
        count: o.req("n", parse::u64_)?,
    })
}

/// One message `{"stream": T, "data": …}` as an event.
pub(crate) fn event_from(v: &Value) -> Parsed<StreamEvent> {
    let o = Obj::new(v, "")?;
    let stream = o.req("stream", parse::string)?;
    let data = o.get("data")?;
    Ok(match stream.as_str() {
        "orders" => StreamEvent::Orders(parse::list(data, "data", execution_report)?),
        "accounts" => StreamEvent::Account(account_update(data, "data")?),
        "trades" => StreamEvent::Trades(parse::list(data, "data", stream_trade)?),
        "marketDepth" => StreamEvent::MarketDepth(depth_snapshot(data, "data")?),
        "ticker" => StreamEvent::Ticker(ticker_update(data, "data")?),
        s if s.starts_with("kline_") => StreamEvent::Kline(kline_update(data, "data")?),
        _ => StreamEvent::Other {
            stream,
            data: data.clone(),
        },
    })
}

/// The stream URL for a DEX base URL: `http(s)://host[:port]` → `ws(s)://host[:port]/api/ws`.
fn stream_url(base_url: &str, config: &StreamConfig) -> Result<(String, bool), StreamError> {
    let base = base_url.trim_end_matches('/');
    if let Some(rest) = base.strip_prefix("https://") {
        return Ok((format!("wss://{rest}/api/ws"), true));
    }
    if config.allow_insecure_loopback && super::is_loopback_http(base) {
        let rest = &base["http://".len()..];
        return Ok((format!("ws://{rest}/api/ws"), false));
    }
    Err(StreamError::InvalidUrl(
        base_url.into(),
        "use https:// (plain http:// is allowed only to 127.0.0.1/localhost)".into(),
    ))
}

/// An open stream connection.
#[derive(Debug)]
pub struct DexStream {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    url: String,
    timeout: Duration,
    limit: usize,
    /// Messages read while [`DexStream::sync`] waited for its pong, for `next_event`.
    pending: std::collections::VecDeque<Message>,
    /// Numbers the pings of [`DexStream::sync`], so an old pong is never taken for a new one.
    syncs: u64,
}

/// rustls's words when opening a stream failed in TLS: tungstenite reports some handshake
/// errors as `Tls`, and tokio-rustls hands rustls's own inside an I/O error.
fn tls_reason(e: &WsError) -> Option<String> {
    match e {
        WsError::Tls(t) => Some(match t {
            tokio_tungstenite::tungstenite::error::TlsError::Rustls(r) => r.to_string(),
            other => other.to_string(),
        }),
        WsError::Io(io) => io
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .map(|r| r.to_string()),
        _ => None,
    }
}

impl DexStream {
    /// Opens the stream of the DEX at `base_url` (the same base URL as [`super::DexClient`]).
    pub async fn connect(base_url: &str, config: &StreamConfig) -> Result<Self, StreamError> {
        let (url, tls) = stream_url(base_url, config)?;
        let connector = if tls {
            // The HTTP client's TLS (ring, the platform verifier), without its ALPN.
            let cfg = super::tls::client_config(&[], &config.extra_roots).map_err(|e| {
                StreamError::Tls {
                    url: url.clone(),
                    reason: format!("cannot set up TLS: {e}"),
                }
            })?;
            Connector::Rustls(Arc::new(cfg))
        } else {
            Connector::Plain
        };
        let ws_config = WebSocketConfig::default()
            .max_message_size(Some(config.max_message_bytes))
            .max_frame_size(Some(config.max_message_bytes));
        let opening = tokio_tungstenite::connect_async_tls_with_config(
            url.as_str(),
            Some(ws_config),
            true,
            Some(connector),
        );
        let (ws, _) = match tokio::time::timeout(config.timeout, opening).await {
            Err(_) => return Err(StreamError::Timeout(url)),
            Ok(Err(e)) => {
                return Err(match tls_reason(&e) {
                    Some(reason) => StreamError::Tls { url, reason },
                    None => StreamError::Connect {
                        url,
                        reason: e.to_string(),
                    },
                });
            }
            Ok(Ok(pair)) => pair,
        };
        Ok(Self {
            ws,
            url,
            timeout: config.timeout,
            limit: config.max_message_bytes,
            pending: std::collections::VecDeque::new(),
            syncs: 0,
        })
    }

    /// The stream URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    async fn send(&mut self, v: Value) -> Result<(), StreamError> {
        let sending = self.ws.send(Message::Text(v.to_string().into()));
        match tokio::time::timeout(self.timeout, sending).await {
            Err(_) => Err(StreamError::Timeout(self.url.clone())),
            Ok(Err(e)) => Err(self.read_error(e)),
            Ok(Ok(())) => Ok(()),
        }
    }

    /// Subscribes to a topic.
    pub async fn subscribe(&mut self, topic: &Subscription) -> Result<(), StreamError> {
        self.send(topic.message("subscribe")).await
    }

    /// Unsubscribes from a topic.
    pub async fn unsubscribe(&mut self, topic: &Subscription) -> Result<(), StreamError> {
        self.send(topic.message("unsubscribe")).await
    }

    /// Asks the DEX to keep the connection open (it closes idle ones after an hour; the docs
    /// advise one every 30 minutes).
    pub async fn keep_alive(&mut self) -> Result<(), StreamError> {
        self.send(json!({"method": "keepAlive"})).await
    }

    /// Waits until the DEX has handled every message sent before (subscriptions included):
    /// sends a WebSocket ping and waits for its pong, which a server answers in order, after
    /// the messages before it. The DEX's protocol acknowledges no subscription, so this is how
    /// a client knows that the events of the next block will reach it. Events that arrive
    /// meanwhile are kept for [`DexStream::next_event`], and so is a close (then this returns
    /// at once and `next_event` reports the close after those events). Bounded by the
    /// configured timeout.
    pub async fn sync(&mut self) -> Result<(), StreamError> {
        self.syncs += 1;
        let payload = format!("dexlink-sync-{}", self.syncs).into_bytes();
        let sending = self.ws.send(Message::Ping(payload.clone().into()));
        match tokio::time::timeout(self.timeout, sending).await {
            Err(_) => return Err(StreamError::Timeout(self.url.clone())),
            Ok(Err(e)) => return Err(self.read_error(e)),
            Ok(Ok(())) => {}
        }
        let deadline = tokio::time::Instant::now() + self.timeout;
        loop {
            let msg = match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => return Err(StreamError::Timeout(self.url.clone())),
                Ok(read) => self.read_next(read)?,
            };
            match msg {
                Message::Pong(p) if p.as_ref() == payload.as_slice() => return Ok(()),
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
                // Nothing follows a close: `next_event` reports it after the events before it.
                Message::Close(_) => {
                    self.pending.push_back(msg);
                    return Ok(());
                }
                other => self.pending.push_back(other),
            }
        }
    }

    /// A read's message, or the error it ended with.
    fn read_next(&self, read: Option<Result<Message, WsError>>) -> Result<Message, StreamError> {
        match read {
            None => Err(StreamError::Closed {
                url: self.url.clone(),
                reason: "the connection ended".into(),
            }),
            Some(Err(e)) => Err(self.read_error(e)),
            Some(Ok(m)) => Ok(m),
        }
    }

    /// The next pushed event. Waits as long as the DEX sends nothing (a stream is quiet until
    /// something happens); control frames are answered and skipped.
    pub async fn next_event(&mut self) -> Result<StreamEvent, StreamError> {
        loop {
            let msg = match self.pending.pop_front() {
                Some(m) => m,
                None => {
                    let read = self.ws.next().await;
                    self.read_next(read)?
                }
            };
            if let Some(event) = self.event_of(msg) {
                return event;
            }
        }
    }

    /// The event a message holds; `None` for a control frame.
    fn event_of(&self, msg: Message) -> Option<Result<StreamEvent, StreamError>> {
        let text = match msg {
            Message::Text(t) => t,
            Message::Close(frame) => {
                return Some(Err(StreamError::Closed {
                    url: self.url.clone(),
                    reason: match frame {
                        Some(f) if !f.reason.is_empty() => {
                            format!("code {}: {}", u16::from(f.code), f.reason)
                        }
                        Some(f) => format!("code {}", u16::from(f.code)),
                        None => "no reason given".into(),
                    },
                }));
            }
            Message::Binary(_) => {
                return Some(Err(StreamError::BadMessage {
                    url: self.url.clone(),
                    field: "(message)".into(),
                    reason: "a binary message; the DEX sends JSON text".into(),
                }));
            }
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => return None,
        };
        let value: Value = match serde_json::from_str(text.as_str()) {
            Ok(v) => v,
            Err(e) => {
                return Some(Err(StreamError::BadMessage {
                    url: self.url.clone(),
                    field: "(message)".into(),
                    reason: format!("not JSON: {e}"),
                }));
            }
        };
        Some(event_from(&value).map_err(|e| StreamError::BadMessage {
            url: self.url.clone(),
            field: e.field,
            reason: e.reason,
        }))
    }

    fn read_error(&self, e: WsError) -> StreamError {
        match e {
            WsError::Capacity(CapacityError::MessageTooLong { .. }) => {
                StreamError::MessageTooLarge {
                    url: self.url.clone(),
                    limit: self.limit,
                }
            }
            WsError::ConnectionClosed | WsError::AlreadyClosed => StreamError::Closed {
                url: self.url.clone(),
                reason: "the connection was closed".into(),
            },
            other => StreamError::Closed {
                url: self.url.clone(),
                reason: other.to_string(),
            },
        }
    }

    /// Ends the stream: tells the DEX (`{"method": "close"}`) and closes the connection.
    pub async fn close(mut self) -> Result<(), StreamError> {
        self.send(json!({"method": "close"})).await?;
        let closing = self.ws.close(None);
        match tokio::time::timeout(self.timeout, closing).await {
            Err(_) => Err(StreamError::Timeout(self.url.clone())),
            Ok(Err(WsError::ConnectionClosed | WsError::AlreadyClosed)) | Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(self.read_error(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_follow_the_http_client_rules() {
        let c = StreamConfig::default();
        assert_eq!(
            stream_url("http://127.0.0.1:8080/", &c).unwrap(),
            ("ws://127.0.0.1:8080/api/ws".to_string(), false)
        );
        assert_eq!(
            stream_url("https://dex.example", &c).unwrap(),
            ("wss://dex.example/api/ws".to_string(), true)
        );
        assert!(matches!(
            stream_url("http://dex.example", &c),
            Err(StreamError::InvalidUrl(..))
        ));
    }

    #[test]
    fn subscribe_messages_are_the_documented_ones() {
        // ws-connection.md / ws-streams.md: `{ method: "subscribe", topic: "orders",
        // userAddress: … }` and `{ method: "subscribe", topic: "kline_1h", symbols: [...] }`.
        let a = Address::parse("bnb1ss57e8sa7xnwq030k2ctr775uac9gjzg347gp4").unwrap();
        assert_eq!(
            Subscription::Orders(a).message("subscribe"),
            json!({"method": "subscribe", "topic": "orders", "userAddress": "bnb1ss57e8sa7xnwq030k2ctr775uac9gjzg347gp4"})
        );
        assert_eq!(
            Subscription::Kline(KlineInterval::Hour1, vec!["BNB_BTC".into()])
                .message("unsubscribe"),
            json!({"method": "unsubscribe", "topic": "kline_1h", "symbols": ["BNB_BTC"]})
        );
    }
}
