//! Typed DEX API responses, tolerant of the field variations of `docs/dex-api.md` §2–§4.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// Reads an integer given as a JSON number or a decimal string (servers differ).
pub(crate) fn int_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    use serde::de::Error;
    match Value::deserialize(d)? {
        Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| D::Error::custom(format!("integer out of range: {n}"))),
        Value::String(s) => s
            .parse()
            .map_err(|_| D::Error::custom(format!("not an integer: {s:?}"))),
        other => Err(D::Error::custom(format!(
            "expected an integer, got {other}"
        ))),
    }
}

fn opt_int_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    use serde::de::Error;
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("integer out of range: {n}"))),
        Value::String(s) => s
            .parse()
            .map(Some)
            .map_err(|_| D::Error::custom(format!("not an integer: {s:?}"))),
        other => Err(D::Error::custom(format!(
            "expected an integer, got {other}"
        ))),
    }
}

/// `GET /api/v1/node-info`. Only what a wallet needs is typed; the rest is kept raw.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeInfo {
    /// `node_info` object.
    pub node_info: NodeInfoInner,
    /// `sync_info`, when the server sends it.
    #[serde(default)]
    pub sync_info: Value,
}

/// The `node_info` part.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeInfoInner {
    /// The chain id.
    pub network: String,
    /// Node software version, when given.
    #[serde(default)]
    pub version: String,
    /// Node moniker, when given.
    #[serde(default)]
    pub moniker: String,
}

/// One balance line; amounts are Fixed8 decimal strings (`"1.00000000"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// Asset symbol, e.g. `BNB`.
    pub symbol: String,
    /// Free amount.
    pub free: String,
    /// Locked by open orders.
    #[serde(default = "zero")]
    pub locked: String,
    /// Frozen.
    #[serde(default = "zero")]
    pub frozen: String,
}

fn zero() -> String {
    "0.00000000".into()
}

/// `GET /api/v1/account/{address}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    /// The account number.
    #[serde(deserialize_with = "int_or_string")]
    pub account_number: i64,
    /// The bech32 address.
    pub address: String,
    /// Balances (order not guaranteed).
    #[serde(default)]
    pub balances: Vec<Balance>,
    /// The current sequence (the value to sign with).
    #[serde(deserialize_with = "int_or_string")]
    pub sequence: i64,
    /// Account flags (BEP-12).
    #[serde(default)]
    pub flags: u64,
    /// Opaque: its representation differs by server version.
    #[serde(default)]
    pub public_key: Value,
}

impl Account {
    /// The balance of `symbol`, if the account holds it.
    pub fn balance(&self, symbol: &str) -> Option<&Balance> {
        self.balances.iter().find(|b| b.symbol == symbol)
    }
}

/// `GET /api/v1/account/{address}/sequence`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SequenceResponse {
    /// The current sequence.
    #[serde(deserialize_with = "int_or_string")]
    pub sequence: i64,
}

/// One market of `GET /api/v1/markets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketInfo {
    /// Base asset, e.g. `BNB`.
    pub base_asset_symbol: String,
    /// Quote asset, e.g. `BUSD-BD1`.
    pub quote_asset_symbol: String,
    /// List price (Fixed8 decimal string).
    #[serde(default)]
    pub list_price: String,
    /// Price tick (Fixed8 decimal string).
    pub tick_size: String,
    /// Quantity lot (Fixed8 decimal string).
    pub lot_size: String,
}

impl MarketInfo {
    /// The trading pair symbol `BASE_QUOTE`.
    pub fn symbol(&self) -> String {
        format!("{}_{}", self.base_asset_symbol, self.quote_asset_symbol)
    }
}

/// One result of `POST /api/v1/broadcast` (the API answers with an array of these).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BroadcastResult {
    /// Whether the node accepted it.
    #[serde(default)]
    pub ok: bool,
    /// The tx hash (uppercase hex).
    #[serde(default)]
    pub hash: String,
    /// 0 on success; otherwise the ABCI code.
    #[serde(default)]
    pub code: i64,
    /// Node log.
    #[serde(default)]
    pub log: String,
    /// Result data (e.g. `{"order_id": …}` for new orders).
    #[serde(default)]
    pub data: String,
    /// The node already held these exact bytes before this call first posted them: an
    /// identical transaction (same key, intent and sequence, e.g. from an identical command run
    /// at the same time) was broadcast earlier, so nothing new was sent. Not part of the API.
    #[serde(skip)]
    pub already_known: bool,
}

impl BroadcastResult {
    /// The result for a transaction the node reports by hash (found by a lookup, not answered
    /// by the broadcast itself).
    pub fn found(hash: &str, info: TxInfo, already_known: bool) -> Self {
        Self {
            ok: info.code == 0,
            hash: hash.to_string(),
            code: info.code,
            log: info.log,
            data: String::new(),
            already_known,
        }
    }
}

/// `GET /api/v1/tx/{hash}?format=json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TxInfo {
    /// The tx hash.
    #[serde(default)]
    pub hash: String,
    /// Block height, when committed.
    #[serde(default, deserialize_with = "opt_int_or_string")]
    pub height: Option<i64>,
    /// 0 on success.
    #[serde(default)]
    pub code: i64,
    /// Node log.
    #[serde(default)]
    pub log: String,
    /// Whether it succeeded.
    #[serde(default)]
    pub ok: bool,
    /// The decoded tx (amino JSON), opaque here.
    #[serde(default)]
    pub tx: Value,
}

/// One open order of `GET /api/v1/orders/open`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenOrder {
    /// The order id.
    pub order_id: String,
    /// The pair.
    pub symbol: String,
    /// The owner address.
    #[serde(default)]
    pub owner: String,
    /// 1 buy, 2 sell.
    pub side: i64,
    /// Price (decimal string).
    pub price: String,
    /// Quantity (decimal string).
    pub quantity: String,
    /// Filled quantity (decimal string).
    #[serde(default)]
    pub cumulate_quantity: String,
    /// 1 GTE, 3 IOC.
    #[serde(default)]
    pub time_in_force: i64,
    /// Order status, e.g. `Ack`.
    #[serde(default)]
    pub status: String,
    /// The tx hash that placed it.
    #[serde(default)]
    pub transaction_hash: String,
}

/// `GET /api/v1/orders/open` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenOrders {
    /// The orders.
    #[serde(default)]
    pub order: Vec<OpenOrder>,
    /// Total count.
    #[serde(default)]
    pub total: i64,
}

/// `POST /api/v1/link/challenge` answer (`docs/link-proofs.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkChallenge {
    /// The DEX's domain.
    pub domain: String,
    /// The DEX's URI.
    pub uri: String,
    /// The chain id.
    pub chain_id: String,
    /// The address.
    pub address: String,
    /// The nonce.
    pub nonce: String,
    /// Issued at (RFC 3339).
    pub issued_at: String,
    /// Expires at (RFC 3339).
    pub expiration_time: String,
    /// Statement, if any.
    #[serde(default)]
    pub statement: Option<String>,
    /// The full message text to sign.
    pub message: String,
}

/// `POST /api/v1/link` success.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkAccepted {
    /// The linked address.
    pub address: String,
    /// When (RFC 3339).
    pub linked_at: String,
    /// Until when (RFC 3339), if the DEX says.
    #[serde(default)]
    pub expires_at: Option<String>,
}

/// `GET /api/v1/link/{address}` success.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkStatus {
    /// The address.
    pub address: String,
    /// Always true when found.
    pub linked: bool,
    /// When (RFC 3339).
    pub linked_at: String,
}

/// The DEX API's error body `{"code": …, "message": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    /// HTTP-like or ABCI code.
    #[serde(default)]
    pub code: i64,
    /// Message.
    #[serde(default)]
    pub message: String,
}
