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
    // V1 address of the phrase above (docs/upstream-vectors.md §2); here only recorded metadata.
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
    // docs/upstream-vectors.md §2 V7.
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
fn a_new_entry_cannot_be_named_like_a_private_key() {
    let (_t, kd) = new_dir();
    let key = PrivateKey::generate();
    let hexname = "90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9";
    for n in [hexname.to_string(), hexname.to_ascii_uppercase()] {
        let e = kd
            .import_private_key(&name(&n), &key, &Network::mainnet(), &pw(PW), fast())
            .unwrap_err();
        assert!(matches!(&e, KeyDirError::InvalidName(_)), "{e}");
        assert!(!e.to_string().contains(&hexname[..16]), "{e}");
        let e = kd
            .create_hd(&name(&n), &hd_secret(), &spec(), &pw(PW), fast())
            .unwrap_err();
        assert!(matches!(&e, KeyDirError::InvalidName(_)), "{e}");
    }
    assert!(dir_files(&kd).iter().all(|f| !f.ends_with(".json")));
    // One hex digit fewer, or one letter outside hex, is an ordinary name.
    for ok in [&hexname[..63], &format!("{}g", &hexname[..63])] {
        kd.import_private_key(&name(ok), &key, &Network::mainnet(), &pw(PW), fast())
            .unwrap();
    }
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

// ---- issue 11: namespace, bounded entries, ownership, crash at every failpoint ----

/// V7 (docs/upstream-vectors.md §2): key and mainnet address.
const V7_KEY: &str = "90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9";
const V7_BNB: &str = "bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu";

fn v7() -> PrivateKey {
    PrivateKey::from_hex(V7_KEY).unwrap()
}

fn write_0600(p: &Path, text: &str) {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(p)
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

#[test]
fn an_entry_named_profile_and_the_state_area_never_meet() {
    // Reproduction 1 at SDK level: the entry `profile`, then application state written.
    let (_t, kd) = new_dir();
    kd.import_private_key(
        &name("profile"),
        &v7(),
        &Network::mainnet(),
        &pw(PW),
        fast(),
    )
    .unwrap();
    let state = br#"{"dex":"http://127.0.0.1:1","chain_id":"c","links":[]}"#;
    kd.write_state("profile.json", state).unwrap();
    assert_eq!(mode(&kd.state_dir().unwrap()), 0o700);
    assert_eq!(mode(&kd.path().join("state/profile.json")), 0o600);
    let kd = KeyDir::open(Some(kd.path())).unwrap();
    let l = kd.list().unwrap();
    assert!(l.problems.is_empty(), "{:?}", l.problems);
    assert_eq!(l.entries.len(), 1);
    assert_eq!(l.entries[0].addresses[0].address.to_string(), V7_BNB);
    match kd.unlock(&name("profile"), &pw(PW)).unwrap().secret {
        EntrySecret::PrivateKey(k) => assert_eq!(&k.to_hex()[..], V7_KEY),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        kd.read_state("profile.json", 1 << 20)
            .unwrap()
            .unwrap()
            .as_bytes(),
        state
    );
    for bad in ["", ".hidden", "a/b"] {
        assert!(matches!(
            kd.write_state(bad, b"x"),
            Err(KeyDirError::InvalidStateName(_))
        ));
    }
}

#[test]
fn a_legacy_top_level_profile_moves_and_an_entry_profile_stays() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("keys");
    let kd = KeyDir::open(Some(&root)).unwrap();
    let legacy = r#"{"dex":"http://127.0.0.1:9","chain_id":"Binance-Chain-Ganges","links":[]}"#;
    write_0600(&root.join("profile.json"), legacy);
    drop(kd);
    let kd = KeyDir::open(Some(&root)).unwrap();
    assert!(!root.join("profile.json").exists());
    assert_eq!(
        kd.read_state("profile.json", 1 << 20).unwrap().as_deref(),
        Some(legacy)
    );
    assert!(kd.list().unwrap().problems.is_empty());
    // A second legacy file while the state area has its own: kept aside, not lost.
    write_0600(&root.join("profile.json"), legacy);
    let kd = KeyDir::open(Some(&root)).unwrap();
    assert_eq!(
        kd.read_state("profile.json.pre-migration", 1 << 20)
            .unwrap()
            .as_deref(),
        Some(legacy)
    );
    // An entry named profile is an entry: it stays.
    kd.import_private_key(
        &name("profile"),
        &v7(),
        &Network::mainnet(),
        &pw(PW),
        fast(),
    )
    .unwrap();
    let kd = KeyDir::open(Some(&root)).unwrap();
    assert!(root.join("profile.json").exists());
    assert_eq!(kd.list().unwrap().entries.len(), 1);
}

#[test]
fn names_differing_only_in_case_clash() {
    let (_t, kd) = new_dir();
    kd.import_private_key(&name("Alice"), &v7(), &Network::mainnet(), &pw(PW), fast())
        .unwrap();
    for n in ["alice", "ALICE", "Alice"] {
        let e = kd
            .import_private_key(&name(n), &v7(), &Network::mainnet(), &pw(PW), fast())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "an entry named 'Alice' already exists; choose another name or delete it first"
        );
    }
    assert!(matches!(
        EntryName::new(".lock"),
        Err(KeyDirError::InvalidName(_))
    ));
    // `state` is an ordinary entry name: its file is state.json, the state area state/.
    kd.import_private_key(&name("state"), &v7(), &Network::mainnet(), &pw(PW), fast())
        .unwrap();
    kd.write_state("x", b"1").unwrap();
    let l = kd.list().unwrap();
    let names: Vec<&str> = l.entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["Alice", "state"]);
    assert!(l.problems.is_empty());
}

fn indexed(i: u32) -> DerivedAddress {
    let mut b = [0u8; 20];
    b[..4].copy_from_slice(&i.to_be_bytes());
    DerivedAddress::new(
        format!("m/44'/714'/0'/0/{i}"),
        crate::address::Address::new(crate::address::Hrp::mainnet(), b),
    )
}

#[test]
fn recording_past_the_limit_is_refused_before_writing() {
    let (_t, kd) = new_dir();
    let spec = NewHdEntry {
        addresses: vec![indexed(0)],
        ..spec()
    };
    kd.create_hd(&name("w"), &hd_secret(), &spec, &pw(PW), fast())
        .unwrap();
    let batch: Vec<DerivedAddress> = (1..1000).map(indexed).collect();
    assert_eq!(
        kd.add_addresses(&name("w"), &batch)
            .unwrap()
            .addresses
            .len(),
        1000
    );
    let before = fs::read(kd.entry_path(&name("w"))).unwrap();
    let e = kd.add_addresses(&name("w"), &[indexed(5000)]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "entry 'w' cannot grow: it would record 1001 addresses, above the limit of 1000; nothing was written"
    );
    assert_eq!(fs::read(kd.entry_path(&name("w"))).unwrap(), before);
    // Re-recording known addresses is no growth.
    assert!(kd.add_addresses(&name("w"), &[indexed(7)]).is_ok());
}

#[test]
fn an_entry_grown_past_the_size_cap_opens_and_the_next_write_compacts_it() {
    let (_t, kd) = new_dir();
    kd.create_hd(&name("w"), &hd_secret(), &spec(), &pw(PW), fast())
        .unwrap();
    let path = kd.entry_path(&name("w"));
    let mut v: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    let list = v["addresses"].as_array_mut().unwrap();
    for i in 1..12_000 {
        let a = indexed(i);
        list.push(serde_json::json!({"path": a.path, "address": a.address.to_string()}));
    }
    write_0600(&path, &serde_json::to_string_pretty(&v).unwrap());
    assert!(fs::metadata(&path).unwrap().len() > MAX_ENTRY_SIZE);
    let info = kd.get(&name("w")).unwrap();
    assert_eq!(info.addresses.len(), 12_000);
    assert!(info.is_over_limits());
    assert!(kd.list().unwrap().problems.is_empty());
    match kd.unlock(&name("w"), &pw(PW)).unwrap().secret {
        EntrySecret::Hd(s) => assert_eq!(s.phrase(), PHRASE),
        other => panic!("{other:?}"),
    }
    kd.change_password(&name("w"), &pw(PW), &pw("new password 2"), fast())
        .unwrap();
    assert!(fs::metadata(&path).unwrap().len() < MAX_ENTRY_SIZE);
    let info = kd.get(&name("w")).unwrap();
    assert_eq!(info.addresses.len(), COMPACTED_ADDRESSES);
    assert_eq!(
        info.addresses[0].address.to_string(),
        "bnb1ss57e8sa7xnwq030k2ctr775uac9gjzg347gp4"
    );
    assert!(kd.unlock(&name("w"), &pw("new password 2")).is_ok());
}

#[test]
fn foreign_owners_and_a_symlinked_lock_are_refused() {
    let (t, kd) = new_dir();
    kd.import_private_key(&name("k"), &v7(), &Network::mainnet(), &pw(PW), fast())
        .unwrap();
    // The lock is never followed through a symlink.
    let lock = kd.path().join(".lock");
    fs::remove_file(&lock).unwrap();
    let target = t.path().join("elsewhere");
    std::os::unix::fs::symlink(&target, &lock).unwrap();
    assert!(matches!(
        kd.delete(&name("k")),
        Err(KeyDirError::NotARegularFile(_))
    ));
    assert!(!target.exists());
    fs::remove_file(&lock).unwrap();
    let uid = fs::metadata(kd.path()).map(|m| std::os::unix::fs::MetadataExt::uid(&m));
    if uid.ok() != Some(0) {
        return; // chown to another user needs root
    }
    let entry = kd.entry_path(&name("k"));
    std::os::unix::fs::lchown(&entry, Some(12345), Some(12345)).unwrap();
    match kd.get(&name("k")) {
        Err(KeyDirError::ForeignOwner { uid: 12345, path }) => assert_eq!(path, entry),
        other => panic!("{other:?}"),
    }
    std::os::unix::fs::lchown(&entry, Some(0), Some(0)).unwrap();
    std::os::unix::fs::lchown(kd.path(), Some(12345), Some(12345)).unwrap();
    assert!(matches!(
        KeyDir::open(Some(kd.path())),
        Err(KeyDirError::ForeignOwner { uid: 12345, .. })
    ));
}

/// Every write, crashed at each of its failpoints in turn: afterwards the entry is the old
/// one or the new one, never neither, and the reopened directory lists no problem.
#[test]
fn a_crash_at_any_failpoint_leaves_the_old_or_the_new_entry() {
    use std::panic::{AssertUnwindSafe, catch_unwind};
    let mut crashes = 0;
    for step in 0..8u32 {
        let (_t, kd) = new_dir();
        kd.create_hd(&name("w"), &hd_secret(), &spec(), &pw(PW), fast())
            .unwrap();
        let crashed = |f: &dyn Fn()| {
            fsops::arm_crash(Some(step));
            let r = catch_unwind(AssertUnwindSafe(f));
            fsops::arm_crash(None);
            match r {
                Ok(()) => false,
                Err(p) if p.is::<fsops::Crash>() => true,
                Err(p) => std::panic::resume_unwind(p),
            }
        };
        let clean = |kd: &KeyDir| {
            let kd = KeyDir::open(Some(kd.path())).unwrap();
            let l = kd.list().unwrap();
            assert!(l.problems.is_empty(), "step {step}: {:?}", l.problems);
            l.entries
                .iter()
                .map(|e| e.name.to_string())
                .collect::<Vec<_>>()
        };
        // create
        crashes += crashed(&|| {
            kd.import_private_key(&name("k"), &v7(), &Network::mainnet(), &pw(PW), fast())
                .unwrap();
        }) as u32;
        let names = clean(&kd);
        assert!(
            names == ["k", "w"] || names == ["w"],
            "step {step}: {names:?}"
        );
        // passwd
        crashes += crashed(&|| {
            kd.change_password(&name("w"), &pw(PW), &pw("second pw"), fast())
                .unwrap();
        }) as u32;
        clean(&kd);
        let new = kd.unlock(&name("w"), &pw("second pw")).is_ok();
        let old = kd.unlock(&name("w"), &pw(PW)).is_ok();
        assert!(new != old, "step {step}: new {new}, old {old}");
        // add addresses
        crashes += crashed(&|| {
            kd.add_addresses(&name("w"), &[indexed(77)]).unwrap();
        }) as u32;
        clean(&kd);
        let n = kd.get(&name("w")).unwrap().addresses.len();
        assert!(n == 1 || n == 2, "step {step}: {n}");
        // delete
        crashes += crashed(&|| kd.delete(&name("w")).unwrap()) as u32;
        let names = clean(&kd);
        // Still there (crash before the unlink): still opens with its current password.
        if names.contains(&"w".to_string()) {
            let current = if new { "second pw" } else { PW };
            assert!(kd.unlock(&name("w"), &pw(current)).is_ok(), "step {step}");
        }
    }
    // Each of the three atomic writes passes 5 failpoints, a delete 2: every one was hit once.
    assert_eq!(crashes, 3 * 5 + 2);
}
