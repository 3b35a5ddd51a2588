//! The transaction API as the CLI and the DEX node use it. Expected bytes come from upstream
//! vectors quoted in docs/upstream-vectors.md §5 / docs/walletconnect.md §2.

use dexlink::tx::TxError;
use dexlink::tx::{
    CancelOrder, LimitOrder, Market, Memo, Msg, OrderId, SendEntry, Side, SignDocError,
    TimeInForce, TokenFreeze, bnb_sign, parse_sign_doc,
};
use dexlink::{Address, ChainId, Fixed8, Hrp, PrivateKey, SignedTx, UnsignedTx};

const KEY_90335B: &str = "90335b9d2153ad1a9799a3ccc070bd64b4164e9642ee1dd48053c33f9a3a05e9";
const KEY_95949F: &str = "95949f757db1f57ca94a5dff23314accbe7abee89597bf6a3c7382c84d7eb832";
// docs/upstream-vectors.md §5 V10 (wallet-core test_binance_sign_trade_order).
const V10_TX: &str = "dc01f0625dee0a64ce6dc0430a14ba36f0fad74d8f41045463e4774f328f4af779e5122b424133364630464144373444384634313034353436334534373734463332384634414637373945352d33361a0b4e4e422d3333385f424e422002280130b09282413880c2d72f4001126e0a26eb5ae98721029729a52e4e3c2b4a4e52aa74033eedaf8ba1df5ab6d1f518fd69e67bbd309b0e12409123cb6906bb20aeb753f4a121d4d88ff0e9750ba75b0c4e10d76caee1e7d2481290fa3b9887a6225d6997f5f939ef834ea61d596a314237c48e560da9e17b5a180c20232001";
// docs/upstream-vectors.md §5 V13 sign bytes with memo "" = V14 (wallet-core WalletConnect signAmino test).
const V14_DOC: &str = r#"{"account_number":"19","chain_id":"chain-bnb","data":null,"memo":"","msgs":[{"inputs":[{"address":"bnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lxfn46h2","coins":[{"amount":1001000000,"denom":"BNB"}]}],"outputs":[{"address":"bnb13zeh6hs97d5eu2s5qerguhv8ewwue6u4ywa6yf","coins":[{"amount":1001000000,"denom":"BNB"}]}]}],"sequence":"23","source":"1"}"#;
const V14_SIG: &str = "3c24c784c6bbf99d54ffabb153edcb6d3c4a774936df5c72a5d32897256f8e062f320fb4753302fb0a96f08c475974d20edfd1a27bbeeda73587f58ddc958975";
// docs/walletconnect.md §2: bnb_sign params[0] captured by trustwallet/wallet-connect-swift WCEncryptorTests.swift.
const WC_DOC: &str = r#"{"account_number":"666682","chain_id":"Binance-Chain-Nile","data":null,"memo":"","msgs":[{"id":"A9241D9CDC41DBFF587A236047D5836EDA6C7345-1","ordertype":2,"price":401180,"quantity":2500000000,"sender":"tbnb14yjpm8xug8dl7kr6ydsy04vrdmdxcu69kwrw78","side":2,"symbol":"BNB_BTC.B-918","timeinforce":1}],"sequence":"0","source":"1"}"#;

fn v10_order(key: &PrivateKey) -> UnsignedTx {
    let sender = key.address(&Hrp::mainnet());
    // The sequence is given once: the order's id is derived from it by `UnsignedTx::new`.
    let order = LimitOrder {
        sender,
        symbol: "NNB-338_BNB".into(),
        side: Side::Buy,
        price: "1.3635".parse().unwrap(),
        quantity: Fixed8::ONE,
        time_in_force: TimeInForce::Gte,
    };
    UnsignedTx::new(ChainId::new("chain-bnb").unwrap(), 12, 35, order)
        .unwrap()
        .with_source(1)
        .unwrap()
}

#[test]
fn build_sign_encode_decode_verify_new_order() {
    let key = PrivateKey::from_hex(KEY_90335B).unwrap();
    let tx = v10_order(&key);
    let signed = tx.sign(&key).unwrap();
    assert_eq!(signed.to_hex(), V10_TX);
    assert_eq!(
        signed.hash().to_string(),
        "0A46200587F4BC8C58BEC70BDCD31D956571372EE080D4AA93C4EF99CF063A15"
    );
    let decoded = SignedTx::from_hex(V10_TX, &Hrp::mainnet()).unwrap();
    assert_eq!(decoded, signed);
    let verified = decoded.verify(&ChainId::new("chain-bnb").unwrap()).unwrap();
    assert_eq!(
        verified.signer.to_string(),
        "bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu"
    );
    assert_eq!(verified.unsigned, tx);
    assert!(matches!(
        decoded.verify(&ChainId::new("Binance-Chain-Tigris").unwrap()),
        Err(TxError::BadSignature { .. })
    ));
    // A signature made elsewhere attaches only when it verifies.
    assert_eq!(
        tx.attach_signature(*signed.pub_key(), *signed.signature()),
        Ok(signed.clone())
    );
    let other = PrivateKey::from_hex(KEY_95949F).unwrap();
    assert!(matches!(tx.sign(&other), Err(TxError::KeyMismatch { .. })));
    assert!(matches!(
        tx.attach_signature(other.public_key(), *signed.signature()),
        Err(TxError::PubKeyMismatch { .. })
    ));
}

#[test]
fn describe_says_what_is_signed() {
    let key = PrivateKey::from_hex(KEY_90335B).unwrap();
    assert_eq!(
        v10_order(&key).describe(),
        "BUY 1 NNB-338 at 1.3635 BNB (total 1.3635 BNB), LIMIT GTE, order id \
         BA36F0FAD74D8F41045463E4774F328F4AF779E5-36, from bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu; \
         chain chain-bnb, account 12, sequence 35, source 1, memo \"\""
    );
    let tx = parse_sign_doc(V14_DOC).unwrap();
    assert_eq!(
        tx.msg().describe(),
        "SEND 10.01 BNB to bnb13zeh6hs97d5eu2s5qerguhv8ewwue6u4ywa6yf, from \
         bnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lxfn46h2"
    );
    let from = key.address(&Hrp::mainnet());
    let f = TokenFreeze::new(from, "BNB", Fixed8::ONE).unwrap();
    assert!(Msg::Unfreeze(f).describe().starts_with("UNFREEZE 1 BNB"));
}

/// A message type goes into a transaction without naming its `Msg` variant: V11 (wallet-core
/// `test_binance_sign_cancel_trade_order`, docs/upstream-vectors.md §5) from a bare `CancelOrder`.
#[test]
fn message_types_convert_into_msg() {
    let key = PrivateKey::from_hex(KEY_90335B).unwrap();
    let refid = OrderId::parse("BA36F0FAD74D8F41045463E4774F328F4AF779E5-36").unwrap();
    let cancel = CancelOrder::new(key.address(&Hrp::mainnet()), "NNB-338_BNB", refid).unwrap();
    assert_eq!(Msg::from(cancel.clone()), Msg::CancelOrder(cancel.clone()));
    let tx = UnsignedTx::new(ChainId::new("chain-bnb").unwrap(), 12, 36, cancel)
        .unwrap()
        .with_source(1)
        .unwrap();
    assert_eq!(
        tx.sign(&key).unwrap().hash().to_string(),
        "35C823430C29725D238D3C5259010B66137DF6206C9F75612F9C612175CB2F9F"
    );
}

/// A limit order is checked when its id is derived: a zero price, and a sequence whose
/// successor overflows the chain's int64, are refused before any transaction exists.
#[test]
fn limit_order_rules() {
    let key = PrivateKey::from_hex(KEY_90335B).unwrap();
    let order = |price: Fixed8| LimitOrder {
        sender: key.address(&Hrp::mainnet()),
        symbol: "NNB-338_BNB".into(),
        side: Side::Sell,
        price,
        quantity: Fixed8::ONE,
        time_in_force: TimeInForce::Gte,
    };
    let chain = ChainId::new("chain-bnb").unwrap();
    assert_eq!(
        UnsignedTx::new(chain.clone(), 12, 35, order(Fixed8::ZERO)),
        Err(TxError::ZeroAmount("price"))
    );
    assert_eq!(
        order(Fixed8::ONE).at_sequence(i64::MAX as u64),
        Err(TxError::Range {
            what: "sequence",
            value: i64::MAX as u64
        })
    );
    let Msg::NewOrder(placed) = UnsignedTx::new(chain, 12, 0, order(Fixed8::ONE))
        .unwrap()
        .msg()
        .clone()
    else {
        panic!("a limit order becomes a NewOrder");
    };
    assert_eq!(
        placed.id.to_string(),
        "BA36F0FAD74D8F41045463E4774F328F4AF779E5-1"
    );
}

/// Errors of different modules meet in `dexlink::Error` through `?`, each shown as itself.
#[test]
fn module_errors_convert_into_the_umbrella_error() {
    fn v10(price: &str) -> Result<UnsignedTx, dexlink::Error> {
        let key = PrivateKey::from_hex(KEY_90335B)?;
        let order = LimitOrder {
            sender: key.address(&Hrp::mainnet()),
            symbol: "NNB-338_BNB".into(),
            side: Side::Buy,
            price: price.parse()?,
            quantity: Fixed8::ONE,
            time_in_force: TimeInForce::Gte,
        };
        Ok(UnsignedTx::new(ChainId::new("chain-bnb")?, 12, 35, order)?)
    }
    assert!(v10("1.3635").is_ok());
    let e = v10("1.123456789").unwrap_err();
    assert!(matches!(e, dexlink::Error::Amount(_)), "{e:?}");
    assert_eq!(
        e.to_string(),
        "amount \"1.123456789\" has more than 8 decimals; Binance Chain amounts have at most 8"
    );
    let e = v10("0").unwrap_err();
    assert!(
        matches!(e, dexlink::Error::Tx(TxError::ZeroAmount("price"))),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "price is zero; the chain requires a positive amount"
    );
}

#[test]
fn order_id_must_match_the_sequence() {
    let key = PrivateKey::from_hex(KEY_90335B).unwrap();
    let sender = key.address(&Hrp::mainnet());
    let msg = LimitOrder {
        sender,
        symbol: "NNB-338_BNB".into(),
        side: Side::Buy,
        price: Fixed8::ONE,
        quantity: Fixed8::ONE,
        time_in_force: TimeInForce::Ioc,
    }
    .at_sequence(35)
    .unwrap();
    let e = UnsignedTx::new(
        ChainId::new("chain-bnb").unwrap(),
        12,
        36,
        Msg::NewOrder(msg),
    );
    assert_eq!(
        e,
        Err(TxError::OrderIdMismatch {
            expected: "BA36F0FAD74D8F41045463E4774F328F4AF779E5-37".into(),
            got: "BA36F0FAD74D8F41045463E4774F328F4AF779E5-36".into()
        })
    );
}

#[test]
fn send_rules() {
    let key = PrivateKey::from_hex(KEY_95949F).unwrap();
    let from = key.address(&Hrp::mainnet());
    let to = Address::parse("bnb13zeh6hs97d5eu2s5qerguhv8ewwue6u4ywa6yf").unwrap();
    let coin = |d: &str, a: &str| dexlink::tx::Coin::new(d, a.parse().unwrap());
    // Coins are sorted by denom when an entry is built.
    let e = SendEntry::new(to.clone(), vec![coin("BUSD-BD1", "2"), coin("BNB", "1")]);
    assert_eq!(e.coins[0].denom, "BNB");
    let send = dexlink::tx::Send::from_outputs(from.clone(), vec![e.clone()]).unwrap();
    assert_eq!(send.inputs()[0].coins, e.coins);
    let zero = SendEntry::new(to.clone(), vec![coin("BNB", "0")]);
    assert_eq!(
        dexlink::tx::Send::from_outputs(from.clone(), vec![zero]),
        Err(TxError::ZeroAmount("coin amount"))
    );
    let big = SendEntry::new(to.clone(), vec![coin("BNB", "92233720368.54775807")]);
    assert_eq!(
        dexlink::tx::Send::from_outputs(from.clone(), vec![big.clone(), big]),
        Err(TxError::SumOverflow("BNB".into()))
    );
    let testnet_to = to.with_hrp(Hrp::testnet());
    let send = dexlink::tx::Send::from_outputs(
        from,
        vec![SendEntry::new(testnet_to, vec![coin("BNB", "1")])],
    )
    .unwrap();
    assert!(matches!(
        UnsignedTx::new(ChainId::new("chain-bnb").unwrap(), 1, 1, Msg::Send(send)),
        Err(TxError::MixedHrp { .. })
    ));
}

#[test]
fn walletconnect_sign_doc_round_trips_and_signs() {
    // The captured DEX request is already canonical: re-serialising gives the same text.
    let tx = parse_sign_doc(WC_DOC).unwrap();
    assert_eq!(tx.sign_json(), WC_DOC);
    assert_eq!(
        tx.msg().signer().to_string(),
        "tbnb14yjpm8xug8dl7kr6ydsy04vrdmdxcu69kwrw78"
    );
    // Whitespace and key order do not matter; the canonical form is what gets signed.
    let pretty = V14_DOC
        .replace(",", ", ")
        .replace(
            "{\"account_number\":\"19\",",
            "{\"source\":\"1\",\"account_number\":\"19\",",
        )
        .replace(", \"source\":\"1\"}", "}");
    let tx = parse_sign_doc(&pretty).unwrap();
    assert_eq!(tx.sign_json(), V14_DOC);
    let key = PrivateKey::from_hex(KEY_95949F).unwrap();
    let answer = bnb_sign(&key, &tx).unwrap();
    assert_eq!(answer.signature.to_string(), V14_SIG);
    assert_eq!(
        answer.to_json(),
        format!(
            "{{\"publicKey\":\"{}\",\"signature\":\"{V14_SIG}\"}}",
            hex::encode(key.public_key().to_uncompressed())
        )
    );
    assert!(answer.to_json().contains(
        "\"publicKey\":\"046a35920088d98c3888ca68c53dfc93f4564602606cbb87f0fe5ee533db38e502"
    ));
}

#[test]
fn sign_doc_refusals() {
    let refuse = |doc: String| parse_sign_doc(&doc).unwrap_err();
    // Amounts as strings (the historic js fixture form, docs/sign-docs.md §7).
    assert!(matches!(
        refuse(V14_DOC.replace(":1001000000,", ":\"1001000000\",")),
        SignDocError::WrongType { .. }
    ));
    for bad in ["1001000000.0", "1.001e9", "01001000000", "-1001000000"] {
        let e = refuse(V14_DOC.replace(":1001000000,", &format!(":{bad},")));
        assert!(
            matches!(e, SignDocError::NonCanonicalNumber { .. }),
            "{bad}: {e}"
        );
    }
    assert!(matches!(
        refuse(V14_DOC.replace("\"sequence\":\"23\"", "\"sequence\":\"023\"")),
        SignDocError::NonCanonicalNumber { .. }
    ));
    assert!(matches!(
        refuse(V14_DOC.replace("\"sequence\":\"23\"", "\"sequence\":23")),
        SignDocError::WrongType { .. }
    ));
    assert!(matches!(
        refuse(V14_DOC.replace("\"data\":null,", "")),
        SignDocError::MissingKey(_)
    ));
    assert!(matches!(
        refuse(V14_DOC.replace("\"data\":null", "\"data\":\"\"")),
        SignDocError::DataNotNull
    ));
    assert!(matches!(
        refuse(V14_DOC.replace("\"memo\":\"\"", "\"memo\":\"\",\"fee\":{}")),
        SignDocError::UnknownKey(_)
    ));
    assert!(matches!(
        refuse(V14_DOC.replace("\"denom\":\"BNB\"}", "\"denom\":\"BNB\",\"x\":1}")),
        SignDocError::UnknownKey(_)
    ));
    assert!(matches!(
        refuse(V14_DOC.replace("\"memo\":\"\"", "\"memo\":\"\",\"memo\":\"x\"")),
        SignDocError::Json(_)
    ));
    let two = V14_DOC.replace("\"msgs\":[{", "\"msgs\":[{\"refid\":\"A9241D9CDC41DBFF587A236047D5836EDA6C7345-1\",\"sender\":\"bnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lxfn46h2\",\"symbol\":\"A_B\"},{");
    assert!(matches!(refuse(two), SignDocError::MessageCount(2)));
    let freeze = r#"{"account_number":"0","chain_id":"bnbchain-1000","data":null,"memo":"","msgs":[{"amount":100000000,"from":"bnb1r58rpphguns220pc4yx4t02ckdx405h6a3qyu9","symbol":"BNB"}],"sequence":"10","source":"0"}"#;
    assert_eq!(parse_sign_doc(freeze), Err(SignDocError::AmbiguousFreeze));
    let vote = r#"{"account_number":"0","chain_id":"bnbchain-1000","data":null,"memo":"","msgs":[{"option":"Yes","proposal_id":"1","voter":"bnb1r58rpphguns220pc4yx4t02ckdx405h6a3qyu9"}],"sequence":"3","source":"0"}"#;
    assert!(matches!(
        parse_sign_doc(vote),
        Err(SignDocError::UnknownMessage(_))
    ));
    // Content rules still apply: a zero amount is refused.
    assert!(matches!(
        refuse(V14_DOC.replace(":1001000000,", ":0,")),
        SignDocError::Tx(TxError::ZeroAmount(_))
    ));
    assert!(matches!(
        refuse(V14_DOC.replace("\"memo\":\"\"", "\"memo\":\"a\\u0008b\"")),
        SignDocError::Tx(TxError::MemoControl { .. })
    ));
}

#[test]
fn memo_and_market_are_checked() {
    assert!(Memo::new(&"x".repeat(129)).is_err());
    let m = Market {
        base: "NNB-338".into(),
        quote: "BNB".into(),
        tick_size: "0.0001".parse().unwrap(),
        lot_size: "1".parse().unwrap(),
    };
    assert!(
        m.check_order("NNB-338_BNB", "1.3635".parse().unwrap(), Fixed8::ONE)
            .is_ok()
    );
    assert!(
        m.check_order("NNB-338_BNB", "1.36355".parse().unwrap(), Fixed8::ONE)
            .is_err()
    );
    assert_eq!(
        OrderId::parse("BA36F0FAD74D8F41045463E4774F328F4AF779E5-36")
            .unwrap()
            .number(),
        36
    );
}

#[test]
fn decode_and_verify_in_one_call() {
    use dexlink::Network;
    let bytes = hex::decode(V10_TX).unwrap();
    let chain = ChainId::new("chain-bnb").unwrap();
    let v = SignedTx::decode_and_verify(&bytes, &Network::custom(chain.clone(), Hrp::mainnet()))
        .unwrap();
    assert_eq!(v.signed.to_bytes(), bytes);
    assert_eq!(
        v.hash.to_string(),
        "0A46200587F4BC8C58BEC70BDCD31D956571372EE080D4AA93C4EF99CF063A15"
    );
    // The default HRP for a non-mainnet chain id is tbnb, under which these sign bytes differ.
    assert!(matches!(
        SignedTx::decode_and_verify(&bytes, &Network::from_chain_id(chain.clone())),
        Err(TxError::BadSignature { .. })
    ));
    assert!(matches!(
        SignedTx::decode_and_verify(&bytes[1..], &Network::custom(chain, Hrp::mainnet())),
        Err(TxError::Decode(_))
    ));
}

/// A signer outside this crate (as a hardware wallet or a remote signer would be): it holds a
/// public key and answers digests with whatever `answer` says.
struct Remote<F: Fn(&[u8; 32]) -> Result<dexlink::Signature, dexlink::signer::SignerError>> {
    public: dexlink::PublicKey,
    answer: F,
}

impl<F: Fn(&[u8; 32]) -> Result<dexlink::Signature, dexlink::signer::SignerError>> dexlink::Signer
    for Remote<F>
{
    fn public_key(&self) -> dexlink::PublicKey {
        self.public
    }
    fn sign_digest(
        &self,
        digest: &[u8; 32],
    ) -> Result<dexlink::Signature, dexlink::signer::SignerError> {
        (self.answer)(digest)
    }
}

#[test]
fn sign_with_a_private_key_gives_the_upstream_bytes() {
    let key = PrivateKey::from_hex(KEY_90335B).unwrap();
    assert_eq!(v10_order(&key).sign_with(&key).unwrap().to_hex(), V10_TX);
}

#[test]
fn sign_with_a_remote_signer_gives_the_upstream_bytes() {
    // The remote side sees only the digest and signs it with the key it holds.
    let key = PrivateKey::from_hex(KEY_90335B).unwrap();
    let remote = Remote {
        public: key.public_key(),
        answer: |d: &[u8; 32]| Ok(key.sign_digest(d)),
    };
    assert_eq!(v10_order(&key).sign_with(&remote).unwrap().to_hex(), V10_TX);
}

#[test]
fn sign_with_a_refusing_signer_is_its_error() {
    let key = PrivateKey::from_hex(KEY_90335B).unwrap();
    let remote = Remote {
        public: key.public_key(),
        answer: |_: &[u8; 32]| {
            Err(dexlink::signer::SignerError::Refused(
                "rejected on the device".into(),
            ))
        },
    };
    let err = v10_order(&key).sign_with(&remote).unwrap_err();
    assert!(
        matches!(&err, dexlink::signer::SignerError::Refused(m) if m == "rejected on the device"),
        "{err:?}"
    );
}

#[test]
fn sign_with_a_signature_that_does_not_verify_is_refused() {
    // The signer answers with the right key's signature over another digest.
    let key = PrivateKey::from_hex(KEY_90335B).unwrap();
    let remote = Remote {
        public: key.public_key(),
        answer: |_: &[u8; 32]| Ok(key.sign_digest(&[7; 32])),
    };
    let err = v10_order(&key).sign_with(&remote).unwrap_err();
    assert!(
        matches!(&err, dexlink::signer::SignerError::Tx(TxError::BadSignature { chain_id }) if chain_id == "chain-bnb"),
        "{err:?}"
    );
}

#[test]
fn sign_with_a_key_that_is_not_the_signer_is_refused() {
    let key = PrivateKey::from_hex(KEY_90335B).unwrap();
    let other = PrivateKey::from_hex(KEY_95949F).unwrap();
    let err = v10_order(&key).sign_with(&other).unwrap_err();
    assert!(
        matches!(&err, dexlink::signer::SignerError::Tx(TxError::KeyMismatch { signer, .. }) if signer == "bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu"),
        "{err:?}"
    );
}

#[test]
fn verify_message_accepts_the_upstream_signature_from_its_sender() {
    let key = PrivateKey::from_hex(KEY_95949F).unwrap();
    let from: Address = "bnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lxfn46h2"
        .parse()
        .unwrap();
    let sig = dexlink::Signature::from_hex(V14_SIG).unwrap();
    assert_eq!(
        dexlink::verify_message(&from, &key.public_key(), V14_DOC.as_bytes(), &sig),
        Ok(())
    );
}

#[test]
fn verify_message_refuses_another_address() {
    let key = PrivateKey::from_hex(KEY_95949F).unwrap();
    let to: Address = "bnb13zeh6hs97d5eu2s5qerguhv8ewwue6u4ywa6yf"
        .parse()
        .unwrap();
    let sig = dexlink::Signature::from_hex(V14_SIG).unwrap();
    assert_eq!(
        dexlink::verify_message(&to, &key.public_key(), V14_DOC.as_bytes(), &sig),
        Err(dexlink::signature::MessageError::AddressMismatch {
            key: "bnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lxfn46h2".into(),
            address: "bnb13zeh6hs97d5eu2s5qerguhv8ewwue6u4ywa6yf".into(),
        })
    );
}

#[test]
fn verify_message_refuses_a_changed_message() {
    let key = PrivateKey::from_hex(KEY_95949F).unwrap();
    let from: Address = "bnb1grpf0955h0ykzq3ar5nmum7y6gdfl6lxfn46h2"
        .parse()
        .unwrap();
    let sig = dexlink::Signature::from_hex(V14_SIG).unwrap();
    let changed = V14_DOC.replace("\"sequence\":\"23\"", "\"sequence\":\"24\"");
    assert_eq!(
        dexlink::verify_message(&from, &key.public_key(), changed.as_bytes(), &sig),
        Err(dexlink::signature::MessageError::BadSignature)
    );
}
