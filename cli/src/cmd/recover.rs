//! `dexlink recover`: BEP-333 token recovery requests.

use std::process::ExitCode;

use clap::Subcommand;
use dexlink::recover::{
    EvmAddress, RecoverAmount, RecoverChain, RecoverError, RecoverRequest, SignedRecoverRequest,
    TokenSymbol,
};

use super::{CliError, CliResult, Global};
use crate::keyring::{self, KeyArgs};
use crate::output::print_json;
use crate::secrets::confirm;

pub const LONG_ABOUT: &str = "\
Sign and verify BEP-333 token recovery requests, offline.

The Beacon Chain is shut down; BEP2/BEP8 balances are recovered on BNB Smart Chain in four steps:
  1. Find the token, amount and the BSC address that should receive it (the self-service tool
     shows your balances).
  2. Sign a recovery request with your bnb1... key.        <- dexlink does this, offline:
     Example: `dexlink recover sign NAME --symbol CAKE-435 --amount 0.00001 --recipient 0x...`
  3. Send the request (message, publicKey, signature) to the approval service, which checks it
     and returns Merkle proofs and an approval signature.
  4. Call `recover` on the BSC recovery contract 0x0000000000000000000000000000000000003000 with
     the approval and the payload pieces dexlink prints (tokenSymbol, amount, ownerSignature,
     ownerPubKey).
Anyone can check a request with `dexlink recover verify`.";

#[derive(Debug, Subcommand)]
pub enum RecoverCmd {
    /// Sign a recovery request with a key from the store (step 2 of 4), offline.
    ///
    /// Shows what is being signed and asks for confirmation, then prints the message, its
    /// SHA-256, signature and publicKey (0x-prefixed) and the contract payload pieces.
    ///
    /// Example: dexlink recover sign alice --symbol CAKE-435 --amount 0.00001 --recipient 0x441DE55A37F6C381b00Db8B52DF8f57794784a1A
    Sign {
        #[command(flatten)]
        key: KeyArgs,
        /// The BEP2/BEP8 token symbol, e.g. CAKE-435.
        #[arg(long)]
        symbol: String,
        /// The amount to recover (decimal, at most 8 decimals), e.g. 0.00001.
        #[arg(long)]
        amount: String,
        /// The BSC address that receives the tokens (0x…, EIP-55 checked when mixed case).
        #[arg(long)]
        recipient: String,
        /// Sign for the testnet approval service (Binance-Chain-Ganges).
        #[arg(long)]
        testnet: bool,
        /// Skip the confirmation prompt (for scripts).
        #[arg(short, long)]
        yes: bool,
    },
    /// Verify a recovery request and show the address it proves and what it authorises.
    ///
    /// Example: dexlink recover verify --file request.txt --public-key 0x03... --signature 0xe483...
    Verify {
        /// The request message (the exact signed JSON; one trailing newline is ignored).
        #[command(flatten)]
        input: super::MessageInput,
        /// The signer's public key (hex, 0x optional).
        #[arg(long = "public-key")]
        public_key: String,
        /// The signature (hex r||s, 0x optional).
        #[arg(long)]
        signature: String,
    },
}

pub fn run(global: &Global, cmd: RecoverCmd) -> CliResult {
    match cmd {
        RecoverCmd::Sign {
            key,
            symbol,
            amount,
            recipient,
            testnet,
            yes,
        } => {
            let chain = if testnet {
                RecoverChain::Testnet
            } else {
                RecoverChain::Mainnet
            };
            let request = RecoverRequest {
                chain,
                symbol: TokenSymbol::new(&symbol)?,
                amount: RecoverAmount::parse_decimal(&amount)?,
                recipient: EvmAddress::parse(&recipient)?,
            };
            // Shown and confirmed before the password is read (see `Signers`).
            let signers = keyring::PendingSigner::find(global, &key)?;
            let address = signers.address(&chain.hrp());
            if !global.quiet {
                eprintln!(
                    "About to sign a token recovery request:\n  address:   {address}\n  symbol:    {}\n  amount:    {}\n  recipient: {}\n  chain:     {}",
                    request.symbol,
                    request.amount,
                    request.recipient.to_checksummed(),
                    chain.chain_id()
                );
            }
            confirm("Sign this recovery request?", yes)?;
            let unlocked = signers.into_signing(global, &key)?;
            let signed = unlocked.sign_recover(&request)?;
            print_verified(global, &signed);
            Ok(ExitCode::SUCCESS)
        }
        RecoverCmd::Verify {
            input,
            public_key,
            signature,
        } => {
            let bytes = input.read()?;
            let mut text = String::from_utf8(bytes)
                .map_err(|_| CliError::usage("the message is not UTF-8 text"))?;
            // Files and pipes usually end with a newline the signer never signed.
            if text.ends_with('\n') {
                text.pop();
                if text.ends_with('\r') {
                    text.pop();
                }
            }
            match SignedRecoverRequest::verify(&text, &public_key, &signature) {
                Ok(v) => {
                    print_verified(global, &v);
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => verify_failed(global, e),
            }
        }
    }
}

/// A request that does not verify is a result (`valid: false`, exit 1); a malformed public key
/// or signature is bad input (exit 2, an error).
fn verify_failed(global: &Global, e: RecoverError) -> CliResult {
    let err = CliError::from(e).context("invalid recovery request");
    if err.exit_code() == 2 || !global.json {
        return Err(err);
    }
    let CliError::Context { source, .. } = &err else {
        unreachable!("built with a context just above")
    };
    print_json(&serde_json::json!({"valid": false, "reason": source.to_string()}));
    eprintln!("error: {err:#}");
    Ok(ExitCode::from(err.exit_code()))
}

/// Prints a signed or verified request: everything the approver and the contract need.
pub fn print_verified(global: &Global, v: &SignedRecoverRequest) {
    let p = v.contract_payload();
    let r = &v.request;
    if global.json {
        print_json(&serde_json::json!({
            "valid": true,
            "address": v.address().to_string(),
            "chain_id": r.chain.chain_id(),
            "symbol": r.symbol.as_str(),
            "amount": r.amount.to_string(),
            "amount_units": r.amount.units(),
            "recipient": r.recipient.to_checksummed(),
            "message": v.message,
            "message_sha256": hex::encode(v.message_hash()),
            "signature": v.signature.to_string(),
            "public_key": v.public_key.to_string(),
            "payload": {
                "tokenSymbol": p.token_symbol,
                "amount": p.amount,
                "ownerSignature": p.owner_signature,
                "ownerPubKey": p.owner_pub_key,
            },
        }));
        return;
    }
    if global.quiet {
        println!("{}", v.address());
        return;
    }
    println!("address:    {}", v.address());
    println!(
        "authorises: recover {} {} to {} on {}",
        r.amount,
        r.symbol,
        r.recipient.to_checksummed(),
        r.chain.chain_id()
    );
    println!("message:    {}", v.message);
    println!("sha256:     {}", hex::encode(v.message_hash()));
    println!("signature:  0x{}", v.signature);
    println!("publicKey:  0x{}", v.public_key);
    println!("contract payload:");
    println!("  tokenSymbol:    {}", p.token_symbol);
    println!("  amount:         {}", p.amount);
    println!("  ownerSignature: {}", p.owner_signature);
    println!("  ownerPubKey:    {}", p.owner_pub_key);
}
