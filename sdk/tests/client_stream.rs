//! The stream client against a tiny in-test WebSocket server sending the documented shapes.
//!
//! Payload source: the DEX API reference (docs-site `docs/api-reference/dex-api/ws-streams.md`
//! and `ws-connection.md`): its `orders`, `accounts`, `trades`, `marketDepth`, `kline_1m` and
//! `ticker` examples, with the order ids in the chain's `HEX-N` form (the page's first orders
//! example uses it; its trade examples show bare numbers from an older API) and addresses from
//! upstream vector V10 (`docs/upstream-vectors.md` §5). Expected values are read off the payloads.

use std::time::Duration;

use dexlink::client::stream::{
    DexStream, ExecutionType, StreamConfig, StreamError, StreamEvent, Subscription,
};
use dexlink::client::{KlineInterval, OrderStatus};
use dexlink::tx::{OrderId, Side, TimeInForce};
use dexlink::{Address, Fixed8};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

const OWNER: &str = "bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu";
const BUY_ORDER: &str = "BA36F0FAD74D8F41045463E4774F328F4AF779E5-36";
const SELL_ORDER: &str = "88B37D5E05F3699E2A1406468E5D87CB9DCCEB95-7";

/// What the server does after the client's `expect` first messages.
enum Then {
    /// Send these texts, then a close frame with this reason.
    SendThenClose(Vec<String>, &'static str),
    /// Send these texts, then drop the TCP connection without a close frame.
    SendThenDrop(Vec<String>),
}

/// Serves one WebSocket connection on `/api/ws`; the client's first `expect` messages are
/// forwarded on the returned channel.
async fn server(expect: usize, then: Then) -> (String, mpsc::UnboundedReceiver<Value>) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}", l.local_addr().unwrap().port());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let (tcp, _) = l.accept().await.unwrap();
        let mut path = String::new();
        // The callback's signature is tungstenite's; its error type is not ours to shrink.
        #[allow(clippy::result_large_err)]
        let cb = |req: &tokio_tungstenite::tungstenite::handshake::server::Request, resp| {
            path = req.uri().path().to_string();
            Ok(resp)
        };
        let mut ws = tokio_tungstenite::accept_hdr_async(tcp, cb).await.unwrap();
        assert_eq!(path, "/api/ws");
        for _ in 0..expect {
            match ws.next().await {
                Some(Ok(Message::Text(t))) => {
                    tx.send(serde_json::from_str(t.as_str()).unwrap()).unwrap()
                }
                other => panic!("expected a text message, got {other:?}"),
            }
        }
        match then {
            Then::SendThenClose(msgs, reason) => {
                for m in msgs {
                    ws.send(Message::Text(m.into())).await.unwrap();
                }
                let _ = ws
                    .send(Message::Close(Some(CloseFrame {
                        code: CloseCode::Normal,
                        reason: reason.into(),
                    })))
                    .await;
                // Wait for the client's answer so the close is orderly.
                let _ = tokio::time::timeout(Duration::from_secs(2), ws.next()).await;
            }
            Then::SendThenDrop(msgs) => {
                for m in msgs {
                    let _ = ws.send(Message::Text(m.into())).await;
                }
                drop(ws);
            }
        }
    });
    (url, rx)
}

fn units(u: i64) -> Fixed8 {
    Fixed8::from_units(u).unwrap()
}

fn orders_message() -> Value {
    json!({
        "stream": "orders",
        "data": [{
            "e": "executionReport", "E": 1499405658658u64, "s": "NNB-338_BNB", "S": 1, "o": 2,
            "f": 1, "q": "1.00000000", "p": "0.10264410", "x": "TRADE", "X": "PartialFill",
            "i": BUY_ORDER, "l": "0.40000000", "z": "0.40000000", "L": "0.10264410",
            "n": "10000BNB", "T": 1499405658657u64, "t": "TRD1", "O": 1499405658657u64,
            "Z": "0.00000000"
        }]
    })
}

fn accounts_message() -> Value {
    json!({
        "stream": "accounts",
        "data": {
            "e": "outboundAccountInfo", "E": 1499405658849u64,
            "B": [
                {"a": "LTC", "f": "17366.18538083", "l": "0.00000000", "r": "0.00000000"},
                {"a": "BTC", "f": "10537.85314051", "l": "2.19464093", "r": "0.00000000"}
            ]
        }
    })
}

fn fast() -> StreamConfig {
    StreamConfig {
        timeout: Duration::from_secs(5),
        ..StreamConfig::default()
    }
}

#[tokio::test]
async fn orders_and_accounts_arrive_typed_then_the_close_is_reported() {
    let (url, mut got) = server(
        4,
        Then::SendThenClose(
            vec![orders_message().to_string(), accounts_message().to_string()],
            "bye",
        ),
    )
    .await;
    let owner = Address::parse(OWNER).unwrap();
    let mut s = DexStream::connect(&url, &fast()).await.unwrap();
    s.subscribe(&Subscription::Orders(owner.clone()))
        .await
        .unwrap();
    s.subscribe(&Subscription::Accounts(owner.clone()))
        .await
        .unwrap();
    s.keep_alive().await.unwrap();
    s.unsubscribe(&Subscription::Accounts(owner)).await.unwrap();
    // ws-connection.md's subscribe messages.
    assert_eq!(
        got.recv().await.unwrap(),
        json!({"method": "subscribe", "topic": "orders", "userAddress": OWNER})
    );
    assert_eq!(
        got.recv().await.unwrap(),
        json!({"method": "subscribe", "topic": "accounts", "userAddress": OWNER})
    );
    assert_eq!(got.recv().await.unwrap(), json!({"method": "keepAlive"}));
    assert_eq!(
        got.recv().await.unwrap(),
        json!({"method": "unsubscribe", "topic": "accounts", "userAddress": OWNER})
    );

    let StreamEvent::Orders(reports) = s.next_event().await.unwrap() else {
        panic!("expected orders")
    };
    assert_eq!(reports.len(), 1);
    let r = &reports[0];
    assert_eq!(r.event, 1499405658658);
    assert_eq!(r.symbol, "NNB-338_BNB");
    assert_eq!(r.side, Side::Buy);
    assert_eq!(r.time_in_force, TimeInForce::Gte);
    assert_eq!(r.quantity, units(100_000_000));
    assert_eq!(r.price, units(10_264_410));
    assert_eq!(r.execution_type, ExecutionType::Trade);
    assert_eq!(r.status, OrderStatus::PartialFill);
    assert_eq!(r.order_id, OrderId::parse(BUY_ORDER).unwrap());
    assert_eq!(r.last_executed_quantity, units(40_000_000));
    assert_eq!(r.cumulate_quantity, units(40_000_000));
    assert_eq!(r.fee.as_deref(), Some("10000BNB"));
    assert_eq!(r.trade_id.as_deref(), Some("TRD1"));
    assert_eq!(r.create_time_ms, 1499405658657);

    let StreamEvent::Account(a) = s.next_event().await.unwrap() else {
        panic!("expected an account update")
    };
    assert_eq!(a.event, 1499405658849);
    assert_eq!(a.balances.len(), 2);
    assert_eq!(a.balances[1].asset, "BTC");
    assert_eq!(a.balances[1].free, units(1_053_785_314_051));
    assert_eq!(a.balances[1].locked, units(219_464_093));
    assert_eq!(a.balances[1].frozen, Fixed8::ZERO);

    match s.next_event().await {
        Err(StreamError::Closed { reason, .. }) => assert_eq!(reason, "code 1000: bye"),
        other => panic!("expected Closed, got {other:?}"),
    }
}

#[tokio::test]
async fn market_topics_arrive_typed() {
    let trades = json!({"stream": "trades", "data": [{
        "e": "trade", "E": 123456789, "s": "BNB_BTC", "t": 12345, "p": "0.001", "q": "100",
        "b": BUY_ORDER, "a": SELL_ORDER, "T": 123456785
    }]});
    let depth = json!({"stream": "marketDepth", "data": {
        "lastUpdateId": 160, "bids": [["0.0024", "10"]], "asks": [["0.0026", "100"]]
    }});
    let kline = json!({"stream": "kline_1m", "data": {
        "e": "kline", "E": 123456789, "s": "BNBBTC", "k": {
            "t": 123400000, "T": 123460000, "s": "BNBBTC", "i": "1m", "f": 100, "L": 200,
            "o": "0.0010", "c": "0.0020", "h": "0.0025", "l": "0.0015", "v": "1000", "n": 100,
            "x": false, "q": "1.0000", "V": "500", "Q": "0.500", "B": "123456"
        }
    }});
    let ticker = json!({"stream": "ticker", "data": {
        "e": "24hrTicker", "E": 123456789, "s": "BNBBTC", "p": "0.0015", "P": "250.00",
        "w": "0.0018", "x": "0.0009", "c": "0.0025", "Q": "10", "b": "0.0024", "B": "10",
        "a": "0.0026", "A": "100", "o": "0.0010", "h": "0.0025", "l": "0.0010", "v": "10000",
        "q": "18", "O": 0, "C": 86400000, "F": 0, "L": 18150, "n": 18151
    }});
    let height = json!({"stream": "blockheight", "data": {"h": 123456789}});
    let msgs = [trades, depth, kline, ticker, height.clone()]
        .iter()
        .map(Value::to_string)
        .collect();
    let (url, mut got) = server(1, Then::SendThenDrop(msgs)).await;
    let mut s = DexStream::connect(&url, &fast()).await.unwrap();
    let sub = Subscription::Kline(KlineInterval::Min1, vec!["BNB_BTC".into()]);
    s.subscribe(&sub).await.unwrap();
    assert_eq!(
        got.recv().await.unwrap(),
        json!({"method": "subscribe", "topic": "kline_1m", "symbols": ["BNB_BTC"]})
    );

    let StreamEvent::Trades(t) = s.next_event().await.unwrap() else {
        panic!("expected trades")
    };
    assert_eq!(t[0].trade_id, "12345");
    assert_eq!(t[0].price, units(100_000));
    assert_eq!(t[0].quantity, units(10_000_000_000));
    assert_eq!(t[0].seller_order_id, OrderId::parse(SELL_ORDER).unwrap());
    assert_eq!(t[0].time_ms, 123456785);

    let StreamEvent::MarketDepth(d) = s.next_event().await.unwrap() else {
        panic!("expected depth")
    };
    assert_eq!(d.last_update_id, 160);
    assert_eq!(d.bids[0].price, units(240_000));
    assert_eq!(d.asks[0].quantity, units(10_000_000_000));

    let StreamEvent::Kline(k) = s.next_event().await.unwrap() else {
        panic!("expected a kline")
    };
    assert_eq!(k.interval, KlineInterval::Min1);
    assert_eq!(k.open_time_ms, 123400000);
    assert_eq!(k.close, units(200_000));
    assert_eq!(k.trades, 100);
    assert!(!k.closed);

    let StreamEvent::Ticker(tk) = s.next_event().await.unwrap() else {
        panic!("expected a ticker")
    };
    assert_eq!(tk.last_price, units(250_000));
    assert_eq!(tk.count, 18151);

    assert_eq!(
        s.next_event().await.unwrap(),
        StreamEvent::Other {
            stream: "blockheight".into(),
            data: height["data"].clone()
        }
    );
    // The server dropped the connection without a close frame.
    assert!(matches!(
        s.next_event().await,
        Err(StreamError::Closed { .. })
    ));
}

#[tokio::test]
async fn a_malformed_message_names_the_field() {
    let mut bad = orders_message();
    bad["data"][0]["X"] = json!("Done");
    let (url, _got) = server(0, Then::SendThenDrop(vec![bad.to_string()])).await;
    let mut s = DexStream::connect(&url, &fast()).await.unwrap();
    match s.next_event().await {
        Err(StreamError::BadMessage { field, reason, .. }) => {
            assert_eq!(field, "data[0].X");
            assert!(
                reason.starts_with("unknown order status \"Done\""),
                "{reason}"
            );
        }
        other => panic!("expected BadMessage, got {other:?}"),
    }

    let mut bad = accounts_message();
    bad["data"]["B"][0]["f"] = json!("-1");
    let (url, _got) = server(0, Then::SendThenDrop(vec![bad.to_string()])).await;
    let mut s = DexStream::connect(&url, &fast()).await.unwrap();
    match s.next_event().await {
        Err(StreamError::BadMessage { field, .. }) => assert_eq!(field, "data.B[0].f"),
        other => panic!("expected BadMessage, got {other:?}"),
    }

    let (url, _got) = server(0, Then::SendThenDrop(vec!["{\"stream\":".into()])).await;
    let mut s = DexStream::connect(&url, &fast()).await.unwrap();
    match s.next_event().await {
        Err(StreamError::BadMessage { field, .. }) => assert_eq!(field, "(message)"),
        other => panic!("expected BadMessage, got {other:?}"),
    }
}

#[tokio::test]
async fn an_oversized_message_is_refused() {
    let big = json!({"stream": "blockheight", "data": {"pad": "x".repeat(5000)}}).to_string();
    let (url, _got) = server(0, Then::SendThenDrop(vec![big])).await;
    let config = StreamConfig {
        max_message_bytes: 4096,
        ..fast()
    };
    let mut s = DexStream::connect(&url, &config).await.unwrap();
    match s.next_event().await {
        Err(StreamError::MessageTooLarge { limit, .. }) => assert_eq!(limit, 4096),
        other => panic!("expected MessageTooLarge, got {other:?}"),
    }
}

#[tokio::test]
async fn nothing_listening_is_a_connect_error() {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}", l.local_addr().unwrap().port());
    drop(l);
    assert!(matches!(
        DexStream::connect(&url, &fast()).await,
        Err(StreamError::Connect { .. })
    ));
    assert!(matches!(
        DexStream::connect("http://dex.example", &fast()).await,
        Err(StreamError::InvalidUrl(..))
    ));
}

/// Accepts one WebSocket connection and hands it to `serve`.
async fn raw_server<F, Fut>(serve: F) -> String
where
    F: FnOnce(tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}", l.local_addr().unwrap().port());
    tokio::spawn(async move {
        let (tcp, _) = l.accept().await.unwrap();
        serve(tokio_tungstenite::accept_async(tcp).await.unwrap()).await;
    });
    url
}

#[tokio::test]
async fn sync_returns_on_the_pong_of_its_own_ping_and_keeps_the_events_before_it() {
    // The server pushes a pong the client never asked for, waits, pushes an event, then reads
    // (a read answers the client's ping): only the pong carrying the client's own payload is
    // the acknowledgement, so when `sync` returns the event has arrived and is kept for
    // `next_event` (taking the stray pong would return before the event existed).
    let url = raw_server(|mut ws| async move {
        ws.send(Message::Pong(b"someone else's".to_vec().into()))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        ws.send(Message::Text(orders_message().to_string().into()))
            .await
            .unwrap();
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
    let mut s = DexStream::connect(&url, &fast()).await.unwrap();
    s.subscribe(&Subscription::Orders(OWNER.parse().unwrap()))
        .await
        .unwrap();
    s.sync().await.unwrap();
    // Ready at its first poll, with no read: the event is already held.
    let kept = futures_util::FutureExt::now_or_never(s.next_event());
    match kept
        .expect("the event was read before the acknowledgement")
        .unwrap()
    {
        StreamEvent::Orders(r) => assert_eq!(r[0].order_id.to_string(), BUY_ORDER),
        other => panic!("expected the orders event, got {other:?}"),
    }
}

#[tokio::test]
async fn sync_times_out_when_no_pong_comes() {
    // A server that never reads never answers the ping.
    let url = raw_server(|ws| async move {
        tokio::time::sleep(Duration::from_secs(10)).await;
        drop(ws);
    })
    .await;
    let config = StreamConfig {
        timeout: Duration::from_millis(300),
        ..StreamConfig::default()
    };
    let mut s = DexStream::connect(&url, &config).await.unwrap();
    assert!(matches!(s.sync().await, Err(StreamError::Timeout(_))));
}
