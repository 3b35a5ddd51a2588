//! The messages a transaction can carry. Each lives in its own module, which defines in one
//! place its amino prefix, its binary fields (encode and strict decode), its sign JSON (write
//! and, where the shape is unambiguous, parse), its validation and its human description.

mod cancel_order;
mod freeze;
mod new_order;
mod send;

pub use cancel_order::CancelOrder;
pub use freeze::TokenFreeze;
pub use new_order::{LimitOrder, NewOrder};
pub use send::{Coin, Send, SendEntry};

use super::TxError;
use super::amino::{DecodeError, Reader};
use super::json::push_string;
use super::sign_doc::{DocObject, SignDocError};
use crate::address::{Address, Hrp};

/// One message of a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Msg {
    /// `dex/NewOrder`.
    NewOrder(NewOrder),
    /// `dex/CancelOrder`.
    CancelOrder(CancelOrder),
    /// `cosmos-sdk/Send`.
    Send(Send),
    /// `tokens/FreezeMsg`.
    Freeze(TokenFreeze),
    /// `tokens/UnfreezeMsg` (same fields and sign JSON as freeze).
    Unfreeze(TokenFreeze),
}

impl From<NewOrder> for Msg {
    fn from(m: NewOrder) -> Self {
        Self::NewOrder(m)
    }
}

impl From<CancelOrder> for Msg {
    fn from(m: CancelOrder) -> Self {
        Self::CancelOrder(m)
    }
}

impl From<Send> for Msg {
    fn from(m: Send) -> Self {
        Self::Send(m)
    }
}

// No `From<TokenFreeze>`: the same body is a freeze or an unfreeze, so the caller says which
// with `Msg::Freeze` or `Msg::Unfreeze`.

/// What [`UnsignedTx::new`](crate::tx::UnsignedTx::new) accepts as its message: a [`Msg`], any
/// message type that converts into one, or a [`LimitOrder`], whose id needs the transaction's
/// sequence.
pub trait IntoMsg {
    /// The message of a transaction signed with `sequence` (the account's current sequence).
    fn into_msg(self, sequence: u64) -> Result<Msg, TxError>;
}

impl IntoMsg for Msg {
    fn into_msg(self, _sequence: u64) -> Result<Msg, TxError> {
        Ok(self)
    }
}

impl IntoMsg for NewOrder {
    fn into_msg(self, _sequence: u64) -> Result<Msg, TxError> {
        Ok(self.into())
    }
}

impl IntoMsg for CancelOrder {
    fn into_msg(self, _sequence: u64) -> Result<Msg, TxError> {
        Ok(self.into())
    }
}

impl IntoMsg for Send {
    fn into_msg(self, _sequence: u64) -> Result<Msg, TxError> {
        Ok(self.into())
    }
}

impl IntoMsg for LimitOrder {
    fn into_msg(self, sequence: u64) -> Result<Msg, TxError> {
        self.at_sequence(sequence).map(Msg::NewOrder)
    }
}

impl Msg {
    /// The amino registered name.
    pub fn amino_name(&self) -> &'static str {
        match self {
            Self::NewOrder(_) => new_order::NAME,
            Self::CancelOrder(_) => cancel_order::NAME,
            Self::Send(_) => send::NAME,
            Self::Freeze(_) => freeze::FREEZE_NAME,
            Self::Unfreeze(_) => freeze::UNFREEZE_NAME,
        }
    }

    /// The 4-byte amino prefix.
    pub fn prefix(&self) -> [u8; 4] {
        match self {
            Self::NewOrder(_) => new_order::PREFIX,
            Self::CancelOrder(_) => cancel_order::PREFIX,
            Self::Send(_) => send::PREFIX,
            Self::Freeze(_) => freeze::FREEZE_PREFIX,
            Self::Unfreeze(_) => freeze::UNFREEZE_PREFIX,
        }
    }

    /// The address that must sign (for a send, the one input address).
    pub fn signer(&self) -> &Address {
        match self {
            Self::NewOrder(m) => &m.sender,
            Self::CancelOrder(m) => &m.sender,
            Self::Send(m) => m.signer(),
            Self::Freeze(m) | Self::Unfreeze(m) => &m.from,
        }
    }

    /// Every address the message names (all must share one HRP).
    pub(crate) fn addresses(&self) -> Vec<&Address> {
        match self {
            Self::Send(m) => m.addresses(),
            other => vec![other.signer()],
        }
    }

    /// The message's own rules (the chain's `ValidateBasic`).
    pub fn validate(&self) -> Result<(), TxError> {
        match self {
            Self::NewOrder(m) => m.validate(),
            Self::CancelOrder(m) => m.validate(),
            Self::Send(m) => m.validate(),
            Self::Freeze(m) | Self::Unfreeze(m) => m.validate(),
        }
    }

    /// Appends the message's sign JSON (keys sorted, Go escaping).
    pub(crate) fn write_sign_json(&self, out: &mut String) {
        match self {
            Self::NewOrder(m) => m.write_sign_json(out),
            Self::CancelOrder(m) => m.write_sign_json(out),
            Self::Send(m) => m.write_sign_json(out),
            Self::Freeze(m) | Self::Unfreeze(m) => m.write_sign_json(out),
        }
    }

    /// The message's sign JSON alone.
    pub fn sign_json(&self) -> String {
        let mut s = String::with_capacity(256);
        self.write_sign_json(&mut s);
        s
    }

    /// Appends the amino value: prefix then fields.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.prefix());
        match self {
            Self::NewOrder(m) => m.encode(out),
            Self::CancelOrder(m) => m.encode(out),
            Self::Send(m) => m.encode(out),
            Self::Freeze(m) | Self::Unfreeze(m) => m.encode(out),
        }
    }

    /// The amino value (prefix ‖ fields).
    pub fn to_amino(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(128);
        self.encode(&mut v);
        v
    }

    /// Decodes an amino value (prefix ‖ fields); addresses get `hrp`. Runs [`Msg::validate`].
    pub fn decode(bytes: &[u8], hrp: &Hrp) -> Result<Self, DecodeError> {
        let Some((prefix, body)) = bytes.split_first_chunk::<4>() else {
            return Err(DecodeError::Truncated("the message type prefix"));
        };
        let msg = match *prefix {
            new_order::PREFIX => Self::NewOrder(NewOrder::decode(body, hrp)?),
            cancel_order::PREFIX => Self::CancelOrder(CancelOrder::decode(body, hrp)?),
            send::PREFIX => Self::Send(Send::decode(body, hrp)?),
            freeze::FREEZE_PREFIX => Self::Freeze(TokenFreeze::decode(body, hrp)?),
            freeze::UNFREEZE_PREFIX => Self::Unfreeze(TokenFreeze::decode(body, hrp)?),
            other => {
                return Err(DecodeError::UnknownPrefix {
                    what: "message",
                    prefix: hex::encode(other),
                    supported: "NewOrder, CancelOrder, Send, Freeze and Unfreeze messages",
                });
            }
        };
        msg.validate()
            .map_err(|e| DecodeError::Invalid(e.to_string()))?;
        Ok(msg)
    }

    /// Recognises a sign-JSON message object by its exact key set (as wallets do for
    /// `bnb_sign`). The freeze shape is refused: freeze, unfreeze, burn and mint share it, so a
    /// signature over it authorises all four.
    pub(crate) fn from_sign_json(obj: &DocObject<'_>) -> Result<Self, SignDocError> {
        let keys = obj.keys();
        if keys == new_order::JSON_KEYS {
            Ok(Self::NewOrder(NewOrder::from_sign_json(obj)?))
        } else if keys == cancel_order::JSON_KEYS {
            Ok(Self::CancelOrder(CancelOrder::from_sign_json(obj)?))
        } else if keys == send::JSON_KEYS {
            Ok(Self::Send(Send::from_sign_json(obj)?))
        } else if keys == freeze::JSON_KEYS {
            Err(SignDocError::AmbiguousFreeze)
        } else {
            Err(SignDocError::UnknownMessage(keys.join(",")))
        }
    }

    /// Reads a sign-JSON message object whose amino type name is known from elsewhere (an
    /// unsigned-transaction file names it). The key set must be that type's; unlike
    /// [`Msg::from_sign_json`] this accepts freeze and unfreeze, because the type is explicit.
    pub(crate) fn from_typed_sign_json(
        type_name: &str,
        obj: &DocObject<'_>,
    ) -> Result<Self, SignDocError> {
        let keys = obj.keys();
        let expected: &[&str] = match type_name {
            new_order::NAME => &new_order::JSON_KEYS,
            cancel_order::NAME => &cancel_order::JSON_KEYS,
            send::NAME => &send::JSON_KEYS,
            freeze::FREEZE_NAME | freeze::UNFREEZE_NAME => &freeze::JSON_KEYS,
            other => return Err(SignDocError::UnknownType(other.to_string())),
        };
        if keys != expected {
            return Err(SignDocError::TypeShapeMismatch {
                type_name: type_name.to_string(),
                keys: keys.join(","),
            });
        }
        Ok(match type_name {
            new_order::NAME => Self::NewOrder(NewOrder::from_sign_json(obj)?),
            cancel_order::NAME => Self::CancelOrder(CancelOrder::from_sign_json(obj)?),
            send::NAME => Self::Send(Send::from_sign_json(obj)?),
            freeze::FREEZE_NAME => Self::Freeze(TokenFreeze::from_sign_json(obj)?),
            _ => Self::Unfreeze(TokenFreeze::from_sign_json(obj)?),
        })
    }

    /// One line saying what the message does, for confirmation before signing.
    pub fn describe(&self) -> String {
        match self {
            Self::NewOrder(m) => m.describe(),
            Self::CancelOrder(m) => m.describe(),
            Self::Send(m) => m.describe(),
            Self::Freeze(m) => m.describe("FREEZE"),
            Self::Unfreeze(m) => m.describe("UNFREEZE"),
        }
    }
}

/// Appends `"key":` for the next member of a sign-JSON object.
pub(crate) fn push_key(out: &mut String, key: &str) {
    out.push('"');
    out.push_str(key);
    out.push_str("\":");
}

/// Appends a JSON string member `"key":"value"`.
pub(crate) fn push_str_member(out: &mut String, key: &str, value: &str) {
    push_key(out, key);
    push_string(out, value);
}

/// Appends a JSON number member `"key":N`.
pub(crate) fn push_int_member(out: &mut String, key: &str, value: u64) {
    use std::fmt::Write;
    push_key(out, key);
    write!(out, "{value}").expect("writing to a String cannot fail");
}

/// An address from decoded bytes.
pub(crate) fn decode_address(
    r: &mut Reader<'_>,
    field: u64,
    what: &'static str,
    hrp: &Hrp,
) -> Result<Address, DecodeError> {
    Ok(Address::new(hrp.clone(), r.address(field, what)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::sha256;

    /// amino "disfix" prefix: SHA-256(name), skip 0x00 bytes, skip 3, skip 0x00 bytes, take 4.
    fn prefix_of(name: &str) -> [u8; 4] {
        let h = sha256(name.as_bytes());
        let mut i = 0;
        while h[i] == 0 {
            i += 1;
        }
        i += 3;
        while h[i] == 0 {
            i += 1;
        }
        h[i..i + 4].try_into().unwrap()
    }

    #[test]
    fn prefixes_match_names() {
        // Table values from docs/wire-format.md §3 (js-sdk AminoPrefix).
        for (name, p, want) in [
            (new_order::NAME, new_order::PREFIX, "ce6dc043"),
            (cancel_order::NAME, cancel_order::PREFIX, "166e681b"),
            (send::NAME, send::PREFIX, "2a2c87fa"),
            (freeze::FREEZE_NAME, freeze::FREEZE_PREFIX, "e774b32d"),
            (freeze::UNFREEZE_NAME, freeze::UNFREEZE_PREFIX, "6515ff0d"),
            ("auth/StdTx", crate::tx::std_tx::STD_TX_PREFIX, "f0625dee"),
            (
                "tendermint/PubKeySecp256k1",
                crate::tx::std_tx::PUBKEY_PREFIX,
                "eb5ae987",
            ),
        ] {
            assert_eq!(hex::encode(p), want, "{name}");
            assert_eq!(prefix_of(name), p, "{name}");
        }
    }
}
