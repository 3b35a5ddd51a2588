//! The typed market-data calls against a mock DEX answering the real API's shapes.
//!
//! Payload sources: the DEX API reference (docs-site `docs/api-reference/dex-api/paths.md`: the
//! klines and `Times` examples, the `MarketDepth`, `TradePage`/`Trade`, `OrderList`/`Order`,
//! `TickerStatistics` and `Fee` schemas) and the go-sdk's `common/types` (`MarketDepth` with
//! `height`, `Ticker24h`, fee params). Addresses and order ids are upstream vector V10's
//! (`docs/upstream-vectors.md` §5); expected values are read off the payloads by hand.

mod mock;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use dexlink::client::{
    ClientError, ClosedOrderFilter, DepthLimit, DexClient, FeeFor, FeeParam, FixedFee,
    KlineInterval, KlineQuery, OrderStatus, PageLimit, TradeFilter,
};
use dexlink::tx::{OrderId, Side, TimeInForce, TxHash};
use dexlink::{Address, Fixed8};
use serde_json::{Value, json};

const BUYER: &str = "bnb1hgm0p7khfk85zpz5v0j8wnej3a90w709vhkdfu";
const BUY_ORDER: &str = "BA36F0FAD74D8F41045463E4774F328F4AF779E5-36";
const SELLER: &str = "bnb13zeh6hs97d5eu2s5qerguhv8ewwue6u4ywa6yf";
const SELL_ORDER: &str = "88B37D5E05F3699E2A1406468E5D87CB9DCCEB95-7";
const TX: &str = "0A46200587F4BC8C58BEC70BDCD31D956571372EE080D4AA93C4EF99CF063A15";

/// A DEX answering `path` with `body` (status 200), recording each query string.
async fn serve(path: &'static str, body: Value) -> (DexClient, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let app = Router::new().route(
        path,
        get(move |RawQuery(q): RawQuery| {
            s.lock().unwrap().push(q.unwrap_or_default());
            let body = body.clone();
            async move { axum::Json(body) }
        }),
    );
    let url = mock::serve(app).await;
    (mock::client(&url, 2000, 0), seen)
}

fn f8(s: &str) -> Fixed8 {
    s.parse().unwrap()
}

fn units(u: i64) -> Fixed8 {
    Fixed8::from_units(u).unwrap()
}

/// The error's field and reason, or a panic naming what came instead.
fn bad_field<T: std::fmt::Debug>(r: Result<T, ClientError>) -> (String, String) {
    match r {
        Err(ClientError::BadField { field, reason, .. }) => (field, reason),
        other => panic!("expected BadField, got {other:?}"),
    }
}

fn depth_body() -> Value {
    // paths.md `MarketDepth`: `[price, qty]` pairs of 8-decimal strings; go-sdk adds `height`.
    json!({
        "asks": [["0.00102000", "10.00000000"], ["0.00103000", "800.00000000"]],
        "bids": [["0.00101000", "5.00000000"], ["0.00100000", "1.50000000"]],
        "height": 7850389
    })
}

#[tokio::test]
async fn depth_is_typed_and_the_limit_is_sent() {
    let (c, seen) = serve("/api/v1/depth", depth_body()).await;
    let d = c
        .depth("NNB-0AD_BNB", Some(DepthLimit::new(5).unwrap()))
        .await
        .unwrap();
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        ["symbol=NNB-0AD_BNB&limit=5"]
    );
    assert_eq!(d.height, Some(7850389));
    assert_eq!(d.asks.len(), 2);
    assert_eq!(d.asks[0].price, units(102_000));
    assert_eq!(d.asks[0].quantity, units(1_000_000_000));
    assert_eq!(d.asks[1].quantity, units(80_000_000_000));
    assert_eq!(d.bids[0].price, units(101_000));
    assert_eq!(d.bids[1].quantity, units(150_000_000));
}

#[tokio::test]
async fn a_malformed_depth_names_the_field() {
    let mut body = depth_body();
    body["asks"][1][0] = json!("1,03");
    let (c, _) = serve("/api/v1/depth", body).await;
    let (field, reason) = bad_field(c.depth("NNB-0AD_BNB", None).await);
    assert_eq!(field, "asks[1][0]");
    assert!(
        reason.contains("\"1,03\" is not a plain decimal"),
        "{reason}"
    );

    let mut body = depth_body();
    body["bids"][1][0] = json!("0.00105000");
    let (c, _) = serve("/api/v1/depth", body).await;
    let (field, reason) = bad_field(c.depth("NNB-0AD_BNB", None).await);
    assert_eq!(field, "bids[1]");
    assert_eq!(reason, "bids are not in descending price order");

    let mut body = depth_body();
    body["asks"][0] = json!(["0.00102000"]);
    let (c, _) = serve("/api/v1/depth", body).await;
    assert_eq!(bad_field(c.depth("NNB-0AD_BNB", None).await).0, "asks[0]");

    let (c, _) = serve("/api/v1/depth", json!({"bids": []})).await;
    assert_eq!(
        bad_field(c.depth("NNB-0AD_BNB", None).await),
        ("asks".to_string(), "missing".to_string())
    );
}

#[test]
fn depth_limits_are_the_documented_ones() {
    // paths.md: "Allowed limits: [5, 10, 20, 50, 100, 500, 1000]".
    for n in [5, 10, 20, 50, 100, 500, 1000] {
        assert_eq!(DepthLimit::new(n).unwrap().get(), n);
    }
    for n in [0, 1, 15, 200, 1001] {
        assert_eq!(
            DepthLimit::new(n).unwrap_err().to_string(),
            format!("depth limit \"{n}\" is not accepted: use 5, 10, 20, 50, 100, 500 or 1000")
        );
    }
}

fn trade_body() -> Value {
    // paths.md `TradePage` / `Trade` fields.
    json!({
        "total": 1,
        "trade": [{
            "baseAsset": "NNB-338",
            "blockHeight": 7850389,
            "buyFee": "BNB:0.00000172;",
            "buyerId": BUYER,
            "buyerOrderId": BUY_ORDER,
            "buySingleFee": "BNB:0.00000172;",
            "price": "1.36350000",
            "quantity": "1.00000000",
            "quoteAsset": "BNB",
            "sellFee": "BNB:0.00000216;",
            "sellerId": SELLER,
            "sellerOrderId": SELL_ORDER,
            "sellSingleFee": "BNB:0.00000216;",
            "symbol": "NNB-338_BNB",
            "tickType": "BuyTaker",
            "time": 1548066600000u64,
            "tradeId": "7850389-0"
        }]
    })
}

#[tokio::test]
async fn trades_are_typed_and_filtered() {
    let (c, seen) = serve("/api/v1/trades", trade_body()).await;
    let filter = TradeFilter {
        symbol: Some("NNB-338_BNB".into()),
        address: Some(Address::parse(BUYER).unwrap()),
        limit: Some(PageLimit::new(50).unwrap()),
        side: Some(Side::Buy),
        start_ms: Some(1548066600000),
        ..TradeFilter::default()
    };
    let page = c.trades(&filter).await.unwrap();
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        [format!(
            "symbol=NNB-338_BNB&address={BUYER}&start=1548066600000&limit=50&side=1"
        )]
    );
    assert_eq!(page.total, Some(1));
    let t = &page.trades[0];
    assert_eq!(t.trade_id, "7850389-0");
    assert_eq!(t.symbol, "NNB-338_BNB");
    assert_eq!(t.price, units(136_350_000));
    assert_eq!(t.quantity, units(100_000_000));
    assert_eq!(t.buyer.to_string(), BUYER);
    assert_eq!(t.seller.to_string(), SELLER);
    assert_eq!(t.buyer_order_id.to_string(), BUY_ORDER);
    assert_eq!(t.seller_order_id.to_string(), SELL_ORDER);
    assert_eq!(t.block_height, 7850389);
    assert_eq!(t.time_ms, 1548066600000);
    assert_eq!(t.tick_type.as_deref(), Some("BuyTaker"));
    assert_eq!(t.buy_fee.as_deref(), Some("BNB:0.00000172;"));
}

#[tokio::test]
async fn a_malformed_trade_names_the_field() {
    let mut body = trade_body();
    body["trade"][0]["buyerId"] = json!("bnb1notanaddress");
    let (c, _) = serve("/api/v1/trades", body).await;
    let (field, reason) = bad_field(c.trades(&TradeFilter::default()).await);
    assert_eq!(field, "trade[0].buyerId");
    assert!(
        reason.starts_with("\"bnb1notanaddress\" is not an address"),
        "{reason}"
    );

    let mut body = trade_body();
    body["trade"][0]["sellerOrderId"] = json!(52);
    let (c, _) = serve("/api/v1/trades", body).await;
    let (field, _) = bad_field(c.trades(&TradeFilter::default()).await);
    assert_eq!(field, "trade[0].sellerOrderId");

    let mut body = trade_body();
    body["trade"][0]["blockHeight"] = json!(-3);
    let (c, _) = serve("/api/v1/trades", body).await;
    assert_eq!(
        bad_field(c.trades(&TradeFilter::default()).await),
        (
            "trade[0].blockHeight".to_string(),
            "expected a non-negative integer, got -3".to_string()
        )
    );
}

fn order_json(status: &str) -> Value {
    // paths.md `Order`; times as the API's `dateTime` strings.
    json!({
        "cumulateQuantity": "0.50000000",
        "fee": "BNB:0.00000172;",
        "lastExecutedPrice": "1.36350000",
        "lastExecutedQuantity": "0.50000000",
        "orderCreateTime": "2019-01-21T10:30:00.250Z",
        "orderId": BUY_ORDER,
        "owner": BUYER,
        "price": "1.36350000",
        "quantity": "1.00000000",
        "side": 1,
        "status": status,
        "symbol": "NNB-338_BNB",
        "timeInForce": 1,
        "tradeId": "7850389-0",
        "transactionHash": TX,
        "transactionTime": "2019-01-21T10:30:01Z",
        "type": 2
    })
}

#[tokio::test]
async fn closed_orders_are_typed_and_filtered() {
    let body = json!({"order": [order_json("Canceled")], "total": -1});
    let (c, seen) = serve("/api/v1/orders/closed", body).await;
    let mut filter = ClosedOrderFilter::new(Address::parse(BUYER).unwrap());
    filter.symbol = Some("NNB-338_BNB".into());
    filter.status = vec![OrderStatus::FullyFill, OrderStatus::Canceled];
    let list = c.closed_orders(&filter).await.unwrap();
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        [format!(
            "address={BUYER}&symbol=NNB-338_BNB&status=FullyFill%2CCanceled"
        )]
    );
    // "return total=-1 in response" when the total was not asked for.
    assert_eq!(list.total, None);
    let o = &list.orders[0];
    assert_eq!(o.order_id, OrderId::parse(BUY_ORDER).unwrap());
    assert_eq!(o.owner.to_string(), BUYER);
    assert_eq!(o.side, Side::Buy);
    assert_eq!(o.time_in_force, TimeInForce::Gte);
    assert_eq!(o.status, OrderStatus::Canceled);
    assert_eq!(o.price, units(136_350_000));
    assert_eq!(o.quantity, units(100_000_000));
    assert_eq!(o.cumulate_quantity, units(50_000_000));
    assert_eq!(o.last_executed_quantity, Some(units(50_000_000)));
    assert_eq!(o.transaction_hash, TX.parse::<TxHash>().unwrap());
    assert_eq!(o.create_time_ms, Some(1_548_066_600_250));
    assert_eq!(o.transaction_time_ms, Some(1_548_066_601_000));
}

#[tokio::test]
async fn a_malformed_order_names_the_field() {
    let body = json!({"order": [order_json("FullyFill"), order_json("Filled")], "total": 2});
    let (c, _) = serve("/api/v1/orders/closed", body).await;
    let filter = ClosedOrderFilter::new(Address::parse(BUYER).unwrap());
    let (field, reason) = bad_field(c.closed_orders(&filter).await);
    assert_eq!(field, "order[1].status");
    assert!(
        reason.starts_with("unknown order status \"Filled\""),
        "{reason}"
    );

    let mut o = order_json("Ack");
    o["side"] = json!(3);
    let (c, _) = serve("/api/v1/orders/{id}", o).await;
    let id = OrderId::parse(BUY_ORDER).unwrap();
    assert_eq!(
        bad_field(c.order(&id).await),
        (
            "side".to_string(),
            "expected a side, 1 (BUY) or 2 (SELL), got 3".to_string()
        )
    );

    let mut o = order_json("Ack");
    o["transactionHash"] = json!("0A46");
    let (c, _) = serve("/api/v1/orders/{id}", o).await;
    assert_eq!(bad_field(c.order(&id).await).0, "transactionHash");
}

#[tokio::test]
async fn one_order_by_id_and_an_unknown_one() {
    let (c, _) = serve("/api/v1/orders/{id}", order_json("PartialFill")).await;
    let id = OrderId::parse(BUY_ORDER).unwrap();
    let o = c.order(&id).await.unwrap().unwrap();
    assert_eq!(o.status, OrderStatus::PartialFill);
    assert_eq!(o.order_id, id);

    let app = Router::new().route(
        "/api/v1/orders/{id}",
        get(|| async {
            (
                StatusCode::NOT_FOUND,
                "{\"code\":404,\"message\":\"not found\"}",
            )
                .into_response()
        }),
    );
    let url = mock::serve(app).await;
    assert_eq!(mock::client(&url, 2000, 0).order(&id).await.unwrap(), None);
}

#[tokio::test]
async fn klines_are_the_documented_arrays() {
    // paths.md's klines example, verbatim.
    let body = json!([[
        1499040000000u64,
        "0.01634790",
        "0.80000000",
        "0.01575800",
        "0.01577100",
        "148976.11427815",
        1499644799999u64,
        "2434.19055334",
        308
    ]]);
    let (c, seen) = serve("/api/v1/klines", body.clone()).await;
    let q = KlineQuery {
        symbol: "NNB-338_BNB".into(),
        interval: "5m".parse().unwrap(),
        limit: Some(PageLimit::new(2).unwrap()),
        start_time_ms: None,
        end_time_ms: Some(1499644799999),
    };
    let k = c.klines(&q).await.unwrap();
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        ["symbol=NNB-338_BNB&interval=5m&limit=2&endTime=1499644799999"]
    );
    assert_eq!(k.len(), 1);
    assert_eq!(k[0].open_time_ms, 1499040000000);
    assert_eq!(k[0].open, units(1_634_790));
    assert_eq!(k[0].high, units(80_000_000));
    assert_eq!(k[0].low, units(1_575_800));
    assert_eq!(k[0].close, units(1_577_100));
    assert_eq!(k[0].volume, units(14_897_611_427_815));
    assert_eq!(k[0].close_time_ms, 1499644799999);
    assert_eq!(k[0].quote_volume, units(243_419_055_334));
    assert_eq!(k[0].trades, 308);

    let mut bad = body;
    bad[0][8] = json!("many");
    let (c, _) = serve("/api/v1/klines", bad).await;
    assert_eq!(bad_field(c.klines(&q).await).0, "[0][8]");
    assert_eq!("2h".parse::<KlineInterval>().unwrap(), KlineInterval::Hour2);
}

#[tokio::test]
async fn tickers_are_typed() {
    // go-sdk `Ticker24h` / paths.md `TickerStatistics` fields, values of ws-streams.md's
    // ticker example in the REST names.
    let body = json!([{
        "symbol": "BNB_BTC", "askPrice": "0.0026", "askQuantity": "100", "bidPrice": "0.0024",
        "bidQuantity": "10", "closeTime": 86400000, "count": 18151, "firstId": "0",
        "highPrice": "0.0025", "lastId": "18150", "lastPrice": "0.0025", "lastQuantity": "10",
        "lowPrice": "0.0010", "openPrice": "0.0010", "openTime": 0, "prevClosePrice": "0.0009",
        "priceChange": "-0.0015", "priceChangePercent": "250.00", "quoteVolume": "18",
        "volume": "10000", "weightedAvgPrice": "0.0018"
    }]);
    let (c, seen) = serve("/api/v1/ticker/24hr", body.clone()).await;
    let t = c.ticker_24hr(Some("BNB_BTC")).await.unwrap();
    assert_eq!(seen.lock().unwrap().as_slice(), ["symbol=BNB_BTC"]);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].ask_price, units(260_000));
    assert_eq!(t[0].bid_quantity, units(1_000_000_000));
    assert_eq!(t[0].price_change, "-0.0015");
    assert_eq!(t[0].count, 18151);
    assert_eq!(t[0].close_time_ms, 86400000);
    assert_eq!(t[0].last_id, "18150");

    let mut bad = body;
    bad[0]["priceChange"] = json!("-");
    let (c, _) = serve("/api/v1/ticker/24hr", bad).await;
    assert_eq!(
        bad_field(c.ticker_24hr(None).await),
        (
            "[0].priceChange".to_string(),
            "\"-\" is not a decimal number".to_string()
        )
    );
}

#[tokio::test]
async fn fees_and_time() {
    // paths.md `Fee`, `FixedFeeParams`, `DexFeeFieldParams` (example values) and `Times`.
    let body = json!([
        {"msg_type": "submit_proposal", "fee": 1000000000u64, "fee_for": 1},
        {"fixed_fee_params": {"msg_type": "send", "fee": 62500, "fee_for": 1},
         "multi_transfer_fee": 200000, "lower_limit_as_multi": 2},
        {"dex_fee_fields": [{"fee_name": "ExpireFee", "fee_value": 50000}]}
    ]);
    let (c, _) = serve("/api/v1/fees", body).await;
    let fees = c.fees().await.unwrap();
    assert_eq!(
        fees[0],
        FeeParam::Fixed(FixedFee {
            msg_type: "submit_proposal".into(),
            fee: f8("10"),
            fee_for: FeeFor::Proposer
        })
    );
    assert_eq!(
        fees[1],
        FeeParam::Transfer {
            fixed: FixedFee {
                msg_type: "send".into(),
                fee: units(62500),
                fee_for: FeeFor::Proposer
            },
            multi_transfer_fee: units(200000),
            lower_limit_as_multi: 2
        }
    );
    assert_eq!(fees[2], FeeParam::Dex(vec![("ExpireFee".into(), 50000)]));

    let (c, _) = serve(
        "/api/v1/fees",
        json!([{"msg_type": "send", "fee": 1, "fee_for": 4}]),
    )
    .await;
    assert_eq!(
        bad_field(c.fees().await),
        (
            "[0].fee_for".to_string(),
            "expected 1 (proposer), 2 (all) or 3 (free), got 4".to_string()
        )
    );

    let body = json!({"ap_time": "2019-01-21T10:30:00Z", "block_time": "2019-01-21T10:29:59.5Z"});
    let (c, _) = serve("/api/v1/time", body).await;
    let t = c.time().await.unwrap();
    assert_eq!(t.ap_time_ms, 1_548_066_600_000);
    assert_eq!(t.block_time_ms, 1_548_066_599_500);

    let (c, _) = serve(
        "/api/v1/time",
        json!({"ap_time": "yesterday", "block_time": 1}),
    )
    .await;
    assert_eq!(
        bad_field(c.time().await),
        (
            "ap_time".to_string(),
            "\"yesterday\" is not a time (RFC 3339 UTC or milliseconds)".to_string()
        )
    );
}

#[tokio::test]
async fn queries_the_dex_would_refuse_are_not_sent() {
    let (c, seen) = serve("/api/v1/trades", trade_body()).await;
    let inverted = TradeFilter {
        start_ms: Some(1548066600001),
        end_ms: Some(1548066600000),
        ..TradeFilter::default()
    };
    match c.trades(&inverted).await {
        Err(ClientError::InvalidQuery(e)) => assert_eq!(
            e.to_string(),
            "the time window starts at 1548066600001 ms but ends at 1548066600000 ms: the start must not be after the end"
        ),
        other => panic!("expected InvalidQuery, got {other:?}"),
    }
    for symbol in [
        "",
        "BNB",
        "BNB_",
        "_BNB",
        "NNB-338_BNB&limit=5",
        "NNB 338_BNB",
    ] {
        let filter = TradeFilter {
            symbol: Some(symbol.into()),
            ..TradeFilter::default()
        };
        match c.trades(&filter).await {
            Err(ClientError::InvalidQuery(e)) => assert_eq!(
                e.to_string(),
                format!(
                    "market symbol {symbol:?} is not BASE_QUOTE (letters, digits, '-', '.'), e.g. BNB_BUSD-BD1"
                )
            ),
            other => panic!("expected InvalidQuery for {symbol:?}, got {other:?}"),
        }
    }
    assert!(seen.lock().unwrap().is_empty());
    // A symbol with two dashes and a dot, as the chain lists them, is fine.
    let filter = TradeFilter {
        symbol: Some("BTCB-1DE_BUSD-BD1".into()),
        ..TradeFilter::default()
    };
    c.trades(&filter).await.unwrap();
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        ["symbol=BTCB-1DE_BUSD-BD1"]
    );
}
