//! Typed access to a vector's fields, turning absent or mistyped fields into [`Failure::Malformed`].

use serde_json::{Map, Value};

use super::Failure;

/// A vector object with typed getters.
pub(crate) struct Fields<'a> {
    obj: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(obj: &'a Map<String, Value>) -> Self {
        Self { obj }
    }

    /// The raw value of `key`, if present.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key)
    }

    /// Whether `key` is present.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.obj.contains_key(key)
    }

    /// A required string field.
    pub(crate) fn str(&self, key: &str) -> Result<&'a str, Failure> {
        self.opt_str(key)?
            .ok_or_else(|| Failure::Malformed(format!("missing string field \"{key}\"")))
    }

    /// An optional string field.
    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<&'a str>, Failure> {
        match self.obj.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(Failure::Malformed(format!(
                "field \"{key}\" is not a string"
            ))),
        }
    }

    /// A required hex field, decoded (either case accepted).
    pub(crate) fn hex(&self, key: &str) -> Result<Vec<u8>, Failure> {
        let s = self.str(key)?;
        hex::decode(s).map_err(|e| Failure::Malformed(format!("field \"{key}\" is not hex: {e}")))
    }

    /// An optional hex field, decoded.
    pub(crate) fn opt_hex(&self, key: &str) -> Result<Option<Vec<u8>>, Failure> {
        if self.has(key) {
            self.hex(key).map(Some)
        } else {
            Ok(None)
        }
    }

    /// A required boolean field.
    pub(crate) fn bool(&self, key: &str) -> Result<bool, Failure> {
        self.obj
            .get(key)
            .and_then(Value::as_bool)
            .ok_or_else(|| Failure::Malformed(format!("missing boolean field \"{key}\"")))
    }

    /// A required integer field that fits in u64 (JSON numbers are read exactly).
    pub(crate) fn u64(&self, key: &str) -> Result<u64, Failure> {
        self.opt_u64(key)?
            .ok_or_else(|| Failure::Malformed(format!("missing integer field \"{key}\"")))
    }

    /// An optional integer field that fits in u64.
    pub(crate) fn opt_u64(&self, key: &str) -> Result<Option<u64>, Failure> {
        match self.obj.get(key) {
            None => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                Failure::Malformed(format!("field \"{key}\" is not a non-negative integer"))
            }),
        }
    }

    /// A required nested object.
    pub(crate) fn object(&self, key: &str) -> Result<Fields<'a>, Failure> {
        self.obj
            .get(key)
            .and_then(Value::as_object)
            .map(Fields::new)
            .ok_or_else(|| Failure::Malformed(format!("missing object field \"{key}\"")))
    }
}
