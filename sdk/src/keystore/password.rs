//! [`Password`]: a keystore password held in memory that is wiped on drop.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::secmem::SecretBytes;

/// Longest password [`Password::from_locked`] holds, in bytes (a password file's limit).
pub const MAX_LOCKED_PASSWORD: usize = 4096;

/// A keystore password (UTF-8, used as given: no trimming, no Unicode normalisation, as the
/// Binance Chain SDKs and geth do).
///
/// Wiped on drop; `Debug` prints `Password(..)`; no `Display`, `Serialize`, `Copy` or `Clone`.
pub struct Password(Repr);

enum Repr {
    Heap(Zeroizing<String>),
    /// The first `len` bytes of a locked page (a password that arrived over a socket).
    Locked(SecretBytes<MAX_LOCKED_PASSWORD>, usize),
}

impl Password {
    /// Takes ownership of a `String` without copying its buffer (a move keeps the same heap
    /// allocation), so wrap prompt results straight away.
    pub fn new(text: String) -> Self {
        Self(Repr::Heap(Zeroizing::new(text)))
    }

    /// Takes a password that is already in zeroizing memory.
    pub fn from_zeroizing(text: Zeroizing<String>) -> Self {
        Self(Repr::Heap(text))
    }

    /// Takes the first `len` bytes of a locked page, written there in place; `None` (and the
    /// page wiped) when `len` is over [`MAX_LOCKED_PASSWORD`] or the bytes are not UTF-8.
    pub fn from_locked(bytes: SecretBytes<MAX_LOCKED_PASSWORD>, len: usize) -> Option<Self> {
        (len <= MAX_LOCKED_PASSWORD && std::str::from_utf8(&bytes.expose()[..len]).is_ok())
            .then(|| Self(Repr::Locked(bytes, len)))
    }

    /// Copies `text` into a buffer of exactly its length (prefer [`Password::new`] for owned input).
    pub fn from_str_copy(text: &str) -> Self {
        let mut s = Zeroizing::new(String::with_capacity(text.len()));
        s.push_str(text);
        Self(Repr::Heap(s))
    }

    /// The UTF-8 bytes, for the key-derivation function.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Heap(s) => s.as_bytes(),
            Repr::Locked(b, len) => &b.expose()[..*len],
        }
    }

    /// Whether the password is empty.
    pub fn is_empty(&self) -> bool {
        self.as_bytes().is_empty()
    }

    /// Constant-time equality (for "type it again" confirmation prompts).
    pub fn ct_eq(&self, other: &Password) -> bool {
        self.as_bytes().len() == other.as_bytes().len()
            && bool::from(self.as_bytes().ct_eq(other.as_bytes()))
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_eq_works() {
        let a = Password::from_str_copy("hunter2-secret");
        let b = Password::new("hunter2-secret".to_string());
        let c = Password::from_str_copy("hunter3-secret");
        assert_eq!(format!("{a:?}"), "Password(..)");
        assert!(a.ct_eq(&b));
        assert!(!a.ct_eq(&c));
        assert!(!a.ct_eq(&Password::from_str_copy("hunter2")));
    }

    #[test]
    fn a_locked_password_is_its_first_len_bytes_and_must_be_utf8() {
        let mut page = SecretBytes::<MAX_LOCKED_PASSWORD>::zeroed();
        page.expose_mut()[..4].copy_from_slice("pä\u{0}".as_bytes());
        let p = Password::from_locked(page, 3).unwrap();
        assert_eq!(p.as_bytes(), "pä".as_bytes());
        assert!(p.ct_eq(&Password::from_str_copy("pä")));
        assert_eq!(format!("{p:?}"), "Password(..)");
        let mut page = SecretBytes::<MAX_LOCKED_PASSWORD>::zeroed();
        page.expose_mut()[..2].copy_from_slice(&[b'p', 0xc3]);
        assert!(Password::from_locked(page, 2).is_none());
        let page = SecretBytes::<MAX_LOCKED_PASSWORD>::zeroed();
        assert!(Password::from_locked(page, MAX_LOCKED_PASSWORD + 1).is_none());
    }
}
