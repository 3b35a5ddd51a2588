//! `dexlink`: the command line for the dexlink SDK. Thin: the logic lives in the `dexlink` crate.

mod argv;
mod cmd;
mod error;
mod kdf_cost;
mod keyring;
mod output;
mod profile;
mod progress;
mod secrets;

use std::process::ExitCode;

use clap::FromArgMatches;
use clap::error::ErrorKind;

fn main() -> ExitCode {
    secrets::harden_process();
    let parsed = cmd::command()
        .try_get_matches()
        .and_then(|m| cmd::Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => parse_error(e),
    };
    output::quiet_closed_output();
    let json = cli.global.json;
    // A closed stdout (`dexlink … | head -c1`) makes the print macros panic with EPIPE, SIGPIPE
    // being ignored; that panic unwinds here (erasing secrets on the way) and ends the process
    // as an ordinary failure, without a panic message.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cmd::run(cli, &matches)));
    // Commands that created keys without unlocking any (keys new, import) warn here.
    secrets::warn_if_memory_unlocked();
    match result {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            // With --json the error is also on stdout, for the script; stderr keeps the line
            // for the person or the log.
            if json {
                output::print_error_json(e.kind(), &format!("{e:#}"));
            }
            eprintln!("error: {e:#}");
            ExitCode::from(e.exit_code())
        }
        Err(payload) if output::is_closed_output(&*payload) => ExitCode::from(1),
        Err(payload) => std::panic::resume_unwind(payload),
    }
}

/// Prints a parse error (or help, or the version) and exits, hiding any secret the user typed
/// as an argument (see [`argv`]).
fn parse_error(e: clap::Error) -> ! {
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit();
    }
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let text = argv::redact(&e.render().to_string(), &argv::secret_args(&args));
    // `--json` is honoured even when the rest of the line did not parse (options end at `--`).
    let json = args
        .iter()
        .skip(1)
        .take_while(|a| *a != "--")
        .any(|a| a == "--json");
    if json {
        let message = text
            .trim_end()
            .strip_prefix("error: ")
            .unwrap_or(text.trim_end());
        output::print_error_json("usage", message);
    }
    eprint!("{text}");
    std::process::exit(e.exit_code());
}
