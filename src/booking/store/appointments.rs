//! Booking, viewing, cancelling and rescheduling appointments, by the citizen (signed in
//! or through the secret manage link) and, for status changes, by the desk.

use std::collections::HashMap;
use std::str::FromStr;

use ring::rand::{SecureRandom, SystemRandom};
use serde::Serialize;
use serde_json::json;
use time::{Date, OffsetDateTime};

use super::{office_and_calendar, retry_transient, stored_utc};
use crate::audit::{self, Actor, AuditEvent};
use crate::booking::booking_code::{BOOKING_CODE_RANDOM_BYTES, BookingCode};
use crate::booking::calendar::OfficeCalendar;
use crate::booking::clock::BookingContext;
use crate::booking::error::BookingError;
use crate::booking::holidays::HolidayCalendar;
use crate::booking::ics::render_ics;
use crate::booking::qr::qr_svg;
use crate::booking::result_date::expected_result_date;
use crate::booking::slots::is_bookable;
use crate::booking::status::{StatusActor, may_change_status, releases_seat};
use crate::booking::view::{AppointmentView, Audience};
use crate::certification::CertificationError;
use crate::db::ids::{AppointmentId, OfficeId, UserId};
use crate::db::models::{
    Appointment, AppointmentStatus, Office, SlotCounter, SlotMove, StatusChange, User,
};
use crate::db::{DbConn, DbError, write_transaction};
use crate::fees::{DocumentRequest, FeeEstimate, fee_estimate};
use crate::local_time::serde_formats::iso_date;
use crate::local_time::{from_utc_primitive, local_date, rfc3339};
use crate::secrets::{new_secret_token, token_hash};

/// Booking codes drawn before giving up on collisions (40-bit codes: a second draw is
/// already rare).
const CODE_ATTEMPTS: usize = 5;
/// Longest manage-link token accepted (ours are 43 characters).
const MAX_TOKEN_CHARS: usize = 128;
/// Most appointments listed for one citizen.
const MAX_LISTED: i64 = 200;

/// What a citizen asks for.
#[derive(Debug, Clone)]
pub struct BookingRequest {
    /// The office.
    pub office_id: OfficeId,
    /// Start of the slot (any offset).
    pub slot_start: OffsetDateTime,
    /// The originals to certify.
    pub documents: Vec<DocumentRequest>,
}

/// Who an appointment is for.
#[derive(Debug, Clone)]
pub struct Requester {
    /// The citizen's account, if they have one.
    pub user_id: Option<UserId>,
    /// Full name.
    pub full_name: String,
    /// Citizen ID number (12 digits, normalised).
    pub citizen_id: String,
    /// Whom the booking limits count the appointment against
    /// ([`Appointment::booked_as_key`]).
    pub booked_as: String,
}

impl Requester {
    /// A signed-in citizen. Citizen rows always carry their ID number (a CHECK constraint).
    pub fn citizen(user: &User) -> Result<Requester, BookingError> {
        let citizen_id = user.citizen_id.clone().ok_or(BookingError::Forbidden)?;
        Ok(Requester {
            booked_as: Appointment::booked_as_key(user.verified_citizen_id(), Some(&user.id)),
            user_id: Some(user.id.clone()),
            full_name: user.full_name.clone(),
            citizen_id,
        })
    }
}

/// A created appointment, with what is shown only this once (the manage-link token).
#[derive(Debug, Clone, Serialize)]
pub struct NewAppointment {
    /// The appointment.
    pub appointment: AppointmentView,
    /// Booking code (`K7QM-3XPA`), for the counter.
    pub booking_code: BookingCode,
    /// The booking code as a QR code (SVG).
    pub qr_svg: String,
    /// Itemised fee estimate.
    pub fee: FeeEstimate,
    /// Expected result date.
    #[serde(with = "iso_date")]
    pub expected_result_date: Date,
    /// Secret for the manage link; stored only as its SHA-256.
    pub manage_token: String,
    /// Path of the manage link (`/a/{token}`), to put behind the public base URL.
    pub manage_path: String,
}

/// A signed-in citizen reaching appointments: those the account booked itself, and, once
/// its citizen ID is verified, every appointment kept under that ID (walk-ins included).
/// An account that only claims an ID sees nothing booked by others under it
/// (docs/ARCHITECTURE.md §9).
#[derive(Debug, Clone)]
pub struct CitizenReader {
    /// The account.
    pub actor: Actor,
    /// The citizen ID the account has proven; `None` while only claimed.
    pub verified_citizen_id: Option<String>,
}

impl CitizenReader {
    /// The reader for a citizen account.
    pub fn of(user: &User) -> CitizenReader {
        CitizenReader {
            actor: Actor::from(user),
            verified_citizen_id: user.verified_citizen_id().map(str::to_owned),
        }
    }

    /// Whether the reader may see `appointment`.
    pub fn sees(&self, appointment: &Appointment) -> bool {
        let booked_here =
            appointment.user_id.as_ref() == Some(&self.actor.id) && !appointment.walk_in;
        booked_here
            || self.verified_citizen_id.as_deref()
                == Some(appointment.requester_citizen_id.as_str())
    }
}

/// How the caller reaches an appointment.
#[derive(Debug, Clone, Copy)]
pub enum Access<'a> {
    /// A signed-in citizen who may see it ([`CitizenReader::sees`]).
    Owner(&'a CitizenReader, &'a AppointmentId),
    /// Whoever holds the manage-link token.
    Link(&'a str),
    /// A clerk or official of the appointment's office.
    Desk(&'a Actor, &'a AppointmentId),
}

impl Access<'_> {
    fn audience(&self) -> Audience {
        match self {
            Access::Owner(..) => Audience::Owner,
            Access::Link(_) => Audience::ManageLink,
            Access::Desk(..) => Audience::Desk,
        }
    }

    fn status_actor(&self) -> StatusActor {
        match self {
            Access::Owner(..) | Access::Link(_) => StatusActor::Citizen,
            Access::Desk(..) => StatusActor::Desk,
        }
    }

    fn actor(&self) -> Option<&Actor> {
        match self {
            Access::Owner(reader, _) => Some(&reader.actor),
            Access::Desk(actor, _) => Some(actor),
            Access::Link(_) => None,
        }
    }

    /// How the change was asked for, for the audit log.
    fn via(&self) -> &'static str {
        match self {
            Access::Owner(..) => "session",
            Access::Link(_) => "manage_link",
            Access::Desk(..) => "desk",
        }
    }

    /// The appointment, if this access reaches it (otherwise "not found": existence is
    /// not revealed).
    pub(super) fn load(&self, conn: &mut DbConn) -> Result<Appointment, BookingError> {
        let found = match self {
            Access::Owner(reader, id) => Appointment::find(conn, id)?.filter(|a| reader.sees(a)),
            Access::Link(token) => {
                if token.is_empty() || token.len() > MAX_TOKEN_CHARS {
                    None
                } else {
                    Appointment::find_by_token_hash(conn, &token_hash(token))?
                }
            }
            Access::Desk(actor, id) => Appointment::find(conn, id)?
                .filter(|a| actor.office_id.as_ref() == Some(&a.office_id)),
        };
        found.ok_or(BookingError::AppointmentNotFound)
    }
}

/// A fresh booking code from the operating system's random generator.
fn new_booking_code() -> Result<BookingCode, BookingError> {
    let mut bytes = [0u8; BOOKING_CODE_RANDOM_BYTES];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| BookingError::Internal("the system random generator failed".into()))?;
    Ok(BookingCode::from_random_bytes(bytes))
}

/// What a refused appointment insert or move means.
fn classify_duplicate(error: DbError) -> BookingError {
    match &error {
        DbError::Duplicate { constraint }
            if constraint.contains("one_active") || constraint.contains("local_date") =>
        {
            BookingError::DuplicateActive
        }
        _ => BookingError::Db(error),
    }
}

fn is_code_collision(error: &BookingError) -> bool {
    matches!(error, BookingError::Db(DbError::Duplicate { constraint }) if constraint.contains("booking_code"))
}

/// An appointment to create, checked by the caller (bookable slot, or desk rules).
pub(super) struct Draft<'a> {
    pub office: &'a Office,
    pub calendar: &'a OfficeCalendar,
    pub requester: &'a Requester,
    /// Slot start.
    pub start: OffsetDateTime,
    /// When the request counts as received (the result date runs from it).
    pub received_at: OffsetDateTime,
    pub documents: &'a [DocumentRequest],
    /// The clerk creating a walk-in (checked in at once); `None` for a booking.
    pub walk_in_by: Option<&'a Actor>,
}

/// Takes a seat and inserts the appointment in one write transaction (audited).
pub(super) fn create(
    conn: &mut DbConn,
    ctx: &BookingContext,
    draft: &Draft<'_>,
    actor: Option<&Actor>,
    request_id: Option<&str>,
) -> Result<NewAppointment, BookingError> {
    let fee = fee_estimate(draft.documents)?;
    let result_date = expected_result_date(
        draft.calendar,
        &ctx.holidays,
        draft.received_at,
        fee.certified_pages,
    )?;
    let now = stored_utc(ctx.clock.now(), "now")?;
    let end = draft.start + draft.calendar.slot_length();
    let local_day = local_date(draft.start).ok_or(BookingError::InvalidField("slot_start"))?;
    let documents = serde_json::to_string(&fee_documents(draft.documents, &fee))
        .map_err(|e| BookingError::Internal(format!("documents: {e}")))?;
    let certified_pages = i64::try_from(fee.certified_pages)
        .map_err(|_| BookingError::Fees(crate::fees::FeeError::Overflow))?;
    let fee_total = i64::try_from(fee.total.0)
        .map_err(|_| BookingError::Fees(crate::fees::FeeError::Overflow))?;
    let capacity = i32::from(draft.calendar.counters());
    let (status, action) = match draft.walk_in_by {
        Some(_) => (AppointmentStatus::CheckedIn, "appointment.walk_in"),
        None => (AppointmentStatus::Booked, "appointment.book"),
    };
    let manage_token = new_secret_token("");
    for attempt in 1..=CODE_ATTEMPTS {
        let code = new_booking_code()?;
        let row = Appointment {
            id: AppointmentId::generate(),
            booking_code: code.as_compact().to_owned(),
            office_id: draft.office.id.clone(),
            user_id: draft.requester.user_id.clone(),
            requester_name: draft.requester.full_name.clone(),
            requester_citizen_id: draft.requester.citizen_id.clone(),
            slot_start: stored_utc(draft.start, "slot_start")?,
            slot_end: stored_utc(end, "slot_start")?,
            local_date: local_day,
            status: status.as_str().to_owned(),
            walk_in: draft.walk_in_by.is_some(),
            documents: documents.clone(),
            fee_total_vnd: fee_total,
            certified_pages,
            expected_result_date: result_date,
            manage_token_hash: token_hash(&manage_token),
            revision: 0,
            created_by: draft.walk_in_by.map(|clerk| clerk.id.clone()),
            created_at: now,
            updated_at: now,
            checked_in_at: draft.walk_in_by.map(|_| now),
            booked_as: draft.requester.booked_as.clone(),
        };
        let inserted = retry_transient(|| {
            write_transaction(conn, |conn| {
                if draft.walk_in_by.is_none() {
                    within_active_cap(conn, ctx, draft.requester, now)?;
                }
                if !SlotCounter::take_seat(conn, &row.office_id, row.slot_start, capacity)? {
                    return Err(BookingError::SlotFull);
                }
                row.insert(conn).map_err(classify_duplicate)?;
                if let Some(clerk) = draft.walk_in_by {
                    open_requests(
                        conn,
                        &row,
                        draft.calendar,
                        &ctx.holidays,
                        draft.received_at,
                        clerk,
                        request_id,
                    )?;
                }
                let event = AuditEvent {
                    action,
                    target: Some(row.id.to_string()),
                    office_id: Some(row.office_id.clone()),
                    detail: json!({
                        "booking_code": code.to_string(),
                        "slot_start": rfc3339(from_utc_primitive(row.slot_start)),
                        "documents": draft.documents.len(),
                    }),
                };
                audit::record(conn, actor, event, request_id)?;
                Ok(())
            })
        });
        match inserted {
            Ok(()) => {
                let view =
                    AppointmentView::new(&row, draft.office, draft.calendar, Audience::Owner)?;
                let qr_svg = qr_svg(&code.to_string())
                    .map_err(|e| BookingError::Internal(format!("QR code: {e}")))?;
                return Ok(NewAppointment {
                    appointment: view,
                    booking_code: code,
                    qr_svg,
                    fee,
                    expected_result_date: result_date,
                    manage_path: format!("/a/{manage_token}"),
                    manage_token,
                });
            }
            Err(error) if attempt < CODE_ATTEMPTS && is_code_collision(&error) => continue,
            Err(error) => return Err(error),
        }
    }
    Err(BookingError::Internal("no free booking code".into()))
}

/// Refuses a booking when the requester already holds the configured number of booked
/// appointments that have not yet ended, at any office: those counted against their
/// verified citizen ID, or, for an account that only claims an ID, the account's own
/// (see [`Appointment::booked_as_key`]). Runs inside the booking's write transaction,
/// after taking the requester's lock, so two parallel bookings cannot both pass.
fn within_active_cap(
    conn: &mut DbConn,
    ctx: &BookingContext,
    requester: &Requester,
    now: time::PrimitiveDateTime,
) -> Result<(), BookingError> {
    Appointment::lock_booker(conn, &requester.booked_as)?;
    let active = Appointment::count_active_of_booker(
        conn,
        &requester.booked_as,
        requester.user_id.as_ref(),
        now,
    )?;
    let limit = ctx.max_active_per_citizen;
    if active >= i64::from(limit) {
        return Err(BookingError::TooManyActive { limit });
    }
    Ok(())
}

/// Opens the certification requests of a checked-in appointment (see
/// [`crate::certification::store::open_for_appointment`]) inside the caller's transaction.
fn open_requests(
    conn: &mut DbConn,
    appointment: &Appointment,
    calendar: &OfficeCalendar,
    holidays: &HolidayCalendar,
    received_at: OffsetDateTime,
    clerk: &Actor,
    request_id: Option<&str>,
) -> Result<(), BookingError> {
    crate::certification::store::open_for_appointment(
        conn,
        appointment,
        calendar,
        holidays,
        received_at,
        clerk,
        request_id,
    )
    .map(|_| ())
    .map_err(|error| match error {
        CertificationError::Db(error) => BookingError::Db(error),
        CertificationError::ResultDate(error) => BookingError::ResultDate(error),
        other => BookingError::Internal(other.to_string()),
    })
}

/// The documents as stored: titles trimmed as in the fee estimate.
fn fee_documents(documents: &[DocumentRequest], fee: &FeeEstimate) -> Vec<DocumentRequest> {
    documents
        .iter()
        .zip(&fee.items)
        .map(|(document, line)| DocumentRequest {
            title: line.title.clone(),
            ..document.clone()
        })
        .collect()
}

/// Books a slot for a citizen: checks the documents and the calendar rules, then takes a
/// seat and records the appointment in one transaction. Refused with `slot_full` when the
/// database finds no seat left, with `duplicate_appointment` when the citizen already
/// holds an active appointment at the office that day, and with
/// `too_many_active_appointments` when the citizen ID already holds the configured number
/// of booked appointments, all offices together (walk-ins at the desk are not capped).
pub fn book(
    conn: &mut DbConn,
    ctx: &BookingContext,
    requester: &Requester,
    request: &BookingRequest,
    actor: Option<&Actor>,
    request_id: Option<&str>,
) -> Result<NewAppointment, BookingError> {
    fee_estimate(&request.documents)?;
    let (office, calendar) = office_and_calendar(conn, &request.office_id)?;
    is_bookable(
        &calendar,
        &ctx.holidays,
        request.slot_start,
        ctx.clock.now(),
    )?;
    let draft = Draft {
        office: &office,
        calendar: &calendar,
        requester,
        start: request.slot_start,
        received_at: request.slot_start,
        documents: &request.documents,
        walk_in_by: None,
    };
    create(conn, ctx, &draft, actor, request_id)
}

/// One appointment, as the caller may see it.
pub fn appointment(conn: &mut DbConn, access: Access<'_>) -> Result<AppointmentView, BookingError> {
    let found = access.load(conn)?;
    let (office, calendar) = office_and_calendar(conn, &found.office_id)?;
    AppointmentView::new(&found, &office, &calendar, access.audience())
}

/// The appointment as an iCalendar file (RFC 5545).
pub fn appointment_ics(
    conn: &mut DbConn,
    ctx: &BookingContext,
    access: Access<'_>,
) -> Result<String, BookingError> {
    let view = appointment(conn, access)?;
    Ok(render_ics(&view.calendar_event(ctx.clock.now())))
}

/// A citizen's appointments, latest first: see [`CitizenReader`].
pub fn my_appointments(
    conn: &mut DbConn,
    reader: &CitizenReader,
) -> Result<Vec<AppointmentView>, BookingError> {
    let rows = Appointment::visible_to(
        conn,
        &reader.actor.id,
        reader.verified_citizen_id.as_deref(),
        MAX_LISTED,
    )?;
    let mut offices: HashMap<OfficeId, (Office, OfficeCalendar)> = HashMap::new();
    let mut views = Vec::with_capacity(rows.len());
    for row in &rows {
        if !offices.contains_key(&row.office_id) {
            let (office, calendar) = office_and_calendar(conn, &row.office_id)?;
            offices.insert(row.office_id.clone(), (office, calendar));
        }
        if let Some((office, calendar)) = offices.get(&row.office_id) {
            views.push(AppointmentView::new(
                row,
                office,
                calendar,
                Audience::Owner,
            )?);
        }
    }
    Ok(views)
}

/// The audit action of a status change.
fn status_action(to: AppointmentStatus) -> &'static str {
    match to {
        AppointmentStatus::Booked => "appointment.book",
        AppointmentStatus::CheckedIn => "appointment.check_in",
        AppointmentStatus::InService => "appointment.start_service",
        AppointmentStatus::Done => "appointment.done",
        AppointmentStatus::Cancelled => "appointment.cancel",
        AppointmentStatus::NoShow => "appointment.no_show",
    }
}

/// Moves `appointment` to `to` if the rules allow it: who may make the move, the
/// citizen's cancellation cutoff, the no-show grace period, check-in on the day. The
/// change is conditional on the status read, gives the seat back when cancelling, and is
/// audited, all in one transaction.
pub(super) fn apply_status_change(
    conn: &mut DbConn,
    ctx: &BookingContext,
    appointment: &Appointment,
    calendar: &OfficeCalendar,
    to: AppointmentStatus,
    access: Access<'_>,
    request_id: Option<&str>,
) -> Result<(), BookingError> {
    let from = appointment.status();
    let by = access.status_actor();
    if !may_change_status(from, to, by) {
        return Err(BookingError::StatusChange { from, to });
    }
    let now = ctx.clock.now();
    let start = from_utc_primitive(appointment.slot_start);
    if by == StatusActor::Citizen && !calendar.may_cancel(start, now) {
        return Err(BookingError::CutoffPassed {
            deadline: calendar.cancellation_deadline(start).unwrap_or(start),
        });
    }
    if to == AppointmentStatus::NoShow {
        let after = calendar.no_show_after(start).unwrap_or(start);
        if now < after {
            return Err(BookingError::NoShowTooEarly { after });
        }
    }
    if to == AppointmentStatus::CheckedIn && local_date(now) != Some(appointment.local_date) {
        return Err(BookingError::NotToday {
            date: appointment.local_date,
        });
    }
    let at = stored_utc(now, "now")?;
    retry_transient(|| {
        write_transaction(conn, |conn| {
            let change = StatusChange {
                id: &appointment.id,
                from,
                to,
                at,
            };
            if !Appointment::change_status(conn, change)? {
                // Someone else moved it first: report the state it is in now.
                let current =
                    Appointment::find(conn, &appointment.id)?.map_or(from, |a| a.status());
                return Err(BookingError::StatusChange { from: current, to });
            }
            if releases_seat(to) {
                SlotCounter::release_seat(conn, &appointment.office_id, appointment.slot_start)?;
            }
            // Checking in opens one certification request per document.
            if to == AppointmentStatus::CheckedIn
                && let Some(clerk) = access.actor()
            {
                open_requests(
                    conn,
                    appointment,
                    calendar,
                    &ctx.holidays,
                    now,
                    clerk,
                    request_id,
                )?;
            }
            let event = AuditEvent {
                action: status_action(to),
                target: Some(appointment.id.to_string()),
                office_id: Some(appointment.office_id.clone()),
                detail: json!({ "from": from, "to": to, "via": access.via() }),
            };
            audit::record(conn, access.actor(), event, request_id)?;
            Ok(())
        })
    })
}

/// Cancels an appointment: by the citizen (signed in or by link) while booked and before
/// the cutoff; by the desk while not finished. The seat is given back.
pub fn cancel(
    conn: &mut DbConn,
    ctx: &BookingContext,
    access: Access<'_>,
    request_id: Option<&str>,
) -> Result<AppointmentView, BookingError> {
    let found = access.load(conn)?;
    let (office, calendar) = office_and_calendar(conn, &found.office_id)?;
    apply_status_change(
        conn,
        ctx,
        &found,
        &calendar,
        AppointmentStatus::Cancelled,
        access,
        request_id,
    )?;
    let updated = access.load(conn)?;
    AppointmentView::new(&updated, &office, &calendar, access.audience())
}

/// Moves a booked appointment to another slot of the same office, before the cutoff.
/// Atomic: in one transaction the new seat is taken first (refused with `slot_full` if
/// none is left, leaving everything as it was), then the appointment moves, then the old
/// seat is given back.
pub fn reschedule(
    conn: &mut DbConn,
    ctx: &BookingContext,
    access: Access<'_>,
    new_start: OffsetDateTime,
    request_id: Option<&str>,
) -> Result<AppointmentView, BookingError> {
    let found = access.load(conn)?;
    let (office, calendar) = office_and_calendar(conn, &found.office_id)?;
    let from = found.status();
    if from != AppointmentStatus::Booked {
        return Err(BookingError::StatusChange {
            from,
            to: AppointmentStatus::Booked,
        });
    }
    let now = ctx.clock.now();
    let old_start = from_utc_primitive(found.slot_start);
    if access.status_actor() == StatusActor::Citizen && !calendar.may_cancel(old_start, now) {
        return Err(BookingError::CutoffPassed {
            deadline: calendar
                .cancellation_deadline(old_start)
                .unwrap_or(old_start),
        });
    }
    is_bookable(&calendar, &ctx.holidays, new_start, now)?;
    let start_utc = stored_utc(new_start, "slot_start")?;
    if start_utc == found.slot_start {
        return Err(BookingError::SameSlot);
    }
    let pages = u64::try_from(found.certified_pages).unwrap_or(u64::MAX);
    let result_date = expected_result_date(&calendar, &ctx.holidays, new_start, pages)?;
    let movement = SlotMove {
        id: &found.id,
        from_start: found.slot_start,
        start: start_utc,
        end: stored_utc(new_start + calendar.slot_length(), "slot_start")?,
        local_date: local_date(new_start).ok_or(BookingError::InvalidField("slot_start"))?,
        expected_result_date: result_date,
        at: stored_utc(now, "now")?,
    };
    let capacity = i32::from(calendar.counters());
    retry_transient(|| {
        write_transaction(conn, |conn| {
            if !SlotCounter::take_seat(conn, &found.office_id, start_utc, capacity)? {
                return Err(BookingError::SlotFull);
            }
            if !Appointment::move_slot(conn, movement).map_err(classify_duplicate)? {
                let current = Appointment::find(conn, &found.id)?.map_or(from, |a| a.status());
                return Err(BookingError::StatusChange {
                    from: current,
                    to: AppointmentStatus::Booked,
                });
            }
            SlotCounter::release_seat(conn, &found.office_id, found.slot_start)?;
            let event = AuditEvent {
                action: "appointment.reschedule",
                target: Some(found.id.to_string()),
                office_id: Some(found.office_id.clone()),
                detail: json!({
                    "from": rfc3339(old_start),
                    "to": rfc3339(new_start),
                    "via": access.via(),
                }),
            };
            audit::record(conn, access.actor(), event, request_id)?;
            Ok(())
        })
    })?;
    let updated = access.load(conn)?;
    AppointmentView::new(&updated, &office, &calendar, access.audience())
}

/// Parses a booking code as typed or scanned at the desk.
pub(super) fn parse_code(code: &str) -> Result<BookingCode, BookingError> {
    Ok(BookingCode::from_str(code)?)
}
