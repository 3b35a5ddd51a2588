//! `POST /api/v1/broadcast`: the chain's rules applied to one transaction, with real checks.
//!
//! Order of checks (the node's ante handler, then the message handler): strict decoding, the
//! signer's account exists, account number, sequence, public key ↔ signer, signature over the
//! sign bytes rebuilt for this chain id (so a wrong chain id fails here), memo, the message's own
//! rules, then balances / markets / order id / locks. Failures answer HTTP 400 in the API's error
//! shape with the ABCI code; nothing in the ledger changes.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dexlink::address::{Address, ChainId, Hrp};
use dexlink::amount::Fixed8;
use dexlink::tx::json::push_string;
use dexlink::tx::{Market, Msg, OrderId, Side};
use dexlink::tx::{SignedTx, TxError, TxHash};
use serde_json::{Value, json};

use crate::Devnet;
use crate::api::{Body, body_text, error};
use crate::block::unlock as unlock_str;
use crate::journal::Journal;
use crate::state::{PendingTx, RestingOrder, TxRecord};

/// A rejection: ABCI codespace and code, and the node's message.
#[derive(Debug)]
pub(crate) struct Reject {
    codespace: u32,
    code: u32,
    message: String,
}

impl From<String> for Reject {
    fn from(message: String) -> Self {
        Self::new(1, 1, message)
    }
}

impl Reject {
    fn new(codespace: u32, code: u32, message: impl Into<String>) -> Self {
        Self {
            codespace,
            code,
            message: message.into(),
        }
    }
    fn abci_code(&self) -> u32 {
        (self.codespace << 16) | self.code
    }
    fn log(&self) -> String {
        json!({
            "codespace": self.codespace,
            "code": self.code,
            "abci_code": self.abci_code(),
            "message": self.message,
        })
        .to_string()
    }
}

// bnc-cosmos-sdk `types/errors.go` codes (codespace 1).
const TX_DECODE: u32 = 2;
const INVALID_SEQUENCE: u32 = 3;
const UNAUTHORIZED: u32 = 4;
const INVALID_PUBKEY: u32 = 8;
const UNKNOWN_ADDRESS: u32 = 9;
const INSUFFICIENT_COINS: u32 = 10;
const INVALID_COINS: u32 = 11;
const MEMO_TOO_LARGE: u32 = 13;
/// The Cosmos SDK's code for a message type the handler does not route.
const UNKNOWN_REQUEST: u32 = 6;
/// The devnet's own codespace for DEX order rules (the node's dex plugin uses its own space).
const DEX: u32 = 6;

pub(crate) async fn handle(State(dev): State<Arc<Devnet>>, body: Body) -> Response {
    let body = match body_text(body) {
        Ok(b) => b,
        Err(r) => return r.into_response(),
    };
    let text = body.trim();
    let bytes = match hex::decode(text) {
        Ok(b) if !b.is_empty() => b,
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "body must be the hex of the signed transaction bytes (Content-Type: text/plain)",
            );
        }
    };
    let hash = TxHash::of(&bytes);
    let now_ms = dev.now_ms();
    let result = dev.mutate(|l| apply(l, &bytes, &hash, dev.fees(), now_ms));
    if result.is_ok() && dev.block_mode() == crate::BlockMode::EachTx {
        // Accepted is enough for the answer: a block that fails to save leaves the transaction
        // in the mempool for the next one.
        let _ = dev.produce_block();
    }
    match result {
        Ok(data) => (
            StatusCode::OK,
            axum::Json(json!([{
                "ok": true,
                "log": "Msg 0: ",
                "hash": hash.to_string(),
                "code": 0,
                "data": data,
            }])),
        )
            .into_response(),
        Err(r) => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({
                "code": r.abci_code(),
                "failed_tx_index": 0,
                "message": r.log(),
            })),
        )
            .into_response(),
    }
}

/// Checks and applies one transaction and puts it in the mempool (see [`crate::block`] for
/// what waits for the block); returns the result `data` (order id for new orders).
pub(crate) fn apply(
    l: &mut Journal<'_>,
    bytes: &[u8],
    hash: &TxHash,
    fees: &crate::FeeConfig,
    now_ms: i64,
) -> Result<String, Reject> {
    if l.txs.contains_key(&hash.to_string()) {
        return Err(Reject::new(1, TX_DECODE, "Tx already exists in cache"));
    }
    let hrp = Hrp::new(&l.hrp).expect("configured HRP is valid");
    let chain_id = ChainId::new(&l.chain_id).expect("configured chain id is valid");
    let tx = SignedTx::decode(bytes, &hrp)
        .map_err(|e| Reject::new(1, TX_DECODE, format!("tx parse error: {e}")))?;
    let signer = tx.msg().signer().clone();
    let signer_s = signer.to_string();
    let acct = l.accounts.get(&signer_s).ok_or_else(|| {
        Reject::new(
            1,
            UNKNOWN_ADDRESS,
            format!("account {signer_s} does not exist"),
        )
    })?;
    if tx.account_number() != acct.account_number as u64 {
        return Err(Reject::new(
            1,
            INVALID_SEQUENCE,
            format!(
                "Invalid account number. Got {}, expected {}",
                tx.account_number(),
                acct.account_number
            ),
        ));
    }
    if tx.sequence() != acct.sequence as u64 {
        return Err(Reject::new(
            1,
            INVALID_SEQUENCE,
            format!(
                "Invalid sequence. Got {}, expected {}",
                tx.sequence(),
                acct.sequence
            ),
        ));
    }
    if tx.pub_key().address(&hrp) != signer {
        return Err(Reject::new(
            1,
            INVALID_PUBKEY,
            "PubKey does not match Signer address",
        ));
    }
    if tx.memo().as_str().len() > 128 {
        return Err(Reject::new(1, MEMO_TOO_LARGE, "memo too large"));
    }
    let verified = match tx.verify(&chain_id) {
        Ok(v) => v,
        // The node checks the signature in the ante handler and the order id later, in the dex
        // handler; the SDK's verify refuses a wrong id before looking at the signature, so a
        // correctly signed order with a wrong id is checked here in the node's order.
        Err(TxError::OrderIdMismatch { expected, got }) => {
            if !signature_ok(&tx, &chain_id) {
                return Err(Reject::new(
                    1,
                    UNAUTHORIZED,
                    "signature verification failed",
                ));
            }
            return Err(Reject::new(
                DEX,
                1,
                format!("the order ID({got}) given did not match the expected one: `{expected}`"),
            ));
        }
        Err(_) => {
            return Err(Reject::new(
                1,
                UNAUTHORIZED,
                "signature verification failed",
            ));
        }
    };
    tx.msg()
        .validate()
        .map_err(|e| Reject::new(1, INVALID_COINS, e.to_string()))?;

    let sequence = acct.sequence as u64;
    let mut pending = PendingTx {
        hash: hash.to_string(),
        order: None,
        cancel: None,
    };
    let data = match tx.msg() {
        Msg::Send(send) => {
            // The ante handler took the transfer fee in BNB before the message ran, so the
            // fee and the coins sent must both be free (bnb-chain/node `TransferFeeParam`).
            let count = |entries: &[dexlink::tx::SendEntry]| -> usize {
                entries.iter().map(|e| e.coins.len()).sum()
            };
            let fee = fees.send_fee(count(send.inputs()), count(send.outputs()));
            pay_fixed_fee(l, fees, &signer, fee, "transfer")?;
            for input in send.inputs() {
                for c in &input.coins {
                    debit(l, &input.address, &c.denom, c.amount.units())?;
                }
            }
            for output in send.outputs() {
                for c in &output.coins {
                    l.credit(&output.address.to_string(), &c.denom, c.amount.units())
                        .map_err(|e| Reject::new(1, INVALID_COINS, e))?;
                }
            }
            String::new()
        }
        Msg::NewOrder(o) => {
            let expected = OrderId::new(&signer, sequence)
                .ok_or_else(|| Reject::new(DEX, 1, "sequence overflow"))?;
            if o.id != expected {
                return Err(Reject::new(
                    DEX,
                    1,
                    format!(
                        "the order ID({}) given did not match the expected one: `{expected}`",
                        o.id
                    ),
                ));
            }
            let m = l.markets.get(&o.symbol).ok_or_else(|| {
                Reject::new(DEX, 2, format!("trading pair not found: {}", o.symbol))
            })?;
            let market = Market {
                base: m.base.clone(),
                quote: m.quote.clone(),
                tick_size: Fixed8::from_units(m.tick_size).expect("positive"),
                lot_size: Fixed8::from_units(m.lot_size).expect("positive"),
            };
            market
                .check_order(&o.symbol, o.price, o.quantity)
                .map_err(|e| Reject::new(DEX, 3, e.to_string()))?;
            let (asset, amount) = match o.side {
                Side::Buy => (
                    market.quote.clone(),
                    (i128::from(o.price.units()) * i128::from(o.quantity.units())
                        / i128::from(Fixed8::SCALE)) as i64,
                ),
                Side::Sell => (market.base.clone(), o.quantity.units()),
                _ => return Err(Reject::new(DEX, 1, "unknown order side")),
            };
            lock(l, &signer, &asset, amount)?;
            // It joins the book, and is matched, in the next block.
            l.insert_order(RestingOrder {
                order_id: o.id.to_string(),
                symbol: o.symbol.clone(),
                owner: signer_s.clone(),
                side: o.side.code() as i64,
                price: o.price.units(),
                quantity: o.quantity.units(),
                time_in_force: o.time_in_force.code() as i64,
                locked_asset: asset,
                locked_amount: amount,
                tx_hash: hash.to_string(),
                height: 0,
                pending: true,
                created_ms: now_ms,
                updated_ms: now_ms,
                ..RestingOrder::default()
            });
            pending.order = Some(o.id.to_string());
            json!({"order_id": o.id.to_string()}).to_string()
        }
        Msg::CancelOrder(c) => {
            let id = c.refid.to_string();
            let order = l
                .orders
                .get(&id)
                .ok_or_else(|| Reject::new(DEX, 4, format!("Failed to find order [{id}]")))?;
            if order.owner != signer_s || order.symbol != c.symbol {
                return Err(Reject::new(
                    DEX,
                    4,
                    format!("Failed to find order [{id}] of {signer_s} on {}", c.symbol),
                ));
            }
            let mut order = l.remove_order(&id).expect("checked above");
            unlock(l, &signer, &order.locked_asset, order.locked_amount);
            order.locked_amount = 0;
            order.status = "Canceled".into();
            order.updated_ms = now_ms;
            // Only an order that filled nothing pays the cancel fee (it paid trade fees
            // otherwise).
            if order.cum_qty == 0 {
                let fee = crate::block::charge_fixed_fee(
                    l,
                    fees,
                    &signer_s,
                    crate::block::FixedFee::Cancel,
                    &order.locked_asset,
                );
                order.fee = crate::block::fee_text(&[fee].into_iter().collect());
            }
            if !order.pending {
                pending.cancel = Some((order.symbol.clone(), id.clone()));
            }
            order.pending = false;
            l.insert_closed(order);
            String::new()
        }
        Msg::Freeze(f) => {
            // Like a send's, the fee is taken before the message runs, so freezing BNB needs
            // the fee and the amount free.
            pay_fixed_fee(l, fees, &signer, fees.freeze_fee, "freeze")?;
            move_balance(l, &signer, &f.symbol, f.amount.units(), true)?;
            String::new()
        }
        Msg::Unfreeze(f) => {
            pay_fixed_fee(l, fees, &signer, fees.freeze_fee, "unfreeze")?;
            move_balance(l, &signer, &f.symbol, f.amount.units(), false)?;
            String::new()
        }
        // A message type added to the SDK after this devnet: refused, as the chain refuses an
        // unrouted message.
        _ => {
            return Err(Reject::new(
                1,
                UNKNOWN_REQUEST,
                format!("unrecognized msg type: {}", tx.msg().amino_name()),
            ));
        }
    };

    let acct = l.account_mut(&signer_s).expect("checked above");
    acct.sequence += 1;
    acct.public_key = Some(hex::encode(verified_key(&tx)));
    l.push_pending(pending);
    let tx_json: Value =
        serde_json::from_str(&verified.unsigned.sign_json()).unwrap_or(Value::Null);
    l.insert_tx(TxRecord {
        hash: hash.to_string(),
        // Set when a block includes it.
        height: 0,
        code: 0,
        log: "Msg 0: ".into(),
        tx_hex: hex::encode(bytes),
        tx: tx_json,
    });
    Ok(data)
}

/// Verifies the signature over the sign document rebuilt field by field, without the SDK's
/// order-id rule (docs/sign-docs.md §1: keys sorted, `data` null).
fn signature_ok(tx: &SignedTx, chain_id: &ChainId) -> bool {
    let mut doc = format!(
        "{{\"account_number\":\"{}\",\"chain_id\":",
        tx.account_number()
    );
    push_string(&mut doc, chain_id.as_str());
    doc.push_str(",\"data\":null,\"memo\":");
    push_string(&mut doc, tx.memo().as_str());
    doc.push_str(&format!(
        ",\"msgs\":[{}],\"sequence\":\"{}\",\"source\":\"{}\"}}",
        tx.msg().sign_json(),
        tx.sequence(),
        tx.source()
    ));
    tx.pub_key().verify(doc.as_bytes(), tx.signature())
}

fn verified_key(tx: &SignedTx) -> [u8; 33] {
    tx.pub_key().to_compressed()
}

fn debit(l: &mut Journal<'_>, who: &Address, asset: &str, amount: i64) -> Result<(), Reject> {
    let insufficient = || {
        Reject::new(
            1,
            INSUFFICIENT_COINS,
            format!(
                "{who} has insufficient {asset}: needs {}",
                crate::state::fixed8(amount)
            ),
        )
    };
    let acct = l.account_mut(&who.to_string()).ok_or_else(insufficient)?;
    let h = acct.balances.get_mut(asset).ok_or_else(insufficient)?;
    if h.free < amount {
        return Err(insufficient());
    }
    h.free -= amount;
    Ok(())
}

fn lock(l: &mut Journal<'_>, who: &Address, asset: &str, amount: i64) -> Result<(), Reject> {
    debit(l, who, asset, amount).map_err(|_| {
        Reject::new(
            1,
            INSUFFICIENT_COINS,
            format!(
                "do not have enough token to lock: {who} needs {} {asset} free",
                crate::state::fixed8(amount)
            ),
        )
    })?;
    let acct = l.account_mut(&who.to_string()).expect("debited above");
    acct.balances.get_mut(asset).expect("debited above").locked += amount;
    Ok(())
}

fn unlock(l: &mut Journal<'_>, who: &Address, asset: &str, amount: i64) {
    unlock_str(l, &who.to_string(), asset, amount);
}

/// Takes a message's fixed fee from the signer's free BNB into the fee account, as the chain's
/// ante handler did before the message ran (bnb-chain/node `FixedFeeParams`, `FeeForProposer`).
fn pay_fixed_fee(
    l: &mut Journal<'_>,
    fees: &crate::FeeConfig,
    signer: &Address,
    fee: i64,
    what: &str,
) -> Result<(), Reject> {
    if fee == 0 {
        return Ok(());
    }
    debit(l, signer, crate::block::NATIVE, fee).map_err(|_| {
        Reject::new(
            1,
            INSUFFICIENT_COINS,
            format!(
                "{signer} has insufficient BNB to pay the {what} fee of {} BNB",
                crate::state::fixed8(fee)
            ),
        )
    })?;
    l.credit(&fees.account(&l.hrp), crate::block::NATIVE, fee)
        .map_err(|e| Reject::new(1, INVALID_COINS, e))
}

fn move_balance(
    l: &mut Journal<'_>,
    who: &Address,
    asset: &str,
    amount: i64,
    freeze: bool,
) -> Result<(), Reject> {
    let h = l
        .account_mut(&who.to_string())
        .and_then(|a| a.balances.get_mut(asset))
        .ok_or_else(|| Reject::new(1, INSUFFICIENT_COINS, format!("no {asset} balance")))?;
    let (from, to) = if freeze {
        (&mut h.free, &mut h.frozen)
    } else {
        (&mut h.frozen, &mut h.free)
    };
    if *from < amount {
        return Err(Reject::new(
            1,
            INSUFFICIENT_COINS,
            format!(
                "not enough {asset} to {}",
                if freeze { "freeze" } else { "unfreeze" }
            ),
        ));
    }
    *from -= amount;
    *to += amount;
    Ok(())
}
