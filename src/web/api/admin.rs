//! `/api/v1/admin/*`: offices, staff accounts, agencies and their API keys, audit log
//! (the account lifecycle routes are in `admin_accounts`).
//! Admin only; every action is audited by the domain functions.

use crate::web::json_body::JsonBody;
use rocket::http::Status;
use rocket::serde::json::{Json, Value, json};
use rocket::{Route, State, get, post, routes};
use serde::{Deserialize, Serialize};

use super::booking_input::parse_date;
use super::views::UserView;
use crate::app::App;
use crate::audit::AuditFilter;
use crate::auth::{self, AuthError, NewAgency, NewOffice, NewStaff};
use crate::booking::BookingError;
use crate::db::ids::{OfficeId, UserId};
use crate::db::models::{AuditEntry, Office, OfficialGrant};
use crate::web::guards::Admin;
use crate::web::{ApiError, RequestId};

pub fn routes() -> Vec<Route> {
    routes![
        create_office,
        create_staff,
        create_agency,
        create_api_key,
        audit_log
    ]
}

/// Issues development certificates for new offices and officials when the development
/// PKI is on ([`App::provision_dev_certificates`]).
pub(super) async fn provision_dev_certificates(app: &App) -> Result<(), ApiError> {
    app.provision_dev_certificates().await.map_err(|internal| {
        let mut api = ApiError::for_status(Status::InternalServerError);
        api.internal = Some(internal);
        api
    })
}

#[post("/offices", data = "<body>")]
async fn create_office(
    app: &State<App>,
    admin: Admin,
    request_id: RequestId,
    body: JsonBody<'_, NewOffice>,
) -> Result<(Status, Json<Office>), ApiError> {
    let request = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let actor = admin.0.actor();
    let office = app
        .db
        .run(move |conn| auth::create_office(conn, &actor, &request, Some(&request_id.0)))
        .await?;
    provision_dev_certificates(app).await?;
    Ok((Status::Created, Json(office)))
}

/// A new staff account, for role `official` the pending request for that role, and the
/// temporary password when none was given (answered only this once).
#[derive(Debug, Serialize)]
struct StaffCreated {
    #[serde(flatten)]
    account: UserView,
    #[serde(skip_serializing_if = "Option::is_none")]
    official_grant: Option<OfficialGrant>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temporary_password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temporary_password_expires_at: Option<String>,
}

/// Creates a clerk or an admin (201). Role `official` creates a clerk of the office and a
/// request for the official role that a second person must approve (202, with the
/// request under `official_grant`). Without `password`, the account gets a temporary one
/// (`temporary_password`, answered once) to change at the first sign-in.
#[post("/staff", data = "<body>")]
async fn create_staff(
    app: &State<App>,
    admin: Admin,
    request_id: RequestId,
    body: JsonBody<'_, NewStaff>,
) -> Result<(Status, Json<StaffCreated>), ApiError> {
    let request = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let actor = admin.0.actor();
    let created = app
        .auth()
        .create_staff(actor, request, Some(request_id.0))
        .await?;
    let status = if created.official_grant.is_some() {
        Status::Accepted
    } else {
        Status::Created
    };
    let temporary = created.temporary_password;
    Ok((
        status,
        Json(StaffCreated {
            account: UserView::from(&created.user),
            official_grant: created.official_grant,
            temporary_password_expires_at: temporary
                .as_ref()
                .map(|t| crate::local_time::utc_text(t.expires_at)),
            temporary_password: temporary.map(|t| t.password),
        }),
    ))
}

#[post("/agencies", data = "<body>")]
async fn create_agency(
    app: &State<App>,
    admin: Admin,
    request_id: RequestId,
    body: JsonBody<'_, NewAgency>,
) -> Result<(Status, Json<Value>), ApiError> {
    let request = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let actor = admin.0.actor();
    let (agency, key) = app
        .auth()
        .create_agency(actor, request, Some(request_id.0))
        .await?;
    Ok((
        Status::Created,
        Json(json!({ "agency": UserView::from(&agency), "api_key": key })),
    ))
}

#[derive(Debug, Deserialize)]
struct NewKey {
    label: String,
}

#[post("/agencies/<agency_id>/api-keys", data = "<body>")]
async fn create_api_key(
    app: &State<App>,
    admin: Admin,
    request_id: RequestId,
    agency_id: UserId,
    body: JsonBody<'_, NewKey>,
) -> Result<(Status, Json<Value>), ApiError> {
    let request = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let actor = admin.0.actor();
    let key = app
        .db
        .run(move |conn| {
            auth::issue_api_key(
                conn,
                &actor,
                &agency_id,
                &request.label,
                Some(&request_id.0),
            )
        })
        .await?;
    Ok((Status::Created, Json(json!({ "api_key": key }))))
}

/// The audit log, newest first: `limit` rows (default 100, at most 1,000), narrowed by
/// `actor` (username or id), `office` (id), `action` (`office.create`, or `account` for
/// every `account.*`), `from`/`to` (Viet Nam local dates `YYYY-MM-DD`, inclusive), and
/// `before` (only rows older than this `id`: the next page).
#[allow(clippy::too_many_arguments)]
#[get("/audit?<limit>&<actor>&<office>&<action>&<from>&<to>&<before>")]
async fn audit_log(
    app: &State<App>,
    _admin: Admin,
    limit: Option<i64>,
    actor: Option<String>,
    office: Option<&str>,
    action: Option<String>,
    from: Option<&str>,
    to: Option<&str>,
    before: Option<&str>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let limit = limit.unwrap_or(100);
    let filter = AuditFilter {
        actor,
        office_id: office
            .map(|text| OfficeId::parse(text).ok_or(BookingError::InvalidField("office")))
            .transpose()?,
        action,
        from: from.map(|text| parse_date(text, "from")).transpose()?,
        to: to.map(|text| parse_date(text, "to")).transpose()?,
        before: before
            .map(|text| {
                text.trim()
                    .parse()
                    .map_err(|_| BookingError::InvalidField("before"))
            })
            .transpose()?,
    };
    let rows = app
        .db
        .run(move |conn| crate::audit::search(conn, &filter, limit).map_err(AuthError::from))
        .await?;
    Ok(Json(rows))
}
