//! Text formats for dates and times in JSON: calendars, holiday files and API answers all
//! use the same readable forms instead of `time`'s default tuples.
//!
//! Timestamps are written by hand rather than through `time`'s format descriptions: a
//! week of slots writes hundreds of them per answer, and the generic formatter was the
//! largest cost of the slot listing. Reading uses the format descriptions.

// `07:30`: opening hours, local time.
time::serde::format_description!(pub(crate) hh_mm, Time, "[hour]:[minute]");
// `2026-02-17`: calendar dates (local).
time::serde::format_description!(pub(crate) iso_date, Date, "[year]-[month]-[day]");

use time::{PrimitiveDateTime, UtcOffset};

/// Appends `value` as exactly `width` decimal digits (`value` < 10^width).
fn push_digits(out: &mut String, value: u32, width: u32) {
    for position in (0..width).rev() {
        let digit = (value / 10u32.pow(position)) % 10;
        out.push(char::from(b'0' + digit as u8));
    }
}

/// `2026-03-02T07:30:00` followed by `Z` (UTC) or `+07:00`; `None` for years outside
/// 0000–9999 or offsets with seconds, which the callers then write the slow way.
fn fast_timestamp(value: PrimitiveDateTime, offset: Option<UtcOffset>) -> Option<String> {
    let year = u32::try_from(value.year()).ok().filter(|y| *y <= 9999)?;
    let mut out = String::with_capacity(25);
    push_digits(&mut out, year, 4);
    out.push('-');
    push_digits(&mut out, u32::from(u8::from(value.month())), 2);
    out.push('-');
    push_digits(&mut out, u32::from(value.day()), 2);
    out.push('T');
    push_digits(&mut out, u32::from(value.hour()), 2);
    out.push(':');
    push_digits(&mut out, u32::from(value.minute()), 2);
    out.push(':');
    push_digits(&mut out, u32::from(value.second()), 2);
    match offset {
        None => out.push('Z'),
        Some(offset) => {
            let (hours, minutes, seconds) = offset.as_hms();
            if seconds != 0 {
                return None;
            }
            out.push(if offset.is_negative() { '-' } else { '+' });
            push_digits(&mut out, u32::from(hours.unsigned_abs()), 2);
            out.push(':');
            push_digits(&mut out, u32::from(minutes.unsigned_abs()), 2);
        }
    }
    Some(out)
}

/// `2026-03-02T00:30:00Z`: UTC instants stored as `PrimitiveDateTime` (Diesel `Timestamp`).
pub(crate) mod utc_timestamp {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::PrimitiveDateTime;
    use time::macros::format_description;

    const FORMAT: &[time::format_description::BorrowedFormatItem<'_>] =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

    /// Writes the timestamp.
    pub fn serialize<S: Serializer>(
        value: &PrimitiveDateTime,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match super::fast_timestamp(*value, None) {
            Some(text) => serializer.serialize_str(&text),
            None => {
                let text = value.format(FORMAT).map_err(serde::ser::Error::custom)?;
                serializer.serialize_str(&text)
            }
        }
    }

    /// Reads the timestamp.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<PrimitiveDateTime, D::Error> {
        let text = <&str>::deserialize(deserializer)?;
        PrimitiveDateTime::parse(text, FORMAT).map_err(serde::de::Error::custom)
    }

    /// The same for optional values (`null` when absent); written only.
    pub mod option {
        use serde::Serializer;
        use time::PrimitiveDateTime;

        /// Writes the timestamp or `null`.
        pub fn serialize<S: Serializer>(
            value: &Option<PrimitiveDateTime>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(value) => super::serialize(value, serializer),
                None => serializer.serialize_none(),
            }
        }
    }
}

/// `2026-03-02T07:30:00+07:00`: an instant with its offset (local times in API answers).
/// Written only (answers), never read.
pub(crate) mod offset_timestamp {
    use serde::Serializer;
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;

    /// Writes the instant with its offset.
    pub fn serialize<S: Serializer>(
        value: &OffsetDateTime,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let wall_clock = time::PrimitiveDateTime::new(value.date(), value.time());
        match super::fast_timestamp(wall_clock, Some(value.offset())) {
            Some(text) => serializer.serialize_str(&text),
            None => {
                let text = value.format(&Rfc3339).map_err(serde::ser::Error::custom)?;
                serializer.serialize_str(&text)
            }
        }
    }

    /// The same for optional values (`null` when absent).
    pub mod option {
        use serde::Serializer;
        use time::OffsetDateTime;

        /// Writes the instant or `null`.
        pub fn serialize<S: Serializer>(
            value: &Option<OffsetDateTime>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(value) => super::serialize(value, serializer),
                None => serializer.serialize_none(),
            }
        }
    }
}

/// Serde helpers writing stored UTC timestamps as RFC 3339 with `Z`.
pub(crate) mod utc_rfc3339 {
    use serde::Serializer;
    use time::format_description::well_known::Rfc3339;

    /// Serializes a UTC `PrimitiveDateTime` as RFC 3339.
    pub fn serialize<S: Serializer>(
        value: &time::PrimitiveDateTime,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let text = value
            .assume_utc()
            .format(&Rfc3339)
            .map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::format_description::well_known::Rfc3339;
    use time::macros::{datetime, offset};

    #[test]
    fn fast_timestamps_match_the_format_descriptions() {
        for value in [
            datetime!(2026-03-02 00:30),
            datetime!(0001-01-09 23:59:59),
            datetime!(9999-12-31 07:05:09.999),
        ] {
            let expected = value
                .format(time::macros::format_description!(
                    "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
                ))
                .expect("formats");
            assert_eq!(fast_timestamp(value, None), Some(expected));
            for zone in [offset!(+7), offset!(-3:30), offset!(UTC)] {
                let instant = value
                    .assume_offset(zone)
                    .replace_nanosecond(0)
                    .expect("0 ns");
                let rfc3339 = instant
                    .format(&Rfc3339)
                    .expect("formats")
                    .replace("Z", "+00:00");
                let wall_clock = PrimitiveDateTime::new(instant.date(), instant.time());
                assert_eq!(fast_timestamp(wall_clock, Some(zone)), Some(rfc3339));
            }
        }
        assert_eq!(fast_timestamp(datetime!(-0001-01-01 00:00), None), None);
        assert_eq!(
            fast_timestamp(datetime!(2026-03-02 00:30), Some(offset!(+7:00:30))),
            None
        );
    }

    #[test]
    fn utc_timestamps_round_trip_through_json() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Stamped {
            #[serde(with = "utc_timestamp")]
            at: PrimitiveDateTime,
        }
        #[derive(serde::Serialize)]
        struct Maybe {
            #[serde(with = "utc_timestamp::option")]
            at: Option<PrimitiveDateTime>,
        }
        let stamped = Stamped {
            at: datetime!(2026-03-02 00:30),
        };
        let json = serde_json::to_string(&stamped).expect("serialises");
        assert_eq!(json, r#"{"at":"2026-03-02T00:30:00Z"}"#);
        let parsed: Stamped = serde_json::from_str(&json).expect("parses");
        assert_eq!(parsed, stamped);
        let absent = serde_json::to_string(&Maybe { at: None }).expect("serialises");
        assert_eq!(absent, r#"{"at":null}"#);
    }
}
