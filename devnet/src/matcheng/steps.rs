//! The steps of one auction round, each the port of one function of the Go engine
//! (bnb-chain/node `plugins/dex/matcheng`: `match.go`, `engine_new.go`, `types.go`).
//!
//! They work on [`OverlappedLevel`]s, the price levels of both sides inside the overlapped price
//! range, sorted by price from high to low, exactly as the Go engine lays them out. They are public
//! so that the converted Go test tables can drive each step on its own; [`super::match_round`]
//! chains them.
//!
//! Integer semantics follow Go's: `/` truncates toward zero, comparisons are exact (Go's
//! `compareBuy` with `PRECISION = 1` is plain integer comparison), and the only floating point
//! is where Go has it, in the price-limit band of [`trade_price`].

use std::cmp::Ordering;

use thiserror::Error;

use super::{Side, TickType, Trade};

/// One order as the engine sees it during a round (Go `OrderPart`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderPart {
    /// Order id.
    pub id: String,
    /// Block height the order was placed at (Go `Time`); orders placed before the round's block
    /// are makers.
    pub time: i64,
    /// Original quantity, Fixed8 base-asset units.
    pub qty: i64,
    /// Quantity filled so far.
    pub cum_qty: i64,
    /// Quantity this round may still fill (Go `nxtTrade`): set to the leaves by
    /// [`prepare_match`], cut by [`drop_redundant_qty`], consumed by [`fill_orders`].
    pub nxt_trade: i64,
}

impl OrderPart {
    /// Quantity not yet filled (never negative).
    pub fn leaves_qty(&self) -> i64 {
        if self.cum_qty >= self.qty {
            0
        } else {
            self.qty - self.cum_qty
        }
    }
}

/// One price inside the overlapped range with the orders of both sides at it (Go
/// `OverLappedLevel`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OverlappedLevel {
    /// Price, Fixed8 quote units per base unit.
    pub price: i64,
    /// Buy orders at this price, in time (arrival) order.
    pub buy_orders: Vec<OrderPart>,
    /// Sell orders at this price, in time (arrival) order.
    pub sell_orders: Vec<OrderPart>,
    /// Sum of the sell leaves at this price.
    pub sell_total: i64,
    /// Sum of the sell leaves at this price and below (saturating at `i64::MAX`).
    pub accumulated_sell: i64,
    /// Sum of the buy leaves at this price.
    pub buy_total: i64,
    /// Sum of the buy leaves at this price and above (saturating at `i64::MAX`).
    pub accumulated_buy: i64,
    /// Volume executable at this price: min(accumulated buy, accumulated sell).
    pub accumulated_executions: i64,
    /// Accumulated buy minus accumulated sell.
    pub buy_sell_surplus: i64,
    /// Index of the first buy order placed in the round's block (the buys before it are makers).
    pub buy_taker_start_idx: usize,
    /// Index of the first sell order placed in the round's block.
    pub sell_taker_start_idx: usize,
    /// Sum of `nxt_trade` of the buy makers.
    pub buy_maker_total: i64,
    /// Sum of `nxt_trade` of the sell makers.
    pub sell_maker_total: i64,
}

impl OverlappedLevel {
    /// Whether this level has buy makers with quantity left this round.
    pub fn has_buy_maker(&self) -> bool {
        self.buy_taker_start_idx > 0 && self.buy_maker_total > 0
    }

    /// Whether this level has sell makers with quantity left this round.
    pub fn has_sell_maker(&self) -> bool {
        self.sell_taker_start_idx > 0 && self.sell_maker_total > 0
    }
}

/// Why a step refused its input: each is an inconsistency the Go engine reports the same way.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum StepError {
    /// The quantity to drop is zero or negative.
    #[error("invalid quantity to drop: {to_drop}")]
    InvalidDropQty {
        /// The quantity asked to drop.
        to_drop: i64,
    },
    /// There are no orders to drop quantity from.
    #[error("no orders to drop {to_drop} from")]
    NoOrders {
        /// The quantity asked to drop.
        to_drop: i64,
    },
    /// The orders hold less than the quantity to drop.
    #[error("cannot drop {to_drop}: the orders hold only {total}")]
    NotEnoughToDrop {
        /// The quantity asked to drop.
        to_drop: i64,
        /// What the orders hold.
        total: i64,
    },
    /// The residual could not be spread over the orders in whole lots.
    #[error("cannot allocate the residual {residual} over the orders")]
    AllocateResidual {
        /// What was left unallocated.
        residual: i64,
    },
    /// The level totals do not describe a redundant quantity (an engine invariant broke).
    #[error(
        "inconsistent level totals: accumulated buy {buy}, sell {sell}, executions {executions}"
    )]
    InconsistentTotals {
        /// Accumulated buy at the trade price.
        buy: i64,
        /// Accumulated sell at the trade price.
        sell: i64,
        /// Accumulated executions at the trade price.
        executions: i64,
    },
    /// Both sides have makers in the range (the resting book was crossed).
    #[error("both the buy side and the sell side have maker orders")]
    BothSidesMakers,
    /// The level index is outside the overlapped range.
    #[error("level index {index} is outside the {levels} overlapped levels")]
    NoSuchLevel {
        /// The index given.
        index: usize,
        /// How many levels there are.
        levels: usize,
    },
}

/// Sums the quantity left for this round; with `recalc`, first resets each `nxt_trade` to the
/// order's leaves (Go `sumOrdersTotalLeft`). Go sums without an overflow check because order
/// placement bounds the total; this saturates instead of wrapping.
pub fn sum_orders_total_left(orders: &mut [OrderPart], recalc: bool) -> i64 {
    let mut s: i64 = 0;
    for o in orders.iter_mut() {
        if recalc {
            o.nxt_trade = o.leaves_qty();
        }
        s = s.saturating_add(o.nxt_trade);
    }
    s
}

/// Fills the totals, accumulations, executions and surpluses of every level (Go
/// `prepareMatch`); returns the number of levels. Accumulations saturate at `i64::MAX`, as Go's
/// explicit overflow check does.
pub fn prepare_match(levels: &mut [OverlappedLevel]) -> usize {
    let mut accum: i64 = 0;
    for l in levels.iter_mut().rev() {
        l.sell_total = sum_orders_total_left(&mut l.sell_orders, true);
        accum = accum.saturating_add(l.sell_total);
        l.accumulated_sell = accum;
    }
    accum = 0;
    for l in levels.iter_mut() {
        l.buy_total = sum_orders_total_left(&mut l.buy_orders, true);
        accum = accum.saturating_add(l.buy_total);
        l.accumulated_buy = accum;
        l.accumulated_executions = l.accumulated_buy.min(l.accumulated_sell);
        // Both operands lie in [0, i64::MAX], so the difference cannot overflow.
        l.buy_sell_surplus = l.accumulated_buy - l.accumulated_sell;
    }
    levels.len()
}

/// The concluded price and the index of its level (Go `getTradePrice`), or `None` where Go
/// returns index -1 (no levels).
///
/// Rules in order: maximum executable volume; then least absolute surplus; then market
/// pressure (only buy surpluses: the highest price, only sell surpluses: the lowest, each bounded
/// by the reference price ± `price_limit_pct`); otherwise the price closest to the reference.
/// Ties keep the first (highest) level, as Go's strict comparisons do.
pub fn trade_price(
    levels: &[OverlappedLevel],
    ref_price: i64,
    price_limit_pct: f64,
) -> Option<(i64, usize)> {
    // calMaxExec: the running maximum starts at 0, so levels with 0 execution tie with it.
    let mut max_value: i64 = 0;
    let mut max_exec: Vec<usize> = Vec::new();
    for (i, l) in levels.iter().enumerate() {
        match l.accumulated_executions.cmp(&max_value) {
            Ordering::Greater => {
                max_value = l.accumulated_executions;
                max_exec.clear();
                max_exec.push(i);
            }
            Ordering::Equal => max_exec.push(i),
            Ordering::Less => {}
        }
    }
    match max_exec.as_slice() {
        [] => return None,
        [i] => return Some((levels[*i].price, *i)),
        _ => {}
    }
    // calLeastSurplus
    let mut least: i64 = i64::MAX;
    let mut least_idx: Vec<usize> = Vec::new();
    let mut least_surplus: Vec<i64> = Vec::new();
    for &j in &max_exec {
        let surplus = levels[j].buy_sell_surplus;
        let abs = surplus.checked_abs().unwrap_or(i64::MAX);
        match abs.cmp(&least) {
            Ordering::Less => {
                least = abs;
                least_idx.clear();
                least_surplus.clear();
                least_idx.push(j);
                least_surplus.push(surplus);
            }
            Ordering::Equal => {
                least_idx.push(j);
                least_surplus.push(surplus);
            }
            Ordering::Greater => {}
        }
    }
    match least_idx.as_slice() {
        [] => return None,
        [i] => return Some((levels[*i].price, *i)),
        _ => {}
    }
    let buy_surplus = least_surplus.iter().any(|&s| s > 0);
    let sell_surplus = least_surplus.iter().any(|&s| s < 0);
    // Go passes the reference price to the pressure rule as float64.
    match (buy_surplus, sell_surplus) {
        (true, false) => Some(price_for_market_pressure(
            Side::Buy,
            levels,
            &least_idx,
            ref_price as f64,
            price_limit_pct,
        )),
        (false, true) => Some(price_for_market_pressure(
            Side::Sell,
            levels,
            &least_idx,
            ref_price as f64,
            price_limit_pct,
        )),
        _ => Some(price_close_to_ref(levels, &least_idx, ref_price)),
    }
}

/// Go `getTradePriceForMarketPressure`. `candidates` are level indices, so ascending index means
/// descending price. The band limits are computed in float64 exactly as Go does (`math.Floor`,
/// `math.Ceil`, then a conversion to int64; Rust's `as` saturates where Go's conversion of an
/// out-of-range float is undefined, which prices within the chain's bounds never reach).
fn price_for_market_pressure(
    side: Side,
    levels: &[OverlappedLevel],
    candidates: &[usize],
    ref_price: f64,
    price_limit: f64,
) -> (i64, usize) {
    let lower_limit = (ref_price * (1.0 - price_limit)).floor() as i64;
    let i = candidates[0]; // highest price
    if lower_limit > levels[i].price {
        return (levels[i].price, i);
    }
    let upper_limit = (ref_price * (1.0 + price_limit)).ceil() as i64;
    let j = candidates[candidates.len() - 1]; // lowest price
    if levels[j].price > upper_limit {
        return (levels[j].price, j);
    }
    match side {
        Side::Buy => {
            if upper_limit > levels[i].price {
                (levels[i].price, i)
            } else {
                price_close_to_ref(levels, candidates, upper_limit)
            }
        }
        Side::Sell => {
            if lower_limit < levels[j].price {
                (levels[j].price, j)
            } else {
                price_close_to_ref(levels, candidates, lower_limit)
            }
        }
    }
}

/// Go `getPriceCloseToRef`: the reference price itself when a candidate equals it or when it lies
/// between two candidates (then with the index of the lowest candidate above it), otherwise the
/// closest candidate, the higher one on a tie. `candidates` must be in descending price order.
pub fn price_close_to_ref(
    levels: &[OverlappedLevel],
    candidates: &[usize],
    ref_price: i64,
) -> (i64, usize) {
    let mut j: usize = 0;
    let mut diff: i64 = i64::MAX;
    let mut ref_is_smaller = false;
    for &i in candidates {
        let p = levels[i].price;
        let mut d = p.saturating_sub(ref_price);
        match d.cmp(&0) {
            Ordering::Equal => return (ref_price, i),
            Ordering::Greater => ref_is_smaller = true,
            Ordering::Less => {
                if ref_is_smaller {
                    return (ref_price, j);
                }
                d = d.saturating_neg();
            }
        }
        if diff > d {
            diff = d;
            j = i;
        }
    }
    (levels[j].price, j)
}

/// Go `calcNumOfLot`: `total_lot * order_left / total_left`, truncated, without overflow (Go
/// falls back to big.Int; i128 holds every product of two i64). A zero `total_left` (where Go
/// would panic) gives 0.
pub fn calc_num_of_lot(total_lot: i64, order_left: i64, total_left: i64) -> i64 {
    if total_left == 0 {
        return 0;
    }
    let q = i128::from(total_lot) * i128::from(order_left) / i128::from(total_left);
    i64::try_from(q).unwrap_or(if q < 0 { i64::MIN } else { i64::MAX })
}

/// Spreads `to_alloc` over `orders` (placed at the same height) in proportion to their
/// `nxt_trade`, in whole lots, then hands out the remainder one lot at a time from the first order
/// on (Go `allocateResidual`). Returns false when the remainder cannot be placed.
///
/// Go loops forever if a remainder has nowhere to go; this stops after a full pass that placed
/// nothing and reports failure instead.
pub fn allocate_residual(to_alloc: &mut i64, orders: &mut [OrderPart], lot_size: i64) -> bool {
    let n = orders.len();
    if n == 1 {
        let qty = (*to_alloc).min(orders[0].nxt_trade);
        orders[0].nxt_trade = qty;
        *to_alloc -= qty;
        return true;
    }
    let t = sum_orders_total_left(orders, false);
    if *to_alloc >= t {
        *to_alloc -= t;
        return true;
    }
    if lot_size <= 0 {
        return false;
    }
    let mut residual = *to_alloc;
    let n_lot = residual / lot_size;
    for o in orders.iter_mut() {
        let nxt = lot_size.saturating_mul(calc_num_of_lot(n_lot, o.nxt_trade, t));
        o.nxt_trade = nxt;
        residual -= nxt;
    }
    let mut i = 0;
    let mut placed_this_pass = false;
    while residual > 0 {
        let o = &mut orders[i];
        let to_add = (o.leaves_qty() - o.nxt_trade).min(residual.min(lot_size));
        if to_add > 0 {
            placed_this_pass = true;
            residual -= to_add;
            o.nxt_trade += to_add;
        }
        i = (i + 1) % n;
        if i == 0 {
            if !placed_this_pass {
                break;
            }
            placed_this_pass = false;
        }
    }
    *to_alloc = residual;
    residual == 0
}

/// Cuts `to_drop` off the orders' `nxt_trade`, taking from the latest orders first: the earliest
/// height group keeps as much as it can, a group sharing a height shares in proportion (Go
/// `dropRedundantQty`). `orders` must be in time order.
pub fn drop_redundant_qty(
    orders: &mut [OrderPart],
    to_drop: i64,
    lot_size: i64,
) -> Result<(), StepError> {
    if to_drop <= 0 {
        return Err(StepError::InvalidDropQty { to_drop });
    }
    let n = orders.len();
    if n == 0 {
        return Err(StepError::NoOrders { to_drop });
    }
    let total = sum_orders_total_left(orders, false);
    if total < to_drop {
        return Err(StepError::NotEnoughToDrop { to_drop, total });
    }
    let mut residual = total - to_drop;
    let mut curr_time = orders[0].time;
    let mut start = 0;
    for i in 0..n {
        if orders[i].time != curr_time {
            if !allocate_residual(&mut residual, &mut orders[start..i], lot_size) {
                return Err(StepError::AllocateResidual { residual });
            }
            if residual <= 0 {
                for o in &mut orders[i..] {
                    o.nxt_trade = 0;
                }
                return Ok(());
            }
            start = i;
            curr_time = orders[i].time;
        }
        if i == n - 1 && !allocate_residual(&mut residual, &mut orders[start..], lot_size) {
            return Err(StepError::AllocateResidual { residual });
        }
    }
    Ok(())
}

/// Drops the quantity that cannot execute at the concluded level `trade_idx` (Go
/// `MatchEng.dropRedundantQty`): the excess sits in the lowest non-empty buy level at or above the
/// concluded level, or in the highest non-empty sell level at or below it.
pub fn drop_redundant_qty_at(
    levels: &mut [OverlappedLevel],
    trade_idx: usize,
    lot_size: i64,
) -> Result<(), StepError> {
    let Some(l) = levels.get(trade_idx) else {
        return Err(StepError::NoSuchLevel {
            index: trade_idx,
            levels: levels.len(),
        });
    };
    let (total_exec, q_buy, q_sell) = (
        l.accumulated_executions,
        l.accumulated_buy,
        l.accumulated_sell,
    );
    if q_buy == q_sell {
        return Ok(());
    }
    if q_buy > total_exec {
        for i in (0..=trade_idx).rev() {
            if levels[i].buy_total != 0 {
                return drop_redundant_qty(&mut levels[i].buy_orders, q_buy - total_exec, lot_size);
            }
        }
    } else if q_sell > total_exec {
        for l in levels.iter_mut().skip(trade_idx) {
            if l.sell_total != 0 {
                return drop_redundant_qty(&mut l.sell_orders, q_sell - total_exec, lot_size);
            }
        }
    }
    Err(StepError::InconsistentTotals {
        buy: q_buy,
        sell: q_sell,
        executions: total_exec,
    })
}

/// Go `findTakerStartIdx`: the orders placed before `height` come first; returns the index of the
/// first later one and the makers' `nxt_trade` sum.
fn find_taker_start_idx(height: i64, orders: &[OrderPart]) -> (usize, i64) {
    let mut maker_total: i64 = 0;
    for (i, o) in orders.iter().enumerate() {
        if o.time < height {
            maker_total = maker_total.saturating_add(o.nxt_trade);
        } else {
            return (i, maker_total);
        }
    }
    (orders.len(), maker_total)
}

/// Marks makers and takers in the levels that can trade at `trade_idx` and returns the taker side
/// (Go `determineTakerSide`). Makers are orders placed before `height`, the height of the block
/// being matched (Go compares with the last match height, which is `height - 1` for every
/// market that matches at every block, as all markets here do). When no side has makers the buy
/// side is the taker side, as in Go (the choice does not change the result, every fill then
/// being at the concluded price).
pub fn determine_taker_side(
    levels: &mut [OverlappedLevel],
    height: i64,
    trade_idx: usize,
) -> Result<Side, StepError> {
    if trade_idx >= levels.len() {
        return Err(StepError::NoSuchLevel {
            index: trade_idx,
            levels: levels.len(),
        });
    }
    let mut maker_side: Option<Side> = None;
    for l in levels.iter_mut().take(trade_idx + 1) {
        (l.buy_taker_start_idx, l.buy_maker_total) = find_taker_start_idx(height, &l.buy_orders);
        if l.has_buy_maker() {
            maker_side = Some(Side::Buy);
        }
    }
    for l in levels.iter_mut().skip(trade_idx).rev() {
        (l.sell_taker_start_idx, l.sell_maker_total) = find_taker_start_idx(height, &l.sell_orders);
        if l.has_sell_maker() {
            if maker_side == Some(Side::Buy) {
                return Err(StepError::BothSidesMakers);
            }
            maker_side = Some(Side::Sell);
        }
    }
    Ok(match maker_side {
        Some(Side::Buy) => Side::Sell,
        _ => Side::Buy,
    })
}

/// The taker orders with quantity left this round, as (level index, order index) pairs, and their
/// total `nxt_trade` (Go `mergeTakerSideOrders`). Levels are visited from the best price of the
/// taker side toward `trade_idx`; within a level the takers are ordered by original quantity,
/// largest first, keeping arrival order on ties (Go's `sort.SliceStable`; Rust's `sort_by` is
/// stable too).
pub fn merge_taker_side_orders(
    side: Side,
    levels: &[OverlappedLevel],
    trade_idx: usize,
) -> (Vec<(usize, usize)>, i64) {
    let mut merged = Vec::new();
    let mut total: i64 = 0;
    let mut one_level = |li: usize, l: &OverlappedLevel| {
        let (orders, start) = match side {
            Side::Buy => (&l.buy_orders, l.buy_taker_start_idx),
            Side::Sell => (&l.sell_orders, l.sell_taker_start_idx),
        };
        // Not a `take_while`: nxt_trade can run 2, 0, 5 after dropping redundant quantity.
        let mut takers: Vec<usize> = (start.min(orders.len())..orders.len())
            .filter(|&oi| orders[oi].nxt_trade > 0)
            .collect();
        takers.sort_by(|&a, &b| orders[b].qty.cmp(&orders[a].qty));
        for oi in takers {
            total = total.saturating_add(orders[oi].nxt_trade);
            merged.push((li, oi));
        }
    };
    match side {
        Side::Buy => {
            for (li, l) in levels.iter().enumerate().take(trade_idx.saturating_add(1)) {
                one_level(li, l);
            }
        }
        Side::Sell => {
            for (li, l) in levels.iter().enumerate().skip(trade_idx).rev() {
                one_level(li, l);
            }
        }
    }
    (merged, total)
}

/// Go `calcFillQty`: how much of `maker_qty` each taker gets, in proportion to its share of the
/// takers' quantity at the start of the fill (`proportion`, `total_taker_qty`) and in whole lots,
/// capped by what it still has to fill (`taker_nxt`); the remainder goes one lot at a time from
/// the first taker on. Writes `to_fill` (one entry per taker).
pub fn calc_fill_qty(
    to_fill: &mut [i64],
    maker_qty: i64,
    taker_nxt: &[i64],
    proportion: &[i64],
    total_taker_qty: i64,
    lot_size: i64,
) {
    let n = taker_nxt.len().min(proportion.len()).min(to_fill.len());
    let mut residual = maker_qty;
    let n_lot = if lot_size > 0 { residual / lot_size } else { 0 };
    for i in 0..n {
        let nxt = lot_size
            .saturating_mul(calc_num_of_lot(n_lot, proportion[i], total_taker_qty))
            .min(taker_nxt[i]);
        residual -= nxt;
        to_fill[i] = nxt;
    }
    // Go spins (or divides by zero when n is 0) if the takers cannot absorb the residual; stop
    // after a pass that placed nothing.
    let mut i = 0;
    let mut placed_this_pass = false;
    while residual > 0 && n > 0 {
        let to_add = (taker_nxt[i] - to_fill[i]).min(residual.min(lot_size));
        if to_add > 0 {
            placed_this_pass = true;
            residual -= to_add;
            to_fill[i] += to_add;
        }
        i = (i + 1) % n;
        if i == 0 {
            if !placed_this_pass {
                break;
            }
            placed_this_pass = false;
        }
    }
}

/// Go `fillOrdersNew`: fills the takers against the maker side of `levels` and returns the trades.
///
/// First every maker level away from the concluded price trades at its own price, its quantity
/// spread over the takers by [`calc_fill_qty`]; then what the takers still need trades at the
/// concluded price against the maker side's orders in level order (makers at the concluded price
/// first, then that side's own new orders). Levels are visited from the maker side's best price
/// toward `trade_idx` (an index past the last level means the last). `surplus` is the concluded
/// level's buy/sell surplus (it sets the tick type).
#[allow(clippy::too_many_arguments)]
pub fn fill_orders(
    levels: &mut [OverlappedLevel],
    taker_side: Side,
    takers: &mut [OrderPart],
    trade_idx: usize,
    concluded_price: i64,
    surplus: i64,
    lot_size: i64,
) -> Vec<Trade> {
    fill_orders_with_parties(
        levels,
        taker_side,
        takers,
        trade_idx,
        concluded_price,
        surplus,
        lot_size,
        &mut Vec::new(),
    )
}

/// Who traded in one trade of [`fill_orders_with_parties`]: the maker's level index and its
/// position among that level's maker-side orders, then the taker's index in `takers`. The round
/// finds the orders that traded with it instead of looking their ids up.
pub(crate) type Parties = (usize, usize, usize);

/// [`fill_orders`], also pushing onto `parties` who traded in each trade, in trade order.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fill_orders_with_parties(
    levels: &mut [OverlappedLevel],
    taker_side: Side,
    takers: &mut [OrderPart],
    trade_idx: usize,
    concluded_price: i64,
    surplus: i64,
    lot_size: i64,
    parties: &mut Vec<Parties>,
) -> Vec<Trade> {
    let n = takers.len();
    let proportion: Vec<i64> = takers.iter().map(|t| t.nxt_trade).collect();
    let total_taker_qty = proportion.iter().fold(0i64, |a, &b| a.saturating_add(b));
    let mut trades = Vec::new();
    let mut to_fill = vec![0i64; n];
    if levels.is_empty() {
        return trades;
    }
    let trade_idx = trade_idx.min(levels.len() - 1);
    let maker_levels: Vec<usize> = match taker_side {
        Side::Sell => (0..=trade_idx).collect(),
        Side::Buy => (trade_idx..levels.len()).rev().collect(),
    };
    // First round: makers at their own price.
    for &li in &maker_levels {
        let l = &mut levels[li];
        let (has_maker, maker_total, start) = match taker_side {
            Side::Sell => (l.has_buy_maker(), l.buy_maker_total, l.buy_taker_start_idx),
            Side::Buy => (
                l.has_sell_maker(),
                l.sell_maker_total,
                l.sell_taker_start_idx,
            ),
        };
        if !has_maker || l.price == concluded_price {
            continue;
        }
        let taker_nxt: Vec<i64> = takers.iter().map(|t| t.nxt_trade).collect();
        calc_fill_qty(
            &mut to_fill,
            maker_total,
            &taker_nxt,
            &proportion,
            total_taker_qty,
            lot_size,
        );
        let price = l.price;
        let makers = match taker_side {
            Side::Sell => &mut l.buy_orders,
            Side::Buy => &mut l.sell_orders,
        };
        let end = start.min(makers.len());
        gen_trades(
            (li, &mut makers[..end]),
            price,
            &mut to_fill,
            takers,
            &mut 0,
            taker_side,
            surplus,
            (&mut trades, parties),
        );
    }
    // Second round: what is left trades at the concluded price.
    for (f, t) in to_fill.iter_mut().zip(takers.iter()) {
        *f = t.nxt_trade;
    }
    // Go restarts at the first taker for every level and steps over the takers already filled;
    // in this round `to_fill` only decreases, so carrying the position over skips the same
    // takers without rescanning them (a whole-book auction would otherwise be quadratic).
    let mut first_taker = 0;
    for &li in &maker_levels {
        let l = &mut levels[li];
        let makers = match taker_side {
            Side::Sell => &mut l.buy_orders,
            Side::Buy => &mut l.sell_orders,
        };
        gen_trades(
            (li, makers),
            concluded_price,
            &mut to_fill,
            takers,
            &mut first_taker,
            taker_side,
            surplus,
            (&mut trades, parties),
        );
    }
    trades
}

/// Go's `genTrades` closure: walks makers and takers in order, each trade the smaller of the
/// maker's `nxt_trade` and the taker's share. Starts at taker `*first_taker` (every taker before
/// it has nothing left to fill) and leaves there the position it stopped at. `makers` comes with
/// its level's index, for `parties`.
#[allow(clippy::too_many_arguments)]
fn gen_trades(
    (level, makers): (usize, &mut [OrderPart]),
    price: i64,
    to_fill: &mut [i64],
    takers: &mut [OrderPart],
    first_taker: &mut usize,
    taker_side: Side,
    surplus: i64,
    (trades, parties): (&mut Vec<Trade>, &mut Vec<Parties>),
) {
    let (mut m, mut t) = (0, *first_taker);
    while m < makers.len() && t < takers.len() {
        let maker = &mut makers[m];
        if maker.nxt_trade <= 0 {
            m += 1;
            continue;
        }
        if to_fill[t] <= 0 {
            t += 1;
            continue;
        }
        let taker = &mut takers[t];
        let filled = maker.nxt_trade.min(to_fill[t]);
        to_fill[t] -= filled;
        taker.nxt_trade -= filled;
        taker.cum_qty += filled;
        maker.nxt_trade -= filled;
        maker.cum_qty += filled;
        let mut tick_type = match surplus.cmp(&0) {
            Ordering::Less => TickType::SellSurplus,
            Ordering::Greater => TickType::BuySurplus,
            Ordering::Equal => TickType::Neutral,
        };
        let (sell, buy) = match taker_side {
            Side::Sell => (&*taker, &*maker),
            Side::Buy => (&*maker, &*taker),
        };
        if maker.time < taker.time {
            tick_type = match taker_side {
                Side::Sell => TickType::SellTaker,
                Side::Buy => TickType::BuyTaker,
            };
        }
        trades.push(Trade {
            sell_id: sell.id.clone(),
            buy_id: buy.id.clone(),
            price,
            qty: filled,
            buy_cum_qty: buy.cum_qty,
            sell_cum_qty: sell.cum_qty,
            tick_type,
        });
        parties.push((level, m, t));
    }
    *first_taker = t;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(id: &str, time: i64, qty: i64, cum_qty: i64, nxt_trade: i64) -> OrderPart {
        OrderPart {
            id: id.into(),
            time,
            qty,
            cum_qty,
            nxt_trade,
        }
    }

    /// bnb-chain/node plugins/dex/matcheng/match_test.go, Test_sumOrders (its integer cases).
    #[test]
    fn sum_orders_total_left_as_go_test_sum_orders() {
        let mut orders = vec![
            part("1", 100, 260, 0, 0),
            part("1", 100, 250, 0, 0),
            part("1", 100, 501, 0, 0),
        ];
        assert_eq!(sum_orders_total_left(&mut orders, true), 1011);
        orders[0].qty = 10;
        orders[1].cum_qty = 250;
        assert_eq!(sum_orders_total_left(&mut orders, false), 1011);
        assert_eq!(sum_orders_total_left(&mut [], true), 0);
        let mut one = vec![part("1", 100, 26, 0, 0)];
        assert_eq!(sum_orders_total_left(&mut one, true), 26);
    }

    /// Go computes `totalLot * orderLeft / totalLeft` through big.Int when the product overflows
    /// int64; the quotient of x * y / x is y whatever the size.
    #[test]
    fn calc_num_of_lot_does_not_overflow() {
        let x = i64::MAX / 2;
        let y = i64::MAX / 3;
        assert_eq!(calc_num_of_lot(x, y, x), y);
        assert_eq!(calc_num_of_lot(7, 5, 10), 3);
        assert_eq!(calc_num_of_lot(7, 5, 0), 0);
    }

    /// A level index outside the range is refused, not a panic.
    #[test]
    fn steps_refuse_a_level_index_outside_the_range() {
        let mut levels = vec![OverlappedLevel {
            price: 100,
            ..Default::default()
        }];
        assert_eq!(
            drop_redundant_qty_at(&mut levels, 1, 5),
            Err(StepError::NoSuchLevel {
                index: 1,
                levels: 1
            })
        );
        assert_eq!(
            determine_taker_side(&mut levels, 10, 7),
            Err(StepError::NoSuchLevel {
                index: 7,
                levels: 1
            })
        );
        assert_eq!(
            fill_orders(&mut [], Side::Buy, &mut [], 3, 100, 0, 5),
            Vec::new()
        );
        assert_eq!(
            merge_taker_side_orders(Side::Buy, &levels, usize::MAX),
            (Vec::new(), 0)
        );
    }

    /// Go would spin for ever when the orders cannot absorb the residual; the port reports it.
    #[test]
    fn allocate_residual_stops_when_nothing_can_take_the_rest() {
        // Orders already filled (no leaves) with a stale nxt_trade: the proportional pass gives
        // each 20 (one lot of 2 * 30 / 60), and the 10 left has nowhere to go.
        let mut orders = vec![part("1", 1, 10, 10, 30), part("2", 1, 10, 10, 30)];
        let mut to_alloc = 50;
        assert!(!allocate_residual(&mut to_alloc, &mut orders, 20));
        assert_eq!(to_alloc, 50 - 20 - 20);
    }
}
