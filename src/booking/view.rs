//! Appointments and offices as the API shows them.

use std::str::FromStr;

use serde::Serialize;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

use super::booking_code::BookingCode;
use super::calendar::OfficeCalendar;
use super::error::BookingError;
use super::ics::CalendarEvent;
use crate::db::ids::{AppointmentId, OfficeId};
use crate::db::models::{Appointment, AppointmentStatus, Office};
use crate::fees::{DocumentRequest, FeeEstimate, fee_estimate};
use crate::local_time::serde_formats::{iso_date, offset_timestamp, utc_timestamp};
use crate::local_time::{from_utc_primitive, local_display, to_local};

/// An office as shown next to its appointments and in the office search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OfficeSummary {
    /// Office id.
    pub id: OfficeId,
    /// Name, e.g. "UBND Phường Bến Nghé".
    pub name: String,
    /// Kind (`commune_committee`, `district_justice`, `notary`).
    pub kind: String,
    /// Province or centrally-run city.
    pub province: String,
    /// District.
    pub district: String,
    /// Street address.
    pub address: String,
}

impl From<&Office> for OfficeSummary {
    fn from(office: &Office) -> Self {
        OfficeSummary {
            id: office.id.clone(),
            name: office.name.clone(),
            kind: office.kind.clone(),
            province: office.province.clone(),
            district: office.district.clone(),
            address: office.address.clone(),
        }
    }
}

/// Who looks at an appointment: decides whether the citizen ID number is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The signed-in citizen who booked it.
    Owner,
    /// Whoever holds the manage link (not necessarily the citizen: no ID number).
    ManageLink,
    /// Staff of the office (they check the ID card against it).
    Desk,
}

/// One appointment.
#[derive(Debug, Clone, Serialize)]
pub struct AppointmentView {
    /// Appointment id.
    pub id: AppointmentId,
    /// Booking code, grouped (`K7QM-3XPA`).
    pub booking_code: BookingCode,
    /// Status.
    pub status: AppointmentStatus,
    /// Created at the desk for a citizen without a booking.
    pub walk_in: bool,
    /// The office.
    pub office: OfficeSummary,
    /// Requester's full name.
    pub requester_name: String,
    /// Requester's citizen ID number (owner and desk only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requester_citizen_id: Option<String>,
    /// Slot start, UTC.
    #[serde(with = "utc_timestamp")]
    pub slot_start: PrimitiveDateTime,
    /// Slot end, UTC.
    #[serde(with = "utc_timestamp")]
    pub slot_end: PrimitiveDateTime,
    /// Slot start in Viet Nam local time (`+07:00`).
    #[serde(with = "offset_timestamp")]
    pub slot_start_local: OffsetDateTime,
    /// Local date of the slot.
    #[serde(with = "iso_date")]
    pub local_date: Date,
    /// Documents to certify.
    pub documents: Vec<DocumentRequest>,
    /// Itemised fee estimate (Circular 226/2016/TT-BTC).
    pub fee: FeeEstimate,
    /// Expected result date (Decree 23/2015/NĐ-CP, Art. 7 and 21).
    #[serde(with = "iso_date")]
    pub expected_result_date: Date,
    /// While booked: the last moment the citizen may cancel or reschedule.
    #[serde(with = "offset_timestamp::option")]
    pub changeable_until: Option<OffsetDateTime>,
    /// Revision, increased on every change.
    pub revision: i32,
    /// Creation time, UTC.
    #[serde(with = "utc_timestamp")]
    pub created_at: PrimitiveDateTime,
    /// Last change, UTC.
    #[serde(with = "utc_timestamp")]
    pub updated_at: PrimitiveDateTime,
    /// Check-in time, UTC.
    #[serde(with = "utc_timestamp::option")]
    pub checked_in_at: Option<PrimitiveDateTime>,
}

impl AppointmentView {
    /// The view of `appointment` at `office` (whose calendar gives the cutoff) for
    /// `audience`. Fails only on a corrupted stored row.
    pub fn new(
        appointment: &Appointment,
        office: &Office,
        calendar: &OfficeCalendar,
        audience: Audience,
    ) -> Result<AppointmentView, BookingError> {
        let documents: Vec<DocumentRequest> = serde_json::from_str(&appointment.documents)
            .map_err(|e| BookingError::Internal(format!("appointment documents: {e}")))?;
        let fee = fee_estimate(&documents)
            .map_err(|e| BookingError::Internal(format!("appointment documents: {e}")))?;
        let booking_code = BookingCode::from_str(&appointment.booking_code)
            .map_err(|e| BookingError::Internal(format!("booking code: {e}")))?;
        let start = from_utc_primitive(appointment.slot_start);
        let status = appointment.status();
        let changeable_until = (status == AppointmentStatus::Booked)
            .then(|| calendar.cancellation_deadline(start))
            .flatten()
            .and_then(to_local);
        Ok(AppointmentView {
            id: appointment.id.clone(),
            booking_code,
            status,
            walk_in: appointment.walk_in,
            office: OfficeSummary::from(office),
            requester_name: appointment.requester_name.clone(),
            requester_citizen_id: (audience != Audience::ManageLink)
                .then(|| appointment.requester_citizen_id.clone()),
            slot_start: appointment.slot_start,
            slot_end: appointment.slot_end,
            slot_start_local: to_local(start).unwrap_or(start),
            local_date: appointment.local_date,
            documents,
            fee,
            expected_result_date: appointment.expected_result_date,
            changeable_until,
            revision: appointment.revision,
            created_at: appointment.created_at,
            updated_at: appointment.updated_at,
            checked_in_at: appointment.checked_in_at,
        })
    }

    /// The appointment as an iCalendar event, stamped `now`.
    pub fn calendar_event(&self, now: OffsetDateTime) -> CalendarEvent {
        let documents = self
            .documents
            .iter()
            .map(|d| format!("- {} ({} trang × {} bản)", d.title, d.pages, d.copies))
            .collect::<Vec<_>>()
            .join("\n");
        let description = format!(
            "Mã đặt lịch / Booking code: {code}\n\
             Giờ hẹn / Time: {when}\n\
             Giấy tờ / Documents:\n{documents}\n\
             Lệ phí dự kiến / Estimated fee: {fee}\n\
             Ngày trả kết quả dự kiến / Expected result: {result}\n\
             Mang theo bản chính và căn cước / Bring the originals and your ID card.",
            code = self.booking_code,
            when = local_display(self.slot_start),
            fee = self.fee.total,
            result = self.expected_result_date,
        );
        CalendarEvent {
            uid: format!("{}@certcopy", self.id),
            sequence: self.revision,
            start_utc: self.slot_start,
            end_utc: self.slot_end,
            stamp: now,
            last_modified: self.updated_at,
            summary: format!(
                "Hẹn chứng thực bản sao / Certified copy appointment – {} ({})",
                self.office.name, self.booking_code
            ),
            location: self.office.address.clone(),
            description,
            cancelled: self.status == AppointmentStatus::Cancelled,
        }
    }
}
