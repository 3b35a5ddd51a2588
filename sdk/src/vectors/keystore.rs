//! Check for the `keystore` vector type: decrypting a Binance Chain v1 or Web3 v3 file.

use super::{ErrorKind, Failure, Fields, expect_eq};
use crate::keystore::{self, KdfLimits, KeystoreError, Password};

/// The `expect_error` kind of a keystore error.
fn kind(e: &KeystoreError) -> ErrorKind {
    match e {
        KeystoreError::WrongPassword => ErrorKind::WrongPassword,
        KeystoreError::Unsupported(_) => ErrorKind::UnsupportedKeystore,
        KeystoreError::Corrupted(_)
        | KeystoreError::Tampered(_)
        | KeystoreError::SecretLength(_) => ErrorKind::InvalidKeystore,
    }
}

/// `keystore`: `keystore` (the file's JSON object), `password`, `private_key` (hex).
pub(super) fn check_keystore(f: &Fields<'_>) -> Result<(), Failure> {
    let file = f
        .get("keystore")
        .ok_or_else(|| Failure::Malformed("missing field \"keystore\"".into()))?;
    let password = Password::from_str_copy(f.str("password")?);
    let got = keystore::decrypt_value(file, &password, &KdfLimits::DEFAULT)
        .map_err(|e| Failure::op(kind(&e), e))?;
    let want = f.str("private_key")?;
    expect_eq(
        "private_key",
        want.to_ascii_lowercase(),
        got.private_key().to_hex().to_string(),
    )
}
