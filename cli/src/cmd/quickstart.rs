//! `dexlink quickstart`: the main job, end to end, on an embedded local DEX.

use std::process::ExitCode;

use clap::Args;
use dexlink::PrivateKey;
use dexlink::address::{Address, ChainId, Network};
use dexlink::amount::Fixed8;
use dexlink::client::{ClientConfig, DexClient, Submitted, TradeFilter, submit};
use dexlink::keydir::{EntryName, EntrySecret, HdSecret, KeyDir, NewHdEntry};
use dexlink::keystore::Password;
use dexlink::mnemonic::{Mnemonic, WordCount};
use dexlink::tx::UnsignedTx;
use dexlink::tx::{CancelOrder, Coin, LimitOrder, Msg, Send, SendEntry};
use dexlink::tx::{Side, TimeInForce};
use dexlink_devnet::DevnetConfig;
use serde_json::{Value, json};

use super::link::link_one;
use super::{CliError, CliResult, Global};
use crate::keyring::hd_account;
use crate::output::print_json;
use zeroize::Zeroizing;

/// Try the whole flow offline in seconds, on an embedded local DEX.
///
/// Starts an embedded DEX node, creates a throwaway HD wallet in a temporary key store, funds
/// two of its addresses from the faucet, links them, places an order, shows it open, cancels it,
/// sends a transfer, and has the two addresses trade with each other (a buy and a sell that
/// cross, filled at the next block, with the fill, its fees and the balances shown) — every
/// transaction signed locally and checked by the node. The node and the temporary key store are
/// removed at the end.
///
/// Example: dexlink quickstart
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
        .map_err(CliError::io("cannot start the async runtime"))?;
    rt.block_on(quickstart(global))
}

async fn quickstart(global: &Global) -> CliResult {
    let running = dexlink_devnet::spawn(DevnetConfig::default())
        .await
        .map_err(|e| CliError::failed(e.to_string()))?;
    let url = running.base_url().to_string();
    step(global, &format!("1. local DEX node running at {url}"));
    let client = DexClient::new(&url, &ClientConfig::default())?;
    let chain_id = client.chain_id().await?;
    let network = Network::from_chain_id(chain_id.clone());

    // A throwaway wallet in a throwaway key store (0700, removed when `home` drops, also on
    // error), encrypted as `keys new` does, under a random password nobody sees.
    let home = tempfile::Builder::new()
        .prefix("dexlink-quickstart-")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .tempdir()
        .map_err(CliError::io("cannot create a temporary key store"))?;
    let (alice, bob) = throwaway_wallet(global, home.path(), &network)?;
    let (a_addr, b_addr) = (alice.address(network.hrp()), bob.address(network.hrp()));
    step(
        global,
        &format!(
            "2. new HD wallet 'quickstart' in a temporary key store {} (scrypt-encrypted), first two addresses:\n   m/44'/714'/0'/0/0  {a_addr}\n   m/44'/714'/0'/0/1  {b_addr}",
            home.path().display()
        ),
    );

    for (addr, amount) in [(&a_addr, "100"), (&b_addr, "1")] {
        client.devnet_faucet(addr, "BNB", amount).await?;
    }
    client.devnet_faucet(&a_addr, "BUSD-BD1", "1000").await?;
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

    let placed = place_order(&client, &chain_id, &alice, &a_addr, Side::Buy, "0.5").await?;
    let order_id = placed
        .order_id()
        .ok_or_else(|| CliError::failed("the placed transaction holds no order"))?;
    let open = client.open_orders(&a_addr).await?;
    let mut shown = format!(
        "5. placed BUY 0.5 BNB at 300 BUSD-BD1: order {order_id} (tx {}); the DEX lists {} open order(s):",
        placed.hash, open.total
    );
    for o in &open.order {
        shown.push_str(&format!("\n   {}", super::query::order_line(o)));
    }
    step(global, &shown);

    let refid = order_id;
    let cancelled = submit(&client, &a_addr, |acct: u64, seq: u64| {
        let c = CancelOrder::new(a_addr.clone(), "BNB_BUSD-BD1", refid)
            .map_err(|e| CliError::failed(e.to_string()))?;
        UnsignedTx::new(chain_id.clone(), acct, seq, Msg::CancelOrder(c))
            .and_then(|t| t.sign(&alice))
            .map(|s| s.to_bytes())
            .map_err(|e| CliError::failed(e.to_string()))
    })
    .await?;
    step(global, &format!("6. cancelled it (tx {})", cancelled.hash));

    let sent = submit(&client, &a_addr, |acct: u64, seq: u64| {
        let s = Send::from_outputs(
            a_addr.clone(),
            vec![SendEntry::new(
                b_addr.clone(),
                vec![Coin::new("BNB", f8("2.5"))],
            )],
        )
        .map_err(|e| CliError::failed(e.to_string()))?;
        UnsignedTx::new(chain_id.clone(), acct, seq, Msg::Send(s))
            .and_then(|t| t.sign(&alice))
            .map(|s| s.to_bytes())
            .map_err(|e| CliError::failed(e.to_string()))
    })
    .await?;
    let bob_acct = client.account(&b_addr).await?;
    let bob_bnb = bob_acct.balance("BNB").map(|b| b.free).unwrap_or_default();
    step(
        global,
        &format!(
            "7. sent 2.5 BNB to {b_addr} (tx {}); its balance is now {bob_bnb} BNB",
            sent.hash
        ),
    );
    let open_after = client.open_orders(&a_addr).await?.total;

    // The two addresses trade: the buy rests after its block (the maker), the sell crosses it
    // in the next one, and the engine fills both at 300.
    let buy = place_order(&client, &chain_id, &alice, &a_addr, Side::Buy, "1").await?;
    let sell = place_order(&client, &chain_id, &bob, &b_addr, Side::Sell, "1").await?;
    let page = client
        .trades(&TradeFilter {
            address: Some(b_addr.clone()),
            ..TradeFilter::default()
        })
        .await?;
    let fill = page
        .trades
        .first()
        .ok_or_else(|| CliError::failed("the DEX reports no trade for the crossing orders"))?;
    let mut after = Vec::new();
    for addr in [&a_addr, &b_addr] {
        let acct = client.account(addr).await?;
        for asset in ["BNB", "BUSD-BD1"] {
            let free = acct.balance(asset).map(|b| b.free).unwrap_or_default();
            after.push((addr.to_string(), asset, free.to_string()));
        }
    }
    // The DEX writes fees as `BNB:0.00040000;` (one `ASSET:AMOUNT;` per asset charged).
    let fee = |f: &Option<String>| {
        let parts: Vec<String> = f
            .as_deref()
            .unwrap_or_default()
            .split(';')
            .filter_map(|p| p.split_once(':'))
            .map(|(asset, amount)| format!("{amount} {asset}"))
            .collect();
        if parts.is_empty() {
            "none".to_string()
        } else {
            parts.join(" + ")
        }
    };
    let mut shown = format!(
        "8. traded with each other: {a_addr} bought and {b_addr} sold; filled {} BNB at {} BUSD-BD1 (trade {}, block {}), fees: buyer {}, seller {}; balances after:",
        fill.quantity,
        fill.price,
        fill.trade_id,
        fill.block_height,
        fee(&fill.buy_fee),
        fee(&fill.sell_fee)
    );
    for (addr, asset, free) in &after {
        shown.push_str(&format!("\n   {addr}  {free} {asset}"));
    }
    step(global, &shown);

    running.stop().await;
    let home_path = home.path().display().to_string();
    home.close().map_err(|e| {
        CliError::failed(format!(
            "cannot remove the temporary key store {home_path}: {e}"
        ))
    })?;
    step(
        global,
        &format!("9. cleaned up: stopped the node, removed {home_path}"),
    );
    step(
        global,
        "done: every transaction was signed here and verified by the node. Next: `dexlink devnet` in one terminal, `dexlink keys new alice --network testnet` in another.",
    );
    if global.json {
        print_json(&json!({
            "dex": url,
            "chain_id": chain_id.to_string(),
            "addresses": [a_addr.to_string(), b_addr.to_string()],
            "links": links,
            "order_id": order_id.to_string(),
            "tx_hashes": {
                "place": placed.hash.to_string(),
                "cancel": cancelled.hash.to_string(),
                "send": sent.hash.to_string(),
                "buy": buy.hash.to_string(),
                "sell": sell.hash.to_string(),
            },
            "fill": {
                "trade_id": fill.trade_id,
                "price": fill.price.to_string(),
                "quantity": fill.quantity.to_string(),
                "buyer": fill.buyer.to_string(),
                "seller": fill.seller.to_string(),
                "buyer_order_id": fill.buyer_order_id.to_string(),
                "seller_order_id": fill.seller_order_id.to_string(),
                "buy_fee": fill.buy_fee,
                "sell_fee": fill.sell_fee,
                "height": fill.block_height,
            },
            "balances_after_fill": after.iter().map(|(address, symbol, free)| json!({
                "address": address, "symbol": symbol, "free": free,
            })).collect::<Vec<_>>(),
            "balances": [{"address": b_addr.to_string(), "symbol": "BNB", "free": bob_bnb.to_string()}],
            "open_orders_after_cancel": Value::from(open_after),
            "key_store_removed": home_path,
        }));
    }
    Ok(ExitCode::SUCCESS)
}

/// Signs and broadcasts a GTE order of `key` on BNB_BUSD-BD1 at 300.
async fn place_order(
    client: &DexClient,
    chain_id: &ChainId,
    key: &PrivateKey,
    addr: &Address,
    side: Side,
    quantity: &str,
) -> Result<Submitted, CliError> {
    Ok(submit(client, addr, |acct: u64, seq: u64| {
        let o = LimitOrder {
            sender: addr.clone(),
            symbol: "BNB_BUSD-BD1".into(),
            side,
            price: f8("300"),
            quantity: f8(quantity),
            time_in_force: TimeInForce::Gte,
        };
        UnsignedTx::new(chain_id.clone(), acct, seq, o)
            .and_then(|t| t.sign(key))
            .map(|s| s.to_bytes())
            .map_err(|e| CliError::failed(e.to_string()))
    })
    .await?)
}

/// Creates the HD entry `quickstart` in the key store at `home` under a random password, unlocks
/// it again (the same path every command takes), and returns its keys at indexes 0 and 1.
fn throwaway_wallet(
    global: &Global,
    home: &std::path::Path,
    network: &Network,
) -> Result<(PrivateKey, PrivateKey), CliError> {
    let dir = KeyDir::open(Some(home))?;
    let name = EntryName::new("quickstart")?;
    let mut pw = Zeroizing::new([0u8; 32]);
    getrandom::fill(&mut pw[..])
        .map_err(|e| CliError::failed(format!("the operating system RNG failed: {e}")))?;
    let password = Password::from_zeroizing(Zeroizing::new(hex::encode(&pw[..])));
    let mnemonic = Mnemonic::generate(WordCount::Words24);
    let secret = HdSecret::new(mnemonic.phrase(), Zeroizing::new(String::new()))?;
    drop(mnemonic);
    let account = hd_account(&secret, 0)?;
    let addresses = super::keys::hd_addresses(&account, network)?;
    drop(account);
    let spec = NewHdEntry {
        network: network.clone(),
        path_template: super::keys::PATH_TEMPLATE.into(),
        addresses,
    };
    dir.create_hd(&name, &secret, &spec, &password, super::keys::kdf(global)?)?;
    drop(secret);
    let EntrySecret::Hd(secret) = dir.unlock(&name, &password)?.secret else {
        return Err(CliError::failed("the quickstart entry is not an HD wallet"));
    };
    let account = hd_account(&secret, 0)?;
    let key = |i| {
        account
            .private_key(i)
            .map_err(|e| CliError::failed(e.to_string()))
    };
    Ok((key(0)?, key(1)?))
}
