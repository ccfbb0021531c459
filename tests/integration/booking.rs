//! Booking (issue 5) through the API, on SQLite and PostgreSQL: calendar rules, fees and
//! result dates, role guards, cancel/reschedule/cutoff and the manage link, the desk,
//! iCalendar files checked by a real parser, and capacity under concurrency — in one
//! process and with two server processes sharing one PostgreSQL database.

mod active_cap;
mod calendar_rules;
mod concurrency;
mod desk;
mod guards;
mod ics;
mod manage;
pub mod support;
mod two_instances;
