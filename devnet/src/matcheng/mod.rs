//! The matching engine: the periodic call auction the chain ran for each market at every block.
//!
//! A port of the Binance Chain node's engine, bnb-chain/node `plugins/dex/matcheng`
//! (`engine_new.go` for the round, `match.go` for the price rules and the allocation helpers,
//! `types.go` for the order and level shapes, `orderbook.go` and `utils.go` for the overlapped
//! range). It is pure: no I/O, no clock, no ledger; quantities and prices are Fixed8 integers
//! (10^-8 units) as on the chain. The devnet's block loop, settlement and API wire it in.
//!
//! # One round ([`match_round`])
//!
//! 1. The block's new orders join the book at the end of their price levels (time priority).
//! 2. **Overlapped range**: the prices from the lowest ask to the highest bid, when they cross.
//!    Nothing crosses: no trade.
//! 3. **Concluded price** ([`steps::trade_price`]), among the prices of the range:
//!    the largest executable volume; then the least absolute surplus (buy minus sell volume);
//!    then market pressure: only buy surpluses left, the highest price, only sell surpluses, the
//!    lowest, but within the reference (last trade) price ± the price limit (5% on the chain),
//!    where a band edge between two candidates becomes the price itself; otherwise the price
//!    closest to the reference, the reference itself when it lies between candidates.
//! 4. **Redundant quantity** ([`steps::drop_redundant_qty_at`]): the side with more volume than
//!    executes loses the excess from its worst executable level, latest orders first; orders
//!    placed at the same height share the cut in proportion, in whole lots.
//! 5. **Makers and takers** ([`steps::determine_taker_side`]): orders placed before this block
//!    are makers; only one side can have makers, because the book was not crossed after the last
//!    round. The other side is the taker side (the buy side when nobody is a maker).
//! 6. **Fills** ([`steps::fill_orders`]): each maker level away from the concluded price trades at
//!    its own price, its quantity split over the takers in proportion to their quantity, in
//!    lot-size units, remainder one lot at a time; then the rest trades at the concluded price.
//! 7. Filled orders leave the book; IOC orders of this block that are not fully filled expire;
//!    GTE orders rest.
//!
//! Where Go's exact arithmetic or ordering decides an outcome (integer division truncating toward
//! zero, stable sorts, strict comparisons keeping the first of equals, float64 band limits), the
//! port does the same and says so at that place.

mod book;
pub mod steps;

use std::collections::{HashMap, HashSet};

use thiserror::Error;

pub use book::{Book, BookError, RestingOrder};
use steps::{OrderPart, OverlappedLevel, StepError};

/// Order side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Side {
    /// Buy the base asset.
    Buy,
    /// Sell the base asset.
    Sell,
}

/// How long an order lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeInForce {
    /// Good till expiry: rests until filled, cancelled or expired.
    Gte,
    /// Immediate or cancel: expires after the round of its own block.
    Ioc,
}

/// An order placed in the block being matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    /// Order id (unique in the market).
    pub id: String,
    /// Side.
    pub side: Side,
    /// Limit price, Fixed8.
    pub price: i64,
    /// Quantity, Fixed8 base units.
    pub qty: i64,
    /// Time in force.
    pub time_in_force: TimeInForce,
}

/// How a trade's maker and taker stood (Go's tick types, same numbering).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TickType {
    /// Unknown (Go 0).
    Unknown,
    /// A resting buy was hit by a new sell (Go 1).
    SellTaker,
    /// A resting sell was lifted by a new buy (Go 2).
    BuyTaker,
    /// Both new, buy volume in surplus at the concluded price (Go 3).
    BuySurplus,
    /// Both new, sell volume in surplus (Go 4).
    SellSurplus,
    /// Both new, volumes balanced (Go 5).
    Neutral,
}

impl TickType {
    /// Go's integer code.
    pub fn code(self) -> u8 {
        match self {
            TickType::Unknown => 0,
            TickType::SellTaker => 1,
            TickType::BuyTaker => 2,
            TickType::BuySurplus => 3,
            TickType::SellSurplus => 4,
            TickType::Neutral => 5,
        }
    }
}

/// One execution between a buy and a sell order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trade {
    /// Sell order id.
    pub sell_id: String,
    /// Buy order id.
    pub buy_id: String,
    /// Execution price, Fixed8.
    pub price: i64,
    /// Executed quantity, Fixed8 base units.
    pub qty: i64,
    /// The buy order's filled quantity after this trade.
    pub buy_cum_qty: i64,
    /// The sell order's filled quantity after this trade.
    pub sell_cum_qty: i64,
    /// Maker/taker standing.
    pub tick_type: TickType,
}

/// An order's status after a round (the chain's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OrderStatus {
    /// New, unfilled, resting.
    Ack,
    /// Partly filled, resting.
    PartialFill,
    /// Filled; off the book.
    FullyFill,
    /// IOC, nothing filled; expired.
    IocNoFill,
    /// IOC, partly filled; the rest expired.
    IocExpire,
}

/// The state of one order whose status this round set or changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderUpdate {
    /// Order id.
    pub id: String,
    /// Side.
    pub side: Side,
    /// Limit price.
    pub price: i64,
    /// Original quantity.
    pub qty: i64,
    /// Filled quantity after the round.
    pub cum_qty: i64,
    /// Status after the round.
    pub status: OrderStatus,
}

/// The market's parameters for one round.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoundParams {
    /// Height of the block being matched; orders placed below it are makers.
    pub height: i64,
    /// Reference price: the market's last trade price (its list price before any trade).
    pub last_price: i64,
    /// Lot size, Fixed8; fills are split in multiples of it.
    pub lot_size: i64,
    /// Price limit for market pressure, a fraction (the chain used 0.05).
    pub price_limit_pct: f64,
}

/// What a round did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundOutcome {
    /// The concluded price, if anything crossed.
    pub concluded_price: Option<i64>,
    /// The market's last price after the round (the concluded price, or the previous one).
    pub last_price: i64,
    /// Number of price levels in the overlapped range (0 when nothing crossed).
    pub overlapped_levels: usize,
    /// Trades in execution order.
    pub trades: Vec<Trade>,
    /// Orders that traded, in order of first trade, then the block's other new orders in the
    /// order given.
    pub updates: Vec<OrderUpdate>,
}

/// Why a round did not run. The book is left as it was before the round.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum MatchError {
    /// The lot size is zero or negative.
    #[error("lot size must be positive, got {0}")]
    InvalidLotSize(i64),
    /// The price limit is not a fraction in [0, 1).
    #[error("price limit must be a fraction in [0, 1), got {0}")]
    InvalidPriceLimit(f64),
    /// A new order cannot go on the book.
    #[error(transparent)]
    Order(#[from] BookError),
    /// The engine found its input inconsistent (for example a crossed resting book).
    #[error("matching failed: {0}")]
    Engine(#[from] StepError),
}

/// Runs one auction round on `book` with the block's `new_orders` (see the module docs). On
/// success the book holds the resting orders after the round; on error it is unchanged and no new
/// order was added.
pub fn match_round(
    book: &mut Book,
    new_orders: &[NewOrder],
    params: &RoundParams,
) -> Result<RoundOutcome, MatchError> {
    if params.lot_size <= 0 {
        return Err(MatchError::InvalidLotSize(params.lot_size));
    }
    if !(params.price_limit_pct >= 0.0 && params.price_limit_pct < 1.0) {
        return Err(MatchError::InvalidPriceLimit(params.price_limit_pct));
    }
    let mut seen = HashSet::with_capacity(new_orders.len());
    for o in new_orders {
        book::check_order(&o.id, o.price, o.qty, 0)?;
        if book.index.contains_key(&o.id) || !seen.insert(o.id.as_str()) {
            return Err(BookError::DuplicateId(o.id.clone()).into());
        }
    }
    for o in new_orders {
        book.index.insert(o.id.clone(), (o.side, o.price));
        book.side_mut(o.side)
            .entry(o.price)
            .or_default()
            .push(RestingOrder {
                id: o.id.clone(),
                height: params.height,
                qty: o.qty,
                cum_qty: 0,
            });
    }

    let mut levels = take_overlapped(book);
    let result = auction(&mut levels, params);
    let (concluded, trades) = match result {
        Ok(r) => r,
        Err(e) => {
            put_back(book, levels);
            for o in new_orders {
                book.remove(&o.id);
            }
            return Err(e.into());
        }
    };

    // Final state of every order that traded or is new, before filled ones leave the book.
    let mut first_trade: HashMap<&str, usize> = HashMap::new();
    for t in &trades {
        for id in [t.buy_id.as_str(), t.sell_id.as_str()] {
            let next = first_trade.len();
            first_trade.entry(id).or_insert(next);
        }
    }
    let mut traded: Vec<Option<OrderUpdate>> = vec![None; first_trade.len()];
    for l in &levels {
        for (side, orders) in [(Side::Buy, &l.buy_orders), (Side::Sell, &l.sell_orders)] {
            for o in orders {
                if let Some(&k) = first_trade.get(o.id.as_str()) {
                    traded[k] = Some(OrderUpdate {
                        id: o.id.clone(),
                        side,
                        price: l.price,
                        qty: o.qty,
                        cum_qty: o.cum_qty,
                        status: status_of(o.qty, o.cum_qty),
                    });
                }
            }
        }
    }
    let overlapped_levels = levels.len();
    put_back(book, levels);

    let ioc: HashSet<&str> = new_orders
        .iter()
        .filter(|o| o.time_in_force == TimeInForce::Ioc)
        .map(|o| o.id.as_str())
        .collect();
    let mut updates: Vec<OrderUpdate> = traded.into_iter().flatten().collect();
    for u in &mut updates {
        if ioc.contains(u.id.as_str()) && u.status == OrderStatus::PartialFill {
            u.status = OrderStatus::IocExpire;
            book.remove(&u.id);
        }
    }
    for o in new_orders {
        if first_trade.contains_key(o.id.as_str()) {
            continue;
        }
        let status = if o.time_in_force == TimeInForce::Ioc {
            book.remove(&o.id);
            OrderStatus::IocNoFill
        } else {
            OrderStatus::Ack
        };
        updates.push(OrderUpdate {
            id: o.id.clone(),
            side: o.side,
            price: o.price,
            qty: o.qty,
            cum_qty: 0,
            status,
        });
    }

    Ok(RoundOutcome {
        concluded_price: concluded,
        last_price: concluded.unwrap_or(params.last_price),
        overlapped_levels,
        trades,
        updates,
    })
}

fn status_of(qty: i64, cum_qty: i64) -> OrderStatus {
    if cum_qty >= qty {
        OrderStatus::FullyFill
    } else {
        OrderStatus::PartialFill
    }
}

/// Steps 3 to 6 on the overlapped levels: the concluded price and the trades (Go `Match`).
fn auction(
    levels: &mut [OverlappedLevel],
    params: &RoundParams,
) -> Result<(Option<i64>, Vec<Trade>), StepError> {
    if levels.is_empty() {
        return Ok((None, Vec::new()));
    }
    steps::prepare_match(levels);
    let Some((price, idx)) = steps::trade_price(levels, params.last_price, params.price_limit_pct)
    else {
        return Ok((None, Vec::new()));
    };
    steps::drop_redundant_qty_at(levels, idx, params.lot_size)?;
    let taker_side = steps::determine_taker_side(levels, params.height, idx)?;
    let (positions, _) = steps::merge_taker_side_orders(taker_side, levels, idx);
    // Move the takers out of their levels for the fill, then back (the fill only walks the maker
    // side of the levels).
    let mut takers: Vec<OrderPart> = positions
        .iter()
        .map(|&(li, oi)| std::mem::take(taker_orders(&mut levels[li], taker_side, oi)))
        .collect();
    let surplus = levels[idx].buy_sell_surplus;
    let trades = steps::fill_orders(
        levels,
        taker_side,
        &mut takers,
        idx,
        price,
        surplus,
        params.lot_size,
    );
    for (&(li, oi), t) in positions.iter().zip(takers) {
        *taker_orders(&mut levels[li], taker_side, oi) = t;
    }
    Ok((Some(price), trades))
}

fn taker_orders(l: &mut OverlappedLevel, side: Side, oi: usize) -> &mut OrderPart {
    match side {
        Side::Buy => &mut l.buy_orders[oi],
        Side::Sell => &mut l.sell_orders[oi],
    }
}

impl Book {
    /// The overlapped range as the engine would see it, without changing the book (it copies the
    /// book; for inspection and tests).
    pub fn overlapped(&self) -> Vec<OverlappedLevel> {
        take_overlapped(&mut self.clone())
    }
}

/// Takes the levels of the overlapped range off the book, merged high to low (Go
/// `GetOverlappedRange` and `mergeLevels`).
fn take_overlapped(book: &mut Book) -> Vec<OverlappedLevel> {
    let (Some(bid), Some(ask)) = (book.best_bid(), book.best_ask()) else {
        return Vec::new();
    };
    if bid < ask {
        return Vec::new();
    }
    let mut buys: Vec<(i64, Vec<RestingOrder>)> = Vec::new();
    let bid_prices: Vec<i64> = book.bids.range(ask..=bid).rev().map(|(p, _)| *p).collect();
    for p in bid_prices {
        if let Some(v) = book.bids.remove(&p) {
            buys.push((p, v));
        }
    }
    let ask_prices: Vec<i64> = book.asks.range(ask..=bid).rev().map(|(p, _)| *p).collect();
    let mut sells: Vec<(i64, Vec<RestingOrder>)> = Vec::new();
    for p in ask_prices {
        if let Some(v) = book.asks.remove(&p) {
            sells.push((p, v));
        }
    }
    let parts = |v: Vec<RestingOrder>| -> Vec<OrderPart> {
        v.into_iter()
            .map(|o| OrderPart {
                id: o.id,
                time: o.height,
                qty: o.qty,
                cum_qty: o.cum_qty,
                nxt_trade: 0,
            })
            .collect()
    };
    // Both lists are high to low; merge them, joining equal prices.
    let mut out = Vec::with_capacity(buys.len() + sells.len());
    let mut bi = buys.into_iter().peekable();
    let mut si = sells.into_iter().peekable();
    loop {
        let take_buy = match (bi.peek(), si.peek()) {
            (None, None) => break,
            (Some(_), None) => Some(true),
            (None, Some(_)) => Some(false),
            (Some((bp, _)), Some((sp, _))) => match bp.cmp(sp) {
                std::cmp::Ordering::Greater => Some(true),
                std::cmp::Ordering::Less => Some(false),
                std::cmp::Ordering::Equal => None,
            },
        };
        let level = match take_buy {
            Some(true) => bi.next().map(|(p, v)| OverlappedLevel {
                price: p,
                buy_orders: parts(v),
                ..Default::default()
            }),
            Some(false) => si.next().map(|(p, v)| OverlappedLevel {
                price: p,
                sell_orders: parts(v),
                ..Default::default()
            }),
            None => match (bi.next(), si.next()) {
                (Some((p, b)), Some((_, s))) => Some(OverlappedLevel {
                    price: p,
                    buy_orders: parts(b),
                    sell_orders: parts(s),
                    ..Default::default()
                }),
                _ => None,
            },
        };
        out.extend(level);
    }
    out
}

/// Returns the levels' live orders to the book, dropping filled ones (Go `DropFilledOrder`).
fn put_back(book: &mut Book, levels: Vec<OverlappedLevel>) {
    for l in levels {
        for (side, orders) in [(Side::Buy, l.buy_orders), (Side::Sell, l.sell_orders)] {
            let live: Vec<RestingOrder> = orders
                .into_iter()
                .filter_map(|o| {
                    if o.leaves_qty() == 0 {
                        book.index.remove(&o.id);
                        None
                    } else {
                        Some(RestingOrder {
                            id: o.id,
                            height: o.time,
                            qty: o.qty,
                            cum_qty: o.cum_qty,
                        })
                    }
                })
                .collect();
            if !live.is_empty() {
                book.side_mut(side).insert(l.price, live);
            }
        }
    }
}
