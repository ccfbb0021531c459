//! Command line: `certcopy [serve]`, `certcopy migrate`, `certcopy pki init`,
//! `certcopy pki fixtures`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use figment::Figment;

use crate::app::{App, StartError};
use crate::config::Config;
use crate::db::Db;
use crate::pki::dev_pki;

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
    /// Development PKI.
    Pki {
        /// PKI action.
        #[command(subcommand)]
        action: PkiCommand,
    },
}

/// `certcopy issue …`
#[derive(Debug, clap::Args)]
pub struct IssueArgs {
    /// Office id; may be left out when the database holds exactly one office.
    #[arg(long)]
    pub office: Option<String>,
    /// Username of the signing official; may be left out when the office has one.
    #[arg(long)]
    pub official: Option<String>,
    /// Requester's full name.
    #[arg(long)]
    pub requester_name: String,
    /// Requester's 12-digit citizen ID number.
    #[arg(long)]
    pub citizen_id: String,
    /// Title of the original document.
    #[arg(long)]
    pub title: String,
    /// Number of copies (fee multiplier).
    #[arg(long, default_value_t = 1)]
    pub copies: u32,
    /// Scan files (JPEG, PNG, or an image-only PDF), in page order.
    #[arg(long = "scan", required = true, num_args = 1..)]
    pub scans: Vec<PathBuf>,
    /// Always put the statement on an added certification page.
    #[arg(long)]
    pub statement_page: bool,
    /// Where to write the signed PDF.
    #[arg(long)]
    pub out: PathBuf,
}

/// `certcopy verify …`
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// PDF files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Trust only these root certificates (PEM or DER); repeatable. Default: the
    /// configured trust anchors (the development root in development).
    #[arg(long = "trust")]
    pub trust: Vec<PathBuf>,
    /// Intermediate CA certificates; repeatable.
    #[arg(long = "intermediate")]
    pub intermediates: Vec<PathBuf>,
    /// Certificate revocation lists; repeatable.
    #[arg(long = "crl")]
    pub crls: Vec<PathBuf>,
    /// Print the reports as JSON.
    #[arg(long)]
    pub json: bool,
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
        Command::Issue(args) => return issue(args),
        Command::Verify(args) => return verify(args),
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

/// Exit codes: 0 issued, 2 refused input (bad scans, fields, unknown office), 1 failure.
fn issue(args: IssueArgs) -> ExitCode {
    use crate::error::UserFacing;
    let fail = |code: u8, vi: String, en: String| {
        eprintln!("certcopy: {vi}\ncertcopy: {en}");
        ExitCode::from(code)
    };
    let app = match load_config().and_then(|(_, config)| App::start(config)) {
        Ok(app) => app,
        Err(error) => return fail(1, error.to_string(), String::new()),
    };
    let mut scans = Vec::new();
    for path in &args.scans {
        match std::fs::read(path) {
            Ok(bytes) => scans.push(crate::intake::ScanFile {
                name: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                bytes,
            }),
            Err(error) => {
                return fail(
                    2,
                    format!("không đọc được {}: {error}", path.display()),
                    format!("cannot read {}: {error}", path.display()),
                );
            }
        }
    }
    let official = match resolve_official(&app, args.office.as_deref(), args.official.as_deref()) {
        Ok(official) => official,
        Err((vi, en)) => return fail(2, vi, en),
    };
    let request = crate::registry::issuance::IssueRequest {
        requester_name: args.requester_name,
        requester_citizen_id: args.citizen_id,
        document_title: args.title,
        copies: args.copies,
        scans,
        placement: if args.statement_page {
            crate::assembly::PlacementPolicy::AppendPage
        } else {
            crate::assembly::PlacementPolicy::Auto
        },
    };
    // One thread drives the work; intake, assembly and signing run on the blocking pool.
    let runtime = match rocket::tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(1, error.to_string(), String::new()),
    };
    let issuer = app.issuer();
    let outcome = runtime.block_on(issuer.issue(&official, request, Default::default(), None));
    match outcome {
        Ok(issued) => {
            if let Err(error) = std::fs::write(&args.out, &issued.pdf) {
                return fail(
                    1,
                    format!("không ghi được {}: {error}", args.out.display()),
                    format!("cannot write {}: {error}", args.out.display()),
                );
            }
            println!(
                "{}\tsố {} quyển {}-{}\t{}\t{}",
                args.out.display(),
                issued.entry.sequence,
                issued.entry.book,
                issued.entry.type_code,
                issued.entry.document_sha256.as_deref().unwrap_or(""),
                issued.verify_url
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            let code = if error.status() < 500 { 2 } else { 1 };
            fail(
                code,
                format!("{} [{}]", error.message_vi(), error.code()),
                format!("{error}"),
            )
        }
    }
}

fn resolve_official(
    app: &App,
    office: Option<&str>,
    username: Option<&str>,
) -> Result<crate::db::models::User, (String, String)> {
    use crate::db::models::{Office, User};
    let db_error = |e: crate::db::DbError| (e.to_string(), e.to_string());
    let mut conn = app.db.get().map_err(db_error)?;
    let offices = Office::list(&mut conn).map_err(db_error)?;
    let office = match office {
        Some(id) => offices
            .into_iter()
            .find(|o| o.id.as_str() == id)
            .ok_or_else(|| (format!("không có cơ quan {id}"), format!("no office {id}")))?,
        None if offices.len() == 1 => offices
            .into_iter()
            .next()
            .ok_or_else(|| (String::new(), String::new()))?,
        None => {
            return Err((
                "cơ sở dữ liệu có nhiều cơ quan: hãy chỉ rõ --office".into(),
                "the database holds several offices: give --office".into(),
            ));
        }
    };
    let officials = User::active_officials_of(&mut conn, &office.id).map_err(db_error)?;
    match username {
        Some(name) => officials
            .into_iter()
            .find(|u| u.username.as_deref() == Some(name))
            .ok_or_else(|| {
                (
                    format!("{name} không phải người ký của {}", office.name),
                    format!("{name} is not an official of {}", office.name),
                )
            }),
        None if officials.len() == 1 => officials
            .into_iter()
            .next()
            .ok_or_else(|| (String::new(), String::new())),
        None => Err((
            format!(
                "{} có {} người ký: hãy chỉ rõ --official",
                office.name,
                officials.len()
            ),
            format!(
                "{} has {} officials: give --official",
                office.name,
                officials.len()
            ),
        )),
    }
}

/// The configured register, if it exists: verification never creates a database.
fn existing_register(config: &Config) -> Option<Db> {
    if config.database_backend() == crate::config::DatabaseBackend::Sqlite
        && !std::path::Path::new(
            config
                .database_url
                .strip_prefix("sqlite://")
                .unwrap_or(&config.database_url),
        )
        .exists()
    {
        return None;
    }
    let db = Db::open(&config.database_url, 2).ok()?;
    // Only a database that already holds the register is consulted.
    let mut conn = db.get().ok()?;
    crate::db::models::RegisterEntry::count(&mut conn).ok()?;
    drop(conn);
    Some(db)
}

fn verify(args: VerifyArgs) -> ExitCode {
    use crate::config::TrustStore;
    use crate::error::UserFacing;
    use crate::verification::Indication;
    use crate::verifying::{Requester, VerifyService};
    use std::io::IsTerminal;

    let config = match load_config() {
        Ok((_, config)) => config,
        Err(error) => {
            eprintln!("certcopy: {error}");
            return ExitCode::from(2);
        }
    };
    let trust = if args.trust.is_empty() {
        config.trust_store().and_then(|mut configured| {
            configured.merge(TrustStore::load(&[], &args.intermediates, &args.crls)?);
            Ok(configured)
        })
    } else {
        TrustStore::load(&args.trust, &args.intermediates, &args.crls)
    };
    let trust = match trust {
        Ok(trust) => trust,
        Err(error) => {
            eprintln!(
                "certcopy: không đọc được chứng thư tin cậy / cannot read trust material: {error}"
            );
            return ExitCode::from(2);
        }
    };
    if trust.anchors.is_empty() {
        eprintln!(
            "certcopy: chưa có chứng thư gốc tin cậy (--trust) / no trust anchor configured (--trust)"
        );
        return ExitCode::from(2);
    }
    let service = VerifyService {
        db: existing_register(&config),
        trust: std::sync::Arc::new(trust),
        max_bytes: u64::MAX,
        public_per_minute: 0,
    };
    // One thread drives the work; verification itself runs on the blocking pool.
    let runtime = match rocket::tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("certcopy: {error}");
            return ExitCode::FAILURE;
        }
    };
    let progress = args.files.len() > 3 && std::io::stderr().is_terminal();
    let mut worst = 0u8;
    let mut json_out = Vec::new();
    for (index, path) in args.files.iter().enumerate() {
        if progress {
            let done = index * 30 / args.files.len();
            eprint!(
                "\r[{}{}] {}/{}",
                "#".repeat(done),
                " ".repeat(30 - done),
                index,
                args.files.len()
            );
        }
        let outcome = match std::fs::read(path) {
            Ok(bytes) => runtime
                .block_on(service.verify(&Requester::Operator, bytes, None))
                .map_err(|e| (e.code().to_owned(), e.message_vi(), e.message_en())),
            Err(error) => Err((
                "unreadable_file".to_owned(),
                format!("không đọc được tệp: {error}"),
                format!("cannot read the file: {error}"),
            )),
        };
        match outcome {
            Ok(report) => {
                if report.verdict != Indication::TotalPassed {
                    worst = worst.max(1);
                }
                if args.json {
                    json_out.push(serde_json::json!({ "file": path, "report": report }));
                } else {
                    print_report(path, &report);
                }
            }
            Err((code, vi, en)) => {
                worst = 2;
                if args.json {
                    json_out.push(serde_json::json!({ "file": path, "error": { "code": code, "message_vi": vi, "message_en": en } }));
                } else {
                    println!("{}: LỖI/ERROR [{code}] {vi} / {en}", path.display());
                }
            }
        }
    }
    if progress {
        eprintln!(
            "\r[{}] {}/{}",
            "#".repeat(30),
            args.files.len(),
            args.files.len()
        );
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json_out).unwrap_or_default()
        );
    }
    ExitCode::from(worst)
}

fn print_report(path: &std::path::Path, report: &crate::verification::DocumentReport) {
    let name = |indication: crate::verification::Indication| {
        serde_json::to_value(indication)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    println!(
        "{}: {} ({}/{} chữ ký hợp lệ / valid signatures)",
        path.display(),
        name(report.verdict),
        report.valid_signatures_count,
        report.signatures_count
    );
    for signature in &report.signatures {
        let sub = signature
            .sub_indication
            .map(|s| {
                serde_json::to_value(s)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            })
            .map(|s| format!("/{s}"))
            .unwrap_or_default();
        println!(
            "  - {}: {}{} — {}",
            signature.field_name,
            name(signature.indication),
            sub,
            signature.signed_by.as_deref().unwrap_or("?")
        );
        for error in &signature.errors {
            println!("      {} / {}", error.message_vi, error.message_en);
        }
    }
    for message in report.errors.iter().chain(&report.warnings) {
        println!("  * {} / {}", message.message_vi, message.message_en);
    }
    if let Some(register) = &report.register {
        println!(
            "  register: {}",
            serde_json::to_string(register).unwrap_or_default()
        );
    }
}
