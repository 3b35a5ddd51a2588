//! `GET /api/ws`: the DEX's WebSocket streams, subscribed by message as the real DEX documented
//! them (docs/dex-api.md §6); and, as the real DEX also offered, streams named by the URL: one
//! raw stream at `/api/ws/<name>` or several at `/api/stream?streams=<name>/<name>…`, a name
//! being an address (its `orders` and `accounts`), `<symbol>@trades`, `@marketDepth`,
//! `@kline_<interval>`, `@ticker` (symbols in any case), or `$all@allTickers`. A connection
//! opened by URL takes subscribe messages too.
//!
//! A client sends `{"method":"subscribe","topic":"orders"|"accounts","userAddress":A}` or
//! `{"method":"subscribe","topic":"trades"|"marketDepth"|"kline_<interval>"|"ticker",
//! "symbols":[S,…]}`; `unsubscribe` takes the same fields, `{"method":"close"}` ends the session
//! and `{"method":"keepAlive"}` is accepted. After each block, every subscription the block
//! touched gets one `{"stream": topic, "data": …}` message.
//!
//! Bounded: at most [`MAX_SESSIONS`] sessions at once (`503` beyond), [`MAX_SUBSCRIPTIONS`]
//! subscriptions per session and [`MAX_MESSAGE`] bytes per client message (larger ones close
//! the session). A session that falls more than [`BACKLOG`] blocks behind, or does not take a
//! message within [`SEND_TIMEOUT`], is closed rather than buffered for.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use crate::Devnet;
use crate::api::error;
use crate::block::BlockEvents;
use crate::market::{INTERVALS, kline_row, ticker_json};
use crate::matcheng::Side;
use crate::state::{RestingOrder, fixed8};

/// Sessions open at once.
pub const MAX_SESSIONS: usize = 256;
/// Subscriptions per session.
pub const MAX_SUBSCRIPTIONS: usize = 64;
/// Largest client message, bytes.
pub const MAX_MESSAGE: usize = 4096;
/// Blocks a session may fall behind before it is closed (the event channel's capacity).
pub const BACKLOG: usize = 256;
/// Time a client has to take one message.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(5);
/// Depth levels in a `marketDepth` message.
const DEPTH_LEVELS: usize = 20;

static SESSIONS: AtomicUsize = AtomicUsize::new(0);

/// One subscription: a topic and its address or symbol.
type Sub = (String, String);

pub(crate) async fn handle(State(dev): State<Arc<Devnet>>, ws: Upgrade) -> Response {
    upgrade(dev, ws, BTreeSet::new())
}

/// `GET /api/ws/<name>`: one stream named by the URL.
pub(crate) async fn handle_raw(
    State(dev): State<Arc<Devnet>>,
    name: crate::api::PathParam,
    ws: Upgrade,
) -> Response {
    let name = match crate::api::path_text(name) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    match stream_subs(&dev, &name) {
        Ok(subs) => upgrade(dev, ws, subs.into_iter().collect()),
        Err(e) => error(StatusCode::BAD_REQUEST, e),
    }
}

/// `GET /api/stream?streams=<name>/<name>…`: several streams named by the URL.
pub(crate) async fn handle_combined(
    State(dev): State<Arc<Devnet>>,
    Query(q): Query<std::collections::HashMap<String, String>>,
    ws: Upgrade,
) -> Response {
    let Some(names) = q.get("streams").filter(|s| !s.is_empty()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "missing query parameter streams (stream names joined by /)",
        );
    };
    let mut subs = BTreeSet::new();
    for name in names.split('/') {
        match stream_subs(&dev, name) {
            Ok(s) => subs.extend(s),
            Err(e) => return error(StatusCode::BAD_REQUEST, e),
        }
        if subs.len() > MAX_SUBSCRIPTIONS {
            return error(
                StatusCode::BAD_REQUEST,
                format!("at most {MAX_SUBSCRIPTIONS} subscriptions per connection"),
            );
        }
    }
    upgrade(dev, ws, subs)
}

/// The subscriptions a stream name stands for (see the module documentation).
fn stream_subs(dev: &Devnet, name: &str) -> Result<Vec<Sub>, String> {
    let Some((symbol, topic)) = name.split_once('@') else {
        let a = dev
            .parse_address(name)
            .map_err(|e| format!("stream {name:?}: not an address ({})", e.message()))?;
        return Ok(vec![
            ("orders".into(), a.to_string()),
            ("accounts".into(), a.to_string()),
        ]);
    };
    if symbol == "$all" {
        return match topic {
            "allTickers" => Ok(vec![("allTickers".into(), ALL.into())]),
            _ => Err(format!(
                "stream {name:?}: the devnet streams $all@allTickers for all markets"
            )),
        };
    }
    let listed = dev
        .ledger()
        .markets
        .keys()
        .find(|m| m.eq_ignore_ascii_case(symbol))
        .cloned()
        .ok_or_else(|| format!("stream {name:?}: {symbol} is not a listed market"))?;
    if matches!(topic, "trades" | "marketDepth" | "ticker") || kline_topic(topic) {
        Ok(vec![(topic.to_string(), listed)])
    } else {
        Err(format!(
            "stream {name:?}: unknown stream {topic:?}: trades, marketDepth, kline_<interval> \
             or ticker"
        ))
    }
}

/// Whether `topic` is `kline_<interval>` for an interval the devnet serves.
fn kline_topic(topic: &str) -> bool {
    topic
        .strip_prefix("kline_")
        .is_some_and(|i| INTERVALS.iter().any(|(n, _)| *n == i))
}

/// The key of the all-markets topics.
const ALL: &str = "$all";

/// The WebSocket upgrade; a request that is not one (a plain GET) gets the API's error shape
/// (axum's own rejection would be plain text).
pub(crate) type Upgrade =
    Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>;

fn upgrade(dev: Arc<Devnet>, ws: Upgrade, subs: BTreeSet<Sub>) -> Response {
    let ws = match ws {
        Ok(ws) => ws,
        Err(r) => return error(r.status(), r.body_text()),
    };
    if SESSIONS.fetch_add(1, Ordering::SeqCst) >= MAX_SESSIONS {
        SESSIONS.fetch_sub(1, Ordering::SeqCst);
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("too many stream sessions (at most {MAX_SESSIONS})"),
        );
    }
    let events = dev.subscribe_blocks();
    ws.max_message_size(MAX_MESSAGE)
        .max_frame_size(MAX_MESSAGE)
        .on_failed_upgrade(|_| {
            SESSIONS.fetch_sub(1, Ordering::SeqCst);
        })
        .on_upgrade(move |socket| async move {
            session(dev, socket, events, subs).await;
            SESSIONS.fetch_sub(1, Ordering::SeqCst);
        })
        .into_response()
}

async fn send(socket: &mut WebSocket, v: Value) -> bool {
    let text = v.to_string();
    matches!(
        tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Text(text.into()))).await,
        Ok(Ok(()))
    )
}

async fn session(
    dev: Arc<Devnet>,
    mut socket: WebSocket,
    mut events: tokio::sync::broadcast::Receiver<Arc<BlockEvents>>,
    mut subs: BTreeSet<Sub>,
) {
    loop {
        tokio::select! {
            msg = socket.recv() => {
                let text = match msg {
                    Some(Ok(Message::Text(t))) => t.to_string(),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    // Binary, close, error (including a message over the size limit), or gone.
                    _ => return,
                };
                match command(&dev, &text, &mut subs) {
                    Ok(true) => {}
                    Ok(false) => return,
                    Err(e) => {
                        if !send(&mut socket, json!({"error": {"code": 400, "message": e}})).await {
                            return;
                        }
                    }
                }
            }
            ev = events.recv() => {
                let ev = match ev {
                    Ok(ev) => ev,
                    // Too far behind: closed rather than buffered for.
                    Err(RecvError::Lagged(_) | RecvError::Closed) => return,
                };
                for m in messages(&dev, &ev, &subs) {
                    if !send(&mut socket, m).await {
                        return;
                    }
                }
            }
        }
    }
}

/// Applies one client message; `Ok(false)`: close the session.
fn command(dev: &Devnet, text: &str, subs: &mut BTreeSet<Sub>) -> Result<bool, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let method = v["method"]
        .as_str()
        .ok_or("missing string field \"method\"")?;
    let subscribe = match method {
        "close" => return Ok(false),
        "keepAlive" => return Ok(true),
        "subscribe" => true,
        "unsubscribe" => false,
        m => {
            return Err(format!(
                "unknown method {m:?}: subscribe, unsubscribe, close or keepAlive"
            ));
        }
    };
    let topic = v["topic"]
        .as_str()
        .ok_or("missing string field \"topic\"")?;
    let keys: Vec<String> = match topic {
        "orders" | "accounts" => {
            let a = v["userAddress"]
                .as_str()
                .ok_or_else(|| format!("topic {topic} needs \"userAddress\""))?;
            vec![dev.parse_address(a).map_err(|e| e.message())?.to_string()]
        }
        "trades" | "marketDepth" | "ticker" => symbols(dev, &v)?,
        t if kline_topic(t) => symbols(dev, &v)?,
        "allTickers" => vec![ALL.to_string()],
        t => {
            return Err(format!(
                "unknown topic {t:?}: orders, accounts, trades, marketDepth, kline_<interval>, \
                 ticker or allTickers"
            ));
        }
    };
    for k in keys {
        let sub = (topic.to_string(), k);
        if subscribe {
            if subs.len() >= MAX_SUBSCRIPTIONS && !subs.contains(&sub) {
                return Err(format!(
                    "at most {MAX_SUBSCRIPTIONS} subscriptions per connection"
                ));
            }
            subs.insert(sub);
        } else {
            subs.remove(&sub);
        }
    }
    Ok(true)
}

fn symbols(dev: &Devnet, v: &Value) -> Result<Vec<String>, String> {
    let list = v["symbols"]
        .as_array()
        .ok_or("missing array field \"symbols\"")?;
    let l = dev.ledger();
    list.iter()
        .map(|s| match s.as_str() {
            Some(s) if l.markets.contains_key(s) => Ok(s.to_string()),
            _ => Err(format!("symbol {s} is not a listed market")),
        })
        .collect()
}

/// An order as an execution report (single-letter keys, as the DEX streamed them).
fn execution_report(o: &RestingOrder, height: i64) -> Value {
    let x = match o.status.as_str() {
        "Ack" if o.cum_qty == 0 => "NEW",
        "Canceled" => "CANCELED",
        "IocNoFill" | "IocExpire" | "Expired" | "FailedMatching" => "EXPIRED",
        _ => "TRADE",
    };
    json!({
        "e": "executionReport",
        "E": height,
        "s": o.symbol,
        "S": o.side,
        "o": 2,
        "f": o.time_in_force,
        "q": fixed8(o.quantity),
        "p": fixed8(o.price),
        "x": x,
        "X": o.status,
        "i": o.order_id,
        "l": fixed8(o.last_qty),
        "z": fixed8(o.cum_qty),
        "L": fixed8(o.last_price),
        "n": o.fee.replace(';', "").split_once(':').map(|(a, n)| format!("{n}{a}")).unwrap_or_default(),
        "T": o.updated_ms,
        "t": o.last_trade_id,
        "O": o.created_ms,
    })
}

/// The messages one block makes for a session's subscriptions.
fn messages(dev: &Devnet, ev: &BlockEvents, subs: &BTreeSet<Sub>) -> Vec<Value> {
    if subs.is_empty() {
        return Vec::new();
    }
    dev.with_books(|l, books| {
        let mut out = Vec::new();
        for (topic, key) in subs {
            let data = match topic.as_str() {
                "orders" => {
                    let reports: Vec<Value> = ev
                        .orders
                        .iter()
                        .filter(|o| &o.owner == key)
                        .map(|o| execution_report(o, ev.height))
                        .collect();
                    (!reports.is_empty()).then_some(Value::Array(reports))
                }
                "accounts" => ev.accounts.contains(key).then(|| {
                    let b: Vec<Value> = l.accounts.get(key).map_or_else(Vec::new, |a| {
                        a.balances
                            .iter()
                            .map(|(s, h)| {
                                json!({"a": s, "f": fixed8(h.free), "l": fixed8(h.locked), "r": fixed8(h.frozen)})
                            })
                            .collect()
                    });
                    json!({"e": "outboundAccountInfo", "E": ev.height, "B": b})
                }),
                "trades" => {
                    let t: Vec<Value> = ev
                        .trades
                        .iter()
                        .filter(|t| &t.symbol == key)
                        .map(|t| {
                            json!({
                                "e": "trade", "E": ev.height, "s": t.symbol, "t": t.trade_id,
                                "p": fixed8(t.price), "q": fixed8(t.quantity),
                                "b": t.buyer_order_id, "a": t.seller_order_id, "T": t.time_ms,
                                "sa": t.seller, "ba": t.buyer, "tt": t.tick_type,
                            })
                        })
                        .collect();
                    (!t.is_empty()).then_some(Value::Array(t))
                }
                "marketDepth" => ev.markets.contains(key).then(|| {
                    let side = |s: Side| -> Vec<Value> {
                        books.get(key).map_or_else(Vec::new, |b| {
                            b.levels(s)
                                .take(DEPTH_LEVELS)
                                .map(|(p, o)| {
                                    json!([fixed8(p), fixed8(o.iter().map(|o| o.qty - o.cum_qty).sum())])
                                })
                                .collect()
                        })
                    };
                    json!({"lastUpdateId": ev.height, "symbol": key, "bids": side(Side::Buy), "asks": side(Side::Sell)})
                }),
                "allTickers" => (!ev.trades.is_empty()).then(|| {
                    Value::Array(
                        l.markets
                            .keys()
                            .map(|s| {
                                let mut t = ticker_json(l, books, s, ev.time_ms);
                                t["e"] = json!("24hrTicker");
                                t["E"] = json!(ev.height);
                                t
                            })
                            .collect(),
                    )
                }),
                "ticker" => ev.trades.iter().any(|t| &t.symbol == key).then(|| {
                    let mut t = ticker_json(l, books, key, ev.time_ms);
                    t["e"] = json!("24hrTicker");
                    t["E"] = json!(ev.height);
                    t
                }),
                k => {
                    let interval = k.strip_prefix("kline_").unwrap_or_default();
                    let len = INTERVALS
                        .iter()
                        .find(|(n, _)| *n == interval)
                        .map_or(60_000, |(_, ms)| *ms);
                    ev.trades.iter().any(|t| &t.symbol == key).then(|| {
                        let open = ev.time_ms - ev.time_ms.rem_euclid(len);
                        let mut bar: Vec<_> = l
                            .trades
                            .values()
                            .filter(|t| &t.symbol == key && t.time_ms >= open)
                            .collect();
                        bar.sort_by_key(|t| t.position());
                        let row = kline_row(open, len, &bar);
                        json!({"e": "kline", "E": ev.height, "s": key, "k": {
                            "t": row[0], "T": row[6], "s": key, "i": interval,
                            "f": bar.first().map_or("", |t| t.trade_id.as_str()),
                            "L": bar.last().map_or("", |t| t.trade_id.as_str()),
                            "o": row[1], "c": row[4], "h": row[2], "l": row[3],
                            "v": row[5], "n": row[8], "x": false, "q": row[7],
                        }})
                    })
                }
            };
            if let Some(data) = data {
                out.push(json!({"stream": topic, "data": data}));
            }
        }
        out
    })
}
