//! Check for the `keystore` vector type: decrypting a Binance Chain v1 or Web3 v3 file.

use super::{ErrorKind, Failure, Fields};
use dexlink::keys::PrivateKey;
use dexlink::keystore::{self, KdfLimits, KeystoreError, Password};

/// The `expect_error` kind of a keystore error.
fn kind(e: &KeystoreError) -> ErrorKind {
    match e {
        KeystoreError::WrongPassword => ErrorKind::WrongPassword,
        KeystoreError::Unsupported(_) => ErrorKind::UnsupportedKeystore,
        KeystoreError::Corrupted(_)
        | KeystoreError::Tampered(_)
        | KeystoreError::SecretLength(_) => ErrorKind::InvalidKeystore,
        // A variant added to the SDK after this list.
        _ => ErrorKind::InvalidKeystore,
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
    let want = PrivateKey::from_hex(f.str("private_key")?)
        .map_err(|e| Failure::Malformed(format!("field \"private_key\": {e}")))?;
    if got.private_key() == &want {
        Ok(())
    } else {
        // Vector keys are public test data; only a mismatch prints ours.
        Err(Failure::mismatch(
            "private_key",
            want.to_hex().as_str(),
            got.private_key().to_hex().as_str(),
        ))
    }
}
