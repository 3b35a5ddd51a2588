//! [`Password`]: a keystore password held in memory that is wiped on drop.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// A keystore password (UTF-8, used as given: no trimming, no Unicode normalisation, as the
/// Binance Chain SDKs and geth do).
///
/// Wiped on drop; `Debug` prints `Password(..)`; no `Display`, `Serialize`, `Copy` or `Clone`.
pub struct Password(Zeroizing<String>);

impl Password {
    /// Takes ownership of a `String` without copying its buffer (a move keeps the same heap
    /// allocation), so wrap prompt results straight away.
    pub fn new(text: String) -> Self {
        Self(Zeroizing::new(text))
    }

    /// Takes a password that is already in zeroizing memory.
    pub fn from_zeroizing(text: Zeroizing<String>) -> Self {
        Self(text)
    }

    /// Copies `text` into a buffer of exactly its length (prefer [`Password::new`] for owned input).
    pub fn from_str_copy(text: &str) -> Self {
        let mut s = Zeroizing::new(String::with_capacity(text.len()));
        s.push_str(text);
        Self(s)
    }

    /// The UTF-8 bytes, for the key-derivation function.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Whether the password is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
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
}
