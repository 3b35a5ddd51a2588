//! Networks, chain ids and bech32 account addresses.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use crate::bech32::{self, Bech32Error};

/// Why an address, HRP or chain id was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AddressError {
    /// The string is not valid bech32 (checksum, case, characters, bech32m...).
    #[error("invalid address: {0}")]
    Bech32(#[from] Bech32Error),
    /// The payload is not 20 bytes.
    #[error("invalid address: payload is {0} bytes, an account address has 20")]
    Length(usize),
    /// The address belongs to another network.
    #[error("address is for '{got}' but '{expected}' was expected (wrong network?)")]
    WrongHrp {
        /// HRP the caller expected.
        expected: String,
        /// HRP the address carries.
        got: String,
    },
    /// An HRP that cannot prefix an address.
    #[error("invalid address prefix {0:?}: use 1 to 83 lowercase ASCII letters or digits")]
    InvalidHrp(String),
    /// A chain id that is empty or too long or has characters other than ASCII graphics.
    #[error("invalid chain id {0:?}: use 1 to 50 printable ASCII characters without spaces")]
    InvalidChainId(String),
    /// Hex form of an address is not 40 hex characters.
    #[error("invalid address hex: expected 40 hex characters")]
    Hex,
}

/// A bech32 human-readable part, lowercase (`bnb`, `tbnb`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hrp(String);

impl Hrp {
    /// Mainnet `bnb`.
    pub fn mainnet() -> Self {
        Self("bnb".into())
    }
    /// Testnet `tbnb`.
    pub fn testnet() -> Self {
        Self("tbnb".into())
    }
    /// Validates an HRP: 1–83 characters of lowercase ASCII letters and digits.
    pub fn new(s: &str) -> Result<Self, AddressError> {
        if s.is_empty()
            || s.len() > 83
            || !s
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            return Err(AddressError::InvalidHrp(s.into()));
        }
        Ok(Self(s.into()))
    }
    /// The HRP text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Hrp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Hrp {
    type Err = AddressError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

/// A chain id such as `Binance-Chain-Tigris`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChainId(String);

/// Mainnet chain id.
pub const MAINNET_CHAIN_ID: &str = "Binance-Chain-Tigris";
/// Testnet chain id.
pub const TESTNET_CHAIN_ID: &str = "Binance-Chain-Ganges";

impl ChainId {
    /// Validates a chain id: 1–50 printable ASCII characters, no whitespace.
    pub fn new(s: &str) -> Result<Self, AddressError> {
        if s.is_empty() || s.len() > 50 || !s.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AddressError::InvalidChainId(s.into()));
        }
        Ok(Self(s.into()))
    }
    /// The chain id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The HRP conventionally paired with this chain id: `bnb` for mainnet, `tbnb` otherwise
    /// (the rule the official SDKs and the vector format use).
    pub fn default_hrp(&self) -> Hrp {
        if self.0 == MAINNET_CHAIN_ID {
            Hrp::mainnet()
        } else {
            Hrp::testnet()
        }
    }
}

impl fmt::Display for ChainId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ChainId {
    type Err = AddressError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

/// A network: a chain id and the HRP of its addresses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Network {
    chain_id: ChainId,
    hrp: Hrp,
}

impl Network {
    /// Mainnet: `Binance-Chain-Tigris`, `bnb`.
    pub fn mainnet() -> Self {
        Self {
            chain_id: ChainId(MAINNET_CHAIN_ID.into()),
            hrp: Hrp::mainnet(),
        }
    }
    /// Testnet: `Binance-Chain-Ganges`, `tbnb`.
    pub fn testnet() -> Self {
        Self {
            chain_id: ChainId(TESTNET_CHAIN_ID.into()),
            hrp: Hrp::testnet(),
        }
    }
    /// Any chain id with its HRP (a local devnet, a historic test chain).
    pub fn custom(chain_id: ChainId, hrp: Hrp) -> Self {
        Self { chain_id, hrp }
    }
    /// The network a chain id implies by the SDK convention (`Tigris` → `bnb`, others → `tbnb`).
    pub fn from_chain_id(chain_id: ChainId) -> Self {
        let hrp = chain_id.default_hrp();
        Self { chain_id, hrp }
    }
    /// The chain id.
    pub fn chain_id(&self) -> &ChainId {
        &self.chain_id
    }
    /// The address HRP.
    pub fn hrp(&self) -> &Hrp {
        &self.hrp
    }
    /// Whether this is Binance Chain mainnet.
    pub fn is_mainnet(&self) -> bool {
        self.chain_id.0 == MAINNET_CHAIN_ID
    }
}

impl FromStr for Network {
    type Err = AddressError;
    /// `mainnet`, `testnet`, or a chain id (its HRP by convention).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "mainnet" => Ok(Self::mainnet()),
            "testnet" => Ok(Self::testnet()),
            other => Ok(Self::from_chain_id(ChainId::new(other)?)),
        }
    }
}

/// A Binance Chain account address: an HRP and 20 bytes (RIPEMD160(SHA256(pubkey33))).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    hrp: Hrp,
    bytes: [u8; 20],
}

impl Address {
    /// An address from its parts.
    pub fn new(hrp: Hrp, bytes: [u8; 20]) -> Self {
        Self { hrp, bytes }
    }

    /// Parses a bech32 address of any HRP.
    pub fn parse(s: &str) -> Result<Self, AddressError> {
        let d = bech32::decode(s)?;
        let bytes = d.bytes()?;
        let bytes: [u8; 20] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| AddressError::Length(bytes.len()))?;
        // Addresses are lowercase on the chain; an all-uppercase string is valid bech32 but
        // the HRP is stored lowercase so that it round-trips to the canonical form.
        let hrp = Hrp::new(&d.hrp)?;
        Ok(Self { hrp, bytes })
    }

    /// Parses an address that must carry `expected` as its HRP.
    pub fn parse_for(s: &str, expected: &Hrp) -> Result<Self, AddressError> {
        let a = Self::parse(s)?;
        if &a.hrp != expected {
            return Err(AddressError::WrongHrp {
                expected: expected.0.clone(),
                got: a.hrp.0,
            });
        }
        Ok(a)
    }

    /// The HRP.
    pub fn hrp(&self) -> &Hrp {
        &self.hrp
    }
    /// The 20 address bytes.
    pub fn as_bytes(&self) -> &[u8; 20] {
        &self.bytes
    }
    /// Uppercase hex of the 20 bytes (the form order ids use).
    pub fn to_upper_hex(&self) -> String {
        hex::encode_upper(self.bytes)
    }
    /// The same 20 bytes under another HRP.
    pub fn with_hrp(&self, hrp: Hrp) -> Self {
        Self {
            hrp,
            bytes: self.bytes,
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bech32::encode(self.hrp.as_str(), &self.bytes))
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({self})")
    }
}

impl FromStr for Address {
    type Err = AddressError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_known_addresses() {
        // docs/upstream-vectors.md §2 V7 (js-sdk decodeAddress).
        let a = Address::parse("tbnb1x4hxmtdf7pwea9dghq73dufh3qspm8gp5qht9c").unwrap();
        assert_eq!(
            hex::encode(a.as_bytes()),
            "356e6dada9f05d9e95a8b83d16f13788201d9d01"
        );
        assert!(Address::parse("tbnb1x4hxmtdf7pwea9dghq73dufh3qspm8gp").is_err());
    }

    #[test]
    fn wrong_hrp_is_named() {
        let e = Address::parse_for(
            "tbnb1x4hxmtdf7pwea9dghq73dufh3qspm8gp5qht9c",
            &Hrp::mainnet(),
        );
        assert!(matches!(e, Err(AddressError::WrongHrp { .. })));
    }
}
