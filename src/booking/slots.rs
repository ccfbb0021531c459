//! Appointment slots: which start times an office offers, and whether one start time may be
//! booked now.
//!
//! Both functions share one rule set, so every slot [`slots`] lists passes [`is_bookable`]
//! and every start time [`is_bookable`] accepts is listed:
//! - not in the past, and at least the minimum notice ahead of `now`;
//! - on a local date no later than today + the booking horizon (whole days, inclusive);
//! - on a day the office is open ([`day_status`]): not a national day off, not an office
//!   closure, not a weekly day off, and in a year with holiday data (fail closed);
//! - on the slot grid of an opening interval: breaks and after-hours never hold a slot.
//!
//! Capacity is the calendar's counter count; the database subtracts bookings under its own
//! constraint (docs/ARCHITECTURE.md §4).

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};

use super::calendar::{OfficeCalendar, OpeningInterval, minute_of_day};
use super::day_status::{DayStatus, day_status};
use super::holidays::HolidayCalendar;
use super::message::{minutes_en, minutes_vi, weekday_vi};
use crate::error::{PublicError, UserFacing};
use crate::local_time::date_dmy;
use crate::local_time::serde_formats::{iso_date, utc_timestamp};
use crate::local_time::{
    from_utc_primitive, local_date, local_to_instant, to_local, to_utc_primitive, utc_to_local,
};

/// Longest date range one [`slots`] query may cover, days (inclusive).
pub const MAX_QUERY_DAYS: i64 = 31;

/// One bookable appointment slot, stored in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// Start, UTC (`2026-03-02T00:30:00Z` in JSON).
    #[serde(with = "utc_timestamp")]
    pub start_utc: PrimitiveDateTime,
    /// End (exclusive), UTC.
    #[serde(with = "utc_timestamp")]
    pub end_utc: PrimitiveDateTime,
    /// Parallel appointments the slot holds (the office's counters).
    pub capacity: u16,
}

impl Slot {
    /// Start as an instant.
    pub fn start(&self) -> OffsetDateTime {
        from_utc_primitive(self.start_utc)
    }

    /// End as an instant.
    pub fn end(&self) -> OffsetDateTime {
        from_utc_primitive(self.end_utc)
    }

    /// Start in Viet Nam local time, for display.
    pub fn start_local(&self) -> Option<PrimitiveDateTime> {
        utc_to_local(self.start_utc)
    }
}

/// The moments that bound what may be booked at `now`.
struct BookingWindow {
    now: OffsetDateTime,
    /// `now` + minimum notice; `None` past the representable range (nothing bookable).
    earliest_start: Option<OffsetDateTime>,
    /// Today (local) + horizon days.
    last_date: Date,
    minimum_notice_minutes: u32,
}

impl BookingWindow {
    fn new(calendar: &OfficeCalendar, now: OffsetDateTime) -> Self {
        let horizon = Duration::days(calendar.booking_horizon_days().into());
        Self {
            now,
            earliest_start: now.checked_add(calendar.minimum_notice()),
            last_date: local_date(now)
                .and_then(|today| today.checked_add(horizon))
                .unwrap_or(Date::MAX),
            minimum_notice_minutes: calendar.config().minimum_notice_minutes,
        }
    }

    /// The timing refusal for a slot starting at `start` on local date `date`, if any.
    fn refusal(&self, start: OffsetDateTime, date: Date) -> Option<SlotRefusal> {
        if start < self.now {
            return Some(SlotRefusal::InPast);
        }
        if self.earliest_start.is_none_or(|earliest| start < earliest) {
            return Some(SlotRefusal::TooSoon {
                minimum_notice_minutes: self.minimum_notice_minutes,
            });
        }
        if date > self.last_date {
            return Some(SlotRefusal::BeyondHorizon {
                last_bookable_date: self.last_date,
            });
        }
        None
    }
}

/// The bookable slots of the office from local date `from` to `to` (inclusive), as seen at
/// `now`. At most [`MAX_QUERY_DAYS`] days per query.
pub fn slots(
    calendar: &OfficeCalendar,
    holidays: &HolidayCalendar,
    from: Date,
    to: Date,
    now: OffsetDateTime,
) -> Result<Vec<Slot>, SlotQueryError> {
    if to < from {
        return Err(SlotQueryError::ReversedRange { from, to });
    }
    let days = (to - from).whole_days() + 1;
    if days > MAX_QUERY_DAYS {
        return Err(SlotQueryError::RangeTooLong {
            days,
            max: MAX_QUERY_DAYS,
        });
    }
    let window = BookingWindow::new(calendar, now);
    let mut found = Vec::new();
    let mut date = Some(from);
    while let Some(day) = date.filter(|day| *day <= to) {
        if let DayStatus::Open { intervals, .. } = day_status(calendar, holidays, day) {
            push_day_grid(calendar, day, intervals, Some(&window), &mut found);
        }
        date = day.next_day();
    }
    Ok(found)
}

/// Every slot of the office on local date `date` whatever the booking window (notice,
/// horizon, past): the desk's view of a day, for walk-ins. A day the office does not open
/// is refused with its reason.
pub fn slots_of_day(
    calendar: &OfficeCalendar,
    holidays: &HolidayCalendar,
    date: Date,
) -> Result<Vec<Slot>, SlotRefusal> {
    let intervals = open_intervals(calendar, holidays, date)?;
    let mut found = Vec::new();
    push_day_grid(calendar, date, intervals, None, &mut found);
    Ok(found)
}

/// Appends the slots of `day`'s opening `intervals` (those inside `window`, if given).
fn push_day_grid(
    calendar: &OfficeCalendar,
    day: Date,
    intervals: &[OpeningInterval],
    window: Option<&BookingWindow>,
    found: &mut Vec<Slot>,
) {
    let slot_minutes = u32::from(calendar.config().slot_minutes);
    for interval in intervals {
        let (open, close) = interval.minute_bounds();
        let mut minute = open;
        while minute + slot_minutes <= close {
            if let Some(slot) = slot_at(calendar, window, day, minute, slot_minutes) {
                found.push(slot);
            }
            minute += slot_minutes;
        }
    }
}

/// The slot starting `minute` minutes after local midnight of `day`, if bookable in
/// `window` (any slot of the grid without a window).
fn slot_at(
    calendar: &OfficeCalendar,
    window: Option<&BookingWindow>,
    day: Date,
    minute: u32,
    slot_minutes: u32,
) -> Option<Slot> {
    let hour = u8::try_from(minute / 60).ok()?;
    let minute_of_hour = u8::try_from(minute % 60).ok()?;
    let local_start = day.with_time(Time::from_hms(hour, minute_of_hour, 0).ok()?);
    let start = local_to_instant(local_start);
    if window.is_some_and(|window| window.refusal(start, day).is_some()) {
        return None;
    }
    let end = start.checked_add(Duration::minutes(slot_minutes.into()))?;
    Some(Slot {
        start_utc: to_utc_primitive(start)?,
        end_utc: to_utc_primitive(end)?,
        capacity: calendar.counters(),
    })
}

/// Whether a slot starting at `slot_start` (any offset) may be booked at `now`.
///
/// Checks, in order: past, minimum notice, horizon, holiday data present, national day off,
/// office closed (closure, weekly day off, outside opening hours or in a break), slot grid.
pub fn is_bookable(
    calendar: &OfficeCalendar,
    holidays: &HolidayCalendar,
    slot_start: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<(), SlotRefusal> {
    let window = BookingWindow::new(calendar, now);
    let Some(local) = to_local(slot_start) else {
        // Only the far end of `time`'s range fails to convert; the past end converts.
        return Err(window
            .refusal(slot_start, Date::MAX)
            .unwrap_or(SlotRefusal::BeyondHorizon {
                last_bookable_date: window.last_date,
            }));
    };
    let date = local.date();
    if let Some(refusal) = window.refusal(slot_start, date) {
        return Err(refusal);
    }
    let intervals = open_intervals(calendar, holidays, date)?;
    let time = local.time();
    let minute = minute_of_day(time);
    let Some((open, _)) = intervals
        .iter()
        .map(|interval| interval.minute_bounds())
        .find(|(open, close)| (*open..*close).contains(&minute))
    else {
        return Err(SlotRefusal::Closed {
            date,
            reason: ClosedReason::OutsideOpeningHours,
        });
    };
    let on_grid = (minute - open).is_multiple_of(u32::from(calendar.config().slot_minutes));
    if on_grid && time.second() == 0 && time.nanosecond() == 0 {
        Ok(())
    } else {
        Err(SlotRefusal::NotASlotBoundary)
    }
}

/// The opening intervals of `date`, or why the office does not open that day.
fn open_intervals<'a>(
    calendar: &'a OfficeCalendar,
    holidays: &'a HolidayCalendar,
    date: Date,
) -> Result<&'a [OpeningInterval], SlotRefusal> {
    match day_status(calendar, holidays, date) {
        DayStatus::Open { intervals, .. } => Ok(intervals),
        DayStatus::NoHolidayData { year } => Err(SlotRefusal::NoHolidayData { year }),
        DayStatus::Holiday(day_off) => Err(SlotRefusal::Holiday {
            date,
            name_vi: day_off.name_vi.clone(),
            name_en: day_off.name_en.clone(),
        }),
        DayStatus::Closure(closure) => Err(SlotRefusal::Closed {
            date,
            reason: ClosedReason::OfficeClosure {
                reason: closure.reason.clone(),
            },
        }),
        DayStatus::WeeklyDayOff => Err(SlotRefusal::Closed {
            date,
            reason: ClosedReason::WeeklyDayOff,
        }),
    }
}

/// Why a start time cannot be booked. Serialises as `{"code": "too_soon", …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SlotRefusal {
    /// The start time has passed.
    InPast,
    /// Inside the minimum notice.
    TooSoon {
        /// The office's minimum notice, minutes.
        minimum_notice_minutes: u32,
    },
    /// The office does not receive at that time.
    Closed {
        /// Local date.
        #[serde(with = "iso_date")]
        date: Date,
        /// Which kind of closed.
        reason: ClosedReason,
    },
    /// A national day off.
    Holiday {
        /// Local date.
        #[serde(with = "iso_date")]
        date: Date,
        /// Vietnamese name of the holiday.
        name_vi: String,
        /// English name of the holiday.
        name_en: String,
    },
    /// After today + the booking horizon.
    BeyondHorizon {
        /// Last date that may be booked now.
        #[serde(with = "iso_date")]
        last_bookable_date: Date,
    },
    /// Inside opening hours but not the start of a slot.
    NotASlotBoundary,
    /// No holiday data for the year, so the day cannot be promised.
    NoHolidayData {
        /// The uncovered year.
        year: i32,
    },
}

/// Which kind of closed a [`SlotRefusal::Closed`] is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ClosedReason {
    /// No opening hours on that weekday.
    WeeklyDayOff,
    /// An ad-hoc closure of the office.
    OfficeClosure {
        /// The office's reason, if given.
        reason: Option<String>,
    },
    /// Before opening, after closing, or in a break.
    OutsideOpeningHours,
}

impl UserFacing for SlotRefusal {
    fn public(&self) -> PublicError {
        match self {
            Self::InPast => PublicError::new(
                422,
                "in_past",
                "Khung giờ này đã qua.".to_owned(),
                "This time slot has passed.".to_owned(),
            ),
            Self::TooSoon {
                minimum_notice_minutes,
            } => PublicError::new(
                422,
                "too_soon",
                format!(
                    "Phải đặt lịch trước giờ hẹn ít nhất {}.",
                    minutes_vi(*minimum_notice_minutes)
                ),
                format!(
                    "Appointments must be booked at least {} ahead.",
                    minutes_en(*minimum_notice_minutes)
                ),
            ),
            Self::Closed { date, reason } => {
                let (vi, en) = match reason {
                    ClosedReason::WeeklyDayOff => (
                        format!(
                            "Cơ quan không tiếp nhận hồ sơ vào {}, ngày {}.",
                            weekday_vi(date.weekday()),
                            date_dmy(*date)
                        ),
                        format!(
                            "The office does not receive requests on {}, {}.",
                            date.weekday(),
                            date_dmy(*date)
                        ),
                    ),
                    ClosedReason::OfficeClosure {
                        reason: Some(reason),
                    } => (
                        format!("Cơ quan tạm nghỉ ngày {}: {reason}", date_dmy(*date)),
                        format!("The office is closed on {}: {reason}", date_dmy(*date)),
                    ),
                    ClosedReason::OfficeClosure { reason: None } => (
                        format!("Cơ quan tạm nghỉ ngày {}.", date_dmy(*date)),
                        format!("The office is closed on {}.", date_dmy(*date)),
                    ),
                    ClosedReason::OutsideOpeningHours => (
                        "Thời điểm này nằm ngoài giờ tiếp nhận hồ sơ (hoặc trong giờ nghỉ trưa)."
                            .to_owned(),
                        "This time is outside the office's opening hours (or in the lunch break)."
                            .to_owned(),
                    ),
                };
                PublicError::new(422, "closed", vi, en)
            }
            Self::Holiday {
                date,
                name_vi,
                name_en,
                ..
            } => PublicError::new(
                422,
                "holiday",
                format!("Ngày {} là ngày nghỉ lễ, tết: {name_vi}.", date_dmy(*date)),
                format!("{} is a public holiday: {name_en}.", date_dmy(*date)),
            ),
            Self::BeyondHorizon { last_bookable_date } => PublicError::new(
                422,
                "beyond_horizon",
                {
                    format!(
                        "Hiện chỉ đặt được lịch đến hết ngày {}.",
                        date_dmy(*last_bookable_date)
                    )
                },
                {
                    format!(
                        "Bookings are open only up to {}.",
                        date_dmy(*last_bookable_date)
                    )
                },
            ),
            Self::NotASlotBoundary => PublicError::new(
                422,
                "not_a_slot_boundary",
                {
                    "Thời điểm này không phải là giờ bắt đầu của một khung giờ hẹn.".to_owned()
                },
                "This time is not the start of an appointment slot.".to_owned(),
            ),
            Self::NoHolidayData { year } => PublicError::new(
                422,
                "no_holiday_data",
                {
                    format!(
                        "Chưa có lịch nghỉ lễ, tết năm {year} nên chưa đặt được lịch cho ngày này."
                    )
                },
                format!(
                    "The public holiday calendar for {year} is not loaded yet, so this day cannot be booked."
                ),
            ),
        }
    }
}

impl fmt::Display for SlotRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en())
    }
}

impl std::error::Error for SlotRefusal {}

/// A [`slots`] query that cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SlotQueryError {
    /// `to` is before `from`.
    #[error("the range ends ({to}) before it starts ({from})")]
    ReversedRange {
        /// First date asked.
        #[serde(with = "iso_date")]
        from: Date,
        /// Last date asked.
        #[serde(with = "iso_date")]
        to: Date,
    },
    /// More than [`MAX_QUERY_DAYS`] days.
    #[error("the range covers {days} days; at most {max} per query")]
    RangeTooLong {
        /// Days asked.
        days: i64,
        /// Days allowed.
        max: i64,
    },
}

impl UserFacing for SlotQueryError {
    fn public(&self) -> PublicError {
        match self {
            Self::ReversedRange { from, to } => PublicError::new(
                422,
                "reversed_range",
                format!(
                    "Ngày kết thúc ({}) đứng trước ngày bắt đầu ({}).",
                    date_dmy(*to),
                    date_dmy(*from)
                ),
                format!("{self}."),
            ),
            Self::RangeTooLong { days, max } => PublicError::new(
                422,
                "range_too_long",
                {
                    format!(
                        "Khoảng thời gian {days} ngày quá dài; mỗi lần tra cứu tối đa {max} ngày."
                    )
                },
                format!("{self}."),
            ),
        }
    }
}

#[cfg(test)]
#[rustfmt::skip::macros(date)]
mod tests {
    use super::*;
    use crate::booking::calendar::{Closure, OfficeCalendarConfig};
    use crate::local_time::local_to_utc;
    use time::macros::{date, datetime};

    fn standard() -> (OfficeCalendar, HolidayCalendar) {
        (OfficeCalendar::default(), HolidayCalendar::embedded())
    }

    /// Monday 2 March 2026, 06:00 local: nothing special that week.
    const NOW: OffsetDateTime = datetime!(2026-03-02 06:00 +7);

    fn local_starts(found: &[Slot]) -> Vec<PrimitiveDateTime> {
        found.iter().filter_map(Slot::start_local).collect()
    }

    #[test]
    fn a_normal_day_has_30_slots_and_none_in_the_lunch_break() {
        let (calendar, holidays) = standard();
        let found = slots(
            &calendar,
            &holidays,
            date!(2026-03-03),
            date!(2026-03-03),
            NOW,
        )
        .expect("valid query");
        // 07:30–11:30 = 16 slots, 13:30–17:00 = 14 slots.
        assert_eq!(found.len(), 30);
        let starts = local_starts(&found);
        assert_eq!(starts.first(), Some(&datetime!(2026-03-03 07:30)));
        assert!(starts.contains(&datetime!(2026-03-03 11:15)));
        assert!(!starts.contains(&datetime!(2026-03-03 11:30)));
        assert!(!starts.contains(&datetime!(2026-03-03 12:00)));
        assert!(!starts.contains(&datetime!(2026-03-03 13:15)));
        assert!(starts.contains(&datetime!(2026-03-03 13:30)));
        assert_eq!(starts.last(), Some(&datetime!(2026-03-03 16:45)));
        assert!(found.iter().all(|slot| slot.capacity == 2));
        assert_eq!(found[0].start_utc, datetime!(2026-03-03 00:30));
        assert_eq!(found[0].end_utc, datetime!(2026-03-03 00:45));
    }

    #[test]
    fn lunch_break_is_refused_as_closed() {
        let (calendar, holidays) = standard();
        let refusal = is_bookable(&calendar, &holidays, datetime!(2026-03-03 12:00 +7), NOW);
        assert_eq!(
            refusal,
            Err(SlotRefusal::Closed {
                date: date!(2026-03-03),
                reason: ClosedReason::OutsideOpeningHours
            })
        );
        assert!(is_bookable(&calendar, &holidays, datetime!(2026-03-03 11:30 +7), NOW).is_err());
        assert!(is_bookable(&calendar, &holidays, datetime!(2026-03-03 17:00 +7), NOW).is_err());
        assert_eq!(
            is_bookable(&calendar, &holidays, datetime!(2026-03-03 13:30 +7), NOW),
            Ok(())
        );
    }

    #[test]
    fn minimum_notice_and_past() {
        let (calendar, holidays) = standard();
        let now = datetime!(2026-03-03 09:05 +7);
        let found = slots(
            &calendar,
            &holidays,
            date!(2026-03-03),
            date!(2026-03-03),
            now,
        )
        .expect("valid query");
        assert_eq!(
            local_starts(&found).first(),
            Some(&datetime!(2026-03-03 11:15)),
            "2 h notice from 09:05"
        );
        assert_eq!(
            is_bookable(&calendar, &holidays, datetime!(2026-03-03 08:00 +7), now),
            Err(SlotRefusal::InPast)
        );
        assert_eq!(
            is_bookable(&calendar, &holidays, datetime!(2026-03-03 11:00 +7), now),
            Err(SlotRefusal::TooSoon {
                minimum_notice_minutes: 120
            })
        );
        assert_eq!(
            is_bookable(&calendar, &holidays, datetime!(2026-03-03 11:15 +7), now),
            Ok(())
        );
        // The same instant given in UTC is the same slot.
        assert_eq!(
            is_bookable(&calendar, &holidays, datetime!(2026-03-03 04:15 UTC), now),
            Ok(())
        );
    }

    #[test]
    fn horizon_is_30_local_days() {
        let (calendar, holidays) = standard();
        // From Monday 2 March 2026 the last bookable date is Wednesday 1 April.
        let found = slots(
            &calendar,
            &holidays,
            date!(2026-03-25),
            date!(2026-04-10),
            NOW,
        )
        .expect("valid query");
        let last = found
            .last()
            .and_then(Slot::start_local)
            .expect("some slots");
        assert_eq!(last.date(), date!(2026-04-01));
        assert_eq!(
            is_bookable(&calendar, &holidays, datetime!(2026-04-02 08:00 +7), NOW),
            Err(SlotRefusal::BeyondHorizon {
                last_bookable_date: date!(2026-04-01)
            })
        );
        assert_eq!(
            is_bookable(&calendar, &holidays, datetime!(2026-04-01 16:45 +7), NOW),
            Ok(())
        );
    }

    #[test]
    fn weekends_holidays_and_tet_have_no_slots() {
        let (calendar, holidays) = standard();
        let now = datetime!(2026-02-01 06:00 +7);
        let found = slots(
            &calendar,
            &holidays,
            date!(2026-02-13),
            date!(2026-02-24),
            now,
        )
        .expect("valid query");
        let dates: Vec<Date> = local_starts(&found)
            .iter()
            .map(|start| start.date())
            .collect();
        assert!(dates.contains(&date!(2026-02-13)));
        assert!(dates.contains(&date!(2026-02-23)));
        assert!(
            dates
                .iter()
                .all(|date| !(date!(2026-02-14)..=date!(2026-02-22)).contains(date))
        );
        assert_eq!(
            is_bookable(&calendar, &holidays, datetime!(2026-02-17 08:00 +7), now),
            Err(SlotRefusal::Holiday {
                date: date!(2026-02-17),
                name_vi: "Tết Âm lịch (mùng 1 tháng Giêng Bính Ngọ)".to_owned(),
                name_en: "Tết (Lunar New Year's Day)".to_owned(),
            })
        );
        let hung_kings = is_bookable(
            &calendar,
            &holidays,
            datetime!(2026-04-27 08:00 +7),
            datetime!(2026-04-01 06:00 +7),
        );
        assert_eq!(hung_kings.map_err(|refusal| refusal.code()), Err("holiday"));
        assert_eq!(
            is_bookable(&calendar, &holidays, datetime!(2026-03-07 08:00 +7), NOW),
            Err(SlotRefusal::Closed {
                date: date!(2026-03-07),
                reason: ClosedReason::WeeklyDayOff
            })
        );
    }

    #[test]
    fn office_closure_removes_the_day() {
        let config = OfficeCalendarConfig {
            closures: vec![Closure {
                date: date!(2026-03-04),
                reason: Some("Chuyển trụ sở".to_owned()),
            }],
            ..Default::default()
        };
        let calendar = OfficeCalendar::new(config).expect("valid");
        let holidays = HolidayCalendar::embedded();
        let found = slots(
            &calendar,
            &holidays,
            date!(2026-03-03),
            date!(2026-03-05),
            NOW,
        )
        .expect("valid query");
        assert_eq!(found.len(), 60);
        assert!(
            local_starts(&found)
                .iter()
                .all(|start| start.date() != date!(2026-03-04))
        );
        let refusal = is_bookable(&calendar, &holidays, datetime!(2026-03-04 08:00 +7), NOW)
            .expect_err("closed");
        assert_eq!(refusal.code(), "closed");
        assert_eq!(
            refusal.message_vi(),
            "Cơ quan tạm nghỉ ngày 04/03/2026: Chuyển trụ sở"
        );
    }

    #[test]
    fn saturday_morning_option_and_make_up_saturday() {
        let holidays = HolidayCalendar::embedded();
        let saturday_office =
            OfficeCalendar::new(OfficeCalendarConfig::default().with_saturday_morning())
                .expect("valid");
        let found = slots(
            &saturday_office,
            &holidays,
            date!(2026-03-07),
            date!(2026-03-08),
            NOW,
        )
        .expect("valid query");
        let starts = local_starts(&found);
        assert_eq!(starts.len(), 16, "Saturday 07:30–11:30 only, Sunday closed");
        assert!(
            starts
                .iter()
                .all(|start| start.date() == date!(2026-03-07) && start.hour() < 12)
        );
        // Standard office: closed that Saturday, but open on make-up Saturday 22/08/2026 with
        // the hours of Monday 31/08 which it replaces (afternoon included).
        let (calendar, _) = standard();
        let now = datetime!(2026-08-10 06:00 +7);
        assert!(
            slots(
                &calendar,
                &holidays,
                date!(2026-08-15),
                date!(2026-08-15),
                now
            )
            .expect("query")
            .is_empty()
        );
        let make_up = slots(
            &calendar,
            &holidays,
            date!(2026-08-22),
            date!(2026-08-22),
            now,
        )
        .expect("query");
        assert_eq!(make_up.len(), 30);
        assert!(is_bookable(&calendar, &holidays, datetime!(2026-08-31 08:00 +7), now).is_err());
        // A Saturday office stays closed on a Saturday inside an announced break.
        let tet_saturday = is_bookable(
            &saturday_office,
            &holidays,
            datetime!(2026-02-21 08:00 +7),
            datetime!(2026-02-01 06:00 +7),
        );
        assert_eq!(
            tet_saturday.map_err(|refusal| refusal.code()),
            Err("holiday")
        );
    }

    #[test]
    fn off_grid_times_are_refused() {
        let (calendar, holidays) = standard();
        for start in [
            datetime!(2026-03-03 08:10 +7),
            datetime!(2026-03-03 08:15:30 +7),
        ] {
            assert_eq!(
                is_bookable(&calendar, &holidays, start, NOW),
                Err(SlotRefusal::NotASlotBoundary)
            );
        }
    }

    #[test]
    fn years_without_holiday_data_are_closed() {
        let calendar = OfficeCalendar::new(OfficeCalendarConfig {
            booking_horizon_days: 60,
            ..Default::default()
        })
        .expect("valid");
        let holidays = HolidayCalendar::embedded();
        let now = datetime!(2027-12-20 06:00 +7);
        let found = slots(
            &calendar,
            &holidays,
            date!(2027-12-28),
            date!(2028-01-05),
            now,
        )
        .expect("valid query");
        assert!(
            local_starts(&found)
                .iter()
                .all(|start| start.year() == 2027)
        );
        assert!(!found.is_empty());
        assert_eq!(
            is_bookable(&calendar, &holidays, datetime!(2028-01-04 08:00 +7), now),
            Err(SlotRefusal::NoHolidayData { year: 2028 })
        );
    }

    #[test]
    fn query_range_is_bounded() {
        let (calendar, holidays) = standard();
        assert_eq!(
            slots(
                &calendar,
                &holidays,
                date!(2026-03-01),
                date!(2026-04-01),
                NOW
            ),
            Err(SlotQueryError::RangeTooLong { days: 32, max: 31 })
        );
        assert!(
            slots(
                &calendar,
                &holidays,
                date!(2026-03-01),
                date!(2026-03-31),
                NOW
            )
            .is_ok()
        );
        let reversed = slots(
            &calendar,
            &holidays,
            date!(2026-03-05),
            date!(2026-03-01),
            NOW,
        );
        assert!(matches!(
            reversed,
            Err(SlotQueryError::ReversedRange { .. })
        ));
        // Extreme dates neither panic nor produce slots.
        let far = slots(&calendar, &holidays, Date::MAX, Date::MAX, NOW).expect("one day");
        assert!(far.is_empty());
        let end = PrimitiveDateTime::MAX.assume_utc();
        assert!(is_bookable(&calendar, &holidays, end, NOW).is_err());
        assert!(is_bookable(&calendar, &holidays, NOW, end).is_err());
        assert!(
            slots(
                &calendar,
                &holidays,
                date!(2026-03-01),
                date!(2026-03-02),
                end
            )
            .expect("query")
            .is_empty()
        );
    }

    #[test]
    fn slots_and_is_bookable_agree() {
        let holidays = HolidayCalendar::embedded();
        let calendar = OfficeCalendar::new(OfficeCalendarConfig::default().with_saturday_morning())
            .expect("valid");
        let now = datetime!(2026-08-20 10:07 +7);
        let found = slots(
            &calendar,
            &holidays,
            date!(2026-08-19),
            date!(2026-09-05),
            now,
        )
        .expect("query");
        let listed: Vec<PrimitiveDateTime> = found.iter().map(|slot| slot.start_utc).collect();
        // Every 5 minutes over the range: bookable exactly when listed.
        let mut local = datetime!(2026-08-19 00:00);
        while local < datetime!(2026-09-06 00:00) {
            let utc = local_to_utc(local).expect("in range");
            let bookable = is_bookable(&calendar, &holidays, local_to_instant(local), now).is_ok();
            assert_eq!(bookable, listed.contains(&utc), "{local}");
            local += Duration::minutes(5);
        }
    }

    #[test]
    fn the_desk_sees_the_whole_grid_of_an_open_day_only() {
        let (calendar, holidays) = standard();
        let today = slots_of_day(&calendar, &holidays, date!(2026-03-03)).expect("open");
        assert_eq!(today.len(), 30, "no notice or past filter at the desk");
        assert_eq!(today[0].start_local(), Some(datetime!(2026-03-03 07:30)));
        assert_eq!(today[0].end() - today[0].start(), Duration::minutes(15));
        assert!(matches!(
            slots_of_day(&calendar, &holidays, date!(2026-02-17)),
            Err(SlotRefusal::Holiday { .. })
        ));
        assert!(matches!(
            slots_of_day(&calendar, &holidays, date!(2026-03-07)),
            Err(SlotRefusal::Closed {
                reason: ClosedReason::WeeklyDayOff,
                ..
            })
        ));
    }

    #[test]
    fn refusals_serialise_with_codes_and_messages() {
        let refusal = SlotRefusal::Closed {
            date: date!(2026-03-07),
            reason: ClosedReason::WeeklyDayOff,
        };
        assert_eq!(
            serde_json::to_value(&refusal).expect("serialises"),
            serde_json::json!({"code": "closed", "date": "2026-03-07", "reason": {"kind": "weekly_day_off"}})
        );
        assert_eq!(
            refusal.message_vi(),
            "Cơ quan không tiếp nhận hồ sơ vào Thứ Bảy, ngày 07/03/2026."
        );
        assert_eq!(
            refusal.to_string(),
            "The office does not receive requests on Saturday, 07/03/2026."
        );
        let too_soon = SlotRefusal::TooSoon {
            minimum_notice_minutes: 120,
        };
        assert_eq!(
            too_soon.message_vi(),
            "Phải đặt lịch trước giờ hẹn ít nhất 2 giờ."
        );
        assert_eq!(
            too_soon.message_en(),
            "Appointments must be booked at least 2 hours ahead."
        );
        let slot = Slot {
            start_utc: datetime!(2026-03-03 00:30),
            end_utc: datetime!(2026-03-03 00:45),
            capacity: 2,
        };
        assert_eq!(
            serde_json::to_string(&slot).expect("serialises"),
            r#"{"start_utc":"2026-03-03T00:30:00Z","end_utc":"2026-03-03T00:45:00Z","capacity":2}"#
        );
    }
}
