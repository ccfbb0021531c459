//! `certcopy verify`: signed PDFs checked offline or against the configured register,
//! through the same verification service as the API.

use std::path::PathBuf;
use std::process::ExitCode;

use super::load_config;
use crate::config::Config;
use crate::db::Db;

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

pub(super) fn verify(args: VerifyArgs) -> ExitCode {
    use crate::config::TrustStore;
    use crate::error::UserFacing;
    use crate::registry::verifying::{Requester, VerifyService};
    use crate::verification::Indication;
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
    let work = config.work_limits();
    let service = VerifyService {
        db: existing_register(&config),
        trust: std::sync::Arc::new(trust),
        max_bytes: u64::MAX,
        public_per_minute: 0,
        limit: work.verify,
        deadline: work.verify_deadline,
        status_cache: None,
        log_trust: trusted_log_key(&config),
        #[cfg(feature = "test-support")]
        test_pause: None,
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
    // The operator is never limited; admission is still the way in.
    let operator = match runtime.block_on(service.admit(Requester::Operator)) {
        Ok(operator) => operator,
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
                .block_on(service.verify(&operator, bytes, None))
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

/// The log key to trust heads from: `log_public_key`, or the public half of the service's
/// own log key when its file is there (never made here).
fn trusted_log_key(config: &Config) -> Option<crate::transparency::heads::LogPublicKey> {
    use crate::transparency::heads::{LogKey, LogPublicKey};
    if !config.log_public_key.trim().is_empty() {
        return LogPublicKey::from_base64(&config.log_public_key).ok();
    }
    let path = config.log_key_path();
    path.exists()
        .then(|| LogKey::load_or_create(&path).ok().map(|key| key.public()))
        .flatten()
}
