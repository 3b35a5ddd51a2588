//! Checks for the `link-proof` vector type (`link.md`).

use super::{ErrorKind, Failure, Fields, expect_eq, keys::private_key};
use crate::address::{Address, ChainId, Hrp, Network};
use crate::link::{self, Expectations, LinkError, LinkMessage, LinkProof, Nonce};
use crate::signature::Signature;
use crate::time::Timestamp;

fn op(e: LinkError) -> Failure {
    Failure::op(ErrorKind::InvalidMessage, e)
}

/// `link-proof`: builds the message from its fields; verifies the vector's own `message` and
/// `signature` (under the key of `private_key`) as a DEX would, with the nonce accepted and the
/// clock at `issued_at`; then compares the text, the sign bytes and the signature with ours.
/// Verifying the vector's values, not our own, is what lets invalid vectors (a non-canonical
/// message, another key's signature) fail with `invalid-message` rather than as a mismatch.
pub(super) fn check_link_proof(f: &Fields<'_>) -> Result<(), Failure> {
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
    let given = LinkProof {
        public_key: key.public_key(),
        signature: Signature::from_hex(f.str("signature")?)
            .map_err(|e| Failure::op(ErrorKind::InvalidSignature, e))?,
    };
    let message = f.str("message")?;
    link::verify(message, &given.to_json(), &expect, msg.issued_at, |_, _| {
        true
    })
    .map_err(op)?;
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
