//! Market data and live updates: `dexlink book`, `dexlink trades`, `dexlink order show`,
//! `dexlink orders --closed` (its listing) and `dexlink watch`. The SDK fetches and types
//! everything; this module only chooses what to ask and prints it.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use dexlink::client::stream::{
    AccountUpdate, DexStream, ExecutionReport, StreamConfig, StreamError, StreamEvent, Subscription,
};
use dexlink::client::{
    ClosedOrderFilter, DepthLimit, Order, OrderList, PageLimit, PriceLevel, Trade, TradeFilter,
};
use dexlink::tx::OrderId;
use serde_json::{Value, json};

use super::common::{client, runtime};
use super::query::resolve_target;
use super::{CliError, CliResult, Global};
use crate::output::print_json;

/// The DEX asks for a keep-alive at least hourly; its docs advise every 30 minutes.
const KEEP_ALIVE: Duration = Duration::from_secs(30 * 60);

/// Show a market's order book: asks above bids, the best prices next to each other.
///
/// Example: dexlink book BNB_BUSD-BD1 --limit 20 --dex http://127.0.0.1:41234
#[derive(Debug, Args)]
pub struct BookArgs {
    /// The market, BASE_QUOTE (e.g. BNB_BUSD-BD1).
    symbol: String,
    /// Price levels per side: 5, 10, 20, 50, 100, 500 or 1000.
    #[arg(long, value_name = "N")]
    limit: Option<DepthLimit>,
    /// The DEX API base URL (default: $DEXLINK_DEX, else the profile's DEX).
    #[arg(long, env = "DEXLINK_DEX", value_name = "URL")]
    dex: Option<String>,
}

fn level_json(l: &PriceLevel) -> Value {
    json!({"price": l.price.to_string(), "quantity": l.quantity.to_string()})
}

pub fn book(global: &Global, a: BookArgs) -> CliResult {
    let client = client(global, a.dex.as_deref())?;
    let depth = runtime()?
        .block_on(client.depth(&a.symbol, a.limit))
        .map_err(CliError::from)?;
    if global.json {
        print_json(&json!({
            "symbol": a.symbol,
            "height": depth.height,
            "asks": depth.asks.iter().map(level_json).collect::<Vec<_>>(),
            "bids": depth.bids.iter().map(level_json).collect::<Vec<_>>(),
        }));
        return Ok(ExitCode::SUCCESS);
    }
    println!("{:<4}  {:>20}  {:>20}", "side", "price", "quantity");
    // Asks from the highest down to the best, then bids from the best down: the spread sits
    // in the middle of the table.
    for l in depth.asks.iter().rev() {
        println!("{:<4}  {:>20}  {:>20}", "ask", l.price, l.quantity);
    }
    for l in &depth.bids {
        println!("{:<4}  {:>20}  {:>20}", "bid", l.price, l.quantity);
    }
    Ok(ExitCode::SUCCESS)
}

/// List trades: an account's (by name or address), a market's, or both.
///
/// Example: dexlink trades alice --symbol BNB_BUSD-BD1 --dex http://127.0.0.1:41234
#[derive(Debug, Args)]
pub struct TradesArgs {
    /// Only trades of this address (bnb1…/tbnb1…) or key-store entry.
    #[arg(value_name = "ADDR|NAME")]
    target: Option<String>,
    /// HD index of the entry's address (entries only).
    #[arg(long, default_value_t = 0)]
    index: u32,
    /// Only this market.
    #[arg(long)]
    symbol: Option<String>,
    /// At most this many trades (1 to 1000).
    #[arg(long, value_name = "N")]
    limit: Option<PageLimit>,
    /// The DEX API base URL (default: $DEXLINK_DEX, else the profile's DEX).
    #[arg(long, env = "DEXLINK_DEX", value_name = "URL")]
    dex: Option<String>,
}

fn trade_json(t: &Trade) -> Value {
    json!({
        "trade_id": t.trade_id,
        "symbol": t.symbol,
        "price": t.price.to_string(),
        "quantity": t.quantity.to_string(),
        "buyer": t.buyer.to_string(),
        "seller": t.seller.to_string(),
        "buyer_order_id": t.buyer_order_id.to_string(),
        "seller_order_id": t.seller_order_id.to_string(),
        "height": t.block_height,
        "time_ms": t.time_ms,
    })
}

pub fn trades(global: &Global, a: TradesArgs) -> CliResult {
    let address = match &a.target {
        Some(t) => Some(resolve_target(global, t, a.index)?),
        None => None,
    };
    let client = client(global, a.dex.as_deref())?;
    let filter = TradeFilter {
        symbol: a.symbol.clone(),
        address,
        limit: a.limit,
        ..TradeFilter::default()
    };
    let page = runtime()?
        .block_on(client.trades(&filter))
        .map_err(CliError::from)?;
    if global.json {
        print_json(&json!({
            "trades": page.trades.iter().map(trade_json).collect::<Vec<_>>(),
            "total": page.total,
        }));
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:>10}  {:<20}  {:>16}  {:>16}  {:<46}  {:<46}",
        "height", "symbol", "price", "quantity", "buyer order", "seller order"
    );
    for t in &page.trades {
        println!(
            "{:>10}  {:<20}  {:>16}  {:>16}  {:<46}  {:<46}",
            t.block_height, t.symbol, t.price, t.quantity, t.buyer_order_id, t.seller_order_id
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn order_json(o: &Order) -> Value {
    json!({
        "order_id": o.order_id.to_string(),
        "symbol": o.symbol,
        "address": o.owner.to_string(),
        "side": o.side.to_string(),
        "price": o.price.to_string(),
        "quantity": o.quantity.to_string(),
        "filled_quantity": o.cumulate_quantity.to_string(),
        "status": o.status.to_string(),
        "time_in_force": o.time_in_force.to_string(),
        "tx_hash": o.transaction_hash.to_string(),
        "fee": o.fee,
        "create_time_ms": o.create_time_ms,
        "update_time_ms": o.transaction_time_ms,
    })
}

fn order_header() -> String {
    format!(
        "{:<46}  {:<20}  {:<4}  {:>16}  {:>16}  {:>16}  {}",
        "order id", "symbol", "side", "price", "quantity", "filled", "status"
    )
}

fn order_row(o: &Order) -> String {
    format!(
        "{:<46}  {:<20}  {:<4}  {:>16}  {:>16}  {:>16}  {}",
        o.order_id.to_string(),
        o.symbol,
        o.side.to_string(),
        o.price,
        o.quantity,
        o.cumulate_quantity,
        o.status
    )
}

/// `dexlink orders NAME --closed`: the account's closed orders.
pub(crate) fn closed_orders(
    global: &Global,
    address: dexlink::Address,
    symbol: Option<String>,
    limit: Option<PageLimit>,
    dex: Option<&str>,
) -> CliResult {
    let client = client(global, dex)?;
    let mut filter = ClosedOrderFilter::new(address.clone());
    filter.symbol = symbol;
    filter.limit = limit;
    let OrderList { total, orders } = runtime()?
        .block_on(client.closed_orders(&filter))
        .map_err(CliError::from)?;
    if global.json {
        print_json(&json!({
            "address": address.to_string(),
            "orders": orders.iter().map(order_json).collect::<Vec<_>>(),
            "total": total,
        }));
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}", order_header());
    for o in &orders {
        println!("{}", order_row(o));
    }
    Ok(ExitCode::SUCCESS)
}

/// Show one order, open or closed, by its id.
///
/// Example: dexlink order show BA36F0FAD74D8F41045463E4774F328F4AF779E5-36 --dex http://127.0.0.1:41234
#[derive(Debug, Args)]
pub struct OrderShowArgs {
    /// The order id (HEX(address)-N).
    #[arg(value_name = "ID")]
    id: OrderId,
    /// The DEX API base URL (default: $DEXLINK_DEX, else the profile's DEX).
    #[arg(long, env = "DEXLINK_DEX", value_name = "URL")]
    dex: Option<String>,
}

pub fn order_show(global: &Global, a: OrderShowArgs) -> CliResult {
    let client = client(global, a.dex.as_deref())?;
    let order = runtime()?
        .block_on(client.order(&a.id))
        .map_err(CliError::from)?
        .ok_or_else(|| {
            CliError::failed(format!(
                "order {} is unknown to the DEX; check the id (see `dexlink orders NAME` and `dexlink orders NAME --closed`)",
                a.id
            ))
        })?;
    if global.json {
        print_json(&order_json(&order));
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}", order_header());
    println!("{}", order_row(&order));
    Ok(ExitCode::SUCCESS)
}

/// Follow an account's order and balance updates live, until Ctrl-C.
///
/// With --json, one JSON object per line and event.
///
/// Example: dexlink watch alice --dex http://127.0.0.1:41234
#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    target: super::query::Target,
}

fn report_json(r: &ExecutionReport) -> Value {
    json!({
        "event": "order",
        "order_id": r.order_id.to_string(),
        "symbol": r.symbol,
        "side": r.side.to_string(),
        "price": r.price.to_string(),
        "quantity": r.quantity.to_string(),
        "execution": r.execution_type.to_string(),
        "status": r.status.to_string(),
        "filled_quantity": r.cumulate_quantity.to_string(),
        "last_price": r.last_executed_price.to_string(),
        "last_quantity": r.last_executed_quantity.to_string(),
        "fee": r.fee,
        "time_ms": r.transaction_time_ms,
    })
}

fn report_line(r: &ExecutionReport) -> String {
    format!(
        "order {} {} {} {} at {}: {} {}, filled {}",
        r.order_id,
        r.symbol,
        r.side,
        r.quantity,
        r.price,
        r.execution_type,
        r.status,
        r.cumulate_quantity
    )
}

fn balances_json(address: &str, a: &AccountUpdate) -> Value {
    json!({
        "event": "balances",
        "address": address,
        "balances": a.balances.iter().map(|b| json!({
            "asset": b.asset,
            "free": b.free.to_string(),
            "locked": b.locked.to_string(),
            "frozen": b.frozen.to_string(),
        })).collect::<Vec<_>>(),
    })
}

fn stream_error(e: StreamError) -> CliError {
    match e {
        StreamError::InvalidUrl(..) => CliError::usage(e.to_string()),
        other => CliError::failed(other.to_string()),
    }
}

pub fn watch(global: &Global, a: WatchArgs) -> CliResult {
    let address = super::query::resolve(global, &a.target)?;
    // The same URL resolution (flag, environment, profile) as every other DEX command.
    let base = client(global, a.target.dex.as_deref())?
        .base_url()
        .to_string();
    let json_out = global.json;
    let quiet = global.quiet;
    runtime()?.block_on(async move {
        // Registered before anything is printed, so a Ctrl-C from then on is never missed.
        let mut interrupt =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
                .map_err(|e| CliError::failed(format!("cannot watch for Ctrl-C: {e}")))?;
        let mut stream = DexStream::connect(&base, &StreamConfig::default())
            .await
            .map_err(stream_error)?;
        stream
            .subscribe(&Subscription::Orders(address.clone()))
            .await
            .map_err(stream_error)?;
        stream
            .subscribe(&Subscription::Accounts(address.clone()))
            .await
            .map_err(stream_error)?;
        // Said only once the DEX has taken the subscriptions: from then on no update is missed.
        stream.sync().await.map_err(stream_error)?;
        if !quiet && std::io::stderr().is_terminal() {
            eprintln!("watching {address} on {} (Ctrl-C to stop)", stream.url());
        }
        let addr = address.to_string();
        let mut keep_alive = tokio::time::interval(KEEP_ALIVE);
        keep_alive.tick().await;
        loop {
            tokio::select! {
                _ = interrupt.recv() => {
                    // Best effort: the user asked to stop, a failing goodbye changes nothing.
                    let _ = tokio::time::timeout(Duration::from_secs(2), stream.close()).await;
                    return Ok(ExitCode::SUCCESS);
                }
                _ = keep_alive.tick() => {
                    stream.keep_alive().await.map_err(stream_error)?;
                }
                event = stream.next_event() => {
                    match event.map_err(stream_error)? {
                        StreamEvent::Orders(reports) => {
                            for r in &reports {
                                if json_out {
                                    println!("{}", report_json(r));
                                } else {
                                    println!("{}", report_line(r));
                                }
                            }
                        }
                        StreamEvent::Account(u) => {
                            if json_out {
                                println!("{}", balances_json(&addr, &u));
                            } else {
                                for b in &u.balances {
                                    println!(
                                        "balance {} free {} locked {} frozen {}",
                                        b.asset, b.free, b.locked, b.frozen
                                    );
                                }
                            }
                        }
                        // Other topics were not asked for; a DEX sending them is ignored.
                        _ => {}
                    }
                }
            }
        }
    })
}
