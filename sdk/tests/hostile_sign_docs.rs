//! "What you see is what you sign" for hostile WalletConnect `bnb_sign` documents: every
//! document is either refused, or accepted with a summary that shows each signed field as it is
//! signed. The base document is the captured docs/walletconnect.md §2 request (docs/upstream-vectors.md).

use dexlink::tx::{SignDocError, TxError, parse_sign_doc};

// docs/walletconnect.md §2–§3: a captured bnb_sign request's sign document.
const WC_DOC: &str = r#"{"account_number":"666682","chain_id":"Binance-Chain-Nile","data":null,"memo":"","msgs":[{"id":"A9241D9CDC41DBFF587A236047D5836EDA6C7345-1","ordertype":2,"price":401180,"quantity":2500000000,"sender":"tbnb14yjpm8xug8dl7kr6ydsy04vrdmdxcu69kwrw78","side":2,"symbol":"BNB_BTC.B-918","timeinforce":1}],"sequence":"0","source":"1"}"#;

fn with_memo(memo_json: &str) -> String {
    WC_DOC.replace(r#""memo":"""#, &format!(r#""memo":{memo_json}"#))
}

#[test]
fn bidi_zero_width_and_other_hidden_characters_in_memos_are_refused() {
    for (c, name) in [
        ('\u{202e}', "RIGHT-TO-LEFT OVERRIDE"),
        ('\u{2066}', "LEFT-TO-RIGHT ISOLATE"),
        ('\u{200f}', "RIGHT-TO-LEFT MARK"),
        ('\u{200b}', "ZERO WIDTH SPACE"),
        ('\u{200d}', "ZERO WIDTH JOINER"),
        ('\u{feff}', "ZERO WIDTH NO-BREAK SPACE"),
        ('\u{00ad}', "SOFT HYPHEN"),
        ('\u{0085}', "NEXT LINE (C1)"),
        ('\u{009b}', "CONTROL SEQUENCE INTRODUCER (C1)"),
        ('\u{007f}', "DELETE"),
        ('\u{fe0f}', "VARIATION SELECTOR-16"),
        ('\u{e0041}', "TAG LATIN CAPITAL LETTER A"),
        ('\u{3164}', "HANGUL FILLER"),
    ] {
        // Raw in the JSON text and as a \u escape: both decode to the same memo.
        for memo_json in [format!("\"pay {c}to\""), format!("\"pay {}to\"", escape(c))] {
            let err = parse_sign_doc(&with_memo(&memo_json)).unwrap_err();
            assert_eq!(
                err,
                SignDocError::Invalid(format!(
                    "memo has the invisible or direction-changing character U+{:04X} at byte 4, which would be shown differently from what is signed",
                    c as u32
                )),
                "{name}"
            );
        }
    }
}

/// `\uXXXX` (with a surrogate pair above the BMP), as a JSON text would carry it.
fn escape(c: char) -> String {
    let mut units = [0u16; 2];
    c.encode_utf16(&mut units)
        .iter()
        .map(|u| format!("\\u{u:04x}"))
        .collect()
}

#[test]
fn hidden_characters_in_symbols_are_refused() {
    for sym in [
        "BNB\u{202e}_BTC.B-918",
        "BNB_BTC.B-918\u{200b}",
        "BNB_BTC\u{ff0e}B-918",
    ] {
        let doc = WC_DOC.replace("BNB_BTC.B-918", sym);
        let err = parse_sign_doc(&doc).unwrap_err();
        assert_eq!(
            err,
            SignDocError::Tx(TxError::Symbol {
                what: "order symbol",
                value: sym.into()
            }),
            "{sym:?}"
        );
    }
}

#[test]
fn duplicate_keys_are_refused_wherever_they_are() {
    let top = WC_DOC.replace(r#""memo":"","#, r#""memo":"","memo":"x","#);
    let inner = WC_DOC.replace(r#""side":2,"#, r#""side":2,"side":1,"#);
    let same = WC_DOC.replace(r#""source":"1""#, r#""source":"1","source":"1""#);
    for (doc, key) in [(top, "memo"), (inner, "side"), (same, "source")] {
        match parse_sign_doc(&doc) {
            Err(SignDocError::Json(m)) => {
                assert!(m.contains(&format!("duplicate key {key:?}")), "{m}")
            }
            other => panic!("{key}: {other:?}"),
        }
    }
}

#[test]
fn numbers_with_leading_zeros_or_exponents_are_refused() {
    for (from, to, key, text) in [
        (
            r#""price":401180"#,
            r#""price":0401180"#,
            "price",
            "0401180",
        ),
        (
            r#""price":401180"#,
            r#""price":401180e0"#,
            "price",
            "401180e0",
        ),
        (
            r#""price":401180"#,
            r#""price":4.0118E5"#,
            "price",
            "4.0118E5",
        ),
        (
            r#""quantity":2500000000"#,
            r#""quantity":25e8"#,
            "quantity",
            "25e8",
        ),
        (r#""side":2"#, r#""side":02"#, "side", "02"),
        (
            r#""account_number":"666682""#,
            r#""account_number":"0666682""#,
            "account_number",
            "0666682",
        ),
        (
            r#""sequence":"0""#,
            r#""sequence":"0e0""#,
            "sequence",
            "0e0",
        ),
    ] {
        let err = parse_sign_doc(&WC_DOC.replace(from, to)).unwrap_err();
        assert_eq!(
            err,
            SignDocError::NonCanonicalNumber {
                key: key.into(),
                text: text.into()
            }
        );
    }
}

#[test]
fn fields_the_summary_does_not_show_are_refused() {
    // A fee, a second message, data, an extra order field: nothing is signed unshown.
    let fee = WC_DOC.replace(
        r#""data":null,"#,
        r#""data":null,"fee":{"amount":[],"gas":"0"},"#,
    );
    assert_eq!(
        parse_sign_doc(&fee),
        Err(SignDocError::UnknownKey("fee".into()))
    );
    let data = WC_DOC.replace(r#""data":null"#, r#""data":"AA==""#);
    assert_eq!(parse_sign_doc(&data), Err(SignDocError::DataNotNull));
    let extra = WC_DOC.replace(r#""timeinforce":1}"#, r#""timeinforce":1,"stop_price":1}"#);
    assert_eq!(
        parse_sign_doc(&extra),
        Err(SignDocError::UnknownMessage(
            "id,ordertype,price,quantity,sender,side,stop_price,symbol,timeinforce".into()
        ))
    );
    let start = WC_DOC.find(r#"{"id""#).unwrap();
    let end = WC_DOC.find(r#"}],"sequence""#).unwrap() + 1;
    let msg = &WC_DOC[start..end];
    let two = WC_DOC.replace(msg, &format!("{msg},{msg}"));
    assert_eq!(parse_sign_doc(&two), Err(SignDocError::MessageCount(2)));
}

#[test]
fn an_accepted_document_is_summarised_field_by_field_as_signed() {
    // The memo's <, > and & are shown as the node signs them (docs/sign-docs.md §2–§3's DERIVED
    // example a<b>&c), so the summary and the sign bytes carry the same text.
    let tx = parse_sign_doc(&with_memo(r#""a<b>&c""#)).unwrap();
    let want_memo = r#""a\u003cb\u003e\u0026c""#;
    assert_eq!(
        tx.sign_json(),
        WC_DOC.replace(r#""memo":"""#, &format!(r#""memo":{want_memo}"#))
    );
    let summary = tx.describe();
    // Every signed value of docs/walletconnect.md §2's document, in the summary: side 2 (SELL), quantity 25, price
    // 0.0040118, order type 2 (LIMIT), time in force 1 (GTE), id, sender, chain, account number,
    // sequence, source, memo.
    assert_eq!(
        summary,
        format!(
            "SELL 25 BNB at 0.0040118 BTC.B-918 (total 0.100295 BTC.B-918), LIMIT GTE, order id A9241D9CDC41DBFF587A236047D5836EDA6C7345-1, from tbnb14yjpm8xug8dl7kr6ydsy04vrdmdxcu69kwrw78; chain Binance-Chain-Nile, account 666682, sequence 0, source 1, memo {want_memo}"
        )
    );
}

/// The captured docs/walletconnect.md §2 request, whole.
fn wc_request() -> String {
    format!(r#"{{"id":1,"jsonrpc":"2.0","method":"bnb_sign","params":[{WC_DOC}]}}"#)
}

#[test]
fn a_whole_bnb_sign_request_and_its_bare_document_parse_to_the_same_transaction() {
    use dexlink::tx::parse_bnb_sign_request;
    let from_request = parse_bnb_sign_request(&wc_request()).unwrap();
    let from_doc = parse_bnb_sign_request(WC_DOC).unwrap();
    assert_eq!(from_request, from_doc);
    assert_eq!(from_request, parse_sign_doc(WC_DOC).unwrap());
    // The captured document is already in the canonical form that is signed.
    assert_eq!(from_request.sign_json(), WC_DOC);
}

#[test]
fn malformed_bnb_sign_requests_are_refused_with_the_reason() {
    use dexlink::tx::parse_bnb_sign_request;
    let req = |method: &str, params: &str| {
        format!(r#"{{"id":1,"jsonrpc":"2.0","method":{method},"params":{params}}}"#)
    };
    let doc = format!("[{WC_DOC}]");
    let request = |s: &str| SignDocError::Request(s.into());
    for (text, want) in [
        (
            req(r#""eth_sign""#, &doc),
            SignDocError::NotBnbSign(r#""eth_sign""#.into()),
        ),
        (
            req(&format!("\"{}\"", "x".repeat(50)), &doc),
            SignDocError::NotBnbSign(format!("\"{}\"…", "x".repeat(40))),
        ),
        (
            req("7", &doc),
            request(r#""method" must be a string, found a number"#),
        ),
        (
            format!(r#"{{"id":1,"params":{doc}}}"#),
            request(r#"it has no "method""#),
        ),
        (
            r#"{"id":1,"method":"bnb_sign"}"#.to_string(),
            request(r#"it has no "params"; params[0] must be the sign document"#),
        ),
        (
            format!(r#"{{"id":1,"method":"bnb_sign","params":{doc},"session":"x"}}"#),
            request(r#"unexpected key "session""#),
        ),
        (
            req(r#""bnb_sign""#, WC_DOC),
            request(r#""params" must be an array, found an object"#),
        ),
        (
            req(r#""bnb_sign""#, "[]"),
            request(
                "params has 0 values; a bnb_sign request carries exactly one, the sign document",
            ),
        ),
        (
            req(r#""bnb_sign""#, &format!("[{WC_DOC},{WC_DOC}]")),
            request(
                "params has 2 values; a bnb_sign request carries exactly one, the sign document",
            ),
        ),
        (
            req(r#""bnb_sign""#, &format!("[{:?}]", WC_DOC)),
            request("params[0] must be the sign document as an object, found a string"),
        ),
    ] {
        assert_eq!(parse_bnb_sign_request(&text), Err(want), "{text}");
    }
    // The document inside is checked as strictly as a bare one: a number with a leading zero.
    let zero = wc_request().replace(r#""ordertype":2"#, r#""ordertype":02"#);
    assert_eq!(
        parse_bnb_sign_request(&zero),
        Err(SignDocError::NonCanonicalNumber {
            key: "ordertype".into(),
            text: "02".into()
        })
    );
    let float = wc_request().replace(r#""price":401180"#, r#""price":401180.0"#);
    assert_eq!(
        parse_bnb_sign_request(&float),
        Err(SignDocError::NonCanonicalNumber {
            key: "price".into(),
            text: "401180.0".into()
        })
    );
    assert!(matches!(
        parse_bnb_sign_request("[1"),
        Err(SignDocError::Json(_))
    ));
}
