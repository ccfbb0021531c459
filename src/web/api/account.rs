//! `/api/v1/me/password`: a signed-in person changes their own password (also the only
//! thing a session opened with a temporary password may do).

use rocket::serde::json::{Json, Value, json};
use rocket::{Route, State, post, routes};
use serde::Deserialize;

use crate::app::App;
use crate::web::guards::{Credential, SignedIn};
use crate::web::json_body::JsonBody;
use crate::web::{ApiError, RequestId};

pub fn routes() -> Vec<Route> {
    routes![change_password]
}

#[derive(Debug, Deserialize)]
struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// Changes the password; the session in use stays open, the account's others end.
#[post("/me/password", data = "<body>")]
async fn change_password(
    app: &State<App>,
    signed_in: SignedIn,
    request_id: RequestId,
    body: JsonBody<'_, PasswordChange>,
) -> Result<Json<Value>, ApiError> {
    let request = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let signed_in = signed_in.0;
    let keep = match &signed_in.credential {
        Credential::Session { token_hash } => Some(token_hash.clone()),
        Credential::ApiKey { .. } => None,
    };
    let ended = app
        .auth()
        .change_password(
            signed_in.user,
            keep,
            request.current_password,
            request.new_password,
            Some(request_id.0),
        )
        .await?;
    Ok(Json(json!({ "other_sessions_ended": ended })))
}
