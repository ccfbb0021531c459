//! `/api/v1/auth/*` and `/api/v1/me`.

use crate::web::json_body::JsonBody;
use rocket::http::{Cookie, CookieJar, Status};
use rocket::serde::json::{Json, Value, json};
use rocket::{Route, State, get, post, routes};
use serde::Deserialize;

use super::views::UserView;
use crate::app::App;
use crate::auth::{self, LoginAttempt, RegisterCitizen};
use crate::web::client::ClientAddress;
use crate::web::guards::{Citizen, Credential, SESSION_COOKIE, SignedIn};
use crate::web::{ApiError, RequestId};

pub fn routes() -> Vec<Route> {
    routes![register, login, logout]
}

pub fn me_routes() -> Vec<Route> {
    routes![me, identity_code]
}

/// Citizen self-registration: `202 Accepted` with the same body whether the details were
/// new (an account is made, its citizen ID only claimed) or a phone/e-mail already belongs
/// to an account (none is made; its owner is told). What happened goes to the contacts
/// through the outbox, so the answer reveals nothing about who has an account.
#[post("/register", data = "<body>")]
async fn register(
    app: &State<App>,
    client: ClientAddress,
    body: JsonBody<'_, RegisterCitizen>,
) -> Result<(Status, Json<Value>), ApiError> {
    let request = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let now = app.booking.clock.now();
    app.auth().register(request, client.0, now).await?;
    Ok((
        Status::Accepted,
        Json(json!({
            "status": "accepted",
            "message_vi": "Nếu thông tin là mới, tài khoản của bạn đã được tạo. Chúng tôi đã gửi tin nhắn tới số điện thoại hoặc thư điện tử bạn khai; hãy đăng nhập bằng số điện thoại hoặc thư điện tử đó.",
            "message_en": "If the details are new, your account has been created. We sent a message to the phone or e-mail you gave; log in with that phone or e-mail.",
        })),
    ))
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
    let attempt = LoginAttempt {
        login: request.login,
        password: request.password,
        client: client.0,
        request_id: Some(request_id.0),
    };
    let outcome = app.auth().login(attempt, app.booking.clock.now()).await?;
    cookies.add_private(crate::web::guards::session_cookie(
        app,
        outcome.token.clone(),
    ));
    let expires_at = outcome
        .expires_at
        .assume_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    Ok(Json(json!({
        "token": outcome.token,
        "token_type": "Bearer",
        "expires_at": expires_at,
        "password_change_required": outcome.password_change_required,
        "user": UserView::from(&outcome.user),
    })))
}

/// Ends the current session (token or cookie).
#[post("/logout")]
async fn logout(
    app: &State<App>,
    cookies: &CookieJar<'_>,
    signed_in: SignedIn,
) -> Result<Status, ApiError> {
    let user = signed_in.0;
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

/// The signed-in account, and whether it must change a temporary password first.
#[get("/me")]
fn me(signed_in: SignedIn) -> Json<Value> {
    let user = signed_in.0;
    let mut view = json!(UserView::from(&user.user));
    view["password_change_required"] = json!(user.password_change_required);
    Json(view)
}

/// A fresh one-time code for proving the account's citizen ID at an office desk, with its
/// QR code (SVG). Replaces any earlier code; shown only this once.
#[post("/me/identity/code")]
async fn identity_code(
    app: &State<App>,
    citizen: Citizen,
) -> Result<(Status, Json<Value>), ApiError> {
    let user = citizen.0.user;
    let issued = app
        .db
        .run(move |conn| auth::request_identity_code(conn, &user))
        .await?;
    let qr_svg = crate::booking::qr_svg(&issued.code).map_err(|e| {
        let mut error = ApiError::for_status(Status::InternalServerError);
        error.internal = Some(format!("identity code QR: {e}"));
        error
    })?;
    Ok((
        Status::Created,
        Json(json!({
            "code": issued.code,
            "qr_svg": qr_svg,
            "expires_at": crate::local_time::utc_text(issued.expires_at),
            "message_vi": format!("Đưa mã này (hoặc mã QR) cùng thẻ căn cước cho cán bộ tại bộ phận một cửa trong {} phút.", auth::IDENTITY_CODE_TTL_MINUTES),
            "message_en": format!("Show this code (or the QR code) with your ID card to a clerk at the office desk within {} minutes.", auth::IDENTITY_CODE_TTL_MINUTES),
        })),
    ))
}
