//! Register entries: number allocation, publication, voiding, annulment.
//!
//! An issuance goes through three short transactions, so that signing (slow, CPU bound)
//! never holds the register lock:
//!
//! 1. [`open_entry`]: allocate the next number of the office's book for the year and
//!    insert the entry as `pending` (invisible to everyone) — one transaction, so a number
//!    exists only with its entry;
//! 2. the caller assembles, signs and stores the PDF;
//! 3. [`publish_entry`] turns it `valid` with the PDF's SHA-256 — or [`void_entry`] keeps
//!    it as a spoiled line with the reason. [`void_interrupted`] does the same at start for
//!    entries a crash left `pending`.
//!
//! Numbers therefore never have gaps (every number has exactly one entry) and nobody sees
//! a copy before both the entry is valid and the blob exists (the blob is stored before
//! step 3).

use diesel::prelude::*;
use serde_json::json;
use time::OffsetDateTime;

use super::RegistryError;
use crate::audit::{self, Actor, AuditEvent};
use crate::certification::{self, CertificationError};
use crate::db::ids::{CopyId, OfficeId, RequestId, UserId};
use crate::db::models::{EntryStatus, RegisterEntry};
use crate::db::schema::{register_books, register_entries};
use crate::db::{DbConn, DbError, now_utc, write_transaction};
use crate::fees::fee_per_copy;
use crate::local_time::VIETNAM_OFFSET;

/// Register type code for copies certified from originals (Circular 01/2020/TT-BTP).
pub const COPY_TYPE_CODE: &str = "SCT/BS";

/// Fee for certifying `copies` copies of an original of `pages` pages (Circular
/// 226/2016/TT-BTC, Art. 4; the per-copy table lives in [`crate::fees::fee_per_copy`]).
pub fn copy_fee_vnd(pages: u32, copies: u32) -> i64 {
    let per_copy = fee_per_copy(pages).0;
    i64::try_from(per_copy.saturating_mul(u64::from(copies))).unwrap_or(i64::MAX)
}

/// What is needed to open a register entry.
#[derive(Debug, Clone)]
pub struct NewCertification {
    /// Certifying office.
    pub office_id: OfficeId,
    /// Requester's full name.
    pub requester_name: String,
    /// Requester's citizen ID (normalised).
    pub requester_citizen_id: String,
    /// Title of the original.
    pub document_title: String,
    /// Pages of the original.
    pub page_count: u32,
    /// Copies requested (1–50).
    pub copies: u32,
    /// The signing official.
    pub signer_id: UserId,
    /// Their full name.
    pub signer_name: String,
    /// Their position.
    pub signer_position: String,
    /// Public verification code (see [`super::new_verification_code`]).
    pub verification_code: String,
    /// The official also scanned the original (an office working with one person).
    pub single_person: bool,
    /// The fee settled at the desk for a certification request (an official may have
    /// changed it); `None`: the fee table's ([`copy_fee_vnd`]).
    pub fee_vnd: Option<i64>,
}

/// A certification request an entry is opened for, at the revision it was checked in.
#[derive(Debug, Clone, Copy)]
pub struct RequestClaim<'a> {
    /// The request.
    pub id: &'a RequestId,
    /// Its revision when the official's right to certify was checked.
    pub revision: i32,
}

fn from_certification(error: CertificationError) -> RegistryError {
    match error {
        CertificationError::Db(error) => RegistryError::Db(error),
        _ => RegistryError::RequestMoved,
    }
}

/// Allocates the next number in the office's book for `year`. Must run inside the
/// transaction that inserts the entry.
fn allocate_number(
    conn: &mut DbConn,
    office_id: &OfficeId,
    year: i32,
) -> Result<(i64, String), DbError> {
    for _ in 0..2 {
        let claimed: Option<(i64, String)> =
            diesel::update(register_books::table.find((office_id, year)))
                .set(register_books::next_sequence.eq(register_books::next_sequence + 1))
                .returning((register_books::next_sequence, register_books::book))
                .get_result(conn)
                .optional()?;
        if let Some((next, book)) = claimed {
            return Ok((next - 1, book));
        }
        // First number of the year: open the book (a savepoint, so a concurrent opener's
        // duplicate does not abort the surrounding transaction on PostgreSQL).
        let opened = conn.transaction(|conn| {
            diesel::insert_into(register_books::table)
                .values((
                    register_books::office_id.eq(office_id),
                    register_books::year.eq(year),
                    register_books::book.eq(format!("01/{year}")),
                    register_books::next_sequence.eq(1i64),
                ))
                .execute(conn)
        });
        match opened.map_err(DbError::from) {
            Ok(_) | Err(DbError::Duplicate { .. }) => {}
            Err(other) => return Err(other),
        }
    }
    Err(DbError::Constraint(
        "register book could not be opened".into(),
    ))
}

/// Step 1: allocates the number and inserts the entry as `pending`.
pub fn open_entry(
    conn: &mut DbConn,
    request: &NewCertification,
    now: OffsetDateTime,
    actor: &Actor,
    request_id: Option<&str>,
) -> Result<RegisterEntry, RegistryError> {
    open_entry_for(conn, request, now, actor, request_id, None)
}

/// Step 1 for a certification request: the request is claimed by the entry in the same
/// transaction that allocates the number, so a number exists only for a request nobody
/// else is certifying, and [`publish_entry`] marks the request certified.
pub fn open_entry_for(
    conn: &mut DbConn,
    request: &NewCertification,
    now: OffsetDateTime,
    actor: &Actor,
    request_id: Option<&str>,
    claim: Option<RequestClaim<'_>>,
) -> Result<RegisterEntry, RegistryError> {
    if !(1..=50).contains(&request.copies) {
        return Err(RegistryError::InvalidField("copies"));
    }
    if request.page_count == 0 {
        return Err(RegistryError::InvalidField("page_count"));
    }
    let local = now.to_offset(VIETNAM_OFFSET);
    let created_at = now_utc();
    write_transaction(conn, |conn| {
        let (sequence, book) = allocate_number(conn, &request.office_id, local.year())?;
        let entry = RegisterEntry {
            id: CopyId::generate(),
            office_id: request.office_id.clone(),
            year: local.year(),
            sequence,
            book,
            type_code: COPY_TYPE_CODE.to_owned(),
            status: EntryStatus::Pending.as_str().to_owned(),
            verification_code: request.verification_code.clone(),
            requester_name: request.requester_name.clone(),
            requester_citizen_id: request.requester_citizen_id.clone(),
            document_title: request.document_title.clone(),
            page_count: i32::try_from(request.page_count)
                .map_err(|_| RegistryError::InvalidField("page_count"))?,
            copies: i32::try_from(request.copies)
                .map_err(|_| RegistryError::InvalidField("copies"))?,
            signer_id: request.signer_id.clone(),
            signer_name: request.signer_name.clone(),
            signer_position: request.signer_position.clone(),
            fee_vnd: request
                .fee_vnd
                .unwrap_or_else(|| copy_fee_vnd(request.page_count, request.copies)),
            document_sha256: None,
            created_at,
            issued_at: None,
            void_reason: None,
            annulled_reason: None,
            annulled_by: None,
            annulled_at: None,
            single_person: request.single_person,
            file_sha256: None,
            timestamp_valid_until: None,
        };
        entry.insert(conn)?;
        log(conn, "register.allocate", &entry)?;
        if let Some(claim) = claim {
            certification::store::claim_for_entry(conn, claim.id, claim.revision, &entry)
                .map_err(from_certification)?;
        }
        let event = AuditEvent {
            action: "register.allocate",
            target: Some(entry.id.to_string()),
            office_id: Some(entry.office_id.clone()),
            detail: json!({ "sequence": entry.sequence, "book": entry.book }),
        };
        audit::record(conn, Some(actor), event, request_id)?;
        Ok(entry)
    })
}

/// Appends an event of `entry` (as it is now) to the register's transparency log.
fn log(conn: &mut DbConn, event: &str, entry: &RegisterEntry) -> Result<(), RegistryError> {
    crate::transparency::append(conn, &crate::transparency::LogEvent::of_entry(event, entry))?;
    Ok(())
}

/// Moves a `pending` entry to `to`, setting the given columns; refuses any other state.
fn leave_pending(
    conn: &mut DbConn,
    id: &CopyId,
    to: EntryStatus,
    stored: Option<&StoredCopy<'_>>,
    reason: Option<&str>,
) -> Result<(), RegistryError> {
    let target = register_entries::table
        .filter(register_entries::id.eq(id))
        .filter(register_entries::status.eq(EntryStatus::Pending.as_str()));
    let changed = match to {
        EntryStatus::Valid => diesel::update(target)
            .set((
                register_entries::status.eq(to.as_str()),
                register_entries::document_sha256.eq(stored.map(|s| s.content_sha256)),
                register_entries::file_sha256.eq(stored
                    .filter(|s| s.file_sha256 != s.content_sha256)
                    .map(|s| s.file_sha256)),
                register_entries::timestamp_valid_until.eq(stored
                    .and_then(|s| s.timestamp_valid_until)
                    .and_then(crate::local_time::to_utc_primitive)),
                register_entries::issued_at.eq(Some(now_utc())),
            ))
            .execute(conn)?,
        _ => diesel::update(target)
            .set((
                register_entries::status.eq(to.as_str()),
                register_entries::void_reason.eq(reason),
            ))
            .execute(conn)?,
    };
    if changed == 1 {
        Ok(())
    } else {
        Err(RegistryError::NotPending)
    }
}

/// What an issuance stored: the digests of the copy and the horizon of its document
/// time-stamp.
#[derive(Debug, Clone, Copy)]
pub struct StoredCopy<'a> {
    /// SHA-256 of the signed content (up to the end of the seal's revision).
    pub content_sha256: &'a str,
    /// SHA-256 of the stored file (equal to `content_sha256` below B-LT).
    pub file_sha256: &'a str,
    /// When the certificate of the last document time-stamp's authority expires (B-LTA).
    pub timestamp_valid_until: Option<time::OffsetDateTime>,
}

impl<'a> StoredCopy<'a> {
    /// A copy whose file is its signed content (B-B, B-T).
    pub fn signed_only(sha256: &'a str) -> Self {
        StoredCopy {
            content_sha256: sha256,
            file_sha256: sha256,
            timestamp_valid_until: None,
        }
    }
}

/// Step 3: publishes the entry with the digests of the stored signed PDF; a certification
/// request claimed by the entry becomes certified in the same transaction.
pub fn publish_entry(
    conn: &mut DbConn,
    id: &CopyId,
    stored: &StoredCopy<'_>,
    actor: &Actor,
    request_id: Option<&str>,
) -> Result<RegisterEntry, RegistryError> {
    let document_sha256 = stored.content_sha256;
    write_transaction(conn, |conn| {
        leave_pending(conn, id, EntryStatus::Valid, Some(stored), None)?;
        let entry = RegisterEntry::find(conn, id)?.ok_or(RegistryError::NotFound)?;
        log(conn, "copy.issue", &entry)?;
        let event = AuditEvent {
            action: "copy.issue",
            target: Some(id.to_string()),
            office_id: None,
            detail: json!({ "sha256": document_sha256 }),
        };
        audit::record(conn, Some(actor), event, request_id)?;
        certification::store::mark_certified(conn, &entry, actor, request_id)
            .map_err(from_certification)?;
        Ok(entry)
    })
}

/// Keeps a failed issuance as a void line with its reason; a certification request it
/// claimed may be certified again.
pub fn void_entry(
    conn: &mut DbConn,
    id: &CopyId,
    reason: &str,
    actor: Option<&Actor>,
    request_id: Option<&str>,
) -> Result<(), RegistryError> {
    write_transaction(conn, |conn| {
        leave_pending(conn, id, EntryStatus::Void, None, Some(reason))?;
        let entry = RegisterEntry::find(conn, id)?.ok_or(RegistryError::NotFound)?;
        log(conn, "register.void", &entry)?;
        certification::store::release_claims(conn, std::slice::from_ref(id))
            .map_err(|e| RegistryError::Db(DbError::from(e)))?;
        let event = AuditEvent {
            action: "register.void",
            target: Some(id.to_string()),
            office_id: None,
            detail: json!({ "reason": reason }),
        };
        audit::record(conn, actor, event, request_id).map_err(RegistryError::from)
    })
}

/// At start: entries left `pending` by a crash (older than `grace`) become void with the
/// reason "interrupted". Returns how many.
pub fn void_interrupted(conn: &mut DbConn, grace: time::Duration) -> Result<usize, RegistryError> {
    let cutoff = now_utc() - grace;
    let stale: Vec<CopyId> = register_entries::table
        .filter(register_entries::status.eq(EntryStatus::Pending.as_str()))
        .filter(register_entries::created_at.lt(cutoff))
        .select(register_entries::id)
        .load(conn)?;
    let mut voided = 0;
    for id in stale {
        match void_entry(
            conn,
            &id,
            "issuance interrupted (service stopped) / cấp bản sao bị gián đoạn",
            None,
            None,
        ) {
            Ok(()) => voided += 1,
            Err(RegistryError::NotPending) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(voided)
}

/// Annuls a valid certification (it stays in the register, marked annulled). Only an
/// official of the issuing office may do it.
pub fn annul_entry(
    conn: &mut DbConn,
    id: &CopyId,
    reason: &str,
    actor: &Actor,
    request_id: Option<&str>,
) -> Result<RegisterEntry, RegistryError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(RegistryError::InvalidField("reason"));
    }
    let annulled = write_transaction(conn, |conn| {
        let entry = RegisterEntry::find(conn, id)?.ok_or(RegistryError::NotFound)?;
        if actor.office_id.as_ref() != Some(&entry.office_id) {
            return Err(RegistryError::NotFound);
        }
        let changed = diesel::update(
            register_entries::table
                .filter(register_entries::id.eq(id))
                .filter(register_entries::status.eq(EntryStatus::Valid.as_str())),
        )
        .set((
            register_entries::status.eq(EntryStatus::Annulled.as_str()),
            register_entries::annulled_reason.eq(reason),
            register_entries::annulled_by.eq(&actor.id),
            register_entries::annulled_at.eq(now_utc()),
        ))
        .execute(conn)?;
        if changed != 1 {
            return Err(RegistryError::NotValid);
        }
        let annulled = RegisterEntry::find(conn, id)?.ok_or(RegistryError::NotFound)?;
        log(conn, "copy.annul", &annulled)?;
        let event = AuditEvent {
            action: "copy.annul",
            target: Some(id.to_string()),
            office_id: Some(entry.office_id.clone()),
            detail: json!({ "reason": reason }),
        };
        audit::record(conn, Some(actor), event, request_id)?;
        // Every agency dossier holding the copy shows it annulled at once.
        crate::dossiers::mark_annulled(conn, id)?;
        let entry = RegisterEntry::find(conn, id)?.ok_or(RegistryError::NotFound)?;
        // ... and each of their agencies is told, from the outbox, at least once.
        crate::webhooks::enqueue_annulment(conn, &entry)?;
        Ok(entry)
    })?;
    // Statuses cached before it are stale.
    crate::registry::status_cache::annulled();
    Ok(annulled)
}

#[cfg(test)]
mod tests {
    use super::copy_fee_vnd;

    #[test]
    fn fee_table_of_circular_226() {
        assert_eq!(copy_fee_vnd(1, 1), 2_000);
        assert_eq!(copy_fee_vnd(2, 1), 4_000);
        assert_eq!(copy_fee_vnd(3, 1), 5_000);
        assert_eq!(copy_fee_vnd(10, 1), 12_000);
        assert_eq!(copy_fee_vnd(10, 3), 36_000);
        assert_eq!(copy_fee_vnd(198, 1), 200_000);
        assert_eq!(copy_fee_vnd(300, 1), 200_000, "cap per copy");
        assert_eq!(copy_fee_vnd(300, 2), 400_000, "cap applies per copy");
    }
}
