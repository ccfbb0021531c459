use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::ids::{AppointmentId, OfficeId, UserId};
use crate::db::schema::appointments;
use crate::db::{DbConn, DbResult};

/// Life of an appointment: `booked → checked_in → in_service → done`, or `cancelled`
/// (by the citizen before the cutoff, or at the desk) or `no_show` (after the grace
/// period). Which moves are allowed is decided in `booking::status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    /// Seat reserved, citizen not yet at the office.
    Booked,
    /// The citizen arrived and was checked in at the desk.
    CheckedIn,
    /// A clerk is receiving the documents.
    InService,
    /// Received; the request continues in intake.
    Done,
    /// Cancelled; the seat was given back.
    Cancelled,
    /// The citizen did not come within the grace period.
    NoShow,
}

impl AppointmentStatus {
    /// Every status, in life order.
    pub const ALL: [AppointmentStatus; 6] = [
        AppointmentStatus::Booked,
        AppointmentStatus::CheckedIn,
        AppointmentStatus::InService,
        AppointmentStatus::Done,
        AppointmentStatus::Cancelled,
        AppointmentStatus::NoShow,
    ];

    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::CheckedIn => "checked_in",
            AppointmentStatus::InService => "in_service",
            AppointmentStatus::Done => "done",
            AppointmentStatus::Cancelled => "cancelled",
            AppointmentStatus::NoShow => "no_show",
        }
    }

    /// Parses the stored form.
    pub fn parse(text: &str) -> Option<AppointmentStatus> {
        AppointmentStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
    }

    /// Active appointments count for the one-per-citizen-per-office-per-day rule (the
    /// partial unique index `appointments_one_active_per_day` lists the same statuses).
    pub fn is_active(self) -> bool {
        matches!(
            self,
            AppointmentStatus::Booked | AppointmentStatus::CheckedIn | AppointmentStatus::InService
        )
    }
}

/// An appointment row.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = appointments)]
pub struct Appointment {
    /// Appointment id.
    pub id: AppointmentId,
    /// Booking code, compact form (`K7QM3XPA`).
    pub booking_code: String,
    /// The office.
    pub office_id: OfficeId,
    /// The citizen's account (none for a walk-in without one).
    pub user_id: Option<UserId>,
    /// Requester's full name.
    pub requester_name: String,
    /// Requester's citizen ID number (12 digits).
    pub requester_citizen_id: String,
    /// Slot start (UTC).
    pub slot_start: time::PrimitiveDateTime,
    /// Slot end (UTC, exclusive).
    pub slot_end: time::PrimitiveDateTime,
    /// Local (Asia/Ho_Chi_Minh) date of the slot.
    pub local_date: time::Date,
    /// Stored [`AppointmentStatus`].
    pub status: String,
    /// Created at the desk for a citizen who came without booking.
    pub walk_in: bool,
    /// The documents to certify, JSON array of `{title, pages, copies}`.
    pub documents: String,
    /// Fee estimate, VND (Circular 226/2016/TT-BTC).
    pub fee_total_vnd: i64,
    /// Pages certified in all (Σ pages × copies).
    pub certified_pages: i64,
    /// Local date the copies are expected (Decree 23/2015/NĐ-CP, Art. 7 and 21).
    pub expected_result_date: time::Date,
    /// SHA-256 of the secret manage-link token.
    pub manage_token_hash: String,
    /// Incremented on every change (the iCalendar SEQUENCE).
    pub revision: i32,
    /// Clerk who created a walk-in.
    pub created_by: Option<UserId>,
    /// Creation time (UTC).
    pub created_at: time::PrimitiveDateTime,
    /// Last change (UTC).
    pub updated_at: time::PrimitiveDateTime,
    /// Check-in time (UTC).
    pub checked_in_at: Option<time::PrimitiveDateTime>,
    /// Whom the booking limits count it against (see [`Appointment::booked_as_key`]).
    pub booked_as: String,
}

impl Appointment {
    /// The status. Rows are written only through [`AppointmentStatus::as_str`] and the
    /// column has a CHECK constraint; an unknown value (a corrupted row) reads as
    /// cancelled, which no operation acts on.
    pub fn status(&self) -> AppointmentStatus {
        AppointmentStatus::parse(&self.status).unwrap_or(AppointmentStatus::Cancelled)
    }
}

/// Which appointment a status change targets and the state it must still be in.
#[derive(Debug, Clone, Copy)]
pub struct StatusChange<'a> {
    /// The appointment.
    pub id: &'a AppointmentId,
    /// Expected current status.
    pub from: AppointmentStatus,
    /// New status.
    pub to: AppointmentStatus,
    /// Change time (UTC).
    pub at: time::PrimitiveDateTime,
}

/// A new slot for an appointment (reschedule).
#[derive(Debug, Clone, Copy)]
pub struct SlotMove<'a> {
    /// The appointment.
    pub id: &'a AppointmentId,
    /// Slot it must still hold (UTC).
    pub from_start: time::PrimitiveDateTime,
    /// New start (UTC).
    pub start: time::PrimitiveDateTime,
    /// New end (UTC).
    pub end: time::PrimitiveDateTime,
    /// New local date.
    pub local_date: time::Date,
    /// New expected result date.
    pub expected_result_date: time::Date,
    /// Change time (UTC).
    pub at: time::PrimitiveDateTime,
}

impl Appointment {
    /// Inserts the appointment. The unique constraints refuse a second active appointment
    /// of the same citizen at the same office on the same day, and a duplicate booking
    /// code ([`crate::db::DbError::Duplicate`] names which).
    pub fn insert(&self, conn: &mut DbConn) -> DbResult<()> {
        diesel::insert_into(appointments::table)
            .values(self)
            .execute(conn)?;
        Ok(())
    }

    /// Makes concurrent bookings for one citizen ID wait for each other until the end of
    /// the transaction, so a count followed by an insert cannot be interleaved: on
    /// PostgreSQL a transaction-scoped advisory lock keyed by the ID; on SQLite the write
    /// transaction already holds the database.
    pub fn lock_booker(conn: &mut DbConn, booked_as: &str) -> DbResult<()> {
        /// First key of the advisory lock: the class "appointments of a citizen".
        const CITIZEN_LOCK_CLASS: i32 = 7301;
        if let DbConn::Pg(pg) = conn {
            diesel::sql_query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
                .bind::<diesel::sql_types::Integer, _>(CITIZEN_LOCK_CLASS)
                .bind::<diesel::sql_types::Text, _>(booked_as)
                .execute(pg)?;
        }
        Ok(())
    }

    /// Whom the booking limits (the cap on active appointments, one per office and day)
    /// count an appointment against: the citizen ID when it is proven (a verified account,
    /// or a walk-in whose card the clerk saw), otherwise the account alone, so that an
    /// account merely claiming an ID cannot use up the real holder's bookings.
    pub fn booked_as_key(verified_citizen_id: Option<&str>, account: Option<&UserId>) -> String {
        match (verified_citizen_id, account) {
            (Some(citizen_id), _) => format!("id:{citizen_id}"),
            (None, Some(account)) => format!("account:{account}"),
            (None, None) => "account:".to_owned(),
        }
    }

    /// Booked appointments, at any office, whose slot has not ended by `now` (UTC), counted
    /// against `booked_as` or made by `account` (the account's own bookings from before
    /// its ID was verified).
    pub fn count_active_of_booker(
        conn: &mut DbConn,
        booked_as: &str,
        account: Option<&UserId>,
        now: time::PrimitiveDateTime,
    ) -> DbResult<i64> {
        let own = appointments::booked_as.eq(booked_as);
        let query = appointments::table.into_boxed();
        let query = match account {
            Some(account) => query.filter(own.or(appointments::user_id.eq(account))),
            None => query.filter(own),
        };
        Ok(query
            .filter(appointments::status.eq(AppointmentStatus::Booked.as_str()))
            .filter(appointments::slot_end.gt(now))
            .count()
            .get_result(conn)?)
    }

    /// Finds an appointment by id.
    pub fn find(conn: &mut DbConn, id: &AppointmentId) -> DbResult<Option<Appointment>> {
        Ok(appointments::table
            .find(id)
            .select(Appointment::as_select())
            .first(conn)
            .optional()?)
    }

    /// Finds an appointment by its compact booking code.
    pub fn find_by_code(conn: &mut DbConn, code: &str) -> DbResult<Option<Appointment>> {
        Ok(appointments::table
            .filter(appointments::booking_code.eq(code))
            .select(Appointment::as_select())
            .first(conn)
            .optional()?)
    }

    /// Finds an appointment by the SHA-256 of its manage-link token.
    pub fn find_by_token_hash(conn: &mut DbConn, hash: &str) -> DbResult<Option<Appointment>> {
        Ok(appointments::table
            .filter(appointments::manage_token_hash.eq(hash))
            .select(Appointment::as_select())
            .first(conn)
            .optional()?)
    }

    /// What a signed-in citizen may see, latest slot first: the appointments the account
    /// booked itself (not walk-ins), and, when `verified_citizen_id` is given, every
    /// appointment kept under that ID.
    pub fn visible_to(
        conn: &mut DbConn,
        user_id: &UserId,
        verified_citizen_id: Option<&str>,
        limit: i64,
    ) -> DbResult<Vec<Appointment>> {
        let booked_by_account = appointments::user_id
            .eq(user_id)
            .and(appointments::walk_in.eq(false));
        let query = appointments::table
            .order(appointments::slot_start.desc())
            .limit(limit)
            .select(Appointment::as_select());
        Ok(match verified_citizen_id {
            Some(citizen_id) => query
                .filter(booked_by_account.or(appointments::requester_citizen_id.eq(citizen_id)))
                .load(conn)?,
            None => query.filter(booked_by_account).load(conn)?,
        })
    }

    /// An office's appointments on one local date, by slot.
    pub fn of_office_on(
        conn: &mut DbConn,
        office_id: &OfficeId,
        local_date: time::Date,
    ) -> DbResult<Vec<Appointment>> {
        Ok(appointments::table
            .filter(appointments::office_id.eq(office_id))
            .filter(appointments::local_date.eq(local_date))
            .order((
                appointments::slot_start.asc(),
                appointments::created_at.asc(),
            ))
            .select(Appointment::as_select())
            .load(conn)?)
    }

    /// Every appointment of an office (for consistency checks).
    pub fn all_of_office(conn: &mut DbConn, office_id: &OfficeId) -> DbResult<Vec<Appointment>> {
        Ok(appointments::table
            .filter(appointments::office_id.eq(office_id))
            .order(appointments::slot_start.asc())
            .select(Appointment::as_select())
            .load(conn)?)
    }

    /// Applies a status change if the appointment is still in `change.from`; returns
    /// whether it was applied. Sets `checked_in_at` when checking in.
    pub fn change_status(conn: &mut DbConn, change: StatusChange<'_>) -> DbResult<bool> {
        let target = appointments::table
            .filter(appointments::id.eq(change.id))
            .filter(appointments::status.eq(change.from.as_str()));
        let status = (
            appointments::status.eq(change.to.as_str()),
            appointments::revision.eq(appointments::revision + 1),
            appointments::updated_at.eq(change.at),
        );
        let changed = if change.to == AppointmentStatus::CheckedIn {
            diesel::update(target)
                .set((status, appointments::checked_in_at.eq(Some(change.at))))
                .execute(conn)?
        } else {
            diesel::update(target).set(status).execute(conn)?
        };
        Ok(changed == 1)
    }

    /// Moves a `booked` appointment that still holds `from_start` to a new slot; returns
    /// whether it was moved.
    pub fn move_slot(conn: &mut DbConn, change: SlotMove<'_>) -> DbResult<bool> {
        let target = appointments::table
            .filter(appointments::id.eq(change.id))
            .filter(appointments::status.eq(AppointmentStatus::Booked.as_str()))
            .filter(appointments::slot_start.eq(change.from_start));
        let changed = diesel::update(target)
            .set((
                appointments::slot_start.eq(change.start),
                appointments::slot_end.eq(change.end),
                appointments::local_date.eq(change.local_date),
                appointments::expected_result_date.eq(change.expected_result_date),
                appointments::revision.eq(appointments::revision + 1),
                appointments::updated_at.eq(change.at),
            ))
            .execute(conn)?;
        Ok(changed == 1)
    }
}
