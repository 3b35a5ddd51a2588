//! `dexlink send`: transfers, to one or several recipients.

use clap::Args;
use dexlink::address::Address;
use dexlink::amount::Fixed8;
use dexlink::tx::Memo;
use dexlink::tx::UnsignedTx;
use dexlink::tx::{Coin, Msg, Send, SendEntry};

use super::common::{TxArgs, run_tx};
use super::{CliError, CliResult, Global};
use crate::keyring::KeyArgs;

/// Send tokens to one or several recipients.
///
/// Repeat --to/--amount/--asset for a multi-send (one signature, one input holding the
/// per-asset sums).
///
/// Example: dexlink send alice --to tbnb1... --amount 1.5 --asset BNB --memo "rent" --dex http://127.0.0.1:41234
#[derive(Debug, Args)]
pub struct SendArgs {
    #[command(flatten)]
    key: KeyArgs,
    /// Recipient address (repeatable).
    #[arg(long, required = true)]
    to: Vec<String>,
    /// Amount for the matching --to (decimal, up to 8 places; repeatable).
    #[arg(long, required = true)]
    amount: Vec<String>,
    /// Asset for the matching --to, e.g. BNB (repeatable; one value applies to all).
    #[arg(long, required = true)]
    asset: Vec<String>,
    /// Memo (at most 128 bytes).
    #[arg(long, default_value = "")]
    memo: String,
    #[command(flatten)]
    tx: TxArgs,
}

pub fn run(global: &Global, a: SendArgs) -> CliResult {
    let n = a.to.len();
    if a.amount.len() != n || (a.asset.len() != n && a.asset.len() != 1) {
        return Err(CliError::usage(format!(
            "give one --amount per --to ({} --to, {} --amount) and one --asset per --to or a single --asset",
            n,
            a.amount.len()
        )));
    }
    let memo = Memo::new(&a.memo).map_err(CliError::arg("--memo"))?;
    let mut outputs: Vec<(String, Coin)> = Vec::with_capacity(n);
    for i in 0..n {
        let amount = Fixed8::parse(&a.amount[i]).map_err(CliError::arg("--amount"))?;
        if amount.is_zero() {
            return Err(CliError::usage("--amount: must be greater than zero"));
        }
        let asset = if a.asset.len() == 1 {
            &a.asset[0]
        } else {
            &a.asset[i]
        };
        outputs.push((a.to[i].clone(), Coin::new(asset, amount)));
    }
    run_tx(global, &a.key, &a.tx, &|chain, from, acct, seq| {
        let mut entries: Vec<SendEntry> = Vec::with_capacity(n);
        for (i, (to, coin)) in outputs.iter().enumerate() {
            let to = Address::parse_for(to, from.hrp()).map_err(|e| {
                if crate::argv::may_be_secret(to) {
                    CliError::usage(format!(
                        "--to number {}, not repeated here as it is shaped like a key or a mnemonic, is not an address: {e}",
                        i + 1
                    ))
                } else {
                    CliError::usage(format!("--to {to}: {e}"))
                }
            })?;
            // Several coins to one recipient become one output with sorted coins.
            match entries.iter_mut().position(|e| e.address == to) {
                Some(i) => {
                    let mut coins = entries[i].coins.clone();
                    coins.push(coin.clone());
                    entries[i] = SendEntry::new(to, coins);
                }
                None => entries.push(SendEntry::new(to, vec![coin.clone()])),
            }
        }
        let msg = Send::from_outputs(from.clone(), entries)?;
        Ok(UnsignedTx::new(chain.clone(), acct, seq, Msg::Send(msg))?.with_memo(memo.clone()))
    })
}
