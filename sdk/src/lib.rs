//! dexlink: a non-custodial wallet SDK for Binance Chain (Binance DEX) protocol exchanges.
//!
//! Keys are generated, held, used and erased on the caller's machine. The crate covers
//! mnemonics, HD derivation, addresses, signatures, transactions, keystores, link proofs and
//! the test-vector runner; it has no CLI or server dependencies.
//!
//! # Features
//!
//! - `client` (default): the async HTTP client of a DEX node ([`client`]), over reqwest,
//!   rustls and tokio.
//! - `keydir` (default, Unix only): the on-disk key directory ([`keydir`]).
//!
//! With `default-features = false` the crate is offline signing only: keys, addresses,
//! transactions, keystores and link proofs, with no HTTP, TLS or async dependency.
// `deny`, not `forbid`: `secmem` allows the two `mlock`/`munlock` calls it needs, and only those.
#![deny(unsafe_code)]
#![warn(missing_docs)]

// The key directory relies on Unix owners, modes and O_NOFOLLOW; refusing to build says so
// instead of silently dropping the module.
#[cfg(all(feature = "keydir", not(unix)))]
compile_error!(
    "the `keydir` feature needs a Unix target; build with `default-features = false, features = [\"client\"]`"
);

pub mod address;
pub mod amount;
pub mod bech32;
#[cfg(feature = "client")]
pub mod client;
mod ecdsa;
pub mod hash;
pub mod hd;
pub mod io;
#[cfg(all(feature = "keydir", unix))]
pub mod keydir;
pub mod keys;
pub mod keystore;
pub mod link;
pub mod mnemonic;
pub mod recover;
pub mod secmem;
pub mod signature;
pub mod signer;
pub mod time;
pub mod tx;
pub mod vectors;

pub use address::{Address, AddressError, ChainId, Hrp, Network};
pub use amount::{AmountError, Fixed8};
pub use hd::{
    AccountKey, ChildNumber, DerivationPath, ExtendedKey, ExtendedPrivateKey, ExtendedPublicKey,
    HdError, binance_path,
};
pub use keys::{KeyError, PrivateKey, PublicKey};
pub use mnemonic::{Language, Mnemonic, MnemonicError, Passphrase, Seed, WordCount};
pub use signature::{Signature, SignatureError};
pub use signer::{Signer, SignerError};
pub use tx::{DecodeError, Memo, Msg, SignedTx, TxError, TxHash, UnsignedTx};
