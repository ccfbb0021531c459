//! What one local date is for one office: open (with which hours), a national day off, an
//! office closure, a weekly day off, or unknown because no holiday data covers it.
//!
//! Slots, bookability and result dates all ask this one function, so they cannot disagree.

use time::Date;

use super::calendar::{Closure, OfficeCalendar, OpeningInterval};
use super::holidays::{DayOff, HolidayCalendar};

/// The status of a local date for an office.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayStatus<'a> {
    /// The office receives requests during `intervals` (never empty).
    Open {
        /// Opening intervals of the day, local time.
        intervals: &'a [OpeningInterval],
        /// On a make-up working day, the weekday it replaces (whose hours apply).
        make_up_for: Option<Date>,
    },
    /// A national day off (Labour Code 2019, Art. 111–112, and the yearly announcement).
    Holiday(&'a DayOff),
    /// An ad-hoc closure of this office.
    Closure(&'a Closure),
    /// The office has no hours on this weekday.
    WeeklyDayOff,
    /// No holiday data is loaded for the year: treated as closed (fail closed).
    NoHolidayData {
        /// The uncovered year.
        year: i32,
    },
}

/// The status of `date` for the office of `calendar`.
///
/// Precedence: missing holiday data, national day off, office closure, make-up working day
/// (the hours of the weekday it replaces), the regular weekly hours.
pub fn day_status<'a>(
    calendar: &'a OfficeCalendar,
    holidays: &'a HolidayCalendar,
    date: Date,
) -> DayStatus<'a> {
    if !holidays.covers(date.year()) {
        return DayStatus::NoHolidayData { year: date.year() };
    }
    if let Some(day_off) = holidays.day_off(date) {
        return DayStatus::Holiday(day_off);
    }
    if let Some(closure) = calendar.closure_on(date) {
        return DayStatus::Closure(closure);
    }
    let (hours_of, make_up_for) = match holidays.make_up_working_day(date) {
        Some(make_up) => (make_up.replaces, Some(make_up.replaces)),
        None => (date, None),
    };
    let intervals = calendar.opening_hours(hours_of.weekday());
    if intervals.is_empty() {
        DayStatus::WeeklyDayOff
    } else {
        DayStatus::Open {
            intervals,
            make_up_for,
        }
    }
}
