//! Bilingual (Vietnamese / English) messages for everything the booking module refuses.

use serde::Serialize;
use time::{Date, Weekday};

/// A refusal or validation error as shown to a person: a stable machine code plus the
/// Vietnamese and English wording. The web layer serialises this as is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalizedMessage {
    /// Stable snake_case code, e.g. `too_soon`.
    pub code: &'static str,
    /// Vietnamese text (the language of the office and the citizen's slip).
    pub vi: String,
    /// English text.
    pub en: String,
}

/// Implemented by every error and refusal of the booking module that a person may see.
pub trait Localized {
    /// Stable snake_case code.
    fn code(&self) -> &'static str;
    /// Vietnamese message.
    fn message_vi(&self) -> String;
    /// English message.
    fn message_en(&self) -> String;
    /// Code and both messages together.
    fn localized(&self) -> LocalizedMessage {
        LocalizedMessage {
            code: self.code(),
            vi: self.message_vi(),
            en: self.message_en(),
        }
    }
}

/// `dd/mm/yyyy`, the way dates are written on Vietnamese documents and slips.
pub(crate) fn date_dmy(date: Date) -> String {
    format!(
        "{:02}/{:02}/{}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

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
