//! Signing in and out, registering, and changing one's password — the same account
//! functions as `/api/v1/auth/*` and `/api/v1/me/password`, with the same throttles and
//! the same session cookie.
//!
//! - `GET/POST /login?next=`: citizen ID, username, phone or e-mail and password; back to
//!   `next` (a path of this site) or to the home of the account's role. The identity
//!   provider's button when one is configured.
//! - `GET/POST /register`: a citizen's account (the answer never says whether the details
//!   were already known).
//! - `POST /logout`.
//! - `GET/POST /account/password`: also the only page a temporary password opens.

use maud::{Markup, html};
use rocket::form::FromForm;
use rocket::http::{Cookie, CookieJar, Status};
use rocket::response::Redirect;
use rocket::{State, get, post};

use super::home::same_site_path;
use crate::app::App;
use crate::auth::{AuthError, LifecycleError, LoginAttempt, RegisterCitizen};
use crate::db::models::Role;
use crate::error::UserFacing;
use crate::identity::IdentityError;
use crate::web::RequestId;
use crate::web::client::ClientAddress;
use crate::web::guards::{Credential, SESSION_COOKIE, session_cookie};
use crate::web::pages::i18n::words;
use crate::web::pages::layout::{error_summary, page};
use crate::web::pages::session::{PageFailure, PageResult, Posted, Viewer};

/// Where an account goes after signing in when no page asked for it.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Citizen => "/me",
        Role::Clerk => "/desk",
        Role::Official => "/review",
        Role::Admin => "/admin",
        Role::Agency => "/verify",
        Role::AgencyStaff => "/agency",
    }
}

/// One text field with its label, hint and error.
pub fn text_field(
    id: &str,
    label: &str,
    kind: &str,
    value: &str,
    autocomplete: &str,
    errors: &[(&str, &str)],
) -> Markup {
    let error = errors.iter().find(|(field, _)| *field == id).map(|e| e.1);
    html! {
        div.field.error[error.is_some()] {
            label for=(id) { (label) }
            @if let Some(error) = error {
                p.field-error id={ (id) "-error" } { (error) }
            }
            input id=(id) name=(id) type=(kind) value=(value) autocomplete=(autocomplete)
                aria-describedby=[error.map(|_| format!("{id}-error"))];
        }
    }
}

/// The sign-in page (also the answer of a page that needs a session: 401).
pub fn sign_in_page(viewer: &Viewer, next: &str, login: &str, errors: &[(&str, &str)]) -> Markup {
    let lang = viewer.lang;
    let title = lang.t(words::SIGN_IN);
    let oidc = viewer.oidc;
    page(
        viewer,
        title,
        html! {
            (error_summary(lang, errors))
            h1 { (title) }
            form method="post" action="/login" novalidate {
                (viewer.csrf_field())
                input type="hidden" name="next" value=(next);
                (text_field("login", lang.t(words::LOGIN_NAME), "text", login, "username", errors))
                (text_field("password", lang.t(words::PASSWORD), "password", "", "current-password", errors))
                button type="submit" { (lang.t(words::SIGN_IN)) }
            }
            @if oidc {
                p { a.button.secondary href="/api/v1/auth/oidc/start" { (lang.t(words::SIGN_IN_OIDC)) } }
            }
            h2 { (lang.t(words::NO_ACCOUNT)) }
            p { a href="/register" { (lang.t(words::REGISTER_TITLE)) } }
        },
    )
}

/// `GET /login?next=`.
#[get("/login?<next>")]
pub fn login_form(viewer: Viewer, next: Option<&str>) -> Markup {
    sign_in_page(&viewer, &same_site_path(next), "", &[])
}

/// The sign-in form.
#[derive(FromForm)]
pub struct LoginForm {
    csrf: String,
    next: Option<String>,
    login: String,
    password: String,
}

/// `POST /login`.
#[post("/login", data = "<form>")]
pub async fn login(
    app: &State<App>,
    viewer: Viewer,
    cookies: &CookieJar<'_>,
    client: ClientAddress,
    request_id: RequestId,
    form: Posted<'_, LoginForm>,
) -> Result<Redirect, PageFailure> {
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let lang = viewer.lang;
    let next = same_site_path(form.next.as_deref());
    let login_name = form.login.trim().to_owned();
    if login_name.is_empty() || form.password.is_empty() {
        let mut errors = Vec::new();
        if login_name.is_empty() {
            errors.push(("login", lang.t(words::LOGIN_NAME_MISSING)));
        }
        if form.password.is_empty() {
            errors.push(("password", lang.t(words::PASSWORD_MISSING)));
        }
        return Err(PageFailure::Page(
            Status::UnprocessableEntity,
            sign_in_page(&viewer, &next, &login_name, &errors),
        ));
    }
    let attempt = LoginAttempt {
        login: login_name.clone(),
        password: form.password,
        client: client.0,
        request_id: Some(request_id.0),
    };
    match app.auth().login(attempt, app.booking.clock.now()).await {
        Ok(outcome) => {
            cookies.add_private(session_cookie(app, outcome.token));
            let to = if outcome.password_change_required {
                "/account/password".to_owned()
            } else if next == "/" {
                home_of(outcome.user.role()).to_owned()
            } else {
                next
            };
            Ok(Redirect::to(to))
        }
        Err(error) => {
            let public = error.public();
            if public.status >= 500 && public.status != 503 {
                return Err(viewer.problem(&public));
            }
            let message = lang.pick(&public.message_vi, &public.message_en).to_owned();
            let status = Status::from_code(public.status).unwrap_or(Status::Unauthorized);
            Err(PageFailure::Page(
                status,
                sign_in_page(&viewer, &next, &login_name, &[("login", &message)]),
            ))
        }
    }
}

/// The sign-out form.
#[derive(FromForm)]
pub struct CsrfOnly {
    csrf: String,
}

impl CsrfOnly {
    /// The form token sent.
    pub fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /logout`: ends the session and goes home.
#[post("/logout", data = "<form>")]
pub async fn logout(
    app: &State<App>,
    viewer: Viewer,
    cookies: &CookieJar<'_>,
    form: Posted<'_, CsrfOnly>,
) -> Result<Redirect, PageFailure> {
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    cookies.remove_private(Cookie::from(SESSION_COOKIE));
    if let Some(user) = viewer.signed_in()
        && let Credential::Session { token_hash } = user.credential.clone()
    {
        app.db
            .run(move |conn| {
                crate::db::models::Session::delete(conn, &token_hash).map_err(AuthError::from)
            })
            .await
            .map_err(|e| viewer.error(&e))?;
    }
    Ok(Redirect::to("/"))
}

/// The registration form's values, kept when it is shown again.
#[derive(FromForm, Default)]
pub struct RegisterForm {
    csrf: String,
    full_name: String,
    citizen_id: String,
    phone: String,
    email: String,
    password: String,
}

fn register_page(viewer: &Viewer, form: &RegisterForm, errors: &[(&str, &str)]) -> Markup {
    let lang = viewer.lang;
    let title = lang.t(words::REGISTER_TITLE);
    page(
        viewer,
        title,
        html! {
            (error_summary(lang, errors))
            h1 { (title) }
            p { (lang.t(words::REGISTER_LEAD)) }
            form method="post" action="/register" novalidate {
                (viewer.csrf_field())
                (text_field("full_name", lang.t(words::FULL_NAME), "text", &form.full_name, "name", errors))
                (text_field("citizen_id", lang.t(words::CITIZEN_ID), "text", &form.citizen_id, "off", errors))
                (text_field("phone", lang.t(words::PHONE), "tel", &form.phone, "tel", errors))
                (text_field("email", lang.t(words::EMAIL), "email", &form.email, "email", errors))
                p.hint { (lang.t(words::CONTACT_HINT)) }
                (text_field("password", lang.t(words::NEW_PASSWORD), "password", "", "new-password", errors))
                p.hint { (lang.t(words::PASSWORD_HINT)) }
                button type="submit" { (lang.t(words::REGISTER_BUTTON)) }
            }
            p { a href="/login" { (lang.t(words::HAVE_ACCOUNT)) } }
        },
    )
}

/// `GET /register`.
#[get("/register")]
pub fn register_form(viewer: Viewer) -> Markup {
    register_page(&viewer, &<RegisterForm as Default>::default(), &[])
}

/// The field of the form a registration error is about.
fn register_field(error: &AuthError) -> &'static str {
    match error {
        AuthError::Identity(IdentityError::InvalidCitizenId) => "citizen_id",
        AuthError::Identity(IdentityError::InvalidPhone) | AuthError::MissingContact => "phone",
        AuthError::Identity(IdentityError::InvalidEmail) => "email",
        AuthError::Identity(_) => "full_name",
        AuthError::WeakPassword(_) => "password",
        _ => "full_name",
    }
}

/// `POST /register`.
#[post("/register", data = "<form>")]
pub async fn register(
    app: &State<App>,
    viewer: Viewer,
    client: ClientAddress,
    form: Posted<'_, RegisterForm>,
) -> PageResult {
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let lang = viewer.lang;
    let optional = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    let request = RegisterCitizen {
        full_name: form.full_name.clone(),
        citizen_id: form.citizen_id.clone(),
        phone: optional(&form.phone),
        email: optional(&form.email),
        password: form.password.clone(),
    };
    match app
        .auth()
        .register(request, client.0, app.booking.clock.now())
        .await
    {
        Ok(_) => {
            let title = lang.t(words::REGISTER_DONE_TITLE);
            Ok(page(
                &viewer,
                title,
                html! {
                    div.panel { h1 { (title) } }
                    p { (lang.t(words::REGISTER_DONE_TEXT)) }
                    p { a.button href="/login" { (lang.t(words::SIGN_IN)) } }
                },
            ))
        }
        Err(error) => {
            let public = error.public();
            if public.status >= 500 && public.status != 503 {
                return Err(viewer.problem(&public));
            }
            let message = lang.pick(&public.message_vi, &public.message_en).to_owned();
            let status = Status::from_code(public.status).unwrap_or(Status::UnprocessableEntity);
            let field = register_field(&error);
            Err(PageFailure::Page(
                status,
                register_page(&viewer, &form, &[(field, &message)]),
            ))
        }
    }
}

fn password_page(viewer: &Viewer, errors: &[(&str, &str)]) -> Markup {
    let lang = viewer.lang;
    let title = lang.t(words::PASSWORD_CHANGE_TITLE);
    let temporary = viewer
        .signed_in()
        .is_some_and(|user| user.password_change_required);
    page(
        viewer,
        title,
        html! {
            (error_summary(lang, errors))
            h1 { (title) }
            @if temporary {
                p.warn { (lang.t(words::PASSWORD_TEMPORARY)) }
            }
            form method="post" action="/account/password" novalidate {
                (viewer.csrf_field())
                (text_field("current_password", lang.t(words::CURRENT_PASSWORD), "password", "", "current-password", errors))
                (text_field("new_password", lang.t(words::NEW_PASSWORD), "password", "", "new-password", errors))
                p.hint { (lang.t(words::PASSWORD_HINT)) }
                button type="submit" { (lang.t(words::PASSWORD_CHANGE_BUTTON)) }
            }
        },
    )
}

/// The signed-in account, even one holding a temporary password (else the sign-in form).
fn signed_in(viewer: &Viewer) -> Result<crate::web::guards::AuthUser, PageFailure> {
    match viewer.signed_in() {
        Some(user) => Ok(user.clone()),
        None => Err(PageFailure::Page(
            Status::Unauthorized,
            sign_in_page(viewer, &viewer.here, "", &[]),
        )),
    }
}

/// `GET /account/password`.
#[get("/account/password")]
pub fn password_form(viewer: Viewer) -> PageResult {
    signed_in(&viewer)?;
    Ok(password_page(&viewer, &[]))
}

/// The password change form.
#[derive(FromForm)]
pub struct PasswordForm {
    csrf: String,
    current_password: String,
    new_password: String,
}

/// `POST /account/password`: the session in use stays open, the account's others end.
#[post("/account/password", data = "<form>")]
pub async fn change_password(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    form: Posted<'_, PasswordForm>,
) -> Result<Redirect, PageFailure> {
    let user = signed_in(&viewer)?;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let keep = match &user.credential {
        Credential::Session { token_hash } => Some(token_hash.clone()),
        Credential::ApiKey { .. } => None,
    };
    let role = user.role();
    match app
        .auth()
        .change_password(
            user.user,
            keep,
            form.current_password,
            form.new_password,
            Some(request_id.0),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(home_of(role))),
        Err(error) => {
            let public = error.public();
            if public.status >= 500 && public.status != 503 {
                return Err(viewer.problem(&public));
            }
            let lang = viewer.lang;
            let message = lang.pick(&public.message_vi, &public.message_en).to_owned();
            let field = match error {
                LifecycleError::Auth(AuthError::WeakPassword(_)) | LifecycleError::SamePassword => {
                    "new_password"
                }
                _ => "current_password",
            };
            let status = Status::from_code(public.status).unwrap_or(Status::UnprocessableEntity);
            Err(PageFailure::Page(
                status,
                password_page(&viewer, &[(field, &message)]),
            ))
        }
    }
}
