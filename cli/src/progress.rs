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
    if shown(std::io::stderr().is_terminal(), global.quiet) {
        eprintln!("{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn progress_only_on_a_terminal_and_not_quiet() {
        assert!(shown(true, false));
        assert!(!shown(false, false));
        assert!(!shown(true, true));
        assert!(!shown(false, true));
    }
}
