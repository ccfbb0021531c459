//! Asia/Ho_Chi_Minh local time, UTC storage, and how dates and times are written.
//!
//! This module owns the one definition of Viet Nam's offset ([`VIETNAM_OFFSET`]), the
//! conversions between stored UTC values and local wall-clock time, and the text forms
//! shown to people and written in API answers: `dd/mm/yyyy` ([`date_dmy`]), local
//! `HH:MM dd/mm/yyyy` ([`local_moment`], [`local_display`]), local `dd/mm/yyyy HH:MM`
//! ([`local_date_time_text`]), local ISO 8601 with `+07:00` ([`iso8601_local`]), RFC 3339 ([`rfc3339`], [`utc_text`]) and the serde formats
//! of [`serde_formats`].
//!
//! Viet Nam keeps UTC+7 all year (no daylight saving time since 1975), so a fixed offset is
//! exact and no tz database is needed. The database stores UTC (`PrimitiveDateTime` read as
//! UTC, Diesel `Timestamp`); people see local time (docs/ARCHITECTURE.md §2 "Working calendar").
//!
//! Conversions that could leave `time`'s supported range (year ±9999) return `None` instead
//! of panicking.

pub(crate) mod serde_formats;

use time::format_description::well_known::Rfc3339;
use time::macros::offset;
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// The offset of Asia/Ho_Chi_Minh: UTC+07:00, all year.
pub const VIETNAM_OFFSET: UtcOffset = offset!(+7);

/// The instant of a wall-clock time in Viet Nam.
pub fn local_to_instant(local: PrimitiveDateTime) -> OffsetDateTime {
    local.assume_offset(VIETNAM_OFFSET)
}

/// An instant shown in Viet Nam local time (offset +07:00).
pub fn to_local(instant: OffsetDateTime) -> Option<OffsetDateTime> {
    instant.checked_to_offset(VIETNAM_OFFSET)
}

/// The local calendar date of an instant in Viet Nam.
pub fn local_date(instant: OffsetDateTime) -> Option<Date> {
    to_local(instant).map(|local| local.date())
}

/// An instant as the UTC `PrimitiveDateTime` the database stores.
pub fn to_utc_primitive(instant: OffsetDateTime) -> Option<PrimitiveDateTime> {
    instant
        .checked_to_offset(UtcOffset::UTC)
        .map(|utc| PrimitiveDateTime::new(utc.date(), utc.time()))
}

/// A stored UTC `PrimitiveDateTime` as an instant.
pub fn from_utc_primitive(utc: PrimitiveDateTime) -> OffsetDateTime {
    utc.assume_utc()
}

/// Viet Nam wall-clock time → stored UTC value.
pub fn local_to_utc(local: PrimitiveDateTime) -> Option<PrimitiveDateTime> {
    to_utc_primitive(local_to_instant(local))
}

/// Stored UTC value → Viet Nam wall-clock time.
pub fn utc_to_local(utc: PrimitiveDateTime) -> Option<PrimitiveDateTime> {
    to_local(from_utc_primitive(utc))
        .map(|local| PrimitiveDateTime::new(local.date(), local.time()))
}

/// `dd/mm/yyyy`, the way dates are written on Vietnamese documents and slips.
pub fn date_dmy(date: Date) -> String {
    format!(
        "{:02}/{:02}/{}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

/// `HH:MM dd/mm/yyyy` in Viet Nam local time; the instant as is when it cannot be shown
/// in local time.
pub fn local_moment(instant: OffsetDateTime) -> String {
    match to_local(instant) {
        Some(local) => format!(
            "{:02}:{:02} {}",
            local.hour(),
            local.minute(),
            date_dmy(local.date())
        ),
        None => instant.to_string(),
    }
}

/// A stored UTC value as `HH:MM dd/mm/yyyy` in local time (the UTC value itself when it
/// cannot be converted), for descriptions.
pub fn local_display(utc: PrimitiveDateTime) -> String {
    let local = utc_to_local(utc).unwrap_or(utc);
    format!(
        "{:02}:{:02} {:02}/{:02}/{}",
        local.hour(),
        local.minute(),
        local.day(),
        u8::from(local.month()),
        local.year()
    )
}

/// `dd/mm/yyyy HH:MM` in Viet Nam local time (signature reasons and statements).
pub fn local_date_time_text(time: OffsetDateTime) -> String {
    let local = time.to_offset(VIETNAM_OFFSET);
    format!(
        "{:02}/{:02}/{} {:02}:{:02}",
        local.day(),
        u8::from(local.month()),
        local.year(),
        local.hour(),
        local.minute()
    )
}

/// An instant in Viet Nam local time as ISO 8601 with the offset and whole seconds
/// (`2026-11-28T14:05:09+07:00`), the signing time shown on a signature (Decree
/// 30/2020/NĐ-CP, Appendix I). Written by hand from the fields, so it cannot fail.
pub fn iso8601_local(instant: OffsetDateTime) -> String {
    let local = instant.to_offset(VIETNAM_OFFSET);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+07:00",
        local.year(),
        u8::from(local.month()),
        local.day(),
        local.hour(),
        local.minute(),
        local.second()
    )
}

/// An instant as RFC 3339 text for audit details (`2026-03-10T00:30:00Z`).
pub fn rfc3339(instant: OffsetDateTime) -> String {
    instant
        .format(&Rfc3339)
        .unwrap_or_else(|_| instant.to_string())
}

/// A stored UTC timestamp as RFC 3339 text (`2026-11-23T10:46:10.52Z`).
pub fn utc_text(value: PrimitiveDateTime) -> String {
    value.assume_utc().format(&Rfc3339).unwrap_or_default()
}

#[cfg(test)]
#[rustfmt::skip::macros(date)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn local_morning_is_previous_evening_utc() {
        assert_eq!(
            local_to_utc(datetime!(2026-03-02 07:30)),
            Some(datetime!(2026-03-02 00:30))
        );
        assert_eq!(
            local_to_utc(datetime!(2026-03-02 06:59)),
            Some(datetime!(2026-03-01 23:59))
        );
        assert_eq!(
            utc_to_local(datetime!(2026-03-01 23:59)),
            Some(datetime!(2026-03-02 06:59))
        );
    }

    #[test]
    fn signing_time_is_iso8601_with_the_viet_nam_offset() {
        assert_eq!(
            iso8601_local(datetime!(2026-11-28 07:05:09.75 UTC)),
            "2026-11-28T14:05:09+07:00"
        );
        assert_eq!(
            iso8601_local(datetime!(2026-12-31 17:00 UTC)),
            "2027-01-01T00:00:00+07:00"
        );
    }

    #[test]
    fn local_date_crosses_midnight_utc() {
        // 17:30 UTC on 16 Feb is 00:30 on 17 Feb (Tết) in Hà Nội.
        assert_eq!(
            local_date(datetime!(2026-02-16 17:30 UTC)),
            Some(date!(2026-02-17))
        );
        assert_eq!(
            to_local(datetime!(2026-02-16 17:30 UTC)),
            Some(datetime!(2026-02-17 00:30 +7))
        );
    }

    #[test]
    fn round_trip_and_extremes_do_not_panic() {
        let local = datetime!(2026-12-31 23:45);
        assert_eq!(local_to_utc(local).and_then(utc_to_local), Some(local));
        assert_eq!(
            to_utc_primitive(PrimitiveDateTime::MIN.assume_offset(VIETNAM_OFFSET)),
            None
        );
        assert_eq!(to_local(PrimitiveDateTime::MAX.assume_utc()), None);
    }
}
