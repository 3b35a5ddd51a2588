//! The state file: a snapshot of the whole ledger followed by a log of committed requests, so
//! that making a request durable costs what the request changed, not the size of the ledger.
//!
//! Format (one file, the `--state` path): the ledger as pretty JSON (the format
//! [`Ledger::save`] has always written, so a file without log lines is a plain snapshot), then one
//! JSON line per committed request, a [`Delta`] holding the new value of every entry the request
//! changed (`null` for a removed entry). A request is appended with one write and `fdatasync`
//! before it is acknowledged.
//!
//! Keeping the log in the same file, rather than beside it, makes compaction a single atomic
//! step: a new snapshot is written to a temporary file, fsync'd and renamed over the state, which
//! replaces snapshot and log at once. There is no moment at which a newer snapshot coexists with
//! an older log, so a log line can never be applied twice.
//!
//! Loading reads the snapshot and replays the lines in order. A last line that is incomplete (no
//! newline) or not valid JSON is a write that was cut short by a crash: it was never
//! acknowledged, so it is ignored. Any other bad line is an error naming the line.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::state::{AccountState, IssuedNonce, Ledger, LinkRecord, RestingOrder, TxRecord};

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
        put(&mut ledger.accounts, &self.accounts);
        put(&mut ledger.orders, &self.orders);
        put(&mut ledger.txs, &self.txs);
        put(&mut ledger.links, &self.links);
        put(&mut ledger.nonces, &self.nonces);
    }
}

fn invalid(msg: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg)
}

/// What [`load`] found in a state file.
#[derive(Debug)]
pub struct Loaded {
    /// The snapshot with every complete log line applied.
    pub ledger: Ledger,
    /// How many log lines were applied.
    pub records: usize,
    /// Whether a torn last line (a write cut short) was ignored.
    pub torn_tail: bool,
}

/// Reads a state file: the snapshot, then the log lines in order (see the module
/// documentation). Errors name the line of a corrupt log record.
pub fn load(path: &Path) -> std::io::Result<Loaded> {
    let bytes = std::fs::read(path)?;
    let mut stream = serde_json::Deserializer::from_slice(&bytes).into_iter::<Ledger>();
    let mut ledger = match stream.next() {
        Some(Ok(l)) => l,
        Some(Err(e)) => return Err(invalid(e.to_string())),
        None => return Err(invalid("the state file is empty".into())),
    };
    let offset = stream.byte_offset();
    // The segment before the first newline after the snapshot is on the snapshot's last line.
    let first_line = 1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count();
    let rest = &bytes[offset..];
    let mut segments: Vec<&[u8]> = rest.split(|&b| b == b'\n').collect();
    // `split` always yields the bytes after the last newline: empty if the file ends with one,
    // otherwise an incomplete line.
    let tail = segments.pop().unwrap_or_default();
    let mut torn_tail = !tail.iter().all(u8::is_ascii_whitespace);
    let last_complete = segments
        .iter()
        .rposition(|s| !s.iter().all(u8::is_ascii_whitespace));
    let mut records = 0;
    for (i, seg) in segments.iter().enumerate() {
        if seg.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Delta>(seg) {
            Ok(d) => {
                d.apply(&mut ledger);
                records += 1;
            }
            // Only the very last line of the file can be a write cut short.
            Err(_) if Some(i) == last_complete && !torn_tail => torn_tail = true,
            Err(e) => {
                return Err(invalid(format!(
                    "line {}: corrupt log record ({e}); only the last line may be incomplete",
                    first_line + i
                )));
            }
        }
    }
    Ok(Loaded {
        ledger,
        records,
        torn_tail,
    })
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
        let len = ledger.save_len(path)?;
        Ok(Self {
            path: path.to_path_buf(),
            snapshot_len: len,
            file_len: len,
            records: 0,
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
        let len = ledger.save_len(&self.path)?;
        self.snapshot_len = len;
        self.file_len = len;
        self.records = 0;
        self.rewrite_next = false;
        self.retry_compaction_at = 0;
        Ok(())
    }

    /// Appends one line. `Ok(false)`: the file is not as the devnet left it, nothing written.
    fn append(&mut self, delta: &Delta) -> std::io::Result<bool> {
        let mut line = serde_json::to_vec(delta)?;
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
        self.records += 1;
        Ok(true)
    }
}
