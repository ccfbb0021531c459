//! The public side: finding an office and the free seats of its slots.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, PrimitiveDateTime};

use super::{office_and_calendar, office_and_calendar_for_display};
use crate::booking::calendar::OfficeCalendar;
use crate::booking::clock::BookingContext;
use crate::booking::error::BookingError;
use crate::booking::ics::TIME_ZONE_ID;
use crate::booking::slots::slots;
use crate::booking::view::OfficeSummary;
use crate::db::DbConn;
use crate::db::ids::OfficeId;
use crate::db::models::{Office, SlotCounter};
use crate::local_time::serde_formats::{iso_date, offset_timestamp, utc_timestamp};
use crate::local_time::{from_utc_primitive, to_local};
use crate::registry::status_cache::StatusCache;

/// Most offices one search returns.
pub const MAX_OFFICES: usize = 200;

/// Office search filters; each, when given, must occur in the field, ignoring case.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OfficeFilter {
    /// Part of the province name.
    pub province: Option<String>,
    /// Part of the district name.
    pub district: Option<String>,
    /// Part of the office name.
    pub name: Option<String>,
}

impl OfficeFilter {
    fn accepts(&self, office: &Office) -> bool {
        let matches = |wanted: &Option<String>, field: &str| {
            wanted
                .as_deref()
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .is_none_or(|w| field.to_lowercase().contains(&w.to_lowercase()))
        };
        matches(&self.province, &office.province)
            && matches(&self.district, &office.district)
            && matches(&self.name, &office.name)
    }
}

/// Offices matching `filter`, by name (at most [`MAX_OFFICES`]).
///
/// Matching happens here rather than in SQL because SQLite's `lower()`/`LIKE` fold only
/// ASCII, and Vietnamese names need Unicode case folding ("ĐỒNG NAI" = "Đồng Nai"). The
/// office list is a small reference table (a few thousand rows at national scale).
pub fn find_offices(
    conn: &mut DbConn,
    filter: &OfficeFilter,
) -> Result<Vec<OfficeSummary>, BookingError> {
    Ok(Office::list(conn)?
        .iter()
        .filter(|office| filter.accepts(office))
        .take(MAX_OFFICES)
        .map(OfficeSummary::from)
        .collect())
}

/// One slot with what is left of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AvailableSlot {
    /// Start, UTC.
    #[serde(with = "utc_timestamp")]
    pub start: PrimitiveDateTime,
    /// End, UTC.
    #[serde(with = "utc_timestamp")]
    pub end: PrimitiveDateTime,
    /// Start in local time (`+07:00`).
    #[serde(with = "offset_timestamp")]
    pub start_local: OffsetDateTime,
    /// The office's counters.
    pub capacity: u16,
    /// Seats still free (0 when full).
    pub remaining: u16,
}

/// The answer to a slot query.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SlotAvailability {
    /// The office.
    pub office_id: OfficeId,
    /// Always `Asia/Ho_Chi_Minh`.
    pub time_zone: &'static str,
    /// First local date asked.
    #[serde(with = "iso_date")]
    pub from: Date,
    /// Last local date asked.
    #[serde(with = "iso_date")]
    pub to: Date,
    /// Slot length, minutes.
    pub slot_minutes: u16,
    /// Bookable slots at this moment, in order. Past, closed, holiday and beyond-horizon
    /// times never appear; full slots appear with `remaining: 0`.
    pub slots: Vec<AvailableSlot>,
}

/// The bookable slots of an office between two local dates (inclusive), with remaining
/// seats: the calendar's counters minus the seats taken.
pub fn available_slots(
    conn: &mut DbConn,
    ctx: &BookingContext,
    office_id: &OfficeId,
    from: Date,
    to: Date,
) -> Result<SlotAvailability, BookingError> {
    let (office, calendar) = office_and_calendar(conn, office_id)?;
    slots_with_seats(conn, ctx, &office, &calendar, from, to)
}

/// Seats changed by this process (taken or given back): seats kept for display before
/// the latest are stale.
static SEAT_CHANGES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How long the seats shown on the pages are kept per office and range of days: a seat
/// taken or given back through this process is seen at once, through another instance
/// within this time. Booking itself always counts the seats in the database.
const SEATS_DISPLAY: std::time::Duration = std::time::Duration::from_secs(1);

fn seats_cache() -> &'static StatusCache<(OfficeSummary, OfficeCalendar, SlotAvailability)> {
    static CACHE: std::sync::OnceLock<
        StatusCache<(OfficeSummary, OfficeCalendar, SlotAvailability)>,
    > = std::sync::OnceLock::new();
    CACHE.get_or_init(|| StatusCache::with_changes(SEATS_DISPLAY, 10_000, &SEAT_CHANGES))
}

/// Records that a seat was taken or given back (the seats kept for display are stale).
pub(crate) fn seats_changed() {
    SEAT_CHANGES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
}

/// The key of an office's seats kept for display: the office, the days, and the minute of
/// the booking clock (past times drop out).
fn seats_key(ctx: &BookingContext, office_id: &OfficeId, from: Date, to: Date) -> String {
    let minute = ctx.clock.now().unix_timestamp().div_euclid(60);
    format!("{office_id}/{from}/{to}/{minute}")
}

/// What [`office_with_slots`] keeps for display, when it is still fresh: the pages ask
/// here first, so that a page shown again within the second takes no database connection.
pub fn office_with_slots_kept(
    ctx: &BookingContext,
    office_id: &OfficeId,
    from: Date,
    to: Date,
) -> Option<(OfficeSummary, OfficeCalendar, SlotAvailability)> {
    seats_cache().get(&seats_key(ctx, office_id, from, to))
}

/// An office's public summary, its calendar and its slots between two local dates with
/// the seats left: what an office's page and the booking pages show. The office and its
/// calendar are kept a few seconds for display, the seats one second (a change through
/// this process empties both at once).
pub fn office_with_slots(
    conn: &mut DbConn,
    ctx: &BookingContext,
    office_id: &OfficeId,
    from: Date,
    to: Date,
) -> Result<(OfficeSummary, OfficeCalendar, SlotAvailability), BookingError> {
    let cache = seats_cache();
    let generation = cache.changes();
    let key = seats_key(ctx, office_id, from, to);
    if let Some(kept) = cache.get(&key) {
        return Ok(kept);
    }
    let (office, calendar) = office_and_calendar_for_display(conn, office_id)?;
    let slots = slots_with_seats(conn, ctx, &office, &calendar, from, to)?;
    let summary = OfficeSummary::from(&office);
    cache.put(
        key,
        (summary.clone(), calendar.clone(), slots.clone()),
        generation,
    );
    Ok((summary, calendar, slots))
}

fn slots_with_seats(
    conn: &mut DbConn,
    ctx: &BookingContext,
    office: &crate::db::models::Office,
    calendar: &OfficeCalendar,
    from: Date,
    to: Date,
) -> Result<SlotAvailability, BookingError> {
    let found = slots(calendar, &ctx.holidays, from, to, ctx.clock.now())?;
    let counters = match (found.first(), found.last()) {
        (Some(first), Some(last)) => {
            SlotCounter::in_range(conn, &office.id, first.start_utc, last.end_utc)?
        }
        _ => Vec::new(),
    };
    // Both lists are sorted by start: walk them together.
    let mut taken = counters.iter().peekable();
    let slots = found
        .iter()
        .map(|slot| {
            while taken.next_if(|c| c.slot_start < slot.start_utc).is_some() {}
            let booked = taken
                .next_if(|c| c.slot_start == slot.start_utc)
                .map_or(0, |c| c.booked);
            let booked = u16::try_from(booked.max(0)).unwrap_or(u16::MAX);
            let start = from_utc_primitive(slot.start_utc);
            AvailableSlot {
                start: slot.start_utc,
                end: slot.end_utc,
                start_local: to_local(start).unwrap_or(start),
                capacity: slot.capacity,
                remaining: slot.capacity.saturating_sub(booked),
            }
        })
        .collect();
    Ok(SlotAvailability {
        office_id: office.id.clone(),
        time_zone: TIME_ZONE_ID,
        from,
        to,
        slot_minutes: calendar.config().slot_minutes,
        slots,
    })
}
