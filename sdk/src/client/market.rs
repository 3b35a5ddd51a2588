//! Market data of the DEX API v1, typed: order book depth, trades, closed orders, one order,
//! 24-hour tickers, klines, fees and time (docs/dex-api.md, "Client view: market data and
//! streams"). Every answer is checked and converted once, here; a field that is missing or
//! malformed is a [`ClientError::BadField`] naming it.

use std::fmt;
use std::str::FromStr;

use serde_json::Value;
use thiserror::Error;

use super::parse::{self, Obj, Parsed, bad};
use super::{ClientError, DexClient};
use crate::address::Address;
use crate::amount::Fixed8;
use crate::tx::{OrderId, Side, TimeInForce, TxHash};

/// A query value the DEX would refuse, caught before asking it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum MarketParamError {
    /// Not one of the order statuses the DEX reports.
    #[error(
        "unknown order status {0:?}: use one of Ack, PartialFill, IocNoFill, FullyFill, Canceled, Expired, FailedBlocking, FailedMatching, IocExpire"
    )]
    Status(String),
    /// Not one of the kline intervals the DEX offers.
    #[error(
        "unknown kline interval {0:?}: use one of 1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h, 6h, 8h, 12h, 1d, 3d, 1w, 1M"
    )]
    Interval(String),
    /// A depth limit the DEX does not accept.
    #[error("depth limit {0:?} is not accepted: use 5, 10, 20, 50, 100, 500 or 1000")]
    DepthLimit(String),
    /// A page size out of the DEX's range.
    #[error("limit {0:?} is out of range: use a number from 1 to 1000")]
    PageLimit(String),
    /// A time window that ends before it starts.
    #[error(
        "the time window starts at {start_ms} ms but ends at {end_ms} ms: the start must not be after the end"
    )]
    TimeWindow {
        /// Start (milliseconds since the epoch).
        start_ms: u64,
        /// End (milliseconds since the epoch).
        end_ms: u64,
    },
    /// An empty or ill-formed market symbol.
    #[error("market symbol {0:?} is not BASE_QUOTE (letters, digits, '-', '.'), e.g. BNB_BUSD-BD1")]
    Symbol(String),
    /// Not one of the execution types of an order update.
    #[error("unknown execution type {0:?}: expected NEW, TRADE, CANCELED or EXPIRED")]
    ExecutionType(String),
}

/// An order's status, by the chain's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OrderStatus {
    /// Accepted, resting on the book, nothing filled yet.
    Ack,
    /// Partly filled, still on the book.
    PartialFill,
    /// An IOC order that found nothing to match.
    IocNoFill,
    /// Completely filled.
    FullyFill,
    /// Cancelled by its owner.
    Canceled,
    /// Expired (a GTE order past its lifetime).
    Expired,
    /// Refused when the block was processed.
    FailedBlocking,
    /// Refused by the matching engine.
    FailedMatching,
    /// An IOC order whose unfilled rest expired.
    IocExpire,
}

impl OrderStatus {
    const ALL: [(Self, &'static str); 9] = [
        (Self::Ack, "Ack"),
        (Self::PartialFill, "PartialFill"),
        (Self::IocNoFill, "IocNoFill"),
        (Self::FullyFill, "FullyFill"),
        (Self::Canceled, "Canceled"),
        (Self::Expired, "Expired"),
        (Self::FailedBlocking, "FailedBlocking"),
        (Self::FailedMatching, "FailedMatching"),
        (Self::IocExpire, "IocExpire"),
    ];

    /// The chain's name.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(s, _)| *s == self)
            .map(|(_, n)| *n)
            .expect("every status is listed")
    }

    /// Whether the order is still on the book.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Ack | Self::PartialFill)
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OrderStatus {
    type Err = MarketParamError;
    /// The chain's names, in any case (`FullyFill`, `fullyfill`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(s))
            .map(|(st, _)| *st)
            .ok_or_else(|| MarketParamError::Status(s.into()))
    }
}

/// A kline (candlestick) interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KlineInterval {
    /// `1m`
    Min1,
    /// `3m`
    Min3,
    /// `5m`
    Min5,
    /// `15m`
    Min15,
    /// `30m`
    Min30,
    /// `1h`
    Hour1,
    /// `2h`
    Hour2,
    /// `4h`
    Hour4,
    /// `6h`
    Hour6,
    /// `8h`
    Hour8,
    /// `12h`
    Hour12,
    /// `1d`
    Day1,
    /// `3d`
    Day3,
    /// `1w`
    Week1,
    /// `1M` (a calendar month)
    Month1,
}

impl KlineInterval {
    const ALL: [(Self, &'static str); 15] = [
        (Self::Min1, "1m"),
        (Self::Min3, "3m"),
        (Self::Min5, "5m"),
        (Self::Min15, "15m"),
        (Self::Min30, "30m"),
        (Self::Hour1, "1h"),
        (Self::Hour2, "2h"),
        (Self::Hour4, "4h"),
        (Self::Hour6, "6h"),
        (Self::Hour8, "8h"),
        (Self::Hour12, "12h"),
        (Self::Day1, "1d"),
        (Self::Day3, "3d"),
        (Self::Week1, "1w"),
        (Self::Month1, "1M"),
    ];

    /// The API's name (`1m`, `1M`…).
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(i, _)| *i == self)
            .map(|(_, n)| *n)
            .expect("every interval is listed")
    }
}

impl fmt::Display for KlineInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KlineInterval {
    type Err = MarketParamError;
    /// Exactly the API's names: case matters (`1m` is a minute, `1M` a month).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .find(|(_, n)| *n == s)
            .map(|(i, _)| *i)
            .ok_or_else(|| MarketParamError::Interval(s.into()))
    }
}

/// The number of price levels per side a depth query asks for: one of the values the DEX
/// accepts (5, 10, 20, 50, 100, 500, 1000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DepthLimit(u16);

impl DepthLimit {
    /// The accepted values.
    pub const ALLOWED: [u16; 7] = [5, 10, 20, 50, 100, 500, 1000];

    /// A limit, if the DEX accepts it.
    pub fn new(n: u16) -> Result<Self, MarketParamError> {
        if Self::ALLOWED.contains(&n) {
            Ok(Self(n))
        } else {
            Err(MarketParamError::DepthLimit(n.to_string()))
        }
    }

    /// The number.
    pub fn get(self) -> u16 {
        self.0
    }
}

impl fmt::Display for DepthLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for DepthLimit {
    type Err = MarketParamError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let n: u16 = s
            .parse()
            .map_err(|_| MarketParamError::DepthLimit(s.into()))?;
        Self::new(n).map_err(|_| MarketParamError::DepthLimit(s.into()))
    }
}

/// A page size for trades, orders and klines: 1 to 1000, the DEX's maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageLimit(u16);

impl PageLimit {
    /// The DEX's maximum page size.
    pub const MAX: u16 = 1000;

    /// A page size from 1 to [`PageLimit::MAX`].
    pub fn new(n: u16) -> Result<Self, MarketParamError> {
        if (1..=Self::MAX).contains(&n) {
            Ok(Self(n))
        } else {
            Err(MarketParamError::PageLimit(n.to_string()))
        }
    }

    /// The number.
    pub fn get(self) -> u16 {
        self.0
    }
}

impl fmt::Display for PageLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for PageLimit {
    type Err = MarketParamError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let n: u16 = s
            .parse()
            .map_err(|_| MarketParamError::PageLimit(s.into()))?;
        Self::new(n).map_err(|_| MarketParamError::PageLimit(s.into()))
    }
}

/// One price level of a book: a price and the total quantity resting at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceLevel {
    /// The price.
    pub price: Fixed8,
    /// The quantity at that price.
    pub quantity: Fixed8,
}

/// `GET /api/v1/depth`: the book of one market, best prices first on each side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Depth {
    /// Sell levels, lowest price first.
    pub asks: Vec<PriceLevel>,
    /// Buy levels, highest price first.
    pub bids: Vec<PriceLevel>,
    /// The block height the book is at, when the DEX says.
    pub height: Option<u64>,
}

/// Which trades to list (`GET /api/v1/trades`); every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TradeFilter {
    /// Only this market.
    pub symbol: Option<String>,
    /// Only trades where this address bought or sold.
    pub address: Option<Address>,
    /// From this time (milliseconds since the epoch).
    pub start_ms: Option<u64>,
    /// Until this time (milliseconds since the epoch).
    pub end_ms: Option<u64>,
    /// At most this many (the DEX's default is 500).
    pub limit: Option<PageLimit>,
    /// Skip this many.
    pub offset: Option<u64>,
    /// Only this taker side.
    pub side: Option<Side>,
    /// Only fills of this buy order.
    pub buyer_order_id: Option<OrderId>,
    /// Only fills of this sell order.
    pub seller_order_id: Option<OrderId>,
    /// Only trades of this block.
    pub height: Option<u64>,
}

/// One trade (a fill between a buy and a sell order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trade {
    /// The trade id.
    pub trade_id: String,
    /// The market.
    pub symbol: String,
    /// The price.
    pub price: Fixed8,
    /// The quantity (base asset).
    pub quantity: Fixed8,
    /// The buyer's address.
    pub buyer: Address,
    /// The seller's address.
    pub seller: Address,
    /// The buy order.
    pub buyer_order_id: OrderId,
    /// The sell order.
    pub seller_order_id: OrderId,
    /// The block it happened in.
    pub block_height: u64,
    /// When (milliseconds since the epoch).
    pub time_ms: u64,
    /// Who took liquidity (`BuyTaker`, `SellTaker`, `BuySurplus`…), when the DEX says.
    pub tick_type: Option<String>,
    /// The buyer's fee in that block (`BNB:0.00000172;`), when the DEX says.
    pub buy_fee: Option<String>,
    /// The seller's fee in that block, when the DEX says.
    pub sell_fee: Option<String>,
}

/// `GET /api/v1/trades`: a page of trades.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TradePage {
    /// How many trades match in all, when asked for (the DEX sends -1 otherwise).
    pub total: Option<u64>,
    /// This page.
    pub trades: Vec<Trade>,
}

/// Which closed orders to list (`GET /api/v1/orders/closed`): the owner, then optional filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedOrderFilter {
    /// The owner (required by the DEX).
    pub address: Address,
    /// Only this market.
    pub symbol: Option<String>,
    /// Only these statuses.
    pub status: Vec<OrderStatus>,
    /// Only this side.
    pub side: Option<Side>,
    /// From this time (milliseconds since the epoch).
    pub start_ms: Option<u64>,
    /// Until this time (milliseconds since the epoch).
    pub end_ms: Option<u64>,
    /// At most this many (the DEX's default is 500).
    pub limit: Option<PageLimit>,
    /// Skip this many.
    pub offset: Option<u64>,
}

impl ClosedOrderFilter {
    /// All closed orders of `address` the DEX keeps (its default window).
    pub fn new(address: Address) -> Self {
        Self {
            address,
            symbol: None,
            status: Vec::new(),
            side: None,
            start_ms: None,
            end_ms: None,
            limit: None,
            offset: None,
        }
    }
}

/// One order as the DEX reports it (`GET /api/v1/orders/{id}`, `/orders/closed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// The order id.
    pub order_id: OrderId,
    /// The market.
    pub symbol: String,
    /// Who placed it.
    pub owner: Address,
    /// Buy or sell.
    pub side: Side,
    /// The limit price.
    pub price: Fixed8,
    /// The quantity ordered.
    pub quantity: Fixed8,
    /// The quantity filled so far.
    pub cumulate_quantity: Fixed8,
    /// Its status.
    pub status: OrderStatus,
    /// GTE or IOC.
    pub time_in_force: TimeInForce,
    /// The transaction that placed it.
    pub transaction_hash: TxHash,
    /// The fee of its last block (`BNB:0.00000172;`), when any.
    pub fee: Option<String>,
    /// The price of its last fill, when any.
    pub last_executed_price: Option<Fixed8>,
    /// The quantity of its last fill, when any.
    pub last_executed_quantity: Option<Fixed8>,
    /// Its last trade id, when any.
    pub trade_id: Option<String>,
    /// When it was placed (milliseconds since the epoch), when the DEX says.
    pub create_time_ms: Option<u64>,
    /// When it last changed (milliseconds since the epoch), when the DEX says.
    pub transaction_time_ms: Option<u64>,
}

/// `GET /api/v1/orders/closed`: a page of orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderList {
    /// How many match in all, when asked for (the DEX sends -1 otherwise).
    pub total: Option<u64>,
    /// This page.
    pub orders: Vec<Order>,
}

/// 24-hour statistics of one market (`GET /api/v1/ticker/24hr`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticker24hr {
    /// The market.
    pub symbol: String,
    /// Best ask price.
    pub ask_price: Fixed8,
    /// Quantity at the best ask.
    pub ask_quantity: Fixed8,
    /// Best bid price.
    pub bid_price: Fixed8,
    /// Quantity at the best bid.
    pub bid_quantity: Fixed8,
    /// Opening price of the window.
    pub open_price: Fixed8,
    /// Highest price.
    pub high_price: Fixed8,
    /// Lowest price.
    pub low_price: Fixed8,
    /// Last price.
    pub last_price: Fixed8,
    /// Last trade's quantity.
    pub last_quantity: Fixed8,
    /// The previous window's close.
    pub prev_close_price: Fixed8,
    /// Change of price over the window, a signed decimal as the DEX sends it.
    pub price_change: String,
    /// Change in percent, a signed decimal as the DEX sends it.
    pub price_change_percent: String,
    /// Volume-weighted average price.
    pub weighted_avg_price: Fixed8,
    /// Base asset volume.
    pub volume: Fixed8,
    /// Quote asset volume.
    pub quote_volume: Fixed8,
    /// Window start (milliseconds since the epoch).
    pub open_time_ms: u64,
    /// Window end (milliseconds since the epoch).
    pub close_time_ms: u64,
    /// First trade id of the window.
    pub first_id: String,
    /// Last trade id of the window.
    pub last_id: String,
    /// Number of trades.
    pub count: u64,
}

/// Which klines to read (`GET /api/v1/klines`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KlineQuery {
    /// The market.
    pub symbol: String,
    /// The bar width.
    pub interval: KlineInterval,
    /// At most this many bars (the DEX's default is 300).
    pub limit: Option<PageLimit>,
    /// From this time (milliseconds since the epoch).
    pub start_time_ms: Option<u64>,
    /// Until this time (milliseconds since the epoch).
    pub end_time_ms: Option<u64>,
}

/// One kline (candlestick bar).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kline {
    /// Bar start (milliseconds since the epoch).
    pub open_time_ms: u64,
    /// Opening price.
    pub open: Fixed8,
    /// Highest price.
    pub high: Fixed8,
    /// Lowest price.
    pub low: Fixed8,
    /// Closing price.
    pub close: Fixed8,
    /// Base asset volume.
    pub volume: Fixed8,
    /// Bar end (milliseconds since the epoch).
    pub close_time_ms: u64,
    /// Quote asset volume.
    pub quote_volume: Fixed8,
    /// Number of trades.
    pub trades: u64,
}

/// Who receives a fixed fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FeeFor {
    /// The block proposer (1).
    Proposer,
    /// All validators (2).
    All,
    /// Nobody: the message is free (3).
    Free,
}

/// A fee for one message type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedFee {
    /// The message type (`send`, `submit_proposal`…).
    pub msg_type: String,
    /// The fee in BNB.
    pub fee: Fixed8,
    /// Who receives it.
    pub fee_for: FeeFor,
}

/// One entry of `GET /api/v1/fees`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FeeParam {
    /// A fixed fee per message.
    Fixed(FixedFee),
    /// The transfer fee, with its cheaper per-output rate for multi-sends.
    Transfer {
        /// The fee of a single transfer.
        fixed: FixedFee,
        /// The fee per output of a multi-send.
        multi_transfer_fee: Fixed8,
        /// From how many outputs the multi-send rate applies.
        lower_limit_as_multi: u64,
    },
    /// The DEX's trading fee parameters, by name (`ExpireFee`, `TradeFee`…), as integers whose
    /// unit depends on the name.
    Dex(Vec<(String, u64)>),
}

/// `GET /api/v1/time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DexTime {
    /// The API server's clock (milliseconds since the epoch).
    pub ap_time_ms: u64,
    /// The latest block's time (milliseconds since the epoch).
    pub block_time_ms: u64,
}

// ---- parsing ----

pub(crate) fn level(v: &Value, path: &str) -> Parsed<PriceLevel> {
    let pair = parse::list(v, path, parse::fixed8)?;
    match pair.as_slice() {
        [price, quantity] => Ok(PriceLevel {
            price: *price,
            quantity: *quantity,
        }),
        _ => bad(path, format!("expected [price, quantity], got {v}")),
    }
}

pub(crate) fn depth_from(v: &Value) -> Parsed<Depth> {
    let o = Obj::new(v, "")?;
    let asks = o.list("asks", level)?;
    let bids = o.list("bids", level)?;
    // A book out of order would show the wrong best prices; refuse it rather than guess.
    if let Some(i) = asks.windows(2).position(|w| w[0].price >= w[1].price) {
        return bad(
            &format!("asks[{}]", i + 1),
            "asks are not in ascending price order",
        );
    }
    if let Some(i) = bids.windows(2).position(|w| w[0].price <= w[1].price) {
        return bad(
            &format!("bids[{}]", i + 1),
            "bids are not in descending price order",
        );
    }
    Ok(Depth {
        asks,
        bids,
        height: o.maybe("height", parse::u64_)?,
    })
}

fn trade(v: &Value, path: &str) -> Parsed<Trade> {
    let o = Obj::new(v, path)?;
    Ok(Trade {
        trade_id: o.req("tradeId", parse::id_string)?,
        symbol: o.req("symbol", parse::string)?,
        price: o.req("price", parse::fixed8)?,
        quantity: o.req("quantity", parse::fixed8)?,
        buyer: o.req("buyerId", parse::address)?,
        seller: o.req("sellerId", parse::address)?,
        buyer_order_id: o.req("buyerOrderId", parse::order_id)?,
        seller_order_id: o.req("sellerOrderId", parse::order_id)?,
        block_height: o.req("blockHeight", parse::u64_)?,
        time_ms: o.req("time", parse::time_ms)?,
        tick_type: o.opt_nonempty("tickType", parse::string)?,
        buy_fee: o.opt_nonempty("buyFee", parse::string)?,
        sell_fee: o.opt_nonempty("sellFee", parse::string)?,
    })
}

pub(crate) fn trade_page_from(v: &Value) -> Parsed<TradePage> {
    let o = Obj::new(v, "")?;
    Ok(TradePage {
        total: o.maybe("total", parse::total)?.flatten(),
        trades: match o.opt("trade") {
            Some(_) => o.list("trade", trade)?,
            None => Vec::new(),
        },
    })
}

pub(crate) fn order(v: &Value, path: &str) -> Parsed<Order> {
    let o = Obj::new(v, path)?;
    Ok(Order {
        order_id: o.req("orderId", parse::order_id)?,
        symbol: o.req("symbol", parse::string)?,
        owner: o.req("owner", parse::address)?,
        side: o.req("side", parse::side)?,
        price: o.req("price", parse::fixed8)?,
        quantity: o.req("quantity", parse::fixed8)?,
        cumulate_quantity: o.req("cumulateQuantity", parse::fixed8)?,
        status: o.req("status", parse::parsed::<OrderStatus>)?,
        time_in_force: o.req("timeInForce", parse::time_in_force)?,
        transaction_hash: o.req("transactionHash", parse::tx_hash)?,
        fee: o.opt_nonempty("fee", parse::string)?,
        last_executed_price: o.opt_nonempty("lastExecutedPrice", parse::fixed8)?,
        last_executed_quantity: o.opt_nonempty("lastExecutedQuantity", parse::fixed8)?,
        trade_id: o.opt_nonempty("tradeId", parse::id_string)?,
        create_time_ms: o.opt_nonempty("orderCreateTime", parse::time_ms)?,
        transaction_time_ms: o.opt_nonempty("transactionTime", parse::time_ms)?,
    })
}

pub(crate) fn order_list_from(v: &Value) -> Parsed<OrderList> {
    let o = Obj::new(v, "")?;
    Ok(OrderList {
        total: o.maybe("total", parse::total)?.flatten(),
        orders: match o.opt("order") {
            Some(_) => o.list("order", order)?,
            None => Vec::new(),
        },
    })
}

/// A signed decimal (`-0.0015`, `250.00`) kept as text.
fn signed_decimal(v: &Value, path: &str) -> Parsed<String> {
    let s = match v {
        Value::Number(n) => n.to_string(),
        other => parse::string(other, path)?,
    };
    let digits = s.strip_prefix('-').unwrap_or(&s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    if int.is_empty()
        || frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return bad(path, format!("{s:?} is not a decimal number"));
    }
    Ok(s)
}

fn ticker(v: &Value, path: &str) -> Parsed<Ticker24hr> {
    let o = Obj::new(v, path)?;
    Ok(Ticker24hr {
        symbol: o.req("symbol", parse::string)?,
        ask_price: o.req("askPrice", parse::fixed8)?,
        ask_quantity: o.req("askQuantity", parse::fixed8)?,
        bid_price: o.req("bidPrice", parse::fixed8)?,
        bid_quantity: o.req("bidQuantity", parse::fixed8)?,
        open_price: o.req("openPrice", parse::fixed8)?,
        high_price: o.req("highPrice", parse::fixed8)?,
        low_price: o.req("lowPrice", parse::fixed8)?,
        last_price: o.req("lastPrice", parse::fixed8)?,
        last_quantity: o.req("lastQuantity", parse::fixed8)?,
        prev_close_price: o.req("prevClosePrice", parse::fixed8)?,
        price_change: o.req("priceChange", signed_decimal)?,
        price_change_percent: o.req("priceChangePercent", signed_decimal)?,
        weighted_avg_price: o.req("weightedAvgPrice", parse::fixed8)?,
        volume: o.req("volume", parse::fixed8)?,
        quote_volume: o.req("quoteVolume", parse::fixed8)?,
        open_time_ms: o.req("openTime", parse::u64_)?,
        close_time_ms: o.req("closeTime", parse::u64_)?,
        first_id: o.req("firstId", parse::id_string)?,
        last_id: o.req("lastId", parse::id_string)?,
        count: o.req("count", parse::u64_)?,
    })
}

pub(crate) fn tickers_from(v: &Value) -> Parsed<Vec<Ticker24hr>> {
    parse::list(v, "", ticker)
}

fn kline(v: &Value, path: &str) -> Parsed<Kline> {
    let items = match v {
        Value::Array(items) if items.len() == 9 => items,
        _ => {
            return bad(
                path,
                "expected [openTime, open, high, low, close, volume, closeTime, quoteVolume, trades]",
            );
        }
    };
    let at = |i: usize| format!("{path}[{i}]");
    Ok(Kline {
        open_time_ms: parse::u64_(&items[0], &at(0))?,
        open: parse::fixed8(&items[1], &at(1))?,
        high: parse::fixed8(&items[2], &at(2))?,
        low: parse::fixed8(&items[3], &at(3))?,
        close: parse::fixed8(&items[4], &at(4))?,
        volume: parse::fixed8(&items[5], &at(5))?,
        close_time_ms: parse::u64_(&items[6], &at(6))?,
        quote_volume: parse::fixed8(&items[7], &at(7))?,
        trades: parse::u64_(&items[8], &at(8))?,
    })
}

pub(crate) fn klines_from(v: &Value) -> Parsed<Vec<Kline>> {
    parse::list(v, "", kline)
}

fn fixed_fee(o: &Obj<'_>) -> Parsed<FixedFee> {
    let fee_for = match o.req("fee_for", parse::u64_)? {
        1 => FeeFor::Proposer,
        2 => FeeFor::All,
        3 => FeeFor::Free,
        other => {
            return bad(
                &o.path_of("fee_for"),
                format!("expected 1 (proposer), 2 (all) or 3 (free), got {other}"),
            );
        }
    };
    Ok(FixedFee {
        msg_type: o.req("msg_type", parse::string)?,
        fee: Fixed8::from_units(o.req("fee", parse::u64_)?.try_into().unwrap_or(-1))
            .or_else(|_| bad(&o.path_of("fee"), "fee out of range"))?,
        fee_for,
    })
}

fn fee_param(v: &Value, path: &str) -> Parsed<FeeParam> {
    let o = Obj::new(v, path)?;
    if let Some(fixed) = o.opt("fixed_fee_params") {
        let fixed = fixed_fee(&Obj::new(fixed, &o.path_of("fixed_fee_params"))?)?;
        let multi = o.req("multi_transfer_fee", parse::u64_)?;
        return Ok(FeeParam::Transfer {
            fixed,
            multi_transfer_fee: Fixed8::from_units(multi.try_into().unwrap_or(-1))
                .or_else(|_| bad(&o.path_of("multi_transfer_fee"), "fee out of range"))?,
            lower_limit_as_multi: o.req("lower_limit_as_multi", parse::u64_)?,
        });
    }
    if o.opt("dex_fee_fields").is_some() {
        return Ok(FeeParam::Dex(o.list("dex_fee_fields", |f, p| {
            let f = Obj::new(f, p)?;
            Ok((
                f.req("fee_name", parse::string)?,
                f.req("fee_value", parse::u64_)?,
            ))
        })?));
    }
    fixed_fee(&o).map(FeeParam::Fixed)
}

pub(crate) fn fees_from(v: &Value) -> Parsed<Vec<FeeParam>> {
    parse::list(v, "", fee_param)
}

pub(crate) fn time_from(v: &Value) -> Parsed<DexTime> {
    let o = Obj::new(v, "")?;
    Ok(DexTime {
        ap_time_ms: o.req("ap_time", parse::time_ms)?,
        block_time_ms: o.req("block_time", parse::time_ms)?,
    })
}

// ---- the query string ----

/// A market symbol as the DEX writes them: `BASE_QUOTE`, each an asset symbol of letters,
/// digits, `-` and `.` (`NNB-338_BNB`, `BTCB-1DE_BUSD-BD1`).
fn check_symbol(symbol: &str) -> Result<(), ClientError> {
    let asset = |a: &str| {
        !a.is_empty()
            && a.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    };
    match symbol.split_once('_') {
        Some((base, quote)) if asset(base) && asset(quote) => Ok(()),
        _ => Err(ClientError::InvalidQuery(MarketParamError::Symbol(
            symbol.into(),
        ))),
    }
}

fn check_window(start: Option<u64>, end: Option<u64>) -> Result<(), ClientError> {
    match (start, end) {
        (Some(start_ms), Some(end_ms)) if start_ms > end_ms => {
            Err(ClientError::InvalidQuery(MarketParamError::TimeWindow {
                start_ms,
                end_ms,
            }))
        }
        _ => Ok(()),
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters pass through).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A path with its query parameters, encoded.
struct Query {
    url: String,
    first: bool,
}

impl Query {
    fn new(path: &str) -> Self {
        Self {
            url: path.into(),
            first: true,
        }
    }
    fn add(&mut self, key: &str, value: impl fmt::Display) -> &mut Self {
        self.url.push(if self.first { '?' } else { '&' });
        self.first = false;
        self.url.push_str(key);
        self.url.push('=');
        self.url.push_str(&encode(&value.to_string()));
        self
    }
    fn opt(&mut self, key: &str, value: Option<impl fmt::Display>) -> &mut Self {
        if let Some(v) = value {
            self.add(key, v);
        }
        self
    }
}

impl DexClient {
    /// A GET answered with JSON, parsed by `f`; a 404 is `Ok(None)`.
    async fn get_parsed<T>(
        &self,
        path: &str,
        f: impl FnOnce(&Value) -> Parsed<T>,
    ) -> Result<Option<T>, ClientError> {
        let Some(v) = self.get_json::<Value>(path).await? else {
            return Ok(None);
        };
        f(&v).map(Some).map_err(|e| ClientError::BadField {
            url: self.url(path),
            field: e.field,
            reason: e.reason,
        })
    }

    /// A GET of a collection or resource that must exist: a 404 is an error naming `what`.
    async fn get_required<T>(
        &self,
        path: &str,
        what: &str,
        f: impl FnOnce(&Value) -> Parsed<T>,
    ) -> Result<T, ClientError> {
        self.get_parsed(path, f)
            .await?
            .ok_or_else(|| ClientError::Http {
                status: 404,
                message: format!("{what} not found"),
            })
    }

    /// `GET /api/v1/depth?symbol=&limit=`: the order book of `symbol`, `limit` levels per side
    /// (the DEX's default when `None`).
    pub async fn depth(
        &self,
        symbol: &str,
        limit: Option<DepthLimit>,
    ) -> Result<Depth, ClientError> {
        check_symbol(symbol)?;
        let mut q = Query::new("/api/v1/depth");
        q.add("symbol", symbol).opt("limit", limit);
        self.get_required(&q.url, &format!("market {symbol}"), depth_from)
            .await
    }

    /// `GET /api/v1/trades`: trades matching `filter`, newest first.
    pub async fn trades(&self, filter: &TradeFilter) -> Result<TradePage, ClientError> {
        if let Some(s) = &filter.symbol {
            check_symbol(s)?;
        }
        check_window(filter.start_ms, filter.end_ms)?;
        let mut q = Query::new("/api/v1/trades");
        q.opt("symbol", filter.symbol.as_deref())
            .opt("address", filter.address.as_ref())
            .opt("start", filter.start_ms)
            .opt("end", filter.end_ms)
            .opt("limit", filter.limit)
            .opt("offset", filter.offset)
            .opt("side", filter.side.map(Side::code))
            .opt("buyerOrderId", filter.buyer_order_id)
            .opt("sellerOrderId", filter.seller_order_id)
            .opt("height", filter.height);
        Ok(self
            .get_parsed(&q.url, trade_page_from)
            .await?
            .unwrap_or(TradePage {
                total: Some(0),
                trades: Vec::new(),
            }))
    }

    /// `GET /api/v1/orders/closed`: the closed orders of `filter.address`, newest first.
    pub async fn closed_orders(
        &self,
        filter: &ClosedOrderFilter,
    ) -> Result<OrderList, ClientError> {
        let mut q = Query::new("/api/v1/orders/closed");
        q.add("address", &filter.address)
            .opt("symbol", filter.symbol.as_deref());
        if !filter.status.is_empty() {
            let statuses: Vec<&str> = filter.status.iter().map(|s| s.as_str()).collect();
            q.add("status", statuses.join(","));
        }
        q.opt("side", filter.side.map(Side::code))
            .opt("start", filter.start_ms)
            .opt("end", filter.end_ms)
            .opt("limit", filter.limit)
            .opt("offset", filter.offset);
        Ok(self
            .get_parsed(&q.url, order_list_from)
            .await?
            .unwrap_or(OrderList {
                total: Some(0),
                orders: Vec::new(),
            }))
    }

    /// `GET /api/v1/orders/{id}`: one order, open or closed; `None` when the DEX does not
    /// know it.
    pub async fn order(&self, id: &OrderId) -> Result<Option<Order>, ClientError> {
        self.get_parsed(&format!("/api/v1/orders/{id}"), |v| order(v, ""))
            .await
    }

    /// `GET /api/v1/ticker/24hr[?symbol=]`: 24-hour statistics of one market, or of all.
    pub async fn ticker_24hr(&self, symbol: Option<&str>) -> Result<Vec<Ticker24hr>, ClientError> {
        if let Some(s) = symbol {
            check_symbol(s)?;
        }
        let mut q = Query::new("/api/v1/ticker/24hr");
        q.opt("symbol", symbol);
        Ok(self
            .get_parsed(&q.url, tickers_from)
            .await?
            .unwrap_or_default())
    }

    /// `GET /api/v1/klines`: candlestick bars, oldest first.
    pub async fn klines(&self, query: &KlineQuery) -> Result<Vec<Kline>, ClientError> {
        check_symbol(&query.symbol)?;
        check_window(query.start_time_ms, query.end_time_ms)?;
        let mut q = Query::new("/api/v1/klines");
        q.add("symbol", &query.symbol)
            .add("interval", query.interval)
            .opt("limit", query.limit)
            .opt("startTime", query.start_time_ms)
            .opt("endTime", query.end_time_ms);
        self.get_required(&q.url, &format!("market {}", query.symbol), klines_from)
            .await
    }

    /// `GET /api/v1/fees`: the chain's fee parameters.
    pub async fn fees(&self) -> Result<Vec<FeeParam>, ClientError> {
        self.get_required("/api/v1/fees", "fees", fees_from).await
    }

    /// `GET /api/v1/time`: the API server's and the latest block's time.
    pub async fn time(&self) -> Result<DexTime, ClientError> {
        self.get_required("/api/v1/time", "time", time_from).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (s, n) in OrderStatus::ALL {
            assert_eq!(n.parse::<OrderStatus>(), Ok(s));
            assert_eq!(s.to_string(), n);
        }
        for (i, n) in KlineInterval::ALL {
            assert_eq!(n.parse::<KlineInterval>(), Ok(i));
            assert_eq!(i.to_string(), n);
        }
        assert_eq!("1M".parse::<KlineInterval>(), Ok(KlineInterval::Month1));
        assert_eq!("1m".parse::<KlineInterval>(), Ok(KlineInterval::Min1));
        assert_eq!(
            "2m".parse::<KlineInterval>(),
            Err(MarketParamError::Interval("2m".into()))
        );
    }

    #[test]
    fn limits_are_the_documented_ones() {
        // paths.md: depth limits [5, 10, 20, 50, 100, 500, 1000]; pages "max 1000".
        assert_eq!("20".parse::<DepthLimit>().map(DepthLimit::get), Ok(20));
        assert_eq!(
            "25".parse::<DepthLimit>(),
            Err(MarketParamError::DepthLimit("25".into()))
        );
        assert_eq!(
            "0".parse::<PageLimit>(),
            Err(MarketParamError::PageLimit("0".into()))
        );
        assert_eq!("1000".parse::<PageLimit>().map(PageLimit::get), Ok(1000));
        assert_eq!(
            "1001".parse::<PageLimit>(),
            Err(MarketParamError::PageLimit("1001".into()))
        );
    }

    use proptest::prelude::*;

    /// Any JSON, with leaves close to the API's (numbers, decimals, dates, ids, sides).
    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
            "[0-9A-Fa-z.:TZ_ -]{0,24}".prop_map(Value::String),
            "[0-9]{1,12}\\.[0-9]{1,10}".prop_map(Value::String),
            "20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,12})?Z"
                .prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(
                    prop_oneof![
                        "[a-zA-Z]{1,16}",
                        Just("asks".to_string()),
                        Just("bids".to_string()),
                        Just("trade".to_string()),
                        Just("order".to_string()),
                    ],
                    inner,
                    0..6
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Whatever a server sends, the parsers answer with a value or a field error, never a
        /// panic.
        #[test]
        fn hostile_answers_never_panic(v in any_json()) {
            let _ = depth_from(&v);
            let _ = trade_page_from(&v);
            let _ = order_list_from(&v);
            let _ = order(&v, "");
            let _ = tickers_from(&v);
            let _ = klines_from(&v);
            let _ = fees_from(&v);
            let _ = time_from(&v);
            let _ = super::super::stream::event_from(&serde_json::json!({"stream": "orders", "data": v.clone()}));
            let _ = super::super::stream::event_from(&serde_json::json!({"stream": "kline_1m", "data": v.clone()}));
            let _ = super::super::stream::event_from(&serde_json::json!({"stream": "accounts", "data": v}));
        }
    }

    #[test]
    fn query_values_are_encoded() {
        let mut q = Query::new("/p");
        q.add("symbol", "A&B=C")
            .opt("limit", Some(5))
            .opt("x", None::<u8>);
        assert_eq!(q.url, "/p?symbol=A%26B%3DC&limit=5");
    }
}
