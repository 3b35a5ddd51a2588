//! Checks for the `token-recover` vector type (BEP-333 recovery requests).

use serde_json::Value;

use super::{ErrorKind, Failure, Fields, expect_eq, keys::private_key};
use dexlink::recover::{
    EvmAddress, RecoverAmount, RecoverChain, RecoverError, RecoverRequest, SignedRecoverRequest,
    TokenSymbol,
};

/// The vector error kind for a recovery error.
fn kind(e: &RecoverError) -> ErrorKind {
    match e {
        RecoverError::SymbolEmpty
        | RecoverError::SymbolTooLong(..)
        | RecoverError::SymbolCharset(_) => ErrorKind::InvalidSymbol,
        RecoverError::AmountZero(_)
        | RecoverError::AmountPrecision(_)
        | RecoverError::AmountOverflow(_)
        | RecoverError::AmountSyntax(_) => ErrorKind::InvalidAmount,
        RecoverError::RecipientFormat(_) | RecoverError::RecipientChecksum(_) => {
            ErrorKind::InvalidAddress
        }
        RecoverError::Chain(_) | RecoverError::Message(_) => ErrorKind::InvalidMessage,
        RecoverError::PublicKey(_) => ErrorKind::InvalidPublicKey,
        RecoverError::SignatureFormat(_) | RecoverError::HighS | RecoverError::BadSignature => {
            ErrorKind::InvalidSignature
        }
        // A variant added to the SDK after this list.
        _ => ErrorKind::InvalidMessage,
    }
}

fn op(e: RecoverError) -> Failure {
    Failure::op(kind(&e), e)
}

/// `amount` is an integer of 10^-8 units; a string is parsed as a decimal (`"0.00001"`), so that
/// files can also exercise the decimal parser's refusals.
fn amount(f: &Fields<'_>) -> Result<RecoverAmount, Failure> {
    match f.get("amount") {
        Some(Value::String(s)) => RecoverAmount::parse_decimal(s).map_err(op),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(u) => RecoverAmount::from_units(u).map_err(op),
            None => Err(op(RecoverError::AmountOverflow(n.to_string()))),
        },
        _ => Err(Failure::Malformed("missing field \"amount\"".into())),
    }
}

/// `token-recover`: builds the message from its parts and compares it byte for byte; then either
/// signs with `private_key` and compares `signature`, or verifies a published `signature` under
/// `public_key` and checks the proven `address`.
pub(super) fn check_token_recover(f: &Fields<'_>) -> Result<(), Failure> {
    let chain = RecoverChain::from_chain_id(f.str("chain_id")?).map_err(op)?;
    let symbol = TokenSymbol::new(f.str("token_symbol")?).map_err(op)?;
    let amount = amount(f)?;
    let recipient = EvmAddress::parse(f.str("recipient")?).map_err(op)?;
    let req = RecoverRequest {
        chain,
        symbol,
        amount,
        recipient,
    };
    let message = req.message();
    expect_eq("message", f.str("message")?, message.as_str())?;
    let signed = if f.has("private_key") {
        let signed = req.sign(&private_key(f)?);
        expect_eq(
            "signature",
            f.str("signature")?.trim_start_matches("0x"),
            signed.signature.to_string().as_str(),
        )?;
        signed
    } else {
        SignedRecoverRequest::verify(&message, f.str("public_key")?, f.str("signature")?)
            .map_err(op)?
    };
    // Whatever produced it, the signature must verify as the approver checks it.
    let verified = SignedRecoverRequest::verify(
        &message,
        &signed.public_key.to_string(),
        &signed.signature.to_string(),
    )
    .map_err(op)?;
    if let Some(addr) = f.opt_str("address")? {
        expect_eq("address", addr, verified.address().to_string().as_str())?;
    }
    Ok(())
}
