//! Backoff for idempotent requests: exponential with full jitter, and `Retry-After` honoured.

use std::time::Duration;

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff step.
    pub base: Duration,
    /// Largest single wait.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 4,
            base: Duration::from_millis(250),
            cap: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The wait before retry number `attempt` (0-based): uniform in [0, min(cap, base·2^attempt)],
    /// or the server's `Retry-After` when it gave one (capped too, so a hostile server cannot park us).
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(ra) = retry_after {
            return ra.min(self.cap);
        }
        let ceiling = self
            .base
            .saturating_mul(1u32.checked_shl(attempt.min(20)).unwrap_or(u32::MAX))
            .min(self.cap);
        let mut b = [0u8; 8];
        // Jitter only; a failed RNG read falls back to the full step, which is still correct.
        if getrandom::fill(&mut b).is_err() {
            return ceiling;
        }
        let frac = u64::from_le_bytes(b) as f64 / u64::MAX as f64;
        ceiling.mul_f64(frac)
    }
}

/// Parses a `Retry-After` header given in seconds (HTTP dates are treated as absent).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_stay_within_the_ceiling() {
        let p = RetryPolicy::default();
        for attempt in 0..30 {
            let d = p.delay(attempt, None);
            let ceiling = (p.base * 2u32.saturating_pow(attempt.min(20))).min(p.cap);
            assert!(d <= ceiling, "attempt {attempt}: {d:?} > {ceiling:?}");
        }
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(p.delay(0, Some(Duration::from_secs(3600))), p.cap);
    }

    #[test]
    fn retry_after_seconds_only() {
        assert_eq!(parse_retry_after(" 2 "), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }
}
