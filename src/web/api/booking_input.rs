//! Parsing shared by the booking routes: JSON bodies, local dates and slot times.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use crate::booking::BookingError;

/// A local date written `YYYY-MM-DD`; `field` names the parameter in the error.
pub fn parse_date(text: &str, field: &'static str) -> Result<Date, BookingError> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|_| BookingError::InvalidField(field))
}

/// An instant in RFC 3339 with its offset (`2026-03-10T07:30:00+07:00` or `…Z`).
pub fn parse_instant(text: &str, field: &'static str) -> Result<OffsetDateTime, BookingError> {
    OffsetDateTime::parse(text.trim(), &Rfc3339).map_err(|_| BookingError::InvalidField(field))
}
