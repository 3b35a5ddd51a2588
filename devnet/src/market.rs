//! The market-data endpoints, in the real DEX API's shapes (docs/dex-api.md §5): depth, trades,
//! closed orders, one order, 24-hour tickers, klines, fees and time.
//!
//! Query parameters are read as text and checked here, so a bad one is a 400 in the API's error
//! shape naming the parameter. Lists are bounded (`limit` at most 1000).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::Devnet;
use crate::api::error;
use crate::block::Books;
use crate::matcheng::Side;
use crate::state::{Ledger, RestingOrder, TradeRecord, fixed8};

type Params = Query<HashMap<String, String>>;

/// The depth limits the API allows.
pub const DEPTH_LIMITS: [usize; 7] = [5, 10, 20, 50, 100, 500, 1000];
/// The kline intervals the API allows, with their length in milliseconds (a month is 30 days).
pub const INTERVALS: [(&str, i64); 15] = [
    ("1m", 60_000),
    ("3m", 180_000),
    ("5m", 300_000),
    ("15m", 900_000),
    ("30m", 1_800_000),
    ("1h", 3_600_000),
    ("2h", 7_200_000),
    ("4h", 14_400_000),
    ("6h", 21_600_000),
    ("8h", 28_800_000),
    ("12h", 43_200_000),
    ("1d", 86_400_000),
    ("3d", 259_200_000),
    ("1w", 604_800_000),
    ("1M", 2_592_000_000),
];
const DAY_MS: i64 = 86_400_000;

fn ok(v: Value) -> Response {
    (StatusCode::OK, axum::Json(v)).into_response()
}

fn bad(message: String) -> Response {
    error(StatusCode::BAD_REQUEST, message)
}

/// An optional integer parameter in `range`.
fn int(
    q: &HashMap<String, String>,
    name: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, String> {
    match q.get(name) {
        None => Ok(None),
        Some(s) => match s.parse::<i64>() {
            Ok(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(format!(
                "query parameter {name} must be an integer from {} to {}, got {s:?}",
                range.start(),
                range.end()
            )),
        },
    }
}

/// `limit` (default `default`, at most 1000) and `offset` (default 0).
fn page(q: &HashMap<String, String>, default: i64) -> Result<(usize, usize), String> {
    let limit = int(q, "limit", 1..=1000)?.unwrap_or(default);
    let offset = int(q, "offset", 0..=i64::from(u32::MAX))?.unwrap_or(0);
    Ok((limit as usize, offset as usize))
}

fn symbol_param(
    l: &Ledger,
    q: &HashMap<String, String>,
    required: bool,
) -> Result<Option<String>, String> {
    match q.get("symbol") {
        None if required => Err("missing query parameter symbol".into()),
        None => Ok(None),
        Some(s) if l.markets.contains_key(s) => Ok(Some(s.clone())),
        Some(s) => Err(format!("symbol {s:?} is not a listed market")),
    }
}

/// Milliseconds since the epoch as the API's date-time text (`2019-01-25T07:54:47.123Z`).
pub fn iso_ms(ms: i64) -> String {
    let secs = dexlink::time::Timestamp::from_unix(ms.div_euclid(1000)).to_string();
    match secs.strip_suffix('Z') {
        Some(s) => format!("{s}.{:03}Z", ms.rem_euclid(1000)),
        None => secs,
    }
}

/// An order in the API's `Order` shape.
pub fn order_json(o: &RestingOrder) -> Value {
    json!({
        "orderId": o.order_id,
        "symbol": o.symbol,
        "owner": o.owner,
        "side": o.side,
        "type": 2,
        "price": fixed8(o.price),
        "quantity": fixed8(o.quantity),
        "cumulateQuantity": fixed8(o.cum_qty),
        "timeInForce": o.time_in_force,
        "status": o.status,
        "transactionHash": o.tx_hash,
        "orderCreateTime": iso_ms(o.created_ms),
        "transactionTime": iso_ms(o.updated_ms),
        "fee": o.fee,
        "tradeId": o.last_trade_id,
        "lastExecutedPrice": fixed8(o.last_price),
        "lastExecutedQuantity": fixed8(o.last_qty),
    })
}

/// A trade in the API's `Trade` shape. The per-block fee fields carry the trade's own fee.
pub fn trade_json(l: &Ledger, t: &TradeRecord) -> Value {
    let (base, quote) = l
        .markets
        .get(&t.symbol)
        .map_or((String::new(), String::new()), |m| {
            (m.base.clone(), m.quote.clone())
        });
    json!({
        "tradeId": t.trade_id,
        "blockHeight": t.height,
        "symbol": t.symbol,
        "baseAsset": base,
        "quoteAsset": quote,
        "price": fixed8(t.price),
        "quantity": fixed8(t.quantity),
        "buyerOrderId": t.buyer_order_id,
        "sellerOrderId": t.seller_order_id,
        "buyerId": t.buyer,
        "sellerId": t.seller,
        "buyFee": t.buyer_fee,
        "sellFee": t.seller_fee,
        "buySingleFee": t.buyer_fee,
        "sellSingleFee": t.seller_fee,
        "tickType": t.tick_type,
        "time": t.time_ms,
    })
}

/// `GET /api/v1/depth?symbol=&limit=`: price levels of the resting book, asks ascending, bids
/// descending, each `[price, quantity left]`.
pub(crate) async fn depth(State(dev): State<Arc<Devnet>>, Query(q): Params) -> Response {
    dev.with_books(|l, books| {
        let symbol = match symbol_param(l, &q, true) {
            Ok(s) => s.expect("required"),
            Err(m) => return bad(m),
        };
        let limit = match q.get("limit") {
            None => 100,
            Some(s) => match s.parse::<usize>() {
                Ok(n) if DEPTH_LIMITS.contains(&n) => n,
                _ => {
                    return bad(format!(
                        "query parameter limit must be one of 5, 10, 20, 50, 100, 500, 1000, got {s:?}"
                    ));
                }
            },
        };
        let side = |side: Side| -> Vec<Value> {
            books.get(&symbol).map_or_else(Vec::new, |b| {
                b.levels(side)
                    .take(limit)
                    .map(|(p, orders)| {
                        let left: i64 = orders.iter().map(|o| o.qty - o.cum_qty).sum();
                        json!([fixed8(p), fixed8(left)])
                    })
                    .collect()
            })
        };
        ok(json!({"asks": side(Side::Sell), "bids": side(Side::Buy), "height": l.height}))
    })
}

/// `GET /api/v1/trades`: newest first.
pub(crate) async fn trades(State(dev): State<Arc<Devnet>>, Query(q): Params) -> Response {
    // Parsed before the ledger is locked: parsing reads the ledger's HRP.
    let address = match q.get("address").map(|a| dev.parse_address(a)) {
        Some(Ok(a)) => Some(a.to_string()),
        Some(Err(r)) => return r.into_response(),
        None => None,
    };
    let l = dev.ledger();
    let filter = || -> Result<_, String> {
        let symbol = symbol_param(&l, &q, false)?;
        let start = int(&q, "start", 0..=i64::MAX)?;
        let end = int(&q, "end", 0..=i64::MAX)?;
        let side = int(&q, "side", 1..=2)?;
        let height = int(&q, "height", 0..=i64::MAX)?;
        let (limit, offset) = page(&q, 500)?;
        Ok((symbol, start, end, side, height, limit, offset))
    };
    let (symbol, start, end, side, height, limit, offset) = match filter() {
        Ok(f) => f,
        Err(m) => return bad(m),
    };
    let mut list: Vec<&TradeRecord> = l
        .trades
        .values()
        .filter(|t| {
            symbol.as_ref().is_none_or(|s| &t.symbol == s)
                && address.as_ref().is_none_or(|a| match side {
                    Some(1) => &t.buyer == a,
                    Some(_) => &t.seller == a,
                    None => &t.buyer == a || &t.seller == a,
                })
                && start.is_none_or(|s| t.time_ms >= s)
                && end.is_none_or(|e| t.time_ms <= e)
                && height.is_none_or(|h| t.height == h)
                && q.get("buyerOrderId")
                    .is_none_or(|id| &t.buyer_order_id == id)
                && q.get("sellerOrderId")
                    .is_none_or(|id| &t.seller_order_id == id)
                && q.get("quoteAsset")
                    .is_none_or(|a| t.symbol.ends_with(&format!("_{a}")))
        })
        .collect();
    list.sort_by_key(|t| std::cmp::Reverse(t.position()));
    let total = list.len();
    let trade: Vec<Value> = list
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|t| trade_json(&l, t))
        .collect();
    ok(json!({"total": total, "trade": trade}))
}

/// `GET /api/v1/orders/closed?address=`: newest first.
pub(crate) async fn closed_orders(State(dev): State<Arc<Devnet>>, Query(q): Params) -> Response {
    let Some(addr) = q.get("address") else {
        return bad("missing query parameter address".into());
    };
    let owner = match dev.parse_address(addr) {
        Ok(a) => a.to_string(),
        Err(r) => return r.into_response(),
    };
    const STATUSES: [&str; 9] = [
        "Ack",
        "PartialFill",
        "IocNoFill",
        "FullyFill",
        "Canceled",
        "Expired",
        "FailedBlocking",
        "FailedMatching",
        "IocExpire",
    ];
    let l = dev.ledger();
    let filter = || -> Result<_, String> {
        let symbol = symbol_param(&l, &q, false)?;
        let status = match q.get("status") {
            Some(s) if STATUSES.contains(&s.as_str()) => Some(s.clone()),
            Some(s) => {
                return Err(format!(
                    "query parameter status must be one of {}, got {s:?}",
                    STATUSES.join(", ")
                ));
            }
            None => None,
        };
        let side = int(&q, "side", 1..=2)?;
        let start = int(&q, "start", 0..=i64::MAX)?;
        let end = int(&q, "end", 0..=i64::MAX)?;
        let (limit, offset) = page(&q, 500)?;
        Ok((symbol, status, side, start, end, limit, offset))
    };
    let (symbol, status, side, start, end, limit, offset) = match filter() {
        Ok(f) => f,
        Err(m) => return bad(m),
    };
    let mut list: Vec<&RestingOrder> = l
        .closed
        .values()
        .filter(|o| {
            o.owner == owner
                && symbol.as_ref().is_none_or(|s| &o.symbol == s)
                && status.as_ref().is_none_or(|s| &o.status == s)
                && side.is_none_or(|s| o.side == s)
                && start.is_none_or(|s| o.updated_ms >= s)
                && end.is_none_or(|e| o.updated_ms <= e)
        })
        .collect();
    list.sort_by_key(|o| std::cmp::Reverse((o.updated_ms, o.height, o.arrival)));
    let total = list.len();
    let order: Vec<Value> = list
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(order_json)
        .collect();
    ok(json!({"order": order, "total": total}))
}

/// `GET /api/v1/orders/{id}`: an open or closed order.
pub(crate) async fn order(State(dev): State<Arc<Devnet>>, id: crate::api::PathParam) -> Response {
    let id = match crate::api::path_text(id) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let l = dev.ledger();
    match l
        .orders
        .get(&id)
        .filter(|o| !o.pending)
        .or_else(|| l.closed.get(&id))
    {
        Some(o) => ok(order_json(o)),
        None => error(StatusCode::NOT_FOUND, "order not found"),
    }
}

/// Trades of `symbol` from `since` (ms) on, oldest first.
fn trades_since<'a>(l: &'a Ledger, symbol: &str, since: i64) -> Vec<&'a TradeRecord> {
    let mut v: Vec<&TradeRecord> = l
        .trades
        .values()
        .filter(|t| t.symbol == symbol && t.time_ms >= since)
        .collect();
    v.sort_by_key(|t| t.position());
    v
}

/// A 24-hour ticker of one market, in the API's `TickerStatistics` shape.
pub fn ticker_json(l: &Ledger, books: &Books, symbol: &str, now_ms: i64) -> Value {
    let window = trades_since(l, symbol, now_ms - DAY_MS);
    let list = l.markets.get(symbol).map_or(0, |m| m.list_price);
    let before = l
        .trades
        .values()
        .filter(|t| t.symbol == symbol && t.time_ms < now_ms - DAY_MS)
        .max_by_key(|t| t.position())
        .map_or(list, |t| t.price);
    let last = l.last_prices.get(symbol).copied().unwrap_or(list);
    let open = window.first().map_or(before, |t| t.price);
    let high = window.iter().map(|t| t.price).max().unwrap_or(last);
    let low = window.iter().map(|t| t.price).min().unwrap_or(last);
    let volume: i128 = window.iter().map(|t| i128::from(t.quantity)).sum();
    let quote: i128 = window
        .iter()
        .map(|t| i128::from(crate::block::notional(t.price, t.quantity)))
        .sum();
    let avg = if volume > 0 {
        (quote * 100_000_000 / volume) as i64
    } else {
        0
    };
    let change = last - open;
    let pct = if open > 0 {
        // Percent with 8 decimals: change / open × 100, in Fixed8.
        (i128::from(change) * 100 * 100_000_000 / i128::from(open)) as i64
    } else {
        0
    };
    let best = |side: Side| {
        books
            .get(symbol)
            .and_then(|b| b.levels(side).next())
            .map_or((0, 0), |(p, v)| {
                (p, v.iter().map(|o| o.qty - o.cum_qty).sum())
            })
    };
    let (bid, ask) = (best(Side::Buy), best(Side::Sell));
    json!({
        "symbol": symbol,
        "askPrice": fixed8(ask.0),
        "askQuantity": fixed8(ask.1),
        "bidPrice": fixed8(bid.0),
        "bidQuantity": fixed8(bid.1),
        "openTime": now_ms - DAY_MS,
        "closeTime": now_ms,
        "count": window.len(),
        "firstId": window.first().map_or("", |t| t.trade_id.as_str()),
        "lastId": window.last().map_or("", |t| t.trade_id.as_str()),
        "highPrice": fixed8(high),
        "lowPrice": fixed8(low),
        "openPrice": fixed8(open),
        "lastPrice": fixed8(last),
        "lastQuantity": fixed8(window.last().map_or(0, |t| t.quantity)),
        "prevClosePrice": fixed8(before),
        "priceChange": fixed8(change),
        "priceChangePercent": fixed8(pct),
        "quoteVolume": fixed8(quote.min(i128::from(i64::MAX)) as i64),
        "volume": fixed8(volume.min(i128::from(i64::MAX)) as i64),
        "weightedAvgPrice": fixed8(avg),
    })
}

/// `GET /api/v1/ticker/24hr?symbol=`: a list, one market or all.
pub(crate) async fn ticker(State(dev): State<Arc<Devnet>>, Query(q): Params) -> Response {
    let now = dev.now_ms();
    dev.with_books(|l, books| {
        let symbols: Vec<String> = match symbol_param(l, &q, false) {
            Ok(Some(s)) => vec![s],
            Ok(None) => l.markets.keys().cloned().collect(),
            Err(m) => return bad(m),
        };
        let list: Vec<Value> = symbols
            .iter()
            .map(|s| ticker_json(l, books, s, now))
            .collect();
        ok(Value::Array(list))
    })
}

/// One kline: `[openTime, open, high, low, close, volume, closeTime, quoteVolume, trades]`.
pub fn kline_row(open_time: i64, len: i64, trades: &[&TradeRecord]) -> Value {
    let first = trades.first().map_or(0, |t| t.price);
    let last = trades.last().map_or(0, |t| t.price);
    let high = trades.iter().map(|t| t.price).max().unwrap_or(0);
    let low = trades.iter().map(|t| t.price).min().unwrap_or(0);
    let volume: i64 = trades
        .iter()
        .map(|t| t.quantity)
        .fold(0, i64::saturating_add);
    let quote: i64 = trades
        .iter()
        .map(|t| crate::block::notional(t.price, t.quantity))
        .fold(0, i64::saturating_add);
    json!([
        open_time,
        fixed8(first),
        fixed8(high),
        fixed8(low),
        fixed8(last),
        fixed8(volume),
        open_time + len - 1,
        fixed8(quote),
        trades.len(),
    ])
}

/// `GET /api/v1/klines?symbol=&interval=&limit=&startTime=&endTime=`: bars with trades, oldest
/// first.
pub(crate) async fn klines(State(dev): State<Arc<Devnet>>, Query(q): Params) -> Response {
    let l = dev.ledger();
    let parsed = || -> Result<_, String> {
        let symbol = symbol_param(&l, &q, true)?.expect("required");
        let interval = q
            .get("interval")
            .ok_or_else(|| "missing query parameter interval".to_string())?;
        let len = INTERVALS
            .iter()
            .find(|(n, _)| n == interval)
            .map(|(_, ms)| *ms)
            .ok_or_else(|| {
                format!(
                    "query parameter interval must be one of 1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h, \
                     6h, 8h, 12h, 1d, 3d, 1w, 1M, got {interval:?}"
                )
            })?;
        let limit = int(&q, "limit", 1..=1000)?.unwrap_or(300) as usize;
        let start = int(&q, "startTime", 0..=i64::MAX)?.unwrap_or(0);
        let end = int(&q, "endTime", 0..=i64::MAX)?.unwrap_or(i64::MAX);
        Ok((symbol, len, limit, start, end))
    };
    let (symbol, len, limit, start, end) = match parsed() {
        Ok(p) => p,
        Err(m) => return bad(m),
    };
    let mut bars: Vec<(i64, Vec<&TradeRecord>)> = Vec::new();
    for t in trades_since(&l, &symbol, start) {
        if t.time_ms > end {
            break;
        }
        let open = t.time_ms - t.time_ms.rem_euclid(len);
        match bars.last_mut() {
            Some((o, v)) if *o == open => v.push(t),
            _ => bars.push((open, vec![t])),
        }
    }
    let rows: Vec<Value> = bars
        .iter()
        .take(limit)
        .map(|(open, v)| kline_row(*open, len, v))
        .collect();
    ok(Value::Array(rows))
}

/// `GET /api/v1/fees`: the DEX fee parameters, as the chain's param list showed them.
pub(crate) async fn fees(State(dev): State<Arc<Devnet>>) -> Response {
    let f = dev.fees();
    let field = |name: &str, value: i64| json!({"fee_name": name, "fee_value": value});
    ok(json!([
        {"msg_type": "orderNew", "fee": 0, "fee_for": 3},
        {"msg_type": "orderCancel", "fee": 0, "fee_for": 3},
        {"msg_type": "tokensFreeze", "fee": f.freeze_fee, "fee_for": 1},
        {
            "fixed_fee_params": {"msg_type": "send", "fee": f.transfer_fee, "fee_for": 1},
            "multi_transfer_fee": f.multi_transfer_fee,
            "lower_limit_as_multi": f.lower_limit_as_multi,
        },
        {"dex_fee_fields": [
            field("ExpireFee", f.expire_fee),
            field("ExpireFeeNative", f.expire_fee_native),
            field("CancelFee", f.cancel_fee),
            field("CancelFeeNative", f.cancel_fee_native),
            field("FeeRate", f.fee_rate),
            field("FeeRateNative", f.fee_rate_native),
            field("IOCExpireFee", f.ioc_expire_fee),
            field("IOCExpireFeeNative", f.ioc_expire_fee_native),
        ]},
    ]))
}

/// `GET /api/v1/time`.
pub(crate) async fn time(State(dev): State<Arc<Devnet>>) -> Response {
    let block = dev.ledger().block_time_ms;
    ok(json!({"ap_time": iso_ms(dev.now_ms()), "block_time": iso_ms(block)}))
}
