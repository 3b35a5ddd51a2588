//! Text fields of a transaction: the memo and token / pair symbols.
//!
//! Both end up inside the sign document. Symbols refuse control characters outright. Memos accept
//! every character the node accepts except backspace (0x08) and form feed (0x0C): Go changed how
//! it escapes those two in 1.22 (see `tx::json`), so their sign bytes depend on the toolchain a
//! node was built with. Every other control is escaped identically by all Go versions (and by the
//! official SDKs), and confirmation prompts show memos escaped, so nothing is invisible.

use std::fmt;

use super::TxError;

/// Longest memo the node accepts, in bytes (node `common/tx/ante.go` `maxMemoCharacters`).
pub const MAX_MEMO_BYTES: usize = 128;

/// Longest symbol accepted here. Real symbols are far shorter (`BTCB-1DE`, `NNB-338_BNB`);
/// the bound only keeps absurd input out.
const MAX_SYMBOL_BYTES: usize = 64;

/// A transaction memo: at most 128 bytes of UTF-8, without backspace or form feed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Memo(String);

impl Memo {
    /// The empty memo.
    pub fn empty() -> Self {
        Self(String::new())
    }

    /// Validates a memo.
    pub fn new(text: &str) -> Result<Self, TxError> {
        if text.len() > MAX_MEMO_BYTES {
            return Err(TxError::MemoTooLong(text.len()));
        }
        if let Some((at, c)) = text
            .char_indices()
            .find(|(_, c)| matches!(c, '\u{8}' | '\u{c}'))
        {
            return Err(TxError::MemoControl { code: c as u32, at });
        }
        Ok(Self(text.into()))
    }

    /// The memo text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the memo is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Memo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What kind of symbol a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SymbolKind {
    /// A token (`BNB`, `NNB-338`, `BTC.B-918`, `ABC-000M`).
    Token,
    /// A trading pair `BASE_QUOTE`.
    Pair,
}

/// Checks a token or pair symbol: ASCII letters, digits, `.` and `-`; a pair is two tokens
/// joined by one `_`.
pub(crate) fn check_symbol(what: &'static str, s: &str, kind: SymbolKind) -> Result<(), TxError> {
    let token_ok = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    };
    let ok = s.len() <= MAX_SYMBOL_BYTES
        && match kind {
            SymbolKind::Token => token_ok(s),
            SymbolKind::Pair => s
                .split_once('_')
                .is_some_and(|(b, q)| token_ok(b) && token_ok(q)),
        };
    if ok {
        Ok(())
    } else {
        Err(TxError::Symbol {
            what,
            value: s.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memo_rules() {
        assert!(Memo::new(&"x".repeat(128)).is_ok());
        assert_eq!(Memo::new(&"x".repeat(129)), Err(TxError::MemoTooLong(129)));
        assert_eq!(
            Memo::new("a\u{8}b"),
            Err(TxError::MemoControl { code: 8, at: 1 })
        );
        assert!(Memo::new("a\u{c}b").is_err());
        // Written the same way by every Go version and by the official SDKs.
        assert!(Memo::new("a\nb\r\tc\u{1}\u{1f}").is_ok());
        assert!(Memo::new("a\u{7f}").is_ok());
        assert!(Memo::new("a<b>&c \u{2028} é").is_ok());
    }

    #[test]
    fn symbols() {
        for ok in ["BNB", "NNB-338", "BTC.B-918", "ABC-000M"] {
            assert!(check_symbol("s", ok, SymbolKind::Token).is_ok(), "{ok}");
        }
        for ok in ["NNB-338_BNB", "BNB_BTCB-1DE", "BCHSV.B-10F_BNB"] {
            assert!(check_symbol("s", ok, SymbolKind::Pair).is_ok(), "{ok}");
        }
        for bad in ["", "BNB_", "_BNB", "A_B_C", "BN B", "BNB\"", "BNB\n"] {
            assert!(check_symbol("s", bad, SymbolKind::Pair).is_err(), "{bad}");
        }
        assert!(check_symbol("s", "NNB_BNB", SymbolKind::Token).is_err());
    }
}
