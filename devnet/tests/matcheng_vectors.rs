//! Runs every vector of `devnet/tests/data/devnet-match.json` (the Go engine's test tables,
//! bnb-chain/node `plugins/dex/matcheng`) through the port in `dexlink_devnet::matcheng`, prints
//! the count and fails on any mismatch, listing them all.

use std::collections::BTreeMap;
use std::path::Path;

use dexlink_devnet::matcheng::steps::{self, OrderPart, OverlappedLevel, StepError};
use dexlink_devnet::matcheng::{
    Book, NewOrder, RestingOrder, RoundParams, Side, TimeInForce, Trade, match_round,
};
use serde_json::{Value, json};

/// Vectors the file must hold, so that a bad edit that loses some fails.
const EXPECTED_VECTORS: usize = 52;

type Check = Result<(), String>;

fn int(v: &Value, key: &str) -> i64 {
    v[key]
        .as_i64()
        .unwrap_or_else(|| panic!("field {key} is not an integer in {v}"))
}

fn side(v: &Value) -> Side {
    match v.as_str() {
        Some("buy") => Side::Buy,
        Some("sell") => Side::Sell,
        other => panic!("bad side {other:?}"),
    }
}

fn side_name(s: Side) -> &'static str {
    match s {
        Side::Buy => "buy",
        _ => "sell",
    }
}

/// [id, time, qty, cum_qty, nxt_trade]
fn part(v: &Value) -> OrderPart {
    let a = v.as_array().expect("an order array");
    OrderPart {
        id: a[0].as_str().expect("id").to_string(),
        time: a[1].as_i64().expect("time"),
        qty: a[2].as_i64().expect("qty"),
        cum_qty: a[3].as_i64().expect("cum_qty"),
        nxt_trade: a[4].as_i64().expect("nxt_trade"),
    }
}

fn parts(v: &Value) -> Vec<OrderPart> {
    v.as_array()
        .map_or_else(Vec::new, |a| a.iter().map(part).collect())
}

fn part_json(o: &OrderPart) -> Value {
    json!([o.id, o.time, o.qty, o.cum_qty, o.nxt_trade])
}

fn level(v: &Value) -> OverlappedLevel {
    let get = |k: &str| v.get(k).and_then(Value::as_i64).unwrap_or(0);
    OverlappedLevel {
        price: int(v, "price"),
        buy_orders: parts(&v["buy"]),
        sell_orders: parts(&v["sell"]),
        buy_taker_start_idx: get("buy_taker_start_idx") as usize,
        sell_taker_start_idx: get("sell_taker_start_idx") as usize,
        buy_maker_total: get("buy_maker_total"),
        sell_maker_total: get("sell_maker_total"),
        ..Default::default()
    }
}

fn levels(v: &Value) -> Vec<OverlappedLevel> {
    v.as_array().expect("levels").iter().map(level).collect()
}

fn trade_json(t: &Trade) -> Value {
    json!({
        "sid": t.sell_id, "price": t.price, "qty": t.qty, "buy_cum_qty": t.buy_cum_qty,
        "sell_cum_qty": t.sell_cum_qty, "bid": t.buy_id, "tick_type": t.tick_type.code(),
    })
}

fn same(what: &str, got: &Value, want: &Value) -> Check {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got}, want {want}"))
    }
}

fn step_error_kind(e: &StepError) -> &'static str {
    match e {
        StepError::InvalidDropQty { .. } => "invalid-quantity",
        StepError::NoOrders { .. } => "no-orders",
        StepError::NotEnoughToDrop { .. } => "not-enough-quantity",
        StepError::BothSidesMakers => "both-sides-makers",
        _ => "other",
    }
}

fn expect_step_error(v: &Value, r: Result<(), StepError>) -> Check {
    match (v.get("expect_error").and_then(Value::as_str), r) {
        (Some(want), Err(e)) if step_error_kind(&e) == want => Ok(()),
        (Some(want), Err(e)) => Err(format!("error {e:?}, want {want}")),
        (Some(want), Ok(())) => Err(format!("succeeded, want error {want}")),
        (None, Err(e)) => Err(format!("unexpected error {e}")),
        (None, Ok(())) => Ok(()),
    }
}

fn book_from(orders: &[Value], height: i64) -> (Book, Vec<NewOrder>) {
    let mut book = Book::new();
    let mut new = Vec::new();
    for o in orders {
        let (id, s, time, price, qty) = (
            o["id"].as_str().expect("id").to_string(),
            side(&o["side"]),
            int(o, "time"),
            int(o, "price"),
            int(o, "qty"),
        );
        if time < height {
            let order = RestingOrder {
                id,
                height: time,
                qty,
                cum_qty: 0,
            };
            book.insert(s, price, order).expect("a valid resting order");
        } else {
            new.push(NewOrder {
                id,
                side: s,
                price,
                qty,
                time_in_force: TimeInForce::Gte,
            });
        }
    }
    (book, new)
}

fn book_json(book: &Book) -> Value {
    let side_levels = |s: Side| -> Value {
        book.levels(s)
            .map(|(price, orders)| {
                let orders: Vec<Value> = orders
                    .iter()
                    .map(|o| json!([o.id, o.height, o.qty, o.cum_qty]))
                    .collect();
                json!({"price": price, "orders": orders})
            })
            .collect()
    };
    json!({"buy": side_levels(Side::Buy), "sell": side_levels(Side::Sell)})
}

fn run_round(v: &Value) -> Check {
    let p = &v["params"];
    let params = RoundParams {
        height: int(p, "height"),
        last_price: int(p, "last_price"),
        lot_size: int(p, "lot_size"),
        price_limit_pct: p["price_limit_pct"].as_f64().expect("price_limit_pct"),
    };
    let (mut book, new) = book_from(v["orders"].as_array().expect("orders"), params.height);
    let out = match_round(&mut book, &new, &params).map_err(|e| format!("round failed: {e}"))?;
    let e = &v["expect"];
    same("last price", &json!(out.last_price), &e["last_price"])?;
    same(
        "overlapped levels",
        &json!(out.overlapped_levels),
        &e["overlapped_levels"],
    )?;
    let trades: Vec<Value> = out.trades.iter().map(trade_json).collect();
    same("trades", &json!(trades), &e["trades"])?;
    same("book after the round", &book_json(&book), &e["book"])
}

fn run_trade_price(v: &Value) -> Check {
    let p = &v["params"];
    let (book, new) = book_from(v["orders"].as_array().expect("orders"), i64::MAX);
    assert!(new.is_empty());
    let mut lv = book.overlapped();
    steps::prepare_match(&mut lv);
    let got = steps::trade_price(
        &lv,
        int(p, "last_price"),
        p["price_limit_pct"].as_f64().expect("limit"),
    );
    let got = got.map_or(
        Value::Null,
        |(price, idx)| json!({"price": price, "index": idx}),
    );
    same("concluded price", &got, &v["expect"])
}

fn run_prepare(v: &Value) -> Check {
    let mut lv = levels(&v["levels"]);
    let n = steps::prepare_match(&mut lv);
    let e = &v["expect"];
    same("count", &json!(n), &e["count"])?;
    let execs: Vec<i64> = lv.iter().map(|l| l.accumulated_executions).collect();
    same("executions", &json!(execs), &e["accumulated_executions"])?;
    let surpluses: Vec<i64> = lv.iter().map(|l| l.buy_sell_surplus).collect();
    same("surpluses", &json!(surpluses), &e["buy_sell_surplus"])
}

fn run_drop_qty(v: &Value) -> Check {
    let mut orders = parts(&v["orders"]);
    let r = steps::drop_redundant_qty(&mut orders, int(v, "to_drop"), int(v, "lot_size"));
    expect_step_error(v, r)?;
    if let Some(want) = v.get("expect_nxt_trade").and_then(Value::as_object) {
        for (id, want) in want {
            let o = orders
                .iter()
                .find(|o| &o.id == id)
                .ok_or(format!("no order {id}"))?;
            same(&format!("nxt_trade of {id}"), &json!(o.nxt_trade), want)?;
        }
    }
    Ok(())
}

fn level_json(l: &OverlappedLevel) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("price".into(), json!(l.price));
    if !l.buy_orders.is_empty() {
        m.insert(
            "buy".into(),
            l.buy_orders.iter().map(part_json).collect::<Value>(),
        );
    }
    if !l.sell_orders.is_empty() {
        m.insert(
            "sell".into(),
            l.sell_orders.iter().map(part_json).collect::<Value>(),
        );
    }
    for (k, x) in [
        ("sell_total", l.sell_total),
        ("accumulated_sell", l.accumulated_sell),
        ("buy_total", l.buy_total),
        ("accumulated_buy", l.accumulated_buy),
        ("accumulated_executions", l.accumulated_executions),
        ("buy_sell_surplus", l.buy_sell_surplus),
    ] {
        m.insert(k.into(), json!(x));
    }
    Value::Object(m)
}

fn run_drop_levels(v: &Value) -> Check {
    let p = &v["params"];
    let mut lv = levels(&v["levels"]);
    steps::prepare_match(&mut lv);
    let (_, idx) = steps::trade_price(
        &lv,
        int(p, "last_price"),
        p["price_limit_pct"].as_f64().expect("limit"),
    )
    .ok_or("no trade price")?;
    steps::drop_redundant_qty_at(&mut lv, idx, int(p, "lot_size"))
        .map_err(|e| format!("drop failed: {e}"))?;
    let got: Vec<Value> = lv.iter().map(level_json).collect();
    same("levels", &json!(got), &v["expect_levels"])
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array()
        .expect("an integer array")
        .iter()
        .map(|x| x.as_i64().expect("an integer"))
        .collect()
}

fn run_calc_fill(v: &Value) -> Check {
    let nxt = ints(&v["taker_nxt_trade"]);
    let mut to_fill = vec![0; nxt.len()];
    steps::calc_fill_qty(
        &mut to_fill,
        int(v, "maker_qty"),
        &nxt,
        &ints(&v["proportion"]),
        int(v, "total_taker_qty"),
        int(v, "lot_size"),
    );
    same("to fill", &json!(to_fill), &v["expect"])
}

fn run_taker_side(v: &Value) -> Check {
    let mut lv = levels(&v["levels"]);
    let r = steps::determine_taker_side(&mut lv, int(v, "height"), int(v, "trade_idx") as usize);
    match r {
        Err(e) => expect_step_error(v, Err(e)),
        Ok(s) => {
            expect_step_error(v, Ok(()))?;
            same("taker side", &json!(side_name(s)), &v["expect_taker_side"])?;
            let marks: Vec<Value> = lv
                .iter()
                .map(|l| {
                    json!([
                        l.buy_taker_start_idx,
                        l.buy_maker_total,
                        l.sell_taker_start_idx,
                        l.sell_maker_total
                    ])
                })
                .collect();
            same("marks", &json!(marks), &v["expect_marks"])
        }
    }
}

fn run_merge_takers(v: &Value) -> Check {
    let lv = levels(&v["levels"]);
    let (pos, total) =
        steps::merge_taker_side_orders(side(&v["side"]), &lv, int(v, "trade_idx") as usize);
    let s = side(&v["side"]);
    let ids: Vec<&str> = pos
        .iter()
        .map(|&(li, oi)| match s {
            Side::Buy => lv[li].buy_orders[oi].id.as_str(),
            _ => lv[li].sell_orders[oi].id.as_str(),
        })
        .collect();
    same(
        "takers",
        &json!({"orders": ids, "total": total}),
        &v["expect"],
    )
}

fn run_fill(v: &Value) -> Check {
    let p = &v["params"];
    let mut lv = levels(&v["levels"]);
    let mut takers = parts(&v["takers"]);
    let taker_side = side(&p["taker_side"]);
    let trades = steps::fill_orders(
        &mut lv,
        taker_side,
        &mut takers,
        int(p, "trade_idx") as usize,
        int(p, "concluded_price"),
        int(p, "surplus"),
        int(p, "lot_size"),
    );
    let e = &v["expect"];
    let trades: Vec<Value> = trades.iter().map(trade_json).collect();
    same("trades", &json!(trades), &e["trades"])?;
    // The Go test lists the maker side's orders in their original slice order, lowest level
    // first for the sell side, highest first for the buy side: compare as a set keyed by id.
    let makers: BTreeMap<String, Value> = lv
        .iter()
        .flat_map(|l| match taker_side {
            Side::Sell => l.buy_orders.iter(),
            _ => l.sell_orders.iter(),
        })
        .map(|o| (o.id.clone(), part_json(o)))
        .collect();
    let want_makers: BTreeMap<String, Value> = e["makers"]
        .as_array()
        .expect("makers")
        .iter()
        .map(|o| (o[0].as_str().expect("id").to_string(), o.clone()))
        .collect();
    same("makers", &json!(makers), &json!(want_makers))?;
    let takers: Vec<Value> = takers.iter().map(part_json).collect();
    same("takers", &json!(takers), &e["takers"])
}

fn run(v: &Value) -> Check {
    assert_eq!(v["type"], "match", "vector type");
    match v["op"].as_str().unwrap_or("") {
        "round" => run_round(v),
        "trade_price" => run_trade_price(v),
        "prepare" => run_prepare(v),
        "drop_redundant_qty" => run_drop_qty(v),
        "drop_redundant_levels" => run_drop_levels(v),
        "calc_fill_qty" => run_calc_fill(v),
        "taker_side" => run_taker_side(v),
        "merge_takers" => run_merge_takers(v),
        "fill" => run_fill(v),
        other => Err(format!("unknown op {other:?}")),
    }
}

#[test]
fn every_converted_go_matcheng_vector_passes() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/devnet-match.json");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("the vector file"))
            .expect("valid JSON");
    assert!(
        doc["source"]
            .as_str()
            .is_some_and(|s| s.contains("bnb-chain/node")),
        "the file names its source"
    );
    let vectors = doc["vectors"].as_array().expect("vectors");
    let mut failures = Vec::new();
    let mut ids = std::collections::BTreeSet::new();
    for v in vectors {
        let id = v["id"].as_str().expect("id");
        assert!(ids.insert(id), "duplicate id {id}");
        assert!(
            v["source"]
                .as_str()
                .is_some_and(|s| s.ends_with(".go") || s.contains(".go ")),
            "{id} names its Go test"
        );
        if let Err(e) = run(v) {
            failures.push(format!("{id}: {e}"));
        }
    }
    println!(
        "{} match vectors, {} passed",
        vectors.len(),
        vectors.len() - failures.len()
    );
    assert!(failures.is_empty(), "failed:\n{}", failures.join("\n"));
    assert_eq!(vectors.len(), EXPECTED_VECTORS, "vector count");
}
