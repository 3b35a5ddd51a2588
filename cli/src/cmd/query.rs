//! Read-only DEX queries: `dexlink account`, `dexlink markets`, `dexlink orders`.

use std::process::ExitCode;

use clap::Args;
use dexlink::Address;
use dexlink::client::OpenOrder;
use dexlink::tx::Side;

use super::common::{client, client_error, runtime};
use super::{CliError, CliResult, Global};
use crate::keyring::{dir_error, entry_name, open_dir};
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
    dex: Option<String>,
}

/// Resolves an address or an entry's recorded address; no password is needed.
fn resolve(global: &Global, t: &Target) -> Result<Address, CliError> {
    if let Ok(a) = Address::parse(&t.target) {
        return Ok(a);
    }
    let name = entry_name(&t.target).map_err(|_| {
        CliError::usage(format!(
            "{:?} is neither an address nor a key-store entry name",
            t.target
        ))
    })?;
    let info = open_dir(global)?.get(&name).map_err(dir_error)?;
    let wanted = format!("m/44'/714'/0'/0/{}", t.index);
    info.addresses
        .iter()
        .find(|a| a.path.is_none() || a.path.as_deref() == Some(wanted.as_str()))
        .map(|a| a.address.clone())
        .ok_or_else(|| {
            CliError::usage(format!(
                "{} has no recorded address at {wanted}; run `dexlink keys show {} --index {}` first",
                t.target, t.target, t.index
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
    let acct = runtime()?
        .block_on(client.account(&address))
        .map_err(client_error)?;
    if global.json {
        print_json(&serde_json::to_value(&acct).expect("serialisable"));
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
    let markets = runtime()?
        .block_on(client.markets())
        .map_err(client_error)?;
    if global.json {
        print_json(&serde_json::to_value(&markets).expect("serialisable"));
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

/// List an account's open orders.
///
/// Example: dexlink orders alice --dex http://127.0.0.1:41234
#[derive(Debug, Args)]
pub struct OrdersArgs {
    #[command(flatten)]
    target: Target,
}

pub fn orders(global: &Global, a: OrdersArgs) -> CliResult {
    let address = resolve(global, &a.target)?;
    let client = client(global, a.target.dex.as_deref())?;
    let orders = runtime()?
        .block_on(client.open_orders(&address))
        .map_err(client_error)?;
    if global.json {
        print_json(&serde_json::to_value(&orders).expect("serialisable"));
    } else if orders.order.is_empty() {
        println!("no open orders for {address}");
    } else {
        for o in &orders.order {
            println!("{}", order_line(o));
        }
    }
    Ok(ExitCode::SUCCESS)
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
