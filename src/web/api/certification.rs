//! Certification requests over HTTP (docs/ARCHITECTURE.md §10).
//!
//! - `/api/v1/desk/requests…` (clerks, and officials of the office): list and open the
//!   office's requests, upload/replace/reorder scans, hand over with the checklist, refuse
//!   with a legal ground (a signed notice is made), withdraw, record the fee as paid;
//!   officials also change a fee.
//! - `/api/v1/review…` (officials): the review queue (oldest result date first), certify
//!   one or a batch, send back with a reason.
//! - `/api/v1/me/requests` (citizens) and
//!   `/api/v1/certification-requests/<id>/refusal-notice` (the citizen concerned, staff of
//!   the office).
//! - `PUT /api/v1/admin/offices/<id>/practice` (admins): one-person operation.
//!
//! A request of another office is not found (404), whatever the caller's role.

use rocket::form::{self, Form};
use rocket::fs::TempFile;
use rocket::http::{Header, Status};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::serde::json::Json;
use rocket::{FromForm, Responder, Route, State, get, post, put, routes};
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::auth::AuthError;
use crate::certification::{
    CertificationError, Checklist, FeeChange, NewScanFile, PaymentMethod, RefusalGround,
    RequestFilter, RequestState, RequestView, set_single_person, store,
};
use crate::db::ids::{OfficeId, RequestId};
use crate::db::models::Role;
use crate::error::{PublicError, UserFacing};
use crate::registry::copies::CopyView;
use crate::web::api::booking_input::parse_date;
use crate::web::api::verifications::{read_upload, upload_over_limit};
use crate::web::guards::{Admin, AuthUser, Citizen, Clerk, Official, fail};
use crate::web::json_body::JsonBody;
use crate::web::upload::{Bounded, Unshared, UploadRefused};
use crate::web::{ApiError, RequestId as HttpRequestId};

/// The request named by the route's first segment after its mount point (`/<id>/…`)
/// belongs to the caller's office: checked before the body is read, so staff of another
/// office get 404 whatever they send. `OFFICIAL`: the caller must be an official.
pub struct AtOffice<const OFFICIAL: bool>;

#[rocket::async_trait]
impl<'r, const OFFICIAL: bool> FromRequest<'r> for AtOffice<OFFICIAL> {
    type Error = PublicError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, PublicError> {
        let user = match AuthUser::from_request(request).await {
            Outcome::Success(user) => user,
            Outcome::Error((status, error)) => return Outcome::Error((status, error.public())),
            Outcome::Forward(status) => return Outcome::Forward(status),
        };
        let allowed = match user.role() {
            Role::Official => true,
            Role::Clerk => !OFFICIAL,
            _ => false,
        };
        if !allowed {
            return fail(request, AuthError::Forbidden.public());
        }
        let Some(app) = request.rocket().state::<App>() else {
            return fail(request, PublicError::internal_error());
        };
        let Some(Ok(id)) = request.param::<RequestId>(0) else {
            return fail(request, CertificationError::NotFound.public());
        };
        let actor = user.actor();
        match app
            .db
            .run(move |conn| store::load_at_office(conn, &actor, &id))
            .await
        {
            Ok(_) => Outcome::Success(AtOffice),
            Err(error) => fail(request, error.public()),
        }
    }
}

/// Routes under `/api/v1/desk/requests`.
pub fn desk_routes() -> Vec<Route> {
    routes![
        list, show, scans, scan_file, reorder, hand_over, refuse, withdraw, payment, change_fee
    ]
}

/// Routes under `/api/v1/review`.
pub fn review_routes() -> Vec<Route> {
    routes![queue, certify, certify_batch, send_back]
}

/// Routes under `/api/v1`.
pub fn other_routes() -> Vec<Route> {
    routes![mine, refusal_notice, office_practice]
}

fn parse_states(text: Option<&str>) -> Result<Vec<RequestState>, ApiError> {
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        return Ok(Vec::new());
    };
    text.split(',')
        .map(|part| {
            RequestState::parse(part.trim()).ok_or_else(|| {
                ApiError::new(
                    422,
                    "invalid_field",
                    "Trường `state` không hợp lệ (received, scanned, awaiting_certification, certified, refused, withdrawn).",
                    "Field `state` is invalid (received, scanned, awaiting_certification, certified, refused, withdrawn).",
                )
            })
        })
        .collect()
}

/// The office's requests: `state` (comma-separated), `date` (received on, `YYYY-MM-DD`),
/// `appointment` (its id).
#[get("/?<state>&<date>&<appointment>")]
async fn list(
    app: &State<App>,
    clerk: Clerk,
    state: Option<&str>,
    date: Option<&str>,
    appointment: Option<&str>,
) -> Result<Json<Vec<RequestView>>, ApiError> {
    let filter = RequestFilter {
        states: parse_states(state)?,
        received_on: date.map(|d| parse_date(d, "date")).transpose()?,
        appointment: appointment
            .map(|a| {
                crate::db::ids::AppointmentId::parse(a).ok_or_else(|| {
                    ApiError::new(
                        422,
                        "invalid_field",
                        "Trường `appointment` không hợp lệ.",
                        "Field `appointment` is invalid.",
                    )
                })
            })
            .transpose()?,
    };
    let actor = clerk.0.actor();
    let listed = app
        .db
        .run(move |conn| store::list_at_office(conn, &actor, &filter))
        .await?;
    Ok(Json(listed))
}

/// One request of the office.
#[get("/<id>")]
async fn show(
    app: &State<App>,
    clerk: Clerk,
    _office: AtOffice<false>,
    id: RequestId,
) -> Result<Json<RequestView>, ApiError> {
    let actor = clerk.0.actor();
    let view = app
        .db
        .run(move |conn| store::view_at_office(conn, &actor, &id))
        .await?;
    Ok(Json(view))
}

/// Multipart form of a scan upload.
#[derive(FromForm)]
struct ScanForm<'r> {
    /// One or more files (JPEG, PNG, PDF).
    scans: Vec<TempFile<'r>>,
    /// `true`: the files replace the request's scans instead of being added.
    replace: Option<bool>,
}

/// Uploads scans of the original (multipart `scans`, optional `replace=true`).
#[post("/<id>/scans", data = "<upload>")]
async fn scans(
    app: &State<App>,
    clerk: Clerk,
    _office: AtOffice<false>,
    request_id: HttpRequestId,
    id: RequestId,
    upload: Result<Bounded<Form<ScanForm<'_>>, form::Errors<'_>, Unshared>, UploadRefused>,
) -> Result<Json<RequestView>, ApiError> {
    let (form, _hold) = upload?.into_parts();
    let form = form.map_err(|errors| {
        if upload_over_limit(&errors) {
            ApiError::new(
                413,
                "payload_too_large",
                "Tệp tải lên vượt quá giới hạn kích thước cho phép.",
                "An uploaded file exceeds the size limit.",
            )
        } else {
            ApiError::new(
                422,
                "invalid_form",
                "Cần gửi các tệp bản quét trong trường `scans`.",
                "Send the scan files in the `scans` field.",
            )
        }
    })?;
    let mut files = Vec::with_capacity(form.scans.len());
    for (index, file) in form.scans.iter().enumerate() {
        files.push(NewScanFile {
            // The name as sent (the service keeps only its last path part, without
            // control characters), so the desk sees the extension.
            name: file
                .raw_name()
                .map(|name| name.dangerous_unsafe_unsanitized_raw().as_str().to_owned())
                .unwrap_or_else(|| format!("scan-{}", index + 1)),
            bytes: read_upload(file).await?,
        });
    }
    let view = app
        .certification()
        .upload_scans(
            &clerk.0.actor(),
            &id,
            files,
            form.replace.unwrap_or(false),
            Some(request_id.0),
        )
        .await?;
    Ok(Json(view))
}

/// A file answer.
#[derive(Responder)]
struct FileAnswer {
    bytes: Vec<u8>,
    content_type: rocket::http::ContentType,
    disposition: Header<'static>,
}

/// One scan file of the request (for the official's review).
#[get("/<id>/scans/<position>")]
async fn scan_file(
    app: &State<App>,
    clerk: Clerk,
    _office: AtOffice<false>,
    id: RequestId,
    position: i32,
) -> Result<FileAnswer, ApiError> {
    let actor = clerk.0.actor();
    let scan = app
        .db
        .run(move |conn| {
            store::load_at_office(conn, &actor, &id)?;
            crate::db::models::CertificationScan::of_request(conn, &id)?
                .into_iter()
                .find(|scan| scan.position == position)
                .ok_or(CertificationError::NotFound)
        })
        .await?;
    let digest =
        crate::storage::Sha256Hex::parse(&scan.sha256).map_err(CertificationError::from)?;
    let bytes = app
        .blobs
        .get(&digest)
        .await
        .map_err(CertificationError::from)?;
    let content_type = if bytes.starts_with(b"%PDF") {
        rocket::http::ContentType::PDF
    } else if bytes.starts_with(b"\x89PNG") {
        rocket::http::ContentType::PNG
    } else {
        rocket::http::ContentType::JPEG
    };
    Ok(FileAnswer {
        bytes,
        content_type,
        disposition: Header::new(
            "Content-Disposition",
            format!("inline; filename=\"scan-{position}\""),
        ),
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrderBody {
    order: Vec<i32>,
}

/// Puts the scans in a new order (`{"order": [2, 1, 3]}`; positions left out are removed).
#[post("/<id>/scans/order", data = "<body>")]
async fn reorder(
    app: &State<App>,
    clerk: Clerk,
    _office: AtOffice<false>,
    request_id: HttpRequestId,
    id: RequestId,
    body: JsonBody<'_, OrderBody>,
) -> Result<Json<RequestView>, ApiError> {
    let body = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let actor = clerk.0.actor();
    let view = app
        .db
        .run(move |conn| store::reorder_scans(conn, &actor, &id, &body.order, Some(&request_id.0)))
        .await?;
    Ok(Json(view))
}

/// Hands the request to the officials after the comparison checklist.
#[post("/<id>/hand-over", data = "<body>")]
async fn hand_over(
    app: &State<App>,
    clerk: Clerk,
    _office: AtOffice<false>,
    request_id: HttpRequestId,
    id: RequestId,
    body: JsonBody<'_, Checklist>,
) -> Result<Json<RequestView>, ApiError> {
    let checklist = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let actor = clerk.0.actor();
    let view = app
        .db
        .run(move |conn| store::hand_over(conn, &actor, &id, checklist, Some(&request_id.0)))
        .await?;
    Ok(Json(view))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RefuseBody {
    ground: RefusalGround,
    #[serde(default)]
    detail: Option<String>,
}

/// Refuses the request on a ground of Decree 23/2015/NĐ-CP Art. 22; the signed notice is
/// then downloadable.
#[post("/<id>/refuse", data = "<body>")]
async fn refuse(
    app: &State<App>,
    clerk: Clerk,
    _office: AtOffice<false>,
    request_id: HttpRequestId,
    id: RequestId,
    body: JsonBody<'_, RefuseBody>,
) -> Result<Json<RequestView>, ApiError> {
    let body = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let view = app
        .certification()
        .refuse(
            &clerk.0.actor(),
            &id,
            body.ground,
            body.detail.as_deref(),
            Some(request_id.0),
        )
        .await?;
    Ok(Json(view))
}

/// The citizen takes the original back.
#[post("/<id>/withdraw")]
async fn withdraw(
    app: &State<App>,
    clerk: Clerk,
    _office: AtOffice<false>,
    request_id: HttpRequestId,
    id: RequestId,
) -> Result<Json<RequestView>, ApiError> {
    let actor = clerk.0.actor();
    let view = app
        .db
        .run(move |conn| store::withdraw(conn, &actor, &id, Some(&request_id.0)))
        .await?;
    Ok(Json(view))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PaymentBody {
    method: PaymentMethod,
    #[serde(default)]
    receipt_no: Option<String>,
}

/// Records the fee as paid (`{"method": "cash"|"transfer", "receipt_no": "…"}`).
#[post("/<id>/payment", data = "<body>")]
async fn payment(
    app: &State<App>,
    clerk: Clerk,
    _office: AtOffice<false>,
    request_id: HttpRequestId,
    id: RequestId,
    body: JsonBody<'_, PaymentBody>,
) -> Result<Json<RequestView>, ApiError> {
    let body = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let actor = clerk.0.actor();
    let view = app
        .db
        .run(move |conn| {
            store::record_payment(
                conn,
                &actor,
                &id,
                body.method,
                body.receipt_no.as_deref(),
                Some(&request_id.0),
            )
        })
        .await?;
    Ok(Json(view))
}

/// An official changes the fee (`{"fee_vnd": 4000, "reason": "…"}`), audited.
#[put("/<id>/fee", data = "<body>")]
async fn change_fee(
    app: &State<App>,
    official: Official,
    _office: AtOffice<true>,
    request_id: HttpRequestId,
    id: RequestId,
    body: JsonBody<'_, FeeChange>,
) -> Result<Json<RequestView>, ApiError> {
    let change = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let actor = official.0.actor();
    let view = app
        .db
        .run(move |conn| store::change_fee(conn, &actor, &id, &change, Some(&request_id.0)))
        .await?;
    Ok(Json(view))
}

/// The review queue: the office's requests awaiting certification, oldest result date
/// first.
#[get("/queue")]
async fn queue(app: &State<App>, official: Official) -> Result<Json<Vec<RequestView>>, ApiError> {
    let actor = official.0.actor();
    let filter = RequestFilter {
        states: vec![RequestState::AwaitingCertification],
        ..RequestFilter::default()
    };
    let listed = app
        .db
        .run(move |conn| store::list_at_office(conn, &actor, &filter))
        .await?;
    Ok(Json(listed))
}

/// A certified request with its copy.
#[derive(Debug, Serialize)]
struct Certified {
    request: RequestView,
    copy: CopyView,
}

/// Certifies one request (runs the issuance: number, statement, the official's signature,
/// the office seal).
#[post("/<id>/certify")]
async fn certify(
    app: &State<App>,
    official: Official,
    _office: AtOffice<true>,
    request_id: HttpRequestId,
    id: RequestId,
) -> Result<(Status, Json<Certified>), ApiError> {
    let outcome = app
        .certification()
        .certify(&official.0.user, &id, Some(request_id.0))
        .await?;
    Ok((
        Status::Created,
        Json(Certified {
            copy: CopyView::new(&outcome.entry, &app.config.base_url),
            request: outcome.request,
        }),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchBody {
    ids: Vec<RequestId>,
}

/// One line of a batch answer.
#[derive(Debug, Serialize)]
struct BatchLine {
    id: RequestId,
    #[serde(skip_serializing_if = "Option::is_none")]
    certified: Option<Certified>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<BatchError>,
}

/// Why one request of a batch was not certified.
#[derive(Debug, Serialize)]
struct BatchError {
    status: u16,
    code: &'static str,
    message_vi: String,
    message_en: String,
}

/// Certifies several requests, each with its own number (`{"ids": [...]}`, at most 50);
/// the answer has one line per request, certified or with its error.
#[post("/certify-batch", data = "<body>")]
async fn certify_batch(
    app: &State<App>,
    official: Official,
    request_id: HttpRequestId,
    body: JsonBody<'_, BatchBody>,
) -> Result<Json<Vec<BatchLine>>, ApiError> {
    let body = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let outcomes = app
        .certification()
        .certify_batch(&official.0.user, &body.ids, Some(request_id.0))
        .await?;
    Ok(Json(
        outcomes
            .into_iter()
            .map(|(id, outcome)| match outcome {
                Ok(outcome) => BatchLine {
                    id,
                    certified: Some(Certified {
                        copy: CopyView::new(&outcome.entry, &app.config.base_url),
                        request: outcome.request,
                    }),
                    error: None,
                },
                Err(error) => {
                    let public = error.public();
                    BatchLine {
                        id,
                        certified: None,
                        error: Some(BatchError {
                            status: public.status,
                            code: public.code,
                            message_vi: public.message_vi,
                            message_en: public.message_en,
                        }),
                    }
                }
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SendBackBody {
    reason: String,
}

/// Sends a request back to the desk with a reason.
#[post("/<id>/send-back", data = "<body>")]
async fn send_back(
    app: &State<App>,
    official: Official,
    _office: AtOffice<true>,
    request_id: HttpRequestId,
    id: RequestId,
    body: JsonBody<'_, SendBackBody>,
) -> Result<Json<RequestView>, ApiError> {
    let body = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let actor = official.0.actor();
    let view = app
        .db
        .run(move |conn| store::send_back(conn, &actor, &id, &body.reason, Some(&request_id.0)))
        .await?;
    Ok(Json(view))
}

/// The citizen's requests (those their account booked; once verified, all under their ID).
#[get("/me/requests")]
async fn mine(app: &State<App>, citizen: Citizen) -> Result<Json<Vec<RequestView>>, ApiError> {
    Ok(Json(
        app.certification()
            .citizen_requests(&citizen.0.user)
            .await?,
    ))
}

/// The signed refusal notice (PDF).
#[get("/certification-requests/<id>/refusal-notice")]
async fn refusal_notice(
    app: &State<App>,
    viewer: AuthUser,
    id: RequestId,
) -> Result<FileAnswer, ApiError> {
    let bytes = app
        .certification()
        .refusal_notice_pdf(&viewer.user, &id)
        .await?;
    Ok(FileAnswer {
        bytes,
        content_type: rocket::http::ContentType::PDF,
        disposition: Header::new(
            "Content-Disposition",
            format!("attachment; filename=\"thong-bao-tu-choi-{id}.pdf\""),
        ),
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PracticeBody {
    single_person_operation: bool,
}

/// Sets whether an office works with one person (the clerk who scanned may certify; the
/// register line says so).
#[put("/admin/offices/<office_id>/practice", data = "<body>")]
async fn office_practice(
    app: &State<App>,
    admin: Admin,
    request_id: HttpRequestId,
    office_id: OfficeId,
    body: JsonBody<'_, PracticeBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let body = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let actor = admin.0.actor();
    let (office, single) = (office_id.clone(), body.single_person_operation);
    app.db
        .run(move |conn| set_single_person(conn, &actor, &office, single, Some(&request_id.0)))
        .await?;
    Ok(Json(serde_json::json!({
        "office_id": office_id,
        "single_person_operation": body.single_person_operation,
    })))
}
