//! `dex/NewOrder` (node `plugins/dex/order/msg.go` `NewOrderMsg`).
//!
//! Binary: 1 sender bytes(20), 2 id, 3 symbol, 4 ordertype, 5 side, 6 price, 7 quantity,
//! 8 timeinforce. Sign JSON: `{"id","ordertype","price","quantity","sender","side","symbol",
//! "timeinforce"}` with numbers as JSON numbers.

use super::{decode_address, push_int_member, push_str_member};
use crate::address::{Address, Hrp};
use crate::amount::Fixed8;
use crate::tx::TxError;
use crate::tx::amino::{self, DecodeError, Reader};
use crate::tx::order::{OrderId, OrderType, Side, TimeInForce};
use crate::tx::sign_doc::{DocObject, SignDocError};
use crate::tx::text::{SymbolKind, check_symbol};

pub(super) const NAME: &str = "dex/NewOrder";
pub(super) const PREFIX: [u8; 4] = [0xce, 0x6d, 0xc0, 0x43];
pub(super) const JSON_KEYS: [&str; 8] = [
    "id",
    "ordertype",
    "price",
    "quantity",
    "sender",
    "side",
    "symbol",
    "timeinforce",
];

/// Place a limit order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    /// The account placing the order (the signer).
    pub sender: Address,
    /// `HEX(sender)-(sequence+1)`; must match the transaction's sequence.
    pub id: OrderId,
    /// Pair symbol `BASE_QUOTE`.
    pub symbol: String,
    /// Always LIMIT today.
    pub order_type: OrderType,
    /// Buy or sell.
    pub side: Side,
    /// Price in quote asset per base unit, positive.
    pub price: Fixed8,
    /// Quantity of the base asset, positive.
    pub quantity: Fixed8,
    /// GTE or IOC.
    pub time_in_force: TimeInForce,
}

/// A limit order as the trader decides it, before it has an id.
///
/// The chain derives an order's id from its sender and the sequence of the transaction that
/// places it, so the id is filled in by [`UnsignedTx::new`](crate::tx::UnsignedTx::new), which
/// is the one place the sequence is given:
///
/// ```
/// # use dexlink::tx::{LimitOrder, Msg, Side, TimeInForce, UnsignedTx};
/// # use dexlink::address::{Address, ChainId};
/// // The order of wallet-core's `test_binance_sign_trade_order` (docs/upstream-vectors.md V10).
/// let sender: Address = "bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu".parse()?;
/// let order = LimitOrder {
///     sender,
///     symbol: "NNB-338_BNB".into(),
///     side: Side::Buy,
///     price: "1.3635".parse()?,
///     quantity: "1".parse()?,
///     time_in_force: TimeInForce::Gte,
/// };
/// let tx = UnsignedTx::new(ChainId::new("chain-bnb")?, 12, 35, order)?;
/// let Msg::NewOrder(placed) = tx.msg() else { unreachable!() };
/// assert_eq!(placed.id.to_string(), "BA36F0FAD74D8F41045463E4774F328F4AF779E5-36");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitOrder {
    /// The account placing the order (the signer).
    pub sender: Address,
    /// Pair symbol `BASE_QUOTE`, e.g. `NNB-338_BNB`.
    pub symbol: String,
    /// Buy or sell.
    pub side: Side,
    /// Price in quote asset per base unit, positive.
    pub price: Fixed8,
    /// Quantity of the base asset, positive.
    pub quantity: Fixed8,
    /// GTE or IOC.
    pub time_in_force: TimeInForce,
}

impl LimitOrder {
    /// The `dex/NewOrder` message placing this order in a transaction signed with `sequence`
    /// (the account's current sequence): its id is the one the chain expects.
    pub fn at_sequence(self, sequence: u64) -> Result<NewOrder, TxError> {
        let id = OrderId::new(&self.sender, sequence).ok_or(TxError::Range {
            what: "sequence",
            value: sequence,
        })?;
        let m = NewOrder {
            sender: self.sender,
            id,
            symbol: self.symbol,
            order_type: OrderType::Limit,
            side: self.side,
            price: self.price,
            quantity: self.quantity,
            time_in_force: self.time_in_force,
        };
        m.validate()?;
        Ok(m)
    }
}

impl NewOrder {
    pub(super) fn validate(&self) -> Result<(), TxError> {
        check_symbol("order symbol", &self.symbol, SymbolKind::Pair)?;
        if self.price.is_zero() {
            return Err(TxError::ZeroAmount("price"));
        }
        if self.quantity.is_zero() {
            return Err(TxError::ZeroAmount("quantity"));
        }
        Ok(())
    }

    pub(super) fn write_sign_json(&self, out: &mut String) {
        out.push('{');
        push_str_member(out, "id", &self.id.to_string());
        out.push(',');
        push_int_member(out, "ordertype", self.order_type.code());
        out.push(',');
        push_int_member(out, "price", self.price.units() as u64);
        out.push(',');
        push_int_member(out, "quantity", self.quantity.units() as u64);
        out.push(',');
        push_str_member(out, "sender", &self.sender.to_string());
        out.push(',');
        push_int_member(out, "side", self.side.code());
        out.push(',');
        push_str_member(out, "symbol", &self.symbol);
        out.push(',');
        push_int_member(out, "timeinforce", self.time_in_force.code());
        out.push('}');
    }

    pub(super) fn encode(&self, out: &mut Vec<u8>) {
        amino::put_bytes(out, 1, self.sender.as_bytes());
        amino::put_bytes(out, 2, self.id.to_string().as_bytes());
        amino::put_bytes(out, 3, self.symbol.as_bytes());
        amino::put_int(out, 4, self.order_type.code());
        amino::put_int(out, 5, self.side.code());
        amino::put_int(out, 6, self.price.units() as u64);
        amino::put_int(out, 7, self.quantity.units() as u64);
        amino::put_int(out, 8, self.time_in_force.code());
    }

    pub(super) fn decode(body: &[u8], hrp: &Hrp) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body, "NewOrder");
        let invalid = |e: String| DecodeError::Invalid(e);
        let sender = decode_address(&mut r, 1, "NewOrder sender", hrp)?;
        let id = OrderId::parse(r.string(2, "NewOrder id")?).map_err(|e| invalid(e.to_string()))?;
        let symbol = r.string(3, "NewOrder symbol")?.to_string();
        let order_type = OrderType::from_code(r.int(4, "NewOrder ordertype")?)
            .map_err(|e| invalid(e.to_string()))?;
        let side =
            Side::from_code(r.int(5, "NewOrder side")?).map_err(|e| invalid(e.to_string()))?;
        let price = Fixed8::from_units(r.int(6, "NewOrder price")? as i64)
            .map_err(|e| invalid(e.to_string()))?;
        let quantity = Fixed8::from_units(r.int(7, "NewOrder quantity")? as i64)
            .map_err(|e| invalid(e.to_string()))?;
        let time_in_force = TimeInForce::from_code(r.int(8, "NewOrder timeinforce")?)
            .map_err(|e| invalid(e.to_string()))?;
        r.finish(8)?;
        Ok(Self {
            sender,
            id,
            symbol,
            order_type,
            side,
            price,
            quantity,
            time_in_force,
        })
    }

    pub(super) fn from_sign_json(o: &DocObject<'_>) -> Result<Self, SignDocError> {
        let m = Self {
            id: OrderId::parse(o.string("id")?)?,
            order_type: OrderType::from_code(o.int("ordertype")?)?,
            price: o.amount("price")?,
            quantity: o.amount("quantity")?,
            sender: o.address("sender")?,
            side: Side::from_code(o.int("side")?)?,
            symbol: o.string("symbol")?.to_string(),
            time_in_force: TimeInForce::from_code(o.int("timeinforce")?)?,
        };
        Ok(m)
    }

    pub(super) fn describe(&self) -> String {
        let (base, quote) = self.symbol.split_once('_').unwrap_or((&self.symbol, "?"));
        let product = i128::from(self.price.units()) * i128::from(self.quantity.units());
        let total = i64::try_from(product / i128::from(Fixed8::SCALE))
            .ok()
            .and_then(|u| Fixed8::from_units(u).ok())
            .map(|t| format!(" (total {t} {quote})"))
            .unwrap_or_default();
        format!(
            "{} {} {base} at {} {quote}{total}, {} {}, order id {}, from {}",
            self.side,
            self.quantity,
            self.price,
            self.order_type,
            self.time_in_force,
            self.id,
            self.sender
        )
    }
}
