use diesel::dsl::exists;
use diesel::prelude::*;

use crate::db::ids::OfficeId;
use crate::db::schema::slot_counters;
use crate::db::{DbConn, DbError, DbResult};

/// How many appointments hold a seat in one slot of one office. `booked` counts the
/// slot's appointments that are not cancelled; a CHECK keeps it at or below `capacity`.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = slot_counters)]
pub struct SlotCounter {
    /// The office.
    pub office_id: OfficeId,
    /// Slot start (UTC).
    pub slot_start: time::PrimitiveDateTime,
    /// Seats at the last booking (the office's counters then).
    pub capacity: i32,
    /// Seats taken.
    pub booked: i32,
}

impl SlotCounter {
    /// Takes one seat of the slot if fewer than `capacity` are taken, in one conditional
    /// `UPDATE … SET booked = booked + 1 WHERE … AND booked < capacity`: the database
    /// decides, so concurrent bookings (threads, processes, servers) can never overbook.
    /// Returns whether a seat was taken. The counter row is created on first use.
    ///
    /// Call inside the write transaction that also records the appointment, so the seat
    /// and the appointment commit or roll back together.
    pub fn take_seat(
        conn: &mut DbConn,
        office_id: &OfficeId,
        slot_start: time::PrimitiveDateTime,
        capacity: i32,
    ) -> DbResult<bool> {
        crate::booking::store::seats_changed();
        for first_attempt in [true, false] {
            let taken = diesel::update(slot_counters::table.find((office_id, slot_start)))
                .filter(slot_counters::booked.lt(capacity))
                .set((
                    slot_counters::booked.eq(slot_counters::booked + 1),
                    slot_counters::capacity.eq(capacity),
                ))
                .execute(conn)?;
            if taken == 1 {
                return Ok(true);
            }
            if !first_attempt || Self::exists(conn, office_id, slot_start)? {
                return Ok(false);
            }
            // First booking of this slot: create the row in a savepoint. A concurrent
            // first booking may win the insert; its duplicate is ignored and the update
            // above is tried once more against the row it created.
            let created = conn.transaction(|conn| {
                diesel::insert_into(slot_counters::table)
                    .values(SlotCounter {
                        office_id: office_id.clone(),
                        slot_start,
                        capacity,
                        booked: 0,
                    })
                    .execute(conn)
            });
            match created.map_err(DbError::from) {
                Ok(_) | Err(DbError::Duplicate { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(false)
    }

    /// Gives a seat back (cancellation, or the old slot of a reschedule). Conditional on
    /// a seat being taken; returns whether one was released. Call inside the transaction
    /// that changes the appointment.
    pub fn release_seat(
        conn: &mut DbConn,
        office_id: &OfficeId,
        slot_start: time::PrimitiveDateTime,
    ) -> DbResult<bool> {
        crate::booking::store::seats_changed();
        let released = diesel::update(slot_counters::table.find((office_id, slot_start)))
            .filter(slot_counters::booked.gt(0))
            .set(slot_counters::booked.eq(slot_counters::booked - 1))
            .execute(conn)?;
        Ok(released == 1)
    }

    /// Whether the slot's counter row exists.
    fn exists(
        conn: &mut DbConn,
        office_id: &OfficeId,
        slot_start: time::PrimitiveDateTime,
    ) -> DbResult<bool> {
        Ok(
            diesel::select(exists(slot_counters::table.find((office_id, slot_start))))
                .get_result(conn)?,
        )
    }

    /// The counters of an office's slots starting in `[from, to)` (UTC).
    pub fn in_range(
        conn: &mut DbConn,
        office_id: &OfficeId,
        from: time::PrimitiveDateTime,
        to: time::PrimitiveDateTime,
    ) -> DbResult<Vec<SlotCounter>> {
        Ok(slot_counters::table
            .filter(slot_counters::office_id.eq(office_id))
            .filter(slot_counters::slot_start.ge(from))
            .filter(slot_counters::slot_start.lt(to))
            .order(slot_counters::slot_start.asc())
            .select(SlotCounter::as_select())
            .load(conn)?)
    }

    /// Every counter of an office (for consistency checks).
    pub fn all_of_office(conn: &mut DbConn, office_id: &OfficeId) -> DbResult<Vec<SlotCounter>> {
        Ok(slot_counters::table
            .filter(slot_counters::office_id.eq(office_id))
            .order(slot_counters::slot_start.asc())
            .select(SlotCounter::as_select())
            .load(conn)?)
    }
}
