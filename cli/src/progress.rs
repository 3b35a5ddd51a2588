//! Progress lines for the slow steps (unlocking a key store entry, broadcasting): on stderr,
//! only when stderr is a terminal, so pipes, logs and scripts see nothing of them.

use std::io::IsTerminal;

use crate::cmd::Global;

/// Whether progress is shown: a person is watching stderr (a terminal) and did not ask for
/// quiet.
pub fn shown(stderr_is_terminal: bool, quiet: bool) -> bool {
    stderr_is_terminal && !quiet
}

/// Prints one progress line on stderr when [`shown`].
pub fn say(global: &Global, line: &str) {
    say_unless_quiet(global.quiet, line);
}

/// [`say`] for code that holds only the `-q` flag (callbacks that outlive `Global`).
pub fn say_unless_quiet(quiet: bool, line: &str) {
    if shown(std::io::stderr().is_terminal(), quiet) {
        eprintln!("{line}");
    }
}

/// The line for a pause before the client retries a request: why, and for how long.
pub fn wait_text(w: dexlink::client::RetryWait) -> String {
    let secs = w.delay.as_secs_f64();
    let why = match w.status {
        Some(503) => "the DEX is unavailable (HTTP 503)".to_string(),
        Some(429) => "rate limited by the DEX (HTTP 429)".to_string(),
        Some(s) => format!("the DEX answered HTTP {s}"),
        None => "no answer from the DEX".to_string(),
    };
    let asked = if w.server_asked { ", as it asks" } else { "" };
    format!("{why}; retrying in {secs:.1} s{asked} …")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use dexlink::client::RetryWait;

    use super::{shown, wait_text};

    fn wait(ms: u64, status: Option<u16>, server_asked: bool) -> RetryWait {
        let mut w = RetryWait::default();
        w.delay = Duration::from_millis(ms);
        w.status = status;
        w.server_asked = server_asked;
        w
    }

    #[test]
    fn wait_lines_say_why_and_how_long() {
        assert_eq!(
            wait_text(wait(4700, Some(503), true)),
            "the DEX is unavailable (HTTP 503); retrying in 4.7 s, as it asks …"
        );
        assert_eq!(
            wait_text(wait(300, Some(429), false)),
            "rate limited by the DEX (HTTP 429); retrying in 0.3 s …"
        );
        assert_eq!(
            wait_text(wait(1000, None, false)),
            "no answer from the DEX; retrying in 1.0 s …"
        );
    }

    #[test]
    fn progress_only_on_a_terminal_and_not_quiet() {
        assert!(shown(true, false));
        assert!(!shown(false, false));
        assert!(!shown(true, true));
        assert!(!shown(false, true));
    }
}
