//! The client side: [`AgentClient`] (the protocol) and [`AgentSigner`] (a [`Signer`]).

use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Value, json};
use thiserror::Error;

use super::protocol::{ErrorCode, MAX_LINE, PROTOCOL_VERSION, WireError};
use crate::address::Address;
use crate::keys::PublicKey;
use crate::link::{LinkMessage, LinkProof};
use crate::recover::{RecoverRequest, SignedRecoverRequest};
use crate::secmem::{PAGE, SecretBytes};
use crate::signature::Signature;
use crate::signer::{Signer, SignerError};
use crate::tx::json::push_string;
use crate::tx::{BnbSignAnswer, UnsignedTx};

/// How long a client waits for an answer (an unlock runs the KDF; a request outside the
/// policy may wait for the user at the agent's terminal).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(300);

/// Why a call to the agent failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ClientError {
    /// No agent answers on the socket.
    #[error("cannot connect to the agent at {path}: {source}")]
    Connect {
        /// The socket.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The connection failed mid-call.
    #[error("the agent connection failed: {0}")]
    Io(#[from] io::Error),
    /// The agent answered something that is not a protocol answer.
    #[error("the agent's answer is malformed: {0}")]
    Protocol(String),
    /// The agent answered with an error.
    #[error("the agent refused: {}", .0.message)]
    Agent(WireError),
}

impl ClientError {
    /// The agent's error, when it answered with one.
    pub fn wire(&self) -> Option<&WireError> {
        match self {
            Self::Agent(e) => Some(e),
            _ => None,
        }
    }
}

/// An unlocked key as the agent lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInfo {
    /// The key-store entry.
    pub name: String,
    /// HD account (0 for an imported key).
    pub account: u32,
    /// HD index (0 for an imported key).
    pub index: u32,
    /// The derivation path (HD entries).
    pub path: Option<String>,
    /// The address on the entry's network.
    pub address: Address,
    /// The public key.
    pub public_key: PublicKey,
    /// When the agent wipes it (ms since the epoch).
    pub expires_ms: u64,
}

impl AccountInfo {
    fn from_json(v: &Value) -> Result<Self, ClientError> {
        let bad =
            |what: &str| ClientError::Protocol(format!("account {what} is missing or invalid"));
        let s = |k: &str| v.get(k).and_then(Value::as_str).ok_or_else(|| bad(k));
        let n = |k: &str| v.get(k).and_then(Value::as_u64).ok_or_else(|| bad(k));
        Ok(Self {
            name: s("name")?.to_string(),
            account: u32::try_from(n("account")?).map_err(|_| bad("account"))?,
            index: u32::try_from(n("index")?).map_err(|_| bad("index"))?,
            path: v.get("path").and_then(Value::as_str).map(str::to_string),
            address: Address::parse(s("address")?).map_err(|_| bad("address"))?,
            public_key: PublicKey::from_hex(s("public_key")?).map_err(|_| bad("public_key"))?,
            expires_ms: n("expires_ms")?,
        })
    }
}

/// A connection to an agent.
#[derive(Debug)]
pub struct AgentClient {
    stream: UnixStream,
    buf: Vec<u8>,
    next_id: u64,
}

fn code_from_str(s: &str) -> ErrorCode {
    match s {
        "parse_error" => ErrorCode::Parse,
        "unsupported_version" => ErrorCode::Version,
        "unknown_method" => ErrorCode::Method,
        "invalid_params" => ErrorCode::Params,
        "not_unlocked" => ErrorCode::NotUnlocked,
        "refused" => ErrorCode::Refused,
        "unlock_failed" => ErrorCode::Unlock,
        "too_long" => ErrorCode::TooLong,
        "busy" => ErrorCode::Busy,
        "forbidden" => ErrorCode::Forbidden,
        _ => ErrorCode::Internal,
    }
}

impl AgentClient {
    /// Connects to the agent at `socket`.
    pub fn connect(socket: &Path) -> Result<Self, ClientError> {
        let stream = UnixStream::connect(socket).map_err(|source| ClientError::Connect {
            path: socket.to_path_buf(),
            source,
        })?;
        stream.set_read_timeout(Some(ANSWER_TIMEOUT))?;
        Ok(Self {
            stream,
            buf: Vec::new(),
            next_id: 1,
        })
    }

    /// Calls `method` with `params` and returns its `result`.
    pub fn call(&mut self, method: &str, params: Value) -> Result<Value, ClientError> {
        let id = self.take_id();
        let line = json!({"v": PROTOCOL_VERSION, "id": id, "method": method, "params": params});
        self.round_trip(id, line.to_string().as_bytes())
    }

    fn take_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn round_trip(&mut self, id: u64, line: &[u8]) -> Result<Value, ClientError> {
        self.stream.write_all(line)?;
        self.stream.write_all(b"\n")?;
        self.answer(id)
    }

    /// Reads the answer to request `id` and returns its `result`.
    fn answer(&mut self, id: u64) -> Result<Value, ClientError> {
        let answer = self.read_line()?;
        let v: Value = serde_json::from_slice(&answer)
            .map_err(|e| ClientError::Protocol(format!("not JSON: {e}")))?;
        if v.get("v").and_then(Value::as_u64) != Some(PROTOCOL_VERSION) {
            return Err(ClientError::Protocol("not a version 1 answer".into()));
        }
        if let Some(e) = v.get("error") {
            let text = |k: &str| e.get(k).and_then(Value::as_str).map(str::to_string);
            return Err(ClientError::Agent(WireError {
                code: code_from_str(&text("code").unwrap_or_default()),
                message: text("message").unwrap_or_default(),
                rule: text("rule"),
            }));
        }
        if v.get("id").and_then(Value::as_u64) != Some(id) {
            return Err(ClientError::Protocol(
                "the answer is for another request".into(),
            ));
        }
        v.get("result")
            .cloned()
            .ok_or_else(|| ClientError::Protocol("no result".into()))
    }

    fn read_line(&mut self) -> Result<Vec<u8>, ClientError> {
        loop {
            if let Some(pos) = self.buf.iter().position(|&b| b == b'\n') {
                let line = self.buf[..pos].to_vec();
                self.buf.drain(..=pos);
                return Ok(line);
            }
            if self.buf.len() > MAX_LINE {
                return Err(ClientError::Protocol("the answer is too long".into()));
            }
            let mut chunk = [0u8; 8192];
            let n = self.stream.read(&mut chunk)?;
            if n == 0 {
                return Err(ClientError::Io(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the agent closed the connection",
                )));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// The unlocked keys.
    pub fn accounts(&mut self) -> Result<Vec<AccountInfo>, ClientError> {
        let r = self.call("accounts", json!({}))?;
        r.get("accounts")
            .and_then(Value::as_array)
            .ok_or_else(|| ClientError::Protocol("no accounts list".into()))?
            .iter()
            .map(AccountInfo::from_json)
            .collect()
    }

    /// The agent's status (pid, socket, policy, unlocked keys) as it sends it.
    pub fn status(&mut self) -> Result<Value, ClientError> {
        self.call("status", json!({}))
    }

    /// Unlocks an entry (HD: the key at `account`/`index`) for `ttl_secs`; the agent runs
    /// the KDF. The password is never put in a request string: it is escaped a page at a time
    /// in a locked page and written to the socket from there.
    pub fn unlock(
        &mut self,
        name: &str,
        account: u32,
        index: u32,
        ttl_secs: u64,
        password: &str,
    ) -> Result<AccountInfo, ClientError> {
        let id = self.take_id();
        let mut head = format!(
            "{{\"v\":{PROTOCOL_VERSION},\"id\":{id},\"method\":\"unlock\",\"params\":{{\"name\":"
        );
        push_string(&mut head, name);
        head.push_str(&format!(
            ",\"account\":{account},\"index\":{index},\"ttl_secs\":{ttl_secs},\"password\":\""
        ));
        self.stream.write_all(head.as_bytes())?;
        write_escaped_secret(&mut self.stream, password.as_bytes())?;
        self.stream.write_all(b"\"}}\n")?;
        let r = self.answer(id)?;
        AccountInfo::from_json(&r)
    }

    /// Locks (wipes) the keys of entry `name`, or all keys; how many were wiped.
    pub fn lock(&mut self, name: Option<&str>) -> Result<u64, ClientError> {
        let params = match name {
            Some(n) => json!({"name": n}),
            None => json!({}),
        };
        let r = self.call("lock", params)?;
        Ok(r.get("locked").and_then(Value::as_u64).unwrap_or(0))
    }

    /// Re-reads the policy file; whether there is one.
    pub fn reload(&mut self) -> Result<bool, ClientError> {
        let r = self.call("reload", json!({}))?;
        Ok(r.get("policy").and_then(Value::as_bool).unwrap_or(false))
    }

    /// Stops the agent (it wipes every key first).
    pub fn stop(&mut self) -> Result<(), ClientError> {
        self.call("stop", json!({})).map(|_| ())
    }

    /// Signs a transaction: sends its sign document and message type, returns the answer.
    pub fn bnb_sign(&mut self, tx: &UnsignedTx) -> Result<BnbSignAnswer, ClientError> {
        let id = self.take_id();
        let mut line =
            format!("{{\"v\":{PROTOCOL_VERSION},\"id\":{id},\"method\":\"bnb_sign\",\"params\":[");
        line.push_str(&tx.sign_json());
        line.push_str(",{\"msg_type\":");
        push_string(&mut line, tx.msg().amino_name());
        line.push_str("}]}");
        let r = self.round_trip(id, line.as_bytes())?;
        let bad = |w: &str| ClientError::Protocol(format!("bnb_sign answer: {w}"));
        let sig = r
            .get("signature")
            .and_then(Value::as_str)
            .and_then(|s| Signature::from_hex(s).ok())
            .ok_or_else(|| bad("no valid signature"))?;
        let pk = r
            .get("publicKey")
            .and_then(Value::as_str)
            .and_then(|s| hex::decode(s).ok())
            .and_then(|b| <[u8; 65]>::try_from(b).ok())
            .ok_or_else(|| bad("no valid publicKey"))?;
        Ok(BnbSignAnswer {
            signature: sig,
            public_key: pk,
        })
    }

    /// Signs a message (bnbSign convention) with the key of `address`.
    pub fn sign_message(
        &mut self,
        address: &Address,
        message: &[u8],
    ) -> Result<Signature, ClientError> {
        let r = self.call(
            "sign_message",
            json!({"address": address.to_string(), "message_hex": hex::encode(message)}),
        )?;
        r.get("signature")
            .and_then(Value::as_str)
            .and_then(|s| Signature::from_hex(s).ok())
            .ok_or_else(|| ClientError::Protocol("sign_message answer: no valid signature".into()))
    }

    /// Signs a BEP-333 recovery request with the key of `address`; the answer is verified.
    pub fn sign_recover(
        &mut self,
        address: &Address,
        request: &RecoverRequest,
    ) -> Result<SignedRecoverRequest, ClientError> {
        let message = request.message();
        let r = self.call(
            "sign_recover",
            json!({"address": address.to_string(), "message": message}),
        )?;
        let text = |k: &str| {
            r.get(k)
                .and_then(Value::as_str)
                .ok_or_else(|| ClientError::Protocol(format!("sign_recover answer: no {k}")))
        };
        SignedRecoverRequest::verify(&message, text("public_key")?, text("signature")?)
            .map_err(|e| ClientError::Protocol(format!("sign_recover answer: {e}")))
    }

    /// Signs a link proof (docs/link-proofs.md) with the key of the address `message` names.
    /// The answer is checked before it is returned: its public key is that address's and its
    /// signature verifies over the message's sign document.
    pub fn sign_link(&mut self, message: &LinkMessage) -> Result<LinkProof, ClientError> {
        let r = self.call("sign_link", json!({"message": message.to_text()}))?;
        let bad = |w: &str| ClientError::Protocol(format!("sign_link answer: {w}"));
        let public_key = r
            .get("public_key")
            .and_then(Value::as_str)
            .and_then(|s| PublicKey::from_hex(s).ok())
            .ok_or_else(|| bad("no valid public_key"))?;
        let signature = r
            .get("signature")
            .and_then(Value::as_str)
            .and_then(|s| Signature::from_hex(s).ok())
            .ok_or_else(|| bad("no valid signature"))?;
        if public_key.address(message.address.hrp()) != message.address {
            return Err(bad("signed with the key of another address"));
        }
        if !public_key.verify(&message.sign_bytes(), &signature) {
            return Err(bad("the signature does not verify"));
        }
        Ok(LinkProof {
            public_key,
            signature,
        })
    }
}

/// Writes `secret` as the inside of a JSON string (`"` and `\\` escaped, controls as
/// `\\u00XX`), escaped in a locked page that is flushed when full: no growable buffer, which
/// could leave a copy behind when it reallocates, ever holds it.
fn write_escaped_secret(w: &mut impl Write, secret: &[u8]) -> io::Result<()> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut page = SecretBytes::<PAGE>::zeroed();
    let buf = page.expose_mut();
    let mut n = 0;
    for &b in secret {
        if n + 6 > PAGE {
            w.write_all(&buf[..n])?;
            n = 0;
        }
        match b {
            b'"' | b'\\' => {
                buf[n] = b'\\';
                buf[n + 1] = b;
                n += 2;
            }
            0..0x20 => {
                buf[n..n + 4].copy_from_slice(b"\\u00");
                buf[n + 4] = HEX[usize::from(b >> 4)];
                buf[n + 5] = HEX[usize::from(b & 15)];
                n += 6;
            }
            _ => {
                buf[n] = b;
                n += 1;
            }
        }
    }
    w.write_all(&buf[..n])
}

/// A [`Signer`] backed by a running agent: the key stays in the agent, whose policy sees
/// every transaction (see the module docs for why digests are refused).
#[derive(Debug)]
pub struct AgentSigner {
    client: Mutex<AgentClient>,
    socket: PathBuf,
    account: AccountInfo,
}

impl AgentSigner {
    /// The agent's key of entry `name` at `account`/`index`, if it holds it unlocked.
    pub fn for_entry(
        socket: &Path,
        name: &str,
        account: u32,
        index: u32,
    ) -> Result<Option<Self>, ClientError> {
        let mut client = AgentClient::connect(socket)?;
        let found = client
            .accounts()?
            .into_iter()
            .find(|a| a.name == name && a.account == account && a.index == index);
        Ok(found.map(|account| Self {
            client: Mutex::new(client),
            socket: socket.to_path_buf(),
            account,
        }))
    }

    /// The agent's key of `address` (any network prefix), if it holds it unlocked.
    pub fn for_address(socket: &Path, address: &Address) -> Result<Option<Self>, ClientError> {
        let mut client = AgentClient::connect(socket)?;
        let found = client
            .accounts()?
            .into_iter()
            .find(|a| a.address.as_bytes() == address.as_bytes());
        Ok(found.map(|account| Self {
            client: Mutex::new(client),
            socket: socket.to_path_buf(),
            account,
        }))
    }

    /// The key as the agent listed it.
    pub fn account(&self) -> &AccountInfo {
        &self.account
    }

    /// Runs a call; when the connection broke (the agent closes idle ones after
    /// [`super::READ_TIMEOUT`]), reconnects once and runs it again.
    fn call<T>(
        &self,
        f: impl Fn(&mut AgentClient) -> Result<T, ClientError>,
    ) -> Result<T, SignerError> {
        let mut client = self.client.lock().unwrap_or_else(|p| p.into_inner());
        match f(&mut client) {
            Err(ClientError::Io(_)) => {
                *client = AgentClient::connect(&self.socket).map_err(signer_error)?;
                f(&mut client).map_err(signer_error)
            }
            other => other.map_err(signer_error),
        }
    }

    /// Signs a message (bnbSign convention); the signature is checked against the key.
    pub fn sign_message(&self, message: &[u8]) -> Result<Signature, SignerError> {
        let sig = self.call(|c| c.sign_message(&self.account.address, message))?;
        if !self.account.public_key.verify(message, &sig) {
            return Err(SignerError::Failed(
                "the agent's signature does not verify".into(),
            ));
        }
        Ok(sig)
    }

    /// Signs a BEP-333 recovery request (verified before it is returned).
    pub fn sign_recover(
        &self,
        request: &RecoverRequest,
    ) -> Result<SignedRecoverRequest, SignerError> {
        let signed = self.call(|c| c.sign_recover(&self.account.address, request))?;
        if signed.public_key != self.account.public_key {
            return Err(SignerError::Failed(
                "the agent signed with another key".into(),
            ));
        }
        Ok(signed)
    }

    /// Signs a link proof; the message must name this key's address (any network prefix).
    pub fn sign_link(&self, message: &LinkMessage) -> Result<LinkProof, SignerError> {
        if message.address.as_bytes() != self.account.address.as_bytes() {
            return Err(SignerError::Failed(
                "the link message names another address than this key's".into(),
            ));
        }
        self.call(|c| c.sign_link(message))
    }
}

fn signer_error(e: ClientError) -> SignerError {
    match e {
        ClientError::Agent(w) if w.code == ErrorCode::Refused => SignerError::Refused(w.message),
        other => SignerError::Failed(Box::new(other)),
    }
}

impl Signer for AgentSigner {
    fn public_key(&self) -> PublicKey {
        self.account.public_key
    }

    /// Refused: the agent signs only what its policy can read ([`Signer::sign_tx`]).
    fn sign_digest(&self, _digest: &[u8; 32]) -> Result<Signature, SignerError> {
        Err(SignerError::Refused(
            "the agent signs transactions and messages it can read, not bare digests".into(),
        ))
    }

    fn sign_tx(&self, tx: &UnsignedTx) -> Result<Signature, SignerError> {
        let answer = self.call(|c| c.bnb_sign(tx))?;
        if answer.public_key != self.account.public_key.to_uncompressed() {
            return Err(SignerError::Failed(
                "the agent signed with another key".into(),
            ));
        }
        Ok(answer.signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_escaped_secret_is_the_json_string_of_the_password_across_page_flushes() {
        // 700 × 7 bytes with controls (6 bytes each escaped): several page flushes.
        let password = "a\"\\\u{1}é\n/".repeat(700);
        let mut out = Vec::new();
        write_escaped_secret(&mut out, password.as_bytes()).unwrap();
        let mut quoted = vec![b'"'];
        quoted.extend_from_slice(&out);
        quoted.push(b'"');
        // serde_json reads it back as exactly the password.
        let back: String = serde_json::from_slice(&quoted).unwrap();
        assert_eq!(back, password);
        assert!(out.len() > 2 * PAGE);
    }
}
