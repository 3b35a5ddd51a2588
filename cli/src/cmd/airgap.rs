//! `dexlink tx sign` and `dexlink tx broadcast`: the two halves of air-gapped signing.
//! An online machine prepares with `--generate-only`, an offline one signs the file, the online
//! one broadcasts the hex.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use dexlink::address::{ChainId, Hrp};
use dexlink::client::submit_signed;
use dexlink::tx::{SignedTx, TxNumbers, UnsignedTxError, parse_unsigned_tx};
use serde_json::json;

use super::common::{client, client_error, print_signed, runtime};
use super::{CliError, CliResult, Global};
use crate::keyring::{self, KeyArgs};
use crate::output::print_json;
use crate::secrets::{confirm, read_input};

/// Largest unsigned-transaction or signed-transaction file read. A transaction is at most a
/// few KiB; the cap keeps a wrong file (or endless stdin) from being read whole.
const TX_FILE: dexlink::io::Limit = dexlink::io::Limit {
    what: "transaction file",
    max_bytes: 256 * 1024,
};

/// Arguments of `dexlink tx sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    #[command(flatten)]
    key: KeyArgs,
    /// The unsigned transaction (from --generate-only, or bnbcli's --generate-only), or - for stdin.
    #[arg(value_name = "FILE|-")]
    file: String,
    /// Chain id (bnbcli files, which lack it; must agree with a dexlink file).
    #[arg(long = "chain-id", value_name = "ID")]
    chain_id: Option<String>,
    /// Account number (bnbcli files; must agree with a dexlink file).
    #[arg(long = "account-number", value_name = "N")]
    account_number: Option<u64>,
    /// Sequence (bnbcli files; must agree with a dexlink file).
    #[arg(long, value_name = "N")]
    sequence: Option<u64>,
    /// Skip the confirmation prompt (for scripts).
    #[arg(short, long)]
    yes: bool,
}

/// Arguments of `dexlink tx broadcast`.
#[derive(Debug, Args)]
pub struct BroadcastArgs {
    /// The signed transaction: hex, a file holding the hex (or `tx sign --json` output), or -
    /// for stdin.
    #[arg(value_name = "HEX|FILE|-")]
    input: String,
    /// The DEX API base URL.
    #[arg(long, env = "DEXLINK_DEX", value_name = "URL")]
    dex: Option<String>,
}

/// Reads a file (a regular file: a FIFO or device is refused, not waited on) or stdin (`-`)
/// as UTF-8 text, at most [`TX_FILE`] bytes, through the same bounded reader as every input.
fn read_capped(arg: &str) -> Result<String, CliError> {
    let bytes = if arg == "-" {
        read_input(None, None, true, TX_FILE)?
    } else {
        read_input(None, Some(Path::new(arg)), false, TX_FILE)?
    };
    let what = if arg == "-" { "stdin" } else { arg };
    String::from_utf8(bytes).map_err(|_| CliError::usage(format!("{what} is not UTF-8 text")))
}

fn unsigned_error(e: UnsignedTxError) -> CliError {
    let text = match &e {
        UnsignedTxError::Missing(what) => {
            let flag = match *what {
                "chain id" => "--chain-id ID",
                "account number" => "--account-number N",
                _ => "--sequence N",
            };
            format!("{e}: pass {flag}")
        }
        _ => e.to_string(),
    };
    CliError::usage(format!("cannot sign: {text}"))
}

/// `dexlink tx sign`: shows, confirms, then unlocks and signs; never touches the network.
pub fn sign(global: &Global, a: SignArgs) -> CliResult {
    let text = read_capped(&a.file)?;
    let numbers = TxNumbers {
        chain_id: a
            .chain_id
            .as_deref()
            .map(ChainId::new)
            .transpose()
            .map_err(|e| CliError::usage(format!("--chain-id: {e}")))?,
        account_number: a.account_number,
        sequence: a.sequence,
    };
    let tx = parse_unsigned_tx(&text, &numbers).map_err(unsigned_error)?;
    // Show and confirm before the password prompt: declining costs nothing and unlocks nothing.
    if !global.quiet {
        eprintln!("About to sign: {}", tx.describe());
    }
    confirm("Sign this transaction?", a.yes)?;
    let key = keyring::unlock(global, &a.key)?;
    let signer = tx.msg().signer();
    let own = key.key.address(signer.hrp());
    if &own != signer {
        return Err(CliError::usage(format!(
            "the transaction is for {signer}, but this key is {own}; choose the matching key or --index"
        )));
    }
    let signed = tx
        .sign(&key.key)
        .map_err(|e| CliError::usage(format!("cannot sign: {e}")))?;
    drop(key);
    if global.json {
        print_signed(global, &tx, &signed, None);
    } else {
        // Only the hex on stdout, so `tx sign … > signed.hex` feeds `tx broadcast signed.hex`.
        if !global.quiet {
            eprintln!("tx_hash: {}", signed.hash());
        }
        println!("{}", signed.to_hex());
    }
    Ok(ExitCode::SUCCESS)
}

/// The broadcast hex from the argument: hex itself, or a file / stdin holding hex or the JSON
/// that `tx sign --json` prints.
fn signed_hex(input: &str) -> Result<String, CliError> {
    let looks_hex = input.len() >= 2 && input.bytes().all(|b| b.is_ascii_hexdigit());
    let exists = input == "-" || Path::new(input).exists();
    if looks_hex && !exists {
        return Ok(input.to_string());
    }
    if !exists {
        return Err(CliError::usage(format!(
            "{input:?} is neither transaction hex nor an existing file; give the hex that `dexlink tx sign` printed, a file holding it, or - for stdin"
        )));
    }
    let text = read_capped(input)?;
    let text = text.trim();
    if text.starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| CliError::usage(format!("{input}: not valid JSON: {e}")))?;
        return v
            .get("tx_hex")
            .and_then(|h| h.as_str())
            .map(str::to_string)
            .ok_or_else(|| {
                CliError::usage(format!(
                    "{input}: JSON without a \"tx_hex\" string; give the hex that `dexlink tx sign` printed"
                ))
            });
    }
    Ok(text.to_string())
}

/// `dexlink tx broadcast`: checks the bytes decode, then posts them once; bytes the DEX already
/// holds are reported as success without a second send.
pub fn broadcast(global: &Global, a: BroadcastArgs) -> CliResult {
    let hex_text = signed_hex(&a.input)?;
    // The prefix only affects how addresses would be shown; decoding checks the structure.
    let tx = SignedTx::from_hex(&hex_text, &Hrp::mainnet())
        .map_err(|e| CliError::usage(format!("not a signed transaction: {e}")))?;
    let client = client(global, a.dex.as_deref())?;
    let result = runtime()?
        .block_on(submit_signed(&client, &tx.to_bytes()))
        .map_err(client_error)?;
    let hash = tx.hash().to_string();
    if result.already_known && !global.quiet {
        eprintln!("note: the DEX already had this transaction ({hash}); it was not sent again");
    }
    if global.json {
        print_json(&json!({
            "tx_hash": hash,
            "broadcast": {"ok": result.ok, "code": result.code, "log": result.log, "hash": result.hash.to_string(), "already_known": result.already_known},
        }));
    } else if global.quiet {
        println!("{hash}");
    } else {
        println!(
            "broadcast: {}",
            if result.already_known {
                "already known (not sent again)"
            } else {
                "accepted"
            }
        );
        println!("tx_hash:  {hash}");
    }
    Ok(ExitCode::SUCCESS)
}
