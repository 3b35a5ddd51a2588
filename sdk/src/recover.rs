//! BEP-333 token recovery requests: build, sign and verify them offline.
//!
//! After the Beacon Chain shut down, BEP2/BEP8 balances are recovered on BNB Smart Chain by a
//! request signed with the `bnb1…` key using the `bnbSign` convention (SHA-256 of the message,
//! RFC 6979, low-S, r‖s). The message is a sign-document-shaped JSON whose exact bytes are fixed
//! by `docs/recovery.md`; this module is the only place that writes or reads them.

use std::fmt;

use sha3::{Digest, Keccak256};
use thiserror::Error;

use crate::address::{Address, ChainId, Hrp, MAINNET_CHAIN_ID, TESTNET_CHAIN_ID};
use crate::amount::{DecimalError, parse_units8};
use crate::hash::sha256;
use crate::keys::{KeyError, PrivateKey, PublicKey};
use crate::signature::{Signature, SignatureError};

/// Why a recovery request could not be built or verified.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RecoverError {
    /// The token symbol is empty.
    #[error("token symbol is empty; give the BEP2/BEP8 symbol, e.g. CAKE-435")]
    SymbolEmpty,
    /// The token symbol is longer than 32 bytes.
    #[error("token symbol {0:?} is {1} bytes; the recovery contract takes at most 32")]
    SymbolTooLong(String, usize),
    /// The token symbol has a character outside printable ASCII.
    #[error("token symbol {0:?} must be printable ASCII without spaces (e.g. CAKE-435)")]
    SymbolCharset(String),
    /// The amount is zero.
    #[error("amount {0:?} is zero; give the balance to recover, e.g. 0.00001")]
    AmountZero(String),
    /// The amount has more than 8 decimals.
    #[error("amount {0:?} has more than 8 decimals; Beacon Chain amounts have at most 8")]
    AmountPrecision(String),
    /// The amount does not fit in an unsigned 64-bit number of 10^-8 units.
    #[error("amount {0:?} is too large: it must fit in 64 bits of 10^-8 units")]
    AmountOverflow(String),
    /// The amount is not a plain decimal number.
    #[error("amount {0:?} is not a decimal number like 12 or 0.00001")]
    AmountSyntax(String),
    /// The recipient is not `0x` + 40 hex characters. It holds the recipient quoted, or only its
    /// length when it is shaped like a private key (64 hex digits: a BSC key pasted in the
    /// wrong field) or a mnemonic (spaces), which an error never repeats.
    #[error("recipient {0} is not a BSC address: expected 0x followed by 40 hex characters")]
    RecipientFormat(String),
    /// The recipient is mixed-case and fails its EIP-55 checksum.
    #[error(
        "recipient {0:?} fails its EIP-55 checksum (a typo?); re-copy it, or give it all lower-case"
    )]
    RecipientChecksum(String),
    /// The chain id is neither mainnet nor testnet.
    #[error("chain id {0:?} is not a recovery chain: use {MAINNET_CHAIN_ID} or {TESTNET_CHAIN_ID}")]
    Chain(String),
    /// The message is not exactly a recovery request.
    #[error("message is not a token recovery request: {0}")]
    Message(String),
    /// The public key is malformed.
    #[error("public key: {0}")]
    PublicKey(#[from] KeyError),
    /// The signature is malformed.
    #[error("signature: {0}")]
    SignatureFormat(#[from] SignatureError),
    /// The signature is high-S; the approver rejects those.
    #[error("signature has a high S value; the approval service rejects malleable signatures")]
    HighS,
    /// The signature does not verify under the public key.
    #[error("signature does not verify over SHA-256 of the message with this public key")]
    BadSignature,
}

/// A BEP2/BEP8 token symbol: 1–32 bytes of printable ASCII.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSymbol(String);

impl TokenSymbol {
    /// Validates a symbol such as `CAKE-435`.
    pub fn new(s: &str) -> Result<Self, RecoverError> {
        if s.is_empty() {
            return Err(RecoverError::SymbolEmpty);
        }
        if !s.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(RecoverError::SymbolCharset(s.escape_default().to_string()));
        }
        if s.len() > 32 {
            return Err(RecoverError::SymbolTooLong(s.into(), s.len()));
        }
        Ok(Self(s.into()))
    }
    /// The symbol text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The symbol's bytes right-padded with zeros to 32 bytes.
    pub fn to_bytes32(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out[..self.0.len()].copy_from_slice(self.0.as_bytes());
        out
    }
}

impl fmt::Display for TokenSymbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An amount in 10^-8 units, greater than zero, fitting in u64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RecoverAmount(u64);

impl RecoverAmount {
    /// From 10^-8 units; zero is refused.
    pub fn from_units(units: u64) -> Result<Self, RecoverError> {
        if units == 0 {
            return Err(RecoverError::AmountZero(units.to_string()));
        }
        Ok(Self(units))
    }

    /// Parses a decimal such as `0.00001` or `1250.5` (at most 8 decimals), exactly.
    pub fn parse_decimal(s: &str) -> Result<Self, RecoverError> {
        // Fixed8's decimal rules (docs/recovery.md §2), over the
        // whole u64 range where Fixed8 stops at i64::MAX.
        let units = parse_units8(s).map_err(|e| match e {
            DecimalError::Syntax => RecoverError::AmountSyntax(s.into()),
            DecimalError::Precision => RecoverError::AmountPrecision(s.into()),
            DecimalError::Overflow => RecoverError::AmountOverflow(s.into()),
        })?;
        if units == 0 {
            return Err(RecoverError::AmountZero(s.into()));
        }
        Ok(Self(units))
    }

    /// The amount in 10^-8 units.
    pub fn units(self) -> u64 {
        self.0
    }

    /// The 32-byte big-endian form the message carries.
    pub fn to_bytes32(self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out[24..].copy_from_slice(&self.0.to_be_bytes());
        out
    }
}

impl fmt::Display for RecoverAmount {
    /// Decimal with 8 places, as Beacon Chain balances are shown (`0.00001000`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:08}", self.0 / 100_000_000, self.0 % 100_000_000)
    }
}

/// A malformed recipient as [`RecoverError::RecipientFormat`] shows it.
fn shown_recipient(s: &str) -> String {
    let hex = s.strip_prefix("0x").unwrap_or(s);
    if (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        || s.contains(char::is_whitespace)
    {
        format!(
            "of {} characters (not repeated: it is shaped like a private key or a mnemonic)",
            s.chars().count()
        )
    } else {
        format!("{s:?}")
    }
}

/// A BNB Smart Chain (EVM) address, stored as 20 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvmAddress([u8; 20]);

impl EvmAddress {
    /// Parses `0x` + 40 hex characters. All-lower or all-upper case is taken as is; mixed case
    /// must pass EIP-55.
    pub fn parse(s: &str) -> Result<Self, RecoverError> {
        let hexpart = s
            .strip_prefix("0x")
            .filter(|h| h.len() == 40 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| RecoverError::RecipientFormat(shown_recipient(s)))?;
        let mut bytes = [0u8; 20];
        hex::decode_to_slice(hexpart, &mut bytes)
            .map_err(|_| RecoverError::RecipientFormat(shown_recipient(s)))?;
        let addr = Self(bytes);
        let has_lower = hexpart.bytes().any(|b| b.is_ascii_lowercase());
        let has_upper = hexpart.bytes().any(|b| b.is_ascii_uppercase());
        if has_lower && has_upper && addr.to_checksummed() != s {
            return Err(RecoverError::RecipientChecksum(s.into()));
        }
        Ok(addr)
    }

    /// `0x` + lowercase hex (the form the message carries).
    pub fn to_lower_hex(&self) -> String {
        format!("0x{}", hex::encode(self.0))
    }

    /// The EIP-55 mixed-case form.
    pub fn to_checksummed(&self) -> String {
        let lower = hex::encode(self.0);
        let hash = Keccak256::digest(lower.as_bytes());
        let mut out = String::with_capacity(42);
        out.push_str("0x");
        for (i, c) in lower.chars().enumerate() {
            let nibble = (hash[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0xf;
            out.push(if nibble >= 8 {
                c.to_ascii_uppercase()
            } else {
                c
            });
        }
        out
    }
}

impl fmt::Display for EvmAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_checksummed())
    }
}

/// Which approval service the request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecoverChain {
    /// `Binance-Chain-Tigris` (the default).
    Mainnet,
    /// `Binance-Chain-Ganges`.
    Testnet,
}

impl RecoverChain {
    /// The chain id string.
    pub fn chain_id(self) -> &'static str {
        match self {
            Self::Mainnet => MAINNET_CHAIN_ID,
            Self::Testnet => TESTNET_CHAIN_ID,
        }
    }
    /// The HRP of the addresses on that chain.
    pub fn hrp(self) -> Hrp {
        match self {
            Self::Mainnet => Hrp::mainnet(),
            Self::Testnet => Hrp::testnet(),
        }
    }
    /// Parses a chain id; only mainnet and testnet are recovery chains.
    pub fn from_chain_id(id: &str) -> Result<Self, RecoverError> {
        match id {
            MAINNET_CHAIN_ID => Ok(Self::Mainnet),
            TESTNET_CHAIN_ID => Ok(Self::Testnet),
            other => Err(RecoverError::Chain(other.into())),
        }
    }
    /// As a [`ChainId`].
    pub fn to_chain_id(self) -> ChainId {
        ChainId::new(self.chain_id()).expect("constant chain ids are valid")
    }
}

/// What a recovery request authorises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoverRequest {
    /// Mainnet or testnet approval service.
    pub chain: RecoverChain,
    /// The token to recover.
    pub symbol: TokenSymbol,
    /// How much, in 10^-8 units.
    pub amount: RecoverAmount,
    /// Who receives it on BSC.
    pub recipient: EvmAddress,
}

const PREFIX: &str = r#"{"account_number":"0","chain_id":""#;
const MSGS: &str = r#"","data":null,"memo":"","msgs":[{"amount":""#;
const RECIPIENT: &str = r#"","recipient":""#;
const SYMBOL: &str = r#"","token_symbol":""#;
const SUFFIX: &str = r#""}],"sequence":"0","source":"0"}"#;

impl RecoverRequest {
    /// The exact message bytes (as text) that are signed.
    pub fn message(&self) -> String {
        let mut m = String::with_capacity(320);
        m.push_str(PREFIX);
        m.push_str(self.chain.chain_id());
        m.push_str(MSGS);
        m.push_str(&hex::encode(self.amount.to_bytes32()));
        m.push_str(RECIPIENT);
        m.push_str(&self.recipient.to_lower_hex());
        m.push_str(SYMBOL);
        m.push_str(&hex::encode(self.symbol.to_bytes32()));
        m.push_str(SUFFIX);
        m
    }

    /// Parses a message, accepting only the exact bytes [`RecoverRequest::message`] would write.
    pub fn parse_message(text: &str) -> Result<Self, RecoverError> {
        let bad = |why: &str| RecoverError::Message(why.into());
        let rest = text
            .strip_prefix(PREFIX)
            .ok_or_else(|| bad("it does not start like a recovery request"))?;
        let (chain, rest) = rest.split_once('"').ok_or_else(|| bad("no chain id"))?;
        let chain = RecoverChain::from_chain_id(chain)?;
        let rest = rest
            .strip_prefix(&MSGS[1..])
            .ok_or_else(|| bad("unexpected fields after chain_id"))?;
        let (amount_hex, rest) = take_hex(rest, 64).ok_or_else(|| bad("amount is not 64 hex"))?;
        let rest = rest
            .strip_prefix(RECIPIENT)
            .ok_or_else(|| bad("unexpected fields after amount"))?;
        let (recipient, rest) = rest.split_at_checked(42).ok_or_else(|| bad("truncated"))?;
        if recipient.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(bad("recipient must be lower-case in the message"));
        }
        let recipient = EvmAddress::parse(recipient)?;
        let rest = rest
            .strip_prefix(SYMBOL)
            .ok_or_else(|| bad("unexpected fields after recipient"))?;
        let (symbol_hex, rest) =
            take_hex(rest, 64).ok_or_else(|| bad("token_symbol is not 64 hex"))?;
        if rest != SUFFIX {
            return Err(bad("unexpected text after token_symbol"));
        }
        let amount_bytes = hex::decode(amount_hex).map_err(|_| bad("amount is not hex"))?;
        if amount_bytes[..24].iter().any(|&b| b != 0) {
            return Err(RecoverError::AmountOverflow(amount_hex.into()));
        }
        let units = u64::from_be_bytes(amount_bytes[24..].try_into().expect("8 bytes"));
        let amount = RecoverAmount::from_units(units)?;
        let symbol_bytes = hex::decode(symbol_hex).map_err(|_| bad("token_symbol is not hex"))?;
        let len = symbol_bytes.iter().position(|&b| b == 0).unwrap_or(32);
        if symbol_bytes[len..].iter().any(|&b| b != 0) {
            return Err(bad("token_symbol has bytes after its zero padding"));
        }
        let symbol = std::str::from_utf8(&symbol_bytes[..len])
            .map_err(|_| bad("token_symbol is not ASCII"))
            .and_then(TokenSymbol::new)?;
        let req = Self {
            chain,
            symbol,
            amount,
            recipient,
        };
        debug_assert_eq!(req.message(), text);
        Ok(req)
    }

    /// Signs the request with the `bnbSign` convention.
    pub fn sign(&self, key: &PrivateKey) -> SignedRecoverRequest {
        let message = self.message();
        let signature = key.sign(message.as_bytes());
        SignedRecoverRequest {
            request: self.clone(),
            message,
            public_key: key.public_key(),
            signature,
        }
    }
}

fn take_hex(s: &str, n: usize) -> Option<(&str, &str)> {
    let (h, rest) = s.split_at_checked(n)?;
    h.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        .then_some((h, rest))
}

/// A signed (or verified) recovery request and everything the approver and contract need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRecoverRequest {
    /// What it authorises.
    pub request: RecoverRequest,
    /// The exact signed text.
    pub message: String,
    /// The signer's key.
    pub public_key: PublicKey,
    /// r‖s over SHA-256 of the message.
    pub signature: Signature,
}

impl SignedRecoverRequest {
    /// Verifies a request as the approval service does: the message must be exactly a recovery
    /// request, the signature low-S and valid over SHA-256 of it.
    pub fn verify(message: &str, public_key: &str, signature: &str) -> Result<Self, RecoverError> {
        let request = RecoverRequest::parse_message(message)?;
        let public_key = PublicKey::from_hex(public_key)?;
        let signature = Signature::from_hex(signature)?;
        if !signature.is_low_s() {
            // is_low_s is also false for r or s out of range; let verification name that case.
            if signature.to_der().is_some() {
                return Err(RecoverError::HighS);
            }
        }
        if !public_key.verify(message.as_bytes(), &signature) {
            return Err(RecoverError::BadSignature);
        }
        Ok(Self {
            request,
            message: message.into(),
            public_key,
            signature,
        })
    }

    /// The Beacon Chain address whose tokens this request recovers.
    pub fn address(&self) -> Address {
        self.public_key.address(&self.request.chain.hrp())
    }

    /// SHA-256 of the message (what was signed).
    pub fn message_hash(&self) -> [u8; 32] {
        sha256(self.message.as_bytes())
    }

    /// The recovery contract's call arguments.
    pub fn contract_payload(&self) -> ContractPayload {
        let units = self.request.amount.units().to_be_bytes();
        let first = units.iter().position(|&b| b != 0).unwrap_or(7);
        ContractPayload {
            token_symbol: format!("0x{}", hex::encode(self.request.symbol.to_bytes32())),
            amount: format!("0x{}", hex::encode(&units[first..])),
            owner_signature: format!("0x{}", self.signature),
            owner_pub_key: format!("0x{}", self.public_key),
        }
    }
}

/// Arguments of the BSC recovery contract's `recover` call that come from the signed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractPayload {
    /// `0x` + the 32-byte zero-padded symbol.
    pub token_symbol: String,
    /// `0x` + the amount's minimal big-endian bytes (`0x03e8` for 1000).
    pub amount: String,
    /// `0x` + r‖s.
    pub owner_signature: String,
    /// `0x` + the 33-byte compressed public key.
    pub owner_pub_key: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    // docs/recovery.md §6 (the self-service tool's README).
    const MSG: &str = r#"{"account_number":"0","chain_id":"Binance-Chain-Tigris","data":null,"memo":"","msgs":[{"amount":"00000000000000000000000000000000000000000000000000000000000003e8","recipient":"0x441de55a37f6c381b00db8b52df8f57794784a1a","token_symbol":"43414b452d343335000000000000000000000000000000000000000000000000"}],"sequence":"0","source":"0"}"#;
    const PK: &str = "0x030771d42cc0a93289bf457e575bdb42c0d56fcf5953df6614b1b7de2986ce941c";
    const SIG: &str = "0xe4838ff411975a210cb15d5c950b53835f5d5bb7b0ebb8dbc4515541bb01181e408f7cbbdab08c9278a623667909e8c3c39fee8c3df65de65df4aec0c48f4196";

    #[test]
    fn published_example_builds_and_verifies() {
        let req = RecoverRequest {
            chain: RecoverChain::Mainnet,
            symbol: TokenSymbol::new("CAKE-435").unwrap(),
            amount: RecoverAmount::parse_decimal("0.00001").unwrap(),
            recipient: EvmAddress::parse("0x441DE55A37F6C381b00Db8B52DF8f57794784a1A").unwrap(),
        };
        assert_eq!(req.message(), MSG);
        let signed = SignedRecoverRequest::verify(MSG, PK, SIG).unwrap();
        assert_eq!(signed.request, req);
        assert_eq!(
            signed.address().to_string(),
            "bnb1nn3h8hm678shs5vxj8a5enjes0uhf7nwf0wq4m"
        );
        let p = signed.contract_payload();
        assert_eq!(p.amount, "0x03e8");
        assert_eq!(
            p.token_symbol,
            "0x43414b452d343335000000000000000000000000000000000000000000000000"
        );
        assert_eq!(p.owner_pub_key, PK);
        assert_eq!(p.owner_signature, SIG);
    }

    #[test]
    fn tampered_message_fails() {
        let tampered = MSG.replace("03e8", "03e9");
        assert_eq!(
            SignedRecoverRequest::verify(&tampered, PK, SIG),
            Err(RecoverError::BadSignature)
        );
        let spaced = MSG.replace(":", ": ");
        assert!(matches!(
            SignedRecoverRequest::verify(&spaced, PK, SIG),
            Err(RecoverError::Message(_))
        ));
    }

    #[test]
    fn input_validation() {
        assert!(matches!(
            RecoverAmount::parse_decimal("0"),
            Err(RecoverError::AmountZero(_))
        ));
        assert!(matches!(
            RecoverAmount::parse_decimal("0.000000001"),
            Err(RecoverError::AmountPrecision(_))
        ));
        assert!(matches!(
            RecoverAmount::parse_decimal("184467440737.09551616"),
            Err(RecoverError::AmountOverflow(_))
        ));
        assert_eq!(
            RecoverAmount::parse_decimal("184467440737.09551615")
                .unwrap()
                .units(),
            u64::MAX
        );
        for bad in ["", ".", "1.", ".5", "-1", "1e5", " 1"] {
            assert!(matches!(
                RecoverAmount::parse_decimal(bad),
                Err(RecoverError::AmountSyntax(_))
            ));
        }
        assert!(matches!(
            TokenSymbol::new(""),
            Err(RecoverError::SymbolEmpty)
        ));
        assert!(matches!(
            TokenSymbol::new(&"A".repeat(33)),
            Err(RecoverError::SymbolTooLong(..))
        ));
        assert!(matches!(
            TokenSymbol::new("CAKE 435"),
            Err(RecoverError::SymbolCharset(_))
        ));
        assert!(matches!(
            TokenSymbol::new("CAKÉ"),
            Err(RecoverError::SymbolCharset(_))
        ));
        // EIP-55: one flipped case in the published mixed-case recipient.
        assert!(matches!(
            EvmAddress::parse("0x441dE55A37F6C381b00Db8B52DF8f57794784a1A"),
            Err(RecoverError::RecipientChecksum(_))
        ));
        assert!(EvmAddress::parse("0x441de55a37f6c381b00db8b52df8f57794784a1a").is_ok());
        assert!(EvmAddress::parse("0x441DE55A37F6C381B00DB8B52DF8F57794784A1A").is_ok());
        assert!(matches!(
            EvmAddress::parse("441de55a37f6c381b00db8b52df8f57794784a1a"),
            Err(RecoverError::RecipientFormat(_))
        ));
        assert!(matches!(
            EvmAddress::parse("0x441de55a37f6c381b00db8b52df8f57794784a1"),
            Err(RecoverError::RecipientFormat(_))
        ));
    }

    #[test]
    fn a_key_or_a_phrase_given_as_the_recipient_is_not_repeated() {
        let key = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
        for input in [key.to_string(), format!("0x{key}"), "fragile duck".into()] {
            let text = EvmAddress::parse(&input).unwrap_err().to_string();
            assert!(
                !text.contains(&key[..16]) && !text.contains("duck"),
                "{text}"
            );
            assert!(text.contains("not repeated"), "{text}");
        }
        // A mistyped address is repeated, to be compared with the one meant.
        assert_eq!(
            EvmAddress::parse("0x441de55a37f6c381b00db8b52df8f57794784a1")
                .unwrap_err()
                .to_string(),
            "recipient \"0x441de55a37f6c381b00db8b52df8f57794784a1\" is not a BSC address: expected 0x followed by 40 hex characters"
        );
    }
}
