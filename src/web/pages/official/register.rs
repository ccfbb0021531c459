//! `/register-book`: the office's register book for its officials — search, one line in
//! full with its annulment, the month's or year's book to download (the API's sealed PDF
//! and CSV export) and the statistics of a period. Thin handlers over the functions of
//! [`crate::registry::book`] and [`crate::registry::annul_entry`] that the API calls; who
//! may read what is decided there (the office's officials).
//!
//! The path is `/register-book`, since `/register` is where a citizen creates an account.

use maud::{Markup, html};
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{State, get, post};
use time::{Date, Month, OffsetDateTime};

use super::words as w;
use crate::app::App;
use crate::certification::RefusalGround;
use crate::db::ids::{CopyId, OfficeId};
use crate::db::models::{EntryStatus, Role};
use crate::error::UserFacing;
use crate::local_time::local_date;
use crate::registry::book::{
    self, RegisterBookError, RegisterLine, RegisterLineView, RegisterPage, RegisterQuery,
    RegisterQueryText, RegisterStatistics,
};
use crate::registry::code::display_code;
use crate::registry::{self, RegistryError};
use crate::web::RequestId;
use crate::web::guards::AuthUser;
use crate::web::pages::format::{day, moment, vnd_i64};
use crate::web::pages::i18n::{Lang, words};
use crate::web::pages::layout::{self, error_summary, page};
use crate::web::pages::session::{PageFailure, PageResult, Posted, Viewer};

const OFFICIAL: &[Role] = &[Role::Official];

/// Where the pages live.
const BASE: &str = "/register-book";

/// The official's office (an official without one reads no register: 403).
fn office_of(viewer: &Viewer, official: &AuthUser) -> Result<OfficeId, PageFailure> {
    official
        .user
        .office_id
        .clone()
        .ok_or_else(|| viewer.error(&RegisterBookError::Forbidden))
}

/// Today's date in Viet Nam.
fn today() -> Date {
    let now = OffsetDateTime::now_utc();
    local_date(now).unwrap_or(now.date())
}

/// A `YYYY-MM-DD` date as `dd/mm/yyyy` (the text as is when it does not parse).
fn day_text(iso: &str) -> String {
    Date::parse(
        iso,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map(day)
    .unwrap_or_else(|_| iso.to_owned())
}

/// A date typed as `dd/mm/yyyy` in the form the domain reads (`YYYY-MM-DD`); anything else
/// as typed, for the domain to accept (`YYYY-MM-DD`) or refuse at its field.
fn iso_date(typed: &str) -> String {
    let parts: Vec<&str> = typed.trim().split('/').collect();
    match parts.as_slice() {
        [d, m, y]
            if (1..=2).contains(&d.len())
                && (1..=2).contains(&m.len())
                && y.len() == 4
                && [d, m, y]
                    .iter()
                    .all(|p| p.bytes().all(|b| b.is_ascii_digit())) =>
        {
            format!("{y}-{m:0>2}-{d:0>2}")
        }
        _ => typed.trim().to_owned(),
    }
}

/// One input with its label, an optional hint and its error.
struct Input<'a> {
    id: &'a str,
    label: &'a str,
    hint: Option<&'a str>,
    kind: &'a str,
    value: &'a str,
    inputmode: Option<&'a str>,
}

fn input(field: Input<'_>, errors: &[(&str, &str)]) -> Markup {
    let id = field.id;
    let error = errors.iter().find(|(f, _)| *f == id).map(|(_, m)| *m);
    let described: Vec<String> = field
        .hint
        .map(|_| format!("{id}-hint"))
        .into_iter()
        .chain(error.map(|_| format!("{id}-error")))
        .collect();
    html! {
        div.field.error[error.is_some()] {
            label for=(id) { (field.label) }
            @if let Some(hint) = field.hint { p.hint id={ (id) "-hint" } { (hint) } }
            @if let Some(error) = error { p.field-error id={ (id) "-error" } { (error) } }
            input id=(id) name=(id) type=(field.kind) value=(field.value)
                inputmode=[field.inputmode]
                aria-describedby=[(!described.is_empty()).then(|| described.join(" "))];
        }
    }
}

/// The words and colour of a line's status.
fn line_status(lang: Lang, status: &str) -> Markup {
    let (text, class) = match status {
        "valid" => (words::COPY_VALID, "ok"),
        "annulled" => (words::COPY_ANNULLED, "bad"),
        _ => (w::VOID, "warn"),
    };
    html! { span class={ "tag " (class) } { (lang.t(text)) } }
}

// ---------------------------------------------------------------------------------------
// Search.

/// The search as typed, to show it again.
#[derive(Default)]
struct Typed {
    number: String,
    requester: String,
    title: String,
    from: String,
    to: String,
    status: String,
}

impl Typed {
    /// The query string of this search (without the page).
    fn query(&self) -> String {
        let pairs = [
            ("number", &self.number),
            ("requester", &self.requester),
            ("title", &self.title),
            ("from", &self.from),
            ("to", &self.to),
            ("status", &self.status),
        ];
        pairs
            .iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| format!("{name}={}", query_value(value)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// `text` percent-encoded for a query string.
fn query_value(text: &str) -> String {
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

/// The field a refused search names, and what to say there.
fn search_error(lang: Lang, error: &RegisterBookError) -> Option<(&'static str, &'static str)> {
    match error {
        RegisterBookError::InvalidField("number") => Some(("number", lang.t(w::NUMBER_INVALID))),
        RegisterBookError::InvalidField(field @ ("from" | "to")) => {
            Some((field, lang.t(w::DATE_INVALID)))
        }
        RegisterBookError::InvalidField(field @ ("requester" | "title")) => {
            Some((field, lang.t(w::FILTER_INVALID)))
        }
        RegisterBookError::InvalidField("status") => Some(("status", lang.t(w::STATUS_INVALID))),
        RegisterBookError::InvalidPeriod => Some(("to", lang.t(w::PERIOD_INVALID))),
        _ => None,
    }
}

fn search_form(viewer: &Viewer, typed: &Typed, errors: &[(&str, &str)]) -> Markup {
    let lang = viewer.lang;
    let status_error = errors.iter().find(|(f, _)| *f == "status").map(|e| e.1);
    html! {
        form.search method="get" action=(BASE) novalidate {
            h2 #search-title { (lang.t(w::SEARCH_TITLE)) }
            (input(Input { id: "number", label: lang.t(words::CERTIFICATION_NUMBER), hint: None, kind: "text", value: &typed.number, inputmode: Some("numeric") }, errors))
            (input(Input { id: "requester", label: lang.t(w::REQUESTER_FILTER), hint: Some(lang.t(w::REQUESTER_HINT)), kind: "text", value: &typed.requester, inputmode: None }, errors))
            (input(Input { id: "title", label: lang.t(words::DOCUMENT_TITLE), hint: Some(lang.t(w::TITLE_HINT)), kind: "text", value: &typed.title, inputmode: None }, errors))
            div.dates {
                (input(Input { id: "from", label: lang.t(w::DATE_FROM), hint: Some(lang.t(w::DATE_HINT)), kind: "text", value: &typed.from, inputmode: None }, errors))
                (input(Input { id: "to", label: lang.t(w::DATE_TO), hint: Some(lang.t(w::DATE_HINT)), kind: "text", value: &typed.to, inputmode: None }, errors))
            }
            div.field.error[status_error.is_some()] {
                label for="status" { (lang.t(words::STATUS)) }
                @if let Some(error) = status_error { p.field-error #status-error { (error) } }
                select #status name="status" aria-describedby=[status_error.map(|_| "status-error")] {
                    @for (value, text) in [("", lang.t(w::ALL_STATUSES)), ("valid", lang.t(words::COPY_VALID)), ("annulled", lang.t(words::COPY_ANNULLED)), ("void", lang.t(w::VOID))] {
                        option value=(value) selected[typed.status == value] { (text) }
                    }
                }
            }
            button type="submit" { (lang.t(words::SEARCH)) }
        }
    }
}

fn results(viewer: &Viewer, typed: &Typed, found: &RegisterPage) -> Markup {
    let lang = viewer.lang;
    let query = typed.query();
    let page_link = |page: u64| {
        if query.is_empty() {
            format!("{BASE}?page={page}")
        } else {
            format!("{BASE}?{query}&page={page}")
        }
    };
    let current = u64::from(found.page);
    html! {
        h2 #results { (lang.t(words::OFFICES_FOUND)) " (" (found.total) " " (lang.t(w::LINES)) ")" }
        @if found.lines.is_empty() {
            p { (lang.t(w::NONE_FOUND)) }
        } @else {
            div.table-wrap { table.list.stack {
                caption { (lang.t(w::LINES_CAPTION)) }
                thead { tr {
                    th scope="col" { (lang.t(w::NUMBER)) }
                    th scope="col" { (lang.t(w::DATE)) }
                    th scope="col" { (lang.t(words::REQUESTER)) }
                    th scope="col" { (lang.t(words::DOCUMENT_TITLE)) }
                    th scope="col" { (lang.t(words::STATUS)) }
                } }
                tbody {
                    @for line in &found.lines {
                        (result_row(lang, line))
                    }
                }
            } }
            @if found.pages > 1 {
                nav.pages aria-label=(lang.t(w::PAGES_NAV)) {
                    @if current > 1 {
                        a.button.secondary href=(page_link(current - 1)) rel="prev" { (lang.t(w::PREVIOUS_PAGE)) }
                    }
                    span { (lang.t(w::PAGE)) " " (current) "/" (found.pages) }
                    @if current < found.pages {
                        a.button.secondary href=(page_link(current + 1)) rel="next" { (lang.t(w::NEXT_PAGE)) }
                    }
                }
            }
        }
    }
}

fn result_row(lang: Lang, line: &RegisterLineView) -> Markup {
    html! {
        tr {
            td data-label=(lang.t(w::NUMBER)) {
                a.line-number href={ (BASE) "/" (line.id) } { (line.number) }
                br; span.hint { (line.book) }
            }
            td data-label=(lang.t(w::DATE)) { (day_text(&line.date)) }
            td data-label=(lang.t(words::REQUESTER)) { (line.requester_name) }
            td data-label=(lang.t(words::DOCUMENT_TITLE)) { (line.document_title) }
            td data-label=(lang.t(words::STATUS)) { (line_status(lang, &line.status)) }
        }
    }
}

/// `GET /register-book?number=&requester=&title=&from=&to=&status=&page=`: the search and
/// its lines, newest first.
#[allow(clippy::too_many_arguments)] // one per query parameter
#[get("/register-book?<number>&<requester>&<title>&<from>&<to>&<status>&<page>")]
pub async fn search(
    app: &State<App>,
    viewer: Viewer,
    number: Option<&str>,
    requester: Option<&str>,
    title: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    status: Option<&str>,
    page: Option<&str>,
) -> PageResult {
    let official = viewer.require(OFFICIAL)?.clone();
    let office_id = office_of(&viewer, &official)?;
    let lang = viewer.lang;
    let typed = Typed {
        number: number.unwrap_or("").trim().to_owned(),
        requester: requester.unwrap_or("").trim().to_owned(),
        title: title.unwrap_or("").trim().to_owned(),
        from: from.unwrap_or("").trim().to_owned(),
        to: to.unwrap_or("").trim().to_owned(),
        status: status.unwrap_or("").trim().to_owned(),
    };
    let (from_iso, to_iso) = (iso_date(&typed.from), iso_date(&typed.to));
    let parsed = RegisterQuery::parse(RegisterQueryText {
        number,
        from: Some(&from_iso),
        to: Some(&to_iso),
        requester,
        title,
        status,
        page,
        per_page: None,
    });
    let heading = lang.t(words::NAV_REGISTER);
    let frame = |body: Markup, errors: &[(&str, &str)]| {
        // `page` here is the query's page number: the layout by its path.
        layout::page(
            &viewer,
            heading,
            html! {
                (error_summary(lang, errors))
                h1 { (heading) }
                p { a href={ (BASE) "/exports" } { (lang.t(w::EXPORTS_LINK)) } }
                (search_form(&viewer, &typed, errors))
                (body)
            },
        )
    };
    let query = match parsed {
        Ok(query) => query,
        Err(error) => {
            let Some(at_field) = search_error(lang, &error) else {
                return Err(viewer.error(&error));
            };
            let status =
                Status::from_code(error.public().status).unwrap_or(Status::UnprocessableEntity);
            return Err(PageFailure::Page(status, frame(html! {}, &[at_field])));
        }
    };
    let actor = official.actor();
    let found = app
        .db
        .run(move |conn| book::search_register(conn, &actor, &office_id, &query))
        .await
        .map_err(|e| viewer.error(&e))?;
    Ok(frame(results(&viewer, &typed, &found), &[]))
}

// ---------------------------------------------------------------------------------------
// One line, and its annulment.

fn line_id(viewer: &Viewer, text: &str) -> Result<CopyId, PageFailure> {
    CopyId::parse(text).ok_or_else(|| viewer.error(&RegisterBookError::LineNotFound))
}

/// The line of the official's office (404 for another office's), read before any form.
async fn load_line(
    app: &App,
    viewer: &Viewer,
    official: &AuthUser,
    id: CopyId,
) -> Result<RegisterLine, PageFailure> {
    let actor = official.actor();
    app.db
        .run(move |conn| book::register_line(conn, &actor, &id))
        .await
        .map_err(|e| viewer.error(&e))
}

fn line_page(
    viewer: &Viewer,
    line: &RegisterLine,
    reason: &str,
    errors: &[(&str, &str)],
) -> Markup {
    let lang = viewer.lang;
    let entry = &line.entry;
    let status = entry.status();
    let published = matches!(status, EntryStatus::Valid | EntryStatus::Annulled);
    let title = format!(
        "{} {} — {}-{}",
        lang.t(words::CERTIFICATION_NUMBER),
        entry.sequence,
        entry.book,
        entry.type_code
    );
    let code = display_code(&entry.verification_code);
    let reason_error = errors.iter().find(|(f, _)| *f == "reason").map(|e| e.1);
    page(
        viewer,
        &title,
        html! {
            (error_summary(lang, errors))
            p { a href=(BASE) { "← " (lang.t(words::NAV_REGISTER)) } }
            h1 { (title) }
            p #line-status { (line_status(lang, &entry.status)) }
            dl {
                dt { (lang.t(w::BOOK)) }
                dd { (entry.book) "-" (entry.type_code) }
                @if let Some(issued_at) = entry.issued_at {
                    dt { (lang.t(words::ISSUED_AT)) }
                    dd { (moment(issued_at.assume_utc())) }
                } @else {
                    dt { (lang.t(w::CREATED_AT)) }
                    dd { (moment(entry.created_at.assume_utc())) }
                }
                dt { (lang.t(words::REQUESTER)) }
                dd { (entry.requester_name) }
                dt { (lang.t(w::CITIZEN_ID)) }
                dd { (entry.requester_citizen_id) }
                dt { (lang.t(words::DOCUMENT_TITLE)) }
                dd { (entry.document_title) }
                dt { (lang.t(words::DOCUMENT_PAGES)) }
                dd { (entry.page_count) }
                dt { (lang.t(words::DOCUMENT_COPIES)) }
                dd { (entry.copies) }
                dt { (lang.t(w::SIGNER)) }
                dd { (entry.signer_name) ", " (entry.signer_position) }
                dt { (lang.t(words::FEE)) }
                dd { (vnd_i64(entry.fee_vnd)) }
                dt { (lang.t(w::FEE_PAID)) }
                dd {
                    @match &line.payment {
                        Some(payment) => {
                            @if payment.method == "transfer" { (lang.t(words::PAYMENT_TRANSFER)) } @else { (lang.t(words::PAYMENT_CASH)) }
                            @if let Some(receipt) = &payment.receipt_no { ", " (lang.t(w::RECEIPT)) " " (receipt) }
                        }
                        None => { (lang.t(w::NOT_RECORDED)) }
                    }
                }
                @if entry.single_person {
                    dt { (lang.t(words::DETAILS)) }
                    dd { (lang.t(w::SINGLE_PERSON)) }
                }
                @if let Some(void_reason) = &entry.void_reason {
                    dt { (lang.t(w::VOID_REASON)) }
                    dd { (void_reason) }
                }
                @if let Some(annulled_at) = entry.annulled_at {
                    dt { (lang.t(w::ANNULLED_AT)) }
                    dd { (moment(annulled_at.assume_utc())) }
                }
                @if let Some(annulled_reason) = &entry.annulled_reason {
                    dt { (lang.t(w::ANNULLED_REASON)) }
                    dd #annulled-reason { (annulled_reason) }
                }
                @if published {
                    dt { (lang.t(w::VERIFICATION_CODE)) }
                    dd { code #verification-code { (code) } br; a href={ "/v/" (code) } { (lang.t(w::PUBLIC_PAGE)) } }
                }
            }
            @if published {
                p { a.button.secondary href={ "/api/v1/copies/" (entry.id) "/pdf" } download { (lang.t(words::DOWNLOAD_PDF)) } }
            }
            @if status == EntryStatus::Valid {
                section.card aria-labelledby="annul-title" {
                    h2 #annul-title { (lang.t(w::ANNUL_TITLE)) }
                    p { (lang.t(w::ANNUL_HINT)) }
                    form method="post" action={ (BASE) "/" (entry.id) "/annul" } novalidate {
                        (viewer.csrf_field())
                        div.field.error[reason_error.is_some()] {
                            label for="reason" { (lang.t(w::ANNULLED_REASON)) }
                            p.hint #reason-hint { (lang.t(w::ANNUL_REASON_HINT)) }
                            @if let Some(error) = reason_error { p.field-error #reason-error { (error) } }
                            textarea #reason name="reason" maxlength="500" required
                                aria-describedby=(if reason_error.is_some() { "reason-hint reason-error" } else { "reason-hint" }) { (reason) }
                        }
                        button.warning type="submit" { (lang.t(w::ANNUL_BUTTON)) }
                    }
                }
            }
        },
    )
}

/// `GET /register-book/{id}`: one line in full.
#[get("/register-book/<id>")]
pub async fn line(app: &State<App>, viewer: Viewer, id: &str) -> PageResult {
    let official = viewer.require(OFFICIAL)?.clone();
    let id = line_id(&viewer, id)?;
    let line = load_line(app, &viewer, &official, id).await?;
    Ok(line_page(&viewer, &line, "", &[]))
}

/// The reason for an annulment.
#[derive(FromForm)]
pub struct AnnulForm {
    csrf: String,
    reason: String,
}

/// `POST /register-book/{id}/annul`: the same annulment as `POST /api/v1/copies/{id}/annul`;
/// back to the line, or the line with the error at the reason.
#[post("/register-book/<id>/annul", data = "<form>")]
pub async fn annul(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    form: Posted<'_, AnnulForm>,
) -> Result<Redirect, PageFailure> {
    let official = viewer.require(OFFICIAL)?.clone();
    let id = line_id(&viewer, id)?;
    load_line(app, &viewer, &official, id.clone()).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let actor = official.actor();
    let (target, reason) = (id.clone(), form.reason.clone());
    let result = app
        .db
        .run(move |conn| registry::annul_entry(conn, &target, &reason, &actor, Some(&request_id.0)))
        .await;
    let error = match result {
        Ok(_) => return Ok(Redirect::to(format!("{BASE}/{id}"))),
        Err(error) => error,
    };
    let public = error.public();
    if public.status >= 500 || matches!(error, RegistryError::NotFound) {
        return Err(viewer.problem(&public));
    }
    let lang = viewer.lang;
    let message = match error {
        RegistryError::InvalidField(_) => lang.t(w::ANNUL_REASON_MISSING).to_owned(),
        _ => lang.pick(&public.message_vi, &public.message_en).to_owned(),
    };
    let status = Status::from_code(public.status).unwrap_or(Status::UnprocessableEntity);
    let line = load_line(app, &viewer, &official, id).await?;
    Err(PageFailure::Page(
        status,
        line_page(&viewer, &line, &form.reason, &[("reason", &message)]),
    ))
}

// ---------------------------------------------------------------------------------------
// Downloads and statistics.

/// `2026-11` as people write it: `11/2026`.
fn archive_label(period: &str) -> String {
    match period.split_once('-') {
        Some((year, month)) => format!("{month}/{year}"),
        None => period.to_owned(),
    }
}

/// The address of the API's export of a period.
fn export_href(office: &OfficeId, year: i32, month: Option<Month>, format: &str) -> String {
    match month {
        Some(month) => format!(
            "/api/v1/offices/{office}/register/export?year={year}&month={}&format={format}",
            u8::from(month)
        ),
        None => format!("/api/v1/offices/{office}/register/export?year={year}&format={format}"),
    }
}

/// The statistics form (to `/register-book/statistics`).
fn statistics_form(viewer: &Viewer, from: &str, to: &str, errors: &[(&str, &str)]) -> Markup {
    let lang = viewer.lang;
    html! {
        form method="get" action={ (BASE) "/statistics" } novalidate {
            p.hint { (lang.t(w::STATISTICS_HINT)) }
            div.dates {
                (input(Input { id: "from", label: lang.t(w::DATE_FROM), hint: Some(lang.t(w::DATE_HINT)), kind: "text", value: from, inputmode: None }, errors))
                (input(Input { id: "to", label: lang.t(w::DATE_TO), hint: Some(lang.t(w::DATE_HINT)), kind: "text", value: to, inputmode: None }, errors))
            }
            button type="submit" { (lang.t(w::SHOW)) }
        }
    }
}

/// `GET /register-book/exports`: the book of a month or a year as the sealed PDF or CSV
/// (links and a form to the API's export), the sealed monthly archives the service kept,
/// and the statistics form.
#[get("/register-book/exports")]
pub async fn exports(app: &State<App>, viewer: Viewer) -> PageResult {
    let official = viewer.require(OFFICIAL)?.clone();
    let office = office_of(&viewer, &official)?;
    let (actor, archive_office) = (official.actor(), office.clone());
    let archives = app
        .db
        .run(move |conn| crate::registry::archive::list(conn, &actor, &archive_office))
        .await
        .map_err(|e| viewer.error(&e))?;
    let lang = viewer.lang;
    let today = today();
    let (year, month) = (today.year(), today.month());
    let (last_year, last_month) = match month {
        Month::January => (year - 1, Month::December),
        other => (year, other.previous()),
    };
    let quick = [
        (
            format!("{} ({:02}/{year})", lang.t(w::THIS_MONTH), u8::from(month)),
            year,
            Some(month),
        ),
        (
            format!(
                "{} ({:02}/{last_year})",
                lang.t(w::LAST_MONTH),
                u8::from(last_month)
            ),
            last_year,
            Some(last_month),
        ),
        (format!("{} ({year})", lang.t(w::THIS_YEAR)), year, None),
    ];
    let title = lang.t(w::EXPORTS_TITLE);
    Ok(page(
        &viewer,
        title,
        html! {
            p { a href=(BASE) { "← " (lang.t(words::NAV_REGISTER)) } }
            h1 { (title) }
            h2 #export-title { (lang.t(w::EXPORT_TITLE)) }
            p { (lang.t(w::EXPORT_HINT)) }
            h3 { (lang.t(w::QUICK_TITLE)) }
            ul.downloads {
                @for (label, year, month) in &quick {
                    li {
                        span.period { (label) }
                        a.button.secondary href=(export_href(&office, *year, *month, "pdf")) download { (lang.t(w::PDF_SEALED)) span.visually-hidden { " — " (label) } }
                        a.button.secondary href=(export_href(&office, *year, *month, "csv")) download { (lang.t(w::CSV)) span.visually-hidden { " — " (label) } }
                    }
                }
            }
            h3 { (lang.t(w::OTHER_PERIOD)) }
            form.export method="get" action={ "/api/v1/offices/" (office) "/register/export" } {
                div.dates {
                    div.field {
                        label for="year" { (lang.t(w::YEAR)) }
                        select #year name="year" {
                            @for y in ((year - 9)..=year).rev() {
                                option value=(y) selected[y == year] { (y) }
                            }
                        }
                    }
                    div.field {
                        label for="month" { (lang.t(w::MONTH)) }
                        select #month name="month" {
                            option value="" { (lang.t(w::WHOLE_YEAR)) }
                            @for m in 1..=12u8 {
                                option value=(m) selected[m == u8::from(month)] { (lang.t(w::MONTH)) " " (m) }
                            }
                        }
                    }
                }
                div.actions {
                    button type="submit" name="format" value="pdf" { (lang.t(w::DOWNLOAD_PDF)) }
                    button.secondary type="submit" name="format" value="csv" { (lang.t(w::DOWNLOAD_CSV)) }
                }
            }
            h2 #archives-title { (lang.t(w::ARCHIVES_TITLE)) }
            p { (lang.t(w::ARCHIVES_HINT)) }
            @if archives.is_empty() {
                p { (lang.t(w::NO_ARCHIVES)) }
            } @else {
                ul.downloads #archives {
                    @for archive in &archives {
                        @let label = archive_label(&archive.period);
                        li {
                            span.period { (label) " · " (archive.lines) " " (lang.t(w::ARCHIVE_LINES)) }
                            a.button.secondary href={ "/api/v1/offices/" (office) "/register/archives/" (archive.period) } download {
                                (lang.t(w::PDF_SEALED)) span.visually-hidden { " — " (label) }
                            }
                        }
                    }
                }
            }
            h2 #statistics-title { (lang.t(w::STATISTICS_TITLE)) }
            (statistics_form(&viewer, "", "", &[]))
        },
    ))
}

/// Minutes as `2 giờ 5 phút` / `2 h 5 min`.
fn duration_text(lang: Lang, minutes: f64) -> String {
    // Whole minutes of a mean over at most a year of requests: well within u64.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let total = minutes.max(0.0).round() as u64;
    let (hours, minutes) = (total / 60, total % 60);
    if hours == 0 {
        format!("{minutes} {}", lang.t(w::MINUTES))
    } else {
        format!(
            "{hours} {} {minutes} {}",
            lang.t(w::HOURS),
            lang.t(w::MINUTES)
        )
    }
}

/// The words of an Art. 22 clause.
fn ground_text(lang: Lang, clause: u8) -> String {
    RefusalGround::ALL
        .into_iter()
        .find(|ground| ground.clause() == clause)
        .map(|ground| {
            format!(
                "{clause}. {}",
                lang.pick(ground.text_vi(), ground.text_en())
            )
        })
        .unwrap_or_else(|| lang.t(w::OTHER_GROUND).to_owned())
}

fn figures(lang: Lang, stats: &RegisterStatistics) -> Markup {
    let count = |value: u64| html! { (value) };
    html! {
        p #period { (lang.t(w::PERIOD)) ": " strong { (day_text(&stats.from)) " – " (day_text(&stats.to)) } }
        h2 { (lang.t(w::LINES_TITLE)) }
        dl.figures {
            dt { (lang.t(w::CERTIFICATIONS)) } dd #certifications { (count(stats.certifications)) }
            dt { (lang.t(w::STILL_VALID)) } dd #valid { (count(stats.valid)) }
            dt { (lang.t(w::ANNULLED_SINCE)) } dd #annulled { (count(stats.annulled)) }
            dt { (lang.t(w::VOID_LINES)) } dd #void-lines { (count(stats.void_lines)) }
            dt { (lang.t(w::PAGES_CERTIFIED)) } dd #pages { (count(stats.pages)) }
            dt { (lang.t(w::COPIES_MADE)) } dd #copies { (count(stats.copies)) }
            dt { (lang.t(w::FEES_CHARGED)) } dd #fees-charged { (vnd_i64(stats.fees_vnd)) }
            dt { (lang.t(w::ANNULMENTS_RECORDED)) } dd #annulments { (count(stats.annulments_recorded)) }
        }
        h2 { (lang.t(w::REQUESTS_TITLE)) }
        dl.figures {
            dt { (lang.t(w::FEES_COLLECTED)) }
            dd #fees-collected { (vnd_i64(stats.fees_collected_vnd.unwrap_or(0))) }
            dt { (lang.t(w::AVERAGE_TIME)) }
            dd #average-time {
                @match stats.average_check_in_to_certification_minutes {
                    Some(minutes) => { (duration_text(lang, minutes)) }
                    None => { span.hint { (lang.t(w::NOT_COMPUTED)) } }
                }
            }
            dt { (lang.t(w::DEADLINE_MISSES)) }
            dd #deadline-misses { (stats.deadline_misses.unwrap_or(0)) br; span.hint { (lang.t(w::DEADLINE_HINT)) } }
        }
        h3 #refusals-title { (lang.t(w::REFUSALS)) }
        @let refusals: Vec<(u8, u64)> = stats.refusals_by_ground.iter().flatten().map(|(c, n)| (*c, *n)).collect();
        @if refusals.is_empty() {
            p { (lang.t(w::NO_REFUSALS)) }
        } @else {
            div.table-wrap { table.list.stack aria-labelledby="refusals-title" {
                thead { tr {
                    th scope="col" { (lang.t(w::GROUND)) }
                    th scope="col" { (lang.t(w::COUNT)) }
                } }
                tbody {
                    @for (clause, n) in &refusals {
                        tr {
                            td data-label=(lang.t(w::GROUND)) { (ground_text(lang, *clause)) }
                            td data-label=(lang.t(w::COUNT)) { (n) }
                        }
                    }
                }
            } }
        }
    }
}

/// `GET /register-book/statistics?from=&to=`: the same statistics as
/// `GET /api/v1/offices/{id}/statistics`, as a page.
#[get("/register-book/statistics?<from>&<to>")]
pub async fn statistics(
    app: &State<App>,
    viewer: Viewer,
    from: Option<&str>,
    to: Option<&str>,
) -> PageResult {
    let official = viewer.require(OFFICIAL)?.clone();
    let office_id = office_of(&viewer, &official)?;
    let lang = viewer.lang;
    let title = lang.t(w::STATISTICS_TITLE);
    let (from_typed, to_typed) = (from.unwrap_or("").trim(), to.unwrap_or("").trim());
    let frame = |body: Markup, errors: &[(&str, &str)]| {
        page(
            &viewer,
            title,
            html! {
                (error_summary(lang, errors))
                p { a href={ (BASE) "/exports" } { "← " (lang.t(w::EXPORTS_TITLE)) } }
                h1 { (title) }
                (statistics_form(&viewer, from_typed, to_typed, errors))
                (body)
            },
        )
    };
    let now = OffsetDateTime::now_utc();
    let (from_iso, to_iso) = (iso_date(from_typed), iso_date(to_typed));
    let period = match book::statistics_period(Some(&from_iso), Some(&to_iso), today()) {
        Ok(period) => period,
        Err(error) => {
            let Some(at_field) = search_error(lang, &error) else {
                return Err(viewer.error(&error));
            };
            let status =
                Status::from_code(error.public().status).unwrap_or(Status::UnprocessableEntity);
            return Err(PageFailure::Page(status, frame(html! {}, &[at_field])));
        }
    };
    let actor = official.actor();
    let stats = app
        .db
        .run(move |conn| book::register_statistics(conn, &actor, &office_id, period, now))
        .await
        .map_err(|e| viewer.error(&e))?;
    Ok(frame(figures(lang, &stats), &[]))
}

#[cfg(test)]
mod tests {
    use super::iso_date;

    #[test]
    fn dates_are_typed_the_vietnamese_way() {
        assert_eq!(iso_date("01/11/2026"), "2026-11-01");
        assert_eq!(iso_date(" 1/2/2026 "), "2026-02-01");
        assert_eq!(iso_date("2026-11-01"), "2026-11-01");
        assert_eq!(
            iso_date("31/02/2026"),
            "2026-02-31",
            "the domain refuses it"
        );
        assert_eq!(iso_date("hôm qua"), "hôm qua");
        assert_eq!(iso_date("1/1/26"), "1/1/26");
        assert_eq!(iso_date(""), "");
    }
}
