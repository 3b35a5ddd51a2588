//! Help and version: global options under their own heading, password options only on commands
//! that read a password, enum values listed, examples on `-h`, and the commit in `--version`.

mod common;

use common::*;

fn help(args: &[&str]) -> String {
    let mut c = dexlink();
    c.args(args);
    run(c).ok().stdout
}

#[test]
fn password_options_show_only_where_a_password_is_read() {
    for cmd in [
        &["markets", "-h"][..],
        &["verify", "-h"],
        &["tx", "decode", "-h"],
        &["completions", "-h"],
        &["keys", "list", "--help"],
        &["tx", "broadcast", "-h"],
    ] {
        let text = help(cmd);
        assert!(!text.contains("--password-file"), "{cmd:?}:\n{text}");
        assert!(!text.contains("--allow-weak-password"), "{cmd:?}:\n{text}");
        assert!(text.contains("\nGlobal options:\n"), "{cmd:?}:\n{text}");
    }
    let text = help(&["sign", "message", "-h"]);
    assert!(
        text.contains(
            "\nPassword options:\n      --password-file <FILE>  Read key-store passwords from this file"
        ),
        "{text}"
    );
    assert!(!text.contains("--allow-weak-password"), "{text}");
    let text = help(&["keys", "new", "-h"]);
    assert!(
        text.contains(
            "\n      --allow-weak-password   Accept new passwords shorter than 8 characters\n"
        ),
        "{text}"
    );
    // Still accepted anywhere (before the command, as scripts write it).
    let mut c = dexlink();
    c.args(["--password-file", "/nonexistent", "tx", "decode", V10_TX]);
    run(c).ok();
}

#[test]
fn global_options_have_their_own_heading() {
    let text = help(&["account", "-h"]);
    let (local, global) = text.split_once("\nGlobal options:\n").expect(&text);
    assert!(local.contains("--dex <URL>"), "{text}");
    assert!(!local.contains("--json"), "{text}");
    for opt in ["--home <DIR>", "--json", "-q, --quiet"] {
        assert!(global.contains(opt), "{opt}: {text}");
    }
}

#[test]
fn examples_show_on_short_help_too() {
    for (cmd, example) in [
        (
            &["markets", "-h"][..],
            "Example: dexlink markets --dex http://127.0.0.1:41234",
        ),
        (
            &["keys", "new", "-h"],
            "Example: dexlink keys new alice --network testnet",
        ),
        (
            &["keys", "new", "--help"],
            "Example: dexlink keys new alice --network testnet",
        ),
    ] {
        let text = help(cmd);
        assert_eq!(text.matches(example).count(), 1, "{cmd:?}:\n{text}");
    }
}

#[test]
fn language_values_are_listed() {
    let text = help(&["keys", "new", "-h"]);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("[possible values: english, chinese_simplified, chinese_traditional, czech, french, italian, japanese, korean, portuguese, spanish]"),
        "{text}"
    );
    // Other spellings the SDK reads are still accepted; an unknown one lists the values.
    let h = Home::new();
    let mut c = h.cmd();
    c.args(["keys", "new", "x", "--language", "klingon"])
        .arg("--mnemonic-out")
        .arg(h.path("words"));
    let out = run(c).expect_code(2);
    assert!(
        out.stderr
            .starts_with("error: invalid value 'klingon' for '--language <LANGUAGE>'\n  [possible values: english,"),
        "{}",
        out.stderr
    );
    let mut c = h.cmd();
    c.args([
        "keys",
        "new",
        "x",
        "--language",
        "Simplified-Chinese",
        "--words",
        "12",
    ])
    .arg("--mnemonic-out")
    .arg(h.path("words"));
    run(c).ok();
}

#[test]
fn version_names_the_commit() {
    let out = help(&["--version"]);
    let git = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    match git {
        Ok(g) if g.status.success() => {
            let commit = String::from_utf8(g.stdout).unwrap();
            assert_eq!(
                out,
                format!(
                    "dexlink {} ({})\n",
                    env!("CARGO_PKG_VERSION"),
                    commit.trim()
                )
            );
        }
        // Built from a package: the version alone.
        _ => assert_eq!(out, format!("dexlink {}\n", env!("CARGO_PKG_VERSION"))),
    }
}
