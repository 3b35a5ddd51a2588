//! `dexlink vectors run PATH...`

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::{CliError, CliResult, Global};
use crate::output::print_json;

#[derive(Debug, Subcommand)]
pub enum VectorsCmd {
    /// Check vector files (or every *.json under directories) and report `N passed, N failed`.
    ///
    /// Example: dexlink vectors run test-vectors/
    Run {
        /// Files or directories of vector files.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
}

pub fn run(global: &Global, cmd: VectorsCmd) -> CliResult {
    match cmd {
        VectorsCmd::Run { paths } => {
            let report =
                dexlink_vectors::run_paths(&paths).map_err(|e| CliError::usage(format!("{e}")))?;
            if global.json {
                print_json(&report.to_json());
            } else {
                print!("{}", report.render_text());
            }
            Ok(if report.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
