//! `dexlink order place|cancel|show`.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use dexlink::amount::Fixed8;
use dexlink::client::{DexClient, MarketInfo};
use dexlink::keydir::KeyDir;
use dexlink::tx::UnsignedTx;
use dexlink::tx::{CancelOrder, LimitOrder, Msg};
use dexlink::tx::{OrderId, Side, TimeInForce};

use super::common::{TxArgs, client, run_tx, runtime};
use super::{CliError, CliResult, Global};
use crate::keyring::KeyArgs;
use dexlink::tx::Market;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SideArg {
    Buy,
    Sell,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TifArg {
    /// Good till expire.
    Gte,
    /// Immediate or cancel.
    Ioc,
}

#[derive(Debug, Subcommand)]
pub enum OrderCmd {
    /// Place a limit order.
    ///
    /// Online (default) it reads the account from the DEX, shows the order, asks for
    /// confirmation and broadcasts. With --offline it only signs and prints tx_hex, tx_hash and
    /// order_id.
    ///
    /// Example: dexlink order place alice --symbol BNB_BUSD-BD1 --side buy --price 300 --quantity 0.5 --dex http://127.0.0.1:41234
    Place {
        #[command(flatten)]
        key: KeyArgs,
        /// Trading pair BASE_QUOTE, e.g. BNB_BUSD-BD1.
        #[arg(long)]
        symbol: String,
        /// buy or sell.
        #[arg(long, value_enum)]
        side: SideArg,
        /// Price in the quote asset (decimal, up to 8 places).
        #[arg(long)]
        price: String,
        /// Quantity of the base asset (decimal, up to 8 places).
        #[arg(long)]
        quantity: String,
        /// Time in force.
        #[arg(long, value_enum, default_value = "gte")]
        tif: TifArg,
        /// Offline: check tick and lot sizes against this file of the DEX's markets (the JSON
        /// of `GET /api/v1/markets`), or - for stdin. Without it, the markets cached by the last
        /// online command on the same chain id are used.
        #[arg(long = "market-file", value_name = "FILE|-", requires = "offline")]
        market_file: Option<PathBuf>,
        #[command(flatten)]
        tx: TxArgs,
    },
    /// Cancel an open order.
    ///
    /// Example: dexlink order cancel alice --symbol BNB_BUSD-BD1 --order-id 1D0E…-5 --dex URL
    Cancel {
        #[command(flatten)]
        key: KeyArgs,
        /// Trading pair of the order.
        #[arg(long)]
        symbol: String,
        /// The order id (HEX(address)-N).
        #[arg(long = "order-id")]
        order_id: String,
        #[command(flatten)]
        tx: TxArgs,
    },
    Show(super::market::OrderShowArgs),
}

fn amount(what: &'static str, s: &str) -> Result<Fixed8, CliError> {
    let v = Fixed8::parse(s).map_err(CliError::arg(what))?;
    if v.is_zero() {
        return Err(CliError::usage(format!(
            "{what}: must be greater than zero"
        )));
    }
    Ok(v)
}

/// Checks price and quantity against the DEX's market before anything is signed, and caches
/// the DEX's markets for later offline orders.
fn check_market(
    global: &Global,
    tx: &TxArgs,
    symbol: &str,
    price: Fixed8,
    quantity: Fixed8,
) -> Result<(), CliError> {
    let client = client(global, tx.dex.as_deref())?;
    let markets = runtime()?.block_on(client.markets())?;
    cache_markets(global, &client, &markets);
    check_against(&markets, "the DEX", symbol, price, quantity)
}

/// The most bytes of a markets file (the DEX lists a few hundred markets, ~150 bytes each).
const MARKETS_FILE: dexlink::io::Limit = dexlink::io::Limit {
    what: "markets file",
    max_bytes: 4 * 1024 * 1024,
};

/// The state-area file caching a chain's markets.
fn cache_file(chain_id: &str) -> String {
    let safe: String = chain_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("markets-{safe}.json")
}

/// Records the DEX's markets under its chain id in the key directory's state area, for offline
/// orders later. Best effort: a cache that cannot be written only means an offline order
/// says its tick and lot were not checked. No key directory is created just for this.
pub(crate) fn cache_markets(global: &Global, client: &DexClient, markets: &[MarketInfo]) {
    let exists = KeyDir::resolve_location(global.home.as_deref()).is_ok_and(|p| p.exists());
    if !exists {
        return;
    }
    let Ok(chain_id) = runtime().and_then(|rt| rt.block_on(super::common::chain_id(client))) else {
        return;
    };
    let Ok(dir) = crate::keyring::open_dir(global) else {
        return;
    };
    let text = serde_json::json!({"chain_id": chain_id.as_str(), "markets": markets}).to_string();
    let file = cache_file(chain_id.as_str());
    // Markets rarely change: an unchanged cache is not rewritten (a write syncs to disk).
    if dir
        .read_state(&file, MARKETS_FILE.max_bytes)
        .is_ok_and(|old| old.as_deref() == Some(text.as_str()))
    {
        return;
    }
    let _ = dir.write_state(&file, text.as_bytes());
}

/// The markets cached for `chain_id`, if any.
fn cached_markets(global: &Global, chain_id: &str) -> Option<Vec<MarketInfo>> {
    let root = KeyDir::resolve_location(global.home.as_deref()).ok()?;
    if !root.exists() {
        return None;
    }
    let dir = crate::keyring::open_dir(global).ok()?;
    let file = cache_file(chain_id);
    let text = dir.read_state(&file, MARKETS_FILE.max_bytes).ok()??;
    #[derive(serde::Deserialize)]
    struct Cache {
        chain_id: String,
        markets: Vec<MarketInfo>,
    }
    match serde_json::from_str::<Cache>(&text) {
        Ok(c) if c.chain_id == chain_id => Some(c.markets),
        Ok(_) => None,
        Err(e) => {
            eprintln!("warning: ignoring the markets cache state/{file}: {e}");
            None
        }
    }
}

/// Offline: checks the order against `--market-file`, else the cached markets of the chain;
/// with neither, says on stderr that tick and lot were not checked.
fn check_offline(
    global: &Global,
    tx: &TxArgs,
    market_file: Option<&std::path::Path>,
    symbol: &str,
    price: Fixed8,
    quantity: Fixed8,
) -> Result<(), CliError> {
    let chain_id = tx.chain_id.as_deref().unwrap_or_default();
    if let Some(path) = market_file {
        let text = crate::secrets::read_text_input(path, MARKETS_FILE)?;
        let markets: Vec<MarketInfo> = serde_json::from_str(&text).map_err(|e| {
            CliError::usage(format!(
                "--market-file: not the DEX's markets JSON (as GET /api/v1/markets returns \
                 it): {e}"
            ))
        })?;
        return check_against(&markets, "the market file", symbol, price, quantity);
    }
    match cached_markets(global, chain_id) {
        Some(markets) => check_against(
            &markets,
            &format!("the markets cached for {chain_id}"),
            symbol,
            price,
            quantity,
        ),
        None => {
            eprintln!(
                "note: tick and lot sizes were not checked: no --market-file and no markets \
                 cached for {chain_id} (any online command that lists markets caches them)"
            );
            Ok(())
        }
    }
}

/// Checks price and quantity against `symbol`'s market in `markets` (from `source`).
fn check_against(
    markets: &[MarketInfo],
    source: &str,
    symbol: &str,
    price: Fixed8,
    quantity: Fixed8,
) -> Result<(), CliError> {
    let info = markets
        .iter()
        .find(|m| m.symbol() == symbol)
        .ok_or_else(|| {
            CliError::usage(format!(
                "{source} has no market {symbol}; see `dexlink markets` for the list; nothing \
                 was signed"
            ))
        })?;
    let market = Market {
        base: info.base_asset_symbol.clone(),
        quote: info.quote_asset_symbol.clone(),
        tick_size: info.tick_size,
        lot_size: info.lot_size,
    };
    Ok(market.check_order(symbol, price, quantity)?)
}

pub fn run(global: &Global, cmd: OrderCmd) -> CliResult {
    match cmd {
        OrderCmd::Show(a) => super::market::order_show(global, a),
        OrderCmd::Place {
            key,
            symbol,
            side,
            price,
            quantity,
            tif,
            market_file,
            tx,
        } => {
            let price = amount("--price", &price)?;
            let quantity = amount("--quantity", &quantity)?;
            let side = match side {
                SideArg::Buy => Side::Buy,
                SideArg::Sell => Side::Sell,
            };
            let tif = match tif {
                TifArg::Gte => TimeInForce::Gte,
                TifArg::Ioc => TimeInForce::Ioc,
            };
            if tx.offline {
                check_offline(
                    global,
                    &tx,
                    market_file.as_deref(),
                    &symbol,
                    price,
                    quantity,
                )?;
            } else {
                check_market(global, &tx, &symbol, price, quantity)?;
            }
            run_tx(global, &key, &tx, &|chain, addr, acct, seq| {
                let order = LimitOrder {
                    sender: addr.clone(),
                    symbol: symbol.clone(),
                    side,
                    price,
                    quantity,
                    time_in_force: tif,
                };
                Ok(UnsignedTx::new(chain.clone(), acct, seq, order)?)
            })
        }
        OrderCmd::Cancel {
            key,
            symbol,
            order_id,
            tx,
        } => {
            let refid = OrderId::parse(&order_id).map_err(CliError::arg("--order-id"))?;
            run_tx(global, &key, &tx, &|chain, addr, acct, seq| {
                let msg = CancelOrder::new(addr.clone(), &symbol, refid)?;
                Ok(UnsignedTx::new(
                    chain.clone(),
                    acct,
                    seq,
                    Msg::CancelOrder(msg),
                )?)
            })
        }
    }
}
