//! dexlink: a non-custodial wallet SDK for Binance Chain (Binance DEX) protocol exchanges.
//!
//! Keys are generated, held, used and erased on the caller's machine. The crate covers
//! mnemonics, HD derivation, addresses, signatures, transactions, keystores, link proofs and
//! BEP-333 recovery requests; it has no CLI or server dependencies. (The test-vector runner is
//! the separate `dexlink-vectors` crate.)
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
//! # Ok::<(), dexlink::Error>(())
//! ```
//!
//! Every module's error converts into [`Error`], so `?` works across modules.
//!
//! A message signed with [`PrivateKey::sign`] is checked against its sender with
//! [`verify_message`]; a hardware wallet or a remote signer signs transactions through the
//! [`Signer`] trait and [`UnsignedTx::sign_with`].
//!
//! # Features
//!
//! - `libsecp256k1` (default): ECDSA signing and verification through libsecp256k1 (a C build),
//!   about twice as fast. Without it, k256 signs and verifies in pure Rust, with the same
//!   bytes: the same RFC 6979 signatures, the same signatures accepted.
//! - `client` (default): the async HTTP client of a DEX node ([`client`]), over reqwest,
//!   rustls and tokio.
//! - `keydir` (default, Unix only): the on-disk key directory ([`keydir`]).
//! - `agent` (default, Unix only; implies `keydir`): the signer agent and its client
//!   ([`agent`]).
//! - `serde`: `Serialize` and `Deserialize` for [`Address`], [`Fixed8`] and [`TxHash`](tx::TxHash), as
//!   strings in their `Display` form, parsed with their `FromStr` checks.
//!
//! With `default-features = false` the crate is offline signing only: keys, addresses,
//! transactions, keystores and link proofs, with no HTTP, TLS or async dependency, and no C
//! code (add `features = ["libsecp256k1"]` for the faster engine).
//!
//! # Modules and paths
//!
//! Every item has its module as its path: `dexlink::tx::Side`, `dexlink::keystore::Password`,
//! `dexlink::mnemonic::MnemonicError`. A module's internal submodules are private and the
//! module re-exports what they define (`tx::Side`, not `tx::order::Side`). The crate root
//! re-exports only the quick start's types — [`Mnemonic`], [`Passphrase`], [`AccountKey`],
//! [`PrivateKey`], [`PublicKey`], [`Address`], [`Hrp`], [`ChainId`], [`Network`], [`Fixed8`],
//! [`Msg`], [`UnsignedTx`], [`SignedTx`], [`Signature`], [`Signer`], [`verify_message`] — and
//! the umbrella [`Error`]; errors and everything else are reached through their modules.
//!
//! - [`address`]: addresses, HRPs, chain ids, networks. [`amount`]: `Fixed8` amounts.
//!   [`bech32`]: the BIP-173 codec.
//! - [`mnemonic`], [`hd`], [`keys`]: BIP-39 phrases, BIP-32 derivation, secp256k1 keys.
//!   [`signature`], [`signer`]: signatures, message verification, the `Signer` seam.
//! - [`tx`]: messages, orders, transactions, sign documents. [`keystore`]: keystore files.
//!   [`link`]: link proofs. [`recover`]: BEP-333 recovery requests. [`time`]: timestamps.
//! - [`io`]: bounded reads of outside input. [`secmem`]: locked secret memory. [`hash`]:
//!   the hashes the chain uses.
//! - [`client`] (feature `client`): the DEX client. [`keydir`] (feature `keydir`): the key
//!   directory.
//!
//! # Examples
//!
//! The main flows, each a program in `examples/` (`cargo run -p dexlink --example NAME`, all
//! offline) shown and tested here. Expected values are upstream or independent test vectors,
//! named at the top of each.
//!
//! ## Mnemonic to addresses (`mnemonic_address`)
//!
//! ```
#![doc = include_str!("../examples/mnemonic_address.rs")]
//! ```
//!
//! ## Signing and verifying a message (`sign_message`)
//!
//! ```
#![doc = include_str!("../examples/sign_message.rs")]
//! ```
//!
//! ## Importing a keystore (`keystore_import`)
//!
//! ```
#![doc = include_str!("../examples/keystore_import.rs")]
//! ```
//!
//! ## Link proofs (`link_proof`)
//!
//! ```
#![doc = include_str!("../examples/link_proof.rs")]
//! ```
//!
//! ## Token recovery requests (`recovery_request`)
//!
//! ```
#![doc = include_str!("../examples/recovery_request.rs")]
//! ```
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
#[cfg(all(feature = "agent", unix))]
pub mod agent;
pub mod amount;
pub mod bech32;
#[cfg(feature = "client")]
pub mod client;
mod ecdsa;
mod error;
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
#[cfg(feature = "serde")]
mod serde_impls;
pub mod signature;
pub mod signer;
pub mod time;
pub mod tx;

// The quick start's types only (see "Modules and paths" above).
pub use address::{Address, ChainId, Hrp, Network};
pub use amount::Fixed8;
pub use error::Error;
pub use hd::AccountKey;
pub use keys::{PrivateKey, PublicKey};
pub use mnemonic::{Mnemonic, Passphrase};
pub use signature::{Signature, verify_message};
pub use signer::Signer;
pub use tx::{Msg, SignedTx, UnsignedTx};
