use diesel::prelude::*;

use crate::db::ids::{AppointmentId, CopyId, OfficeId, RequestId, UserId};
use crate::db::schema::{certification_requests, certification_scans, office_practice};
use crate::db::{DbConn, DbResult};

/// One document brought to the desk, from reception to certification or refusal
/// (the states and their moves are in `crate::certification`).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = certification_requests)]
pub struct CertificationRequest {
    /// Request id.
    pub id: RequestId,
    /// The office.
    pub office_id: OfficeId,
    /// The appointment (or walk-in) it came with.
    pub appointment_id: AppointmentId,
    /// Place of the document on the appointment, from 1.
    pub position: i32,
    /// Requester's full name.
    pub requester_name: String,
    /// Requester's citizen ID.
    pub requester_citizen_id: String,
    /// The requester's account, when the appointment has one.
    pub requester_user_id: Option<UserId>,
    /// Title of the original.
    pub document_title: String,
    /// Pages of the original (the fee counts them).
    pub original_pages: i32,
    /// Copies requested.
    pub copies: i32,
    /// Stored state (`crate::certification::RequestState`).
    pub state: String,
    /// Local date the result is due.
    pub result_date: time::Date,
    /// Fee, VND (Circular 226/2016/TT-BTC).
    pub fee_vnd: i64,
    /// When the fee was paid at the desk.
    pub fee_paid_at: Option<time::PrimitiveDateTime>,
    /// `cash` or `transfer`.
    pub fee_payment_method: Option<String>,
    /// Receipt number.
    pub fee_receipt_no: Option<String>,
    /// Clerk who received the original.
    pub received_by: UserId,
    /// When it was received (UTC).
    pub received_at: time::PrimitiveDateTime,
    /// Who uploaded the scans.
    pub scanned_by: Option<UserId>,
    /// The comparison checklist confirmed at hand-over (JSON).
    pub checklist: Option<String>,
    /// When the clerk handed it to the officials.
    pub handed_over_at: Option<time::PrimitiveDateTime>,
    /// Why an official sent it back (the latest time).
    pub returned_reason: Option<String>,
    /// Ground of a refusal.
    pub refusal_ground: Option<String>,
    /// The refusal's free text.
    pub refusal_detail: Option<String>,
    /// SHA-256 of the signed refusal notice in the blob store.
    pub refusal_notice_sha256: Option<String>,
    /// Who certified or refused it.
    pub decided_by: Option<UserId>,
    /// When.
    pub decided_at: Option<time::PrimitiveDateTime>,
    /// The register line of a certification in progress (its number is allocated).
    pub certifying_entry_id: Option<CopyId>,
    /// The register line of the certified copy.
    pub register_entry_id: Option<CopyId>,
    /// Incremented on every change.
    pub revision: i32,
    /// Creation time (UTC).
    pub created_at: time::PrimitiveDateTime,
    /// Last change (UTC).
    pub updated_at: time::PrimitiveDateTime,
}

impl CertificationRequest {
    /// Finds a request by id.
    pub fn find(conn: &mut DbConn, id: &RequestId) -> DbResult<Option<CertificationRequest>> {
        Ok(certification_requests::table
            .find(id)
            .select(CertificationRequest::as_select())
            .first(conn)
            .optional()?)
    }

    /// The requests of an appointment, in document order.
    pub fn of_appointment(
        conn: &mut DbConn,
        appointment: &AppointmentId,
    ) -> DbResult<Vec<CertificationRequest>> {
        Ok(certification_requests::table
            .filter(certification_requests::appointment_id.eq(appointment))
            .order(certification_requests::position.asc())
            .select(CertificationRequest::as_select())
            .load(conn)?)
    }
}

/// One scanned file of a request, in page order.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = certification_scans)]
pub struct CertificationScan {
    /// The request.
    pub request_id: RequestId,
    /// Order among the request's files, from 1.
    pub position: i32,
    /// File name as uploaded.
    pub file_name: String,
    /// SHA-256 of the file (its key in the blob store).
    pub sha256: String,
    /// Size, bytes.
    pub size_bytes: i64,
    /// Pages the file holds.
    pub pages: i32,
    /// Who uploaded it.
    pub uploaded_by: UserId,
    /// When (UTC).
    pub uploaded_at: time::PrimitiveDateTime,
}

impl CertificationScan {
    /// The files of a request, in order.
    pub fn of_request(conn: &mut DbConn, id: &RequestId) -> DbResult<Vec<CertificationScan>> {
        Ok(certification_scans::table
            .filter(certification_scans::request_id.eq(id))
            .order(certification_scans::position.asc())
            .select(CertificationScan::as_select())
            .load(conn)?)
    }
}

/// How an office works: whether one person may both scan and certify.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = office_practice)]
pub struct OfficePractice {
    /// The office.
    pub office_id: OfficeId,
    /// One-person operation (small communes).
    pub single_person_operation: bool,
    /// Who set it.
    pub updated_by: Option<UserId>,
    /// When (UTC).
    pub updated_at: time::PrimitiveDateTime,
}

impl OfficePractice {
    /// Whether the office works with one person (false when never set).
    pub fn single_person(conn: &mut DbConn, office: &OfficeId) -> DbResult<bool> {
        Ok(office_practice::table
            .find(office)
            .select(office_practice::single_person_operation)
            .first::<bool>(conn)
            .optional()?
            .unwrap_or(false))
    }
}
