//! The CLI's error type: the SDK's errors wrapped as they are (`From` for each), plus the CLI's
//! own (usage, cancelled, …). The exit code is chosen by variant (2 for bad input, 1 for a
//! failure); `Display` prints the SDK's message, then the CLI's hint (a flag or a command to
//! try), which is the CLI's job and not the SDK's. `{e:#}` also follows the source chain.

use std::error::Error as StdError;
use std::fmt;

use dexlink::client::{ClientError, SubmitError};
use dexlink::hd::HdError;
use dexlink::io::ReadError;
use dexlink::keydir::KeyDirError;
use dexlink::keystore::KeystoreError;
use dexlink::link::LinkError;
use dexlink::mnemonic::MnemonicError;
use dexlink::recover::RecoverError;
use dexlink::tx::{DecodeError, OrderError, SignDocError, TxError, UnsignedTxError};

/// Exit code for bad input or usage.
pub const EXIT_USAGE: u8 = 2;
/// Exit code for a failure of the operation itself.
pub const EXIT_FAILED: u8 = 1;

/// A CLI failure. Each variant has a kind (its snake_case name, printed in `--json` errors) and
/// an exit code.
#[derive(Debug)]
#[non_exhaustive]
pub enum CliError {
    /// Bad input or usage found by the CLI itself (exit 2).
    Usage(String),
    /// The operation failed, for a reason the CLI words itself (exit 1).
    Failed(String),
    /// The user declined a confirmation; nothing was done (exit 1).
    Cancelled,
    /// A command-line argument's value was refused by the SDK (exit 2).
    InvalidArgument {
        /// The argument, e.g. `--chain-id`.
        arg: &'static str,
        /// Why.
        source: Box<dyn StdError + Send + Sync>,
    },
    /// Another error with what the CLI was doing in front (kind and exit code are the inner's).
    Context {
        /// What was being done, e.g. `refusing to sign`.
        context: String,
        /// The error.
        source: Box<CliError>,
    },
    /// An I/O failure of the CLI's own (stdout, the terminal, a file it writes) (exit 1).
    Io {
        /// What was being done, e.g. `cannot write to stdout`.
        action: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The key directory.
    KeyDir(KeyDirError),
    /// A keystore file.
    Keystore(KeystoreError),
    /// The DEX client.
    Client(ClientError),
    /// Reading an input (file, stdin) under its limit.
    Input(ReadError),
    /// A mnemonic.
    Mnemonic(MnemonicError),
    /// HD derivation.
    Hd(HdError),
    /// Building, encoding or signing a transaction.
    Tx(TxError),
    /// An order's fields.
    Order(OrderError),
    /// Transaction bytes that do not decode.
    Decode(DecodeError),
    /// A WalletConnect sign document.
    SignDoc(SignDocError),
    /// An unsigned-transaction file.
    UnsignedTx(UnsignedTxError),
    /// A link proof or the DEX's link challenge.
    Link(LinkError),
    /// A BEP-333 recovery request.
    Recover(RecoverError),
}

impl CliError {
    /// Bad input or usage (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::Usage(message.into())
    }

    /// A failure of the operation itself (exit 1).
    pub fn failed(message: impl Into<String>) -> Self {
        Self::Failed(message.into())
    }

    /// The user declined a confirmation (exit 1; nothing was done).
    pub fn cancelled() -> Self {
        Self::Cancelled
    }

    /// For `map_err`: an SDK error about the value of command-line argument `arg` (exit 2).
    pub fn arg<E: StdError + Send + Sync + 'static>(arg: &'static str) -> impl FnOnce(E) -> Self {
        move |e| Self::InvalidArgument {
            arg,
            source: Box::new(e),
        }
    }

    /// For `map_err`: an I/O error while doing `action` (exit 1).
    pub fn io(action: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        move |source| Self::Io {
            action: action.into(),
            source,
        }
    }

    /// This error with `context` in front of its message; kind and exit code stay the same.
    pub fn context(self, context: impl Into<String>) -> Self {
        Self::Context {
            context: context.into(),
            source: Box::new(self),
        }
    }

    /// The exit code to leave with: 2 for bad input, 1 for a failure.
    pub fn exit_code(&self) -> u8 {
        let usage = match self {
            Self::Usage(_) | Self::InvalidArgument { .. } => true,
            Self::Failed(_) | Self::Cancelled | Self::Io { .. } => false,
            Self::Context { source, .. } => return source.exit_code(),
            // Invalid names, name clashes and invalid secrets are bad input; a wrong password,
            // a missing entry and file problems are failures.
            Self::KeyDir(e) => matches!(
                e,
                KeyDirError::InvalidName(..)
                    | KeyDirError::NameTaken(..)
                    | KeyDirError::InvalidSecret(..)
                    | KeyDirError::InvalidMetadata(..)
                    | KeyDirError::EntryFull { .. }
            ),
            // One rule for wrong passwords, store entries or keystore files: exit 1.
            Self::Keystore(e) => !matches!(e, KeystoreError::WrongPassword),
            // The URL and the query are the user's input; everything else is the DEX or the
            // network.
            Self::Client(e) => matches!(
                e,
                ClientError::InvalidUrl(..) | ClientError::InvalidQuery(_)
            ),
            Self::Input(_)
            | Self::Mnemonic(_)
            | Self::Hd(_)
            | Self::Tx(_)
            | Self::Order(_)
            | Self::Decode(_)
            | Self::SignDoc(_)
            | Self::UnsignedTx(_) => true,
            // The DEX's challenge was refused: the input (the URL, the key) was fine.
            Self::Link(_) => false,
            // A malformed field is bad input; a request that does not verify is a failure.
            Self::Recover(e) => !matches!(
                e,
                RecoverError::Message(_) | RecoverError::HighS | RecoverError::BadSignature
            ),
        };
        if usage { EXIT_USAGE } else { EXIT_FAILED }
    }

    /// The variant's name in snake_case: the `kind` of a `--json` error.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Usage(_) => "usage",
            Self::Failed(_) => "failed",
            Self::Cancelled => "cancelled",
            Self::InvalidArgument { .. } => "invalid_argument",
            Self::Context { source, .. } => source.kind(),
            Self::Io { .. } => "io",
            Self::KeyDir(_) => "key_dir",
            Self::Keystore(_) => "keystore",
            Self::Client(_) => "client",
            Self::Input(_) => "input",
            Self::Mnemonic(_) => "mnemonic",
            Self::Hd(_) => "hd",
            Self::Tx(_) => "tx",
            Self::Order(_) => "order",
            Self::Decode(_) => "decode",
            Self::SignDoc(_) => "sign_doc",
            Self::UnsignedTx(_) => "unsigned_tx",
            Self::Link(_) => "link",
            Self::Recover(_) => "recover",
        }
    }

    /// The wrapped SDK (or OS) error, if any.
    fn inner(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Self::Usage(_) | Self::Failed(_) | Self::Cancelled => None,
            Self::InvalidArgument { source, .. } => Some(source.as_ref()),
            Self::Context { source, .. } => source.inner(),
            Self::Io { source, .. } => Some(source),
            Self::KeyDir(e) => Some(e),
            Self::Keystore(e) => Some(e),
            Self::Client(e) => Some(e),
            Self::Input(e) => Some(e),
            Self::Mnemonic(e) => Some(e),
            Self::Hd(e) => Some(e),
            Self::Tx(e) => Some(e),
            Self::Order(e) => Some(e),
            Self::Decode(e) => Some(e),
            Self::SignDoc(e) => Some(e),
            Self::UnsignedTx(e) => Some(e),
            Self::Link(e) => Some(e),
            Self::Recover(e) => Some(e),
        }
    }

    /// The message itself, without hint or source chain.
    fn message(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Usage(m) | Self::Failed(m) => f.write_str(m),
            Self::Cancelled => f.write_str("cancelled; nothing was done"),
            Self::InvalidArgument { arg, source } => write!(f, "{arg}: {source}"),
            Self::Context { context, source } => {
                write!(f, "{context}: ")?;
                source.message(f)
            }
            Self::Io { action, source } => write!(f, "{action}: {source}"),
            Self::Client(ClientError::RateLimited {
                status: 503,
                retry_after,
            }) => {
                // A 503 is the DEX being unavailable (maintenance, overload), not a quota.
                write!(f, "the DEX is unavailable (HTTP 503)")?;
                match retry_after {
                    Some(d) if !d.is_zero() => {
                        write!(f, "; it asks to retry after {} s", d.as_secs())
                    }
                    _ => Ok(()),
                }
            }
            _ => match self.inner() {
                Some(e) => write!(f, "{e}"),
                None => Ok(()),
            },
        }
    }

    /// The CLI's advice for this error: flags and commands, which SDK messages do not name.
    /// Skipped when the SDK's text already gives it (`marker` found in the message).
    fn hint(&self) -> Option<(&'static str, String)> {
        Some(match self {
            Self::Context { source, .. } => return source.hint(),
            Self::KeyDir(KeyDirError::NoHome) => (
                "--home",
                "pass --home DIR or set DEXLINK_HOME to choose the key directory".into(),
            ),
            Self::KeyDir(KeyDirError::NotFound(_)) => (
                "dexlink keys",
                "see `dexlink keys list`, or create one with `dexlink keys new NAME`".into(),
            ),
            Self::Client(e) => match e {
                ClientError::WrongChain { .. } => {
                    ("--chain-id", "check --dex or --chain-id".into())
                }
                ClientError::ResponseTooLarge { .. } | ClientError::Decode { .. } => {
                    ("--dex", "check that --dex is the DEX API's base URL".into())
                }
                ClientError::Unreachable { .. } | ClientError::Tls { .. } => (
                    "--dex",
                    "check --dex (or DEXLINK_DEX); `dexlink devnet` runs a local DEX".into(),
                ),
                ClientError::InvalidUrl(..) => (
                    "--dex",
                    "give --dex as http(s)://HOST[:PORT], e.g. http://127.0.0.1:41234".into(),
                ),
                ClientError::OutcomeUnknown { hash } => (
                    "dexlink tx status",
                    format!("look it up with `dexlink tx status {hash}` before trying again"),
                ),
                ClientError::RateLimited { status: 503, .. } => {
                    ("try again", "try again later".into())
                }
                _ => return None,
            },
            // Orders are checked before anything is signed.
            Self::Order(_) => ("nothing was signed", "nothing was signed".into()),
            Self::UnsignedTx(UnsignedTxError::Missing(what)) => {
                let flag = match *what {
                    "chain id" => "--chain-id ID",
                    "account number" => "--account-number N",
                    _ => "--sequence N",
                };
                (flag, format!("pass {flag}"))
            }
            _ => return None,
        })
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Rendered first so the hint and the chain can be skipped when already in the text.
        let mut text = String::new();
        {
            use fmt::Write;
            write!(text, "{}", Message(self))?;
            if f.alternate() {
                let mut next = self.inner().and_then(StdError::source);
                while let Some(e) = next {
                    let s = e.to_string();
                    if !text.contains(&s) {
                        write!(text, ": {s}")?;
                    }
                    next = e.source();
                }
            }
            if let Some((marker, hint)) = self.hint()
                && !text.contains(marker)
            {
                write!(text, "; {hint}")?;
            }
        }
        f.write_str(&text)
    }
}

/// Displays only [`CliError::message`].
struct Message<'a>(&'a CliError);

impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.message(f)
    }
}

impl StdError for CliError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner()
    }
}

/// `From` for each wrapped SDK error, so `?` works.
macro_rules! from_sdk {
    ($($variant:ident($ty:ty)),* $(,)?) => {$(
        impl From<$ty> for CliError {
            fn from(e: $ty) -> Self {
                Self::$variant(e)
            }
        }
    )*};
}

from_sdk!(
    KeyDir(KeyDirError),
    Keystore(KeystoreError),
    Client(ClientError),
    Input(ReadError),
    Mnemonic(MnemonicError),
    Hd(HdError),
    Tx(TxError),
    Order(OrderError),
    Decode(DecodeError),
    SignDoc(SignDocError),
    UnsignedTx(UnsignedTxError),
    Link(LinkError),
    Recover(RecoverError),
);

/// A submit's failure: the builder's own error as it is, the DEX's as a client error.
impl From<SubmitError<CliError>> for CliError {
    fn from(e: SubmitError<CliError>) -> Self {
        match e {
            SubmitError::Build(e) => e,
            SubmitError::Client(e) => Self::Client(e),
            other => Self::Failed(other.to_string()),
        }
    }
}

/// `.context("…")` on results whose error converts into a [`CliError`].
pub trait Context<T> {
    /// Puts `context` in front of the error's message; kind and exit code stay the same.
    fn context(self, context: impl Into<String>) -> Result<T, CliError>;
}

impl<T, E: Into<CliError>> Context<T> for Result<T, E> {
    fn context(self, context: impl Into<String>) -> Result<T, CliError> {
        self.map_err(|e| e.into().context(context))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_and_kinds_by_variant() {
        let wrong = CliError::from(KeystoreError::WrongPassword);
        assert_eq!((wrong.exit_code(), wrong.kind()), (1, "keystore"));
        let name = CliError::from(KeyDirError::InvalidName("a/b".into()));
        assert_eq!((name.exit_code(), name.kind()), (2, "key_dir"));
        let missing = CliError::from(KeyDirError::NotFound("bob".into()));
        assert_eq!(missing.exit_code(), 1);
        let url = CliError::from(ClientError::InvalidUrl("x".into(), "no scheme".into()));
        assert_eq!((url.exit_code(), url.kind()), (2, "client"));
        let bad_sig = CliError::from(RecoverError::BadSignature);
        assert_eq!(bad_sig.exit_code(), 1);
        let symbol = CliError::from(RecoverError::SymbolEmpty);
        assert_eq!(symbol.exit_code(), 2);
        assert_eq!(CliError::cancelled().exit_code(), 1);
        assert_eq!(CliError::usage("x").exit_code(), 2);
        assert_eq!(CliError::failed("x").exit_code(), 1);
        let ctx = CliError::from(RecoverError::BadSignature).context("invalid recovery request");
        assert_eq!((ctx.exit_code(), ctx.kind()), (1, "recover"));
    }

    #[test]
    fn display_is_the_message_then_the_hint() {
        let e = CliError::from(KeyDirError::NotFound("bob".into()));
        assert_eq!(
            e.to_string(),
            "no entry named 'bob'; list entries to see the names; see `dexlink keys list`, or \
             create one with `dexlink keys new NAME`"
        );
        let e = CliError::from(UnsignedTxError::Missing("account number")).context("cannot sign");
        assert_eq!(
            e.to_string(),
            "cannot sign: the file does not carry the account number; give it separately; pass \
             --account-number N"
        );
        assert_eq!(
            CliError::usage("plain").to_string(),
            "plain",
            "CLI-worded errors have no hint"
        );
    }

    #[test]
    fn a_hint_already_in_the_sdk_text_is_not_repeated() {
        let e = CliError::from(ClientError::WrongChain {
            expected: dexlink::ChainId::new("a").unwrap(),
            got: dexlink::ChainId::new("b").unwrap(),
        });
        assert_eq!(e.to_string().matches("--chain-id").count(), 1, "{e}");
    }

    #[test]
    fn http_503_is_unavailable_and_429_rate_limited() {
        let e = CliError::from(ClientError::RateLimited {
            status: 503,
            retry_after: Some(std::time::Duration::from_secs(5)),
        });
        assert_eq!(
            e.to_string(),
            "the DEX is unavailable (HTTP 503); it asks to retry after 5 s; try again later"
        );
        let e = CliError::from(ClientError::RateLimited {
            status: 429,
            retry_after: None,
        });
        assert!(e.to_string().starts_with("rate limited"), "{e}");
    }

    #[test]
    fn alternate_display_follows_the_source_chain() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let e = CliError::from(KeyDirError::Io {
            action: "read",
            path: "/x".into(),
            source: io,
        });
        // The SDK's message already holds its source; the chain does not repeat it.
        assert_eq!(format!("{e:#}"), "cannot read /x: denied");
        let e = CliError::arg("--amount")(dexlink::amount::AmountError::Zero("0".into()));
        assert_eq!(e.kind(), "invalid_argument");
        assert!(format!("{e:#}").starts_with("--amount: "), "{e:#}");
    }
}
