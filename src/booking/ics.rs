//! An appointment as an iCalendar object (RFC 5545) that calendar applications import.
//!
//! Times are written in local time with `TZID=Asia/Ho_Chi_Minh` and the calendar carries
//! the matching `VTIMEZONE` (RFC 5545 §3.6.5: every TZID used must be defined), so the
//! event shows at the office's wall-clock time wherever the phone is. Text values are
//! escaped (§3.3.11), lines end in CRLF and are folded at 75 octets without splitting a
//! UTF-8 character (§3.1).

use time::{OffsetDateTime, PrimitiveDateTime};

use crate::local_time::utc_to_local;

/// The time zone identifier of Viet Nam in the IANA database.
pub const TIME_ZONE_ID: &str = "Asia/Ho_Chi_Minh";

/// `VTIMEZONE` for Asia/Ho_Chi_Minh: UTC+7 without daylight saving since 13 June 1975
/// (before that, the south kept UTC+8).
const VTIMEZONE: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Asia/Ho_Chi_Minh",
    "BEGIN:STANDARD",
    "DTSTART:19750613T000000",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0700",
    "TZNAME:ICT",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// One event to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    /// Globally unique id (`UID`), stable across changes.
    pub uid: String,
    /// Revision (`SEQUENCE`), increased on each change so clients replace older copies.
    pub sequence: i32,
    /// Start, UTC.
    pub start_utc: PrimitiveDateTime,
    /// End, UTC.
    pub end_utc: PrimitiveDateTime,
    /// Creation time of this iCalendar object (`DTSTAMP`).
    pub stamp: OffsetDateTime,
    /// Last change of the appointment, UTC (`LAST-MODIFIED`).
    pub last_modified: PrimitiveDateTime,
    /// Title.
    pub summary: String,
    /// Where (`LOCATION`): the office's address.
    pub location: String,
    /// Free text.
    pub description: String,
    /// Cancelled appointments are published with `STATUS:CANCELLED`.
    pub cancelled: bool,
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn escape_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\n' => escaped.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// Appends one content line, folded at 75 octets on character boundaries, with CRLF.
fn push_line(out: &mut String, line: &str) {
    let mut octets_on_line = 0;
    for character in line.chars() {
        let width = character.len_utf8();
        if octets_on_line + width > 75 {
            out.push_str("\r\n ");
            // The leading space of a continuation line counts towards its 75 octets.
            octets_on_line = 1;
        }
        out.push(character);
        octets_on_line += width;
    }
    out.push_str("\r\n");
}

/// `20260310T073000` from a UTC value shown in local time.
fn local_stamp(utc: PrimitiveDateTime) -> String {
    let local = utc_to_local(utc).unwrap_or(utc);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        local.year(),
        u8::from(local.month()),
        local.day(),
        local.hour(),
        local.minute(),
        local.second()
    )
}

/// `20260310T003000Z`.
fn utc_stamp(utc: PrimitiveDateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        utc.year(),
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second()
    )
}

/// The whole `VCALENDAR` with one `VEVENT`.
pub fn render_ics(event: &CalendarEvent) -> String {
    let stamp = event.stamp.to_offset(time::UtcOffset::UTC);
    let stamp = PrimitiveDateTime::new(stamp.date(), stamp.time());
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//certcopy//Booking//VI".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
    ];
    lines.extend(VTIMEZONE.iter().map(|line| (*line).to_owned()));
    lines.push("BEGIN:VEVENT".into());
    lines.push(format!("UID:{}", escape_text(&event.uid)));
    lines.push(format!("SEQUENCE:{}", event.sequence.max(0)));
    lines.push(format!("DTSTAMP:{}", utc_stamp(stamp)));
    lines.push(format!("LAST-MODIFIED:{}", utc_stamp(event.last_modified)));
    lines.push(format!(
        "DTSTART;TZID={TIME_ZONE_ID}:{}",
        local_stamp(event.start_utc)
    ));
    lines.push(format!(
        "DTEND;TZID={TIME_ZONE_ID}:{}",
        local_stamp(event.end_utc)
    ));
    lines.push(format!("SUMMARY:{}", escape_text(&event.summary)));
    lines.push(format!("LOCATION:{}", escape_text(&event.location)));
    lines.push(format!("DESCRIPTION:{}", escape_text(&event.description)));
    lines.push(format!(
        "STATUS:{}",
        if event.cancelled {
            "CANCELLED"
        } else {
            "CONFIRMED"
        }
    ));
    lines.push("TRANSP:OPAQUE".into());
    lines.push("END:VEVENT".into());
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for line in &lines {
        push_line(&mut out, line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn event() -> CalendarEvent {
        CalendarEvent {
            uid: "0b8f@certcopy".into(),
            sequence: 2,
            start_utc: datetime!(2026-03-10 00:30),
            end_utc: datetime!(2026-03-10 00:45),
            stamp: datetime!(2026-03-02 01:00 UTC),
            last_modified: datetime!(2026-03-02 00:59),
            summary: "Hẹn chứng thực bản sao, UBND Phường Bến Nghé".into(),
            location: "29 Lê Duẩn; Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh".into(),
            description: "Mã đặt lịch: K7QM-3XPA\nLệ phí dự kiến: 12.000 đ\\".into(),
            cancelled: false,
        }
    }

    #[test]
    fn local_times_with_tzid_and_a_vtimezone() {
        let ics = render_ics(&event());
        assert!(ics.contains("\r\nDTSTART;TZID=Asia/Ho_Chi_Minh:20260310T073000\r\n"));
        assert!(ics.contains("\r\nDTEND;TZID=Asia/Ho_Chi_Minh:20260310T074500\r\n"));
        assert!(ics.contains("\r\nBEGIN:VTIMEZONE\r\nTZID:Asia/Ho_Chi_Minh\r\n"));
        assert!(ics.contains("\r\nDTSTAMP:20260302T010000Z\r\n"));
        assert!(ics.contains("\r\nSEQUENCE:2\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'), "bare LF");
    }

    #[test]
    fn text_is_escaped_and_lines_are_folded_on_characters() {
        let ics = render_ics(&event());
        let unfolded = ics.replace("\r\n ", "");
        assert!(
            unfolded.contains(
                "LOCATION:29 Lê Duẩn\\; Phường Bến Nghé\\, Quận 1\\, TP. Hồ Chí Minh\r\n"
            )
        );
        assert!(unfolded.contains("Mã đặt lịch: K7QM-3XPA\\nLệ phí dự kiến: 12.000 đ\\\\\r\n"));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let cancelled = render_ics(&CalendarEvent {
            cancelled: true,
            ..event()
        });
        assert!(cancelled.contains("\r\nSTATUS:CANCELLED\r\n"));
    }
}
