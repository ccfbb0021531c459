//! Text formats for dates and times in JSON: calendars, holiday files and API answers all
//! use the same readable forms instead of `time`'s default tuples.

// `07:30`: opening hours, local time.
time::serde::format_description!(pub(crate) hh_mm, Time, "[hour]:[minute]");
// `2026-02-17`: calendar dates (local).
time::serde::format_description!(pub(crate) iso_date, Date, "[year]-[month]-[day]");
// `2026-03-02T00:30:00Z`: UTC instants stored as `PrimitiveDateTime` (Diesel `Timestamp`).
time::serde::format_description!(
    pub(crate) utc_timestamp,
    PrimitiveDateTime,
    "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
);
// `2026-03-02T07:30:00+07:00`: an instant with its offset (local times in API answers).
time::serde::format_description!(
    pub(crate) offset_timestamp,
    OffsetDateTime,
    "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
);
