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
use crate::web::api::verifications::{read_upload, upload_over_limit};
use crate::web::guards::Agency;
use crate::web::json_body::JsonBody;
use crate::web::upload::{Bounded, UploadRefused};
use crate::web::{ApiError, RequestId};

pub fn routes() -> Vec<Route> {
    routes![create, list, one, attach_json, attach_file, reverify]
}

/// Routes under `/api/v1/agency`.
pub fn agency_routes() -> Vec<Route> {
    routes![set_webhook]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WebhookBody {
    url: String,
}

/// Sets the agency's webhook for annulment notices; the signing secret is answered only
/// here.
#[rocket::put("/webhook", data = "<body>")]
async fn set_webhook(
    app: &State<App>,
    agency: Agency,
    body: JsonBody<'_, WebhookBody>,
) -> Result<Json<crate::webhooks::WebhookSet>, ApiError> {
    let url = body.map_err(|e| ApiError::bad_json(&e))?.into_inner().url;
    let user = agency.0.user;
    Ok(Json(
        app.db
            .run(move |conn| crate::webhooks::set_webhook(conn, &user, &url))
            .await?,
    ))
}

/// Opens a dossier.
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
#[get("/")]
async fn list(app: &State<App>, agency: Agency) -> Result<Json<Vec<DossierView>>, ApiError> {
    Ok(Json(app.dossiers().list(&agency.0.user).await?))
}

/// One dossier with its documents and their reports.
#[get("/<id>")]
async fn one(
    app: &State<App>,
    agency: Agency,
    id: DossierId,
) -> Result<Json<DossierView>, ApiError> {
    Ok(Json(app.dossiers().get(&agency.0.user, &id).await?))
}

/// A share code or a verification code.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachBody {
    #[serde(default)]
    share_code: Option<String>,
    #[serde(default)]
    verification_code: Option<String>,
}

fn attached((view, fresh): (DossierView, bool)) -> (Status, Json<DossierView>) {
    (if fresh { Status::Created } else { Status::Ok }, Json(view))
}

/// Attaches by share code or verification code.
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
