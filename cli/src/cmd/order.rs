//! `dexlink order place|cancel|list`.

use clap::{Subcommand, ValueEnum};
use dexlink::amount::Fixed8;
use dexlink::tx::UnsignedTx;
use dexlink::tx::{CancelOrder, LimitOrder, Msg};
use dexlink::tx::{OrderId, Side, TimeInForce};

use super::common::{TxArgs, client, client_error, run_tx, runtime};
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
}

fn amount(what: &str, s: &str) -> Result<Fixed8, CliError> {
    let v = Fixed8::parse(s).map_err(|e| CliError::usage(format!("--{what}: {e}")))?;
    if v.is_zero() {
        return Err(CliError::usage(format!(
            "--{what}: must be greater than zero"
        )));
    }
    Ok(v)
}

/// Checks price and quantity against the DEX's market before anything is signed.
fn check_market(
    global: &Global,
    tx: &TxArgs,
    symbol: &str,
    price: Fixed8,
    quantity: Fixed8,
) -> Result<(), CliError> {
    let client = client(global, tx.dex.as_deref())?;
    let markets = runtime()?
        .block_on(client.markets())
        .map_err(client_error)?;
    let info = markets
        .iter()
        .find(|m| m.symbol() == symbol)
        .ok_or_else(|| {
            CliError::usage(format!(
                "the DEX has no market {symbol}; see `dexlink markets` for the list"
            ))
        })?;
    let market = Market {
        base: info.base_asset_symbol.clone(),
        quote: info.quote_asset_symbol.clone(),
        tick_size: info.tick_size,
        lot_size: info.lot_size,
    };
    market
        .check_order(symbol, price, quantity)
        .map_err(|e| CliError::usage(format!("{e}; nothing was signed")))
}

pub fn run(global: &Global, cmd: OrderCmd) -> CliResult {
    match cmd {
        OrderCmd::Place {
            key,
            symbol,
            side,
            price,
            quantity,
            tif,
            tx,
        } => {
            let price = amount("price", &price)?;
            let quantity = amount("quantity", &quantity)?;
            let side = match side {
                SideArg::Buy => Side::Buy,
                SideArg::Sell => Side::Sell,
            };
            let tif = match tif {
                TifArg::Gte => TimeInForce::Gte,
                TifArg::Ioc => TimeInForce::Ioc,
            };
            if !tx.offline {
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
                UnsignedTx::new(chain.clone(), acct, seq, order)
                    .map_err(|e| CliError::usage(e.to_string()))
            })
        }
        OrderCmd::Cancel {
            key,
            symbol,
            order_id,
            tx,
        } => {
            let refid = OrderId::parse(&order_id)
                .map_err(|e| CliError::usage(format!("--order-id: {e}")))?;
            run_tx(global, &key, &tx, &|chain, addr, acct, seq| {
                let msg = CancelOrder::new(addr.clone(), &symbol, refid)
                    .map_err(|e| CliError::usage(e.to_string()))?;
                UnsignedTx::new(chain.clone(), acct, seq, Msg::CancelOrder(msg))
                    .map_err(|e| CliError::usage(e.to_string()))
            })
        }
    }
}
