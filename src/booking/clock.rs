//! The booking rules' notion of "now", and what the stateful booking operations share.
//!
//! Every rule that depends on the time (minimum notice, horizon, cancellation cutoff,
//! no-show grace, "today" at the desk) asks [`Clock::now`], never the system clock
//! directly, so tests and demonstrations can set the time ([`Clock::freeze`]). A service
//! never freezes its clock; it reads the system time.

use std::sync::{Arc, RwLock};

use time::{Duration, OffsetDateTime};

use super::holidays::HolidayCalendar;

/// The current time for booking rules: the system clock unless frozen. Cheap to clone;
/// clones share the frozen time.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    frozen: Arc<RwLock<Option<OffsetDateTime>>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// The current instant.
    pub fn now(&self) -> OffsetDateTime {
        let frozen = self.frozen.read().map(|guard| *guard).unwrap_or(None);
        frozen.unwrap_or_else(OffsetDateTime::now_utc)
    }

    /// Stops the clock at `at` (tests, demonstrations).
    pub fn freeze(&self, at: OffsetDateTime) {
        if let Ok(mut guard) = self.frozen.write() {
            *guard = Some(at);
        }
    }

    /// Moves a frozen clock forward (or back, with a negative duration); a running clock
    /// is frozen at its current time first.
    pub fn advance(&self, by: Duration) {
        let now = self.now();
        self.freeze(now + by);
    }

    /// Returns to the system time.
    pub fn resume(&self) {
        if let Ok(mut guard) = self.frozen.write() {
            *guard = None;
        }
    }
}

/// Active appointments per citizen unless configured otherwise.
pub const DEFAULT_MAX_ACTIVE_PER_CITIZEN: u32 = 3;

/// What the stateful booking operations need besides a database connection: the public
/// holiday data (parsed once at start) and the clock. Cheap to clone.
#[derive(Debug, Clone)]
pub struct BookingContext {
    /// National days off and make-up working days.
    pub holidays: Arc<HolidayCalendar>,
    /// "Now" for every time rule.
    pub clock: Clock,
    /// Booked appointments one citizen ID may hold at once, all offices together.
    pub max_active_per_citizen: u32,
}

impl BookingContext {
    /// The embedded holiday data, the system clock and the default cap of
    /// [`DEFAULT_MAX_ACTIVE_PER_CITIZEN`] active appointments per citizen.
    pub fn new() -> BookingContext {
        BookingContext {
            holidays: Arc::new(HolidayCalendar::embedded()),
            clock: Clock::system(),
            max_active_per_citizen: DEFAULT_MAX_ACTIVE_PER_CITIZEN,
        }
    }
}

impl Default for BookingContext {
    fn default() -> Self {
        BookingContext::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn frozen_clock_is_shared_by_clones_and_resumes() {
        let clock = Clock::system();
        let shared = clock.clone();
        clock.freeze(datetime!(2026-03-02 06:00 +7));
        assert_eq!(shared.now(), datetime!(2026-03-02 06:00 +7));
        shared.advance(Duration::hours(2));
        assert_eq!(clock.now(), datetime!(2026-03-02 08:00 +7));
        clock.resume();
        assert!(shared.now() > datetime!(2026-03-02 08:00 +7));
    }
}
