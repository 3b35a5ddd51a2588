//! `dexlink man`: one manual page per command and subcommand, with the command's options.

mod common;

use common::*;

/// The subcommand names listed under "Commands:" in a help text (without `help`).
fn subcommands(help: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_cmds = false;
    for line in help.lines() {
        if line.trim_end() == "Commands:" {
            in_cmds = true;
            continue;
        }
        if in_cmds {
            if line.trim().is_empty() {
                break;
            }
            // Entries are indented by two spaces; wrapped descriptions by more.
            if line.starts_with("  ") && !line.starts_with("   ") {
                let name = line.split_whitespace().next().unwrap_or_default();
                if name != "help" {
                    out.push(name.to_string());
                }
            }
        }
    }
    out
}

/// Every command path the help texts list, the top level included (`[]`, `[keys]`, …).
fn command_paths() -> Vec<Vec<String>> {
    let mut queue = vec![Vec::<String>::new()];
    let mut all = Vec::new();
    while let Some(path) = queue.pop() {
        let mut c = dexlink();
        c.args(&path).arg("--help");
        for s in subcommands(&run(c).ok().stdout) {
            let mut p = path.clone();
            p.push(s);
            queue.push(p);
        }
        all.push(path);
    }
    all
}

#[test]
fn man_out_writes_one_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("man1");
    let mut c = dexlink();
    c.arg("man").arg("--out").arg(&out_dir);
    let out = run(c).ok();

    let mut expected: Vec<String> = command_paths()
        .iter()
        .map(|p| {
            let mut name = vec!["dexlink".to_string()];
            name.extend(p.iter().cloned());
            format!("{}.1", name.join("-"))
        })
        .collect();
    expected.sort();
    let mut written: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    written.sort();
    assert_eq!(written, expected);
    // The five keys subcommands that the README's tour uses are among them.
    for name in ["new", "import", "list", "show", "export"] {
        assert!(
            written.contains(&format!("dexlink-keys-{name}.1")),
            "{name}"
        );
    }
    // stdout lists the files written, one a line.
    let listed: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(listed.len(), expected.len());
    assert!(listed.contains(&out_dir.join("dexlink-order-place.1").to_str().unwrap()));

    // The page of a subcommand has its title, its options and its example.
    let page = std::fs::read_to_string(out_dir.join("dexlink-keys-export.1")).unwrap();
    assert!(page.contains(".TH dexlink-keys-export 1 "), "{page}");
    for option in [
        r"\fB\-\-format\fR \fI<FORMAT>\fR",
        r"\fB\-\-out\fR",
        r"\fB\-\-export\-password\-file\fR \fI<FILE>\fR",
        r"\-\-password\-file <FILE>",
        r"Example: dexlink keys export alice \-\-format keystore\-binance",
    ] {
        assert!(page.contains(option), "no {option} in:\n{page}");
    }
}

#[test]
fn man_prints_the_page_of_a_named_command() {
    let mut c = dexlink();
    c.args(["man", "order", "place"]);
    let page = run(c).ok().stdout;
    assert!(page.contains(".TH dexlink-order-place 1 "), "{page}");
    for option in [
        r"\fB\-\-symbol\fR",
        r"\fB\-\-side\fR",
        r"\fB\-\-quantity\fR",
    ] {
        assert!(page.contains(option), "no {option} in:\n{page}");
    }

    let mut c = dexlink();
    c.args(["man", "order", "replace"]);
    let out = run(c).expect_code(2);
    assert_eq!(
        out.stderr.trim_end(),
        "error: no command `dexlink order replace`; see `dexlink --help` for the list"
    );
}
