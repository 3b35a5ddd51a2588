//! Pieces shared by the commands that sign transactions: choosing the key, the chain, the
//! account number and sequence (offline) or the DEX (online), confirming, and printing.

use std::process::ExitCode;
use std::sync::{Mutex, OnceLock};

use clap::Args;
use dexlink::address::{ChainId, Hrp};
use dexlink::client::{ClientConfig, DexClient, submit, submit_from};
use dexlink::tx::{SignedTx, UnsignedTx};
use serde_json::{Value, json};

use super::{CliError, CliResult, Global};
use crate::keyring::{self, KeyArgs};
use crate::output::print_json;
use crate::secrets::confirm;

/// Where a transaction goes: signed offline with given numbers, or broadcast to a DEX.
#[derive(Debug, Args)]
pub struct TxArgs {
    /// Sign without any network access; needs --chain-id, --account-number and --sequence.
    #[arg(long, requires_all = ["chain_id", "account_number", "sequence"])]
    pub offline: bool,
    /// Chain id to sign for (offline).
    #[arg(long = "chain-id", value_name = "ID")]
    pub chain_id: Option<String>,
    /// The account's number on the chain (offline).
    #[arg(long = "account-number", value_name = "N")]
    pub account_number: Option<u64>,
    /// The account's current sequence (offline; not + 1).
    #[arg(long, value_name = "N")]
    pub sequence: Option<u64>,
    /// The DEX API base URL (online), e.g. http://127.0.0.1:41234 from `dexlink devnet`.
    #[arg(long, env = "DEXLINK_DEX", value_name = "URL")]
    pub dex: Option<String>,
    /// Address prefix the chain uses in sign documents (offline; default: the key's network when
    /// the chain ids match, else bnb for Binance-Chain-Tigris and tbnb otherwise).
    #[arg(long, value_name = "HRP")]
    pub hrp: Option<String>,
    /// BEP-10 source id written into the transaction (0 = SDK/CLI, 1 = DEX web wallet).
    #[arg(long, default_value_t = 0)]
    pub source: u64,
    /// Skip the confirmation prompt (for scripts).
    #[arg(short, long)]
    pub yes: bool,
    /// Print the unsigned transaction as JSON (docs/unsigned-tx.md) instead of signing, for
    /// `dexlink tx sign` on another machine. NAME may then be an address (no key needed).
    #[arg(long = "generate-only", conflicts_with = "dry_run")]
    pub generate_only: bool,
    /// Do everything but the broadcast: sign and print what would be sent (online only).
    #[arg(long = "dry-run", conflicts_with = "offline")]
    pub dry_run: bool,
}

/// Connects to the DEX named by `--dex` (or `DEXLINK_DEX`), else the one recorded in the
/// profile by `dexlink link`.
pub fn client(global: &Global, dex: Option<&str>) -> Result<DexClient, CliError> {
    let from_profile = match dex {
        Some(_) => None,
        None => crate::profile::load(global)?.dex,
    };
    let url = dex.or(from_profile.as_deref()).ok_or_else(|| {
        CliError::usage(
            "no DEX given: pass --dex URL (or set DEXLINK_DEX, or link to one with `dexlink link`), \
             or sign offline with --offline --chain-id ID --account-number N --sequence N; try \
             `dexlink devnet` for a local DEX",
        )
    })?;
    if crate::argv::may_be_secret(url) {
        return Err(CliError::usage(
            "the DEX URL given is shaped like a key or a mnemonic, so it is not repeated; give \
             --dex as http(s)://HOST[:PORT], e.g. http://127.0.0.1:41234",
        ));
    }
    // One client per DEX in a process: a command that checks the market, reads the account
    // and broadcasts reuses one connection pool (and builds the TLS configuration once).
    static CLIENTS: Mutex<Vec<(String, DexClient)>> = Mutex::new(Vec::new());
    let mut clients = CLIENTS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, c)) = clients.iter().find(|(u, _)| u == url) {
        return Ok(c.clone());
    }
    let quiet = global.quiet;
    let c = DexClient::new(url, &ClientConfig::default())?.on_retry_wait(move |w| {
        crate::progress::say_unless_quiet(quiet, &crate::progress::wait_text(w))
    });
    clients.push((url.to_string(), c.clone()));
    Ok(c)
}

/// The DEX's chain id, asked once per process and DEX (the market check and the signing of one
/// command both need it).
pub async fn chain_id(client: &DexClient) -> Result<ChainId, CliError> {
    static CHAINS: Mutex<Vec<(String, ChainId)>> = Mutex::new(Vec::new());
    let known = |url: &str| {
        let chains = CHAINS.lock().unwrap_or_else(|p| p.into_inner());
        chains
            .iter()
            .find(|(u, _)| u == url)
            .map(|(_, c)| c.clone())
    };
    if let Some(c) = known(client.base_url()) {
        return Ok(c);
    }
    let c = client.chain_id().await?;
    CHAINS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((client.base_url().to_string(), c.clone()));
    Ok(c)
}

/// The process's tokio runtime (one thread, built on first use). One for the whole process:
/// the cached DEX clients' connections belong to the runtime that opened them.
pub fn runtime() -> Result<&'static tokio::runtime::Runtime, CliError> {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::io("cannot start the async runtime"))?;
    Ok(RUNTIME.get_or_init(|| rt))
}

/// The HRP addresses of an entry of `network` take on `chain_id`.
pub fn hrp_for_network(chain_id: &ChainId, network: &dexlink::address::Network) -> Hrp {
    if network.chain_id() == chain_id {
        network.hrp().clone()
    } else {
        chain_id.default_hrp()
    }
}

/// Makes the unsigned transaction of an intent for a chain, signer address, account number and
/// sequence.
pub type BuildTx<'a> =
    dyn Fn(&ChainId, &dexlink::Address, u64, u64) -> Result<UnsignedTx, CliError> + 'a;

/// Builds, confirms, signs and prints (offline) or submits (online) one transaction.
/// `build(chain_id, hrp-address, sequence)` makes the unsigned tx for given numbers.
pub fn run_tx(
    global: &Global,
    key_args: &KeyArgs,
    tx_args: &TxArgs,
    build: &BuildTx<'_>,
) -> CliResult {
    if tx_args.generate_only {
        return generate_only(global, key_args, tx_args, build);
    }
    // What is signed is shown and confirmed before the password is read (see `Signers`).
    let signer = keyring::PendingSigner::find(global, key_args)?;
    if tx_args.offline {
        let chain_id = ChainId::new(tx_args.chain_id.as_deref().unwrap_or_default())
            .map_err(CliError::arg("--chain-id"))?;
        let hrp = match &tx_args.hrp {
            Some(h) => Hrp::new(h).map_err(CliError::arg("--hrp"))?,
            None => hrp_for_network(&chain_id, signer.network()),
        };
        let address = signer.address(&hrp);
        let tx = with_source(
            build(
                &chain_id,
                &address,
                tx_args.account_number.unwrap_or_default(),
                tx_args.sequence.unwrap_or_default(),
            )?,
            tx_args.source,
        )?;
        confirm_tx(global, &tx, tx_args.yes)?;
        let key = signer.into_signing(global, key_args)?;
        let signed = key.sign_tx(&tx)?;
        print_signed(global, &tx, &signed, None);
        return Ok(ExitCode::SUCCESS);
    }
    let client = client(global, tx_args.dex.as_deref())?;
    let rt = runtime()?;
    rt.block_on(async {
        let chain_id = chain_id(&client).await?;
        let address = signer.address(&hrp_for_network(&chain_id, signer.network()));
        let account = client.account(&address).await?;
        let preview = with_source(
            build(
                &chain_id,
                &address,
                account.account_number,
                account.sequence,
            )?,
            tx_args.source,
        )?;
        confirm_tx(global, &preview, tx_args.yes)?;
        let key = signer.into_signing(global, key_args)?;
        if tx_args.dry_run {
            let signed = key.sign_tx(&preview)?;
            print_dry_run(global, &preview, &signed);
            return Ok(ExitCode::SUCCESS);
        }
        let signer = &key;
        let mut last: Option<(UnsignedTx, SignedTx)> = None;
        crate::progress::say(global, &format!("Broadcasting to {} …", client.base_url()));
        // A build or signing error stops the submit before anything is broadcast.
        let intent = |acct: u64, seq: u64| {
            let t = with_source(build(&chain_id, &address, acct, seq)?, tx_args.source)?;
            let s = signer.sign_tx(&t)?;
            let bytes = s.to_bytes();
            last = Some((t, s));
            Ok::<_, CliError>(bytes)
        };
        // Without a prompt nothing happened since the account was read: no second read.
        let submitted = if tx_args.yes {
            submit_from(&client, &address, account, intent).await?
        } else {
            submit(&client, &address, intent).await?
        };
        let Some((tx, signed)) = last else {
            return Err(CliError::failed(
                "the transaction was submitted but not kept; report this",
            ));
        };
        print_signed(global, &tx, &signed, Some(&submitted.result));
        Ok(ExitCode::SUCCESS)
    })
}

/// `--generate-only`: the unsigned transaction for the numbers given (`--offline`) or read
/// from the DEX, printed as an unsigned-transaction file. Nothing is signed; when NAME is an
/// address no key is touched at all, so a watch-only online machine can prepare transactions.
fn generate_only(
    global: &Global,
    key_args: &KeyArgs,
    tx_args: &TxArgs,
    build: &BuildTx<'_>,
) -> CliResult {
    let watch = dexlink::Address::parse(&key_args.name).ok();
    // The key only gives the address; it is dropped (and wiped) before anything else happens.
    let entry_address = |chain_id: &ChainId| -> Result<dexlink::Address, CliError> {
        if let Some(a) = &watch {
            return Ok(a.clone());
        }
        // A key the agent holds gives its public key, a recorded address needs no password;
        // only an unrecorded HD index is unlocked from the store.
        let signer = keyring::PendingSigner::find(global, key_args)?;
        let hrp = match &tx_args.hrp {
            Some(h) => Hrp::new(h).map_err(CliError::arg("--hrp"))?,
            None => hrp_for_network(chain_id, signer.network()),
        };
        Ok(signer.address(&hrp))
    };
    let tx = if tx_args.offline {
        let chain_id = ChainId::new(tx_args.chain_id.as_deref().unwrap_or_default())
            .map_err(CliError::arg("--chain-id"))?;
        let address = entry_address(&chain_id)?;
        build(
            &chain_id,
            &address,
            tx_args.account_number.unwrap_or_default(),
            tx_args.sequence.unwrap_or_default(),
        )?
    } else {
        let client = client(global, tx_args.dex.as_deref())?;
        runtime()?.block_on(async {
            let chain_id = chain_id(&client).await?;
            let address = entry_address(&chain_id)?;
            let account = client.account(&address).await?;
            build(
                &chain_id,
                &address,
                account.account_number,
                account.sequence,
            )
        })?
    };
    let tx = with_source(tx, tx_args.source)?;
    if !global.quiet {
        eprintln!("Unsigned: {}", tx.describe());
    }
    println!("{}", tx.to_unsigned_json());
    Ok(ExitCode::SUCCESS)
}

/// `--dry-run`: what would have been broadcast.
fn print_dry_run(global: &Global, tx: &UnsignedTx, signed: &SignedTx) {
    if global.json {
        let mut out = json!({
            "tx_hex": signed.to_hex(),
            "tx_hash": signed.hash().to_string(),
            "dry_run": true,
        });
        if let Some(id) = order_id(tx) {
            out["order_id"] = Value::String(id);
        }
        print_json(&out);
        return;
    }
    if global.quiet {
        println!("{}", signed.to_hex());
        return;
    }
    println!("dry run:  not broadcast");
    println!("tx_hash:  {}", signed.hash());
    if let Some(id) = order_id(tx) {
        println!("order_id: {id}");
    }
    println!("tx_hex:   {}", signed.to_hex());
}

fn with_source(tx: UnsignedTx, source: u64) -> Result<UnsignedTx, CliError> {
    tx.with_source(source).map_err(CliError::arg("--source"))
}

fn confirm_tx(global: &Global, tx: &UnsignedTx, yes: bool) -> Result<(), CliError> {
    if !yes && !global.quiet {
        eprintln!("About to sign: {}", tx.describe());
    }
    confirm("Sign this transaction?", yes)
}

fn order_id(tx: &UnsignedTx) -> Option<String> {
    match tx.msg() {
        dexlink::tx::Msg::NewOrder(o) => Some(o.id.to_string()),
        _ => None,
    }
}

/// A broadcast's outcome in the JSON schema (`docs/json-output.md`).
pub fn broadcast_json(r: &dexlink::client::BroadcastResult) -> Value {
    json!({
        "ok": r.ok,
        "code": r.code,
        "log": r.log.to_string(),
        "tx_hash": r.hash.to_string(),
        "already_known": r.already_known,
    })
}

pub fn print_signed(
    global: &Global,
    tx: &UnsignedTx,
    signed: &SignedTx,
    broadcast: Option<&dexlink::client::BroadcastResult>,
) {
    let mut out = json!({
        "tx_hex": signed.to_hex(),
        "tx_hash": signed.hash().to_string(),
    });
    if let Some(id) = order_id(tx) {
        out["order_id"] = Value::String(id);
    }
    if let Some(r) = broadcast {
        out["broadcast"] = broadcast_json(r);
        if r.already_known && !global.quiet {
            eprintln!(
                "note: the DEX already had this exact transaction ({}), broadcast earlier by an identical command; it was not sent again. To make another one, change something (e.g. --memo) and retry.",
                r.hash
            );
        }
    }
    if global.json {
        print_json(&out);
        return;
    }
    if global.quiet {
        println!("{}", signed.hash());
        return;
    }
    if broadcast.is_some() {
        println!("broadcast: accepted");
    }
    println!("tx_hash:  {}", signed.hash());
    if let Some(id) = order_id(tx) {
        println!("order_id: {id}");
    }
    println!("tx_hex:   {}", signed.to_hex());
}
