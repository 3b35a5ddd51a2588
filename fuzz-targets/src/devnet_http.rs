//! The devnet's HTTP handlers under fuzzed request sequences, with the ledger's invariants
//! checked after every answer (as `devnet/tests/ledger_props.rs` does with proptest): no 5xx, no
//! connection dropped without an answer, each asset's supply changed only by the faucet grants
//! answered 200 (counted here from the request bodies), account numbers fixed, sequences moving
//! by exactly one per accepted transaction of their signer and never otherwise, height never
//! falling, and the ledger's own validation passing.
//!
//! One node (and one keep-alive connection) serves many inputs, since starting one per input
//! would cost a port and a socket in `TIME_WAIT` each; the invariants are relative to the state
//! before each request. The node is replaced every [`INPUTS_PER_NODE`] inputs so that resting
//! orders and transactions do not pile up without bound.

use std::collections::BTreeMap;
use std::sync::Mutex;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Method, Request, Uri};
use dexlink::address::{Address, ChainId, Hrp};
use dexlink::amount::Fixed8;
use dexlink::tx::{
    CancelOrder, Coin, LimitOrder, Msg, OrderId, Send, SendEntry, Side, TimeInForce, TokenFreeze,
};
use dexlink::{PrivateKey, UnsignedTx};
use dexlink_devnet::{DevnetConfig, Running, spawn};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;

/// How many inputs one node serves before it is replaced.
const INPUTS_PER_NODE: u32 = 256;
/// Requests per input at most.
const MAX_REQUESTS: usize = 8;
/// The largest fuzzed body, path or header value (the node's own body cap is tested elsewhere).
const MAX_FIELD: usize = 2048;
/// The largest response body read.
const MAX_RESPONSE: usize = 4 << 20;

const USERS: usize = 4;
const ASSETS: [&str; 3] = ["BNB", "BUSD-BD1", "BTCB-1DE"];
/// (symbol, tick, lot) of [`DevnetConfig::default`]'s markets, written out here.
const MARKETS: [(&str, i64, i64); 3] = [
    ("BNB_BUSD-BD1", 10_000, 1_000_000),
    ("BTCB-1DE_BNB", 1, 100_000),
    ("NNB-338_BNB", 1, 100_000_000),
];
/// Genesis grant per user and asset: 1,000 units of each.
const GENESIS_UNITS: i64 = 100_000_000_000;

const POST_ROUTES: [&str; 4] = [
    "/devnet/faucet",
    "/api/v1/broadcast",
    "/api/v1/link",
    "/api/v1/link/challenge",
];
/// Read routes; `{}` is replaced by the fuzzed (or a real) argument.
const GET_ROUTES: [&str; 9] = [
    "/api/v1/account/{}",
    "/api/v1/account/{}/sequence",
    "/api/v1/tx/{}",
    "/api/v1/orders/open?address={}",
    "/api/v1/link/{}",
    "/api/v1/markets?{}",
    "/api/v1/node-info",
    "/devnet/faults",
    "/{}",
];
const METHODS: [Method; 7] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::HEAD,
    Method::OPTIONS,
    Method::PATCH,
];
/// Header names a fuzzed request may carry: none that frames the message (length, transfer
/// encoding, expect, upgrade), which the client owns.
const HEADERS: [&str; 8] = [
    "content-type",
    "accept",
    "user-agent",
    "origin",
    "authorization",
    "accept-encoding",
    "connection",
    "x-forwarded-for",
];

fn key(n: usize) -> PrivateKey {
    PrivateKey::from_bytes(&[n as u8 + 1; 32]).expect("fixed test key")
}

fn address(n: usize) -> Address {
    key(n).address(&Hrp::testnet())
}

/// Reads fuzz bytes as choices; past the end every choice is zero.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
    fn below(&mut self, n: usize) -> usize {
        usize::from(self.u8()) % n
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    fn i64(&mut self) -> i64 {
        let mut b = [0u8; 8];
        b.iter_mut().for_each(|x| *x = self.u8());
        i64::from_le_bytes(b)
    }
    fn bytes(&mut self) -> Vec<u8> {
        let n = usize::from(self.u16()) % MAX_FIELD;
        let n = n.min(self.0.len());
        let (b, rest) = self.0.split_at(n);
        self.0 = rest;
        b.to_vec()
    }
    fn text(&mut self) -> String {
        String::from_utf8_lossy(&self.bytes()).into_owned()
    }
    /// An amount in units: mostly modest, sometimes an edge.
    fn units(&mut self) -> i64 {
        match self.u8() % 8 {
            0..=4 => i64::from(self.u16()) * 1_000_000,
            5 => i64::MAX,
            6 => 0,
            _ => self.i64(),
        }
    }
    /// A sequence offset: mostly the right one.
    fn skew(&mut self) -> i64 {
        match self.u8() % 8 {
            0 => -1,
            1 => 1,
            _ => 0,
        }
    }
    fn exhausted(&self) -> bool {
        self.0.is_empty()
    }
}

/// One request: method, path and query, headers, body; for a broadcast its signer, and for a
/// structured request whether the answer must be JSON.
struct Call {
    method: Method,
    path: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Vec<u8>,
    signer: Option<String>,
    /// A resting order this call places: (market, id).
    placed: Option<(usize, OrderId)>,
    json_answer: bool,
}

impl Call {
    fn post(path: &str, body: Vec<u8>) -> Self {
        Self {
            method: Method::POST,
            path: path.into(),
            headers: vec![],
            body,
            signer: None,
            placed: None,
            json_answer: true,
        }
    }
}

/// What the node holds, as far as the invariants need it.
#[derive(Debug, PartialEq)]
struct View {
    supply: BTreeMap<String, i128>,
    accounts: BTreeMap<String, (i64, i64)>,
    height: i64,
}

fn view(run: &Running) -> View {
    let l = run.devnet.ledger();
    let mut supply: BTreeMap<String, i128> = BTreeMap::new();
    for acct in l.accounts.values() {
        for (asset, h) in &acct.balances {
            assert!(
                h.free >= 0 && h.locked >= 0 && h.frozen >= 0,
                "negative holding {h:?}"
            );
            *supply.entry(asset.clone()).or_default() +=
                i128::from(h.free) + i128::from(h.locked) + i128::from(h.frozen);
        }
    }
    supply.retain(|_, v| *v != 0);
    if let Err(e) = l.validate() {
        panic!("the ledger does not validate: {e}");
    }
    View {
        supply,
        accounts: l
            .accounts
            .iter()
            .map(|(a, acct)| (a.clone(), (acct.account_number, acct.sequence)))
            .collect(),
        height: l.height,
    }
}

/// Signs `msg` for user `who` with the account's number and its sequence moved by `skew`.
fn broadcast(
    run: &Running,
    who: usize,
    skew: i64,
    msg: impl FnOnce(u64) -> Option<Msg>,
) -> Option<Call> {
    let a = address(who).to_string();
    let (an, seq, chain) = {
        let l = run.devnet.ledger();
        let (an, seq) = l
            .accounts
            .get(&a)
            .map_or((0, 0), |acct| (acct.account_number, acct.sequence));
        (an, seq, l.chain_id.clone())
    };
    let seq = u64::try_from(seq.checked_add(skew)?).ok()?;
    let msg = msg(seq)?;
    let tx = UnsignedTx::new(
        ChainId::new(&chain).ok()?,
        u64::try_from(an).ok()?,
        seq,
        msg,
    )
    .ok()?
    .sign(&key(who))
    .ok()?;
    let mut call = Call::post("/api/v1/broadcast", tx.to_hex().into_bytes());
    call.signer = Some(a);
    Some(call)
}

/// The next request the input asks for (`None`: one the client cannot send, skipped).
fn next_call(input: &mut Input<'_>, run: &Running, placed: &[(usize, OrderId)]) -> Option<Call> {
    let user = |input: &mut Input<'_>| input.below(USERS);
    Some(match input.u8() % 9 {
        0 => {
            let who = input.below(USERS + 1);
            let addr = if who == USERS {
                "tbnb1notanaddress".to_string()
            } else {
                address(who).to_string()
            };
            let asset = ASSETS[input.below(ASSETS.len())];
            let units = input.units();
            let amount = format!(
                "{}{}.{:08}",
                if units < 0 { "-" } else { "" },
                (units / 100_000_000).unsigned_abs(),
                (units % 100_000_000).unsigned_abs()
            );
            let body = serde_json::json!({"address": addr, "asset": asset, "amount": amount});
            Call::post("/devnet/faucet", body.to_string().into_bytes())
        }
        1 => {
            let (from, to, asset) = (
                user(input),
                input.below(USERS + 2),
                input.below(ASSETS.len()),
            );
            let (units, skew) = (input.units(), input.skew());
            broadcast(run, from, skew, |_| {
                let coin = Coin::new(ASSETS[asset], Fixed8::from_units(units).ok()?);
                let send = Send::from_outputs(
                    address(from),
                    vec![SendEntry::new(address(to), vec![coin])],
                );
                Some(Msg::Send(send.ok()?))
            })?
        }
        2 => {
            let (who, market) = (user(input), input.below(MARKETS.len()));
            let side = if input.u8() & 1 == 0 {
                Side::Buy
            } else {
                Side::Sell
            };
            let tif = if input.u8() & 1 == 0 {
                TimeInForce::Gte
            } else {
                TimeInForce::Ioc
            };
            let (ticks, lots) = (i64::from(input.u16()), i64::from(input.u16()) % 64);
            // Now and then off the tick or the lot.
            let (off_tick, off_lot) =
                (input.u8().is_multiple_of(16), input.u8().is_multiple_of(16));
            let skew = input.skew();
            let (symbol, tick, lot) = MARKETS[market];
            let mut id = None;
            let mut call = broadcast(run, who, skew, |seq| {
                let price = ticks.checked_mul(tick)? + i64::from(off_tick);
                let qty = lots.checked_mul(lot)? + i64::from(off_lot);
                let o = LimitOrder {
                    sender: address(who),
                    symbol: symbol.to_string(),
                    side,
                    price: Fixed8::from_units(price).ok()?,
                    quantity: Fixed8::from_units(qty).ok()?,
                    time_in_force: tif,
                }
                .at_sequence(seq)
                .ok()?;
                id = Some(o.id);
                Some(Msg::NewOrder(o))
            })?;
            call.placed = id
                .filter(|_| tif == TimeInForce::Gte)
                .map(|id| (market, id));
            call
        }
        3 => {
            let who = user(input);
            let (pick, skew) = (input.u8(), input.skew());
            let &(market, id) = placed.get(usize::from(pick) % placed.len().max(1))?;
            broadcast(run, who, skew, |_| {
                Some(Msg::CancelOrder(
                    CancelOrder::new(address(who), MARKETS[market].0, id).ok()?,
                ))
            })?
        }
        4 => {
            let (who, asset, unfreeze) =
                (user(input), input.below(ASSETS.len()), input.u8() & 1 == 1);
            let (units, skew) = (input.units(), input.skew());
            broadcast(run, who, skew, |_| {
                let f =
                    TokenFreeze::new(address(who), ASSETS[asset], Fixed8::from_units(units).ok()?);
                Some(if unfreeze {
                    Msg::Unfreeze(f.ok()?)
                } else {
                    Msg::Freeze(f.ok()?)
                })
            })?
        }
        5 => {
            let who = input.below(USERS + 1);
            let addr = if who == USERS {
                "bnb1xyz".to_string()
            } else {
                address(who).to_string()
            };
            let body = serde_json::json!({"address": addr});
            Call::post("/api/v1/link/challenge", body.to_string().into_bytes())
        }
        6 => {
            let path = POST_ROUTES[input.below(POST_ROUTES.len())];
            Call::post(path, input.bytes())
        }
        7 => {
            let route = GET_ROUTES[input.below(GET_ROUTES.len())];
            let arg = if input.u8() & 1 == 0 {
                address(input.below(USERS)).to_string()
            } else {
                input.text()
            };
            Call {
                method: Method::GET,
                path: route.replace("{}", &arg),
                headers: vec![],
                body: vec![],
                signer: None,
                placed: None,
                json_answer: true,
            }
        }
        _ => {
            let method = METHODS[input.below(METHODS.len())].clone();
            let path = if input.u8() & 1 == 0 {
                let route = POST_ROUTES[input.below(POST_ROUTES.len())];
                format!("{route}{}", input.text())
            } else {
                input.text()
            };
            let mut headers = Vec::new();
            for _ in 0..input.below(4) {
                let name = HeaderName::from_static(HEADERS[input.below(HEADERS.len())]);
                if let Ok(v) = HeaderValue::from_bytes(&input.bytes()) {
                    headers.push((name, v));
                }
            }
            Call {
                method,
                path,
                headers,
                body: input.bytes(),
                signer: None,
                placed: None,
                json_answer: false,
            }
        }
    })
}

/// Whether the call would reach the fault switch, which exists to make the node answer 5xx or
/// drop connections on purpose: such calls are not sent.
fn sets_faults(c: &Call) -> bool {
    c.method != Method::GET && c.path.to_ascii_lowercase().contains("fault")
}

/// A grant the faucet made if it answered 200 to `c`: (asset, units), read from the request.
fn grant(c: &Call) -> Option<(String, i64)> {
    let path = c.path.split(['?', '#']).next().unwrap_or_default();
    if c.method != Method::POST || path != "/devnet/faucet" {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&c.body).ok()?;
    let asset = v.get("asset")?.as_str()?.to_string();
    let units = Fixed8::parse(v.get("amount")?.as_str()?).ok()?.units();
    Some((asset, units))
}

struct Node {
    rt: tokio::runtime::Runtime,
    run: Option<Running>,
    conn: Option<SendRequest<Body>>,
    inputs: u32,
}

impl Drop for Node {
    fn drop(&mut self) {
        // Tokio's sockets and channels need the runtime's context to be dropped in.
        let _context = self.rt.enter();
        self.conn = None;
        if let Some(run) = self.run.take() {
            self.rt.block_on(run.stop());
        }
    }
}

/// The node of this process. A static, never dropped at exit: a thread-local's destructor
/// would run after tokio's own thread-locals are gone.
static NODE: Mutex<Option<Node>> = Mutex::new(None);

fn config() -> DevnetConfig {
    DevnetConfig {
        genesis: (0..USERS)
            .flat_map(|u| ASSETS.map(|a| (address(u).to_string(), a.to_string(), GENESIS_UNITS)))
            .collect(),
        ..DevnetConfig::default()
    }
}

impl Node {
    fn new() -> Self {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        let run = rt.block_on(spawn(config())).expect("devnet starts");
        Self {
            rt,
            run: Some(run),
            conn: None,
            inputs: 0,
        }
    }

    fn run(&self) -> &Running {
        self.run.as_ref().expect("a running node")
    }

    /// Sends `c` on the kept connection (opening one if the node closed it) and returns the
    /// status and body. Panics if the node drops the connection without answering.
    fn send(&mut self, c: &Call) -> Option<(u16, Vec<u8>)> {
        let uri: Uri = format!("{}{}", self.run().base_url(), c.path)
            .parse()
            .ok()?;
        let mut req = Request::builder().method(c.method.clone()).uri(uri);
        for (k, v) in &c.headers {
            req = req.header(k, v);
        }
        let req = req.body(Body::from(c.body.clone())).ok()?;
        let addr = self.run().addr;
        let mut conn = self.conn.take();
        let (status, body) = self.rt.block_on(async {
            let alive = match conn.as_mut() {
                Some(s) => s.ready().await.is_ok(),
                None => false,
            };
            if !alive {
                let stream = tokio::net::TcpStream::connect(addr)
                    .await
                    .expect("connect to the devnet");
                let (sender, connection) =
                    hyper::client::conn::http1::handshake(TokioIo::new(stream))
                        .await
                        .expect("HTTP handshake");
                tokio::spawn(connection);
                conn = Some(sender);
            }
            let sender = conn.as_mut().expect("a connection");
            let resp = match sender.send_request(req).await {
                Ok(r) => r,
                Err(e) => panic!("{} {}: no answer: {e}", c.method, c.path),
            };
            let status = resp.status().as_u16();
            let body = axum::body::to_bytes(Body::new(resp.into_body()), MAX_RESPONSE)
                .await
                .unwrap_or_else(|e| panic!("{} {}: answer body: {e}", c.method, c.path));
            (status, body.to_vec())
        });
        self.conn = conn;
        Some((status, body))
    }
}

/// The `devnet_http` target body: up to [`MAX_REQUESTS`] requests chosen by `data`, each
/// answered without a 5xx and followed by the invariant checks.
pub fn devnet_http(data: &[u8]) {
    run_input(data);
}

/// Runs one input; returns each request sent (method and path) with the status answered.
fn run_input(data: &[u8]) -> Vec<(String, u16)> {
    let mut answers = Vec::new();
    {
        // A panic (a finding) while the lock was held leaves the node as it was: usable, since
        // every check is relative to the state before each request.
        let mut slot = NODE.lock().unwrap_or_else(|p| p.into_inner());
        if slot.as_ref().is_none_or(|n| n.inputs >= INPUTS_PER_NODE) {
            *slot = None;
            *slot = Some(Node::new());
        }
        let node = slot.as_mut().expect("a node");
        node.inputs += 1;
        let mut input = Input(data);
        let mut placed: Vec<(usize, OrderId)> = Vec::new();
        for _ in 0..MAX_REQUESTS {
            if input.exhausted() {
                break;
            }
            let Some(call) = next_call(&mut input, node.run(), &placed) else {
                continue;
            };
            if sets_faults(&call) {
                continue;
            }
            let before = view(node.run());
            let Some((status, body)) = node.send(&call) else {
                continue;
            };
            let body = String::from_utf8_lossy(&body);
            let what = format!("{} {}", call.method, call.path);
            answers.push((what.clone(), status));
            assert!(status < 500, "{what}: {status}: {body}");
            if call.json_answer {
                assert!(
                    serde_json::from_str::<serde_json::Value>(&body).is_ok(),
                    "{what}: {status}, not JSON: {body}"
                );
            }
            let after = view(node.run());
            check(&call, status, &body, &before, &after);
            if status == 200
                && let Some(p) = call.placed
            {
                placed.push(p);
            }
        }
    }
    answers
}

/// The invariants across one answer.
fn check(c: &Call, status: u16, body: &str, before: &View, after: &View) {
    let what = format!("{} {} ({status}: {body})", c.method, c.path);
    // Supply moves only by a faucet grant answered 200.
    let mut expected = before.supply.clone();
    if status == 200
        && let Some((asset, units)) = grant(c)
    {
        *expected.entry(asset).or_default() += i128::from(units);
    }
    expected.retain(|_, v| *v != 0);
    assert_eq!(after.supply, expected, "{what}: supply changed");
    // Account numbers fixed; sequences move by one per accepted transaction of their signer.
    for (a, (an, seq)) in &before.accounts {
        let Some((an2, seq2)) = after.accounts.get(a) else {
            panic!("{what}: account {a} vanished");
        };
        assert_eq!(an2, an, "{what}: account number of {a} changed");
        let step = i64::from(status == 200 && c.signer.as_deref() == Some(a.as_str()));
        assert_eq!(*seq2, seq + step, "{what}: sequence of {a}");
    }
    for (a, (_, seq)) in &after.accounts {
        if !before.accounts.contains_key(a) {
            let step = i64::from(status == 200 && c.signer.as_deref() == Some(a.as_str()));
            assert_eq!(
                *seq, step,
                "{what}: new account {a} starts at sequence {seq}"
            );
        }
    }
    assert!(after.height >= before.height, "{what}: height fell");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statuses(data: &[u8]) -> Vec<u16> {
        run_input(data).into_iter().map(|(_, s)| s).collect()
    }

    #[test]
    fn seeds_reach_the_ledger() {
        // A sell of 3 lots at 5 ticks on BNB_BUSD-BD1 (funded at genesis), then its cancel.
        assert_eq!(
            statuses(&[2, 0, 0, 1, 0, 5, 0, 3, 0, 1, 1, 2, 3, 0, 0, 2]),
            [200, 200]
        );
        // The same order one sequence ahead (skew byte 1: +1) is refused.
        assert_eq!(statuses(&[2, 0, 0, 1, 0, 5, 0, 3, 0, 1, 1, 1]), [400]);
        // Off the lot (the off-lot byte 0 is a hit: 0 % 16 == 0).
        assert_eq!(statuses(&[2, 0, 0, 1, 0, 5, 0, 3, 0, 1, 0, 2]), [400]);
        // A faucet grant of 10 lots of 0.01 BNB, then a send of it to a stranger.
        assert_eq!(
            statuses(&[0, 0, 0, 0, 10, 0, 1, 0, 5, 0, 0, 5, 0, 2]),
            [200, 200]
        );
        // A freeze and its unfreeze.
        assert_eq!(
            statuses(&[4, 0, 0, 0, 0, 1, 0, 2, 4, 0, 0, 1, 0, 1, 0, 2]),
            [200, 200]
        );
        // Reads: an account, its sequence, and an unknown route.
        assert_eq!(statuses(&[7, 0, 0, 1, 7, 1, 0, 2]), [200, 200]);
        assert_eq!(statuses(&[8, 0, 1, 3, 0, b'/', b'z', b'z', 0, 0, 0]), [404]);
        // The fault switch is never set.
        assert_eq!(
            statuses(&[
                8, 1, 1, 14, 0, b'/', b'd', b'e', b'v', b'n', b'e', b't', b'/', b'f', b'a', b'u',
                b'l', b't', b's'
            ]),
            Vec::<u16>::new()
        );
    }
}
