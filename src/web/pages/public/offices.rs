//! `/offices`: find a certifying office by province, district or name; `/offices/{id}`:
//! its address, opening hours and how many places are free in the next days. Both read
//! the same domain functions as `GET /api/v1/offices` and `…/slots`.

use std::collections::BTreeMap;

use maud::{Markup, html};
use rocket::http::Status;
use rocket::{State, get};
use time::{Duration, Weekday};

use crate::app::App;
use crate::booking::BookingError;
use crate::booking::store::{self, OfficeFilter};
use crate::db::ids::OfficeId;
use crate::local_time::{date_dmy, local_date};
use crate::web::pages::i18n::{Lang, words};
use crate::web::pages::layout::page;
use crate::web::pages::session::Viewer;

/// Days of free places shown on an office's page.
const DAYS_SHOWN: i64 = 7;

/// The page answering an unknown office (404).
fn not_found(viewer: &Viewer) -> (Status, Markup) {
    let lang = viewer.lang;
    let title = lang.t(words::NOT_FOUND_TITLE);
    (
        Status::NotFound,
        page(
            viewer,
            title,
            html! {
                h1 { (title) }
                p { (lang.t(words::NOT_FOUND_TEXT)) }
                p { a href="/" { (lang.t(words::BACK_HOME)) } }
            },
        ),
    )
}

/// A failure of the database behind a page (500, logged).
fn unavailable(viewer: &Viewer, error: &BookingError) -> (Status, Markup) {
    let lang = viewer.lang;
    tracing::error!(page = %viewer.here, "page failed: {error}");
    let title = lang.t(words::UNAVAILABLE_TITLE);
    (
        Status::InternalServerError,
        page(
            viewer,
            title,
            html! { h1 { (title) } p { (lang.t(words::UNAVAILABLE_TEXT)) } },
        ),
    )
}

/// Trimmed, at most 100 characters; empty is none.
fn part(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().chars().take(100).collect::<String>())
        .filter(|t| !t.is_empty())
}

/// `GET /offices?province=&district=&name=`.
#[get("/offices?<province>&<district>&<name>")]
pub async fn offices(
    app: &State<App>,
    viewer: Viewer,
    province: Option<String>,
    district: Option<String>,
    name: Option<String>,
) -> Result<Markup, (Status, Markup)> {
    let filter = OfficeFilter {
        province: part(province),
        district: part(district),
        name: part(name),
    };
    let shown = filter.clone();
    let found = app
        .db
        .run(move |conn| store::find_offices(conn, &filter))
        .await
        .map_err(|e| unavailable(&viewer, &e))?;
    let lang = viewer.lang;
    let title = lang.t(words::OFFICES_TITLE);
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    Ok(page(
        &viewer,
        title,
        html! {
            h1 { (title) }
            form method="get" action="/offices" {
                p.hint { (lang.t(words::OFFICES_HINT)) }
                div.field {
                    label for="province" { (lang.t(words::PROVINCE)) }
                    input #province name="province" type="text" value=(value(&shown.province)) maxlength="100";
                }
                div.field {
                    label for="district" { (lang.t(words::DISTRICT)) }
                    input #district name="district" type="text" value=(value(&shown.district)) maxlength="100";
                }
                div.field {
                    label for="name" { (lang.t(words::OFFICE_NAME)) }
                    input #name name="name" type="text" value=(value(&shown.name)) maxlength="100";
                }
                button type="submit" { (lang.t(words::SEARCH)) }
            }
            h2 { (lang.t(words::OFFICES_FOUND)) " (" (found.len()) ")" }
            @if found.is_empty() {
                p { (lang.t(words::OFFICES_NONE)) }
            } @else {
                ul.results {
                    @for office in &found {
                        li {
                            a href={ "/offices/" (office.id) } { (office.name) }
                            br;
                            span.hint { (office.address) " — " (office.district) ", " (office.province) }
                        }
                    }
                }
            }
        },
    ))
}

/// `HH:MM–HH:MM, HH:MM–HH:MM`, or closed.
fn hours_text(lang: Lang, intervals: &[crate::booking::OpeningInterval]) -> String {
    if intervals.is_empty() {
        return lang.t(words::CLOSED).to_owned();
    }
    intervals
        .iter()
        .map(|i| {
            format!(
                "{:02}:{:02}–{:02}:{:02}",
                i.start.hour(),
                i.start.minute(),
                i.end.hour(),
                i.end.minute()
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `GET /offices/{id}`.
#[get("/offices/<office_id>")]
pub async fn office(
    app: &State<App>,
    viewer: Viewer,
    office_id: &str,
) -> Result<Markup, (Status, Markup)> {
    let lang = viewer.lang;
    let Some(id) = OfficeId::parse(office_id) else {
        return Err(not_found(&viewer));
    };
    let ctx = app.booking.clone();
    let today = local_date(ctx.clock.now()).unwrap_or(time::OffsetDateTime::now_utc().date());
    let last = today + Duration::days(DAYS_SHOWN - 1);
    let found = match store::office_with_slots_kept(&ctx, &id, today, last) {
        Some(kept) => Ok(kept),
        None => {
            app.db
                .run(move |conn| store::office_with_slots(conn, &ctx, &id, today, last))
                .await
        }
    };
    let (office, calendar, slots) = match found {
        Ok(found) => found,
        Err(BookingError::OfficeNotFound) => return Err(not_found(&viewer)),
        Err(error) => return Err(unavailable(&viewer, &error)),
    };
    let mut free: BTreeMap<time::Date, u32> = BTreeMap::new();
    for slot in &slots.slots {
        if let Some(day) = local_date(slot.start_local) {
            *free.entry(day).or_default() += u32::from(slot.remaining);
        }
    }
    free.retain(|_, seats| *seats > 0);
    let weekdays = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];
    Ok(page(
        &viewer,
        &office.name,
        html! {
            h1 { (office.name) }
            dl {
                dt { (lang.t(words::ADDRESS)) }
                dd { (office.address) br; (office.district) ", " (office.province) }
            }
            p { a.button href={ "/book/" (office.id) } { (lang.t(words::BOOK_HERE)) } }
            h2 { (lang.t(words::OPENING_HOURS)) }
            table.hours {
                tbody {
                    @for (index, weekday) in weekdays.iter().enumerate() {
                        tr {
                            th scope="row" { (lang.t(words::WEEKDAYS[index])) }
                            td { (hours_text(lang, calendar.opening_hours(*weekday))) }
                        }
                    }
                }
            }
            h2 { (lang.t(words::FREE_SEATS)) }
            @if free.is_empty() {
                p { (lang.t(words::FREE_SEATS_NONE)) }
            } @else {
                ul {
                    @for (day, seats) in &free {
                        @let weekday = day.weekday().number_days_from_monday() as usize;
                        li { (lang.t(words::WEEKDAYS[weekday])) " " (date_dmy(*day)) ": " (seats) " " (lang.t(words::PLACES)) }
                    }
                }
            }
        },
    ))
}
