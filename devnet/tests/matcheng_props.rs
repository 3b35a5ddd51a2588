//! Differential property test of the auction port (`dexlink_devnet::matcheng`) against a
//! reference auction written here independently, by brute force over the candidate prices with
//! the documented rule order, plus conservation checks on every round.

use std::collections::{BTreeSet, HashMap};

use dexlink_devnet::matcheng::{
    Book, NewOrder, OrderStatus, RestingOrder, RoundParams, Side, TimeInForce, match_round,
};
use proptest::prelude::*;

const HEIGHT: i64 = 10;

#[derive(Debug, Clone)]
struct Gen {
    side: Side,
    price: i64,
    lots: i64,
    filled_lots: i64,
    time: i64,
    ioc: bool,
}

/// One order as the reference sees it.
struct Plain {
    side: Side,
    price: i64,
    leaves: i64,
}

/// The reference: among the prices where an order sits inside [lowest ask, highest bid], keep
/// those with the largest executable volume, then the least absolute surplus; if every
/// survivor has buy surplus the price is the upper band edge ceil(ref * (1 + limit)), if every
/// one has sell surplus the lower edge floor(ref * (1 - limit)), otherwise the reference price,
/// in each case clamped into [lowest, highest] survivor. Returns (price, volume).
fn reference_auction(orders: &[Plain], ref_price: i64, limit: f64) -> Option<(i64, i64)> {
    let best_bid = orders
        .iter()
        .filter(|o| o.side == Side::Buy)
        .map(|o| o.price)
        .max()?;
    let best_ask = orders
        .iter()
        .filter(|o| o.side == Side::Sell)
        .map(|o| o.price)
        .min()?;
    if best_bid < best_ask {
        return None;
    }
    let candidates: BTreeSet<i64> = orders
        .iter()
        .map(|o| o.price)
        .filter(|p| (best_ask..=best_bid).contains(p))
        .collect();
    let stats: Vec<(i64, i64, i64)> = candidates
        .iter()
        .map(|&p| {
            let buy: i64 = orders
                .iter()
                .filter(|o| o.side == Side::Buy && o.price >= p)
                .map(|o| o.leaves)
                .sum();
            let sell: i64 = orders
                .iter()
                .filter(|o| o.side == Side::Sell && o.price <= p)
                .map(|o| o.leaves)
                .sum();
            (p, buy.min(sell), buy - sell)
        })
        .collect();
    let max_exec = stats.iter().map(|s| s.1).max()?;
    let best: Vec<&(i64, i64, i64)> = stats.iter().filter(|s| s.1 == max_exec).collect();
    let least = best.iter().map(|s| s.2.abs()).min()?;
    let tied: Vec<&&(i64, i64, i64)> = best.iter().filter(|s| s.2.abs() == least).collect();
    let lo = tied.iter().map(|s| s.0).min()?;
    let hi = tied.iter().map(|s| s.0).max()?;
    let all_buy = tied.iter().all(|s| s.2 > 0);
    let all_sell = tied.iter().all(|s| s.2 < 0);
    let target = if tied.len() == 1 {
        lo
    } else if all_buy {
        (ref_price as f64 * (1.0 + limit)).ceil() as i64
    } else if all_sell {
        (ref_price as f64 * (1.0 - limit)).floor() as i64
    } else {
        ref_price
    };
    Some((target.clamp(lo, hi), max_exec))
}

fn gen_order(resting: bool) -> impl Strategy<Value = Gen> {
    let side = prop_oneof![Just(Side::Buy), Just(Side::Sell)];
    (
        side,
        0i64..16,
        1i64..8,
        0i64..8,
        1i64..HEIGHT,
        any::<bool>(),
    )
        .prop_map(move |(side, p, lots, filled, time, ioc)| {
            if resting {
                // A resting book never crosses: bids 90..=97, asks 98..=105.
                let price = match side {
                    Side::Buy => 90 + p / 2,
                    _ => 98 + p / 2,
                };
                Gen {
                    side,
                    price,
                    lots,
                    filled_lots: filled % lots,
                    time,
                    ioc: false,
                }
            } else {
                Gen {
                    side,
                    price: 88 + p,
                    lots,
                    filled_lots: 0,
                    time: HEIGHT,
                    ioc,
                }
            }
        })
}

fn case() -> impl Strategy<Value = (Vec<Gen>, Vec<Gen>, i64, i64, f64)> {
    (
        prop::collection::vec(gen_order(true), 0..12),
        prop::collection::vec(gen_order(false), 0..12),
        prop_oneof![Just(1i64), Just(5), Just(100_000)],
        80i64..120,
        prop_oneof![Just(0.0f64), Just(0.05), Just(0.1)],
    )
}

proptest! {
    #[test]
    fn the_port_agrees_with_the_reference_auction((resting, new, lot, ref_price, limit) in case()) {
        let mut book = Book::new();
        let mut plain = Vec::new();
        let mut initial: HashMap<String, (Side, i64, i64, i64)> = HashMap::new();
        for (i, g) in resting.iter().enumerate() {
            let id = format!("r{i}");
            let (qty, cum) = (g.lots * lot, g.filled_lots * lot);
            book.insert(g.side, g.price, RestingOrder { id: id.clone(), height: g.time, qty, cum_qty: cum })
                .expect("valid resting order");
            plain.push(Plain { side: g.side, price: g.price, leaves: qty - cum });
            initial.insert(id, (g.side, g.price, qty, cum));
        }
        let new_orders: Vec<NewOrder> = new
            .iter()
            .enumerate()
            .map(|(i, g)| NewOrder {
                id: format!("n{i}"),
                side: g.side,
                price: g.price,
                qty: g.lots * lot,
                time_in_force: if g.ioc { TimeInForce::Ioc } else { TimeInForce::Gte },
            })
            .collect();
        for o in &new_orders {
            plain.push(Plain { side: o.side, price: o.price, leaves: o.qty });
            initial.insert(o.id.clone(), (o.side, o.price, o.qty, 0));
        }
        let params = RoundParams { height: HEIGHT, last_price: ref_price, lot_size: lot, price_limit_pct: limit };
        let out = match_round(&mut book, &new_orders, &params).expect("the round runs");

        let want = reference_auction(&plain, ref_price, limit);
        prop_assert_eq!(out.concluded_price, want.map(|w| w.0), "concluded price");
        let volume: i64 = out.trades.iter().map(|t| t.qty).sum();
        prop_assert_eq!(volume, want.map_or(0, |w| w.1), "executed volume");
        prop_assert_eq!(out.last_price, want.map_or(ref_price, |w| w.0));

        // Conservation: per-order fills, each side's total, lot multiples, prices within limits.
        let mut filled: HashMap<&str, i64> = HashMap::new();
        let (mut bought, mut sold) = (0i64, 0i64);
        for t in &out.trades {
            prop_assert!(t.qty > 0 && t.qty % lot == 0, "trade {:?} not in whole lots", t);
            let (bs, bp, _, _) = initial[&t.buy_id];
            let (ss, sp, _, _) = initial[&t.sell_id];
            prop_assert!(bs == Side::Buy && ss == Side::Sell);
            prop_assert!(sp <= t.price && t.price <= bp, "trade {:?} outside the limits {} / {}", t, bp, sp);
            *filled.entry(&t.buy_id).or_default() += t.qty;
            *filled.entry(&t.sell_id).or_default() += t.qty;
            bought += t.qty;
            sold += t.qty;
        }
        prop_assert_eq!(bought, sold);
        for (id, (side, price, qty, cum)) in &initial {
            let f = filled.get(id.as_str()).copied().unwrap_or(0);
            prop_assert!(cum + f <= *qty, "{} overfilled", id);
            let is_ioc = new_orders.iter().any(|o| &o.id == id && o.time_in_force == TimeInForce::Ioc);
            match book.get(id) {
                Some((s, p, o)) => {
                    prop_assert_eq!((s, p), (*side, *price));
                    prop_assert_eq!(o.cum_qty, cum + f, "{} cum", id);
                    prop_assert!(o.cum_qty < o.qty && !is_ioc, "{} should have left the book", id);
                }
                None => prop_assert!(cum + f == *qty || is_ioc, "{} left the book unfilled", id),
            }
        }
        // One update per order that traded or is new, with the status its fills imply.
        let mut seen = BTreeSet::new();
        for u in &out.updates {
            prop_assert!(seen.insert(u.id.clone()), "two updates for {}", u.id);
            let (_, _, qty, cum) = initial[&u.id];
            let f = filled.get(u.id.as_str()).copied().unwrap_or(0);
            prop_assert_eq!(u.cum_qty, cum + f);
            let is_ioc = new_orders.iter().any(|o| o.id == u.id && o.time_in_force == TimeInForce::Ioc);
            let want_status = if cum + f == qty {
                OrderStatus::FullyFill
            } else if is_ioc {
                if f == 0 { OrderStatus::IocNoFill } else { OrderStatus::IocExpire }
            } else if f == 0 {
                OrderStatus::Ack
            } else {
                OrderStatus::PartialFill
            };
            prop_assert_eq!(u.status, want_status, "{}", u.id);
        }
        for o in &new_orders {
            prop_assert!(seen.contains(&o.id), "no update for new order {}", o.id);
        }
        prop_assert_eq!(seen.len(), new_orders.len() + filled.keys().filter(|k| k.starts_with('r')).count());
    }
}

/// A failed round leaves the book as it was: a crossed resting book (both sides makers) is an
/// engine error, and the block's new order is not added.
#[test]
fn a_crossed_resting_book_is_refused_and_the_book_is_unchanged() {
    let mut book = Book::new();
    let order = |id: &str, qty| RestingOrder {
        id: id.into(),
        height: 1,
        qty,
        cum_qty: 0,
    };
    book.insert(Side::Buy, 110, order("b", 10)).unwrap();
    book.insert(Side::Sell, 100, order("s", 10)).unwrap();
    let new = [NewOrder {
        id: "n".into(),
        side: Side::Buy,
        price: 105,
        qty: 5,
        time_in_force: TimeInForce::Gte,
    }];
    let params = RoundParams {
        height: 2,
        last_price: 100,
        lot_size: 1,
        price_limit_pct: 0.05,
    };
    let err = match_round(&mut book, &new, &params).unwrap_err();
    assert_eq!(
        err.to_string(),
        "matching failed: both the buy side and the sell side have maker orders"
    );
    assert_eq!(book.len(), 2);
    assert!(book.get("n").is_none());
    assert_eq!(
        book.get("b").map(|(_, p, o)| (p, o.cum_qty)),
        Some((110, 0))
    );
    assert_eq!(
        book.get("s").map(|(_, p, o)| (p, o.cum_qty)),
        Some((100, 0))
    );
}
