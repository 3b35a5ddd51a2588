//! DEX order vocabulary (docs/orders-and-amounts.md): sides, order types, time in force, order ids,
//! and the market rules (tick size, lot size, notional) a client can check before signing.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use crate::address::Address;
use crate::amount::Fixed8;

/// Why an order value or an order against a market was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum OrderError {
    /// Side other than 1 (BUY) or 2 (SELL).
    #[error("invalid order side {0:?}: use BUY (1) or SELL (2)")]
    Side(String),
    /// Order type other than 2 (LIMIT), the only one the chain accepts.
    #[error("invalid order type {0:?}: the chain accepts only LIMIT (2)")]
    OrderType(String),
    /// Time in force other than 1 (GTE) or 3 (IOC).
    #[error("invalid time in force {0:?}: use GTE (1) or IOC (3)")]
    TimeInForce(String),
    /// Not `HEX(address)-N` as the chain generates it.
    #[error(
        "invalid order id {0:?}: expected 40 uppercase hex characters, '-', and a sequence number >= 1 without leading zeros"
    )]
    OrderId(String),
    /// The order is for another market than the one given.
    #[error("order is for {order} but the market is {market}")]
    WrongMarket {
        /// The order's symbol.
        order: String,
        /// The market's symbol.
        market: String,
    },
    /// Price not a multiple of the tick size.
    #[error("price {price} is not a multiple of the market's tick size {tick}")]
    Tick {
        /// The price.
        price: Fixed8,
        /// The tick size.
        tick: Fixed8,
    },
    /// Quantity not a multiple of the lot size.
    #[error("quantity {quantity} is not a multiple of the market's lot size {lot}")]
    Lot {
        /// The quantity.
        quantity: Fixed8,
        /// The lot size.
        lot: Fixed8,
    },
    /// price × quantity below the minimum notional (1 unit of 10^-8 of the quote asset).
    #[error(
        "order value price {price} × quantity {quantity} is below the minimum notional of 0.00000001"
    )]
    UnderMinNotional {
        /// The price.
        price: Fixed8,
        /// The quantity.
        quantity: Fixed8,
    },
    /// price × quantity does not fit the chain's int64 notional.
    #[error("order value price {price} × quantity {quantity} exceeds the maximum notional")]
    OverMaxNotional {
        /// The price.
        price: Fixed8,
        /// The quantity.
        quantity: Fixed8,
    },
    /// A market's tick or lot size is zero.
    #[error("market {0} has a zero tick or lot size")]
    BadMarket(String),
}

/// Order side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Side {
    /// Buy (1).
    Buy,
    /// Sell (2).
    Sell,
}

impl Side {
    /// The chain's code.
    pub fn code(self) -> u64 {
        match self {
            Self::Buy => 1,
            Self::Sell => 2,
        }
    }
    /// From the chain's code.
    pub fn from_code(code: u64) -> Result<Self, OrderError> {
        match code {
            1 => Ok(Self::Buy),
            2 => Ok(Self::Sell),
            other => Err(OrderError::Side(other.to_string())),
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Buy => "BUY",
            Self::Sell => "SELL",
        })
    }
}

impl FromStr for Side {
    type Err = OrderError;
    /// `buy`/`sell` in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "BUY" => Ok(Self::Buy),
            "SELL" => Ok(Self::Sell),
            _ => Err(OrderError::Side(s.into())),
        }
    }
}

/// Order type. Only LIMIT exists on the chain today (MARKET = 1 is defined but refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OrderType {
    /// Limit order (2).
    Limit,
}

impl OrderType {
    /// The chain's code.
    pub fn code(self) -> u64 {
        2
    }
    /// From the chain's code.
    pub fn from_code(code: u64) -> Result<Self, OrderError> {
        match code {
            2 => Ok(Self::Limit),
            other => Err(OrderError::OrderType(other.to_string())),
        }
    }
}

impl fmt::Display for OrderType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LIMIT")
    }
}

/// How long an order stays on the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeInForce {
    /// Good till expire (1).
    Gte,
    /// Immediate or cancel (3).
    Ioc,
}

impl TimeInForce {
    /// The chain's code.
    pub fn code(self) -> u64 {
        match self {
            Self::Gte => 1,
            Self::Ioc => 3,
        }
    }
    /// From the chain's code.
    pub fn from_code(code: u64) -> Result<Self, OrderError> {
        match code {
            1 => Ok(Self::Gte),
            3 => Ok(Self::Ioc),
            other => Err(OrderError::TimeInForce(other.to_string())),
        }
    }
}

impl fmt::Display for TimeInForce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Gte => "GTE",
            Self::Ioc => "IOC",
        })
    }
}

impl FromStr for TimeInForce {
    type Err = OrderError;
    /// `gte`/`ioc` in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "GTE" => Ok(Self::Gte),
            "IOC" => Ok(Self::Ioc),
            _ => Err(OrderError::TimeInForce(s.into())),
        }
    }
}

/// An order id: `HEX(address20)-N` where N is the placing transaction's sequence + 1
/// (node `GenerateOrderID`, docs/orders-and-amounts.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrderId {
    address: [u8; 20],
    number: u64,
}

impl OrderId {
    /// The id the chain expects for an order placed by `sender` in a transaction signed with
    /// `sequence` (the account's current sequence). `None` if sequence + 1 overflows int64.
    pub fn new(sender: &Address, sequence: u64) -> Option<Self> {
        let number = sequence.checked_add(1).filter(|&n| n <= i64::MAX as u64)?;
        Some(Self {
            address: *sender.as_bytes(),
            number,
        })
    }

    /// Parses the canonical text form.
    pub fn parse(s: &str) -> Result<Self, OrderError> {
        let bad = || OrderError::OrderId(s.into());
        let (hex_part, num) = s.split_once('-').ok_or_else(bad)?;
        if hex_part.len() != 40
            || !hex_part
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
        {
            return Err(bad());
        }
        if num.is_empty()
            || num.len() > 19
            || num.starts_with('0')
            || !num.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let number: u64 = num.parse().map_err(|_| bad())?;
        if number > i64::MAX as u64 {
            return Err(bad());
        }
        let mut address = [0u8; 20];
        hex::decode_to_slice(hex_part, &mut address).map_err(|_| bad())?;
        Ok(Self { address, number })
    }

    /// The 20 address bytes of the account that placed the order.
    pub fn address_bytes(&self) -> &[u8; 20] {
        &self.address
    }

    /// The number after the dash (sequence + 1).
    pub fn number(&self) -> u64 {
        self.number
    }
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", hex::encode_upper(self.address), self.number)
    }
}

impl FromStr for OrderId {
    type Err = OrderError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A trading pair with its tick and lot size, as `GET /api/v1/markets` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Market {
    /// Base asset, e.g. `NNB-338`.
    pub base: String,
    /// Quote asset, e.g. `BNB`.
    pub quote: String,
    /// Price step.
    pub tick_size: Fixed8,
    /// Quantity step.
    pub lot_size: Fixed8,
}

impl Market {
    /// The pair symbol `BASE_QUOTE`.
    pub fn symbol(&self) -> String {
        format!("{}_{}", self.base, self.quote)
    }

    /// The node's `validateOrder` price/quantity rules: price a multiple of the tick size,
    /// quantity a multiple of the lot size, `price × quantity ≥ 10^8` in units (notional ≥ 1 unit,
    /// `IsUnderMinNotional`) and `price × quantity / 10^8` within int64 (`IsExceedMaxNotional`).
    pub fn check(&self, price: Fixed8, quantity: Fixed8) -> Result<(), OrderError> {
        if self.tick_size.is_zero() || self.lot_size.is_zero() {
            return Err(OrderError::BadMarket(self.symbol()));
        }
        if !price.is_multiple_of(self.tick_size) {
            return Err(OrderError::Tick {
                price,
                tick: self.tick_size,
            });
        }
        if !quantity.is_multiple_of(self.lot_size) {
            return Err(OrderError::Lot {
                quantity,
                lot: self.lot_size,
            });
        }
        let product = i128::from(price.units()) * i128::from(quantity.units());
        if product < i128::from(Fixed8::SCALE) {
            return Err(OrderError::UnderMinNotional { price, quantity });
        }
        if product / i128::from(Fixed8::SCALE) > i128::from(i64::MAX) {
            return Err(OrderError::OverMaxNotional { price, quantity });
        }
        Ok(())
    }

    /// Like [`Market::check`], first checking that `symbol` is this market's.
    pub fn check_order(
        &self,
        symbol: &str,
        price: Fixed8,
        quantity: Fixed8,
    ) -> Result<(), OrderError> {
        if symbol != self.symbol() {
            return Err(OrderError::WrongMarket {
                order: symbol.into(),
                market: self.symbol(),
            });
        }
        self.check(price, quantity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::Address;

    #[test]
    fn order_id_is_hex_dash_sequence_plus_one() {
        // docs/upstream-vectors.md §5 V10: sequence 35 → -36.
        let a = Address::parse("bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu").unwrap();
        let id = OrderId::new(&a, 35).unwrap();
        assert_eq!(
            id.to_string(),
            "BA36F0FAD74D8F41045463E4774F328F4AF779E5-36"
        );
        assert_eq!(OrderId::parse(&id.to_string()), Ok(id));
        for bad in [
            "ba36f0fad74d8f41045463e4774f328f4af779e5-36",
            "BA36F0FAD74D8F41045463E4774F328F4AF779E5-036",
            "BA36F0FAD74D8F41045463E4774F328F4AF779E5-0",
            "BA36F0FAD74D8F41045463E4774F328F4AF779E5-",
            "BA36F0FAD74D8F41045463E4774F328F4AF779E5",
            "BA36F0FAD74D8F41045463E4774F328F4AF779-36",
            "BA36F0FAD74D8F41045463E4774F328F4AF779E5-9223372036854775808",
        ] {
            assert_eq!(
                OrderId::parse(bad),
                Err(OrderError::OrderId(bad.into())),
                "{bad}"
            );
        }
        assert!(OrderId::new(&a, i64::MAX as u64).is_none());
    }

    #[test]
    fn market_rules() {
        let m = Market {
            base: "NNB-338".into(),
            quote: "BNB".into(),
            tick_size: Fixed8::parse("0.0001").unwrap(),
            lot_size: Fixed8::parse("1").unwrap(),
        };
        let p = |s| Fixed8::parse(s).unwrap();
        assert_eq!(m.check_order("NNB-338_BNB", p("1.3635"), p("1")), Ok(()));
        assert!(matches!(
            m.check(p("1.36351"), p("1")),
            Err(OrderError::Tick { .. })
        ));
        assert!(matches!(
            m.check(p("1"), p("1.5")),
            Err(OrderError::Lot { .. })
        ));
        assert_eq!(m.check(p("1"), p("1")), Ok(()));
        assert!(matches!(
            m.check(p("92233720368"), p("2")),
            Err(OrderError::OverMaxNotional { .. })
        ));
        assert!(matches!(
            m.check_order("X_BNB", p("1"), p("1")),
            Err(OrderError::WrongMarket { .. })
        ));
        // Minimum notional is exactly price × quantity ≥ 10^8 units².
        let fine = Market {
            tick_size: p("0.00000001"),
            lot_size: p("0.00000001"),
            ..m.clone()
        };
        assert!(
            fine.check(
                Fixed8::from_units(10_000).unwrap(),
                Fixed8::from_units(10_000).unwrap()
            )
            .is_ok()
        );
        assert!(
            fine.check(
                Fixed8::from_units(9_999).unwrap(),
                Fixed8::from_units(10_000).unwrap()
            )
            .is_err()
        );
    }

    #[test]
    fn enums() {
        assert_eq!(Side::from_code(2), Ok(Side::Sell));
        assert!(Side::from_code(3).is_err());
        assert!(OrderType::from_code(1).is_err());
        assert_eq!(TimeInForce::from_code(3), Ok(TimeInForce::Ioc));
        assert!(TimeInForce::from_code(2).is_err());
        assert_eq!("sell".parse::<Side>(), Ok(Side::Sell));
        assert_eq!("IOC".parse::<TimeInForce>(), Ok(TimeInForce::Ioc));
    }
}
