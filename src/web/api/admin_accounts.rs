//! `/api/v1/admin/…` account lifecycle: disable and enable accounts, end their sessions,
//! reset passwords, list and revoke agency API keys, record an office's head official.
//! Admin only; the domain functions ([`crate::auth`]) audit every action.

use rocket::http::Status;
use rocket::serde::json::{Json, Value, json};
use rocket::{Route, State, get, post, put, routes};
use serde::Deserialize;

use crate::app::App;
use crate::auth::{self, ApiKeyView};
use crate::db::ids::{ApiKeyId, OfficeId, UserId};
use crate::db::models::OfficeHead;
use crate::web::guards::Admin;
use crate::web::json_body::JsonBody;
use crate::web::{ApiError, RequestId};

pub fn routes() -> Vec<Route> {
    routes![
        disable_account,
        enable_account,
        end_sessions,
        reset_password,
        list_api_keys,
        revoke_api_key,
        appoint_head
    ]
}

#[derive(Debug, Deserialize)]
struct Reason {
    reason: String,
}

/// Disables an account and ends its sessions (an agency's API keys stop working too).
#[post("/accounts/<user_id>/disable", data = "<body>")]
async fn disable_account(
    app: &State<App>,
    admin: Admin,
    request_id: RequestId,
    user_id: UserId,
    body: JsonBody<'_, Reason>,
) -> Result<Json<Value>, ApiError> {
    let request = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let actor = admin.0.actor();
    let ended = app
        .db
        .run(move |conn| {
            auth::set_account_disabled(
                conn,
                &actor,
                &user_id,
                true,
                Some(&request.reason),
                Some(&request_id.0),
            )
        })
        .await?;
    Ok(Json(json!({ "disabled": true, "sessions_ended": ended })))
}

/// Enables a disabled account.
#[post("/accounts/<user_id>/enable")]
async fn enable_account(
    app: &State<App>,
    admin: Admin,
    request_id: RequestId,
    user_id: UserId,
) -> Result<Json<Value>, ApiError> {
    let actor = admin.0.actor();
    app.db
        .run(move |conn| {
            auth::set_account_disabled(conn, &actor, &user_id, false, None, Some(&request_id.0))
        })
        .await?;
    Ok(Json(json!({ "disabled": false })))
}

/// Ends every login session of an account.
#[post("/accounts/<user_id>/sessions/end")]
async fn end_sessions(
    app: &State<App>,
    admin: Admin,
    request_id: RequestId,
    user_id: UserId,
) -> Result<Json<Value>, ApiError> {
    let actor = admin.0.actor();
    let ended = app
        .db
        .run(move |conn| auth::end_sessions(conn, &actor, &user_id, Some(&request_id.0)))
        .await?;
    Ok(Json(json!({ "sessions_ended": ended })))
}

/// Resets a password to a one-time temporary one, answered once: the admin hands it to
/// the person, who must change it at the next login.
#[post("/accounts/<user_id>/password-reset")]
async fn reset_password(
    app: &State<App>,
    admin: Admin,
    request_id: RequestId,
    user_id: UserId,
) -> Result<Json<Value>, ApiError> {
    let actor = admin.0.actor();
    let issued = app
        .auth()
        .reset_password(actor, user_id, Some(request_id.0))
        .await?;
    let expires_at = issued
        .expires_at
        .assume_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    Ok(Json(json!({
        "temporary_password": issued.password,
        "expires_at": expires_at,
        "password_change_required": true,
    })))
}

#[get("/agencies/<agency_id>/api-keys")]
async fn list_api_keys(
    app: &State<App>,
    _admin: Admin,
    agency_id: UserId,
) -> Result<Json<Vec<ApiKeyView>>, ApiError> {
    let keys = app
        .db
        .run(move |conn| auth::list_api_keys(conn, &agency_id))
        .await?;
    Ok(Json(keys))
}

/// Revokes one API key of an agency, for good.
#[post("/agencies/<agency_id>/api-keys/<key_id>/revoke")]
async fn revoke_api_key(
    app: &State<App>,
    admin: Admin,
    request_id: RequestId,
    agency_id: UserId,
    key_id: ApiKeyId,
) -> Result<Status, ApiError> {
    let actor = admin.0.actor();
    app.db
        .run(move |conn| {
            auth::revoke_api_key(conn, &actor, &agency_id, &key_id, Some(&request_id.0))
        })
        .await?;
    Ok(Status::NoContent)
}

#[derive(Debug, Deserialize)]
struct HeadAppointment {
    user_id: UserId,
}

/// Records the head official of an office (who may approve its further officials).
#[put("/offices/<office_id>/head", data = "<body>")]
async fn appoint_head(
    app: &State<App>,
    admin: Admin,
    request_id: RequestId,
    office_id: OfficeId,
    body: JsonBody<'_, HeadAppointment>,
) -> Result<Json<OfficeHead>, ApiError> {
    let request = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let actor = admin.0.actor();
    let head = app
        .db
        .run(move |conn| {
            auth::appoint_office_head(
                conn,
                &actor,
                &office_id,
                &request.user_id,
                Some(&request_id.0),
            )
        })
        .await?;
    Ok(Json(head))
}
