//! The signer agent: unlock a key once, then sign over a local socket in milliseconds, within
//! a policy, with every request audited (docs/agent-protocol.md).
//!
//! * [`Agent`] is the daemon: it listens on a Unix socket in the key directory's state area
//!   ([`default_socket`], mode 0600 in a 0700 directory), serves only its own user (the peer
//!   uid of `SO_PEERCRED`), runs the KDF itself when asked to `unlock` an entry, and holds each
//!   unlocked key as one copy in a locked page ([`crate::secmem`]) until its TTL passes, it is
//!   locked, or the agent stops — all of which wipe it.
//! * [`AgentClient`] speaks the protocol (JSON lines, versioned); [`AgentSigner`] is a
//!   [`crate::Signer`] backed by a running agent.
//!
//! **Why the agent signs documents, not digests.** A policy (allowed symbols, limits per
//! order and per day, recipients) must read what it authorises; a SHA-256 digest tells it
//! nothing, and an agent that signed arbitrary digests would sign any transaction. So the
//! agent's only transaction method is `bnb_sign`, which takes the sign document itself, and
//! [`AgentSigner`] implements [`crate::Signer::sign_tx`] (the transaction) and refuses
//! [`crate::Signer::sign_digest`]. [`crate::UnsignedTx::sign_with`] calls `sign_tx`, so an
//! agent signs wherever any other signer does, and the answer is still checked against the
//! key before use. Messages (`sign_message`) that are themselves sign documents are refused
//! for the same reason.
//!
//! Files in the state area: `agent.sock` (the socket), `agent.pid`, `agent.lock` (held while
//! an agent runs: one agent per key directory), `agent-audit.jsonl` (one JSON line per
//! request: time, client pid, method, key, summary, decision, rule). The policy is
//! `policy.toml` at the top of the key directory ([`policy`]).

mod client;
pub mod policy;
mod protocol;
mod server;

use std::path::PathBuf;

use thiserror::Error;

pub use client::{AccountInfo, AgentClient, AgentSigner, ClientError};
pub use policy::{Action, ConfirmMode, Ledger, Policy, Refusal};
pub use protocol::{ErrorCode, MAX_LINE, PROTOCOL_VERSION, WireError};
pub use server::{
    Agent, AgentConfig, ConfirmFn, DEFAULT_TTL_SECS, MAX_CLIENTS, MAX_TTL_SECS, READ_TIMEOUT,
    StopHandle,
};

use crate::keydir::{KeyDir, KeyDirError};

/// The socket's file name in the state area.
pub const SOCKET_FILE: &str = "agent.sock";
/// The pid file's name in the state area.
pub const PID_FILE: &str = "agent.pid";
/// The lock file held by a running agent, in the state area.
pub const LOCK_FILE: &str = "agent.lock";
/// The audit log's name in the state area.
pub const AUDIT_FILE: &str = "agent-audit.jsonl";
/// The policy file's name at the top of the key directory.
pub const POLICY_FILE: &str = "policy.toml";
/// The environment variable naming an agent socket for clients.
pub const SOCKET_ENV: &str = "DEXLINK_AGENT";

/// The default socket of a key directory's agent (`<dir>/state/agent.sock`).
pub fn default_socket(dir: &KeyDir) -> Result<PathBuf, KeyDirError> {
    Ok(dir.state_dir()?.join(SOCKET_FILE))
}

/// Why an agent could not start or run.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum AgentError {
    /// Another agent holds the key directory's agent lock or answers on the socket.
    #[error("an agent is already running for this key directory (socket {0})")]
    AlreadyRunning(PathBuf),
    /// Something other than a socket of ours is at the socket path; it is left alone.
    #[error("{0} exists and is not a socket of this user; remove it or choose another socket path")]
    NotASocket(PathBuf),
    /// The socket's directory is not ours or lets others in.
    #[error(
        "the socket directory {path} (mode {mode:03o}) must be a directory of this user that others cannot enter (chmod 700)"
    )]
    InsecureSocketDir {
        /// The directory.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The policy file is unreadable, insecure or invalid.
    #[error("policy: {0}")]
    Policy(String),
    /// The key directory refused.
    #[error(transparent)]
    KeyDir(#[from] KeyDirError),
    /// A file-system or socket operation failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What we were doing.
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::Network;
    use crate::keystore::{Password, ScryptParams};
    use crate::tx::{LimitOrder, Side, TimeInForce};
    use crate::{Address, ChainId, PrivateKey, Signer, UnsignedTx};

    // V7 (wallet-core / java-sdk) and its V10 NewOrder signature (docs/upstream-vectors.md).
    const V7_KEY: &str = "90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9";
    const V10_SIG: &str = "9123cb6906bb20aeb753f4a121d4d88ff0e9750ba75b0c4e10d76caee1e7d2481290fa3b9887a6225d6997f5f939ef834ea61d596a314237c48e560da9e17b5a";

    #[test]
    fn an_agent_signer_signs_the_v10_order_through_the_socket_and_refuses_digests() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = KeyDir::open(Some(&tmp.path().join("home"))).unwrap();
        let key = PrivateKey::from_hex(V7_KEY).unwrap();
        let pw = Password::from_str_copy("pw");
        dir.import_private_key(
            &crate::keydir::EntryName::new("v7").unwrap(),
            &key,
            &Network::mainnet(),
            &pw,
            ScryptParams::new(4, 8, 1).unwrap(),
        )
        .unwrap();
        let socket = default_socket(&dir).unwrap();
        let start = || {
            let agent = Agent::bind(AgentConfig {
                keydir: dir.clone(),
                socket: socket.clone(),
                confirm: None,
            })
            .unwrap();
            let stop = agent.stop_handle();
            (stop, std::thread::spawn(move || agent.serve()))
        };
        let (stop, serving) = start();
        let mut client = AgentClient::connect(&socket).unwrap();
        assert!(
            AgentSigner::for_entry(&socket, "v7", 0, 0)
                .unwrap()
                .is_none()
        );
        let info = client.unlock("v7", 0, 0, 60, "pw").unwrap();
        assert_eq!(
            info.address.to_string(),
            "bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu"
        );
        let signer = AgentSigner::for_entry(&socket, "v7", 0, 0)
            .unwrap()
            .unwrap();
        // V10: wallet-core's test_binance_sign_trade_order.
        let sender = Address::parse("bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu").unwrap();
        let order = LimitOrder {
            sender,
            symbol: "NNB-338_BNB".into(),
            side: Side::Buy,
            price: "1.3635".parse().unwrap(),
            quantity: "1".parse().unwrap(),
            time_in_force: TimeInForce::Gte,
        };
        let tx = UnsignedTx::new(ChainId::new("chain-bnb").unwrap(), 12, 35, order)
            .unwrap()
            .with_source(1)
            .unwrap();
        let signed = tx.sign_with(&signer).unwrap();
        assert_eq!(signed.signature().to_string(), V10_SIG);
        assert!(matches!(
            signer.sign_digest(&[0u8; 32]),
            Err(crate::signer::SignerError::Refused(_))
        ));
        assert_eq!(client.lock(None).unwrap(), 1);
        let e = tx.sign_with(&signer).unwrap_err().to_string();
        assert!(e.contains("is unlocked in the agent"), "{e}");
        stop.stop();
        serving.join().unwrap().unwrap();
        assert!(!socket.exists());
        // A restarted agent: the signer's connection is gone, it reconnects once.
        let (stop, serving) = start();
        AgentClient::connect(&socket)
            .unwrap()
            .unlock("v7", 0, 0, 60, "pw")
            .unwrap();
        let signed = tx.sign_with(&signer).unwrap();
        assert_eq!(signed.signature().to_string(), V10_SIG);
        stop.stop();
        serving.join().unwrap().unwrap();
    }

    #[test]
    fn sign_link_signs_a_cosmjs_link_vector_and_refuses_what_is_not_a_link_message() {
        // test-vectors/link-proof-cosmjs.json "fixed-95949f-tbnb-no-statement": signed by CosmJS.
        const KEY: &str = "95949f757db1f57ca94a5dff23314accbe7abee89597bf6a3c7382c84d7eb832";
        const ADDRESS: &str = "tbnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lx8xu7hm";
        const MESSAGE: &str = "127.0.0.1:41234 wants you to link your Binance Chain account:\ntbnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lx8xu7hm\n\nURI: http://127.0.0.1:41234\nVersion: 1\nChain ID: Binance-Chain-Ganges\nNonce: abcDEF123\nIssued At: 2026-11-26T21:00:00Z\nExpiration Time: 2026-11-26T21:10:00Z";
        const SIG: &str = "5772c5e2174ab93413369b601dc001d38e96308e4ea8abe82ad6e4b30914dbe559d94d05484fa60eabcdb9077d7693630cb6f210abd0b3b147054747d18790a1";
        let tmp = tempfile::tempdir().unwrap();
        let dir = KeyDir::open(Some(&tmp.path().join("home"))).unwrap();
        dir.import_private_key(
            &crate::keydir::EntryName::new("k2").unwrap(),
            &PrivateKey::from_hex(KEY).unwrap(),
            &Network::testnet(),
            &Password::from_str_copy("pw"),
            ScryptParams::new(4, 8, 1).unwrap(),
        )
        .unwrap();
        let socket = default_socket(&dir).unwrap();
        let agent = Agent::bind(AgentConfig {
            keydir: dir.clone(),
            socket: socket.clone(),
            confirm: None,
        })
        .unwrap();
        let stop = agent.stop_handle();
        let serving = std::thread::spawn(move || agent.serve());
        let mut client = AgentClient::connect(&socket).unwrap();
        let msg = crate::link::LinkMessage::parse(MESSAGE).unwrap();
        // Not unlocked yet.
        let e = client.sign_link(&msg).unwrap_err();
        assert_eq!(e.wire().map(|w| w.code), Some(ErrorCode::NotUnlocked));
        client.unlock("k2", 0, 0, 60, "pw").unwrap();
        let proof = client.sign_link(&msg).unwrap();
        assert_eq!(proof.signature.to_string(), SIG);
        assert_eq!(
            proof
                .public_key
                .address(&crate::Hrp::new("tbnb").unwrap())
                .to_string(),
            ADDRESS
        );
        // Through the Signer of that key too.
        let signer = AgentSigner::for_entry(&socket, "k2", 0, 0)
            .unwrap()
            .unwrap();
        assert_eq!(signer.sign_link(&msg).unwrap().signature.to_string(), SIG);
        // A text that is not a link message is refused, as is a message with a bad field.
        let e = client
            .call("sign_link", serde_json::json!({"message": "hello"}))
            .unwrap_err();
        assert_eq!(e.wire().map(|w| w.code), Some(ErrorCode::Params));
        let e = client
            .call(
                "sign_link",
                serde_json::json!({"message": MESSAGE, "address": ADDRESS}),
            )
            .unwrap_err();
        assert_eq!(
            e.wire().map(|w| w.message.as_str()),
            Some("unexpected parameter \"address\"; this method takes message")
        );
        stop.stop();
        serving.join().unwrap().unwrap();
    }
}
