//! Reuse of copies over HTTP (docs/ARCHITECTURE.md §13).
//!
//! - Citizens (verified ID): `GET /api/v1/me/wallet` (every copy with its shares and the
//!   uses agencies made of it), `GET /api/v1/me/wallet/{copy}`, `POST
//!   /api/v1/me/wallet/{copy}/shares` (`{purpose, procedure_code?, agency_id?, days?,
//!   max_uses?}` → the share and its code, shown once), `POST
//!   /api/v1/me/shares/{id}/revoke`; `GET /api/v1/agencies` (the agencies a share may name).
//! - Agencies (API key): `POST /api/v1/shares/redeem` `{code}` → the copy's register facts,
//!   the share's purpose and the verification report of the stored file (one use
//!   counted); `POST /api/v1/shares/pdf` `{code}` → the PDF, for an agency that redeemed
//!   the share. The code travels in the body, never in a URL, so no log or referrer
//!   carries it.

use rocket::http::{Header, Status};
use rocket::serde::json::Json;
use rocket::{Responder, Route, State, get, post, routes};
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::db::ids::{CopyId, ShareId};
use crate::db::now_utc;
use crate::registry::copies::CopyView;
use crate::registry::status_cache;
use crate::registry::verifying::Requester;
use crate::reuse::{self, AgencyRef, NewShare, NewShareAnswer, ShareView, WalletCopy};
use crate::verification::{DocumentReport, Indication, RegisterStatus};
use crate::web::api::verifications::PdfBody;
use crate::web::error::ErrorBody;
use crate::web::guards::{Agency, AuthUser, Citizen};
use crate::web::json_body::JsonBody;
use crate::web::{ApiError, RequestId};

pub fn routes() -> Vec<Route> {
    routes![wallet, wallet_copy, share, revoke, agencies, redeem, pdf]
}

/// The citizen's copies with their history.
#[get("/me/wallet")]
async fn wallet(app: &State<App>, citizen: Citizen) -> Result<Json<Vec<WalletCopy>>, ApiError> {
    let base = app.config.base_url.clone();
    let user = citizen.0.user;
    Ok(Json(
        app.db
            .run(move |conn| reuse::wallet(conn, &user, &base, now_utc()))
            .await?,
    ))
}

/// One copy of the wallet.
#[get("/me/wallet/<id>")]
async fn wallet_copy(
    app: &State<App>,
    citizen: Citizen,
    id: CopyId,
) -> Result<Json<WalletCopy>, ApiError> {
    let base = app.config.base_url.clone();
    let user = citizen.0.user;
    Ok(Json(
        app.db
            .run(move |conn| reuse::wallet_copy(conn, &user, &id, &base, now_utc()))
            .await?,
    ))
}

/// Shares a copy: `201` with the share and its code (shown only this once).
#[post("/me/wallet/<id>/shares", data = "<body>")]
async fn share(
    app: &State<App>,
    citizen: Citizen,
    request_id: RequestId,
    id: CopyId,
    body: JsonBody<'_, NewShare>,
) -> Result<(Status, Json<NewShareAnswer>), ApiError> {
    let request = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let user = citizen.0.user;
    let answer = app
        .db
        .run(move |conn| reuse::share(conn, &user, &id, &request, now_utc(), Some(&request_id.0)))
        .await?;
    Ok((Status::Created, Json(answer)))
}

/// Revokes a share at once.
#[post("/me/shares/<id>/revoke")]
async fn revoke(
    app: &State<App>,
    citizen: Citizen,
    request_id: RequestId,
    id: ShareId,
) -> Result<Json<ShareView>, ApiError> {
    let user = citizen.0.user;
    Ok(Json(
        app.db
            .run(move |conn| reuse::revoke(conn, &user, &id, now_utc(), Some(&request_id.0)))
            .await?,
    ))
}

/// The agencies a share may name.
#[get("/agencies")]
async fn agencies(app: &State<App>, _user: AuthUser) -> Result<Json<Vec<AgencyRef>>, ApiError> {
    Ok(Json(app.db.run(reuse::agencies).await?))
}

/// A share code, sent in the body so that no URL or log carries it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CodeBody {
    /// The code the citizen gave the agency.
    #[schema(example = "mCf5lgASaSbO6ecZl4Tfssr9ofws7-tUHgOzCzAqbzI")]
    code: String,
}

/// The share as the agency sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct SharedFacts {
    purpose: String,
    procedure_code: Option<String>,
    /// Until when it may be used (UTC).
    #[serde(with = "crate::local_time::serde_formats::utc_timestamp")]
    expires_at: time::PrimitiveDateTime,
    /// Uses so far, this one included.
    uses: i32,
    /// At most this many uses (none: until it expires).
    max_uses: Option<i32>,
}

/// What a redemption answers: the copy, the share, the report of the stored file.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Redeemed {
    /// The copy's register facts.
    copy: CopyView,
    /// What the citizen shared it for.
    share: SharedFacts,
    /// The verification report of the stored file.
    verification: DocumentReport,
}

/// An agency redeems a share (one use counted and recorded for the citizen to see).
#[utoipa::path(
    post,
    path = "/api/v1/shares/redeem",
    tag = "agency",
    operation_id = "redeem_share",
    summary = "Redeem a citizen's share code: the copy, the share and a fresh verification report",
    description = "Counts one use of the share and records it for the citizen to see. An expired, revoked or used-up share answers `410`; a share named for another agency is not found.",
    request_body = CodeBody,
    responses(
        (status = 200, description = "The copy, the share and the report", body = Redeemed),
        (status = 410, description = "The share expired, was revoked or has no use left", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[post("/shares/redeem", data = "<body>")]
async fn redeem(
    app: &State<App>,
    agency: Agency,
    request_id: RequestId,
    body: JsonBody<'_, CodeBody>,
) -> Result<Json<Redeemed>, ApiError> {
    let code = body.map_err(|e| ApiError::bad_json(&e))?.into_inner().code;
    let user = agency.0.user;
    let rid = request_id.0.clone();
    let generation = status_cache::generation();
    let (entry, share) = app
        .db
        .run(move |conn| reuse::redeem(conn, &user, &code, now_utc(), Some(&rid)))
        .await?;
    // The report of a valid copy's stored file is kept a few seconds (an annulment here
    // empties the cache at once): agencies redeem the same shared copies again and again.
    let digest = entry.file_digest().unwrap_or_default().to_owned();
    let verification = match app.report_cache.get(&digest) {
        Some(report) => report,
        None => {
            let bytes = stored_copy(app, &entry).await?;
            // The redemption is recorded itself; the report is made without a second record.
            let verifier = app.verifier();
            let admitted = verifier.admit(Requester::Operator).await?;
            let report = verifier
                .verify(&admitted, bytes, Some(&request_id.0))
                .await?;
            let valid = report.verdict == Indication::TotalPassed
                && matches!(report.register, Some(RegisterStatus::Found { .. }));
            if valid {
                app.report_cache.put(digest, report.clone(), generation);
            }
            report
        }
    };
    Ok(Json(Redeemed {
        copy: CopyView::new(&entry, &app.config.base_url),
        share: SharedFacts {
            purpose: share.purpose,
            procedure_code: share.procedure_code,
            expires_at: share.expires_at,
            uses: share.uses,
            max_uses: share.max_uses,
        },
        verification,
    }))
}

async fn stored_copy(
    app: &App,
    entry: &crate::db::models::RegisterEntry,
) -> Result<Vec<u8>, ApiError> {
    let digest = crate::storage::Sha256Hex::parse(entry.file_digest().unwrap_or(""))
        .map_err(|_| ApiError::from(reuse::ReuseError::ShareNotFound))?;
    app.blobs.get(&digest).await.map_err(|e| {
        let mut error = ApiError::for_status(Status::InternalServerError);
        error.internal = Some(format!("copy {}: {e}", entry.id));
        error
    })
}

/// A PDF answer.
#[derive(Responder)]
#[response(content_type = "pdf")]
struct SharedPdf {
    bytes: Vec<u8>,
    disposition: Header<'static>,
}

/// The PDF of a share the agency redeemed (no further use counted).
#[utoipa::path(
    post,
    path = "/api/v1/shares/pdf",
    tag = "agency",
    operation_id = "shared_pdf",
    summary = "The PDF of a share the agency has redeemed",
    request_body = CodeBody,
    responses(
        (status = 200, description = "The signed copy", content_type = "application/pdf", body = PdfBody),
        (status = 410, description = "The share expired or was revoked", body = ErrorBody),
    ),
    security(("api_key" = []))
)]
#[post("/shares/pdf", data = "<body>")]
async fn pdf(
    app: &State<App>,
    agency: Agency,
    body: JsonBody<'_, CodeBody>,
) -> Result<SharedPdf, ApiError> {
    let code = body.map_err(|e| ApiError::bad_json(&e))?.into_inner().code;
    let user = agency.0.user;
    let entry = app
        .db
        .run(move |conn| reuse::redeemed_copy(conn, &user, &code, now_utc()))
        .await?;
    let bytes = stored_copy(app, &entry).await?;
    Ok(SharedPdf {
        bytes,
        disposition: Header::new(
            "Content-Disposition",
            format!(
                "attachment; filename=\"ban-sao-chung-thuc-{}-{}.pdf\"",
                entry.sequence, entry.year
            ),
        ),
    })
}
