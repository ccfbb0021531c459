//! Certification requests in the database: opening them at check-in, the desk's moves,
//! fees, the officials' review queue, and the claim/publish hooks of certification. Every
//! move is a conditional update on the expected state, audited in the same transaction.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

use super::{CertificationError, PaymentMethod, RefusalGround, RequestState};
use crate::audit::{self, Actor, AuditEvent};
use crate::booking::{HolidayCalendar, OfficeCalendar, expected_result_date};
use crate::db::ids::{CopyId, OfficeId, RequestId, UserId};
use crate::db::models::{
    Appointment, CertificationRequest, CertificationScan, Office, OfficePractice, RegisterEntry,
    Role,
};
use crate::db::schema::{certification_requests, certification_scans, office_practice};
use crate::db::{DbConn, now_utc, write_transaction};
use crate::fees::DocumentRequest;
use crate::local_time::serde_formats::iso_date;
use crate::registry::register::copy_fee_vnd;

/// Longest free text (refusal detail, reason for sending back, receipt number).
pub const MAX_TEXT_CHARS: usize = 1_000;
/// Most requests in one listing page.
pub const MAX_LIST: i64 = 200;

/// A scanned file as shown to staff.
#[derive(Debug, Clone, Serialize)]
pub struct ScanView {
    /// Order, from 1.
    pub position: i32,
    /// File name as uploaded.
    pub file_name: String,
    /// SHA-256.
    pub sha256: String,
    /// Size, bytes.
    pub size_bytes: i64,
    /// Pages in the file.
    pub pages: i32,
}

impl From<&CertificationScan> for ScanView {
    fn from(scan: &CertificationScan) -> Self {
        ScanView {
            position: scan.position,
            file_name: scan.file_name.clone(),
            sha256: scan.sha256.clone(),
            size_bytes: scan.size_bytes,
            pages: scan.pages,
        }
    }
}

/// The comparison the clerk confirms before handing a request over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    /// The pages of the original were counted and match the scans.
    pub pages_counted: bool,
    /// No erasure or alteration was seen on the original.
    pub no_erasure_seen: bool,
    /// The original itself was shown (not a copy).
    pub original_shown: bool,
}

/// A payment recorded at the desk.
#[derive(Debug, Clone, Serialize)]
pub struct Payment {
    /// `cash` or `transfer`.
    pub method: String,
    /// Receipt number.
    pub receipt_no: Option<String>,
    /// When (UTC, RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub paid_at: OffsetDateTime,
}

/// A change of a fee by an official.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeeChange {
    /// The new fee, VND.
    pub fee_vnd: i64,
    /// Why.
    pub reason: String,
}

/// A refusal as shown.
#[derive(Debug, Clone, Serialize)]
pub struct RefusalView {
    /// The ground's code.
    pub ground: RefusalGround,
    /// The ground in Vietnamese.
    pub ground_vi: &'static str,
    /// The ground in English.
    pub ground_en: &'static str,
    /// The legal basis.
    pub legal_basis: String,
    /// The free text.
    pub detail: Option<String>,
    /// Whether the signed notice can be downloaded.
    pub notice_available: bool,
}

/// A request as staff (and, for their own, the citizen) see it.
#[derive(Debug, Clone, Serialize)]
pub struct RequestView {
    /// Request id.
    pub id: RequestId,
    /// The office.
    pub office_id: OfficeId,
    /// Its appointment.
    pub appointment_id: String,
    /// Place among the appointment's documents.
    pub position: i32,
    /// Requester.
    pub requester_name: String,
    /// Requester's citizen ID.
    pub requester_citizen_id: String,
    /// Title of the original.
    pub document_title: String,
    /// Pages of the original.
    pub original_pages: i32,
    /// Copies requested.
    pub copies: i32,
    /// State.
    pub state: RequestState,
    /// Result due (local date).
    #[serde(with = "iso_date")]
    pub result_date: Date,
    /// Fee, VND.
    pub fee_vnd: i64,
    /// The payment, once recorded.
    pub payment: Option<Payment>,
    /// Clerk who received it.
    pub received_by: UserId,
    /// When (UTC, RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    /// Who uploaded the scans.
    pub scanned_by: Option<UserId>,
    /// The scans, in order.
    pub scans: Vec<ScanView>,
    /// Pages in all the scans.
    pub scanned_pages: i64,
    /// The confirmed checklist.
    pub checklist: Option<Checklist>,
    /// Why an official sent it back (the latest time).
    pub returned_reason: Option<String>,
    /// The refusal.
    pub refusal: Option<RefusalView>,
    /// Who certified or refused.
    pub decided_by: Option<UserId>,
    /// The certified copy (register entry id).
    pub copy_id: Option<CopyId>,
    /// Changes so far.
    pub revision: i32,
}

fn utc(at: PrimitiveDateTime) -> OffsetDateTime {
    at.assume_utc()
}

impl RequestView {
    /// The view of a row and its scans.
    pub fn new(row: &CertificationRequest, scans: &[CertificationScan]) -> RequestView {
        let state = RequestState::parse(&row.state).unwrap_or(RequestState::Received);
        let refusal = row
            .refusal_ground
            .as_deref()
            .and_then(RefusalGround::parse)
            .map(|ground| RefusalView {
                ground,
                ground_vi: ground.text_vi(),
                ground_en: ground.text_en(),
                legal_basis: ground.legal_basis_vi(),
                detail: row.refusal_detail.clone(),
                notice_available: row.refusal_notice_sha256.is_some(),
            });
        RequestView {
            id: row.id.clone(),
            office_id: row.office_id.clone(),
            appointment_id: row.appointment_id.to_string(),
            position: row.position,
            requester_name: row.requester_name.clone(),
            requester_citizen_id: row.requester_citizen_id.clone(),
            document_title: row.document_title.clone(),
            original_pages: row.original_pages,
            copies: row.copies,
            state,
            result_date: row.result_date,
            fee_vnd: row.fee_vnd,
            payment: match (&row.fee_payment_method, row.fee_paid_at) {
                (Some(method), Some(paid_at)) => Some(Payment {
                    method: method.clone(),
                    receipt_no: row.fee_receipt_no.clone(),
                    paid_at: utc(paid_at),
                }),
                _ => None,
            },
            received_by: row.received_by.clone(),
            received_at: utc(row.received_at),
            scanned_by: row.scanned_by.clone(),
            scans: scans.iter().map(ScanView::from).collect(),
            scanned_pages: scans.iter().map(|scan| i64::from(scan.pages)).sum(),
            checklist: row
                .checklist
                .as_deref()
                .and_then(|text| serde_json::from_str(text).ok()),
            returned_reason: row.returned_reason.clone(),
            refusal,
            decided_by: row.decided_by.clone(),
            copy_id: row.register_entry_id.clone(),
            revision: row.revision,
        }
    }
}

/// The state of a stored row.
pub fn state_of(row: &CertificationRequest) -> RequestState {
    RequestState::parse(&row.state).unwrap_or(RequestState::Received)
}

/// Opens one request per document of a checked-in appointment (inside the check-in's
/// transaction). The result date follows the booking rules from the time of reception, for
/// the pages of the whole appointment; the fee is per document (Circular 226/2016).
/// Returns how many were opened (none when the appointment already has them).
#[allow(clippy::too_many_arguments)]
pub fn open_for_appointment(
    conn: &mut DbConn,
    appointment: &Appointment,
    calendar: &OfficeCalendar,
    holidays: &HolidayCalendar,
    received_at: OffsetDateTime,
    clerk: &Actor,
    request_id: Option<&str>,
) -> Result<usize, CertificationError> {
    if !CertificationRequest::of_appointment(conn, &appointment.id)?.is_empty() {
        return Ok(0);
    }
    let documents: Vec<DocumentRequest> = serde_json::from_str(&appointment.documents)
        .map_err(|e| CertificationError::Notice(format!("appointment documents: {e}")))?;
    let certified_pages = u64::try_from(appointment.certified_pages).unwrap_or(0);
    let result_date = expected_result_date(calendar, holidays, received_at, certified_pages)?;
    let now = now_utc();
    let received = crate::local_time::to_utc_primitive(received_at).ok_or_else(|| {
        CertificationError::invalid("received_at", "thời điểm không hợp lệ", "invalid time")
    })?;
    for (index, document) in documents.iter().enumerate() {
        let row = CertificationRequest {
            id: RequestId::generate(),
            office_id: appointment.office_id.clone(),
            appointment_id: appointment.id.clone(),
            position: i32::try_from(index + 1).unwrap_or(i32::MAX),
            requester_name: appointment.requester_name.clone(),
            requester_citizen_id: appointment.requester_citizen_id.clone(),
            requester_user_id: appointment.user_id.clone(),
            document_title: document.title.clone(),
            original_pages: i32::try_from(document.pages).unwrap_or(i32::MAX),
            copies: i32::try_from(document.copies).unwrap_or(i32::MAX),
            state: RequestState::Received.as_str().to_owned(),
            result_date,
            fee_vnd: copy_fee_vnd(document.pages, document.copies),
            fee_paid_at: None,
            fee_payment_method: None,
            fee_receipt_no: None,
            received_by: clerk.id.clone(),
            received_at: received,
            scanned_by: None,
            checklist: None,
            handed_over_at: None,
            returned_reason: None,
            refusal_ground: None,
            refusal_detail: None,
            refusal_notice_sha256: None,
            decided_by: None,
            decided_at: None,
            certifying_entry_id: None,
            register_entry_id: None,
            revision: 0,
            created_at: now,
            updated_at: now,
        };
        diesel::insert_into(certification_requests::table)
            .values(&row)
            .execute(conn)?;
        let event = AuditEvent {
            action: "certification.receive",
            target: Some(row.id.to_string()),
            office_id: Some(row.office_id.clone()),
            detail: json!({
                "appointment": appointment.id.to_string(),
                "position": row.position,
                "pages": row.original_pages,
                "copies": row.copies,
                "fee_vnd": row.fee_vnd,
                "result_date": row.result_date.to_string(),
            }),
        };
        audit::record(conn, Some(clerk), event, request_id)?;
    }
    Ok(documents.len())
}

/// The office of a desk actor.
pub fn staff_office(actor: &Actor) -> Result<&OfficeId, CertificationError> {
    match (actor.role, actor.office_id.as_ref()) {
        (Role::Clerk | Role::Official, Some(office)) => Ok(office),
        _ => Err(CertificationError::Forbidden),
    }
}

/// A request of the actor's office (others are not found).
pub fn load_at_office(
    conn: &mut DbConn,
    actor: &Actor,
    id: &RequestId,
) -> Result<CertificationRequest, CertificationError> {
    let office = staff_office(actor)?;
    CertificationRequest::find(conn, id)?
        .filter(|row| &row.office_id == office)
        .ok_or(CertificationError::NotFound)
}

/// The view of one request of the actor's office.
pub fn view_at_office(
    conn: &mut DbConn,
    actor: &Actor,
    id: &RequestId,
) -> Result<RequestView, CertificationError> {
    let row = load_at_office(conn, actor, id)?;
    let scans = CertificationScan::of_request(conn, id)?;
    Ok(RequestView::new(&row, &scans))
}

/// What a listing asks for.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// Only these states.
    pub states: Vec<RequestState>,
    /// Only requests received on this local date.
    pub received_on: Option<Date>,
    /// Only the requests of this appointment.
    pub appointment: Option<crate::db::ids::AppointmentId>,
}

/// The requests of the actor's office matching `filter`, oldest result date first (the
/// officials' review queue is `states = [awaiting_certification]`).
pub fn list_at_office(
    conn: &mut DbConn,
    actor: &Actor,
    filter: &RequestFilter,
) -> Result<Vec<RequestView>, CertificationError> {
    let office = staff_office(actor)?;
    let mut query = certification_requests::table
        .filter(certification_requests::office_id.eq(office))
        .into_boxed();
    if !filter.states.is_empty() {
        let states: Vec<&str> = filter.states.iter().map(|s| s.as_str()).collect();
        query = query.filter(certification_requests::state.eq_any(states));
    }
    if let Some(day) = filter.received_on {
        let start =
            crate::local_time::local_to_utc(PrimitiveDateTime::new(day, time::Time::MIDNIGHT))
                .ok_or_else(|| {
                    CertificationError::invalid("date", "ngày không hợp lệ", "invalid date")
                })?;
        let end = start + time::Duration::days(1);
        query = query
            .filter(certification_requests::received_at.ge(start))
            .filter(certification_requests::received_at.lt(end));
    }
    if let Some(appointment) = &filter.appointment {
        query = query.filter(certification_requests::appointment_id.eq(appointment));
    }
    let rows: Vec<CertificationRequest> = query
        .order((
            certification_requests::result_date.asc(),
            certification_requests::received_at.asc(),
            certification_requests::position.asc(),
        ))
        .limit(MAX_LIST)
        .select(CertificationRequest::as_select())
        .load(conn)?;
    views_of(conn, &rows)
}

/// The views of `rows`, their scans read in one query.
pub fn views_of(
    conn: &mut DbConn,
    rows: &[CertificationRequest],
) -> Result<Vec<RequestView>, CertificationError> {
    let ids: Vec<&RequestId> = rows.iter().map(|row| &row.id).collect();
    let mut scans: std::collections::HashMap<RequestId, Vec<CertificationScan>> =
        std::collections::HashMap::new();
    for scan in certification_scans::table
        .filter(certification_scans::request_id.eq_any(ids))
        .order((
            certification_scans::request_id.asc(),
            certification_scans::position.asc(),
        ))
        .select(CertificationScan::as_select())
        .load::<CertificationScan>(conn)?
    {
        scans.entry(scan.request_id.clone()).or_default().push(scan);
    }
    Ok(rows
        .iter()
        .map(|row| RequestView::new(row, scans.get(&row.id).map_or(&[][..], Vec::as_slice)))
        .collect())
}

/// One move of a request: the states it may start from, what it is called in a refusal
/// and in the audit log, and the audit details.
struct Move<'a> {
    from: &'a [RequestState],
    action: &'static str,
    audit_action: &'static str,
    detail: serde_json::Value,
}

/// Makes `step` on `row`, setting its columns through `apply` (a conditional update on
/// the state and revision it was read in), and audits it. A request in any other state is
/// refused with [`CertificationError::IllegalTransition`].
fn transition<F>(
    conn: &mut DbConn,
    row: &CertificationRequest,
    step: Move<'_>,
    actor: &Actor,
    request_id: Option<&str>,
    apply: F,
) -> Result<(), CertificationError>
where
    F: FnOnce(&mut DbConn, PrimitiveDateTime) -> Result<usize, CertificationError>,
{
    let Move {
        from,
        action,
        audit_action,
        detail,
    } = step;
    let current = state_of(row);
    if !from.contains(&current) {
        return Err(CertificationError::IllegalTransition {
            from: current,
            action,
        });
    }
    let now = now_utc();
    let changed = apply(conn, now)?;
    if changed != 1 {
        // Someone else moved it first: report the state it is in now.
        let now_state =
            CertificationRequest::find(conn, &row.id)?.map_or(current, |fresh| state_of(&fresh));
        return Err(CertificationError::IllegalTransition {
            from: now_state,
            action,
        });
    }
    let event = AuditEvent {
        action: audit_action,
        target: Some(row.id.to_string()),
        office_id: Some(row.office_id.clone()),
        detail,
    };
    audit::record(conn, Some(actor), event, request_id)?;
    Ok(())
}

/// The target of a conditional update: this request, in the state and at the revision it
/// was read in.
macro_rules! same_row {
    ($row:expr) => {
        certification_requests::table
            .filter(certification_requests::id.eq(&$row.id))
            .filter(certification_requests::state.eq(&$row.state))
            .filter(certification_requests::revision.eq($row.revision))
    };
}

/// A scanned file to record (already stored in the blob store).
#[derive(Debug, Clone)]
pub struct StoredScan {
    /// File name.
    pub file_name: String,
    /// SHA-256 (blob key).
    pub sha256: String,
    /// Size, bytes.
    pub size_bytes: i64,
    /// Pages.
    pub pages: i32,
}

/// Records scans on a request (`replace`: instead of the ones it has), moving it to
/// `scanned`. Allowed while received or scanned (before hand-over, or after a send-back).
pub fn record_scans(
    conn: &mut DbConn,
    actor: &Actor,
    id: &RequestId,
    files: &[StoredScan],
    replace: bool,
    max_pages: u32,
    request_id: Option<&str>,
) -> Result<RequestView, CertificationError> {
    write_transaction(conn, |conn| {
        let row = load_at_office(conn, actor, id)?;
        let existing = if replace {
            Vec::new()
        } else {
            CertificationScan::of_request(conn, id)?
        };
        let pages: i64 = existing
            .iter()
            .map(|scan| i64::from(scan.pages))
            .chain(files.iter().map(|file| i64::from(file.pages)))
            .sum();
        if pages > i64::from(max_pages) {
            return Err(CertificationError::invalid(
                "scans",
                &format!("tổng số trang vượt quá {max_pages}"),
                &format!("more than {max_pages} pages in all"),
            ));
        }
        let detail = json!({
            "files": files.iter().map(|f| json!({"name": f.file_name, "sha256": f.sha256, "pages": f.pages})).collect::<Vec<_>>(),
            "replace": replace,
        });
        let actor_id = actor.id.clone();
        let first = i32::try_from(existing.len()).unwrap_or(i32::MAX);
        transition(
            conn,
            &row,
            Move {
                from: &[RequestState::Received, RequestState::Scanned],
                action: "scan",
                audit_action: "certification.scan",
                detail,
            },
            actor,
            request_id,
            |conn, now| {
                let changed = diesel::update(same_row!(row))
                    .set((
                        certification_requests::state.eq(RequestState::Scanned.as_str()),
                        certification_requests::scanned_by.eq(Some(&actor_id)),
                        certification_requests::revision.eq(row.revision + 1),
                        certification_requests::updated_at.eq(now),
                    ))
                    .execute(conn)?;
                if changed == 1 {
                    if replace {
                        diesel::delete(
                            certification_scans::table
                                .filter(certification_scans::request_id.eq(id)),
                        )
                        .execute(conn)?;
                    }
                    for (offset, file) in files.iter().enumerate() {
                        let scan = CertificationScan {
                            request_id: id.clone(),
                            position: first + i32::try_from(offset + 1).unwrap_or(i32::MAX),
                            file_name: file.file_name.clone(),
                            sha256: file.sha256.clone(),
                            size_bytes: file.size_bytes,
                            pages: file.pages,
                            uploaded_by: actor_id.clone(),
                            uploaded_at: now,
                        };
                        diesel::insert_into(certification_scans::table)
                            .values(&scan)
                            .execute(conn)?;
                    }
                }
                Ok(changed)
            },
        )?;
        view_at_office(conn, actor, id)
    })
}

/// Puts the scans in a new order (`order` lists every current position once) or, with
/// fewer positions, keeps only those listed, in that order.
pub fn reorder_scans(
    conn: &mut DbConn,
    actor: &Actor,
    id: &RequestId,
    order: &[i32],
    request_id: Option<&str>,
) -> Result<RequestView, CertificationError> {
    write_transaction(conn, |conn| {
        let row = load_at_office(conn, actor, id)?;
        let scans = CertificationScan::of_request(conn, id)?;
        let mut seen = std::collections::BTreeSet::new();
        let valid = !order.is_empty()
            && order.iter().all(|position| {
                seen.insert(*position) && scans.iter().any(|scan| scan.position == *position)
            });
        if !valid {
            return Err(CertificationError::invalid(
                "order",
                "danh sách vị trí phải gồm các bản quét hiện có, mỗi bản một lần",
                "list existing scan positions, each once",
            ));
        }
        transition(
            conn,
            &row,
            Move {
                from: &[RequestState::Scanned],
                action: "reorder",
                audit_action: "certification.reorder",
                detail: json!({ "order": order }),
            },
            actor,
            request_id,
            |conn, now| {
                let changed = diesel::update(same_row!(row))
                    .set((
                        certification_requests::revision.eq(row.revision + 1),
                        certification_requests::updated_at.eq(now),
                    ))
                    .execute(conn)?;
                if changed == 1 {
                    diesel::delete(
                        certification_scans::table.filter(certification_scans::request_id.eq(id)),
                    )
                    .execute(conn)?;
                    for (index, position) in order.iter().enumerate() {
                        if let Some(scan) = scans.iter().find(|scan| scan.position == *position) {
                            let moved = CertificationScan {
                                position: i32::try_from(index + 1).unwrap_or(i32::MAX),
                                ..scan.clone()
                            };
                            diesel::insert_into(certification_scans::table)
                                .values(&moved)
                                .execute(conn)?;
                        }
                    }
                }
                Ok(changed)
            },
        )?;
        view_at_office(conn, actor, id)
    })
}

/// The clerk confirms the comparison and hands the request to the officials.
pub fn hand_over(
    conn: &mut DbConn,
    actor: &Actor,
    id: &RequestId,
    checklist: Checklist,
    request_id: Option<&str>,
) -> Result<RequestView, CertificationError> {
    if !(checklist.pages_counted && checklist.no_erasure_seen && checklist.original_shown) {
        return Err(CertificationError::ChecklistIncomplete);
    }
    let stored = serde_json::to_string(&checklist)
        .map_err(|e| CertificationError::Notice(format!("checklist: {e}")))?;
    write_transaction(conn, |conn| {
        let row = load_at_office(conn, actor, id)?;
        if state_of(&row) == RequestState::Scanned
            && CertificationScan::of_request(conn, id)?.is_empty()
        {
            return Err(CertificationError::invalid(
                "scans",
                "chưa có bản quét",
                "no scans yet",
            ));
        }
        transition(
            conn,
            &row,
            Move {
                from: &[RequestState::Scanned],
                action: "hand_over",
                audit_action: "certification.hand_over",
                detail: json!({ "checklist": checklist }),
            },
            actor,
            request_id,
            |conn, now| {
                Ok(diesel::update(same_row!(row))
                    .set((
                        certification_requests::state
                            .eq(RequestState::AwaitingCertification.as_str()),
                        certification_requests::checklist.eq(Some(&stored)),
                        certification_requests::handed_over_at.eq(Some(now)),
                        certification_requests::revision.eq(row.revision + 1),
                        certification_requests::updated_at.eq(now),
                    ))
                    .execute(conn)?)
            },
        )?;
        view_at_office(conn, actor, id)
    })
}

/// Trims free text and bounds its length; empty gives `None`.
pub fn bounded_text(
    field: &'static str,
    text: Option<&str>,
    required: bool,
) -> Result<Option<String>, CertificationError> {
    let text = text
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty());
    match text {
        None if required => Err(CertificationError::invalid(
            field,
            "không được để trống",
            "must not be empty",
        )),
        Some(t) if t.chars().count() > MAX_TEXT_CHARS => Err(CertificationError::invalid(
            field,
            &format!("dài quá {MAX_TEXT_CHARS} ký tự"),
            &format!("longer than {MAX_TEXT_CHARS} characters"),
        )),
        Some(t) => {
            crate::identity::normalize_display_text(&t).map_err(|_| {
                CertificationError::invalid(
                    field,
                    "có ký tự không được phép",
                    "contains characters that are not allowed",
                )
            })?;
            Ok(Some(t))
        }
        None => Ok(None),
    }
}

/// Records a refusal with its ground, free text and the stored notice.
#[allow(clippy::too_many_arguments)]
pub fn record_refusal(
    conn: &mut DbConn,
    actor: &Actor,
    row: &CertificationRequest,
    ground: RefusalGround,
    detail: Option<&str>,
    notice_sha256: &str,
    request_id: Option<&str>,
) -> Result<RequestView, CertificationError> {
    write_transaction(conn, |conn| {
        let actor_id = actor.id.clone();
        transition(
            conn,
            row,
            Move {
                from: &[
                    RequestState::Received,
                    RequestState::Scanned,
                    RequestState::AwaitingCertification,
                ],
                action: "refuse",
                audit_action: "certification.refuse",
                detail: json!({ "ground": ground, "detail": detail, "notice_sha256": notice_sha256 }),
            },
            actor,
            request_id,
            |conn, now| {
                Ok(diesel::update(same_row!(row))
                    .filter(certification_requests::certifying_entry_id.is_null())
                    .set((
                        certification_requests::state.eq(RequestState::Refused.as_str()),
                        certification_requests::refusal_ground.eq(Some(ground.as_str())),
                        certification_requests::refusal_detail.eq(detail),
                        certification_requests::refusal_notice_sha256.eq(Some(notice_sha256)),
                        certification_requests::decided_by.eq(Some(&actor_id)),
                        certification_requests::decided_at.eq(Some(now)),
                        certification_requests::revision.eq(row.revision + 1),
                        certification_requests::updated_at.eq(now),
                    ))
                    .execute(conn)?)
            },
        )?;
        let logged = crate::transparency::LogEvent::other(
            "certification.refuse",
            row.office_id.as_str(),
            &row.id.to_string(),
            json!({ "ground": ground, "notice_sha256": notice_sha256 }),
        );
        crate::transparency::append(conn, &logged)?;
        view_at_office(conn, actor, &row.id)
    })
}

/// An official sends a request back to the desk with a reason.
pub fn send_back(
    conn: &mut DbConn,
    official: &Actor,
    id: &RequestId,
    reason: &str,
    request_id: Option<&str>,
) -> Result<RequestView, CertificationError> {
    if official.role != Role::Official {
        return Err(CertificationError::Forbidden);
    }
    let reason = bounded_text("reason", Some(reason), true)?.unwrap_or_default();
    write_transaction(conn, |conn| {
        let row = load_at_office(conn, official, id)?;
        transition(
            conn,
            &row,
            Move {
                from: &[RequestState::AwaitingCertification],
                action: "send_back",
                audit_action: "certification.send_back",
                detail: json!({ "reason": reason }),
            },
            official,
            request_id,
            |conn, now| {
                Ok(diesel::update(same_row!(row))
                    .filter(certification_requests::certifying_entry_id.is_null())
                    .set((
                        certification_requests::state.eq(RequestState::Scanned.as_str()),
                        certification_requests::returned_reason.eq(Some(&reason)),
                        certification_requests::handed_over_at.eq(None::<PrimitiveDateTime>),
                        certification_requests::checklist.eq(None::<String>),
                        certification_requests::revision.eq(row.revision + 1),
                        certification_requests::updated_at.eq(now),
                    ))
                    .execute(conn)?)
            },
        )?;
        view_at_office(conn, official, id)
    })
}

/// The citizen takes the original back before a decision.
pub fn withdraw(
    conn: &mut DbConn,
    actor: &Actor,
    id: &RequestId,
    request_id: Option<&str>,
) -> Result<RequestView, CertificationError> {
    write_transaction(conn, |conn| {
        let row = load_at_office(conn, actor, id)?;
        transition(
            conn,
            &row,
            Move {
                from: &[
                    RequestState::Received,
                    RequestState::Scanned,
                    RequestState::AwaitingCertification,
                ],
                action: "withdraw",
                audit_action: "certification.withdraw",
                detail: json!({}),
            },
            actor,
            request_id,
            |conn, now| {
                Ok(diesel::update(same_row!(row))
                    .filter(certification_requests::certifying_entry_id.is_null())
                    .set((
                        certification_requests::state.eq(RequestState::Withdrawn.as_str()),
                        certification_requests::revision.eq(row.revision + 1),
                        certification_requests::updated_at.eq(now),
                    ))
                    .execute(conn)?)
            },
        )?;
        view_at_office(conn, actor, id)
    })
}

/// Records the fee as paid at the desk (once; a later change needs an official, see
/// [`change_fee`]). Allowed in every state but withdrawn.
pub fn record_payment(
    conn: &mut DbConn,
    actor: &Actor,
    id: &RequestId,
    method: PaymentMethod,
    receipt_no: Option<&str>,
    request_id: Option<&str>,
) -> Result<RequestView, CertificationError> {
    let receipt_no = bounded_text("receipt_no", receipt_no, false)?;
    if receipt_no.as_ref().is_some_and(|r| r.chars().count() > 64) {
        return Err(CertificationError::invalid(
            "receipt_no",
            "dài quá 64 ký tự",
            "longer than 64 characters",
        ));
    }
    write_transaction(conn, |conn| {
        let row = load_at_office(conn, actor, id)?;
        if row.fee_paid_at.is_some() {
            return Err(CertificationError::AlreadyPaid);
        }
        let detail = json!({ "method": method, "receipt_no": receipt_no, "fee_vnd": row.fee_vnd });
        transition(
            conn,
            &row,
            Move {
                from: &[
                    RequestState::Received,
                    RequestState::Scanned,
                    RequestState::AwaitingCertification,
                    RequestState::Certified,
                    RequestState::Refused,
                ],
                action: "pay",
                audit_action: "certification.fee_paid",
                detail,
            },
            actor,
            request_id,
            |conn, now| {
                Ok(diesel::update(same_row!(row))
                    .filter(certification_requests::fee_paid_at.is_null())
                    .set((
                        certification_requests::fee_paid_at.eq(Some(now)),
                        certification_requests::fee_payment_method.eq(Some(method.as_str())),
                        certification_requests::fee_receipt_no.eq(receipt_no.as_deref()),
                        certification_requests::revision.eq(row.revision + 1),
                        certification_requests::updated_at.eq(now),
                    ))
                    .execute(conn)?)
            },
        )?;
        view_at_office(conn, actor, id)
    })
}

/// An official changes a request's fee (paid or not), with a reason; audited with the old
/// and new amounts. The register line of its certification carries the fee as changed; a
/// certified request keeps the fee of its line.
pub fn change_fee(
    conn: &mut DbConn,
    official: &Actor,
    id: &RequestId,
    change: &FeeChange,
    request_id: Option<&str>,
) -> Result<RequestView, CertificationError> {
    if official.role != Role::Official {
        return Err(CertificationError::Forbidden);
    }
    if !(0..=1_000_000_000).contains(&change.fee_vnd) {
        return Err(CertificationError::invalid(
            "fee_vnd",
            "phải từ 0 đến 1.000.000.000 đồng",
            "must be between 0 and 1,000,000,000 VND",
        ));
    }
    let reason = bounded_text("reason", Some(&change.reason), true)?.unwrap_or_default();
    write_transaction(conn, |conn| {
        let row = load_at_office(conn, official, id)?;
        let detail = json!({ "from": row.fee_vnd, "to": change.fee_vnd, "reason": reason });
        transition(
            conn,
            &row,
            Move {
                from: &[
                    RequestState::Received,
                    RequestState::Scanned,
                    RequestState::AwaitingCertification,
                    RequestState::Refused,
                ],
                action: "change_fee",
                audit_action: "certification.fee_change",
                detail,
            },
            official,
            request_id,
            |conn, now| {
                Ok(diesel::update(same_row!(row))
                    .filter(certification_requests::certifying_entry_id.is_null())
                    .set((
                        certification_requests::fee_vnd.eq(change.fee_vnd),
                        certification_requests::revision.eq(row.revision + 1),
                        certification_requests::updated_at.eq(now),
                    ))
                    .execute(conn)?)
            },
        )?;
        view_at_office(conn, official, id)
    })
}

/// Checks that `official` may certify `row` now: awaiting certification, not already
/// being certified, and a second person unless the office works with one person. Returns
/// whether the line will say one person did both.
pub fn may_certify(
    conn: &mut DbConn,
    official: &Actor,
    row: &CertificationRequest,
) -> Result<bool, CertificationError> {
    if official.role != Role::Official {
        return Err(CertificationError::Forbidden);
    }
    let state = state_of(row);
    if state != RequestState::AwaitingCertification || row.certifying_entry_id.is_some() {
        return Err(CertificationError::IllegalTransition {
            from: state,
            action: "certify",
        });
    }
    let same_person = row.scanned_by.as_ref() == Some(&official.id);
    if same_person && !OfficePractice::single_person(conn, &row.office_id)? {
        return Err(CertificationError::SamePerson);
    }
    Ok(same_person)
}

/// In the transaction that allocates the register number: claims the request for that
/// entry, so no second certification (or refusal) can start. Fails when the request moved.
pub fn claim_for_entry(
    conn: &mut DbConn,
    id: &RequestId,
    revision: i32,
    entry: &RegisterEntry,
) -> Result<(), CertificationError> {
    let changed = diesel::update(
        certification_requests::table
            .filter(certification_requests::id.eq(id))
            .filter(certification_requests::state.eq(RequestState::AwaitingCertification.as_str()))
            .filter(certification_requests::revision.eq(revision))
            .filter(certification_requests::certifying_entry_id.is_null()),
    )
    .set((
        certification_requests::certifying_entry_id.eq(Some(&entry.id)),
        certification_requests::revision.eq(revision + 1),
        certification_requests::updated_at.eq(now_utc()),
    ))
    .execute(conn)?;
    if changed == 1 {
        Ok(())
    } else {
        let state = CertificationRequest::find(conn, id)?
            .map_or(RequestState::AwaitingCertification, |row| state_of(&row));
        Err(CertificationError::IllegalTransition {
            from: state,
            action: "certify",
        })
    }
}

/// In the transaction that publishes the register line: the claimed request becomes
/// certified, audited.
pub fn mark_certified(
    conn: &mut DbConn,
    entry: &RegisterEntry,
    actor: &Actor,
    request_id: Option<&str>,
) -> Result<(), CertificationError> {
    let Some(row) = certification_requests::table
        .filter(certification_requests::certifying_entry_id.eq(&entry.id))
        .select(CertificationRequest::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(());
    };
    let now = now_utc();
    let changed = diesel::update(
        certification_requests::table
            .filter(certification_requests::id.eq(&row.id))
            .filter(certification_requests::state.eq(RequestState::AwaitingCertification.as_str())),
    )
    .set((
        certification_requests::state.eq(RequestState::Certified.as_str()),
        certification_requests::register_entry_id.eq(Some(&entry.id)),
        certification_requests::certifying_entry_id.eq(None::<CopyId>),
        certification_requests::decided_by.eq(Some(&actor.id)),
        certification_requests::decided_at.eq(Some(now)),
        certification_requests::revision.eq(row.revision + 1),
        certification_requests::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed != 1 {
        return Err(CertificationError::IllegalTransition {
            from: state_of(&row),
            action: "certify",
        });
    }
    let event = AuditEvent {
        action: "certification.certify",
        target: Some(row.id.to_string()),
        office_id: Some(row.office_id.clone()),
        detail: json!({
            "copy": entry.id.to_string(),
            "sequence": entry.sequence,
            "book": entry.book,
            "single_person": entry.single_person,
        }),
    };
    audit::record(conn, Some(actor), event, request_id)?;
    Ok(())
}

/// When register lines are voided (a failed or interrupted certification): their requests
/// are free to be certified again.
pub fn release_claims(
    conn: &mut DbConn,
    entries: &[CopyId],
) -> Result<usize, diesel::result::Error> {
    if entries.is_empty() {
        return Ok(0);
    }
    diesel::update(
        certification_requests::table
            .filter(certification_requests::certifying_entry_id.eq_any(entries)),
    )
    .set(certification_requests::certifying_entry_id.eq(None::<CopyId>))
    .execute(conn)
}

/// Whether an office works with one person (the clerk who scanned may certify). An
/// unknown office is not found.
pub fn single_person_operation(
    conn: &mut DbConn,
    office: &OfficeId,
) -> Result<bool, CertificationError> {
    Office::find(conn, office)?.ok_or(CertificationError::NotFound)?;
    Ok(OfficePractice::single_person(conn, office)?)
}

/// Sets whether an office works with one person (admin), audited.
pub fn set_single_person(
    conn: &mut DbConn,
    admin: &Actor,
    office: &OfficeId,
    single_person: bool,
    request_id: Option<&str>,
) -> Result<(), CertificationError> {
    write_transaction(conn, |conn| {
        Office::find(conn, office)?.ok_or(CertificationError::NotFound)?;
        let row = OfficePractice {
            office_id: office.clone(),
            single_person_operation: single_person,
            updated_by: Some(admin.id.clone()),
            updated_at: now_utc(),
        };
        diesel::delete(office_practice::table.find(office)).execute(conn)?;
        diesel::insert_into(office_practice::table)
            .values(&row)
            .execute(conn)?;
        let event = AuditEvent {
            action: "office.practice",
            target: Some(office.to_string()),
            office_id: Some(office.clone()),
            detail: json!({ "single_person_operation": single_person }),
        };
        audit::record(conn, Some(admin), event, request_id)?;
        Ok(())
    })
}
