//! `dexlink tx decode|status`.

use std::process::ExitCode;

use clap::Subcommand;
use dexlink::address::{ChainId, Hrp};
use dexlink::tx::{Msg, SendEntry};
use dexlink::tx::{SignedTx, TxHash};
use serde_json::{Value, json};

use super::common::{client, runtime};
use super::{CliError, CliResult, Global};
use crate::error::Context;
use crate::output::print_json;

#[derive(Debug, Subcommand)]
pub enum TxCmd {
    /// Decode broadcast bytes (hex) into JSON; with --verify, check the signature.
    ///
    /// Example: dexlink tx decode cc01f0625dee0a4e… --verify --chain-id Binance-Chain-Tigris
    Decode {
        /// The transaction hex, or - to read it from stdin.
        #[arg(value_name = "HEX|-")]
        hex: String,
        /// Verify the signature (needs --chain-id, which the signature covers).
        #[arg(long, requires = "chain_id")]
        verify: bool,
        /// Chain id the transaction was signed for.
        #[arg(long = "chain-id", value_name = "ID")]
        chain_id: Option<String>,
        /// Address prefix to show addresses with (default: from --chain-id, else bnb).
        #[arg(long)]
        hrp: Option<String>,
    },
    /// Look a transaction up on a DEX by hash.
    ///
    /// Example: dexlink tx status 0A46…3A15 --dex http://127.0.0.1:41234
    Status {
        /// The tx hash (64 hex).
        hash: String,
        /// The DEX API base URL.
        #[arg(long, env = "DEXLINK_DEX", value_name = "URL")]
        dex: Option<String>,
    },
    /// Sign an unsigned transaction file offline (from --generate-only or bnbcli).
    ///
    /// Shows what the transaction does, asks for confirmation, then unlocks the key and prints
    /// the broadcast hex (JSON with --json). Never uses the network.
    ///
    /// Example: dexlink tx sign alice unsigned.json > signed.hex
    Sign(super::airgap::SignArgs),
    /// Broadcast a signed transaction once; one the DEX already holds is success, not resent.
    ///
    /// Example: dexlink tx broadcast signed.hex --dex http://127.0.0.1:41234
    Broadcast(super::airgap::BroadcastArgs),
}

fn entries(list: &[SendEntry]) -> Value {
    Value::Array(
        list.iter()
            .map(|e| {
                json!({
                    "address": e.address.to_string(),
                    "coins": e.coins.iter().map(|c| json!({"denom": c.denom, "amount": c.amount.to_string()})).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// A message as JSON with decimal amounts and bech32 addresses.
pub fn msg_json(msg: &Msg) -> Value {
    match msg {
        Msg::NewOrder(o) => json!({
            "type": msg.amino_name(),
            "sender": o.sender.to_string(),
            "order_id": o.id.to_string(),
            "symbol": o.symbol,
            "side": o.side.to_string(),
            "order_type": "LIMIT",
            "price": o.price.to_string(),
            "quantity": o.quantity.to_string(),
            "time_in_force": o.time_in_force.to_string(),
        }),
        Msg::CancelOrder(c) => json!({
            "type": msg.amino_name(),
            "sender": c.sender.to_string(),
            "symbol": c.symbol,
            "order_id": c.refid.to_string(),
        }),
        Msg::Send(s) => json!({
            "type": msg.amino_name(),
            "inputs": entries(s.inputs()),
            "outputs": entries(s.outputs()),
        }),
        Msg::Freeze(f) | Msg::Unfreeze(f) => json!({
            "type": msg.amino_name(),
            "sender": f.from.to_string(),
            "symbol": f.symbol,
            "amount": f.amount.to_string(),
        }),
        #[allow(unreachable_patterns)]
        other => json!({"type": other.amino_name()}),
    }
}

fn read_hex(arg: &str) -> Result<String, CliError> {
    if arg == "-" {
        let bytes = crate::secrets::read_input(None, None, true, dexlink::io::TX_HEX)?;
        String::from_utf8(bytes).map_err(|_| CliError::usage("stdin is not hex text"))
    } else {
        Ok(arg.to_string())
    }
}

pub fn run(global: &Global, cmd: TxCmd) -> CliResult {
    match cmd {
        TxCmd::Sign(a) => super::airgap::sign(global, a),
        TxCmd::Broadcast(a) => super::airgap::broadcast(global, a),
        TxCmd::Decode {
            hex,
            verify,
            chain_id,
            hrp,
        } => {
            let chain = chain_id
                .as_deref()
                .map(ChainId::new)
                .transpose()
                .map_err(CliError::arg("--chain-id"))?;
            let hrp = match (&hrp, &chain) {
                (Some(h), _) => Hrp::new(h).map_err(CliError::arg("--hrp"))?,
                (None, Some(c)) => c.default_hrp(),
                (None, None) => Hrp::mainnet(),
            };
            let text = read_hex(&hex)?;
            let tx =
                SignedTx::from_hex(text.trim(), &hrp).context("cannot decode the transaction")?;
            let mut out = json!({
                "tx_hash": tx.hash().to_string(),
                "msg": msg_json(tx.msg()),
                "signer": tx.msg().signer().to_string(),
                "public_key": hex::encode(tx.pub_key().to_compressed()),
                "signature": tx.signature().to_string(),
                "account_number": tx.account_number(),
                "sequence": tx.sequence(),
                "memo": tx.memo().as_str(),
                "source": tx.source(),
            });
            if let Msg::NewOrder(o) = tx.msg() {
                out["order_id"] = Value::String(o.id.to_string());
            }
            let mut failed = None;
            if verify {
                let chain = chain.expect("clap requires --chain-id with --verify");
                match tx.verify(&chain) {
                    Ok(_) => out["valid"] = Value::Bool(true),
                    Err(e) => {
                        out["valid"] = Value::Bool(false);
                        out["reason"] = Value::String(e.to_string());
                        failed = Some(CliError::from(e).context("signature does not verify"));
                    }
                }
            }
            if global.quiet && !global.json {
                println!("{}", tx.hash());
            } else {
                print_json(&out);
            }
            match failed {
                None => Ok(ExitCode::SUCCESS),
                // With --json the result above says it (`valid: false`); no second document.
                Some(e) if global.json => {
                    eprintln!("error: {e:#}");
                    Ok(ExitCode::from(1))
                }
                Some(e) => Err(CliError::failed(e.to_string())),
            }
        }
        TxCmd::Status { hash, dex } => {
            let tx_hash = hash.parse::<TxHash>().map_err(|_| {
                CliError::usage(format!(
                    "{hash:?} is not a transaction hash: expected 64 hex characters"
                ))
            })?;
            let client = client(global, dex.as_deref())?;
            let info = runtime()?.block_on(client.tx(&tx_hash))?;
            match info {
                Some(info) => {
                    if global.json {
                        print_json(&json!({
                            "tx_hash": hash.to_ascii_uppercase(),
                            "height": info.height,
                            "code": info.code,
                            "ok": info.ok,
                            "log": info.log.to_string(),
                        }));
                    } else if global.quiet {
                        println!("{}", info.code);
                    } else {
                        println!(
                            "{}: code {} at height {}",
                            hash,
                            info.code,
                            info.height.map_or("?".to_string(), |h| h.to_string())
                        );
                    }
                    Ok(ExitCode::SUCCESS)
                }
                None => Err(CliError::failed(format!(
                    "transaction {hash} is not known to the DEX"
                ))),
            }
        }
    }
}
