//! Booking: office calendars, public holidays, appointment slots, fees, result dates,
//! booking codes, and the appointments themselves.
//!
//! The rules are pure functions (no I/O); [`store`] applies them to the database, where
//! the invariants live, and is what the web layer calls.
//!
//! | concern | rule | API |
//! |---|---|---|
//! | working calendar | docs/ARCHITECTURE.md §2; Asia/Ho_Chi_Minh, UTC+7, stored as UTC | [`OfficeCalendar`], [`day_status()`]; conversions in [`crate::local_time`] |
//! | public holidays | Labour Code 2019, Art. 111(3), 112; yearly Prime Minister / Ministry of Home Affairs schedule | [`HolidayCalendar`] (data in `fixtures/holidays/`) |
//! | slots | minimum notice, horizon, closures, holidays, breaks | [`slots()`], [`is_bookable`] |
//! | fees | Circular 226/2016/TT-BTC, Art. 4 | [`crate::fees`] |
//! | result date | Decree 23/2015/NĐ-CP, Art. 7 and 21 | [`expected_result_date`] |
//! | booking codes | — | [`BookingCode`], [`qr_svg`] |
//! | appointment life | booked → checked_in → in_service → done, cancelled, no_show | [`may_change_status`] |
//! | calendar files | RFC 5545 | [`render_ics`] |
//! | stored state | capacity, one active appointment per citizen per office per day | [`store`] |
//!
//! Errors: one type per concern, each `#[non_exhaustive]`. Everything a citizen or clerk may
//! see ([`SlotRefusal`], [`CalendarError`], [`crate::fees::FeeError`], …) implements [`crate::error::UserFacing`]:
//! a stable `code`, the HTTP class and Vietnamese and English messages given together;
//! [`BookingError`] wraps them as they are for the stateful operations. Slot capacity, one
//! active appointment per citizen per office per day and booking-code uniqueness are
//! enforced by the database (docs/ARCHITECTURE.md §4), never by reading and then writing in Rust.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod booking_code;
mod calendar;
mod clock;
mod day_status;
mod error;
mod holidays;
mod ics;
mod message;
mod qr;
mod result_date;
mod slots;
mod status;
pub mod store;
mod view;

pub use booking_code::{
    BOOKING_CODE_ALPHABET, BOOKING_CODE_LENGTH, BOOKING_CODE_RANDOM_BYTES, BookingCode,
    BookingCodeError,
};
pub use calendar::{
    CalendarError, CalendarProblem, Closure, OfficeCalendar, OfficeCalendarConfig, OpeningInterval,
    WeeklyHours, limits as calendar_limits,
};
pub use clock::{BookingContext, Clock};
pub use day_status::{DayStatus, day_status};
pub use error::BookingError;
pub use holidays::{
    DayOff, DayOffKind, HOLIDAY_FORMAT, HolidayCalendar, HolidayDataError, HolidayYear,
    MakeUpWorkingDay,
};
pub use ics::{CalendarEvent, TIME_ZONE_ID, render_ics};
pub use qr::qr_svg;
pub use result_date::{
    LARGE_REQUEST_EXTRA_WORKING_DAYS, MAX_WORKING_DAY_SEARCH_DAYS, ResultDateError,
    SAME_DAY_CUTOFF, expected_result_date, is_large_request, is_working_day, next_working_day,
};
pub use slots::{
    ClosedReason, MAX_QUERY_DAYS, Slot, SlotQueryError, SlotRefusal, is_bookable, slots,
    slots_of_day,
};
pub use status::{StatusActor, may_change_status, releases_seat};
pub use view::{AppointmentView, Audience, OfficeSummary};
