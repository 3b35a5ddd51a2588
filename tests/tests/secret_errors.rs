//! Errors never repeat secret input: a mistyped mnemonic word is reported by position (and
//! whether it is close to a list word), and a key typed as an argument is not quoted back by the
//! argument parser. Regression tests of issue 12.

mod common;

use common::{Home, K2_KEY, V7_KEY, run};

/// The example: the third word is unknown and far from every list word.
#[test]
fn an_unknown_mnemonic_word_is_named_by_position_only() {
    let h = Home::new();
    let phrase = "abandon abandon zzsecretword abandon abandon abandon abandon abandon abandon abandon abandon about";
    let out = h.import_mnemonic("m", phrase, "testnet").expect_code(2);
    assert_eq!(
        out.stderr,
        "error: word 3 of the mnemonic is not in any supported word list; it is not close to any word of that list: check that it is the right word (words are lowercase, separated by spaces)\n"
    );
    assert!(!out.all().contains("zzsecret"));
}

/// A typo (one letter off a list word) says so, still without the word.
#[test]
fn a_mistyped_mnemonic_word_is_called_close() {
    let h = Home::new();
    let phrase = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abuot";
    let out = h.import_mnemonic("m", phrase, "testnet").expect_code(2);
    assert_eq!(
        out.stderr,
        "error: word 12 of the mnemonic is not in any supported word list; it is close to a word of that list (one letter off, or the same first four letters), so it is likely a typo: check its spelling (words are lowercase, separated by spaces)\n"
    );
    assert!(!out.all().contains("abuot"));
}

/// A capitalised word that is a list word in lower case gets a hint, by position only (issue 15).
#[test]
fn a_capitalised_mnemonic_word_gets_a_lower_case_hint() {
    let h = Home::new();
    let phrase = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon About";
    let out = h.import_mnemonic("m", phrase, "testnet").expect_code(2);
    assert_eq!(
        out.stderr,
        "error: word 12 of the mnemonic has capital letters; BIP-39 words are lower case: type it in lower case\n"
    );
    assert!(!out.all().contains("About"));
}

/// `--private-key` is a flag; a key given after it is an unexpected argument, which clap would
/// quote back. It is hidden, and the error says how to give a key.
#[test]
fn a_private_key_given_as_an_argument_is_not_echoed() {
    let h = Home::new();
    let mut c = h.cmd();
    c.args(["keys", "import", "bob", "--private-key", V7_KEY]);
    let out = run(c).expect_code(2);
    assert!(!out.all().contains(V7_KEY), "{}", out.stderr);
    assert!(!out.all().contains(&V7_KEY[..16]), "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with("error: unexpected argument '<hidden>' found\n"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("--private-key and --mnemonic read them from a hidden prompt or from stdin, e.g.: dexlink keys import NAME --private-key < key.txt\n"),
        "{}",
        out.stderr
    );
    // Nothing was created.
    assert!(!h.home.join("bob").exists());
}

/// `--private-key=KEY`, a `0x` key where no argument is expected, and mnemonic words after
/// `--mnemonic` are hidden too.
#[test]
fn other_shapes_of_secret_arguments_are_not_echoed() {
    let h = Home::new();
    let cases: [Vec<String>; 3] = [
        vec![
            "keys".into(),
            "import".into(),
            "bob".into(),
            format!("--private-key={K2_KEY}"),
        ],
        vec!["keys".into(), "list".into(), format!("0x{K2_KEY}")],
        vec![
            "keys".into(),
            "import".into(),
            "bob".into(),
            "--mnemonic".into(),
            "fragile".into(),
            "duck".into(),
        ],
    ];
    for args in cases {
        let mut c = h.cmd();
        c.args(&args);
        let out = run(c).expect_code(2);
        let text = out.all();
        assert!(!text.contains(&K2_KEY[..16]), "{args:?}: {text}");
        assert!(
            !text.contains("fragile") && !text.contains("duck"),
            "{args:?}: {text}"
        );
        assert!(text.contains("<hidden>"), "{args:?}: {text}");
    }
}

/// Ordinary usage errors still name the argument (nothing secret in them).
#[test]
fn ordinary_usage_errors_are_unchanged() {
    let h = Home::new();
    let mut c = h.cmd();
    c.args(["keys", "show", "alice", "--count", "many"]);
    let out = run(c).expect_code(2);
    assert!(
        out.stderr.starts_with(
            "error: invalid value 'many' for '--count <COUNT>': invalid digit found in string\n"
        ),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("<hidden>"));
}

/// A key typed where an entry name goes (`sign message KEY …`) is refused without being echoed:
/// neither the "no entry named …" error nor a password prompt repeats it. Found by the erasure
/// work (issue 12).
#[test]
fn a_private_key_given_as_the_entry_name_is_not_echoed() {
    let h = Home::new();
    for key in [V7_KEY.to_string(), format!("0x{V7_KEY}")] {
        for args in [
            vec!["sign", "message", key.as_str(), "--message", "hi"],
            vec!["keys", "show", key.as_str()],
            vec!["keys", "import", key.as_str(), "--private-key"],
            // Where an address or a name goes: these once answered `"KEY" is neither …`.
            vec!["account", key.as_str()],
            vec!["trades", key.as_str()],
            vec!["orders", key.as_str()],
            vec!["watch", key.as_str()],
        ] {
            let mut c = h.cmd();
            c.args(&args).write_stdin(format!("{K2_KEY}\n"));
            let out = run(c).expect_code(2);
            assert_eq!(
                out.stderr,
                "error: the entry name looks like a private key (64 hex digits), so it is neither used nor repeated; name an entry (see `dexlink keys list`), and give keys only at the prompt or on stdin (`dexlink keys import NAME --private-key`)\n",
                "{args:?}"
            );
            assert!(!out.all().contains(&V7_KEY[..16]), "{args:?}");
        }
    }
}

/// A mnemonic typed where an address or an entry name goes is not repeated either: the error
/// says what the argument is not, and why, in the name rule's words.
#[test]
fn a_mnemonic_given_as_the_account_is_not_echoed() {
    let h = Home::new();
    let phrase = "fragile duck fragile duck fragile duck fragile duck fragile duck fragile duck";
    for cmd in ["account", "trades", "orders", "watch"] {
        let mut c = h.cmd();
        c.args([cmd, phrase]);
        let out = run(c).expect_code(2);
        assert_eq!(
            out.stderr,
            "error: the account given is neither an address (bnb1…, tbnb1…) nor an entry name (invalid entry name: a name has at most 64 characters); see `dexlink keys list`\n",
            "{cmd}"
        );
        assert!(!out.all().contains("fragile"), "{cmd}");
    }
}

/// A key or a phrase pasted into an address field (`send --to`, `recover sign --recipient`) or
/// as the DEX URL is refused without being repeated; a mistyped address or URL still is, to
/// compare with the one meant.
#[test]
fn a_key_given_as_a_recipient_is_not_echoed() {
    let h = Home::new();
    h.import_key("k", V7_KEY, "mainnet").ok();
    let offline = [
        "--offline",
        "--chain-id",
        "Binance-Chain-Tigris",
        "--account-number",
        "1",
        "--sequence",
        "0",
    ];
    let phrase = "fragile duck fragile duck fragile duck fragile duck fragile duck fragile duck";
    for to in [K2_KEY.to_string(), format!("0x{K2_KEY}"), phrase.into()] {
        let mut c = h.cmd();
        c.args(["send", "k", "--to", &to, "--amount", "1", "--asset", "BNB"])
            .args(offline);
        let out = run(c).expect_code(2);
        assert!(
            out.stderr.starts_with(
                "error: --to number 1, not repeated here as it is shaped like a key or a mnemonic, is not an address: invalid address: "
            ),
            "{}",
            out.stderr
        );
        assert!(!out.all().contains(&K2_KEY[..16]) && !out.all().contains("fragile"));

        let mut c = h.cmd();
        c.args([
            "recover", "sign", "k", "--symbol", "CAKE-435", "--amount", "1",
        ])
        .args(["--recipient", &to]);
        let out = run(c).expect_code(2);
        assert!(
            out.stderr.contains(
                "(not repeated: it is shaped like a private key or a mnemonic) is not a BSC address"
            ),
            "{}",
            out.stderr
        );
        assert!(!out.all().contains(&K2_KEY[..16]) && !out.all().contains("fragile"));
    }
    // In the DEX's place too (the URL is otherwise quoted, to show a typo).
    for dex in [K2_KEY, phrase] {
        let mut c = h.cmd();
        c.args(["account", "k", "--dex", dex]);
        let out = run(c).expect_code(2);
        assert!(
            out.stderr
                .starts_with("error: the DEX URL given is shaped like a key or a mnemonic"),
            "{}",
            out.stderr
        );
        assert!(!out.all().contains(&K2_KEY[..16]) && !out.all().contains("fragile"));
    }
    let mut c = h.cmd();
    c.args(["account", "k", "--dex", "htp://dex"]);
    assert!(run(c).expect_code(2).stderr.contains("\"htp://dex\""));

    let mut c = h.cmd();
    c.args([
        "send", "k", "--to", "bnb1xyz", "--amount", "1", "--asset", "BNB",
    ])
    .args(offline);
    let out = run(c).expect_code(2);
    assert!(
        out.stderr
            .starts_with("error: --to bnb1xyz: invalid address"),
        "{}",
        out.stderr
    );
}
