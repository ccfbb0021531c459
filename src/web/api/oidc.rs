//! `/api/v1/auth/oidc/*`: login through the national identity provider
//! (docs/ARCHITECTURE.md §9).
//!
//! * `GET /start` sends the browser to the provider (303) and keeps the login's `state`,
//!   `nonce` and PKCE verifier in a private cookie for ten minutes.
//! * `GET /callback` takes the provider's answer: the cookie is removed whatever happens,
//!   and the login's `state` is recorded in the database before the code is exchanged,
//!   so each login is answered once (single use, on any instance); then the rules of [`crate::auth::oidc`] are applied, the session cookie is
//!   set as for a password login, and the browser goes to `after_login_path` (303).
//!
//! Every refusal answers the usual JSON error and is logged for the operator without any
//! token.

use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::response::Redirect;
use rocket::{Route, State, get, routes};

use crate::app::App;
use crate::auth::oidc::{self, Callback, OidcError, PendingLogin, RelyingParty};
use crate::config::Config;
use crate::db::models::{OidcUsedState, Session};
use crate::db::now_utc;
use crate::web::guards::{AuthUser, Credential};
use crate::web::{ApiError, RequestId};

/// The private cookie holding a login in progress.
const PENDING_COOKIE: &str = "certcopy_oidc";
/// Where the routes are mounted; the pending-login cookie is sent only there.
pub const MOUNT: &str = "/api/v1/auth/oidc";

/// The relying party of the configured provider, managed by Rocket.
#[derive(Debug)]
pub struct IdentityProvider(Result<Option<RelyingParty>, String>);

impl IdentityProvider {
    /// The relying party of `config.oidc` (none when the section is absent).
    pub fn from_config(config: &Config) -> Self {
        IdentityProvider(
            config
                .oidc
                .clone()
                .map(RelyingParty::new)
                .transpose()
                .map_err(|e| e.to_string()),
        )
    }

    fn relying_party(&self) -> Result<&RelyingParty, OidcError> {
        match &self.0 {
            Ok(Some(party)) => Ok(party),
            Ok(None) => Err(OidcError::NotConfigured),
            Err(reason) => Err(OidcError::Misconfigured(reason.clone())),
        }
    }
}

pub fn routes() -> Vec<Route> {
    routes![start, callback]
}

/// Logs a refusal for the operator (the error's text never carries a token) and turns it
/// into the JSON answer.
fn refused(error: OidcError, request_id: &RequestId) -> ApiError {
    tracing::warn!(request_id = %request_id.0, "OIDC login refused: {error}");
    ApiError::from(error)
}

/// Sends the browser to the identity provider.
#[get("/start")]
async fn start(
    provider: &State<IdentityProvider>,
    cookies: &CookieJar<'_>,
    app: &State<App>,
    request_id: RequestId,
) -> Result<Redirect, ApiError> {
    let party = provider
        .relying_party()
        .map_err(|e| refused(e, &request_id))?;
    let login = party
        .begin(time::OffsetDateTime::now_utc())
        .await
        .map_err(|e| refused(e, &request_id))?;
    let value = serde_json::to_string(&login.pending)
        .map_err(|e| refused(OidcError::Misconfigured(e.to_string()), &request_id))?;
    let mut cookie = Cookie::new(PENDING_COOKIE, value);
    cookie.set_http_only(true);
    // The provider sends the browser back with a top-level GET: Lax cookies travel.
    cookie.set_same_site(SameSite::Lax);
    cookie.set_secure(app.config.base_url.starts_with("https://"));
    cookie.set_path(MOUNT);
    cookie.set_max_age(oidc::LOGIN_LIFETIME);
    cookies.add_private(cookie);
    Ok(Redirect::to(login.authorize_url))
}

/// The provider's answer.
#[allow(clippy::too_many_arguments)]
#[get("/callback?<code>&<state>&<error>&<error_description>&<iss>")]
async fn callback(
    provider: &State<IdentityProvider>,
    app: &State<App>,
    cookies: &CookieJar<'_>,
    signed_in: Option<AuthUser>,
    request_id: RequestId,
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    iss: Option<String>,
) -> Result<Redirect, ApiError> {
    let party = provider
        .relying_party()
        .map_err(|e| refused(e, &request_id))?;
    // Single use: whatever the outcome, this login's secrets are gone after this request.
    let pending = cookies
        .get_private(PENDING_COOKIE)
        .and_then(|cookie| serde_json::from_str::<PendingLogin>(cookie.value()).ok());
    cookies.remove_private(Cookie::build(PENDING_COOKIE).path(MOUNT));
    let answer = Callback {
        code,
        state,
        error,
        error_description,
        issuer: iss,
    };
    let now = time::OffsetDateTime::now_utc();
    let (pending, code) = match party.check_callback(pending.as_ref(), &answer, now) {
        Ok(code) => (pending, code.to_owned()),
        Err(error) => return Err(refused(error, &request_id)),
    };
    let Some(pending) = pending else {
        return Err(refused(
            OidcError::BadState("no login in progress"),
            &request_id,
        ));
    };
    // Answered once, on whichever instance: a replayed callback stops here.
    let used = OidcUsedState {
        state_hash: pending.state_hash(),
        expires_at: pending.expires_at_utc(),
    };
    let first_use = app
        .db
        .run(move |conn| used.consume(conn, now_utc()).map_err(OidcError::from))
        .await
        .map_err(|e| refused(e, &request_id))?;
    if !first_use {
        return Err(refused(
            OidcError::BadState("callback already answered"),
            &request_id,
        ));
    }
    let identity = party
        .finish(&pending, &code)
        .await
        .map_err(|e| refused(e, &request_id))?;

    let hours = app.config.session_hours;
    let (signed_in_id, old_session) = match signed_in {
        Some(AuthUser {
            user,
            credential: Credential::Session { token_hash },
            ..
        }) => (Some(user.id), Some(token_hash)),
        _ => (None, None),
    };
    let request = request_id.0.clone();
    let login = app
        .db
        .run(move |conn| {
            let login = oidc::complete_login(
                conn,
                &identity,
                signed_in_id.as_ref(),
                hours,
                Some(&request),
            )?;
            // The browser's earlier session gives way to the new one.
            if let Some(old) = old_session {
                Session::delete(conn, &old)?;
            }
            Ok::<_, OidcError>(login)
        })
        .await
        .map_err(|e| refused(e, &request_id))?;
    tracing::info!(
        request_id = %request_id.0,
        user = %login.user.id,
        outcome = ?login.outcome,
        "OIDC login"
    );

    // The session cookie as for a password login.
    cookies.add_private(crate::web::guards::session_cookie(app, login.token));
    Ok(Redirect::to(party.config().after_login_path.clone()))
}
