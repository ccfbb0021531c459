//! Errors of the stateful booking operations ([`super::store`]): every refusal a citizen,
//! clerk or official may meet, with its HTTP class and Vietnamese and English messages.
//!
//! Refusals of the pure rules ([`SlotRefusal`], [`FeeError`], [`CalendarError`], …) are
//! wrapped as they are, keeping their codes and wording.

use time::{Date, OffsetDateTime};

use super::booking_code::BookingCodeError;
use super::calendar::CalendarError;
use super::result_date::ResultDateError;
use super::slots::{SlotQueryError, SlotRefusal};
use crate::db::DbError;
use crate::db::models::AppointmentStatus;
use crate::error::{PublicError, UserFacing};
use crate::fees::FeeError;
use crate::identity::IdentityError;
use crate::local_time::{date_dmy, local_moment};

/// Why a booking operation was refused or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BookingError {
    /// No such office.
    #[error("office not found")]
    OfficeNotFound,
    /// No such appointment, or not one the caller may see.
    #[error("appointment not found")]
    AppointmentNotFound,
    /// The caller's role or office does not allow this.
    #[error("not allowed for this account")]
    Forbidden,
    /// Every seat of the slot is taken (decided by the database).
    #[error("the slot is full")]
    SlotFull,
    /// The citizen already holds an active appointment at this office on that day.
    #[error("an active appointment at this office on that day already exists")]
    DuplicateActive,
    /// The citizen ID already holds `limit` booked appointments, all offices together.
    #[error("at most {limit} active appointments per citizen")]
    TooManyActive {
        /// The cap.
        limit: u32,
    },
    /// The start time cannot be booked (past, too soon, closed, holiday, beyond horizon…).
    #[error("{0}")]
    Slot(SlotRefusal),
    /// The list of documents is not acceptable.
    #[error("{0}")]
    Fees(FeeError),
    /// The calendar settings are not acceptable.
    #[error("{0}")]
    Calendar(CalendarError),
    /// The date range of a slot query is not acceptable.
    #[error("{0}")]
    Range(SlotQueryError),
    /// No result date can be computed (no holiday data, …).
    #[error("{0}")]
    ResultDate(ResultDateError),
    /// A typed booking code is malformed.
    #[error("{0}")]
    Code(BookingCodeError),
    /// Walk-in requester details are not acceptable (name, citizen ID).
    #[error("{0}")]
    Requester(IdentityError),
    /// The citizen may no longer cancel or reschedule: the cutoff has passed.
    #[error("the cancellation cutoff ({deadline}) has passed")]
    CutoffPassed {
        /// Last moment a change was allowed.
        deadline: OffsetDateTime,
    },
    /// The appointment is not in a state that allows this change.
    #[error("cannot change an appointment from {from:?} to {to:?}")]
    StatusChange {
        /// Current status.
        from: AppointmentStatus,
        /// Requested status.
        to: AppointmentStatus,
    },
    /// A no-show may only be recorded after the grace period.
    #[error("a no-show can be recorded only after {after}")]
    NoShowTooEarly {
        /// End of the grace period.
        after: OffsetDateTime,
    },
    /// Check-in is only for appointments of the current local day.
    #[error("the appointment is on {date}, not today")]
    NotToday {
        /// The appointment's local date.
        date: Date,
    },
    /// A reschedule to the slot already held.
    #[error("the appointment already holds this slot")]
    SameSlot,
    /// A field of the request is malformed.
    #[error("invalid field {0}")]
    InvalidField(&'static str),
    /// A stored row could not be read back (corrupted JSON), or the system random generator failed: our fault.
    #[error("internal failure: {0}")]
    Internal(String),
    /// Database failure.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for BookingError {
    fn from(error: diesel::result::Error) -> Self {
        BookingError::Db(DbError::from(error))
    }
}

impl From<SlotRefusal> for BookingError {
    fn from(refusal: SlotRefusal) -> Self {
        BookingError::Slot(refusal)
    }
}

impl From<FeeError> for BookingError {
    fn from(error: FeeError) -> Self {
        BookingError::Fees(error)
    }
}

impl From<CalendarError> for BookingError {
    fn from(error: CalendarError) -> Self {
        BookingError::Calendar(error)
    }
}

impl From<SlotQueryError> for BookingError {
    fn from(error: SlotQueryError) -> Self {
        BookingError::Range(error)
    }
}

impl From<ResultDateError> for BookingError {
    fn from(error: ResultDateError) -> Self {
        BookingError::ResultDate(error)
    }
}

impl From<BookingCodeError> for BookingError {
    fn from(error: BookingCodeError) -> Self {
        BookingError::Code(error)
    }
}

fn status_vi(status: AppointmentStatus) -> &'static str {
    match status {
        AppointmentStatus::Booked => "đã đặt",
        AppointmentStatus::CheckedIn => "đã đến",
        AppointmentStatus::InService => "đang tiếp nhận",
        AppointmentStatus::Done => "đã tiếp nhận xong",
        AppointmentStatus::Cancelled => "đã hủy",
        AppointmentStatus::NoShow => "vắng mặt",
    }
}

fn status_en(status: AppointmentStatus) -> &'static str {
    match status {
        AppointmentStatus::Booked => "booked",
        AppointmentStatus::CheckedIn => "checked in",
        AppointmentStatus::InService => "in service",
        AppointmentStatus::Done => "done",
        AppointmentStatus::Cancelled => "cancelled",
        AppointmentStatus::NoShow => "no-show",
    }
}

impl UserFacing for BookingError {
    fn public(&self) -> PublicError {
        match self {
            BookingError::Slot(e) => e.public(),
            BookingError::Fees(e) => e.public(),
            BookingError::Calendar(e) => e.public(),
            BookingError::Range(e) => e.public(),
            BookingError::ResultDate(e) => e.public(),
            BookingError::Code(e) => e.public(),
            BookingError::Requester(e) => e.public(),
            BookingError::OfficeNotFound => PublicError::new(
                404,
                "office_not_found",
                "Không tìm thấy cơ quan chứng thực.".into(),
                "Certifying office not found.".into(),
            ),
            BookingError::AppointmentNotFound => PublicError::new(
                404,
                "appointment_not_found",
                "Không tìm thấy lịch hẹn.".into(),
                "Appointment not found.".into(),
            ),
            BookingError::Forbidden => PublicError::new(
                403,
                "forbidden",
                "Bạn không có quyền thực hiện thao tác này.".into(),
                "You are not allowed to do this.".into(),
            ),
            BookingError::SlotFull => PublicError::new(
                409,
                "slot_full",
                "Khung giờ này đã hết chỗ, vui lòng chọn khung giờ khác.".into(),
                "This slot is full; please choose another one.".into(),
            ),
            BookingError::DuplicateActive => PublicError::new(
                409,
                "duplicate_appointment",
                "Bạn đã có một lịch hẹn tại cơ quan này trong ngày đó.".into(),
                "You already have an appointment at this office on that day.".into(),
            ),
            BookingError::TooManyActive { limit } => PublicError::new(
                409,
                "too_many_active_appointments",
                format!(
                    "Mỗi công dân chỉ được giữ tối đa {limit} lịch hẹn chưa đến hạn (tính chung mọi cơ quan). Hãy hủy một lịch hẹn trước khi đặt thêm."
                ),
                format!(
                    "A citizen may hold at most {limit} upcoming appointments (all offices together). Cancel one before booking another."
                ),
            ),
            BookingError::CutoffPassed { deadline } => PublicError::new(
                409,
                "cutoff_passed",
                format!(
                    "Đã quá hạn hủy hoặc đổi lịch hẹn (hạn cuối {}).",
                    local_moment(*deadline)
                ),
                format!(
                    "It is too late to cancel or reschedule (the deadline was {}).",
                    local_moment(*deadline)
                ),
            ),
            BookingError::StatusChange { from, to } => PublicError::new(
                409,
                "invalid_status_change",
                format!(
                    "Không thể chuyển lịch hẹn từ trạng thái \"{}\" sang \"{}\".",
                    status_vi(*from),
                    status_vi(*to)
                ),
                format!(
                    "An appointment cannot go from \"{}\" to \"{}\".",
                    status_en(*from),
                    status_en(*to)
                ),
            ),
            BookingError::NoShowTooEarly { after } => PublicError::new(
                409,
                "no_show_too_early",
                format!("Chỉ ghi nhận vắng mặt sau {}.", local_moment(*after)),
                format!(
                    "A no-show can be recorded only after {}.",
                    local_moment(*after)
                ),
            ),
            BookingError::NotToday { date } => PublicError::new(
                409,
                "not_today",
                format!(
                    "Lịch hẹn này vào ngày {}, không phải hôm nay.",
                    date_dmy(*date)
                ),
                format!("This appointment is on {}, not today.", date_dmy(*date)),
            ),
            BookingError::SameSlot => PublicError::new(
                422,
                "same_slot",
                "Lịch hẹn đã ở đúng khung giờ này.".into(),
                "The appointment already holds this slot.".into(),
            ),
            BookingError::InvalidField(field) => PublicError::new(
                422,
                "invalid_field",
                format!("Trường `{field}` không hợp lệ."),
                format!("Field `{field}` is invalid."),
            ),
            BookingError::Internal(_) => PublicError::internal_error(),
            BookingError::Db(e) => e.public(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn refusals_keep_their_codes_and_classes() {
        let full = BookingError::SlotFull;
        assert_eq!((full.code(), full.status()), ("slot_full", 409));
        let holiday = BookingError::from(SlotRefusal::Holiday {
            date: date!(2026 - 02 - 17),
            name_vi: "Tết".into(),
            name_en: "Tết".into(),
        });
        assert_eq!((holiday.code(), holiday.status()), ("holiday", 422));
        assert!(holiday.message_vi().contains("17/02/2026"));
        let late = BookingError::CutoffPassed {
            deadline: datetime!(2026-03-10 02:00 UTC),
        };
        assert_eq!(late.status(), 409);
        assert!(
            late.message_vi().contains("09:00 10/03/2026"),
            "{}",
            late.message_vi()
        );
        let db = BookingError::Db(DbError::NotFound);
        assert_eq!((db.code(), db.status()), ("internal_error", 500));
    }
}
