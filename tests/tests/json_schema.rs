//! The `--json` contract of `docs/json-output.md`, checked over every command against a devnet:
//! the document's tables are parsed here, and each command's output must have exactly the
//! documented fields with the documented types (top level an object, snake_case names, hex
//! without `0x`, hashes in uppercase). Errors give the `{"error": {kind, message}}` object.
//! Also `-q`: each command prints only its essential value.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::*;
use serde_json::Value;

const MARKET: &str = "BNB_BUSD-BD1";
const BUSD: &str = "BUSD-BD1";
/// The recipient of the self-service tool's published recovery example (docs/recovery.md §6).
const EX_RECIPIENT: &str = "0x441DE55A37F6C381b00Db8B52DF8f57794784a1A";
/// The bnbSign vector: K2 signs "hello world" (tests/tests/sign_verify.rs).
const HELLO_SIG: &str = "7d295ebe093529501e4886ebf8048c6c0a4eb410a77253c6a4b6cd5943a54bf030962efc1eab1e4ce5f1ac8356ec3c945bd167c5c11d01b95a0af9ad1e19f271";

// ---- the schema, read from docs/json-output.md ----

/// One documented field: its type and whether it may be absent or null.
#[derive(Debug, Clone)]
struct Field {
    ty: String,
    optional: bool,
}

/// A section of the document: one or more commands and their fields by path.
#[derive(Debug)]
struct Section {
    heading: String,
    ecosystem: bool,
    fields: BTreeMap<String, Field>,
}

fn schema() -> Vec<Section> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/json-output.md");
    let text = std::fs::read_to_string(path).expect("docs/json-output.md");
    let mut sections: Vec<Section> = Vec::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("### ") {
            sections.push(Section {
                heading: h.to_string(),
                ecosystem: h.contains("(ecosystem)"),
                fields: BTreeMap::new(),
            });
        } else if let (Some(s), Some(row)) = (sections.last_mut(), line.strip_prefix("| `")) {
            let (name, rest) = row.split_once('`').expect("| `field` | type |");
            let ty = rest
                .trim_start_matches(" |")
                .split('|')
                .next()
                .unwrap()
                .trim();
            let optional = ty.ends_with('?');
            s.fields.insert(
                name.to_string(),
                Field {
                    ty: ty.trim_end_matches('?').to_string(),
                    optional,
                },
            );
        }
    }
    sections
}

/// The section whose heading names `command` in backticks (or whose heading is `command`).
fn section<'a>(schema: &'a [Section], command: &str) -> &'a Section {
    let tag = format!("`{command}`");
    schema
        .iter()
        .find(|s| s.heading == command)
        .or_else(|| {
            schema
                .iter()
                .find(|s| s.heading.split(", ").any(|part| part.starts_with(&tag)))
        })
        .unwrap_or_else(|| panic!("docs/json-output.md has no section for {command}"))
}

fn is_snake(k: &str) -> bool {
    k.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && k.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn type_ok(ty: &str, v: &Value) -> bool {
    let s = v.as_str();
    let hex_digits = |s: &str, upper: bool| {
        s.bytes().all(|b| {
            b.is_ascii_digit()
                || if upper {
                    (b'A'..=b'F').contains(&b)
                } else {
                    (b'a'..=b'f').contains(&b)
                }
        })
    };
    match ty {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "ecosystem" => v.is_object() || v.is_array(),
        "ms" => v.as_i64().is_some_and(|ms| ms > 1_000_000_000_000),
        "address" => s.is_some_and(|s| {
            (s.starts_with("bnb1") || s.starts_with("tbnb1"))
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        }),
        "tx_hash" => s.is_some_and(|s| s.len() == 64 && hex_digits(s, true)),
        "hex" => s.is_some_and(|s| !s.is_empty() && s.len() % 2 == 0 && hex_digits(s, false)),
        "decimal" => s.is_some_and(|s| {
            let (i, f) = s.split_once('.').unwrap_or((s, "0"));
            !i.is_empty()
                && !f.is_empty()
                && i.bytes().all(|b| b.is_ascii_digit())
                && f.bytes().all(|b| b.is_ascii_digit())
        }),
        "side" => s.is_some_and(|s| s == "BUY" || s == "SELL"),
        "evm_address" => s.is_some_and(|s| {
            s.len() == 42 && s.starts_with("0x") && s[2..].bytes().all(|b| b.is_ascii_hexdigit())
        }),
        other => panic!("docs/json-output.md: unknown type {other}"),
    }
}

/// Checks `v` (found at `path`) against the section; problems go to `bad`.
fn check_value(sec: &Section, path: &str, v: &Value, bad: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            let prefix = |k: &str| {
                if path.is_empty() {
                    k.to_string()
                } else {
                    format!("{path}.{k}")
                }
            };
            // Documented fields of this object: present unless optional.
            for (name, f) in &sec.fields {
                let parent = name.rsplit_once('.').map_or("", |(p, _)| p);
                if parent == path && !name.ends_with("[]") && !f.optional {
                    let key = name.rsplit('.').next().unwrap();
                    if map.get(key).is_none_or(Value::is_null) {
                        bad.push(format!("{}: missing {name}", sec.heading));
                    }
                }
            }
            for (k, child) in map {
                let p = prefix(k);
                if !sec.ecosystem && !is_snake(k) {
                    bad.push(format!("{}: {p} is not snake_case", sec.heading));
                }
                check_field(sec, &p, child, bad);
            }
        }
        Value::Array(items) => {
            for item in items {
                check_field(sec, &format!("{path}[]"), item, bad);
            }
        }
        _ => {}
    }
}

fn check_field(sec: &Section, path: &str, v: &Value, bad: &mut Vec<String>) {
    let Some(f) = sec.fields.get(path) else {
        // Elements of an array of objects are described by their fields.
        if path.ends_with("[]") && v.is_object() {
            return check_value(sec, path, v, bad);
        }
        bad.push(format!("{}: {path} = {v} is not documented", sec.heading));
        return;
    };
    if v.is_null() {
        if !f.optional {
            bad.push(format!("{}: {path} is null", sec.heading));
        }
        return;
    }
    if !type_ok(&f.ty, v) {
        bad.push(format!("{}: {path} = {v} is not a {}", sec.heading, f.ty));
    }
    if let Some(s) = v.as_str()
        && s.starts_with("0x")
        && f.ty != "evm_address"
    {
        bad.push(format!("{}: {path} = {s} has a 0x prefix", sec.heading));
    }
    if f.ty != "ecosystem" {
        check_value(sec, path, v, bad);
    }
}

/// Runs the schema checks of `command`'s section on one output; records the section as covered.
struct Checker {
    schema: Vec<Section>,
    covered: BTreeSet<String>,
    bad: Vec<String>,
}

impl Checker {
    fn new() -> Self {
        Self {
            schema: schema(),
            covered: BTreeSet::new(),
            bad: Vec::new(),
        }
    }

    /// Checks a document against `command`'s section and returns it.
    #[track_caller]
    fn check(&mut self, command: &str, out: &Out) -> Value {
        let v = out.json();
        assert!(
            v.is_object(),
            "{command}: the top level is not an object: {v}"
        );
        let sec = section(&self.schema, command);
        self.covered.insert(sec.heading.clone());
        check_value(sec, "", &v, &mut self.bad);
        v
    }

    /// Checks an error: exit `code`, the error object with `kind`, nothing else on stdout.
    #[track_caller]
    fn error(&mut self, out: Out, code: i32, kind: &str) -> Value {
        let out = out.expect_code(code);
        let v = self.check("error", &out);
        assert_eq!(v["error"]["kind"], kind, "{v}");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(
            out.stderr.contains(message),
            "stderr has the same message:\n{}\n{message}",
            out.stderr
        );
        v
    }

    fn finish(self) {
        let all: BTreeSet<String> = self.schema.iter().map(|s| s.heading.clone()).collect();
        let untested: Vec<_> = all.difference(&self.covered).collect();
        assert!(
            self.bad.is_empty(),
            "schema violations:\n{}",
            self.bad.join("\n")
        );
        assert!(untested.is_empty(), "documented but not run: {untested:?}");
    }
}

fn json_cmd(h: &Home, args: &[&str]) -> Out {
    let mut c = h.cmd();
    c.arg("--json").args(args);
    run(c)
}

fn online(h: &Home, d: &Devnet, args: &[&str]) -> Out {
    let mut c = h.cmd();
    c.arg("--json").args(args).args(["--dex", &d.url]);
    run(c)
}

/// The parser above must be able to fail: a wrong type, an undocumented field, a camelCase
/// name, a 0x hex value and a missing field are each reported.
#[test]
fn the_checker_finds_violations() {
    let schema = schema();
    let sec = section(&schema, "sign message");
    let mut bad = Vec::new();
    let doc = serde_json::json!({
        "address": V7_BNB,
        "publicKey": V7_PUB,
        "signature": format!("0x{HELLO_SIG}"),
        "path": 5,
    });
    check_value(sec, "", &doc, &mut bad);
    assert_eq!(
        bad,
        [
            "`sign message`: missing public_key",
            "`sign message`: path = 5 is not a string",
            "`sign message`: publicKey is not snake_case",
            "`sign message`: publicKey = \"029729a52e4e3c2b4a4e52aa74033eedaf8ba1df5ab6d1f518fd69e67bbd309b0e\" is not documented",
            "`sign message`: signature = \"0x7d295ebe093529501e4886ebf8048c6c0a4eb410a77253c6a4b6cd5943a54bf030962efc1eab1e4ce5f1ac8356ec3c945bd167c5c11d01b95a0af9ad1e19f271\" is not a hex",
            "`sign message`: signature = 0x7d295ebe093529501e4886ebf8048c6c0a4eb410a77253c6a4b6cd5943a54bf030962efc1eab1e4ce5f1ac8356ec3c945bd167c5c11d01b95a0af9ad1e19f271 has a 0x prefix",
        ]
    );
}

#[test]
fn every_command_follows_the_documented_schema() {
    let d = Devnet::start(&[]);
    let h = Home::new();
    let mut ck = Checker::new();

    // ---- keys ----
    let mut c = h.cmd();
    c.args([
        "--json",
        "keys",
        "import",
        "k",
        "--private-key",
        "--network",
        "testnet",
    ])
    .write_stdin(format!("{V7_KEY}\n"));
    let v = ck.check("keys import", &run(c).ok());
    assert_eq!(v["addresses"][0]["address"], V7_TBNB);
    let words = h.path("words");
    let mut c = h.cmd();
    c.args([
        "--json",
        "keys",
        "new",
        "fresh",
        "--network",
        "testnet",
        "--words",
        "12",
    ])
    .arg("--mnemonic-out")
    .arg(&words);
    ck.check("keys new", &run(c).ok());
    let v = ck.check("keys list", &json_cmd(&h, &["keys", "list"]).ok());
    assert_eq!(v["entries"].as_array().unwrap().len(), 2);
    let v = ck.check("keys show", &json_cmd(&h, &["keys", "show", "k"]).ok());
    assert_eq!(v["addresses"][0]["address"], V7_TBNB);
    ck.check(
        "keys show",
        &json_cmd(&h, &["keys", "show", "fresh", "--count", "2"]).ok(),
    );
    let v = ck.check(
        "keys export",
        &json_cmd(
            &h,
            &["keys", "export", "k", "--format", "private-key", "--yes"],
        )
        .ok(),
    );
    assert_eq!(v["private_key"], V7_KEY);
    let v = ck.check(
        "keys export",
        &json_cmd(
            &h,
            &["keys", "export", "fresh", "--format", "mnemonic", "--yes"],
        )
        .ok(),
    );
    assert_eq!(
        format!("{}\n", v["mnemonic"].as_str().unwrap()),
        std::fs::read_to_string(&words).unwrap()
    );
    let mut c = h.cmd();
    c.args([
        "--json",
        "keys",
        "export",
        "k",
        "--format",
        "keystore-v3",
        "--yes",
    ])
    .arg("--export-password-file")
    .arg(&h.pwfile);
    let v = ck.check("keys export", &run(c).ok());
    assert_eq!(v["keystore"]["version"], 3);
    let ks = h.path("k.keystore");
    let mut c = h.cmd();
    c.args([
        "--json",
        "keys",
        "export",
        "k",
        "--format",
        "keystore-binance",
        "--yes",
    ])
    .arg("--export-password-file")
    .arg(&h.pwfile)
    .arg("--out")
    .arg(&ks);
    let v = ck.check("keys export", &run(c).ok());
    assert_eq!(v["file"], ks.display().to_string());
    let mut c = h.cmd();
    c.args(["--json", "keys", "passwd", "fresh", "--new-password-file"])
        .arg(&h.pwfile);
    ck.check("keys passwd", &run(c).ok());
    ck.check(
        "keys delete",
        &json_cmd(&h, &["keys", "delete", "fresh", "--yes"]).ok(),
    );

    // ---- signatures ----
    h.import_key("k2", K2_KEY, "mainnet").ok();
    let v = ck.check(
        "sign message",
        &json_cmd(&h, &["sign", "message", "k2", "--message", "hello world"]).ok(),
    );
    assert_eq!(v["signature"], HELLO_SIG);
    assert_eq!(v["public_key"], K2_PUB);
    let mut c = dexlink();
    c.args([
        "--json",
        "verify",
        "--address",
        K2_BNB,
        "--public-key",
        K2_PUB,
    ])
    .args(["--signature", HELLO_SIG, "--message", "hello world"]);
    assert_eq!(ck.check("verify", &run(c).ok())["valid"], true);
    let mut c = dexlink();
    c.args([
        "--json",
        "verify",
        "--address",
        K2_BNB,
        "--public-key",
        K2_PUB,
    ])
    .args(["--signature", HELLO_SIG, "--message", "hello there"]);
    assert_eq!(ck.check("verify", &run(c).expect_code(1))["valid"], false);
    let doc = h.path("doc.json");
    std::fs::write(&doc, V10_SB).unwrap();
    let mut c = h.cmd();
    c.args(["--json", "sign", "doc", "k"])
        .arg(&doc)
        .arg("--yes");
    assert_eq!(ck.check("sign doc", &run(c).ok())["signature"], V10_SIG);

    // ---- recovery ----
    let rec = [
        "--symbol",
        "CAKE-435",
        "--amount",
        "0.00001",
        "--recipient",
        EX_RECIPIENT,
        "--yes",
    ];
    let v = ck.check(
        "recover sign",
        &json_cmd(&h, &[&["recover", "sign", "k"][..], &rec].concat()).ok(),
    );
    assert_eq!(v["public_key"], V7_PUB);
    let (msg, sig) = (
        v["message"].as_str().unwrap(),
        v["signature"].as_str().unwrap(),
    );
    let mut c = dexlink();
    c.args([
        "--json",
        "recover",
        "verify",
        "--message",
        msg,
        "--public-key",
        V7_PUB,
    ])
    .args(["--signature", sig]);
    assert_eq!(ck.check("recover verify", &run(c).ok())["address"], V7_BNB);
    let mut c = dexlink();
    c.args(["--json", "recover", "verify", "--public-key", V7_PUB])
        .args(["--signature", sig, "--message"])
        .arg(msg.replace("3e8", "3e9"));
    let v = ck.check("`recover verify` (not valid)", &run(c).expect_code(1));
    assert_eq!(v["valid"], false);

    // ---- the DEX ----
    d.fund(V7_TBNB, "BNB", "100");
    d.fund(V7_TBNB, BUSD, "1000");
    let v = ck.check("link", &online(&h, &d, &["link", "k", "--yes"]).ok());
    assert_eq!(v["links"][0]["address"], V7_TBNB);
    let v = ck.check("account", &online(&h, &d, &["account", "k"]).ok());
    assert_eq!(v["address"], V7_TBNB);
    let v = ck.check("markets", &online(&h, &d, &["markets"]).ok());
    assert!(
        v["markets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["symbol"] == MARKET)
    );
    let order = [
        "order",
        "place",
        "k",
        "--symbol",
        MARKET,
        "--side",
        "buy",
        "--price",
        "300",
        "--quantity",
        "0.5",
        "--yes",
    ];
    let placed = ck.check("order place", &online(&h, &d, &order).ok());
    let order_id = placed["order_id"].as_str().unwrap().to_string();
    assert_eq!(placed["broadcast"]["tx_hash"], placed["tx_hash"]);
    let v = ck.check("orders", &online(&h, &d, &["orders", "k"]).ok());
    assert_eq!(v["orders"][0]["order_id"], order_id.as_str());
    assert_eq!(v["orders"][0]["side"], "BUY");
    assert_eq!(v["orders"][0]["tx_hash"], placed["tx_hash"]);
    // The human table has a header row.
    let mut c = h.cmd();
    c.args(["orders", "k", "--dex", &d.url]);
    let table = run(c).ok().stdout;
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[0],
        "ORDER ID                                      SIDE  QUANTITY          SYMBOL                PRICE             STATUS"
    );
    assert!(lines[1].starts_with(&format!("{order_id} ")), "{table}");
    assert!(lines[1].contains(" BUY "), "{table}");
    let cancel = [
        "order",
        "cancel",
        "k",
        "--symbol",
        MARKET,
        "--order-id",
        &order_id,
        "--yes",
    ];
    ck.check("order cancel", &online(&h, &d, &cancel).ok());
    let send = [
        "send", "k", "--to", K2_TBNB, "--amount", "1", "--asset", "BNB", "--yes",
    ];
    ck.check("send", &online(&h, &d, &send).ok());
    let v = ck.check(
        "send",
        &online(&h, &d, &[&send[..], &["--dry-run"]].concat()).ok(),
    );
    assert_eq!(v["dry_run"], true);
    let freeze = ["k", "--asset", "BNB", "--amount", "2", "--yes"];
    ck.check(
        "freeze",
        &online(&h, &d, &[&["freeze"][..], &freeze].concat()).ok(),
    );
    ck.check(
        "unfreeze",
        &online(&h, &d, &[&["unfreeze"][..], &freeze].concat()).ok(),
    );

    // Air-gapped: generate, sign, broadcast, decode, status.
    let unsigned = h.path("unsigned.json");
    let out = online(&h, &d, &[&send[..], &["--generate-only"]].concat()).ok();
    ck.check("--generate-only", &out);
    std::fs::write(&unsigned, &out.stdout).unwrap();
    let mut c = h.cmd();
    c.args(["--json", "tx", "sign", "k"])
        .arg(&unsigned)
        .arg("--yes");
    let signed = ck.check("tx sign", &run(c).ok());
    let hex = signed["tx_hex"].as_str().unwrap();
    let v = ck.check(
        "tx broadcast",
        &online(&h, &d, &["tx", "broadcast", hex]).ok(),
    );
    assert_eq!(v["tx_hash"], signed["tx_hash"]);
    let v = ck.check(
        "tx decode",
        &json_cmd(
            &h,
            &[
                "tx",
                "decode",
                hex,
                "--verify",
                "--chain-id",
                "Binance-Chain-Ganges",
            ],
        )
        .ok(),
    );
    assert_eq!(v["valid"], true);
    let v = ck.check(
        "tx decode",
        &json_cmd(
            &h,
            &[
                "tx",
                "decode",
                hex,
                "--verify",
                "--chain-id",
                "Binance-Chain-Tigris",
            ],
        )
        .expect_code(1),
    );
    assert_eq!(v["valid"], false);
    ck.check("tx decode", &json_cmd(&h, &["tx", "decode", V10_TX]).ok());
    ck.check("tx decode", &json_cmd(&h, &["tx", "decode", V11_TX]).ok());
    let v = ck.check(
        "tx status",
        &online(
            &h,
            &d,
            &["tx", "status", signed["tx_hash"].as_str().unwrap()],
        )
        .ok(),
    );
    assert_eq!(v["code"], 0);

    // ---- the rest ----
    let vectors = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../test-vectors/token-recover.json"
    );
    ck.check(
        "vectors run",
        &json_cmd(&h, &["vectors", "run", vectors]).ok(),
    );
    ck.check("completions", &json_cmd(&h, &["completions", "bash"]).ok());
    let v = ck.check("man", &json_cmd(&h, &["man", "keys", "new"]).ok());
    assert_eq!(v["command"], "dexlink-keys-new");
    let man_dir = h.path("man1");
    let v = ck.check(
        "man",
        &json_cmd(&h, &["man", "--out", man_dir.to_str().unwrap()]).ok(),
    );
    assert_eq!(v["directory"], man_dir.to_str().unwrap());
    ck.check(
        "quickstart",
        &run({
            let mut c = dexlink();
            c.args(["--json", "quickstart"]);
            c
        })
        .ok(),
    );
    let mut child = std::process::Command::new(bin())
        .args(["--json", "devnet", "--port", "0"])
        .env_remove("DEXLINK_HOME")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let v = ck.check(
        "devnet",
        &Out {
            code: 0,
            stdout: line,
            stderr: String::new(),
        },
    );
    assert_eq!(v["chain_id"], "Binance-Chain-Ganges");

    // ---- errors ----
    ck.error(json_cmd(&h, &["keys", "show", "nosuch"]), 1, "key_dir");
    let mut bad_price = order.to_vec();
    bad_price[8] = "abc";
    ck.error(online(&h, &d, &bad_price), 2, "invalid_argument");
    ck.error(json_cmd(&h, &["keys", "frobnicate"]), 2, "usage");
    ck.error(json_cmd(&h, &["tx", "decode", "zz"]), 2, "decode");
    ck.error(
        json_cmd(
            &h,
            &[
                "order",
                "place",
                "k",
                "--symbol",
                MARKET,
                "--side",
                "buy",
                "--price",
                "300",
                "--quantity",
                "0.5",
                "--yes",
                "--dex",
                "http://127.0.0.1:1",
            ],
        ),
        1,
        "client",
    );
    let mut c = h.bare();
    c.env("DEXLINK_PASSWORD", "wrong-password").args([
        "--json",
        "sign",
        "message",
        "k",
        "--message",
        "x",
    ]);
    ck.error(run(c), 1, "key_dir");
    let v = ck.error(json_cmd(&h, &["keys", "delete", "k"]), 2, "usage");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("--yes"),
        "{v}"
    );

    market_data(&h, &d, &mut ck);
    agent(&h, &mut ck);

    ck.finish();
}

/// `book`, `trades`, `orders --closed` and `order show` after a fill on the devnet (a block
/// after each transaction): k bids 2 BNB at 300 BUSD, seller (K2) sells 1 at 300.
fn market_data(h: &Home, d: &Devnet, ck: &mut Checker) {
    h.import_key("seller", K2_KEY, "testnet").ok();
    d.fund(V7_TBNB, "BNB", "10");
    d.fund(V7_TBNB, BUSD, "1000");
    d.fund(K2_TBNB, "BNB", "10");
    let order = |name: &str, side: &str, qty: &str| {
        let args = [
            "order",
            "place",
            name,
            "--symbol",
            MARKET,
            "--side",
            side,
            "--price",
            "300",
            "--quantity",
            qty,
            "--yes",
        ];
        online(h, d, &args).ok().json()["order_id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let buy = order("k", "buy", "2");
    let sell = order("seller", "sell", "1");
    let v = ck.check("book", &online(h, d, &["book", MARKET]).ok());
    assert_eq!(v["bids"][0]["quantity"], "1", "{v}");
    let v = ck.check("trades", &online(h, d, &["trades", "seller"]).ok());
    assert_eq!(v["trades"][0]["seller_order_id"], sell.as_str(), "{v}");
    let v = ck.check(
        "orders --closed",
        &online(h, d, &["orders", "seller", "--closed"]).ok(),
    );
    assert_eq!(v["orders"][0]["status"], "FullyFill", "{v}");
    let v = ck.check("order show", &online(h, d, &["order", "show", &buy]).ok());
    assert_eq!(v["status"], "PartialFill", "{v}");
}

/// Every `agent` command's document, on a detached agent this function stops.
fn agent(h: &Home, ck: &mut Checker) {
    let v = ck.check("agent start", &json_cmd(h, &["agent", "start"]).ok());
    let pid = v["pid"].as_i64().unwrap();
    let v = ck.check(
        "agent unlock",
        &json_cmd(h, &["agent", "unlock", "k", "--ttl", "10m"]).ok(),
    );
    assert_eq!(v["address"], V7_TBNB);
    assert_eq!(v["public_key"], V7_PUB);
    let v = ck.check("agent status", &json_cmd(h, &["agent", "status"]).ok());
    assert_eq!(v["pid"], pid);
    assert_eq!(v["accounts"][0]["address"], V7_TBNB);
    let v = ck.check("agent reload", &json_cmd(h, &["agent", "reload"]).ok());
    assert_eq!(v["policy"], false);
    let v = ck.check("agent lock", &json_cmd(h, &["agent", "lock"]).ok());
    assert_eq!(v["locked"], 1);
    let v = ck.check("agent stop", &json_cmd(h, &["agent", "stop"]).ok());
    assert_eq!(v["stopped"], true);
}

/// Commands of the clap tree with no section in docs/json-output.md, and why.
const NO_SECTION: &[(&str, &str)] = &[(
    "watch",
    "JSON lines, one per event, not one document (see the note after `trades`)",
)];

/// The command paths of the clap tree, walked through `dexlink … --help` (the tests drive the
/// binary, not the crate): leaves only, `help` left out.
fn command_paths(prefix: &mut Vec<String>, out: &mut Vec<String>) {
    let mut c = dexlink();
    c.args(prefix.iter()).arg("--help");
    let help = run(c).ok().stdout;
    let subs: Vec<String> = help
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        // A wrapped description continues deeper than the names.
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|n| n != "help")
        .collect();
    if subs.is_empty() {
        out.push(prefix.join(" "));
    }
    for s in subs {
        prefix.push(s);
        command_paths(prefix, out);
        prefix.pop();
    }
}

/// The next command cannot be forgotten: every command of the CLI has a section (or an
/// exemption with its reason), and every exemption names a real command.
#[test]
fn every_command_of_the_cli_has_a_section() {
    let schema = schema();
    let mut paths = Vec::new();
    command_paths(&mut Vec::new(), &mut paths);
    assert!(paths.contains(&"agent unlock".to_string()), "{paths:?}");
    let has = |command: &str| {
        let tag = format!("`{command}`");
        schema
            .iter()
            .any(|s| s.heading.split(", ").any(|part| part.starts_with(&tag)))
    };
    let missing: Vec<&String> = paths
        .iter()
        .filter(|p| !has(p) && !NO_SECTION.iter().any(|(c, _)| c == p))
        .collect();
    assert!(
        missing.is_empty(),
        "commands without a section in docs/json-output.md: {missing:?}"
    );
    for (c, _) in NO_SECTION {
        assert!(
            paths.iter().any(|p| p == c),
            "exempt but not a command: {c}"
        );
        assert!(!has(c), "exempt but documented: {c}");
    }
}

/// `-q` prints the essential value and nothing else.
#[test]
fn quiet_prints_only_the_essential_value() {
    let d = Devnet::start(&[]);
    let h = Home::new();
    h.import_key("k", V7_KEY, "testnet").ok();
    h.import_key("k2", K2_KEY, "mainnet").ok();
    let quiet = |args: &[&str]| {
        let mut c = h.cmd();
        c.arg("-q").args(args);
        run(c).ok().stdout
    };
    assert_eq!(quiet(&["keys", "show", "k"]), format!("{V7_TBNB}\n"));
    assert_eq!(quiet(&["keys", "list"]), "k\nk2\n");
    assert_eq!(
        quiet(&["sign", "message", "k2", "--message", "hello world"]),
        format!("{HELLO_SIG}\n")
    );
    d.fund(V7_TBNB, "BNB", "100");
    d.fund(V7_TBNB, BUSD, "25.5");
    assert_eq!(
        quiet(&["account", "k", "--dex", &d.url]),
        "BNB 100\nBUSD-BD1 25.5\n"
    );
    // A broadcast prints its hash: SHA-256 of the broadcast bytes, computed here on its own.
    let mut c = h.cmd();
    c.args([
        "send", "k", "--to", K2_TBNB, "--amount", "1", "--asset", "BNB",
    ])
    .args(["--yes", "--dry-run", "-q", "--dex", &d.url]);
    let hex = run(c).ok().stdout.trim().to_string();
    let bytes = hex::decode(&hex).unwrap();
    use k256::sha2::Digest;
    let expected = hex::encode_upper(k256::sha2::Sha256::digest(&bytes));
    let mut c = h.cmd();
    c.args(["-q", "tx", "broadcast", &hex, "--dex", &d.url]);
    let out = run(c).ok();
    assert_eq!(out.stdout, format!("{expected}\n"));
    assert_eq!(out.stderr, "");
    // An online send prints only its hash, which the DEX then knows (status code 0).
    let mut c = h.cmd();
    c.args([
        "-q", "send", "k", "--to", K2_TBNB, "--amount", "2", "--asset", "BNB",
    ])
    .args(["--yes", "--dex", &d.url]);
    let hash = run(c).ok().stdout;
    let hash = hash.strip_suffix('\n').expect("one line");
    assert!(
        hash.len() == 64
            && hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)),
        "{hash:?}"
    );
    assert_eq!(quiet(&["tx", "status", hash, "--dex", &d.url]), "0\n");
}

/// A 503 is reported as the DEX being unavailable, a 429 as rate limiting (after the retries).
#[test]
fn unavailable_and_rate_limited_are_told_apart() {
    let d = Devnet::start(&[]);
    for (status, text) in [
        (
            503,
            "error: the DEX is unavailable (HTTP 503); try again later\n",
        ),
        (
            429,
            "error: rate limited by the DEX (HTTP 429); wait and try again\n",
        ),
    ] {
        let (s, b) = d.post_json(
            "/devnet/faults",
            &serde_json::json!({"fail_status": status, "fail_count": 1000, "retry_after": 0}),
        );
        assert_eq!(s, 200, "{b}");
        let mut c = dexlink();
        c.args(["--json", "account", V7_TBNB, "--dex", &d.url]);
        let out = run(c).expect_code(1);
        assert_eq!(out.stderr, text);
        assert_eq!(out.json()["error"]["kind"], "client");
    }
}
