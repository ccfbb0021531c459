//! `/api/v1/appointments`: booking (citizens), the citizen's list, one appointment (JSON
//! or `.ics`), cancel and reschedule — signed in, or through the secret manage link
//! (`/api/v1/appointments/by-token/{token}/…`, no login).

use rocket::http::{ContentType, Header, Status};
use rocket::request::FromParam;
use rocket::serde::json::Json;
use rocket::{Responder, Route, State, get, post, routes};
use serde::{Deserialize, Serialize};

use super::booking_input::parse_instant;
use crate::app::App;
use crate::audit::Actor;
use crate::booking::store::{
    self, Access, BookingRequest, CitizenReader, NewAppointment, Requester,
};
use crate::booking::{AppointmentView, BookingError};
use crate::db::ids::{AppointmentId, OfficeId};
use crate::db::models::Role;
use crate::fees::DocumentRequest;
use crate::web::guards::{AuthUser, Citizen};
use crate::web::json_body::JsonBody;
use crate::web::{ApiError, RequestId};

pub fn routes() -> Vec<Route> {
    routes![
        book,
        mine,
        one,
        cancel,
        reschedule,
        by_token,
        cancel_by_token,
        reschedule_by_token,
        ics_by_token
    ]
}

/// The answer to a booking or walk-in: the appointment, code, QR, fee, result date and the
/// manage link (shown only this once).
#[derive(Debug, Serialize)]
pub struct Receipt {
    #[serde(flatten)]
    created: NewAppointment,
    /// Absolute manage link.
    manage_url: String,
}

impl Receipt {
    /// Adds the absolute manage link under the public base URL.
    pub fn new(app: &App, created: NewAppointment) -> Receipt {
        let manage_url = format!(
            "{}{}",
            app.config.base_url.trim_end_matches('/'),
            created.manage_path
        );
        Receipt {
            created,
            manage_url,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BookBody {
    office_id: OfficeId,
    /// RFC 3339, e.g. `2026-03-10T07:30:00+07:00`.
    slot_start: String,
    documents: Vec<DocumentRequest>,
}

/// Books a slot.
#[post("/appointments", data = "<body>")]
async fn book(
    app: &State<App>,
    citizen: Citizen,
    request_id: RequestId,
    body: JsonBody<'_, BookBody>,
) -> Result<(Status, Json<Receipt>), ApiError> {
    let body = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let request = BookingRequest {
        office_id: body.office_id,
        slot_start: parse_instant(&body.slot_start, "slot_start")?,
        documents: body.documents,
    };
    let requester = Requester::citizen(&citizen.0.user)?;
    let actor = citizen.0.actor();
    let ctx = app.booking.clone();
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
        .await?;
    Ok((Status::Created, Json(Receipt::new(app, created))))
}

/// The signed-in citizen's appointments, latest first: those booked through the account,
/// and, once its citizen ID is verified, every appointment kept under the ID.
#[get("/appointments/mine")]
async fn mine(app: &State<App>, citizen: Citizen) -> Result<Json<Vec<AppointmentView>>, ApiError> {
    let reader = CitizenReader::of(&citizen.0.user);
    let views = app
        .db
        .run(move |conn| store::my_appointments(conn, &reader))
        .await?;
    Ok(Json(views))
}

/// `{id}` or `{id}.ics` in a path: one route serves the JSON and the calendar file.
struct AppointmentPath {
    id: AppointmentId,
    ics: bool,
}

impl<'a> FromParam<'a> for AppointmentPath {
    type Error = &'a str;

    fn from_param(param: &'a str) -> Result<Self, Self::Error> {
        let (id, ics) = match param.strip_suffix(".ics") {
            Some(id) => (id, true),
            None => (param, false),
        };
        AppointmentId::parse(id)
            .map(|id| AppointmentPath { id, ics })
            .ok_or(param)
    }
}

/// A signed-in reader of an appointment: its citizen, or staff of its office.
enum Reader {
    Owner(CitizenReader),
    Desk(Actor),
}

impl Reader {
    fn of(user: &AuthUser) -> Result<Reader, BookingError> {
        match user.role() {
            Role::Citizen => Ok(Reader::Owner(CitizenReader::of(&user.user))),
            Role::Clerk | Role::Official => Ok(Reader::Desk(user.actor())),
            _ => Err(BookingError::Forbidden),
        }
    }

    fn access<'a>(&'a self, id: &'a AppointmentId) -> Access<'a> {
        match self {
            Reader::Owner(reader) => Access::Owner(reader, id),
            Reader::Desk(actor) => Access::Desk(actor, id),
        }
    }
}

/// An iCalendar file download.
#[derive(Responder)]
pub struct IcsFile {
    body: String,
    content_type: ContentType,
    disposition: Header<'static>,
}

impl IcsFile {
    fn new(body: String, name: &str) -> IcsFile {
        IcsFile {
            body,
            content_type: ContentType::new("text", "calendar").with_params(("charset", "utf-8")),
            disposition: Header::new(
                "Content-Disposition",
                format!("attachment; filename=\"{name}.ics\""),
            ),
        }
    }
}

/// One appointment as JSON, or with `.ics` as an iCalendar file (RFC 5545).
#[get("/appointments/<path>")]
async fn one(
    app: &State<App>,
    user: AuthUser,
    path: AppointmentPath,
) -> Result<rocket::Either<Json<AppointmentView>, IcsFile>, ApiError> {
    let reader = Reader::of(&user)?;
    let ctx = app.booking.clone();
    let AppointmentPath { id, ics } = path;
    if ics {
        let name = format!("lich-hen-{id}");
        let body = app
            .db
            .run(move |conn| store::appointment_ics(conn, &ctx, reader.access(&id)))
            .await?;
        Ok(rocket::Either::Right(IcsFile::new(body, &name)))
    } else {
        let view = app
            .db
            .run(move |conn| store::appointment(conn, reader.access(&id)))
            .await?;
        Ok(rocket::Either::Left(Json(view)))
    }
}

/// Cancels the citizen's own appointment (before the cutoff).
#[post("/appointments/<id>/cancel")]
async fn cancel(
    app: &State<App>,
    citizen: Citizen,
    request_id: RequestId,
    id: AppointmentId,
) -> Result<Json<AppointmentView>, ApiError> {
    let reader = CitizenReader::of(&citizen.0.user);
    let ctx = app.booking.clone();
    let view = app
        .db
        .run(move |conn| {
            store::cancel(conn, &ctx, Access::Owner(&reader, &id), Some(&request_id.0))
        })
        .await?;
    Ok(Json(view))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RescheduleBody {
    slot_start: String,
}

/// Moves the citizen's own appointment to another slot (before the cutoff; atomic).
#[post("/appointments/<id>/reschedule", data = "<body>")]
async fn reschedule(
    app: &State<App>,
    citizen: Citizen,
    request_id: RequestId,
    id: AppointmentId,
    body: JsonBody<'_, RescheduleBody>,
) -> Result<Json<AppointmentView>, ApiError> {
    let body = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let new_start = parse_instant(&body.slot_start, "slot_start")?;
    let reader = CitizenReader::of(&citizen.0.user);
    let ctx = app.booking.clone();
    let view = app
        .db
        .run(move |conn| {
            store::reschedule(
                conn,
                &ctx,
                Access::Owner(&reader, &id),
                new_start,
                Some(&request_id.0),
            )
        })
        .await?;
    Ok(Json(view))
}

/// The appointment of a manage link.
#[get("/appointments/by-token/<token>")]
async fn by_token(app: &State<App>, token: String) -> Result<Json<AppointmentView>, ApiError> {
    let view = app
        .db
        .run(move |conn| store::appointment(conn, Access::Link(&token)))
        .await?;
    Ok(Json(view))
}

/// Cancels through the manage link (before the cutoff).
#[post("/appointments/by-token/<token>/cancel")]
async fn cancel_by_token(
    app: &State<App>,
    request_id: RequestId,
    token: String,
) -> Result<Json<AppointmentView>, ApiError> {
    let ctx = app.booking.clone();
    let view = app
        .db
        .run(move |conn| store::cancel(conn, &ctx, Access::Link(&token), Some(&request_id.0)))
        .await?;
    Ok(Json(view))
}

/// Reschedules through the manage link (before the cutoff; atomic).
#[post("/appointments/by-token/<token>/reschedule", data = "<body>")]
async fn reschedule_by_token(
    app: &State<App>,
    request_id: RequestId,
    token: String,
    body: JsonBody<'_, RescheduleBody>,
) -> Result<Json<AppointmentView>, ApiError> {
    let body = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let new_start = parse_instant(&body.slot_start, "slot_start")?;
    let ctx = app.booking.clone();
    let view = app
        .db
        .run(move |conn| {
            store::reschedule(
                conn,
                &ctx,
                Access::Link(&token),
                new_start,
                Some(&request_id.0),
            )
        })
        .await?;
    Ok(Json(view))
}

/// The manage link's appointment as an iCalendar file.
#[get("/appointments/by-token/<token>/calendar.ics")]
async fn ics_by_token(app: &State<App>, token: String) -> Result<IcsFile, ApiError> {
    let ctx = app.booking.clone();
    let body = app
        .db
        .run(move |conn| store::appointment_ics(conn, &ctx, Access::Link(&token)))
        .await?;
    Ok(IcsFile::new(body, "lich-hen"))
}
