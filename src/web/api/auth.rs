//! `/api/v1/auth/*` and `/api/v1/me`.

use crate::web::json_body::JsonBody;
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::serde::json::{Json, Value, json};
use rocket::{Route, State, get, post, routes};
use serde::Deserialize;

use super::views::UserView;
use crate::app::App;
use crate::auth::{LoginAttempt, RegisterCitizen};
use crate::web::client::ClientAddress;
use crate::web::guards::{AuthUser, Credential, SESSION_COOKIE};
use crate::web::{ApiError, RequestId};

pub fn routes() -> Vec<Route> {
    routes![register, login, logout]
}

pub fn me_routes() -> Vec<Route> {
    routes![me]
}

/// Citizen self-registration (throttled per client address and citizen ID).
#[post("/register", data = "<body>")]
async fn register(
    app: &State<App>,
    client: ClientAddress,
    body: JsonBody<'_, RegisterCitizen>,
) -> Result<(Status, Json<UserView>), ApiError> {
    let request = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let now = app.booking.clock.now();
    let user = app.auth().register(request, client.0, now).await?;
    Ok((Status::Created, Json(UserView::from(&user))))
}

#[derive(Debug, Deserialize)]
struct LoginRequest {
    login: String,
    password: String,
}

/// Login with citizen ID / username / phone / e-mail and password (throttled per account
/// name and client address). Answers the bearer token and also sets it in a private
/// cookie for pages.
#[post("/login", data = "<body>")]
async fn login(
    app: &State<App>,
    cookies: &CookieJar<'_>,
    request_id: RequestId,
    client: ClientAddress,
    body: JsonBody<'_, LoginRequest>,
) -> Result<Json<Value>, ApiError> {
    let request = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let hours = app.config.session_hours;
    let attempt = LoginAttempt {
        login: request.login,
        password: request.password,
        client: client.0,
        request_id: Some(request_id.0),
    };
    let outcome = app.auth().login(attempt, app.booking.clock.now()).await?;
    let mut cookie = Cookie::new(SESSION_COOKIE, outcome.token.clone());
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    // Over HTTPS the session cookie never travels in clear.
    cookie.set_secure(app.config.base_url.starts_with("https://"));
    cookie.set_path("/");
    cookie.set_max_age(time::Duration::hours(i64::from(hours)));
    cookies.add_private(cookie);
    let expires_at = outcome
        .expires_at
        .assume_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    Ok(Json(json!({
        "token": outcome.token,
        "token_type": "Bearer",
        "expires_at": expires_at,
        "user": UserView::from(&outcome.user),
    })))
}

/// Ends the current session (token or cookie).
#[post("/logout")]
async fn logout(
    app: &State<App>,
    cookies: &CookieJar<'_>,
    user: AuthUser,
) -> Result<Status, ApiError> {
    cookies.remove_private(Cookie::from(SESSION_COOKIE));
    if let Credential::Session { token_hash } = user.credential {
        app.db
            .run(move |conn| {
                use crate::db::models::Session;
                Session::delete(conn, &token_hash).map_err(crate::auth::AuthError::from)
            })
            .await?;
    }
    Ok(Status::NoContent)
}

/// The signed-in account.
#[get("/me")]
fn me(user: AuthUser) -> Json<UserView> {
    Json(UserView::from(&user.user))
}
