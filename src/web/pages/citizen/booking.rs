//! Booking, one thing per page, over the same store functions as `POST
//! /api/v1/appointments`:
//!
//! 1. `GET /book/{office}?day=` — a day with free places, then a free time of that day;
//! 2. `GET /book/{office}/documents?slot=` — the documents, with pages and copies;
//! 3. `POST /book/{office}/estimate` — the fee estimate, to confirm (or the form again with
//!    its errors; "another document" adds a row);
//! 4. `POST /book/{office}/confirm` — the confirmation: booking code, QR code, calendar
//!    file and manage link (shown this once).
//!
//! The day and time choice is shared with rescheduling ([`slot_choice`]).

use std::collections::BTreeMap;

use base64::Engine;
use maud::{Markup, html};
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::{State, get, post};
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime};

use crate::app::App;
use crate::booking::store::{self, BookingRequest, Requester};
use crate::booking::{BookingError, OfficeSummary};
use crate::db::ids::OfficeId;
use crate::db::models::Role;
use crate::error::UserFacing;
use crate::fees::{DocumentRequest, FeeError, fee_estimate};
use crate::local_time::local_date;
use crate::web::RequestId;
use crate::web::pages::format::{clock, day, moment, vnd, weekday_day};
use crate::web::pages::i18n::{Lang, words};
use crate::web::pages::layout::{error_summary, page};
use crate::web::pages::session::{PageFailure, PageResult, Posted, Viewer};

/// Days ahead shown to choose from.
const DAYS_AHEAD: i64 = 14;
/// Document rows shown at first; "another document" adds one, up to [`MAX_ROWS`].
const FIRST_ROWS: usize = 3;
/// Most document rows on the form.
pub const MAX_ROWS: usize = 20;

/// A QR code SVG as an image address (the page's policy allows `data:` images only).
pub fn qr_image(svg: &str) -> String {
    format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    )
}

/// The free places of an office by local day, and the slots of `chosen` (with their seats
/// left), read at this moment.
pub struct Availability {
    /// The office.
    pub office: OfficeSummary,
    /// Free places per day, days without any left out.
    pub days: BTreeMap<Date, u32>,
    /// The free slots of the chosen day: start and seats left.
    pub slots: Vec<(OffsetDateTime, u16)>,
}

/// Reads the office and its availability for the next days.
pub async fn availability(
    app: &App,
    office_id: OfficeId,
    chosen: Option<Date>,
) -> Result<Availability, BookingError> {
    let ctx = app.booking.clone();
    let today = local_date(ctx.clock.now()).unwrap_or(OffsetDateTime::now_utc().date());
    let last = today + Duration::days(DAYS_AHEAD - 1);
    let (office, _, found) = match store::office_with_slots_kept(&ctx, &office_id, today, last) {
        Some(kept) => kept,
        None => {
            app.db
                .run(move |conn| store::office_with_slots(conn, &ctx, &office_id, today, last))
                .await?
        }
    };
    let mut days: BTreeMap<Date, u32> = BTreeMap::new();
    let mut slots = Vec::new();
    for slot in &found.slots {
        let Some(date) = local_date(slot.start_local) else {
            continue;
        };
        if slot.remaining > 0 {
            *days.entry(date).or_default() += u32::from(slot.remaining);
            if Some(date) == chosen {
                slots.push((slot.start_local, slot.remaining));
            }
        }
    }
    Ok(Availability {
        office,
        days,
        slots,
    })
}

/// The day list (links to `{base}?day=`) and, for a chosen day, its free times as a form
/// sending `slot` to `action` with `method` (plus `hidden` fields).
pub fn slot_choice(
    viewer: &Viewer,
    base: &str,
    found: &Availability,
    chosen: Option<Date>,
    action: &str,
    post: bool,
    hidden: Markup,
) -> Markup {
    let lang = viewer.lang;
    html! {
        h2 { (lang.t(words::BOOK_CHOOSE_DAY)) }
        @if found.days.is_empty() {
            p { (lang.t(words::FREE_SEATS_NONE)) }
        } @else {
            ul.slots {
                @for (date, seats) in &found.days {
                    li {
                        a.button.secondary href={ (base) "?day=" (date) }
                            aria-current=[(Some(*date) == chosen).then_some("date")] {
                            (weekday_day(lang, *date)) " (" (seats) " " (lang.t(words::PLACES)) ")"
                        }
                    }
                }
            }
        }
        @if let Some(date) = chosen {
            h2 #times { (lang.t(words::BOOK_CHOOSE_TIME)) " — " (weekday_day(lang, date)) }
            @if found.slots.is_empty() {
                p { (lang.t(words::BOOK_DAY_FULL)) }
            } @else {
                form method=(if post { "post" } else { "get" }) action=(action) {
                    (hidden)
                    fieldset.times {
                        legend { (lang.t(words::BOOK_TIME_LEGEND)) }
                        @for (index, (start, seats)) in found.slots.iter().enumerate() {
                            @let id = format!("slot-{index}");
                            div.check {
                                input type="radio" id=(id) name="slot" value=(start.format(&Rfc3339).unwrap_or_default()) required checked[index == 0];
                                label for=(id) { (clock(*start)) " (" (seats) " " (lang.t(words::PLACES)) ")" }
                            }
                        }
                    }
                    button type="submit" { (lang.t(words::CONTINUE)) }
                }
            }
        }
    }
}

fn office_id_or_404(viewer: &Viewer, text: &str) -> Result<OfficeId, PageFailure> {
    OfficeId::parse(text).ok_or_else(|| viewer.error(&BookingError::OfficeNotFound))
}

fn parse_day(text: Option<&str>) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    text.and_then(|t| Date::parse(t, &format).ok())
}

fn parse_slot(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text.trim(), &Rfc3339).ok()
}

/// `GET /book/{office}?day=`: step 1, the day and the time.
#[get("/book/<office>?<day>")]
pub async fn choose_slot(
    app: &State<App>,
    viewer: Viewer,
    office: &str,
    day: Option<&str>,
) -> PageResult {
    viewer.require(&[Role::Citizen])?;
    let lang = viewer.lang;
    let id = office_id_or_404(&viewer, office)?;
    let chosen = parse_day(day);
    let found = availability(app, id.clone(), chosen)
        .await
        .map_err(|e| viewer.error(&e))?;
    let title = lang.t(words::BOOK_TITLE);
    let base = format!("/book/{id}");
    Ok(page(
        &viewer,
        title,
        html! {
            p.hint { (lang.t(words::BOOK_STEP_1)) }
            h1 { (title) }
            p { strong { (found.office.name) } br; (found.office.address) }
            (slot_choice(&viewer, &base, &found, chosen, &format!("/book/{id}/documents"), false, html! {}))
        },
    ))
}

/// One document row as typed.
#[derive(FromForm, Default, Clone)]
pub struct DocumentRow {
    /// What the document is.
    pub title: String,
    /// Pages, as typed.
    pub pages: String,
    /// Copies, as typed.
    pub copies: String,
}

impl DocumentRow {
    /// A row with nothing typed.
    pub fn empty() -> DocumentRow {
        <DocumentRow as Default>::default()
    }

    /// Nothing typed in the row.
    pub fn is_blank(&self) -> bool {
        self.title.trim().is_empty()
            && self.pages.trim().is_empty()
            && self.copies.trim().is_empty()
    }
}

/// The documents form as sent (step 2 → 3, and 3 → 4 as hidden fields).
#[derive(FromForm)]
pub struct DocumentsForm {
    csrf: String,
    slot: String,
    rows: Vec<DocumentRow>,
    /// "Another document" was pressed.
    more: Option<String>,
}

/// The document rows of a form (`rows[i].title`, `.pages`, `.copies`), with their errors
/// by field id (`rows-i-pages`).
pub fn document_rows(lang: Lang, rows: &[DocumentRow], errors: &[(String, String)]) -> Markup {
    let error_of = |field: &str| {
        errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    };
    html! {
            @for (index, row) in rows.iter().enumerate() {
            fieldset.card {
                legend { (lang.t(words::BOOK_DOCUMENT)) " " (index + 1) }
                @for (name, label, kind, value) in [
                    ("title", lang.t(words::DOCUMENT_TITLE), "text", &row.title),
                    ("pages", lang.t(words::DOCUMENT_PAGES), "number", &row.pages),
                    ("copies", lang.t(words::DOCUMENT_COPIES), "number", &row.copies),
                ] {
                    @let id = format!("rows-{index}-{name}");
                    @let error = error_of(&id);
                    div.field.error[error.is_some()] {
                        label for=(id) { (label) }
                        @if let Some(error) = &error { p.field-error id={ (id) "-error" } { (error) } }
                        input id=(id) name={ "rows[" (index) "]." (name) } type=(kind) value=(value)
                            min=[(kind == "number").then_some("1")] inputmode=[(kind == "number").then_some("numeric")]
                            aria-describedby=[error.as_ref().map(|_| format!("{id}-error"))];
                    }
                }
            }
        }
    }
}

fn documents_page(
    viewer: &Viewer,
    office: &OfficeSummary,
    slot: OffsetDateTime,
    rows: &[DocumentRow],
    errors: &[(String, String)],
) -> Markup {
    let lang = viewer.lang;
    let title = lang.t(words::BOOK_DOCUMENTS_TITLE);
    let listed: Vec<(&str, &str)> = errors
        .iter()
        .map(|(f, m)| (f.as_str(), m.as_str()))
        .collect();
    html! {
        (error_summary(lang, &listed))
        p.hint { (lang.t(words::BOOK_STEP_2)) }
        h1 { (title) }
        p { (office.name) " — " (moment(slot)) }
        p.hint { (lang.t(words::BOOK_DOCUMENTS_HINT)) }
        form method="post" action={ "/book/" (office.id) "/estimate" } novalidate {
            (viewer.csrf_field())
            input type="hidden" name="slot" value=(slot.format(&Rfc3339).unwrap_or_default());
            (document_rows(lang, rows, errors))
            div.actions {
                button type="submit" { (lang.t(words::CONTINUE)) }
                @if rows.len() < MAX_ROWS {
                    button.secondary type="submit" name="more" value="1" { (lang.t(words::BOOK_ANOTHER_DOCUMENT)) }
                }
            }
        }
    }
}

async fn office_summary(
    app: &App,
    viewer: &Viewer,
    id: OfficeId,
) -> Result<OfficeSummary, PageFailure> {
    app.db
        .run(move |conn| store::public_office(conn, &id).map(|(office, _)| office))
        .await
        .map_err(|e| viewer.error(&e))
}

/// `GET /book/{office}/documents?slot=`: step 2.
#[get("/book/<office>/documents?<slot>")]
pub async fn documents(
    app: &State<App>,
    viewer: Viewer,
    office: &str,
    slot: Option<&str>,
) -> PageResult {
    viewer.require(&[Role::Citizen])?;
    let id = office_id_or_404(&viewer, office)?;
    let Some(slot) = slot.and_then(parse_slot) else {
        return Err(PageFailure::Redirect(Box::new(
            rocket::response::Redirect::to(format!("/book/{id}")),
        )));
    };
    let office = office_summary(app, &viewer, id).await?;
    let rows = vec![DocumentRow::empty(); FIRST_ROWS];
    Ok(page(
        &viewer,
        viewer.lang.t(words::BOOK_DOCUMENTS_TITLE),
        documents_page(&viewer, &office, slot, &rows, &[]),
    ))
}

/// The documents of the rows that are not blank, or the errors by field id.
pub fn read_rows(
    lang: Lang,
    rows: &[DocumentRow],
) -> Result<Vec<DocumentRequest>, Vec<(String, String)>> {
    let mut documents = Vec::new();
    let mut errors = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        if row.is_blank() {
            continue;
        }
        if row.title.trim().is_empty() {
            errors.push((
                format!("rows-{index}-title"),
                lang.t(words::DOCUMENT_TITLE_MISSING).to_owned(),
            ));
        }
        let number = |text: &str, field: &str, missing: &str| match text.trim().parse::<u32>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err((format!("rows-{index}-{field}"), missing.to_owned())),
        };
        let pages = number(&row.pages, "pages", lang.t(words::DOCUMENT_PAGES_INVALID));
        let copies = number(
            &row.copies,
            "copies",
            lang.t(words::DOCUMENT_COPIES_INVALID),
        );
        match (pages, copies) {
            (Ok(pages), Ok(copies)) => documents.push(DocumentRequest {
                title: row.title.trim().to_owned(),
                pages,
                copies,
            }),
            (pages, copies) => {
                errors.extend(pages.err());
                errors.extend(copies.err());
            }
        }
    }
    if documents.is_empty() && errors.is_empty() {
        errors.push((
            "rows-0-title".to_owned(),
            lang.t(words::DOCUMENTS_NONE).to_owned(),
        ));
    }
    if errors.is_empty() {
        Ok(documents)
    } else {
        Err(errors)
    }
}

/// The field of a fee error (`documents[2].pages` → `rows-2-pages`).
fn fee_error_field(error: &FeeError) -> String {
    error
        .field()
        .map(|field| {
            field
                .replace("documents[", "rows-")
                .replace("].", "-")
                .replace(']', "")
        })
        .filter(|field| field.starts_with("rows-"))
        .unwrap_or_else(|| "rows-0-title".to_owned())
}

/// `POST /book/{office}/estimate`: step 3, the estimate to confirm.
#[post("/book/<office>/estimate", data = "<form>")]
pub async fn estimate(
    app: &State<App>,
    viewer: Viewer,
    office: &str,
    form: Posted<'_, DocumentsForm>,
) -> PageResult {
    viewer.require(&[Role::Citizen])?;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let lang = viewer.lang;
    let id = office_id_or_404(&viewer, office)?;
    let Some(slot) = parse_slot(&form.slot) else {
        return Err(PageFailure::Redirect(Box::new(
            rocket::response::Redirect::to(format!("/book/{id}")),
        )));
    };
    let office = office_summary(app, &viewer, id.clone()).await?;
    let mut rows: Vec<DocumentRow> = form.rows.into_iter().take(MAX_ROWS).collect();
    if rows.is_empty() {
        rows.push(DocumentRow::empty());
    }
    let title = lang.t(words::BOOK_DOCUMENTS_TITLE);
    if form.more.is_some() {
        if rows.len() < MAX_ROWS {
            rows.push(DocumentRow::empty());
        }
        return Ok(page(
            &viewer,
            title,
            documents_page(&viewer, &office, slot, &rows, &[]),
        ));
    }
    // Blank rows go, so that a document's position is its row's.
    rows.retain(|row| !row.is_blank());
    if rows.is_empty() {
        rows.push(DocumentRow::empty());
    }
    let refuse = |errors: Vec<(String, String)>| {
        PageFailure::Page(
            Status::UnprocessableEntity,
            page(
                &viewer,
                title,
                documents_page(&viewer, &office, slot, &rows, &errors),
            ),
        )
    };
    let documents = read_rows(lang, &rows).map_err(refuse)?;
    let fee = fee_estimate(&documents).map_err(|error| {
        let public = error.public();
        refuse(vec![(
            fee_error_field(&error),
            lang.pick(&public.message_vi, &public.message_en).to_owned(),
        )])
    })?;
    let confirm_title = lang.t(words::BOOK_CHECK_TITLE);
    Ok(page(
        &viewer,
        confirm_title,
        html! {
            p.hint { (lang.t(words::BOOK_STEP_3)) }
            h1 { (confirm_title) }
            dl {
                dt { (lang.t(words::CERTIFYING_OFFICE)) }
                dd { (office.name) br; (office.address) }
                dt { (lang.t(words::APPOINTMENT_TIME)) }
                dd { (moment(slot)) }
            }
            div.table-wrap {
                table.list {
                    caption { (lang.t(words::FEE_ESTIMATE)) }
                    thead { tr {
                        th scope="col" { (lang.t(words::DOCUMENT_TITLE)) }
                        th scope="col" { (lang.t(words::DOCUMENT_PAGES)) }
                        th scope="col" { (lang.t(words::DOCUMENT_COPIES)) }
                        th scope="col" { (lang.t(words::FEE)) }
                    } }
                    tbody {
                        @for item in &fee.items {
                            tr { td { (item.title) } td { (item.pages) } td { (item.copies) } td { (vnd(item.subtotal.0)) } }
                        }
                    }
                    tfoot { tr { th scope="row" colspan="3" { (lang.t(words::FEE_TOTAL)) } td { strong { (vnd(fee.total.0)) } } } }
                }
            }
            p.hint { (lang.t(words::FEE_HINT)) }
            form method="post" action={ "/book/" (id) "/confirm" } {
                (viewer.csrf_field())
                input type="hidden" name="slot" value=(form.slot);
                @for (index, document) in documents.iter().enumerate() {
                    input type="hidden" name={ "rows[" (index) "].title" } value=(document.title);
                    input type="hidden" name={ "rows[" (index) "].pages" } value=(document.pages);
                    input type="hidden" name={ "rows[" (index) "].copies" } value=(document.copies);
                }
                div.actions {
                    button type="submit" { (lang.t(words::BOOK_CONFIRM)) }
                    a href={ "/book/" (id) "?day=" (local_date(slot).map(|d| d.to_string()).unwrap_or_default()) } { (lang.t(words::BOOK_CHANGE_TIME)) }
                }
            }
        },
    ))
}

/// `POST /book/{office}/confirm`: books and shows the confirmation.
#[post("/book/<office>/confirm", data = "<form>")]
pub async fn confirm(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    office: &str,
    form: Posted<'_, DocumentsForm>,
) -> PageResult {
    let citizen = viewer.require(&[Role::Citizen])?.clone();
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let lang = viewer.lang;
    let id = office_id_or_404(&viewer, office)?;
    let Some(slot) = parse_slot(&form.slot) else {
        return Err(PageFailure::Redirect(Box::new(
            rocket::response::Redirect::to(format!("/book/{id}")),
        )));
    };
    let documents = read_rows(lang, &form.rows).map_err(|errors| {
        let message = errors.first().map(|e| e.1.clone()).unwrap_or_default();
        viewer.problem(&crate::error::PublicError::new(
            422,
            "invalid_documents",
            message.clone(),
            message,
        ))
    })?;
    let requester = Requester::citizen(&citizen.user).map_err(|e| viewer.error(&e))?;
    let actor = citizen.actor();
    let ctx = app.booking.clone();
    let request = BookingRequest {
        office_id: id,
        slot_start: slot,
        documents,
    };
    let created = app
        .db
        .run(move |conn| {
            store::book(
                conn,
                &ctx,
                &requester,
                &request,
                Some(&actor),
                Some(&request_id.0),
            )
        })
        .await
        .map_err(|e| viewer.error(&e))?;
    let title = lang.t(words::BOOKED_TITLE);
    let appointment = &created.appointment;
    let manage_url = format!(
        "{}{}",
        app.config.base_url.trim_end_matches('/'),
        created.manage_path
    );
    Ok(page(
        &viewer,
        title,
        html! {
            div.panel {
                h1 { (title) }
                p { (lang.t(words::BOOKING_CODE)) }
                p.big #booking-code { (created.booking_code.to_string()) }
            }
            p.qr { img src=(qr_image(&created.qr_svg)) alt=(lang.t(words::BOOKING_QR_ALT)); }
            p { (lang.t(words::BOOKED_BRING)) }
            dl {
                dt { (lang.t(words::CERTIFYING_OFFICE)) }
                dd { (appointment.office.name) br; (appointment.office.address) }
                dt { (lang.t(words::APPOINTMENT_TIME)) }
                dd { (moment(appointment.slot_start_local)) }
                dt { (lang.t(words::FEE_TOTAL)) }
                dd { (vnd(created.fee.total.0)) }
                dt { (lang.t(words::RESULT_DATE)) }
                dd { (day(created.expected_result_date)) }
            }
            h2 { (lang.t(words::MANAGE_TITLE)) }
            p { (lang.t(words::MANAGE_HINT)) }
            p { a #manage-link href=(created.manage_path) { (manage_url) } }
            div.actions {
                a.button.secondary href={ "/api/v1/appointments/by-token/" (created.manage_token) "/calendar.ics" } download { (lang.t(words::ADD_TO_CALENDAR)) }
                a href={ "/me/appointments/" (appointment.id) } { (lang.t(words::SEE_APPOINTMENT)) }
            }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_rows_are_skipped_and_bad_numbers_named() {
        let row = |t: &str, p: &str, c: &str| DocumentRow {
            title: t.into(),
            pages: p.into(),
            copies: c.into(),
        };
        let read = read_rows(
            Lang::VI,
            &[
                row("Giấy khai sinh", "1", "2"),
                row("", "", ""),
                row("Bằng", "x", "0"),
            ],
        );
        let errors = read.unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(fields, ["rows-2-pages", "rows-2-copies"]);
        let read = read_rows(
            Lang::EN,
            &[row("Giấy khai sinh", "1", "2"), row("", "", "")],
        );
        assert_eq!(read.unwrap().len(), 1);
        assert!(read_rows(Lang::EN, &[row("", "", "")]).is_err());
    }
}
