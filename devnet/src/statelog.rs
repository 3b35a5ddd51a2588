//! The state file: a checksummed snapshot of the whole ledger followed by a log of committed
//! requests, so that making a request durable costs what the request changed, not the size of
//! the ledger, and so that damage is found instead of loaded.
//!
//! Format (one file, the `--state` path; [`FORMAT_VERSION`] 2):
//!
//! ```text
//! dexlink-devnet-state 2 <snapshot length> <snapshot SHA-256, hex>
//! <the ledger as pretty JSON, exactly <snapshot length> bytes, ending in a newline>
//! <line checksum, 64 hex> <one request's Delta as JSON>
//! ...
//! ```
//!
//! Each log line is one committed request, a [`Delta`] holding the new value of every entry the
//! request changed (`null` for a removed entry), appended with one write and `fdatasync` before
//! the request is acknowledged. A line's checksum is SHA-256 over the previous checksum (the
//! snapshot's for the first line) followed by the line's JSON, so a changed, removed or
//! reordered line fails verification, not just a changed byte.
//!
//! Keeping the log in the same file, rather than beside it, makes compaction a single atomic
//! step: a new snapshot is written to a temporary file, fsync'd and renamed over the state, which
//! replaces snapshot and log at once. There is no moment at which a newer snapshot coexists with
//! an older log, so a log line can never be applied twice.
//!
//! Loading verifies the snapshot's length and checksum, then verifies and replays the lines in
//! order, then validates the result ([`Ledger::validate`]). Only a last line without its
//! trailing newline is a write cut short by a crash: it was never acknowledged, so it is ignored
//! ([`Loaded::torn_tail`]). Anything else that fails to parse or verify (a line that ends in a
//! newline but is damaged, an unknown field, a bad checksum, a changed snapshot) is a
//! [`StateError`] naming the line; the devnet then refuses to start and changes nothing. The
//! operator may then [`repair`] the file: a copy of it is kept as `<file>.corrupt-<unix time>`
//! and the file is cut at the first bad line.
//!
//! Files written before checksums existed (no header line: the file starts with the ledger's
//! JSON, and the log lines are bare JSON) are still read, with the same rules except for the
//! checksums; the first start rewrites them in the current format. A file that has the header
//! always needs checksums on every line.
//!
//! A state file is read only if it is a regular file of at most [`MAX_STATE_BYTES`].

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::state::{
    AccountState, IssuedNonce, Ledger, LinkRecord, PendingTx, RestingOrder, TradeRecord, TxRecord,
};

/// The log is compacted once it is larger than the snapshot and at least this many bytes, so
/// the snapshot rewrites cost O(1) amortised per logged byte and tiny ledgers are not
/// rewritten on nearly every request.
pub const DEFAULT_COMPACT_MIN: u64 = 64 * 1024;

/// The new values of the entries one request changed: one log line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delta {
    /// New block height, if it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<i64>,
    /// New next account number, if it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_account_number: Option<i64>,
    /// New time of the latest block, if it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_time_ms: Option<i64>,
    /// The new mempool, if it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mempool: Option<Vec<PendingTx>>,
    /// Changed accounts (`None`: removed).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub accounts: BTreeMap<String, Option<AccountState>>,
    /// Changed orders (`None`: removed).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub orders: BTreeMap<String, Option<RestingOrder>>,
    /// Changed transactions (`None`: removed).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub txs: BTreeMap<String, Option<TxRecord>>,
    /// Changed links (`None`: removed).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub links: BTreeMap<String, Option<LinkRecord>>,
    /// Changed issued nonces (`None`: removed).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub nonces: BTreeMap<String, Option<IssuedNonce>>,
    /// Changed closed orders.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub closed: BTreeMap<String, Option<RestingOrder>>,
    /// Changed trades.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub trades: BTreeMap<String, Option<TradeRecord>>,
    /// Changed last trade prices.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub last_prices: BTreeMap<String, Option<i64>>,
    /// Changed breathe blocks.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub breathe_blocks: BTreeMap<String, Option<i64>>,
}

/// Writes `entries` into `map`: `Some` sets the key, `None` removes it. Replaying a log line
/// and rolling a journal back are both this.
pub(crate) fn put_entries<V>(
    map: &mut BTreeMap<String, V>,
    entries: impl IntoIterator<Item = (String, Option<V>)>,
) {
    for (k, v) in entries {
        match v {
            Some(v) => {
                map.insert(k, v);
            }
            None => {
                map.remove(&k);
            }
        }
    }
}

fn put<V: Clone>(map: &mut BTreeMap<String, V>, changes: &BTreeMap<String, Option<V>>) {
    put_entries(map, changes.iter().map(|(k, v)| (k.clone(), v.clone())));
}

impl Delta {
    /// Whether the request changed nothing.
    pub fn is_empty(&self) -> bool {
        self == &Delta::default()
    }

    /// Writes the new values into `ledger`. Applying a delta twice gives the same ledger as
    /// applying it once: it holds values, not increments.
    pub fn apply(&self, ledger: &mut Ledger) {
        if let Some(h) = self.height {
            ledger.height = h;
        }
        if let Some(n) = self.next_account_number {
            ledger.next_account_number = n;
        }
        if let Some(t) = self.block_time_ms {
            ledger.block_time_ms = t;
        }
        if let Some(m) = &self.mempool {
            ledger.mempool = m.clone();
        }
        put(&mut ledger.closed, &self.closed);
        put(&mut ledger.trades, &self.trades);
        put(&mut ledger.last_prices, &self.last_prices);
        put(&mut ledger.breathe_blocks, &self.breathe_blocks);
        put(&mut ledger.accounts, &self.accounts);
        put(&mut ledger.orders, &self.orders);
        put(&mut ledger.txs, &self.txs);
        put(&mut ledger.links, &self.links);
        put(&mut ledger.nonces, &self.nonces);
    }
}

/// The first word of a state file's header line.
pub const MAGIC: &str = "dexlink-devnet-state";
/// The format this devnet writes (see the module documentation).
pub const FORMAT_VERSION: u32 = 2;
/// The largest state file the devnet reads (1 GiB): a bigger one is refused before it is read.
pub const MAX_STATE_BYTES: u64 = 1 << 30;

/// A SHA-256 checksum.
type Sum = [u8; 32];

/// The checksum of a log line: SHA-256 over the previous checksum and the line's JSON.
fn line_sum(prev: &Sum, json: &[u8]) -> Sum {
    Sha256::new()
        .chain_update(prev)
        .chain_update(json)
        .finalize()
        .into()
}

/// Why a state file could not be loaded (or repaired).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// Reading or writing the file failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The path is not a regular file (a FIFO, device or directory).
    #[error("not a regular file")]
    NotAFile,
    /// The file is larger than [`MAX_STATE_BYTES`].
    #[error("the file is {len} bytes, more than the {max}-byte limit for a state file")]
    TooLarge {
        /// Its size.
        len: u64,
        /// The limit.
        max: u64,
    },
    /// The header or the snapshot is damaged: truncating the log cannot help.
    #[error("line {line}: the snapshot is damaged: {reason}")]
    Snapshot {
        /// 1-based line of the problem.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A complete log line (one ending in a newline) failed to parse or verify.
    #[error(
        "line {line}: damaged log record: {reason}; only a last line without its newline can be \
         a write cut short, so an acknowledged change may be lost. Nothing was changed; to keep \
         a copy of the file and cut it before this line, restart with state repair \
         (--state-repair)"
    )]
    Corrupt {
        /// 1-based line number.
        line: usize,
        /// Byte offset of the line's start: where a repair cuts the file.
        offset: u64,
        /// What is wrong.
        reason: String,
    },
    /// The file loaded but describes an impossible ledger.
    #[error("invalid state: {0}")]
    Invalid(String),
}

/// What [`load`] found in a state file.
#[derive(Debug)]
pub struct Loaded {
    /// The snapshot with every complete log line applied.
    pub ledger: Ledger,
    /// How many log lines were applied.
    pub records: usize,
    /// Whether a torn last line (a write cut short: bytes after the last newline) was ignored.
    pub torn_tail: bool,
    /// Whether the file is in the format written before checksums existed.
    pub legacy: bool,
}

/// Reads at most [`MAX_STATE_BYTES`] from `path`, which must be a regular file (checked on the
/// open descriptor, so the check and the read see the same file).
fn read_bounded(path: &Path) -> Result<Vec<u8>, StateError> {
    use std::io::Read;
    let mut open = std::fs::OpenOptions::new();
    open.read(true);
    // Non-blocking, so that opening a FIFO does not wait for a writer; the fstat below then
    // refuses it. Reads of a regular file are unaffected.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut open, libc::O_NONBLOCK);
    let f = open.open(path)?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(StateError::NotAFile);
    }
    if meta.len() > MAX_STATE_BYTES {
        return Err(StateError::TooLarge {
            len: meta.len(),
            max: MAX_STATE_BYTES,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // One byte more than the limit tells a file that grew since the fstat from one that did not.
    f.take(MAX_STATE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_STATE_BYTES {
        return Err(StateError::TooLarge {
            len: bytes.len() as u64,
            max: MAX_STATE_BYTES,
        });
    }
    Ok(bytes)
}

/// 1-based line number of byte `offset`.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count()
}

/// Parses the header and checks the snapshot: the ledger, where the log starts and the checksum
/// the first log line chains from.
fn read_snapshot(bytes: &[u8]) -> Result<(Ledger, usize, Sum), StateError> {
    let bad = |line: usize, reason: String| StateError::Snapshot { line, reason };
    let header_end = bytes
        .iter()
        .take(256)
        .position(|&b| b == b'\n')
        .ok_or_else(|| bad(1, "the header line is incomplete".into()))?;
    let header = std::str::from_utf8(&bytes[..header_end])
        .map_err(|_| bad(1, "the header line is not text".into()))?;
    let parts: Vec<&str> = header.split(' ').collect();
    let [magic, version, len, sum] = parts[..] else {
        return Err(bad(
            1,
            format!("expected \"{MAGIC} VERSION LENGTH SHA256\" in the header"),
        ));
    };
    if magic != MAGIC {
        return Err(bad(1, format!("the header does not start with {MAGIC}")));
    }
    if version != FORMAT_VERSION.to_string() {
        return Err(bad(
            1,
            format!(
                "format version {version:?} is not one this devnet reads (it reads {FORMAT_VERSION})"
            ),
        ));
    }
    let len: usize = len
        .parse()
        .map_err(|_| bad(1, format!("snapshot length {len:?} is not a number")))?;
    let mut want: Sum = [0; 32];
    hex::decode_to_slice(sum, &mut want)
        .map_err(|_| bad(1, "the snapshot checksum is not 64 hex digits".into()))?;
    let start = header_end + 1;
    let body = start
        .checked_add(len)
        .and_then(|end| bytes.get(start..end))
        .ok_or_else(|| {
            bad(
                2,
                format!(
                    "the header says {len} bytes but only {} follow it",
                    bytes.len() - start
                ),
            )
        })?;
    if <Sum>::from(Sha256::digest(body)) != want {
        return Err(bad(
            2,
            "its SHA-256 does not match the header: the snapshot was changed after it was written"
                .into(),
        ));
    }
    if body.last() != Some(&b'\n') {
        return Err(bad(2, "the snapshot does not end with a newline".into()));
    }
    let ledger: Ledger = serde_json::from_slice(body).map_err(|e| {
        // serde_json counts lines from the start of the snapshot, which is line 2.
        bad(1 + e.line(), format!("not a ledger: {e}"))
    })?;
    Ok((ledger, start + len, want))
}

/// Reads a state file: the snapshot, then the log lines in order, then validates the result
/// (see the module documentation). Errors name the line of the damage.
pub fn load(path: &Path) -> Result<Loaded, StateError> {
    let bytes = read_bounded(path)?;
    let legacy = !bytes.starts_with(MAGIC.as_bytes());
    let (mut ledger, log_start, mut prev) = if legacy {
        let mut stream = serde_json::Deserializer::from_slice(&bytes).into_iter::<Ledger>();
        let ledger = match stream.next() {
            Some(Ok(l)) => l,
            Some(Err(e)) => {
                return Err(StateError::Snapshot {
                    line: e.line().max(1),
                    reason: format!("not a ledger: {e}"),
                });
            }
            None => {
                return Err(StateError::Snapshot {
                    line: 1,
                    reason: "the state file is empty".into(),
                });
            }
        };
        (ledger, stream.byte_offset(), [0; 32])
    } else {
        read_snapshot(&bytes)?
    };
    let mut pos = log_start;
    let mut line = line_of(&bytes, pos);
    let mut records = 0;
    let mut torn_tail = false;
    while pos < bytes.len() {
        let Some(len) = bytes[pos..].iter().position(|&b| b == b'\n') else {
            // Bytes after the last newline: a write cut short (a legacy snapshot's own trailing
            // whitespace aside).
            torn_tail = !(legacy && bytes[pos..].iter().all(u8::is_ascii_whitespace));
            break;
        };
        let seg = &bytes[pos..pos + len];
        let replayed = if legacy {
            replay_legacy(seg, &mut ledger)
        } else {
            replay(seg, &mut prev, &mut ledger)
        };
        match replayed {
            Ok(applied) => records += usize::from(applied),
            Err(reason) => {
                return Err(StateError::Corrupt {
                    line,
                    offset: pos as u64,
                    reason,
                });
            }
        }
        pos += len + 1;
        line += 1;
    }
    ledger.validate().map_err(StateError::Invalid)?;
    Ok(Loaded {
        ledger,
        records,
        torn_tail,
        legacy,
    })
}

/// Verifies and applies one checksummed log line.
fn replay(seg: &[u8], prev: &mut Sum, ledger: &mut Ledger) -> Result<bool, String> {
    let (sum, json) = match seg.get(64) {
        Some(b' ') => (&seg[..64], &seg[65..]),
        _ => return Err("no checksum (expected 64 hex digits and a space)".into()),
    };
    let mut want: Sum = [0; 32];
    hex::decode_to_slice(sum, &mut want).map_err(|_| "the checksum is not hex".to_string())?;
    let got = line_sum(prev, json);
    if got != want {
        return Err(
            "checksum mismatch: the line was changed, or a line before it is missing".into(),
        );
    }
    let delta: Delta =
        serde_json::from_slice(json).map_err(|e| format!("not a log record: {e}"))?;
    delta.apply(ledger);
    *prev = got;
    Ok(true)
}

/// Applies one line of a file written before checksums existed; blank lines are skipped.
fn replay_legacy(seg: &[u8], ledger: &mut Ledger) -> Result<bool, String> {
    if seg.iter().all(u8::is_ascii_whitespace) {
        return Ok(false);
    }
    let delta: Delta = serde_json::from_slice(seg).map_err(|e| format!("not a log record: {e}"))?;
    delta.apply(ledger);
    Ok(true)
}

/// What [`repair`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repaired {
    /// The copy of the file as it was.
    pub copy: PathBuf,
    /// The first bad line: the file now ends before it.
    pub line: usize,
    /// How many bytes were cut off.
    pub dropped_bytes: u64,
}

/// Repairs a state file whose log has a damaged line: keeps a copy of the whole file as
/// `<file>.corrupt-<unix time>` (fsync'd before anything is cut), then cuts the file at the
/// start of the first bad line, so it loads to the state acknowledged before that line.
/// `Ok(None)`: the file loads as it is and nothing was changed. A damaged snapshot or an
/// invalid ledger cannot be repaired by cutting the log: that error is returned, nothing
/// changed.
pub fn repair(path: &Path) -> Result<Option<Repaired>, StateError> {
    let (line, offset) = match load(path) {
        Ok(_) => return Ok(None),
        Err(StateError::Corrupt { line, offset, .. }) => (line, offset),
        Err(e) => return Err(e),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut copy = path.with_file_name(format!("{name}.corrupt-{now}"));
    let mut n = 1;
    while copy.exists() {
        copy = path.with_file_name(format!("{name}.corrupt-{now}-{n}"));
        n += 1;
    }
    let bytes = read_bounded(path)?;
    {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&copy)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
    }
    sync_dir(path);
    let f = std::fs::OpenOptions::new().write(true).open(path)?;
    f.set_len(offset)?;
    f.sync_all()?;
    Ok(Some(Repaired {
        copy,
        line,
        dropped_bytes: bytes.len() as u64 - offset,
    }))
}

/// Fsyncs the directory holding `path` so a new or renamed entry in it is durable (best effort:
/// not every platform can open a directory).
fn sync_dir(path: &Path) {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let Ok(d) = std::fs::File::open(dir) {
        d.sync_all().ok();
    }
}

/// Writes `ledger` atomically as a state file with no log lines (temporary file in the same
/// directory, fsync, rename). Returns the file's length and the snapshot's checksum.
pub(crate) fn write_snapshot(path: &Path, ledger: &Ledger) -> std::io::Result<(u64, Sum)> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut body = serde_json::to_vec_pretty(ledger)?;
    body.push(b'\n');
    let sum: Sum = Sha256::digest(&body).into();
    let header = format!(
        "{MAGIC} {FORMAT_VERSION} {} {}\n",
        body.len(),
        hex::encode(sum)
    );
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(header.as_bytes())?;
    tmp.write_all(&body)?;
    tmp.as_file().sync_all()?;
    let len = (header.len() + body.len()) as u64;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(path);
    Ok((len, sum))
}

/// The open state file of a running devnet: where the snapshot ends and how long the file is.
///
/// The devnet owns the file while it runs. If the file is found to have a different length
/// than the devnet left it with (changed by someone else, or a failed append that could not be
/// undone), the next request writes a full snapshot instead of appending.
#[derive(Debug)]
pub struct StateFile {
    path: PathBuf,
    snapshot_len: u64,
    file_len: u64,
    records: u64,
    /// The checksum of the last line (or of the snapshot): the next line chains from it.
    last_sum: Sum,
    rewrite_next: bool,
    /// After a failed compaction, the log length to wait for before trying again, so that a
    /// directory refusing new files does not cost a whole snapshot attempt per request.
    retry_compaction_at: u64,
    /// The log is compacted when it exceeds both the snapshot size and this many bytes.
    pub compact_min: u64,
}

impl StateFile {
    /// Writes `ledger` as a fresh snapshot (no log) at `path` and returns the open state file.
    /// This is also how a devnet compacts the log it loaded on start.
    pub fn create(path: &Path, ledger: &Ledger) -> std::io::Result<Self> {
        let (len, sum) = write_snapshot(path, ledger)?;
        Ok(Self {
            path: path.to_path_buf(),
            snapshot_len: len,
            file_len: len,
            records: 0,
            last_sum: sum,
            rewrite_next: false,
            retry_compaction_at: 0,
            compact_min: DEFAULT_COMPACT_MIN,
        })
    }

    /// Log lines appended since the last snapshot.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Makes one committed request durable: appends `delta` (the request's change) and fsyncs
    /// it, or writes a whole snapshot of `ledger` (the state with the change applied) when the
    /// file cannot be trusted to end where the devnet left it. Returns only once the change is
    /// on disk; on error the file still holds the state before the request. After a successful
    /// append, compacts the log if it has grown past the threshold; a failed compaction leaves
    /// the (complete) log in place and is retried on the next request.
    pub fn persist(&mut self, ledger: &Ledger, delta: &Delta) -> std::io::Result<()> {
        if self.rewrite_next {
            return self.snapshot(ledger);
        }
        match self.append(delta) {
            Ok(true) => {}
            Ok(false) => return self.snapshot(ledger),
            Err(e) => {
                // A failed fsync may have dropped the written pages while the length looks
                // right; only a fresh file is trustworthy after an append failure.
                self.rewrite_next = true;
                return Err(e);
            }
        }
        let log_len = self.file_len - self.snapshot_len;
        let threshold = self
            .snapshot_len
            .max(self.compact_min)
            .max(self.retry_compaction_at);
        if log_len > threshold && self.snapshot(ledger).is_err() {
            // The request is durable in the log; try again once the log has doubled.
            self.retry_compaction_at = log_len.saturating_mul(2);
        }
        Ok(())
    }

    /// Replaces the file with a snapshot of `ledger` (temporary file, fsync, rename).
    fn snapshot(&mut self, ledger: &Ledger) -> std::io::Result<()> {
        let (len, sum) = write_snapshot(&self.path, ledger)?;
        self.last_sum = sum;
        self.snapshot_len = len;
        self.file_len = len;
        self.records = 0;
        self.rewrite_next = false;
        self.retry_compaction_at = 0;
        Ok(())
    }

    /// Appends one line. `Ok(false)`: the file is not as the devnet left it, nothing written.
    fn append(&mut self, delta: &Delta) -> std::io::Result<bool> {
        let json = serde_json::to_vec(delta)?;
        let sum = line_sum(&self.last_sum, &json);
        let mut line = Vec::with_capacity(json.len() + 66);
        line.extend_from_slice(hex::encode(sum).as_bytes());
        line.push(b' ');
        line.extend_from_slice(&json);
        line.push(b'\n');
        // Opened per request (an open is cheap next to the fsync) so that a state file that was
        // removed or replaced is noticed instead of written through a stale handle.
        let mut f = std::fs::OpenOptions::new().append(true).open(&self.path)?;
        let len = f.metadata()?.len();
        if len != self.file_len {
            return Ok(false);
        }
        let written = f.write_all(&line).and_then(|()| f.sync_data());
        if let Err(e) = written {
            // Cut off what was written so the next line does not follow a torn one; if this
            // fails too, the next request rewrites the file.
            let _ = f.set_len(len).and_then(|()| f.sync_data());
            return Err(e);
        }
        self.file_len = len + line.len() as u64;
        self.last_sum = sum;
        self.records += 1;
        Ok(true)
    }
}
