//! `dexlink quickstart`: the main job, end to end, on an embedded local DEX.

use std::process::ExitCode;

use clap::Args;
use dexlink::address::{ChainId, Network};
use dexlink::amount::Fixed8;
use dexlink::client::{ClientConfig, DexClient, submit};
use dexlink::hd::{ExtendedPrivateKey, binance_path};
use dexlink::mnemonic::{Mnemonic, Passphrase, WordCount};
use dexlink::tx::UnsignedTx;
use dexlink::tx::msg::{CancelOrder, Coin, Msg, NewOrder, Send, SendEntry};
use dexlink::tx::order::{Side, TimeInForce};
use dexlink_devnet::DevnetConfig;
use serde_json::{Value, json};

use super::common::client_error;
use super::link::link_one;
use super::{CliError, CliResult, Global};
use crate::output::print_json;

/// Try the whole flow offline in a few seconds: start an embedded DEX node, create a throwaway
/// HD wallet in memory, fund two addresses from the faucet, link them, place and cancel an
/// order, and send a transfer — every transaction signed locally and checked by the node.
///
/// Nothing is written to disk. Example: dexlink quickstart
#[derive(Debug, Args)]
pub struct QuickstartArgs {}

fn step(global: &Global, text: &str) {
    if !global.json && !global.quiet {
        println!("{text}");
    }
}

fn f8(s: &str) -> Fixed8 {
    Fixed8::parse(s).expect("constant amounts are valid")
}

pub fn run(global: &Global, _a: QuickstartArgs) -> CliResult {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::failed(format!("cannot start the async runtime: {e}")))?;
    rt.block_on(quickstart(global))
}

async fn quickstart(global: &Global) -> CliResult {
    let running = dexlink_devnet::spawn(DevnetConfig::default())
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;
    let url = running.base_url().to_string();
    step(global, &format!("1. local DEX node running at {url}"));
    let client = DexClient::new(&url, &ClientConfig::default()).map_err(client_error)?;
    let chain = client.chain_id().await.map_err(client_error)?;
    let chain_id = ChainId::new(&chain).map_err(|e| CliError::failed(e.to_string()))?;
    let network = Network::from_chain_id(chain_id.clone());

    // A throwaway wallet: generated, used and erased in this process.
    let mnemonic = Mnemonic::generate(WordCount::Words24);
    let root = ExtendedPrivateKey::from_bip39_seed(&mnemonic.to_seed(&Passphrase::empty()));
    drop(mnemonic);
    let derive = |i: u32| -> Result<_, CliError> {
        let path = binance_path(0, i).map_err(|e| CliError::failed(e.to_string()))?;
        Ok(root
            .derive_path(&path)
            .map_err(|e| CliError::failed(e.to_string()))?
            .private_key())
    };
    let (alice, bob) = (derive(0)?, derive(1)?);
    let (a_addr, b_addr) = (alice.address(network.hrp()), bob.address(network.hrp()));
    step(
        global,
        &format!(
            "2. new in-memory HD wallet (m/44'/714'/0'/0/0 and /1):\n   {a_addr}\n   {b_addr}"
        ),
    );

    for (addr, amount) in [(&a_addr, "100"), (&b_addr, "1")] {
        client
            .devnet_faucet(addr, "BNB", amount)
            .await
            .map_err(client_error)?;
    }
    client
        .devnet_faucet(&a_addr, "BUSD-BD1", "1000")
        .await
        .map_err(client_error)?;
    step(
        global,
        "3. funded from the devnet faucet: 100 BNB + 1000 BUSD-BD1, and 1 BNB",
    );

    let mut links = Vec::new();
    for key in [&alice, &bob] {
        links.push(link_one(&client, &network, key, &|_| Ok(())).await?);
    }
    step(
        global,
        "4. both addresses linked to the DEX with signed proofs (ADR-036)",
    );

    let placed = submit(&client, &a_addr, |acct: i64, seq: i64| {
        let o = NewOrder::new(
            a_addr.clone(),
            seq as u64,
            "BNB_BUSD-BD1",
            Side::Buy,
            f8("300"),
            f8("0.5"),
            TimeInForce::Gte,
        )
        .expect("valid order");
        UnsignedTx::new(chain_id.clone(), acct as u64, seq as u64, Msg::NewOrder(o))
            .and_then(|t| t.sign(&alice))
            .expect("signable")
            .to_bytes()
    })
    .await
    .map_err(client_error)?;
    let order_id = format!("{}-{}", a_addr.to_upper_hex(), placed.sequence + 1);
    let open = client.open_orders(&a_addr).await.map_err(client_error)?;
    step(
        global,
        &format!(
            "5. placed BUY 0.5 BNB at 300 BUSD-BD1: order {order_id} (tx {}); open orders: {}",
            placed.hash, open.total
        ),
    );

    let refid = order_id.parse().expect("order id we built");
    let cancelled = submit(&client, &a_addr, |acct: i64, seq: i64| {
        let c = CancelOrder::new(a_addr.clone(), "BNB_BUSD-BD1", refid).expect("valid cancel");
        UnsignedTx::new(
            chain_id.clone(),
            acct as u64,
            seq as u64,
            Msg::CancelOrder(c),
        )
        .and_then(|t| t.sign(&alice))
        .expect("signable")
        .to_bytes()
    })
    .await
    .map_err(client_error)?;
    step(global, &format!("6. cancelled it (tx {})", cancelled.hash));

    let sent = submit(&client, &a_addr, |acct: i64, seq: i64| {
        let s = Send::from_outputs(
            a_addr.clone(),
            vec![SendEntry::new(
                b_addr.clone(),
                vec![Coin::new("BNB", f8("2.5"))],
            )],
        )
        .expect("valid send");
        UnsignedTx::new(chain_id.clone(), acct as u64, seq as u64, Msg::Send(s))
            .and_then(|t| t.sign(&alice))
            .expect("signable")
            .to_bytes()
    })
    .await
    .map_err(client_error)?;
    let bob_acct = client.account(&b_addr).await.map_err(client_error)?;
    let bob_bnb = bob_acct
        .balance("BNB")
        .map(|b| b.free.clone())
        .unwrap_or_default();
    step(
        global,
        &format!(
            "7. sent 2.5 BNB to {b_addr} (tx {}); its balance is now {bob_bnb} BNB",
            sent.hash
        ),
    );
    step(
        global,
        "done: every transaction was signed here and verified by the node. Next: `dexlink devnet` in one terminal, `dexlink keys new alice --network testnet` in another.",
    );
    if global.json {
        print_json(&json!({
            "dex": url,
            "chain_id": chain,
            "addresses": [a_addr.to_string(), b_addr.to_string()],
            "links": links,
            "order_id": order_id,
            "txs": {
                "place": placed.hash,
                "cancel": cancelled.hash,
                "send": sent.hash,
            },
            "balances": {b_addr.to_string(): bob_bnb},
            "open_orders_after_cancel": Value::from(client.open_orders(&a_addr).await.map_err(client_error)?.total),
        }));
    }
    running.stop().await;
    Ok(ExitCode::SUCCESS)
}
