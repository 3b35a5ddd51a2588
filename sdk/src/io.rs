//! Bounded, type-checked reads of outside input: files that should be regular files, and
//! streams such as stdin.
//!
//! A path is opened first (following symlinks, non-blocking so a FIFO cannot hang the open),
//! then the *open descriptor* is checked: only a regular file is read, so a symlink to
//! `/dev/zero`, a FIFO, a directory or a socket is refused without reading a byte. At most
//! `limit + 1` bytes are ever read; more is refused with an error naming the limit. Checking the
//! descriptor rather than the path leaves no gap between the check and the read.

use std::fmt;
use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;

use thiserror::Error;
use zeroize::Zeroizing;

/// What is being read and the most bytes accepted for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// What the input is, for messages ("password file", "keystore file").
    pub what: &'static str,
    /// The largest accepted size in bytes.
    pub max_bytes: u64,
}

/// A key-store password file: a password has no reason to exceed a few hundred characters.
pub const PASSWORD_FILE: Limit = Limit {
    what: "password file",
    max_bytes: 4 * 1024,
};

/// A keystore file (Web3 v3 or dexlink's own format): a few hundred bytes in practice.
pub const KEYSTORE_FILE: Limit = Limit {
    what: "keystore file",
    max_bytes: 64 * 1024,
};

/// A secret given on stdin (a mnemonic or a hex private key).
pub const SECRET_INPUT: Limit = Limit {
    what: "secret",
    max_bytes: 4 * 1024,
};

/// A message to sign or verify, a recovery message, or a sign document.
pub const MESSAGE: Limit = Limit {
    what: "message",
    max_bytes: 1024 * 1024,
};

/// A sign document (a WalletConnect `bnb_sign` request or a bare sign doc).
pub const SIGN_DOC: Limit = Limit {
    what: "sign document",
    max_bytes: 1024 * 1024,
};

/// A signed transaction as hex (a block of Binance Chain holds far less).
pub const TX_HEX: Limit = Limit {
    what: "transaction",
    max_bytes: 1024 * 1024,
};

/// The kind of a non-regular file, as `fstat` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileKind {
    /// A directory.
    Directory,
    /// A FIFO (named pipe).
    Fifo,
    /// A character device such as `/dev/zero` or a terminal.
    CharDevice,
    /// A block device.
    BlockDevice,
    /// A Unix socket.
    Socket,
    /// Anything else that is not a regular file.
    Other,
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Directory => "a directory",
            Self::Fifo => "a FIFO (named pipe)",
            Self::CharDevice => "a character device",
            Self::BlockDevice => "a block device",
            Self::Socket => "a socket",
            Self::Other => "not a regular file",
        })
    }
}

/// Why an input was not read. Messages name the input, the problem and the fix.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The file could not be opened.
    #[error("cannot open {what} {path}: {source}")]
    Open {
        /// What the input is.
        what: &'static str,
        /// The path given.
        path: String,
        /// The OS error.
        source: io::Error,
    },
    /// The path names something other than a regular file.
    #[error("{what} {path} is {kind}, not a regular file; give the path of a regular file")]
    NotRegular {
        /// What the input is.
        what: &'static str,
        /// The path given.
        path: String,
        /// What it is instead.
        kind: FileKind,
    },
    /// The input is larger than its limit.
    #[error(
        "{what} {path} is larger than {max_bytes} bytes, the limit for a {what}; check that it is the right input"
    )]
    TooLarge {
        /// What the input is.
        what: &'static str,
        /// The path given (`stdin` for standard input).
        path: String,
        /// The limit in bytes.
        max_bytes: u64,
    },
    /// A secret file that other users may read or write.
    #[error("{what} {path} is accessible by other users (mode {mode:o}); run: chmod 600 {path}")]
    TooOpen {
        /// What the input is.
        what: &'static str,
        /// The path given.
        path: String,
        /// Its permission bits.
        mode: u32,
    },
    /// Reading failed after the open.
    #[error("cannot read {what} {path}: {source}")]
    Read {
        /// What the input is.
        what: &'static str,
        /// The path given (`stdin` for standard input).
        path: String,
        /// The OS error.
        source: io::Error,
    },
}

fn kind_of(meta: &Metadata) -> Option<FileKind> {
    let ft = meta.file_type();
    if ft.is_file() {
        return None;
    }
    if ft.is_dir() {
        return Some(FileKind::Directory);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Some(FileKind::Fifo);
        }
        if ft.is_char_device() {
            return Some(FileKind::CharDevice);
        }
        if ft.is_block_device() {
            return Some(FileKind::BlockDevice);
        }
        if ft.is_socket() {
            return Some(FileKind::Socket);
        }
    }
    Some(FileKind::Other)
}

/// Opens `path` read-only without blocking on a FIFO, and checks that the open descriptor is a
/// regular file.
fn open_regular(path: &Path, limit: Limit) -> Result<(File, Metadata), ReadError> {
    let shown = path.display().to_string();
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever. O_NOCTTY: a
        // terminal given as a file must not become our controlling terminal.
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = opts.open(path).map_err(|source| ReadError::Open {
        what: limit.what,
        path: shown.clone(),
        source,
    })?;
    let meta = file.metadata().map_err(|source| ReadError::Read {
        what: limit.what,
        path: shown.clone(),
        source,
    })?;
    if let Some(kind) = kind_of(&meta) {
        return Err(ReadError::NotRegular {
            what: limit.what,
            path: shown,
            kind,
        });
    }
    Ok((file, meta))
}

/// Reads at most `limit.max_bytes` from `r` into `buf`; more is [`ReadError::TooLarge`].
fn read_capped(
    r: impl Read,
    buf: &mut Vec<u8>,
    limit: Limit,
    shown: &str,
) -> Result<(), ReadError> {
    r.take(limit.max_bytes.saturating_add(1))
        .read_to_end(buf)
        .map_err(|source| ReadError::Read {
            what: limit.what,
            path: shown.into(),
            source,
        })?;
    if buf.len() as u64 > limit.max_bytes {
        return Err(ReadError::TooLarge {
            what: limit.what,
            path: shown.into(),
            max_bytes: limit.max_bytes,
        });
    }
    Ok(())
}

/// Reads a regular file of at most `limit.max_bytes` bytes.
///
/// Symlinks are followed, but what they lead to must be a regular file (checked with `fstat` on
/// the open descriptor). A file larger than the limit is refused, even one that grows while it
/// is read.
pub fn read_regular_file(path: &Path, limit: Limit) -> Result<Vec<u8>, ReadError> {
    let (file, meta) = open_regular(path, limit)?;
    let shown = path.display().to_string();
    if meta.len() > limit.max_bytes {
        return Err(ReadError::TooLarge {
            what: limit.what,
            path: shown,
            max_bytes: limit.max_bytes,
        });
    }
    // The size is a hint only: the file may change between fstat and read.
    let mut buf = Vec::with_capacity(meta.len() as usize + 1);
    read_capped(file, &mut buf, limit, &shown)?;
    Ok(buf)
}

/// Reads a regular file as UTF-8 text of at most `limit.max_bytes` bytes.
pub fn read_regular_text(path: &Path, limit: Limit) -> Result<String, ReadError> {
    let bytes = read_regular_file(path, limit)?;
    String::from_utf8(bytes).map_err(|e| ReadError::Read {
        what: limit.what,
        path: path.display().to_string(),
        source: io::Error::new(io::ErrorKind::InvalidData, e.utf8_error()),
    })
}

/// Reads a secret file (a password file): a regular file, at most `limit.max_bytes` bytes,
/// neither readable nor writable by group or others. The mode is checked on the open descriptor,
/// so the file checked is the file read. The bytes are erased when the result is dropped, and
/// the buffer never grows (no stray copies).
pub fn read_secret_file(path: &Path, limit: Limit) -> Result<Zeroizing<Vec<u8>>, ReadError> {
    let (mut file, meta) = open_regular(path, limit)?;
    let shown = path.display().to_string();
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.mode() & 0o077 != 0 {
            return Err(ReadError::TooOpen {
                what: limit.what,
                path: shown,
                mode: meta.mode() & 0o777,
            });
        }
    }
    if meta.len() > limit.max_bytes {
        return Err(ReadError::TooLarge {
            what: limit.what,
            path: shown,
            max_bytes: limit.max_bytes,
        });
    }
    fill_fixed(&mut file, limit, &shown)
}

/// Reads into a buffer allocated once at `limit + 1` bytes and never grown, so a secret leaves
/// no reallocated copies behind.
fn fill_fixed(
    r: &mut impl Read,
    limit: Limit,
    shown: &str,
) -> Result<Zeroizing<Vec<u8>>, ReadError> {
    let cap = usize::try_from(limit.max_bytes.saturating_add(1)).unwrap_or(usize::MAX);
    let mut buf = Zeroizing::new(vec![0u8; cap]);
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(source) => {
                return Err(ReadError::Read {
                    what: limit.what,
                    path: shown.into(),
                    source,
                });
            }
        }
    }
    if n as u64 > limit.max_bytes {
        return Err(ReadError::TooLarge {
            what: limit.what,
            path: shown.into(),
            max_bytes: limit.max_bytes,
        });
    }
    buf.truncate(n);
    Ok(buf)
}

/// Reads a stream (stdin, a pipe) to its end, at most `limit.max_bytes` bytes; `name` names it
/// in errors (e.g. `"stdin"`).
pub fn read_stream(r: impl Read, limit: Limit, name: &str) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::new();
    read_capped(r, &mut buf, limit, name)?;
    Ok(buf)
}

/// Reads a secret from a stream (a mnemonic or key on stdin) into a buffer that never grows and
/// is erased on drop; at most `limit.max_bytes` bytes.
pub fn read_secret_stream(
    mut r: impl Read,
    limit: Limit,
    name: &str,
) -> Result<Zeroizing<Vec<u8>>, ReadError> {
    fill_fixed(&mut r, limit, name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;

    const TINY: Limit = Limit {
        what: "test input",
        max_bytes: 8,
    };

    fn tmp_file(dir: &Path, name: &str, data: &[u8], mode: u32) -> std::path::PathBuf {
        let p = dir.join(name);
        let mut f = File::create(&p).unwrap();
        f.write_all(data).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        p
    }

    #[test]
    fn reads_a_file_at_the_limit_and_refuses_one_byte_more() {
        let d = tempfile::tempdir().unwrap();
        let ok = tmp_file(d.path(), "ok", b"12345678", 0o644);
        assert_eq!(read_regular_file(&ok, TINY).unwrap(), b"12345678");
        let big = tmp_file(d.path(), "big", b"123456789", 0o644);
        let e = read_regular_file(&big, TINY).unwrap_err();
        assert!(
            matches!(e, ReadError::TooLarge { max_bytes: 8, .. }),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            format!(
                "test input {} is larger than 8 bytes, the limit for a test input; check that it is the right input",
                big.display()
            )
        );
    }

    #[test]
    fn refuses_devices_directories_and_fifos() {
        let d = tempfile::tempdir().unwrap();
        let link = d.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let e = read_regular_file(&link, TINY).unwrap_err();
        assert!(
            matches!(
                e,
                ReadError::NotRegular {
                    kind: FileKind::CharDevice,
                    ..
                }
            ),
            "{e:?}"
        );
        let e = read_regular_file(d.path(), TINY).unwrap_err();
        assert!(
            matches!(
                e,
                ReadError::NotRegular {
                    kind: FileKind::Directory,
                    ..
                }
            ),
            "{e:?}"
        );
        let fifo = d.path().join("fifo");
        // The SDK forbids unsafe code, even in tests: the `mkfifo` program makes the FIFO.
        let st = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(st.success());
        // No writer: a blocking open would hang here.
        let e = read_secret_file(&fifo, TINY).unwrap_err();
        assert!(
            matches!(
                e,
                ReadError::NotRegular {
                    kind: FileKind::Fifo,
                    ..
                }
            ),
            "{e:?}"
        );
    }

    #[test]
    fn a_secret_file_must_be_private() {
        let d = tempfile::tempdir().unwrap();
        let open = tmp_file(d.path(), "pw", b"secret\n", 0o640);
        let e = read_secret_file(&open, TINY).unwrap_err();
        assert!(matches!(e, ReadError::TooOpen { mode: 0o640, .. }), "{e:?}");
        let private = tmp_file(d.path(), "pw2", b"secret\n", 0o600);
        assert_eq!(&read_secret_file(&private, TINY).unwrap()[..], b"secret\n");
    }

    #[test]
    fn a_sparse_200_mb_secret_file_is_refused_by_its_size() {
        let d = tempfile::tempdir().unwrap();
        let p = tmp_file(d.path(), "pw", b"", 0o600);
        File::options()
            .write(true)
            .open(&p)
            .unwrap()
            .set_len(200 * 1024 * 1024)
            .unwrap();
        let e = read_secret_file(&p, PASSWORD_FILE).unwrap_err();
        assert!(
            matches!(
                e,
                ReadError::TooLarge {
                    max_bytes: 4096,
                    ..
                }
            ),
            "{e:?}"
        );
    }

    #[test]
    fn streams_are_capped() {
        let e = read_stream(io::repeat(b'a'), TINY, "stdin").unwrap_err();
        assert!(
            matches!(e, ReadError::TooLarge { max_bytes: 8, ref path, .. } if path == "stdin"),
            "{e:?}"
        );
        assert_eq!(
            read_stream(&b"12345678"[..], TINY, "stdin").unwrap(),
            b"12345678"
        );
        let e = read_secret_stream(io::repeat(0), TINY, "stdin").unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { .. }), "{e:?}");
        assert_eq!(
            &read_secret_stream(&b"abc"[..], TINY, "stdin").unwrap()[..],
            b"abc"
        );
    }
}
