//! `/api/v1/desk`: the office desk (clerks, and officials of the office). Today's list,
//! check-in by booking code, status changes, walk-ins, and confirming a citizen's ID from
//! the one-time code their account shows; every change is audited.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{Route, State, get, post, routes};
use serde::Deserialize;

use super::appointments::Receipt;
use super::booking_input::{parse_date, parse_instant};
use crate::app::App;
use crate::auth::{self, DeskConfirmation};
use crate::booking::AppointmentView;
use crate::booking::store::{self, DeskDay, WalkIn};
use crate::db::ids::AppointmentId;
use crate::db::models::AppointmentStatus;
use crate::fees::DocumentRequest;
use crate::web::guards::Clerk;
use crate::web::json_body::JsonBody;
use crate::web::{ApiError, RequestId};

pub fn routes() -> Vec<Route> {
    routes![
        day,
        check_in,
        change_status,
        no_show,
        walk_in,
        confirm_identity
    ]
}

/// The office's appointments of `date` (`YYYY-MM-DD`, default today).
#[get("/appointments?<date>")]
async fn day(
    app: &State<App>,
    clerk: Clerk,
    date: Option<&str>,
) -> Result<Json<DeskDay>, ApiError> {
    let date = date.map(|text| parse_date(text, "date")).transpose()?;
    let actor = clerk.0.actor();
    let ctx = app.booking.clone();
    let listed = app
        .db
        .run(move |conn| store::desk_day(conn, &ctx, &actor, date))
        .await?;
    Ok(Json(listed))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckInBody {
    booking_code: String,
}

/// Checks a citizen in by booking code (typed or scanned from the QR).
#[post("/check-in", data = "<body>")]
async fn check_in(
    app: &State<App>,
    clerk: Clerk,
    request_id: RequestId,
    body: JsonBody<'_, CheckInBody>,
) -> Result<Json<AppointmentView>, ApiError> {
    let body = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let actor = clerk.0.actor();
    let ctx = app.booking.clone();
    let view = app
        .db
        .run(move |conn| {
            store::check_in(conn, &ctx, &actor, &body.booking_code, Some(&request_id.0))
        })
        .await?;
    Ok(Json(view))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusBody {
    status: AppointmentStatus,
}

/// Moves an appointment of the office to `status` (`checked_in`, `in_service`, `done`,
/// `cancelled`, `no_show`).
#[post("/appointments/<id>/status", data = "<body>")]
async fn change_status(
    app: &State<App>,
    clerk: Clerk,
    request_id: RequestId,
    id: AppointmentId,
    body: JsonBody<'_, StatusBody>,
) -> Result<Json<AppointmentView>, ApiError> {
    let to = body
        .map_err(|e| ApiError::bad_json(&e))?
        .into_inner()
        .status;
    desk_change(app, clerk, request_id, id, to).await
}

/// Records a no-show (only after the office's grace period).
#[post("/appointments/<id>/no-show")]
async fn no_show(
    app: &State<App>,
    clerk: Clerk,
    request_id: RequestId,
    id: AppointmentId,
) -> Result<Json<AppointmentView>, ApiError> {
    desk_change(app, clerk, request_id, id, AppointmentStatus::NoShow).await
}

async fn desk_change(
    app: &State<App>,
    clerk: Clerk,
    request_id: RequestId,
    id: AppointmentId,
    to: AppointmentStatus,
) -> Result<Json<AppointmentView>, ApiError> {
    let actor = clerk.0.actor();
    let ctx = app.booking.clone();
    let view = app
        .db
        .run(move |conn| store::change_status(conn, &ctx, &actor, &id, to, Some(&request_id.0)))
        .await?;
    Ok(Json(view))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WalkInBody {
    full_name: String,
    citizen_id: String,
    documents: Vec<DocumentRequest>,
    #[serde(default)]
    slot_start: Option<String>,
}

/// Creates a walk-in appointment (checked in at once; takes a seat of today's slots).
#[post("/walk-ins", data = "<body>")]
async fn walk_in(
    app: &State<App>,
    clerk: Clerk,
    request_id: RequestId,
    body: JsonBody<'_, WalkInBody>,
) -> Result<(Status, Json<Receipt>), ApiError> {
    let body = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let request = WalkIn {
        full_name: body.full_name,
        citizen_id: body.citizen_id,
        documents: body.documents,
        slot_start: body
            .slot_start
            .as_deref()
            .map(|text| parse_instant(text, "slot_start"))
            .transpose()?,
    };
    let actor = clerk.0.actor();
    let ctx = app.booking.clone();
    let created = app
        .db
        .run(move |conn| store::walk_in(conn, &ctx, &actor, &request, Some(&request_id.0)))
        .await?;
    Ok((Status::Created, Json(Receipt::new(app, created))))
}

/// Confirms a citizen account's ID at the desk: `{code, citizen_id}` with the number read
/// from the physical ID card. Answers the verified account (no contacts).
#[post("/identity-confirmations", data = "<body>")]
async fn confirm_identity(
    app: &State<App>,
    clerk: Clerk,
    request_id: RequestId,
    body: JsonBody<'_, DeskConfirmation>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let body = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let actor = clerk.0.actor();
    let user = app
        .db
        .run(move |conn| auth::confirm_at_desk(conn, &actor, &body, Some(&request_id.0)))
        .await?;
    Ok(Json(serde_json::json!({
        "user_id": user.id,
        "full_name": user.full_name,
        "citizen_id": user.citizen_id,
        "identity_verified_at": user.identity_verified_at.map(crate::local_time::utc_text),
        "identity_verified_via": user.identity_verified_via,
    })))
}
