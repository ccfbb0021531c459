//! `/api/v1/offices`: office search and free slots (public), and each office's calendar
//! (administrators, and officials of that office; audited).

use rocket::serde::json::Json;
use rocket::{Route, State, get, put, routes};
use time::{Date, Duration};

use super::booking_input::parse_date;
use crate::app::App;
use crate::booking::store::{self, OfficeFilter, SlotAvailability, StoredCalendar};
use crate::booking::{BookingError, OfficeCalendarConfig, OfficeSummary};
use crate::db::ids::OfficeId;
use crate::local_time::local_date;
use crate::web::guards::AuthUser;
use crate::web::json_body::JsonBody;
use crate::web::{ApiError, RequestId};

pub fn routes() -> Vec<Route> {
    routes![offices, slots, calendar, save_calendar]
}

/// Days listed when the query gives no `to`.
const DEFAULT_SLOT_DAYS: i64 = 7;

/// Offices filtered by province, district and name (each a case-insensitive part).
#[utoipa::path(
    get,
    path = "/api/v1/offices",
    tag = "public",
    operation_id = "find_offices",
    summary = "Find certifying offices",
    params(
        ("province" = Option<String>, Query, description = "Part of the province's name", example = "Hồ Chí Minh"),
        ("district" = Option<String>, Query, description = "Part of the district's name"),
        ("name" = Option<String>, Query, description = "Part of the office's name", example = "Bến Nghé"),
    ),
    responses((status = 200, description = "The offices found (at most 200)", body = Vec<OfficeSummary>))
)]
#[get("/offices?<province>&<district>&<name>")]
async fn offices(
    app: &State<App>,
    province: Option<String>,
    district: Option<String>,
    name: Option<String>,
) -> Result<Json<Vec<OfficeSummary>>, ApiError> {
    let filter = OfficeFilter {
        province,
        district,
        name,
    };
    let found = app
        .db
        .run(move |conn| store::find_offices(conn, &filter))
        .await?;
    Ok(Json(found))
}

/// Bookable slots with remaining seats, `from`/`to` local dates (`YYYY-MM-DD`, default
/// today and a week).
#[utoipa::path(
    get,
    path = "/api/v1/offices/{office_id}/slots",
    tag = "public",
    operation_id = "office_slots",
    summary = "An office's free appointment times",
    params(
        ("office_id" = String, Path, format = Uuid, description = "The office"),
        ("from" = Option<String>, Query, format = Date, description = "First local date (`YYYY-MM-DD`), default today"),
        ("to" = Option<String>, Query, format = Date, description = "Last local date, default six days after `from`"),
    ),
    responses((status = 200, description = "Bookable slots with the seats left", body = SlotAvailability))
)]
#[get("/offices/<office_id>/slots?<from>&<to>")]
async fn slots(
    app: &State<App>,
    office_id: OfficeId,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Json<SlotAvailability>, ApiError> {
    let ctx = app.booking.clone();
    let from = match from {
        Some(text) => parse_date(text, "from")?,
        None => local_date(ctx.clock.now()).ok_or(BookingError::InvalidField("from"))?,
    };
    let to = match to {
        Some(text) => parse_date(text, "to")?,
        None => from
            .checked_add(Duration::days(DEFAULT_SLOT_DAYS - 1))
            .unwrap_or(Date::MAX),
    };
    let availability = app
        .db
        .run(move |conn| store::available_slots(conn, &ctx, &office_id, from, to))
        .await?;
    Ok(Json(availability))
}

/// The office's calendar settings.
#[get("/offices/<office_id>/calendar")]
async fn calendar(
    app: &State<App>,
    user: AuthUser,
    office_id: OfficeId,
) -> Result<Json<StoredCalendar>, ApiError> {
    let actor = user.actor();
    let stored = app
        .db
        .run(move |conn| store::office_calendar(conn, &actor, &office_id))
        .await?;
    Ok(Json(stored))
}

/// Replaces the office's calendar settings (fields left out take their defaults).
#[put("/offices/<office_id>/calendar", data = "<body>")]
async fn save_calendar(
    app: &State<App>,
    user: AuthUser,
    request_id: RequestId,
    office_id: OfficeId,
    body: JsonBody<'_, OfficeCalendarConfig>,
) -> Result<Json<StoredCalendar>, ApiError> {
    let config = body.map_err(|e| ApiError::bad_json(&e))?.into_inner();
    let actor = user.actor();
    let stored = app
        .db
        .run(move |conn| {
            store::save_office_calendar(conn, &actor, &office_id, config, Some(&request_id.0))
        })
        .await?;
    Ok(Json(stored))
}
