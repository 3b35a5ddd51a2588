//! The wire protocol: one JSON request per line, one JSON answer per line (docs/agent-protocol.md).
//!
//! Requests are parsed with the SDK's strict JSON parser (duplicate keys refused, numbers kept
//! as written, nesting bounded), so a sign document reaches the sign-document parser exactly as
//! the client sent it.

use serde_json::{Value, json};

use crate::keystore::{MAX_LOCKED_PASSWORD, Password};
use crate::secmem::SecretBytes;
use crate::tx::json::{self, JsonValue};

/// The protocol version this SDK speaks (the `v` member of every request and answer).
pub const PROTOCOL_VERSION: u64 = 1;
/// Longest request line accepted, in bytes (newline excluded); a longer one is answered with
/// [`ErrorCode::TooLong`] and the connection is closed.
pub const MAX_LINE: usize = 1 << 20;

/// Why a request failed, as the `error.code` string of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The line is not a JSON request object.
    Parse,
    /// A `v` other than [`PROTOCOL_VERSION`].
    Version,
    /// A method the agent does not have.
    Method,
    /// Missing or malformed parameters.
    Params,
    /// No unlocked key matches (unlock it first).
    NotUnlocked,
    /// The policy refused the request (`error.rule` names the rule).
    Refused,
    /// Unlocking failed (wrong password, no such entry, unreadable entry).
    Unlock,
    /// The request line is longer than [`MAX_LINE`].
    TooLong,
    /// Too many clients are connected.
    Busy,
    /// The connecting user is not the agent's user.
    Forbidden,
    /// The agent failed (a bug or an I/O error).
    Internal,
}

impl ErrorCode {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Parse => "parse_error",
            Self::Version => "unsupported_version",
            Self::Method => "unknown_method",
            Self::Params => "invalid_params",
            Self::NotUnlocked => "not_unlocked",
            Self::Refused => "refused",
            Self::Unlock => "unlock_failed",
            Self::TooLong => "too_long",
            Self::Busy => "busy",
            Self::Forbidden => "forbidden",
            Self::Internal => "internal",
        }
    }
}

/// An error answer: code, message, and for policy refusals the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    /// The kind.
    pub code: ErrorCode,
    /// A sentence for the user (never a secret).
    pub message: String,
    /// The policy rule that refused, for [`ErrorCode::Refused`].
    pub rule: Option<String>,
}

impl WireError {
    /// An error without a rule.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            rule: None,
        }
    }

    /// Invalid parameters.
    pub fn params(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Params, message)
    }
}

/// A parsed request: its id (echoed), method and params (an empty object when absent).
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) id: Value,
    pub(crate) method: String,
    pub(crate) params: JsonValue,
}

/// Parses one request line; on failure, the error and whatever id could be read.
pub(crate) fn parse_request(line: &str) -> Result<Request, (Value, WireError)> {
    let v = json::parse(line).map_err(|e| {
        (
            Value::Null,
            WireError::new(ErrorCode::Parse, format!("the request is not JSON: {e}")),
        )
    })?;
    let JsonValue::Object(members) = v else {
        return Err((
            Value::Null,
            WireError::new(ErrorCode::Parse, "the request must be a JSON object"),
        ));
    };
    let mut id = Value::Null;
    let mut version = None;
    let mut method = None;
    let mut params = JsonValue::Object(Vec::new());
    let mut unknown = None;
    for (k, v) in members {
        match k.as_str() {
            "id" => id = to_serde(&v),
            "v" => version = Some(v),
            "method" => method = Some(v),
            "params" => params = v,
            _ => unknown = Some(k),
        }
    }
    let fail = |id: &Value, code, msg: String| Err((id.clone(), WireError::new(code, msg)));
    if let Some(k) = unknown {
        return fail(
            &id,
            ErrorCode::Parse,
            format!("unexpected request member {k:?}; a request has v, id, method and params"),
        );
    }
    match version {
        Some(JsonValue::Number(n)) if n == "1" => {}
        Some(JsonValue::Number(n)) => {
            return fail(
                &id,
                ErrorCode::Version,
                format!("protocol version {n} is not supported; this agent speaks version 1"),
            );
        }
        _ => {
            return fail(
                &id,
                ErrorCode::Version,
                "the request has no \"v\":1 (the protocol version)".into(),
            );
        }
    }
    let method = match method {
        Some(JsonValue::String(m)) => m,
        _ => {
            return fail(
                &id,
                ErrorCode::Parse,
                "the request has no \"method\" string".into(),
            );
        }
    };
    Ok(Request { id, method, params })
}

/// Takes the password out of a request line before the line is parsed: the string value of
/// the member `password` of the top-level `params` object is decoded straight into a locked
/// page, and its text in `line` is overwritten with `null` and spaces, so no parser, `String`
/// or `JsonValue` ever holds it. `Ok(None)` when there is no such string member (a line that
/// is not well-formed is left for [`parse_request`] to refuse). A key written with escapes
/// (`"pass\u0077ord"`) is not matched here; `unlock` refuses a password that reaches it as a
/// string for that reason.
pub(crate) fn take_password(line: &mut [u8]) -> Result<Option<Password>, WireError> {
    let Some((start, end)) = password_span(line) else {
        return Ok(None);
    };
    let mut page = SecretBytes::<MAX_LOCKED_PASSWORD>::zeroed();
    let decoded = decode_string(&line[start + 1..end - 1], page.expose_mut());
    line[start..end].fill(b' ');
    line[start..start + 4].copy_from_slice(b"null");
    crate::secmem::scrub_stack();
    let len = decoded?;
    Password::from_locked(page, len)
        .map(Some)
        .ok_or_else(|| WireError::params("the password is not valid UTF-8"))
}

/// Where the string value of `params.password` is in `line` (its quotes included).
fn password_span(line: &[u8]) -> Option<(usize, usize)> {
    let top = skip_ws(line, 0);
    let params = member(line, top, b"params")?;
    let (start, end) = member(line, params.0, b"password")?;
    (line[start] == b'"').then_some((start, end))
}

fn skip_ws(line: &[u8], mut i: usize) -> usize {
    while line.get(i).is_some_and(|b| b" \t\r\n".contains(b)) {
        i += 1;
    }
    i
}

/// The end (after the closing quote) of the string starting at `i` (a quote).
fn string_end(line: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        match *line.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

/// The end of the JSON value starting at `i`.
fn value_end(line: &[u8], i: usize) -> Option<usize> {
    match *line.get(i)? {
        b'"' => string_end(line, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match *line.get(j)? {
                    b'"' => {
                        j = string_end(line, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while line.get(j).is_some_and(|b| !b",}] \t\r\n".contains(b)) {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

/// The span of the value of the first member named exactly `key` (no escapes) of the object
/// at `obj` (its `{`).
fn member(line: &[u8], obj: usize, key: &[u8]) -> Option<(usize, usize)> {
    if line.get(obj) != Some(&b'{') {
        return None;
    }
    let mut i = skip_ws(line, obj + 1);
    loop {
        if line.get(i) != Some(&b'"') {
            return None;
        }
        let key_end = string_end(line, i)?;
        let name = &line[i + 1..key_end - 1];
        i = skip_ws(line, key_end);
        if line.get(i) != Some(&b':') {
            return None;
        }
        let start = skip_ws(line, i + 1);
        let end = value_end(line, start)?;
        if name == key {
            return Some((start, end));
        }
        i = skip_ws(line, end);
        match line.get(i) {
            Some(b',') => i = skip_ws(line, i + 1),
            _ => return None,
        }
    }
}

/// Decodes the inside of a JSON string into `out`; the number of bytes written.
fn decode_string(raw: &[u8], out: &mut [u8]) -> Result<usize, WireError> {
    let too_long = || {
        WireError::params(format!(
            "the password is longer than {MAX_LOCKED_PASSWORD} bytes"
        ))
    };
    let bad = |why: &str| WireError::params(format!("the password string is malformed: {why}"));
    let hex4 = |i: usize| -> Result<u32, WireError> {
        raw.get(i..i + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| bad("a \\u escape without four hex digits"))
    };
    let (mut i, mut n) = (0, 0);
    while i < raw.len() {
        let b = raw[i];
        if b < 0x20 {
            return Err(bad("a control character (escape it)"));
        }
        if b != b'\\' {
            *out.get_mut(n).ok_or_else(too_long)? = b;
            n += 1;
            i += 1;
            continue;
        }
        let e = *raw.get(i + 1).ok_or_else(|| bad("a lone backslash"))?;
        i += 2;
        let simple = match e {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => 0,
            _ => return Err(bad("an unknown escape")),
        };
        if e != b'u' {
            *out.get_mut(n).ok_or_else(too_long)? = simple;
            n += 1;
            continue;
        }
        let mut cp = hex4(i)?;
        i += 4;
        if (0xd800..0xdc00).contains(&cp) {
            if raw.get(i..i + 2) != Some(b"\\u") {
                return Err(bad("a lone surrogate"));
            }
            let lo = hex4(i + 2)?;
            if !(0xdc00..0xe000).contains(&lo) {
                return Err(bad("a lone surrogate"));
            }
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            i += 6;
        }
        let c = char::from_u32(cp).ok_or_else(|| bad("a lone surrogate"))?;
        let w = c.len_utf8();
        let dst = out.get_mut(n..n + w).ok_or_else(too_long)?;
        c.encode_utf8(dst);
        n += w;
    }
    Ok(n)
}

/// A parsed JSON value as a serde_json value (numbers re-read from their text).
pub(crate) fn to_serde(v: &JsonValue) -> Value {
    match v {
        JsonValue::Null => Value::Null,
        JsonValue::Bool(b) => Value::Bool(*b),
        JsonValue::Number(n) => serde_json::from_str(n).unwrap_or(Value::Null),
        JsonValue::String(s) => Value::String(s.clone()),
        JsonValue::Array(a) => Value::Array(a.iter().map(to_serde).collect()),
        JsonValue::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), to_serde(v)))
                .collect::<serde_json::Map<_, _>>(),
        ),
    }
}

/// A successful answer line (no trailing newline).
pub(crate) fn ok_line(id: &Value, result: Value) -> String {
    json!({"v": PROTOCOL_VERSION, "id": id, "result": result}).to_string()
}

/// An error answer line (no trailing newline).
pub(crate) fn err_line(id: &Value, e: &WireError) -> String {
    let mut err = json!({"code": e.code.as_str(), "message": e.message});
    if let Some(r) = &e.rule {
        err["rule"] = Value::String(r.clone());
    }
    json!({"v": PROTOCOL_VERSION, "id": id, "error": err}).to_string()
}

/// Typed access to a params object.
pub(crate) struct Params<'a> {
    members: &'a mut Vec<(String, JsonValue)>,
}

impl<'a> Params<'a> {
    /// The params as an object; `allowed` lists the members it may have.
    pub(crate) fn new(v: &'a mut JsonValue, allowed: &[&str]) -> Result<Self, WireError> {
        let JsonValue::Object(members) = v else {
            return Err(WireError::params("params must be a JSON object"));
        };
        if let Some((k, _)) = members.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
            return Err(WireError::params(format!(
                "unexpected parameter {k:?}; this method takes {}",
                if allowed.is_empty() {
                    "none".to_string()
                } else {
                    allowed.join(", ")
                }
            )));
        }
        Ok(Self { members })
    }

    fn get(&self, key: &str) -> Option<&JsonValue> {
        self.members.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// An optional string member.
    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<&str>, WireError> {
        match self.get(key) {
            None | Some(JsonValue::Null) => Ok(None),
            Some(JsonValue::String(s)) => Ok(Some(s)),
            Some(_) => Err(WireError::params(format!("{key} must be a string"))),
        }
    }

    /// A required string member.
    pub(crate) fn str(&self, key: &str) -> Result<&str, WireError> {
        self.opt_str(key)?
            .ok_or_else(|| WireError::params(format!("the parameter {key} is missing")))
    }

    /// An optional non-negative integer member.
    pub(crate) fn opt_u64(&self, key: &str) -> Result<Option<u64>, WireError> {
        match self.get(key) {
            None | Some(JsonValue::Null) => Ok(None),
            Some(JsonValue::Number(n)) => n.parse::<u64>().map(Some).map_err(|_| {
                WireError::params(format!("{key} must be a non-negative integer, not {n}"))
            }),
            Some(_) => Err(WireError::params(format!(
                "{key} must be a non-negative integer"
            ))),
        }
    }

    /// Takes a string member out (for the password: the caller wipes it).
    pub(crate) fn take_str(&mut self, key: &str) -> Result<String, WireError> {
        let v = self
            .members
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .ok_or_else(|| WireError::params(format!("the parameter {key} is missing")))?;
        match v {
            JsonValue::String(s) => Ok(std::mem::take(s)),
            _ => Err(WireError::params(format!("{key} must be a string"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_need_version_one_and_a_method() {
        let r = parse_request(r#"{"v":1,"id":7,"method":"status"}"#).unwrap();
        assert_eq!((r.id, r.method.as_str()), (json!(7), "status"));
        let (id, e) = parse_request(r#"{"v":2,"id":"a","method":"status"}"#).unwrap_err();
        assert_eq!((id, e.code), (json!("a"), ErrorCode::Version));
        let (_, e) = parse_request(r#"{"id":1,"method":"status"}"#).unwrap_err();
        assert_eq!(e.code, ErrorCode::Version);
        let (_, e) = parse_request("{\"v\":1,\"v\":1,\"method\":\"x\"}").unwrap_err();
        assert_eq!(e.code, ErrorCode::Parse);
        let (_, e) = parse_request("[1]").unwrap_err();
        assert_eq!(e.code, ErrorCode::Parse);
        let (_, e) = parse_request(r#"{"v":1,"id":1,"method":"x","extra":0}"#).unwrap_err();
        assert_eq!(
            e.message,
            "unexpected request member \"extra\"; a request has v, id, method and params"
        );
    }

    #[test]
    fn the_password_is_taken_out_of_the_line_before_parsing() {
        let take = |line: &str| {
            let mut b = line.as_bytes().to_vec();
            let p = take_password(&mut b).map(|p| p.map(|p| p.as_bytes().to_vec()));
            (p, String::from_utf8(b).unwrap())
        };
        let line = r#"{"v":1,"id":1,"method":"unlock","params":{"name":"a","password":"pw \"q\" \\ \u00e9\ud83d\ude00\n\/","ttl_secs":5}}"#;
        let (p, rest) = take(line);
        assert_eq!(p.unwrap().unwrap(), "pw \"q\" \\ é😀\n/".as_bytes());
        let blank = line.find("\"pw").unwrap();
        let mut expected = line.to_string();
        let raw_len = r#""pw \"q\" \\ \u00e9\ud83d\ude00\n\/""#.len();
        expected.replace_range(
            blank..blank + raw_len,
            &format!("null{}", " ".repeat(raw_len - 4)),
        );
        assert_eq!(rest, expected);
        let r = parse_request(&rest).unwrap();
        assert_eq!(r.method, "unlock");
        // Whitespace, members before params with nested values, raw UTF-8.
        let (p, _) = take(
            r#" { "id" : [1,{"x":"}"}] , "params" : { "a" : {"password":"no"} , "password" : "ä" } }"#,
        );
        assert_eq!(p.unwrap().unwrap(), "ä".as_bytes());
        // Only params.password, and only a string: anything else is left as it is.
        for line in [
            r#"{"v":1,"method":"status","password":"x"}"#,
            r#"{"v":1,"params":{"password":1}}"#,
            r#"{"v":1,"params":{"pass\u0077ord":"x"}}"#,
            r#"{"v":1,"params":["password","x"]}"#,
            r#"{"v":1,"params":{"password":"x"#,
            "",
        ] {
            let (p, rest) = take(line);
            assert!(matches!(p, Ok(None)), "{line}");
            assert_eq!(rest, line);
        }
        for (line, why) in [
            (
                r#"{"params":{"password":"\ud800"}}"#,
                "the password string is malformed: a lone surrogate",
            ),
            (
                r#"{"params":{"password":"\x"}}"#,
                "the password string is malformed: an unknown escape",
            ),
        ] {
            let (p, rest) = take(line);
            assert_eq!(p.unwrap_err().message, why);
            assert!(rest.contains("\"password\":null"), "{rest}");
        }
        let long = format!(r#"{{"params":{{"password":"{}"}}}}"#, "a".repeat(4097));
        assert_eq!(
            take(&long).0.unwrap_err().message,
            "the password is longer than 4096 bytes"
        );
    }

    #[test]
    fn answers_carry_version_id_and_rule() {
        let mut e = WireError::new(ErrorCode::Refused, "no");
        e.rule = Some("orders.symbols".into());
        assert_eq!(
            err_line(&json!(3), &e),
            r#"{"error":{"code":"refused","message":"no","rule":"orders.symbols"},"id":3,"v":1}"#
        );
        assert_eq!(
            ok_line(&json!("x"), json!({"a": 1})),
            r#"{"id":"x","result":{"a":1},"v":1}"#
        );
    }
}
