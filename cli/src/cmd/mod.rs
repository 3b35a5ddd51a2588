//! The clap command tree. Each subcommand lives in its own module; adding one means a variant
//! here and a module beside this file.

pub mod common;
mod devnet;
pub mod keys;
mod link;
mod order;
mod quickstart;
mod recover;
mod send;
mod sign;
mod tx;
mod vectors;
mod verify;

use std::fmt;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// dexlink: keys, addresses, signatures and orders for Binance Chain DEXes, kept on your machine.
#[derive(Debug, Parser)]
#[command(
    name = "dexlink",
    version,
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

/// Options every command accepts.
#[derive(Debug, Args)]
pub struct Global {
    /// Key directory (default: $DEXLINK_HOME, else ~/.dexlink).
    #[arg(long, global = true, env = "DEXLINK_HOME", value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Machine output: one JSON document on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Print only what scripts need.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Read key-store passwords from this file (mode 0600; one trailing newline is ignored).
    #[arg(long = "password-file", global = true, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Tests only: scrypt cost 2^N for new entries instead of 2^18. Weakens the encryption.
    #[arg(
        long = "insecure-kdf-log-n",
        global = true,
        hide = true,
        value_name = "N"
    )]
    pub insecure_kdf_log_n: Option<u8>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Try everything in seconds on an embedded local DEX (nothing is written to disk).
    ///
    /// Example: dexlink quickstart
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
    /// Link addresses to a DEX with signed ownership proofs.
    ///
    /// Example: dexlink link alice --count 3 --dex http://127.0.0.1:41234
    Link(link::LinkArgs),
    /// Place, cancel and list orders.
    ///
    /// Example: dexlink order place alice --symbol BNB_BUSD-BD1 --side buy --price 300 --quantity 0.5 --dex http://127.0.0.1:41234
    #[command(subcommand)]
    Order(order::OrderCmd),
    /// Send tokens (one or several recipients).
    ///
    /// Example: dexlink send alice --to tbnb1... --amount 1.5 --asset BNB --dex http://127.0.0.1:41234
    Send(send::SendArgs),
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
    /// Run a local DEX node (the Binance DEX API with real checks) on 127.0.0.1.
    ///
    /// Example: dexlink devnet --port 0 --genesis tbnb1...=1000:BNB
    Devnet(devnet::DevnetArgs),
    /// Sign and verify BEP-333 token recovery requests (recover BEP2/BEP8 tokens on BSC).
    #[command(subcommand, long_about = recover::LONG_ABOUT)]
    Recover(recover::RecoverCmd),
    /// Run test-vector files.
    ///
    /// Example: dexlink vectors run test-vectors/
    #[command(subcommand)]
    Vectors(vectors::VectorsCmd),
    /// Verify a bnbSign-convention message signature.
    ///
    /// Example: dexlink verify --address bnb1... --public-key 02ab... --signature 7d29... --message "hello world"
    Verify(verify::VerifyArgs),
}

/// A CLI failure: a message for the user and the exit code to leave with.
#[derive(Debug)]
pub struct CliError {
    message: String,
    code: u8,
}

impl CliError {
    /// Bad input or usage (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: 2,
        }
    }
    /// A failure of the operation itself (exit 1).
    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: 1,
        }
    }
    /// The user declined a confirmation (exit 1; nothing was done).
    pub fn cancelled() -> Self {
        Self {
            message: "cancelled; nothing was done".into(),
            code: 1,
        }
    }
    pub fn exit_code(&self) -> u8 {
        self.code
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
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

pub fn run(cli: Cli) -> CliResult {
    match cli.command {
        Command::Quickstart(a) => quickstart::run(&cli.global, a),
        Command::Keys(c) => keys::run(&cli.global, c),
        Command::Sign(c) => sign::run(&cli.global, c),
        Command::Link(a) => link::run(&cli.global, a),
        Command::Order(c) => order::run(&cli.global, c),
        Command::Send(a) => send::run(&cli.global, a),
        Command::Tx(c) => tx::run(&cli.global, c),
        Command::Devnet(a) => devnet::run(&cli.global, a),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "dexlink",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Recover(c) => recover::run(&cli.global, c),
        Command::Vectors(c) => vectors::run(&cli.global, c),
        Command::Verify(a) => verify::run(&cli.global, a),
    }
}
