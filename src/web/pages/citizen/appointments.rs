//! One of the citizen's appointments (`/me/appointments/{id}`): its details, the calendar
//! file, and while it may still change, cancel and reschedule (same cutoff and same atomic
//! seat move as the API).

use maud::html;
use rocket::form::FromForm;
use rocket::response::Redirect;
use rocket::{State, get, post};
use time::format_description::well_known::Rfc3339;

use super::booking::{availability, slot_choice};
use super::me::changeable;
use crate::app::App;
use crate::booking::AppointmentView;
use crate::booking::store::{self, Access, CitizenReader};
use crate::db::ids::AppointmentId;
use crate::db::models::Role;
use crate::web::RequestId;
use crate::web::pages::format::{appointment_status, day, moment, vnd};
use crate::web::pages::i18n::words;
use crate::web::pages::layout::page;
use crate::web::pages::public::sign_in::CsrfOnly;
use crate::web::pages::session::{PageFailure, PageResult, Posted, Viewer};

fn id_or_404(viewer: &Viewer, text: &str) -> Result<AppointmentId, PageFailure> {
    AppointmentId::parse(text)
        .ok_or_else(|| viewer.error(&crate::booking::BookingError::AppointmentNotFound))
}

async fn load(
    app: &App,
    viewer: &Viewer,
    id: AppointmentId,
) -> Result<AppointmentView, PageFailure> {
    let citizen = viewer.require(&[Role::Citizen])?;
    let reader = CitizenReader::of(&citizen.user);
    app.db
        .run(move |conn| store::appointment(conn, Access::Owner(&reader, &id)))
        .await
        .map_err(|e| viewer.error(&e))
}

/// `GET /me/appointments/{id}`.
#[get("/me/appointments/<id>")]
pub async fn appointment(app: &State<App>, viewer: Viewer, id: &str) -> PageResult {
    viewer.require(&[Role::Citizen])?;
    let id = id_or_404(&viewer, id)?;
    let a = load(app, &viewer, id).await?;
    let lang = viewer.lang;
    let title = lang.t(words::APPOINTMENT_TITLE);
    let open = changeable(a.status) && a.changeable_until.is_some();
    Ok(page(
        &viewer,
        title,
        html! {
            h1 { (title) }
            p { (appointment_status(lang, a.status)) }
            dl {
                dt { (lang.t(words::BOOKING_CODE)) }
                dd { code #booking-code { (a.booking_code.to_string()) } }
                dt { (lang.t(words::CERTIFYING_OFFICE)) }
                dd { (a.office.name) br; (a.office.address) }
                dt { (lang.t(words::APPOINTMENT_TIME)) }
                dd { (moment(a.slot_start_local)) }
                dt { (lang.t(words::RESULT_DATE)) }
                dd { (day(a.expected_result_date)) }
                dt { (lang.t(words::FEE_TOTAL)) }
                dd { (vnd(a.fee.total.0)) }
            }
            h2 { (lang.t(words::BOOK_DOCUMENTS_TITLE)) }
            ul {
                @for d in &a.documents {
                    li { (d.title) " — " (d.pages) " " (lang.t(words::PAGES_UNIT)) " × " (d.copies) }
                }
            }
            @if open {
                @if let Some(until) = a.changeable_until {
                    p.hint { (lang.t(words::CHANGEABLE_UNTIL)) " " (moment(until)) }
                }
                div.actions {
                    a.button.secondary href={ "/me/appointments/" (a.id) "/reschedule" } { (lang.t(words::RESCHEDULE)) }
                    form method="post" action={ "/me/appointments/" (a.id) "/cancel" } {
                        (viewer.csrf_field())
                        button.warning type="submit" { (lang.t(words::CANCEL_APPOINTMENT)) }
                    }
                }
            }
            p { a href={ "/api/v1/appointments/" (a.id) ".ics" } download { (lang.t(words::ADD_TO_CALENDAR)) } }
            p { a href="/me" { (lang.t(words::NAV_MY_PAGE)) } }
        },
    ))
}

/// `POST /me/appointments/{id}/cancel`.
#[post("/me/appointments/<id>/cancel", data = "<form>")]
pub async fn cancel(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    form: Posted<'_, CsrfOnly>,
) -> Result<Redirect, PageFailure> {
    let citizen = viewer.require(&[Role::Citizen])?.clone();
    let id = id_or_404(&viewer, id)?;
    load(app, &viewer, id.clone()).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(form.csrf())?;
    let reader = CitizenReader::of(&citizen.user);
    let ctx = app.booking.clone();
    let back = format!("/me/appointments/{id}");
    app.db
        .run(move |conn| {
            store::cancel(conn, &ctx, Access::Owner(&reader, &id), Some(&request_id.0))
        })
        .await
        .map_err(|e| viewer.error(&e))?;
    Ok(Redirect::to(back))
}

/// `GET /me/appointments/{id}/reschedule?day=`: another day and time at the same office.
#[get("/me/appointments/<id>/reschedule?<day>")]
pub async fn reschedule_form(
    app: &State<App>,
    viewer: Viewer,
    id: &str,
    day: Option<&str>,
) -> PageResult {
    viewer.require(&[Role::Citizen])?;
    let id = id_or_404(&viewer, id)?;
    let a = load(app, &viewer, id).await?;
    let lang = viewer.lang;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let chosen = day.and_then(|d| time::Date::parse(d, &format).ok());
    let found = availability(app, a.office.id.clone(), chosen)
        .await
        .map_err(|e| viewer.error(&e))?;
    let title = lang.t(words::RESCHEDULE);
    let base = format!("/me/appointments/{}/reschedule", a.id);
    Ok(page(
        &viewer,
        title,
        html! {
            h1 { (title) }
            p { (a.office.name) " — " (lang.t(words::NOW_AT)) " " (moment(a.slot_start_local)) }
            (slot_choice(&viewer, &base, &found, chosen, &base, true, viewer.csrf_field()))
        },
    ))
}

/// The new time.
#[derive(FromForm)]
pub struct SlotForm {
    csrf: String,
    slot: String,
}

/// `POST /me/appointments/{id}/reschedule`.
#[post("/me/appointments/<id>/reschedule", data = "<form>")]
pub async fn reschedule(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    form: Posted<'_, SlotForm>,
) -> Result<Redirect, PageFailure> {
    let citizen = viewer.require(&[Role::Citizen])?.clone();
    let id = id_or_404(&viewer, id)?;
    load(app, &viewer, id.clone()).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let Ok(start) = time::OffsetDateTime::parse(form.slot.trim(), &Rfc3339) else {
        return Ok(Redirect::to(format!("/me/appointments/{id}/reschedule")));
    };
    let reader = CitizenReader::of(&citizen.user);
    let ctx = app.booking.clone();
    let back = format!("/me/appointments/{id}");
    app.db
        .run(move |conn| {
            store::reschedule(
                conn,
                &ctx,
                Access::Owner(&reader, &id),
                start,
                Some(&request_id.0),
            )
        })
        .await
        .map_err(|e| viewer.error(&e))?;
    Ok(Redirect::to(back))
}
