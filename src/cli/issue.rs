//! `certcopy issue`: a certified copy from scans, on the same code path as the API.

use std::path::PathBuf;
use std::process::ExitCode;

use super::load_config;
use crate::app::App;

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

/// Exit codes: 0 issued, 2 refused input (bad scans, fields, unknown office), 1 failure.
pub(super) fn issue(args: IssueArgs) -> ExitCode {
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
    // An orderly end before the process exits: the blocking threads finished, then the
    // database pool (its connections closed) and the signing keys (a PKCS#11 module
    // finalised) released here rather than by the C library's exit handlers.
    drop(issuer);
    runtime.shutdown_timeout(std::time::Duration::from_secs(10));
    drop(app);
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
