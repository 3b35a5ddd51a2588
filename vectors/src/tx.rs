//! The `tx` vector type (docs/test-vectors.md): build, sign, encode, hash, decode and verify one
//! Binance Chain transaction, checking every value the vector gives.
//!
//! A vector without `msg` is decode-only: `tx_hex` must decode strictly and re-encode to the
//! same bytes (or fail with `expect_error: invalid-tx`); with `chain_id` it is also verified.

use serde_json::Value;

use super::keys::private_key;
use super::{ErrorKind, Failure, Fields, expect_eq};
use dexlink::address::{Address, ChainId, Hrp};
use dexlink::amount::Fixed8;
use dexlink::tx::{
    CancelOrder, Coin, DecodeError, Memo, Msg, NewOrder, OrderId, OrderType, Send, SendEntry, Side,
    SignedTx, TimeInForce, TokenFreeze, TxError, UnsignedTx,
};

fn tx_failure(e: TxError) -> Failure {
    let kind = match e {
        TxError::ZeroAmount(_) | TxError::SumOverflow(_) | TxError::Unbalanced(_) => {
            ErrorKind::InvalidAmount
        }
        TxError::MixedHrp { .. } => ErrorKind::InvalidAddress,
        TxError::Decode(_) => ErrorKind::InvalidTx,
        TxError::BadSignature { .. } | TxError::PubKeyMismatch { .. } => {
            ErrorKind::InvalidSignature
        }
        _ => ErrorKind::InvalidTx,
    };
    Failure::op(kind, e)
}

fn decode_failure(e: DecodeError) -> Failure {
    Failure::op(ErrorKind::InvalidTx, e)
}

fn invalid_tx(e: impl std::fmt::Display) -> Failure {
    Failure::op(ErrorKind::InvalidTx, e)
}

/// An integer amount field (×10^8). Negative and ≥ 2^63 are amount errors, not malformed.
fn amount(f: &Fields<'_>, key: &str) -> Result<Fixed8, Failure> {
    match f.get(key) {
        Some(v) if v.as_i64().is_some() => Fixed8::from_units(v.as_i64().unwrap_or_default())
            .map_err(|e| Failure::op(ErrorKind::InvalidAmount, e)),
        Some(v) if v.as_u64().is_some() => Err(Failure::op(
            ErrorKind::InvalidAmount,
            format!("{key} {v} overflows int64"),
        )),
        _ => Err(Failure::Malformed(format!(
            "missing integer field \"{key}\""
        ))),
    }
}

fn objects<'a>(f: &Fields<'a>, key: &str) -> Result<Vec<Fields<'a>>, Failure> {
    let arr = f
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| Failure::Malformed(format!("missing array field \"{key}\"")))?;
    arr.iter()
        .map(|v| {
            v.as_object()
                .map(Fields::new)
                .ok_or_else(|| Failure::Malformed(format!("\"{key}\" holds a non-object")))
        })
        .collect()
}

fn entries(f: &Fields<'_>, key: &str) -> Result<Vec<SendEntry>, Failure> {
    objects(f, key)?
        .iter()
        .map(|e| {
            let address = Address::parse(e.str("address")?)
                .map_err(|err| Failure::op(ErrorKind::InvalidAddress, err))?;
            let coins = objects(e, "coins")?
                .iter()
                .map(|c| Ok(Coin::new(c.str("denom")?, amount(c, "amount")?)))
                .collect::<Result<_, Failure>>()?;
            Ok(SendEntry::new(address, coins))
        })
        .collect()
}

fn build_msg(m: &Fields<'_>, signer: &Address, sequence: u64) -> Result<Msg, Failure> {
    let code = |key: &str| m.u64(key);
    Ok(match m.str("kind")? {
        "new_order" => {
            let id = match m.opt_str("id")? {
                Some(text) => OrderId::parse(text).map_err(invalid_tx)?,
                None => OrderId::new(signer, sequence)
                    .ok_or_else(|| invalid_tx("sequence out of range"))?,
            };
            Msg::NewOrder(NewOrder {
                sender: signer.clone(),
                id,
                symbol: m.str("symbol")?.into(),
                order_type: OrderType::from_code(code("order_type")?).map_err(invalid_tx)?,
                side: Side::from_code(code("side")?).map_err(invalid_tx)?,
                price: amount(m, "price")?,
                quantity: amount(m, "quantity")?,
                time_in_force: TimeInForce::from_code(code("time_in_force")?)
                    .map_err(invalid_tx)?,
            })
        }
        "cancel_order" => Msg::CancelOrder(
            CancelOrder::new(
                signer.clone(),
                m.str("symbol")?,
                OrderId::parse(m.str("refid")?).map_err(invalid_tx)?,
            )
            .map_err(tx_failure)?,
        ),
        "send" => {
            let outputs = entries(m, "outputs")?;
            let send = if m.has("inputs") {
                Send::new(entries(m, "inputs")?, outputs)
            } else {
                Send::from_outputs(signer.clone(), outputs)
            };
            Msg::Send(send.map_err(tx_failure)?)
        }
        kind @ ("freeze" | "unfreeze") => {
            let body = TokenFreeze::new(signer.clone(), m.str("symbol")?, amount(m, "amount")?)
                .map_err(tx_failure)?;
            if kind == "freeze" {
                Msg::Freeze(body)
            } else {
                Msg::Unfreeze(body)
            }
        }
        other => return Err(Failure::Malformed(format!("unknown msg kind \"{other}\""))),
    })
}

fn hrp_for(f: &Fields<'_>, chain_id: Option<&ChainId>) -> Result<Hrp, Failure> {
    match f.opt_str("hrp")? {
        Some(h) => Hrp::new(h).map_err(|e| Failure::op(ErrorKind::InvalidAddress, e)),
        None => Ok(chain_id.map_or_else(Hrp::testnet, ChainId::default_hrp)),
    }
}

fn chain_id(f: &Fields<'_>) -> Result<Option<ChainId>, Failure> {
    f.opt_str("chain_id")?
        .map(|c| ChainId::new(c).map_err(invalid_tx))
        .transpose()
}

/// Decodes `tx_hex`, checks it re-encodes identically and matches `tx_hash` when given.
fn check_decoding(f: &Fields<'_>, hrp: &Hrp) -> Result<Option<SignedTx>, Failure> {
    let Some(text) = f.opt_str("tx_hex")? else {
        return Ok(None);
    };
    let bytes = hex::decode(text)
        .map_err(|e| Failure::Malformed(format!("field \"tx_hex\" is not hex: {e}")))?;
    let decoded = SignedTx::decode(&bytes, hrp).map_err(decode_failure)?;
    expect_eq(
        "re-encoding of tx_hex",
        hex::encode(&bytes),
        decoded.to_hex(),
    )?;
    if let Some(h) = f.opt_str("tx_hash")? {
        expect_eq(
            "tx_hash",
            h.to_ascii_uppercase(),
            decoded.hash().to_string(),
        )?;
    }
    Ok(Some(decoded))
}

/// `tx`: see the module documentation.
pub(super) fn check_tx(f: &Fields<'_>) -> Result<(), Failure> {
    let chain = chain_id(f)?;
    let hrp = hrp_for(f, chain.as_ref())?;
    if !f.has("msg") {
        let decoded = check_decoding(f, &hrp)?
            .ok_or_else(|| Failure::Malformed("a tx vector needs \"msg\" or \"tx_hex\"".into()))?;
        if let Some(c) = &chain {
            decoded.verify(c).map_err(tx_failure)?;
        }
        return Ok(());
    }
    let chain =
        chain.ok_or_else(|| Failure::Malformed("missing string field \"chain_id\"".into()))?;
    let key = private_key(f)?;
    let signer = key.address(&hrp);
    let opt = |k: &str| f.opt_u64(k).map(Option::unwrap_or_default);
    let sequence = opt("sequence")?;
    let msg = build_msg(&f.object("msg")?, &signer, sequence)?;
    let memo = Memo::new(f.opt_str("memo")?.unwrap_or("")).map_err(tx_failure)?;
    let source = opt("source")?;
    let tx = UnsignedTx::new(chain.clone(), opt("account_number")?, sequence, msg)
        .and_then(|t| t.with_memo(memo).with_source(source))
        .map_err(tx_failure)?;
    if let Some(sb) = f.opt_str("sign_bytes")? {
        expect_eq("sign_bytes", sb.to_string(), tx.sign_json())?;
    }
    let signed = tx.sign(&key).map_err(tx_failure)?;
    if let Some(sig) = f.opt_str("signature")? {
        expect_eq(
            "signature",
            sig.to_ascii_lowercase(),
            signed.signature().to_string(),
        )?;
    }
    if let Some(text) = f.opt_str("tx_hex")? {
        expect_eq("tx_hex", text.to_ascii_lowercase(), signed.to_hex())?;
    }
    if let Some(h) = f.opt_str("tx_hash")? {
        expect_eq("tx_hash", h.to_ascii_uppercase(), signed.hash().to_string())?;
    }
    if let Some(decoded) = check_decoding(f, &hrp)?
        && decoded != signed
    {
        return Err(Failure::mismatch(
            "decoded transaction",
            format!("{signed:?}"),
            format!("{decoded:?}"),
        ));
    }
    let verified = signed.verify(&chain).map_err(tx_failure)?;
    expect_eq(
        "verified signer",
        signer.to_string(),
        verified.signer.to_string(),
    )
}
