//! Key-directory tests: permissions, atomicity, names, no-overwrite, races, passwords, redaction.
//! Most use scrypt 2^4 passed explicitly; `real_default_kdf_round_trip` uses the 2^18 default.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::sync::{Arc, Barrier};

use super::*;
use crate::address::Network;

const PHRASE: &str = "fragile duck lunch coyote cotton pole gym orange share muscle impulse mom pause isolate define oblige hungry sound stereo spider style river fun account";
const PASSPHRASE: &str = "TREZOR-extra-word";
const PW: &str = "correct horse battery staple";

fn fast() -> ScryptParams {
    ScryptParams::new(4, 8, 1).unwrap()
}
fn pw(s: &str) -> Password {
    Password::from_str_copy(s)
}
fn name(s: &str) -> EntryName {
    EntryName::new(s).unwrap()
}
fn hd_secret() -> HdSecret {
    HdSecret::new(
        Zeroizing::new(PHRASE.to_string()),
        Zeroizing::new(PASSPHRASE.to_string()),
    )
    .unwrap()
}
fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}
fn spec() -> NewHdEntry {
    // V1 address of the phrase above (binance-chain.md §9.1); here only recorded metadata.
    let a = crate::address::Address::parse("bnb1ss57e8sa7xnwq030k2ctr775uac9gjzg347gp4").unwrap();
    NewHdEntry {
        network: Network::mainnet(),
        path_template: "m/44'/714'/{account}'/0/{index}".into(),
        addresses: vec![DerivedAddress::new("m/44'/714'/0'/0/0", a)],
    }
}
fn new_dir() -> (tempfile::TempDir, KeyDir) {
    let t = tempfile::tempdir().unwrap();
    let kd = KeyDir::open(Some(&t.path().join("keys"))).unwrap();
    (t, kd)
}
fn dir_files(kd: &KeyDir) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(kd.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn directory_is_0700_and_entries_0600() {
    let (_t, kd) = new_dir();
    assert_eq!(mode(kd.path()), 0o700);
    kd.create_hd(&name("w"), &hd_secret(), &spec(), &pw(PW), fast())
        .unwrap();
    assert_eq!(mode(&kd.entry_path(&name("w"))), 0o600);
    assert_eq!(mode(&kd.path().join(".lock")), 0o600);
    assert_eq!(dir_files(&kd), vec![".lock", "w.json"]);
}

#[test]
fn group_or_world_accessible_directory_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("keys");
    fs::create_dir(&p).unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
    let e = KeyDir::open(Some(&p)).unwrap_err();
    assert!(
        matches!(e, KeyDirError::InsecurePermissions { mode: 0o755, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("chmod 700"), "{e}");
    fs::set_permissions(&p, fs::Permissions::from_mode(0o700)).unwrap();
    assert!(KeyDir::open(Some(&p)).is_ok());
    let f = t.path().join("file");
    fs::write(&f, b"x").unwrap();
    assert!(matches!(
        KeyDir::open(Some(&f)).unwrap_err(),
        KeyDirError::NotADirectory(_)
    ));
}

#[test]
fn explicit_location_wins() {
    let p = Path::new("/some/where");
    assert_eq!(KeyDir::resolve_location(Some(p)).unwrap(), p);
}

/// Child half of `location_comes_from_dexlink_home_then_home`.
#[test]
fn resolve_child_process() {
    if std::env::var_os("DEXLINK_TEST_RESOLVE").is_none() {
        return;
    }
    println!(
        "\nRESOLVED {}",
        KeyDir::resolve_location(None).unwrap().display()
    );
}

#[test]
fn location_comes_from_dexlink_home_then_home() {
    let exe = std::env::current_exe().unwrap();
    let resolved = |dexlink_home: &str| {
        let out = Command::new(&exe)
            .args([
                "--exact",
                "keydir::tests::resolve_child_process",
                "--nocapture",
            ])
            .env("DEXLINK_TEST_RESOLVE", "1")
            .env("HOME", "/home/someone")
            .env("DEXLINK_HOME", dexlink_home)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.lines()
            .find_map(|l| l.split_once("RESOLVED ").map(|(_, r)| r.to_string()))
            .unwrap_or_else(|| panic!("no output: {text}"))
    };
    assert_eq!(resolved("/srv/keys"), "/srv/keys");
    // An empty DEXLINK_HOME counts as unset.
    assert_eq!(resolved(""), "/home/someone/.dexlink");
}

#[test]
fn hd_entry_round_trip_and_metadata_without_password() {
    let (_t, kd) = new_dir();
    let info = kd
        .create_hd(&name("main"), &hd_secret(), &spec(), &pw(PW), fast())
        .unwrap();
    assert_eq!(info.kind, EntryKind::Hd);
    // Metadata: no password involved.
    let got = kd.get(&name("main")).unwrap();
    assert_eq!(got, info);
    assert_eq!(got.network, Network::mainnet());
    assert_eq!(
        got.path_template.as_deref(),
        Some("m/44'/714'/{account}'/0/{index}")
    );
    assert_eq!(
        got.addresses[0].address.to_string(),
        "bnb1ss57e8sa7xnwq030k2ctr775uac9gjzg347gp4"
    );
    let listing = kd.list().unwrap();
    assert_eq!(listing.entries, vec![info.clone()]);
    assert!(listing.problems.is_empty());
    // The file holds neither the phrase nor the passphrase in clear.
    let text = fs::read_to_string(kd.entry_path(&name("main"))).unwrap();
    assert!(!text.contains("fragile") && !text.contains(PASSPHRASE));
    // Unlock.
    let u = kd.unlock(&name("main"), &pw(PW)).unwrap();
    match &u.secret {
        EntrySecret::Hd(s) => {
            assert_eq!(s.phrase(), PHRASE);
            assert_eq!(s.passphrase(), PASSPHRASE);
        }
        other => panic!("expected HD, got {other:?}"),
    }
    assert_eq!(u.info, info);
    // Wrong password.
    let e = kd.unlock(&name("main"), &pw("wrong horse")).unwrap_err();
    assert!(
        matches!(e, KeyDirError::Keystore(KeystoreError::WrongPassword)),
        "{e}"
    );
    assert!(!e.to_string().contains("wrong horse"));
}

#[test]
fn imported_key_round_trip_export_and_tamper_detection() {
    let (_t, kd) = new_dir();
    let key =
        PrivateKey::from_hex("90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9")
            .unwrap();
    let info = kd
        .import_private_key(&name("k1"), &key, &Network::testnet(), &pw(PW), fast())
        .unwrap();
    assert_eq!(info.kind, EntryKind::PrivateKey);
    // binance-chain.md §9.1 V7.
    assert_eq!(
        info.addresses[0].address.to_string(),
        "tbnb1hgm0p7khfk85zpz5v0j8wnej3a90w709zzlffd"
    );
    match kd.unlock(&name("k1"), &pw(PW)).unwrap().secret {
        EntrySecret::PrivateKey(k) => assert!(k == key),
        other => panic!("{other:?}"),
    }
    // The exported file is a standard Web3 v3 keystore.
    let exported = kd.export_web3_keystore(&name("k1")).unwrap();
    let d = crate::keystore::decrypt(&exported, &pw(PW)).unwrap();
    assert!(d.private_key() == &key);
    assert!(matches!(
        kd.add_addresses(&name("k1"), &[]).unwrap_err(),
        KeyDirError::WrongKind { .. }
    ));
    // Swap the recorded address for another valid testnet address: unlock must refuse.
    let path = kd.entry_path(&name("k1"));
    let text = fs::read_to_string(&path).unwrap().replace(
        "tbnb1hgm0p7khfk85zpz5v0j8wnej3a90w709zzlffd",
        "tbnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lx8xu7hm",
    );
    fs::write(&path, text).unwrap();
    assert!(matches!(
        kd.unlock(&name("k1"), &pw(PW)).unwrap_err(),
        KeyDirError::CorruptEntry { .. }
    ));
}

#[test]
fn create_never_overwrites() {
    let (_t, kd) = new_dir();
    kd.create_hd(&name("a"), &hd_secret(), &spec(), &pw(PW), fast())
        .unwrap();
    let before = fs::read(kd.entry_path(&name("a"))).unwrap();
    let key = PrivateKey::generate();
    let e = kd
        .import_private_key(&name("a"), &key, &Network::mainnet(), &pw("other"), fast())
        .unwrap_err();
    assert!(matches!(&e, KeyDirError::NameTaken(n) if n == "a"), "{e}");
    assert_eq!(fs::read(kd.entry_path(&name("a"))).unwrap(), before);
    assert_eq!(dir_files(&kd), vec![".lock", "a.json"]);
}

#[test]
fn add_addresses_is_atomic_deduplicated_and_keeps_0600() {
    let (_t, kd) = new_dir();
    kd.create_hd(&name("w"), &hd_secret(), &spec(), &pw(PW), fast())
        .unwrap();
    let a1 = crate::address::Address::parse("bnb1rcp2kf6xwaxt3k8fyddvrvl0l0mg585xz37reu").unwrap();
    let d1 = DerivedAddress::new("m/44'/714'/0'/0/1", a1.clone());
    let info = kd
        .add_addresses(&name("w"), &[d1.clone(), d1.clone()])
        .unwrap();
    assert_eq!(info.addresses.len(), 2);
    assert_eq!(kd.get(&name("w")).unwrap().addresses[1], d1);
    // Same path, different address: refused, file unchanged.
    let other =
        crate::address::Address::parse("bnb1jf5hxtmlfnve8ynhhzxsrlwtad646y7pfhpzfx").unwrap();
    assert!(matches!(
        kd.add_addresses(
            &name("w"),
            &[DerivedAddress::new("m/44'/714'/0'/0/1", other)]
        )
        .unwrap_err(),
        KeyDirError::InvalidMetadata(_)
    ));
    // Another network's address: refused.
    assert!(
        kd.add_addresses(
            &name("w"),
            &[DerivedAddress::new(
                "m/44'/714'/0'/0/2",
                a1.with_hrp(crate::address::Hrp::testnet())
            )]
        )
        .is_err()
    );
    assert_eq!(kd.get(&name("w")).unwrap().addresses.len(), 2);
    assert_eq!(mode(&kd.entry_path(&name("w"))), 0o600);
    assert_eq!(dir_files(&kd), vec![".lock", "w.json"]);
    // The secret survived the rewrite.
    assert!(kd.unlock(&name("w"), &pw(PW)).is_ok());
}

#[test]
fn change_password_re_encrypts_atomically() {
    let (_t, kd) = new_dir();
    kd.create_hd(&name("w"), &hd_secret(), &spec(), &pw(PW), fast())
        .unwrap();
    assert!(matches!(
        kd.change_password(&name("w"), &pw("bad"), &pw("new"), fast())
            .unwrap_err(),
        KeyDirError::Keystore(KeystoreError::WrongPassword)
    ));
    kd.change_password(&name("w"), &pw(PW), &pw("new pw"), fast())
        .unwrap();
    assert!(kd.unlock(&name("w"), &pw(PW)).is_err());
    match kd.unlock(&name("w"), &pw("new pw")).unwrap().secret {
        EntrySecret::Hd(s) => assert_eq!(s.phrase(), PHRASE),
        other => panic!("{other:?}"),
    }
    assert_eq!(mode(&kd.entry_path(&name("w"))), 0o600);
    assert_eq!(dir_files(&kd), vec![".lock", "w.json"]);
}

#[test]
fn delete_removes_and_reports_missing() {
    let (_t, kd) = new_dir();
    kd.create_hd(&name("w"), &hd_secret(), &spec(), &pw(PW), fast())
        .unwrap();
    kd.delete(&name("w")).unwrap();
    assert!(!kd.contains(&name("w")).unwrap());
    assert!(matches!(
        kd.delete(&name("w")).unwrap_err(),
        KeyDirError::NotFound(_)
    ));
    assert!(matches!(
        kd.unlock(&name("w"), &pw(PW)).unwrap_err(),
        KeyDirError::NotFound(_)
    ));
}

#[test]
fn crash_leftovers_are_ignored_then_cleaned() {
    let (_t, kd) = new_dir();
    kd.create_hd(&name("w"), &hd_secret(), &spec(), &pw(PW), fast())
        .unwrap();
    // A writer that died after creating its temp file but before renaming it: a torn file.
    let tmp = kd.path().join(".w.json.0011223344556677.tmp");
    fs::write(&tmp, b"{\"dexlink_entry\": 1, \"na").unwrap();
    let listing = kd.list().unwrap();
    assert_eq!(listing.entries.len(), 1);
    assert!(listing.problems.is_empty());
    assert!(kd.unlock(&name("w"), &pw(PW)).is_ok());
    // The next locked operation removes it.
    kd.add_addresses(&name("w"), &[]).unwrap();
    assert!(!tmp.exists());
}

#[test]
fn loose_permissions_and_symlinks_on_entries_are_refused() {
    let (_t, kd) = new_dir();
    kd.create_hd(&name("w"), &hd_secret(), &spec(), &pw(PW), fast())
        .unwrap();
    let p = kd.entry_path(&name("w"));
    fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
    let e = kd.get(&name("w")).unwrap_err();
    assert!(e.to_string().contains("chmod 600"), "{e}");
    fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::symlink(&p, kd.path().join("link.json")).unwrap();
    assert!(matches!(
        kd.get(&name("link")).unwrap_err(),
        KeyDirError::NotARegularFile(_)
    ));
    let listing = kd.list().unwrap();
    assert_eq!(listing.entries.len(), 1);
    assert_eq!(listing.problems.len(), 1);
}

#[test]
fn secrets_never_appear_in_debug_or_errors() {
    let (_t, kd) = new_dir();
    kd.create_hd(&name("w"), &hd_secret(), &spec(), &pw(PW), fast())
        .unwrap();
    let u = kd.unlock(&name("w"), &pw(PW)).unwrap();
    let dbg = format!("{u:?} {:?} {:?}", hd_secret(), pw(PW));
    for secret in ["fragile", "duck", PASSPHRASE, PW] {
        assert!(!dbg.contains(secret), "{secret} leaked in {dbg}");
    }
    let e = kd.unlock(&name("w"), &pw("my-secret-guess")).unwrap_err();
    assert!(!format!("{e} {e:?}").contains("my-secret-guess"));
}

#[test]
fn hd_secret_encoding_rejects_garbage() {
    assert!(HdSecret::decode(&[]).is_err());
    assert!(HdSecret::decode(&[2, 0, 1, b'a', 0, 0]).is_err());
    assert!(HdSecret::decode(&[1, 0, 5, b'a', 0, 0]).is_err());
    let s = HdSecret::decode(&[1, 0, 1, b'a', 0, 0]).unwrap();
    assert_eq!((s.phrase(), s.passphrase()), ("a", ""));
    assert!(HdSecret::new(Zeroizing::new(" ".into()), Zeroizing::new(String::new())).is_err());
}

#[test]
fn threads_racing_to_create() {
    let (_t, kd) = new_dir();
    let n = 8;
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let kd = kd.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let key = PrivateKey::generate();
                barrier.wait();
                let same = kd.import_private_key(
                    &name("shared"),
                    &key,
                    &Network::mainnet(),
                    &pw(PW),
                    fast(),
                );
                let own = kd.import_private_key(
                    &name(&format!("t{i}")),
                    &key,
                    &Network::mainnet(),
                    &pw(PW),
                    fast(),
                );
                (
                    same.is_ok(),
                    own.is_ok(),
                    matches!(same, Err(KeyDirError::NameTaken(_))),
                )
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(results.iter().filter(|r| r.0).count(), 1);
    assert_eq!(results.iter().filter(|r| r.2).count(), n - 1);
    assert!(results.iter().all(|r| r.1));
    let listing = kd.list().unwrap();
    assert_eq!(listing.entries.len(), n + 1);
    assert!(listing.problems.is_empty());
    assert!(kd.unlock(&name("shared"), &pw(PW)).is_ok());
    assert!(dir_files(&kd).iter().all(|f| !f.ends_with(".tmp")));
}

/// Child half of `processes_racing_to_create`: does nothing unless the parent set the env var.
#[test]
fn race_child_process() {
    let Some(dir) = std::env::var_os("DEXLINK_TEST_RACE_DIR") else {
        return;
    };
    let id = std::env::var("DEXLINK_TEST_RACE_ID").unwrap();
    let kd = KeyDir::open(Some(Path::new(&dir))).unwrap();
    let key = PrivateKey::generate();
    // Barrier: say we are ready, then wait for the parent's go file, which it writes only once
    // every child is ready, so the creates start together.
    let go = std::env::var_os("DEXLINK_TEST_RACE_GO").unwrap();
    let go = Path::new(&go);
    let marks = go.parent().unwrap();
    fs::write(marks.join(format!("ready-{id}")), b"").unwrap();
    while !go.exists() {
        std::thread::yield_now();
    }
    // Overlap: no racer may have finished all its rounds before this one started.
    let overlapped = !fs::read_dir(marks).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("done-")
    });
    let mut out = String::new();
    for round in 0..5 {
        let r = kd.import_private_key(
            &name(&format!("shared{round}")),
            &key,
            &Network::mainnet(),
            &pw(PW),
            fast(),
        );
        out.push_str(match r {
            Ok(_) => "WON ",
            Err(KeyDirError::NameTaken(_)) => "TAKEN ",
            Err(_) => "ERROR ",
        });
        kd.import_private_key(
            &name(&format!("p{id}-{round}")),
            &key,
            &Network::mainnet(),
            &pw(PW),
            fast(),
        )
        .unwrap();
        if round % 2 == 1 {
            kd.delete(&name(&format!("p{id}-{round}"))).unwrap();
        }
    }
    fs::write(marks.join(format!("done-{id}")), b"").unwrap();
    out.push_str(if overlapped { "OVERLAP" } else { "LATE" });
    // On its own line: libtest prints "test name ... " before captured-less output.
    println!("\nRACE-RESULT {out}");
}

#[test]
fn processes_racing_to_create_and_delete() {
    let (t, kd) = new_dir();
    let go = t.path().join("go");
    let exe = std::env::current_exe().unwrap();
    let procs = 4;
    let children: Vec<_> = (0..procs)
        .map(|i| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "keydir::tests::race_child_process",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env("DEXLINK_TEST_RACE_DIR", kd.path())
                .env("DEXLINK_TEST_RACE_ID", i.to_string())
                .env("DEXLINK_TEST_RACE_GO", &go)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // The barrier: release the children only once all of them are waiting (however slow the
    // machine is to start them), instead of guessing a delay.
    let all_ready = || (0..procs).all(|i| t.path().join(format!("ready-{i}")).exists());
    while !all_ready() {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    fs::write(&go, b"").unwrap();
    let mut won = [0usize; 5];
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text
            .lines()
            .find_map(|l| l.split_once("RACE-RESULT ").map(|(_, r)| r))
            .expect("child printed its result");
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words.len(), 6, "{line}");
        assert!(!words.contains(&"ERROR"), "{line}");
        // Every racer started before any other had finished: the creates really overlapped.
        assert_eq!(words[5], "OVERLAP", "{line}");
        for (round, w) in words[..5].iter().enumerate() {
            if *w == "WON" {
                won[round] += 1;
            }
        }
    }
    assert_eq!(won, [1; 5], "exactly one process creates each shared name");
    let listing = kd.list().unwrap();
    assert!(listing.problems.is_empty());
    // 5 shared + per process rounds 0, 2, 4 kept.
    assert_eq!(listing.entries.len(), 5 + procs * 3);
    assert!(dir_files(&kd).iter().all(|f| !f.ends_with(".tmp")));
}

#[test]
fn real_default_kdf_round_trip() {
    let (_t, kd) = new_dir();
    kd.create_hd(
        &name("w"),
        &hd_secret(),
        &spec(),
        &pw(PW),
        ScryptParams::STANDARD,
    )
    .unwrap();
    let text = fs::read_to_string(kd.entry_path(&name("w"))).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["crypto"]["kdfparams"]["n"], 262144);
    assert_eq!(v["crypto"]["kdfparams"]["r"], 8);
    assert_eq!(v["crypto"]["kdfparams"]["p"], 1);
    match kd.unlock(&name("w"), &pw(PW)).unwrap().secret {
        EntrySecret::Hd(s) => assert_eq!(s.phrase(), PHRASE),
        other => panic!("{other:?}"),
    }
}
