//! `/api/v1/official-grants`: requests for the official role (signing power) and their
//! approval by a second person — the office's head official or another admin
//! ([`crate::auth`]'s `grants` module says who may do what).

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{Route, State, get, post, routes};
use serde::Deserialize;

use super::admin::provision_dev_certificates;
use crate::app::App;
use crate::auth::{self, AuthError};
use crate::db::ids::{GrantId, UserId};
use crate::db::models::{GrantStatus, OfficialGrant};
use crate::web::guards::{Admin, AuthUser};
use crate::web::json_body::JsonBody;
use crate::web::{ApiError, RequestId};

pub fn routes() -> Vec<Route> {
    routes![list, request, approve, refuse]
}

/// Requests visible to the caller: all for admins, their office's for a head official.
#[get("/?<status>")]
async fn list(
    app: &State<App>,
    viewer: AuthUser,
    status: Option<&str>,
) -> Result<Json<Vec<OfficialGrant>>, ApiError> {
    let status = match status {
        None => None,
        Some(text) => Some(
            GrantStatus::parse(text)
                .ok_or_else(|| ApiError::from(AuthError::InvalidField("status")))?,
        ),
    };
    let grants = app
        .db
        .run(move |conn| auth::list_official_grants(conn, &viewer.user, status))
        .await?;
    Ok(Json(grants))
}

#[derive(Debug, Deserialize)]
struct GrantRequest {
    user_id: UserId,
    position: String,
}

/// An admin asks for the official role for a clerk of an office.
#[post("/", data = "<body>")]
async fn request(
    app: &State<App>,
    admin: Admin,
    request_id: RequestId,
    body: JsonBody<'_, GrantRequest>,
) -> Result<(Status, Json<OfficialGrant>), ApiError> {
    let body = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let actor = admin.0.actor();
    let grant = app
        .db
        .run(move |conn| {
            auth::request_official_grant(
                conn,
                &actor,
                &body.user_id,
                &body.position,
                Some(&request_id.0),
            )
        })
        .await?;
    Ok((Status::Created, Json(grant)))
}

/// A second person approves: the account becomes an official (and, with the
/// development PKI, gets its signing certificate).
#[post("/<grant_id>/approve")]
async fn approve(
    app: &State<App>,
    decider: AuthUser,
    request_id: RequestId,
    grant_id: GrantId,
) -> Result<Json<OfficialGrant>, ApiError> {
    let grant = decide(app, decider, request_id, grant_id, None).await?;
    provision_dev_certificates(app).await?;
    Ok(Json(grant))
}

#[derive(Debug, Deserialize)]
struct Refusal {
    reason: String,
}

/// A second person refuses, with a reason; the account stays a clerk.
#[post("/<grant_id>/refuse", data = "<body>")]
async fn refuse(
    app: &State<App>,
    decider: AuthUser,
    request_id: RequestId,
    grant_id: GrantId,
    body: JsonBody<'_, Refusal>,
) -> Result<Json<OfficialGrant>, ApiError> {
    let reason = body
        .map_err(|e| ApiError::bad_json(&e))?
        .into_inner()
        .reason;
    Ok(Json(
        decide(app, decider, request_id, grant_id, Some(reason)).await?,
    ))
}

/// Approves (no refusal reason) or refuses the request.
async fn decide(
    app: &App,
    decider: AuthUser,
    request_id: RequestId,
    grant_id: GrantId,
    refusal_reason: Option<String>,
) -> Result<OfficialGrant, ApiError> {
    Ok(app
        .db
        .run(move |conn| {
            auth::decide_official_grant(
                conn,
                &decider.user,
                &grant_id,
                refusal_reason.is_none(),
                refusal_reason.as_deref(),
                Some(&request_id.0),
            )
        })
        .await?)
}
