//! [`Error`]: any of the SDK's errors, for callers that use `?` across modules.

use thiserror::Error;

/// Any error of this crate: one variant per module's error type, each converted with `?`
/// (`From`) and displayed as the module's own error.
///
/// Match on the variant to act on a particular failure; the module error inside says exactly
/// what went wrong.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// An address, HRP or chain id ([`crate::address`]).
    #[error(transparent)]
    Address(#[from] crate::address::AddressError),
    /// An amount ([`crate::amount`]).
    #[error(transparent)]
    Amount(#[from] crate::amount::AmountError),
    /// A bounded read of outside input ([`crate::io`]).
    #[error(transparent)]
    Read(#[from] crate::io::ReadError),
    /// A private or public key ([`crate::keys`]).
    #[error(transparent)]
    Key(#[from] crate::keys::KeyError),
    /// A mnemonic ([`crate::mnemonic`]).
    #[error(transparent)]
    Mnemonic(#[from] crate::mnemonic::MnemonicError),
    /// HD derivation or an extended key ([`crate::hd`]).
    #[error(transparent)]
    Hd(#[from] crate::hd::HdError),
    /// A keystore file ([`crate::keystore`]).
    #[error(transparent)]
    Keystore(#[from] crate::keystore::KeystoreError),
    /// Signature bytes ([`crate::signature`]).
    #[error(transparent)]
    Signature(#[from] crate::signature::SignatureError),
    /// A signed message that does not verify ([`crate::signature::verify_message`]).
    #[error(transparent)]
    Message(#[from] crate::signature::MessageError),
    /// A signer ([`crate::signer`]).
    #[error(transparent)]
    Signer(#[from] crate::signer::SignerError),
    /// Building, signing or verifying a transaction ([`crate::tx`]).
    #[error(transparent)]
    Tx(#[from] crate::tx::TxError),
    /// Transaction bytes that do not decode ([`crate::tx`]).
    #[error(transparent)]
    Decode(#[from] crate::tx::DecodeError),
    /// An order field: side, time in force, order id, tick or lot ([`crate::tx`]).
    #[error(transparent)]
    Order(#[from] crate::tx::OrderError),
    /// A sign document received from elsewhere ([`crate::tx::parse_sign_doc`]).
    #[error(transparent)]
    SignDoc(#[from] crate::tx::SignDocError),
    /// An unsigned-transaction file ([`crate::tx::parse_unsigned_tx`]).
    #[error(transparent)]
    UnsignedTx(#[from] crate::tx::UnsignedTxError),
    /// A link proof ([`crate::link`]).
    #[error(transparent)]
    Link(#[from] crate::link::LinkError),
    /// A BEP-333 recovery request ([`crate::recover`]).
    #[error(transparent)]
    Recover(#[from] crate::recover::RecoverError),
    /// A timestamp ([`crate::time`]).
    #[error(transparent)]
    Timestamp(#[from] crate::time::TimestampError),
    /// The key directory ([`crate::keydir`]).
    #[cfg(all(feature = "keydir", unix))]
    #[error(transparent)]
    KeyDir(#[from] crate::keydir::KeyDirError),
    /// The DEX client ([`crate::client`]).
    #[cfg(feature = "client")]
    #[error(transparent)]
    Client(#[from] crate::client::ClientError),
}
