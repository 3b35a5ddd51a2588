//! Offline signing reproduces the upstream transactions byte for byte (docs/upstream-vectors.md §5
//! V10, V11, V13, V17), and `tx decode` reads them back.

mod common;

use common::*;

/// `dexlink --json <args> --offline ... --yes` for the entry `name`; returns the JSON output.
fn offline(h: &Home, args: &[&str]) -> serde_json::Value {
    let mut c = h.cmd();
    c.arg("--json").args(args).args(["--offline", "--yes"]);
    run(c).ok().json()
}

#[test]
fn order_place_reproduces_v10() {
    let h = Home::new();
    h.import_key("v7", V7_KEY, "mainnet").ok();
    let v = offline(
        &h,
        &[
            "order",
            "place",
            "v7",
            "--symbol",
            "NNB-338_BNB",
            "--side",
            "buy",
            "--price",
            "1.3635",
            "--quantity",
            "1",
            "--tif",
            "gte",
            "--chain-id",
            "chain-bnb",
            "--account-number",
            "12",
            "--sequence",
            "35",
            "--source",
            "1",
            "--hrp",
            "bnb",
        ],
    );
    assert_eq!(v["tx_hex"], V10_TX);
    assert_eq!(v["tx_hash"], V10_HASH);
    assert_eq!(v["order_id"], "BA36F0FAD74D8F41045463E4774F328F4AF779E5-36");
}

#[test]
fn order_place_on_a_testnet_entry_with_hrp_bnb_still_reproduces_v10() {
    // The entry's own network is testnet; --hrp bnb chooses the sign-document prefix.
    let h = Home::new();
    h.import_key("v7t", V7_KEY, "testnet").ok();
    let v = offline(
        &h,
        &[
            "order",
            "place",
            "v7t",
            "--symbol",
            "NNB-338_BNB",
            "--side",
            "buy",
            "--price",
            "1.3635",
            "--quantity",
            "1",
            "--chain-id",
            "chain-bnb",
            "--account-number",
            "12",
            "--sequence",
            "35",
            "--source",
            "1",
            "--hrp",
            "bnb",
        ],
    );
    assert_eq!(v["tx_hex"], V10_TX);
}

#[test]
fn order_cancel_reproduces_v11() {
    let h = Home::new();
    h.import_key("v7", V7_KEY, "mainnet").ok();
    let v = offline(
        &h,
        &[
            "order",
            "cancel",
            "v7",
            "--symbol",
            "NNB-338_BNB",
            "--order-id",
            "BA36F0FAD74D8F41045463E4774F328F4AF779E5-36",
            "--chain-id",
            "chain-bnb",
            "--account-number",
            "12",
            "--sequence",
            "36",
            "--source",
            "1",
            "--hrp",
            "bnb",
        ],
    );
    assert_eq!(v["tx_hex"], V11_TX);
    assert_eq!(v["tx_hash"], V11_HASH);
}

#[test]
fn send_reproduces_v13() {
    let h = Home::new();
    h.import_key("k2", K2_KEY, "mainnet").ok();
    let v = offline(
        &h,
        &[
            "send",
            "k2",
            "--to",
            V13_TO,
            "--amount",
            "10.01",
            "--asset",
            "BNB",
            "--memo",
            "test",
            "--chain-id",
            "chain-bnb",
            "--account-number",
            "19",
            "--sequence",
            "23",
            "--source",
            "1",
            "--hrp",
            "bnb",
        ],
    );
    assert_eq!(v["tx_hex"], V13_TX);
    assert_eq!(v["tx_hash"], V13_HASH);
}

#[test]
fn send_reproduces_v17() {
    let h = Home::new();
    h.import_key("k17", V17_KEY, "mainnet").ok();
    // Mainnet chain id: the default prefix is bnb, no --hrp needed.
    let v = offline(
        &h,
        &[
            "send",
            "k17",
            "--to",
            V17_TO,
            "--amount",
            "0.01345227",
            "--asset",
            "BNB",
            "--memo",
            "Testing",
            "--chain-id",
            "Binance-Chain-Tigris",
            "--account-number",
            "13186",
            "--sequence",
            "0",
            "--source",
            "2",
        ],
    );
    assert_eq!(v["tx_hex"], V17_TX);
    assert_eq!(v["tx_hash"], V17_HASH);
}

#[test]
fn offline_signing_without_yes_and_terminal_is_refused() {
    let h = Home::new();
    h.import_key("k2", K2_KEY, "mainnet").ok();
    let mut c = h.cmd();
    c.args([
        "send",
        "k2",
        "--to",
        V13_TO,
        "--amount",
        "10.01",
        "--asset",
        "BNB",
        "--offline",
        "--chain-id",
        "chain-bnb",
        "--account-number",
        "19",
        "--sequence",
        "23",
        "--hrp",
        "bnb",
    ]);
    let out = run(c).expect_code(2);
    // The summary, then the refusal; nothing at all on stdout.
    assert_eq!(
        out.stderr,
        format!(
            "About to sign: SEND 10.01 BNB to {V13_TO}, from {K2_BNB}; chain chain-bnb, account 19, sequence 23, source 0, memo \"\"\n\
             error: Sign this transaction?: confirmation needed but there is no terminal; pass --yes to confirm\n"
        )
    );
    assert_eq!(out.stdout, "", "nothing signed is printed");
}

fn decode(args: &[&str]) -> Out {
    let mut c = dexlink();
    c.args(["tx", "decode"]).args(args);
    run(c)
}

#[test]
fn tx_decode_reads_upstream_transactions() {
    let v = decode(&[V10_TX]).ok().json();
    assert_eq!(v["tx_hash"], V10_HASH);
    assert_eq!(v["signer"], V7_BNB);
    assert_eq!(v["public_key"], V7_PUB);
    assert_eq!(v["signature"], V10_SIG);
    assert_eq!(v["account_number"], 12);
    assert_eq!(v["sequence"], 35);
    assert_eq!(v["source"], 1);
    assert_eq!(v["order_id"], "BA36F0FAD74D8F41045463E4774F328F4AF779E5-36");
    assert_eq!(v["msg"]["symbol"], "NNB-338_BNB");
    assert_eq!(
        v["msg"]["price"]
            .as_str()
            .map(|p| p.parse::<f64>().unwrap()),
        Some(1.3635)
    );

    let v = decode(&[V11_TX]).ok().json();
    assert_eq!(v["tx_hash"], V11_HASH);
    assert_eq!(
        v["msg"]["order_id"],
        "BA36F0FAD74D8F41045463E4774F328F4AF779E5-36"
    );
    assert_eq!(v["sequence"], 36);

    let v = decode(&[V13_TX]).ok().json();
    assert_eq!(v["tx_hash"], V13_HASH);
    assert_eq!(v["memo"], "test");
    assert_eq!(v["signer"], K2_BNB);
    assert_eq!(v["msg"]["outputs"][0]["address"], V13_TO);
    assert_eq!(v["msg"]["outputs"][0]["coins"][0]["denom"], "BNB");

    let v = decode(&[V17_TX]).ok().json();
    assert_eq!(v["tx_hash"], V17_HASH);
    assert_eq!(v["memo"], "Testing");
    assert_eq!(v["source"], 2);
    assert_eq!(v["msg"]["outputs"][0]["address"], V17_TO);

    // From stdin too.
    let mut c = dexlink();
    c.args(["tx", "decode", "-"])
        .write_stdin(format!("{V13_TX}\n"));
    assert_eq!(run(c).ok().json()["tx_hash"], V13_HASH);
}

#[test]
fn tx_decode_verify_checks_the_chain_id() {
    for (tx, chain) in [
        (V10_TX, "chain-bnb"),
        (V11_TX, "chain-bnb"),
        (V13_TX, "chain-bnb"),
        (V17_TX, "Binance-Chain-Tigris"),
    ] {
        let v = decode(&[tx, "--verify", "--chain-id", chain, "--hrp", "bnb"])
            .ok()
            .json();
        assert_eq!(v["valid"], true, "{tx}");
        // The signature covers the chain id: another one fails (exit 1).
        let out = decode(&[
            tx,
            "--verify",
            "--chain-id",
            "Binance-Chain-Ganges",
            "--hrp",
            "bnb",
        ])
        .expect_code(1);
        assert_eq!(out.json()["valid"], false);
    }
    // --verify without --chain-id is a usage error.
    decode(&[V10_TX, "--verify"]).expect_code(2);
}

#[test]
fn tx_decode_rejects_mutated_bytes() {
    let mut mutations: Vec<String> = Vec::new();
    // Truncated.
    mutations.push(V10_TX[..V10_TX.len() - 2].to_string());
    // Length prefix changed (dc01 -> dd01).
    mutations.push(format!("dd{}", &V10_TX[2..]));
    // StdTx type prefix changed (f0625dee -> f0625def).
    mutations.push(V10_TX.replacen("f0625dee", "f0625def", 1));
    // NewOrder type prefix changed (ce6dc043 -> ce6dc044).
    mutations.push(V10_TX.replacen("ce6dc043", "ce6dc044", 1));
    // A trailing byte.
    mutations.push(format!("{V10_TX}00"));
    // Not hex / odd length.
    mutations.push(format!("{}zz", &V10_TX[..V10_TX.len() - 2]));
    mutations.push(V10_TX[..V10_TX.len() - 1].to_string());
    for m in &mutations {
        let out = decode(&[m]).expect_code(2);
        assert!(
            out.stderr.contains("cannot decode"),
            "mutation {m}: {}",
            out.stderr
        );
    }
    // A flipped signature byte still decodes, but no longer verifies.
    let sig_pos = V10_TX.find(V10_SIG).unwrap();
    let mut bad = V10_TX.to_string();
    let flipped = if &bad[sig_pos + 10..sig_pos + 11] == "0" {
        "1"
    } else {
        "0"
    };
    bad.replace_range(sig_pos + 10..sig_pos + 11, flipped);
    decode(&[&bad]).ok();
    decode(&[&bad, "--verify", "--chain-id", "chain-bnb", "--hrp", "bnb"]).expect_code(1);
}

/// V18 (docs/upstream-vectors.md §5, DERIVED by the spec's independent reference): a multi-output,
/// multi-denom send; one input holding per-denom sums, coins sorted.
const V18_TX: &str = "9002f0625dee0a92012a2c87fa0a330a1440c2979694bbc961023d1d27be6fc4d21a9febe6120a0a03424e421080a3c347120f0a08425553442d424431108084af5f12330a1488b37d5e05f3699e2a1406468e5d87cb9dcceb95120a0a03424e421080c2d72f120f0a08425553442d424431108084af5f12220a14bffe47abfaede50419c577f1074fee6dd1535cd1120a0a03424e421080e1eb17126e0a26eb5ae98721026a35920088d98c3888ca68c53dfc93f4564602606cbb87f0fe5ee533db38e5021240be9a19e4a25a28c61ca31e447e3fed796e1d528c267d2c814c5d1e3c07833cdb3f2a9833d8b7088675d1144860994fb0e05c8d2dbddab331fa65df0bb287a4db181320171a056d756c7469";
const V18_HASH: &str = "C91EED07D431517C852204BCD3B6555B36B3939515E404E7D5422D22FA3B176F";
const V15_TO: &str = "bnb1hlly02l6ahjsgxw9wlcswnlwdhg4xhx38yxpd5";

#[test]
fn multi_send_reproduces_v18() {
    let h = Home::new();
    h.import_key("k2", K2_KEY, "mainnet").ok();
    let v = offline(
        &h,
        &[
            "send",
            "k2",
            "--to",
            V13_TO,
            "--amount",
            "1",
            "--asset",
            "BNB",
            "--to",
            V13_TO,
            "--amount",
            "2",
            "--asset",
            "BUSD-BD1",
            "--to",
            V15_TO,
            "--amount",
            "0.5",
            "--asset",
            "BNB",
            "--memo",
            "multi",
            "--chain-id",
            "Binance-Chain-Tigris",
            "--account-number",
            "19",
            "--sequence",
            "23",
        ],
    );
    assert_eq!(v["tx_hex"], V18_TX);
    assert_eq!(v["tx_hash"], V18_HASH);
}

#[test]
fn quiet_output_is_the_hash_and_bad_inputs_are_usage_errors() {
    let h = Home::new();
    h.import_key("k2", K2_KEY, "mainnet").ok();
    let base = [
        "send",
        "k2",
        "--to",
        V13_TO,
        "--asset",
        "BNB",
        "--chain-id",
        "chain-bnb",
        "--account-number",
        "19",
        "--sequence",
        "23",
        "--source",
        "1",
        "--hrp",
        "bnb",
        "--offline",
        "--yes",
    ];
    let mut c = h.cmd();
    c.arg("-q")
        .args(base)
        .args(["--amount", "10.01", "--memo", "test"]);
    assert_eq!(run(c).ok().stdout.trim(), V13_HASH);

    let long_memo = "m".repeat(129);
    for (extra, error) in [
        (
            vec!["--amount", "10.01", "--memo", long_memo.as_str()],
            "--memo: memo is 129 bytes; the chain accepts at most 128",
        ),
        (vec!["--amount", "0"], "--amount: must be greater than zero"),
        (
            vec!["--amount", "0.000000001"],
            "--amount: amount \"0.000000001\" has more than 8 decimals; Binance Chain amounts have at most 8",
        ),
        // `--amount=-1`: with a space clap would take "-1" for an option and never reach the rule.
        (
            vec!["--amount=-1"],
            "--amount: amount \"-1\" is negative; amounts must be positive",
        ),
        (
            vec!["--amount", "abc"],
            "--amount: amount \"abc\" is not a plain decimal number: write digits with an optional '.' and up to 8 decimals, e.g. 12 or 0.00000001",
        ),
    ] {
        let mut c = h.cmd();
        c.args(base).args(&extra);
        let out = run(c).expect_code(2);
        assert_eq!(out.stderr, format!("error: {error}\n"), "{extra:?}");
        assert_eq!(out.stdout, "", "{extra:?} printed something");
    }
    // A recipient of another network is refused.
    let mut c = h.cmd();
    c.args([
        "send",
        "k2",
        "--to",
        K2_TBNB,
        "--asset",
        "BNB",
        "--amount",
        "1",
        "--chain-id",
        "chain-bnb",
        "--account-number",
        "19",
        "--sequence",
        "23",
        "--hrp",
        "bnb",
        "--offline",
        "--yes",
    ]);
    run(c).expect_code(2);
}
