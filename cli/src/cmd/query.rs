//! Read-only DEX queries: `dexlink account`, `dexlink markets`, `dexlink orders`.

use std::process::ExitCode;

use clap::Args;
use dexlink::Address;
use dexlink::client::OpenOrder;
use dexlink::keydir::{EntryKind, EntryName};
use dexlink::tx::Side;
use serde_json::json;

use super::common::{client, runtime};
use super::{CliError, CliResult, Global};
use crate::keyring::{entry_name, looks_like_private_key, open_dir};
use crate::output::print_json;

/// Which account: an address, or a key-store entry (its recorded address at --index).
#[derive(Debug, Args)]
pub struct Target {
    /// An address (bnb1…/tbnb1…) or a key-store entry name.
    #[arg(value_name = "ADDR|NAME")]
    target: String,
    /// HD index of the entry's address (entries only).
    #[arg(long, default_value_t = 0)]
    index: u32,
    /// The DEX API base URL (default: $DEXLINK_DEX, else the profile's DEX).
    #[arg(long, env = "DEXLINK_DEX", value_name = "URL")]
    pub(crate) dex: Option<String>,
}

/// Resolves an address or an entry's recorded address; no password is needed.
pub(crate) fn resolve(global: &Global, t: &Target) -> Result<Address, CliError> {
    resolve_target(global, &t.target, t.index)
}

/// An address given as itself or as a key-store entry's recorded address at HD `index`.
pub(crate) fn resolve_target(
    global: &Global,
    target: &str,
    index: u32,
) -> Result<Address, CliError> {
    let a = Address::parse(target);
    if let Ok(a) = a {
        return Ok(a);
    }
    // An address's prefix (bnb1/tbnb1) says it was meant as an address, not an entry name.
    let lower = target.to_ascii_lowercase();
    if let Err(e) = a
        && (lower.starts_with("bnb1") || lower.starts_with("tbnb1"))
    {
        return Err(CliError::usage(format!(
            "{target} is malformed as an address: {e}"
        )));
    }
    // Not repeated: what is neither an address nor a name may be a key or a mnemonic typed in
    // the wrong place (a key-shaped one gets `entry_name`'s own refusal).
    let name = entry_name(target).map_err(|e| match EntryName::new(target) {
        Err(why) if !looks_like_private_key(target) => CliError::usage(format!(
            "the account given is neither an address (bnb1…, tbnb1…) nor an entry name ({why}); see `dexlink keys list`"
        )),
        _ => e,
    })?;
    let info = open_dir(global)?.get(&name)?;
    if info.kind == EntryKind::PrivateKey && index != 0 {
        return Err(crate::keyring::not_hd(target));
    }
    let wanted = format!("m/44'/714'/0'/0/{index}");
    info.addresses
        .iter()
        .find(|a| a.path.is_none() || a.path.as_deref() == Some(wanted.as_str()))
        .map(|a| a.address.clone())
        .ok_or_else(|| {
            CliError::usage(format!(
                "{target} has no recorded address at {wanted}; run `dexlink keys show {target} --index {index}` first"
            ))
        })
}

/// Show an account's number, sequence and balances on a DEX.
///
/// Example: dexlink account alice --dex http://127.0.0.1:41234
#[derive(Debug, Args)]
pub struct AccountArgs {
    #[command(flatten)]
    target: Target,
}

pub fn account(global: &Global, a: AccountArgs) -> CliResult {
    let address = resolve(global, &a.target)?;
    let client = client(global, a.target.dex.as_deref())?;
    let acct = runtime()?.block_on(client.account(&address))?;
    if global.json {
        print_json(&json!({
            "address": acct.address.to_string(),
            "account_number": acct.account_number,
            "sequence": acct.sequence,
            "balances": acct.balances.iter().map(|b| json!({
                "symbol": b.symbol.to_string(),
                "free": b.free.to_string(),
                "locked": b.locked.to_string(),
                "frozen": b.frozen.to_string(),
            })).collect::<Vec<_>>(),
        }));
    } else if global.quiet {
        // The balance list: one `SYMBOL FREE` line per asset.
        for b in &acct.balances {
            println!("{} {}", b.symbol, b.free);
        }
    } else {
        println!("address:        {}", acct.address);
        println!("account number: {}", acct.account_number);
        println!("sequence:       {}", acct.sequence);
        for b in &acct.balances {
            println!(
                "  {:<14} free {:>20}  locked {:>20}  frozen {:>20}",
                b.symbol, b.free, b.locked, b.frozen
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// List the DEX's markets with their tick and lot sizes.
///
/// Example: dexlink markets --dex http://127.0.0.1:41234
#[derive(Debug, Args)]
pub struct MarketsArgs {
    /// The DEX API base URL (default: $DEXLINK_DEX, else the profile's DEX).
    #[arg(long, env = "DEXLINK_DEX", value_name = "URL")]
    dex: Option<String>,
}

pub fn markets(global: &Global, a: MarketsArgs) -> CliResult {
    let client = client(global, a.dex.as_deref())?;
    let markets = runtime()?.block_on(client.markets())?;
    super::order::cache_markets(global, &client, &markets);
    if global.json {
        print_json(&json!({
            "markets": markets.iter().map(|m| json!({
                "symbol": m.symbol(),
                "base_asset": m.base_asset_symbol.to_string(),
                "quote_asset": m.quote_asset_symbol.to_string(),
                "tick_size": m.tick_size.to_string(),
                "lot_size": m.lot_size.to_string(),
                "list_price": m.list_price.to_string(),
            })).collect::<Vec<_>>(),
        }));
    } else if global.quiet {
        for m in &markets {
            println!("{}", m.symbol());
        }
    } else {
        println!(
            "{:<24} {:>14} {:>14} {:>16}",
            "symbol", "tick", "lot", "list price"
        );
        for m in &markets {
            println!(
                "{:<24} {:>14} {:>14} {:>16}",
                m.symbol(),
                m.tick_size,
                m.lot_size,
                m.list_price
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// List an account's open orders, or with --closed its closed ones.
///
/// Example: dexlink orders alice --dex http://127.0.0.1:41234
#[derive(Debug, Args)]
pub struct OrdersArgs {
    #[command(flatten)]
    target: Target,
    /// Closed orders (filled, cancelled, expired) instead of open ones.
    #[arg(long)]
    closed: bool,
    /// Only this market (with --closed).
    #[arg(long, requires = "closed")]
    symbol: Option<String>,
    /// At most this many orders, 1 to 1000 (with --closed).
    #[arg(long, value_name = "N", requires = "closed")]
    limit: Option<dexlink::client::PageLimit>,
}

pub fn orders(global: &Global, a: OrdersArgs) -> CliResult {
    let address = resolve(global, &a.target)?;
    if a.closed {
        return super::market::closed_orders(
            global,
            address,
            a.symbol,
            a.limit,
            a.target.dex.as_deref(),
        );
    }
    let client = client(global, a.target.dex.as_deref())?;
    let orders = runtime()?.block_on(client.open_orders(&address))?;
    if global.json {
        print_json(&json!({
            "address": address.to_string(),
            "total": orders.total,
            "orders": orders.order.iter().map(order_json).collect::<Vec<_>>(),
        }));
    } else if global.quiet {
        for o in &orders.order {
            println!("{}", o.order_id);
        }
    } else if orders.order.is_empty() {
        println!("no open orders for {address}");
    } else {
        println!("{ORDER_HEADER}");
        for o in &orders.order {
            println!("{}", order_row(o));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// An open order in the JSON schema (`docs/json-output.md`).
fn order_json(o: &OpenOrder) -> serde_json::Value {
    json!({
        "order_id": o.order_id.to_string(),
        "symbol": o.symbol.to_string(),
        "side": o.side.to_string(),
        "price": o.price.to_string(),
        "quantity": o.quantity.to_string(),
        "filled_quantity": o.cumulate_quantity.to_string(),
        "time_in_force": o.time_in_force.to_string(),
        "status": o.status.to_string(),
        "tx_hash": o.transaction_hash.map(|h| h.to_string()),
    })
}

/// The header of the `orders` table, aligned with [`order_row`].
const ORDER_HEADER: &str = "ORDER ID                                      SIDE  QUANTITY          SYMBOL                PRICE             STATUS";

/// One open order as a row of the `orders` table.
fn order_row(o: &OpenOrder) -> String {
    format!(
        "{:<45} {:<5} {:<17} {:<21} {:<17} {}",
        o.order_id,
        o.side.to_string(),
        o.quantity,
        o.symbol,
        o.price,
        o.status
    )
}

/// One open order as a line: `ID  BUY  QTY SYMBOL at PRICE (STATUS)`.
pub(crate) fn order_line(o: &OpenOrder) -> String {
    format!(
        "{}  {} {} {} at {} ({})",
        o.order_id,
        if o.side == Side::Buy { "BUY " } else { "SELL" },
        o.quantity,
        o.symbol,
        o.price,
        o.status
    )
}
