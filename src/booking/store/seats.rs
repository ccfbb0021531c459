//! A consistency report on an office's seats, for operators, load tests and tests: every
//! slot counter must be within its capacity and equal to the number of the slot's
//! appointments that hold a seat (all but the cancelled ones).

use std::collections::BTreeMap;

use serde::Serialize;
use time::PrimitiveDateTime;

use crate::booking::error::BookingError;
use crate::db::DbConn;
use crate::db::ids::OfficeId;
use crate::db::models::{Appointment, AppointmentStatus, SlotCounter};

/// What [`seat_report`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeatReport {
    /// Appointments of the office, any status.
    pub appointments: usize,
    /// Appointments holding a seat (not cancelled).
    pub seats_held: usize,
    /// Slots with a counter row.
    pub slots_used: usize,
    /// Most seats taken in one slot.
    pub fullest_slot: i32,
    /// Slots whose counter exceeds its capacity (the database's CHECK forbids it).
    pub overbooked_slots: usize,
    /// Slots whose counter differs from the appointments holding a seat in it.
    pub mismatched_slots: usize,
}

impl SeatReport {
    /// No overbooking and every counter agrees with the appointments.
    pub fn is_consistent(&self) -> bool {
        self.overbooked_slots == 0 && self.mismatched_slots == 0
    }
}

/// Compares an office's slot counters with its appointments.
pub fn seat_report(conn: &mut DbConn, office_id: &OfficeId) -> Result<SeatReport, BookingError> {
    let counters = SlotCounter::all_of_office(conn, office_id)?;
    let appointments = Appointment::all_of_office(conn, office_id)?;
    // Per slot: (counter, seats held by appointments).
    let mut slots: BTreeMap<PrimitiveDateTime, (Option<&SlotCounter>, i32)> = BTreeMap::new();
    for counter in &counters {
        slots.entry(counter.slot_start).or_default().0 = Some(counter);
    }
    let mut seats_held = 0;
    for appointment in &appointments {
        if appointment.status() != AppointmentStatus::Cancelled {
            slots.entry(appointment.slot_start).or_default().1 += 1;
            seats_held += 1;
        }
    }
    let booked = |counter: Option<&SlotCounter>| counter.map_or(0, |c| c.booked);
    Ok(SeatReport {
        appointments: appointments.len(),
        seats_held,
        slots_used: counters.len(),
        fullest_slot: counters.iter().map(|c| c.booked).max().unwrap_or(0),
        overbooked_slots: counters.iter().filter(|c| c.booked > c.capacity).count(),
        mismatched_slots: slots
            .values()
            .filter(|(counter, held)| booked(*counter) != *held)
            .count(),
    })
}
