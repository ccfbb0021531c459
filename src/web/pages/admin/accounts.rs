//! `/admin/accounts/{id}`: one account and what an admin does to it — disable with a
//! reason (its sessions end; an agency's keys stop working) or enable, end its sessions,
//! reset its password to a temporary one shown once, and for a clerk ask for the
//! official role. The same domain functions as `/api/v1/admin/accounts/{id}/…` and
//! `POST /api/v1/official-grants`.

use maud::{Markup, html};
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{State, get, post};

use super::staff::temporary_panel;
use super::words as w;
use super::{
    ADMIN, FieldErrors, Input, SecretPage, account_state, back, error_of, failed, listed, notice,
    office_names, read, refusal, role_text,
};
use crate::app::App;
use crate::auth::{self, AuthError, LifecycleError};
use crate::db::ids::UserId;
use crate::db::models::{OfficialGrant, Role, User};
use crate::web::RequestId;
use crate::web::guards::AuthUser;
use crate::web::pages::format::moment;
use crate::web::pages::i18n::words;
use crate::web::pages::layout::{error_summary, page};
use crate::web::pages::public::sign_in::CsrfOnly;
use crate::web::pages::session::{PageFailure, PageResult, Posted, Viewer};

/// What the account's page shows.
struct AccountData {
    user: User,
    office: Option<String>,
    pending: Option<OfficialGrant>,
}

async fn load(app: &App, viewer: &Viewer, id: UserId) -> Result<AccountData, PageFailure> {
    read(app, viewer, move |conn| {
        let user = auth::account(conn, &id).map_err(failed)?;
        let office = office_names(conn, user.office_id.clone())?
            .into_values()
            .next();
        let pending = auth::pending_grant_of(conn, &id).map_err(failed)?;
        Ok(AccountData {
            user,
            office,
            pending,
        })
    })
    .await
}

fn account_markup(
    viewer: &Viewer,
    data: &AccountData,
    errors: &FieldErrors,
    done: Option<&str>,
) -> Markup {
    let lang = viewer.lang;
    let user = &data.user;
    let id = &user.id;
    let role = user.role();
    let (back_to, back_text) = if role == Role::Agency {
        (format!("/admin/agencies/{id}"), w::NAV_AGENCIES)
    } else {
        ("/admin/staff#accounts".to_owned(), w::NAV_STAFF)
    };
    page(
        viewer,
        &user.full_name,
        html! {
            (error_summary(lang, &listed(errors)))
            (notice(lang, done))
            (back(lang, &back_to, back_text))
            h1 { (user.full_name) }
            dl {
                dt { (lang.t(w::USERNAME)) } dd { (user.username.as_deref().unwrap_or("—")) }
                dt { (lang.t(w::ROLE)) }
                dd {
                    (lang.t(role_text(role)))
                    @if let Some(position) = &user.position { " — " (position) }
                }
                @if let (Some(office_id), Some(office)) = (&user.office_id, &data.office) {
                    dt { (lang.t(w::OFFICE)) } dd { a href={ "/admin/offices/" (office_id) } { (office) } }
                }
                dt { (lang.t(words::STATUS)) } dd { (account_state(lang, user.disabled)) }
                dt { (lang.t(w::CREATED_AT)) } dd { (moment(user.created_at.assume_utc())) }
            }
            p { a href={ "/admin/audit?actor=" (id) } { (lang.t(w::ACTOR_AUDIT)) } }
            @if let Some(grant) = &data.pending {
                div.card {
                    h2 { (lang.t(w::GRANT_WAITING_TITLE)) }
                    p { (lang.t(w::GRANT_WAITING)) " " strong { (grant.position) } "." }
                    p { a href={ "/admin/staff#grant-" (grant.id) } { (lang.t(w::GRANTS)) } }
                }
            }
            section.card aria-labelledby="access-title" {
                h2 #access-title { (lang.t(w::ACCESS)) }
                @if user.disabled {
                    form method="post" action={ "/admin/accounts/" (id) "/enable" } {
                        (viewer.csrf_field())
                        p.hint { (lang.t(w::ENABLE_HINT)) }
                        (action_error(errors, "enable"))
                        button #enable type="submit" { (lang.t(w::ENABLE)) }
                    }
                } @else {
                    form method="post" action={ "/admin/accounts/" (id) "/disable" } novalidate {
                        (viewer.csrf_field())
                        (Input::text("reason", lang.t(w::DISABLE_REASON), "").hint(lang.t(w::DISABLE_HINT)).render(errors))
                        button.warning type="submit" { (lang.t(w::DISABLE)) }
                    }
                }
            }
            @if role != Role::Agency {
                section.card aria-labelledby="sessions-title" {
                    h2 #sessions-title { (lang.t(w::SESSIONS)) }
                    form method="post" action={ "/admin/accounts/" (id) "/sessions/end" } {
                        (viewer.csrf_field())
                        p.hint { (lang.t(w::END_SESSIONS_HINT)) }
                        (action_error(errors, "end-sessions"))
                        button.secondary #end-sessions type="submit" { (lang.t(w::END_SESSIONS)) }
                    }
                    form method="post" action={ "/admin/accounts/" (id) "/password-reset" } {
                        (viewer.csrf_field())
                        p.hint { (lang.t(w::RESET_PASSWORD_HINT)) }
                        (action_error(errors, "reset-password"))
                        button.secondary #reset-password type="submit" { (lang.t(w::RESET_PASSWORD)) }
                    }
                }
            } @else {
                p { a href={ "/admin/agencies/" (id) } { (lang.t(w::API_KEYS)) } }
            }
            @if role == Role::Clerk && !user.disabled && data.pending.is_none() {
                section.card aria-labelledby="official-title" {
                    h2 #official-title { (lang.t(w::ASK_OFFICIAL)) }
                    p.hint { (lang.t(w::ASK_OFFICIAL_HINT)) }
                    form method="post" action={ "/admin/accounts/" (id) "/official-grant" } novalidate {
                        (viewer.csrf_field())
                        (Input::text("position", lang.t(w::POSITION), "").hint(lang.t(w::POSITION_HINT)).render(errors))
                        button type="submit" { (lang.t(w::ASK_OFFICIAL_BUTTON)) }
                    }
                }
            }
        },
    )
}

/// The error of an action that has no field, above its button.
fn action_error(errors: &FieldErrors, id: &str) -> Markup {
    html! {
        @if let Some(error) = error_of(errors, id) {
            p.field-error id={ (id) "-error" } { (error) }
        }
    }
}

fn user_id(viewer: &Viewer, text: &str) -> Result<UserId, PageFailure> {
    UserId::parse(text).ok_or_else(|| viewer.error(&AuthError::AccountNotFound))
}

/// `GET /admin/accounts/{id}?done=`.
#[get("/admin/accounts/<id>?<done>")]
pub async fn account_page(
    app: &State<App>,
    viewer: Viewer,
    id: &str,
    done: Option<&str>,
) -> PageResult {
    viewer.require(ADMIN)?;
    let id = user_id(&viewer, id)?;
    let data = load(app, &viewer, id).await?;
    Ok(account_markup(&viewer, &data, &Vec::new(), done))
}

/// The account named in the path (404 when there is none), checked before the form.
async fn checked(
    app: &App,
    viewer: &Viewer,
    id: &str,
) -> Result<(AuthUser, AccountData), PageFailure> {
    let admin = viewer.require(ADMIN)?.clone();
    let id = user_id(viewer, id)?;
    let data = load(app, viewer, id).await?;
    Ok((admin, data))
}

/// After an action: back to the page with a notice, or the page with the refusal at
/// `field`.
async fn after<T>(
    app: &App,
    viewer: &Viewer,
    id: &UserId,
    result: Result<T, LifecycleError>,
    done: &str,
    field: &str,
) -> Result<Redirect, PageFailure> {
    match result {
        Ok(_) => Ok(Redirect::to(format!("/admin/accounts/{id}?done={done}"))),
        Err(error) => {
            let (status, message) = refusal(viewer, &error)?;
            Err(again(app, viewer, id, status, vec![(field.to_owned(), message)]).await)
        }
    }
}

async fn again(
    app: &App,
    viewer: &Viewer,
    id: &UserId,
    status: Status,
    errors: FieldErrors,
) -> PageFailure {
    match load(app, viewer, id.clone()).await {
        Ok(data) => PageFailure::Page(status, account_markup(viewer, &data, &errors, None)),
        Err(failure) => failure,
    }
}

/// The reason for disabling.
#[derive(FromForm)]
pub struct DisableForm {
    csrf: String,
    reason: String,
}

/// `POST /admin/accounts/{id}/disable`.
#[post("/admin/accounts/<id>/disable", data = "<form>")]
pub async fn disable(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    form: Posted<'_, DisableForm>,
) -> Result<Redirect, PageFailure> {
    let (admin, data) = checked(app, &viewer, id).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let (actor, target) = (admin.actor(), data.user.id.clone());
    let result = app
        .db
        .run(move |conn| {
            auth::set_account_disabled(
                conn,
                &actor,
                &target,
                true,
                Some(&form.reason),
                Some(&request_id.0),
            )
        })
        .await;
    after(app, &viewer, &data.user.id, result, "disabled", "reason").await
}

/// `POST /admin/accounts/{id}/enable`.
#[post("/admin/accounts/<id>/enable", data = "<form>")]
pub async fn enable(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    form: Posted<'_, CsrfOnly>,
) -> Result<Redirect, PageFailure> {
    let (admin, data) = checked(app, &viewer, id).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(form.csrf())?;
    let (actor, target) = (admin.actor(), data.user.id.clone());
    let result = app
        .db
        .run(move |conn| {
            auth::set_account_disabled(conn, &actor, &target, false, None, Some(&request_id.0))
        })
        .await;
    after(app, &viewer, &data.user.id, result, "enabled", "enable").await
}

/// `POST /admin/accounts/{id}/sessions/end`.
#[post("/admin/accounts/<id>/sessions/end", data = "<form>")]
pub async fn end_sessions(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    form: Posted<'_, CsrfOnly>,
) -> Result<Redirect, PageFailure> {
    let (admin, data) = checked(app, &viewer, id).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(form.csrf())?;
    let (actor, target) = (admin.actor(), data.user.id.clone());
    let result = app
        .db
        .run(move |conn| auth::end_sessions(conn, &actor, &target, Some(&request_id.0)))
        .await;
    after(
        app,
        &viewer,
        &data.user.id,
        result,
        "sessions-ended",
        "end-sessions",
    )
    .await
}

/// `POST /admin/accounts/{id}/password-reset`: the answer shows the temporary password
/// once.
#[post("/admin/accounts/<id>/password-reset", data = "<form>")]
pub async fn reset_password(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    form: Posted<'_, CsrfOnly>,
) -> Result<SecretPage, PageFailure> {
    let (admin, data) = checked(app, &viewer, id).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(form.csrf())?;
    let user = &data.user;
    let result = app
        .auth()
        .reset_password(admin.actor(), user.id.clone(), Some(request_id.0))
        .await;
    match result {
        Ok(issued) => {
            let lang = viewer.lang;
            let title = lang.t(w::PASSWORD_RESET_TITLE);
            Ok(SecretPage::new(page(
                &viewer,
                title,
                html! {
                    (back(lang, &format!("/admin/accounts/{}", user.id), w::ACCOUNT))
                    h1 { (title) }
                    p { (user.full_name) " — " code { (user.username.as_deref().unwrap_or("")) } }
                    (temporary_panel(&viewer, &issued.password, issued.expires_at))
                },
            )))
        }
        Err(error) => {
            let (status, message) = refusal(&viewer, &error)?;
            let errors = vec![("reset-password".to_owned(), message)];
            Err(again(app, &viewer, &user.id, status, errors).await)
        }
    }
}

/// The position of the official asked for.
#[derive(FromForm)]
pub struct OfficialForm {
    csrf: String,
    position: String,
}

/// `POST /admin/accounts/{id}/official-grant`: asks for the official role for a clerk; a
/// second person decides.
#[post("/admin/accounts/<id>/official-grant", data = "<form>")]
pub async fn request_official(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    form: Posted<'_, OfficialForm>,
) -> Result<Redirect, PageFailure> {
    let (admin, data) = checked(app, &viewer, id).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let (actor, target) = (admin.actor(), data.user.id.clone());
    let result = app
        .db
        .run(move |conn| {
            auth::request_official_grant(conn, &actor, &target, &form.position, Some(&request_id.0))
        })
        .await;
    after(
        app,
        &viewer,
        &data.user.id,
        result,
        "grant-requested",
        "position",
    )
    .await
}
