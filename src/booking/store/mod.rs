//! Booking operations on the database: office calendars, slot availability, appointments
//! and the desk. The pure rules of the parent module decide what may be booked; this
//! module makes it so, with the invariants held by the database (docs/ARCHITECTURE.md §4):
//!
//! * **capacity**: a seat is taken by a conditional update of the slot's counter inside
//!   the transaction that inserts the appointment ([`SlotCounter::take_seat`]); a full
//!   slot updates no row and the booking is refused with `slot_full`. Cancelling gives
//!   the seat back in the transaction that changes the status; rescheduling takes the new
//!   seat before it frees the old one, in one transaction. Nothing is decided by reading
//!   a count in Rust and writing afterwards.
//! * **one active appointment per citizen per office per day**: a partial unique index.
//! * **state changes** are conditional on the current status, so two clerks (or a clerk
//!   and the citizen) cannot both move the same appointment.
//!
//! Every change writes its audit row in the same transaction.
//!
//! [`SlotCounter::take_seat`]: crate::db::models::SlotCounter::take_seat

mod appointments;
mod availability;
use crate::registry::status_cache::StatusCache;
pub(crate) use availability::seats_changed;
mod calendars;
mod desk;
mod seats;

pub use appointments::{
    Access, BookingRequest, CitizenReader, NewAppointment, Requester, appointment, appointment_ics,
    book, cancel, my_appointments, reschedule,
};
pub use availability::{
    AvailableSlot, MAX_OFFICES, OfficeFilter, SlotAvailability, available_slots, find_offices,
    office_with_slots, office_with_slots_kept,
};
pub use calendars::{
    StoredCalendar, add_closure, may_manage_calendar, office_calendar, remove_closure,
    save_office_calendar,
};
pub use desk::{DeskDay, WalkIn, change_status, check_in, desk_day, walk_in};
pub use seats::{SeatReport, seat_report};

use diesel::prelude::*;
use time::{OffsetDateTime, PrimitiveDateTime};

use super::calendar::OfficeCalendar;
use super::error::BookingError;
use crate::db::DbConn;
use crate::db::ids::OfficeId;
use crate::db::models::Office;
use crate::db::schema::{office_calendars, offices};
use crate::local_time::to_utc_primitive;

/// How often a transaction is retried after PostgreSQL aborted it to break a deadlock
/// (two reschedules swapping slots) or a serialization failure.
const TRANSIENT_RETRIES: usize = 3;

/// An office's public face and its calendar (the standard one when none was saved): what
/// the office's page shows to anyone.
pub fn public_office(
    conn: &mut DbConn,
    office_id: &OfficeId,
) -> Result<(crate::booking::OfficeSummary, OfficeCalendar), BookingError> {
    let (office, calendar) = office_and_calendar(conn, office_id)?;
    Ok((crate::booking::OfficeSummary::from(&office), calendar))
}

/// An office and its calendar (the standard one when none was saved), in one query.
/// Calendar changes saved by this process: a calendar kept for display before the latest
/// is stale.
static CALENDAR_CHANGES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How long an office and its calendar are kept for display (pages and slot listings);
/// a change saved by this process is seen at once, one saved by another instance within
/// this time. Booking and every change read them fresh.
const DISPLAY_CACHE: std::time::Duration = std::time::Duration::from_secs(5);

fn display_cache() -> &'static StatusCache<(Office, OfficeCalendar)> {
    static CACHE: std::sync::OnceLock<StatusCache<(Office, OfficeCalendar)>> =
        std::sync::OnceLock::new();
    CACHE.get_or_init(|| StatusCache::with_changes(DISPLAY_CACHE, 10_000, &CALENDAR_CHANGES))
}

/// Records that a calendar was saved (every office kept for display becomes stale).
pub(crate) fn calendar_changed() {
    CALENDAR_CHANGES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
}

/// [`office_and_calendar`] for display: kept [`DISPLAY_CACHE`] per office.
fn office_and_calendar_for_display(
    conn: &mut DbConn,
    office_id: &OfficeId,
) -> Result<(Office, OfficeCalendar), BookingError> {
    let cache = display_cache();
    let generation = cache.changes();
    if let Some(kept) = cache.get(office_id.as_str()) {
        return Ok(kept);
    }
    let found = office_and_calendar(conn, office_id)?;
    cache.put(office_id.to_string(), found.clone(), generation);
    Ok(found)
}

fn office_and_calendar(
    conn: &mut DbConn,
    office_id: &OfficeId,
) -> Result<(Office, OfficeCalendar), BookingError> {
    let row: Option<(Office, Option<String>)> = offices::table
        .left_join(office_calendars::table)
        .filter(offices::id.eq(office_id))
        .select((Office::as_select(), office_calendars::config.nullable()))
        .first(conn)
        .optional()?;
    let (office, config) = row.ok_or(BookingError::OfficeNotFound)?;
    let calendar = match config {
        Some(json) => parse_calendar(&json)?,
        None => OfficeCalendar::default(),
    };
    Ok((office, calendar))
}

/// A stored calendar. It was validated before it was written; failing here means the
/// row was altered outside the service.
fn parse_calendar(json: &str) -> Result<OfficeCalendar, BookingError> {
    serde_json::from_str(json).map_err(|e| BookingError::Internal(format!("office calendar: {e}")))
}

/// An instant as the stored UTC value; `field` names the request field when it is out of
/// range.
fn stored_utc(
    instant: OffsetDateTime,
    field: &'static str,
) -> Result<PrimitiveDateTime, BookingError> {
    to_utc_primitive(instant).ok_or(BookingError::InvalidField(field))
}

/// Whether a failed transaction may succeed when simply run again.
fn is_transient(error: &BookingError) -> bool {
    matches!(error, BookingError::Db(error) if error.is_transient())
}

/// Runs `attempt` again (a few times) when the database aborted it for a transient reason.
fn retry_transient<T>(
    mut attempt: impl FnMut() -> Result<T, BookingError>,
) -> Result<T, BookingError> {
    let mut tries = 0;
    loop {
        match attempt() {
            Err(error) if tries < TRANSIENT_RETRIES && is_transient(&error) => tries += 1,
            outcome => return outcome,
        }
    }
}
