//! `/admin/offices/{id}`: one office — its calendar (weekly hours, slot length, counters,
//! notice, horizon, cancellation cutoff, no-show grace, large-request threshold) saved
//! through the same validation as `PUT /api/v1/offices/{id}/calendar`; its closed days
//! (add one with a reason, remove one); one-person operation (as
//! `PUT /api/v1/admin/offices/{id}/practice`); its head official (as
//! `PUT /api/v1/admin/offices/{id}/head`); and its staff.

use maud::{Markup, html};
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{State, get, post};
use time::{Time, Weekday};

use super::overview::kind_text;
use super::words as w;
use super::{
    ADMIN, FieldErrors, Input, account_state, back, failed, listed, notice, parse_day, read,
    refusal, role_text, select, typed,
};
use crate::app::App;
use crate::auth::{self, AuthError};
use crate::booking::store::{self, StoredCalendar};
use crate::booking::{
    BookingError, CalendarProblem, Closure, OfficeCalendarConfig, OfficeSummary, OpeningInterval,
    calendar_limits as limits,
};
use crate::certification;
use crate::db::ids::{OfficeId, UserId};
use crate::db::models::{OfficeHead, Role, User};
use crate::web::RequestId;
use crate::web::guards::AuthUser;
use crate::web::pages::format::{day, moment, weekday_day};
use crate::web::pages::i18n::{Lang, Text, words};
use crate::web::pages::layout::{error_summary, page};
use crate::web::pages::session::{PageFailure, PageResult, Posted, Viewer};

/// The weekdays in the calendar's order, with their form field.
const DAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "hours_monday"),
    (Weekday::Tuesday, "hours_tuesday"),
    (Weekday::Wednesday, "hours_wednesday"),
    (Weekday::Thursday, "hours_thursday"),
    (Weekday::Friday, "hours_friday"),
    (Weekday::Saturday, "hours_saturday"),
    (Weekday::Sunday, "hours_sunday"),
];

/// The calendar form as sent (or as stored, to show it).
#[derive(FromForm, Default, Clone)]
pub struct CalendarForm {
    csrf: String,
    hours_monday: String,
    hours_tuesday: String,
    hours_wednesday: String,
    hours_thursday: String,
    hours_friday: String,
    hours_saturday: String,
    hours_sunday: String,
    slot_minutes: String,
    counters: String,
    minimum_notice_minutes: String,
    booking_horizon_days: String,
    cancellation_cutoff_minutes: String,
    no_show_grace_minutes: String,
    large_request_page_threshold: String,
}

/// One number setting of the calendar form.
struct NumberField<'a> {
    id: &'static str,
    label: Text,
    hint: Text,
    /// The range the validation allows (shown in the hint).
    range: (u64, u64),
    value: &'a str,
}

/// `07:30-11:30, 13:30-17:00`.
fn hours_text(intervals: &[OpeningInterval]) -> String {
    let clock = |t: Time| format!("{:02}:{:02}", t.hour(), t.minute());
    intervals
        .iter()
        .map(|interval| format!("{}-{}", clock(interval.start), clock(interval.end)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A time typed `7:30`, `07:30` or `7h30`.
fn parse_clock(text: &str) -> Option<Time> {
    let (hour, minute) = text.trim().split_once([':', 'h', 'H'])?;
    let hour: u8 = hour.trim().parse().ok()?;
    let minute: u8 = minute.trim().parse().ok()?;
    Time::from_hms(hour, minute, 0).ok()
}

/// The intervals typed for one day (`07:30-11:30, 13:30-17:00`; empty: closed).
fn parse_hours(text: &str) -> Option<Vec<OpeningInterval>> {
    text.split([',', ';'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (start, end) = part.split_once(['-', '–', '—'])?;
            Some(OpeningInterval {
                start: parse_clock(start)?,
                end: parse_clock(end)?,
            })
        })
        .collect()
}

impl CalendarForm {
    /// The form showing a stored calendar.
    fn of(config: &OfficeCalendarConfig) -> Self {
        let hours = |weekday| hours_text(config.weekly_hours.on(weekday));
        CalendarForm {
            csrf: String::new(),
            hours_monday: hours(Weekday::Monday),
            hours_tuesday: hours(Weekday::Tuesday),
            hours_wednesday: hours(Weekday::Wednesday),
            hours_thursday: hours(Weekday::Thursday),
            hours_friday: hours(Weekday::Friday),
            hours_saturday: hours(Weekday::Saturday),
            hours_sunday: hours(Weekday::Sunday),
            slot_minutes: config.slot_minutes.to_string(),
            counters: config.counters.to_string(),
            minimum_notice_minutes: config.minimum_notice_minutes.to_string(),
            booking_horizon_days: config.booking_horizon_days.to_string(),
            cancellation_cutoff_minutes: config.cancellation_cutoff_minutes.to_string(),
            no_show_grace_minutes: config.no_show_grace_minutes.to_string(),
            large_request_page_threshold: config.large_request_page_threshold.to_string(),
        }
    }

    /// What was typed for one weekday.
    fn hours(&self, weekday: Weekday) -> &str {
        match weekday {
            Weekday::Monday => &self.hours_monday,
            Weekday::Tuesday => &self.hours_tuesday,
            Weekday::Wednesday => &self.hours_wednesday,
            Weekday::Thursday => &self.hours_thursday,
            Weekday::Friday => &self.hours_friday,
            Weekday::Saturday => &self.hours_saturday,
            Weekday::Sunday => &self.hours_sunday,
        }
    }

    /// The number fields with what was typed in them.
    fn numbers(&self) -> [NumberField<'_>; 7] {
        let wide16 =
            |r: std::ops::RangeInclusive<u16>| (u64::from(*r.start()), u64::from(*r.end()));
        let wide32 =
            |r: std::ops::RangeInclusive<u32>| (u64::from(*r.start()), u64::from(*r.end()));
        let field = |id, label, hint, range, value| NumberField {
            id,
            label,
            hint,
            range,
            value,
        };
        [
            field(
                "slot_minutes",
                w::SLOT_MINUTES,
                w::SLOT_MINUTES_HINT,
                wide16(limits::SLOT_MINUTES),
                &self.slot_minutes,
            ),
            field(
                "counters",
                w::COUNTERS,
                w::COUNTERS_HINT,
                wide16(limits::COUNTERS),
                &self.counters,
            ),
            field(
                "minimum_notice_minutes",
                w::NOTICE_MINUTES,
                w::NOTICE_MINUTES_HINT,
                wide32(limits::MINIMUM_NOTICE_MINUTES),
                &self.minimum_notice_minutes,
            ),
            field(
                "booking_horizon_days",
                w::HORIZON_DAYS,
                w::HORIZON_DAYS_HINT,
                wide16(limits::BOOKING_HORIZON_DAYS),
                &self.booking_horizon_days,
            ),
            field(
                "cancellation_cutoff_minutes",
                w::CANCELLATION_MINUTES,
                w::CANCELLATION_MINUTES_HINT,
                wide32(limits::CANCELLATION_CUTOFF_MINUTES),
                &self.cancellation_cutoff_minutes,
            ),
            field(
                "no_show_grace_minutes",
                w::NO_SHOW_MINUTES,
                w::NO_SHOW_MINUTES_HINT,
                wide16(limits::NO_SHOW_GRACE_MINUTES),
                &self.no_show_grace_minutes,
            ),
            field(
                "large_request_page_threshold",
                w::LARGE_REQUEST_PAGES,
                w::LARGE_REQUEST_PAGES_HINT,
                wide32(limits::LARGE_REQUEST_PAGES),
                &self.large_request_page_threshold,
            ),
        ]
    }

    /// The settings typed, with the office's closures kept; or the fields that are not
    /// written as numbers and times. Their ranges and coherence are for the domain's
    /// validation to judge.
    fn read(
        &self,
        lang: Lang,
        closures: Vec<Closure>,
    ) -> Result<OfficeCalendarConfig, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut config = OfficeCalendarConfig {
            closures,
            ..OfficeCalendarConfig::default()
        };
        for (weekday, id) in DAYS {
            match parse_hours(self.hours(weekday)) {
                Some(intervals) => config.weekly_hours.set(weekday, intervals),
                None => errors.push((id.to_owned(), labelled(lang, id, lang.t(w::HOURS_INVALID)))),
            }
        }
        let mut number = |id: &str, text: &str| -> u64 {
            match text.trim().parse::<u64>() {
                Ok(value) => value,
                Err(_) => {
                    errors.push((id.to_owned(), labelled(lang, id, lang.t(w::WHOLE_NUMBER))));
                    0
                }
            }
        };
        // A number too large for its setting is refused by the validation as out of range.
        let small = |value: u64| u16::try_from(value).unwrap_or(u16::MAX);
        let large = |value: u64| u32::try_from(value).unwrap_or(u32::MAX);
        config.slot_minutes = small(number("slot_minutes", &self.slot_minutes));
        config.counters = small(number("counters", &self.counters));
        config.minimum_notice_minutes = large(number(
            "minimum_notice_minutes",
            &self.minimum_notice_minutes,
        ));
        config.booking_horizon_days =
            small(number("booking_horizon_days", &self.booking_horizon_days));
        config.cancellation_cutoff_minutes = large(number(
            "cancellation_cutoff_minutes",
            &self.cancellation_cutoff_minutes,
        ));
        config.no_show_grace_minutes =
            small(number("no_show_grace_minutes", &self.no_show_grace_minutes));
        config.large_request_page_threshold = large(number(
            "large_request_page_threshold",
            &self.large_request_page_threshold,
        ));
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(errors)
        }
    }
}

/// `message` about the calendar field `id`, named by its label (for the error summary).
fn labelled(lang: Lang, id: &str, message: &str) -> String {
    let label = DAYS
        .iter()
        .position(|(_, field)| *field == id)
        .map(|index| words::WEEKDAYS[index])
        .or_else(|| {
            <CalendarForm as Default>::default()
                .numbers()
                .iter()
                .find(|field| field.id == id)
                .map(|field| field.label)
        })
        .or(match id {
            "closure_date" => Some(w::DATE),
            "closure_reason" => Some(w::REASON),
            _ => None,
        });
    match label {
        Some(label) => format!("{}: {message}", lang.t(label)),
        None => message.to_owned(),
    }
}

/// The form field a calendar setting named by the validation is typed in.
fn calendar_field(field: &str) -> String {
    if let Some(rest) = field.strip_prefix("weekly_hours.") {
        let weekday = rest.split('[').next().unwrap_or("monday");
        return format!("hours_{weekday}");
    }
    if field == "weekly_hours" {
        return "hours_monday".to_owned();
    }
    if field.starts_with("closures") {
        return if field.ends_with(".reason") {
            "closure_reason".to_owned()
        } else {
            "closure_date".to_owned()
        };
    }
    field.to_owned()
}

/// A refusal of a calendar change at its field: the validation names it, anything else is
/// put at `default`.
fn calendar_refusal(
    viewer: &Viewer,
    error: &BookingError,
    default: &str,
) -> Result<(Status, FieldErrors), PageFailure> {
    let lang = viewer.lang;
    if let BookingError::Calendar(invalid) = error {
        let message = match &invalid.problem {
            CalendarProblem::DuplicateDate { .. } => lang.t(w::ALREADY_CLOSED).to_owned(),
            problem => lang
                .pick(&problem.text_vi(), &problem.to_string())
                .to_owned(),
        };
        let field = calendar_field(&invalid.field);
        let message = labelled(lang, &field, &message);
        return Ok((Status::UnprocessableEntity, vec![(field, message)]));
    }
    let (status, message) = refusal(viewer, error)?;
    Ok((status, vec![(default.to_owned(), message)]))
}

/// What the office's page shows.
struct OfficeData {
    office: OfficeSummary,
    stored: StoredCalendar,
    single_person: bool,
    head: Option<OfficeHead>,
    staff: Vec<User>,
}

async fn load(
    app: &App,
    viewer: &Viewer,
    admin: &AuthUser,
    id: OfficeId,
) -> Result<OfficeData, PageFailure> {
    let actor = admin.actor();
    read(app, viewer, move |conn| {
        let (office, _) = store::public_office(conn, &id).map_err(failed)?;
        let stored = store::office_calendar(conn, &actor, &id).map_err(failed)?;
        let single_person = certification::single_person_operation(conn, &id).map_err(failed)?;
        let head = auth::office_head(conn, &id).map_err(failed)?;
        let staff = auth::list_staff(conn, Some(&id)).map_err(failed)?;
        Ok(OfficeData {
            office,
            stored,
            single_person,
            head,
            staff,
        })
    })
    .await
}

/// What was typed in the page's forms, to show them again with their errors.
#[derive(Default)]
struct Typed {
    calendar: Option<CalendarForm>,
    closure_date: String,
    closure_reason: String,
}

fn office_markup(
    viewer: &Viewer,
    data: &OfficeData,
    typed: Typed,
    errors: &FieldErrors,
    done: Option<&str>,
) -> Markup {
    let lang = viewer.lang;
    let office = &data.office;
    let id = &office.id;
    let config = &data.stored.calendar;
    let calendar = typed.calendar.unwrap_or_else(|| CalendarForm::of(config));
    let officials: Vec<&User> = data
        .staff
        .iter()
        .filter(|user| user.role() == Role::Official && !user.disabled)
        .collect();
    let head_name = data.head.as_ref().map(|head| {
        data.staff
            .iter()
            .find(|user| user.id == head.user_id)
            .map_or_else(|| head.user_id.to_string(), |user| user.full_name.clone())
    });
    let head_options: Vec<(String, String)> = officials
        .iter()
        .map(|user| {
            let position = user.position.as_deref().unwrap_or("");
            (
                user.id.to_string(),
                format!("{} — {position}", user.full_name),
            )
        })
        .collect();
    let head_chosen = data
        .head
        .as_ref()
        .map(|head| head.user_id.to_string())
        .unwrap_or_default();
    page(
        viewer,
        &office.name,
        html! {
            (error_summary(lang, &listed(errors)))
            (notice(lang, done))
            (back(lang, "/admin", words::NAV_ADMIN))
            h1 { (office.name) }
            dl {
                dt { (lang.t(w::OFFICE_KIND)) } dd { (lang.t(kind_text(&office.kind))) }
                dt { (lang.t(words::ADDRESS)) } dd { (office.address) }
                dt { (lang.t(words::DISTRICT)) } dd { (office.district) }
                dt { (lang.t(words::PROVINCE)) } dd { (office.province) }
            }
            p.actions {
                a href={ "/offices/" (id) } { (lang.t(w::PUBLIC_PAGE)) }
                a href={ "/admin/audit?office=" (id) } { (lang.t(w::OFFICE_AUDIT)) }
            }
            section.card aria-labelledby="calendar-title" {
                h2 #calendar-title { (lang.t(w::CALENDAR)) }
                p.hint {
                    @match data.stored.updated_at {
                        Some(at) => { (lang.t(w::REVISION)) " " (data.stored.revision) ", " (moment(at.assume_utc())) }
                        None => { (lang.t(w::STANDARD_CALENDAR)) }
                    }
                }
                form method="post" action={ "/admin/offices/" (id) "/calendar" } novalidate {
                    (viewer.csrf_field())
                    fieldset {
                        legend { (lang.t(w::WEEKLY_HOURS)) }
                        p.hint { (lang.t(w::WEEKLY_HOURS_HINT)) }
                        @for (index, (weekday, field)) in DAYS.iter().enumerate() {
                            (Input::text(field, lang.t(words::WEEKDAYS[index]), calendar.hours(*weekday)).render(errors))
                        }
                    }
                    @for field in calendar.numbers() {
                        @let (min, max) = field.range;
                        @let hint = format!("{} {} {min}–{max}.", lang.t(field.hint), lang.t(w::ALLOWED));
                        (Input::text(field.id, lang.t(field.label), field.value).hint(&hint).numeric().render(errors))
                    }
                    button type="submit" { (lang.t(w::SAVE_CALENDAR)) }
                }
            }
            section.card aria-labelledby="closures-title" {
                h2 #closures-title { (lang.t(w::CLOSURES)) }
                p.hint { (lang.t(w::CLOSURES_HINT)) }
                @if config.closures.is_empty() {
                    p { (lang.t(w::NO_CLOSURES)) }
                } @else {
                    div.table-wrap { table.list.stack {
                        thead { tr {
                            th scope="col" { (lang.t(w::DATE)) }
                            th scope="col" { (lang.t(w::REASON)) }
                            th scope="col" { span.visually-hidden { (lang.t(w::ACTIONS)) } }
                        } }
                        tbody {
                            @for closure in &config.closures {
                                tr {
                                    td data-label=(lang.t(w::DATE)) { (weekday_day(lang, closure.date)) }
                                    td data-label=(lang.t(w::REASON)) { (closure.reason.as_deref().unwrap_or("—")) }
                                    td data-label=(lang.t(w::ACTIONS)) {
                                        form method="post" action={ "/admin/offices/" (id) "/closures/remove" } {
                                            (viewer.csrf_field())
                                            input type="hidden" name="date" value=(closure.date.to_string());
                                            button.secondary type="submit" aria-label={ (lang.t(w::REOPEN)) " " (day(closure.date)) } { (lang.t(w::REOPEN)) }
                                        }
                                    }
                                }
                            }
                        }
                    } }
                }
                h3 { (lang.t(w::ADD_CLOSURE)) }
                form method="post" action={ "/admin/offices/" (id) "/closures" } novalidate {
                    (viewer.csrf_field())
                    (Input::text("closure_date", lang.t(w::DATE), &typed.closure_date).hint(lang.t(w::DATE_HINT)).render(errors))
                    (Input::text("closure_reason", lang.t(w::REASON_OPTIONAL), &typed.closure_reason).hint(lang.t(w::CLOSURE_REASON_HINT)).render(errors))
                    button type="submit" { (lang.t(w::ADD_CLOSURE)) }
                }
            }
            section.card aria-labelledby="practice-title" {
                h2 #practice-title { (lang.t(w::PRACTICE)) }
                form method="post" action={ "/admin/offices/" (id) "/practice" } {
                    (viewer.csrf_field())
                    fieldset #single_person {
                        legend { (lang.t(w::PRACTICE_LEGEND)) }
                        div.check {
                            input #practice-two type="radio" name="single_person" value="false" checked[!data.single_person];
                            label for="practice-two" { (lang.t(w::PRACTICE_TWO)) }
                        }
                        div.check {
                            input #practice-one type="radio" name="single_person" value="true" checked[data.single_person];
                            label for="practice-one" { (lang.t(w::PRACTICE_ONE)) }
                        }
                    }
                    button type="submit" { (lang.t(w::SAVE)) }
                }
            }
            section.card aria-labelledby="head-title" {
                h2 #head-title { (lang.t(w::HEAD)) }
                p {
                    @match &head_name {
                        Some(name) => { (lang.t(w::HEAD_NOW)) " " strong { (name) } }
                        None => { (lang.t(w::NO_HEAD)) }
                    }
                }
                p.hint { (lang.t(w::HEAD_HINT)) }
                @if head_options.is_empty() {
                    p { (lang.t(w::NO_OFFICIALS)) }
                } @else {
                    form method="post" action={ "/admin/offices/" (id) "/head" } {
                        (viewer.csrf_field())
                        (select("head", lang.t(w::HEAD_CHOOSE), None, &head_options, &head_chosen, errors))
                        button type="submit" { (lang.t(w::APPOINT_HEAD)) }
                    }
                }
            }
            h2 #staff { (lang.t(w::STAFF_OF_OFFICE)) " (" (data.staff.len()) ")" }
            p { a href={ "/admin/staff?office=" (id) "#new-staff-title" } { (lang.t(w::ADD_STAFF_HERE)) } }
            @if !data.staff.is_empty() {
                (staff_table(lang, &data.staff, None))
            }
        },
    )
}

/// A table of staff accounts, each a link to its page; with their office when `offices`
/// names them.
pub(super) fn staff_table(
    lang: Lang,
    staff: &[User],
    offices: Option<&std::collections::BTreeMap<OfficeId, String>>,
) -> Markup {
    html! {
        div.table-wrap { table.list.stack {
            thead { tr {
                th scope="col" { (lang.t(words::FULL_NAME)) }
                th scope="col" { (lang.t(w::USERNAME)) }
                th scope="col" { (lang.t(w::ROLE)) }
                @if offices.is_some() { th scope="col" { (lang.t(w::OFFICE)) } }
                th scope="col" { (lang.t(words::STATUS)) }
            } }
            tbody {
                @for user in staff {
                    tr {
                        td data-label=(lang.t(words::FULL_NAME)) { a href={ "/admin/accounts/" (user.id) } { (user.full_name) } }
                        td data-label=(lang.t(w::USERNAME)) { (user.username.as_deref().unwrap_or("—")) }
                        td data-label=(lang.t(w::ROLE)) {
                            (lang.t(role_text(user.role())))
                            @if let Some(position) = &user.position { " — " (position) }
                        }
                        @if let Some(offices) = offices {
                            td data-label=(lang.t(w::OFFICE)) {
                                @match user.office_id.as_ref() {
                                    Some(office) => a href={ "/admin/offices/" (office) } { (offices.get(office).map_or(office.as_str(), String::as_str)) },
                                    None => "—",
                                }
                            }
                        }
                        td data-label=(lang.t(words::STATUS)) { (account_state(lang, user.disabled)) }
                    }
                }
            }
        } }
    }
}

fn office_id(viewer: &Viewer, text: &str) -> Result<OfficeId, PageFailure> {
    OfficeId::parse(text).ok_or_else(|| viewer.error(&BookingError::OfficeNotFound))
}

/// `GET /admin/offices/{id}?done=`.
#[get("/admin/offices/<id>?<done>")]
pub async fn office_page(
    app: &State<App>,
    viewer: Viewer,
    id: &str,
    done: Option<&str>,
) -> PageResult {
    let admin = viewer.require(ADMIN)?.clone();
    let id = office_id(&viewer, id)?;
    let data = load(app, &viewer, &admin, id).await?;
    Ok(office_markup(
        &viewer,
        &data,
        Typed::default(),
        &Vec::new(),
        done,
    ))
}

/// The office named in the path (404 when there is none), checked before the form is
/// read.
async fn checked(
    app: &App,
    viewer: &Viewer,
    id: &str,
) -> Result<(AuthUser, OfficeData), PageFailure> {
    let admin = viewer.require(ADMIN)?.clone();
    let id = office_id(viewer, id)?;
    let data = load(app, viewer, &admin, id).await?;
    Ok((admin, data))
}

/// The page again with what was typed and the errors, with `status`.
async fn again(
    app: &App,
    viewer: &Viewer,
    admin: &AuthUser,
    id: &OfficeId,
    status: Status,
    typed: Typed,
    errors: FieldErrors,
) -> PageFailure {
    match load(app, viewer, admin, id.clone()).await {
        Ok(data) => PageFailure::Page(status, office_markup(viewer, &data, typed, &errors, None)),
        Err(failure) => failure,
    }
}

/// After a change: the page with a notice, at the section changed.
fn done(id: &OfficeId, what: &str, section: &str) -> Redirect {
    Redirect::to(format!("/admin/offices/{id}?done={what}#{section}"))
}

/// `POST /admin/offices/{id}/calendar`.
#[post("/admin/offices/<id>/calendar", data = "<form>")]
pub async fn save_calendar(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    form: Posted<'_, CalendarForm>,
) -> Result<Redirect, PageFailure> {
    let (admin, data) = checked(app, &viewer, id).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let id = data.office.id.clone();
    let again_with = |status, errors| {
        let typed = Typed {
            calendar: Some(form.clone()),
            ..Typed::default()
        };
        again(app, &viewer, &admin, &id, status, typed, errors)
    };
    let config = match form.read(viewer.lang, data.stored.calendar.closures.clone()) {
        Ok(config) => config,
        Err(errors) => return Err(again_with(Status::UnprocessableEntity, errors).await),
    };
    let (actor, office) = (admin.actor(), id.clone());
    let result = app
        .db
        .run(move |conn| {
            store::save_office_calendar(conn, &actor, &office, config, Some(&request_id.0))
        })
        .await;
    match result {
        Ok(_) => Ok(done(&id, "calendar-saved", "calendar-title")),
        Err(error) => {
            let (status, errors) = calendar_refusal(&viewer, &error, "slot_minutes")?;
            Err(again_with(status, errors).await)
        }
    }
}

/// A closed day as sent.
#[derive(FromForm)]
pub struct ClosureForm {
    csrf: String,
    closure_date: String,
    closure_reason: String,
}

/// `POST /admin/offices/{id}/closures`: closes the office on one more day.
#[post("/admin/offices/<id>/closures", data = "<form>")]
pub async fn add_closure(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    form: Posted<'_, ClosureForm>,
) -> Result<Redirect, PageFailure> {
    let (admin, data) = checked(app, &viewer, id).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let lang = viewer.lang;
    let id = data.office.id.clone();
    let again_with = |status, errors| {
        let typed = Typed {
            calendar: None,
            closure_date: form.closure_date.clone(),
            closure_reason: form.closure_reason.clone(),
        };
        again(app, &viewer, &admin, &id, status, typed, errors)
    };
    let Some(date) = parse_day(&form.closure_date) else {
        let errors = vec![(
            "closure_date".to_owned(),
            lang.t(w::DATE_INVALID).to_owned(),
        )];
        return Err(again_with(Status::UnprocessableEntity, errors).await);
    };
    let closure = Closure {
        date,
        reason: typed(&form.closure_reason),
    };
    let (actor, office) = (admin.actor(), id.clone());
    let result = app
        .db
        .run(move |conn| store::add_closure(conn, &actor, &office, closure, Some(&request_id.0)))
        .await;
    match result {
        Ok(_) => Ok(done(&id, "closure-added", "closures-title")),
        Err(error) => {
            let (status, errors) = calendar_refusal(&viewer, &error, "closure_date")?;
            Err(again_with(status, errors).await)
        }
    }
}

/// The closed day to open again.
#[derive(FromForm)]
pub struct ReopenForm {
    csrf: String,
    date: String,
}

/// `POST /admin/offices/{id}/closures/remove`: the office opens on that day again.
#[post("/admin/offices/<id>/closures/remove", data = "<form>")]
pub async fn remove_closure(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    form: Posted<'_, ReopenForm>,
) -> Result<Redirect, PageFailure> {
    let (admin, data) = checked(app, &viewer, id).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let id = data.office.id.clone();
    let Some(date) = parse_day(&form.date) else {
        return Err(viewer.error(&BookingError::InvalidField("date")));
    };
    let (actor, office) = (admin.actor(), id.clone());
    let result = app
        .db
        .run(move |conn| store::remove_closure(conn, &actor, &office, date, Some(&request_id.0)))
        .await;
    match result {
        Ok(_) => Ok(done(&id, "closure-removed", "closures-title")),
        Err(error) => {
            let (status, errors) = calendar_refusal(&viewer, &error, "closure_date")?;
            Err(again(app, &viewer, &admin, &id, status, Typed::default(), errors).await)
        }
    }
}

/// One-person operation on or off.
#[derive(FromForm)]
pub struct PracticeForm {
    csrf: String,
    single_person: bool,
}

/// `POST /admin/offices/{id}/practice`.
#[post("/admin/offices/<id>/practice", data = "<form>")]
pub async fn practice(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    form: Posted<'_, PracticeForm>,
) -> Result<Redirect, PageFailure> {
    let (admin, data) = checked(app, &viewer, id).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let id = data.office.id.clone();
    let (actor, office, single) = (admin.actor(), id.clone(), form.single_person);
    app.db
        .run(move |conn| {
            certification::set_single_person(conn, &actor, &office, single, Some(&request_id.0))
        })
        .await
        .map_err(|e| viewer.error(&e))?;
    Ok(done(&id, "practice-saved", "practice-title"))
}

/// The head official chosen.
#[derive(FromForm)]
pub struct HeadForm {
    csrf: String,
    head: String,
}

/// `POST /admin/offices/{id}/head`.
#[post("/admin/offices/<id>/head", data = "<form>")]
pub async fn head(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    form: Posted<'_, HeadForm>,
) -> Result<Redirect, PageFailure> {
    let (admin, data) = checked(app, &viewer, id).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let id = data.office.id.clone();
    let result = match UserId::parse(form.head.trim()) {
        Some(user) => {
            let (actor, office) = (admin.actor(), id.clone());
            app.db
                .run(move |conn| {
                    auth::appoint_office_head(conn, &actor, &office, &user, Some(&request_id.0))
                })
                .await
        }
        None => Err(AuthError::AccountNotFound.into()),
    };
    match result {
        Ok(_) => Ok(done(&id, "head-appointed", "head-title")),
        Err(error) => {
            let (status, message) = refusal(&viewer, &error)?;
            let errors = vec![("head".to_owned(), message)];
            Err(again(app, &viewer, &admin, &id, status, Typed::default(), errors).await)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::time;

    #[test]
    fn hours_are_typed_as_intervals_separated_by_commas() {
        assert_eq!(
            parse_hours("07:30-11:30, 13:30–17:00"),
            Some(vec![
                OpeningInterval::STANDARD_MORNING,
                OpeningInterval::STANDARD_AFTERNOON
            ])
        );
        assert_eq!(
            parse_hours("7h30 - 11h30"),
            Some(vec![OpeningInterval::STANDARD_MORNING])
        );
        assert_eq!(parse_hours("  "), Some(Vec::new()));
        assert_eq!(parse_hours("07:30"), None);
        assert_eq!(parse_hours("25:00-26:00"), None);
        let standard = [
            OpeningInterval::STANDARD_MORNING,
            OpeningInterval::STANDARD_AFTERNOON,
        ];
        assert_eq!(hours_text(&standard), "07:30-11:30, 13:30-17:00");
        assert_eq!(parse_clock("8:05"), Some(time!(08:05)));
    }

    #[test]
    fn the_validation_names_the_field_typed_in() {
        assert_eq!(calendar_field("weekly_hours.friday[1]"), "hours_friday");
        assert_eq!(calendar_field("weekly_hours"), "hours_monday");
        assert_eq!(calendar_field("closures[3]"), "closure_date");
        assert_eq!(calendar_field("closures[3].reason"), "closure_reason");
        assert_eq!(calendar_field("counters"), "counters");
    }
}
