//! Command line: `certcopy [serve]`, `certcopy migrate`, `certcopy pki init`,
//! `certcopy pki fixtures`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use figment::Figment;

use crate::app::{App, StartError};
use crate::config::Config;
use crate::db::Db;
use crate::signing::dev_pki;

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
        Command::Serve => serve(),
        Command::Migrate => migrate(),
        Command::Pki {
            action: PkiCommand::Init { dir },
        } => pki_init(dir),
        Command::Pki {
            action: PkiCommand::Fixtures { dir },
        } => dev_pki::write_test_fixtures(&dir)
            .map_err(StartError::from)
            .map(|()| {
                println!("test PKI written to {}", dir.display());
            }),
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

fn load_config() -> Result<(Figment, Config), StartError> {
    let figment = Config::figment();
    let config = Config::from_figment(&figment)?;
    Ok((figment, config))
}

fn serve() -> Result<(), StartError> {
    let (figment, config) = load_config()?;
    let app = App::start(config)?;
    let figment = with_secret_key(figment, &app.config)?;
    rocket::execute(async move {
        let rocket = crate::web::build_rocket(figment, app);
        if let Err(error) = rocket.launch().await {
            tracing::error!("server stopped: {error}");
            return Err(StartError::Io {
                path: PathBuf::from("<server>"),
                source: std::io::Error::other(error.to_string()),
            });
        }
        Ok(())
    })
}

/// Rocket needs a secret key for private cookies. When none is configured, one is
/// generated on first start and kept in `{data_dir}/secret.key` (mode 0600), so sessions
/// survive restarts and several instances can share it by configuration.
pub fn with_secret_key(figment: Figment, config: &Config) -> Result<Figment, StartError> {
    let configured = figment
        .extract_inner::<rocket::config::SecretKey>("secret_key")
        .is_ok_and(|key| !key.is_zero());
    if configured {
        return Ok(figment);
    }
    let path = config.secret_key_path();
    let io = |source| StartError::Io {
        path: path.clone(),
        source,
    };
    let key = match std::fs::read_to_string(&path) {
        Ok(text) => text.trim().to_owned(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            use base64::Engine;
            let mut bytes = [0u8; 64];
            ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
                .map_err(|_| io(std::io::Error::other("no randomness")))?;
            let text = base64::engine::general_purpose::STANDARD.encode(bytes);
            std::fs::create_dir_all(&config.data_dir).map_err(io)?;
            let staging = path.with_extension("partial");
            std::fs::write(&staging, &text).map_err(io)?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&staging, std::fs::Permissions::from_mode(0o600))
                    .map_err(io)?;
            }
            std::fs::rename(&staging, &path).map_err(io)?;
            tracing::info!(path = %path.display(), "generated the cookie secret key");
            text
        }
        Err(error) => return Err(io(error)),
    };
    Ok(figment.merge(("secret_key", key)))
}

fn migrate() -> Result<(), StartError> {
    let (_, config) = load_config()?;
    std::fs::create_dir_all(&config.data_dir).map_err(|source| StartError::Io {
        path: config.data_dir.clone(),
        source,
    })?;
    let db = Db::open(&config.database_url, 1)?;
    let applied = db.migrate()?;
    println!(
        "{} database migrated: {applied} migrations applied",
        db.backend().name()
    );
    Ok(())
}

fn pki_init(dir: Option<PathBuf>) -> Result<(), StartError> {
    let (_, mut config) = load_config()?;
    if let Some(dir) = dir {
        config.pki_dir = dir;
    }
    let app = App::open(config)?;
    let pki = app.ensure_dev_pki()?;
    println!(
        "DEVELOPMENT PKI ready in {} (root: {}). These keys have no legal value.",
        pki.dir().display(),
        pki.root_cert_path().display()
    );
    Ok(())
}
