//! `/desk?date=`: the office's appointments of the day by time with their state and their
//! documents (each a link to its request page); check-in by booking code (typed, or read
//! by a QR scanner acting as a keyboard); confirming a citizen's ID with their one-time
//! code; `/desk/walk-in` for a citizen without a booking.

use std::collections::BTreeMap;

use maud::{Markup, html};
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{State, get, post};

use crate::app::App;
use crate::auth::{self, DeskConfirmation};
use crate::booking::store::{self, WalkIn};
use crate::certification::{RequestFilter, RequestView, store as requests};
use crate::db::models::Role;
use crate::error::UserFacing;
use crate::web::RequestId;
use crate::web::guards::AuthUser;
use crate::web::pages::citizen::booking::{DocumentRow, MAX_ROWS, document_rows, read_rows};
use crate::web::pages::format::{appointment_status, clock, request_state, weekday_day};
use crate::web::pages::i18n::words;
use crate::web::pages::layout::{error_summary, page};
use crate::web::pages::public::sign_in::text_field;
use crate::web::pages::session::{PageFailure, PageResult, Posted, Viewer};

/// Who works the desk.
pub const DESK: &[Role] = &[Role::Clerk, Role::Official];

/// What the desk page shows besides the day: a message, errors by field, typed values.
#[derive(Default)]
struct Extra<'a> {
    notice: Option<String>,
    errors: Vec<(&'a str, String)>,
    code: String,
    identity_code: String,
    identity_number: String,
}

async fn desk_page(
    app: &App,
    viewer: &Viewer,
    clerk: &AuthUser,
    date: Option<time::Date>,
    extra: Extra<'_>,
) -> PageResult {
    let lang = viewer.lang;
    let actor = clerk.actor();
    let ctx = app.booking.clone();
    let reader = actor.clone();
    let day = app
        .db
        .run(move |conn| store::desk_day(conn, &ctx, &reader, date))
        .await
        .map_err(|e| viewer.error(&e))?;
    let filter = RequestFilter {
        received_on: Some(day.date),
        ..RequestFilter::default()
    };
    let listed = app
        .db
        .run(move |conn| requests::list_at_office(conn, &actor, &filter))
        .await
        .map_err(|e| viewer.error(&e))?;
    let mut by_appointment: BTreeMap<String, Vec<&RequestView>> = BTreeMap::new();
    for request in &listed {
        by_appointment
            .entry(request.appointment_id.clone())
            .or_default()
            .push(request);
    }
    let errors: Vec<(&str, &str)> = extra
        .errors
        .iter()
        .map(|(field, message)| (*field, message.as_str()))
        .collect();
    let title = lang.t(words::NAV_DESK);
    let previous = day.date.previous_day();
    let next = day.date.next_day();
    Ok(page(
        viewer,
        title,
        html! {
            (error_summary(lang, &errors))
            @if let Some(notice) = &extra.notice {
                div.panel role="status" { p { strong { (notice) } } }
            }
            h1 { (title) }
            p { strong { (day.office.name) } " — " (weekday_day(lang, day.date)) }
            p.actions {
                @if let Some(previous) = previous { a href={ "/desk?date=" (previous) } { "← " (lang.t(words::PREVIOUS_DAY)) } }
                a href="/desk" { (lang.t(words::TODAY)) }
                @if let Some(next) = next { a href={ "/desk?date=" (next) } { (lang.t(words::NEXT_DAY)) " →" } }
            }
            section.card aria-labelledby="check-in-title" {
                h2 #check-in-title { (lang.t(words::CHECK_IN_TITLE)) }
                form method="post" action="/desk/check-in" novalidate {
                    (viewer.csrf_field())
                    (text_field("booking_code", lang.t(words::BOOKING_CODE), "text", &extra.code, "off", &errors))
                    p.hint { (lang.t(words::CHECK_IN_HINT)) }
                    button type="submit" { (lang.t(words::CHECK_IN)) }
                }
                p { a href="/desk/walk-in" { (lang.t(words::WALK_IN_TITLE)) } }
            }
            h2 { (lang.t(words::DESK_DAY_LIST)) " (" (day.appointments.len()) ")" }
            @if day.appointments.is_empty() {
                p { (lang.t(words::DESK_NONE)) }
            } @else {
                div.table-wrap { table.list.stack {
                    thead { tr {
                        th scope="col" { (lang.t(words::TIME)) }
                        th scope="col" { (lang.t(words::REQUESTER)) }
                        th scope="col" { (lang.t(words::BOOKING_CODE)) }
                        th scope="col" { (lang.t(words::STATUS)) }
                        th scope="col" { (lang.t(words::BOOK_DOCUMENTS_TITLE)) }
                    } }
                    tbody {
                        @for a in &day.appointments {
                            tr id={ "appointment-" (a.id) } {
                                td data-label=(lang.t(words::TIME)) { (clock(a.slot_start_local)) }
                                td data-label=(lang.t(words::REQUESTER)) { (a.requester_name) @if a.walk_in { br; span.hint { (lang.t(words::WALK_IN)) } } }
                                td data-label=(lang.t(words::BOOKING_CODE)) { code { (a.booking_code.to_string()) } }
                                td data-label=(lang.t(words::STATUS)) { (appointment_status(lang, a.status)) }
                                td data-label=(lang.t(words::BOOK_DOCUMENTS_TITLE)) {
                                    @match by_appointment.get(&a.id.to_string()) {
                                        Some(found) => {
                                            ul {
                                                @for r in found {
                                                    li { a href={ "/desk/requests/" (r.id) } { (r.document_title) } " " (request_state(lang, r.state)) }
                                                }
                                            }
                                        }
                                        None => {
                                            @for d in &a.documents { (d.title) " (" (d.pages) "×" (d.copies) ")" br; }
                                        }
                                    }
                                }
                            }
                        }
                    }
                } }
            }
            section.card aria-labelledby="identity-title" {
                h2 #identity-title { (lang.t(words::CONFIRM_IDENTITY_TITLE)) }
                p.hint { (lang.t(words::CONFIRM_IDENTITY_HINT)) }
                form method="post" action="/desk/identity" novalidate {
                    (viewer.csrf_field())
                    (text_field("identity_code", lang.t(words::IDENTITY_CODE), "text", &extra.identity_code, "off", &errors))
                    (text_field("identity_number", lang.t(words::CITIZEN_ID_ON_CARD), "text", &extra.identity_number, "off", &errors))
                    button type="submit" { (lang.t(words::CONFIRM_IDENTITY)) }
                }
            }
        },
    ))
}

fn parse_date(text: Option<&str>) -> Option<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    text.and_then(|t| time::Date::parse(t, &format).ok())
}

/// `GET /desk?date=`.
#[get("/desk?<date>")]
pub async fn desk(app: &State<App>, viewer: Viewer, date: Option<&str>) -> PageResult {
    let clerk = viewer.require(DESK)?.clone();
    desk_page(app, &viewer, &clerk, parse_date(date), Extra::default()).await
}

/// The check-in form.
#[derive(FromForm)]
pub struct CheckInForm {
    csrf: String,
    booking_code: String,
}

/// `POST /desk/check-in`: checks the citizen in; their documents become requests.
#[post("/desk/check-in", data = "<form>")]
pub async fn check_in(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    form: Posted<'_, CheckInForm>,
) -> Result<Redirect, PageFailure> {
    let clerk = viewer.require(DESK)?.clone();
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let lang = viewer.lang;
    let code = form.booking_code.trim().to_owned();
    let actor = clerk.actor();
    let ctx = app.booking.clone();
    let typed = code.clone();
    let result = app
        .db
        .run(move |conn| store::check_in(conn, &ctx, &actor, &typed, Some(&request_id.0)))
        .await;
    match result {
        Ok(view) => Ok(Redirect::to(format!("/desk#appointment-{}", view.id))),
        Err(error) => {
            let public = error.public();
            if public.status >= 500 {
                return Err(viewer.problem(&public));
            }
            let message = lang.pick(&public.message_vi, &public.message_en).to_owned();
            let status = Status::from_code(public.status).unwrap_or(Status::UnprocessableEntity);
            let extra = Extra {
                errors: vec![("booking_code", message)],
                code,
                ..Extra::default()
            };
            let page = desk_page(app, &viewer, &clerk, None, extra).await?;
            Err(PageFailure::Page(status, page))
        }
    }
}

/// The identity confirmation form.
#[derive(FromForm)]
pub struct IdentityForm {
    csrf: String,
    identity_code: String,
    identity_number: String,
}

/// `POST /desk/identity`: the citizen's one-time code and the number read from their card.
#[post("/desk/identity", data = "<form>")]
pub async fn confirm_identity(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    form: Posted<'_, IdentityForm>,
) -> PageResult {
    let clerk = viewer.require(DESK)?.clone();
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let lang = viewer.lang;
    let actor = clerk.actor();
    let request = DeskConfirmation {
        code: form.identity_code.clone(),
        citizen_id: form.identity_number.clone(),
    };
    let result = app
        .db
        .run(move |conn| auth::confirm_at_desk(conn, &actor, &request, Some(&request_id.0)))
        .await;
    match result {
        Ok(user) => {
            let extra = Extra {
                notice: Some(format!(
                    "{} {}",
                    lang.t(words::IDENTITY_CONFIRMED),
                    user.full_name
                )),
                ..Extra::default()
            };
            desk_page(app, &viewer, &clerk, None, extra).await
        }
        Err(error) => {
            let public = error.public();
            if public.status >= 500 {
                return Err(viewer.problem(&public));
            }
            let field = match error {
                auth::AuthError::IdentityMismatch | auth::AuthError::Identity(_) => {
                    "identity_number"
                }
                _ => "identity_code",
            };
            let message = lang.pick(&public.message_vi, &public.message_en).to_owned();
            let status = Status::from_code(public.status).unwrap_or(Status::UnprocessableEntity);
            let extra = Extra {
                errors: vec![(field, message)],
                identity_code: form.identity_code,
                identity_number: form.identity_number,
                ..Extra::default()
            };
            let page = desk_page(app, &viewer, &clerk, None, extra).await?;
            Err(PageFailure::Page(status, page))
        }
    }
}

/// The walk-in form as sent.
#[derive(FromForm)]
pub struct WalkInForm {
    csrf: String,
    full_name: String,
    citizen_id: String,
    rows: Vec<DocumentRow>,
    more: Option<String>,
}

fn walk_in_page(
    viewer: &Viewer,
    full_name: &str,
    citizen_id: &str,
    rows: &[DocumentRow],
    errors: &[(String, String)],
) -> Markup {
    let lang = viewer.lang;
    let title = lang.t(words::WALK_IN_TITLE);
    let listed: Vec<(&str, &str)> = errors
        .iter()
        .map(|(f, m)| (f.as_str(), m.as_str()))
        .collect();
    page(
        viewer,
        title,
        html! {
            (error_summary(lang, &listed))
            h1 { (title) }
            p.hint { (lang.t(words::WALK_IN_HINT)) }
            form method="post" action="/desk/walk-in" novalidate {
                (viewer.csrf_field())
                (text_field("full_name", lang.t(words::FULL_NAME), "text", full_name, "off", &listed))
                (text_field("citizen_id", lang.t(words::CITIZEN_ID_ON_CARD), "text", citizen_id, "off", &listed))
                (document_rows(lang, rows, errors))
                div.actions {
                    button type="submit" { (lang.t(words::WALK_IN_BUTTON)) }
                    @if rows.len() < MAX_ROWS {
                        button.secondary type="submit" name="more" value="1" { (lang.t(words::BOOK_ANOTHER_DOCUMENT)) }
                    }
                }
            }
            p { a href="/desk" { (lang.t(words::NAV_DESK)) } }
        },
    )
}

/// `GET /desk/walk-in`.
#[get("/desk/walk-in")]
pub fn walk_in_form(viewer: Viewer) -> PageResult {
    viewer.require(DESK)?;
    Ok(walk_in_page(&viewer, "", "", &[DocumentRow::empty()], &[]))
}

/// `POST /desk/walk-in`: a checked-in appointment in a seat of today, its requests open.
#[post("/desk/walk-in", data = "<form>")]
pub async fn walk_in(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    form: Posted<'_, WalkInForm>,
) -> Result<Redirect, PageFailure> {
    let clerk = viewer.require(DESK)?.clone();
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let lang = viewer.lang;
    let mut rows: Vec<DocumentRow> = form.rows.into_iter().take(MAX_ROWS).collect();
    if form.more.is_some() {
        rows.push(DocumentRow::empty());
        return Err(PageFailure::Page(
            Status::Ok,
            walk_in_page(&viewer, &form.full_name, &form.citizen_id, &rows, &[]),
        ));
    }
    rows.retain(|row| !row.is_blank());
    if rows.is_empty() {
        rows.push(DocumentRow::empty());
    }
    let refuse = |status: Status, errors: Vec<(String, String)>| {
        PageFailure::Page(
            status,
            walk_in_page(&viewer, &form.full_name, &form.citizen_id, &rows, &errors),
        )
    };
    let documents =
        read_rows(lang, &rows).map_err(|errors| refuse(Status::UnprocessableEntity, errors))?;
    let request = WalkIn {
        full_name: form.full_name.clone(),
        citizen_id: form.citizen_id.clone(),
        documents,
        slot_start: None,
    };
    let actor = clerk.actor();
    let ctx = app.booking.clone();
    let result = app
        .db
        .run(move |conn| store::walk_in(conn, &ctx, &actor, &request, Some(&request_id.0)))
        .await;
    match result {
        Ok(created) => Ok(Redirect::to(format!(
            "/desk#appointment-{}",
            created.appointment.id
        ))),
        Err(error) => {
            let public = error.public();
            if public.status >= 500 {
                return Err(viewer.problem(&public));
            }
            let field = match &error {
                crate::booking::BookingError::Requester(
                    crate::identity::IdentityError::InvalidCitizenId,
                ) => "citizen_id",
                crate::booking::BookingError::Requester(_) => "full_name",
                _ => "rows-0-title",
            };
            let status = Status::from_code(public.status).unwrap_or(Status::UnprocessableEntity);
            Err(refuse(
                status,
                vec![(
                    field.to_owned(),
                    lang.pick(&public.message_vi, &public.message_en).to_owned(),
                )],
            ))
        }
    }
}
