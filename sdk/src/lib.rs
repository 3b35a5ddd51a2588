//! dexlink: a non-custodial wallet SDK for Binance Chain (Binance DEX) protocol exchanges.
//!
//! Keys are generated, held, used and erased on the caller's machine. The crate covers
//! mnemonics, HD derivation, addresses, signatures, transactions, keystores, link proofs and
//! the test-vector runner; it has no CLI or server dependencies.
//!
//! # Quick start
//!
//! From a mnemonic to the bytes of a signed order, offline (the key and address are the
//! js-sdk's and java-sdk's test vector, see `docs/upstream-vectors.md` §2 V1):
//!
//! ```
//! use dexlink::tx::{LimitOrder, Side, TimeInForce};
//! use dexlink::{AccountKey, ChainId, Hrp, Mnemonic, Passphrase, SignedTx, UnsignedTx};
//!
//! let phrase = "fragile duck lunch coyote cotton pole gym orange share muscle impulse mom \
//!               pause isolate define oblige hungry sound stereo spider style river fun account";
//! let seed = Mnemonic::parse(phrase)?.to_seed(&Passphrase::empty());
//! let key = AccountKey::from_seed(&seed, 0)?.private_key(0)?; // m/44'/714'/0'/0/0
//! let sender = key.address(&Hrp::mainnet());
//! assert_eq!(sender.to_string(), "bnb1ss57e8sa7xnwq030k2ctr775uac9gjzg347gp4");
//! let (chain, account_number, sequence) = (ChainId::new("Binance-Chain-Tigris")?, 12, 35);
//! let order = LimitOrder { sender: sender.clone(), symbol: "NNB-338_BNB".into(), side: Side::Buy,
//!                          price: "1.3635".parse()?, quantity: "1".parse()?,
//!                          time_in_force: TimeInForce::Gte };
//! let tx = UnsignedTx::new(chain.clone(), account_number, sequence, order)?; // id from sequence
//! let bytes: Vec<u8> = tx.sign(&key)?.to_bytes(); // the body of a DEX broadcast
//! # let verified = SignedTx::decode(&bytes, &Hrp::mainnet())?.verify(&chain)?;
//! # assert_eq!(verified.signer, sender);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A message signed with [`PrivateKey::sign`] is checked against its sender with
//! [`verify_message`]; a hardware wallet or a remote signer signs transactions through the
//! [`Signer`] trait and [`UnsignedTx::sign_with`].
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

pub use address::{Address, AddressError, ChainId, Hrp, Network};
pub use amount::{AmountError, Fixed8};
pub use hd::{
    AccountKey, ChildNumber, DerivationPath, ExtendedKey, ExtendedPrivateKey, ExtendedPublicKey,
    HdError, binance_path,
};
pub use keys::{KeyError, PrivateKey, PublicKey};
pub use mnemonic::{Language, Mnemonic, MnemonicError, Passphrase, Seed, WordCount};
pub use signature::{MessageError, Signature, SignatureError, verify_message};
pub use signer::{Signer, SignerError};
pub use tx::{DecodeError, Memo, Msg, SignedTx, TxError, TxHash, UnsignedTx};
