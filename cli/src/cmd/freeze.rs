//! `dexlink freeze|unfreeze`: move an amount of a token between free and frozen balance.

use clap::Args;
use dexlink::amount::Fixed8;
use dexlink::tx::{Memo, UnsignedTx};
use dexlink::tx::{Msg, TokenFreeze};

use super::common::{TxArgs, run_tx};
use super::{CliError, CliResult, Global};
use crate::keyring::KeyArgs;

/// Freeze or unfreeze an amount of a token.
#[derive(Debug, Args)]
pub struct FreezeArgs {
    #[command(flatten)]
    key: KeyArgs,
    /// Token symbol, e.g. BNB or NNB-C3F.
    #[arg(long)]
    asset: String,
    /// Amount (decimal, up to 8 places).
    #[arg(long)]
    amount: String,
    /// Memo (at most 128 bytes).
    #[arg(long, default_value = "")]
    memo: String,
    #[command(flatten)]
    tx: TxArgs,
}

/// Runs `freeze` (`unfreeze == false`) or `unfreeze`.
pub fn run(global: &Global, a: FreezeArgs, unfreeze: bool) -> CliResult {
    let amount = Fixed8::parse(&a.amount).map_err(CliError::arg("--amount"))?;
    if amount.is_zero() {
        return Err(CliError::usage("--amount: must be greater than zero"));
    }
    let memo = Memo::new(&a.memo).map_err(CliError::arg("--memo"))?;
    run_tx(global, &a.key, &a.tx, &|chain, from, acct, seq| {
        let m =
            TokenFreeze::new(from.clone(), &a.asset, amount).map_err(CliError::arg("--asset"))?;
        let msg = if unfreeze {
            Msg::Unfreeze(m)
        } else {
            Msg::Freeze(m)
        };
        Ok(UnsignedTx::new(chain.clone(), acct, seq, msg)?.with_memo(memo.clone()))
    })
}
