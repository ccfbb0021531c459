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
    BookingCode, BookingCodeError, BOOKING_CODE_ALPHABET, BOOKING_CODE_LENGTH,
    BOOKING_CODE_RANDOM_BYTES,
};
pub use calendar::{
    limits as calendar_limits, CalendarError, CalendarProblem, Closure, OfficeCalendar,
    OfficeCalendarConfig, OpeningInterval, WeeklyHours,
};
pub use day_status::{day_status, DayStatus};
pub use fees::{
    fee_estimate, fee_per_copy, DocumentRequest, FeeError, FeeEstimate, FeeLine, Vnd,
    FEE_CAP_PER_COPY, FEE_FIRST_TWO_PAGES, FEE_FURTHER_PAGE, MAX_COPIES_PER_DOCUMENT,
    MAX_DOCUMENTS, MAX_PAGES_PER_DOCUMENT, MAX_TITLE_CHARS,
};
pub use holidays::{
    DayOff, DayOffKind, HolidayCalendar, HolidayDataError, HolidayYear, MakeUpWorkingDay,
    HOLIDAY_FORMAT,
};
pub use local_time::{
    from_utc_primitive, local_date, local_to_instant, local_to_utc, to_local, to_utc_primitive,
    utc_to_local, VIETNAM_OFFSET,
};
pub use message::{Localized, LocalizedMessage};
pub use result_date::{
    expected_result_date, is_large_request, is_working_day, next_working_day, ResultDateError,
    LARGE_REQUEST_EXTRA_WORKING_DAYS, MAX_WORKING_DAY_SEARCH_DAYS, SAME_DAY_CUTOFF,
};
pub use slots::{
    is_bookable, slots, ClosedReason, Slot, SlotQueryError, SlotRefusal, MAX_QUERY_DAYS,
};
