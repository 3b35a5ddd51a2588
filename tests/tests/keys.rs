//! `dexlink keys`: import, list/show without a password, permissions, no overwrite, delete,
//! export round trips, passwd, wrong passwords, `keys new --mnemonic-out`, no-terminal errors.
//! Addresses and keys are the upstream V1/V7 vectors (docs/upstream-vectors.md §2).

mod common;

use std::collections::BTreeMap;
use std::os::unix::process::CommandExt;
use std::time::Duration;

use common::*;

/// V1 mnemonic's mainnet address at m/44'/714'/0'/0/9, from the official JS SDK
/// (@binance-chain/javascript-sdk 4.2.2, `crypto.getPrivateKeyFromMnemonic(V1, true, 9)` then
/// `getAddressFromPrivateKey(…, "bnb")`; the same call gives V1_BNB0 and V1_BNB1 for 0 and 1).
const V1_BNB9: &str = "bnb1cvkp8lss7t27al45zrnh44g3dwh5tk6alundr0";

/// The message of a wrong keystore or entry password (`KeystoreError::WrongPassword`).
const WRONG_PASSWORD: &str = "wrong password: the keystore MAC does not match (check the password; if it is right, the file was modified)";

/// Every file of the key directory with its bytes.
fn snapshot(home: &Home) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(&home.home)
        .expect("read key dir")
        .map(|e| e.expect("entry"))
        .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect()
}

fn first_address(v: &serde_json::Value) -> String {
    v["addresses"][0]["address"]
        .as_str()
        .expect("an address")
        .to_string()
}

/// A `dexlink` child in its own session: no controlling terminal, so /dev/tty cannot be opened
/// even when the tests run from an interactive shell.
fn detached(mut c: std::process::Command) -> assert_cmd::Command {
    // SAFETY: setsid is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        c.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let mut c = assert_cmd::Command::from_std(c);
    c.timeout(Duration::from_secs(30));
    c
}

fn std_cmd(home: &Home, with_pw: bool) -> std::process::Command {
    let mut c = std::process::Command::new(bin());
    for v in ["DEXLINK_HOME", "DEXLINK_PASSWORD", "DEXLINK_DEX"] {
        c.env_remove(v);
    }
    c.arg("--home").arg(&home.home);
    if with_pw {
        c.arg("--password-file").arg(&home.pwfile);
    }
    c.env(TEST_KDF_VAR, TEST_KDF_LOG_N);
    c
}

#[test]
fn import_private_key_gives_upstream_addresses() {
    let h = Home::new();
    let out = h.import_key("main", V7_KEY, "mainnet").ok();
    assert!(out.stdout.contains(V7_BNB), "{}", out.stdout);
    let out = h.import_key("test", V7_KEY, "testnet").ok();
    assert!(out.stdout.contains(V7_TBNB), "{}", out.stdout);

    // show and list need no password: the password file is gone and no env var is set.
    std::fs::remove_file(&h.pwfile).unwrap();
    let mut c = h.bare();
    c.args(["--json", "keys", "show", "main"]);
    let v = run(c).ok().json();
    assert_eq!(first_address(&v), V7_BNB);
    let mut c = h.bare();
    c.args(["--json", "keys", "show", "test"]);
    assert_eq!(first_address(&run(c).ok().json()), V7_TBNB);

    let mut c = h.bare();
    c.args(["--json", "keys", "list"]);
    let v = run(c).ok().json();
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let addrs: Vec<String> = entries.iter().map(first_address).collect();
    assert!(addrs.contains(&V7_BNB.to_string()) && addrs.contains(&V7_TBNB.to_string()));
    let mut c = h.bare();
    c.args(["keys", "list"]);
    let out = run(c).ok();
    assert!(out.stdout.contains(V7_BNB) && out.stdout.contains("main"));
}

#[test]
fn import_mnemonic_gives_upstream_addresses() {
    let h = Home::new();
    let out = h.import_mnemonic("hd", V1_MNEMONIC, "mainnet").ok();
    assert!(out.stdout.contains(V1_BNB0), "{}", out.stdout);
    // The mnemonic is never echoed.
    assert!(!out.all().contains("fragile duck"));

    std::fs::remove_file(&h.pwfile).unwrap();
    let mut c = h.bare();
    c.args(["--json", "keys", "show", "hd", "--count", "2"]);
    let v = run(c).ok().json();
    assert_eq!(v["addresses"][0]["address"], V1_BNB0);
    assert_eq!(v["addresses"][0]["path"], "m/44'/714'/0'/0/0");
    assert_eq!(v["addresses"][1]["address"], V1_BNB1);
    assert_eq!(v["addresses"][1]["path"], "m/44'/714'/0'/0/1");

    let mut c = h.bare();
    c.args(["--json", "keys", "show", "hd", "--index", "1"]);
    assert_eq!(first_address(&run(c).ok().json()), V1_BNB1);

    let t = Home::new();
    let out = t.import_mnemonic("hd", V1_MNEMONIC, "testnet").ok();
    assert!(out.stdout.contains(V1_TBNB0), "{}", out.stdout);
}

#[test]
fn key_directory_is_private() {
    let h = Home::new();
    h.import_key("k", V7_KEY, "mainnet").ok();
    h.import_mnemonic("m", V1_MNEMONIC, "mainnet").ok();
    assert_eq!(mode(&h.home), 0o700, "key directory mode");
    let files = snapshot(&h);
    assert!(files.len() >= 2, "{:?}", files.keys());
    for name in files.keys() {
        let m = mode(&h.home.join(name));
        assert_eq!(m & 0o077, 0, "{name} has mode {m:o}");
        if name.ends_with(".json") {
            assert_eq!(m, 0o600, "{name}");
        }
    }
    // No file of the directory holds the key or the mnemonic in clear.
    for (name, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(V7_KEY), "{name} holds the key in clear");
        assert!(!text.contains("fragile duck"), "{name} holds the mnemonic");
    }
}

#[test]
fn a_name_is_never_overwritten() {
    let h = Home::new();
    h.import_key("k", V7_KEY, "mainnet").ok();
    let before = snapshot(&h);
    let out = h.import_key("k", K2_KEY, "mainnet").expect_code(2);
    assert!(out.stderr.contains("already exists"), "{}", out.stderr);
    let out = h
        .import_mnemonic("k", V1_MNEMONIC, "mainnet")
        .expect_code(2);
    assert!(out.stderr.contains("already exists"), "{}", out.stderr);
    assert_eq!(snapshot(&h), before, "the key directory changed");
    let mut c = h.bare();
    c.args(["--json", "keys", "show", "k"]);
    assert_eq!(first_address(&run(c).ok().json()), V7_BNB);
}

#[test]
fn hd_options_on_an_imported_key_are_refused_not_ignored() {
    let h = Home::new();
    h.import_key("k", V7_KEY, "mainnet").ok();
    for extra in [
        &["--index", "5"][..],
        &["--account", "1"],
        &["--count", "3"],
    ] {
        let mut c = h.bare();
        c.args(["keys", "show", "k"]).args(extra);
        let out = run(c).expect_code(2);
        assert_eq!(
            out.stderr,
            "error: k holds a single imported key; --account, --index and --count apply to HD entries only\n",
            "{extra:?}"
        );
        assert_eq!(out.stdout, "");
    }
    let mut c = h.bare();
    c.args([
        "--json", "keys", "show", "k", "--index", "0", "--count", "1",
    ]);
    assert_eq!(first_address(&run(c).ok().json()), V7_BNB);
}

#[test]
fn delete_needs_yes_without_a_terminal() {
    let h = Home::new();
    h.import_key("k", V7_KEY, "mainnet").ok();
    let mut c = h.bare();
    c.args(["keys", "delete", "k"]).write_stdin("y\n");
    let out = run(c).expect_code(2);
    assert!(out.stderr.contains("--yes"), "{}", out.stderr);
    let mut c = h.bare();
    c.args(["--json", "keys", "show", "k"]);
    run(c).ok();

    let mut c = h.bare();
    c.args(["keys", "delete", "k", "--yes"]);
    run(c).ok();
    let mut c = h.bare();
    c.args(["--json", "keys", "list"]);
    let v = run(c).ok().json();
    assert_eq!(v["entries"].as_array().unwrap().len(), 0);
    let mut c = h.bare();
    c.args(["keys", "show", "k"]);
    run(c).expect_code(1);
}

#[test]
fn export_private_key_and_mnemonic_round_trip() {
    let h = Home::new();
    h.import_key("k", V7_KEY, "mainnet").ok();
    h.import_mnemonic("m", V1_MNEMONIC, "mainnet").ok();

    // Without --yes and without a terminal: refused, nothing printed.
    let mut c = h.cmd();
    c.args(["keys", "export", "k", "--format", "private-key"]);
    let out = run(c).expect_code(2);
    assert!(!out.all().contains(V7_KEY));

    let mut c = h.cmd();
    c.args(["keys", "export", "k", "--format", "private-key", "--yes"]);
    assert_eq!(run(c).ok().stdout.trim(), V7_KEY);

    let mut c = h.cmd();
    c.args(["keys", "export", "m", "--format", "mnemonic", "--yes"]);
    assert_eq!(run(c).ok().stdout.trim(), V1_MNEMONIC);

    // The HD entry's key at index 0 is V1's upstream private key.
    let mut c = h.cmd();
    c.args(["keys", "export", "m", "--format", "private-key", "--yes"]);
    assert_eq!(run(c).ok().stdout.trim(), V1_KEY0);

    // A single-key entry has no mnemonic.
    let mut c = h.cmd();
    c.args(["keys", "export", "k", "--format", "mnemonic", "--yes"]);
    run(c).expect_code(2);

    // Exported text re-imports to the same address.
    let mut c = h.cmd();
    c.args(["keys", "export", "m", "--format", "mnemonic", "--yes"]);
    let phrase = run(c).ok().stdout;
    let out = h.import_mnemonic("m2", phrase.trim(), "mainnet").ok();
    assert!(out.stdout.contains(V1_BNB0));
}

#[test]
fn export_keystore_binance_decrypts_back() {
    let h = Home::new();
    h.import_key("k", V7_KEY, "mainnet").ok();
    let ks_pw = h.path("kspw");
    write_private(&ks_pw, "keystore-pw-55\n");
    let file = h.path("k.keystore");
    let mut c = h.cmd();
    c.args([
        "keys",
        "export",
        "k",
        "--format",
        "keystore-binance",
        "--yes",
    ])
    .arg("--out")
    .arg(&file)
    .arg("--export-password-file")
    .arg(&ks_pw);
    let out = run(c).ok();
    assert!(!out.all().contains(V7_KEY));
    assert_eq!(mode(&file), 0o600);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["crypto"]["kdf"], "pbkdf2");
    assert!(!std::fs::read_to_string(&file).unwrap().contains(V7_KEY));
    // Written with the entry's network prefix (the go-sdk's top-level `address`).
    assert_eq!(json["address"], V7_BNB, "the keystore's address field");

    // Import it in a fresh home: the keystore password comes on stdin.
    let h2 = Home::new();
    let mut c = h2.cmd();
    c.args(["keys", "import", "back", "--keystore"])
        .arg(&file)
        .write_stdin("keystore-pw-55\n");
    let out = run(c).ok();
    assert!(out.stdout.contains(V7_BNB), "{}", out.stdout);
    let mut c = h2.cmd();
    c.args(["keys", "export", "back", "--format", "private-key", "--yes"]);
    assert_eq!(run(c).ok().stdout.trim(), V7_KEY);

    // A wrong keystore password is a failure (exit 1, as for store entries), not echoed.
    let mut c = h2.cmd();
    c.args(["keys", "import", "bad", "--keystore"])
        .arg(&file)
        .write_stdin("not-the-pw-0042\n");
    let out = run(c).expect_code(1);
    assert_eq!(
        out.stderr,
        format!("error: {}: {WRONG_PASSWORD}\n", file.display())
    );
    assert!(!out.all().contains("not-the-pw-0042"));

    // Web3 v3 export decrypts back too.
    let file3 = h.path("k.v3.json");
    let mut c = h.cmd();
    c.args(["keys", "export", "k", "--format", "keystore-v3", "--yes"])
        .arg("--out")
        .arg(&file3)
        .arg("--export-password-file")
        .arg(&ks_pw);
    run(c).ok();
    let mut c = h2.cmd();
    c.args(["keys", "import", "v3", "--keystore"])
        .arg(&file3)
        .write_stdin("keystore-pw-55\n");
    assert!(run(c).ok().stdout.contains(V7_BNB));
}

#[test]
fn passwd_changes_the_password() {
    let h = Home::new();
    h.import_key("k", V7_KEY, "mainnet").ok();
    let newpw = h.path("newpw");
    write_private(&newpw, "brand-new-pw-8812\n");
    let mut c = h.cmd();
    c.args(["keys", "passwd", "k"])
        .arg("--new-password-file")
        .arg(&newpw);
    let out = run(c).ok();
    assert!(!out.all().contains(PASSWORD) && !out.all().contains("brand-new-pw-8812"));

    // The old password no longer opens the entry.
    let mut c = h.cmd();
    c.args(["keys", "export", "k", "--format", "private-key", "--yes"]);
    let out = run(c).expect_code(1);
    assert_eq!(out.stderr, format!("error: {WRONG_PASSWORD}\n"));
    assert!(!out.all().contains(V7_KEY));

    // The new one does.
    let mut c = h.bare();
    c.arg("--password-file").arg(&newpw).args([
        "keys",
        "export",
        "k",
        "--format",
        "private-key",
        "--yes",
    ]);
    assert_eq!(run(c).ok().stdout.trim(), V7_KEY);
}

#[test]
fn wrong_password_is_a_clear_failure() {
    let h = Home::new();
    h.import_key("k", V7_KEY, "mainnet").ok();
    let wrong = h.path("wrong");
    write_private(&wrong, "Wrong-Password-31337\n");
    for args in [
        vec!["keys", "export", "k", "--format", "private-key", "--yes"],
        vec!["sign", "message", "k", "--message", "hello world"],
    ] {
        let mut c = h.bare();
        c.arg("--password-file").arg(&wrong).args(&args);
        let out = run(c).expect_code(1);
        assert_eq!(out.stderr, format!("error: {WRONG_PASSWORD}\n"));
        let all = out.all();
        assert!(!all.contains("Wrong-Password-31337"), "password echoed");
        assert!(!all.contains(PASSWORD), "real password echoed");
        assert!(!all.contains(V7_KEY), "key printed");
    }

    // A password file readable by others is refused before anything is read.
    let loose = h.path("loose");
    std::fs::write(&loose, format!("{PASSWORD}\n")).unwrap();
    std::fs::set_permissions(&loose, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let mut c = h.bare();
    c.arg("--password-file").arg(&loose).args([
        "keys",
        "export",
        "k",
        "--format",
        "private-key",
        "--yes",
    ]);
    let out = run(c).expect_code(2);
    assert!(out.stderr.contains("chmod 600"), "{}", out.stderr);
    assert!(!out.all().contains(V7_KEY));
}

#[test]
fn keys_new_writes_the_mnemonic_to_a_private_file() {
    let h = Home::new();
    let mfile = h.path("words.txt");
    let mut c = h.cmd();
    c.args(["--json", "keys", "new", "fresh", "--words", "12"])
        .arg("--mnemonic-out")
        .arg(&mfile);
    let out = run(c).ok();
    assert_eq!(mode(&mfile), 0o600);
    let phrase = std::fs::read_to_string(&mfile).unwrap();
    let phrase = phrase.trim();
    assert_eq!(phrase.split(' ').count(), 12, "{phrase:?}");
    let v = out.json();
    let created = first_address(&v);
    assert!(created.starts_with("bnb1"));
    // Neither stream carries the mnemonic (nor any run of three of its words).
    let words: Vec<&str> = phrase.split(' ').collect();
    for w in words.windows(3) {
        assert!(!out.all().contains(&w.join(" ")), "mnemonic leaked");
    }
    assert!(v.get("mnemonic").is_none());

    // The words re-import to the same address in another home.
    let h2 = Home::new();
    let out = h2.import_mnemonic("again", phrase, "mainnet").ok();
    assert!(out.stdout.contains(&created), "{} vs {created}", out.stdout);

    // --mnemonic-out never overwrites a file, and then no wallet is created whose words were
    // never shown.
    let before = snapshot(&h);
    let mut c = h.cmd();
    c.args(["keys", "new", "other"])
        .arg("--mnemonic-out")
        .arg(&mfile);
    let out = run(c).expect_code(2);
    assert!(out.stderr.contains("must not exist"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&mfile).unwrap().trim(), phrase);
    assert_eq!(snapshot(&h), before, "an entry was created anyway");

    // A taken name: refused, and no mnemonic file is left behind.
    let other = h.path("other-words.txt");
    let mut c = h.cmd();
    c.args(["keys", "new", "fresh"])
        .arg("--mnemonic-out")
        .arg(&other);
    let out = run(c).expect_code(2);
    assert!(out.stderr.contains("already exists"), "{}", out.stderr);
    assert!(!other.exists(), "a mnemonic file for nothing was left");
}

#[test]
fn no_password_source_and_no_terminal_fails_fast() {
    let h = Home::new();
    // Import: the key arrives on stdin, but there is no password source.
    let mut c = detached(std_cmd(&h, false));
    c.args(["keys", "import", "k", "--private-key"])
        .write_stdin(format!("{V7_KEY}\n"));
    // Fails instead of waiting for a terminal (the command's 30 s timeout would kill a wait).
    let out = run(c).expect_code(2);
    assert!(out.stderr.contains("--password-file"), "{}", out.stderr);
    assert!(!out.all().contains(V7_KEY));
    assert!(!h.home.join("k.json").exists());

    // Unlocking an existing entry without a password source.
    h.import_key("k", V7_KEY, "mainnet").ok();
    let mut c = detached(std_cmd(&h, false));
    c.args(["sign", "message", "k", "--message", "hi"]);
    let out = run(c).expect_code(2);
    assert!(out.stderr.contains("--password-file"), "{}", out.stderr);

    // keys new without --mnemonic-out has nowhere to show the words.
    let mut c = detached(std_cmd(&h, true));
    c.args(["keys", "new", "n"]);
    let out = run(c).expect_code(2);
    assert!(out.stderr.contains("--mnemonic-out"), "{}", out.stderr);
}

#[test]
fn default_kdf_cost_works_end_to_end() {
    // The one test with the real scrypt cost (2^18): import, then unlock.
    let h = Home::new();
    let mut c = h.bare();
    c.env_remove(TEST_KDF_VAR)
        .arg("--password-file")
        .arg(&h.pwfile)
        .args(["keys", "import", "real", "--private-key"]);
    c.write_stdin(format!("{K2_KEY}\n"));
    assert!(run(c).ok().stdout.contains(K2_BNB));
    let text = std::fs::read_to_string(h.home.join("real.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let p = &v["crypto"]["kdfparams"];
    assert_eq!(
        (&p["n"], &p["r"], &p["p"]),
        (&262144.into(), &8.into(), &1.into()),
        "{text}"
    );
    let mut c = h.bare();
    c.arg("--password-file").arg(&h.pwfile).args([
        "keys",
        "export",
        "real",
        "--format",
        "private-key",
        "--yes",
    ]);
    assert_eq!(run(c).ok().stdout.trim(), K2_KEY);
}

#[test]
fn environment_home_and_password_work_for_automation() {
    let h = Home::new();
    let mut c = dexlink();
    c.env("DEXLINK_HOME", &h.home)
        .env("DEXLINK_PASSWORD", PASSWORD)
        .args(["keys", "import", "k", "--private-key"])
        .write_stdin(V7_KEY);
    assert!(run(c).ok().stdout.contains(V7_BNB));
    let mut c = dexlink();
    c.env("DEXLINK_HOME", &h.home)
        .env("DEXLINK_PASSWORD", PASSWORD)
        .args(["keys", "export", "k", "--format", "private-key", "--yes"]);
    assert_eq!(run(c).ok().stdout.trim(), V7_KEY);
    // The same entry through --home and the password file.
    let mut c = h.cmd();
    c.args(["keys", "export", "k", "--format", "private-key", "--yes"]);
    assert_eq!(run(c).ok().stdout.trim(), V7_KEY);
    // A wrong password in the environment: exit 2, not echoed.
    let mut c = dexlink();
    c.env("DEXLINK_HOME", &h.home)
        .env("DEXLINK_PASSWORD", "Env-Wrong-Pw-4242")
        .args(["keys", "export", "k", "--format", "private-key", "--yes"]);
    let out = run(c).expect_code(1);
    assert!(!out.all().contains("Env-Wrong-Pw-4242"));
    assert!(!out.all().contains(V7_KEY));
}

#[test]
fn invalid_secrets_and_names_are_refused_without_echo() {
    let h = Home::new();
    // Private keys: short, long, not hex, zero, the group order n (not a valid scalar).
    let bad_keys = [
        &V7_KEY[..62],
        &format!("{V7_KEY}00")[..],
        "zz335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
    ];
    for k in bad_keys {
        let out = h.import_key("bad", k, "mainnet").expect_code(2);
        assert!(out.stderr.contains("private key"), "{}", out.stderr);
        assert!(!out.all().contains(k), "the key was echoed");
    }
    // A mnemonic with a wrong checksum (last word changed) and one with an unknown word.
    let wrong_checksum = V1_MNEMONIC.replace("fun account", "fun fun");
    let unknown_word = V1_MNEMONIC.replace("fragile", "fragilex");
    for m in [&wrong_checksum, &unknown_word] {
        let out = h.import_mnemonic("bad", m, "mainnet").expect_code(2);
        assert!(!out.all().contains("duck lunch"), "the mnemonic was echoed");
    }
    // Names that could escape the directory or hide files.
    for name in ["../evil", "a/b", ".hidden", "", "x y"] {
        let out = h.import_key(name, V7_KEY, "mainnet").expect_code(2);
        // The error kind exactly (KeyDirError::InvalidName, one line); the reason's wording
        // belongs to the key directory.
        assert!(
            out.stderr.starts_with("error: invalid entry name: ")
                && out.stderr.lines().count() == 1,
            "{name:?}: {}",
            out.stderr
        );
    }
    assert!(!h.tmp.path().join("evil.json").exists());
    // Nothing was created.
    let mut c = h.bare();
    c.args(["--json", "keys", "list"]);
    assert_eq!(run(c).ok().json()["entries"].as_array().unwrap().len(), 0);
    // An empty stdin is refused rather than waited on.
    let mut c = h.cmd();
    c.args(["keys", "import", "k", "--private-key"])
        .write_stdin("");
    let out = run(c).expect_code(2);
    assert!(out.stderr.contains("stdin"), "{}", out.stderr);
}

#[test]
fn list_survives_a_damaged_entry_and_crlf_password_files_work() {
    let h = Home::new();
    // A password file with a Windows line ending: one CRLF is dropped.
    write_private(&h.pwfile, &format!("{PASSWORD}\r\n"));
    h.import_key("k", V7_KEY, "mainnet").ok();
    write_private(&h.pwfile, &format!("{PASSWORD}\n"));
    let mut c = h.cmd();
    c.args(["keys", "export", "k", "--format", "private-key", "--yes"]);
    assert_eq!(run(c).ok().stdout.trim(), V7_KEY);

    std::fs::write(h.home.join("broken.json"), "{not json").unwrap();
    let mut c = h.bare();
    c.args(["--json", "keys", "list"]);
    let v = run(c).ok().json();
    assert_eq!(v["entries"].as_array().unwrap().len(), 1);
    assert_eq!(first_address(&v["entries"][0]), V7_BNB);
    assert_eq!(v["problems"].as_array().unwrap().len(), 1, "{v}");
    assert!(
        v["problems"][0]["file"]
            .as_str()
            .unwrap()
            .contains("broken")
    );
}

#[test]
fn show_derives_unrecorded_addresses_with_the_password_without_recording_them() {
    let h = Home::new();
    h.import_mnemonic("hd", V1_MNEMONIC, "mainnet").ok();
    // Index 9 was not recorded at creation: without a password source it cannot be derived.
    let mut c = detached(std_cmd(&h, false));
    c.args(["keys", "show", "hd", "--index", "9"]);
    let out = run(c).expect_code(2);
    assert!(out.stderr.contains("--password-file"), "{}", out.stderr);
    // With the password it is derived ...
    let mut c = h.cmd();
    c.args(["--json", "keys", "show", "hd", "--index", "9"]);
    let v = run(c).ok().json();
    let addr = first_address(&v);
    assert_eq!(v["addresses"][0]["path"], "m/44'/714'/0'/0/9");
    assert_eq!(addr, V1_BNB9);
    // ... but not recorded (entries record only addresses that are used: issue 11) ...
    let mut c = detached(std_cmd(&h, false));
    c.args(["keys", "show", "hd", "--index", "9"]);
    run(c).expect_code(2);
    // ... until it signs, after which it shows without a password.
    let mut c = h.cmd();
    c.args([
        "sign",
        "message",
        "hd",
        "--index",
        "9",
        "--message",
        "hello",
    ]);
    run(c).ok();
    let mut c = detached(std_cmd(&h, false));
    c.args(["--json", "keys", "show", "hd", "--index", "9"]);
    assert_eq!(first_address(&run(c).ok().json()), addr);
}

/// The hidden `--insecure-kdf-log-n` option of earlier versions is gone: clap refuses it as an
/// unknown argument (exit 2) and nothing is written. (A release build, which cannot read
/// `DEXLINK_TEST_KDF_LOG_N` either, is checked by tests/interop/release-binary.sh in CI.)
#[test]
fn the_removed_test_flag_is_refused() {
    let h = Home::new();
    let mut c = h.cmd();
    c.args([
        "--insecure-kdf-log-n",
        "1",
        "keys",
        "import",
        "k",
        "--private-key",
    ])
    .write_stdin(format!("{V7_KEY}\n"));
    let out = run(c).expect_code(2);
    assert_eq!(
        out.stderr.lines().next(),
        Some("error: unexpected argument '--insecure-kdf-log-n' found"),
        "{}",
        out.stderr
    );
    assert!(!h.home.join("k.json").exists());
}

/// The warning a weak entry `name` gets (scrypt n = 2^1, r = 8, p = 1, as the old test flag
/// `--insecure-kdf-log-n 1` wrote it).
fn weak_entry_warning(name: &str) -> String {
    format!(
        "warning: entry '{name}' is encrypted with scrypt n = 2^1, r = 8, p = 1, below the default scrypt n = 2^18, r = 8, p = 1: a copy of the file can be brute-forced far faster; run `dexlink keys passwd {name}` to re-encrypt it at the default cost\n"
    )
}

/// An entry written by this version's SDK at scrypt n = 2 (what `--insecure-kdf-log-n 1` wrote)
/// still opens, with a warning naming the cost and `keys passwd`; after `keys passwd` it is
/// re-encrypted and opens without one.
#[test]
fn a_weak_entry_still_opens_with_the_warning() {
    use dexlink::keydir::{EntryName, KeyDir};
    use dexlink::keystore::{Password, ScryptParams};
    let h = Home::new();
    let dir = KeyDir::open(Some(&h.home)).unwrap();
    let key = dexlink::PrivateKey::from_hex(V7_KEY).unwrap();
    dir.import_private_key(
        &EntryName::new("weak").unwrap(),
        &key,
        &"mainnet".parse().unwrap(),
        &Password::from_str_copy(PASSWORD),
        ScryptParams::new(1, 8, 1).unwrap(),
    )
    .unwrap();

    // Through the key ring (private-key export, signing) and the mnemonic path's own unlock.
    let mut c = h.cmd();
    c.args(["keys", "export", "weak", "--format", "private-key", "--yes"]);
    let out = run(c).ok();
    assert_eq!(out.stdout, format!("{V7_KEY}\n"));
    assert_eq!(out.stderr, weak_entry_warning("weak"));
    let mut c = h.cmd();
    c.args(["keys", "export", "weak", "--format", "mnemonic", "--yes"]);
    let out = run(c).expect_code(2);
    assert_eq!(
        out.stderr,
        format!(
            "{}error: weak holds a single imported key, not a mnemonic; use --format private-key or a keystore\n",
            weak_entry_warning("weak")
        )
    );

    // The fix the warning names: the entry is re-encrypted at the current cost (the tests'
    // 2^10 here; 2^18 in a release) and opens silently.
    let mut c = h.cmd();
    c.args(["keys", "passwd", "weak", "--new-password-file"])
        .arg(&h.pwfile);
    let out = run(c).ok();
    assert_eq!(out.stderr, "");
    let text = std::fs::read_to_string(h.home.join("weak.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["crypto"]["kdfparams"]["n"], 1024, "{text}");
    let mut c = h.cmd();
    c.args(["keys", "export", "weak", "--format", "private-key", "--yes"]);
    let out = run(c).ok();
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str()),
        (&*format!("{V7_KEY}\n"), "")
    );
}

/// Importing a keystore file below the default cost (Web3 scrypt n = 2^10, geth's own test
/// cost) warns about the file and names its cost; the entry itself is not weak.
#[test]
fn a_weak_keystore_file_is_imported_with_a_warning() {
    use dexlink::keystore::{Password, ScryptParams, encrypt_web3};
    let h = Home::new();
    let key = dexlink::PrivateKey::from_hex(V7_KEY).unwrap();
    let file = h.path("weak.v3.json");
    let text = encrypt_web3(
        &key,
        &Password::from_str_copy("keystore-pw-55"),
        ScryptParams::new(10, 8, 1).unwrap(),
    );
    write_private(&file, &text);
    let mut c = h.cmd();
    c.args(["keys", "import", "k", "--keystore"])
        .arg(&file)
        .write_stdin("keystore-pw-55\n");
    let out = run(c).ok();
    assert!(out.stdout.contains(V7_BNB), "{}", out.stdout);
    assert_eq!(
        out.stderr,
        format!(
            "warning: keystore {} is encrypted with scrypt n = 2^10, r = 8, p = 1, below the default (scrypt n = 2^18, r = 8, p = 1 or PBKDF2 c = 262144): a copy of the file can be brute-forced far faster; entry 'k' is stored at the default cost, so delete the weak file or replace it with `dexlink keys export k --format keystore-v3`\n",
            file.display()
        )
    );
}
