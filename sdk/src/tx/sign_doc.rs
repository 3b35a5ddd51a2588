//! Sign documents that arrive from elsewhere: the WalletConnect `bnb_sign` request of the DEX
//! front end (docs/walletconnect.md §2–§3), whose `params[0]` is the whole sign document (docs/sign-docs.md §1).
//!
//! The document is parsed into a typed [`UnsignedTx`] and signed over *our* canonical
//! re-serialisation, so what is signed is exactly what [`UnsignedTx::describe`] shows. Anything
//! that is not unambiguously one of the known shapes is refused: unknown or missing keys,
//! amounts written as strings or with fractions, exponents, signs or leading zeros, more than
//! one message, non-null `data`, and the freeze shape (which also authorises unfreeze, burn and
//! mint, since the message type is not signed).

use thiserror::Error;

use super::json::{self, JsonValue};
use super::{Memo, Msg, OrderError, TxError, UnsignedTx};
use crate::address::{Address, AddressError, ChainId};
use crate::amount::Fixed8;
use crate::keys::PrivateKey;
use crate::signature::Signature;

/// Why a received sign document was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SignDocError {
    /// Not JSON.
    #[error("sign document is not valid JSON: {0}")]
    Json(String),
    /// A key the shape does not have.
    #[error("sign document has an unexpected key {0:?}")]
    UnknownKey(String),
    /// A key the shape needs.
    #[error("sign document lacks the key {0:?}")]
    MissingKey(String),
    /// A value of the wrong JSON type.
    #[error("{key:?} must be {expected}, found {found}")]
    WrongType {
        /// The key.
        key: String,
        /// The expected JSON type.
        expected: &'static str,
        /// What was there.
        found: &'static str,
    },
    /// A number not in the node's plain-integer form.
    #[error(
        "{key:?} is {text}, not a plain non-negative integer within int64 as the node writes it"
    )]
    NonCanonicalNumber {
        /// The key.
        key: String,
        /// The text as received.
        text: String,
    },
    /// Not exactly one message.
    #[error("sign document has {0} messages; a transaction carries exactly one")]
    MessageCount(usize),
    /// `data` other than null.
    #[error("sign document data must be null")]
    DataNotNull,
    /// A message of a shape this SDK does not sign.
    #[error(
        "unknown message shape with keys [{0}]: only new order, cancel order and transfer documents are signed"
    )]
    UnknownMessage(String),
    /// A message type name this SDK does not build.
    #[error(
        "unknown message type {0:?}: only dex/NewOrder, dex/CancelOrder, cosmos-sdk/Send, tokens/FreezeMsg and tokens/UnfreezeMsg are signed"
    )]
    UnknownType(String),
    /// A message whose keys are not those of its declared type.
    #[error("the message is declared {type_name} but has the keys [{keys}]")]
    TypeShapeMismatch {
        /// The declared amino type name.
        type_name: String,
        /// The keys found, sorted.
        keys: String,
    },
    /// The freeze/unfreeze/burn/mint shape.
    #[error(
        "refusing a freeze-shaped message: freeze, unfreeze, burn and mint sign the same JSON, so the signature would authorise all four"
    )]
    AmbiguousFreeze,
    /// A malformed address.
    #[error("{key:?}: {source}")]
    Address {
        /// The key.
        key: String,
        /// Why.
        source: AddressError,
    },
    /// A value that breaks a rule of its field.
    #[error("invalid sign document: {0}")]
    Invalid(String),
    /// An order field out of range.
    #[error(transparent)]
    Order(#[from] OrderError),
    /// The document parses but is not a valid transaction.
    #[error(transparent)]
    Tx(#[from] TxError),
    /// A JSON-RPC request for another method than `bnb_sign`.
    #[error(
        "the JSON-RPC request's method is {0}, not \"bnb_sign\"; only bnb_sign requests are signed"
    )]
    NotBnbSign(String),
    /// A `bnb_sign` request whose envelope (`id`, `jsonrpc`, `method`, `params`) is malformed.
    #[error("malformed bnb_sign request: {0}")]
    Request(String),
}

/// A JSON object of a received document, with typed, strict getters.
pub(crate) struct DocObject<'a> {
    members: &'a [(String, JsonValue)],
}

impl<'a> DocObject<'a> {
    pub(crate) fn from_value(key: &str, v: &'a JsonValue) -> Result<Self, SignDocError> {
        match v {
            JsonValue::Object(members) => Ok(Self { members }),
            other => Err(wrong(key, "an object", other)),
        }
    }

    /// The keys, sorted.
    pub(crate) fn keys(&self) -> Vec<&'a str> {
        let mut k: Vec<&str> = self.members.iter().map(|(k, _)| k.as_str()).collect();
        k.sort_unstable();
        k
    }

    /// Refuses any key outside `keys` and any of `keys` missing.
    pub(crate) fn expect_keys(&self, keys: &[&str]) -> Result<(), SignDocError> {
        if let Some((k, _)) = self
            .members
            .iter()
            .find(|(k, _)| !keys.contains(&k.as_str()))
        {
            return Err(SignDocError::UnknownKey(k.clone()));
        }
        for k in keys {
            self.get(k)?;
        }
        Ok(())
    }

    pub(crate) fn get(&self, key: &str) -> Result<&'a JsonValue, SignDocError> {
        self.members
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .ok_or_else(|| SignDocError::MissingKey(key.into()))
    }

    pub(crate) fn string(&self, key: &str) -> Result<&'a str, SignDocError> {
        match self.get(key)? {
            JsonValue::String(s) => Ok(s),
            other => Err(wrong(key, "a string", other)),
        }
    }

    /// A JSON number in the node's form: `0` or a digit 1–9 followed by digits, ≤ i64::MAX.
    pub(crate) fn int(&self, key: &str) -> Result<u64, SignDocError> {
        match self.get(key)? {
            JsonValue::Number(text) => canonical_int(key, text),
            other => Err(wrong(key, "a JSON integer", other)),
        }
    }

    /// A string holding a canonical decimal integer (the sign document's int64 fields).
    pub(crate) fn int_string(&self, key: &str) -> Result<u64, SignDocError> {
        canonical_int(key, self.string(key)?)
    }

    pub(crate) fn amount(&self, key: &str) -> Result<Fixed8, SignDocError> {
        let units = self.int(key)?;
        // canonical_int caps at i64::MAX, so the cast is exact.
        Fixed8::from_units(units as i64).map_err(|e| SignDocError::Invalid(e.to_string()))
    }

    pub(crate) fn address(&self, key: &str) -> Result<Address, SignDocError> {
        Address::parse(self.string(key)?).map_err(|source| SignDocError::Address {
            key: key.into(),
            source,
        })
    }

    /// An array of objects.
    pub(crate) fn objects(&self, key: &str) -> Result<Vec<DocObject<'a>>, SignDocError> {
        match self.get(key)? {
            JsonValue::Array(items) => items.iter().map(|v| Self::from_value(key, v)).collect(),
            other => Err(wrong(key, "an array", other)),
        }
    }
}

fn wrong(key: &str, expected: &'static str, found: &JsonValue) -> SignDocError {
    SignDocError::WrongType {
        key: key.into(),
        expected,
        found: found.type_name(),
    }
}

fn canonical_int(key: &str, text: &str) -> Result<u64, SignDocError> {
    let bad = || SignDocError::NonCanonicalNumber {
        key: key.into(),
        text: text.into(),
    };
    let digits_ok = !text.is_empty()
        && text.len() <= 19
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if !digits_ok {
        return Err(bad());
    }
    text.parse::<u64>()
        .ok()
        .filter(|&v| v <= i64::MAX as u64)
        .ok_or_else(bad)
}

/// Parses a sign document (the JSON object a DEX front end sends as `bnb_sign` `params[0]`)
/// into a typed transaction. Sign its [`UnsignedTx::sign_bytes`], never the received text.
pub fn parse_sign_doc(text: &str) -> Result<UnsignedTx, SignDocError> {
    let v = json::parse(text).map_err(SignDocError::Json)?;
    sign_doc_from_value(&v, None)
}

/// The keys of a JSON-RPC 2.0 request (docs/walletconnect.md §2).
const REQUEST_KEYS: [&str; 4] = ["id", "jsonrpc", "method", "params"];

/// Parses what a wallet receives for `bnb_sign`: the whole WalletConnect JSON-RPC request
/// (`{"id", "jsonrpc", "method": "bnb_sign", "params": [document]}`, docs/walletconnect.md §2)
/// or the bare sign document, into a typed transaction as [`parse_sign_doc`] does.
///
/// A JSON object with any of the request keys is taken for a request: its method must be
/// `bnb_sign`, it has no other keys, and `params` holds exactly one value, the document as an
/// object. The document is taken from the parsed request, so its numbers keep the text they
/// were written with and are checked as strictly as in a bare document.
pub fn parse_bnb_sign_request(text: &str) -> Result<UnsignedTx, SignDocError> {
    let v = json::parse(text).map_err(SignDocError::Json)?;
    let JsonValue::Object(members) = &v else {
        return sign_doc_from_value(&v, None);
    };
    if !members
        .iter()
        .any(|(k, _)| REQUEST_KEYS.contains(&k.as_str()))
    {
        return sign_doc_from_value(&v, None);
    }
    let request = |why: String| SignDocError::Request(why);
    let get = |key: &str| members.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    match get("method") {
        Some(JsonValue::String(m)) if m == "bnb_sign" => {}
        Some(JsonValue::String(m)) => {
            // The method is hostile text: quoted and escaped, and cut to a readable length.
            let shown: String = m.chars().take(40).collect();
            let more = if shown.len() < m.len() { "…" } else { "" };
            return Err(SignDocError::NotBnbSign(format!("{shown:?}{more}")));
        }
        Some(other) => {
            return Err(request(format!(
                "\"method\" must be a string, found {}",
                other.type_name()
            )));
        }
        None => return Err(request("it has no \"method\"".into())),
    }
    if let Some((k, _)) = members
        .iter()
        .find(|(k, _)| !REQUEST_KEYS.contains(&k.as_str()))
    {
        return Err(request(format!("unexpected key {k:?}")));
    }
    match get("params") {
        None => Err(request(
            "it has no \"params\"; params[0] must be the sign document".into(),
        )),
        Some(JsonValue::Array(params)) => match params.as_slice() {
            [doc @ JsonValue::Object(_)] => sign_doc_from_value(doc, None),
            [other] => Err(request(format!(
                "params[0] must be the sign document as an object, found {}",
                other.type_name()
            ))),
            _ => Err(request(format!(
                "params has {} values; a bnb_sign request carries exactly one, the sign document",
                params.len()
            ))),
        },
        Some(other) => Err(request(format!(
            "\"params\" must be an array, found {}",
            other.type_name()
        ))),
    }
}

/// A parsed sign document as a typed transaction. With `msg_type` (the amino name, known from
/// an unsigned-transaction file) the message must have that type's shape, and freeze and
/// unfreeze are accepted; without it the shape decides and the freeze shape is refused.
pub(crate) fn sign_doc_from_value(
    v: &JsonValue,
    msg_type: Option<&str>,
) -> Result<UnsignedTx, SignDocError> {
    let doc = DocObject::from_value("sign document", v)?;
    doc.expect_keys(&[
        "account_number",
        "chain_id",
        "data",
        "memo",
        "msgs",
        "sequence",
        "source",
    ])?;
    if doc.get("data")? != &JsonValue::Null {
        return Err(SignDocError::DataNotNull);
    }
    let chain_id =
        ChainId::new(doc.string("chain_id")?).map_err(|e| SignDocError::Invalid(e.to_string()))?;
    let msgs = doc.objects("msgs")?;
    let [msg] = msgs.as_slice() else {
        return Err(SignDocError::MessageCount(msgs.len()));
    };
    let msg = match msg_type {
        Some(t) => Msg::from_typed_sign_json(t, msg)?,
        None => Msg::from_sign_json(msg)?,
    };
    let tx = UnsignedTx::new(
        chain_id,
        doc.int_string("account_number")?,
        doc.int_string("sequence")?,
        msg,
    )?
    .with_memo(Memo::new(visible("memo", doc.string("memo")?)?)?)
    .with_source(doc.int_string("source")?)?;
    Ok(tx)
}

/// Whether a terminal shows `c` as something other than itself: DEL and C1 controls, bidirectional
/// controls, zero-width and other invisible format characters, variation selectors, tag
/// characters and fillers that render blank. (C0 controls, `<`, `>`, `&` and U+2028/2029 are
/// shown escaped, as they are signed.)
fn hidden(c: char) -> bool {
    matches!(c as u32,
        0x7f..=0x9f
            | 0xad
            | 0x34f
            | 0x61c
            | 0x115f..=0x1160
            | 0x17b4..=0x17b5
            | 0x180b..=0x180f
            | 0x200b..=0x200f
            | 0x202a..=0x202e
            | 0x2060..=0x206f
            | 0x3164
            | 0xfe00..=0xfe0f
            | 0xfeff
            | 0xffa0
            | 0xfff9..=0xfffb
            | 0x1d173..=0x1d17a
            | 0xe0000..=0xe0fff)
}

/// A received text field that the confirmation can show exactly as it is signed: refuses the
/// characters of [`hidden`] (a `bnb_sign` request is hostile input: a right-to-left override
/// or a zero-width space would make the summary read differently from the signed bytes).
fn visible<'a>(key: &str, text: &'a str) -> Result<&'a str, SignDocError> {
    match text.char_indices().find(|&(_, c)| hidden(c)) {
        None => Ok(text),
        Some((at, c)) => Err(SignDocError::Invalid(format!(
            "{key} has the invisible or direction-changing character U+{:04X} at byte {at}, which would be shown differently from what is signed",
            c as u32
        ))),
    }
}

/// The wallet's answer to `bnb_sign`: hex r‖s and the 65-byte uncompressed public key
/// (docs-site `docs/walletconnect.md`; here docs/walletconnect.md §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BnbSignAnswer {
    /// The signature over the canonical sign bytes.
    pub signature: Signature,
    /// `04 ‖ X ‖ Y`.
    pub public_key: [u8; 65],
}

impl BnbSignAnswer {
    /// `{"publicKey":"04…","signature":"…"}` (keys sorted, as Trust Wallet sends it). The
    /// WalletConnect `result` is this text as a JSON string.
    pub fn to_json(&self) -> String {
        format!(
            "{{\"publicKey\":\"{}\",\"signature\":\"{}\"}}",
            hex::encode(self.public_key),
            self.signature
        )
    }
}

/// Signs a parsed sign document for a `bnb_sign` request. The key must be the signer.
pub fn bnb_sign(key: &PrivateKey, tx: &UnsignedTx) -> Result<BnbSignAnswer, TxError> {
    let signed = tx.sign(key)?;
    Ok(BnbSignAnswer {
        signature: *signed.signature(),
        public_key: signed.pub_key().to_uncompressed(),
    })
}
