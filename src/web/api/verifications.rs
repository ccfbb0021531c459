//! Verifying copies: `POST /api/v1/verifications` (a PDF → the report) and
//! `GET /api/v1/copies/by-code/{code}` (the public status behind a QR code).
//!
//! Access: the verification endpoint is public, so a citizen or any agency can check a
//! copy. Anonymous callers are rate-limited per client address (`public_verify_per_minute`,
//! counted in the database so every instance shares the limit); agencies authenticated by
//! API key are not limited, and each of their verifications of a registered copy is
//! written to the audit log (who looked at which copy, when).

use std::net::IpAddr;
use std::sync::Arc;

use rocket::data::{Data, ToByteUnit};
use rocket::form::{self, Form};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::serde::json::{Json, Value, json};
use rocket::tokio::io::AsyncReadExt;
use rocket::{FromForm, Route, State, get, post, routes};
use serde_json::json as value;

use crate::app::App;
use crate::audit::{self, AuditEvent};
use crate::auth::{AuthError, rate_limit};
use crate::db::models::{EntryStatus, Office, RegisterEntry};
use crate::registry::check::verify_file;
use crate::registry::code::display_code;
use crate::registry::{RegistryError, normalize_verification_code};
use crate::verification::{DocumentReport, RegisterStatus};
use crate::web::guards::Agency;
use crate::web::{ApiError, RequestId};

pub fn routes() -> Vec<Route> {
    routes![verify_multipart, verify_body]
}

pub fn copy_routes() -> Vec<Route> {
    routes![by_code]
}

/// Who is asking: an agency (API key) or the public (rate-limited by address).
pub enum Verifier {
    /// An authenticated agency.
    Agency(Box<Agency>),
    /// Anyone else.
    Public(Option<IpAddr>),
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Verifier {
    type Error = AuthError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, AuthError> {
        let presented_key = request.headers().get_one("X-Api-Key").is_some()
            || request
                .headers()
                .get_one("Authorization")
                .is_some_and(|h| h.starts_with("ApiKey "));
        match Agency::from_request(request).await {
            Outcome::Success(agency) => Outcome::Success(Verifier::Agency(Box::new(agency))),
            // A key that does not work is an error, not a silent fall-back to the public path.
            Outcome::Error(error) if presented_key => Outcome::Error(error),
            _ => Outcome::Success(Verifier::Public(request.client_ip())),
        }
    }
}

/// Applies the public rate limit.
pub async fn check_public_limit(app: &App, verifier: &Verifier) -> Result<(), ApiError> {
    let Verifier::Public(address) = verifier else {
        return Ok(());
    };
    let bucket = format!(
        "verify:{}",
        address
            .map(|a| a.to_string())
            .unwrap_or_else(|| "unknown".into())
    );
    let limit = app.config.public_verify_per_minute;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let allowed = app
        .db
        .run(move |conn| rate_limit::allow(conn, &bucket, 60, limit, now).map_err(AuthError::from))
        .await?;
    if allowed {
        Ok(())
    } else {
        Err(ApiError::new(
            429,
            "rate_limited",
            "Bạn đã kiểm tra quá nhiều tệp trong một phút. Vui lòng thử lại sau; cơ quan tiếp nhận hồ sơ nên dùng khóa API.",
            "Too many verifications from your address in one minute. Please retry later; receiving agencies should use an API key.",
        ))
    }
}

/// Verifies `bytes` and, for agencies, logs the access to a registered copy.
pub async fn verify_bytes(
    app: &App,
    verifier: &Verifier,
    bytes: Vec<u8>,
    request_id: &str,
) -> Result<DocumentReport, ApiError> {
    check_public_limit(app, verifier).await?;
    let report = verify_file(
        Some(&app.db),
        &app.trust,
        Arc::new(bytes),
        app.config.max_upload_bytes(),
    )
    .await?;
    if let (
        Verifier::Agency(agency),
        Some(
            RegisterStatus::Found {
                certification_number,
                book,
                ..
            }
            | RegisterStatus::Annulled {
                certification_number,
                book,
                ..
            },
        ),
    ) = (verifier, &report.register)
    {
        let actor = agency.0.actor();
        let detail = value!({ "certification_number": certification_number, "book": book, "verdict": report.verdict });
        let request_id = request_id.to_owned();
        app.db
            .run(move |conn| {
                let event = AuditEvent {
                    action: "copy.verify",
                    target: None,
                    office_id: None,
                    detail,
                };
                audit::record(conn, Some(&actor), event, Some(&request_id))
                    .map_err(RegistryError::from)
            })
            .await?;
    }
    Ok(report)
}

#[derive(FromForm)]
struct VerifyForm<'r> {
    file: TempFile<'r>,
}

/// Reads an uploaded temp file into memory.
pub async fn read_upload(file: &TempFile<'_>) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::with_capacity(usize::try_from(file.len()).unwrap_or(0));
    let mut reader = file.open().await.map_err(|e| {
        let mut error = ApiError::for_status(Status::InternalServerError);
        error.internal = Some(format!("reading upload: {e}"));
        error
    })?;
    reader.read_to_end(&mut bytes).await.map_err(|e| {
        let mut error = ApiError::for_status(Status::BadRequest);
        error.internal = Some(format!("reading upload: {e}"));
        error
    })?;
    Ok(bytes)
}

fn too_large(app: &App) -> ApiError {
    let limit = app.config.max_upload_mb;
    ApiError::new(
        413,
        "payload_too_large",
        &format!("Tệp quá lớn (tối đa {limit} MB)."),
        &format!("The file is too large (at most {limit} MB)."),
    )
}

/// Multipart upload with a `file` field.
#[post("/", format = "multipart/form-data", data = "<form>")]
async fn verify_multipart(
    app: &State<App>,
    verifier: Verifier,
    request_id: RequestId,
    form: Result<Form<VerifyForm<'_>>, form::Errors<'_>>,
) -> Result<Json<DocumentReport>, ApiError> {
    let form = form.map_err(|errors| {
        if errors.iter().any(|e| e.to_string().contains("limit")) {
            too_large(app)
        } else {
            ApiError::new(
                422,
                "invalid_form",
                "Cần gửi tệp PDF trong trường `file`.",
                "Send the PDF in the `file` field.",
            )
        }
    })?;
    let bytes = read_upload(&form.file).await?;
    Ok(Json(
        verify_bytes(app, &verifier, bytes, &request_id.0).await?,
    ))
}

/// The PDF as the request body (`Content-Type: application/pdf`).
#[post("/", data = "<body>", rank = 2)]
async fn verify_body(
    app: &State<App>,
    verifier: Verifier,
    request_id: RequestId,
    body: Data<'_>,
) -> Result<Json<DocumentReport>, ApiError> {
    let limit = app.config.max_upload_bytes();
    let read = body.open(limit.bytes()).into_bytes().await.map_err(|e| {
        let mut error = ApiError::for_status(Status::BadRequest);
        error.internal = Some(format!("reading body: {e}"));
        error
    })?;
    if !read.is_complete() {
        return Err(too_large(app));
    }
    Ok(Json(
        verify_bytes(app, &verifier, read.into_inner(), &request_id.0).await?,
    ))
}

/// The public status of the copy behind a code, without personal data.
pub async fn public_status(app: &App, code: &str) -> Result<(RegisterEntry, Value), ApiError> {
    let not_found = || RegistryError::NotFound;
    let code = normalize_verification_code(code).ok_or_else(not_found)?;
    let (entry, office) = app
        .db
        .run(move |conn| {
            let entry = RegisterEntry::find_by_code(conn, &code)?
                .filter(RegisterEntry::is_published)
                .ok_or_else(not_found)?;
            let office = Office::find(conn, &entry.office_id)?.ok_or_else(not_found)?;
            Ok::<_, RegistryError>((entry, office))
        })
        .await?;
    let status = match entry.status() {
        EntryStatus::Annulled => "annulled",
        _ => "valid",
    };
    let view = json!({
        "status": status,
        "code": display_code(&entry.verification_code),
        "office": office.name,
        "office_address": office.address,
        "certification_number": entry.sequence,
        "book": format!("{}-{}", entry.book, entry.type_code),
        "issued_at": entry.issued_at.map(crate::local_time::utc_text),
        "page_count": entry.page_count,
        "sha256": entry.document_sha256,
        "annulled_at": entry.annulled_at.map(crate::local_time::utc_text),
        "annulled_reason": entry.annulled_reason,
    });
    Ok((entry, view))
}

/// `GET /api/v1/copies/by-code/{code}`.
#[get("/by-code/<code>", rank = 1)]
async fn by_code(app: &State<App>, code: &str) -> Result<Json<Value>, ApiError> {
    Ok(Json(public_status(app, code).await?.1))
}
