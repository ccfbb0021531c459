//! Booking: office calendars, public holidays, appointment slots, fees, result dates and
//! booking codes — the pure rules the database layer calls. No I/O here.
//!
//! | concern | rule | API |
//! |---|---|---|
//! | working calendar | DESIGN.md §2; Asia/Ho_Chi_Minh, UTC+7, stored as UTC | [`OfficeCalendar`], [`day_status()`], [`local_to_utc`] … |
//! | public holidays | Labour Code 2019, Art. 111(3), 112; yearly Prime Minister / Ministry of Home Affairs schedule | [`HolidayCalendar`] (data in `fixtures/holidays/`) |
//! | slots | minimum notice, horizon, closures, holidays, breaks | [`slots()`], [`is_bookable`] |
//! | fees | Circular 226/2016/TT-BTC, Art. 4 | [`fee_estimate`], [`fee_per_copy`] |
//! | result date | Decree 23/2015/NĐ-CP, Art. 7 and 21 | [`expected_result_date`] |
//! | booking codes | — | [`BookingCode`] |
//!
//! Errors: one type per concern, each `#[non_exhaustive]`. Everything a citizen or clerk may
//! see ([`SlotRefusal`], [`CalendarError`], [`FeeError`], …) implements [`Localized`]: a
//! stable `code` plus Vietnamese and English messages. Slot capacity, one booking per
//! citizen per slot and booking-code uniqueness are enforced by the database (DESIGN.md §4),
//! not here.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod booking_code;
mod calendar;
mod day_status;
mod fees;
mod holidays;
mod local_time;
mod message;
mod result_date;
mod serde_formats;
mod slots;

pub use booking_code::{
    BOOKING_CODE_ALPHABET, BOOKING_CODE_LENGTH, BOOKING_CODE_RANDOM_BYTES, BookingCode,
    BookingCodeError,
};
pub use calendar::{
    CalendarError, CalendarProblem, Closure, OfficeCalendar, OfficeCalendarConfig, OpeningInterval,
    WeeklyHours, limits as calendar_limits,
};
pub use day_status::{DayStatus, day_status};
pub use fees::{
    DocumentRequest, FEE_CAP_PER_COPY, FEE_FIRST_TWO_PAGES, FEE_FURTHER_PAGE, FeeError,
    FeeEstimate, FeeLine, MAX_COPIES_PER_DOCUMENT, MAX_DOCUMENTS, MAX_PAGES_PER_DOCUMENT,
    MAX_TITLE_CHARS, Vnd, fee_estimate, fee_per_copy,
};
pub use holidays::{
    DayOff, DayOffKind, HOLIDAY_FORMAT, HolidayCalendar, HolidayDataError, HolidayYear,
    MakeUpWorkingDay,
};
pub use local_time::{
    VIETNAM_OFFSET, from_utc_primitive, local_date, local_to_instant, local_to_utc, to_local,
    to_utc_primitive, utc_to_local,
};
pub use message::{Localized, LocalizedMessage};
pub use result_date::{
    LARGE_REQUEST_EXTRA_WORKING_DAYS, MAX_WORKING_DAY_SEARCH_DAYS, ResultDateError,
    SAME_DAY_CUTOFF, expected_result_date, is_large_request, is_working_day, next_working_day,
};
pub use slots::{
    ClosedReason, MAX_QUERY_DAYS, Slot, SlotQueryError, SlotRefusal, is_bookable, slots,
};
