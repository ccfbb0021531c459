//! Reading and editing an office's calendar (admins, and officials of that office).

use serde::Serialize;
use serde_json::json;
use time::{Date, PrimitiveDateTime};

use super::office_and_calendar;
use crate::audit::{self, Actor, AuditEvent};
use crate::booking::calendar::{Closure, OfficeCalendar, OfficeCalendarConfig};
use crate::booking::error::BookingError;
use crate::db::ids::OfficeId;
use crate::db::models::{OfficeCalendarRow, Role};
use crate::db::{DbConn, now_utc, write_transaction};
use crate::local_time::serde_formats::utc_timestamp;

/// An office's calendar as stored.
#[derive(Debug, Clone, Serialize)]
pub struct StoredCalendar {
    /// The office.
    pub office_id: OfficeId,
    /// The settings in force.
    pub calendar: OfficeCalendarConfig,
    /// 0 while the office uses the standard calendar, then 1, 2, … per saved change.
    pub revision: i32,
    /// Last change, UTC (none for the standard calendar).
    #[serde(with = "utc_timestamp::option")]
    pub updated_at: Option<PrimitiveDateTime>,
}

/// Administrators manage every calendar; an official manages the calendar of their own
/// office. Clerks do not.
pub fn may_manage_calendar(actor: &Actor, office_id: &OfficeId) -> bool {
    match actor.role {
        Role::Admin => true,
        Role::Official => actor.office_id.as_ref() == Some(office_id),
        _ => false,
    }
}

/// The calendar of `office_id`, for someone who may manage it.
pub fn office_calendar(
    conn: &mut DbConn,
    actor: &Actor,
    office_id: &OfficeId,
) -> Result<StoredCalendar, BookingError> {
    if !may_manage_calendar(actor, office_id) {
        return Err(BookingError::Forbidden);
    }
    let (_, calendar) = office_and_calendar(conn, office_id)?;
    let row = OfficeCalendarRow::find(conn, office_id)?;
    Ok(StoredCalendar {
        office_id: office_id.clone(),
        calendar: calendar.config().clone(),
        revision: row.as_ref().map_or(0, |r| r.revision),
        updated_at: row.map(|r| r.updated_at),
    })
}

/// Validates and saves a new calendar for `office_id` (audited). Existing appointments
/// keep their seats; a lower counter count only limits new bookings.
pub fn save_office_calendar(
    conn: &mut DbConn,
    actor: &Actor,
    office_id: &OfficeId,
    config: OfficeCalendarConfig,
    request_id: Option<&str>,
) -> Result<StoredCalendar, BookingError> {
    if !may_manage_calendar(actor, office_id) {
        return Err(BookingError::Forbidden);
    }
    let calendar = OfficeCalendar::new(config)?;
    // The office must exist (an admin may name any id).
    office_and_calendar(conn, office_id)?;
    let stored = write_transaction(conn, |conn| {
        store_calendar(conn, actor, office_id, &calendar, request_id)
    })?;
    super::calendar_changed();
    Ok(stored)
}

/// Closes the office on one more date (with the reason shown to citizens, if any):
/// validated and audited as any change of the calendar. A date already closed is
/// refused as listed twice.
pub fn add_closure(
    conn: &mut DbConn,
    actor: &Actor,
    office_id: &OfficeId,
    closure: Closure,
    request_id: Option<&str>,
) -> Result<StoredCalendar, BookingError> {
    edit_office_calendar(conn, actor, office_id, request_id, move |config| {
        config.closures.push(closure);
        config.closures.sort_by_key(|closure| closure.date);
    })
}

/// Opens the office again on a closed date (nothing changes when it was not closed).
pub fn remove_closure(
    conn: &mut DbConn,
    actor: &Actor,
    office_id: &OfficeId,
    date: Date,
    request_id: Option<&str>,
) -> Result<StoredCalendar, BookingError> {
    edit_office_calendar(conn, actor, office_id, request_id, move |config| {
        config.closures.retain(|closure| closure.date != date);
    })
}

/// Reads the office's calendar, changes it with `edit`, validates and saves it, all in
/// one write transaction (so two changes at once do not lose one on SQLite, where write
/// transactions run one at a time).
fn edit_office_calendar(
    conn: &mut DbConn,
    actor: &Actor,
    office_id: &OfficeId,
    request_id: Option<&str>,
    edit: impl FnOnce(&mut OfficeCalendarConfig),
) -> Result<StoredCalendar, BookingError> {
    if !may_manage_calendar(actor, office_id) {
        return Err(BookingError::Forbidden);
    }
    let stored = write_transaction(conn, |conn| {
        let (_, current) = office_and_calendar(conn, office_id)?;
        let mut config = current.config().clone();
        edit(&mut config);
        let calendar = OfficeCalendar::new(config)?;
        store_calendar(conn, actor, office_id, &calendar, request_id)
    })?;
    super::calendar_changed();
    Ok(stored)
}

/// Writes a validated calendar and its audit row; call inside a write transaction.
fn store_calendar(
    conn: &mut DbConn,
    actor: &Actor,
    office_id: &OfficeId,
    calendar: &OfficeCalendar,
    request_id: Option<&str>,
) -> Result<StoredCalendar, BookingError> {
    let json = serde_json::to_string(calendar.config())
        .map_err(|e| BookingError::Internal(format!("office calendar: {e}")))?;
    let row = OfficeCalendarRow::save(conn, office_id, &json, Some(&actor.id), now_utc())?;
    let event = AuditEvent {
        action: "calendar.update",
        target: Some(office_id.to_string()),
        office_id: Some(office_id.clone()),
        detail: json!({ "revision": row.revision, "calendar": calendar.config() }),
    };
    audit::record(conn, Some(actor), event, request_id)?;
    Ok(StoredCalendar {
        office_id: office_id.clone(),
        calendar: calendar.config().clone(),
        revision: row.revision,
        updated_at: Some(row.updated_at),
    })
}
