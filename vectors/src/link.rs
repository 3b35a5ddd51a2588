//! Checks for the `link-proof` vector type (`docs/link-proofs.md`).

use super::{ErrorKind, Failure, Fields, expect_eq, keys::private_key};
use dexlink::address::{Address, ChainId, Hrp, Network};
use dexlink::link::{self, Expectations, LinkError, LinkMessage, LinkProof, Nonce};
use dexlink::signature::Signature;
use dexlink::time::Timestamp;

fn op(e: LinkError) -> Failure {
    Failure::op(ErrorKind::InvalidMessage, e)
}

/// The fields of a vector built into a message and the verifier's expectations.
struct Built {
    key: dexlink::keys::PrivateKey,
    msg: LinkMessage,
    expect: Expectations,
}

/// Builds the message and the expectations from the vector's fields (the construction stage).
fn construct(f: &Fields<'_>) -> Result<Built, Failure> {
    let key = private_key(f)?;
    let hrp = Hrp::new(f.str("hrp")?).map_err(|e| Failure::op(ErrorKind::InvalidAddress, e))?;
    let address = key.address(&hrp);
    if let Some(given) = f.opt_str("address")? {
        let given = Address::parse(given).map_err(|e| Failure::op(ErrorKind::InvalidAddress, e))?;
        expect_eq("address", given.to_string(), address.to_string())?;
    }
    let chain_id =
        ChainId::new(f.str("chain_id")?).map_err(|e| op(LinkError::InvalidField(e.to_string())))?;
    let ts = |k: &str| -> Result<Timestamp, Failure> {
        Timestamp::parse(f.str(k)?).map_err(|e| op(LinkError::InvalidField(e.to_string())))
    };
    let msg = LinkMessage {
        domain: f.str("domain")?.into(),
        address,
        statement: f.opt_str("statement")?.map(str::to_string),
        uri: f.str("uri")?.into(),
        chain_id: chain_id.clone(),
        nonce: Nonce::new(f.str("nonce")?).map_err(op)?,
        issued_at: ts("issued_at")?,
        expiration_time: ts("expiration_time")?,
    };
    msg.validate().map_err(op)?;
    let expect = Expectations {
        domain: msg.domain.clone(),
        uri: msg.uri.clone(),
        network: Network::custom(chain_id, hrp),
    };
    Ok(Built { key, msg, expect })
}

/// Verifies the vector's own `message` and `signature` (under the key of `private_key`) as a
/// DEX would, with the nonce accepted and the clock at `now` (the verification stage).
fn verify_given(
    f: &Fields<'_>,
    key: &dexlink::keys::PrivateKey,
    expect: &Expectations,
    now: Timestamp,
) -> Result<(), Failure> {
    let given = LinkProof {
        public_key: key.public_key(),
        signature: Signature::from_hex(f.str("signature")?)
            .map_err(|e| Failure::op(ErrorKind::InvalidSignature, e))?,
    };
    link::verify(f.str("message")?, &given.to_json(), expect, now, |_, _| {
        true
    })
    .map(drop)
    .map_err(op)
}

/// A verifier's view of a vector whose fields cannot be built: the DEX's own domain, URI and
/// network taken from the fields as text (no rule applied), the clock at the message's
/// `Issued At` as text, so that only `link::verify` judges the message.
fn verify_unbuilt(f: &Fields<'_>) -> Result<(), Failure> {
    let key = private_key(f)?;
    let hrp = Hrp::new(f.str("hrp")?).map_err(|e| Failure::op(ErrorKind::InvalidAddress, e))?;
    let Ok(chain_id) = ChainId::new(f.str("chain_id")?) else {
        // No DEX runs on an invalid chain id: there is nothing to verify against.
        return Err(op(LinkError::InvalidField("chain_id".into())));
    };
    let expect = Expectations {
        domain: f.str("domain")?.into(),
        uri: f.str("uri")?.into(),
        network: Network::custom(chain_id, hrp),
    };
    // Any valid clock will do: a message that verifies at some instant is the failure.
    let now = Timestamp::parse(f.str("issued_at")?)
        .or_else(|_| Timestamp::parse("2026-01-01T00:00:00Z"))
        .map_err(|e| Failure::Malformed(e.to_string()))?;
    verify_given(f, &key, &expect, now)
}

/// `link-proof`: builds the message from its fields; verifies the vector's own `message` and
/// `signature` (under the key of `private_key`) as a DEX would, with the nonce accepted and the
/// clock at `issued_at`; then compares the text, the sign bytes and the signature with ours.
/// Verifying the vector's values, not our own, is what lets invalid vectors (a non-canonical
/// message, another key's signature) fail with `invalid-message` rather than as a mismatch.
///
/// A vector with `expect_error` must also say where it fails (`expect_stage`):
/// * `construction`: building the message from the fields fails (with the kind the runner then
///   compares), and the vector's signed message is refused by `link::verify` as well;
/// * `verification`: the fields build, and `link::verify` refuses the message or signature.
///
/// Failing at the other stage is a mismatch whatever the kind.
pub(super) fn check_link_proof(f: &Fields<'_>) -> Result<(), Failure> {
    let stage = f.opt_str("expect_stage")?;
    if f.opt_str("expect_error")?.is_some() && stage.is_none() {
        return Err(Failure::Malformed(
            "a link-proof vector with expect_error must name its expect_stage (construction or verification)".into(),
        ));
    }
    match stage {
        None => {}
        Some("construction") => {
            return match construct(f) {
                Ok(_) => Err(Failure::mismatch(
                    "stage",
                    "construction refuses the fields",
                    "the fields build a message",
                )),
                Err(Failure::Op(kind, detail)) => match verify_unbuilt(f) {
                    Err(Failure::Op(..)) => Err(Failure::Op(kind, detail)),
                    Err(other) => Err(other),
                    Ok(()) => Err(Failure::mismatch(
                        "stage",
                        "the signed message is refused by verification too",
                        "link::verify accepted it",
                    )),
                },
                Err(other) => Err(other),
            };
        }
        Some("verification") => {
            let built = match construct(f) {
                Ok(b) => b,
                Err(e) => {
                    return Err(Failure::mismatch(
                        "stage",
                        "verification (the fields build)",
                        format!("construction failed: {e}"),
                    ));
                }
            };
            return verify_given(f, &built.key, &built.expect, built.msg.issued_at);
        }
        Some(other) => {
            return Err(Failure::Malformed(format!(
                "expect_stage {other:?}; use construction or verification"
            )));
        }
    }
    let Built { key, msg, expect } = construct(f)?;
    verify_given(f, &key, &expect, msg.issued_at)?;
    let message = f.str("message")?;
    let text = msg.to_text();
    expect_eq("message", message, text.as_str())?;
    let sign_bytes = String::from_utf8(msg.sign_bytes()).expect("sign bytes are ASCII");
    if let Some(want) = f.opt_str("sign_bytes")? {
        expect_eq("sign_bytes", want, sign_bytes.as_str())?;
    }
    let proof = msg.sign(&key).map_err(op)?;
    expect_eq(
        "signature",
        f.str("signature")?,
        proof.signature.to_string().as_str(),
    )?;
    Ok(())
}
