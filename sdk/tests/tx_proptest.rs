//! Property tests of the transaction decoder: it never panics, refuses or exactly round-trips
//! every input, and valid transactions survive encode → decode → verify unchanged.

use dexlink::tx::Memo;
use dexlink::tx::{
    CancelOrder, Coin, LimitOrder, Msg, OrderId, Send, SendEntry, Side, TimeInForce, TokenFreeze,
};
use dexlink::{ChainId, Fixed8, Hrp, PrivateKey, SignedTx, UnsignedTx};
use proptest::prelude::*;

// Upstream broadcast bytes (docs/upstream-vectors.md §5 V10, V11, V13, V18, V22).
const VALID: [&str; 5] = [
    "dc01f0625dee0a64ce6dc0430a14ba36f0fad74d8f41045463e4774f328f4af779e5122b424133364630464144373444384634313034353436334534373734463332384634414637373945352d33361a0b4e4e422d3333385f424e422002280130b09282413880c2d72f4001126e0a26eb5ae98721029729a52e4e3c2b4a4e52aa74033eedaf8ba1df5ab6d1f518fd69e67bbd309b0e12409123cb6906bb20aeb753f4a121d4d88ff0e9750ba75b0c4e10d76caee1e7d2481290fa3b9887a6225d6997f5f939ef834ea61d596a314237c48e560da9e17b5a180c20232001",
    "cc01f0625dee0a54166e681b0a14ba36f0fad74d8f41045463e4774f328f4af779e5120b4e4e422d3333385f424e421a2b424133364630464144373444384634313034353436334534373734463332384634414637373945352d3336126e0a26eb5ae98721029729a52e4e3c2b4a4e52aa74033eedaf8ba1df5ab6d1f518fd69e67bbd309b0e12403df6603426b991f7040bce22ce0137c12137df01e1d4d425cf3d9104103aec6335ac05c825e08ba26b9f72aa4cc45aa75cacfb6082df86b00692fef9701eb0f5180c20242001",
    "cc01f0625dee0a4e2a2c87fa0a230a1440c2979694bbc961023d1d27be6fc4d21a9febe6120b0a03424e4210c098a8dd0312230a1488b37d5e05f3699e2a1406468e5d87cb9dcceb95120b0a03424e4210c098a8dd03126e0a26eb5ae98721026a35920088d98c3888ca68c53dfc93f4564602606cbb87f0fe5ee533db38e5021240c65a13440f18a155bd971ee40b9e0dd58586f5bf344e12ec4c76c439aebca8c7789bab7bfbfb4ce89aadc4a02df225b6b6efc861c13bbeb5f7a3eea2d7ffc80f181320171a04746573742001",
    "9002f0625dee0a92012a2c87fa0a330a1440c2979694bbc961023d1d27be6fc4d21a9febe6120a0a03424e421080a3c347120f0a08425553442d424431108084af5f12330a1488b37d5e05f3699e2a1406468e5d87cb9dcceb95120a0a03424e421080c2d72f120f0a08425553442d424431108084af5f12220a14bffe47abfaede50419c577f1074fee6dd1535cd1120a0a03424e421080e1eb17126e0a26eb5ae98721026a35920088d98c3888ca68c53dfc93f4564602606cbb87f0fe5ee533db38e5021240be9a19e4a25a28c61ca31e447e3fed796e1d528c267d2c814c5d1e3c07833cdb3f2a9833d8b7088675d1144860994fb0e05c8d2dbddab331fa65df0bb287a4db181320171a056d756c7469",
    "9801f0625dee0a24e774b32d0a141d0e3086e8e4e0a53c38a90d55bd58b34d57d2fa1203424e421880c2d72f126c0a26eb5ae98721027e69d96640300433654e016d218a8d7ffed751023d8efe81e55dedbd6754c971124013142dc274677af4f09d4be295f1855709b7608e1a9d4cc76aa23103c092ce1915c0ed51fc3c8a8510b57a7a8e8d532c6f5d1159cdb0e7333dda0d0a9e55cac4200a",
];

// docs/walletconnect.md §2–§3: a captured bnb_sign request's sign document.
const WC_DOC: &str = r#"{"account_number":"666682","chain_id":"Binance-Chain-Nile","data":null,"memo":"","msgs":[{"id":"A9241D9CDC41DBFF587A236047D5836EDA6C7345-1","ordertype":2,"price":401180,"quantity":2500000000,"sender":"tbnb14yjpm8xug8dl7kr6ydsy04vrdmdxcu69kwrw78","side":2,"symbol":"BNB_BTC.B-918","timeinforce":1}],"sequence":"0","source":"1"}"#;

/// Decoding either fails or yields a transaction that encodes to exactly the input.
fn decode_is_strict(bytes: &[u8]) {
    if let Ok(tx) = SignedTx::decode(bytes, &Hrp::mainnet()) {
        assert_eq!(tx.to_bytes(), bytes);
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Set(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
}

fn apply(mut b: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let n = b.len().max(1);
        match *e {
            Edit::Set(i, v) if !b.is_empty() => b[i % n] = v,
            Edit::Insert(i, v) => b.insert(i % (b.len() + 1), v),
            Edit::Delete(i) if !b.is_empty() => {
                b.remove(i % n);
            }
            Edit::Truncate(i) => b.truncate(i % (b.len() + 1)),
            _ => {}
        }
    }
    b
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(i, v)| Edit::Set(i, v)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(i, v)| Edit::Insert(i, v)),
        2 => any::<usize>().prop_map(Edit::Delete),
        1 => any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn amount() -> impl Strategy<Value = Fixed8> {
    (1i64..=i64::MAX).prop_map(|u| Fixed8::from_units(u).unwrap())
}

fn symbol() -> impl Strategy<Value = String> {
    "[A-Z0-9]{1,8}(-[0-9A-F]{3}M?)?"
}

fn memo() -> impl Strategy<Value = String> {
    // Printable text including characters Go escapes; trimmed to the 128-byte limit.
    "[ -~<>&\u{e9}\u{2028}\u{20ac}]{0,60}".prop_map(|s| {
        let mut out = String::new();
        for c in s.chars() {
            if out.len() + c.len_utf8() > 128 {
                break;
            }
            out.push(c);
        }
        out
    })
}

#[derive(Debug, Clone)]
enum Kind {
    Order(Side, TimeInForce, Fixed8, Fixed8, String, String),
    Cancel(String, String, u64),
    Send(Vec<(u8, Vec<(String, Fixed8)>)>),
    Freeze(bool, String, Fixed8),
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        (
            any::<bool>(),
            any::<bool>(),
            amount(),
            amount(),
            symbol(),
            symbol()
        )
            .prop_map(|(buy, gte, p, q, b, qs)| Kind::Order(
                if buy { Side::Buy } else { Side::Sell },
                if gte {
                    TimeInForce::Gte
                } else {
                    TimeInForce::Ioc
                },
                p,
                q,
                b,
                qs
            )),
        (symbol(), symbol(), 1u64..=i64::MAX as u64).prop_map(|(a, b, n)| Kind::Cancel(a, b, n)),
        prop::collection::vec(
            (
                any::<u8>(),
                prop::collection::btree_map(symbol(), 1i64..1_000_000_000_000, 1..4)
            ),
            1..4
        )
        .prop_map(|outs| Kind::Send(
            outs.into_iter()
                .map(|(a, coins)| (
                    a,
                    coins
                        .into_iter()
                        .map(|(d, u)| (d, Fixed8::from_units(u).unwrap()))
                        .collect()
                ))
                .collect()
        )),
        (any::<bool>(), symbol(), amount()).prop_map(|(f, s, a)| Kind::Freeze(f, s, a)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        decode_is_strict(&bytes);
    }


    #[test]
    fn mutated_sign_docs_never_panic_and_reparse_canonically(
        edits in prop::collection::vec((any::<usize>(), "[\\[\\]{}\":,0-9a-z\\\\ .eE+-]"), 1..4),
    ) {
        let mut doc: Vec<char> = WC_DOC.chars().collect();
        for (i, c) in edits {
            let at = i % doc.len();
            doc[at] = c.chars().next().unwrap();
        }
        let text: String = doc.into_iter().collect();
        if let Ok(tx) = dexlink::tx::parse_sign_doc(&text) {
            // Whatever is accepted re-serialises to a document that parses to the same tx.
            let again = dexlink::tx::parse_sign_doc(&tx.sign_json()).unwrap();
            prop_assert_eq!(again, tx);
        }
    }

    #[test]
    fn mutated_transactions_never_panic(which in 0..VALID.len(), edits in prop::collection::vec(edit(), 1..4)) {
        let bytes = apply(hex::decode(VALID[which]).unwrap(), &edits);
        decode_is_strict(&bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn valid_transactions_round_trip(
        seed in any::<[u8; 32]>(),
        mainnet in any::<bool>(),
        account in 0u64..=i64::MAX as u64,
        sequence in 0u64..i64::MAX as u64,
        source in 0u64..=i64::MAX as u64,
        memo in memo(),
        kind in kind(),
    ) {
        let Ok(key) = PrivateKey::from_bytes(&seed) else { return Ok(()) };
        let hrp = if mainnet { Hrp::mainnet() } else { Hrp::testnet() };
        let me = key.address(&hrp);
        let msg = match kind {
            Kind::Order(side, tif, p, q, b, qs) => Msg::NewOrder(
                LimitOrder {
                    sender: me.clone(),
                    symbol: format!("{b}_{qs}"),
                    side,
                    price: p,
                    quantity: q,
                    time_in_force: tif,
                }
                .at_sequence(sequence)
                .unwrap(),
            ),
            Kind::Cancel(a, b, n) => {
                let id = OrderId::parse(&format!("{}-{n}", me.to_upper_hex())).unwrap();
                Msg::CancelOrder(CancelOrder::new(me.clone(), &format!("{a}_{b}"), id).unwrap())
            }
            Kind::Send(outs) => {
                let outputs = outs
                    .into_iter()
                    .map(|(a, coins)| {
                        let addr = dexlink::Address::new(hrp.clone(), [a; 20]);
                        SendEntry::new(addr, coins.into_iter().map(|(d, u)| Coin::new(&d, u)).collect())
                    })
                    .collect();
                Msg::Send(Send::from_outputs(me.clone(), outputs).unwrap())
            }
            Kind::Freeze(f, s, a) => {
                let body = TokenFreeze::new(me.clone(), &s, a).unwrap();
                if f { Msg::Freeze(body) } else { Msg::Unfreeze(body) }
            }
        };
        let chain = ChainId::new(if mainnet { "Binance-Chain-Tigris" } else { "Binance-Chain-Ganges" }).unwrap();
        let tx = UnsignedTx::new(chain.clone(), account, sequence, msg)
            .unwrap()
            .with_memo(Memo::new(&memo).unwrap())
            .with_source(source)
            .unwrap();
        let signed = tx.sign(&key).unwrap();
        let bytes = signed.to_bytes();
        let decoded = SignedTx::decode(&bytes, &hrp).unwrap();
        prop_assert_eq!(&decoded, &signed);
        let verified = decoded.verify(&chain).unwrap();
        prop_assert_eq!(verified.unsigned, tx);
        prop_assert_eq!(verified.signer, me);
        prop_assert_eq!(verified.hash, signed.hash());
    }
}

// ---- structured near-valid sign documents, judged against the rule ----
//
// The rule (docs/upstream-vectors.md §5, sdk/src/tx/sign_doc.rs docs): a sign document is one JSON
// object (no duplicate keys, nothing after it) with exactly the keys account_number, chain_id,
// data, memo, msgs, sequence, source, in any order and with any JSON whitespace; data is null;
// account_number, sequence and source are strings of a plain decimal integer ≤ i64::MAX (no sign,
// no leading zero); msgs holds exactly one message of a known shape whose numbers are plain JSON
// integers of the same form (a new order's id is its sender's hex and sequence + 1); the memo is
// at most 128 bytes without 0x08/0x0C.

/// A document as members with raw JSON values, so that defects can be written literally.
#[derive(Debug, Clone)]
struct Doc {
    top: Vec<(String, String)>,
    msg: Vec<(String, String)>,
}

fn object(members: &[(String, String)], sep: &str) -> String {
    let inner: Vec<String> = members
        .iter()
        .map(|(k, v)| format!("{}:{sep}{v}", serde_json::to_string(k).unwrap()))
        .collect();
    format!("{{{sep}{}{sep}}}", inner.join(&format!(",{sep}")))
}

impl Doc {
    fn text(&self, sep: &str) -> String {
        let mut top = self.top.clone();
        for (k, v) in &mut top {
            if k == "msgs" && v == "MSG" {
                *v = format!("[{}]", object(&self.msg, sep));
            }
        }
        object(&top, sep)
    }
    fn set(&mut self, key: &str, value: String) {
        for (k, v) in self.top.iter_mut().chain(self.msg.iter_mut()) {
            if k == key {
                *v = value;
                return;
            }
        }
        panic!("no key {key}");
    }
}

/// A valid new-order document (the docs/walletconnect.md §2 request's shape) with generated values.
fn valid_doc() -> impl Strategy<Value = Doc> {
    let int = || 0u64..=i64::MAX as u64;
    (
        (int(), 0u64..i64::MAX as u64, int()),
        prop::sample::select(vec![
            "Binance-Chain-Nile",
            "Binance-Chain-Tigris",
            "chain-bnb",
        ]),
        memo(),
        (1u64..=i64::MAX as u64, 1u64..=i64::MAX as u64),
        (1u64..=2, prop::sample::select(vec![1u64, 3])),
        (symbol(), symbol()),
    )
        .prop_map(
            |((an, seq, src), chain, memo, (price, qty), (side, tif), (b, q))| {
                let s = |t: &str| serde_json::to_string(t).unwrap();
                Doc {
                    top: vec![
                        ("account_number".into(), s(&an.to_string())),
                        ("chain_id".into(), s(chain)),
                        ("data".into(), "null".into()),
                        ("memo".into(), s(&memo)),
                        ("msgs".into(), "MSG".into()),
                        ("sequence".into(), s(&seq.to_string())),
                        ("source".into(), s(&src.to_string())),
                    ],
                    msg: vec![
                        // The order id is the sender's 20 bytes in hex and sequence + 1.
                        (
                            "id".into(),
                            s(&format!(
                                "A9241D9CDC41DBFF587A236047D5836EDA6C7345-{}",
                                seq + 1
                            )),
                        ),
                        ("ordertype".into(), "2".into()),
                        ("price".into(), price.to_string()),
                        ("quantity".into(), qty.to_string()),
                        (
                            "sender".into(),
                            s("tbnb14yjpm8xug8dl7kr6ydsy04vrdmdxcu69kwrw78"),
                        ),
                        ("side".into(), side.to_string()),
                        ("symbol".into(), s(&format!("{b}_{q}"))),
                        ("timeinforce".into(), tif.to_string()),
                    ],
                }
            },
        )
}

/// One change to a valid document, and what the rule says of the result.
#[derive(Debug, Clone)]
enum Defect {
    /// Keys shuffled (rotated) and JSON whitespace added: still the same document.
    Reordered(usize),
    /// A top-level key left out.
    Missing(usize),
    /// An extra top-level key.
    Extra,
    /// A top-level key written twice.
    Duplicate(usize, bool),
    /// An int64 string written non-canonically.
    IntString(usize, &'static str),
    /// An int64 string given as a JSON number.
    IntAsNumber(usize),
    /// A msg number written non-canonically (leading zero, exponent, fraction, sign, string).
    MsgNumber(usize, &'static str),
    /// data other than null.
    DataNotNull,
    /// msgs with zero or two messages.
    MsgCount(bool),
    /// A key added to or left out of the message.
    MsgShape(bool),
    /// Text after the document.
    Trailing,
}

fn defect() -> impl Strategy<Value = Defect> {
    prop_oneof![
        (1usize..7).prop_map(Defect::Reordered),
        (0usize..7).prop_map(Defect::Missing),
        Just(Defect::Extra),
        (0usize..7, any::<bool>()).prop_map(|(i, same)| Defect::Duplicate(i, same)),
        (
            prop::sample::select(vec![0usize, 5, 6]),
            prop::sample::select(vec![
                "0{}",
                "+{}",
                "-{}",
                "{}.0",
                "{}e0",
                " {}",
                "",
                "9223372036854775808"
            ])
        )
            .prop_map(|(i, f)| Defect::IntString(i, f)),
        prop::sample::select(vec![0usize, 5, 6]).prop_map(Defect::IntAsNumber),
        (
            prop::sample::select(vec![1usize, 2, 3, 5, 7]),
            prop::sample::select(vec![
                "0{}",
                "{}e0",
                "{}.0",
                "-{}",
                "\"{}\"",
                "{}E+0",
                "9223372036854775808"
            ])
        )
            .prop_map(|(i, f)| Defect::MsgNumber(i, f)),
        Just(Defect::DataNotNull),
        any::<bool>().prop_map(Defect::MsgCount),
        any::<bool>().prop_map(Defect::MsgShape),
        Just(Defect::Trailing),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    /// Valid documents are accepted and mean exactly their fields; each defect is refused with
    /// the error the rule names (or, for a mere reordering, accepted as the same document).
    #[test]
    fn near_valid_sign_docs_are_judged_by_the_rule(doc in valid_doc(), d in defect()) {
        use dexlink::tx::{SignDocError as E, parse_sign_doc};
        let canonical = doc.text("");
        let tx = parse_sign_doc(&canonical);
        prop_assert!(tx.is_ok(), "valid document refused: {:?}\n{}", tx, canonical);
        let tx = tx.unwrap();
        // What is signed is what was sent, field for field (compared as JSON values, since
        // our escaping is Go's and the input's is serde_json's).
        let signed: serde_json::Value = serde_json::from_str(&tx.sign_json()).unwrap();
        let sent: serde_json::Value = serde_json::from_str(&canonical).unwrap();
        prop_assert_eq!(signed, sent);

        let mut bad = doc.clone();
        let key = |i: usize| doc.top[i].0.clone();
        let result = match d {
            Defect::Reordered(n) => {
                bad.top.rotate_left(n);
                bad.msg.rotate_left(n);
                let again = parse_sign_doc(&bad.text(" \n"));
                prop_assert_eq!(again, Ok(tx));
                return Ok(());
            }
            Defect::Missing(i) => {
                bad.top.remove(i);
                (parse_sign_doc(&bad.text("")), E::MissingKey(key(i)))
            }
            Defect::Extra => {
                bad.top.push(("fee".into(), "null".into()));
                (parse_sign_doc(&bad.text("")), E::UnknownKey("fee".into()))
            }
            Defect::Duplicate(i, same) => {
                let v = if same { bad.top[i].1.clone() } else { "\"x\"".into() };
                bad.top.push((key(i), v));
                let r = parse_sign_doc(&bad.text(""));
                prop_assert!(
                    matches!(&r, Err(E::Json(m)) if m.contains(&format!("duplicate key {:?}", key(i)))),
                    "{:?}", r
                );
                return Ok(());
            }
            Defect::IntString(i, f) => {
                let n: String = serde_json::from_str(&doc.top[i].1).unwrap();
                let text = f.replace("{}", &n);
                bad.set(&key(i), serde_json::to_string(&text).unwrap());
                (parse_sign_doc(&bad.text("")), E::NonCanonicalNumber { key: key(i), text })
            }
            Defect::IntAsNumber(i) => {
                let n: String = serde_json::from_str(&doc.top[i].1).unwrap();
                bad.set(&key(i), n);
                (parse_sign_doc(&bad.text("")), E::WrongType { key: key(i), expected: "a string", found: "a number" })
            }
            Defect::MsgNumber(i, f) => {
                let k = doc.msg[i].0.clone();
                let text = f.replace("{}", &doc.msg[i].1);
                bad.set(&k, text.clone());
                let r = parse_sign_doc(&bad.text(""));
                // A string where a number belongs is the wrong type; every other spelling is a
                // number not in the node's form.
                let ok = if f.starts_with('"') {
                    matches!(&r, Err(E::WrongType { key, .. }) if *key == k)
                } else {
                    matches!(&r, Err(E::NonCanonicalNumber { key, text: t }) if *key == k && *t == text)
                };
                prop_assert!(ok, "{} = {}: {:?}", k, text, r);
                return Ok(());
            }
            Defect::DataNotNull => {
                bad.set("data", "\"\"".into());
                (parse_sign_doc(&bad.text("")), E::DataNotNull)
            }
            Defect::MsgCount(two) => {
                let inner = object(&doc.msg, "");
                let msgs = if two { format!("[{inner},{inner}]") } else { "[]".into() };
                bad.set("msgs", msgs);
                (parse_sign_doc(&bad.text("")), E::MessageCount(if two { 2 } else { 0 }))
            }
            Defect::MsgShape(add) => {
                if add {
                    bad.msg.push(("flags".into(), "1".into()));
                } else {
                    bad.msg.remove(0);
                }
                let mut keys: Vec<String> = bad.msg.iter().map(|(k, _)| k.clone()).collect();
                keys.sort();
                (parse_sign_doc(&bad.text("")), E::UnknownMessage(keys.join(",")))
            }
            Defect::Trailing => {
                let r = parse_sign_doc(&format!("{canonical} {{}}"));
                prop_assert!(matches!(r, Err(E::Json(_))), "{:?}", r);
                return Ok(());
            }
        };
        prop_assert_eq!(result.0, Err(result.1));
    }
}
