//! Exact decimal amounts: [`Fixed8`], an `i64` count of 10^-8 units, as the chain stores every
//! amount, price and quantity (docs/orders-and-amounts.md §1).
//!
//! Parsing is exact decimal arithmetic on the digits; no floating point is involved anywhere.
//! A `Fixed8` is never negative: no wallet operation needs negative amounts, and refusing them
//! at the type keeps every message constructor simpler.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// Why an amount was refused. Every variant names the offending text.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum AmountError {
    /// Not a plain decimal number (`12`, `0.5`, `250.12345678`).
    #[error(
        "amount {0:?} is not a plain decimal number: write digits with an optional '.' and up to 8 decimals, e.g. 12 or 0.00000001"
    )]
    NotDecimal(String),
    /// More than 8 digits after the point.
    #[error("amount {0:?} has more than 8 decimals; Binance Chain amounts have at most 8")]
    TooManyDecimals(String),
    /// Negative value.
    #[error("amount {0:?} is negative; amounts must be positive")]
    Negative(String),
    /// Zero where the chain requires a positive value.
    #[error("amount {0:?} is zero; the chain requires a positive amount")]
    Zero(String),
    /// At or above 2^63 units (92233720368.54775807 is the largest amount).
    #[error("amount {0:?} is too large: at most 92233720368.54775807 (2^63-1 units of 10^-8)")]
    Overflow(String),
}

/// A non-negative decimal amount with 8 fractional digits, stored as `value × 10^8` in an `i64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Fixed8(i64);

impl Fixed8 {
    /// Units per whole coin: 10^8.
    pub const SCALE: i64 = 100_000_000;
    /// Zero.
    pub const ZERO: Self = Self(0);
    /// One whole unit (10^8).
    pub const ONE: Self = Self(Self::SCALE);
    /// The largest amount, 2^63 − 1 units.
    pub const MAX: Self = Self(i64::MAX);

    /// An amount from its count of 10^-8 units. Negative counts are refused.
    pub fn from_units(units: i64) -> Result<Self, AmountError> {
        if units < 0 {
            return Err(AmountError::Negative(units.to_string()));
        }
        Ok(Self(units))
    }

    /// A positive amount from its count of 10^-8 units (zero and negative are refused).
    pub fn positive_from_units(units: i64) -> Result<Self, AmountError> {
        let a = Self::from_units(units)?;
        if a.is_zero() {
            return Err(AmountError::Zero(units.to_string()));
        }
        Ok(a)
    }

    /// The count of 10^-8 units.
    pub fn units(self) -> i64 {
        self.0
    }

    /// Whether the amount is zero.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Parses a non-negative decimal: ASCII digits, optionally `.` and 1–8 more digits.
    /// Signs, exponents, separators, whitespace and a bare `.5` or `5.` are refused.
    pub fn parse(text: &str) -> Result<Self, AmountError> {
        let not_decimal = || AmountError::NotDecimal(text.into());
        if let Some(rest) = text.strip_prefix('-') {
            if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                return Err(AmountError::Negative(text.into()));
            }
            return Err(not_decimal());
        }
        let overflow = || AmountError::Overflow(text.into());
        let units = parse_units8(text).map_err(|e| match e {
            DecimalError::Syntax => not_decimal(),
            DecimalError::Precision => AmountError::TooManyDecimals(text.into()),
            DecimalError::Overflow => overflow(),
        })?;
        // The chain stores amounts as int64: the upper half of the u64 range is refused too.
        let units = i64::try_from(units).map_err(|_| overflow())?;
        Ok(Self(units))
    }

    /// Parses like [`Fixed8::parse`] and also refuses zero, as prices, quantities and
    /// transfer amounts must be positive.
    pub fn parse_positive(text: &str) -> Result<Self, AmountError> {
        let a = Self::parse(text)?;
        if a.is_zero() {
            return Err(AmountError::Zero(text.into()));
        }
        Ok(a)
    }

    /// Sum, or `None` on overflow.
    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }

    /// Whether the amount is a whole multiple of `step` (a market's tick or lot size).
    /// A zero step divides nothing.
    pub fn is_multiple_of(self, step: Self) -> bool {
        step.0 != 0 && self.0 % step.0 == 0
    }

    /// The form the DEX API uses: always 8 decimals (`1.50000000`).
    pub fn to_fixed8_string(self) -> String {
        format!("{}.{:08}", self.0 / Self::SCALE, self.0 % Self::SCALE)
    }
}

/// Why [`parse_units8`] refused a decimal; each caller names it in its own error type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecimalError {
    /// Not ASCII digits with an optional `.` and more digits (both sides non-empty).
    Syntax,
    /// More than 8 digits after the point.
    Precision,
    /// Above `u64::MAX` units.
    Overflow,
}

/// The count of 10^-8 units in a plain decimal, exactly: ASCII digits, optionally `.` and 1–8
/// more digits. Signs, exponents, separators, whitespace and a bare `.5` or `5.` are refused.
/// Shared by [`Fixed8`] (which also caps at `i64::MAX`) and BEP-333's `RecoverAmount` (u64),
/// whose decimal rules are the same.
pub(crate) fn parse_units8(text: &str) -> Result<u64, DecimalError> {
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
        return Err(DecimalError::Syntax);
    }
    let frac = frac.unwrap_or("");
    if frac.len() > 8 {
        return Err(DecimalError::Precision);
    }
    let mut units: u64 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        units = units
            .checked_mul(10)
            .and_then(|u| u.checked_add(u64::from(b - b'0')))
            .ok_or(DecimalError::Overflow)?;
    }
    for _ in frac.len()..8 {
        units = units.checked_mul(10).ok_or(DecimalError::Overflow)?;
    }
    Ok(units)
}

impl fmt::Display for Fixed8 {
    /// The shortest exact decimal: `12`, `1.5`, `0.00000001`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let int = self.0 / Self::SCALE;
        let frac = self.0 % Self::SCALE;
        if frac == 0 {
            return write!(f, "{int}");
        }
        let digits = format!("{frac:08}");
        write!(f, "{int}.{}", digits.trim_end_matches('0'))
    }
}

impl FromStr for Fixed8 {
    type Err = AmountError;
    /// Same as [`Fixed8::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exact_decimals() {
        assert_eq!(Fixed8::parse("1").unwrap().units(), 100_000_000);
        assert_eq!(Fixed8::parse("0.00000001").unwrap().units(), 1);
        assert_eq!(
            Fixed8::parse("250.12345678").unwrap().units(),
            25_012_345_678
        );
        // docs/upstream-vectors.md §5 V26: price 0.000396 → 39600.
        assert_eq!(Fixed8::parse("0.000396").unwrap().units(), 39_600);
        assert_eq!(Fixed8::parse("92233720368.54775807").unwrap(), Fixed8::MAX);
        assert_eq!(Fixed8::parse("0").unwrap(), Fixed8::ZERO);
    }

    #[test]
    fn refuses_bad_amounts_naming_the_value() {
        let e = Fixed8::parse("1.123456789").unwrap_err();
        assert_eq!(e, AmountError::TooManyDecimals("1.123456789".into()));
        assert!(e.to_string().contains("1.123456789"));
        assert_eq!(
            Fixed8::parse("92233720368.54775808").unwrap_err(),
            AmountError::Overflow("92233720368.54775808".into())
        );
        assert_eq!(
            Fixed8::parse("100000000000").unwrap_err(),
            AmountError::Overflow("100000000000".into())
        );
        assert_eq!(
            Fixed8::parse("-1").unwrap_err(),
            AmountError::Negative("-1".into())
        );
        assert_eq!(
            Fixed8::parse_positive("0.0").unwrap_err(),
            AmountError::Zero("0.0".into())
        );
        for bad in [
            "", ".5", "5.", "1e8", "+1", " 1", "1 ", "1,5", "0x10", "1.2.3", "--1", "-",
        ] {
            assert_eq!(
                Fixed8::parse(bad).unwrap_err(),
                AmountError::NotDecimal(bad.into()),
                "{bad}"
            );
        }
        assert_eq!(
            Fixed8::from_units(-5).unwrap_err(),
            AmountError::Negative("-5".into())
        );
        assert_eq!(
            Fixed8::positive_from_units(0).unwrap_err(),
            AmountError::Zero("0".into())
        );
    }

    #[test]
    fn displays_back_as_decimals() {
        for s in [
            "1",
            "0.00000001",
            "250.12345678",
            "1.5",
            "0",
            "92233720368.54775807",
        ] {
            assert_eq!(Fixed8::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(Fixed8::parse("1.50").unwrap().to_string(), "1.5");
        assert_eq!(
            Fixed8::parse("1.5").unwrap().to_fixed8_string(),
            "1.50000000"
        );
    }

    #[test]
    fn multiples() {
        let tick = Fixed8::parse("0.001").unwrap();
        assert!(Fixed8::parse("1.234").unwrap().is_multiple_of(tick));
        assert!(!Fixed8::parse("1.2345").unwrap().is_multiple_of(tick));
        assert!(!Fixed8::ONE.is_multiple_of(Fixed8::ZERO));
    }
}
