//! dexlink: a non-custodial wallet SDK for Binance Chain (Binance DEX) protocol exchanges.
//!
//! Keys are generated, held, used and erased on the caller's machine. The crate covers
//! mnemonics, HD derivation, addresses, signatures, transactions, keystores, link proofs and
//! the test-vector runner; it has no CLI or server dependencies.
// `deny`, not `forbid`: `secmem` allows the two `mlock`/`munlock` calls it needs, and only those.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod address;
pub mod amount;
pub mod bech32;
pub mod client;
mod ecdsa;
pub mod hash;
pub mod hd;
pub mod io;
pub mod keydir;
pub mod keys;
pub mod keystore;
pub mod link;
pub mod mnemonic;
pub mod recover;
pub mod secmem;
pub mod signature;
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
pub use tx::{DecodeError, Memo, Msg, SignedTx, TxError, TxHash, UnsignedTx};
