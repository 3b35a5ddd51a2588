//! The JSON the node signs: Go `encoding/json` output (docs/sign-docs.md §2–§3), written by hand.
//!
//! serde_json's escaping differs from Go's (Go escapes `<`, `>`, `&`, U+2028 and U+2029), so
//! sign documents are assembled here as text with keys already in sorted order.
//!
//! Control characters: Go before 1.22 writes every C0 control except `\n`, `\r`, `\t` as
//! `\u00XX`; Go 1.22 and later writes `\b` and `\f` for 0x08 and 0x0C. The node's `go.mod`
//! says `go 1.17` and its releases predate Go 1.22, so [`push_string`] follows Go < 1.22.
//! Because the toolchain of a given node binary cannot be known from here, memos and symbols
//! refuse control characters altogether (see `tx::Memo`); this branch only matters for
//! callers using the writer directly.
//!
//! This module also holds the small strict parser used for sign documents that arrive from
//! elsewhere (WalletConnect `bnb_sign`): it keeps number text as written and key order, and
//! refuses duplicate keys, so that callers can refuse anything non-canonical.

/// Appends `s` as a Go `encoding/json` string literal (quotes included).
pub fn push_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '<' => Some("\\u003c"),
            '>' => Some("\\u003e"),
            '&' => Some("\\u0026"),
            '\u{2028}' => Some("\\u2028"),
            '\u{2029}' => Some("\\u2029"),
            _ => None,
        };
        if esc.is_none() && (c as u32) >= 0x20 {
            continue;
        }
        out.push_str(&s[start..i]);
        match esc {
            Some(e) => out.push_str(e),
            None => {
                // C0 control other than \n \r \t: \u00XX, lowercase hex, as Go < 1.22 writes.
                let b = c as u8;
                out.push_str("\\u00");
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
        start = i + c.len_utf8();
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// A parsed JSON value that keeps what canonical checks need: number text as written and
/// object members in their original order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonValue {
    Null,
    Bool(bool),
    /// The number exactly as written.
    Number(String),
    String(String),
    Array(Vec<JsonValue>),
    Object(Vec<(String, JsonValue)>),
}

impl JsonValue {
    /// A short name of the value's JSON type, for error messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "a boolean",
            Self::Number(_) => "a number",
            Self::String(_) => "a string",
            Self::Array(_) => "an array",
            Self::Object(_) => "an object",
        }
    }
}

/// Nesting limit: sign documents are four levels deep; refuse anything absurd before recursing.
const MAX_DEPTH: usize = 16;

/// Parses one JSON document (RFC 8259), refusing duplicate keys and trailing text.
pub(crate) fn parse(text: &str) -> Result<JsonValue, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        pos: 0,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.pos != p.s.len() {
        return Err(format!(
            "unexpected text after the JSON value at byte {}",
            p.pos
        ));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.pos) {
            self.pos += 1;
        }
    }

    fn err<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("{what} at byte {}", self.pos))
    }

    fn eat(&mut self, lit: &[u8]) -> bool {
        if self.s[self.pos..].starts_with(lit) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<JsonValue, String> {
        if depth > MAX_DEPTH {
            return self.err("JSON nested too deeply");
        }
        match self.s.get(self.pos) {
            None => self.err("unexpected end of JSON"),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(JsonValue::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ if self.eat(b"null") => Ok(JsonValue::Null),
            _ if self.eat(b"true") => Ok(JsonValue::Bool(true)),
            _ if self.eat(b"false") => Ok(JsonValue::Bool(false)),
            _ => self.err("unexpected character in JSON"),
        }
    }

    fn object(&mut self, depth: usize) -> Result<JsonValue, String> {
        self.pos += 1;
        let mut members: Vec<(String, JsonValue)> = Vec::new();
        self.ws();
        if self.eat(b"}") {
            return Ok(JsonValue::Object(members));
        }
        loop {
            self.ws();
            if self.s.get(self.pos) != Some(&b'"') {
                return self.err("expected a string key");
            }
            let key = self.string()?;
            if members.iter().any(|(k, _)| *k == key) {
                return Err(format!("duplicate key {key:?}"));
            }
            self.ws();
            if !self.eat(b":") {
                return self.err("expected ':'");
            }
            self.ws();
            let v = self.value(depth + 1)?;
            members.push((key, v));
            self.ws();
            if self.eat(b",") {
                continue;
            }
            if self.eat(b"}") {
                return Ok(JsonValue::Object(members));
            }
            return self.err("expected ',' or '}'");
        }
    }

    fn array(&mut self, depth: usize) -> Result<JsonValue, String> {
        self.pos += 1;
        let mut items = Vec::new();
        self.ws();
        if self.eat(b"]") {
            return Ok(JsonValue::Array(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth + 1)?);
            self.ws();
            if self.eat(b",") {
                continue;
            }
            if self.eat(b"]") {
                return Ok(JsonValue::Array(items));
            }
            return self.err("expected ',' or ']'");
        }
    }

    fn number(&mut self) -> Result<JsonValue, String> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let s = p.pos;
            while p.s.get(p.pos).is_some_and(u8::is_ascii_digit) {
                p.pos += 1;
            }
            p.pos > s
        };
        self.eat(b"-");
        if !digits(self) {
            return self.err("invalid number");
        }
        if self.eat(b".") && !digits(self) {
            return self.err("invalid number");
        }
        if matches!(self.s.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.s.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !digits(self) {
                return self.err("invalid number");
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.pos]).expect("ASCII");
        Ok(JsonValue::Number(text.to_string()))
    }

    fn string(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(&b) = self.s.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The input is a &str, so any run without '"' '\\' or controls is valid UTF-8.
            out.push_str(std::str::from_utf8(&self.s[start..self.pos]).expect("str slice"));
            match self.s.get(self.pos) {
                None => return self.err("unterminated string"),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = match self.s.get(self.pos) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let hi = self.hex4()?;
                            let cp = if (0xD800..0xDC00).contains(&hi) {
                                if !self.eat(b"\\u") {
                                    return self.err("unpaired surrogate in string");
                                }
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return self.err("unpaired surrogate in string");
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            let c = char::from_u32(cp)
                                .map_or_else(|| self.err("unpaired surrogate in string"), Ok)?;
                            out.push(c);
                            continue;
                        }
                        _ => return self.err("invalid escape in string"),
                    };
                    self.pos += 1;
                    out.push(c);
                }
                Some(_) => return self.err("raw control character in string"),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let h = self
            .s
            .get(self.pos..self.pos + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|h| u32::from_str_radix(h, 16).ok());
        match h {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => self.err("invalid \\u escape"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go(s: &str) -> String {
        let mut o = String::new();
        push_string(&mut o, s);
        o
    }

    #[test]
    fn escapes_like_go() {
        // docs/sign-docs.md §3 (DERIVED example).
        assert_eq!(go("a<b>&c"), r#""a\u003cb\u003e\u0026c""#);
        assert_eq!(go("q\"\\"), r#""q\"\\""#);
        assert_eq!(
            go("\n\r\t\u{8}\u{c}\u{1}\u{1f}"),
            r#""\n\r\t\u0008\u000c\u0001\u001f""#
        );
        assert_eq!(go("x\u{2028}y\u{2029}"), r#""x\u2028y\u2029""#);
        assert_eq!(go("héllo € \u{7f} /"), "\"héllo € \u{7f} /\"");
    }

    #[test]
    fn parser_keeps_numbers_and_refuses_duplicates() {
        let v = parse(r#" {"a": [1, -0.5e3, "x\u00e9\ud83d\ude00"], "b": null} "#).unwrap();
        let JsonValue::Object(m) = v else { panic!() };
        assert_eq!(m[0].0, "a");
        assert_eq!(
            m[0].1,
            JsonValue::Array(vec![
                JsonValue::Number("1".into()),
                JsonValue::Number("-0.5e3".into()),
                JsonValue::String("xé😀".into())
            ])
        );
        assert!(parse(r#"{"a":1,"a":2}"#).unwrap_err().contains("duplicate"));
        assert!(parse(r#"{"a":1} x"#).is_err());
        // Number text is kept as written; canonical-form checks are the caller's.
        assert_eq!(parse("01").unwrap(), JsonValue::Number("01".into()));
        assert!(parse("[\"\u{1}\"]").is_err());
        assert!(parse(r#"["\ud800"]"#).is_err());
        assert!(parse(&"[".repeat(100)).is_err());
    }
}
