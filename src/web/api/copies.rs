//! `/api/v1/copies`: issuing (officials), downloading (issuing office staff and the
//! citizen on the copy), the citizen's list, annulment.

use rocket::data::ToByteUnit;
use rocket::form::{self, Form};
use rocket::fs::TempFile;
use rocket::http::{Header, Status};
use rocket::serde::json::Json;
use rocket::{FromForm, Responder, Route, State, get, post, routes};
use serde::Deserialize;

use crate::app::App;
use crate::assembly::PlacementPolicy;
use crate::auth::AuthError;
use crate::db::ids::CopyId;
use crate::db::models::Role;
use crate::intake::ScanFile;
use crate::registry::copies::{CopyView, citizen_copies, copy_for_download};
use crate::registry::issuance::{IssueOptions, IssueRequest};
use crate::registry::{self, RegistryError};
use crate::web::api::verifications::{read_upload, upload_over_limit};
use crate::web::guards::{AuthUser, Citizen, Official};
use crate::web::upload::{Bounded, Unshared, UploadRefused};
use crate::web::{ApiError, RequestId};

pub fn routes() -> Vec<Route> {
    routes![issue, download, mine, annul]
}

/// Multipart form of `POST /api/v1/copies`.
#[derive(FromForm)]
struct IssueForm<'r> {
    requester_name: String,
    citizen_id: String,
    document_title: String,
    copies: Option<u32>,
    /// `auto` (default) or `page` (always an added certification page).
    placement: Option<String>,
    scans: Vec<TempFile<'r>>,
}

fn form_error(errors: &form::Errors<'_>) -> ApiError {
    if upload_over_limit(errors) {
        return ApiError::new(
            413,
            "payload_too_large",
            "Tệp tải lên vượt quá giới hạn kích thước cho phép.",
            "An uploaded file exceeds the size limit.",
        );
    }
    let fields: Vec<String> = errors
        .iter()
        .map(|e| e.name.as_ref().map(|n| n.to_string()).unwrap_or_default())
        .collect();
    ApiError::new(
        422,
        "invalid_form",
        &format!("Biểu mẫu thiếu hoặc sai trường: {}", fields.join(", ")),
        &format!(
            "The form has missing or invalid fields: {}",
            fields.join(", ")
        ),
    )
}

/// Issue a copy (official). Multipart: `requester_name`, `citizen_id`, `document_title`,
/// `copies` (default 1), `placement`, and one or more `scans` files.
#[post("/", data = "<upload>")]
async fn issue(
    app: &State<App>,
    official: Official,
    request_id: RequestId,
    upload: Result<Bounded<Form<IssueForm<'_>>, form::Errors<'_>, Unshared>, UploadRefused>,
) -> Result<(Status, Json<CopyView>), ApiError> {
    let (form, _hold) = upload?.into_parts();
    let form = form.map_err(|e| form_error(&e))?.into_inner();
    let mut scans = Vec::with_capacity(form.scans.len());
    for (index, file) in form.scans.iter().enumerate() {
        let bytes = read_upload(file).await?;
        let name = file
            .name()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("scan-{}", index + 1));
        scans.push(ScanFile { name, bytes });
    }
    let placement = match form.placement.as_deref() {
        None | Some("auto") => PlacementPolicy::Auto,
        Some("page") => PlacementPolicy::AppendPage,
        Some(_) => {
            return Err(ApiError::new(
                422,
                "invalid_field",
                "Trường `placement` chỉ nhận `auto` hoặc `page`.",
                "Field `placement` accepts only `auto` or `page`.",
            ));
        }
    };
    let request = IssueRequest {
        requester_name: form.requester_name,
        requester_citizen_id: form.citizen_id,
        document_title: form.document_title,
        copies: form.copies.unwrap_or(1),
        scans,
        placement,
    };
    let issued = app
        .issuer()
        .issue(
            &official.0.user,
            request,
            IssueOptions::default(),
            Some(request_id.0),
        )
        .await?;
    Ok((
        Status::Created,
        Json(CopyView::new(&issued.entry, &app.config.base_url)),
    ))
}

/// A PDF answer with a download file name.
#[derive(Responder)]
#[response(content_type = "pdf")]
struct PdfFile {
    bytes: Vec<u8>,
    disposition: Header<'static>,
}

/// Download the signed PDF. A citizen whose ID is only claimed gets 403
/// `identity_unverified` whatever the id, so nothing is learnt about which copies exist.
#[get("/<id>/pdf", rank = 2)]
async fn download(app: &State<App>, viewer: AuthUser, id: CopyId) -> Result<PdfFile, ApiError> {
    if viewer.role() == Role::Citizen {
        verified_citizen_id(&viewer)?;
    }
    let entry = app
        .db
        .run(move |conn| copy_for_download(conn, &id, &viewer.user))
        .await?;
    let digest = crate::storage::Sha256Hex::parse(entry.file_digest().unwrap_or(""))
        .map_err(|_| RegistryError::NotFound)?;
    let bytes = app.blobs.get(&digest).await.map_err(|e| {
        let mut error = ApiError::for_status(Status::InternalServerError);
        error.internal = Some(format!("copy {}: {e}", entry.id));
        error
    })?;
    let file_name = format!("ban-sao-chung-thuc-{}-{}.pdf", entry.sequence, entry.year);
    Ok(PdfFile {
        bytes,
        disposition: Header::new(
            "Content-Disposition",
            format!("attachment; filename=\"{file_name}\""),
        ),
    })
}

/// The citizen ID a citizen account has proven; 403 `identity_unverified` (saying how to
/// verify) while it is only claimed.
fn verified_citizen_id(user: &AuthUser) -> Result<String, AuthError> {
    user.user
        .verified_citizen_id()
        .map(str::to_owned)
        .ok_or(AuthError::IdentityUnverified)
}

/// The copies issued under the citizen's verified ID (valid and annulled).
#[get("/mine")]
async fn mine(app: &State<App>, citizen: Citizen) -> Result<Json<Vec<CopyView>>, ApiError> {
    let citizen_id = verified_citizen_id(&citizen.0)?;
    let entries = app
        .db
        .run(move |conn| citizen_copies(conn, &citizen_id))
        .await?;
    let base = &app.config.base_url;
    Ok(Json(
        entries.iter().map(|e| CopyView::new(e, base)).collect(),
    ))
}

#[derive(Debug, Deserialize)]
struct AnnulRequest {
    reason: String,
}

/// Annul a certification of the official's office (kept in the register as annulled).
#[post("/<id>/annul", data = "<body>")]
async fn annul(
    app: &State<App>,
    official: Official,
    request_id: RequestId,
    id: CopyId,
    body: crate::web::json_body::JsonBody<'_, AnnulRequest>,
) -> Result<Json<CopyView>, ApiError> {
    let reason = body
        .map_err(|e| ApiError::bad_json(&e))?
        .into_inner()
        .reason;
    let actor = official.0.actor();
    let entry = app
        .db
        .run(move |conn| registry::annul_entry(conn, &id, &reason, &actor, Some(&request_id.0)))
        .await?;
    Ok(Json(CopyView::new(&entry, &app.config.base_url)))
}

/// Upload limits Rocket applies before the handler runs, from the intake limits: one scan
/// file, and a whole form of up to 100 pages.
pub fn upload_limits(max_file_bytes: u64) -> rocket::data::Limits {
    rocket::data::Limits::default()
        .limit("file", max_file_bytes.bytes())
        .limit(
            "data-form",
            (max_file_bytes.saturating_mul(4))
                .max(64 * 1024 * 1024)
                .bytes(),
        )
        .limit("bytes", max_file_bytes.bytes())
}
