//! The signed amino `StdTx` (docs/wire-format.md §4–§6): encoding, strict decoding, hash and
//! verification.

use std::fmt;
use std::str::FromStr;

use super::amino::{self, DecodeError, Reader};
use super::{Memo, Msg, TxError, UnsignedTx};
use crate::address::{Address, ChainId, Hrp, Network};
use crate::hash::sha256;
use crate::keys::PublicKey;
use crate::signature::Signature;

pub(crate) const STD_TX_PREFIX: [u8; 4] = [0xf0, 0x62, 0x5d, 0xee];
pub(crate) const PUBKEY_PREFIX: [u8; 4] = [0xeb, 0x5a, 0xe9, 0x87];

/// A transaction hash: SHA-256 of the whole broadcast bytes, length prefix included.
/// Displays as uppercase hex, as the chain prints it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TxHash([u8; 32]);

impl TxHash {
    /// The hash of broadcast bytes.
    pub fn of(tx_bytes: &[u8]) -> Self {
        Self(sha256(tx_bytes))
    }
    /// The 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for TxHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode_upper(self.0))
    }
}

impl fmt::Debug for TxHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TxHash({self})")
    }
}

impl FromStr for TxHash {
    type Err = DecodeError;
    /// 64 hex characters, either case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut b = [0u8; 32];
        hex::decode_to_slice(s, &mut b).map_err(|_| DecodeError::Hex)?;
        Ok(Self(b))
    }
}

/// A transaction with its one signature, as broadcast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTx {
    msg: Msg,
    pub_key: PublicKey,
    signature: Signature,
    account_number: u64,
    sequence: u64,
    memo: Memo,
    source: u64,
}

/// A transaction whose signature verified for a chain id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedTx {
    /// The transaction as broadcast.
    pub signed: SignedTx,
    /// The signer (the message's signer, which the public key hashes to).
    pub signer: Address,
    /// The transaction hash.
    pub hash: TxHash,
    /// The signed content, with the chain id it verified for.
    pub unsigned: UnsignedTx,
}

impl SignedTx {
    pub(super) fn from_parts(tx: &UnsignedTx, pub_key: PublicKey, signature: Signature) -> Self {
        Self {
            msg: tx.msg().clone(),
            pub_key,
            signature,
            account_number: tx.account_number(),
            sequence: tx.sequence(),
            memo: tx.memo().clone(),
            source: tx.source(),
        }
    }

    /// The message.
    pub fn msg(&self) -> &Msg {
        &self.msg
    }
    /// The signer's public key.
    pub fn pub_key(&self) -> &PublicKey {
        &self.pub_key
    }
    /// The signature (r‖s).
    pub fn signature(&self) -> &Signature {
        &self.signature
    }
    /// The account number.
    pub fn account_number(&self) -> u64 {
        self.account_number
    }
    /// The sequence.
    pub fn sequence(&self) -> u64 {
        self.sequence
    }
    /// The memo.
    pub fn memo(&self) -> &Memo {
        &self.memo
    }
    /// The source.
    pub fn source(&self) -> u64 {
        self.source
    }

    /// The broadcast bytes: `uvarint(len(body)) ‖ body`, body = `F0625DEE ‖ StdTx fields`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(256);
        body.extend_from_slice(&STD_TX_PREFIX);
        amino::put_nested(&mut body, 1, |o| self.msg.encode(o));
        amino::put_nested(&mut body, 2, |o| {
            let mut pk = Vec::with_capacity(38);
            pk.extend_from_slice(&PUBKEY_PREFIX);
            pk.push(33);
            pk.extend_from_slice(&self.pub_key.to_compressed());
            amino::put_bytes(o, 1, &pk);
            amino::put_bytes(o, 2, self.signature.as_bytes());
            amino::put_int(o, 3, self.account_number);
            amino::put_int(o, 4, self.sequence);
        });
        amino::put_bytes(&mut body, 3, self.memo.as_str().as_bytes());
        amino::put_int(&mut body, 4, self.source);
        let mut out = Vec::with_capacity(body.len() + 3);
        amino::put_uvarint(&mut out, body.len() as u64);
        out.extend_from_slice(&body);
        out
    }

    /// Lowercase hex of the broadcast bytes (the HTTP broadcast body).
    pub fn to_hex(&self) -> String {
        hex::encode(self.to_bytes())
    }

    /// The transaction hash.
    pub fn hash(&self) -> TxHash {
        TxHash::of(&self.to_bytes())
    }

    /// Strictly decodes broadcast bytes; addresses get `hrp`. Refuses anything that is not the
    /// canonical encoding of a valid single-message, single-signature transaction.
    pub fn decode(bytes: &[u8], hrp: &Hrp) -> Result<Self, DecodeError> {
        let mut outer = Reader::new(bytes, "transaction");
        let declared = outer.uvarint("the length prefix")?;
        let body = outer.rest();
        match usize::try_from(declared) {
            Ok(d) if d == body.len() => {}
            Ok(d) if d < body.len() => return Err(DecodeError::TrailingBytes(body.len() - d)),
            _ => {
                return Err(DecodeError::LengthMismatch {
                    declared,
                    actual: body.len(),
                });
            }
        }
        let Some((prefix, fields)) = body.split_first_chunk::<4>() else {
            return Err(DecodeError::Truncated("the StdTx prefix"));
        };
        if *prefix != STD_TX_PREFIX {
            return Err(DecodeError::UnknownPrefix {
                what: "transaction",
                prefix: hex::encode(prefix),
                supported: "auth/StdTx (f0625dee)",
            });
        }
        let mut r = Reader::new(fields, "StdTx");
        let mut msgs = Vec::new();
        while let Some(m) = r.repeated(1, "StdTx msg")? {
            msgs.push(m);
        }
        let mut sigs = Vec::new();
        while let Some(s) = r.repeated(2, "StdTx signature")? {
            sigs.push(s);
        }
        let memo = r.string(3, "memo")?;
        let source = r.int(4, "source")?;
        if !r.bytes(5, "data")?.is_empty() {
            return Err(DecodeError::DataNotEmpty);
        }
        r.finish(5)?;
        let (&[msg], &[sig]) = (msgs.as_slice(), sigs.as_slice()) else {
            let (what, count) = if msgs.len() != 1 {
                ("message", msgs.len())
            } else {
                ("signature", sigs.len())
            };
            return Err(DecodeError::Count { what, count });
        };
        let msg = Msg::decode(msg, hrp)?;
        let memo = Memo::new(memo).map_err(|e| DecodeError::Invalid(e.to_string()))?;

        let mut sr = Reader::new(sig, "StdSignature");
        let pk = sr.bytes(1, "pub_key")?;
        let sig_bytes = sr.bytes(2, "signature")?;
        let account_number = sr.int(3, "account_number")?;
        let sequence = sr.int(4, "sequence")?;
        sr.finish(4)?;
        let pub_key = decode_pub_key(pk)?;
        let signature = Signature::from_bytes(sig_bytes).map_err(|_| DecodeError::WrongLength {
            what: "signature",
            expected: 64,
            got: sig_bytes.len(),
        })?;
        let tx = Self {
            msg,
            pub_key,
            signature,
            account_number,
            sequence,
            memo,
            source,
        };
        // Catch-all: whatever slipped past the field checks must still re-encode identically.
        if tx.to_bytes() != bytes {
            return Err(DecodeError::NotCanonical);
        }
        Ok(tx)
    }

    /// [`SignedTx::decode`] of hex text (either case, optional `0x`, surrounding whitespace).
    pub fn from_hex(text: &str, hrp: &Hrp) -> Result<Self, DecodeError> {
        let t = text.trim();
        let t = t.strip_prefix("0x").unwrap_or(t);
        let bytes = hex::decode(t).map_err(|_| DecodeError::Hex)?;
        Self::decode(&bytes, hrp)
    }

    /// The signed content for `chain_id` (the chain id is not in the broadcast bytes).
    /// Runs the same checks as [`UnsignedTx::new`], including the order-id rule.
    pub fn unsigned(&self, chain_id: &ChainId) -> Result<UnsignedTx, TxError> {
        UnsignedTx::new(
            chain_id.clone(),
            self.account_number,
            self.sequence,
            self.msg.clone(),
        )?
        .with_memo(self.memo.clone())
        .with_source(self.source)
    }

    /// Rebuilds the sign bytes for `chain_id` and checks that the public key hashes to the
    /// message's signer and that the signature verifies (low-S only, as the node requires).
    ///
    /// The sign bytes spell addresses in bech32, so the HRP the transaction was decoded with
    /// must be the network's (`bnb` on mainnet, `tbnb` on testnet).
    pub fn verify(&self, chain_id: &ChainId) -> Result<VerifiedTx, TxError> {
        let unsigned = self.unsigned(chain_id)?;
        unsigned.attach_signature(self.pub_key, self.signature)?;
        Ok(VerifiedTx {
            signed: self.clone(),
            signer: unsigned.msg().signer().clone(),
            hash: self.hash(),
            unsigned,
        })
    }

    /// Decodes broadcast bytes and verifies them for `network` in one call (what a node or
    /// `tx decode --verify` needs): [`SignedTx::decode`] with the network's HRP, then
    /// [`SignedTx::verify`] with its chain id.
    pub fn decode_and_verify(bytes: &[u8], network: &Network) -> Result<VerifiedTx, TxError> {
        Self::decode(bytes, network.hrp())?.verify(network.chain_id())
    }
}

/// `EB5AE987 ‖ uvarint(33) ‖ pub33`: amino of `tendermint/PubKeySecp256k1`.
fn decode_pub_key(pk: &[u8]) -> Result<PublicKey, DecodeError> {
    let Some((prefix, rest)) = pk.split_first_chunk::<4>() else {
        return Err(DecodeError::WrongLength {
            what: "pub_key",
            expected: 38,
            got: pk.len(),
        });
    };
    if *prefix != PUBKEY_PREFIX {
        return Err(DecodeError::UnknownPrefix {
            what: "public key",
            prefix: hex::encode(prefix),
            supported: "tendermint/PubKeySecp256k1 (eb5ae987)",
        });
    }
    let mut r = Reader::new(rest, "pub_key");
    let len = r.uvarint("the public key length")?;
    let key = r.rest();
    if len != 33 || key.len() != 33 {
        return Err(DecodeError::WrongLength {
            what: "secp256k1 public key",
            expected: 33,
            got: key.len(),
        });
    }
    PublicKey::from_sec1(key).map_err(|e| DecodeError::Invalid(e.to_string()))
}
