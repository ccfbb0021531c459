//! The date the certified copies will be ready (Decree 23/2015/NĐ-CP, Art. 7 and 21).
//!
//! Art. 7: the request is settled the same working day it is received, or the next working
//! day when received after 15:00. Art. 21: up to 2 more working days when many documents,
//! many pages or many copies are asked at once; the citizen gets a slip with the date.
//!
//! Decisions where the rules are silent:
//! - "after 15:00" is strict: received at 15:00:00 exactly is same-day; 15:00:01 is not.
//! - "many" is measured as certified pages (Σ pages × copies) above the office's
//!   `large_request_page_threshold`; above it the full 2 days are added.
//! - A working day is a Monday–Friday on which the office has opening hours, or an official
//!   make-up Saturday, and is neither a national day off nor an office closure. A regular
//!   Saturday-morning opening is *not* a working day for time limits: state bodies work a
//!   Monday–Friday week (Decision 188/1999/QĐ-TTg), and Saturday reception only receives.
//!   A request received on a day that is not a working day counts from the next one.
//! - Years without holiday data are an error, never guessed.

use time::macros::time;
use time::{Date, OffsetDateTime, Time, Weekday};

use super::calendar::OfficeCalendar;
use super::day_status::{DayStatus, day_status};
use super::holidays::HolidayCalendar;
use crate::error::{PublicError, UserFacing};
use crate::local_time::date_dmy;
use crate::local_time::to_local;

/// Requests received after this local time are settled the next working day (Art. 7).
pub const SAME_DAY_CUTOFF: Time = time!(15:00);
/// Extra working days for large requests (Art. 21).
pub const LARGE_REQUEST_EXTRA_WORKING_DAYS: u32 = 2;
/// How far [`next_working_day`] searches before giving up.
pub const MAX_WORKING_DAY_SEARCH_DAYS: u32 = 366;

/// Whether `date` is a working day of the office for time limits (see the module doc).
pub fn is_working_day(
    calendar: &OfficeCalendar,
    holidays: &HolidayCalendar,
    date: Date,
) -> Result<bool, ResultDateError> {
    match day_status(calendar, holidays, date) {
        DayStatus::Open {
            make_up_for: Some(_),
            ..
        } => Ok(true),
        DayStatus::Open {
            make_up_for: None, ..
        } => Ok(!matches!(
            date.weekday(),
            Weekday::Saturday | Weekday::Sunday
        )),
        DayStatus::NoHolidayData { year } => Err(ResultDateError::NoHolidayData { year }),
        DayStatus::Holiday(_) | DayStatus::Closure(_) | DayStatus::WeeklyDayOff => Ok(false),
    }
}

/// The first working day strictly after `date`.
pub fn next_working_day(
    calendar: &OfficeCalendar,
    holidays: &HolidayCalendar,
    date: Date,
) -> Result<Date, ResultDateError> {
    let mut candidate = date;
    for _ in 0..MAX_WORKING_DAY_SEARCH_DAYS {
        candidate = candidate.next_day().ok_or(ResultDateError::OutOfRange)?;
        if is_working_day(calendar, holidays, candidate)? {
            return Ok(candidate);
        }
    }
    Err(ResultDateError::NoWorkingDay {
        after: date,
        within_days: MAX_WORKING_DAY_SEARCH_DAYS,
    })
}

/// Whether a request of `certified_pages` (Σ pages × copies) gets the Art. 21 extension.
pub fn is_large_request(calendar: &OfficeCalendar, certified_pages: u64) -> bool {
    certified_pages > u64::from(calendar.large_request_page_threshold())
}

/// The local date the result is due for a request received at `received_at` (usually the
/// appointment's start) certifying `certified_pages` pages in all.
pub fn expected_result_date(
    calendar: &OfficeCalendar,
    holidays: &HolidayCalendar,
    received_at: OffsetDateTime,
    certified_pages: u64,
) -> Result<Date, ResultDateError> {
    let local = to_local(received_at).ok_or(ResultDateError::OutOfRange)?;
    let received_on = local.date();
    let mut due =
        if local.time() <= SAME_DAY_CUTOFF && is_working_day(calendar, holidays, received_on)? {
            received_on
        } else {
            next_working_day(calendar, holidays, received_on)?
        };
    if is_large_request(calendar, certified_pages) {
        for _ in 0..LARGE_REQUEST_EXTRA_WORKING_DAYS {
            due = next_working_day(calendar, holidays, due)?;
        }
    }
    Ok(due)
}

/// Why no result date could be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResultDateError {
    /// The count crosses into a year without holiday data.
    #[error("no public holiday data for {year}")]
    NoHolidayData {
        /// The uncovered year.
        year: i32,
    },
    /// No working day found (the office closed for a whole year).
    #[error("no working day within {within_days} days after {after}")]
    NoWorkingDay {
        /// Start of the search.
        after: Date,
        /// Days searched.
        within_days: u32,
    },
    /// Outside the representable date range.
    #[error("the date is outside the supported range")]
    OutOfRange,
}

impl UserFacing for ResultDateError {
    fn public(&self) -> PublicError {
        match self {
            Self::NoHolidayData { year } => PublicError::new(
                422,
                "no_holiday_data",
                {
                    format!(
                        "Chưa có lịch nghỉ lễ, tết năm {year} nên chưa xác định được ngày trả kết quả."
                    )
                },
                format!(
                    "The public holiday calendar for {year} is not loaded, so the result date cannot be set."
                ),
            ),
            Self::NoWorkingDay { after, within_days } => PublicError::new(
                422,
                "no_working_day",
                format!(
                    "Không có ngày làm việc nào trong {within_days} ngày sau {}.",
                    date_dmy(*after)
                ),
                {
                    format!(
                        "No working day within {within_days} days after {}.",
                        date_dmy(*after)
                    )
                },
            ),
            Self::OutOfRange => PublicError::new(
                422,
                "date_out_of_range",
                "Ngày nằm ngoài phạm vi hỗ trợ.".to_owned(),
                "The date is outside the supported range.".to_owned(),
            ),
        }
    }
}

#[cfg(test)]
#[rustfmt::skip::macros(date)]
mod tests {
    use super::*;
    use crate::booking::calendar::{Closure, OfficeCalendarConfig};
    use time::macros::{date, datetime};

    fn due(received_at: OffsetDateTime, pages: u64) -> Result<Date, ResultDateError> {
        expected_result_date(
            &OfficeCalendar::default(),
            &HolidayCalendar::embedded(),
            received_at,
            pages,
        )
    }

    #[test]
    fn same_day_until_15_00() {
        assert_eq!(
            due(datetime!(2026-03-03 08:00 +7), 2),
            Ok(date!(2026-03-03))
        );
        assert_eq!(
            due(datetime!(2026-03-03 15:00 +7), 2),
            Ok(date!(2026-03-03))
        );
        // The same instant in UTC.
        assert_eq!(
            due(datetime!(2026-03-03 08:00 UTC), 2),
            Ok(date!(2026-03-03))
        );
    }

    #[test]
    fn after_15_00_is_next_working_day() {
        assert_eq!(
            due(datetime!(2026-03-03 15:15 +7), 2),
            Ok(date!(2026-03-04))
        );
        assert_eq!(
            due(datetime!(2026-03-03 15:00:01 +7), 2),
            Ok(date!(2026-03-04))
        );
        // Friday afternoon → Monday.
        assert_eq!(
            due(datetime!(2026-03-06 16:00 +7), 2),
            Ok(date!(2026-03-09))
        );
        // Wednesday 29/04/2026 afternoon: 30/04 and 01/05 are holidays, then a weekend.
        assert_eq!(
            due(datetime!(2026-04-29 15:30 +7), 2),
            Ok(date!(2026-05-04))
        );
    }

    #[test]
    fn large_requests_get_two_more_working_days() {
        // Threshold 50: 50 pages is not large, 51 is.
        assert_eq!(
            due(datetime!(2026-03-03 09:00 +7), 50),
            Ok(date!(2026-03-03))
        );
        assert_eq!(
            due(datetime!(2026-03-03 09:00 +7), 51),
            Ok(date!(2026-03-05))
        );
        // Thursday morning + 2 skips the weekend → Monday.
        assert_eq!(
            due(datetime!(2026-03-05 09:00 +7), 51),
            Ok(date!(2026-03-09))
        );
        // Thursday after 15:00 → Friday, + 2 → Tuesday.
        assert_eq!(
            due(datetime!(2026-03-05 16:00 +7), 51),
            Ok(date!(2026-03-10))
        );
        // Friday 24/04/2026: skips the weekend and Monday 27/04 (Hùng Kings compensatory day).
        assert_eq!(
            due(datetime!(2026-04-24 09:00 +7), 100),
            Ok(date!(2026-04-29))
        );
        // Thursday 12/02/2026 + 2 skips the whole Tết break (14–22/02).
        assert_eq!(
            due(datetime!(2026-02-12 09:00 +7), 100),
            Ok(date!(2026-02-23))
        );
    }

    #[test]
    fn closures_and_make_up_days_count_correctly() {
        let config = OfficeCalendarConfig {
            closures: vec![Closure {
                date: date!(2026-03-04),
                reason: None,
            }],
            ..Default::default()
        };
        let calendar = OfficeCalendar::new(config).expect("valid");
        let holidays = HolidayCalendar::embedded();
        let due = expected_result_date(&calendar, &holidays, datetime!(2026-03-03 16:00 +7), 1);
        assert_eq!(due, Ok(date!(2026-03-05)));
        // Make-up Saturday 22/08/2026 is a working day: Friday afternoon → Saturday.
        let due = expected_result_date(
            &OfficeCalendar::default(),
            &holidays,
            datetime!(2026-08-21 16:00 +7),
            1,
        );
        assert_eq!(due, Ok(date!(2026-08-22)));
        assert_eq!(
            is_working_day(&OfficeCalendar::default(), &holidays, date!(2026-08-31)),
            Ok(false)
        );
    }

    #[test]
    fn saturday_reception_counts_from_the_next_working_day() {
        let calendar = OfficeCalendar::new(OfficeCalendarConfig::default().with_saturday_morning())
            .expect("valid");
        let holidays = HolidayCalendar::embedded();
        assert_eq!(
            is_working_day(&calendar, &holidays, date!(2026-03-07)),
            Ok(false)
        );
        let due = expected_result_date(&calendar, &holidays, datetime!(2026-03-07 08:00 +7), 1);
        assert_eq!(due, Ok(date!(2026-03-09)));
    }

    #[test]
    fn missing_holiday_data_is_an_error() {
        assert_eq!(
            due(datetime!(2027-12-31 16:00 +7), 1),
            Err(ResultDateError::NoHolidayData { year: 2028 })
        );
        assert_eq!(
            due(datetime!(2025-06-02 09:00 +7), 1),
            Err(ResultDateError::NoHolidayData { year: 2025 })
        );
        assert!(due(time::PrimitiveDateTime::MAX.assume_utc(), 1).is_err());
    }
}
