//! `dex/CancelOrder` (node `plugins/dex/order/msg.go` `CancelOrderMsg`).
//!
//! Binary: 1 sender bytes(20), 2 symbol, 3 refid. Sign JSON: `{"refid","sender","symbol"}`.

use super::{decode_address, push_str_member};
use crate::address::{Address, Hrp};
use crate::tx::TxError;
use crate::tx::amino::{self, DecodeError, Reader};
use crate::tx::order::OrderId;
use crate::tx::sign_doc::{DocObject, SignDocError};
use crate::tx::text::{SymbolKind, check_symbol};

pub(super) const NAME: &str = "dex/CancelOrder";
pub(super) const PREFIX: [u8; 4] = [0x16, 0x6e, 0x68, 0x1b];
pub(super) const JSON_KEYS: [&str; 3] = ["refid", "sender", "symbol"];

/// Cancel an open order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelOrder {
    /// The account that placed the order (the signer).
    pub sender: Address,
    /// The order's pair symbol.
    pub symbol: String,
    /// The id of the order to cancel.
    pub refid: OrderId,
}

impl CancelOrder {
    /// Cancels order `refid` on `symbol`.
    pub fn new(sender: Address, symbol: &str, refid: OrderId) -> Result<Self, TxError> {
        let m = Self {
            sender,
            symbol: symbol.into(),
            refid,
        };
        m.validate()?;
        Ok(m)
    }

    pub(super) fn validate(&self) -> Result<(), TxError> {
        check_symbol("order symbol", &self.symbol, SymbolKind::Pair)
    }

    pub(super) fn write_sign_json(&self, out: &mut String) {
        out.push('{');
        push_str_member(out, "refid", &self.refid.to_string());
        out.push(',');
        push_str_member(out, "sender", &self.sender.to_string());
        out.push(',');
        push_str_member(out, "symbol", &self.symbol);
        out.push('}');
    }

    pub(super) fn encode(&self, out: &mut Vec<u8>) {
        amino::put_bytes(out, 1, self.sender.as_bytes());
        amino::put_bytes(out, 2, self.symbol.as_bytes());
        amino::put_bytes(out, 3, self.refid.to_string().as_bytes());
    }

    pub(super) fn decode(body: &[u8], hrp: &Hrp) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body, "CancelOrder");
        let sender = decode_address(&mut r, 1, "CancelOrder sender", hrp)?;
        let symbol = r.string(2, "CancelOrder symbol")?.to_string();
        let refid = OrderId::parse(r.string(3, "CancelOrder refid")?)
            .map_err(|e| DecodeError::Invalid(e.to_string()))?;
        r.finish(3)?;
        Ok(Self {
            sender,
            symbol,
            refid,
        })
    }

    pub(super) fn from_sign_json(o: &DocObject<'_>) -> Result<Self, SignDocError> {
        Ok(Self {
            refid: OrderId::parse(o.string("refid")?)?,
            sender: o.address("sender")?,
            symbol: o.string("symbol")?.to_string(),
        })
    }

    pub(super) fn describe(&self) -> String {
        format!(
            "CANCEL order {} on {}, from {}",
            self.refid, self.symbol, self.sender
        )
    }
}
