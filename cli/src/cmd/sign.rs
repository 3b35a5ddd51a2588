//! `dexlink sign message|doc`.

use std::process::ExitCode;

use clap::Subcommand;
use dexlink::tx::{BnbSignAnswer, parse_bnb_sign_request};

use super::{CliError, CliResult, Global};
use crate::error::Context;
use crate::keyring::{self, KeyArgs};
use crate::output::print_json;
use crate::secrets::{confirm, read_input};

#[derive(Debug, Subcommand)]
pub enum SignCmd {
    /// Sign a message with the Binance Chain Wallet `bnbSign` convention (SHA-256 of the bytes).
    ///
    /// Refuses a message that is a transaction sign document: signing one blindly would
    /// authorise a transaction. Use `dexlink sign doc` for those.
    ///
    /// Example: dexlink sign message alice --message "hello world"
    Message {
        #[command(flatten)]
        key: KeyArgs,
        #[command(flatten)]
        input: super::MessageInput,
    },
    /// Answer a WalletConnect `bnb_sign` request: show what it does, confirm, sign.
    ///
    /// Input is the sign document (`params[0]`) or the whole JSON-RPC request. Output is the
    /// answer {"signature","publicKey"}.
    ///
    /// Example: dexlink sign doc alice request.json
    Doc {
        #[command(flatten)]
        key: KeyArgs,
        /// The request file, or - for stdin.
        #[arg(value_name = "FILE|-")]
        input: String,
        /// Skip the confirmation prompt (for scripts).
        #[arg(short, long)]
        yes: bool,
    },
}

/// Whether the bytes are a BEP-333 token recovery request (canonical, or with a message of the
/// recovery shape: `token_symbol` and `recipient`).
fn looks_like_recovery(bytes: &[u8]) -> bool {
    if let Ok(t) = std::str::from_utf8(bytes)
        && dexlink::recover::RecoverRequest::parse_message(t).is_ok()
    {
        return true;
    }
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return false;
    };
    let msg = v.pointer("/msgs/0");
    msg.and_then(|m| m.get("token_symbol")).is_some()
        && msg.and_then(|m| m.get("recipient")).is_some()
}

fn looks_like_sign_doc(bytes: &[u8]) -> bool {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return false;
    };
    let obj = v.get("params").and_then(|p| p.get(0)).unwrap_or(&v);
    obj.get("chain_id").is_some() || obj.get("msgs").is_some()
}

pub fn run(global: &Global, cmd: SignCmd) -> CliResult {
    match cmd {
        SignCmd::Message { key, input } => {
            let msg = input.read()?;
            if looks_like_recovery(&msg) {
                return Err(CliError::usage(
                    "this message is a BEP-333 token recovery request; signing it would authorise \
                     moving your tokens to the recipient on BSC. Use `dexlink recover sign` to \
                     review and sign recovery requests",
                ));
            }
            if looks_like_sign_doc(&msg) {
                return Err(CliError::usage(
                    "this message is a transaction sign document; signing it would authorise a \
                     transaction. Use `dexlink sign doc` to review and sign transactions",
                ));
            }
            let unlocked = keyring::signing_key(global, &key)?;
            let sig = unlocked.sign_message(&msg)?;
            let pk = unlocked.public_key();
            let address = pk.address(unlocked.network().hrp());
            if global.json {
                print_json(&serde_json::json!({
                    "address": address.to_string(),
                    "path": unlocked.path(),
                    "public_key": pk.to_string(),
                    "signature": sig.to_string(),
                }));
            } else if global.quiet {
                println!("{sig}");
            } else {
                println!("address:   {address}");
                println!("publicKey: 0x{pk}");
                println!("signature: 0x{sig}");
            }
            Ok(ExitCode::SUCCESS)
        }
        SignCmd::Doc { key, input, yes } => {
            let bytes = if input == "-" {
                read_input(None, None, true, dexlink::io::SIGN_DOC)?
            } else {
                read_input(
                    None,
                    Some(std::path::Path::new(&input)),
                    false,
                    dexlink::io::SIGN_DOC,
                )?
            };
            let text = String::from_utf8(bytes)
                .map_err(|_| CliError::usage("the sign document is not UTF-8"))?;
            let tx = parse_bnb_sign_request(&text).context("refusing to sign")?;
            // Shown and confirmed before the password is read (see `Signers`).
            let signers = keyring::PendingSigner::find(global, &key)?;
            let signer = tx.msg().signer().clone();
            let own = signers.address(signer.hrp());
            if own != signer {
                return Err(CliError::usage(format!(
                    "the document is for {signer}, but this key is {own}; choose the matching key or --index"
                )));
            }
            if !global.quiet {
                eprintln!("About to sign: {}", tx.describe());
                // The exact bytes the signature covers (hidden characters were refused, and
                // controls, <, >, & are escaped as signed), for a reader who wants every field.
                eprintln!("Sign bytes: {}", tx.sign_json());
            }
            confirm("Sign this transaction?", yes)?;
            let unlocked = signers.into_signing(global, &key)?;
            let signed = unlocked.sign_tx(&tx)?;
            let answer = BnbSignAnswer {
                signature: *signed.signature(),
                public_key: signed.pub_key().to_uncompressed(),
            };
            if global.json {
                print_json(&serde_json::from_str(&answer.to_json()).expect("valid JSON"));
            } else {
                println!("{}", answer.to_json());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
