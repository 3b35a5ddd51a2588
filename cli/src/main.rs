//! `dexlink`: the command line for the dexlink SDK. Thin: the logic lives in the `dexlink` crate.

mod cmd;
mod kdf_cost;
mod keyring;
mod output;
mod profile;
mod secrets;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    secrets::harden_process();
    let cli = cmd::Cli::parse();
    match cmd::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(e.exit_code())
        }
    }
}
