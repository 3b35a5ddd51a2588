//! The HTTP API: the dex API v1 subset a wallet uses, the link endpoints, and the faucet.
//!
//! Every handler takes its input as raw text and parses it itself, so that malformed input always
//! gets a 400 with a reason in the API's error shape `{"code", "message"}`.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dexlink::address::{Address, Hrp, Network};
use dexlink::link::{self, Expectations, LinkMessage, Nonce};
use dexlink::time::Timestamp;
use serde_json::{Value, json};

use crate::Devnet;
use crate::state::{IssuedNonce, LinkRecord, fixed8};

/// How long a link challenge stays valid.
const CHALLENGE_SECS: i64 = 600;
/// How long a link lasts.
const LINK_SECS: i64 = 30 * 24 * 3600;

/// A request failure: status and message, answered in the API's error shape.
pub(crate) struct ApiError(StatusCode, String);

impl ApiError {
    /// The message.
    pub(crate) fn message(&self) -> String {
        self.1.clone()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error(self.0, self.1)
    }
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, message.into())
}

pub(crate) fn error(status: StatusCode, message: impl Into<String>) -> Response {
    let body = json!({"code": status.as_u16(), "message": message.into()});
    (status, axum::Json(body)).into_response()
}

/// The request body as text; a body that is not UTF-8 or is too large gets the API's error shape
/// (axum's own rejection would be plain text).
pub(crate) type Body = Result<String, axum::extract::rejection::StringRejection>;

pub(crate) fn body_text(body: Body) -> Result<String, ApiError> {
    body.map_err(|r| ApiError(r.status(), r.body_text()))
}

/// A path parameter as text; one that is not UTF-8 once percent-decoded gets the API's error
/// shape (axum's own rejection would be plain text).
pub(crate) type PathParam = Result<Path<String>, axum::extract::rejection::PathRejection>;

pub(crate) fn path_text(p: PathParam) -> Result<String, ApiError> {
    p.map(|Path(s)| s)
        .map_err(|r| ApiError(r.status(), r.body_text()))
}

fn ok(v: Value) -> Response {
    (StatusCode::OK, axum::Json(v)).into_response()
}

pub(crate) fn router(dev: Arc<Devnet>) -> Router {
    Router::new()
        .route("/api/v1/node-info", get(node_info))
        .route("/api/v1/account/{addr}", get(account))
        .route("/api/v1/account/{addr}/sequence", get(sequence))
        .route("/api/v1/markets", get(markets))
        .route("/api/v1/tx/{hash}", get(tx))
        .route("/api/v1/orders/open", get(open_orders))
        .route("/api/v1/orders/closed", get(crate::market::closed_orders))
        .route("/api/v1/orders/{id}", get(crate::market::order))
        .route("/api/v1/depth", get(crate::market::depth))
        .route("/api/v1/trades", get(crate::market::trades))
        .route("/api/v1/ticker/24hr", get(crate::market::ticker))
        .route("/api/v1/klines", get(crate::market::klines))
        .route("/api/v1/fees", get(crate::market::fees))
        .route("/api/v1/time", get(crate::market::time))
        .route("/api/ws", get(crate::ws::handle))
        .route("/api/ws/{stream}", get(crate::ws::handle_raw))
        .route("/api/stream", get(crate::ws::handle_combined))
        .route("/api/v1/broadcast", post(crate::broadcast::handle))
        .route("/api/v1/link/challenge", post(link_challenge))
        .route("/api/v1/link", post(link_submit))
        .route("/api/v1/link/{addr}", get(link_status))
        .route("/devnet/faucet", post(faucet))
        .route("/devnet/block", post(make_block))
        .route("/devnet/breathe", post(make_breathe_block))
        .route("/devnet/faults", post(set_faults).get(get_faults))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such endpoint") })
        .layer(axum::middleware::from_fn_with_state(
            dev.clone(),
            crate::faults::apply,
        ))
        // Outermost: every handler (and the fault layer) sees a complete, bounded body.
        .layer(axum::middleware::from_fn_with_state(
            dev.clone(),
            crate::server::bound_body,
        ))
        .with_state(dev)
}

impl Devnet {
    pub(crate) fn parse_address(&self, s: &str) -> Result<Address, ApiError> {
        let hrp = Hrp::new(&self.ledger().hrp).expect("configured HRP is valid");
        Address::parse_for(s, &hrp).map_err(|e| bad_request(e.to_string()))
    }
}

/// `POST /devnet/block`: makes the next block now, whatever the block mode.
async fn make_block(State(dev): State<Arc<Devnet>>) -> Response {
    block_answer(dev.produce_block())
}

/// `POST /devnet/breathe`: makes the next block now as a breathe block (order expiry).
async fn make_breathe_block(State(dev): State<Arc<Devnet>>) -> Response {
    block_answer(dev.breathe_block())
}

fn block_answer(made: Result<Arc<crate::block::BlockEvents>, String>) -> Response {
    match made {
        Ok(ev) => ok(json!({
            "height": ev.height,
            "time_ms": ev.time_ms,
            "txs": ev.txs,
            "trades": ev.trades.len(),
            "breathe": ev.breathe,
            "expired": ev.expired,
        })),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

async fn set_faults(State(dev): State<Arc<Devnet>>, body: String) -> Response {
    use crate::faults::MAX_DELAY_MS;
    match serde_json::from_str::<crate::faults::Faults>(&body) {
        Ok(f) if f.delay_ms > MAX_DELAY_MS => error(
            StatusCode::BAD_REQUEST,
            format!(
                "invalid faults: delay_ms {} is above the cap of {MAX_DELAY_MS} ms",
                f.delay_ms
            ),
        ),
        Ok(f) => {
            dev.faults.set(f.clone());
            ok(serde_json::to_value(f).expect("serialisable"))
        }
        Err(e) => error(StatusCode::BAD_REQUEST, format!("invalid faults: {e}")),
    }
}

async fn get_faults(State(dev): State<Arc<Devnet>>) -> Response {
    ok(serde_json::to_value(dev.faults.get()).expect("serialisable"))
}

async fn node_info(State(dev): State<Arc<Devnet>>) -> Response {
    let l = dev.ledger();
    ok(json!({
        "node_info": {
            "protocol_version": {"p2p": 7, "block": 10, "app": 0},
            "id": "dexlink-devnet",
            "listen_addr": dev.base_url,
            "network": l.chain_id,
            "version": concat!("dexlink-devnet ", env!("CARGO_PKG_VERSION")),
            "channels": "",
            "moniker": "dexlink-devnet",
            "other": {},
        },
        "sync_info": {
            "latest_block_height": l.height,
            "catching_up": false,
        },
        "validator_info": {},
    }))
}

async fn account(State(dev): State<Arc<Devnet>>, addr: crate::api::PathParam) -> Response {
    let addr = match crate::api::path_text(addr) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let a = match dev.parse_address(&addr) {
        Ok(a) => a,
        Err(r) => return r.into_response(),
    };
    let l = dev.ledger();
    let Some(acct) = l.accounts.get(&a.to_string()) else {
        return error(StatusCode::NOT_FOUND, "account not found");
    };
    let balances: Vec<Value> = acct
        .balances
        .iter()
        .map(|(sym, h)| {
            json!({"symbol": sym, "free": fixed8(h.free), "locked": fixed8(h.locked), "frozen": fixed8(h.frozen)})
        })
        .collect();
    ok(json!({
        "account_number": acct.account_number,
        "address": a.to_string(),
        "balances": balances,
        "public_key": acct.public_key,
        "sequence": acct.sequence,
        "flags": 0,
    }))
}

async fn sequence(State(dev): State<Arc<Devnet>>, addr: crate::api::PathParam) -> Response {
    let addr = match crate::api::path_text(addr) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let a = match dev.parse_address(&addr) {
        Ok(a) => a,
        Err(r) => return r.into_response(),
    };
    match dev.ledger().accounts.get(&a.to_string()) {
        Some(acct) => ok(json!({"sequence": acct.sequence})),
        None => error(StatusCode::NOT_FOUND, "account not found"),
    }
}

async fn markets(State(dev): State<Arc<Devnet>>) -> Response {
    let l = dev.ledger();
    let list: Vec<Value> = l
        .markets
        .values()
        .map(|m| {
            json!({
                "base_asset_symbol": m.base,
                "quote_asset_symbol": m.quote,
                "list_price": fixed8(m.list_price),
                "tick_size": fixed8(m.tick_size),
                "lot_size": fixed8(m.lot_size),
            })
        })
        .collect();
    ok(Value::Array(list))
}

async fn tx(State(dev): State<Arc<Devnet>>, hash: crate::api::PathParam) -> Response {
    let hash = match crate::api::path_text(hash) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return error(StatusCode::BAD_REQUEST, "tx hash must be 64 hex characters");
    }
    // A transaction waiting in the mempool is not found until a block includes it.
    match dev
        .ledger()
        .txs
        .get(&hash.to_ascii_uppercase())
        .filter(|t| t.height > 0)
    {
        Some(t) => ok(json!({
            "code": t.code,
            "hash": t.hash,
            "height": t.height.to_string(),
            "log": t.log,
            "ok": t.code == 0,
            "tx": t.tx,
        })),
        None => error(StatusCode::NOT_FOUND, "tx not found"),
    }
}

async fn open_orders(
    State(dev): State<Arc<Devnet>>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let Some(addr) = q.get("address") else {
        return error(StatusCode::BAD_REQUEST, "missing query parameter address");
    };
    let a = match dev.parse_address(addr) {
        Ok(a) => a,
        Err(r) => return r.into_response(),
    };
    let owner = a.to_string();
    let symbol = q.get("symbol");
    let l = dev.ledger();
    // An order waiting for its block is not open yet, as on the chain.
    let order: Vec<Value> = l
        .orders
        .values()
        .filter(|o| !o.pending && o.owner == owner && symbol.is_none_or(|s| &o.symbol == s))
        .map(crate::market::order_json)
        .collect();
    let total = order.len();
    ok(json!({"order": order, "total": total}))
}

fn parse_body(body: &str) -> Result<serde_json::Map<String, Value>, ApiError> {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(bad_request("body must be a JSON object")),
        Err(e) => Err(bad_request(format!("body is not JSON: {e}"))),
    }
}

/// The request body as a JSON object; otherwise the error the handler answers with.
fn json_body(body: Body) -> Result<serde_json::Map<String, Value>, ApiError> {
    parse_body(&body_text(body)?)
}

fn str_field<'a>(m: &'a serde_json::Map<String, Value>, k: &str) -> Result<&'a str, ApiError> {
    m.get(k)
        .and_then(Value::as_str)
        .ok_or_else(|| bad_request(format!("missing string field {k:?}")))
}

async fn faucet(State(dev): State<Arc<Devnet>>, body: Body) -> Result<Response, ApiError> {
    let m = json_body(body)?;
    let addr = str_field(&m, "address")?;
    let asset = str_field(&m, "asset")?;
    let amount = str_field(&m, "amount")?;
    let a = dev.parse_address(addr)?;
    if !crate::state::valid_asset(asset) {
        return Err(bad_request(format!("invalid asset symbol {asset:?}")));
    }
    let units = match crate::parse_fixed8(amount) {
        Ok(u) if u > 0 => u,
        Ok(_) => return Err(bad_request("amount must be greater than zero")),
        Err(e) => return Err(bad_request(e)),
    };
    let result = dev.mutate(|l| l.mint(&a.to_string(), asset, units));
    Ok(match result {
        Ok(()) => {
            let l = dev.ledger();
            let acct = &l.accounts[&a.to_string()];
            ok(json!({
                "address": a.to_string(),
                "asset": asset,
                "amount": fixed8(units),
                "free": fixed8(acct.balances[asset].free),
                "account_number": acct.account_number,
            }))
        }
        Err(e) => error(StatusCode::BAD_REQUEST, e),
    })
}

impl Devnet {
    fn expectations(&self) -> Expectations {
        let l = self.ledger();
        Expectations {
            domain: self.domain(),
            uri: self.base_url.clone(),
            network: Network::custom(
                l.chain_id.parse().expect("configured chain id is valid"),
                Hrp::new(&l.hrp).expect("configured HRP is valid"),
            ),
        }
    }

    fn domain(&self) -> String {
        self.base_url
            .trim_start_matches("http://")
            .trim_start_matches("https://")
            .trim_end_matches('/')
            .to_string()
    }
}

async fn link_challenge(State(dev): State<Arc<Devnet>>, body: Body) -> Result<Response, ApiError> {
    let m = json_body(body)?;
    let addr = dev.parse_address(str_field(&m, "address")?)?;
    let exp = dev.expectations();
    let now = dev.now();
    let msg = LinkMessage {
        domain: exp.domain.clone(),
        address: addr.clone(),
        statement: Some("Link this address to the dexlink devnet.".into()),
        uri: exp.uri.clone(),
        chain_id: exp.network.chain_id().clone(),
        nonce: Nonce::random(),
        issued_at: now,
        expiration_time: now.plus(CHALLENGE_SECS),
    };
    let nonce = msg.nonce.to_string();
    let stored = dev.mutate(|l| {
        // Expired nonces are dropped whenever a new one is issued, so the table stays small.
        l.drop_expired_nonces(now.unix());
        l.insert_nonce(
            &nonce,
            IssuedNonce {
                address: addr.to_string(),
                expires: msg.expiration_time.unix(),
            },
        );
        Ok::<(), String>(())
    });
    if let Err(e) = stored {
        return Ok(error(StatusCode::INTERNAL_SERVER_ERROR, e));
    }
    Ok(ok(json!({
        "domain": msg.domain,
        "uri": msg.uri,
        "chain_id": msg.chain_id.to_string(),
        "address": addr.to_string(),
        "nonce": nonce,
        "issued_at": msg.issued_at.to_string(),
        "expiration_time": msg.expiration_time.to_string(),
        "statement": msg.statement,
        "message": msg.to_text(),
    })))
}

async fn link_submit(State(dev): State<Arc<Devnet>>, body: Body) -> Result<Response, ApiError> {
    let m = json_body(body)?;
    let message = str_field(&m, "message")?.to_string();
    let Some(proof) = m.get("signature").cloned() else {
        return Err(bad_request("missing field \"signature\""));
    };
    let exp = dev.expectations();
    let now = dev.now();
    let result = dev.mutate(|l| {
        let verified = link::verify(&message, &proof, &exp, now, |addr, nonce| {
            // Consumed whether or not the remaining checks pass.
            match l.remove_nonce(nonce.as_str()) {
                Some(n) => n.address == addr.to_string() && n.expires >= now.unix(),
                None => false,
            }
        });
        if let Ok(msg) = &verified {
            l.insert_link(
                &msg.address.to_string(),
                LinkRecord {
                    linked_at: now.to_string(),
                    expires_at: now.plus(LINK_SECS).to_string(),
                },
            );
        }
        Ok::<_, String>(verified)
    });
    Ok(match result {
        Ok(Ok(msg)) => {
            let addr = msg.address.to_string();
            let l = dev.ledger();
            let rec = &l.links[&addr];
            ok(json!({"address": addr, "linked_at": rec.linked_at, "expires_at": rec.expires_at}))
        }
        Ok(Err(e @ (link::LinkError::Malformed(_) | link::LinkError::MalformedProof(_)))) => {
            error(StatusCode::BAD_REQUEST, format!("{}: {e}", e.code()))
        }
        Ok(Err(e)) => error(StatusCode::UNAUTHORIZED, format!("{}: {e}", e.code())),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
    })
}

async fn link_status(State(dev): State<Arc<Devnet>>, addr: crate::api::PathParam) -> Response {
    let addr = match crate::api::path_text(addr) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let a = match dev.parse_address(&addr) {
        Ok(a) => a,
        Err(r) => return r.into_response(),
    };
    let now = Timestamp::now();
    match dev.ledger().links.get(&a.to_string()) {
        Some(rec) if Timestamp::parse(&rec.expires_at).is_ok_and(|t| t >= now) => {
            ok(json!({"address": a.to_string(), "linked": true, "linked_at": rec.linked_at}))
        }
        _ => error(StatusCode::NOT_FOUND, "address is not linked"),
    }
}
