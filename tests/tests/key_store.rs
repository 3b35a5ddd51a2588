//! "Never lose a key" (issue 11), end to end: the key directory's namespace (an entry named
//! `profile` survives `link`; a profile written by older versions moves to the state area),
//! bounded entries (`--count` limits, nothing recorded by `show`, oversized entries still open
//! and are compacted), `--out -`, passwords with trailing spaces, keystore address labels,
//! ownership and symlink checks, `DEXLINK_HOME=''`, wrong-password exit codes.
//! Keys and addresses are the upstream V1/V7/K2 vectors (docs/upstream-vectors.md §2).

mod common;

use std::path::Path;

use common::*;
use serde_json::{Value, json};

fn list_json(h: &Home) -> (Value, String) {
    let mut c = h.bare();
    c.args(["--json", "keys", "list"]);
    let out = run(c).ok();
    let v = out.json();
    (v, out.stderr)
}

fn export_key(h: &Home, name: &str) -> String {
    let mut c = h.cmd();
    c.args(["keys", "export", name, "--format", "private-key", "--yes"]);
    run(c).ok().stdout.trim().to_string()
}

fn entry_names(v: &Value) -> Vec<String> {
    v["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["name"].as_str().expect("name").to_string())
        .collect()
}

/// Reproduction 1: `keys import profile`, then `link profile`: the entry stays an entry, the
/// link profile goes to the state area, and list/unlock still work without warnings.
#[test]
fn an_entry_named_profile_survives_link() {
    let d = Devnet::start(&[]);
    let h = Home::new();
    h.import_key("profile", V7_KEY, "testnet").ok();
    let mut c = h.cmd();
    c.args(["--json", "link", "profile", "--dex", &d.url, "--yes"]);
    let v = run(c).ok().json();
    assert_eq!(v["links"][0]["address"], V7_TBNB);
    let (s, l) = d.get(&format!("/api/v1/link/{V7_TBNB}"));
    assert_eq!((s, &l["linked"]), (200, &json!(true)), "{l}");

    let (v, stderr) = list_json(&h);
    assert_eq!(entry_names(&v), ["profile"]);
    assert_eq!(v["entries"][0]["addresses"][0]["address"], V7_TBNB);
    assert_eq!(v["problems"], json!([]));
    assert_eq!(stderr, "");
    assert_eq!(export_key(&h, "profile"), V7_KEY);

    // The link profile is in the state area, and later commands find the DEX through it.
    let profile: Value =
        serde_json::from_str(&std::fs::read_to_string(h.home.join("state/profile.json")).unwrap())
            .unwrap();
    assert_eq!(profile["dex"], d.url.as_str());
    assert_eq!(profile["links"][0]["address"], V7_TBNB);
    assert_eq!(mode(&h.home.join("state")), 0o700);
    assert_eq!(mode(&h.home.join("state/profile.json")), 0o600);
    d.fund(V7_TBNB, "BNB", "7");
    let mut c = h.cmd();
    c.args(["--json", "account", V7_TBNB]);
    let acct = run(c).ok().json();
    assert_eq!(acct["address"], V7_TBNB, "{acct}");

    // Linking again (a second write of the profile) leaves the entry alone.
    let mut c = h.cmd();
    c.args(["link", "profile", "--dex", &d.url, "--yes"]);
    run(c).ok();
    assert_eq!(export_key(&h, "profile"), V7_KEY);

    // Plain `keys list` after a link prints no warning either.
    let mut c = h.bare();
    c.args(["keys", "list"]);
    let out = run(c).ok();
    assert_eq!(out.stderr, "");
    // A header row, then the entry.
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "NAME                 KIND         CHAIN ID               ADDRESS"
    );
    assert!(lines[1].starts_with("profile "), "{}", out.stdout);
}

/// A key directory written by an older version: its top-level `profile.json` link profile
/// moves to the state area on open; a `profile.json` that is an entry stays an entry.
#[test]
fn a_legacy_profile_moves_to_the_state_area() {
    let h = Home::new();
    h.import_key("k", V7_KEY, "mainnet").ok();
    let legacy = r#"{"dex":"http://127.0.0.1:9","chain_id":"Binance-Chain-Ganges","links":[]}"#;
    write_private(&h.home.join("profile.json"), legacy);
    let (v, stderr) = list_json(&h);
    assert_eq!(entry_names(&v), ["k"]);
    assert_eq!(v["problems"], json!([]));
    assert_eq!(stderr, "");
    assert!(!h.home.join("profile.json").exists());
    assert_eq!(
        std::fs::read_to_string(h.home.join("state/profile.json")).unwrap(),
        legacy
    );

    // An entry named profile is not moved.
    h.import_key("profile", K2_KEY, "mainnet").ok();
    let (v, _) = list_json(&h);
    assert_eq!(entry_names(&v), ["k", "profile"]);
    assert!(h.home.join("profile.json").exists());
    assert_eq!(export_key(&h, "profile"), K2_KEY);
}

/// Reproduction 2: `keys show --count` is bounded, and showing records nothing.
#[test]
fn show_count_is_bounded_and_recording_stays_small() {
    let h = Home::new();
    h.import_mnemonic("hd", V1_MNEMONIC, "mainnet").ok();
    let entry = h.home.join("hd.json");
    let size_before = std::fs::metadata(&entry).unwrap().len();

    for count in ["4294967295", "0", "1001"] {
        let mut c = h.cmd();
        c.args(["keys", "show", "hd", "--count", count]);
        let out = run(c).expect_code(2);
        assert_eq!(
            out.stderr,
            format!(
                "error: --count {count} is out of range: give 1 to 1000 (for more, run again with a higher --index)\n"
            )
        );
    }
    let mut c = h.cmd();
    c.args([
        "link",
        "hd",
        "--count",
        "4294967295",
        "--dex",
        "http://127.0.0.1:9",
    ]);
    run(c).expect_code(2);

    let mut c = h.cmd();
    c.args(["keys", "show", "hd", "--count", "1000"]);
    let out = run(c).ok();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 1000);
    assert_eq!(lines[0], format!("{:<22} {V1_BNB0}", "m/44'/714'/0'/0/0"));
    assert_eq!(lines[1], format!("{:<22} {V1_BNB1}", "m/44'/714'/0'/0/1"));
    // Shown, not recorded: the entry file did not change, and still opens.
    assert_eq!(std::fs::metadata(&entry).unwrap().len(), size_before);
    let mut c = h.cmd();
    c.args(["keys", "export", "hd", "--format", "mnemonic", "--yes"]);
    assert_eq!(run(c).ok().stdout.trim(), V1_MNEMONIC);
}

/// An entry an older version grew past 1 MiB (every shown address recorded) still opens, and
/// the next write keeps the first 500 addresses, saying so on stderr.
#[test]
fn an_oversized_entry_still_opens_and_is_compacted() {
    let h = Home::new();
    h.import_mnemonic("hd", V1_MNEMONIC, "mainnet").ok();
    let entry = h.home.join("hd.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&entry).unwrap()).unwrap();
    let addrs = v["addresses"].as_array_mut().unwrap();
    assert_eq!(addrs.len(), 5);
    // What an older `keys show hd --count 12000` left (the addresses are placeholders).
    for i in 5..12_000 {
        addrs.push(json!({"path": format!("m/44'/714'/0'/0/{i}"), "address": V1_BNB1}));
    }
    write_private(&entry, &serde_json::to_string_pretty(&v).unwrap());
    assert!(std::fs::metadata(&entry).unwrap().len() > 1 << 20);

    let mut c = h.bare();
    c.args(["keys", "show", "hd"]);
    let out = run(c).ok();
    assert_eq!(
        out.stdout,
        format!("{:<22} {V1_BNB0}\n", "m/44'/714'/0'/0/0")
    );
    let mut c = h.cmd();
    c.args(["keys", "export", "hd", "--format", "mnemonic", "--yes"]);
    assert_eq!(run(c).ok().stdout.trim(), V1_MNEMONIC);
    let (l, stderr) = list_json(&h);
    assert_eq!(entry_names(&l), ["hd"]);
    assert_eq!(stderr, "");

    // A write (signing with an unrecorded index records it) compacts the metadata.
    let mut c = h.cmd();
    c.args([
        "sign",
        "message",
        "hd",
        "--index",
        "20000",
        "--message",
        "hello",
    ]);
    let out = run(c).ok();
    assert!(
        out.stderr.contains(
            "note: entry hd records 12000 addresses (an older version recorded every address shown); keeping the first 500"
        ),
        "{}",
        out.stderr
    );
    assert!(std::fs::metadata(&entry).unwrap().len() < 1 << 20);
    let mut c = h.bare();
    c.args(["--json", "keys", "show", "hd", "--all"]);
    let shown = run(c).ok().json();
    let recorded = shown["addresses"].as_array().unwrap();
    assert_eq!(recorded.len(), 501);
    assert_eq!(recorded[0]["address"], V1_BNB0);
    assert_eq!(recorded[500]["path"], "m/44'/714'/0'/0/20000");
    let mut c = h.cmd();
    c.args(["keys", "export", "hd", "--format", "mnemonic", "--yes"]);
    assert_eq!(run(c).ok().stdout.trim(), V1_MNEMONIC);

    // `keys passwd` is a write too: the same note and compaction.
    write_private(&entry, &serde_json::to_string_pretty(&v).unwrap());
    let newpw = h.path("newpw");
    write_private(&newpw, "brand-new-pw-8812\n");
    let mut c = h.cmd();
    c.args(["keys", "passwd", "hd"])
        .arg("--new-password-file")
        .arg(&newpw);
    let out = run(c).ok();
    assert!(
        out.stderr
            .contains("note: entry hd records 12000 addresses"),
        "{}",
        out.stderr
    );
    assert!(std::fs::metadata(&entry).unwrap().len() < 1 << 20);
    let mut c = h.bare();
    c.args(["--json", "keys", "show", "hd", "--all"]);
    assert_eq!(
        run(c).ok().json()["addresses"].as_array().unwrap().len(),
        500
    );
}

/// Reproduction 3: `--out -` is standard output, not a file named `-`.
#[test]
fn export_out_dash_is_stdout() {
    let h = Home::new();
    h.import_key("k", V7_KEY, "mainnet").ok();
    let cwd = h.path("cwd");
    std::fs::create_dir(&cwd).unwrap();
    let mut c = h.cmd();
    c.current_dir(&cwd).args([
        "keys",
        "export",
        "k",
        "--format",
        "private-key",
        "--out",
        "-",
        "--yes",
    ]);
    let out = run(c).ok();
    assert_eq!(out.stdout, format!("{V7_KEY}\n"));
    assert!(!cwd.join("-").exists(), "a file named - was written");
    assert_eq!(std::fs::read_dir(&cwd).unwrap().count(), 0);
}

/// A keystore password with a trailing space, exported by dexlink itself, re-imports: stdin
/// loses exactly one line ending. Wrong keystore passwords exit 1, as for store entries.
#[test]
fn keystore_passwords_keep_their_spaces_and_wrong_ones_exit_1() {
    let h = Home::new();
    h.import_key("k", V7_KEY, "mainnet").ok();
    let ks_pw = h.path("kspw");
    write_private(&ks_pw, "spaced pass word \n");
    for format in ["keystore-v3", "keystore-binance"] {
        let file = h.path(&format!("k.{format}"));
        let mut c = h.cmd();
        c.args(["keys", "export", "k", "--format", format, "--yes"])
            .arg("--out")
            .arg(&file)
            .arg("--export-password-file")
            .arg(&ks_pw);
        run(c).ok();
        let h2 = Home::new();
        let mut c = h2.cmd();
        c.args(["keys", "import", "back", "--keystore"])
            .arg(&file)
            .write_stdin("spaced pass word \n");
        run(c).ok();
        assert_eq!(export_key(&h2, "back"), V7_KEY, "{format}");
        // The same password without its trailing space is wrong: exit 1.
        let mut c = h2.cmd();
        c.args(["keys", "import", "again", "--keystore"])
            .arg(&file)
            .write_stdin("spaced pass word\n");
        let out = run(c).expect_code(1);
        assert!(out.stderr.contains("wrong password"), "{}", out.stderr);
        assert!(!h2.home.join("again.json").exists());
    }
}

fn binance_keystore(h: &Home, pw_file: &Path) -> Value {
    let file = h.path("k.keystore");
    let _ = std::fs::remove_file(&file);
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
    .arg(pw_file);
    run(c).ok();
    serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap()
}

/// Keystore `address` labels: one that cannot be checked is accepted with the SDK's warning;
/// one that contradicts the key is refused.
#[test]
fn keystore_address_labels_are_warned_about_or_refused() {
    let h = Home::new();
    h.import_key("k", V7_KEY, "mainnet").ok();
    let ks_pw = h.path("kspw");
    write_private(&ks_pw, "keystore-pw-55\n");
    let mut ks = binance_keystore(&h, &ks_pw);
    let labelled = h.path("labelled.json");
    let import = |name: &str| {
        let mut c = h.cmd();
        c.args(["keys", "import", name, "--keystore"])
            .arg(&labelled)
            .write_stdin("keystore-pw-55\n");
        run(c)
    };

    ks["address"] = json!("not-an-address");
    write_private(&labelled, &ks.to_string());
    let out = import("unchecked").ok();
    assert!(
        out.stderr.starts_with(&format!(
            "warning: {}: the file's address label was not checked against the key: the address field is neither a bech32 nor a 0x address",
            labelled.display()
        )),
        "{}",
        out.stderr
    );
    assert_eq!(export_key(&h, "unchecked"), V7_KEY);

    ks["address"] = json!(K2_BNB);
    write_private(&labelled, &ks.to_string());
    let out = import("contradicted").expect_code(2);
    assert!(
        out.stderr
            .contains("the file's address field does not belong to the decrypted key"),
        "{}",
        out.stderr
    );
    assert!(!h.home.join("contradicted.json").exists());
}

/// `DEXLINK_HOME=''` counts as unset (the default `~/.dexlink`), not a clap error.
#[test]
fn empty_dexlink_home_counts_as_unset() {
    let h = Home::new();
    let home = h.path("user");
    std::fs::create_dir(&home).unwrap();
    let mut c = dexlink();
    c.env("DEXLINK_HOME", "")
        .env("HOME", &home)
        .args(["--json", "keys", "list"]);
    let v = run(c).ok().json();
    assert_eq!(v["home"], home.join(".dexlink").display().to_string());
    assert_eq!(v["entries"], json!([]));
}

/// A key directory, entry or lock file owned by another user is refused (as ssh does); the
/// lock is never followed through a symlink. Needs root to chown; skipped otherwise.
#[test]
fn foreign_owners_and_symlinked_locks_are_refused() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: chown to another user needs root");
        return;
    }
    let chown = |p: &Path, uid: u32| {
        let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path; lchown does not follow symlinks.
        assert_eq!(unsafe { libc::lchown(c.as_ptr(), uid, uid) }, 0);
    };
    let h = Home::new();
    h.import_key("k", V7_KEY, "mainnet").ok();

    // The directory.
    chown(&h.home, 12345);
    let mut c = h.bare();
    c.args(["keys", "list"]);
    let out = run(c).expect_code(1);
    assert_eq!(
        out.stderr,
        format!(
            "error: {} belongs to user id 12345, not to you; key files must be owned by the user who uses them (fix the owner with chown, or use your own key directory)\n",
            h.home.display()
        )
    );
    chown(&h.home, 0);

    // An entry.
    let entry = h.home.join("k.json");
    chown(&entry, 12345);
    let mut c = h.cmd();
    c.args(["keys", "export", "k", "--format", "private-key", "--yes"]);
    let out = run(c).expect_code(1);
    assert!(
        out.stderr.contains("belongs to user id 12345"),
        "{}",
        out.stderr
    );
    assert!(!out.all().contains(V7_KEY));
    chown(&entry, 0);
    assert_eq!(export_key(&h, "k"), V7_KEY);

    // The lock file: writes refuse it.
    let lock = h.home.join(".lock");
    chown(&lock, 12345);
    let mut c = h.cmd();
    c.args(["keys", "delete", "k", "--yes"]);
    let out = run(c).expect_code(1);
    assert!(
        out.stderr.contains("belongs to user id 12345"),
        "{}",
        out.stderr
    );
    assert!(entry.exists());
    std::fs::remove_file(&lock).unwrap();

    // A symlinked lock: refused, its target never created.
    let target = h.path("elsewhere");
    std::os::unix::fs::symlink(&target, &lock).unwrap();
    let mut c = h.cmd();
    c.args(["keys", "delete", "k", "--yes"]);
    let out = run(c).expect_code(1);
    assert!(
        out.stderr.contains("symlinks are refused"),
        "{}",
        out.stderr
    );
    assert!(!target.exists());
    assert!(entry.exists());
}

/// `keys new --mnemonic-out -` writes the words to stdout (never a file named `-`).
#[test]
fn mnemonic_out_dash_is_stdout() {
    let h = Home::new();
    let cwd = h.path("cwd");
    std::fs::create_dir(&cwd).unwrap();
    let mut c = h.cmd();
    c.current_dir(&cwd)
        .args(["keys", "new", "w", "--words", "12", "--mnemonic-out", "-"]);
    let out = run(c).ok();
    let phrase = out.stdout.lines().next().unwrap().to_string();
    assert_eq!(phrase.split(' ').count(), 12, "{phrase:?}");
    assert_eq!(std::fs::read_dir(&cwd).unwrap().count(), 0);
    let mut c = h.cmd();
    c.args(["keys", "export", "w", "--format", "mnemonic", "--yes"]);
    assert_eq!(run(c).ok().stdout.trim(), phrase);
}
