//! `cosmos-sdk/Send` (bnc-cosmos-sdk `x/bank/msgs.go` `MsgSend`).
//!
//! Binary: 1 inputs (repeated Input), 2 outputs (repeated Output); Input/Output: 1 address
//! bytes(20), 2 coins (repeated Coin); Coin: 1 denom, 2 amount. Sign JSON:
//! `{"inputs":[{"address","coins":[{"amount","denom"}]}],"outputs":[...]}`, amounts as numbers.

use std::collections::BTreeMap;

use super::{decode_address, push_int_member, push_key, push_str_member};
use crate::address::{Address, Hrp};
use crate::amount::Fixed8;
use crate::tx::TxError;
use crate::tx::amino::{self, DecodeError, Reader};
use crate::tx::sign_doc::{DocObject, SignDocError};
use crate::tx::text::{SymbolKind, check_symbol};

pub(super) const NAME: &str = "cosmos-sdk/Send";
pub(super) const PREFIX: [u8; 4] = [0x2a, 0x2c, 0x87, 0xfa];
pub(super) const JSON_KEYS: [&str; 2] = ["inputs", "outputs"];

/// An amount of one token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coin {
    /// Token symbol, e.g. `BNB`, `BUSD-BD1`.
    pub denom: String,
    /// Amount, positive.
    pub amount: Fixed8,
}

impl Coin {
    /// A coin (checked when the message is validated).
    pub fn new(denom: &str, amount: Fixed8) -> Self {
        Self {
            denom: denom.into(),
            amount,
        }
    }
}

/// One input or output of a send: an address and the coins it gives or receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendEntry {
    /// The address.
    pub address: Address,
    /// Coins, sorted by denom (byte order), one per denom.
    pub coins: Vec<Coin>,
}

impl SendEntry {
    /// An entry; the coins are sorted by denom as the chain requires.
    pub fn new(address: Address, mut coins: Vec<Coin>) -> Self {
        coins.sort_by(|a, b| a.denom.as_bytes().cmp(b.denom.as_bytes()));
        Self { address, coins }
    }

    fn validate(&self) -> Result<(), TxError> {
        if self.coins.is_empty() {
            return Err(TxError::NoCoins(self.address.to_string()));
        }
        for (i, c) in self.coins.iter().enumerate() {
            check_symbol("coin denom", &c.denom, SymbolKind::Token)?;
            if c.amount.is_zero() {
                return Err(TxError::ZeroAmount("coin amount"));
            }
            if i > 0 && self.coins[i - 1].denom.as_bytes() >= c.denom.as_bytes() {
                return Err(TxError::CoinsUnsorted(self.address.to_string()));
            }
        }
        Ok(())
    }

    fn write_sign_json(&self, out: &mut String) {
        out.push('{');
        push_str_member(out, "address", &self.address.to_string());
        out.push(',');
        push_key(out, "coins");
        out.push('[');
        for (i, c) in self.coins.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('{');
            push_int_member(out, "amount", c.amount.units() as u64);
            out.push(',');
            push_str_member(out, "denom", &c.denom);
            out.push('}');
        }
        out.push_str("]}");
    }

    fn encode(&self, out: &mut Vec<u8>) {
        amino::put_bytes(out, 1, self.address.as_bytes());
        for c in &self.coins {
            amino::put_nested(out, 2, |o| {
                amino::put_bytes(o, 1, c.denom.as_bytes());
                amino::put_int(o, 2, c.amount.units() as u64);
            });
        }
    }

    fn decode(body: &[u8], hrp: &Hrp) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body, "Send input/output");
        let address = decode_address(&mut r, 1, "Send address", hrp)?;
        let mut coins = Vec::new();
        while let Some(cb) = r.repeated(2, "Send coin")? {
            let mut cr = Reader::new(cb, "Coin");
            let denom = cr.string(1, "coin denom")?.to_string();
            let amount = Fixed8::from_units(cr.int(2, "coin amount")? as i64)
                .map_err(|e| DecodeError::Invalid(e.to_string()))?;
            cr.finish(2)?;
            coins.push(Coin { denom, amount });
        }
        r.finish(2)?;
        Ok(Self { address, coins })
    }

    fn from_sign_json(o: &DocObject<'_>) -> Result<Self, SignDocError> {
        o.expect_keys(&["address", "coins"])?;
        let address = o.address("address")?;
        let coins = o
            .objects("coins")?
            .iter()
            .map(|c| {
                c.expect_keys(&["amount", "denom"])?;
                Ok(Coin {
                    amount: c.amount("amount")?,
                    denom: c.string("denom")?.to_string(),
                })
            })
            .collect::<Result<_, SignDocError>>()?;
        Ok(Self { address, coins })
    }
}

/// Transfer coins. Every input must be the signer's address: a transaction here carries one
/// signature, and the chain wants one per distinct input address.
///
/// The fields are private so that every `Send` in hand has passed validation (it has inputs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Send {
    inputs: Vec<SendEntry>,
    outputs: Vec<SendEntry>,
}

impl Send {
    /// A send with explicit inputs and outputs.
    pub fn new(inputs: Vec<SendEntry>, outputs: Vec<SendEntry>) -> Result<Self, TxError> {
        let m = Self { inputs, outputs };
        m.validate()?;
        Ok(m)
    }

    /// A send from `from` to any number of outputs, with one input holding the per-denom sums
    /// (what the official SDKs build).
    pub fn from_outputs(from: Address, outputs: Vec<SendEntry>) -> Result<Self, TxError> {
        let totals = Self::totals(&outputs)?;
        let coins = totals
            .into_iter()
            .map(|(denom, units)| {
                Ok(Coin {
                    denom: denom.to_string(),
                    amount: Fixed8::from_units(units)
                        .map_err(|_| TxError::SumOverflow(denom.into()))?,
                })
            })
            .collect::<Result<Vec<_>, TxError>>()?;
        Self::new(vec![SendEntry::new(from, coins)], outputs)
    }

    /// Where the coins come from (all the signer's address).
    pub fn inputs(&self) -> &[SendEntry] {
        &self.inputs
    }

    /// Where they go.
    pub fn outputs(&self) -> &[SendEntry] {
        &self.outputs
    }

    /// Sums per denom; a sum beyond int64 is refused, as the chain's coin arithmetic would.
    fn totals(entries: &[SendEntry]) -> Result<BTreeMap<&str, i64>, TxError> {
        let mut totals: BTreeMap<&str, i64> = BTreeMap::new();
        for e in entries {
            for c in &e.coins {
                let t = totals.entry(c.denom.as_str()).or_insert(0);
                *t = t
                    .checked_add(c.amount.units())
                    .ok_or_else(|| TxError::SumOverflow(c.denom.clone()))?;
            }
        }
        Ok(totals)
    }

    /// The signer: the address of the inputs.
    pub(super) fn signer(&self) -> &Address {
        // Every Send handed out has been validated, so it has an input.
        &self.inputs[0].address
    }

    pub(super) fn addresses(&self) -> Vec<&Address> {
        self.inputs
            .iter()
            .chain(&self.outputs)
            .map(|e| &e.address)
            .collect()
    }

    pub(super) fn validate(&self) -> Result<(), TxError> {
        if self.inputs.is_empty() {
            return Err(TxError::EmptySend("inputs"));
        }
        if self.outputs.is_empty() {
            return Err(TxError::EmptySend("outputs"));
        }
        for e in self.inputs.iter().chain(&self.outputs) {
            e.validate()?;
        }
        let first = &self.inputs[0].address;
        if let Some(other) = self.inputs.iter().find(|e| e.address != *first) {
            return Err(TxError::MultipleSigners(
                first.to_string(),
                other.address.to_string(),
            ));
        }
        let ins = Self::totals(&self.inputs)?;
        let outs = Self::totals(&self.outputs)?;
        if ins != outs {
            let denom = ins
                .iter()
                .find(|(d, v)| outs.get(*d) != Some(v))
                .or_else(|| outs.iter().find(|(d, v)| ins.get(*d) != Some(v)))
                .map(|(d, _)| d.to_string())
                .unwrap_or_default();
            return Err(TxError::Unbalanced(denom));
        }
        Ok(())
    }

    pub(super) fn write_sign_json(&self, out: &mut String) {
        out.push('{');
        for (key, list) in [("inputs", &self.inputs), ("outputs", &self.outputs)] {
            if key == "outputs" {
                out.push(',');
            }
            push_key(out, key);
            out.push('[');
            for (i, e) in list.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                e.write_sign_json(out);
            }
            out.push(']');
        }
        out.push('}');
    }

    pub(super) fn encode(&self, out: &mut Vec<u8>) {
        for (field, list) in [(1, &self.inputs), (2, &self.outputs)] {
            for e in list {
                amino::put_nested(out, field, |o| e.encode(o));
            }
        }
    }

    pub(super) fn decode(body: &[u8], hrp: &Hrp) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body, "Send");
        let mut inputs = Vec::new();
        while let Some(b) = r.repeated(1, "Send input")? {
            inputs.push(SendEntry::decode(b, hrp)?);
        }
        let mut outputs = Vec::new();
        while let Some(b) = r.repeated(2, "Send output")? {
            outputs.push(SendEntry::decode(b, hrp)?);
        }
        r.finish(2)?;
        Ok(Self { inputs, outputs })
    }

    pub(super) fn from_sign_json(o: &DocObject<'_>) -> Result<Self, SignDocError> {
        let list = |key| -> Result<Vec<SendEntry>, SignDocError> {
            o.objects(key)?
                .iter()
                .map(SendEntry::from_sign_json)
                .collect()
        };
        Ok(Self {
            inputs: list("inputs")?,
            outputs: list("outputs")?,
        })
    }

    pub(super) fn describe(&self) -> String {
        let coins = |e: &SendEntry| {
            e.coins
                .iter()
                .map(|c| format!("{} {}", c.amount, c.denom))
                .collect::<Vec<_>>()
                .join(" + ")
        };
        let outs = self
            .outputs
            .iter()
            .map(|e| format!("{} to {}", coins(e), e.address))
            .collect::<Vec<_>>()
            .join("; ");
        format!("SEND {outs}, from {}", self.signer())
    }
}
