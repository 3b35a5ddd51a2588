//! Blocks: the mempool becomes a block, each market's auction runs, and the fills settle.
//!
//! # Accepted, then included
//!
//! A broadcast is checked as the chain's CheckTx checked it and, if it passes, *accepted*: its
//! effects on balances are applied at once (funds locked by an order, coins moved by a send),
//! the signer's sequence moves on, and the transaction waits in the mempool
//! ([`crate::state::Ledger::mempool`]). The chain's CheckTx did the same in its check state,
//! which is what the next transaction of the same signer is checked against; the devnet has one
//! state and answers account queries from it, so a client that reads the sequence right after a
//! broadcast gets the next one (the chain's API showed the committed one, which is why clients
//! kept their own counter). A transaction looked up before its block is "not found", as on the
//! chain.
//!
//! The next block ([`produce`]) includes the mempool in arrival order: each transaction gets the
//! block's height; new orders join their market's book (an order cancelled in the same block
//! never does); then, per market with new orders, [`crate::matcheng::match_round`] runs on the
//! resting book and the block's new orders, and every trade settles:
//!
//! * the buyer pays `price × quantity / 10^8` quote units (truncated) out of what its order
//!   locked and receives the quantity of base; a fill below its limit price frees at once what
//!   the limit locked beyond the price for that quantity (the node's per-fill unlock), not
//!   when the order closes; the seller gives the base out of its lock and receives the quote;
//! * each side pays a fee on what it received, as the node's fee manager charged it
//!   (bnb-chain/node `plugins/dex/order/fee.go`): the trade's value in BNB (the received or paid
//!   amount when either asset is BNB, else converted at the last price of the asset's BNB
//!   market, else through [`BUSD`] as the node did, see `value_in`) times `fee_rate_native / 10^6`, in BNB, when that is not zero and the account's
//!   free BNB covers it; otherwise the received amount times `fee_rate / 10^6` in the received
//!   asset. Both truncate. Fees go to the fee account ([`FeeConfig::fee_account`]). As the
//!   node's allocation, the fees are charged after all of the block's transfers (every
//!   market matched, so at this block's last prices), per account, received-BNB trades
//!   first, then paid-BNB, then by received and paid asset, each against the balance the
//!   previous fees left: BNB received in the block can pay the fee of another of its trades;
//! * an order that is filled, or an IOC order after its block, is closed and what its lock
//!   still holds is released; an IOC order that filled nothing pays the IOC expiry fee, a
//!   cancelled order that filled nothing the cancel fee (fixed fees: `*_native` in BNB when the
//!   free BNB covers it or the released asset is BNB, capped at the free BNB; otherwise the
//!   non-native amount converted to the released asset at its BNB market's last price, or
//!   through BUSD when it has none, capped at its free balance).
//!
//! A breathe block ([`BreatheConfig`]: the first block of each UTC day, as on the chain) then
//! expires old GTE orders, releasing their locks and charging the expiry fee to those that
//! filled nothing; the fixed fees of a block (IOC no-fill, expiry) are charged per account after
//! all its releases, as the node's allocation did. A send pays the transfer fee
//! ([`FeeConfig::send_fee`]) when it is accepted.
//!
//! A block is one journaled request: its whole change is one line of the state log, so a crash
//! in the middle of a block loses the block (its transactions are still in the persisted
//! mempool and the next block includes them) and never applies half of it or a fill twice.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use dexlink::address::{Address, Hrp};

use crate::journal::Journal;
use crate::matcheng::{
    self, Book, NewOrder, OrderStatus, RoundParams, Side, TickType, TimeInForce,
};
use crate::state::{Ledger, RestingOrder, TradeRecord, fixed8};

/// The native token: fees are charged in it when the account holds enough.
pub const NATIVE: &str = "BNB";

/// The price limit of the auction's market-pressure rule (the chain's 5%).
pub const PRICE_LIMIT: f64 = 0.05;

/// When blocks are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BlockMode {
    /// One block every interval (the chain made one about every 0.4 s; `dexlink devnet`
    /// defaults to 1 s).
    Interval(Duration),
    /// Only on `POST /devnet/block`: nothing happens between two calls, for tests that control
    /// exactly which transactions share a block.
    OnDemand,
    /// A block right after each accepted transaction (as anvil's automine): every broadcast is
    /// included, matched and settled before its answer, so a test needs no block calls.
    EachTx,
}

/// The DEX fee parameters (the node's `DexFeeParam`; the chain's genesis values by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeConfig {
    /// Trade fee rate charged in the received asset, in millionths (genesis 1000: 0.1%).
    pub fee_rate: i64,
    /// Trade fee rate charged in BNB, in millionths (genesis 400: 0.04%).
    pub fee_rate_native: i64,
    /// Fee for a GTE order expiring unfilled at a breathe block, non-native (genesis 5e4).
    pub expire_fee: i64,
    /// Fee for a GTE order expiring unfilled at a breathe block, in BNB (genesis 1e4).
    pub expire_fee_native: i64,
    /// Fee for an IOC order that filled nothing, non-native (genesis 25e3).
    pub ioc_expire_fee: i64,
    /// Fee for an IOC order that filled nothing, in BNB (genesis 5e3).
    pub ioc_expire_fee_native: i64,
    /// Fee for cancelling an order that filled nothing, non-native (genesis 5e4).
    pub cancel_fee: i64,
    /// Fee for cancelling an order that filled nothing, in BNB (genesis 1e4).
    pub cancel_fee_native: i64,
    /// Fee for a transfer (`send`) of one coin, in BNB (genesis `TransferFee` 62500).
    pub transfer_fee: i64,
    /// Fee per coin of a multi-send, in BNB (genesis `MultiTransferFee` 50000).
    pub multi_transfer_fee: i64,
    /// Fee for a freeze or an unfreeze, in BNB (genesis `FreezeFee` 1e6: both messages have the
    /// type `tokensFreeze`).
    pub freeze_fee: i64,
    /// From how many coins (inputs' or outputs', the larger count) a send pays the multi-send
    /// rate (genesis `LowerLimitAsMulti` 2).
    pub lower_limit_as_multi: i64,
    /// The 20 bytes of the account fees go to (shown with the devnet's HRP); by default the
    /// ASCII bytes of `dexlink-devnet-fees!`.
    pub fee_account: [u8; 20],
}

impl Default for FeeConfig {
    fn default() -> Self {
        Self {
            fee_rate: 1000,
            fee_rate_native: 400,
            expire_fee: 50_000,
            expire_fee_native: 10_000,
            ioc_expire_fee: 25_000,
            ioc_expire_fee_native: 5_000,
            cancel_fee: 50_000,
            cancel_fee_native: 10_000,
            transfer_fee: 62_500,
            multi_transfer_fee: 50_000,
            freeze_fee: 1_000_000,
            lower_limit_as_multi: 2,
            fee_account: *b"dexlink-devnet-fees!",
        }
    }
}

impl FeeConfig {
    /// No fee at all.
    pub fn zero() -> Self {
        Self {
            fee_rate: 0,
            fee_rate_native: 0,
            expire_fee: 0,
            expire_fee_native: 0,
            ioc_expire_fee: 0,
            ioc_expire_fee_native: 0,
            cancel_fee: 0,
            cancel_fee_native: 0,
            transfer_fee: 0,
            multi_transfer_fee: 0,
            freeze_fee: 0,
            ..Self::default()
        }
    }

    /// Checks every value is non-negative (the node refused a negative one too).
    pub fn check(&self) -> Result<(), String> {
        let all = [
            self.fee_rate,
            self.fee_rate_native,
            self.expire_fee,
            self.expire_fee_native,
            self.ioc_expire_fee,
            self.ioc_expire_fee_native,
            self.cancel_fee,
            self.cancel_fee_native,
            self.transfer_fee,
            self.multi_transfer_fee,
            self.freeze_fee,
            self.lower_limit_as_multi,
        ];
        if all.iter().any(|v| *v < 0) {
            return Err("fee parameters must not be negative".into());
        }
        Ok(())
    }

    /// The fee of a send whose inputs hold `input_coins` coins and outputs `output_coins`
    /// (bnb-chain/node `TransferFeeCalculatorGen`): the multi-send rate times the larger count
    /// from `lower_limit_as_multi` coins on (capped at the largest token supply), else the
    /// single transfer fee.
    pub fn send_fee(&self, input_coins: usize, output_coins: usize) -> i64 {
        /// The chain's `TokenMaxTotalSupply`.
        const MAX_SUPPLY: i64 = 9_000_000_000_000_000_000;
        let n = i64::try_from(input_coins.max(output_coins)).unwrap_or(i64::MAX);
        if n < self.lower_limit_as_multi {
            return self.transfer_fee;
        }
        if self.multi_transfer_fee > 0 && n > MAX_SUPPLY / self.multi_transfer_fee {
            MAX_SUPPLY
        } else {
            self.multi_transfer_fee * n
        }
    }

    /// The fee account's address with `hrp`.
    pub fn account(&self, hrp: &str) -> String {
        let hrp = Hrp::new(hrp).expect("configured HRP is valid");
        Address::new(hrp, self.fee_account).to_string()
    }
}

/// Price levels from the best on each side whose orders are kept until the force-expiry
/// period (the node's `preferencePriceLevel`, BEP-67); orders beyond them expire sooner.
pub const RESERVED_LEVELS: usize = 500;

/// When breathe blocks happen and how long GTE orders are kept (the chain's values by default).
///
/// At a breathe block of period `P` (the UTC day of the block, or `height / n`), after the
/// block's matching, GTE orders placed before the breathe block of period `P - order_keep`
/// expire if they are beyond the best [`RESERVED_LEVELS`] price levels of their side, and
/// every order placed before the breathe block of `P - order_force_keep` expires. No breathe
/// block recorded for `P - order_keep`: nothing expires (the chain's first days).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreatheConfig {
    /// `None`: the first block of each UTC day is a breathe block (the chain); `Some(n)`: every
    /// block whose height is a multiple of `n` (the node's `breatheBlockInterval` setting).
    pub every_blocks: Option<u64>,
    /// Periods an order beyond the reserved price levels is kept (the chain: 3 days).
    pub order_keep: u32,
    /// Periods any order is kept (the chain: 30 days).
    pub order_force_keep: u32,
}

impl Default for BreatheConfig {
    fn default() -> Self {
        Self {
            every_blocks: None,
            order_keep: 3,
            order_force_keep: 30,
        }
    }
}

impl BreatheConfig {
    /// Refuses a zero interval or keep period.
    pub fn check(&self) -> Result<(), String> {
        if self.every_blocks == Some(0) {
            return Err("the breathe block interval must be at least one block".into());
        }
        if self.order_keep == 0 || self.order_force_keep == 0 {
            return Err("order keep periods must be at least one breathe period".into());
        }
        Ok(())
    }

    /// The period a block at `height` and `time_ms` falls in.
    fn period(&self, height: i64, time_ms: i64) -> i64 {
        match self.every_blocks {
            None => time_ms.div_euclid(86_400_000),
            Some(n) => height / i64::try_from(n).unwrap_or(i64::MAX),
        }
    }
}

/// Each market's resting book, kept in memory next to the ledger (the ledger's open orders
/// are the persisted form; [`Books::rebuild`] makes the books from them).
#[derive(Debug, Default, Clone)]
pub struct Books {
    books: HashMap<String, Book>,
}

impl Books {
    /// The books of `ledger`'s open orders that are not waiting for their block, in time
    /// priority (block height, then position in the block).
    pub fn rebuild(ledger: &Ledger) -> Self {
        let mut open: Vec<&RestingOrder> = ledger.orders.values().filter(|o| !o.pending).collect();
        open.sort_by_key(|o| (o.height, o.arrival));
        let mut books: HashMap<String, Book> = HashMap::new();
        for o in open {
            let side = if o.side == 1 { Side::Buy } else { Side::Sell };
            // A validated ledger's orders always fit a book; one that does not stays off it.
            let _ = books.entry(o.symbol.clone()).or_default().insert(
                side,
                o.price,
                matcheng::RestingOrder {
                    id: o.order_id.clone(),
                    height: o.height,
                    qty: o.quantity,
                    cum_qty: o.cum_qty,
                },
            );
        }
        Self { books }
    }

    /// The book of `symbol`, if any order ever rested there.
    pub fn get(&self, symbol: &str) -> Option<&Book> {
        self.books.get(symbol)
    }
}

/// What one block did: for the streams.
#[derive(Debug, Clone, Default)]
pub struct BlockEvents {
    /// Its height.
    pub height: i64,
    /// Its time, milliseconds since the epoch.
    pub time_ms: i64,
    /// Transactions included.
    pub txs: usize,
    /// Trades in execution order.
    pub trades: Vec<TradeRecord>,
    /// The orders whose state the block changed, as they are after it (closed ones included).
    pub orders: Vec<RestingOrder>,
    /// Addresses whose balances the block changed.
    pub accounts: BTreeSet<String>,
    /// Markets whose book the block changed.
    pub markets: BTreeSet<String>,
    /// Whether it was a breathe block.
    pub breathe: bool,
    /// GTE orders it expired.
    pub expired: usize,
}

/// Fees one order paid in this block, by asset.
type FeeSum = BTreeMap<String, i64>;

/// `BNB:0.00000400;` for each asset, as the API shows fees.
pub fn fee_text(fees: &FeeSum) -> String {
    fees.iter()
        .filter(|(_, n)| **n > 0)
        .map(|(a, n)| format!("{a}:{};", fixed8(*n)))
        .collect()
}

fn tick_name(t: TickType) -> &'static str {
    match t {
        TickType::SellTaker => "SellTaker",
        TickType::BuyTaker => "BuyTaker",
        TickType::BuySurplus => "BuySurplus",
        TickType::SellSurplus => "SellSurplus",
        TickType::Neutral => "Neutral",
        _ => "Unknown",
    }
}

/// `price × qty / 10^8`, truncated (the chain's notional).
pub fn notional(price: i64, qty: i64) -> i64 {
    (i128::from(price) * i128::from(qty) / 100_000_000) as i64
}

/// Adds `amount` to the free `asset` of `who`, creating the account or holding if needed.
/// Settlement only moves coins, and a ledger's supply of an asset fits an `i64`, so the sum
/// cannot overflow; it saturates rather than panic should that ever be false.
fn add_free(l: &mut Journal<'_>, who: &str, asset: &str, amount: i64) {
    if amount <= 0 {
        return;
    }
    match l.account_mut(who) {
        Some(a) => {
            let h = a.balances.entry(asset.to_string()).or_default();
            h.free = h.free.saturating_add(amount);
        }
        None => {
            let _ = l.credit(who, asset, amount);
        }
    }
}

/// Takes `amount` from the free `asset` of `who` (at most what is there); returns what was taken.
fn take_free(l: &mut Journal<'_>, who: &str, asset: &str, amount: i64) -> i64 {
    let Some(h) = l.account_mut(who).and_then(|a| a.balances.get_mut(asset)) else {
        return 0;
    };
    let n = amount.clamp(0, h.free);
    h.free -= n;
    n
}

/// Takes `amount` out of the lock of `who` on `asset` (the order's lock already accounts for it).
fn take_locked(l: &mut Journal<'_>, who: &str, asset: &str, amount: i64) {
    if let Some(h) = l.account_mut(who).and_then(|a| a.balances.get_mut(asset)) {
        h.locked -= amount.min(h.locked);
    }
}

/// Releases `amount` of the lock of `who` on `asset` back to free.
pub(crate) fn unlock(l: &mut Journal<'_>, who: &str, asset: &str, amount: i64) {
    if let Some(h) = l.account_mut(who).and_then(|a| a.balances.get_mut(asset)) {
        let n = amount.min(h.locked);
        h.locked -= n;
        h.free = h.free.saturating_add(n);
    }
}

fn free_of(l: &Ledger, who: &str, asset: &str) -> i64 {
    l.accounts
        .get(who)
        .and_then(|a| a.balances.get(asset))
        .map_or(0, |h| h.free)
}

/// The last price of market `base_quote`, if listed (its list price before any trade).
fn last_price(l: &Ledger, base: &str, quote: &str) -> Option<i64> {
    let symbol = format!("{base}_{quote}");
    let m = l.markets.get(&symbol)?;
    Some(l.last_prices.get(&symbol).copied().unwrap_or(m.list_price))
}

/// The BUSD the node's fee manager values through when an asset has no BNB market (its
/// `BUSDSymbol`, the chain's BUSD-BD1).
pub const BUSD: &str = "BUSD-BD1";

/// A transfer's value in BNB (fee.go `calcTranValueMeasureBySymbol`).
fn native_value(l: &Ledger, in_asset: &str, inn: i64, out_asset: &str, out: i64) -> i128 {
    value_in(l, NATIVE, (in_asset, inn), (out_asset, out))
}

/// A transfer's value measured in `symbol`: what it received or paid when that is `symbol`,
/// else what it received at the last price of its market against `symbol`. Without such a
/// market, in BNB (BEP-70), the node multiplied the value in BUSD by `10^8 / price` of
/// BNB_BUSD (or `price / 10^8` of BUSD_BNB), an integer taken before the multiplication: it is
/// 0, and so the BNB fee, whenever BNB is worth more than 1 BUSD. Where even BUSD has no
/// market with the asset, the node recursed without end; the value here is 0.
fn value_in(l: &Ledger, symbol: &str, (in_asset, inn): (&str, i64), out: (&str, i64)) -> i128 {
    if in_asset == symbol {
        i128::from(inn)
    } else if out.0 == symbol {
        i128::from(out.1)
    } else if let Some(p) = last_price(l, in_asset, symbol) {
        i128::from(p) * i128::from(inn) / 100_000_000
    } else if let Some(p) = last_price(l, symbol, in_asset).filter(|p| *p > 0) {
        i128::from(inn) * 100_000_000 / i128::from(p)
    } else if symbol != BUSD {
        let busd_qty = if let Some(p) = last_price(l, symbol, BUSD).filter(|p| *p > 0) {
            100_000_000 / i128::from(p)
        } else if let Some(p) = last_price(l, BUSD, symbol) {
            i128::from(p) / 100_000_000
        } else {
            0
        };
        if busd_qty == 0 {
            return 0;
        }
        busd_qty * value_in(l, BUSD, (in_asset, inn), out)
    } else {
        0
    }
}

/// Charges the trade fee of one side of a trade (it received `inn` of `in_asset`, paid `out`
/// of `out_asset`; its balances already hold the transfer). Returns the fee (asset, amount).
fn charge_trade_fee(
    l: &mut Journal<'_>,
    fees: &FeeConfig,
    fee_account: &str,
    who: &str,
    (in_asset, inn): (&str, i64),
    (out_asset, out): (&str, i64),
) -> (String, i64) {
    let native = native_value(l, in_asset, inn, out_asset, out) * i128::from(fees.fee_rate_native)
        / 1_000_000;
    let (asset, amount) = match i64::try_from(native) {
        Ok(n) if n != 0 && n <= free_of(l, who, NATIVE) => (NATIVE.to_string(), n),
        _ => (
            in_asset.to_string(),
            (i128::from(inn) * i128::from(fees.fee_rate) / 1_000_000) as i64,
        ),
    };
    let taken = take_free(l, who, &asset, amount);
    add_free(l, fee_account, &asset, taken);
    (asset, taken)
}

/// Which fixed fee.
#[derive(Debug, Clone, Copy)]
pub(crate) enum FixedFee {
    Cancel,
    IocExpire,
    Expire,
}

/// Charges a fixed fee (cancel, expiry) after `released` was unlocked (fee.go `CalcFixedFee`).
pub(crate) fn charge_fixed_fee(
    l: &mut Journal<'_>,
    fees: &FeeConfig,
    who: &str,
    kind: FixedFee,
    released: &str,
) -> (String, i64) {
    let (native, other) = match kind {
        FixedFee::Cancel => (fees.cancel_fee_native, fees.cancel_fee),
        FixedFee::IocExpire => (fees.ioc_expire_fee_native, fees.ioc_expire_fee),
        FixedFee::Expire => (fees.expire_fee_native, fees.expire_fee),
    };
    let bnb = free_of(l, who, NATIVE);
    let (asset, amount) = if bnb >= native || released == NATIVE {
        (NATIVE.to_string(), native.min(bnb))
    } else {
        let n = i64::try_from(fixed_fee_in(l, released, other)).unwrap_or(i64::MAX);
        (released.to_string(), n.min(free_of(l, who, released)))
    };
    let fee_account = fees.account(&l.hrp);
    let taken = take_free(l, who, &asset, amount);
    add_free(l, &fee_account, &asset, taken);
    (asset, taken)
}

/// The non-native fixed fee `fee` (a BNB amount) in `asset`, as fee.go `CalcFixedFee` converted
/// it: at the last price of the asset's BNB market; without one (BEP-70), first into BUSD at
/// BNB's BUSD market, capped at `i64::MAX`, then into the asset at its BUSD market. Each step
/// truncates; a step without its market gives 0.
fn fixed_fee_in(l: &Ledger, asset: &str, fee: i64) -> i128 {
    // `amount` of `from` in `to`, through the `from`_`to` or `to`_`from` market.
    let convert = |from: &str, to: &str, amount: i128| -> Option<i128> {
        if let Some(p) = last_price(l, from, to).filter(|p| *p > 0) {
            Some(amount * 100_000_000 / i128::from(p))
        } else {
            last_price(l, to, from).map(|p| i128::from(p) * amount / 100_000_000)
        }
    };
    let fee = i128::from(fee);
    if let Some(n) = convert(asset, NATIVE, fee) {
        return n;
    }
    let busd = convert(BUSD, NATIVE, fee)
        .unwrap_or(0)
        .min(i128::from(i64::MAX));
    convert(asset, BUSD, busd).unwrap_or(0)
}

/// Takes an open order off the ledger with its final `status`, releasing what its lock still
/// holds; returns the closed record.
fn close(l: &mut Journal<'_>, id: &str, status: &str, now_ms: i64) -> Option<RestingOrder> {
    let mut o = l.remove_order(id)?;
    unlock(l, &o.owner, &o.locked_asset, o.locked_amount);
    o.locked_amount = 0;
    o.status = status.to_string();
    o.updated_ms = now_ms;
    o.pending = false;
    Some(o)
}

/// One side of a trade, whose fee is charged after all of the block's transfers (the node's
/// trade `Transfer`).
struct TradeSide {
    owner: String,
    /// Index of the trade in the block's trades.
    trade: usize,
    buyer: bool,
    /// What it received.
    inn: (String, i64),
    /// What it paid.
    out: (String, i64),
}

/// Charges the trade fees of the block as the node's allocation did (`allocate`,
/// `CalcTradesFee`): per account, after every transfer of the block (all markets matched, so
/// the BNB values use this block's last prices), in the order of `TradeTransfers.Sort`
/// (received BNB first, then paid BNB, then by received and paid asset; stable, so a market's
/// trades keep their order), each against the balance the previous fees left. The trades and
/// the orders (ledger and `ev`) show the fees.
fn charge_trade_fees(
    l: &mut Journal<'_>,
    fees: &FeeConfig,
    sides: Vec<TradeSide>,
    trades: &mut [TradeRecord],
    ev: &mut BlockEvents,
) {
    let fee_account = fees.account(&l.hrp);
    let mut by_owner: BTreeMap<String, Vec<TradeSide>> = BTreeMap::new();
    for s in sides {
        by_owner.entry(s.owner.clone()).or_default().push(s);
    }
    let mut fee_sums: BTreeMap<String, FeeSum> = BTreeMap::new();
    for (owner, mut list) in by_owner {
        list.sort_by(|a, b| {
            let key = |s: &TradeSide| (s.inn.0 != NATIVE, s.out.0 != NATIVE);
            (key(a), &a.inn.0, &a.out.0).cmp(&(key(b), &b.inn.0, &b.out.0))
        });
        for s in list {
            let (a, n) = charge_trade_fee(
                l,
                fees,
                &fee_account,
                &owner,
                (&s.inn.0, s.inn.1),
                (&s.out.0, s.out.1),
            );
            let text = fee_text(&FeeSum::from([(a.clone(), n)]));
            let t = &mut trades[s.trade];
            let id = if s.buyer {
                t.buyer_fee = text;
                t.buyer_order_id.clone()
            } else {
                t.seller_fee = text;
                t.seller_order_id.clone()
            };
            *fee_sums.entry(id).or_default().entry(a).or_default() += n;
        }
    }
    let last_event = last_event_index(ev);
    let mut event_fees: Vec<(usize, String)> = Vec::new();
    for (id, sum) in fee_sums {
        let text = fee_text(&sum);
        if let Some(o) = l.order_mut(&id) {
            o.fee = text.clone();
        } else if let Some(mut o) = l.closed.get(&id).cloned() {
            o.fee = text.clone();
            l.insert_closed(o);
        }
        if let Some(&i) = last_event.get(id.as_str()) {
            event_fees.push((i, text));
        }
    }
    for (i, text) in event_fees {
        ev.orders[i].fee = text;
    }
}

/// Where each order's last record is among the block's events, by id: built once per block,
/// as a search per charged order made a block of many fills quadratic.
fn last_event_index(ev: &BlockEvents) -> HashMap<String, usize> {
    ev.orders
        .iter()
        .enumerate()
        .map(|(i, o)| (o.order_id.clone(), i))
        .collect()
}

/// A fixed fee owed by the owner of an order closed in this block, charged once all of the
/// block's transfers are done.
struct FixedCharge {
    owner: String,
    /// The asset the closing released (the fee's fallback asset).
    released: String,
    symbol: String,
    id: String,
}

/// Charges the fixed fees of `charges` as the node's allocation did (`allocate`,
/// `CalcExpiresFee`): per account, after every transfer of the block, in the order of
/// `ExpireTransfers.Sort` (released BNB first, then by released asset, then by market; stable),
/// each against the balance the previous ones left. The closed orders and `ev` show the fee.
fn charge_fixed_fees(
    l: &mut Journal<'_>,
    fees: &FeeConfig,
    kind: FixedFee,
    charges: Vec<FixedCharge>,
    ev: &mut BlockEvents,
) {
    let mut by_owner: BTreeMap<String, Vec<FixedCharge>> = BTreeMap::new();
    for c in charges {
        by_owner.entry(c.owner.clone()).or_default().push(c);
    }
    let last_event = last_event_index(ev);
    for (owner, mut list) in by_owner {
        list.sort_by(|a, b| {
            (a.released != NATIVE, &a.released, &a.symbol).cmp(&(
                b.released != NATIVE,
                &b.released,
                &b.symbol,
            ))
        });
        for c in list {
            let fee = charge_fixed_fee(l, fees, &owner, kind, &c.released);
            let text = fee_text(&FeeSum::from([fee]));
            if let Some(mut o) = l.closed.get(&c.id).cloned() {
                o.fee = text.clone();
                l.insert_closed(o);
            }
            if let Some(&i) = last_event.get(&c.id) {
                ev.orders[i].fee = text;
            }
            ev.accounts.insert(fees.account(&l.hrp));
        }
    }
}

/// The period of the breathe block this block is, if it is one: by the clock or height
/// (`BreatheConfig`), or `force`d (then the period after the last recorded one, at least the
/// block's own), as `POST /devnet/breathe` asks.
fn breathe_period(
    l: &Ledger,
    cfg: &BreatheConfig,
    force: bool,
    prev_time_ms: i64,
    height: i64,
    time_ms: i64,
) -> Option<i64> {
    let here = cfg.period(height, time_ms);
    if force {
        let last = l
            .breathe_blocks
            .keys()
            .filter_map(|k| k.parse::<i64>().ok())
            .max();
        return Some(last.map_or(here, |p| here.max(p + 1)));
    }
    match cfg.every_blocks {
        // The node: a block on another UTC day than the previous block (not the first block).
        None => (prev_time_ms > 0 && prev_time_ms.div_euclid(86_400_000) != here).then_some(here),
        Some(n) => (height % i64::try_from(n).unwrap_or(i64::MAX) == 0).then_some(here),
    }
}

/// Expires the GTE orders the breathe block of `period` expires (see [`BreatheConfig`]; the
/// node's `ExpireOrders` with BEP-67's `RemoveOrdersBasedOnPriceLevel`): each is closed as
/// `Expired` and its lock released; one that filled nothing pays the expiry fee, charged per
/// account after all the releases ([`charge_fixed_fees`]).
fn expire_orders(
    l: &mut Journal<'_>,
    books: &mut Books,
    fees: &FeeConfig,
    cfg: &BreatheConfig,
    period: i64,
    time_ms: i64,
    ev: &mut BlockEvents,
) {
    let lookup = |keep: u32| {
        l.breathe_blocks
            .get(&(period - i64::from(keep)).to_string())
            .copied()
    };
    let Some(expire_before) = lookup(cfg.order_keep) else {
        return;
    };
    let force_before = lookup(cfg.order_force_keep).unwrap_or(-1);
    let mut symbols: Vec<String> = books.books.keys().cloned().collect();
    symbols.sort();
    let mut charges = Vec::new();
    for symbol in symbols {
        let Some(book) = books.books.get_mut(&symbol) else {
            continue;
        };
        let mut ids = Vec::new();
        for side in [Side::Buy, Side::Sell] {
            for (i, (_, orders)) in book.levels(side).enumerate() {
                let before = if i < RESERVED_LEVELS {
                    force_before
                } else {
                    expire_before
                };
                // A level's orders are in time priority, so the old ones lead it.
                ids.extend(
                    orders
                        .iter()
                        .take_while(|o| o.height < before)
                        .map(|o| o.id.clone()),
                );
            }
        }
        for id in ids {
            book.remove(&id);
            let Some(mut o) = close(l, &id, "Expired", time_ms) else {
                continue;
            };
            // The fee shown is this block's: the expiry fee below, or none.
            o.fee = String::new();
            if o.cum_qty == 0 {
                charges.push(FixedCharge {
                    owner: o.owner.clone(),
                    released: o.locked_asset.clone(),
                    symbol: o.symbol.clone(),
                    id: o.order_id.clone(),
                });
            }
            ev.markets.insert(symbol.clone());
            ev.accounts.insert(o.owner.clone());
            ev.expired += 1;
            l.insert_closed(o.clone());
            ev.orders.push(o);
        }
    }
    charge_fixed_fees(l, fees, FixedFee::Expire, charges, ev);
}

/// Makes the next block of `l` with the default [`BreatheConfig`] (see the module
/// documentation).
pub fn produce(
    l: &mut Journal<'_>,
    books: &mut Books,
    fees: &FeeConfig,
    now_ms: i64,
) -> BlockEvents {
    produce_with(l, books, fees, &BreatheConfig::default(), false, now_ms)
}

/// Makes the next block of `l` (see the module documentation); `force_breathe` makes it a
/// breathe block whatever the clock says.
pub fn produce_with(
    l: &mut Journal<'_>,
    books: &mut Books,
    fees: &FeeConfig,
    breathe: &BreatheConfig,
    force_breathe: bool,
    now_ms: i64,
) -> BlockEvents {
    let height = l.height + 1;
    let prev_time_ms = l.block_time_ms;
    let time_ms = now_ms.max(l.block_time_ms);
    l.set_height(height);
    l.set_block_time(time_ms);
    let fee_account = fees.account(&l.hrp);
    let pending = l.take_mempool();
    let mut ev = BlockEvents {
        height,
        time_ms,
        txs: pending.len(),
        ..BlockEvents::default()
    };
    let mut new_by_market: BTreeMap<String, Vec<NewOrder>> = BTreeMap::new();
    for (i, p) in pending.iter().enumerate() {
        if let Some(t) = l.tx_mut(&p.hash) {
            t.height = height;
        }
        if let Some((symbol, id)) = &p.cancel {
            if let Some(b) = books.books.get_mut(symbol)
                && b.remove(id).is_some()
            {
                ev.markets.insert(symbol.clone());
            }
            if let Some(o) = l.closed.get(id) {
                ev.accounts.insert(o.owner.clone());
                ev.orders.push(o.clone());
            }
        }
        let Some(id) = &p.order else { continue };
        // Cancelled before its block: it never reaches the book.
        let Some(o) = l.order_mut(id) else { continue };
        o.pending = false;
        o.height = height;
        o.arrival = i as i64;
        new_by_market
            .entry(o.symbol.clone())
            .or_default()
            .push(NewOrder {
                id: o.order_id.clone(),
                side: if o.side == 1 { Side::Buy } else { Side::Sell },
                price: o.price,
                qty: o.quantity,
                time_in_force: if o.time_in_force == 3 {
                    TimeInForce::Ioc
                } else {
                    TimeInForce::Gte
                },
            });
    }

    let mut trade_n = 0usize;
    let mut ioc_charges = Vec::new();
    let mut trades: Vec<TradeRecord> = Vec::new();
    let mut sides: Vec<TradeSide> = Vec::new();
    for (symbol, new_orders) in new_by_market {
        ev.markets.insert(symbol.clone());
        let Some(m) = l.markets.get(&symbol).cloned() else {
            continue;
        };
        let params = RoundParams {
            height,
            last_price: l.last_prices.get(&symbol).copied().unwrap_or(m.list_price),
            lot_size: m.lot_size,
            price_limit_pct: PRICE_LIMIT,
        };
        let book = books.books.entry(symbol.clone()).or_default();
        let outcome = match matcheng::match_round(book, &new_orders, &params) {
            Ok(o) => o,
            Err(_) => {
                // The engine refused the round (the book is as before it): the chain marked
                // the block's orders FailedMatching and released their funds.
                for n in &new_orders {
                    if let Some(o) = close(l, &n.id, "FailedMatching", time_ms) {
                        ev.accounts.insert(o.owner.clone());
                        l.insert_closed(o.clone());
                        ev.orders.push(o);
                    }
                }
                continue;
            }
        };
        for t in &outcome.trades {
            let trade_id = format!("{height}-{trade_n}");
            trade_n += 1;
            let (Some(buy), Some(sell)) = (l.orders.get(&t.buy_id), l.orders.get(&t.sell_id))
            else {
                continue;
            };
            let (buyer, seller, buy_price) = (buy.owner.clone(), sell.owner.clone(), buy.price);
            let value = notional(t.price, t.qty);
            // The buyer's fill unlocks what its limit price locked for this quantity (the
            // node's `TransferFromTrade`: the notional of its cumulative quantity at its own
            // price, less that of the quantity before the fill); it pays the trade's value
            // and the rest, a price improvement, is free at once. Floors make the unlock at
            // least the value; `max` keeps coins accounted for should that ever fail.
            let buy_unlock = (notional(buy_price, t.buy_cum_qty)
                - notional(buy_price, t.buy_cum_qty - t.qty))
            .max(value);
            take_locked(l, &buyer, &m.quote, value);
            unlock(l, &buyer, &m.quote, buy_unlock - value);
            add_free(l, &buyer, &m.base, t.qty);
            // The seller delivers out of its base lock.
            take_locked(l, &seller, &m.base, t.qty);
            add_free(l, &seller, &m.quote, value);
            for (id, paid) in [(&t.buy_id, buy_unlock), (&t.sell_id, t.qty)] {
                if let Some(o) = l.order_mut(id) {
                    o.locked_amount -= paid.min(o.locked_amount);
                    o.last_price = t.price;
                    o.last_qty = t.qty;
                    o.last_trade_id = trade_id.clone();
                    o.updated_ms = time_ms;
                }
            }
            let trade = TradeRecord {
                trade_id: trade_id.clone(),
                symbol: symbol.clone(),
                height,
                time_ms,
                price: t.price,
                quantity: t.qty,
                buyer_order_id: t.buy_id.clone(),
                seller_order_id: t.sell_id.clone(),
                buyer: buyer.clone(),
                seller: seller.clone(),
                buyer_fee: String::new(),
                seller_fee: String::new(),
                tick_type: tick_name(t.tick_type).into(),
            };
            // The fees come after all of the block's transfers (see `charge_trade_fees`);
            // the seller's side first, as the node's `TransferFromTrade` made them.
            let at = trades.len();
            sides.push(TradeSide {
                owner: seller.clone(),
                trade: at,
                buyer: false,
                inn: (m.quote.clone(), value),
                out: (m.base.clone(), t.qty),
            });
            sides.push(TradeSide {
                owner: buyer.clone(),
                trade: at,
                buyer: true,
                inn: (m.base.clone(), t.qty),
                out: (m.quote.clone(), value),
            });
            ev.accounts.insert(buyer);
            ev.accounts.insert(seller);
            ev.accounts.insert(fee_account.clone());
            trades.push(trade);
        }
        if let Some(p) = outcome.concluded_price {
            l.set_last_price(&symbol, p);
        }
        for u in &outcome.updates {
            if let Some(o) = l.order_mut(&u.id) {
                o.cum_qty = u.cum_qty;
                // This block's fee, set once the trade fees are charged.
                o.fee = String::new();
            }
            let status = match u.status {
                OrderStatus::Ack => None,
                OrderStatus::PartialFill => Some(("PartialFill", false)),
                OrderStatus::FullyFill => Some(("FullyFill", true)),
                OrderStatus::IocNoFill => Some(("IocNoFill", true)),
                _ => Some(("IocExpire", true)),
            };
            let order = match status {
                None => l.orders.get(&u.id).cloned(),
                Some((s, false)) => l.order_mut(&u.id).map(|o| {
                    o.status = s.to_string();
                    o.clone()
                }),
                Some((s, true)) => close(l, &u.id, s, time_ms).inspect(|o| {
                    // Charged after the block's transfers, as the node's allocation did.
                    if u.status == OrderStatus::IocNoFill {
                        ioc_charges.push(FixedCharge {
                            owner: o.owner.clone(),
                            released: o.locked_asset.clone(),
                            symbol: o.symbol.clone(),
                            id: o.order_id.clone(),
                        });
                    }
                    l.insert_closed(o.clone());
                }),
            };
            if let Some(o) = order {
                ev.accounts.insert(o.owner.clone());
                ev.orders.push(o);
            }
        }
    }
    charge_trade_fees(l, fees, sides, &mut trades, &mut ev);
    for t in trades {
        l.insert_trade(t.clone());
        ev.trades.push(t);
    }
    charge_fixed_fees(l, fees, FixedFee::IocExpire, ioc_charges, &mut ev);
    // The node's breathe block: matching first, then expiry, then the block is recorded as
    // the period's breathe block (dex `EndBreatheBlock`).
    if let Some(period) = breathe_period(l, breathe, force_breathe, prev_time_ms, height, time_ms) {
        ev.breathe = true;
        expire_orders(l, books, fees, breathe, period, time_ms, &mut ev);
        l.mark_breathe(period, height);
    }
    ev
}
