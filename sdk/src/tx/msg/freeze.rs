//! `tokens/FreezeMsg` and `tokens/UnfreezeMsg` (node `plugins/tokens/freeze/msg.go`).
//!
//! Binary: 1 from bytes(20), 2 symbol, 3 amount. Sign JSON: `{"amount","from","symbol"}` —
//! identical for freeze and unfreeze (and burn and mint): the message type is not signed.

use super::{decode_address, push_int_member, push_str_member};
use crate::address::{Address, Hrp};
use crate::amount::Fixed8;
use crate::tx::TxError;
use crate::tx::amino::{self, DecodeError, Reader};
use crate::tx::sign_doc::{DocObject, SignDocError};
use crate::tx::text::{SymbolKind, check_symbol};

pub(super) const FREEZE_NAME: &str = "tokens/FreezeMsg";
pub(super) const FREEZE_PREFIX: [u8; 4] = [0xe7, 0x74, 0xb3, 0x2d];
pub(super) const UNFREEZE_NAME: &str = "tokens/UnfreezeMsg";
pub(super) const UNFREEZE_PREFIX: [u8; 4] = [0x65, 0x15, 0xff, 0x0d];
pub(super) const JSON_KEYS: [&str; 3] = ["amount", "from", "symbol"];

/// Freeze or unfreeze an amount of a token (the [`super::Msg`] variant says which).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFreeze {
    /// The token holder (the signer).
    pub from: Address,
    /// Token symbol, e.g. `BNB` or `NNB-C3F`.
    pub symbol: String,
    /// Amount, positive.
    pub amount: Fixed8,
}

impl TokenFreeze {
    /// Freezes or unfreezes `amount` of `symbol` held by `from`.
    pub fn new(from: Address, symbol: &str, amount: Fixed8) -> Result<Self, TxError> {
        let m = Self {
            from,
            symbol: symbol.into(),
            amount,
        };
        m.validate()?;
        Ok(m)
    }

    pub(super) fn validate(&self) -> Result<(), TxError> {
        check_symbol("token symbol", &self.symbol, SymbolKind::Token)?;
        if self.amount.is_zero() {
            return Err(TxError::ZeroAmount("freeze amount"));
        }
        Ok(())
    }

    pub(super) fn write_sign_json(&self, out: &mut String) {
        out.push('{');
        push_int_member(out, "amount", self.amount.units() as u64);
        out.push(',');
        push_str_member(out, "from", &self.from.to_string());
        out.push(',');
        push_str_member(out, "symbol", &self.symbol);
        out.push('}');
    }

    pub(super) fn encode(&self, out: &mut Vec<u8>) {
        amino::put_bytes(out, 1, self.from.as_bytes());
        amino::put_bytes(out, 2, self.symbol.as_bytes());
        amino::put_int(out, 3, self.amount.units() as u64);
    }

    pub(super) fn decode(body: &[u8], hrp: &Hrp) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body, "Freeze/Unfreeze");
        let from = decode_address(&mut r, 1, "freeze from", hrp)?;
        let symbol = r.string(2, "freeze symbol")?.to_string();
        let amount = Fixed8::from_units(r.int(3, "freeze amount")? as i64)
            .map_err(|e| DecodeError::Invalid(e.to_string()))?;
        r.finish(3)?;
        Ok(Self {
            from,
            symbol,
            amount,
        })
    }

    /// Reads the sign JSON; only callers that know the message type from elsewhere may use
    /// it, since the shape alone does not say freeze or unfreeze.
    pub(super) fn from_sign_json(o: &DocObject<'_>) -> Result<Self, SignDocError> {
        Ok(Self {
            amount: o.amount("amount")?,
            from: o.address("from")?,
            symbol: o.string("symbol")?.to_string(),
        })
    }

    pub(super) fn describe(&self, verb: &str) -> String {
        format!("{verb} {} {}, from {}", self.amount, self.symbol, self.from)
    }
}
