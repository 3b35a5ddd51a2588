//! A journaled write view of the ledger: requests change the ledger in place, and the journal
//! keeps the original of every entry they touch so that a failed request is undone exactly.
//!
//! Before, every request cloned the whole ledger and compared the clone with the original, so
//! each request cost O(ledger size). Here a request costs O(entries it touches): the first write
//! to an account, order, transaction, link or nonce saves that entry's old value (or its absence),
//! and [`Journal::delta`] compares only those entries, giving the new values of the ones that
//! changed: what the state log (`statelog.rs`) appends for a committed request. The journal
//! reads through to the ledger (`Deref<Target = Ledger>`) but has no `DerefMut`: every write
//! goes through one of its methods, so no write can escape the journal.
//!
//! Dropping a journal without [`Journal::commit`] rolls every touched entry back: an error
//! returned with `?`, a failed save, and a panic in the middle of a request all leave the ledger
//! as it was.

use std::collections::BTreeMap;
use std::ops::Deref;

use crate::state::{
    AccountState, IssuedNonce, Ledger, LinkRecord, PendingTx, RestingOrder, TradeRecord, TxRecord,
};
use crate::statelog::{Delta, put_entries};

/// The original values of the touched entries of one map: `None` if the key was absent.
#[derive(Debug)]
struct Saved<V>(BTreeMap<String, Option<V>>);

impl<V> Default for Saved<V> {
    fn default() -> Self {
        Self(BTreeMap::new())
    }
}

impl<V: Clone + PartialEq> Saved<V> {
    /// Remembers `map[key]` as it is now, unless it was remembered already (the first value is
    /// the one to restore).
    fn touch(&mut self, map: &BTreeMap<String, V>, key: &str) {
        if !self.0.contains_key(key) {
            self.0.insert(key.to_string(), map.get(key).cloned());
        }
    }

    /// The current value of every touched entry that differs from its original (`None`:
    /// removed).
    fn new_values(&self, map: &BTreeMap<String, V>) -> BTreeMap<String, Option<V>> {
        self.0
            .iter()
            .filter(|(k, old)| map.get(*k) != old.as_ref())
            .map(|(k, _)| (k.clone(), map.get(k).cloned()))
            .collect()
    }

    /// Puts every touched entry back as it was.
    fn restore(&mut self, map: &mut BTreeMap<String, V>) {
        put_entries(map, std::mem::take(&mut self.0));
    }
}

/// The ledger's single values (not maps), saved whole before the first write to any of them.
#[derive(Debug, Clone, PartialEq)]
struct Scalars {
    height: i64,
    next_account_number: i64,
    block_time_ms: i64,
    mempool: Vec<PendingTx>,
}

impl Scalars {
    fn of(l: &Ledger) -> Self {
        Self {
            height: l.height,
            next_account_number: l.next_account_number,
            block_time_ms: l.block_time_ms,
            mempool: l.mempool.clone(),
        }
    }
}

/// The originals of everything a request touched.
#[derive(Debug, Default)]
struct Undo {
    /// The single values before the first write to any of them.
    scalars: Option<Scalars>,
    accounts: Saved<AccountState>,
    orders: Saved<RestingOrder>,
    txs: Saved<TxRecord>,
    links: Saved<LinkRecord>,
    nonces: Saved<IssuedNonce>,
    closed: Saved<RestingOrder>,
    trades: Saved<TradeRecord>,
    last_prices: Saved<i64>,
}

/// A write view of the ledger for one request; see the module documentation.
#[derive(Debug)]
pub struct Journal<'a> {
    ledger: &'a mut Ledger,
    undo: Undo,
    committed: bool,
}

impl Deref for Journal<'_> {
    type Target = Ledger;

    fn deref(&self) -> &Ledger {
        self.ledger
    }
}

impl Drop for Journal<'_> {
    fn drop(&mut self) {
        if !self.committed {
            self.rollback();
        }
    }
}

impl<'a> Journal<'a> {
    /// Starts a request on `ledger`.
    pub fn new(ledger: &'a mut Ledger) -> Self {
        Self {
            ledger,
            undo: Undo::default(),
            committed: false,
        }
    }

    /// The request's change so far, as new values of the entries that differ from their
    /// originals: what the state log records, and empty when the request changed nothing.
    /// Costs O(touched entries).
    pub fn delta(&self) -> Delta {
        let l = &*self.ledger;
        let u = &self.undo;
        let old = u.scalars.clone().unwrap_or_else(|| Scalars::of(l));
        Delta {
            height: (old.height != l.height).then_some(l.height),
            next_account_number: (old.next_account_number != l.next_account_number)
                .then_some(l.next_account_number),
            block_time_ms: (old.block_time_ms != l.block_time_ms).then_some(l.block_time_ms),
            mempool: (old.mempool != l.mempool).then(|| l.mempool.clone()),
            accounts: u.accounts.new_values(&l.accounts),
            orders: u.orders.new_values(&l.orders),
            txs: u.txs.new_values(&l.txs),
            links: u.links.new_values(&l.links),
            nonces: u.nonces.new_values(&l.nonces),
            closed: u.closed.new_values(&l.closed),
            trades: u.trades.new_values(&l.trades),
            last_prices: u.last_prices.new_values(&l.last_prices),
        }
    }

    /// Keeps the changes.
    pub fn commit(mut self) {
        self.committed = true;
    }

    /// Puts every touched entry back as it was (also done on drop without [`Journal::commit`]).
    fn rollback(&mut self) {
        let (l, u) = (&mut *self.ledger, &mut self.undo);
        if let Some(old) = u.scalars.take() {
            l.height = old.height;
            l.next_account_number = old.next_account_number;
            l.block_time_ms = old.block_time_ms;
            l.mempool = old.mempool;
        }
        u.accounts.restore(&mut l.accounts);
        u.orders.restore(&mut l.orders);
        u.txs.restore(&mut l.txs);
        u.links.restore(&mut l.links);
        u.nonces.restore(&mut l.nonces);
        u.closed.restore(&mut l.closed);
        u.trades.restore(&mut l.trades);
        u.last_prices.restore(&mut l.last_prices);
    }

    fn touch_scalars(&mut self) {
        if self.undo.scalars.is_none() {
            self.undo.scalars = Some(Scalars::of(self.ledger));
        }
    }

    /// Sets the time of the latest block.
    pub fn set_block_time(&mut self, ms: i64) {
        self.touch_scalars();
        self.ledger.block_time_ms = ms;
    }

    /// Appends an accepted transaction to the mempool.
    pub fn push_pending(&mut self, p: PendingTx) {
        self.touch_scalars();
        self.ledger.mempool.push(p);
    }

    /// Empties the mempool and returns what it held, oldest first.
    pub fn take_mempool(&mut self) -> Vec<PendingTx> {
        self.touch_scalars();
        std::mem::take(&mut self.ledger.mempool)
    }

    /// The open order `id`, to change.
    pub fn order_mut(&mut self, id: &str) -> Option<&mut RestingOrder> {
        self.undo.orders.touch(&self.ledger.orders, id);
        self.ledger.orders.get_mut(id)
    }

    /// The transaction `hash`, to change.
    pub fn tx_mut(&mut self, hash: &str) -> Option<&mut TxRecord> {
        self.undo.txs.touch(&self.ledger.txs, hash);
        self.ledger.txs.get_mut(hash)
    }

    /// Records a closed order.
    pub fn insert_closed(&mut self, order: RestingOrder) {
        self.undo.closed.touch(&self.ledger.closed, &order.order_id);
        self.ledger.closed.insert(order.order_id.clone(), order);
    }

    /// Records a trade.
    pub fn insert_trade(&mut self, trade: TradeRecord) {
        self.undo.trades.touch(&self.ledger.trades, &trade.trade_id);
        self.ledger.trades.insert(trade.trade_id.clone(), trade);
    }

    /// Sets a market's last trade price.
    pub fn set_last_price(&mut self, symbol: &str, price: i64) {
        self.undo
            .last_prices
            .touch(&self.ledger.last_prices, symbol);
        self.ledger.last_prices.insert(symbol.to_string(), price);
    }

    /// Sets the block height.
    pub fn set_height(&mut self, height: i64) {
        self.touch_scalars();
        self.ledger.height = height;
    }

    /// Credits `amount` of `asset` to `address`, creating the account if needed
    /// ([`Ledger::credit`], journaled).
    pub fn credit(&mut self, address: &str, asset: &str, amount: i64) -> Result<(), String> {
        self.touch_scalars();
        self.undo.accounts.touch(&self.ledger.accounts, address);
        self.ledger.credit(address, asset, amount)
    }

    /// Mints `amount` of `asset` to `address` ([`Ledger::mint`], journaled).
    pub fn mint(&mut self, address: &str, asset: &str, amount: i64) -> Result<(), String> {
        self.touch_scalars();
        self.undo.accounts.touch(&self.ledger.accounts, address);
        self.ledger.mint(address, asset, amount)
    }

    /// The account at `address`, to change.
    pub fn account_mut(&mut self, address: &str) -> Option<&mut AccountState> {
        self.undo.accounts.touch(&self.ledger.accounts, address);
        self.ledger.accounts.get_mut(address)
    }

    /// Adds (or replaces) a resting order.
    pub fn insert_order(&mut self, order: RestingOrder) {
        self.undo.orders.touch(&self.ledger.orders, &order.order_id);
        self.ledger.orders.insert(order.order_id.clone(), order);
    }

    /// Removes a resting order and returns it.
    pub fn remove_order(&mut self, id: &str) -> Option<RestingOrder> {
        self.undo.orders.touch(&self.ledger.orders, id);
        self.ledger.orders.remove(id)
    }

    /// Records a committed transaction.
    pub fn insert_tx(&mut self, tx: TxRecord) {
        self.undo.txs.touch(&self.ledger.txs, &tx.hash);
        self.ledger.txs.insert(tx.hash.clone(), tx);
    }

    /// Records a link for `address`.
    pub fn insert_link(&mut self, address: &str, link: LinkRecord) {
        self.undo.links.touch(&self.ledger.links, address);
        self.ledger.links.insert(address.to_string(), link);
    }

    /// Records an issued nonce.
    pub fn insert_nonce(&mut self, nonce: &str, issued: IssuedNonce) {
        self.undo.nonces.touch(&self.ledger.nonces, nonce);
        self.ledger.nonces.insert(nonce.to_string(), issued);
    }

    /// Removes an issued nonce and returns it.
    pub fn remove_nonce(&mut self, nonce: &str) -> Option<IssuedNonce> {
        self.undo.nonces.touch(&self.ledger.nonces, nonce);
        self.ledger.nonces.remove(nonce)
    }

    /// Removes the nonces that expired before `now` (Unix seconds). This scans the nonce table,
    /// which holds only challenges issued in the last few minutes, not the ledger's history.
    pub fn drop_expired_nonces(&mut self, now: i64) {
        let expired: Vec<String> = self
            .ledger
            .nonces
            .iter()
            .filter(|(_, n)| n.expires < now)
            .map(|(k, _)| k.clone())
            .collect();
        for k in expired {
            self.remove_nonce(&k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger() -> Ledger {
        let mut l = Ledger::default();
        l.credit("tbnb1a", "BNB", 100).unwrap();
        l.credit("tbnb1b", "BNB", i64::MAX).unwrap();
        l.height = 7;
        l.nonces.insert(
            "old".into(),
            IssuedNonce {
                address: "tbnb1a".into(),
                expires: 10,
            },
        );
        l.nonces.insert(
            "new".into(),
            IssuedNonce {
                address: "tbnb1a".into(),
                expires: 1_000,
            },
        );
        l
    }

    fn order(id: &str) -> RestingOrder {
        RestingOrder {
            order_id: id.into(),
            symbol: "BNB_BUSD-BD1".into(),
            owner: "tbnb1a".into(),
            side: 2,
            price: 1,
            quantity: 1,
            time_in_force: 1,
            locked_asset: "BNB".into(),
            locked_amount: 1,
            tx_hash: "AA".into(),
            height: 8,
            ..RestingOrder::default()
        }
    }

    /// Touches every kind of entry, the same ones several times, and fails after a partial
    /// credit (new account created, then an overflow).
    fn scribble(j: &mut Journal<'_>) -> Result<(), String> {
        j.account_mut("tbnb1a")
            .unwrap()
            .balances
            .get_mut("BNB")
            .unwrap()
            .free -= 40;
        j.account_mut("tbnb1a").unwrap().sequence += 1;
        j.set_height(8);
        j.set_height(9);
        j.insert_order(order("X-1"));
        j.remove_order("X-1");
        j.insert_order(order("X-2"));
        j.insert_tx(TxRecord {
            hash: "AA".into(),
            height: 8,
            code: 0,
            log: String::new(),
            tx_hex: String::new(),
            tx: serde_json::Value::Null,
        });
        j.insert_link(
            "tbnb1a",
            LinkRecord {
                linked_at: "t0".into(),
                expires_at: "t1".into(),
            },
        );
        j.drop_expired_nonces(500);
        j.remove_nonce("new");
        j.insert_nonce(
            "n2",
            IssuedNonce {
                address: "tbnb1c".into(),
                expires: 5,
            },
        );
        j.credit("tbnb1c", "BNB", 1)?;
        j.credit("tbnb1b", "BNB", 1)
    }

    #[test]
    fn a_dropped_journal_restores_every_touched_entry() {
        let before = ledger();
        let mut l = before.clone();
        {
            let mut j = Journal::new(&mut l);
            assert_eq!(scribble(&mut j), Err("balance would overflow".into()));
            assert!(!j.delta().is_empty());
            assert_eq!(j.accounts["tbnb1c"].account_number, 2, "written in place");
        }
        assert_eq!(l, before);
    }

    #[test]
    fn a_committed_journal_keeps_the_changes() {
        let mut l = ledger();
        let mut j = Journal::new(&mut l);
        let _ = scribble(&mut j);
        let expected = (*j).clone();
        j.commit();
        assert_eq!(l, expected);
        assert_eq!(l.height, 9);
        assert_eq!(l.next_account_number, 3);
        assert!(l.orders.contains_key("X-2") && !l.orders.contains_key("X-1"));
        assert_eq!(l.nonces.keys().collect::<Vec<_>>(), ["n2"]);
    }

    #[test]
    fn the_delta_replays_the_request_on_the_original_ledger() {
        let before = ledger();
        let mut l = before.clone();
        let mut j = Journal::new(&mut l);
        let _ = scribble(&mut j);
        let delta = j.delta();
        // Removed entries are logged as removals; entries written back unchanged are not logged.
        assert_eq!(delta.nonces.get("old"), Some(&None));
        assert_eq!(delta.orders.get("X-1"), None);
        assert_eq!(delta.height, Some(9));
        assert_eq!(delta.next_account_number, Some(3));
        j.commit();
        let line = serde_json::to_string(&delta).unwrap();
        assert!(!line.contains('\n'), "a log record must be one line");
        let replayed: Delta = serde_json::from_str(&line).unwrap();
        let mut again = before.clone();
        replayed.apply(&mut again);
        assert_eq!(again, l);
        // Values, not increments: replaying twice is harmless.
        replayed.apply(&mut again);
        assert_eq!(again, l);
    }

    #[test]
    fn an_unchanged_request_has_an_empty_delta() {
        let mut l = ledger();
        let mut j = Journal::new(&mut l);
        j.set_height(7);
        j.insert_order(order("X-1"));
        j.remove_order("X-1");
        assert!(j.delta().is_empty());
        assert_eq!(serde_json::to_string(&j.delta()).unwrap(), "{}");
    }

    #[test]
    fn a_panic_mid_request_is_rolled_back() {
        let before = ledger();
        let mut l = before.clone();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut j = Journal::new(&mut l);
            j.account_mut("tbnb1a").unwrap().sequence = 99;
            j.insert_order(order("X-1"));
            panic!("mid-request");
        }));
        assert!(r.is_err());
        assert_eq!(l, before);
    }

    #[test]
    fn the_delta_is_empty_when_writes_restore_the_original() {
        let mut l = ledger();
        let mut j = Journal::new(&mut l);
        assert!(j.delta().is_empty());
        j.account_mut("tbnb1a").unwrap().sequence += 0;
        j.set_height(7);
        j.insert_order(order("X-1"));
        j.remove_order("X-1");
        j.remove_nonce("absent");
        j.drop_expired_nonces(0);
        assert!(j.delta().is_empty());
        j.account_mut("tbnb1a").unwrap().sequence += 1;
        assert!(!j.delta().is_empty());
    }
}
