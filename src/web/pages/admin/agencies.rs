//! `/admin/agencies`: the receiving agencies and a new one (as
//! `POST /api/v1/admin/agencies`: its first API key shown once); `/admin/agencies/{id}`:
//! its API keys (listed by prefix, never whole), a new key shown once, revoking one (as
//! `/api/v1/admin/agencies/{id}/api-keys…`).

use maud::{Markup, html};
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{State, get, post};

use super::words as w;
use super::{
    ADMIN, FieldErrors, Input, SecretPage, account_state, back, error_of, failed, listed, notice,
    read, refusal, typed,
};
use crate::app::App;
use crate::auth::{self, ApiKeyView, AuthError, LifecycleError, NewAgency, NewStaff};
use crate::db::ids::{ApiKeyId, UserId};
use crate::db::models::{Role, User};
use crate::web::RequestId;
use crate::web::pages::format::moment;
use crate::web::pages::i18n::words;
use crate::web::pages::layout::{error_summary, page};
use crate::web::pages::public::sign_in::CsrfOnly;
use crate::web::pages::session::{PageFailure, PageResult, Posted, Viewer};

/// The new-agency form as sent.
#[derive(FromForm, Default)]
pub struct AgencyForm {
    csrf: String,
    agency_name: String,
    username: String,
    key_label: String,
}

fn agencies_markup(
    viewer: &Viewer,
    agencies: &[User],
    form: &AgencyForm,
    errors: &FieldErrors,
    done: Option<&str>,
) -> Markup {
    let lang = viewer.lang;
    let title = lang.t(w::NAV_AGENCIES);
    page(
        viewer,
        title,
        html! {
            (error_summary(lang, &listed(errors)))
            (notice(lang, done))
            (back(lang, "/admin", words::NAV_ADMIN))
            h1 { (title) }
            p.hint { (lang.t(w::AGENCIES_HINT)) }
            @if agencies.is_empty() {
                p { (lang.t(w::NO_AGENCIES)) }
            } @else {
                div.table-wrap { table.list.stack {
                    thead { tr {
                        th scope="col" { (lang.t(w::AGENCY_NAME)) }
                        th scope="col" { (lang.t(w::USERNAME)) }
                        th scope="col" { (lang.t(words::STATUS)) }
                    } }
                    tbody {
                        @for agency in agencies {
                            tr {
                                td data-label=(lang.t(w::AGENCY_NAME)) { a href={ "/admin/agencies/" (agency.id) } { (agency.full_name) } }
                                td data-label=(lang.t(w::USERNAME)) { (agency.username.as_deref().unwrap_or("—")) }
                                td data-label=(lang.t(words::STATUS)) { (account_state(lang, agency.disabled)) }
                            }
                        }
                    }
                } }
            }
            section.card aria-labelledby="new-agency-title" {
                h2 #new-agency-title { (lang.t(w::NEW_AGENCY)) }
                form method="post" action="/admin/agencies" novalidate {
                    (viewer.csrf_field())
                    (Input::text("agency_name", lang.t(w::AGENCY_NAME), &form.agency_name).hint(lang.t(w::AGENCY_NAME_HINT)).render(errors))
                    (Input::text("username", lang.t(w::USERNAME), &form.username).hint(lang.t(w::USERNAME_HINT)).render(errors))
                    (Input::text("key_label", lang.t(w::KEY_LABEL_OPTIONAL), &form.key_label).hint(lang.t(w::KEY_LABEL_HINT)).render(errors))
                    button type="submit" { (lang.t(w::CREATE_AGENCY)) }
                }
            }
        },
    )
}

async fn load_agencies(app: &App, viewer: &Viewer) -> Result<Vec<User>, PageFailure> {
    read(app, viewer, |conn| {
        auth::list_agencies(conn).map_err(failed)
    })
    .await
}

/// `GET /admin/agencies?done=`.
#[get("/admin/agencies?<done>")]
pub async fn agencies_page(app: &State<App>, viewer: Viewer, done: Option<&str>) -> PageResult {
    viewer.require(ADMIN)?;
    let agencies = load_agencies(app, &viewer).await?;
    Ok(agencies_markup(
        &viewer,
        &agencies,
        &<AgencyForm as Default>::default(),
        &Vec::new(),
        done,
    ))
}

/// The answer showing a new API key once, with how it is used.
fn key_markup(viewer: &Viewer, agency: &User, key: &str) -> Markup {
    let lang = viewer.lang;
    let title = lang.t(w::KEY_CREATED);
    page(
        viewer,
        title,
        html! {
            (back(lang, &format!("/admin/agencies/{}", agency.id), w::API_KEYS))
            h1 { (title) }
            p { a href={ "/admin/agencies/" (agency.id) } { (agency.full_name) } " — " code { (agency.username.as_deref().unwrap_or("")) } }
            div.panel {
                h2 { (lang.t(w::API_KEY)) }
                p.lead { strong { code #secret { (key) } } }
                p { (lang.t(w::KEY_USAGE)) " " strong { "X-Api-Key" } "." }
                p.hint { (lang.t(w::SHOWN_ONCE)) }
            }
        },
    )
}

/// `POST /admin/agencies`: the agency and its first key, shown once.
#[post("/admin/agencies", data = "<form>")]
pub async fn create_agency(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    form: Posted<'_, AgencyForm>,
) -> Result<SecretPage, PageFailure> {
    let admin = viewer.require(ADMIN)?.clone();
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let request = NewAgency {
        name: form.agency_name.clone(),
        username: form.username.clone(),
        key_label: typed(&form.key_label),
    };
    let result = app
        .auth()
        .create_agency(admin.actor(), request, Some(request_id.0))
        .await;
    match result {
        Ok((agency, key)) => Ok(SecretPage::new(key_markup(&viewer, &agency, &key))),
        Err(error) => {
            let (status, message) = refusal(&viewer, &error)?;
            let field = match error {
                AuthError::InvalidField("name") => "agency_name",
                AuthError::InvalidField("key_label") => "key_label",
                _ => "username",
            };
            let agencies = load_agencies(app, &viewer).await?;
            let errors = vec![(field.to_owned(), message)];
            Err(PageFailure::Page(
                status,
                agencies_markup(&viewer, &agencies, &form, &errors, None),
            ))
        }
    }
}

fn agency_markup(
    viewer: &Viewer,
    loaded: &Loaded,
    typed: &StaffForm,
    errors: &FieldErrors,
    done: Option<&str>,
) -> Markup {
    let (agency, keys, staff) = (&loaded.agency, &loaded.keys, &loaded.staff);
    let label = typed.label.as_str();
    let lang = viewer.lang;
    let id = &agency.id;
    page(
        viewer,
        &agency.full_name,
        html! {
            (error_summary(lang, &listed(errors)))
            (notice(lang, done))
            (back(lang, "/admin/agencies", w::NAV_AGENCIES))
            h1 { (agency.full_name) }
            dl {
                dt { (lang.t(w::USERNAME)) } dd { (agency.username.as_deref().unwrap_or("—")) }
                dt { (lang.t(words::STATUS)) } dd { (account_state(lang, agency.disabled)) }
            }
            p { a href={ "/admin/accounts/" (id) } { (lang.t(w::AGENCY_ACCESS)) } }
            h2 #keys { (lang.t(w::API_KEYS)) }
            @if keys.is_empty() {
                p { (lang.t(w::NO_KEYS)) }
            } @else {
                div.table-wrap { table.list.stack {
                    thead { tr {
                        th scope="col" { (lang.t(w::KEY_PREFIX)) }
                        th scope="col" { (lang.t(w::KEY_LABEL)) }
                        th scope="col" { (lang.t(w::CREATED_AT)) }
                        th scope="col" { (lang.t(words::STATUS)) }
                    } }
                    tbody {
                        @for key in keys {
                            @let revoke_id = format!("revoke-{}", key.id);
                            tr id={ "key-" (key.id) } {
                                td data-label=(lang.t(w::KEY_PREFIX)) { code { (key.prefix) "…" } }
                                td data-label=(lang.t(w::KEY_LABEL)) { (key.label) }
                                td data-label=(lang.t(w::CREATED_AT)) { (moment(key.created_at.assume_utc())) }
                                td data-label=(lang.t(words::STATUS)) {
                                    @match key.revoked_at {
                                        Some(at) => { span.tag.bad { (lang.t(w::REVOKED)) } " " (moment(at.assume_utc())) }
                                        None => {
                                            span.tag.ok { (lang.t(w::ACTIVE)) }
                                            @if let Some(error) = error_of(errors, &revoke_id) {
                                                p.field-error id={ (revoke_id) "-error" } { (error) }
                                            }
                                            div.actions {
                                                form method="post" action={ "/admin/agencies/" (id) "/keys/" (key.id) "/revoke" } {
                                                    (viewer.csrf_field())
                                                    button.warning id=(revoke_id) type="submit" aria-label={ (lang.t(w::REVOKE)) " " (key.prefix) } { (lang.t(w::REVOKE)) }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                } }
            }
            section.card aria-labelledby="new-key-title" {
                h2 #new-key-title { (lang.t(w::NEW_KEY)) }
                form method="post" action={ "/admin/agencies/" (id) "/keys" } novalidate {
                    (viewer.csrf_field())
                    (Input::text("label", lang.t(w::KEY_LABEL), label).hint(lang.t(w::KEY_LABEL_HINT)).render(errors))
                    button type="submit" { (lang.t(w::CREATE_KEY)) }
                }
            }
            h2 #staff { (lang.t(w::AGENCY_STAFF)) }
            p.hint { (lang.t(w::AGENCY_STAFF_HINT)) }
            @if staff.is_empty() {
                p { (lang.t(w::NO_AGENCY_STAFF)) }
            } @else {
                ul {
                    @for person in staff {
                        li {
                            a href={ "/admin/accounts/" (person.id) } { (person.full_name) }
                            " — " code { (person.username.as_deref().unwrap_or("")) } " "
                            (account_state(lang, person.disabled))
                        }
                    }
                }
            }
            section.card aria-labelledby="new-staff-title" {
                h2 #new-staff-title { (lang.t(w::NEW_AGENCY_STAFF)) }
                form method="post" action={ "/admin/agencies/" (id) "/staff" } novalidate {
                    (viewer.csrf_field())
                    (Input::text("full_name", lang.t(words::FULL_NAME), &typed.full_name).render(errors))
                    (Input::text("username", lang.t(w::USERNAME), &typed.username).hint(lang.t(w::USERNAME_HINT)).render(errors))
                    button type="submit" { (lang.t(w::CREATE_AGENCY_STAFF)) }
                }
            }
        },
    )
}

fn agency_id(viewer: &Viewer, text: &str) -> Result<UserId, PageFailure> {
    UserId::parse(text).ok_or_else(|| viewer.error(&AuthError::AccountNotFound))
}

/// An agency with its keys and staff.
struct Loaded {
    agency: User,
    keys: Vec<ApiKeyView>,
    staff: Vec<User>,
}

async fn load_agency(app: &App, viewer: &Viewer, id: UserId) -> Result<Loaded, PageFailure> {
    read(app, viewer, move |conn| {
        let agency = auth::agency(conn, &id).map_err(failed)?;
        let keys = auth::list_api_keys(conn, &id).map_err(failed)?;
        let staff = auth::agency_staff_of(conn, &id).map_err(|e| failed(AuthError::from(e)))?;
        Ok(Loaded {
            agency,
            keys,
            staff,
        })
    })
    .await
}

/// What the key and staff forms hold, as typed (each form sends its own fields).
#[derive(FromForm, Default)]
pub struct StaffForm {
    csrf: String,
    #[field(default = String::new())]
    label: String,
    #[field(default = String::new())]
    full_name: String,
    #[field(default = String::new())]
    username: String,
}

/// `GET /admin/agencies/{id}?done=`.
#[get("/admin/agencies/<id>?<done>")]
pub async fn agency_page(
    app: &State<App>,
    viewer: Viewer,
    id: &str,
    done: Option<&str>,
) -> PageResult {
    viewer.require(ADMIN)?;
    let id = agency_id(&viewer, id)?;
    let loaded = load_agency(app, &viewer, id).await?;
    Ok(agency_markup(
        &viewer,
        &loaded,
        &<StaffForm as Default>::default(),
        &Vec::new(),
        done,
    ))
}

/// The agency's page again with a refusal.
async fn again(
    app: &App,
    viewer: &Viewer,
    id: UserId,
    status: Status,
    typed: &StaffForm,
    errors: FieldErrors,
) -> PageFailure {
    match load_agency(app, viewer, id).await {
        Ok(loaded) => {
            PageFailure::Page(status, agency_markup(viewer, &loaded, typed, &errors, None))
        }
        Err(failure) => failure,
    }
}

/// A new key's label.
#[derive(FromForm)]
pub struct KeyForm {
    csrf: String,
    label: String,
}

/// `POST /admin/agencies/{id}/keys`: another key, shown once.
#[post("/admin/agencies/<id>/keys", data = "<form>")]
pub async fn create_key(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    form: Posted<'_, KeyForm>,
) -> Result<SecretPage, PageFailure> {
    let admin = viewer.require(ADMIN)?.clone();
    let id = agency_id(&viewer, id)?;
    let agency = load_agency(app, &viewer, id.clone()).await?.agency;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let (actor, target, label) = (admin.actor(), id.clone(), form.label.clone());
    let result = app
        .db
        .run(move |conn| auth::issue_api_key(conn, &actor, &target, &label, Some(&request_id.0)))
        .await;
    match result {
        Ok(key) => Ok(SecretPage::new(key_markup(&viewer, &agency, &key))),
        Err(error) => {
            let (status, message) = refusal(&viewer, &error)?;
            let typed = StaffForm {
                label: form.label.clone(),
                ..<StaffForm as Default>::default()
            };
            Err(again(
                app,
                &viewer,
                id,
                status,
                &typed,
                vec![("label".to_owned(), message)],
            )
            .await)
        }
    }
}

/// `POST /admin/agencies/{id}/keys/{key}/revoke`.
#[post("/admin/agencies/<id>/keys/<key>/revoke", data = "<form>")]
pub async fn revoke_key(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    key: &str,
    form: Posted<'_, CsrfOnly>,
) -> Result<Redirect, PageFailure> {
    let admin = viewer.require(ADMIN)?.clone();
    let id = agency_id(&viewer, id)?;
    let key = ApiKeyId::parse(key).ok_or_else(|| viewer.error(&LifecycleError::ApiKeyNotFound))?;
    load_agency(app, &viewer, id.clone()).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(form.csrf())?;
    let (actor, target, revoked) = (admin.actor(), id.clone(), key.clone());
    let result = app
        .db
        .run(move |conn| auth::revoke_api_key(conn, &actor, &target, &revoked, Some(&request_id.0)))
        .await;
    match result {
        Ok(()) => Ok(Redirect::to(format!(
            "/admin/agencies/{id}?done=key-revoked#keys"
        ))),
        Err(error) => {
            let (status, message) = refusal(&viewer, &error)?;
            Err(again(
                app,
                &viewer,
                id,
                status,
                &<StaffForm as Default>::default(),
                vec![(format!("revoke-{key}"), message)],
            )
            .await)
        }
    }
}

/// `POST /admin/agencies/{id}/staff`: a member of the agency's staff; the answer shows
/// the temporary password once.
#[post("/admin/agencies/<id>/staff", data = "<form>")]
pub async fn create_agency_staff(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    form: Posted<'_, StaffForm>,
) -> Result<SecretPage, PageFailure> {
    let admin = viewer.require(ADMIN)?.clone();
    let id = agency_id(&viewer, id)?;
    load_agency(app, &viewer, id.clone()).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let request = NewStaff {
        role: Role::AgencyStaff,
        username: form.username.clone(),
        full_name: form.full_name.clone(),
        office_id: None,
        position: None,
        password: None,
        agency_id: Some(id.clone()),
    };
    let result = app
        .auth()
        .create_staff(admin.actor(), request, Some(request_id.0))
        .await;
    match result {
        Ok(created) => Ok(SecretPage::new(super::staff::created_markup(
            &viewer, &created, None,
        ))),
        Err(error) => {
            let (status, message) = refusal(&viewer, &error)?;
            let field = match &error {
                LifecycleError::Auth(AuthError::Identity(_)) => "full_name",
                _ => "username",
            };
            let typed = StaffForm {
                full_name: form.full_name.clone(),
                username: form.username.clone(),
                ..<StaffForm as Default>::default()
            };
            Err(again(
                app,
                &viewer,
                id,
                status,
                &typed,
                vec![(field.to_owned(), message)],
            )
            .await)
        }
    }
}
