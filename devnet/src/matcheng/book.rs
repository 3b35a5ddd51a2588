//! The resting order book of one market: price levels per side, orders in arrival order.

use std::collections::{BTreeMap, HashMap};

use thiserror::Error;

use super::Side;

/// An order resting on the book. Every resting order is good-till-expiry: IOC orders never rest
/// past the round of the block they were placed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestingOrder {
    /// Order id (unique within the book).
    pub id: String,
    /// Block height the order was placed at; it is a maker in every later round.
    pub height: i64,
    /// Original quantity, Fixed8 base units.
    pub qty: i64,
    /// Quantity filled so far (always below `qty` while the order rests).
    pub cum_qty: i64,
}

/// Why an order cannot go on the book.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum BookError {
    /// The id is empty.
    #[error("order id is empty")]
    EmptyId,
    /// An order with this id is already on the book (or earlier in the same batch).
    #[error("order {0} is already on the book")]
    DuplicateId(String),
    /// The price is zero or negative.
    #[error("order {id}: price must be positive, got {price}")]
    InvalidPrice {
        /// Order id.
        id: String,
        /// The price given.
        price: i64,
    },
    /// The quantity is zero or negative, or the filled quantity is outside `0..qty`.
    #[error("order {id}: quantity {qty} with {cum_qty} filled is not a live order")]
    InvalidQuantity {
        /// Order id.
        id: String,
        /// The quantity given.
        qty: i64,
        /// The filled quantity given.
        cum_qty: i64,
    },
}

/// The book of one market. Bids and asks are kept by price; within a price, orders keep arrival
/// order, which is the time priority the auction relies on.
#[derive(Debug, Clone, Default)]
pub struct Book {
    pub(super) bids: BTreeMap<i64, Vec<RestingOrder>>,
    pub(super) asks: BTreeMap<i64, Vec<RestingOrder>>,
    pub(super) index: HashMap<String, (Side, i64)>,
}

impl Book {
    /// An empty book.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of resting orders.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether no order rests.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Puts an order at the end of its price level (as when loading a persisted book; new
    /// orders of a block go through [`super::match_round`]).
    pub fn insert(&mut self, side: Side, price: i64, order: RestingOrder) -> Result<(), BookError> {
        check_order(&order.id, price, order.qty, order.cum_qty)?;
        if self.index.contains_key(&order.id) {
            return Err(BookError::DuplicateId(order.id));
        }
        self.index.insert(order.id.clone(), (side, price));
        self.side_mut(side).entry(price).or_default().push(order);
        Ok(())
    }

    /// Takes an order off the book (cancel or expiry); `None` if no order has this id.
    pub fn remove(&mut self, id: &str) -> Option<(Side, i64, RestingOrder)> {
        let (side, price) = self.index.remove(id)?;
        let levels = self.side_mut(side);
        let level = levels.get_mut(&price)?;
        let pos = level.iter().position(|o| o.id == id)?;
        let order = level.remove(pos);
        if level.is_empty() {
            levels.remove(&price);
        }
        Some((side, price, order))
    }

    /// The side, price and state of a resting order.
    pub fn get(&self, id: &str) -> Option<(Side, i64, &RestingOrder)> {
        let &(side, price) = self.index.get(id)?;
        let order = self.side(side).get(&price)?.iter().find(|o| o.id == id)?;
        Some((side, price, order))
    }

    /// The price levels of one side, best first (bids high to low, asks low to high).
    pub fn levels(&self, side: Side) -> Box<dyn Iterator<Item = (i64, &[RestingOrder])> + '_> {
        match side {
            Side::Buy => Box::new(self.bids.iter().rev().map(|(p, v)| (*p, v.as_slice()))),
            Side::Sell => Box::new(self.asks.iter().map(|(p, v)| (*p, v.as_slice()))),
        }
    }

    /// The highest bid price.
    pub fn best_bid(&self) -> Option<i64> {
        self.bids.keys().next_back().copied()
    }

    /// The lowest ask price.
    pub fn best_ask(&self) -> Option<i64> {
        self.asks.keys().next().copied()
    }

    pub(super) fn side(&self, side: Side) -> &BTreeMap<i64, Vec<RestingOrder>> {
        match side {
            Side::Buy => &self.bids,
            Side::Sell => &self.asks,
        }
    }

    pub(super) fn side_mut(&mut self, side: Side) -> &mut BTreeMap<i64, Vec<RestingOrder>> {
        match side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        }
    }
}

/// The checks every order on the book satisfies.
pub(super) fn check_order(id: &str, price: i64, qty: i64, cum_qty: i64) -> Result<(), BookError> {
    if id.is_empty() {
        return Err(BookError::EmptyId);
    }
    if price <= 0 {
        return Err(BookError::InvalidPrice {
            id: id.to_string(),
            price,
        });
    }
    if qty <= 0 || cum_qty < 0 || cum_qty >= qty {
        return Err(BookError::InvalidQuantity {
            id: id.to_string(),
            qty,
            cum_qty,
        });
    }
    Ok(())
}
