//! `dexlink book`, `trades`, `orders --closed`, `order show` and `watch` against a small mock
//! DEX (a blocking HTTP server and a WebSocket server in this test) answering the real API's
//! shapes. Payload sources: the DEX API reference (docs-site `paths.md` schemas `MarketDepth`,
//! `TradePage`/`Trade`, `OrderList`/`Order`; `ws-streams.md`'s `orders` and `accounts`
//! examples); addresses, order ids and the tx hash are upstream vectors V7/V10/V13
//! (`docs/upstream-vectors.md`). Expected values are read off the payloads.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Stdio;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use common::{Out, V7_BNB, V10_HASH, V13_TO, dexlink, run};
use serde_json::{Value, json};
use tungstenite::Message;
use tungstenite::protocol::CloseFrame;
use tungstenite::protocol::frame::coding::CloseCode;

const BUY_ORDER: &str = "BA36F0FAD74D8F41045463E4774F328F4AF779E5-36";
const SELL_ORDER: &str = "88B37D5E05F3699E2A1406468E5D87CB9DCCEB95-7";

/// A blocking HTTP server answering `GET path` with the route's status and JSON body; records
/// every request target (path and query).
struct MockDex {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

fn read_head(s: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        match s.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

impl MockDex {
    fn start(routes: Vec<(&'static str, u16, Value)>) -> Self {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}", l.local_addr().unwrap().port());
        let routes: HashMap<&str, (u16, Value)> =
            routes.into_iter().map(|(p, c, b)| (p, (c, b))).collect();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        thread::spawn(move || {
            for s in l.incoming() {
                let Ok(mut s) = s else { continue };
                s.set_read_timeout(Some(Duration::from_secs(10))).ok();
                let head = read_head(&mut s);
                let target = head.split_whitespace().nth(1).unwrap_or("").to_string();
                let path = target.split('?').next().unwrap_or("");
                log.lock().unwrap().push(target.clone());
                let (code, body) = routes
                    .get(path)
                    .cloned()
                    .unwrap_or((404, json!({"code": 404, "message": "not found"})));
                let body = body.to_string();
                let resp = format!(
                    "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(resp.as_bytes());
            }
        });
        Self { url, seen }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn depth_body() -> Value {
    json!({
        "asks": [["0.00102000", "10.00000000"], ["0.00103000", "800.00000000"]],
        "bids": [["0.00101000", "5.00000000"], ["0.00100000", "1.50000000"]],
        "height": 7850389
    })
}

fn cmd(args: &[&str]) -> Out {
    let mut c = dexlink();
    c.args(args);
    run(c)
}

fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

#[test]
fn book_shows_asks_above_bids_with_a_header() {
    let dex = MockDex::start(vec![("/api/v1/depth", 200, depth_body())]);
    let out = cmd(&["book", "NNB-338_BNB", "--limit", "5", "--dex", &dex.url]).ok();
    assert_eq!(
        rows(&out.stdout),
        [
            ["side", "price", "quantity"],
            ["ask", "0.00103", "800"],
            ["ask", "0.00102", "10"],
            ["bid", "0.00101", "5"],
            ["bid", "0.001", "1.5"],
        ]
    );
    assert_eq!(dex.seen(), ["/api/v1/depth?symbol=NNB-338_BNB&limit=5"]);

    let out = cmd(&["book", "NNB-338_BNB", "--json", "--dex", &dex.url]).ok();
    assert_eq!(
        out.json(),
        json!({
            "symbol": "NNB-338_BNB",
            "height": 7850389,
            "asks": [{"price": "0.00102", "quantity": "10"}, {"price": "0.00103", "quantity": "800"}],
            "bids": [{"price": "0.00101", "quantity": "5"}, {"price": "0.001", "quantity": "1.5"}]
        })
    );
}

#[test]
fn book_refuses_bad_limits_and_bad_answers() {
    let out = cmd(&[
        "book",
        "NNB-338_BNB",
        "--limit",
        "7",
        "--dex",
        "http://127.0.0.1:9",
    ])
    .expect_code(2);
    assert!(
        out.stderr
            .contains("depth limit \"7\" is not accepted: use 5, 10, 20, 50, 100, 500 or 1000"),
        "{}",
        out.stderr
    );

    let out = cmd(&["book", "NNB-338_BNB&limit=5", "--dex", "http://127.0.0.1:9"]).expect_code(2);
    assert!(
        out.stderr
            .contains("market symbol \"NNB-338_BNB&limit=5\" is not BASE_QUOTE"),
        "{}",
        out.stderr
    );

    let mut body = depth_body();
    body["asks"][0][0] = json!("-1");
    let dex = MockDex::start(vec![("/api/v1/depth", 200, body)]);
    let out = cmd(&["book", "NNB-338_BNB", "--dex", &dex.url]).expect_code(1);
    assert!(
        out.stderr.contains("field asks[0][0]: amount \"-1\""),
        "{}",
        out.stderr
    );
    assert_eq!(out.stdout, "");
}

#[test]
fn trades_of_an_address() {
    let body = json!({"total": -1, "trade": [{
        "baseAsset": "NNB-338", "blockHeight": 7850389, "buyFee": "BNB:0.00000172;",
        "buyerId": V7_BNB, "buyerOrderId": BUY_ORDER, "price": "1.36350000",
        "quantity": "1.00000000", "quoteAsset": "BNB", "sellFee": "BNB:0.00000216;",
        "sellerId": V13_TO, "sellerOrderId": SELL_ORDER, "symbol": "NNB-338_BNB",
        "tickType": "BuyTaker", "time": 1548066600000u64, "tradeId": "7850389-0"
    }]});
    let dex = MockDex::start(vec![("/api/v1/trades", 200, body)]);
    let out = cmd(&[
        "trades",
        V7_BNB,
        "--symbol",
        "NNB-338_BNB",
        "--limit",
        "10",
        "--json",
        "--dex",
        &dex.url,
    ])
    .ok();
    assert_eq!(
        dex.seen(),
        [format!(
            "/api/v1/trades?symbol=NNB-338_BNB&address={V7_BNB}&limit=10"
        )]
    );
    assert_eq!(
        out.json(),
        json!({"total": null, "trades": [{
            "trade_id": "7850389-0", "symbol": "NNB-338_BNB", "price": "1.3635", "quantity": "1",
            "buyer": V7_BNB, "seller": V13_TO, "buyer_order_id": BUY_ORDER,
            "seller_order_id": SELL_ORDER, "height": 7850389, "time_ms": 1548066600000u64
        }]})
    );

    let out = cmd(&["trades", "--dex", &dex.url]).ok();
    assert_eq!(
        rows(&out.stdout),
        [
            vec![
                "height", "symbol", "price", "quantity", "buyer", "order", "seller", "order"
            ],
            vec![
                "7850389",
                "NNB-338_BNB",
                "1.3635",
                "1",
                BUY_ORDER,
                SELL_ORDER
            ],
        ]
    );
    assert_eq!(dex.seen()[1], "/api/v1/trades");
    let out = cmd(&["trades", "--limit", "0", "--dex", &dex.url]).expect_code(2);
    assert!(
        out.stderr
            .contains("limit \"0\" is out of range: use a number from 1 to 1000")
    );
}

fn order_body(status: &str) -> Value {
    json!({
        "cumulateQuantity": "1.00000000", "fee": "BNB:0.00000172;",
        "lastExecutedPrice": "1.36350000", "lastExecutedQuantity": "1.00000000",
        "orderCreateTime": "2019-01-21T10:30:00.250Z", "orderId": BUY_ORDER, "owner": V7_BNB,
        "price": "1.36350000", "quantity": "1.00000000", "side": 1, "status": status,
        "symbol": "NNB-338_BNB", "timeInForce": 1, "tradeId": "7850389-0",
        "transactionHash": V10_HASH, "transactionTime": "2019-01-21T10:30:01Z", "type": 2
    })
}

fn order_json() -> Value {
    json!({
        "order_id": BUY_ORDER, "symbol": "NNB-338_BNB", "address": V7_BNB, "side": "BUY",
        "price": "1.3635", "quantity": "1", "filled_quantity": "1", "status": "FullyFill",
        "time_in_force": "GTE", "tx_hash": V10_HASH, "fee": "BNB:0.00000172;",
        "create_time_ms": 1548066600250u64, "update_time_ms": 1548066601000u64
    })
}

#[test]
fn closed_orders_and_one_order() {
    let list = json!({"order": [order_body("FullyFill")], "total": 1});
    let path = format!("/api/v1/orders/{BUY_ORDER}");
    let path: &'static str = Box::leak(path.into_boxed_str());
    let dex = MockDex::start(vec![
        ("/api/v1/orders/closed", 200, list),
        (path, 200, order_body("FullyFill")),
    ]);
    let out = cmd(&[
        "orders",
        V7_BNB,
        "--closed",
        "--symbol",
        "NNB-338_BNB",
        "--json",
        "--dex",
        &dex.url,
    ])
    .ok();
    assert_eq!(
        out.json(),
        json!({"address": V7_BNB, "total": 1, "orders": [order_json()]})
    );
    assert_eq!(
        dex.seen(),
        [format!(
            "/api/v1/orders/closed?address={V7_BNB}&symbol=NNB-338_BNB"
        )]
    );

    let out = cmd(&["order", "show", BUY_ORDER, "--json", "--dex", &dex.url]).ok();
    assert_eq!(out.json(), order_json());
    let out = cmd(&["order", "show", BUY_ORDER, "--dex", &dex.url]).ok();
    assert_eq!(
        rows(&out.stdout),
        [
            vec![
                "order", "id", "symbol", "side", "price", "quantity", "filled", "status"
            ],
            vec![
                BUY_ORDER,
                "NNB-338_BNB",
                "BUY",
                "1.3635",
                "1",
                "1",
                "FullyFill"
            ],
        ]
    );

    let unknown = "BA36F0FAD74D8F41045463E4774F328F4AF779E5-99";
    let out = cmd(&["order", "show", unknown, "--dex", &dex.url]).expect_code(1);
    assert!(
        out.stderr
            .contains(&format!("order {unknown} is unknown to the DEX")),
        "{}",
        out.stderr
    );
    let out = cmd(&["orders", V7_BNB, "--symbol", "X", "--dex", &dex.url]).expect_code(2);
    assert!(out.stderr.contains("--closed"), "{}", out.stderr);
}

/// A WebSocket server for one connection: forwards the client's first `expect` messages, sends
/// `msgs`, then closes with `close` (or, when `None`, waits for the client to go).
fn ws_server(
    expect: usize,
    msgs: Vec<Value>,
    close: Option<&'static str>,
) -> (String, mpsc::Receiver<Value>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}", l.local_addr().unwrap().port());
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).ok();
        let mut ws = tungstenite::accept(s).unwrap();
        for _ in 0..expect {
            if let Ok(Message::Text(t)) = ws.read() {
                tx.send(serde_json::from_str(t.as_str()).unwrap()).unwrap();
            }
        }
        for m in msgs {
            ws.send(Message::Text(m.to_string().into())).unwrap();
        }
        match close {
            Some(reason) => {
                let _ = ws.close(Some(CloseFrame {
                    code: CloseCode::Normal,
                    reason: reason.into(),
                }));
                let _ = ws.flush();
                while ws.read().is_ok() {}
            }
            None => {
                // Forward what the client sends until it goes (its `close`).
                while let Ok(m) = ws.read() {
                    if let Message::Text(t) = m {
                        let _ = tx.send(serde_json::from_str(t.as_str()).unwrap());
                    }
                }
            }
        }
    });
    (url, rx)
}

fn ws_orders() -> Value {
    json!({"stream": "orders", "data": [{
        "e": "executionReport", "E": 1499405658658u64, "s": "NNB-338_BNB", "S": 1, "o": 2,
        "f": 1, "q": "1.00000000", "p": "0.10264410", "x": "TRADE", "X": "PartialFill",
        "i": BUY_ORDER, "l": "0.40000000", "z": "0.40000000", "L": "0.10264410",
        "n": "10000BNB", "T": 1499405658657u64, "t": "TRD1", "O": 1499405658657u64
    }]})
}

fn ws_accounts() -> Value {
    json!({"stream": "accounts", "data": {"e": "outboundAccountInfo", "E": 1499405658849u64,
        "B": [{"a": "BTC", "f": "10537.85314051", "l": "2.19464093", "r": "0.00000000"}]}})
}

#[test]
fn watch_prints_one_json_line_per_event_and_reports_the_close() {
    let (url, got) = ws_server(2, vec![ws_orders(), ws_accounts()], Some("bye"));
    let out = cmd(&["watch", V7_BNB, "--json", "--dex", &url]).expect_code(1);
    assert_eq!(
        got.recv_timeout(Duration::from_secs(10)).unwrap(),
        json!({"method": "subscribe", "topic": "orders", "userAddress": V7_BNB})
    );
    assert_eq!(
        got.recv_timeout(Duration::from_secs(10)).unwrap(),
        json!({"method": "subscribe", "topic": "accounts", "userAddress": V7_BNB})
    );
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // The close ends the command: its error object is the last JSON line.
    let [order, balances, error] = &lines[..] else {
        panic!("three JSON lines expected: {lines:?}")
    };
    assert_eq!(error["error"]["kind"], "failed");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .ends_with("/api/ws closed: code 1000: bye"),
        "{error}"
    );
    assert_eq!(
        [order.clone(), balances.clone()],
        [
            json!({"event": "order", "order_id": BUY_ORDER, "symbol": "NNB-338_BNB",
                   "side": "BUY", "price": "0.1026441", "quantity": "1", "execution": "TRADE",
                   "status": "PartialFill", "filled_quantity": "0.4", "last_price": "0.1026441",
                   "last_quantity": "0.4", "fee": "10000BNB", "time_ms": 1499405658657u64}),
            json!({"event": "balances", "address": V7_BNB, "balances": [
                   {"asset": "BTC", "free": "10537.85314051", "locked": "2.19464093",
                    "frozen": "0"}]}),
        ]
    );
    assert!(
        out.stderr.contains("/api/ws closed: code 1000: bye"),
        "{}",
        out.stderr
    );
}

#[test]
fn watch_stops_cleanly_on_ctrl_c() {
    let (url, got) = ws_server(2, vec![ws_orders()], None);
    let mut child = std::process::Command::new(common::bin())
        .args(["watch", V7_BNB, "--dex", &url])
        .env_remove("DEXLINK_HOME")
        .env_remove("DEXLINK_DEX")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(
        line.split_whitespace().collect::<Vec<_>>(),
        [
            "order",
            BUY_ORDER,
            "NNB-338_BNB",
            "BUY",
            "1",
            "at",
            "0.1026441:",
            "TRADE",
            "PartialFill,",
            "filled",
            "0.4"
        ]
    );
    // SIGINT is what Ctrl-C sends.
    let pid = i32::try_from(child.id()).unwrap();
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    // The two subscriptions, then the documented goodbye.
    let msgs: Vec<Value> = (0..3)
        .map(|_| got.recv_timeout(Duration::from_secs(10)).unwrap())
        .collect();
    assert_eq!(msgs[2], json!({"method": "close"}));
}
