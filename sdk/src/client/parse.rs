//! Reading the DEX's JSON at the edge: each value is checked and converted to its type once,
//! and a wrong one is reported with the path of the field (`trade[2].price`).

use serde_json::{Map, Value};

use crate::address::Address;
use crate::amount::Fixed8;
use crate::time::Timestamp;
use crate::tx::{OrderId, Side, TimeInForce, TxHash};

/// A field of an answer that is missing or does not hold what the API documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    /// Path of the field, e.g. `asks[0][1]`.
    pub field: String,
    /// What is wrong with it.
    pub reason: String,
}

pub(crate) type Parsed<T> = Result<T, FieldError>;

pub(crate) fn bad<T>(field: &str, reason: impl Into<String>) -> Parsed<T> {
    Err(FieldError {
        field: field.into(),
        reason: reason.into(),
    })
}

/// A short rendering of a JSON value for error messages (long values are cut).
fn shown(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

/// A JSON object with the path it was found at.
pub(crate) struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Obj<'a> {
    /// `v` as an object, found at `path` (empty for the answer itself).
    pub fn new(v: &'a Value, path: &str) -> Parsed<Self> {
        match v {
            Value::Object(map) => Ok(Self {
                map,
                path: path.into(),
            }),
            other => bad(
                if path.is_empty() { "(answer)" } else { path },
                format!("expected an object, got {}", shown(other)),
            ),
        }
    }

    /// The path of one of this object's fields.
    pub fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.into()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// A field that must be present (and not null).
    pub fn get(&self, key: &str) -> Parsed<&'a Value> {
        match self.map.get(key) {
            None | Some(Value::Null) => bad(&self.path_of(key), "missing"),
            Some(v) => Ok(v),
        }
    }

    /// A field that may be absent or null.
    pub fn opt(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// Applies `f` to a required field.
    pub fn req<T>(&self, key: &str, f: impl Fn(&Value, &str) -> Parsed<T>) -> Parsed<T> {
        f(self.get(key)?, &self.path_of(key))
    }

    /// Applies `f` to an optional field.
    pub fn maybe<T>(&self, key: &str, f: impl Fn(&Value, &str) -> Parsed<T>) -> Parsed<Option<T>> {
        self.opt(key).map(|v| f(v, &self.path_of(key))).transpose()
    }

    /// An optional string field, empty strings read as absent (the API sends `""` for "none").
    pub fn opt_nonempty<T>(
        &self,
        key: &str,
        f: impl Fn(&Value, &str) -> Parsed<T>,
    ) -> Parsed<Option<T>> {
        match self.opt(key) {
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(v) => f(v, &self.path_of(key)).map(Some),
            None => Ok(None),
        }
    }

    /// A list field, each item parsed by `f` with its own path.
    pub fn list<T>(&self, key: &str, f: impl Fn(&Value, &str) -> Parsed<T>) -> Parsed<Vec<T>> {
        list(self.get(key)?, &self.path_of(key), f)
    }
}

/// Each item of a JSON array parsed by `f` at `path[i]`.
pub(crate) fn list<T>(
    v: &Value,
    path: &str,
    f: impl Fn(&Value, &str) -> Parsed<T>,
) -> Parsed<Vec<T>> {
    match v {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| f(item, &format!("{path}[{i}]")))
            .collect(),
        other => bad(path, format!("expected a list, got {}", shown(other))),
    }
}

pub(crate) fn string(v: &Value, path: &str) -> Parsed<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        other => bad(path, format!("expected a string, got {}", shown(other))),
    }
}

/// An identifier the API sends as a string or, in some versions, a number.
pub(crate) fn id_string(v: &Value, path: &str) -> Parsed<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) if n.is_u64() => Ok(n.to_string()),
        other => bad(
            path,
            format!("expected an identifier string, got {}", shown(other)),
        ),
    }
}

/// A decimal amount, price or quantity: a string (`"1.00000000"`) or a JSON number.
pub(crate) fn fixed8(v: &Value, path: &str) -> Parsed<Fixed8> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => return bad(path, format!("expected a decimal, got {}", shown(other))),
    };
    text.parse::<Fixed8>().or_else(|e| bad(path, e.to_string()))
}

/// A non-negative integer, as a JSON number or a decimal string.
pub(crate) fn u64_(v: &Value, path: &str) -> Parsed<u64> {
    match v {
        Value::Number(n) => match n.as_u64() {
            Some(x) => Ok(x),
            None => bad(path, format!("expected a non-negative integer, got {n}")),
        },
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s
            .parse()
            .or_else(|_| bad(path, format!("integer out of range: {s:?}"))),
        other => bad(
            path,
            format!("expected a non-negative integer, got {}", shown(other)),
        ),
    }
}

/// A total that the API reports as -1 when it was not asked to count.
pub(crate) fn total(v: &Value, path: &str) -> Parsed<Option<u64>> {
    match v {
        Value::Number(n) if n.as_i64() == Some(-1) => Ok(None),
        other => u64_(other, path).map(Some),
    }
}

pub(crate) fn address(v: &Value, path: &str) -> Parsed<Address> {
    let s = string(v, path)?;
    Address::parse(&s).or_else(|e| bad(path, format!("{s:?} is not an address: {e}")))
}

pub(crate) fn order_id(v: &Value, path: &str) -> Parsed<OrderId> {
    let s = id_string(v, path)?;
    OrderId::parse(&s).or_else(|e| bad(path, e.to_string()))
}

pub(crate) fn tx_hash(v: &Value, path: &str) -> Parsed<TxHash> {
    let s = string(v, path)?;
    s.parse::<TxHash>().or_else(|_| {
        bad(
            path,
            format!("{s:?} is not a 64-hex-digit transaction hash"),
        )
    })
}

/// A side as the chain's code (1, 2) or its name (`BUY`, `SELL`).
pub(crate) fn side(v: &Value, path: &str) -> Parsed<Side> {
    let r = match v {
        Value::Number(n) => n
            .as_u64()
            .ok_or(())
            .and_then(|c| Side::from_code(c).map_err(|_| ())),
        Value::String(s) => s.parse().map_err(|_| ()),
        _ => Err(()),
    };
    r.or_else(|_| {
        bad(
            path,
            format!("expected a side, 1 (BUY) or 2 (SELL), got {}", shown(v)),
        )
    })
}

/// A time in force as the chain's code (1, 3) or its name (`GTE`, `IOC`).
pub(crate) fn time_in_force(v: &Value, path: &str) -> Parsed<TimeInForce> {
    let r = match v {
        Value::Number(n) => n
            .as_u64()
            .ok_or(())
            .and_then(|c| TimeInForce::from_code(c).map_err(|_| ())),
        Value::String(s) => s.parse().map_err(|_| ()),
        _ => Err(()),
    };
    r.or_else(|_| {
        bad(
            path,
            format!(
                "expected a time in force, 1 (GTE) or 3 (IOC), got {}",
                shown(v)
            ),
        )
    })
}

/// A value read through `FromStr` from a string.
pub(crate) fn parsed<T: std::str::FromStr>(v: &Value, path: &str) -> Parsed<T>
where
    T::Err: std::fmt::Display,
{
    let s = string(v, path)?;
    s.parse().or_else(|e: T::Err| bad(path, e.to_string()))
}

/// A point in time as milliseconds since the epoch: a JSON integer, or an RFC 3339 UTC string
/// (`2019-01-21T10:30:00Z`, optionally with a fraction of a second), which the API uses for
/// `dateTime` fields.
pub(crate) fn time_ms(v: &Value, path: &str) -> Parsed<u64> {
    match v {
        Value::String(s) => rfc3339_ms(s).ok_or(()).or_else(|_| {
            bad(
                path,
                format!("{s:?} is not a time (RFC 3339 UTC or milliseconds)"),
            )
        }),
        other => u64_(other, path),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff…]Z` to milliseconds since the epoch.
fn rfc3339_ms(s: &str) -> Option<u64> {
    let body = s.strip_suffix('Z')?;
    let (whole, frac) = match body.split_once('.') {
        Some((w, f)) => (w, f),
        None => (body, ""),
    };
    if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) || body.ends_with('.') {
        return None;
    }
    let secs = Timestamp::parse(&format!("{whole}Z")).ok()?.unix();
    let millis: u64 = format!("{frac:0<3}")[..3].parse().ok()?;
    u64::try_from(secs)
        .ok()?
        .checked_mul(1000)?
        .checked_add(millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_milliseconds() {
        // paths.md's `Times` example value.
        assert_eq!(rfc3339_ms("2019-01-21T10:30:00Z"), Some(1_548_066_600_000));
        assert_eq!(
            rfc3339_ms("2019-01-21T10:30:00.123456Z"),
            Some(1_548_066_600_123)
        );
        assert_eq!(
            rfc3339_ms("2019-01-21T10:30:00.5Z"),
            Some(1_548_066_600_500)
        );
        assert_eq!(rfc3339_ms("2019-01-21T10:30:00.Z"), None);
        assert_eq!(rfc3339_ms("2019-01-21 10:30:00"), None);
    }
}
