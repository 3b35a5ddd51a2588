//! Amino binary primitives (docs/wire-format.md §1–§2): writing, and a strict reader.
//!
//! The reader accepts only the one encoding the encoder produces: minimal varints, fields in
//! ascending order, each non-repeated field at most once, no default values written out, no
//! unknown fields. Everything it refuses is a [`DecodeError`]; it never panics on any input.

use thiserror::Error;

/// Why broadcast bytes were refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The text is not hex.
    #[error("transaction is not valid hex")]
    Hex,
    /// The bytes end inside a value.
    #[error("truncated transaction: the bytes end inside {0}")]
    Truncated(&'static str),
    /// Bytes after the end the length prefix declares.
    #[error("{0} trailing bytes after the transaction the length prefix declares")]
    TrailingBytes(usize),
    /// The length prefix declares more bytes than there are (truncated transaction).
    #[error("truncated transaction: length prefix says {declared} bytes but only {actual} follow")]
    LengthMismatch {
        /// The prefix value.
        declared: u64,
        /// Bytes after the prefix.
        actual: usize,
    },
    /// A varint with redundant trailing zero groups.
    #[error("non-minimal varint in {0} (the chain's encoder never writes one)")]
    NonMinimalVarint(&'static str),
    /// A varint longer than 64 bits.
    #[error("varint overflows 64 bits in {0}")]
    VarintOverflow(&'static str),
    /// A registered-type prefix this SDK does not know.
    #[error("unknown {what} type prefix {prefix}; this SDK decodes {supported}")]
    UnknownPrefix {
        /// What was being decoded.
        what: &'static str,
        /// The four prefix bytes, hex.
        prefix: String,
        /// What is supported there.
        supported: &'static str,
    },
    /// A field number the structure does not have.
    #[error("unknown field {field} in {within}")]
    UnknownField {
        /// The structure.
        within: &'static str,
        /// The field number.
        field: u64,
    },
    /// A field repeated that may appear once, or fields out of ascending order.
    #[error("field {field} in {within} is duplicated or out of order")]
    FieldOrder {
        /// The structure.
        within: &'static str,
        /// The field number.
        field: u64,
    },
    /// A known field with the wrong wire type.
    #[error("field {field} in {within} has wire type {wire}, expected {expected}")]
    WireType {
        /// The structure.
        within: &'static str,
        /// The field number.
        field: u64,
        /// Wire type found.
        wire: u8,
        /// Wire type expected.
        expected: u8,
    },
    /// A field written with its default value (0, empty), which the encoder omits.
    #[error("{0} is written with its default value; canonical amino omits it")]
    DefaultValue(&'static str),
    /// A string field that is not UTF-8.
    #[error("{0} is not valid UTF-8")]
    Utf8(&'static str),
    /// A fixed-size value of the wrong size.
    #[error("{what} must be {expected} bytes, got {got}")]
    WrongLength {
        /// The value.
        what: &'static str,
        /// Expected size.
        expected: usize,
        /// Actual size.
        got: usize,
    },
    /// An int64 field holding a negative number.
    #[error("{0} is negative")]
    Negative(&'static str),
    /// Not exactly one message or one signature.
    #[error("a transaction must carry exactly one {what}, this one has {count}")]
    Count {
        /// `message` or `signature`.
        what: &'static str,
        /// How many there are.
        count: usize,
    },
    /// The StdTx `data` field is set (the chain refuses it).
    #[error("the data field must be empty (the chain refuses transactions with data)")]
    DataNotEmpty,
    /// The decoded fields break a rule of the message (zero amount, unknown side, ...).
    #[error("invalid transaction content: {0}")]
    Invalid(String),
    /// Decodes, but encoding the result gives other bytes.
    #[error("the bytes are not the canonical encoding of the transaction they decode to")]
    NotCanonical,
}

pub(crate) const WIRE_VARINT: u8 = 0;
pub(crate) const WIRE_BYTES: u8 = 2;

/// Appends a protobuf base-128 varint.
pub(crate) fn put_uvarint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_key(out: &mut Vec<u8>, field: u32, wire: u8) {
    put_uvarint(out, (u64::from(field) << 3) | u64::from(wire));
}

/// An int64 field as a varint; omitted when zero.
pub(crate) fn put_int(out: &mut Vec<u8>, field: u32, v: u64) {
    if v != 0 {
        put_key(out, field, WIRE_VARINT);
        put_uvarint(out, v);
    }
}

/// A length-delimited field; omitted when empty.
pub(crate) fn put_bytes(out: &mut Vec<u8>, field: u32, v: &[u8]) {
    if !v.is_empty() {
        put_key(out, field, WIRE_BYTES);
        put_uvarint(out, v.len() as u64);
        out.extend_from_slice(v);
    }
}

/// A length-delimited field whose content `body` writes (embedded struct or interface).
/// Always written: embedded structs in our messages are never empty.
pub(crate) fn put_nested(out: &mut Vec<u8>, field: u32, body: impl FnOnce(&mut Vec<u8>)) {
    put_key(out, field, WIRE_BYTES);
    let mut inner = Vec::with_capacity(128);
    body(&mut inner);
    put_uvarint(out, inner.len() as u64);
    out.extend_from_slice(&inner);
}

/// Strict reader over one structure's bytes.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    within: &'static str,
    /// Highest field number consumed so far, to detect order and duplicates.
    last: u64,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8], within: &'static str) -> Self {
        Self {
            buf,
            pos: 0,
            within,
            last: 0,
        }
    }

    pub(crate) fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    /// Reads a varint at `pos` without moving; returns (value, length).
    fn peek_uvarint(&self, what: &'static str) -> Result<(u64, usize), DecodeError> {
        let mut v: u64 = 0;
        for i in 0..10 {
            let Some(&b) = self.buf.get(self.pos + i) else {
                return Err(DecodeError::Truncated(what));
            };
            if i == 9 && b > 1 {
                return Err(DecodeError::VarintOverflow(what));
            }
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                if b == 0 && i > 0 {
                    return Err(DecodeError::NonMinimalVarint(what));
                }
                return Ok((v, i + 1));
            }
        }
        Err(DecodeError::VarintOverflow(what))
    }

    pub(crate) fn uvarint(&mut self, what: &'static str) -> Result<u64, DecodeError> {
        let (v, n) = self.peek_uvarint(what)?;
        self.pos += n;
        Ok(v)
    }

    /// `n` raw bytes.
    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or(DecodeError::Truncated(what))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    /// If the next key is `field`, consumes it (checking the wire type) and returns true.
    /// A repeated field may follow itself; any other field must have a higher number than the
    /// last one read, which `finish` reports.
    fn at_field(&mut self, field: u64, wire: u8, repeated: bool) -> Result<bool, DecodeError> {
        if self.pos == self.buf.len() {
            return Ok(false);
        }
        let (key, n) = self.peek_uvarint("a field key")?;
        if key >> 3 != field {
            return Ok(false);
        }
        let got = (key & 7) as u8;
        if got != wire {
            return Err(DecodeError::WireType {
                within: self.within,
                field,
                wire: got,
                expected: wire,
            });
        }
        if field < self.last || (field == self.last && !repeated) {
            return Err(DecodeError::FieldOrder {
                within: self.within,
                field,
            });
        }
        self.pos += n;
        self.last = field;
        Ok(true)
    }

    /// An optional int64 field (absent = 0). A written zero or a negative value is refused.
    pub(crate) fn int(&mut self, field: u64, what: &'static str) -> Result<u64, DecodeError> {
        if !self.at_field(field, WIRE_VARINT, false)? {
            return Ok(0);
        }
        let v = self.uvarint(what)?;
        if v == 0 {
            return Err(DecodeError::DefaultValue(what));
        }
        if v > i64::MAX as u64 {
            return Err(DecodeError::Negative(what));
        }
        Ok(v)
    }

    /// An optional length-delimited field (absent = empty). A written empty value is refused.
    pub(crate) fn bytes(
        &mut self,
        field: u64,
        what: &'static str,
    ) -> Result<&'a [u8], DecodeError> {
        self.bytes_impl(field, what, false)
            .map(Option::unwrap_or_default)
    }

    /// The next element of a repeated length-delimited field, if any.
    pub(crate) fn repeated(
        &mut self,
        field: u64,
        what: &'static str,
    ) -> Result<Option<&'a [u8]>, DecodeError> {
        self.bytes_impl(field, what, true)
    }

    fn bytes_impl(
        &mut self,
        field: u64,
        what: &'static str,
        repeated: bool,
    ) -> Result<Option<&'a [u8]>, DecodeError> {
        if !self.at_field(field, WIRE_BYTES, repeated)? {
            return Ok(None);
        }
        let len = self.uvarint(what)?;
        let len = usize::try_from(len).map_err(|_| DecodeError::Truncated(what))?;
        let v = self.take(len, what)?;
        if v.is_empty() && !repeated {
            return Err(DecodeError::DefaultValue(what));
        }
        Ok(Some(v))
    }

    /// An optional string field.
    pub(crate) fn string(
        &mut self,
        field: u64,
        what: &'static str,
    ) -> Result<&'a str, DecodeError> {
        let b = self.bytes(field, what)?;
        std::str::from_utf8(b).map_err(|_| DecodeError::Utf8(what))
    }

    /// A 20-byte address field (required).
    pub(crate) fn address(
        &mut self,
        field: u64,
        what: &'static str,
    ) -> Result<[u8; 20], DecodeError> {
        let b = self.bytes(field, what)?;
        b.try_into().map_err(|_| DecodeError::WrongLength {
            what,
            expected: 20,
            got: b.len(),
        })
    }

    /// Checks that every byte was consumed; otherwise names the first leftover field.
    pub(crate) fn finish(self, known_fields: u64) -> Result<(), DecodeError> {
        if self.pos == self.buf.len() {
            return Ok(());
        }
        let (key, _) = self.peek_uvarint("a field key")?;
        let field = key >> 3;
        if field == 0 || field > known_fields {
            Err(DecodeError::UnknownField {
                within: self.within,
                field,
            })
        } else {
            Err(DecodeError::FieldOrder {
                within: self.within,
                field,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        // js-sdk __tests__/encoder.test.ts (docs/wire-format.md §1–§2).
        let mut v = Vec::new();
        put_uvarint(&mut v, 100_000);
        assert_eq!(hex::encode(&v), "a08d06");
        v.clear();
        put_uvarint(&mut v, 1_000_000_000_000_000_000);
        assert_eq!(hex::encode(&v), "808090bbbad6adf00d");
        assert_eq!(
            Reader::new(&v, "t").uvarint("x"),
            Ok(1_000_000_000_000_000_000)
        );
        assert_eq!(
            Reader::new(&[0x80, 0x00], "t").uvarint("x"),
            Err(DecodeError::NonMinimalVarint("x"))
        );
        assert_eq!(
            Reader::new(&[0x80], "t").uvarint("x"),
            Err(DecodeError::Truncated("x"))
        );
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(Reader::new(&max, "t").uvarint("x"), Ok(u64::MAX));
        let over = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert_eq!(
            Reader::new(&over, "t").uvarint("x"),
            Err(DecodeError::VarintOverflow("x"))
        );
    }
}
