//! `dexlink man`: manual pages (roff, section 1) for the command and every subcommand, made
//! from the same clap definitions as `--help`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::{CliError, CliResult, Global};
use crate::output::print_json;

/// Print or write manual pages (man(1) format).
///
/// Without --out, prints the page of COMMAND (the top-level page when none is named) on stdout.
/// With --out DIR, writes one page per command and subcommand into DIR (dexlink.1,
/// dexlink-keys.1, dexlink-keys-new.1, ...) and lists the files written.
///
/// Example: dexlink man --out ~/.local/share/man/man1
///
/// Example: dexlink man keys new | man -l -
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write every page into this directory (created if missing) instead of printing one.
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    out: Option<PathBuf>,
    /// The command whose page to print, e.g. `keys new` (default: dexlink itself).
    #[arg(value_name = "COMMAND")]
    command: Vec<String>,
}

/// The command tree with the subcommands' full names (`dexlink-keys-new`) set, as man pages
/// are named; clap's own `help` subcommands are left out.
fn tree() -> clap::Command {
    let mut cmd = super::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// Renders one page into memory (a closed stdout must end quietly, see `main`).
fn render(cmd: &clap::Command) -> Result<Vec<u8>, CliError> {
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut page)
        .map_err(CliError::io("cannot render the manual page"))?;
    Ok(page)
}

/// The file name of a command's page: `dexlink-keys-new.1`.
fn file_name(cmd: &clap::Command) -> String {
    format!("{}.1", cmd.get_display_name().unwrap_or(cmd.get_name()))
}

/// Every visible command, parents before their subcommands.
fn all(cmd: &clap::Command, out: &mut Vec<clap::Command>) {
    out.push(cmd.clone());
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        all(sub, out);
    }
}

fn write_all(dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    std::fs::create_dir_all(dir).map_err(CliError::io(format!(
        "cannot create the directory {}",
        dir.display()
    )))?;
    let mut cmds = Vec::new();
    all(&tree(), &mut cmds);
    let mut written = Vec::with_capacity(cmds.len());
    for cmd in &cmds {
        let path = dir.join(file_name(cmd));
        std::fs::write(&path, render(cmd)?)
            .map_err(CliError::io(format!("cannot write {}", path.display())))?;
        written.push(path);
    }
    Ok(written)
}

pub fn run(global: &Global, a: ManArgs) -> CliResult {
    if let Some(dir) = &a.out {
        let written = write_all(dir)?;
        if global.json {
            let files: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
            print_json(&json!({"directory": dir.display().to_string(), "files": files}));
        } else if global.quiet {
            println!("{}", dir.display());
        } else {
            for p in &written {
                println!("{}", p.display());
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut cmd = tree();
    for (i, name) in a.command.iter().enumerate() {
        cmd = cmd
            .find_subcommand(name)
            .filter(|s| !s.is_hide_set())
            .cloned()
            .ok_or_else(|| {
                CliError::usage(format!(
                    "no command `dexlink {}`; see `dexlink --help` for the list",
                    a.command[..=i].join(" ")
                ))
            })?;
    }
    let page = render(&cmd)?;
    if global.json {
        print_json(&json!({
            "command": cmd.get_display_name().unwrap_or(cmd.get_name()),
            "page": String::from_utf8_lossy(&page),
        }));
    } else {
        print!("{}", String::from_utf8_lossy(&page));
    }
    Ok(ExitCode::SUCCESS)
}
