//! Command line: `certcopy [serve]`, `certcopy migrate`, `certcopy issue`,
//! `certcopy verify`, `certcopy pki init`, `certcopy pki token-key`, `certcopy pki fixtures`,
//! `certcopy registry verify|publish|key|retimestamp`, `certcopy storage copy-to-s3`.
//! One file per command;
//! this one parses the arguments and dispatches.

mod issue;
mod pki;
mod registry;
mod serve;
mod storage;
mod verify;

pub use issue::IssueArgs;
pub use pki::TokenKeyArgs;
pub use registry::RegistryCommand;
pub use serve::with_secret_key;
pub use storage::{CopyToS3Args, StorageCommand};
pub use verify::VerifyArgs;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use figment::Figment;

use crate::app::StartError;
use crate::config::Config;

/// certcopy: electronic certified copies (bản sao điện tử được chứng thực).
#[derive(Debug, Parser)]
#[command(name = "certcopy", version, about)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web service (default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Issue a certified copy from scans (same code path as the API).
    Issue(IssueArgs),
    /// Verify signed PDFs offline: exit 0 when every file is TOTAL_PASSED, 1 when any is
    /// TOTAL_FAILED or INDETERMINATE, 2 when a file cannot be read as a PDF.
    Verify(VerifyArgs),
    /// The register's transparency log: check it (`verify`), sign a tree head now
    /// (`publish`), print its public key (`key`).
    Registry {
        /// Registry action.
        #[command(subcommand)]
        action: RegistryCommand,
    },
    /// The blob store: copy a local store to S3 (`copy-to-s3`).
    Storage {
        /// Storage action.
        #[command(subcommand)]
        action: StorageCommand,
    },
    /// Development PKI.
    Pki {
        /// PKI action.
        #[command(subcommand)]
        action: PkiCommand,
    },
}

/// `certcopy pki …`
#[derive(Debug, Subcommand)]
pub enum PkiCommand {
    /// Create the development root CA, justice CA, CRL, and certificates for every office
    /// and official in the database. DEVELOPMENT ONLY.
    Init {
        /// Directory (default: the `pki_dir` setting, `certs/dev`).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Generate a signing key ON the PKCS#11 token (`pkcs11_module`, `pkcs11_pin`) and
    /// store next to it a development certificate for its public key: the private key
    /// never leaves the token. Then name the key in `official_keys` or `seal_keys`.
    /// DEVELOPMENT ONLY (the certificate comes from the development PKI).
    TokenKey(TokenKeyArgs),
    /// Regenerate the committed test PKI (valid, expired, revoked, … signers).
    Fixtures {
        /// Directory.
        #[arg(long, default_value = "fixtures/pki")]
        dir: PathBuf,
    },
}

/// Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve::serve(),
        Command::Migrate => serve::migrate(),
        Command::Issue(args) => return issue::issue(args),
        Command::Verify(args) => return verify::verify(args),
        Command::Registry { action } => return registry::registry(action),
        Command::Storage { action } => return storage::storage(action),
        Command::Pki {
            action: PkiCommand::Init { dir },
        } => pki::init(dir),
        Command::Pki {
            action: PkiCommand::TokenKey(args),
        } => pki::token_key(args),
        Command::Pki {
            action: PkiCommand::Fixtures { dir },
        } => pki::fixtures(&dir),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("certcopy: {error}");
            match error {
                StartError::Config(_) => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

/// Logs go to stderr through `tracing`; `CERTCOPY_LOG` sets the filter
/// (default `info,rocket=warn`). Rocket's own `log` records are bridged in.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CERTCOPY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,rocket=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

pub(crate) fn load_config() -> Result<(Figment, Config), StartError> {
    let figment = Config::figment();
    let config = Config::from_figment(&figment)?;
    Ok((figment, config))
}
