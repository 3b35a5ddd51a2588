//! `dexlink verify`: checks a `bnbSign`-convention signature (SHA-256 of the message bytes).

use std::process::ExitCode;

use clap::Args;
use dexlink::{Address, PublicKey, Signature};

use super::{CliError, CliResult, Global};
use crate::output::print_json;

/// Verify a message signature made with the Binance Chain Wallet `bnbSign` convention.
///
/// Checks that the public key belongs to the address and that the signature (64-byte r||s, low-S)
/// verifies over SHA-256 of the message bytes.
///
/// Example: dexlink verify --address bnb1... --public-key 02ab... --signature 7d29... --message "hello world"
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The address that claims to have signed.
    #[arg(long)]
    address: String,
    /// The signer's public key (hex, 33 or 65 bytes, optional 0x).
    #[arg(long = "public-key")]
    public_key: String,
    /// The signature (hex r||s, optional 0x).
    #[arg(long)]
    signature: String,
    #[command(flatten)]
    input: super::MessageInput,
}

pub fn run(global: &Global, a: VerifyArgs) -> CliResult {
    let msg = a.input.read()?;
    let address = Address::parse(&a.address).map_err(CliError::arg("--address"))?;
    let pk = PublicKey::from_hex(&a.public_key).map_err(CliError::arg("--public-key"))?;
    let sig = Signature::from_hex(&a.signature).map_err(CliError::arg("--signature"))?;
    let key_address = pk.address(address.hrp());
    let reason = if key_address != address {
        Some(format!(
            "the public key belongs to {key_address}, not to {address}"
        ))
    } else if !sig.is_low_s() {
        Some("the signature is not a valid low-S signature (the chain rejects high-S)".into())
    } else if !pk.verify(&msg, &sig) {
        Some("the signature does not verify over SHA-256 of the message".into())
    } else {
        None
    };
    if global.json {
        print_json(&serde_json::json!({
            "valid": reason.is_none(),
            "address": address.to_string(),
            "reason": reason,
        }));
    } else if !global.quiet {
        match &reason {
            None => println!("valid: signed by {address}"),
            Some(r) => println!("INVALID: {r}"),
        }
    }
    Ok(if reason.is_none() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
