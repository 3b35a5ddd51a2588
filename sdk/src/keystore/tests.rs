//! Keystore unit tests. Expected keys, ciphertexts and MACs come from docs/upstream-vectors.md §3 and
//! docs/keystores.md §3–§6 (upstream files or the spec's independent reference); round trips only
//! check that what we write we can read.

use super::*;
use crate::address::Hrp;

const V8D_KEY: &str = "95949f757db1f57ca94a5dff23314accbe7abee89597bf6a3c7382c84d7eb832";
const GO_FILE: &str = r#"{"version":1,"id":"0b3d7c68-c5e8-4b26-9b20-4690e0f52b73","crypto":{"ciphertext":"fdbaea9fa6672de0d607aa030eb0492a9023e837c82968ddfe374fee6f1e2f5a","cipherparams":{"iv":"5c9a03d8c23dd6bc5e812ebf3a68f425"},"cipher":"aes-256-ctr","kdf":"pbkdf2","kdfparams":{"dklen":32,"salt":"12fcaadc6cd8fab47edfe51017e7ab1d4bda1902219b86ff8d4cbf4661f60134","c":262144,"prf":"hmac-sha256"},"mac":"6bfa9ebdcc83278b7bcc04e53a5837b193cabdf7807116dfc5fff2049779b55531710fb5def1b941f59e18a69679126c2bd85baf2c85a88ce867ac1db2cef2ef"}}"#;
const LEGACY_FILE: &str = r#"{"version":1,"id":"dfb09873-f16f-48c6-a6b8-bb5a705c47a7","address":"bnc1dxj068zgk007fchefj9n8tq06pcuce5ypqm5zk","crypto":{"ciphertext":"33b7439a8d64d73357dc91f88a6b3a45e7303717664d17daf8e8dc1cc708fa4b","cipherparams":{"iv":"88c726d70cd0437bfdb2312dc60103fc"},"cipher":"aes-256-ctr","kdf":"pbkdf2","kdfparams":{"dklen":32,"salt":"ad10ef544417d4a25914dec3d908882686dd9d793b5c484b76fd5aa575cf54b9","c":262144,"prf":"hmac-sha256"},"mac":"f7cc301d18c97c71741492b8029544952ad5567a733971deb49fd3eb03ee696e"}}"#;

fn pw(s: &str) -> Password {
    Password::from_str_copy(s)
}

fn fast() -> ScryptParams {
    ScryptParams::new(10, 8, 1).unwrap()
}

#[test]
fn v8d_encrypt_with_fixed_randomness_matches_the_spec() {
    let key = PrivateKey::from_hex(V8D_KEY).unwrap();
    let mut salt = [0u8; 32];
    for (i, b) in salt.iter_mut().enumerate() {
        *b = i as u8 + 1;
    }
    let mut iv = [0u8; 16];
    for (i, b) in iv.iter_mut().enumerate() {
        *b = 0xa0 + i as u8;
    }
    let text = encrypt_binance_with_fixed_randomness_for_tests(
        &key,
        &pw("Password123!"),
        salt,
        iv,
        "00000000-0000-4000-8000-000000000000",
    );
    let v: Value = serde_json::from_str(&text).unwrap();
    let c = &v["crypto"];
    assert_eq!(v["version"], 1);
    assert_eq!(
        c["ciphertext"],
        "38cd46e20ecedffe4cea1acdf8adba42e2317a063c997ca6235911486ea83104"
    );
    assert_eq!(
        c["mac"],
        "9dbd04249f5145a5da471ba45791fdc78b4af14df6dd23479c092a7ed7e1988c4675f22334653417599f2405eda7d520b3e525163ce325bd38101516d85bb318"
    );
    assert_eq!(c["cipher"], "aes-256-ctr");
    assert_eq!(c["kdf"], "pbkdf2");
    assert_eq!(c["kdfparams"]["c"], 262144);
    assert_eq!(c["kdfparams"]["prf"], "hmac-sha256");
    assert_eq!(c["kdfparams"]["dklen"], 32);
    assert_eq!(c["cipherparams"]["iv"], "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
}

#[test]
fn go_sdk_file_decrypts_with_aes256() {
    let d = decrypt(GO_FILE, &pw("Zjubfd@123")).unwrap();
    assert_eq!(
        d.private_key().to_hex().as_str(),
        "22bcd2a6695ac42459ff61bf68ffc67dde44c6fe0285023820df454600aa45f8"
    );
    assert_eq!(d.format(), KeystoreFormat::BinanceV1);
    assert_eq!(d.address_check(), &AddressCheck::Absent);
    assert_eq!(
        d.private_key().address(&Hrp::mainnet()).to_string(),
        "bnb12v2fatnh3h7s44anqrm2azg6etr0kfyy8h54ed"
    );
}

#[test]
fn legacy_file_with_foreign_bnc_address_decrypts_and_reports_it_unchecked() {
    let d = decrypt(LEGACY_FILE, &pw("12345qwert!S")).unwrap();
    assert_eq!(
        d.private_key().to_hex().as_str(),
        "39bf6999972b66c538c0e49062fbee924e7a0b3fce5303618bea55ea572c6e84"
    );
    assert_eq!(d.format(), KeystoreFormat::BinanceV1LegacySha256);
    match d.address_check() {
        AddressCheck::NotChecked(why) => assert!(why.contains("bnc"), "{why}"),
        other => panic!("expected NotChecked, got {other:?}"),
    }
}

#[test]
fn wrong_password_is_reported_without_echoing_it() {
    let secret_pw = "Zjubfd@124-very-secret";
    let e = decrypt(GO_FILE, &pw(secret_pw)).unwrap_err();
    assert_eq!(e, KeystoreError::WrongPassword);
    assert!(!e.to_string().contains(secret_pw));
    assert!(!format!("{e:?}").contains(secret_pw));
}

#[test]
fn debug_of_decrypted_keystore_hides_the_key() {
    let d = decrypt(GO_FILE, &pw("Zjubfd@123")).unwrap();
    let dbg = format!("{d:?}");
    assert!(dbg.contains("PrivateKey(..)"), "{dbg}");
    assert!(!dbg.contains("22bcd2a6"), "{dbg}");
}

#[test]
fn hostile_scrypt_parameters_are_refused_before_any_work() {
    // 2^30 with r = 8 would need 1 TiB; the cap trips at parse time, before any derivation
    // (which could not allocate it): the error is the memory cap's, exactly.
    let file = r#"{"version":3,"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"2a9fc5d709ab79e7f015111b93872f6c"},"ciphertext":"eb7302cc8669683e49fc40f3445464020568a1d82e71c977264f286a3099be58","kdf":"scrypt","kdfparams":{"dklen":32,"salt":"19a1b0af7a3f4f04a4e8d1cf722550e905da18b369029b0460b12765f19d8a99","n":1073741824,"r":8,"p":1},"mac":"b2987a6adb597af26705042977c55ea132ca1391220455769eba2bc0b239089b"}}"#;
    let e = decrypt(file, &pw("x")).unwrap_err();
    assert_eq!(
        e,
        KeystoreError::Tampered(
            "scrypt n = 2^30, r = 8 needs 1048576 MiB of memory, above the cap of 512 MiB".into()
        )
    );
    // n = 2^63 must not overflow the memory computation.
    let huge = file.replace("1073741824", "9223372036854775808");
    assert!(matches!(
        decrypt(&huge, &pw("x")).unwrap_err(),
        KeystoreError::Tampered(_)
    ));
}

#[test]
fn corrupted_json_errors_do_not_quote_the_input() {
    let e = decrypt("{\"version\": 3, \"crypto\": SECRETSTUFF", &pw("x")).unwrap_err();
    assert!(matches!(e, KeystoreError::Corrupted(_)), "{e}");
    assert!(!e.to_string().contains("SECRETSTUFF"), "{e}");
}

#[test]
fn web3_round_trip_with_low_cost_params() {
    let key = PrivateKey::generate();
    let text = encrypt_web3(&key, &pw("pässwörd"), fast());
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], 3);
    assert_eq!(v["crypto"]["cipher"], "aes-128-ctr");
    assert_eq!(v["crypto"]["kdfparams"]["n"], 1024);
    assert_eq!(v["id"].as_str().unwrap().len(), 36);
    let d = decrypt(&text, &pw("pässwörd")).unwrap();
    assert!(d.private_key() == &key);
    assert_eq!(d.format(), KeystoreFormat::Web3V3);
    assert_eq!(
        decrypt(&text, &pw("passwörd")).unwrap_err(),
        KeystoreError::WrongPassword
    );
}

#[test]
fn web3_round_trip_with_the_real_default_2_pow_18() {
    let key = PrivateKey::generate();
    let text = encrypt_web3(&key, &pw("pw"), ScryptParams::STANDARD);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["crypto"]["kdfparams"]["n"], 262144);
    assert_eq!(v["crypto"]["kdfparams"]["r"], 8);
    assert_eq!(v["crypto"]["kdfparams"]["p"], 1);
    assert!(decrypt(&text, &pw("pw")).unwrap().private_key() == &key);
}

#[test]
fn binance_round_trip_with_go_sdk_address() {
    let key = PrivateKey::generate();
    let text = encrypt_binance(&key, &pw("pw"), Some(&Hrp::testnet()));
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["crypto"]["mac"].as_str().unwrap().len(), 128);
    assert_eq!(
        v["address"].as_str().unwrap(),
        key.address(&Hrp::testnet()).to_string()
    );
    let id = uuid::Uuid::parse_str(v["id"].as_str().unwrap()).unwrap();
    assert_eq!(id.get_version_num(), 4);
    let d = decrypt(&text, &pw("pw")).unwrap();
    assert!(d.private_key() == &key);
    assert_eq!(d.address_check(), &AddressCheck::Matched);
    assert_eq!(d.format(), KeystoreFormat::BinanceV1);
}

#[test]
fn sealed_secrets_of_any_length_round_trip() {
    let phrase = b"fragile duck lunch coyote cotton pole gym orange share muscle impulse mom pause isolate define oblige hungry sound stereo spider style river fun account";
    let crypto = seal_secret(phrase, &pw("pw"), fast()).unwrap();
    assert_eq!(
        crypto["ciphertext"].as_str().unwrap().len(),
        phrase.len() * 2
    );
    let back = open_secret(&crypto, &pw("pw"), &KdfLimits::DEFAULT).unwrap();
    assert_eq!(&back[..], &phrase[..]);
    assert_eq!(
        open_secret(&crypto, &pw("pW"), &KdfLimits::DEFAULT).unwrap_err(),
        KeystoreError::WrongPassword
    );
    assert_eq!(
        seal_secret(&[], &pw("pw"), fast()).unwrap_err(),
        KeystoreError::SecretLength(0)
    );
    assert!(seal_secret(&[1u8; MAX_SECRET_LEN + 1], &pw("pw"), fast()).is_err());
}

#[test]
fn tampered_ciphertext_fails_the_mac() {
    let key = PrivateKey::generate();
    let text = encrypt_web3(&key, &pw("pw"), fast());
    let mut v: Value = serde_json::from_str(&text).unwrap();
    let ct = v["crypto"]["ciphertext"].as_str().unwrap().to_string();
    let flipped = format!(
        "{}{}",
        if ct.starts_with('0') { "1" } else { "0" },
        &ct[1..]
    );
    v["crypto"]["ciphertext"] = Value::String(flipped);
    assert_eq!(
        decrypt_value(&v, &pw("pw"), &KdfLimits::DEFAULT).unwrap_err(),
        KeystoreError::WrongPassword
    );
}

#[test]
fn tighter_caller_limits_apply() {
    let strict = KdfLimits {
        max_pbkdf2_c: 1000,
        ..KdfLimits::DEFAULT
    };
    assert!(matches!(
        decrypt_with_limits(GO_FILE, &pw("Zjubfd@123"), &strict).unwrap_err(),
        KeystoreError::Tampered(_)
    ));
}
