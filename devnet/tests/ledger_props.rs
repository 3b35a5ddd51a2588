//! Random sequences of faucet, broadcast (send, order, cancel, freeze, unfreeze), link, read and
//! malformed requests over HTTP, with the ledger's invariants checked after every answer: no
//! coin created or destroyed except by the faucet (each asset's total held equals what the
//! faucet granted, counted here), account numbers fixed once assigned, sequences moving by
//! exactly one per accepted transaction and never otherwise, height never falling, and no 5xx
//! or dropped connection on any input. Each accepted transaction is its own block, so crossing
//! orders fill and settle with the chain's fees: fees only flow into the fee account (counted
//! in the totals), trades are never undone, and every holding's locked amount is what its open
//! orders still lock (the ledger's validation, checked after every answer). Breathe blocks
//! expire old orders: their locks come back and their expiry fees join the fee account, with
//! every coin still accounted for.

mod common;

use std::collections::BTreeMap;

use dexlink::address::{Address, ChainId, Hrp};
use dexlink::amount::Fixed8;
use dexlink::tx::{
    CancelOrder, Coin, LimitOrder, Msg, OrderId, Send, SendEntry, Side, TimeInForce, TokenFreeze,
};
use dexlink::{PrivateKey, UnsignedTx};
use dexlink_devnet::state::Ledger;
use dexlink_devnet::{DevnetConfig, Running, spawn};
use proptest::prelude::*;

const ASSETS: [&str; 3] = ["BNB", "BUSD-BD1", "BTCB-1DE"];
/// (symbol, tick, lot) of the default devnet markets, as the config documents them.
const MARKETS: [(&str, i64, i64); 2] = [
    ("BNB_BUSD-BD1", 10_000, 1_000_000),
    ("BTCB-1DE_BNB", 1, 100_000),
];
const USERS: usize = 4;

fn key(n: usize) -> PrivateKey {
    PrivateKey::from_bytes(&[n as u8 + 1; 32]).unwrap()
}

fn address(n: usize) -> Address {
    key(n).address(&Hrp::testnet())
}

/// Units as the API's decimal string, formatted here (not by the code under test).
fn decimal(units: i64) -> String {
    format!("{}.{:08}", units / 100_000_000, units % 100_000_000)
}

#[derive(Debug, Clone)]
enum Op {
    Faucet {
        who: usize,
        asset: usize,
        units: i64,
    },
    Send {
        from: usize,
        to: usize,
        asset: usize,
        units: i64,
        skew: i8,
    },
    Order {
        who: usize,
        market: usize,
        sell: bool,
        ticks: i64,
        lots: i64,
        ioc: bool,
        skew: i8,
    },
    Cancel {
        who: usize,
        pick: usize,
        skew: i8,
    },
    Freeze {
        who: usize,
        asset: usize,
        units: i64,
        unfreeze: bool,
        skew: i8,
    },
    Challenge {
        who: usize,
    },
    Raw {
        path: usize,
        body: Vec<u8>,
    },
    /// `POST /devnet/breathe`: a breathe block, expiring the orders placed before the
    /// previous one (the test's devnet keeps orders one breathe period).
    Breathe,
    /// A read with an arbitrary argument (`None`: a real user's address).
    Get {
        path: usize,
        arg: Option<String>,
        who: usize,
    },
}

const GET_PATHS: [&str; 6] = [
    "/api/v1/account/",
    "/api/v1/account/{}/sequence",
    "/api/v1/tx/",
    "/api/v1/orders/open?address=",
    "/api/v1/link/",
    "/api/v1/markets?x=",
];

const RAW_PATHS: [&str; 4] = [
    "/devnet/faucet",
    "/api/v1/broadcast",
    "/api/v1/link",
    "/api/v1/link/challenge",
];

fn units() -> impl Strategy<Value = i64> {
    prop_oneof![
        6 => 1i64..5_000_000_000,
        1 => Just(i64::MAX),
        1 => Just(i64::MAX / 2 + 1),
        // Just above what fills a funded account's `free` to the top: the holding's total
        // overflows once anything of it is locked or frozen.
        2 => Just(i64::MAX - 99_000_000_000),
        1 => Just(0i64),
    ]
}

/// Amounts to move: mostly within what the accounts hold, sometimes absurd.
fn small_units() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => 1i64..2_000_000_000,
        1 => Just(i64::MAX),
        1 => Just(0i64),
    ]
}

fn skew() -> impl Strategy<Value = i8> {
    prop_oneof![8 => Just(0i8), 1 => Just(-1i8), 1 => Just(1i8)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..USERS + 1, 0..ASSETS.len(), units())
            .prop_map(|(who, asset, units)| Op::Faucet { who, asset, units }),
        3 => (0..USERS, 0..USERS + 1, 0..ASSETS.len(), small_units(), skew())
            .prop_map(|(from, to, asset, units, skew)| Op::Send { from, to, asset, units, skew }),
        3 => (0..USERS, 0..MARKETS.len(), any::<bool>(),
              prop_oneof![1i64..2_000, Just(i64::MAX / 10_000)], prop_oneof![1i64..2_000, Just(i64::MAX / 1_000_000)],
              any::<bool>(), skew())
            .prop_map(|(who, market, sell, ticks, lots, ioc, skew)| Op::Order { who, market, sell, ticks, lots, ioc, skew }),
        2 => (0..USERS, any::<usize>(), skew())
            .prop_map(|(who, pick, skew)| Op::Cancel { who, pick, skew }),
        1 => (0..USERS, 0..ASSETS.len(), small_units(), any::<bool>(), skew())
            .prop_map(|(who, asset, units, unfreeze, skew)| Op::Freeze { who, asset, units, unfreeze, skew }),
        1 => (0..USERS + 1).prop_map(|who| Op::Challenge { who }),
        2 => Just(Op::Breathe),
        2 => (0..RAW_PATHS.len(), prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..200),
                "[ -~]{0,120}".prop_map(String::into_bytes),
                Just(br#"{"address":"tbnb1","asset":"BNB","amount":"1"}"#.to_vec()),
                Just(br#"{"address":5,"asset":[],"amount":null}"#.to_vec()),
            ])
            .prop_map(|(path, body)| Op::Raw { path, body }),
        2 => (0..GET_PATHS.len(), proptest::option::of("[0-9A-Za-z._~-]{0,80}"), 0..USERS)
            .prop_map(|(path, arg, who)| Op::Get { path, arg, who }),
    ]
}

/// What the test knows independently of the node: what the faucet granted, and every account's
/// number and sequence as last seen.
#[derive(Default)]
struct Model {
    granted: BTreeMap<String, i128>,
    accounts: BTreeMap<String, (i64, i64)>,
    height: i64,
    /// Ids of orders this test placed and saw accepted, per user.
    orders: Vec<(usize, usize, OrderId)>,
    /// The fee account's holdings: fees only ever flow into it.
    fees: BTreeMap<String, i64>,
    /// Trades so far: a block never takes one back.
    trades: usize,
    /// Heights of the breathe blocks made so far.
    breathes: Vec<i64>,
}

/// Where the devnet's fees go: the ASCII bytes `dexlink-devnet-fees!` as an address.
fn fee_account() -> String {
    Address::new(Hrp::testnet(), *b"dexlink-devnet-fees!").to_string()
}

/// The request one op makes: method, path and body, and the signer of a broadcast.
struct Request {
    get: bool,
    path: String,
    body: Vec<u8>,
    signer: Option<String>,
    /// A faucet grant: (asset, units).
    grant: Option<(String, i64)>,
    placed: Option<(usize, usize, OrderId)>,
}

fn sign(
    ledger: &Ledger,
    who: usize,
    skew: i8,
    msg: impl FnOnce(u64) -> Option<Msg>,
) -> Option<(Vec<u8>, String)> {
    let a = address(who).to_string();
    let (an, seq) = ledger
        .accounts
        .get(&a)
        .map_or((0, 0), |acct| (acct.account_number, acct.sequence));
    let seq = u64::try_from(seq + i64::from(skew)).ok()?;
    let msg = msg(seq)?;
    let chain = ChainId::new(&ledger.chain_id).unwrap();
    let tx = UnsignedTx::new(chain, an as u64, seq, msg)
        .ok()?
        .sign(&key(who))
        .ok()?;
    Some((tx.to_bytes(), a))
}

fn request(op: &Op, ledger: &Ledger, model: &Model) -> Option<Request> {
    let broadcast = |(tx, signer): (Vec<u8>, String)| Request {
        path: "/api/v1/broadcast".into(),
        body: hex::encode(tx).into_bytes(),
        signer: Some(signer),
        grant: None,
        placed: None,
        get: false,
    };
    Some(match op {
        Op::Faucet { who, asset, units } => {
            let addr = if *who == USERS {
                "tbnb1notanaddress".to_string()
            } else {
                address(*who).to_string()
            };
            Request {
                path: "/devnet/faucet".into(),
                body: serde_json::json!({"address": addr, "asset": ASSETS[*asset], "amount": decimal(*units)})
                    .to_string()
                    .into_bytes(),
                signer: None,
                grant: Some((ASSETS[*asset].to_string(), *units)),
                placed: None,
get: false,
            }
        }
        Op::Send { from, to, asset, units, skew } => {
            let to = if *to == USERS { address(USERS + 1) } else { address(*to) };
            broadcast(sign(ledger, *from, *skew, |_| {
                let coin = Coin::new(ASSETS[*asset], Fixed8::from_units(*units).ok()?);
                let send = Send::from_outputs(address(*from), vec![SendEntry::new(to, vec![coin])]).ok()?;
                Some(Msg::Send(send))
            })?)
        }
        Op::Order { who, market, sell, ticks, lots, ioc, skew } => {
            let (symbol, tick, lot) = MARKETS[*market];
            let side = if *sell { Side::Sell } else { Side::Buy };
            let tif = if *ioc { TimeInForce::Ioc } else { TimeInForce::Gte };
            let mut id = None;
            let signed = sign(ledger, *who, *skew, |seq| {
                let price = Fixed8::from_units(ticks.checked_mul(tick)?).ok()?;
                let qty = Fixed8::from_units(lots.checked_mul(lot)?).ok()?;
                let o = LimitOrder {
                    sender: address(*who),
                    symbol: symbol.into(),
                    side,
                    price,
                    quantity: qty,
                    time_in_force: tif,
                }
                .at_sequence(seq)
                .ok()?;
                id = Some(o.id);
                Some(Msg::NewOrder(o))
            })?;
            let mut r = broadcast(signed);
            r.placed = id.filter(|_| !*ioc).map(|id| (*who, *market, id));
            r
        }
        Op::Cancel { who, pick, skew } => {
            let mine: Vec<_> = model.orders.iter().filter(|(w, _, _)| w == who).collect();
            let (market, id) = match mine.get(pick % mine.len().max(1)) {
                Some((_, m, id)) => (*m, *id),
                // No order of its own: try another user's (refused).
                None => {
                    let (_, m, id) = model.orders.get(pick % model.orders.len().max(1))?;
                    (*m, *id)
                }
            };
            broadcast(sign(ledger, *who, *skew, |_| {
                Some(Msg::CancelOrder(CancelOrder::new(address(*who), MARKETS[market].0, id).ok()?))
            })?)
        }
        Op::Freeze { who, asset, units, unfreeze, skew } => broadcast(sign(ledger, *who, *skew, |_| {
            let f = TokenFreeze::new(address(*who), ASSETS[*asset], Fixed8::from_units(*units).ok()?).ok()?;
            Some(if *unfreeze { Msg::Unfreeze(f) } else { Msg::Freeze(f) })
        })?),
        Op::Challenge { who } => Request {
            path: "/api/v1/link/challenge".into(),
            body: serde_json::json!({"address": if *who == USERS { "bnb1xyz".to_string() } else { address(*who).to_string() }})
                .to_string()
                .into_bytes(),
            signer: None,
            grant: None,
            placed: None,
get: false,
        },
        Op::Breathe => Request {
            path: "/devnet/breathe".into(),
            body: Vec::new(),
            signer: None,
            grant: None,
            placed: None,
            get: false,
        },
        Op::Raw { path, body } => Request {
            path: RAW_PATHS[*path].into(),
            body: body.clone(),
            signer: None,
            grant: None,
            placed: None,
get: false,
        },
        Op::Get { path, arg, who } => {
            let arg = arg.clone().unwrap_or_else(|| address(*who).to_string());
            let template = GET_PATHS[*path];
            let path = if template.contains("{}") {
                template.replace("{}", &arg)
            } else {
                format!("{template}{arg}")
            };
            Request {
                path,
                body: Vec::new(),
                signer: None,
                grant: None,
                placed: None,
                get: true,
            }
        }
    })
}

/// Checks the invariants after one answer and moves the model on.
fn check(
    op: &Op,
    r: &Request,
    status: u16,
    body: &str,
    ledger: &Ledger,
    model: &mut Model,
) -> Result<(), TestCaseError> {
    prop_assert!(status < 500, "{op:?} got {status}: {body}");
    if status == 200 {
        if let Some((asset, units)) = &r.grant {
            *model.granted.entry(asset.clone()).or_default() += i128::from(*units);
        }
        if let Some(p) = r.placed {
            model.orders.push(p);
        }
    }
    // No coin created or destroyed except by the faucet.
    let mut held: BTreeMap<String, i128> = BTreeMap::new();
    for acct in ledger.accounts.values() {
        for (asset, h) in &acct.balances {
            prop_assert!(
                h.free >= 0 && h.locked >= 0 && h.frozen >= 0,
                "{op:?}: negative holding {h:?}"
            );
            *held.entry(asset.clone()).or_default() +=
                i128::from(h.free) + i128::from(h.locked) + i128::from(h.frozen);
        }
    }
    held.retain(|_, v| *v != 0);
    // Fees only move to the fee account, which never spends; trades are never undone.
    let fees: BTreeMap<String, i64> = ledger
        .accounts
        .get(&fee_account())
        .map(|a| {
            a.balances
                .iter()
                .map(|(k, h)| (k.clone(), h.free))
                .collect()
        })
        .unwrap_or_default();
    for (asset, before) in &model.fees {
        prop_assert!(
            fees.get(asset).copied().unwrap_or(0) >= *before,
            "{op:?}: the fee account's {asset} fell"
        );
    }
    model.fees = fees;
    prop_assert!(
        ledger.trades.len() >= model.trades,
        "{op:?}: a trade vanished"
    );
    model.trades = ledger.trades.len();
    let granted: BTreeMap<String, i128> = model
        .granted
        .iter()
        .filter(|(_, v)| **v != 0)
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    prop_assert_eq!(&held, &granted, "{:?} ({}: {})", op, status, body);
    // Account numbers are fixed; sequences move by one per accepted transaction of the signer.
    for (a, (an, seq)) in &model.accounts {
        let acct = ledger.accounts.get(a);
        prop_assert!(acct.is_some(), "{op:?}: account {a} vanished");
        let acct = acct.unwrap();
        prop_assert_eq!(acct.account_number, *an);
        let step = i64::from(status == 200 && r.signer.as_deref() == Some(a.as_str()));
        prop_assert_eq!(
            acct.sequence,
            seq + step,
            "{:?} ({}: {}) for {}",
            op,
            status,
            body,
            a
        );
    }
    let accepted_tx = status == 200 && r.signer.is_some();
    let breathed = status == 200 && r.path == "/devnet/breathe";
    prop_assert_eq!(
        ledger.height,
        model.height + i64::from(accepted_tx) + i64::from(breathed),
        "{:?}",
        op
    );
    if breathed {
        model.breathes.push(ledger.height);
        // Kept one period: after a breathe block, no order placed before the previous one is
        // open (its lock released and its fee in the fee account, both counted above).
        if let [.., previous, _] = model.breathes[..] {
            for o in ledger.orders.values() {
                prop_assert!(
                    o.pending || o.height >= previous,
                    "order {} of height {} outlived the breathe block at {}",
                    o.order_id,
                    o.height,
                    previous
                );
            }
        }
    }
    model.height = ledger.height;
    model.accounts = ledger
        .accounts
        .iter()
        .map(|(a, acct)| (a.clone(), (acct.account_number, acct.sequence)))
        .collect();
    prop_assert_eq!(ledger.validate(), Ok(()), "{:?}", op);
    Ok(())
}

/// Funds every user, then runs `ops`, checking the invariants after each answer; returns the
/// statuses (funding first).
async fn run_ops(
    run: &Running,
    http: &reqwest::Client,
    ops: &[Op],
) -> Result<Vec<u16>, TestCaseError> {
    let mut statuses = Vec::new();
    let mut model = Model::default();
    // Every user starts with some of every asset, so that most transactions can succeed.
    let funding = (0..USERS).flat_map(|who| {
        (0..ASSETS.len()).map(move |asset| Op::Faucet {
            who,
            asset,
            units: 100_000_000_000,
        })
    });
    let ops: Vec<Op> = funding.chain(ops.iter().cloned()).collect();
    for op in &ops {
        let before = run.devnet.ledger().clone();
        let Some(r) = request(op, &before, &model) else {
            continue;
        };
        let url = format!("{}{}", run.base_url(), r.path);
        let req = if r.get {
            http.get(url)
        } else {
            http.post(url)
                .header("content-type", "text/plain")
                .body(r.body.clone())
        };
        let resp = req.send().await;
        let resp = match resp {
            Ok(resp) => resp,
            Err(e) => return Err(TestCaseError::fail(format!("{op:?}: no answer: {e}"))),
        };
        let status = resp.status().as_u16();
        let body = resp
            .text()
            .await
            .map_err(|e| TestCaseError::fail(format!("{op:?}: body: {e}")))?;
        prop_assert!(
            serde_json::from_str::<serde_json::Value>(&body).is_ok(),
            "{op:?}: not JSON: {body}"
        );
        let ledger = run.devnet.ledger().clone();
        check(op, &r, status, &body, &ledger, &mut model)?;
        statuses.push(status);
    }
    Ok(statuses)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn the_ledger_invariants_hold_over_random_request_sequences(ops in proptest::collection::vec(op(), 1..40)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let run = spawn(DevnetConfig {
                breathe: dexlink_devnet::BreatheConfig {
                    every_blocks: Some(1_000_000),
                    order_keep: 1,
                    order_force_keep: 1,
                },
                ..DevnetConfig::default()
            })
            .await
            .unwrap();
            let http = common::plain_http_client();
            let r = run_ops(&run, &http, &ops).await;
            run.stop().await;
            r
        }).map(|_| ())?;
    }
}

#[tokio::test]
async fn a_faucet_credit_that_would_overflow_a_holding_with_locked_funds_is_refused() {
    // Regression: the faucet checked only `free`, so free + locked could pass i64::MAX, and
    // cancelling the order then overflowed `free` (a panic in a debug build).
    let run = spawn(DevnetConfig::default()).await.unwrap();
    let http = common::plain_http_client();
    let ops = [
        // Locks 15 BNB (1_500_000_000 units) of user 0's 1,000.
        Op::Order {
            who: 0,
            market: 0,
            sell: true,
            ticks: 5,
            lots: 1_500,
            ioc: false,
            skew: 0,
        },
        Op::Faucet {
            who: 0,
            asset: 0,
            units: i64::MAX - 99_000_000_000,
        },
        Op::Cancel {
            who: 0,
            pick: 0,
            skew: 0,
        },
    ];
    let statuses = run_ops(&run, &http, &ops).await.unwrap();
    assert_eq!(statuses[ASSETS.len() * USERS..], [200, 400, 200]);
    run.stop().await;
}
