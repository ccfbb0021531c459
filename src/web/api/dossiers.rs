//! Agency dossiers over HTTP (agencies, API key; docs/ARCHITECTURE.md §13):
//!
//! - `POST /api/v1/dossiers` `{reference, procedure, applicant_name}`, `GET /api/v1/dossiers`,
//!   `GET /api/v1/dossiers/{id}`;
//! - `POST /api/v1/dossiers/{id}/documents` with `{share_code}` or `{verification_code}`
//!   (JSON), or a multipart `file` (a PDF): verified on the way in, `201` when new, `200`
//!   when the same file was already there;
//! - `POST /api/v1/dossiers/{id}/reverify`.
//!
//! Another agency's dossier is not found.

use rocket::form::{self, Form};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{FromForm, Route, State, get, post, routes};
use serde::Deserialize;

use crate::app::App;
use crate::db::ids::DossierId;
use crate::dossiers::{Attachment, DossierView, NewDossier};
use crate::web::api::verifications::PdfUpload;
use crate::web::api::verifications::{read_upload, upload_over_limit};
use crate::web::error::ErrorBody;
use crate::web::guards::Agency;
use crate::web::json_body::JsonBody;
use crate::web::upload::{Bounded, UploadRefused};
use crate::web::{ApiError, RequestId};
use crate::webhooks::WebhookSet;

pub fn routes() -> Vec<Route> {
    routes![create, list, one, attach_json, attach_file, reverify]
}

/// Routes under `/api/v1/agency`.
pub fn agency_routes() -> Vec<Route> {
    routes![set_webhook]
}

/// Where an agency's annulment notices go.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WebhookBody {
    /// An `https://` (or `http://`) address, at most 500 characters.
    url: String,
}

/// Sets the agency's webhook for annulment notices; the signing secret is answered only
/// here.
#[utoipa::path(
    put,
    path = "/api/v1/agency/webhook",
    tag = "agency",
    operation_id = "set_webhook",
    summary = "Set where annulment notices are sent",
    description = "Sets or replaces the agency's webhook. A fresh HMAC-SHA256 secret is made and answered only here; every notice is signed with it (see the README's integration guide).",
    request_body(content = WebhookBody, example = json!({"url": "https://hoso.example.gov.vn/certcopy/notices"})),
    responses((status = 200, description = "The webhook and its signing secret (shown once)", body = WebhookSet)),
    security(("api_key" = []))
)]
#[rocket::put("/webhook", data = "<body>")]
async fn set_webhook(
    app: &State<App>,
    agency: Agency,
    body: JsonBody<'_, WebhookBody>,
) -> Result<Json<WebhookSet>, ApiError> {
    let url = body.map_err(|e| ApiError::bad_json(&e))?.into_inner().url;
    let user = agency.0.user;
    Ok(Json(
        app.db
            .run(move |conn| crate::webhooks::set_webhook(conn, &user, &url))
            .await?,
    ))
}

/// Opens a dossier.
#[utoipa::path(
    post,
    path = "/api/v1/dossiers",
    tag = "agency",
    operation_id = "create_dossier",
    summary = "Open a dossier",
    request_body(content = NewDossier, example = json!({"reference": "TS10-2026-0001", "procedure": "Tuyển sinh lớp 10", "applicant_name": "Nguyễn Văn An"})),
    responses(
        (status = 201, description = "The new dossier", body = DossierView),
        (status = 409, description = "The agency already has a dossier with this reference", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[post("/", data = "<body>")]
async fn create(
    app: &State<App>,
    agency: Agency,
    body: JsonBody<'_, NewDossier>,
) -> Result<(Status, Json<DossierView>), ApiError> {
    let request = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let view = app.dossiers().create(&agency.0.user, request).await?;
    Ok((Status::Created, Json(view)))
}

/// The agency's dossiers.
#[utoipa::path(
    get,
    path = "/api/v1/dossiers",
    tag = "agency",
    operation_id = "list_dossiers",
    summary = "The agency's dossiers",
    responses((status = 200, description = "Every dossier of the agency, newest first", body = Vec<DossierView>)),
    security(("api_key" = []))
)]
#[get("/")]
async fn list(app: &State<App>, agency: Agency) -> Result<Json<Vec<DossierView>>, ApiError> {
    Ok(Json(app.dossiers().list(&agency.0.user).await?))
}

/// One dossier with its documents and their reports.
#[utoipa::path(
    get,
    path = "/api/v1/dossiers/{id}",
    tag = "agency",
    operation_id = "get_dossier",
    summary = "One dossier with its documents and their reports",
    params(("id" = String, Path, format = Uuid, description = "The dossier")),
    responses((status = 200, description = "The dossier (another agency's is not found)", body = DossierView)),
    security(("api_key" = []))
)]
#[get("/<id>")]
async fn one(
    app: &State<App>,
    agency: Agency,
    id: DossierId,
) -> Result<Json<DossierView>, ApiError> {
    Ok(Json(app.dossiers().get(&agency.0.user, &id).await?))
}

/// A share code or a verification code: exactly one of the two.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AttachBody {
    /// A code the citizen shared with the agency.
    #[serde(default)]
    share_code: Option<String>,
    /// A copy's verification code (from its QR).
    #[serde(default)]
    verification_code: Option<String>,
}

fn attached((view, fresh): (DossierView, bool)) -> (Status, Json<DossierView>) {
    (if fresh { Status::Created } else { Status::Ok }, Json(view))
}

/// Attaches by share code or verification code.
#[utoipa::path(
    post,
    path = "/api/v1/dossiers/{id}/documents",
    tag = "agency",
    operation_id = "attach_document",
    summary = "Attach a copy: by share code, by verification code, or an uploaded PDF",
    description = "The copy is verified on the way in and the report is kept with the dossier. A file already in the dossier (same SHA-256) is kept once: the answer is then `200` instead of `201`.",
    params(("id" = String, Path, format = Uuid, description = "The dossier")),
    request_body(content(
        (AttachBody = "application/json", example = json!({"share_code": "mCf5lgASaSbO6ecZl4Tfssr9ofws7-tUHgOzCzAqbzI"})),
        (PdfUpload = "multipart/form-data"),
    )),
    responses(
        (status = 201, description = "Attached", body = DossierView),
        (status = 200, description = "The same file was already attached", body = DossierView),
        (status = 503, description = "Too many verifications at once; retry after `Retry-After` seconds", body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
    ),
    security(("api_key" = []))
)]
#[post("/<id>/documents", format = "json", data = "<body>")]
async fn attach_json(
    app: &State<App>,
    agency: Agency,
    request_id: RequestId,
    id: DossierId,
    body: JsonBody<'_, AttachBody>,
) -> Result<(Status, Json<DossierView>), ApiError> {
    // Whose dossier it is, before what is wrong with the request.
    app.dossiers().get(&agency.0.user, &id).await?;
    let body = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let attachment = match (body.share_code, body.verification_code) {
        (Some(code), None) => Attachment::Share(code),
        (None, Some(code)) => Attachment::Code(code),
        _ => {
            return Err(ApiError::new(
                422,
                "invalid_field",
                "Gửi đúng một trong hai: `share_code` hoặc `verification_code` (hoặc tải lên tệp PDF trong trường `file`).",
                "Send exactly one of `share_code` or `verification_code` (or upload the PDF in the `file` field).",
            ));
        }
    };
    let answer = app
        .dossiers()
        .attach(&agency.0.user, &id, attachment, Some(request_id.0))
        .await?;
    Ok(attached(answer))
}

#[derive(FromForm)]
struct FileForm<'r> {
    file: TempFile<'r>,
}

/// Attaches an uploaded PDF (multipart `file`), within the verification byte budget.
#[post(
    "/<id>/documents",
    format = "multipart/form-data",
    data = "<upload>",
    rank = 2
)]
async fn attach_file(
    app: &State<App>,
    agency: Agency,
    request_id: RequestId,
    id: DossierId,
    upload: Result<Bounded<Form<FileForm<'_>>, form::Errors<'_>>, UploadRefused>,
) -> Result<(Status, Json<DossierView>), ApiError> {
    let (form, _hold) = upload?.into_parts();
    let form = form.map_err(|errors| {
        if upload_over_limit(&errors) {
            ApiError::new(
                413,
                "payload_too_large",
                "Tệp tải lên vượt quá giới hạn kích thước cho phép.",
                "The uploaded file exceeds the size limit.",
            )
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
    let answer = app
        .dossiers()
        .attach(
            &agency.0.user,
            &id,
            Attachment::Upload(bytes),
            Some(request_id.0),
        )
        .await?;
    Ok(attached(answer))
}

/// Verifies every document again.
#[utoipa::path(
    post,
    path = "/api/v1/dossiers/{id}/reverify",
    tag = "agency",
    operation_id = "reverify_dossier",
    summary = "Verify every document of a dossier again",
    params(("id" = String, Path, format = Uuid, description = "The dossier")),
    responses(
        (status = 200, description = "The dossier with fresh reports", body = DossierView),
        (status = 503, description = "Too many verifications at once; retry after `Retry-After` seconds", body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
    ),
    security(("api_key" = []))
)]
#[post("/<id>/reverify")]
async fn reverify(
    app: &State<App>,
    agency: Agency,
    request_id: RequestId,
    id: DossierId,
) -> Result<Json<DossierView>, ApiError> {
    Ok(Json(
        app.dossiers()
            .reverify(&agency.0.user, &id, Some(request_id.0))
            .await?,
    ))
}
