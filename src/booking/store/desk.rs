//! The office desk: the day's list, check-in by booking code, status changes (each
//! audited) and walk-ins.

use serde::Serialize;
use time::{Date, OffsetDateTime};

use super::appointments::{
    Access, Draft, NewAppointment, Requester, apply_status_change, create, parse_code,
};
use super::office_and_calendar;
use crate::audit::Actor;
use crate::booking::clock::BookingContext;
use crate::booking::error::BookingError;
use crate::booking::slots::{ClosedReason, SlotRefusal, slots_of_day};
use crate::booking::view::{AppointmentView, Audience, OfficeSummary};
use crate::db::DbConn;
use crate::db::ids::{AppointmentId, OfficeId};
use crate::db::models::{Appointment, AppointmentStatus, Role, User};
use crate::fees::{DocumentRequest, fee_estimate};
use crate::identity::{normalize_citizen_id, normalize_full_name};
use crate::local_time::local_date;
use crate::local_time::serde_formats::iso_date;

/// An office's appointments on one day.
#[derive(Debug, Clone, Serialize)]
pub struct DeskDay {
    /// The office.
    pub office: OfficeSummary,
    /// The local date.
    #[serde(with = "iso_date")]
    pub date: Date,
    /// Appointments by slot (every status).
    pub appointments: Vec<AppointmentView>,
}

/// The office of a desk actor (clerks and officials always have one).
fn desk_office(clerk: &Actor) -> Result<&OfficeId, BookingError> {
    clerk.office_id.as_ref().ok_or(BookingError::Forbidden)
}

/// Today's local date by the booking clock.
fn today(ctx: &BookingContext) -> Result<Date, BookingError> {
    local_date(ctx.clock.now()).ok_or(BookingError::InvalidField("now"))
}

/// The appointments of the clerk's office on `date` (default: today).
pub fn desk_day(
    conn: &mut DbConn,
    ctx: &BookingContext,
    clerk: &Actor,
    date: Option<Date>,
) -> Result<DeskDay, BookingError> {
    let office_id = desk_office(clerk)?;
    let date = match date {
        Some(date) => date,
        None => today(ctx)?,
    };
    let (office, calendar) = office_and_calendar(conn, office_id)?;
    let appointments = Appointment::of_office_on(conn, office_id, date)?
        .iter()
        .map(|row| AppointmentView::new(row, &office, &calendar, Audience::Desk))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(DeskDay {
        office: OfficeSummary::from(&office),
        date,
        appointments,
    })
}

/// Checks in the citizen holding `code` (typed or scanned, any case, dash optional): the
/// appointment must be at the clerk's office, booked, and for today.
pub fn check_in(
    conn: &mut DbConn,
    ctx: &BookingContext,
    clerk: &Actor,
    code: &str,
    request_id: Option<&str>,
) -> Result<AppointmentView, BookingError> {
    let office_id = desk_office(clerk)?;
    let code = parse_code(code)?;
    let found = Appointment::find_by_code(conn, code.as_compact())?
        .filter(|a| &a.office_id == office_id)
        .ok_or(BookingError::AppointmentNotFound)?;
    change_status(
        conn,
        ctx,
        clerk,
        &found.id,
        AppointmentStatus::CheckedIn,
        request_id,
    )
}

/// Moves an appointment of the clerk's office to `to` (see `booking::status` for the
/// allowed moves; a no-show only after the grace period).
pub fn change_status(
    conn: &mut DbConn,
    ctx: &BookingContext,
    clerk: &Actor,
    id: &AppointmentId,
    to: AppointmentStatus,
    request_id: Option<&str>,
) -> Result<AppointmentView, BookingError> {
    desk_office(clerk)?;
    let access = Access::Desk(clerk, id);
    let found = access.load(conn)?;
    let (office, calendar) = office_and_calendar(conn, &found.office_id)?;
    apply_status_change(conn, ctx, &found, &calendar, to, access, request_id)?;
    let updated = access.load(conn)?;
    AppointmentView::new(&updated, &office, &calendar, Audience::Desk)
}

/// A citizen who came to the desk without a booking.
#[derive(Debug, Clone)]
pub struct WalkIn {
    /// Full name as on the ID card.
    pub full_name: String,
    /// Citizen ID number.
    pub citizen_id: String,
    /// The originals to certify.
    pub documents: Vec<DocumentRequest>,
    /// A slot of today; default: the current slot, or the next one with a free seat.
    pub slot_start: Option<OffsetDateTime>,
}

/// Creates a walk-in appointment at the clerk's office, checked in at once. It takes a
/// seat like a booking (the same conditional update): the given slot of today, or the
/// first slot not yet over that has a free seat. Minimum notice and horizon do not apply.
pub fn walk_in(
    conn: &mut DbConn,
    ctx: &BookingContext,
    clerk: &Actor,
    request: &WalkIn,
    request_id: Option<&str>,
) -> Result<NewAppointment, BookingError> {
    let office_id = desk_office(clerk)?.clone();
    let full_name = normalize_full_name(&request.full_name).map_err(BookingError::Requester)?;
    let citizen_id = normalize_citizen_id(&request.citizen_id).map_err(BookingError::Requester)?;
    fee_estimate(&request.documents)?;
    let (office, calendar) = office_and_calendar(conn, &office_id)?;
    let now = ctx.clock.now();
    let today = today(ctx)?;
    let day = slots_of_day(&calendar, &ctx.holidays, today)?;
    let candidates: Vec<_> = match request.slot_start {
        Some(start) => {
            if local_date(start) != Some(today) {
                return Err(BookingError::NotToday {
                    date: local_date(start).unwrap_or(today),
                });
            }
            let slot = day
                .iter()
                .find(|slot| slot.start() == start)
                .ok_or(SlotRefusal::NotASlotBoundary)?;
            if slot.end() <= now {
                return Err(SlotRefusal::InPast.into());
            }
            vec![*slot]
        }
        None => day.into_iter().filter(|slot| slot.end() > now).collect(),
    };
    if candidates.is_empty() {
        return Err(SlotRefusal::Closed {
            date: today,
            reason: ClosedReason::OutsideOpeningHours,
        }
        .into());
    }
    // The verified holder of the ID sees the walk-in among their appointments; an account
    // that only claims the ID does not (docs/ARCHITECTURE.md §9).
    let account =
        User::verified_holder(conn, &citizen_id)?.filter(|user| user.role() == Role::Citizen);
    // The clerk saw the card: the walk-in counts against the ID itself.
    let requester = Requester {
        booked_as: Appointment::booked_as_key(Some(&citizen_id), None),
        user_id: account.map(|user| user.id),
        full_name,
        citizen_id,
    };
    for slot in candidates {
        let draft = Draft {
            office: &office,
            calendar: &calendar,
            requester: &requester,
            start: slot.start(),
            received_at: now.max(slot.start()),
            documents: &request.documents,
            walk_in_by: Some(clerk),
        };
        match create(conn, ctx, &draft, Some(clerk), request_id) {
            Err(BookingError::SlotFull) => continue,
            outcome => return outcome,
        }
    }
    Err(BookingError::SlotFull)
}
