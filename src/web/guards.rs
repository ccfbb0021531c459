//! Rocket request guards: [`AuthUser`] for any signed-in account, and one guard per role.
//!
//! | guard | accepts |
//! |---|---|
//! | [`Citizen`] | citizens |
//! | [`Clerk`] | clerks, and officials (who also work the desk of their own office) |
//! | [`Official`] | officials |
//! | [`Agency`] | agencies (API key) |
//! | [`Admin`] | administrators |
//! | [`SignedIn`] | any account, even one that must first change a temporary password |
//!
//! A missing or invalid credential answers 401, a wrong role 403. The reason is left in
//! the request-local [`GuardFailure`] for the JSON error catchers.

use std::sync::Mutex;

use rocket::http::{Method, Status};
use rocket::request::{FromRequest, Outcome, Request};

use crate::app::App;
use crate::audit::Actor;
use crate::auth::AuthError;
use crate::db::ids::OfficeId;
use crate::db::models::{ApiKey, Role, Session, User};
use crate::db::now_utc;
use crate::error::{PublicError, UserFacing};
use crate::secrets::token_hash;

/// Name of the private cookie holding the session token on pages.
pub const SESSION_COOKIE: &str = "certcopy_session";

/// The private session cookie of a login: HTTP only, same-site lax, secure when the
/// service is served over HTTPS, kept for the session's hours.
pub fn session_cookie(app: &App, token: String) -> rocket::http::Cookie<'static> {
    let mut cookie = rocket::http::Cookie::new(SESSION_COOKIE, token);
    cookie.set_http_only(true);
    cookie.set_same_site(rocket::http::SameSite::Lax);
    // Over HTTPS the session cookie never travels in clear.
    cookie.set_secure(app.config.base_url.starts_with("https://"));
    cookie.set_path("/");
    cookie.set_max_age(time::Duration::hours(i64::from(app.config.session_hours)));
    cookie
}

/// How the request proved who it is.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A login session (bearer token or cookie); holds the token's hash.
    Session {
        /// SHA-256 of the token.
        token_hash: String,
    },
    /// An agency API key.
    ApiKey {
        /// The key's id.
        key_id: String,
    },
}

/// Any authenticated account, except one that signed in with a temporary password and
/// has not changed it yet (403 `password_change_required`; see [`SignedIn`]).
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// The account.
    pub user: User,
    /// The credential used.
    pub credential: Credential,
    /// The account's password is a temporary one from an admin reset.
    pub password_change_required: bool,
}

/// Any authenticated account, including one that must still change its temporary
/// password: only for changing the password, logging out and reading `/me`.
#[derive(Debug, Clone)]
pub struct SignedIn(pub AuthUser);

impl AuthUser {
    /// The account as an audit actor.
    pub fn actor(&self) -> Actor {
        Actor::from(&self.user)
    }

    /// The account's role.
    pub fn role(&self) -> Role {
        self.user.role()
    }
}

/// Why the last guard of this request failed, for the error catchers.
#[derive(Debug, Default)]
pub struct GuardFailure(pub Mutex<Option<PublicError>>);

impl GuardFailure {
    /// The failure recorded on `request`, if any.
    pub fn of(request: &Request<'_>) -> Option<PublicError> {
        let failure = request.local_cache(GuardFailure::default);
        failure.0.lock().ok().and_then(|slot| slot.clone())
    }
}

/// Fails a guard with `error`, recording what a person is shown for the error catchers.
pub fn fail<T, E: UserFacing>(request: &Request<'_>, error: E) -> Outcome<T, E> {
    let public = error.public();
    let status = Status::from_code(public.status).unwrap_or(Status::InternalServerError);
    if let Ok(mut slot) = request.local_cache(GuardFailure::default).0.lock() {
        *slot = Some(public);
    }
    Outcome::Error((status, error))
}

enum Presented {
    Session(String),
    /// The session token from the private cookie: a browser sends it on its own, so a
    /// state change carried by it alone must come from this site.
    SessionCookie(String),
    ApiKey(String),
    Nothing,
}

fn presented_credential(request: &Request<'_>) -> Presented {
    if let Some(header) = request.headers().get_one("Authorization") {
        let header = header.trim();
        if let Some(token) = header.strip_prefix("Bearer ") {
            return Presented::Session(token.trim().to_owned());
        }
        if let Some(key) = header.strip_prefix("ApiKey ") {
            return Presented::ApiKey(key.trim().to_owned());
        }
    }
    if let Some(key) = request.headers().get_one("X-Api-Key") {
        return Presented::ApiKey(key.trim().to_owned());
    }
    if let Some(cookie) = request.cookies().get_private(SESSION_COOKIE) {
        return Presented::SessionCookie(cookie.value().to_owned());
    }
    Presented::Nothing
}

/// Whether a browser says the request comes from this site: `Sec-Fetch-Site` is
/// `same-origin` or `none` (typed or bookmarked), or else `Origin` is the service's own
/// origin (`base_url`). A request with neither header is not from a current browser, and
/// so not a cross-site forgery, and passes.
fn same_site_request(request: &Request<'_>, base_url: &str) -> bool {
    if let Some(site) = request.headers().get_one("Sec-Fetch-Site") {
        return matches!(site, "same-origin" | "none");
    }
    match request.headers().get_one("Origin") {
        Some(origin) => origin == origin_of(base_url),
        None => true,
    }
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |at| at + 3);
    url[after_scheme..]
        .find('/')
        .map_or(url, |end| &url[..after_scheme + end])
}

async fn authenticate(request: &Request<'_>) -> Result<AuthUser, AuthError> {
    let presented = presented_credential(request);
    if matches!(presented, Presented::Nothing) {
        return Err(AuthError::NotAuthenticated);
    }
    let Some(app) = request.rocket().state::<App>() else {
        return Err(AuthError::NotAuthenticated);
    };
    if matches!(presented, Presented::SessionCookie(_))
        && !matches!(
            request.method(),
            Method::Get | Method::Head | Method::Options
        )
        && !same_site_request(request, &app.config.base_url)
    {
        return Err(AuthError::CrossSiteRequest);
    }
    app.db
        .run(move |conn| {
            let (user, credential, password_change_required) = match presented {
                Presented::Session(token) | Presented::SessionCookie(token) => {
                    let hash = token_hash(&token);
                    // The session, its account and a pending temporary password in one query.
                    let (user, temporary) = Session::live_account(conn, &hash, now_utc())?
                        .ok_or(AuthError::NotAuthenticated)?;
                    (user, Credential::Session { token_hash: hash }, temporary)
                }
                Presented::ApiKey(key) => {
                    let key = ApiKey::find_active(conn, &token_hash(&key))?
                        .ok_or(AuthError::NotAuthenticated)?;
                    let user =
                        User::find(conn, &key.user_id)?.ok_or(AuthError::NotAuthenticated)?;
                    let credential = Credential::ApiKey {
                        key_id: key.id.to_string(),
                    };
                    (user, credential, false)
                }
                Presented::Nothing => return Err(AuthError::NotAuthenticated),
            };
            if user.disabled {
                return Err(AuthError::AccountDisabled);
            }
            Ok(AuthUser {
                user,
                credential,
                password_change_required,
            })
        })
        .await
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for AuthUser {
    type Error = AuthError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, AuthError> {
        match SignedIn::from_request(request).await {
            Outcome::Success(SignedIn(user)) if user.password_change_required => {
                fail(request, AuthError::PasswordChangeRequired)
            }
            Outcome::Success(SignedIn(user)) => Outcome::Success(user),
            Outcome::Error(error) => Outcome::Error(error),
            Outcome::Forward(status) => Outcome::Forward(status),
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SignedIn {
    type Error = AuthError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, AuthError> {
        // Several guards on one route share one lookup.
        let cached = request
            .local_cache_async(async {
                authenticate(request)
                    .await
                    .map_err(|e| PublicError::from_error(&e))
            })
            .await;
        match cached {
            Ok(user) => Outcome::Success(SignedIn(user.clone())),
            Err(public) if public.code == "cross_site_request" => {
                fail(request, AuthError::CrossSiteRequest)
            }
            Err(public) if public.status == 403 => fail(request, AuthError::AccountDisabled),
            Err(public) if public.status >= 500 => fail(
                request,
                AuthError::Db(crate::db::DbError::Task(public.message_en.clone())),
            ),
            Err(_) => fail(request, AuthError::NotAuthenticated),
        }
    }
}

/// Declares a role guard wrapping [`AuthUser`].
macro_rules! role_guard {
    ($(#[$doc:meta])* $name:ident, $($role:path)|+) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub AuthUser);

        #[rocket::async_trait]
        impl<'r> FromRequest<'r> for $name {
            type Error = AuthError;

            async fn from_request(request: &'r Request<'_>) -> Outcome<Self, AuthError> {
                match AuthUser::from_request(request).await {
                    Outcome::Success(user) if matches!(user.role(), $($role)|+) => {
                        Outcome::Success($name(user))
                    }
                    Outcome::Success(_) => fail(request, AuthError::Forbidden),
                    Outcome::Error(error) => Outcome::Error(error),
                    Outcome::Forward(status) => Outcome::Forward(status),
                }
            }
        }
    };
}

role_guard!(
    /// A signed-in citizen.
    Citizen, Role::Citizen
);
role_guard!(
    /// A clerk, or an official working the desk of their office.
    Clerk, Role::Clerk | Role::Official
);
role_guard!(
    /// An official, the competent signer of an office.
    Official, Role::Official
);
role_guard!(
    /// A receiving agency authenticated by API key.
    Agency, Role::Agency
);
role_guard!(
    /// An administrator.
    Admin, Role::Admin
);

impl Clerk {
    /// The office this clerk (or official) works at. Staff rows always have one (a CHECK
    /// constraint requires it).
    pub fn office_id(&self) -> Option<&OfficeId> {
        self.0.user.office_id.as_ref()
    }
}

impl Official {
    /// The office this official signs for.
    pub fn office_id(&self) -> Option<&OfficeId> {
        self.0.user.office_id.as_ref()
    }
}
