//! An office's working calendar: weekly opening hours, slot length, counters and booking
//! rules (docs/ARCHITECTURE.md §2 "Working calendar").
//!
//! [`OfficeCalendarConfig`] is the editable, serialisable settings record; an
//! [`OfficeCalendar`] is one that passed [`OfficeCalendarConfig::validate`], so the slot and
//! result-date functions never meet an impossible calendar. Deserialising an
//! `OfficeCalendar` validates too.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};
use time::macros::time;
use time::{Date, Duration, OffsetDateTime, Time, Weekday};

use crate::error::{PublicError, UserFacing};
use crate::local_time::date_dmy;
use crate::local_time::serde_formats::{hh_mm, iso_date};

/// Bounds the validator enforces, public so forms can show them.
pub mod limits {
    use std::ops::RangeInclusive;

    /// Slot length, minutes.
    pub const SLOT_MINUTES: RangeInclusive<u16> = 5..=240;
    /// Counters (parallel appointments per slot).
    pub const COUNTERS: RangeInclusive<u16> = 1..=100;
    /// Minimum notice, minutes (up to 7 days).
    pub const MINIMUM_NOTICE_MINUTES: RangeInclusive<u32> = 0..=7 * 24 * 60;
    /// Booking horizon, days.
    pub const BOOKING_HORIZON_DAYS: RangeInclusive<u16> = 1..=366;
    /// Cancellation cutoff, minutes (up to 7 days).
    pub const CANCELLATION_CUTOFF_MINUTES: RangeInclusive<u32> = 0..=7 * 24 * 60;
    /// No-show grace, minutes.
    pub const NO_SHOW_GRACE_MINUTES: RangeInclusive<u16> = 0..=120;
    /// Large-request threshold, certified pages.
    pub const LARGE_REQUEST_PAGES: RangeInclusive<u32> = 1..=100_000;
    /// Most opening intervals on one weekday.
    pub const MAX_INTERVALS_PER_DAY: usize = 8;
    /// Most ad-hoc closures kept in one calendar.
    pub const MAX_CLOSURES: usize = 1_000;
    /// Longest closure reason, characters.
    pub const MAX_CLOSURE_REASON_CHARS: usize = 500;
}

/// One opening interval `[start, end)` in Viet Nam local time. Breaks (the lunch break) are
/// the gaps between a day's intervals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpeningInterval {
    /// First minute the office receives requests, `HH:MM`.
    #[serde(with = "hh_mm")]
    pub start: Time,
    /// Closing time (exclusive), `HH:MM`.
    #[serde(with = "hh_mm")]
    pub end: Time,
}

impl OpeningInterval {
    /// Usual morning hours of a People's Committee or Justice Division, 07:30–11:30.
    pub const STANDARD_MORNING: Self = Self {
        start: time!(07:30),
        end: time!(11:30),
    };
    /// Usual afternoon hours, 13:30–17:00.
    pub const STANDARD_AFTERNOON: Self = Self {
        start: time!(13:30),
        end: time!(17:00),
    };

    /// Minutes since local midnight of the start and the end (whole minutes are checked by
    /// validation).
    pub(crate) fn minute_bounds(&self) -> (u32, u32) {
        (minute_of_day(self.start), minute_of_day(self.end))
    }
}

/// Minutes since midnight, ignoring seconds.
pub(crate) fn minute_of_day(t: Time) -> u32 {
    u32::from(t.hour()) * 60 + u32::from(t.minute())
}

/// Opening hours for each day of the week; a day with no interval is a weekly day off.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WeeklyHours {
    /// Monday intervals.
    pub monday: Vec<OpeningInterval>,
    /// Tuesday intervals.
    pub tuesday: Vec<OpeningInterval>,
    /// Wednesday intervals.
    pub wednesday: Vec<OpeningInterval>,
    /// Thursday intervals.
    pub thursday: Vec<OpeningInterval>,
    /// Friday intervals.
    pub friday: Vec<OpeningInterval>,
    /// Saturday intervals (some offices receive on Saturday mornings).
    pub saturday: Vec<OpeningInterval>,
    /// Sunday intervals.
    pub sunday: Vec<OpeningInterval>,
}

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

impl WeeklyHours {
    /// Monday–Friday 07:30–11:30 and 13:30–17:00; closed on Saturday and Sunday (the 40-hour
    /// week of state bodies, Decision 188/1999/QĐ-TTg).
    pub fn standard() -> Self {
        let day = vec![
            OpeningInterval::STANDARD_MORNING,
            OpeningInterval::STANDARD_AFTERNOON,
        ];
        Self {
            monday: day.clone(),
            tuesday: day.clone(),
            wednesday: day.clone(),
            thursday: day.clone(),
            friday: day,
            saturday: Vec::new(),
            sunday: Vec::new(),
        }
    }

    /// The intervals of one weekday.
    pub fn on(&self, weekday: Weekday) -> &[OpeningInterval] {
        match weekday {
            Weekday::Monday => &self.monday,
            Weekday::Tuesday => &self.tuesday,
            Weekday::Wednesday => &self.wednesday,
            Weekday::Thursday => &self.thursday,
            Weekday::Friday => &self.friday,
            Weekday::Saturday => &self.saturday,
            Weekday::Sunday => &self.sunday,
        }
    }

    /// Replaces the intervals of one weekday.
    pub fn set(&mut self, weekday: Weekday, intervals: Vec<OpeningInterval>) {
        let day = match weekday {
            Weekday::Monday => &mut self.monday,
            Weekday::Tuesday => &mut self.tuesday,
            Weekday::Wednesday => &mut self.wednesday,
            Weekday::Thursday => &mut self.thursday,
            Weekday::Friday => &mut self.friday,
            Weekday::Saturday => &mut self.saturday,
            Weekday::Sunday => &mut self.sunday,
        };
        *day = intervals;
    }
}

/// An ad-hoc day the office is closed (move, training, local emergency…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Closure {
    /// The local date.
    #[serde(with = "iso_date")]
    pub date: Date,
    /// Reason shown to citizens as written by the office, if any.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Editable settings of an office calendar; every field has a default, so a JSON object
/// may give only what differs. Validate with [`validate`](Self::validate) or turn into an
/// [`OfficeCalendar`] with [`OfficeCalendar::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OfficeCalendarConfig {
    /// Weekly opening hours, local time.
    pub weekly_hours: WeeklyHours,
    /// Appointment slot length in minutes; must divide every opening interval exactly, so
    /// no slot runs into a break or past closing time.
    pub slot_minutes: u16,
    /// Counters: how many appointments run in parallel in one slot (the slot capacity).
    pub counters: u16,
    /// A slot must start at least this many minutes after the moment of booking.
    pub minimum_notice_minutes: u32,
    /// Bookable dates run from today to today + this many days (local dates, inclusive).
    pub booking_horizon_days: u16,
    /// Ad-hoc closed dates of this office (national holidays come from the holiday data).
    pub closures: Vec<Closure>,
    /// A citizen may cancel until this many minutes before the slot starts.
    pub cancellation_cutoff_minutes: u32,
    /// A citizen not checked in this many minutes after the slot start is a no-show.
    pub no_show_grace_minutes: u16,
    /// A request with more certified pages than this (pages × copies, all documents) gets
    /// 2 more working days (Decree 23/2015/NĐ-CP, Art. 21).
    pub large_request_page_threshold: u32,
}

impl Default for OfficeCalendarConfig {
    fn default() -> Self {
        Self {
            weekly_hours: WeeklyHours::standard(),
            slot_minutes: 15,
            counters: 2,
            minimum_notice_minutes: 120,
            booking_horizon_days: 30,
            closures: Vec::new(),
            cancellation_cutoff_minutes: 120,
            no_show_grace_minutes: 15,
            large_request_page_threshold: 50,
        }
    }
}

impl OfficeCalendarConfig {
    /// Adds Saturday-morning reception, 07:30–11:30.
    pub fn with_saturday_morning(mut self) -> Self {
        self.weekly_hours.saturday = vec![OpeningInterval::STANDARD_MORNING];
        self
    }

    /// Checks every field; the first problem found is returned, naming the field.
    pub fn validate(&self) -> Result<(), CalendarError> {
        check_range("slot_minutes", self.slot_minutes, limits::SLOT_MINUTES)?;
        check_range("counters", self.counters, limits::COUNTERS)?;
        check_range(
            "minimum_notice_minutes",
            self.minimum_notice_minutes,
            limits::MINIMUM_NOTICE_MINUTES,
        )?;
        check_range(
            "booking_horizon_days",
            self.booking_horizon_days,
            limits::BOOKING_HORIZON_DAYS,
        )?;
        if u64::from(self.minimum_notice_minutes) >= u64::from(self.booking_horizon_days) * 24 * 60
        {
            return Err(CalendarError::new(
                "minimum_notice_minutes",
                CalendarProblem::NoticeBeyondHorizon,
            ));
        }
        check_range(
            "cancellation_cutoff_minutes",
            self.cancellation_cutoff_minutes,
            limits::CANCELLATION_CUTOFF_MINUTES,
        )?;
        check_range(
            "no_show_grace_minutes",
            self.no_show_grace_minutes,
            limits::NO_SHOW_GRACE_MINUTES,
        )?;
        check_range(
            "large_request_page_threshold",
            self.large_request_page_threshold,
            limits::LARGE_REQUEST_PAGES,
        )?;
        self.validate_hours()?;
        self.validate_closures()
    }

    fn validate_hours(&self) -> Result<(), CalendarError> {
        let slot = u32::from(self.slot_minutes);
        let mut open_days = 0;
        for weekday in WEEKDAYS {
            let intervals = self.weekly_hours.on(weekday);
            let day_field = format!("weekly_hours.{}", weekday_key(weekday));
            if intervals.len() > limits::MAX_INTERVALS_PER_DAY {
                return Err(CalendarError::new(
                    day_field,
                    CalendarProblem::TooManyEntries {
                        max: limits::MAX_INTERVALS_PER_DAY,
                    },
                ));
            }
            let mut previous_end = None;
            for (index, interval) in intervals.iter().enumerate() {
                let field = format!("{day_field}[{index}]");
                let whole_minutes = |t: Time| t.second() == 0 && t.nanosecond() == 0;
                if !whole_minutes(interval.start) || !whole_minutes(interval.end) {
                    return Err(CalendarError::new(field, CalendarProblem::NotWholeMinutes));
                }
                let (start, end) = interval.minute_bounds();
                if end <= start {
                    return Err(CalendarError::new(field, CalendarProblem::EmptyInterval));
                }
                if previous_end.is_some_and(|previous| start < previous) {
                    return Err(CalendarError::new(
                        field,
                        CalendarProblem::OverlappingIntervals,
                    ));
                }
                if (end - start) % slot != 0 {
                    return Err(CalendarError::new(
                        field,
                        CalendarProblem::SlotDoesNotDivideInterval {
                            slot_minutes: self.slot_minutes,
                            interval_minutes: end - start,
                        },
                    ));
                }
                previous_end = Some(end);
            }
            if !intervals.is_empty() {
                open_days += 1;
            }
        }
        if open_days == 0 {
            return Err(CalendarError::new(
                "weekly_hours",
                CalendarProblem::NeverOpen,
            ));
        }
        Ok(())
    }

    fn validate_closures(&self) -> Result<(), CalendarError> {
        if self.closures.len() > limits::MAX_CLOSURES {
            return Err(CalendarError::new(
                "closures",
                CalendarProblem::TooManyEntries {
                    max: limits::MAX_CLOSURES,
                },
            ));
        }
        for (index, closure) in self.closures.iter().enumerate() {
            let field = format!("closures[{index}]");
            if self.closures[..index]
                .iter()
                .any(|earlier| earlier.date == closure.date)
            {
                return Err(CalendarError::new(
                    field,
                    CalendarProblem::DuplicateDate { date: closure.date },
                ));
            }
            let reason_chars = closure
                .reason
                .as_deref()
                .map_or(0, |reason| reason.chars().count());
            if reason_chars > limits::MAX_CLOSURE_REASON_CHARS {
                return Err(CalendarError::new(
                    format!("{field}.reason"),
                    CalendarProblem::TextTooLong {
                        max: limits::MAX_CLOSURE_REASON_CHARS,
                    },
                ));
            }
        }
        Ok(())
    }
}

/// `Ok` when `value` lies in `range`, else an [`CalendarProblem::OutOfRange`] naming `field`.
fn check_range<T: Copy + PartialOrd + Into<u64>>(
    field: &str,
    value: T,
    range: RangeInclusive<T>,
) -> Result<(), CalendarError> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(CalendarError::new(
            field,
            CalendarProblem::OutOfRange {
                value: value.into(),
                min: (*range.start()).into(),
                max: (*range.end()).into(),
            },
        ))
    }
}

/// Field name of a weekday in [`WeeklyHours`].
fn weekday_key(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Monday => "monday",
        Weekday::Tuesday => "tuesday",
        Weekday::Wednesday => "wednesday",
        Weekday::Thursday => "thursday",
        Weekday::Friday => "friday",
        Weekday::Saturday => "saturday",
        Weekday::Sunday => "sunday",
    }
}

/// A validated office calendar. Build it with [`OfficeCalendar::new`] or deserialise it (the
/// same validation runs); [`Default`] is the standard calendar of docs/ARCHITECTURE.md §2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "OfficeCalendarConfig", into = "OfficeCalendarConfig")]
pub struct OfficeCalendar {
    config: OfficeCalendarConfig,
}

impl Default for OfficeCalendar {
    /// Mon–Fri 07:30–11:30 and 13:30–17:00, 15-minute slots, 2 counters, 2 h notice, 30-day
    /// horizon, 2 h cancellation cutoff, 15 min no-show grace, 50-page large-request
    /// threshold (a unit test checks that it validates).
    fn default() -> Self {
        Self {
            config: OfficeCalendarConfig::default(),
        }
    }
}

impl TryFrom<OfficeCalendarConfig> for OfficeCalendar {
    type Error = CalendarError;

    fn try_from(config: OfficeCalendarConfig) -> Result<Self, Self::Error> {
        Self::new(config)
    }
}

impl From<OfficeCalendar> for OfficeCalendarConfig {
    fn from(calendar: OfficeCalendar) -> Self {
        calendar.config
    }
}

impl OfficeCalendar {
    /// Validates `config` and wraps it.
    pub fn new(config: OfficeCalendarConfig) -> Result<Self, CalendarError> {
        config.validate()?;
        Ok(Self { config })
    }

    /// The settings this calendar was built from.
    pub fn config(&self) -> &OfficeCalendarConfig {
        &self.config
    }

    /// The regular opening intervals of a weekday.
    pub fn opening_hours(&self, weekday: Weekday) -> &[OpeningInterval] {
        self.config.weekly_hours.on(weekday)
    }

    /// Slot length.
    pub fn slot_length(&self) -> Duration {
        Duration::minutes(self.config.slot_minutes.into())
    }

    /// Parallel capacity of each slot.
    pub fn counters(&self) -> u16 {
        self.config.counters
    }

    /// Minimum time between booking and slot start.
    pub fn minimum_notice(&self) -> Duration {
        Duration::minutes(self.config.minimum_notice_minutes.into())
    }

    /// Booking horizon in days.
    pub fn booking_horizon_days(&self) -> u16 {
        self.config.booking_horizon_days
    }

    /// The ad-hoc closure on `date`, if any.
    pub fn closure_on(&self, date: Date) -> Option<&Closure> {
        self.config
            .closures
            .iter()
            .find(|closure| closure.date == date)
    }

    /// Large-request threshold in certified pages (Decree 23/2015/NĐ-CP, Art. 21).
    pub fn large_request_page_threshold(&self) -> u32 {
        self.config.large_request_page_threshold
    }

    /// Last moment a booking for `slot_start` may be cancelled by the citizen; `None` only
    /// at the edge of the representable time range.
    pub fn cancellation_deadline(&self, slot_start: OffsetDateTime) -> Option<OffsetDateTime> {
        slot_start.checked_sub(Duration::minutes(
            self.config.cancellation_cutoff_minutes.into(),
        ))
    }

    /// Whether the citizen may still cancel at `now` (deadline inclusive).
    pub fn may_cancel(&self, slot_start: OffsetDateTime, now: OffsetDateTime) -> bool {
        self.cancellation_deadline(slot_start)
            .is_some_and(|deadline| now <= deadline)
    }

    /// Moment after which a citizen who has not checked in is a no-show; `None` only at the
    /// edge of the representable time range.
    pub fn no_show_after(&self, slot_start: OffsetDateTime) -> Option<OffsetDateTime> {
        slot_start.checked_add(Duration::minutes(self.config.no_show_grace_minutes.into()))
    }
}

/// An invalid calendar setting: which field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct CalendarError {
    /// Path of the bad field, e.g. `slot_minutes` or `weekly_hours.monday[1]`.
    pub field: String,
    /// What is wrong.
    pub problem: CalendarProblem,
}

impl CalendarError {
    fn new(field: impl Into<String>, problem: CalendarProblem) -> Self {
        Self {
            field: field.into(),
            problem,
        }
    }
}

/// The problems [`OfficeCalendarConfig::validate`] reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CalendarProblem {
    /// A number outside its allowed range.
    #[error("must be between {min} and {max}, got {value}")]
    OutOfRange {
        /// The value given.
        value: u64,
        /// Smallest allowed.
        min: u64,
        /// Largest allowed.
        max: u64,
    },
    /// An interval that does not end after it starts.
    #[error("the interval must end after it starts")]
    EmptyInterval,
    /// A time with seconds.
    #[error("times must be whole minutes")]
    NotWholeMinutes,
    /// Intervals out of order or overlapping.
    #[error("intervals must be in order and must not overlap")]
    OverlappingIntervals,
    /// The slot length leaves a remainder in an interval.
    #[error(
        "the slot length ({slot_minutes} min) does not divide the interval of {interval_minutes} min"
    )]
    SlotDoesNotDivideInterval {
        /// Slot length, minutes.
        slot_minutes: u16,
        /// Interval length, minutes.
        interval_minutes: u32,
    },
    /// No weekday has opening hours.
    #[error("the office is never open")]
    NeverOpen,
    /// Minimum notice as long as the horizon: nothing could ever be booked.
    #[error("the minimum notice leaves no bookable time inside the booking horizon")]
    NoticeBeyondHorizon,
    /// A closure date listed twice.
    #[error("date {date} is listed twice")]
    DuplicateDate {
        /// The repeated date.
        #[serde(with = "iso_date")]
        date: Date,
    },
    /// A list longer than allowed.
    #[error("too many entries (at most {max})")]
    TooManyEntries {
        /// Most allowed.
        max: usize,
    },
    /// A text longer than allowed.
    #[error("text too long (at most {max} characters)")]
    TextTooLong {
        /// Most characters allowed.
        max: usize,
    },
}

impl CalendarProblem {
    /// What is wrong, in Vietnamese (the English wording is the `Display` text).
    pub fn text_vi(&self) -> String {
        match self {
            CalendarProblem::OutOfRange { value, min, max } => {
                format!("phải từ {min} đến {max}, nhận được {value}")
            }
            CalendarProblem::EmptyInterval => "giờ kết thúc phải sau giờ bắt đầu".to_owned(),
            CalendarProblem::NotWholeMinutes => "giờ phải tròn phút".to_owned(),
            CalendarProblem::OverlappingIntervals => {
                "các khoảng giờ phải theo thứ tự và không chồng lên nhau".to_owned()
            }
            CalendarProblem::SlotDoesNotDivideInterval {
                slot_minutes,
                interval_minutes,
            } => {
                format!(
                    "độ dài khung giờ ({slot_minutes} phút) không chia hết khoảng {interval_minutes} phút"
                )
            }
            CalendarProblem::NeverOpen => "cơ quan không có ngày làm việc nào".to_owned(),
            CalendarProblem::NoticeBeyondHorizon => {
                "thời gian báo trước tối thiểu không để lại khung giờ nào trong thời hạn đặt lịch"
                    .to_owned()
            }
            CalendarProblem::DuplicateDate { date } => {
                format!("ngày {} bị lặp lại", date_dmy(*date))
            }
            CalendarProblem::TooManyEntries { max } => format!("quá nhiều mục (tối đa {max})"),
            CalendarProblem::TextTooLong { max } => {
                format!("nội dung quá dài (tối đa {max} ký tự)")
            }
        }
    }
}

impl UserFacing for CalendarError {
    fn public(&self) -> PublicError {
        PublicError::new(
            422,
            "invalid_calendar",
            format!(
                "Lịch làm việc không hợp lệ, mục {}: {}.",
                self.field,
                self.problem.text_vi()
            ),
            format!(
                "Invalid office calendar, field {}: {}.",
                self.field, self.problem
            ),
        )
    }
}

#[cfg(test)]
#[rustfmt::skip::macros(date)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn problem_of(config: &OfficeCalendarConfig) -> (String, CalendarProblem) {
        let error = config.validate().expect_err("config should be invalid");
        (error.field, error.problem)
    }

    #[test]
    fn default_calendar_is_valid_and_standard() {
        let config = OfficeCalendarConfig::default();
        assert_eq!(config.validate(), Ok(()));
        assert_eq!(
            OfficeCalendar::new(config.clone()),
            Ok(OfficeCalendar::default())
        );
        let calendar = OfficeCalendar::default();
        assert_eq!(calendar.opening_hours(Weekday::Monday).len(), 2);
        assert!(calendar.opening_hours(Weekday::Saturday).is_empty());
        assert!(calendar.opening_hours(Weekday::Sunday).is_empty());
        assert_eq!(calendar.slot_length(), Duration::minutes(15));
        assert_eq!(calendar.counters(), 2);
        assert_eq!(calendar.minimum_notice(), Duration::hours(2));
        assert_eq!(calendar.booking_horizon_days(), 30);
        assert_eq!(calendar.large_request_page_threshold(), 50);
    }

    #[test]
    fn saturday_morning_option_is_valid() {
        let config = OfficeCalendarConfig::default().with_saturday_morning();
        assert_eq!(config.validate(), Ok(()));
        assert_eq!(
            config.weekly_hours.saturday,
            vec![OpeningInterval::STANDARD_MORNING]
        );
    }

    #[test]
    fn slot_must_divide_every_interval() {
        // 60 min divides 07:30–11:30 (240) but not 13:30–17:00 (210).
        let config = OfficeCalendarConfig {
            slot_minutes: 60,
            ..Default::default()
        };
        assert_eq!(
            problem_of(&config),
            (
                "weekly_hours.monday[1]".to_owned(),
                CalendarProblem::SlotDoesNotDivideInterval {
                    slot_minutes: 60,
                    interval_minutes: 210
                }
            )
        );
        let config = OfficeCalendarConfig {
            slot_minutes: 30,
            ..Default::default()
        };
        assert_eq!(config.validate(), Ok(()));
    }

    #[test]
    fn bad_fields_are_named() {
        let zero_counters = OfficeCalendarConfig {
            counters: 0,
            ..Default::default()
        };
        assert_eq!(problem_of(&zero_counters).0, "counters");
        let tiny_slot = OfficeCalendarConfig {
            slot_minutes: 1,
            ..Default::default()
        };
        assert_eq!(problem_of(&tiny_slot).0, "slot_minutes");
        let no_horizon = OfficeCalendarConfig {
            booking_horizon_days: 0,
            ..Default::default()
        };
        assert_eq!(problem_of(&no_horizon).0, "booking_horizon_days");
        let long_notice = OfficeCalendarConfig {
            booking_horizon_days: 1,
            minimum_notice_minutes: 24 * 60,
            ..Default::default()
        };
        assert_eq!(
            problem_of(&long_notice),
            (
                "minimum_notice_minutes".to_owned(),
                CalendarProblem::NoticeBeyondHorizon
            )
        );
        let grace = OfficeCalendarConfig {
            no_show_grace_minutes: 500,
            ..Default::default()
        };
        assert_eq!(problem_of(&grace).0, "no_show_grace_minutes");
        let threshold = OfficeCalendarConfig {
            large_request_page_threshold: 0,
            ..Default::default()
        };
        assert_eq!(problem_of(&threshold).0, "large_request_page_threshold");
    }

    #[test]
    fn intervals_must_be_ordered_non_empty_whole_minutes() {
        let mut config = OfficeCalendarConfig::default();
        config.weekly_hours.tuesday = vec![
            OpeningInterval::STANDARD_AFTERNOON,
            OpeningInterval::STANDARD_MORNING,
        ];
        assert_eq!(
            problem_of(&config),
            (
                "weekly_hours.tuesday[1]".to_owned(),
                CalendarProblem::OverlappingIntervals
            )
        );
        config.weekly_hours.tuesday = vec![OpeningInterval {
            start: time!(11:30),
            end: time!(07:30),
        }];
        assert_eq!(problem_of(&config).1, CalendarProblem::EmptyInterval);
        config.weekly_hours.tuesday = vec![OpeningInterval {
            start: time!(07:30:30),
            end: time!(11:30),
        }];
        assert_eq!(problem_of(&config).1, CalendarProblem::NotWholeMinutes);
        let never_open = OfficeCalendarConfig {
            weekly_hours: WeeklyHours::default(),
            ..Default::default()
        };
        assert_eq!(
            problem_of(&never_open),
            ("weekly_hours".to_owned(), CalendarProblem::NeverOpen)
        );
    }

    #[test]
    fn duplicate_closure_is_refused() {
        let closure = Closure {
            date: date!(2026-03-10),
            reason: None,
        };
        let config = OfficeCalendarConfig {
            closures: vec![closure.clone(), closure],
            ..Default::default()
        };
        assert_eq!(
            problem_of(&config),
            (
                "closures[1]".to_owned(),
                CalendarProblem::DuplicateDate {
                    date: date!(2026-03-10)
                }
            )
        );
    }

    #[test]
    fn json_round_trip_and_deserialisation_validates() {
        let json = r#"{"weekly_hours":{"monday":[{"start":"08:00","end":"11:00"}]},"counters":3}"#;
        let calendar: OfficeCalendar = serde_json::from_str(json).expect("valid calendar JSON");
        assert_eq!(calendar.counters(), 3);
        assert_eq!(
            calendar.opening_hours(Weekday::Monday)[0].start,
            time!(08:00)
        );
        assert!(calendar.opening_hours(Weekday::Tuesday).is_empty());
        let again: OfficeCalendar =
            serde_json::from_str(&serde_json::to_string(&calendar).expect("serialises"))
                .expect("round trip");
        assert_eq!(again, calendar);

        let bad = r#"{"slot_minutes":7}"#;
        let error = serde_json::from_str::<OfficeCalendar>(bad).expect_err("7 does not divide 240");
        assert!(
            error.to_string().contains("weekly_hours.monday[0]"),
            "{error}"
        );
        assert!(serde_json::from_str::<OfficeCalendar>(r#"{"slot_minute":15}"#).is_err());
    }

    #[test]
    fn messages_name_the_field_in_both_languages() {
        let error = OfficeCalendarConfig {
            counters: 0,
            ..Default::default()
        }
        .validate()
        .expect_err("0 counters");
        assert_eq!(
            error.message_en(),
            "Invalid office calendar, field counters: must be between 1 and 100, got 0."
        );
        assert_eq!(
            error.message_vi(),
            "Lịch làm việc không hợp lệ, mục counters: phải từ 1 đến 100, nhận được 0."
        );
        assert_eq!(error.localized().code, "invalid_calendar");
    }

    #[test]
    fn cancellation_and_no_show_deadlines() {
        let calendar = OfficeCalendar::default();
        let slot = datetime!(2026-03-10 09:00 +7);
        assert_eq!(
            calendar.cancellation_deadline(slot),
            Some(datetime!(2026-03-10 07:00 +7))
        );
        assert!(calendar.may_cancel(slot, datetime!(2026-03-10 07:00 +7)));
        assert!(!calendar.may_cancel(slot, datetime!(2026-03-10 07:01 +7)));
        assert_eq!(
            calendar.no_show_after(slot),
            Some(datetime!(2026-03-10 09:15 +7))
        );
    }
}
