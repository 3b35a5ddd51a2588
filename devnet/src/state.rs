//! The devnet ledger: accounts, balances, resting orders, transactions and links.
//!
//! Amounts are Fixed8 integers (10^-8 units). The ledger is plain data so that it can be
//! persisted as JSON and reloaded; the rules that change it live in `broadcast.rs`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// Formats Fixed8 units with exactly 8 decimals, as the API shows balances.
pub fn fixed8(units: i64) -> String {
    let sign = if units < 0 { "-" } else { "" };
    let u = units.unsigned_abs();
    format!("{sign}{}.{:08}", u / 100_000_000, u % 100_000_000)
}

/// Whether `s` is an asset symbol the devnet accepts: 1 to 20 ASCII letters, digits, `-` or `.`.
pub fn valid_asset(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 20
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// One asset balance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holding {
    /// Spendable.
    pub free: i64,
    /// Locked by open orders.
    pub locked: i64,
    /// Frozen.
    pub frozen: i64,
}

impl Holding {
    /// `free + locked + frozen`, or `None` if that overflows.
    pub fn total(&self) -> Option<i64> {
        self.free
            .checked_add(self.locked)
            .and_then(|t| t.checked_add(self.frozen))
    }
}

/// One account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountState {
    /// Assigned when first funded.
    pub account_number: i64,
    /// Next sequence to sign with.
    pub sequence: i64,
    /// By asset symbol.
    pub balances: BTreeMap<String, Holding>,
    /// Compressed public key (hex) once the account has sent a transaction.
    pub public_key: Option<String>,
}

/// A resting order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestingOrder {
    /// The order id.
    pub order_id: String,
    /// The pair.
    pub symbol: String,
    /// Owner address (bech32).
    pub owner: String,
    /// 1 buy, 2 sell.
    pub side: i64,
    /// Price, Fixed8.
    pub price: i64,
    /// Quantity, Fixed8.
    pub quantity: i64,
    /// 1 GTE, 3 IOC.
    pub time_in_force: i64,
    /// Asset locked and how much.
    pub locked_asset: String,
    /// Amount locked.
    pub locked_amount: i64,
    /// Tx that placed it.
    pub tx_hash: String,
    /// Block height it was placed at (0 while it waits in the mempool).
    pub height: i64,
    /// Quantity filled so far, Fixed8.
    #[serde(default)]
    pub cum_qty: i64,
    /// The chain's status name: `Ack`, `PartialFill` while open; `FullyFill`, `Canceled`,
    /// `IocNoFill`, `IocExpire`, `Expired`, `FailedMatching` once closed.
    #[serde(default = "ack")]
    pub status: String,
    /// Accepted but not yet in a block: not on the book, not matched.
    #[serde(default, skip_serializing_if = "is_false")]
    pub pending: bool,
    /// Position of its transaction in its block: time priority within a price level.
    #[serde(default)]
    pub arrival: i64,
    /// When it was accepted, milliseconds since the epoch.
    #[serde(default)]
    pub created_ms: i64,
    /// When its status last changed, milliseconds since the epoch.
    #[serde(default)]
    pub updated_ms: i64,
    /// Last execution: price, quantity and trade id (zero and empty before any).
    #[serde(default)]
    pub last_price: i64,
    /// Quantity of the last execution.
    #[serde(default)]
    pub last_qty: i64,
    /// Trade id of the last execution.
    #[serde(default)]
    pub last_trade_id: String,
    /// Fees charged in its latest block, as the API shows them (`BNB:0.00000400;`).
    #[serde(default)]
    pub fee: String,
}

fn ack() -> String {
    "Ack".into()
}

impl Default for RestingOrder {
    fn default() -> Self {
        Self {
            order_id: String::new(),
            symbol: String::new(),
            owner: String::new(),
            side: 1,
            price: 0,
            quantity: 0,
            time_in_force: 1,
            locked_asset: String::new(),
            locked_amount: 0,
            tx_hash: String::new(),
            height: 0,
            cum_qty: 0,
            status: ack(),
            pending: false,
            arrival: 0,
            created_ms: 0,
            updated_ms: 0,
            last_price: 0,
            last_qty: 0,
            last_trade_id: String::new(),
            fee: String::new(),
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One execution, as the block that made it recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TradeRecord {
    /// `HEIGHT-N`, N counting the block's trades from 0.
    pub trade_id: String,
    /// The pair.
    pub symbol: String,
    /// Block height.
    pub height: i64,
    /// Block time, milliseconds since the epoch.
    pub time_ms: i64,
    /// Price, Fixed8.
    pub price: i64,
    /// Quantity, Fixed8 base units.
    pub quantity: i64,
    /// Buy order id.
    pub buyer_order_id: String,
    /// Sell order id.
    pub seller_order_id: String,
    /// Buyer address.
    pub buyer: String,
    /// Seller address.
    pub seller: String,
    /// The buyer's fee for this trade (`BNB:0.00000400;`).
    pub buyer_fee: String,
    /// The seller's fee for this trade.
    pub seller_fee: String,
    /// The engine's tick type name (`BuyTaker`, `SellTaker`, `BuySurplus`, ...).
    pub tick_type: String,
}

impl TradeRecord {
    /// `(height, N)` from the id, the order trades were made in.
    pub fn position(&self) -> (i64, i64) {
        let n = self
            .trade_id
            .rsplit_once('-')
            .and_then(|(_, n)| n.parse().ok())
            .unwrap_or(0);
        (self.height, n)
    }
}

/// An accepted transaction waiting for the next block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PendingTx {
    /// Its hash.
    pub hash: String,
    /// The order it placed, if a new order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// The order it cancelled, if a cancel (taken off the book in the block).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel: Option<(String, String)>,
}

/// A committed transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TxRecord {
    /// Uppercase hex hash.
    pub hash: String,
    /// Height.
    pub height: i64,
    /// 0 on success.
    pub code: i64,
    /// Log.
    pub log: String,
    /// Broadcast bytes, hex.
    pub tx_hex: String,
    /// Decoded transaction (JSON).
    pub tx: serde_json::Value,
}

/// A linked address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkRecord {
    /// When (RFC 3339).
    pub linked_at: String,
    /// Until (RFC 3339).
    pub expires_at: String,
}

/// An issued, unused link nonce.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuedNonce {
    /// For this address.
    pub address: String,
    /// Unix seconds after which it is void.
    pub expires: i64,
}

/// A market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketState {
    /// Base asset.
    pub base: String,
    /// Quote asset.
    pub quote: String,
    /// Tick size, Fixed8.
    pub tick_size: i64,
    /// Lot size, Fixed8.
    pub lot_size: i64,
    /// List price, Fixed8.
    pub list_price: i64,
}

impl MarketState {
    /// `BASE_QUOTE`.
    pub fn symbol(&self) -> String {
        format!("{}_{}", self.base, self.quote)
    }
}

/// Everything the devnet knows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ledger {
    /// Chain id.
    pub chain_id: String,
    /// Address HRP.
    pub hrp: String,
    /// Current block height.
    pub height: i64,
    /// Time of the latest block, milliseconds since the epoch.
    #[serde(default)]
    pub block_time_ms: i64,
    /// Next account number to assign.
    pub next_account_number: i64,
    /// Accounts by bech32 address.
    pub accounts: BTreeMap<String, AccountState>,
    /// Markets by symbol.
    pub markets: BTreeMap<String, MarketState>,
    /// Open orders by id.
    pub orders: BTreeMap<String, RestingOrder>,
    /// Transactions by hash.
    pub txs: BTreeMap<String, TxRecord>,
    /// Links by address.
    pub links: BTreeMap<String, LinkRecord>,
    /// Issued nonces by nonce.
    pub nonces: BTreeMap<String, IssuedNonce>,
    /// Accepted transactions waiting for the next block, in arrival order.
    #[serde(default)]
    pub mempool: Vec<PendingTx>,
    /// Closed orders (filled, cancelled, expired) by id.
    #[serde(default)]
    pub closed: BTreeMap<String, RestingOrder>,
    /// Trades by trade id.
    #[serde(default)]
    pub trades: BTreeMap<String, TradeRecord>,
    /// Last trade price by market symbol (a market without trades has its list price).
    #[serde(default)]
    pub last_prices: BTreeMap<String, i64>,
    /// Breathe blocks: the height of the breathe block of each period (the UTC day number, or
    /// the block interval's count), keyed by the period in decimal. Order expiry looks up the
    /// breathe block of a period a few periods back, as the chain looked up the one of a day.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub breathe_blocks: BTreeMap<String, i64>,
}

impl Ledger {
    /// Credits `amount` of `asset` to `address`, creating the account if needed.
    pub fn credit(&mut self, address: &str, asset: &str, amount: i64) -> Result<(), String> {
        if amount <= 0 {
            return Err("amount must be positive".into());
        }
        let next = &mut self.next_account_number;
        let acct = self.accounts.entry(address.to_string()).or_insert_with(|| {
            let n = *next;
            *next += 1;
            AccountState {
                account_number: n,
                sequence: 0,
                balances: BTreeMap::new(),
                public_key: None,
            }
        });
        let h = acct.balances.entry(asset.to_string()).or_default();
        // The whole holding must stay representable, not just `free`: locking, unlocking,
        // freezing and unfreezing move amounts between the three without further checks.
        h.total()
            .and_then(|t| t.checked_add(amount))
            .ok_or_else(|| "balance would overflow".to_string())?;
        h.free += amount;
        Ok(())
    }

    /// Mints `amount` of `asset` to `address` (faucet, genesis): [`Ledger::credit`], and the
    /// asset's total over all accounts stays representable too, as a token's supply on the
    /// chain did, so that a trade never overflows the balance it credits.
    pub fn mint(&mut self, address: &str, asset: &str, amount: i64) -> Result<(), String> {
        if amount > 0 && i128::from(amount) > i128::from(i64::MAX) - self.supply(asset) {
            let holding = self
                .accounts
                .get(address)
                .and_then(|a| a.balances.get(asset))
                .and_then(Holding::total)
                .unwrap_or(0);
            // The holding's own limit is the clearer reason when it is the one exceeded.
            if holding.checked_add(amount).is_some() {
                return Err(format!(
                    "the total supply of {asset} would exceed the largest amount the chain \
                     represents"
                ));
            }
        }
        self.credit(address, asset, amount)
    }

    /// The total of `asset` over all accounts (free, locked and frozen).
    pub fn supply(&self, asset: &str) -> i128 {
        self.accounts
            .values()
            .filter_map(|a| a.balances.get(asset))
            .map(|h| h.free as i128 + h.locked as i128 + h.frozen as i128)
            .sum()
    }

    /// Saves the ledger to `path` atomically (temp file in the same directory, fsync, rename):
    /// a checksummed snapshot with no log lines (see [`crate::statelog`]).
    ///
    /// This writes the whole ledger (about 60 ms for 2,000 orders and 2,000 txs in a debug
    /// build); a running devnet does it only on start and when it compacts the log.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        crate::statelog::write_snapshot(path, self).map(|_| ())
    }

    /// Loads the ledger persisted at `path`: the snapshot with its log replayed and the result
    /// validated (see [`crate::statelog::load`]).
    pub fn load(path: &Path) -> std::io::Result<Self> {
        crate::statelog::load(path)
            .map(|l| l.ledger)
            .map_err(|e| match e {
                crate::statelog::StateError::Io(e) => e,
                e => std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
            })
    }

    /// Checks that the ledger is one the devnet can serve: the chain id and HRP are valid,
    /// every address parses with that HRP in its canonical form, numbers are in range, every
    /// order belongs to a funded account on a listed market, and each holding's `locked` is
    /// exactly what its resting orders lock. A state file is validated before the node answers,
    /// so a bad one is a startup error rather than a failure of every later request.
    pub fn validate(&self) -> Result<(), String> {
        use dexlink::address::{Address, ChainId, Hrp};
        ChainId::new(&self.chain_id).map_err(|e| format!("chain id {:?}: {e}", self.chain_id))?;
        let hrp = Hrp::new(&self.hrp).map_err(|e| format!("hrp {:?}: {e}", self.hrp))?;
        let address = |what: &str, s: &str| -> Result<(), String> {
            match Address::parse_for(s, &hrp) {
                Ok(a) if a.to_string() == s => Ok(()),
                Ok(a) => Err(format!("{what} {s:?} is not in canonical form ({a})")),
                Err(e) => Err(format!("{what} {s:?}: {e}")),
            }
        };
        let non_negative = |what: String, n: i64| {
            if n < 0 {
                Err(format!("{what} is negative ({n})"))
            } else {
                Ok(())
            }
        };
        non_negative("height".into(), self.height)?;
        non_negative("next account number".into(), self.next_account_number)?;
        let mut numbers = std::collections::BTreeSet::new();
        for (a, acct) in &self.accounts {
            address("account", a)?;
            if !(0..self.next_account_number).contains(&acct.account_number)
                || !numbers.insert(acct.account_number)
            {
                return Err(format!(
                    "account {a}: account number {} is out of range or used twice",
                    acct.account_number
                ));
            }
            non_negative(format!("account {a}: sequence"), acct.sequence)?;
            if let Some(k) = &acct.public_key
                && (k.len() != 66 || !k.bytes().all(|b| b.is_ascii_hexdigit()))
            {
                return Err(format!(
                    "account {a}: public key {k:?} is not 33 bytes of hex"
                ));
            }
            for (asset, h) in &acct.balances {
                if !valid_asset(asset) {
                    return Err(format!("account {a}: invalid asset symbol {asset:?}"));
                }
                non_negative(format!("account {a}: {asset} free"), h.free)?;
                non_negative(format!("account {a}: {asset} locked"), h.locked)?;
                non_negative(format!("account {a}: {asset} frozen"), h.frozen)?;
                if h.total().is_none() {
                    return Err(format!("account {a}: {asset} total overflows"));
                }
            }
        }
        for (symbol, m) in &self.markets {
            if *symbol != m.symbol() || !valid_asset(&m.base) || !valid_asset(&m.quote) {
                return Err(format!("market {symbol:?} does not match its assets"));
            }
            if m.tick_size <= 0 || m.lot_size <= 0 || m.list_price < 0 {
                return Err(format!(
                    "market {symbol}: tick and lot sizes must be positive"
                ));
            }
        }
        let mut locked: BTreeMap<(&str, &str), i64> = BTreeMap::new();
        for (id, o) in &self.orders {
            if *id != o.order_id {
                return Err(format!("order {id:?} is stored under another id"));
            }
            address(&format!("order {id}: owner"), &o.owner)?;
            if !self.accounts.contains_key(&o.owner) {
                return Err(format!("order {id}: owner {} has no account", o.owner));
            }
            if !self.markets.contains_key(&o.symbol) {
                return Err(format!("order {id}: market {:?} is not listed", o.symbol));
            }
            // An IOC order never rests: it is open only while it waits for its block.
            if !matches!(o.side, 1 | 2)
                || !(o.time_in_force == 1 || o.pending && o.time_in_force == 3)
            {
                return Err(format!("order {id}: invalid side or time in force"));
            }
            if o.price <= 0
                || o.quantity <= 0
                || o.locked_amount < 0
                || !(0..o.quantity).contains(&o.cum_qty)
                || o.pending && (o.cum_qty != 0 || o.height != 0)
            {
                return Err(format!(
                    "order {id}: price, quantity, filled quantity or locked amount out of range"
                ));
            }
            if !(0..=self.height).contains(&o.height) {
                return Err(format!("order {id}: height {} out of range", o.height));
            }
            let sum = locked
                .entry((o.owner.as_str(), o.locked_asset.as_str()))
                .or_default();
            *sum = sum
                .checked_add(o.locked_amount)
                .ok_or_else(|| format!("order {id}: locked amounts overflow"))?;
        }
        // No asset's total supply exceeds what a holding can hold (the chain's own cap on a
        // token's supply), so no settlement can overflow a balance.
        let mut supply: BTreeMap<&str, i64> = BTreeMap::new();
        for (a, acct) in &self.accounts {
            for (asset, h) in &acct.balances {
                let s: &mut i64 = supply.entry(asset.as_str()).or_default();
                *s = h
                    .total()
                    .and_then(|t| s.checked_add(t))
                    .ok_or_else(|| format!("account {a}: the total supply of {asset} overflows"))?;
            }
        }
        for (a, acct) in &self.accounts {
            for (asset, h) in &acct.balances {
                let want = locked.remove(&(a.as_str(), asset.as_str())).unwrap_or(0);
                if h.locked != want {
                    return Err(format!(
                        "account {a}: {asset} locked is {} but its orders lock {want}",
                        h.locked
                    ));
                }
            }
        }
        if let Some(((a, asset), n)) = locked.into_iter().find(|(_, n)| *n != 0) {
            return Err(format!(
                "account {a}: orders lock {n} {asset} it does not hold"
            ));
        }
        for (hash, t) in &self.txs {
            if *hash != t.hash
                || hash.len() != 64
                || !hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'A'..=b'F'))
            {
                return Err(format!(
                    "tx {hash:?} is not stored under its uppercase hex hash"
                ));
            }
            if !(0..=self.height).contains(&t.height) {
                return Err(format!("tx {hash}: height {} out of range", t.height));
            }
        }
        for p in &self.mempool {
            if self.txs.get(&p.hash).is_none_or(|t| t.height != 0) {
                return Err(format!(
                    "mempool: tx {} is not an accepted, unincluded tx",
                    p.hash
                ));
            }
        }
        for (period, h) in &self.breathe_blocks {
            if period.parse::<i64>().is_err() || !(0..=self.height).contains(h) {
                return Err(format!(
                    "breathe block of period {period:?} is inconsistent"
                ));
            }
        }
        for (id, o) in &self.closed {
            if *id != o.order_id || o.pending || !(0..=o.quantity).contains(&o.cum_qty) {
                return Err(format!("closed order {id:?} is inconsistent"));
            }
        }
        for (id, t) in &self.trades {
            if *id != t.trade_id || t.price <= 0 || t.quantity <= 0 || t.height > self.height {
                return Err(format!("trade {id:?} is inconsistent"));
            }
        }
        for a in self.links.keys() {
            address("linked address", a)?;
        }
        for (nonce, n) in &self.nonces {
            address(&format!("nonce {nonce:?}: address"), &n.address)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed8_formats() {
        assert_eq!(fixed8(0), "0.00000000");
        assert_eq!(fixed8(1), "0.00000001");
        assert_eq!(fixed8(10_050_000_000), "100.50000000");
        assert_eq!(fixed8(-5), "-0.00000005");
    }

    /// A real testnet address (a saved ledger is validated when it is loaded).
    fn addr(n: u8) -> String {
        dexlink::PrivateKey::from_bytes(&[n; 32])
            .unwrap()
            .address(&dexlink::address::Hrp::testnet())
            .to_string()
    }

    #[test]
    fn credit_assigns_account_numbers_and_persists() {
        let (a, b) = (addr(1), addr(2));
        let mut l = Ledger {
            chain_id: "Binance-Chain-Ganges".into(),
            hrp: "tbnb".into(),
            ..Ledger::default()
        };
        l.credit(&a, "BNB", 5).unwrap();
        l.credit(&b, "BNB", 5).unwrap();
        l.credit(&a, "BNB", 5).unwrap();
        assert_eq!(l.accounts[&a].account_number, 0);
        assert_eq!(l.accounts[&b].account_number, 1);
        assert_eq!(l.accounts[&a].balances["BNB"].free, 10);
        assert!(l.credit(&a, "BNB", 0).is_err());
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state.json");
        l.save(&p).unwrap();
        assert_eq!(Ledger::load(&p).unwrap(), l);
    }

    #[test]
    fn a_credit_that_would_overflow_the_whole_holding_is_refused() {
        // Regression: only `free` was checked, so free + locked could pass i64::MAX and a later
        // unlock or unfreeze overflowed.
        let mut l = Ledger::default();
        l.credit("x", "BNB", i64::MAX - 10).unwrap();
        let h = l
            .accounts
            .get_mut("x")
            .unwrap()
            .balances
            .get_mut("BNB")
            .unwrap();
        h.free -= 100;
        h.locked += 100;
        assert_eq!(
            l.credit("x", "BNB", 90),
            Err("balance would overflow".into())
        );
        assert_eq!(l.credit("x", "BNB", 10), Ok(()));
        let h = &l.accounts["x"].balances["BNB"];
        assert_eq!((h.free, h.locked, h.frozen), (i64::MAX - 100, 100, 0));
    }
}
