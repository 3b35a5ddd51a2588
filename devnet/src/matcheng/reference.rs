//! The round as it was before the bookkeeping of [`super::match_round`] was rewritten for speed
//! (first trades and new orders found by position instead of by id in hash maps), kept verbatim
//! as the reference the property test in `super::tests` compares the new code with, outcome and
//! book, on random books.

use std::collections::{HashMap, HashSet};

use super::steps::{self, OrderPart, OverlappedLevel, StepError};
use super::{
    Book, BookError, MatchError, NewOrder, OrderStatus, OrderUpdate, RestingOrder, RoundOutcome,
    RoundParams, Side, TimeInForce, Trade, book,
};

/// Runs one auction round on `book` with the block's `new_orders` (see the module docs). On
/// success the book holds the resting orders after the round; on error it is unchanged and no new
/// order was added.
pub(super) fn match_round(
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
