//! Typed DEX API responses, tolerant of the field variations of `docs/dex-api.md` §2–§4.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::address::{Address, ChainId};
use crate::amount::Fixed8;
use crate::tx::{OrderId, Side, TimeInForce, TxHash};

/// Serde for a field held as one of the SDK's text newtypes ([`Address`], [`TxHash`], [`Fixed8`],
/// [`OrderId`], [`ChainId`]): parsed with `FromStr` at the edge, written back with `Display`.
mod text {
    use std::fmt::Display;
    use std::str::FromStr;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn deserialize<'de, D, T>(d: D) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        T: FromStr,
        T::Err: Display,
    {
        use serde::de::Error;
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|e| D::Error::custom(format!("{s:?} does not parse: {e}")))
    }

    pub(crate) fn serialize<S: Serializer, T: Display>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }
}

/// [`text`] for an optional field (absent or `null` is `None`; an empty string is `None` too,
/// as servers send `""` for "not yet").
mod opt_text {
    use std::fmt::Display;
    use std::str::FromStr;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn deserialize<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: FromStr,
        T::Err: Display,
    {
        use serde::de::Error;
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) if s.is_empty() => Ok(None),
            Some(s) => s
                .parse()
                .map(Some)
                .map_err(|e| D::Error::custom(format!("{s:?} does not parse: {e}"))),
        }
    }

    pub(crate) fn serialize<S: Serializer, T: Display>(
        v: &Option<T>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.collect_str(v),
            None => s.serialize_none(),
        }
    }
}

/// Reads a non-negative integer given as a JSON number or a decimal string (servers differ).
/// The chain stores these as int64: a negative value or one above `i64::MAX` is refused.
pub(crate) fn uint_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    use serde::de::Error;
    let n = match Value::deserialize(d)? {
        Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| D::Error::custom(format!("{n} is not a non-negative integer")))?,
        Value::String(s) => s
            .parse()
            .map_err(|_| D::Error::custom(format!("{s:?} is not a non-negative integer")))?,
        other => {
            return Err(D::Error::custom(format!(
                "expected a non-negative integer, got {other}"
            )));
        }
    };
    if n > i64::MAX as u64 {
        return Err(D::Error::custom(format!(
            "{n} is above the chain's int64 range"
        )));
    }
    Ok(n)
}

fn opt_uint_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        v => uint_or_string(v)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

/// Reads a side given as the chain's code (1 buy, 2 sell) or as its name.
fn side<'de, D: Deserializer<'de>>(d: D) -> Result<Side, D::Error> {
    use serde::de::Error;
    match Value::deserialize(d)? {
        Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| D::Error::custom(format!("side {n} is not 1 or 2")))
            .and_then(|c| Side::from_code(c).map_err(D::Error::custom)),
        Value::String(s) => s.parse().map_err(D::Error::custom),
        other => Err(D::Error::custom(format!("expected a side, got {other}"))),
    }
}

fn side_code<S: Serializer>(v: &Side, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(v.code())
}

/// Reads a time in force given as the chain's code (1 GTE, 3 IOC) or as its name.
fn time_in_force<'de, D: Deserializer<'de>>(d: D) -> Result<TimeInForce, D::Error> {
    use serde::de::Error;
    match Value::deserialize(d)? {
        Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| D::Error::custom(format!("time in force {n} is not 1 or 3")))
            .and_then(|c| TimeInForce::from_code(c).map_err(D::Error::custom)),
        Value::String(s) => s.parse().map_err(D::Error::custom),
        other => Err(D::Error::custom(format!(
            "expected a time in force, got {other}"
        ))),
    }
}

fn time_in_force_code<S: Serializer>(v: &TimeInForce, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(v.code())
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
    #[serde(with = "text")]
    pub network: ChainId,
    /// Node software version, when given.
    #[serde(default)]
    pub version: String,
    /// Node moniker, when given.
    #[serde(default)]
    pub moniker: String,
}

/// One balance line (the API sends Fixed8 decimal strings such as `"1.00000000"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// Asset symbol, e.g. `BNB`.
    pub symbol: String,
    /// Free amount.
    #[serde(with = "text")]
    pub free: Fixed8,
    /// Locked by open orders.
    #[serde(with = "text", default)]
    pub locked: Fixed8,
    /// Frozen.
    #[serde(with = "text", default)]
    pub frozen: Fixed8,
}

/// `GET /api/v1/account/{address}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    /// The account number.
    #[serde(deserialize_with = "uint_or_string")]
    pub account_number: u64,
    /// The bech32 address.
    #[serde(with = "text")]
    pub address: Address,
    /// Balances (order not guaranteed).
    #[serde(default)]
    pub balances: Vec<Balance>,
    /// The current sequence (the value to sign with).
    #[serde(deserialize_with = "uint_or_string")]
    pub sequence: u64,
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
    #[serde(deserialize_with = "uint_or_string")]
    pub sequence: u64,
}

/// One market of `GET /api/v1/markets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketInfo {
    /// Base asset, e.g. `BNB`.
    pub base_asset_symbol: String,
    /// Quote asset, e.g. `BUSD-BD1`.
    pub quote_asset_symbol: String,
    /// List price.
    #[serde(with = "text", default)]
    pub list_price: Fixed8,
    /// Price tick: every price is a multiple of it.
    #[serde(with = "text")]
    pub tick_size: Fixed8,
    /// Quantity lot: every quantity is a multiple of it.
    #[serde(with = "text")]
    pub lot_size: Fixed8,
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
    /// The tx hash.
    #[serde(with = "text")]
    pub hash: TxHash,
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
    pub fn found(hash: TxHash, info: TxInfo, already_known: bool) -> Self {
        Self {
            ok: info.code == 0,
            hash,
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
    /// The tx hash, when the server repeats it.
    #[serde(with = "opt_text", default)]
    pub hash: Option<TxHash>,
    /// Block height, when committed.
    #[serde(default, deserialize_with = "opt_uint_or_string")]
    pub height: Option<u64>,
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
    #[serde(with = "text")]
    pub order_id: OrderId,
    /// The pair.
    pub symbol: String,
    /// The owner address.
    #[serde(with = "text")]
    pub owner: Address,
    /// Buy or sell (the API sends the chain's code, 1 or 2).
    #[serde(deserialize_with = "side", serialize_with = "side_code")]
    pub side: Side,
    /// Price.
    #[serde(with = "text")]
    pub price: Fixed8,
    /// Quantity.
    #[serde(with = "text")]
    pub quantity: Fixed8,
    /// Filled quantity.
    #[serde(with = "text", default)]
    pub cumulate_quantity: Fixed8,
    /// GTE or IOC (the API sends the chain's code, 1 or 3).
    #[serde(
        deserialize_with = "time_in_force",
        serialize_with = "time_in_force_code"
    )]
    pub time_in_force: TimeInForce,
    /// Order status by the chain's name, e.g. `Ack`.
    #[serde(default)]
    pub status: String,
    /// The tx hash that placed it, when the server gives it.
    #[serde(with = "opt_text", default)]
    pub transaction_hash: Option<TxHash>,
}

/// `GET /api/v1/orders/open` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenOrders {
    /// The orders.
    #[serde(default)]
    pub order: Vec<OpenOrder>,
    /// Total count.
    #[serde(default)]
    pub total: u64,
}

/// `POST /api/v1/link/challenge` answer (`docs/link-proofs.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkChallenge {
    /// The DEX's domain.
    pub domain: String,
    /// The DEX's URI.
    pub uri: String,
    /// The chain id.
    #[serde(with = "text")]
    pub chain_id: ChainId,
    /// The address.
    #[serde(with = "text")]
    pub address: Address,
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
    #[serde(with = "text")]
    pub address: Address,
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
    #[serde(with = "text")]
    pub address: Address,
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
