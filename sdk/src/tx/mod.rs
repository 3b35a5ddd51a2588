//! Binance Chain transactions, byte for byte (docs/sign-docs.md, docs/wire-format.md, docs/orders-and-amounts.md).
//!
//! * [`UnsignedTx`]: chain id, account number, sequence, source, memo and exactly one [`Msg`];
//!   its [`UnsignedTx::sign_bytes`] are the canonical sign document (Go `encoding/json` rules).
//! * [`SignedTx`]: the amino `StdTx` with one signature; [`SignedTx::to_bytes`] gives the
//!   length-prefixed broadcast bytes, [`SignedTx::hash`] the [`TxHash`],
//!   [`SignedTx::decode`] strictly decodes broadcast bytes and [`SignedTx::verify`] rebuilds the
//!   sign bytes for a chain id and checks signature and signer.
//! * [`parse_sign_doc`] / [`bnb_sign`]: sign documents received from a DEX front end over
//!   WalletConnect (docs/walletconnect.md §2).
//!
//! Numbers that the chain stores as int64 (account number, sequence, source) are `u64` here
//! and refused above `i64::MAX`.

mod amino;
pub mod json;
mod msg;
mod order;
pub(crate) mod sign_doc;
mod std_tx;
mod text;
mod unsigned;

use std::fmt::Write as _;

use thiserror::Error;

pub use amino::DecodeError;
pub use msg::{
    CancelOrder, Coin, IntoMsg, LimitOrder, Msg, NewOrder, Send, SendEntry, TokenFreeze,
};
pub use order::{Market, OrderError, OrderId, OrderType, Side, TimeInForce};
pub use sign_doc::{BnbSignAnswer, SignDocError, bnb_sign, parse_bnb_sign_request, parse_sign_doc};
pub use std_tx::{SignedTx, TxHash, VerifiedTx};
pub use text::{MAX_MEMO_BYTES, Memo};
pub use unsigned::{
    TxNumbers, UNSIGNED_TX_FORMAT, UNSIGNED_TX_VERSION, UnsignedTxError, parse_unsigned_tx,
};

use crate::address::ChainId;
use crate::keys::{PrivateKey, PublicKey};
use crate::signature::Signature;
use crate::signer::{Signer, SignerError};

/// Why a transaction could not be built, signed or verified.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TxError {
    /// An int64 field above `i64::MAX`.
    #[error("{what} {value} is out of range: the chain stores it as a signed 64-bit number")]
    Range {
        /// The field.
        what: &'static str,
        /// The value.
        value: u64,
    },
    /// A zero amount, price or quantity.
    #[error("{0} is zero; the chain requires a positive amount")]
    ZeroAmount(&'static str),
    /// Memo longer than 128 bytes.
    #[error("memo is {0} bytes; the chain accepts at most 128")]
    MemoTooLong(usize),
    /// Memo with a control character.
    #[error(
        "memo contains U+{code:04X} at byte {at}: backspace and form feed are refused because Go versions sign them differently; remove it"
    )]
    MemoControl {
        /// The code point.
        code: u32,
        /// Its byte offset.
        at: usize,
    },
    /// A malformed token or pair symbol.
    #[error(
        "invalid {what} {value:?}: use letters, digits, '.' and '-' (a pair is BASE_QUOTE, e.g. NNB-338_BNB)"
    )]
    Symbol {
        /// Which field.
        what: &'static str,
        /// The text.
        value: String,
    },
    /// A new order's id does not match its sender and the transaction's sequence.
    #[error("order id {got} does not match the sender and sequence; the chain expects {expected}")]
    OrderIdMismatch {
        /// The id the chain will compute.
        expected: String,
        /// The id in the message.
        got: String,
    },
    /// A send without inputs or outputs.
    #[error("a send needs at least one entry in {0}")]
    EmptySend(&'static str),
    /// An input or output without coins.
    #[error("send entry for {0} has no coins")]
    NoCoins(String),
    /// Coins not sorted by denom, or a denom twice.
    #[error("coins of {0} are not sorted by denom or name a denom twice")]
    CoinsUnsorted(String),
    /// A per-denom total beyond int64.
    #[error("the total of {0} in this send overflows the chain's 64-bit amounts")]
    SumOverflow(String),
    /// Inputs and outputs differ for a denom.
    #[error("inputs and outputs of the send do not add up for {0}")]
    Unbalanced(String),
    /// Inputs from more than one address.
    #[error(
        "send inputs come from {0} and {1}; one transaction here carries one signature, so all inputs must be the signer's"
    )]
    MultipleSigners(String, String),
    /// Addresses of different networks in one message.
    #[error("the message mixes addresses of '{expected}' and '{got}'")]
    MixedHrp {
        /// HRP of the signer.
        expected: String,
        /// HRP of another address.
        got: String,
    },
    /// The signing key is not the message's signer.
    #[error("the key's address {key} is not the message signer {signer}")]
    KeyMismatch {
        /// Address of the key.
        key: String,
        /// The message's signer.
        signer: String,
    },
    /// The transaction's public key does not hash to the signer address.
    #[error("the public key hashes to {key}, not to the message signer {signer}")]
    PubKeyMismatch {
        /// Address of the public key.
        key: String,
        /// The message's signer.
        signer: String,
    },
    /// The broadcast bytes did not decode (see [`DecodeError`]).
    #[error("cannot decode the transaction: {0}")]
    Decode(#[from] DecodeError),
    /// The signature does not verify (or is high-S, which the chain refuses).
    #[error(
        "the signature does not verify over the sign document for chain {chain_id} (wrong chain id, altered fields, or a high-S signature)"
    )]
    BadSignature {
        /// The chain id the sign bytes were built for.
        chain_id: String,
    },
}

/// The content of a transaction before signing: everything the sign document covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsignedTx {
    chain_id: ChainId,
    account_number: u64,
    sequence: u64,
    source: u64,
    memo: Memo,
    msg: Msg,
}

fn check_range(what: &'static str, value: u64) -> Result<u64, TxError> {
    if value > i64::MAX as u64 {
        return Err(TxError::Range { what, value });
    }
    Ok(value)
}

impl UnsignedTx {
    /// A transaction with an empty memo and source 0. `sequence` is the account's current
    /// sequence (not + 1). `msg` is a [`Msg`], a message type, or a [`LimitOrder`] (whose id is
    /// derived here from its sender and `sequence`). Checks the message's rules, that all its
    /// addresses share one HRP, and that a new order's id is the one the chain expects for this
    /// sequence.
    pub fn new(
        chain_id: ChainId,
        account_number: u64,
        sequence: u64,
        msg: impl IntoMsg,
    ) -> Result<Self, TxError> {
        check_range("account number", account_number)?;
        check_range("sequence", sequence)?;
        let msg = msg.into_msg(sequence)?;
        msg.validate()?;
        let signer = msg.signer();
        if let Some(other) = msg
            .addresses()
            .into_iter()
            .find(|a| a.hrp() != signer.hrp())
        {
            return Err(TxError::MixedHrp {
                expected: signer.hrp().to_string(),
                got: other.hrp().to_string(),
            });
        }
        if let Msg::NewOrder(o) = &msg {
            let expected = OrderId::new(&o.sender, sequence).ok_or(TxError::Range {
                what: "sequence",
                value: sequence,
            })?;
            if expected != o.id {
                return Err(TxError::OrderIdMismatch {
                    expected: expected.to_string(),
                    got: o.id.to_string(),
                });
            }
        }
        Ok(Self {
            chain_id,
            account_number,
            sequence,
            source: 0,
            memo: Memo::empty(),
            msg,
        })
    }

    /// Sets the memo.
    pub fn with_memo(mut self, memo: Memo) -> Self {
        self.memo = memo;
        self
    }

    /// Sets the BEP-10 source (0 SDK/CLI, 1 Binance DEX web wallet, 2 Trust Wallet, ...).
    pub fn with_source(mut self, source: u64) -> Result<Self, TxError> {
        self.source = check_range("source", source)?;
        Ok(self)
    }

    /// The chain id.
    pub fn chain_id(&self) -> &ChainId {
        &self.chain_id
    }
    /// The account number.
    pub fn account_number(&self) -> u64 {
        self.account_number
    }
    /// The sequence.
    pub fn sequence(&self) -> u64 {
        self.sequence
    }
    /// The source.
    pub fn source(&self) -> u64 {
        self.source
    }
    /// The memo.
    pub fn memo(&self) -> &Memo {
        &self.memo
    }
    /// The message.
    pub fn msg(&self) -> &Msg {
        &self.msg
    }

    /// The canonical sign document as text (keys sorted, no whitespace, Go escaping).
    pub fn sign_json(&self) -> String {
        let mut s = String::with_capacity(512);
        s.push_str("{\"account_number\":\"");
        write!(s, "{}", self.account_number).expect("String write");
        s.push_str("\",\"chain_id\":");
        json::push_string(&mut s, self.chain_id.as_str());
        s.push_str(",\"data\":null,\"memo\":");
        json::push_string(&mut s, self.memo.as_str());
        s.push_str(",\"msgs\":[");
        self.msg.write_sign_json(&mut s);
        s.push_str("],\"sequence\":\"");
        write!(s, "{}", self.sequence).expect("String write");
        s.push_str("\",\"source\":\"");
        write!(s, "{}", self.source).expect("String write");
        s.push_str("\"}");
        s
    }

    /// The bytes that are signed: UTF-8 of [`UnsignedTx::sign_json`].
    pub fn sign_bytes(&self) -> Vec<u8> {
        self.sign_json().into_bytes()
    }

    /// Signs with `key` (SHA-256, RFC 6979, low-S). The key must be the message's signer.
    ///
    /// [`UnsignedTx::sign_with`] for a key held in memory, which cannot fail to sign.
    pub fn sign(&self, key: &PrivateKey) -> Result<SignedTx, TxError> {
        let pub_key = key.public_key();
        self.check_signer(&pub_key, |key, signer| TxError::KeyMismatch { key, signer })?;
        let signature = key.sign_digest(&crate::hash::sha256(&self.sign_bytes()));
        Ok(SignedTx::from_parts(self, pub_key, signature))
    }

    /// Signs with any [`Signer`] (a hardware wallet, a remote signer): it is given SHA-256 of
    /// [`UnsignedTx::sign_bytes`]. Its key must be the message's signer, and its signature must
    /// verify under that key (low-S), or nothing is returned.
    pub fn sign_with(&self, signer: &impl Signer) -> Result<SignedTx, SignerError> {
        let pub_key = signer.public_key();
        self.check_signer(&pub_key, |key, signer| TxError::KeyMismatch { key, signer })?;
        let digest = crate::hash::sha256(&self.sign_bytes());
        let signature = signer.sign_tx(self)?;
        // A faulty or hostile signer must not yield a transaction the chain would refuse.
        if !pub_key.verify_digest(&digest, &signature) {
            return Err(TxError::BadSignature {
                chain_id: self.chain_id.to_string(),
            }
            .into());
        }
        Ok(SignedTx::from_parts(self, pub_key, signature))
    }

    /// Attaches a signature made elsewhere (a Ledger, a WalletConnect wallet), after checking
    /// that the key is the signer's and the signature verifies.
    pub fn attach_signature(
        &self,
        pub_key: PublicKey,
        signature: Signature,
    ) -> Result<SignedTx, TxError> {
        self.check_signer(&pub_key, |key, signer| TxError::PubKeyMismatch {
            key,
            signer,
        })?;
        if !pub_key.verify(&self.sign_bytes(), &signature) {
            return Err(TxError::BadSignature {
                chain_id: self.chain_id.to_string(),
            });
        }
        Ok(SignedTx::from_parts(self, pub_key, signature))
    }

    fn check_signer(
        &self,
        pub_key: &PublicKey,
        err: impl FnOnce(String, String) -> TxError,
    ) -> Result<(), TxError> {
        let signer = self.msg.signer();
        if pub_key.hash160() != *signer.as_bytes() {
            return Err(err(
                pub_key.address(signer.hrp()).to_string(),
                signer.to_string(),
            ));
        }
        Ok(())
    }

    /// What signing this transaction does, in one paragraph for a confirmation prompt, e.g.
    /// `SELL 12 BNB at 1 BTCB-1DE (total 12 BTCB-1DE), LIMIT GTE, order id …, from bnb1…;
    /// chain Binance-Chain-Tigris, account 34, sequence 35, source 0, memo ""`.
    pub fn describe(&self) -> String {
        let mut memo = String::new();
        json::push_string(&mut memo, self.memo.as_str());
        format!(
            "{}; chain {}, account {}, sequence {}, source {}, memo {memo}",
            self.msg.describe(),
            self.chain_id,
            self.account_number,
            self.sequence,
            self.source
        )
    }
}
