//! How pages write values: money as `12.000 ₫`, dates as `28/11/2026`, times in Viet Nam
//! time, and the states of appointments and requests as coloured tags with their words.

use maud::{Markup, html};
use time::OffsetDateTime;

use super::i18n::{Lang, Text, words};
use crate::certification::RequestState;
use crate::db::models::AppointmentStatus;

/// `12.000 ₫`: dots between thousands, the đồng sign after a space.
pub fn vnd(amount: u64) -> String {
    let digits = amount.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 4);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push('.');
        }
        out.push(digit);
    }
    out.push_str(" ₫");
    out
}

/// [`vnd`] of a signed amount stored in the database (negative shown as 0).
pub fn vnd_i64(amount: i64) -> String {
    vnd(u64::try_from(amount).unwrap_or(0))
}

/// `HH:MM dd/mm/yyyy` in Viet Nam time.
pub fn moment(instant: OffsetDateTime) -> String {
    crate::local_time::local_moment(instant)
}

/// `HH:MM` in Viet Nam time.
pub fn clock(instant: OffsetDateTime) -> String {
    let local = instant.to_offset(crate::local_time::VIETNAM_OFFSET);
    format!("{:02}:{:02}", local.hour(), local.minute())
}

/// `dd/mm/yyyy`.
pub fn day(date: time::Date) -> String {
    crate::local_time::date_dmy(date)
}

/// `Thứ Hai 30/11/2026`.
pub fn weekday_day(lang: Lang, date: time::Date) -> String {
    let weekday = usize::from(date.weekday().number_days_from_monday());
    format!("{} {}", lang.t(words::WEEKDAYS[weekday]), day(date))
}

/// The words and colour of an appointment status.
pub fn appointment_status(lang: Lang, status: AppointmentStatus) -> Markup {
    let (text, class): (Text, &str) = match status {
        AppointmentStatus::Booked => (words::STATUS_BOOKED, ""),
        AppointmentStatus::CheckedIn => (words::STATUS_CHECKED_IN, "warn"),
        AppointmentStatus::InService => (words::STATUS_IN_SERVICE, "warn"),
        AppointmentStatus::Done => (words::STATUS_DONE, "ok"),
        AppointmentStatus::Cancelled => (words::STATUS_CANCELLED, "bad"),
        AppointmentStatus::NoShow => (words::STATUS_NO_SHOW, "bad"),
    };
    html! { span class={ "tag " (class) } { (lang.t(text)) } }
}

/// The words and colour of a certification request's state.
pub fn request_state(lang: Lang, state: RequestState) -> Markup {
    let (text, class): (Text, &str) = match state {
        RequestState::Received => (words::STATE_RECEIVED, ""),
        RequestState::Scanned => (words::STATE_SCANNED, ""),
        RequestState::AwaitingCertification => (words::STATE_AWAITING, "warn"),
        RequestState::Certified => (words::STATE_CERTIFIED, "ok"),
        RequestState::Refused => (words::STATE_REFUSED, "bad"),
        RequestState::Withdrawn => (words::STATE_WITHDRAWN, "bad"),
    };
    html! { span class={ "tag " (class) } { (lang.t(text)) } }
}

#[cfg(test)]
mod tests {
    use super::vnd;

    #[test]
    fn money_is_written_the_vietnamese_way() {
        assert_eq!(vnd(0), "0 ₫");
        assert_eq!(vnd(999), "999 ₫");
        assert_eq!(vnd(12_000), "12.000 ₫");
        assert_eq!(vnd(200_000), "200.000 ₫");
        assert_eq!(vnd(1_234_567), "1.234.567 ₫");
    }
}
