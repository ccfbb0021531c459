//! Public holidays of Viet Nam as data, one JSON file per year (`fixtures/holidays/vn-YYYY.json`).
//!
//! The statute fixes the holidays (Labour Code 2019, Art. 112(1)): New Year's Day 1/1; Tết
//! (Lunar New Year) 5 days; Hùng Kings' Day 10/3 lunar; Reunification Day 30/4; Workers' Day
//! 1/5; National Day 2/9 plus one adjacent day. A holiday falling on a weekly day off gives
//! a compensatory day on the next working day (Art. 111(3)). The Prime Minister fixes the
//! Tết days and the day adjacent to National Day each year (Art. 112(3)), and the Ministry of
//! Home Affairs announces the schedule for civil servants, often with swaps: a weekday off
//! made up by working a Saturday. Because Tết and Hùng Kings' Day follow the lunar calendar
//! and the swaps are decided yearly, the days are data, not code.
//!
//! File format (`certcopy-holidays/1`):
//!
//! ```json
//! {
//!   "format": "certcopy-holidays/1", "country": "VN", "year": 2026,
//!   "applies_to": "…", "sources": ["…"], "notes": ["…"],
//!   "days_off": [
//!     { "date": "2026-02-17", "kind": "statutory", "name_vi": "…", "name_en": "…",
//!       "source": "…", "provisional": false }
//!   ],
//!   "make_up_working_days": [ { "date": "2026-01-10", "replaces": "2026-01-02", "source": "…" } ]
//! }
//! ```
//!
//! `kind` is `statutory`, `compensatory`, `swapped` (a weekday off made up on a
//! `make_up_working_days` entry) or `break_weekend` (a Saturday/Sunday inside an announced
//! break: it matters only to offices open on Saturday mornings). `provisional` marks days
//! derived from the statute and precedent before the official announcement.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::{Date, Weekday};

use super::message::weekday_vi;
use crate::error::{PublicError, UserFacing};
use crate::local_time::date_dmy;
use crate::local_time::serde_formats::iso_date;

/// The `format` value this parser reads.
pub const HOLIDAY_FORMAT: &str = "certcopy-holidays/1";

/// Years for which holiday data is built into the binary (see [`HolidayCalendar::embedded`]).
const EMBEDDED_YEARS: [(&str, &str); 2] = [
    (
        "vn-2026.json",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/holidays/vn-2026.json"
        )),
    ),
    (
        "vn-2027.json",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/holidays/vn-2027.json"
        )),
    ),
];

/// Why a date is a day off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayOffKind {
    /// A holiday of Labour Code 2019, Art. 112(1), on the day fixed by law or by the Prime
    /// Minister's decision (Tết, day adjacent to National Day).
    Statutory,
    /// A holiday that fell on a weekly day off, moved to the next working day (Art. 111(3)).
    Compensatory,
    /// A working day given off and made up on a weekend day (announced yearly).
    Swapped,
    /// A Saturday or Sunday inside an officially announced holiday break.
    BreakWeekend,
}

/// One national day off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayOff {
    /// The date (local).
    #[serde(with = "iso_date")]
    pub date: Date,
    /// Why it is a day off.
    pub kind: DayOffKind,
    /// Vietnamese name, shown to citizens.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Legal basis or announcement.
    pub source: String,
    /// Derived before the official announcement; replace when it is published.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub provisional: bool,
}

/// A weekend day on which state bodies work to make up a swapped day off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MakeUpWorkingDay {
    /// The weekend date that becomes a working day.
    #[serde(with = "iso_date")]
    pub date: Date,
    /// The weekday given off in exchange; offices keep that weekday's opening hours.
    #[serde(with = "iso_date")]
    pub replaces: Date,
    /// The announcement.
    pub source: String,
}

/// The holiday data of one year, as read from one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolidayYear {
    /// Always [`HOLIDAY_FORMAT`].
    pub format: String,
    /// Always `VN`.
    pub country: String,
    /// The Gregorian year every date of the file falls in.
    pub year: i32,
    /// Whom the schedule applies to (state bodies' civil servants for certifying offices).
    pub applies_to: String,
    /// Legal bases and announcements the data follows.
    pub sources: Vec<String>,
    /// Caveats: what is provisional, what to check.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Every national day off of the year.
    pub days_off: Vec<DayOff>,
    /// Weekend days worked to make up swapped days.
    #[serde(default)]
    pub make_up_working_days: Vec<MakeUpWorkingDay>,
}

impl HolidayYear {
    /// Parses and validates one year file.
    pub fn from_json(json: &str) -> Result<Self, HolidayDataError> {
        let year: Self = serde_json::from_str(json)?;
        year.validate()?;
        Ok(year)
    }

    /// Checks format, dates, names and the swap pairs.
    pub fn validate(&self) -> Result<(), HolidayDataError> {
        if self.format != HOLIDAY_FORMAT {
            return Err(HolidayDataError::UnsupportedFormat {
                found: self.format.clone(),
            });
        }
        if self.country != "VN" {
            return Err(HolidayDataError::UnsupportedCountry {
                found: self.country.clone(),
            });
        }
        if !(2000..=2200).contains(&self.year) {
            return Err(HolidayDataError::YearOutOfRange { year: self.year });
        }
        if self.sources.iter().all(|source| source.trim().is_empty()) {
            return Err(HolidayDataError::EmptyText {
                field: "sources".to_owned(),
            });
        }
        for (index, day) in self.days_off.iter().enumerate() {
            let field = format!("days_off[{index}]");
            self.check_in_year(&field, day.date)?;
            for (name, text) in [
                ("name_vi", &day.name_vi),
                ("name_en", &day.name_en),
                ("source", &day.source),
            ] {
                if text.trim().is_empty() {
                    return Err(HolidayDataError::EmptyText {
                        field: format!("{field}.{name}"),
                    });
                }
            }
            let weekend = matches!(day.date.weekday(), Weekday::Saturday | Weekday::Sunday);
            let weekday_fits = match day.kind {
                DayOffKind::Statutory => true,
                DayOffKind::Compensatory | DayOffKind::Swapped => !weekend,
                DayOffKind::BreakWeekend => weekend,
            };
            if !weekday_fits {
                return Err(HolidayDataError::KindOnWrongWeekday {
                    field,
                    date: day.date,
                    kind: day.kind,
                });
            }
            if self.days_off[..index]
                .iter()
                .any(|earlier| earlier.date == day.date)
            {
                return Err(HolidayDataError::DuplicateDate {
                    field,
                    date: day.date,
                });
            }
        }
        for (index, make_up) in self.make_up_working_days.iter().enumerate() {
            let field = format!("make_up_working_days[{index}]");
            self.check_in_year(&field, make_up.date)?;
            if !matches!(make_up.date.weekday(), Weekday::Saturday | Weekday::Sunday) {
                return Err(HolidayDataError::MakeUpNotOnWeekend {
                    field,
                    date: make_up.date,
                });
            }
            let duplicate = self.make_up_working_days[..index].iter().any(|earlier| {
                earlier.date == make_up.date || earlier.replaces == make_up.replaces
            });
            if duplicate || self.days_off.iter().any(|day| day.date == make_up.date) {
                return Err(HolidayDataError::DuplicateDate {
                    field,
                    date: make_up.date,
                });
            }
            let replaces_swapped_weekday = self.days_off.iter().any(|day| {
                day.date == make_up.replaces
                    && day.kind == DayOffKind::Swapped
                    && !matches!(day.date.weekday(), Weekday::Saturday | Weekday::Sunday)
            });
            if !replaces_swapped_weekday {
                return Err(HolidayDataError::UnknownReplacedDay {
                    field,
                    date: make_up.date,
                    replaces: make_up.replaces,
                });
            }
        }
        Ok(())
    }

    fn check_in_year(&self, field: &str, date: Date) -> Result<(), HolidayDataError> {
        if date.year() == self.year {
            Ok(())
        } else {
            Err(HolidayDataError::DateOutsideYear {
                field: field.to_owned(),
                date,
                year: self.year,
            })
        }
    }
}

/// The holiday data of several years, looked up by date.
///
/// A date in a year without data is *unknown*, not a working day: the slot functions refuse
/// such days (fail closed) rather than offer appointments on a holiday nobody loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HolidayCalendar {
    years: BTreeMap<i32, HolidayYear>,
}

impl HolidayCalendar {
    /// A calendar with no year loaded.
    pub fn new() -> Self {
        Self::default()
    }

    /// The years built into the binary (2026, 2027), so the service works with no data files.
    /// Newer or corrected data is added with [`insert_year`](Self::insert_year). Parses the
    /// embedded JSON on each call: build once at start and share it.
    pub fn embedded() -> Self {
        let mut calendar = Self::new();
        for (name, json) in EMBEDDED_YEARS {
            let year = HolidayYear::from_json(json).unwrap_or_else(|error| {
                panic!("embedded holiday file {name} is valid (checked by unit tests): {error}")
            });
            calendar.years.insert(year.year, year);
        }
        calendar
    }

    /// Validates and adds one year, replacing (and returning) data already held for it:
    /// an official announcement supersedes provisional embedded data.
    pub fn insert_year(
        &mut self,
        year: HolidayYear,
    ) -> Result<Option<HolidayYear>, HolidayDataError> {
        year.validate()?;
        Ok(self.years.insert(year.year, year))
    }

    /// Whether holiday data for `year` is loaded.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// The loaded years, in order.
    pub fn years(&self) -> impl Iterator<Item = &HolidayYear> {
        self.years.values()
    }

    /// The national day off on `date`, if any.
    pub fn day_off(&self, date: Date) -> Option<&DayOff> {
        self.years
            .get(&date.year())?
            .days_off
            .iter()
            .find(|day| day.date == date)
    }

    /// Whether `date` is a national day off for state bodies (holiday, compensatory or
    /// swapped day, or a weekend inside an announced break). `false` for unloaded years:
    /// check [`covers`](Self::covers) where that matters.
    pub fn is_holiday(&self, date: Date) -> bool {
        self.day_off(date).is_some()
    }

    /// The make-up working day on `date`, if `date` is one.
    pub fn make_up_working_day(&self, date: Date) -> Option<&MakeUpWorkingDay> {
        self.years
            .get(&date.year())?
            .make_up_working_days
            .iter()
            .find(|make_up| make_up.date == date)
    }
}

impl FromStr for HolidayCalendar {
    type Err = HolidayDataError;

    /// Reads one year file, or a JSON array of year files.
    fn from_str(json: &str) -> Result<Self, Self::Err> {
        let years: Vec<HolidayYear> = if json.trim_start().starts_with('[') {
            serde_json::from_str(json)?
        } else {
            vec![serde_json::from_str(json)?]
        };
        let mut calendar = Self::new();
        for year in years {
            let number = year.year;
            if calendar.insert_year(year)?.is_some() {
                return Err(HolidayDataError::DuplicateYear { year: number });
            }
        }
        Ok(calendar)
    }
}

/// Why holiday data was rejected. Operator-facing (whoever loads the yearly file).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HolidayDataError {
    /// Not JSON, or not the expected shape.
    #[error("holiday data is not valid JSON of the expected shape: {0}")]
    Json(#[from] serde_json::Error),
    /// `format` is not [`HOLIDAY_FORMAT`].
    #[error("unsupported holiday data format {found:?} (expected \"certcopy-holidays/1\")")]
    UnsupportedFormat {
        /// The format given.
        found: String,
    },
    /// `country` is not `VN`.
    #[error("holiday data for country {found:?}; only VN is supported")]
    UnsupportedCountry {
        /// The country given.
        found: String,
    },
    /// An implausible year.
    #[error("year {year} is outside 2000–2200")]
    YearOutOfRange {
        /// The year given.
        year: i32,
    },
    /// A required text is empty.
    #[error("{field}: must not be empty")]
    EmptyText {
        /// Path of the field.
        field: String,
    },
    /// A date in another year than the file's.
    #[error("{field}: date {date} is not in year {year}")]
    DateOutsideYear {
        /// Path of the entry.
        field: String,
        /// The date given.
        date: Date,
        /// The file's year.
        year: i32,
    },
    /// A date given twice (or a make-up day that is also a day off).
    #[error("{field}: date {date} is listed twice")]
    DuplicateDate {
        /// Path of the entry.
        field: String,
        /// The repeated date.
        date: Date,
    },
    /// A compensatory or swapped day on a weekend, or a `break_weekend` on a weekday.
    #[error("{field}: {date} ({weekday}) cannot be of kind {kind:?}", weekday = date.weekday())]
    KindOnWrongWeekday {
        /// Path of the entry.
        field: String,
        /// The date given.
        date: Date,
        /// The kind given.
        kind: DayOffKind,
    },
    /// A make-up working day on a weekday.
    #[error("{field}: make-up working day {date} must be a Saturday or a Sunday")]
    MakeUpNotOnWeekend {
        /// Path of the entry.
        field: String,
        /// The date given.
        date: Date,
    },
    /// A make-up day whose `replaces` is not a swapped weekday of the same file.
    #[error(
        "{field}: make-up working day {date} replaces {replaces}, which is not a weekday of kind \"swapped\" in this file"
    )]
    UnknownReplacedDay {
        /// Path of the entry.
        field: String,
        /// The make-up date.
        date: Date,
        /// The date it claims to replace.
        replaces: Date,
    },
    /// Two files for the same year in one load.
    #[error("year {year} is given twice")]
    DuplicateYear {
        /// The repeated year.
        year: i32,
    },
}

impl HolidayDataError {
    /// What is wrong, in Vietnamese (the English wording is the `Display` text).
    fn detail_vi(&self) -> String {
        match self {
            Self::Json(error) => format!("không đọc được JSON: {error}"),
            Self::UnsupportedFormat { found } => format!("định dạng {found:?} không được hỗ trợ"),
            Self::UnsupportedCountry { found } => {
                format!("quốc gia {found:?} không được hỗ trợ, chỉ VN")
            }
            Self::YearOutOfRange { year } => format!("năm {year} nằm ngoài khoảng 2000–2200"),
            Self::EmptyText { field } => format!("{field}: không được để trống"),
            Self::DateOutsideYear { field, date, year } => {
                format!("{field}: ngày {} không thuộc năm {year}", date_dmy(*date))
            }
            Self::DuplicateDate { field, date } => {
                format!("{field}: ngày {} bị lặp lại", date_dmy(*date))
            }
            Self::KindOnWrongWeekday { field, date, .. } => format!(
                "{field}: loại ngày nghỉ không phù hợp với {} ngày {}",
                weekday_vi(date.weekday()),
                date_dmy(*date)
            ),
            Self::MakeUpNotOnWeekend { field, date } => {
                format!(
                    "{field}: ngày làm bù {} phải là thứ Bảy hoặc Chủ nhật",
                    date_dmy(*date)
                )
            }
            Self::UnknownReplacedDay {
                field,
                date,
                replaces,
            } => format!(
                "{field}: ngày làm bù {} thay cho {}, nhưng ngày đó không phải ngày nghỉ hoán đổi trong tệp này",
                date_dmy(*date),
                date_dmy(*replaces)
            ),
            Self::DuplicateYear { year } => format!("năm {year} bị lặp lại"),
        }
    }
}

impl UserFacing for HolidayDataError {
    fn public(&self) -> PublicError {
        PublicError::new(
            422,
            "invalid_holiday_data",
            format!("Dữ liệu ngày nghỉ lễ không hợp lệ: {}.", self.detail_vi()),
            format!("Invalid holiday data: {self}."),
        )
    }
}

#[cfg(test)]
#[rustfmt::skip::macros(date)]
mod tests {
    use super::*;
    use time::Duration;
    use time::macros::date;

    fn every_day(from: Date, to: Date) -> impl Iterator<Item = Date> {
        (0..=(to - from).whole_days()).map(move |offset| from + Duration::days(offset))
    }

    #[test]
    fn embedded_years_load() {
        let holidays = HolidayCalendar::embedded();
        assert!(holidays.covers(2026));
        assert!(holidays.covers(2027));
        assert!(!holidays.covers(2028));
        assert_eq!(
            holidays.years().map(|year| year.year).collect::<Vec<_>>(),
            [2026, 2027]
        );
    }

    #[test]
    fn statutory_days_2026() {
        let holidays = HolidayCalendar::embedded();
        for date in [
            date!(2026-01-01),
            date!(2026-04-26), // 10/3 Bính Ngọ, a Sunday
            date!(2026-04-27), // compensatory Monday (Art. 111(3))
            date!(2026-04-30),
            date!(2026-05-01),
            date!(2026-09-01), // adjacent day chosen by the Prime Minister
            date!(2026-09-02),
        ] {
            assert!(holidays.is_holiday(date), "{date} should be a holiday");
        }
        assert_eq!(
            holidays.day_off(date!(2026-04-27)).map(|day| day.kind),
            Some(DayOffKind::Compensatory)
        );
        assert!(!holidays.is_holiday(date!(2026-04-28)));
        assert!(!holidays.is_holiday(date!(2026-09-03)));
    }

    #[test]
    fn every_tet_day_is_closed() {
        let holidays = HolidayCalendar::embedded();
        // Tết Bính Ngọ: mùng 1 = 17/02/2026; break 14/02 (27 tháng Chạp) – 22/02 (mùng 6).
        assert_eq!(
            holidays.day_off(date!(2026-02-17)).map(|day| day.kind),
            Some(DayOffKind::Statutory)
        );
        for date in every_day(date!(2026-02-14), date!(2026-02-22)) {
            assert!(holidays.is_holiday(date), "{date} is in the Tết 2026 break");
        }
        let statutory_2026 = every_day(date!(2026-02-14), date!(2026-02-22))
            .filter(|date| {
                holidays
                    .day_off(*date)
                    .is_some_and(|day| day.kind == DayOffKind::Statutory)
            })
            .count();
        assert_eq!(
            statutory_2026, 5,
            "Labour Code Art. 112(1)(b): 5 days of Tết"
        );
        assert!(!holidays.is_holiday(date!(2026-02-13)));
        assert!(!holidays.is_holiday(date!(2026-02-23)));
        // Tết Đinh Mùi: mùng 1 = 06/02/2027 (Saturday), provisional break 04/02 – 10/02.
        for date in every_day(date!(2027-02-04), date!(2027-02-10)) {
            assert!(holidays.is_holiday(date), "{date} is in the Tết 2027 break");
        }
        assert!(
            holidays
                .day_off(date!(2027-02-06))
                .is_some_and(|day| !day.provisional)
        );
        assert!(
            holidays
                .day_off(date!(2027-02-09))
                .is_some_and(|day| day.provisional)
        );
    }

    #[test]
    fn hung_kings_day_2027_and_compensatory_workers_day() {
        let holidays = HolidayCalendar::embedded();
        assert!(holidays.is_holiday(date!(2027-04-16)));
        assert_eq!(date!(2027-05-01).weekday(), Weekday::Saturday);
        assert_eq!(
            holidays.day_off(date!(2027-05-03)).map(|day| day.kind),
            Some(DayOffKind::Compensatory)
        );
    }

    #[test]
    fn swaps_2026_have_make_up_saturdays() {
        let holidays = HolidayCalendar::embedded();
        let make_up = holidays
            .make_up_working_day(date!(2026-01-10))
            .expect("10/01/2026 is a make-up day");
        assert_eq!(make_up.replaces, date!(2026-01-02));
        assert_eq!(
            holidays.day_off(date!(2026-01-02)).map(|day| day.kind),
            Some(DayOffKind::Swapped)
        );
        assert_eq!(
            holidays
                .make_up_working_day(date!(2026-08-22))
                .map(|make_up| make_up.replaces),
            Some(date!(2026-08-31))
        );
        assert!(holidays.make_up_working_day(date!(2026-01-17)).is_none());
    }

    fn minimal_year(days_off: &str, make_up: &str) -> String {
        format!(
            r#"{{"format":"certcopy-holidays/1","country":"VN","year":2030,"applies_to":"test",
                "sources":["test"],"days_off":[{days_off}],"make_up_working_days":[{make_up}]}}"#
        )
    }

    #[test]
    fn parser_rejects_bad_files() {
        let day = |date: &str, kind: &str| {
            format!(
                r#"{{"date":"{date}","kind":"{kind}","name_vi":"x","name_en":"x","source":"x"}}"#
            )
        };
        let ok = minimal_year(&day("2030-01-01", "statutory"), "");
        let calendar: HolidayCalendar = ok.parse().expect("minimal file parses");
        assert!(calendar.is_holiday(date!(2030-01-01)));

        let outside = minimal_year(&day("2031-01-01", "statutory"), "");
        assert!(matches!(
            outside.parse::<HolidayCalendar>(),
            Err(HolidayDataError::DateOutsideYear { .. })
        ));
        let twice = minimal_year(
            &format!(
                "{},{}",
                day("2030-01-01", "statutory"),
                day("2030-01-01", "swapped")
            ),
            "",
        );
        assert!(matches!(
            twice.parse::<HolidayCalendar>(),
            Err(HolidayDataError::DuplicateDate { .. })
        ));
        let bad_kind = minimal_year(&day("2030-01-01", "festival"), "");
        assert!(matches!(
            bad_kind.parse::<HolidayCalendar>(),
            Err(HolidayDataError::Json(_))
        ));
        // 2030-01-05 is a Saturday, 2030-01-02 a Wednesday.
        let unpaired = minimal_year(
            &day("2030-01-02", "statutory"),
            r#"{"date":"2030-01-05","replaces":"2030-01-02","source":"x"}"#,
        );
        assert!(matches!(
            unpaired.parse::<HolidayCalendar>(),
            Err(HolidayDataError::UnknownReplacedDay { .. })
        ));
        let weekday_make_up = minimal_year(
            &day("2030-01-02", "swapped"),
            r#"{"date":"2030-01-03","replaces":"2030-01-02","source":"x"}"#,
        );
        assert!(matches!(
            weekday_make_up.parse::<HolidayCalendar>(),
            Err(HolidayDataError::MakeUpNotOnWeekend { .. })
        ));
        // 2030-01-05 is a Saturday: not a compensatory day; 2030-01-02 not a break weekend.
        for (date, kind) in [
            ("2030-01-05", "compensatory"),
            ("2030-01-02", "break_weekend"),
        ] {
            let misplaced = minimal_year(&day(date, kind), "");
            assert!(matches!(
                misplaced.parse::<HolidayCalendar>(),
                Err(HolidayDataError::KindOnWrongWeekday { .. })
            ));
        }
        let wrong_format = ok.replace("certcopy-holidays/1", "certcopy-holidays/9");
        let error = wrong_format
            .parse::<HolidayCalendar>()
            .expect_err("unknown format");
        assert_eq!(error.code(), "invalid_holiday_data");
        assert!(
            error
                .message_vi()
                .starts_with("Dữ liệu ngày nghỉ lễ không hợp lệ")
        );
        assert!("not json".parse::<HolidayCalendar>().is_err());
        assert!(
            format!("[{ok},{ok}]").parse::<HolidayCalendar>().is_err(),
            "duplicate year"
        );
    }

    #[test]
    fn inserted_year_replaces_provisional_data() {
        let mut holidays = HolidayCalendar::embedded();
        let json = EMBEDDED_YEARS[1].1.replace(r#""provisional": true, "#, "");
        let confirmed = HolidayYear::from_json(&json).expect("edited 2027 file is valid");
        let previous = holidays.insert_year(confirmed).expect("valid year");
        assert!(previous.is_some_and(|year| year.days_off.iter().any(|day| day.provisional)));
        assert!(
            holidays
                .years()
                .all(|year| year.days_off.iter().all(|day| !day.provisional))
        );
    }
}
