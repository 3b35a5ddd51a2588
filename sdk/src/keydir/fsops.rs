//! File-system primitives of the key directory: private directory, lock file, durable atomic
//! writes (temp file created 0600 → write → fsync → rename or link → fsync directory), and the
//! test-only failpoints that simulate a crash between those steps.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::KeyDirError;

/// Name of the lock file inside the directory (a `.` name: no entry name can take it).
const LOCK_FILE: &str = ".lock";
/// Suffix of temporary files (which always start with `.`, so they are never entries).
const TMP_SUFFIX: &str = ".tmp";
/// Largest entry file we write, and the size above which a read entry is "oversized".
pub(crate) const MAX_ENTRY_BYTES: u64 = 1 << 20;
/// Largest entry file we read at all: older versions could grow an entry past
/// [`MAX_ENTRY_BYTES`]; such an entry must still open (its next write compacts it).
pub(crate) const HARD_READ_BYTES: u64 = 64 << 20;

/// A simulated crash, raised by [`failpoint`] in tests (carried by `resume_unwind`, so no
/// panic message is printed and no cleanup code after the failpoint runs).
#[cfg(test)]
#[derive(Debug)]
pub(crate) struct Crash(#[allow(dead_code)] pub(crate) &'static str);

#[cfg(test)]
thread_local! {
    /// Number of failpoints still to pass before the simulated crash (`None`: never crash).
    static CRASH_AFTER: std::cell::Cell<Option<u32>> = const { std::cell::Cell::new(None) };
}

/// Arms (or with `None` disarms) the simulated crash of this thread: the `n`-th failpoint
/// reached from now on (0 = the next one) unwinds with [`Crash`].
#[cfg(test)]
pub(crate) fn arm_crash(n: Option<u32>) {
    CRASH_AFTER.with(|c| c.set(n));
}

/// A point between two file-system steps of a write where a test may simulate a crash.
/// Compiled to nothing outside `cfg(test)`: never reachable in a release build.
#[cfg(test)]
pub(crate) fn failpoint(step: &'static str) {
    let fire = CRASH_AFTER.with(|c| match c.get() {
        Some(0) => {
            c.set(None);
            true
        }
        Some(n) => {
            c.set(Some(n - 1));
            false
        }
        None => false,
    });
    if fire {
        std::panic::resume_unwind(Box::new(Crash(step)));
    }
}

#[cfg(not(test))]
#[inline(always)]
pub(crate) fn failpoint(_step: &'static str) {}

/// This process's effective user id, without `unsafe` (the crate forbids it): from
/// `/proc/self/status` (Linux), else the owner of a fresh anonymous temp file.
pub(crate) fn effective_uid() -> Option<u32> {
    static UID: std::sync::OnceLock<Option<u32>> = std::sync::OnceLock::new();
    *UID.get_or_init(|| {
        let from_proc = fs::read_to_string("/proc/self/status").ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|u| u.parse().ok())
        });
        from_proc.or_else(|| {
            tempfile::tempfile()
                .and_then(|f| f.metadata())
                .ok()
                .map(|m| m.uid())
        })
    })
}

/// Refuses a path owned by another user (as ssh does): only the effective user or root may
/// own the key directory, its entries and its lock.
pub(crate) fn check_owner(path: &Path, m: &fs::Metadata) -> Result<(), KeyDirError> {
    let Some(me) = effective_uid() else {
        return Ok(()); // unknown (no /proc, no temp dir): nothing to compare with
    };
    if m.uid() != me && m.uid() != 0 {
        return Err(KeyDirError::ForeignOwner {
            path: path.to_path_buf(),
            uid: m.uid(),
        });
    }
    Ok(())
}

pub(crate) fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> KeyDirError {
    let path = path.to_path_buf();
    move |source| KeyDirError::Io {
        action,
        path,
        source,
    }
}

/// Creates the directory (mode 0700, parents too) or checks an existing one: it must be a
/// directory with no group or world permissions.
pub(crate) fn ensure_private_dir(path: &Path) -> Result<(), KeyDirError> {
    match fs::metadata(path) {
        Ok(m) => {
            if !m.is_dir() {
                return Err(KeyDirError::NotADirectory(path.to_path_buf()));
            }
            check_private(path, &m)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(path)
            .map_err(io_err("create the key directory", path)),
        Err(e) => Err(io_err("inspect the key directory", path)(e)),
    }
}

/// A directory of ours with no group or world permission bits.
fn check_private(path: &Path, m: &fs::Metadata) -> Result<(), KeyDirError> {
    check_owner(path, m)?;
    let mode = m.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyDirError::InsecurePermissions {
            path: path.to_path_buf(),
            mode,
            fix: "chmod 700",
        });
    }
    Ok(())
}

/// Creates (mode 0700, not recursively) or checks a subdirectory of the key directory: a real
/// directory (symlinks refused), ours, with no group or world permissions.
pub(crate) fn ensure_private_subdir(path: &Path) -> Result<(), KeyDirError> {
    match fs::symlink_metadata(path) {
        Ok(m) => {
            if m.file_type().is_symlink() || !m.is_dir() {
                return Err(KeyDirError::NotADirectory(path.to_path_buf()));
            }
            check_private(path, &m)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            match fs::DirBuilder::new().mode(0o700).create(path) {
                Ok(()) => {}
                // Another process created it first: check what it made.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    return ensure_private_subdir(path);
                }
                Err(e) => return Err(io_err("create", path)(e)),
            }
            let parent = path.parent().unwrap_or(path);
            sync_dir(parent)
        }
        Err(e) => Err(io_err("inspect", path)(e)),
    }
}

/// An exclusive lock on the directory, held until dropped (closing the file releases it).
pub(crate) struct DirLock {
    _file: File,
}

impl DirLock {
    /// Blocks until this process holds the directory's lock, then removes temp files that a
    /// crashed writer may have left (no other writer can be mid-write while we hold it).
    pub(crate) fn acquire(dir: &Path) -> Result<Self, KeyDirError> {
        let path = dir.join(LOCK_FILE);
        // O_NOFOLLOW: a symlink planted at `.lock` must not make us create or lock its target.
        let file = match OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)
        {
            Ok(f) => f,
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
                return Err(KeyDirError::NotARegularFile(path));
            }
            Err(e) => return Err(io_err("open the lock file", &path)(e)),
        };
        let m = file.metadata().map_err(io_err("inspect", &path))?;
        if !m.is_file() {
            return Err(KeyDirError::NotARegularFile(path));
        }
        check_owner(&path, &m)?;
        file.lock().map_err(io_err("lock", &path))?;
        remove_stale_temps(dir)?;
        Ok(Self { _file: file })
    }
}

fn remove_stale_temps(dir: &Path) -> Result<(), KeyDirError> {
    for e in fs::read_dir(dir).map_err(io_err("list", dir))? {
        let e = e.map_err(io_err("list", dir))?;
        let n = e.file_name();
        let n = n.to_string_lossy();
        if n.starts_with('.') && n.ends_with(TMP_SUFFIX) {
            let _ = fs::remove_file(e.path());
        }
    }
    Ok(())
}

/// How [`write_atomic`] installs the new file.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Install {
    /// Fail with `AlreadyExists` if the target exists (hard link, which never replaces).
    CreateNew,
    /// Replace the target atomically (rename).
    Replace,
}

/// Writes `bytes` to `dir/file_name` so that a crash leaves the old file or the new one: a temp
/// file created with mode 0600 (never wider, never chmod-ed later), written, fsync-ed, then
/// linked or renamed into place, then the directory fsync-ed.
pub(crate) fn write_atomic(
    dir: &Path,
    file_name: &str,
    bytes: &[u8],
    install: Install,
) -> Result<(), KeyDirError> {
    let target = dir.join(file_name);
    let mut rnd = [0u8; 8];
    getrandom::fill(&mut rnd).expect("the operating system RNG failed");
    let tmp = dir.join(format!(".{file_name}.{}{TMP_SUFFIX}", hex::encode(rnd)));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(io_err("create a temporary file in", dir))?;
        failpoint("temp file created");
        f.write_all(bytes).map_err(io_err("write", &tmp))?;
        failpoint("temp file written");
        f.sync_all().map_err(io_err("sync", &tmp))?;
        drop(f);
        failpoint("temp file synced");
        match install {
            Install::Replace => fs::rename(&tmp, &target).map_err(io_err("replace", &target)),
            Install::CreateNew => match fs::hard_link(&tmp, &target) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(taken(file_name)),
                // A file system without hard links: we hold the lock, so check, then rename.
                Err(_) if target.exists() => Err(taken(file_name)),
                Err(_) => fs::rename(&tmp, &target).map_err(io_err("create", &target)),
            },
        }
    })();
    failpoint("installed");
    // After a rename the temp name is gone; after a link (or a failure) remove it.
    let _ = fs::remove_file(&tmp);
    result?;
    failpoint("temp file removed");
    sync_dir(dir)
}

fn taken(file_name: &str) -> KeyDirError {
    KeyDirError::NameTaken(file_name.trim_end_matches(".json").to_string())
}

/// fsync a directory so that renames, links and unlinks in it are durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), KeyDirError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err("sync the directory", dir))
}

/// Reads an entry file: it must be a regular file (not a symlink) owned by us, with no group or
/// world permissions, no larger than [`HARD_READ_BYTES`] (files above [`MAX_ENTRY_BYTES`] are
/// read so an entry grown by an older version still opens). `Ok(None)` when it does not exist.
pub(crate) fn read_entry_file(path: &Path) -> Result<Option<String>, KeyDirError> {
    read_private_file(path, HARD_READ_BYTES)
}

/// Reads a private regular file of at most `max` bytes (see [`read_entry_file`]).
pub(crate) fn read_private_file(path: &Path, max: u64) -> Result<Option<String>, KeyDirError> {
    let f = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(KeyDirError::NotARegularFile(path.to_path_buf()));
        }
        Err(e) => return Err(io_err("open", path)(e)),
    };
    let m = f.metadata().map_err(io_err("inspect", path))?;
    if !m.is_file() {
        return Err(KeyDirError::NotARegularFile(path.to_path_buf()));
    }
    check_owner(path, &m)?;
    let mode = m.mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyDirError::InsecurePermissions {
            path: path.to_path_buf(),
            mode,
            fix: "chmod 600",
        });
    }
    if m.len() > max {
        return Err(KeyDirError::CorruptEntry {
            name: path.display().to_string(),
            reason: format!("the file is larger than {} MiB", max >> 20),
        });
    }
    let mut text = String::with_capacity(m.len() as usize);
    f.take(max)
        .read_to_string(&mut text)
        .map_err(io_err("read", path))?;
    Ok(Some(text))
}

/// The directory to use: `explicit`, else `$DEXLINK_HOME`, else `$HOME/.dexlink`.
pub(crate) fn resolve(explicit: Option<&Path>) -> Result<PathBuf, KeyDirError> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("DEXLINK_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(h) => Ok(PathBuf::from(h).join(".dexlink")),
        None => Err(KeyDirError::NoHome),
    }
}
