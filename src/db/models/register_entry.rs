use diesel::prelude::*;
use serde::Serialize;

use crate::db::ids::{CopyId, OfficeId, UserId};
use crate::db::schema::register_entries;
use crate::db::{DbConn, DbResult};

/// Life of a register entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryStatus {
    /// Number allocated, copy being made; visible to nobody.
    Pending,
    /// Issued: the signed PDF is stored and may be downloaded and verified.
    Valid,
    /// Issuance failed after the number was allocated: a spoiled line, kept with its reason.
    Void,
    /// Issued, then annulled (a wrong certification is annulled, never erased).
    Annulled,
}

impl EntryStatus {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Pending => "pending",
            EntryStatus::Valid => "valid",
            EntryStatus::Void => "void",
            EntryStatus::Annulled => "annulled",
        }
    }
}

/// One line of the certification register (Decree 23/2015/NĐ-CP, Art. 13).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = register_entries)]
pub struct RegisterEntry {
    /// Entry id (also the copy id in URLs).
    pub id: CopyId,
    /// Certifying office.
    pub office_id: OfficeId,
    /// Register year (local calendar year).
    pub year: i32,
    /// Certification number within the office's book of that year, from 1, no gaps.
    pub sequence: i64,
    /// Book number, e.g. `01/2026`.
    pub book: String,
    /// Register type code: `SCT/BS` for copies certified from originals.
    pub type_code: String,
    /// Stored [`EntryStatus`].
    pub status: String,
    /// Public verification code printed under the QR (≥ 80 bits).
    pub verification_code: String,
    /// Requester's full name.
    pub requester_name: String,
    /// Requester's citizen ID number.
    pub requester_citizen_id: String,
    /// Title of the original document.
    pub document_title: String,
    /// Pages of the original.
    pub page_count: i32,
    /// Copies requested.
    pub copies: i32,
    /// Signing official.
    pub signer_id: UserId,
    /// Official's full name at signing.
    pub signer_name: String,
    /// Official's position at signing.
    pub signer_position: String,
    /// Fee charged (Circular 226/2016/TT-BTC), VND.
    pub fee_vnd: i64,
    /// SHA-256 of the signed content (set when valid): the copy's bytes up to the end of
    /// the seal's revision, what verification recognises the copy by.
    pub document_sha256: Option<String>,
    /// When the number was allocated.
    pub created_at: time::PrimitiveDateTime,
    /// When the copy was issued.
    pub issued_at: Option<time::PrimitiveDateTime>,
    /// Why the issuance failed (void entries).
    pub void_reason: Option<String>,
    /// Why the certification was annulled.
    pub annulled_reason: Option<String>,
    /// Who annulled it.
    pub annulled_by: Option<UserId>,
    /// When it was annulled.
    pub annulled_at: Option<time::PrimitiveDateTime>,
    /// Certified by the person who also scanned the original (an office working with one
    /// person); the register line says so.
    pub single_person: bool,
    /// SHA-256 of the stored file when it differs from `document_sha256` (a B-LTA copy:
    /// the DSS and document time-stamps follow the signatures); see [`Self::file_digest`].
    pub file_sha256: Option<String>,
    /// Until when the certificate of the authority behind the copy's last document
    /// time-stamp is valid (B-LTA copies): the re-timestamping horizon.
    pub timestamp_valid_until: Option<time::PrimitiveDateTime>,
}

impl RegisterEntry {
    /// SHA-256 of the stored file, the key of its blob (`None` until issued).
    pub fn file_digest(&self) -> Option<&str> {
        self.file_sha256
            .as_deref()
            .or(self.document_sha256.as_deref())
    }

    /// The entry's status.
    pub fn status(&self) -> EntryStatus {
        match self.status.as_str() {
            "valid" => EntryStatus::Valid,
            "void" => EntryStatus::Void,
            "annulled" => EntryStatus::Annulled,
            _ => EntryStatus::Pending,
        }
    }

    /// Whether anyone but the register itself may see the copy.
    pub fn is_published(&self) -> bool {
        matches!(self.status(), EntryStatus::Valid | EntryStatus::Annulled)
    }
}

impl RegisterEntry {
    /// Inserts the entry.
    pub fn insert(&self, conn: &mut DbConn) -> DbResult<()> {
        diesel::insert_into(register_entries::table)
            .values(self)
            .execute(conn)?;
        Ok(())
    }

    /// Finds an entry by id.
    pub fn find(conn: &mut DbConn, id: &CopyId) -> DbResult<Option<RegisterEntry>> {
        Ok(register_entries::table
            .find(id)
            .select(RegisterEntry::as_select())
            .first(conn)
            .optional()?)
    }

    /// Finds an entry by its public verification code.
    pub fn find_by_code(conn: &mut DbConn, code: &str) -> DbResult<Option<RegisterEntry>> {
        Ok(register_entries::table
            .filter(register_entries::verification_code.eq(code))
            .select(RegisterEntry::as_select())
            .first(conn)
            .optional()?)
    }

    /// Finds the entry whose signed content has this SHA-256 (lower-case hex).
    pub fn find_by_digest(conn: &mut DbConn, sha256_hex: &str) -> DbResult<Option<RegisterEntry>> {
        Ok(register_entries::table
            .filter(register_entries::document_sha256.eq(sha256_hex))
            .select(RegisterEntry::as_select())
            .first(conn)
            .optional()?)
    }

    /// Every entry of every book, oldest first (by creation, then id): the order in which
    /// the register log takes in the entries older than it.
    pub fn all_in_order(conn: &mut DbConn) -> DbResult<Vec<RegisterEntry>> {
        Ok(register_entries::table
            .order((
                register_entries::created_at.asc(),
                register_entries::id.asc(),
            ))
            .select(RegisterEntry::as_select())
            .load(conn)?)
    }

    /// Number of entries in every book; fails when the register's table does not exist.
    pub fn count(conn: &mut DbConn) -> DbResult<i64> {
        Ok(register_entries::table.count().get_result(conn)?)
    }

    /// Published entries (valid or annulled) of a citizen, newest first.
    pub fn published_for_citizen(
        conn: &mut DbConn,
        citizen_id: &str,
    ) -> DbResult<Vec<RegisterEntry>> {
        Ok(register_entries::table
            .filter(register_entries::requester_citizen_id.eq(citizen_id))
            .filter(
                register_entries::status
                    .eq_any([EntryStatus::Valid.as_str(), EntryStatus::Annulled.as_str()]),
            )
            .order(register_entries::created_at.desc())
            .select(RegisterEntry::as_select())
            .load(conn)?)
    }

    /// All entries of an office's book for a year, by number.
    pub fn book(
        conn: &mut DbConn,
        office_id: &OfficeId,
        year: i32,
    ) -> DbResult<Vec<RegisterEntry>> {
        Ok(register_entries::table
            .filter(register_entries::office_id.eq(office_id))
            .filter(register_entries::year.eq(year))
            .order(register_entries::sequence.asc())
            .select(RegisterEntry::as_select())
            .load(conn)?)
    }
}
