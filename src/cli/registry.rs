//! `certcopy registry …`: the register's transparency log from the command line.
//!
//! `verify` recomputes the log and the audit chain from the database and checks them
//! against every signed tree head and every register row (exit 0: nothing found, 1: a
//! difference, each printed with its position, 2: it could not run); `publish` signs a
//! tree head now; `key` prints the log's public key for verifiers' `log_public_key`;
//! `retimestamp` adds a fresh document time-stamp to the stored copies whose last one's
//! authority certificate expires within the horizon (exit 0: all renewed, 1: some failed,
//! each printed, 2: it could not run).

use std::process::ExitCode;

use clap::Subcommand;

use super::load_config;
use crate::app::{App, StartError};
use crate::transparency::heads::LogPublicKey;

/// `certcopy registry …`
#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Check the register log, its signed tree heads, the audit chain and the register
    /// rows: exit 0 when nothing differs, 1 when something does (each difference printed
    /// with its position), 2 when the check could not run.
    Verify {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Trust heads signed by this key (base64) instead of `log_public_key`.
        #[arg(long)]
        log_public_key: Option<String>,
    },
    /// Sign and store a tree head of the log as it is now.
    Publish,
    /// Print the log's public key (base64), for verifiers' `log_public_key`.
    Key,
    /// Add a fresh document time-stamp (with the validation data of now) to every stored
    /// copy whose last time-stamp's authority certificate expires within the horizon.
    Retimestamp {
        /// Days ahead to look (default: `retimestamp_horizon_days`).
        #[arg(long)]
        horizon_days: Option<u32>,
    },
}

fn fail(error: impl std::fmt::Display) -> ExitCode {
    eprintln!("certcopy registry: {error}");
    ExitCode::from(2)
}

fn open() -> Result<App, StartError> {
    let (_, config) = load_config()?;
    App::open(config)
}

pub(super) fn registry(command: RegistryCommand) -> ExitCode {
    let app = match open() {
        Ok(app) => app,
        Err(error) => return fail(error),
    };
    let code = run(command, &app);
    // An orderly end: the pool's connections closed here rather than by the C library's
    // exit handlers.
    drop(app);
    code
}

fn run(command: RegistryCommand, app: &App) -> ExitCode {
    if let RegistryCommand::Retimestamp { horizon_days } = command {
        return retimestamp(
            app,
            horizon_days.unwrap_or(app.config.retimestamp_horizon_days),
        );
    }
    let mut conn = match app.db.get() {
        Ok(conn) => conn,
        Err(error) => return fail(error),
    };
    match command {
        RegistryCommand::Key => {
            println!("{}", app.log_key.public().to_base64());
            ExitCode::SUCCESS
        }
        RegistryCommand::Publish => {
            match crate::transparency::heads::publish(&mut conn, &app.log_key) {
                Ok(head) => {
                    println!(
                        "tree head: {} leaves, root {}, {} audit rows, signed {} by key {}",
                        head.tree_size,
                        head.root_hash,
                        head.audit_size,
                        head.signed_at,
                        head.key_id
                    );
                    ExitCode::SUCCESS
                }
                Err(error) => fail(error),
            }
        }
        RegistryCommand::Verify {
            json,
            log_public_key,
        } => {
            let trusted = match log_public_key {
                Some(text) => match LogPublicKey::from_base64(&text) {
                    Ok(key) => key,
                    Err(error) => return fail(error),
                },
                None => app.log_trust,
            };
            let report = match crate::transparency::check::run(&mut conn, &trusted) {
                Ok(report) => report,
                Err(error) => return fail(error),
            };
            if json {
                match serde_json::to_string_pretty(&report) {
                    Ok(text) => println!("{text}"),
                    Err(error) => return fail(error),
                }
            } else {
                println!(
                    "register log: {} leaves, {} signed tree heads (key {}); audit chain: {} rows ({} older than the chain); register: {} entries",
                    report.leaves,
                    report.heads,
                    trusted.key_id(),
                    report.audit_rows,
                    report.audit_rows_before_chain,
                    report.entries
                );
                for finding in &report.findings {
                    println!("DIFFERS  {}: {}", finding.position, finding.message);
                }
                if report.findings.is_empty() {
                    println!("OK: the log, the tree heads, the audit chain and the register agree");
                } else {
                    println!("{} difference(s) found", report.findings.len());
                }
            }
            if report.findings.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        // Handled above, without a connection of its own.
        RegistryCommand::Retimestamp { .. } => ExitCode::SUCCESS,
    }
}

fn retimestamp(app: &App, horizon_days: u32) -> ExitCode {
    use crate::registry::retimestamp::Renewal;
    let runtime = match rocket::tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => return fail(error),
    };
    let retimestamper = match app.retimestamper() {
        Ok(retimestamper) => retimestamper,
        Err(error) => return fail(error),
    };
    let until = time::OffsetDateTime::now_utc() + time::Duration::days(i64::from(horizon_days));
    let header = |due: usize| {
        println!(
            "{due} bản sao cần đóng dấu thời gian lại trước {} / {due} copies to re-timestamp (horizon {horizon_days} days)",
            crate::local_time::rfc3339(until),
        );
    };
    let run = runtime.block_on(retimestamper.renew_due(until, |index, due, id, outcome| {
        if index == 0 {
            header(due);
        }
        let position = format!("[{}/{due}] {id}", index + 1);
        match outcome {
            Ok(Renewal::Stamped {
                file_sha256,
                valid_until,
            }) => println!(
                "{position}: đã đóng dấu / stamped, file {file_sha256}, valid until {}",
                valid_until.map_or_else(|| "?".to_owned(), crate::local_time::rfc3339)
            ),
            Ok(Renewal::Skipped) => println!("{position}: bỏ qua / skipped"),
            Err(error) => println!("{position}: LỖI / FAILED: {error}"),
        }
    }));
    let run = match run {
        Ok(run) => run,
        Err(error) => return fail(error),
    };
    if run.due == 0 {
        header(0);
    }
    println!(
        "stamped {}, skipped {}, failed {}",
        run.stamped,
        run.skipped,
        run.failed.len()
    );
    if run.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
