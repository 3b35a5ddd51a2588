//! Importing a key from an encrypted keystore file.
//!
//! `cargo run -p dexlink --example keystore_import`
//!
//! The keystore is `eth-keystore-rs-key-scrypt` of `test-vectors/keystore-web3.json` (a Web3
//! Secret Storage v3 file from the eth-keystore-rs tests, scrypt n = 8192); Binance Chain v1
//! keystores (the web wallet's and the JS SDK's) are read by the same call.

use dexlink::Hrp;
use dexlink::keystore::{self, KeystoreError, KeystoreFormat, Password};

const KEYSTORE: &str = r#"{"version": 3, "id": "23fb6c51-79c8-4ce5-a02a-0f4f169a4168",
  "crypto": {"ciphertext": "eb7302cc8669683e49fc40f3445464020568a1d82e71c977264f286a3099be58",
    "cipherparams": {"iv": "2a9fc5d709ab79e7f015111b93872f6c"}, "cipher": "aes-128-ctr",
    "kdf": "scrypt", "kdfparams": {"dklen": 32,
      "salt": "19a1b0af7a3f4f04a4e8d1cf722550e905da18b369029b0460b12765f19d8a99",
      "n": 8192, "r": 8, "p": 1},
    "mac": "b2987a6adb597af26705042977c55ea132ca1391220455769eba2bc0b239089b"}}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A password is a secret: real code reads it from a hidden prompt or a file.
    let password = Password::from_str_copy("grOQ8QDnGHvpYJf");
    let decrypted = keystore::decrypt(KEYSTORE, &password)?;
    assert_eq!(decrypted.format(), KeystoreFormat::Web3V3);
    let key = decrypted.into_private_key();
    // The vector's key; printing a real key's hex would defeat the keystore.
    assert_eq!(
        key.to_hex().as_str(),
        "80d3a6ed7b24dcd652949bc2f3827d2f883b3722e3120b15a93a2e0790f03829"
    );
    println!("imported {}", key.address(&Hrp::mainnet()));

    // A wrong password is told apart from a damaged file.
    let wrong = keystore::decrypt(KEYSTORE, &Password::from_str_copy("grOQ8QDnGHvpYJg"));
    assert!(matches!(wrong, Err(KeystoreError::WrongPassword)));
    Ok(())
}
