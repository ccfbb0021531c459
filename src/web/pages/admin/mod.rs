//! The administrator's pages (docs/ARCHITECTURE.md §12): `/admin` (the offices, a new
//! office), `/admin/offices/{id}` (its calendar, closed days, one-person operation, head
//! official and staff), `/admin/staff` (new staff accounts, the four-eyes approval of
//! officials, the staff list), `/admin/accounts/{id}` (disable, enable, end sessions,
//! reset the password, ask for the official role), `/admin/agencies` and
//! `/admin/agencies/{id}` (receiving agencies and their API keys) and `/admin/audit` (the
//! audit log, filtered). Each handler is a thin call of the same domain function as the
//! admin API; secrets (a temporary password, a new API key) are shown once, on the answer
//! to the form, never stored or logged.

mod accounts;
mod agencies;
mod audit;
mod office;
mod overview;
mod staff;
pub mod words;

use std::collections::BTreeMap;

use maud::{Markup, html};
use rocket::Route;
use rocket::http::{Header, Status};

use crate::app::App;
use crate::booking::store;
use crate::db::DbError;
use crate::db::ids::OfficeId;
use crate::db::models::Role;
use crate::error::{PublicError, UserFacing};
use crate::web::pages::i18n::{Lang, Text};
use crate::web::pages::session::{PageFailure, Viewer};

/// Who uses these pages.
pub const ADMIN: &[Role] = &[Role::Admin];

/// The administrator's pages.
pub fn routes() -> Vec<Route> {
    rocket::routes![
        overview::overview,
        overview::create_office,
        office::office_page,
        office::save_calendar,
        office::add_closure,
        office::remove_closure,
        office::practice,
        office::head,
        staff::staff_page,
        staff::create_staff,
        staff::approve,
        staff::refuse,
        accounts::account_page,
        accounts::disable,
        accounts::enable,
        accounts::end_sessions,
        accounts::reset_password,
        accounts::request_official,
        agencies::agencies_page,
        agencies::create_agency,
        agencies::agency_page,
        agencies::create_key,
        agencies::create_agency_staff,
        agencies::revoke_key,
        audit::audit_page,
    ]
}

/// Errors of a form: (field id, message).
pub(crate) type FieldErrors = Vec<(String, String)>;

/// `errors` as the layout's error summary takes them.
fn listed(errors: &[(String, String)]) -> Vec<(&str, &str)> {
    errors
        .iter()
        .map(|(field, message)| (field.as_str(), message.as_str()))
        .collect()
}

/// The error of `id` among `errors`, if any.
fn error_of<'a>(errors: &'a [(String, String)], id: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(field, _)| field == id)
        .map(|(_, message)| message.as_str())
}

/// One input of a form: label, hint, the error in front of the input.
pub(crate) struct Input<'a> {
    id: &'a str,
    name: Option<&'a str>,
    label: &'a str,
    hint: Option<&'a str>,
    value: &'a str,
    numeric: bool,
}

impl<'a> Input<'a> {
    /// A text input.
    fn text(id: &'a str, label: &'a str, value: &'a str) -> Self {
        Input {
            id,
            name: None,
            label,
            hint: None,
            value,
            numeric: false,
        }
    }

    /// With a hint under the label.
    fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }

    /// Typed with digits (the phone's numeric keyboard).
    fn numeric(mut self) -> Self {
        self.numeric = true;
        self
    }

    /// Sent under another name than its id (several forms of a page with one field).
    fn named(mut self, name: &'a str) -> Self {
        self.name = Some(name);
        self
    }

    /// The field, with the error of its id among `errors`.
    fn render(&self, errors: &[(String, String)]) -> Markup {
        let id = self.id;
        let error = error_of(errors, id);
        let described: Vec<String> = [
            self.hint.map(|_| format!("{id}-hint")),
            error.map(|_| format!("{id}-error")),
        ]
        .into_iter()
        .flatten()
        .collect();
        let described = (!described.is_empty()).then(|| described.join(" "));
        html! {
            div.field.error[error.is_some()] {
                label for=(id) { (self.label) }
                @if let Some(hint) = self.hint { p.hint id={ (id) "-hint" } { (hint) } }
                @if let Some(error) = error { p.field-error id={ (id) "-error" } { (error) } }
                input id=(id) name=(self.name.unwrap_or(id)) type="text" value=(self.value) autocomplete="off"
                    inputmode=[self.numeric.then_some("numeric")]
                    aria-describedby=[described];
            }
        }
    }
}

/// A drop-down list: `options` as (value, label), `selected` the value chosen.
fn select(
    id: &str,
    label: &str,
    hint: Option<&str>,
    options: &[(String, String)],
    selected: &str,
    errors: &[(String, String)],
) -> Markup {
    let error = error_of(errors, id);
    let described: Vec<String> = [
        hint.map(|_| format!("{id}-hint")),
        error.map(|_| format!("{id}-error")),
    ]
    .into_iter()
    .flatten()
    .collect();
    let described = (!described.is_empty()).then(|| described.join(" "));
    html! {
        div.field.error[error.is_some()] {
            label for=(id) { (label) }
            @if let Some(hint) = hint { p.hint id={ (id) "-hint" } { (hint) } }
            @if let Some(error) = error { p.field-error id={ (id) "-error" } { (error) } }
            select id=(id) name=(id) aria-describedby=[described] {
                @for (value, text) in options {
                    option value=(value) selected[value == selected] { (text) }
                }
            }
        }
    }
}

/// A notice at the top of a page after a change (`?done=`), or the error of the page.
fn notice(lang: Lang, done: Option<&str>) -> Markup {
    html! {
        @if let Some(text) = done.and_then(words::done) {
            div.panel role="status" { p { strong { (lang.t(text)) } } }
        }
    }
}

/// A refusal of the domain shown on a page: its status and message, or the problem page
/// when the service failed (5xx).
fn refusal<E: UserFacing>(viewer: &Viewer, error: &E) -> Result<(Status, String), PageFailure> {
    let public = error.public();
    if public.status >= 500 {
        return Err(viewer.problem(&public));
    }
    let status = Status::from_code(public.status).unwrap_or(Status::UnprocessableEntity);
    let message = viewer
        .lang
        .pick(&public.message_vi, &public.message_en)
        .to_owned();
    Ok((status, message))
}

/// A failure while reading what a page shows, as the public error of the domain.
pub(crate) struct Failed(PublicError);

impl From<DbError> for Failed {
    fn from(error: DbError) -> Self {
        Failed(error.public())
    }
}

/// `error` as a [`Failed`] (for `map_err` inside a database closure).
fn failed<E: UserFacing>(error: E) -> Failed {
    Failed(error.public())
}

/// Runs the reads of a page in one database call; a refusal becomes its page.
async fn read<T, F>(app: &App, viewer: &Viewer, work: F) -> Result<T, PageFailure>
where
    F: FnOnce(&mut crate::db::DbConn) -> Result<T, Failed> + Send + 'static,
    T: Send + 'static,
{
    app.db
        .run(work)
        .await
        .map_err(|Failed(public)| viewer.problem(&public))
}

/// The names of offices by id (those that exist).
fn office_names(
    conn: &mut crate::db::DbConn,
    ids: impl IntoIterator<Item = OfficeId>,
) -> Result<BTreeMap<OfficeId, String>, Failed> {
    let mut names = BTreeMap::new();
    for id in ids {
        if names.contains_key(&id) {
            continue;
        }
        if let Ok((office, _)) = store::public_office(conn, &id) {
            names.insert(id, office.name);
        }
    }
    Ok(names)
}

/// The offices as options of a list (at most [`store::MAX_OFFICES`], by name), with
/// `chosen` among them even when it lies beyond.
fn office_options(
    conn: &mut crate::db::DbConn,
    chosen: Option<&OfficeId>,
) -> Result<Vec<(String, String)>, Failed> {
    let mut offices = store::find_offices(conn, &store::OfficeFilter::default()).map_err(failed)?;
    if let Some(chosen) = chosen
        && !offices.iter().any(|office| &office.id == chosen)
        && let Ok((office, _)) = store::public_office(conn, chosen)
    {
        offices.insert(0, office);
    }
    Ok(offices
        .into_iter()
        .map(|office| (office.id.to_string(), office.name))
        .collect())
}

/// The words of a role.
fn role_text(role: Role) -> Text {
    match role {
        Role::Citizen => words::ROLE_CITIZEN,
        Role::Clerk => words::ROLE_CLERK,
        Role::Official => words::ROLE_OFFICIAL,
        Role::Admin => words::ROLE_ADMIN,
        Role::Agency => words::ROLE_AGENCY,
        Role::AgencyStaff => words::ROLE_AGENCY_STAFF,
    }
}

/// An account's state as a coloured tag.
fn account_state(lang: Lang, disabled: bool) -> Markup {
    html! {
        @if disabled {
            span.tag.bad { (lang.t(words::DISABLED)) }
        } @else {
            span.tag.ok { (lang.t(words::ENABLED)) }
        }
    }
}

/// A page with a secret shown once (a temporary password, a new API key): never kept
/// by a cache.
#[derive(rocket::Responder)]
pub struct SecretPage {
    page: Markup,
    cache: Header<'static>,
}

impl SecretPage {
    fn new(page: Markup) -> Self {
        SecretPage {
            page,
            cache: Header::new("Cache-Control", "no-store"),
        }
    }
}

/// The "back to administration" link at the top of a page.
fn back(lang: Lang, href: &str, text: Text) -> Markup {
    html! { p { a href=(href) { "← " (lang.t(text)) } } }
}

/// Reads a date typed `dd/mm/yyyy` (or `yyyy-mm-dd`).
fn parse_day(text: &str) -> Option<time::Date> {
    let text = text.trim();
    let padded = time::macros::format_description!("[day]/[month]/[year]");
    let short = time::macros::format_description!("[day padding:none]/[month padding:none]/[year]");
    let iso = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, &padded)
        .or_else(|_| time::Date::parse(text, &short))
        .or_else(|_| time::Date::parse(text, &iso))
        .ok()
}

/// Text that was typed, trimmed; `None` when empty.
fn typed(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::parse_day;
    use time::macros::date;

    #[test]
    fn days_are_read_the_vietnamese_way_or_iso() {
        assert_eq!(parse_day("02/09/2026"), Some(date!(2026 - 09 - 02)));
        assert_eq!(parse_day(" 2/9/2026 "), Some(date!(2026 - 09 - 02)));
        assert_eq!(parse_day("2026-09-02"), Some(date!(2026 - 09 - 02)));
        assert_eq!(parse_day("31/02/2026"), None);
        assert_eq!(parse_day("hôm nay"), None);
    }
}
