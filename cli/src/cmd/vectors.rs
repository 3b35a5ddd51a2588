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
        /// Files or directories of vector files, or - for one file on stdin.
        #[arg(required = true, value_name = "PATH|-")]
        paths: Vec<PathBuf>,
    },
}

pub fn run(global: &Global, cmd: VectorsCmd) -> CliResult {
    match cmd {
        VectorsCmd::Run { paths } => {
            let report = if paths.iter().any(|p| crate::secrets::is_stdin(p)) {
                if paths.len() > 1 {
                    return Err(CliError::usage(
                        "- (a vector file on stdin) cannot be mixed with paths; give it alone",
                    ));
                }
                let text =
                    crate::secrets::read_text_input(&paths[0], dexlink_vectors::VECTOR_FILE)?;
                let file = dexlink_vectors::run_str("stdin", &text)
                    .map_err(|e| CliError::usage(format!("{e}")))?;
                dexlink_vectors::Report { files: vec![file] }
            } else {
                dexlink_vectors::run_paths(&paths).map_err(|e| CliError::usage(format!("{e}")))?
            };
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
