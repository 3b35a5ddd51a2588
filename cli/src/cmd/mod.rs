//! The clap command tree. Each subcommand lives in its own module; adding one means a variant
//! here and a module beside this file.

mod agent;
mod airgap;
pub mod common;
mod devnet;
mod freeze;
pub mod keys;
mod link;
mod man;
mod market;
mod order;
mod query;
mod quickstart;
mod recover;
mod send;
mod sign;
mod tx;
mod vectors;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

pub use crate::error::CliError;

/// dexlink: keys, addresses, signatures and orders for Binance Chain DEXes, kept on your machine.
#[derive(Debug, Parser)]
#[command(
    name = "dexlink",
    // With the commit when built from git (cli/build.rs).
    version = env!("DEXLINK_VERSION"),
    about,
    long_about = None,
    propagate_version = true,
    after_help = "Examples:\n  dexlink quickstart\n  dexlink keys new alice --network testnet\n  dexlink <COMMAND> --help"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts (the password ones are shown only where a password is read).
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// Key directory (default: $DEXLINK_HOME, else ~/.dexlink).
    // Not `env = "DEXLINK_HOME"`: the SDK reads it, so an empty value counts as unset instead
    // of a clap error about --home.
    #[arg(long, global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Machine output: one JSON document on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Print only what scripts need.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Read key-store passwords from this file (mode 0600; one trailing newline is ignored), or
    /// - for stdin.
    // Hidden from the option lists: the commands that read a password describe it under
    // "Password options" (see `command`), the others never use it.
    #[arg(
        long = "password-file",
        global = true,
        value_name = "FILE",
        hide = true
    )]
    pub password_file: Option<PathBuf>,
    /// Accept new passwords shorter than 8 characters.
    #[arg(long = "allow-weak-password", global = true, hide = true)]
    pub allow_weak_password: bool,
    /// Sign with the key store even when a running agent holds the key.
    #[arg(long = "no-agent", global = true)]
    pub no_agent: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Quickstart(quickstart::QuickstartArgs),
    /// Manage the local key store: create, import, list, show, export, delete, passwd.
    ///
    /// Example: dexlink keys new alice --network testnet
    #[command(subcommand)]
    Keys(keys::KeysCmd),
    /// Sign a message (bnbSign) or a WalletConnect bnb_sign request.
    ///
    /// Example: dexlink sign message alice --message "hello world"
    #[command(subcommand)]
    Sign(sign::SignCmd),
    Link(link::LinkArgs),
    Account(query::AccountArgs),
    Markets(query::MarketsArgs),
    Orders(query::OrdersArgs),
    Book(market::BookArgs),
    Trades(market::TradesArgs),
    Watch(market::WatchArgs),
    /// Place and cancel orders.
    ///
    /// Example: dexlink order place alice --symbol BNB_BUSD-BD1 --side buy --price 300 --quantity 0.5 --dex http://127.0.0.1:41234
    #[command(subcommand)]
    Order(order::OrderCmd),
    Send(send::SendArgs),
    /// Freeze an amount of a token (it stays yours but cannot be traded or sent).
    ///
    /// Example: dexlink freeze alice --asset BNB --amount 1.5 --dex http://127.0.0.1:41234
    Freeze(freeze::FreezeArgs),
    /// Unfreeze an amount of a frozen token.
    ///
    /// Example: dexlink unfreeze alice --asset BNB --amount 1.5 --dex http://127.0.0.1:41234
    Unfreeze(freeze::FreezeArgs),
    /// Decode transactions and look them up.
    ///
    /// Example: dexlink tx decode cc01f0625dee0a4e… --verify --chain-id Binance-Chain-Tigris
    #[command(subcommand)]
    Tx(tx::TxCmd),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    ///
    /// Example: dexlink completions bash > ~/.local/share/bash-completion/completions/dexlink
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    Devnet(devnet::DevnetArgs),
    Man(man::ManArgs),
    /// Sign and verify BEP-333 token recovery requests (recover BEP2/BEP8 tokens on BSC).
    #[command(subcommand, long_about = recover::LONG_ABOUT)]
    Recover(recover::RecoverCmd),
    /// Run test-vector files.
    ///
    /// Example: dexlink vectors run test-vectors/
    #[command(subcommand)]
    Vectors(vectors::VectorsCmd),
    Verify(verify::VerifyArgs),
    /// The signer agent: unlock once, sign without a password, within a policy.
    ///
    /// Example: dexlink agent start && dexlink agent unlock alice --ttl 1h
    #[command(subcommand)]
    Agent(agent::AgentCmd),
}

/// A message given as `--message TEXT`, `--file FILE` or `-` (stdin).
#[derive(Debug, Args)]
pub struct MessageInput {
    /// The message text (- reads it from stdin).
    #[arg(long, conflicts_with_all = ["file", "stdin"])]
    message: Option<String>,
    /// Read the message bytes from a file (- for stdin).
    #[arg(long, conflicts_with = "stdin")]
    file: Option<PathBuf>,
    /// Read the message bytes from stdin.
    #[arg(value_name = "-", value_parser = parse_dash)]
    stdin: Option<bool>,
}

impl MessageInput {
    /// The message bytes.
    pub fn read(&self) -> Result<Vec<u8>, CliError> {
        crate::secrets::read_input(
            self.message.as_deref(),
            self.file.as_deref(),
            self.stdin.unwrap_or(false),
            dexlink::io::MESSAGE,
        )
    }
}

/// Accepts only `-` (read from stdin) for a positional input argument.
pub fn parse_dash(s: &str) -> Result<bool, String> {
    if s == "-" {
        Ok(true)
    } else {
        Err("only '-' (read from stdin) is accepted here".into())
    }
}

pub type CliResult = Result<ExitCode, CliError>;

/// Commands that read an entry's password (`--password-file` is shown on these only).
const READS_PASSWORD: &[&str] = &[
    "keys new",
    "keys import",
    "keys show",
    "keys export",
    "keys passwd",
    "sign message",
    "sign doc",
    "link",
    "order place",
    "order cancel",
    "send",
    "freeze",
    "unfreeze",
    "tx sign",
    "recover sign",
];

/// Commands that set a new password (`--allow-weak-password` is shown on these only).
const SETS_PASSWORD: &[&str] = &["keys new", "keys import", "keys export", "keys passwd"];

/// The help of `--password-file`, shown on the commands that read a password.
const PASSWORD_HELP: &str = "Password options:
      --password-file <FILE>  Read key-store passwords from this file (mode 0600; one trailing
                              newline is ignored), or - for stdin; else $DEXLINK_PASSWORD,
                              else a prompt";

/// The help of `--allow-weak-password`, shown on the commands that set a password.
const WEAK_PASSWORD_HELP: &str =
    "      --allow-weak-password   Accept new passwords shorter than 8 characters";

/// The command tree as the user sees it: the password options listed only on commands that
/// read a password, and each command's `Example:` lines after the options, so `-h` shows them
/// as well as `--help`.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(&name, |sub| polish(sub, &name));
    }
    cmd
}

fn polish(mut cmd: clap::Command, path: &str) -> clap::Command {
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in &names {
        cmd = cmd.mut_subcommand(name, |sub| polish(sub, &format!("{path} {name}")));
    }
    let mut after = Vec::new();
    if READS_PASSWORD.contains(&path) {
        after.push(PASSWORD_HELP.to_string());
        if SETS_PASSWORD.contains(&path) {
            after.push(WEAK_PASSWORD_HELP.to_string());
        }
    }
    if let Some(long) = cmd.get_long_about().map(|s| s.to_string()) {
        let (examples, rest): (Vec<&str>, Vec<&str>) =
            long.lines().partition(|l| l.starts_with("Example"));
        if !examples.is_empty() {
            if !after.is_empty() {
                after.push(String::new());
            }
            after.extend(examples.iter().map(|s| s.to_string()));
            cmd = cmd.long_about(rest.join("\n").trim_end().to_string());
        }
    }
    if !after.is_empty() {
        cmd = cmd.after_help(after.join("\n"));
    }
    cmd
}

/// Runs a parsed command line; `matches` are the ones `cli` was read from (not parsed again).
pub fn run(cli: Cli, matches: &clap::ArgMatches) -> CliResult {
    // `-` is stdin for one input per command, checked before anything is read.
    crate::secrets::check_stdin_use(matches)?;
    match cli.command {
        Command::Quickstart(a) => quickstart::run(&cli.global, a),
        Command::Keys(c) => keys::run(&cli.global, c),
        Command::Sign(c) => sign::run(&cli.global, c),
        Command::Link(a) => link::run(&cli.global, a),
        Command::Order(c) => order::run(&cli.global, c),
        Command::Account(a) => query::account(&cli.global, a),
        Command::Markets(a) => query::markets(&cli.global, a),
        Command::Orders(a) => query::orders(&cli.global, a),
        Command::Book(a) => market::book(&cli.global, a),
        Command::Trades(a) => market::trades(&cli.global, a),
        Command::Watch(a) => market::watch(&cli.global, a),
        Command::Send(a) => send::run(&cli.global, a),
        Command::Freeze(a) => freeze::run(&cli.global, a, false),
        Command::Unfreeze(a) => freeze::run(&cli.global, a, true),
        Command::Tx(c) => tx::run(&cli.global, c),
        Command::Devnet(a) => devnet::run(&cli.global, a),
        Command::Man(a) => man::run(&cli.global, a),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            // Generated into memory, then printed: clap_complete panics with its own message
            // on a write error, while a closed stdout must end quietly (see `main`).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "dexlink", &mut script);
            let script = String::from_utf8_lossy(&script);
            if cli.global.json {
                crate::output::print_json(&serde_json::json!({
                    "shell": shell.to_string(),
                    "script": script,
                }));
            } else {
                print!("{script}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Recover(c) => recover::run(&cli.global, c),
        Command::Vectors(c) => vectors::run(&cli.global, c),
        Command::Verify(a) => verify::run(&cli.global, a),
        Command::Agent(c) => agent::run(&cli.global, c),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    use crate::argv::SECRET_WORDS;

    /// Arguments that could carry a secret in argv: about a secret, taking a value, and not
    /// naming a file. Secrets are read from prompts, stdin or files instead.
    fn secret_args(cmd: &clap::Command, path: &str, bad: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str().to_ascii_lowercase();
            let long = arg.get_long().unwrap_or("").to_ascii_lowercase();
            let about_secret = SECRET_WORDS
                .iter()
                .any(|w| id.contains(w) || long.contains(w));
            let takes_value = arg.get_action().takes_values();
            let names_file = long.ends_with("-file")
                || long.ends_with("-out")
                || arg.get_value_names().is_some_and(|v| {
                    v.iter()
                        .all(|n| n.as_str() == "FILE" || n.as_str() == "DIR")
                });
            if about_secret && takes_value && !names_file {
                bad.push(format!("{path} --{long} ({id})"));
            }
            // clap shows env values in --help unless hidden; none of ours may be a secret.
            if let Some(env) = arg.get_env() {
                let env = env.to_string_lossy().to_ascii_lowercase();
                if SECRET_WORDS.iter().any(|w| env.contains(w)) {
                    bad.push(format!("{path} --{long} reads secret env {env}"));
                }
            }
        }
        for sub in cmd.get_subcommands() {
            secret_args(sub, &format!("{path} {}", sub.get_name()), bad);
        }
    }

    #[test]
    fn no_argument_carries_a_secret_value() {
        let mut bad = Vec::new();
        secret_args(&Cli::command(), "dexlink", &mut bad);
        assert!(
            bad.is_empty(),
            "arguments that could carry a secret: {bad:?}"
        );
    }

    /// The check above must be able to fail: it flags a `--private-key HEX` argument.
    #[test]
    fn the_secret_check_flags_value_arguments() {
        let cmd = clap::Command::new("x")
            .arg(
                clap::Arg::new("private_key")
                    .long("private-key")
                    .num_args(1),
            )
            .arg(
                clap::Arg::new("mnemonic")
                    .long("mnemonic")
                    .num_args(0)
                    .action(clap::ArgAction::SetTrue),
            )
            .arg(
                clap::Arg::new("password_file")
                    .long("password-file")
                    .num_args(1),
            );
        let mut bad = Vec::new();
        secret_args(&cmd, "x", &mut bad);
        assert_eq!(bad, vec!["x --private-key (private_key)".to_string()]);
    }

    #[test]
    fn clap_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_command_has_an_example() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            let subs: Vec<_> = cmd.get_subcommands().collect();
            if subs.is_empty() && !path.contains(" help") {
                let text = format!(
                    "{}{}",
                    cmd.get_long_about()
                        .map(|s| s.to_string())
                        .unwrap_or_default(),
                    cmd.get_about().map(|s| s.to_string()).unwrap_or_default()
                );
                if !text.contains("Example") {
                    missing.push(path.to_string());
                }
            }
            for sub in subs {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        let mut cmd = Cli::command();
        cmd.build();
        walk(&cmd, "dexlink", &mut missing);
        assert!(
            missing.is_empty(),
            "commands without an example: {missing:?}"
        );
    }
}
