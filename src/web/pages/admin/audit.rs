//! `/admin/audit`: the audit log, newest first, 50 rows a page with a link to older
//! ones, filtered by actor (username or id), office, action and local dates — the same
//! [`crate::audit::search`] as `GET /api/v1/admin/audit`.

use std::collections::BTreeMap;

use maud::{Markup, html};
use rocket::http::Status;
use rocket::{State, get};

use super::words as w;
use super::{
    ADMIN, FieldErrors, Input, back, listed, office_names, office_options, parse_day, read,
    role_text, select,
};
use crate::app::App;
use crate::audit::{self, AuditFilter};
use crate::db::ids::{OfficeId, UserId};
use crate::db::models::{AuditEntry, Role};
use crate::web::pages::format::moment;
use crate::web::pages::i18n::words;
use crate::web::pages::layout::{error_summary, page};
use crate::web::pages::session::{PageFailure, PageResult, Viewer};

/// Rows on one page.
pub const PER_PAGE: i64 = 50;

/// Details longer than this are folded.
const SHORT_DETAIL: usize = 80;

/// The filters as typed (kept in the form and in the link to older rows).
#[derive(Default)]
struct Typed {
    actor: String,
    office: String,
    action: String,
    from: String,
    to: String,
}

impl Typed {
    /// The query string of these filters (for the link to older rows).
    fn query(&self) -> String {
        let pairs = [
            ("actor", &self.actor),
            ("office", &self.office),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ];
        pairs
            .iter()
            .filter(|(_, value)| !value.trim().is_empty())
            .map(|(name, value)| format!("{name}={}&", encode(value.trim())))
            .collect()
    }
}

/// `text` percent-encoded for a query string.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// What the page shows.
struct Shown {
    entries: Vec<AuditEntry>,
    older: Option<i64>,
    actors: BTreeMap<UserId, String>,
    offices: BTreeMap<OfficeId, String>,
    office_options: Vec<(String, String)>,
}

fn audit_markup(
    viewer: &Viewer,
    typed: &Typed,
    shown: &Shown,
    newer: bool,
    errors: &FieldErrors,
) -> Markup {
    let lang = viewer.lang;
    let title = lang.t(w::NAV_AUDIT);
    let mut offices = vec![(String::new(), lang.t(w::ALL_OFFICES).to_owned())];
    offices.extend(shown.office_options.iter().cloned());
    page(
        viewer,
        title,
        html! {
            (error_summary(lang, &listed(errors)))
            (back(lang, "/admin", words::NAV_ADMIN))
            h1 { (title) }
            form method="get" action="/admin/audit" novalidate aria-labelledby="filter-title" {
                h2 #filter-title { (lang.t(w::FILTER_TITLE)) }
                (Input::text("actor", lang.t(w::ACTOR), &typed.actor).hint(lang.t(w::ACTOR_HINT)).render(errors))
                (select("office", lang.t(w::OFFICE), None, &offices, &typed.office, errors))
                (Input::text("action", lang.t(w::ACTION), &typed.action).hint(lang.t(w::ACTION_HINT)).render(errors))
                (Input::text("from", lang.t(w::FROM_DATE), &typed.from).hint(lang.t(w::DATE_HINT)).render(errors))
                (Input::text("to", lang.t(w::TO_DATE), &typed.to).hint(lang.t(w::DATE_HINT)).render(errors))
                div.actions {
                    button type="submit" { (lang.t(w::FILTER)) }
                    a href="/admin/audit" { (lang.t(w::CLEAR_FILTER)) }
                }
            }
            h2 #entries { (lang.t(w::ENTRIES)) }
            @if shown.entries.is_empty() {
                p { (lang.t(w::NO_ENTRIES)) }
            } @else {
                div.table-wrap { table.list.stack {
                    thead { tr {
                        th scope="col" { (lang.t(w::WHEN)) }
                        th scope="col" { (lang.t(w::ACTOR)) }
                        th scope="col" { (lang.t(w::OFFICE)) }
                        th scope="col" { (lang.t(w::ACTION)) }
                        th scope="col" { (lang.t(w::TARGET)) }
                        th scope="col" { (lang.t(w::DETAIL)) }
                    } }
                    tbody {
                        @for entry in &shown.entries {
                            tr {
                                td data-label=(lang.t(w::WHEN)) { (moment(entry.at.assume_utc())) }
                                td data-label=(lang.t(w::ACTOR)) {
                                    @match &entry.actor_id {
                                        Some(actor) => {
                                            a href={ "/admin/accounts/" (actor) } { (shown.actors.get(actor).map_or(actor.as_str(), String::as_str)) }
                                            @if let Some(role) = entry.actor_role.as_deref().and_then(Role::parse) { " (" (lang.t(role_text(role))) ")" }
                                        }
                                        None => { (lang.t(w::SYSTEM)) }
                                    }
                                }
                                td data-label=(lang.t(w::OFFICE)) {
                                    @match &entry.office_id {
                                        Some(office) => a href={ "/admin/offices/" (office) } { (shown.offices.get(office).map_or(office.as_str(), String::as_str)) },
                                        None => "—",
                                    }
                                }
                                td data-label=(lang.t(w::ACTION)) { code { (entry.action) } }
                                td data-label=(lang.t(w::TARGET)) { @if let Some(target) = &entry.target { code { (target) } } @else { "—" } }
                                td data-label=(lang.t(w::DETAIL)) {
                                    @if entry.detail.chars().count() > SHORT_DETAIL {
                                        details {
                                            summary { (entry.detail.chars().take(SHORT_DETAIL / 2).collect::<String>()) "…" }
                                            code { (entry.detail) }
                                        }
                                    } @else {
                                        code { (entry.detail) }
                                    }
                                }
                            }
                        }
                    }
                } }
            }
            p.actions {
                @if newer {
                    a href={ "/admin/audit?" (typed.query()) } { "← " (lang.t(w::NEWEST)) }
                }
                @if let Some(older) = shown.older {
                    a href={ "/admin/audit?" (typed.query()) "before=" (older) "#entries" } { (lang.t(w::OLDER)) " →" }
                }
            }
        },
    )
}

/// `GET /admin/audit?actor=&office=&action=&from=&to=&before=`.
#[get("/admin/audit?<actor>&<office>&<action>&<from>&<to>&<before>")]
#[allow(clippy::too_many_arguments)]
pub async fn audit_page(
    app: &State<App>,
    viewer: Viewer,
    actor: Option<String>,
    office: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<i64>,
) -> PageResult {
    viewer.require(ADMIN)?;
    let lang = viewer.lang;
    let typed = Typed {
        actor: actor.unwrap_or_default(),
        office: office.unwrap_or_default(),
        action: action.unwrap_or_default(),
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
    };
    let mut errors = FieldErrors::new();
    let mut day = |id: &str, text: &str| {
        if text.trim().is_empty() {
            return None;
        }
        let parsed = parse_day(text);
        if parsed.is_none() {
            errors.push((id.to_owned(), lang.t(w::DATE_INVALID).to_owned()));
        }
        parsed
    };
    let from = day("from", &typed.from);
    let to = day("to", &typed.to);
    let office_id = OfficeId::parse(typed.office.trim());
    if office_id.is_none() && !typed.office.trim().is_empty() {
        errors.push(("office".to_owned(), lang.t(w::CHOOSE_OFFICE).to_owned()));
    }
    let filter = AuditFilter {
        actor: Some(typed.actor.clone()),
        office_id: office_id.clone(),
        action: Some(typed.action.clone()),
        from,
        to,
        before,
    };
    let valid = errors.is_empty();
    let shown = read(app, &viewer, move |conn| {
        let mut entries = if valid {
            audit::search(conn, &filter, PER_PAGE + 1)?
        } else {
            Vec::new()
        };
        let older = (entries.len() > usize::try_from(PER_PAGE).unwrap_or(usize::MAX))
            .then(|| {
                entries.pop();
                entries.last().map(|entry| entry.id)
            })
            .flatten();
        let actors = audit::actor_names(conn, &entries)?;
        let offices = office_names(conn, entries.iter().filter_map(|e| e.office_id.clone()))?;
        let office_options = office_options(conn, office_id.as_ref())?;
        Ok(Shown {
            entries,
            older,
            actors,
            offices,
            office_options,
        })
    })
    .await?;
    let markup = audit_markup(&viewer, &typed, &shown, before.is_some(), &errors);
    if errors.is_empty() {
        Ok(markup)
    } else {
        Err(PageFailure::Page(Status::UnprocessableEntity, markup))
    }
}
