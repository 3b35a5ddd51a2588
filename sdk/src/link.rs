//! Link proofs: CAIP-122 messages signed in a Cosmos ADR-036 envelope (`docs/link-proofs.md`).
//!
//! The wallet side builds and signs a [`LinkMessage`]; the DEX side runs [`verify`], which applies
//! the checks of `docs/link-proofs.md` in its order and names the first that fails. The sign document is
//! rebuilt from the message by the verifier, never taken from the client.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use thiserror::Error;

use crate::address::{Address, ChainId, Hrp, MAINNET_CHAIN_ID, Network};
use crate::keys::{PrivateKey, PublicKey};
use crate::signature::Signature;
use crate::time::Timestamp;

/// Largest validity window a verifier accepts (`expiration_time − issued_at`).
pub const MAX_WINDOW_SECS: i64 = 3600;
/// Clock skew tolerated before `issued_at`.
pub const CLOCK_SKEW_SECS: i64 = 60;
/// Longest statement, in bytes.
pub const MAX_STATEMENT_BYTES: usize = 200;
const PUBKEY_TYPE: &str = "tendermint/PubKeySecp256k1";

/// Why a link message or proof was refused. Each verification step has its own variant, in the
/// order `docs/link-proofs.md` checks them; [`LinkError::code`] gives a stable machine name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum LinkError {
    /// Step 1: the message is not exactly a link message.
    #[error("malformed link message: {0}")]
    Malformed(String),
    /// A field given to build a message is invalid.
    #[error("invalid link field: {0}")]
    InvalidField(String),
    /// The proof JSON is not a `StdSignature` with a 33-byte key and a 64-byte signature.
    #[error("malformed proof: {0}")]
    MalformedProof(String),
    /// Step 2: the message names another domain.
    #[error("message is for domain {got:?}, not {expected:?}")]
    WrongDomain {
        /// This DEX's domain.
        expected: String,
        /// The message's.
        got: String,
    },
    /// Step 2: the message names another URI.
    #[error("message is for URI {got:?}, not {expected:?}")]
    WrongUri {
        /// This DEX's URI.
        expected: String,
        /// The message's.
        got: String,
    },
    /// Step 2: the message names another chain, or its address is of another network.
    #[error("message is for chain {got:?}, this DEX is on {expected:?}")]
    WrongChain {
        /// This DEX's chain id.
        expected: String,
        /// The message's chain id (or the address's HRP).
        got: String,
    },
    /// Step 3: `now` is before `issued_at` (minus the allowed skew).
    #[error("message is not valid yet (issued at {0})")]
    NotYetValid(String),
    /// Step 3: `now` is after `expiration_time`.
    #[error("message expired at {0}; ask for a new challenge")]
    Expired(String),
    /// Step 3: the window is longer than an hour or ends before it starts.
    #[error(
        "message validity window is invalid (at most {MAX_WINDOW_SECS} s, ending after it starts)"
    )]
    Window,
    /// Step 4: the nonce was not issued for this address, expired, or was used.
    #[error(
        "nonce was not issued for this address, has expired, or was already used; ask for a new challenge"
    )]
    Nonce,
    /// Step 5: the public key does not hash to the address.
    #[error("public key belongs to {0}, not to the address in the message")]
    KeyMismatch(String),
    /// Step 6: the signature is high-S or does not verify over the rebuilt sign document.
    #[error("signature does not verify over the link message (or is high-S)")]
    BadSignature,
}

impl LinkError {
    /// A stable, machine-readable name for the failed check.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed-message",
            Self::InvalidField(_) => "invalid-field",
            Self::MalformedProof(_) => "malformed-proof",
            Self::WrongDomain { .. } => "wrong-domain",
            Self::WrongUri { .. } => "wrong-uri",
            Self::WrongChain { .. } => "wrong-chain",
            Self::NotYetValid(_) => "not-yet-valid",
            Self::Expired(_) => "expired",
            Self::Window => "invalid-window",
            Self::Nonce => "invalid-nonce",
            Self::KeyMismatch(_) => "key-mismatch",
            Self::BadSignature => "bad-signature",
        }
    }
}

/// A single-use challenge nonce: at least 8 characters of `[A-Za-z0-9]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nonce(String);

impl Nonce {
    /// Validates a nonce.
    pub fn new(s: &str) -> Result<Self, LinkError> {
        if s.len() < 8 || s.len() > 128 || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(LinkError::InvalidField(
                "nonce must be 8 to 128 characters of A-Z, a-z, 0-9".into(),
            ));
        }
        Ok(Self(s.into()))
    }
    /// A fresh 16-character nonce from the OS RNG.
    pub fn random() -> Self {
        const ALPHABET: &[u8; 62] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut out = String::with_capacity(16);
        while out.len() < 16 {
            let mut b = [0u8; 32];
            getrandom::fill(&mut b).expect("the operating system RNG failed");
            // 248 = 4·62: rejection sampling keeps the choice uniform.
            out.extend(
                b.iter()
                    .filter(|&&x| x < 248)
                    .map(|&x| ALPHABET[usize::from(x % 62)] as char)
                    .take(16 - out.len()),
            );
        }
        Self(out)
    }
    /// The nonce text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The fields of a link message (`docs/link-proofs.md` §1–§2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkMessage {
    /// `host[:port]` of the DEX.
    pub domain: String,
    /// The address being linked.
    pub address: Address,
    /// Optional one-line statement.
    pub statement: Option<String>,
    /// The DEX base URL.
    pub uri: String,
    /// The chain id.
    pub chain_id: ChainId,
    /// The DEX's single-use nonce.
    pub nonce: Nonce,
    /// When the challenge was issued.
    pub issued_at: Timestamp,
    /// When it expires.
    pub expiration_time: Timestamp,
}

fn check_domain(d: &str) -> Result<(), LinkError> {
    let ok = !d.is_empty()
        && d.len() <= 253
        && d.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(LinkError::InvalidField(format!(
            "domain {d:?} must be host[:port] without a scheme or path"
        )))
    }
}

fn check_uri(u: &str) -> Result<(), LinkError> {
    let ok = (u.starts_with("https://") || u.starts_with("http://"))
        && u.len() <= 2048
        && u.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(LinkError::InvalidField(format!(
            "uri {u:?} must be an http(s) URL without spaces"
        )))
    }
}

fn check_statement(s: &str) -> Result<(), LinkError> {
    if s.is_empty() || s.len() > MAX_STATEMENT_BYTES || s.chars().any(char::is_control) {
        return Err(LinkError::InvalidField(format!(
            "statement must be one line of 1 to {MAX_STATEMENT_BYTES} bytes without control characters"
        )));
    }
    Ok(())
}

impl LinkMessage {
    /// Validates every field, and the validity window's length (at most [`MAX_WINDOW_SECS`],
    /// ending after it starts); checking the window against a clock is [`verify`]'s job.
    pub fn validate(&self) -> Result<(), LinkError> {
        check_domain(&self.domain)?;
        check_uri(&self.uri)?;
        // A window no verifier accepts is a property of the fields alone: refuse to build it,
        // rather than let a wallet sign a message that can only be refused.
        let window = self.expiration_time.unix() - self.issued_at.unix();
        if window <= 0 || window > MAX_WINDOW_SECS {
            return Err(LinkError::Window);
        }
        // docs/link-proofs.md: the address must match the chain, `Binance-Chain-Tigris` ⇒ `bnb`. Checked here
        // too, not only against the DEX's network in `verify`, so no message can pair them wrongly.
        if self.chain_id.as_str() == MAINNET_CHAIN_ID && *self.address.hrp() != Hrp::mainnet() {
            return Err(LinkError::InvalidField(format!(
                "address {} is not a bnb address, but chain {MAINNET_CHAIN_ID} is mainnet; use the bnb address of the key",
                self.address
            )));
        }
        if let Some(s) = &self.statement {
            check_statement(s)?;
        }
        Ok(())
    }

    /// The message text: lines joined by `\n`, no trailing newline.
    pub fn to_text(&self) -> String {
        let mut t = String::with_capacity(512);
        t.push_str(&self.domain);
        t.push_str(" wants you to link your Binance Chain account:\n");
        t.push_str(&self.address.to_string());
        t.push_str("\n\n");
        if let Some(s) = &self.statement {
            t.push_str(s);
            t.push_str("\n\n");
        }
        t.push_str(&format!(
            "URI: {}\nVersion: 1\nChain ID: {}\nNonce: {}\nIssued At: {}\nExpiration Time: {}",
            self.uri, self.chain_id, self.nonce, self.issued_at, self.expiration_time
        ));
        t
    }

    /// Parses a message text, accepting only the exact form [`LinkMessage::to_text`] writes.
    pub fn parse(text: &str) -> Result<Self, LinkError> {
        let bad = |why: &str| LinkError::Malformed(why.into());
        let lines: Vec<&str> = text.split('\n').collect();
        let (statement, rest) = match lines.len() {
            9 => (None, &lines[3..]),
            11 => {
                if !lines[4].is_empty() {
                    return Err(bad("the statement must be followed by an empty line"));
                }
                (Some(lines[3]), &lines[5..])
            }
            _ => return Err(bad("wrong number of lines")),
        };
        let domain = lines[0]
            .strip_suffix(" wants you to link your Binance Chain account:")
            .ok_or_else(|| {
                bad("first line must be '<domain> wants you to link your Binance Chain account:'")
            })?;
        let address = Address::parse(lines[1]).map_err(|e| LinkError::Malformed(e.to_string()))?;
        if !lines[2].is_empty() {
            return Err(bad("the address must be followed by an empty line"));
        }
        let field = |line: &'_ str, key: &str| -> Result<String, LinkError> {
            line.strip_prefix(key)
                .map(str::to_string)
                .ok_or_else(|| LinkError::Malformed(format!("expected a line starting {key:?}")))
        };
        let uri = field(rest[0], "URI: ")?;
        if rest[1] != "Version: 1" {
            return Err(bad("expected 'Version: 1'"));
        }
        let chain = field(rest[2], "Chain ID: ")?;
        let nonce = field(rest[3], "Nonce: ")?;
        let issued = field(rest[4], "Issued At: ")?;
        let expires = field(rest[5], "Expiration Time: ")?;
        let to_malformed = |e: LinkError| match e {
            LinkError::InvalidField(m) => LinkError::Malformed(m),
            other => other,
        };
        let msg = Self {
            domain: domain.into(),
            address,
            statement: statement.map(str::to_string),
            uri,
            chain_id: ChainId::new(&chain).map_err(|e| LinkError::Malformed(e.to_string()))?,
            nonce: Nonce::new(&nonce).map_err(to_malformed)?,
            issued_at: Timestamp::parse(&issued)
                .map_err(|e| LinkError::Malformed(e.to_string()))?,
            expiration_time: Timestamp::parse(&expires)
                .map_err(|e| LinkError::Malformed(e.to_string()))?,
        };
        msg.validate().map_err(to_malformed)?;
        if msg.to_text() != text {
            return Err(bad("the message is not in canonical form"));
        }
        Ok(msg)
    }

    /// The ADR-036 sign document bytes for this message: sorted, compact JSON. Every value in it
    /// is bech32 or base64, so no JSON escaping can occur.
    pub fn sign_bytes(&self) -> Vec<u8> {
        format!(
            r#"{{"account_number":"0","chain_id":"","fee":{{"amount":[],"gas":"0"}},"memo":"","msgs":[{{"type":"sign/MsgSignData","value":{{"data":"{}","signer":"{}"}}}}],"sequence":"0"}}"#,
            B64.encode(self.to_text()),
            self.address
        )
        .into_bytes()
    }

    /// Signs the message; the key must be the message's address's key.
    pub fn sign(&self, key: &PrivateKey) -> Result<LinkProof, LinkError> {
        let pk = key.public_key();
        let own = pk.address(self.address.hrp());
        if own != self.address {
            return Err(LinkError::KeyMismatch(own.to_string()));
        }
        Ok(LinkProof {
            public_key: pk,
            signature: key.sign(&self.sign_bytes()),
        })
    }
}

/// A proof: the cosmjs `StdSignature` of the sign document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkProof {
    /// The signer's key.
    pub public_key: PublicKey,
    /// r‖s over SHA-256 of the sign document.
    pub signature: Signature,
}

impl LinkProof {
    /// `{"pub_key":{"type":"tendermint/PubKeySecp256k1","value":…},"signature":…}` (base64).
    pub fn to_json(&self) -> Value {
        json!({
            "pub_key": {"type": PUBKEY_TYPE, "value": B64.encode(self.public_key.to_compressed())},
            "signature": B64.encode(self.signature.as_bytes()),
        })
    }

    /// Parses the `StdSignature` JSON; the key must be 33 bytes and the signature 64.
    pub fn from_json(v: &Value) -> Result<Self, LinkError> {
        let bad = |why: &str| LinkError::MalformedProof(why.into());
        let pk = v.get("pub_key").ok_or_else(|| bad("missing pub_key"))?;
        if pk.get("type").and_then(Value::as_str) != Some(PUBKEY_TYPE) {
            return Err(bad("pub_key.type must be tendermint/PubKeySecp256k1"));
        }
        let key_b64 = pk
            .get("value")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("missing pub_key.value"))?;
        let key = B64
            .decode(key_b64)
            .map_err(|_| bad("pub_key.value is not base64"))?;
        if key.len() != 33 {
            return Err(bad("pub_key.value must be a 33-byte compressed key"));
        }
        let public_key =
            PublicKey::from_sec1(&key).map_err(|e| LinkError::MalformedProof(e.to_string()))?;
        let sig_b64 = v
            .get("signature")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("missing signature"))?;
        let sig = B64
            .decode(sig_b64)
            .map_err(|_| bad("signature is not base64"))?;
        let signature =
            Signature::from_bytes(&sig).map_err(|e| LinkError::MalformedProof(e.to_string()))?;
        Ok(Self {
            public_key,
            signature,
        })
    }
}

/// The wallet side of step 2 of `docs/link-proofs.md`: refuses a challenge unless it names the DEX being
/// talked to (`base_url`), its chain and the address asked about, so a phishing DEX cannot
/// obtain a proof usable elsewhere. Returns the parsed message to sign.
pub fn check_challenge(
    message: &str,
    base_url: &str,
    network: &Network,
    address: &Address,
) -> Result<LinkMessage, LinkError> {
    let msg = LinkMessage::parse(message)?;
    let base = base_url.trim_end_matches('/');
    let host = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))
        .unwrap_or(base);
    if msg.domain != host {
        return Err(LinkError::WrongDomain {
            expected: host.to_string(),
            got: msg.domain,
        });
    }
    if msg.uri.trim_end_matches('/') != base {
        return Err(LinkError::WrongUri {
            expected: base.to_string(),
            got: msg.uri,
        });
    }
    if &msg.chain_id != network.chain_id() {
        return Err(LinkError::WrongChain {
            expected: network.chain_id().to_string(),
            got: msg.chain_id.to_string(),
        });
    }
    if &msg.address != address {
        return Err(LinkError::KeyMismatch(msg.address.to_string()));
    }
    Ok(msg)
}

/// What a DEX expects of a proof sent to it.
#[derive(Debug, Clone)]
pub struct Expectations {
    /// This DEX's domain (`host[:port]`).
    pub domain: String,
    /// This DEX's base URI.
    pub uri: String,
    /// This DEX's network.
    pub network: Network,
}

/// Verifies a link proof as `docs/link-proofs.md` orders the checks. `consume_nonce` is called at step 4 with
/// the address and nonce; it must atomically check the nonce was issued to that address, is
/// unexpired and unused, and mark it used — returning whether it was valid. The nonce is thus
/// consumed whether or not the later checks pass.
pub fn verify(
    message: &str,
    proof: &Value,
    expect: &Expectations,
    now: Timestamp,
    consume_nonce: impl FnOnce(&Address, &Nonce) -> bool,
) -> Result<LinkMessage, LinkError> {
    let msg = LinkMessage::parse(message)?;
    let proof = LinkProof::from_json(proof)?;
    if msg.domain != expect.domain {
        return Err(LinkError::WrongDomain {
            expected: expect.domain.clone(),
            got: msg.domain,
        });
    }
    if msg.uri != expect.uri {
        return Err(LinkError::WrongUri {
            expected: expect.uri.clone(),
            got: msg.uri,
        });
    }
    if &msg.chain_id != expect.network.chain_id() {
        return Err(LinkError::WrongChain {
            expected: expect.network.chain_id().to_string(),
            got: msg.chain_id.to_string(),
        });
    }
    if msg.address.hrp() != expect.network.hrp() {
        return Err(LinkError::WrongChain {
            expected: expect.network.hrp().to_string(),
            got: msg.address.hrp().to_string(),
        });
    }
    let window = msg.expiration_time.unix() - msg.issued_at.unix();
    if window <= 0 || window > MAX_WINDOW_SECS {
        return Err(LinkError::Window);
    }
    if now.unix() < msg.issued_at.unix() - CLOCK_SKEW_SECS {
        return Err(LinkError::NotYetValid(msg.issued_at.to_string()));
    }
    if now > msg.expiration_time {
        return Err(LinkError::Expired(msg.expiration_time.to_string()));
    }
    if !consume_nonce(&msg.address, &msg.nonce) {
        return Err(LinkError::Nonce);
    }
    let key_addr = proof.public_key.address(msg.address.hrp());
    if key_addr != msg.address {
        return Err(LinkError::KeyMismatch(key_addr.to_string()));
    }
    if !proof.public_key.verify(&msg.sign_bytes(), &proof.signature) {
        return Err(LinkError::BadSignature);
    }
    Ok(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> PrivateKey {
        PrivateKey::from_hex("95949f757db1f57ca94a5dff23314accbe7abee89597bf6a3c7382c84d7eb832")
            .unwrap()
    }

    fn message(statement: Option<&str>) -> LinkMessage {
        LinkMessage {
            domain: "127.0.0.1:41234".into(),
            address: key().address(&Hrp::testnet()),
            statement: statement.map(str::to_string),
            uri: "http://127.0.0.1:41234".into(),
            chain_id: ChainId::new("Binance-Chain-Ganges").unwrap(),
            nonce: Nonce::new("abcDEF123").unwrap(),
            issued_at: Timestamp::parse("2026-11-26T21:00:00Z").unwrap(),
            expiration_time: Timestamp::parse("2026-11-26T21:10:00Z").unwrap(),
        }
    }

    fn expect() -> Expectations {
        Expectations {
            domain: "127.0.0.1:41234".into(),
            uri: "http://127.0.0.1:41234".into(),
            network: Network::testnet(),
        }
    }

    #[test]
    fn text_layout_matches_link_md() {
        let m = message(Some("Link to trade."));
        assert_eq!(
            m.to_text(),
            "127.0.0.1:41234 wants you to link your Binance Chain account:\n\
             tbnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lx8xu7hm\n\nLink to trade.\n\n\
             URI: http://127.0.0.1:41234\nVersion: 1\nChain ID: Binance-Chain-Ganges\n\
             Nonce: abcDEF123\nIssued At: 2026-11-26T21:00:00Z\nExpiration Time: 2026-11-26T21:10:00Z"
        );
        for st in [None, Some("Link to trade.")] {
            let m = message(st);
            assert_eq!(LinkMessage::parse(&m.to_text()).unwrap(), m);
        }
        let t = message(None).to_text();
        assert!(LinkMessage::parse(&format!("{t}\n")).is_err());
        assert!(LinkMessage::parse(&t.replace("Version: 1", "Version: 2")).is_err());
    }

    #[test]
    fn adr036_doc_matches_spec_vector() {
        // docs/upstream-vectors.md §6 (DERIVED): ADR-036 doc for data "hello world", key 95949f….
        let addr = key().address(&Hrp::mainnet());
        let doc = format!(
            r#"{{"account_number":"0","chain_id":"","fee":{{"amount":[],"gas":"0"}},"memo":"","msgs":[{{"type":"sign/MsgSignData","value":{{"data":"{}","signer":"{}"}}}}],"sequence":"0"}}"#,
            B64.encode("hello world"),
            addr
        );
        let sig = key().sign(doc.as_bytes());
        assert_eq!(
            sig.to_string(),
            "0035bfa13f6c2aad58d94fcb01325916534168ade2d69100eb7d4d7762826853308548888dff655abf6456f999e4bae2f121be517bfdf4b08b44b24d687517c2"
        );
    }

    #[test]
    fn verify_order_and_errors() {
        let m = message(None);
        let proof = m.sign(&key()).unwrap().to_json();
        let text = m.to_text();
        let now = Timestamp::parse("2026-11-26T21:05:00Z").unwrap();
        assert!(verify(&text, &proof, &expect(), now, |_, _| true).is_ok());
        // Nonce refused.
        assert_eq!(
            verify(&text, &proof, &expect(), now, |_, _| false),
            Err(LinkError::Nonce)
        );
        // Expired, and the nonce store is never consulted.
        let late = Timestamp::parse("2026-11-26T21:10:01Z").unwrap();
        assert!(matches!(
            verify(&text, &proof, &expect(), late, |_, _| panic!("consumed")),
            Err(LinkError::Expired(_))
        ));
        let early = Timestamp::parse("2026-11-26T20:58:59Z").unwrap();
        assert!(matches!(
            verify(&text, &proof, &expect(), early, |_, _| true),
            Err(LinkError::NotYetValid(_))
        ));
        let mut other = expect();
        other.domain = "dex.example".into();
        assert!(matches!(
            verify(&text, &proof, &other, now, |_, _| true),
            Err(LinkError::WrongDomain { .. })
        ));
        let mut other = expect();
        other.network = Network::mainnet();
        assert!(matches!(
            verify(&text, &proof, &other, now, |_, _| true),
            Err(LinkError::WrongChain { .. })
        ));
        // Another key's proof for this message.
        let k2 = PrivateKey::from_hex(
            "90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9",
        )
        .unwrap();
        let forged = LinkProof {
            public_key: k2.public_key(),
            signature: k2.sign(&m.sign_bytes()),
        }
        .to_json();
        assert!(matches!(
            verify(&text, &forged, &expect(), now, |_, _| true),
            Err(LinkError::KeyMismatch(_))
        ));
        // Right key, signature over a different message.
        let mut m2 = m.clone();
        m2.nonce = Nonce::new("zzzzzzzz9").unwrap();
        let wrong = m2.sign(&key()).unwrap().to_json();
        assert_eq!(
            verify(&text, &wrong, &expect(), now, |_, _| true),
            Err(LinkError::BadSignature)
        );
        // Window longer than an hour.
        let mut long = m.clone();
        long.expiration_time = long.issued_at.plus(3601);
        let p = long.sign(&key()).unwrap().to_json();
        assert_eq!(
            verify(&long.to_text(), &p, &expect(), now, |_, _| true),
            Err(LinkError::Window)
        );
    }

    /// Regression: `validate` accepted windows that `verify` always refuses (link-proof-invalid
    /// vectors window-3601s, window-one-day, window-negative built at the construction stage).
    #[test]
    fn validate_refuses_a_window_no_verifier_accepts() {
        let m = message(None);
        for (secs, ok) in [
            (3600, true),
            (1, true),
            (3601, false),
            (86400, false),
            (0, false),
            (-1, false),
        ] {
            let mut w = m.clone();
            w.expiration_time = w.issued_at.plus(secs);
            let want = if ok { Ok(()) } else { Err(LinkError::Window) };
            assert_eq!(w.validate(), want, "window of {secs} s");
        }
    }

    #[test]
    fn mainnet_chain_requires_a_bnb_address() {
        let mut m = message(None);
        m.chain_id = ChainId::new(MAINNET_CHAIN_ID).unwrap();
        assert!(matches!(m.validate(), Err(LinkError::InvalidField(_))));
        assert!(matches!(
            LinkMessage::parse(&m.to_text()),
            Err(LinkError::Malformed(_))
        ));
        m.address = key().address(&Hrp::mainnet());
        assert_eq!(m.validate(), Ok(()));
    }

    #[test]
    fn wallet_refuses_phishing_challenges() {
        let m = message(None);
        let text = m.to_text();
        let net = Network::testnet();
        let addr = m.address.clone();
        assert!(check_challenge(&text, "http://127.0.0.1:41234/", &net, &addr).is_ok());
        // Another DEX relaying this DEX's challenge.
        assert!(matches!(
            check_challenge(&text, "https://dex.example", &net, &addr),
            Err(LinkError::WrongDomain { .. })
        ));
        // Same host, other scheme: the URI differs.
        assert!(matches!(
            check_challenge(&text, "https://127.0.0.1:41234", &net, &addr),
            Err(LinkError::WrongUri { .. })
        ));
        assert!(matches!(
            check_challenge(&text, "http://127.0.0.1:41234", &Network::mainnet(), &addr),
            Err(LinkError::WrongChain { .. })
        ));
        let other = addr.with_hrp(Hrp::mainnet());
        assert!(matches!(
            check_challenge(&text, "http://127.0.0.1:41234", &net, &other),
            Err(LinkError::KeyMismatch(_))
        ));
    }

    #[test]
    fn random_nonces_are_valid_and_differ() {
        let a = Nonce::random();
        assert!(Nonce::new(a.as_str()).is_ok());
        assert_ne!(a, Nonce::random());
    }
}
