//! RFC 3339 UTC timestamps with whole seconds (`2026-11-26T21:00:00Z`), as link messages carry.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use thiserror::Error;

/// A timestamp that is not `YYYY-MM-DDTHH:MM:SSZ`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("timestamp {0:?} is not RFC 3339 UTC with whole seconds, like 2026-11-26T21:00:00Z")]
pub struct TimestampError(pub String);

/// Seconds since the Unix epoch, shown and parsed as RFC 3339 UTC (`Z`, whole seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// From Unix seconds.
    pub fn from_unix(secs: i64) -> Self {
        Self(secs)
    }
    /// The current time, truncated to whole seconds.
    pub fn now() -> Self {
        let d = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("the clock is after 1970");
        Self(d.as_secs() as i64)
    }
    /// Unix seconds.
    pub fn unix(self) -> i64 {
        self.0
    }
    /// This time plus `secs` seconds.
    pub fn plus(self, secs: i64) -> Self {
        Self(self.0 + secs)
    }

    /// Parses exactly `YYYY-MM-DDTHH:MM:SSZ` (years 1970–9999).
    pub fn parse(s: &str) -> Result<Self, TimestampError> {
        let err = || TimestampError(s.into());
        let b = s.as_bytes();
        if b.len() != 20
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
            || b[19] != b'Z'
        {
            return Err(err());
        }
        let num = |r: std::ops::Range<usize>| -> Result<i64, TimestampError> {
            let part = &s[r];
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return Err(err());
            }
            part.parse().map_err(|_| err())
        };
        let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if y < 1970 || !(1..=12).contains(&mo) || h > 23 || mi > 59 || sec > 59 {
            return Err(err());
        }
        if d < 1 || d > days_in_month(y, mo) {
            return Err(err());
        }
        Ok(Self(
            days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec,
        ))
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        // Unix time of these instants is fixed by definition (POSIX), independent of this code.
        assert_eq!(Timestamp::parse("1970-01-01T00:00:00Z").unwrap().unix(), 0);
        assert_eq!(
            Timestamp::parse("2000-03-01T00:00:00Z").unwrap().unix(),
            951_868_800
        );
        assert_eq!(
            Timestamp::parse("2024-11-19T06:00:00Z").unwrap().unix(),
            1_731_996_000
        );
        assert_eq!(
            Timestamp::from_unix(1_731_996_000).to_string(),
            "2024-11-19T06:00:00Z"
        );
    }

    #[test]
    fn rejects_other_forms() {
        for s in [
            "2026-11-26T21:00:00",
            "2026-11-26T21:00:00.5Z",
            "2026-11-26 21:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-26T24:00:00Z",
            "2026-11-26t21:00:00z",
            "+026-11-26T21:00:00Z",
        ] {
            assert!(Timestamp::parse(s).is_err(), "{s}");
        }
        assert!(Timestamp::parse("2028-02-29T00:00:00Z").is_ok());
    }
}
