//! `dexlink`: the command line for the dexlink SDK. Thin: the logic lives in the `dexlink` crate.

mod cmd;
mod keyring;
mod output;
mod profile;
mod secrets;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    secrets::harden_process();
    let cli = cmd::Cli::parse();
    output::quiet_closed_output();
    // A closed stdout (`dexlink … | head -c1`) makes the print macros panic with EPIPE, SIGPIPE
    // being ignored; that panic unwinds here (erasing secrets on the way) and ends the process
    // as an ordinary failure, without a panic message.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cmd::run(cli))) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(e.exit_code())
        }
        Err(payload) if output::is_closed_output(&*payload) => ExitCode::from(1),
        Err(payload) => std::panic::resume_unwind(payload),
    }
}
