//! `/api/v1/admin/*`: offices, staff accounts, agencies and their API keys, audit log
//! (the account lifecycle routes are in `admin_accounts`).
//! Admin only; every action is audited by the domain functions.

use crate::web::json_body::JsonBody;
use rocket::http::Status;
use rocket::serde::json::{Json, Value, json};
use rocket::{Route, State, get, post, routes};
use serde::{Deserialize, Serialize};

use super::views::UserView;
use crate::app::App;
use crate::auth::{self, AuthError, NewAgency, NewOffice, NewStaff};
use crate::db::ids::UserId;
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
/// PKI is on (RSA key generation: blocking work).
pub(super) async fn provision_dev_certificates(app: &App) -> Result<(), ApiError> {
    if !app.config.dev_pki {
        return Ok(());
    }
    let app = app.clone();
    let outcome =
        rocket::tokio::task::spawn_blocking(move || app.ensure_dev_pki().map(|_| ())).await;
    match outcome {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => {
            let mut api = ApiError::for_status(Status::InternalServerError);
            api.internal = Some(format!("development PKI: {error}"));
            Err(api)
        }
        Err(join) => {
            let mut api = ApiError::for_status(Status::InternalServerError);
            api.internal = Some(format!("development PKI task: {join}"));
            Err(api)
        }
    }
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

/// A new staff account, and for role `official` the pending request for that role.
#[derive(Debug, Serialize)]
struct StaffCreated {
    #[serde(flatten)]
    account: UserView,
    #[serde(skip_serializing_if = "Option::is_none")]
    official_grant: Option<OfficialGrant>,
}

/// Creates a clerk or an admin (201). Role `official` creates a clerk of the office and a
/// request for the official role that a second person must approve (202, with the
/// request under `official_grant`).
#[post("/staff", data = "<body>")]
async fn create_staff(
    app: &State<App>,
    admin: Admin,
    request_id: RequestId,
    body: JsonBody<'_, NewStaff>,
) -> Result<(Status, Json<StaffCreated>), ApiError> {
    let request = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let actor = admin.0.actor();
    let (user, grant) = app
        .auth()
        .create_staff(actor, request, Some(request_id.0))
        .await?;
    let status = if grant.is_some() {
        Status::Accepted
    } else {
        Status::Created
    };
    Ok((
        status,
        Json(StaffCreated {
            account: UserView::from(&user),
            official_grant: grant,
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

#[get("/audit?<limit>")]
async fn audit_log(
    app: &State<App>,
    _admin: Admin,
    limit: Option<i64>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let limit = limit.unwrap_or(100);
    let rows = app
        .db
        .run(move |conn| crate::audit::latest(conn, limit).map_err(AuthError::from))
        .await?;
    Ok(Json(rows))
}
