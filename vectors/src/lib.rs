//! dexlink-vectors: the test-vector runner of the dexlink SDK. It loads files in the format of
//! `docs/test-vectors.md` and checks each vector against the SDK's public API.
//!
//! It is a crate of its own so that the SDK carries no file walking or harness types: the SDK's
//! tests, the CLI's `dexlink vectors run` and the `vector_file` fuzz target all call it.
//!
//! Each vector type has one check function in a submodule. A check returns `Ok(())` when every
//! field it was given matches, or a [`Failure`]: either the operation failed with an
//! [`ErrorKind`] (which passes when the vector says `expect_error` with that kind) or a value
//! differed. Types the runner does not know are reported as skipped, by name, never silently.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use dexlink::io::{Limit, ReadError};
use serde::Serialize;
use serde_json::Value;
use thiserror::Error;

mod fields;
mod hd;
mod keys;
mod keystore;
mod link;
mod recover;
mod tx;

pub(crate) use fields::Fields;

/// The error kinds a vector may expect (`expect_error`), as `docs/test-vectors.md` lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// Unknown word, bad checksum, bad length.
    InvalidMnemonic,
    /// Entropy of a length BIP39 does not allow.
    InvalidEntropy,
    /// Zero, ≥ n, wrong length.
    InvalidPrivateKey,
    /// Not a point, wrong length.
    InvalidPublicKey,
    /// A derivation path that does not parse.
    InvalidPath,
    /// An xprv/xpub that must be rejected.
    InvalidExtendedKey,
    /// Bad checksum, wrong HRP, wrong length, mixed case.
    InvalidAddress,
    /// Malformed signature bytes.
    InvalidSignature,
    /// More than 8 decimals, zero or negative, overflow.
    InvalidAmount,
    /// Undecodable or non-canonical transaction bytes.
    InvalidTx,
    /// Keystore MAC mismatch.
    WrongPassword,
    /// Keystore algorithm or version not supported.
    UnsupportedKeystore,
    /// Keystore structurally broken.
    InvalidKeystore,
    /// A token symbol that is empty, too long or not printable ASCII (an extension of the
    /// list in `docs/test-vectors.md`, for `token-recover` vectors).
    InvalidSymbol,
    /// A signed message that is not exactly the expected document (an extension, for
    /// `token-recover` and `link-proof` vectors).
    InvalidMessage,
}

impl ErrorKind {
    /// The kebab-case name used in vector files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidMnemonic => "invalid-mnemonic",
            Self::InvalidEntropy => "invalid-entropy",
            Self::InvalidPrivateKey => "invalid-private-key",
            Self::InvalidPublicKey => "invalid-public-key",
            Self::InvalidPath => "invalid-path",
            Self::InvalidExtendedKey => "invalid-extended-key",
            Self::InvalidAddress => "invalid-address",
            Self::InvalidSignature => "invalid-signature",
            Self::InvalidAmount => "invalid-amount",
            Self::InvalidTx => "invalid-tx",
            Self::WrongPassword => "wrong-password",
            Self::UnsupportedKeystore => "unsupported-keystore",
            Self::InvalidKeystore => "invalid-keystore",
            Self::InvalidSymbol => "invalid-symbol",
            Self::InvalidMessage => "invalid-message",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why one vector did not pass its check.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// The operation failed with this kind; `detail` is the error text.
    Op(ErrorKind, String),
    /// A value differed: `what` it was, expected and computed.
    Mismatch {
        /// The field or step that differed.
        what: String,
        /// The vector's value.
        expected: String,
        /// Ours.
        got: String,
    },
    /// The vector itself is malformed (missing or mistyped field).
    Malformed(String),
}

impl Failure {
    /// A mismatch between the vector's value and ours.
    pub fn mismatch(what: &str, expected: impl fmt::Display, got: impl fmt::Display) -> Self {
        Self::Mismatch {
            what: what.into(),
            expected: expected.to_string(),
            got: got.to_string(),
        }
    }
    /// An operation failure of kind `kind`.
    pub fn op(kind: ErrorKind, err: impl fmt::Display) -> Self {
        Self::Op(kind, err.to_string())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Op(k, d) => write!(f, "operation failed ({k}): {d}"),
            Self::Mismatch {
                what,
                expected,
                got,
            } => write!(f, "{what} differed, expected {expected} vs got {got}"),
            Self::Malformed(m) => write!(f, "malformed vector: {m}"),
        }
    }
}

/// Compares an expected and a computed value, producing a [`Failure::Mismatch`] when they differ.
pub(crate) fn expect_eq<T: PartialEq + fmt::Display>(
    what: &str,
    expected: T,
    got: T,
) -> Result<(), Failure> {
    if expected == got {
        Ok(())
    } else {
        Err(Failure::mismatch(what, expected, got))
    }
}

/// One vector's check: `Ok` when it passes on its own terms (before `expect_error` is applied).
type Check = fn(&Fields<'_>) -> Result<(), Failure>;

/// The check for a vector type, or `None` when the runner does not know the type.
fn check_for(kind: &str) -> Option<Check> {
    Some(match kind {
        "address" => keys::check_address,
        "signature" => keys::check_signature,
        "ecdsa-verify" => keys::check_ecdsa_verify,
        "bech32" => keys::check_bech32,
        "token-recover" => recover::check_token_recover,
        "link-proof" => link::check_link_proof,
        "bip39" => hd::check_bip39,
        "bip32" => hd::check_bip32,
        "key-derivation" => hd::check_key_derivation,
        "keystore" => keystore::check_keystore,
        "tx" => tx::check_tx,
        _ => return None,
    })
}

/// The outcome of one vector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
#[non_exhaustive]
pub enum Outcome {
    /// Passed.
    Pass,
    /// Failed, with the reason.
    Fail {
        /// What differed.
        reason: String,
    },
    /// Not checked: the runner does not know the type.
    Skip {
        /// Why.
        reason: String,
    },
}

/// The result of one vector.
#[derive(Debug, Clone, Serialize)]
pub struct VectorResult {
    /// The vector's `id` (or its index when it has none).
    pub id: String,
    /// The vector's `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What happened.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The results of one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The file's path as given.
    pub path: String,
    /// The file's `name`.
    pub name: String,
    /// The file's `source`.
    pub source: String,
    /// One entry per vector, in file order.
    pub results: Vec<VectorResult>,
}

impl FileReport {
    /// (passed, failed, skipped) counts.
    pub fn counts(&self) -> (usize, usize, usize) {
        count(self.results.iter())
    }
}

fn count<'a>(it: impl Iterator<Item = &'a VectorResult>) -> (usize, usize, usize) {
    it.fold((0, 0, 0), |(p, f, s), r| match r.outcome {
        Outcome::Pass => (p + 1, f, s),
        Outcome::Fail { .. } => (p, f + 1, s),
        Outcome::Skip { .. } => (p, f, s + 1),
    })
}

/// The results of a whole run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// One entry per file, in the order they were found.
    pub files: Vec<FileReport>,
}

impl Report {
    /// (passed, failed, skipped) over every file.
    pub fn counts(&self) -> (usize, usize, usize) {
        count(self.files.iter().flat_map(|f| f.results.iter()))
    }

    /// True when nothing failed and nothing was skipped.
    pub fn ok(&self) -> bool {
        let (_, f, s) = self.counts();
        f == 0 && s == 0
    }

    /// The human-readable report: one line per failing or skipped vector, a summary line per
    /// file, and a last line of exactly `N passed, N failed` (`, N skipped` when any were).
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for f in &self.files {
            for r in &f.results {
                match &r.outcome {
                    Outcome::Pass => {}
                    Outcome::Fail { reason } => {
                        out.push_str(&format!("FAIL {}:{}: {reason}\n", f.path, r.id));
                    }
                    Outcome::Skip { reason } => {
                        out.push_str(&format!("SKIP {}:{}: {reason}\n", f.path, r.id));
                    }
                }
            }
        }
        for f in &self.files {
            let (p, fl, s) = f.counts();
            out.push_str(&format!("{}: {p} passed, {fl} failed", f.path));
            if s > 0 {
                out.push_str(&format!(", {s} skipped"));
            }
            out.push('\n');
        }
        let (p, fl, s) = self.counts();
        out.push_str(&format!("{p} passed, {fl} failed"));
        if s > 0 {
            out.push_str(&format!(", {s} skipped"));
        }
        out.push('\n');
        out
    }

    /// The JSON report: counts and per-vector results.
    pub fn to_json(&self) -> Value {
        let (p, f, s) = self.counts();
        serde_json::json!({
            "passed": p,
            "failed": f,
            "skipped": s,
            "files": self.files,
        })
    }
}

/// Why a run could not start (as opposed to a vector failing).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RunError {
    /// A path could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is not a vector file.
    #[error("{path} is not a vector file: {reason}")]
    Format {
        /// The path.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A directory held no `.json` files.
    #[error("no vector files (*.json) found under {0}")]
    Empty(String),
    /// A vector file is not a regular file, is too large, or could not be read.
    #[error(transparent)]
    Input(#[from] ReadError),
}

/// The most bytes read from one vector file (the largest shipped one is about 0.5 MiB).
pub const VECTOR_FILE: Limit = Limit {
    what: "vector file",
    max_bytes: 16 * 1024 * 1024,
};

/// Runs every vector file named by `paths`; a directory means every `*.json` below it, sorted.
pub fn run_paths<P: AsRef<Path>>(paths: &[P]) -> Result<Report, RunError> {
    let mut files = Vec::new();
    for p in paths {
        let p = p.as_ref();
        if p.is_dir() {
            let before = files.len();
            collect_json(p, &mut files)?;
            if files.len() == before {
                return Err(RunError::Empty(p.display().to_string()));
            }
        } else {
            files.push(p.to_path_buf());
        }
    }
    let mut report = Report::default();
    for f in files {
        report.files.push(run_file(&f)?);
    }
    Ok(report)
}

fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), RunError> {
    let io = |source| RunError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort();
    for p in entries {
        // Not `is_dir`, which follows symlinks: a link back up the tree would recurse forever.
        let real_dir = std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir());
        if real_dir {
            collect_json(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
    Ok(())
}

/// Runs one vector file.
pub fn run_file(path: &Path) -> Result<FileReport, RunError> {
    let text = dexlink::io::read_regular_text(path, VECTOR_FILE)?;
    run_str(&path.display().to_string(), &text)
}

/// Runs the vector file whose text is `text`; `label` names it in the report.
pub fn run_str(label: &str, text: &str) -> Result<FileReport, RunError> {
    let format = |reason: String| RunError::Format {
        path: label.into(),
        reason,
    };
    let doc: Value = serde_json::from_str(text).map_err(|e| format(e.to_string()))?;
    let obj = doc
        .as_object()
        .ok_or_else(|| format("the top level is not a JSON object".into()))?;
    let vectors = obj
        .get("vectors")
        .and_then(Value::as_array)
        .ok_or_else(|| format("it has no \"vectors\" array".into()))?;
    let text_of = |k: &str| obj.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let mut seen = BTreeMap::new();
    let results = vectors
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let id = v
                .get("id")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("#{i}"));
            let kind = v
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let outcome = if let Some(prev) = seen.insert(id.clone(), i) {
                Outcome::Fail {
                    reason: format!("duplicate id (also vector #{prev})"),
                }
            } else {
                run_vector(&kind, v)
            };
            VectorResult { id, kind, outcome }
        })
        .collect();
    Ok(FileReport {
        path: label.into(),
        name: text_of("name"),
        source: text_of("source"),
        results,
    })
}

/// Checks one vector object, applying `expect_error`.
pub fn run_vector(kind: &str, v: &Value) -> Outcome {
    let Some(check) = check_for(kind) else {
        let reason = if kind.is_empty() {
            "vector has no \"type\"".to_string()
        } else {
            format!("unknown vector type \"{kind}\"")
        };
        return Outcome::Skip { reason };
    };
    let Some(obj) = v.as_object() else {
        return Outcome::Fail {
            reason: "vector is not a JSON object".into(),
        };
    };
    let fields = Fields::new(obj);
    let expected_error = match obj.get("expect_error") {
        None => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => {
            return Outcome::Fail {
                reason: "expect_error is not a string".into(),
            };
        }
    };
    let result = check(&fields);
    match (expected_error, result) {
        (None, Ok(())) => Outcome::Pass,
        (None, Err(f)) => Outcome::Fail {
            reason: f.to_string(),
        },
        (Some(want), Err(Failure::Op(kind, _))) if kind.as_str() == want => Outcome::Pass,
        (Some(want), Err(Failure::Op(kind, detail))) => Outcome::Fail {
            reason: format!("expected error {want}, got {kind}: {detail}"),
        },
        (Some(want), Err(other)) => Outcome::Fail {
            reason: format!("expected error {want}, got: {other}"),
        },
        (Some(want), Ok(())) => Outcome::Fail {
            reason: format!("expected error {want}, but the operation succeeded"),
        },
    }
}
