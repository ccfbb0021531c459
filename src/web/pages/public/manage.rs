//! `/a/{token}`: the manage link a citizen receives when booking — the appointment without
//! signing in (office, time in Viet Nam time, documents, fee estimate, status), the
//! calendar file, and while it may still change, cancel and reschedule as plain forms
//! (no script needed): the same `store::cancel` and `store::reschedule` with
//! `Access::Link` as `/api/v1/appointments/by-token/…`, the day and time chosen as when
//! booking.
//!
//! The token is the only secret: these pages are never stored (`no-store`) nor indexed,
//! are never sent as a referrer (the security fairing answers `no-referrer` under `/a/`),
//! and access lines and page logs show the path with the token cut out.

use maud::{Markup, html};
use rocket::form::FromForm;
use rocket::http::Header;
use rocket::response::Redirect;
use rocket::{Responder, State, get, post};
use time::Date;
use time::format_description::well_known::Rfc3339;

use super::words as w;
use crate::app::App;
use crate::booking::AppointmentView;
use crate::booking::store::{self, Access};
use crate::db::models::AppointmentStatus;
use crate::web::RequestId;
use crate::web::pages::citizen::booking::{availability, slot_choice};
use crate::web::pages::format::{appointment_status, day, moment, vnd};
use crate::web::pages::i18n::words;
use crate::web::pages::layout::page;
use crate::web::pages::public::sign_in::CsrfOnly;
use crate::web::pages::session::{PageFailure, PageResult, Posted, Viewer};

/// An answer of the manage link's pages: never stored, never indexed.
#[derive(Responder)]
pub struct Private<R> {
    inner: R,
    cache: Header<'static>,
    robots: Header<'static>,
}

fn private<R>(inner: R) -> Private<R> {
    Private {
        inner,
        cache: Header::new("Cache-Control", "no-store"),
        robots: Header::new("X-Robots-Tag", "noindex"),
    }
}

/// The appointment of the link (a 404 page for a token that is none).
async fn load(app: &App, viewer: &Viewer, token: &str) -> Result<AppointmentView, PageFailure> {
    let token = token.to_owned();
    app.db
        .run(move |conn| store::appointment(conn, Access::Link(&token)))
        .await
        .map_err(|e| viewer.error(&e))
}

/// Whether the appointment may still be cancelled or moved now.
fn open(app: &App, a: &AppointmentView) -> bool {
    a.status == AppointmentStatus::Booked
        && a.changeable_until
            .is_some_and(|until| app.booking.clock.now() <= until)
}

fn appointment_page(app: &App, viewer: &Viewer, token: &str, a: &AppointmentView) -> Markup {
    let lang = viewer.lang;
    let title = lang.t(w::MANAGE_TITLE);
    let base = format!("/a/{token}");
    html! {
        h1 { (title) }
        p #appointment-status { (appointment_status(lang, a.status)) }
        dl {
            dt { (lang.t(words::BOOKING_CODE)) }
            dd { code #booking-code { (a.booking_code.to_string()) } }
            dt { (lang.t(words::CERTIFYING_OFFICE)) }
            dd { (a.office.name) br; (a.office.address) }
            dt { (lang.t(words::APPOINTMENT_TIME)) }
            dd #appointment-time { (moment(a.slot_start_local)) " (" (lang.t(w::VIETNAM_TIME)) ")" }
            dt { (lang.t(words::RESULT_DATE)) }
            dd { (day(a.expected_result_date)) }
            dt { (lang.t(words::FEE_ESTIMATE)) }
            dd { (vnd(a.fee.total.0)) }
        }
        h2 { (lang.t(words::BOOK_DOCUMENTS_TITLE)) }
        ul {
            @for d in &a.documents {
                li { (d.title) " — " (d.pages) " " (lang.t(words::PAGES_UNIT)) " × " (d.copies) }
            }
        }
        @if open(app, a) {
            @if let Some(until) = a.changeable_until {
                p.hint { (lang.t(words::CHANGEABLE_UNTIL)) " " (moment(until)) }
            }
            div.actions {
                a.button.secondary href={ (base) "/reschedule" } { (lang.t(words::RESCHEDULE)) }
                form method="post" action={ (base) "/cancel" } {
                    (viewer.csrf_field())
                    button.warning type="submit" { (lang.t(words::CANCEL_APPOINTMENT)) }
                }
            }
        } @else if a.status == AppointmentStatus::Booked {
            p { (lang.t(w::NOT_CHANGEABLE)) }
        }
        p { a href={ "/api/v1/appointments/by-token/" (token) "/calendar.ics" } download { (lang.t(words::ADD_TO_CALENDAR)) } }
        p.hint { (lang.t(w::MANAGE_SECRET)) }
    }
}

/// `GET /a/{token}`: the appointment.
#[get("/a/<token>")]
pub async fn appointment(app: &State<App>, viewer: Viewer, token: &str) -> Private<PageResult> {
    let shown = async {
        let a = load(app, &viewer, token).await?;
        Ok(page(
            &viewer,
            viewer.lang.t(w::MANAGE_TITLE),
            appointment_page(app, &viewer, token, &a),
        ))
    };
    private(shown.await)
}

/// `GET /a/{token}/reschedule?day=`: another day and time at the same office.
#[get("/a/<token>/reschedule?<day>")]
pub async fn reschedule_form(
    app: &State<App>,
    viewer: Viewer,
    token: &str,
    day: Option<&str>,
) -> Private<PageResult> {
    let shown = async {
        let a = load(app, &viewer, token).await?;
        let lang = viewer.lang;
        let title = lang.t(words::RESCHEDULE);
        let base = format!("/a/{token}/reschedule");
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let chosen = day.and_then(|d| Date::parse(d, &format).ok());
        let choice = if open(app, &a) {
            let found = availability(app, a.office.id.clone(), chosen)
                .await
                .map_err(|e| viewer.error(&e))?;
            slot_choice(
                &viewer,
                &base,
                &found,
                chosen,
                &base,
                true,
                viewer.csrf_field(),
            )
        } else {
            html! { p { (lang.t(w::NOT_CHANGEABLE)) } }
        };
        Ok(page(
            &viewer,
            title,
            html! {
                p { a href={ "/a/" (token) } { (lang.t(w::BACK_TO_APPOINTMENT)) } }
                h1 { (title) }
                p { (a.office.name) " — " (lang.t(words::NOW_AT)) " " (moment(a.slot_start_local)) }
                (choice)
            },
        ))
    };
    private(shown.await)
}

/// The new time.
#[derive(FromForm)]
pub struct SlotForm {
    csrf: String,
    slot: String,
}

/// `POST /a/{token}/reschedule`: the same move as the API's, then back to the appointment.
#[post("/a/<token>/reschedule", data = "<form>")]
pub async fn reschedule(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    token: &str,
    form: Posted<'_, SlotForm>,
) -> Private<Result<Redirect, PageFailure>> {
    let done = async {
        load(app, &viewer, token).await?;
        let form = viewer.form(form)?;
        viewer.check_csrf(&form.csrf)?;
        let Ok(start) = time::OffsetDateTime::parse(form.slot.trim(), &Rfc3339) else {
            return Ok(Redirect::to(format!("/a/{token}/reschedule")));
        };
        let ctx = app.booking.clone();
        let link = token.to_owned();
        app.db
            .run(move |conn| {
                store::reschedule(conn, &ctx, Access::Link(&link), start, Some(&request_id.0))
            })
            .await
            .map_err(|e| viewer.error(&e))?;
        Ok(Redirect::to(format!("/a/{token}")))
    };
    private(done.await)
}

/// `POST /a/{token}/cancel`: the same cancellation as the API's, then back to the
/// appointment (shown cancelled).
#[post("/a/<token>/cancel", data = "<form>")]
pub async fn cancel(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    token: &str,
    form: Posted<'_, CsrfOnly>,
) -> Private<Result<Redirect, PageFailure>> {
    let done = async {
        load(app, &viewer, token).await?;
        let form = viewer.form(form)?;
        viewer.check_csrf(form.csrf())?;
        let ctx = app.booking.clone();
        let link = token.to_owned();
        app.db
            .run(move |conn| store::cancel(conn, &ctx, Access::Link(&link), Some(&request_id.0)))
            .await
            .map_err(|e| viewer.error(&e))?;
        Ok(Redirect::to(format!("/a/{token}")))
    };
    private(done.await)
}
