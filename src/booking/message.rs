//! Vietnamese and English words the booking refusals are written with: weekday names and
//! durations.

use time::Weekday;

/// Vietnamese weekday name ("Thứ Hai" … "Chủ nhật").
pub(crate) fn weekday_vi(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Monday => "Thứ Hai",
        Weekday::Tuesday => "Thứ Ba",
        Weekday::Wednesday => "Thứ Tư",
        Weekday::Thursday => "Thứ Năm",
        Weekday::Friday => "Thứ Sáu",
        Weekday::Saturday => "Thứ Bảy",
        Weekday::Sunday => "Chủ nhật",
    }
}

/// A duration in minutes as words: "2 giờ", "90 phút" / "2 hours", "90 minutes".
pub(crate) fn minutes_vi(minutes: u32) -> String {
    if minutes != 0 && minutes.is_multiple_of(60) {
        format!("{} giờ", minutes / 60)
    } else {
        format!("{minutes} phút")
    }
}

/// English counterpart of [`minutes_vi`].
pub(crate) fn minutes_en(minutes: u32) -> String {
    match minutes {
        60 => "1 hour".to_owned(),
        m if m != 0 && m % 60 == 0 => format!("{} hours", m / 60),
        1 => "1 minute".to_owned(),
        m => format!("{m} minutes"),
    }
}
