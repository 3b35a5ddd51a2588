//! Unsigned-transaction files for air-gapped signing (`docs/unsigned-tx.md`).
//!
//! An online machine writes the transaction it would sign; an offline machine reads it, shows
//! it, signs it and gives back the broadcast hex. Two shapes are read:
//!
//! * ours, version 1: `{"format":"dexlink/unsigned-tx","version":1,"msg_type":"…",
//!   "sign_doc":{…}}` — the complete sign document plus the message's amino type name, which
//!   the sign document does not carry (freeze and unfreeze sign the same JSON);
//! * bnbcli's `--generate-only` output, an amino-JSON `auth/StdTx` without signatures, which
//!   lacks the chain id, account number and sequence: those come from [`TxNumbers`].
//!
//! Whatever the file says, what gets signed is this SDK's canonical re-serialisation of the
//! parsed transaction, so what is shown before signing is what is signed.

use thiserror::Error;

use super::UnsignedTx;
use super::json::{self, JsonValue};
use super::sign_doc::{DocObject, SignDocError, sign_doc_from_value};
use crate::address::ChainId;

/// The `format` value of our unsigned-transaction files.
pub const UNSIGNED_TX_FORMAT: &str = "dexlink/unsigned-tx";
/// The version of the format this SDK writes and reads.
pub const UNSIGNED_TX_VERSION: u64 = 1;

/// Numbers given apart from the file: required for a bnbcli file (which lacks them), and
/// checked against ours (a mismatch is refused rather than silently preferred).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TxNumbers {
    /// The chain id to sign for.
    pub chain_id: Option<ChainId>,
    /// The account number.
    pub account_number: Option<u64>,
    /// The account's current sequence.
    pub sequence: Option<u64>,
}

/// Why an unsigned-transaction file was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum UnsignedTxError {
    /// Not JSON.
    #[error("the unsigned transaction is not valid JSON: {0}")]
    Json(String),
    /// Neither of the two shapes.
    #[error(
        "not an unsigned transaction: expected a dexlink file ({{\"format\":\"dexlink/unsigned-tx\",…}}) or a bnbcli generate-only StdTx ({{\"type\":\"auth/StdTx\",…}})"
    )]
    UnknownFormat,
    /// A version of our format this SDK does not read.
    #[error("unsigned-transaction format version {0} is not supported; this version reads 1")]
    Version(String),
    /// The file already carries signatures.
    #[error("the transaction already carries signatures; it needs no signing")]
    AlreadySigned,
    /// A number the file does not carry and that was not given separately.
    #[error("the file does not carry the {0}; give it separately")]
    Missing(&'static str),
    /// A number given separately that disagrees with the file.
    #[error("the file says {what} {in_file} but {given} was given")]
    Conflict {
        /// Which number.
        what: &'static str,
        /// The file's value.
        in_file: String,
        /// The value given.
        given: String,
    },
    /// The transaction inside is not a valid one.
    #[error(transparent)]
    Doc(#[from] SignDocError),
}

impl UnsignedTx {
    /// This transaction as a version-1 unsigned-transaction file (one line of JSON).
    pub fn to_unsigned_json(&self) -> String {
        let mut s = String::with_capacity(640);
        s.push_str("{\"format\":");
        json::push_string(&mut s, UNSIGNED_TX_FORMAT);
        s.push_str(&format!(",\"version\":{UNSIGNED_TX_VERSION},\"msg_type\":"));
        json::push_string(&mut s, self.msg().amino_name());
        s.push_str(",\"sign_doc\":");
        s.push_str(&self.sign_json());
        s.push('}');
        s
    }
}

/// Reads an unsigned-transaction file: ours (numbers given in `numbers` must agree with it) or
/// bnbcli's generate-only StdTx (chain id, account number and sequence must be in `numbers`).
pub fn parse_unsigned_tx(text: &str, numbers: &TxNumbers) -> Result<UnsignedTx, UnsignedTxError> {
    let v = json::parse(text).map_err(UnsignedTxError::Json)?;
    let JsonValue::Object(members) = &v else {
        return Err(UnsignedTxError::UnknownFormat);
    };
    let has = |k: &str| members.iter().any(|(m, _)| m == k);
    let top = DocObject::from_value("unsigned transaction", &v)?;
    if has("format") {
        if top.string("format")? != UNSIGNED_TX_FORMAT {
            return Err(UnsignedTxError::UnknownFormat);
        }
        top.expect_keys(&["format", "msg_type", "sign_doc", "version"])?;
        match top.get("version")? {
            JsonValue::Number(n) if n == "1" => {}
            JsonValue::Number(n) => return Err(UnsignedTxError::Version(n.clone())),
            other => return Err(UnsignedTxError::Version(format!("{other:?}"))),
        }
        let tx = sign_doc_from_value(top.get("sign_doc")?, Some(top.string("msg_type")?))?;
        check_agrees(
            "chain id",
            tx.chain_id().as_str(),
            numbers.chain_id.as_ref().map(|c| c.as_str().to_string()),
        )?;
        check_agrees(
            "account number",
            &tx.account_number().to_string(),
            numbers.account_number.map(|n| n.to_string()),
        )?;
        check_agrees(
            "sequence",
            &tx.sequence().to_string(),
            numbers.sequence.map(|n| n.to_string()),
        )?;
        return Ok(tx);
    }
    if has("type") && top.string("type")? == "auth/StdTx" {
        top.expect_keys(&["type", "value"])?;
        return from_std_tx(top.get("value")?, numbers);
    }
    Err(UnsignedTxError::UnknownFormat)
}

fn check_agrees(
    what: &'static str,
    in_file: &str,
    given: Option<String>,
) -> Result<(), UnsignedTxError> {
    match given {
        Some(g) if g != in_file => Err(UnsignedTxError::Conflict {
            what,
            in_file: in_file.to_string(),
            given: g,
        }),
        _ => Ok(()),
    }
}

/// bnbcli's amino-JSON StdTx value → our sign document, then the strict sign-document parser.
fn from_std_tx(value: &JsonValue, numbers: &TxNumbers) -> Result<UnsignedTx, UnsignedTxError> {
    let std_tx = DocObject::from_value("value", value)?;
    std_tx.expect_keys(&["data", "memo", "msg", "signatures", "source"])?;
    if !matches!(std_tx.get("signatures")?, JsonValue::Null)
        && std_tx.get("signatures")? != &JsonValue::Array(Vec::new())
    {
        return Err(UnsignedTxError::AlreadySigned);
    }
    let msgs = std_tx.objects("msg")?;
    let [msg] = msgs.as_slice() else {
        return Err(SignDocError::MessageCount(msgs.len()).into());
    };
    msg.expect_keys(&["type", "value"])?;
    let msg_type = msg.string("type")?;
    let body = amino_ints_to_numbers(msg.get("value")?);
    // Amino JSON writes int64 as a string; the sign document wants the same string form.
    let source = match std_tx.get("source")? {
        JsonValue::Number(n) => n.clone(),
        _ => std_tx.string("source")?.to_string(),
    };
    let chain_id = numbers
        .chain_id
        .as_ref()
        .ok_or(UnsignedTxError::Missing("chain id"))?;
    let account_number = numbers
        .account_number
        .ok_or(UnsignedTxError::Missing("account number"))?;
    let sequence = numbers
        .sequence
        .ok_or(UnsignedTxError::Missing("sequence"))?;
    let doc = JsonValue::Object(vec![
        (
            "account_number".into(),
            JsonValue::String(account_number.to_string()),
        ),
        (
            "chain_id".into(),
            JsonValue::String(chain_id.as_str().to_string()),
        ),
        ("data".into(), std_tx.get("data")?.clone()),
        ("memo".into(), std_tx.get("memo")?.clone()),
        ("msgs".into(), JsonValue::Array(vec![body])),
        ("sequence".into(), JsonValue::String(sequence.to_string())),
        ("source".into(), JsonValue::String(source)),
    ]);
    Ok(sign_doc_from_value(&doc, Some(msg_type))?)
}

/// Amino JSON writes the int64 amounts (`amount`, `price`, `quantity`) as strings where the
/// sign document (Go `encoding/json`) has numbers; the strict number check still applies after.
fn amino_ints_to_numbers(v: &JsonValue) -> JsonValue {
    match v {
        JsonValue::Object(members) => JsonValue::Object(
            members
                .iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("amount" | "price" | "quantity", JsonValue::String(s)) => {
                            JsonValue::Number(s.clone())
                        }
                        _ => amino_ints_to_numbers(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        JsonValue::Array(items) => {
            JsonValue::Array(items.iter().map(amino_ints_to_numbers).collect())
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::Address;
    use crate::amount::Fixed8;
    use crate::tx::msg::{Msg, TokenFreeze};

    const ADDR: &str = "tbnb1hgm0p7khfk85zpz5v0j8wnej3a90w709zzlffd";

    fn freeze(unfreeze: bool) -> UnsignedTx {
        let m = TokenFreeze::new(
            Address::parse(ADDR).unwrap(),
            "BNB",
            Fixed8::parse("1.5").unwrap(),
        )
        .unwrap();
        let msg = if unfreeze {
            Msg::Unfreeze(m)
        } else {
            Msg::Freeze(m)
        };
        UnsignedTx::new(ChainId::new("Binance-Chain-Ganges").unwrap(), 7, 3, msg).unwrap()
    }

    #[test]
    fn our_format_round_trips_and_keeps_freeze_apart_from_unfreeze() {
        for unfreeze in [false, true] {
            let tx = freeze(unfreeze);
            let text = tx.to_unsigned_json();
            assert_eq!(parse_unsigned_tx(&text, &TxNumbers::default()), Ok(tx));
        }
        assert_eq!(
            freeze(true).to_unsigned_json(),
            format!(
                "{{\"format\":\"dexlink/unsigned-tx\",\"version\":1,\"msg_type\":\"tokens/UnfreezeMsg\",\"sign_doc\":{{\"account_number\":\"7\",\"chain_id\":\"Binance-Chain-Ganges\",\"data\":null,\"memo\":\"\",\"msgs\":[{{\"amount\":150000000,\"from\":\"{ADDR}\",\"symbol\":\"BNB\"}}],\"sequence\":\"3\",\"source\":\"0\"}}}}"
            )
        );
    }

    #[test]
    fn our_format_refuses_conflicts_other_versions_and_wrong_shapes() {
        let text = freeze(false).to_unsigned_json();
        let numbers = TxNumbers {
            sequence: Some(4),
            ..TxNumbers::default()
        };
        assert_eq!(
            parse_unsigned_tx(&text, &numbers),
            Err(UnsignedTxError::Conflict {
                what: "sequence",
                in_file: "3".into(),
                given: "4".into()
            })
        );
        assert_eq!(
            parse_unsigned_tx(&text.replace("\"version\":1", "\"version\":2"), &numbers),
            Err(UnsignedTxError::Version("2".into()))
        );
        assert_eq!(
            parse_unsigned_tx(
                &text.replace("tokens/FreezeMsg", "dex/CancelOrder"),
                &TxNumbers::default()
            ),
            Err(UnsignedTxError::Doc(SignDocError::TypeShapeMismatch {
                type_name: "dex/CancelOrder".into(),
                keys: "amount,from,symbol".into()
            }))
        );
        assert_eq!(
            parse_unsigned_tx("[1]", &TxNumbers::default()),
            Err(UnsignedTxError::UnknownFormat)
        );
        // Burn signs the freeze shape too; a type this SDK does not build is refused by name.
        assert_eq!(
            parse_unsigned_tx(
                &text.replace("tokens/FreezeMsg", "tokens/BurnMsg"),
                &TxNumbers::default()
            ),
            Err(UnsignedTxError::Doc(SignDocError::UnknownType(
                "tokens/BurnMsg".into()
            )))
        );
        // Unknown keys are refused, not ignored: nothing unsigned rides along unseen.
        assert_eq!(
            parse_unsigned_tx(
                &text.replace("\"version\":1", "\"version\":1,\"note\":\"x\""),
                &TxNumbers::default()
            ),
            Err(UnsignedTxError::Doc(SignDocError::UnknownKey(
                "note".into()
            )))
        );
    }

    /// The shape bnbcli prints for `bnbcli token freeze --generate-only` (amino JSON: int64 as
    /// strings, no account number, sequence or chain id).
    #[test]
    fn bnbcli_generate_only_needs_the_numbers_and_gives_the_same_tx() {
        let text = format!(
            "{{\"type\":\"auth/StdTx\",\"value\":{{\"msg\":[{{\"type\":\"tokens/FreezeMsg\",\"value\":{{\"from\":\"{ADDR}\",\"symbol\":\"BNB\",\"amount\":\"150000000\"}}}}],\"signatures\":null,\"memo\":\"\",\"source\":\"0\",\"data\":null}}}}"
        );
        assert_eq!(
            parse_unsigned_tx(&text, &TxNumbers::default()),
            Err(UnsignedTxError::Missing("chain id"))
        );
        let numbers = TxNumbers {
            chain_id: Some(ChainId::new("Binance-Chain-Ganges").unwrap()),
            account_number: Some(7),
            sequence: Some(3),
        };
        assert_eq!(parse_unsigned_tx(&text, &numbers), Ok(freeze(false)));
        let signed = text.replace("null,\"memo\"", "[{\"x\":1}],\"memo\"");
        assert_eq!(
            parse_unsigned_tx(&signed, &numbers),
            Err(UnsignedTxError::AlreadySigned)
        );
    }
}
