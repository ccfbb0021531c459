//! `/admin/staff`: the official-role requests waiting for a second person (approve, or
//! refuse with a reason, as `POST /api/v1/official-grants/{id}/approve|refuse`: the
//! requester cannot decide their own, and the page says so), a new clerk, official or
//! admin (as `POST /api/v1/admin/staff`, with a temporary password shown once; an
//! official is a clerk until a second person approves), and the staff accounts, of one
//! office when `?office=` names it.

use std::collections::BTreeMap;

use maud::{Markup, html};
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{State, get, post};

use super::office::staff_table;
use super::words as w;
use super::{
    ADMIN, FieldErrors, Input, SecretPage, back, error_of, failed, listed, notice, office_names,
    office_options, read, refusal, role_text, select, typed,
};
use crate::app::App;
use crate::auth::{self, AuthError, LifecycleError, NewStaff, StaffAccountCreated};
use crate::db::ids::{GrantId, OfficeId, UserId};
use crate::db::models::{GrantStatus, OfficialGrant, Role, User};
use crate::web::RequestId;
use crate::web::guards::AuthUser;
use crate::web::pages::format::moment;
use crate::web::pages::i18n::words;
use crate::web::pages::layout::{error_summary, page};
use crate::web::pages::session::{PageFailure, PageResult, Posted, Viewer};

/// The new-staff form as sent.
#[derive(FromForm, Default, Clone)]
pub struct StaffForm {
    csrf: String,
    role: String,
    username: String,
    full_name: String,
    office_id: String,
    position: String,
}

/// What the staff page shows.
struct StaffData {
    office: Option<OfficeId>,
    grants: Vec<OfficialGrant>,
    staff: Vec<User>,
    people: BTreeMap<UserId, User>,
    offices: BTreeMap<OfficeId, String>,
    office_options: Vec<(String, String)>,
}

async fn load(
    app: &App,
    viewer: &Viewer,
    admin: &AuthUser,
    office: Option<OfficeId>,
    chosen: Option<OfficeId>,
) -> Result<StaffData, PageFailure> {
    let admin = admin.user.clone();
    read(app, viewer, move |conn| {
        let grants =
            auth::list_official_grants(conn, &admin, Some(GrantStatus::Pending)).map_err(failed)?;
        let everyone = auth::list_staff(conn, None).map_err(failed)?;
        let staff: Vec<User> = everyone
            .iter()
            .filter(|user| office.is_none() || user.office_id == office)
            .cloned()
            .collect();
        let offices = office_names(
            conn,
            staff
                .iter()
                .filter_map(|user| user.office_id.clone())
                .chain(grants.iter().map(|grant| grant.office_id.clone()))
                .chain(office.clone()),
        )?;
        let office_options = office_options(conn, chosen.as_ref().or(office.as_ref()))?;
        let people = everyone
            .into_iter()
            .map(|user| (user.id.clone(), user))
            .collect();
        Ok(StaffData {
            office,
            grants,
            staff,
            people,
            offices,
            office_options,
        })
    })
    .await
}

fn staff_markup(
    viewer: &Viewer,
    admin: &AuthUser,
    data: &StaffData,
    form: &StaffForm,
    errors: &FieldErrors,
    done: Option<&str>,
) -> Markup {
    let lang = viewer.lang;
    let title = lang.t(w::NAV_STAFF);
    let name_of = |id: &UserId| {
        data.people.get(id).map_or_else(
            || id.to_string(),
            |user| {
                format!(
                    "{} ({})",
                    user.full_name,
                    user.username.as_deref().unwrap_or("—")
                )
            },
        )
    };
    let office_of = |id: &OfficeId| {
        data.offices
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    };
    let role = if form.role.is_empty() {
        "clerk"
    } else {
        form.role.as_str()
    };
    let chosen_office = if form.office_id.is_empty() {
        data.office
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default()
    } else {
        form.office_id.clone()
    };
    let mut office_choices = vec![(String::new(), lang.t(w::NO_OFFICE).to_owned())];
    office_choices.extend(data.office_options.iter().cloned());
    page(
        viewer,
        title,
        html! {
            (error_summary(lang, &listed(errors)))
            (notice(lang, done))
            (back(lang, "/admin", words::NAV_ADMIN))
            h1 { (title) }
            h2 #grants { (lang.t(w::GRANTS)) " (" (data.grants.len()) ")" }
            p.hint { (lang.t(w::GRANTS_HINT)) }
            @if data.grants.is_empty() {
                p { (lang.t(w::NO_GRANTS)) }
            } @else {
                @for grant in &data.grants {
                    @let id = grant.id.to_string();
                    @let approve_id = format!("approve-{id}");
                    @let reason_id = format!("reason-{id}");
                    @let error = error_of(errors, &approve_id);
                    section.card id={ "grant-" (id) } aria-labelledby={ "grant-title-" (id) } {
                        h3 id={ "grant-title-" (id) } {
                            a href={ "/admin/accounts/" (grant.user_id) } { (name_of(&grant.user_id)) }
                        }
                        dl {
                            dt { (lang.t(w::OFFICE)) }
                            dd { a href={ "/admin/offices/" (grant.office_id) } { (office_of(&grant.office_id)) } }
                            dt { (lang.t(w::POSITION)) } dd { (grant.position) }
                            dt { (lang.t(w::REQUESTED_BY)) } dd { (name_of(&grant.requested_by)) }
                            dt { (lang.t(w::REQUESTED_AT)) } dd { (moment(grant.requested_at.assume_utc())) }
                        }
                        @if grant.requested_by == admin.user.id {
                            p.hint { (lang.t(w::OWN_REQUEST)) }
                        }
                        div.field.error[error.is_some()] {
                            @if let Some(error) = error { p.field-error id={ (approve_id) "-error" } { (error) } }
                            form method="post" action={ "/admin/grants/" (id) "/approve" } {
                                (viewer.csrf_field())
                                button id=(approve_id) type="submit"
                                    aria-describedby=[error.map(|_| format!("{approve_id}-error"))] {
                                    (lang.t(w::APPROVE))
                                }
                            }
                        }
                        form method="post" action={ "/admin/grants/" (id) "/refuse" } novalidate {
                            (viewer.csrf_field())
                            (Input::text(&reason_id, lang.t(w::REFUSAL_REASON), "").named("reason").render(errors))
                            button.warning type="submit" { (lang.t(w::REFUSE_GRANT)) }
                        }
                    }
                }
            }
            section.card aria-labelledby="new-staff-title" {
                h2 #new-staff-title { (lang.t(w::NEW_STAFF)) }
                form method="post" action="/admin/staff" novalidate {
                    (viewer.csrf_field())
                    fieldset #role {
                        legend { (lang.t(w::ROLE)) }
                        @if let Some(error) = error_of(errors, "role") { p.field-error { (error) } }
                        @for (value, text, hint) in [
                            ("clerk", w::ROLE_CLERK, w::ROLE_CLERK_HINT),
                            ("official", w::ROLE_OFFICIAL, w::ROLE_OFFICIAL_HINT),
                            ("admin", w::ROLE_ADMIN, w::ROLE_ADMIN_HINT),
                        ] {
                            div.check {
                                input id={ "role-" (value) } type="radio" name="role" value=(value) checked[role == value]
                                    aria-describedby={ "role-" (value) "-hint" };
                                div {
                                    label for={ "role-" (value) } { (lang.t(text)) }
                                    p.hint id={ "role-" (value) "-hint" } { (lang.t(hint)) }
                                }
                            }
                        }
                    }
                    (Input::text("username", lang.t(w::USERNAME), &form.username).hint(lang.t(w::USERNAME_HINT)).render(errors))
                    (Input::text("full_name", lang.t(words::FULL_NAME), &form.full_name).render(errors))
                    (select("office_id", lang.t(w::OFFICE), Some(lang.t(w::OFFICE_HINT)), &office_choices, &chosen_office, errors))
                    (Input::text("position", lang.t(w::POSITION), &form.position).hint(lang.t(w::POSITION_HINT)).render(errors))
                    p.hint { (lang.t(w::TEMPORARY_PASSWORD_MADE)) }
                    button type="submit" { (lang.t(w::CREATE_STAFF)) }
                }
            }
            h2 #accounts {
                (lang.t(w::STAFF_ACCOUNTS)) " (" (data.staff.len()) ")"
                @if let Some(office) = &data.office { " — " (office_of(office)) }
            }
            @if data.office.is_some() {
                p { a href="/admin/staff#accounts" { (lang.t(w::ALL_STAFF)) } }
            }
            @if !data.staff.is_empty() {
                (staff_table(lang, &data.staff, Some(&data.offices)))
            }
        },
    )
}

/// `GET /admin/staff?office=&done=`.
#[get("/admin/staff?<office>&<done>")]
pub async fn staff_page(
    app: &State<App>,
    viewer: Viewer,
    office: Option<&str>,
    done: Option<&str>,
) -> PageResult {
    let admin = viewer.require(ADMIN)?.clone();
    let office = office.and_then(OfficeId::parse);
    let data = load(app, &viewer, &admin, office, None).await?;
    Ok(staff_markup(
        &viewer,
        &admin,
        &data,
        &<StaffForm as Default>::default(),
        &Vec::new(),
        done,
    ))
}

/// The staff page again with the form as sent and its errors.
async fn again(
    app: &App,
    viewer: &Viewer,
    admin: &AuthUser,
    status: Status,
    form: &StaffForm,
    errors: FieldErrors,
) -> PageFailure {
    let chosen = OfficeId::parse(&form.office_id);
    match load(app, viewer, admin, None, chosen).await {
        Ok(data) => PageFailure::Page(
            status,
            staff_markup(viewer, admin, &data, form, &errors, None),
        ),
        Err(failure) => failure,
    }
}

/// The field of the new-staff form an error of the domain is about.
fn field_of(error: &LifecycleError) -> &'static str {
    match error {
        LifecycleError::Auth(AuthError::InvalidRole) => "role",
        LifecycleError::Auth(AuthError::Identity(_)) => "full_name",
        LifecycleError::Auth(AuthError::OfficeNotFound) => "office_id",
        LifecycleError::Auth(AuthError::InvalidField("position")) => "position",
        _ => "username",
    }
}

/// The answer to a new account: its temporary password, shown this once.
pub(super) fn created_markup(
    viewer: &Viewer,
    created: &StaffAccountCreated,
    office: Option<&str>,
) -> Markup {
    let lang = viewer.lang;
    let user = &created.user;
    let title = lang.t(w::STAFF_CREATED);
    page(
        viewer,
        title,
        html! {
            (back(lang, "/admin/staff", w::NAV_STAFF))
            h1 { (title) }
            dl {
                dt { (lang.t(words::FULL_NAME)) } dd { a href={ "/admin/accounts/" (user.id) } { (user.full_name) } }
                dt { (lang.t(w::USERNAME)) } dd { code { (user.username.as_deref().unwrap_or("")) } }
                dt { (lang.t(w::ROLE)) } dd { (lang.t(role_text(user.role()))) }
                @if let Some(office) = office { dt { (lang.t(w::OFFICE)) } dd { (office) } }
            }
            @if let Some(temporary) = &created.temporary_password {
                (temporary_panel(viewer, &temporary.password, temporary.expires_at))
            }
            @if let Some(grant) = &created.official_grant {
                div.card {
                    h2 { (lang.t(w::GRANT_WAITING_TITLE)) }
                    p { (lang.t(w::GRANT_WAITING)) " " strong { (grant.position) } "." }
                    p { a href="/admin/staff#grants" { (lang.t(w::GRANTS)) } }
                }
            }
        },
    )
}

/// The temporary password, shown once, with what to do with it.
pub(super) fn temporary_panel(
    viewer: &Viewer,
    password: &str,
    expires_at: time::PrimitiveDateTime,
) -> Markup {
    let lang = viewer.lang;
    html! {
        div.panel {
            h2 { (lang.t(w::TEMPORARY_PASSWORD)) }
            p.lead { strong { code #secret { (password) } } }
            p { (lang.t(w::VALID_UNTIL)) " " (moment(expires_at.assume_utc())) }
            p { (lang.t(w::TEMPORARY_PASSWORD_HINT)) }
            p.hint { (lang.t(w::SHOWN_ONCE)) }
        }
    }
}

/// `POST /admin/staff`: creates the account; the answer shows its temporary password once.
#[post("/admin/staff", data = "<form>")]
pub async fn create_staff(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    form: Posted<'_, StaffForm>,
) -> Result<SecretPage, PageFailure> {
    let admin = viewer.require(ADMIN)?.clone();
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let office_id = OfficeId::parse(form.office_id.trim());
    let request = NewStaff {
        // Another role than these three is refused by the domain.
        role: Role::parse(form.role.trim()).unwrap_or(Role::Citizen),
        username: form.username.clone(),
        full_name: form.full_name.clone(),
        office_id: office_id.clone(),
        position: typed(&form.position),
        password: None,
        agency_id: None,
    };
    let result = app
        .auth()
        .create_staff(admin.actor(), request, Some(request_id.0))
        .await;
    match result {
        Ok(created) => {
            let office = match &created.user.office_id {
                Some(office) => {
                    let office = office.clone();
                    read(app, &viewer, move |conn| office_names(conn, [office]))
                        .await?
                        .into_values()
                        .next()
                }
                None => None,
            };
            Ok(SecretPage::new(created_markup(
                &viewer,
                &created,
                office.as_deref(),
            )))
        }
        Err(error) => {
            let (status, message) = refusal(&viewer, &error)?;
            let errors = vec![(field_of(&error).to_owned(), message)];
            Err(again(app, &viewer, &admin, status, &form, errors).await)
        }
    }
}

fn grant_id(viewer: &Viewer, text: &str) -> Result<GrantId, PageFailure> {
    GrantId::parse(text).ok_or_else(|| viewer.error(&LifecycleError::GrantNotFound))
}

/// The decision on a request, or the staff page with the refusal at the request.
async fn decide(
    app: &App,
    viewer: &Viewer,
    admin: &AuthUser,
    grant: GrantId,
    refusal_reason: Option<String>,
    request_id: RequestId,
) -> Result<Redirect, PageFailure> {
    let approve = refusal_reason.is_none();
    let field = if approve {
        format!("approve-{grant}")
    } else {
        format!("reason-{grant}")
    };
    let decider = admin.user.clone();
    let result = app
        .db
        .run(move |conn| {
            auth::decide_official_grant(
                conn,
                &decider,
                &grant,
                approve,
                refusal_reason.as_deref(),
                Some(&request_id.0),
            )
        })
        .await;
    match result {
        Ok(_) if approve => {
            if let Err(internal) = app.provision_dev_certificates().await {
                tracing::error!("{internal}");
            }
            Ok(Redirect::to("/admin/staff?done=grant-approved#grants"))
        }
        Ok(_) => Ok(Redirect::to("/admin/staff?done=grant-refused#grants")),
        Err(error) => {
            let (status, message) = refusal(viewer, &error)?;
            Err(again(
                app,
                viewer,
                admin,
                status,
                &<StaffForm as Default>::default(),
                vec![(field, message)],
            )
            .await)
        }
    }
}

/// The form token alone.
#[derive(FromForm)]
pub struct ApproveForm {
    csrf: String,
}

/// `POST /admin/grants/{id}/approve`: a second admin approves; the account becomes an
/// official.
#[post("/admin/grants/<id>/approve", data = "<form>")]
pub async fn approve(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    form: Posted<'_, ApproveForm>,
) -> Result<Redirect, PageFailure> {
    let admin = viewer.require(ADMIN)?.clone();
    let grant = grant_id(&viewer, id)?;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    decide(app, &viewer, &admin, grant, None, request_id).await
}

/// A refusal's reason.
#[derive(FromForm)]
pub struct RefuseForm {
    csrf: String,
    reason: String,
}

/// `POST /admin/grants/{id}/refuse`: a second admin refuses, with a reason; the account
/// stays a clerk.
#[post("/admin/grants/<id>/refuse", data = "<form>")]
pub async fn refuse(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    form: Posted<'_, RefuseForm>,
) -> Result<Redirect, PageFailure> {
    let admin = viewer.require(ADMIN)?.clone();
    let grant = grant_id(&viewer, id)?;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    decide(app, &viewer, &admin, grant, Some(form.reason), request_id).await
}
