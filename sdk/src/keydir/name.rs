//! [`EntryName`]: the validated name of a key-directory entry.

use std::fmt;
use std::str::FromStr;

use super::KeyDirError;

/// Longest entry name.
pub const MAX_NAME_LEN: usize = 64;

/// An entry name: 1 to 64 characters of `A-Z a-z 0-9 . _ -`, not starting with `.` (so it can
/// never be `.`, `..`, a hidden file, or contain a path separator). The file is `<name>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryName(String);

impl EntryName {
    /// Validates a name.
    pub fn new(s: &str) -> Result<Self, KeyDirError> {
        let bad = |why: &str| KeyDirError::InvalidName(why.to_string());
        if s.is_empty() {
            return Err(bad("a name cannot be empty"));
        }
        if s.len() > MAX_NAME_LEN {
            return Err(bad("a name has at most 64 characters"));
        }
        if s.starts_with('.') {
            return Err(bad("a name cannot start with '.'"));
        }
        if s.contains("..") {
            return Err(bad("a name cannot contain '..'"));
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            return Err(bad(
                "a name may only use letters A-Z a-z, digits, '.', '_' and '-'",
            ));
        }
        Ok(Self(s.to_string()))
    }

    /// The name text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the name is 64 hex digits, the shape of a private key: no new entry gets such a
    /// name (see [`super::KeyDir::create_hd`]), since a key typed where a name goes must be
    /// refused without being repeated, and a name that could be a key could not be told apart.
    pub fn is_key_shaped(&self) -> bool {
        self.0.len() == 64 && self.0.bytes().all(|b| b.is_ascii_hexdigit())
    }

    /// The entry's file name, `<name>.json`.
    pub(crate) fn file_name(&self) -> String {
        format!("{}.json", self.0)
    }
}

impl fmt::Display for EntryName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for EntryName {
    type Err = KeyDirError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_rejects() {
        for ok in ["a", "alice", "Trading-01", "x.y_z", &"a".repeat(64), "a.b"] {
            assert!(EntryName::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            ".hidden",
            "a/b",
            "a\\b",
            "../x",
            "a..b",
            "with space",
            "tab\t",
            "é",
            "nul\0",
            &"a".repeat(65),
        ] {
            assert!(
                matches!(EntryName::new(bad), Err(KeyDirError::InvalidName(_))),
                "{bad:?}"
            );
        }
    }
}
