//! `dexlink devnet`: run the local DEX node.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use dexlink_devnet::{BlockMode, BreatheConfig, DevnetConfig, FeeConfig};

use super::common::runtime;
use super::{CliError, CliResult, Global};

/// Run a local DEX node on 127.0.0.1 (the Binance DEX API with real checks).
///
/// Serves the DEX API, a faucet and the link endpoints. The first line printed is its base
/// URL. Stops on Ctrl-C. Transactions wait in a mempool for the next block, where each
/// market's orders are matched as the chain's auction matched them and the fills settle with
/// the chain's fees.
///
/// Limits: connections up to half the open-file limit, at most 1024 (the oldest idle one is
/// closed to admit a new one); 10 s to send a request head (also the idle keep-alive limit);
/// 10 s and 1 MiB for a request body; fault delays up to 60 s. The state file is checksummed:
/// a damaged one stops the start naming the file and line, and nothing is changed unless
/// --state-repair is given.
///
/// Example: dexlink devnet --port 0 --genesis tbnb1...=1000:BNB
#[derive(Debug, Args)]
pub struct DevnetArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Persist accounts, orders, links and txs here (each change fsync'd before it is
    /// acknowledged) and reload them on start.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// If the --state file has a damaged line, keep a copy (FILE.corrupt-TIME) and cut the file before that line.
    #[arg(long = "state-repair", requires = "state")]
    state_repair: bool,
    /// Chain id.
    #[arg(long = "chain-id", default_value = dexlink::address::TESTNET_CHAIN_ID)]
    chain_id: String,
    /// Address prefix.
    #[arg(long, default_value = "tbnb")]
    hrp: String,
    /// Genesis balance ADDRESS=AMOUNT:ASSET (repeatable), e.g. tbnb1...=1000:BNB.
    #[arg(long, value_name = "ADDR=AMOUNT:ASSET")]
    genesis: Vec<String>,
    /// Make a block every DURATION (e.g. 1s, 250ms); 0: only on POST /devnet/block; tx: one
    /// right after each accepted transaction.
    #[arg(long = "block-time", value_name = "DURATION", default_value = "1s")]
    block_time: String,
    /// Charge no fees (trade, cancel, expiry, transfer and freeze fees are the chain's by default).
    #[arg(long = "no-dex-fees")]
    no_dex_fees: bool,
    /// Make every BLOCKS-th block a breathe block (where old orders expire) instead of the
    /// first block of each UTC day, as the chain did.
    #[arg(long = "breathe-every", value_name = "BLOCKS", value_parser = at_least_one::<u64>)]
    breathe_every: Option<u64>,
    /// Breathe periods (days, or --breathe-every intervals) a GTE order beyond the best 500
    /// price levels of its side is kept before it expires.
    #[arg(long = "order-keep", value_name = "PERIODS", default_value_t = 3, value_parser = at_least_one::<u32>)]
    order_keep: u32,
    /// Breathe periods any GTE order is kept before it expires.
    #[arg(long = "order-force-keep", value_name = "PERIODS", default_value_t = 30, value_parser = at_least_one::<u32>)]
    order_force_keep: u32,
}

/// A count of 1 or more (clap's own range check would name the type's maximum).
fn at_least_one<T>(s: &str) -> Result<T, String>
where
    T: std::str::FromStr + PartialEq + From<u8>,
    T::Err: std::fmt::Display,
{
    let n: T = s
        .parse()
        .map_err(|e| format!("{e}; give a whole number of 1 or more"))?;
    if n == T::from(0) {
        return Err("give a whole number of 1 or more".into());
    }
    Ok(n)
}

/// `1s`, `250ms`, `0` or `tx`.
fn parse_block_time(s: &str) -> Result<BlockMode, CliError> {
    let bad = || {
        CliError::usage(format!(
            "--block-time {s:?}: expected a duration such as 1s or 250ms, 0 (blocks only on \
             POST /devnet/block) or tx (a block after each transaction)"
        ))
    };
    let ms = match s {
        "tx" => return Ok(BlockMode::EachTx),
        "0" => return Ok(BlockMode::OnDemand),
        _ => match (s.strip_suffix("ms"), s.strip_suffix('s')) {
            (Some(n), _) => n.parse::<u64>().map_err(|_| bad())?,
            (None, Some(n)) => n
                .parse::<u64>()
                .ok()
                .and_then(|n| n.checked_mul(1000))
                .ok_or_else(bad)?,
            _ => return Err(bad()),
        },
    };
    if ms == 0 || ms > 3_600_000 {
        return Err(bad());
    }
    Ok(BlockMode::Interval(std::time::Duration::from_millis(ms)))
}

fn parse_genesis(s: &str) -> Result<(String, String, i64), CliError> {
    let bad = || CliError::usage(format!("--genesis {s:?}: expected ADDRESS=AMOUNT:ASSET"));
    let (addr, rest) = s.split_once('=').ok_or_else(bad)?;
    let (amount, asset) = rest.split_once(':').ok_or_else(bad)?;
    let units = dexlink_devnet::parse_fixed8(amount)
        .map_err(|e| CliError::usage(format!("--genesis {s:?}: {e}")))?;
    Ok((addr.into(), asset.into(), units))
}

pub fn run(global: &Global, a: DevnetArgs) -> CliResult {
    let genesis = a
        .genesis
        .iter()
        .map(|g| parse_genesis(g))
        .collect::<Result<Vec<_>, _>>()?;
    let config = DevnetConfig {
        port: a.port,
        chain_id: a.chain_id,
        hrp: a.hrp,
        genesis,
        state: a.state,
        state_repair: a.state_repair,
        blocks: parse_block_time(&a.block_time)?,
        fees: if a.no_dex_fees {
            FeeConfig::zero()
        } else {
            FeeConfig::default()
        },
        breathe: BreatheConfig {
            every_blocks: a.breathe_every,
            order_keep: a.order_keep,
            order_force_keep: a.order_force_keep,
        },
        ..DevnetConfig::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("cannot start the async runtime: {e}")))?;
    let _ = runtime;
    rt.block_on(async {
        let running = dexlink_devnet::spawn(config)
            .await
            .map_err(|e| CliError::usage(e.to_string()))?;
        if global.json {
            // One line, so a reader can take the first line as with the plain URL.
            println!(
                "{}",
                serde_json::json!({
                    "url": running.base_url().to_string(),
                    "chain_id": running.devnet.ledger().chain_id.to_string(),
                })
            );
        } else {
            println!("{}", running.base_url());
        }
        std::io::stdout().flush().ok();
        eprintln!(
            "dexlink devnet: chain {} on {} (Ctrl-C to stop)",
            running.devnet.ledger().chain_id,
            running.base_url()
        );
        tokio::select! {
            r = tokio::signal::ctrl_c() => {
                r.map_err(|e| CliError::failed(format!("cannot wait for Ctrl-C: {e}")))?;
                running.stop().await;
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
