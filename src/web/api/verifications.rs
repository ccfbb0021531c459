//! Verifying copies: `POST /api/v1/verifications` (a PDF → the report) and
//! `GET /api/v1/copies/by-code/{code}` (the public status behind a QR code).
//!
//! Access: the verification endpoint is public, so a citizen or any agency can check a
//! copy. Anonymous callers are rate-limited per client address (`public_verify_per_minute`,
//! counted in the database so every instance shares the limit, and taken before the upload
//! is read; the address is the socket's peer unless it is a trusted proxy, see
//! [`crate::web::client`]); agencies authenticated by
//! API key are not limited, and each of their verifications of a registered copy is
//! written to the audit log (who looked at which copy, when).

use rocket::data::Capped;
use rocket::form::{self, Form};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::serde::json::Json;
use rocket::tokio::io::AsyncReadExt;
use rocket::{FromForm, Route, State, get, post, routes};

use crate::app::App;
use crate::error::{PublicError, UserFacing};
use crate::registry::verifying::{Admitted, PublicStatus, Requester, VerifyError};
use crate::verification::DocumentReport;
use crate::web::client::client_address;
use crate::web::error::ErrorBody;
use crate::web::guards::{Agency, fail};
use crate::web::upload::{Bounded, UploadRefused};
use crate::web::{ApiError, RequestId};

pub fn routes() -> Vec<Route> {
    routes![verify_multipart, verify_body]
}

pub fn copy_routes() -> Vec<Route> {
    routes![by_code]
}

/// Who is asking, admitted: an agency (API key), or the public, counted against the
/// per-address limit here, in the guard, before Rocket reads the upload.
pub struct Verifier(pub Admitted);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Verifier {
    type Error = PublicError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, PublicError> {
        let Some(app) = request.rocket().state::<App>() else {
            return fail(request, PublicError::internal_error());
        };
        let presented_key = request.headers().get_one("X-Api-Key").is_some()
            || request
                .headers()
                .get_one("Authorization")
                .is_some_and(|h| h.starts_with("ApiKey "));
        let requester = match Agency::from_request(request).await {
            Outcome::Success(agency) => Requester::Agency(agency.0.actor()),
            // A key that does not work is an error, not a silent fall-back to the public path.
            Outcome::Error((_, error)) if presented_key => return fail(request, error.public()),
            _ => Requester::Public(client_address(
                request,
                &app.config.trusted_proxy_networks(),
            )),
        };
        match app.verifier().admit(requester).await {
            Ok(admitted) => Outcome::Success(Verifier(admitted)),
            Err(error) => fail(request, error.public()),
        }
    }
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

/// Whether a form failed because an upload went over its data limit: a file over its
/// limit, a multipart stream cut at the form limit (Rocket reports both as an invalid
/// length), or a body cut at the data limit (an unexpected end of the data).
pub fn upload_over_limit(errors: &form::Errors<'_>) -> bool {
    errors.iter().any(|error| match &error.kind {
        form::error::ErrorKind::InvalidLength { .. } => true,
        form::error::ErrorKind::Io(io) => io.kind() == std::io::ErrorKind::UnexpectedEof,
        _ => false,
    })
}

fn too_large(app: &App) -> ApiError {
    VerifyError::TooLarge {
        limit: app.config.max_upload_bytes(),
    }
    .into()
}

/// A PDF sent as a multipart form (the OpenAPI document's `PdfUpload`).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct PdfUpload {
    /// The PDF.
    #[schema(value_type = String, format = Binary, content_media_type = "application/pdf")]
    file: Vec<u8>,
}

/// Multipart upload with a `file` field (the same operation as [`verify_body`] in the
/// OpenAPI document, which lists both forms of the body).
#[utoipa::path(
    post,
    path = "/api/v1/verifications",
    tag = "public",
    operation_id = "verify",
    summary = "Verify a PDF: signatures, signers, register status",
    description = "Checks every signature of the file (integrity, signer's certificate chain to a trust anchor, revocation, what changed after each signature) and looks the file up in the register. Public; anonymous callers are limited per address (`429` with `Retry-After`), agencies sending their API key are not, and their checks of registered copies are recorded for the holder to see.",
    request_body(
        description = "The PDF, as a multipart `file` field or as the whole body",
        content(
            (PdfUpload = "multipart/form-data"),
            (PdfBody = "application/pdf"),
        )
    ),
    responses(
        (status = 200, description = "The verification report, also for a signature that fails (see `verdict`); a file that cannot be read as a PDF answers `422`", body = DocumentReport),
        (status = 503, description = "Too many verifications at once; retry after `Retry-After` seconds", body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
    ),
    security((), ("api_key" = []))
)]
#[post("/", format = "multipart/form-data", data = "<upload>")]
async fn verify_multipart(
    app: &State<App>,
    verifier: Verifier,
    request_id: RequestId,
    upload: Result<Bounded<Form<VerifyForm<'_>>, form::Errors<'_>>, UploadRefused>,
) -> Result<Json<DocumentReport>, ApiError> {
    let (form, _hold) = upload?.into_parts();
    let form = form.map_err(|errors| {
        if upload_over_limit(&errors) {
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
    // The upload's reservation in the byte budget is held until the verdict.
    let report = app
        .verifier()
        .verify(&verifier.0, bytes, Some(&request_id.0))
        .await?;
    Ok(Json(report))
}

/// The PDF as the request body (`Content-Type: application/pdf`), read up to the upload
/// limit (Rocket's `bytes` limit, see [`crate::web::api::copies::upload_limits`]).
#[post("/", data = "<body>", rank = 2)]
async fn verify_body(
    app: &State<App>,
    verifier: Verifier,
    request_id: RequestId,
    body: Result<Bounded<Capped<Vec<u8>>, std::io::Error>, UploadRefused>,
) -> Result<Json<DocumentReport>, ApiError> {
    let (read, _hold) = body?.into_parts();
    let read = read.map_err(|e| {
        let mut error = ApiError::for_status(Status::BadRequest);
        error.internal = Some(format!("reading body: {e}"));
        error
    })?;
    if !read.is_complete() {
        return Err(too_large(app));
    }
    let report = app
        .verifier()
        .verify(&verifier.0, read.into_inner(), Some(&request_id.0))
        .await?;
    Ok(Json(report))
}

/// A whole request body that is a PDF.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary, content_media_type = "application/pdf")]
#[allow(dead_code)]
pub(crate) struct PdfBody(Vec<u8>);

/// `GET /api/v1/copies/by-code/{code}`.
#[utoipa::path(
    get,
    path = "/api/v1/copies/by-code/{code}",
    tag = "public",
    operation_id = "copy_status",
    summary = "The public status behind a copy's verification code (its QR)",
    params(("code" = String, Path, description = "The verification code as printed (groups of four, dashes optional)", example = "7QKX-M2RD-9HTA-C4WE-1B8N")),
    responses((status = 200, description = "Valid or annulled, with the register facts", body = PublicStatus))
)]
#[get("/by-code/<code>", rank = 1)]
async fn by_code(app: &State<App>, code: &str) -> Result<Json<PublicStatus>, ApiError> {
    Ok(Json(app.verifier().public_status(code).await?))
}
