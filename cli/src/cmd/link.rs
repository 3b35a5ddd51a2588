//! `dexlink link`: prove control of addresses to a DEX (`docs/link-proofs.md`, wallet side).

use std::process::ExitCode;

use clap::Args;
use dexlink::PrivateKey;
use dexlink::address::Network;
use dexlink::client::DexClient;
use dexlink::link::{LinkMessage, LinkProof};
use serde_json::json;

use super::common::{client, runtime};
use super::{CliError, CliResult, Global};
use crate::error::Context;
use crate::keyring::{self, KeyArgs};
use crate::output::print_json;
use crate::secrets::confirm;

/// Link addresses to a DEX with signed ownership proofs.
///
/// Asks the DEX for a challenge, checks that the challenge names this DEX and its chain, signs
/// it (ADR-036) and submits the proof. The key never leaves this machine.
///
/// Example: dexlink link alice --count 3 --dex http://127.0.0.1:41234
#[derive(Debug, Args)]
pub struct LinkArgs {
    #[command(flatten)]
    key: KeyArgs,
    /// Link this many consecutive addresses starting at --index (HD entries; 1 to 1000).
    #[arg(long, default_value_t = 1)]
    count: u32,
    /// The DEX API base URL.
    #[arg(long, env = "DEXLINK_DEX", value_name = "URL")]
    dex: Option<String>,
    /// Skip the confirmation prompt (for scripts).
    #[arg(short, long)]
    yes: bool,
}

/// A link proof signed and ready to submit: it holds no key.
pub struct SignedLink {
    message: String,
    proof: serde_json::Value,
}

/// Asks the DEX for a challenge for `key`'s address, checks it, confirms and signs it.
pub async fn sign_link(
    client: &DexClient,
    network: &Network,
    key: &PrivateKey,
    confirm_each: &dyn Fn(&str) -> Result<(), CliError>,
) -> Result<SignedLink, CliError> {
    let address = key.address(network.hrp());
    let ch = client.link_challenge(&address).await?;
    let msg = dexlink::link::check_challenge(&ch.message, client.base_url(), network, &address)
        .context("refusing to sign the DEX's challenge")?;
    confirm_each(&ch.message)?;
    let proof = msg.sign(key)?;
    Ok(SignedLink {
        message: ch.message,
        proof: proof.to_json(),
    })
}

/// Submits a signed proof; returns the DEX's answer as JSON.
pub async fn submit_link(
    client: &DexClient,
    signed: &SignedLink,
) -> Result<serde_json::Value, CliError> {
    let accepted = client.link_submit(&signed.message, &signed.proof).await?;
    Ok(json!({
        "address": accepted.address.to_string(),
        "linked_at_ms": time_ms(&accepted.linked_at.to_string()),
        "expires_at_ms": accepted.expires_at.as_ref().and_then(|t| time_ms(&t.to_string())),
    }))
}

/// An RFC 3339 time from the DEX as milliseconds since the epoch (None if it does not parse).
fn time_ms(text: &str) -> Option<i64> {
    dexlink::time::Timestamp::parse(text)
        .ok()
        .map(|t| t.unix().saturating_mul(1000))
}

/// ` (until TIME)` for a link's expiry in milliseconds, or nothing when the DEX gave none.
fn expiry_text(ms: &serde_json::Value) -> String {
    ms.as_i64()
        .map(|ms| {
            format!(
                " (until {})",
                dexlink::time::Timestamp::from_unix(ms / 1000)
            )
        })
        .unwrap_or_default()
}

/// Links one key's address; returns the DEX's answer as JSON.
pub async fn link_one(
    client: &DexClient,
    network: &Network,
    key: &PrivateKey,
    confirm_each: &dyn Fn(&str) -> Result<(), CliError>,
) -> Result<serde_json::Value, CliError> {
    let signed = sign_link(client, network, key, confirm_each).await?;
    submit_link(client, &signed).await
}

pub fn run(global: &Global, a: LinkArgs) -> CliResult {
    keyring::check_count(a.count)?;
    let client = client(global, a.dex.as_deref())?;
    let rt = runtime()?;
    let chain_id = rt.block_on(client.chain_id())?;
    // Each challenge is fetched, checked, shown and confirmed before anything is signed. Keys
    // a running agent holds sign there (no password). Otherwise the password is read after
    // the confirmations, every proof is signed and the keys dropped (wiped) before anything
    // is submitted: no key stays in memory while waiting on the DEX.
    let signer = match keyring::agent_keys(global, &a.key, a.count)? {
        Some(k) => LinkSigner::Agent(k),
        None => LinkSigner::Store(keyring::Signers::find_many(global, &a.key, a.count)?),
    };
    let entry_network = signer.network().clone();
    let hrp = super::common::hrp_for_network(&chain_id, &entry_network);
    let network = Network::custom(chain_id.clone(), hrp.clone());
    if entry_network.chain_id() != &chain_id && entry_network.hrp() != network.hrp() {
        return Err(CliError::usage(format!(
            "this key is for {} but the DEX is on {chain_id}; use a key of that network",
            entry_network.chain_id()
        )));
    }
    let mut challenges = Vec::with_capacity(signer.addresses().len());
    for recorded in signer.addresses() {
        let address = recorded.with_hrp(hrp.clone());
        let ch = rt.block_on(client.link_challenge(&address))?;
        let msg =
            dexlink::link::check_challenge(&ch.message, client.base_url(), &network, &address)
                .context("refusing to sign the DEX's challenge")?;
        if !a.yes && !global.quiet {
            eprintln!("The DEX asks you to sign:\n---\n{}\n---", ch.message);
        }
        confirm("Sign this link request?", a.yes)?;
        challenges.push((address, ch.message, msg));
    }
    let proofs = signer.sign(global, &a.key, challenges.iter().map(|(_, _, m)| m))?;
    let signed: Vec<_> = challenges
        .into_iter()
        .zip(proofs)
        .map(|((address, message, _), proof)| {
            (
                address,
                SignedLink {
                    message,
                    proof: proof.to_json(),
                },
            )
        })
        .collect();
    let mut results = Vec::with_capacity(signed.len());
    for (_, s) in &signed {
        let r = rt.block_on(submit_link(&client, s))?;
        if !global.json && !global.quiet {
            println!(
                "linked {}{}",
                r["address"].as_str().unwrap_or(""),
                expiry_text(&r["expires_at_ms"])
            );
        }
        results.push(r);
    }
    let mut records = Vec::with_capacity(signed.len());
    for ((address, _), r) in signed.iter().zip(&results) {
        // Unfunded accounts have no number yet; that is not an error for linking.
        let account_number = rt
            .block_on(client.account(address))
            .ok()
            .map(|a| a.account_number);
        records.push(crate::profile::LinkedAddress {
            address: address.to_string(),
            account_number,
            linked_at: r["linked_at_ms"]
                .as_i64()
                .map(|ms| dexlink::time::Timestamp::from_unix(ms / 1000).to_string())
                .unwrap_or_default(),
        });
    }
    crate::profile::record_links(global, client.base_url(), chain_id.as_str(), records)?;
    if global.json {
        print_json(
            &json!({"dex": client.base_url(), "chain_id": chain_id.as_str(), "links": results}),
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Who signs `link`'s proofs: a running agent holding every key, or the key store.
enum LinkSigner {
    Agent(keyring::AgentKeys),
    Store(keyring::Signers),
}

impl LinkSigner {
    fn network(&self) -> &Network {
        match self {
            Self::Agent(k) => &k.network,
            Self::Store(s) => &s.network,
        }
    }

    fn addresses(&self) -> &[dexlink::Address] {
        match self {
            Self::Agent(k) => &k.addresses,
            Self::Store(s) => &s.addresses,
        }
    }

    /// Signs one proof per message, in order (the store's keys are unlocked here, after every
    /// confirmation, and wiped before this returns).
    fn sign<'m>(
        self,
        global: &Global,
        args: &KeyArgs,
        messages: impl Iterator<Item = &'m LinkMessage>,
    ) -> Result<Vec<LinkProof>, CliError> {
        match self {
            Self::Agent(mut k) => messages
                .map(|m| {
                    k.client.sign_link(m).map_err(|e| {
                        CliError::failed(match e.wire() {
                            Some(w) => w.message.clone(),
                            None => e.to_string(),
                        })
                    })
                })
                .collect(),
            Self::Store(s) => {
                let keys = s.unlock(global, args)?;
                let proofs = messages
                    .zip(&keys)
                    .map(|(m, k)| m.sign(&k.key).map_err(CliError::from))
                    .collect();
                drop(keys);
                proofs
            }
        }
    }
}
